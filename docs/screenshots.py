"""Render the window offscreen to docs/*.png (``make screenshots``).

The three tabs (Explorer, Compare, Train) at 1280×720, the smallest screen the window is made
for, and at 1600×1000, each in light and dark colours: ``TAB-WxH-MODE.png``. The Train tab
shows three short runs on digits overlaid, trained here first (a minute or two on a small CPU),
with the mouse over a curve at 1600×1000. Then an invalid spec (``invalid.png``) and the diagram
exports. ``--only NAME,…`` renders some of them: tabs, invalid, diagrams.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--only")]
OUT = Path(ARGS[0] if ARGS else Path(__file__).parent)
ONLY = next((a.partition("=")[2].split(",") for a in sys.argv[1:] if a.startswith("--only=")), [])
SIZES = ((1280, 720), (1600, 1000))
MODES = ("light", "dark")
TABS = ("explorer", "compare", "train")


def wanted(name: str) -> bool:
    return not ONLY or name in ONLY


from resnet_studio.gui.offscreen import use_offscreen_screen  # noqa: E402

use_offscreen_screen()

from PySide6.QtCore import QPointF, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio.gui import theme  # noqa: E402
from resnet_studio.gui.window.main_window import MainWindow  # noqa: E402


def settle(app: QApplication, seconds: float = 1.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main() -> None:
    app = QApplication([])
    app.setStyle("Fusion")
    scratch = tempfile.TemporaryDirectory(prefix="resnet-studio-shots-")  # runs go at exit
    settings = QSettings(str(Path(scratch.name) / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, runs_dir=Path(scratch.name) / "runs")
    w.resize(*SIZES[1])
    w.show()
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    if wanted("tabs"):
        train(app, w)
        for mode in MODES:
            theme.use(app, mode == "dark")
            theme.apply(w)
            for size in SIZES:
                written += tabs(app, w, size, mode)
        theme.use(app, False)
        theme.apply(w)
    if wanted("invalid"):
        w.resize(*SIZES[1])
        w.tabs.setCurrentIndex(0)
        w.panel.preset.setCurrentText("resnext50_32x4d")
        w.panel.block.setCurrentText("basic")  # an invalid value: red control, stale tree
        settle(app)
        w.grab().save(str(OUT / "invalid.png"))
        written.append("invalid.png")
    if wanted("diagrams"):
        written += diagrams()
    w.confirm_close = lambda n: True
    w.close()
    print(f"wrote {', '.join(written)} in {OUT}")


def tabs(app: QApplication, w: MainWindow, size: tuple[int, int], mode: str) -> list[str]:
    """The three tabs at ``size``: resnet50 with layer3 selected; resnet18, resnet50 and
    wide_resnet50_2 compared; the runs overlaid."""
    w.resize(*size)
    w.panel.preset.setCurrentText("resnet50")
    settle(app, 0.5)
    names = []
    for i, tab in enumerate(TABS):
        w.tabs.setCurrentIndex(i)
        if tab == "explorer":
            tree = w.explorer.tree
            layer3 = tree.model().index(3, 0)
            tree.expand(layer3)
            flags = tree.selectionModel().SelectionFlag
            tree.selectionModel().select(layer3, flags.Rows | flags.ClearAndSelect)
        elif tab == "compare":
            w.compare.set_entries(["resnet18", "resnet50", "wide_resnet50_2"])
        settle(app, 1.5)
        if tab == "train":
            hover(app, w, size == SIZES[1])
        names.append(f"{tab}-{size[0]}x{size[1]}-{mode}.png")
        w.grab().save(str(OUT / names[-1]))
    return names


def hover(app: QApplication, w: MainWindow, on: bool) -> None:
    """The mouse over the middle of the last run's loss curve (or nowhere)."""
    curves = w.train.curves
    curves.redraw()
    settle(app, 0.3)
    run = curves.runs[-1]
    vb = curves.loss.getPlotItem().vb
    i = run.step.n // 2
    x = curves._x(run, run.step.values[i : i + 1], run.step_time.values[i : i + 1])[0]
    y = run.step_loss.values[i]
    at = vb.mapViewToScene(QPointF(x, math.log10(y) if curves.log_y.isChecked() else y))
    if not on:
        at = vb.mapViewToScene(QPointF(-1e9, -1e9))
    curves._hovered((at,), "loss")
    settle(app, 0.3)


def train(app: QApplication, w: MainWindow) -> None:
    """Three short runs on digits, overlaid: two learning rates of resnet20, and resnet32."""
    from resnet_studio import ArchSpec

    w.tabs.setCurrentIndex(2)
    panel = w.train.panel
    panel.dataset.setCurrentText("digits")
    panel.epochs.setValue(5)
    panel.device.setCurrentIndex(0)
    w.train.manager.max_parallel = 3
    runs = []
    for name, lr in (("resnet20", 0.1), ("resnet20", 0.02), ("resnet32", 0.05)):
        w.panel.set_spec(ArchSpec.from_preset(name, in_channels=1, input_size=16))
        panel.lr.setValue(lr)
        runs.append(w.train.start_run())
    while w.train.manager.active:
        settle(app, 0.5)
    w.train.select(runs[0])
    w.train.table.resizeColumnsToContents()
    w.train.curves.log_y.setChecked(True)  # a validation loss that spiked stays readable


def diagrams() -> list[str]:
    """The diagram exports as figures: resnet18 against resnet50, and the 1202-layer ResNet."""
    from resnet_studio import ArchSpec, analyze
    from resnet_studio.core.diagram import diagram
    from resnet_studio.gui.diagram.diagram_export import write_diagram

    pair = [(n, analyze(ArchSpec.from_preset(n))) for n in ("resnet18", "resnet50")]
    d = diagram(pair)
    write_diagram(d, str(OUT / "diagram-resnet18-vs-resnet50.png"), 1.5)
    write_diagram(d, str(OUT / "diagram-resnet18-vs-resnet50.svg"), title="resnet18 vs resnet50")
    huge = analyze(ArchSpec.from_preset("resnet20", layers=(200, 200, 200)))
    write_diagram(diagram([("resnet1202", huge)]), str(OUT / "diagram-resnet1202.png"), 1.5)
    return [
        f"diagram-{n}"
        for n in ("resnet18-vs-resnet50.png", "resnet18-vs-resnet50.svg", "resnet1202.png")
    ]


if __name__ == "__main__":
    main()

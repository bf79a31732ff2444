"""Render the main window, the compare view and the diagrams offscreen to docs/*.png
(``make screenshots``). ``--only NAME,…`` renders some of them: main-window, compare, diagrams,
invalid, train (the Train tab's two, which train two small networks first), small (the three
tabs at 1280×720)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--only")]
OUT = Path(ARGS[0] if ARGS else Path(__file__).parent)
ONLY = next((a.partition("=")[2].split(",") for a in sys.argv[1:] if a.startswith("--only=")), [])


def wanted(name: str) -> bool:
    return not ONLY or name in ONLY


from resnet_studio.gui.offscreen import use_offscreen_screen  # noqa: E402

use_offscreen_screen()

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio.gui.main_window import MainWindow  # noqa: E402


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
    w.resize(1600, 1000)
    w.show()
    w.panel.preset.setCurrentText("resnet50")
    tree = w.explorer.tree
    layer3 = tree.model().index(3, 0)
    tree.expand(layer3)
    tree.selectionModel().select(
        layer3,
        tree.selectionModel().SelectionFlag.Rows
        | tree.selectionModel().SelectionFlag.ClearAndSelect,
    )
    settle(app, 3.0)  # let the live build finish and show its mark
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    if wanted("main-window"):
        w.grab().save(str(OUT / "main-window.png"))
        written.append("main-window.png")
    w.tabs.setCurrentIndex(1)
    w.compare.set_entries(["resnet18", "resnet50", "wide_resnet50_2"])
    settle(app)
    if wanted("compare"):
        w.grab().save(str(OUT / "compare.png"))
        written.append("compare.png")
    if wanted("diagrams"):
        written += diagrams()
    w.tabs.setCurrentIndex(0)
    w.panel.preset.setCurrentText("resnext50_32x4d")
    w.panel.block.setCurrentText("basic")  # an invalid value: red control, stale tree
    settle(app)
    if wanted("invalid"):
        w.grab().save(str(OUT / "invalid.png"))
        written.append("invalid.png")
    if wanted("train"):
        train(app, w)
        written += ["training.png", "runs.png"]
    if wanted("small"):
        written += small(app, w)
    w.confirm_close = lambda n: True
    w.close()
    print(f"wrote {', '.join(written)} in {OUT}")


def small(app: QApplication, w: MainWindow) -> list[str]:
    """Every tab of the window at 1280×720, the smallest screen it is made for."""
    w.resize(1280, 720)
    w.panel.preset.setCurrentText("resnet50")
    names = []
    for i, name in enumerate(("window", "compare", "train")):
        w.tabs.setCurrentIndex(i)
        settle(app)
        names.append(f"{name}-1280x720.png")
        w.grab().save(str(OUT / names[-1]))
    return names


def diagrams() -> list[str]:
    """The diagram exports as figures: resnet18 against resnet50, and the 1202-layer ResNet."""
    from resnet_studio import ArchSpec, analyze
    from resnet_studio.core.diagram import diagram
    from resnet_studio.gui.diagram_export import write_diagram

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


def train(app: QApplication, w: MainWindow) -> None:
    """Two runs on digits, overlaid: one picture while they train, one when they are done."""
    from resnet_studio import ArchSpec

    w.tabs.setCurrentIndex(2)
    panel = w.train.panel
    panel.dataset.setCurrentText("digits")
    panel.epochs.setValue(6)
    panel.device.setCurrentIndex(0)
    runs = []
    for name in ("resnet20", "resnet56"):
        w.panel.set_spec(ArchSpec.from_preset(name, in_channels=1, input_size=16))
        runs.append(w.train.start_run())
    while max(r.step.n for r in runs) < 60:
        settle(app, 0.2)
    w.train.select(runs[1])
    settle(app, 0.5)
    w.grab().save(str(OUT / "training.png"))
    while w.train.manager.active:
        settle(app, 0.5)
    w.train.curves.log_y.setChecked(True)
    settle(app, 1.0)
    w.grab().save(str(OUT / "runs.png"))


if __name__ == "__main__":
    main()

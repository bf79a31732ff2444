"""Render the measured-cost pictures offscreen to docs/*.png: the Explorer's Profile tab
(resnet18 at 112×112, batch 8, measured here on the CPU), the trade-off view over five short
runs on digits trained here first, and the learning-rate finder. Each at 1280×720 in the window,
and the profile and trade-off also as the view alone at 1000×560. A few minutes on a small CPU.

    .venv/bin/python docs/screenshots_profile.py [OUT_FOLDER] [--only=profile,tradeoff,lr_find]
        [--threads=N]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
OUT = Path(ARGS[0] if ARGS else Path(__file__).parent).resolve()
ONLY = next((a.partition("=")[2].split(",") for a in sys.argv[1:] if a.startswith("--only=")), [])
THREADS = next((int(a.partition("=")[2]) for a in sys.argv[1:] if a.startswith("--threads=")), 0)
SCRATCH = tempfile.TemporaryDirectory(prefix="resnet-studio-shots-")  # runs and cache go at exit
os.environ["XDG_CACHE_HOME"] = str(Path(SCRATCH.name) / "cache")  # not the user's profile cache

from resnet_studio.gui.offscreen import use_offscreen_screen  # noqa: E402

use_offscreen_screen()

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio import ArchSpec  # noqa: E402
from resnet_studio.gui.window.main_window import MainWindow  # noqa: E402

SMALL = (1280, 720)


def settle(app: QApplication, seconds: float = 1.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def wait(app: QApplication, done, limit: float = 900.0) -> None:  # noqa: ANN001
    end = time.monotonic() + limit
    while not done() and time.monotonic() < end:
        settle(app, 0.2)
    if not done():
        raise SystemExit("timed out")


def main() -> None:
    app = QApplication([])
    app.setStyle("Fusion")
    settings = QSettings(str(Path(SCRATCH.name) / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, runs_dir=Path(SCRATCH.name) / "runs")
    w.resize(*SMALL)
    w.show()
    OUT.mkdir(parents=True, exist_ok=True)
    if THREADS:  # on a shared machine one thread is steadier than two fighting for two cores
        import torch

        torch.set_num_threads(THREADS)
    written = []
    for name, shots in (("profile", profile), ("tradeoff", tradeoff), ("lr_find", lr_find)):
        if not ONLY or name in ONLY:
            written += shots(app, w)
    w.confirm_close = lambda n: True
    w.close()
    print(f"wrote {', '.join(written)} in {OUT}")


def profile(app: QApplication, w: MainWindow) -> list[str]:
    w.tabs.setCurrentWidget(w.explorer)
    w.panel.set_spec(ArchSpec.from_preset("resnet18", input_size=112))
    view = w.explorer.profile
    w.explorer.pictures.setCurrentWidget(view)
    view.device.setCurrentIndex(view.device.findData("cpu"))
    view.batch.setValue(8)
    wait(app, lambda: w.model is not None)  # the window's own build would share the cores
    settle(app, 2.0)
    view.start()
    wait(app, lambda: not view._running)
    settle(app)
    w.explorer.splitter.setSizes([200, 520])  # room for the pictures
    settle(app, 0.5)
    w.grab().save(str(OUT / "profile-1280x720.png"))
    view.setParent(None)  # the view alone, larger
    view.resize(1000, 560)
    view.show()
    settle(app)
    view.grab().save(str(OUT / "profile-resnet18.png"))
    w.explorer.pictures.addTab(view, "Profile")
    return ["profile-1280x720.png", "profile-resnet18.png"]


def tradeoff(app: QApplication, w: MainWindow) -> list[str]:
    """Five short runs on digits (3 epochs), then accuracy against parameters."""
    w.tabs.setCurrentWidget(w.train)
    panel = w.train.panel
    panel.dataset.setCurrentText("digits")
    panel.epochs.setValue(3)
    panel.device.setCurrentIndex(panel.device.findData("cpu"))
    w.train.manager.max_parallel = 2
    base = ArchSpec.from_preset("resnet20", in_channels=1, input_size=16)
    specs = [
        base.replace(layers=(1, 1, 1), widths=(8, 16, 32)),
        base.replace(layers=(1, 1, 1)),
        base,
        base.replace(widths=(32, 64, 128)),
        ArchSpec.from_preset("resnet18", in_channels=1, input_size=16, num_classes=10),
    ]
    for spec in specs:
        w.panel.set_spec(spec)
        panel.lr.setValue(0.05)
        w.train.start_run()
    wait(app, lambda: not w.train.manager.active)
    view = w.train.tradeoff
    w.train.pictures.setCurrentWidget(view)
    view.cost.setCurrentIndex(view.cost.findData("params"))
    settle(app, 1.0)
    w.grab().save(str(OUT / "tradeoff-1280x720.png"))
    view.setParent(None)
    view.resize(1000, 560)
    view.show()
    settle(app)
    view.grab().save(str(OUT / "tradeoff-params.png"))
    w.train.pictures.addTab(view, "Trade-off")
    return ["tradeoff-1280x720.png", "tradeoff-params.png"]


def lr_find(app: QApplication, w: MainWindow) -> list[str]:
    w.panel.set_spec(ArchSpec.from_preset("resnet20", in_channels=1, input_size=16))
    dialog = w.train.panel.open_lr_finder()
    dialog.start_lr.setValue(1e-4)
    dialog.end_lr.setValue(100.0)
    dialog.steps.setValue(100)
    dialog.start()
    wait(app, lambda: dialog.finding is not None or not dialog._running)
    dialog.resize(760, 480)
    settle(app)
    dialog.grab().save(str(OUT / "lr-find.png"))
    dialog.close()
    return ["lr-find.png"]


if __name__ == "__main__":
    main()

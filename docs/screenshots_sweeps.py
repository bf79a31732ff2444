"""Render the Sweeps tab offscreen to docs/sweeps-1280x720.png: two design spaces' error EDFs
overlaid (basic against bottleneck blocks under one MAC band on digits), from a storage that the
sweeps of the README wrote (`sweep new`, then two `sweep work` processes each; see README ›
Sweeps), and the parallel coordinates of one of them to docs/sweeps-parallel.png.

    .venv/bin/python docs/screenshots_sweeps.py STORAGE_URL RUNS_DIR [OUT_FOLDER]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from resnet_studio.gui.offscreen import use_offscreen_screen

use_offscreen_screen()

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio.gui.window.main_window import MainWindow  # noqa: E402

URL, RUNS = sys.argv[1], Path(sys.argv[2])
OUT = Path(sys.argv[3] if len(sys.argv) > 3 else Path(__file__).parent).resolve()


def settle(app: QApplication, done, limit: float = 120.0) -> None:  # noqa: ANN001
    end = time.monotonic() + limit
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    app.processEvents()


def main() -> None:
    app = QApplication.instance() or QApplication([])
    scratch = tempfile.TemporaryDirectory(prefix="resnet-studio-shots-")
    settings = QSettings(str(Path(scratch.name) / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, RUNS)
    w.resize(1280, 720)
    w.show()
    w.tabs.setCurrentWidget(w.sweeps)
    view = w.sweeps
    view.add_storage(URL)
    settle(app, lambda: view.sweeps.count() >= 2)
    view.select_sweep("bottleneck", checked=True)
    view.select_sweep("basic", checked=True)
    settle(app, lambda: len(view.edf.curves) == 2 and view.model.rowCount() > 0)
    view.splitter.setSizes([560, 720])
    settle(app, lambda: False, 1.0)
    w.grab().save(str(OUT / "sweeps-1280x720.png"))
    view.plots.setCurrentWidget(view.parallel)
    settle(app, lambda: False, 1.0)
    view.plots.grab().save(str(OUT / "sweeps-parallel.png"))
    w.sweeps.shut_down()
    w.close()
    print(f"wrote {OUT / 'sweeps-1280x720.png'} and {OUT / 'sweeps-parallel.png'}")


if __name__ == "__main__":
    main()

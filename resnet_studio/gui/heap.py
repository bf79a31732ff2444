"""The collector after start-up. What start-up makes (Qt's wrappers, the window, torch, which a
background thread imports) lives as long as the app, yet Python's full collection walked all of
it, some 250,000 objects: a pause of 110–130 ms about every hundred edits. Frozen into the
collector's permanent generation, it is walked no more."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, QTimer

from resnet_studio.gui import workers


def freeze() -> None:
    """Collect what is garbage now, then freeze every object still alive."""
    gc.collect()
    gc.freeze()


class FreezeAfterStartUp(QObject):
    """Freezes the heap once the window is shown, and again once the start-up's background work
    is over (torch imported, no task running), checking every ``interval_ms``."""

    def __init__(self, parent: QObject, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._check)
        QTimer.singleShot(0, freeze)  # after the first paint: the window and its wrappers
        self.timer.start()

    def _check(self) -> None:
        busy = any(workers.pool(k).activeThreadCount() for k in (workers.QUICK, workers.LONG))
        if "torch" in sys.modules and not busy:
            self.timer.stop()
            freeze()

"""After start-up the heap is frozen, so that a full collection no longer walks the objects that
live as long as the app (a 110-130 ms pause about every hundred edits before)."""

import gc
import threading

import pytest
from PySide6.QtCore import QObject

from resnet_studio.gui import heap, workers


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # what this test froze goes back to the collector


def test_the_heap_is_frozen_when_shown_and_when_start_up_work_ends(qtbot, unfrozen):
    import torch  # noqa: F401 (the device list's import, done)

    parent = QObject()
    gate = threading.Event()
    workers.start(
        lambda: gate.wait(20), workers.ignore, workers.ignore, receiver=parent, kind=workers.QUICK
    )
    try:
        heap.FreezeAfterStartUp(parent, interval_ms=10)
        qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=5000)  # once shown
        first = gc.get_freeze_count()
        made_later = [[] for _ in range(100)]  # tracked objects made after the first freeze
        qtbot.wait(100)  # ten checks while the task runs
        assert gc.get_freeze_count() == first
    finally:
        gate.set()
    qtbot.waitUntil(lambda: gc.get_freeze_count() >= first + len(made_later), timeout=5000)

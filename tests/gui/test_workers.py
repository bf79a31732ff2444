"""Background work: quick work beside long work, the newest request wins, and an outcome goes
only to a receiver that is still there."""

import threading
import weakref

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication

from resnet_studio.gui import workers


def _blocker(gate: threading.Event, value):
    def work():
        assert gate.wait(20), "the test never opened the gate"
        return value

    return work


def test_a_build_does_not_wait_behind_long_work(qtbot):
    receiver = QObject()
    gate = threading.Event()
    got = []
    try:
        for i in range(3):  # more long tasks than the long pool has threads
            workers.start(_blocker(gate, i), got.append, got.append, receiver=receiver)
        workers.start(lambda: "built", got.append, got.append, receiver=receiver, kind="quick")
        qtbot.waitUntil(lambda: "built" in got, timeout=5000)
        assert got == ["built"]  # while the long work still waits
    finally:
        gate.set()
    qtbot.waitUntil(lambda: len(got) == 4, timeout=5000)
    assert sorted(got[1:]) == [0, 1, 2]


def test_the_latest_request_wins(qtbot):
    receiver = QObject()
    latest = workers.Latest(receiver, "quick")
    gate = threading.Event()
    ran, got = [], []

    def ask(value):
        def work():
            ran.append(value)
            return value

        return work

    latest.submit(_blocker(gate, "first"), got.append, got.append)
    latest.submit(ask("second"), got.append, got.append)
    latest.submit(ask("third"), got.append, got.append)
    assert latest.busy
    gate.set()
    qtbot.waitUntil(lambda: not latest.busy, timeout=5000)
    assert got == ["third"] and ran == ["third"]  # the first's result dropped, the second skipped

    gate.clear()
    latest.submit(_blocker(gate, "cancelled"), got.append, got.append)
    latest.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not latest.busy, timeout=5000)
    assert got == ["third"]


def test_nothing_reaches_a_receiver_that_is_gone(qtbot):
    receiver = QObject()
    gate, got = threading.Event(), []
    task = workers.start(_blocker(gate, "late"), got.append, got.append, receiver=receiver)
    receiver.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gate.set()
    assert workers.wait_all(5000)
    QApplication.processEvents()
    assert got == [] and task not in workers._alive


class _Model:
    """Stands for a built model: notes on which thread it is freed."""

    def __init__(self, freed_on: list[str]) -> None:
        weakref.finalize(self, lambda: freed_on.append(threading.current_thread().name))


def test_a_stale_model_is_freed_off_the_gui_thread(qtbot):
    """Freeing resnet1202's model takes the GUI thread 7–13 ms: the edit that makes it stale
    hands it to a pool thread."""
    freed_on: list[str] = []
    owner = QObject()
    owner.model = _Model(freed_on)
    workers.let_go(owner, "model")
    assert owner.model is None
    qtbot.waitUntil(lambda: bool(freed_on), timeout=5000)
    assert freed_on != [threading.main_thread().name]
    workers.let_go(owner, "model")  # nothing held: nothing to do


def test_a_result_nobody_takes_is_freed_off_the_gui_thread(qtbot):
    """A build cancelled while it runs (a newer edit came): its model is dropped where it was
    made."""
    gate, started = threading.Event(), threading.Event()
    freed_on: list[str] = []
    got: list = []

    def build():
        started.set()
        assert gate.wait(20), "the test never opened the gate"
        return _Model(freed_on)

    receiver = QObject()
    task = workers.start(build, got.append, got.append, receiver=receiver, kind="quick")
    assert started.wait(5)
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: bool(freed_on), timeout=5000)
    assert freed_on != [threading.main_thread().name]
    assert got == []

"""Run a function off the GUI thread and hear back on it (superqt's ``thread_worker``, pared down).

``start(fn, on_done, on_error)`` runs ``fn`` in the global QThreadPool; the result or the
exception comes back through a queued signal on the GUI thread. Tasks are kept alive until they
finish, and :func:`wait_all` joins them before the app exits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

_alive: set[Task] = set()


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as e:  # handed to the GUI thread (with its __traceback__), as a sentence
            self.signals.failed.emit(e)
        else:
            self.signals.done.emit(result)


def start(
    fn: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[Exception], None]
) -> Task:
    task = Task(fn)

    def finish(handler: Callable[[Any], None]) -> Callable[[Any], None]:
        def call(value: Any) -> None:
            _alive.discard(task)
            handler(value)

        return call

    task.signals.done.connect(finish(on_done))
    task.signals.failed.connect(finish(on_error))
    _alive.add(task)
    QThreadPool.globalInstance().start(task)
    return task


def wait_all(msecs: int = 30000) -> bool:
    """Join every running task (before the window goes); True if all finished in time."""
    return QThreadPool.globalInstance().waitForDone(msecs)


class Dispatcher(QObject):
    """Calls functions on the thread this object lives on (the GUI thread), from any thread:
    the run manager's ``dispatch``, so that trainers' reports change runs on the GUI thread."""

    _call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def __call__(self, fn: Callable[[], None]) -> None:
        self._call.emit(fn)

    @staticmethod
    def _run(fn: Callable[[], None]) -> None:
        fn()

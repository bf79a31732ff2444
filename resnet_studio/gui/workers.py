"""Background work: run a function off the GUI thread and hear back on it (superqt's
``thread_worker``, pared down).

- Two pools: ``QUICK`` for work that takes about a second (building the model, listing devices)
  and ``LONG`` for work that takes minutes (profiles, LR range tests, evaluations), so that a
  build never waits behind a profile.
- ``start(fn, on_done, on_error, receiver=obj)`` runs ``fn`` and hands its result or exception to
  the GUI thread, to the handlers, through a delivery object that is ``receiver``'s Qt child: once
  the receiver is deleted, nothing is delivered to it.
- :class:`Latest`: one task at a time where only the newest request matters ("latest request
  wins"); asking again, or :meth:`Latest.cancel`, drops what is in flight.
- Tasks are kept alive until they finish; :func:`wait_all` joins them before the app exits.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

QUICK = "quick"
LONG = "long"
_THREADS = {QUICK: 1, LONG: 2}  # this machine has two cores; torch has threads of its own

_pools: dict[str, QThreadPool] = {}
_alive: set[Task] = set()

Handler = Callable[[Any], None]


def pool(kind: str) -> QThreadPool:
    """The thread pool for ``kind`` (QUICK or LONG), made on first use."""
    if kind not in _pools:
        p = _pools[kind] = QThreadPool()
        p.setMaxThreadCount(_THREADS[kind])
    return _pools[kind]


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    """``fn`` on a pool thread; :meth:`cancel` drops its result (the function runs on unless
    it has not started yet)."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it: kept in _alive until delivered
        self.fn = fn
        self.signals = _Signals()
        self.cancelled = False
        self.settled: Callable[[], None] | None = None  # called on the GUI thread at the end

    def cancel(self) -> None:
        self.cancelled = True

    def run(self) -> None:
        # Qt's pool may keep this object's Python side alive after it ran (it took the runnable
        # when started): what the function holds (a view, a model) must not live on with it
        fn, self.fn = self.fn, _nothing
        if self.cancelled:
            self.signals.failed.emit(None)  # frees the delivery; nothing is handed on
            return
        try:
            result = fn()
        except Exception as e:  # handed to the GUI thread (with its __traceback__), as a sentence
            self.signals.failed.emit(e)
        else:
            if self.cancelled:  # nobody takes it: freed here, not on the GUI thread (a model)
                del result
                self.signals.failed.emit(None)
            else:
                self.signals.done.emit(result)
        del fn


class _Delivery(QObject):
    """The receiver's child that hands a task's outcome to its handlers on the GUI thread;
    deleted with the receiver, so an outcome never reaches a receiver that is gone."""

    def __init__(self, receiver: QObject, task: Task, on_done: Handler, on_error: Handler):
        super().__init__(receiver)
        self._task, self._on_done, self._on_error = task, on_done, on_error
        task.signals.done.connect(self._done)
        task.signals.failed.connect(self._failed)

    @Slot(object)
    def _done(self, value: Any) -> None:
        self._finish(self._on_done, value)

    @Slot(object)
    def _failed(self, error: Any) -> None:
        self._finish(self._on_error, error)

    def _finish(self, handler: Handler, value: Any) -> None:
        task = self._task
        _alive.discard(task)
        self._on_done = self._on_error = ignore  # what the handlers hold goes now
        self.deleteLater()
        settled, task.settled = task.settled, None
        task.signals.deleteLater()  # delivered: nothing more comes from this task
        if settled is not None:
            settled()
        if not task.cancelled:
            handler(value)


def _nothing() -> None:
    return None


def ignore(_: Any) -> None:
    """A handler for an outcome nobody needs (a device list that could not be read)."""
    pass


def start(
    fn: Callable[[], Any],
    on_done: Handler,
    on_error: Handler,
    *,
    receiver: QObject,
    kind: str = LONG,
) -> Task:
    """Run ``fn`` in the ``kind`` pool; ``on_done(result)`` or ``on_error(exception)`` follow on
    the GUI thread while ``receiver`` lives."""
    task = Task(fn)
    _Delivery(receiver, task, on_done, on_error)
    _alive.add(task)
    pool(kind).start(task)
    return task


class Latest:
    """One task at a time for ``receiver`` where only the newest request matters: asking while
    one runs keeps only the newest ask, which starts when the running one ends, and the running
    one's result is dropped. :meth:`cancel` drops both."""

    def __init__(self, receiver: QObject, kind: str = LONG) -> None:
        self._receiver = weakref.ref(receiver)
        self._kind = kind
        self._running: Task | None = None
        self._pending: tuple[Callable[[], Any], Handler, Handler] | None = None

    @property
    def busy(self) -> bool:
        return self._running is not None

    def submit(self, fn: Callable[[], Any], on_done: Handler, on_error: Handler) -> None:
        if self._running is not None:
            self._running.cancel()
            self._pending = (fn, on_done, on_error)
            return
        receiver = self._receiver()
        if receiver is None:
            return
        self._running = start(fn, on_done, on_error, receiver=receiver, kind=self._kind)
        self._running.settled = self._next

    def cancel(self) -> None:
        """Drop the pending request and the result of the running one."""
        self._pending = None
        if self._running is not None:
            self._running.cancel()

    def _next(self) -> None:
        self._running = None
        if self._pending is not None:
            ask, self._pending = self._pending, None
            self.submit(*ask)


def let_go(owner: object, attr: str) -> None:
    """Set ``owner.attr`` to None and free what it held on a pool thread (unless something else
    holds it too): freeing a built model, thousands of modules and hundreds of MB, takes the
    GUI thread 1–13 ms, in the middle of the edit that made the model stale."""
    held = [getattr(owner, attr)]
    setattr(owner, attr, None)
    if held[0] is not None:
        pool(QUICK).start(held.clear)


def wait_all(msecs: int = 30000) -> bool:
    """Join every running task (before the window goes); True if all finished in time."""
    done = all([p.waitForDone(msecs) for p in _pools.values()])
    if done:  # tasks whose receiver went before their outcome came
        for task in _alive:
            task.signals.deleteLater()
        _alive.clear()
    return done


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

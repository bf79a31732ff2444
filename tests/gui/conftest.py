"""A window fixture like napari's make_napari_viewer: made, closed, and checked for leaks.

Python's cycle collector stays on. After a test, its windows are closed and deleted; then the
fixture fails if a window's Python object outlives a collection (something still holds it: a
lambda capturing it connected to a child's signal, a listener never removed) or if a top-level
widget the test made is still there.
"""

import gc
import sys
import threading
import traceback
import weakref

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication


def _yes(active: int) -> bool:
    return True


def _delete_later_now() -> None:
    for _ in range(3):  # a deletion may post more of them (children, queued deliveries)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed  # its traceback holds its locals: no leak check then
    return report


@pytest.fixture(autouse=True)
def _garbage_after_each_test(qapp):
    """The collector stays on; after each test its deleted widgets go and their cycles are
    collected here, at a known moment, rather than at a random one in the next test."""
    yield
    _delete_later_now()
    gc.collect()


@pytest.fixture
def settle(qtbot):
    """``settle(value)``: wait until ``value()`` stops changing over a few turns of the event
    loop (a layout or a paint has happened), rather than a fixed time; returns the value."""

    def wait(value, turns: int = 3, timeout: int = 5000):
        seen = []

        def steady() -> bool:
            QApplication.processEvents()
            seen.append(value())
            return len(seen) >= turns and all(v == seen[-1] for v in seen[-turns:])

        qtbot.waitUntil(steady, timeout=timeout)
        return seen[-1]

    return wait


@pytest.fixture
def make_window(qtbot, tmp_path, request):
    from resnet_studio.gui import workers
    from resnet_studio.gui.window.main_window import MainWindow

    made = []
    before = set(map(id, QApplication.topLevelWidgets()))

    def make(settings_file: str = "settings.ini") -> MainWindow:
        settings = QSettings(str(tmp_path / settings_file), QSettings.Format.IniFormat)
        w = MainWindow(settings, tmp_path / "runs")  # runs of this test only
        # pytest-qt closes it first: a failed test must not leave a modal question open there
        qtbot.addWidget(w, before_close_func=_answer_yes)
        made.append(w)
        w.show()
        return w

    yield make
    windows = [weakref.ref(w) for w in made]
    # the test's own arguments (a fixture that returned a window) hold it until pytest is done
    funcargs = getattr(request.node, "funcargs", None) or {}
    for name, value in list(funcargs.items()):
        if any(value is w for w in made):
            funcargs[name] = None
    for w in made:
        w.close()
        w.deleteLater()
    del made[:], w
    if not workers.wait_all():
        pytest.fail(f"background work ran on 30 s after its window closed:\n{_our_stacks()}")
    _delete_later_now()
    gc.collect()
    _delete_later_now()
    if getattr(request.node, "call_failed", False):
        return  # the failure's traceback holds the test's windows; the failure says enough
    alive = [w() for w in windows if w() is not None]
    held = [_describe(r) for w in alive for r in gc.get_referrers(w) if r is not alive]
    assert not alive, f"{len(alive)} window(s) outlived the test, held by {held}"
    leaked = [w for w in QApplication.topLevelWidgets() if id(w) not in before]
    if leaked:  # naming them walks every object on the heap: seconds, so only on a failure
        ours = sorted({type(o).__name__ for o in gc.get_objects() if _our_widget(o)})
        pytest.fail(f"widgets left: {len(leaked)}, with these of ours still alive: {ours}")


def _our_stacks() -> str:
    """Where each other thread is in our code: the work that has not finished."""
    stacks = []
    for ident, frame in sys._current_frames().items():
        lines = traceback.format_stack(frame)
        if ident != threading.get_ident() and any("resnet_studio" in line for line in lines):
            stacks.append("".join(lines[-8:]))
    return "\n".join(stacks)


def _describe(referrer) -> str:
    """A referrer in words: a dict says whose attributes or which keys it holds."""
    if isinstance(referrer, dict):
        owners = [type(o).__name__ for o in gc.get_referrers(referrer) if hasattr(o, "__dict__")]
        return f"dict of {owners[:3]} with keys {list(referrer)[:6]}"
    return type(referrer).__name__


def _our_widget(o) -> bool:
    from PySide6.QtCore import QObject

    try:
        return isinstance(o, QObject) and type(o).__module__.startswith("resnet_studio.gui")
    except ReferenceError:
        return False


def _answer_yes(w) -> None:
    w.confirm_close = _yes

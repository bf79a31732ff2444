"""A window fixture like napari's make_napari_viewer: made, closed, and checked for leaks.

Python's cyclic garbage collector runs only between GUI tests, after their widgets are closed
and deleted: collected at a random moment (inside a widget's constructor, on a worker thread),
the wrappers of Qt and pyqtgraph objects left in cycles by an earlier test crashed the suite now
and then (a segmentation fault in MainWindow() under one test order in three).
"""

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication


def _yes(active: int) -> bool:
    return True


@pytest.fixture(autouse=True)
def _garbage_between_tests(qapp):
    gc.disable()
    yield
    # pytest-qt has closed the test's widgets by now: delete them, then collect their cycles;
    # what survives is frozen, so that the next collection looks at the next test's objects only
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    gc.enable()
    gc.collect()
    gc.freeze()


@pytest.fixture
def make_window(qtbot, tmp_path):
    from resnet_studio.gui import workers
    from resnet_studio.gui.main_window import MainWindow

    made = []
    before = set(map(id, QApplication.topLevelWidgets()))

    def make(settings_file: str = "settings.ini") -> MainWindow:
        settings = QSettings(str(tmp_path / settings_file), QSettings.Format.IniFormat)
        w = MainWindow(settings, tmp_path / "runs")  # runs of this test only
        # pytest-qt closes it first: a failed test must not leave a modal question open there
        qtbot.addWidget(w, before_close_func=lambda w: setattr(w, "confirm_close", _yes))
        made.append(w)
        w.show()
        return w

    yield make
    for w in made:
        w.close()
        w.deleteLater()
    workers.wait_all()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    leaked = [w for w in QApplication.topLevelWidgets() if id(w) not in before and w.isVisible()]
    assert not leaked, f"widgets left open: {leaked}"

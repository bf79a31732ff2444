"""A window fixture like napari's make_napari_viewer: made, closed, and checked for leaks."""

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication


def _yes(active: int) -> bool:
    return True


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

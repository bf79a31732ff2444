"""Controls stay where the user is about to click: what comes and goes moves nothing above it."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def test_start_stays_put_when_the_spec_is_adapted_to_the_data(make_window, qtbot):
    w = make_window()
    w.resize(1280 - 16, 720 - 40)
    w.tabs.setCurrentWidget(w.train)
    panel = w.train.panel
    panel.dataset.setCurrentText("digits")
    qtbot.waitUntil(lambda: panel.adapt.isVisible())  # an ImageNet spec for 8×8 digits
    QApplication.processEvents()
    start = panel.start.mapTo(w, panel.start.rect().topLeft())
    qtbot.mouseClick(panel.adapt, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.adapt.isVisible())
    assert w.spec.in_channels == 1 and not panel.fit.isVisible()
    QApplication.processEvents()
    assert panel.start.mapTo(w, panel.start.rect().topLeft()) == start

"""The mouse wheel scrolls a panel past its fields; a field takes the wheel once clicked into."""

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollBar, QWidget

from resnet_studio.gui.widgets.wheel_guard import is_field


def _wheel(widget: QWidget, notches: int = -1) -> None:
    """Turn the wheel ``notches`` (down when negative) with the pointer over ``widget``."""
    at = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        at,
        widget.mapToGlobal(at),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def _small_window(make_window, qtbot):
    w = make_window()
    w.resize(1280 - 16, 720 - 40)  # the spec panel scrolls
    qtbot.waitExposed(w)
    QApplication.processEvents()
    return w


def test_the_wheel_over_the_spec_panel_scrolls_past_its_combo_and_spin_boxes(make_window, qtbot):
    w = _small_window(make_window, qtbot)
    bar = w.spec_scroll.verticalScrollBar()
    assert bar.maximum() > 0
    pool, drop = w.panel.stem_pool, w.panel.drop_path_rate
    shortcut, blocks = w.panel.shortcut.currentText(), w.panel.stages[1][1]
    before = (pool.currentText(), drop.value(), shortcut, blocks.value())
    for field in (w.panel.stem_pool, w.panel.drop_path_rate, w.panel.shortcut, blocks):
        w.spec_scroll.ensureWidgetVisible(field)
        top = bar.value()
        _wheel(field, -1)
        assert bar.value() > top or bar.value() == bar.maximum(), type(field).__name__
        _wheel(field, 1)
        assert bar.value() < bar.maximum()  # and back up
    after = (pool.currentText(), drop.value(), w.panel.shortcut.currentText(), blocks.value())
    assert after == before
    assert w.spec.stem_pool == before[0]


def test_a_field_clicked_into_takes_the_wheel(make_window, qtbot):
    w = _small_window(make_window, qtbot)
    pool, blocks = w.panel.stem_pool, w.panel.stages[1][1]
    w.spec_scroll.ensureWidgetVisible(pool)
    bar = w.spec_scroll.verticalScrollBar()
    w.activateWindow()
    qtbot.mouseClick(blocks, Qt.MouseButton.LeftButton)  # into the spin box's text
    assert blocks.hasFocus()
    value, top = blocks.value(), bar.value()
    _wheel(blocks, 1)
    assert blocks.value() == value + 1
    assert bar.value() == top
    pool.setFocus(Qt.FocusReason.MouseFocusReason)  # a click opens its list; the focus counts
    index = pool.currentIndex()
    _wheel(pool, -1 if index == 0 else 1)
    assert pool.currentIndex() != index


def test_no_field_of_any_panel_takes_the_wheel_unfocused(make_window, qtbot):
    """Train, profile and inspect too: no field takes the focus by the wheel, and an unfocused
    one keeps its value under it."""
    w = _small_window(make_window, qtbot)
    for tab in range(w.tabs.count()):
        w.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
    fields = [f for f in w.findChildren(QWidget) if is_field(f)]
    assert not [f for f in w.findChildren(QScrollBar) if is_field(f)]
    wheel_focus = [f for f in fields if f.focusPolicy() == Qt.FocusPolicy.WheelFocus]
    assert not wheel_focus, wheel_focus
    w.explorer.pictures.setCurrentWidget(w.explorer.profile)
    tabs = ((w.train, w.train.panel), (w.explorer, w.explorer.profile), (w.inspect, w.inspect))
    for tab, panel in tabs:
        w.tabs.setCurrentWidget(tab)
        QApplication.processEvents()
        shown = [f for f in panel.findChildren(QWidget) if is_field(f) and f.isVisibleTo(w)]
        assert shown, type(panel).__name__
        for field in shown:
            if field.isEnabled() and not field.hasFocus():
                value = field.value() if hasattr(field, "value") else field.currentIndex()
                _wheel(field, -1)
                _wheel(field, -1)
                now = field.value() if hasattr(field, "value") else field.currentIndex()
                assert now == value, f"{type(panel).__name__}: {field.toolTip()}"

"""The wheel guard sits on the fields alone, not on the whole application."""

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QSpinBox, QWidget

from resnet_studio.gui.widgets import wheel_guard
from resnet_studio.gui.widgets.wheel_guard import WheelGuard, is_field


def _wheel(widget: QWidget) -> None:
    at = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        at,
        widget.mapToGlobal(at),
        QPoint(),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_guard_sees_the_events_of_fields_only(make_window, qtbot, monkeypatch):
    w = make_window()
    qtbot.waitExposed(w)
    seen: list[tuple[QObject, QEvent.Type]] = []

    class Counting(WheelGuard):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            seen.append((obj, event.type()))
            return super().eventFilter(obj, event)

    # the installed guard itself counts (patching a Qt class's method crashes PySide)
    guard = QApplication.style().wheel_guard
    monkeypatch.setattr(guard, "__class__", Counting)
    w.panel.preset.setCurrentText("resnet152")  # an edit: hundreds of events, few to fields
    QApplication.processEvents()
    viewport = w.explorer.tree.viewport()
    viewport.repaint()
    QApplication.sendEvent(viewport, QEvent(QEvent.Type.User))
    assert seen, "the guard saw no event of the fields that the edit changed"
    assert all(is_field(obj) for obj, _ in seen), {type(o).__name__ for o, _ in seen}
    seen.clear()
    _wheel(w.panel.stem_pool)
    assert seen == [(w.panel.stem_pool, QEvent.Type.Wheel)]


def test_a_field_made_after_the_window_is_guarded_too(make_window, qtbot):
    w = make_window()
    later = QSpinBox(w.explorer)  # a field made after the guard was installed
    later.show()
    QApplication.processEvents()
    assert later.focusPolicy() == Qt.FocusPolicy.StrongFocus
    value = later.value()
    _wheel(later)
    assert later.value() == value
    wheel_guard.install()  # again: nothing changes
    assert isinstance(QApplication.style(), wheel_guard.GuardingStyle)
    assert not isinstance(QApplication.style().baseStyle(), wheel_guard.GuardingStyle)

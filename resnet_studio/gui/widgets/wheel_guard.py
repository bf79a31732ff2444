"""The mouse wheel scrolls panels; it changes a field only once the user has clicked into it.

For every panel with fields (spec, train, profile, inspect) and any window opened later: a combo
box, spin box or slider that does not have the focus passes the wheel on to what holds it (the
panel's scroll area), so that scrolling past a field never changes it (stem pool "max" became
"none" under a passing wheel). Qt gives the wheel's focus to such a field as the wheel turns over
it (``Qt.WheelFocus``); fields here take the focus on a click or Tab instead
(``Qt.StrongFocus``).

The guard sits on the fields alone: the application's style (a proxy over the style in use) is
told of every widget as it is polished, and gives each field the guard as its event filter. An
application-wide filter did the same but ran Python for every event of every widget, some 800
per edit of the spec (1–2 ms of each repaint).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QProxyStyle,
    QScrollBar,
    QStyle,
    QWidget,
)

FIELDS = (QComboBox, QAbstractSpinBox, QAbstractSlider)


def is_field(obj: QObject) -> bool:
    """A control whose value the wheel changes (a scroll bar is not one: it scrolls)."""
    return isinstance(obj, FIELDS) and not isinstance(obj, QScrollBar)


class WheelGuard(QObject):
    """Sends a wheel over an unfocused field to the field's parents, as if it were not there."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not is_field(obj):
            return False
        assert isinstance(obj, QWidget) and isinstance(event, QWheelEvent)
        if obj.hasFocus():
            return False  # clicked into: the wheel is the field's
        # Qt passes an ignored wheel on to the parents only when it came from the mouse itself;
        # passing it on here does the same for every wheel event, synthesized ones included
        pos = event.position()
        parent = obj.parentWidget()
        offset = QPoint(obj.x(), obj.y())
        while parent is not None:
            pos += offset.toPointF()
            copy = QWheelEvent(
                pos,
                event.globalPosition(),
                event.pixelDelta(),
                event.angleDelta(),
                event.buttons(),
                event.modifiers(),
                event.phase(),
                event.inverted(),
                event.source(),
                event.pointingDevice(),
            )
            QCoreApplication.sendEvent(parent, copy)
            if copy.isAccepted() or parent.isWindow():
                break
            offset = QPoint(parent.x(), parent.y())
            parent = parent.parentWidget()
        event.accept()
        return True  # the field itself never sees it


def guard(field: QWidget, wheel_guard: WheelGuard) -> None:
    """Have ``field`` pass a wheel on unless clicked into (it takes the focus by click or Tab)."""
    if field.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    field.installEventFilter(wheel_guard)  # once: Qt moves a filter installed again to the front


class GuardingStyle(QProxyStyle):
    """The application's style as it was, which also guards each field as it is polished (once
    per widget, and again when the style or palette changes: no cost per event)."""

    def __init__(self, base: QStyle) -> None:
        super().__init__(base)  # takes the style in
        self.wheel_guard = WheelGuard(self)

    def polish(self, *args: Any) -> Any:  # noqa: ANN401 (Qt's three overloads)
        target = args[0]
        if isinstance(target, QWidget) and is_field(target):
            guard(target, self.wheel_guard)
        return super().polish(*args)


def install(app: QApplication | None = None) -> None:
    """Guard every field of ``app`` (the running application) from the passing wheel, once;
    before the fields are shown (they take their focus policy and guard as they are polished).
    The application keeps its style, wrapped: call again after setting another style."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    if not isinstance(app, QApplication) or isinstance(app.style(), GuardingStyle):
        return
    app.setStyle(GuardingStyle(app.style()))

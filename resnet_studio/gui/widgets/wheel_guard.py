"""The mouse wheel scrolls panels; it changes a field only once the user has clicked into it.

One application-wide event filter, for every panel with fields (spec, train, profile, inspect)
and any window opened later: a combo box, spin box or slider that does not have the focus passes
the wheel on to what holds it (the panel's scroll area), so that scrolling past a field never
changes it (stem pool "max" became "none" under a passing wheel). Qt gives the wheel's focus to
such a field as the wheel turns over it (``Qt.WheelFocus``); fields here take the focus on a
click or Tab instead (``Qt.StrongFocus``).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

FIELDS = (QComboBox, QAbstractSpinBox, QAbstractSlider)


def is_field(obj: QObject) -> bool:
    """A control whose value the wheel changes (a scroll bar is not one: it scrolls)."""
    return isinstance(obj, FIELDS) and not isinstance(obj, QScrollBar)


class WheelGuard(QObject):
    """Sends a wheel over an unfocused field to the field's parents, as if it were not there."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and is_field(obj):
            assert isinstance(obj, QWidget)
            if obj.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if kind != QEvent.Type.Wheel or not is_field(obj):
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


def install(app: QCoreApplication | None = None) -> None:
    """Guard every field of ``app`` (the running application) from the passing wheel, once;
    before the fields are shown (they take their focus policy as they are polished)."""
    app = app or QApplication.instance()
    if app is None or app.findChild(WheelGuard) is not None:
        return
    app.installEventFilter(WheelGuard(app))

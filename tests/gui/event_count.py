"""Counting the events of some kinds that a widget receives (paints, moves, style changes)."""

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class Events(QObject):
    def __init__(self, widget: QWidget, *kinds: QEvent.Type) -> None:
        super().__init__()
        self.count, self.kinds = 0, kinds or (QEvent.Type.Paint,)
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        self.count += event.type() in self.kinds
        return False

"""Layouts and labels that give way on small screens instead of cutting their contents.

:class:`FlowLayout` lays its widgets in a row and wraps them onto more rows when the row is
too narrow (Qt's flow-layout example), stretching each row to the full width; its minimum
width is its widest item, so a summary strip or a button bar never sets a window's minimum
width. :class:`ElidedLabel` shows what fits with "…" and the whole text as its tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapped onto new rows; each row's spare width goes to its items
    with a horizontal stretch (``stretch`` in :meth:`add`), or to all of them if none has one."""

    def __init__(
        self, parent: QWidget | None = None, spacing: int = 6, balanced: bool = False
    ) -> None:
        """``balanced``: wrapped rows hold equal numbers of items, rather than each row
        as many as fit."""
        super().__init__(parent)
        self.balanced = balanced
        self._items: list[QLayoutItem] = []
        self._stretch: list[int] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def add(self, widget: QWidget, stretch: int = 0) -> None:
        self.addWidget(widget)
        self._stretch[-1] = stretch

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt's name)
        self._items.append(item)
        self._stretch.append(0)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> Any:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> Any:  # noqa: N802
        if 0 <= index < len(self._items):
            self._stretch.pop(index)
            return self._items.pop(index)
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        """One row of every item at its preferred size."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i, _ in shown) + self._spacing * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i, _ in shown), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        """The widest item: every other item can wrap onto a row of its own."""
        size = QSize()
        for item, _ in self._shown():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _shown(self) -> list[tuple[QLayoutItem, int]]:
        shown = []
        for item, stretch in zip(self._items, self._stretch, strict=True):
            widget = item.widget()
            if widget is None or not widget.isHidden():
                shown.append((item, stretch))
        return shown

    def _arrange(self, rect: QRect, apply: bool) -> int:
        """Place the items in ``rect`` (if ``apply``); returns the height that takes."""
        m: QMargins = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        shown = self._shown()
        rows: list[list[tuple[QLayoutItem, int]]] = [[]]
        used = 0
        for item, stretch in shown:
            w = item.sizeHint().width()
            if rows[-1] and used + self._spacing + w > area.width():
                rows.append([])
                used = 0
            used += (self._spacing if rows[-1] else 0) + w
            rows[-1].append((item, stretch))
        if self.balanced and len(rows) > 1:
            rows = self._balance(shown, len(rows), area.width()) or rows
        y = area.y()
        for row in rows:
            if not row:
                continue
            height = max(i.sizeHint().height() for i, _ in row)
            if apply:
                self._place_row(row, QPoint(area.x(), y), area.width(), height)
            y += height + self._spacing
        return y - self._spacing - area.y() + m.top() + m.bottom()

    def _balance(
        self, shown: list[tuple[QLayoutItem, int]], count: int, width: int
    ) -> list[list[tuple[QLayoutItem, int]]]:
        """The items in ``count`` or more rows of equal length (3 + 3, not 5 + 1), if they fit."""
        for n in range(count, len(shown) + 1):
            per_row = -(-len(shown) // n)
            rows = [shown[i : i + per_row] for i in range(0, len(shown), per_row)]
            if all(
                sum(i.sizeHint().width() for i, _ in row) + self._spacing * (len(row) - 1) <= width
                for row in rows
            ):
                return rows
        return []

    def _place_row(
        self, row: list[tuple[QLayoutItem, int]], at: QPoint, width: int, height: int
    ) -> None:
        widths = [min(i.sizeHint().width(), width) for i, _ in row]
        spare = width - sum(widths) - self._spacing * (len(row) - 1)
        weights = [s for _, s in row] if any(s for _, s in row) else [1] * len(row)
        total = sum(weights)
        if spare > 0:
            for k, wt in enumerate(weights):
                widths[k] += spare * wt // total
        x = at.x()
        for (item, _), w in zip(row, widths, strict=True):
            item.setGeometry(QRect(x, at.y(), w, height))
            x += w + self._spacing


class ElidedLabel(QLabel):
    """A one-line label that shrinks to a few characters, eliding with "…"; its tooltip then
    holds the whole text, or ``tip`` (always shown) where one is given."""

    def __init__(self, text: str = "", parent: QWidget | None = None, tip: str = "") -> None:
        super().__init__(text, parent)
        self.tip = tip
        self.setToolTip(tip)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(
            self.fontMetrics().horizontalAdvance("…") * 4, super().minimumSizeHint().height()
        )

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        text = self.text()
        shown = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, self.width())
        self.setToolTip(self.tip or (text if shown != text else ""))
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.rect(), int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)

"""A tab widget that repaints its page only when its own layout changes.

Qt's QTabWidget answers every LayoutRequest by laying out its tab bar and page again and
repainting itself whole, page included (``QTabWidget::setUpLayout`` ends in ``update()``). A
layout request reaches it whenever anything on the page changes its size hint, and a QLabel
asks for one on every ``setText``: so each edit of the spec, which sets the Explorer's title and
figures, repainted the whole Explorer page a second time, just after the paint of what had
changed (issue 20). Here the request is passed on to the parent, as Qt does, but the tab
widget lays out and repaints only when what its layout depends on has changed: its size, its
tab bar's size hint, its corner widgets'.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QTabWidget


class SteadyTabs(QTabWidget):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._laid_out: tuple[object, ...] | None = None  # what the last layout was made for

    def _layout_key(self) -> tuple[object, ...]:
        bar = self.tabBar()
        corners = (
            self.cornerWidget(c) for c in (Qt.Corner.TopLeftCorner, Qt.Corner.TopRightCorner)
        )
        return (
            self.size(),
            bar.sizeHint(),
            bar.isVisibleTo(self),
            *(c.sizeHint() if c is not None and c.isVisible() else QSize() for c in corners),
        )

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.LayoutRequest and self.isVisible():
            key = self._layout_key()
            if key == self._laid_out:
                self.updateGeometry()  # the page's size hints may have changed: the parent's
                return True
            self._laid_out = key
        return super().event(e)

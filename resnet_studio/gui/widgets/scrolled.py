"""A panel of fields in a scroll area that is never narrower than the panel: on a short screen
the panel scrolls down rather than squash its rows into each other, and it is never clipped on
the side."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QStyle, QWidget


def scrolled(panel: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    bar = area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
    area.setMinimumWidth(panel.minimumSizeHint().width() + bar + 2 * area.frameWidth())
    return area

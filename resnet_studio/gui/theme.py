"""Light or dark, as the desktop says: Qt 6.5's colour scheme (or, where the platform does not
say, the palette's window colour), with the pyqtgraph plots following it.

Qt's widgets follow the scheme through the style's palette; pyqtgraph draws with colours of its
own, so :func:`apply` re-colours every plot's background, axes and title, and sets the colours
that plots made later start with. The diagram keeps its white page, like a printed figure.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

LIGHT = ("w", "#333333")  # background, foreground
DARK = ("#1e1f22", "#d4d4d4")


def is_dark() -> bool:
    scheme = QApplication.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return QApplication.palette().window().color().lightness() < 128


def apply(dark: bool | None = None) -> None:
    """Colour the plots for ``dark`` (None: as the desktop is)."""
    background, foreground = DARK if (is_dark() if dark is None else dark) else LIGHT
    pg.setConfigOptions(background=background, foreground=foreground)
    for widget in QApplication.allWidgets():
        if isinstance(widget, pg.PlotWidget):
            widget.setBackground(background)
            plot = widget.getPlotItem()
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(foreground)
                axis.setTextPen(foreground)
            title = plot.titleLabel
            title.setText(title.text, color=foreground)


def follow_desktop() -> None:
    """Re-colour the plots whenever the desktop switches between light and dark."""
    QApplication.styleHints().colorSchemeChanged.connect(lambda _: apply())

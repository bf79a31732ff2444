"""Light or dark, as the desktop says: Qt 6.5's colour scheme (or, where the platform does not
say, the palette's window colour), with the pyqtgraph plots following it.

Qt's widgets follow the scheme through the style's palette; pyqtgraph draws with colours of its
own, so :func:`apply` re-colours a window's plots (background, axes and title) and sets the
colours that plots made later start with; the window calls it again when the scheme changes.
The diagram keeps its white page, like a printed figure.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

LIGHT = ("w", "#333333")  # background, foreground
DARK = ("#1e1f22", "#d4d4d4")
pg.setConfigOptions(antialias=True, background=LIGHT[0], foreground=LIGHT[1])  # until apply()


def is_dark() -> bool:
    scheme = QApplication.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return QApplication.palette().window().color().lightness() < 128


def apply(root: QWidget, dark: bool | None = None) -> None:
    """Colour the plots inside ``root`` for ``dark`` (None: as the desktop is), and the plots
    made later. Only ``root``'s own: a widget of a closed window may be half deleted."""
    background, foreground = DARK if (is_dark() if dark is None else dark) else LIGHT
    pg.setConfigOptions(background=background, foreground=foreground)
    for widget in root.findChildren(pg.PlotWidget):
        widget.setBackground(background)
        plot = widget.getPlotItem()
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(foreground)
            axis.setTextPen(foreground)
        title = plot.titleLabel
        title.setText(title.text, color=foreground)
        legend = getattr(plot, "outside_legend", None)
        if legend is not None:
            legend.setLabelTextColor(foreground)

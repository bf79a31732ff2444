"""Light or dark, as the desktop says: Qt 6.5's colour scheme (or, where the platform does not
say, the palette's window colour), with the pyqtgraph plots following it.

Qt's widgets follow the scheme through the style's palette; pyqtgraph draws with colours of its
own, so :func:`apply` re-colours a window's plots (background, axes, titles and legends) and
sets the colours that plots made later start with; the window calls it again when the scheme
changes. The diagram keeps its white page, like a printed figure.

Where the desktop says nothing (Qt's offscreen platform, some X11 desktops), ``RESNET_STUDIO_THEME
=dark`` (or ``light``) chooses, through :func:`use`: Fusion's palette in dark or light colours.
``make screenshots`` takes both pictures this way.
"""

from __future__ import annotations

import os

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# Colours that mean something, in one place: the views take them from here.
OK = "#3c9a47"  # a check that passed (the built model agrees with the analysis)
ERROR = "#c62828"  # a failure: a failed run, a message that must be read
ERROR_TEXT = "#c9302c"  # a sentence about a mistake, under the control
INVALID_TINT = "#fde8e7"  # a control holding an invalid value (a tint keeps its arrows)
INVALID_TEXT = "#a31b17"
RUNNING = "#1565c0"
FINISHED = "#2e7d32"
UNREADABLE = "#8d6e63"
MUTED = "#777"  # secondary text: a key, a folder
NOTE_BACKGROUND, NOTE_TEXT = "#fff4ce", "#6b5900"  # a pale bar that says something changed
NOTE_DARK_TEXT = "#3b3000"  # text on that bar that stays dark in dark mode too
DIFF, DARK_DIFF = "#fff2c4", "#4d4221"  # compared values that differ
STAGE_ROW, DARK_STAGE_ROW = "#eef1f5", "#34373c"  # a stage's rollup row
# one colour per network or run, in order
SERIES = ["#2f6db3", "#e07b22", "#3a9b48", "#b8312f", "#7b52ab", "#8c6d31", "#d45d9f"]
NOTE_STYLE = f"background: {NOTE_BACKGROUND}; color: {NOTE_TEXT}; padding: 4px;"

LIGHT = ("w", "#333333")  # background, foreground
DARK = ("#1e1f22", "#d4d4d4")
ENVIRONMENT = "RESNET_STUDIO_THEME"
pg.setConfigOptions(antialias=True, background=LIGHT[0], foreground=LIGHT[1])  # until apply()


def is_dark() -> bool:
    scheme = QApplication.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown and not os.environ.get(ENVIRONMENT):
        return scheme == Qt.ColorScheme.Dark
    return QApplication.palette().window().color().lightness() < 128


def dark_palette() -> QPalette:
    """Fusion's colours in the dark, as Qt's own dark scheme gives them."""
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    for r, c in (
        (role.Window, "#2b2d30"),
        (role.WindowText, "#dfe1e5"),
        (role.Base, "#1e1f22"),
        (role.AlternateBase, "#26282b"),
        (role.ToolTipBase, "#3c3f41"),
        (role.ToolTipText, "#dfe1e5"),
        (role.PlaceholderText, "#8c8f94"),
        (role.Text, "#dfe1e5"),
        (role.Button, "#3c3f41"),
        (role.ButtonText, "#dfe1e5"),
        (role.BrightText, "#ff6b68"),
        (role.Light, "#4a4d50"),
        (role.Midlight, "#3f4245"),
        (role.Mid, "#9a9da1"),
        (role.Dark, "#1b1c1e"),
        (role.Shadow, "#000000"),
        (role.Highlight, "#2f65ca"),
        (role.HighlightedText, "#ffffff"),
        (role.Link, "#589df6"),
    ):
        p.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#6f737a"))
    return p


def use(app: QApplication, dark: bool) -> None:
    """Dark or light colours for the whole application (Fusion's palette), whatever the
    desktop says; windows then call :func:`apply` for their plots."""
    os.environ[ENVIRONMENT] = "dark" if dark else "light"
    app.setPalette(dark_palette() if dark else app.style().standardPalette())


def use_environment(app: QApplication) -> None:
    """Follow ``RESNET_STUDIO_THEME`` (dark or light) when it is set."""
    choice = os.environ.get(ENVIRONMENT, "").strip().lower()
    if choice in ("dark", "light"):
        use(app, choice == "dark")


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

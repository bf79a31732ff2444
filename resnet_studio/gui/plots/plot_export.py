"""Figures for papers and slides: plots without the controls around them, at a chosen size and
DPI, as PNG or SVG, legends included.

:func:`figure_bytes` lays the given pyqtgraph plots out side by side at the figure's size,
paints them into an image or an SVG, and puts them back as they were (before the event loop
runs again, so nothing moves on screen). The DPI scales the drawing: at 192 dpi a 1920×1080
figure is a 960×540 layout drawn at twice the resolution, so its text reads at the same size
on a slide as the window's does on screen; a PNG records its DPI too. SVG goes through Qt's
QSvgGenerator (pyqtgraph's SVG exporter fails on Qt 6.12's path output), with text as text.
:class:`FigureDialog` asks for the size, the DPI and the format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QEvent, QIODevice, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from resnet_studio.atomic import atomic_write_bytes

SIZES = {  # the dialog's choices; None: the size the plots have on screen
    "As shown": None,
    "Slide, 16:9 (1920×1080)": (1920, 1080),
    "Slide, 16:9 (1600×900)": (1600, 900),
    "Paper, 3:2 (1200×800)": (1200, 800),
    "Square (1000×1000)": (1000, 1000),
}
SLIDE = (1920, 1080)
SCREEN_DPI = 96.0
SLIDE_DPI = 144
IGNORE_ASPECT = Qt.AspectRatioMode.IgnoreAspectRatio  # the source is the target's size already


def _paint(plots: Sequence[pg.PlotItem], painter: QPainter, size: tuple[int, int], dpi: float):
    """Paint ``plots`` side by side over ``size`` pixels, each laid out at its share of the
    figure's logical size, then give each its own size back."""
    scale = dpi / SCREEN_DPI
    w, h = size[0] / scale, size[1] / scale
    cell = w / len(plots)
    background = pg.mkColor(pg.getConfigOption("background"))
    painter.fillRect(QRectF(0, 0, size[0], size[1]), background)
    for i, plot in enumerate(plots):
        old = plot.size()
        _lay_out(plot, QSizeF(cell, h))
        try:
            painter.save()
            painter.translate(i * cell * scale, 0)
            painter.scale(scale, scale)
            source = QRectF(plot.mapToScene(0, 0), QSizeF(cell, h))
            plot.scene().render(painter, QRectF(0, 0, cell, h), source, IGNORE_ASPECT)
            painter.restore()
        finally:
            _lay_out(plot, old)


def _lay_out(plot: pg.PlotItem, size: QSizeF) -> None:
    legend = getattr(plot, "outside_legend", None)
    if legend is not None:  # its columns first: they set how narrow the plot can be
        legend.fit(size.width())
    plot.resize(size)
    QApplication.sendPostedEvents(plot, QEvent.Type.LayoutRequest)
    plot.layout.activate()
    plot.vb.prepareForPaint()  # its range fitted to its new size now, before the axes draw
    for axis in plot.axes.values():
        axis["item"].picture = None


def figure_bytes(
    plots: Sequence[pg.PlotItem],
    fmt: str,
    width: int,
    height: int,
    dpi: float = SCREEN_DPI,
    title: str = "",
) -> bytes:
    """``plots`` side by side as a ``width``×``height`` PNG or SVG (``fmt``)."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if fmt == "svg":
        gen = QSvgGenerator()
        gen.setOutputDevice(buf)
        gen.setSize(QSizeF(width, height).toSize())
        gen.setViewBox(QRectF(0, 0, width, height))
        gen.setTitle(title)
        painter = QPainter(gen)
        _paint(plots, painter, (width, height), dpi)
        painter.end()
    else:
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)  # at the screen's DPI: text is laid out as on screen
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        _paint(plots, painter, (width, height), dpi)
        painter.end()
        per_metre = round(dpi / 0.0254)  # then the DPI, for the programs that read it
        image.setDotsPerMeterX(per_metre)
        image.setDotsPerMeterY(per_metre)
        image.save(buf, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; takes str
    return bytes(buf.data().data())


def write_figure(
    plots: Sequence[pg.PlotItem],
    path: str,
    width: int,
    height: int,
    dpi: float = SCREEN_DPI,
    title: str = "",
) -> None:
    """:func:`figure_bytes` to ``path`` (SVG for .svg, else PNG), written atomically."""
    fmt = "svg" if path.lower().endswith(".svg") else "png"
    atomic_write_bytes(path, figure_bytes(plots, fmt, int(width), int(height), dpi, title))


class FigureDialog(QDialog):
    """Size, DPI and format of a figure."""

    def __init__(self, title: str, shown: tuple[int, int], default: tuple[int, int] | None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.shown = shown
        form = QFormLayout(self)
        self.size_choice = QComboBox()
        self.size_choice.addItems(list(SIZES))
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box in (self.width_box, self.height_box):
            box.setRange(100, 8000)
            box.setSuffix(" px")
        pixels = QHBoxLayout()
        pixels.addWidget(self.width_box)
        pixels.addWidget(QLabel("×"))
        pixels.addWidget(self.height_box)
        self.dpi = QSpinBox()
        self.dpi.setRange(48, 600)
        self.dpi.setValue(int(SCREEN_DPI))
        self.dpi.setToolTip(
            "96: text as on screen; 192: the same figure drawn at twice the resolution (text "
            "and lines twice as many pixels); recorded in a PNG"
        )
        self.format = QComboBox()
        self.format.addItems(["PNG", "SVG"])
        self.format.setToolTip("SVG keeps lines and text as vectors, for papers and editing")
        form.addRow("Size", self.size_choice)
        form.addRow("Pixels", pixels)
        form.addRow("DPI", self.dpi)
        form.addRow("Format", self.format)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.size_choice.currentTextChanged.connect(self._chosen)
        choice = next((k for k, v in SIZES.items() if v == default), "As shown")
        self.size_choice.setCurrentText(choice)
        self._chosen(choice)

    def _chosen(self, name: str) -> None:
        w, h = SIZES.get(name) or self.shown
        self.width_box.setValue(w)
        self.height_box.setValue(h)
        # a slide is seen from afar: its text half as large again as on screen
        self.dpi.setValue(SLIDE_DPI if name.startswith("Slide") else int(SCREEN_DPI))

    def choice(self) -> tuple[int, int, int, str]:
        """(width, height, dpi, suffix)."""
        suffix = ".svg" if self.format.currentText() == "SVG" else ".png"
        return self.width_box.value(), self.height_box.value(), self.dpi.value(), suffix


def ask_and_export(
    parent: QWidget,
    title: str,
    shown: tuple[int, int],
    start: Path,
    write: Callable[[str, int, int, int], None],
    default: tuple[int, int] | None = None,
) -> str | None:
    """Ask for the size, DPI and format, then for the file; ``write(path, w, h, dpi)``. The
    path written, or None when the user cancels."""
    dialog = FigureDialog(title, shown, default, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    w, h, dpi, suffix = dialog.choice()
    kind = "SVG (*.svg)" if suffix == ".svg" else "PNG (*.png)"
    path, _ = QFileDialog.getSaveFileName(parent, title, str(start.with_suffix(suffix)), kind)
    if not path:
        return None
    if Path(path).suffix.lower() not in (".png", ".svg"):
        path += suffix
    write(path, w, h, dpi)
    return path


def shown_size(widgets: Sequence[Any]) -> tuple[int, int]:
    """The plots' size on screen, side by side."""
    return sum(w.width() for w in widgets), max(w.height() for w in widgets)

"""The diagram as files: SVG (shapes, paths and <text>: every shape and name stays searchable
text) and PNG at a chosen scale, both through the one painter, written atomically."""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from resnet_studio.atomic import atomic_write_bytes
from resnet_studio.core.diagram_items import Diagram
from resnet_studio.gui.diagram.diagram_paint import paint_diagram

MAX_PNG_SIDE = 32000  # QPainter's raster engine draws nothing beyond 32767 pixels


class DiagramTooLarge(ValueError):
    """A PNG larger than the painter can draw; the message says what would work."""


def diagram_svg(d: Diagram, title: str = "") -> bytes:
    """The diagram as SVG: rectangles, paths and <text> elements (the text stays text)."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setResolution(96)  # one diagram unit is one CSS pixel, as on screen at 100%
    gen.setSize(QSize(int(d.width + 0.5), int(d.height + 0.5)))
    gen.setViewBox(QRectF(0, 0, d.width, d.height))
    gen.setTitle(title or "ResNet Studio diagram")
    gen.setDescription("Drawn by ResNet Studio from its analysis of the network")
    p = QPainter(gen)
    paint_diagram(p, d)
    p.end()
    return bytes(buf.data().data())  # a copy, as bytes (the stubs allow a view too)


def _png_size(d: Diagram, scale: float) -> tuple[int, int]:
    return int(d.width * scale + 0.5), int(d.height * scale + 0.5)


def largest_png_scale(d: Diagram) -> float:
    """The largest scale, in hundredths, whose PNG can be drawn (0.0 when not even 0.01):
    rounded down, so that the scale a refusal names is one that is then accepted."""
    most = math.floor(100 * MAX_PNG_SIDE / max(d.width, d.height, 1e-9)) / 100
    while most > 0 and max(_png_size(d, most)) > MAX_PNG_SIDE:
        most = round(most - 0.01, 2)
    return max(most, 0.0)


def check_png_scale(d: Diagram, scale: float) -> None:
    """Raise DiagramTooLarge, naming the largest scale that works, for a PNG too large to draw."""
    if not scale > 0:
        raise DiagramTooLarge(f"the scale must be more than 0, not {scale:g}")
    w, h = _png_size(d, scale)
    if max(w, h) > MAX_PNG_SIDE:
        most = largest_png_scale(d)
        advice = (
            f"use a scale of at most {most:.2f} or save it as SVG" if most else "save it as SVG"
        )
        raise DiagramTooLarge(
            f"a PNG at scale {scale:g} would be {w:,}×{h:,} pixels, more than "
            f"{MAX_PNG_SIDE:,} across; {advice}"
        )


def diagram_png(d: Diagram, scale: float = 2.0) -> bytes:
    """The diagram as PNG at ``scale`` pixels per diagram pixel; raises DiagramTooLarge when
    the picture would be too large to draw."""
    check_png_scale(d, scale)
    w, h = _png_size(d, scale)
    image = QImage(max(w, 1), max(h, 1), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDotsPerMeterX(int(3780 * scale))  # 96 dpi at scale 1: text keeps its size
    image.setDotsPerMeterY(int(3780 * scale))
    image.fill(Qt.GlobalColor.white)
    p = QPainter(image)
    p.scale(scale, scale)
    paint_diagram(p, d)
    p.end()
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")  # type: ignore[call-overload]  # PySide's stubs say bytes; it takes str
    return bytes(buf.data().data())  # a copy, as bytes (the stubs allow a view too)


def write_diagram(d: Diagram, path: str, scale: float = 2.0, title: str = "") -> None:
    """``d`` as SVG or PNG by the path's suffix, written atomically; a wrong suffix or a PNG
    too large to draw is a ValueError with one sentence."""
    suffix = Path(path).suffix.lower()
    if suffix == ".svg":
        data = diagram_svg(d, title)
    elif suffix == ".png":
        data = diagram_png(d, scale)
    else:
        raise ValueError(f"a diagram is saved as .svg or .png, not '{suffix or Path(path).name}'")
    atomic_write_bytes(path, data)

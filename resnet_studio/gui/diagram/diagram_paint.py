"""Paints a core :class:`~resnet_studio.core.diagram_items.Diagram` with a QPainter: on screen
(the diagram view) and into SVG and PNG (:mod:`.diagram_export`).

One painter for all three, so an export is exactly what the window shows. The colours are
muted and tell kinds apart (3×3 convs blue, 1×1 green, pools grey, the classifier purple;
shortcuts grey for identity, orange for 1×1 conv + BN, purple for 1×1 conv, dashed for zero
padding), and the selection is the one strong colour.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

from resnet_studio.core import diagram_style as style
from resnet_studio.core.diagram_items import (
    BADGE_PX,
    TEXT_PX,
    Box,
    Diagram,
    Edge,
    Fold,
    Join,
    Label,
    LegendEntry,
    Shortcut,
    Tensor,
)

LEGIBLE_PX = 4.0  # on screen, smaller text is left out: it would be grey noise (zoom in)

# the colours and text styles are plain data shared with the Qt-free SVG writer
INK, GREY, FAINT, BAND = (QColor(c) for c in (style.INK, style.GREY, style.FAINT, style.BAND))
ACCENT = QColor("#d1495b")  # the selection
HOVER = QColor("#1f6fb2")
ROW_SELECTED = QColor(255, 236, 200, 110)
TENSOR_COLOURS = style.TENSOR_COLOURS  # tensor kind -> (fill, outline)
SHORTCUT_STYLES = style.SHORTCUT_STYLES  # shortcut kind -> (pen colour, dashed, op fill)
_LABEL_STYLE = style.LABEL_STYLE  # role -> (px, bold, colour)
_wrappings = style.wrappings


def _kind(t: Tensor) -> str:
    return style.tensor_kind(t.kind, t.text)


class _Fonts:
    """Fonts in pixels of the diagram, whatever the device's resolution (screen, SVG, PNG)."""

    def __init__(self, p: QPainter, detail: float) -> None:
        dpi = p.device().logicalDpiY() or 96
        self.cache: dict[tuple[float, bool], QFont] = {}
        self.metric_cache: dict[int, QFontMetricsF] = {}
        self.device = p.device()
        self.points_per_px = 72.0 / dpi
        self.detail = detail  # device pixels per diagram pixel

    def metrics(self, font: QFont) -> QFontMetricsF:
        key = id(font)
        if key not in self.metric_cache:
            self.metric_cache[key] = QFontMetricsF(font, self.device)
        return self.metric_cache[key]

    def legible(self, px: float) -> bool:
        return px * self.detail >= LEGIBLE_PX

    def get(self, px: float, bold: bool = False) -> QFont:
        key = (px, bold)
        if key not in self.cache:
            f = QFont()
            f.setFamilies(["DejaVu Sans", "Helvetica", "Arial", "sans-serif"])
            f.setPointSizeF(px * self.points_per_px)
            f.setBold(bold)
            f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
            self.cache[key] = f
        return self.cache[key]


def _rect(b: Box) -> QRectF:
    return QRectF(b.x, b.y, b.w, b.h)


_PENS: dict[tuple[int, float, bool], QPen] = {}


def _pen(colour: QColor | str, width: float = 1.0, dashed: bool = False) -> QPen:
    """A pen, made once per colour, width and dash (a repaint asks for a thousand)."""
    colour = QColor(colour)
    key = (colour.rgba(), width, dashed)
    if key not in _PENS:
        _PENS[key] = _make_pen(colour, width, dashed)
    return _PENS[key]


def _make_pen(colour: QColor, width: float, dashed: bool) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(False)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    if dashed:
        pen.setDashPattern([4, 3])
    return pen


_EDGE_PEN = _make_pen(GREY, 1.1, False)


def paint_diagram(
    p: QPainter,
    d: Diagram,
    clip: QRectF | None = None,
    selected: Collection[Any] = (),
    hover: Any = None,
    selected_row: int | None = None,
    detail: float = 1.0,
) -> None:
    """Paint ``d`` (the part in ``clip``, if given); ``selected`` and ``hover`` are items of it.
    ``detail`` is the zoom: text too small to read at it is left out (exports draw it all)."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    fonts = _Fonts(p, detail)
    area = clip or QRectF(0, 0, d.width, d.height)
    p.fillRect(area, Qt.GlobalColor.white)
    sel = {id(x) for x in selected}
    hov = id(hover) if hover is not None else None
    if d.rows:
        top = d.headers[-1].box.y - 4 if d.headers else 0
        bottom = d.rows[-1].box.bottom + 6
        for i, c in enumerate(d.columns):
            if i % 2 == 1:
                p.fillRect(QRectF(c.x, top, c.w, bottom - top), BAND)
    for label in d.headers:
        _text(p, fonts, label)
    x0, x1 = area.left() - 60, area.right() + 60  # items this close may still reach in
    for row in d.rows:
        if not _rect(row.box).intersects(area):
            continue
        if selected_row == row.index and len(d.rows) > 1:
            p.fillRect(_rect(row.box), ROW_SELECTED)
        _edges(p, [e for e in row.edges if e.x1 >= x0 and e.x0 <= x1])
        for b in row.blocks:
            if b.box.right >= x0 and b.box.x <= x1:
                _shortcut(p, fonts, b.shortcut, id(b.shortcut) in sel, id(b.shortcut) == hov)
        for t in row.tensors:
            if t.box.right >= x0 and t.box.x <= x1:
                _tensor(p, fonts, t, id(t) in sel, id(t) == hov)
        for b in row.blocks:
            if b.box.right >= x0 and b.box.x <= x1:
                _join(p, b.join, id(b.join) in sel, id(b.join) == hov)
        for e in row.edges:
            if e.label and e.label.box.right >= x0 and e.label.box.x <= x1:
                _text(p, fonts, e.label)
        for label in row.labels:
            _text(p, fonts, label, id(label) == hov)
        for f in row.folds:
            if f.box.right >= x0 and f.box.x <= x1:
                _fold(p, fonts, f, id(f) == hov)
    for entry in d.legend:
        _legend(p, fonts, entry)
    for label in d.notes:
        _text(p, fonts, label)


def _edges(p: QPainter, edges: list[Edge]) -> None:
    """The arrows of the main path: one call for the lines and one for the heads (an arrow at a
    time cost a resnet18 repaint 1.7 ms)."""
    if not edges:
        return
    p.setPen(_EDGE_PEN)
    p.drawLines([QLineF(e.x0, e.y, e.x1 - 3, e.y) for e in edges])
    heads = QPainterPath()
    for e in edges:
        heads.addPolygon(_head(QPointF(e.x1, e.y), 0))
        heads.closeSubpath()
    p.fillPath(heads, GREY)


def _head(tip: QPointF, angle: int) -> QPolygonF:
    """An arrow's head at ``tip``, pointing right (0) or down (90)."""
    if angle == 0:
        pts = [tip, QPointF(tip.x() - 4.5, tip.y() - 2.6), QPointF(tip.x() - 4.5, tip.y() + 2.6)]
    else:
        pts = [tip, QPointF(tip.x() - 2.6, tip.y() - 4.5), QPointF(tip.x() + 2.6, tip.y() - 4.5)]
    return QPolygonF(pts)


def _arrow(p: QPainter, tip: QPointF, angle: int, colour: QColor = GREY) -> None:
    """A small filled head at ``tip`` pointing right (0) or down (90)."""
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawPolygon(_head(tip, angle))
    p.setBrush(Qt.BrushStyle.NoBrush)


class _Look:
    """A tensor kind's pens and brushes, made once (a repaint draws dozens of tensors)."""

    def __init__(self, fill: str, line: str) -> None:
        f, ln = QColor(fill), QColor(line)
        self.fill, self.behind = f, f.lighter(104)
        self.pen, self.dashed = _pen(ln, 1.0), _pen(ln, 1.0, dashed=True)
        self.behind_pen = _pen(ln.lighter(130), 0.8)
        self.bn, self.text = ln.lighter(115), ln.darker(160)


_LOOKS: dict[str, _Look] = {}


def _look(kind: str) -> _Look:
    if kind not in _LOOKS:
        _LOOKS[kind] = _Look(*TENSOR_COLOURS[kind])
    return _LOOKS[kind]


def _tensor(p: QPainter, fonts: _Fonts, t: Tensor, selected: bool, hover: bool) -> None:
    look = _look(_kind(t))
    r = _rect(t.box)
    if t.stacked:  # a folded run: the copies behind
        for k in (2, 1):
            p.setPen(look.behind_pen)
            p.setBrush(look.behind)
            p.drawRect(r.translated(2.5 * k, -2.5 * k))
    p.setPen(look.dashed if t.kind == "input" else look.pen)
    p.setBrush(look.fill)
    p.drawRect(r)
    if t.bn and r.width() > 6:  # batch norm: a strip along the box's right side
        p.fillRect(QRectF(r.right() - 2.5, r.top() + 0.5, 2, r.height() - 1), look.bn)
    if selected or hover:
        p.setPen(_pen(ACCENT if selected else HOVER, 2.2 if selected else 1.6))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(r.adjusted(-1.5, -1.5, 1.5, 1.5))
    _inside(p, fonts, r.adjusted(0, 0, -2.5 if t.bn else 0, 0), t.text, look.text)


def _inside(p: QPainter, fonts: _Fonts, r: QRectF, text: str, colour: QColor) -> None:
    """``text`` inside ``r``: along a tall box, across a wide one, on two lines if it must,
    or not at all (the tooltip has it)."""
    if not fonts.legible(TEXT_PX):
        return
    p.setFont(fonts.get(TEXT_PX))
    key = (text, r.width(), r.height(), fonts.points_per_px)
    if key not in _PLACED:  # the same few boxes are painted again on every repaint
        if len(_PLACED) > 4096:
            _PLACED.clear()
        _PLACED[key] = _place(p.fontMetrics().horizontalAdvance, r, text)
    placed = _PLACED[key]
    if placed is None:
        return
    rotated, lines, need = placed
    p.setPen(colour)
    if rotated:
        p.save()
        p.translate(r.center())
        p.rotate(-90)
        box = QRectF(-r.height() / 2, -need / 2, r.height(), need)
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, lines)
        p.restore()
    else:
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, lines)


# (text, box width, box height, points per px) -> (along the box, the lines, their height)
_PLACED: dict[tuple[str, float, float, float], tuple[bool, str, float] | None] = {}


def _place(width: Any, r: QRectF, text: str) -> tuple[bool, str, float] | None:
    """How ``text`` fits in ``r``: along a tall box, across a wide one, on one to three lines
    (``width`` measures a line), or None."""
    line_h = TEXT_PX * 1.25
    for lines in _wrappings(text):
        longest = max(width(s) for s in lines)
        need = line_h * len(lines)
        if r.height() >= r.width() and longest + 6 <= r.height() and need + 2 <= r.width():
            return True, "\n".join(lines), need
        if longest + 6 <= r.width() and need + 2 <= r.height():
            return False, "\n".join(lines), need
    return None


def _shortcut(p: QPainter, fonts: _Fonts, s: Shortcut, selected: bool, hover: bool) -> None:
    style, dashed, op_fill = SHORTCUT_STYLES[s.kind]
    colour = QColor(style)
    width = 1.6 if s.kind in ("conv_bn", "conv") else 1.2
    if selected or hover:
        colour, width = (ACCENT if selected else HOVER), width + 0.8
    rad = min(6.0, (s.base - s.top) / 2, (s.x1 - s.x0) / 2)
    path = QPainterPath(QPointF(s.x0, s.base))
    path.lineTo(s.x0, s.top + rad)
    path.quadTo(s.x0, s.top, s.x0 + rad, s.top)
    path.lineTo(s.x1 - rad, s.top)
    path.quadTo(s.x1, s.top, s.x1, s.top + rad)
    path.lineTo(s.x1, s.base - 6 - 4)
    p.setPen(_pen(colour, width, dashed))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    _arrow(p, QPointF(s.x1, s.base - 6), 90, colour)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawEllipse(QPointF(s.x0, s.base), 1.8, 1.8)  # the fork
    if s.op is None:
        return
    r = _rect(s.op)
    if op_fill:
        p.setPen(_pen(colour, 1.0))
        p.setBrush(QColor(op_fill))
        p.drawRoundedRect(r, 2, 2)
        if s.kind == "conv_bn":
            p.fillRect(QRectF(r.right() - 3, r.top() + 1, 2, r.height() - 2), colour.lighter(120))
    else:  # zero padding has no parameters: words on the line, no box
        p.fillRect(r, Qt.GlobalColor.white)
    if not fonts.legible(TEXT_PX):
        return
    font = fonts.get(TEXT_PX)
    font.setItalic(s.kind == "pad")
    p.setFont(font)
    p.setPen(colour.darker(140))
    p.drawText(r, Qt.AlignmentFlag.AlignCenter, s.text)
    font.setItalic(False)


def _join(p: QPainter, j: Join, selected: bool, hover: bool) -> None:
    colour = ACCENT if selected else HOVER if hover else INK
    width = 1.8 if selected or hover else 1.1
    p.setPen(_pen(colour, width))
    p.setBrush(Qt.GlobalColor.white)
    c = QPointF(j.add.cx, j.add.y + j.add.h / 2)
    rad = j.add.w / 2
    p.drawEllipse(c, rad, rad)
    p.drawLine(QPointF(c.x() - rad * 0.55, c.y()), QPointF(c.x() + rad * 0.55, c.y()))
    p.drawLine(QPointF(c.x(), c.y() - rad * 0.55), QPointF(c.x(), c.y() + rad * 0.55))
    r = _rect(j.relu)
    p.drawRoundedRect(r, 2, 2)
    ramp = QPolygonF(
        [
            QPointF(r.left() + 2, r.bottom() - 3),
            QPointF(r.center().x(), r.bottom() - 3),
            QPointF(r.right() - 2, r.top() + 2),
        ]
    )
    p.drawPolyline(ramp)


_COLOURS = {c: QColor(c) for c in ("#333333", "#6b6b6b", "#222222")}


def _text(p: QPainter, fonts: _Fonts, label: Label, hover: bool = False) -> None:
    px, bold, colour = _LABEL_STYLE[label.role]
    if not bold and not fonts.legible(px):
        return
    font = fonts.get(px, bold)
    p.setFont(font)
    p.setPen(HOVER if hover else _COLOURS[colour])
    # at a point, placed with the font's metrics: drawText in a rectangle lays text out anew
    # each time, three times slower
    fm = fonts.metrics(font)
    b = label.box
    x = b.x if label.align == "left" else b.cx - fm.horizontalAdvance(label.text) / 2
    p.drawText(QPointF(x, b.y + (b.h + fm.ascent() - fm.descent()) / 2), label.text)


def _fold(p: QPainter, fonts: _Fonts, f: Fold, hover: bool) -> None:
    r = _rect(f.box)
    p.setFont(fonts.get(BADGE_PX, bold=f.folded))
    if f.folded:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(HOVER if hover else QColor("#3a3a3a"))
        p.drawRoundedRect(r, r.height() / 2, r.height() / 2)
        p.setPen(Qt.GlobalColor.white)
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, f.text)
        return
    colour = HOVER if hover else FAINT
    p.setPen(_pen(colour, 1.0))
    y = r.top() + 2
    p.drawLine(QPointF(r.left(), y - 3), QPointF(r.left(), y))
    p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
    p.drawLine(QPointF(r.right(), y - 3), QPointF(r.right(), y))
    p.setPen(colour)
    p.drawText(r.adjusted(0, 3, 0, 3), Qt.AlignmentFlag.AlignCenter, f.text)


def _legend(p: QPainter, fonts: _Fonts, e: LegendEntry) -> None:
    g = e.glyph
    mid = g.y + g.h / 2
    if e.kind in TENSOR_COLOURS:
        fill, line = TENSOR_COLOURS[e.kind]
        p.setPen(_pen(line, 1.0))
        p.setBrush(QColor(fill))
        p.drawRect(QRectF(g.x + 6, g.y, 14, g.h))
    elif e.kind in SHORTCUT_STYLES:
        colour, dashed, op_fill = SHORTCUT_STYLES[e.kind]
        p.setPen(_pen(colour, 1.6 if op_fill else 1.2, dashed))
        p.drawLine(QPointF(g.x, mid), QPointF(g.right, mid))
        if op_fill:
            p.setBrush(QColor(op_fill))
            p.drawRoundedRect(QRectF(g.x + 8, mid - 4, 10, 8), 1.5, 1.5)
    elif e.kind == "add":
        _join(
            p,
            Join("", "", Box(g.x + 2, mid - 5, 10, 10), Box(g.x + 15, mid - 5, 10, 10), ()),
            False,
            False,
        )
    elif e.kind == "fold":
        _fold(p, fonts, Fold(Box(g.x, g.y, g.w, g.h), 0, "", 0, True, "×N", ""), False)
    _text(p, fonts, e.label)

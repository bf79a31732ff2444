"""The diagram as SVG text without Qt: for notebooks (no GUI toolkit in the kernel) and any
other place that wants the picture as a string.

It writes the same :class:`~resnet_studio.core.diagram_items.Diagram` that the window paints,
in the same colours (:mod:`.diagram_style`): boxes to scale, arcs for the shortcuts, the adds,
×N badges, shapes on the edges, stage headers and the key. Text stays ``<text>`` (searchable,
copyable); it is placed with the layout's own width estimate instead of a font engine.
"""

from __future__ import annotations

from html import escape

from .diagram_items import (
    BADGE_PX,
    TEXT_PX,
    Box,
    Diagram,
    Fold,
    Join,
    Label,
    LegendEntry,
    Shortcut,
    Tensor,
    text_width,
)
from .diagram_style import (
    BAND,
    FONT_FAMILY,
    GREY,
    INK,
    LABEL_STYLE,
    SHORTCUT_STYLES,
    TENSOR_COLOURS,
    darker,
    lighter,
    tensor_kind,
    wrappings,
)


def _f(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _rect(b: Box, fill: str, stroke: str = "none", width: float = 1.0, extra: str = "") -> str:
    return (
        f'<rect x="{_f(b.x)}" y="{_f(b.y)}" width="{_f(b.w)}" height="{_f(b.h)}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{_f(width)}"{extra}/>'
    )


def _text(
    x: float,
    y: float,
    text: str,
    px: float,
    colour: str,
    bold: bool = False,
    anchor: str = "middle",
    extra: str = "",
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" font-size="{_f(px)}" fill="{colour}" '
        f'text-anchor="{anchor}" dominant-baseline="central"{weight}{extra}>'
        f"{escape(text)}</text>"
    )


def _arrow(x: float, y: float, down: bool, colour: str) -> str:
    if down:
        pts = [(x, y), (x - 2.6, y - 4.5), (x + 2.6, y - 4.5)]
    else:
        pts = [(x, y), (x - 4.5, y - 2.6), (x - 4.5, y + 2.6)]
    return f'<polygon points="{" ".join(f"{_f(a)},{_f(b)}" for a, b in pts)}" fill="{colour}"/>'


def _label(label: Label) -> str:
    px, bold, colour = LABEL_STYLE[label.role]
    b = label.box
    if label.align == "left":
        return _text(b.x, b.y + b.h / 2, label.text, px, colour, bold, anchor="start")
    return _text(b.cx, b.y + b.h / 2, label.text, px, colour, bold)


def _inside(b: Box, text: str, colour: str) -> str:
    """``text`` inside ``b``: along a tall box, across a wide one, on up to three lines, or not
    at all, as the window does."""
    line_h = TEXT_PX * 1.25
    for lines in wrappings(text):
        longest = max(text_width(s, TEXT_PX) for s in lines)
        need = line_h * len(lines)
        tall = b.h >= b.w and longest + 6 <= b.h and need + 2 <= b.w
        if not tall and not (longest + 6 <= b.w and need + 2 <= b.h):
            continue
        cx, cy = b.cx, b.y + b.h / 2
        first = cy - line_h * (len(lines) - 1) / 2
        if not tall:
            return "".join(
                _text(cx, first + k * line_h, line, TEXT_PX, colour) for k, line in enumerate(lines)
            )
        # along a tall box: each line turned a quarter about the box's centre
        rotate = f' transform="rotate(-90 {_f(cx)} {_f(cy)})"'
        return "".join(
            _text(cx, first + k * line_h, line, TEXT_PX, colour, extra=rotate)
            for k, line in enumerate(lines)
        )
    return ""


def _tensor(t: Tensor) -> list[str]:
    fill, line = TENSOR_COLOURS[tensor_kind(t.kind, t.text)]
    b, out = t.box, []
    tip = f"<title>{escape(t.name or 'input')}: {escape(t.text)}</title>"
    if t.stacked:  # a folded run: the copies behind
        for k in (2, 1):
            behind = Box(b.x + 2.5 * k, b.y - 2.5 * k, b.w, b.h)
            out.append(_rect(behind, lighter(fill, 1.04), lighter(line, 1.3), 0.8))
    dash = ' stroke-dasharray="4 3"' if t.kind == "input" else ""
    out.append(f"<g>{tip}" + _rect(b, fill, line, 1.0, dash) + "</g>")
    if t.bn and b.w > 6:  # batch norm: a strip along the box's right side
        out.append(_rect(Box(b.right - 2.5, b.y + 0.5, 2, b.h - 1), lighter(line, 1.15)))
    inner = Box(b.x, b.y, b.w - (2.5 if t.bn else 0), b.h)
    out.append(_inside(inner, t.text, darker(line, 1.6)))
    return out


def _shortcut(s: Shortcut) -> list[str]:
    colour, dashed, op_fill = SHORTCUT_STYLES[s.kind]
    width = 1.6 if s.kind in ("conv_bn", "conv") else 1.2
    rad = min(6.0, (s.base - s.top) / 2, (s.x1 - s.x0) / 2)
    d = (
        f"M{_f(s.x0)},{_f(s.base)} L{_f(s.x0)},{_f(s.top + rad)} "
        f"Q{_f(s.x0)},{_f(s.top)} {_f(s.x0 + rad)},{_f(s.top)} "
        f"L{_f(s.x1 - rad)},{_f(s.top)} Q{_f(s.x1)},{_f(s.top)} {_f(s.x1)},{_f(s.top + rad)} "
        f"L{_f(s.x1)},{_f(s.base - 10)}"
    )
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    out = [
        f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{_f(width)}"{dash}/>',
        _arrow(s.x1, s.base - 6, True, colour),
        f'<circle cx="{_f(s.x0)}" cy="{_f(s.base)}" r="1.8" fill="{colour}"/>',
    ]
    if s.op is None:
        return out
    if op_fill:
        out.append(_rect(s.op, op_fill, colour, 1.0, ' rx="2"'))
        if s.kind == "conv_bn":
            o = s.op
            out.append(_rect(Box(o.right - 3, o.y + 1, 2, o.h - 2), lighter(colour, 1.2)))
    else:  # zero padding has no parameters: words on the line, no box
        out.append(_rect(s.op, "white"))
    italic = ' font-style="italic"' if s.kind == "pad" else ""
    o = s.op
    out.append(_text(o.cx, o.y + o.h / 2, s.text, TEXT_PX, darker(colour, 1.4), extra=italic))
    return out


def _join(j: Join) -> list[str]:
    cx, cy, r = j.add.cx, j.add.y + j.add.h / 2, j.add.w / 2
    q = r * 0.55
    relu = j.relu
    ramp = [
        (relu.x + 2, relu.bottom - 3),
        (relu.cx, relu.bottom - 3),
        (relu.right - 2, relu.y + 2),
    ]
    stroke = f'stroke="{INK}" stroke-width="1.1"'
    return [
        f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="white" {stroke}/>',
        f'<path d="M{_f(cx - q)},{_f(cy)} H{_f(cx + q)} M{_f(cx)},{_f(cy - q)} '
        f'V{_f(cy + q)}" {stroke}/>',
        _rect(relu, "white", INK, 1.1, ' rx="2"'),
        f'<polyline points="{" ".join(f"{_f(a)},{_f(b)}" for a, b in ramp)}" fill="none" '
        f"{stroke}/>",
    ]


def _fold(f: Fold) -> list[str]:
    b = f.box
    if f.folded:
        return [
            _rect(b, "#3a3a3a", extra=f' rx="{_f(b.h / 2)}"'),
            _text(b.cx, b.y + b.h / 2, f.text, BADGE_PX, "white", bold=True),
        ]
    y = b.y + 2
    faint = "#8c8c8c"
    return [
        f'<path d="M{_f(b.x)},{_f(y - 3)} V{_f(y)} H{_f(b.right)} V{_f(y - 3)}" fill="none" '
        f'stroke="{faint}"/>',
        _text(b.cx, b.y + b.h / 2 + 3, f.text, BADGE_PX, faint),
    ]


def _legend(e: LegendEntry) -> list[str]:
    g = e.glyph
    mid = g.y + g.h / 2
    out: list[str] = []
    if e.kind in TENSOR_COLOURS:
        fill, line = TENSOR_COLOURS[e.kind]
        out.append(_rect(Box(g.x + 6, g.y, 14, g.h), fill, line))
    elif e.kind in SHORTCUT_STYLES:
        colour, dashed, op_fill = SHORTCUT_STYLES[e.kind]
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        out.append(
            f'<line x1="{_f(g.x)}" y1="{_f(mid)}" x2="{_f(g.right)}" y2="{_f(mid)}" '
            f'stroke="{colour}" stroke-width="{1.6 if op_fill else 1.2}"{dash}/>'
        )
        if op_fill:
            out.append(_rect(Box(g.x + 8, mid - 4, 10, 8), op_fill, colour, 1.0, ' rx="1.5"'))
    elif e.kind == "add":
        glyph = Join("", "", Box(g.x + 2, mid - 5, 10, 10), Box(g.x + 15, mid - 5, 10, 10), ())
        out += _join(glyph)
    elif e.kind == "fold":
        out += _fold(Fold(Box(g.x, g.y, g.w, g.h), 0, "", 0, True, "×N", ""))
    out.append(_label(e.label))
    return out


def diagram_svg_text(d: Diagram, title: str = "") -> str:
    """The diagram as a standalone SVG document (one diagram unit is one CSS pixel)."""
    w, h = d.width, d.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(w)}" height="{_f(h)}" '
        f'viewBox="0 0 {_f(w)} {_f(h)}" font-family="{FONT_FAMILY}">',
        f"<title>{escape(title or 'ResNet Studio diagram')}</title>",
        f'<rect x="0" y="0" width="{_f(w)}" height="{_f(h)}" fill="white"/>',
    ]
    if d.rows:
        top = d.headers[-1].box.y - 4 if d.headers else 0
        bottom = d.rows[-1].box.bottom + 6
        for i, c in enumerate(d.columns):
            if i % 2 == 1:
                out.append(_rect(Box(c.x, top, c.w, bottom - top), BAND))
    out += [_label(x) for x in d.headers]
    for row in d.rows:
        out.append(f'<g class="network" data-name="{escape(row.label)}">')
        for e in row.edges:
            out.append(
                f'<line x1="{_f(e.x0)}" y1="{_f(e.y)}" x2="{_f(e.x1 - 3)}" y2="{_f(e.y)}" '
                f'stroke="{GREY}" stroke-width="1.1"/>'
            )
            out.append(_arrow(e.x1, e.y, False, GREY))
        for b in row.blocks:
            out += _shortcut(b.shortcut)
        for t in row.tensors:
            out += _tensor(t)
        for b in row.blocks:
            out += _join(b.join)
        out += [_label(e.label) for e in row.edges if e.label]
        out += [_label(x) for x in row.labels]
        for f in row.folds:
            out += _fold(f)
        out.append("</g>")
    for entry in d.legend:
        out += _legend(entry)
    out += [_label(x) for x in d.notes]
    out.append("</svg>")
    return "\n".join(x for x in out if x)

"""The diagram's colours and text styles as plain data, shared by the window's painter
(:mod:`resnet_studio.gui.diagram.diagram_paint`) and the Qt-free SVG writer
(:mod:`.diagram_svg`), so a notebook's picture and the window's agree. Muted colours tell kinds
apart (3×3 convs blue, 1×1 green, pools grey, the classifier purple; shortcuts grey for identity,
orange for 1×1 conv + BN, purple for 1×1 conv, dashed for zero padding)."""

from __future__ import annotations

from itertools import combinations, pairwise

from .diagram_items import CAPTION_PX, HEADER_PX, SHAPE_PX

FONT_FAMILY = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK = "#2b2b2b"
GREY = "#6b6b6b"
FAINT = "#8c8c8c"
BAND = "#f4f5f7"

# tensor kind -> (fill, outline)
TENSOR_COLOURS = {
    "input": ("#f1f1f1", "#8a8a8a"),
    "conv3": ("#d5e3f3", "#3d6ca3"),
    "conv1": ("#d8ecd3", "#4a8743"),
    "MaxPool2d": ("#e8e8e8", "#7a7a7a"),
    "AdaptiveAvgPool2d": ("#e8e8e8", "#7a7a7a"),
    "Linear": ("#e6dcf1", "#6c4d96"),
}
TENSOR_COLOURS["pool"] = TENSOR_COLOURS["MaxPool2d"]
TENSOR_COLOURS["fc"] = TENSOR_COLOURS["Linear"]
# shortcut kind -> (pen colour, dashed, op fill)
SHORTCUT_STYLES: dict[str, tuple[str, bool, str | None]] = {
    "identity": ("#6b6b6b", False, None),
    "conv_bn": ("#c7651f", False, "#fbe4d2"),
    "conv": ("#7b4fa6", False, "#eee3f6"),
    "pad": ("#6b6b6b", True, None),
}
# label role -> (px, bold, colour)
LABEL_STYLE = {
    "shape": (SHAPE_PX, False, "#333333"),
    "caption": (CAPTION_PX, False, "#6b6b6b"),
    "header": (HEADER_PX, True, "#222222"),
    "title": (HEADER_PX, True, "#222222"),
    "network": (HEADER_PX, True, "#222222"),
    "note": (CAPTION_PX, False, "#6b6b6b"),
    "legend": (CAPTION_PX, False, "#333333"),
}


def tensor_kind(kind: str, text: str) -> str:
    """The colour key of a tensor box: convs split into 3×3 (and larger) and 1×1."""
    if kind == "Conv2d":
        return "conv1" if text.startswith("1×1") else "conv3"
    return kind


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{max(0, min(255, round(v))):02x}" for v in (r, g, b))


def lighter(colour: str, factor: float) -> str:
    """Towards white by ``factor`` (1.3: 30% lighter), as QColor.lighter does on value."""
    r, g, b = _rgb(colour)
    top = max(r, g, b) or 1
    scale = min(factor, 255 / top)
    spill = max(0.0, top * factor - 255)  # past full value, desaturate towards white
    return _hex(r * scale + spill, g * scale + spill, b * scale + spill)


def darker(colour: str, factor: float) -> str:
    """Towards black by ``factor`` (1.6: value divided by 1.6), as QColor.darker does."""
    r, g, b = _rgb(colour)
    return _hex(r / factor, g / factor, b / factor)


def wrappings(text: str) -> list[list[str]]:
    """``text`` on one line, then on two and three, broken after commas where the longest
    line is shortest: "3×3, 512," / "g32, /2"."""
    parts = text.split(", ")
    out = [[text]]
    for n in (2, 3):
        if len(parts) < n:
            break
        best: list[str] | None = None
        for cuts in combinations(range(1, len(parts)), n - 1):
            bounds = (0, *cuts, len(parts))
            lines = [
                ", ".join(parts[a:b]) + ("," if b < len(parts) else "") for a, b in pairwise(bounds)
            ]
            if best is None or max(map(len, lines)) < max(map(len, best)):
                best = lines
        assert best is not None  # n parts or more: some way to cut them
        out.append(best)
    return out

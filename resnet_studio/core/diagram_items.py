"""The pieces of an architecture diagram as plain data, its scale, and how a point finds them.

:mod:`.diagram` lays these out; the GUI paints them and asks :func:`hit` what is under the
mouse and :func:`matching` what a selection in the layer tree covers. Coordinates are pixels
at zoom 1, y pointing down. Nothing here knows Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from math import log2
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .analysis import Analysis, Shape

# Font sizes in pixels (the painter uses pixel sizes, so SVG, PNG and screen agree).
TEXT_PX = 8.5  # inside a box: "3×3, 64, /2"
SHAPE_PX = 8.5  # edge labels: "256×56×56"
CAPTION_PX = 9.0  # a stage's caption in a row: "3 blocks"
HEADER_PX = 11.0  # stage names above the columns, network names
BADGE_PX = 9.0  # "×22" on a folded block


def text_width(text: str, px: float) -> float:
    """An estimate of ``text``'s width in a sans-serif font of ``px`` pixels (DejaVu Sans
    metrics, the widest of the common ones), for placing labels without a font engine."""
    em = 0.0
    for ch in text:
        if ch.isdigit():
            em += 0.636
        elif ch in "×⊕":
            em += 0.838
        elif ch in " ,.:/·|()[]'":
            em += 0.34
        elif ch.isupper() or ch in "mw–":
            em += 0.72
        else:
            em += 0.6
    return em * px


def shape_text(shape: Shape) -> str:
    """A per-sample shape as the diagram writes it: ``256×56×56``, or ``1000`` for a vector."""
    return "×".join(str(s) for s in shape)


@dataclass(frozen=True, slots=True)
class Scale:
    """How big a tensor is drawn. Log (default): height grows by a fixed step each time the
    spatial side doubles, width each time the channels double, so 56→28 and 64→128 look the
    same everywhere. Linear: height and width proportional to side and channels, the largest
    of the diagram drawn at ``LINEAR_H`` and ``LINEAR_W``."""

    linear: bool = False
    max_side: int = 224
    max_channels: int = 2048

    LOG_H0 = 10.0
    LOG_H1 = 14.0  # pixels per doubling of the side
    LOG_W0 = 10.0
    LOG_W1 = 5.5  # pixels per doubling of the channels (from 8)
    LINEAR_H = 180.0
    LINEAR_W = 160.0
    MIN = 3.0

    def height(self, side: int) -> float:
        if self.linear:
            return max(self.MIN, self.LINEAR_H * side / self.max_side)
        return self.LOG_H0 + self.LOG_H1 * log2(max(side, 1))

    def width(self, channels: int) -> float:
        if self.linear:
            return max(self.MIN, self.LINEAR_W * channels / self.max_channels)
        return max(6.0, self.LOG_W0 + self.LOG_W1 * log2(max(channels, 1) / 8))

    def describe(self) -> str:
        if self.linear:
            return "Boxes to scale (linear): height ∝ spatial size, width ∝ channels"
        return "Boxes to scale (log₂): height ∝ log spatial size, width ∝ log channels"


@dataclass(slots=True, eq=False)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    def contains(self, px: float, py: float, pad: float = 0.0) -> bool:
        return (
            self.x - pad <= px <= self.x + self.w + pad
            and self.y - pad <= py <= self.y + self.h + pad
        )

    def shift(self, dx: float, dy: float) -> None:
        self.x += dx
        self.y += dy


@dataclass(slots=True, eq=False)
class Tensor:
    """A layer's output drawn as a box to scale; a conv's box stands for its BN and ReLU too."""

    box: Box
    name: str  # the module whose output it is ("" for the network's input)
    kind: str  # "input", "Conv2d", "MaxPool2d", "AdaptiveAvgPool2d", "Linear"
    text: str  # written inside when it fits: "3×3, 128, /2"
    shape: Shape  # per sample
    parts: tuple[str, ...]  # the modules this box stands for: conv, BN, ReLU
    section: str  # "stem", "layerK", "head"
    bn: bool = False  # a batch norm follows (drawn as a strip)
    stacked: bool = False  # inside a folded run: drawn as a stack

    def shift(self, dx: float, dy: float) -> None:
        self.box.shift(dx, dy)


@dataclass(slots=True, eq=False)
class Shortcut:
    """A block's skip path as an arc over its convs, from the fork to the add."""

    kind: str  # "identity", "conv_bn", "conv" or "pad"
    name: str  # the downsample module, or the block for an identity
    section: str
    x0: float  # the fork on the main path
    x1: float  # the add
    top: float  # the arc's height (y)
    base: float  # the main path (y)
    text: str  # "1×1, 128, /2" on the arc; "" for an identity
    op: Box | None  # where the text and, for a conv, its box sit
    shape: Shape  # what it delivers to the add

    @property
    def box(self) -> Box:
        top = min(self.top, self.op.y if self.op else self.top)
        return Box(self.x0, top, self.x1 - self.x0, self.base - top)

    def shift(self, dx: float, dy: float) -> None:
        self.x0, self.x1, self.top, self.base = (
            self.x0 + dx,
            self.x1 + dx,
            self.top + dy,
            self.base + dy,
        )
        if self.op:
            self.op.shift(dx, dy)


@dataclass(slots=True, eq=False)
class Join:
    """A block's add (a circle) and the ReLU after it (a small box)."""

    name: str  # the block
    section: str
    add: Box
    relu: Box
    shape: Shape
    parts: tuple[str, ...] = ()  # the block's ReLU module (also applied inside the block)

    def shift(self, dx: float, dy: float) -> None:
        self.add.shift(dx, dy)
        self.relu.shift(dx, dy)


@dataclass(slots=True, eq=False)
class Label:
    """Text: a shape on an edge, a caption, a header, a name. ``box`` is its estimated extent."""

    box: Box
    text: str
    role: str  # "shape", "caption", "header", "network", "note", "legend"
    name: str = ""  # what a click selects ("layer3" for a stage's caption)
    section: str = ""
    align: str = "center"  # or "left"

    def shift(self, dx: float, dy: float) -> None:
        self.box.shift(dx, dy)


@dataclass(slots=True, eq=False)
class Edge:
    """A stretch of the main path; it carries the output of ``source`` (``""``: the input)."""

    x0: float
    x1: float
    y: float
    shape: Shape
    source: str
    label: Label | None = None  # set where the shape differs from the edge before

    def shift(self, dx: float, dy: float) -> None:
        self.x0, self.x1, self.y = self.x0 + dx, self.x1 + dx, self.y + dy
        if self.label:
            self.label.shift(dx, dy)


@dataclass(slots=True, eq=False)
class Fold:
    """A run of identical blocks: a ×N badge on the block drawn once (a click unfolds), or a
    bracket under the unfolded blocks (a click folds them again)."""

    box: Box
    row: int
    key: str  # the run's first block, e.g. "layer3.1"
    count: int
    folded: bool
    text: str
    section: str

    def shift(self, dx: float, dy: float) -> None:
        self.box.shift(dx, dy)


@dataclass(slots=True, eq=False)
class Block:
    """One drawn block: a block, or a folded run of identical ones drawn once."""

    name: str  # the block drawn (a run's first)
    names: tuple[str, ...]  # every block it stands for
    folded: bool
    run: str  # the run's first block (its own name when not part of a run)
    section: str
    box: Box
    tensors: list[Tensor]
    shortcut: Shortcut
    join: Join

    @property
    def repeat(self) -> int:
        return len(self.names)


@dataclass(slots=True, eq=False)
class LegendEntry:
    kind: str  # a tensor kind, a shortcut kind, "add" or "fold"
    glyph: Box
    label: Label


@dataclass(slots=True, eq=False)
class Row:
    """One network of the diagram."""

    index: int
    label: str
    analysis: Analysis
    box: Box
    tensors: list[Tensor] = field(default_factory=list)  # stem, blocks' and head's, in order
    blocks: list[Block] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)  # captions and the network's name
    folds: list[Fold] = field(default_factory=list)
    alias: dict[str, str] = field(default_factory=dict)  # folded block -> the block drawn

    @property
    def shortcuts(self) -> list[Shortcut]:
        return [b.shortcut for b in self.blocks]

    @property
    def joins(self) -> list[Join]:
        return [b.join for b in self.blocks]

    def items(self) -> Iterator[Any]:
        yield from self.edges
        yield from self.shortcuts
        yield from self.tensors
        yield from self.joins
        yield from self.labels
        yield from self.folds

    def shift(self, dx: float, dy: float) -> None:
        self.box.shift(dx, dy)
        for item in self.items():
            item.shift(dx, dy)
        for b in self.blocks:
            b.box.shift(dx, dy)


@dataclass(slots=True, eq=False)
class Column:
    """A stage's column, shared by every row: its x range and its header."""

    name: str
    x: float
    w: float


@dataclass(slots=True, eq=False)
class Diagram:
    width: float
    height: float
    scale: Scale
    rows: list[Row]
    columns: list[Column]
    headers: list[Label]  # stage names over the columns
    legend: list[LegendEntry]
    notes: list[Label]  # the scale's sentence, under the legend


@dataclass(frozen=True, slots=True)
class Hit:
    """What a point is on: the item, the module or stage it selects, and its row."""

    item: Any
    name: str
    row: int


def hit(d: Diagram, x: float, y: float) -> Hit | None:
    """The clickable item under (x, y): a fold marker before a box, a box before an arc."""
    for row in d.rows:
        if not row.box.contains(x, y, 2):
            continue
        for f in row.folds:
            if f.box.contains(x, y, 1):
                return Hit(f, f.key, row.index)
        for t in row.tensors:
            if t.box.contains(x, y, 1):
                return Hit(t, t.name, row.index)
        for b in row.blocks:
            if not b.box.contains(x, y, 4):
                continue
            j = b.join
            if j.add.contains(x, y, 2):
                return Hit(j, j.name, row.index)
            if j.relu.contains(x, y, 2):
                return Hit(j, f"{j.name}.relu", row.index)
            s = b.shortcut
            if s.op and s.op.contains(x, y, 1):
                return Hit(s, s.name, row.index)
            on_top = abs(y - s.top) <= 4 and s.x0 <= x <= s.x1
            on_side = min(abs(x - s.x0), abs(x - s.x1)) <= 4 and s.top <= y <= s.base
            if on_top or on_side:
                return Hit(s, s.name, row.index)
        for label in row.labels:
            if label.name and label.box.contains(x, y, 1):
                return Hit(label, label.name, row.index)
        return Hit(None, "", row.index)  # the row itself: selects the network
    return None


def _drawn(row: Row, name: str) -> str:
    """The name of what stands for module ``name`` in ``row``: a folded block's layers are
    drawn as the run's first block's."""
    parts = name.split(".")
    if len(parts) >= 2:
        block = f"{parts[0]}.{parts[1]}"
        drawn = row.alias.get(block)
        if drawn:
            return drawn + name[len(block) :]
    return name


def matching(row: Row, names: Iterable[str]) -> list[Tensor | Shortcut | Join]:
    """The items of ``row`` that draw the modules ``names`` or a part of them (a stage's name
    covers its boxes and arcs; a block's covers its convs, arc and add)."""
    wanted = {_drawn(row, n) for n in names if n}
    if not wanted:
        return []
    out: list[Tensor | Shortcut | Join] = []
    items: tuple[Tensor | Shortcut | Join, ...] = (*row.tensors, *row.shortcuts, *row.joins)
    for item in items:
        if item.section in wanted:
            out.append(item)
            continue
        own = (item.name, *getattr(item, "parts", ()))
        if any(o == w or o.startswith(w + ".") for o in own for w in wanted):
            out.append(item)
    return out

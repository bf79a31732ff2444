"""The architecture diagram's layout, computed from the analysis (and so from ``describe``).

A network runs left to right: its input, the stem, each stage's blocks, the head. Every tensor
is a box to scale (:class:`~.diagram_items.Scale`: height follows the spatial size, width the
channels), so a ResNet's funnel and a bottleneck's 4× expansion show without a number. A block
is its convs, its shortcut as an arc over them (identity, 1×1 conv + BN, 1×1 conv or zero
padding, each drawn its own way), the add and the ReLU. The output shape labels every edge
where the shape changes. Runs of identical blocks (``format.block_runs``, as the layer tree
folds them) are drawn once and marked ×N, unless ``(row, first block)`` is in ``expanded``.

:func:`diagram` lays out one network or several: several share one scale and one column per
stage, so stem sits over stem and layer3 over layer3. The items are in
:mod:`.diagram_items`; the GUI paints them, the CLI exports them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Sequence

from .analysis import Analysis, LayerRow, Shape
from .describe import Node
from .diagram_items import (
    BADGE_PX,
    CAPTION_PX,
    HEADER_PX,
    SHAPE_PX,
    TEXT_PX,
    Block,
    Box,
    Column,
    Diagram,
    Edge,
    Fold,
    Join,
    Label,
    LegendEntry,
    Row,
    Scale,
    Shortcut,
    Tensor,
    shape_text,
    text_width,
)
from .format import block_runs, human
from .words import plural

GAP = 16.0  # the arrow between two boxes
ADD_R = 6.0  # the add's radius
RELU = 11.0  # the ReLU's square
ARC_CLEAR = 11.0  # between a block's tallest box and its arc
OP_H = 15.0  # a shortcut conv's box on the arc
BADGE_H = 14.0
LANES = 3  # rows of edge labels under the boxes, when neighbours would overlap
LANE = SHAPE_PX + 3
ROW_GAP = 22.0
MARGIN = 14.0
GUTTER = 150.0  # the networks' names, left of the rows (comparisons only)
STAGE_PAD = 12.0  # the least space left in a column after its widest row

Expanded = Collection[tuple[int, str]]


def conv_text(node: Node) -> str:
    """The ResNet paper's notation: ``3×3, 128, /2`` (kernel, channels, stride), with groups
    (``g32``) and dilation (``d2``) where they are not 1."""
    text = f"{node.kernel}×{node.kernel}, {node.out_ch}"
    if node.groups > 1:
        text += f", g{node.groups}"
    if node.dilation > 1:
        text += f", d{node.dilation}"
    if node.stride > 1:
        text += f", /{node.stride}"
    return text


def _groups(nodes: Sequence[Node]) -> list[list[Node]]:
    """Convs (and pools) with the batch norms and ReLUs that follow them: one box each."""
    out: list[list[Node]] = []
    for n in nodes:
        if n.kind in ("Conv2d", "MaxPool2d", "AvgPool2d", "BlurPool2d") or not out:
            out.append([n])
        else:
            out[-1].append(n)
    return out


def _side(shape: Shape) -> int:
    return shape[1] if len(shape) == 3 else 1


class _RowLayout:
    """One network along y = 0 from x = 0, laid out a stage at a time: :meth:`stage` puts a
    stage at its column's x (or right after the stage before, were that further)."""

    def __init__(
        self,
        index: int,
        label: str,
        a: Analysis,
        scale: Scale,
        expanded: Expanded,
        expand_all: bool,
    ) -> None:
        self.a, self.scale, self.index = a, scale, index
        self.expanded, self.expand_all = expanded, expand_all
        self.row = Row(index, label, a, Box(0, 0, 0, 0))
        self.x, self.start_at = 0.0, 0.0
        self.shape: Shape = a.root.in_shape
        self.source = ""
        self.labelled: Shape | None = None
        self.spans: dict[str, tuple[float, float]] = {}  # stage -> (from, to) along x
        self.unfolded: list[tuple[str, list[Block]]] = []  # runs drawn block by block
        self.stages = {s.name for s in a.stages}
        self.tensor("input", "", "input", self.shape, (), "stem", at=0.0)

    def stage(self, name: str, start: float) -> float:
        """Lay out stage ``name`` from ``start``; returns its own width, the same wherever it
        starts but for the last bit of a float sum (the stem's includes the input)."""
        self.start_at = start
        begin = self.x
        row = self.a.row
        if name == "stem":
            begin = 0.0
            stem = [c for c in self.a.root.node.children if row(c.name).section == "stem"]
            # a deep stem's conv1 is a Sequential of three convs: one box each
            leaves = [m for c in stem for m in (c.flow_modules if c.children else (c,))]
            for group in _groups(leaves):
                self._layer(group, "stem")
        elif name == "head":
            for module in ("avgpool", "fc"):
                self._layer([row(module).node], "head")
            self._edge_to(self.x + 1.5 * GAP)  # the output
        else:
            self._stage(name)
        self.spans[name] = (begin, self.x)
        return self.x - (begin if name == "stem" else max(begin, start))

    # --- the main path -------------------------------------------------------------------
    def _edge_to(self, x1: float) -> Edge:
        e = Edge(self.x, x1, 0.0, self.shape, self.source)
        if self.shape != self.labelled:  # the shape changed: say so on this edge
            text = shape_text(self.shape)
            e.label = Label(Box(0, 0, text_width(text, SHAPE_PX), SHAPE_PX + 2), text, "shape")
            self.labelled = self.shape
        self.row.edges.append(e)
        return e

    def tensor(
        self,
        kind: str,
        name: str,
        text: str,
        shape: Shape,
        parts: tuple[str, ...],
        section: str,
        bn: bool = False,
        stacked: bool = False,
        at: float | None = None,
    ) -> Tensor:
        if at is None:
            at = max(self.x, self.start_at) + GAP
            self._edge_to(at)
        h, w = self.scale.height(_side(shape)), self.scale.width(shape[0])
        t = Tensor(Box(at, -h / 2, w, h), name, kind, text, shape, parts, section, bn, stacked)
        self.row.tensors.append(t)
        self.x, self.shape, self.source = t.box.right, shape, name
        return t

    def _layer(self, group: list[Node], section: str, stacked: bool = False) -> Tensor:
        head = group[0]
        if head.kind == "Conv2d":
            text = conv_text(head)
        elif head.kind == "MaxPool2d":
            text = f"max {head.kernel}×{head.kernel}, /{head.stride}"
        elif head.kind == "AvgPool2d":  # anti-aliasing's pool, drawn as a pool
            text = f"avg {head.kernel}×{head.kernel}, /{head.stride}"
        elif head.kind == "BlurPool2d":  # anti-aliasing's binomial blur, drawn as a pool
            text = f"blur {head.kernel}×{head.kernel}, /{head.stride}"
        elif head.kind == "Linear":
            text = f"fc, {head.out_ch}"
        else:
            text = "avg pool"
        kind = "pool" if head.kind in ("AvgPool2d", "BlurPool2d") else head.kind
        parts = tuple(dict.fromkeys(n.name for n in group))
        bn = any(n.kind == "BatchNorm2d" for n in group)
        shape = self.a.row(head.name).out_shape  # a shared ReLU's row holds its last use
        return self.tensor(kind, head.name, text, shape, parts, section, bn, stacked)

    # --- stages and blocks ---------------------------------------------------------------
    def _stage(self, name: str) -> None:
        for run in block_runs(self.a, name):
            key = run.rows[0].name
            if len(run.rows) > 1 and not self.expand_all and (self.index, key) not in self.expanded:
                self._block(run.rows, key, name)
                continue
            drawn = [self._block((r,), key, name) for r in run.rows]
            if len(run.rows) > 1:
                self.unfolded.append((run.label, drawn))

    def _block(self, rows: tuple[LayerRow, ...], run: str, section: str) -> Block:
        first, folded = rows[0], len(rows) > 1
        node = first.node
        start = max(self.x, self.start_at)
        fork = start + GAP / 2
        tensors = [self._layer(g, section, folded) for g in _groups(node.flow_modules)]
        self.source = first.name  # the add's sum and the ReLU's output: the block's
        add = Box(self._edge_to(self.x + GAP).x1, -ADD_R, 2 * ADD_R, 2 * ADD_R)
        self.x = add.right
        relu = Box(self._edge_to(self.x + 6).x1, -RELU / 2, RELU, RELU)
        self.x = relu.right
        join = Join(first.name, section, add, relu, first.out_shape, (f"{first.name}.relu",))

        top = min(t.box.y for t in tensors) - ARC_CLEAR
        kind, name, text, op = "identity", first.name, "", None
        skip = node.shortcut
        if skip is not None:
            kind, name = self.a.spec.shortcut, skip.name
            if skip.kind == "PadShortcut":
                text = f"zero-pad to {skip.out_ch}" + (
                    f", /{skip.stride}" if skip.stride > 1 else ""
                )
            elif kind == "avg_down":  # ResNet-D: a 1×1 conv + BN after a 2×2 average pool
                pool = skip.children[0]
                kind = "conv" if self.a.spec.preact else "conv_bn"  # v2: a bare conv
                text = ("avg /2, " if pool.kind == "AvgPool2d" else "") + conv_text(
                    skip.children[1]
                )
            elif self.a.spec.preact:  # ResNet v2 projects with a bare conv, no BN
                kind, text = "conv", conv_text(skip.children[0])
            else:
                text = conv_text(skip.children[0])
            top -= OP_H / 2
            w = text_width(text, TEXT_PX) + (10 if kind != "pad" else 6)
            cx = (fork + add.cx) / 2
            # a conv sits on the arc as a box; zero padding (no weights) is words above it
            op = Box(cx - w / 2, top - (OP_H / 2 if kind != "pad" else OP_H + 1), w, OP_H)
        shape = self.a.row(name).out_shape if skip is not None else first.in_shape
        sc = Shortcut(kind, name, section, fork, add.cx, top, 0.0, text, op, shape)
        bottom = max(t.box.bottom for t in tensors)
        upper = min(top - BADGE_H / 2, op.y if op else top)
        box = Box(start, upper, self.x - start, bottom - upper)
        names = tuple(r.name for r in rows)
        block = Block(first.name, names, folded, run, section, box, tensors, sc, join)
        self.row.blocks.append(block)
        if folded:
            text = f"×{len(rows)}"
            w = text_width(text, BADGE_PX) + 10
            cx = (op.right + 4 + w / 2) if op else (fork + add.cx) / 2
            badge = Box(cx - w / 2, top - BADGE_H / 2, w, BADGE_H)
            self.row.folds.append(Fold(badge, self.index, run, len(rows), True, text, section))
            for r in rows[1:]:
                self.row.alias[r.name] = first.name
        return block

    # --- under the boxes -----------------------------------------------------------------
    def place_labels(self) -> float:
        """Put each edge's shape under it, in the first of LANES rows where it overlaps no
        neighbour; returns the lowest label's bottom."""
        tensors = self.row.tensors
        xs = [t.box.x for t in tensors]
        widest = max((t.box.w for t in tensors), default=0.0)
        recent: list[Box] = []
        lowest = ADD_R
        for e in self.row.edges:
            if e.label is None:
                continue
            box = e.label.box
            left = max(0.0, (e.x0 + e.x1) / 2 - box.w / 2)  # the input's stays in the picture
            i = bisect_right(xs, left + box.w)
            base = ADD_R
            while i > 0 and xs[i - 1] > left - widest:
                t = tensors[i - 1].box
                if t.right > left:
                    base = max(base, t.bottom)
                i -= 1
            for lane in range(LANES):
                box.x, box.y = left, base + 3 + lane * LANE
                if not any(_overlap(box, r) for r in recent):
                    break
            recent = [*recent[-7:], box]
            lowest = max(lowest, box.bottom)
        return lowest

    def place_brackets(self, y: float) -> float:
        """Unfolded runs get a bracket under them that folds them again."""
        for label, blocks in self.unfolded:
            x0, x1 = blocks[0].box.x + GAP / 2, blocks[-1].box.right
            text = f"{label} (click to fold)"
            key = blocks[0].run
            self.row.folds.append(
                Fold(
                    Box(x0, y + 4, x1 - x0, BADGE_H),
                    self.index,
                    key,
                    len(blocks),
                    False,
                    text,
                    blocks[0].section,
                )
            )
        return y + 4 + BADGE_H if self.unfolded else y


def _overlap(a: Box, b: Box) -> bool:
    return a.x < b.right + 4 and b.x < a.right + 4 and a.y < b.bottom and b.y < a.bottom


def scale_for(analyses: Sequence[Analysis], linear: bool) -> Scale:
    """One scale for every network drawn together (linear: the largest tensor sets it)."""
    if not linear:
        return Scale()
    rows = [r for a in analyses for r, _ in a.distinct]  # copies have the same shapes
    sides = [_side(r.out_shape) for r in rows] + [a.root.in_shape[1] for a in analyses]
    chans = [r.out_shape[0] for r in rows]
    return Scale(True, max(sides), max(chans))


def _caption(a: Analysis, stage: str) -> str:
    s = next(x for x in a.stages if x.name == stage)
    if s.blocks:
        return f"{plural(s.blocks, 'block')} · {shape_text(s.out_shape)}"
    if stage == "head":
        return f"{plural(s.out_shape[0], 'output')}"
    return shape_text(s.out_shape)


def diagram(
    labelled: Sequence[tuple[str, Analysis]],
    *,
    linear: bool = False,
    expanded: Expanded = (),
    expand_all: bool = False,
    legend: bool = True,
) -> Diagram:
    """The diagram of one network, or of several side by side on one scale, aligned by stage."""
    analyses = [a for _, a in labelled]
    scale = scale_for(analyses, linear)
    several = len(labelled) > 1
    names = [
        "stem",
        *(f"layer{i + 1}" for i in range(max(len(a.spec.layers) for a in analyses))),
        "head",
    ]
    layouts = [
        _RowLayout(i, label, a, scale, expanded, expand_all)
        for i, (label, a) in enumerate(labelled)
    ]
    # one column per stage, as wide as its widest row's stage (plus room in a comparison):
    # each row lays the stage out at the column's x, which the stages before have set
    left = MARGIN + (GUTTER if several else 0.0)
    columns, x = [], left
    for name in names:
        widths = [lay.stage(name, x - left) for lay in layouts if name in lay.stages]
        texts = [text_width(name, HEADER_PX)] + [
            text_width(_caption(a, name), CAPTION_PX)
            for a in analyses
            if name in (s.name for s in a.stages)
        ]
        w = max(max(widths) + (STAGE_PAD if several else 0.0), GAP + max(texts) + 14)
        columns.append(Column(name, x, w))
        x += w

    y = MARGIN
    headers: list[Label] = []
    if not several:
        label, a = labelled[0]
        t = a.totals
        title = f"{label}: depth {a.spec.depth}, {human(t.params)} params, {human(t.macs)} MACs"
        headers.append(
            Label(
                Box(left, y, text_width(title, HEADER_PX), HEADER_PX + 3),
                title,
                "title",
                align="left",
            )
        )
        y += HEADER_PX + 8
    for c in columns:
        w = text_width(c.name, HEADER_PX)
        headers.append(
            Label(
                Box(c.x + GAP, y, w, HEADER_PX + 3),
                c.name,
                "header",
                name=c.name,
                section=c.name,
                align="left",
            )
        )
    y += HEADER_PX + 8

    rows = []
    for lay in layouts:
        row = lay.row
        lowest = lay.place_brackets(lay.place_labels())
        items = [b.box for b in row.blocks] + [t.box for t in row.tensors]
        top = min(b.y for b in items) - CAPTION_PX - 8
        for c in columns:
            if c.name in lay.spans:
                text = _caption(row.analysis, c.name)
                box = Box(c.x - left + GAP, top, text_width(text, CAPTION_PX), CAPTION_PX + 3)
                row.labels.append(
                    Label(box, text, "caption", name=c.name, section=c.name, align="left")
                )
        row.box = Box(0, top, max(lay.x, columns[-1].x + columns[-1].w - left), lowest + 4 - top)
        if several:
            a = row.analysis
            lines = [
                (row.label, "network"),
                (f"depth {a.spec.depth}", "note"),
                (f"{human(a.totals.params)} params", "note"),
                (f"{human(a.totals.macs)} MACs", "note"),
            ]
            ly = -HEADER_PX * 1.2 - CAPTION_PX * 1.5
            for text, role in lines:
                px = HEADER_PX if role == "network" else CAPTION_PX
                row.labels.append(
                    Label(Box(-GUTTER, ly, GUTTER - 10, px + 3), text, role, align="left")
                )
                ly += px + 5
            row.box.x, row.box.w = -GUTTER, row.box.w + GUTTER
        row.shift(left, y - top)
        y = row.box.bottom + ROW_GAP
        rows.append(row)

    width = max(c.x + c.w for c in columns) + MARGIN
    entries: list[LegendEntry] = []
    notes: list[Label] = []
    if legend:
        y, entries, notes = _legend(rows, scale, left, y, width)
    for item in (*headers, *(e.label for e in entries), *notes):
        width = max(width, item.box.right + MARGIN)
    return Diagram(width, y + MARGIN, scale, rows, columns, headers, entries, notes)


def _legend(
    rows: list[Row], scale: Scale, left: float, y: float, width: float
) -> tuple[float, list[LegendEntry], list[Label]]:
    """What each glyph means, for the kinds this diagram draws; then the scale in a sentence."""
    kinds = {t.kind for r in rows for t in r.tensors} | {s.kind for r in rows for s in r.shortcuts}
    conv_kernels = {t.text.split(",")[0] for r in rows for t in r.tensors if t.kind == "Conv2d"}
    # by length, then text: a set's order changes from run to run (3×3 or 7×7, 7×7 or 3×3)
    wide = " or ".join(sorted((k for k in conv_kernels if k != "1×1"), key=lambda k: (len(k), k)))
    wanted = [
        ("conv3", f"{wide} conv + BN + ReLU", bool(wide)),
        ("conv1", "1×1 conv + BN (+ ReLU)", "1×1" in conv_kernels),
        ("pool", "pooling", "MaxPool2d" in kinds or "AdaptiveAvgPool2d" in kinds),
        ("fc", "fully connected", "Linear" in kinds),
        ("identity", "identity shortcut", "identity" in kinds),
        ("conv_bn", "1×1 conv + BN shortcut", "conv_bn" in kinds),
        ("conv", "1×1 conv shortcut (bias, no BN)", "conv" in kinds),
        ("pad", "zero-padded shortcut (option A)", "pad" in kinds),
        ("add", "add, then ReLU", True),
        ("fold", "identical blocks drawn once", any(f.folded for r in rows for f in r.folds)),
    ]
    entries, x = [], left
    y += 4
    for kind, text, shown in wanted:
        if not shown:
            continue
        glyph = Box(x, y, 26, 12)
        w = text_width(text, CAPTION_PX)
        label = Label(Box(x + 32, y, w, CAPTION_PX + 3), text, "legend", align="left")
        entries.append(LegendEntry(kind, glyph, label))
        x = label.box.right + 18
        if x > max(width, 900) - 150 and kind != wanted[-1][0]:
            x, y = left, y + 20
    y += 20
    note_text = scale.describe() + "; the shape (C×H×W) labels each edge where it changes."
    note = Label(
        Box(left, y, text_width(note_text, CAPTION_PX), CAPTION_PX + 3),
        note_text,
        "note",
        align="left",
    )
    return y + CAPTION_PX + 3, entries, [note]

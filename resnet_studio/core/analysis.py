"""Analysis: shapes, parameters, MACs and memory of every layer, by arithmetic over the description.

No forward pass and no weights: the cost is the same at 32×32 and 4096×4096. MACs follow
torchinfo's "mult-adds" convention exactly, so the two can be compared number for number:
a conv counts each weight and bias once per output position, a linear or batch-norm layer
counts each parameter once per sample. FLOPs are reported as 2 × MACs.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from math import prod
from typing import TYPE_CHECKING, Any

from .describe import ATTENTION_KINDS, FLATTEN, Node, describe
from .errors import SpecError
from .words import closest, plural

if TYPE_CHECKING:
    from .spec import ArchSpec

MAX_PARAMS = 1_000_000_000  # 4 GB of float32 weights; 16 GB once gradients and Adam's state join
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8}
Shape = tuple[int, ...]  # per sample: (C, H, W), or (features,) after flattening


@dataclass(slots=True, eq=False)
class LayerRow:
    """One module of the built model, with per-sample numbers (Analysis scales by batch)."""

    name: str  # equals the built model's named_modules() name
    kind: str
    level: int  # 1 for top-level modules, 2 for blocks' parents' children, …
    section: str  # "stem", "layer1" … "layerN", or "head"
    node: Node  # kernel, stride, padding, groups, … for tooltips
    in_shape: Shape = ()
    out_shape: Shape = ()
    params: int = 0  # all parameters (all are trainable at creation)
    trainable: int = 0
    buffers: int = 0  # BN running statistics and counters
    macs: int = 0  # per sample, torchinfo's convention
    saved: int = 0  # per sample: elements kept for backward (activation-memory estimate)

    @property
    def is_leaf(self) -> bool:
        return not self.node.children


class _TooSmall(Exception):
    def __init__(self, layer: str, shape: Shape) -> None:
        self.layer, self.shape = layer, shape


class _Mismatch(Exception):
    """A block whose two paths disagree: a floor-rounded pool beside a strided conv."""

    def __init__(self, block: str, main: Shape, skip: Shape) -> None:
        self.block, self.main, self.skip = block, main, skip


def _spatial(n: int, k: int, s: int, p: int, d: int = 1, ceil: bool = False) -> int:
    span = n + 2 * p - d * (k - 1) - 1
    if not ceil:
        return span // s + 1
    out = -(-span // s) + 1
    return out - 1 if (out - 1) * s >= n + p else out  # the last window must start inside


def _leaf(node: Node, x: Shape) -> tuple[Shape, int, int, int, int]:
    """Output shape, params, buffers, MACs and saved elements of one leaf, per sample."""
    k = node.kind
    if k == "Conv2d":
        h = _spatial(x[1], node.kernel, node.stride, node.padding, node.dilation)
        w = _spatial(x[2], node.kernel, node.stride, node.padding, node.dilation)
        out = (node.out_ch, h, w)
        weights = node.out_ch * (node.in_ch // node.groups) * node.kernel * node.kernel
        params = weights + (node.out_ch if node.bias else 0)
        return out, params, 0, params * h * w, node.out_ch * h * w
    if k == "BatchNorm2d":
        return x, 2 * x[0], 2 * x[0] + 1, 2 * x[0], prod(x)
    if k in ("ReLU", "Identity", "DropPath", "Dropout", "DropBlock2d"):
        return x, 0, 0, 0, 0  # in place or training-only: nothing to count
    if k == "Sigmoid":
        return x, 0, 0, 0, prod(x)
    if k == "Conv1d":  # ECA's conv over the channels: x is (1, channels)
        length = _spatial(x[1], node.kernel, node.stride, node.padding, node.dilation)
        params = node.out_ch * (node.in_ch // node.groups) * node.kernel
        params += node.out_ch if node.bias else 0
        return (node.out_ch, length), params, 0, params * length, node.out_ch * length
    if k == "AvgPool2d":
        h = _spatial(x[1], node.kernel, node.stride, node.padding, ceil=node.ceil)
        w = _spatial(x[2], node.kernel, node.stride, node.padding, ceil=node.ceil)
        return (x[0], h, w), 0, 0, 0, x[0] * h * w
    if k == "BlurPool2d":  # a fixed depthwise filter (a buffer): 0 MACs, as torchinfo counts
        h = _spatial(x[1], node.kernel, node.stride, node.padding)
        w = _spatial(x[2], node.kernel, node.stride, node.padding)
        if min(x[1], x[2]) <= node.padding:  # reflect padding needs more rows than it pads
            return (x[0], 0, 0), 0, 0, 0, 0
        return (x[0], h, w), 0, x[0] * node.kernel**2, 0, x[0] * h * w
    if k == "MaxPool2d":
        out = (
            x[0],
            _spatial(x[1], node.kernel, node.stride, node.padding),
            _spatial(x[2], node.kernel, node.stride, node.padding),
        )
        return out, 0, 0, 0, prod(out)
    if k == "AdaptiveAvgPool2d":
        return (x[0], 1, 1), 0, 0, 0, x[0]
    if k == "PadShortcut":
        out = (node.out_ch, -(-x[1] // node.stride), -(-x[2] // node.stride))
        return out, 0, 0, 0, prod(out)
    if k == "Linear":
        params = node.in_ch * node.out_ch + node.out_ch
        return (node.out_ch,), params, 0, params, node.out_ch
    raise AssertionError(f"no arithmetic for {k}")


class _Sheet:
    """Every row of one network, per sample; a copied block's rows are made when first asked for.

    A residual block is worked out the first time a block of its key takes an input of its
    shape; a block like it after that (``like``) copies the block's own numbers, and its
    modules' rows, which repeat that block's numbers, are made on demand (the 600 blocks of the
    1202-layer ResNet are 5 distinct ones, and an edit needs the rows of those 5 only)."""

    def __init__(self) -> None:
        self.outline: list[LayerRow] = []  # in pre-order, the residual blocks' modules left out
        self.worked: dict[str, list[LayerRow]] = {}  # a block worked out: its modules' rows
        self.copied: dict[str, list[LayerRow]] = {}  # a block copied: its modules' rows, once made
        self.like: dict[str, str] = {}  # a block copied: the block it copies
        self.by_name: dict[str, LayerRow] = {}  # every row made so far
        self.seen: dict[tuple[tuple[int | bool, ...], Shape], tuple[str, Shape]] = {}
        self._all: tuple[LayerRow, ...] | None = None

    def block_rows(self, block: str) -> list[LayerRow]:
        """The rows of ``block``'s modules, in walk order (made now for a copied block)."""
        rows = self.worked.get(block) or self.copied.get(block)
        if rows is not None:
            return rows
        with _COPYING:
            if block not in self.copied:  # not made meanwhile by another thread
                t = self.worked[self.like[block]]
                nodes = self.by_name[block].node.walk()[1:]
                made = [
                    LayerRow(
                        n.name,
                        r.kind,
                        r.level,
                        r.section,
                        n,
                        r.in_shape,
                        r.out_shape,
                        r.params,
                        r.trainable,
                        r.buffers,
                        r.macs,
                        r.saved,
                    )
                    for n, r in zip(nodes, t, strict=True)
                ]
                self.by_name.update((m.name, m) for m in made)
                self.copied[block] = made
        return self.copied[block]

    def row(self, name: str) -> LayerRow:
        """The row of module ``name``; KeyError when there is none."""
        row = self.by_name.get(name)
        if row is None:
            block = ".".join(name.split(".", 2)[:2])  # blocks are layerK.J
            if block not in self.like:
                raise KeyError(name)
            self.block_rows(block)
            row = self.by_name[name]
        return row

    def all_rows(self) -> tuple[LayerRow, ...]:
        """Every row, in ``named_modules()`` order (made once)."""
        if self._all is None:
            out: list[LayerRow] = []
            for r in self.outline:
                out.append(r)
                if r.node.key:
                    out += self.block_rows(r.name)
            self._all = tuple(out)
        return self._all

    def distinct(self) -> list[tuple[LayerRow, int]]:
        """Each row that is not a copy, with how many rows have its numbers (itself included):
        what sums over every row need."""
        copies = Counter(self.like.values())
        out = [(r, 1) for r in self.outline]
        for block, rows in self.worked.items():
            out += [(r, 1 + copies[block]) for r in rows]
        return out


_COPYING = threading.Lock()  # one thread makes a copied block's rows; the others wait for it


def _apply_block(block: Node, x: Shape, sheet: _Sheet) -> Shape:
    """A residual block's rows, made, filled and rolled up the first time a block of its key
    takes an input of shape ``x``; after that, the block's own numbers copied from that one."""
    known = sheet.seen.get((block.key, x))
    if known is not None:
        first, out = known
        row, t = sheet.by_name[block.name], sheet.by_name[first]
        row.in_shape, row.out_shape, row.params, row.trainable = x, out, t.params, t.trainable
        row.buffers, row.macs, row.saved = t.buffers, t.macs, t.saved
        sheet.like[block.name] = first
        return out
    rows = sheet.by_name
    mine = sheet.worked[block.name] = []
    level, section = rows[block.name].level + 1, rows[block.name].section
    for c in block.children:
        _make_rows(c, level, section, rows, mine, True)
    out = _apply(block, x, rows, None)
    _roll_up(block, rows, False)
    sheet.seen[(block.key, x)] = (block.name, out)
    return out


def _apply(node: Node, x: Shape, rows: dict[str, LayerRow], sheet: _Sheet | None) -> Shape:
    """Propagate a per-sample shape through ``node``, filling the rows it touches (and, given
    ``sheet``, making and rolling up the residual blocks' rows: once per distinct block and
    input)."""
    if node.key and sheet is not None:
        return _apply_block(node, x, sheet)
    row = rows[node.name]
    if not row.in_shape:
        row.in_shape = x
    if node.kind in ATTENTION_KINDS:  # x * gate(…(pooled x)): children see the pooled x
        pooled: Shape = (x[0], 1, 1) if node.kind == "SEModule" else (1, x[0])
        for module in node.flow_modules:
            pooled = _apply(module, pooled, rows, sheet)
        row.out_shape = x
        return x
    if not node.children:
        out, params, buffers, macs, saved = _leaf(node, x)
        if len(out) == 3 and (out[1] <= 0 or out[2] <= 0):
            raise _TooSmall(node.name, out)
        if row.out_shape:  # a module applied twice (a block's ReLU) is counted once
            row.out_shape = out
            return out
        row.out_shape, row.params, row.trainable, row.buffers = out, params, params, buffers
        row.macs, row.saved = macs, saved
        return out
    pre = x
    for module in node.pre:  # pre-activation: the shortcut module sees it, the identity not
        pre = _apply(module, pre, rows, sheet)
    y = pre
    for step in node.flow:
        y = (prod(y),) if step == FLATTEN else _apply(step, y, rows, sheet)
    if node.is_residual:
        skip = _apply(node.shortcut, pre, rows, sheet) if node.shortcut else x
        if skip != y:  # anti-aliasing's 2×2 pool floors an odd side; a strided conv rounds up
            raise _Mismatch(node.name, y, skip)
        # The add keeps nothing, so outputs that only feed it are not kept; its sum is (by ReLU).
        rows[node.flow_modules[-1].name].saved = 0
        if node.shortcut:
            rows[(node.shortcut.flow_modules or (node.shortcut,))[-1].name].saved = 0
        row.saved = prod(y)
        for step in node.post:
            y = _apply(step, y, rows, sheet)
    row.out_shape = y
    return y


def _make_rows(
    node: Node,
    level: int,
    section: str,
    rows: dict[str, LayerRow],
    order: list[LayerRow],
    into_blocks: bool,
) -> None:
    """Rows for ``node`` and what it holds, in pre-order (a residual block's modules only
    ``into_blocks``), into ``rows`` and ``order``."""
    row = rows[node.name] = LayerRow(node.name, node.kind, level, section, node)
    order.append(row)
    if node.key and not into_blocks:
        return
    for c in node.children:
        if level == 0:
            top = c.name
            section = (
                top
                if top.startswith("layer")
                else "head"
                if top in ("norm", "act", "avgpool", "dropout", "fc")
                else "stem"
            )
        _make_rows(c, level + 1, section, rows, order, into_blocks)


def _rows(spec: ArchSpec, size: tuple[int, int]) -> _Sheet:
    root = describe(spec)
    sheet = _Sheet()
    _make_rows(root, 0, "", sheet.by_name, sheet.outline, False)
    _apply(root, (spec.in_channels, *size), sheet.by_name, sheet)  # blocks rolled up as applied
    _roll_up(root, sheet.by_name, True)
    return sheet


def _roll_up(node: Node, rows: dict[str, LayerRow], above_blocks: bool) -> None:
    """Roll children up into containers, leaves first (``above_blocks``: not into the residual
    blocks, rolled up already)."""
    if not node.children:
        return
    p = b = m = s = 0
    for c in node.children:
        if not (above_blocks and c.key):
            _roll_up(c, rows, above_blocks)
        k = rows[c.name]
        p, b, m, s = p + k.params, b + k.buffers, m + k.macs, s + k.saved
    row = rows[node.name]
    row.params = row.trainable = p
    row.buffers, row.macs, row.saved = b, m, row.saved + s


def _smallest_side(spec: ArchSpec, axis: int) -> int:
    """The smallest input height (axis 0) or width (axis 1) for which every layer is non-empty
    (with average-pool anti-aliasing, among the multiples of the total stride: only those halve
    evenly; a blur pool rounds up, as a strided conv does)."""
    step = _total_stride(spec) if spec.aa == "avg" else 1
    lo, hi = 1, (1 << 17) // step
    while lo < hi:
        mid = (lo + hi) // 2
        size = (mid * step, 1 << 17) if axis == 0 else (1 << 17, mid * step)
        try:
            _rows(spec, size)
            hi = mid
        except _TooSmall:
            lo = mid + 1
    return lo * step


def _total_stride(spec: ArchSpec) -> int:
    stem = (1 if spec.stem == "cifar" else 2) * (1 if spec.stem_pool == "none" else 2)
    return stem << (len(spec.layers) - 1)


@lru_cache(maxsize=128)
def _sample_rows(spec: ArchSpec) -> _Sheet:
    try:
        return _rows(spec, spec.input_size)
    except _TooSmall as e:
        h, w = spec.input_size
        need = (max(h, _smallest_side(spec, 0)), max(w, _smallest_side(spec, 1)))
        raise SpecError(
            "input_size",
            spec.input_size,
            f"an input of {h}×{w} is too small: layer '{e.layer}' would output "
            f"{e.shape[1]}×{e.shape[2]}",
            f"the smallest input that works is {need[0]}×{need[1]}",
        ) from None
    except _Mismatch as e:
        h, w = spec.input_size
        stride = _total_stride(spec)
        raise SpecError(
            "input_size",
            spec.input_size,
            f"at {h}×{w}, block '{e.block}' would add a {e.main[1]}×{e.main[2]} branch to a "
            f"{e.skip[1]}×{e.skip[2]} shortcut, because anti-aliasing's pool drops an odd "
            f"row or column",
            f"use sides that divide by {stride}, such as {max(1, round(h / stride)) * stride}",
        ) from None


_blaming = threading.local()  # set while _culprit tries candidate specs


def _params(spec: ArchSpec) -> int:
    return _sample_rows(spec).outline[0].params


def _culprit(spec: ArchSpec) -> tuple[str, str]:
    """The field that makes ``spec`` too large, and a hint: the first whose default (two blocks
    per stage for layers) brings the network under the limit; "widths" when none alone does."""
    bottleneck_width = "use fewer groups or a smaller width_per_group"
    candidates: list[tuple[str, dict[str, Any], str]] = [
        ("groups", {"groups": 1}, "use fewer groups"),
        ("width_per_group", {"width_per_group": 64}, "use a smaller width_per_group"),
        ("groups", {"groups": 1, "width_per_group": 64}, bottleneck_width),
        ("num_classes", {"num_classes": 1000}, "use fewer classes"),
        ("in_channels", {"in_channels": 3}, "use fewer input channels"),
        ("stem_width", {"stem_width": 32}, "use a narrower deep stem"),
        ("widths", {"widths": None}, "use narrower stages or fewer blocks"),
        ("layers", {"layers": (2,) * len(spec.layers)}, "use fewer blocks"),
    ]
    _blaming.on = True
    try:
        for field, changes, hint in candidates:
            if spec.stem_width is None and field == "stem_width":
                continue
            try:
                smaller = replace(spec, **changes)
                if smaller != spec and _params(smaller) <= MAX_PARAMS:
                    return field, hint
            except SpecError:
                continue
    finally:
        _blaming.on = False
    return "widths", "use fewer blocks or narrower stages"


def check_network(spec: ArchSpec) -> None:
    """Whole-network checks that need the description; raises SpecError.

    Too many parameters is blamed on the field that causes it (groups=16384 on resnet50 is
    about groups, not the stage widths), found by trying each field's default in turn."""
    params = _params(spec)
    if params > MAX_PARAMS:
        field, hint = ("widths", "") if getattr(_blaming, "on", False) else _culprit(spec)
        raise SpecError(
            field,
            getattr(spec, field),
            f"this network has {params / 1e9:.2f} billion parameters "
            f"({params * 4 / 1e9:.1f} GB of float32 weights), over the limit "
            f"of {MAX_PARAMS / 1e9:g} billion",
            hint,
        )


@dataclass(frozen=True, slots=True)
class StageSummary:
    """A rollup of the stem, one stage (``layerK``) or the head."""

    name: str
    in_shape: Shape
    out_shape: Shape
    params: int
    macs: int  # per sample
    blocks: int  # residual blocks in it (0 for stem and head)


@dataclass(frozen=True, slots=True)
class Totals:
    params: int
    trainable_params: int
    buffers: int
    macs: int  # for the whole batch
    flops: int  # 2 × macs
    param_bytes: int
    buffer_bytes: int
    activation_bytes: int  # training estimate for the whole batch, see Analysis


class Analysis:
    """Every layer's numbers for ``spec`` at ``batch_size`` and ``dtype``.

    ``rows`` are per sample; shapes and MACs for the batch come from :meth:`shape` and
    :attr:`totals`. The activation memory is an estimate for training: the tensors autograd
    keeps for the backward pass, times the batch and the dtype's size. That is the input, the
    output of every conv, batch norm, pool and the linear layer (the logits, kept by the loss),
    and each block's sum; outputs that only feed a residual add are not kept (the add needs
    nothing), ReLUs run in place and add nothing, and max-pool indices count 8 bytes each.
    cuDNN workspaces, BN's per-channel statistics and the allocator's slack are not counted.
    """

    def __init__(self, spec: ArchSpec, batch_size: int = 1, dtype: str = "float32") -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise SpecError(
                "batch_size",
                batch_size,
                f"batch size must be a whole number of at least 1, not {batch_size!r}",
            )
        if dtype not in DTYPE_BYTES:
            raise SpecError(
                "dtype", dtype, f"dtype '{dtype}' is not known", closest(dtype, tuple(DTYPE_BYTES))
            )
        self.spec, self.batch_size, self.dtype = spec, batch_size, dtype
        self._sheet = _sample_rows(spec)

    def shape(self, per_sample: Shape) -> list[int]:
        return [self.batch_size, *per_sample]

    @property
    def rows(self) -> tuple[LayerRow, ...]:
        """Every module's row, the root's first, in ``named_modules()`` order. For a network of
        many alike blocks, :meth:`row` and :attr:`outline` are cheaper: they leave the rows of
        the copied blocks' modules unmade."""
        return self._sheet.all_rows()

    @cached_property
    def by_name(self) -> dict[str, LayerRow]:
        """Rows by their module name (every row: see :meth:`row` for one)."""
        return {r.name: r for r in self.rows}

    def row(self, name: str) -> LayerRow:
        """The row of module ``name`` (KeyError when there is none)."""
        return self._sheet.row(name)

    @property
    def outline(self) -> list[LayerRow]:
        """The rows in ``named_modules()`` order, down to the residual blocks but not into them
        (their modules' rows: ``row(name)``)."""
        return self._sheet.outline

    @property
    def distinct(self) -> list[tuple[LayerRow, int]]:
        """Each row whose numbers are not copied from another's, with how many rows have those
        numbers (itself included): enough for every maximum and, weighted, every sum."""
        return self._sheet.distinct()

    @property
    def root(self) -> LayerRow:
        return self._sheet.outline[0]

    @property
    def layers(self) -> tuple[LayerRow, ...]:
        """Every named module but the root, in ``named_modules()`` order."""
        return self.rows[1:]

    @property
    def leaves(self) -> list[LayerRow]:
        return [r for r in self.rows if r.is_leaf]

    @cached_property
    def stages(self) -> tuple[StageSummary, ...]:
        top = [r for r in self.outline if r.level == 1]
        out = []
        for section in ("stem", *(f"layer{i + 1}" for i in range(len(self.spec.layers))), "head"):
            part = [r for r in top if r.section == section]
            blocks = len(part[0].node.children) if section.startswith("layer") else 0
            out.append(
                StageSummary(
                    section,
                    part[0].in_shape,
                    part[-1].out_shape,
                    sum(r.params for r in part),
                    sum(r.macs for r in part),
                    blocks,
                )
            )
        return tuple(out)

    @cached_property
    def totals(self) -> Totals:
        r, n, size = self.root, self.batch_size, DTYPE_BYTES[self.dtype]
        distinct = self.distinct
        bn_layers = sum(k for x, k in distinct if x.kind == "BatchNorm2d")
        float_buffers = r.buffers - bn_layers  # num_batches_tracked is one int64 per BN
        saved = prod(self.root.in_shape) + r.saved
        indices = sum(prod(x.out_shape) * k for x, k in distinct if x.kind == "MaxPool2d")
        return Totals(
            params=r.params,
            trainable_params=r.trainable,
            buffers=r.buffers,
            macs=r.macs * n,
            flops=2 * r.macs * n,
            param_bytes=r.params * size,
            buffer_bytes=float_buffers * size + bn_layers * 8,
            activation_bytes=(saved * size + indices * 8) * n,
        )

    @property
    def training_only(self) -> str:
        """A sentence on the options that act in training only (no parameters, no shapes), or
        "" when there are none: stochastic depth's per-block rates and the dropout."""
        parts = []
        rates = [r.node.rate for r in self.outline if r.node.key and r.node.rate]
        if rates:
            parts.append(
                f"drop path in {len(rates)} blocks, rising to {max(rates):g} "
                f"(stochastic depth, timm's linear rule)"
            )
        blocks = [(r, k) for r, k in self.distinct if r.kind == "DropBlock2d"]
        if blocks:
            stages = sorted({r.section for r, _ in blocks})
            count = sum(k for _, k in blocks)
            parts.append(
                f"DropBlock {self.spec.drop_block_rate:g} in {plural(count, 'block')} "
                f"of {' and '.join(stages)} (timm's 5×5 blocks at ¼ the rate in layer3, 3×3 in "
                f"layer4)"
            )
        if self.spec.drop_rate:
            parts.append(f"dropout {self.spec.drop_rate:g} before fc")
        return f"Training only: {'; '.join(parts)}." if parts else ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``resnet-studio summary --json``."""
        n = self.batch_size
        t = self.totals
        return {
            "spec": self.spec.to_dict(),
            "batch_size": n,
            "dtype": self.dtype,
            "depth": self.spec.depth,
            "training_only": {
                "drop_path": {r.name: r.node.rate for r in self.rows if r.kind == "DropPath"},
                "dropout": self.spec.drop_rate,
                "drop_block": {r.name: r.node.rate for r in self.rows if r.kind == "DropBlock2d"},
            },
            "totals": {
                "params": t.params,
                "trainable_params": t.trainable_params,
                "buffers": t.buffers,
                "macs": t.macs,
                "flops": t.flops,
                "param_bytes": t.param_bytes,
                "activation_bytes": t.activation_bytes,
            },
            "stages": [
                {
                    "name": s.name,
                    "input_shape": self.shape(s.in_shape),
                    "output_shape": self.shape(s.out_shape),
                    "params": s.params,
                    "macs": s.macs * n,
                    "blocks": s.blocks,
                }
                for s in self.stages
            ],
            "layers": [
                {
                    "name": r.name,
                    "type": r.kind,
                    "input_shape": self.shape(r.in_shape),
                    "output_shape": self.shape(r.out_shape),
                    "params": r.params,
                    "trainable_params": r.trainable,
                    "buffers": r.buffers,
                    "macs": r.macs * n,
                    "leaf": r.is_leaf,
                }
                for r in self.layers
            ],
        }


def analyze(spec: ArchSpec, batch_size: int = 1, dtype: str = "float32") -> Analysis:
    """The analysis of ``spec`` (cached per spec; costs well under a millisecond when warm)."""
    return Analysis(spec, batch_size, dtype)


def clear_caches() -> None:
    """Forget cached descriptions and analyses (for cold-start benchmarks)."""
    _sample_rows.cache_clear()
    describe.cache_clear()

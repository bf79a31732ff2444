"""Analysis: shapes, parameters, MACs and memory of every layer, by arithmetic over the description.

No forward pass and no weights: the cost is the same at 32×32 and 4096×4096. MACs follow
torchinfo's "mult-adds" convention exactly, so the two can be compared number for number:
a conv counts each weight and bias once per output position, a linear or batch-norm layer
counts each parameter once per sample. FLOPs are reported as 2 × MACs.
"""

from __future__ import annotations

import threading
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


# a residual block's numbers, worked out once per (block key, input shape): for each of its
# modules in walk order (in_shape, out_shape, params, trainable, buffers, macs, saved), and its
# output shape
_Numbers = tuple[Shape, Shape, int, int, int, int, int]


@dataclass(slots=True)
class _Blocks:
    """The residual blocks of one network: each one's rows, and the numbers worked out."""

    members: dict[str, list[LayerRow]]  # a block's name: its rows, its own first, in walk order
    numbers: dict[tuple[tuple[int | bool, ...], Shape], tuple[list[_Numbers], Shape]]


def _apply_block(block: Node, x: Shape, rows: dict[str, LayerRow], blocks: _Blocks) -> Shape:
    """A residual block's rows, filled and rolled up: worked out the first time a block of its
    key takes an input of shape ``x``, copied from that block after (the 600 blocks of the
    1202-layer ResNet are 5 distinct ones)."""
    mine = blocks.members[block.name]
    known = blocks.numbers.get((block.key, x))
    if known is not None:
        numbers, out = known
        for row, (i, o, p, t, b, m, s) in zip(mine, numbers, strict=True):
            row.in_shape, row.out_shape, row.params, row.trainable = i, o, p, t
            row.buffers, row.macs, row.saved = b, m, s
        return out
    out = _apply(block, x, rows, None)
    _roll_up(block, rows, False)
    numbers = [
        (r.in_shape, r.out_shape, r.params, r.trainable, r.buffers, r.macs, r.saved) for r in mine
    ]
    blocks.numbers[(block.key, x)] = (numbers, out)
    return out


def _apply(node: Node, x: Shape, rows: dict[str, LayerRow], blocks: _Blocks | None) -> Shape:
    """Propagate a per-sample shape through ``node``, filling the rows it touches (and rolling
    up the residual blocks', given ``blocks``: once per distinct block and input)."""
    if node.key and blocks is not None:
        return _apply_block(node, x, rows, blocks)
    row = rows[node.name]
    if not row.in_shape:
        row.in_shape = x
    if node.kind in ATTENTION_KINDS:  # x * gate(…(pooled x)): children see the pooled x
        pooled: Shape = (x[0], 1, 1) if node.kind == "SEModule" else (1, x[0])
        for module in node.flow_modules:
            pooled = _apply(module, pooled, rows, blocks)
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
        pre = _apply(module, pre, rows, blocks)
    y = pre
    for step in node.flow:
        y = (prod(y),) if step == FLATTEN else _apply(step, y, rows, blocks)
    if node.is_residual:
        skip = _apply(node.shortcut, pre, rows, blocks) if node.shortcut else x
        if skip != y:  # anti-aliasing's 2×2 pool floors an odd side; a strided conv rounds up
            raise _Mismatch(node.name, y, skip)
        # The add keeps nothing, so outputs that only feed it are not kept; its sum is (by ReLU).
        rows[node.flow_modules[-1].name].saved = 0
        if node.shortcut:
            rows[(node.shortcut.flow_modules or (node.shortcut,))[-1].name].saved = 0
        row.saved = prod(y)
        for step in node.post:
            y = _apply(step, y, rows, blocks)
    row.out_shape = y
    return y


def _make_rows(
    node: Node,
    level: int,
    section: str,
    rows: dict[str, LayerRow],
    block: list[LayerRow] | None,
    blocks: _Blocks,
) -> None:
    row = rows[node.name] = LayerRow(node.name, node.kind, level, section, node)
    if node.key:
        block = blocks.members[node.name] = []
    if block is not None:
        block.append(row)
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
        _make_rows(c, level + 1, section, rows, block, blocks)


def _rows(spec: ArchSpec, size: tuple[int, int]) -> tuple[LayerRow, ...]:
    root = describe(spec)
    rows: dict[str, LayerRow] = {}
    blocks = _Blocks({}, {})
    _make_rows(root, 0, "", rows, None, blocks)
    _apply(root, (spec.in_channels, *size), rows, blocks)  # residual blocks rolled up as applied
    _roll_up(root, rows, True)
    return tuple(rows.values())


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
def _sample_rows(spec: ArchSpec) -> tuple[LayerRow, ...]:
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
    return _sample_rows(spec)[0].params


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
        self.rows = _sample_rows(spec)

    def shape(self, per_sample: Shape) -> list[int]:
        return [self.batch_size, *per_sample]

    @cached_property
    def by_name(self) -> dict[str, LayerRow]:
        """Rows by their module name."""
        return {r.name: r for r in self.rows}

    @property
    def root(self) -> LayerRow:
        return self.rows[0]

    @property
    def layers(self) -> tuple[LayerRow, ...]:
        """Every named module but the root, in ``named_modules()`` order."""
        return self.rows[1:]

    @property
    def leaves(self) -> list[LayerRow]:
        return [r for r in self.rows if r.is_leaf]

    @cached_property
    def stages(self) -> tuple[StageSummary, ...]:
        top = [r for r in self.rows if r.level == 1]
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
        bn_layers = sum(1 for x in self.rows if x.kind == "BatchNorm2d")
        float_buffers = r.buffers - bn_layers  # num_batches_tracked is one int64 per BN
        saved = prod(self.root.in_shape) + r.saved
        indices = sum(prod(x.out_shape) for x in self.rows if x.kind == "MaxPool2d")
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
        rates = [r.node.rate for r in self.rows if r.kind == "DropPath"]
        if rates:
            parts.append(
                f"drop path in {len(rates)} blocks, rising to {max(rates):g} "
                f"(stochastic depth, timm's linear rule)"
            )
        blocks = [r for r in self.rows if r.kind == "DropBlock2d"]
        if blocks:
            stages = sorted({r.section for r in blocks})
            parts.append(
                f"DropBlock {self.spec.drop_block_rate:g} in {plural(len(blocks), 'block')} "
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

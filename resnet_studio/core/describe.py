"""The one description of the network: a tree of named layers and how data flows through them.

``describe(spec)`` returns the root :class:`Node`. The analysis walks it with arithmetic and the
builder instantiates it as modules, so the two cannot disagree. Names follow torchvision's
``ResNet`` exactly (``conv1``, ``layer3.4.conv2``, ``layer2.0.downsample.0``, ``fc``), and so do
the order of registration and the order of application. timm's options (deep stems, stem
pools, ``avg_down`` shortcuts, SE and ECA attention, average or blur anti-aliasing, drop path)
add modules under timm's names (``conv1.3``, ``maxpool.1``, ``layer2.0.downsample.1``,
``layer1.0.se.fc1``, ``layer2.0.aa``), so the parameters' keys equal those of
``timm.models.resnet.ResNet``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from math import log
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from .spec import ArchSpec

DEEP_STEMS = ("deep", "deep_tiered")  # stems of three 3×3 convs (timm's c, d and t variants)
FLATTEN: Final = "<flatten>"  # a functional step in a container's flow, not a module
Flatten = Literal["<flatten>"]  # the type of FLATTEN: `step == FLATTEN` narrows a flow's step
RESIDUAL_KINDS = ("BasicBlock", "Bottleneck")
ATTENTION_KINDS = ("SEModule", "EcaModule")  # x * gate(…(x pooled)), as timm's modules
BODY: Final = ("children", "flow", "shortcut", "post", "pre")  # what a deferred block makes
_MAKING = threading.Lock()  # one thread makes a deferred block's body; the others wait for it


@dataclass(slots=True, eq=False)
class Node:
    """One module of the network. Leaves carry their arguments; containers carry their flow.

    Treat as read-only: descriptions are cached and shared.

    A residual block like one before it in its description (the same ``key``) is *deferred*:
    its modules (``BODY``) are made when first read, by ``make``. The 600 blocks of the
    1202-layer ResNet are 5 distinct ones, and an edit needs the modules of those 5 only.
    """

    name: str  # qualified name, as ``named_modules()`` gives it ("" for the root)
    kind: str  # the torch class name: Conv2d, BatchNorm2d, …, BasicBlock, Sequential, ResNet
    in_ch: int = 0
    out_ch: int = 0
    kernel: int = 0
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    groups: int = 1
    bias: bool = False
    children: tuple[Node, ...] = ()
    # containers: children in order of application (may repeat), or FLATTEN
    flow: tuple[Node | Flatten, ...] = ()
    shortcut: Node | None = None  # residual blocks: the child on the skip path; None = identity
    post: tuple[Node, ...] = ()  # residual blocks: applied after the add
    # residual blocks: applied first (pre-activation); a shortcut module takes their output,
    # an identity shortcut the block's input
    pre: tuple[Node, ...] = ()
    ceil: bool = False  # AvgPool2d: ceil_mode=True and count_include_pad=False (ResNet-D)
    # DropPath, Dropout and DropBlock2d: the drop probability (training only); residual blocks:
    # their drop path's
    rate: float = 0.0
    scale: float = 1.0  # DropBlock2d: timm's gamma_scale (its kernel is the block size)
    # residual blocks: blocks of one description with equal keys have the same modules, named
    # alike under their own prefix, with the same arguments (drop path's rate aside, which acts
    # in training only): given the same input they give the same numbers (the analysis works
    # one out and copies it to the others); () for any other node
    key: tuple[int | bool, ...] = ()
    # a deferred block: makes the block of a name and drop path rate (its own), whose body it
    # then takes over (None once made)
    make: Callable[[str, float], Node] | None = field(default=None, repr=False)

    def __getattr__(self, attr: str) -> Any:
        """Called for a slot that is not set: the body of a deferred block, made now."""
        make = object.__getattribute__(self, "make")
        if attr not in BODY or make is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {attr!r}")
        with _MAKING:
            if self.make is not None:  # not made meanwhile by another thread
                made = make(self.name, self.rate)
                self.flow, self.shortcut = made.flow, made.shortcut
                self.post, self.pre, self.children = made.post, made.pre, made.children
                self.make = None
        return object.__getattribute__(self, attr)

    def deferred(self, name: str, rate: float, make: Callable[[str, float], Node]) -> Node:
        """A block like this one (a residual block) named ``name``, with drop path at ``rate``,
        whose modules ``make`` makes when they are first read."""
        node = object.__new__(Node)  # no body: its slots stay unset (see __getattr__)
        node.name, node.kind, node.in_ch, node.out_ch = name, self.kind, self.in_ch, self.out_ch
        node.kernel, node.stride, node.padding = self.kernel, self.stride, self.padding
        node.dilation, node.groups, node.bias = self.dilation, self.groups, self.bias
        node.ceil, node.rate, node.scale, node.key = self.ceil, rate, self.scale, self.key
        node.make = make
        return node

    @property
    def local(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def is_residual(self) -> bool:
        return self.kind in RESIDUAL_KINDS

    @property
    def flow_modules(self) -> tuple[Node, ...]:
        """The flow without its functional steps (FLATTEN): all of a block's flow."""
        return tuple(step for step in self.flow if isinstance(step, Node))

    def child(self, local: str) -> Node:
        for c in self.children:
            if c.local == local:
                return c
        raise KeyError(local)

    def walk(self) -> list[Node]:
        """Every node in pre-order: the order of ``named_modules()``."""
        out, stack = [], [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out


def join_name(prefix: str, local: str) -> str:
    return f"{prefix}.{local}" if prefix else local


def _conv(
    name: str,
    c_in: int,
    c_out: int,
    k: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    groups: int = 1,
    bias: bool = False,
) -> Node:
    return Node(name, "Conv2d", c_in, c_out, k, stride, padding, dilation, groups, bias)


def _bn(name: str, c: int) -> Node:
    return Node(name, "BatchNorm2d", c, c)


def _make_divisible(v: float, divisor: int = 8) -> int:
    """timm's ``make_divisible`` with ``round_limit=0``: the nearest multiple, at least one."""
    return max(divisor, int(v + divisor / 2) // divisor * divisor)


def _attention(spec: ArchSpec, block: str, c: int) -> Node | None:
    """timm's ``SEModule`` (rd_ratio 1/16, divisor 8) or ``EcaModule`` (adaptive kernel)."""
    if spec.attention == "none":
        return None
    name = f"{block}.se"
    if spec.attention == "se":
        rd = _make_divisible(c / 16)
        kids: tuple[Node, ...] = (
            _conv(f"{name}.fc1", c, rd, 1, bias=True),
            Node(f"{name}.act", "ReLU", rd, rd),
            _conv(f"{name}.fc2", rd, c, 1, bias=True),
            Node(f"{name}.gate", "Sigmoid", c, c),
        )
        return Node(name, "SEModule", c, c, children=kids, flow=kids)
    if spec.attention == "eca":
        t = int(abs(log(c, 2) + 1) / 2)
        k = max(t if t % 2 else t + 1, 3)
        kids = (
            Node(f"{name}.conv", "Conv1d", 1, 1, k, padding=(k - 1) // 2),
            Node(f"{name}.gate", "Sigmoid", c, c),
        )
        return Node(name, "EcaModule", c, c, children=kids, flow=kids)
    return None


def _shortcut(spec: ArchSpec, name: str, c_in: int, c_out: int, stride: int) -> Node:
    if spec.shortcut == "pad":
        return Node(name, "PadShortcut", c_in, c_out, 1, stride)
    if spec.preact and spec.shortcut != "avg_down":
        # ResNet v2 projects the pre-activated input: a bare conv, no BN
        conv = _conv(f"{name}.0", c_in, c_out, 1, stride, bias=spec.conv_bias)
        return Node(name, "Sequential", c_in, c_out, children=(conv,), flow=(conv,))
    if spec.shortcut == "avg_down":  # timm's downsample_avg: no pool where nothing strides
        conv = _conv(f"{name}.1", c_in, c_out, 1, bias=spec.conv_bias)
        tail: tuple[Node, ...] = (conv,) if spec.preact else (conv, _bn(f"{name}.2", c_out))
        if stride == 1:
            pool = Node(f"{name}.0", "Identity", c_in, c_in)
        else:
            pool = Node(f"{name}.0", "AvgPool2d", c_in, c_in, 2, stride, ceil=True)
        parts: tuple[Node, ...] = (pool, *tail)
        return Node(name, "Sequential", c_in, c_out, children=parts, flow=parts)
    conv = _conv(
        f"{name}.0", c_in, c_out, 1, stride, bias=spec.conv_bias or spec.shortcut == "conv"
    )
    parts = (conv, _bn(f"{name}.1", c_out)) if spec.shortcut == "conv_bn" else (conv,)
    return Node(name, "Sequential", c_in, c_out, children=parts, flow=parts)


def _block(
    spec: ArchSpec,
    c_in: int,
    planes: int,
    stride: int,
    dilation: int,
    downsample: bool,
    name: str,
    drop_path: float,
) -> Node:
    """A residual block; the name and the drop path rate come last, since they alone differ
    between alike blocks (``describe`` binds the rest once per key)."""
    b = spec.conv_bias
    c_out = planes * spec.expansion
    if spec.preact:
        return _preact_block(spec, name, c_in, planes, stride, downsample, drop_path)
    # anti-aliasing: the 3×3 conv keeps the resolution and a pool strides after it
    aa = spec.aa != "none" and stride > 1
    conv_stride = 1 if aa else stride
    drop_block = _drop_block(spec, name)
    if spec.block == "basic":
        kids = [
            _conv(f"{name}.conv1", c_in, planes, 3, conv_stride, dilation, dilation, bias=b),
            _bn(f"{name}.bn1", planes),
            Node(f"{name}.relu", "ReLU", planes, planes),
            _conv(f"{name}.conv2", planes, planes, 3, 1, dilation, dilation, bias=b),
            _bn(f"{name}.bn2", planes),
        ]
        flow: list[Node] = list(kids[:5])  # conv1, bn1, relu, conv2, bn2
        kind, mid = "BasicBlock", planes
        relu, after_relu = kids[2], 3  # the anti-aliasing pool follows the first ReLU
        after_bn = 2  # timm's DropBlock follows the 3×3 conv's BN
    else:
        width = int(planes * (spec.width_per_group / 64.0)) * spec.groups
        kids = [
            _conv(f"{name}.conv1", c_in, width, 1, bias=b),
            _bn(f"{name}.bn1", width),
            _conv(
                f"{name}.conv2", width, width, 3, conv_stride, dilation, dilation, spec.groups, b
            ),
            _bn(f"{name}.bn2", width),
            _conv(f"{name}.conv3", width, c_out, 1, bias=b),
            _bn(f"{name}.bn3", c_out),
            Node(f"{name}.relu", "ReLU", c_out, c_out),
        ]
        c1, b1, c2, b2, c3, b3, relu = kids
        flow = [c1, b1, relu, c2, b2, relu, c3, b3]
        kind, mid = "Bottleneck", width
        after_relu, after_bn = 6, 5
    if aa:
        pool = _aa_pool(spec, f"{name}.aa", mid, stride)
        kids.append(pool)
        flow.insert(after_relu, pool)
    if drop_block:
        kids.append(drop_block)
        flow.insert(after_bn, drop_block)
    attention = _attention(spec, name, c_out)
    if attention:
        kids.append(attention)
        flow.append(attention)
    skip = _block_tail(spec, name, kids, flow, c_in, c_out, stride, downsample, drop_path)
    return Node(
        name,
        kind,
        c_in,
        c_out,
        stride=stride,
        dilation=dilation,
        children=tuple(kids),
        flow=tuple(flow),
        shortcut=skip,
        post=(relu,),
    )


def _drop_block(spec: ArchSpec, name: str) -> Node | None:
    """timm's ``drop_blocks``: DropBlock in the third stage (5×5 blocks, gamma scaled by ¼) and
    the fourth (3×3); none elsewhere, nor at rate 0."""
    if not spec.drop_block_rate:
        return None
    stage = int(name.split(".")[0].removeprefix("layer"))
    if stage not in (3, 4):
        return None
    size, scale = (5, 0.25) if stage == 3 else (3, 1.0)
    return Node(
        f"{name}.drop_block", "DropBlock2d", kernel=size, rate=spec.drop_block_rate, scale=scale
    )


def _block_tail(
    spec: ArchSpec,
    name: str,
    kids: list[Node],
    flow: list[Node],
    c_in: int,
    c_out: int,
    stride: int,
    downsample: bool,
    drop_path: float,
) -> Node | None:
    """What every block ends with: stochastic depth on the main path (timm's ``drop_path``),
    and the shortcut when the block changes shape; returns the shortcut."""
    if drop_path > 0:
        drop = Node(f"{name}.drop_path", "DropPath", c_out, c_out, rate=drop_path)
        kids.append(drop)
        flow.append(drop)
    skip = _shortcut(spec, f"{name}.downsample", c_in, c_out, stride) if downsample else None
    if skip:
        kids.append(skip)
    return skip


def _preact_block(
    spec: ArchSpec,
    name: str,
    c_in: int,
    planes: int,
    stride: int,
    downsample: bool,
    drop_path: float,
) -> Node:
    """timm's ``PreActBasic`` / ``PreActBottleneck``: BN-ReLU before each conv, no ReLU after."""
    b = spec.conv_bias
    c_out = planes * spec.expansion
    chans: tuple[int, ...]
    kernels: tuple[int, ...]
    strides: tuple[int, ...]
    if spec.block == "basic":
        kind, chans, kernels = "BasicBlock", (c_in, planes, planes), (3, 3)
        strides = (stride, 1)
    else:
        width = int(planes * (spec.width_per_group / 64.0)) * spec.groups
        kind, chans, kernels = "Bottleneck", (c_in, width, width, c_out), (1, 3, 1)
        strides = (1, stride, 1)
    chans = (*chans[:-1], c_out)
    relu = Node(f"{name}.relu", "ReLU", c_in, c_in)
    kids: list[Node] = []
    flow: list[Node] = []
    for i, k in enumerate(kernels):
        bn = _bn(f"{name}.bn{i + 1}", chans[i])
        groups = spec.groups if k == 3 and spec.block == "bottleneck" else 1
        conv = _conv(
            f"{name}.conv{i + 1}", chans[i], chans[i + 1], k, strides[i], k // 2, 1, groups, b
        )
        kids += [bn, conv]
        flow += [bn, relu, conv] if i else [conv]
    kids.insert(1, relu)
    pre = (kids[0], relu)
    skip = _block_tail(spec, name, kids, flow, c_in, c_out, stride, downsample, drop_path)
    return Node(
        name,
        kind,
        c_in,
        c_out,
        stride=stride,
        children=tuple(kids),
        flow=tuple(flow),
        shortcut=skip,
        pre=pre,
    )


def _deep_stem(spec: ArchSpec, c_out: int) -> Node:
    """timm's deep stem ``conv1``: three 3×3 convs, the first stride 2, with BN and ReLU between."""
    assert spec.stem_width is not None
    w = spec.stem_width
    first = 3 * (w // 4) if spec.stem == "deep_tiered" else w
    b = spec.conv_bias
    kids = (
        _conv("conv1.0", spec.in_channels, first, 3, 2, 1, bias=b),
        _bn("conv1.1", first),
        Node("conv1.2", "ReLU", first, first),
        _conv("conv1.3", first, w, 3, 1, 1, bias=b),
        _bn("conv1.4", w),
        Node("conv1.5", "ReLU", w, w),
        _conv("conv1.6", w, c_out, 3, 1, 1, bias=b),
    )
    return Node("conv1", "Sequential", spec.in_channels, c_out, children=kids, flow=kids)


def _aa_pool(spec: ArchSpec, name: str, c: int, stride: int = 2) -> Node:
    """timm's anti-aliasing pool: a 2×2 average pool, or a 3×3 binomial blur (``BlurPool2d``:
    reflect-padded by 1, one fixed filter per channel, no parameters)."""
    if spec.aa == "blur":
        return Node(name, "BlurPool2d", c, c, 3, stride, 1, groups=c)
    return Node(name, "AvgPool2d", c, c, 2, stride)


def _stem_pool(spec: ArchSpec, c: int) -> list[Node]:
    """timm's ``maxpool``: a max-pool (with anti-aliasing: a 2×2 average pool, or a stride-1
    max-pool then a blur pool), or a stride-2 conv, BN and ReLU (``replace_stem_pool``)."""
    if spec.stem_pool == "none":
        return []
    if spec.stem_pool == "conv":
        aa = spec.aa != "none"
        kids = [_conv("maxpool.0", c, c, 3, 1 if aa else 2, 1, bias=spec.conv_bias)]
        if aa:
            kids.append(_aa_pool(spec, "maxpool.1", c))
        kids += [_bn(f"maxpool.{len(kids)}", c), Node(f"maxpool.{len(kids) + 1}", "ReLU", c, c)]
        return [Node("maxpool", "Sequential", c, c, children=tuple(kids), flow=tuple(kids))]
    if spec.aa == "avg":  # timm's resnetaa: the max-pool becomes a 2×2 average pool
        return [Node("maxpool", "AvgPool2d", c, c, 2, 2)]
    if spec.aa == "blur":
        parts = (Node("maxpool.0", "MaxPool2d", c, c, 3, 1, 1), _aa_pool(spec, "maxpool.1", c))
        return [Node("maxpool", "Sequential", c, c, children=parts, flow=parts)]
    return [Node("maxpool", "MaxPool2d", c, c, 3, 2, 1)]


def _stem(spec: ArchSpec) -> list[Node]:
    stem_w = spec.stem_channels
    b = spec.conv_bias
    if spec.stem in DEEP_STEMS:
        conv = _deep_stem(spec, stem_w)
    elif spec.stem == "imagenet":
        conv = _conv("conv1", spec.in_channels, stem_w, 7, 2, 3, bias=b)
    else:
        conv = _conv("conv1", spec.in_channels, stem_w, 3, 1, 1, bias=b)
    if spec.preact:  # ResNet v2: the blocks normalise their input, so the stem does not
        return [conv, *_stem_pool(spec, stem_w)]
    return [
        conv,
        _bn("bn1", stem_w),
        Node("relu", "ReLU", stem_w, stem_w),
        *_stem_pool(spec, stem_w),
    ]


@lru_cache(maxsize=128)
def describe(spec: ArchSpec) -> Node:
    """The network of ``spec`` as a tree of nodes (cached: specs are frozen and hashable)."""
    stem = _stem(spec)
    stem_w = spec.stem_channels
    # timm's linear rule for drop path: 0 at the first block, the rate at the last
    last, block_index = max(sum(spec.layers) - 1, 1), 0
    stages = []
    c_in, dilation = stem_w, 1
    made: dict[tuple[int | bool, ...], Node] = {}  # the first block of each key
    makers: dict[tuple[int | bool, ...], Callable[[str, float], Node]] = {}  # and what made it
    for i, (n_blocks, planes) in enumerate(zip(spec.layers, spec.widths, strict=True)):
        name = f"layer{i + 1}"
        stride = 1 if i == 0 else 2
        previous_dilation = dilation
        if i > 0 and spec.replace_stride_with_dilation[i - 1]:
            dilation *= stride
            stride = 1
        c_out = planes * spec.expansion
        blocks = []
        first_args, rest_args = (c_in, stride, previous_dilation), (c_out, 1, dilation)
        for j in range(n_blocks):
            # _block's arguments but the name and the rate: all it depends on (the stage, for
            # DropBlock, is in the name)
            args = rest_args if j else first_args
            down = not j and (stride != 1 or c_in != c_out)
            rate, block_index = spec.drop_path_rate * block_index / last, block_index + 1
            key = (i, *args, planes, down, rate > 0)
            first = made.get(key)
            if first is None:
                make = makers[key] = partial(_block, spec, args[0], planes, *args[1:], down)
                block = made[key] = make(f"{name}.{j}", rate)
                block.key, block.rate = key, rate
            else:
                block = first.deferred(f"{name}.{j}", rate, makers[key])
            blocks.append(block)
        stages.append(
            Node(name, "Sequential", c_in, c_out, children=tuple(blocks), flow=tuple(blocks))
        )
        c_in = c_out
    head = [Node("avgpool", "AdaptiveAvgPool2d", c_in, c_in, 1)]
    if spec.preact:  # ResNet v2's final BN and ReLU, as timm's ``norm``
        head[:0] = [_bn("norm", c_in), Node("act", "ReLU", c_in, c_in)]
    if spec.drop_rate > 0:  # timm drops out the pooled features (functionally) before fc
        head.append(Node("dropout", "Dropout", c_in, c_in, rate=spec.drop_rate))
    head.append(Node("fc", "Linear", c_in, spec.num_classes, bias=True))
    children = (*stem, *stages, *head)
    flow: tuple[Node | Flatten, ...] = (*children[:-1], FLATTEN, children[-1])
    return Node("", "ResNet", spec.in_channels, spec.num_classes, children=children, flow=flow)

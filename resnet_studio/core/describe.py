"""The one description of the network: a tree of named layers and how data flows through them.

``describe(spec)`` returns the root :class:`Node`. The analysis walks it with arithmetic and the
builder instantiates it as modules, so the two cannot disagree. Names follow torchvision's
``ResNet`` exactly (``conv1``, ``layer3.4.conv2``, ``layer2.0.downsample.0``, ``fc``), and so do
the order of registration and the order of application.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from .spec import ArchSpec

FLATTEN: Final = "<flatten>"  # a functional step in a container's flow, not a module
Flatten = Literal["<flatten>"]  # the type of FLATTEN: `step == FLATTEN` narrows a flow's step
RESIDUAL_KINDS = ("BasicBlock", "Bottleneck")


@dataclass(slots=True, eq=False)
class Node:
    """One module of the network. Leaves carry their arguments; containers carry their flow.

    Treat as read-only: descriptions are cached and shared.
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


def _shortcut(spec: ArchSpec, name: str, c_in: int, c_out: int, stride: int) -> Node:
    if spec.shortcut == "pad":
        return Node(name, "PadShortcut", c_in, c_out, 1, stride)
    conv = _conv(
        f"{name}.0", c_in, c_out, 1, stride, bias=spec.conv_bias or spec.shortcut == "conv"
    )
    parts = (conv, _bn(f"{name}.1", c_out)) if spec.shortcut == "conv_bn" else (conv,)
    return Node(name, "Sequential", c_in, c_out, children=parts, flow=parts)


def _block(
    spec: ArchSpec, name: str, c_in: int, planes: int, stride: int, dilation: int, downsample: bool
) -> Node:
    b = spec.conv_bias
    c_out = planes * spec.expansion
    if spec.block == "basic":
        kids = [
            _conv(f"{name}.conv1", c_in, planes, 3, stride, dilation, dilation, bias=b),
            _bn(f"{name}.bn1", planes),
            Node(f"{name}.relu", "ReLU", planes, planes),
            _conv(f"{name}.conv2", planes, planes, 3, 1, dilation, dilation, bias=b),
            _bn(f"{name}.bn2", planes),
        ]
        flow: Sequence[Node] = kids[:5]  # conv1, bn1, relu, conv2, bn2
        kind = "BasicBlock"
    else:
        width = int(planes * (spec.width_per_group / 64.0)) * spec.groups
        kids = [
            _conv(f"{name}.conv1", c_in, width, 1, bias=b),
            _bn(f"{name}.bn1", width),
            _conv(f"{name}.conv2", width, width, 3, stride, dilation, dilation, spec.groups, b),
            _bn(f"{name}.bn2", width),
            _conv(f"{name}.conv3", width, c_out, 1, bias=b),
            _bn(f"{name}.bn3", c_out),
            Node(f"{name}.relu", "ReLU", c_out, c_out),
        ]
        c1, b1, c2, b2, c3, b3, relu = kids
        flow = (c1, b1, relu, c2, b2, relu, c3, b3)
        kind = "Bottleneck"
    relu = kids[2] if spec.block == "basic" else kids[6]
    skip = _shortcut(spec, f"{name}.downsample", c_in, c_out, stride) if downsample else None
    if skip:
        kids.append(skip)
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


@lru_cache(maxsize=128)
def describe(spec: ArchSpec) -> Node:
    """The network of ``spec`` as a tree of nodes (cached: specs are frozen and hashable)."""
    stem_w = spec.widths[0]
    b = spec.conv_bias
    if spec.stem == "imagenet":
        stem = [
            _conv("conv1", spec.in_channels, stem_w, 7, 2, 3, bias=b),
            _bn("bn1", stem_w),
            Node("relu", "ReLU", stem_w, stem_w),
            Node("maxpool", "MaxPool2d", stem_w, stem_w, 3, 2, 1),
        ]
    else:
        stem = [
            _conv("conv1", spec.in_channels, stem_w, 3, 1, 1, bias=b),
            _bn("bn1", stem_w),
            Node("relu", "ReLU", stem_w, stem_w),
        ]
    stages = []
    c_in, dilation = stem_w, 1
    for i, (n_blocks, planes) in enumerate(zip(spec.layers, spec.widths, strict=True)):
        name = f"layer{i + 1}"
        stride = 1 if i == 0 else 2
        previous_dilation = dilation
        if i > 0 and spec.replace_stride_with_dilation[i - 1]:
            dilation *= stride
            stride = 1
        c_out = planes * spec.expansion
        blocks = [
            _block(
                spec,
                f"{name}.0",
                c_in,
                planes,
                stride,
                previous_dilation,
                stride != 1 or c_in != c_out,
            )
        ]
        blocks += [
            _block(spec, f"{name}.{j}", c_out, planes, 1, dilation, False)
            for j in range(1, n_blocks)
        ]
        stages.append(
            Node(name, "Sequential", c_in, c_out, children=tuple(blocks), flow=tuple(blocks))
        )
        c_in = c_out
    head = [
        Node("avgpool", "AdaptiveAvgPool2d", c_in, c_in, 1),
        Node("fc", "Linear", c_in, spec.num_classes, bias=True),
    ]
    children = (*stem, *stages, *head)
    flow: tuple[Node | Flatten, ...] = (*children[:-1], FLATTEN, children[-1])
    return Node("", "ResNet", spec.in_channels, spec.num_classes, children=children, flow=flow)

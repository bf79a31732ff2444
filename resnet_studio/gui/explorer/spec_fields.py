"""The spec panel's one table of fields: for each field of the spec document, the kind of
control, the panel's label (the words its error sentences use), its range or choices, and its
tooltip. The panel builds, reads, fills and marks its controls from this table alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resnet_studio.core.analysis import DTYPE_BYTES
from resnet_studio.core.document import MAX_BATCH
from resnet_studio.core.errors import SpecError
from resnet_studio.core.spec import (
    ANTI_ALIASING,
    ATTENTIONS,
    BLOCKS,
    DEEP_STEM_WIDTH,
    MAX_INPUT_SIDE,
    MAX_WIDTH,
    SHORTCUTS,
    STEM_POOLS,
    STEMS,
)

ARCH, TIMM, DATA, MEMORY = (
    "Architecture",
    "Advanced (timm's options)",
    "Input and output",
    "Memory figures",
)
GROUPS = (ARCH, TIMM, DATA, MEMORY)


@dataclass(frozen=True)
class Field:
    """One row of the panel. ``kind``: "combo" (``choices``), "count" (a whole number from
    ``low`` to ``high``), "rate" (0 to 0.99), "check" (``label`` is the box's text), "stages"
    (the per-stage grid of blocks, width, dilate) or "size" (height × width)."""

    name: str  # the spec document's field (batch_size and dtype included)
    attr: str  # the panel's attribute holding the control
    kind: str
    label: str
    group: str
    tip: str
    choices: tuple[str, ...] = ()
    low: int = 1
    high: int = MAX_WIDTH
    default: Any = None
    why: str = ""  # why the limit, after the range in the tooltip


FIELDS: tuple[Field, ...] = (
    Field(
        "block",
        "block",
        "combo",
        "Block",
        ARCH,
        "basic: two 3×3 convs (×1); bottleneck: 1×1, 3×3, 1×1 (×4 wider out)",
        tuple(BLOCKS),
    ),
    Field("layers", "stages", "stages", "Stages", ARCH, "Blocks, width and dilation per stage"),
    Field(
        "groups",
        "groups",
        "count",
        "Groups",
        ARCH,
        "Groups of the bottleneck's 3×3 conv (ResNeXt: 32)",
        default=1,
    ),
    Field(
        "width_per_group",
        "width_per_group",
        "count",
        "Width per group",
        ARCH,
        "Channels per group at width 64 (ResNeXt 4 or 8, Wide ResNet 128, ResNet 64)",
        default=64,
    ),
    Field(
        "stem",
        "stem",
        "combo",
        "Stem",
        ARCH,
        "imagenet: 7×7 stride-2 conv, then the stem pool (¼ the size); "
        "cifar: 3×3 stride-1 conv, no pool; deep: three 3×3 convs (timm's ResNet-C/D); "
        "deep_tiered: the same, 24-32-64 wide (timm's 't' variants)",
        STEMS,
    ),
    Field(
        "shortcut",
        "shortcut",
        "combo",
        "Shortcut",
        ARCH,
        "Where a block changes shape: conv_bn (1×1 conv + BN), "
        "conv (1×1 conv with bias), pad (zero-padded identity), "
        "avg_down (2×2 average pool, then 1×1 conv + BN: ResNet-D)",
        SHORTCUTS,
    ),
    Field(
        "conv_bias",
        "conv_bias",
        "check",
        "Conv biases",
        ARCH,
        "Give every conv of the stem and blocks a bias",
    ),
    Field(
        "zero_init_residual",
        "zero_init",
        "check",
        "Zero-init residual",
        ARCH,
        "Start each block's last batch norm at zero",
    ),
    Field(
        "stem_width",
        "stem_width",
        "count",
        "Deep stem width",
        TIMM,
        "Width of a deep stem's first convs; it outputs twice it",
        default=DEEP_STEM_WIDTH,
    ),
    Field(
        "stem_pool",
        "stem_pool",
        "combo",
        "Stem pool",
        TIMM,
        "After the stem: max (3×3 stride-2 max-pool), conv (3×3 stride-2 conv + BN + "
        "ReLU, timm's replace_stem_pool) or none; changing the stem picks its own",
        STEM_POOLS,
    ),
    Field(
        "attention",
        "attention",
        "combo",
        "Attention",
        TIMM,
        "Channel attention after each block's last BN: se (squeeze-and-excitation, 1/16), "
        "eca (efficient channel attention, a 1-D conv)",
        ATTENTIONS,
    ),
    Field(
        "aa",
        "aa",
        "combo",
        "Anti-aliasing",
        TIMM,
        "Anti-aliased downsampling: avg moves each stride into a 2×2 average pool "
        "(timm's resnetaa; the input's sides must then divide by the total stride), "
        "blur into a 3×3 binomial blur pool (timm's resnetblur)",
        ANTI_ALIASING,
    ),
    Field(
        "preact",
        "preact",
        "check",
        "Pre-activation blocks (ResNet v2)",
        TIMM,
        "BN and ReLU before each conv, a final BN before the pool",
    ),
    Field(
        "drop_path_rate",
        "drop_path_rate",
        "rate",
        "Drop path rate",
        TIMM,
        "Stochastic depth: rising to this rate at the last block",
    ),
    Field("drop_rate", "drop_rate", "rate", "Dropout", TIMM, "Dropout before the classifier"),
    Field(
        "drop_block_rate",
        "drop_block_rate",
        "rate",
        "DropBlock rate",
        TIMM,
        "timm's DropBlock after the 3×3 conv's BN in layer3 (5×5 blocks, ¼ the rate) and "
        "layer4 (3×3)",
    ),
    Field(
        "in_channels",
        "in_channels",
        "count",
        "Channels",
        DATA,
        "Input channels: 1 for gray, 3 for RGB",
        default=3,
    ),
    Field(
        "input_size",
        "input_size",
        "size",
        "Height × width",
        DATA,
        "Input height and width in pixels",
        high=MAX_INPUT_SIDE,
        default=224,
    ),
    Field(
        "num_classes",
        "num_classes",
        "count",
        "Classes",
        DATA,
        "Outputs of the classifier",
        high=1_000_000,
        default=1000,
    ),
    Field(
        "batch_size",
        "batch",
        "count",
        "Batch size",
        MEMORY,
        "Batch size for shapes, MACs and memory",
        high=MAX_BATCH,
        default=1,
    ),
    Field(
        "dtype",
        "dtype",
        "combo",
        "Dtype",
        MEMORY,
        "Number format for the memory figures",
        tuple(DTYPE_BYTES),
    ),
)
BY_NAME = {f.name: f for f in FIELDS}
STAGE_COLUMNS = {
    "layers": (1, "blocks"),
    "widths": (2, "width"),
    "replace_stride_with_dilation": (
        3,
        "dilate",
    ),
}


def words(field: str, index: int | None = None) -> str:
    """The panel's words for a field, or for one item of it: "Classes", "layer2 blocks",
    "Height"; a field the panel has no row for keeps its name."""
    if field in STAGE_COLUMNS:
        what = STAGE_COLUMNS[field][1]
        if field == "replace_stride_with_dilation" and index is not None:
            index += 1  # one flag per stage after the first
        return f"layer{index + 1} {what}" if index is not None else f"stage {what}"
    if field == "input_size" and index is not None:
        return ("Height", "Width")[index]
    f = BY_NAME.get(field)
    return f.label if f else field


def spoken(error: SpecError) -> SpecError:
    """``error`` in the panel's words ("layer2 blocks is 0", "Classes is 0")."""
    return error.spoken(words(error.field, error.index))

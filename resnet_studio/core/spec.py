"""ArchSpec: the frozen, self-validating description of one ResNet-family architecture.

Every field is checked when a spec is created; an invalid one raises :class:`SpecError`
with one sentence naming the field, the value and what would work. Whole-network checks
(an input too small for some layer, weights too large for memory) run through the
analysis, so the spec, the analysis and the builder read one description of the network.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from .analysis import check_network
from .describe import DEEP_STEMS as DEEP_STEMS  # the spec's choices, for its readers
from .errors import SpecError
from .preset_table import PRESETS, preset_fields
from .words import closest, plural

BLOCKS = {"basic": 1, "bottleneck": 4}  # block type -> expansion of the stage's width
STEMS = ("imagenet", "cifar", "deep", "deep_tiered")
SHORTCUTS = ("conv_bn", "conv", "pad", "avg_down")
ATTENTIONS = ("none", "se", "eca")
ANTI_ALIASING = ("none", "avg", "blur")
STEM_POOLS = ("max", "conv", "none")
DEEP_STEM_WIDTH = 32  # timm's stem_width for the c, d and t variants
MAX_STAGES = 6
MAX_BLOCKS_PER_STAGE = 512  # resnet1202 (CIFAR) has 200 per stage
MAX_WIDTH = 16384
MAX_INPUT_SIDE = 65536


def own_stem_pool(stem: str) -> str:
    """The pool after ``stem`` when a spec names none: none after the CIFAR stem, else max."""
    return "none" if stem == "cifar" else "max"


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _count(
    field: str,
    v: Any,
    low: int = 1,
    high: int | None = None,
    what: str = "",
    index: int | None = None,
) -> int:
    """A whole number in [low, high], or a SpecError that says so (``what`` and ``index`` name
    the item of a list field: "[1]" and 1 for a stage, " height" and 0 for the input's)."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    label = f"{field}{what}"
    if not _is_int(v):
        raise SpecError(
            field, v, f"{label} must be a whole number, not {v!r}", subject=label, index=index
        )
    if v < low:
        raise SpecError(
            field,
            v,
            f"{label} is {v}",
            f"it must be at least {low}",
            subject=label,
            index=index,
            nearest=low,
        )
    if high is not None and v > high:
        raise SpecError(
            field,
            v,
            f"{label} is {v}",
            f"it can be at most {high}",
            subject=label,
            index=index,
            nearest=high,
        )
    return v


def _counts(field: str, v: Any, high: int | None) -> tuple[int, ...]:
    if isinstance(v, str):
        v = [p for p in v.replace(" ", "").split(",") if p]
        try:
            v = [int(p) for p in v]
        except ValueError:
            raise SpecError(
                field, v, f"{field} must be whole numbers separated by commas", subject=field
            ) from None
    if _is_int(v):
        v = (v,)
    try:
        items = tuple(v)
    except TypeError:
        raise SpecError(
            field, v, f"{field} must be a list of whole numbers, not {v!r}", subject=field
        ) from None
    return tuple(_count(field, x, 1, high, f"[{i}]", i) for i, x in enumerate(items))


def _choice(field: str, v: Any, choices: tuple[str, ...]) -> str:
    if v not in choices:
        raise SpecError(
            field, v, f"{field} '{v}' is not known", closest(str(v), choices), subject=field
        )
    return str(v)


def _flag(field: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise SpecError(field, v, f"{field} must be true or false, not {v!r}", subject=field)
    return v


def _rate(field: str, v: Any) -> float:
    """A probability in [0, 1), or a SpecError that says so."""
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise SpecError(field, v, f"{field} must be a number from 0 to 1, not {v!r}", subject=field)
    if not 0.0 <= v < 1.0:
        raise SpecError(
            field,
            v,
            f"{field} is {v}",
            "it must be at least 0 and below 1",
            subject=field,
            nearest=0.0 if v < 0 else 0.99,
        )
    return float(v)


def _size(v: Any) -> tuple[int, int]:
    if isinstance(v, str):
        parts = v.lower().replace("×", "x").split("x")
        try:
            v = tuple(int(p) for p in parts)
            v = v[0] if len(v) == 1 else v
        except ValueError:
            raise SpecError(
                "input_size",
                v,
                f"input_size '{v}' is not a size",
                "write 224 or 224x160 (height x width)",
            ) from None
    if _is_int(v) or (isinstance(v, float) and v.is_integer()):
        v = (v, v)
    if not isinstance(v, (tuple, list)) or len(v) != 2:
        raise SpecError(
            "input_size", v, f"input_size must be one number or a (height, width) pair, not {v!r}"
        )
    h = _count("input_size", v[0], 1, MAX_INPUT_SIDE, " height", 0)
    w = _count("input_size", v[1], 1, MAX_INPUT_SIDE, " width", 1)
    return (h, w)


@dataclass(frozen=True)
class ArchSpec:
    """A ResNet-family architecture, torchvision's ``ResNet`` generalised.

    Fields (also the keyword names of :meth:`from_preset` overrides and the CLI flags):

    - ``block``: ``"basic"`` (two 3×3 convs, expansion 1) or ``"bottleneck"`` (1×1, 3×3, 1×1,
      expansion 4).
    - ``layers``: blocks per stage, 1 to 6 stages.
    - ``widths``: each stage's base width (``planes``); a stage outputs ``width × expansion``
      channels, and the stem outputs ``widths[0]``. ``None`` means 64 doubling per stage.
    - ``groups`` and ``width_per_group``: the grouped 3×3 conv of a bottleneck has
      ``width × width_per_group / 64 × groups`` channels (ResNeXt: 32 groups of 4;
      Wide ResNet: 1 group of 128). A basic block needs 1 and 64.
    - ``stem``: ``"imagenet"`` (7×7 stride-2 conv, BN, ReLU) or ``"cifar"`` (3×3 stride-1
      conv, BN, ReLU), or timm's ``"deep"`` (ResNet-C: three 3×3 convs of ``stem_width``,
      ``stem_width`` and ``2 × stem_width`` channels, the first stride 2, then BN and ReLU) or
      ``"deep_tiered"`` (the same with ``3 × (stem_width // 4)`` channels first: 24-32-64, the
      "t" variants); each followed by ``stem_pool``.
    - ``stem_pool``: ``"max"`` (3×3 stride-2 max-pool), ``"conv"`` (timm's
      ``replace_stem_pool``: a 3×3 stride-2 conv, BN and ReLU) or ``"none"``. ``None``: the
      stem's own, ``"none"`` after the CIFAR stem and ``"max"`` after the others.
    - ``stem_width``: the deep stems' width (``None``: 32, as timm's resnet50d); a deep stem
      outputs twice it. Only for the deep stems.
    - ``shortcut`` where a block changes shape: ``"conv_bn"`` (1×1 conv + BN, torchvision),
      ``"conv"`` (1×1 conv with bias, Dive into Deep Learning) or ``"pad"`` (the paper's
      option A: strided identity with zero-padded channels, no parameters) or ``"avg_down"``
      (ResNet-D: 2×2 average pool where the block strides, then 1×1 conv + BN).
    - ``attention`` in each block, after its last BN: ``"none"``, ``"se"`` (timm's
      squeeze-and-excitation: reduction 1/16 rounded to a multiple of 8, biases) or ``"eca"``
      (efficient channel attention, a 1-D conv whose kernel timm derives from the channels).
    - ``aa``: anti-aliased downsampling, ``"none"``, ``"avg"`` (timm's resnetaa: a block's
      stride moves from its 3×3 conv to a 2×2 average pool after it, and the stem's max-pool
      becomes a 2×2 average pool) or ``"blur"`` (timm's resnetblur: the stride moves into a
      3×3 binomial blur pool instead, and the stem's max-pool keeps stride 1 before one).
    - ``preact``: pre-activation blocks (ResNet v2, timm's resnetv2): BN and ReLU before each
      conv, the projection shortcut a bare conv on the pre-activated input, no ReLU after the
      add, no BN at the stem's end, and a final BN and ReLU before the pool; ``avg_down``
      shortcuts pool then project with a bare conv (timm's resnetv2_50d). Without attention,
      anti-aliasing, a conv stem pool or dilation.
    - ``drop_path_rate`` (stochastic depth, rising linearly from 0 at the first block to the
      rate at the last, as timm), ``drop_rate`` (dropout before the classifier) and
      ``drop_block_rate`` (timm's DropBlock after the 3×3 conv's BN in the third and fourth
      stages, 5×5 blocks at a quarter of the rate in the third, 3×3 in the fourth): training
      only; they add no parameters and change no shape.
    - ``conv_bias``: give every conv of the stem and blocks a bias.
    - ``in_channels``, ``input_size`` ((height, width); an int means square), ``num_classes``.
    - ``zero_init_residual``: start each block's last BN at zero, as torchvision offers.
    - ``replace_stride_with_dilation``: per stage after the first, keep the resolution and
      dilate instead of striding (bottleneck only, as in torchvision). ``None``: all False.
    """

    block: str = "basic"
    layers: tuple[int, ...] = (2, 2, 2, 2)
    # None (the default) until __post_init__ makes it 64 doubling per stage
    widths: tuple[int, ...] = cast("tuple[int, ...]", None)
    groups: int = 1
    width_per_group: int = 64
    stem: str = "imagenet"
    shortcut: str = "conv_bn"
    conv_bias: bool = False
    in_channels: int = 3
    input_size: tuple[int, int] = (224, 224)
    num_classes: int = 1000
    zero_init_residual: bool = False
    # None (the default) until __post_init__ makes it all False
    replace_stride_with_dilation: tuple[bool, ...] = cast("tuple[bool, ...]", None)
    # timm's options (issue 14); the defaults leave torchvision's networks as they are
    stem_width: int | None = None
    attention: str = "none"
    aa: str = "none"
    drop_path_rate: float = 0.0
    drop_rate: float = 0.0
    preact: bool = False
    # None (the default) until _check_timm_options makes it the stem's own pool
    stem_pool: str = cast("str", None)
    drop_block_rate: float = 0.0

    if TYPE_CHECKING:
        # What the constructor accepts. __post_init__ turns each value into its field's type
        # ("2,2,2,2" and lists into tuples, 224 and "224x160" into a size, None into the
        # default), so the fields' hints above hold for every reader of a spec.
        def __init__(
            self,
            block: str = ...,
            layers: Sequence[int] | str = ...,
            widths: Sequence[int] | str | None = ...,
            groups: int = ...,
            width_per_group: int = ...,
            stem: str = ...,
            shortcut: str = ...,
            conv_bias: bool = ...,
            in_channels: int = ...,
            input_size: int | Sequence[int] | str = ...,
            num_classes: int = ...,
            zero_init_residual: bool = ...,
            replace_stride_with_dilation: Sequence[bool] | None = ...,
            stem_width: int | None = ...,
            attention: str = ...,
            aa: str = ...,
            drop_path_rate: float = ...,
            drop_rate: float = ...,
            preact: bool = ...,
            stem_pool: str | None = ...,
            drop_block_rate: float = ...,
        ) -> None: ...

    def __post_init__(self) -> None:
        s = object.__setattr__
        s(self, "block", _choice("block", self.block, tuple(BLOCKS)))
        layers = _counts("layers", self.layers, MAX_BLOCKS_PER_STAGE)
        if not 1 <= len(layers) <= MAX_STAGES:
            raise SpecError(
                "layers",
                self.layers,
                f"layers has {plural(len(layers), 'stage')}",
                f"give 1 to {plural(MAX_STAGES, 'stage')}, such as 2,2,2,2",
            )
        s(self, "layers", layers)
        n = len(layers)
        widths = tuple(64 * 2**i for i in range(n)) if self.widths is None else self.widths
        widths = _counts("widths", widths, MAX_WIDTH)
        if len(widths) != n:
            raise SpecError(
                "widths",
                self.widths,
                f"widths has {plural(len(widths), 'entry')} but layers has {plural(n, 'stage')}",
                f"give one width per stage ({n})",
            )
        s(self, "widths", widths)
        s(self, "groups", _count("groups", self.groups, 1, MAX_WIDTH))
        s(self, "width_per_group", _count("width_per_group", self.width_per_group, 1, MAX_WIDTH))
        s(self, "stem", _choice("stem", self.stem, STEMS))
        s(self, "shortcut", _choice("shortcut", self.shortcut, SHORTCUTS))
        s(self, "conv_bias", _flag("conv_bias", self.conv_bias))
        s(self, "in_channels", _count("in_channels", self.in_channels, 1, MAX_WIDTH))
        s(self, "input_size", _size(self.input_size))
        s(self, "num_classes", _count("num_classes", self.num_classes, 1, 1_000_000))
        s(self, "zero_init_residual", _flag("zero_init_residual", self.zero_init_residual))
        dil = self.replace_stride_with_dilation
        if dil is not None and not isinstance(dil, (list, tuple)):
            raise SpecError(
                "replace_stride_with_dilation",
                dil,
                "replace_stride_with_dilation must be a list of true/false values",
                f"give one per stage after the first ({n - 1})",
            )
        dil = (False,) * (n - 1) if dil is None else tuple(dil)
        if len(dil) != n - 1:
            raise SpecError(
                "replace_stride_with_dilation",
                dil,
                f"replace_stride_with_dilation has {plural(len(dil), 'entry')}",
                f"give one per stage after the first ({n - 1})",
            )
        s(
            self,
            "replace_stride_with_dilation",
            tuple(_flag("replace_stride_with_dilation", d) for d in dil),
        )
        self._check_timm_options()
        self._check_blocks()
        check_network(self)  # the network-level checks read the description

    def _check_timm_options(self) -> None:
        s = object.__setattr__
        if self.stem in DEEP_STEMS:
            width = DEEP_STEM_WIDTH if self.stem_width is None else self.stem_width
            low = 4 if self.stem == "deep_tiered" else 1
            s(self, "stem_width", _count("stem_width", width, low, MAX_WIDTH))
        elif self.stem_width is not None:
            raise SpecError(
                "stem_width",
                self.stem_width,
                f"stem_width applies only to the deep stems, not to stem '{self.stem}'",
                "use stem 'deep' or 'deep_tiered', or leave stem_width empty",
                subject="stem_width",
            )
        s(self, "attention", _choice("attention", self.attention, ATTENTIONS))
        s(self, "aa", _choice("aa", self.aa, ANTI_ALIASING))
        s(self, "drop_path_rate", _rate("drop_path_rate", self.drop_path_rate))
        s(self, "drop_rate", _rate("drop_rate", self.drop_rate))
        s(self, "drop_block_rate", _rate("drop_block_rate", self.drop_block_rate))
        s(self, "preact", _flag("preact", self.preact))
        pool = own_stem_pool(self.stem) if self.stem_pool is None else self.stem_pool
        s(self, "stem_pool", _choice("stem_pool", pool, STEM_POOLS))
        dilated = any(self.replace_stride_with_dilation)
        if self.preact:
            for field, value, bad in (
                ("stem_pool", self.stem_pool, self.stem_pool == "conv"),
                ("drop_block_rate", self.drop_block_rate, self.drop_block_rate > 0),
                ("attention", self.attention, self.attention != "none"),
                ("aa", self.aa, self.aa != "none"),
                ("replace_stride_with_dilation", self.replace_stride_with_dilation, dilated),
            ):
                if bad:
                    raise SpecError(
                        field,
                        value,
                        f"pre-activation blocks do not support {field} {value!r}",
                        "turn preact off, or use the default for " + field,
                    )
        for field, value, used in (
            ("shortcut", "avg_down", self.shortcut == "avg_down"),
            ("aa", self.aa, self.aa != "none"),
        ):
            if used and dilated:
                raise SpecError(
                    field,
                    value,
                    f"{field} '{value}' does not support dilation",
                    "set replace_stride_with_dilation to all false",
                )

    def _check_blocks(self) -> None:
        if self.block == "basic":
            if self.groups != 1 or self.width_per_group != 64:
                raise SpecError(
                    "groups" if self.groups != 1 else "width_per_group",
                    self.groups if self.groups != 1 else self.width_per_group,
                    f"a basic block supports only groups=1 and width_per_group=64, "
                    f"not groups={self.groups} and "
                    f"width_per_group={self.width_per_group}",
                    "use block 'bottleneck' for ResNeXt or wide networks",
                )
            if any(self.replace_stride_with_dilation):
                raise SpecError(
                    "replace_stride_with_dilation",
                    self.replace_stride_with_dilation,
                    "a basic block does not support dilation",
                    "use block 'bottleneck' or set replace_stride_with_dilation to all false",
                )
        else:
            for i, w in enumerate(self.widths):
                per_group = w * self.width_per_group / 64
                if not per_group.is_integer():
                    raise SpecError(
                        "width_per_group",
                        self.width_per_group,
                        f"layer{i + 1}'s width {w} × width_per_group "
                        f"{self.width_per_group} / 64 gives {per_group:g} channels "
                        f"per group, which is not a whole number",
                        "make width × width_per_group a multiple of 64",
                    )
        if self.shortcut == "pad":
            c_in = self.stem_channels
            for i, w in enumerate(self.widths):
                c_out = w * self.expansion
                if c_out < c_in:
                    raise SpecError(
                        "shortcut",
                        "pad",
                        f"the 'pad' shortcut cannot shrink layer{i + 1} from "
                        f"{c_in} to {c_out} channels",
                        "use 'conv_bn' or 'conv', or widths that do not decrease",
                    )
                c_in = c_out

    # --- derived facts -------------------------------------------------------------------
    @property
    def expansion(self) -> int:
        return BLOCKS[self.block]

    @property
    def depth(self) -> int:
        """Weighted layers on the main path: stem conv, the blocks' convs and the classifier."""
        per_block = 2 if self.block == "basic" else 3
        stem = (3 if self.stem in DEEP_STEMS else 1) + (self.stem_pool == "conv")
        return stem + 1 + per_block * sum(self.layers)

    @property
    def stem_channels(self) -> int:
        """The stem's output channels: ``widths[0]``, or twice ``stem_width`` for a deep stem."""
        return 2 * self.stem_width if self.stem_width is not None else self.widths[0]

    # --- presets and serialisation -------------------------------------------------------
    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> ArchSpec:
        """The preset's spec with fields replaced: ``from_preset('resnet50', input_size=96)``.

        When ``layers`` changes the number of stages and ``widths`` is not given, the preset's
        widths are cut or extended by doubling, so ``resnet50`` with five stages just works.
        """
        base = preset_fields(name)
        cls._check_keys(overrides)
        merged = {**base, **overrides}
        if "layers" in overrides and "widths" not in overrides:
            layers = _counts("layers", overrides["layers"], MAX_BLOCKS_PER_STAGE)
            w = list(base.get("widths") or (64,))
            while len(w) < len(layers):
                w.append(w[-1] * 2)
            merged["layers"] = layers
            merged["widths"] = tuple(w[: len(layers)])
            if "replace_stride_with_dilation" not in overrides:
                merged["replace_stride_with_dilation"] = None
        if merged.get("stem") not in DEEP_STEMS and "stem_width" not in overrides:
            merged.pop("stem_width", None)  # resnet50d with stem "imagenet" just works
        if "stem" in overrides and "stem_pool" not in overrides:
            merged.pop("stem_pool", None)  # cifar_resnet18 with stem "imagenet" gets its pool
        return cls(**merged)

    @staticmethod
    def presets() -> tuple[str, ...]:
        return tuple(PRESETS)

    @classmethod
    def _check_keys(cls, d: dict[str, Any]) -> None:
        names = [f.name for f in fields(cls)]
        for key in d:
            if key not in names:
                raise SpecError(key, d[key], f"'{key}' is not a spec field", closest(key, names))

    def replace(self, **changes: Any) -> ArchSpec:
        self._check_keys(changes)
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        return d

    @classmethod
    def from_dict(cls, d: object) -> ArchSpec:
        """The spec of a JSON object's fields; anything else is a SpecError."""
        if not isinstance(d, dict):
            raise SpecError("spec", d, "a spec must be a JSON object of fields")
        cls._check_keys(d)
        return cls(**d)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> ArchSpec:
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise SpecError(
                "spec",
                text[:40],
                f"the spec is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})",
            ) from None
        return cls.from_dict(d)

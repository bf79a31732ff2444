"""The presets' data: a registry of named spec fields, like torchvision's ``get_model`` names.

Each entry is the spec's fields and a one-line description; ``ArchSpec.from_preset`` fills
them in and applies overrides. Plain data that imports no spec, so that the spec reads it.
"""

from __future__ import annotations

from typing import Any

from .errors import SpecError
from .words import closest

_TV = "torchvision's"
_CIFAR_PAPER = dict(
    block="basic",
    widths=(16, 32, 64),
    stem="cifar",
    shortcut="pad",
    input_size=(32, 32),
    num_classes=10,
)
_CIFAR = dict(stem="cifar", input_size=(32, 32), num_classes=10)

# name -> (description, fields). Fields not named take ArchSpec's defaults.
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "resnet18": (f"{_TV} ResNet-18", dict(block="basic", layers=(2, 2, 2, 2))),
    "resnet34": (f"{_TV} ResNet-34", dict(block="basic", layers=(3, 4, 6, 3))),
    "resnet50": (f"{_TV} ResNet-50", dict(block="bottleneck", layers=(3, 4, 6, 3))),
    "resnet101": (f"{_TV} ResNet-101", dict(block="bottleneck", layers=(3, 4, 23, 3))),
    "resnet152": (f"{_TV} ResNet-152", dict(block="bottleneck", layers=(3, 8, 36, 3))),
    "resnext50_32x4d": (
        f"{_TV} ResNeXt-50 32×4d",
        dict(block="bottleneck", layers=(3, 4, 6, 3), groups=32, width_per_group=4),
    ),
    "resnext101_32x8d": (
        f"{_TV} ResNeXt-101 32×8d",
        dict(block="bottleneck", layers=(3, 4, 23, 3), groups=32, width_per_group=8),
    ),
    "resnext101_64x4d": (
        f"{_TV} ResNeXt-101 64×4d",
        dict(block="bottleneck", layers=(3, 4, 23, 3), groups=64, width_per_group=4),
    ),
    "wide_resnet50_2": (
        f"{_TV} Wide ResNet-50-2",
        dict(block="bottleneck", layers=(3, 4, 6, 3), width_per_group=128),
    ),
    "wide_resnet101_2": (
        f"{_TV} Wide ResNet-101-2",
        dict(block="bottleneck", layers=(3, 4, 23, 3), width_per_group=128),
    ),
    "d2l_resnet18": (
        "Dive into Deep Learning's ResNet-18 (Fashion-MNIST, 96×96)",
        dict(
            block="basic",
            layers=(2, 2, 2, 2),
            in_channels=1,
            input_size=(96, 96),
            num_classes=10,
            conv_bias=True,
            shortcut="conv",
        ),
    ),
    "cifar_resnet18": (
        "ResNet-18 with a CIFAR stem (3×3 conv, no pool) for 32×32 images",
        dict(block="basic", layers=(2, 2, 2, 2), **_CIFAR),
    ),
    "cifar_resnet34": (
        "ResNet-34 with a CIFAR stem for 32×32 images",
        dict(block="basic", layers=(3, 4, 6, 3), **_CIFAR),
    ),
    "cifar_resnet50": (
        "ResNet-50 with a CIFAR stem for 32×32 images",
        dict(block="bottleneck", layers=(3, 4, 6, 3), **_CIFAR),
    ),
}
for _n in (3, 5, 7, 9, 18):
    PRESETS[f"resnet{6 * _n + 2}"] = (
        f"the ResNet paper's CIFAR-10 ResNet-{6 * _n + 2} (3 stages of {_n} blocks, "
        f"option A shortcuts)",
        dict(layers=(_n, _n, _n), **_CIFAR_PAPER),
    )

# timm's names (timm.models.resnet), with timm's default input size; tests/core/test_timm.py
# holds each to timm.create_model(name): parameters exact, MACs, shapes and the input size.
_TIMM = "timm's"
_D = dict(stem="deep", stem_width=32, shortcut="avg_down")  # ResNet-D: deep stem, avg_down
_T = dict(stem="deep_tiered", stem_width=32, shortcut="avg_down")  # 24-32-64 stem
_R18, _R34, _R26, _R50 = (2, 2, 2, 2), (3, 4, 6, 3), (2, 2, 2, 2), (3, 4, 6, 3)
_TIMM_PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "resnet10t": ("ResNet-10-T (tiered deep stem, avg_down)", dict(layers=(1, 1, 1, 1), **_T)),
    "resnet18d": ("ResNet-18-D (deep stem, avg_down shortcuts)", dict(layers=_R18, **_D)),
    "resnet26": ("ResNet-26 (bottlenecks, 2 per stage)", dict(block="bottleneck", layers=_R26)),
    "resnet26d": ("ResNet-26-D", dict(block="bottleneck", layers=_R26, **_D)),
    "resnet26t": ("ResNet-26-T", dict(block="bottleneck", layers=_R26, **_T)),
    "resnet34d": ("ResNet-34-D", dict(layers=_R34, **_D)),
    "resnet50d": ("ResNet-50-D", dict(block="bottleneck", layers=_R50, **_D)),
    "resnet50t": ("ResNet-50-T", dict(block="bottleneck", layers=_R50, **_T)),
    "resnet101d": ("ResNet-101-D", dict(block="bottleneck", layers=(3, 4, 23, 3), **_D)),
    "resnet152d": ("ResNet-152-D", dict(block="bottleneck", layers=(3, 8, 36, 3), **_D)),
    "seresnet18": ("SE-ResNet-18 (squeeze-and-excitation)", dict(layers=_R18, attention="se")),
    "seresnet50": ("SE-ResNet-50", dict(block="bottleneck", layers=_R50, attention="se")),
    "seresnext50_32x4d": (
        "SE-ResNeXt-50 32×4d",
        dict(block="bottleneck", layers=_R50, groups=32, width_per_group=4, attention="se"),
    ),
    "ecaresnet50d": (
        "ECA-ResNet-50-D (efficient channel attention)",
        dict(block="bottleneck", layers=_R50, attention="eca", **_D),
    ),
    "resnetaa50d": (
        "ResNet-AA-50-D (anti-aliased: average-pool downsampling)",
        dict(block="bottleneck", layers=_R50, aa="avg", **_D),
    ),
    "resnetblur50": (
        "ResNet-Blur-50 (anti-aliased: blur-pool downsampling)",
        dict(block="bottleneck", layers=_R50, aa="blur"),
    ),
    "resnetv2_50": (
        "ResNet-V2-50 (pre-activation blocks; its own module names)",
        dict(block="bottleneck", layers=_R50, preact=True),
    ),
    "resnetv2_50d": (
        "ResNet-V2-50-D (pre-activation, deep stem, avg_down; its own module names)",
        dict(block="bottleneck", layers=_R50, preact=True, **_D),
    ),
}
# The rest of timm's ResNet family that the spec can express (tests/core/test_timm_family.py
# enumerates timm.list_models and holds each to timm's parameters; the names it leaves out say
# why). Variants: c = deep stem, s = deep stem 64 wide, d = deep stem + avg_down, t = tiered.
_BN, _L101, _L152, _L200, _L269 = (
    "bottleneck",
    (3, 4, 23, 3),
    (3, 8, 36, 3),
    (3, 24, 36, 3),
    (3, 30, 48, 8),
)
_C = dict(stem="deep", stem_width=32)
_S = dict(stem="deep", stem_width=64)


def _x(groups: int, width: int) -> dict[str, Any]:
    return dict(groups=groups, width_per_group=width)


_TIMM_PRESETS.update(
    {
        "resnet14t": ("ResNet-14-T", dict(block=_BN, layers=(1, 1, 1, 1), **_T)),
        "resnet50c": ("ResNet-50-C (deep stem)", dict(block=_BN, layers=_R50, **_C)),
        "resnet101c": ("ResNet-101-C", dict(block=_BN, layers=_L101, **_C)),
        "resnet152c": ("ResNet-152-C", dict(block=_BN, layers=_L152, **_C)),
        "resnet50s": ("ResNet-50-S (deep stem, 64 wide)", dict(block=_BN, layers=_R50, **_S)),
        "resnet101s": ("ResNet-101-S", dict(block=_BN, layers=_L101, **_S)),
        "resnet152s": ("ResNet-152-S", dict(block=_BN, layers=_L152, **_S)),
        "resnet200": ("ResNet-200", dict(block=_BN, layers=_L200)),
        "resnet200d": ("ResNet-200-D", dict(block=_BN, layers=_L200, **_D)),
        "resnetaa34d": ("ResNet-AA-34-D", dict(layers=_R34, aa="avg", **_D)),
        "resnetaa50": ("ResNet-AA-50", dict(block=_BN, layers=_R50, aa="avg")),
        "resnetaa101d": ("ResNet-AA-101-D", dict(block=_BN, layers=_L101, aa="avg", **_D)),
        "resnetblur18": ("ResNet-Blur-18", dict(layers=_R18, aa="blur")),
        "resnetblur50d": ("ResNet-Blur-50-D", dict(block=_BN, layers=_R50, aa="blur", **_D)),
        "resnetblur101d": ("ResNet-Blur-101-D", dict(block=_BN, layers=_L101, aa="blur", **_D)),
        "resnext50d_32x4d": ("ResNeXt-50-D 32×4d", dict(block=_BN, layers=_R50, **_x(32, 4), **_D)),
        "resnext101_32x4d": ("ResNeXt-101 32×4d", dict(block=_BN, layers=_L101, **_x(32, 4))),
        "resnext101_32x16d": ("ResNeXt-101 32×16d", dict(block=_BN, layers=_L101, **_x(32, 16))),
        "resnext101_32x32d": ("ResNeXt-101 32×32d", dict(block=_BN, layers=_L101, **_x(32, 32))),
        "seresnet34": ("SE-ResNet-34", dict(layers=_R34, attention="se")),
        "seresnet50t": ("SE-ResNet-50-T", dict(block=_BN, layers=_R50, attention="se", **_T)),
        "seresnet101": ("SE-ResNet-101", dict(block=_BN, layers=_L101, attention="se")),
        "seresnet152": ("SE-ResNet-152", dict(block=_BN, layers=_L152, attention="se")),
        "seresnet152d": ("SE-ResNet-152-D", dict(block=_BN, layers=_L152, attention="se", **_D)),
        "seresnet200d": ("SE-ResNet-200-D", dict(block=_BN, layers=_L200, attention="se", **_D)),
        "seresnet269d": ("SE-ResNet-269-D", dict(block=_BN, layers=_L269, attention="se", **_D)),
        "seresnetaa50d": (
            "SE-ResNet-AA-50-D",
            dict(block=_BN, layers=_R50, attention="se", aa="avg", **_D),
        ),
        "seresnext26d_32x4d": (
            "SE-ResNeXt-26-D 32×4d",
            dict(block=_BN, layers=_R26, attention="se", **_x(32, 4), **_D),
        ),
        "seresnext26t_32x4d": (
            "SE-ResNeXt-26-T 32×4d",
            dict(block=_BN, layers=_R26, attention="se", **_x(32, 4), **_T),
        ),
        "seresnext101_32x4d": (
            "SE-ResNeXt-101 32×4d",
            dict(block=_BN, layers=_L101, attention="se", **_x(32, 4)),
        ),
        "seresnext101_32x8d": (
            "SE-ResNeXt-101 32×8d",
            dict(block=_BN, layers=_L101, attention="se", **_x(32, 8)),
        ),
        "seresnext101_64x4d": (
            "SE-ResNeXt-101 64×4d",
            dict(block=_BN, layers=_L101, attention="se", **_x(64, 4)),
        ),
        "seresnext101d_32x8d": (
            "SE-ResNeXt-101-D 32×8d",
            dict(block=_BN, layers=_L101, attention="se", **_x(32, 8), **_D),
        ),
        "seresnextaa101d_32x8d": (
            "SE-ResNeXt-AA-101-D 32×8d",
            dict(block=_BN, layers=_L101, attention="se", aa="avg", **_x(32, 8), **_D),
        ),
        "seresnextaa201d_32x8d": (
            "SE-ResNeXt-AA-201-D 32×8d (deep stem 64 wide)",
            dict(
                block=_BN,
                layers=(3, 24, 36, 4),
                attention="se",
                aa="avg",
                **_x(32, 8),
                **{**_S, "shortcut": "avg_down"},
            ),
        ),
        "ecaresnet26t": ("ECA-ResNet-26-T", dict(block=_BN, layers=_R26, attention="eca", **_T)),
        "ecaresnet50t": ("ECA-ResNet-50-T", dict(block=_BN, layers=_R50, attention="eca", **_T)),
        "ecaresnet101d": (
            "ECA-ResNet-101-D",
            dict(block=_BN, layers=_L101, attention="eca", **_D),
        ),
        "ecaresnet200d": (
            "ECA-ResNet-200-D",
            dict(block=_BN, layers=_L200, attention="eca", **_D),
        ),
        "ecaresnet269d": (
            "ECA-ResNet-269-D",
            dict(block=_BN, layers=_L269, attention="eca", **_D),
        ),
        "ecaresnext26t_32x4d": (
            "ECA-ResNeXt-26-T 32×4d",
            dict(block=_BN, layers=_R26, attention="eca", **_x(32, 4), **_T),
        ),
        "ecaresnext50t_32x4d": (
            "ECA-ResNeXt-50-T 32×4d",
            dict(block=_BN, layers=_R50, attention="eca", **_x(32, 4), **_T),
        ),
        "resnetv2_18": ("ResNet-V2-18 (pre-activation)", dict(layers=_R18, preact=True)),
        "resnetv2_18d": ("ResNet-V2-18-D", dict(layers=_R18, preact=True, **_D)),
        "resnetv2_34": ("ResNet-V2-34", dict(layers=_R34, preact=True)),
        "resnetv2_34d": ("ResNet-V2-34-D", dict(layers=_R34, preact=True, **_D)),
        "resnetv2_50t": ("ResNet-V2-50-T", dict(block=_BN, layers=_R50, preact=True, **_T)),
        "resnetv2_101": ("ResNet-V2-101", dict(block=_BN, layers=_L101, preact=True)),
        "resnetv2_101d": ("ResNet-V2-101-D", dict(block=_BN, layers=_L101, preact=True, **_D)),
        "resnetv2_152": ("ResNet-V2-152", dict(block=_BN, layers=_L152, preact=True)),
        "resnetv2_152d": ("ResNet-V2-152-D", dict(block=_BN, layers=_L152, preact=True, **_D)),
    }
)
_TIMM_INPUT = {"resnet10t": 176, "resnet26t": 256, "resnet101d": 256, "resnet152d": 256}
_TIMM_INPUT.update(
    {"resnet14t": 176, "resnet200d": 256, "seresnet152d": 256, "seresnet200d": 256}
    | {"seresnet269d": 256, "seresnextaa101d_32x8d": 288, "seresnextaa201d_32x8d": 384}
    | {"ecaresnet26t": 256, "ecaresnet50t": 256, "ecaresnet200d": 256, "ecaresnet269d": 320}
)
for _name, (_text, _fields) in _TIMM_PRESETS.items():
    _fields.setdefault("block", "basic")
    _fields["input_size"] = (_TIMM_INPUT.get(_name, 224),) * 2
    PRESETS[_name] = (f"{_TIMM} {_text}", _fields)

TORCHVISION_PRESETS = tuple(n for n, (d, _) in PRESETS.items() if d.startswith(_TV))
TIMM_PRESETS = tuple(_TIMM_PRESETS)
FAMILIES = ("torchvision", "timm", "CIFAR and textbook")


def preset_family(name: str) -> str:
    """The family ``resnet-studio presets`` groups a preset under."""
    if name in TORCHVISION_PRESETS:
        return "torchvision"
    return "timm" if name in TIMM_PRESETS else "CIFAR and textbook"


def preset_fields(name: str) -> dict[str, Any]:
    """The fields of a preset, or a SpecError naming the closest presets."""
    try:
        return dict(PRESETS[name][1])
    except (KeyError, TypeError):
        raise SpecError(
            "preset", name, f"there is no preset named '{name}'", closest(str(name), tuple(PRESETS))
        ) from None


def describe_preset(name: str) -> str:
    return PRESETS[name][0]

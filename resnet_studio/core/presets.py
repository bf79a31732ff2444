"""Presets are data (:mod:`.preset_table`, a registry of named spec fields like torchvision's
``get_model`` names); here, the specs they make and how a spec is matched to one.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from .preset_table import (
    FAMILIES,
    PRESETS,
    TIMM_PRESETS,
    TORCHVISION_PRESETS,
    describe_preset,
    preset_family,
    preset_fields,
)
from .spec import ArchSpec

__all__ = [
    "FAMILIES",
    "PRESETS",
    "TIMM_PRESETS",
    "TORCHVISION_PRESETS",
    "closest_preset",
    "describe_preset",
    "preset_family",
    "preset_fields",
    "preset_of",
    "preset_spec",
    "spec_label",
]


@cache
def preset_spec(name: str) -> ArchSpec:
    """The ArchSpec of a preset, made once."""
    return ArchSpec.from_preset(name)


def _with_layers(layers: Any) -> list[str]:
    """The presets of these blocks per stage, in the table's order: a preset's spec is made (and
    validated, and analysed) only for these, not for all 88 on the first custom edit (60-110
    ms)."""
    return _by_layers().get(layers, [])


@cache
def _by_layers() -> dict[tuple[int, ...], list[str]]:
    """The preset names by their blocks per stage, read from the table once."""
    out: dict[tuple[int, ...], list[str]] = {}
    for name in PRESETS:
        out.setdefault(tuple(preset_fields(name)["layers"]), []).append(name)
    return out


def preset_of(spec: Any) -> str | None:
    """The name of the preset equal to ``spec``, or None for a custom spec."""
    for name in _with_layers(spec.layers):
        if preset_spec(name) == spec:
            return name
    return None


_SHAPE_FIELDS = (
    "block",
    "layers",
    "widths",
    "groups",
    "width_per_group",
    "stem",
    "shortcut",
    "stem_width",
    "attention",
    "aa",
    "stem_pool",
    "preact",
)


def closest_preset(spec: Any) -> str | None:
    """The preset with the same blocks, stages and widths as ``spec`` (its input, channels and
    classes may differ): what a custom spec is "based on"."""
    key = tuple(getattr(spec, f) for f in _SHAPE_FIELDS)
    for name in _with_layers(spec.layers):
        if tuple(getattr(preset_spec(name), f) for f in _SHAPE_FIELDS) == key:
            return name
    return None


def spec_label(spec: Any, base: str | None = None) -> str:
    """The one name of a spec, in rows, titles, the comparison and exports: the preset's name,
    or "resnet50 (edited)" with the preset it was edited from (``base``, else the preset of
    the same blocks and widths), or "custom"."""
    name = preset_of(spec)
    if name:
        return name
    base = base if base in PRESETS else closest_preset(spec)
    return f"{base} (edited)" if base else "custom"


def file_stem(label: str) -> str:
    """A spec's name as a file name's stem: "resnet50 (edited)" → "resnet50-edited"."""
    return "-".join(label.replace("(", " ").replace(")", " ").split())

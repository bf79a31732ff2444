"""The catalogue of pretrained weights, as data: every torchvision ResNet weight (named as timm
names them, ``resnet50.tv_in1k`` for V1 and ``resnet50.tv2_in1k`` for V2) and timm weights for
the timm presets. ``catalogue.json`` is written by tests/weights/make_catalogue.py from
torchvision's WeightsEnum and timm's pretrained_cfg, and tests hold it to both.

Reading it imports neither torch nor the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..train.errors import TrainError


@dataclass(frozen=True)
class Preprocess:
    """How an image is prepared for the weights: the shorter side resized to ``resize``, the
    centre ``crop``×``crop`` cut, scaled to 0…1 and normalised with ``mean``/``std``."""

    resize: int
    crop: int
    interpolation: str  # "bilinear" or "bicubic"
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "resize": self.resize,
            "crop": self.crop,
            "interpolation": self.interpolation,
            "mean": list(self.mean),
            "std": list(self.std),
        }

    def describe(self) -> str:
        return (
            f"resize {self.resize} ({self.interpolation}), crop {self.crop}, mean "
            f"{', '.join(f'{m:g}' for m in self.mean)}, std {', '.join(f'{s:g}' for s in self.std)}"
        )


@dataclass(frozen=True)
class WeightEntry:
    name: str  # timm-style: arch.tag
    arch: str  # the preset it loads into
    source: str  # "torchvision" or "timm"
    top1: float | None  # percent on ImageNet-1k, from the weights' metadata
    top5: float | None
    params: int
    file_mb: float | None  # as torchvision's metadata gives it (MB); None for timm's
    recipe: str | None
    url: str  # the file (torchvision) or the Hugging Face page (timm)
    file: str  # the file's name in its cache
    hf_repo: str | None
    preprocess: Preprocess

    @property
    def sha256_prefix(self) -> str | None:
        """The hex digits a torchvision file name ends with: its SHA-256 starts with them."""
        if self.source != "torchvision":
            return None
        stem = self.file.rsplit(".", 1)[0]
        return stem.rsplit("-", 1)[-1] if "-" in stem else None

    @property
    def page(self) -> str:
        """Where a person finds the file by hand."""
        return self.url if self.hf_repo is None else f"https://huggingface.co/{self.hf_repo}"


def _entry(d: dict[str, Any]) -> WeightEntry:
    p = d["preprocess"]
    pre = Preprocess(p["resize"], p["crop"], p["interpolation"], tuple(p["mean"]), tuple(p["std"]))
    keys = set(WeightEntry.__dataclass_fields__) - {"preprocess"}
    return WeightEntry(**{k: d[k] for k in keys}, preprocess=pre)


@cache
def catalogue() -> tuple[WeightEntry, ...]:
    text = resources.files(__package__).joinpath("catalogue.json").read_text("utf-8")
    return tuple(_entry(d) for d in json.loads(text))


@cache
def imagenet_classes() -> tuple[str, ...]:
    """ImageNet-1k's 1000 class names, in the order of the classifier's outputs."""
    text = resources.files(__package__).joinpath("imagenet_classes.txt").read_text("utf-8")
    return tuple(text.splitlines())


def find(name: str) -> WeightEntry:
    """The entry named ``name``, or one sentence naming the closest ones."""
    import difflib

    for e in catalogue():
        if e.name == name:
            return e
    near = difflib.get_close_matches(name, [e.name for e in catalogue()], n=3, cutoff=0.5)
    hint = "did you mean " + " or ".join(near) if near else "`resnet-studio weights` lists them"
    raise TrainError(f"There are no weights named '{name}' in the catalogue; {hint}.")


def for_preset(arch: str) -> list[WeightEntry]:
    """The catalogue's weights for a preset, the newest recipe last (torchvision's V2)."""
    return [e for e in catalogue() if e.arch == arch]


def default_for(arch: str) -> WeightEntry | None:
    """torchvision's DEFAULT for its presets (the last version), timm's first tag otherwise."""
    entries = for_preset(arch)
    tv = [e for e in entries if e.source == "torchvision"]
    if tv:
        return tv[-1]
    return entries[0] if entries else None

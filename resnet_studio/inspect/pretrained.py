"""Pretrained weights opened for a look, without a run: a preset with a catalogue entry's or a
file's weights (verified, tensors only), in eval mode, with the weights' own preprocessing and
class names; and one image through it (top classes, Grad-CAM, feature maps) by
:func:`~.image.look_at`, the same function a run's inspection uses.

A model opened once is kept (keyed by preset, weights and the file's SHA-256), so a second photo
with the same weights skips building and loading.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from torch import nn

from resnet_studio.core.presets import preset_fields
from resnet_studio.core.spec import ArchSpec
from resnet_studio.inspect.image import ImageReport, look_at
from resnet_studio.train.errors import TrainError
from resnet_studio.weights.catalogue import Preprocess
from resnet_studio.weights.load import (
    Pretrained,
    class_names,
    load_into,
    open_weights,
    preprocess_for,
)
from resnet_studio.weights.preprocess import prepare_file


@dataclass(frozen=True)
class PretrainedModel:
    model: nn.Module
    spec: ArchSpec
    classes: list[str]
    preprocess: Preprocess
    weights: Pretrained
    notes: list[str]

    def describe(self) -> dict[str, Any]:
        return {"weights": self.weights.source, "sha256": self.weights.sha256}


_OPEN: dict[tuple[str | None, str, str], PretrainedModel] = {}


def open_pretrained(
    weights: str | os.PathLike[str], preset: str | None = None, classes: Sequence[str] = ()
) -> PretrainedModel:
    """The preset (the catalogue entry's own when not given) with ``weights`` loaded, in eval
    mode with gradients off, and how to prepare an image for it."""
    from resnet_studio.core.builder import build_model

    w = open_weights(weights)
    key = (preset, w.source, w.sha256)
    if key in _OPEN:
        return _OPEN[key]
    if preset is None:
        if w.entry is not None:
            preset = w.entry.arch
        elif w.spec is None:
            raise TrainError(
                f"{w.path} holds weights without their architecture; give the preset they "
                f"were made for (--preset)."
            )
    pre = preprocess_for(w.entry, preset)
    if preset is not None:
        preset_fields(preset)  # a misspelt preset is a sentence
        spec = ArchSpec.from_preset(preset, input_size=pre.crop)
        if w.spec is None:  # a head of another size in a state_dict: take its classes
            head = [k for k in w.state if k.endswith("fc.weight")]
            if head and w.state[head[-1]].shape[0] != spec.num_classes:
                spec = spec.replace(num_classes=int(w.state[head[-1]].shape[0]))
    else:
        assert w.spec is not None
        spec = w.spec
    model = build_model(spec)
    notes = load_into(model, spec, w)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    names = list(classes) if classes else class_names(spec.num_classes)
    opened = PretrainedModel(model, spec, names, pre, w, notes)
    _OPEN.clear()  # one model kept: a resnet152 is 230 MB
    _OPEN[key] = opened
    return opened


def look_at_file(
    opened: PretrainedModel,
    image: str | os.PathLike[str],
    layer: str | None = None,
    features: Sequence[str] = (),
) -> ImageReport:
    """One image file prepared as the weights' authors prepare it, through the model."""
    x = prepare_file(image, opened.preprocess)
    if opened.spec.in_channels != 3:
        x = x.mean(0, keepdim=True).repeat(opened.spec.in_channels, 1, 1)
    return look_at(opened.model, opened.spec, x, opened.classes, layer, features=features)


@dataclass(frozen=True)
class PretrainedLook:
    """What the window shows of one photo: the report and the photo as the network sees it."""

    report: ImageReport
    picture: Any  # uint8 (H, W, 3): the prepared image with the normalisation undone
    opened: PretrainedModel


def look(
    weights: str,
    preset: str | None,
    image: str | os.PathLike[str],
    layer: str | None = None,
    target: int | None = None,
    feature_layer: str | None = None,
) -> PretrainedLook:
    """Open (or reuse) the weights, prepare the photo and look at it: for the window."""
    import numpy as np
    import torch

    opened = open_pretrained(weights, preset)
    x = prepare_file(image, opened.preprocess)
    feats = [feature_layer] if feature_layer else []
    xin = x if opened.spec.in_channels == 3 else x.mean(0, keepdim=True)
    report = look_at(opened.model, opened.spec, xin, opened.classes, layer, target, feats)
    mean = torch.tensor(opened.preprocess.mean).view(3, 1, 1)
    std = torch.tensor(opened.preprocess.std).view(3, 1, 1)
    pic = ((x * std + mean).clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
    return PretrainedLook(report, np.ascontiguousarray(pic), opened)


def starting_model(run: Any) -> tuple[nn.Module, ArchSpec, list[str]] | None:
    """A fine-tuned run's starting point (the weights its config.json names, verified against
    the SHA-256 recorded there), built at the run's input size; None for a run from scratch."""
    from resnet_studio.core.builder import build_model

    cfg = run.config
    if not cfg.weights:
        return None
    w = open_weights(cfg.weights)
    if cfg.weights_sha256 and w.sha256 != cfg.weights_sha256:
        raise TrainError(
            f"The run started from {w.path}, whose SHA-256 was {cfg.weights_sha256[:12]}… "
            f"but is now {w.sha256[:12]}…; the file changed since, so the start cannot be shown."
        )
    heads = [k for k in w.state if k.endswith("fc.weight")]
    classes = int(w.state[heads[-1]].shape[0]) if heads else run.spec.num_classes
    spec = run.spec.replace(num_classes=classes)
    model = build_model(spec)
    load_into(model, spec, w)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, spec, class_names(classes)


def before_after(
    run: Any, x: Any, classes: Sequence[str], layer: str | None = None
) -> tuple[ImageReport, ImageReport] | None:
    """One model-ready image through a fine-tuned run's starting weights and through the run
    itself, Grad-CAM at the same layer: before and after. None for a run from scratch."""
    start = starting_model(run)
    if start is None:
        return None
    after = look_at(run.model, run.spec, x, list(classes), layer)
    model, spec, names = start
    before = look_at(model, spec, x, names, layer or after.layer)
    return before, after

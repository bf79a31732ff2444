"""One image through a trained run: its prediction and the Grad-CAM of a class at a layer (the
default layer, and the sentence why, unless one is asked for). The CLI prints this and the
window shows it, from this one function."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from resnet_studio.core.spec import ArchSpec
from resnet_studio.inspect.features import FeatureMap, capture, check_layer, feature_map
from resnet_studio.inspect.gradcam import GradCam, default_layer, grad_cam
from resnet_studio.inspect.predict import Prediction, from_logits, predict


@dataclass(frozen=True)
class ImageReport:
    prediction: Prediction
    cam: GradCam | None  # None when no layer of this input can say where
    layer_note: str  # why this layer (for the default), and what to know about its map
    features: dict[str, FeatureMap] = field(default_factory=dict)

    @property
    def layer(self) -> str | None:
        return self.cam.layer if self.cam else None

    def to_dict(self) -> dict[str, Any]:
        p = self.prediction
        return {
            "top": [[name, prob] for name, prob in p.top()],
            "predicted": p.name,
            "layer": self.layer,
            "layer_note": self.layer_note,
            "cam_class": p.classes[self.cam.target] if self.cam else None,
            "cam": self.cam.cam.tolist() if self.cam else None,
        }


def look_at(
    model: torch.nn.Module,
    spec: ArchSpec,
    x: torch.Tensor,
    classes: list[str],
    layer: str | None = None,
    target: int | None = None,
    features: Sequence[str] = (),
) -> ImageReport:
    """The prediction for one model-ready image, the Grad-CAM of ``target`` (the predicted
    class by default) at ``layer`` (by default the deepest stage larger than 1×1), and the
    feature maps of the layers ``features`` names: all from one forward pass."""
    default, why = default_layer(spec)
    if layer is None:
        layer = default
    elif layer != default:  # the sentence says why the default is the default
        why = ""
        check_layer(spec, layer)
    for name in features:
        check_layer(spec, name)
    seen: dict[str, FeatureMap] = {}

    def keep(name: str, output: torch.Tensor) -> None:
        seen[name] = feature_map(name, output[0])

    with capture(model, features, keep):
        if layer is None:
            return ImageReport(predict(model, x, classes), None, why, seen)
        cam = grad_cam(model, spec, x, layer, target)
    prediction = from_logits(cam.logits, classes)
    if target is None and cam.target != prediction.predicted:  # a tie, broken another way
        cam = grad_cam(model, spec, x, layer, prediction.predicted)
    note = " ".join(s for s in (why, cam.note) if s)
    return ImageReport(prediction, cam, note, seen)

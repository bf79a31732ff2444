"""Grad-CAM (Selvaraju et al., 2017): where in the image a layer's evidence for a class lies.

For class c and a layer's activations A (K channels, h×w): the weights are the gradients of the
class score y^c (the logit, before the softmax) averaged over space, α_k = mean_ij ∂y^c/∂A^k_ij;
the map is ReLU(Σ_k α_k A^k). It is upsampled bilinearly to the input's H×W and scaled to 0…1
(its minimum subtracted, then divided by its maximum), as pytorch-grad-cam and torchcam show it.

The gradients are taken with ``torch.autograd.grad`` from the layer's output alone: the graph
starts at that output (a forward hook hands the rest of the network a leaf that requires grad),
so no weight gets a gradient and no ``.grad`` is written. The model stays in eval mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from resnet_studio.core.analysis import analyze
from resnet_studio.core.errors import SpecError
from resnet_studio.core.spec import ArchSpec
from resnet_studio.inspect.features import capture, check_layer, stage_names
from resnet_studio.train.errors import TrainError
from resnet_studio.train.memory import check_fits


def layer_size(spec: ArchSpec, layer: str) -> tuple[int, int]:
    """The output's h×w of a stage or block at the spec's input size (by arithmetic)."""
    shape = analyze(spec).by_name[layer].out_shape
    return int(shape[1]), int(shape[2])


def _too_small_hint(spec: ArchSpec) -> str:
    """The smallest square input at which some stage outputs more than one position."""
    first = stage_names(spec)[0]
    side = max(spec.input_size)
    while side < 4096:
        side += 1
        try:
            h, w = layer_size(spec.replace(input_size=(side, side)), first)
        except SpecError:  # a size this spec cannot take (anti-aliasing's even sides)
            continue
        if h * w > 1:
            return f"use an input of at least {side}×{side}"
    return "use a larger input"


def default_layer(spec: ArchSpec) -> tuple[str | None, str]:
    """The stage Grad-CAM looks at by default, and one sentence saying why: the deepest stage
    whose output has more than one position (deeper stages see more of what the class is; a
    1×1 output cannot say where). None, with the sentence, when no stage has one."""
    stages = stage_names(spec)
    sizes = {s: layer_size(spec, s) for s in stages}
    h_in, w_in = spec.input_size
    usable = [s for s in stages if sizes[s][0] * sizes[s][1] > 1]
    if not usable:
        return None, (
            f"At this {h_in}×{w_in} input every stage outputs a single position (1×1), so "
            f"Grad-CAM cannot say where; {_too_small_hint(spec)}."
        )
    best = usable[-1]
    h, w = sizes[best]
    deeper = stages[stages.index(best) + 1 :]
    if not deeper:
        return best, (
            f"{best}, the last stage ({h}×{w} at this {h_in}×{w_in} input): the deepest "
            f"layer, closest to the classes, and still larger than 1×1."
        )
    rest = deeper[0] if len(deeper) == 1 else f"{deeper[0]}…{deeper[-1]}"
    verb = "outputs" if len(deeper) == 1 else "output"
    why = (
        f"{best}, the deepest stage whose output is larger than 1×1 ({h}×{w} at this "
        f"{h_in}×{w_in} input); {rest} {verb} 1×1, which cannot say where"
    )
    return best, why + "."


@dataclass(frozen=True)
class GradCam:
    layer: str
    target: int  # the class whose score was explained
    score: float  # that class's logit
    logits: torch.Tensor  # (K,): the image's logits, from the same forward pass
    cam: np.ndarray  # (H, W) float32 from 0 to 1, at the input's size
    coarse: np.ndarray  # (h, w) float32: ReLU(Σ α_k A^k) at the layer's own size
    weights: np.ndarray  # (K,) float32: α_k
    note: str  # "" or a sentence on why the map is blank


def grad_cam(
    model: nn.Module, spec: ArchSpec, x: torch.Tensor, layer: str, target: int | None = None
) -> GradCam:
    """Grad-CAM of class ``target`` (the predicted class when None) at ``layer`` (a stage or
    block name) for one model-ready image (C, H, W) or a batch of one."""
    check_layer(spec, layer)
    check_fits(spec, 1, x.device, "gradcam")
    if x.dim() == 3:
        x = x.unsqueeze(0)
    x = x[:1].detach()
    held: dict[str, torch.Tensor] = {}

    def start_graph(_name: str, output: torch.Tensor) -> torch.Tensor:
        a = output.detach().requires_grad_(True)  # the graph starts here: no weight is in it
        held["a"] = a
        return a

    with torch.enable_grad(), capture(model, [layer], start_graph):
        logits = model(x)
    n = logits.shape[1]
    if target is None:
        target = int(logits[0].argmax())
    if not 0 <= target < n:
        raise TrainError(f"The network has {n} classes, numbered 0 to {n - 1}; not {target}.")
    a = held["a"]
    score = logits[0, target]
    (grads,) = torch.autograd.grad(score, a)
    with torch.no_grad():
        weights = grads[0].mean(dim=(1, 2))  # α_k: the gradients averaged over space
        coarse = F.relu((weights[:, None, None] * a[0]).sum(0))
        lo, hi = coarse.min(), coarse.max()
        flat = bool(hi <= lo)
        # scaled to 0…1 before upsampling as well as after (as pytorch-grad-cam does): the
        # same map, but a flat one stays 0 rather than becoming a stretch of rounding noise
        unit = torch.zeros_like(coarse) if flat else (coarse - lo) / (hi - lo)
        up = F.interpolate(
            unit[None, None], size=tuple(x.shape[2:]), mode="bilinear", align_corners=False
        )[0, 0]
        up = up - up.min()
        cam = up if flat else up / up.max()
    note = ""
    h, w = coarse.shape
    if h * w == 1:
        note = (
            f"{layer} outputs a single position (1×1), so its map is one value over the "
            f"whole image and cannot say where; choose an earlier layer."
        )
    elif flat:
        note = (
            f"Nothing at {layer} raises this class's score more in one place than in another "
            f"(the weighted activations are all zero or below), so the map is blank."
        )
    return GradCam(
        layer,
        target,
        float(score.detach()),
        logits[0].detach(),
        cam.float().cpu().numpy(),
        coarse.float().cpu().numpy(),
        weights.float().cpu().numpy(),
        note,
    )

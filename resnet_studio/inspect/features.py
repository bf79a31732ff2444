"""Feature maps: what each stage (``layer1``…) and each residual block (``layer2.0``…) outputs for
one image, channel by channel, strongest first.

The layers are named as ``core/describe.py`` names them, which are the built module's names, so
forward hooks find them with ``named_modules()``. :func:`capture` is the one place hooks are
set: they record only the calling thread's forward passes, so an inspection and an evaluation
of the same model on two threads never see each other's tensors.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from resnet_studio.core.describe import describe
from resnet_studio.core.spec import ArchSpec
from resnet_studio.core.words import closest
from resnet_studio.train.errors import TrainError


def stage_names(spec: ArchSpec) -> list[str]:
    """``layer1`` … ``layerN``."""
    return [f"layer{i + 1}" for i in range(len(spec.layers))]


def block_names(spec: ArchSpec, stage: str | None = None) -> list[str]:
    """The residual blocks (``layer1.0``, ``layer1.1``, …) of one stage, or of all of them."""
    root = describe(spec)
    stages = [c for c in root.children if c.name in stage_names(spec)]
    return [b.name for s in stages if stage in (None, s.name) for b in s.children]


def layer_names(spec: ArchSpec) -> list[str]:
    """Every layer that can be looked into, in the order data flows: each stage's blocks,
    then the stage itself (whose output is its last block's)."""
    out = []
    for s in stage_names(spec):
        out += block_names(spec, s) + [s]
    return out


def check_layer(spec: ArchSpec, name: str) -> str:
    """``name`` if it is a stage or block of ``spec``; else one sentence with the choices."""
    names = layer_names(spec)
    if name not in names:
        raise TrainError(
            f"There is no layer '{name}' to look into; "
            f"{closest(name, names)} (stages are layer1…layer{len(spec.layers)}, "
            f"blocks layer1.0 and so on)."
        )
    return name


Hook = Callable[[str, torch.Tensor], torch.Tensor | None]


@contextmanager
def capture(model: nn.Module, names: Sequence[str], on_output: Hook) -> Iterator[None]:
    """Call ``on_output(name, output)`` when module ``name`` outputs, during forward passes
    on this thread only; a tensor it returns replaces the output."""
    modules = dict(model.named_modules())
    me = threading.get_ident()

    def hook_for(name: str) -> Callable[[nn.Module, object, torch.Tensor], torch.Tensor | None]:
        def hook(_m: nn.Module, _inputs: object, output: torch.Tensor) -> torch.Tensor | None:
            return on_output(name, output) if threading.get_ident() == me else None

        return hook

    handles = [modules[n].register_forward_hook(hook_for(n)) for n in names]
    try:
        yield
    finally:
        for h in handles:
            h.remove()


@dataclass(frozen=True)
class FeatureMap:
    layer: str
    maps: np.ndarray  # (C, h, w) float32: the layer's output for the image
    means: np.ndarray  # (C,): each channel's mean activation
    order: np.ndarray  # channel indices, strongest (highest mean activation) first

    @property
    def size(self) -> tuple[int, int]:
        return int(self.maps.shape[1]), int(self.maps.shape[2])


def feature_map(layer: str, output: torch.Tensor) -> FeatureMap:
    """One image's output of ``layer`` (C, h, w), its channels' means and their order."""
    maps = output.detach().float().cpu().numpy().copy()
    means = maps.mean(axis=(1, 2))
    return FeatureMap(layer, maps, means, np.argsort(-means, kind="stable"))


def feature_maps(model: nn.Module, x: torch.Tensor, layers: Sequence[str]) -> dict[str, FeatureMap]:
    """The outputs of ``layers`` for one model-ready image (C, H, W) or a batch of one."""
    if x.dim() == 3:
        x = x.unsqueeze(0)
    seen: dict[str, FeatureMap] = {}

    def keep(name: str, output: torch.Tensor) -> None:
        seen[name] = feature_map(name, output[0])

    with torch.no_grad(), capture(model, layers, keep):
        model(x[:1])
    return {name: seen[name] for name in layers}

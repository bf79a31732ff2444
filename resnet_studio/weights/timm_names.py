"""timm's pre-activation ResNets (``timm.models.resnetv2.ResNetV2``) name their parameters their
own way; ours keep torchvision's names (core/describe.py). This renames a timm ResNetV2
state_dict to ours, so it loads strictly into the preset built from the same arguments:

==============================================  =========================================
timm                                            ours
==============================================  =========================================
``stem.conv``                                   ``conv1`` (7×7 stem)
``stem.conv1`` ``stem.norm1`` ``stem.conv2``    ``conv1.0`` ``conv1.1`` ``conv1.3``
``stem.norm2`` ``stem.conv3``                   ``conv1.4`` ``conv1.6`` (deep stems)
``stages.N.blocks.M.normK`` / ``convK``         ``layer{N+1}.M.bnK`` / ``convK``
``stages.N.blocks.M.downsample.conv``           ``layer{N+1}.M.downsample.0``
                                                (``.1`` with ``avg_down``, after its pool)
``norm``                                        ``norm``
``head.fc`` (a 1×1 conv)                        ``fc`` (a linear layer: weight reshaped)
==============================================  =========================================

Keys it does not know are kept as they are, for the strict load to name.
"""

from __future__ import annotations

import re

import torch

from ..core.spec import ArchSpec

_STEM = {
    "stem.conv": "conv1",
    "stem.conv1": "conv1.0",
    "stem.norm1": "conv1.1",
    "stem.conv2": "conv1.3",
    "stem.norm2": "conv1.4",
    "stem.conv3": "conv1.6",
    "norm": "norm",
    "head.fc": "fc",
}
_BLOCK = re.compile(r"stages\.(\d+)\.blocks\.(\d+)\.(norm|conv)(\d+)")
_DOWNSAMPLE = re.compile(r"stages\.(\d+)\.blocks\.(\d+)\.downsample\.conv")


def is_timm_preact(state: dict[str, torch.Tensor]) -> bool:
    """Whether ``state`` has timm's ResNetV2 names (ours never begin with ``stages.``)."""
    return any(k.startswith(("stages.", "stem.", "head.fc.")) for k in state)


def _module(name: str, spec: ArchSpec) -> str | None:
    """Our name for timm's module ``name``; None when it is not one of timm's ResNetV2 names."""
    if name in _STEM:
        return _STEM[name]
    m = _BLOCK.fullmatch(name)
    if m:
        stage, block, kind, k = m.groups()
        return f"layer{int(stage) + 1}.{block}.{'bn' if kind == 'norm' else 'conv'}{k}"
    m = _DOWNSAMPLE.fullmatch(name)
    if m:
        stage, block = m.groups()
        index = 1 if spec.shortcut == "avg_down" else 0  # avg_down: the pool is .0
        return f"layer{int(stage) + 1}.{block}.downsample.{index}"
    return None


def from_timm_preact(state: dict[str, torch.Tensor], spec: ArchSpec) -> dict[str, torch.Tensor]:
    """timm's ResNetV2 ``state`` under our names for ``spec``; the classifier's 1×1 conv weight
    becomes a linear layer's (same values, ``(classes, C, 1, 1)`` → ``(classes, C)``)."""
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        module, _, param = key.rpartition(".")
        ours = _module(module, spec)
        if ours is None:
            out[key] = value
            continue
        if ours == "fc" and param == "weight" and value.ndim == 4:
            value = value.flatten(1)
        out[f"{ours}.{param}"] = value
    return out

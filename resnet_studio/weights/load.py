"""Loading pretrained weights into a preset: a catalogue name (its cached file, verified) or a
file the user names (any state_dict or a run's checkpoint). Tensors only: ``.safetensors``
through safetensors, anything else through ``torch.load(weights_only=True)``
(train/weights.py), so a pickle that would run code is refused with a sentence.

Loading is strict, except the classifier when the number of classes differs (it keeps its
fresh initialisation) and the first convolution when the input channels differ (summed over
RGB, as before). Any other missing or unexpected key is a sentence that names the keys.
timm's pre-activation weights (ResNetV2: ``stages.0.blocks.0.norm1``, ``head.fc``) are renamed
to our names first (timm_names.py), for a pre-activation preset.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..core.spec import ArchSpec
from ..train.errors import TrainError
from ..train.weights import load_tensors, load_weights_into, read_weights
from .cache import cache_folder, find_file
from .catalogue import Preprocess, WeightEntry, catalogue, default_for, find, imagenet_classes
from .timm_names import from_timm_preact, is_timm_preact
from .verify import verify


@dataclass(frozen=True)
class Pretrained:
    """A verified state_dict and what came with it."""

    state: dict[str, torch.Tensor]
    source: str  # the catalogue name, or the file's path
    path: Path
    sha256: str
    entry: WeightEntry | None  # None for a file given by path
    spec: ArchSpec | None  # a run checkpoint's own architecture

    def record(self) -> dict[str, str]:
        """What config.json keeps of the starting weights."""
        return {"weights": self.source, "path": str(self.path), "sha256": self.sha256}


def is_catalogue_name(text: str) -> bool:
    return any(e.name == text for e in catalogue())


def offline_sentence(entry: WeightEntry) -> str:
    return (
        f"The weights {entry.name} are not on this machine; download them (`resnet-studio "
        f"weights --download {entry.name}`), or put {entry.file} from {entry.page} into "
        f"{cache_folder(entry)} (or `resnet-studio weights --import FILE {entry.name}`)."
    )


def _read_state(path: Path) -> dict[str, torch.Tensor]:
    if path.suffix == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            return load_file(str(path))
        except (SafetensorError, OSError, ValueError) as e:
            raise TrainError(
                f"The weights file {path} cannot be read as safetensors: {e}."
            ) from None
    data = load_tensors(path, "weights file")
    if isinstance(data, dict) and "state_dict" in data and isinstance(data["state_dict"], dict):
        data = data["state_dict"]  # timm's training checkpoints
    if not (
        isinstance(data, dict) and data and all(isinstance(v, torch.Tensor) for v in data.values())
    ):
        raise TrainError(f"{path} holds no state_dict (a dict of names to tensors).")
    return dict(data)


def open_weights(name_or_file: str | os.PathLike[str]) -> Pretrained:
    """A catalogue name (its cached file, verified) or a file's path (verified when its name
    promises a hash), read as tensors only."""
    text = str(name_or_file)
    if is_catalogue_name(text):
        entry = find(text)
        path = find_file(entry)
        if path is None:
            raise TrainError(offline_sentence(entry))
        digest = verify(path, entry.sha256_prefix)
        return Pretrained(_read_state(path), entry.name, path, digest, entry, None)
    path = Path(text).expanduser()
    if not path.exists() and "/" not in text and not text.endswith((".pt", ".pth", ".safetensors")):
        find(text)  # raises the sentence naming the closest catalogue names
    digest = verify(path)
    if path.suffix == ".safetensors":
        return Pretrained(_read_state(path), str(path), path, digest, None, None)
    w = read_weights(path)  # a run checkpoint keeps its spec
    return Pretrained(w.state, str(path), path, digest, None, w.spec)


def _adapt(
    model: nn.Module, state: dict[str, torch.Tensor], spec: ArchSpec
) -> tuple[dict[str, Any], list[str]]:
    """The state with the classifier kept fresh when the classes differ and conv1 summed over
    RGB when the channels differ, and the notes saying so; everything else is left as it is,
    for the strict load to judge."""
    own = model.state_dict()
    state = dict(state)
    notes: list[str] = []
    head = _head_name(model)
    weight = state.get(f"{head}.weight")
    if weight is not None and weight.shape[0] != spec.num_classes:
        for k in (f"{head}.weight", f"{head}.bias"):
            if k in state and k in own:
                state[k] = own[k]
        notes.append(
            f"The classifier ({head}) starts fresh for {spec.num_classes} classes "
            f"(the weights have {weight.shape[0]})."
        )
    first = next((k for k, v in own.items() if v.ndim == 4), None)  # the stem's first conv
    v = state.get(first) if first else None
    if first and v is not None and v.ndim == 4 and v.shape[1] != own[first].shape[1]:
        c = own[first].shape[1]
        state[first] = v.sum(1, keepdim=True).repeat(1, c, 1, 1) / c
        notes.append(f"{first} is summed over its {v.shape[1]} input channels for {c}.")
    return state, notes


def _head_name(model: nn.Module) -> str:
    last = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
    return last[-1] if last else "fc"


def load_into(model: nn.Module, spec: ArchSpec, weights: Pretrained) -> list[str]:
    """Load ``weights`` strictly (but for the head and conv1, see above); the notes to show."""
    state = weights.state
    from_timm = weights.entry is None or weights.entry.source == "timm"  # a file: any source
    if spec.preact and from_timm and is_timm_preact(state):
        state = from_timm_preact(state, spec)
    state, notes = _adapt(model, state, spec)
    load_weights_into(
        model,
        state,
        weights.source,
        hint="choose the preset these weights were made for"
        + (f" ({weights.entry.arch})" if weights.entry else ""),
    )
    return notes


def preprocess_for(entry: WeightEntry | None, preset: str | None) -> Preprocess:
    """The weights' own preprocessing; a file by path uses its preset's default weights' one
    (torchvision's DEFAULT transforms for a torchvision preset), else ImageNet's at 224."""
    if entry is not None:
        return entry.preprocess
    default = default_for(preset) if preset else None
    if default is not None:
        return default.preprocess
    return Preprocess(256, 224, "bilinear", (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


def class_names(num_classes: int) -> list[str]:
    """ImageNet's names for a 1000-class head; numbers otherwise."""
    if num_classes == 1000:
        return list(imagenet_classes())
    return [f"class {i}" for i in range(num_classes)]

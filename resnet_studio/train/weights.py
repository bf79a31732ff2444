"""Reading weights that may come from someone else: a run's checkpoint or a state_dict file.

Every file is opened with ``torch.load(weights_only=True)``: only tensors and plain data (dicts,
lists, numbers, strings) are unpickled, so a file from elsewhere cannot run code on this machine.
Anything else is one sentence (a :class:`TrainError`). :func:`load_weights_into` loads a
state_dict strictly and names the keys and shapes that do not fit.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..core.errors import SpecError
from ..core.presets import preset_of
from ..core.spec import ArchSpec
from .errors import TrainError

SHOWN = 4  # keys named in a sentence before "and N more"


def load_tensors(path: str | os.PathLike[str], what: str = "checkpoint") -> Any:
    """``torch.load(path, weights_only=True)`` on the CPU, with every failure one sentence."""
    path = Path(path)
    try:
        with warnings.catch_warnings():
            # "Detected pickle protocol 4": plain pickles are read by the same safe unpickler
            warnings.filterwarnings("ignore", message=".*pickle protocol", category=UserWarning)
            return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise TrainError(f"There is no {what} at {path}.") from None
    except IsADirectoryError:
        raise TrainError(f"{path} is a folder, not a {what}; give the file itself.") from None
    except OSError as e:
        raise TrainError(f"Could not read the {what} {path}: {e.strerror or e}.") from None
    except Exception as e:  # UnpicklingError, EOFError, RuntimeError from a damaged zip, …
        found = re.search(r"GLOBAL ([\w.]+)", str(e))
        if found:  # the safe unpickler met a class or function, which may run code
            raise TrainError(
                f"The {what} {path} holds Python objects ({found.group(1)}) besides tensors "
                f"and plain data, so it was written by another program or an older version; "
                f"it is not loaded, because loading it could run code."
            ) from None
        raise TrainError(
            f"The {what} {path} cannot be read ({type(e).__name__}); it is damaged, or not "
            f"tensors and plain data saved by PyTorch."
        ) from None


@dataclass(frozen=True)
class Weights:
    """A state_dict and, when it came from a run's checkpoint, the spec it was trained with."""

    state: dict[str, torch.Tensor]
    spec: ArchSpec | None
    source: Path


def _is_state_dict(d: Any) -> bool:
    return (
        isinstance(d, dict)
        and bool(d)
        and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in d.items())
    )


def read_weights(path: str | os.PathLike[str]) -> Weights:
    """A run's ``best.pt``/``last.pt`` (its "model" state and its "spec") or a plain state_dict."""
    path = Path(path)
    data = load_tensors(path, "weights file")
    spec = None
    if isinstance(data, dict) and _is_state_dict(data.get("model")):
        if isinstance(data.get("spec"), dict):
            try:
                spec = ArchSpec.from_dict(data["spec"])
            except (SpecError, TypeError) as e:
                raise TrainError(
                    f"The checkpoint {path} holds an architecture that is not valid ({e}); "
                    "it is damaged or was written by another program."
                ) from None
        data = data["model"]
    if not _is_state_dict(data):
        raise TrainError(
            f"{path} holds no model weights: it is neither a ResNet Studio checkpoint nor a "
            f"state_dict (a dict of names to tensors)."
        )
    return Weights(dict(data), spec, path)


def _names(keys: list[str]) -> str:
    shown = ", ".join(keys[:SHOWN])
    return shown + (f" and {len(keys) - SHOWN} more" if len(keys) > SHOWN else "")


def mismatch(model: nn.Module, state: dict[str, Any]) -> str:
    """What keeps ``state`` from loading strictly into ``model``: "" when it fits."""
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [
        f"{k} is {list(v.shape)} in the file but {list(own[k].shape)} in the model"
        for k, v in state.items()
        if k in own and isinstance(v, torch.Tensor) and v.shape != own[k].shape
    ]
    parts = []
    if missing:
        parts.append(f"the file lacks {_names(missing)}")
    if unexpected:
        parts.append(f"it has {_names(unexpected)}, which the model does not")
    if shapes:
        more = f" (and {len(shapes) - 2} more shapes differ)" if len(shapes) > 2 else ""
        parts.append("; ".join(shapes[:2]) + more)
    return "; ".join(parts)


def load_weights_into(
    model: nn.Module,
    state: dict[str, Any],
    source: str | os.PathLike[str],
    hint: str = "choose the architecture they were trained with",
) -> None:
    """Strict ``load_state_dict``; weights that do not fit the architecture are one sentence."""
    problem = mismatch(model, state)
    if problem:
        raise TrainError(
            f"The weights in {source} do not fit this architecture: {problem}; {hint}."
        )
    try:
        model.load_state_dict(state, strict=True)
    except (RuntimeError, TypeError, ValueError) as e:  # e.g. a dtype torch cannot copy
        first = str(e).strip().splitlines()[-1].strip()
        raise TrainError(f"The weights in {source} cannot be loaded: {first}.") from None


def _text(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ",".join(str(v).lower() if isinstance(v, bool) else str(v) for v in value)
    return str(value)


def _label(spec: ArchSpec) -> str:
    h, w = spec.input_size
    name = preset_of(spec) or preset_of(spec.replace(input_size=(224, 224))) or "a custom ResNet"
    return (
        f"{name} ({spec.block} blocks {'-'.join(map(str, spec.layers))}, {spec.in_channels}×{h}×{w}"
        f" in, {spec.num_classes} classes)"
    )


def choose_spec(weights: Weights, asked: ArchSpec | None) -> tuple[ArchSpec, str]:
    """The architecture to build for ``weights``, and a note that says where it came from.

    ``asked`` is what the user's options describe (None when they gave none). A run's checkpoint
    carries the spec it was trained with: without options that one is used; options that ask
    for another architecture (anything but the input size, which weights do not depend on) are
    one sentence rather than a guess.
    """
    saved = weights.spec
    if saved is None:
        if asked is None:
            raise TrainError(
                f"{weights.source} holds weights without their architecture; give the "
                f"architecture options they were trained with."
            )
        return asked, ""
    if asked is None:
        return saved, f"Using the architecture saved with the weights: {_label(saved)}."
    conflicts = [
        f"{f.name} is {_text(getattr(asked, f.name))} in the options but "
        f"{_text(getattr(saved, f.name))} in the checkpoint"
        for f in fields(ArchSpec)
        if f.name != "input_size" and getattr(asked, f.name) != getattr(saved, f.name)
    ]
    if conflicts:
        more = f" (and {len(conflicts) - 2} more)" if len(conflicts) > 2 else ""
        raise TrainError(
            f"The architecture options conflict with the architecture saved in "
            f"{weights.source}: {'; '.join(conflicts[:2])}{more}; leave out the architecture "
            f"options to use the saved one."
        )
    if asked == saved:
        return asked, ""
    h, w = asked.input_size
    return asked, f"Using the architecture saved with the weights, at input {h}×{w}."


def model_for_weights(weights: Weights, spec: ArchSpec) -> nn.Module:
    """``spec`` built, with ``weights`` loaded strictly (a mismatch is one sentence)."""
    from ..core.builder import build_model

    model = build_model(spec)
    load_weights_into(model, weights.state, weights.source)
    return model

"""Fine-tuning from pretrained weights: which parts train, and at which learning rate.

``--freeze`` chooses a linear probe (``backbone``: only the classifier trains), the last N
stages and the classifier (``stages:N``), or everything (``none``). A frozen part stays
bit-equal: its parameters stop asking for gradients (so neither the optimiser nor weight decay
touches them), and its batch norms stay in eval mode whenever the model is put in training
mode, so their running statistics and ``num_batches_tracked`` do not move either.
An optional factor gives the backbone a lower learning rate than the classifier.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from .errors import TrainError

FREEZE_WORDS = "backbone, stages:N (train the last N stages and the classifier) or none"


def parse_freeze(text: str, stages: int) -> int | None:
    """How many stages train (None: all, 0: only the classifier), or one sentence."""
    if text == "none":
        return None
    if text == "backbone":
        return 0
    if text.startswith("stages:"):
        n = text.split(":", 1)[1]
        if n.isdigit() and 0 <= int(n) <= stages:
            return int(n)
        raise TrainError(
            f"--freeze {text}: N must be a whole number from 0 to {stages} (this spec's "
            f"stages); stages:1 trains the last stage and the classifier."
        )
    raise TrainError(f"--freeze must be {FREEZE_WORDS}, not '{text}'.")


def _stage_order(model: nn.Module) -> list[str]:
    return [n for n, _ in model.named_children()]


def frozen_modules(model: nn.Module, trainable_stages: int | None) -> list[str]:
    """The top-level modules that stay as loaded: everything before the last
    ``trainable_stages`` stages (``layer1`` … ``layerN``); the classifier always trains."""
    if trainable_stages is None:
        return []
    names = _stage_order(model)
    stages = [n for n in names if n.startswith("layer")]
    head = [n for n, m in model.named_children() if isinstance(m, nn.Linear)]
    if trainable_stages == 0:
        return [n for n in names if n not in head]
    first = names.index(stages[len(stages) - trainable_stages])
    return names[:first]


def freeze(model: nn.Module, trainable_stages: int | None) -> list[str]:
    """Stop the frozen modules' parameters from asking for gradients; their names."""
    frozen = frozen_modules(model, trainable_stages)
    for name in frozen:
        for p in model.get_submodule(name).parameters():
            p.requires_grad_(False)
    return frozen


def keep_frozen_in_eval(model: nn.Module, frozen: list[str]) -> None:
    """After ``model.train()``: the frozen modules' batch norms back in eval mode."""
    for name in frozen:
        model.get_submodule(name).eval()


def param_groups(
    model: nn.Module, weight_decay: float, lr: float, backbone_lr_scale: float = 1.0
) -> list[dict[str, Any]]:
    """The optimiser's groups: decay for weights, none for biases and norms (as before), and
    the backbone at ``lr * backbone_lr_scale`` when it trains; frozen parameters are left out."""
    head = {n for n, m in model.named_children() if isinstance(m, nn.Linear)}
    groups: dict[tuple[bool, bool], list[nn.Parameter]] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        in_head = name.split(".", 1)[0] in head
        groups.setdefault((in_head, p.ndim <= 1), []).append(p)
    out = []
    for (in_head, no_decay), params in sorted(groups.items()):
        out.append(
            {
                "params": params,
                "weight_decay": 0.0 if no_decay else weight_decay,
                "lr": lr if in_head else lr * backbone_lr_scale,
            }
        )
    return out


def _keep_in_eval(module: nn.Module, _inputs: Any) -> None:
    if module.training:  # model.train() turned it on: frozen batch norms use their statistics
        module.eval()


def start_from_weights(
    model: nn.Module, spec: Any, weights: str, freeze_text: str, resuming: bool
) -> tuple[list[str], str | None]:
    """Load ``weights`` into the freshly built ``model`` (not when resuming: the checkpoint
    holds the weights since), freeze what ``freeze_text`` asks; the notes to show and the
    weights file's SHA-256 (None when resuming)."""
    from ..weights.load import load_into, open_weights

    trainable = parse_freeze(freeze_text, len(spec.layers))
    notes: list[str] = []
    digest = None
    if not resuming:
        w = open_weights(weights)
        notes = load_into(model, spec, w)
        notes.insert(0, f"Started from {w.source} (SHA-256 {w.sha256[:12]}…).")
        digest = w.sha256
    frozen = freeze(model, trainable)
    for name in frozen:
        model.get_submodule(name).register_forward_pre_hook(_keep_in_eval)
    if frozen:
        notes.append(f"Frozen (bit-equal, batch norms in eval mode): {', '.join(frozen)}.")
    return notes, digest


def normalisation(weights: str, spec: Any) -> tuple[list[float], list[float]]:
    """The mean and std the weights were trained with, for the spec's channels: images are
    normalised as for the weights, never with the dataset's own statistics."""
    from ..core.presets import closest_preset
    from ..weights.catalogue import find
    from ..weights.load import is_catalogue_name, preprocess_for

    entry = find(weights) if is_catalogue_name(weights) else None
    pre = preprocess_for(entry, closest_preset(spec))  # a file: its preset's default weights'
    mean, std = list(pre.mean), list(pre.std)
    if spec.in_channels != 3:
        mean, std = [sum(mean) / 3] * spec.in_channels, [sum(std) / 3] * spec.in_channels
    return mean, std

"""``resnet-studio lr-find``: the learning-rate range test before a run, headless.

Takes the spec and training options of ``train`` (data, batch size, optimizer, device, AMP…),
trains a copy of the model for up to ``--steps`` batches at exponentially growing learning
rates, and prints the smoothed loss curve and the suggested rate (the steepest descent). See
:mod:`resnet_studio.measure.lr_find`. Torch is imported when the command runs.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from .options import (
    add_spec_options,
    add_train_options,
    config_from_args,
    number,
    spec_from_args,
    whole,
)


def add_parser(sub: Any) -> None:
    s = sub.add_parser(
        "lr-find",
        help="suggest a learning rate with a range test",
        description="The learning-rate range test: train a copy of the model for a few "
        "hundred steps at exponentially growing learning rates and suggest the rate where the "
        "smoothed loss falls fastest.",
    )
    add_spec_options(s)
    add_train_options(s)
    g = s.add_argument_group("range test")
    g.add_argument(
        "--start-lr", type=number(0, open_low=True), default=1e-7, help="first learning rate"
    )
    g.add_argument(
        "--end-lr", type=number(0, open_low=True), default=10.0, help="last learning rate"
    )
    g.add_argument("--steps", type=whole(1), default=100, help="steps at most (batches)")
    s.add_argument("--json", action="store_true", help="print the curve and suggestion as JSON")
    s.set_defaults(func=run, tensorboard=False)


def run(args: argparse.Namespace) -> int:
    from ..measure.lr_find import find_lr

    spec = spec_from_args(args)
    config = config_from_args(args)
    found = find_lr(
        spec,
        config,
        start_lr=args.start_lr,
        end_lr=args.end_lr,
        steps=args.steps,
        note=None if args.json else print,
    )
    if args.json:
        print(json.dumps(found.to_dict(), indent=2))
        return 0
    print(plot_text(found.lrs, found.smoothed, found.suggestion_index))
    print(found.reason)
    if found.suggestion is None:
        print(found.explanation)
        return 0
    print(
        f"suggested learning rate: {found.suggestion:.3g} (steepest descent of the smoothed "
        f"loss; train with --lr {found.suggestion:.3g})"
    )
    return 0


def plot_text(lrs: tuple[float, ...], losses: tuple[float, ...], mark: int | None) -> str:
    """Smoothed loss against learning rate, one line per step shown (at most 25)."""
    if not lrs:
        return "no steps were recorded"
    every = max(1, math.ceil(len(lrs) / 25))
    shown = sorted({*range(0, len(lrs), every), *([mark] if mark is not None else [])})
    low, high = min(losses), max(losses)
    width = 40
    lines = [f"{'lr':>10}  {'smoothed loss':<13}"]
    for i in shown:
        bar = round(width * (losses[i] - low) / (high - low)) if high > low else 0
        star = "  ◀ suggested" if i == mark else ""
        lines.append(f"{lrs[i]:>10.3g}  {losses[i]:>8.4f} {'█' * bar}{star}")
    return "\n".join(lines)

"""The options the sub-commands share: one-line argparse errors, the architecture options and
the training options, and the objects they describe. Imports no torch."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import fields
from typing import Any, NoReturn

from ..core.errors import SpecError
from ..core.spec import ArchSpec
from ..train.config import AMP_MODES, DATASETS, OPTIMIZERS, SCHEDULES, TrainConfig

DEFAULT_PRESET = "resnet18"


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: what went wrong, and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def whole(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``; the error names the value
    (argparse puts the option before it)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"{value} is too small; give a whole number of at least {minimum}"
            )
        return value

    parse.__name__ = "whole number"
    return parse


def number(
    low: float, high: float | None = None, *, open_low: bool = False
) -> Callable[[str], float]:
    """An argparse type: a finite number from ``low`` (excluded if ``open_low``) to below
    ``high``; the error names the value and the range."""
    span = (
        ("above " if open_low else "at least ")
        + f"{low:g}"
        + (f" and below {high:g}" if high is not None else "")
    )

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        ok = math.isfinite(value) and (value > low if open_low else value >= low)
        if not ok or (high is not None and value >= high):
            raise argparse.ArgumentTypeError(f"{text} is out of range; give a number {span}")
        return value

    parse.__name__ = "number"
    return parse


def flag(text: str) -> bool:
    low = text.lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"'{text}' is not true or false")


def add_spec_options(p: argparse.ArgumentParser) -> None:
    """The architecture options of ``summary``, ``train`` and ``export``; names match ArchSpec."""
    g = p.add_argument_group("architecture (override the preset's fields)")
    g.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        metavar="NAME",
        help=f"a preset (default {DEFAULT_PRESET}); see `resnet-studio presets`",
    )
    g.add_argument("--block", help="basic or bottleneck")
    g.add_argument("--layers", help="blocks per stage, e.g. 3,4,6,3")
    g.add_argument("--widths", help="base width of each stage, e.g. 64,128,256,512")
    g.add_argument("--groups", type=int, help="groups of the 3×3 conv (ResNeXt)")
    g.add_argument(
        "--width-per-group",
        type=int,
        help="channels per group at width 64 (ResNeXt 4, Wide ResNet 128)",
    )
    g.add_argument("--stem", help="imagenet, cifar, deep or deep_tiered")
    g.add_argument("--stem-width", type=int, help="a deep stem's width (default 32)")
    g.add_argument(
        "--stem-pool", help="after the stem: max, conv or none (default: none after cifar)"
    )
    g.add_argument("--shortcut", help="conv_bn, conv, pad or avg_down")
    g.add_argument("--attention", help="none, se or eca (in every block)")
    g.add_argument("--aa", help="anti-aliased downsampling: none, avg or blur")
    g.add_argument("--preact", type=flag, metavar="BOOL", help="pre-activation (ResNet v2)")
    g.add_argument("--drop-path-rate", type=float, help="stochastic depth (training only)")
    g.add_argument("--drop-rate", type=float, help="dropout before fc (training only)")
    g.add_argument(
        "--drop-block-rate", type=float, help="timm's DropBlock in stages 3-4 (training only)"
    )
    g.add_argument("--conv-bias", type=flag, metavar="BOOL", help="biases on every conv")
    g.add_argument("--in-channels", type=int, help="input channels, e.g. 1 or 3")
    g.add_argument("--input-size", help="224 or HxW, e.g. 224x160")
    g.add_argument("--num-classes", type=int, help="outputs of the classifier")
    g.add_argument("--zero-init-residual", type=flag, metavar="BOOL")
    g.add_argument(
        "--replace-stride-with-dilation",
        metavar="BOOLS",
        help="one per stage after the first, e.g. false,true,true",
    )


# every field of the spec; each has its option above (a field without one is never overridden)
SPEC_FIELDS = tuple(f.name for f in fields(ArchSpec))


def spec_from_args(args: argparse.Namespace) -> ArchSpec:
    """The spec the options describe; raises SpecError."""
    overrides: dict[str, Any] = {}
    for name in SPEC_FIELDS:
        value = getattr(args, name, None)
        if value is None:
            continue
        if name == "replace_stride_with_dilation":
            try:
                value = tuple(flag(v) for v in value.split(","))
            except argparse.ArgumentTypeError as e:
                raise SpecError(name, value, str(e)) from None
        overrides[name] = value
    return ArchSpec.from_preset(args.preset, **overrides)


def add_train_options(p: argparse.ArgumentParser) -> None:
    d = TrainConfig()
    g = p.add_argument_group("training")
    g.add_argument("--dataset", default=d.dataset, choices=DATASETS)
    g.add_argument("--data-dir", help="dataset folder (default: the user cache directory)")
    g.add_argument("--epochs", type=whole(1), default=d.epochs)
    g.add_argument("--batch-size", type=whole(1), default=d.batch_size)
    g.add_argument(
        "--lr",
        type=number(0, open_low=True),
        default=d.lr,
        help="learning rate (peak for onecycle)",
    )
    g.add_argument("--optimizer", default=d.optimizer, choices=OPTIMIZERS)
    g.add_argument("--schedule", default=d.schedule, choices=SCHEDULES)
    g.add_argument("--weight-decay", type=number(0), default=d.weight_decay)
    g.add_argument("--label-smoothing", type=number(0, 1), default=d.label_smoothing)
    g.add_argument("--augment", action="store_true", help="random crop with padding and flip")
    g.add_argument("--val-fraction", type=number(0, 1, open_low=True), default=d.val_fraction)
    g.add_argument("--device", default=d.device, help="auto, cpu, cuda, cuda:N or mps")
    g.add_argument(
        "--amp", default=d.amp, choices=AMP_MODES, help="mixed precision; auto = bf16 on CUDA"
    )
    g.add_argument(
        "--no-channels-last",
        action="store_true",
        help="keep NCHW on CUDA (channels_last is the default there)",
    )
    g.add_argument("--threads", type=whole(1), help="torch intra-op threads (default: all cores)")
    g.add_argument(
        "--pretrained",
        action="store_true",
        help="start from torchvision's ImageNet weights (torchvision presets)",
    )
    g.add_argument(
        "--synthetic-size",
        type=whole(1),
        default=d.synthetic_size,
        help="images in the synthetic dataset",
    )
    g.add_argument("--seed", type=whole(0), default=d.seed)


def config_from_args(a: argparse.Namespace) -> TrainConfig:
    return TrainConfig(
        dataset=a.dataset,
        data_dir=a.data_dir,
        epochs=a.epochs,
        batch_size=a.batch_size,
        lr=a.lr,
        optimizer=a.optimizer,
        schedule=a.schedule,
        weight_decay=a.weight_decay,
        label_smoothing=a.label_smoothing,
        augment=a.augment,
        val_fraction=a.val_fraction,
        device=a.device,
        amp=a.amp,
        channels_last=False if a.no_channels_last else None,
        threads=a.threads,
        pretrained=a.pretrained,
        synthetic_size=a.synthetic_size,
        seed=a.seed,
        tensorboard=a.tensorboard,
    )

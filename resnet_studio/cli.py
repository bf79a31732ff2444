"""``resnet-studio``: the command line, a thin face over the core (and later the trainer).

Sub-commands: ``summary`` (the analysis as a table or JSON), ``presets``, ``train`` and
``runs`` (see train_cli.py). With no
sub-command it opens the window.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .core import ArchSpec, SpecError, analyze
from .core.format import human, summary_table
from .core.presets import PRESETS, preset_of
from .train.errors import TrainError

DEFAULT_PRESET = "resnet18"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: what went wrong, and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _flag(text: str) -> bool:
    low = text.lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"'{text}' is not true or false")


def add_spec_options(p: argparse.ArgumentParser) -> None:
    """The architecture options shared by ``summary`` and ``train``; names match ArchSpec."""
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
    g.add_argument("--stem", help="imagenet or cifar")
    g.add_argument("--shortcut", help="conv_bn, conv or pad")
    g.add_argument("--conv-bias", type=_flag, metavar="BOOL", help="biases on every conv")
    g.add_argument("--in-channels", type=int, help="input channels, e.g. 1 or 3")
    g.add_argument("--input-size", help="224 or HxW, e.g. 224x160")
    g.add_argument("--num-classes", type=int, help="outputs of the classifier")
    g.add_argument("--zero-init-residual", type=_flag, metavar="BOOL")
    g.add_argument(
        "--replace-stride-with-dilation",
        metavar="BOOLS",
        help="one per stage after the first, e.g. false,true,true",
    )


_SPEC_FIELDS = (
    "block",
    "layers",
    "widths",
    "groups",
    "width_per_group",
    "stem",
    "shortcut",
    "conv_bias",
    "in_channels",
    "input_size",
    "num_classes",
    "zero_init_residual",
    "replace_stride_with_dilation",
)


def spec_from_args(args: argparse.Namespace) -> ArchSpec:
    """The spec the options describe; raises SpecError."""
    overrides: dict[str, Any] = {}
    for name in _SPEC_FIELDS:
        value = getattr(args, name, None)
        if value is None:
            continue
        if name == "replace_stride_with_dilation":
            try:
                value = tuple(_flag(v) for v in value.split(","))
            except argparse.ArgumentTypeError as e:
                raise SpecError(name, value, str(e)) from None
        overrides[name] = value
    return ArchSpec.from_preset(args.preset, **overrides)


def _summary(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    a = analyze(spec, batch_size=args.batch, dtype=args.dtype)
    if args.json:
        print(json.dumps(a.to_dict(), indent=2))
        return 0
    name = preset_of(spec)
    title = name if name else f"custom (based on {args.preset})"
    print(summary_table(a, depth=args.depth, title=title))
    return 0


def _presets(args: argparse.Namespace) -> int:
    names = list(PRESETS)
    width = max(len(n) for n in names)
    for name in names:
        a = analyze(ArchSpec.from_preset(name))
        print(
            f"{name:<{width}}  depth {a.spec.depth:>3}  {human(a.totals.params):>8} params  "
            f"{human(a.totals.macs):>8} MACs  {PRESETS[name][0]}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="resnet-studio", description="Explore ResNet architectures and watch them train."
    )
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    s = sub.add_parser(
        "summary",
        help="shapes, parameters and MACs of an architecture",
        description="Shapes, parameters and MACs of every layer, by arithmetic.",
    )
    add_spec_options(s)
    s.add_argument("--batch", type=int, default=1, help="batch size for shapes, MACs, memory")
    s.add_argument("--dtype", default="float32", help="float32, float16, bfloat16 or float64")
    s.add_argument(
        "--depth",
        choices=("stages", "blocks", "layers"),
        default="blocks",
        help="rows to print: stage rollups, blocks (default) or every layer",
    )
    s.add_argument("--json", action="store_true", help="print the analysis as JSON")
    s.set_defaults(func=_summary)
    pr = sub.add_parser("presets", help="list the presets")
    pr.set_defaults(func=_presets)
    from .train_cli import add_commands

    add_commands(sub, _Parser, add_spec_options)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from .gui.app import run_app

        return run_app()
    try:
        return args.func(args)
    except (SpecError, TrainError) as e:
        print(f"resnet-studio: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `resnet-studio summary | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())

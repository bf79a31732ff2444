"""``resnet-studio summary``: shapes, parameters and MACs of every layer, by arithmetic."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..core import analyze
from ..core.format import summary_table
from ..core.presets import spec_label
from .options import add_spec_options, spec_from_args, whole


def add_parser(sub: Any) -> None:
    s = sub.add_parser(
        "summary",
        help="shapes, parameters and MACs of an architecture",
        description="Shapes, parameters and MACs of every layer, by arithmetic.",
    )
    add_spec_options(s)
    s.add_argument("--batch", type=whole(1), default=1, help="batch size for shapes, MACs, memory")
    s.add_argument("--dtype", default="float32", help="float32, float16, bfloat16 or float64")
    s.add_argument(
        "--depth",
        choices=("stages", "blocks", "layers"),
        default="blocks",
        help="rows to print: stage rollups, blocks (default) or every layer",
    )
    s.add_argument("--json", action="store_true", help="print the analysis as JSON")
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    a = analyze(spec, batch_size=args.batch, dtype=args.dtype)
    if args.json:
        print(json.dumps(a.to_dict(), indent=2))
        return 0
    print(summary_table(a, depth=args.depth, title=spec_label(spec, args.preset)))
    return 0

"""``resnet-studio presets``: every preset with its depth, parameters and MACs."""

from __future__ import annotations

import argparse
from typing import Any

from ..core import ArchSpec, analyze
from ..core.format import human
from ..core.presets import PRESETS


def add_parser(sub: Any) -> None:
    pr = sub.add_parser("presets", help="list the presets", description="List the presets.")
    pr.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    names = list(PRESETS)
    width = max(len(n) for n in names)
    for name in names:
        a = analyze(ArchSpec.from_preset(name))
        print(
            f"{name:<{width}}  depth {a.spec.depth:>3}  {human(a.totals.params):>8} params  "
            f"{human(a.totals.macs):>8} MACs  {PRESETS[name][0]}"
        )
    return 0

"""``resnet-studio presets``: every preset with its depth, parameters and MACs, by family."""

from __future__ import annotations

import argparse
from typing import Any

from ..core import ArchSpec, analyze
from ..core.format import human
from ..core.presets import FAMILIES, PRESETS, preset_family


def add_parser(sub: Any) -> None:
    pr = sub.add_parser("presets", help="list the presets", description="List the presets.")
    pr.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    width = max(len(n) for n in PRESETS)
    for i, family in enumerate(FAMILIES):
        print(("\n" if i else "") + f"{family}:")
        for name in (n for n in PRESETS if preset_family(n) == family):
            a = analyze(ArchSpec.from_preset(name))
            print(
                f"  {name:<{width}}  depth {a.spec.depth:>3}  {human(a.totals.params):>8} params  "
                f"{human(a.totals.macs):>8} MACs  {a.spec.input_size[0]:>3}²  {PRESETS[name][0]}"
            )
    return 0

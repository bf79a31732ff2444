"""The diagram's layout for resnet1202 against resnet20, side by side in one process.

Folded, a ×N block run is one box, so the 1202-layer network (200 blocks a stage) should lay out
about as fast as the 20-layer one (3 a stage) it repeats. Alternately times ``diagram()`` over
an analysis made beforehand, for each network, and prints the medians and their ratio (the
unfolded layout of resnet1202 too, for scale).
Run: ``.venv/bin/python bench/diagram_layout.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from resnet_studio import ArchSpec, analyze
from resnet_studio.core.diagram import diagram


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=21)
    args = p.parse_args()
    small = analyze(ArchSpec.from_preset("resnet20"))
    deep = analyze(ArchSpec.from_preset("resnet20", layers=(200, 200, 200)))
    cases = {
        "resnet20": lambda: diagram([("resnet20", small)]),
        "resnet1202": lambda: diagram([("resnet1202", deep)]),
        "resnet1202 unfolded": lambda: diagram([("resnet1202", deep)], expand_all=True),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.repeat):
        for name, fn in cases.items():
            times[name].append(timed(fn))
    base = statistics.median(times["resnet20"])
    print(f"medians of {args.repeat}, alternating")
    print(f"{'layout':<22} {'median':>10} {'× resnet20':>11}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"{name:<22} {m * 1e3:>7.2f} ms {m / base:>10.2f}×")


if __name__ == "__main__":
    main()

"""Analysis speed against torchinfo.summary, side by side in one process.

For each model and input size, alternately time:
- ours: ``analyze(ArchSpec.from_preset(...)).rows`` from a cold cache (spec, description and
  every row: a block like one before it makes its rows when asked, and torchinfo gives all);
- torchinfo: ``torchinfo.summary`` on the already-built model (its build time is not counted).
Prints the medians and their ratio. Run: ``.venv/bin/python bench/analysis.py``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torchinfo

from resnet_studio import ArchSpec, analyze, build_model
from resnet_studio.core.analysis import clear_caches


def ours(name: str, size: int) -> float:
    clear_caches()
    t = time.perf_counter()
    rows = analyze(ArchSpec.from_preset(name, input_size=size)).rows
    elapsed = time.perf_counter() - t
    assert rows
    return elapsed


def theirs(model: torch.nn.Module, size: int) -> float:
    t = time.perf_counter()
    with torch.no_grad():
        torchinfo.summary(model, input_size=(1, 3, size, size), verbose=0, device="cpu")
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="resnet18,resnet50,resnet152,resnet152d,seresnext50_32x4d")
    p.add_argument("--sizes", default="224,1024")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    print(
        f"torch {torch.__version__}, torchinfo {torchinfo.__version__}, "
        f"{torch.get_num_threads()} threads; medians of {args.repeat}"
    )
    print(f"{'model':<17} {'input':>6} {'ours':>10} {'torchinfo':>11} {'speed-up':>9}")
    for name in args.models.split(","):
        model = build_model(ArchSpec.from_preset(name)).eval()
        for size in (int(s) for s in args.sizes.split(",")):
            a, b = [], []
            for _ in range(args.repeat):
                a.append(ours(name, size))
                b.append(theirs(model, size))
            ma, mb = statistics.median(a), statistics.median(b)
            print(
                f"{name:<17} {size:>6} {ma * 1e3:>8.2f} ms {mb * 1e3:>8.0f} ms {mb / ma:>8.0f}×",
                flush=True,
            )


if __name__ == "__main__":
    main()

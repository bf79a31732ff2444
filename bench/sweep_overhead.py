"""The cost of a sweep trial beside a bare `train` of the same configuration.

A bare run is what `resnet-studio train` does: a Trainer with the RunRecorder in a new run folder.
A trial is what `resnet-studio sweep work NAME --trials 1` does: open the journal, load the sweep,
ask Optuna for a trial (the space has nothing to vary, so the configuration is the same), keep
its heartbeat, train it the same way, tag the folder and tell Optuna the value. Both run in this
process, alternating which goes first, after one warm-up each. Reported: the medians, their
difference, and the median of the per-pair ratios. Goal: a trial costs ≤ 5% or ≤ 1 s more.

    .venv/bin/python bench/sweep_overhead.py [--rounds 5] [--epochs 1]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from resnet_studio.sweep.space import Space
from resnet_studio.sweep.storage import create_sweep, open_storage
from resnet_studio.sweep.worker import Worker
from resnet_studio.train import RunRecorder, Trainer
from resnet_studio.train.records import new_run_dir

SPACE = """\
[fixed]
preset = "resnet20"
in_channels = 1
input_size = 8
dataset = "digits"
epochs = {epochs}
batch_size = 64
threads = 1
[vary]
[sweep]
seed = 0
"""


def bare(space: Space, root: Path) -> float:
    t0 = time.perf_counter()
    spec, config = space.configure({})
    run_dir = new_run_dir(root, "bare")
    end = Trainer(spec, config, [RunRecorder(run_dir)], run_dir=str(run_dir)).run()
    assert end.status.value == "finished", end.reason
    return time.perf_counter() - t0


def trial(url: str, root: Path) -> float:
    t0 = time.perf_counter()
    result = Worker("bench", url, root, echo=lambda _: None).run(1)
    assert result.trained == 1 and result.failed == 0
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--epochs", type=int, default=1)
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="resnet-studio-bench-") as tmp:
        root, url = Path(tmp) / "runs", f"journal:{Path(tmp) / 'sweeps.journal'}"
        space = Space.parse(SPACE.format(epochs=a.epochs))
        create_sweep("bench", space, open_storage(url))
        bare(space, root), trial(url, root)  # warm-up: imports, dataset cache, allocator
        bares, trials = [], []
        for i in range(a.rounds):
            if i % 2:
                trials.append(trial(url, root))
                bares.append(bare(space, root))
            else:
                bares.append(bare(space, root))
                trials.append(trial(url, root))
    b, t = statistics.median(bares), statistics.median(trials)
    ratio = statistics.median(x / y for x, y in zip(trials, bares, strict=True))
    for what, m, xs in (("bare train ", b, bares), ("sweep trial", t, trials)):
        print(f"{what} (median of {a.rounds}): {m:.3f} s   [{min(xs):.3f} … {max(xs):.3f}]")
    print(f"trial − bare: {t - b:+.3f} s; trial / bare (median of pairs): {ratio:.3f}")
    ok = ratio <= 1.05 or t - b <= 1.0
    print(f"goal (≤ 5% or ≤ 1 s more): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()

"""A long history of runs: `resnet-studio runs` and the window with N finished runs against 1.

Each run is written by the app's own recorder (``RunRecorder``, driven with the events a
trainer sends: steps, epochs, an end), so the folders are what the app would leave: config,
status, metrics.jsonl with ``--steps`` step records, and whatever else the recorder keeps.
Then, side by side in one process, alternating:

- ``runs``: a fresh ``python -m resnet_studio.cli runs --root …`` process, launch to exit;
- the window: a fresh ``python -m resnet_studio.cli`` process, launch to first paint, with its
  resident memory (VmRSS) at that paint and again once its startup work is done (2 s later).

Reported as medians and the ratio of N runs to 1 run. The goals (issue 20): ``runs`` ≤ 3×,
window visible ≤ 1.5×, and the window's memory grows with the curves shown, not the history.
Run: ``.venv/bin/python bench/history.py [--runs 300 --steps 2000 --repeat 3]``. Set
PYTHONPATH to measure another checkout (the code before a change) with the same script.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROBE = r"""
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

marks = {}

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

class Probe(QObject):
    def eventFilter(self, obj, event):
        if "paint" not in marks and event.type() == QEvent.Type.Paint:
            w = obj.window() if hasattr(obj, "window") else None
            if isinstance(w, QMainWindow):
                marks["paint"] = time.time()
                marks["rss_paint"] = rss_mb()
                QTimer.singleShot(2000, done)
        return False

def done():
    print(f"PROBE {marks['paint']} {marks['rss_paint']} {rss_mb()}", flush=True)
    os._exit(0)

probe = Probe()
exec_ = QApplication.exec

def exec_with_probe(self):
    self.installEventFilter(probe)
    return exec_()

QApplication.exec = exec_with_probe
sys.argv = ["resnet-studio"]
from resnet_studio.cli import main
main([])
"""


class _Trainer:
    """What the recorder reads of a trainer."""

    run_dir: str | None = None
    model: Any = None
    best_val_accuracy: float | None = None

    def state_dict(self) -> dict[str, Any]:
        return {}


def write_run(run_dir: Path, steps: int, seed: int) -> None:
    """A finished digits run of ``steps`` steps over 10 epochs, as the recorder writes it."""
    import random

    from resnet_studio.core.presets import preset_spec
    from resnet_studio.train.config import TrainConfig
    from resnet_studio.train.details import DatasetDetails, RunDetails
    from resnet_studio.train.events import EpochMetrics, RunEnd, RunInfo, RunStatus, StepMetrics
    from resnet_studio.train.records import RunRecorder

    rng = random.Random(seed)
    epochs = 10
    spe = steps // epochs
    details = RunDetails(
        spec=preset_spec("resnet20"),
        config=TrainConfig(dataset="digits", epochs=10, lr=0.05, seed=seed),
        dataset=DatasetDetails("digits", 1437, 360, 10),
        device="cpu",
        params=272474,
        macs=40_000_000,
        steps_per_epoch=spe,
        total_steps=steps,
    )
    info = RunInfo(details, 0, 0, str(run_dir))
    trainer = _Trainer()
    rec = RunRecorder(run_dir, checkpoints=False)
    rec.on_run_start(trainer, info)
    t0 = time.time()
    step = 0
    for epoch in range(1, epochs + 1):
        batch = []
        for _ in range(spe):
            step += 1
            loss = 2.3 * (0.999**step) + 0.05 * rng.random()
            batch.append(
                StepMetrics(step, epoch, loss, 1 - loss / 2.4, 0.05, 900.0, step * 0.05, t0 + step)
            )
            if len(batch) == 20:
                rec.on_steps(trainer, batch)
                batch = []
        if batch:
            rec.on_steps(trainer, batch)
        acc = min(0.99, 0.5 + 0.05 * epoch + 0.01 * rng.random())
        trainer.best_val_accuracy = max(acc, trainer.best_val_accuracy or 0.0)
        rec.on_epoch_end(
            trainer,
            EpochMetrics(epoch, step, 0.3, acc, 0.3, acc, 5.0, 900.0, 0.05, step * 0.05),
        )
    rec.on_run_end(trainer, RunEnd(RunStatus.FINISHED, "", epochs, step, trainer.best_val_accuracy))


def make_history(root: Path, n: int, steps: int) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        write_run(root / f"20260101-{i:06d}-resnet20-digits", steps, i)


def time_runs(env: dict[str, str], root: Path) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "resnet_studio.cli", "runs", "--root", str(root)],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.perf_counter() - t


def time_window(env: dict[str, str]) -> tuple[float, float, float]:
    """(seconds to first paint, MB at that paint, MB 2 s later)."""
    t = time.time()
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=600
    )
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("PROBE")), None)
    if line is None:
        raise SystemExit(f"the window did not paint:\n{out.stderr[-2000:]}")
    paint, rss_paint, rss_after = (float(v) for v in line.split()[1:])
    return paint - t, rss_paint, rss_after


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=300)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-window", action="store_true", help="measure `runs` only")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        homes = {}
        for n in (1, args.runs):
            home = Path(tmp) / f"home{n}"
            make_history(home / "data" / "resnet-studio" / "runs", n, args.steps)
            env = {
                **os.environ,
                "XDG_CONFIG_HOME": str(home / "config"),
                "XDG_DATA_HOME": str(home / "data"),
                "XDG_CACHE_HOME": str(home / "cache"),
            }
            if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
                env.setdefault("QT_QPA_PLATFORM", "offscreen")
            homes[n] = (env, home / "data" / "resnet-studio" / "runs")
        big = sum(f.stat().st_size for f in homes[args.runs][1].rglob("*") if f.is_file())
        print(f"{args.runs} runs of {args.steps} steps: {big / 1e6:.0f} MB on disk")
        for env, root in homes.values():  # warm the file cache; a first listing may write
            time_runs(env, root)
        results: dict[int, dict[str, list[float]]] = {n: {} for n in homes}
        for _ in range(args.repeat):
            for n, (env, root) in homes.items():
                r = results[n]
                r.setdefault("runs", []).append(time_runs(env, root))
                if not args.no_window:
                    paint, rss_paint, rss_after = time_window(env)
                    r.setdefault("paint", []).append(paint)
                    r.setdefault("rss_paint", []).append(rss_paint)
                    r.setdefault("rss_after", []).append(rss_after)
    print(f"medians of {args.repeat}; {args.runs} runs against 1 run")
    rows = [("`runs` (s)", "runs")]
    if not args.no_window:
        rows += [
            ("window first paint (s)", "paint"),
            ("window RSS at paint (MB)", "rss_paint"),
            ("window RSS 2 s later (MB)", "rss_after"),
        ]
    for label, key in rows:
        one = statistics.median(results[1][key])
        many = statistics.median(results[args.runs][key])
        print(
            f"{label:<28} 1 run {one:>8.2f}   {args.runs} runs {many:>8.2f}   {many / one:>5.2f}×"
        )


if __name__ == "__main__":
    main()

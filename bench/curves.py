"""Live curves on long runs: the cost of one redraw against a plain pyqtgraph plot.

One "frame" is what happens while a run trains: 50 new steps arrive, the curves are brought up
to date, and both plots are painted (offscreen, 1600×500). The window's CurvesView (steady
ranges, clip-to-view, peak downsampling, cached axes) is timed against a bare pyqtgraph
PlotWidget given the same step losses each frame (its defaults: every point drawn, autorange),
frame by frame in alternation, at 1k to 1M steps. Reported: the median milliseconds of GUI-thread
CPU per frame and their ratio. Goal: a 100k-step run stays smooth (a frame well under 16 ms).

    .venv/bin/python bench/curves.py [--frames 30] [--sizes 1000 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from resnet_studio.gui.offscreen import use_offscreen_screen  # noqa: E402

use_offscreen_screen()

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio.gui.train.curves import CurvesView  # noqa: E402
from resnet_studio.train.details import RunDetails  # noqa: E402
from resnet_studio.train.events import RunStatus, StepMetrics  # noqa: E402
from resnet_studio.train.run import Run  # noqa: E402

NEW = 50  # steps per frame


def _steps(start: int, n: int) -> list[StepMetrics]:
    rng = np.random.default_rng(start)
    loss = 2.3 * np.exp(-np.arange(start, start + n) / (start + n + 1e3)) + 0.1 * rng.random(n)
    return [
        StepMetrics(start + i, 0, float(v), 0.5, 0.1, 100.0, 0.01 * (start + i))
        for i, v in enumerate(loss)
    ]


def _cpu_ms(app: QApplication, frame) -> float:  # noqa: ANN001
    t = time.thread_time()
    frame()
    app.processEvents()  # the paints the frame asked for
    app.processEvents()
    return 1000 * (time.thread_time() - t)


def measure(app: QApplication, n: int, frames: int) -> tuple[float, float]:
    """Median GUI-thread milliseconds per frame at n steps: (CurvesView, bare pyqtgraph)."""
    name = "20261123-120000-resnet18-digits"
    run = Run(name, Path(name), "#1f77b4", status=RunStatus.RUNNING)
    run.info, run.total_steps = RunDetails(steps_per_epoch=1000), n + NEW * (frames + 5)
    run.add_steps(_steps(0, n))
    view = CurvesView()
    view.resize(1600, 500)
    view.timer.stop()  # frames are driven here
    view.set_runs([run])
    view.show()
    bare = pg.PlotWidget(title="Loss")
    bare.resize(800, 460)
    curve = bare.plot(pen="#1f77b4")
    bare.show()

    def ours() -> None:
        run.add_steps(_steps(run.step.n, NEW))
        view.mark_dirty()
        view.redraw()

    def theirs() -> None:
        curve.setData(run.step.values, run.step_loss.values)

    mine, ref = [], []
    for i in range(frames + 5):
        a, b = _cpu_ms(app, ours), _cpu_ms(app, theirs)
        if i >= 5:  # the first frames make items and caches
            mine.append(a)
            ref.append(b)
    for w in (view, bare):
        w.close()
        w.deleteLater()
    return statistics.median(mine), statistics.median(ref)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frames", type=int, default=30)
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000, 1_000_000])
    args = p.parse_args()
    app = QApplication([])
    print(f"{'steps':>9}  {'CurvesView':>10}  {'bare pyqtgraph':>14}  ratio")
    for n in args.sizes:
        m, r = measure(app, n, args.frames)
        print(f"{n:>9,}  {m:>8.1f} ms  {r:>11.1f} ms  {m / r:5.2f}", flush=True)


if __name__ == "__main__":
    main()

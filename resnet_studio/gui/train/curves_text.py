"""What the curves say about a point of a run, in words: the run, the step, the value and when
(the clock, and the time since the run's first step). Plain functions of a :class:`Run`."""

from __future__ import annotations

from typing import Any

import numpy as np

from resnet_studio.gui.plots.plot_hover import clock, duration
from resnet_studio.train.run import Run


def wall_at(run: Run, t: Any) -> Any:
    """The clock when the run had trained ``t`` seconds (between steps, in step with training;
    an epoch's end lies between them)."""
    if run.step.n < 2:
        return np.full(np.shape(t), run.step_wall.values[0] if run.step.n else 0.0)
    return np.interp(t, run.step_time.values, run.step_wall.values)


def describe(run: Run, what: str, i: int, smooth: Any = None) -> str:
    """Three lines on point ``i`` of the curve ``what`` ("loss", "val_accuracy" or
    "train_accuracy"): the run; the step and value; the clock and the time since its start.
    ``smooth``: the smoothed losses, when the loss is smoothed."""
    if what == "loss":
        step, value = int(run.step.values[i]), f"loss {run.step_loss.values[i]:.4f}"
        if smooth is not None and len(smooth) > i:
            value += f" (smoothed {smooth[i]:.4f})"
        t = float(run.step_time.values[i])
        wall = float(run.step_wall.values[i]) if run.step_wall.n > i else 0.0
    else:
        e = run.epochs[i]
        step = int(e.step)
        name = what.replace("_accuracy", " accuracy")
        value = f"epoch {e.epoch} · {name} {100 * getattr(e, what):.2f}%"
        t = float(e.time)
        wall = float(wall_at(run, t))
    start = run.step_time.values[0] if run.step.n else 0.0
    when = " · ".join(p for p in (clock(wall), f"{duration(t - start)} in") if p)
    return f"{run.label}\nstep {step} · {value}\n{when}"

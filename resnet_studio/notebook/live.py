"""``train`` in a notebook: the app's one trainer on a background thread, its run folder the
window's, and its loss and accuracy curves redrawn in the output cell a few times a second.

The cell returns at once with a :class:`NotebookRun`; the kernel stays free. Live drawing uses
an ipywidgets ``HTML`` widget (the ``notebook`` extra) and falls back on IPython's own display
updates where ipywidgets is missing; a finished run displays its curves as static HTML.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from ..train.events import Callback, EpochMetrics, RunEnd, RunInfo, RunStatus, StepMetrics
from ..train.events import Trainer as TrainerView
from .charts import line_chart

REDRAW_EVERY = 0.3  # seconds: at most about three redraws a second


class NotebookRun(Callback):
    """A run started from a notebook. ``metrics`` holds its records as metrics.jsonl has them
    (``kind`` "step", "epoch", then "end"); ``stop()``, ``pause()``, ``resume()`` and
    ``wait()`` work from any cell."""

    def __init__(self, trainer: Any, run_dir: Path, label: str) -> None:
        self.trainer = trainer
        self.run_dir = run_dir
        self.label = label
        self.metrics: list[dict[str, Any]] = []
        self.end: RunEnd | None = None
        self.error: str = ""
        self._lock = threading.Lock()
        self._drawn = 0.0
        self._show: Callable[[str], None] | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"train {label}", daemon=True)

    # --- control -----------------------------------------------------------------------
    def start(self, show: Callable[[str], None] | None) -> NotebookRun:
        self._show = show
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the step under way; the run folder keeps a checkpoint to resume from."""
        self.trainer.stop()

    def pause(self) -> None:
        self.trainer.pause()

    def resume(self) -> None:
        self.trainer.resume()

    def wait(self, timeout: float | None = None) -> RunEnd | None:
        """Block until the run ends (or ``timeout`` seconds pass); its end, or None."""
        self._done.wait(timeout)
        return self.end

    @property
    def status(self) -> RunStatus:
        if self.end is not None:
            return self.end.status
        if not self._thread.is_alive():
            return RunStatus.QUEUED if not self._done.is_set() else RunStatus.FAILED
        return RunStatus.PAUSED if self.trainer.paused else RunStatus.RUNNING

    # --- the trainer's events (on the training thread) ---------------------------------
    def _run(self) -> None:
        try:
            self.end = self.trainer.run()
        except Exception as e:  # a bug: keep the kernel alive and say it in the cell
            self.error = f"The run stopped on an unexpected error: {e}"
        finally:
            self._done.set()
            self._redraw(force=True)

    def on_run_start(self, trainer: TrainerView, info: RunInfo) -> None:
        self._redraw(force=True)

    def on_steps(self, trainer: TrainerView, steps: list[StepMetrics]) -> None:
        with self._lock:
            self.metrics += [s.to_dict() for s in steps]
        self._redraw()

    def on_epoch_end(self, trainer: TrainerView, metrics: EpochMetrics) -> None:
        with self._lock:
            self.metrics.append(metrics.to_dict())
        self._redraw(force=True)

    def on_run_end(self, trainer: TrainerView, end: RunEnd) -> None:
        with self._lock:
            self.metrics.append(end.to_dict())

    def _redraw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self._show is None or (not force and now - self._drawn < REDRAW_EVERY):
            return
        self._drawn = now
        self._show(self._repr_html_())

    # --- what the cell shows -----------------------------------------------------------
    def records(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.metrics if r.get("kind") == kind]

    def _line(self) -> str:
        epochs = self.records("epoch")
        done = f"epoch {epochs[-1]['epoch']}/{self.trainer.config.epochs}" if epochs else ""
        acc = epochs[-1].get("val_accuracy") if epochs else None
        parts = [self.label, str(self.status), done]
        if acc is not None:
            parts.append(f"val accuracy {100 * acc:.2f}%")
        if self.end is not None and self.end.reason:
            parts.append(self.end.reason)
        if self.error:
            parts.append(self.error)
        return " · ".join(p for p in parts if p)

    def _repr_html_(self) -> str:
        steps, epochs = self.records("step"), self.records("epoch")
        loss = [
            ("train", "#1f77b4", [(r["step"], r["loss"]) for r in steps]),
            ("val", "#d62728", [(r["step"], r["val_loss"]) for r in epochs if r["val_loss"]]),
        ]
        acc = [
            ("train", "#1f77b4", [(r["step"], r["accuracy"]) for r in steps]),
            (
                "val",
                "#d62728",
                [(r["step"], r["val_accuracy"]) for r in epochs if r["val_accuracy"] is not None],
            ),
        ]
        return (
            '<div class="rs-run" style="font-family:system-ui,sans-serif;font-size:13px">'
            f"<div><b>{escape(self._line())}</b></div>"
            f'<div style="display:flex;gap:12px;flex-wrap:wrap">{line_chart("loss", loss)}'
            f"{line_chart('accuracy', acc, percent=True)}</div>"
            f'<div style="color:#666">{escape(str(self.run_dir))}</div></div>'
        )

    def __repr__(self) -> str:
        return f"<run {self._line()} in {self.run_dir}>"


def live_display() -> Callable[[str], None] | None:
    """Where a running cell's HTML goes: an ipywidgets HTML widget shown in the cell, else an
    IPython display handle, else nowhere (a plain Python prompt: ``print(run)`` tells)."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        return None
    if get_ipython() is None:
        return None
    try:
        import ipywidgets
    except ImportError:
        handle = display(HTML(""), display_id=True)
        if handle is None:
            return None
        return lambda html: handle.update(HTML(html))
    widget = ipywidgets.HTML()
    display(widget)

    def show(html: str) -> None:
        widget.value = html

    return show

"""Training runs in the window: a Qt bridge for the trainer's events, one QThread per run, and the
growing buffers the curves read. The trainer itself is the core's; nothing here trains.

The bridge is a trainer Callback: on the training thread it gathers step reports and emits them
as one queued signal at most every ``EMIT_INTERVAL`` seconds; epochs, pauses, notes and the end
go at once (after the steps before them), so the GUI thread sees the same order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal

from ..core import ArchSpec
from ..train.config import TrainConfig
from ..train.events import Callback, EpochMetrics, RunEnd, RunInfo, StepMetrics
from ..train.records import RunRecorder, RunSummary, new_run_dir, read_metrics, read_run_config

if TYPE_CHECKING:  # the trainer (and torch) load when a run starts, not with the window
    from ..train.trainer import Trainer

EMIT_INTERVAL = 0.08  # seconds: the bridge sends at most ~12 batches of steps a second


class Growing:
    """A float buffer that grows by doubling, so appends stay cheap at 100k+ points."""

    def __init__(self) -> None:
        self._data = np.empty(1024)
        self.n = 0

    def extend(self, values: list[float]) -> None:
        need = self.n + len(values)
        if need > len(self._data):
            grown = np.empty(max(need, 2 * len(self._data)))
            grown[: self.n] = self._data[: self.n]
            self._data = grown
        self._data[self.n : need] = values
        self.n = need

    @property
    def values(self) -> np.ndarray:
        return self._data[: self.n]


@dataclass
class RunState:
    """Everything the window shows of one run, live or loaded from its directory."""

    name: str
    run_dir: Path | None
    colour: str
    status: str = "queued"
    reason: str = ""
    info: dict[str, Any] = field(default_factory=dict)  # from RunInfo or config.json
    step: Growing = field(default_factory=Growing)
    step_time: Growing = field(default_factory=Growing)
    step_loss: Growing = field(default_factory=Growing)
    epochs: list[dict[str, Any]] = field(default_factory=list)
    images_per_s: float = 0.0
    elapsed: float = 0.0
    visible: bool = True
    total_steps: int = 0
    last_step: int = 0
    notes: list[str] = field(default_factory=list)  # what the trainer said on the way

    def add_steps(self, steps: list[StepMetrics]) -> None:
        self.step.extend([s.step for s in steps])
        self.step_time.extend([s.time for s in steps])
        self.step_loss.extend([s.loss for s in steps])
        last = steps[-1]
        self.images_per_s, self.elapsed, self.last_step = last.images_per_s, last.time, last.step

    @property
    def label(self) -> str:
        """20261123-093256-resnet20-digits -> 09:32:56 resnet20-digits (the folder is longer)."""
        parts = self.name.split("-", 2)
        if len(parts) == 3 and parts[0].isdigit() and len(parts[1]) == 6 and parts[1].isdigit():
            t = parts[1]
            return f"{t[:2]}:{t[2:4]}:{t[4:]} {parts[2]}"
        return self.name

    def truncate(self, step: int) -> None:
        """Forget what came after ``step`` (a resume continues from its checkpoint there)."""
        n = int((self.step.values <= step).sum())
        for buf in (self.step, self.step_time, self.step_loss):
            buf.n = n
        self.epochs = [e for e in self.epochs if e["step"] <= step]
        self.last_step = step

    def add_epoch(self, m: dict[str, Any]) -> None:
        self.epochs.append(m)
        self.elapsed = m.get("time", self.elapsed)

    @property
    def best_val_accuracy(self) -> float | None:
        vals = [e["val_accuracy"] for e in self.epochs if e.get("val_accuracy") is not None]
        return max(vals) if vals else None

    @classmethod
    def from_disk(cls, summary: RunSummary, colour: str) -> RunState:
        """A past run, its curves read back from metrics.jsonl."""
        state = cls(summary.name, summary.dir, colour, summary.status, summary.reason)
        state.info = read_run_config(summary.dir)
        state.total_steps = state.info.get("total_steps", 0)
        state.notes = list((state.info.get("dataset") or {}).get("notes") or [])
        steps = []
        for r in read_metrics(summary.dir / "metrics.jsonl"):
            if r.get("kind") == "step":
                steps.append(
                    StepMetrics(
                        r["step"],
                        r["epoch"],
                        r["loss"],
                        r["accuracy"],
                        r["lr"],
                        r["images_per_s"],
                        r["time"],
                    )
                )
            elif r.get("kind") == "epoch":
                state.add_epoch(r)
        if steps:
            state.add_steps(steps)
        return state


class _BridgeSignals(QObject):
    started = Signal(object)  # RunInfo
    steps = Signal(object)  # list[StepMetrics]
    epoch = Signal(object)  # EpochMetrics
    paused = Signal(bool)
    note = Signal(str)
    ended = Signal(object)  # RunEnd


class QtBridge(Callback):
    """Trainer events → queued Qt signals, steps throttled to one batch per EMIT_INTERVAL."""

    def __init__(self) -> None:
        self.signals = _BridgeSignals()
        self._pending: list[StepMetrics] = []
        self._last = 0.0

    def _flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self.signals.steps.emit(batch)
            self._last = time.monotonic()

    def on_run_start(self, trainer: Trainer, info: RunInfo) -> None:
        self.signals.started.emit(info)

    def on_steps(self, trainer: Trainer, steps: list[StepMetrics]) -> None:
        self._pending.extend(steps)
        if time.monotonic() - self._last >= EMIT_INTERVAL:
            self._flush()

    def on_epoch_end(self, trainer: Trainer, metrics: EpochMetrics) -> None:
        self._flush()
        self.signals.epoch.emit(metrics)

    def on_pause(self, trainer: Trainer, paused: bool) -> None:
        self._flush()
        self.signals.paused.emit(paused)

    def on_note(self, trainer: Trainer, text: str) -> None:
        self.signals.note.emit(text)

    def on_run_end(self, trainer: Trainer, end: RunEnd) -> None:
        self._flush()
        self.signals.ended.emit(end)


class _Worker(QObject):
    done = Signal()

    def __init__(self, trainer: Trainer) -> None:
        super().__init__()
        self.trainer = trainer

    def run(self) -> None:
        try:
            self.trainer.run()  # never raises for a user's mistake; ends with on_run_end
        finally:
            self.done.emit()


class RunController(QObject):
    """One run on its own QThread: start, pause, resume, stop, and a clean join."""

    finished = Signal()

    def __init__(self, trainer: Trainer, bridge: QtBridge) -> None:
        super().__init__()
        self.trainer, self.bridge = trainer, bridge
        self.thread = QThread()
        self.worker = _Worker(trainer)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        # direct: quit() is thread-safe, and the GUI thread may be blocked in wait() meanwhile
        self.worker.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self.thread.finished.connect(self.finished)

    @classmethod
    def new(cls, spec: ArchSpec, config: TrainConfig, runs_root: Path, name: str) -> RunController:
        from ..train.trainer import Trainer

        run_dir = new_run_dir(runs_root, name)
        bridge = QtBridge()
        trainer = Trainer(spec, config, [RunRecorder(run_dir), bridge], run_dir=str(run_dir))
        return cls(trainer, bridge)

    @classmethod
    def resume(cls, run_dir: Path) -> RunController:
        from ..train.trainer import Trainer

        bridge = QtBridge()
        trainer = Trainer.from_run_dir(run_dir, [RunRecorder(run_dir), bridge])
        return cls(trainer, bridge)

    def start(self) -> None:
        self.thread.start()

    @property
    def running(self) -> bool:
        return self.thread.isRunning()

    def stop_and_wait(self, msecs: int = 60000) -> bool:
        self.trainer.stop()
        return self.thread.wait(msecs)


def gui_threads() -> int:
    """Torch's intra-op threads for runs started from the window: every core. Measured by
    bench/ui_responsiveness.py, the GUI thread stays responsive (torch releases the GIL in its
    kernels), and fewer threads would cost training speed on small machines."""
    import os

    return max(1, os.cpu_count() or 1)

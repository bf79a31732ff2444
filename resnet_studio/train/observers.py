"""Observers for headless runs: a tqdm progress bar, JSON lines on stdout, TensorBoard files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ..core.words import plural
from .events import Callback, EpochMetrics, RunEnd, RunInfo, RunStatus, StepMetrics

if TYPE_CHECKING:  # both imported when a run starts: they are slow to import
    from torch.utils.tensorboard import SummaryWriter
    from tqdm import tqdm


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.2f}%"


class ProgressBar(Callback):
    """A bar with images/s and ETA, a line per epoch and a final summary (on stderr).

    The bar is drawn only on a terminal: a pipe or a log file gets the lines alone, with no
    carriage-return frames.
    """

    def __init__(self, file: Any = None) -> None:
        self.file = file or sys.stderr
        self.bar: tqdm[NoReturn] | None = None  # from the run's start
        isatty = getattr(self.file, "isatty", None)
        self.terminal = bool(isatty and isatty())

    def on_run_start(self, trainer: Any, info: RunInfo) -> None:
        from tqdm import tqdm

        run, data = info.details, info.details.dataset
        print(
            f"Training {run.params or 0:,} parameters on {data.name} "
            f"({data.train or 0:,} train / {data.val or 0:,} val images) on "
            f"{run.device}" + (f", resuming at step {info.start_step}" if info.start_step else ""),
            file=self.file,
        )
        if info.run_dir:
            print(f"Run directory: {info.run_dir}", file=self.file)
        self.bar = tqdm(
            total=run.total_steps,
            initial=info.start_step,
            unit="step",
            file=self.file,
            dynamic_ncols=True,
            leave=False,
            disable=not self.terminal,
        )

    def on_note(self, trainer: Any, text: str) -> None:
        (self.bar.write if self.bar else print)(f"note: {text}", file=self.file)

    def on_steps(self, trainer: Any, steps: list[StepMetrics]) -> None:
        s = steps[-1]
        assert self.bar is not None, "steps before the run's start"
        self.bar.update(len(steps))
        self.bar.set_postfix_str(
            f"epoch {s.epoch} loss {s.loss:.4f} {s.images_per_s:,.0f} img/s", refresh=False
        )

    def on_epoch_end(self, trainer: Any, m: EpochMetrics) -> None:
        assert self.bar is not None, "an epoch before the run's start"
        self.bar.write(
            f"epoch {m.epoch:>3}: train loss {m.train_loss:.4f} acc "
            f"{_pct(m.train_accuracy)} · val loss "
            f"{'–' if m.val_loss is None else f'{m.val_loss:.4f}'} acc "
            f"{_pct(m.val_accuracy)} · {m.seconds:.1f} s, "
            f"{m.images_per_s:,.0f} img/s",
            file=self.file,
        )

    def on_run_end(self, trainer: Any, end: RunEnd) -> None:
        if self.bar:
            self.bar.close()
        best = _pct(end.best_val_accuracy)
        line = f"{end.status} after {plural(end.step, 'step')}; best val accuracy {best}"
        # a failure's reason is printed once, by the command, as its error
        if end.status == RunStatus.STOPPED and trainer.run_dir:
            line += f"; continue with: resnet-studio train --resume {trainer.run_dir}"
        print(line, file=self.file)


class JsonLines(Callback):
    """Every event as one JSON line on stdout, for scripts (``--json-lines``)."""

    def __init__(self, file: Any = None) -> None:
        self.file = file or sys.stdout

    def _out(self, obj: dict[str, Any]) -> None:
        self.file.write(json.dumps(obj) + "\n")
        self.file.flush()

    def on_run_start(self, trainer: Any, info: RunInfo) -> None:
        self._out(
            {
                "kind": "start",
                "device": info.details.device,
                "run_dir": info.run_dir,
                "total_steps": info.details.total_steps,
                "start_step": info.start_step,
            }
        )

    def on_steps(self, trainer: Any, steps: list[StepMetrics]) -> None:
        for s in steps:
            self._out(s.to_dict())

    def on_epoch_end(self, trainer: Any, m: EpochMetrics) -> None:
        self._out(m.to_dict())

    def on_note(self, trainer: Any, text: str) -> None:
        self._out({"kind": "note", "text": text})

    def on_run_end(self, trainer: Any, end: RunEnd) -> None:
        self._out({"kind": "end", **end.__dict__})


class TensorBoard(Callback):
    """Event files under ``<run_dir>/tensorboard`` (``tensorboard --logdir`` opens them)."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = Path(run_dir) / "tensorboard"
        self.writer: SummaryWriter | None = None  # from the run's start

    def on_run_start(self, trainer: Any, info: RunInfo) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(str(self.dir), purge_step=info.start_step or None)

    def on_steps(self, trainer: Any, steps: list[StepMetrics]) -> None:
        assert self.writer is not None, "steps before the run's start"
        for s in steps:
            self.writer.add_scalar("train/loss", s.loss, s.step)
            self.writer.add_scalar("train/lr", s.lr, s.step)

    def on_epoch_end(self, trainer: Any, m: EpochMetrics) -> None:
        assert self.writer is not None, "an epoch before the run's start"
        self.writer.add_scalar("epoch/train_loss", m.train_loss, m.step)
        self.writer.add_scalar("epoch/train_accuracy", m.train_accuracy, m.step)
        if m.val_loss is not None:
            self.writer.add_scalar("epoch/val_loss", m.val_loss, m.step)
            self.writer.add_scalar("epoch/val_accuracy", m.val_accuracy, m.step)
        self.writer.flush()

    def on_run_end(self, trainer: Any, end: RunEnd) -> None:
        if self.writer:
            self.writer.close()

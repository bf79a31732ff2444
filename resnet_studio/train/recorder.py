"""Writing a run: nothing is lost if the app is closed or crashes.

A run directory holds ``config.json`` (spec, hyper-parameters, dataset, device, versions),
``status.json``, ``metrics.jsonl`` (appended and flushed as the run goes), ``summary.json``
(what lists need of the log, :mod:`.summary`) and the checkpoints ``last.pt`` and ``best.pt``.
Every file but the append-only log is written atomically. The log's last record is the run's
end (``"kind": "end"``), the same end that status.json, the trainer and every observer report.
The recorder holds the folder's lock (:mod:`.lock`) from its creation to the run's end: one
writer per folder. Reading runs back is :mod:`.records`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import time
from pathlib import Path
from typing import IO, Any

from .. import atomic
from .checkpoints import save_checkpoint
from .details import CONFIG
from .errors import TrainError
from .events import Callback, EpochMetrics, RunEnd, RunInfo, RunStatus, StepMetrics, Trainer
from .lock import LOCK, RunLock
from .summary import SUMMARY, is_record, iter_lines, parse, read_summary


def new_run_dir(root: Path | None, name: str) -> Path:
    from .records import default_runs_dir

    root = Path(root or default_runs_dir())
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for i in range(1000):
        d = root / (f"{stamp}-{name}" + (f"-{i}" if i else ""))
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise TrainError(f"Could not create a run directory under {root}.")


class RunRecorder(Callback):
    """Writes a run's directory as its events arrive. It is essential: when it cannot write
    (a full disk), the run ends with a sentence rather than go on unrecorded.

    It takes the folder's lock when made (TrainError naming the holder if another writer has
    it) and lets it go at the run's end or :meth:`release`. A run that ends before it starts
    (an empty image folder) leaves no folder behind, only its sentence.
    """

    essential = True

    def __init__(self, run_dir: Path, checkpoints: bool = True) -> None:
        self.dir = Path(run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.checkpoints = checkpoints
        self._log: IO[str] | None = None
        self._started = False
        self._had = {p.name for p in self.dir.iterdir()}  # what the folder held before us
        self.lock = RunLock(self.dir)
        self.lock.acquire()

    def release(self) -> None:
        """Let the folder go (a queued run that never started)."""
        self.lock.release()

    def _status(self, status: RunStatus, **extra: Any) -> None:
        data = json.dumps(
            {"status": status.value, "pid": os.getpid(), "updated": time.time(), **extra},
            indent=2,
        )
        write_status(self.dir / "status.json", data + "\n")

    def _summary(self) -> None:
        read_summary(self.dir)  # reads what the log gained since, and saves summary.json

    def on_run_start(self, trainer: Trainer, info: RunInfo) -> None:
        self._started = True
        if info.start_step == 0:
            atomic.atomic_write_json(self.dir / CONFIG, info.details.to_json())
        _truncate_metrics(self.dir / "metrics.jsonl", info.start_step)
        self._log = open(self.dir / "metrics.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        with contextlib.suppress(OSError):  # a resume cut the log: the old summary is wrong now
            (self.dir / SUMMARY).unlink()
        self._status(
            RunStatus.RUNNING, step=info.start_step, best_val_accuracy=trainer.best_val_accuracy
        )

    def _write(self, rows: list[dict[str, Any]]) -> None:
        if self._log is None:  # the run ended before it started (a missing dataset)
            self._log = open(self.dir / "metrics.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        self._log.write("".join(json.dumps(r) + "\n" for r in rows))
        self._log.flush()  # a crash or kill -9 loses at most the steps since the last report

    def on_steps(self, trainer: Trainer, steps: list[StepMetrics]) -> None:
        self._write([s.to_dict() for s in steps])

    def on_epoch_end(self, trainer: Trainer, m: EpochMetrics) -> None:
        self._write([m.to_dict()])
        if self.checkpoints:
            state = trainer.state_dict()
            save_checkpoint(self.dir / "last.pt", state)
            if m.val_accuracy is not None and m.val_accuracy == trainer.best_val_accuracy:
                save_checkpoint(self.dir / "best.pt", state)
        self._summary()
        self._status(
            RunStatus.RUNNING,
            step=m.step,
            epoch=m.epoch,
            epochs_done=m.epoch,
            best_val_accuracy=trainer.best_val_accuracy,
        )

    def on_pause(self, trainer: Trainer, paused: bool) -> None:
        """Paused or running again, so that `resnet-studio runs` says which."""
        with contextlib.suppress(OSError):  # a status that cannot be written does not stop it
            self._status(
                RunStatus.PAUSED if paused else RunStatus.RUNNING,
                step=getattr(trainer, "step", 0),
                epoch=getattr(trainer, "last_epoch", 1),
                epochs_done=getattr(trainer, "epoch", 0),
                best_val_accuracy=trainer.best_val_accuracy,
            )

    def on_run_ending(self, trainer: Trainer, status: RunStatus) -> None:
        """A stopped run's checkpoint, so that it can be resumed where it stopped."""
        if self.checkpoints and status == RunStatus.STOPPED and trainer.model is not None:
            save_checkpoint(self.dir / "last.pt", trainer.state_dict())

    def on_run_end(self, trainer: Trainer, end: RunEnd) -> None:
        """The end, as a last record of metrics.jsonl and in status.json; a run that never
        started takes its folder away again (what was there before stays)."""
        try:
            if not self._started and not (self.dir / "config.json").exists():
                self._remove_own_files()
                return
            self._write([end.to_dict()])
        finally:
            if self._log:
                self._log.close()
                self._log = None
            if self._started or (self.dir / "config.json").exists():
                try:
                    self._status(
                        end.status,
                        reason=end.reason,
                        step=end.step,
                        epoch=end.epoch,
                        epochs_done=end.epochs_done,
                        best_val_accuracy=end.best_val_accuracy,
                    )
                    with contextlib.suppress(OSError):  # lists rebuild it from the log
                        self._summary()
                finally:
                    self.lock.release()

    def _remove_own_files(self) -> None:
        self.lock.release()
        for name in ("metrics.jsonl", "status.json", "meta.json", SUMMARY, LOCK, "tensorboard"):
            if name not in self._had:
                p = self.dir / name
                with contextlib.suppress(OSError):
                    shutil.rmtree(p) if p.is_dir() else p.unlink()
        with contextlib.suppress(OSError):
            self.dir.rmdir()  # only if it is empty now: a user's own files stay


def write_status(path: Path, text: str) -> None:
    """status.json atomically; on a full disk, rewritten in place, which needs no new block
    for a file this small, so that the end a run reports is the end on disk."""
    try:
        atomic.atomic_write_text(path, text)
    except OSError as e:
        if e.errno != errno.ENOSPC or not path.is_file():
            raise
        try:
            with open(path, "r+", encoding="utf-8") as f:
                f.write(text)
                f.truncate()
                f.flush()
                os.fsync(f.fileno())
        except OSError:
            raise e from None


def _truncate_metrics(path: Path, step: int) -> None:
    """On resume, drop records past the checkpoint so the curve continues without a fold."""
    if not path.exists():
        return
    kept = []
    for line, _ in iter_lines(path):
        r = parse(line)
        if is_record(r) and r["step"] <= step:
            kept.append(line + b"\n")
    atomic.atomic_write_bytes(path, b"".join(kept))

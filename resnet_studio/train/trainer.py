"""The trainer: one loop for the window and the CLI, reporting through callbacks.

What a run prepares before its first step is its :class:`~.setup.TrainingSetup`, shared with
the LR finder. Metrics stay on the device: each step appends its loss and hit count as tensors,
and they are read in one transfer at most every ``report_interval`` seconds, so a CUDA run never
waits on ``.item()`` per step. Pause and stop are flags checked before every step, from any thread.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import platform
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .. import __version__
from ..core import ArchSpec
from ..core.errors import SpecError
from . import distributed as dist
from .config import TrainConfig
from .details import DatasetDetails, RunDetails
from .devices import list_devices
from .errors import TrainError
from .events import Callback, EpochMetrics, RunEnd, RunInfo, RunStatus, StepMetrics
from .memory import smaller_batch_advice
from .setup import TrainingSetup, load_pretrained

__all__ = ["Trainer", "file_error", "load_pretrained", "versions"]


class _Stopped(Exception):
    pass


# a step's metrics until the next report reads them: loss, hits, images, lr, step, epoch
_Pending = tuple[torch.Tensor, torch.Tensor, int, float, int, int]


def versions() -> dict[str, str]:
    import torchvision

    return {
        "resnet_studio": __version__,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
    }


class Trainer:
    """Trains ``spec`` on ``config``; :meth:`run` blocks until the run ends and returns how."""

    def __init__(
        self,
        spec: ArchSpec,
        config: TrainConfig,
        callbacks: Iterable[Callback] = (),
        *,
        resume_state: dict[str, Any] | None = None,
        run_dir: str | None = None,
    ) -> None:
        self.spec, self.config = spec, config
        self.callbacks = list(callbacks)
        self.run_dir = run_dir
        self._resume_state = resume_state
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.status = RunStatus.QUEUED
        self.end: RunEnd | None = None
        self.end_notes: list[str] = []  # observers that failed while hearing the end
        self.epoch = self.step = self.step_in_epoch = 0
        self.best_val_accuracy: float | None = None
        self.setup: TrainingSetup | None = None  # the run's device, data, model, optimizer, …
        self.model: nn.Module | None = None
        self.elapsed = 0.0  # seconds of training, carried across resumes

    @classmethod
    def from_run_dir(
        cls, run_dir: str | os.PathLike[str], callbacks: Iterable[Callback] = ()
    ) -> Trainer:
        """A trainer that continues the run in ``run_dir`` from its last checkpoint."""
        from .checkpoints import load_checkpoint

        path = Path(run_dir) / "last.pt"
        state = load_checkpoint(path)  # weights_only: a run folder from elsewhere runs no code
        spec, config = _checked_resume_state(state, path)
        return cls(spec, config, callbacks, resume_state=state, run_dir=str(run_dir))

    # --- control, from any thread -------------------------------------------------------
    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    @property
    def start_step(self) -> int:
        """The step a resumed run continues from (0 for a new run)."""
        return int(self._resume_state["step"]) if self._resume_state else 0

    def _checkpointed(self) -> bool:
        if not self.run_dir:
            return False
        return (Path(self.run_dir) / "last.pt").is_file()

    @property
    def stopping(self) -> bool:
        """A stop was asked for (the run may still be saving its checkpoint)."""
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def _emit(self, hook: str, *args: Any) -> None:
        if dist.rank() == 0:
            for cb in list(self.callbacks):
                try:
                    getattr(cb, hook)(self, *args)
                except Exception as e:
                    if cb.essential or isinstance(e, (TrainError, _Stopped, KeyboardInterrupt)):
                        raise  # the recorder's disk is full: the run cannot go on unrecorded
                    self._drop(cb, e)

    def _drop(self, cb: Callback, error: Exception) -> None:
        """An observer that raised is left out from now on; the others hear why."""
        if cb in self.callbacks:
            self.callbacks.remove(cb)
        self._emit("on_note", f"{type(cb).__name__} failed ({error}) and was left out of the run.")

    # --- state ----------------------------------------------------------------------------
    def _set_up(self) -> TrainingSetup:
        assert self.setup is not None, "the run is not set up"
        return self.setup

    def _min_batch(self) -> int:
        return self.setup.min_batch if self.setup is not None else 1

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        return self._set_up().optimizer

    @property
    def scheduler(self) -> torch.optim.lr_scheduler.LRScheduler:
        return self._set_up().scheduler

    @property
    def scaler(self) -> torch.amp.GradScaler | None:
        return self._set_up().scaler

    @property
    def last_epoch(self) -> int:
        """The epoch of the last step taken, counted from 1 (1 before any step): the epoch that
        a run's end, its status.json, `resnet-studio runs` and the window all name."""
        return self.epoch + 1 if self.step_in_epoch or not self.epoch else self.epoch

    def state_dict(self) -> dict[str, Any]:
        # no random state: a step's draws are seeded by its place in the run (split.batch_seed)
        setup = self._set_up()
        return {
            "spec": self.spec.to_dict(),
            "config": self.config.to_dict(),
            "model": setup.module.state_dict(),
            "optimizer": setup.optimizer.state_dict(),
            "scheduler": setup.scheduler.state_dict(),
            "scaler": setup.scaler.state_dict() if setup.scaler else None,
            "epoch": self.epoch,
            "step": self.step,
            "step_in_epoch": self.step_in_epoch,
            "best_val_accuracy": self.best_val_accuracy,
            "elapsed": self.elapsed,
        }

    def _load_state(self, s: dict[str, Any]) -> None:
        """A checkpoint's state (checked by ``_checked_resume_state``) into the built run; a part
        that does not fit is one sentence, not a traceback from deep in torch."""
        from .weights import load_weights_into

        setup = self._set_up()
        where = f"the checkpoint of {self.run_dir}" if self.run_dir else "the checkpoint"
        load_weights_into(
            setup.module, s["model"], where, "the checkpoint is damaged or was edited"
        )
        part = "optimizer"
        try:
            setup.optimizer.load_state_dict(s["optimizer"])
            part = "learning-rate schedule"
            setup.scheduler.load_state_dict(s["scheduler"])
            part = "gradient scaler"
            if setup.scaler and s.get("scaler"):
                setup.scaler.load_state_dict(s["scaler"])
        except (KeyError, IndexError, TypeError, ValueError, RuntimeError) as e:
            raise TrainError(
                f"The {part} state in {where} does not fit this run "
                f"({type(e).__name__}); the checkpoint is damaged or was edited."
            ) from None
        self.epoch, self.step = s["epoch"], s["step"]
        self.step_in_epoch, self.best_val_accuracy = s["step_in_epoch"], s.get("best_val_accuracy")
        self.elapsed = s.get("elapsed", 0.0)

    # --- set-up -----------------------------------------------------------------------------
    def _setup(self) -> RunInfo:
        cfg = self.config
        self.setup = setup = TrainingSetup.build(
            self.spec,
            cfg,
            note=lambda text: self._emit("on_note", text),
            resuming=bool(self._resume_state),
        )
        self.spec = setup.spec  # fine-tuning: the head fits the folder
        cfg = self.config = setup.config  # and the starting weights' SHA-256 is recorded
        self.model = setup.model
        if self._resume_state:
            self._load_state(self._resume_state)

        device = str(setup.device)
        label = next((d.label for d in list_devices() if d.id == device), device)
        train, val = setup.data.sizes()
        details = RunDetails(
            spec=self.spec,
            config=cfg,
            dataset=DatasetDetails(
                cfg.dataset, train, val, setup.data.num_classes, tuple(setup.notes)
            ),
            device=setup.device_label(label),
            params=setup.analysis.totals.params,
            macs=setup.analysis.totals.macs,
            steps_per_epoch=setup.steps_per_epoch,
            total_steps=setup.total_steps,
            versions=versions(),
        )
        return RunInfo(details, self.epoch, self.step, self.run_dir)

    # --- the loop -------------------------------------------------------------------------
    def _flush(self, pending: list[_Pending], sums: list[float], clock: list[float]) -> None:
        """Read the pending steps' metrics in one transfer and report them."""
        if not pending:
            return
        stats = torch.stack([torch.stack([p[0].float(), p[1].float()]) for p in pending])
        values = stats.cpu().tolist()  # the one sync per report
        now = time.monotonic()
        images = sum(p[2] for p in pending)
        rate = images / max(now - clock[0], 1e-9)
        self.elapsed += now - clock[0]
        clock[0] = now
        steps = []
        wall = time.time()  # the clock, for a wall-time axis
        for (loss, hits), (_, _, n, lr, step, epoch) in zip(values, pending, strict=True):
            if not math.isfinite(loss):
                raise TrainError(
                    f"The loss became {loss} at step {step} (epoch {epoch}); "
                    f"lower the learning rate (now {self.config.lr:g}) and start "
                    f"again."
                )
            sums[0] += loss * n
            sums[1] += hits
            sums[2] += n
            steps.append(StepMetrics(step, epoch, loss, hits / n, lr, rate, self.elapsed, wall))
        pending.clear()
        self._emit("on_steps", steps)

    def _validate(self) -> tuple[float | None, float | None]:
        setup = self._set_up()
        if not setup.data.sizes()[1]:
            return None, None
        model = setup.model
        model.eval()
        totals = torch.zeros(3, device=setup.device)
        count = 0
        with torch.no_grad(), setup.autocast():
            for x, y in setup.val_batches():
                out = model(x)
                totals[0] += F.cross_entropy(out.float(), y, reduction="sum")
                totals[1] += (out.argmax(1) == y).sum()
                count += len(y)
        model.train()
        totals[2] = count  # summed over ranks with the rest
        totals = dist.all_reduce(totals)
        loss, hits, n = totals.cpu().tolist()
        return loss / n, hits / n

    def _train(self) -> None:
        cfg, setup = self.config, self._set_up()
        model, opt, sched, scaler = setup.model, setup.optimizer, setup.scheduler, setup.scaler
        model.train()
        for epoch in range(self.epoch, cfg.epochs):
            self.epoch = epoch
            t0 = time.monotonic()
            clock, sums = [t0], [0.0, 0.0, 0]
            pending: list[_Pending] = []
            last = t0
            for x, y in setup.train_batches(epoch, self.step_in_epoch):
                if self._stop.is_set() or not self._running.is_set():
                    self._flush(pending, sums, clock)  # every finished step is reported
                    if not self._running.is_set():
                        self._emit("on_pause", True)
                        self._running.wait()
                        clock[0] = time.monotonic()  # paused time is not training time
                        self._emit("on_pause", False)
                    if self._stop.is_set():
                        raise _Stopped
                lr = float(sched.get_last_lr()[0])  # a float: the config's lr is one
                with setup.autocast():
                    out = model(x)
                    loss = setup.criterion(out, y)
                opt.zero_grad(set_to_none=True)
                if scaler:
                    scaler.scale(loss).backward()
                    scaler.step(opt)
                    scaler.update()
                else:
                    loss.backward()
                    opt.step()
                sched.step()
                self.step += 1
                self.step_in_epoch += 1
                pending.append(
                    (loss.detach(), (out.argmax(1) == y).sum(), len(y), lr, self.step, epoch + 1)
                )
                now = time.monotonic()
                if now - last >= cfg.report_interval:
                    self._flush(pending, sums, clock)
                    last = now
            self._flush(pending, sums, clock)
            if self._stop.is_set():
                raise _Stopped
            epoch_sums = dist.all_reduce(
                torch.tensor(sums, dtype=torch.float64, device=setup.device)
            ).tolist()
            val_loss, val_acc = self._validate()
            self.step_in_epoch = 0
            self.epoch = epoch + 1
            if val_acc is not None and (
                self.best_val_accuracy is None or val_acc > self.best_val_accuracy
            ):
                self.best_val_accuracy = val_acc
            seconds = time.monotonic() - t0
            n = max(epoch_sums[2], 1)
            self._emit(
                "on_epoch_end",
                EpochMetrics(
                    epoch + 1,
                    self.step,
                    epoch_sums[0] / n,
                    epoch_sums[1] / n,
                    val_loss,
                    val_acc,
                    seconds,
                    epoch_sums[2] / seconds,
                    float(sched.get_last_lr()[0]),
                    self.elapsed,
                ),
            )

    def run(self) -> RunEnd:
        """Train to the end, or until stopped or failed; never raises for a user's mistake.

        A run ends once: the end (status, reason, step, best accuracy) is decided here, after
        the observers have saved what it needs (a stopped run's checkpoint); the recorder
        writes it; then every observer hears that same end.
        """
        self.status = RunStatus.RUNNING
        status, reason = self._train_until_the_end()
        if dist.rank() == 0:
            status, reason = self._prepare_end(status, reason)
        end = RunEnd(status, reason, self.last_epoch, self.step, self.best_val_accuracy, self.epoch)
        self.end = end
        if dist.rank() == 0:
            self._tell_end(end)
        self.status = end.status
        return end

    def _train_until_the_end(self) -> tuple[RunStatus, str]:
        try:
            info = self._setup()
            self._emit("on_run_start", info)
            for note in info.details.dataset.notes:
                self._emit("on_note", note)
            self._train()
        except (_Stopped, KeyboardInterrupt):
            return RunStatus.STOPPED, (
                f"Stopped at step {self.step} (epoch {self.last_epoch}); resume it to continue."
                if self.model is not None
                else "Stopped before training began; start the run again."
            )
        except TrainError as e:
            return RunStatus.FAILED, str(e)
        except torch.OutOfMemoryError:
            cuda = self.setup is not None and self.setup.device.type == "cuda"
            where = "GPU" if cuda else "device"
            return RunStatus.FAILED, (
                f"Out of {where} memory at batch size {self.config.batch_size}; "
                + smaller_batch_advice(self.config.batch_size, self._min_batch())
                + "."
            )
        except RuntimeError as e:
            text = str(e).split("\n")[0]
            if "out of memory" in text or "can't allocate memory" in text:
                return RunStatus.FAILED, (
                    f"Out of memory at batch size {self.config.batch_size}; "
                    + smaller_batch_advice(self.config.batch_size, self._min_batch())
                    + "."
                )
            return RunStatus.FAILED, f"Training failed: {text}"
        except OSError as e:
            return RunStatus.FAILED, file_error(e, self._checkpointed())
        finally:
            if self.setup is not None:
                self.setup.close()  # its claim on the thread count; the model stays
            if torch.cuda.is_available():
                torch.cuda.empty_cache()  # an OOM's leftovers must not starve the next run
        return RunStatus.FINISHED, ""

    def _prepare_end(self, status: RunStatus, reason: str) -> tuple[RunStatus, str]:
        """Let the observers save what the end needs; a file that cannot be written fails it."""
        for cb in list(self.callbacks):
            try:
                cb.on_run_ending(self, status)
            except OSError as e:  # the stop checkpoint, on a full disk
                if status != RunStatus.FAILED:  # else its reason is the first failure, the cause
                    what = "stopped, but" if status == RunStatus.STOPPED else "ended, and"
                    sentence = file_error(e, self._checkpointed())
                    status = RunStatus.FAILED
                    reason = f"The run {what} {sentence[0].lower()}{sentence[1:]}"
            except Exception as e:
                self._drop(cb, e)
        return status, reason

    def _tell_end(self, end: RunEnd) -> None:
        """The essential observers (the recorder) write the end first; then everyone hears it.
        A failure cannot change the end: it becomes a note to the others."""
        notes: list[str] = []
        for cb in sorted(self.callbacks, key=lambda cb: not cb.essential):
            for text in notes:  # what failed before this observer's turn
                with contextlib.suppress(Exception):
                    cb.on_note(self, text)
            try:
                cb.on_run_end(self, end)
            except OSError as e:
                notes.append(f"The run {end.status}, but {_lower(file_error(e))}")
            except Exception as e:
                notes.append(f"{type(cb).__name__} failed at the end of the run: {e}.")
        self.end_notes = notes


# what a resumable checkpoint holds, as the plain types it holds them as
_RESUME_KEYS: dict[str, type] = {
    "spec": dict,
    "config": dict,
    "model": dict,
    "optimizer": dict,
    "scheduler": dict,
    "epoch": int,
    "step": int,
    "step_in_epoch": int,
}
_OPTIONAL_KEYS: dict[str, tuple[type, ...]] = {
    "best_val_accuracy": (float, int, type(None)),
    "elapsed": (float, int),
    "scaler": (dict, type(None)),
}  # older checkpoints also hold torch's global random state, which is no longer read


def _checked_resume_state(s: dict[str, Any], path: Path) -> tuple[ArchSpec, TrainConfig]:
    """The spec and config of a checkpoint read with weights_only, after checking its shape:
    a file that is not a run's checkpoint is one sentence."""
    missing = [k for k in _RESUME_KEYS if k not in s]
    if missing and all(isinstance(v, torch.Tensor) for v in s.values()):
        raise TrainError(
            f"{path} holds a model's weights only, not a training run's state, so it cannot "
            f"be resumed; export it with resnet-studio export --weights."
        )
    kinds: dict[str, type | tuple[type, ...]] = {**_RESUME_KEYS, **_OPTIONAL_KEYS}
    wrong = missing + [
        k
        for k, kind in kinds.items()
        if k in s and (not isinstance(s[k], kind) or (kind is int and isinstance(s[k], bool)))
    ]
    if wrong:
        raise TrainError(
            f"{path} is not a ResNet Studio checkpoint that can be resumed (its "
            f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} missing or of the wrong "
            f"kind)."
        )
    try:
        return ArchSpec.from_dict(s["spec"]), TrainConfig.from_dict(s["config"])
    except (SpecError, TrainError, TypeError, ValueError) as e:
        raise TrainError(
            f"The architecture or settings saved in {path} are not valid ({e}); the "
            f"checkpoint is damaged or was edited."
        ) from None


def file_error(e: OSError, resumable: bool = False) -> str:
    """One sentence for a file that could not be read or written; it advises resuming only a
    run that has a checkpoint to resume from."""
    name = f" {e.filename}" if e.filename else " a file"
    if e.errno == errno.ENOSPC:
        then = "resume the run" if resumable else "start the run again"
        return f"Could not write{name}: the disk is full; free some space and {then}."
    return f"Could not read or write{name}: {e.strerror or e}."


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]

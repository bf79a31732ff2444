"""The trainer: one loop for the window and the CLI, reporting through callbacks.

Metrics stay on the device: each step appends its loss and hit count as tensors, and they are
read in one transfer at most every ``report_interval`` seconds, so a CUDA run never waits on
``.item()`` per step. Pause and stop are flags checked before every step, from any thread.
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
from ..core import ArchSpec, analyze, build_model
from ..core.errors import SpecError
from ..core.presets import TORCHVISION_PRESETS, preset_of
from . import distributed as dist
from .config import TrainConfig
from .data import load_dataset
from .devices import list_devices, resolve_device
from .errors import TrainError
from .events import Callback, EpochMetrics, RunEnd, RunInfo, RunStatus, StepMetrics
from .memory import check_fits, smaller_batch_advice


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


def load_pretrained(model: nn.Module, spec: ArchSpec) -> str:
    """torchvision's ImageNet weights for a torchvision preset; the classifier is replaced when
    the number of classes differs, and conv1 summed over RGB for one input channel."""
    import torchvision

    name = preset_of(spec.replace(num_classes=1000, in_channels=3, input_size=224))
    if name not in TORCHVISION_PRESETS:
        raise TrainError(
            "ImageNet weights exist only for torchvision's presets (resnet18 … "
            "wide_resnet101_2) with their own widths and blocks; turn pretrained off "
            "for this spec."
        )
    weights = torchvision.models.get_model_weights(name).DEFAULT
    try:
        state = weights.get_state_dict(progress=True)
    except Exception as e:  # URLError, OSError, … when offline
        file = weights.url.rsplit("/", 1)[-1]
        raise TrainError(
            f"The ImageNet weights for {name} could not be downloaded ({e}); "
            f"connect to the network, or put {file} into "
            f"{torch.hub.get_dir()}/checkpoints."
        ) from None
    if spec.in_channels != 3:
        w = state["conv1.weight"]
        state["conv1.weight"] = w.sum(1, keepdim=True).repeat(1, spec.in_channels, 1, 1) / max(
            1, spec.in_channels
        )
    if spec.num_classes != 1000:
        state = {k: v for k, v in state.items() if not k.startswith("fc.")}
    model.load_state_dict(state, strict=False)
    return f"started from torchvision's {weights} weights"


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
    def _built_model(self) -> nn.Module:
        """The model being trained, as the run's set-up built (and maybe wrapped) it."""
        assert self.model is not None, "the run is not set up"
        return self.model

    def _unwrapped_model(self) -> nn.Module:
        """The model being trained, without its DistributedDataParallel wrapper."""
        model = self._built_model()
        if isinstance(model, nn.parallel.DistributedDataParallel):
            inner: nn.Module = model.module
            return inner
        return model

    def state_dict(self) -> dict[str, Any]:
        model = self._unwrapped_model()
        return {
            "spec": self.spec.to_dict(),
            "config": self.config.to_dict(),
            "model": model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler else None,
            "epoch": self.epoch,
            "step": self.step,
            "step_in_epoch": self.step_in_epoch,
            "best_val_accuracy": self.best_val_accuracy,
            "elapsed": self.elapsed,
            "rng_cpu": torch.get_rng_state(),
            "rng_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
        }

    def _load_state(self, s: dict[str, Any]) -> None:
        """A checkpoint's state (checked by ``_checked_resume_state``) into the built run; a part
        that does not fit is one sentence, not a traceback from deep in torch."""
        from .weights import load_weights_into

        model = self._unwrapped_model()
        where = f"the checkpoint of {self.run_dir}" if self.run_dir else "the checkpoint"
        load_weights_into(model, s["model"], where, "the checkpoint is damaged or was edited")
        part = "optimizer"
        try:
            self.optimizer.load_state_dict(s["optimizer"])
            part = "learning-rate schedule"
            self.scheduler.load_state_dict(s["scheduler"])
            part = "gradient scaler"
            if self.scaler and s.get("scaler"):
                self.scaler.load_state_dict(s["scaler"])
            part = "random number generator"
            torch.set_rng_state(s["rng_cpu"])
            if s.get("rng_cuda") and torch.cuda.is_available():
                torch.cuda.set_rng_state_all(s["rng_cuda"])
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
        cfg, spec = self.config, self.spec
        torch.manual_seed(cfg.seed)
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        self.device = dist.device() or resolve_device(cfg.device)
        cuda = self.device.type == "cuda"
        if cuda:
            torch.backends.cudnn.benchmark = True
        amp = (
            cfg.amp
            if cfg.amp != "auto"
            else ("bf16" if cuda and torch.cuda.is_bf16_supported() else "off")
        )
        self.amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(amp)
        self.channels_last = cuda if cfg.channels_last is None else cfg.channels_last
        data = load_dataset(cfg, spec, note=lambda text: self._emit("on_note", text))
        if data.num_classes < 2:  # it would train to "loss 0, 100%" and learn nothing
            raise TrainError(
                f"The {cfg.dataset} dataset has {data.num_classes} class; a classifier needs "
                f"images of at least two classes, each in a folder of its own."
            )
        if data.num_classes > spec.num_classes:
            raise TrainError(
                f"The {cfg.dataset} dataset has {data.num_classes} classes but the "
                f"spec's classifier has {spec.num_classes} outputs; set the number "
                f"of classes to {data.num_classes}."
            )
        self.data = data.to(self.device)
        report = analyze(spec)
        one_by_one = any(r.kind == "BatchNorm2d" and r.out_shape[1:] == (1, 1) for r in report.rows)
        if one_by_one and cfg.batch_size < 2:
            raise TrainError(
                "With batch size 1 some batch norms of this spec see a single 1×1 "
                "value per channel and cannot train; use a batch size of 2 or more, "
                "or a larger input."
            )
        self._min_batch = 2 if one_by_one else 1
        check_fits(spec, cfg.batch_size, self.device, "train", amp, least=self._min_batch)
        model = build_model(spec)
        notes = list(data.notes)
        if cfg.pretrained:
            notes.append(load_pretrained(model, spec))
        model = model.to(  # type: ignore[call-overload]  # torch's stubs omit device + format
            self.device,
            memory_format=torch.channels_last if self.channels_last else torch.contiguous_format,
        )
        self.model = dist.wrap(model, self.device)
        decay: list[nn.Parameter] = []
        no_decay: list[nn.Parameter] = []
        for p in model.parameters():
            (no_decay if p.ndim <= 1 else decay).append(p)
        groups = [
            {"params": decay, "weight_decay": cfg.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ]
        self.optimizer: torch.optim.Optimizer
        if cfg.optimizer == "sgd":
            self.optimizer = torch.optim.SGD(
                groups, lr=cfg.lr, momentum=cfg.momentum, nesterov=cfg.momentum > 0
            )
        else:
            self.optimizer = torch.optim.AdamW(groups, lr=cfg.lr)
        world = dist.world_size()
        self.steps_per_epoch = max(1, data.steps_per_epoch(cfg.batch_size, world))
        total = self.steps_per_epoch * cfg.epochs
        self.scheduler = _scheduler(self.optimizer, cfg, total)
        self.scaler = (
            torch.amp.GradScaler("cuda") if self.amp_dtype == torch.float16 and cuda else None
        )
        if self._resume_state:
            self._load_state(self._resume_state)

        label = next(
            (d.label for d in list_devices() if d.id == str(self.device)), str(self.device)
        )
        return RunInfo(
            spec=spec.to_dict(),
            config=cfg.to_dict(),
            dataset={
                "name": cfg.dataset,
                "train": data.sizes()[0],
                "val": data.sizes()[1],
                "classes": data.num_classes,
                "notes": notes,
            },
            device=label
            + (f" ×{world}" if world > 1 else "")
            + (f", AMP {amp}" if self.amp_dtype else "")
            + (", channels_last" if self.channels_last else ""),
            params=report.totals.params,
            macs=report.totals.macs,
            steps_per_epoch=self.steps_per_epoch,
            total_steps=total,
            start_epoch=self.epoch,
            start_step=self.step,
            run_dir=self.run_dir,
            versions=versions(),
        )

    # --- the loop -------------------------------------------------------------------------
    def _autocast(self) -> contextlib.AbstractContextManager[None]:
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)

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
        if not self.data.sizes()[1]:
            return None, None
        model = self._built_model()
        model.eval()
        totals = torch.zeros(3, device=self.device)
        count = 0
        with torch.no_grad(), self._autocast():
            for x, y in self.data.batches(
                "val", self.config.batch_size * 2, rank=dist.rank(), world=dist.world_size()
            ):
                if self.channels_last:
                    x = x.contiguous(memory_format=torch.channels_last)
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
        cfg = self.config
        model, opt, sched = self._built_model(), self.optimizer, self.scheduler
        criterion = nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
        model.train()
        rank, world = dist.rank(), dist.world_size()
        for epoch in range(self.epoch, cfg.epochs):
            self.epoch = epoch
            t0 = time.monotonic()
            clock, sums = [t0], [0.0, 0.0, 0]
            pending: list[_Pending] = []
            last = t0
            for x, y in self.data.batches(
                "train", cfg.batch_size, epoch, cfg.seed, rank, world, self.step_in_epoch
            ):
                if self._stop.is_set() or not self._running.is_set():
                    self._flush(pending, sums, clock)  # every finished step is reported
                    if not self._running.is_set():
                        self._emit("on_pause", True)
                        self._running.wait()
                        clock[0] = time.monotonic()  # paused time is not training time
                        self._emit("on_pause", False)
                    if self._stop.is_set():
                        raise _Stopped
                if len(y) < self._min_batch:
                    continue
                if self.channels_last:
                    x = x.contiguous(memory_format=torch.channels_last)
                lr = float(sched.get_last_lr()[0])  # a float: the config's lr is one
                with self._autocast():
                    out = model(x)
                    loss = criterion(out, y)
                opt.zero_grad(set_to_none=True)
                if self.scaler:
                    self.scaler.scale(loss).backward()
                    self.scaler.step(opt)
                    self.scaler.update()
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
                torch.tensor(sums, dtype=torch.float64, device=self.device)
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
        end = RunEnd(status, reason, self.epoch, self.step, self.best_val_accuracy)
        self.end = end
        if dist.rank() == 0:
            self._tell_end(end)
        self.status = end.status
        return end

    def _train_until_the_end(self) -> tuple[RunStatus, str]:
        try:
            info = self._setup()
            self._emit("on_run_start", info)
            for note in info.dataset["notes"]:
                self._emit("on_note", note)
            self._train()
        except (_Stopped, KeyboardInterrupt):
            return RunStatus.STOPPED, (
                f"Stopped at step {self.step} (epoch {self.epoch + 1}); resume it to continue."
                if self.model is not None
                else "Stopped before training began; start the run again."
            )
        except TrainError as e:
            return RunStatus.FAILED, str(e)
        except torch.OutOfMemoryError:
            where = "GPU" if self.device.type == "cuda" else "device"
            return RunStatus.FAILED, (
                f"Out of {where} memory at batch size {self.config.batch_size}; "
                + smaller_batch_advice(self.config.batch_size, getattr(self, "_min_batch", 1))
                + "."
            )
        except RuntimeError as e:
            text = str(e).split("\n")[0]
            if "out of memory" in text or "can't allocate memory" in text:
                return RunStatus.FAILED, (
                    f"Out of memory at batch size {self.config.batch_size}; "
                    + smaller_batch_advice(self.config.batch_size, getattr(self, "_min_batch", 1))
                    + "."
                )
            return RunStatus.FAILED, f"Training failed: {text}"
        except OSError as e:
            return RunStatus.FAILED, file_error(e, self._checkpointed())
        finally:
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
    "rng_cpu": torch.Tensor,
}
_OPTIONAL_KEYS: dict[str, tuple[type, ...]] = {
    "best_val_accuracy": (float, int, type(None)),
    "elapsed": (float, int),
    "scaler": (dict, type(None)),
    "rng_cuda": (list, tuple, type(None)),
}


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


def _scheduler(
    opt: torch.optim.Optimizer, cfg: TrainConfig, total: int
) -> torch.optim.lr_scheduler.LRScheduler:
    sched = torch.optim.lr_scheduler
    if cfg.schedule == "constant":
        return sched.LambdaLR(opt, lambda _: 1.0)
    if cfg.schedule == "step":  # ×0.1 at half and three quarters of the run, in steps
        return sched.MultiStepLR(opt, [total // 2, total * 3 // 4], 0.1)
    if cfg.schedule == "cosine":
        return sched.CosineAnnealingLR(opt, T_max=max(total, 1))
    return sched.OneCycleLR(opt, max_lr=cfg.lr, total_steps=max(total, 1))


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]

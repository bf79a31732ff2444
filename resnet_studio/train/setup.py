"""The training set-up: everything a run prepares before its first step, shared by the trainer,
the LR finder and the profiler so that the training policy is written once.

:class:`TrainingSetup` holds the device with its mixed precision and memory format, the data,
the model (initialised from the seed, maybe pretrained, on the device), the optimizer with its
weight-decay groups, the schedule, the gradient scaler, the loss, and the run's own random
generator, and hands out batches as a step takes them. The small functions it is made of
(:func:`amp_mode`, :func:`autocast`, :func:`grad_scaler`, :func:`min_train_batch`, …) serve the
profiler, which times a model without data or schedule.

Several runs share the window's process, so a run's randomness is its own: the model is
initialised under a lock (:func:`~resnet_studio.core.builder.build_seeded`), and every draw of a
step (augmentation, drop path, dropout, DropBlock) comes from the run's generator, seeded per
batch by :func:`~.split.batch_seed`. Torch's intra-op thread count is the one process-wide
setting a run asks for: :func:`claim_threads` changes it only while no other set-up is training,
and the run's notes say what happened.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from ..core import ArchSpec
from ..core.analysis import Analysis, analyze
from ..core.builder import build_seeded, use_generator
from ..core.words import plural
from . import distributed as dist
from .config import TrainConfig
from .data import TensorData, load_dataset
from .devices import resolve_device
from .errors import TrainError
from .folder import FolderData
from .memory import check_fits

AMP_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
Batch = tuple[torch.Tensor, torch.Tensor]


def amp_mode(amp: str, device: torch.device) -> str:
    """The mixed precision a run uses: ``auto`` means bf16 on a CUDA device that has it."""
    if amp != "auto":
        return amp
    cuda = device.type == "cuda"
    return "bf16" if cuda and torch.cuda.is_bf16_supported() else "off"


def autocast(
    device: torch.device, dtype: torch.dtype | None
) -> contextlib.AbstractContextManager[Any]:
    """Autocast to ``dtype`` on ``device``, or nothing for full precision."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def grad_scaler(device: torch.device, dtype: torch.dtype | None) -> torch.amp.GradScaler | None:
    """fp16 on CUDA needs its gradients scaled; bf16 and full precision do not."""
    if dtype == torch.float16 and device.type == "cuda":
        return torch.amp.GradScaler("cuda")
    return None


def min_train_batch(spec: ArchSpec, analysis: Analysis | None = None) -> int:
    """2 when some batch norm sees a single 1×1 value per channel (it cannot train on one
    sample), else 1."""
    rows = (analysis or analyze(spec)).rows
    return 2 if any(r.kind == "BatchNorm2d" and r.out_shape[1:] == (1, 1) for r in rows) else 1


def run_generator(device: torch.device, seed: int = 0) -> torch.Generator:
    """A generator for a run's draws on ``device`` (CUDA draws stay on the GPU); a CPU one where
    the device has no generator of its own, whose draws are then moved."""
    try:
        g = torch.Generator(device=device)
    except (RuntimeError, TypeError):
        g = torch.Generator()
    return g.manual_seed(seed)


def place(model: nn.Module, device: torch.device, channels_last: bool) -> nn.Module:
    """The model on the device, in NHWC when ``channels_last``."""
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    placed: nn.Module = model.to(device, memory_format=fmt)  # type: ignore[call-overload]
    return placed


def build_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """SGD (Nesterov with momentum) or AdamW; no weight decay on biases and norms."""
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    if config.weights:  # fine-tuning: frozen parts left out, the backbone's own rate
        from .finetune import param_groups

        groups = param_groups(model, config.weight_decay, config.lr, config.backbone_lr)
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            groups, lr=config.lr, momentum=config.momentum, nesterov=config.momentum > 0
        )
    return torch.optim.AdamW(groups, lr=config.lr)


def build_scheduler(
    opt: torch.optim.Optimizer, config: TrainConfig, total: int
) -> torch.optim.lr_scheduler.LRScheduler:
    """The learning-rate schedule over ``total`` steps."""
    sched = torch.optim.lr_scheduler
    if config.schedule == "constant":
        return sched.LambdaLR(opt, lambda _: 1.0)
    if config.schedule == "step":  # ×0.1 at half and three quarters of the run, in steps
        return sched.MultiStepLR(opt, [total // 2, total * 3 // 4], 0.1)
    if config.schedule == "cosine":
        return sched.CosineAnnealingLR(opt, T_max=max(total, 1))
    return sched.OneCycleLR(opt, max_lr=config.lr, total_steps=max(total, 1))


# --- torch's thread count: one for the whole process ------------------------------------------
_claims_lock = threading.Lock()
_claims = 0  # set-ups (runs, LR tests, profiles) under way in this process


def claims() -> int:
    """The claims on the thread count held now (set-ups under way; 0 when nothing trains)."""
    with _claims_lock:
        return _claims


def claim_threads(wanted: int | None) -> tuple[str | None, Callable[[], None]]:
    """Ask for ``wanted`` intra-op threads: set while nothing else in the process is training,
    else left as it is. Returns a sentence for the run's notes (None when nothing changed or was
    refused) and the function that ends the claim (call it once the work is done)."""
    global _claims
    with _claims_lock:
        others = _claims
        _claims += 1
        have = torch.get_num_threads()
        note = None
        if wanted and wanted != have:
            if others:
                note = (
                    f"Torch's thread count is one for the whole process and "
                    f"{plural(others, 'other run')} {'is' if others == 1 else 'are'} training, "
                    f"so this run uses the {have} threads set, not the {wanted} asked for."
                )
            else:
                torch.set_num_threads(wanted)
                note = (
                    f"Torch's thread count is one for the whole process; this run set it to "
                    f"{wanted} (it was {have})."
                )
    released = threading.Event()

    def release() -> None:
        global _claims
        with _claims_lock:
            if not released.is_set():
                released.set()
                _claims -= 1

    return note, release


def load_pretrained(model: nn.Module, spec: ArchSpec) -> str:
    """torchvision's default ImageNet weights for a torchvision preset, from the catalogue
    (verified, tensors only, strict but for the classifier and conv1: weights/load.py)."""
    from ..core.presets import TORCHVISION_PRESETS, preset_of
    from ..weights.catalogue import default_for
    from ..weights.load import load_into, open_weights

    name = preset_of(spec.replace(num_classes=1000, in_channels=3, input_size=224))
    entry = default_for(name) if name in TORCHVISION_PRESETS else None
    if entry is None:
        raise TrainError(
            "ImageNet weights exist only for torchvision's presets (resnet18 … "
            "wide_resnet101_2) with their own widths and blocks; turn pretrained off "
            "for this spec."
        )
    load_into(model, spec, open_weights(entry.name))
    return f"started from torchvision's {entry.name} weights"


@dataclass(eq=False)
class TrainingSetup:
    """A run's device, data, model, optimizer and schedule, ready for its first step. Build it
    with :meth:`build`; it holds a claim on the thread count until :meth:`close`, so use it as
    a context manager (``with TrainingSetup.build(...) as setup:``) or close it in a
    ``finally``."""

    spec: ArchSpec
    config: TrainConfig
    device: torch.device
    amp: str  # "off", "bf16" or "fp16"
    amp_dtype: torch.dtype | None
    channels_last: bool
    data: TensorData | FolderData
    model: nn.Module  # as trained: wrapped in DistributedDataParallel under torchrun
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler | None
    criterion: nn.Module
    generator: torch.Generator  # every random draw of a step comes from here
    analysis: Analysis
    min_batch: int  # shorter training batches are skipped
    steps_per_epoch: int
    total_steps: int
    notes: list[str] = field(default_factory=list)  # recorded with the run
    _release: Callable[[], None] = lambda: None

    @classmethod
    def build(
        cls,
        spec: ArchSpec,
        config: TrainConfig,
        note: Callable[[str], None] | None = None,
        resuming: bool = False,
    ) -> TrainingSetup:
        """Set up a run of ``spec`` with ``config``; TrainError with one sentence for what does
        not fit. ``note`` hears what the user should know before it is done (a download)."""
        device = dist.device() or resolve_device(config.device)
        cuda = device.type == "cuda"
        if cuda and not torch.backends.cudnn.benchmark:
            torch.backends.cudnn.benchmark = True  # the same for every run: set once
        amp = amp_mode(config.amp, device)
        amp_dtype = AMP_DTYPES.get(amp)
        channels_last = cuda if config.channels_last is None else config.channels_last
        data = load_dataset(config, spec, note=note)
        if data.num_classes < 2:  # it would train to "loss 0, 100%" and learn nothing
            raise TrainError(
                f"The {config.dataset} dataset has {data.num_classes} class; a classifier needs "
                f"images of at least two classes, each in a folder of its own."
            )
        if config.weights and data.num_classes != spec.num_classes:  # a head for the folder
            spec = spec.replace(num_classes=data.num_classes)
        if data.num_classes > spec.num_classes:
            raise TrainError(
                f"The {config.dataset} dataset has {data.num_classes} classes but the "
                f"spec's classifier has {spec.num_classes} outputs; set the number "
                f"of classes to {data.num_classes}."
            )
        data = data.to(device)
        analysis = analyze(spec)
        least = min_train_batch(spec, analysis)
        if least > config.batch_size:
            raise TrainError(
                "With batch size 1 some batch norms of this spec see a single 1×1 "
                "value per channel and cannot train; use a batch size of 2 or more, "
                "or a larger input."
            )
        check_fits(spec, config.batch_size, device, "train", amp, least=least)
        built = build_seeded(spec, config.seed)
        notes = list(data.notes)
        if config.pretrained:
            notes.append(load_pretrained(built, spec))
        if config.weights:  # fine-tuning: train/finetune.py loads (not on resume) and freezes
            from dataclasses import replace

            from .finetune import start_from_weights

            more, digest = start_from_weights(built, spec, config.weights, config.freeze, resuming)
            notes += more
            if digest:
                config = replace(config, weights_sha256=digest)
        generator = run_generator(device, config.seed)
        use_generator(built, generator)
        model = place(built, device, channels_last)
        optimizer = build_optimizer(model, config)
        steps = max(1, data.steps_per_epoch(config.batch_size, dist.world_size()))
        total = steps * config.epochs
        scheduler = build_scheduler(optimizer, config, total)
        wrapped = dist.wrap(model, device)
        thread_note, release = claim_threads(config.threads)  # last: nothing after it can fail
        if thread_note:
            notes.append(thread_note)
        return cls(
            spec=spec,
            config=config,
            device=device,
            amp=amp,
            amp_dtype=amp_dtype,
            channels_last=channels_last,
            data=data,
            model=wrapped,
            optimizer=optimizer,
            scheduler=scheduler,
            scaler=grad_scaler(device, amp_dtype),
            criterion=nn.CrossEntropyLoss(label_smoothing=config.label_smoothing),
            generator=generator,
            analysis=analysis,
            min_batch=least,
            steps_per_epoch=steps,
            total_steps=total,
            notes=notes,
            _release=release,
        )

    @property
    def module(self) -> nn.Module:
        """The model without its DistributedDataParallel wrapper."""
        if isinstance(self.model, nn.parallel.DistributedDataParallel):
            inner: nn.Module = self.model.module
            return inner
        return self.model

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        return autocast(self.device, self.amp_dtype)

    def train_batches(self, epoch: int, start: int = 0) -> Iterator[Batch]:
        """One epoch's training batches from batch ``start`` on, as a step takes them: this
        rank's share, long enough for the batch norms, in the model's memory format. Each
        seeds the run's generator, which the step goes on drawing from."""
        cfg = self.config
        for x, y in self.data.batches(
            "train",
            cfg.batch_size,
            epoch,
            cfg.seed,
            dist.rank(),
            dist.world_size(),
            start,
            generator=self.generator,
        ):
            if len(y) < self.min_batch:
                continue
            yield self._formatted(x), y

    def val_batches(self) -> Iterator[Batch]:
        """This rank's validation batches (twice the training batch: no gradients to keep)."""
        for x, y in self.data.batches(
            "val", self.config.batch_size * 2, rank=dist.rank(), world=dist.world_size()
        ):
            yield self._formatted(x), y

    def _formatted(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def device_label(self, label: str) -> str:
        """The device as a run shows it: its name, the ranks, AMP and memory format."""
        world = dist.world_size()
        return (
            label
            + (f" ×{world}" if world > 1 else "")
            + (f", AMP {self.amp}" if self.amp_dtype else "")
            + (", channels_last" if self.channels_last else "")
        )

    def close(self) -> None:
        """The work is done: its claim on the thread count ends (the model stays readable).
        Closing twice changes nothing."""
        self._release()

    def __enter__(self) -> TrainingSetup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""The learning-rate range test (Smith 2015, fastai's ``lr_find``): train for up to a few hundred
steps while the learning rate grows exponentially from ``start_lr`` to ``end_lr``, record the
loss, and suggest the rate where the smoothed loss falls fastest.

:func:`range_test` runs it on a model and optimizer it is given, and puts both back as they were
(weights, batch-norm statistics, optimizer state and learning rates), whatever happens.
:func:`find_lr` runs it before a run, on a model, data and loss set up exactly as the trainer
sets them up for that spec and config; it builds its own copy of the model, so the run trained
afterwards starts from the weights it would have had anyway.

The loss is smoothed as fastai smooths it: an exponential moving average with factor ``beta``,
divided by ``1 - beta**(i+1)`` so that the first steps are not biased towards zero. The test
stops when the smoothed loss exceeds ``diverge`` times its lowest value so far, or a loss is not
finite. The suggestion is the steepest descent: the point where the smoothed loss falls fastest
per decade of learning rate (its slope over log10 of the rate, by central differences), looked
for after the first tenth of the curve (where the average is still settling) and before the
lowest smoothed loss (beyond it the loss only rises).
"""

from __future__ import annotations

import contextlib
import copy
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import torch
from torch import nn

from resnet_studio.core import ArchSpec
from resnet_studio.core.words import plural
from resnet_studio.train.config import TrainConfig
from resnet_studio.train.errors import TrainError
from resnet_studio.train.memory import smaller_batch_advice

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class LRFinding:
    """The recorded curve of a range test and what it suggests."""

    lrs: tuple[float, ...]
    losses: tuple[float, ...]  # as measured at each step
    smoothed: tuple[float, ...]
    suggestion: float | None  # the learning rate to use, or None if the curve never falls
    suggestion_index: int | None
    stopped_early: bool  # the loss exploded before end_lr
    reason: str  # one sentence: why the test ended
    start_lr: float
    end_lr: float
    steps: int  # asked for

    @property
    def explanation(self) -> str:
        """Why this value: the tooltip of the suggestion."""
        if self.suggestion is None and len(self.lrs) < MIN_POINTS:
            return (
                f"No suggestion: {plural(len(self.lrs), 'step')} are too few to judge the curve "
                f"(it takes {MIN_POINTS}); let the test run longer."
            )
        if self.suggestion is None:
            return (
                "No suggestion: the smoothed loss never fell over the range tested; try a "
                "wider range or check the data."
            )
        return (
            f"Suggested learning rate {self.suggestion:.3g}: where the smoothed loss falls "
            f"fastest against the learning rate on a log scale (the steepest descent of the "
            f"curve, before its lowest point). There, each step still lowers the loss quickly "
            f"while training is stable; the lowest point itself is usually already too high. "
            f"{self.reason}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``resnet-studio lr-find --json``."""
        return {
            "suggestion": self.suggestion,
            "suggestion_index": self.suggestion_index,
            "stopped_early": self.stopped_early,
            "reason": self.reason,
            "start_lr": self.start_lr,
            "end_lr": self.end_lr,
            "steps": self.steps,
            "lrs": list(self.lrs),
            "losses": list(self.losses),
            "smoothed": list(self.smoothed),
        }


def lr_at(step: int, steps: int, start_lr: float, end_lr: float) -> float:
    """The exponential schedule: ``start_lr`` at step 0, ``end_lr`` at step ``steps - 1``."""
    return float(start_lr * (end_lr / start_lr) ** (step / max(1, steps - 1)))


MIN_POINTS = 8  # fewer steps than this (a test stopped at once) cannot show a descent


def steepest_descent(lrs: Iterable[float], smoothed: Iterable[float]) -> int | None:
    """The index where the smoothed loss falls fastest per decade of learning rate, between the
    first tenth of the curve and its lowest point; None when it does not fall there, or when it
    has fewer than MIN_POINTS points (a test stopped at once suggested 4e-7 from its start)."""
    x = [math.log10(v) for v in lrs]
    y = list(smoothed)
    n = len(y)
    if n < MIN_POINTS:
        return None
    lowest = min(range(n), key=y.__getitem__)
    first = max(1, n // 10)
    best, best_slope = None, 0.0
    for i in range(first, min(lowest + 1, n - 1)):
        slope = (y[i + 1] - y[i - 1]) / (x[i + 1] - x[i - 1])
        if slope < best_slope:
            best, best_slope = i, slope
    return best


def range_test(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    batches: Iterator[Batch],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    steps: int = 100,
    beta: float = 0.98,
    diverge: float = 4.0,
    autocast: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext,
    scaler: torch.amp.GradScaler | None = None,
    progress: Callable[[int, float, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LRFinding:
    """Train ``model`` for up to ``steps`` batches at exponentially growing learning rates and
    record the loss; the model and optimizer are restored afterwards. ``progress`` hears
    (step, lr, smoothed loss); ``should_stop`` ends the test early."""
    if not 0 < start_lr < end_lr:
        raise TrainError(f"The range test needs 0 < start < end, not {start_lr:g} and {end_lr:g}.")
    if steps < 3:
        raise TrainError(f"The range test needs at least 3 steps, not {steps}.")
    saved_model = copy.deepcopy(model.state_dict())
    saved_opt = copy.deepcopy(optimizer.state_dict())
    saved_scaler = scaler.state_dict() if scaler is not None else None
    was_training = model.training
    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    avg, best = 0.0, math.inf
    stopped, reason = False, f"It ran all {steps} steps up to {end_lr:g}."
    try:
        model.train()
        for step, (x, y) in zip(range(steps), batches, strict=False):
            if should_stop is not None and should_stop():
                reason = f"It was stopped after {plural(step, 'step')}."
                break
            lr = lr_at(step, steps, start_lr, end_lr)
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.zero_grad(set_to_none=True)
            with autocast():
                loss = loss_fn(model(x), y)
            value = float(loss.detach().float().item())
            if not math.isfinite(value):
                stopped, reason = True, f"The loss became {value} at learning rate {lr:.3g}."
                break
            if scaler is not None:  # fp16 on CUDA, as the trainer steps it
                scaler.scale(loss).backward()  # type: ignore[no-untyped-call]
                scaler.step(optimizer)
                scaler.update()
            else:
                loss.backward()  # type: ignore[no-untyped-call]
                optimizer.step()
            avg = beta * avg + (1 - beta) * value
            smooth = avg / (1 - beta ** (step + 1))
            lrs.append(lr)
            losses.append(value)
            smoothed.append(smooth)
            if progress is not None:
                progress(step, lr, smooth)
            best = min(best, smooth)
            if smooth > diverge * best:
                stopped = True
                reason = (
                    f"The loss exploded at learning rate {lr:.3g} (over {diverge:g} times its "
                    f"lowest), so the test stopped there."
                )
                break
        else:
            if len(lrs) < steps:
                reason = f"The data ran out after {len(lrs)} steps."
    finally:
        model.load_state_dict(saved_model)
        optimizer.load_state_dict(saved_opt)
        if scaler is not None and saved_scaler is not None:
            scaler.load_state_dict(saved_scaler)
        model.train(was_training)
    index = steepest_descent(lrs, smoothed)
    return LRFinding(
        tuple(lrs),
        tuple(losses),
        tuple(smoothed),
        lrs[index] if index is not None else None,
        index,
        stopped,
        reason,
        start_lr,
        end_lr,
        steps,
    )


def find_lr(
    spec: ArchSpec,
    config: TrainConfig,
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    steps: int = 100,
    note: Callable[[str], None] | None = None,
    progress: Callable[[int, float, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LRFinding:
    """The range test for a run of ``spec`` with ``config``: the trainer's own set-up (device,
    data with its augmentation, model, optimizer with its weight-decay groups, mixed precision,
    channels_last, its own random generator), batches drawn as an epoch draws them, and the
    trainer's loss."""
    from resnet_studio.train.setup import TrainingSetup

    with TrainingSetup.build(spec, config, note=note) as setup:  # the claim ends on every path
        if note is not None:
            for text in setup.notes:  # a skipped image, the thread count
                note(text)

        def batches() -> Iterator[Batch]:
            for epoch in count():
                drawn = 0
                for batch in setup.train_batches(epoch):
                    drawn += 1
                    yield batch
                if not drawn:
                    return

        def loss_fn(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            loss: torch.Tensor = setup.criterion(out, y)  # under the set-up's autocast, as in a run
            return loss

        try:
            return range_test(
                setup.model,
                setup.optimizer,
                batches(),
                loss_fn,
                start_lr=start_lr,
                end_lr=end_lr,
                steps=steps,
                autocast=setup.autocast,
                scaler=setup.scaler,
                progress=progress,
                should_stop=should_stop,
            )
        except torch.OutOfMemoryError:
            raise TrainError(
                f"Out of memory at batch size {config.batch_size}; "
                f"{smaller_batch_advice(config.batch_size, setup.min_batch)}."
            ) from None

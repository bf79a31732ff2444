"""A built model on a device, ready to be timed: its optimizer, a batch of random images,
autocast, synchronised medians, and the search for the largest batch that fits on CUDA.
Used by :mod:`.profile` and ``bench/profile_check.py``. The model is set up as a run sets it up
(:mod:`resnet_studio.train.setup`), drawing from a generator of its own, so a profile in the
window leaves the runs beside it alone."""

from __future__ import annotations

import contextlib
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from resnet_studio.core import ArchSpec
from resnet_studio.core.builder import build_seeded, use_generator
from resnet_studio.measure.profile_result import ProfileStopped
from resnet_studio.train import setup
from resnet_studio.train.setup import min_train_batch

__all__ = ["Bench", "is_oom", "largest_batch", "min_train_batch", "sync"]

MAX_LARGEST_BATCH = 1 << 14  # the search for the largest batch stops here


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def is_oom(e: BaseException) -> bool:
    if isinstance(e, torch.OutOfMemoryError):
        return True
    text = str(e)
    return isinstance(e, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text
    )


class Bench:
    """A built model on a device with its optimizer, and a batch of random images for it."""

    def __init__(
        self,
        spec: ArchSpec,
        device: torch.device,
        dtype: str,
        channels_last: bool,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.should_stop = should_stop or (lambda: False)
        self.last_times: list[float] = []  # the seconds of the last `timed` call's repeats
        self.spec, self.device, self.channels_last = spec, device, channels_last
        self.generator = setup.run_generator(device)  # not torch's global one: runs share it
        model = build_seeded(spec, 0)
        use_generator(model, self.generator)
        self.model = setup.place(model, device, channels_last)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=1e-3, momentum=0.9)
        self.amp = setup.AMP_DTYPES.get(dtype)
        self.scaler = setup.grad_scaler(device, self.amp)

    def batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        g = self.generator
        x = torch.randn(
            n, self.spec.in_channels, *self.spec.input_size, generator=g, device=g.device
        )
        y = torch.randint(0, self.spec.num_classes, (n,), generator=g, device=g.device)
        x, y = x.to(self.device), y.to(self.device)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x, y

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        return setup.autocast(self.device, self.amp)

    def infer(self, x: torch.Tensor) -> None:
        if self.model.training:
            self.model.eval()
        with torch.inference_mode(), self.autocast():
            self.model(x)

    def forward_loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if not self.model.training:
            self.model.train()
        with self.autocast():
            return F.cross_entropy(self.model(x), y)

    def step(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.opt.zero_grad(set_to_none=True)
        self._backward_and_step(self.forward_loss(x, y))

    def step_forward_seconds(self, x: torch.Tensor, y: torch.Tensor) -> float:
        """A training step, and the seconds of its forward pass (with the loss), synchronised."""
        self.opt.zero_grad(set_to_none=True)
        sync(self.device)
        t0 = time.perf_counter()
        loss = self.forward_loss(x, y)
        sync(self.device)
        seconds = time.perf_counter() - t0
        self._backward_and_step(loss)
        return seconds

    def _backward_and_step(self, loss: torch.Tensor) -> None:
        if self.scaler is not None:
            self.scaler.scale(loss).backward()  # type: ignore[no-untyped-call]
            self.scaler.step(self.opt)
            self.scaler.update()
        else:
            loss.backward()  # type: ignore[no-untyped-call]
            self.opt.step()

    def check(self) -> None:
        """Raise ProfileStopped if asked to stop (between calls, never inside one)."""
        if self.should_stop():
            raise ProfileStopped

    def rates(self, n: int, warmup: int, repeats: int) -> tuple[float, float]:
        """Inference and training images per second at batch size ``n``."""
        x, y = self.batch(n)
        inference = self.timed(lambda: self.infer(x), warmup, repeats)
        train = self.timed(lambda: self.step(x, y), warmup, repeats)
        return n / inference, n / train

    def timed(self, fn: Callable[[], None], warmup: int, repeats: int) -> float:
        """The median seconds of ``fn`` (synchronised) after ``warmup`` untimed calls."""
        for _ in range(warmup):
            fn()
        sync(self.device)
        times = []
        for _ in range(repeats):
            self.check()
            t0 = time.perf_counter()
            fn()
            sync(self.device)
            times.append(time.perf_counter() - t0)
        self.last_times = times
        return statistics.median(times)


def largest_batch(bench: Bench, start: int) -> tuple[int | None, str]:
    """The largest batch whose training step fits on a CUDA device, found by trying."""
    if bench.device.type != "cuda":
        return None, "The largest batch is searched on CUDA only (on the CPU it would swap)."

    def fits(n: int) -> bool:
        bench.check()
        try:
            x, y = bench.batch(n)
            bench.step(x, y)
            sync(bench.device)
            return True
        except Exception as e:
            if not is_oom(e):
                raise
            return False
        finally:
            bench.opt.zero_grad(set_to_none=True)
            gc.collect()
            torch.cuda.empty_cache()

    least = min_train_batch(bench.spec)
    good, bad = 0, None
    n = max(least, start)
    while n <= MAX_LARGEST_BATCH:
        if fits(n):
            good, n = n, n * 2
        else:
            bad = n
            break
    if good == 0:
        lo, hi = least - 1, n  # even `start` failed: search below it
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if fits(mid) else (lo, mid)
        if lo < least:
            return 0, (
                f"Even a batch of {least} does not fit in {bench.device}'s memory for a training "
                f"step of this network at {bench.spec.input_size[0]}×"
                f"{bench.spec.input_size[1]}; use a smaller input or a narrower network."
            )
        return lo, f"The largest batch that trains on {bench.device} is {lo}."
    if bad is None:
        return good, f"Batches up to {good} fit; the search stops there."
    lo, hi = good, bad
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo, f"The largest batch that trains on {bench.device} is {lo} ({hi} runs out of memory)."

"""The measured peak memory of one training step, on CUDA and on the CPU.

CUDA: the caching allocator's own peak (``torch.cuda.max_memory_allocated`` after
``reset_peak_memory_stats``), which counts every tensor the step holds at its worst moment.

CPU: torch has no allocator statistics there, and ``tracemalloc`` does not see torch's
allocations, so the step runs once under the autograd profiler with ``profile_memory=True``,
which records every allocation and free of torch's CPU allocator with its size; their running sum in
time order gives the step's peak above what was live when it began (weights, buffers,
optimizer state and the batch, counted from the tensors themselves; the gradients are freed
first so that the step allocates them again in sight of the profiler). A process RSS delta would
also count Python, the allocator's caching and pages the kernel has not yet reclaimed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

CUDA_METHOD = "CUDA caching allocator's peak (torch.cuda.max_memory_allocated) over one step."
CPU_METHOD = (
    "autograd profiler's record of every CPU allocation and free in one step "
    "(profile_memory), "
    "summed in time order, on top of the weights, buffers, optimizer state and batch already "
    "held; allocations by other work running at the same time count too."
)


def _tensor_bytes(tensors: Iterable[torch.Tensor]) -> int:
    """Bytes of the distinct storages behind ``tensors`` (views and shared weights once)."""
    seen: dict[int, int] = {}
    for t in tensors:
        storage = t.untyped_storage()
        seen[storage.data_ptr()] = storage.nbytes()
    return sum(seen.values())


def held_bytes(model: nn.Module, opt: torch.optim.Optimizer, extra: Iterable[torch.Tensor]) -> int:
    """What a step starts with: weights, buffers, optimizer state and the given tensors."""
    state = [v for s in opt.state.values() for v in s.values() if isinstance(v, torch.Tensor)]
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    return _tensor_bytes([*model.parameters(), *model.buffers(), *state, *grads, *extra])


def cpu_peak_above(step: Callable[[], None]) -> int | None:
    """The peak of torch's CPU allocations during ``step``, above what was live before it;
    None if this torch's profiler does not report allocations.

    The autograd profiler's legacy mode records them without kineto: kineto, the first time it
    starts on a thread other than the one that imported torch (the window's worker threads),
    prints "ERROR: External init callback must run in same thread as registerClient" on stderr.
    """
    try:
        from torch._C._autograd import _disable_profiler_legacy, _enable_profiler_legacy
        from torch.autograd.profiler_legacy import profile

        config = profile(profile_memory=True).config()  # type: ignore[no-untyped-call]
    except (ImportError, AttributeError, TypeError):  # a torch without the legacy profiler
        return None
    _enable_profiler_legacy(config)
    try:
        step()
    finally:
        threads = _disable_profiler_legacy()
    try:
        records = [r for thread in threads for r in thread]
        first = records[0]
        events = [
            (first.cpu_elapsed_us(r), r.cpu_memory_usage())
            for r in records
            if str(r.kind()) == "memory_alloc"  # a str at run time; the stubs say int
        ]
    except (AttributeError, IndexError):
        return None
    events.sort()
    running = peak = 0
    for _, nbytes in events:
        running += nbytes
        peak = max(peak, running)
    return peak


def measure_step_memory(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    step: Callable[[], None],
    batch: Iterable[torch.Tensor],
    device: torch.device,
) -> tuple[int | None, str]:
    """The peak bytes of one call of ``step`` (a training step that has run before, so the
    optimizer's state exists), and how they were measured, in one sentence."""
    opt.zero_grad(set_to_none=True)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        step()
        torch.cuda.synchronize(device)
        return int(torch.cuda.max_memory_allocated(device)), CUDA_METHOD
    if device.type != "cpu":
        return None, f"Peak memory is measured on CUDA and the CPU only, not on {device.type}."
    before = held_bytes(model, opt, batch)
    above = cpu_peak_above(step)
    if above is None:
        return None, "This PyTorch's profiler does not report CPU allocations."
    return before + above, CPU_METHOD

"""Per-stage times of a training step: hooks on the top-level modules mark, per stage of the
analysis (stem, layer1…N, head), when its forward starts and ends, and gradient hooks on each
stage's output mark when the backward pass reaches it. Each mark synchronises the device, which
is why this pass is separate from the throughput timings."""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

from resnet_studio.core import ArchSpec, analyze
from resnet_studio.measure.profile_bench import Bench, sync


def _stage_modules(spec: ArchSpec) -> dict[str, list[str]]:
    """The top-level module names of each stage, by the analysis's sections."""
    out: dict[str, list[str]] = {s.name: [] for s in analyze(spec).stages}
    for row in analyze(spec).rows:
        if row.level == 1:
            out[row.section].append(row.name)
    return out


@contextlib.contextmanager
def _stage_clock(
    bench: Bench, stages: dict[str, list[str]]
) -> Iterator[dict[str, dict[str, float]]]:
    """Hooks that record, per stage, when its forward starts and ends and when the gradient
    reaches its output; yields the records (the caller clears them between passes)."""
    rec: dict[str, dict[str, float]] = {"start": {}, "end": {}, "grad": {}}
    owner = {m: s for s, mods in stages.items() for m in mods}
    device = bench.device

    def now() -> float:
        sync(device)
        return time.perf_counter()

    def grad_mark(stage: str) -> Callable[[torch.Tensor], None]:
        def mark(grad: torch.Tensor) -> None:
            rec["grad"][stage] = now()

        return mark

    def pre(name: str) -> Callable[..., None]:
        def hook(module: nn.Module, args: Any) -> None:
            rec["start"].setdefault(owner[name], now())

        return hook

    def post(name: str) -> Callable[..., None]:
        def hook(module: nn.Module, args: Any, out: Any) -> None:
            rec["end"][owner[name]] = now()  # the stage's last module to run writes last
            if isinstance(out, torch.Tensor) and out.requires_grad:
                out.register_hook(grad_mark(owner[name]))  # type: ignore[no-untyped-call]

        return hook

    handles = []
    for name, module in bench.model.named_children():
        if name in owner:
            handles.append(module.register_forward_pre_hook(pre(name)))
            handles.append(module.register_forward_hook(post(name)))
    try:
        yield rec
    finally:
        for h in handles:
            h.remove()


def stage_times(
    bench: Bench, batch_size: int, warmup: int, repeats: int
) -> tuple[list[tuple[str, float, float | None]], float]:
    """Median forward and backward milliseconds of each stage in a training step, and the
    median forward milliseconds of the whole network in a training step without hooks (steps
    with and without hooks alternate, so both see the same state of caches and allocator)."""
    stages = _stage_modules(bench.spec)
    names = list(stages)
    x, y = bench.batch(batch_size)
    fwd: dict[str, list[float]] = {s: [] for s in names}
    bwd: dict[str, list[float]] = {s: [] for s in names}
    whole: list[float] = []
    for i in range(warmup + repeats):
        bench.check()
        plain = bench.step_forward_seconds(x, y)
        with _stage_clock(bench, stages) as rec:
            bench.opt.zero_grad(set_to_none=True)
            loss = bench.forward_loss(x, y)
            sync(bench.device)
            t_back = time.perf_counter()
            loss.backward()  # type: ignore[no-untyped-call]
            sync(bench.device)
            t_done = time.perf_counter()
            bench.opt.step()
        if i < warmup:
            continue
        whole.append(plain)
        grad = rec["grad"]
        for k, s in enumerate(names):
            fwd[s].append(rec["end"][s] - rec["start"][s])
            # backward runs head first: a stage's lasts from the gradient reaching its output
            # (the head: from the loss) until it reaches the previous stage's output (the
            # stem: until the end); a gradient hook that never fired leaves it out
            begin = t_back if k == len(names) - 1 else grad.get(s)
            end = grad.get(names[k - 1]) if k else t_done
            if begin is not None and end is not None:
                bwd[s].append(max(0.0, end - begin))
    rows = [
        (
            s,
            1000 * statistics.median(fwd[s]),
            1000 * statistics.median(bwd[s]) if len(bwd[s]) == repeats else None,
        )
        for s in names
    ]
    return rows, 1000 * statistics.median(whole)

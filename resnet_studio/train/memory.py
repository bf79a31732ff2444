"""Will a job fit in the device's memory? One check, before anything is allocated, that every job
which allocates calls: the profiler (its batch and each size of its sweep), training (and the LR
finder through the training set-up), evaluating a run's validation set, and Grad-CAM.

The job's peak is the analysis's estimate (:mod:`resnet_studio.core.analysis`: weights,
gradients, optimizer state, buffers and the activations autograd keeps; for inference, the
weights and the few largest activations alive at once), times :data:`SAFETY` for what the
estimate does not count (the allocator's slack, backward's temporaries). The device's free memory
is MemAvailable from /proc/meminfo (within a cgroup's limit) on the CPU and
``torch.cuda.mem_get_info`` on CUDA. A job that cannot fit is refused with one sentence naming
the largest batch that fits, computed against a little less than the free memory so that the
batch it names is accepted when the user applies it.

Qt-free; torch is imported only to ask a CUDA device.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from ..core import ArchSpec, analyze
from ..core.format import human_bytes
from .errors import TrainError

Job = Literal["train", "infer", "gradcam"]
SAFETY = 1.25  # estimate × this must fit; a CPU profile measured 0.98× the estimate (README)
ADVICE_SHARE = 0.9  # the batch we name fits in this share of the free memory, for headroom
_ANALYSIS_DTYPE = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}
_JOB_WORDS = {
    "train": "a training step",
    "infer": "evaluating",
    "gradcam": "Grad-CAM",
}


def estimated_training_bytes(spec: ArchSpec, batch_size: int, dtype: str = "fp32") -> int:
    """The analysis's figure for a training step with SGD and momentum: the weights, their
    gradients and momentum (float32, as autocast keeps them), the buffers, and the activations
    autograd keeps (in the autocast dtype)."""
    weights = analyze(spec, batch_size, "float32").totals
    acts = analyze(spec, batch_size, _ANALYSIS_DTYPE.get(dtype, "float32")).totals
    return 3 * weights.param_bytes + weights.buffer_bytes + acts.activation_bytes


def estimated_inference_bytes(spec: ArchSpec, batch_size: int, dtype: str = "fp32") -> int:
    """Weights and buffers, and the three largest layer outputs for the batch (a block's input,
    its branch and its output can be alive at once; nothing is kept for a backward pass)."""
    report = analyze(spec, batch_size, "float32")
    size = 2 if dtype in ("bf16", "fp16") else 4
    outputs = sorted((_numel(r.out_shape) for r in report.leaves), reverse=True)
    return (
        report.totals.param_bytes
        + report.totals.buffer_bytes
        + sum(outputs[:3]) * size * batch_size
    )


def _numel(shape: Any) -> int:
    n = 1
    for v in shape:
        n *= int(v)
    return n


def job_bytes(spec: ArchSpec, batch_size: int, job: Job = "train", dtype: str = "fp32") -> int:
    """The estimated peak of ``job`` at ``batch_size``, with the safety factor."""
    if job == "infer":
        raw = estimated_inference_bytes(spec, batch_size, dtype)
    elif job == "gradcam":  # a forward pass, and a backward one that keeps no weight gradients
        acts = analyze(spec, batch_size, _ANALYSIS_DTYPE.get(dtype, "float32")).totals
        raw = estimated_inference_bytes(spec, batch_size, dtype) + acts.activation_bytes
    else:
        raw = estimated_training_bytes(spec, batch_size, dtype)
    return int(raw * SAFETY)


def _meminfo_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_room() -> int | None:
    """What a cgroup v2 memory limit leaves this process's group, if there is one."""
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit == "max":
            return None
        used = int(Path("/sys/fs/cgroup/memory.current").read_text())
        return max(0, int(limit) - used)
    except (OSError, ValueError):
        return None


def free_bytes(device: Any) -> int | None:
    """The memory a new job can use on ``device`` (a torch.device or its name): available RAM
    on the CPU, the free memory of a CUDA device; None where it cannot be told (MPS)."""
    kind = getattr(device, "type", str(device).split(":")[0])
    if kind == "cpu":
        found = [v for v in (_meminfo_available(), _cgroup_room()) if v is not None]
        if not found and hasattr(os, "sysconf"):
            try:
                found = [os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")]
            except (ValueError, OSError):
                return None
        return min(found) if found else None
    if kind == "cuda":
        import torch

        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    return None


def largest_fitting(
    spec: ArchSpec, budget: int, job: Job = "train", dtype: str = "fp32", least: int = 1
) -> int:
    """The largest batch (at least ``least``) whose estimate fits in ``budget`` bytes; 0 if
    not even ``least`` fits. The estimate grows with the batch, so a doubling and a bisection
    find it."""
    if job_bytes(spec, least, job, dtype) > budget:
        return 0
    lo, hi = least, least * 2
    while job_bytes(spec, hi, job, dtype) <= budget:
        lo, hi = hi, hi * 2
        if hi > 1 << 24:  # more images than anyone batches: stop doubling
            return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if job_bytes(spec, mid, job, dtype) <= budget else (lo, mid)
    return lo


def check_fits(
    spec: ArchSpec,
    batch_size: int,
    device: Any,
    job: Job = "train",
    dtype: str = "fp32",
    *,
    least: int = 1,
    free: int | None = None,
) -> None:
    """Raise TrainError, with one sentence naming the largest batch that fits, when ``job`` at
    ``batch_size`` would not fit in ``device``'s free memory (``free`` overrides the measured
    figure); do nothing where the free memory cannot be told."""
    room = free_bytes(device) if free is None else free
    if room is None:
        return
    need = job_bytes(spec, batch_size, job, dtype)
    if need <= room:
        return
    where = _device_words(device)
    what = _JOB_WORDS[job]
    best = largest_fitting(spec, int(room * ADVICE_SHARE), job, dtype, least)
    if best >= least and best < batch_size:
        raise TrainError(
            f"A batch of {batch_size} needs about {human_bytes(need)} for {what}, but only "
            f"{human_bytes(room)} is free on {where}; use a batch size of {best} or less."
        )
    h, w = spec.input_size
    raise TrainError(
        f"Even a batch of {least} needs about {human_bytes(job_bytes(spec, least, job, dtype))} "
        f"for {what} at {h}×{w}, but only {human_bytes(room)} is free on {where}; use a "
        f"smaller input or a narrower network, or free some memory."
    )


def fitting_batch(
    spec: ArchSpec,
    batch_size: int,
    device: Any,
    job: Job = "infer",
    dtype: str = "fp32",
    *,
    free: int | None = None,
) -> int:
    """``batch_size``, or the largest smaller batch that fits, for a job whose batch is ours to
    choose (evaluation gives the same predictions at any batch); raises TrainError when not even
    one image fits."""
    room = free_bytes(device) if free is None else free
    if room is None or job_bytes(spec, batch_size, job, dtype) <= room:
        return batch_size
    best = min(batch_size, largest_fitting(spec, int(room * ADVICE_SHARE), job, dtype))
    if best < 1:
        check_fits(spec, 1, device, job, dtype, free=room)  # raises the sentence
    return max(1, best)


def smaller_batch_advice(batch_size: int, least: int = 1) -> str:
    """The end of a sentence after a batch ran out of memory: half the batch, when that is still
    a batch that can train, else what else to change (never "a batch of 1 or less")."""
    half = batch_size // 2
    if half >= least:
        return f"try a batch size of {half} or less"
    return "use a smaller input or a narrower network"


def _device_words(device: Any) -> str:
    kind = getattr(device, "type", str(device).split(":")[0])
    return "the CPU (available RAM)" if kind == "cpu" else str(device)

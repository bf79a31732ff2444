"""The profiler: what a spec costs when it runs, measured, beside what the analysis computes.

:func:`profile_spec` builds the spec on a device and measures, with warm-up and medians over
repeats (as timm's ``benchmark.py`` does): inference and training images per second (a training
step is forward, loss, backward and an SGD step), the peak memory of a training step beside the
analysis's estimate, the time of each stage (stem, layer1…N, head) forward and backward beside
its share of the MACs, a short sweep of batch sizes and, on CUDA, the largest batch that fits.

Every timed region ends with a device synchronisation on CUDA, so the clock sees the kernels and
not only their launch. Per-stage times come from a separate pass with hooks (a forward hook
synchronises at each stage boundary; gradient hooks on the stage outputs mark the backward
boundaries), so the hooks never slow the throughput figures.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from resnet_studio.core import ArchSpec, analyze
from resnet_studio.measure.profile_bench import Bench, is_oom, largest_batch, min_train_batch
from resnet_studio.measure.profile_check import remeasure_if_contradictory, unsteady
from resnet_studio.measure.profile_memory import measure_step_memory
from resnet_studio.measure.profile_result import (
    DTYPES,
    Profile,
    ProfileStopped,
    StageTime,
    SweepPoint,
    estimated_training_bytes,
)
from resnet_studio.measure.profile_stages import stage_times
from resnet_studio.train.devices import list_devices, resolve_device
from resnet_studio.train.errors import TrainError
from resnet_studio.train.memory import check_fits, smaller_batch_advice

__all__ = [
    "DTYPES",
    "Profile",
    "ProfileStopped",
    "StageTime",
    "SweepPoint",
    "default_sweep",
    "estimated_training_bytes",
    "profile_spec",
]


def default_sweep(batch_size: int) -> tuple[int, ...]:
    """Powers of two from 1 to twice the batch size, at most six of them (the largest)."""
    sizes = [1 << k for k in range(16) if (1 << k) <= 2 * batch_size]
    return tuple(sizes[-6:])


def profile_spec(
    spec: ArchSpec,
    device: str = "auto",
    batch_size: int = 32,
    dtype: str = "fp32",
    *,
    channels_last: bool | None = None,
    repeats: int = 10,
    warmup: int = 3,
    sweep: tuple[int, ...] | None = None,
    find_largest: bool = True,
    progress: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Profile:
    """Measure ``spec`` on ``device``; raises TrainError with one sentence for a setting that
    cannot run (an unknown dtype, a device that is not there, a batch that does not fit).
    ``should_stop`` is asked between timed calls; when it says so, ProfileStopped is raised."""
    if dtype not in DTYPES:
        raise TrainError(f"The dtype must be one of {', '.join(DTYPES)}, not '{dtype}'.")
    if batch_size < 1 or repeats < 1 or warmup < 0:
        raise TrainError("The batch size and repeats must be at least 1, warm-up at least 0.")
    dev = resolve_device(device)
    if dtype == "fp16" and dev.type == "cpu":
        raise TrainError("fp16 autocast is for GPUs; profile the CPU in fp32 or bf16.")
    least = min_train_batch(spec)
    if batch_size < least:
        raise TrainError(
            "With batch size 1 some batch norms of this spec see a single 1×1 value per "
            "channel and cannot train; use a batch size of 2 or more, or a larger input."
        )
    # before anything is allocated: a batch that cannot fit is refused, naming one that can
    check_fits(spec, batch_size, dev, "train", dtype, least=least)
    cuda = dev.type == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
    cl = cuda if channels_last is None else channels_last
    say = progress or (lambda text: None)
    name = next((d.name for d in list_devices() if d.id == str(dev)), str(dev))
    notes: list[str] = []
    bench = Bench(spec, dev, dtype, cl, should_stop)
    try:
        x, y = bench.batch(batch_size)
        say("inference")
        t_inf = bench.timed(lambda: bench.infer(x), warmup, repeats)
        spread = [unsteady(bench.last_times, "inference")]
        say("training steps")
        t_train = bench.timed(lambda: bench.step(x, y), warmup, repeats)
        spread.append(unsteady(bench.last_times, "training"))

        say("memory")
        peak, method = measure_step_memory(
            bench.model, bench.opt, lambda: bench.step(x, y), (x, y), dev
        )
        say("stages")
        stage_ms, forward_ms = stage_times(bench, batch_size, min(warmup, 1), repeats)
    except Exception as e:
        if is_oom(e):
            raise TrainError(
                f"A batch of {batch_size} does not fit in {dev}'s memory for this network; "
                f"{smaller_batch_advice(batch_size, least)}."
            ) from None
        raise
    points: list[SweepPoint] = []
    sizes = sweep if sweep is not None else default_sweep(batch_size)
    for n in (n for n in sizes if n >= least):
        say(f"batch {n}")
        try:
            check_fits(spec, n, dev, "train", dtype, least=least)
        except TrainError:
            note = f"a batch of {n} would not fit in {dev}'s free memory; the sweep stops here"
            points.append(SweepPoint(n, None, None, note))
            break
        try:
            inf, train = bench.rates(n, 1, max(2, repeats // 3))
            points.append(SweepPoint(n, inf, train))
        except Exception as e:
            if not is_oom(e):
                raise
            points.append(SweepPoint(n, None, None, f"a batch of {n} runs out of memory"))
            if dev.type == "cuda":
                torch.cuda.empty_cache()  # what the failed step held, before the next search
            break
        finally:
            bench.opt.zero_grad(set_to_none=True)
    t_inf, t_train, points, checked = remeasure_if_contradictory(
        bench, batch_size, t_inf, t_train, points, warmup, repeats, say
    )
    notes.extend(checked or [s for s in spread if s])
    largest, largest_note = None, ""
    if find_largest:
        say("largest batch")
        largest, largest_note = largest_batch(bench, batch_size)
    report = analyze(spec, batch_size)
    total_macs = report.totals.macs or 1
    stages = tuple(
        StageTime(s.name, f, b, s.macs * batch_size, s.macs * batch_size / total_macs)
        for s, (_, f, b) in zip(report.stages, stage_ms, strict=True)
    )
    return Profile(
        spec=spec.to_dict(),
        device=str(dev),
        device_name=name,
        batch_size=batch_size,
        dtype=dtype,
        channels_last=cl,
        repeats=repeats,
        inference_ms=1000 * t_inf,
        train_step_ms=1000 * t_train,
        forward_ms=forward_ms,
        inference_img_s=batch_size / t_inf,
        train_img_s=batch_size / t_train,
        peak_memory_bytes=peak,
        estimated_memory_bytes=estimated_training_bytes(spec, batch_size, dtype),
        memory_method=method,
        stages=stages,
        sweep=tuple(points),
        largest_batch=largest,
        largest_batch_note=largest_note,
        torch_version=torch.__version__,
        notes=tuple(notes),
    )

"""Measurements that contradict each other: a profile's headline images/s against its own sweep
at the same batch size, and the spread of the headline's timed repeats.

Once a profile said 9.9 img/s in its headline and 493.7 in its own sweep table at the same batch:
something else had the machine while the headline was timed. Figures that differ by more than
:data:`TOLERANCE` times are measured again, both of them; the profile keeps the second figures
and says in its notes what happened, rather than reporting a contradiction silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from resnet_studio.measure.profile_bench import Bench
from resnet_studio.measure.profile_result import SweepPoint

TOLERANCE = 1.5  # figures of one thing that differ by more than this factor contradict
SPREAD = 2.0  # timed repeats whose slowest is over this times the fastest are unsteady


def disagree(a: float, b: float, tolerance: float = TOLERANCE) -> bool:
    """Whether two rates of the same thing differ by more than ``tolerance`` times."""
    lo, hi = sorted((a, b))
    return lo <= 0 or hi / lo > tolerance


def contradictions(batch: int, inf: float, train: float, sweep: Sequence[SweepPoint]) -> list[str]:
    """The headline's figures (img/s) that the sweep's point at the same batch contradicts."""
    found = []
    for pt in sweep:
        if pt.batch_size != batch or pt.inference_img_s is None or pt.train_img_s is None:
            continue
        for what, head, other in (
            ("inference", inf, pt.inference_img_s),
            ("training", train, pt.train_img_s),
        ):
            if disagree(head, other):
                found.append(f"{what} {head:,.1f} img/s against {other:,.1f} in the sweep")
    return found


def unsteady(times: Sequence[float], what: str) -> str:
    """A sentence when the timed repeats of ``what`` spread beyond SPREAD, else ''."""
    if len(times) < 2 or min(times) <= 0 or max(times) / min(times) <= SPREAD:
        return ""
    return (
        f"The timed {what} repeats ranged from {1000 * min(times):.1f} to "
        f"{1000 * max(times):.1f} ms (the median is shown): something else was using the device."
    )


def remeasure_if_contradictory(
    bench: Bench,
    batch: int,
    t_inf: float,
    t_train: float,
    sweep: list[SweepPoint],
    warmup: int,
    repeats: int,
    say: Callable[[str], None],
) -> tuple[float, float, list[SweepPoint], list[str]]:
    """Seconds of an inference batch and a training step, the sweep and notes: as given when
    they agree; measured again, headline and sweep point, when they contradict."""
    found = contradictions(batch, batch / t_inf, batch / t_train, sweep)
    if not found:
        return t_inf, t_train, sweep, []
    say("measuring again (the first figures contradicted each other)")
    x, y = bench.batch(batch)
    t_inf = bench.timed(lambda: bench.infer(x), warmup, repeats)
    steady = [unsteady(bench.last_times, "inference")]
    t_train = bench.timed(lambda: bench.step(x, y), warmup, repeats)
    steady.append(unsteady(bench.last_times, "training"))
    bench.opt.zero_grad(set_to_none=True)
    inf_s, train_s = bench.rates(batch, 1, max(2, repeats // 3))
    bench.opt.zero_grad(set_to_none=True)
    sweep = [SweepPoint(batch, inf_s, train_s) if p.batch_size == batch else p for p in sweep]
    first = "; ".join(found)
    still = contradictions(batch, batch / t_inf, batch / t_train, sweep)
    if still:
        note = (
            f"The headline and the sweep disagreed at batch {batch} ({first}) and still "
            f"disagree measured again ({'; '.join(still)}): something else is using the "
            f"device, so these figures are uncertain; profile again when it is idle."
        )
    else:
        note = (
            f"The first measurements disagreed at batch {batch} ({first}), so both were "
            f"measured again; the figures shown are the second measurement, which agree."
        )
    return t_inf, t_train, sweep, [note, *(s for s in steady if s)]

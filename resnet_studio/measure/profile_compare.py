"""Measured rows for the compare table: images/s and peak memory from the profile cache, beside
the arithmetic rows of :func:`resnet_studio.core.compare.measure_rows`.

Profiles on different devices are not comparable, so one device is used for every network: the
device of the first network's newest profile (or the next network's, if the first has none). A
network not profiled there shows an empty cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from resnet_studio.core.compare import MeasureRow
from resnet_studio.core.format import human_bytes
from resnet_studio.measure.profile_cache import ProfileCache, default_path
from resnet_studio.measure.profile_result import Profile

STAGE = "measured"  # the rows' group in the compare table
_shared: list[ProfileCache] = []  # one cache (it re-reads its file only when it changed)


def _cache() -> ProfileCache:
    path = default_path()  # the user cache folder, as the environment says now
    if not _shared or _shared[0].path != path:
        _shared[:] = [ProfileCache(path)]
    return _shared[0]


def profiles_for(specs: Sequence[Any], cache: ProfileCache | None = None) -> list[Profile | None]:
    """The newest profile of each spec, all on one device: that of the first profiled spec."""
    cache = cache or _cache()
    dicts = [s.to_dict() for s in specs]
    first = next((p for p in (cache.latest(d) for d in dicts) if p is not None), None)
    if first is None:
        return [None] * len(specs)
    return [cache.latest(d, first.device) for d in dicts]


def _row(
    measure: str,
    profiles: Sequence[Profile | None],
    value: Callable[[Profile], float | None],
    text: Callable[[float], str],
) -> MeasureRow:
    values = tuple(value(p) if p is not None else None for p in profiles)
    tips = tuple(
        ""
        if p is None or v is None
        else f"{text(v)}: measured on {p.device_name} ({p.device}), batch {p.batch_size}, {p.dtype}"
        for p, v in zip(profiles, values, strict=True)
    )
    return MeasureRow(STAGE, measure, values, text, text, tips=tips)


def measured_rows(profiles: Sequence[Profile | None]) -> list[MeasureRow]:
    """Inference and training images/s, the measured peak memory of a training step and its
    ratio to the estimate; no rows when no network has a profile."""
    if all(p is None for p in profiles):
        return []
    return [
        _row("inference img/s", profiles, lambda p: p.inference_img_s, lambda v: f"{v:,.0f}"),
        _row("training img/s", profiles, lambda p: p.train_img_s, lambda v: f"{v:,.0f}"),
        _row(
            "peak memory",
            profiles,
            lambda p: float(p.peak_memory_bytes) if p.peak_memory_bytes is not None else None,
            human_bytes,
        ),
        _row("memory ÷ estimate", profiles, lambda p: p.memory_ratio, lambda v: f"{v:.2f}"),
    ]

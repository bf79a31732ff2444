"""The numbers behind the live curves, without Qt: TensorBoard's smoothing and the steady ranges
that keep a live plot from re-laying its axes at every redraw."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["ema", "finite_values", "steady"]


def steady(
    old: tuple[float, float] | None,
    lo: float,
    hi: float,
    below: float = 0.15,
    above: float = 0.15,
    floor: float = -np.inf,
    ceiling: float = np.inf,
) -> tuple[float, float]:
    """The range to keep in view for data spanning [lo, hi]: ``old`` while it still holds
    them, else widened past the data, by ``below`` or ``above`` times their span, on the side
    that outgrew it, but not past ``floor`` or ``ceiling`` (a loss is not negative). A view
    that changes its range lays out and repaints both axes again (most of a redraw's cost), so
    a live curve moves its range in a few jumps, not at every redraw."""
    span = hi - lo or max(1.0, abs(hi))
    new = (
        max(lo - below * span, floor) if lo >= floor else lo - below * span,
        min(hi + above * span, ceiling) if hi <= ceiling else hi + above * span,
    )
    if old is None:
        return new
    return (old[0] if lo >= old[0] else new[0], old[1] if hi <= old[1] else new[1])


def ema(values: np.ndarray, alpha: float) -> np.ndarray:
    """TensorBoard-style smoothing: s_t = alpha * s_(t-1) + (1 - alpha) * x_t, debiased.

    The recurrence is summed by doubling (after the pass for d, each s_t holds its last 2d
    terms): a few vectorised passes, until alpha**d is below double precision. No Python loop
    over points, and no scipy.signal, whose import takes a second of the GUI thread."""
    if alpha <= 0 or len(values) == 0:
        return values
    s = (1 - alpha) * np.asarray(values, dtype=float)
    d, w = 1, alpha
    while d < len(s) and w > 1e-20:  # older terms weigh w = alpha**d: nothing, in doubles
        s[d:] += w * s[:-d]  # the right side is evaluated first, from the previous pass
        d, w = 2 * d, w * w
    head = min(len(s), int(np.log(1e-20) / np.log(alpha)) + 1)  # beyond, 1 - alpha**t == 1
    s[:head] /= 1 - alpha ** np.arange(1, head + 1)
    return s


def finite_values(parts: list[Any]) -> np.ndarray:
    """The finite values of arrays and lists (a list may hold None: an epoch without a
    validation), as one float array."""
    flat = [np.asarray(p, dtype=float) for p in parts if len(p)]
    v = np.concatenate(flat) if flat else np.empty(0)
    return v[np.isfinite(v)]

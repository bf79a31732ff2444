"""The error EDF of a design space, and the bootstrap of the best models' range.

As Radosavovic et al. ("On Network Design Spaces", "Designing Network Design Spaces") and pycls
do: the EDF gives, for each error e, the fraction of models with error at most e; the best range
of a parameter comes from resampling 25% of the models 10^4 times, taking the best model of each
sample, and reading the 2.5th and 97.5th percentiles of its parameter value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

SAMPLES = 10_000
FRACTION = 0.25


def edf(errors: Sequence[float]) -> list[list[float]]:
    """``[error, fraction of models with error <= it]`` at each distinct error, ascending in
    both, the last fraction 1; empty for no models."""
    e = np.sort(np.asarray(errors, dtype=float))
    n = len(e)
    if n == 0:
        return []
    distinct = np.unique(e)
    counts = np.searchsorted(e, distinct, side="right")  # models with error <= each
    return [[float(v), float(k) / n] for v, k in zip(distinct, counts, strict=True)]


def best_draws(
    params: Sequence[float],
    scores: Sequence[float],
    samples: int = SAMPLES,
    fraction: float = FRACTION,
    seed: int = 0,
) -> np.ndarray:
    """The parameter value of the best model (highest score; the first on a tie) in each of
    ``samples`` subsets of ``ceil(fraction * n)`` models drawn without replacement."""
    p, s = np.asarray(params, dtype=float), np.asarray(scores, dtype=float)
    n = len(p)
    k = max(1, math.ceil(fraction * n))
    rng = np.random.default_rng(seed)
    # a random permutation's first k is a uniform k-subset; argsort of uniforms gives one per row
    subsets = np.argsort(rng.random((samples, n)), axis=1)[:, :k]
    subsets.sort(axis=1)  # ascending indices: argmax then picks the first of tied scores
    best = subsets[np.arange(samples), np.argmax(s[subsets], axis=1)]
    out: np.ndarray = p[best]
    return out


def best_range(
    params: Sequence[float],
    scores: Sequence[float],
    samples: int = SAMPLES,
    fraction: float = FRACTION,
    seed: int = 0,
) -> dict[str, float] | None:
    """``{"low", "median", "high"}``: the 95% interval of the best model's parameter value (and
    its median), or None for no models."""
    if len(params) == 0:
        return None
    draws = best_draws(params, scores, samples, fraction, seed)
    low, mid, high = np.percentile(draws, [2.5, 50, 97.5], method="inverted_cdf")
    return {"low": float(low), "median": float(mid), "high": float(high)}

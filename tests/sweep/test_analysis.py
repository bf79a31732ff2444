"""The error EDF and the bootstrap of the best range, held to brute force."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from resnet_studio.sweep.analysis import best_draws, best_range, edf


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.05, 0.1, 0.125, 0.3, 0.5, 0.9, 1.0]), max_size=40))
def test_edf_is_the_fraction_of_models_at_or_below_each_error(errors):
    points = edf(errors)
    if not errors:
        assert points == []
        return
    xs = [x for x, _ in points]
    assert xs == sorted(set(errors))  # one point per distinct error, ascending
    for x, fraction in points:
        assert fraction == sum(e <= x for e in errors) / len(errors)
    fractions = [f for _, f in points]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def _exact(params, scores, k):
    """P(the best of a uniform k-subset has each parameter value), by enumerating subsets."""
    counts = Counter()
    subsets = list(itertools.combinations(range(len(params)), k))
    for s in subsets:
        best = max(s, key=lambda i: (scores[i], -i))  # the first of tied scores
        counts[params[best]] += 1
    return {v: c / len(subsets) for v, c in counts.items()}


def test_bootstrap_draws_follow_the_exact_distribution_of_the_best():
    params = [1, 2, 3, 4, 5, 6, 7, 8]
    scores = [0.5, 0.9, 0.7, 0.9, 0.2, 0.8, 0.6, 0.4]  # a tie: the first 0.9 wins
    exact = _exact(params, scores, 2)  # 25% of 8
    draws = best_draws(params, scores, samples=10_000, seed=1)
    seen = Counter(draws.tolist())
    assert set(seen) <= set(exact)
    for v, p in exact.items():
        assert abs(seen[v] / len(draws) - p) < 0.02, (v, seen[v] / len(draws), p)


def test_best_range_is_the_95_percent_interval_of_the_best_models_value():
    rng = np.random.default_rng(3)
    params = rng.uniform(0, 1, 12).round(3).tolist()
    scores = rng.uniform(0, 1, 12).tolist()
    exact = _exact(params, scores, 3)  # 25% of 12
    values = sorted(exact)
    cdf = np.cumsum([exact[v] for v in values])

    def quantile(q):
        return values[int(np.searchsorted(cdf, q))]

    # the exact quantiles are not on a step of the CDF, where sampling could land either side
    assert all(min(abs(cdf - q)) > 0.01 for q in (0.025, 0.5, 0.975))
    r = best_range(params, scores, seed=5)
    assert r == {"low": quantile(0.025), "median": quantile(0.5), "high": quantile(0.975)}


def test_no_models_no_range():
    assert best_range([], []) is None

"""The trade-off: the Pareto front on hand-made points (ties, duplicates, both directions) and
against brute force, and one point per run, one dataset at a time."""

import random
from pathlib import Path

import pytest

from resnet_studio import ArchSpec, build_model
from resnet_studio.measure.tradeoff import (
    COSTS,
    dataset_of,
    datasets,
    pareto_front,
    tradeoff_points,
)
from resnet_studio.train.config import TrainConfig
from resnet_studio.train.details import RunDetails
from resnet_studio.train.events import EpochMetrics
from resnet_studio.train.run import Run


def _dominated(i, points, higher_is_better):
    ci, ai = points[i]
    for j, (cj, aj) in enumerate(points):
        better_cost = cj > ci if higher_is_better else cj < ci
        as_good_cost = cj >= ci if higher_is_better else cj <= ci
        if j != i and as_good_cost and aj >= ai and (better_cost or aj > ai):
            return True
    return False


def test_front_of_hand_made_points_with_ties_and_duplicates():
    points = [
        (10, 0.5),
        (20, 0.7),
        (20, 0.7),  # an exact tie: both on the front
        (15, 0.5),  # as accurate as (10, 0.5), costlier
        (30, 0.7),
        (5, 0.3),
        (40, 0.9),
        (40, 0.6),  # as costly as (40, 0.9), less accurate
        (15, 0.5),  # a duplicate of a dominated point
    ]
    assert pareto_front(points) == [5, 0, 1, 2, 6]


def test_front_when_more_is_better():
    points = [(100, 0.5), (200, 0.4), (50, 0.6), (100, 0.5), (60, 0.45)]
    assert pareto_front(points, higher_is_better=True) == [1, 0, 3, 2]


def test_front_of_nothing_and_of_one():
    assert pareto_front([]) == []
    assert pareto_front([(3.0, 0.1)]) == [0]


@pytest.mark.parametrize("higher", [False, True])
def test_front_equals_brute_force_on_random_points(higher):
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 12)
        points = [(rng.randint(1, 5), rng.randint(0, 4) / 4) for _ in range(n)]  # many ties
        expected = {i for i in range(n) if not _dominated(i, points, higher)}
        front = pareto_front(points, higher_is_better=higher)
        assert set(front) == expected and len(front) == len(expected)
        costs = [points[i][0] for i in front]
        assert costs == sorted(costs, reverse=higher)  # best cost first


SPEC = ArchSpec.from_preset(
    "resnet18", layers=(1, 1), widths=(8, 16), stem="cifar", in_channels=1, input_size=8
)


def _run(name, spec, dataset, accs, elapsed=10.0, rate=100.0, data_dir=None):
    config = TrainConfig(dataset=dataset, data_dir=data_dir, lr=0.05)
    info = RunDetails(spec=spec, config=config, device="cpu (test)")
    epochs = [
        EpochMetrics(i + 1, i, 0.0, 0.0, None, a, 1.0, rate, 0.05, float(i))
        for i, a in enumerate(accs)
    ]
    return Run(name, Path("/nowhere") / name, "#000000", info=info, epochs=epochs, elapsed=elapsed)


def test_one_point_per_run_for_one_dataset_at_a_time():
    wide = SPEC.replace(widths=(16, 32))
    runs = [
        _run("a", SPEC, "digits", [0.5, 0.8, 0.7]),
        _run("b", wide, "digits", [0.9]),
        _run("c", SPEC, "mnist", [0.99]),
        _run("d", SPEC, "digits", []),  # no validation yet: no point
        _run("e", SPEC, "imagefolder", [0.6], data_dir="/data/flowers"),
    ]
    assert datasets(runs) == ["digits", "imagefolder (/data/flowers)", "mnist"]
    assert dataset_of(runs[4]) == "imagefolder (/data/flowers)"
    points, missing = tradeoff_points(runs, "params", "digits")
    assert missing == 0
    assert [(p.run_id, p.accuracy) for p in points] == [("a", 0.8), ("b", 0.9)]
    built = [sum(t.numel() for t in build_model(s).parameters()) for s in (SPEC, wide)]
    assert [p.cost for p in points] == built
    assert all(p.dataset == "digits" for p in points)
    assert [p.spec_label.split(" · ")[2] for p in points] == ["widths 8-16", "widths 16-32"]


def test_costs_from_the_runs_and_runs_without_one_are_counted():
    runs = [_run("a", SPEC, "digits", [0.5], elapsed=12.5, rate=300.0)]
    assert tradeoff_points(runs, "train_time", "digits")[0][0].cost == 12.5
    assert tradeoff_points(runs, "train_img_s", "digits")[0][0].cost == 300.0
    points, missing = tradeoff_points(runs, "profiled_img_s", "digits")  # no profile cache
    assert points == [] and missing == 1
    assert {c.key for c in COSTS} >= {"params", "macs", "train_img_s", "train_time"}

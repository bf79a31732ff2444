"""Accuracy against cost across runs: one point per run (its best validation accuracy against a
cost the user picks), and the Pareto front, the runs that no other run beats on both.

Costs: parameters and MACs (the analysis of the run's spec), images per second (as the run
trained, on its own device, or as profiled on a device: the profile cache), and training time.
Runs on different data are never mixed: points are drawn for one dataset at a time. Qt-free and
torch-free; the trade-off view draws what this computes.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from resnet_studio.core import analyze
from resnet_studio.core.errors import SpecError
from resnet_studio.core.presets import spec_label

if TYPE_CHECKING:
    from resnet_studio.measure.profile_cache import ProfileCache
    from resnet_studio.train.run import Run


@dataclass(frozen=True)
class Cost:
    key: str
    label: str  # the axis title
    higher_is_better: bool  # images per second: more is better
    log_axis: bool


COSTS = (
    Cost("params", "Parameters", False, True),
    Cost("macs", "MACs per image", False, True),
    Cost("train_img_s", "Training images/s (as it trained)", True, True),
    Cost("profiled_img_s", "Inference images/s (profiled)", True, True),
    Cost("train_time", "Training time (s)", False, True),
)
COST_BY_KEY = {c.key: c for c in COSTS}


@dataclass(frozen=True)
class TradeoffPoint:
    run_id: str
    label: str  # the run's name
    spec_label: str
    dataset: str
    device: str
    accuracy: float  # best validation accuracy, 0…1
    cost: float


def pareto_front(
    points: Sequence[tuple[float, float]], higher_is_better: bool = False
) -> list[int]:
    """Indices of the (cost, accuracy) points that no other point dominates, by cost (best
    first). A point is dominated when another is at least as good on both and better on one:
    runs that tie exactly are on the front together, and duplicates of a dominated point are
    dominated too."""
    sign = -1.0 if higher_is_better else 1.0
    order = sorted(range(len(points)), key=lambda i: (sign * points[i][0], -points[i][1]))
    front: list[int] = []
    best: tuple[float, float] | None = None  # the (cost, accuracy) that set the best accuracy
    for i in order:
        cost, acc = sign * points[i][0], points[i][1]
        if best is None or acc > best[1] or (acc, cost) == (best[1], best[0]):
            front.append(i)
            best = (cost, acc)
    return front


def spec_text(spec: Any) -> str:
    """A spec in one line: its name, then blocks, stages, widths and input size, which tell
    apart the custom specs that share the name "custom"."""
    h, w = spec.input_size
    return (
        f"{spec_label(spec)} · {spec.block} {'-'.join(map(str, spec.layers))} · widths "
        f"{'-'.join(map(str, spec.widths))} · {h}×{w}"
    )


def dataset_of(run: Run) -> str:
    """The data a run trained on: the dataset's name, with the folder for an image folder."""
    cfg = run.config
    name = (cfg.dataset if cfg is not None else run.info.dataset.name) or "unknown"
    if name == "imagefolder" and cfg is not None and cfg.data_dir:
        return f"imagefolder ({cfg.data_dir})"
    return name


def datasets(runs: Iterable[Run]) -> list[str]:
    """The datasets of the runs that have a validation accuracy, most runs first."""
    counts: dict[str, int] = {}
    for run in runs:
        if run.best_val_accuracy is not None:
            counts[dataset_of(run)] = counts.get(dataset_of(run), 0) + 1
    return sorted(counts, key=lambda d: (-counts[d], d))


def _cost_getter(
    key: str, cache: ProfileCache | None, device: str | None
) -> Callable[[Run, Any], float | None]:
    def params(run: Run, spec: Any) -> float | None:
        return float(analyze(spec).totals.params)

    def macs(run: Run, spec: Any) -> float | None:
        return float(analyze(spec).totals.macs)

    def train_img_s(run: Run, spec: Any) -> float | None:
        rates = [e.images_per_s for e in run.epochs if e.images_per_s]
        return float(statistics.median(rates)) if rates else (run.images_per_s or None)

    def profiled(run: Run, spec: Any) -> float | None:
        p = cache.latest(spec.to_dict(), device) if cache is not None else None
        return p.inference_img_s if p is not None else None

    def train_time(run: Run, spec: Any) -> float | None:
        return float(run.elapsed) if run.elapsed else None

    getters = {
        "params": params,
        "macs": macs,
        "train_img_s": train_img_s,
        "profiled_img_s": profiled,
        "train_time": train_time,
    }
    if key not in getters:
        raise ValueError(f"no cost named {key!r}; choose one of {', '.join(getters)}")
    return getters[key]


def tradeoff_points(
    runs: Iterable[Run],
    cost: str,
    dataset: str,
    *,
    cache: ProfileCache | None = None,
    device: str | None = None,
    spec_label: Callable[[Any], str] | None = None,
) -> tuple[list[TradeoffPoint], int]:
    """One point per run on ``dataset`` that has a best validation accuracy and the cost; and
    how many runs on that dataset were left out for want of the cost (no profile yet)."""
    get = _cost_getter(cost, cache, device)
    label = spec_label or spec_text
    points, missing = [], 0
    for run in runs:
        acc = run.best_val_accuracy
        if acc is None or dataset_of(run) != dataset:
            continue
        spec = run.spec
        try:
            value = get(run, spec) if spec is not None else None
        except SpecError:
            value = None
        if value is None or value <= 0:
            missing += 1
            continue
        points.append(
            TradeoffPoint(
                run.id,
                run.label,
                label(spec),
                dataset,
                run.info.device,
                float(acc),
                value,
            )
        )
    return points, missing

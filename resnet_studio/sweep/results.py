"""A sweep's trials as plain rows, and the report ``sweep show`` prints and the window draws.

One function reads a study into :class:`TrialRow`s; :func:`report` adds the best trial, the error
EDF (error = 1 - the objective, an accuracy) and, for each numeric parameter (and the MACs and
parameter count of each model), the bootstrap range of the best models. No torch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .analysis import best_range, edf
from .space import decode

STATES = ("complete", "running", "pruned", "skipped", "failed", "waiting")


@dataclass(frozen=True)
class TrialRow:
    number: int
    state: str  # one of STATES
    value: float | None
    params: dict[str, Any]
    run_dir: str | None
    run_dirs: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)  # one per seed
    macs: int | None = None
    parameters: int | None = None
    reason: str = ""  # why skipped or failed
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def trial_row(t: Any) -> TrialRow:
    """A FrozenTrial as a row."""
    u = t.user_attrs
    state = t.state.name.lower()
    if state == "pruned" and "skipped" in u:
        state = "skipped"
    elif state == "fail":
        state = "failed"
    run_dirs = [d for d in u.get("run_dirs", []) if isinstance(d, str)]
    seconds = None
    if t.datetime_start and t.datetime_complete:
        seconds = (t.datetime_complete - t.datetime_start).total_seconds()
    return TrialRow(
        t.number,
        state,
        t.value if state == "complete" else None,
        {k: decode(v) for k, v in t.params.items()},
        run_dirs[0] if run_dirs else None,
        run_dirs,
        [float(v) for v in u.get("values", []) if isinstance(v, (int, float))],
        u.get("macs") if isinstance(u.get("macs"), int) else None,
        u.get("params") if isinstance(u.get("params"), int) else None,
        str(u.get("skipped") or u.get("error") or ""),
        seconds,
    )


def read_trials(storage: Any, name: str) -> list[TrialRow]:
    """The trials of sweep ``name`` in ``storage``, by number."""
    study_id = storage.get_study_id_from_name(name)
    return [trial_row(t) for t in storage.get_all_trials(study_id, deepcopy=False)]


def _numeric(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def numeric_columns(rows: list[TrialRow]) -> dict[str, list[tuple[float, float]]]:
    """For each numeric parameter (and macs, parameters) of the complete trials,
    ``(parameter value, objective)`` pairs."""
    done = [r for r in rows if r.state == "complete" and r.value is not None]
    out: dict[str, list[tuple[float, float]]] = {}
    names = list(dict.fromkeys(k for r in done for k in r.params))

    def value(r: TrialRow, name: str) -> Any:
        return r.params.get(name) if name in names else getattr(r, name)

    for name in [*names, *(n for n in ("macs", "parameters") if n not in names)]:
        pairs = [(float(value(r, name)), r.value or 0.0) for r in done if _numeric(value(r, name))]
        if pairs and len(pairs) == len(done):  # a list-valued parameter is not numeric
            out[name] = pairs
    return out


def report(rows: list[TrialRow], samples: int = 10_000) -> dict[str, Any]:
    """What ``sweep show --json`` prints: trials, best, edf, best_ranges, counts."""
    done = [r for r in rows if r.state == "complete" and r.value is not None]
    best = max(done, key=lambda r: (r.value, -r.number), default=None)
    ranges = {}
    for name, pairs in numeric_columns(rows).items():
        xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
        ranges[name] = best_range(xs, ys, samples)
    counts = {s: sum(r.state == s for r in rows) for s in STATES}
    return {
        "trials": [r.to_dict() for r in rows],
        "best": best.to_dict() if best else None,
        "edf": edf([1.0 - float(r.value) for r in done]),  # type: ignore[arg-type]
        "edf_of": "error = 1 - objective",
        "best_ranges": ranges,
        "counts": counts,
    }

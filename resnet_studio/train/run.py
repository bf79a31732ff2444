"""One run as the app knows it: a typed record of a run on disk or in flight.

A :class:`Run` holds what the views show (status, progress, best and last metrics, the curves'
growing buffers) and what the user gave it (a name, tags, a colour kept for its life, in the
run folder's ``meta.json``). The run manager owns and changes runs; views only read them.
Qt-free; numpy holds the step buffers.
"""

from __future__ import annotations

import colorsys
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import atomic_write_json
from ..core.presets import closest_preset, preset_of, spec_label
from ..core.spec import ArchSpec
from .config import TrainConfig
from .details import CONFIG, RunDetails
from .events import EpochMetrics, RunStatus, StepMetrics
from .records import META, RunSummary
from .summary import step_metrics, step_records

__all__ = ["Growing", "Run", "RunStatus", "default_name", "free_colour", "nth_colour"]


# Tableau-like colours first, then hues spaced by the golden angle: any number of distinct ones
PALETTE = ("#2f6db3", "#e07b22", "#3a9b48", "#b8312f", "#7b52ab", "#8c6d31", "#d45d9f", "#4a9fa8")


@functools.lru_cache(maxsize=4096)  # free_colour asks for the same ones, run after run
def nth_colour(i: int) -> str:
    if i < len(PALETTE):
        return PALETTE[i]
    hue = (0.11 + (i - len(PALETTE)) * 0.381966) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.45, 0.6)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def free_colour(taken: set[str]) -> str:
    """The first colour of the sequence that no run has."""
    i = 0
    while nth_colour(i) in taken:
        i += 1
    return nth_colour(i)


class Growing:
    """A float buffer that grows by doubling, so appends stay cheap at 100k+ points. numpy is
    imported at the first value (listing runs from the command line needs none)."""

    def __init__(self) -> None:
        self._data: Any = None
        self.n = 0

    def extend(self, values: list[float]) -> None:
        import numpy as np

        if self._data is None:
            self._data = np.empty(max(1024, len(values)))
        need = self.n + len(values)
        if need > len(self._data):
            grown = np.empty(max(need, 2 * len(self._data)))
            grown[: self.n] = self._data[: self.n]
            self._data = grown
        self._data[self.n : need] = values
        self.n = need

    @property
    def values(self) -> Any:
        """The values so far, as a numpy array (a view: valid until the next extend)."""
        import numpy as np

        return np.empty(0) if self._data is None else self._data[: self.n]


def default_name(info: RunDetails) -> str:
    """A short readable name from what the run trains: "resnet18 · digits · lr 0.05". A spec
    that differs from its preset only in channels, classes or input size (adapted to the data)
    keeps the preset's name; one with other edits is named by ``spec_label`` with the preset it
    was edited from (the run's ``base_preset``): "resnet50 (edited)"."""
    parts = []
    spec = info.spec
    if spec is not None:
        parts.append(preset_of(spec) or closest_preset(spec) or spec_label(spec, info.base_preset))
    if info.dataset.name:
        parts.append(info.dataset.name)
    if info.config is not None:
        parts.append(f"lr {info.config.lr:g}")
    return " · ".join(parts)


def label_runs(runs: list[Run]) -> list[Run]:
    """Give unnamed runs that would read alike distinct labels, the same in every session: the
    seed where seeds differ, then a number by start time, #1 included ("resnet20 · digits · lr
    0.05 · seed 1 · #2"). Runs the user named, and runs that ended before they started (no
    folder is left of them), are not counted: every number shown has its #1. Returns the runs
    whose label changed."""
    groups: dict[str, list[Run]] = {}
    changed = []
    for r in runs:
        if r.name or r.never_started:
            if r.auto_label:
                r.auto_label = ""
                changed.append(r)
            continue
        groups.setdefault(r.base_label, []).append(r)
    for base, group in groups.items():
        group.sort(key=lambda r: (r.started, r.id))
        seeds = {r.seed for r in group}
        by_seed: dict[str, list[Run]] = {}
        for r in group:
            part = f"seed {r.seed}" if len(seeds) > 1 and r.seed is not None else ""
            by_seed.setdefault(part, []).append(r)
        for part, same in by_seed.items():
            for i, r in enumerate(same):
                suffix = " · ".join(p for p in (part, f"#{i + 1}" if len(same) > 1 else "") if p)
                label = f"{base} · {suffix}" if suffix and base else (base or suffix)
                if len(group) == 1:
                    label = base
                if label != r.auto_label:
                    r.auto_label = label
                    changed.append(r)
    return changed


@dataclass(eq=False)  # runs are compared by identity: two runs are never "equal"
class Run:
    """Everything the app shows of one run, live or read from its folder."""

    id: str  # the folder's name, unique under the runs root
    dir: Path
    colour: str
    status: RunStatus = RunStatus.QUEUED
    reason: str = ""  # a sentence: why it failed, or what to do next
    info: RunDetails = RunDetails()  # its config.json, or what the trainer resolved
    name: str = ""  # the user's, or default_name()
    tags: list[str] = field(default_factory=list)
    step: Growing = field(default_factory=Growing)
    step_time: Growing = field(default_factory=Growing)
    step_loss: Growing = field(default_factory=Growing)
    step_wall: Growing = field(default_factory=Growing)  # the clock at each step (time.time())
    epochs: list[EpochMetrics] = field(default_factory=list)
    images_per_s: float = 0.0
    elapsed: float = 0.0
    visible: bool = True
    total_steps: int = 0
    last_step: int = 0
    notes: list[str] = field(default_factory=list)  # what the trainer said on the way
    _base: str | None = field(default=None, repr=False)  # base_label, until info changes
    auto_label: str = ""  # default_name, told apart from alike runs (label_runs)
    curves: str = "live"  # a past run's steps: "unread", "reading", "read"; "live" while known
    started: float = 0.0  # when it started (time.time()): alike runs are numbered in this order

    # --- what it is ------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.name or self.auto_label or default_name(self.info) or self.id

    @property
    def base_label(self) -> str:
        """default_name of its settings, alike for runs that differ only in seed or time."""
        if self._base is None:
            self._base = default_name(self.info) or self.id
        return self._base

    @property
    def never_started(self) -> bool:
        """It ended before it trained (refused by the memory check, a missing image folder),
        so its folder was taken away again: there is no folder to open, size or delete."""
        return self.status == RunStatus.FAILED and not (self.dir / CONFIG).exists()

    @property
    def seed(self) -> int | None:
        return self.info.seed

    @property
    def spec(self) -> ArchSpec | None:
        """The run's ArchSpec, or None when its config does not hold a valid one."""
        return self.info.spec

    @property
    def config(self) -> TrainConfig | None:
        return self.info.config

    # --- how it went ---------------------------------------------------------------------
    @property
    def best_val_accuracy(self) -> float | None:
        vals = [e.val_accuracy for e in self.epochs if e.val_accuracy is not None]
        return max(vals) if vals else None

    @property
    def last_val_accuracy(self) -> float | None:
        vals = [e.val_accuracy for e in self.epochs if e.val_accuracy is not None]
        return vals[-1] if vals else None

    def epoch_progress(self) -> tuple[int, int]:
        """(the epoch under way or last done, 1-based; the planned epochs)."""
        total = max(1, self.total_steps)
        spe = max(1, self.info.steps_per_epoch or total)
        return min(max(self.last_step - 1, 0) // spe + 1, total // spe), total // spe

    @property
    def fraction_done(self) -> float | None:
        return self.last_step / self.total_steps if self.total_steps else None

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the current speed; only while it trains."""
        if self.status != RunStatus.RUNNING or not self.images_per_s or not self.total_steps:
            return None
        batch = self.info.batch_size or 1
        return (self.total_steps - self.last_step) * batch / self.images_per_s

    @property
    def has_points(self) -> bool:
        return self.step.n > 0 or bool(self.epochs)

    def checkpoints(self) -> dict[str, Path]:
        """{"best": …, "last": …} of the checkpoints on disk."""
        found = {w: self.dir / f"{w}.pt" for w in ("best", "last")}
        return {w: p for w, p in found.items() if p.is_file()}

    def size_bytes(self) -> int:
        total = 0
        for root, _, files in os.walk(self.dir):
            for f in files:
                try:
                    total += os.lstat(os.path.join(root, f)).st_size
                except OSError:
                    continue
        return total

    # --- changes, by the run manager -----------------------------------------------------
    def add_steps(self, steps: list[StepMetrics]) -> None:
        self.step.extend([s.step for s in steps])
        self.step_time.extend([s.time for s in steps])
        self.step_loss.extend([s.loss for s in steps])
        self.step_wall.extend([s.wall for s in steps])
        last = steps[-1]
        self.images_per_s, self.elapsed, self.last_step = last.images_per_s, last.time, last.step

    def add_epoch(self, m: EpochMetrics) -> None:
        self.epochs.append(m)
        self.elapsed = m.time

    def truncate(self, step: int) -> None:
        """Forget what came after ``step`` (a resume continues from its checkpoint there)."""
        n = int((self.step.values <= step).sum())
        for buf in (self.step, self.step_time, self.step_loss, self.step_wall):
            buf.n = n
        self.epochs = [e for e in self.epochs if e.step <= step]
        self.last_step = step

    def save_meta(self) -> None:
        """The user's name and tags and the run's colour, beside its records."""
        atomic_write_json(
            self.dir / META, {"name": self.name, "tags": self.tags, "colour": self.colour}
        )

    @classmethod
    def from_disk(cls, summary: RunSummary, taken_colours: set[str], steps: bool = True) -> Run:
        """A past run from its small files: epochs, last step and end from its summary, its name
        from meta.json. Its steps' curves are read only if ``steps`` (see :meth:`read_steps`)."""
        meta = summary.meta
        colour = meta.get("colour")
        if not isinstance(colour, str) or colour in taken_colours:
            colour = free_colour(taken_colours)
        run = cls(
            summary.name,
            summary.dir,
            colour,
            RunStatus.parse(summary.status),
            summary.reason,
            summary.info,
        )
        name = meta.get("name")
        run.name = name if isinstance(name, str) else ""
        tags = meta.get("tags")
        run.tags = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
        run.started = summary.started
        run.total_steps = run.info.total_steps or 0
        run.notes = list(run.info.dataset.notes)
        m = summary.metrics
        if m is not None:
            for e in m.epochs:
                run.add_epoch(e)
            if m.last is not None:
                last = step_metrics(m.last, 1 if m.zero_based else 0, summary.started)
                run.images_per_s, run.last_step = last.images_per_s, last.step
                run.elapsed = max(run.elapsed, last.time)
            if m.limited:
                run.notes.append(
                    "Its metrics.jsonl is too large to read whole; what is shown stops where "
                    "reading stopped."
                )
        run.curves = "unread"
        if steps:
            run.set_steps(run.read_steps())
        return run

    def read_steps(self) -> list[StepMetrics]:
        """The step records of its metrics.jsonl, for the curves: safe on any thread, since it
        changes nothing (a view hands the result to :meth:`set_steps` on its own thread)."""
        from .summary import read_summary

        shift = 1 if read_summary(self.dir, save=False).zero_based else 0
        try:  # older records lack the clock: the run started when its config was written
            started = (self.dir / CONFIG).stat().st_mtime
        except OSError:
            started = 0.0
        return [step_metrics(r, shift, started) for r in step_records(self.dir / "metrics.jsonl")]

    def set_steps(self, steps: list[StepMetrics]) -> None:
        """A past run's steps, read back: they replace whatever its buffers held."""
        for buf in (self.step, self.step_time, self.step_loss, self.step_wall):
            buf.n = 0
        if steps:
            last_step, speed = self.last_step, self.images_per_s
            self.add_steps(steps)
            self.last_step, self.images_per_s = (
                max(last_step, self.last_step),
                speed or self.images_per_s,
            )
        self.curves = "read"

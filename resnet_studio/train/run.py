"""One run as the app knows it: a typed record of a run on disk or in flight.

A :class:`Run` holds what the views show (status, progress, best and last metrics, the curves'
growing buffers) and what the user gave it (a name, tags, a colour kept for its life, in the
run folder's ``meta.json``). The run manager owns and changes runs; views only read them.
Qt-free; numpy holds the step buffers.
"""

from __future__ import annotations

import colorsys
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import atomic_write_json
from ..core.errors import SpecError
from ..core.presets import closest_preset, preset_of
from ..core.spec import ArchSpec
from .config import TrainConfig
from .events import RunStatus, StepMetrics
from .records import RunSummary, read_json_object, read_metrics, read_run_config

META = "meta.json"  # the user's name, tags and the run's colour

__all__ = ["Growing", "Run", "RunStatus", "default_name", "free_colour", "nth_colour"]


# Tableau-like colours first, then hues spaced by the golden angle: any number of distinct ones
PALETTE = ("#2f6db3", "#e07b22", "#3a9b48", "#b8312f", "#7b52ab", "#8c6d31", "#d45d9f", "#4a9fa8")


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


def default_name(info: dict[str, Any]) -> str:
    """A short readable name from what the run trains: "resnet18 · digits · lr 0.05". A spec
    that differs from its preset only in channels, classes or input size (adapted to the data)
    keeps the preset's name; one with other edits is "resnet50 (edited)"."""
    parts = []
    if "spec" in info:
        spec = ArchSpec.from_dict(info["spec"])
        arch = preset_of(spec) or closest_preset(spec)
        if arch is None:
            label = info.get("spec_label") or ""
            base = label.removeprefix("custom (based on ").removesuffix(")")
            arch = f"{base} (edited)" if label.startswith("custom (based on ") else "custom"
        parts.append(arch)
    dataset = (info.get("dataset") or {}).get("name")
    if dataset:
        parts.append(dataset)
    if "config" in info:
        parts.append(f"lr {info['config']['lr']:g}")
    return " · ".join(parts)


@dataclass(eq=False)  # runs are compared by identity: two runs are never "equal"
class Run:
    """Everything the app shows of one run, live or read from its folder."""

    id: str  # the folder's name, unique under the runs root
    dir: Path
    colour: str
    status: RunStatus = RunStatus.QUEUED
    reason: str = ""  # a sentence: why it failed, or what to do next
    info: dict[str, Any] = field(default_factory=dict)  # cleaned config.json, or RunInfo's
    name: str = ""  # the user's, or default_name()
    tags: list[str] = field(default_factory=list)
    step: Growing = field(default_factory=Growing)
    step_time: Growing = field(default_factory=Growing)
    step_loss: Growing = field(default_factory=Growing)
    step_wall: Growing = field(default_factory=Growing)  # the clock at each step (time.time())
    epochs: list[dict[str, Any]] = field(default_factory=list)
    images_per_s: float = 0.0
    elapsed: float = 0.0
    visible: bool = True
    total_steps: int = 0
    last_step: int = 0
    notes: list[str] = field(default_factory=list)  # what the trainer said on the way

    # --- what it is ------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.name or default_name(self.info) or self.id

    @property
    def spec(self) -> Any:
        """The run's ArchSpec, or None when its config does not hold a valid one."""
        try:
            return ArchSpec.from_dict(self.info["spec"])
        except (KeyError, SpecError, TypeError):
            return None

    @property
    def config(self) -> TrainConfig | None:
        cfg = self.info.get("config")
        return TrainConfig.from_dict(cfg) if isinstance(cfg, dict) else None

    # --- how it went ---------------------------------------------------------------------
    @property
    def best_val_accuracy(self) -> float | None:
        vals = [e["val_accuracy"] for e in self.epochs if e.get("val_accuracy") is not None]
        return max(vals) if vals else None

    @property
    def last_val_accuracy(self) -> float | None:
        vals = [e["val_accuracy"] for e in self.epochs if e.get("val_accuracy") is not None]
        return vals[-1] if vals else None

    def epoch_progress(self) -> tuple[int, int]:
        """(the epoch under way or last done, 1-based; the planned epochs)."""
        total = max(1, self.total_steps)
        spe = max(1, int(self.info.get("steps_per_epoch") or total))
        return min(self.last_step // spe + 1, total // spe), total // spe

    @property
    def fraction_done(self) -> float | None:
        return self.last_step / self.total_steps if self.total_steps else None

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the current speed; only while it trains."""
        if self.status != RunStatus.RUNNING or not self.images_per_s or not self.total_steps:
            return None
        batch = int((self.info.get("config") or {}).get("batch_size") or 1)
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

    def add_epoch(self, m: dict[str, Any]) -> None:
        self.epochs.append(m)
        self.elapsed = m.get("time", self.elapsed)

    def truncate(self, step: int) -> None:
        """Forget what came after ``step`` (a resume continues from its checkpoint there)."""
        n = int((self.step.values <= step).sum())
        for buf in (self.step, self.step_time, self.step_loss, self.step_wall):
            buf.n = n
        self.epochs = [e for e in self.epochs if e["step"] <= step]
        self.last_step = step

    def save_meta(self) -> None:
        """The user's name and tags and the run's colour, beside its records."""
        atomic_write_json(
            self.dir / META, {"name": self.name, "tags": self.tags, "colour": self.colour}
        )

    @classmethod
    def from_disk(cls, summary: RunSummary, taken_colours: set[str], steps: bool = True) -> Run:
        """A past run, its curves read back from metrics.jsonl (the steps' too unless ``steps``
        is False) and its name from meta.json."""
        try:
            meta = read_json_object(summary.dir / META)
        except ValueError:
            meta = {}
        colour = meta.get("colour")
        if not isinstance(colour, str) or colour in taken_colours:
            colour = free_colour(taken_colours)
        run = cls(
            summary.name,
            summary.dir,
            colour,
            RunStatus.parse(summary.status),
            summary.reason,
            read_run_config(summary.dir),
        )
        name = meta.get("name")
        run.name = name if isinstance(name, str) else ""
        tags = meta.get("tags")
        run.tags = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
        run.total_steps = run.info.get("total_steps", 0)
        run.notes = list((run.info.get("dataset") or {}).get("notes") or [])
        records = []
        for r in read_metrics(summary.dir / "metrics.jsonl"):
            if r["kind"] == "step" and steps:
                records.append(
                    StepMetrics(
                        r["step"],
                        r["epoch"],
                        r["loss"],
                        r["accuracy"],
                        r["lr"],
                        r["images_per_s"],
                        r["time"],
                        # older records lack the clock: the folder's start plus training time
                        r.get("wall") or summary.started + r["time"],
                    )
                )
            elif r["kind"] == "epoch":
                run.add_epoch(r)
        if records:
            run.add_steps(records)
        return run

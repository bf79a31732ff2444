"""A run's small summary, ``summary.json``: what lists and tables need of its metrics.jsonl.

The summary holds the epochs' records, the number of steps, the last step, the end record and
how far into metrics.jsonl it has read (the file's size then, and the offset reached). The
recorder refreshes it at a run's start, at each epoch and at its end; a reader refreshes it when
it is missing or stale (the log grew or shrank since), reading only what is new. So a list of
1,000 runs reads 1,000 small files, never every step.

Reading metrics.jsonl is bounded: lines longer than a record can be are skipped unread, and at
most :data:`READ_LIMIT` bytes are read per refresh (a 2 GB sparse file costs a quarter second,
not 4 GB of memory). Qt-free and torch-free.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import atomic
from .events import EpochMetrics, StepMetrics

SUMMARY = "summary.json"
VERSION = 1
MAX_LINE = 1 << 16  # bytes: a record is about 200; a longer line is damage, not a record
READ_LIMIT = 256 << 20  # bytes of metrics.jsonl read per refresh, at most
_CHUNK = 1 << 20

_NUMBERS = {
    "step": ("step", "epoch", "loss", "accuracy", "lr", "images_per_s", "time"),
    "epoch": ("epoch", "step", "train_loss", "train_accuracy", "seconds", "time"),
}


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_record(r: Any) -> bool:
    """A step or epoch record whose numbers are numbers (a file from elsewhere is data)."""
    if not isinstance(r, dict) or r.get("kind") not in _NUMBERS:
        return False
    maybe = ("val_loss", "val_accuracy") if r["kind"] == "epoch" else ()
    return all(_number(r.get(k)) for k in _NUMBERS[r["kind"]]) and all(
        r.get(k) is None or _number(r.get(k)) for k in maybe
    )


def iter_lines(path: Path, start: int = 0, limit: int = READ_LIMIT) -> Iterator[tuple[bytes, int]]:
    """(line, offset after it) of each whole line from ``start``, reading at most ``limit``
    bytes; a line longer than MAX_LINE is skipped without being held, a last line without its
    newline (a record being written) is not yielded."""
    try:
        f = open(path, "rb")  # noqa: SIM115
    except OSError:
        return
    with f:
        f.seek(start)
        pos, buf, skipping, read = start, b"", False, 0
        while read < limit:
            chunk = f.read(min(_CHUNK, limit - read))
            if not chunk:
                return
            read += len(chunk)
            buf += chunk
            while True:
                nl = buf.find(b"\n")
                if nl < 0:
                    break
                line, buf = buf[:nl], buf[nl + 1 :]
                pos += nl + 1
                if skipping:
                    skipping = False
                elif len(line) <= MAX_LINE:
                    yield line, pos
            if len(buf) > MAX_LINE:  # a line too long to be a record: drop it as it comes
                pos += len(buf)
                buf, skipping = b"", True


def parse(line: bytes) -> Any:
    try:
        return json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None


def epoch_metrics(r: dict[str, Any], shift: int = 0) -> EpochMetrics:
    """An epoch record as typed metrics (older records lack lr and images/s)."""
    val_loss, val_acc = r.get("val_loss"), r.get("val_accuracy")
    return EpochMetrics(
        int(r["epoch"]) + shift,
        int(r["step"]),
        float(r["train_loss"]),
        float(r["train_accuracy"]),
        None if val_loss is None else float(val_loss),
        None if val_acc is None else float(val_acc),
        float(r["seconds"]),
        float(r["images_per_s"]) if _number(r.get("images_per_s")) else 0.0,
        float(r["lr"]) if _number(r.get("lr")) else 0.0,
        float(r["time"]),
    )


@dataclass
class MetricsSummary:
    """What metrics.jsonl says, in small: epochs, step count, last step, end."""

    size: int = 0  # metrics.jsonl's size when summarised
    offset: int = 0  # where reading stopped (== size unless the file was too large)
    steps: int = 0
    last: dict[str, Any] | None = None  # the last step record
    epoch_records: list[dict[str, Any]] = field(default_factory=list)
    end: dict[str, Any] | None = None
    zero_based: bool = False  # files written before epochs were counted from 1
    limited: bool = False  # metrics.jsonl was too large to read whole

    @property
    def epochs(self) -> list[EpochMetrics]:
        shift = 1 if self.zero_based else 0
        return [epoch_metrics(r, shift) for r in self.epoch_records]

    def add(self, path: Path, start: int) -> None:
        """Read the records of ``path`` from ``start`` into this summary."""
        self.offset = start
        for line, pos in iter_lines(path, start):
            self.offset = pos
            r = parse(line)
            if isinstance(r, dict) and r.get("kind") == "end":
                self.end = r
            elif is_record(r):
                self.end = None  # a resumed run's records follow its earlier end
                if r["epoch"] == 0:
                    self.zero_based = True
                if r["kind"] == "step":
                    self.steps += 1
                    self.last = r
                else:
                    self.epoch_records.append(r)
        self.limited = self.size - start > READ_LIMIT

    def to_dict(self) -> dict[str, Any]:
        return {"version": VERSION, **self.__dict__}

    @classmethod
    def from_dict(cls, d: Any) -> MetricsSummary | None:
        if not isinstance(d, dict) or d.get("version") != VERSION:
            return None
        try:
            s = cls(**{k: v for k, v in d.items() if k != "version"})
        except TypeError:
            return None
        ok = (
            all(_number(v) for v in (s.size, s.offset, s.steps))
            and isinstance(s.epoch_records, list)
            and all(is_record(r) and r["kind"] == "epoch" for r in s.epoch_records)
            and (s.last is None or is_record(s.last))
        )
        return s if ok else None


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def read_summary(run_dir: Path, *, rebuild: bool = False, save: bool = True) -> MetricsSummary:
    """The run's summary: summary.json when it is current, else brought up to date from
    metrics.jsonl (only the part it has not read, unless the log shrank or ``rebuild``) and
    saved again when ``save`` (quietly not, in a folder that cannot be written)."""
    run_dir = Path(run_dir)
    log = run_dir / "metrics.jsonl"
    size = _size(log)
    cached = None
    if not rebuild:
        try:
            cached = MetricsSummary.from_dict(
                json.loads((run_dir / SUMMARY).read_text(encoding="utf-8"))
            )
        except (OSError, ValueError):
            cached = None
    if cached is not None and cached.size == size:
        return cached
    if cached is not None and cached.size < size and not cached.limited:
        summary, start = cached, cached.offset  # the log grew: read what is new
    else:
        summary, start = MetricsSummary(), 0
    summary.size = size
    summary.add(log, start)
    if save:
        with contextlib.suppress(OSError):
            atomic.atomic_write_json(run_dir / SUMMARY, summary.to_dict())
    return summary


def step_records(path: Path) -> Iterator[dict[str, Any]]:
    """Every step record of a metrics.jsonl (bounded as above), for the curves."""
    for line, _ in iter_lines(path):
        r = parse(line)
        if is_record(r) and r["kind"] == "step":
            yield r


def step_metrics(r: dict[str, Any], shift: int, started: float) -> StepMetrics:
    return StepMetrics(
        int(r["step"]),
        int(r["epoch"]) + shift,
        float(r["loss"]),
        float(r["accuracy"]),
        float(r["lr"]),
        float(r["images_per_s"]),
        float(r["time"]),
        # older records lack the clock: the folder's start plus training time
        float(r.get("wall") or started + r["time"]),
    )

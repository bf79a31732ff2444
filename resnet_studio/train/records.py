"""Reading runs: the run folders under a root, each as a small typed summary.

What a run folder holds, and how it is written, is :mod:`.recorder`'s. Here each folder is read
through its small files (config.json, status.json, summary.json), never by parsing every step:
a list of 1,000 runs stays cheap. A damaged status.json beside an intact log is rebuilt from the
log, and the run says so; a folder that cannot be read is listed as "unreadable" with the
reason. ``save_checkpoint``, ``load_checkpoint``, ``RunRecorder`` and ``new_run_dir`` are
re-exported from their modules for older imports.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import atomic
from ..atomic import atomic_write_bytes
from .checkpoints import load_checkpoint, save_checkpoint
from .details import CONFIG, RunDetails
from .errors import TrainError
from .events import EpochMetrics, RunStatus
from .lock import LOCK, holder
from .recorder import RunRecorder, new_run_dir, write_status
from .summary import MetricsSummary, is_record, iter_lines, parse, read_summary

META = "meta.json"  # the user's name, tags and the run's colour, written by the run manager
INDEX_VERSION = 2  # 2: a summary keeps its typed details ("info", "problem")

__all__ = [
    "RunRecorder",
    "RunSummary",
    "default_runs_dir",
    "export_csv",
    "list_runs",
    "load_checkpoint",
    "new_run_dir",
    "read_end",
    "read_metrics",
    "save_checkpoint",
]


def default_runs_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("resnet-studio", appauthor=False)) / "runs"


def read_end(path: Path) -> dict[str, Any] | None:
    """The end record of a metrics.jsonl, or None if the run has not ended (or predates them)."""
    end = None
    for line, _ in iter_lines(path):
        r = parse(line)
        if isinstance(r, dict) and r.get("kind") == "end":
            end = r
        elif is_record(r):
            end = None  # a resumed run's records come after its earlier end
    return end


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """Every whole record of a metrics.jsonl, epochs counted from 1; none if there is no file.

    A line cut by a crash, or one that is not a record of a step or an epoch, is skipped, and
    what is read is bounded (:func:`.summary.iter_lines`). Files written before epochs were
    counted from 1 (their first epoch is 0) are read as if they were.
    """
    out = [r for r in (parse(line) for line, _ in iter_lines(path)) if is_record(r)]
    if any(r["epoch"] == 0 for r in out):
        out = [{**r, "epoch": r["epoch"] + 1} for r in out]
    return out


def export_csv(run_dir: Path, out: Path | None = None) -> Path:
    """metrics.jsonl as metrics.csv (steps and epochs in one table, blank where not measured)."""
    run_dir = Path(run_dir)
    if not (run_dir / "metrics.jsonl").is_file():
        raise TrainError(
            f"{run_dir} holds no run (there is no metrics.jsonl); give a run folder, "
            f"as `resnet-studio runs` lists them."
        )
    rows = read_metrics(run_dir / "metrics.jsonl")
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols)
    w.writeheader()
    w.writerows(rows)
    out = Path(out or run_dir / "metrics.csv")
    atomic_write_bytes(out, buf.getvalue().encode())
    return out


@dataclass(frozen=True)
class RunSummary:
    """What a run folder says of its run, read from its small files."""

    dir: Path
    name: str
    status: RunStatus  # RUNNING, FINISHED, STOPPED, FAILED, CRASHED (its process is gone) …
    reason: str
    epochs_done: int
    best_val_accuracy: float | None
    started: float
    info: RunDetails = RunDetails()  # its config.json, typed
    metrics: MetricsSummary | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # meta.json: the user's name, tags, colour

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k not in ("dir", "info", "metrics")}
        return {
            **d,
            "info": self.info.to_json(),
            "problem": self.info.problem,
            "metrics": self.metrics.to_dict() if self.metrics else None,
        }

    @classmethod
    def from_dict(cls, root: Path, d: Any) -> RunSummary | None:
        """A summary the index kept; None when it is not one (an index from elsewhere)."""
        try:
            m = d["metrics"]
            metrics = None if m is None else MetricsSummary.from_dict(m)
            if m is not None and metrics is None:
                return None
            problem = d["problem"]
            if not isinstance(problem, str):
                return None
            info = replace(RunDetails.from_json(d["info"]), problem=problem)
            skip = ("metrics", "status", "info", "problem")
            fields = {k: v for k, v in d.items() if k not in skip}
            status = RunStatus.parse(d["status"])
            out = cls(dir=root / d["name"], status=status, info=info, metrics=metrics, **fields)
            return out if isinstance(out.name, str) and isinstance(out.meta, dict) else None
        except (KeyError, TypeError):
            return None

    @property
    def epoch_metrics(self) -> list[EpochMetrics]:
        return self.metrics.epochs if self.metrics else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except (OSError, ValueError):
        return False


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``; ValueError with what is wrong, in words."""
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"it has no {path.name}") from None
    except OSError as e:
        raise ValueError(f"its {path.name} cannot be read ({e.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"its {path.name} is damaged (not JSON)") from None
    if not isinstance(d, dict):
        raise ValueError(f"its {path.name} is damaged (not a JSON object)")
    return d


def _typed(d: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any) -> Any:
    """``d[key]`` if it is of ``kind`` (a bool is not a number here), else ``default``."""
    v = d.get(key)
    return v if isinstance(v, kind) and not isinstance(v, bool) else default


def _unreadable(d: Path, why: str) -> RunSummary:
    return RunSummary(
        d,
        d.name,
        RunStatus.UNREADABLE,
        f"This run folder cannot be read: {why}; delete it if you do not need it.",
        0,
        None,
        d.stat().st_mtime,
    )


def _rebuilt_status(d: Path, why: str, metrics: MetricsSummary) -> dict[str, Any]:
    """status.json's content from the log's end (or, without one, a run that stopped
    unrecorded), written back where no one writes the run; the reason says so."""
    end = metrics.end or {}
    status = RunStatus.parse(end.get("status"))
    if not status.ended:
        status = RunStatus.RUNNING if holder(d) else RunStatus.CRASHED
    said = f"Its status.json was rebuilt from metrics.jsonl ({why.removeprefix('its ')})."
    reason = _typed(end, "reason", str, "")
    epochs = metrics.epochs
    best = [e.val_accuracy for e in epochs if e.val_accuracy is not None]
    st = {
        "status": status.value,
        "reason": f"{reason} {said}".strip(),
        "epoch": _typed(end, "epoch", int, epochs[-1].epoch if epochs else 1),
        "epochs_done": epochs[-1].epoch if epochs else 0,
        "step": metrics.last["step"] if metrics.last else 0,
        "best_val_accuracy": max(best) if best else None,
    }
    if holder(d) is None:
        try:
            write_status(d / "status.json", json.dumps(st, indent=2) + "\n")
        except OSError:
            pass  # a read-only folder: rebuilt again at the next look
    return st


def _summary(d: Path) -> RunSummary:
    """What the folder ``d`` says of its run; status "unreadable" with the reason if it can't."""
    try:
        raw = read_json_object(d / CONFIG)
        started = (d / CONFIG).stat().st_mtime
    except (ValueError, OSError) as e:
        empty = not any(p.name != LOCK for p in d.iterdir()) if d.is_dir() else False
        return _unreadable(d, "it holds nothing (a run that never started)" if empty else str(e))
    metrics = read_summary(d)
    try:
        st = read_json_object(d / "status.json")
    except ValueError as e:
        if not (d / "metrics.jsonl").is_file():
            return _unreadable(d, str(e))
        st = _rebuilt_status(d, str(e), metrics)
    status = RunStatus.parse(st.get("status"))
    if status in (RunStatus.RUNNING, RunStatus.PAUSED) and not _writing(d, st):
        status = RunStatus.CRASHED
    return RunSummary(
        d,
        d.name,
        status,
        _typed(st, "reason", str, ""),
        _typed(st, "epochs_done", int, _typed(st, "epoch", int, 0)),  # older: "epoch" alone
        _typed(st, "best_val_accuracy", (int, float), None),
        started,
        RunDetails.from_json(raw),
        metrics,
        _meta(d),
    )


def _meta(d: Path) -> dict[str, Any]:
    try:
        return read_json_object(d / META)
    except ValueError:
        return {}


def _writing(d: Path, st: dict[str, Any]) -> bool:
    """Whether a process still writes the run: its lock is held (older runs: its pid lives)."""
    if (d / LOCK).exists():
        return holder(d) is not None
    return _alive(_typed(st, "pid", int, -1))


def list_runs(root: Path | None = None) -> list[RunSummary]:
    """The run folders under ``root``, newest first, with status and best validation accuracy.

    A folder whose files cannot be read is listed too, as "unreadable" with the reason, so
    that it can be seen and deleted rather than pile up unseen. A run that no process writes
    is read once: its summary is kept in ``root/.index.json`` under the folder's modification
    time, which every atomic write in the folder changes. A long history costs one stat per run.
    """
    root = Path(root or default_runs_dir())
    if not root.is_dir():
        return []
    index = _read_index(root)
    kept: dict[str, Any] = {}  # folder name -> {"mtime": ns, "summary": RunSummary.to_dict()}
    out = []
    with os.scandir(root) as found:
        folders = sorted(
            (e for e in found if e.is_dir() and not e.name.startswith(".")),
            key=lambda e: e.name,
            reverse=True,
        )
    for e in folders:
        try:
            mtime = e.stat().st_mtime_ns
        except OSError:
            continue  # deleted while listed
        entry = index.get(e.name)
        summary = None
        if isinstance(entry, dict) and entry.get("mtime") == mtime:
            summary = RunSummary.from_dict(root, entry.get("summary"))
        if summary is None:
            summary = _summary(Path(e.path))
            mtime = _mtime(Path(e.path), mtime)  # its own reading may have rebuilt a file
        out.append(summary)
        # a run in flight changes; a folder that is no run (`--root .`) is not worth keeping
        if summary.status not in (RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.UNREADABLE):
            kept[e.name] = {"mtime": mtime, "summary": summary.to_dict()}
    if kept and kept != index:
        with contextlib.suppress(OSError, TypeError, ValueError):  # a read-only runs folder
            atomic.atomic_write_json(root / INDEX, {"version": INDEX_VERSION, "runs": kept})
    return out


INDEX = ".index.json"


def _mtime(d: Path, default: int) -> int:
    try:
        return d.stat().st_mtime_ns
    except OSError:
        return default


def _read_index(root: Path) -> dict[str, Any]:
    try:
        d = json.loads((root / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(d, dict) or d.get("version") != INDEX_VERSION:
        return {}
    runs = d.get("runs")
    return runs if isinstance(runs, dict) else {}

"""Run records on disk: nothing is lost if the app is closed or crashes.

A run directory holds ``config.json`` (spec, hyper-parameters, dataset, device, versions),
``status.json``, ``metrics.jsonl`` (appended and flushed as the run goes) and the checkpoints
``last.pt`` and ``best.pt``. Every file but the append-only log is written atomically: a temp
file in the same directory, fsync, then ``os.replace``. The log's last record is the run's end
(``"kind": "end"``), the same end that status.json, the trainer and every observer report.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import platformdirs

from ..atomic import atomic_write_bytes, atomic_write_json, atomic_write_text
from ..core.errors import SpecError
from ..core.spec import ArchSpec
from .config import TrainConfig
from .errors import TrainError
from .events import Callback, EpochMetrics, RunEnd, RunInfo, RunStatus, StepMetrics, Trainer


def default_runs_dir() -> Path:
    return Path(platformdirs.user_data_dir("resnet-studio", appauthor=False)) / "runs"


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """torch.save into memory, then an atomic write: a checkpoint on disk is never half-written.

    A checkpoint holds tensors and plain data only, so that :func:`load_checkpoint` can read it
    with ``weights_only=True``; anything else is a bug, caught here rather than at resume time.
    """
    import torch

    _check_plain(state, "state")
    buf = io.BytesIO()
    torch.save(state, buf)
    atomic_write_bytes(path, buf.getvalue())


_PLAIN = (str, int, float, bool, type(None))


def _check_plain(value: Any, where: str) -> None:
    import torch

    if isinstance(value, dict):  # OrderedDict and Counter (a MultiStepLR's milestones) too
        for k, v in value.items():
            _check_plain(k, where)
            _check_plain(v, f"{where}[{k!r}]")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
    elif not (type(value) in _PLAIN or isinstance(value, torch.Tensor)):  # np.float64 is a float
        raise TypeError(f"A checkpoint holds only tensors and plain data, not {where}: {value!r}")


def load_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint's dict, read with ``weights_only=True``: a file from elsewhere runs no code.

    Anything but tensors and plain data, a damaged file or no file is one sentence (TrainError).
    """
    from .weights import load_tensors

    path = Path(path)
    if not path.exists():
        raise TrainError(
            f"There is no checkpoint at {path}; the run has not finished an epoch "
            f"or been stopped yet."
        )
    state = load_tensors(path, "checkpoint")
    if not isinstance(state, dict):
        raise TrainError(
            f"The checkpoint {path} holds a {type(state).__name__}, not a ResNet Studio checkpoint."
        )
    return state


def new_run_dir(root: Path | None, name: str) -> Path:
    root = Path(root or default_runs_dir())
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for i in range(1000):
        d = root / (f"{stamp}-{name}" + (f"-{i}" if i else ""))
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise TrainError(f"Could not create a run directory under {root}.")


class RunRecorder(Callback):
    """Writes a run's directory as its events arrive. It is essential: when it cannot write
    (a full disk), the run ends with a sentence rather than go on unrecorded."""

    essential = True

    def __init__(self, run_dir: Path, checkpoints: bool = True) -> None:
        self.dir = Path(run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.checkpoints = checkpoints
        self._log: IO[str] | None = None

    def _status(self, status: RunStatus, **extra: Any) -> None:
        data = json.dumps(
            {"status": status.value, "pid": os.getpid(), "updated": time.time(), **extra},
            indent=2,
        )
        write_status(self.dir / "status.json", data + "\n")

    def on_run_start(self, trainer: Trainer, info: RunInfo) -> None:
        cfg = {
            "spec": info.spec,
            "config": info.config,
            "dataset": info.dataset,
            "device": info.device,
            "params": info.params,
            "macs": info.macs,
            "steps_per_epoch": info.steps_per_epoch,
            "total_steps": info.total_steps,
            "versions": info.versions,
        }
        if info.start_step == 0:
            atomic_write_json(self.dir / "config.json", cfg)
        _truncate_metrics(self.dir / "metrics.jsonl", info.start_step)
        self._log = open(self.dir / "metrics.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        self._status(
            RunStatus.RUNNING, step=info.start_step, best_val_accuracy=trainer.best_val_accuracy
        )

    def _write(self, rows: list[dict[str, Any]]) -> None:
        if self._log is None:  # the run ended before it started (a missing dataset)
            self._log = open(self.dir / "metrics.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        self._log.write("".join(json.dumps(r) + "\n" for r in rows))
        self._log.flush()  # a crash or kill -9 loses at most the steps since the last report

    def on_steps(self, trainer: Trainer, steps: list[StepMetrics]) -> None:
        self._write([s.to_dict() for s in steps])

    def on_epoch_end(self, trainer: Trainer, m: EpochMetrics) -> None:
        self._write([m.to_dict()])
        if self.checkpoints:
            state = trainer.state_dict()
            save_checkpoint(self.dir / "last.pt", state)
            if m.val_accuracy is not None and m.val_accuracy == trainer.best_val_accuracy:
                save_checkpoint(self.dir / "best.pt", state)
        self._status(
            RunStatus.RUNNING,
            step=m.step,
            epoch=m.epoch,
            best_val_accuracy=trainer.best_val_accuracy,
        )

    def on_run_ending(self, trainer: Trainer, status: RunStatus) -> None:
        """A stopped run's checkpoint, so that it can be resumed where it stopped."""
        if self.checkpoints and status == RunStatus.STOPPED and trainer.model is not None:
            save_checkpoint(self.dir / "last.pt", trainer.state_dict())

    def on_run_end(self, trainer: Trainer, end: RunEnd) -> None:
        """The end, as a last record of metrics.jsonl and in status.json."""
        try:
            self._write([end.to_dict()])
        finally:
            if self._log:
                self._log.close()
                self._log = None
            self._status(
                end.status,
                reason=end.reason,
                step=end.step,
                epoch=end.epoch,
                best_val_accuracy=end.best_val_accuracy,
            )


def write_status(path: Path, text: str) -> None:
    """status.json atomically; on a full disk, rewritten in place, which needs no new block
    for a file this small, so that the end a run reports is the end on disk."""
    try:
        atomic_write_text(path, text)
    except OSError as e:
        if e.errno != errno.ENOSPC or not path.is_file():
            raise
        try:
            with open(path, "r+", encoding="utf-8") as f:
                f.write(text)
                f.truncate()
                f.flush()
                os.fsync(f.fileno())
        except OSError:
            raise e from None


def read_end(path: Path) -> dict[str, Any] | None:
    """The end record of a metrics.jsonl, or None if the run has not ended (or predates them)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(r, dict) and r.get("kind") == "end":
            return r
    return None


def _truncate_metrics(path: Path, step: int) -> None:
    """On resume, drop records past the checkpoint so the curve continues without a fold."""
    if not path.exists():
        return
    kept = [line for line in read_metrics(path) if line["step"] <= step]
    atomic_write_bytes(path, "".join(json.dumps(r) + "\n" for r in kept).encode())


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """Every whole record of a metrics.jsonl, epochs counted from 1; none if there is no file.

    A line cut by a crash, or one that is not a record of a step or an epoch, is skipped. Files
    written before epochs were counted from 1 (their first epoch is 0) are read as if they were.
    """
    out: list[dict[str, Any]] = []
    try:
        f = open(path, encoding="utf-8")  # noqa: SIM115
    except FileNotFoundError:
        return out
    with f:
        for line in f:
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            if _is_record(r):
                out.append(r)
    if any(r["epoch"] == 0 for r in out):
        out = [{**r, "epoch": r["epoch"] + 1} for r in out]
    return out


_RECORD_NUMBERS = {
    "step": ("step", "epoch", "loss", "accuracy", "lr", "images_per_s", "time"),
    "epoch": ("epoch", "step", "train_loss", "train_accuracy", "seconds", "time"),
}


def _is_record(r: Any) -> bool:
    """A step or epoch record whose numbers are numbers (a file from elsewhere is data)."""
    if not isinstance(r, dict) or r.get("kind") not in _RECORD_NUMBERS:
        return False
    numbers = _RECORD_NUMBERS[r["kind"]]
    maybe = ("val_loss", "val_accuracy") if r["kind"] == "epoch" else ()
    return all(_typed(r, k, (int, float), None) is not None for k in numbers) and all(
        r.get(k) is None or _typed(r, k, (int, float), None) is not None for k in maybe
    )


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
    dir: Path
    name: str
    status: RunStatus  # RUNNING, FINISHED, STOPPED, FAILED, CRASHED (its process is gone) …
    reason: str
    dataset: str
    device: str
    params: int
    epochs_done: int
    epochs: int
    best_val_accuracy: float | None
    started: float


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


_CONFIG_FIELDS: dict[str, type | tuple[type, ...]] = {
    "device": str,
    "spec_label": str,
    "params": int,
    "macs": int,
    "steps_per_epoch": int,
    "total_steps": int,
}
_DATASET_FIELDS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "train": int,
    "val": int,
    "classes": int,
}


def clean_run_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """A run's config.json as data the views can trust: the spec and training settings only if
    they validate, other known fields only with the right types; the rest is dropped."""
    out: dict[str, Any] = {}
    for key, kind in _CONFIG_FIELDS.items():
        if _typed(cfg, key, kind, None) is not None:
            out[key] = cfg[key]
    try:
        out["spec"] = ArchSpec.from_dict(cfg.get("spec")).to_dict()
    except (SpecError, TypeError):
        pass
    try:
        if isinstance(cfg.get("config"), dict):
            out["config"] = TrainConfig.from_dict(cfg["config"]).to_dict()
    except (TrainError, TypeError):
        pass
    data = _typed(cfg, "dataset", dict, {})
    dataset = {k: data[k] for k, kind in _DATASET_FIELDS.items() if _typed(data, k, kind, None)}
    notes = _typed(data, "notes", list, [])
    dataset["notes"] = [n for n in notes if isinstance(n, str)]
    out["dataset"] = dataset
    versions = _typed(cfg, "versions", dict, {})
    out["versions"] = {k: v for k, v in versions.items() if isinstance(v, str)}
    return out


def read_run_config(run_dir: Path) -> dict[str, Any]:
    """:func:`clean_run_config` of ``run_dir/config.json``; empty if it is missing or damaged."""
    try:
        return clean_run_config(read_json_object(Path(run_dir) / "config.json"))
    except ValueError:
        return {}


def _summary(d: Path) -> RunSummary:
    """What the folder ``d`` says of its run; status "unreadable" with the reason if it can't."""
    try:
        cfg = read_json_object(d / "config.json")
        st = read_json_object(d / "status.json")
        started = (d / "config.json").stat().st_mtime
    except (ValueError, OSError) as e:
        empty = not any(d.iterdir()) if d.is_dir() else False
        why = "it holds nothing (a run that never started)" if empty else str(e)
        return RunSummary(
            d,
            d.name,
            RunStatus.UNREADABLE,
            f"This run folder cannot be read: {why}; delete it if you do not need it.",
            "",
            "",
            0,
            0,
            0,
            None,
            d.stat().st_mtime,
        )
    cfg = clean_run_config(cfg)
    dataset, config = cfg["dataset"], cfg.get("config", {})
    status = RunStatus.parse(st.get("status"))
    if status == RunStatus.RUNNING and not _alive(_typed(st, "pid", int, -1)):
        status = RunStatus.CRASHED
    return RunSummary(
        d,
        d.name,
        status,
        _typed(st, "reason", str, ""),
        _typed(dataset, "name", str, "?"),
        _typed(cfg, "device", str, "?"),
        _typed(cfg, "params", int, 0),
        _typed(st, "epoch", int, 0),
        _typed(config, "epochs", int, 0),
        _typed(st, "best_val_accuracy", (int, float), None),
        started,
    )


def list_runs(root: Path | None = None) -> list[RunSummary]:
    """The run folders under ``root``, newest first, with status and best validation accuracy.

    A folder whose files cannot be read is listed too, as "unreadable" with the reason, so
    that it can be seen and deleted rather than pile up unseen.
    """
    root = Path(root or default_runs_dir())
    if not root.is_dir():
        return []
    folders = [d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")]
    return [_summary(d) for d in sorted(folders, reverse=True)]

"""Run records on disk: nothing is lost if the app is closed or crashes.

A run directory holds ``config.json`` (spec, hyper-parameters, dataset, device, versions),
``status.json``, ``metrics.jsonl`` (appended and flushed as the run goes) and the checkpoints
``last.pt`` and ``best.pt``. Every file but the append-only log is written atomically: a temp
file in the same directory, fsync, then ``os.replace``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import atomic_write_bytes, atomic_write_json
from .errors import TrainError
from .events import Callback, EpochMetrics, RunEnd, RunInfo, StepMetrics


def default_runs_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("resnet-studio", appauthor=False)) / "runs"


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """torch.save into memory, then an atomic write: a checkpoint on disk is never half-written."""
    import torch

    buf = io.BytesIO()
    torch.save(state, buf)
    atomic_write_bytes(path, buf.getvalue())


def load_checkpoint(path: Path) -> dict[str, Any]:
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except FileNotFoundError:
        raise TrainError(
            f"There is no checkpoint at {path}; the run has not finished an epoch "
            f"or been stopped yet."
        ) from None
    except Exception as e:  # a truncated or foreign file
        raise TrainError(
            f"The checkpoint {path} cannot be read ({type(e).__name__}); it is "
            f"damaged or not a ResNet Studio checkpoint."
        ) from None


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
    """Writes a run's directory as its events arrive."""

    def __init__(self, run_dir: Path, checkpoints: bool = True) -> None:
        self.dir = Path(run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.checkpoints = checkpoints
        self._log = None
        self._info: RunInfo | None = None

    def _status(self, status: str, **extra: Any) -> None:
        atomic_write_json(
            self.dir / "status.json",
            {"status": status, "pid": os.getpid(), "updated": time.time(), **extra},
        )

    def on_run_start(self, trainer: Any, info: RunInfo) -> None:
        self._info = info
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
        self._status("running", step=info.start_step, best_val_accuracy=trainer.best_val_accuracy)

    def _write(self, rows: list[dict[str, Any]]) -> None:
        self._log.write("".join(json.dumps(r) + "\n" for r in rows))
        self._log.flush()  # a crash or kill -9 loses at most the steps since the last report

    def on_steps(self, trainer: Any, steps: list[StepMetrics]) -> None:
        self._write([s.to_dict() for s in steps])

    def on_epoch_end(self, trainer: Any, m: EpochMetrics) -> None:
        self._write([m.to_dict()])
        if self.checkpoints:
            state = trainer.state_dict()
            save_checkpoint(self.dir / "last.pt", state)
            if m.val_accuracy is not None and m.val_accuracy == trainer.best_val_accuracy:
                save_checkpoint(self.dir / "best.pt", state)
        self._status(
            "running", step=m.step, epoch=m.epoch + 1, best_val_accuracy=trainer.best_val_accuracy
        )

    def on_run_end(self, trainer: Any, end: RunEnd) -> None:
        try:  # a full disk may fail the checkpoint: the log is closed and the status tried still
            if self.checkpoints and end.status == "stopped" and trainer.model is not None:
                save_checkpoint(self.dir / "last.pt", trainer.state_dict())
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


def _truncate_metrics(path: Path, step: int) -> None:
    """On resume, drop records past the checkpoint so the curve continues without a fold."""
    if not path.exists():
        return
    kept = [line for line in read_metrics(path) if line["step"] <= step]
    atomic_write_bytes(path, "".join(json.dumps(r) + "\n" for r in kept).encode())


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """Every whole record of a metrics.jsonl (a line cut by a crash is ignored)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


def export_csv(run_dir: Path, out: Path | None = None) -> Path:
    """metrics.jsonl as metrics.csv (steps and epochs in one table, blank where not measured)."""
    run_dir = Path(run_dir)
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
    status: str  # running, finished, stopped, failed, or crashed (its process is gone)
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


def list_runs(root: Path | None = None) -> list[RunSummary]:
    """Past runs under ``root``, newest first, with status and best validation accuracy."""
    root = Path(root or default_runs_dir())
    out = []
    for d in sorted(root.glob("*/config.json"), reverse=True):
        d = d.parent
        try:
            cfg = json.loads((d / "config.json").read_text())
            st = json.loads((d / "status.json").read_text())
        except (OSError, json.JSONDecodeError):
            continue
        status = st.get("status", "unknown")
        if status == "running" and not _alive(st.get("pid", -1)):
            status = "crashed"
        out.append(
            RunSummary(
                d,
                d.name,
                status,
                st.get("reason", ""),
                cfg["dataset"]["name"],
                cfg["device"],
                cfg["params"],
                st.get("epoch", 0),
                cfg["config"]["epochs"],
                st.get("best_val_accuracy"),
                (d / "config.json").stat().st_mtime,
            )
        )
    return out

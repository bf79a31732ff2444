"""``resnet-studio runs``: the runs the window lists, read by the same run manager (no torch);
export a run's metrics as CSV, or delete a run (to the trash, after a question)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..core.format import human_bytes
from ..train.errors import TrainError
from ..train.events import RunStatus


def add_parser(sub: Any) -> None:
    r = sub.add_parser(
        "runs",
        help="list past runs, export their metrics, delete them",
        description="List the runs (as the window does), export a run's metrics, delete a run.",
    )
    r.add_argument("--root", help="runs directory (default: the user data dir)")
    r.add_argument("--export-csv", metavar="RUN_DIR", help="write RUN_DIR/metrics.csv")
    r.add_argument(
        "--delete",
        metavar="RUN",
        help="move a run's folder to the trash (its folder name, or its name if unique)",
    )
    r.add_argument("--yes", action="store_true", help="delete without asking")
    r.set_defaults(func=run)


def _root(a: argparse.Namespace) -> Path | None:
    if not a.root:
        return None
    root = Path(a.root)
    if not root.exists():
        raise TrainError(f"There is no folder {root}; give --root the folder that holds runs.")
    if not root.is_dir():
        raise TrainError(f"{root} is a file; give --root the folder that holds runs.")
    return root


def run(a: argparse.Namespace) -> int:
    from ..train.manager import RunManager
    from ..train.records import export_csv

    if a.export_csv:
        print(export_csv(Path(a.export_csv)))
        return 0
    manager = RunManager(_root(a))
    manager.load(steps=False)  # the epochs tell what is listed
    if a.delete:
        return _delete(manager, a.delete, a.yes)
    runs = list(reversed(manager.runs))  # newest first
    if not runs:
        print("No runs yet; start one with `resnet-studio train`.")
        return 0
    width = max(len(r.id) for r in runs)
    for r in runs:
        if r.status == RunStatus.UNREADABLE:
            print(f"{r.id:<{width}}  {r.status!s:<10} {r.reason}")
            continue
        acc = r.best_val_accuracy
        best = "–" if acc is None else f"{100 * acc:.2f}%"
        cfg = r.config
        # the epoch of its last step, as the window and its status.json name it
        done, epochs = r.epoch_progress() if r.total_steps else (0, cfg.epochs if cfg else 0)
        tags = f"  [{', '.join(r.tags)}]" if r.tags else ""
        print(
            f"{r.id:<{width}}  {r.status!s:<10} epoch {done}/{epochs}  best val {best:>7}  "
            f"{r.label}{tags}"
        )
    return 0


def _delete(manager: Any, key: str, yes: bool) -> int:
    target = manager.find(key)
    if target is None:
        raise TrainError(
            f"There is no run '{key}' in {manager.root}; `resnet-studio runs` lists them."
        )
    what = f"{target.dir} ({human_bytes(target.size_bytes())}, {target.label})"
    if not yes:
        if not sys.stdin.isatty():
            raise TrainError(f"Deleting {what} needs a yes: add --yes, or run it in a terminal.")
        answer = input(f"Move {what} to the trash? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was deleted.")
            return 1
    print(manager.finish_deletion(manager.delete(target)))
    return 0

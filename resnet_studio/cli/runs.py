"""``resnet-studio runs``: past runs, read from their folders (no torch)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..train.errors import TrainError
from ..train.events import RunStatus


def add_parser(sub: Any) -> None:
    r = sub.add_parser("runs", help="list past runs", description="List past runs.")
    r.add_argument("--root", help="runs directory (default: the user data dir)")
    r.add_argument("--export-csv", metavar="RUN_DIR", help="write RUN_DIR/metrics.csv")
    r.set_defaults(func=run)


def run(a: argparse.Namespace) -> int:
    from ..train.records import export_csv, list_runs

    if a.export_csv:
        print(export_csv(Path(a.export_csv)))
        return 0
    if a.root:
        root = Path(a.root)
        if not root.exists():
            raise TrainError(f"There is no folder {root}; give --root the folder that holds runs.")
        if not root.is_dir():
            raise TrainError(f"{root} is a file; give --root the folder that holds runs.")
    runs = list_runs(Path(a.root) if a.root else None)
    if not runs:
        print("No runs yet; start one with `resnet-studio train`.")
        return 0
    width = max(len(r.name) for r in runs)
    for r in runs:
        if r.status == RunStatus.UNREADABLE:
            print(f"{r.name:<{width}}  {r.status:<9} {r.reason}")
            continue
        acc = "–" if r.best_val_accuracy is None else f"{100 * r.best_val_accuracy:.2f}%"
        print(
            f"{r.name:<{width}}  {r.status:<9} epoch {r.epochs_done}/{r.epochs}  "
            f"best val {acc:>7}  {r.dataset}  {r.device}"
        )
    return 0

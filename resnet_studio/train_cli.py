"""``resnet-studio train`` and ``resnet-studio runs``: the trainer and run records, headless.

Ctrl-C asks the trainer to stop (a checkpoint is saved and the run is marked "stopped"); a
second Ctrl-C interrupts at once. Under ``torchrun --nproc_per_node N`` the same command trains
with DistributedDataParallel, and only rank 0 writes the run directory and prints.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from .core.presets import preset_of
from .train import TrainConfig, Trainer, TrainError, export_csv, list_runs
from .train import distributed as dist
from .train.config import AMP_MODES, OPTIMIZERS, SCHEDULES
from .train.data import DATASETS
from .train.observers import JsonLines, ProgressBar, TensorBoard
from .train.records import RunRecorder, new_run_dir


def add_train_options(p: argparse.ArgumentParser) -> None:
    d = TrainConfig()
    g = p.add_argument_group("training")
    g.add_argument("--dataset", default=d.dataset, choices=DATASETS)
    g.add_argument("--data-dir", help="dataset folder (default: the user cache directory)")
    g.add_argument("--epochs", type=int, default=d.epochs)
    g.add_argument("--batch-size", type=int, default=d.batch_size)
    g.add_argument("--lr", type=float, default=d.lr, help="learning rate (peak for onecycle)")
    g.add_argument("--optimizer", default=d.optimizer, choices=OPTIMIZERS)
    g.add_argument("--schedule", default=d.schedule, choices=SCHEDULES)
    g.add_argument("--weight-decay", type=float, default=d.weight_decay)
    g.add_argument("--label-smoothing", type=float, default=d.label_smoothing)
    g.add_argument("--augment", action="store_true", help="random crop with padding and flip")
    g.add_argument("--val-fraction", type=float, default=d.val_fraction)
    g.add_argument("--device", default=d.device, help="auto, cpu, cuda, cuda:N or mps")
    g.add_argument(
        "--amp", default=d.amp, choices=AMP_MODES, help="mixed precision; auto = bf16 on CUDA"
    )
    g.add_argument(
        "--no-channels-last",
        action="store_true",
        help="keep NCHW on CUDA (channels_last is the default there)",
    )
    g.add_argument("--threads", type=int, help="torch intra-op threads (default: all cores)")
    g.add_argument(
        "--pretrained",
        action="store_true",
        help="start from torchvision's ImageNet weights (torchvision presets)",
    )
    g.add_argument(
        "--synthetic-size",
        type=int,
        default=d.synthetic_size,
        help="images in the synthetic dataset",
    )
    g.add_argument("--seed", type=int, default=d.seed)
    g.add_argument("--out", help="the run directory (default: a new one in the user data dir)")
    g.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR")
    g.add_argument("--tensorboard", action="store_true", help="also write TensorBoard files")
    g.add_argument(
        "--json-lines",
        action="store_true",
        help="print every event as a JSON line on stdout instead of a progress bar",
    )


def config_from_args(a: argparse.Namespace) -> TrainConfig:
    return TrainConfig(
        dataset=a.dataset,
        data_dir=a.data_dir,
        epochs=a.epochs,
        batch_size=a.batch_size,
        lr=a.lr,
        optimizer=a.optimizer,
        schedule=a.schedule,
        weight_decay=a.weight_decay,
        label_smoothing=a.label_smoothing,
        augment=a.augment,
        val_fraction=a.val_fraction,
        device=a.device,
        amp=a.amp,
        channels_last=False if a.no_channels_last else None,
        threads=a.threads,
        pretrained=a.pretrained,
        synthetic_size=a.synthetic_size,
        seed=a.seed,
        tensorboard=a.tensorboard,
    )


def _observers(a: argparse.Namespace, run_dir: Path, tensorboard: bool) -> list[Any]:
    obs: list[Any] = [JsonLines() if a.json_lines else ProgressBar(), RunRecorder(run_dir)]
    if tensorboard:
        obs.append(TensorBoard(run_dir))
    return obs


def train_command(a: argparse.Namespace) -> int:
    from .cli import spec_from_args

    dist.init_from_env()
    lead = dist.rank() == 0
    if a.resume:
        run_dir = Path(a.resume)
        trainer = Trainer.from_run_dir(run_dir)
        if lead:
            trainer.callbacks = _observers(a, run_dir, trainer.config.tensorboard)
    else:
        spec = spec_from_args(a)
        config = config_from_args(a)
        run_dir = None
        if lead:
            if a.out:
                run_dir = Path(a.out)
                if (run_dir / "config.json").exists():
                    raise TrainError(
                        f"{run_dir} already holds a run; continue it with --resume "
                        f"{run_dir}, or choose another --out."
                    )
                run_dir.mkdir(parents=True, exist_ok=True)
            else:
                run_dir = new_run_dir(None, f"{preset_of(spec) or 'custom'}-{config.dataset}")
        trainer = Trainer(
            spec,
            config,
            _observers(a, run_dir, config.tensorboard) if lead else [],
            run_dir=str(run_dir) if run_dir else None,
        )

    def on_sigint(signum: int, frame: Any) -> None:
        if trainer._stop.is_set():
            raise KeyboardInterrupt
        print("\nStopping after this step (Ctrl-C again to interrupt at once)…", file=sys.stderr)
        trainer.stop()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        end = trainer.run()
    finally:
        signal.signal(signal.SIGINT, previous)
        if dist.world_size() > 1:
            import torch.distributed as td

            td.destroy_process_group()
    if end.status == "failed":
        print(f"resnet-studio: error: {end.reason}", file=sys.stderr)
        return 1
    return 130 if end.status == "stopped" else 0


def runs_command(a: argparse.Namespace) -> int:
    if a.export_csv:
        print(export_csv(Path(a.export_csv)))
        return 0
    runs = list_runs(Path(a.root) if a.root else None)
    if not runs:
        print("No runs yet; start one with `resnet-studio train`.")
        return 0
    width = max(len(r.name) for r in runs)
    for r in runs:
        acc = "–" if r.best_val_accuracy is None else f"{100 * r.best_val_accuracy:.2f}%"
        print(
            f"{r.name:<{width}}  {r.status:<9} epoch {r.epochs_done}/{r.epochs}  "
            f"best val {acc:>7}  {r.dataset}  {r.device}"
        )
    return 0


def add_commands(sub: Any, parser_class: type, add_spec_options: Any) -> None:
    t = sub.add_parser(
        "train",
        help="train an architecture headless",
        description="Train an architecture, with a progress bar and a run "
        "directory that survives crashes.",
    )
    add_spec_options(t)
    add_train_options(t)
    t.set_defaults(func=train_command)
    r = sub.add_parser("runs", help="list past runs", description="List past runs.")
    r.add_argument("--root", help="runs directory (default: the user data dir)")
    r.add_argument("--export-csv", metavar="RUN_DIR", help="write RUN_DIR/metrics.csv")
    r.set_defaults(func=runs_command)

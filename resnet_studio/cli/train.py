"""``resnet-studio train``: the trainer, headless, with a run directory that survives crashes.

Ctrl-C asks the trainer to stop (a checkpoint is saved and the run is marked "stopped"); a
second Ctrl-C interrupts at once. Under ``torchrun --nproc_per_node N`` the same command trains
with DistributedDataParallel, and only rank 0 writes the run directory and prints. Torch is
imported when the command runs, not when the parser is built.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.presets import preset_of
from ..train.errors import TrainError
from ..train.events import Callback, RunStatus
from .options import add_spec_options, add_train_options, config_from_args, spec_from_args


def add_parser(sub: Any) -> None:
    t = sub.add_parser(
        "train",
        help="train an architecture headless",
        description="Train an architecture, with a progress bar and a run "
        "directory that survives crashes.",
    )
    add_spec_options(t)
    add_train_options(t)
    f = t.add_argument_group("fine-tuning from pretrained weights")
    f.add_argument(
        "--weights",
        metavar="NAME|FILE",
        help="start from these weights: a name from `resnet-studio weights`, a state_dict "
        "file or a run's checkpoint; the classifier is replaced to fit the dataset's classes",
    )
    f.add_argument(
        "--freeze",
        default="none",
        metavar="backbone|stages:N|none",
        help="keep layers as loaded: backbone (a linear probe), all but the last N stages, "
        "or none (default)",
    )
    f.add_argument(
        "--backbone-lr",
        type=float,
        default=1.0,
        metavar="F",
        help="the backbone's learning rate as a fraction F of --lr (the classifier's)",
    )
    g = t.add_argument_group("run directory and output")
    g.add_argument("--out", help="the run directory (default: a new one in the user data dir)")
    g.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR")
    g.add_argument("--tensorboard", action="store_true", help="also write TensorBoard files")
    g.add_argument(
        "--json-lines",
        action="store_true",
        help="print every event as a JSON line on stdout instead of a progress bar",
    )
    t.set_defaults(func=run)


def _observers(a: argparse.Namespace, recorder: Any, tensorboard: bool) -> list[Callback]:
    """The progress output, the recorder (which holds the run folder's lock) and TensorBoard."""
    from ..train.observers import JsonLines, ProgressBar, TensorBoard

    obs: list[Callback] = [JsonLines() if a.json_lines else ProgressBar(), recorder]
    if tensorboard:
        obs.append(TensorBoard(recorder.dir))
    return obs


def _prepare_out(out: str) -> Path:
    """The run directory ``--out`` names, made; a sentence when it cannot be."""
    run_dir = Path(out)
    if run_dir.exists() and not run_dir.is_dir():
        raise TrainError(f"--out {out} is a file, not a folder; choose a folder for the run.")
    if (run_dir / "config.json").exists():
        raise TrainError(
            f"{run_dir} already holds a run; continue it with --resume "
            f"{run_dir}, or choose another --out."
        )
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TrainError(
            f"The run folder {run_dir} cannot be created ({e.strerror}); "
            f"choose an --out in a folder you can write to."
        ) from None
    return run_dir


def run(a: argparse.Namespace) -> int:
    from ..train import distributed as dist
    from ..train.recorder import RunRecorder, new_run_dir
    from ..train.trainer import Trainer

    dist.init_from_env()
    lead = dist.rank() == 0
    if a.resume:
        run_dir = Path(a.resume)
        recorder = RunRecorder(run_dir) if lead else None  # the folder's lock, before any work
        trainer = Trainer.from_run_dir(run_dir)
        if recorder is not None:
            trainer.callbacks = _observers(a, recorder, trainer.config.tensorboard)
    else:
        spec = spec_from_args(a)
        config = replace(
            config_from_args(a), weights=a.weights, freeze=a.freeze, backbone_lr=a.backbone_lr
        )
        new_dir: Path | None = None
        observers: list[Callback] = []
        if lead:
            if a.out:
                new_dir = _prepare_out(a.out)
            else:
                new_dir = new_run_dir(None, f"{preset_of(spec) or 'custom'}-{config.dataset}")
            observers = _observers(a, RunRecorder(new_dir), config.tensorboard)
        trainer = Trainer(spec, config, observers, run_dir=str(new_dir) if new_dir else None)

    def on_sigint(signum: int, frame: Any) -> None:
        if trainer.stopping:
            raise KeyboardInterrupt
        print("\nStopping after this step (Ctrl-C again to interrupt at once)…", file=sys.stderr)
        trainer.stop()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        end = trainer.run()
    finally:
        signal.signal(signal.SIGINT, previous)
    code = _exit_code(end.status, end.reason if lead else "")
    if dist.world_size() > 1:
        import torch.distributed as td

        with contextlib.suppress(RuntimeError):
            td.barrier()
        td.destroy_process_group()
        # gloo's threads can abort the interpreter's shutdown ("terminate called without an
        # active exception", about one run in six here, inside torch): everything is written
        # and flushed by now, so leave without that shutdown
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _exit_code(status: RunStatus, reason: str = "") -> int:
    """0 finished, 1 failed (its reason printed as the last line), 130 stopped (as by Ctrl-C)."""
    if status == RunStatus.FAILED:
        if reason:
            print(f"resnet-studio: error: {reason}", file=sys.stderr)
        return 1
    return 130 if status == RunStatus.STOPPED else 0

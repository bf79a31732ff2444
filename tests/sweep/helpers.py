"""Space files and worker processes for the sweep tests (a fixtures module: it holds no tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# tiny models on digits, one epoch, one thread each: a trial trains in about a second
TINY_SPACE = """\
[fixed]
preset = "resnet20"
in_channels = 1
input_size = 8
dataset = "digits"
epochs = {epochs}
batch_size = {batch}
threads = 1

[vary]
layers = [[1, 1, 1], [1, 1, 2]]
widths = [[4, 8, 16], [8, 16, 32]]
lr = {{ low = 0.02, high = 0.2, log = true }}

[sweep]
seed = 0
"""


def space_file(folder: Path, epochs: int = 1, batch: int = 256, extra: str = "") -> Path:
    path = folder / "space.toml"
    path.write_text(TINY_SPACE.format(epochs=epochs, batch=batch) + extra)
    return path


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "resnet_studio.cli", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*args), capture_output=True, text=True, env=env(), timeout=timeout)


def start_worker(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli("sweep", "work", *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env(),
    )


def trials(url: str, name: str) -> list:
    """The sweep's trials as Optuna stores them (a fresh read of the storage)."""
    from resnet_studio.sweep.storage import open_storage

    storage = open_storage(url)
    return storage.get_all_trials(storage.get_study_id_from_name(name))

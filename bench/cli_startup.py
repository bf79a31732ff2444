"""CLI start-up against ``python -c "import torch"``, side by side in one process.

Each command runs as a fresh process, in turn with the reference, ``--repeat`` times; the
table gives the medians and each command's time as a fraction of importing torch. The goal
(issue 10): ``summary --preset resnet50 --json`` at most a quarter of ``import torch``.
Run: ``.venv/bin/python bench/cli_startup.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

# the console script a user types, from the same environment as this Python
_SCRIPT = os.path.join(os.path.dirname(sys.executable), "resnet-studio")
CLI = [_SCRIPT] if os.path.exists(_SCRIPT) else [sys.executable, "-m", "resnet_studio.cli"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "summary --preset resnet50 --json": [
        *CLI,
        "summary",
        "--preset",
        "resnet50",
        "--json",
    ],
    "presets": [*CLI, "presets"],
    "runs": [*CLI, "runs"],
    "--help": [*CLI, "--help"],
}
REFERENCE = [sys.executable, "-c", "import torch"]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=9)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as home:
        # `runs` reads an empty runs folder, not the user's own
        env = {**os.environ, "XDG_DATA_HOME": home}
        for cmd in (REFERENCE, *COMMANDS.values()):  # warm the file cache
            timed(cmd, env)
        ref: list[float] = []
        times: dict[str, list[float]] = {k: [] for k in COMMANDS}
        for _ in range(args.repeat):
            for name, cmd in COMMANDS.items():
                ref.append(timed(REFERENCE, env))
                times[name].append(timed(cmd, env))
    r = statistics.median(ref)
    print(f'medians of {args.repeat}; reference `python -c "import torch"`: {r * 1e3:.0f} ms')
    print(f"{'command':<34} {'median':>9} {'of import torch':>16}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"{name:<34} {m * 1e3:>6.0f} ms {m / r:>15.2f}×")


if __name__ == "__main__":
    main()

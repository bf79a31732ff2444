"""Launch to first painted window, against ``python -c "import torch"``, side by side.

Each launch is a fresh ``python -m resnet_studio.cli`` process (the window, as ``resnet-studio``
opens it) with a probe that notes the wall-clock time of the main window's first paint event
and of the first model built in the background (the Explorer's "built" status), then exits.
Runs on Qt's offscreen platform unless QT_QPA_PLATFORM or DISPLAY says otherwise. Settings
and runs are read from empty temporary folders, not the user's.
Run: ``.venv/bin/python bench/window_startup.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

PROBE = r"""
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

marks = {}

class Probe(QObject):
    def eventFilter(self, obj, event):
        if (
            "paint" not in marks
            and event.type() == QEvent.Type.Paint
            and isinstance(obj.window(), QMainWindow)
        ):
            marks["paint"] = time.time()
        return False

probe = Probe()
exec_ = QApplication.exec

def exec_with_probe(self):
    self.installEventFilter(probe)

    def poll():
        window = next((w for w in self.topLevelWidgets() if isinstance(w, QMainWindow)), None)
        if window is not None and getattr(window, "model", None) is not None:
            marks.setdefault("built", time.time())
        if "paint" in marks and "built" in marks:
            print(f"PROBE {marks['paint']} {marks['built']}", flush=True)
            os._exit(0)

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(5)
    return exec_()

QApplication.exec = exec_with_probe
sys.argv = ["resnet-studio"]
from resnet_studio.cli import main
main([])
"""


def launch(env: dict[str, str]) -> tuple[float, float]:
    t = time.time()
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("PROBE")), None)
    if line is None:
        raise SystemExit(f"the window did not paint:\n{out.stderr[-2000:]}")
    paint, built = (float(v) for v in line.split()[1:])
    return paint - t, built - t


def import_torch(env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], env=env, check=True)
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": os.path.join(home, "config"),
            "XDG_DATA_HOME": os.path.join(home, "data"),
            "XDG_CACHE_HOME": os.path.join(home, "cache"),
        }
        if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
            env.setdefault("QT_QPA_PLATFORM", "offscreen")
        launch(env)  # warm the file cache
        paints, builds, torches = [], [], []
        for _ in range(args.repeat):
            torches.append(import_torch(env))
            paint, built = launch(env)
            paints.append(paint)
            builds.append(built)
    ref = statistics.median(torches)
    print(f"platform {env.get('QT_QPA_PLATFORM', 'default')}; medians of {args.repeat}")
    print(f"{'import torch (reference)':<34} {ref * 1e3:>6.0f} ms")
    for name, ts in (("launch → first painted window", paints), ("launch → model built", builds)):
        m = statistics.median(ts)
        print(f"{name:<34} {m * 1e3:>6.0f} ms  {m / ref:>5.2f}× import torch")


if __name__ == "__main__":
    main()

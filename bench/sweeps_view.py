"""The Sweeps tab's GUI stalls while it follows a 500-trial journal that workers keep adding to.

A journal gets a sweep of 500 finished trials (as workers write them: parameters, value, MACs,
run folders). The tab (1280×720, offscreen) follows it, reading as often as the window does
(every 2 s; `--interval-ms 250` stresses it eight times as hard), while another process adds a
trial every 100 ms, so that every read brings news: new table rows, the EDF redrawn. A QTimer
probe fires every 10 ms on the GUI thread and records how late each tick is (the stall). The
reference, in the same process just before: the same tab shown and probed, reading nothing
(what this machine's load alone costs). Reported: stall p50, p99 and max of each, the GUI
thread's CPU time per second (the view's own cost, apart from a shared machine's load), and the
reads and trials seen. Goal: p99 ≤ 50 ms.

    .venv/bin/python bench/sweeps_view.py [--trials 500] [--seconds 20] [--interval-ms 2000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import tempfile
import time
from pathlib import Path

from resnet_studio.gui.offscreen import use_offscreen_screen

use_offscreen_screen()

import numpy as np  # noqa: E402
import optuna  # noqa: E402
from optuna.distributions import CategoricalDistribution, FloatDistribution  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio.gui.sweeps.sweeps_model import POLL_MS, SweepFollower  # noqa: E402
from resnet_studio.gui.sweeps.sweeps_view import SweepsView  # noqa: E402
from resnet_studio.sweep.space import Space, encode  # noqa: E402
from resnet_studio.sweep.storage import create_sweep, open_storage  # noqa: E402

TICK_MS = 10

SPACE = """\
[fixed]
preset = "resnet20"
in_channels = 1
input_size = 8
dataset = "digits"
[vary]
layers = [[1, 1, 1], [2, 2, 2], [3, 3, 3], [1, 2, 3], [2, 3, 4]]
widths = [[8, 16, 32], [12, 24, 48], [16, 32, 64], [24, 48, 96]]
lr = { low = 0.01, high = 0.5, log = true }
"""


def fake_trial(space: Space, rng: random.Random) -> optuna.trial.FrozenTrial:
    """A finished trial as a worker leaves it (no training: the view reads records only)."""
    layers, widths = space.vary["layers"], space.vary["widths"]
    dists = {
        "layers": CategoricalDistribution([encode(v) for v in layers]),
        "widths": CategoricalDistribution([encode(v) for v in widths]),
        "lr": FloatDistribution(0.01, 0.5, log=True),
    }
    params = {
        "layers": encode(rng.choice(layers)),
        "widths": encode(rng.choice(widths)),
        "lr": 10 ** rng.uniform(-2, np.log10(0.5)),
    }
    n = rng.randrange(10**6)
    return optuna.trial.create_trial(
        params=params,
        distributions=dists,
        value=rng.uniform(0.6, 0.99),
        user_attrs={"macs": n, "params": n // 10, "run_dirs": [f"/runs/t{n}"], "values": [0.9]},
    )


def writer(url: str, stop: mp.Event) -> None:  # another process: a worker elsewhere
    storage = open_storage(url)
    study = optuna.load_study(study_name="big", storage=storage)
    space, rng = Space.parse(SPACE), random.Random(1)
    while not stop.is_set():
        study.add_trial(fake_trial(space, rng))
        time.sleep(0.1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trials", type=int, default=500)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument(
        "--interval-ms", type=int, default=POLL_MS, help="between reads (the window's: 2000)"
    )
    a = p.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="resnet-studio-bench-")
    url = f"journal:{Path(tmp.name) / 'sweeps.journal'}"
    storage = open_storage(url)
    space = Space.parse(SPACE)
    create_sweep("big", space, storage)
    study = optuna.load_study(study_name="big", storage=storage)
    rng = random.Random(0)
    study.add_trials([fake_trial(space, rng) for _ in range(a.trials)])

    app = QApplication.instance() or QApplication([])
    view = SweepsView(None, None, SweepFollower(interval_ms=a.interval_ms))
    view.resize(1280, 720)
    view.show()
    view.add_storage(url)
    end = time.monotonic() + 60
    while view.model.rowCount() < a.trials and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
        if view.sweeps.count() and view.current_sweep() is None:
            view.select_sweep("big", checked=True)
    assert view.model.rowCount() >= a.trials, "the view did not read the sweep"
    reads = [0]
    view.follower.read.connect(lambda _: reads.__setitem__(0, reads[0] + 1))

    cpu: list[float] = []  # the GUI thread's CPU seconds per second, per phase

    def probe_for(seconds: float) -> np.ndarray:
        stalls: list[float] = []
        cpu0 = time.thread_time()
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        def tick() -> None:
            now = clock.elapsed()
            stalls.append(max(0, now - last[0] - TICK_MS))
            last[0] = now

        probe = QTimer()
        probe.setInterval(TICK_MS)
        probe.timeout.connect(tick)
        probe.start()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.001)
        probe.stop()
        cpu.append((time.thread_time() - cpu0) / seconds)
        return np.asarray(stalls)

    # the reference: the same tab shown, the same probe, nothing read (this machine's own floor)
    view.follower.stop()
    idle = probe_for(a.seconds)
    first = view.model.rowCount()
    stop = mp.Event()
    proc = mp.Process(target=writer, args=(url, stop))
    proc.start()
    view.follower.follow(view.url, [view.current_sweep()])
    busy = probe_for(a.seconds)
    stop.set()
    proc.join()
    view.shut_down()
    from resnet_studio.gui import workers

    workers.wait_all()
    print(
        f"{first} trials at the start, {view.model.rowCount()} at the end; {reads[0]} reads "
        f"in {a.seconds:g} s"
    )
    for what, s, c in (("idle tab (reference)", idle, cpu[0]), ("following", busy, cpu[1])):
        print(
            f"{what}: GUI stall p50 {np.percentile(s, 50):.1f} ms, p99 "
            f"{np.percentile(s, 99):.1f} ms, max {s.max():.1f} ms over {len(s)} ticks; "
            f"GUI thread CPU {100 * c:.0f}%"
        )
    print(f"load average now: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print("goal: p99 ≤ 50 ms while following")


if __name__ == "__main__":
    main()

"""The window while it trains: event-loop stalls, and the run's speed against the headless trainer.

A resnet18 adapted to digits (1 channel, 10 classes, 32×32) trains one epoch on the CPU, started
from the Train tab, while a QTimer probe fires every 10 ms and records how late each tick is
(the stall). The window is visible and redraws its curves as a user would see them. Its speed
is taken from a second run without the probe (which wakes the GUI thread 100 times a second
and so slows training by itself), paired with the same run headless: same config, same
process, recording its run like `resnet-studio train`, on a fresh thread (see headless()).
Which of a pair goes first alternates. Reported: the ratio of the medians of images/s, and the
median and range of the ratios within pairs (this machine is shared; pairs cancel its drift).
Goals: stall p99 ≤ 50 ms; in-app images/s ≥ 0.95 of headless.

    .venv/bin/python bench/ui_responsiveness.py [--repeat 5] [--epochs 1] [--verbose]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from resnet_studio.gui.offscreen import use_offscreen_screen  # noqa: E402

use_offscreen_screen()

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio import ArchSpec  # noqa: E402
from resnet_studio.gui.window.main_window import MainWindow  # noqa: E402
from resnet_studio.train import Callback, RunRecorder, Trainer  # noqa: E402

# Every run directory (checkpoints included, ~100 MB a run) lives here and goes at exit.
_scratch = tempfile.TemporaryDirectory(prefix="resnet-studio-bench-")
SCRATCH = Path(_scratch.name)
SPEC = ArchSpec.from_preset("resnet18", in_channels=1, num_classes=10, input_size=32)
TICK_MS = 10


class _Epochs(Callback):
    def __init__(self) -> None:
        self.rates: list[float] = []

    def on_epoch_end(self, trainer, m) -> None:  # noqa: ANN001
        self.rates.append(m.images_per_s)


GUI_CPU: list[float] = []  # the GUI thread's CPU seconds per wall second, in unprobed runs


def in_app(app: QApplication, w: MainWindow, probe_on: bool) -> tuple[float, list[float]]:
    stalls: list[float] = []
    cpu, wall = time.thread_time(), time.perf_counter()
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
    if probe_on:  # the probe wakes the GUI thread 100 times a second: it costs speed itself
        probe.start()
    state = w.train.start_run()
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(100)
    check.timeout.connect(lambda: state.status.ended and not w.train.manager.active and loop.quit())
    check.start()
    loop.exec()
    probe.stop()
    check.stop()
    if not probe_on:
        GUI_CPU.append((time.thread_time() - cpu) / (time.perf_counter() - wall))
    assert state.status == "finished", state.reason
    return statistics.median(e["images_per_s"] for e in state.epochs), stalls


def headless(w: MainWindow) -> float:
    """The same run without the window, on a fresh thread as `resnet-studio train` has its main
    thread: one OpenMP team in the process. (A team made on the main thread would stay alive
    after it and make every later run's team, the window's included, sleep at its barriers.)"""
    epochs = _Epochs()
    ends = []
    run_dir = Path(tempfile.mkdtemp(dir=SCRATCH))  # it records its run, as the CLI does
    trainer = Trainer(
        SPEC, w.train.panel.config(), [epochs, RunRecorder(run_dir)], run_dir=str(run_dir)
    )
    t = threading.Thread(target=lambda: ends.append(trainer.run()))
    t.start()
    t.join()
    assert ends[0].status == "finished", ends[0].reason
    return statistics.median(epochs.rates)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, help="torch threads (default: the window's choice)")
    p.add_argument("--tab", type=int, default=2, help="the tab shown while training (2: Train)")
    p.add_argument(
        "--no-curves",
        action="store_true",
        help="skip the curves' redraws (to measure what they cost)",
    )
    p.add_argument("--verbose", action="store_true", help="print each pair of runs")
    args = p.parse_args()
    if args.no_curves:
        from resnet_studio.gui.train.curves import CurvesView

        CurvesView.redraw = lambda self: setattr(self, "dirty", False)
    if args.threads:
        import resnet_studio.gui.train.train_panel as train_panel

        train_panel.gui_threads = lambda: args.threads
    app = QApplication([])
    settings = QSettings(str(SCRATCH / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, runs_dir=SCRATCH / "runs")
    w.resize(1600, 1000)
    w.show()
    w.panel.set_spec(SPEC)
    panel = w.train.panel
    panel.dataset.setCurrentText("digits")
    panel.epochs.setValue(args.epochs)
    panel.device.setCurrentIndex(0)
    w.tabs.setCurrentIndex(args.tab)
    app.processEvents()
    headless(w)  # warm-up: imports, the dataset, first allocations
    ours, theirs, stalls = [], [], []
    for i in range(args.repeat):
        _, s = in_app(app, w, probe_on=True)  # the stalls, measured on their own run
        stalls += s
        pair = [lambda: ours.append(in_app(app, w, probe_on=False)[0]),  # as a user's window
                lambda: theirs.append(headless(w))]  # fmt: skip
        for run in pair if i % 2 else pair[::-1]:  # alternate which goes first
            run()
        if args.verbose:
            print(f"  pair {i + 1}: in the app {ours[-1]:.0f}, headless {theirs[-1]:.0f} images/s")
    a = np.array(stalls)
    print(
        f"resnet18 on digits at 32×32, CPU ({panel.config().threads} torch threads), "
        f"{args.repeat} runs of {args.epochs} epoch(s) each way"
    )
    print(
        f"event-loop stall while training: p50 {np.percentile(a, 50):.0f} ms, p99 "
        f"{np.percentile(a, 99):.0f} ms, max {a.max():.0f} ms ({len(a)} ticks of {TICK_MS} ms)"
    )
    mine, headless_rate = statistics.median(ours), statistics.median(theirs)
    pairs = sorted(o / t for o, t in zip(ours, theirs, strict=True))
    print(
        f"images/s in the app {mine:.0f}, headless {headless_rate:.0f}: ratio of medians "
        f"{mine / headless_rate:.3f}; per pair: median {statistics.median(pairs):.3f} "
        f"(range {pairs[0]:.2f}-{pairs[-1]:.2f})"
    )
    print(f"GUI thread while training: {100 * statistics.median(GUI_CPU):.1f}% of a core (median)")
    w.confirm_close = lambda n: True
    w.close()


if __name__ == "__main__":
    main()

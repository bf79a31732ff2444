"""What an edit costs beside the repaint (issue 20, round 4), each against its reference in one
process, alternating, as medians and the median of per-trial ratios:

1. describing and analysing a spec from a cold cache, to the totals, stages and training note
   (what an edit reads: the outline and the distinct blocks), against the same with every
   row made (what a torchinfo-like table needs, and what every edit made before);
2. a fixed piece of GUI-thread work (analysing resnet152 six times) right after dropping a
   built model on that thread, and after handing it to another thread, against the same work
   with no model dropped;
3. an edit of the 1202-layer ResNet (layer2 200 → 150 blocks and back) in the window with the
   layer filter typed, against the same edit with no filter.

    .venv/bin/python bench/edit_costs.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from resnet_studio import ArchSpec, analyze, build_model
from resnet_studio.core.analysis import clear_caches

DEEP = ArchSpec.from_preset("resnet110", layers=(200, 200, 200))


def cpu(fn: Callable[[], object]) -> float:
    t = time.thread_time()
    fn()
    return time.thread_time() - t


def line(name: str, ours: list[float], ref: list[float], what: str) -> None:
    ratios = [a / b for a, b in zip(ours, ref, strict=True)]
    print(
        f"{name:<34} {statistics.median(ours) * 1e3:8.2f} ms {statistics.median(ref) * 1e3:8.2f}"
        f" ms  ×{statistics.median(ratios):.2f}  ({what})"
    )


def analysis_costs(repeat: int) -> None:
    for name, spec in (
        ("resnet18", ArchSpec.from_preset("resnet18")),
        ("resnet152", ArchSpec.from_preset("resnet152")),
        ("resnet1202", DEEP),
    ):

        def edit(spec: ArchSpec = spec) -> None:
            clear_caches()
            a = analyze(spec)
            a.totals, a.stages, a.training_only  # noqa: B018 (what the summary strip reads)

        def every_row(spec: ArchSpec = spec) -> None:
            edit(spec)
            assert analyze(spec).rows

        ours, ref = [], []
        for _ in range(repeat):
            ours.append(cpu(edit))
            ref.append(cpu(every_row))
        line(f"analysis, {name}", ours, ref, "an edit's reads / every row made")


def freeing(repeat: int) -> None:
    def work() -> None:
        for _ in range(6):
            clear_caches()
            assert analyze(ArchSpec.from_preset("resnet152")).rows

    for name, spec in (("resnet18", ArchSpec.from_preset("resnet18")), ("resnet1202", DEEP)):
        here, there, none = [], [], []
        for _ in range(repeat):
            model = build_model(spec)
            t = time.thread_time()
            del model  # freed on this thread, as the window did
            work()
            here.append(time.thread_time() - t)
            held = [build_model(spec)]
            t = time.thread_time()
            other = threading.Thread(target=held.clear)  # what workers.let_go does
            other.start()
            work()
            there.append(time.thread_time() - t)
            other.join()
            none.append(cpu(work))
        line(f"free {name} here, then work", here, none, "/ the work alone")
        line(f"free {name} elsewhere, then work", there, none, "/ the work alone")


def filtered_edit(repeat: int) -> None:
    from resnet_studio.gui.offscreen import use_offscreen_screen

    use_offscreen_screen()
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from resnet_studio.gui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    scratch = tempfile.TemporaryDirectory(prefix="resnet-studio-bench-")
    settings = QSettings(str(Path(scratch.name) / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, runs_dir=Path(scratch.name) / "runs")
    w.resize(1600, 1000)
    w.show()
    w.panel.set_spec(DEEP)
    blocks = w.panel.stages[1][1]

    def edit() -> None:
        blocks.setValue(150 if blocks.value() == 200 else 200)
        for _ in range(5):
            app.processEvents()

    filtered, bare = [], []
    for _ in range(repeat):
        w.explorer.filter.setText("layer2.57")
        filtered.append(cpu(edit))
        w.explorer.filter.clear()
        bare.append(cpu(edit))
    line("resnet1202 edit, filter typed", filtered, bare, "/ the edit unfiltered")
    w.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=9)
    args = p.parse_args()
    print(f"GUI-thread CPU, medians of {args.repeat}; ours, reference, median per-trial ratio")
    analysis_costs(args.repeat)
    freeing(args.repeat)
    filtered_edit(args.repeat)


if __name__ == "__main__":
    main()

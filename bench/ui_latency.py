"""Latency from a control change to the updated, repainted layer tree, offscreen.

Cycles resnet18 → resnet152 → a custom spec (resnet152 with one more block in layer3) by
driving the window's own controls: once with the analysis cache cleared (every change pays the
full arithmetic) and once warm (as when a user goes back to a spec). Live builds run in the
background meanwhile, as they do for a user. The reference is a bare QTreeView over a
QStandardItemModel given the same visible rows as ready-made strings, cleared, filled and
repainted: what Qt itself costs here. Goal: within one 60 Hz frame (16 ms).

Then the diagram under the tree: resnet18 → resnet152 → the 1202-layer CIFAR ResNet (200
blocks a stage), each change followed by the tree's and the diagram's repaint; the diagram's
share is its relayout (inside the change) plus its paint. Same goal.

Each figure is given twice: wall-clock time, and the GUI thread's own CPU time (what the change
costs; on a shared, loaded machine the wall clock adds the wait for a free core).

    .venv/bin/python bench/ui_latency.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from resnet_studio.gui.offscreen import use_offscreen_screen  # noqa: E402

use_offscreen_screen()

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QTreeView  # noqa: E402

from resnet_studio import ArchSpec  # noqa: E402
from resnet_studio.core.analysis import clear_caches  # noqa: E402
from resnet_studio.gui.window.main_window import MainWindow  # noqa: E402


def visible_rows(tree: QTreeView) -> list[list[str]]:
    model, out = tree.model(), []

    def walk(parent) -> None:  # noqa: ANN001
        for r in range(model.rowCount(parent)):
            idx = model.index(r, 0, parent)
            out.append(
                [str(idx.siblingAtColumn(c).data() or "") for c in range(model.columnCount())]
            )
            if tree.isExpanded(idx):
                walk(idx)

    walk(tree.rootIndex())
    return out


def main(rounds: int = 20) -> None:
    app = QApplication([])
    scratch = tempfile.TemporaryDirectory(prefix="resnet-studio-bench-")
    settings = QSettings(str(Path(scratch.name) / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, runs_dir=Path(scratch.name) / "runs")
    w.resize(1600, 1000)
    w.show()
    app.processEvents()
    viewport = w.explorer.tree.viewport()

    def to_preset(name: str):
        return lambda: w.panel.preset.setCurrentText(name)

    def to_custom() -> None:  # resnet152 with one more block in layer3 than last time
        w.panel.stages[2][1].setValue(w.panel.stages[2][1].value() + 1)

    steps = [
        ("resnet18", to_preset("resnet18")),
        ("resnet152", to_preset("resnet152")),
        ("custom", to_custom),
    ]
    times: dict[str, list[float]] = {name: [] for name, _ in steps}
    warm: dict[str, list[float]] = {name: [] for name, _ in steps}
    reference: dict[str, list[float]] = {name: [] for name, _ in steps}
    cpu_cold: dict[str, list[float]] = {name: [] for name, _ in steps}
    cpu_warm: dict[str, list[float]] = {name: [] for name, _ in steps}
    bare, bare_model = QTreeView(), QStandardItemModel()
    bare.setModel(bare_model)
    bare.resize(w.explorer.tree.size())
    bare.show()
    for cold, store in ((True, times), (False, warm)):
        for _ in range(rounds):
            for name, change in steps:
                if cold:
                    clear_caches()
                c, t = time.thread_time(), time.perf_counter()
                change()  # the window analyses and updates the tree model synchronously
                viewport.repaint()  # and the tree paints its new rows
                store[name].append(time.perf_counter() - t)
                (cpu_cold if cold else cpu_warm)[name].append(time.thread_time() - c)
                app.processEvents()
                if cold:  # the reference: a bare QTreeView given the same visible rows
                    rows = visible_rows(w.explorer.tree)
                    t = time.perf_counter()
                    bare_model.clear()
                    for cells in rows:
                        bare_model.appendRow([QStandardItem(c) for c in cells])
                    bare.viewport().repaint()
                    reference[name].append(time.perf_counter() - t)
        w.panel.stages[2][1].setValue(36)  # the custom spec repeats: 37, 38, … then back
    print(f"control change → repainted tree, offscreen, {rounds} rounds; medians and worst")
    heads = ("cold cache", "warm cache", "bare QTreeView", "cold, CPU", "warm, CPU")
    print(f"{'':<10} " + " ".join(f"{h:>22}" for h in heads))
    for name in times:
        cells = [
            f"{statistics.median(d[name]) * 1e3:6.2f} / {max(d[name]) * 1e3:6.2f} ms"
            for d in (times, warm, reference, cpu_cold, cpu_warm)
        ]
        print(f"{name:<10} " + " ".join(f"{c:>22}" for c in cells))
    diagram_latency(app, w, rounds)
    w.close()


def diagram_latency(app: QApplication, w: MainWindow, rounds: int) -> None:
    """Control change → tree and diagram repainted, with the diagram's share."""
    ex = w.explorer
    ex.pictures.setCurrentWidget(ex.diagram)
    app.processEvents()
    huge = ArchSpec.from_preset("resnet20", layers=(200, 200, 200))
    steps = [
        ("resnet18", lambda: w.panel.preset.setCurrentText("resnet18")),
        ("resnet152", lambda: w.panel.preset.setCurrentText("resnet152")),
        ("resnet1202", lambda: w.panel.set_spec(huge)),  # one `changed`, as opening a spec
    ]
    total: dict[str, list[float]] = {name: [] for name, _ in steps}
    tree: dict[str, list[float]] = {name: [] for name, _ in steps}
    drawing: dict[str, list[float]] = {name: [] for name, _ in steps}
    cpu: dict[str, list[float]] = {name: [] for name, _ in steps}
    for _ in range(rounds):
        for name, change in steps:
            clear_caches()
            c0, t0 = time.thread_time(), time.perf_counter()
            change()  # analysis, tree model update and the diagram's relayout
            ex.tree.viewport().repaint()
            t2 = time.perf_counter()
            ex.diagram.graphics.viewport().repaint()
            t3, c3 = time.perf_counter(), time.thread_time()
            app.processEvents()
            layout = ex.diagram.layout_seconds
            total[name].append(t3 - t0)
            cpu[name].append(c3 - c0)
            drawing[name].append(layout + t3 - t2)
            tree[name].append(t2 - t0 - layout)
    print()
    print(f"control change → repainted tree and diagram, offscreen, {rounds} rounds, cold cache")
    print(f"{'':<11} {'tree':>20} {'diagram':>20} {'both':>20} {'both, CPU':>20}")
    for name in total:
        cells = [
            f"{statistics.median(d[name]) * 1e3:6.2f} / {max(d[name]) * 1e3:6.2f} ms"
            for d in (tree, drawing, total, cpu)
        ]
        print(f"{name:<11} " + " ".join(f"{c:>20}" for c in cells))
    blocks = len(ex.diagram.diagram.rows[0].blocks)
    print(f"(diagram: layout + paint; resnet1202 draws {blocks} blocks for its 600)")


if __name__ == "__main__":
    main()

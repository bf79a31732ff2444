"""Latency from a control change to the updated, repainted layer tree, offscreen.

Cycles resnet18 → resnet152 → a custom spec (resnet152 with one more block in layer3) by
driving the window's own controls: once with the analysis cache cleared (every change pays the
full arithmetic) and once warm (as when a user goes back to a spec). Live builds run in the
background meanwhile, as they do for a user. The reference is a bare QTreeView over a
QStandardItemModel given the same visible rows as ready-made strings, cleared, filled and
repainted: what Qt itself costs here. Goal: within one 60 Hz frame (16 ms).

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

from resnet_studio.core.analysis import clear_caches  # noqa: E402
from resnet_studio.gui.main_window import MainWindow  # noqa: E402


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
    bare, bare_model = QTreeView(), QStandardItemModel()
    bare.setModel(bare_model)
    bare.resize(w.explorer.tree.size())
    bare.show()
    for cold, store in ((True, times), (False, warm)):
        for _ in range(rounds):
            for name, change in steps:
                if cold:
                    clear_caches()
                t = time.perf_counter()
                change()  # the window analyses and resets the tree model synchronously
                viewport.repaint()  # and the tree paints its new rows
                store[name].append(time.perf_counter() - t)
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
    print(f"{'':<10} {'cold cache':>22} {'warm cache':>22} {'bare QTreeView':>22}")
    for name in times:
        cells = [
            f"{statistics.median(d[name]) * 1e3:6.2f} / {max(d[name]) * 1e3:6.2f} ms"
            for d in (times, warm, reference)
        ]
        print(f"{name:<10} " + " ".join(f"{c:>22}" for c in cells))
    w.close()


if __name__ == "__main__":
    main()

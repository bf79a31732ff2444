"""The Sweeps view's pictures (pyqtgraph): error EDFs overlaid, the objective against one
parameter, and parallel coordinates of every trial. Each draws plain data that the sweep package
computed (rows, EDF points); nothing is computed here but positions on the axes.

Parallel coordinates draw all trials as five PlotDataItems (one per quintile of the objective,
lines broken by NaN), so 500 trials redraw in milliseconds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from resnet_studio.gui import theme  # noqa: F401  # pyqtgraph's colours, before the first plot
from resnet_studio.gui.plots.plot_export import write_figure
from resnet_studio.gui.plots.stage_charts import colour
from resnet_studio.sweep.results import TrialRow

QUINTILE_COLOURS = ["#c9d9ee", "#93b4dc", "#5d8fca", "#2f6db3", "#173d6e"]  # worst → best


def edf_steps(points: list[list[float]]) -> tuple[np.ndarray, np.ndarray]:
    """The EDF as a staircase from (first error, 0) to (last error, 1)."""
    xs, ys = [], []
    before = 0.0
    for x, f in points:
        xs += [x, x]
        ys += [before, f]
        before = f
    return np.asarray(xs, float), np.asarray(ys, float)


EMPTY = "No finished trials yet; this chart fills in as trials complete."


def empty_label() -> QLabel:
    """The sentence a chart shows instead of bare axes while it has nothing to draw."""
    label = QLabel(EMPTY)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.hide()
    return label


def show_empty(plot: Any, label: QLabel, empty: bool) -> None:
    label.setVisible(empty)
    plot.setVisible(not empty)


def legend_html(names: list[str]) -> str:
    return "  ".join(f"<span style='color:{colour(i)}'>■</span> {n}" for i, n in enumerate(names))


class EdfPlot(QWidget):
    """The error EDF of one or several sweeps on one chart (better spaces lie up and left)."""

    def __init__(self) -> None:
        super().__init__()
        self.legend = QLabel()
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "error (1 − objective), %")
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.setLabel("left", "fraction of models with lower error")
        self.plot.setYRange(0, 1.02)
        self.curves: dict[str, Any] = {}
        self.empty = empty_label()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.legend)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.empty, 1)
        show_empty(self.plot, self.empty, True)

    def set_edfs(self, edfs: dict[str, list[list[float]]]) -> None:
        for name in list(self.curves):
            if name not in edfs:
                self.plot.removeItem(self.curves.pop(name))
        for i, (name, points) in enumerate(edfs.items()):
            curve = self.curves.get(name)
            if curve is None:
                curve = self.curves[name] = self.plot.plot()
            curve.setPen(pg.mkPen(colour(i), width=2))
            xs, ys = edf_steps(points)
            curve.setData(xs * 100, ys)
        text = legend_html(list(edfs)) if edfs else "No finished trials yet."
        cut = edf_cut(edfs)
        if cut is not None:
            beyond = sum(sum(1 for x, _ in pts if x > cut) for pts in edfs.values())
            text += f"  <span style='color:gray'>(errors above {100 * cut:.3g}% off the right "
            text += f"edge: {beyond}; drag to see)</span>" if beyond else ""
            self.plot.setXRange(0, 100 * cut, padding=0.02)
        else:
            self.plot.enableAutoRange(x=True)
        self.legend.setText(text)
        show_empty(self.plot, self.empty, not any(edfs.values()))


def edf_cut(edfs: dict[str, list[list[float]]], fraction: float = 0.9) -> float | None:
    """Where the chart's x axis ends: 1.5 times the error at which every EDF has reached
    ``fraction`` (a few very bad models would squeeze the rest into the left edge), or None
    when that shows every point anyway."""
    ends = [next(x for x, f in pts if f >= fraction) for pts in edfs.values() if pts]
    if not ends:
        return None
    cut = 1.5 * max(ends)
    worst = max(pts[-1][0] for pts in edfs.values() if pts)
    return cut if cut < worst and cut > 0 else None


def _axis_values(values: list[Any]) -> tuple[np.ndarray, list[tuple[float, str]] | None, bool]:
    """Positions for a parameter's values: numbers as they are (log when they span decades),
    anything else (lists, names) by its rank, with tick labels."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        arr = np.asarray(values, float)
        log = bool(len(arr) and arr.min() > 0 and arr.max() / arr.min() >= 30)
        return arr, None, log
    distinct = list({str(v): v for v in values}.values())
    try:  # lists of numbers in their own order ([8, 16, 32] before [12, 24, 48])
        distinct.sort()
    except TypeError:
        distinct.sort(key=str)
    labels = [_short(v) for v in distinct]
    where = {str(v): i for i, v in enumerate(distinct)}
    return np.asarray([where[str(v)] for v in values], float), list(enumerate(labels)), False


def _short(v: Any) -> str:
    if isinstance(v, list):
        return "-".join(str(x) for x in v)
    return f"{v:.3g}" if isinstance(v, float) else str(v)


class ObjectivePlot(QWidget):
    """The objective of each finished trial against one parameter (chosen in a combo)."""

    def __init__(self) -> None:
        super().__init__()
        self.choice = QComboBox()
        self.choice.setToolTip("The parameter on the horizontal axis")
        self.plot = pg.PlotWidget()
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.scatter = pg.ScatterPlotItem(size=7, brush=pg.mkBrush(colour(0)), pen=None)
        self.plot.addItem(self.scatter)
        self.rows: list[TrialRow] = []
        self.objective = "objective"
        top = QHBoxLayout()
        top.addWidget(QLabel("Objective against"))
        top.addWidget(self.choice, 1)
        self.empty = empty_label()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.empty, 1)
        show_empty(self.plot, self.empty, True)
        self.choice.currentTextChanged.connect(lambda _: self._draw())

    def set_rows(self, rows: list[TrialRow], objective: str) -> None:
        self.rows = [r for r in rows if r.state == "complete" and r.value is not None]
        self.objective = objective
        names = list(dict.fromkeys(k for r in self.rows for k in r.params)) + ["macs", "parameters"]
        if names != [self.choice.itemText(i) for i in range(self.choice.count())]:
            keep = self.choice.currentText()
            self.choice.blockSignals(True)
            self.choice.clear()
            self.choice.addItems(names)
            if keep in names:
                self.choice.setCurrentText(keep)
            self.choice.blockSignals(False)
        show_empty(self.plot, self.empty, not self.rows)
        self._draw()

    def _draw(self) -> None:
        name = self.choice.currentText()
        rows = [r for r in self.rows if name in r.params or name in ("macs", "parameters")]
        values = [r.params[name] if name in r.params else getattr(r, name) for r in rows]
        rows = [r for r, v in zip(rows, values, strict=True) if v is not None]
        values = [v for v in values if v is not None]
        xs, ticks, log = _axis_values(values)
        self.plot.setLogMode(x=log, y=False)
        self.plot.getAxis("bottom").setTicks([ticks] if ticks else None)
        self.plot.setLabel("bottom", name)
        self.plot.setLabel("left", self.objective)
        self.scatter.setData(
            x=np.log10(xs) if log else xs,
            y=[r.value for r in rows],
            data=[r.number for r in rows],
        )


class ParallelPlot(QWidget):
    """Parallel coordinates: one axis per parameter and the objective; a line per trial,
    darker for a better objective."""

    def __init__(self) -> None:
        super().__init__()
        self.plot = pg.PlotWidget()
        self.plot.hideAxis("left")
        self.plot.getAxis("bottom").setStyle(tickLength=0)
        self.plot.setMouseEnabled(x=False, y=False)
        self.lines = [self.plot.plot(pen=pg.mkPen(c, width=1.2)) for c in QUINTILE_COLOURS]
        self.labels: list[pg.TextItem] = []
        self._marks: list[Any] = []
        self.empty = empty_label()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)
        lay.addWidget(self.empty)
        show_empty(self.plot, self.empty, True)

    def set_rows(self, rows: list[TrialRow], objective: str) -> None:
        done = [r for r in rows if r.state == "complete" and r.value is not None]
        show_empty(self.plot, self.empty, not done)
        if not done:  # nothing to place on the axes (an empty column has no range)
            for line in self.lines:
                line.setData([], [])
            return
        names = list(dict.fromkeys(k for r in done for k in r.params))
        axes = []
        marks: list[list[tuple[float, str]]] = []  # per axis: (height in [0, 1], text)
        columns = [[r.params.get(name, math.nan) for r in done] for name in names]
        columns.append([r.value for r in done])
        for values in columns:
            raw, ticks, log = _axis_values(values)
            unit = _unit(np.log10(raw) if log else raw)
            axes.append(unit)
            if ticks:
                top = max(1, len(ticks) - 1)
                marks.append([(i / top if len(ticks) > 1 else 0.5, t) for i, t in ticks])
            elif len(raw):
                marks.append(
                    [(0.0, _short(float(np.nanmin(raw)))), (1.0, _short(float(np.nanmax(raw))))]
                )
            else:
                marks.append([])
        self.plot.getAxis("bottom").setTicks([list(enumerate([*names, "objective"]))])
        self.plot.setToolTip(f"objective: {objective}; darker lines are better trials")
        if marks != self._marks:  # new text items only when the axes' values change
            self._marks = marks
            for label in self.labels:
                self.plot.removeItem(label)
            self.labels = []
            for k, axis_marks in enumerate(marks):
                for y, t in axis_marks:
                    label = pg.TextItem(t, color="#555555", anchor=(0, 0.5))
                    label.setPos(k + 0.03, y)
                    self.plot.addItem(label)
                    self.labels.append(label)
        ys = np.stack(axes, axis=1)  # trials × axes, each axis in [0, 1]
        k = ys.shape[1]
        order = np.argsort(np.argsort(ys[:, -1], kind="stable"), kind="stable")
        group = np.minimum(order * len(self.lines) // max(1, len(done)), len(self.lines) - 1)
        for g, line in enumerate(self.lines):
            sel = ys[group == g]
            # each trial's k points, then a NaN that breaks the line before the next trial
            heights = np.concatenate([sel, np.full((len(sel), 1), np.nan)], axis=1).ravel()
            where = np.tile(np.append(np.arange(k, dtype=float), np.nan), len(sel))
            line.setData(where, heights, connect="finite")
        self.plot.setXRange(-0.15, k - 0.55, padding=0)
        self.plot.setYRange(-0.05, 1.05, padding=0)


def _unit(values: np.ndarray) -> np.ndarray:
    low, high = np.nanmin(values), np.nanmax(values)
    return np.full_like(values, 0.5) if high <= low else (values - low) / (high - low)


def write_edf_png(edfs: dict[str, list[list[float]]], path: str) -> None:
    """The error EDFs as a picture (``sweep show --plot``), offscreen."""
    from resnet_studio.gui.offscreen import use_offscreen_screen

    use_offscreen_screen()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    plot = EdfPlot()
    plot.set_edfs(edfs)
    item = plot.plot.getPlotItem()
    item.setTitle(plot.legend.text())  # the names, and how many errors lie off the edge
    write_figure([item], path, 640, 420)
    del app

"""Live curves of one or more runs (pyqtgraph): loss and accuracy, redrawn on a timer.

Loss: each step's training loss, faint, behind its exponential moving average, and the
validation loss per epoch. Accuracy: train and validation per epoch. The x-axis is the step,
the epoch, the wall-clock time or the time since the run's start; the loss can be on a log
scale; the best validation epoch of each run is marked. Curves are clipped to the view and
downsampled by peaks, so 100k+ points stay smooth. Each plot's legend sits under its x-axis
(``plot_legend.py``): a click on a run there hides or shows it; the mouse names the nearest
point (``plot_hover.py``); figures export without the controls (``plot_export.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.gui import theme  # noqa: F401 (pyqtgraph's colours, before the first plot)
from resnet_studio.gui.plots.plot_export import write_figure
from resnet_studio.gui.plots.plot_hover import HoverTip, Series, nearest
from resnet_studio.gui.plots.plot_legend import Entry, RunLegend, line_key
from resnet_studio.gui.slots import Pass
from resnet_studio.gui.train.curves_math import ema, finite_values, steady
from resnet_studio.gui.train.curves_text import describe, wall_at
from resnet_studio.train.events import RunStatus
from resnet_studio.train.run import Run

# a live run's x-axis spans its plan
LIVE = (
    RunStatus.STARTING,
    RunStatus.RUNNING,
    RunStatus.PAUSED,
    RunStatus.QUEUED,
    RunStatus.STOPPING,
)
REDRAW_MS = 500  # at most 2 redraws a second (painting competes with training on small CPUs)
X_AXES = ("step", "epoch", "wall time", "relative time (s)")
STEP, EPOCH, WALL, RELATIVE = range(4)


class CurvesView(QWidget):
    visibilityToggled = Signal(object)  # a run, hidden or shown by a click on its legend entry

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)  # the accuracy plot has no right axis
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Smoothing"))
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(60)
        self.smoothing.setMaximumWidth(160)
        self.smoothing.setToolTip("Exponential moving average of the step loss (0 to 0.99)")
        self.smoothing_label = QLabel("0.60")
        self.x_axis = QComboBox()
        self.x_axis.addItems(list(X_AXES))
        self.x_axis.setToolTip(
            "What the x-axis counts: steps, epochs, the clock, or seconds of training since "
            "the run's first step"
        )
        self.log_y = QCheckBox("log loss")
        self.log_y.setToolTip("Logarithmic y-axis for the loss")
        self.hover = QLabel("")
        self.hover.setStyleSheet("color: palette(mid);")
        # a long line never widens the window: it is cut here, and whole beside the point
        self.hover.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hover.hide()  # until the mouse is over a curve
        for w in (
            self.smoothing,
            self.smoothing_label,
            QLabel("  x-axis"),
            self.x_axis,
            self.log_y,
        ):
            bar.addWidget(w)
        bar.addStretch(0)  # holds the controls left while the hover line is hidden
        bar.addWidget(self.hover, 1)  # what it does not show, the tip beside the point does
        layout.addLayout(bar)
        plots = QHBoxLayout()
        self.loss = pg.PlotWidget(title="Loss")
        self.acc = pg.PlotWidget(title="Accuracy")
        for w, label in ((self.loss, "loss"), (self.acc, "accuracy")):
            # plain lines: antialiased software painting of two live plots cost training speed
            w.setAntialiasing(False)
            w.showGrid(x=False, y=True, alpha=0.15)  # fewer lines to paint: a cost while training
            for side in ("left", "bottom"):
                # a curve's update repaints the axes it overlaps (the grid, the ticks): from a
                # pixmap while their range holds, instead of replaying every label's text
                w.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            w.setLabel("left", label)
            w.getAxis("left").enableAutoSIPrefix(False)
            plots.addWidget(w)
        # under the x-axes, never over the data; a click hides or shows a run
        self.legends = {
            key: RunLegend(w.getPlotItem(), self.toggle_run)
            for key, w in (("loss", self.loss), ("acc", self.acc))
        }
        self.tips = {key: HoverTip(w.getPlotItem()) for key, w in self.plot_widgets().items()}
        for w in self.plot_widgets().values():
            w.installEventFilter(self)
        self._key = line_key()  # the line styles, after the runs in each legend
        layout.addLayout(plots, 1)
        # Autorange fits each plot to an invisible item spanning a steady range (see steady()),
        # so a user's zoom, pan and the "A" button behave as pyqtgraph's always do.
        self._envelopes = {}
        for key, w in (("loss", self.loss), ("acc", self.acc)):
            self._envelopes[key] = pg.PlotDataItem(pen=QPen(Qt.PenStyle.NoPen))
            w.addItem(self._envelopes[key])
        self._ranges: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
        self.runs: list[Run] = []
        self.dirty = False
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.smoothing.valueChanged.connect(self._smoothing_changed)
        self.x_axis.currentIndexChanged.connect(self.mark_dirty)
        self.log_y.toggled.connect(self._log_y_toggled)
        self._proxies = [  # each plot has a scene of its own, with coordinates of its own
            pg.SignalProxy(w.scene().sigMouseMoved, rateLimit=20, slot=self._hover_slot(key))
            for key, w in self.plot_widgets().items()
        ]
        self.redraws = 0  # counted, for tests and the benchmark
        self._items: dict[int, dict[str, Any]] = {}  # plot items per run
        self._drawn: dict[int, tuple[int, int]] = {}  # what each run's items show
        self._settings: tuple[Any, ...] | None = None
        self._shown: tuple[tuple[int, bool], ...] | None = None  # visible runs, live or not

    def plot_widgets(self) -> dict[str, pg.PlotWidget]:
        return {"loss": self.loss, "acc": self.acc}

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize:  # a plot's new width: its legend's columns
            for key, w in self.plot_widgets().items():
                if w is watched:
                    self.legends[key].fit(event.size().width())
        return False

    def toggle_run(self, run: Run) -> None:
        """Hide a shown run, or show a hidden one, in both plots and the runs table."""
        run.visible = not run.visible
        self.redraw()
        self.visibilityToggled.emit(run)

    def set_runs(self, runs: list[Run]) -> None:
        self.runs = runs
        self.mark_dirty()

    def mark_dirty(self, *_: Any) -> None:
        self.dirty = True

    def _log_y_toggled(self, on: bool) -> None:
        self.loss.setLogMode(y=on)
        self.mark_dirty()

    def _smoothing_changed(self, v: int) -> None:
        self.smoothing_label.setText(f"{v / 100:.2f}")
        self.mark_dirty()

    def _tick(self) -> None:
        if self.dirty and self.isVisible():
            self.redraw()

    def _x(self, run: Run, step: np.ndarray, time: np.ndarray) -> np.ndarray:
        """Where the steps ``step``, at ``time`` seconds of training, lie on the x-axis."""
        mode = self.x_axis.currentIndex()
        if mode == STEP:
            return step
        if mode == EPOCH:
            return step / max(1, run.info.steps_per_epoch or 1)
        start = run.step_time.values[0] if run.step.n else 0.0
        if mode == RELATIVE:
            return time - start
        return wall_at(run, time)  # the clock

    def _epoch_x(self, run: Run) -> np.ndarray:
        steps = np.array([e.step for e in run.epochs], dtype=float)
        times = np.array([e.time for e in run.epochs], dtype=float)
        return self._x(run, steps, times)

    def _set_x_axis(self) -> None:
        """The x-axis's label, and for the clock, times of day as ticks."""
        wall = self.x_axis.currentIndex() == WALL
        fg = pg.getConfigOption("foreground")
        for p in (self.loss.getPlotItem(), self.acc.getPlotItem()):
            if wall != isinstance(p.getAxis("bottom"), pg.DateAxisItem):
                axis = pg.DateAxisItem("bottom") if wall else pg.AxisItem("bottom")
                p.setAxisItems({"bottom": axis})
                axis.setPen(fg)
                axis.setTextPen(fg)
            p.setLabel("bottom", self.x_axis.currentText())

    def redraw(self) -> None:
        """Bring the plot items up to date: new runs get items, changed runs get new data;
        a run that did not change since the last redraw costs nothing."""
        self.dirty = False
        self.redraws += 1
        shown = tuple((id(r), r.status in LIVE) for r in self.runs if r.visible)
        settings = (self.smoothing.value(), self.x_axis.currentIndex(), self.log_y.isChecked())
        loss, acc = self.loss.getPlotItem(), self.acc.getPlotItem()
        if settings != self._settings:
            self._drawn.clear()  # every run's data depend on these
            if self._settings is None or settings[1] != self._settings[1]:
                self._set_x_axis()  # only on a change: a new label lays the axis out again
        if (settings, shown) != (self._settings, self._shown):
            self._ranges.clear()  # fit the ranges afresh to what is shown now
        self._settings, self._shown = settings, shown
        alive = {id(r) for r in self.runs}
        for key in [k for k in self._items if k not in alive]:
            for item in self._items.pop(key).values():
                (loss if item in loss.items else acc).removeItem(item)
            self._drawn.pop(key, None)
        for run in self.runs:
            items = self._items.get(id(run)) or self._make_items(run, loss, acc)
            for item in items.values():
                item.setVisible(run.visible)
            steps, epochs = self._drawn.get(id(run), (-1, -1))
            if steps != run.step.n:
                self._update_steps(run, items)
            if epochs != len(run.epochs):  # the accuracy plot changes only once an epoch
                self._update_epochs(run, items)
            self._drawn[id(run)] = (run.step.n, len(run.epochs))
        self._list()
        self._hold_ranges()

    def _list(self) -> None:
        """One legend entry per run with points, hidden or not, then the key to the lines."""
        listed = [r for r in self.runs if r.has_points]
        for key, line in (("loss", "smooth"), ("acc", "val_acc")):
            entries: list[Entry] = [
                (r, self._items[id(r)][line], r.label, r.visible) for r in listed
            ]
            if listed:
                entries += [(None, item, name, True) for name, item in self._key[key]]
            self.legends[key].set_entries(entries)

    def _hold_ranges(self) -> None:
        """Span each plot's envelope over what its visible runs show (see steady()). Both plots
        share one x range, from 0 to the end of the longest live run's plan (or of the data)."""
        log = self.log_y.isChecked()
        clock = self.x_axis.currentIndex() == WALL  # the axis does not start at 0
        xs, plans, loss, acc = [np.empty(0) if clock else np.zeros(1)], [], [], []
        shown = [r for r in self.runs if r.visible]
        for run in shown:
            ends = [0, -1] if run.step.n else []  # steps and times only grow: their ends do
            xs += [
                self._x(run, run.step.values[ends], run.step_time.values[ends]),
                self._epoch_x(run),
            ]
            if run.status in LIVE and self.x_axis.currentIndex() in (STEP, EPOCH):
                plans.append(self._x(run, np.array([float(run.total_steps)]), np.zeros(1))[0])
            loss += [run.step_loss.values, [e.val_loss for e in run.epochs]]
            acc += [[getattr(e, k) for e in run.epochs] for k in ("train_accuracy", "val_accuracy")]
        x, y_loss, y_acc = (finite_values(v) for v in (xs, loss, acc))
        if log:
            y_loss = np.log10(y_loss[y_loss > 0])
        if not len(y_loss) or not len(x):
            for key, env in self._envelopes.items():
                if self._ranges.pop(key, None) is not None:
                    env.setData([], [])
            return
        old = self._ranges.get("loss")
        x_hi, plan = x.max(), max(plans, default=-np.inf)
        # room for a live run to grow into, unless its plan's end is known; else only room
        # for the last marker
        grows = plan < x_hi and any(r.status in LIVE for r in shown)
        x_lo = x.min() if clock else 0.0
        rx = steady(
            old and old[0], x_lo, max(x_hi, plan), 0.02 if clock else 0, 0.25 if grows else 0.02
        )
        floor = -np.inf if log else 0.0
        for key, ys, limits in (("loss", y_loss, (floor, np.inf)), ("acc", y_acc, (0.0, 1.0))):
            old = self._ranges.get(key)
            lo, hi = (ys.min(), ys.max()) if len(ys) else (0.0, 1.0)
            ry = steady(old and old[1], lo, hi, floor=limits[0], ceiling=limits[1])
            if (rx, ry) != old:
                self._ranges[key] = (rx, ry)
                y = np.array(ry)
                self._envelopes[key].setData(np.array(rx), 10**y if key == "loss" and log else y)

    def _make_items(self, run: Run, loss: pg.PlotItem, acc: pg.PlotItem) -> dict[str, Any]:
        c = pg.mkColor(run.colour)
        faint = pg.mkColor(run.colour)
        faint.setAlpha(60)
        dash = Qt.PenStyle.DashLine
        items = {
            "raw": pg.PlotDataItem(antialias=False, pen=pg.mkPen(faint)),
            "smooth": pg.PlotDataItem(
                antialias=False,
                pen=pg.mkPen(c, width=2),
                symbolSize=6,
                symbolBrush=c,
                name=f"{run.label} train",
            ),
            "val_loss": pg.PlotDataItem(
                antialias=False,
                pen=pg.mkPen(c, width=2, style=dash),
                symbol="o",
                symbolSize=6,
                symbolBrush=c,
                name=f"{run.label} val",
            ),
            "train_acc": pg.PlotDataItem(
                antialias=False,
                pen=pg.mkPen(c, width=1.5, style=dash),
                symbolSize=6,
                symbolBrush=c,
                name=f"{run.label} train",
            ),
            "val_acc": pg.PlotDataItem(
                antialias=False,
                pen=pg.mkPen(c, width=2),
                symbol="o",
                symbolSize=6,
                symbolBrush=c,
                name=f"{run.label} val",
            ),
            "best": pg.ScatterPlotItem(symbol="star", size=16, brush=c, pen=pg.mkPen("k")),
        }
        for name in ("raw", "smooth", "val_loss"):
            # first: clipping asks the item's view box for its range. The envelope bounds
            # the autorange, so the view need not measure every curve at each paint
            loss.addItem(items[name], ignoreBounds=True)
        for name in ("raw", "smooth"):
            items[name].setClipToView(True)
            items[name].setDownsampling(auto=True, method="peak")
            # each pixel column (or half, on HiDPI) shows its steps' min and max: as drawn
            # with every point, at a fraction of the lines (pyqtgraph's default is 5 a pixel)
            items[name].opts["autoDownsampleFactor"] = 2.0
        for name in ("train_acc", "val_acc", "best"):
            acc.addItem(items[name], ignoreBounds=True)
        self._items[id(run)] = items
        return items

    def _update_steps(self, run: Run, items: dict[str, Any]) -> None:
        x = self._x(run, run.step.values, run.step_time.values)
        y = run.step_loss.values
        items["raw"].setData(x, y)
        items["smooth"].setData(x, ema(y, self.smoothing.value() / 100))
        _dot_if_single(items["smooth"], len(x))

    def _update_epochs(self, run: Run, items: dict[str, Any]) -> None:
        ex = self._epoch_x(run)
        val_loss = [e.val_loss for e in run.epochs]
        val_acc = [e.val_accuracy for e in run.epochs]
        known: list[float] = [v for v in val_acc if v is not None]
        has_val = bool(run.epochs) and len(known) == len(val_acc)
        items["val_loss"].setData(ex, val_loss if has_val else [])
        items["train_acc"].setData(ex, [e.train_accuracy for e in run.epochs])
        _dot_if_single(items["train_acc"], len(ex))
        items["val_acc"].setData(ex, known if has_val else [])
        if has_val:
            best = int(np.argmax(known))
            items["best"].setData([ex[best]], [known[best]])
            items["best"].setToolTip(
                f"{run.label}: best validation accuracy "
                f"{100 * known[best]:.2f}% (epoch "
                f"{run.epochs[best].epoch})"
            )
        else:
            items["best"].setData([], [])

    def _hover_slot(self, key: str) -> Any:
        return Pass(self._hovered, key=key)  # holds the view weakly: no cycle through Qt

    def _hovered(self, event: Any, key: str = "loss") -> None:
        """Name the point nearest the mouse in plot ``key``: its run, step, value and time."""
        pos, tip = event[0], self.tips[key]
        vb = self.plot_widgets()[key].getPlotItem().vb
        hit = None
        if vb.sceneBoundingRect().contains(pos):
            hit = nearest(self._series(key), vb, vb.mapSceneToView(pos))
        if hit is None or hit.pixels > 80:  # far from every curve: say nothing
            tip.hide()
            self.hover.setText("")
            self.hover.hide()
            return
        run, i = hit.series.key, hit.index
        smooth = self._items[id(run)]["smooth"].getOriginalDataset()[1]
        text = describe(run, hit.series.what, i, smooth if self.smoothing.value() else None)
        tip.show(hit.series.x[i], hit.series.y[i], text, run.colour)
        line = text.replace("\n", " · ")
        self.hover.show()
        # shortened with "…" where the bar is narrow (whole beside the point, and as tooltip)
        shown = self.hover.fontMetrics().elidedText(
            line, Qt.TextElideMode.ElideRight, max(self.hover.width(), 120)
        )
        self.hover.setText(shown)
        self.hover.setToolTip(line)

    def _series(self, key: str) -> list[Series]:
        """What the mouse can point at in plot ``key``, as drawn (log10 on a log axis)."""
        out = []
        log = self.log_y.isChecked()
        for run in self.runs:
            if not run.visible:
                continue
            if key == "loss" and run.step.n:
                y = run.step_loss.values
                with np.errstate(divide="ignore", invalid="ignore"):
                    y = np.log10(y) if log else y
                out.append(
                    Series(run, self._x(run, run.step.values, run.step_time.values), y, "loss")
                )
            elif key == "acc" and run.epochs:
                x = self._epoch_x(run)
                for what in ("val_accuracy", "train_accuracy"):
                    y = np.array([getattr(e, what) for e in run.epochs], dtype=float)
                    if np.isfinite(y).any():
                        out.append(Series(run, x, y, what))
        return out

    def export(
        self, path: str, width: int | None = None, height: int | None = None, dpi: float = 96
    ) -> None:
        """Both plots side by side, with their legends and without the controls, as PNG or
        SVG (by the path's suffix) at ``width``×``height`` pixels (default: as shown), written
        atomically."""
        self.redraw()
        for tip in self.tips.values():
            tip.hide()
        width = width or self.loss.width() + self.acc.width()
        height = height or self.loss.height()
        plots = [self.loss.getPlotItem(), self.acc.getPlotItem()]
        write_figure(plots, path, width, height, dpi, title="Training curves")


def _dot_if_single(item: pg.PlotDataItem, points: int) -> None:
    """A line through one point draws nothing: a one-epoch run's curve gets a dot instead."""
    symbol = "o" if points == 1 else None
    if item.opts["symbol"] != symbol:
        item.setSymbol(symbol)

"""Live curves of one or more runs (pyqtgraph): loss and accuracy, redrawn on a timer.

Loss: each step's training loss, faint, behind its exponential moving average, and the
validation loss per epoch. Accuracy: train and validation per epoch. The x-axis is the step,
the epoch or the wall time; the best validation epoch of each run is marked. Curves are
clipped to the view and downsampled by peaks, so 100k+ points stay smooth.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from .runs import RunState

REDRAW_MS = 500  # at most 2 redraws a second (painting competes with training on small CPUs)


def ema(values: np.ndarray, alpha: float) -> np.ndarray:
    """TensorBoard-style smoothing: s_t = alpha * s_(t-1) + (1 - alpha) * x_t, debiased."""
    if alpha <= 0 or len(values) == 0:
        return values
    from scipy.signal import lfilter

    smoothed = lfilter([1 - alpha], [1, -alpha], values)
    return smoothed / (1 - alpha ** np.arange(1, len(values) + 1))


class CurvesView(QWidget):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Smoothing"))
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(60)
        self.smoothing.setMaximumWidth(160)
        self.smoothing.setToolTip("Exponential moving average of the step loss (0 to 0.99)")
        self.smoothing_label = QLabel("0.60")
        self.x_axis = QComboBox()
        self.x_axis.addItems(["step", "epoch", "time (s)"])
        self.x_axis.setToolTip("What the x-axis counts")
        self.log_y = QCheckBox("log loss")
        self.log_y.setToolTip("Logarithmic y-axis for the loss")
        self.hover = QLabel("")
        self.hover.setStyleSheet("color: palette(mid);")
        for w in (
            self.smoothing,
            self.smoothing_label,
            QLabel("  x-axis"),
            self.x_axis,
            self.log_y,
        ):
            bar.addWidget(w)
        bar.addStretch()
        bar.addWidget(self.hover)
        layout.addLayout(bar)
        plots = QHBoxLayout()
        self.loss = pg.PlotWidget(title="Loss")
        self.acc = pg.PlotWidget(title="Accuracy")
        for w, label in ((self.loss, "loss"), (self.acc, "accuracy")):
            # plain lines: antialiased software painting of two live plots cost training speed
            w.setAntialiasing(False)
            w.showGrid(x=False, y=True, alpha=0.15)  # fewer lines to paint: a cost while training
            w.setLabel("left", label)
            w.getAxis("left").enableAutoSIPrefix(False)
            w.addLegend(offset=(-10, 10))
            plots.addWidget(w)
        layout.addLayout(plots, 1)
        self.runs: list[RunState] = []
        self.dirty = False
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.smoothing.valueChanged.connect(self._smoothing_changed)
        self.x_axis.currentIndexChanged.connect(self.mark_dirty)
        self.log_y.toggled.connect(lambda on: (self.loss.setLogMode(y=on), self.mark_dirty()))
        self._proxy = pg.SignalProxy(
            self.loss.scene().sigMouseMoved, rateLimit=20, slot=self._hovered
        )
        self.redraws = 0  # counted, for tests and the benchmark
        self._items: dict[int, dict[str, Any]] = {}  # plot items per run
        self._drawn: dict[int, tuple[int, int]] = {}  # what each run's items show
        self._settings: tuple[int, int] | None = None

    def set_runs(self, runs: list[RunState]) -> None:
        self.runs = runs
        self.mark_dirty()

    def mark_dirty(self, *_: Any) -> None:
        self.dirty = True

    def _smoothing_changed(self, v: int) -> None:
        self.smoothing_label.setText(f"{v / 100:.2f}")
        self.mark_dirty()

    def _tick(self) -> None:
        if self.dirty and self.isVisible():
            self.redraw()

    def _x(self, run: RunState, step: np.ndarray, time: np.ndarray) -> np.ndarray:
        mode = self.x_axis.currentIndex()
        if mode == 0:
            return step
        if mode == 1:
            return step / max(1, int(run.info.get("steps_per_epoch") or 1))
        return time

    def _epoch_x(self, run: RunState) -> np.ndarray:
        steps = np.array([e["step"] for e in run.epochs], dtype=float)
        times = np.array([e.get("time", 0.0) for e in run.epochs], dtype=float)
        return self._x(run, steps, times)

    def redraw(self) -> None:
        """Bring the plot items up to date: new runs get items, changed runs get new data;
        a run that did not change since the last redraw costs nothing."""
        self.dirty = False
        self.redraws += 1
        settings = (self.smoothing.value(), self.x_axis.currentIndex())
        if settings != self._settings:
            self._settings = settings
            self._drawn.clear()  # every run's data depends on these
        loss, acc = self.loss.getPlotItem(), self.acc.getPlotItem()
        for p in (loss, acc):
            p.setLabel("bottom", self.x_axis.currentText())
        alive = {id(r) for r in self.runs}
        for key in [k for k in self._items if k not in alive]:
            for item in self._items.pop(key).values():
                (loss if item in loss.items else acc).removeItem(item)
            self._drawn.pop(key, None)
        for run in self.runs:
            items = self._items.get(id(run)) or self._make_items(run, loss, acc)
            for item in items.values():
                item.setVisible(run.visible)
            version = (run.step.n, len(run.epochs))
            if self._drawn.get(id(run)) == version:
                continue
            self._drawn[id(run)] = version
            self._update(run, items)

    def _make_items(self, run: RunState, loss: pg.PlotItem, acc: pg.PlotItem) -> dict[str, Any]:
        c = pg.mkColor(run.colour)
        faint = pg.mkColor(run.colour)
        faint.setAlpha(60)
        dash = Qt.PenStyle.DashLine
        items = {
            "raw": pg.PlotDataItem(antialias=False, pen=pg.mkPen(faint)),
            "smooth": pg.PlotDataItem(
                antialias=False, pen=pg.mkPen(c, width=2), name=f"{run.label} train"
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
                antialias=False, pen=pg.mkPen(c, width=1.5, style=dash), name=f"{run.label} train"
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
            loss.addItem(items[name])  # first: clipping asks the item's view box for its range
        for name in ("raw", "smooth"):
            items[name].setClipToView(True)
            items[name].setDownsampling(auto=True, method="peak")
        for name in ("train_acc", "val_acc", "best"):
            acc.addItem(items[name])
        self._items[id(run)] = items
        return items

    def _update(self, run: RunState, items: dict[str, Any]) -> None:
        x = self._x(run, run.step.values, run.step_time.values)
        y = run.step_loss.values
        items["raw"].setData(x, y)
        items["smooth"].setData(x, ema(y, self.smoothing.value() / 100))
        ex = self._epoch_x(run)
        val_loss = [e.get("val_loss") for e in run.epochs]
        val_acc = [e.get("val_accuracy") for e in run.epochs]
        has_val = bool(run.epochs) and all(v is not None for v in val_acc)
        items["val_loss"].setData(ex, val_loss if has_val else [])
        items["train_acc"].setData(ex, [e["train_accuracy"] for e in run.epochs])
        items["val_acc"].setData(ex, val_acc if has_val else [])
        if has_val:
            best = int(np.argmax(val_acc))
            items["best"].setData([ex[best]], [val_acc[best]])
            items["best"].setToolTip(
                f"{run.label}: best validation accuracy "
                f"{100 * val_acc[best]:.2f}% (epoch "
                f"{run.epochs[best]['epoch'] + 1})"
            )
        else:
            items["best"].setData([], [])

    def _hovered(self, event: Any) -> None:
        pos = event[0]
        vb = self.loss.getPlotItem().vb
        if not self.loss.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        parts = []
        for run in self.runs:
            if not run.visible or run.step.n == 0:
                continue
            x = self._x(run, run.step.values, run.step_time.values)
            i = int(np.clip(np.searchsorted(x, p.x()), 0, len(x) - 1))
            parts.append(
                f"{run.label}: step {int(run.step.values[i])} loss {run.step_loss.values[i]:.4f}"
            )
        self.hover.setText(" · ".join(parts))

    def export(self, path: str) -> None:
        """Both plots side by side to PNG (or SVG), written atomically."""
        import os
        import tempfile

        from PySide6.QtGui import QPainter
        from PySide6.QtSvg import QSvgGenerator

        self.redraw()
        fd, tmp = tempfile.mkstemp(
            dir=os.path.dirname(os.path.abspath(path)), suffix=os.path.splitext(path)[1]
        )
        os.close(fd)
        try:
            if path.lower().endswith(".svg"):
                gen = QSvgGenerator()
                gen.setFileName(tmp)
                gen.setSize(self.size())
                gen.setViewBox(self.rect())
                painter = QPainter(gen)
                self.render(painter)
                painter.end()
            else:
                self.grab().save(tmp, "PNG")
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

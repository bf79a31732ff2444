"""The learning-rate finder's window, opened from the Train panel: runs the range test of
:mod:`resnet_studio.measure.lr_find` off the GUI thread on the spec and settings of the panel,
draws the smoothed loss against the learning rate (log scale) as it comes, marks the suggested
rate with its reasoning as a tooltip, and sets it in the panel with one click. The run trained
afterwards is untouched: the test trains a copy of the model of its own.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.core import ArchSpec
from resnet_studio.gui import (
    theme,  # noqa: F401 (pyqtgraph's colours, before the first plot)
    workers,
)
from resnet_studio.gui.widgets.limit_spin import RateSpinBox
from resnet_studio.train.config import TrainConfig
from resnet_studio.train.errors import TrainError

if TYPE_CHECKING:
    from resnet_studio.measure.lr_find import (
        LRFinding,  # torch: imported by the worker, not the window
    )

CURVE, MARK = "#2f6db3", "#b8312f"
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def rate_label(log_value: float) -> str:
    """A tick of a log axis in one format for every decade: 10⁻⁵ … 10⁰, 10¹, and 3×10⁻⁴
    between decades (pyqtgraph's own mixes 10⁻⁵, 0.0001, 1 and 10¹ on one axis)."""
    exponent = math.floor(log_value + 1e-9)
    mantissa = round(10 ** (log_value - exponent), 6)
    power = f"10{str(exponent).translate(_SUPERSCRIPT)}"
    return power if mantissa == 1 else f"{mantissa:g}×{power}"


class _RateAxis(pg.AxisItem):
    """The learning-rate axis: powers of ten, labelled as :func:`rate_label` says."""

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        labels = [rate_label(v + math.log10(scale)) for v in values]
        if len(values) > 4:  # a decade's nine ticks: 2×10⁰ … 9×10⁰ would run into each other
            labels = [t if t.startswith(("10", "2×", "5×")) else "" for t in labels]
        return labels


class _Steps(QObject):
    step = Signal(int, float, float)  # emitted on the worker's thread


class LRFindDialog(QDialog):
    """``setting``: the panel's settings and spec now; ``use``: sets a learning rate there."""

    def __init__(
        self,
        setting: Callable[[], tuple[ArchSpec | None, TrainConfig]],
        use: Callable[[float], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find a learning rate")
        self._setting, self._use = setting, use
        self.finding: LRFinding | None = None
        self._stop = threading.Event()
        self._running = False
        self._lrs: list[float] = []
        self._losses: list[float] = []
        self._steps = _Steps(self)
        self._steps.step.connect(self._add_step)

        self.start_lr = RateSpinBox(1e-7)
        self.start_lr.setToolTip("The first learning rate of the test")
        self.end_lr = RateSpinBox(10.0)
        self.end_lr.setToolTip("The last one; the test stops earlier when the loss explodes")
        self.steps = QSpinBox()
        self.steps.setRange(10, 1000)
        self.steps.setValue(100)
        self.steps.setToolTip("Training steps at most, one batch each")
        self.run_button = QPushButton("Run the test")
        self.run_button.setToolTip(
            "Train a copy of the model (the run you start afterwards is untouched) for up to "
            "this many steps while the learning rate grows exponentially"
        )
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        row = QHBoxLayout()
        for text, w in (("from", self.start_lr), ("to", self.end_lr), ("steps", self.steps)):
            row.addWidget(QLabel(text))
            row.addWidget(w)
        row.addWidget(self.run_button)
        row.addWidget(self.stop_button)

        self.plot = pg.PlotWidget(axisItems={"bottom": _RateAxis("bottom")})
        self.plot.setLogMode(x=True, y=False)
        for name in ("bottom", "left"):  # no "(x0.001)": a tick must read as the rate it is
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        self.plot.setLabel("bottom", "learning rate")
        self.plot.setLabel("left", "smoothed loss")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMinimumSize(460, 260)
        self.curve = self.plot.plot([], [], pen=pg.mkPen(CURVE, width=2))
        self.mark = pg.ScatterPlotItem(size=12, brush=MARK, pen=pg.mkPen("w"), hoverable=True)
        self.plot.addItem(self.mark)
        self.mark_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(MARK, style=Qt.PenStyle.DashLine))
        self.mark_line.hide()
        self.plot.addItem(self.mark_line)

        self.status = QLabel("Press Run to test the spec with the Train panel's settings.")
        self.status.setWordWrap(True)
        self.use_button = QPushButton("Use the suggestion")
        self.use_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.use_button)

        self.start_lr.valueChanged.connect(lambda _: self._show_range())
        self.end_lr.valueChanged.connect(lambda _: self._show_range())
        self._show_range()

        self.run_button.clicked.connect(lambda: self.start())
        self.stop_button.clicked.connect(lambda: self.stop())
        self.use_button.clicked.connect(lambda: self.use_suggestion())

    def _show_range(self) -> None:
        """The rate axis spans the rates set (from … to), before and during a test."""
        start, end = self.start_lr.value(), self.end_lr.value()
        if 0 < start < end and not self._running and self.finding is None:
            self.plot.setXRange(math.log10(start), math.log10(end), padding=0.02)

    def _range_problem(self) -> str | None:
        start, end = self.start_lr.value(), self.end_lr.value()
        if start < end:
            return None
        if start == end:
            return (
                f"The rate to start from ({start:g}) equals the rate to end at ({end:g}); "
                "set a higher rate to end at."
            )
        return (
            f"The rate to start from ({start:g}) must be below the rate to end at ({end:g}); "
            "swap them."
        )

    def start(self) -> None:
        if self._running:
            return
        problem = self._range_problem()
        if problem is not None:
            self.status.setText(problem)
            return
        try:
            spec, config = self._setting()
        except TrainError as e:
            self.status.setText(str(e))
            return
        if spec is None:
            self.status.setText("The spec is not valid; fix it in the spec panel first.")
            return
        start, end, steps = self.start_lr.value(), self.end_lr.value(), self.steps.value()
        self._stop.clear()
        stop, emit = self._stop, self._steps.step.emit

        def work() -> LRFinding:
            from resnet_studio.measure.lr_find import find_lr  # torch, off the GUI thread

            return find_lr(
                spec,
                config,
                start_lr=start,
                end_lr=end,
                steps=steps,
                progress=emit,
                should_stop=stop.is_set,
            )

        self._running = True
        self.finding = None
        self._lrs, self._losses = [], []
        self.curve.setData([], [])
        self.mark.setData([], [])
        self.mark_line.hide()
        self.use_button.setEnabled(False)
        self.use_button.setText("Use the suggestion")
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.plot.setXRange(math.log10(start), math.log10(end), padding=0.02)
        self.status.setText(f"Training a copy of the model on {config.dataset}…")
        workers.start(work, self._done, self._failed, receiver=self)

    def _add_step(self, step: int, lr: float, loss: float) -> None:
        self._lrs.append(lr)
        self._losses.append(loss)
        self.curve.setData(np.array(self._lrs), np.array(self._losses))
        self.status.setText(f"Step {step + 1}: learning rate {lr:.3g}, smoothed loss {loss:.4f}")

    def _finish(self) -> None:
        self._running = False
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)

    def _done(self, found: LRFinding) -> None:
        self._finish()
        self.finding = found
        self.curve.setData(np.array(found.lrs), np.array(found.smoothed))
        if found.suggestion is None or found.suggestion_index is None:
            self.status.setText(f"{found.reason} {found.explanation}")
            return
        i = found.suggestion_index
        tip = found.explanation
        self.mark.setData(
            [math.log10(found.suggestion)], [found.smoothed[i]], tip=lambda **_: tip, data=[tip]
        )
        self.mark_line.setValue(math.log10(found.suggestion))
        self.mark_line.show()
        self.mark.setToolTip(tip)
        self.use_button.setText(f"Use {found.suggestion:.3g}")
        self.use_button.setToolTip(tip)
        self.use_button.setEnabled(True)
        self.status.setText(f"{found.reason} Suggested: {found.suggestion:.3g}.")
        self.status.setToolTip(tip)

    def _failed(self, e: Exception) -> None:
        self._finish()
        self.status.setText(f"The test could not run: {e}")

    def use_suggestion(self) -> None:
        if self.finding is not None and self.finding.suggestion is not None:
            self._use(self.finding.suggestion)

    def stop(self) -> None:
        """End a test under way after its current step (said: a large model's step is long)."""
        self._stop.set()
        if self._running:
            self.stop_button.setEnabled(False)
            self.status.setText("Stopping after the step under way…")

    def done(self, result: int) -> None:  # closing stops a test under way (after its step)
        self.stop()
        super().done(result)

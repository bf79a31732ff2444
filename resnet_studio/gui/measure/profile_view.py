"""The Explorer's Profile tab: the spec measured on a device, beside the arithmetic.

**Profile** runs :func:`resnet_studio.measure.profile.profile_spec` off the GUI thread (torch
loads there too) and shows images/s for inference and training, the measured peak memory of a
training step beside the analysis's estimate with their ratio, where the time goes per stage
against where the MACs are (bars), and images/s against batch size. Results are kept in the
profile cache per spec, device, batch size and precision, and shown again without measuring.
The window computes nothing here: the figures are the profiler's.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.core import ArchSpec
from resnet_studio.core.document import SpecDocument
from resnet_studio.core.format import human_bytes
from resnet_studio.gui import (
    theme,  # noqa: F401 (pyqtgraph's colours, before the first plot)
    workers,
)
from resnet_studio.gui.plots.stage_charts import _Axis
from resnet_studio.gui.widgets.figure_card import FigureCard
from resnet_studio.gui.widgets.flow import FlowLayout
from resnet_studio.measure.profile_cache import ProfileCache
from resnet_studio.measure.profile_result import DTYPES, Profile, ProfileStopped
from resnet_studio.train.devices import DeviceInfo, cpu_device, list_devices

TIME_COLOUR, MACS_COLOUR = "#2f6db3", "#e07b22"
INFER_COLOUR, TRAIN_COLOUR = "#3a9b48", "#b8312f"


def key_title(title: str, keys: tuple[tuple[str, str], ...]) -> str:
    """A plot title that names its series in their colours, so that no legend covers data."""
    marks = " ".join(f"<span style='color:{c}'>■</span> {name}" for name, c in keys)
    return f"{title}&nbsp;&nbsp; {marks}"


class _Progress(QObject):
    said = Signal(str)  # emitted on the worker's thread, delivered on the GUI thread


class _LogTwoAxis(pg.AxisItem):
    """Batch sizes on a log₂ axis, labelled 1, 2, 4 … rather than 0, 1, 2."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"{2**v:g}" if float(v).is_integer() else "" for v in values]


class ProfileView(QWidget):
    profiled = Signal(object)  # a Profile, once measured (for the compare view)

    def __init__(self, cache: ProfileCache | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.cache = cache or ProfileCache()
        self.spec: ArchSpec | None = None
        self.title = ""
        self.result: Profile | None = None
        self._running = False
        self._stop = threading.Event()  # Cancel, or the window closing: the profile ends early
        self.repeats, self.warmup = 5, 2  # medians of 5 after 2 untimed calls
        self.sweep: tuple[int, ...] | None = None  # None: powers of two up to twice the batch
        self._progress = _Progress(self)

        bar = QWidget()
        controls = FlowLayout(bar)
        self.device = QComboBox()
        self.device.setModel(QStandardItemModel())
        self.device.setToolTip("The device to measure on (the devices this machine really has)")
        self.batch = QSpinBox()
        self.batch.setRange(1, 4096)
        self.batch.setValue(8)
        self.batch.setPrefix("batch ")
        self.batch.setToolTip("Images per step for the figures; the sweep goes up to twice it")
        self.dtype = QComboBox()
        self.dtype.addItems(list(DTYPES))
        self.dtype.setToolTip("fp32, or bf16/fp16 autocast (fp16 on GPUs only)")
        self.run_button = QPushButton("Profile")
        self.run_button.setToolTip(
            "Build this network on the device and measure it: images/s, the peak memory of "
            "a training step, time per stage and a batch-size sweep (medians after warm-up)"
        )
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(
            "Stop the profile: it ends after the timed call under way (a large network's "
            "training step can take a few seconds on the CPU)"
        )
        self.cancel_button.hide()
        for w in (self.device, self.batch, self.dtype, self.run_button, self.cancel_button):
            controls.add(w)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(200)  # a row of its own: a refusal is a long sentence
        self._progress.said.connect(lambda text: self._say_measuring(f"Measuring: {text}…"))

        strip = QWidget()
        figures = FlowLayout(strip, balanced=True)
        self.inference = FigureCard("Inference")
        self.training = FigureCard("Training")
        self.memory = FigureCard("Peak memory (training step)")
        self.largest = FigureCard("Largest batch")
        for f in (self.inference, self.training, self.memory, self.largest):
            figures.add(f, 1)

        self.stage_axis = _Axis([])
        self.stage_plot = pg.PlotWidget(axisItems={"bottom": self.stage_axis})
        self.stage_plot.setTitle(
            key_title("% per stage", (("time", TIME_COLOUR), ("MACs", MACS_COLOUR))),
            size="10pt",
        )
        self.stage_plot.setToolTip(
            "Share of the time per stage (forward + backward) and of the MACs, in %"
        )
        self.stage_plot.setMouseEnabled(False, False)
        self.sweep_plot = pg.PlotWidget(axisItems={"bottom": _LogTwoAxis("bottom")})
        self.sweep_plot.setTitle(
            key_title("img/s", (("inference", INFER_COLOUR), ("training", TRAIN_COLOUR))),
            size="10pt",
        )
        self.sweep_plot.showGrid(x=True, y=True, alpha=0.2)
        self.sweep_plot.getPlotItem().setLabel("bottom", "batch size")
        for w in (self.stage_plot, self.sweep_plot):
            w.setMinimumHeight(130)
        charts = QWidget()
        plots = QHBoxLayout(charts)
        plots.setContentsMargins(0, 0, 0, 0)
        plots.addWidget(self.stage_plot, 3)
        plots.addWidget(self.sweep_plot, 2)
        # an unmeasured spec shows words, not the axes of the profile shown before it
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(mid);")
        self.charts = QStackedWidget()
        self.charts.addWidget(charts)
        self.charts.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addWidget(bar)
        layout.addWidget(self.status)
        layout.addWidget(strip)
        layout.addWidget(self.charts, 1)

        self.set_devices([cpu_device()])
        workers.start(list_devices, self.set_devices, workers.ignore, receiver=self, kind="quick")
        self.run_button.clicked.connect(lambda: self.start())
        self.cancel_button.clicked.connect(lambda: self.cancel())
        self.device.currentIndexChanged.connect(lambda _: self._show_cached())
        self.batch.valueChanged.connect(lambda _: self._show_cached())
        self.dtype.currentIndexChanged.connect(lambda _: self._show_cached())
        self.show_profile(None)

    # --- what to measure ----------------------------------------------------------------------
    def set_devices(self, devices: list[DeviceInfo]) -> None:
        chosen = self.device.currentData()
        model = self.device.model()
        assert isinstance(model, QStandardItemModel)
        self.device.blockSignals(True)
        self.device.clear()
        for dev in devices:
            self.device.addItem(dev.label if dev.available else f"{dev.id} (not available)", dev.id)
            item = model.item(model.rowCount() - 1)
            item.setEnabled(dev.available)
            item.setToolTip(dev.label if dev.available else dev.reason)
        kept = self.device.findData(chosen)
        self.device.setCurrentIndex(max(0, kept))
        self.device.blockSignals(False)

    def bind(self, doc: SpecDocument) -> None:
        """Follow the spec document's (last valid) spec, by its one name."""
        doc.changed.connect(self._document_changed)
        self._document_changed(doc)

    def _document_changed(self, doc: SpecDocument) -> None:
        self.set_spec(doc.spec, doc.label)

    def set_spec(self, spec: ArchSpec | None, title: str) -> None:
        """The spec shown in the Explorer; its cached profile, if any, is shown at once."""
        if spec == self.spec:
            return
        self.spec, self.title = spec, title
        self._show_cached()

    def settings(self) -> tuple[str, int, str]:
        return self.device.currentData() or "cpu", self.batch.value(), self.dtype.currentText()

    def _show_cached(self) -> None:
        if self._running:
            return
        device, batch, dtype = self.settings()
        found = self.cache.get(self.spec.to_dict(), device, batch, dtype) if self.spec else None
        self.show_profile(found)
        self.status.setToolTip("\n\n".join(found.notes) if found is not None else "")
        if found is not None:
            self.status.setText("From the profile cache; Profile measures again.")
        elif self.spec is not None:
            self.status.setText("Not measured yet on this device at this batch size.")

    # --- measuring -----------------------------------------------------------------------------
    def start(self) -> None:
        if self.spec is None or self._running:
            return
        spec, (device, batch, dtype) = self.spec, self.settings()
        say = self._progress.said.emit
        r, w, sweep = self.repeats, self.warmup, self.sweep
        self._stop.clear()
        stop = self._stop.is_set

        def work() -> Profile:
            from resnet_studio.measure.profile import (
                profile_spec,  # torch loads here, off the GUI thread
            )

            return profile_spec(
                spec,
                device,
                batch,
                dtype,
                repeats=r,
                warmup=w,
                sweep=sweep,
                progress=say,
                should_stop=stop,
            )

        self._running = True
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self._say_measuring("Measuring: building the model…")
        workers.start(work, self._done, self._failed, receiver=self)

    def _say_measuring(self, text: str) -> None:
        """In the status line, and in the body while it has no figures (not "Not measured")."""
        self.status.setText(text)
        if self.result is None:
            self.empty.setText(f"{text} The figures appear here when it is done.")

    def _finished(self) -> None:
        self._running = False
        self.run_button.setEnabled(True)
        self.cancel_button.hide()

    def _done(self, p: Profile) -> None:
        self._finished()
        self.cache.put(p)
        self.profiled.emit(p)
        if self.spec is not None and p.spec == self.spec.to_dict():
            self.show_profile(p)
            said = f"Measured on {p.device_name}, medians of {p.repeats}."
            if p.notes:  # figures that contradicted each other: said, in full on hover
                said += " ⚠ Some figures were unsteady or contradicted each other: hover here."
            self.status.setText(said)
            self.status.setToolTip("\n\n".join(p.notes))
        else:
            self._show_cached()  # the spec changed meanwhile: the result waits in the cache

    def _failed(self, e: Exception) -> None:
        self._finished()
        if self.result is None:
            self.show_profile(None)  # the body: not measured, again
        stopped = isinstance(e, ProfileStopped)
        self.status.setToolTip("")
        self.status.setText(
            "Cancelled; nothing was kept." if stopped else f"Could not profile: {e}"
        )

    def cancel(self) -> None:
        """End a profile under way at its next timed call (Cancel, or the window closing)."""
        if self._running:
            self._stop.set()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling after the timed call under way…")

    # --- showing ---------------------------------------------------------------------------------
    def show_profile(self, p: Profile | None) -> None:
        self.result = p
        self.stage_plot.clear()
        self.sweep_plot.clear()
        self.sweep_plot.getAxis("bottom").setTicks(None)  # the last profile's batch sizes go
        if p is None:
            for f in (self.inference, self.training, self.memory, self.largest):
                f.show_value("–")
            self.stage_axis.names = []
            self.empty.setText(
                "Not measured yet: Profile measures this network on the chosen device."
                if self.spec is not None
                else ""
            )
            self.charts.setCurrentWidget(self.empty)
            return
        self.charts.setCurrentIndex(0)
        self.inference.show_value(
            f"{p.inference_img_s:,.0f} img/s",
            f"{p.inference_ms:.1f} ms a batch of {p.batch_size}",
            "Forward only, eval mode, no gradients",
        )
        self.training.show_value(
            f"{p.train_img_s:,.0f} img/s",
            f"{p.train_step_ms:.1f} ms a step",
            "Forward, loss, backward and an SGD step with momentum",
        )
        est = human_bytes(p.estimated_memory_bytes)
        if p.peak_memory_bytes is None:
            self.memory.show_value("not measured", f"estimate {est}", p.memory_method)
        else:
            self.memory.show_value(
                human_bytes(p.peak_memory_bytes),
                f"estimate {est} · ratio {p.memory_ratio:.2f}",
                f"Measured: {p.memory_method}\nEstimate: the analysis's weights, gradients, "
                "momentum, buffers and the activations autograd keeps.",
            )
        self.largest.show_value(
            str(p.largest_batch) if p.largest_batch else "–",
            "CUDA only" if p.largest_batch is None else "found by trying",
            p.largest_batch_note,
        )
        self._draw_stages(p)
        self._draw_sweep(p)

    def _draw_stages(self, p: Profile) -> None:
        names = [s.name for s in p.stages]
        self.stage_axis.names = names
        times = np.array([s.forward_ms + (s.backward_ms or 0.0) for s in p.stages])
        share = 100 * times / max(times.sum(), 1e-12)
        macs = np.array([100 * s.macs_share for s in p.stages])
        x = np.arange(len(names))
        plot = self.stage_plot
        plot.addItem(pg.BarGraphItem(x=x - 0.2, height=share, width=0.38, brush=TIME_COLOUR))
        plot.addItem(pg.BarGraphItem(x=x + 0.2, height=macs, width=0.38, brush=MACS_COLOUR))
        plot.setXRange(-0.6, len(names) - 0.4, padding=0)
        plot.setYRange(0, max(float(share.max()), float(macs.max())) * 1.1, padding=0)
        lines = [
            f"{s.name}: forward {s.forward_ms:.2f} ms"
            + (f", backward {s.backward_ms:.2f} ms" if s.backward_ms is not None else "")
            + f"; {share[i]:.1f}% of the time, {macs[i]:.1f}% of the MACs"
            for i, s in enumerate(p.stages)
        ]
        lines.append(
            f"Stages sum to {p.stage_forward_sum_ms:.2f} ms forward; the whole forward pass "
            f"takes {p.forward_ms:.2f} ms."
        )
        self.stage_plot.setToolTip("\n".join(lines))

    def _draw_sweep(self, p: Profile) -> None:
        pts = [s for s in p.sweep if s.inference_img_s and s.train_img_s]
        if not pts:
            return
        x = np.log2([s.batch_size for s in pts])
        for values, colour in (
            ([s.inference_img_s for s in pts], INFER_COLOUR),
            ([s.train_img_s for s in pts], TRAIN_COLOUR),
        ):
            self.sweep_plot.plot(
                x, values, pen=pg.mkPen(colour, width=2), symbol="o", symbolBrush=colour
            )
        notes = [s.note for s in p.sweep if s.note]
        self.sweep_plot.setToolTip(
            "\n".join(
                [
                    f"batch {s.batch_size}: {s.inference_img_s:,.0f} img/s inference, "
                    f"{s.train_img_s:,.0f} training"
                    for s in pts
                ]
                + notes
            )
        )
        self.sweep_plot.getAxis("bottom").setTicks([[(v, f"{2**v:g}") for v in x]])
        self.sweep_plot.setXRange(float(x.min()) - 0.3, float(x.max()) + 0.3, padding=0)

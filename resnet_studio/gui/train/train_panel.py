"""The training panel: settings, device picker, Start/Pause/Stop, progress, and the fit check
between the spec and the dataset (with a one-click fix)."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.core import ArchSpec
from resnet_studio.gui import theme, workers
from resnet_studio.gui.explorer.spec_panel import _tint, _wrap
from resnet_studio.gui.measure.lr_find_view import LRFindDialog
from resnet_studio.gui.widgets.limit_spin import LimitSpinBox, RateSpinBox
from resnet_studio.gui.widgets.widget_values import put_value, value_of
from resnet_studio.train.config import (
    AMP_MODES,
    DATASETS,
    NATURAL,
    OPTIMIZERS,
    SCHEDULES,
    TrainConfig,
)
from resnet_studio.train.devices import DeviceInfo, cpu_device, list_devices
from resnet_studio.train.errors import TrainError
from resnet_studio.train.settings import BY_NAME, TrainSettings

FIT_SIZE = 32  # the input size the panel proposes for the small datasets


def fit_problem(spec: ArchSpec, dataset: str) -> tuple[str, dict[str, Any]] | None:
    """A sentence on how ``spec`` and ``dataset`` differ, and the overrides that fix it."""
    if dataset not in NATURAL:
        return None
    channels, classes, size = NATURAL[dataset]
    fix: dict[str, Any] = {}
    parts = []
    if spec.in_channels != channels:
        parts.append(
            f"{channels} channel{'s' if channels > 1 else ''} (the spec takes {spec.in_channels})"
        )
        fix["in_channels"] = channels
    if spec.num_classes != classes:
        parts.append(f"{classes} classes (the spec has {spec.num_classes} outputs)")
        fix["num_classes"] = classes
    if max(spec.input_size) > 2 * max(size, FIT_SIZE):
        h, w = spec.input_size
        parts.append(
            f"{size}×{size} images (the spec would upscale them to {h}×{w}, slow on a CPU)"
        )
        fix["input_size"] = (FIT_SIZE, FIT_SIZE)
    if not parts:
        return None
    return f"{dataset} has " + "; ".join(parts) + ".", fix


class TrainPanel(QWidget):
    startRequested = Signal()
    pauseRequested = Signal()
    stopRequested = Signal()
    adaptRequested = Signal(object)  # dict of spec overrides
    datasetChanged = Signal()

    # the controls of the settings document's fields (train/settings.py's one table)
    CONTROLS = {
        "dataset": "dataset",
        "data_dir": "data_dir",
        "epochs": "epochs",
        "batch_size": "batch",
        "lr": "lr",
        "optimizer": "optimizer",
        "schedule": "schedule",
        "augment": "augment",
        "amp": "amp",
    }

    def __init__(self, parent: Any = None, settings: TrainSettings | None = None) -> None:
        super().__init__(parent)
        self.doc = settings or TrainSettings()
        layout = QVBoxLayout(self)
        box = QGroupBox("Training")
        form = QFormLayout(box)
        d = TrainConfig()
        self.dataset = QComboBox()
        self.dataset.addItems(list(DATASETS))
        self.dataset.setToolTip(
            "digits is bundled and works offline; MNIST and CIFAR download "
            "on first use; imagefolder reads your own class sub-folders"
        )
        self.data_dir = QLineEdit()
        self.data_dir.setPlaceholderText("default: user cache")
        self.data_dir.setToolTip(
            "Where the dataset lives (for imagefolder: its root folder); empty: the user "
            "cache directory"
        )
        browse = QPushButton("…")
        browse.setMaximumWidth(30)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.data_dir)
        row.addWidget(browse)
        # typed values are kept and judged on the control, as in the spec panel
        epochs, batch = BY_NAME["epochs"], BY_NAME["batch_size"]
        self.epochs = LimitSpinBox(
            int(epochs.low), int(epochs.high), "Passes over the training set", d.epochs
        )
        self.batch = LimitSpinBox(int(batch.low), int(batch.high), "Images per step", d.batch_size)
        self.lr = RateSpinBox(d.lr, BY_NAME["lr"].low, BY_NAME["lr"].high)
        self.lr.setSingleStep(0.01)
        self.lr.setToolTip("Learning rate (the peak for onecycle)")
        self.find_lr = QPushButton("Find…")
        self.find_lr.setToolTip(
            "The learning-rate range test: train a copy of the model briefly at growing "
            "learning rates, see the loss, and take the suggested rate with one click"
        )
        lr_row = QHBoxLayout()
        lr_row.addWidget(self.lr, 1)
        lr_row.addWidget(self.find_lr)
        self._spec: ArchSpec | None = None
        self._lr_dialog: LRFindDialog | None = None
        self.optimizer = QComboBox()
        self.optimizer.addItems(list(OPTIMIZERS))
        self.optimizer.setToolTip("SGD with Nesterov momentum 0.9, or AdamW")
        self.schedule = QComboBox()
        self.schedule.addItems(list(SCHEDULES))
        self.schedule.setCurrentText(d.schedule)
        self.schedule.setToolTip("How the learning rate changes over the run")
        self.augment = QCheckBox("Augment (random crop and flip)")
        self.augment.setToolTip("The CIFAR recipe: random crop with padding and a horizontal flip")
        self.amp = QComboBox()
        self.amp.addItems(list(AMP_MODES))
        self.amp.setToolTip("Mixed precision: auto is bf16 on CUDA and off elsewhere")
        self.device = QComboBox()
        self.device.setToolTip("The devices this machine really has")
        self.device.setModel(QStandardItemModel())
        # the CPU now; GPUs once torch has loaded, off the GUI thread (the window shows sooner)
        self.set_devices([cpu_device()])
        self._device_touched = False
        self.device.activated.connect(lambda _: setattr(self, "_device_touched", True))
        workers.start(list_devices, self.set_devices, workers.ignore, receiver=self, kind="quick")
        form.addRow(BY_NAME["dataset"].label, self.dataset)
        form.addRow(BY_NAME["data_dir"].label, _wrap(row))
        form.addRow(BY_NAME["epochs"].label, self.epochs)
        form.addRow(BY_NAME["batch_size"].label, self.batch)
        form.addRow(BY_NAME["lr"].label, _wrap(lr_row))
        form.addRow(BY_NAME["optimizer"].label, self.optimizer)
        form.addRow(BY_NAME["schedule"].label, self.schedule)
        form.addRow("", self.augment)
        form.addRow(BY_NAME["amp"].label, self.amp)
        form.addRow("Device", self.device)
        from resnet_studio.gui.train.finetune_box import FineTuneBox

        self.finetune = FineTuneBox()
        form.addRow("Start from", self.finetune)
        layout.addWidget(box)

        self.fit = QLabel()
        self.fit.setWordWrap(True)
        self.fit.setStyleSheet(theme.NOTE_STYLE)
        self.adapt = QPushButton("Adapt the spec to the data")
        self.adapt.setToolTip("Set the spec's channels, classes and input size to the dataset's")
        self._fix: dict[str, Any] = {}

        buttons = QHBoxLayout()
        self.start = QPushButton("Start")
        self.start.setToolTip("Train the spec shown now (the run keeps its own copy)")
        self.pause = QPushButton("Pause")
        self.pause.setToolTip("Pause or resume the selected run")
        self.stop = QPushButton("Stop")
        self.stop.setToolTip("Stop the selected run after its current step, with a checkpoint")
        for b in (self.start, self.pause, self.stop):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.progress = QLabel("No run yet.")
        self.progress.setWordWrap(True)
        layout.addWidget(self.progress)
        # the note comes and goes with the dataset and the spec: below Start, it moves nothing
        # that the user is about to click
        layout.addWidget(self.fit)
        layout.addWidget(self.adapt)
        box = QGroupBox("Selected run")
        self.details = QLabel("Select a run in the table to see how it was trained.")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(box).addWidget(self.details)
        layout.addWidget(box, 1)

        self.start.clicked.connect(self.startRequested)
        self.pause.clicked.connect(self.pauseRequested)
        self.stop.clicked.connect(self.stopRequested)
        self.adapt.clicked.connect(lambda: self.adaptRequested.emit(dict(self._fix)))
        self.find_lr.clicked.connect(lambda: self.open_lr_finder())
        self.dataset.currentIndexChanged.connect(self.datasetChanged)
        for name, attr in self.CONTROLS.items():  # ranges from the table; edits to the document
            w = getattr(self, attr)
            s = BY_NAME[name]
            if isinstance(w, LimitSpinBox):
                pass  # its own limits, said on the control
            elif isinstance(w, QSpinBox):
                w.setRange(int(s.low), int(s.high))
            elif isinstance(w, QDoubleSpinBox):
                w.setRange(s.low, s.high)
            _changed(w).connect(self._edited)
        self._fill()

    def _edited(self, *_: Any) -> None:
        for name, attr in self.CONTROLS.items():
            self.doc.set(name, value_of(getattr(self, attr)), ranged=False)  # the box's range
        self._mark_limits()

    def limit_problems(self) -> list[str]:
        """A sentence for each typed number outside its limits (epochs 0, batch 100,000)."""
        problems = []
        for name, attr in self.CONTROLS.items():
            w = getattr(self, attr)
            if isinstance(w, LimitSpinBox) and w.problem(BY_NAME[name].label):
                problems.append(w.problem(BY_NAME[name].label))
        return problems

    def _mark_limits(self) -> None:
        """Tint a number outside its limits and say why on its tooltip (or clear the tint)."""
        for name, attr in self.CONTROLS.items():
            w = getattr(self, attr)
            if isinstance(w, LimitSpinBox):
                problem = w.problem(BY_NAME[name].label)
                if bool(w.property("invalid")) or problem:
                    _tint(w, bool(problem), problem)

    def _fill(self) -> None:
        """The controls from the settings document."""
        for name, attr in self.CONTROLS.items():
            w = getattr(self, attr)
            w.blockSignals(True)
            put_value(w, self.doc[name])
            w.blockSignals(False)
        self._mark_limits()

    def settings(self) -> dict[str, Any]:
        """The settings as plain data, for the window's settings file."""
        return self.doc.to_dict()

    def restore(self, saved: dict[str, Any]) -> None:
        """Settings saved by :meth:`settings`; a value that does not fit is left at default."""
        self.doc.restore(saved)
        self._fill()
        self.datasetChanged.emit()  # the fit check follows a restored dataset

    def set_devices(self, devices: list[DeviceInfo]) -> None:
        """Offer ``devices``; the best available GPU is chosen unless the user chose already."""
        chosen = self.device.currentData()
        self.devices = devices
        model = self.device.model()
        assert isinstance(model, QStandardItemModel)  # a combo box's own model
        self.device.blockSignals(True)
        self.device.clear()
        for dev in devices:
            self.device.addItem(dev.label if dev.available else f"{dev.id} (not available)", dev.id)
            item = model.item(model.rowCount() - 1)
            item.setEnabled(dev.available)
            item.setToolTip(dev.label if dev.available else dev.reason)
        best = next((i for i, dev in enumerate(devices) if dev.available and dev.id != "cpu"), 0)
        kept = self.device.findData(chosen) if getattr(self, "_device_touched", False) else -1
        self.device.setCurrentIndex(kept if kept >= 0 else best)
        self.device.blockSignals(False)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Dataset folder", self.data_dir.text())
        if path:
            self.data_dir.setText(path)

    def show_fit(self, spec: ArchSpec | None) -> None:
        self._spec = spec  # the spec the LR finder tests
        self.find_lr.setEnabled(spec is not None)
        problem = fit_problem(spec, self.dataset.currentText()) if spec else None
        self._fix = problem[1] if problem else {}
        self.fit.setText(problem[0] if problem else "")
        self.fit.setVisible(bool(problem))
        self.adapt.setVisible(bool(problem))

    def config(self) -> TrainConfig:
        """The settings as a TrainConfig (raises TrainError for impossible values)."""
        from dataclasses import replace

        problems = self.limit_problems()
        if problems:
            raise TrainError(" ".join(problems))
        config = self.doc.config(self.device.currentData(), gui_threads())
        return replace(config, **self.finetune.values())  # Start from: pretrained weights

    def open_lr_finder(self) -> LRFindDialog:
        """The learning-rate finder's window, for the spec and settings shown now."""
        if self._lr_dialog is None:
            self._lr_dialog = LRFindDialog(lambda: (self._spec, self.config()), self.set_lr, self)
        self._lr_dialog.show()
        self._lr_dialog.raise_()
        return self._lr_dialog

    def cancel_lr_finder(self) -> None:
        """Stop a range test under way after its step (the window is closing)."""
        if self._lr_dialog is not None:
            self._lr_dialog.stop()

    def set_lr(self, lr: float) -> None:
        """A learning rate from the finder (within the box's range: 1e-5 to 10)."""
        self.lr.setValue(lr)


def gui_threads() -> int:
    """Torch's intra-op threads for runs started from the window: every core. Measured by
    bench/ui_responsiveness.py, the GUI thread stays responsive (torch releases the GIL in its
    kernels), and fewer threads would cost training speed on small machines."""
    return max(1, os.cpu_count() or 1)


def _changed(w: QWidget) -> Any:
    if isinstance(w, QComboBox):
        return w.currentIndexChanged
    if isinstance(w, QCheckBox):
        return w.toggled
    if isinstance(w, QLineEdit):
        return w.textChanged
    assert isinstance(w, (QSpinBox, QDoubleSpinBox))
    return w.valueChanged

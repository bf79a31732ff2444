"""The Inspect tab's "Pretrained weights" page: the catalogue (top-1, parameters, size,
preprocessing, whether each file is on this machine and verified), a weights file of one's own,
downloading or importing one on request (with progress and cancel), and a photo opened or
dropped here: its top-5 with ImageNet's names, its Grad-CAM and feature maps, shown by the same
:class:`ImagePanel` a run's images use.

Listing, hashing, loading and every look run on the thread pool (``workers.py``); the GUI thread
never imports torch.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.gui import workers
from resnet_studio.gui.inspect.image_panel import ImagePanel, ImageResult

COLUMNS = ("weights", "preset", "source", "top-1", "params", "size", "preprocessing", "here")
WEIGHT_FILES = "Weights (*.pth *.pt *.bin *.safetensors);;All files (*)"
IMAGE_FILES = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)"


class PretrainedView(QWidget):
    message = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []
        self.weights: str | None = None  # a catalogue name or a file's path
        self.preset: str | None = None
        self._cancel = threading.Event()
        self._progress = (0, 0)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setFixedHeight(170)
        self.use_button = QPushButton("Use these weights")
        self.file_button = QPushButton("Weights file…")
        self.file_button.setToolTip("A state_dict file or a run's checkpoint of your own")
        self.download_button = QPushButton("Download")
        self.import_button = QPushButton("Import a file I have…")
        self.import_button.setToolTip("Copy your copy of the chosen file into its cache, verified")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.status = QLabel("Choose weights that are here (✓), then open or drop a photo.")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for w in (self.use_button, self.file_button, self.download_button, self.import_button):
            buttons.addWidget(w)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.image = ImagePanel()
        self.image.set_run(None)
        self.image.prev_button.hide()  # no validation set here: photos only
        self.image.index.hide()
        self.image.next_button.hide()
        self.image.count.hide()
        self.image.val_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.image, 1)
        self.setAcceptDrops(True)
        self._timer = QTimer(self, interval=150)
        self._timer.timeout.connect(self._show_progress)

        self.use_button.clicked.connect(lambda: self.use_chosen())
        self.table.itemDoubleClicked.connect(lambda _: self.use_chosen())
        self.file_button.clicked.connect(lambda: self.use_file())
        self.download_button.clicked.connect(lambda: self.download())
        self.import_button.clicked.connect(lambda: self.import_file())
        self.cancel_button.clicked.connect(self._cancel.set)
        self.image.openFileRequested.connect(lambda: self.open_photo())
        self.image.sourceChanged.connect(self.show_photo)
        self.image.optionsChanged.connect(self.show_photo)
        self.refresh()

    # --- the catalogue -------------------------------------------------------------------------
    def refresh(self) -> None:
        """List the catalogue, verifying the files that are here (hashed once, off this thread)."""
        from resnet_studio.weights.listing import rows

        workers.start(
            lambda: rows(), self._show_rows, lambda e: self.message.emit(str(e)), receiver=self
        )

    def _show_rows(self, rows: list[Any]) -> None:
        from resnet_studio.core.format import human

        chosen = self._chosen_name()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            e, p = r.entry, r.entry.preprocess
            cells = (
                e.name,
                e.arch,
                e.source,
                f"{e.top1:.2f}%" if e.top1 is not None else "–",
                human(e.params),
                f"{e.file_mb:.0f} MB" if e.file_mb else "–",
                f"{p.resize}→{p.crop} {p.interpolation}",
                "✓" if r.cached else ("✗ fails check" if r.problem else ""),
            )
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(r.problem or str(r.path))
                self.table.setItem(i, j, item)
            if e.name == chosen:
                self.table.selectRow(i)

    def _chosen_name(self) -> str | None:
        row = self.table.currentRow()
        return self.rows[row].entry.name if 0 <= row < len(self.rows) else None

    def choose(self, name: str) -> None:
        for i, r in enumerate(self.rows):
            if r.entry.name == name:
                self.table.selectRow(i)

    # --- which weights -------------------------------------------------------------------------
    def use_chosen(self) -> None:
        name = self._chosen_name()
        if name is None:
            self.status.setText("Choose weights in the table first.")
            return
        self.use(name, None)

    def use_file(self, path: str | None = None, preset: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Weights file", "", WEIGHT_FILES)
            if not path:
                return
        name = self._chosen_name()
        arch = preset or (self.rows[self.table.currentRow()].entry.arch if name else None)
        self.use(path, arch)

    def use(self, weights: str, preset: str | None) -> None:
        """Open ``weights`` (verified) off the GUI thread; then the photo panel offers its
        classes and layers."""

        self.status.setText(f"Opening {Path(weights).name}…")

        def work() -> Any:
            from resnet_studio.inspect.features import block_names, stage_names
            from resnet_studio.inspect.gradcam import default_layer
            from resnet_studio.inspect.pretrained import open_pretrained

            opened = open_pretrained(weights, preset)
            return (
                opened,
                stage_names(opened.spec),
                block_names(opened.spec),
                default_layer(opened.spec)[0],
            )

        def done(result: Any) -> None:
            opened, stages, blocks, cam_layer = result
            self.weights, self.preset = weights, preset
            from resnet_studio.gui.inspect.inspect_view import samples

            self.image.set_run(0, opened.classes, stages, blocks, cam_layer, samples())
            self.image.file_button.setToolTip("A photo, prepared as the weights' authors do")
            notes = " ".join(opened.notes)
            self.status.setText(
                f"{opened.weights.source}: preprocessing {opened.preprocess.describe()}. "
                f"SHA-256 {opened.weights.sha256[:12]}… {notes} Open or drop a photo."
            )
            if self.image.kind == "file" and self.image.file:
                self.show_photo()

        workers.start(work, done, lambda e: self.status.setText(str(e)), receiver=self)

    # --- a photo -------------------------------------------------------------------------------
    def open_photo(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "A photo", "", IMAGE_FILES)
            if not path:
                return
        self.image.choose_file(path)

    def dragEnterEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_photo(urls[0])

    def show_photo(self) -> None:
        weights, preset = self.weights, self.preset
        kind, path = self.image.source()
        if weights is None or kind != "file" or not path:
            if weights is None:
                self.status.setText("Choose weights first (Use these weights), then the photo.")
            return
        layer, target, feature_layer = self.image.options()
        self.image.set_busy(True)

        def work() -> ImageResult:
            return photo_result(weights, preset, path, layer, target, feature_layer)

        def done(result: ImageResult) -> None:
            self.image.set_busy(False)
            self.image.show_result(result)

        def failed(e: Exception) -> None:
            self.image.set_busy(False)
            self.status.setText(str(e))

        workers.start(work, done, failed, receiver=self)

    # --- download and import -------------------------------------------------------------------
    def _entry(self) -> Any:
        name = self._chosen_name()
        if name is None:
            self.status.setText("Choose weights in the table first.")
            return None
        from resnet_studio.weights.catalogue import find

        return find(name)

    def download(self, url: str | None = None) -> None:
        entry = self._entry()
        if entry is None:
            return
        from resnet_studio.weights.fetch import download

        self._cancel.clear()
        self._progress = (0, 0)

        def progress(done: int, total: int) -> None:
            self._progress = (done, total)  # read by the timer: no signal per chunk

        def work() -> Any:
            return download(entry, progress, self._cancel.is_set, url=url)

        self._busy(True, f"Downloading {entry.file}…")
        workers.start(work, self._fetched, self._fetch_failed, receiver=self)

    def import_file(self, path: str | None = None) -> None:
        entry = self._entry()
        if entry is None:
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, f"Import {entry.file}", "", WEIGHT_FILES)
            if not path:
                return
        from resnet_studio.weights.fetch import import_file

        self._busy(True, f"Importing {Path(path).name} as {entry.file}…")
        workers.start(
            lambda: import_file(entry, path), self._fetched, self._fetch_failed, receiver=self
        )

    def _busy(self, on: bool, text: str = "") -> None:
        self.progress.setVisible(on)
        self.cancel_button.setVisible(on)
        for b in (self.download_button, self.import_button):
            b.setEnabled(not on)
        if text:
            self.status.setText(text)
        (self._timer.start if on else self._timer.stop)()

    def _show_progress(self) -> None:
        done, total = self._progress
        self.progress.setRange(0, 1000 if total else 0)
        if total:
            self.progress.setValue(int(1000 * done / total))

    def _fetched(self, path: Path) -> None:
        self._busy(False, f"{path.name} is here and verified: {path}")
        self.refresh()

    def _fetch_failed(self, e: Exception) -> None:
        self._busy(False, str(e))


def photo_result(
    weights: str,
    preset: str | None,
    path: str,
    layer: str | None,
    target: int | None,
    feature_layer: str | None,
) -> ImageResult:
    """One photo's report, as the page shows it (on a worker thread)."""
    from resnet_studio.inspect.pretrained import look

    seen = look(weights, preset, path, layer, target, feature_layer)
    report, classes = seen.report, seen.opened.classes
    fm = report.features.get(feature_layer or "")
    cam = report.cam
    p = seen.opened.preprocess
    return ImageResult(
        f"{Path(path).name}, resized to {p.resize} and cropped to {p.crop}×{p.crop}, "
        f"predicted {report.prediction.name}",
        seen.picture,
        report.prediction.top(),
        cam.cam if cam else None,
        f"Grad-CAM of {classes[cam.target]} at {cam.layer}" if cam else "No Grad-CAM",
        report.layer_note,
        feature_layer or "",
        fm.maps if fm else np.zeros((0, 1, 1), np.float32),
        fm.means if fm else np.zeros(0, np.float32),
        fm.order if fm else np.zeros(0, np.int64),
    )

"""The Inspect tab: a trained run's checkpoint looked into. Pick a run (or open one from the
Train tab) and its best or last weights; the "Image" page shows one image's prediction,
Grad-CAM and feature maps, the "Mistakes" page the confusion matrix on the validation set, each
class's figures and galleries of the images it gets wrong.

Everything is computed by ``resnet_studio.inspect`` on the thread pool (``workers.py``), the
same functions ``resnet-studio inspect`` prints: loading, the evaluation (with its progress,
cancelled when another run is chosen), each image's report, the galleries' pictures. Torch is
never imported on the GUI thread. Exports are written atomically.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.atomic import atomic_write_bytes, atomic_write_text
from resnet_studio.desktop import resources
from resnet_studio.gui import workers
from resnet_studio.gui.inspect.confusion_view import ConfusionView
from resnet_studio.gui.inspect.gallery import Tile
from resnet_studio.gui.inspect.image_panel import ImagePanel, ImageResult
from resnet_studio.gui.inspect.inspect_images import png_bytes
from resnet_studio.gui.widgets.steady_tabs import SteadyTabs

if TYPE_CHECKING:
    from resnet_studio.inspect.confusion import Evaluation
    from resnet_studio.inspect.run_model import LoadedRun, ValidationSet
    from resnet_studio.train.manager import RunManager
    from resnet_studio.train.run import Run

GALLERY_MAX = 120  # pictures in one gallery
IMAGE_FILES = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)"


def samples() -> list[Path]:
    """The sample images shipped in resources/samples."""
    folder = Path(str(resources())) / "samples"
    return sorted(folder.glob("*.png")) if folder.is_dir() else []


class InspectView(QWidget):
    message = Signal(str)  # for the status bar
    problem = Signal(str)  # a sentence that must stay until read

    def __init__(self, manager: RunManager, parent: Any = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.loaded: LoadedRun | None = None
        self.val: ValidationSet | None = None
        self.evaluation: Evaluation | None = None
        self._generation = 0
        self._cancel = threading.Event()
        self._progress = (0, 0)
        self._images = workers.Latest(self)
        self._galleries = workers.Latest(self)
        self.run_box = QComboBox()
        self.run_box.setMinimumContentsLength(28)
        self.run_box.setToolTip("A run with saved weights")
        self.checkpoint_box = QComboBox()
        self.checkpoint_box.setToolTip(
            "The best epoch's weights (highest validation accuracy) or the last saved ones "
            "(a run in training saves them after each epoch)"
        )
        self.reload_button = QPushButton("Reload")
        self.reload_button.setToolTip(
            "Read the run's weights again (a run in training saves new ones)"
        )
        self.status = QLabel("Choose a run that has saved weights.")
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Run"))
        bar.addWidget(self.run_box, 1)
        bar.addWidget(self.checkpoint_box)
        bar.addWidget(self.reload_button)
        self.before_button = QPushButton("Before / after")  # a fine-tuned run's start, beside it
        self.before_button.setToolTip(
            "Grad-CAM of the shown image through the weights this run started from and through "
            "the run, side by side"
        )
        self.before_button.hide()
        self.before_button.clicked.connect(lambda: self.show_before_after())
        bar.addWidget(self.before_button)
        self.cancel_button = QPushButton("Cancel")  # shown while the validation set is measured
        self.cancel_button.setToolTip("Stop measuring the validation set (Reload measures again)")
        self.cancel_button.hide()
        bar.addWidget(self.cancel_button)
        self.image = ImagePanel()
        self.mistakes = ConfusionView()
        self.pages = SteadyTabs()
        scroll = QScrollArea()  # on a small screen the page scrolls rather than squeezes
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.pages.addTab(scroll, "Image")
        self.pages.addTab(self.mistakes, "Mistakes")
        from resnet_studio.gui.inspect.pretrained_view import (
            PretrainedView,  # pretrained weights, without a run
        )

        self.pretrained = PretrainedView()
        self.pretrained.message.connect(self.message)
        pre_scroll = QScrollArea()  # as the Image page: scrolls rather than squeezes
        pre_scroll.setWidget(self.pretrained)
        pre_scroll.setWidgetResizable(True)
        pre_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.pages.addTab(pre_scroll, "Pretrained weights")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.pages, 1)
        self._timer = QTimer(self, interval=150)
        self._timer.timeout.connect(lambda: self.mistakes.set_progress(*self._progress))

        self.run_box.activated.connect(lambda _: self._run_chosen())
        self.checkpoint_box.activated.connect(lambda _: self.load())
        self.reload_button.clicked.connect(lambda: self.load())
        self.cancel_button.clicked.connect(lambda: self.cancel_evaluation())
        self.image.sourceChanged.connect(self.show_image)
        self.image.optionsChanged.connect(self.show_image)
        self.image.openFileRequested.connect(lambda: self.open_file())
        self.mistakes.cellChosen.connect(self.show_cell)
        self.mistakes.classChosen.connect(self.show_class)
        self.mistakes.topLossesChosen.connect(self.show_top_losses)
        self.mistakes.gallery.imageChosen.connect(self.open_validation_image)
        self.mistakes.exportMatrixRequested.connect(lambda: self.export_matrix())
        self.mistakes.exportGalleryRequested.connect(lambda: self.export_gallery())
        for event in (manager.added, manager.removed):
            event.connect(lambda *_: self.refresh_runs())
        manager.ended.connect(lambda *_: self.refresh_runs())
        manager.changed.connect(self._run_changed)
        self.refresh_runs()

    # --- which run and weights ---------------------------------------------------------------
    def refresh_runs(self) -> None:
        """The runs with saved weights, newest first; the chosen one stays chosen."""
        chosen = self.run_box.currentData()
        self.run_box.blockSignals(True)
        self.run_box.clear()
        for run in reversed(self.manager.runs):
            if run.checkpoints():
                live = " (training)" if self.manager.is_live(run) else ""
                self.run_box.addItem(f"{run.label}{live} · {run.id}", str(run.dir))
        self.run_box.setCurrentIndex(max(0, self.run_box.findData(chosen)) if chosen else -1)
        self.run_box.blockSignals(False)
        if chosen is None and self.run_box.count():
            self.run_box.setCurrentIndex(0)  # not `activated`: that is the user's choice only
            if self.isVisible():
                self._run_chosen()

    def showEvent(self, event: Any) -> None:
        """The first look at the tab reads the chosen run (not before: it reads a dataset)."""
        super().showEvent(event)
        if self.loaded is None and not self.checkpoint_box.count() and self._run() is not None:
            self._run_chosen()

    def _run_changed(self, run: Run) -> None:
        """A run in training saved an epoch's weights: list it, or offer to reload them."""
        if self.run_box.findData(str(run.dir)) < 0:
            if run.checkpoints():
                self.refresh_runs()
        elif self.loaded is not None and run.dir == self.loaded.dir:
            done = len(run.epochs)
            if done > self.loaded.epoch:
                self.reload_button.setText(f"Reload (epoch {done})")
                self.reload_button.setToolTip(f"Epoch {done}'s weights are saved; read them")

    def _run(self) -> Run | None:
        folder = self.run_box.currentData()
        return next((r for r in self.manager.runs if str(r.dir) == folder), None)

    def _run_chosen(self) -> None:
        run = self._run()
        self.checkpoint_box.clear()
        for which in run.checkpoints() if run else {}:
            self.checkpoint_box.addItem(which, which)
        self.load()

    def open_run(self, run_dir: str | Path, checkpoint: str | None = None) -> None:
        """Inspect the run in ``run_dir`` (its best weights unless ``checkpoint`` says)."""
        self.refresh_runs()
        i = self.run_box.findData(str(run_dir))
        if i < 0:
            self.message.emit(f"{Path(run_dir).name} has no saved weights to inspect yet.")
            return
        self.run_box.setCurrentIndex(i)
        run = self._run()
        self.checkpoint_box.clear()
        for which in run.checkpoints() if run else {}:
            self.checkpoint_box.addItem(which, which)
        if checkpoint:
            self.checkpoint_box.setCurrentIndex(max(0, self.checkpoint_box.findData(checkpoint)))
        self.load()

    def load(self) -> None:
        """Read the chosen run's weights and validation set off the GUI thread, then measure
        the whole set and show the first image."""
        self.cancel()
        self._generation += 1
        generation = self._generation
        folder, which = self.run_box.currentData(), self.checkpoint_box.currentData()
        self.loaded = self.val = self.evaluation = None
        self.reload_button.setText("Reload")
        self.image.set_run(None)
        self.mistakes.set_evaluation(None)
        if not folder or not which:
            return
        self.status.setText(f"Reading {Path(folder).name}'s {which}.pt and its validation set…")
        self.image.set_busy(True)

        def work() -> tuple[Any, ...]:
            from resnet_studio.inspect.features import block_names, stage_names
            from resnet_studio.inspect.gradcam import default_layer
            from resnet_studio.inspect.run_model import load_run, load_validation

            loaded = load_run(folder, which)
            val = load_validation(loaded)
            spec = loaded.spec
            return loaded, val, stage_names(spec), block_names(spec), default_layer(spec)[0]

        def done(result: tuple[Any, ...]) -> None:
            if generation != self._generation:
                return
            self.loaded, self.val, stages, blocks, cam_layer = result
            assert self.loaded is not None and self.val is not None
            self.before_button.setVisible(bool(self.loaded.config.weights))
            self.status.setText(self._heading() + "measuring the validation set…")
            self.image.set_run(
                len(self.val), self.val.classes, stages, blocks, cam_layer, samples()
            )
            self.evaluate()
            self.show_image()

        workers.start(work, done, lambda e: self._failed(generation, e), receiver=self)

    def _failed(self, generation: int, e: Exception) -> None:
        if generation == self._generation:
            self.image.set_busy(False)
            self.status.setText(str(e))
            self.problem.emit(f"Could not inspect the run: {e}")

    def _heading(self) -> str:
        r = self.loaded
        if r is None:
            return ""
        return f"{r.dir.name}, {r.checkpoint}.pt (epoch {r.epoch}, step {r.step}): "

    def cancel(self) -> None:
        """Stop the evaluation under way (another run was chosen, or the window closes)."""
        self._cancel.set()
        self._timer.stop()
        self.cancel_button.hide()

    def cancel_evaluation(self) -> None:
        """The user's Cancel: stop measuring the validation set at the next batch, and say so."""
        self.cancel()
        self.mistakes.set_progress(0, 0)
        self.status.setText(self._heading() + "measuring was cancelled; Reload measures again.")

    def evaluate(self) -> None:
        loaded, val, generation = self.loaded, self.val, self._generation
        assert loaded is not None and val is not None
        self._cancel = cancel = threading.Event()
        self._progress = (0, len(val))
        self._timer.start()
        self.cancel_button.show()

        def progress(done: int, total: int) -> None:
            self._progress = (done, total)

        def work() -> Any:
            from resnet_studio.inspect.confusion import evaluate

            batch = loaded.config.batch_size * 2  # as the trainer validates
            return evaluate(loaded.model, val, batch, progress, cancel.is_set)

        def done(ev: Evaluation) -> None:
            if generation != self._generation or cancel.is_set():  # cancelled as it finished
                return
            self._timer.stop()
            self.cancel_button.hide()
            self.evaluation = ev
            self.mistakes.set_evaluation(ev)
            self.status.setText(self._heading() + self._accuracy_words(ev))
            self.show_top_losses()

        def failed(e: Exception) -> None:
            from resnet_studio.inspect.confusion import Cancelled

            if not isinstance(e, Cancelled):
                self.cancel_button.hide()
                self._failed(generation, e)

        workers.start(work, done, failed, receiver=self)

    def _accuracy_words(self, ev: Evaluation) -> str:
        assert self.loaded is not None
        recorded = self.loaded.recorded_accuracy
        said = (
            f", as the run recorded ({100 * recorded:.2f}%)"
            if recorded == ev.accuracy
            else f"; the run recorded {100 * recorded:.2f}%"
            if recorded is not None
            else ""
        )
        notes = " ".join(self.loaded.notes)
        return f"{100 * ev.accuracy:.2f}% of {len(ev):,} validation images right{said}. {notes}"

    # --- one image ---------------------------------------------------------------------------
    def open_file(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Inspect an image", "", IMAGE_FILES)
            if not path:
                return
        self.image.choose_file(path)

    def open_validation_image(self, index: int) -> None:
        self.pages.setCurrentIndex(0)
        self.image.choose_validation(index)

    def show_image(self) -> None:
        loaded, val, generation = self.loaded, self.val, self._generation
        if loaded is None or val is None:
            return
        source = self.image.source()
        layer, target, feature_layer = self.image.options()
        self.image.set_busy(True)

        def work() -> ImageResult:
            return _image_result(loaded, val, source, layer, target, feature_layer)

        def done(result: ImageResult) -> None:
            if generation == self._generation:
                self.image.set_busy(False)
                self.image.show_result(result)

        def failed(e: Exception) -> None:
            if generation == self._generation:
                self.image.set_busy(False)
                self.message.emit(str(e))

        self._images.submit(work, done, failed)

    def show_before_after(self) -> None:
        """The shown image's Grad-CAM before and after fine-tuning, in a dialog."""
        from resnet_studio.gui.inspect.before_after_view import BeforeAfterDialog, compute

        loaded, val = self.loaded, self.val
        if loaded is None or val is None:
            return
        source, layer = self.image.source(), self.image.options()[0]

        def done(result: Any) -> None:
            self.before_after = BeforeAfterDialog(result, self)
            self.before_after.show()

        workers.start(
            lambda: compute(loaded, val, source, layer),
            done,
            lambda e: self.message.emit(str(e)),
            receiver=self,
        )

    # --- galleries -------------------------------------------------------------------------------
    def show_cell(self, true: int, predicted: int) -> None:
        ev = self.evaluation
        if ev is None:
            return
        found = ev.cell(true, predicted)
        c = ev.classes
        what = "the least sure first" if true == predicted else "the worst loss first"
        n = f"{len(found)} image{'s' if len(found) != 1 else ''}"
        self._gallery(f"{c[true]} predicted as {c[predicted]}: {n}, {what}", found)

    def show_class(self, true: int) -> None:
        ev = self.evaluation
        if ev is not None:
            found = ev.wrong(true)
            self._gallery(f"The {len(found)} {ev.classes[true]} images it gets wrong", found)

    def show_top_losses(self) -> None:
        ev = self.evaluation
        if ev is not None:
            n = min(GALLERY_MAX, len(ev))
            self._gallery(f"The {n} highest losses of {len(ev):,} images", ev.top_losses(n))

    def _gallery(self, title: str, indices: np.ndarray) -> None:
        ev, val, generation = self.evaluation, self.val, self._generation
        assert ev is not None and val is not None
        shown = [int(i) for i in indices[:GALLERY_MAX]]
        if len(indices) > len(shown):
            title += f" (the first {len(shown)})"
        self.mistakes.gallery_title.setText(title + "; click one to inspect it")

        def work() -> list[Tile]:
            from resnet_studio.inspect.run_model import display_image

            if not shown:
                return []
            x = val.inputs(shown)
            return [
                Tile(i, display_image(x[k]), **_about(ev.image(i))) for k, i in enumerate(shown)
            ]

        def done(tiles: list[Tile]) -> None:
            if generation == self._generation:
                self.mistakes.gallery.set_tiles(title, tiles)

        self._galleries.submit(work, done, lambda e: self.message.emit(str(e)))

    # --- exports ---------------------------------------------------------------------------------
    def _ask(self, title: str, name: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, title, name, filters)
        return path or None

    def export_matrix(self, path: str | None = None) -> None:
        """The confusion matrix as CSV or PNG (by the file's suffix), as shown."""
        ev, run = self.evaluation, self.loaded
        if ev is None or run is None:
            return
        path = path or self._ask(
            "Export the confusion matrix",
            f"{run.dir.name}-confusion.png",
            "PNG (*.png);;CSV (*.csv)",
        )
        if not path:
            return
        try:
            if path.lower().endswith(".csv"):
                atomic_write_text(path, ev.csv(self.mistakes.normalised))
            else:
                kind = "row-normalised" if self.mistakes.normalised else "counts"
                title = f"{run.dir.name} ({run.checkpoint}.pt): {100 * ev.accuracy:.2f}%, {kind}"
                atomic_write_bytes(path, png_bytes(self.mistakes.matrix.image(title)))
        except OSError as e:
            self.problem.emit(f"Could not export {path}: {e.strerror or e}.")
            return
        self.message.emit(f"Exported {path}")

    def export_gallery(self, path: str | None = None) -> None:
        gallery = self.mistakes.gallery
        if not gallery.tiles:
            return
        path = path or self._ask("Export the gallery", "gallery.png", "PNG (*.png)")
        if not path:
            return
        try:
            atomic_write_bytes(path, png_bytes(gallery.image()))
        except OSError as e:
            self.problem.emit(f"Could not export {path}: {e.strerror or e}.")
            return
        self.message.emit(f"Exported {path}")


def _about(info: dict[str, Any]) -> dict[str, Any]:
    return {k: info[k] for k in ("label", "predicted", "probability", "loss")}


def _image_result(
    loaded: LoadedRun,
    val: ValidationSet,
    source: tuple[str, Any],
    layer: str | None,
    target: int | None,
    feature_layer: str | None,
) -> ImageResult:
    """One image's report, as the page shows it (on a worker thread)."""
    from resnet_studio.inspect.image import look_at
    from resnet_studio.inspect.run_model import display_image

    kind, what = source
    if kind == "val":
        x = val.inputs([what])
        label = val.classes[int(val.labels[what])]
        caption = f"Validation image {what}: a {label}"
    else:
        x = val.from_file(what)
        c, h, w = x.shape[1:]
        caption = f"{Path(what).name}, as {c}×{h}×{w} the way training gave its images"
    features = [feature_layer] if feature_layer else []
    report = look_at(loaded.model, loaded.spec, x, val.classes, layer, target, features)
    fm = report.features.get(feature_layer or "")
    empty = np.zeros((0, 1, 1), np.float32)
    cam = report.cam
    return ImageResult(
        caption + f", predicted {report.prediction.name}",
        display_image(x),
        report.prediction.top(),
        cam.cam if cam else None,
        f"Grad-CAM of {val.classes[cam.target]} at {cam.layer}" if cam else "No Grad-CAM",
        report.layer_note,
        feature_layer or "",
        fm.maps if fm else empty,
        fm.means if fm else np.zeros(0, np.float32),
        fm.order if fm else np.zeros(0, np.int64),
    )

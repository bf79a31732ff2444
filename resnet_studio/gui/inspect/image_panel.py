"""The Inspect tab's "Image" page: which image (a validation image with its label, a file, or a
shipped sample), what the network predicts for it, its Grad-CAM at a chosen layer and class,
and the feature maps of a chosen stage or block, strongest channel first; a clicked channel is
shown large beside the input.

It only shows an :class:`ImageResult` that the tab computed off the GUI thread, and says, by
its signals, what the user asked for next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.gui.inspect.inspect_images import channel_pictures, overlay, pixmap

SIDE = 200  # pixels of the input, the large channel and the Grad-CAM pictures
THUMB = 56
MAX_CHANNELS = 256  # shown in the grid, strongest first
TOP_K = 5
CAPTION_LINES = 4  # room kept under each picture: a longer or shorter caption moves nothing
PREDICTED = -1  # the class combo's "predicted class" entry


class Caption(QLabel):
    """Words under a picture, in a box of fixed height (they were cut at the top and bottom,
    and moved what lay below as they grew); the whole text is its tooltip too."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setFixedWidth(SIDE)
        self.setFixedHeight(CAPTION_LINES * self.fontMetrics().lineSpacing() + 4)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """``text``, shortened in the middle where it would not fit the box (a long file name)."""
        fm, box = self.fontMetrics(), self.contentsRect()
        shown, room = text, CAPTION_LINES * SIDE
        flags = Qt.TextFlag.TextWordWrap
        while fm.boundingRect(box, flags, shown).height() > box.height() and room > SIDE:
            room -= SIDE // 4
            shown = fm.elidedText(text, Qt.TextElideMode.ElideMiddle, room)
        super().setText(shown)
        self.setToolTip(text)


@dataclass(frozen=True)
class ImageResult:
    """What the page shows of one image, as plain arrays and words."""

    caption: str  # where the image comes from, and its label when known
    picture: np.ndarray  # uint8 (H, W) or (H, W, 3): the input as the network sees it
    top: list[tuple[str, float]]  # every class, most probable first
    cam: np.ndarray | None  # (H, W) 0…1, or None when no layer can say where
    cam_caption: str
    note: str  # why this layer, and what to know about its map
    layer: str  # the feature maps' layer
    maps: np.ndarray  # (C, h, w) float32
    means: np.ndarray  # (C,)
    order: np.ndarray  # channels, strongest first


class ImagePanel(QWidget):
    sourceChanged = Signal()  # another image was chosen: validation index, file or sample
    optionsChanged = Signal()  # another Grad-CAM layer or class, or feature layer
    openFileRequested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.result: ImageResult | None = None
        self.channel: int | None = None  # the feature map shown large, the user's choice
        self.kind = "val"  # "val", "file" or "sample": where the image comes from
        self.file = ""
        self.prev_button = QToolButton()
        self.prev_button.setText("◀")
        self.prev_button.setToolTip("The previous validation image")
        self.index = QSpinBox()
        self.index.setMinimumWidth(80)  # room for 5 digits, whatever the range is now
        self.index.setToolTip("A validation image, by its place in the run's validation set")
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.next_button.setToolTip("The next validation image")
        self.count = QLabel("of 0")
        self.file_button = QPushButton("Open image…")
        self.file_button.setToolTip(
            "An image file, given the run's channels and size the way training gave its images"
        )
        self.samples = QComboBox()
        self.samples.setToolTip("Images shipped with ResNet Studio")
        self.samples.setPlaceholderText("a sample…")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(80)
        self.busy.hide()
        source = QHBoxLayout()
        self.val_label = QLabel("Validation image")
        source.addWidget(self.val_label)
        for w in (self.prev_button, self.index, self.next_button, self.count):
            source.addWidget(w)
        source.addSpacing(12)
        source.addWidget(self.file_button)
        source.addWidget(QLabel("or"))
        source.addWidget(self.samples)
        source.addStretch(1)
        source.addWidget(self.busy)

        self.input_view, self.input_caption = self._picture("the input, as the network sees it")
        self.channel_view, self.channel_caption = self._picture(
            "click a feature map below to see it here"
        )
        self.cam_view, self.cam_caption = self._picture("")
        self.top = QLabel()
        self.top.setTextFormat(Qt.TextFormat.RichText)
        self.cam_layer = QComboBox()
        self.cam_layer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.cam_layer.setToolTip("The stage or block whose activations Grad-CAM weighs")
        self.cam_class = QComboBox()
        self.cam_class.setToolTip("The class whose evidence is mapped")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(mid);")
        cam_controls = QHBoxLayout()
        cam_controls.addWidget(QLabel("Grad-CAM at"))
        cam_controls.addWidget(self.cam_layer)
        cam_controls.addWidget(QLabel("for"))
        cam_controls.addWidget(self.cam_class, 1)

        # The controls above the pictures, and the captions in boxes of fixed height: what the
        # pictures say moves no control (under the captions, the Grad-CAM's moved with them)
        pictures = QGridLayout()
        pictures.addWidget(QLabel("Input"), 0, 0, Qt.AlignmentFlag.AlignBottom)
        pictures.addWidget(QLabel("Feature map"), 0, 1, Qt.AlignmentFlag.AlignBottom)
        pictures.addLayout(cam_controls, 0, 2)
        pictures.addWidget(self.input_view, 1, 0)
        pictures.addWidget(self.channel_view, 1, 1)
        pictures.addWidget(self.cam_view, 1, 2)
        pictures.addWidget(self.input_caption, 2, 0)
        pictures.addWidget(self.channel_caption, 2, 1)
        pictures.addWidget(self.cam_caption, 2, 2)
        pictures.addWidget(self.top, 3, 0, 1, 2, Qt.AlignmentFlag.AlignTop)
        pictures.addWidget(self.note, 3, 2, Qt.AlignmentFlag.AlignTop)
        pictures.setColumnStretch(3, 1)

        self.feature_layer = QComboBox()
        self.feature_layer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.feature_layer.setToolTip("A stage's output, or one residual block's")
        self.feature_count = QLabel()
        self.grid = QListWidget()
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setIconSize(QSize(THUMB, THUMB))
        self.grid.setGridSize(QSize(THUMB + 22, THUMB + 36))
        self.grid.setUniformItemSizes(True)
        features = QGroupBox("Feature maps")
        fl = QVBoxLayout(features)
        row = QHBoxLayout()
        row.addWidget(QLabel("of"))
        row.addWidget(self.feature_layer)
        row.addWidget(self.feature_count, 1)
        fl.addLayout(row)
        fl.addWidget(self.grid, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(source)
        layout.addLayout(pictures)
        layout.addWidget(features, 1)

        self.prev_button.clicked.connect(lambda: self.index.setValue(self.index.value() - 1))
        self.next_button.clicked.connect(lambda: self.index.setValue(self.index.value() + 1))
        self.index.valueChanged.connect(lambda _: self.choose_validation(self.index.value()))
        self.file_button.clicked.connect(lambda: self.openFileRequested.emit())
        self.samples.activated.connect(lambda i: self.choose_file(self.samples.itemData(i), True))
        self.cam_layer.activated.connect(lambda _: self.optionsChanged.emit())
        self.cam_class.activated.connect(lambda _: self.optionsChanged.emit())
        self.feature_layer.activated.connect(lambda _: self.optionsChanged.emit())
        self.grid.currentRowChanged.connect(self._show_channel)
        self.set_run(None)

    def _picture(self, tip: str) -> tuple[QLabel, Caption]:
        view = QLabel()
        view.setFixedSize(SIDE, SIDE)
        view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        view.setStyleSheet("background: #202020;")
        return view, Caption(tip)

    # --- what can be chosen ---------------------------------------------------------------
    def set_run(
        self,
        images: int | None,
        classes: Sequence[str] = (),
        stages: Sequence[str] = (),
        blocks: Sequence[str] = (),
        cam_layer: str | None = None,
        samples: Sequence[Path] = (),
    ) -> None:
        """A new run: its validation images, classes, layers and the default Grad-CAM layer."""
        on = images is not None
        for w in (self.prev_button, self.index, self.next_button):
            w.setEnabled(bool(images))
        self.file_button.setEnabled(on)
        self.samples.setEnabled(on and bool(samples))
        self.index.blockSignals(True)
        self.index.setRange(0, max(0, (images or 1) - 1))
        self.index.setValue(0)
        self.index.blockSignals(False)
        self.count.setText(f"of {images or 0:,}")
        self.samples.clear()
        for path in samples:
            self.samples.addItem(path.stem, str(path))
        self.samples.setCurrentIndex(-1)
        self.cam_layer.clear()
        if on and cam_layer is None:
            self.cam_layer.addItem("none: the input is too small", None)
        for name in [*stages, *blocks]:
            self.cam_layer.addItem(name, name)
        if cam_layer is not None:
            self.cam_layer.setCurrentIndex(self.cam_layer.findData(cam_layer))
        self.cam_class.clear()
        self.cam_class.addItem("the predicted class", PREDICTED)
        for i, name in enumerate(classes):
            self.cam_class.addItem(name, i)
        self.feature_layer.clear()
        for name in stages:
            self.feature_layer.addItem(f"{name} (stage)", name)
        for name in blocks:
            self.feature_layer.addItem(f"{name} (block)", name)
        self.kind = "val"
        if not on:
            self.show_result(None)

    def choose_validation(self, index: int) -> None:
        self.kind = "val"
        self.samples.setCurrentIndex(-1)
        if self.index.value() != index:
            self.index.setValue(index)  # emits again, and lands here once more
            return
        self.sourceChanged.emit()

    def choose_file(self, path: str, sample: bool = False) -> None:
        self.kind, self.file = ("sample" if sample else "file"), str(path)
        if not sample:
            self.samples.setCurrentIndex(-1)
        self.sourceChanged.emit()

    def source(self) -> tuple[str, Any]:
        """("val", index) or ("file", path): the image to show."""
        return ("val", self.index.value()) if self.kind == "val" else ("file", self.file)

    def options(self) -> tuple[str | None, int | None, str | None]:
        """(Grad-CAM layer or None for none, class or None for the predicted, feature layer)."""
        cls = self.cam_class.currentData()
        return (
            self.cam_layer.currentData(),
            None if cls in (None, PREDICTED) else int(cls),
            self.feature_layer.currentData(),
        )

    def set_busy(self, on: bool) -> None:
        self.busy.setVisible(on)

    # --- what is shown -----------------------------------------------------------------------
    def show_result(self, r: ImageResult | None) -> None:
        """Show ``r``; the feature map the user chose stays chosen while its layer is shown
        (another image, another Grad-CAM layer or class)."""
        same_layer = r is not None and self.result is not None and r.layer == self.result.layer
        kept = self.channel if same_layer else None
        self.channel = None
        self.result = r
        self.grid.clear()
        self.channel_view.clear()
        if r is None:
            for view in (self.input_view, self.cam_view):
                view.clear()
            self.top.setText("")
            self.note.setText("")
            self.input_caption.setText("Choose a run and an image.")
            self.feature_count.setText("")
            return
        self.input_view.setPixmap(pixmap(r.picture, SIDE))
        self.input_caption.setText(r.caption)
        rows = "".join(
            f"<tr><td>{name}</td><td align='right'>&nbsp;{100 * p:.1f}%&nbsp;</td>"
            f"<td style='color:#2f6db3;'>{'█' * round(20 * p)}</td></tr>"
            for name, p in r.top[:TOP_K]
        )
        self.top.setText(f"<b>Prediction</b><table cellspacing='2'>{rows}</table>")
        if r.cam is None:
            self.cam_view.clear()
        else:
            self.cam_view.setPixmap(pixmap(overlay(r.picture, r.cam), SIDE))
        self.cam_caption.setText(r.cam_caption)
        self.note.setText(r.note)
        c, h, w = r.maps.shape
        shown = r.order[:MAX_CHANNELS]
        pictures = channel_pictures(r.maps[shown], top=float(r.maps.max()) if r.maps.size else 1)
        for k, ch in enumerate(shown):
            item = QListWidgetItem(QIcon(pixmap(pictures[k], THUMB)), f"{ch}\n{r.means[ch]:.2f}")
            item.setToolTip(f"channel {ch}: mean activation {r.means[ch]:.3f}")
            item.setData(Qt.ItemDataRole.UserRole, int(ch))
            self.grid.addItem(item)
        more = f"the strongest {len(shown)} of {c}" if c > len(shown) else f"all {c}"
        self.feature_count.setText(
            f"{more} channels ({h}×{w}), strongest first, with each one's mean activation"
        )
        self.channel_caption.setText("click a feature map below to see it here")
        if kept is not None and kept < c:
            self.show_channel(kept)

    def _show_channel(self, row: int) -> None:
        item = self.grid.item(row) if row >= 0 else None
        if self.result is not None and item is not None:
            self.show_channel(int(item.data(Qt.ItemDataRole.UserRole)))

    def show_channel(self, ch: int) -> None:
        """Feature map ``ch`` of the result's layer, large, and current in the grid."""
        r = self.result
        assert r is not None  # a channel is chosen from a result's maps
        self.channel = ch
        place = [int(k) for k in r.order].index(ch)  # the grid's row, when it shows it
        if place < self.grid.count() and self.grid.currentRow() != place:
            self.grid.setCurrentRow(place)  # lands here again through _show_channel
            return
        picture = channel_pictures(r.maps[ch : ch + 1], top=float(r.maps.max()))[0]
        self.channel_view.setPixmap(pixmap(picture, SIDE))
        rank = "the strongest" if place == 0 else f"number {place + 1} by strength"
        self.channel_caption.setText(
            f"{r.layer}, channel {ch}: mean activation {r.means[ch]:.3f} ({rank} of {len(r.means)})"
        )

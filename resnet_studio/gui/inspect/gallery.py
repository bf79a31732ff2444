"""A gallery of validation images with a caption each (true → predicted, probability): the
images of a confusion-matrix cell or the highest losses. Clicking one asks the inspector to
open it; the gallery is written as one PNG (a grid of the images with their captions)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem

from resnet_studio.gui import theme
from resnet_studio.gui.inspect.inspect_images import pixmap

THUMB = 72  # pixels, the side of a picture in the gallery
WRONG = QColor(theme.ERROR)


@dataclass(frozen=True)
class Tile:
    index: int  # the image's place in the validation set
    picture: np.ndarray  # uint8 (H, W) or (H, W, 3)
    label: str
    predicted: str
    probability: float  # of the predicted class
    loss: float

    @property
    def wrong(self) -> bool:
        return self.label != self.predicted

    @property
    def caption(self) -> str:
        return f"{self.label} → {self.predicted}\n{100 * self.probability:.0f}%  #{self.index}"


class Gallery(QListWidget):
    """Thumbnails in reading order, worst first as given; a click emits the image's index."""

    imageChosen = Signal(int)

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(THUMB, THUMB))
        # wide enough for the longest caption line: "77%  …" hid three-digit image numbers
        widest = self.fontMetrics().horizontalAdvance("100%  #00000") + 12
        self.setGridSize(QSize(max(THUMB + 28, widest), THUMB + 44))
        self.setWordWrap(True)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.title = ""
        self.tiles: list[Tile] = []
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)

    def set_tiles(self, title: str, tiles: list[Tile]) -> None:
        self.clear()
        self.title, self.tiles = title, list(tiles)
        for t in self.tiles:
            item = QListWidgetItem(QIcon(pixmap(t.picture, THUMB)), t.caption)
            item.setData(Qt.ItemDataRole.UserRole, t.index)
            item.setToolTip(
                f"Validation image {t.index}: a {t.label}, predicted {t.predicted} "
                f"({100 * t.probability:.1f}%), loss {t.loss:.3f}. Click to inspect it."
            )
            if t.wrong:
                item.setForeground(WRONG)
            self.addItem(item)

    def _clicked(self, item: QListWidgetItem) -> None:
        self.imageChosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def image(self, columns: int = 8) -> QImage:
        """The gallery as one picture: its title, then the tiles in rows with their captions."""
        return gallery_image(self.title, self.tiles, columns)


def gallery_image(title: str, tiles: list[Tile], columns: int = 8) -> QImage:
    side, pad, text_h, title_h = 96, 10, 34, 32
    columns = max(1, min(columns, len(tiles) or 1))
    rows = max(1, -(-len(tiles) // columns))
    width = pad + columns * (side + pad)
    height = title_h + pad + rows * (side + text_h + pad)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    try:
        font = QFont()
        font.setPointSizeF(10)
        p.setFont(font)
        p.setPen(QColor("black"))
        p.drawText(QRect(pad, 4, width - 2 * pad, title_h), Qt.AlignmentFlag.AlignVCenter, title)
        for k, t in enumerate(tiles):
            x = pad + (k % columns) * (side + pad)
            y = title_h + pad + (k // columns) * (side + text_h + pad)
            picture = pixmap(t.picture, side).toImage()
            dx, dy = (side - picture.width()) // 2, (side - picture.height()) // 2
            p.drawImage(x + dx, y + dy, picture)
            p.setPen(WRONG if t.wrong else QColor("black"))
            p.drawText(
                QRect(x - pad // 2, y + side + 2, side + pad, text_h),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                t.caption,
            )
    finally:
        p.end()
    return image

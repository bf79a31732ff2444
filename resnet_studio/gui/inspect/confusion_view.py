"""The Inspect tab's "Mistakes" page: the confusion matrix of a run's validation set (counts or
row-normalised; rows are true classes), each class's figures, and a gallery of the images in a
clicked cell, of a clicked class's mistakes, or of the highest losses.

It shows an :class:`~..inspect.confusion.Evaluation` that the tab computed off the GUI thread;
the gallery's pictures come the same way (the tab fills it). The matrix is painted by one
function for the screen and for its PNG.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.gui.inspect.gallery import Gallery

if TYPE_CHECKING:
    from resnet_studio.inspect.confusion import Evaluation

TEXT_UP_TO = 30  # classes: above this the cells are too small for numbers (hover tells them)


def _cell_colour(share: float) -> QColor:
    """White for none, deep blue for all of a row."""
    s = max(0.0, min(1.0, share)) ** 0.6  # small shares still show
    return QColor(int(255 - 222 * s), int(255 - 180 * s), int(255 - 90 * s))


def matrix_layout(fm: QFontMetrics, area: QRect, classes: list[str]) -> tuple[QRect, float, int]:
    """Where the cells go in ``area`` (their rectangle and one cell's side) and the width of
    the row labels, for painting and for hit-testing alike."""
    k = len(classes)
    label_w = min(120, max((fm.horizontalAdvance(c) for c in classes), default=0) + 8)
    top_h = fm.height() + 18
    left_w = label_w + fm.height() + 6
    side = max(3.0, min((area.width() - left_w) / max(k, 1), (area.height() - top_h) / max(k, 1)))
    grid = QRect(area.left() + left_w, area.top() + top_h, int(side * k), int(side * k))
    return grid, side, label_w


def paint_matrix(
    p: QPainter, area: QRect, classes: list[str], counts: np.ndarray, normalised: bool
) -> tuple[QRect, float]:
    """Paint the matrix into ``area``: column labels on top (predicted), row labels on the
    left (true), a cell per pair coloured by its share of the row. Returns the cells' rectangle
    and one cell's side."""
    k = len(classes)
    rows = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
    fm = QFontMetrics(p.font())
    grid, side, label_w = matrix_layout(fm, area, classes)
    p.setPen(QColor("#444"))
    p.drawText(
        QRect(grid.left(), area.top(), grid.width(), fm.height()),
        Qt.AlignmentFlag.AlignHCenter,
        "predicted class",
    )
    p.save()  # "true class", written upwards beside the rows
    p.translate(area.left() + fm.height(), grid.top() + grid.height() / 2)
    p.rotate(-90)
    along = QRect(-grid.height() // 2, -fm.height(), grid.height(), fm.height())
    p.drawText(along, Qt.AlignmentFlag.AlignHCenter, "true class")
    p.restore()
    text = k <= TEXT_UP_TO
    for i in range(k):
        y = grid.top() + i * side
        for j in range(k):
            x = grid.left() + j * side
            cell = QRect(int(x), int(y), int(side) + 1, int(side) + 1)
            p.fillRect(cell, _cell_colour(float(shares[i, j])))
            if text and counts[i, j]:
                p.setPen(QColor("white") if shares[i, j] > 0.55 else QColor("#222"))
                value = f"{shares[i, j]:.2f}" if normalised else str(int(counts[i, j]))
                p.drawText(cell, Qt.AlignmentFlag.AlignCenter, value)
        if text:
            p.setPen(QColor("#222"))
            name = fm.elidedText(classes[i], Qt.TextElideMode.ElideRight, label_w - 6)
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            row = QRect(area.left() + fm.height() + 4, int(y), label_w - 4, int(side))
            p.drawText(row, right, name)
            short = fm.elidedText(classes[i], Qt.TextElideMode.ElideRight, int(side))
            column = QRect(
                int(grid.left() + i * side), grid.top() - fm.height() - 2, int(side), fm.height()
            )
            p.drawText(column, Qt.AlignmentFlag.AlignHCenter, short)
    p.setPen(QColor("#888"))
    p.drawRect(grid)
    return grid, side


class MatrixWidget(QWidget):
    """The confusion matrix; a click on a cell emits (true, predicted)."""

    cellClicked = Signal(int, int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.classes: list[str] = []
        self.counts = np.zeros((0, 0), np.int64)
        self.normalised = False
        self.setMouseTracking(True)
        self.setMinimumSize(QSize(220, 220))

    def set_matrix(self, classes: list[str], counts: np.ndarray) -> None:
        self.classes, self.counts = list(classes), counts
        self.update()

    def set_normalised(self, on: bool) -> None:
        self.normalised = on
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        try:
            p.fillRect(self.rect(), QColor("white"))
            if self.classes:
                p.setFont(self.font())
                paint_matrix(p, self._area(), self.classes, self.counts, self.normalised)
        finally:
            p.end()

    def _layout(self) -> tuple[QRect, float]:
        grid, side, _ = matrix_layout(self.fontMetrics(), self._area(), self.classes)
        return grid, side

    def _area(self) -> QRect:
        return self.rect().adjusted(6, 6, -6, -6)

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        grid, side = self._layout()
        if not self.classes or not grid.contains(pos):
            return None
        k = len(self.classes)
        i = min(k - 1, int((pos.y() - grid.top()) / side))
        j = min(k - 1, int((pos.x() - grid.left()) / side))
        return i, j

    def cell_centre(self, true: int, predicted: int) -> QPoint:
        """Where a cell is in the widget."""
        grid, side = self._layout()
        return QPoint(
            int(grid.left() + (predicted + 0.5) * side), int(grid.top() + (true + 0.5) * side)
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        if cell is not None:
            self.cellClicked.emit(*cell)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        if cell is None:
            QToolTip.hideText()
            return
        i, j = cell
        n, row = int(self.counts[i, j]), int(self.counts[i].sum())
        share = f" ({100 * n / row:.1f}% of the {self.classes[i]} images)" if row else ""
        QToolTip.showText(
            event.globalPosition().toPoint(),
            f"true {self.classes[i]}, predicted {self.classes[j]}: {n} image"
            f"{'' if n == 1 else 's'}{share}; click to see them",
            self,
        )

    def image(self, title: str = "") -> QImage:
        """The matrix as a picture, sized for its classes, with a title."""
        k = max(1, len(self.classes))
        side = max(14, min(56, 900 // k))
        font = QFont()
        font.setPointSizeF(10 if k <= TEXT_UP_TO else 7)
        label = min(120, 10 * max((len(c) for c in self.classes), default=1)) + 40
        size = QSize(label + side * k + 20, 40 + 30 + side * k + 20)
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        p = QPainter(image)
        try:
            p.setFont(font)
            p.setPen(QColor("black"))
            p.drawText(QRect(10, 6, size.width() - 20, 28), Qt.AlignmentFlag.AlignLeft, title)
            area = QRect(10, 40, size.width() - 20, size.height() - 50)
            paint_matrix(p, area, self.classes, self.counts, self.normalised)
        finally:
            p.end()
        return image


class ConfusionView(QWidget):
    cellChosen = Signal(int, int)  # (true, predicted): show that cell's images
    classChosen = Signal(int)  # a class's mistakes
    topLossesChosen = Signal()
    exportMatrixRequested = Signal()
    exportGalleryRequested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.evaluation: Evaluation | None = None
        self.summary = QLabel("Choose a run to see where it fails.")
        self.summary.setWordWrap(True)
        self.mode = QComboBox()
        self.mode.addItems(["Counts", "Row-normalised"])
        self.mode.setToolTip("Counts of images, or each row's shares (a true class's images)")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.export_matrix_button = QPushButton("Export matrix…")
        self.export_matrix_button.setToolTip("The matrix as CSV or PNG, as shown")
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.progress)
        top.addWidget(QLabel("Show"))
        top.addWidget(self.mode)
        top.addWidget(self.export_matrix_button)

        self.matrix = MatrixWidget()
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            ["Class", "Images", "Accuracy", "Precision", "Recall", "Most taken for"]
        )
        for column, tip in (
            (2, "The share of this class's images predicted right (its recall, by definition)"),
            (3, "The share of the images predicted as this class that are of it"),
            (4, "The share of this class's images predicted right"),
        ):
            header = self.table.horizontalHeaderItem(column)
            if header is not None:
                header.setToolTip(tip)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setToolTip("Click a class to see its mistakes, worst first")
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.matrix)
        left.addWidget(self.table)
        left.setSizes([420, 220])

        self.gallery_title = QLabel("Click a cell or a class, or show the highest losses.")
        self.gallery_title.setWordWrap(True)
        self.top_losses_button = QPushButton("Highest losses")
        self.top_losses_button.setToolTip("The images with the highest loss on the whole set")
        self.export_gallery_button = QPushButton("Export gallery…")
        self.export_gallery_button.setToolTip("The gallery as one PNG, with its captions")
        self.gallery = Gallery()
        bar = QHBoxLayout()
        bar.addWidget(self.top_losses_button)
        bar.addStretch(1)
        bar.addWidget(self.export_gallery_button)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(bar)
        rl.addWidget(self.gallery_title)
        rl.addWidget(self.gallery, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([520, 420])
        self.splitter = split
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self.mode.currentIndexChanged.connect(lambda i: self.matrix.set_normalised(i == 1))
        self.matrix.cellClicked.connect(self.cellChosen)
        self.table.cellClicked.connect(lambda row, _col: self.classChosen.emit(row))
        self.top_losses_button.clicked.connect(lambda: self.topLossesChosen.emit())
        self.export_matrix_button.clicked.connect(lambda: self.exportMatrixRequested.emit())
        self.export_gallery_button.clicked.connect(lambda: self.exportGalleryRequested.emit())
        self.set_evaluation(None)

    @property
    def normalised(self) -> bool:
        return self.mode.currentIndex() == 1

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setVisible(done < total)
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.progress.setFormat(f"measuring: {done:,} of {total:,} images")

    def set_evaluation(self, ev: Evaluation | None, heading: str = "") -> None:
        self.evaluation = ev
        for b in (self.export_matrix_button, self.export_gallery_button, self.top_losses_button):
            b.setEnabled(ev is not None)
        if ev is None:
            self.matrix.set_matrix([], np.zeros((0, 0), np.int64))
            self.table.setRowCount(0)
            self.gallery.set_tiles("", [])
            return
        self.progress.hide()
        self.matrix.set_matrix(list(ev.classes), ev.confusion())
        confused = ", ".join(f"{t} as {p} ({n})" for t, p, n in ev.most_confused(4))
        self.summary.setText(
            f"{heading}{100 * ev.accuracy:.2f}% of {len(ev):,} validation images right"
            + (f"; most confused: {confused}." if confused else "; no mistakes.")
        )
        figures = ev.per_class()
        m = ev.confusion()
        self.table.setRowCount(len(figures))
        for i, c in enumerate(figures):
            off = m[i].copy()
            off[i] = 0
            taken = f"{ev.classes[int(off.argmax())]} ({int(off.max())})" if off.any() else "–"
            cells = [c.name, f"{c.images:,}", *_shares(c.accuracy, c.precision, c.recall), taken]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(i, j, item)


def _shares(*values: float | None) -> list[str]:
    return ["–" if v is None else f"{100 * v:.1f}%" for v in values]

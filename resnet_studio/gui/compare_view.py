"""The compare view: several architectures stage by stage, in one table and in pictures."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..core import ArchSpec, analyze
from ..core.compare import Comparison, compare
from ..core.format import human, shape_text
from ..core.presets import PRESETS, preset_spec
from .plots import StagePlots, colour

CURRENT = "current"
DIFF = QBrush(QColor("#fff2c4"))


class CompareView(QWidget):
    exportRequested = Signal(str)  # "table" or "plots"

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.quick = QPushButton("resnet18 vs resnet50")
        self.quick.setToolTip("Compare torchvision's resnet18 and resnet50")
        self.preset = QComboBox()
        self.preset.addItems(list(PRESETS))
        self.preset.setToolTip("A preset to add to the comparison")
        self.add = QPushButton("Add preset")
        self.add_current = QPushButton("Add current spec")
        self.add_current.setToolTip("Compare the spec being edited; it follows your edits")
        self.remove = QPushButton("Remove")
        self.export_table = QPushButton("Export table…")
        self.export_table.setToolTip("Save the table as CSV or Markdown")
        self.export_plots = QPushButton("Export plots…")
        self.export_plots.setToolTip("Save the three plots as PNG or SVG")
        for w in (self.quick, self.preset, self.add, self.add_current, self.remove):
            bar.addWidget(w)
        bar.addSeparator()
        bar.addWidget(self.export_table)
        bar.addWidget(self.export_plots)
        layout.addWidget(bar)
        self.list = QListWidget()
        self.list.setFlow(QListWidget.Flow.LeftToRight)
        self.list.setMaximumHeight(34)
        self.list.setToolTip("The compared architectures; the first is the reference for ratios")
        layout.addWidget(self.list)
        self.table = QTableWidget()
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.plots = StagePlots()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.plots)
        split.setSizes([300, 420])
        self.splitter = split
        layout.addWidget(split, 1)

        self.entries: list[str] = []  # preset names or CURRENT
        self.current_spec: ArchSpec | None = None
        self.current_label = CURRENT
        self.batch_size = 1
        self.comparison: Comparison | None = None
        self.quick.clicked.connect(lambda: self.set_entries(["resnet18", "resnet50"]))
        self.add.clicked.connect(
            lambda: self.set_entries([*self.entries, self.preset.currentText()])
        )
        self.add_current.clicked.connect(lambda: self.set_entries([*self.entries, CURRENT]))
        self.remove.clicked.connect(self._remove)
        self.export_table.clicked.connect(lambda: self.exportRequested.emit("table"))
        self.export_plots.clicked.connect(lambda: self.exportRequested.emit("plots"))

    def set_current(self, spec: ArchSpec, label: str, batch_size: int) -> None:
        self.current_spec, self.current_label, self.batch_size = spec, label, batch_size
        if CURRENT in self.entries or not self.entries:
            self.refresh()

    def set_entries(self, entries: list[str]) -> None:
        self.entries = list(dict.fromkeys(entries))  # no duplicates, order kept
        self.refresh()

    def _remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.entries):
            self.set_entries(self.entries[:row] + self.entries[row + 1 :])

    def labelled(self) -> list[tuple[str, Any]]:
        out = []
        for e in self.entries:
            if e == CURRENT:
                if self.current_spec is not None:
                    out.append((self.current_label, analyze(self.current_spec, self.batch_size)))
            else:
                out.append((e, analyze(preset_spec(e), self.batch_size)))
        return out

    def refresh(self) -> None:
        labelled = self.labelled()
        self.list.clear()
        for j, (label, _) in enumerate(labelled):
            self.list.addItem(label)
            self.list.item(j).setForeground(QBrush(QColor(colour(j))))
        if not labelled:
            self.table.clear()
            self.table.setRowCount(0)
            self.comparison = None
            return
        c = compare(labelled)
        self.comparison = c
        self._fill_table(c)
        self.plots.set_analyses(labelled)

    def _fill_table(self, c: Comparison) -> None:
        """Per spec: output shape, params and MACs, compact, with exact numbers as tooltips and
        the totals' ratios to the first spec; what differs between the specs is highlighted."""
        head = ["stage"]
        for label in c.labels:
            head += [f"{label}\noutput", f"{label}\nparams", f"{label}\nMACs"]
        self.table.clear()
        self.table.setColumnCount(len(head))
        self.table.setRowCount(len(c.stages) + 1)
        self.table.setHorizontalHeaderLabels(head)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

        def put(i: int, k: int, text: str, tip: str = "", diff: bool = False) -> None:
            item = QTableWidgetItem(text)
            item.setToolTip(tip or text)
            if k and (k - 1) % 3:
                item.setTextAlignment(right)
            if diff:
                item.setBackground(DIFF)
            self.table.setItem(i, k, item)

        for i, (name, cells) in enumerate(zip(c.stages, c.cells, strict=True)):
            put(i, 0, name)
            for j, (cell, a) in enumerate(zip(cells, c.analyses, strict=True)):
                if cell is None:
                    continue
                macs = cell.macs * a.batch_size
                k = 1 + 3 * j
                put(i, k, shape_text(a.shape(cell.out_shape)), diff=c.differs(i, "out_shape"))
                put(i, k + 1, human(cell.params), str(cell.params), c.differs(i, "params"))
                put(i, k + 2, human(macs), str(macs), c.differs(i, "macs"))
        total = len(c.stages)
        put(total, 0, "total")
        for j, a in enumerate(c.analyses):
            t, k = a.totals, 2 + 3 * j
            put(total, k, f"{human(t.params)} (×{c.ratio(j, 'params'):.2f})", str(t.params))
            put(total, k + 1, f"{human(t.macs)} (×{c.ratio(j, 'macs'):.2f})", str(t.macs))
        self.table.resizeColumnsToContents()

"""The compare view: several architectures drawn side by side on one scale and aligned by stage,
a table of one row per measure and one column per network (each against the first), and the
charts. A click on a network (its diagram row or its column) selects it for Remove."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.core import ArchSpec, analyze
from resnet_studio.core.compare import Comparison, MeasureRow, compare, measure_rows
from resnet_studio.core.document import SpecDocument
from resnet_studio.core.presets import PRESETS, preset_spec
from resnet_studio.gui import theme
from resnet_studio.gui.diagram.diagram_view import DiagramView
from resnet_studio.gui.plots.stage_charts import StagePlots, colour
from resnet_studio.gui.window.exports import export_stem
from resnet_studio.measure.profile_compare import measured_rows, profiles_for

CURRENT = "current"
DIFF, STAGE_ROW = QBrush(QColor(theme.DIFF)), QBrush(QColor(theme.STAGE_ROW))
DARK_DIFF, DARK_STAGE_ROW = QBrush(QColor(theme.DARK_DIFF)), QBrush(QColor(theme.DARK_STAGE_ROW))


def _shade(light: QBrush, dark: QBrush) -> QBrush:
    """A cell's shade in the window's colours: a light cell under light text is unreadable."""
    return dark if theme.is_dark() else light


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
        self.remove.setToolTip("Remove the selected network: click its column or its diagram")
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

        self.diagram = DiagramView(first_look="whole")  # the comparison at a glance
        self.table = QTableWidget()
        self.table.verticalHeader().hide()
        # a narrow pane scrolls sideways: no name or number is cut to fit
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectColumns)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.plots = StagePlots(grid=True)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.table)
        lower.addWidget(self.plots)
        lower.setSizes([580, 640])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.diagram)
        split.addWidget(lower)
        split.setSizes([390, 450])
        self.splitter, self.lower_pane = split, lower  # QWidget.lower() is Qt's
        layout.addWidget(split, 1)

        self.entries: list[str] = []  # preset names or CURRENT
        self.current_spec: ArchSpec | None = None
        self.current_label = CURRENT
        self.batch_size = 1
        self.comparison: Comparison | None = None
        self.stale = False  # the current spec changed while the tab was hidden
        self.rows: list[MeasureRow] = []  # the table's rows, as shown (and exported)
        self.table_rows: list[tuple[str, str]] = []  # (stage, measure) per row; ("layer1", "")
        self.columns: list[int] = []  # which network each column shows (-1: the measures)
        self.quick.clicked.connect(lambda: self.set_entries(["resnet18", "resnet50"]))
        self.add.clicked.connect(
            lambda: self.set_entries([*self.entries, self.preset.currentText()])
        )
        self.add_current.clicked.connect(lambda: self.set_entries([*self.entries, CURRENT]))
        self.remove.clicked.connect(lambda: self.remove_selected())
        self.export_table.clicked.connect(lambda: self.exportRequested.emit("table"))
        self.export_plots.clicked.connect(lambda: self.exportRequested.emit("plots"))
        self.diagram.rowClicked.connect(self.select_network)
        self.table.itemSelectionChanged.connect(self._table_selection)

    def bind(self, doc: SpecDocument) -> None:
        """Follow the spec document: the current spec, its one name, the batch size."""
        doc.changed.connect(self._document_changed)
        self._document_changed(doc)

    def _document_changed(self, doc: SpecDocument) -> None:
        self.set_current(doc.spec, doc.label, doc.batch_size)

    def set_current(self, spec: ArchSpec, label: str, batch_size: int) -> None:
        """The spec being edited, by its one name ("resnet50 (edited)")."""
        self.current_spec, self.batch_size = spec, batch_size
        self.current_label = label
        if CURRENT in self.entries or not self.entries:
            if self.isVisible():
                self.refresh()
            else:  # a hidden comparison costs an edit nothing (resnet1202's: 8–10 ms)
                self.stale = True

    def catch_up(self) -> None:
        """Compare the current spec as it is now, if it changed while the tab was hidden (before
        the tab is shown, and before its table, diagram or charts are exported)."""
        if self.stale:
            self.refresh()

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        self.catch_up()
        super().showEvent(event)

    def set_entries(self, entries: list[str]) -> None:
        """The networks compared: preset names or CURRENT. A name that is no longer a preset
        (from an older version's settings) is dropped."""
        known = ArchSpec.presets()
        kept = [e for e in entries if isinstance(e, str) and (e == CURRENT or e in known)]
        self.entries = list(dict.fromkeys(kept))  # no duplicates, order kept
        self.diagram.expanded.clear()  # unfolded runs are kept by row, and the rows moved
        self.refresh()

    # --- which network is selected -----------------------------------------------------------
    def selected_network(self) -> int | None:
        col = self.table.currentColumn()
        if self.table.selectedItems() and 0 <= col < len(self.columns) and self.columns[col] >= 0:
            return self.columns[col]
        return None

    def select_network(self, j: int) -> None:
        if j in self.columns:
            self.table.selectColumn(self.columns.index(j))
            self.table.setCurrentCell(max(self.table.currentRow(), 0), self.columns.index(j))

    def _table_selection(self) -> None:
        j = self.selected_network()
        self.remove.setEnabled(j is not None)
        self.diagram.select_row(j)

    def remove_selected(self) -> None:
        """Remove the network whose column (or diagram) is selected."""
        j = self.selected_network()
        shown = [e for e in self.entries if e != CURRENT or self.current_spec is not None]
        if j is not None and j < len(shown):
            self.set_entries([e for e in self.entries if e != shown[j]])

    # --- contents ------------------------------------------------------------------------
    def export_stem(self) -> str:
        """The default name of what the tab exports: "resnet18-vs-resnet50"."""
        self.catch_up()
        return export_stem(self.comparison.labels if self.comparison else [])

    def export_diagram(self) -> None:
        """The comparison diagram as SVG or PNG (File → Export), up to date."""
        self.catch_up()
        self.diagram.export_interactive()

    def labelled(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for e in self.entries:
            if e == CURRENT:
                if self.current_spec is None:
                    continue
                label = self.current_label
                if label in self.entries:
                    label = f"{label} (current)"  # never a second "resnet50"
                out.append((label, analyze(self.current_spec, self.batch_size)))
            else:
                out.append((e, analyze(preset_spec(e), self.batch_size)))
        return out

    def refresh(self) -> None:
        self.stale = False
        labelled = self.labelled()
        self.diagram.show_networks(labelled)
        if not labelled:
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.comparison = None
            self.rows = []
            self.remove.setEnabled(False)
            return
        c = compare(labelled)
        self.comparison = c
        self._fill_table(c)
        self.plots.set_analyses(labelled)
        self.remove.setEnabled(False)

    def _fill_table(self, c: Comparison) -> None:
        """A row per measure of each stage (under the stage's own row), then the totals; a
        column per network and, after each but the first, how it compares with the first."""
        head, self.columns = ["measure"], [-1]
        for j, label in enumerate(c.labels):
            head.append(label)
            self.columns.append(j)
            if j:
                head.append(f"vs\n{c.labels[0]}")
                self.columns.append(-1)
        rows = measure_rows(c)
        rows += measured_rows(profiles_for([a.spec for a in c.analyses]))  # the profile cache
        self.rows = rows
        stages = list(dict.fromkeys(r.stage for r in rows))
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setColumnCount(len(head))
        self.table.setRowCount(len(rows) + len(stages))
        self.table.setHorizontalHeaderLabels(head)
        for k, label in enumerate(head):
            item = self.table.horizontalHeaderItem(k)
            assert item is not None  # set by the labels above
            j = self.columns[k]
            item.setToolTip(label)
            if j >= 0:
                item.setForeground(QBrush(QColor(colour(j))))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        bold = QFont()
        bold.setBold(True)
        self.table_rows = []
        r = 0
        for stage in stages:
            item = QTableWidgetItem(stage)
            item.setFont(bold)
            item.setBackground(_shade(STAGE_ROW, DARK_STAGE_ROW))
            self.table.setItem(r, 0, item)
            self.table.setSpan(r, 0, 1, len(head))
            self.table_rows.append((stage, ""))
            r += 1
            for m in (x for x in rows if x.stage == stage):
                self.table.setItem(r, 0, QTableWidgetItem(f"  {m.measure}"))
                k = 1
                for j, (text, exact) in enumerate(zip(m.texts, m.exact, strict=True)):
                    item = QTableWidgetItem(text)
                    item.setToolTip(exact or "not in this network")
                    item.setTextAlignment(right)
                    if m.differs:
                        item.setBackground(_shade(DIFF, DARK_DIFF))
                    self.table.setItem(r, k, item)
                    k += 1
                    if j:
                        vs = QTableWidgetItem(m.against_first[j - 1])
                        vs.setTextAlignment(right)
                        vs.setForeground(QBrush(QColor("#999" if theme.is_dark() else "#666")))
                        self.table.setItem(r, k, vs)
                        k += 1
                self.table_rows.append((stage, m.measure))
                r += 1
        header = self.table.horizontalHeader()
        # every column as wide as its header and cells: a narrow pane scrolls, cutting nothing
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeRowsToContents()
        self.table.blockSignals(False)

    def cell(self, stage: str, measure: str, label: str, against_first: bool = False) -> Any:
        """The table's item for a network's measure (tests and the screenshots find it)."""
        self.catch_up()
        r = self.table_rows.index((stage, measure))
        assert self.comparison is not None, "nothing compared yet"
        j = self.comparison.labels.index(label)
        k = self.columns.index(j) + (1 if against_first else 0)
        return self.table.item(r, k)

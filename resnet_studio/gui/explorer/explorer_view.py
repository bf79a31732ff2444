"""The explorer: summary strip, filterable layer tree, and under it the diagram of the current
architecture (a click there selects the tree's row, a tree selection highlights it) and the
charts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.core.analysis import Analysis
from resnet_studio.core.document import SpecDocument
from resnet_studio.core.format import human, human_bytes, shape_text
from resnet_studio.gui import theme
from resnet_studio.gui.diagram.diagram_view import DiagramView
from resnet_studio.gui.explorer.tree_model import (
    COLUMNS,
    SECTION_ROLE,
    LayerFilter,
    LayerTreeModel,
    item_names,
)
from resnet_studio.gui.measure.profile_view import ProfileView
from resnet_studio.gui.plots.stage_charts import StagePlots
from resnet_studio.gui.widgets.figure_card import FigureCard
from resnet_studio.gui.widgets.flow import FlowLayout
from resnet_studio.gui.widgets.steady_tabs import SteadyTabs

MIN_TREE_ROWS = 3
MIN_PICTURES_HEIGHT = 150  # the tab bar and room to see the diagram
DEFAULT_SHARES = (5000, 7000)  # tree : pictures (above the minimums: in proportion)


class PictureTabs(SteadyTabs):
    """Tabs whose tall pages scroll in a short place rather than hold the splitter above them;
    asked about a page, they answer about the page, not the scroll area around it."""

    def add_scrolled(self, page: QWidget, title: str) -> int:
        area = QScrollArea()
        area.setWidget(page)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        return self.addTab(area, title)

    def indexOf(self, page: QWidget) -> int:  # noqa: N802 (Qt's name)
        for i in range(self.count()):
            tab = self.widget(i)
            if tab is page or (isinstance(tab, QScrollArea) and tab.widget() is page):
                return i
        return -1

    def setCurrentWidget(self, page: QWidget) -> None:  # noqa: N802 (Qt's name)
        self.setCurrentIndex(self.indexOf(page))

    def currentWidget(self) -> QWidget:  # noqa: N802 (Qt's name)
        tab = super().currentWidget()
        inner = tab.widget() if isinstance(tab, QScrollArea) else None
        return inner or tab


class SummaryStrip(QWidget):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        layout = FlowLayout(self, balanced=True)  # two rows of three in a narrow window
        self.network_depth = FigureCard("Depth")  # not `depth`: QWidget.depth() is Qt's
        self.params = FigureCard("Parameters")
        self.macs = FigureCard("MACs")
        self.param_mem = FigureCard("Parameter memory")
        self.act_mem = FigureCard("Activation memory")
        self.output = FigureCard("Output")
        for f in (
            self.network_depth,
            self.params,
            self.macs,
            self.param_mem,
            self.act_mem,
            self.output,
        ):
            layout.add(f, 1)

    def show_analysis(self, a: Analysis) -> None:
        t, n = a.totals, a.batch_size
        self.network_depth.show_value(
            str(a.spec.depth), "weighted layers", "Convs and the classifier on the main path"
        )
        self.params.show_value(
            human(t.params),
            f"trainable {human(t.trainable_params)} · buffers {human(t.buffers)}",
            f"{t.params:,} parameters ({t.trainable_params:,} trainable), "
            f"{t.buffers:,} buffer elements",
        )
        self.macs.show_value(
            human(t.macs),
            f"FLOPs {human(t.flops)} (2 × MACs)",
            f"{t.macs:,} multiply-accumulates for a batch of {n}; {t.flops:,} FLOPs",
        )
        self.param_mem.show_value(
            human_bytes(t.param_bytes),
            f"{a.dtype}, + {human_bytes(t.buffer_bytes)} buffers",
            f"{t.param_bytes:,} bytes of weights",
        )
        self.act_mem.show_value(
            human_bytes(t.activation_bytes),
            f"training, batch {n}",
            f"{t.activation_bytes:,} bytes: an estimate of the tensors "
            "autograd keeps for the backward pass",
        )
        self.output.show_value(
            shape_text(a.shape(a.root.out_shape)), f"input {shape_text(a.shape(a.root.in_shape))}"
        )


# the build status's look in each state (its "state" property): busy (building, or not built
# because the spec is invalid), ok (built, as analysed), wrong (built, but it disagrees with the
# analysis) and failed (could not build)
BUILD_STATUS_STYLE = (
    'QLabel[state="busy"] { color: palette(mid); }'
    f'QLabel[state="ok"] {{ color: {theme.OK}; font-weight: 600; }}'
    f'QLabel[state="wrong"] {{ color: {theme.ERROR}; font-weight: 600; }}'
    f'QLabel[state="failed"] {{ color: {theme.ERROR}; }}'
)


class ExplorerView(QWidget):
    stageSelected = Signal(object)  # stage name or None

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.build_status = QLabel()
        self.build_status.setWordWrap(True)  # a long sentence wraps, not widens the window
        self.build_status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.build_status.setToolTip(
            "The real nn.Module, built off the GUI thread with the "
            "core's builder, checked against the analysis"
        )
        # one style sheet for every state, set once: setting a style sheet re-polishes the
        # label and has the whole page laid out and repainted, on every edit of the spec
        self.build_status.setStyleSheet(BUILD_STATUS_STYLE)
        self.build_status.setProperty("state", "busy")
        # the banner takes the build status's place in the title's row: showing it moves
        # nothing below (the splitter keeps its place), and it never widens the window
        self.stale_banner = QLabel(
            "Showing the last valid architecture: fix the fields marked in red to update it."
        )
        self.stale_banner.setToolTip(self.stale_banner.text())
        self.stale_banner.setStyleSheet(theme.NOTE_STYLE)
        self.stale_banner.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.stale_banner.hide()
        head.addWidget(self.title)
        head.addWidget(self.stale_banner, 1)
        head.addWidget(self.build_status, 1)
        layout.addLayout(head)
        self.summary = SummaryStrip()
        layout.addWidget(self.summary)

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter layers by name or type (e.g. downsample, Conv2d)")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip(
            "Show only the layers whose name or type contains this text (Escape clears it)"
        )
        # a click or Find layer (Ctrl+F) gives it the focus, not opening the tab: F then fits
        self.filter.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        layout.addWidget(self.filter)

        self.model = LayerTreeModel(self)
        self.proxy = LayerFilter(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)  # the filter proxy stands in while a filter is typed
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in range(1, len(COLUMNS)):
            header.resizeSection(i, 120 if i in (1, 2) else 80)
        header.resizeSection(2, 150)
        self.plots = StagePlots()
        self.diagram = DiagramView()
        self.pictures = PictureTabs()
        self.pictures.addTab(self.diagram, "Diagram")
        self.pictures.add_scrolled(self.plots, "Charts")
        self.pictures.setTabToolTip(0, "The network drawn to scale; click a box to find its row")
        self.pictures.setTabToolTip(1, "Parameters and MACs per stage, and the shape profile")
        self.profile = ProfileView()
        self.pictures.add_scrolled(self.profile, "Profile")
        self.pictures.setTabToolTip(
            2, "The network measured on a device: images/s, peak memory, time per stage"
        )
        # The splitter moves freely between the tree's few rows and the pictures' tab bar and
        # a strip of picture (the charts and the profile scroll below their own minimums);
        # neither side collapses to nothing.
        rows = self.tree.fontMetrics().height() + 4
        self.tree.setMinimumHeight(MIN_TREE_ROWS * rows + self.tree.header().sizeHint().height())
        self.pictures.setMinimumHeight(MIN_PICTURES_HEIGHT)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.pictures)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, DEFAULT_SHARES[0])  # a resize keeps the shares
        split.setStretchFactor(1, DEFAULT_SHARES[1])
        split.setSizes(list(DEFAULT_SHARES))  # shares of the height, until the user drags
        self.splitter = split
        layout.addWidget(split, 1)

        self.filter.textChanged.connect(self._filter)
        self.tree.selectionModel().selectionChanged.connect(self._selection)
        self.diagram.nodeClicked.connect(self.select_name)
        QShortcut(QKeySequence.StandardKey.Copy, self.tree, self.copy_selection)
        # F fits the diagram from anywhere in the Explorer; a text box still types its F
        fit = QShortcut(QKeySequence(Qt.Key.Key_F), self, lambda: self.diagram.fit())
        fit.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.filter, self._escape_filter)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._expanded: set[str] = set()
        self._pending_plot: list = []
        self._plot_timer = QTimer(self)
        self._plot_timer.setSingleShot(True)
        self._plot_timer.setInterval(0)
        self._plot_timer.timeout.connect(self._draw_plots)

    def bind(self, doc: SpecDocument) -> None:
        """Follow the spec document: its analysis when valid, greyed while it is not."""
        doc.changed.connect(self._document_changed)
        doc.invalid.connect(self._document_invalid)
        self.profile.bind(doc)
        self._document_changed(doc)

    def _document_changed(self, doc: SpecDocument) -> None:
        self.show_analysis(doc.analysis, doc.label)

    def _document_invalid(self, doc: SpecDocument) -> None:
        self.set_stale(True)

    def show_analysis(self, a: Analysis, title: str) -> None:
        first = self.model.analysis is None
        filtered = self.tree.model() is self.proxy
        if filtered:  # filtered again once, not once per changed row (20 s for resnet1202)
            self._view(self.model)
            self.proxy.setSourceModel(None)  # type: ignore[arg-type]
        self.model.set_analysis(a)  # in place: rows that stay keep expansion and selection
        if filtered:
            self.proxy.setSourceModel(self.model)
            self._view(self.proxy)
            self.tree.expandAll()
        if first:
            self._expanded = {"layer1"}
            self._restore_expanded()
        # the tree lays its rows out now, not on a timer: the diagram's scene may have the
        # window painted before that timer, and the tree would then be painted a second time
        self.tree.executeDelayedItemsLayout()
        self.summary.show_analysis(a)
        self.title.setText(title)
        rows = self.tree.selectionModel().selectedRows()
        self.diagram.selected_names = [n for i in rows for n in item_names(self._item(i))]
        self.diagram.show_networks([(title, a)])  # drawn now, like the tree (if it is shown)
        self._pending_plot = [(title, a)]
        self._plot_timer.start()  # pictures follow on the next turn of the event loop
        self.set_stale(False)

    def _draw_plots(self) -> None:
        self.plots.set_analyses(self._pending_plot)

    def show_build_status(self, text: str, state: str) -> None:
        """The build's sentence, in the look of ``state`` (see BUILD_STATUS_STYLE); the label is
        polished again only when its state changes (it is the same on most edits: busy)."""
        self.build_status.setText(text)  # nothing happens when the text is the same
        if self.build_status.property("state") != state:
            self.build_status.setProperty("state", state)
            style = self.build_status.style()
            style.unpolish(self.build_status)
            style.polish(self.build_status)

    def set_stale(self, stale: bool) -> None:
        self.stale_banner.setVisible(stale)
        self.build_status.setVisible(not stale)
        self.model.set_stale(stale)
        self.diagram.set_stale(stale)

    def _escape_filter(self) -> None:
        """Escape clears the filter; in an empty one, it hands the keys to the tree."""
        if self.filter.text():
            self.filter.clear()
        else:
            self.tree.setFocus()

    def _filter(self, text: str) -> None:
        # The proxy maps every index the view asks for; the view reads the model directly
        # unless a filter is typed, so an unfiltered tree updates within a frame.
        # None detaches the proxy (Qt takes a null model; PySide's stubs do not say so)
        self.proxy.setSourceModel(self.model if text else None)  # type: ignore[arg-type]
        self.proxy.set_text(text)
        wanted = self.proxy if text else self.model
        if self.tree.model() is not wanted:
            expanded = self._expanded_names()
            self._view(wanted)
            self._expanded = expanded
            self._restore_expanded()
        if text:
            self.tree.expandAll()

    def _view(self, model: Any) -> None:
        """Show ``model`` (the tree's, or the filter over it) in the tree; the columns keep their
        widths, since both have the same columns (a model of none would lose them)."""
        old = self.tree.selectionModel()
        self.tree.setModel(model)
        self.tree.selectionModel().selectionChanged.connect(self._selection)
        if old is not None:
            old.deleteLater()

    def _expanded_names(self) -> set[str]:
        names = set()
        model = self.tree.model()

        def walk(parent: Any) -> None:
            for r in range(model.rowCount(parent)):
                idx = model.index(r, 0, parent)
                if self.tree.isExpanded(idx):
                    names.add(idx.data())
                    walk(idx)

        walk(QModelIndex())
        return names

    def _restore_expanded(self) -> None:
        model = self.tree.model()

        def walk(parent: Any) -> None:
            for r in range(model.rowCount(parent)):
                idx = model.index(r, 0, parent)
                if idx.data() in self._expanded:
                    self.tree.setExpanded(idx, True)
                    walk(idx)

        walk(QModelIndex())

    def _selection(self, *_: Any) -> None:
        rows = self.tree.selectionModel().selectedRows()
        section = rows[0].data(SECTION_ROLE) if rows else None
        self.plots.select_stage(section)
        self.diagram.highlight([n for i in rows for n in item_names(self._item(i))])
        self.stageSelected.emit(section)

    def _item(self, index: QModelIndex) -> Any:
        """The model's item behind ``index`` (of the filter proxy, when one is shown)."""
        if index.model() is self.proxy:
            index = self.proxy.mapToSource(index)
        return index.internalPointer()

    def select_name(self, name: str) -> None:
        """Select, reveal and scroll to the row of module or stage ``name`` (a diagram click)."""
        index = self.model.index_of(name)
        if not index.isValid():
            return
        if self.tree.model() is self.proxy:
            index = self.proxy.mapFromSource(index)
            if not index.isValid():  # filtered out: show every row again
                self.filter.clear()
                index = self.model.index_of(name)
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        flags = self.tree.selectionModel().SelectionFlag
        self.tree.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        self.tree.scrollTo(index)

    def selected_text(self) -> str:
        """The selected rows as tab-separated text, with a header."""
        rows = sorted(
            self.tree.selectionModel().selectedRows(), key=lambda i: self.tree.visualRect(i).top()
        )
        lines = ["\t".join(COLUMNS)]
        for idx in rows:
            lines.append(
                "\t".join(str(idx.siblingAtColumn(c).data() or "") for c in range(len(COLUMNS)))
            )
        return "\n".join(lines) + "\n"

    def copy_selection(self) -> None:
        QGuiApplication.clipboard().setText(self.selected_text())

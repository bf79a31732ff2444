"""The Train tab: lays out the panel, the live curves and the runs table, and turns clicks into
calls on the run manager (``train/manager.py``), which owns the runs. Nothing here trains, and
nothing here keeps a run's state: the table is a model over the manager (``run_table.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.core import ArchSpec
from resnet_studio.core.document import SpecDocument
from resnet_studio.core.format import human_bytes
from resnet_studio.core.model_export import FORMATS
from resnet_studio.gui import theme, workers
from resnet_studio.gui.measure.tradeoff_view import TradeoffView
from resnet_studio.gui.plots.plot_export import ask_and_export, shown_size, write_figure
from resnet_studio.gui.train.curves import CurvesView
from resnet_studio.gui.train.run_table import (
    ALL,
    COLUMNS,
    HEADERS,
    SORT_ROLE,
    RunTableModel,
    progress_line,
    run_details,
)
from resnet_studio.gui.train.train_panel import TrainPanel
from resnet_studio.gui.widgets.flow import FlowLayout
from resnet_studio.gui.widgets.scrolled import scrolled
from resnet_studio.gui.widgets.steady_tabs import SteadyTabs
from resnet_studio.gui.window.notices import open_folder
from resnet_studio.train.errors import TrainError
from resnet_studio.train.events import RunStatus
from resnet_studio.train.manager import Deletion, RunManager
from resnet_studio.train.records import export_csv
from resnet_studio.train.run import Run

UNDO_SECONDS = 8  # how long a deleted run can be brought back
RESIZE_ROWS = 60  # rows measured when columns fit their contents
SHOWN_AT_START = 5  # the newest past runs whose curves show at start; the others are unticked


class TrainView(QWidget):
    message = Signal(str)  # for the status bar
    problem = Signal(str)  # a sentence that must stay until read (a failed run)
    specRequested = Signal(object)  # an ArchSpec: a run's architecture, for the spec panel
    modelExportRequested = Signal(str, str)  # a run's checkpoint and a model format
    inspectRequested = Signal(str)  # a run's folder, to look into in the Inspect tab

    def __init__(self, runs_root: Path | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._dispatcher = workers.Dispatcher()
        self.manager = RunManager(runs_root, dispatch=self._dispatcher)
        # the history before the views over it: they start with every row, no event per run
        self.manager.load(steps=False)  # summaries only: the window shows at once
        for run in self.manager.runs[:-SHOWN_AT_START] if SHOWN_AT_START else self.manager.runs:
            run.visible = False  # a past run's curves are read when the user ticks it
        self.panel = TrainPanel()
        self.curves = CurvesView()
        self.model = RunTableModel(self.manager, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)  # the filter reads every column
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the manager's order at first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().hide()
        # fit columns to the rows in sight and some more, not to every run of a long history
        self.table.horizontalHeader().setResizeContentsPrecision(RESIZE_ROWS)  # Qt: rows, here
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter runs (name, status, tag, architecture, dataset…)")
        self.filter.setClearButtonEnabled(True)
        self.chosen_columns: set[str] | None = None  # None: the differing hyper-parameters

        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip(
            "Continue the selected run: a paused one where it is, a stopped one from its checkpoint"
        )
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip("Show the selected run's folder")
        self.spec_button = QPushButton("Load its spec")
        self.spec_button.setToolTip("Put the selected run's architecture in the spec panel")
        self.inspect_button = QPushButton("Inspect")
        self.inspect_button.setToolTip(
            "Look into the selected run's trained network: predictions, feature maps, "
            "Grad-CAM, and the confusion matrix of its mistakes"
        )
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Move the selected run's folder to the trash (undoable)")
        self.export_button = QPushButton("Export figure…")
        self.export_button.setToolTip(
            "Save the curves as a PNG or SVG figure (size and DPI of your choice, legends, no "
            "controls) and the selected run's metrics beside it as CSV"
        )
        self.model_button = QPushButton("Export model…")
        self.model_button.setToolTip("Save the selected run's trained model (best or last)")
        self.model_button.setMenu(self._model_menu())
        self.action_bar = QWidget()
        actions = FlowLayout(self.action_bar)  # the buttons wrap onto two rows when narrow
        for b in (
            self.resume_button,
            self.open_button,
            self.spec_button,
            self.inspect_button,
            self.delete_button,
            self.export_button,
            self.model_button,
        ):
            actions.add(b)
        self.filter.setMinimumWidth(140)
        actions.add(self.filter, 1)
        self.undo_bar = QWidget()
        ub = QHBoxLayout(self.undo_bar)
        ub.setContentsMargins(6, 2, 6, 2)
        self.undo_label = QLabel()
        self.undo_button = QPushButton("Undo")
        ub.addWidget(self.undo_label, 1)
        ub.addWidget(self.undo_button)
        self.undo_bar.setStyleSheet(f"background: {theme.NOTE_BACKGROUND};")
        self.undo_label.setStyleSheet(
            f"color: {theme.NOTE_DARK_TEXT};"
        )  # dark on the pale bar, in dark mode too
        self.undo_bar.hide()
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.action_bar)
        bl.addWidget(self.undo_bar)
        bl.addWidget(self.table)
        right = QSplitter(Qt.Orientation.Vertical)
        self.tradeoff = TradeoffView(self.manager)  # beside the curves, over the table
        self.pictures = SteadyTabs()
        self.pictures.addTab(self.curves, "Curves")
        self.pictures.addTab(self.tradeoff, "Trade-off")
        self.pictures.setTabToolTip(
            1, "Best validation accuracy against a cost, one point per run; the Pareto front"
        )
        right.addWidget(self.pictures)
        right.addWidget(bottom)
        right.setSizes([520, 260])
        self.right_splitter = right
        split = QSplitter(Qt.Orientation.Horizontal)
        self.panel_scroll = scrolled(self.panel)  # a short screen scrolls it, not squashes it
        split.addWidget(self.panel_scroll)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.splitter = split

        self.spec: ArchSpec | None = None
        self.spec_label = ""
        self.base_preset: str | None = None
        self._deletions: list[Deletion] = []
        self._undo_timer = QTimer(self, singleShot=True, interval=UNDO_SECONDS * 1000)
        self._undo_timer.timeout.connect(self.finish_deletions)
        m = self.manager
        # bound methods, which the manager holds weakly: no cycle through a lambda
        m.changed.connect(self._run_changed)
        m.progressed.connect(self._run_progressed)
        m.noted.connect(self._run_noted)
        m.ended.connect(self._run_ended)
        m.refused.connect(self._resume_refused)
        self.model.error.connect(self.message)
        self.model.visibilityChanged.connect(self._visibility_changed)
        self.curves.visibilityToggled.connect(self.model._changed)  # its checkbox follows
        self.curves.visibilityToggled.connect(self._visibility_changed)
        self.panel.startRequested.connect(self.start_run)
        self.panel.pauseRequested.connect(self.pause_selected)
        self.panel.stopRequested.connect(self.stop_selected)
        self.panel.datasetChanged.connect(lambda: self.panel.show_fit(self.spec))
        self.resume_button.clicked.connect(lambda: self.resume_selected())
        self.open_button.clicked.connect(lambda: self.open_selected())
        self.spec_button.clicked.connect(lambda: self.load_selected_spec())
        self.tradeoff.runClicked.connect(self.select_id)
        self.inspect_button.clicked.connect(lambda: self.inspect_selected())
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.export_button.clicked.connect(lambda: self.export_dialog())
        self.undo_button.clicked.connect(lambda: self.undo_delete())
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection())
        self.table.customContextMenuRequested.connect(self._row_menu)
        header.customContextMenuRequested.connect(self._column_menu)
        m.added.connect(self._runs_changed)
        m.removed.connect(self._runs_changed)
        self._runs_changed()  # one layout for the whole history
        self._visibility_changed()
        QTimer.singleShot(0, self.tradeoff.refresh)  # once the window shows

    # --- the spec to train, and the runs -------------------------------------------------------
    def bind(self, doc: SpecDocument) -> None:
        """Follow the spec document: its spec trains; an invalid one cannot."""
        doc.changed.connect(self._document_changed)
        doc.invalid.connect(self._document_invalid)
        self._document_changed(doc)

    def _document_changed(self, doc: SpecDocument) -> None:
        self.base_preset = doc.base_preset
        self.set_spec(doc.spec, doc.label)

    def _document_invalid(self, doc: SpecDocument) -> None:
        self.set_spec(None, "")

    def set_spec(self, spec: ArchSpec | None, label: str) -> None:
        self.spec, self.spec_label = spec, label
        self.panel.show_fit(spec)
        self.panel.start.setEnabled(spec is not None)

    @property
    def runs(self) -> list[Run]:
        return self.manager.runs

    @property
    def active(self) -> int:
        return self.manager.active

    def selected(self) -> Run | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return self.model.run(self.proxy.mapToSource(rows[0]).row())
        live = [r for r in self.runs if self.manager.is_live(r)]
        return live[-1] if live else None

    def select_id(self, run_id: str) -> None:
        """Select the run whose folder is named ``run_id`` (a click in the trade-off view)."""
        run = self.manager.find(run_id)
        if run is not None:
            self.select(run)

    def select(self, run: Run) -> None:
        row = self.runs.index(run)
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())

    def start_run(self) -> Run | None:
        if self.spec is None:
            return None
        try:
            run = self.manager.start(
                self.spec, self.panel.config(), self.spec_label, self.base_preset
            )
        except (TrainError, OSError) as e:
            self.message.emit(str(e))
            return None
        self.select(run)  # a new run is the one to follow: Pause, Stop and progress are its
        return run

    def resume_selected(self) -> None:
        run = self.selected()
        if run is None:
            return
        if self.manager.is_paused(run):
            self.manager.toggle_pause(run)
            return
        try:
            self.manager.resume(run)
        except TrainError as e:
            self.problem.emit(str(e))
        self.curves.set_runs(self.runs)

    def pause_selected(self) -> None:
        run = self.selected()
        if run is not None and not self.manager.is_paused(run):
            self.manager.toggle_pause(run)

    def stop_selected(self) -> None:
        run = self.selected()
        if run is not None:
            self.manager.stop(run)

    def stop_all(self, timeout: float = 60.0) -> bool:
        """Stop every run (each saves a checkpoint), join their threads, deliver their ends."""
        ok = self.manager.stop_all(timeout)
        QCoreApplication.processEvents()  # the runs' last reports and ends
        self.finish_deletions()
        return ok

    def open_selected(self) -> None:
        run = self.selected()
        if run is None or run.never_started:
            return
        said = open_folder(run.dir)  # no file manager here: it says where the folder is
        if said:
            self.problem.emit(said)
        else:
            self.message.emit(f"Opened {run.dir}")

    def load_selected_spec(self) -> None:
        run = self.selected()
        spec = run.spec if run else None
        if spec is not None:
            self.specRequested.emit(spec)

    def inspect_selected(self) -> None:
        run = self.selected()
        if run is not None and run.checkpoints():
            self.inspectRequested.emit(str(run.dir))

    # --- delete, with a question and an undo -------------------------------------------------
    def delete_selected(self, confirm: bool = True) -> Deletion | None:
        run = self.selected()
        if run is None or not self.manager.is_idle(run):
            return None
        # one that never started has no folder to lose: its row goes at once, undoable
        if confirm and not run.never_started and not self._confirm_delete(run):
            return None
        try:
            deletion = self.manager.delete(run)
        except TrainError as e:
            self.message.emit(str(e))
            return None
        self._deletions.append(deletion)
        self.undo_label.setText(
            f"Deleted {run.label}."
            if len(self._deletions) == 1
            else f"Deleted {len(self._deletions)} runs."
        )
        self.undo_bar.show()
        self._undo_timer.start()
        self.curves.set_runs(self.runs)
        return deletion

    def _confirm_delete(self, run: Run) -> bool:
        size = human_bytes(run.size_bytes())
        kept = ", ".join(sorted(p.name for p in run.dir.iterdir())) if run.dir.is_dir() else ""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete run",
            f"Delete “{run.label}”?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            f"Its folder {run.dir} ({size}: {kept or 'empty'}) goes to the trash; you can "
            f"undo this for {UNDO_SECONDS} seconds."
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes

    def undo_delete(self) -> None:
        while self._deletions:
            deletion = self._deletions.pop()
            try:
                self.manager.undo_deletion(deletion)
            except TrainError as e:
                self.message.emit(str(e))
        self._undo_timer.stop()
        self.undo_bar.hide()
        self.curves.set_runs(self.runs)

    def finish_deletions(self) -> None:
        """The deleted runs' folders go to the trash; no undo after this."""
        said = [self.manager.finish_deletion(d) for d in self._deletions]
        self._deletions.clear()
        self.undo_bar.hide()
        if said:
            self.message.emit(" ".join(said))

    # --- exports -------------------------------------------------------------------------------
    def export_dialog(self) -> None:
        """Ask for the figure's size, DPI and format, then the file: the picture shown (the
        training curves, or the trade-off)."""
        if self.pictures.currentWidget() is self.tradeoff:
            ask_and_export(
                self,
                "Export the trade-off",
                shown_size([self.tradeoff.plot]),
                self.manager.root / "tradeoff.png",
                self.export_tradeoff,
            )
            return
        ask_and_export(
            self,
            "Export the training curves",
            shown_size([self.curves.loss, self.curves.acc]),
            self.manager.root / "curves.png",
            self.export,
        )

    def export_tradeoff(
        self, path: str, width: int | None = None, height: int | None = None, dpi: float = 96
    ) -> None:
        """The trade-off plot alone to PNG or SVG, at ``width``×``height`` (default: as shown)."""
        plot = self.tradeoff.plot
        try:
            write_figure(
                [plot.getPlotItem()],
                path,
                width or plot.width(),
                height or plot.height(),
                dpi,
                title="Best validation accuracy against cost",
            )
        except OSError as e:
            self.problem.emit(f"Could not export {path}: {e}")
            return
        self.message.emit(f"Exported {path}")

    def export(
        self, path: str, width: int | None = None, height: int | None = None, dpi: float = 96
    ) -> None:
        """The curves to PNG/SVG (see CurvesView.export), and the selected run's metrics
        beside them as CSV."""
        try:
            self.curves.export(path, width, height, dpi)
            run = self.selected()
            if run is not None and run.has_points:
                export_csv(run.dir, Path(path).with_suffix(".csv"))
        except (OSError, TrainError) as e:
            self.problem.emit(f"Could not export {path}: {e}")
            return
        self.message.emit(f"Exported {path}")

    def _model_menu(self) -> QMenu:
        menu = QMenu(self)
        for f in FORMATS.values():
            if f.needs_model:  # Python code has no weights: the spec panel's menu writes it
                menu.addAction(f"{f.title} ({f.suffix})…", self._exporter(f.name))
        return menu

    def _exporter(self, fmt: str) -> Callable[[], None]:
        """A slot that takes no arguments (``triggered`` passes ``checked``), exporting ``fmt``."""
        return lambda: self.export_run_model(fmt)

    def export_run_model(self, fmt: str, which: str | None = None) -> None:
        """Ask for the selected run's best or last checkpoint (when it has both), then ask the
        window to export that model as ``fmt``."""
        run = self.selected()
        found = run.checkpoints() if run else {}
        if not found:
            return
        if which is None and len(found) > 1:
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "Export model",
                "Export the weights of the best epoch (highest validation accuracy) or of the "
                "last one?",
                QMessageBox.StandardButton.Cancel,
                self,
            )
            role = QMessageBox.ButtonRole.AcceptRole
            buttons: dict[QAbstractButton, str] = {
                box.addButton(name.title(), role): name for name in ("best", "last")
            }
            box.exec()
            which = buttons.get(box.clickedButton())
            if which is None:
                return
        path = found.get(which) if which else next(iter(found.values()))
        if path is not None:
            self.modelExportRequested.emit(str(path), fmt)

    # --- menus -----------------------------------------------------------------------------
    def _row_menu(self, pos: Any) -> None:
        run = self.selected()
        if run is None:
            return
        menu = QMenu(self)
        menu.addAction("Rename…", lambda: self.rename_selected())
        menu.addAction("Tags…", lambda: self.tag_selected())
        menu.addSeparator()
        for b in (
            self.resume_button,
            self.spec_button,
            self.inspect_button,
            self.open_button,
            self.delete_button,
        ):
            action = menu.addAction(b.text(), b.click)
            action.setEnabled(b.isEnabled())
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def rename_selected(self, name: str | None = None) -> None:
        run = self.selected()
        if run is None:
            return
        if name is None:
            name, ok = QInputDialog.getText(self, "Rename run", "Name:", text=run.label)
            if not ok:
                return
        try:
            self.manager.rename(run, name)
        except TrainError as e:
            self.message.emit(str(e))

    def tag_selected(self, tags: str | None = None) -> None:
        run = self.selected()
        if run is None:
            return
        if tags is None:
            tags, ok = QInputDialog.getText(
                self, "Tags", "Tags, separated by commas:", text=", ".join(run.tags)
            )
            if not ok:
                return
        try:
            self.manager.set_tags(run, tags.split(","))
        except TrainError as e:
            self.message.emit(str(e))

    def _column_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        for k, name in enumerate(HEADERS[1:], start=1):
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(k))
            action.toggled.connect(lambda on, name=name: self.choose_column(name, on))
        menu.addSeparator()
        menu.addAction("Hyper-parameters that differ", lambda: self.choose_columns(None))
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def choose_column(self, name: str, shown: bool) -> None:
        chosen = self.shown_columns()
        chosen = chosen | {name} if shown else chosen - {name}
        self.choose_columns(chosen)

    def choose_columns(self, names: set[str] | None) -> None:
        """Show exactly ``names`` (the first column always), or None for the default: every
        column but the hyper-parameters, and those that differ between the runs."""
        self.chosen_columns = None if names is None else set(names)
        self._show_columns()

    def shown_columns(self) -> set[str]:
        return {h for k, h in enumerate(HEADERS) if not self.table.isColumnHidden(k)}

    def _show_columns(self) -> None:
        if self.chosen_columns is None:
            shown = set(range(len(COLUMNS))) | set(self.model.differing())
        else:
            shown = {0} | {k for k, h in enumerate(HEADERS) if h in self.chosen_columns}
        for k in range(len(ALL)):
            self.table.setColumnHidden(k, k not in shown)

    # --- what the manager says ---------------------------------------------------------------
    def _visibility_changed(self, *_: Any) -> None:
        """Ticked past runs get their step curves, read off the GUI thread."""
        for run in self.runs:
            if run.visible:
                self.manager.request_steps(run)
        self.curves.mark_dirty()

    def _run_noted(self, run: Run, text: str) -> None:
        self.message.emit(f"{run.label}: {text}")

    def _resume_refused(self, run: Run, sentence: str) -> None:
        self.problem.emit(sentence)
        if run is self.selected():
            self._selection()

    def _runs_changed(self, *_: Any) -> None:
        self.curves.set_runs(self.runs)
        self._show_columns()
        self.table.resizeColumnsToContents()
        self._selection()

    def _run_changed(self, run: Run) -> None:
        self.curves.mark_dirty()
        if run.status == RunStatus.STARTING and not self.table.selectionModel().hasSelection():
            self.select(run)  # a run just started is the one to follow
        if run is self.selected():
            self._selection()

    def _run_progressed(self, run: Run) -> None:
        self.curves.mark_dirty()
        if run is self.selected():
            self.panel.progress.setText(progress_line(run))

    def _run_ended(self, run: Run) -> None:
        if run.status == RunStatus.FAILED:
            self.problem.emit(f"{run.label} failed: {run.reason}")
        self._show_columns()

    def _selection(self) -> None:
        """Details, progress line and buttons follow the selected run."""
        run = self.selected()
        m = self.manager
        self.panel.details.setText(run_details(run) if run else "")
        self.panel.progress.setText(progress_line(run) if run and run.total_steps else "")
        live = run is not None and m.is_live(run)
        self.spec_button.setEnabled(run is not None and run.spec is not None)
        self.panel.pause.setEnabled(run is not None and live and not m.is_paused(run))
        self.panel.stop.setEnabled(run is not None and (live or m.is_queued(run)))
        self.resume_button.setEnabled(run is not None and (m.is_paused(run) or m.can_resume(run)))
        self.open_button.setEnabled(run is not None and not run.never_started)
        self.model_button.setEnabled(bool(run and run.checkpoints()))
        self.inspect_button.setEnabled(bool(run and run.checkpoints()))
        self.delete_button.setEnabled(m.is_idle(run))

"""The Sweeps tab: the sweeps of a storage, a live table of one sweep's trials, the error EDFs of
several sweeps overlaid, the objective against each parameter, parallel coordinates, and
"Run N trials here" (a ``resnet-studio sweep work`` child process).

The view follows the storage read-only, off the GUI thread (:class:`SweepFollower`), so workers
on other machines show up as they go. Storage URLs the user adds are remembered in the settings.
A click on a trial with a run folder asks the window to select that run (``runRequested``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QProcess, QSettings, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.core.words import plural
from resnet_studio.gui.sweeps.sweeps_model import Snapshot, SweepFollower, TrialModel
from resnet_studio.gui.sweeps.sweeps_plots import EdfPlot, ObjectivePlot, ParallelPlot
from resnet_studio.gui.widgets.steady_tabs import SteadyTabs
from resnet_studio.gui.window.window_settings import Key
from resnet_studio.sweep.errors import SweepError
from resnet_studio.sweep.storage import default_storage_url, kind_of, redact

SETTINGS_KEY = Key.SWEEP_STORAGES


class SweepsView(QWidget):
    runRequested = Signal(str)  # a trial's run folder, to select in the Train tab
    message = Signal(str)

    def __init__(
        self,
        settings: QSettings | None = None,
        runs_dir: Path | None = None,
        follower: SweepFollower | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.runs_dir = runs_dir
        self.follower = follower or SweepFollower(self)
        self.follower.read.connect(self.show_snapshot)
        self.processes: list[QProcess] = []
        self.objectives: dict[str, str] = {}

        self.storage = QComboBox()
        self.storage.setToolTip("journal:PATH, postgresql://… or mysql://…")
        self.storage.setMinimumContentsLength(24)
        self.storage.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        add = QPushButton("Add storage…")
        add.clicked.connect(lambda: self.ask_storage())
        self.trials_n = QSpinBox()
        self.trials_n.setRange(1, 10_000)
        self.trials_n.setValue(8)
        self.run_here = QPushButton("Run 8 trials here")
        self.run_here.setToolTip("Start a `resnet-studio sweep work` process on this machine")
        self.run_here.clicked.connect(lambda: self.start_worker())
        self.trials_n.valueChanged.connect(
            lambda n: self.run_here.setText(f"Run {plural(n, 'trial')} here")
        )
        self.stop_button = QPushButton("Stop workers")
        self.stop_button.clicked.connect(lambda: self.stop_workers())
        self.stop_button.setEnabled(False)
        self.status = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("Storage"))
        top.addWidget(self.storage, 1)
        top.addWidget(add)
        top.addSpacing(12)
        top.addWidget(self.trials_n)
        top.addWidget(self.run_here)
        top.addWidget(self.stop_button)

        self.sweeps = QListWidget()
        self.sweeps.setToolTip("Tick sweeps to overlay their EDFs; select one for its trials")
        self.sweeps.itemChanged.connect(lambda _: self._wanted_changed())
        self.sweeps.currentItemChanged.connect(lambda *_: self._wanted_changed())
        self.model = TrialModel()
        self.proxy = QSortFilterProxyModel()
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setResizeContentsPrecision(50)  # widths from 50 rows
        self.model.modelReset.connect(self.table.resizeColumnsToContents)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.clicked.connect(self._clicked)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.sweeps)
        left.addWidget(self.table)
        left.setStretchFactor(1, 3)
        left.setSizes([110, 440])  # a few sweeps' lines; the rest for their trials

        self.edf = EdfPlot()
        self.objective = ObjectivePlot()
        self.parallel = ParallelPlot()
        self.plots = SteadyTabs()
        self.plots.addTab(self.edf, "Error EDF")
        self.plots.addTab(self.objective, "Objective")
        self.plots.addTab(self.parallel, "Parallel coordinates")
        self.plots.currentChanged.connect(lambda _: self._draw_plot())
        self._shown: tuple[str, list[Any], str] | None = None  # the sweep in the table
        self._plotted: tuple[int, Any] | None = None
        self._edfs: dict[str, list[list[float]]] = {}
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.plots)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.splitter, 1)
        lay.addWidget(self.status)

        for url in self._remembered():
            self.storage.addItem(redact(url), url)
        self.storage.currentIndexChanged.connect(lambda _: self._storage_changed())
        self._storage_changed()

    # --- storages ----------------------------------------------------------------------------
    def _remembered(self) -> list[str]:
        urls = [default_storage_url()]
        if self.settings is not None:
            try:
                saved = json.loads(str(self.settings.value(SETTINGS_KEY, "[]")))
            except json.JSONDecodeError:
                saved = []
            urls += [u for u in saved if isinstance(u, str) and u not in urls]
        return urls

    def ask_storage(self) -> None:
        url, ok = QInputDialog.getText(
            self, "Add storage", "A storage URL: journal:PATH, postgresql://… or mysql://…"
        )
        if ok and url.strip():
            self.add_storage(url.strip())

    def add_storage(self, url: str) -> bool:
        """Follow ``url`` (and remember it); False with a sentence if it is not a storage."""
        try:
            kind_of(url)
        except SweepError as e:
            self.status.setText(str(e))
            return False
        i = self.storage.findData(url)
        if i < 0:
            self.storage.addItem(redact(url), url)
            i = self.storage.count() - 1
            if self.settings is not None:
                urls = [self.storage.itemData(k) for k in range(1, self.storage.count())]
                self.settings.setValue(SETTINGS_KEY, json.dumps(urls))
        self.storage.setCurrentIndex(i)
        return True

    @property
    def url(self) -> str:
        return str(self.storage.currentData() or default_storage_url())

    def _storage_changed(self) -> None:
        self.sweeps.clear()
        self.model.set_rows([])
        self._shown, self._edfs = None, {}
        self.status.setText(f"Reading {redact(self.url)}…")
        self._wanted_changed()

    # the storage is read while the tab is shown, and not otherwise
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._wanted_changed()

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.follower.stop()

    # --- what is shown -------------------------------------------------------------------------
    def current_sweep(self) -> str | None:
        item = self.sweeps.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def checked(self) -> list[str]:
        items = [self.sweeps.item(i) for i in range(self.sweeps.count())]
        return [
            i.data(Qt.ItemDataRole.UserRole)
            for i in items
            if i.checkState() == Qt.CheckState.Checked
        ]

    def _wanted_changed(self) -> None:
        current = self.current_sweep()
        wanted = list(dict.fromkeys([*([current] if current else []), *self.checked()]))
        if self.isVisible():
            self.follower.follow(self.url, wanted)

    def show_snapshot(self, snap: Snapshot) -> None:
        if snap.url != self.url:
            return  # a read of the storage shown before
        if snap.error:
            self.status.setText(snap.error)
            return
        self._fill_sweeps(snap)
        current = self.current_sweep()
        if current in snap.rows:
            shown = (current, snap.rows[current], snap.objectives.get(current, "objective"))
            if shown != self._shown:  # nothing new: nothing redrawn
                self._shown = shown
                self.model.set_rows(shown[1])
                self._plotted = None
                self._draw_plot()
        checked = [n for n in self.checked() if n in snap.edfs]
        overlaid = checked or ([current] if current in snap.edfs else [])
        edfs = {n: snap.edfs[n] for n in overlaid}
        if edfs != self._edfs:
            self._edfs = edfs
            self.edf.set_edfs(edfs)
        running = sum(p.state() != QProcess.ProcessState.NotRunning for p in self.processes)
        here = f"; {plural(running, 'worker')} here" if running else ""
        self.status.setText(f"{plural(len(snap.sweeps), 'sweep')} in {redact(snap.url)}{here}.")
        self.stop_button.setEnabled(bool(running))

    def _draw_plot(self) -> None:
        """The plot on show, if its data changed since it was drawn (hidden ones wait)."""
        if self._shown is None:
            return
        plot = self.plots.currentWidget()
        key = (id(plot), self._shown)
        if plot in (self.objective, self.parallel) and key != self._plotted:
            self._plotted = key
            plot.set_rows(self._shown[1], self._shown[2])

    def _fill_sweeps(self, snap: Snapshot) -> None:
        have = {self.sweeps.item(i).data(Qt.ItemDataRole.UserRole): self.sweeps.item(i)
                for i in range(self.sweeps.count())}  # fmt: skip
        self.sweeps.blockSignals(True)
        for info in snap.sweeps:
            best = "" if info.best is None else f", best {info.best:.4f}"
            text = f"{info.name}  ({info.complete}/{info.total} done, {info.running} running{best})"
            item = have.get(info.name)
            if item is None:
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, info.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.sweeps.addItem(item)
            elif item.text() != text:
                item.setText(text)
        first = self.sweeps.currentItem() is None and self.sweeps.count()
        self.sweeps.blockSignals(False)
        if first:
            self.sweeps.setCurrentRow(0)  # follows it from the next read on

    def select_sweep(self, name: str, checked: bool = False) -> None:
        for i in range(self.sweeps.count()):
            item = self.sweeps.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                if checked:
                    item.setCheckState(Qt.CheckState.Checked)
                self.sweeps.setCurrentItem(item)

    def _clicked(self, index: Any) -> None:
        row = self.model.row(self.proxy.mapToSource(index).row())
        if row.run_dir:
            self.runRequested.emit(row.run_dir)
        else:
            self.message.emit(f"Trial {row.number} has no run folder ({row.state}).")

    # --- workers -------------------------------------------------------------------------------
    def worker_arguments(self, name: str, n: int) -> list[str]:
        args = ["-m", "resnet_studio.cli", "sweep", "work", name, "--storage", self.url]
        args += ["--trials", str(n)]
        if self.runs_dir is not None:
            args += ["--root", str(self.runs_dir)]
        return args

    def start_worker(self) -> QProcess | None:
        name = self.current_sweep()
        if name is None:
            self.status.setText(
                "Choose a sweep first; create one with `resnet-studio sweep new NAME --space F`."
            )
            return None
        proc = QProcess(self)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        proc.readyReadStandardOutput.connect(lambda: self._worker_said(proc))
        proc.finished.connect(lambda code, _status: self._worker_ended(proc, code))
        proc.start(sys.executable, self.worker_arguments(name, self.trials_n.value()))
        self.processes.append(proc)
        self.stop_button.setEnabled(True)
        self.message.emit(
            f"Started a worker for {name} ({plural(self.trials_n.value(), 'trial')})."
        )
        return proc

    def _worker_said(self, proc: QProcess) -> None:
        text = bytes(proc.readAllStandardOutput().data()).decode(errors="replace").strip()
        if text:
            self.message.emit(text.splitlines()[-1])

    def _worker_ended(self, proc: QProcess, code: int) -> None:
        if proc in self.processes:
            self.processes.remove(proc)
        self.stop_button.setEnabled(bool(self.processes))
        if code not in (0, 130):
            self.message.emit(f"A worker ended with exit code {code}; see `sweep show`.")
        self.follower.poll()

    def stop_workers(self, wait_ms: int = 0) -> None:
        """Ask this machine's workers to stop after the step under way (SIGTERM)."""
        for proc in list(self.processes):
            proc.terminate()
        for proc in list(self.processes):
            if wait_ms and not proc.waitForFinished(wait_ms):
                proc.kill()

    def shut_down(self) -> None:
        """Before the window goes: no more reads; this machine's workers stopped."""
        self.follower.stop()
        self.stop_workers(wait_ms=10_000)

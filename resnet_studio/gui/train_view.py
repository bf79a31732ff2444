"""The Train tab: the panel, the live curves and the runs table, over RunControllers.

Several runs may train at once (``max_parallel``); more wait in a queue. Past runs are read
back from their directories when the tab opens, so yesterday's curves overlay today's.
"""

from __future__ import annotations

import re
import shutil
import time
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import ArchSpec
from ..core.format import human
from ..train import TrainError, list_runs
from ..train.records import default_runs_dir
from .curves import CurvesView
from .plots import colour
from .runs import RunController, RunState
from .train_panel import TrainPanel

COLUMNS = (
    "Run",
    "Status",
    "Progress",
    "Best val acc",
    "Time",
    "img/s",
    "Architecture",
    "Params",
    "MACs",
    "Dataset",
    "Device",
)
LIVE = tuple(COLUMNS.index(c) for c in ("Progress", "Time", "img/s"))  # change with every step
LIVE_INTERVAL = 0.5  # seconds between updates of a run's progress line and live cells
STATUS_COLOURS = {"failed": "#c62828", "running": "#1565c0", "finished": "#2e7d32"}


def _minutes(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


def _epoch_progress(state: RunState) -> tuple[int, int]:
    """(the epoch under way or last done, 1-based; the planned epochs), from the run's steps."""
    total = max(1, state.total_steps)
    spe = max(1, int(state.info.get("steps_per_epoch") or total))
    return min(state.last_step // spe + 1, total // spe), total // spe


def _progress_cell(state: RunState) -> str:
    if not state.total_steps:
        return ""
    epoch, epochs = _epoch_progress(state)
    return f"{100 * state.last_step / state.total_steps:.0f}% · epoch {epoch}/{epochs}"


def _cells(r: RunState) -> tuple[str, ...]:
    """One run's row, in COLUMNS order."""
    best = r.best_val_accuracy
    return (
        r.label,
        r.status,
        _progress_cell(r),
        "" if best is None else f"{100 * best:.2f}%",
        _minutes(r.elapsed),
        f"{r.images_per_s:,.0f}" if r.images_per_s else "",
        r.info.get("spec_label") or _arch(_spec(r.info)),
        human(r.info["params"]) if r.info.get("params") else "",
        human(r.info["macs"]) if r.info.get("macs") else "",
        (r.info.get("dataset") or {}).get("name", ""),
        re.sub(r" \([^)]*\)", "", r.info.get("device", "")),  # the full name is its tooltip
    )


class TrainView(QWidget):
    message = Signal(str)  # for the status bar
    specRequested = Signal(object)  # an ArchSpec: a run's architecture, for the spec panel
    modelExportRequested = Signal(str, str)  # a run's checkpoint and a model format

    def __init__(self, runs_root: Path | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.root = Path(runs_root or default_runs_dir())
        self.max_parallel = 2
        self.panel = TrainPanel()
        self.curves = CurvesView()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        actions = QHBoxLayout()
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue the selected stopped run from its checkpoint")
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip("Show the selected run's directory")
        self.spec_button = QPushButton("Load its spec")
        self.spec_button.setToolTip(
            "Put the selected run's architecture in the panel, to study it or train it again"
        )
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Delete the selected run's directory")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(
            "Save the curves as PNG/SVG and the selected run's metrics as CSV"
        )
        self.model_button = QPushButton("Export model…")
        self.model_button.setToolTip("Save the selected run's trained model (best or last)")
        self.model_button.setMenu(self._model_menu())
        for b in (
            self.resume_button,
            self.open_button,
            self.spec_button,
            self.delete_button,
            self.export_button,
            self.model_button,
        ):
            actions.addWidget(b)
        actions.addStretch()
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addLayout(actions)
        bl.addWidget(self.table)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.curves)
        right.addWidget(bottom)
        right.setSizes([520, 260])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.panel)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.splitter = split

        self.runs: list[RunState] = []
        self._live_at: dict[str, float] = {}  # when each run's live cells were last set
        self.controllers: dict[str, RunController] = {}
        self.queue: list[tuple[RunState, RunController]] = []
        self.spec: ArchSpec | None = None
        self.spec_label = ""
        self.panel.startRequested.connect(self.start_run)
        self.panel.pauseRequested.connect(self.toggle_pause)
        self.panel.stopRequested.connect(self.stop_selected)
        self.panel.datasetChanged.connect(lambda: self.panel.show_fit(self.spec))
        self.resume_button.clicked.connect(self.resume_selected)
        self.open_button.clicked.connect(self.open_selected)
        self.spec_button.clicked.connect(self.load_selected_spec)
        self.delete_button.clicked.connect(self.delete_selected)
        self.export_button.clicked.connect(self.export_dialog)
        self.table.itemChanged.connect(self._checked)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.load_past_runs()
        self._update_buttons()

    # --- the spec to train -------------------------------------------------------------------
    def set_spec(self, spec: ArchSpec | None, label: str) -> None:
        self.spec, self.spec_label = spec, label
        self.panel.show_fit(spec)
        self.panel.start.setEnabled(spec is not None)

    # --- runs -----------------------------------------------------------------------------------
    def load_past_runs(self) -> None:
        if not self.root.exists():
            return
        for summary in reversed(list_runs(self.root)):
            self._add(RunState.from_disk(summary, colour(len(self.runs))))

    def _add(self, state: RunState) -> None:
        self.runs.append(state)
        self.curves.set_runs(self.runs)
        self._refresh_table()

    def selected(self) -> RunState | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return self.runs[rows[0].row()]
        live = [r for r in self.runs if r.name in self.controllers]
        return live[-1] if live else None

    def start_run(self) -> RunState | None:
        if self.spec is None:
            return None
        try:
            config = self.panel.config()
            from ..core.presets import closest_preset, preset_of

            arch = preset_of(self.spec) or f"{closest_preset(self.spec) or 'custom'}*"
            name = f"{arch}-{config.dataset}".replace("*", "-custom")
            ctl = RunController.new(self.spec, config, self.root, name)
        except (TrainError, OSError) as e:
            self.message.emit(str(e))
            return None
        state = RunState(
            Path(ctl.trainer.run_dir).name, Path(ctl.trainer.run_dir), colour(len(self.runs))
        )
        state.info = {
            "spec_label": self.spec_label,
            "spec": self.spec.to_dict(),  # the run's frozen copy
            "dataset": {"name": config.dataset},
            "config": config.to_dict(),
        }
        self._wire(state, ctl)
        self._add(state)
        self._launch_or_queue(state, ctl)
        return state

    def resume_selected(self) -> None:
        state = self.selected()
        if state is None or state.name in self.controllers or state.run_dir is None:
            return
        try:
            ctl = RunController.resume(state.run_dir)
        except TrainError as e:
            self.message.emit(str(e))
            return
        # the resumed run continues its curve from the checkpoint's step
        state.truncate(ctl.trainer._resume_state["step"])
        self._wire(state, ctl)
        self.curves.set_runs(self.runs)
        self._launch_or_queue(state, ctl)

    def _wire(self, state: RunState, ctl: RunController) -> None:
        s = ctl.bridge.signals

        def started(info: Any) -> None:
            state.status = "running"
            state.total_steps = info.total_steps
            state.info.update(
                {
                    "params": info.params,
                    "macs": info.macs,
                    "device": info.device,
                    "steps_per_epoch": info.steps_per_epoch,
                    "total_steps": info.total_steps,
                    "spec": info.spec,
                    "dataset": info.dataset,
                }
            )
            self._refresh_table()

        def steps(batch: list) -> None:
            state.add_steps(batch)
            self.curves.mark_dirty()
            self._live(state)

        def epoch(m: Any) -> None:
            state.add_epoch(m.to_dict())
            self.curves.mark_dirty()
            self._progress(state)  # its last steps may have come inside LIVE_INTERVAL
            self._refresh_table()

        def paused(on: bool) -> None:
            state.status = "paused" if on else "running"
            self._refresh_table()

        def ended(end: Any) -> None:
            state.status, state.reason = end.status, end.reason
            if end.status == "failed":
                self.message.emit(f"{state.label} failed: {end.reason}")
            self._progress(state)
            self._refresh_table()

        s.started.connect(started)
        s.steps.connect(steps)
        s.epoch.connect(epoch)
        s.paused.connect(paused)

        def note(text: str) -> None:
            state.notes.append(text)
            self.message.emit(f"{state.label}: {text}")
            self._update_buttons()

        s.note.connect(note)
        s.ended.connect(ended)
        ctl.finished.connect(lambda: self._finished(state))

    def _launch_or_queue(self, state: RunState, ctl: RunController) -> None:
        if sum(c.running for c in self.controllers.values()) < self.max_parallel:
            self.controllers[state.name] = ctl
            state.status = "starting"
            ctl.start()
        else:
            state.status = "queued"
            self.queue.append((state, ctl))
        self._refresh_table()

    def _finished(self, state: RunState) -> None:
        ctl = self.controllers.pop(state.name, None)
        if ctl is not None:
            ctl.thread.wait()
        if self.queue:
            self._launch_or_queue(*self.queue.pop(0))
        self._update_buttons()
        self._refresh_table()

    def toggle_pause(self) -> None:
        state = self.selected()
        ctl = self.controllers.get(state.name) if state else None
        if ctl is None:
            return
        if ctl.trainer.paused:
            ctl.trainer.resume()
        else:
            ctl.trainer.pause()

    def stop_selected(self) -> None:
        state = self.selected()
        if state is None:
            return
        for i, (queued, _) in enumerate(self.queue):
            if queued is state:
                self.queue.pop(i)
                state.status = "stopped"
                self._refresh_table()
                return
        ctl = self.controllers.get(state.name)
        if ctl is not None:
            ctl.trainer.stop()

    @property
    def active(self) -> int:
        return len(self.controllers) + len(self.queue)

    def stop_all(self, msecs: int = 60000) -> bool:
        """Stop every run (each saves a checkpoint) and join their threads."""
        self.queue.clear()
        ok = True
        for ctl in list(self.controllers.values()):
            ok = ctl.stop_and_wait(msecs) and ok
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.processEvents()  # deliver the last queued events
        return ok

    def open_selected(self) -> None:
        state = self.selected()
        if state and state.run_dir:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(state.run_dir)))

    def delete_selected(self, confirm: bool = True) -> None:
        state = self.selected()
        if not self._idle(state):
            return
        if (
            confirm
            and QMessageBox.question(
                self, "Delete run", f"Delete {state.run_dir} and its checkpoints?"
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        try:
            shutil.rmtree(state.run_dir)
        except FileNotFoundError:
            pass  # already gone: the row goes too
        except OSError as e:
            self.message.emit(
                f"Could not delete {e.filename or state.run_dir}: {e.strerror or e}; "
                "the run stays in the table."
            )
            return
        self.runs.remove(state)
        self.curves.set_runs(self.runs)
        self._refresh_table()

    def export_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self, "Export curves", str(self.root / "curves.png"), "PNG (*.png);;SVG (*.svg)"
        )
        if path:
            self.export(path)

    def export(self, path: str) -> None:
        """The curves to PNG/SVG, and the selected run's metrics beside them as CSV."""
        from ..train import export_csv

        try:
            self.curves.export(path)
            state = self.selected()
            if state and state.run_dir:
                export_csv(state.run_dir, Path(path).with_suffix(".csv"))
        except OSError as e:
            self.message.emit(f"Could not export: {e}")
            return
        self.message.emit(f"Exported {path}")

    # --- a run's trained model ------------------------------------------------------------------
    def _model_menu(self) -> QMenu:
        from ..core.model_export import FORMATS

        menu = QMenu(self)
        for f in FORMATS.values():
            if f.needs_model:  # Python code has no weights: the spec panel's menu writes it
                text = f"{f.title} ({f.suffix})…"
                menu.addAction(text, lambda _=False, f=f.name: self.export_run_model(f))
        return menu

    def _checkpoints(self, state: RunState | None) -> list[Path]:
        if state is None or state.run_dir is None:
            return []
        return [p for p in (state.run_dir / "best.pt", state.run_dir / "last.pt") if p.is_file()]

    def export_run_model(self, fmt: str, which: str | None = None) -> None:
        """Ask for the selected run's best or last checkpoint (when it has both), then ask the
        window to export that model as ``fmt``."""
        found = {p.stem: p for p in self._checkpoints(self.selected())}
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
            buttons = {box.addButton(name.title(), role): name for name in ("best", "last")}
            box.exec()
            which = buttons.get(box.clickedButton())
            if which is None:
                return
        path = found.get(which) if which else next(iter(found.values()))
        if path is not None:
            self.modelExportRequested.emit(str(path), fmt)

    # --- table and progress --------------------------------------------------------------------
    def _progress(self, state: RunState) -> None:
        if state is not self.selected():
            return
        total = max(1, state.total_steps)
        epoch, epochs = _epoch_progress(state)
        left = (
            (total - state.last_step)
            / max(state.images_per_s, 1e-9)
            * int(state.info.get("config", {}).get("batch_size") or 1)
        )
        self.panel.progress.setText(
            f"{state.label}: epoch {epoch}/{epochs} "
            f"· step {state.last_step}/{total} · {state.images_per_s:,.0f} img/s · "
            f"ETA {_minutes(left)}"
        )

    def _live(self, state: RunState) -> None:
        """A running run's progress line and its row's progress, time and speed, at most every
        LIVE_INTERVAL seconds (each repaints part of the window); the rest of the row (and the
        columns' widths) change only with epochs and statuses."""
        now = time.monotonic()
        if now - self._live_at.get(state.name, -LIVE_INTERVAL) < LIVE_INTERVAL:
            return
        row = next((i for i, r in enumerate(self.runs) if r is state), None)
        if row is None:
            return
        self._live_at[state.name] = now
        self._progress(state)
        cells = _cells(state)
        self.table.blockSignals(True)
        for k in LIVE:
            item = self.table.item(row, k)
            if item is not None:
                item.setText(cells[k])
        self.table.blockSignals(False)

    def _refresh_table(self) -> None:
        t = self.table
        t.blockSignals(True)
        t.setRowCount(len(self.runs))
        for i, r in enumerate(self.runs):
            cells = _cells(r)
            for k, text in enumerate(cells):
                item = t.item(i, k)
                if item is None:
                    item = QTableWidgetItem()
                    t.setItem(i, k, item)
                item.setText(str(text))
                if k == 0:
                    item.setToolTip(str(r.run_dir or r.name))
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(
                        Qt.CheckState.Checked if r.visible else Qt.CheckState.Unchecked
                    )
                    item.setForeground(QBrush(QColor(r.colour)))
                elif COLUMNS[k] == "Status":
                    item.setToolTip(r.reason or r.status)
                    item.setForeground(QBrush(QColor(STATUS_COLOURS.get(r.status, "#222222"))))
                elif COLUMNS[k] == "Device":
                    item.setToolTip(r.info.get("device", ""))
        t.blockSignals(False)
        t.resizeColumnsToContents()
        self._update_buttons()

    def _checked(self, item: QTableWidgetItem) -> None:
        if item.column() == 0 and item.row() < len(self.runs):
            self.runs[item.row()].visible = item.checkState() == Qt.CheckState.Checked
            self.curves.mark_dirty()

    def _idle(self, state: RunState | None) -> bool:
        """A run with a folder that is neither training nor waiting in the queue."""
        return (
            state is not None
            and state.run_dir is not None
            and state.name not in self.controllers
            and not self._queued(state)
        )

    def _queued(self, state: RunState | None) -> bool:
        return any(q is state for q, _ in self.queue)

    def load_selected_spec(self) -> None:
        state = self.selected()
        spec = _spec(state.info) if state else None
        if spec is not None:
            self.specRequested.emit(spec)

    def _update_buttons(self) -> None:
        state = self.selected()
        self.panel.details.setText(run_details(state) if state else "")
        self.spec_button.setEnabled(state is not None and _spec(state.info) is not None)
        live = state is not None and state.name in self.controllers
        self.panel.pause.setEnabled(live)
        self.panel.stop.setEnabled(live or self._queued(state))
        if live:
            self.panel.pause.setText(
                "Resume" if self.controllers[state.name].trainer.paused else "Pause"
            )
        idle = self._idle(state)
        self.resume_button.setEnabled(
            idle
            and state.status in ("stopped", "crashed", "failed")
            and (state.run_dir / "last.pt").exists()
        )
        self.open_button.setEnabled(state is not None and state.run_dir is not None)
        self.model_button.setEnabled(bool(self._checkpoints(state)))
        self.delete_button.setEnabled(idle)


def _spec(info: dict[str, Any]) -> ArchSpec | None:
    """A run's spec, from its info or config.json."""
    try:
        return ArchSpec.from_dict(info["spec"])
    except Exception:  # one without (a past run's old or hand-edited config.json)
        return None


def _arch(spec: ArchSpec | None) -> str:
    from ..core.presets import preset_of

    if spec is None:
        return ""
    return preset_of(spec) or f"custom ({spec.block}, {','.join(map(str, spec.layers))})"


def run_details(r: RunState) -> str:
    """What the selected run is and how it was trained, as rich text for the panel."""
    info, cfg = r.info, r.info.get("config") or {}
    data, spec = info.get("dataset") or {}, _spec(info)
    lines = [f"<b>{escape(r.label)}</b> · {escape(r.status)}"]
    if r.reason:
        lines.append(f"<i>{escape(r.reason)}</i>")
    if spec is not None:
        arch = info.get("spec_label") or _arch(spec)
        h, w = spec.input_size
        lines.append(
            f"{escape(arch)}: {spec.block} blocks {'-'.join(map(str, spec.layers))}, "
            f"{spec.in_channels}×{h}×{w} in, {spec.num_classes} classes"
        )
    if info.get("params"):
        lines.append(f"{human(info['params'])} parameters, {human(info['macs'])} MACs a sample")
    if data.get("train"):
        lines.append(f"{escape(data['name'])}: {data['train']:,} train, {data['val']:,} val")
    if cfg:
        lines.append(
            f"{cfg['epochs']} epochs of batch {cfg['batch_size']}, {cfg['optimizer']} at lr "
            f"{cfg['lr']:g} ({cfg['schedule']}), weight decay {cfg['weight_decay']:g}"
            + (", augmented" if cfg.get("augment") else "")
            + f", seed {cfg['seed']}"
        )
    if info.get("device"):
        lines.append(escape(info["device"]))
    vals = [e for e in r.epochs if e.get("val_accuracy") is not None]
    if vals:
        best = max(vals, key=lambda e: e["val_accuracy"])
        lines.append(
            f"best val accuracy {100 * best['val_accuracy']:.2f}% (epoch {best['epoch'] + 1}), "
            f"last {100 * vals[-1]['val_accuracy']:.2f}%"
        )
    lines += [f"note: {escape(n)}" for n in r.notes]
    return "<br>".join(lines)

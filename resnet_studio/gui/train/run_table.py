"""The runs table: a thin QAbstractTableModel over the run manager (napari's pattern).

The manager's events become the model's signals (rows inserted and removed, cells changed);
the model formats the runs' numbers and nothing else. Columns: what every run has (name in
its colour with a checkbox that shows its curves, status, progress, accuracy, time, speed,
tags, architecture, dataset, device) and the hyper-parameters, of which the view shows those
that differ between the runs (:meth:`RunTableModel.differing`). Sorting uses the numbers
(``SORT_ROLE``), not the text.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from resnet_studio.core.format import human
from resnet_studio.core.presets import spec_label
from resnet_studio.core.words import plural
from resnet_studio.gui import theme
from resnet_studio.train.config import TrainConfig
from resnet_studio.train.errors import TrainError
from resnet_studio.train.events import RunStatus
from resnet_studio.train.manager import RunManager
from resnet_studio.train.run import Run

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
LIVE_INTERVAL = 0.5  # seconds between repaints of a training run's live cells
STATUS_COLOURS = {
    RunStatus.FAILED: theme.ERROR,
    RunStatus.RUNNING: theme.RUNNING,
    RunStatus.FINISHED: theme.FINISHED,
    RunStatus.UNREADABLE: theme.UNREADABLE,
    RunStatus.CRASHED: theme.ERROR,
}
Index = QModelIndex | QPersistentModelIndex


def minutes(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _pct(v: float | None) -> str:
    return "" if v is None else f"{100 * v:.2f}%"


def _progress(run: Run) -> str:
    if not run.total_steps:
        return ""
    epoch, epochs = run.epoch_progress()
    return f"{100 * run.last_step / run.total_steps:.0f}% · epoch {epoch}/{epochs}"


def arch_label(run: Run) -> str:
    spec = run.spec
    if spec is None:
        return run.info.spec_label
    return spec_label(spec, run.info.base_preset)  # one name, whatever the run stored


def _speed(run: Run) -> str:
    return f"{run.images_per_s:,.0f}" if run.images_per_s else ""


def _dataset(run: Run) -> str:
    return run.info.dataset.name


def _device(run: Run) -> str:
    return re.sub(r" \([^)]*\)", "", run.info.device)  # the full name is its tooltip


def _setting(
    header: str,
    read: Callable[[TrainConfig], Any],
    text: Callable[[Any], str] = str,
    unknown: Any = 0,
) -> Column:
    """A hyper-parameter's column: blank, and sorted as ``unknown``, where the run's settings
    are unknown (a damaged config.json)."""

    def shown(r: Run) -> str:
        return text(read(r.config)) if r.config is not None else ""

    def key(r: Run) -> Any:
        return read(r.config) if r.config is not None else unknown

    return header, shown, key


# (header, text, sort key, tooltip) of each column; LIVE ones change with every step
Column = tuple[str, Callable[[Run], str], Callable[[Run], Any]]
COLUMNS: list[Column] = [
    ("Run", lambda r: r.label, lambda r: r.label.lower()),
    ("Status", lambda r: str(r.status), lambda r: str(r.status)),
    ("Progress", _progress, lambda r: r.fraction_done or 0.0),
    ("Best val acc", lambda r: _pct(r.best_val_accuracy), lambda r: r.best_val_accuracy or -1.0),
    ("Last val acc", lambda r: _pct(r.last_val_accuracy), lambda r: r.last_val_accuracy or -1.0),
    ("Time", lambda r: minutes(r.elapsed), lambda r: r.elapsed),
    ("img/s", _speed, lambda r: r.images_per_s),
    ("Tags", lambda r: ", ".join(r.tags), lambda r: ", ".join(r.tags)),
    ("Architecture", arch_label, arch_label),
    ("Dataset", _dataset, _dataset),
    ("Device", _device, _device),
]
# hyper-parameters: shown where they differ between the runs, or when the user asks
HYPER: list[Column] = [
    _setting("lr", lambda c: c.lr, lambda v: f"{v:g}"),
    _setting("Batch", lambda c: c.batch_size),
    _setting("Epochs", lambda c: c.epochs),
    _setting("Optimizer", lambda c: c.optimizer, unknown=""),
    _setting("Schedule", lambda c: c.schedule, unknown=""),
    _setting("Augment", lambda c: c.augment, lambda v: "yes" if v else "no", False),
    (
        "Params",
        lambda r: human(r.info.params) if r.info.params else "",
        lambda r: r.info.params or 0,
    ),
    (
        "MACs",
        lambda r: human(r.info.macs) if r.info.macs else "",
        lambda r: r.info.macs or 0,
    ),
]
ALL = COLUMNS + HYPER
HEADERS = [c[0] for c in ALL]
LIVE = [HEADERS.index(h) for h in ("Progress", "Time", "img/s")]


class RunTableModel(QAbstractTableModel):
    """The manager's runs as rows; the name is editable (renames the run)."""

    error = Signal(str)  # a sentence for the window (a rename that could not be saved)
    visibilityChanged = Signal()

    def __init__(self, manager: RunManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self._live_at: dict[int, float] = {}
        manager.adding.connect(self._adding)
        manager.added.connect(self._added)
        manager.removing.connect(self._removing)
        manager.removed.connect(self._removed)
        manager.changed.connect(self._changed)
        manager.progressed.connect(self._progressed)

    # --- the manager's events --------------------------------------------------------------
    # Qt's contract: begin… while the list is as it was, end… once it has changed
    def _adding(self, run: Run, index: int) -> None:
        self.beginInsertRows(QModelIndex(), index, index)

    def _added(self, run: Run, index: int) -> None:
        self.endInsertRows()

    def _removing(self, run: Run, index: int) -> None:
        self.beginRemoveRows(QModelIndex(), index, index)

    def _removed(self, run: Run, index: int) -> None:
        self._live_at.pop(id(run), None)
        self.endRemoveRows()

    def _row(self, run: Run) -> int | None:
        return next((i for i, r in enumerate(self.manager.runs) if r is run), None)

    def _changed(self, run: Run) -> None:
        row = self._row(run)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(ALL) - 1))

    def _progressed(self, run: Run) -> None:
        """Live cells at most every LIVE_INTERVAL: each change repaints part of the window."""
        now = time.monotonic()
        if now - self._live_at.get(id(run), -LIVE_INTERVAL) < LIVE_INTERVAL:
            return
        self._live_at[id(run)] = now
        row = self._row(run)
        if row is not None:
            self.dataChanged.emit(self.index(row, LIVE[0]), self.index(row, LIVE[-1]))

    # --- the model ---------------------------------------------------------------------------
    def run(self, row: int) -> Run:
        return self.manager.runs[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.manager.runs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ALL)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        f = super().flags(index)
        if index.column() == 0:
            f |= Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        run, col = self.manager.runs[index.row()], index.column()
        header, text, key = ALL[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return text(run)
        if role == Qt.ItemDataRole.EditRole:
            return run.name or run.label
        if role == SORT_ROLE:
            return key(run)
        if role == Qt.ItemDataRole.CheckStateRole and col == 0:
            return Qt.CheckState.Checked if run.visible else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 0:
                return QBrush(QColor(run.colour))
            if header == "Status":
                return QBrush(QColor(STATUS_COLOURS.get(run.status, "#222222")))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                where = "" if run.never_started else f"{run.dir}\n"
                return f"{run.label}\n{where}Double-click to rename."
            if header == "Status":
                return run.reason or str(run.status)
            if header == "Device":
                return run.info.device
        if role == Qt.ItemDataRole.TextAlignmentRole and header in ("Time", "img/s", "Params"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 0:
            return False
        run = self.manager.runs[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole:
            run.visible = Qt.CheckState(value) == Qt.CheckState.Checked
            self.dataChanged.emit(index, index)
            self.visibilityChanged.emit()
            return True
        if role == Qt.ItemDataRole.EditRole:
            try:
                self.manager.rename(run, str(value))
            except TrainError as e:
                self.error.emit(str(e))
                return False
            return True
        return False

    def differing(self) -> list[int]:
        """The hyper-parameter columns whose values differ between the runs."""
        out = []
        for k, (_, text, _) in enumerate(HYPER):
            if len({text(r) for r in self.manager.runs if not r.info.empty}) > 1:
                out.append(len(COLUMNS) + k)
        return out


def progress_line(run: Run) -> str:
    """The panel's progress line for the selected run: epoch, step, speed, and while it trains
    an ETA (a paused or stopped run has none)."""
    total = max(1, run.total_steps)
    epoch, epochs = run.epoch_progress()
    line = f"{run.label} · {run.status}: epoch {epoch}/{epochs} · step {run.last_step}/{total}"
    if run.status == RunStatus.RUNNING and run.images_per_s:
        line += f" · {run.images_per_s:,.0f} img/s"
    eta = run.eta_seconds
    return line + (f" · ETA {minutes(eta)}" if eta is not None else "")


def run_details(run: Run) -> str:
    """What the selected run is and how it was trained, as rich text for the panel."""
    info, cfg, data, spec = run.info, run.config, run.info.dataset, run.spec
    lines = [f"<b>{escape(run.label)}</b> · {escape(str(run.status))}"]
    if run.tags:
        lines.append("tags: " + escape(", ".join(run.tags)))
    if run.reason:
        lines.append(f"<i>{escape(run.reason)}</i>")
    if info.problem:
        lines.append(f"<i>{escape(info.problem)}</i>")
    if spec is not None:
        h, w = spec.input_size
        lines.append(
            f"{escape(arch_label(run))}: {spec.block} blocks {'-'.join(map(str, spec.layers))}, "
            f"{spec.in_channels}×{h}×{w} in, {spec.num_classes} classes"
        )
    if info.params:
        macs = f", {human(info.macs)} MACs a sample" if info.macs else ""
        lines.append(f"{human(info.params)} parameters{macs}")
    if data.train is not None:
        val = f", {data.val:,} val" if data.val is not None else ""
        lines.append(f"{escape(data.name)}: {data.train:,} train{val}")
    if cfg is not None:
        lines.append(
            f"{plural(cfg.epochs, 'epoch')} of batch {cfg.batch_size}, "
            f"{cfg.optimizer} at lr {cfg.lr:g} ({cfg.schedule}), "
            f"weight decay {cfg.weight_decay:g}"
            + (", augmented" if cfg.augment else "")
            + f", seed {cfg.seed}"
        )
    weights = info.weights
    if weights is not None:
        digest = f" (SHA-256 {weights.sha256[:12]}…)" if weights.sha256 else ""
        lines.append(f"started from {escape(weights.name)}{digest}")
    if info.device:
        lines.append(escape(info.device))
    vals = [(e.val_accuracy, e.epoch) for e in run.epochs if e.val_accuracy is not None]
    if vals:
        best = max(vals)
        lines.append(
            f"best val accuracy {100 * best[0]:.2f}% (epoch {best[1]}), "
            f"last {100 * vals[-1][0]:.2f}%"
        )
    lines += [f"note: {escape(n)}" for n in run.notes]
    if not run.never_started:  # one that never started has no folder: it was taken away again
        lines.append(f"<span style='color:{theme.MUTED}'>{escape(str(run.dir))}</span>")
    return "<br>".join(lines)

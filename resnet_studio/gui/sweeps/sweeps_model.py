"""Following sweep storages off the GUI thread, and the table of one sweep's trials.

:class:`SweepFollower` reads storages every few seconds in the thread pool (one read at a time;
a storage object is kept between reads, so a journal is replayed from where it was left) and
hands plain rows (the sweep package's :class:`TrialRow`) to the GUI thread. :class:`TrialModel`
is a thin ``QAbstractTableModel`` over those rows that changes only the rows that changed, so a
500-trial table keeps its selection and scroll position while workers add trials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from resnet_studio.gui import workers
from resnet_studio.sweep.analysis import edf
from resnet_studio.sweep.results import TrialRow, read_trials

POLL_MS = 2000
Index = QModelIndex | QPersistentModelIndex


@dataclass
class Snapshot:
    """One read of a storage: its sweeps, and the rows of those asked for."""

    url: str
    sweeps: list[Any] = field(default_factory=list)  # SweepInfo
    rows: dict[str, list[TrialRow]] = field(default_factory=dict)
    objectives: dict[str, str] = field(default_factory=dict)
    edfs: dict[str, list[list[float]]] = field(default_factory=dict)  # error EDF of each
    error: str = ""


class SweepFollower(QObject):
    """Polls one storage URL and the sweeps the view asks for; ``read`` carries a Snapshot."""

    read = Signal(object)

    def __init__(self, parent: QObject | None = None, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.url = ""
        self.wanted: list[str] = []
        self._storages: dict[str, Any] = {}  # touched only by the task in flight
        self._busy = False
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def follow(self, url: str, wanted: list[str]) -> None:
        self.url, self.wanted = url, list(wanted)
        self.poll()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        if not self.url:
            return
        if self._busy:  # one read at a time; ask again when it is back
            self._again = True
            return
        self._busy = True
        url, wanted = self.url, list(self.wanted)
        workers.start(lambda: self._read(url, wanted), self._done, self._failed, receiver=self)

    def _read(self, url: str, wanted: list[str]) -> Snapshot:
        from resnet_studio.sweep.storage import journal_missing, list_sweeps, open_storage

        if journal_missing(url):
            return Snapshot(url)  # following reads only: no journal is made for it
        storage = self._storages.get(url)
        if storage is None:
            storage = self._storages[url] = open_storage(url)
        snap = Snapshot(url, list_sweeps(storage))
        known = {s.name: s for s in snap.sweeps}
        for name in wanted:
            if name in known:
                rows = snap.rows[name] = read_trials(storage, name)
                snap.edfs[name] = edf([1.0 - r.value for r in rows if r.state == "complete"
                                       and r.value is not None])  # fmt: skip
                snap.objectives[name] = known[name].objective or "objective"
        return snap

    def _done(self, snap: Snapshot) -> None:
        self._busy = False
        self.read.emit(snap)
        self._next()

    def _failed(self, e: Exception) -> None:
        self._busy = False
        self.read.emit(Snapshot(self.url, error=str(e)))
        self._next()

    def _next(self) -> None:
        if self._again:
            self._again = False
            self.poll()


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return "-".join(str(x) for x in v)
    return str(v)


class TrialModel(QAbstractTableModel):
    """The trials of one sweep: number, state, value (± spread over seeds), each parameter,
    MACs, parameters, and why a trial was skipped or failed."""

    FIXED = ("#", "state", "value")
    TAIL = ("MACs", "params", "note")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[TrialRow] = []
        self.params: list[str] = []

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.FIXED) + len(self.params) + len(self.TAIL)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return [*self.FIXED, *self.params, *self.TAIL][section]

    def data(self, index: Index, role: int = 0) -> Any:
        r = self.rows[index.row()]
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(r, c)
        if role == Qt.ItemDataRole.ToolTipRole and r.run_dir:
            return f"{r.reason}\n{r.run_dir}".strip()
        if role == Qt.ItemDataRole.TextAlignmentRole and c in (0, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def text(self, r: TrialRow, c: int) -> str:
        n = len(self.FIXED)
        if c == 0:
            return str(r.number)
        if c == 1:
            return r.state
        if c == 2:
            if r.value is None:
                return ""
            spread = (max(r.values) - min(r.values)) / 2 if len(r.values) > 1 else None
            return f"{r.value:.4f}" + (f" ±{spread:.4f}" if spread is not None else "")
        if c < n + len(self.params):
            v = r.params.get(self.params[c - n])
            return "" if v is None else _fmt(v)
        tail = c - n - len(self.params)
        if tail == 0:
            return "" if r.macs is None else f"{r.macs / 1e6:.2f}M"
        if tail == 1:
            return "" if r.parameters is None else f"{r.parameters / 1e3:.1f}k"
        return r.reason

    def set_rows(self, rows: list[TrialRow]) -> None:
        """Only what changed: new columns reset the table; new trials are inserted; changed
        trials (a state, a value) are updated in place."""
        params = list(dict.fromkeys(k for r in rows for k in r.params))
        if params != self.params or len(rows) < len(self.rows):
            self.beginResetModel()
            self.params, self.rows = params, list(rows)
            self.endResetModel()
            return
        old = len(self.rows)
        changed = [i for i in range(old) if rows[i] != self.rows[i]]
        if len(rows) > old:
            self.beginInsertRows(QModelIndex(), old, len(rows) - 1)
            self.rows = self.rows + list(rows[old:])
            self.endInsertRows()
        for i in changed:
            self.rows[i] = rows[i]
        if changed:
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), last))

    def row(self, i: int) -> TrialRow:
        return self.rows[i]

"""The layer tree: a QAbstractItemModel over the core's Analysis (stem, stages, blocks, layers).

Runs of identical blocks collapse into one row ("layer3.1–22 ×22") whose children are the
blocks. Every number shown comes from the analysis; the model only arranges it.
"""

from __future__ import annotations

from typing import Any, overload

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from resnet_studio.core.analysis import Analysis, LayerRow
from resnet_studio.core.format import block_runs, human, shape_text

COLUMNS = ("Name", "Type", "Output shape", "Params", "MACs", "% params", "% MACs")
SECTION_ROLE = Qt.ItemDataRole.UserRole + 1  # "stem", "layer2", "head"
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
_ROOT = QModelIndex()  # the invalid index: the tree's root


_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FONT = Qt.ItemDataRole.FontRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ROLES = frozenset(
    {_DISPLAY, _ALIGN, _FONT, _FOREGROUND, SORT_ROLE, SECTION_ROLE, Qt.ItemDataRole.ToolTipRole}
)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_GREY = QColor("#9a9a9a")
_BOLD: list[QFont] = []


def _bold() -> QFont:
    if not _BOLD:
        f = QFont()
        f.setBold(True)
        _BOLD.append(f)
    return _BOLD[0]


# what a row's children are made from when the view first asks for them: a module's row (its
# children are its modules), or a run's blocks; and the analysis, whose rows they are
Lazy = tuple[LayerRow | tuple[LayerRow, ...], Analysis]


class Item:
    """One row of the tree. A module's children, and a run's blocks, are made when the view
    first asks for them, so a reset costs the same for resnet18 and resnet152, and resnet1202's
    runs of 199 blocks cost one row each."""

    __slots__ = (
        "label",
        "kind",
        "rows",
        "repeat",
        "_children",
        "_lazy",
        "parent",
        "section",
        "index",
        "text",
    )

    def __init__(
        self,
        label: str,
        kind: str,
        rows: list[LayerRow],
        section: str,
        repeat: int = 1,
        lazy: Lazy | None = None,
    ) -> None:
        self.label, self.kind, self.rows, self.section = label, kind, rows, section
        self.repeat = repeat
        self.parent: Item | None = None
        self._children: list[Item] | None = None if lazy else []
        self._lazy = lazy  # until the children are made
        self.index = 0
        self.text: tuple[str, ...] | None = None  # the row's display strings, made on first paint

    @property
    def children(self) -> list[Item]:
        if self._children is None:
            assert self._lazy is not None  # children not made yet: made from these
            made, a = self._lazy
            self._children = []
            if isinstance(made, tuple):  # a run: its blocks
                for block in made:
                    self.add(_module_item(block, a, self.section))
            else:
                for child in made.node.children:
                    self.add(_module_item(a.row(child.name), a, self.section))
        return self._children

    def add(self, child: Item) -> Item:
        kids = self.children
        child.parent, child.index = self, len(kids)
        kids.append(child)
        return child

    @property
    def params(self) -> int:
        return sum(r.params for r in self.rows) * self.repeat

    @property
    def macs(self) -> int:
        return sum(r.macs for r in self.rows) * self.repeat

    @property
    def out_shape(self) -> tuple[int, ...]:
        return self.rows[-1].out_shape

    @property
    def in_shape(self) -> tuple[int, ...]:
        return self.rows[0].in_shape


def _module_item(row: LayerRow, a: Analysis, section: str) -> Item:
    has_children = bool(row.node.key or row.node.children)  # a block's modules: not made yet
    return Item(row.name, row.kind, [row], section, lazy=(row, a) if has_children else None)


def build_items(a: Analysis) -> Item:
    """The display tree of an analysis."""
    root = Item("", "", [a.root], "")
    top = [a.row(c.name) for c in a.root.node.children]
    for stage in a.stages:
        part = [r for r in top if r.section == stage.name]
        if stage.blocks:
            item = root.add(Item(stage.name, "Sequential", part, stage.name))
            for run in block_runs(a, stage.name):
                if len(run.rows) == 1:
                    item.add(_module_item(run.rows[0], a, stage.name))
                    continue
                item.add(
                    Item(
                        run.label,
                        run.rows[0].kind,
                        [run.rows[0]],
                        stage.name,
                        repeat=len(run.rows),
                        lazy=(run.rows, a),
                    )
                )
        else:
            item = root.add(Item(stage.name, "", part, stage.name))
            for r in part:
                item.add(_module_item(r, a, stage.name))
    return root


def _renumber(kids: list[Item], start: int) -> None:
    for i in range(start, len(kids)):
        kids[i].index = i


def item_names(item: Item) -> list[str]:
    """The modules (or stage) a row stands for: a stage's name, a module's, or every block of
    a collapsed run."""
    if item.repeat > 1:
        return [c.rows[0].name for c in item.children]
    if item.parent is not None and item.parent.parent is None:  # a top row: stem, layerK, head
        return [item.section]
    return [item.rows[0].name] if item.rows else []


def _covers(item: Item, name: str) -> bool:
    if item.repeat > 1:
        return any(_covers(c, name) for c in item.children)
    return any(name == r.name or name.startswith(r.name + ".") for r in item.rows)


class LayerTreeModel(QAbstractItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.analysis: Analysis | None = None
        self.root = Item("", "", [], "")
        self.stale = False

    def set_analysis(self, a: Analysis) -> None:
        """Show ``a``, changing the rows in place: rows that stay (by name, among their siblings)
        keep their place, selection and expansion and are repainted (``dataChanged``); only
        rows that come or go are inserted or removed. The first analysis resets the model."""
        new = build_items(a)
        if self.analysis is None:
            self.beginResetModel()
            self.analysis, self.root, self.stale = a, new, False
            self.endResetModel()
            return
        self.analysis, self.stale = a, False
        self._update(self.root, new, QModelIndex())

    def _update(self, old: Item, new: Item, parent: QModelIndex) -> None:
        """Make ``old``'s children those of ``new``: matched from both ends by label, the
        unmatched middle removed and inserted; matched rows take the new numbers."""
        kids, fresh = old.children, new.children
        n, m = len(kids), len(fresh)
        head = 0
        while head < min(n, m) and kids[head].label == fresh[head].label:
            head += 1
        tail = 0
        while tail < min(n, m) - head and kids[n - 1 - tail].label == fresh[m - 1 - tail].label:
            tail += 1
        if n - tail > head:  # rows that go
            self.beginRemoveRows(parent, head, n - tail - 1)
            del kids[head : n - tail]
            _renumber(kids, head)
            self.endRemoveRows()
        if m - tail > head:  # rows that come
            self.beginInsertRows(parent, head, m - tail - 1)
            for child in fresh[head : m - tail]:
                child.parent = old
            kids[head:head] = fresh[head : m - tail]
            _renumber(kids, head)
            self.endInsertRows()
        last = len(COLUMNS) - 1
        for first, stop in ((0, head), (len(kids) - tail, len(kids))):
            if stop <= first:
                continue
            for r in range(first, stop):
                it, src = kids[r], fresh[r]  # the middle is replaced: the lists align
                made = it._children is not None  # the view has seen its children: update them
                it.label, it.kind, it.rows, it.section = src.label, src.kind, src.rows, src.section
                it.repeat, it.text = src.repeat, None
                if made:
                    self._update(it, src, self.index(r, 0, parent))
                else:
                    it._lazy, it._children = src._lazy, src._children
                    for c in it._children or ():
                        c.parent = it
            self.dataChanged.emit(self.index(first, 0, parent), self.index(stop - 1, last, parent))

    def set_stale(self, stale: bool) -> None:
        if stale != self.stale:
            self.stale = stale
            if self.root.children:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1)
                )

    def index_of(self, name: str) -> QModelIndex:
        """The row of module ``name`` (or of a stage: "stem", "layer2", "head"), found by
        walking down the rows that contain it; else the deepest row that does."""
        found, kids = QModelIndex(), self.root.children
        while True:
            for r, it in enumerate(kids):
                if it.label == name:
                    return self.index(r, 0, found)
                if _covers(it, name) and it.children:
                    found, kids = self.index(r, 0, found), it.children
                    break
            else:
                return found

    # --- QAbstractItemModel ------------------------------------------------------------------
    def _item(self, index: QModelIndex | QPersistentModelIndex) -> Item:
        return index.internalPointer() if index.isValid() else self.root

    def index(
        self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = _ROOT
    ) -> QModelIndex:
        kids = (parent.internalPointer() if parent.isValid() else self.root).children
        if 0 <= row < len(kids) and 0 <= column < 7:
            return self.createIndex(row, column, kids[row])
        return QModelIndex()

    @overload
    def parent(self) -> QObject | None: ...

    @overload
    def parent(self, child: QModelIndex | QPersistentModelIndex) -> QModelIndex: ...

    def parent(
        self, child: QModelIndex | QPersistentModelIndex | None = None
    ) -> QObject | QModelIndex | None:
        if child is None:  # QObject.parent(): what owns the model
            return super().parent()
        index = child
        if not index.isValid():
            return QModelIndex()
        p = self._item(index).parent
        if p is None or p is self.root:
            return QModelIndex()
        return self.createIndex(p.index, 0, p)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._item(parent).children)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        # Called for every role of every visible cell on each paint: unknown roles leave first.
        a = self.analysis
        if role not in _ROLES or a is None or not index.isValid():
            return None
        it = index.internalPointer()
        if role == _DISPLAY:
            if it.text is None:
                it.text = self._texts(it, a)
            return it.text[index.column()]
        col = index.column()
        if role == _ALIGN:
            return _RIGHT if col >= 3 else None
        if role == _FONT:
            return _bold() if it.parent is self.root else None
        if role == _FOREGROUND:
            return _GREY if self.stale else None
        if role == SORT_ROLE:
            return (it.label, it.kind, it.out_shape, it.params, it.macs, it.params, it.macs)[col]
        if role == SECTION_ROLE:
            return it.section
        return self._tooltip(it, a)

    def _texts(self, it: Item, a: Analysis) -> tuple[str, ...]:
        t, n = a.totals, a.batch_size
        return (
            it.label,
            it.kind,
            shape_text(a.shape(it.out_shape)),
            human(it.params) if it.params else "–",
            human(it.macs * n) if it.macs else "–",
            f"{100 * it.params / t.params:.1f}%" if it.params else "",
            f"{100 * it.macs * n / t.macs:.1f}%" if it.macs else "",
        )

    def _tooltip(self, it: Item, a: Analysis) -> str:
        lines = [f"<b>{it.label}</b> · {it.kind or 'group'}"]
        if it.repeat > 1:
            lines.append(f"{it.repeat} identical blocks; numbers are for all of them")
        lines.append(
            f"input {shape_text(a.shape(it.in_shape))} → output {shape_text(a.shape(it.out_shape))}"
        )
        if len(it.rows) == 1:
            n = it.rows[0].node
            if n.kind in ("Conv2d", "MaxPool2d", "AvgPool2d", "BlurPool2d"):
                lines.append(
                    f"kernel {n.kernel}×{n.kernel}, stride {n.stride}, padding "
                    f"{n.padding}"
                    + (f", dilation {n.dilation}" if n.dilation > 1 else "")
                    + (f", groups {n.groups}" if n.groups > 1 else "")
                    + (", bias" if n.bias else "")
                )
            r = it.rows[0]
            lines.append(
                f"params {it.params:,} (trainable {r.trainable * it.repeat:,}, "
                f"buffers {r.buffers * it.repeat:,})"
            )
        else:
            lines.append(f"params {it.params:,}")
        lines.append(f"MACs {it.macs * a.batch_size:,} (FLOPs {2 * it.macs * a.batch_size:,})")
        return "<br>".join(lines)


class LayerFilter(QSortFilterProxyModel):
    """The tree while a filter is typed: the rows whose name or type contains the text, in any
    case, with the rows that hold them. It reads the items themselves: matching each cell's text
    through ``data()`` took resnet1202's 4,000 rows a second."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setSortRole(SORT_ROLE)
        self.text = ""

    def set_text(self, text: str) -> None:
        self.text = text.casefold()
        self.setFilterFixedString(text)  # filters again (the rows are matched by filterAcceptsRow)

    def filterAcceptsRow(  # noqa: N802 (Qt's name)
        self, row: int, parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        assert isinstance(model, LayerTreeModel)
        it = (parent.internalPointer() if parent.isValid() else model.root).children[row]
        return self.text in it.label.casefold() or self.text in it.kind.casefold()

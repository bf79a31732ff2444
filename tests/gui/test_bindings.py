"""The Qt bindings keep Python's reference counts: a model returning None must not leak None."""

import gc
import sys

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QTreeView


class _Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):  # noqa: B008
        return 2

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 2

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        return "x" if role == Qt.ItemDataRole.DisplayRole else None


def test_returning_none_from_a_model_keeps_none_alive(qtbot):
    """PySide6 6.12.0 drops one reference to None per call here, and Python 3.11 then aborts
    with "deallocating None"; pyproject.toml excludes that release."""
    model = _Model()
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    gc.collect()  # garbage freed by a collection during the loop would drop references too
    gc.disable()
    try:
        before = sys.getrefcount(None)
        for _ in range(200):
            model.index(0, 0).data(Qt.ItemDataRole.DecorationRole)
        after = sys.getrefcount(None)
    finally:
        gc.enable()
    assert after >= before - 5

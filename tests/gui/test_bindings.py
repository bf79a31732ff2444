"""Bindings: the Qt bindings keep Python's reference counts (a model returning None must not
leak None), and the views follow the spec document: the layer tree changes in place."""

import gc
import sys

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QTreeView

from resnet_studio import ArchSpec, analyze
from resnet_studio.gui.explorer.tree_model import LayerTreeModel


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


def _rows(model, parent=QModelIndex(), depth=0):  # noqa: B008
    """Every row's text, children included (made where the view has not asked yet)."""
    out = []
    for r in range(model.rowCount(parent)):
        idx = model.index(r, 0, parent)
        cells = [model.index(r, c, parent).data() for c in range(model.columnCount())]
        out.append((depth, *cells, model.data(idx, Qt.ItemDataRole.ToolTipRole)))
        out += _rows(model, idx, depth + 1)
    return out


def test_the_layer_tree_changes_in_place_and_ends_as_a_fresh_one(qtbot, qtlog):
    model = LayerTreeModel()
    # Qt's own checks of the model's contract (begin/end rows, parents, indexes) as warnings
    tester = QAbstractItemModelTester(  # noqa: F841 (it checks while it lives)
        model, QAbstractItemModelTester.FailureReportingMode.Warning
    )
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_analysis(analyze(ArchSpec.from_preset("resnet18")))
    view.expand(model.index_of("layer1"))
    layer1 = model.index(1, 0)
    specs = [
        (ArchSpec.from_preset("resnet34"), 1),  # more blocks: runs of blocks renamed
        (ArchSpec.from_preset("resnet34", layers=(3, 4, 6)), 1),  # a stage fewer
        (ArchSpec.from_preset("resnet20"), 1),
        (ArchSpec.from_preset("resnet18", num_classes=10), 4),  # numbers change, rows stay
    ]
    for spec, batch in specs:
        a = analyze(spec, batch)
        model.set_analysis(a)
        fresh = LayerTreeModel()
        fresh.set_analysis(a)
        assert _rows(model) == _rows(fresh), spec
    assert len(resets) == 1  # only the first analysis resets the model
    assert view.isExpanded(layer1) and layer1.data() == "layer1"  # kept open, in its place
    assert not [r.message for r in qtlog.records if "FAIL" in r.message]


def test_the_train_panel_edits_its_settings_document(qtbot):
    from resnet_studio.gui.train.train_panel import TrainPanel

    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.lr.setValue(0.2)
    panel.dataset.setCurrentText("cifar10")
    panel.augment.setChecked(True)
    assert (panel.doc["lr"], panel.doc["dataset"], panel.doc["augment"]) == (0.2, "cifar10", True)
    assert panel.config().lr == 0.2 and panel.settings() == panel.doc.to_dict()
    other = TrainPanel()
    qtbot.addWidget(other)
    other.restore({**panel.settings(), "epochs": -4})  # a value that does not fit: default
    assert other.lr.value() == 0.2 and other.dataset.currentText() == "cifar10"
    assert other.epochs.value() == panel.epochs.value() == other.doc["epochs"]


def test_the_train_panel_keeps_typed_numbers_and_says_their_limits(qtbot):
    """Typing 100000 as the batch size gave 10000, and 0 epochs reverted to 1, without a word."""
    import pytest
    from PySide6.QtCore import Qt

    from resnet_studio.gui.train.train_panel import TrainPanel
    from resnet_studio.train.errors import TrainError

    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.show()
    for box, typed in ((panel.batch, "100000"), (panel.epochs, "0")):
        box.setFocus()
        box.lineEdit().selectAll()
        qtbot.keyClicks(box.lineEdit(), typed)
        qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
        assert box.value() == int(typed)
        assert box.property("invalid")
    assert panel.doc["batch_size"] == 100000 and panel.doc["epochs"] == 0
    assert "Batch size is 100,000; it can be at most 65,536." in panel.batch.toolTip()
    assert "Epochs is 0; it must be at least 1." in panel.epochs.toolTip()
    with pytest.raises(TrainError, match="at least 1") as e:
        panel.config()
    assert "at most 65,536" in str(e.value)
    panel.batch.stepBy(-1)  # the arrows bring it back within the limits, and the tint goes
    assert panel.batch.value() == 65536 and not panel.batch.property("invalid")
    assert panel.batch.toolTip().startswith("Images per step")

"""The runs table as a user manages many runs: delete with a question and an undo, rename,
columns for what differs, sorting by numbers, and a filter."""

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from resnet_studio import ArchSpec
from resnet_studio.core.format import human_bytes
from resnet_studio.gui.train.run_table import HEADERS
from resnet_studio.gui.train.train_view import TrainView
from resnet_studio.train import RunRecorder, TrainConfig, Trainer
from tests.gui.modal import answer_box, standard_button

TINY = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)


@pytest.fixture(scope="module")
def past_runs(tmp_path_factory):
    """Three finished runs: two at lr 0.05 (one with batch 32), one at lr 0.1."""
    root = tmp_path_factory.mktemp("made") / "runs"
    for name, lr, batch in (
        ("20261101-a", 0.05, 64),
        ("20261102-b", 0.1, 64),
        ("20261103-c", 0.05, 32),
    ):
        cfg = TrainConfig(epochs=1, device="cpu", threads=1, lr=lr, batch_size=batch)
        Trainer(TINY, cfg, [RunRecorder(root / name)], run_dir=str(root / name)).run()
    return root


@pytest.fixture
def view(qtbot, tmp_path, past_runs):
    shutil.copytree(past_runs, tmp_path / "runs")
    v = TrainView(tmp_path / "runs")
    qtbot.addWidget(v)
    v.resize(1400, 800)
    v.show()
    return v


def _answer(button, seen):
    """Click ``button`` of the next question box, noting its text."""
    answer_box(standard_button(button), seen)


def _shown(view):
    return [h for k, h in enumerate(HEADERS) if not view.table.isColumnHidden(k)]


def test_delete_asks_names_the_folder_and_can_be_undone(view, qtbot):
    run = view.runs[0]
    view.select(run)
    size = human_bytes(run.size_bytes())
    seen = []
    _answer(QMessageBox.StandardButton.Cancel, seen)
    view.delete_button.click()
    assert run in view.runs and run.dir.exists()  # answered no: nothing happened
    assert str(run.dir) in seen[0] and size in seen[0] and "last.pt" in seen[0]
    _answer(QMessageBox.StandardButton.Yes, seen)
    view.delete_button.click()
    assert run not in view.runs and not run.dir.exists() and view.proxy.rowCount() == 2
    assert view.undo_bar.isVisible() and run.label in view.undo_label.text()
    view.undo_button.click()
    assert view.runs[0] is run and (run.dir / "last.pt").exists() and not view.undo_bar.isVisible()
    said = []
    view.message.connect(said.append)
    view.select(run)
    view.delete_selected(confirm=False)
    view.finish_deletions()  # what the undo timer does after a few seconds
    assert not run.dir.exists() and said == [f"Moved {run.id} to the trash."]


def test_a_delete_that_fails_keeps_the_row_and_says_why(view, monkeypatch):
    from pathlib import Path

    run = view.runs[0]
    view.select(run)
    said = []
    view.message.connect(said.append)

    def refuse(self, target):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "rename", refuse)
    view.delete_selected(confirm=False)
    assert run in view.runs and run.dir.exists()
    assert said and "Could not delete" in said[-1] and "stays" in said[-1]


def test_a_queued_run_cannot_be_deleted(view):
    view.set_spec(TINY, "tiny")
    view.manager.max_parallel = 0
    queued = view.start_run()
    view.select(queued)
    assert not view.delete_button.isEnabled()
    assert view.delete_selected(confirm=False) is None and queued.dir.exists()
    view.manager.stop(queued)


def test_rename_in_the_table(view):
    run = view.runs[1]
    index = view.model.index(view.runs.index(run), 0)
    assert view.model.setData(index, "lr ten times higher")
    assert run.label == "lr ten times higher" and index.data() == "lr ten times higher"
    assert '"name": "lr ten times higher"' in (run.dir / "meta.json").read_text()


def test_columns_show_the_hyperparameters_that_differ(view):
    shown = _shown(view)
    assert "lr" in shown and "Batch" in shown  # they differ between the runs
    assert "Optimizer" not in shown and "Epochs" not in shown  # the same for all
    view.choose_column("Optimizer", True)
    view.choose_column("lr", False)
    assert "Optimizer" in _shown(view) and "lr" not in _shown(view)
    view.choose_columns(None)  # back to the default
    assert "lr" in _shown(view) and "Optimizer" not in _shown(view)


def test_sorting_uses_numbers_and_the_filter_reads_every_column(view):
    lr = HEADERS.index("lr")
    view.table.sortByColumn(lr, Qt.SortOrder.DescendingOrder)
    first = view.proxy.index(0, lr).data()
    assert first == "0.1"
    view.filter.setText("0.1")
    assert view.proxy.rowCount() == 1
    view.filter.setText("digits")
    assert view.proxy.rowCount() == 3
    view.filter.setText("no such run")
    assert view.proxy.rowCount() == 0


def test_rows_change_inside_qts_begin_and_end(view):
    """beginInsertRows/beginRemoveRows come while the manager's list is as it was."""
    seen = []
    model, manager = view.model, view.manager
    model.rowsAboutToBeInserted.connect(lambda *a: seen.append(len(manager.runs)))
    model.rowsAboutToBeRemoved.connect(lambda *a: seen.append(len(manager.runs)))
    model.rowsInserted.connect(lambda *a: seen.append(len(manager.runs)))
    model.rowsRemoved.connect(lambda *a: seen.append(len(manager.runs)))
    deletion = manager.delete(manager.runs[0])
    manager.undo_deletion(deletion)
    assert seen == [3, 2, 2, 3]  # about to remove: 3; removed: 2; about to insert: 2; then 3


def test_ticked_past_runs_read_their_curves_off_the_gui_thread(qtbot, tmp_path, past_runs):
    import resnet_studio.gui.train.train_view as train_view

    shutil.copytree(past_runs, tmp_path / "runs")
    train_view.SHOWN_AT_START, shown = 1, train_view.SHOWN_AT_START
    try:
        v = TrainView(tmp_path / "runs")
    finally:
        train_view.SHOWN_AT_START = shown
    qtbot.addWidget(v)
    a, b, c = v.runs
    # the list came from the summaries: epochs at once, steps only for the newest run
    assert all(r.epochs for r in v.runs) and not a.visible and not b.visible and c.visible
    qtbot.waitUntil(lambda: c.step.n > 0)
    assert a.step.n == 0 and a.curves == "unread"
    v.model.setData(v.model.index(0, 0), Qt.CheckState.Checked.value, Qt.CheckStateRole)
    qtbot.waitUntil(lambda: a.step.n > 0)
    assert a.step.n == a.total_steps and b.step.n == 0  # every step of it, and no other run


def test_alike_runs_have_distinct_names_and_a_new_run_is_selected(view, qtbot):
    names = [r.label for r in view.runs]
    assert len(set(names)) == 3  # a and c read "… lr 0.05" but are told apart
    view.table.selectRow(0)
    view.set_spec(TINY, "")
    view.panel.epochs.setValue(1)
    run = view.start_run()
    assert view.selected() is run  # Pause, Stop and the progress line follow the new run
    assert view.panel.stop.isEnabled()
    assert len({r.label for r in view.runs}) == 4
    view.stop_selected()
    qtbot.waitUntil(lambda: run.status in ("stopped", "finished"), timeout=120000)


def test_details_say_one_epoch_not_one_epochs(view):
    from resnet_studio.gui.train.run_table import run_details

    texts = [run_details(r) for r in view.manager.runs]
    assert texts and all("1 epoch of batch" in t for t in texts), texts


def test_a_run_that_failed_before_it_started_shows_no_folder_and_goes_without_a_question(
    view, qtbot, tmp_path
):
    from resnet_studio.train.events import RunStatus

    config = TrainConfig(
        epochs=1, device="cpu", threads=1, dataset="imagefolder", data_dir=str(tmp_path / "none")
    )
    run = view.manager.start(TINY, config)  # close to no preset
    qtbot.waitUntil(lambda: run.status == RunStatus.FAILED and not view.manager.active)
    assert not run.dir.exists() and "custom-custom" not in run.id
    view.select(run)
    assert "does not exist" in view.panel.details.text()  # its sentence, but no folder
    assert str(run.dir) not in view.panel.details.text()
    assert not view.open_button.isEnabled() and view.delete_button.isEnabled()
    seen = []
    answer_box(standard_button(QMessageBox.StandardButton.Cancel), seen, tries=0)
    view.delete_button.click()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == ["no question box with that button was shown"]  # nothing asked
    assert run not in view.runs and view.undo_bar.isVisible()
    said = []
    view.message.connect(said.append)
    view.finish_deletions()
    assert said == [f"Removed {run.label} from the list."]

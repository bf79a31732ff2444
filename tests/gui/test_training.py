"""Training from the window: live curves and table from the run manager, control, close."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from resnet_studio import ArchSpec
from resnet_studio.gui.train.run_table import HEADERS
from resnet_studio.train import read_metrics
from resnet_studio.train.events import RunStatus, StepMetrics
from resnet_studio.train.manager import RunBridge

TINY = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)


@pytest.fixture
def window(make_window):
    return make_window()


def _row(w, run):
    """{header: (text, tooltip)} of ``run``'s row, as the table shows it."""
    model = w.train.model
    i = w.train.runs.index(run)
    tip = Qt.ItemDataRole.ToolTipRole
    return {
        h: (model.index(i, k).data(), model.index(i, k).data(tip)) for k, h in enumerate(HEADERS)
    }


def _ready(w, epochs=2):
    w.panel.set_spec(TINY)
    w.tabs.setCurrentIndex(2)
    p = w.train.panel
    p.dataset.setCurrentText("digits")
    p.epochs.setValue(epochs)
    p.device.setCurrentIndex(0)  # cpu
    return p


def _idle(w):
    return lambda: not w.train.manager.active


def test_a_digits_run_shows_exactly_what_it_records(window, qtbot):
    p = _ready(window)
    run = window.train.start_run()
    qtbot.waitUntil(lambda: run.status == RunStatus.FINISHED, timeout=120000)
    qtbot.waitUntil(_idle(window), timeout=10000)
    logged = read_metrics(run.dir / "metrics.jsonl")
    steps = [r for r in logged if r["kind"] == "step"]
    epochs = [r for r in logged if r["kind"] == "epoch"]
    assert list(run.step.values) == [r["step"] for r in steps]
    assert list(run.step_loss.values) == [r["loss"] for r in steps]
    assert [e.val_accuracy for e in run.epochs] == [e["val_accuracy"] for e in epochs]
    window.train.curves.redraw()
    raw = window.train.curves._items[id(run)]["raw"]
    xs, ys = raw.getData()  # the raw step loss, drawn faint behind the smoothed curve
    assert list(ys) == [r["loss"] for r in steps]
    row = {h: text for h, (text, _) in _row(window, run).items()}
    assert row["Status"] == "finished"
    assert row["Best val acc"] == f"{100 * max(e['val_accuracy'] for e in epochs):.2f}%"
    assert row["Last val acc"] == f"{100 * epochs[-1]['val_accuracy']:.2f}%"
    assert row["Progress"] == "100% · epoch 2/2"
    base = window.panel.base_preset  # TINY has other blocks than any preset: an edited one
    assert row["Run"] == f"{base} (edited) · digits · lr {p.lr.value():g}"
    assert row["Device"] == "cpu" and _row(window, run)["Device"][1].startswith("cpu (")
    window.train.select(run)
    assert p.progress.text().startswith(run.label)
    assert f"step {steps[-1]['step']}/{steps[-1]['step']}" in p.progress.text()
    assert "ETA" not in p.progress.text()  # a finished run has none
    details = p.details.text()
    written = json.loads((run.dir / "config.json").read_text())["dataset"]  # as on disk
    for part in (
        f"{written['train']:,} train, {written['val']:,} val",
        f"2 epochs of batch {p.batch.value()}, sgd at lr {p.lr.value():g}",
        f"best val accuracy {row['Best val acc']}",
        "basic blocks 1-1-1, 1×8×8 in, 10 classes",
    ):
        assert part in details
    window.panel.preset.setCurrentText("resnet50")
    assert window.spec != TINY
    window.train.spec_button.click()  # the run's architecture, back in the panel
    assert window.spec == TINY


def test_pause_resume_and_stop_keep_the_selection(window, qtbot):
    p = _ready(window, epochs=200)
    run = window.train.start_run()
    qtbot.waitUntil(lambda: run.step.n > 3, timeout=60000)
    window.train.select(run)
    p.pause.click()
    qtbot.waitUntil(lambda: run.status == RunStatus.PAUSED, timeout=30000)
    assert not p.pause.isEnabled() and window.train.resume_button.isEnabled()
    assert "ETA" not in p.progress.text()  # a paused run has none
    held = run.step.n
    qtbot.wait(400)
    assert run.step.n == held
    window.train.resume_button.click()  # the one Resume: here, where it paused
    qtbot.waitUntil(lambda: run.status == RunStatus.RUNNING and run.step.n > held, timeout=30000)
    p.stop.click()
    qtbot.waitUntil(lambda: run.status == RunStatus.STOPPED, timeout=30000)
    qtbot.waitUntil(_idle(window), timeout=10000)
    assert window.train.selected() is run  # stopping keeps the selection
    assert (run.dir / "last.pt").exists()
    assert "resume it" in run.reason
    assert window.train.resume_button.isEnabled()


def test_two_runs_at_once_and_a_queue(window, qtbot):
    _ready(window, epochs=1)
    window.train.manager.max_parallel = 2
    runs = [window.train.start_run() for _ in range(3)]
    assert [r.status for r in runs].count(RunStatus.QUEUED) == 1
    assert len(window.train.manager.queue) == 1
    qtbot.waitUntil(lambda: all(r.status == RunStatus.FINISHED for r in runs), timeout=180000)
    assert len({r.id for r in runs}) == 3
    assert len({r.colour for r in runs}) == 3  # no two runs share a colour
    window.train.curves.redraw()
    names = [i.name() for i in window.train.curves.loss.getPlotItem().listDataItems() if i.name()]
    assert sum(n.endswith("train") for n in names) == 3  # the runs overlaid
    legend = window.train.curves.legends["loss"].names()
    assert all(r.label in legend for r in runs), "each run has its legend entry"


def test_a_running_row_shows_progress_time_and_speed_between_epochs(window, qtbot):
    _ready(window)
    window.train.manager.max_parallel = 0  # queued, so this test alone feeds its events
    run = window.train.start_run()
    run.total_steps, run.info = 100, replace(run.info, steps_per_epoch=25)
    batch = [StepMetrics(s, 1, 1.0, 0.5, 0.1, 321.0, 1.5 * s) for s in range(1, 31)]
    RunBridge(window.train.manager, run).on_steps(None, batch)  # as the trainer reports them
    qtbot.waitUntil(lambda: run.last_step == 30)  # handed to the GUI thread
    row = {h: text for h, (text, _) in _row(window, run).items()}
    assert not run.epochs
    assert row["Progress"] == "30% · epoch 2/4"
    assert (row["Time"], row["img/s"]) == ("0:45", "321")
    window.train.manager.stop(run)


def test_a_dataset_download_shows_in_the_status_bar(window, qtbot, tmp_path, monkeypatch):
    import torchvision

    from tests.datafiles import write_mnist

    monkeypatch.setattr(
        torchvision.datasets.MNIST, "download", lambda self: write_mnist(Path(self.root), "MNIST")
    )
    p = _ready(window, epochs=1)
    p.dataset.setCurrentText("mnist")
    p.data_dir.setText(str(tmp_path / "data"))
    said = []
    window.train.message.connect(said.append)
    run = window.train.start_run()
    qtbot.waitUntil(lambda: run.status == RunStatus.FINISHED, timeout=60000)
    assert any("Downloading the mnist dataset" in s and str(tmp_path) in s for s in said)


def test_closing_mid_run_stops_joins_and_checkpoints(make_window, qtbot):
    w = make_window()
    _ready(w, epochs=500)
    run = w.train.start_run()
    qtbot.waitUntil(lambda: run.step.n > 2, timeout=60000)
    asked = []
    w.confirm_close = lambda n: asked.append(n) or True
    w.close()
    assert asked == [1]
    assert not w.train.manager.active
    assert (run.dir / "last.pt").exists()
    assert json.loads((run.dir / "status.json").read_text())["status"] == "stopped"
    assert run.status == RunStatus.STOPPED


def test_declining_to_close_keeps_training(make_window, qtbot):
    w = make_window()
    _ready(w, epochs=500)
    run = w.train.start_run()
    qtbot.waitUntil(lambda: run.step.n > 2, timeout=60000)
    w.confirm_close = lambda n: False
    w.close()
    assert w.isVisible() and w.train.manager.is_live(run)
    w.confirm_close = lambda n: True


def test_a_nan_run_fails_in_its_row_and_the_app_goes_on(window, qtbot):
    p = _ready(window)
    window.train.panel.optimizer.setCurrentText("sgd")
    window.train.panel.schedule.setCurrentText("constant")
    p.lr.setMaximum(1e9)
    p.lr.setValue(1e9)
    run = window.train.start_run()
    qtbot.waitUntil(lambda: run.status == RunStatus.FAILED, timeout=60000)
    assert "learning rate" in run.reason
    assert "failed" in window.statusBar().currentMessage()
    text, tip = _row(window, run)["Status"]
    assert text == "failed" and "learning rate" in tip
    window.train.curves.redraw()  # a failed run with no points adds nothing to the legends
    legend = window.train.curves.legends["loss"].names()
    assert any(run.label in t for t in legend) == run.has_points  # listed if it has points
    p.lr.setValue(0.05)
    ok = window.train.start_run()
    qtbot.waitUntil(lambda: ok.status == RunStatus.FINISHED, timeout=120000)


def test_the_panel_offers_to_fit_the_spec_to_the_data(window):
    window.panel.preset.setCurrentText("resnet18")
    window.tabs.setCurrentIndex(2)
    p = window.train.panel
    p.dataset.setCurrentText("digits")
    assert (
        p.fit.isVisibleTo(window) and "1 channel" in p.fit.text() and "10 classes" in p.fit.text()
    )
    p.adapt.click()
    assert window.spec == ArchSpec.from_preset(
        "resnet18", in_channels=1, num_classes=10, input_size=32
    )
    assert not p.fit.isVisibleTo(window)


def test_past_runs_are_reloaded_with_their_names_and_colours(make_window, qtbot, tmp_path):
    first = make_window("a.ini")
    _ready(first, epochs=1)
    run = first.train.start_run()
    qtbot.waitUntil(lambda: run.status == RunStatus.FINISHED, timeout=120000)
    qtbot.waitUntil(_idle(first), timeout=10000)
    first.train.select(run)
    first.train.rename_selected("my first run")
    first.train.tag_selected("baseline, digits")
    first.close()
    from resnet_studio.gui.train.train_view import TrainView

    again = TrainView(tmp_path / "runs")
    qtbot.addWidget(again)
    back = again.runs[0]
    assert [r.id for r in again.runs] == [run.id]
    assert (back.label, back.tags, back.colour) == (
        "my first run",
        ["baseline", "digits"],
        run.colour,
    )
    assert back.epochs == run.epochs  # from its summary, at once
    qtbot.waitUntil(lambda: back.step.n == run.step.n)  # its steps, read off the GUI thread
    assert list(back.step_loss.values) == list(run.step_loss.values)
    assert back.status == RunStatus.FINISHED


def test_resume_from_the_table_continues_the_curve(window, qtbot):
    p = _ready(window, epochs=3)
    run = window.train.start_run()
    qtbot.waitUntil(lambda: run.step.n > 30, timeout=60000)  # into the second epoch
    window.train.select(run)
    p.stop.click()
    qtbot.waitUntil(lambda: run.status == RunStatus.STOPPED, timeout=30000)
    qtbot.waitUntil(_idle(window), timeout=10000)
    stopped_at = json.loads((run.dir / "status.json").read_text())["step"]
    assert window.train.resume_button.isEnabled() and "resume it" in run.reason
    window.train.resume_button.click()
    assert run.reason == ""  # "Stopped at step …; resume it" goes once it resumes
    qtbot.waitUntil(lambda: run.status == RunStatus.FINISHED, timeout=120000)
    qtbot.waitUntil(_idle(window), timeout=10000)
    steps = list(run.step.values)
    assert steps == list(range(1, len(steps) + 1)) and len(steps) > stopped_at
    logged = [r["step"] for r in read_metrics(run.dir / "metrics.jsonl") if r["kind"] == "step"]
    assert logged == steps


def test_train_settings_come_back_with_the_window(make_window):
    w = make_window("kept.ini")
    p = _ready(w, epochs=7)
    p.batch.setValue(48)
    p.lr.setValue(0.2)
    p.schedule.setCurrentText("onecycle")
    p.augment.setChecked(True)
    w.close()
    again = make_window("kept.ini").train.panel
    assert (again.epochs.value(), again.batch.value(), again.lr.value()) == (7, 48, 0.2)
    assert again.schedule.currentText() == "onecycle" and again.augment.isChecked()
    assert again.dataset.currentText() == "digits"

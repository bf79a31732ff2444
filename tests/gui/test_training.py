"""Training from the window: live curves and table from the trainer's events, control, close."""

import json
from pathlib import Path

import pytest

from resnet_studio import ArchSpec
from resnet_studio.gui.train_view import COLUMNS
from resnet_studio.train import read_metrics
from resnet_studio.train.events import StepMetrics

TINY = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)


@pytest.fixture
def window(make_window):
    return make_window()


def _row(w, i=0):
    return {c: w.train.table.item(i, k) for k, c in enumerate(COLUMNS)}


def _ready(w, tmp_path, epochs=2):
    w.train.root = tmp_path / "runs"
    w.panel.set_spec(TINY)
    w.tabs.setCurrentIndex(2)
    p = w.train.panel
    p.dataset.setCurrentText("digits")
    p.epochs.setValue(epochs)
    p.device.setCurrentIndex(0)  # cpu
    return p


def test_a_digits_run_shows_exactly_what_it_records(window, qtbot, tmp_path):
    p = _ready(window, tmp_path)
    state = window.train.start_run()
    qtbot.waitUntil(lambda: state.status == "finished", timeout=120000)
    qtbot.waitUntil(lambda: not window.train.controllers, timeout=10000)
    logged = read_metrics(state.run_dir / "metrics.jsonl")
    steps = [r for r in logged if r["kind"] == "step"]
    epochs = [r for r in logged if r["kind"] == "epoch"]
    assert list(state.step.values) == [r["step"] for r in steps]
    assert list(state.step_loss.values) == [r["loss"] for r in steps]
    assert [e["val_accuracy"] for e in state.epochs] == [e["val_accuracy"] for e in epochs]
    window.train.curves.redraw()
    raw = window.train.curves._items[id(state)]["raw"]
    xs, ys = raw.getData()  # the raw step loss, drawn faint behind the smoothed curve
    assert list(ys) == [r["loss"] for r in steps]
    row = {c: item.text() for c, item in _row(window).items()}
    assert row["Status"] == "finished"
    assert row["Best val acc"] == f"{100 * max(e['val_accuracy'] for e in epochs):.2f}%"
    assert row["Progress"] == "100% · epoch 2/2"
    assert "custom" in row["Architecture"] or "resnet" in row["Architecture"]
    assert row["Device"] == "cpu" and _row(window)["Device"].toolTip().startswith("cpu (")
    assert p.progress.text().startswith(state.label)
    assert f"step {steps[-1]['step']}/{steps[-1]['step']}" in p.progress.text()  # not a stale one
    window.train.table.selectRow(0)
    details = p.details.text()
    info = json.loads((state.run_dir / "config.json").read_text())
    for part in (
        f"{info['dataset']['train']:,} train, {info['dataset']['val']:,} val",
        f"2 epochs of batch {p.batch.value()}, sgd at lr {p.lr.value():g}",
        f"best val accuracy {row['Best val acc']}",
        "basic blocks 1-1-1, 1×8×8 in, 10 classes",
    ):
        assert part in details
    window.panel.preset.setCurrentText("resnet50")
    assert window.spec != TINY
    window.train.spec_button.click()  # the run's architecture, back in the panel
    assert window.spec == TINY


def test_pause_resume_and_stop(window, qtbot, tmp_path):
    p = _ready(window, tmp_path, epochs=200)
    state = window.train.start_run()
    qtbot.waitUntil(lambda: state.step.n > 3, timeout=60000)
    window.train.table.selectRow(0)
    p.pause.click()
    qtbot.waitUntil(lambda: state.status == "paused", timeout=30000)
    assert p.pause.text() == "Resume"
    held = state.step.n
    qtbot.wait(400)
    assert state.step.n == held
    p.pause.click()
    qtbot.waitUntil(lambda: state.status == "running" and state.step.n > held, timeout=30000)
    p.stop.click()
    qtbot.waitUntil(lambda: state.status == "stopped", timeout=30000)
    qtbot.waitUntil(lambda: not window.train.controllers, timeout=10000)
    assert (state.run_dir / "last.pt").exists()
    assert window.train.resume_button.isEnabled()


def test_two_runs_at_once_and_a_queue(window, qtbot, tmp_path):
    _ready(window, tmp_path, epochs=1)
    window.train.max_parallel = 2
    runs = [window.train.start_run() for _ in range(3)]
    assert [r.status for r in runs].count("queued") == 1
    assert len(window.train.controllers) == 2
    qtbot.waitUntil(lambda: all(r.status == "finished" for r in runs), timeout=180000)
    assert len({r.name for r in runs}) == 3
    window.train.curves.redraw()
    names = [i.name() for i in window.train.curves.loss.getPlotItem().listDataItems() if i.name()]
    assert sum(n.endswith("train") for n in names) == 3  # the runs overlaid, with a legend


def test_a_running_row_shows_progress_time_and_speed_between_epochs(window, tmp_path):
    _ready(window, tmp_path)
    window.train.max_parallel = 0  # queued, so this test alone feeds its events
    state = window.train.start_run()
    ctl = window.train.queue[0][1]
    state.total_steps, state.info["steps_per_epoch"] = 100, 25
    batch = [StepMetrics(s, 0, 1.0, 0.5, 0.1, 321.0, 1.5 * s) for s in range(1, 31)]
    ctl.bridge.signals.steps.emit(batch)  # as the bridge sends them, between two epochs
    row = {c: item.text() for c, item in _row(window).items()}
    assert not state.epochs
    assert row["Progress"] == "30% · epoch 2/4"
    assert (row["Time"], row["img/s"]) == ("0:45", "321")


def test_a_dataset_download_shows_in_the_status_bar(window, qtbot, tmp_path, monkeypatch):
    import torchvision

    from tests.train.test_data import _write_mnist

    monkeypatch.setattr(
        torchvision.datasets.MNIST, "download", lambda self: _write_mnist(Path(self.root), "MNIST")
    )
    p = _ready(window, tmp_path, epochs=1)
    p.dataset.setCurrentText("mnist")
    p.data_dir.setText(str(tmp_path / "data"))
    said = []
    window.train.message.connect(said.append)
    state = window.train.start_run()
    qtbot.waitUntil(lambda: state.status == "finished", timeout=60000)
    assert any("Downloading the mnist dataset" in s and str(tmp_path) in s for s in said)


def test_closing_mid_run_stops_joins_and_checkpoints(make_window, qtbot, tmp_path):
    w = make_window()
    _ready(w, tmp_path, epochs=500)
    state = w.train.start_run()
    qtbot.waitUntil(lambda: state.step.n > 2, timeout=60000)
    ctl = w.train.controllers[state.name]
    asked = []
    w.confirm_close = lambda n: asked.append(n) or True
    w.close()
    assert asked == [1]
    assert not ctl.thread.isRunning()
    assert (state.run_dir / "last.pt").exists()
    assert json.loads((state.run_dir / "status.json").read_text())["status"] == "stopped"


def test_declining_to_close_keeps_training(make_window, qtbot, tmp_path):
    w = make_window()
    _ready(w, tmp_path, epochs=500)
    state = w.train.start_run()
    qtbot.waitUntil(lambda: state.step.n > 2, timeout=60000)
    w.confirm_close = lambda n: False
    w.close()
    assert w.isVisible() and state.name in w.train.controllers
    w.confirm_close = lambda n: True


def test_a_nan_run_fails_in_its_row_and_the_app_goes_on(window, qtbot, tmp_path):
    p = _ready(window, tmp_path)
    p.lr.setValue(10.0)
    window.train.panel.optimizer.setCurrentText("sgd")
    window.train.panel.schedule.setCurrentText("constant")
    p.lr.setMaximum(1e9)
    p.lr.setValue(1e9)
    state = window.train.start_run()
    qtbot.waitUntil(lambda: state.status == "failed", timeout=60000)
    assert "learning rate" in state.reason
    assert "failed" in window.statusBar().currentMessage()
    status = _row(window)["Status"]
    assert status.text() == "failed" and "learning rate" in status.toolTip()
    p.lr.setValue(0.05)
    ok = window.train.start_run()
    qtbot.waitUntil(lambda: ok.status == "finished", timeout=120000)


def test_the_device_picker_without_cuda(window):
    import torch

    p = window.train.panel
    model = p.device.model()
    ids = [p.device.itemData(i) for i in range(p.device.count())]
    assert ids[0] == "cpu" and model.item(0).isEnabled()
    if not torch.cuda.is_available():
        cuda = ids.index("cuda")
        assert not model.item(cuda).isEnabled()
        assert "CUDA" in model.item(cuda).toolTip()
        assert p.device.currentData() == "cpu"


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


def test_past_runs_are_reloaded(make_window, qtbot, tmp_path):
    first = make_window("a.ini")
    _ready(first, tmp_path, epochs=1)
    state = first.train.start_run()
    qtbot.waitUntil(lambda: state.status == "finished", timeout=120000)
    qtbot.waitUntil(lambda: not first.train.controllers, timeout=10000)
    first.close()
    from resnet_studio.gui.train_view import TrainView

    again = TrainView(tmp_path / "runs")
    qtbot.addWidget(again)
    assert [r.name for r in again.runs] == [state.name]
    assert list(again.runs[0].step_loss.values) == list(state.step_loss.values)
    assert again.runs[0].status == "finished"


def test_resume_from_the_table_continues_the_curve(window, qtbot, tmp_path):
    p = _ready(window, tmp_path, epochs=3)
    state = window.train.start_run()
    qtbot.waitUntil(lambda: state.step.n > 30, timeout=60000)  # into the second epoch
    window.train.table.selectRow(0)
    p.stop.click()
    qtbot.waitUntil(
        lambda: state.status == "stopped" and not window.train.controllers, timeout=30000
    )
    stopped_at = json.loads((state.run_dir / "status.json").read_text())["step"]
    assert window.train.resume_button.isEnabled()
    window.train.resume_button.click()
    qtbot.waitUntil(lambda: state.status == "finished", timeout=120000)
    qtbot.waitUntil(lambda: not window.train.controllers, timeout=10000)
    steps = list(state.step.values)
    assert steps == list(range(1, len(steps) + 1)) and len(steps) > stopped_at
    logged = [
        r["step"] for r in read_metrics(state.run_dir / "metrics.jsonl") if r["kind"] == "step"
    ]
    assert logged == steps


def test_deleting_a_run(qtbot, tmp_path, monkeypatch):
    import shutil

    from resnet_studio.gui.train_view import TrainView
    from resnet_studio.train import RunRecorder, TrainConfig, Trainer

    for name in ("a", "b"):
        run = tmp_path / "runs" / name
        cfg = TrainConfig(epochs=1, device="cpu", threads=1)
        Trainer(TINY, cfg, [RunRecorder(run)], run_dir=str(run)).run()
    view = TrainView(tmp_path / "runs")
    qtbot.addWidget(view)
    said = []
    view.message.connect(said.append)
    view.table.selectRow(0)
    first = view.runs[0]
    monkeypatch.setattr(
        shutil,
        "rmtree",
        lambda p: (_ for _ in ()).throw(PermissionError(13, "Permission denied", str(p))),
    )
    view.delete_selected(confirm=False)
    assert first in view.runs and first.run_dir.exists()
    assert "Could not delete" in said[-1] and "stays" in said[-1]
    monkeypatch.undo()
    view.table.selectRow(0)
    view.delete_selected(confirm=False)
    assert not first.run_dir.exists() and [r.name for r in view.runs] == [view.runs[0].name]
    assert len(view.runs) == 1 and view.table.rowCount() == 1
    # a run waiting in the queue is not deleted from under it
    view.set_spec(TINY, "tiny")
    view.max_parallel = 0
    queued = view.start_run()
    view.table.selectRow(view.runs.index(queued))
    assert not view.delete_button.isEnabled()
    view.delete_selected(confirm=False)
    assert queued.run_dir.exists() and queued in view.runs
    view.queue.clear()

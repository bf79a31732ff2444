"""Every way a run ends, told the same by every record of it: the trainer's return value,
status.json, the end record of metrics.jsonl, the command line's exit code and last line, and
the window's row (the runs table over the run manager)."""

import errno
import json
import threading
import urllib.error

import pytest
import torch
import torchvision
from PySide6.QtCore import Qt

from resnet_studio import ArchSpec
from resnet_studio.cli import main
from resnet_studio.gui import workers
from resnet_studio.gui.train.run_table import HEADERS, RunTableModel
from resnet_studio.train import Callback, TrainConfig
from resnet_studio.train.events import RunStatus
from resnet_studio.train.manager import RunManager
from resnet_studio.train.records import read_end
from resnet_studio.train.trainer import Trainer

SMALL = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)
ARGS = ["--preset", "resnet20", "--layers", "1,1,1", "--in-channels", "1", "--input-size", "8"]
ARGS += ["--device", "cpu", "--threads", "2"]
AFTER_AN_EPOCH = {"stopped", "paused then closed", "a full disk while stopping"}  # need two
NEVER_STARTS = {"a missing dataset"}  # it leaves no run folder behind, only its sentence


class AfterFirstEpoch(Callback):
    def __init__(self, act):
        self.act = act

    def on_epoch_end(self, trainer, m):
        if m.epoch == 1:
            self.act(trainer)


def _stop(trainer):
    trainer.stop()


def _pause_then_close(trainer):
    trainer.pause()  # the window is closed while the run is paused: it stops
    threading.Timer(0.3, trainer.stop).start()


class OutOfMemory(Callback):
    def on_run_start(self, trainer, info):
        def forward(x):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

        trainer.model.forward = forward


class Raises(Callback):
    def on_epoch_end(self, trainer, m):
        raise RuntimeError("this observer is broken")

    def on_run_end(self, trainer, end):
        raise RuntimeError("broken at the end too")


def _disk_full(monkeypatch, fails):
    """The records' atomic writes of the files ``fails`` picks fail as on a full disk."""
    import resnet_studio.atomic as atomic

    real = atomic.atomic_write_bytes

    def write(path, data):
        if fails(str(path)):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(atomic, "atomic_write_bytes", write)
    monkeypatch.setattr("resnet_studio.train.records.atomic_write_bytes", write)


def _offline(self):
    raise urllib.error.URLError("no network")


# name -> (what the scenario sets up, extra CLI args, config changes, status, words of the reason)
SCENARIOS = {
    "finished": (None, [], {}, RunStatus.FINISHED, ""),
    "stopped": (
        lambda mp, obs: obs.append(AfterFirstEpoch(_stop)),
        [],
        {},
        RunStatus.STOPPED,
        "resume it",
    ),
    "paused then closed": (
        lambda mp, obs: obs.append(AfterFirstEpoch(_pause_then_close)),
        [],
        {},
        RunStatus.STOPPED,
        "resume it",
    ),
    "NaN loss": (
        None,
        ["--lr", "1e9", "--schedule", "constant"],
        {"lr": 1e9, "schedule": "constant"},
        RunStatus.FAILED,
        "The loss became",
    ),
    "out of memory": (
        lambda mp, obs: obs.append(OutOfMemory()),
        [],
        {},
        RunStatus.FAILED,
        "Out of device memory",
    ),
    "a missing dataset": (
        lambda mp, obs: mp.setattr(torchvision.datasets.MNIST, "download", _offline),
        ["--dataset", "mnist", "--data-dir", "{tmp}/nodata"],
        {"dataset": "mnist", "data_dir": "{tmp}/nodata"},
        RunStatus.FAILED,
        "mnist",
    ),
    "a full disk while training": (
        lambda mp, obs: _disk_full(mp, lambda path: path.endswith(".pt")),  # the first checkpoint
        [],
        {},
        RunStatus.FAILED,
        "the disk is full",
    ),
    "a full disk while stopping": (
        lambda mp, obs: obs.append(
            AfterFirstEpoch(lambda t: (_disk_full(mp, lambda path: True), t.stop()))
        ),
        [],
        {},
        RunStatus.FAILED,
        "stopped, but could not write",
    ),
    "an observer that raises": (
        lambda mp, obs: obs.append(Raises()),
        [],
        {},
        RunStatus.FINISHED,
        "",
    ),
}


@pytest.fixture
def scenario(request, monkeypatch, tmp_path):
    setup, args, changes, status, words = SCENARIOS[request.param]
    epochs = 2 if request.param in AFTER_AN_EPOCH else 1
    args = [*args, "--epochs", str(epochs)]
    changes = {**changes, "epochs": epochs}
    extra = []  # observers the scenario adds to every trainer made in this test
    real_init = Trainer.__init__

    def init(self, *a, **k):
        real_init(self, *a, **k)
        self.callbacks.extend(extra)

    monkeypatch.setattr(Trainer, "__init__", init)

    def arm():
        extra.clear()
        monkeypatch.undo()
        monkeypatch.setattr(Trainer, "__init__", init)
        if setup:
            setup(monkeypatch, extra)

    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    changes = {
        k: v.replace("{tmp}", str(tmp_path)) if isinstance(v, str) else v
        for k, v in changes.items()
    }
    return arm, args, changes, status, words


def _records(run_dir):
    status = json.loads((run_dir / "status.json").read_text())
    return status, read_end(run_dir / "metrics.jsonl")


@pytest.mark.parametrize("scenario", list(SCENARIOS), indirect=True)
def test_every_record_of_a_run_tells_the_same_end(scenario, tmp_path, capsys, qtbot, request):
    arm, args, changes, status, words = scenario
    scenario_name = request.node.callspec.params["scenario"]

    # the command line
    arm()
    out = tmp_path / "cli-run"
    code = main(["train", *ARGS, *args, "--out", str(out)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == {RunStatus.FINISHED: 0, RunStatus.STOPPED: 130, RunStatus.FAILED: 1}[status]
    if scenario_name in NEVER_STARTS:
        assert not out.exists() and words in lines[-1]
        arm()
        manager = RunManager(tmp_path / "runs", dispatch=workers.Dispatcher())
        model = RunTableModel(manager)
        config = TrainConfig(**{**dict(device="cpu", threads=2), **changes})
        run = manager.start(SMALL, config)
        qtbot.waitUntil(lambda: not manager.active, timeout=120000)
        assert not run.dir.exists() and run.status == status
        assert lines[-1] == f"resnet-studio: error: {run.reason}"
        cell = model.index(manager.runs.index(run), HEADERS.index("Status"))
        assert cell.data(Qt.ItemDataRole.ToolTipRole) == run.reason
        return
    st, end = _records(out)
    assert st["status"] == end["status"] == status.value
    assert st["reason"] == end["reason"] and words in end["reason"]
    if status == RunStatus.FAILED:
        assert lines[-1] == f"resnet-studio: error: {end['reason']}"
    else:
        assert lines[-1].startswith(f"{status.value} after {end['step']} step")

    # the window: the run manager, and its row in the runs table
    arm()
    dispatcher = workers.Dispatcher()
    manager = RunManager(tmp_path / "runs", dispatch=dispatcher)
    model = RunTableModel(manager)
    config = TrainConfig(**{**dict(device="cpu", threads=2), **changes})
    run = manager.start(SMALL, config)
    qtbot.waitUntil(lambda: not manager.active, timeout=120000)
    st, end = _records(run.dir)
    assert run.status == status and st["status"] == end["status"] == status.value
    assert run.reason == st["reason"] == end["reason"]
    row = manager.runs.index(run)
    cell = model.index(row, HEADERS.index("Status"))
    assert cell.data() == status.value
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == (run.reason or status.value)

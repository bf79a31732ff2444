"""The run manager without Qt: runs from disk, the queue, names, tags, colours, delete and undo,
and `resnet-studio runs` reading through it."""

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from resnet_studio import ArchSpec
from resnet_studio.train import RunRecorder, TrainConfig, Trainer, TrainError
from resnet_studio.train.events import Callback, RunStatus
from resnet_studio.train.manager import RunManager
from resnet_studio.train.run import default_name, nth_colour

TINY = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)
CONFIG = TrainConfig(epochs=1, device="cpu", threads=1)


def _past_runs(root, names):
    for name in names:
        Trainer(TINY, CONFIG, [RunRecorder(root / name)], run_dir=str(root / name)).run()


def _wait(manager, timeout=120):
    end = time.monotonic() + timeout
    while manager.active and time.monotonic() < end:
        time.sleep(0.05)
    assert not manager.active


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    _past_runs(root, ["20261101-000000-a", "20261102-000000-b"])
    return root


def test_runs_are_read_from_disk_oldest_first_with_distinct_colours(two_runs, tmp_path):
    (two_runs / "junk").mkdir(exist_ok=True)  # a folder the app cannot read is a run too
    manager = RunManager(two_runs)
    manager.load()
    assert [r.id for r in manager.runs] == ["20261101-000000-a", "20261102-000000-b", "junk"]
    a, b, junk = manager.runs
    assert junk.status == RunStatus.UNREADABLE and "holds nothing" in junk.reason
    assert a.status == b.status == RunStatus.FINISHED and a.epochs and a.step.n
    assert len({r.colour for r in manager.runs}) == 3
    assert a.base_label == "custom · digits · lr 0.05"  # readable, from what it trains
    # two runs with the same settings and seed are told apart by their number
    assert (a.label, b.label) == (f"{a.base_label} · #1", f"{a.base_label} · #2")
    adapted = ArchSpec.from_preset("resnet50", in_channels=1, num_classes=10, input_size=32)
    info = replace(a.info, spec=adapted, base_preset="resnet50")
    assert default_name(info) == "resnet50 · digits · lr 0.05"  # adapted to the data only
    edited = adapted.replace(layers=(1, 1, 1, 1))
    info = replace(info, spec=edited)
    assert default_name(info) == "resnet50 (edited) · digits · lr 0.05"
    os.rmdir(two_runs / "junk")


def test_a_run_keeps_its_colour_across_sessions_and_no_other_run_takes_it(two_runs, tmp_path):
    import json
    import shutil

    root = tmp_path / "runs"
    shutil.copytree(two_runs, root)
    for meta in root.glob("*/meta.json"):
        meta.unlink()  # the older run was trained from the command line: no colour yet
    blue = nth_colour(0)
    (root / "20261102-000000-b" / "meta.json").write_text(
        json.dumps({"name": "", "tags": [], "colour": blue})
    )
    manager = RunManager(root)
    manager.load(steps=False)
    a, b = manager.runs
    assert b.colour == blue and a.colour != blue
    again = RunManager(root)
    again.load(steps=False)
    assert [r.colour for r in again.runs] == [a.colour, blue]  # both kept for their life


def test_colours_never_repeat():
    assert len({nth_colour(i) for i in range(200)}) == 200


def test_rename_and_tags_are_kept_in_the_run_folder(two_runs):
    manager = RunManager(two_runs)
    manager.load()
    a = manager.find("20261101-000000-a")
    manager.rename(a, "  the   baseline ")
    manager.set_tags(a, ["sgd", " digits ", "", "sgd"])
    again = RunManager(two_runs)
    again.load()
    back = again.find("the baseline")
    assert back is not None and back.id == a.id
    assert (back.label, back.tags, back.colour) == ("the baseline", ["sgd", "digits"], a.colour)
    manager.rename(a, "")
    manager.set_tags(a, [])


def test_alike_runs_keep_their_numbers_in_every_session_and_every_number_has_its_one(
    two_runs, tmp_path
):
    from resnet_studio.train.run import label_runs

    manager = RunManager(two_runs)
    manager.load()
    a, b = manager.runs
    base = a.base_label
    # numbered by start time, whatever order the list holds them in
    label_runs([b, a])
    assert (a.label, b.label) == (f"{base} · #1", f"{base} · #2")
    # a run the user named shows its name: the other is no "#2" of a "#1" nobody sees
    manager.rename(a, "baseline")
    assert (a.label, b.label) == ("baseline", base)
    again = RunManager(two_runs)
    again.load()
    assert [r.label for r in again.runs] == ["baseline", base]
    manager.rename(a, "")
    assert (a.label, b.label) == (f"{base} · #1", f"{base} · #2")
    # a run that ends before it starts leaves no folder, so it is no "#3" for this session only
    gone = manager.start(
        TINY,
        TrainConfig(
            epochs=1,
            device="cpu",
            threads=1,
            dataset="imagefolder",
            data_dir=str(tmp_path / "nowhere"),
        ),
    )
    _wait(manager)
    assert gone.status == RunStatus.FAILED and not gone.dir.exists()
    again = RunManager(two_runs)
    again.load()
    assert [r.label for r in manager.runs if r is not gone] == [r.label for r in again.runs]


class _StopAt(Callback):
    """Stops the run at its first report past ``step``, or at the end of epoch ``epoch``."""

    def __init__(self, step=None, epoch=None):
        self.at_step, self.at_epoch = step, epoch

    def on_steps(self, trainer, steps):
        if self.at_step is not None and steps[-1].step >= self.at_step:
            trainer.stop()

    def on_epoch_end(self, trainer, metrics):
        if metrics.epoch == self.at_epoch:
            trainer.stop()


@pytest.mark.parametrize(
    ("config", "stop", "epoch", "done"),
    [  # stopped inside epoch 1 of 1; stopped as epoch 1 of 2 ended
        (TrainConfig(epochs=1, device="cpu", threads=1, report_interval=0), _StopAt(step=3), 1, 0),
        (TrainConfig(epochs=2, device="cpu", threads=1), _StopAt(epoch=1), 1, 1),
    ],
)
def test_a_stopped_run_names_one_epoch_everywhere(tmp_path, capsys, config, stop, epoch, done):
    import argparse
    import json

    from resnet_studio.cli.runs import run as runs_command

    root = tmp_path / "runs"
    d = root / "20261101-000000-a"
    end = Trainer(TINY, config, [RunRecorder(d), stop], run_dir=str(d)).run()
    assert end.status == RunStatus.STOPPED and f"(epoch {epoch})" in end.reason
    assert (end.epoch, end.epochs_done) == (epoch, done)
    status = json.loads((d / "status.json").read_text())
    assert (status["epoch"], status["epochs_done"]) == (epoch, done)
    last = json.loads((d / "metrics.jsonl").read_text().splitlines()[-1])
    assert last["kind"] == "end" and (last["epoch"], last["epochs_done"]) == (epoch, done)
    manager = RunManager(root)
    manager.load(steps=False)
    (r,) = manager.runs
    assert r.epoch_progress() == (epoch, config.epochs)  # the window's "epoch 1/…"
    runs_command(argparse.Namespace(root=str(root), export_csv=None, delete=None, yes=False))
    assert f"stopped    epoch {epoch}/{config.epochs} " in capsys.readouterr().out


def test_the_queue_runs_two_at_once_and_stop_takes_a_run_out_of_it(tmp_path):
    manager = RunManager(tmp_path, max_parallel=1)
    first = manager.start(TINY, CONFIG)
    second = manager.start(TINY, CONFIG)
    assert manager.is_queued(second) and second.status == RunStatus.QUEUED
    manager.stop(second)
    assert second.status == RunStatus.STOPPED and not manager.is_queued(second)
    _wait(manager)
    assert first.status == RunStatus.FINISHED and second.step.n == 0


def test_delete_goes_aside_undo_brings_it_back_and_finish_sends_it_to_the_trash(tmp_path):
    root = tmp_path / "runs"
    _past_runs(root, ["20261101-000000-a"])
    manager = RunManager(root)
    manager.load()
    run = manager.runs[0]
    removed = []
    manager.removed.connect(lambda r, i: removed.append((r, i)))
    deletion = manager.delete(run)
    assert removed == [(run, 0)] and not manager.runs and not run.dir.exists()
    manager.undo_deletion(deletion)
    assert manager.runs == [run] and (run.dir / "last.pt").exists()
    said = manager.finish_deletion(manager.delete(run))
    assert not run.dir.exists() and not list((root / ".deleted").iterdir())
    assert said == f"Moved {run.id} to the trash."
    trash = Path(os.environ["XDG_DATA_HOME"]) / "Trash"  # the test session's own
    assert (trash / "files" / run.id / "last.pt").exists()
    assert (trash / "info" / f"{run.id}.trashinfo").exists()


def test_a_training_run_cannot_be_deleted(tmp_path):
    manager = RunManager(tmp_path, max_parallel=0)
    run = manager.start(TINY, CONFIG)  # queued
    with pytest.raises(TrainError, match="stop it before deleting"):
        manager.delete(run)
    manager.stop(run)


def test_runs_command_lists_through_the_manager_and_deletes_after_a_yes(two_runs, tmp_path):
    def cli(*args, stdin=None):
        return subprocess.run(
            [sys.executable, "-m", "resnet_studio.cli", "runs", "--root", str(root), *args],
            capture_output=True,
            text=True,
            timeout=120,
            input=stdin,
        )

    root = tmp_path / "runs"
    _past_runs(root, ["20261101-000000-a", "20261102-000000-b"])
    (root / "broken").mkdir()
    listed = cli().stdout.splitlines()
    assert listed[0].startswith("broken") and "unreadable" in listed[0]  # newest first
    assert "finished" in listed[1] and "epoch 1/1" in listed[1] and "lr 0.05" in listed[1]
    refused = cli("--delete", "20261101-000000-a", stdin="")
    assert (
        refused.returncode == 2 and "--yes" in refused.stderr and (root / listed[2][:17]).exists()
    )
    done = cli("--delete", "broken", "--yes")
    assert done.returncode == 0 and not (root / "broken").exists()
    missing = cli("--delete", "nope", "--yes")
    assert missing.returncode == 2 and "no run 'nope'" in missing.stderr

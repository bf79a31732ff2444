"""Run records read back as data: old files, damaged lines and wrong types never raise."""

import json

from resnet_studio.train.records import read_metrics


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def _step(step, epoch):
    return dict(
        kind="step",
        step=step,
        epoch=epoch,
        loss=1.0,
        accuracy=0.5,
        lr=0.1,
        images_per_s=9.0,
        time=0.1 * step,
    )


def _epoch(step, epoch):
    return dict(
        kind="epoch",
        epoch=epoch,
        step=step,
        train_loss=1.0,
        train_accuracy=0.5,
        val_loss=None,
        val_accuracy=None,
        seconds=1.0,
        images_per_s=9.0,
        lr=0.1,
        time=0.1 * step,
    )


def test_old_files_counted_epochs_from_0_and_read_from_1(tmp_path):
    old = tmp_path / "old.jsonl"
    _write(old, [_step(1, 0), _epoch(1, 0), _step(2, 1), _epoch(2, 1)])
    new = tmp_path / "new.jsonl"
    _write(new, [_step(1, 1), _epoch(1, 1), _step(2, 2), _epoch(2, 2)])
    assert read_metrics(old) == read_metrics(new)
    assert [r["epoch"] for r in read_metrics(new)] == [1, 1, 2, 2]


def test_damaged_lines_and_wrong_types_are_skipped(tmp_path):
    path = tmp_path / "metrics.jsonl"
    good = [_step(1, 1), _epoch(1, 1)]
    path.write_text(
        json.dumps(good[0])
        + "\n"
        + '{"kind": "step", "step": "one", "epoch": 1}\n'
        + "[1, 2, 3]\n"
        + '"text"\n'
        + json.dumps({**_step(2, 1), "loss": True})
        + "\n"
        + json.dumps(good[1])
        + "\n"
        + '{"kind": "epoch", "ep'  # cut by a crash
    )
    assert read_metrics(path) == good
    assert read_metrics(tmp_path / "missing.jsonl") == []


def test_a_damaged_run_config_gives_what_could_be_read_and_a_sentence():
    from resnet_studio.core import ArchSpec
    from resnet_studio.train.config import TrainConfig
    from resnet_studio.train.details import DatasetDetails, RunDetails

    good_spec = ArchSpec.from_preset("resnet20")
    cfg = {
        "spec": good_spec.to_dict(),
        "config": {"epochs": 3, "lr": 0.1},
        "dataset": {"name": "digits", "train": "many", "notes": ["ok", 5]},
        "device": "cpu",
        "params": "lots",
        "macs": True,
        "versions": {"torch": "2.5", "evil": {"x": 1}},
    }
    info = RunDetails.from_json(cfg)
    assert info.spec == good_spec and info.config == TrainConfig(epochs=3, lr=0.1)
    assert info.dataset == DatasetDetails("digits", notes=("ok",))
    assert info.device == "cpu" and info.params is None and info.macs is None
    assert info.versions == {"torch": "2.5"}
    problem = info.problem
    assert problem.startswith("Its config.json could not be read whole: ")
    assert problem.endswith("; the rest is shown.") and ". " not in problem  # one sentence
    for part in (
        "train is not a whole number",
        "params is not",
        "macs is not",
        "notes",
        "versions",
    ):
        assert part in problem
    bad = RunDetails.from_json({"spec": {"layers": "x"}, "config": {"lr": "fast"}, "dataset": {}})
    assert bad.spec is None and bad.config is None
    assert "its spec is not valid (layers must be whole numbers" in bad.problem
    assert "its training settings are not valid (the training setting lr must be" in bad.problem
    for damaged in ([1, 2], "text", None):
        nothing = RunDetails.from_json(damaged)
        assert (
            nothing.empty and nothing.problem == "Its config.json is damaged (not a JSON object)."
        )


# --- a run folder's summary, lock and damage (issues 19 and 20) ------------------------------
class _Trainer:
    """What the recorder reads of a trainer."""

    run_dir = None
    model = None
    best_val_accuracy = None

    def state_dict(self):
        return {}


def _recorded_run(run_dir, epochs=3, steps_per_epoch=4, end=True):
    """A run written by the app's own recorder, from the events a trainer sends."""
    from resnet_studio.core.presets import preset_spec
    from resnet_studio.train.config import TrainConfig
    from resnet_studio.train.details import DatasetDetails, RunDetails
    from resnet_studio.train.events import EpochMetrics, RunEnd, RunInfo, RunStatus, StepMetrics
    from resnet_studio.train.recorder import RunRecorder

    spec = preset_spec("resnet20").replace(in_channels=1, input_size=(8, 8))
    total = epochs * steps_per_epoch
    details = RunDetails(
        spec, TrainConfig(epochs=epochs), DatasetDetails("digits", 9, 3), "cpu", 1000, 1000,
        steps_per_epoch, total,
    )  # fmt: skip
    info = RunInfo(details, 0, 0, str(run_dir))
    t, rec = _Trainer(), RunRecorder(run_dir, checkpoints=False)
    rec.on_run_start(t, info)
    step = 0
    for epoch in range(1, epochs + 1):
        for _ in range(steps_per_epoch):
            step += 1
            rec.on_steps(t, [StepMetrics(step, epoch, 1.0, 0.5, 0.1, 9.0, 0.1 * step, 1.0)])
        t.best_val_accuracy = 0.1 * epoch
        rec.on_epoch_end(t, EpochMetrics(epoch, step, 1, 0.5, 1, 0.1 * epoch, 1, 9, 0.1, step))
    if end:
        rec.on_run_end(t, RunEnd(RunStatus.FINISHED, "", epochs, step, t.best_val_accuracy))
    return rec


def test_a_list_reads_the_summary_not_every_step(tmp_path):
    from resnet_studio.train.records import list_runs

    _recorded_run(tmp_path / "r")
    (summary,) = list_runs(tmp_path)
    assert [e.epoch for e in summary.epoch_metrics] == [1, 2, 3]
    assert (tmp_path / "r" / "summary.json").is_file()
    log = tmp_path / "r" / "metrics.jsonl"
    size = log.stat().st_size
    log.write_bytes(b"\n" * size)  # same size: a list that parsed the log would find no epochs
    assert [e.epoch for e in list_runs(tmp_path)[0].epoch_metrics] == [1, 2, 3]
    # a log that grew is read from where the summary stopped, not from its start
    from resnet_studio.train.summary import read_summary

    with open(log, "a") as f:
        f.write(json.dumps(_epoch(99, 4)) + "\n")
    assert [e.epoch for e in read_summary(tmp_path / "r").epochs] == [1, 2, 3, 4]


def test_a_history_is_listed_from_its_index_until_a_folder_changes(tmp_path):
    import os

    from resnet_studio.train.records import list_runs

    for name in ("a", "b"):
        _recorded_run(tmp_path / name)
    first = list_runs(tmp_path)
    assert (tmp_path / ".index.json").is_file()
    for name in ("a", "b"):  # unreadable files, unread: the index answers for unchanged folders
        (tmp_path / name / "config.json").write_text("{broken")
        os.utime(tmp_path / name, ns=(1, os.stat(tmp_path / name).st_mtime_ns))
    again = list_runs(tmp_path)
    assert [(r.name, r.status, r.epoch_metrics) for r in again] == [
        (r.name, r.status, r.epoch_metrics) for r in first
    ]
    (tmp_path / "a" / "meta.json").write_text("{}")  # a change in the folder: read afresh
    assert [r.status for r in list_runs(tmp_path)] == ["finished", "unreadable"]


def test_a_summary_missing_or_damaged_is_rebuilt_from_the_log(tmp_path):
    from resnet_studio.train.records import list_runs

    _recorded_run(tmp_path / "r")
    (tmp_path / "r" / "summary.json").write_text("{broken")
    (summary,) = list_runs(tmp_path)
    assert [e.epoch for e in summary.epoch_metrics] == [1, 2, 3]
    assert summary.metrics.steps == 12 and summary.metrics.last["step"] == 12
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["steps"] == 12


def test_a_huge_sparse_log_is_read_within_bounds(tmp_path):
    import tracemalloc

    from resnet_studio.train import summary as summary_module
    from resnet_studio.train.records import list_runs, read_metrics

    _recorded_run(tmp_path / "r")
    (tmp_path / "r" / "summary.json").unlink()
    log = tmp_path / "r" / "metrics.jsonl"
    with open(log, "r+b") as f:
        f.truncate(2 << 30)  # 2 GB, sparse: zeros after the records
    tracemalloc.start()
    (summary,) = list_runs(tmp_path)
    steps = read_metrics(log)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert summary.metrics.limited and [e.epoch for e in summary.epoch_metrics] == [1, 2, 3]
    assert len(steps) == 15
    assert peak < 8 * summary_module.MAX_LINE + 4 * (1 << 20)  # a few chunks, not the file


def test_a_broken_status_beside_intact_records_is_rebuilt_and_says_so(tmp_path):
    from resnet_studio.train.events import RunStatus
    from resnet_studio.train.records import list_runs

    _recorded_run(tmp_path / "r")
    (tmp_path / "r" / "status.json").write_text("{not json")
    (summary,) = list_runs(tmp_path)
    assert summary.status == RunStatus.FINISHED and summary.best_val_accuracy == 0.1 * 3
    assert "rebuilt from metrics.jsonl" in summary.reason
    assert "unreadable" not in summary.reason and "delete" not in summary.reason
    assert json.loads((tmp_path / "r" / "status.json").read_text())["status"] == "finished"


def test_a_paused_run_is_listed_as_paused(tmp_path):
    from resnet_studio.train.events import RunStatus
    from resnet_studio.train.records import list_runs

    rec = _recorded_run(tmp_path / "r", end=False)
    rec.on_pause(_Trainer(), True)
    assert list_runs(tmp_path)[0].status == RunStatus.PAUSED
    rec.on_pause(_Trainer(), False)
    assert list_runs(tmp_path)[0].status == RunStatus.RUNNING
    rec.release()  # its process is gone, as far as the folder can tell
    assert list_runs(tmp_path)[0].status == RunStatus.CRASHED


HOLD = """
import sys
from pathlib import Path
from resnet_studio.train.lock import RunLock
lock = RunLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
sys.stdin.read()
"""


def test_two_writers_of_one_run_folder_the_second_is_refused(tmp_path):
    import os
    import subprocess
    import sys

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(run_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        for args in (["--out", str(run_dir)], ["--resume", str(run_dir)]):
            second = subprocess.run(
                [sys.executable, "-m", "resnet_studio.cli", "train", *args, "--epochs", "1"],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            assert second.returncode == 2, second.stderr
            assert f"in use by process {holder.pid}" in second.stderr
            assert second.stderr.count("\n") == 1
        assert not (run_dir / "config.json").exists()
    finally:
        holder.stdin.close()
        holder.wait(30)
    # the OS let go of the lock with its process: the folder is free again
    from resnet_studio.train.lock import holder as held_by

    assert held_by(run_dir) is None


def test_output_paths_that_are_not_files_are_refused_naming_the_users_path(tmp_path, monkeypatch):
    import errno

    import pytest

    from resnet_studio import atomic

    for path, words in (
        ("/dev/full", "not a regular file"),
        (str(tmp_path), "is a folder"),
        (str(tmp_path / "no" / "x.csv"), "There is no folder"),
    ):
        with pytest.raises(OSError) as e:
            atomic.atomic_write_bytes(path, b"x")
        assert words in str(e.value) and path in str(e.value)

    def full(fd, *a):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    target = tmp_path / "metrics.csv"
    with pytest.raises(OSError) as e:
        atomic.atomic_write_bytes(target, b"x")
    assert str(target) in str(e.value) and "disk is full" in str(e.value)
    assert ".tmp" not in str(e.value) and e.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind

"""A run's typed details and config.json: run folders written in today's format, by older and
newer versions, open with their details typed; the file the recorder writes keeps its format."""

import copy
import json

import pytest

from resnet_studio import ArchSpec
from resnet_studio.train.config import TrainConfig
from resnet_studio.train.details import DatasetDetails, RunDetails, StartingWeights
from resnet_studio.train.events import RunInfo, RunStatus
from resnet_studio.train.manager import RunManager

# config.json as the recorder writes it today (a resnet20 for 8×8 digits, fine-tuned), by hand
TODAY = {
    "spec": {
        "block": "basic",
        "layers": [3, 3, 3],
        "widths": [16, 32, 64],
        "groups": 1,
        "width_per_group": 64,
        "stem": "cifar",
        "shortcut": "pad",
        "conv_bias": False,
        "in_channels": 1,
        "input_size": [8, 8],
        "num_classes": 10,
        "zero_init_residual": False,
        "replace_stride_with_dilation": [False, False],
        "stem_width": None,
        "attention": "none",
        "aa": "none",
        "drop_path_rate": 0.0,
        "drop_rate": 0.0,
        "preact": False,
        "stem_pool": "none",
        "drop_block_rate": 0.0,
    },
    "config": {
        "dataset": "digits",
        "data_dir": None,
        "epochs": 5,
        "batch_size": 64,
        "lr": 0.05,
        "optimizer": "sgd",
        "momentum": 0.9,
        "schedule": "cosine",
        "weight_decay": 0.0005,
        "label_smoothing": 0.0,
        "seed": 3,
        "device": "cpu",
        "amp": "auto",
        "channels_last": None,
        "augment": False,
        "val_fraction": 0.1,
        "pretrained": False,
        "weights": "/data/start.pt",
        "weights_sha256": "ab" * 32,
        "freeze": "none",
        "backbone_lr": 1.0,
        "threads": 2,
        "report_interval": 0.1,
        "synthetic_size": 1024,
        "download": True,
        "tensorboard": False,
    },
    "dataset": {
        "name": "digits",
        "train": 1437,
        "val": 360,
        "classes": 10,
        "notes": ["skipped 1 unreadable image"],
    },
    "device": "cpu (x86_64, 16 cores)",
    "params": 269722,
    "macs": 2564480,
    "steps_per_epoch": 23,
    "total_steps": 115,
    "versions": {"resnet_studio": "0.9.0", "torch": "2.5.1", "python": "3.11.7"},
}
STATUS = {"status": "finished", "step": 115, "epoch": 5, "epochs_done": 5}


def _folder(root, name, config):
    d = root / name
    d.mkdir(parents=True)
    (d / "config.json").write_text(json.dumps(config))
    (d / "status.json").write_text(json.dumps(STATUS))
    return d


def _open(root):
    manager = RunManager(root)
    manager.load(steps=False)
    return {r.id: r for r in manager.runs}


def test_a_run_folder_in_todays_format_opens_with_its_details_typed(tmp_path):
    _folder(tmp_path, "20260101-000000-resnet20-digits", TODAY)
    (run,) = _open(tmp_path).values()
    info = run.info
    assert run.status == RunStatus.FINISHED and info.problem == ""
    assert info.spec == ArchSpec(
        block="basic",
        layers=(3, 3, 3),
        widths=(16, 32, 64),
        stem="cifar",
        shortcut="pad",
        in_channels=1,
        input_size=(8, 8),
        num_classes=10,
        stem_pool="none",
    )
    assert run.spec is info.spec and run.config is info.config
    cfg = info.config
    assert (cfg.lr, cfg.batch_size, cfg.epochs, cfg.threads, cfg.device) == (0.05, 64, 5, 2, "cpu")
    assert info.seed == run.seed == 3 and info.batch_size == 64
    assert info.weights == StartingWeights("/data/start.pt", "ab" * 32)
    assert info.dataset == DatasetDetails("digits", 1437, 360, 10, ("skipped 1 unreadable image",))
    assert (info.device, info.params, info.macs) == ("cpu (x86_64, 16 cores)", 269722, 2564480)
    assert (info.steps_per_epoch, info.total_steps) == (23, 115)
    assert info.versions == {"resnet_studio": "0.9.0", "torch": "2.5.1", "python": "3.11.7"}
    # what the views make of it
    assert run.total_steps == 115 and run.notes == ["skipped 1 unreadable image"]
    assert run.label == "resnet20 · digits · lr 0.05"
    run.last_step = 50
    assert run.epoch_progress() == (3, 5)  # step 50 of 23 an epoch: the third of five


def test_config_json_keeps_its_format_read_and_written(tmp_path):
    """Read and written back, and as the recorder writes it, config.json is today's file: the
    same keys in the same order, the same values."""
    from resnet_studio.train.recorder import RunRecorder

    info = RunDetails.from_json(copy.deepcopy(TODAY))
    back = info.to_json()
    assert back == TODAY and list(back) == list(TODAY)
    assert list(back["dataset"]) == list(TODAY["dataset"])

    class Trainer:  # what the recorder reads of a trainer
        run_dir, model, best_val_accuracy = str(tmp_path), None, None

    rec = RunRecorder(tmp_path / "r", checkpoints=False)
    rec.on_run_start(Trainer(), RunInfo(info, 0, 0, str(tmp_path / "r")))
    rec.release()
    written = json.loads((tmp_path / "r" / "config.json").read_text())
    assert written == TODAY and list(written) == list(TODAY)


def _without(d, *path):
    d = copy.deepcopy(d)
    *parents, key = path
    inner = d
    for p in parents:
        inner = inner[p]
    del inner[key]
    return d


def test_older_and_newer_config_files_open_without_a_problem(tmp_path):
    # an older version: no MACs, steps per epoch, versions, class count or fine-tuning settings
    older = TODAY
    for path in (
        ("macs",),
        ("steps_per_epoch",),
        ("versions",),
        ("dataset", "classes"),
        ("config", "weights"),
        ("config", "weights_sha256"),
        ("config", "freeze"),
        ("config", "backbone_lr"),
    ):
        older = _without(older, *path)
    # a newer one: keys this version does not know, at every level
    newer = copy.deepcopy(TODAY)
    newer["carbon_grams"] = 12.5
    newer["dataset"]["licence"] = "CC-BY"
    newer["config"]["ema_decay"] = 0.999
    _folder(tmp_path, "older", older)
    _folder(tmp_path, "newer", newer)
    runs = _open(tmp_path)
    old, new = runs["older"].info, runs["newer"].info
    assert old.problem == new.problem == ""
    assert old.macs is None and old.steps_per_epoch is None and old.versions == {}
    assert old.dataset.classes is None and old.weights is None
    assert old.config == TrainConfig.from_dict({**older["config"]})
    assert old.params == 269722 and old.spec == new.spec
    runs["older"].last_step = 50  # without steps per epoch, the run counts as one epoch
    assert runs["older"].epoch_progress() == (1, 1)
    assert new == RunDetails.from_json(TODAY)  # what it adds is left alone
    assert runs["older"].base_label == runs["newer"].base_label == "resnet20 · digits · lr 0.05"


@pytest.mark.parametrize("missing", ["spec", "config", "dataset"])
def test_a_config_missing_a_part_gives_the_rest_and_says_what_it_lacks(tmp_path, missing):
    _folder(tmp_path, "r", _without(TODAY, missing))
    run = _open(tmp_path)["r"]
    info = run.info
    lacks = {
        "spec": "it holds no spec",
        "config": "it holds no training settings",
        "dataset": "it names no dataset",
    }[missing]
    assert info.problem == f"Its config.json could not be read whole: {lacks}; the rest is shown."
    assert (info.spec is None) == (missing == "spec")
    assert (info.config is None) == (missing == "config")
    assert (info.dataset.name == "") == (missing == "dataset")
    assert info.params == 269722 and run.status == RunStatus.FINISHED
    assert run.label  # named by what it has, or by its folder


def test_a_partly_damaged_config_keeps_its_problem_through_the_index(tmp_path):
    from resnet_studio.train.records import list_runs

    damaged = {**TODAY, "params": "many", "dataset": {**TODAY["dataset"], "val": -0.5}}
    _folder(tmp_path, "r", damaged)
    (first,) = list_runs(tmp_path)
    assert "params is not a whole number" in first.info.problem
    assert "the dataset's val is not a whole number" in first.info.problem
    assert (tmp_path / ".index.json").is_file()
    (tmp_path / "r" / "config.json").write_text("{broken")  # unread: the folder is unchanged
    (again,) = list_runs(tmp_path)  # so the index answers
    assert again.info == first.info and again.status == first.status


def test_a_runs_index_of_the_previous_version_is_read_again_from_the_folders(tmp_path):
    """The runs folder's .index.json of the version before (its summaries held the settings as
    dicts) is not trusted: each run is read again from its folder, and the index rewritten."""
    from resnet_studio.train.records import INDEX, INDEX_VERSION, list_runs

    d = _folder(tmp_path, "r", TODAY)
    old_summary = {  # version 1's RunSummary.to_dict(), for the same unchanged folder
        "name": "r",
        "status": "failed",
        "reason": "",
        "dataset": "mnist",
        "device": "cuda",
        "params": 1,
        "epochs_done": 1,
        "epochs": 9,
        "best_val_accuracy": None,
        "started": 0.0,
        "config": {"lr": 9.0},
        "metrics": None,
        "meta": {},
    }
    index = {"version": 1, "runs": {"r": {"mtime": d.stat().st_mtime_ns, "summary": old_summary}}}
    (tmp_path / INDEX).write_text(json.dumps(index))
    (run,) = _open(tmp_path).values()
    assert run.status == RunStatus.FINISHED and run.info == RunDetails.from_json(TODAY)
    assert run.label == "resnet20 · digits · lr 0.05"
    assert json.loads((tmp_path / INDEX).read_text())["version"] == INDEX_VERSION == 2
    (again,) = list_runs(tmp_path)  # now from the new index
    assert again.info == run.info


def test_runs_lists_old_new_and_partly_damaged_folders_without_a_traceback(tmp_path, capsys):
    from resnet_studio.cli import main

    _folder(tmp_path, "20260101-000000-today", TODAY)
    _folder(tmp_path, "20260102-000000-older", _without(TODAY, "versions"))
    _folder(tmp_path, "20260103-000000-nospec", _without(TODAY, "spec"))
    _folder(tmp_path, "20260104-000000-badconfig", {**TODAY, "config": {"lr": "fast"}})
    assert main(["runs", "--root", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    rows = out.splitlines()
    assert "Traceback" not in out + err and len(rows) == 4
    labels = {
        "today": "resnet20 · digits · lr 0.05 · #1",  # alike: told apart by their number
        "older": "resnet20 · digits · lr 0.05 · #2",
        "nospec": "digits · lr 0.05",  # named by what it has
        "badconfig": "resnet20 · digits",
    }
    for row, (name, label) in zip(rows, reversed(labels.items()), strict=True):  # newest first
        assert name in row and "finished" in row and row.endswith(label), row

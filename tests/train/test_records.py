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


def test_a_run_config_is_cleaned_to_data_the_views_can_trust():
    from resnet_studio.core import ArchSpec
    from resnet_studio.train.config import TrainConfig
    from resnet_studio.train.records import clean_run_config

    good_spec = ArchSpec.from_preset("resnet20").to_dict()
    cfg = {
        "spec": good_spec,
        "config": {"epochs": 3, "lr": 0.1},
        "dataset": {"name": "digits", "train": "many", "notes": ["ok", 5]},
        "device": "cpu",
        "params": "lots",
        "macs": True,
        "versions": {"torch": "2.5", "evil": {"x": 1}},
    }
    clean = clean_run_config(cfg)
    assert clean["spec"] == good_spec
    assert clean["config"] == TrainConfig(epochs=3, lr=0.1).to_dict()
    assert clean["dataset"] == {"name": "digits", "notes": ["ok"]}
    assert clean["device"] == "cpu" and "params" not in clean and "macs" not in clean
    assert clean["versions"] == {"torch": "2.5"}
    bad = clean_run_config({"spec": {"layers": "x"}, "config": {"lr": "fast"}})
    assert "spec" not in bad and "config" not in bad

"""The trainer on the bundled digits: learning, control from another thread, resume, failures."""

import json
import os
import threading
import time
from pathlib import Path

import pytest
import torch
import torchvision

from resnet_studio import ArchSpec
from resnet_studio.atomic import atomic_write_bytes
from resnet_studio.train import (
    Callback,
    RunRecorder,
    TrainConfig,
    Trainer,
    TrainError,
    list_runs,
    read_metrics,
)
from resnet_studio.train.records import export_csv, load_checkpoint

SMALL = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)


def config(**kw) -> TrainConfig:
    base = dict(epochs=2, batch_size=64, lr=0.05, device="cpu", threads=2, seed=0)
    return TrainConfig(**{**base, **kw})


class Collect(Callback):
    def __init__(self):
        self.steps, self.epochs, self.notes, self.end, self.pauses = [], [], [], None, []

    def on_steps(self, trainer, steps):
        self.steps += steps

    def on_epoch_end(self, trainer, m):
        self.epochs.append(m)

    def on_pause(self, trainer, paused):
        self.pauses.append(paused)

    def on_note(self, trainer, text):
        self.notes.append(text)

    def on_run_end(self, trainer, end):
        self.end = end


def test_digits_learn_within_a_few_epochs(tmp_path):
    c = Collect()
    end = Trainer(SMALL, config(epochs=4), [c, RunRecorder(tmp_path)], run_dir=str(tmp_path)).run()
    assert end.status == "finished", end.reason
    first, last = c.epochs[0], c.epochs[-1]
    assert last.train_loss < first.train_loss * 0.7
    assert last.val_accuracy > max(0.8, first.val_accuracy)
    # every step is reported once, in order, and the log holds exactly what was reported
    assert [s.step for s in c.steps] == list(range(1, end.step + 1))
    logged = read_metrics(tmp_path / "metrics.jsonl")
    assert [r["loss"] for r in logged if r["kind"] == "step"] == [s.loss for s in c.steps]
    assert (tmp_path / "last.pt").exists() and (tmp_path / "best.pt").exists()
    cfg = json.loads((tmp_path / "config.json").read_text())
    assert cfg["spec"] == SMALL.to_dict() and cfg["config"]["epochs"] == 4
    assert {"torch", "torchvision", "resnet_studio"} <= set(cfg["versions"])
    run = next(r for r in list_runs(tmp_path.parent) if r.dir == tmp_path)
    assert (run.status, run.epochs_done) == ("finished", 4)
    assert run.best_val_accuracy == max(e.val_accuracy for e in c.epochs)


def test_pause_resume_and_stop_from_another_thread(tmp_path):
    c = Collect()
    trainer = Trainer(
        SMALL,
        config(epochs=50, report_interval=0.0),
        [c, RunRecorder(tmp_path)],
        run_dir=str(tmp_path),
    )
    thread = threading.Thread(target=trainer.run)
    thread.start()
    deadline = time.monotonic() + 60
    while len(c.steps) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    trainer.pause()
    while c.pauses != [True] and time.monotonic() < deadline:
        time.sleep(0.01)
    held = len(c.steps)
    time.sleep(0.5)
    assert trainer.paused and len(c.steps) == held  # nothing moves while paused
    trainer.resume()
    while len(c.steps) < held + 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert c.pauses == [True, False]
    trainer.stop()
    thread.join(30)
    assert not thread.is_alive()
    assert c.end.status == "stopped" and "step" in c.end.reason
    state = load_checkpoint(tmp_path / "last.pt")
    assert state["step"] == c.end.step == c.steps[-1].step
    assert json.loads((tmp_path / "status.json").read_text())["status"] == "stopped"


class StopAt(Callback):
    def __init__(self, step):
        self.at = step

    def on_steps(self, trainer, steps):
        if steps[-1].step >= self.at:
            trainer.stop()


def test_resume_continues_the_same_curve(tmp_path):
    whole = Collect()
    Trainer(SMALL, config(epochs=2, report_interval=0.0), [whole]).run()
    part = tmp_path / "run"
    first = Collect()
    end = Trainer(
        SMALL,
        config(epochs=2, report_interval=0.0),
        [first, StopAt(33), RunRecorder(part)],
        run_dir=str(part),
    ).run()
    assert end.status == "stopped" and end.step == 33  # mid-way through the second epoch
    second = Collect()
    resumed = Trainer.from_run_dir(part, [second, RunRecorder(part)])
    assert resumed.run().status == "finished"
    assert second.steps[0].step == 34
    logged = [r for r in read_metrics(part / "metrics.jsonl") if r["kind"] == "step"]
    assert [r["step"] for r in logged] == [s.step for s in whole.steps]
    assert [r["loss"] for r in logged] == pytest.approx(
        [s.loss for s in whole.steps], rel=1e-5, abs=1e-6
    )
    assert json.loads((part / "status.json").read_text())["status"] == "finished"


def test_resume_drops_records_past_the_checkpoint(tmp_path):
    """A crash after the last checkpoint leaves extra steps in the log; resume removes them."""
    Trainer(SMALL, config(epochs=1), [RunRecorder(tmp_path)], run_dir=str(tmp_path)).run()
    steps = load_checkpoint(tmp_path / "last.pt")["step"]
    with open(tmp_path / "metrics.jsonl", "a") as f:
        f.write(json.dumps({"kind": "step", "step": steps + 1, "loss": 9.9}) + "\n")
        f.write('{"kind": "step", "step": ')  # cut off by the crash
    c = Collect()
    state = load_checkpoint(tmp_path / "last.pt")
    state["config"]["epochs"] = 2
    trainer = Trainer(
        SMALL,
        TrainConfig.from_dict(state["config"]),
        [c, RunRecorder(tmp_path)],
        resume_state=state,
        run_dir=str(tmp_path),
    )
    trainer.run()
    logged = [r["step"] for r in read_metrics(tmp_path / "metrics.jsonl") if r["kind"] == "step"]
    assert logged == list(range(1, trainer.step + 1))


def test_nan_loss_stops_with_the_step():
    c = Collect()
    end = Trainer(SMALL, config(lr=1e12, epochs=3), [c]).run()
    assert end.status == "failed"
    assert "step" in end.reason and "learning rate" in end.reason
    assert end.reason.count(".") <= 2 and "\n" not in end.reason


def test_out_of_memory_names_the_batch_size_and_later_runs_go_on(monkeypatch):
    import resnet_studio.train.setup as setup

    real = setup.build_seeded

    def oom_model(spec, seed):
        model = real(spec, seed)
        model.forward = lambda x: (_ for _ in ()).throw(torch.OutOfMemoryError("CUDA OOM"))
        return model

    monkeypatch.setattr(setup, "build_seeded", oom_model)
    end = Trainer(SMALL, config(batch_size=256)).run()
    assert end.status == "failed" and "batch size 256" in end.reason and "128" in end.reason
    monkeypatch.setattr(setup, "build_seeded", real)
    assert Trainer(SMALL, config(epochs=1)).run().status == "finished"


def test_spec_and_data_that_do_not_fit_fail_with_a_sentence():
    end = Trainer(SMALL.replace(num_classes=5), config()).run()
    assert end.status == "failed" and "10 classes" in end.reason
    tiny = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=4)
    end = Trainer(tiny, config(batch_size=1)).run()
    assert end.status == "failed" and "batch size of 2" in end.reason


def test_bad_settings_are_sentences():
    for kw in (
        dict(epochs=0),
        dict(batch_size=-1),
        dict(optimizer="adam"),
        dict(lr=0),
        dict(schedule="cosin"),
    ):
        with pytest.raises(TrainError):
            TrainConfig(**kw)
    end = Trainer(SMALL, config(device="cuda:3")).run()
    assert end.status == "failed" and "cuda:3" in end.reason


@pytest.mark.parametrize(
    "optimizer,schedule", [("adamw", "onecycle"), ("sgd", "step"), ("sgd", "constant")]
)
def test_optimizers_and_schedules_run(optimizer, schedule):
    c = Collect()
    end = Trainer(
        SMALL,
        config(
            epochs=1,
            optimizer=optimizer,
            schedule=schedule,
            lr=0.01 if optimizer == "adamw" else 0.05,
            label_smoothing=0.1,
            augment=True,
        ),
        [c],
    ).run()
    assert end.status == "finished"
    lrs = [s.lr for s in c.steps]
    assert (len(set(lrs)) == 1) == (schedule == "constant")


def test_interrupted_checkpoint_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "last.pt"
    atomic_write_bytes(path, b"old checkpoint")

    def crash(fd):
        raise OSError("disk vanished")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        atomic_write_bytes(path, b"new checkpoint that never lands")
    assert path.read_bytes() == b"old checkpoint"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt"]  # no temp file left


def test_damaged_checkpoint_is_a_sentence(tmp_path):
    (tmp_path / "last.pt").write_bytes(b"\x80\x02garbage")
    with pytest.raises(TrainError, match="damaged"):
        Trainer.from_run_dir(tmp_path)
    with pytest.raises(TrainError, match="no checkpoint"):
        Trainer.from_run_dir(tmp_path / "missing")


def test_metrics_export_as_csv_and_tensorboard(tmp_path):
    from resnet_studio.train.observers import TensorBoard

    Trainer(
        SMALL,
        config(epochs=1),
        [RunRecorder(tmp_path), TensorBoard(tmp_path)],
        run_dir=str(tmp_path),
    ).run()
    out = export_csv(tmp_path)
    lines = out.read_text().splitlines()
    assert lines[0].startswith("kind,step,epoch,loss")
    assert len(lines) == 1 + len(read_metrics(tmp_path / "metrics.jsonl"))
    assert any(
        p.name.startswith("events.out.tfevents") for p in (tmp_path / "tensorboard").iterdir()
    )


def test_crashed_runs_are_listed_as_crashed(tmp_path):
    run = tmp_path / "r"
    Trainer(SMALL, config(epochs=1), [RunRecorder(run)], run_dir=str(run)).run()
    status = json.loads((run / "status.json").read_text())
    status.update(status="running", pid=2**22 + 12345)  # a process that no longer exists
    (run / "status.json").write_text(json.dumps(status))
    assert list_runs(tmp_path)[0].status == "crashed"


def test_pretrained_offline_is_one_sentence(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    spec = ArchSpec.from_preset("resnet18", in_channels=1, input_size=32, num_classes=10)
    end = Trainer(spec, config(epochs=1, pretrained=True)).run()
    assert end.status == "failed"
    assert "resnet18-f37072fd.pth" in end.reason and "checkpoints" in end.reason


def test_pretrained_weights_are_verified_and_only_for_torchvision_presets(monkeypatch, tmp_path):
    """--pretrained reads torchvision's file through the verified catalogue: a file under
    resnet18's name whose SHA-256 does not start f37072fd is refused (tests/weights holds the
    loading itself: strict, a fresh classifier, conv1 summed for gray input)."""
    import torchvision

    from resnet_studio import build_model
    from resnet_studio.train.setup import load_pretrained

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    (tmp_path / "hub" / "checkpoints").mkdir(parents=True)
    fake = tmp_path / "hub" / "checkpoints" / "resnet18-f37072fd.pth"
    torch.save(torchvision.models.resnet18().state_dict(), fake)
    spec = ArchSpec.from_preset("resnet18", num_classes=10)
    with pytest.raises(TrainError, match="f37072fd"):
        load_pretrained(build_model(spec), spec)
    assert fake.exists()
    custom = ArchSpec.from_preset("resnet18", layers=(1, 1, 1, 1))
    with pytest.raises(TrainError, match="torchvision's presets"):
        load_pretrained(build_model(custom), custom)


def test_a_download_note_comes_before_the_run_starts(tmp_path, monkeypatch):
    from tests.datafiles import write_mnist

    monkeypatch.setattr(
        torchvision.datasets.MNIST, "download", lambda self: write_mnist(Path(self.root), "MNIST")
    )
    order = []

    class Order(Callback):
        def on_run_start(self, trainer, info):
            order.append("start")

        def on_note(self, trainer, text):
            order.append(text)

    cfg = config(dataset="mnist", data_dir=str(tmp_path), epochs=1)
    end = Trainer(SMALL, cfg, [Order()]).run()  # 50 generated images, resized to 8×8
    assert end.status == "finished", end.reason
    assert order[0].startswith("Downloading the mnist dataset") and order[1] == "start"


def _disk_full_after(monkeypatch, writes: int) -> list[str]:
    """The records' atomic writes fail as on a full disk once ``writes`` of them have landed."""
    import errno

    import resnet_studio.atomic as atomic

    real, landed = atomic.atomic_write_bytes, []

    def write(path, data):
        if len(landed) >= writes:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        landed.append(str(path))
        real(path, data)

    monkeypatch.setattr(atomic, "atomic_write_bytes", write)
    monkeypatch.setattr("resnet_studio.train.records.atomic_write_bytes", write)
    return landed


def test_a_full_disk_fails_the_run_with_a_sentence(tmp_path, monkeypatch):
    _disk_full_after(monkeypatch, writes=2)  # config.json and status.json, then nothing
    c = Collect()
    end = Trainer(SMALL, config(epochs=2), [RunRecorder(tmp_path), c], run_dir=str(tmp_path)).run()
    assert end.status == "failed" and c.end == end  # every callback heard the same end
    assert "disk is full" in end.reason and "last.pt" in end.reason and "\n" not in end.reason
    assert not (tmp_path / "last.pt").exists()
    # nothing to resume from: the sentence does not advise it
    assert "resume" not in end.reason and "start the run again" in end.reason
    assert read_metrics(tmp_path / "metrics.jsonl")  # the log has what was trained


def test_a_stop_whose_checkpoint_cannot_be_written_says_so(tmp_path, monkeypatch):
    c = Collect()
    trainer = Trainer(SMALL, config(epochs=50), [RunRecorder(tmp_path), c], run_dir=str(tmp_path))

    class StopAfterAnEpoch(Callback):
        def on_epoch_end(self, trainer, m):
            _disk_full_after(monkeypatch, writes=0)
            trainer.stop()

    trainer.callbacks.append(StopAfterAnEpoch())
    end = trainer.run()
    assert end.status == "failed" and c.end == end
    assert end.reason.startswith("The run stopped, but could not write") and "full" in end.reason
    assert (tmp_path / "last.pt").exists()  # the first epoch's checkpoint is still there
    assert "resume the run" in end.reason  # from that checkpoint

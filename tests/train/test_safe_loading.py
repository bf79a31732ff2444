"""Others' run folders never run code: checkpoints are read with weights_only, and every
checkpoint the trainer writes (each optimizer, schedule and the AMP scaler) reads back that way."""

import contextlib
import io
import pathlib
import pickle

import numpy as np
import pytest
import torch

from resnet_studio import ArchSpec
from resnet_studio.cli import main
from resnet_studio.train import Callback, RunRecorder, TrainConfig, Trainer, TrainError
from resnet_studio.train.config import OPTIMIZERS, SCHEDULES
from resnet_studio.train.records import load_checkpoint, save_checkpoint

SMALL = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)


def config(**kw) -> TrainConfig:
    base = dict(epochs=2, batch_size=64, lr=0.05, device="cpu", threads=2, seed=0)
    return TrainConfig(**{**base, **kw})


class Touch:
    """Unpickling this creates ``target``: what a hostile checkpoint would do."""

    def __init__(self, target: pathlib.Path) -> None:
        self.target = target

    def __reduce__(self):
        return (pathlib.Path.touch, (self.target,))


class Shell:
    def __init__(self, target: pathlib.Path) -> None:
        self.target = target

    def __reduce__(self):
        import os

        return (os.system, (f"touch '{self.target}'",))


def hostile(kind: str, payload: type, target: pathlib.Path) -> bytes:
    """A checkpoint-looking file whose unpickling would create ``target``."""
    state = {"spec": SMALL.to_dict(), "config": config().to_dict(), "model": payload(target)}
    buf = io.BytesIO()
    if kind == "torch.save":
        torch.save(state, buf)
    else:
        pickle.dump(state, buf)
    return buf.getvalue()


@pytest.mark.parametrize("payload", [Touch, Shell])
@pytest.mark.parametrize("kind", ["torch.save", "pickle"])
def test_a_hostile_checkpoint_is_refused_and_its_code_never_runs(tmp_path, capsys, kind, payload):
    run = tmp_path / "someone-elses-run"
    run.mkdir()
    canary = tmp_path / "created-by-the-checkpoint"
    (run / "last.pt").write_bytes(hostile(kind, payload, canary))

    with pytest.raises(TrainError) as err:
        Trainer.from_run_dir(run)
    assert "\n" not in str(err.value) and str(err.value).endswith(".")
    assert str(run / "last.pt") in str(err.value)
    assert not canary.exists()

    # the command line says the same sentence and exits 2, with no traceback
    assert main(["train", "--resume", str(run)]) == 2
    stderr = capsys.readouterr().err
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert not canary.exists()

    # the file is live: loading it the old way runs its code (a bare pickle then fails, too late)
    with contextlib.suppress(RuntimeError):
        torch.load(run / "last.pt", weights_only=False)
    assert canary.exists()


def test_objects_in_a_zip_checkpoint_are_named(tmp_path):
    (tmp_path / "last.pt").write_bytes(hostile("torch.save", Shell, tmp_path / "x"))
    with pytest.raises(TrainError, match=r"holds Python objects \(.*system\).*could run code"):
        load_checkpoint(tmp_path / "last.pt")


def test_foreign_and_damaged_checkpoints_are_sentences(tmp_path):
    def refused(data: object, match: str) -> None:
        path = tmp_path / "last.pt"
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            torch.save(data, path)
        with pytest.raises(TrainError, match=match) as err:
            Trainer.from_run_dir(tmp_path)
        assert "\n" not in str(err.value)

    refused(b"", "cannot be read")
    refused(b"PK\x03\x04 cut short", "damaged")
    refused([1, 2, 3], "holds a list")
    refused({"conv1.weight": torch.zeros(2)}, "weights only.*export")
    refused({"spec": SMALL.to_dict(), "epoch": 1}, "config, model, optimizer.* missing")
    # numpy values (as an older checkpoint might hold) are objects, not plain data
    refused({"spec": SMALL.to_dict(), "epoch": np.int64(1)}, "holds Python objects.*numpy")
    # a checkpoint whose parts are of the wrong kind
    good = _one_epoch_checkpoint(tmp_path / "good")
    refused({**good, "epoch": "one"}, "epoch is missing or of the wrong kind")
    refused({**good, "spec": {**good["spec"], "layers": "many"}}, "architecture or settings")


def _one_epoch_checkpoint(run) -> dict:
    cfg = config(epochs=1, synthetic_size=64, dataset="synthetic")
    Trainer(SMALL, cfg, [RunRecorder(run)], run_dir=str(run)).run()
    return load_checkpoint(run / "last.pt")


def test_a_checkpoint_that_does_not_fit_its_spec_fails_with_a_sentence(tmp_path):
    run = tmp_path / "run"
    state = _one_epoch_checkpoint(run)
    del state["model"]["fc.bias"]
    state["model"]["fc.weight"] = torch.zeros(3, 3)
    save_checkpoint(run / "last.pt", state)
    end = Trainer.from_run_dir(run).run()
    assert end.status == "failed"
    assert "fc.bias" in end.reason and "fc.weight is [3, 3]" in end.reason
    assert "\n" not in end.reason

    state = _one_epoch_checkpoint(tmp_path / "run2")
    state["optimizer"]["param_groups"] = state["optimizer"]["param_groups"][:1]
    save_checkpoint(tmp_path / "run2" / "last.pt", state)
    end = Trainer.from_run_dir(tmp_path / "run2").run()
    assert end.status == "failed" and "optimizer state" in end.reason


class StopAfterFirstEpoch(Callback):
    def on_epoch_end(self, trainer, m):
        trainer.stop()


@pytest.mark.parametrize("schedule", SCHEDULES)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_and_schedule_resumes_from_a_weights_only_checkpoint(
    tmp_path, optimizer, schedule
):
    cfg = config(
        optimizer=optimizer,
        schedule=schedule,
        dataset="synthetic",
        synthetic_size=128,
        batch_size=32,
        report_interval=0.0,
    )
    callbacks = [StopAfterFirstEpoch(), RunRecorder(tmp_path)]
    first = Trainer(SMALL, cfg, callbacks, run_dir=str(tmp_path))
    assert first.run().status == "stopped"
    state = torch.load(tmp_path / "last.pt", weights_only=True)  # plain torch, no help from us
    assert state["step"] == first.step > 0
    resumed = Trainer.from_run_dir(tmp_path, [RunRecorder(tmp_path)])
    end = resumed.run()
    assert end.status == "finished", end.reason
    assert end.step == 2 * first.step
    # the schedule continued where it stopped rather than starting over
    assert resumed.scheduler.last_epoch == end.step


def test_the_amp_scaler_state_reads_back_weights_only(tmp_path):
    """fp16 runs on CUDA keep a GradScaler; its state is plain numbers on every device."""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = torch.nn.Linear(4, 2).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler(device, init_scale=1024.0)
    for _ in range(3):
        opt.zero_grad()
        scaler.scale(model(torch.randn(8, 4, device=device)).sum()).backward()
        scaler.step(opt)
        scaler.update()
    save_checkpoint(tmp_path / "last.pt", {"scaler": scaler.state_dict()})
    loaded = load_checkpoint(tmp_path / "last.pt")["scaler"]
    again = torch.amp.GradScaler(device)
    again.load_state_dict(loaded)
    assert again.get_scale() == scaler.get_scale() and loaded["_growth_tracker"] == 3


def test_a_checkpoint_of_anything_but_plain_data_is_not_written(tmp_path):
    with pytest.raises(TypeError, match="plain data"):
        save_checkpoint(tmp_path / "last.pt", {"best": np.float64(0.5)})
    assert not (tmp_path / "last.pt").exists()

"""A trained run opened for inspection: the accuracy it recorded, the same validation images,
and nothing of the run changed by looking."""

import hashlib
import json

import numpy as np
import pytest
import torch
from PIL import Image

from resnet_studio.inspect.confusion import evaluate
from resnet_studio.inspect.features import feature_maps, layer_names
from resnet_studio.inspect.gradcam import grad_cam
from resnet_studio.inspect.predict import predict
from resnet_studio.inspect.run_model import (
    CIFAR100,
    class_names,
    load_run,
    load_validation,
)
from resnet_studio.train import TrainError
from resnet_studio.train.data import load_dataset


def _recorded(run_dir, checkpoint):
    """The validation accuracy metrics.jsonl holds for the epoch the checkpoint was saved at,
    read here from the files themselves."""
    step = torch.load(run_dir / f"{checkpoint}.pt", weights_only=True)["step"]
    epochs = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    found = [r["val_accuracy"] for r in epochs if r.get("kind") == "epoch" and r["step"] == step]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("checkpoint", ["best", "last"])
def test_the_accuracy_is_the_one_the_run_recorded(digits_run, checkpoint):
    run = load_run(digits_run, checkpoint)
    val = load_validation(run)
    ev = evaluate(run.model, val, run.config.batch_size * 2)
    assert ev.accuracy == _recorded(digits_run, checkpoint)
    assert run.recorded_accuracy == ev.accuracy
    assert len(ev) == 180  # 10% of the 1,797 digits, as training split them
    assert int(np.trace(ev.confusion())) == int(round(ev.accuracy * len(ev)))
    # the batch size does not change what is predicted
    assert np.array_equal(evaluate(run.model, val, 7).predicted, ev.predicted)


def _hashes(folder):
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def test_inspecting_changes_no_file_no_weight_and_no_batchnorm_statistic(digits_run):
    files = _hashes(digits_run)
    run = load_run(digits_run, "best")
    before = {k: v.clone() for k, v in run.model.state_dict().items()}
    assert any("running_mean" in k for k in before)
    val = load_validation(run)
    evaluate(run.model, val, 64)
    x = val.inputs([3])
    predict(run.model, x, val.classes)
    feature_maps(run.model, x, layer_names(run.spec))
    for layer in layer_names(run.spec):
        for target in (None, 0, 9):
            grad_cam(run.model, run.spec, x, layer, target)
    after = run.model.state_dict()
    assert before.keys() == after.keys()
    for k, v in before.items():
        assert torch.equal(v, after[k]), k
    assert not run.model.training
    assert all(p.grad is None for p in run.model.parameters())
    assert not any(m._forward_hooks for m in run.model.modules())  # hooks are removed
    assert _hashes(digits_run) == files
    # a second load of the files gives the same weights: nothing was written back
    again = load_run(digits_run, "best").model.state_dict()
    assert all(torch.equal(v, again[k]) for k, v in before.items())


def test_the_validation_set_is_the_one_training_used(digits_run):
    run = load_run(digits_run, "last")
    val = load_validation(run)
    data = load_dataset(run.config, run.spec)
    assert np.array_equal(val.labels, data.val.y.numpy())
    batches = list(data.batches("val", 64))
    assert torch.equal(val.inputs(range(64)), batches[0][0])
    assert val.classes == [str(i) for i in range(10)]


def test_an_image_file_is_prepared_as_training_prepared_its_images(digits_run, tmp_path):
    """A validation digit written as a PNG comes back as the same model input (up to the PNG's
    8-bit steps): same channels, same normalisation, same resizing."""
    from sklearn.datasets import load_digits

    run = load_run(digits_run, "best")
    val = load_validation(run)
    raw = load_digits().images / 16.0
    g = torch.Generator().manual_seed(run.config.seed)
    first_val = int(torch.randperm(len(raw), generator=g)[0])
    path = tmp_path / "digit.png"
    Image.fromarray(np.round(raw[first_val] * 255).astype(np.uint8), "L").save(path)
    x = val.from_file(path)
    assert x.shape == (1, 1, 8, 8)
    assert torch.allclose(x, val.inputs([0]), atol=0.01)
    # exactly: the mean and deviation are those data.py normalised by
    mean, std = val.training_stats()
    exact = (torch.tensor(raw[first_val], dtype=torch.float32) - mean[0, 0]) / std[0, 0]
    assert torch.allclose(exact[None, None], val.inputs([0]), atol=1e-6)
    # a large RGB photo is made grey and small, as the dataset's images were
    Image.new("RGB", (300, 200), (200, 30, 30)).save(tmp_path / "big.jpg")
    assert val.from_file(tmp_path / "big.jpg").shape == (1, 1, 8, 8)


def test_what_cannot_be_inspected_is_one_sentence(digits_run, tmp_path):
    with pytest.raises(TrainError, match="no best.pt.*last checkpoint is there"):
        (tmp_path / "r").mkdir()
        (tmp_path / "r" / "last.pt").write_bytes((digits_run / "last.pt").read_bytes())
        load_run(tmp_path / "r", "best")
    with pytest.raises(TrainError, match="empty is not a run folder"):
        (tmp_path / "empty").mkdir()
        load_run(tmp_path / "empty", "last")
    with pytest.raises(TrainError, match="has not finished an epoch"):
        (tmp_path / "young").mkdir()
        (tmp_path / "young" / "config.json").write_text("{}")
        load_run(tmp_path / "young", "last")
    with pytest.raises(TrainError, match="no run folder"):
        load_run(tmp_path / "missing")
    with pytest.raises(TrainError, match="'best' or 'last'"):
        load_run(digits_run, "middle")
    torch.save({"w": torch.zeros(1)}, tmp_path / "r" / "best.pt")
    with pytest.raises(TrainError, match="not a ResNet Studio checkpoint"):
        load_run(tmp_path / "r", "best")
    (tmp_path / "r" / "best.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(TrainError, match="cannot be read"):
        load_run(tmp_path / "r", "best")
    val = load_validation(load_run(digits_run))
    (tmp_path / "not.png").write_text("text")
    with pytest.raises(TrainError, match="cannot be read as an image"):
        val.from_file(tmp_path / "not.png")
    with pytest.raises(TrainError, match="no image 180"):
        val.inputs([180])


def test_class_names_come_from_the_dataset():
    assert class_names("cifar10", 10)[:2] == ["airplane", "automobile"]
    assert len(CIFAR100) == 100 and class_names("cifar100", 100)[99] == "worm"
    assert class_names("fashion_mnist", 10)[9] == "Ankle boot"
    assert class_names("imagefolder", 3, ["cat", "dog"]) == ["cat", "dog", "class 2"]
    assert class_names("synthetic", 2) == ["class 0", "class 1"]


def test_an_image_folder_run_uses_its_own_validation_transform(tmp_path):
    """A run on a user's image folder: class names from its sub-folders, the validation images
    through the folder's own transform, a file through the same transform."""
    from resnet_studio import ArchSpec
    from resnet_studio.core.builder import build_model
    from resnet_studio.train import TrainConfig
    from resnet_studio.train.records import save_checkpoint

    rng = np.random.default_rng(0)
    for name in ("cat", "dog"):
        (tmp_path / "data" / name).mkdir(parents=True)
        for i in range(6):
            pixels = rng.integers(0, 256, (12, 10, 3)).astype(np.uint8)
            Image.fromarray(pixels).save(tmp_path / "data" / name / f"{i}.png")
    spec = ArchSpec.from_preset("resnet20", layers=(1, 1), input_size=16, num_classes=2)
    config = TrainConfig(dataset="imagefolder", data_dir=str(tmp_path / "data"), val_fraction=0.5)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    state = {"spec": spec.to_dict(), "config": config.to_dict(), "step": 1, "epoch": 1}
    save_checkpoint(run_dir / "last.pt", {**state, "model": build_model(spec).state_dict()})
    run = load_run(run_dir, "last")
    val = load_validation(run)
    assert val.classes == ["cat", "dog"] and len(val) == 6
    ev = evaluate(run.model, val, 4)
    x = val.inputs(range(6))
    assert x.shape == (6, 3, 16, 16)
    with torch.no_grad():
        assert np.array_equal(run.model(x).argmax(1).numpy(), ev.predicted)
    assert np.array_equal(ev.labels, val.labels)
    first = val.folder.val.dataset.samples[val.folder.val.indices[0]][0]
    assert torch.allclose(val.from_file(first), x[:1])

"""Fine-tuning from a weights file on a two-class folder: the head is replaced to fit the
folder, frozen parts stay bit-equal (weights, BN running statistics, num_batches_tracked),
the backbone can learn more slowly, and config.json records where the weights came from."""

import json

import pytest
import torch

from resnet_studio import ArchSpec
from resnet_studio.cli import main
from resnet_studio.core.builder import build_model
from resnet_studio.train import RunRecorder, TrainConfig, Trainer, TrainError
from resnet_studio.train.finetune import param_groups, parse_freeze

from .helpers import save_hash_named, sha256, two_class_folder

SPEC = ArchSpec.from_preset("resnet18", input_size=32)


@pytest.fixture(scope="module")
def start(tmp_path_factory):
    root = tmp_path_factory.mktemp("ft")
    torch.manual_seed(1)
    state = build_model(ArchSpec.from_preset("resnet18")).state_dict()
    return save_hash_named(state, root / "weights", "resnet18"), two_class_folder(root / "folder")


def _train(start, run_dir, freeze, **kw):
    path, folder = start
    cfg = TrainConfig(
        dataset="imagefolder",
        data_dir=str(folder),
        epochs=1,
        batch_size=8,
        lr=0.1,
        device="cpu",
        threads=2,
        weights=str(path),
        freeze=freeze,
        **kw,
    )
    t = Trainer(SPEC, cfg, [RunRecorder(run_dir)], run_dir=str(run_dir))
    end = t.run()
    assert end.status.value == "finished", end.reason
    return t


@pytest.fixture(scope="module")
def stages1(start, tmp_path_factory):
    """One run fine-tuning the last stage and the classifier, shared by the tests that read it."""
    run_dir = tmp_path_factory.mktemp("stages1")
    return _train(start, run_dir, "stages:1"), run_dir


def _changed(before, after, prefix):
    return [k for k in after if k.startswith(prefix) and not torch.equal(before[k], after[k])]


@pytest.mark.parametrize(
    ("freeze", "frozen", "trained"),
    [
        ("stages:1", ("conv1", "bn1", "layer1", "layer2", "layer3"), ("layer4",)),
        ("backbone", ("conv1", "bn1", "layer1", "layer4"), ()),
    ],
)
def test_frozen_parts_stay_bit_equal_and_the_head_fits_the_folder(
    start, stages1, tmp_path, freeze, frozen, trained
):
    if freeze == "stages:1":
        t, tmp_path = stages1
    else:
        t = _train(start, tmp_path, freeze)
    loaded = torch.load(start[0], weights_only=True)
    after = {k: v.cpu() for k, v in t.model.state_dict().items()}
    assert after["fc.weight"].shape == (2, 512) and t.spec.num_classes == 2
    for prefix in frozen:
        assert _changed(loaded, after, prefix + ".") == [], prefix
    assert any(k.endswith("num_batches_tracked") for k in after if k.startswith("layer1."))
    for prefix in trained:  # weights and running statistics both moved
        moved = _changed(loaded, after, prefix + ".")
        assert any("running_mean" in k for k in moved) and any("conv" in k for k in moved)
    cfg = json.loads((tmp_path / "config.json").read_text())
    config = cfg.get("config", cfg)
    assert config["weights"] == str(start[0]) and config["weights_sha256"] == sha256(start[0])
    assert config["freeze"] == freeze


def test_grad_cam_before_and_after_fine_tuning_for_the_same_image(start, stages1, capsys):
    tmp_path = stages1[1]
    image = next((start[1] / "red").iterdir())
    code = main(["inspect", str(tmp_path), "--image", str(image), "--before", "--json"])
    assert code == 0, capsys.readouterr().err
    doc = json.loads(capsys.readouterr().out)
    assert doc["start_weights"] == str(start[0])
    assert doc["classes"] == ["blue", "red"] and {n for n, _ in doc["top"]} == {"blue", "red"}
    before = doc["before"]
    assert before["layer"] == doc["layer"] and len(before["cam"]) == len(doc["cam"])
    assert (
        before["top"][0][0]
        in __import__("resnet_studio.weights.catalogue", fromlist=["x"]).imagenet_classes()
    )
    assert before["cam"] != doc["cam"]


def test_the_backbone_can_learn_more_slowly_than_the_head():
    model = build_model(SPEC)
    groups = param_groups(model, 5e-4, 0.1, 0.1)
    lr_of = {id(p): g["lr"] for g in groups for p in g["params"]}
    assert lr_of[id(model.fc.weight)] == lr_of[id(model.fc.bias)] == 0.1
    assert lr_of[id(model.conv1.weight)] == lr_of[id(model.layer4[1].bn2.bias)] == 0.1 * 0.1
    assert len(lr_of) == len(list(model.parameters()))


def test_freeze_choices_that_do_not_fit_are_sentences(start, tmp_path, capsys):
    with pytest.raises(TrainError, match="from 0 to 4"):
        parse_freeze("stages:7", 4)
    with pytest.raises(TrainError, match="backbone, stages:N or none"):
        TrainConfig(weights="x", freeze="layers")
    with pytest.raises(TrainError, match="give the weights"):
        TrainConfig(freeze="backbone")
    code = main(
        [
            "train",
            "--preset",
            "resnet18",
            "--input-size",
            "32",
            "--dataset",
            "imagefolder",
            "--data-dir",
            str(start[1]),
            "--weights",
            "resnet18.tv_in1k",
            "--freeze",
            "backbone",
            "--out",
            str(tmp_path / "run"),
            "--device",
            "cpu",
        ]
    )
    err = capsys.readouterr().err
    assert (
        code != 0 and "resnet18-f37072fd.pth" in err and "\n" == err[-1] and "Traceback" not in err
    )

"""``resnet-studio inspect``: the JSON document and the text, on the trained digits run and on a
3-channel run whose checkpoint is written by hand."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from resnet_studio import ArchSpec
from resnet_studio.cli import main
from resnet_studio.core.builder import build_model
from resnet_studio.desktop import resources
from resnet_studio.train import TrainConfig
from resnet_studio.train.records import save_checkpoint

SAMPLE = str(Path(str(resources())) / "samples" / "digit-3.png")


def _json(capsys, *args):
    assert main(["inspect", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_matrix_the_figures_and_the_recorded_accuracy(digits_run, capsys):
    doc = _json(capsys, digits_run)
    assert doc["checkpoint"] == "best" and doc["classes"] == [str(i) for i in range(10)]
    assert doc["accuracy"] == doc["recorded_accuracy"]
    m = np.array(doc["confusion"])
    assert m.shape == (10, 10) and m.sum() == doc["images"] == 180
    assert np.trace(m) / 180 == doc["accuracy"]
    for i, c in enumerate(doc["per_class"]):
        assert c["images"] == m[i].sum()  # rows are the true classes
        assert c["accuracy"] == c["recall"] == m[i, i] / m[i].sum()
        assert c["precision"] == (m[i, i] / m[:, i].sum() if m[:, i].sum() else None)
    assert len(doc["top_losses"]) == 10
    assert "top" not in doc and "cam" not in doc
    last = _json(capsys, digits_run, "--checkpoint", "last")
    assert last["checkpoint"] == "last" and last["accuracy"] == last["recorded_accuracy"]


def test_an_image_gets_its_classes_and_a_map_at_its_size(digits_run, capsys):
    doc = _json(capsys, digits_run, "--image", SAMPLE)
    probs = [p for _, p in doc["top"]]
    assert sorted(name for name, _ in doc["top"]) == doc["classes"]  # every class
    assert abs(sum(probs) - 1) < 1e-9 and probs == sorted(probs, reverse=True)
    assert doc["predicted"] == doc["top"][0][0] == doc["cam_class"]
    cam = np.array(doc["cam"])
    assert cam.shape == tuple(doc["input_size"]) == (8, 8)
    assert cam.min() >= 0 and cam.max() == 1
    assert doc["layer"] == "layer3" and "last stage" in doc["layer_note"]
    block = _json(capsys, digits_run, "--image", SAMPLE, "--layer", "layer2.0")
    assert block["layer"] == "layer2.0" and np.array(block["cam"]).shape == (8, 8)
    assert block["top"] == doc["top"]


def test_the_text_shows_the_matrix_and_the_map(digits_run, capsys):
    assert main(["inspect", str(digits_run), "--image", SAMPLE]) == 0
    out = capsys.readouterr().out
    assert "validation accuracy" in out and "(the run recorded" in out
    assert "Confusion matrix (rows: true class" in out
    assert "precision" in out and "Highest losses" in out
    assert "digit-3.png: " in out and "Grad-CAM of " in out and "at layer3" in out
    assert out.count("  |") >= 4  # the map's rows


@pytest.mark.parametrize(
    "args, said",
    [
        (["--layer", "layer3"], "give an image too"),
        (["--image", SAMPLE, "--layer", "layer7"], "no layer 'layer7'"),
        (["--image", "/no/such.png"], "no image file"),
    ],
)
def test_mistakes_are_one_line(digits_run, capsys, args, said):
    assert main(["inspect", str(digits_run), *args]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1


def test_a_missing_run_is_one_line(tmp_path, capsys):
    assert main(["inspect", str(tmp_path / "nothing")]) == 2
    assert "no run folder" in capsys.readouterr().err


def test_a_colour_run_without_records(tmp_path, capsys):
    """A 3-channel, ImageNet-stem run on synthetic data, its checkpoint written by hand: an RGB
    photo is shrunk to 32×32, and with no metrics.jsonl there is no recorded accuracy."""
    spec = ArchSpec.from_preset(
        "resnet18", layers=(1, 1, 1), widths=(8, 16, 32), input_size=32, num_classes=4
    )
    config = TrainConfig(dataset="synthetic", synthetic_size=40, val_fraction=0.5, device="cpu")
    run = tmp_path / "run"
    run.mkdir()
    state = {"spec": spec.to_dict(), "config": config.to_dict(), "step": 3, "epoch": 1}
    save_checkpoint(run / "best.pt", {**state, "model": build_model(spec).state_dict()})
    photo = tmp_path / "photo.png"
    rgb = np.zeros((120, 90, 3), np.uint8)
    rgb[20:60, 10:50] = (250, 120, 0)
    Image.fromarray(rgb).save(photo)
    doc = _json(capsys, run, "--image", photo)
    assert doc["recorded_accuracy"] is None and "between two validations" in doc["notes"][0]
    assert doc["images"] == 20 and doc["classes"] == [f"class {i}" for i in range(4)]
    assert np.array(doc["cam"]).shape == (32, 32)
    assert doc["layer"] == "layer3"  # 2×2 at 32×32 with this stem
    assert abs(sum(p for _, p in doc["top"]) - 1) < 1e-9
    assert torch.load(run / "best.pt", weights_only=True)["step"] == 3  # untouched

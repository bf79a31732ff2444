"""Verification and tensors-only loading: a file whose SHA-256 does not match its name is
refused with a sentence and left in place; a hash is computed once per file; a pickle that
would run code is refused; loading is strict but for the head and conv1; a photo's
probabilities equal torchvision's own model and transforms on the same file."""

import json
import pickle

import pytest
import torch
import torchvision

from resnet_studio.cli import main
from resnet_studio.core.builder import build_model
from resnet_studio.core.spec import ArchSpec
from resnet_studio.train.errors import TrainError
from resnet_studio.weights import verify as verify_mod
from resnet_studio.weights.catalogue import find
from resnet_studio.weights.listing import row
from resnet_studio.weights.load import load_into, open_weights

from .helpers import photo, save_hash_named, sha256


@pytest.fixture
def caches(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HF_HOME", raising=False)
    return tmp_path / "torch" / "hub" / "checkpoints"


def test_a_random_file_under_a_real_name_is_refused_and_left_in_place(caches, capsys):
    caches.mkdir(parents=True)
    path = caches / "resnet18-f37072fd.pth"
    torch.save(torchvision.models.resnet18().state_dict(), path)
    before = path.read_bytes()
    with pytest.raises(TrainError) as e:
        open_weights("resnet18.tv_in1k")
    text = str(e.value)
    assert str(path) in text and "f37072fd" in text and sha256(path)[:8] in text
    assert "\n" not in text and "not loaded" in text
    assert path.read_bytes() == before
    r = row(find("resnet18.tv_in1k"))
    assert not r.cached and r.problem == text
    assert main(["inspect", "--weights", "resnet18.tv_in1k", "--image", "x.png"]) == 2
    assert "f37072fd" in capsys.readouterr().err


def test_a_missing_catalogue_file_names_the_file_folder_and_page(caches):
    with pytest.raises(TrainError) as e:
        open_weights("resnet50.tv2_in1k")
    text = str(e.value)
    assert "resnet50-11ad3fa6.pth" in text and str(caches) in text
    assert "https://download.pytorch.org/models/resnet50-11ad3fa6.pth" in text


def test_each_file_is_hashed_once_until_it_changes(caches, monkeypatch):
    path = save_hash_named({"w": torch.arange(10.0)}, caches, "thing")
    reads = []
    real_open = open

    def counting_open(p, *a, **k):
        if str(p) == str(path.resolve()):
            reads.append(p)
        return real_open(p, *a, **k)

    monkeypatch.setattr("builtins.open", counting_open)
    assert verify_mod.verify(path) == sha256(path)
    assert verify_mod.verify(path) == sha256(path)
    assert len(reads) == 1
    torch.save({"w": torch.zeros(3)}, path)  # another file under the same name
    with pytest.raises(TrainError, match="not the file it claims to be"):
        verify_mod.verify(path)
    assert len(reads) == 2


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / "ran"
    saved, pickled = tmp_path / "evil.pth", tmp_path / "evil.pkl"
    torch.save({"fc.weight": _RunsCode(marker)}, saved)
    with open(pickled, "wb") as f:
        pickle.dump({"fc.weight": _RunsCode(marker)}, f)
    with pytest.raises(TrainError, match="posix.system.*could run code"):
        open_weights(saved)
    with pytest.raises(TrainError, match="is not loaded|cannot be read"):
        open_weights(pickled)
    assert not marker.exists()


def test_loading_is_strict_but_for_the_head_and_conv1(tmp_path):
    state = torchvision.models.resnet18().state_dict()
    path = tmp_path / "r18.pth"
    torch.save(state, path)
    w = open_weights(path)
    spec = ArchSpec.from_preset("resnet18", num_classes=2, in_channels=1)
    model = build_model(spec)
    fresh_fc = model.fc.weight.detach().clone()
    notes = load_into(model, spec, w)
    assert torch.equal(model.layer3[0].conv1.weight, state["layer3.0.conv1.weight"])
    assert torch.equal(model.fc.weight, fresh_fc)
    assert torch.allclose(model.conv1.weight, state["conv1.weight"].sum(1, keepdim=True))
    assert len(notes) == 2 and "classifier" in notes[0]
    del state["layer2.0.bn1.running_mean"]
    state["extra.weight"] = torch.zeros(1)
    torch.save(state, path)
    with pytest.raises(TrainError) as e:
        load_into(build_model(spec), spec, open_weights(path))
    assert "layer2.0.bn1.running_mean" in str(e.value) and "extra.weight" in str(e.value)


def test_a_photos_probabilities_equal_torchvisions_model_and_transforms(tmp_path, capsys):
    torch.manual_seed(0)
    theirs = torchvision.models.resnet18().eval()
    with torch.no_grad():  # random weights give near-uniform outputs: sharpen the head
        theirs.fc.weight.mul_(40)
    path = save_hash_named(theirs.state_dict(), tmp_path / "mine", "resnet18")
    image = photo(tmp_path / "photo.png")
    code = main(
        ["inspect", "--preset", "resnet18", "--weights", str(path), "--image", str(image), "--json"]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    t = torchvision.models.ResNet18_Weights.DEFAULT.transforms()
    from PIL import Image

    with torch.no_grad():
        probs = theirs(t(Image.open(image).convert("RGB"))[None])[0].softmax(0)
    cats = torchvision.models.ResNet18_Weights.DEFAULT.meta["categories"]
    top = probs.topk(5)
    expected = [
        [cats[i], p] for p, i in zip(top.values.tolist(), top.indices.tolist(), strict=True)
    ]
    assert [n for n, _ in doc["top"]] == [n for n, _ in expected]
    for (_, p), (_, q) in zip(doc["top"], expected, strict=True):
        assert abs(p - q) < 1e-4
    assert doc["preprocess"] == {
        "resize": 256,
        "crop": 224,
        "interpolation": "bilinear",
        "mean": list(t.mean),
        "std": list(t.std),
    }
    assert doc["layer"] == "layer4" and len(doc["cam"]) == 224
    assert doc["sha256"] == sha256(path)

"""Dataset loading on small files generated in the real formats (no network here)."""

import pickle
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image

from resnet_studio.train import TrainError
from resnet_studio.train.data import load_tensor_dataset
from resnet_studio.train.folder import load_image_folder
from tests.datafiles import write_mnist


@pytest.mark.parametrize("name,folder", [("mnist", "MNIST"), ("fashion_mnist", "FashionMNIST")])
def test_idx_files_load(tmp_path, name, folder):
    images, labels = write_mnist(tmp_path, folder)
    data = load_tensor_dataset(
        name, 1, (28, 28), data_dir=tmp_path, val_fraction=0.2, download=False
    )
    assert data.sizes() == (40, 10)
    assert sorted(torch.cat([data.train.y, data.val.y]).tolist()) == sorted(labels.tolist())
    x, y = next(data.batches("train", 8))
    assert x.shape == (8, 1, 28, 28) and y.dtype == torch.int64
    # normalised with the training split's statistics
    assert abs(float(data.train.x.mean())) < 1e-4


@pytest.fixture
def cifar_md5_skipped(monkeypatch):
    """Generated batches cannot match torchvision's MD5 sums; every other check still runs."""
    real = torchvision.datasets.utils.check_integrity
    monkeypatch.setattr(
        torchvision.datasets.cifar, "check_integrity", lambda fpath, md5=None: real(fpath, None)
    )


@pytest.mark.parametrize("name", ["cifar10", "cifar100"])
def test_cifar_pickle_batches_load(tmp_path, cifar_md5_skipped, name):
    rng = np.random.default_rng(1)
    key = "labels" if name == "cifar10" else "fine_labels"
    classes = 10 if name == "cifar10" else 100
    if name == "cifar10":
        folder, files, meta = (
            "cifar-10-batches-py",
            [f"data_batch_{i}" for i in range(1, 6)],
            ("batches.meta", "label_names"),
        )
    else:
        folder, files, meta = "cifar-100-python", ["train"], ("meta", "fine_label_names")
    d = tmp_path / folder
    d.mkdir()
    for f in [*files, "test_batch" if name == "cifar10" else "test"]:
        batch = {
            "data": rng.integers(0, 256, (6, 3072), dtype=np.uint8),
            key: rng.integers(0, classes, 6).tolist(),
        }
        with open(d / f, "wb") as fh:
            pickle.dump(batch, fh)
    with open(d / meta[0], "wb") as fh:
        pickle.dump({meta[1]: [f"c{i}" for i in range(classes)]}, fh)
    data = load_tensor_dataset(
        name, 3, (40, 40), data_dir=tmp_path, val_fraction=0.1, download=False
    )
    assert data.num_classes == classes
    assert sum(data.sizes()) == 6 * len(files)
    x, _ = next(data.batches("train", 4))
    assert x.shape == (4, 3, 40, 40)  # resized on the fly to the spec's input


def test_missing_dataset_says_where_to_put_it(tmp_path):
    with pytest.raises(TrainError) as info:
        load_tensor_dataset("cifar10", 3, (32, 32), data_dir=tmp_path, download=False)
    text = str(info.value)
    assert str(tmp_path) in text and "cifar-10-batches-py" in text and "\n" not in text


def test_unknown_dataset_names_the_closest():
    with pytest.raises(TrainError, match="did you mean 'mnist'"):
        load_tensor_dataset("mnsit", 1, (28, 28))


def test_digits_adapt_channels_and_size():
    data = load_tensor_dataset("digits", 3, (32, 24), val_fraction=0.1, seed=3)
    assert sum(data.sizes()) == 1797 and data.num_classes == 10
    x, _ = next(data.batches("val", 5))
    assert x.shape == (5, 3, 32, 24)
    assert torch.equal(x[:, 0], x[:, 1])  # gray copied to RGB
    again = load_tensor_dataset("digits", 3, (32, 24), val_fraction=0.1, seed=3)
    assert torch.equal(again.val.y, data.val.y)  # the split is seeded


def test_augmentation_keeps_shapes_and_changes_pixels():
    data = load_tensor_dataset("digits", 1, (8, 8), augment=True)
    torch.manual_seed(0)
    x, _ = next(data.batches("train", 64))
    plain = load_tensor_dataset("digits", 1, (8, 8), augment=False)
    y, _ = next(plain.batches("train", 64))
    assert x.shape == y.shape and not torch.equal(x, y)


def _same(a, b):
    return len(a) == len(b) and all(
        torch.equal(x, u) and torch.equal(y, v) for (x, y), (u, v) in zip(a, b, strict=True)
    )


def _image_folder(root, n=6):
    rng = np.random.default_rng(2)
    for cls in ("cat", "dog"):
        (root / cls).mkdir()
        for i in range(n):
            Image.fromarray(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)).save(
                root / cls / f"{i}.png"
            )


def test_augmented_batches_depend_on_seed_epoch_and_batch_alone(tmp_path):
    """Another run drawing from torch's global generator changes nothing; a run resumed at
    batch 2 gets the batches it would have had."""
    data = load_tensor_dataset("digits", 1, (8, 8), augment=True)
    first = list(data.batches("train", 256, 1, 4))
    torch.manual_seed(99)
    again = list(data.batches("train", 256, 1, 4, generator=torch.Generator()))
    assert _same(first, again)
    assert _same(list(data.batches("train", 256, 1, 4, start=2)), first[2:])
    assert not _same(list(data.batches("train", 256, 1, 5)), first)
    _image_folder(tmp_path)
    folder = load_image_folder(tmp_path, 3, (16, 16), val_fraction=0.25, workers=0, augment=True)
    first = list(folder.batches("train", 3, 0, 4))
    torch.manual_seed(99)
    assert _same(list(folder.batches("train", 3, 0, 4)), first)
    folder.augment = False
    assert not _same(list(folder.batches("train", 3, 0, 4)), first)  # it does augment


def test_synthetic_has_the_spec_size():
    data = load_tensor_dataset("synthetic", 2, (17, 9), synthetic_size=40, num_classes=4)
    x, y = next(data.batches("train", 8))
    assert x.shape == (8, 2, 17, 9) and int(y.max()) < 4


def test_image_folder_skips_a_corrupt_image(tmp_path):
    _image_folder(tmp_path)
    (tmp_path / "dog" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    data = load_image_folder(tmp_path, 1, (16, 16), val_fraction=0.25, workers=0)
    assert data.classes == ["cat", "dog"] and sum(data.sizes()) == 12
    assert any("broken.jpg" in n for n in data.notes)
    x, y = next(data.batches("train", 4))
    assert x.shape == (4, 1, 16, 16)


def test_image_folder_errors_are_sentences(tmp_path):
    with pytest.raises(TrainError, match="does not exist"):
        load_image_folder(tmp_path / "nope", 3, (32, 32))
    with pytest.raises(TrainError, match="class sub-folders"):
        load_image_folder(tmp_path, 3, (32, 32))


@pytest.fixture
def mnist_download(monkeypatch):
    """torchvision's MNIST.download, replaced by files generated in the real format (no network
    here); everything around it (the checks before and after, the loading) is torchvision's."""
    calls = []

    def download(self):
        calls.append(self.root)
        if not self._check_exists():
            write_mnist(Path(self.root), "MNIST")

    monkeypatch.setattr(torchvision.datasets.MNIST, "download", download)
    return calls


def test_a_download_is_announced_before_it_starts(tmp_path, mnist_download):
    notes = []
    data = load_tensor_dataset("mnist", 1, (28, 28), data_dir=tmp_path, note=notes.append)
    assert sum(data.sizes()) == 50 and len(mnist_download) == 1
    assert len(notes) == 1 and "Downloading the mnist dataset" in notes[0]
    assert str(tmp_path) in notes[0] and "MB" in notes[0]
    load_tensor_dataset("mnist", 1, (28, 28), data_dir=tmp_path, note=notes.append)
    assert len(notes) == 1 and len(mnist_download) == 1  # on disk now: no second download


def test_a_failed_download_is_one_sentence(tmp_path, monkeypatch):
    def offline(self):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(torchvision.datasets.MNIST, "download", offline)
    with pytest.raises(TrainError) as info:
        load_tensor_dataset("mnist", 1, (28, 28), data_dir=tmp_path)
    text = str(info.value)
    assert "could not be downloaded" in text and str(tmp_path) in text and "\n" not in text

"""Training data: digits (bundled), MNIST, Fashion-MNIST, CIFAR-10/100, ImageFolder, synthetic.

Small datasets are kept whole as normalised tensors at their native size, on the training device;
each batch is then augmented, resized to the spec's input size and given the spec's channels on
that device (:meth:`TensorData.batches`), which costs little and keeps memory small. An
ImageFolder of JPEGs is decoded by a DataLoader with workers, where they pay.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
import torch
import torch.nn.functional as F

from ..core.words import closest
from .config import DATASETS, NATURAL, TrainConfig
from .errors import TrainError
from .split import augment, batch_seed, epoch_order, steps_per_epoch

if TYPE_CHECKING:
    from ..core.spec import ArchSpec
    from .folder import FolderData

_TV_CLASS = {
    "mnist": "MNIST",
    "fashion_mnist": "FashionMNIST",
    "cifar10": "CIFAR10",
    "cifar100": "CIFAR100",
}
_TV_MB = {"mnist": 12, "fashion_mnist": 31, "cifar10": 170, "cifar100": 169}  # downloads
_TV_FILES = {
    "mnist": "MNIST/raw/train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz)",
    "fashion_mnist": "FashionMNIST/raw/train-images-idx3-ubyte(.gz) and "
    "train-labels-idx1-ubyte(.gz)",
    "cifar10": "cifar-10-batches-py/ (data_batch_1…5, batches.meta)",
    "cifar100": "cifar-100-python/ (train, meta)",
}


def default_data_dir() -> Path:
    return Path(platformdirs.user_cache_dir("resnet-studio", appauthor=False)) / "datasets"


def load_dataset(
    config: TrainConfig, spec: ArchSpec, note: Callable[[str], None] | None = None
) -> TensorData | FolderData:
    """The dataset a TrainConfig names, adapted to the spec's channels and input size. ``note``
    hears, before a download starts, what is downloaded where (it takes a while)."""
    norm = None
    if config.weights:  # normalised as the weights were trained, not by the data's statistics
        from .finetune import normalisation

        norm = normalisation(config.weights, spec)
    if config.dataset == "imagefolder":
        from .folder import load_image_folder

        if not config.data_dir:
            raise TrainError(
                "The imagefolder dataset needs a folder; give it with --data-dir "
                "(one sub-folder of images per class)."
            )
        return load_image_folder(
            config.data_dir,
            spec.in_channels,
            spec.input_size,
            val_fraction=config.val_fraction,
            seed=config.seed,
            augment=config.augment,
            norm=norm,
        )
    return load_tensor_dataset(
        config.dataset,
        spec.in_channels,
        spec.input_size,
        data_dir=config.data_dir,
        val_fraction=config.val_fraction,
        seed=config.seed,
        augment=config.augment,
        download=config.download,
        note=note,
        synthetic_size=config.synthetic_size,
        num_classes=spec.num_classes,
        norm=norm,
    )


@dataclass
class Split:
    x: torch.Tensor  # float, normalised, (N, C, h, w) at the dataset's own size
    y: torch.Tensor  # int64 labels


@dataclass
class TensorData:
    """A whole dataset in memory, split, normalised, adapted per batch to the model's input."""

    name: str
    train: Split
    val: Split
    num_classes: int
    channels: int  # the model's input channels
    size: tuple[int, int]  # the model's input size
    augment: bool = False
    notes: list[str] = field(default_factory=list)

    def to(self, device: torch.device) -> TensorData:
        for s in (self.train, self.val):
            s.x, s.y = s.x.to(device, non_blocking=True), s.y.to(device, non_blocking=True)
        return self

    def sizes(self) -> tuple[int, int]:
        return len(self.train.y), len(self.val.y)

    def steps_per_epoch(self, batch_size: int, world: int = 1) -> int:
        return steps_per_epoch(len(self.train.y), batch_size, world)

    def batches(
        self,
        split: str,
        batch_size: int,
        epoch: int = 0,
        seed: int = 0,
        rank: int = 0,
        world: int = 1,
        start: int = 0,
        *,
        generator: torch.Generator | None = None,
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches ready for the model; training batches are shuffled by (seed, epoch), and
        ``generator`` (the run's) is seeded for each by (seed, epoch, batch, rank) before it
        draws the batch's augmentation; the model's step then goes on drawing from it."""
        s = self.train if split == "train" else self.val
        order = epoch_order(len(s.y), split, epoch, seed, rank, world).to(s.x.device)
        g = generator if generator is not None else torch.Generator()
        for index, i in enumerate(range(start * batch_size, len(order), batch_size), start):
            idx = order[i : i + batch_size]
            x = s.x.index_select(0, idx)
            if split == "train":
                g.manual_seed(batch_seed(seed, epoch, index, rank))
                if self.augment:
                    x = augment(x, g)
            yield self.adapt(x), s.y.index_select(0, idx)

    def adapt(self, x: torch.Tensor) -> torch.Tensor:
        """Give a batch the model's channels (gray ↔ RGB) and input size."""
        if x.shape[1] != self.channels:
            x = x.mean(1, keepdim=True) if self.channels == 1 else x[:, :1]
            x = x.expand(-1, self.channels, -1, -1) if self.channels > 1 else x
        if tuple(x.shape[2:]) != self.size:
            x = F.interpolate(
                x,
                size=self.size,
                mode="bilinear",
                align_corners=False,
                antialias=x.shape[2] > self.size[0],
            )
        return x.contiguous()


def _split(
    x: torch.Tensor,
    y: torch.Tensor,
    val_fraction: float,
    seed: int,
    norm: tuple[list[float], list[float]] | None = None,
) -> tuple[Split, Split]:
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(y), generator=g)
    n_val = max(1, int(round(len(y) * val_fraction))) if val_fraction > 0 else 0
    val, train = order[:n_val], order[n_val:]
    mean = x[train].mean(dim=(0, 2, 3), keepdim=True)
    std = x[train].std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    if norm is not None:  # pretrained weights' own mean and std, per channel of these images
        m, s_ = torch.tensor(norm[0]), torch.tensor(norm[1])
        if len(m) != x.shape[1]:  # gray images for an RGB model (or back): the channels' mean
            m, s_ = m.mean().repeat(x.shape[1]), s_.mean().repeat(x.shape[1])
        mean, std = m.view(1, -1, 1, 1), s_.view(1, -1, 1, 1)
    x = (x - mean) / std
    return Split(x[train], y[train]), Split(x[val], y[val])


def _digits() -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits
    from sklearn.utils import Bunch

    d = load_digits()
    assert isinstance(d, Bunch)  # not the (X, y) tuple that return_X_y=True gives
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    return x, torch.tensor(d.target, dtype=torch.int64)


def _torchvision(
    name: str, root: Path, download: bool, note: Callable[[str], None] | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    import torchvision

    cls = getattr(torchvision.datasets, _TV_CLASS[name])
    missing = (RuntimeError, OSError, ValueError)  # torchvision: "Dataset not found or corrupted"
    try:
        ds = cls(str(root), train=True, download=False)
    except missing:
        if not download:
            raise TrainError(
                f"The {name} dataset is missing or damaged in {root}; allow downloading, "
                f"or put {_TV_FILES[name]} there."
            ) from None
        if note:
            note(
                f"Downloading the {name} dataset (about {_TV_MB[name]} MB) into {root}; "
                "training starts when it is done."
            )
        try:
            ds = cls(str(root), train=True, download=True)
        except missing:
            raise TrainError(
                f"The {name} dataset could not be downloaded into {root}; connect to the "
                f"network and try again, or put {_TV_FILES[name]} there."
            ) from None
    data = torch.as_tensor(ds.data)
    x = data.unsqueeze(1) if data.dim() == 3 else data.permute(0, 3, 1, 2)
    return x.float() / 255.0, torch.as_tensor(ds.targets, dtype=torch.int64)


def load_tensor_dataset(
    name: str,
    channels: int,
    size: tuple[int, int],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    val_fraction: float = 0.1,
    seed: int = 0,
    augment: bool = False,
    download: bool = True,
    note: Callable[[str], None] | None = None,
    synthetic_size: int = 1024,
    num_classes: int = 10,
    norm: tuple[list[float], list[float]] | None = None,
) -> TensorData:
    """A small dataset as tensors; ``num_classes`` is only used by ``synthetic``."""
    if name == "digits":
        x, y = _digits()
        classes = 10
    elif name in _TV_CLASS:
        x, y = _torchvision(name, Path(data_dir or default_data_dir()), download, note)
        classes = NATURAL[name][1]
    elif name == "synthetic":
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(synthetic_size, channels, *size, generator=g)
        y = torch.randint(0, num_classes, (synthetic_size,), generator=g)
        classes = num_classes
    else:
        raise TrainError(
            f"There is no dataset named '{name}'; "
            f"{closest(name, [d for d in DATASETS if d != 'imagefolder'])}"
        )
    train, val = _split(x, y, val_fraction, seed, norm)
    return TensorData(name, train, val, classes, channels, size, augment)

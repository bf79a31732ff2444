"""A trained run, opened for inspection: its architecture, settings and checkpoint weights, the
dataset's class names, and its validation images exactly as training validated on them.

The checkpoint is read with ``weights_only=True`` (:func:`~..train.checkpoints.load_checkpoint`),
the model is put in eval mode and its parameters stop asking for gradients, so that nothing an
inspection does can change the weights or the BatchNorm statistics; the run's folder is only
read. The validation set is the dataset the run's config names, loaded by ``train/data.py`` with
the run's seed and validation fraction: the same split and the same transforms.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from resnet_studio.core.errors import SpecError
from resnet_studio.core.spec import ArchSpec
from resnet_studio.train import data as datasets
from resnet_studio.train.config import NATURAL, TrainConfig
from resnet_studio.train.data import TensorData, load_dataset
from resnet_studio.train.errors import TrainError
from resnet_studio.train.folder import FolderData
from resnet_studio.train.records import load_checkpoint, read_metrics
from resnet_studio.train.weights import load_weights_into

CHECKPOINTS = ("best", "last")

FASHION = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
CIFAR10 = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
# CIFAR-100's fine labels in the order of its meta file (alphabetical), as torchvision names them
CIFAR100 = tuple(
    """apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus
    butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch
    crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl hamster house kangaroo
    keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle mountain mouse
    mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree plain plate poppy
    porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk skyscraper
    snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone television
    tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm""".split()
)
DIGITS = tuple(str(i) for i in range(10))
CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "digits": DIGITS,
    "mnist": DIGITS,
    "fashion_mnist": FASHION,
    "cifar10": CIFAR10,
    "cifar100": CIFAR100,
}


def class_names(dataset: str, outputs: int, folder_classes: Sequence[str] = ()) -> list[str]:
    """A name for each of the model's outputs: the dataset's own names (an image folder's
    sub-folders), then "class k" for outputs the dataset names no class for."""
    known = list(folder_classes) if dataset == "imagefolder" else list(CLASS_NAMES.get(dataset, ()))
    return [known[i] if i < len(known) else f"class {i}" for i in range(outputs)]


@dataclass
class LoadedRun:
    """A run's checkpoint, built and ready to look into (eval mode, no weight gradients)."""

    dir: Path
    checkpoint: str  # "best" or "last"
    path: Path
    spec: ArchSpec
    config: TrainConfig
    model: nn.Module
    epoch: int  # epochs done when it was saved
    step: int
    recorded_accuracy: float | None  # the validation accuracy the run recorded for it
    device: torch.device
    notes: list[str] = field(default_factory=list)


def _int(state: dict[str, Any], key: str) -> int:
    v = state.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def recorded_accuracy(run_dir: Path, step: int) -> float | None:
    """The validation accuracy that ``metrics.jsonl`` recorded at the end of the epoch that
    ended at ``step`` (a checkpoint's step); None when no epoch ended there (a run stopped
    mid-epoch saves its last.pt before validating)."""
    found = [
        r["val_accuracy"]
        for r in read_metrics(Path(run_dir) / "metrics.jsonl")
        if r["kind"] == "epoch" and r["step"] == step and r.get("val_accuracy") is not None
    ]
    return float(found[-1]) if found else None


def load_run(
    run_dir: str | os.PathLike[str], checkpoint: str = "best", device: str = "cpu"
) -> LoadedRun:
    """The run in ``run_dir`` with its ``best.pt`` or ``last.pt``; anything wrong is one
    sentence (a :class:`TrainError`)."""
    run_dir = Path(run_dir)
    if checkpoint not in CHECKPOINTS:
        raise TrainError(f"The checkpoint is 'best' or 'last', not {checkpoint!r}.")
    if not run_dir.is_dir():
        raise TrainError(
            f"There is no run folder {run_dir}; give a folder that `resnet-studio runs` lists."
        )
    path = run_dir / f"{checkpoint}.pt"
    checkpoints = [c for c in CHECKPOINTS if (run_dir / f"{c}.pt").is_file()]
    if not checkpoints and not (run_dir / "config.json").is_file():
        raise TrainError(
            f"{run_dir} is not a run folder (it has no config.json and no checkpoint); give a "
            f"folder that `resnet-studio runs` lists."
        )
    if not path.is_file():
        other = run_dir / f"{CHECKPOINTS[1 - CHECKPOINTS.index(checkpoint)]}.pt"
        hint = (
            f"; its {other.stem} checkpoint is there"
            if other.is_file()
            else "; the run has not finished an epoch or been stopped yet"
        )
        raise TrainError(f"The run {run_dir.name} has no {checkpoint}.pt{hint}.")
    state = load_checkpoint(path)
    missing = [k for k in ("spec", "config", "model") if not isinstance(state.get(k), dict)]
    if missing:
        raise TrainError(
            f"{path} is not a ResNet Studio checkpoint (its {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing); it cannot be inspected."
        )
    try:
        spec = ArchSpec.from_dict(state["spec"])
        config = TrainConfig.from_dict(state["config"])
    except (SpecError, TrainError, TypeError, ValueError) as e:
        raise TrainError(
            f"The architecture or settings saved in {path} are not valid ({e}); the "
            f"checkpoint is damaged or was edited."
        ) from None
    from resnet_studio.core.builder import build_model

    model = build_model(spec)
    load_weights_into(model, state["model"], path, "the checkpoint is damaged or was edited")
    where = torch.device(device)
    model.to(where).eval()
    for p in model.parameters():
        p.requires_grad_(False)  # no inspection can compute, or change, a weight's gradient
    step = _int(state, "step")
    recorded = recorded_accuracy(run_dir, step)
    notes = []
    if recorded is None:
        notes.append(
            f"{checkpoint}.pt was saved at step {step}, between two validations, so the run "
            f"recorded no validation accuracy for it."
        )
    return LoadedRun(
        run_dir,
        checkpoint,
        path,
        spec,
        config,
        model,
        _int(state, "epoch"),
        step,
        recorded,
        where,
        notes,
    )


class ValidationSet:
    """The validation images of a run, as its training validated on them.

    ``inputs`` are model-ready (normalised, the spec's channels and size); ``batches`` walks the
    set in order with the trainer's own batching; ``from_file`` prepares an image file the way
    training prepared its images.
    """

    def __init__(self, data: TensorData | FolderData, config: TrainConfig, spec: ArchSpec):
        self.data, self.config, self.spec = data, config, spec
        self._stats: tuple[torch.Tensor, torch.Tensor] | None = None
        self.folder = data if isinstance(data, FolderData) else None
        self.classes = class_names(
            config.dataset, spec.num_classes, self.folder.classes if self.folder else ()
        )

    def _tensors(self) -> TensorData:
        assert self.folder is None

        assert isinstance(self.data, TensorData)
        return self.data

    def _folder_dataset(self) -> Any:
        """The image folder's validation ImageFolder (its transform, targets)."""
        assert self.folder is not None
        return self.folder.val.dataset

    def __len__(self) -> int:
        return self.data.sizes()[1]

    @property
    def labels(self) -> np.ndarray:
        """Every validation image's class, in order."""
        if self.folder is not None:
            targets = self._folder_dataset().targets
            return np.asarray([targets[i] for i in self.folder.val.indices], dtype=np.int64)
        return np.asarray(self._tensors().val.y.cpu(), dtype=np.int64)

    def inputs(self, indices: Sequence[int]) -> torch.Tensor:
        """The images at ``indices`` as one model-ready batch."""
        n = len(self)
        bad = [i for i in indices if not 0 <= i < n]
        if bad:
            raise TrainError(f"The validation set has {n} images; there is no image {bad[0]}.")
        if self.folder is not None:
            val = self.folder.val
            return torch.stack([val[i][0] for i in indices]).to(self.folder.device)
        data = self._tensors()
        idx = torch.as_tensor(list(indices), dtype=torch.int64, device=data.val.x.device)
        return data.adapt(data.val.x.index_select(0, idx))

    def batches(self, batch_size: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """(images, labels) in order, batched as the trainer's validation batches them."""
        yield from self.data.batches("val", batch_size)

    def from_file(self, path: str | os.PathLike[str]) -> torch.Tensor:
        """An image file as one model-ready batch, prepared as training prepared its images:
        an image folder's validation transform; for the other datasets the dataset's own
        channels, scaled to 0…1, normalised by the training split's mean and deviation, then
        given the spec's channels and size (``TensorData.adapt``)."""
        from PIL import Image, UnidentifiedImageError

        path = Path(path)
        try:
            with Image.open(path) as im:
                im.load()
                image = im.convert("RGB")
        except FileNotFoundError:
            raise TrainError(f"There is no image file {path}.") from None
        except (UnidentifiedImageError, OSError, ValueError) as e:
            raise TrainError(
                f"{path} cannot be read as an image ({type(e).__name__}); give a PNG or JPEG."
            ) from None
        if self.folder is not None:
            x: torch.Tensor = self._folder_dataset().transform(image)
            return x.unsqueeze(0).to(self.folder.device)
        native = NATURAL.get(self.config.dataset, (self.spec.in_channels,))[0]
        if native == 1:
            image = image.convert("L")
        array = np.asarray(image, dtype=np.float32) / 255.0
        x = torch.from_numpy(array.copy())
        x = x.unsqueeze(0) if x.dim() == 2 else x.permute(2, 0, 1)
        if x.shape[0] != native:  # a synthetic run's channels
            x = x.mean(0, keepdim=True).expand(native, -1, -1)
        mean, std = self.training_stats()
        data = self._tensors()
        return data.adapt(((x.unsqueeze(0) - mean) / std).to(data.val.x.device))

    def training_stats(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The per-channel mean and deviation that ``train/data.py`` normalised the dataset by:
        those of its training split (recomputed from the raw images, the same split)."""
        if self._stats is None:
            self._stats = _training_stats(self.config, self.spec)
        return self._stats


def _raw_images(config: TrainConfig, spec: ArchSpec) -> torch.Tensor:
    """The dataset's images as ``train/data.py`` reads them, before normalising."""
    name = config.dataset
    if name == "digits":
        return datasets._digits()[0]
    if name == "synthetic":
        g = torch.Generator().manual_seed(config.seed)
        return torch.randn(config.synthetic_size, spec.in_channels, *spec.input_size, generator=g)
    root = Path(config.data_dir or datasets.default_data_dir())
    return datasets._torchvision(name, root, download=False)[0]


def _training_stats(config: TrainConfig, spec: ArchSpec) -> tuple[torch.Tensor, torch.Tensor]:
    x = _raw_images(config, spec)
    g = torch.Generator().manual_seed(config.seed)
    order = torch.randperm(len(x), generator=g)
    vf = config.val_fraction
    n_val = max(1, int(round(len(x) * vf))) if vf > 0 else 0
    train = x[order[n_val:]]
    mean = train.mean(dim=(0, 2, 3), keepdim=True)
    std = train.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    return mean, std


def load_validation(run: LoadedRun) -> ValidationSet:
    """The run's dataset, split and transformed as its training did, on the run's device."""
    data = load_dataset(run.config, run.spec)
    return ValidationSet(data.to(run.device), run.config, run.spec)


def display_image(x: torch.Tensor) -> np.ndarray:
    """A model input (C, H, W) as an 8-bit picture: (H, W) grey or (H, W, 3) colour, its
    values stretched to 0…255 (what the network sees, not the photograph's own colours)."""
    x = x.detach().float().cpu()
    if x.dim() == 4:
        x = x[0]
    pic = x.permute(1, 2, 0) if x.shape[0] == 3 else x.mean(0)
    lo, hi = float(pic.min()), float(pic.max())
    scaled = (pic - lo) / (hi - lo) if hi > lo else torch.zeros_like(pic)
    return np.ascontiguousarray((scaled * 255).round().clamp(0, 255).to(torch.uint8).numpy())

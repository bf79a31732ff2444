"""A user's own ImageFolder (one sub-folder per class), decoded by a DataLoader with workers.

Unreadable images are found before training starts (PIL's header check), skipped, and named in
the dataset's notes, so one corrupt JPEG does not end a long run.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..core.words import plural
from .errors import TrainError
from .split import augment, batch_seed, epoch_order, steps_per_epoch


def _readable(path: str) -> bool:
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.verify()
        return True
    except Exception:  # PIL raises many types for broken files
        return False


@dataclass
class FolderData:
    name: str
    # subsets of the folder's good images: (image tensor, class index) each
    train: torch.utils.data.Subset[tuple[torch.Tensor, int]]
    val: torch.utils.data.Subset[tuple[torch.Tensor, int]]
    num_classes: int
    classes: list[str]
    workers: int
    augment: bool = False
    device: torch.device = torch.device("cpu")
    notes: list[str] = field(default_factory=list)

    def to(self, device: torch.device) -> FolderData:
        self.device = device
        return self

    def sizes(self) -> tuple[int, int]:
        return len(self.train), len(self.val)

    def steps_per_epoch(self, batch_size: int, world: int = 1) -> int:
        return steps_per_epoch(len(self.train), batch_size, world)

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
        """Decoded batches on the device, seeded and augmented as :meth:`TensorData.batches`."""
        ds = self.train if split == "train" else self.val
        order = epoch_order(len(ds), split, epoch, seed, rank, world)[start * batch_size :].tolist()
        loader = torch.utils.data.DataLoader(
            torch.utils.data.Subset(ds, order),
            batch_size=batch_size,
            shuffle=False,
            num_workers=self.workers,
            multiprocessing_context=_worker_start() if self.workers else None,
            pin_memory=self.device.type == "cuda",
            # its workers' seeds come from here, not from torch's global generator
            generator=torch.Generator().manual_seed(batch_seed(seed, epoch, -1, rank)),
        )
        g = generator if generator is not None else torch.Generator()
        for index, (x, y) in enumerate(loader, start):
            x = x.to(self.device, non_blocking=True)
            if split == "train":
                g.manual_seed(batch_seed(seed, epoch, index, rank))
                if self.augment:  # on the device, as for tensors: no random transform per image
                    x = augment(x, g)
            yield x, y.to(self.device, non_blocking=True)


def _worker_start() -> multiprocessing.context.BaseContext | None:
    """How the loader's workers start: from a fork server, not by forking this process.
    The window runs many threads (Qt's, the trainer's, torch's), and a fork taken while one of
    them holds a lock (the allocator's, OpenMP's) leaves the worker hung for good: an evaluation
    or a run that never ends. The server is started once, with torch and this module loaded."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None  # Windows and macOS spawn their workers already
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["torch", "torchvision", __name__])
    return ctx


def load_image_folder(
    root: str | os.PathLike[str],
    channels: int,
    size: tuple[int, int],
    *,
    val_fraction: float = 0.1,
    seed: int = 0,
    augment: bool = False,
    workers: int | None = None,
    norm: tuple[list[float], list[float]] | None = None,
) -> FolderData:
    import torchvision.transforms as T
    from torchvision.datasets import ImageFolder

    root = Path(root).expanduser()
    if not root.is_dir():
        raise TrainError(
            f"The image folder {root} does not exist; choose a folder that holds "
            f"one sub-folder of images per class."
        )
    try:
        probe = ImageFolder(str(root))
    except (FileNotFoundError, RuntimeError) as e:
        raise TrainError(
            f"{root} holds no images in class sub-folders ({str(e).rstrip('.')}); "
            f"put each class's images in a sub-folder of its own."
        ) from None
    checked = [(p, c, _readable(p)) for p, c in probe.samples]
    good = [(p, c) for p, c, ok in checked if ok]
    bad = [p for p, _, ok in checked if not ok]
    if not good:
        raise TrainError(
            f"None of the {plural(len(probe.samples), 'image')} under {root} could be read; "
            f"check that they are image files."
        )
    mean, std = norm or ([0.5] * channels, [0.5] * channels)  # pretrained weights' own, if any
    normalize = T.Normalize(mean, std)
    if channels not in (1, 3):
        raise TrainError(
            f"Images have 1 or 3 channels, but the spec asks for {channels}; set "
            f"the spec's input channels to 1 or 3."
        )
    gray = [T.Grayscale(1)] if channels == 1 else []  # the loader already gives RGB
    # no random transforms here: augmentation is drawn per batch from the run's generator
    dataset = ImageFolder(
        str(root), transform=T.Compose([T.Resize(size), *gray, T.ToTensor(), normalize])
    )
    dataset.samples = dataset.imgs = good
    dataset.targets = [c for _, c in good]
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(good), generator=g).tolist()
    n_val = max(1, round(len(good) * val_fraction)) if val_fraction > 0 else 0
    notes = (
        [
            f"skipped {len(bad)} unreadable image(s): "
            + ", ".join(Path(b).name for b in bad[:5])
            + (" …" if len(bad) > 5 else "")
        ]
        if bad
        else []
    )
    if workers is None:
        workers = max(0, min(4, (os.cpu_count() or 1) - 1))
    return FolderData(
        "imagefolder",
        torch.utils.data.Subset(dataset, order[n_val:]),
        torch.utils.data.Subset(dataset, order[:n_val]),
        len(probe.classes),
        probe.classes,
        workers,
        augment,
        notes=notes,
    )

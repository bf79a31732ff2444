"""How a dataset is cut into epochs and batches, the same for tensors in memory and image
folders (data.py and folder.py both use it, neither imports the other for it)."""

from __future__ import annotations

import torch


def epoch_order(n: int, split: str, epoch: int, seed: int, rank: int, world: int) -> torch.Tensor:
    """The sample order of one epoch on one rank: training data shuffled by (seed, epoch) and
    cut into equal shards (so DDP ranks take the same number of steps), validation in order."""
    if split == "train":
        g = torch.Generator().manual_seed(seed * 100_003 + epoch)
        return torch.randperm(n, generator=g)[: n // world * world][rank::world]
    return torch.arange(n)[rank::world]


def steps_per_epoch(n: int, batch_size: int, world: int = 1) -> int:
    """Batches in one epoch of n training images, each of ``world`` processes taking n // world
    (the last batch may be short)."""
    return -(-(n // world) // batch_size)

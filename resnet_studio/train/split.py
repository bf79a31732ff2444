"""How a dataset is cut into epochs and batches, the same for tensors in memory and image
folders (data.py and folder.py both use it, neither imports the other for it): each epoch's
order, each batch's seed, and the augmentation drawn from it."""

from __future__ import annotations

import hashlib

import torch
import torch.nn.functional as F


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


def batch_seed(seed: int, epoch: int, index: int, rank: int = 0) -> int:
    """The seed of one training batch's random numbers (its augmentation, and the model's drop
    path, dropout and DropBlock in its step): a function of where the batch is in the run, so a
    run resumed mid-epoch draws what it would have drawn, with no generator state to save. Each
    DDP rank draws its own."""
    text = f"{seed},{epoch},{index},{rank}"
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """The CIFAR recipe on the batch's device: random crop with 1/8-side zero padding, horizontal
    flip, drawn from ``g`` on its own device (a CUDA generator for a CUDA run: no transfer)."""
    n, _, h, w = x.shape
    pad = max(1, h // 8)
    padded = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=g, device=g.device).to(x.device)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=g, device=g.device).to(x.device)
    flip = (torch.rand(n, generator=g, device=g.device) < 0.5).to(x.device)
    rows = dy[:, None] + torch.arange(h, device=x.device)[None]  # (n, h)
    cols = dx[:, None] + torch.arange(w, device=x.device)[None]  # (n, w)
    cols = torch.where(flip[:, None], cols.flip(1), cols)
    b = torch.arange(n, device=x.device)[:, None, None]
    out = padded.permute(0, 2, 3, 1)[b, rows[:, :, None], cols[:, None, :]]  # (n, h, w, c)
    return out.permute(0, 3, 1, 2)

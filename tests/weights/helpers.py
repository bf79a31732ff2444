"""Weights files the tests make themselves: state_dicts saved under names computed from their
own SHA-256 (as torchvision names its files), in a test's own torch hub cache."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from resnet_studio.weights.catalogue import WeightEntry


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_hash_named(state: dict, folder: Path, arch: str) -> Path:
    """``state`` saved as ``<arch>-<first 8 hex of its SHA-256>.pth`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "tmp.pth"
    torch.save(state, tmp)
    path = folder / f"{arch}-{sha256(tmp)[:8]}.pth"
    tmp.rename(path)
    return path


def entry_for_file(entry: WeightEntry, path: Path) -> WeightEntry:
    """``entry`` naming ``path``'s file (its real name's hash cannot be made to match)."""
    return dataclasses.replace(entry, file=path.name, url=f"http://127.0.0.1/{path.name}")


def photo(path: Path, seed: int = 0, size: tuple[int, int] = (320, 240)) -> Path:
    """A smooth random RGB photo (JPEG-like content, saved as PNG)."""
    rng = np.random.RandomState(seed)
    small = rng.randint(0, 255, (12, 16, 3), dtype=np.uint8)
    Image.fromarray(small).resize(size, Image.BICUBIC).save(path)
    return path


def two_class_folder(root: Path, per_class: int = 10, size: int = 40, seed: int = 0) -> Path:
    """An ImageFolder with 'red' and 'blue' sub-folders of noisy tinted images."""
    rng = np.random.RandomState(seed)
    for k, name in enumerate(("blue", "red")):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            img = rng.randint(0, 120, (size, size, 3)).astype(np.uint8)
            img[..., 2 - 2 * k] += 120  # red images brighter in R, blue ones in B
            Image.fromarray(img).save(root / name / f"{i}.png")
    return root

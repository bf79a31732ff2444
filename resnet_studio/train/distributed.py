"""DistributedDataParallel under ``torchrun``: rank, world size, device and the model wrapper.

Without torchrun every function answers for a single process, so the trainer reads the same.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as td
from torch import nn


def world_size() -> int:
    return td.get_world_size() if td.is_available() and td.is_initialized() else 1


def rank() -> int:
    return td.get_rank() if td.is_available() and td.is_initialized() else 0


def init_from_env() -> bool:
    """Join the process group torchrun describes (gloo on CPU, NCCL on CUDA); False if alone."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or td.is_initialized():
        return td.is_initialized()
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    td.init_process_group(backend)
    return True


def device() -> torch.device | None:
    """The device of this rank under torchrun, or None to let the config decide."""
    if world_size() <= 1:
        return None
    if torch.cuda.is_available():
        return torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}")
    return torch.device("cpu")


def wrap(model: nn.Module, dev: torch.device) -> nn.Module:
    if world_size() <= 1:
        return model
    ids = [dev.index] if dev.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=ids)


def all_reduce(t: torch.Tensor) -> torch.Tensor:
    if world_size() > 1:
        td.all_reduce(t)
    return t

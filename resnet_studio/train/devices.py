"""The devices a run can use: what is really there, with names, memory, and why not if not.

Torch is imported where a GPU is looked for: the CPU's entry is known without it, so that the
window can show its device list before torch has loaded."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import TrainError

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class DeviceInfo:
    id: str  # "cpu", "cuda:0", "mps"
    name: str
    memory_bytes: int | None
    available: bool
    reason: str = ""  # why not available

    @property
    def label(self) -> str:
        mem = f", {self.memory_bytes / 2**30:.0f} GiB" if self.memory_bytes else ""
        return f"{self.id} ({self.name}{mem})"


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_device() -> DeviceInfo:
    """This machine's CPU (no torch needed)."""
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        mem = None
    return DeviceInfo("cpu", f"{_cpu_name()}, {os.cpu_count()} cores", mem, True)


def list_devices() -> list[DeviceInfo]:
    """CPU, every CUDA GPU and MPS; devices that are absent are listed as unavailable."""
    import torch

    out = [cpu_device()]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            out.append(DeviceInfo(f"cuda:{i}", p.name, p.total_memory, True))
    else:
        why = (
            "this PyTorch build has no CUDA support"
            if torch.version.cuda is None
            else "no CUDA GPU or driver was found"
        )
        out.append(DeviceInfo("cuda", "CUDA GPU", None, False, why))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.append(DeviceInfo("mps", "Apple GPU (Metal)", None, True))
    else:
        out.append(
            DeviceInfo("mps", "Apple GPU (Metal)", None, False, "MPS needs an Apple-silicon Mac")
        )
    return out


def resolve_device(name: str) -> torch.device:
    """``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps`` as a torch.device that exists here."""
    import torch

    devices = {d.id: d for d in list_devices()}
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda:0")
        return torch.device("mps" if devices["mps"].available else "cpu")
    if name == "cuda":
        name = "cuda:0"
    if name in devices and devices[name].available:
        return torch.device(name)
    cuda = [d for d in devices if d.startswith("cuda:")]
    if name.startswith("cuda"):
        have = (
            f"this machine has {len(cuda)} CUDA device(s): {', '.join(cuda)}"
            if cuda
            else devices["cuda"].reason
        )
        raise TrainError(f"Device '{name}' is not available ({have}); choose cpu or auto.")
    if name == "mps":
        raise TrainError(
            f"Device 'mps' is not available ({devices['mps'].reason}); choose cpu or auto."
        )
    raise TrainError(f"'{name}' is not a device; choose auto, cpu, cuda, cuda:N or mps.")

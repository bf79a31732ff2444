"""A measured profile as plain data (no torch): what :func:`.profile.profile_spec` returns, the
cache keeps and the window shows, and the analysis's estimate of a training step's memory."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from resnet_studio.train.errors import TrainError
from resnet_studio.train.memory import estimated_training_bytes

DTYPES = ("fp32", "bf16", "fp16")
__all__ = [
    "DTYPES",
    "Profile",
    "ProfileStopped",
    "StageTime",
    "SweepPoint",
    "estimated_training_bytes",
]


class ProfileStopped(TrainError):
    """The profile was asked to stop (the window closes) before it was done."""

    def __init__(self) -> None:
        super().__init__("The profile was stopped before it was done.")


@dataclass(frozen=True)
class StageTime:
    """One stage's measured time for a batch, beside its arithmetic."""

    name: str  # "stem", "layer1" … "layerN", "head": the analysis's stage names
    forward_ms: float
    backward_ms: float | None
    macs: int  # for the batch, as the analysis counts them
    macs_share: float  # of the network's MACs


@dataclass(frozen=True)
class SweepPoint:
    batch_size: int
    inference_img_s: float | None
    train_img_s: float | None
    note: str = ""  # why a figure is missing (out of memory)


@dataclass(frozen=True)
class Profile:
    """A profile of one spec on one device at one batch size and dtype (see to_dict)."""

    spec: dict[str, Any]
    device: str  # "cpu", "cuda:0"
    device_name: str
    batch_size: int
    dtype: str  # fp32, bf16 or fp16 (autocast)
    channels_last: bool
    repeats: int
    inference_ms: float  # median time of one batch, forward only, eval mode
    train_step_ms: float  # median time of forward + loss + backward + optimizer step
    forward_ms: float  # median forward (with the loss) of a training step, without hooks
    inference_img_s: float
    train_img_s: float
    peak_memory_bytes: int | None
    estimated_memory_bytes: int
    memory_method: str  # one sentence: how the peak was measured
    stages: tuple[StageTime, ...]
    sweep: tuple[SweepPoint, ...] = ()
    largest_batch: int | None = None
    largest_batch_note: str = ""
    torch_version: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def memory_ratio(self) -> float | None:
        """Measured peak over the analysis's estimate."""
        if self.peak_memory_bytes is None or not self.estimated_memory_bytes:
            return None
        return self.peak_memory_bytes / self.estimated_memory_bytes

    @property
    def stage_forward_sum_ms(self) -> float:
        return sum(s.forward_ms for s in self.stages)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``resnet-studio profile --json``."""
        d = asdict(self)
        d["memory_ratio"] = self.memory_ratio
        d["stage_forward_sum_ms"] = self.stage_forward_sum_ms
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Profile:
        """A profile read back from JSON (the cache); raises KeyError or TypeError if damaged."""
        known = set(cls.__dataclass_fields__)
        args = {k: v for k, v in d.items() if k in known}
        args["stages"] = tuple(StageTime(**s) for s in d["stages"])
        args["sweep"] = tuple(SweepPoint(**s) for s in d.get("sweep", ()))
        args["notes"] = tuple(d.get("notes", ()))
        return cls(**args)

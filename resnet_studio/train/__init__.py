"""The Qt-free training side: datasets, devices, the trainer and its events, run records.

The names that need torch (the trainer, devices, run recorder) load on first use, so that
reading run records and configs (``resnet-studio runs``) starts without torch.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from .config import TrainConfig
from .details import DatasetDetails, RunDetails
from .errors import TrainError
from .events import Callback, EpochMetrics, RunEnd, RunInfo, StepMetrics

if TYPE_CHECKING:
    from .devices import DeviceInfo, list_devices, resolve_device
    from .recorder import RunRecorder
    from .records import export_csv, list_runs, read_metrics
    from .trainer import Trainer

_LAZY = {
    "DeviceInfo": "devices",
    "list_devices": "devices",
    "resolve_device": "devices",
    "RunRecorder": "recorder",
    "export_csv": "records",
    "list_runs": "records",
    "read_metrics": "records",
    "Trainer": "trainer",
}

__all__ = [
    "Callback",
    "DatasetDetails",
    "DeviceInfo",
    "EpochMetrics",
    "RunDetails",
    "RunEnd",
    "RunInfo",
    "RunRecorder",
    "StepMetrics",
    "TrainConfig",
    "TrainError",
    "Trainer",
    "export_csv",
    "list_devices",
    "list_runs",
    "read_metrics",
    "resolve_device",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _TrainModule(types.ModuleType):
    """``resnet_studio.train`` is this package and, called, the notebook's ``train()``: the
    import system sets the package as the attribute ``train`` of ``resnet_studio``, so
    ``rs.train("resnet20", dataset="digits")`` reaches the package; calling it starts a run."""

    def __call__(self, arch: Any, **options: Any) -> Any:
        from ..notebook import train

        return train(arch, **options)


sys.modules[__name__].__class__ = _TrainModule

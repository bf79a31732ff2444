"""The Qt-free training side: datasets, devices, the trainer and its events, run records."""

from .config import TrainConfig
from .devices import DeviceInfo, list_devices, resolve_device
from .errors import TrainError
from .events import Callback, EpochMetrics, RunEnd, RunInfo, StepMetrics
from .records import RunRecorder, export_csv, list_runs, read_metrics
from .trainer import Trainer

__all__ = [
    "Callback",
    "DeviceInfo",
    "EpochMetrics",
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

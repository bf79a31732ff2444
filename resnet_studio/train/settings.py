"""The training settings the window edits, as one Qt-free document.

:data:`SETTINGS` is the one table of them (name, choices or range, the panel's label); the Train
panel makes its controls' values from it, :class:`TrainSettings` holds the values and tells its
listeners (``changed``), writes them for the settings file (:meth:`TrainSettings.to_dict`),
reads them back keeping only values that fit (:meth:`TrainSettings.restore`), and makes the
:class:`TrainConfig` a run starts with (:meth:`TrainSettings.config`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.document import Event
from .config import AMP_MODES, DATASETS, OPTIMIZERS, SCHEDULES, TrainConfig


@dataclass(frozen=True)
class Setting:
    name: str  # TrainConfig's field
    label: str  # the panel's words
    kind: type  # str, int, float or bool
    choices: tuple[str, ...] = ()
    low: float = 0
    high: float = 0

    def fits(self, value: Any, ranged: bool = True) -> bool:
        """Whether ``value`` is one this setting takes (an int is not a bool here), within its
        range unless not ``ranged``."""
        if isinstance(value, bool) != (self.kind is bool):
            return False
        if self.kind is str:
            return isinstance(value, str) and (not self.choices or value in self.choices)
        if self.kind in (int, float):
            ok = isinstance(value, int) or (self.kind is float and isinstance(value, float))
            return ok and (not ranged or self.low <= value <= self.high)
        return True


SETTINGS: tuple[Setting, ...] = (
    Setting("dataset", "Dataset", str, DATASETS),
    Setting("data_dir", "Data folder", str),
    Setting("epochs", "Epochs", int, low=1, high=10_000),
    Setting("batch_size", "Batch size", int, low=1, high=1 << 16),
    Setting("lr", "Learning rate", float, low=1e-5, high=10.0),
    Setting("optimizer", "Optimizer", str, OPTIMIZERS),
    Setting("schedule", "Schedule", str, SCHEDULES),
    Setting("augment", "Augment (random crop and flip)", bool),
    Setting("amp", "AMP", str, AMP_MODES),
)
BY_NAME = {s.name: s for s in SETTINGS}


class TrainSettings:
    """The values of :data:`SETTINGS`, TrainConfig's defaults to begin with."""

    def __init__(self) -> None:
        self.changed = Event()  # changed(settings, name)
        d = TrainConfig()
        self.values: dict[str, Any] = {s.name: getattr(d, s.name) for s in SETTINGS}
        self.values["data_dir"] = ""  # the panel's empty box: the default folder

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def set(self, name: str, value: Any, ranged: bool = True) -> bool:
        """Take ``value`` if it fits the setting (True), else keep the old one (False). A
        control that holds its own range passes ``ranged=False``; TrainConfig still judges."""
        kind = BY_NAME[name].kind
        if isinstance(value, int) and not isinstance(value, bool) and kind is float:
            value = float(value)
        elif isinstance(value, float) and kind is int:
            value = int(value)  # as a spin box takes 3.7 epochs: 3
        if not BY_NAME[name].fits(value, ranged):
            return False
        if self.values[name] != value:
            self.values[name] = value
            self.changed.emit(self, name)
        return True

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain data, for the window's settings file."""
        return dict(self.values)

    def restore(self, saved: object) -> None:
        """Settings written by :meth:`to_dict`; a value that does not fit keeps its default."""
        if isinstance(saved, dict):
            for s in SETTINGS:
                if s.name in saved:
                    self.set(s.name, saved[s.name])

    def config(self, device: str = "auto", threads: int | None = None) -> TrainConfig:
        """The TrainConfig a run starts with (TrainError for an impossible combination)."""
        values = {**self.values, "data_dir": self.values["data_dir"] or None}
        return TrainConfig(**values, device=device, threads=threads)

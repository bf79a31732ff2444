"""What a training run reports, and the observer interface that consumes it.

Observers subclass :class:`Callback` and override the hooks they need (as in PyTorch
Lightning's ``Callback``): the CLI progress bar, the run recorder, TensorBoard and the Qt bridge
all read the same events. Hooks run on the training thread; a GUI observer must hand them over
to its own thread.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any, Protocol

from .details import RunDetails


class RunStatus(str, Enum):
    """Where a run is in its life. A str, so that it compares and serialises as its value."""

    QUEUED = "queued"
    STARTING = "starting"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPING = "stopping"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"
    CRASHED = "crashed"  # "running" on disk, but its process is gone
    UNREADABLE = "unreadable"  # a folder whose records cannot be read
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value

    @property
    def live(self) -> bool:
        """Training or about to: it has a thread."""
        return self in (RunStatus.STARTING, RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.STOPPING)

    @property
    def ended(self) -> bool:
        return self in (RunStatus.FINISHED, RunStatus.STOPPED, RunStatus.FAILED, RunStatus.CRASHED)

    @classmethod
    def parse(cls, value: Any) -> RunStatus:
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN


class Trainer(Protocol):
    """What observers may read of the trainer that calls them (the trainer module imports this
    one, not the other way round)."""

    run_dir: str | None
    model: Any
    best_val_accuracy: float | None

    def state_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RunInfo:
    """Sent once when a run starts (or resumes): what the run is, as the trainer resolved it
    (config.json's content), and where this start picks up."""

    details: RunDetails
    start_epoch: int  # 0 for a new run; where a resumed run picks up
    start_step: int
    run_dir: str | None


@dataclass(frozen=True)
class StepMetrics:
    step: int  # global, 1-based
    epoch: int  # 1-based: the epoch under way
    loss: float
    accuracy: float  # of this batch
    lr: float
    images_per_s: float  # averaged over the last report interval
    time: float  # seconds of training so far
    wall: float = 0.0  # the clock (time.time()) when reported; 0: unknown (an older record)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "step", **asdict(self)}


@dataclass(frozen=True)
class EpochMetrics:
    epoch: int  # 1-based: the epoch just finished
    step: int
    train_loss: float
    train_accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    seconds: float  # wall time of this epoch, validation included
    images_per_s: float
    lr: float
    time: float

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "epoch", **asdict(self)}


@dataclass(frozen=True)
class RunEnd:
    """How a run ended, decided once by the trainer and told to every observer alike."""

    status: RunStatus  # FINISHED, STOPPED or FAILED
    reason: str  # one sentence; empty when finished
    epoch: int  # the epoch of its last step, counted from 1 as everywhere (1 before any step)
    step: int
    best_val_accuracy: float | None
    epochs_done: int = 0  # epochs completed

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "end", **asdict(self), "status": self.status.value}


class Callback:
    """No-op hooks; override the ones you need."""

    def on_run_start(self, trainer: Trainer, info: RunInfo) -> None: ...

    def on_steps(self, trainer: Trainer, steps: list[StepMetrics]) -> None:
        """Several steps at once, at most every ``report_interval`` seconds (one device sync)."""

    def on_epoch_end(self, trainer: Trainer, metrics: EpochMetrics) -> None: ...

    def on_pause(self, trainer: Trainer, paused: bool) -> None: ...

    def on_note(self, trainer: Trainer, text: str) -> None:
        """Something the user should know that does not stop the run (a skipped file)."""

    def on_run_ending(self, trainer: Trainer, status: RunStatus) -> None:
        """Before the end is decided: persist what the end needs (the recorder saves a stopped
        run's checkpoint). An OSError here fails the run with a sentence naming the file."""

    def on_run_end(self, trainer: Trainer, end: RunEnd) -> None:
        """The end, the same for every observer. An observer that raises here cannot change
        it; its sentence reaches the others as a note."""

    #: an essential observer's failure (the recorder's, on a full disk) ends the run; any other
    #: observer that raises is dropped with a note and the run goes on
    essential = False

"""TrainConfig: every hyper-parameter of a run, checked into plain sentences."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from ..core.words import closest
from .errors import TrainError

DATASETS = ("digits", "mnist", "fashion_mnist", "cifar10", "cifar100", "imagefolder", "synthetic")
# name -> (channels, classes, natural size) before adapting to a spec
NATURAL = {
    "digits": (1, 10, 8),
    "mnist": (1, 10, 28),
    "fashion_mnist": (1, 10, 28),
    "cifar10": (3, 10, 32),
    "cifar100": (3, 100, 32),
}
OPTIMIZERS = ("sgd", "adamw")
SCHEDULES = ("constant", "step", "cosine", "onecycle")
AMP_MODES = ("auto", "off", "bf16", "fp16")


# the annotations of TrainConfig's fields (strings, under `from __future__ import annotations`)
_TYPE_WORDS = {
    "str": "text",
    "str | None": "text or null",
    "int": "a whole number",
    "int | None": "a whole number or null",
    "float": "a number",
    "bool": "true or false",
    "bool | None": "true, false or null",
}


def _is_a(value: Any, annotation: str) -> bool:
    if value is None:
        return annotation.endswith("| None")
    kind = annotation.split(" |")[0]
    if kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):  # True is an int to Python, not to a user
        return False
    if kind == "int":
        return isinstance(value, int)
    if kind == "float":
        return isinstance(value, (int, float))
    return isinstance(value, str)


@dataclass
class TrainConfig:
    """How to train. ``amp="auto"`` means bf16 on CUDA and off elsewhere; ``channels_last=None``
    means on for CUDA. ``threads=None`` leaves torch's intra-op threads at its default (all
    cores) for headless runs; the window passes its own choice."""

    dataset: str = "digits"
    data_dir: str | None = None
    epochs: int = 5
    batch_size: int = 64
    lr: float = 0.05
    optimizer: str = "sgd"
    momentum: float = 0.9
    schedule: str = "cosine"
    weight_decay: float = 5e-4
    label_smoothing: float = 0.0
    seed: int = 0
    device: str = "auto"
    amp: str = "auto"
    channels_last: bool | None = None
    augment: bool = False
    val_fraction: float = 0.1
    pretrained: bool = False
    weights: str | None = None  # starting weights: a catalogue name or a file (fine-tuning)
    weights_sha256: str | None = None  # the starting weights file's, recorded when the run starts
    freeze: str = "none"  # "backbone", "stages:N" or "none" (train/finetune.py)
    backbone_lr: float = 1.0  # the backbone's learning rate as a fraction of the head's
    threads: int | None = None
    report_interval: float = 0.1  # seconds between step reports (one device sync each)
    synthetic_size: int = 1024
    download: bool = True
    tensorboard: bool = False

    def __post_init__(self) -> None:
        def need(ok: bool, sentence: str) -> None:
            if not ok:
                raise TrainError(sentence)

        for f in fields(self):  # a config.json from elsewhere is data to check, not to trust
            value, annotation = getattr(self, f.name), str(f.type)  # str already: see above
            if not _is_a(value, annotation):
                raise TrainError(
                    f"The training setting {f.name} must be {_TYPE_WORDS[annotation]}, "
                    f"not {value!r}."
                )

        need(
            isinstance(self.epochs, int) and self.epochs >= 1,
            f"Epochs must be a whole number of at least 1, not {self.epochs!r}.",
        )
        need(
            isinstance(self.batch_size, int) and self.batch_size >= 1,
            f"The batch size must be a whole number of at least 1, not {self.batch_size!r}.",
        )
        need(
            isinstance(self.lr, (int, float)) and self.lr > 0,
            f"The learning rate must be a positive number, not {self.lr!r}.",
        )
        for what, value, choices in (
            ("Optimizer", self.optimizer, OPTIMIZERS),
            ("Schedule", self.schedule, SCHEDULES),
            ("AMP mode", self.amp, AMP_MODES),
        ):  # the suggestion is worked out only for a wrong value: reading a history checks many
            if value not in choices:
                need(False, f"{what} '{value}' is not known; {closest(value, choices)}")
        need(
            0 <= self.val_fraction < 1,
            f"The validation fraction must be from 0 to below 1, not {self.val_fraction}.",
        )
        need(
            self.weight_decay >= 0 and 0 <= self.label_smoothing < 1,
            "Weight decay must be 0 or more and label smoothing from 0 to below 1.",
        )
        need(
            self.freeze in ("none", "backbone")
            or (self.freeze.startswith("stages:") and self.freeze[7:].isdigit()),
            f"Freeze must be backbone, stages:N or none, not {self.freeze!r}.",
        )
        need(
            0 < self.backbone_lr <= 1,
            f"The backbone's learning rate factor must be above 0 and at most 1, not "
            f"{self.backbone_lr!r}.",
        )
        need(
            self.freeze == "none" or bool(self.weights),
            "Freezing keeps pretrained layers as they are; give the weights to start from too.",
        )
        need(
            self.threads is None or (isinstance(self.threads, int) and self.threads >= 1),
            f"Threads must be a whole number of at least 1, not {self.threads!r}.",
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

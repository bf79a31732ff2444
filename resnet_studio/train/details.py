"""What a run is, typed: its spec, training settings, data, device and size.

:class:`RunDetails` is what the trainer resolved when the run started (it sends it in
:class:`~.events.RunInfo`), and what the run folder's ``config.json`` keeps of it. It is the
one writer and reader of that file's content: the recorder writes :meth:`RunDetails.to_json`,
and lists, the window and ``resnet-studio runs`` read :meth:`RunDetails.from_json` (through
:mod:`.records`, which says when a folder has no readable config.json at all). A file from an
older version (a key it lacked), from a newer one (a key it adds) or a damaged one gives the
details that could be read and, for what could not, one sentence in ``problem``: never a
traceback. The file's format is the one runs have always had::

    {"spec": {...}, "config": {...},
     "dataset": {"name": "digits", "train": 1437, "val": 360, "classes": 10, "notes": []},
     "device": "cpu", "params": 272474, "macs": 40000000,
     "steps_per_epoch": 23, "total_steps": 115, "versions": {"torch": "2.5.1", ...}}

Qt-free and torch-free: a list of runs reads these without loading torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import SpecError
from ..core.spec import ArchSpec
from .config import TrainConfig
from .errors import TrainError

__all__ = ["DatasetDetails", "RunDetails", "StartingWeights"]

CONFIG = "config.json"


@dataclass(frozen=True)
class DatasetDetails:
    """The data a run trained on, as the trainer found it."""

    name: str = ""  # "digits", "imagefolder", …; "" when unknown
    train: int | None = None  # images in the training split
    val: int | None = None
    classes: int | None = None
    notes: tuple[str, ...] = ()  # what the data's loading told the user (a skipped file)

    def to_json(self) -> dict[str, Any]:
        sizes = {"train": self.train, "val": self.val, "classes": self.classes}
        return {
            "name": self.name,
            **{k: v for k, v in sizes.items() if v is not None},
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class StartingWeights:
    """The weights a fine-tuned run started from."""

    name: str  # a catalogue name or a file's path
    sha256: str | None  # the file's, recorded when the run started


@dataclass(frozen=True)
class RunDetails:
    """A run's spec, settings, data, device and size. Unknown parts are None (or ""): a run
    queued but not yet started knows its spec and settings only, and a damaged config.json
    only what it still holds, with ``problem`` saying what it lacks."""

    spec: ArchSpec | None = None
    config: TrainConfig | None = None  # the settings as the trainer resolved them; not to change
    dataset: DatasetDetails = DatasetDetails()
    device: str = ""  # e.g. "cuda:0 (NVIDIA H100 80GB HBM3), AMP bf16, channels_last"
    params: int | None = None
    macs: int | None = None  # per image
    steps_per_epoch: int | None = None
    total_steps: int | None = None
    versions: Mapping[str, str] = field(default_factory=dict)  # resnet_studio, torch, …
    spec_label: str = ""  # the window's name for the spec (a run started in this session)
    base_preset: str | None = None  # the preset the spec was edited from (likewise)
    problem: str = ""  # one sentence: what of its config.json could not be read

    # --- what the views ask ----------------------------------------------------------------
    @property
    def empty(self) -> bool:
        """Nothing is known of the run (its config.json is missing or unreadable)."""
        return self.spec is None and self.config is None and not self.dataset.name

    @property
    def seed(self) -> int | None:
        return self.config.seed if self.config is not None else None

    @property
    def batch_size(self) -> int | None:
        return self.config.batch_size if self.config is not None else None

    @property
    def weights(self) -> StartingWeights | None:
        """The weights it started from, when it was fine-tuned."""
        cfg = self.config
        if cfg is None or not cfg.weights:
            return None
        return StartingWeights(cfg.weights, cfg.weights_sha256)

    # --- config.json --------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """config.json's content (the parts that are known, in the file's order)."""
        out: dict[str, Any] = {}
        if self.spec is not None:
            out["spec"] = self.spec.to_dict()
        if self.config is not None:
            out["config"] = self.config.to_dict()
        out["dataset"] = self.dataset.to_json()
        if self.device:
            out["device"] = self.device
        for key in ("params", "macs", "steps_per_epoch", "total_steps"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["versions"] = dict(self.versions)
        if self.spec_label:  # the window's own words: never in a file the recorder writes
            out["spec_label"] = self.spec_label
        if self.base_preset:
            out["base_preset"] = self.base_preset
        return out

    @classmethod
    def from_json(cls, d: Any) -> RunDetails:
        """The details in config.json's content ``d``: each part only if it checks (the spec
        and settings validate, the other fields have their types), and a sentence for the
        parts that did not. Keys it does not know are left alone; keys an older version did
        not write are unknown (None), not a problem."""
        if not isinstance(d, dict):
            return cls(problem=f"Its {CONFIG} is damaged (not a JSON object).")
        wrong: list[str] = []
        spec = config = None
        if "spec" not in d:
            wrong.append("it holds no spec")
        else:
            try:
                spec = ArchSpec.from_dict(d["spec"])
            except (SpecError, TypeError) as e:
                wrong.append(f"its spec is not valid ({_clause(e)})")
        if "config" not in d:
            wrong.append("it holds no training settings")
        elif not isinstance(d["config"], dict):
            wrong.append("its training settings are not a JSON object")
        else:
            try:
                config = TrainConfig.from_dict(d["config"])
            except (TrainError, TypeError) as e:
                wrong.append(f"its training settings are not valid ({_clause(e)})")

        def typed(src: dict[str, Any], key: str, kind: type, where: str = "") -> Any:
            """``src[key]`` if present and of ``kind`` (a bool is no number), else None."""
            if key not in src:
                return None
            v = src[key]
            if isinstance(v, kind) and not isinstance(v, bool):
                return v
            wrong.append(f"{where}{key} is not {'text' if kind is str else 'a whole number'}")
            return None

        data: dict[str, Any] = {}
        if "dataset" not in d:
            wrong.append("it names no dataset")
        elif not isinstance(d["dataset"], dict):
            wrong.append("its dataset is not a JSON object")
        else:
            data = d["dataset"]
        notes = data.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            wrong.append("the dataset's notes are not all text")
        dataset = DatasetDetails(
            typed(data, "name", str, "the dataset's ") or "",
            typed(data, "train", int, "the dataset's "),
            typed(data, "val", int, "the dataset's "),
            typed(data, "classes", int, "the dataset's "),
            tuple(n for n in notes if isinstance(n, str)) if isinstance(notes, list) else (),
        )
        versions = d.get("versions", {})
        if not isinstance(versions, dict) or not all(isinstance(v, str) for v in versions.values()):
            wrong.append("its versions are not all text")
        return cls(
            spec=spec,
            config=config,
            dataset=dataset,
            device=typed(d, "device", str) or "",
            params=typed(d, "params", int),
            macs=typed(d, "macs", int),
            steps_per_epoch=typed(d, "steps_per_epoch", int),
            total_steps=typed(d, "total_steps", int),
            versions=(
                {k: v for k, v in versions.items() if isinstance(v, str)}
                if isinstance(versions, dict)
                else {}
            ),
            spec_label=typed(d, "spec_label", str) or "",
            base_preset=typed(d, "base_preset", str),
            problem=(
                f"Its {CONFIG} could not be read whole: {'; '.join(wrong)}; the rest is shown."
                if wrong
                else ""
            ),
        )


def _clause(e: Exception) -> str:
    """An error's sentence as a clause inside another one: no full stop, and a lower-case
    first word unless it is an acronym ("AMP mode 'x' is not known")."""
    text = str(e).strip().rstrip(".")
    acronym = text[1:2].isupper()
    return text if acronym else text[:1].lower() + text[1:]

"""A design space: the TOML file that says what every trial shares and what varies.

``[fixed]`` holds spec fields (and ``preset``) and training settings for every trial; ``[vary]``
holds, per field, a list (one of these) or a range table (``low``, ``high``, ``log``, ``step``);
``[sweep]`` holds the objective, sampler, seeds, pruner, complexity band and total trials. The
file is checked when it is read: a mistake is one sentence naming the key and its line.
Parsing and the complexity band are arithmetic (the app's own analysis); no torch.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from dataclasses import dataclass, field, fields
from typing import Any

from ..core.analysis import analyze
from ..core.errors import SpecError
from ..core.spec import ArchSpec
from ..core.words import closest
from ..train.config import DATASETS, TrainConfig
from ..train.errors import TrainError
from .errors import SweepError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

SPEC_FIELDS = tuple(f.name for f in fields(ArchSpec))
# the training settings a space may set: every TrainConfig field but the window's plumbing
TRAIN_FIELDS = tuple(
    f.name for f in fields(TrainConfig) if f.name not in ("report_interval", "download")
)
FIELDS = ("preset", *SPEC_FIELDS, *TRAIN_FIELDS)
OBJECTIVES = ("best_val_accuracy", "last_val_accuracy")
SAMPLERS = ("random", "tpe")
PRUNERS = ("none", "median")
SWEEP_KEYS = (
    "objective",
    "sampler",
    "seed",
    "seeds",
    "pruner",
    "macs_max",
    "macs_min",
    "params_max",
    "params_min",
    "trials",
)
RANGE_KEYS = ("low", "high", "log", "step")
DEFAULT_PRESET = "resnet18"
_MAX_COMBINATIONS = 20_000  # the band check's enumeration stops here (a huge space fits anyway)


def key_line(text: str, table: str, key: str) -> int:
    """The line (1-based) of ``key`` in ``[table]`` of a TOML text, or of the table's header when
    the key cannot be found; 0 when neither can (tomllib reports no lines for keys)."""
    lines = text.splitlines()
    header = re.compile(r"^\s*\[\s*" + re.escape(table) + r"\s*\]\s*(#.*)?$")
    any_header = re.compile(r"^\s*\[")
    key_re = re.compile(r"^\s*(\"|')?" + re.escape(key) + r"(\"|')?\s*=")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return 0
    for i in range(start + 1, len(lines)):
        if any_header.match(lines[i]):
            break
        if key_re.match(lines[i]):
            return i + 1
    return start + 1


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    log: bool = False
    step: float | None = None

    @property
    def integer(self) -> bool:
        whole = all(isinstance(v, int) for v in (self.low, self.high))
        return whole and (self.step is None or isinstance(self.step, int))


@dataclass(frozen=True)
class Space:
    """A parsed space file. ``vary`` maps a field to a list of choices or a :class:`Range`."""

    text: str
    fixed: dict[str, Any]
    vary: dict[str, list[Any] | Range]
    objective: str = "best_val_accuracy"
    sampler: str = "random"
    seed: int = 0
    seeds: int = 1
    pruner: str = "none"
    band: dict[str, float] = field(default_factory=dict)  # macs_max, params_min, …
    trials: int | None = None  # the sweep's total; None: as many as workers are asked for

    # --- reading ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, name: str = "the space file") -> Space:
        """The space in ``text``; SweepError with one sentence naming the key and line."""
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise SweepError(f"{name} is not valid TOML ({e}); fix that line.") from None

        def fail(table: str, key: str, what: str) -> SweepError:
            line = key_line(text, table, key)
            where = f"line {line}" if line else f"[{table}]"
            return SweepError(f"{name}, {where}: {table}.{key} {what}")

        for table in doc:
            if table not in ("fixed", "vary", "sweep"):
                line = key_line(text, table, "")
                raise SweepError(
                    f"{name}, line {line}: [{table}] is not a table of a space file; "
                    "use [fixed], [vary] and [sweep]."
                )
        fixed, vary_doc, sweep = doc.get("fixed", {}), doc.get("vary", {}), doc.get("sweep", {})
        for table, d in (("fixed", fixed), ("vary", vary_doc)):
            if not isinstance(d, dict):
                raise SweepError(f"{name}: {table} must be a table ([{table}]).")
            for key in d:
                if key not in FIELDS:
                    raise fail(
                        table,
                        key,
                        f"is not a spec field or training setting; {closest(key, FIELDS)}",
                    )
        for key in fixed:
            if key in vary_doc:
                raise fail("vary", key, "is also in [fixed]; keep it in one of the two.")
        for key in sweep:
            if key not in SWEEP_KEYS:
                raise fail("sweep", key, f"is not a sweep setting; {closest(key, SWEEP_KEYS)}")

        def setting(key: str, kind: type | tuple[type, ...], default: Any) -> Any:
            v = sweep.get(key, default)
            if v is not None and (not isinstance(v, kind) or isinstance(v, bool)):
                raise fail("sweep", key, f"must be {_words(kind)}, not {v!r}.")
            return v

        objective = setting("objective", str, "best_val_accuracy")
        sampler = setting("sampler", str, "random")
        pruner = setting("pruner", str, "none")
        for key, value, choices in (
            ("objective", objective, OBJECTIVES),
            ("sampler", sampler, SAMPLERS),
            ("pruner", pruner, PRUNERS),
        ):
            if value not in choices:
                raise fail("sweep", key, f"'{value}' is not known; {closest(value, choices)}")
        seeds = setting("seeds", int, 1)
        if seeds < 1:
            raise fail("sweep", "seeds", f"must be at least 1, not {seeds}.")
        trials = setting("trials", int, None)
        if trials is not None and trials < 1:
            raise fail("sweep", "trials", f"must be at least 1, not {trials}.")
        band = {}
        for key in ("macs_max", "macs_min", "params_max", "params_min"):
            v = setting(key, (int, float), None)
            if v is not None:
                if v <= 0:
                    raise fail("sweep", key, f"must be a positive number, not {v}.")
                band[key] = float(v)

        vary: dict[str, list[Any] | Range] = {}
        for key, v in vary_doc.items():
            if isinstance(v, list):
                if not v:
                    raise fail("vary", key, "is an empty list; give at least one value.")
                vary[key] = v
            elif isinstance(v, dict):
                vary[key] = _range(v, lambda what, k=key: fail("vary", k, what))
            else:
                raise fail(
                    "vary",
                    key,
                    f"must be a list of values or a range table {{ low = …, high = … }}, "
                    f"not {v!r}.",
                )
        space = cls(
            text,
            dict(fixed),
            vary,
            objective,
            sampler,
            setting("seed", int, 0),
            seeds,
            pruner,
            band,
            trials,
        )
        space._check(fail)
        return space

    def _check(self, fail: Any) -> None:
        """Every fixed value and every listed choice makes a valid spec and config; some
        configuration fits the band."""
        for table, values in (
            ("fixed", [self.fixed.get("dataset")]),
            ("vary", self._list("dataset")),
        ):
            for v in values:
                if v is not None and v not in DATASETS:
                    raise fail(table, "dataset", f"'{v}' is not known; {closest(str(v), DATASETS)}")
        try:
            self.configure({})
        except (SpecError, TrainError) as e:
            key = getattr(e, "field", None) or "preset"
            table = "fixed" if key in self.fixed else "vary"
            raise fail(table, key, f"does not make a valid setting: {e}") from None
        for key, v in self.vary.items():
            choices = v if isinstance(v, list) else [v.low, v.high]
            for choice in choices:
                try:
                    self.configure({key: choice})
                except (SpecError, TrainError) as e:
                    raise fail("vary", key, f"value {choice!r} is not valid: {e}") from None
        if self.band and not self._some_config_fits():
            key = next(iter(self.band))
            raise fail("sweep", key, f"leaves no configuration of the space: {self.band_text()}.")

    def _list(self, key: str) -> list[Any]:
        v = self.vary.get(key)
        return v if isinstance(v, list) else []

    def _some_config_fits(self) -> bool:
        arch = [k for k in self.vary if k in SPEC_FIELDS or k == "preset"]
        options = [
            v if isinstance(v, list) else ([v.low, v.high] if v.integer else [v.low, v.high])
            for k, v in self.vary.items()
            if k in arch
        ]
        for i, combo in enumerate(itertools.product(*options)):
            if i >= _MAX_COMBINATIONS:
                return True
            try:
                spec, _ = self.configure(dict(zip(arch, combo, strict=True)))
                if self.band_reason(*cost(spec)) is None:
                    return True
            except (SpecError, TrainError):
                continue
        return False

    # --- trials ----------------------------------------------------------------------------
    def defaults(self) -> dict[str, Any]:
        """Each varied field's first choice (or a range's low end)."""
        return {k: (v[0] if isinstance(v, list) else v.low) for k, v in self.vary.items()}

    def configure(self, params: dict[str, Any]) -> tuple[ArchSpec, TrainConfig]:
        """The spec and training settings of a trial with ``params`` (missing varied fields take
        their defaults); SpecError or TrainError when they do not make a valid pair."""
        values = {**self.fixed, **self.defaults(), **params}
        preset = values.pop("preset", DEFAULT_PRESET)
        spec_fields = {k: _tuples(v) for k, v in values.items() if k in SPEC_FIELDS}
        spec = ArchSpec.from_preset(preset, **spec_fields)
        config = TrainConfig(**{k: v for k, v in values.items() if k in TRAIN_FIELDS})
        return spec, config

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Optuna's pick for every varied field (lists are offered as their JSON text, since
        Optuna's choices must be plain scalars); the values themselves, decoded."""
        out: dict[str, Any] = {}
        for key, v in self.vary.items():
            if isinstance(v, Range):
                if v.integer:
                    step = int(v.step or 1)
                    out[key] = trial.suggest_int(key, int(v.low), int(v.high), step=step, log=v.log)
                else:
                    out[key] = trial.suggest_float(key, v.low, v.high, step=v.step, log=v.log)
            else:
                picked = trial.suggest_categorical(key, [encode(c) for c in v])
                out[key] = decode(picked)
        return out

    def band_reason(self, macs: int, params: int) -> str | None:
        """Why a configuration of ``macs`` and ``params`` is outside the band, or None."""
        b = self.band
        if "macs_max" in b and macs > b["macs_max"]:
            return f"{macs:,} MACs is above macs_max {b['macs_max']:,.0f}"
        if "macs_min" in b and macs < b["macs_min"]:
            return f"{macs:,} MACs is below macs_min {b['macs_min']:,.0f}"
        if "params_max" in b and params > b["params_max"]:
            return f"{params:,} parameters is above params_max {b['params_max']:,.0f}"
        if "params_min" in b and params < b["params_min"]:
            return f"{params:,} parameters is below params_min {b['params_min']:,.0f}"
        return None

    def band_text(self) -> str:
        return ", ".join(f"{k} = {v:,.0f}" for k, v in self.band.items())


def cost(spec: ArchSpec) -> tuple[int, int]:
    """MACs per image and parameters, by the app's own analysis (arithmetic, no torch)."""
    totals = analyze(spec).totals
    return int(totals.macs), int(totals.params)


def encode(value: Any) -> Any:
    """A choice as Optuna can store it: lists (and tables) as JSON text."""
    return json.dumps(value) if isinstance(value, (list, dict)) else value


def decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _tuples(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _range(d: dict[str, Any], fail: Any) -> Range:
    for k in d:
        if k not in RANGE_KEYS:
            raise fail(f"has '{k}', which a range does not; {closest(k, RANGE_KEYS)}")
    if "low" not in d or "high" not in d:
        raise fail("is a range and needs both low and high.")
    low, high, log, step = d["low"], d["high"], d.get("log", False), d.get("step")
    for what, v in (("low", low), ("high", high), ("step", step)):
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool)):
            raise fail(f"has {what} = {v!r}, which is not a number.")
    if not isinstance(log, bool):
        raise fail(f"has log = {log!r}; log is true or false.")
    if low > high:
        raise fail(f"has low {low} above high {high}; swap them.")
    if log and low <= 0:
        raise fail(f"is a log range from {low}; a log range starts above 0.")
    if step is not None and (step <= 0 or log):
        raise fail("has a step that is not positive, or a step with log; drop one of them.")
    if not all(math.isfinite(v) for v in (low, high)):
        raise fail("has a bound that is not a finite number.")
    return Range(low, high, log, step)


def _words(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {int: "a whole number", float: "a number", str: "text"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))

"""The spec document: the one copy of what the window is editing, and its events.

:class:`SpecDocument` holds the spec (the last valid one), the preset it was edited from, the
batch size and dtype of the memory figures, and the analysis of all four. A face (the spec
panel) hands it the fields as typed; the document builds and validates the spec once, analyses
it once, and tells its subscribers through two events:

- ``changed(doc)``: a new valid spec, base, batch or dtype; ``doc.analysis`` is current.
- ``invalid(doc)``: the fields as typed are wrong; ``doc.errors`` holds every wrong field's
  error (not only the first), and ``doc.spec`` stays the last valid spec.

The events are napari-style plain Python: callbacks are held weakly where they are bound
methods (a view that goes away stops listening, and no cycle keeps it alive), strongly where
they are plain functions.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from typing import Any

from .analysis import DTYPE_BYTES, Analysis, analyze
from .errors import SpecError
from .presets import PRESETS, closest_preset, preset_of, spec_label
from .spec import ArchSpec

MAX_BATCH = 1 << 20
MAX_ERRORS = 12  # more wrong fields than a panel has rows is not a user's doing


class Event:
    """Callbacks called in the order connected; bound methods held by weak reference."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[], Callable[..., Any] | None]] = []

    def connect(self, callback: Callable[..., Any]) -> None:
        if hasattr(callback, "__self__") and hasattr(callback, "__func__"):
            ref: Callable[[], Callable[..., Any] | None] = weakref.WeakMethod(callback)
        else:
            ref = _Strong(callback)
        self._callbacks.append(ref)

    def disconnect(self, callback: Callable[..., Any]) -> None:
        self._callbacks = [r for r in self._callbacks if r() not in (callback, None)]

    def emit(self, *args: Any) -> None:
        for ref in list(self._callbacks):  # a copy: a callback may connect or disconnect
            fn = ref()
            if fn is not None:
                fn(*args)
        self._callbacks = [r for r in self._callbacks if r() is not None]  # the dead go

    def __len__(self) -> int:
        return sum(1 for r in self._callbacks if r() is not None)


class _Strong:
    __slots__ = ("fn",)

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self) -> Callable[..., Any]:
        return self.fn


def validate(fields: Mapping[str, Any], batch_size: int = 1) -> ArchSpec | list[SpecError]:
    """The spec of ``fields``, or the error of every wrong field: after each error the field
    takes the nearest value its own check accepts (layers[1] 0 → 1) and the spec is tried
    again, so two wrong fields give two errors. A batch size outside 1 to 2**20 is one too."""
    errors: list[SpecError] = []
    if not 1 <= batch_size <= MAX_BATCH:
        near = 1 if batch_size < 1 else MAX_BATCH
        how = "at least 1" if batch_size < 1 else f"at most {MAX_BATCH:,}"
        errors.append(
            SpecError(
                "batch_size",
                batch_size,
                f"batch_size is {batch_size:,}",
                f"it must be {how}",
                subject="batch_size",
                nearest=near,
            )
        )
    trial = dict(fields)
    while len(errors) < MAX_ERRORS:
        try:
            spec = ArchSpec(**trial)
        except SpecError as e:
            errors.append(e)
            if not e.has_nearest or e.field not in trial:
                return errors
            trial[e.field] = _with_nearest(trial[e.field], e)
            continue
        return errors or spec
    return errors


def _with_nearest(value: Any, e: SpecError) -> Any:
    """``value`` with the wrong item (or the whole value) replaced by ``e.nearest``."""
    if e.index is None:
        return e.nearest
    items = [value] * 2 if isinstance(value, int) else list(value)  # a square input size
    items[e.index] = e.nearest
    return tuple(items)


class SpecDocument:
    """What the window edits: spec, base preset, batch size, dtype, and their analysis."""

    def __init__(self, preset: str = "resnet18") -> None:
        self.changed = Event()
        self.invalid = Event()
        self.base_preset = preset
        self.spec: ArchSpec = ArchSpec.from_preset(preset)  # the last valid spec
        self.batch_size = 1
        self.dtype = "float32"
        self.errors: list[SpecError] = []
        self._label: str | None = None
        self.analysis: Analysis = analyze(self.spec, self.batch_size, self.dtype)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def label(self) -> str:
        """The spec's one name: "resnet50", "resnet50 (edited)" or "custom" (named once per
        change, however many views ask)."""
        if self._label is None:
            self._label = spec_label(self.spec, self.base_preset)
        return self._label

    # --- edits ---------------------------------------------------------------------------------
    def set_fields(
        self, fields: Mapping[str, Any], batch_size: int | None = None, dtype: str | None = None
    ) -> bool:
        """The fields as a face holds them (values may be wrong): validated once, analysed once,
        then ``changed`` or ``invalid``. True if they were valid."""
        batch = self.batch_size if batch_size is None else batch_size
        result = validate(fields, batch)
        if isinstance(result, list):
            self.errors = result
            self.invalid.emit(self)
            return False
        self._set(result, batch, dtype or self.dtype, self.base_preset)
        return True

    def set_spec(self, spec: ArchSpec, base_preset: str | None = None) -> None:
        """A whole spec (opened, restored, adapted to a dataset): its base is ``base_preset``,
        else its preset, else the preset of the same blocks, else the current base."""
        base = base_preset if base_preset in PRESETS else None
        base = base or preset_of(spec) or closest_preset(spec) or self.base_preset
        self._set(spec, self.batch_size, self.dtype, base)

    def load_preset(self, name: str) -> None:
        self.set_spec(ArchSpec.from_preset(name), name)

    def set_memory(self, batch_size: int | None = None, dtype: str | None = None) -> None:
        """The batch size and dtype of the memory figures."""
        batch = self.batch_size if batch_size is None else batch_size
        if not 1 <= batch <= MAX_BATCH or (dtype is not None and dtype not in DTYPE_BYTES):
            self.set_fields(self.spec.to_dict(), batch, dtype)  # says what is wrong
            return
        self._set(self.spec, batch, dtype or self.dtype, self.base_preset)

    def _set(self, spec: ArchSpec, batch: int, dtype: str, base: str) -> None:
        was_valid = not self.errors
        same = (spec, batch, dtype, base) == (
            self.spec,
            self.batch_size,
            self.dtype,
            self.base_preset,
        )
        self.errors = []
        if same and was_valid:
            return  # nothing to tell: an edit that lands where it was
        if (spec, batch, dtype) != (self.analysis.spec, self.analysis.batch_size, self.dtype):
            self.analysis = analyze(spec, batch, dtype)
        self.spec, self.batch_size, self.dtype, self.base_preset = spec, batch, dtype, base
        self._label = None
        self.changed.emit(self)

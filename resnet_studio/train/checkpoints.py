"""Checkpoint files: written atomically, read with ``weights_only=True``.

A checkpoint holds tensors and plain data only, so that a run folder from elsewhere runs no
code when it is loaded; anything else is a bug, caught when saving rather than at resume time.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from .. import atomic
from .errors import TrainError


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """torch.save into memory, then an atomic write: a checkpoint on disk is never half-written."""
    import torch

    _check_plain(state, "state")
    buf = io.BytesIO()
    torch.save(state, buf)
    atomic.atomic_write_bytes(path, buf.getvalue())


_PLAIN = (str, int, float, bool, type(None))


def _check_plain(value: Any, where: str) -> None:
    import torch

    if isinstance(value, dict):  # OrderedDict and Counter (a MultiStepLR's milestones) too
        for k, v in value.items():
            _check_plain(k, where)
            _check_plain(v, f"{where}[{k!r}]")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
    elif not (type(value) in _PLAIN or isinstance(value, torch.Tensor)):  # np.float64 is a float
        raise TypeError(f"A checkpoint holds only tensors and plain data, not {where}: {value!r}")


def load_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint's dict, read with ``weights_only=True``: a file from elsewhere runs no code.

    Anything but tensors and plain data, a damaged file or no file is one sentence (TrainError).
    """
    from .weights import load_tensors

    path = Path(path)
    if not path.exists():
        raise TrainError(
            f"There is no checkpoint at {path}; the run has not finished an epoch "
            f"or been stopped yet."
        )
    state = load_tensors(path, "checkpoint")
    if not isinstance(state, dict):
        raise TrainError(
            f"The checkpoint {path} holds a {type(state).__name__}, not a ResNet Studio checkpoint."
        )
    return state

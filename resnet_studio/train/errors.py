"""The error a user can cause when training: a missing dataset, a bad checkpoint, no device."""

from __future__ import annotations


class TrainError(RuntimeError):
    """One plain sentence that says what went wrong and what to do; ``str(err)`` is shown as is."""

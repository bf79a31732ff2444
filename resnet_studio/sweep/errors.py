"""The error a user can cause with a sweep: a bad space file, an unknown storage or sweep."""

from __future__ import annotations

from ..train.errors import TrainError


class SweepError(TrainError):
    """One plain sentence that says what went wrong and what to do. A TrainError, so that every
    face that already shows a training mistake as a sentence shows this one too."""

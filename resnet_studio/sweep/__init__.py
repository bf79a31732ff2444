"""Design-space sweeps on Optuna: space files, workers, following a storage, EDF and bootstrap.

Optuna's storage is the protocol between workers: a journal file (on a shared folder) or a
PostgreSQL/MySQL URL. ``space`` reads the TOML space file; ``storage`` opens a storage from its
URL and creates, lists and loads sweeps; ``heartbeat`` keeps a journal trial's pulse and fails
the trials of dead workers; ``worker`` runs trials as normal run folders through the public
Trainer and the run recorder; ``results`` reads a sweep's trials as plain rows; ``analysis`` has
the error EDF and the bootstrap of the best range. Qt-free; only ``worker`` imports torch, and
only when a trial trains.
"""

from __future__ import annotations

from .errors import SweepError

__all__ = ["SweepError"]

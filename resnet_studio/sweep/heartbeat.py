"""A journal trial's pulse, and failing the trials of dead workers.

Optuna 5.1 has heartbeats for database storages only (``heartbeat_interval``, ``grace_period``,
``fail_stale_trials``). For the journal file, a worker's thread writes the time into its running
trial's system attribute ``heartbeat`` every few seconds; a worker that starts (or starts a
trial) fails every running trial whose last pulse, or start, is older than the grace period.
"""

from __future__ import annotations

import threading
import time
from typing import Any

HEARTBEAT_KEY = "heartbeat"
STALE_REASON = "its worker stopped ({} s without a heartbeat: killed, or its machine went down)"


def is_journal(storage: Any) -> bool:
    from optuna.storages import JournalStorage

    return isinstance(storage, JournalStorage)


class Pulse:
    """Beats into a journal trial from a thread until stopped (a context manager)."""

    def __init__(self, storage: Any, trial_id: int, interval_s: float) -> None:
        self.storage, self.trial_id, self.interval = storage, trial_id, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="sweep-heartbeat", daemon=True)

    def _beat(self) -> None:
        while True:
            try:
                self.storage.set_trial_system_attr(self.trial_id, HEARTBEAT_KEY, time.time())
            except Exception:  # the trial ended under us (UpdateFinishedTrialError): done
                return
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> Pulse:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def fail_stale_trials(study: Any, grace_s: float) -> list[int]:
    """Fail the running trials whose workers died; their numbers. For a database storage this is
    Optuna's own ``fail_stale_trials``; for the journal, the pulse above."""
    import optuna
    from optuna.trial import TrialState

    storage = study._storage
    before = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))}
    if not is_journal(storage):
        optuna.storages.fail_stale_trials(study)
        after = study.get_trials(deepcopy=False, states=(TrialState.FAIL,))
        return sorted(t.number for t in after if t.number in before)
    failed = []
    now = time.time()
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        beat = t.system_attrs.get(HEARTBEAT_KEY)
        last = float(beat) if isinstance(beat, (int, float)) else _started(t)
        if now - last < grace_s:
            continue
        try:
            storage.set_trial_user_attr(t._trial_id, "error", STALE_REASON.format(int(now - last)))
            storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
            failed.append(t.number)
        except optuna.exceptions.UpdateFinishedTrialError:
            pass  # another worker failed it first, or it ended after all
    return failed


def _started(trial: Any) -> float:
    return trial.datetime_start.timestamp() if trial.datetime_start else time.time()

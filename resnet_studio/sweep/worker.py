"""A worker: pulls trials from a sweep's storage and trains each as a normal run folder.

Every trial (and every seed of it) is trained by the public :class:`Trainer` with the
:class:`RunRecorder`, as ``resnet-studio train`` does, in a run folder under ``root`` tagged with
``sweep.json`` (the sweep, the trial, the seed) and named and tagged in ``meta.json``, so
``runs``, the Train tab, inspect and export all see it. Configurations outside the complexity
band are not trained: the trial is pruned with the reason in its ``skipped`` attribute. With
``pruner = "median"`` each epoch's validation accuracy is reported to Optuna, and a trial it
prunes stops after that epoch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import atomic_write_json
from ..train.events import Callback, EpochMetrics, RunStatus
from .errors import SweepError
from .heartbeat import Pulse, fail_stale_trials, is_journal
from .space import Space, cost
from .storage import GRACE_S, HEARTBEAT_S, load_sweep, open_storage

MAX_SKIPS = 1000  # configurations in a row outside the band before a worker gives up
TAG_FILE = "sweep.json"


class TrialFailed(Exception):
    """A trial's run failed (its sentence is the trial's ``error`` attribute)."""


def _seed_for(seed: int, number: int) -> int:
    """The same trial number draws the same configuration, whichever worker runs it."""
    digest = hashlib.sha256(f"{seed}:{number}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


def make_sampler(space: Space) -> Any:
    import optuna

    base = optuna.samplers.TPESampler if space.sampler == "tpe" else optuna.samplers.RandomSampler

    class TrialSeeded(base):  # type: ignore[misc, valid-type]
        """Seeded per trial number: two workers never draw the same random sequence."""

        def before_trial(self, study: Any, trial: Any) -> None:
            s = _seed_for(space.seed, trial.number)
            self._rng.rng.seed(s)
            if hasattr(self, "_random_sampler"):
                self._random_sampler._rng.rng.seed(s)
            super().before_trial(study, trial)

    return TrialSeeded(seed=space.seed)


def make_pruner(space: Space) -> Any:
    import optuna

    if space.pruner == "median":  # Optuna's defaults: 5 trials before it prunes any
        return optuna.pruners.MedianPruner()
    return optuna.pruners.NopPruner()


class _Reporter(Callback):
    """Each epoch's validation accuracy to Optuna; stops the run when the pruner says so."""

    def __init__(self, trial: Any, offset: int, prune: bool) -> None:
        self.trial, self.offset, self.prune = trial, offset, prune
        self.pruned = False
        self.last_val: float | None = None

    def on_epoch_end(self, trainer: Any, m: EpochMetrics) -> None:
        self.last_val = m.val_accuracy
        if not self.prune or m.val_accuracy is None:
            return
        self.trial.report(m.val_accuracy, self.offset + m.epoch)
        if self.trial.should_prune():
            self.pruned = True
            trainer.stop()


@dataclass
class WorkResult:
    trained: int = 0
    skipped: int = 0
    failed: int = 0
    pruned: int = 0
    stale: tuple[int, ...] = ()


class Worker:
    """Runs trials of one sweep until ``trials`` are trained (or the sweep's total is reached)."""

    def __init__(
        self,
        name: str,
        storage_url: str | None = None,
        root: Path | None = None,
        *,
        heartbeat_s: float = HEARTBEAT_S,
        grace_s: float = GRACE_S,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.name, self.root, self.echo = name, root, echo
        self.heartbeat_s, self.grace_s = heartbeat_s, grace_s
        self.storage = open_storage(storage_url, int(max(1, heartbeat_s)), int(max(1, grace_s)))
        import optuna

        # a failed trial is our one line (its run's sentence); Optuna's warning adds a traceback
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        _, space = load_sweep(name, self.storage)
        self.space = space
        self.study, _ = load_sweep(name, self.storage, make_sampler(space), make_pruner(space))
        self.trainer: Any = None  # the run under way, for a stop from a signal handler
        self._stopping = False
        self._last: str = ""

    def stop(self) -> None:
        """Stop after the run under way (it is marked stopped, its trial failed)."""
        self._stopping = True
        if self.trainer is not None:
            self.trainer.stop()

    # --- the loop -------------------------------------------------------------------------
    def retry_failed(self) -> list[int]:
        """Enqueue each failed trial's configuration once more; the numbers retried."""
        from optuna.trial import TrialState

        trials = self.study.get_trials(deepcopy=False)
        retried = {t.user_attrs.get("retry_of") for t in trials}
        out = []
        for t in trials:
            if t.state == TrialState.FAIL and t.number not in retried:
                self.study.enqueue_trial(t.params, user_attrs={"retry_of": t.number})
                out.append(t.number)
        return out

    def _sweep_full(self) -> bool:
        from optuna.trial import TrialState

        if self.space.trials is None:
            return False
        counted = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
        trials = self.study.get_trials(deepcopy=False, states=counted)
        return sum("skipped" not in t.user_attrs for t in trials) >= self.space.trials

    def run(self, trials: int | None, retry_failed: bool = False) -> WorkResult:
        """Train up to ``trials`` trials (None: until the sweep's own total is reached), after
        failing dead workers' trials and, with ``retry_failed``, queueing failed ones again."""
        if trials is None and self.space.trials is None:
            raise SweepError(
                f"Say how many trials to run: --trials N, or trials = N in the [sweep] table of "
                f"{self.name}'s space."
            )
        result = WorkResult(stale=tuple(fail_stale_trials(self.study, self.grace_s)))
        for n in result.stale:
            self.echo(f"trial {n} failed: its worker stopped without a heartbeat")
        if retry_failed:
            for n in self.retry_failed():
                self.echo(f"trial {n} queued again")
        skips = 0
        while (trials is None or result.trained < trials) and not self._stopping:
            if self._sweep_full():
                break
            if is_journal(self.storage):
                result.stale += tuple(fail_stale_trials(self.study, self.grace_s))
            self._last = ""
            self.study.optimize(self._objective, n_trials=1, catch=(TrialFailed,))
            if self._last == "skipped":
                result.skipped += 1
                skips += 1
                if skips >= MAX_SKIPS:
                    raise SweepError(
                        f"{MAX_SKIPS} configurations in a row fell outside the band "
                        f"({self.space.band_text()}); widen it or narrow the space."
                    )
                continue
            skips = 0
            result.trained += 1
            result.failed += self._last == "failed"
            result.pruned += self._last == "pruned"
        return result

    # --- one trial ------------------------------------------------------------------------
    def _objective(self, trial: Any) -> float:
        import optuna

        from ..core.errors import SpecError
        from ..train.errors import TrainError

        space = self.space
        params = space.suggest(trial)
        try:
            spec, config = space.configure(params)
            macs, n_params = cost(spec)
        except (SpecError, TrainError) as e:  # a combination of valid choices that is not
            return self._skip(trial, f"not a valid configuration: {e}")
        trial.set_user_attr("macs", macs)
        trial.set_user_attr("params", n_params)
        reason = space.band_reason(macs, n_params)
        if reason:
            return self._skip(trial, reason)
        pulse = Pulse(self.storage, trial._trial_id, self.heartbeat_s)
        with pulse if is_journal(self.storage) else contextlib.nullcontext():
            return self._train(trial, spec, config, optuna)

    def _skip(self, trial: Any, reason: str) -> float:
        import optuna

        trial.set_user_attr("skipped", reason)
        self._last = "skipped"
        raise optuna.TrialPruned(reason)

    def _train(self, trial: Any, spec: Any, config: Any, optuna: Any) -> float:
        from ..train.records import RunRecorder, new_run_dir
        from ..train.run import META
        from ..train.trainer import Trainer

        space = self.space
        values: list[float] = []
        run_dirs: list[str] = []
        t0 = time.monotonic()
        for i in range(space.seeds):
            label = f"{self.name}-t{trial.number}" + (f"-s{i}" if space.seeds > 1 else "")
            run_dir = new_run_dir(self.root, label)
            seed = config.seed + i
            tag = {"sweep": self.name, "trial": trial.number, "seed": seed, "params": trial.params}
            atomic_write_json(run_dir / TAG_FILE, tag)
            # the run table's name and tags (meta.json, as a user's renaming writes them)
            words = [f"sweep:{self.name}", f"trial:{trial.number}"]
            atomic_write_json(
                run_dir / META,
                {"name": label.replace(f"-t{trial.number}", f" #{trial.number}"), "tags": words},
            )
            run_dirs.append(str(run_dir))
            trial.set_user_attr("run_dirs", run_dirs)
            reporter = _Reporter(trial, i * config.epochs, space.pruner == "median")
            self.trainer = Trainer(
                spec,
                dataclasses.replace(config, seed=seed),
                [RunRecorder(run_dir), reporter],
                run_dir=str(run_dir),
            )
            end = self.trainer.run()
            self.trainer = None
            if reporter.pruned:
                self._last = "pruned"
                trial.set_user_attr("values", values)
                self.echo(f"trial {trial.number} pruned after epoch {end.epoch} ({run_dir.name})")
                raise optuna.TrialPruned()
            if end.status != RunStatus.FINISHED:
                why = end.reason or f"its run was {end.status.value}"
                trial.set_user_attr("error", why)
                self._last = "failed"
                self.echo(f"trial {trial.number} failed: {why}")
                raise TrialFailed(why)
            value = (
                end.best_val_accuracy
                if space.objective == "best_val_accuracy"
                else reporter.last_val
            )
            if value is None:
                why = "it has no validation split (val_fraction = 0); give one to compare trials"
                trial.set_user_attr("error", why)
                self._last = "failed"
                raise TrialFailed(why)
            values.append(float(value))
            trial.set_user_attr("values", values)
        mean = sum(values) / len(values)
        self._last = "complete"
        shown = ", ".join(f"{k}={v}" for k, v in trial.params.items())
        self.echo(f"trial {trial.number}: {mean:.4f} in {time.monotonic() - t0:.1f} s ({shown})")
        return mean

"""The run manager: every run on disk and in flight, and what can be done to them. Qt-free.

It owns the :class:`~.run.Run` records (read from the runs folder, or made by :meth:`start`),
the queue and its parallelism, and start, pause, resume, stop, rename, tag and delete. It
tells its listeners through plain events (napari's pattern: a Qt-free model with events, and a
thin Qt adapter over it). Trainers run on threads of their own; their reports reach the
manager through ``dispatch``, which the window sets to "run this on the GUI thread", so that
runs change, and events fire, on one thread only. Without a dispatcher they are handled on the
training thread (scripts, tests).
"""

from __future__ import annotations

import contextlib
import inspect
import shutil
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.presets import closest_preset, preset_of
from ..core.spec import ArchSpec
from .config import TrainConfig
from .details import DatasetDetails, RunDetails
from .errors import TrainError
from .events import Callback, EpochMetrics, RunEnd, RunInfo, RunStatus, StepMetrics
from .lock import holder
from .recorder import RunRecorder, new_run_dir
from .records import default_runs_dir, list_runs
from .run import Run, free_colour, label_runs

EMIT_INTERVAL = 0.08  # seconds: steps reach the manager in batches, at most ~12 a second
PENDING = ".deleted"  # deleted runs wait here, undoable, until they go to the trash


class Event:
    """A list of listeners, called in order with the event's arguments.

    A bound method is held by a weak reference (napari's rule): a view that goes away stops
    listening without a disconnect, and the manager keeps no view alive. A plain function or
    lambda is held as given.
    """

    def __init__(self) -> None:
        self._listeners: list[Callable[[], Callable[..., Any] | None]] = []

    @staticmethod
    def _ref(listener: Callable[..., Any]) -> Callable[[], Callable[..., Any] | None]:
        if inspect.ismethod(listener):
            return weakref.WeakMethod(listener)
        return lambda: listener

    def connect(self, listener: Callable[..., Any]) -> None:
        self._listeners.append(self._ref(listener))

    def disconnect(self, listener: Callable[..., Any]) -> None:
        self._listeners = [r for r in self._listeners if r() not in (listener, None)]

    def emit(self, *args: Any) -> None:
        for ref in list(self._listeners):
            listener = ref()
            if listener is None:
                with contextlib.suppress(ValueError):
                    self._listeners.remove(ref)
            else:
                listener(*args)


@dataclass(frozen=True)
class Deletion:
    """A deleted run, undoable until :meth:`RunManager.finish_deletion` sends it to the trash."""

    run: Run
    index: int
    pending: Path  # where its folder waits


class RunBridge(Callback):
    """The trainer's events, handed to the manager on its own thread; steps in batches."""

    def __init__(self, manager: RunManager, run: Run) -> None:
        self.manager, self.run = manager, run
        self._pending: list[StepMetrics] = []
        self._last = 0.0

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        self.manager._dispatch(lambda: fn(self.run, *args))

    def _flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self._post(self.manager._steps, batch)
            self._last = time.monotonic()

    def on_run_start(self, trainer: Any, info: RunInfo) -> None:
        self._post(self.manager._started, info)

    def on_steps(self, trainer: Any, steps: list[StepMetrics]) -> None:
        self._pending.extend(steps)
        if time.monotonic() - self._last >= EMIT_INTERVAL:
            self._flush()

    def on_epoch_end(self, trainer: Any, metrics: EpochMetrics) -> None:
        self._flush()
        self._post(self.manager._epoch, metrics)

    def on_pause(self, trainer: Any, paused: bool) -> None:
        self._flush()
        self._post(self.manager._paused, paused)

    def on_note(self, trainer: Any, text: str) -> None:
        self._post(self.manager._note, text)

    def on_run_end(self, trainer: Any, end: RunEnd) -> None:
        self._flush()
        self._post(self.manager._ended, end)


class RunManager:
    """Runs on disk and in flight: a typed list with a queue, actions and events."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        dispatch: Callable[[Callable[[], None]], None] | None = None,
        max_parallel: int = 2,
        threads: int | None = None,
    ) -> None:
        self.root = Path(root or default_runs_dir())
        self._dispatch = dispatch or (lambda fn: fn())
        self.max_parallel = max_parallel
        self.threads = threads  # torch's intra-op threads for runs started here
        self.runs: list[Run] = []
        self.queue: list[Run] = []
        self._trainers: dict[int, Any] = {}  # id(run) -> its Trainer, while it has one
        self._threads: dict[int, threading.Thread] = {}
        self._reader: ThreadPoolExecutor | None = None  # reads past runs' steps
        # each change of the list fires before (the runs unchanged) and after it (changed)
        self.adding = Event()  # (run, index)
        self.added = Event()  # (run, index)
        self.removing = Event()  # (run, index)
        self.removed = Event()  # (run, index)
        self.changed = Event()  # (run): status, name, tags, info, epochs
        self.progressed = Event()  # (run): new steps
        self.noted = Event()  # (run, sentence)
        self.ended = Event()  # (run): its end is decided and written
        self.refused = Event()  # (run, sentence): a resume that could not begin

    # --- reading ---------------------------------------------------------------------------
    def load(self, steps: bool = True) -> None:
        """The runs under the root, oldest first, with their curves (the steps' only if
        ``steps``); deleted runs left pending by a crash go to the trash."""
        for d in sorted((self.root / PENDING).glob("*")) if (self.root / PENDING).is_dir() else ():
            self._trash(d)
        known = {r.dir for r in self.runs}
        summaries = [s for s in reversed(list_runs(self.root)) if s.dir not in known]
        # each run's own colour first, so that no run takes another's before it is read
        colours = self._colours()
        own: dict[Path, str] = {}
        for summary in summaries:
            colour = summary.meta.get("colour")
            if isinstance(colour, str) and colour not in colours:
                colours.add(colour)
                own[summary.dir] = colour
        for summary in summaries:
            mine = own.get(summary.dir)
            run = Run.from_disk(summary, colours - {mine} if mine else colours, steps)
            if run.colour != mine:  # none yet (a run trained from the command line): kept now
                colours.add(run.colour)
                if run.status != RunStatus.UNREADABLE:
                    with contextlib.suppress(OSError):  # a read-only folder: given again next time
                        run.save_meta()
            self._add(run, relabel=False)
        for run in label_runs(self.runs):
            self.changed.emit(run)

    def request_steps(self, run: Run) -> None:
        """Read a past run's step curves, on a thread of their own; ``changed`` fires once
        they are in. Lists and tables never need them: the run's summary holds its epochs."""
        if run.curves != "unread":
            return
        run.curves = "reading"
        if self._reader is None:
            self._reader = ThreadPoolExecutor(1, thread_name_prefix="run curves")

        def read() -> None:
            try:
                steps = run.read_steps()
            except OSError:
                steps = []
            self._dispatch(lambda: self._steps_read(run, steps))

        self._reader.submit(read)

    def _steps_read(self, run: Run, steps: list[StepMetrics]) -> None:
        if run.curves == "reading":  # not live since: a resumed run's steps come from it
            run.set_steps(steps)
            self.changed.emit(run)

    def find(self, key: str) -> Run | None:
        """A run by its folder name, or by its own name if that is unique."""
        by_id = [r for r in self.runs if r.id == key]
        by_name = [r for r in self.runs if r.name and r.name == key]
        if by_id:
            return by_id[0]
        return by_name[0] if len(by_name) == 1 else None

    def is_live(self, run: Run) -> bool:
        return id(run) in self._trainers and not self.is_queued(run)

    def is_queued(self, run: Run) -> bool:
        return any(q is run for q in self.queue)

    def is_paused(self, run: Run) -> bool:
        trainer = self._trainers.get(id(run))
        return bool(trainer is not None and trainer.paused)

    def is_idle(self, run: Run | None) -> bool:
        """Neither training nor waiting: it may be resumed, renamed away or deleted."""
        return run is not None and id(run) not in self._trainers

    def can_resume(self, run: Run | None) -> bool:
        return (
            self.is_idle(run)
            and run is not None
            and run.status in (RunStatus.STOPPED, RunStatus.CRASHED, RunStatus.FAILED)
            and "last" in run.checkpoints()
        )

    @property
    def active(self) -> int:
        """Runs training or waiting to."""
        return len(self._trainers)

    # --- actions ---------------------------------------------------------------------------
    def start(
        self,
        spec: ArchSpec,
        config: TrainConfig,
        spec_label: str = "",
        base_preset: str | None = None,
    ) -> Run:
        """A new run of ``spec`` (its own copy), started now or queued; TrainError if its folder
        cannot be made. ``base_preset`` is the preset the spec was edited from."""
        from .trainer import Trainer

        if self.threads and config.threads is None:
            config = TrainConfig.from_dict({**config.to_dict(), "threads": self.threads})
        closest = closest_preset(spec)
        arch = preset_of(spec) or (f"{closest}-custom" if closest else "custom")
        try:
            run_dir = new_run_dir(self.root, f"{arch}-{config.dataset}")
        except OSError as e:
            raise TrainError(
                f"A run folder cannot be made in {self.root} ({e.strerror}); free some space "
                f"or check that the folder can be written."
            ) from None
        recorder = RunRecorder(run_dir)  # the folder's lock, before anything is written
        run = Run(run_dir.name, run_dir, free_colour(self._colours()), started=time.time())
        run.info = RunDetails(  # what it will train; the trainer resolves the rest at its start
            spec=spec,
            config=config,
            dataset=DatasetDetails(config.dataset),
            spec_label=spec_label,
            base_preset=base_preset,
        )
        with contextlib.suppress(OSError):  # the colour is kept for the run's life
            run.save_meta()
        trainer = Trainer(spec, config, [recorder, RunBridge(self, run)], run_dir=str(run_dir))
        self._add(run)
        self._launch_or_queue(run, trainer)
        return run

    def resume(self, run: Run) -> None:
        """Continue a stopped, crashed or failed run from its last checkpoint, on its curve.

        The folder is taken at once (TrainError naming the process that writes it, if one
        does); the checkpoint, weights and optimizer state, is read on the run's own thread,
        and a checkpoint that cannot be read comes back through ``refused``."""
        if not self.is_idle(run):
            return
        recorder = RunRecorder(run.dir)
        run.reason = ""  # "Stopped at step 37; resume it" no longer holds
        before = run.status
        self._trainers[id(run)] = None  # busy: no second resume, no delete, while it loads
        self._set_status(run, RunStatus.STARTING)

        def load() -> None:
            from .trainer import Trainer

            try:
                trainer = Trainer.from_run_dir(run.dir, [recorder, RunBridge(self, run)])
            except TrainError as e:
                recorder.release()
                sentence = str(e)
                self._dispatch(lambda: self._resume_refused(run, before, sentence))
                return
            if self.threads and trainer.config.threads is None:
                trainer.config = TrainConfig.from_dict(
                    {**trainer.config.to_dict(), "threads": self.threads}
                )
            self._dispatch(lambda: self._resume_loaded(run, trainer))

        threading.Thread(target=load, name=f"resume {run.id}", daemon=True).start()

    def _resume_loaded(self, run: Run, trainer: Any) -> None:
        del self._trainers[id(run)]
        run.truncate(trainer.start_step)
        run.curves = "live"
        self._launch_or_queue(run, trainer)

    def _resume_refused(self, run: Run, before: RunStatus, sentence: str) -> None:
        self._trainers.pop(id(run), None)
        run.reason = sentence
        self._set_status(run, before)
        self.refused.emit(run, sentence)

    def toggle_pause(self, run: Run) -> None:
        trainer = self._trainers.get(id(run))
        if trainer is None or self.is_queued(run):
            return  # a resume still reading its checkpoint has none yet
        if trainer.paused:
            trainer.resume()
        else:
            trainer.pause()

    def stop(self, run: Run) -> None:
        """Stop after the current step (with a checkpoint); a queued run leaves the queue."""
        if self.is_queued(run):
            self.queue.remove(run)
            queued = self._trainers.pop(id(run), None)
            for cb in getattr(queued, "callbacks", []):
                if isinstance(cb, RunRecorder):
                    cb.release()  # it never started: its folder is free again
            if not run.reason:
                run.reason = "Stopped while it waited in the queue; it never trained."
            self._set_status(run, RunStatus.STOPPED)
            return
        trainer = self._trainers.get(id(run))
        if trainer is not None:
            trainer.stop()
            if run.status in (RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.STARTING):
                self._set_status(run, RunStatus.STOPPING)

    def stop_all(self, timeout: float = 60.0) -> bool:
        """Stop every run (each saves a checkpoint) and join their threads; True if all ended."""
        for run in list(self.queue):
            self.stop(run)
        for run in [r for r in self.runs if id(r) in self._trainers]:
            self.stop(run)
        deadline = time.monotonic() + timeout
        for thread in list(self._threads.values()):
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads.values())

    def rename(self, run: Run, name: str) -> None:
        run.name = " ".join(name.split())
        self._relabel(run)  # a named run does not count among those that read alike
        self._save_meta(run)

    def set_tags(self, run: Run, tags: list[str]) -> None:
        run.tags = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
        self._save_meta(run)

    def delete(self, run: Run) -> Deletion:
        """Take ``run`` out of the list and its folder aside, undoable until
        :meth:`finish_deletion`; TrainError if it trains or its folder cannot be moved."""
        if not self.is_idle(run):
            raise TrainError(f"{run.label} is training; stop it before deleting it.")
        writer = holder(run.dir)
        if writer is not None:
            raise TrainError(
                f"{run.label} is being written by {writer}; stop that run before deleting it."
            )
        pending = self.root / PENDING / run.id
        try:
            pending.parent.mkdir(parents=True, exist_ok=True)
            if run.dir.exists():
                run.dir.rename(pending)
        except OSError as e:
            raise TrainError(
                f"Could not delete {run.dir} ({e.strerror}); the run stays in the list."
            ) from None
        index = self.runs.index(run)
        self.removing.emit(run, index)
        self.runs.pop(index)
        self.removed.emit(run, index)
        for r in label_runs([r for r in self.runs if r.base_label == run.base_label]):
            self.changed.emit(r)  # numbered again as the next session will number them
        return Deletion(run, index, pending)

    def undo_deletion(self, deletion: Deletion) -> None:
        run = deletion.run
        try:
            if deletion.pending.exists():
                deletion.pending.rename(run.dir)
        except OSError as e:
            raise TrainError(f"Could not bring {run.dir} back ({e.strerror}).") from None
        self._add(run, min(deletion.index, len(self.runs)))

    def finish_deletion(self, deletion: Deletion) -> str:
        """Send the folder to the desktop's trash (or delete it where there is none); says
        which."""
        if not deletion.pending.exists():  # a run that never started: it had no folder
            return f"Removed {deletion.run.label} from the list."
        return self._trash(deletion.pending)

    # --- the trainers' reports, on the manager's thread ------------------------------------
    def _started(self, run: Run, info: RunInfo) -> None:
        run.total_steps = info.details.total_steps or 0
        # its settings as the trainer resolved them, named as the window named them
        run.info = replace(
            info.details, spec_label=run.info.spec_label, base_preset=run.info.base_preset
        )
        if run.status != RunStatus.STOPPING:
            run.status = RunStatus.RUNNING
        run._base = None  # its settings, as the trainer resolved them
        self._relabel(run)
        self.changed.emit(run)

    def _steps(self, run: Run, steps: list[StepMetrics]) -> None:
        run.add_steps(steps)
        self.progressed.emit(run)

    def _epoch(self, run: Run, metrics: EpochMetrics) -> None:
        run.add_epoch(metrics)
        self.changed.emit(run)

    def _paused(self, run: Run, paused: bool) -> None:
        if run.status != RunStatus.STOPPING:
            self._set_status(run, RunStatus.PAUSED if paused else RunStatus.RUNNING)

    def _note(self, run: Run, text: str) -> None:
        run.notes.append(text)
        self.noted.emit(run, text)

    def _ended(self, run: Run, end: RunEnd) -> None:
        run.status, run.reason = end.status, end.reason
        if run.never_started:  # its folder went with it: it no longer counts among alike runs
            self._relabel(run)
        self.changed.emit(run)
        self.ended.emit(run)

    def _thread_done(self, run: Run) -> None:
        thread = self._threads.pop(id(run), None)
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._trainers.pop(id(run), None)
        if self.queue and self._running() < self.max_parallel:
            nxt = self.queue.pop(0)
            self._launch(nxt, self._trainers[id(nxt)])
        self.changed.emit(run)

    # --- helpers -----------------------------------------------------------------------------
    def _add(self, run: Run, index: int | None = None, relabel: bool = True) -> None:
        index = len(self.runs) if index is None else index
        self.adding.emit(run, index)
        self.runs.insert(index, run)
        self.added.emit(run, index)
        if relabel:
            self._relabel(run)

    def _relabel(self, run: Run) -> None:
        """Runs alike in name told apart again, with ``run`` among them."""
        base = run.base_label
        for r in label_runs([r for r in self.runs if r.base_label == base]):
            if r is not run:
                self.changed.emit(r)

    def _colours(self) -> set[str]:
        return {r.colour for r in self.runs}

    def _save_meta(self, run: Run) -> None:
        try:
            run.save_meta()
        except OSError as e:
            raise TrainError(f"Could not save {run.dir / 'meta.json'} ({e.strerror}).") from None
        self.changed.emit(run)

    def _set_status(self, run: Run, status: RunStatus) -> None:
        run.status = status
        self.changed.emit(run)

    def _running(self) -> int:
        return sum(1 for t in self._threads.values() if t.is_alive())

    def _launch_or_queue(self, run: Run, trainer: Any) -> None:
        self._trainers[id(run)] = trainer
        if self._running() < self.max_parallel:
            self._launch(run, trainer)
        else:
            self.queue.append(run)
            self._set_status(run, RunStatus.QUEUED)

    def _launch(self, run: Run, trainer: Any) -> None:
        def work() -> None:
            try:
                trainer.run()  # never raises for a user's mistake; ends with on_run_end
            finally:
                self._dispatch(lambda: self._thread_done(run))

        thread = threading.Thread(target=work, name=f"run {run.id}", daemon=True)
        self._threads[id(run)] = thread
        self._set_status(run, RunStatus.STARTING)
        thread.start()

    def _trash(self, folder: Path) -> str:
        try:
            from send2trash import send2trash

            send2trash(str(folder))
            return f"Moved {folder.name} to the trash."
        except Exception:  # no trash on this desktop or file system: delete it for good
            shutil.rmtree(folder, ignore_errors=True)
            return f"Deleted {folder.name}."

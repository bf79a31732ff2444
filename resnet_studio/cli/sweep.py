"""``resnet-studio sweep``: design-space sweeps on Optuna (new, work, show, list).

``new`` stores a space file's text in a new study; ``work`` runs its trials here (any number of
workers, on any machines that reach the storage); ``show`` prints the trials, best, error EDF and
best ranges (``--json``, ``--plot``); ``list`` the sweeps of a storage. ``list`` and ``show``
import no torch; ``work`` imports it when a trial trains.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from ..sweep.errors import SweepError

STORAGE_HELP = "journal:PATH, postgresql://…, mysql://… or sqlite:///PATH (default: a journal file "
STORAGE_HELP += "in the user data dir)"


def add_parser(sub: Any) -> None:
    s = sub.add_parser(
        "sweep",
        help="design-space sweeps on Optuna: new, work, show, list",
        description="Sample a design space, train its models on any number of workers, and "
        "compare design spaces by their error EDFs.",
    )
    cmds = s.add_subparsers(dest="sweep_command", metavar="ACTION", required=True)
    new = cmds.add_parser("new", help="create a sweep from a space file (TOML)")
    new.add_argument("name")
    new.add_argument("--space", required=True, metavar="SPACE.toml")
    work = cmds.add_parser("work", help="run a sweep's trials here")
    work.add_argument("name")
    work.add_argument("--trials", type=int, help="trials to train (default: the sweep's trials)")
    work.add_argument("--root", help="runs directory (default: the user data dir)")
    work.add_argument(
        "--retry-failed", action="store_true", help="first queue every failed trial once more"
    )
    work.add_argument(
        "--heartbeat", type=float, default=10, metavar="S", help="seconds between heartbeats"
    )
    work.add_argument(
        "--grace",
        type=float,
        default=120,
        metavar="S",
        help="a running trial without a heartbeat for this long is failed (default 120)",
    )
    show = cmds.add_parser("show", help="a sweep's trials, best, error EDF and best ranges")
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="everything as one JSON object")
    show.add_argument("--plot", metavar="EDF.png", help="write the error EDF as a picture")
    lst = cmds.add_parser("list", help="the sweeps of a storage")
    for p in (new, work, show, lst):
        p.add_argument("--storage", metavar="URL", help=STORAGE_HELP)
    s.set_defaults(func=run)


def run(a: argparse.Namespace) -> int:
    return {"new": _new, "work": _work, "show": _show, "list": _list}[a.sweep_command](a)


def _storage(a: argparse.Namespace, **kw: Any) -> Any:
    from ..sweep.storage import open_storage

    return open_storage(a.storage, **kw)


def _new(a: argparse.Namespace) -> int:
    from ..sweep.space import Space
    from ..sweep.storage import create_sweep, default_storage_url, redact

    path = Path(a.space)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SweepError(f"The space file {path} cannot be read ({e.strerror}).") from None
    space = Space.parse(text, str(path))
    create_sweep(a.name, space, _storage(a), str(path))
    url = redact(a.storage or default_storage_url())
    print(f"Created sweep {a.name} in {url}.")
    print(f"Run trials with: resnet-studio sweep work {a.name} --storage '{url}' --trials N")
    return 0


def _work(a: argparse.Namespace) -> int:
    from ..sweep.storage import kind_of
    from ..sweep.worker import Worker

    if a.storage and kind_of(a.storage) == "sqlite":
        print(
            "resnet-studio: note: SQLite serves one worker process only; for parallel workers "
            "use a journal file or a PostgreSQL/MySQL URL.",
            file=sys.stderr,
        )
    if a.trials is not None and a.trials < 1:
        raise SweepError(f"--trials must be at least 1, not {a.trials}.")
    if a.grace < a.heartbeat:
        raise SweepError("--grace must be at least --heartbeat, or live trials would be failed.")
    worker = Worker(
        a.name,
        a.storage,
        Path(a.root) if a.root else None,
        heartbeat_s=a.heartbeat,
        grace_s=a.grace,
        echo=lambda line: print(line, flush=True),
    )

    def on_signal(signum: int, frame: Any) -> None:
        if worker._stopping:
            raise KeyboardInterrupt
        print("\nStopping after this step (Ctrl-C again to interrupt at once)…", file=sys.stderr)
        worker.stop()

    previous = signal.signal(signal.SIGINT, on_signal)
    prev_term = signal.signal(signal.SIGTERM, on_signal)  # the window's "stop" of its worker
    try:
        r = worker.run(a.trials, a.retry_failed)
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, prev_term)
    print(_summary(a, r))
    return 130 if worker._stopping else 0


def _summary(a: argparse.Namespace, r: Any) -> str:
    """The worker's last line: what it trained and, when it was stopped, how to go on."""
    from ..core.words import plural
    from ..sweep.storage import redact

    line = f"{plural(r.trained, 'trial')} trained"
    ends = [f"{r.pruned} pruned"] if r.pruned else []
    ends += [f"{r.failed} failed"] if r.failed else []
    line += f" ({', '.join(ends)})" if ends else ""
    line += f", {r.skipped} outside the band."
    if r.stopped:
        storage = f" --storage '{redact(a.storage)}'" if a.storage else ""
        line += (
            f" {plural(r.stopped, 'trial')} stopped before it finished and is not counted; "
            f"`resnet-studio sweep work {a.name}{storage} --retry-failed` trains it again."
        )
    return line


def _show(a: argparse.Namespace) -> int:
    from ..core.words import plural
    from ..sweep.results import read_trials, report
    from ..sweep.storage import journal_missing, load_sweep

    if journal_missing(a.storage):
        raise SweepError(f"There is no sweep named {a.name}: the journal has no sweeps yet.")
    storage = _storage(a)
    _, space = load_sweep(a.name, storage)
    rows = read_trials(storage, a.name)
    rep = report(rows)
    if a.plot:
        _plot(a.name, rep["edf"], a.plot)
    if a.json:
        print(json.dumps({"name": a.name, "objective": space.objective, **rep}, indent=1))
        return 0
    c = rep["counts"]
    print(
        f"{a.name}: {plural(len(rows), 'trial')}: {c['complete']} complete, "
        f"{c['running']} running, {c['pruned']} pruned, {c['skipped']} outside the band, "
        f"{c['failed']} failed" + (f", {c['stopped']} stopped" if c["stopped"] else "")
    )
    for r in rows:
        value = "" if r.value is None else f"{r.value:.4f}"
        spread = ""
        if len(r.values) > 1:
            spread = f" ±{(max(r.values) - min(r.values)) / 2:.4f}"
        params = " ".join(f"{k}={v}" for k, v in r.params.items())
        extra = f"  {r.reason}" if r.reason else ""
        print(f"  #{r.number:<4} {r.state:<9} {value:>7}{spread}  {params}{extra}")
    if rep["best"]:
        b = rep["best"]
        print(f"best: #{b['number']} {space.objective} {b['value']:.4f}  {b['run_dir']}")
    for name, rng in rep["best_ranges"].items():
        print(
            f"best {name}: {rng['median']:.4g} (95% of best models in "
            f"{rng['low']:.4g} … {rng['high']:.4g})"
        )
    if a.plot:
        print(f"wrote {a.plot}")
    return 0


def _plot(name: str, points: list[list[float]], path: str) -> None:
    from ..gui.sweeps.sweeps_plots import write_edf_png

    write_edf_png({name: points}, path)


def _list(a: argparse.Namespace) -> int:
    from ..core.words import plural
    from ..sweep.storage import default_storage_url, journal_missing, list_sweeps, redact

    sweeps = [] if journal_missing(a.storage) else list_sweeps(_storage(a))
    url = redact(a.storage or default_storage_url())
    if not sweeps:
        print(f"No sweeps in {url}; create one with `resnet-studio sweep new NAME --space F`.")
        return 0
    width = max(len(s.name) for s in sweeps)
    for s in sweeps:
        best = "–" if s.best is None else f"{s.best:.4f}"
        of = f" of {s.planned:<4}" if s.planned is not None else "        "
        print(
            f"{s.name:<{width}}  {plural(s.trials, 'trial'):>11}  {s.complete:>4} complete{of}  "
            f"{s.running:>2} running  best {best}"
        )
    return 0

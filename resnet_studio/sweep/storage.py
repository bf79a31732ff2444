"""Storage URLs, and the sweeps in a storage: create, list, load.

``journal:PATH`` is Optuna's JournalFileBackend (the default, a file in the user's data folder;
put it on a shared folder for workers on other machines); ``postgresql://…`` and ``mysql://…``
are Optuna's RDBStorage with its heartbeat on; ``sqlite:///…`` is for one process only (SQLite
answers parallel workers with "database is locked"). A sweep is an Optuna study (maximised) whose
user attributes hold the space file's text, so workers elsewhere need only the URL and the name.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SweepError
from .space import Space

HEARTBEAT_S = 10  # a worker's pulse
GRACE_S = 120  # a trial silent this long belongs to a dead worker
FORMS = "journal:PATH, postgresql://…, mysql://… or sqlite:///PATH"


def default_storage_url() -> str:
    """``journal:`` a file in the user's data folder, beside the runs folder."""
    import platformdirs

    data = Path(platformdirs.user_data_dir("resnet-studio", appauthor=False))
    return f"journal:{data / 'sweeps' / 'sweeps.journal'}"


def kind_of(url: str) -> str:
    """'journal', 'postgresql', 'mysql' or 'sqlite'; SweepError for anything else."""
    if url.startswith("journal:"):
        return "journal"
    for kind in ("postgresql", "mysql", "sqlite"):
        if url.split("+", 1)[0].split(":", 1)[0] == kind and "://" in url:
            return kind
    raise SweepError(f"'{url}' is not a storage this app knows; give {FORMS}.")


def journal_missing(url: str | None) -> bool:
    """A journal URL whose file does not exist yet (reading commands create nothing)."""
    url = url or default_storage_url()
    return url.startswith("journal:") and not Path(url[len("journal:") :]).expanduser().exists()


def _rdb_url(url: str) -> str:
    """SQLAlchemy's default PostgreSQL driver is psycopg2; the postgres extra installs psycopg 3."""
    if url.startswith("postgresql://") and importlib.util.find_spec("psycopg2") is None:
        if importlib.util.find_spec("psycopg") is None:
            raise SweepError(
                "PostgreSQL needs a driver: pip install 'resnet-studio[postgres]' (psycopg)."
            )
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def open_storage(
    url: str | None = None, heartbeat_s: int = HEARTBEAT_S, grace_s: int = GRACE_S
) -> Any:
    """The Optuna storage ``url`` names (the default journal when None)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    url = url or default_storage_url()
    kind = kind_of(url)
    if kind == "journal":
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        path = Path(url[len("journal:") :]).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return JournalStorage(JournalFileBackend(str(path)))
        except OSError as e:
            raise SweepError(
                f"The journal {path} cannot be opened ({e.strerror}); choose a folder you can "
                "write to."
            ) from None
    try:
        with warnings.catch_warnings():  # heartbeat_interval is "experimental" in Optuna 5.1
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(
                _rdb_url(url),
                heartbeat_interval=max(1, int(heartbeat_s)),
                grace_period=max(1, int(grace_s)),
                engine_kwargs={"pool_pre_ping": True},
            )
    except SweepError:
        raise
    except Exception as e:  # sqlalchemy's OperationalError, ImportError of a driver, …
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise SweepError(
            f"The storage {redact(url)} cannot be reached ({first}); check the URL and that "
            "the server runs."
        ) from None


def redact(url: str) -> str:
    """The URL without its password, for messages and the window."""
    if "://" in url and "@" in url.split("://", 1)[1]:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


@dataclass(frozen=True)
class SweepInfo:
    name: str
    trials: int
    complete: int
    running: int
    best: float | None
    objective: str


def create_sweep(name: str, space: Space, storage: Any, space_file: str = "") -> None:
    import optuna

    if not name or name.strip() != name or "/" in name:
        raise SweepError(f"'{name}' is not a sweep name; use letters, digits, '-' and '_'.")
    try:
        study = optuna.create_study(study_name=name, storage=storage, direction="maximize")
    except optuna.exceptions.DuplicatedStudyError:
        raise SweepError(
            f"A sweep named {name} already exists in this storage; choose another name, or run "
            f"`resnet-studio sweep work {name}` to add trials to it."
        ) from None
    study.set_user_attr("space", space.text)
    study.set_user_attr("space_file", space_file)
    study.set_user_attr("objective", space.objective)


def load_sweep(
    name: str, storage: Any, sampler: Any = None, pruner: Any = None
) -> tuple[Any, Space]:
    """The study and its space; a sentence naming the sweeps there are when it is not found."""
    import optuna

    try:
        study = optuna.load_study(study_name=name, storage=storage, sampler=sampler, pruner=pruner)
    except KeyError:
        names = sorted(s.study_name for s in storage.get_all_studies())
        there = ", ".join(names) if names else "none yet; create one with `sweep new`"
        raise SweepError(
            f"There is no sweep named {name} in this storage (there are: {there})."
        ) from None
    text = study.user_attrs.get("space")
    if not isinstance(text, str):
        raise SweepError(f"The study {name} was not made by `resnet-studio sweep new`.")
    return study, Space.parse(text, f"the space of {name}")


def list_sweeps(storage: Any) -> list[SweepInfo]:
    """Every sweep in ``storage``, with its trial counts and best value."""
    from optuna.trial import TrialState

    out = []
    for s in storage.get_all_studies():
        trials = storage.get_all_trials(s._study_id, deepcopy=False)
        done = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None]
        out.append(
            SweepInfo(
                s.study_name,
                len(trials),
                len(done),
                sum(t.state == TrialState.RUNNING for t in trials),
                max((t.value for t in done), default=None),
                str(s.user_attrs.get("objective", "")),
            )
        )
    return sorted(out, key=lambda i: i.name)

"""One writer per run folder: an OS file lock that the window and the command line share.

The writer of a run holds ``flock`` on ``<run>/.lock`` and writes who it is (pid, host,
command) into it. The OS drops the lock when the process dies, however it dies, so a crashed
run never stays locked. A second writer (another ``train --out`` of the same folder, or a
resume of a run that trains elsewhere) is refused with a sentence naming the holder.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import IO

from .errors import TrainError

try:
    import fcntl
except ImportError:  # Windows: no flock; folders go unlocked there, as before
    fcntl = None  # type: ignore[assignment]

LOCK = ".lock"


def _me() -> dict[str, object]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv)}


def _holder_words(text: str) -> str:
    """ "process 123 on host (resnet-studio train …)" from a lock file's text."""
    try:
        d = json.loads(text)
        words = f"process {d['pid']} on {d['host']}"
        return words + (f" ({d['command']})" if d.get("command") else "")
    except (ValueError, KeyError, TypeError):
        return "another process"


class RunLock:
    """The lock of one run folder, held from :meth:`acquire` until :meth:`release`."""

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / LOCK
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> None:
        """Take the folder; TrainError naming the holder when another writer has it."""
        if self._file is not None:
            return
        try:
            f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115  # kept open while held
        except OSError as e:
            raise TrainError(
                f"The run folder {self.path.parent} cannot be written ({e.strerror}); choose "
                f"a folder you can write to."
            ) from None
        try:
            if fcntl is not None:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            holder = _holder_words(f.read())
            f.close()
            raise TrainError(
                f"The run folder {self.path.parent} is in use by {holder}; wait until that run "
                f"ends or stop it, or choose another folder."
            ) from None
        f.seek(0)
        f.truncate()
        f.write(json.dumps(_me()) + "\n")
        f.flush()
        self._file = f

    def release(self) -> None:
        if self._file is not None:
            if fcntl is not None:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def holder(run_dir: Path) -> str | None:
    """Who writes ``run_dir`` now ("process 123 on host (…)"), or None if no one does."""
    path = Path(run_dir) / LOCK
    if fcntl is None:
        return None
    try:
        f = open(path, encoding="utf-8")  # noqa: SIM115
    except OSError:
        return None
    with f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return _holder_words(f.read())
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        return None

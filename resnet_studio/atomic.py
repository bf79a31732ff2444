"""Atomic file writes, shared by the run records and the window's saves and exports.

A temp file in the same directory, fsync, then ``os.replace``: a file on disk is either the old
one or the new one, never half of either, and no temp file is left behind, whatever happens.
The new file gets the mode that ``open()`` would give it under the user's umask (``mkstemp``
makes 0600 files), or keeps the mode of the file it replaces.

A path that is not a file (a device such as /dev/full, a folder, a pipe) is refused before
anything is written (:func:`output_problem` says why in a sentence, for commands to check
before any work), and an error while writing names the user's path, never the hidden
temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _read_umask() -> int:
    # os.umask can only be read by setting it: do it once, at import, before any thread runs
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def new_file_mode(path: str | os.PathLike[str]) -> int:
    """The mode a rewrite of ``path`` should have: the old file's, else 0666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_UMASK


class OutputPathError(OSError):
    """A path that cannot be written as a file; ``str()`` is the sentence, naming the path."""

    def __str__(self) -> str:
        return str(self.strerror)


def output_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be written as a file, in one sentence naming it; None when it can,
    as far as can be told before writing."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as e:
        return f"{p} cannot be reached ({e.strerror}); choose another file."
    if st is not None and stat.S_ISDIR(st.st_mode):
        return f"{p} is a folder; give the name of a file to write."
    if st is not None and not stat.S_ISREG(st.st_mode):
        return f"{p} is not a regular file (a device or a pipe); give the name of a file to write."
    parent = p.parent
    if not parent.is_dir():
        return f"There is no folder {parent} for {p}; create it first, or choose another."
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"The folder {parent} cannot be written; save {p.name} in a folder you can write to."
    return None


def check_output(path: str | os.PathLike[str]) -> None:
    """:func:`output_problem`, raised as an :class:`OutputPathError` (an OSError)."""
    problem = output_problem(path)
    if problem:
        raise OutputPathError(errno.EINVAL, problem, str(path))


def named_error(e: OSError, path: Path) -> OSError:
    """``e`` as the user's path's error: a full disk names their file, not our temporary one."""
    if isinstance(e, OutputPathError):
        return e
    why = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up"}.get(
        e.errno or 0, e.strerror or str(e)
    )
    return OutputPathError(
        e.errno or errno.EIO,
        f"{path} cannot be written: {why}; free some space or choose another place."
        if e.errno in (errno.ENOSPC, errno.EDQUOT)
        else f"{path} cannot be written ({why}); choose a place you can write to.",
        str(path),
    )


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; on success it replaces ``path`` with the
    right mode, on failure it is removed. For writers that want a file name (torch, onnx)."""
    path = Path(path)
    check_output(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix + ".tmp")
    except OSError as e:
        raise named_error(e, path) from None
    os.close(fd)
    try:
        yield Path(tmp)
        try:
            os.chmod(tmp, new_file_mode(path))
            os.replace(tmp, path)
        except OSError as e:
            raise named_error(e, path) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    path = Path(path)
    check_output(path)
    mode = new_file_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise named_error(e, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise named_error(e, path) from None
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2) + "\n")

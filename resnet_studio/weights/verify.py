"""Checking a weights file before it is loaded: a torchvision file's SHA-256 starts with the hex
digits in its name (``resnet18-f37072fd.pth``); a Hugging Face blob's SHA-256 is its blob name.

Each file is hashed once: its size, mtime and digest are remembered in a small JSON file in the
app's cache folder (written atomically), so a second look is a ``stat``. A file that fails is
never loaded and never deleted (it is the user's); the error is one sentence.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from ..atomic import atomic_write_json
from ..train.errors import TrainError

CHUNK = 1 << 20
_HEX = re.compile(r"^[0-9a-f]{8,64}$")


def _memo_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("resnet-studio", appauthor=False)) / "hashes.json"


def _read_memo() -> dict[str, list[object]]:
    try:
        data = json.loads(_memo_file().read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def sha256_of(
    path: str | os.PathLike[str], progress: Callable[[int, int], None] | None = None
) -> str:
    """The file's SHA-256 in hex, remembered by (size, mtime) so each file is read once."""
    path = Path(path).resolve()
    st = path.stat()
    key = str(path)
    memo = _read_memo()
    known = memo.get(key)
    if isinstance(known, list) and known[:2] == [st.st_size, st.st_mtime_ns]:
        return str(known[2])
    h = hashlib.sha256()
    done = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, st.st_size)
    digest = h.hexdigest()
    memo = _read_memo()  # another process may have added files meanwhile
    memo[key] = [st.st_size, st.st_mtime_ns, digest]
    try:
        _memo_file().parent.mkdir(parents=True, exist_ok=True)
        atomic_write_json(_memo_file(), memo)
    except OSError:
        pass  # only the memo is lost: the next look hashes again
    return digest


def expected_hash(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """(the hex the SHA-256 must start with or equal, where that comes from), or None for a
    file whose name promises nothing (a state_dict the user names by path)."""
    path = Path(path)
    target = path.resolve()
    if target.parent.name == "blobs" and _HEX.match(target.name) and len(target.name) == 64:
        return target.name, "its Hugging Face blob name"
    stem = path.name.split(".", 1)[0]
    if "-" in stem:
        tail = stem.rsplit("-", 1)[1]
        if _HEX.match(tail):
            return tail, "its name"
    return None


def verify(
    path: str | os.PathLike[str],
    expected: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """The file's SHA-256 after checking it against what its name promises (or ``expected``,
    a prefix); one sentence when it does not match. A name that promises nothing passes."""
    path = Path(path)
    promise = (expected, "the catalogue") if expected else expected_hash(path)
    try:
        digest = sha256_of(path, progress)
    except FileNotFoundError:
        raise TrainError(f"There is no weights file at {path}.") from None
    except IsADirectoryError:
        raise TrainError(f"{path} is a folder, not a weights file; give the file itself.") from None
    except OSError as e:
        raise TrainError(f"Could not read the weights file {path}: {e.strerror or e}.") from None
    if promise and not digest.startswith(promise[0]):
        want, why = promise
        raise TrainError(
            f"The weights file {path} is not the file it claims to be: its SHA-256 starts "
            f"{digest[: min(len(want), 16)]} but should {'be' if len(want) == 64 else 'start'} "
            f"{want} (from {why}); it was not loaded and is left where it is (download it "
            f"again, or import the right file)."
        )
    return digest

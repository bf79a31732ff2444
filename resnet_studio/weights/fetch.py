"""Getting a catalogue entry's file onto this machine, only when the user asks: downloading it
(with progress and cancel) or importing a file they already have. Either way the file lands in
its library's cache under the name its library looks for (cache.py), and is verified first:
a torchvision file's SHA-256 must start with the hex in its name; a Hugging Face file is stored
as ``blobs/<its sha256>`` with the snapshot's link to it, as huggingface_hub stores it.

Offline, a download ends in one sentence: the file, the folder to put it in, the page.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from ..atomic import new_file_mode
from ..train.errors import TrainError
from .cache import find_file, hf_repo_folder, torch_hub_checkpoints
from .catalogue import WeightEntry

Progress = Callable[[int, int], None]  # bytes done, bytes in all (0 when not known)
CHUNK = 1 << 16
NO_REVISION = "0" * 40  # the snapshot name when the server does not say its commit


class Cancelled(TrainError):
    """The user cancelled; nothing was kept."""


def download_url(entry: WeightEntry) -> str:
    if entry.hf_repo is None:
        return entry.url
    return f"https://huggingface.co/{entry.hf_repo}/resolve/main/{entry.file}"


def _folder_for(entry: WeightEntry) -> Path:
    return torch_hub_checkpoints() if entry.hf_repo is None else hf_repo_folder(entry.hf_repo)


def _copy_hashing(
    src: object, dst: object, total: int, progress: Progress | None, cancelled: Callable[[], bool]
) -> str:
    h = hashlib.sha256()
    done = 0
    while chunk := src.read(CHUNK):  # type: ignore[attr-defined]
        if cancelled():
            raise Cancelled("The download was cancelled; nothing was kept.")
        h.update(chunk)
        dst.write(chunk)  # type: ignore[attr-defined]
        done += len(chunk)
        if progress:
            progress(done, total)
    return h.hexdigest()


def _place(entry: WeightEntry, tmp: Path, digest: str, revision: str) -> Path:
    """Move a verified temporary file to where the entry's library looks for it."""
    os.chmod(tmp, new_file_mode(tmp))
    if entry.hf_repo is None:
        dest = torch_hub_checkpoints() / entry.file
        os.replace(tmp, dest)
        return dest
    repo = hf_repo_folder(entry.hf_repo)
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    blob = repo / "blobs" / digest
    os.replace(tmp, blob)
    snap = repo / "snapshots" / revision
    snap.mkdir(parents=True, exist_ok=True)
    link = snap / entry.file
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    link.symlink_to(Path("..") / ".." / "blobs" / digest)
    (repo / "refs").mkdir(exist_ok=True)
    ref = repo / "refs" / "main"
    if not ref.exists():
        ref.write_text(revision, "utf-8")
    return link


def _check(entry: WeightEntry, digest: str, what: str) -> None:
    want = entry.sha256_prefix
    if want and not digest.startswith(want):
        raise TrainError(
            f"{what} is not {entry.file}: its SHA-256 starts {digest[: len(want)]}, but the "
            f"name expects {want}; nothing was kept."
        )


def download(
    entry: WeightEntry,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    url: str | None = None,
    timeout: float = 20.0,
) -> Path:
    """Download the entry's file into its cache, verified; the cached path."""
    url = url or download_url(entry)
    folder = _folder_for(entry)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TrainError(f"The cache folder {folder} cannot be made ({e.strerror}).") from None
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{entry.file}.", suffix=".part")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as resp:
                    total = int(resp.headers.get("Content-Length") or 0)
                    revision = resp.headers.get("X-Repo-Commit") or NO_REVISION
                    digest = _copy_hashing(resp, out, total, progress, cancelled)
            except (urllib.error.URLError, OSError, ValueError) as e:
                if isinstance(e, Cancelled):
                    raise
                reason = getattr(e, "reason", None) or getattr(e, "code", None) or e
                raise TrainError(
                    f"{entry.file} could not be downloaded ({reason}); put {entry.file} from "
                    f"{entry.page} into {folder if entry.hf_repo is None else _hf_hint(entry)} "
                    f"by hand, or import it."
                ) from None
        _check(entry, digest, f"The file downloaded from {url}")
        return _place(entry, tmp, digest, revision)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _hf_hint(entry: WeightEntry) -> str:
    return str(hf_repo_folder(entry.hf_repo or "") / "snapshots" / "main")


def import_file(
    entry: WeightEntry,
    src: str | os.PathLike[str],
    progress: Progress | None = None,
) -> Path:
    """Copy a file the user already has into the entry's cache under the right name, verified
    (the user's file is only read); the cached path."""
    src = Path(src).expanduser()
    if not src.is_file():
        raise TrainError(f"There is no file at {src}; give the weights file to import.")
    if entry.hf_repo is not None and src.suffix != ".safetensors":
        raise TrainError(
            f"{entry.name} comes as {entry.file} (safetensors) from {entry.page}; {src.name} is "
            f"not a .safetensors file."
        )
    folder = _folder_for(entry)
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{entry.file}.", suffix=".part")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as f:
            digest = _copy_hashing(f, out, src.stat().st_size, progress, lambda: False)
        _check(entry, digest, str(src))
        return _place(entry, tmp, digest, NO_REVISION)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def is_cached(entry: WeightEntry) -> bool:
    return find_file(entry) is not None

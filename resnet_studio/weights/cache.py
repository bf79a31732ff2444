"""Where a catalogue entry's file lives, looked up exactly as its library looks it up.

torchvision's files: torch.hub's cache, ``$TORCH_HOME``, else ``$XDG_CACHE_HOME/torch``, else
``~/.cache/torch``, then ``hub/checkpoints/<file>``. timm's files: huggingface_hub's cache,
``$HF_HUB_CACHE``, else ``$HF_HOME/hub``, else ``$XDG_CACHE_HOME/huggingface/hub``, then
``models--org--name/snapshots/<revision>/<file>``, a link to ``../../blobs/<sha256>``.
Nothing here imports torch or touches the network.
"""

from __future__ import annotations

import os
from pathlib import Path

from .catalogue import WeightEntry


def _xdg_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()


def torch_hub_checkpoints() -> Path:
    """torch.hub.get_dir()/checkpoints, without importing torch."""
    home = os.environ.get("TORCH_HOME")
    base = Path(home).expanduser() if home else _xdg_cache() / "torch"
    return base / "hub" / "checkpoints"


def hf_hub_cache() -> Path:
    """huggingface_hub's cache folder (constants.HF_HUB_CACHE), without importing it."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    return _xdg_cache() / "huggingface" / "hub"


def hf_repo_folder(repo: str) -> Path:
    return hf_hub_cache() / ("models--" + repo.replace("/", "--"))


def cache_folder(entry: WeightEntry) -> Path:
    """The folder the user would put the file into by hand."""
    if entry.hf_repo is None:
        return torch_hub_checkpoints()
    return hf_repo_folder(entry.hf_repo) / "snapshots" / "main"


def find_file(entry: WeightEntry) -> Path | None:
    """The cached file (a Hugging Face snapshot's link, as it is), or None when not there."""
    if entry.hf_repo is None:
        path = torch_hub_checkpoints() / entry.file
        return path if path.is_file() else None
    repo = hf_repo_folder(entry.hf_repo)
    snapshots = repo / "snapshots"
    revisions = []
    ref = repo / "refs" / "main"
    if ref.is_file():
        revisions.append(ref.read_text("utf-8").strip())
    if snapshots.is_dir():
        revisions += sorted(p.name for p in snapshots.iterdir() if p.name not in revisions)
    for rev in revisions:
        path = snapshots / rev / entry.file
        if path.is_file():
            return path
    return None


def expected_path(entry: WeightEntry) -> Path:
    """Where the file is, or where it would be once downloaded or imported."""
    return find_file(entry) or cache_folder(entry) / entry.file

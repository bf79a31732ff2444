"""The catalogue as rows to show: each entry with where its file is (or would be) and whether
it is there and verified. The CLI prints these and the window shows them; no torch, no network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..train.errors import TrainError
from .cache import expected_path, find_file
from .catalogue import WeightEntry, catalogue
from .verify import verify


@dataclass(frozen=True)
class WeightRow:
    entry: WeightEntry
    path: Path
    cached: bool  # present and verified
    problem: str  # why a present file is not usable ("" when fine or absent)

    def to_dict(self) -> dict[str, Any]:
        e = self.entry
        return {
            "name": e.name,
            "arch": e.arch,
            "source": e.source,
            "top1": e.top1,
            "top5": e.top5,
            "params": e.params,
            "file_mb": e.file_mb,
            "recipe": e.recipe,
            "url": e.url,
            "hf_repo": e.hf_repo,
            "file": e.file,
            "preprocess": e.preprocess.to_dict(),
            "cached": self.cached,
            "path": str(self.path),
            "problem": self.problem or None,
        }


def row(entry: WeightEntry, check: bool = True) -> WeightRow:
    """The entry's row; with ``check`` a present file is verified (hashed once, then
    remembered by size and mtime)."""
    found = find_file(entry)
    if found is None:
        return WeightRow(entry, expected_path(entry), False, "")
    if not check:
        return WeightRow(entry, found, False, "")
    try:
        verify(found, entry.sha256_prefix)
    except TrainError as e:
        return WeightRow(entry, found, False, str(e))
    return WeightRow(entry, found, True, "")


def rows(check: bool = True) -> list[WeightRow]:
    return [row(e, check) for e in catalogue()]

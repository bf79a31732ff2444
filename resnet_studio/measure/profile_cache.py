"""The profile cache: measured profiles kept per spec, device, batch size and dtype, in one small
JSON file in the user cache folder, written atomically, so that the Explorer and the Compare
view show a profile again without measuring it again (and ``resnet-studio profile`` fills it).

A damaged or foreign file reads as an empty cache; the newest ``MAX_ENTRIES`` profiles are kept.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from resnet_studio.atomic import atomic_write_json
from resnet_studio.measure.profile_result import Profile

MAX_ENTRIES = 200
_lock = threading.Lock()  # the window profiles on worker threads


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("resnet-studio", appauthor=False)) / "profiles.json"


def cache_key(spec: dict[str, Any], device: str, batch_size: int, dtype: str) -> str:
    return json.dumps([spec, device, batch_size, dtype], sort_keys=True)


class ProfileCache:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._memo: tuple[tuple[int, int], dict[str, dict[str, Any]]] | None = None

    def _read(self) -> dict[str, dict[str, Any]]:
        """The entries on disk (parsed again only when the file changed: the Explorer asks at
        every edit of the spec)."""
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
            if self._memo is not None and self._memo[0] == stamp:
                return dict(self._memo[1])
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        entries = data.get("profiles") if isinstance(data, dict) else None
        entries = entries if isinstance(entries, dict) else {}
        self._memo = (stamp, entries)
        return dict(entries)

    @staticmethod
    def _profile(entry: Any) -> Profile | None:
        try:
            return Profile.from_dict(entry["profile"])
        except (KeyError, TypeError, ValueError):
            return None

    def get(self, spec: dict[str, Any], device: str, batch_size: int, dtype: str) -> Profile | None:
        """The profile measured for exactly these settings, or None."""
        with _lock:
            entry = self._read().get(cache_key(spec, device, batch_size, dtype))
        return self._profile(entry) if entry is not None else None

    def latest(self, spec: dict[str, Any], device: str | None = None) -> Profile | None:
        """The newest profile of ``spec`` (on ``device`` if given), at any batch size or dtype."""
        with _lock:
            entries = self._read()
        best: tuple[float, Profile] | None = None
        for entry in entries.values():
            p = self._profile(entry)
            if p is None or p.spec != spec or (device is not None and p.device != device):
                continue
            saved = float(entry.get("saved", 0.0)) if isinstance(entry, dict) else 0.0
            if best is None or saved >= best[0]:
                best = (saved, p)
        return best[1] if best else None

    def devices(self) -> list[str]:
        """The devices that profiles were measured on, sorted."""
        with _lock:
            entries = self._read()
        found = set()
        for entry in entries.values():
            profile = entry.get("profile") if isinstance(entry, dict) else None
            if isinstance(profile, dict) and isinstance(profile.get("device"), str):
                found.add(profile["device"])
        return sorted(found)

    def put(self, p: Profile) -> None:
        """Keep ``p``; a cache that cannot be written is skipped (it is only a cache)."""
        with _lock:
            entries = self._read()
            entries[cache_key(p.spec, p.device, p.batch_size, p.dtype)] = {
                "saved": time.time(),
                "profile": p.to_dict(),
            }
            newest = sorted(
                entries.items(),
                key=lambda kv: kv[1].get("saved", 0.0) if isinstance(kv[1], dict) else 0.0,
            )[-MAX_ENTRIES:]
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_json(self.path, {"version": 1, "profiles": dict(newest)})
            except OSError:
                pass

"""The app's place on a Linux desktop: its packaged resources, and its launcher entry.

Owns finding ``resources/`` (the icon, the .desktop entry, AppStream data) at run time, in a
git checkout and in an installed wheel alike, and ``resnet-studio --install-desktop`` /
``--uninstall-desktop``: the entry and the icons in this user's XDG folders
(``$XDG_DATA_HOME``, by default ``~/.local/share``), so that the app shows in the launcher
with its icon. Imports no Qt.
"""

from __future__ import annotations

import importlib.resources
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import atomic_write_bytes

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

APP_ID = "resnet-studio"  # the .desktop file's name, the icon's name and the X11 WM_CLASS
DESKTOP_FILE = f"{APP_ID}.desktop"
SVG_FILE = f"{APP_ID}.svg"
METAINFO_FILE = "io.github.resnet_studio.metainfo.xml"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SYSTEM_BIN_DIRS = (Path("/usr/bin"), Path("/usr/local/bin"), Path("/bin"))


class DesktopError(OSError):
    """The launcher entry could not be installed or removed; ``strerror`` is the sentence.

    An OSError, so that the command line prints it as its one-sentence error.
    """

    def __init__(self, message: str) -> None:
        super().__init__(None, message)

    def __str__(self) -> str:
        return self.strerror or ""


def resources() -> Traversable:
    """The resources folder: the package ``resnet_studio.resources`` when installed (a wheel, or
    an editable install made after pyproject.toml mapped it), else the checkout's ``resources/``.
    """
    try:
        return importlib.resources.files("resnet_studio.resources")
    except ModuleNotFoundError:
        pass
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if (checkout / SVG_FILE).is_file():  # only ours, never another project's resources/
        return checkout
    raise DesktopError(
        "ResNet Studio's resources (icon and .desktop entry) are missing from this "
        "installation; reinstall it with pip"
    )


def icon_files() -> dict[int, Path]:
    """The icon's PNGs by size in pixels, for a window icon (Qt needs file paths)."""
    folder = resources() / "icons"
    return {n: Path(str(folder / f"{APP_ID}-{n}.png")) for n in ICON_SIZES}


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset or not absolute (the spec)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def _targets(home: Path) -> dict[Path, str]:
    """Each file that install() writes, with the resource it comes from."""
    hicolor = home / "icons" / "hicolor"
    files = {home / "applications" / DESKTOP_FILE: DESKTOP_FILE}
    for n in ICON_SIZES:
        files[hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png"] = f"icons/{APP_ID}-{n}.png"
    files[hicolor / "scalable" / "apps" / SVG_FILE] = SVG_FILE
    # The AppStream file stays out: software centres read it from /usr/share/metainfo only.
    return files


def _exec_quote(arg: str) -> str:
    """One Exec argument, quoted as the Desktop Entry spec asks."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
        return arg.replace("%", "%%")
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg).replace("%", "%%")
    return '"' + inner.replace("\\", "\\\\") + '"'  # the string escape applies on top


def launch_command() -> list[str]:
    """What the launcher runs: ``resnet-studio`` when this installation's script is in a system
    folder that every session's PATH has, else the script's absolute path (a venv, conda,
    ``pip install --user``: their folders are on a shell's PATH, not always on a session's),
    else this Python with ``-m resnet_studio.cli``.
    """
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    candidates = [argv0] if argv0 is not None and argv0.name == APP_ID else []
    candidates.append(Path(sys.executable).parent / APP_ID)  # a venv's bin, or the prefix's
    script = next((p.absolute() for p in candidates if p.is_file()), None)
    if script is None:
        return [sys.executable, "-m", "resnet_studio.cli"]
    on_path = shutil.which(APP_ID)
    if (
        script.parent in SYSTEM_BIN_DIRS
        and on_path is not None
        and Path(on_path).resolve() == script.resolve()
    ):
        return [APP_ID]
    return [str(script)]


def desktop_entry(command: list[str]) -> bytes:
    """The packaged .desktop entry with ``Exec`` running ``command``."""
    text = (resources() / DESKTOP_FILE).read_text(encoding="utf-8")
    exec_line = "Exec=" + " ".join(_exec_quote(a) for a in command)
    lines = [exec_line if line.startswith("Exec=") else line for line in text.splitlines()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def install() -> str:
    """Put the launcher entry and the icons into this user's XDG folders; say what went where."""
    home = data_home()
    command = launch_command()
    res = resources()
    written: list[Path] = []
    try:
        for path, source in _targets(home).items():
            data = desktop_entry(command) if source == DESKTOP_FILE else (res / source).read_bytes()
            existed = path.exists()
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, data)
            if not existed:
                written.append(path)
    except OSError as e:
        for path in written:  # leave no half an entry behind
            path.unlink(missing_ok=True)
        where = getattr(e, "filename", None) or home
        raise DesktopError(
            f"could not add ResNet Studio to the launcher: {where} cannot be written "
            f"({e.strerror or e})"
        ) from e
    _refresh_caches(home)
    return (
        f"Added ResNet Studio to this user's application launcher: "
        f"{home / 'applications' / DESKTOP_FILE} runs {' '.join(command)}, and its icon is in "
        f"{len(ICON_SIZES)} sizes and SVG under {home / 'icons' / 'hicolor'}."
    )


def uninstall() -> str:
    """Remove exactly the files install() writes; say what was removed, or that none were there."""
    home = data_home()
    removed = 0
    try:
        for path in _targets(home):
            if path.is_file():
                path.unlink()
                removed += 1
    except OSError as e:
        raise DesktopError(
            f"could not remove ResNet Studio from the launcher: {e.filename or home} cannot be "
            f"removed ({e.strerror or e})"
        ) from e
    if not removed:
        return f"ResNet Studio was not in this user's launcher (nothing of it under {home})."
    _refresh_caches(home)
    return (
        f"Removed ResNet Studio from this user's application launcher: {removed} "
        f"file{'s' if removed != 1 else ''} under {home}."
    )


def _refresh_caches(home: Path) -> None:
    """Tell the desktop about the change, with the tools it has; none is needed to succeed."""
    # Refresh caches that exist, never create one: the entry has no MimeType, so a new
    # mimeinfo.cache adds nothing, and an icon cache that later goes stale (other apps' icons
    # added without updating it) would hide their icons.
    apps, hicolor = home / "applications", home / "icons" / "hicolor"
    commands = []
    if shutil.which("update-desktop-database") and (apps / "mimeinfo.cache").exists():
        commands.append(["update-desktop-database", "--quiet", str(apps)])
    if shutil.which("gtk-update-icon-cache") and (hicolor / "icon-theme.cache").exists():
        # a user's hicolor folder has no index.theme of its own
        commands.append(["gtk-update-icon-cache", "-q", "-f", "--ignore-theme-index", str(hicolor)])
    for cmd in commands:
        try:
            subprocess.run(cmd, capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            pass

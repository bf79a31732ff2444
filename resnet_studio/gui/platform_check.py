"""Before Qt starts: which platform plugin Qt will use, and whether this machine can run it.

Qt aborts the process (exit 134, and a core dump where those are on) when its platform plugin
cannot load, for instance when the xcb plugin's system libraries are missing (libxcb-cursor0,
needed since Qt 6.5, is absent from a fresh Debian 12) or when DISPLAY names no X server.
This module finds that out first, by loading each library the way the dynamic loader would
(``ctypes.CDLL`` of the soname) and by opening the X display, so that the app can say one
sentence with the command that fixes it. It imports no Qt, so it is tested without Qt.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# soname -> (Debian/Ubuntu package, Fedora package, Arch package)
Packages = tuple[str, str, str]

# What QtGui itself links to outside PySide6's wheel, whatever the platform (offscreen too);
# without one of them `import PySide6.QtWidgets` fails.
QT_GUI_LIBRARIES: dict[str, Packages] = {
    "libGL.so.1": ("libgl1", "libglvnd-glx", "libglvnd"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl", "libglvnd"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype", "freetype2"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus"),
    "libX11.so.6": ("libx11-6", "libX11", "libx11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon"),
}

# What the xcb plugin (libqxcb.so and libQt6XcbQpa.so.6) links to beyond QtGui's libraries:
# their NEEDED entries (objdump -p) that PySide6 does not ship.
XCB_LIBRARIES: dict[str, Packages] = {
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image"),
    "libxcb-render-util.so.0": (
        "libxcb-render-util0",
        "xcb-util-renderutil",
        "xcb-util-renderutil",
    ),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb"),
}

WAYLAND_LIBRARIES: dict[str, Packages] = {
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client", "wayland"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor", "wayland"),
}

Loader = Callable[[str], bool]


def can_load(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname`` and everything it needs."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def platform_candidates(environ: Mapping[str, str] | None = None) -> list[str]:
    """The platform plugins Qt will try, in its order, without their ``:options``.

    QT_QPA_PLATFORM wins (it may list fallbacks, ``wayland;xcb``); otherwise Qt 6 on Linux tries
    wayland when WAYLAND_DISPLAY is set or XDG_SESSION_TYPE is wayland, then xcb when DISPLAY is
    set, then its built-in default, xcb (qguiapplication.cpp, createPlatformIntegration).
    """
    env = os.environ if environ is None else environ
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        names = [part.split(":", 1)[0].strip() for part in chosen.split(";")]
        return [n for n in names if n] or ["xcb"]
    names = []
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
        names.append("wayland")
    names.append("xcb")
    return names


def required_libraries(platform: str) -> dict[str, Packages]:
    """System libraries that Qt needs to start with ``platform``, beyond PySide6's own."""
    needed = dict(QT_GUI_LIBRARIES)
    if platform == "xcb":
        needed.update(XCB_LIBRARIES)
    elif platform.startswith("wayland"):
        needed.update(WAYLAND_LIBRARIES)
    return needed  # offscreen, minimal, vnc, eglfs, linuxfb: QtGui's libraries only


def missing_libraries(platform: str, loader: Loader = can_load) -> dict[str, Packages]:
    """The libraries of :func:`required_libraries` that ``loader`` cannot load."""
    return {name: pk for name, pk in required_libraries(platform).items() if not loader(name)}


def install_command(missing: Mapping[str, Packages]) -> str:
    """The commands that install ``missing`` on Debian/Ubuntu, Fedora and Arch."""

    def unique(i: int) -> str:
        return " ".join(dict.fromkeys(pk[i] for pk in missing.values()))

    return (
        f"`sudo apt install {unique(0)}` on Debian and Ubuntu, "
        f"`sudo dnf install {unique(1)}` on Fedora, or `sudo pacman -S {unique(2)}` on Arch"
    )


def x_display_opens(display: str) -> bool:
    """Whether an X server answers at ``display`` (what Qt's xcb plugin connects to)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)  # never NULL: an error object at worst
    try:
        return xcb.xcb_connection_has_error(conn) == 0
    finally:
        xcb.xcb_disconnect(conn)


def no_display_problem(
    environ: Mapping[str, str] | None = None, loader: Loader = can_load, platform: str | None = None
) -> str | None:
    """The sentence for a Linux session with no display and no platform chosen, or None.

    It suggests `xvfb-run` only together with the libraries that xvfb-run's xcb needs, if any
    are missing: advice that ends in Qt's abort is worse than none.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or any(
        env.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    ):
        return None
    missing = missing_libraries("xcb", loader)
    xvfb = "under `xvfb-run resnet-studio`"
    if missing:
        xvfb += f" after installing Qt's X11 libraries ({install_command(missing)})"
    return (
        "resnet-studio: no display found (DISPLAY and WAYLAND_DISPLAY are unset); run it on a "
        f"desktop, {xvfb}, or with QT_QPA_PLATFORM=offscreen for a headless window, or use "
        "`resnet-studio summary` in a terminal."
    )


def launch_problem(
    environ: Mapping[str, str] | None = None,
    loader: Loader = can_load,
    display_opens: Callable[[str], bool] = x_display_opens,
    platform: str | None = None,
) -> str | None:
    """Why Qt would abort when it makes its QApplication here, as one sentence, or None."""
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None  # the Windows and macOS plugins need nothing outside PySide6
    env = os.environ if environ is None else environ
    no_display = no_display_problem(env, loader, platform)
    if no_display:
        return no_display
    missing: dict[str, Packages] = {}
    failed: list[str] = []  # plugins that lack libraries, in Qt's order
    for name in dict.fromkeys(platform_candidates(env)):
        lacking = missing_libraries(name, loader)
        if not lacking:
            if name != "xcb":
                return None  # Qt starts the first plugin that loads
            problem = _x_display_problem(env, display_opens)  # xcb aborts without its display
            if problem is None or not failed:
                return problem
            break  # wayland lacked libraries and xcb has no display: installing them is the fix
        missing.update(lacking)
        failed.append(name)
    plugins = f"{' and '.join(failed)} platform plugin{'s' if len(failed) > 1 else ''}"
    one = len(missing) == 1
    return (
        f"resnet-studio: Qt's {plugins} cannot start because "
        f"{'this system library is' if one else 'these system libraries are'} missing: "
        f"{', '.join(missing)}; install {'it' if one else 'them'} with {install_command(missing)}."
    )


def _x_display_problem(env: Mapping[str, str], display_opens: Callable[[str], bool]) -> str | None:
    display = env.get("DISPLAY", "")
    if display and display_opens(display):
        return None
    where = f"the X display {display!r} named by DISPLAY" if display else "an X display"
    why = "no X server answers there, or it refused" if display else "DISPLAY is unset"
    return (
        f"resnet-studio: Qt's xcb platform plugin cannot open {where} ({why}); start the app "
        "from a desktop session, or under `xvfb-run resnet-studio`."
    )

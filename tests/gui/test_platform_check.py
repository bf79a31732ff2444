"""Before Qt starts: a missing system library or display is one sentence and exit 1, never
Qt's abort; offscreen needs nothing of xcb's; the window gets its desktop identity and icon."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from resnet_studio.gui import platform_check as pc

BOGUS = "libresnet-studio-test-missing.so.9"
NO_DISPLAY = ":187"  # no X server listens there


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("XDG_SESSION_TYPE", None)
    env.update(extra)
    return env


def test_the_real_loader_tells_present_from_missing():
    assert pc.can_load("libc.so.6")
    assert not pc.can_load(BOGUS)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is Linux's")
def test_missing_xcb_library_is_one_sentence_and_exit_1():
    code = (
        "import sys\n"
        "from resnet_studio.gui import platform_check\n"
        f"platform_check.XCB_LIBRARIES[{BOGUS!r}] = ('apt-pkg-x', 'dnf-pkg-x', 'arch-pkg-x')\n"
        "from resnet_studio.cli import main\n"
        "rc = main([])\n"
        "print('qt loaded' if 'PySide6.QtWidgets' in sys.modules else 'qt not loaded')\n"
        "sys.exit(rc)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(QT_QPA_PLATFORM="xcb", DISPLAY=NO_DISPLAY),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr and "qt.qpa" not in r.stderr
    assert BOGUS in r.stderr and "xcb platform plugin" in r.stderr
    assert "`sudo apt install" in r.stderr and "apt-pkg-x" in r.stderr
    assert "`sudo dnf install" in r.stderr and "dnf-pkg-x" in r.stderr
    assert "`sudo pacman -S" in r.stderr and "arch-pkg-x" in r.stderr
    assert "qt not loaded" in r.stdout


def test_offscreen_needs_nothing_of_xcb_or_wayland(monkeypatch):
    monkeypatch.setitem(pc.XCB_LIBRARIES, BOGUS, ("a", "b", "c"))
    monkeypatch.setitem(pc.WAYLAND_LIBRARIES, BOGUS + ".1", ("a", "b", "c"))
    for platform in ("offscreen", "offscreen:fontconfig", "minimal"):
        needed = pc.required_libraries(platform)
        assert not set(needed) & (set(pc.XCB_LIBRARIES) | set(pc.WAYLAND_LIBRARIES))
        env = {"QT_QPA_PLATFORM": platform}
        assert pc.launch_problem(env, platform="linux") is None
    # ...while xcb, with the same bogus library, is refused
    assert BOGUS in pc.launch_problem({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}, platform="linux")


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"DISPLAY": ":0"}, ["xcb"]),
        ({"WAYLAND_DISPLAY": "wayland-0"}, ["wayland", "xcb"]),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, ["wayland", "xcb"]),
        ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, ["wayland", "xcb"]),
        ({"QT_QPA_PLATFORM": "xcb:dpi=96", "WAYLAND_DISPLAY": "w"}, ["xcb"]),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, ["wayland", "xcb"]),
        ({"QT_QPA_PLATFORM": "offscreen"}, ["offscreen"]),
    ],
)
def test_the_plugin_qt_will_pick(env, expected):
    assert pc.platform_candidates(env) == expected


def test_wayland_without_its_libraries_falls_back_to_xcb():
    def no_wayland(soname: str) -> bool:
        return soname not in pc.WAYLAND_LIBRARIES

    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert pc.launch_problem(env, no_wayland, lambda d: True, "linux") is None
    nothing = pc.launch_problem(env, lambda s: False, lambda d: True, "linux")
    assert "wayland and xcb platform plugins" in nothing
    assert "libwayland-client.so.0" in nothing and "libxcb-cursor.so.0" in nothing


def test_an_x_display_that_does_not_answer_is_a_sentence():
    problem = pc.launch_problem({"DISPLAY": NO_DISPLAY}, lambda s: True, platform="linux")
    assert f"cannot open the X display '{NO_DISPLAY}'" in problem
    assert pc.launch_problem({"DISPLAY": ":0"}, lambda s: True, lambda d: True, "linux") is None
    unset = pc.launch_problem({"QT_QPA_PLATFORM": "xcb"}, lambda s: True, platform="linux")
    assert "DISPLAY is unset" in unset


def test_no_display_suggests_xvfb_run_with_what_it_needs():
    missing_cursor = pc.no_display_problem({}, lambda s: s != "libxcb-cursor.so.0", "linux")
    assert "no display found" in missing_cursor and "xvfb-run" in missing_cursor
    assert "`sudo apt install libxcb-cursor0` on Debian and Ubuntu" in missing_cursor
    assert "`sudo dnf install xcb-util-cursor` on Fedora" in missing_cursor
    assert "`sudo pacman -S xcb-util-cursor` on Arch" in missing_cursor
    ready = pc.no_display_problem({}, lambda s: True, "linux")
    assert "xvfb-run" in ready and "apt" not in ready
    assert pc.no_display_problem({"DISPLAY": ":0"}, lambda s: True, "linux") is None
    assert pc.launch_problem({}, lambda s: False, platform="darwin") is None


def _needed(library: Path) -> set[str]:
    out = subprocess.run(["objdump", "-p", str(library)], capture_output=True, text=True).stdout
    return {line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")}


@pytest.mark.skipif(not shutil.which("objdump"), reason="needs objdump (binutils)")
def test_the_tables_cover_what_the_installed_plugins_link_to():
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    system = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0"}
    system |= {"libdl.so.2", "librt.so.1", "ld-linux-x86-64.so.2", "libz.so.1"}

    def outside_pyside(*names: str) -> set[str]:
        needed = set().union(*(_needed(qt / n) for n in names))
        return {n for n in needed if not n.startswith("libQt6") and n not in system}

    gui = outside_pyside("lib/libQt6Gui.so.6", "lib/libQt6DBus.so.6")
    assert gui <= set(pc.QT_GUI_LIBRARIES)
    xcb = outside_pyside("plugins/platforms/libqxcb.so", "lib/libQt6XcbQpa.so.6")
    assert xcb <= set(pc.required_libraries("xcb")), xcb - set(pc.required_libraries("xcb"))
    wayland = outside_pyside("plugins/platforms/libqwayland.so")
    assert wayland <= set(pc.required_libraries("wayland"))
    offscreen = outside_pyside("plugins/platforms/libqoffscreen.so")
    assert offscreen <= set(pc.required_libraries("offscreen"))


def test_the_window_has_its_desktop_identity_and_icon(tmp_path):
    code = (
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from resnet_studio.gui import app\nfrom resnet_studio.gui.window import main_window\n"
        "show = main_window.MainWindow.show\n"
        "def shown(self):\n"
        "    show(self)\n"
        "    a = QApplication.instance()\n"
        "    sizes = sorted(s.width() for s in a.windowIcon().availableSizes())\n"
        "    print(a.applicationName(), a.desktopFileName(), a.applicationDisplayName(),\n"
        "          sizes, self.settings.fileName(), sep='|')\n"
        "    QTimer.singleShot(0, a.quit)\n"
        "main_window.MainWindow.show = shown\n"
        "sys.exit(app.run_app())\n"
    )
    env = _env(
        QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config")
    )
    r = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=180
    )
    assert r.returncode == 0, r.stderr
    name, desktop_name, display, sizes, settings = r.stdout.strip().splitlines()[-1].split("|")
    assert (name, desktop_name, display) == ("resnet-studio", "resnet-studio", "ResNet Studio")
    assert sizes == "[16, 24, 32, 48, 64, 128, 256]"
    # the settings file is where it was before the application name became resnet-studio
    assert settings == str(tmp_path / "config" / "ResNet Studio" / "ResNet Studio.conf")

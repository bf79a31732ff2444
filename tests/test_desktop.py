"""The launcher entry and the packaged resources: in a built wheel, installed into XDG folders
(a temporary XDG_DATA_HOME, never the real ~/.local/share), and removed again."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from resnet_studio import desktop

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # so that a slip cannot reach the real one
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_icons_are_pngs_of_their_sizes():
    for n in desktop.ICON_SIZES:
        assert _png_size((RESOURCES / "icons" / f"resnet-studio-{n}.png").read_bytes()) == (n, n)
    assert "<svg" in (RESOURCES / desktop.SVG_FILE).read_text()


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils")
def test_the_packaged_entry_is_valid():
    r = subprocess.run(
        ["desktop-file-validate", str(RESOURCES / desktop.DESKTOP_FILE)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="needs appstreamcli")
def test_the_appstream_metadata_is_valid():
    r = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(RESOURCES / desktop.METAINFO_FILE)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_install_then_uninstall(data_home, tmp_path):
    said = desktop.install()
    entry_path = data_home / "applications" / "resnet-studio.desktop"
    assert str(entry_path) in said and said.count(".") >= 1 and "\n" not in said
    entry = _entry(entry_path)
    program = shlex.split(entry["Exec"])[0]
    assert program == "resnet-studio" or (Path(program).is_absolute() and Path(program).is_file())
    assert entry["Icon"] == "resnet-studio" and entry["StartupWMClass"] == "resnet-studio"
    assert {"Science", "Education"} <= set(entry["Categories"].split(";"))
    hicolor = data_home / "icons" / "hicolor"
    for n in desktop.ICON_SIZES:
        installed = (hicolor / f"{n}x{n}" / "apps" / "resnet-studio.png").read_bytes()
        assert installed == (RESOURCES / "icons" / f"resnet-studio-{n}.png").read_bytes()
    svg = hicolor / "scalable" / "apps" / "resnet-studio.svg"
    assert svg.read_bytes() == (RESOURCES / desktop.SVG_FILE).read_bytes()
    if shutil.which("desktop-file-validate"):
        r = subprocess.run(["desktop-file-validate", str(entry_path)], capture_output=True)
        assert r.returncode == 0, r.stdout

    assert desktop.install()  # again: the same files, replaced
    said = desktop.uninstall()
    assert said.startswith("Removed") and f"{len(desktop.ICON_SIZES) + 2} files" in said
    left = [p for p in data_home.rglob("*") if p.is_file()]
    assert left == []
    assert "was not in" in desktop.uninstall()
    assert not (tmp_path / "home" / ".local").exists()


@pytest.mark.skipif(not shutil.which("gtk-update-icon-cache"), reason="needs GTK's tool")
def test_an_existing_icon_cache_is_refreshed_and_kept(data_home):
    hicolor = data_home / "icons" / "hicolor"
    other = hicolor / "48x48" / "apps" / "another-app.png"  # GTK caches no empty theme
    other.parent.mkdir(parents=True)
    other.write_bytes((RESOURCES / "icons" / "resnet-studio-48.png").read_bytes())
    cache = hicolor / "icon-theme.cache"
    subprocess.run(["gtk-update-icon-cache", "-q", "-f", "-t", str(hicolor)], check=True)
    assert b"resnet-studio" not in cache.read_bytes()
    desktop.install()
    assert b"resnet-studio" in cache.read_bytes()
    desktop.uninstall()
    assert b"another-app" in cache.read_bytes() and b"resnet-studio" not in cache.read_bytes()


def test_a_venv_gets_the_scripts_absolute_path(data_home, tmp_path, monkeypatch):
    script = tmp_path / "my venv" / "bin" / "resnet-studio"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "argv", [str(script), "--install-desktop"])
    assert desktop.launch_command() == [str(script)]
    desktop.install()
    exec_line = _entry(data_home / "applications" / "resnet-studio.desktop")["Exec"]
    assert exec_line == f'"{script}"'  # quoted, for the space


def test_a_script_on_the_system_path_is_run_by_name(tmp_path, monkeypatch):
    script = tmp_path / "bin" / "resnet-studio"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(script)])
    monkeypatch.setenv("PATH", str(script.parent))
    assert desktop.launch_command() == [str(script)]  # on this shell's PATH only
    monkeypatch.setattr(desktop, "SYSTEM_BIN_DIRS", (script.parent,))  # as if it were /usr/bin
    assert desktop.launch_command() == ["resnet-studio"]


def test_an_unwritable_folder_is_one_sentence_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    (data / "icons" / "hicolor").mkdir(parents=True)
    (data / "icons" / "hicolor" / "scalable").write_text("a file where a folder must go")
    with pytest.raises(desktop.DesktopError, match="could not add ResNet Studio to the launcher"):
        desktop.install()
    assert not (data / "applications" / "resnet-studio.desktop").exists()  # rolled back
    assert not list((data / "icons" / "hicolor").rglob("*.png"))

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "a-file" / "share"))
    (tmp_path / "a-file").write_text("")
    r = subprocess.run(
        [sys.executable, "-m", "resnet_studio.cli", "--install-desktop"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("resnet-studio: error: could not add ResNet Studio")
    assert len(r.stderr.strip().splitlines()) == 1


def test_the_wheel_carries_the_resources_and_every_package(tmp_path):
    # build from a copy, so that no build/ or egg-info lands in the working tree
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("resnet_studio", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = pip + ["wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w"]
    r = subprocess.run([*build, str(tmp_path / "dist"), str(src)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = (tmp_path / "dist").glob("resnet_studio-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    res = "resnet_studio/resources/"
    expected = {res + desktop.SVG_FILE, res + desktop.DESKTOP_FILE, res + desktop.METAINFO_FILE}
    expected |= {f"{res}icons/resnet-studio-{n}.png" for n in desktop.ICON_SIZES}
    assert expected <= names, expected - names
    # pyproject.toml lists the packages (to map resources/): none on disk may be left out
    packages = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "resnet_studio").rglob("__init__.py")
    }
    assert packages <= names, f"add to pyproject.toml's packages: {packages - names}"

    # installed from the wheel, the app finds its resources inside the package
    site = tmp_path / "site"
    r = subprocess.run(
        pip + ["install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    code = (
        "from resnet_studio import desktop\nprint(desktop.resources())\nprint(desktop.install())\n"
    )
    env = dict(os.environ, PYTHONPATH=str(site), HOME=str(tmp_path / "home"))
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == str(site / "resnet_studio" / "resources")
    installed = tmp_path / "data" / "icons" / "hicolor" / "256x256" / "apps" / "resnet-studio.png"
    assert installed.read_bytes() == (RESOURCES / "icons" / "resnet-studio-256.png").read_bytes()


def test_the_checkout_finds_its_resources():
    found = Path(str(desktop.resources()))
    assert found.resolve() == RESOURCES.resolve()
    assert all(p.is_file() for p in desktop.icon_files().values())

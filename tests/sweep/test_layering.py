"""The sweep package is Qt-free (as core/ and train/ are): its sources import no Qt, no
pyqtgraph and nothing of the GUI, and importing all of it in a fresh process loads none."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

from .helpers import env

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "resnet_studio" / "sweep"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph", "qtpy", "resnet_studio.gui")


def test_sweep_sources_import_no_qt():
    assert list(PACKAGE.glob("*.py"))
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                if node.level and "gui" in (node.module or ""):
                    names.append("resnet_studio.gui")
            for n in names:
                assert not n.startswith(FORBIDDEN), f"{path.name} imports {n}"


def test_importing_the_sweep_package_loads_no_qt_and_no_torch():
    mods = [f"resnet_studio.sweep.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"]
    code = (
        f"import sys, importlib\nfor m in {mods!r}: importlib.import_module(m)\n"
        f"bad = [m for m in sys.modules if m.startswith({(*FORBIDDEN, 'torch')!r})]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env())
    assert r.returncode == 0, r.stdout + r.stderr

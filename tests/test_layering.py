"""The core and the trainer never import Qt, pyqtgraph or the GUI (checked in a fresh process)."""

import ast
import pathlib
import subprocess
import sys

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "resnet_studio"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph", "qtpy", "resnet_studio.gui")


def test_core_imports_no_qt_at_runtime():
    code = (
        "import sys, resnet_studio, resnet_studio.core, resnet_studio.cli\n"
        "import resnet_studio.core.builder, resnet_studio.core.format\n"
        f"bad = [m for m in sys.modules if m.startswith({FORBIDDEN!r})]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_core_and_train_sources_import_no_qt():
    for folder in ("core", "train", "inspect", "notebook"):
        for path in (PACKAGE / folder).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                    if node.level and "gui" in (node.module or ""):
                        names.append("resnet_studio.gui")
                for n in names:
                    assert not n.startswith(FORBIDDEN), f"{path.name} imports {n}"

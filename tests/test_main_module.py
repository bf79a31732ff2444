"""``python -m resnet_studio`` runs the ``resnet-studio`` command."""

from __future__ import annotations

import subprocess
import sys

from resnet_studio import __version__


def test_python_dash_m_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "resnet_studio", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"resnet-studio {__version__}"

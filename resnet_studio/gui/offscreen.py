"""A virtual screen for Qt's offscreen platform (tests, screenshots, benchmarks).

Qt's offscreen screen is 800×800 by default, smaller than the window; this gives it a
1920×1200 one through the platform's JSON configuration. Imports no Qt: call it first.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile


def use_offscreen_screen(width: int = 1920, height: int = 1200) -> None:
    """Render offscreen on a ``width``×``height`` screen, unless another platform is chosen."""
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return
    folder = tempfile.mkdtemp(prefix="resnet-studio-screen-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # Qt reads it once, at start
    path = os.path.join(folder, "screens.json")
    with open(path, "w") as f:
        json.dump(
            {
                "screens": [
                    {
                        "name": "offscreen",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            },
            f,
        )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={path}"

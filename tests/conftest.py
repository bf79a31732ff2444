"""Test-wide set-up: Qt renders offscreen on a 1920×1200 virtual screen, torch uses 2 threads."""

import json
import os
import tempfile

_screen = os.path.join(tempfile.mkdtemp(prefix="resnet-studio-tests-"), "screens.json")
with open(_screen, "w") as _f:
    json.dump(
        {
            "screens": [
                {
                    "name": "test",
                    "x": 0,
                    "y": 0,
                    "width": 1920,
                    "height": 1200,
                    "logicalDpi": 96,
                    "logicalBaseDpi": 96,
                    "dpr": 1,
                }
            ]
        },
        _f,
    )
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_screen}"

import torch  # noqa: E402

torch.set_num_threads(2)

"""Test-wide set-up: Qt renders offscreen, torch uses few threads on this 2-core machine."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402

torch.set_num_threads(2)

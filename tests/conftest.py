"""Test-wide set-up: Qt renders offscreen on a 1920×1200 virtual screen, torch uses 2 threads."""

from resnet_studio.gui.offscreen import use_offscreen_screen

use_offscreen_screen()

import torch  # noqa: E402

torch.set_num_threads(2)

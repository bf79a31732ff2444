"""``python -m resnet_studio``: the same entry point as the ``resnet-studio`` command."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())

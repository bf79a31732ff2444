"""``python -m resnet_studio.cli``: the same as ``resnet-studio``."""

import sys

from . import main

sys.exit(main())

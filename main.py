"""Launch ResNet Studio from a checkout: ``python main.py`` (same as ``resnet-studio``)."""

import sys

from resnet_studio.cli import main

if __name__ == "__main__":
    sys.exit(main())

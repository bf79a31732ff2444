"""``resnet-studio``: the command line, a thin face over the core and the trainer.

One module a sub-command (``summary``, ``presets``, ``train``, ``runs``, ``export``), sharing
:mod:`.options`. Module imports here stay free of torch: a command that builds a model imports
it when it runs, so ``summary``, ``presets``, ``runs`` and ``--help`` start in a fraction of
torch's import time. With no sub-command it opens the window.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .. import __version__
from ..core.errors import SpecError
from ..train.errors import TrainError
from .options import Parser

COMMANDS = (
    "summary",
    "presets",
    "train",
    "runs",
    "export",
    "diagram",
    "profile",
    "lr_find",
    "inspect",
    "sweep",
)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="resnet-studio",
        description="Explore ResNet architectures and watch them train. "
        "With no command, opens the window.",
    )
    p.add_argument("--version", action="version", version=f"resnet-studio {__version__}")
    desk = p.add_mutually_exclusive_group()
    desk.add_argument(
        "--install-desktop",
        action="store_true",
        help="add ResNet Studio to this user's application launcher (icon and .desktop entry)",
    )
    desk.add_argument(
        "--uninstall-desktop",
        action="store_true",
        help="remove what --install-desktop added",
    )
    sub = p.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f".{name}", __name__).add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.install_desktop or args.uninstall_desktop:
            from .. import desktop

            if args.install_desktop:
                print(desktop.install())
            else:
                print(desktop.uninstall())
            return 0
        if args.command is None:
            from ..gui.app import run_app

            return run_app()
        return args.func(args)
    except (SpecError, TrainError) as e:
        print(f"resnet-studio: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C in a long job (profile, lr-find, inspect): no traceback
        print(
            f"resnet-studio: {args.command or 'the command'} was stopped (Ctrl-C).", file=sys.stderr
        )
        return 130
    except BrokenPipeError:  # `resnet-studio summary | head`
        return 0
    except OSError as e:  # a file mistake the command did not foresee: still one sentence
        said = str(e.strerror or e)
        if e.filename and str(e.filename) in said:  # a sentence that names the path already
            print(f"resnet-studio: error: {said}", file=sys.stderr)
            return 2
        where = f" ({e.filename})" if e.filename else ""
        print(f"resnet-studio: error: {said}{where}.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

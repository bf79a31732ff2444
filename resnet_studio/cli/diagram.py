"""``resnet-studio diagram``: the architecture drawn to scale, alone or beside presets, as SVG
(vector, its text searchable) or PNG, through the window's own painter (Qt, offscreen)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..core import analyze
from ..core.presets import preset_spec, spec_label
from .options import add_spec_options, number, spec_from_args


def add_parser(sub: Any) -> None:
    s = sub.add_parser(
        "diagram",
        help="draw an architecture (or a comparison) to scale as SVG or PNG",
        description="Draw the architecture to scale: boxes whose height follows the spatial "
        "size and width the channels, shortcuts as arcs, shapes on the edges, identical "
        "blocks folded ×N. With --compare, several networks side by side, aligned by stage.",
    )
    add_spec_options(s)
    s.add_argument(
        "--compare",
        nargs="+",
        metavar="PRESET",
        help="draw these presets under the spec, on one scale, stage under stage",
    )
    s.add_argument("--expand", action="store_true", help="draw every block (no ×N folding)")
    s.add_argument(
        "--linear",
        action="store_true",
        help="boxes proportional to size and channels (default: a log scale)",
    )
    s.add_argument(
        "--scale",
        type=number(0, open_low=True),
        default=2.0,
        help="PNG pixels per point (default 2)",
    )
    s.add_argument("--no-legend", action="store_true", help="leave out the key under the diagram")
    s.add_argument("--out", required=True, metavar="FILE", help="FILE.svg or FILE.png")
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".svg", ".png"):
        return _fail(f"--out must end in .svg or .png, not '{out.name}'")
    if not (args.scale > 0):
        return _fail(f"--scale must be more than 0, not {args.scale:g}")
    if not out.parent.is_dir():
        return _fail(f"the folder {out.parent} does not exist")
    spec = spec_from_args(args)
    label = spec_label(spec, args.preset)
    labelled = [(label, analyze(spec))]
    for name in dict.fromkeys(args.compare or ()):
        if name != label:
            labelled.append((name, analyze(preset_spec(name))))

    from ..core.diagram import diagram

    d = diagram(labelled, linear=args.linear, expand_all=args.expand, legend=not args.no_legend)
    # Qt paints it: offscreen, so that no display or X libraries are needed
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from ..gui.diagram.diagram_export import DiagramTooLarge, write_diagram

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841
    try:
        write_diagram(d, str(out), args.scale, " vs ".join(x for x, _ in labelled))
    except DiagramTooLarge as e:
        return _fail(str(e))
    size = f"{d.width:.0f}×{d.height:.0f} pt"
    if suffix == ".png":
        size = f"{d.width * args.scale:.0f}×{d.height * args.scale:.0f} pixels"
    print(f"wrote {out} ({', '.join(x for x, _ in labelled)}; {size})")
    return 0


def _fail(sentence: str) -> int:
    print(f"resnet-studio: error: {sentence.rstrip('.')}.", file=sys.stderr)
    return 2

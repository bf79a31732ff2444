"""``resnet-studio weights``: the catalogue of pretrained weights (top-1, parameters, file size,
preprocessing, where each file is cached and whether it is there and verified), without the
network and without torch; and, only when asked, downloading or importing one file.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..core.format import human


def add_parser(sub: Any) -> None:
    w = sub.add_parser(
        "weights",
        help="list pretrained weights; download or import one",
        description="List the pretrained weights the app knows (torchvision's and timm's), "
        "where each is cached and whether it is there and verified. Nothing is downloaded "
        "unless --download asks.",
    )
    w.add_argument("--json", action="store_true", help="print one JSON list")
    w.add_argument("--preset", metavar="P", help="only the weights for preset P")
    w.add_argument("--download", metavar="NAME", help="download NAME into its cache, verified")
    w.add_argument(
        "--import",
        dest="import_",
        nargs=2,
        metavar=("FILE", "NAME"),
        help="copy FILE, a file you already have, into NAME's cache under the right name",
    )
    w.set_defaults(func=run)


def _bar(done: int, total: int) -> None:
    if total:
        print(f"\r{100 * done / total:5.1f}% of {total / 1e6:.1f} MB", end="", file=sys.stderr)


def run(a: argparse.Namespace) -> int:
    from ..weights.catalogue import find
    from ..weights.listing import rows

    if a.download or a.import_:
        from ..weights.fetch import download, import_file

        if a.download:
            path = download(find(a.download), _bar)
            print(file=sys.stderr)
        else:
            path = import_file(find(a.import_[1]), a.import_[0])
        print(f"{path}")
        return 0
    if a.preset:
        from ..core.presets import preset_fields

        preset_fields(a.preset)  # a misspelt preset is a sentence
    listed = [r for r in rows() if not a.preset or r.entry.arch == a.preset]
    if a.json:
        print(json.dumps([r.to_dict() for r in listed], indent=1))
        return 0
    width = max((len(r.entry.name) for r in listed), default=10)
    print(f"{'name':<{width}}  source       top-1  params    size  preprocessing       cached")
    for r in listed:
        e, p = r.entry, r.entry.preprocess
        top1 = f"{e.top1:.2f}%" if e.top1 is not None else "–"
        size = f"{e.file_mb:.0f} MB" if e.file_mb else "–"
        pre = f"{p.resize}→{p.crop} {p.interpolation}"
        state = "yes" if r.cached else ("FAILS CHECK" if r.problem else "no")
        print(
            f"{e.name:<{width}}  {e.source:<11} {top1:>6}  {human(e.params):>6}  {size:>6}  "
            f"{pre:<18}  {state}"
        )
    folders = sorted({str(r.path.parent) for r in listed if r.entry.hf_repo is None})
    if folders:
        print(
            f"\ntorchvision's files are looked up in {folders[0]}; timm's in the Hugging Face "
            f"cache. `--json` gives each path."
        )
    for r in listed:
        if r.problem:
            print(r.problem)
    return 0

"""``resnet-studio inspect``: what a trained run gets wrong (the confusion matrix on its
validation set, per-class accuracy, precision and recall, the worst images) and, with
``--image``, what it says of an image and where it looks (Grad-CAM). Only reads the run.

Torch is imported when the command runs, not when the parser is built.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..train.errors import TrainError
from .options import whole

SHADES = " .:-=+*#%@"  # a Grad-CAM map in text, from 0 to 1
MAP_COLUMNS = 32


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "inspect",
        help="a trained run's confusion matrix and mistakes; an image's prediction and Grad-CAM",
        description="Measure a trained run on its validation set (the same split and "
        "transforms as training): the confusion matrix (rows are true classes), each class's "
        "accuracy, precision and recall, and the images with the highest loss. With --image, "
        "also the image's top classes and its Grad-CAM map. The run's files are only read.",
    )
    p.add_argument(
        "run_dir",
        metavar="RUN_DIR",
        nargs="?",
        help="a run folder, as `resnet-studio runs` lists (or --weights instead)",
    )
    p.add_argument(
        "--weights",
        metavar="NAME|FILE",
        help="pretrained weights instead of a run: a name from `resnet-studio weights` or a "
        "state_dict/checkpoint file; with --image, that image's top classes and Grad-CAM",
    )
    p.add_argument(
        "--preset",
        metavar="P",
        help="the preset the --weights load into (default: the catalogue entry's own)",
    )
    p.add_argument(
        "--checkpoint",
        choices=("best", "last"),
        default="best",
        help="the best epoch's weights (highest validation accuracy) or the last ones",
    )
    p.add_argument(
        "--image",
        metavar="FILE",
        help="an image file, prepared as training prepared its images (channels, size)",
    )
    p.add_argument(
        "--layer",
        metavar="NAME",
        help="the stage or block Grad-CAM looks at (layer3, layer2.1, …; default: the deepest "
        "stage whose output is larger than 1×1)",
    )
    p.add_argument(
        "--before",
        action="store_true",
        help="with --image, for a fine-tuned run: also the image through its starting weights "
        "(Grad-CAM at the same layer), before and after",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument(
        "--top-losses", type=whole(0), default=10, metavar="N", help="list N worst images"
    )
    p.set_defaults(func=run)


def run(a: argparse.Namespace) -> int:
    from ..inspect.confusion import evaluate
    from ..inspect.image import look_at
    from ..inspect.run_model import load_run, load_validation

    if a.before and not a.image:
        raise TrainError("--before compares Grad-CAM on --image; give an image too.")
    if a.layer and not a.image:
        raise TrainError("--layer chooses where Grad-CAM looks at --image; give an image too.")
    if a.weights or a.preset:
        return _run_pretrained(a)
    if not a.run_dir:
        raise TrainError("Give a run folder to inspect, or --weights NAME|FILE and --image F.")
    loaded = load_run(a.run_dir, a.checkpoint)
    val = load_validation(loaded)
    report = None
    if a.image:
        if a.layer:
            from ..inspect.features import check_layer

            check_layer(loaded.spec, a.layer)
        x = val.from_file(a.image)
        report = look_at(loaded.model, loaded.spec, x, val.classes, a.layer)
        if a.before:
            from ..inspect.pretrained import before_after

            pair = before_after(loaded, x, val.classes, a.layer)
            if pair is None:
                raise TrainError(
                    "--before shows a fine-tuned run's start; this run began from random weights."
                )
            before = pair[0]
    ev = evaluate(loaded.model, val, loaded.config.batch_size * 2)
    doc: dict[str, Any] = {
        "run": str(loaded.dir),
        "checkpoint": loaded.checkpoint,
        "epoch": loaded.epoch,
        "step": loaded.step,
        "recorded_accuracy": loaded.recorded_accuracy,
        **ev.to_dict(max(0, a.top_losses)),
        "notes": loaded.notes,
    }
    if report is not None:
        doc["image"] = str(a.image)
        doc["input_size"] = list(loaded.spec.input_size)
        doc.update(report.to_dict())
        if a.before:
            doc["start_weights"] = loaded.config.weights
            doc["before"] = before.to_dict()
            doc["before"]["top"] = doc["before"]["top"][:5]
    if a.json:
        print(json.dumps(doc, indent=2))
        return 0
    _print_text(doc, ev)
    return 0


def _run_pretrained(a: argparse.Namespace) -> int:
    """--weights (and --preset) with --image: no run, no validation set."""
    from ..inspect.pretrained import look_at_file, open_pretrained
    from ..train.errors import TrainError

    if a.run_dir:
        raise TrainError("Give either a run folder or --weights, not both.")
    if not a.weights:
        raise TrainError("--preset names the architecture for --weights; give --weights too.")
    if not a.image:
        raise TrainError("--weights looks at one image; give it with --image F.")
    opened = open_pretrained(a.weights, a.preset)
    report = look_at_file(opened, a.image, a.layer)
    doc: dict[str, Any] = {
        "weights": opened.weights.source,
        "path": str(opened.weights.path),
        "sha256": opened.weights.sha256,
        "preset": a.preset or (opened.weights.entry.arch if opened.weights.entry else None),
        "image": str(a.image),
        "preprocess": opened.preprocess.to_dict(),
        "notes": opened.notes,
        **report.to_dict(),
    }
    doc["top"] = doc["top"][:5]
    if a.json:
        print(json.dumps(doc, indent=2))
        return 0
    print(f"{doc['weights']} ({doc['path']}, SHA-256 {doc['sha256'][:12]}…)")
    print(f"Preprocessing: {opened.preprocess.describe()}")
    for note in opened.notes:
        print(note)
    print(f"\n{doc['image']}:")
    for name, p in doc["top"]:
        print(f"  {100 * p:6.2f}%  {name}")
    if doc["cam"] is None:
        print(f"Grad-CAM: {doc['layer_note']}")
    else:
        print(f"Grad-CAM of {doc['cam_class']} at {doc['layer']}: {doc['layer_note']}")
        print(text_map(doc["cam"]))
    return 0


def _percent(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.2f}%"


def _print_text(doc: dict[str, Any], ev: Any) -> None:
    recorded = doc["recorded_accuracy"]
    said = f" (the run recorded {_percent(recorded)})" if recorded is not None else ""
    print(
        f"{Path(doc['run']).name}, {doc['checkpoint']}.pt (epoch {doc['epoch']}, step "
        f"{doc['step']}): validation accuracy {_percent(doc['accuracy'])} on "
        f"{doc['images']:,} images{said}."
    )
    for note in doc["notes"]:
        print(note)
    classes = doc["classes"]
    width = max(5, *(len(c) for c in classes))
    cell = max(4, len(str(max(max(r) for r in doc["confusion"]))) + 1)
    print("\nConfusion matrix (rows: true class, columns: predicted class)")
    short = [c[: cell - 1] for c in classes]
    print(" " * width + "".join(f"{c:>{cell}}" for c in short))
    for name, row in zip(classes, doc["confusion"], strict=True):
        print(f"{name:<{width}}" + "".join(f"{v:>{cell}}" for v in row))
    print(f"\n{'class':<{width}}  images  accuracy  precision  recall")
    for c in doc["per_class"]:
        print(
            f"{c['class']:<{width}}  {c['images']:>6}  {_percent(c['accuracy']):>8}  "
            f"{_percent(c['precision']):>9}  {_percent(c['recall']):>6}"
        )
    if doc["most_confused"]:
        pairs = ", ".join(
            f"{m['true']} as {m['predicted']} ({m['count']})" for m in doc["most_confused"][:5]
        )
        print(f"\nMost confused (true as predicted): {pairs}")
    if doc["top_losses"]:
        print("\nHighest losses (validation image: true → predicted, its probability, loss)")
        for t in doc["top_losses"]:
            mark = "" if t["label"] != t["predicted"] else "  (right, but unsure)"
            print(
                f"  #{t['index']:<5} {t['label']} → {t['predicted']}  "
                f"{t['probability']:.2f}  {t['loss']:.3f}{mark}"
            )
    if "top" in doc:
        top = ", ".join(f"{name} {100 * p:.1f}%" for name, p in doc["top"][:5])
        print(f"\n{doc['image']}: {top}")
        if doc["cam"] is None:
            print(f"Grad-CAM: {doc['layer_note']}")
        else:
            print(f"Grad-CAM of {doc['cam_class']} at {doc['layer']}: {doc['layer_note']}")
            print(text_map(doc["cam"]))
    if "before" in doc:
        b = doc["before"]
        top = ", ".join(f"{name} {100 * p:.1f}%" for name, p in b["top"][:5])
        print(f"\nBefore fine-tuning ({doc['start_weights']}): {top}")
        if b["cam"] is not None:
            print(f"Grad-CAM of {b['cam_class']} at {b['layer']}:")
            print(text_map(b["cam"]))


def text_map(cam: list[list[float]]) -> str:
    """A map of values 0…1 as characters, at most MAP_COLUMNS wide (two per pixel across, as
    a character is about twice as tall as it is wide)."""
    h, w = len(cam), len(cam[0])
    cols = min(MAP_COLUMNS, w)
    rows = max(1, round(h * cols / w / 2))
    lines = []
    for r in range(rows):
        y = min(h - 1, int((r + 0.5) * h / rows))
        line = ""
        for c in range(cols):
            v = cam[y][min(w - 1, int((c + 0.5) * w / cols))]
            line += SHADES[min(len(SHADES) - 1, int(v * len(SHADES)))] * 2
        lines.append("  |" + line + "|")
    return "\n".join(lines)

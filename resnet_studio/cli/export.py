"""``resnet-studio export``: a model (freshly built, or with a run's or a file's weights) as ONNX,
torch.export (.pt2), TorchScript, a state_dict or Python code.

Torch is imported when the command runs, not when ``--help`` is read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..atomic import output_problem
from ..core.errors import SpecError
from ..core.model_export import FORMATS, with_suffix
from ..core.presets import preset_of
from ..core.spec import ArchSpec
from ..train.errors import TrainError
from .options import DEFAULT_PRESET, SPEC_FIELDS, add_spec_options, flag, spec_from_args


def add_parser(sub: Any) -> None:
    s = sub.add_parser(
        "export",
        help="write a model as ONNX, torch.export, TorchScript, state_dict or Python",
        description="Write a model as a file that other tools open. Without --weights the "
        "model is freshly initialised; with a run's best.pt or last.pt, the architecture "
        "saved in it is used unless architecture options say otherwise.",
    )
    add_spec_options(s)
    s.set_defaults(preset=None)  # to tell "no options" from an explicit --preset resnet18
    s.add_argument(
        "--weights",
        metavar="FILE",
        help="a run's best.pt or last.pt, or a state_dict file (read as tensors only)",
    )
    s.add_argument("--format", required=True, choices=tuple(FORMATS), help="what to write")
    s.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="where to write; the format's suffix is added if FILE has another",
    )
    s.set_defaults(func=run)


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The architecture options the user gave, as ArchSpec fields."""
    given = {name: getattr(args, name, None) for name in SPEC_FIELDS}
    given = {k: v for k, v in given.items() if v is not None}
    dilation = given.get("replace_stride_with_dilation")
    if dilation is not None:
        try:
            given["replace_stride_with_dilation"] = tuple(flag(v) for v in dilation.split(","))
        except argparse.ArgumentTypeError as e:
            raise SpecError("replace_stride_with_dilation", dilation, str(e)) from None
    return given


def _asked(args: argparse.Namespace, saved: ArchSpec | None) -> ArchSpec | None:
    """What the options describe; None when there are none. Without --preset, the options
    change the architecture saved with the weights (e.g. only its input size); otherwise they
    change the preset (resnet18 by default)."""
    given = _overrides(args)
    if args.preset is None and saved is not None:
        return saved.replace(**given) if given else None
    preset = args.preset or DEFAULT_PRESET
    return spec_from_args(argparse.Namespace(**{**vars(args), "preset": preset}))


def run(args: argparse.Namespace) -> int:
    from ..core.model_export import export_model

    out = Path(args.out)
    for path in dict.fromkeys((out, with_suffix(out, args.format))):  # before any work
        problem = output_problem(path)
        if problem:
            raise TrainError(f"--out {args.out}: {problem}")
    model, note = None, ""
    if args.weights:
        from ..train.weights import choose_spec, model_for_weights, read_weights

        weights = read_weights(args.weights)
        spec, note = choose_spec(weights, _asked(args, weights.spec))
        model = model_for_weights(weights, spec)
    else:
        asked = _asked(args, None)
        assert asked is not None  # without saved weights, the options or the default preset
        spec = asked
        if FORMATS[args.format].needs_model:
            from ..core.builder import build_model

            model = build_model(spec)
    if note:
        print(note)
    if args.format == "python" and args.weights:
        print("Python code builds the architecture only; it holds no weights.")
    if with_suffix(out, args.format) != out:
        print(f"Added {FORMATS[args.format].suffix} to the file name, for {args.format}.")
    base = args.preset or preset_of(spec) or DEFAULT_PRESET
    print(export_model(model, spec, args.format, out, base_preset=base))
    return 0

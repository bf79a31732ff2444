"""How long each model export takes, and which part dominates (issue 10: resnet50 took 9-14 s).

For each format, ``core.model_export.export_model`` writes resnet50 at 224×224 ``--repeat``
times in this process (medians; the first call of a process pays one-off imports and warm-up,
reported apart as "first"). The parts are timed the same way: graph capture (torch.export or
jit.trace), the ONNX translation with and without its optimiser, and serialisation. "before" is
the export as the window did it until issue 10 (ONNX via a temporary file, weights in an
external ``tmpXXXX.onnx.data``; batch of 1 in the example). ``--variants`` also times the ONNX
options that could make it faster: no optimiser, the legacy TorchScript exporter (deprecated),
and ``verify=True``.

Run: ``.venv/bin/python bench/export_times.py [--preset resnet50] [--repeat 3] [--variants]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch

from resnet_studio import ArchSpec, build_model
from resnet_studio.core import model_export
from resnet_studio.core.model_export import export_model


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(first call, median of the ``repeat`` calls after it) in seconds."""
    t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return first, statistics.median(times)


def old_export(model: torch.nn.Module, spec: ArchSpec, path: str) -> None:
    """The window's ONNX export before issue 10 (gui/exports.py), minus its suffix dispatch."""
    model = model.eval()
    x = torch.randn(1, spec.in_channels, *spec.input_size)
    fd, tmp = tempfile.mkstemp(dir=Path(path).parent, suffix=".onnx")
    os.close(fd)
    try:
        with torch.no_grad():
            torch.onnx.export(
                model,
                (x,),
                tmp,
                dynamo=True,
                input_names=["input"],
                output_names=["logits"],
                dynamic_shapes={"x": {0: torch.export.Dim("batch")}},
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="resnet50")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--variants", action="store_true", help="also time other ONNX options")
    p.add_argument("--no-before", action="store_true", help="skip the pre-issue-10 export")
    args = p.parse_args()
    torch.set_num_threads(min(os.cpu_count() or 1, 8))
    spec = ArchSpec.from_preset(args.preset, input_size=args.size)
    model = build_model(spec).eval()
    x = model_export.example_input(spec)
    dims = model_export._batch_dim()
    out = Path(tempfile.mkdtemp(prefix="export-times-"))
    warnings.simplefilter("ignore")  # deprecation notices of the legacy paths timed here
    rows: list[tuple[str, float, float, str]] = []

    def row(name: str, fn: Callable[[], object], note: str = "") -> object:
        result = []
        first, median = timed(lambda: result.append(fn()), args.repeat)
        rows.append((name, first, median, note))
        print(f"{name:<44} first {first:6.2f} s   median {median:6.2f} s  {note}", flush=True)
        return result[-1]

    def size(name: str) -> str:
        return f"{(out / name).stat().st_size / 2**20:.0f} MB"

    try:
        threads = torch.get_num_threads()
        print(f"{args.preset} at {args.size}², torch {torch.__version__}, {threads} threads")
        for fmt in ("onnx", "pt2", "torchscript", "state_dict", "python"):
            path = out / f"m{model_export.FORMATS[fmt].suffix}"
            row(f"export_model {fmt}", lambda f=fmt, p=path: export_model(model, spec, f, p))
            files = sorted(f.name for f in out.iterdir())
            rows[-1] = (*rows[-1][:3], f"{size(path.name)}; folder: {', '.join(files)}")
            print(f"{'':<44} {rows[-1][3]}")
            path.unlink()
        if not args.no_before:
            row("before: old window ONNX export", lambda: old_export(model, spec, out / "old.onnx"))
            left = sorted(f.name for f in out.iterdir())
            print(f"{'':<44} left behind: {', '.join(left)}")
            for f in out.iterdir():
                f.unlink()

        print("\nparts")
        with torch.no_grad():
            program = row(
                "torch.export.export (capture, pt2 and ONNX)",
                lambda: torch.export.export(model, (x,), dynamic_shapes=dims),
            )
            row("torch.export.save (.pt2)", lambda: torch.export.save(program, out / "m.pt2"))
            for optimize in (True, False):
                onnx = row(
                    f"ONNX translate, optimize={optimize}",
                    lambda o=optimize: torch.onnx.export(
                        program, (x,), dynamo=True, verbose=False, optimize=o
                    ),
                )
            onnx = torch.onnx.export(program, (x,), dynamo=True, verbose=False, optimize=True)
            row("ONNXProgram.save (weights inside)", lambda: onnx.save(out / "m.onnx"))
            row("torch.jit.trace, check_trace=True", lambda: torch.jit.trace(model, x[:1]))
            traced = row(
                "torch.jit.trace, check_trace=False",
                lambda: torch.jit.trace(model, x[:1], check_trace=False),
            )
            row("torch.jit.save", lambda: torch.jit.save(traced, str(out / "m.pt")))
            if args.variants:
                print("\nONNX variants (whole export to a file)")
                row(
                    "dynamo, optimize=True (what export_model does)",
                    lambda: torch.onnx.export(
                        model, (x,), dynamo=True, verbose=False, dynamic_shapes=dims
                    ).save(out / "v.onnx"),
                )
                row(
                    "dynamo, optimize=False",
                    lambda: torch.onnx.export(
                        model, (x,), dynamo=True, verbose=False, optimize=False, dynamic_shapes=dims
                    ).save(out / "v.onnx"),
                )
                row(
                    "dynamo, verify=True (runs onnxruntime)",
                    lambda: torch.onnx.export(
                        model, (x,), dynamo=True, verbose=False, verify=True, dynamic_shapes=dims
                    ).save(out / "v.onnx"),
                )
                row(
                    "legacy dynamo=False (deprecated)",
                    lambda: torch.onnx.export(
                        model,
                        (x,),
                        str(out / "v.onnx"),
                        dynamo=False,
                        input_names=["input"],
                        output_names=["logits"],
                        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                    ),
                )
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()

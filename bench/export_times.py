"""How long each model export takes, and which part dominates (issue 10: resnet50 took 9-14 s).

Every measurement runs in a fresh process, as a user's export does (``resnet-studio export``, or
the child process the window starts), so the first call's warm-up is counted as a user waits
for it (in one long process, timings also depended on what ran before them). A process imports
torch, builds the model, then times its export; the table gives the medians (and the least) of
``--repeat`` processes (the least is the export's own cost when other work shares the CPU), the
process's CPU seconds (every thread counted), and "process", the whole command as a user waits
for it.

Rows: ``core.model_export.export_model`` for each format; "before", the window's ONNX export until
issue 10 (a temporary file, weights in an external ``tmpXXXX.onnx.data`` left behind, an example
batch of 1); the parts of each exporter (graph capture, ONNX translation with and without its
optimiser, serialisation); and torch's two ONNX exporters whole, with ``verify=True`` for scale.

Run: ``.venv/bin/python bench/export_times.py [--preset resnet50] [--size 224] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

KINDS = {  # what one process measures: export_model's formats, the old export, the parts
    "onnx": "export_model onnx",
    "pt2": "export_model pt2",
    "torchscript": "export_model torchscript",
    "state_dict": "export_model state_dict",
    "python": "export_model python",
    "before": "before: the window's ONNX export",
    "dynamo-parts": "torch.export-based ONNX exporter",
    "pt2-parts": "torch.export + torch.export.save",
    "jit-parts": "torch.jit.trace + save",
    "legacy": "TorchScript-based ONNX exporter",
    "dynamo-options": "torch.export-based ONNX, options",
}


def one(kind: str, preset: str, size: int) -> dict[str, float]:
    """In this (fresh) process: the seconds of each step of ``kind``."""
    import torch

    from resnet_studio import ArchSpec, build_model
    from resnet_studio.core import model_export
    from resnet_studio.core.model_export import FORMATS, export_model

    warnings.simplefilter("ignore")  # the deprecation notices of the paths timed here
    torch.set_num_threads(min(os.cpu_count() or 1, 8))
    spec = ArchSpec.from_preset(preset, input_size=size)
    model = build_model(spec).eval()
    x = model_export.example_input(spec)
    dims = model_export._batch_dim()
    times: dict[str, float] = {}
    out = Path(tempfile.mkdtemp(prefix="export-times-"))

    def step(name: str, fn: Callable[[], object]) -> object:
        t, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times[name] = time.perf_counter() - t
        times[f"{name} cpu"] = time.process_time() - cpu
        return result

    if kind in FORMATS:
        path = step("export", lambda: export_model(model, spec, kind, out / "m"))
        times["MB"] = path.stat().st_size / 2**20
        times["files"] = len(list(out.iterdir()))
    elif kind == "before":
        step("export", lambda: old_export(model, spec, str(out / "old.onnx")))
        times["files"] = len(list(out.iterdir()))
    with torch.no_grad():
        if kind == "dynamo-parts":
            program = step(
                "capture (torch.export)",
                lambda: torch.export.export(model, (x,), dynamic_shapes=dims),
            )
            onnx = step(
                "translate, optimize=True",
                lambda: torch.onnx.export(program, (x,), dynamo=True, verbose=False),
            )
            step("save, weights inside", lambda: onnx.save(out / "m.onnx"))
        elif kind == "pt2-parts":
            program = step(
                "capture (torch.export)",
                lambda: torch.export.export(model, (x,), dynamic_shapes=dims),
            )
            step("torch.export.save", lambda: torch.export.save(program, out / "m.pt2"))
        elif kind == "jit-parts":
            traced = step(
                "trace, check_trace=False",
                lambda: torch.jit.trace(model, x[:1], check_trace=False),
            )
            step("torch.jit.save", lambda: torch.jit.save(traced, str(out / "m.pt")))
            step("trace, check_trace=True", lambda: torch.jit.trace(model, x[:1]))
        elif kind == "legacy":
            step(
                "export, dynamo=False",
                lambda: model_export._legacy_onnx(model, spec, out / "m.onnx"),
            )
        elif kind == "dynamo-options":
            for name, options in (
                ("optimize=True", {}),
                ("optimize=False", {"optimize": False}),
                ("verify=True", {"verify": True}),
            ):
                step(
                    name,
                    lambda o=options: torch.onnx.export(
                        model, (x,), dynamo=True, verbose=False, dynamic_shapes=dims, **o
                    ).save(out / "m.onnx"),
                )
    for f in out.iterdir():
        f.unlink()
    out.rmdir()
    return times


def old_export(model: object, spec: object, path: str) -> None:
    """The window's ONNX export before issue 10 (gui/window/exports.py), as it was; it leaves the
    weights behind in ``tmpXXXX.onnx.data`` (removed here by the caller's clean-up)."""
    import torch

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
    p.add_argument("--kinds", default=",".join(KINDS), help="which rows, comma-separated")
    p.add_argument("--one", help=argparse.SUPPRESS)  # the child's side
    args = p.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.preset, args.size)))
        return
    import torch

    threads = min(os.cpu_count() or 1, 8)
    print(
        f"{args.preset} at {args.size}², torch {torch.__version__}, {threads} threads; medians of"
    )
    print(f"{args.repeat} fresh processes each (and the least)")
    for kind in args.kinds.split(","):
        runs, walls = [], []
        for _ in range(args.repeat):
            cmd = [sys.executable, __file__, "--one", kind, "--preset", args.preset]
            t = time.perf_counter()
            r = subprocess.run([*cmd, "--size", str(args.size)], capture_output=True, text=True)
            walls.append(time.perf_counter() - t)
            if r.returncode:
                raise SystemExit(f"{kind} failed:\n{r.stderr[-3000:]}")
            runs.append(json.loads(r.stdout.strip().splitlines()[-1]))
        print(f"\n{KINDS[kind]}")
        for name in runs[0]:
            values = [run[name] for run in runs]
            if name in ("MB", "files"):
                print(f"  {name:<30} {values[0]:8.0f}")
            elif not name.endswith(" cpu"):
                cpu = statistics.median(run[f"{name} cpu"] for run in runs)
                print(
                    f"  {name:<30} {statistics.median(values):6.2f} s  (least {min(values):5.2f} s;"
                    f" CPU {cpu:5.2f} s)"
                )
        print(f"  {'process (with import and build)':<30} {statistics.median(walls):6.2f} s")


if __name__ == "__main__":
    main()

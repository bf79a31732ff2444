"""A built model as files that other tools open: ONNX, torch.export (.pt2), TorchScript, a
state_dict, or the Python that builds it. Qt-free; the window and ``resnet-studio export`` share it.

The format is named explicitly (never guessed from the suffix); a path whose suffix does not
match gets the format's suffix added. Every file appears whole or not at all:

- ONNX is one self-contained file with its weights inside. Only a model above protobuf's 2 GB
  limit needs an external data file; it is then named after the final file and moved in with it.
  The export writes under the final name into a temporary folder beside the destination, then
  moves the files, so nothing is left behind after success or failure. See :func:`export_onnx`
  for which of torch's two exporters writes it.
- The rest are serialised in memory and written with :func:`atomic_write_bytes`.

ONNX and .pt2 take any batch size (a dynamic first dimension, or the example's batch for a network
whose batch dimension cannot stay symbolic). TorchScript is traced at batch 1; a ResNet's forward
has no code that depends on shapes, so the trace runs other batch sizes too.

Torch is imported by the functions that need it, so that the format table serves the window's
menus and ``--help`` without torch's import time.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..atomic import atomic_write_bytes, atomic_write_text, check_output, named_error
from .export import python_code
from .spec import ArchSpec

if TYPE_CHECKING:
    import torch
    from torch import nn


@dataclass(frozen=True)
class ModelFormat:
    name: str  # what --format takes
    suffix: str
    title: str  # for menus and messages
    needs_model: bool = True


FORMATS: dict[str, ModelFormat] = {
    f.name: f
    for f in (
        ModelFormat("onnx", ".onnx", "ONNX"),
        ModelFormat("pt2", ".pt2", "torch.export"),
        ModelFormat("torchscript", ".pt", "TorchScript"),
        ModelFormat("state_dict", ".pth", "state_dict"),
        ModelFormat("python", ".py", "Python code", needs_model=False),
    )
}
EXAMPLE_BATCH = 2  # torch.export specialises a batch of 1 to a constant; 2 stays symbolic
# torch.export, the ONNX exporter and torch.jit.trace patch process-wide state while they trace:
# two at once in the window's thread pool corrupt each other's graphs, so they take turns
_TRACING = threading.Lock()


def with_suffix(path: str | os.PathLike[str], fmt: str) -> Path:
    """``path``, with the format's suffix added when it has another one (or none)."""
    path, suffix = Path(path), FORMATS[fmt].suffix
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def export_model(
    model: nn.Module | None,
    spec: ArchSpec,
    fmt: str,
    path: str | os.PathLike[str],
    *,
    base_preset: str | None = None,
) -> Path:
    """Write ``model`` (built from ``spec``) as ``fmt``; returns the path written, whose suffix is
    the format's. ``model`` may be None for ``python``, which writes code for ``spec`` only."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown model format {fmt!r}; use one of {', '.join(FORMATS)}.")
    path = with_suffix(path, fmt)
    check_output(path)  # a device, a folder or an unwritable place: refused before any work
    if fmt == "python":
        atomic_write_text(path, python_code(spec, base_preset))
        return path
    if model is None:
        raise ValueError(f"A {FORMATS[fmt].title} export needs the built model.")
    import torch

    # a copy, so that the caller's model keeps its mode, device and memory format (torch's stubs
    # omit the Module.to(device, memory_format=...) that torch takes)
    model = copy.deepcopy(model).to("cpu", memory_format=torch.contiguous_format).float().eval()  # type: ignore[call-overload]
    if fmt == "state_dict":
        export_state_dict(model, path)
        return path
    with _TRACING:
        if fmt == "onnx":
            export_onnx(model, spec, path)
        elif fmt == "pt2":
            export_pt2(model, spec, path)
        else:
            export_torchscript(model, spec, path)
    return path


def example_input(spec: ArchSpec, batch: int = EXAMPLE_BATCH) -> torch.Tensor:
    """A traced input; its own generator leaves the global RNG (a run's, maybe) untouched."""
    import torch

    g = torch.Generator().manual_seed(0)
    return torch.randn(batch, spec.in_channels, *spec.input_size, generator=g)


_DynamicShapes = dict[str, dict[int, Any]]  # torch.export's dynamic_shapes: input -> dim -> Dim
_Captured = TypeVar("_Captured")


def _batch_dim() -> _DynamicShapes:
    import torch

    return {"x": {0: torch.export.Dim("batch", min=1)}}


def _with_any_batch(capture: Callable[[_DynamicShapes | None], _Captured]) -> _Captured:
    """``capture(dynamic_shapes)`` with a symbolic batch, or with the example's batch when the
    network specialises it (torch.export then refuses the symbolic one)."""
    try:
        return capture(_batch_dim())
    except Exception:  # a constraint violation; if the fixed batch fails too, that error shows
        return capture(None)


def export_state_dict(model: nn.Module, path: Path) -> None:
    """Tensors only (``torch.load(weights_only=True)`` reads it back)."""
    import torch

    buf = io.BytesIO()
    torch.save({k: v.detach().clone() for k, v in model.state_dict().items()}, buf)
    atomic_write_bytes(path, buf.getvalue())


def export_pt2(model: nn.Module, spec: ArchSpec, path: Path) -> None:
    """torch.export's ExportedProgram, saved with ``torch.export.save``; any batch size."""
    import torch

    x = example_input(spec)
    with torch.no_grad():
        program = _with_any_batch(lambda d: torch.export.export(model, (x,), dynamic_shapes=d))
    buf = io.BytesIO()
    torch.export.save(program, buf)
    atomic_write_bytes(path, buf.getvalue())


def export_torchscript(model: nn.Module, spec: ArchSpec, path: Path) -> None:
    """A ScriptModule traced at batch 1 (``torch.jit.load`` opens it)."""
    import torch

    with warnings.catch_warnings():
        # torch.jit is deprecated in favour of torch.export; the user asked for this format
        warnings.filterwarnings(
            "ignore", message=r".*torch\.jit.*deprecated", category=FutureWarning
        )
        with torch.no_grad():
            # check_trace re-traces and compares the graphs, which doubles the time; a ResNet's
            # forward has no branches on data, and the tests compare the outputs instead
            traced = torch.jit.trace(model, example_input(spec, 1), check_trace=False)
        buf = io.BytesIO()
        torch.jit.save(traced, buf)
    atomic_write_bytes(path, buf.getvalue())


def export_onnx(model: nn.Module, spec: ArchSpec, path: Path) -> None:
    """One self-contained .onnx (weights inside below 2 GB), with a dynamic batch dimension.

    torch's TorchScript-based exporter writes the same graph as the torch.export-based one
    (each batch norm folded into its conv) about seven times faster for a ResNet (0.6 s against
    4 s for resnet50, bench/export_times.py), so it is used while torch has it; it is deprecated,
    and when it is gone or fails, or the weights pass 2 GB, the torch.export-based exporter
    (the default since torch 2.9) writes the file.
    """
    weight_bytes = sum(t.numel() * t.element_size() for t in model.state_dict().values())
    if weight_bytes < LEGACY_ONNX_LIMIT:
        try:
            _write_beside(path, lambda target: _legacy_onnx(model, spec, target))
            return
        except OSError:
            raise  # a full disk or a folder that cannot be written: the other exporter fails too
        except Exception:  # gone from this torch, or a graph it cannot translate
            pass
    _dynamo_onnx(model, spec, path)


LEGACY_ONNX_LIMIT = 1 << 30  # beyond, its external data is a file a tensor; the other writes one


def _legacy_onnx(model: nn.Module, spec: ArchSpec, target: Path) -> None:
    import torch

    with warnings.catch_warnings(), torch.no_grad():
        # "You are using the legacy TorchScript-based ONNX export": chosen for its speed; and
        # "Constant folding not applied" to the strided slices of a "pad" shortcut, which are
        # not constants to fold
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.filterwarnings("ignore", message="Constant folding", category=UserWarning)
        torch.onnx.export(
            model,
            (example_input(spec, 1),),  # it runs the model: the least work; the batch stays free
            str(target),
            dynamo=False,
            input_names=["input"],
            output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        )


def _dynamo_onnx(model: nn.Module, spec: ArchSpec, path: Path) -> None:
    """The torch.export-based exporter; ``optimize=True`` costs little and folds each batch norm
    into its conv, so the graph that Netron shows is the network, not the exporter's scaffolding.
    """
    import torch

    x = example_input(spec)
    with torch.no_grad():
        program = _with_any_batch(
            lambda d: torch.onnx.export(
                model,
                (x,),
                dynamo=True,
                verbose=False,
                optimize=True,
                input_names=["input"],
                output_names=["logits"],
                dynamic_shapes=d,
            )
        )
    assert program is not None  # dynamo=True returns the program (the legacy exporter, None)
    # external_data=None: inside the file, unless the weights pass protobuf's 2 GB limit
    _write_beside(path, lambda target: program.save(target))


def _write_beside(path: Path, write: Callable[[Path], None]) -> None:
    """``write(target)`` under ``path``'s own name in a temporary folder next to it, then move
    every file it made (an external data file first) into place; the folder always goes."""
    path = Path(path)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as e:
        raise named_error(e, path) from None
    try:
        target = tmp / path.name
        write(target)
        made = sorted(tmp.iterdir(), key=lambda p: p == target)  # the main file last
        for f in made:
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        for f in made:
            os.replace(f, path.parent / f.name)
    except OSError as e:  # a full disk names the user's file, not the temporary one
        raise named_error(e, path) from None
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)

"""What the window saves: specs, analyses, the built model. Qt-free functions, run off-thread
where they are slow; every file is written atomically."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import torch

from ..atomic import atomic_write_bytes, atomic_write_text
from ..core import Analysis, ArchSpec
from ..core.export import analysis_csv, analysis_json, analysis_markdown

MODEL_FORMATS = {".onnx": "ONNX", ".pt": "TorchScript", ".pth": "state_dict"}


def save_spec(spec: ArchSpec, path: str) -> None:
    atomic_write_text(path, spec.to_json() + "\n")


def export_analysis(a: Analysis, path: str, title: str) -> None:
    suffix = Path(path).suffix.lower()
    text = {".csv": analysis_csv, ".json": analysis_json}.get(suffix)
    atomic_write_text(path, text(a) if text else analysis_markdown(a, title))


def torchinfo_text(model: torch.nn.Module, spec: ArchSpec, batch: int) -> str:
    import torchinfo

    stats = torchinfo.summary(
        model,
        input_size=(batch, spec.in_channels, *spec.input_size),
        verbose=0,
        device="cpu",
        depth=4,
        col_names=("input_size", "output_size", "num_params", "mult_adds"),
    )
    return str(stats) + "\n"


def export_model(model: torch.nn.Module, spec: ArchSpec, path: str) -> None:
    """ONNX (opens in Netron), TorchScript (traced) or a state_dict, chosen by the suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pth":
        buf = io.BytesIO()
        torch.save(model.state_dict(), buf)
        atomic_write_bytes(path, buf.getvalue())
        return
    model = model.eval()
    x = torch.randn(1, spec.in_channels, *spec.input_size)
    fd, tmp = tempfile.mkstemp(dir=Path(path).parent, suffix=suffix)
    os.close(fd)
    try:
        with torch.no_grad():
            if suffix == ".onnx":
                torch.onnx.export(
                    model,
                    (x,),
                    tmp,
                    dynamo=True,
                    input_names=["input"],
                    output_names=["logits"],
                    dynamic_shapes={"x": {0: torch.export.Dim("batch")}},
                )
            else:
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # torch.jit's deprecation notice
                    torch.jit.trace(model, x).save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

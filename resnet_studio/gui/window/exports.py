"""What the window saves: specs, analyses, the built model or a run's trained one. Qt-free
functions, run off-thread where they are slow; every file is written atomically. Model files are
written by :mod:`resnet_studio.core.model_export`, through ``resnet-studio export`` for the
formats that trace the model; torch is imported when a model is exported, not when the window
opens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from resnet_studio.atomic import atomic_write_text
from resnet_studio.core import Analysis, ArchSpec, SpecError
from resnet_studio.core.export import analysis_csv, analysis_json, analysis_markdown
from resnet_studio.core.model_export import FORMATS, with_suffix
from resnet_studio.core.model_export import export_model as write
from resnet_studio.core.presets import file_stem
from resnet_studio.train.errors import TrainError
from resnet_studio.train.records import save_checkpoint

if TYPE_CHECKING:
    import torch

EXPORT_LIMIT_S = 1800  # resnet152 to ONNX takes under a minute here: beyond this, it hangs


def export_stem(labels: Sequence[str], what: str = "") -> str:
    """A default file name's stem that says what is in the file: the networks' names (each
    spec's one name), then what of them: "resnet18-vs-resnet50", "resnet50-edited-diagram"."""
    stem = "-vs-".join(file_stem(label) for label in labels) or "nothing"
    return f"{stem}-{what}" if what else stem


def read_spec(text: str) -> tuple[ArchSpec, str]:
    """The spec in a file the window opens, and what kind of file held it ('' for a spec).

    Besides a spec, the files the app writes that hold one open too: an analysis exported as
    JSON and a run's config.json (their "spec" key). A run's metrics.jsonl is named as such;
    anything else is the spec's own SpecError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > 1 and all(line.lstrip().startswith("{") for line in lines):
            raise SpecError(
                "spec",
                text[:40],
                "this is a run's metrics.jsonl (one JSON record per line), not a spec",
                "open the run's config.json, or load its spec from the Train tab",
            ) from None
        return ArchSpec.from_json(text), ""  # the spec's own sentence about the JSON
    if isinstance(data, dict) and isinstance(data.get("spec"), dict):
        kind = "an analysis" if "totals" in data else "a run's config"
        return ArchSpec.from_dict(data["spec"]), kind
    return ArchSpec.from_dict(data), ""


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


def export_model(
    fmt: str,
    path: str | os.PathLike[str],
    *,
    model: torch.nn.Module | None = None,
    spec: ArchSpec | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    base_preset: str | None = None,
) -> Path:
    """The built ``model`` of ``spec``, or a run's ``checkpoint`` (its saved architecture and
    trained weights), as ``fmt``; returns the path written (the format's suffix added when the
    typed one differs). Raises TrainError with one sentence.

    Formats that trace the model run ``resnet-studio export`` in a child process: torch.export
    and the ONNX exporter set process-wide state while they trace (``is_exporting``, the FX
    metadata), which crashes a run training on another thread of the window.
    """
    traces = fmt not in ("state_dict", "python")
    if checkpoint is None and not traces:
        assert spec is not None, "a model without a checkpoint needs its spec"
        return write(model, spec, fmt, path, base_preset=base_preset)
    if checkpoint is not None and fmt == "state_dict":  # no tracing: here, on this thread
        from resnet_studio.train.weights import choose_spec, model_for_weights, read_weights

        weights = read_weights(checkpoint)
        spec, _ = choose_spec(weights, None)
        return write(model_for_weights(weights, spec), spec, fmt, path)
    with tempfile.TemporaryDirectory(prefix="resnet-studio-export-") as tmp:
        if checkpoint is None:
            assert model is not None and spec is not None, "the built model and its spec"
            checkpoint = Path(tmp) / "model.pt"  # the built model's weights and its spec
            state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
            save_checkpoint(checkpoint, {"spec": spec.to_dict(), "model": state})
        args = ["export", "--weights", str(checkpoint), "--format", fmt, "--out", str(path)]
        try:
            r = subprocess.run(
                [sys.executable, "-m", "resnet_studio.cli", *args],
                capture_output=True,
                text=True,
                timeout=EXPORT_LIMIT_S,
            )
        except subprocess.TimeoutExpired:
            raise TrainError(
                f"The {FORMATS[fmt].title} export took over {EXPORT_LIMIT_S // 60} minutes and "
                "was stopped; try another format, or `resnet-studio export` in a terminal."
            ) from None
    lines = r.stderr.strip().splitlines()
    if r.returncode == 2 and lines:  # the command's one sentence
        raise TrainError(lines[-1].removeprefix("resnet-studio: error: "))
    if r.returncode != 0:
        raise RuntimeError(
            f"The {FORMATS[fmt].title} export stopped ({lines[-1] if lines else r.returncode})."
        )
    return with_suffix(path, fmt)

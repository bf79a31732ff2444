"""Exports: an analysis (CSV, Markdown, JSON), a comparison, and Python that builds a spec."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from .analysis import Analysis
from .compare import MeasureRow
from .format import shape_text
from .presets import PRESETS
from .spec import ArchSpec

LAYER_COLUMNS = (
    "name",
    "type",
    "leaf",
    "batch",
    "input_channels",
    "input_height",
    "input_width",
    "output_channels",
    "output_height",
    "output_width",
    "params",
    "trainable_params",
    "buffers",
    "macs",
)


def analysis_json(a: Analysis) -> str:
    return json.dumps(a.to_dict(), indent=2) + "\n"


def _chw(shape: tuple[int, ...]) -> list[int | str]:
    """Channels, height, width of a per-sample shape; height and width empty for a vector."""
    return [shape[0], shape[1], shape[2]] if len(shape) == 3 else [shape[0], "", ""]


def analysis_csv(a: Analysis) -> str:
    """One row a module, numbers only. ``leaf`` is 1 for modules without children: sum the
    params or MACs of the rows with leaf 1 (a block's row already holds its layers')."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(LAYER_COLUMNS)
    for r in a.layers:
        w.writerow(
            [
                r.name,
                r.kind,
                int(r.is_leaf),
                a.batch_size,
                *_chw(r.in_shape),
                *_chw(r.out_shape),
                r.params,
                r.trainable,
                r.buffers,
                r.macs * a.batch_size,
            ]
        )
    return buf.getvalue()


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def analysis_markdown(a: Analysis, title: str = "") -> str:
    t = a.totals
    head = f"# {title}\n\n" if title else ""
    summary = (
        f"Depth {a.spec.depth}, {t.params:,} parameters, {t.macs:,} MACs "
        f"(FLOPs = 2 × MACs), batch {a.batch_size}, {a.dtype}.\n\n"
    )
    stages = _md_table(
        ["stage", "output shape", "params", "MACs"],
        [
            [
                s.name,
                shape_text(a.shape(s.out_shape)),
                f"{s.params:,}",
                f"{s.macs * a.batch_size:,}",
            ]
            for s in a.stages
        ],
    )
    layers = _md_table(
        ["layer", "type", "output shape", "params", "MACs"],
        [
            [
                r.name,
                r.kind,
                shape_text(a.shape(r.out_shape)),
                f"{r.params:,}",
                f"{r.macs * a.batch_size:,}",
            ]
            for r in a.layers
        ],
    )
    return f"{head}{summary}## Stages\n\n{stages}\n## Layers\n\n{layers}"


Cell = int | float | str | None


def comparison_table(
    labels: Sequence[str], rows: Sequence[MeasureRow]
) -> tuple[list[str], list[list[Cell]]]:
    """The compare table's rows, as shown, for a file: the stage and measure, then per network
    its value (a number; a shape as "1024×14×14") and, after the first, its comparison with the
    first ("×4.00", "+2", "same")."""
    head = ["stage", "measure"]
    for j, label in enumerate(labels):
        head += [label] + ([f"{label} vs {labels[0]}"] if j else [])
    body: list[list[Cell]] = []
    for m in rows:
        line: list[Cell] = [m.stage, m.measure]
        for j, (v, text) in enumerate(zip(m.values, m.texts, strict=True)):
            line.append(v if isinstance(v, (int, float)) or v is None else text)
            if j:
                line.append(m.against_first[j - 1])
        body.append(line)
    return head, body


def comparison_csv(labels: Sequence[str], rows: Sequence[MeasureRow]) -> str:
    head, body = comparison_table(labels, rows)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    w.writerows([["" if v is None else v for v in line] for line in body])
    return buf.getvalue()


def comparison_markdown(labels: Sequence[str], rows: Sequence[MeasureRow]) -> str:
    """The compare table as Markdown, its cells' text as shown."""
    head, _ = comparison_table(labels, rows)
    body = []
    for m in rows:
        line = [m.stage, m.measure]
        for j, text in enumerate(m.texts):
            line += [text] + ([m.against_first[j - 1]] if j else [])
        body.append(line)
    return _md_table(head, body)


def python_code(spec: ArchSpec, base: str | None = None) -> str:
    """Python that builds ``spec`` with resnet_studio, as overrides of the closest preset."""
    base = base if base in PRESETS else "resnet18"
    reference = ArchSpec.from_preset(base)
    changes = {k: v for k, v in spec.to_dict().items() if reference.to_dict()[k] != v}
    if "layers" in changes or len(spec.widths) != len(reference.widths):
        changes["widths"] = list(spec.widths)
    args = "".join(f", {k}={tuple(v) if isinstance(v, list) else v!r}" for k, v in changes.items())
    return (
        "from resnet_studio import ArchSpec, build_model\n\n"
        f"spec = ArchSpec.from_preset({base!r}{args})\n"
        "model = build_model(spec)\n"
    )

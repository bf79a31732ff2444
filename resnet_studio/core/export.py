"""Exports: an analysis (CSV, Markdown, JSON), a comparison, and Python that builds a spec."""

from __future__ import annotations

import csv
import io
import json

from .analysis import Analysis
from .compare import Comparison
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


COMPARE_COLUMNS = ("channels", "height", "width", "params", "MACs", "params ratio", "MACs ratio")
Cell = int | float | str | None


def _ratio(value: int | None, base: int | None) -> float | None:
    return round(value / base, 4) if value is not None and base else None


def comparison_rows(c: Comparison) -> tuple[list[str], list[list[Cell]]]:
    """The comparison as one flat table of numbers: a row per stage, then the totals.

    Per spec: the stage's output channels, height and width (empty where the output has no
    spatial size), params, MACs (for the batch), and params and MACs as a ratio to the first
    spec's (its own columns, so that every cell is one number; empty where it has no stage).
    """
    head = ["stage"] + [f"{label} {col}" for label in c.labels for col in COMPARE_COLUMNS]
    rows: list[list[Cell]] = []
    for name, cells in zip(c.stages, c.cells, strict=True):
        row: list[Cell] = [name]
        base = cells[0]
        for cell, a in zip(cells, c.analyses, strict=True):
            if cell is None:
                row += [None] * len(COMPARE_COLUMNS)
                continue
            shape = cell.out_shape
            h, w = (shape[1], shape[2]) if len(shape) == 3 else (None, None)
            macs = cell.macs * a.batch_size
            base_macs = base.macs * c.analyses[0].batch_size if base else None
            row += [
                shape[0],
                h,
                w,
                cell.params,
                macs,
                _ratio(cell.params, base.params if base else None),
                _ratio(macs, base_macs),
            ]
        rows.append(row)
    total: list[Cell] = ["total"]
    for j, a in enumerate(c.analyses):
        total += [None, None, None, a.totals.params, a.totals.macs]
        total += [round(c.ratio(j, "params"), 4), round(c.ratio(j, "macs"), 4)]
    rows.append(total)
    return head, rows


def comparison_csv(c: Comparison) -> str:
    head, rows = comparison_rows(c)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    w.writerows([["" if v is None else v for v in row] for row in rows])
    return buf.getvalue()


def comparison_markdown(c: Comparison) -> str:
    """Per spec the output shape, params and MACs with thousands separators; ratios in the
    totals."""
    head = ["stage"]
    for label in c.labels:
        head += [f"{label} output", f"{label} params", f"{label} MACs"]
    rows = []
    for name, cells in zip(c.stages, c.cells, strict=True):
        row = [name]
        for cell, a in zip(cells, c.analyses, strict=True):
            if cell is None:
                row += ["", "", ""]
            else:
                out = shape_text(a.shape(cell.out_shape))
                row += [out, f"{cell.params:,}", f"{cell.macs * a.batch_size:,}"]
        rows.append(row)
    total = ["total"]
    for j, a in enumerate(c.analyses):
        total += [
            "",
            f"{a.totals.params:,} (×{c.ratio(j, 'params'):.2f})",
            f"{a.totals.macs:,} (×{c.ratio(j, 'macs'):.2f})",
        ]
    rows.append(total)
    return _md_table(head, rows)


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

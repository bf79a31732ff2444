"""Exports: an analysis (CSV, Markdown, JSON), a comparison, and Python that builds a spec."""

from __future__ import annotations

import csv
import io
import json

from .analysis import Analysis
from .compare import Comparison
from .format import human, shape_text
from .presets import PRESETS
from .spec import ArchSpec

LAYER_COLUMNS = (
    "name",
    "type",
    "input_shape",
    "output_shape",
    "params",
    "trainable_params",
    "buffers",
    "macs",
)


def analysis_json(a: Analysis) -> str:
    return json.dumps(a.to_dict(), indent=2) + "\n"


def analysis_csv(a: Analysis) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(LAYER_COLUMNS)
    for row in a.to_dict()["layers"]:
        w.writerow([shape_text(row[c]) if c.endswith("shape") else row[c] for c in LAYER_COLUMNS])
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


def comparison_rows(c: Comparison) -> tuple[list[str], list[list[str]]]:
    """The comparison as one flat table: a row per stage, five columns per spec, then totals."""
    head = ["stage"]
    for label in c.labels:
        head += [
            f"{label} output",
            f"{label} channels",
            f"{label} size",
            f"{label} params",
            f"{label} MACs",
        ]
    rows = []
    for name, cells in zip(c.stages, c.cells, strict=True):
        row = [name]
        for cell, a in zip(cells, c.analyses, strict=True):
            if cell is None:
                row += ["", "", "", "", ""]
                continue
            shape = cell.out_shape
            size = "×".join(str(s) for s in shape[1:]) if len(shape) == 3 else "–"
            row += [
                shape_text(a.shape(shape)),
                str(shape[0]),
                size,
                str(cell.params),
                str(cell.macs * a.batch_size),
            ]
        rows.append(row)
    total = ["total"]
    for j, a in enumerate(c.analyses):
        total += [
            "",
            "",
            "",
            f"{a.totals.params} (×{c.ratio(j, 'params'):.2f})",
            f"{a.totals.macs} (×{c.ratio(j, 'macs'):.2f})",
        ]
    rows.append(total)
    return head, rows


def comparison_csv(c: Comparison) -> str:
    head, rows = comparison_rows(c)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    w.writerows(rows)
    return buf.getvalue()


def comparison_markdown(c: Comparison) -> str:
    head, rows = comparison_rows(c)
    return _md_table(head, rows)


def comparison_text(c: Comparison) -> str:
    """A compact table for the terminal: per stage, each spec's output shape, params and MACs."""
    cols = [["stage", *c.stages, "total"]]
    for j, label in enumerate(c.labels):
        a = c.analyses[j]
        col = [label]
        for cells in c.cells:
            s = cells[j]
            col.append(
                ""
                if s is None
                else f"{shape_text(list(s.out_shape))}  "
                f"{human(s.params)}  {human(s.macs * a.batch_size)}"
            )
        col.append(
            f"{human(a.totals.params)} (×{c.ratio(j, 'params'):.2f})  "
            f"{human(a.totals.macs)} (×{c.ratio(j, 'macs'):.2f})"
        )
        cols.append(col)
    widths = [max(len(x) for x in col) for col in cols]
    lines = [
        "  ".join(col[i].ljust(w) for col, w in zip(cols, widths, strict=True)).rstrip()
        for i in range(len(cols[0]))
    ]
    return "\n".join(lines)


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

"""What ``show`` and ``compare`` put in a notebook cell: the summary figures, the stage table
and the to-scale diagram, through the notebook's rich display protocol (HTML with inline SVG,
SVG alone, and plain text for terminals).

Every number comes from the functions the window and the CLI use: :func:`~..core.analyze`,
:func:`~..core.compare.measure_rows`, :func:`~..core.format.summary_table` and the diagram's
layout (:mod:`~..core.diagram`), drawn by the Qt-free :mod:`~..core.diagram_svg`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from html import escape
from typing import Any

from ..core import Analysis, ArchSpec, analyze
from ..core.compare import Comparison, compare, measure_rows
from ..core.diagram import diagram
from ..core.diagram_items import shape_text
from ..core.diagram_svg import diagram_svg_text
from ..core.format import human, human_bytes, summary_table
from ..core.presets import preset_spec, spec_label

CSS = """<style>
.rs-cell{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;color:#222}
.rs-cell h3{margin:4px 0 8px 0;font-size:15px}
.rs-figs{display:flex;gap:18px;flex-wrap:wrap;margin:0 0 10px 0}
.rs-fig .v{font-size:17px;font-weight:600}.rs-fig .c{color:#666;font-size:11px}
.rs-cell table{border-collapse:collapse;margin:0 0 10px 0}
.rs-cell th,.rs-cell td{padding:2px 10px;border-bottom:1px solid #e4e4e4;text-align:right}
.rs-cell th{background:#f4f5f7}.rs-cell td.l,.rs-cell th.l{text-align:left}
.rs-cell td.d{background:#fff3d6}
.rs-diagram{overflow-x:auto;max-width:100%}
</style>"""


def resolve(x: Any) -> tuple[str, Analysis]:
    """A preset's name, an ArchSpec or a module built by the app, as (its name, its analysis)."""
    if isinstance(x, Analysis):
        return spec_label(x.spec), x
    if isinstance(x, str):  # an unknown name is a SpecError that names the near ones
        return x, analyze(preset_spec(x))
    spec: Any = x if isinstance(x, ArchSpec) else getattr(x, "spec", None)
    if not isinstance(spec, ArchSpec):
        raise TypeError(
            f"show() and compare() take a preset's name, an ArchSpec or a model made by "
            f"resnet_studio.build_model, not {type(x).__name__}."
        )
    return spec_label(spec), analyze(spec)


def _figures(a: Analysis) -> list[tuple[str, str]]:
    t, spec = a.totals, a.spec
    h, w = spec.input_size
    return [
        ("parameters", f"{t.params:,}"),
        ("MACs", f"{human(t.macs)} ({t.macs:,})"),
        ("depth", f"{spec.depth} weighted layers"),
        ("input", f"{spec.in_channels}×{h}×{w}"),
        ("output", f"{spec.num_classes} classes"),
        (
            "activation memory",
            f"{human_bytes(t.activation_bytes)} (training, batch {a.batch_size})",
        ),
    ]


def _pct(part: int, whole: int) -> str:
    if not whole:
        return "–"
    share = 100 * part / whole
    return "<0.1%" if 0 < share < 0.05 else f"{share:.1f}%"


def stage_rows(a: Analysis) -> list[tuple[str, str, str, int, int, str, str]]:
    """Per stage: name, output C×H×W, blocks, params, MACs (the batch's), % params, % MACs."""
    t = a.totals
    rows = []
    for s in a.stages:
        macs = s.macs * a.batch_size
        rows.append(
            (
                s.name,
                shape_text(s.out_shape),
                str(s.blocks) if s.blocks else "",
                s.params,
                macs,
                _pct(s.params, t.params),
                _pct(macs, t.macs),
            )
        )
    return rows


def _stage_table(a: Analysis) -> str:
    head = "".join(
        f'<th class="{"l" if i == 0 else ""}">{h}</th>'
        for i, h in enumerate(
            ("stage", "output (C×H×W)", "blocks", "params", "% params", "MACs", "% MACs")
        )
    )
    body = []
    for name, shape, blocks, params, macs, pp, pm in stage_rows(a):
        body.append(
            f'<tr><td class="l">{name}</td><td>{shape}</td><td>{blocks}</td>'
            f'<td title="{params:,}">{human(params)}</td><td>{pp}</td>'
            f'<td title="{macs:,}">{human(macs)}</td><td>{pm}</td></tr>'
        )
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


class _Cell:
    """What a cell shows of networks: HTML with the diagram inline, the SVG alone, and text."""

    @property
    def svg(self) -> str:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {
            "text/plain": repr(self),
            "text/html": self._repr_html_(),
            "image/svg+xml": self.svg,
        }


class Shown(_Cell):
    """One network in a cell. ``.analysis`` holds the numbers; ``.svg`` the diagram."""

    def __init__(self, label: str, analysis: Analysis) -> None:
        self.label, self.analysis = label, analysis

    @cached_property
    def svg(self) -> str:
        return diagram_svg_text(diagram([(self.label, self.analysis)]), self.label)

    def _repr_html_(self) -> str:
        figs = "".join(
            f'<div class="rs-fig"><div class="v">{escape(v)}</div><div class="c">{c}</div></div>'
            for c, v in _figures(self.analysis)
        )
        return (
            f'{CSS}<div class="rs-cell"><h3>{escape(self.label)}</h3>'
            f'<div class="rs-figs">{figs}</div>{_stage_table(self.analysis)}'
            f'<div class="rs-diagram">{self.svg}</div></div>'
        )

    def __repr__(self) -> str:
        return summary_table(self.analysis, depth="stages", title=self.label)


class Compared(_Cell):
    """Several networks in a cell, aligned by stage, each measure against the first."""

    def __init__(self, labelled: Sequence[tuple[str, Analysis]]) -> None:
        self.labelled = list(labelled)
        self.comparison: Comparison = compare(self.labelled)

    @cached_property
    def svg(self) -> str:
        title = " vs ".join(label for label, _ in self.labelled)
        return diagram_svg_text(diagram(self.labelled), title)

    def rows(self) -> list[list[str]]:
        """The table as text cells: stage, measure, each network's value, then each later
        network against the first (the compare view's columns)."""
        return [
            [r.stage, r.measure, *r.texts, *r.against_first] for r in measure_rows(self.comparison)
        ]

    def _header(self) -> list[str]:
        labels = [label for label, _ in self.labelled]
        return ["stage", "measure", *labels, *(f"{x} vs {labels[0]}" for x in labels[1:])]

    def _repr_html_(self) -> str:
        head = "".join(
            f'<th class="{"l" if i < 2 else ""}">{escape(h)}</th>'
            for i, h in enumerate(self._header())
        )
        body = []
        for r in measure_rows(self.comparison):
            cls = ' class="d"' if r.differs else ""
            cells = [f'<td class="l">{r.stage}</td>', f'<td class="l">{r.measure}</td>']
            cells += [
                f'<td{cls} title="{escape(e)}">{escape(t)}</td>'
                for t, e in zip(r.texts, r.exact, strict=True)
            ]
            cells += [f"<td>{escape(x)}</td>" for x in r.against_first]
            body.append(f"<tr>{''.join(cells)}</tr>")
        title = " vs ".join(escape(label) for label, _ in self.labelled)
        return (
            f'{CSS}<div class="rs-cell"><h3>{title}</h3>'
            f"<table><tr>{head}</tr>{''.join(body)}</table>"
            f'<div class="rs-diagram">{self.svg}</div></div>'
        )

    def __repr__(self) -> str:
        rows = [self._header(), *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
            for r in rows
        ]
        return "\n".join(line.rstrip() for line in lines)

"""Stage-by-stage comparison of several architectures: the compare view's and CLI's one source.

:func:`compare` lines the stages up; :func:`measure_rows` turns them into the compare view's
table (one row per measure, one column per network, each against the first);
:func:`shape_profile` gives the shape profile against the stage or the fraction of depth;
:func:`comparison_label` names the spec being edited ("resnet50 (edited)").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .analysis import Analysis, LayerRow, StageSummary
from .diagram_items import shape_text
from .format import human
from .presets import closest_preset, preset_of

T = TypeVar("T")  # a measure's value: a shape, a count, a number of params or MACs


@dataclass(frozen=True)
class Comparison:
    """Stages of several analyses side by side; ``cells[i][j]`` is stage i of spec j (or None)."""

    labels: tuple[str, ...]
    analyses: tuple[Analysis, ...]
    stages: tuple[str, ...]  # stem, layer1 … layerN (the most any spec has), head
    cells: tuple[tuple[StageSummary | None, ...], ...]

    def ratio(self, j: int, what: str) -> float:
        """Spec j's total ``params`` or ``macs`` over the first spec's."""
        base = getattr(self.analyses[0].totals, what)
        return getattr(self.analyses[j].totals, what) / base if base else float("nan")

    def differs(self, i: int, what: str) -> bool:
        """Whether stage i's ``what`` (an attribute of StageSummary) is not the same for all."""
        values = {getattr(c, what) if c else None for c in self.cells[i]}
        return len(values) > 1


def compare(labelled: list[tuple[str, Analysis]]) -> Comparison:
    labels = tuple(label for label, _ in labelled)
    analyses = tuple(a for _, a in labelled)
    depth = max(len(a.spec.layers) for a in analyses)
    names = ("stem", *(f"layer{i + 1}" for i in range(depth)), "head")
    by_name = [{s.name: s for s in a.stages} for a in analyses]
    cells = tuple(tuple(b.get(n) for b in by_name) for n in names)
    return Comparison(labels, analyses, names, cells)


def comparison_label(spec: object, shown: str = "") -> str:
    """How a comparison names a spec: its preset's name, or "resnet50 (edited)" after the
    preset it was edited from (``shown`` is the app's label, "custom (based on resnet50)")."""
    name = preset_of(spec)
    if name:
        return name
    m = re.fullmatch(r"custom \(based on (.+)\)", shown)
    base = m.group(1) if m else closest_preset(spec)
    return f"{base} (edited)" if base else "custom"


@dataclass(frozen=True)
class MeasureRow:
    """One row of the compare table: a measure of a stage (or of the whole network) for each
    network, and how each network after the first compares with it."""

    stage: str  # "stem", "layer1", …, "head", or "total"
    measure: str  # "output shape", "channels", "size", "blocks", "params", "MACs", "depth"
    texts: tuple[str, ...]  # per network ("" where it has no such stage)
    exact: tuple[str, ...]  # per network, for tooltips: the exact number
    against_first: tuple[str, ...]  # per network after the first: "×4.00", "+2", "same"
    differs: bool  # not the same for every network


def _ratio_text(value: float | None, base: float | None) -> str:
    if value is None or base is None:
        return ""
    if value == base:
        return "same"
    return f"×{value / base:.2f}" if base else ""


def _difference_text(value: int | None, base: int | None) -> str:
    if value is None or base is None:
        return ""
    return "same" if value == base else f"{value - base:+d}"


def _shape_against(shape: tuple[int, ...] | None, base: tuple[int, ...] | None) -> str:
    if shape is None or base is None:
        return ""
    if shape == base:
        return "same"
    parts = []
    if shape[0] != base[0]:
        parts.append(f"C ×{shape[0] / base[0]:.3g}")
    if shape[1:] != base[1:]:
        parts.append(
            "H×W " + ("differ" if len(shape) != len(base) else f"×{shape[1] / base[1]:.3g}")
        )
    return ", ".join(parts)


def measure_rows(c: Comparison) -> list[MeasureRow]:
    """The compare view's table: per stage its output shape, channels, size, blocks (stages
    with blocks), params and MACs; then the totals: params, MACs, blocks and depth."""
    out: list[MeasureRow] = []

    def add(
        stage: str,
        measure: str,
        values: Sequence[T | None],
        fmt: Callable[[T], str],
        exact: Callable[[T], str],
        against: Callable[[T | None, T | None], str],
    ) -> None:
        texts = tuple("" if v is None else fmt(v) for v in values)
        tips = tuple("" if v is None else exact(v) for v in values)
        vs = tuple(against(v, values[0]) for v in values[1:])
        out.append(MeasureRow(stage, measure, texts, tips, vs, len(set(texts)) > 1))

    for name, cells in zip(c.stages, c.cells, strict=True):
        shapes = [cell.out_shape if cell else None for cell in cells]
        add(name, "output shape", shapes, shape_text, shape_text, _shape_against)
        add(name, "channels", [s[0] if s else None for s in shapes], str, str, _ratio_text)
        if name != "head":
            sizes = [s[1:] if s and len(s) == 3 else None for s in shapes]
            side = lambda s: f"{s[0]}×{s[1]}"  # noqa: E731
            add(name, "size", sizes, side, side, _shape_against)
        if name not in ("stem", "head"):
            blocks = [cell.blocks if cell else None for cell in cells]
            add(name, "blocks", blocks, str, str, _difference_text)
        params = [cell.params if cell else None for cell in cells]
        add(name, "params", params, human, lambda v: f"{v:,}", _ratio_text)
        macs = [
            cell.macs * a.batch_size if cell else None
            for cell, a in zip(cells, c.analyses, strict=True)
        ]
        add(name, "MACs", macs, human, lambda v: f"{v:,}", _ratio_text)
    totals = [a.totals for a in c.analyses]
    add("total", "params", [t.params for t in totals], human, lambda v: f"{v:,}", _ratio_text)
    add("total", "MACs", [t.macs for t in totals], human, lambda v: f"{v:,}", _ratio_text)
    blocks = [sum(a.spec.layers) for a in c.analyses]
    add("total", "blocks", blocks, str, str, _difference_text)
    depths = [a.spec.depth for a in c.analyses]
    add("total", "depth", depths, str, lambda v: f"{v} weighted layers", _difference_text)
    return out


@dataclass(frozen=True)
class ProfilePoint:
    depth: int  # 1-based index among the weighted layers on the main path (0: the input)
    name: str
    section: str
    channels: int
    height: int
    width: int
    x: float = 0.0  # where it is plotted: stage units (stem 0–1, layer1 1–2, …) or depth 0–1


def shape_profile(
    a: Analysis, every_layer: bool = False, x_axis: str = "stage"
) -> list[ProfilePoint]:
    """The shape of the tensor along the main path, from the input to the logits: at each
    block's output (and the stem's and head's), or after every conv, pool and the classifier
    (``every_layer``: a bottleneck's 256-64-64-256 zig-zag shows). ``x_axis`` "stage" puts
    stage k of every network between k and k+1, so stages line up whatever their depth;
    "depth" is the fraction of the weighted layers passed."""

    def on_main_path(r: LayerRow) -> bool:  # not a shortcut's conv, nor attention's 1×1 ones
        return ".downsample" not in r.name and ".se." not in r.name

    weighted = [r for r in a.rows if r.kind in ("Conv2d", "Linear") and on_main_path(r)]
    position = {r.name: i for i, r in enumerate(a.rows)}
    at = [position[r.name] for r in weighted]  # rows are in pre-order: a module's last
    by = a.by_name  # descendant is the last row before the next module of its level or above
    per_section: dict[str, list[tuple[str, int]]] = {s.name: [] for s in a.stages}
    for s in a.stages:
        if every_layer:
            rows = [
                r
                for r in a.rows
                if r.section == s.name
                and r.kind in ("Conv2d", "Linear", "MaxPool2d", "AvgPool2d", "BlurPool2d")
                and on_main_path(r)
            ]
        elif s.blocks:
            rows = [by[b.name] for b in by[s.name].node.children]
        else:
            rows = [r for r in a.rows if r.section == s.name and r.level == 1][-1:]
        for r in rows:
            end = position[r.node.walk()[-1].name]
            per_section[s.name].append((r.name, bisect_right(at, end)))  # weighted layers passed
    total = len(weighted)
    c, h, w = a.root.in_shape
    out = [ProfilePoint(0, "input", "input", c, h, w, 0.0)]
    for i, s in enumerate(a.stages):
        points = per_section[s.name]
        for j, (name, depth) in enumerate(points):
            shape = by[name].out_shape
            ph, pw = (shape[1], shape[2]) if len(shape) == 3 else (1, 1)
            x = i + (j + 1) / len(points) if x_axis == "stage" else depth / total
            out.append(ProfilePoint(depth, name, s.name, shape[0], ph, pw, x))
    return out

"""Stage-by-stage comparison of several architectures: the compare view's and CLI's one source.

:func:`compare` lines the stages up; :func:`measure_rows` turns them into the compare view's
table (one row per measure, one column per network, each against the first by :func:`ratio`);
:func:`shape_profile` gives the shape profile against the stage or the fraction of depth.
A network's name is :func:`resnet_studio.core.presets.spec_label`'s.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .analysis import Analysis, LayerRow, StageSummary
from .diagram_items import shape_text
from .format import human


@dataclass(frozen=True)
class Comparison:
    """Stages of several analyses side by side; ``cells[i][j]`` is stage i of spec j (or None)."""

    labels: tuple[str, ...]
    analyses: tuple[Analysis, ...]
    stages: tuple[str, ...]  # stem, layer1 … layerN (the most any spec has), head
    cells: tuple[tuple[StageSummary | None, ...], ...]

    def ratio(self, j: int, what: str) -> float:
        """Spec j's total ``params`` or ``macs`` over the first spec's (NaN over nothing)."""
        r = ratio(getattr(self.analyses[j].totals, what), getattr(self.analyses[0].totals, what))
        return float("nan") if r is None else r


def compare(labelled: list[tuple[str, Analysis]]) -> Comparison:
    labels = tuple(label for label, _ in labelled)
    analyses = tuple(a for _, a in labelled)
    depth = max(len(a.spec.layers) for a in analyses)
    names = ("stem", *(f"layer{i + 1}" for i in range(depth)), "head")
    by_name = [{s.name: s for s in a.stages} for a in analyses]
    cells = tuple(tuple(b.get(n) for b in by_name) for n in names)
    return Comparison(labels, analyses, names, cells)


def ratio(value: float | None, base: float | None) -> float | None:
    """The one ratio of the comparison: ``value / base``, None where either is missing or the
    base is 0."""
    if value is None or base is None or not base:
        return None
    return value / base


def ratio_text(value: float | None, base: float | None) -> str:
    """ "same", or the ratio: "×4.00"; two decimals that would read ×1.00 for different numbers
    (2,049,000 against 2,051,049) get more, so the text never says they are equal, and a ratio
    under 0.005 gets two significant digits ("×0.0013", never "×0.00" for 650 against 513,000)."""
    if value is None or base is None:
        return ""
    if value == base:
        return "same"
    r = ratio(value, base)
    if r is None:
        return ""
    text = f"×{r:.2f}"
    if text == "×1.00":
        return f"×{r:.4f}"
    return f"×{r:.2g}" if text in ("×0.00", "×-0.00") else text


def difference_text(value: int | None, base: int | None) -> str:
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
        parts.append(f"C {ratio_text(shape[0], base[0])}")
    if shape[1:] != base[1:]:
        same_rank = len(shape) == len(base)
        parts.append("H×W " + (ratio_text(shape[1], base[1]) if same_rank else "differ"))
    return ", ".join(parts)


@dataclass(frozen=True)
class MeasureRow:
    """One row of the compare table: a measure of a stage (or of the whole network) for each
    network, as values (None where a network has none) with the functions that write them.
    Whether it differs, and how each network compares with the first, are decided on the
    values, never on the text ("2.05 M" is both 2,049,000 and 2,051,049)."""

    stage: str  # "stem", "layer1", …, "head", "total", or "measured"
    measure: str  # "output shape", "channels", "size", "blocks", "params", "MACs", "depth", …
    values: tuple[Any, ...]
    fmt: Callable[[Any], str] = str  # the cell's text
    exact_fmt: Callable[[Any], str] = str  # the tooltip's: the exact number
    against: Callable[[Any, Any], str] = ratio_text  # a value against the first network's
    tips: tuple[str, ...] | None = None  # tooltips that say more (where it was measured)

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple("" if v is None else self.fmt(v) for v in self.values)

    @property
    def exact(self) -> tuple[str, ...]:
        if self.tips is not None:
            return self.tips
        return tuple("" if v is None else self.exact_fmt(v) for v in self.values)

    @property
    def against_first(self) -> tuple[str, ...]:
        """Per network after the first: "×4.00", "+2", "same" ("" where either has none)."""
        return tuple(self.against(v, self.values[0]) for v in self.values[1:])

    @property
    def differs(self) -> bool:
        """Not the same value for every network (a missing one counts as different)."""
        return len(set(self.values)) > 1


def _exact(v: int) -> str:
    return f"{v:,}"


def _side(s: tuple[int, ...]) -> str:
    return f"{s[0]}×{s[1]}"


def measure_rows(c: Comparison) -> list[MeasureRow]:
    """The compare view's table: per stage its output shape, channels, size, blocks (stages
    with blocks), params and MACs; then the totals: params, MACs, blocks and depth."""
    out: list[MeasureRow] = []
    for name, cells in zip(c.stages, c.cells, strict=True):
        shapes = tuple(cell.out_shape if cell else None for cell in cells)
        out.append(MeasureRow(name, "output shape", shapes, shape_text, shape_text, _shape_against))
        out.append(MeasureRow(name, "channels", tuple(s[0] if s else None for s in shapes)))
        if name != "head":
            sizes = tuple(s[1:] if s and len(s) == 3 else None for s in shapes)
            out.append(MeasureRow(name, "size", sizes, _side, _side, _shape_against))
        if name not in ("stem", "head"):
            blocks = tuple(cell.blocks if cell else None for cell in cells)
            out.append(MeasureRow(name, "blocks", blocks, against=difference_text))
        params = tuple(cell.params if cell else None for cell in cells)
        out.append(MeasureRow(name, "params", params, human, _exact))
        macs = tuple(
            cell.macs * a.batch_size if cell else None
            for cell, a in zip(cells, c.analyses, strict=True)
        )
        out.append(MeasureRow(name, "MACs", macs, human, _exact))
    totals = [a.totals for a in c.analyses]
    out.append(MeasureRow("total", "params", tuple(t.params for t in totals), human, _exact))
    out.append(MeasureRow("total", "MACs", tuple(t.macs for t in totals), human, _exact))
    blocks = tuple(sum(a.spec.layers) for a in c.analyses)
    out.append(MeasureRow("total", "blocks", blocks, against=difference_text))
    depths = tuple(a.spec.depth for a in c.analyses)
    out.append(
        MeasureRow("total", "depth", depths, str, lambda v: f"{v} weighted layers", difference_text)
    )
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

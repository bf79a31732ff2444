"""Stage-by-stage comparison of several architectures: the compare view's and CLI's one source."""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import Analysis, StageSummary


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


@dataclass(frozen=True)
class ProfilePoint:
    depth: int  # 1-based index among the weighted layers on the main path
    name: str
    section: str
    channels: int
    height: int
    width: int


def shape_profile(a: Analysis) -> list[ProfilePoint]:
    """Channels and spatial size after each weighted layer on the main path (not shortcuts)."""
    out = []
    for r in a.rows:
        if r.kind in ("Conv2d", "Linear") and ".downsample" not in r.name:
            s = r.out_shape
            h, w = (s[1], s[2]) if len(s) == 3 else (1, 1)
            out.append(ProfilePoint(len(out) + 1, r.name, r.section, s[0], h, w))
    return out

"""Human-readable numbers and the text table of an analysis, shared by the CLI and the window."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .analysis import Analysis, LayerRow

_UNITS = (("E", 1e18), ("P", 1e15), ("T", 1e12), ("G", 1e9), ("M", 1e6), ("K", 1e3))


def human(n: float, digits: int = 3) -> str:
    """11689512 -> '11.7 M', 1814083944 -> '1.81 G'; below 1000 the number itself; beyond
    999 E (10^21) in powers of ten: '1.55e+23'."""
    n = float(n)
    if abs(n) >= 999.5e18:
        return f"{n:.{digits - 1}e}"
    for i, (unit, scale) in enumerate(_UNITS):
        if abs(n) >= scale:
            v = n / scale
            decimals = max(0, digits - len(str(int(abs(v)))))
            if len(str(int(abs(round(v, decimals))))) > len(str(int(abs(v)))):
                decimals = max(0, decimals - 1)  # 99.96 rounds to 100.0: say 100
            if abs(round(v, decimals)) >= 1000:  # 999.6 K rounds to 1000 K: say 1.00 M
                unit, v, decimals = _UNITS[i - 1][0], v / 1000, digits - 1
            return f"{v:.{decimals}f} {unit}"
    return f"{int(n)}" if n == int(n) else f"{n:.{digits}g}"


def human_bytes(n: float) -> str:
    """Decimal units, as torchinfo prints them: 102237128 -> '102.2 MB'."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} B"


def shape_text(shape: list[int] | tuple[int, ...]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


@dataclass(frozen=True, slots=True)
class BlockRun:
    """Consecutive identical blocks of a stage shown as one line ("layer3.1–22 ×22")."""

    rows: tuple[LayerRow, ...]

    @property
    def label(self) -> str:
        first, last = self.rows[0].name, self.rows[-1].name
        if len(self.rows) == 1:
            return first
        return f"{first}–{last.rpartition('.')[2]} ×{len(self.rows)}"


@lru_cache(maxsize=32)
def block_runs(analysis: Analysis, stage: str) -> tuple[BlockRun, ...]:
    """The blocks of ``stage`` with repeats of an identical block collapsed into one run (kept
    per analysis: the tree and the diagram ask for the same runs on every edit)."""
    runs: list[list[LayerRow]] = []
    last = None
    for node in analysis.row(stage).node.children:
        b = analysis.row(node.name)
        key = (b.kind, b.in_shape, b.out_shape, b.params, b.macs)
        if key == last:
            runs[-1].append(b)
        else:
            runs.append([b])
            last = key
    return tuple(BlockRun(tuple(r)) for r in runs)


def summary_table(analysis: Analysis, depth: str = "blocks", title: str = "") -> str:
    """The text the CLI prints: stages, blocks (repeats collapsed) or every layer."""
    n = analysis.batch_size
    lines: list[tuple[str, str, str, str, str]] = []

    def add(label: str, row_kind: str, shape: tuple[int, ...], params: int, macs: int) -> None:
        lines.append(
            (label, row_kind, shape_text(analysis.shape(shape)), f"{params:,}", human(macs * n))
        )

    if depth == "layers":
        for r in analysis.layers:
            add("  " * (r.level - 1) + r.name, r.kind, r.out_shape, r.params, r.macs)
    else:
        for s in analysis.stages:
            add(s.name, "Sequential" if s.blocks else "", s.out_shape, s.params, s.macs)
            if depth == "blocks" and s.blocks:
                for run in block_runs(analysis, s.name):
                    r = run.rows[0]
                    k = len(run.rows)
                    add("  " + run.label, r.kind, r.out_shape, r.params * k, r.macs * k)
    head = ("Layer", "Type", "Output shape", "Params", "MACs")
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(5)]
    rule = "─" * (sum(widths) + 8)

    def fmt(x: tuple[str, ...]) -> str:
        return (
            f"{x[0]:<{widths[0]}}  {x[1]:<{widths[1]}}  {x[2]:<{widths[2]}}  "
            f"{x[3]:>{widths[3]}}  {x[4]:>{widths[4]}}"
        ).rstrip()

    t = analysis.totals
    spec = analysis.spec
    h, w = spec.input_size
    out = []
    if title:
        out.append(title)
    out.append(
        f"depth {spec.depth} · input {shape_text([n, spec.in_channels, h, w])} · {analysis.dtype}"
    )
    out += [rule, fmt(head), rule, *(fmt(x) for x in lines), rule]
    out.append(
        f"Params: {t.params:,} ({human(t.params)}), trainable {t.trainable_params:,}; "
        f"buffers {t.buffers:,}"
    )
    out.append(f"MACs: {human(t.macs)} ({t.macs:,}); FLOPs = 2 × MACs: {human(t.flops)}")
    out.append(
        f"Parameter memory: {human_bytes(t.param_bytes)} (+ {human_bytes(t.buffer_bytes)} "
        f"buffers); activation memory for training at batch {n}: "
        f"{human_bytes(t.activation_bytes)} (estimate)"
    )
    if analysis.training_only:
        out.append(analysis.training_only)
    return "\n".join(out)

"""Small SVG line charts for a notebook cell: a run's loss and accuracy against the step.

Plain SVG text (no plotting library, no GUI toolkit in the kernel): one polyline per series,
a few round ticks, the last value written at the end of each line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

Series = tuple[str, str, Sequence[tuple[float, float]]]  # (name, colour, [(x, y), ...])


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """About ``n`` round values covering [lo, hi]."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * step:
            step *= m
            break
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step + 1e-9) + 1)]


def _num(v: float) -> str:
    return f"{v:.4g}"


def line_chart(
    title: str, series: Sequence[Series], width: int = 360, height: int = 200, percent: bool = False
) -> str:
    """An SVG chart of ``series`` (x: step); an empty chart says "waiting for the first steps"."""
    left, right, top, bottom = 46, 12, 22, 28
    pw, ph = width - left - right, height - top - bottom
    points = [p for _, _, pts in series for p in pts if math.isfinite(p[1])]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" '
        f'font-size="10">',
        f'<text x="{left}" y="14" font-weight="bold" fill="#222">{escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#ccc"/>',
    ]
    if not points:
        out.append(
            f'<text x="{left + pw / 2}" y="{top + ph / 2}" text-anchor="middle" fill="#888">'
            "waiting for the first steps</text></svg>"
        )
        return "".join(out)
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    if percent:
        y0, y1 = min(y0, 0.0), max(y1, 1.0)
    if x1 == x0:
        x1 = x0 + 1
    if y1 == y0:
        y0, y1 = y0 - 0.5, y1 + 0.5

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return top + ph - (y - y0) / (y1 - y0) * ph

    for t in _ticks(y0, y1):
        label = f"{100 * t:.0f}%" if percent else _num(t)
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" '
            f'stroke="#eee"/><text x="{left - 4}" y="{sy(t) + 3:.1f}" text-anchor="end" '
            f'fill="#555">{label}</text>'
        )
    for t in _ticks(x0, x1):
        out.append(
            f'<text x="{sx(t):.1f}" y="{top + ph + 13}" text-anchor="middle" fill="#555">'
            f"{t:g}</text>"
        )
    out.append(
        f'<text x="{left + pw / 2}" y="{height - 3}" text-anchor="middle" fill="#555">step</text>'
    )
    for k, (name, colour, pts) in enumerate(series):
        good = [p for p in pts if math.isfinite(p[1])]
        if not good:
            continue
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in good)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        last = good[-1][1]
        value = f"{100 * last:.1f}%" if percent else _num(last)
        out.append(
            f'<text x="{left + pw - 2}" y="{top + 12 + 12 * k}" text-anchor="end" '
            f'fill="{colour}">{escape(name)} {value}</text>'
        )
    out.append("</svg>")
    return "".join(out)

"""What the mouse points at in a plot of runs: the nearest point of the visible runs, named.

:func:`nearest` picks, for each series, the point nearest the mouse along x, then the series
whose point is nearest on the screen (TensorBoard's way: the step under the mouse, then the run
closest to it). :class:`HoverTip` shows the answer beside the point, inside the plot, with a
dot on the point; the views decide what the text says.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF


@dataclass(frozen=True)
class Series:
    key: Any  # whom the points belong to (a run)
    x: np.ndarray  # ascending, as plotted
    y: np.ndarray  # as plotted: log10 of the value on a log axis
    what: str = ""  # which curve: "loss", "val accuracy" …


@dataclass(frozen=True)
class Hit:
    series: Series
    index: int
    pixels: float  # how far from the mouse, on the screen


def nearest(series: Sequence[Series], vb: pg.ViewBox, at: QPointF) -> Hit | None:
    """The point of ``series`` nearest ``at`` (in the view's coordinates), judged in pixels."""
    px, py = vb.viewPixelSize()
    best: Hit | None = None
    for s in series:
        if not len(s.x):
            continue
        i = min(int(np.searchsorted(s.x, at.x())), len(s.x) - 1)
        if i > 0 and at.x() - s.x[i - 1] < s.x[i] - at.x():
            i -= 1  # the nearer of the two points around the mouse
        if not np.isfinite(s.y[i]):
            continue
        d = float(np.hypot((s.x[i] - at.x()) / (px or 1), (s.y[i] - at.y()) / (py or 1)))
        if best is None or d < best.pixels:
            best = Hit(s, i, d)
    return best


def clock(wall: float) -> str:
    """A moment as the user's clock shows it: 14:03:07, with the date when not today."""
    if not wall:
        return ""
    local = time.localtime(wall)
    today = time.localtime()
    if local[:3] == today[:3]:
        return time.strftime("%H:%M:%S", local)
    return time.strftime("%Y-%m-%d %H:%M:%S", local)


def duration(seconds: float) -> str:
    """2 h 05 min, 3 min 07 s, 12.4 s."""
    if seconds >= 3600:
        return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"
    if seconds >= 60:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{seconds:.1f} s"


class HoverTip:
    """A label beside the hovered point and a dot on it, inside one plot."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.label = pg.TextItem(anchor=(0, 1), border=pg.mkPen("#888"), fill=(255, 255, 255, 230))
        self.label.setColor("#222")
        self.dot = pg.ScatterPlotItem(size=10, pen=pg.mkPen("w", width=1.5))
        for item in (self.label, self.dot):
            item.setZValue(1000)
            plot.addItem(item, ignoreBounds=True)
        self.hide()

    def show(self, x: float, y: float, text: str, colour: str) -> None:
        vb = self.plot.vb
        self.label.setText(text)
        # right of and above the point, else left of or below it, and never out of the plot
        size = self.label.boundingRect()
        at, inside = vb.mapViewToScene(QPointF(x, y)), vb.sceneBoundingRect()
        left = (
            at.x() + 8 if at.x() + 8 + size.width() <= inside.right() else at.x() - 8 - size.width()
        )
        left = max(inside.left() + 2, min(left, inside.right() - size.width() - 2))
        above = at.y() - size.height() - 8 >= inside.top()
        self.label.setAnchor((0, 1 if above else 0))
        self.label.setPos(vb.mapSceneToView(QPointF(left, at.y() + (-8 if above else 8))))
        self.dot.setData([x], [y], brush=pg.mkBrush(colour))
        self.label.show()
        self.dot.show()

    def hide(self) -> None:
        self.label.hide()
        self.dot.hide()

    @property
    def text(self) -> str:
        return str(self.label.toPlainText()) if self.label.isVisible() else ""

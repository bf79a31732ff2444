"""Pictures of architectures (pyqtgraph): per-stage params and MACs, and the shape profile.

One widget serves the explorer (one spec) and the compare view (several). Selecting a stage
highlights it in every plot. Plots export to PNG and SVG with pyqtgraph's exporters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, QPoint
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ..atomic import atomic_write_bytes
from ..core.analysis import Analysis
from ..core.compare import shape_profile
from ..core.format import human

pg.setConfigOptions(antialias=True, background="w", foreground="#333")
PALETTE = ["#2f6db3", "#e07b22", "#3a9b48", "#b8312f", "#7b52ab", "#8c6d31", "#d45d9f"]


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


class _Axis(pg.AxisItem):
    """Stage names under the bars."""

    def __init__(self, names: list[str]) -> None:
        super().__init__("bottom")
        self.names = names

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [
            self.names[int(v)] if float(v).is_integer() and 0 <= int(v) < len(self.names) else ""
            for v in values
        ]

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        return [(1.0, list(range(len(self.names))))]


class _HumanAxis(pg.AxisItem):
    """Counts as 11.7 M and 1.82 G rather than 1.17e+07."""

    def __init__(self) -> None:
        super().__init__("left")

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [human(v) if v else "0" for v in values]


class StagePlots(QWidget):
    """Three plots: params per stage, MACs per stage, and the shape profile through the depth."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.axes = [_Axis([]), _Axis([])]  # stage names under the two bar plots
        self.widgets = [
            pg.PlotWidget(axisItems={"bottom": self.axes[0], "left": _HumanAxis()}),
            pg.PlotWidget(axisItems={"bottom": self.axes[1], "left": _HumanAxis()}),
            pg.PlotWidget(),
        ]
        for w in self.widgets:
            w.setMinimumHeight(180)
            layout.addWidget(w)
        self.analyses: list[tuple[str, Analysis]] = []
        self.selected: str | None = None

    @property
    def plots(self) -> list[pg.PlotItem]:
        return [w.getPlotItem() for w in self.widgets]

    def set_analyses(self, labelled: list[tuple[str, Analysis]]) -> None:
        self.analyses = labelled
        self.redraw()

    def select_stage(self, name: str | None) -> None:
        self.selected = name
        self.redraw()

    def redraw(self) -> None:
        if not self.analyses:
            return
        stage_names = max((tuple(s.name for s in a.stages) for _, a in self.analyses), key=len)
        names = list(stage_names)
        n = len(self.analyses)
        width = 0.8 / n
        for plot, axis, what, title in (
            (self.plots[0], self.axes[0], "params", "Parameters per stage"),
            (self.plots[1], self.axes[1], "macs", "MACs per stage"),
        ):
            plot.clear()
            axis.names = names
            axis.picture = None  # redraw the tick labels
            axis.update()
            plot.setTitle(title, size="10pt")
            plot.showGrid(y=True, alpha=0.2)
            if n > 1:
                plot.addLegend(offset=(10, 5))
            if plot.legend is not None:
                plot.legend.clear()
            for j, (label, a) in enumerate(self.analyses):
                values = {
                    s.name: getattr(s, what) * (a.batch_size if what == "macs" else 1)
                    for s in a.stages
                }
                xs = np.arange(len(names)) - 0.4 + width * (j + 0.5)
                ys = np.array([values.get(s, 0) for s in names], dtype=float)
                pens = [
                    pg.mkPen("#111", width=2.5) if s == self.selected else pg.mkPen(colour(j))
                    for s in names
                ]
                bars = pg.BarGraphItem(
                    x=xs, height=ys, width=width * 0.9, brush=colour(j), pens=pens, name=label
                )
                plot.addItem(bars)  # the legend, if any, takes the bars' name and colour
        self._draw_profile()

    def _draw_profile(self) -> None:
        plot = self.plots[2]
        plot.clear()
        if plot.legend is not None:
            plot.legend.clear()
        plot.setTitle("Shape profile: channels (solid), height (dashed)", size="10pt")
        plot.setLabel("bottom", "weighted layer")
        plot.setLogMode(x=False, y=True)
        plot.showGrid(x=True, y=True, alpha=0.2)
        if len(self.analyses) > 1:
            plot.addLegend(offset=(5, 5))
        for j, (label, a) in enumerate(self.analyses):
            pts = shape_profile(a)
            x = np.array([p.depth for p in pts], dtype=float)
            plot.plot(
                x,
                [p.channels for p in pts],
                pen=pg.mkPen(colour(j), width=2),
                name=label,
                stepMode=None,
            )
            plot.plot(
                x,
                [p.height for p in pts],
                pen=pg.mkPen(colour(j), width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine),
            )
            if self.selected and j == 0:
                inside = [p.depth for p in pts if p.section == self.selected]
                if inside:
                    region = pg.LinearRegionItem(
                        (min(inside) - 0.5, max(inside) + 0.5),
                        movable=False,
                        brush=(47, 109, 179, 40),
                    )
                    plot.addItem(region)

    def export(self, index: int, path: str) -> None:
        """Plot ``index`` (0 params, 1 MACs, 2 profile) to PNG or SVG by the path's suffix,
        written atomically. PNG through pyqtgraph's ImageExporter; SVG through Qt's
        QSvgGenerator (pyqtgraph's SVG exporter fails on Qt 6.12's path output)."""
        from pyqtgraph.exporters import ImageExporter

        if path.lower().endswith(".svg"):
            data = widget_svg(self.widgets[index], self.plots[index].titleLabel.text)
        else:
            data = image_png(ImageExporter(self.plots[index]).export(toBytes=True))
        atomic_write_bytes(path, data)


def image_png(image: QImage | QPixmap) -> bytes:
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(buf.data())


def widget_svg(widget: QWidget, title: str = "") -> bytes:
    """A widget and its children as SVG, painted through Qt's QSvgGenerator."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(widget.size())
    gen.setViewBox(widget.rect())
    gen.setTitle(title)
    painter = QPainter(gen)
    QWidget.render(widget, painter, QPoint())  # QWidget's: a QGraphicsView hides it
    painter.end()
    return bytes(buf.data())

"""Pictures of architectures (pyqtgraph): per-stage params and MACs, and the shape profile.

One widget serves the explorer (one spec) and the compare view (several). Selecting a stage
highlights it in every plot. The shape profile runs against the stage (every network's layer3
between 3 and 4) or the fraction of depth, at block outputs or every layer. The legend is a
line above the plots, never over the data. Plots export as figures (``plot_export.py``): PNG
or SVG at a chosen size, each with a legend of the networks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QEvent, QIODevice
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.core.analysis import Analysis
from resnet_studio.core.compare import shape_profile
from resnet_studio.core.format import human
from resnet_studio.gui import theme  # pyqtgraph's colours, before the first plot
from resnet_studio.gui.plots.plot_export import write_figure
from resnet_studio.gui.plots.plot_legend import Entry, RunLegend

PALETTE = theme.SERIES


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


SHORT_TITLES = {"Parameters per stage": "Parameters", "MACs per stage": "MACs"}


def fitting_names(names: list[str], room: float, font: QFont) -> list[str]:
    """Stage names that fit ``room`` pixels each: layer3, else L3, else L3 with stem and head
    as S and H, else 3."""
    fm = QFontMetrics(font)
    shown = names
    for form in (
        lambda n: n,
        lambda n: n.replace("layer", "L"),
        lambda n: n.replace("layer", "L") if n.startswith("layer") else n[:1].upper(),
        lambda n: n.replace("layer", "") if n.startswith("layer") else n[:1].upper(),
    ):
        shown = [form(n) for n in names]
        if max((fm.horizontalAdvance(t) for t in shown), default=0) + 8 <= room:
            break
    return shown


def fitting_title(title: str, room: int) -> str:
    """``title`` at 10 pt, its short form, or nothing: a title is never cut."""
    font = QFont()
    font.setPointSize(10)
    fm = QFontMetrics(font)
    for text in (title, SHORT_TITLES.get(title, title.partition(" (")[0])):
        if fm.horizontalAdvance(text) + 12 <= room:
            return text
    return ""


class _Axis(pg.AxisItem):
    """Stage names under the bars."""

    def __init__(self, names: list[str]) -> None:
        super().__init__("bottom")
        self.names = names

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        names = self.names
        if names:  # narrow: "L3" for layer3
            names = fitting_names(names, self.geometry().width() / len(names), self.font())
        return [
            names[int(v)] if float(v).is_integer() and 0 <= int(v) < len(names) else ""
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


class _StageTicks(pg.AxisItem):
    """Stage names in the middle of their stretch of a profile plotted against the stage."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.names: list[str] = []

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        if not self.names:
            return super().tickValues(minVal, maxVal, size)
        return [(1.0, [i + 0.5 for i in range(len(self.names))])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if not self.names:
            return super().tickStrings(values, scale, spacing)
        names = fitting_names(self.names, self.geometry().width() / len(self.names), self.font())
        return [names[int(v)] if 0 <= int(v) < len(names) else "" for v in values]


class StagePlots(QWidget):
    """Three plots: params per stage, MACs per stage, and the shape profile through the depth."""

    def __init__(self, parent: Any = None, grid: bool = False) -> None:
        """``grid``: the profile on the left, the two bar plots stacked on its right (for a
        narrow place); else the three in a row."""
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.legend = QLabel()  # the key, outside the plots: it never covers data
        self.legend.setTextFormat(pg.QtCore.Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)  # a long key wraps rather than widening the plots
        self.legend.setMinimumWidth(120)
        self.x_axis = QComboBox()
        self.x_axis.addItems(["profile by stage", "profile by depth"])
        self.x_axis.setToolTip(
            "Shape profile against the stage (stages line up across networks) or against the "
            "fraction of weighted layers passed"
        )
        self.every_layer = QCheckBox("every layer")
        self.every_layer.setToolTip(
            "Plot the shape after every conv and pool (a bottleneck's 256-64-64-256 zig-zag); "
            "off: at each block's output"
        )
        top.addWidget(self.legend, 1)
        top.addWidget(self.x_axis)
        top.addWidget(self.every_layer)
        outer.addLayout(top)
        layout = QGridLayout()
        layout.setSpacing(2)
        outer.addLayout(layout, 1)
        self.axes = [_Axis([]), _Axis([])]  # stage names under the two bar plots
        self.profile_axis = _StageTicks()
        self.widgets = [
            pg.PlotWidget(axisItems={"bottom": self.axes[0], "left": _HumanAxis()}),
            pg.PlotWidget(axisItems={"bottom": self.axes[1], "left": _HumanAxis()}),
            pg.PlotWidget(axisItems={"bottom": self.profile_axis}),
        ]
        for i, w in enumerate(self.widgets):
            w.setMinimumHeight(120 if grid else 180)
            if not grid:
                layout.addWidget(w, 0, i)
            elif i < 2:
                layout.addWidget(w, i, 1)
            else:
                layout.addWidget(w, 0, 0, 2, 1)
        if grid:
            layout.setColumnStretch(0, 3)
            layout.setColumnStretch(1, 2)
        self.x_axis.currentIndexChanged.connect(lambda _: self.redraw())
        self.every_layer.toggled.connect(lambda _: self.redraw())
        self.analyses: list[tuple[str, Analysis]] = []
        self.selected: str | None = None
        self.titles = ["", "", ""]  # in full; each plot shows what fits its width
        self.stale = False  # analyses or a selection came while hidden: drawn when shown
        self.draws = 0  # how often the plots were drawn (tests count them)
        for w in self.widgets:
            w.installEventFilter(self)

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize and watched in self.widgets:
            self._fit_title(self.widgets.index(watched))
        return False

    def _set_title(self, index: int, title: str) -> None:
        self.titles[index] = title
        self._fit_title(index)

    def _fit_title(self, index: int) -> None:
        # the title spans the data's column, not the left axis's
        room = self.widgets[index].width() - int(self.plots[index].getAxis("left").width()) - 8
        text = fitting_title(self.titles[index], room)
        self.plots[index].setTitle(text or None, size="10pt")

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
        """Draw the plots now if they are shown, else when they are next shown (or exported):
        a hidden tab's charts cost an edit nothing."""
        if self.isVisible():
            self._draw()
        else:
            self.stale = True

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.ensure_drawn()

    def ensure_drawn(self) -> None:
        """Catch up with the analyses set while the plots were hidden."""
        if self.stale:
            self._draw()

    def _draw(self) -> None:
        self.stale = False
        self.draws += 1
        if not self.analyses:
            return
        stage_names = max((tuple(s.name for s in a.stages) for _, a in self.analyses), key=len)
        names = list(stage_names)
        n = len(self.analyses)
        width = 0.8 / n
        for index, plot, axis, what, title in (
            (0, self.plots[0], self.axes[0], "params", "Parameters per stage"),
            (1, self.plots[1], self.axes[1], "macs", "MACs per stage"),
        ):
            plot.clear()
            axis.names = names
            axis.picture = None  # redraw the tick labels
            axis.update()
            self._set_title(index, title)
            plot.showGrid(y=True, alpha=0.2)
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
                plot.addItem(bars)
        self._draw_legend()
        self._draw_profile()

    def _draw_legend(self) -> None:
        entries = [
            f'<span style="color:{colour(j)}; font-size:14pt;">■</span>&nbsp;{label}'
            for j, (label, _) in enumerate(self.analyses)
        ]
        key = "profile: channels —, height - -"
        # a plain space after each entry: the key may wrap between entries, never inside one
        text = "&nbsp;&nbsp; ".join(entries) if len(entries) > 1 else ""
        self.legend.setText(f"{text}&nbsp;&nbsp; <span style='color:{theme.MUTED}'>{key}</span>")

    def _draw_profile(self) -> None:
        plot = self.plots[2]
        plot.clear()
        by_stage = self.x_axis.currentIndex() == 0
        every = self.every_layer.isChecked()
        what = "every layer" if every else "block outputs"
        self._set_title(2, f"Shape profile ({what})")
        names = max((tuple(s.name for s in a.stages) for _, a in self.analyses), key=len)
        self.profile_axis.names = list(names) if by_stage else []
        self.profile_axis.picture = None
        plot.setLabel("bottom", "" if by_stage else "fraction of depth (weighted layers)")
        plot.setLogMode(x=False, y=True)
        plot.showGrid(x=not by_stage, y=True, alpha=0.2)
        rule = "#4a4d52" if theme.is_dark() else "#d8d8d8"
        if by_stage:  # stage boundaries, faint in either mode
            for i in range(1, len(names)):
                plot.addItem(pg.InfiniteLine(i, pen=pg.mkPen(rule, width=1)))
        for j, (_, a) in enumerate(self.analyses):
            pts = shape_profile(a, every_layer=every, x_axis="stage" if by_stage else "depth")
            # a net of fewer stages: its head under "head", not under the others' last stage
            shift = len(names) - len(a.stages) if by_stage else 0
            x = np.array([p.x + (shift if p.section == "head" else 0) for p in pts], dtype=float)
            pen = pg.mkPen(colour(j), width=2)
            plot.plot(
                x,
                [p.channels for p in pts],
                pen=pen,
                symbol="o",
                symbolSize=4,
                symbolBrush=colour(j),
                symbolPen=None,
            )
            plot.plot(
                x,
                [p.height for p in pts],
                pen=pg.mkPen(colour(j), width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine),
            )
            if self.selected and j == 0:
                inside = [p.x for p in pts if p.section == self.selected]
                if inside:
                    i = names.index(self.selected) if self.selected in names else 0
                    span = (i, i + 1) if by_stage else (min(inside) - 0.01, max(inside) + 0.01)
                    region = pg.LinearRegionItem(span, movable=False, brush=(47, 109, 179, 40))
                    plot.addItem(region)

    PARTS = ("params", "macs", "profile")

    def export(
        self,
        index: int,
        path: str,
        width: int | None = None,
        height: int | None = None,
        dpi: float = 96,
    ) -> None:
        """Plot ``index`` (0 params, 1 MACs, 2 profile) as a figure: PNG or SVG by the path's
        suffix, ``width``×``height`` pixels (default: as shown), its title whole and a legend
        of the networks under it (the window's key is a label outside the plot), written
        atomically."""
        self.ensure_drawn()
        widget, plot = self.widgets[index], self.plots[index]
        width, height = width or widget.width(), height or widget.height()
        shown = plot.size()
        legend = RunLegend(plot)
        grey = "#8a8a8a"
        entries: list[Entry] = [
            (None, pg.PlotDataItem(pen=pg.mkPen(colour(j), width=8)), label, True)
            for j, (label, _) in enumerate(self.analyses)
        ]
        if index == 2:
            dash = pg.QtCore.Qt.PenStyle.DashLine
            entries += [
                (None, pg.PlotDataItem(pen=pg.mkPen(grey, width=2)), "channels", True),
                (None, pg.PlotDataItem(pen=pg.mkPen(grey, width=1.5, style=dash)), "height", True),
            ]
        legend.set_entries(entries)
        plot.setTitle(self.titles[index], size="10pt")
        try:
            write_figure([plot], path, width, height, dpi, title=self.titles[index])
        finally:
            plot.layout.removeItem(legend)
            if legend.scene() is not None:
                legend.scene().removeItem(legend)
            del plot.outside_legend
            self._fit_title(index)
            plot.resize(shown)  # the whole title made it wider than its place on screen

    def export_all(
        self, path: str, width: int | None = None, height: int | None = None, dpi: float = 96
    ) -> list[str]:
        """The three plots, each a figure: NAME-params.png, NAME-macs.png, NAME-profile.png
        beside ``path`` (or .svg); the paths written."""
        p = Path(path)
        written = []
        for i, part in enumerate(self.PARTS):
            target = str(p.with_name(f"{p.stem}-{part}{p.suffix}"))
            self.export(i, target, width, height, dpi)
            written.append(target)
        return written


def image_png(image: QImage | QPixmap) -> bytes:
    """An image as PNG bytes (the inspect view's pictures)."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")  # type: ignore[call-overload]  # PySide's stubs say bytes; it takes str
    return bytes(buf.data().data())  # a copy, as bytes (the stubs allow a view too)

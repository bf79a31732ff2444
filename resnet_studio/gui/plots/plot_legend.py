"""A legend below a plot's x-axis, never over its data, with one entry per run: a click on an
entry hides or shows that run (in every plot that lists it), as in TensorBoard.

The legend is a cell of the plot's own layout (the row under the x-axis), so a figure exported
from the plot carries it. A hidden run keeps its entry, drawn as pyqtgraph's crossed-out eye
with a grey name, so that a second click brings it back. Entries without a key (a line-style
key, "train" and "val") do nothing when clicked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyqtgraph as pg
from pyqtgraph.graphicsItems.LegendItem import ItemSample
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QSizePolicy

HIDDEN = "#9a9a9a"  # a hidden run's name
ROW = 4  # the plot layout's row under the bottom axis (0 title, 1 top axis, 2 view, 3 bottom)


class RunSample(ItemSample):
    """A legend sample whose click asks the legend's owner to hide or show its run, rather
    than hiding the one item it draws."""

    def __init__(self, item: Any, key: Any = None, clicked: Callable[[Any], None] | None = None):
        super().__init__(item)
        self.key, self.clicked = key, clicked

    def mouseClickEvent(self, event: Any) -> None:  # noqa: N802 (pyqtgraph's name)
        event.accept()
        if self.key is not None and self.clicked is not None:
            self.clicked(self.key)


class _Label(pg.LabelItem):
    """A legend's name that passes clicks to its sample: the name is the larger target."""

    def __init__(self, text: str, sample: RunSample, **kwargs: Any) -> None:
        super().__init__(text, justify="left", **kwargs)
        self.sample = sample

    def mouseClickEvent(self, event: Any) -> None:  # noqa: N802 (pyqtgraph's name)
        self.sample.mouseClickEvent(event)


Entry = tuple[Any, Any, str, bool]  # (key or None, the item whose pen it shows, name, shown)


class RunLegend(pg.LegendItem):
    def __init__(self, plot: pg.PlotItem, clicked: Callable[[Any], None] | None = None) -> None:
        super().__init__(frame=False, colCount=2, sampleType=RunSample, horSpacing=12)
        # a cell of the plot's layout, not a floating overlay: it scales with a figure
        self.setFlag(self.GraphicsItemFlag.ItemIgnoresTransformations, False)
        self.clicked = clicked
        self.entries: list[Entry] = []
        self._shown: list[tuple[Any, str, bool, str]] = []
        # only as tall as its entries: a taller figure gives its height to the data
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        plot.layout.addItem(self, ROW, 1)
        plot.layout.setRowStretchFactor(ROW, 0)
        plot.outside_legend = self  # theme.apply colours its names
        self.plot = plot

    def set_entries(self, entries: Sequence[Entry]) -> None:
        """Show ``entries``; nothing is rebuilt when they are what is shown."""
        fg = pg.mkColor(pg.getConfigOption("foreground")).name()
        wanted = [(id(e[0]), e[2], e[3], fg) for e in entries]
        same = [e[1] for e in entries] == [e[1] for e in self.entries]
        if same and [w[:2] for w in wanted] == [w[:2] for w in self._shown]:
            if wanted != self._shown:  # only shown or hidden: recolour in place, no reflow
                self._shown, self.entries = wanted, list(entries)
                self.setLabelTextColor(fg)
                for sample, _ in self.items:
                    sample.update()
            return
        self._shown, self.entries = wanted, list(entries)
        self.clear()
        for key, item, name, shown in entries:
            sample = RunSample(item, key, self.clicked)
            label = _Label(name, sample, color=fg if shown else HIDDEN, size="9pt")
            if key is not None:
                tip = "Click to hide this run" if shown else "Click to show this run again"
                sample.setToolTip(tip)
                label.setToolTip(tip)
            sample.sigClicked.connect(self.sigSampleClicked)
            self.items.append((sample, label))
            self._addItemToLayout(sample, label)
        self.fit()

    def fit(self, width: float | None = None) -> None:
        """As many columns as a plot ``width`` wide holds; in one column, a name longer than
        the plot is shortened in its middle with "…" (whole in its tooltip; its end, often what
        differs between runs, stays) rather than widening the plot."""
        width = (
            width or self.plot.width() or 400.0
        ) - 80  # less the y-axis, the spacing and a margin
        full = [e[2] for e in self.entries]
        for (sample, label), name in zip(self.items, full, strict=False):
            room = width - sample.width() - 24
            metrics = QFontMetricsF(label.item.font())
            shown = (
                name
                if metrics.horizontalAdvance(name) <= room
                else metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, max(room, 40.0))
            )
            if shown != label.text:
                label.setText(shown)
                label.setToolTip(name)
        widest = max((s.width() + lab.itemRect().width() + 24 for s, lab in self.items), default=1)
        self.setColumnCount(max(1, min(len(self.items), int(width // widest))))
        self.updateGeometry()

    def setLabelTextColor(self, *args: Any, **kwargs: Any) -> None:  # noqa: N802 (pyqtgraph's)
        """The theme's colour for the shown runs; hidden ones stay grey."""
        self.opts["labelTextColor"] = pg.mkColor(*args, **kwargs)
        for (_, _, shown, _), (sample, label) in zip(self._shown, self.items, strict=False):
            label.setAttr("color", self.opts["labelTextColor"] if shown else pg.mkColor(HIDDEN))
            label.setText(label.text)
            if sample.key is not None:
                tip = "Click to hide this run" if shown else "Click to show this run again"
                sample.setToolTip(tip)
                label.setToolTip(tip)

    def names(self) -> list[str]:
        """The entries' names, whole (a narrow legend shows them shortened)."""
        return [e[2] for e in self.entries]

    def sample_of(self, key: Any) -> RunSample | None:
        for sample, _ in self.items:
            if sample.key is key:
                return sample
        return None


def line_key() -> dict[str, list[tuple[str, Any]]]:
    """The key to the curves' line styles, in grey, for the loss and the accuracy legends."""
    grey, dash = "#8a8a8a", Qt.PenStyle.DashLine
    val = {"symbol": "o", "symbolSize": 6, "symbolBrush": grey, "symbolPen": grey}
    return {
        "loss": [
            ("train (smoothed)", pg.PlotDataItem(pen=pg.mkPen(grey, width=2))),
            ("val", pg.PlotDataItem(pen=pg.mkPen(grey, width=2, style=dash), **val)),
        ],
        "acc": [
            ("train", pg.PlotDataItem(pen=pg.mkPen(grey, width=1.5, style=dash))),
            ("val", pg.PlotDataItem(pen=pg.mkPen(grey, width=2), **val)),
        ],
    }

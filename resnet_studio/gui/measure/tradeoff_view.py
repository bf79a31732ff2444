"""The trade-off view (Train tab, beside the curves): each run's best validation accuracy against
a cost the user picks, one point per run in the run's colour, for one dataset at a time; the
Pareto front drawn as a line and its runs listed. Hover names the run and its spec; a click on
a point or a listed run selects the run in the table. The points and the front are computed by
:mod:`resnet_studio.measure.tradeoff`; the view only draws them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.core.format import human
from resnet_studio.gui import theme  # noqa: F401 (pyqtgraph's colours, before the first plot)
from resnet_studio.measure.profile_cache import ProfileCache
from resnet_studio.measure.tradeoff import (
    COST_BY_KEY,
    COSTS,
    TradeoffPoint,
    datasets,
    pareto_front,
    tradeoff_points,
)
from resnet_studio.train.manager import RunManager

FRONT = "#555555"


def cost_text(key: str, value: float) -> str:
    if key == "train_time":
        return f"{value:,.0f} s" if value >= 10 else f"{value:.1f} s"
    if key.endswith("img_s"):
        return f"{value:,.0f} img/s"
    return human(value)


class _LogAxis(pg.AxisItem):
    """Costs drawn at log10 and labelled as themselves: 1.2 M, 3.4 G."""

    def __init__(self) -> None:
        super().__init__("bottom")

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802, N803
        decades = [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)]
        if len(decades) >= 2:  # 10 K, 100 K, 1 M rather than 31.6 K and 316 K
            return [(1.0, decades)]
        # under two decades: 1, 2 and 5 of each decade, so the axis never shows a lone label
        steps = [
            math.log10(m * 10.0**e)
            for e in range(math.floor(minVal) - 1, math.ceil(maxVal) + 1)
            for m in (1, 2, 5)
        ]
        return [(1.0, [v for v in steps if minVal <= v <= maxVal])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [human(10**v) for v in values]


class TradeoffView(QWidget):
    runClicked = Signal(str)  # a run's id

    def __init__(
        self, manager: RunManager, cache: ProfileCache | None = None, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.cache = cache or ProfileCache()
        self.points: list[TradeoffPoint] = []
        self.front: list[int] = []
        self.cost = QComboBox()
        for c in COSTS:
            self.cost.addItem(c.label, c.key)
        self.cost.setToolTip(
            "What each run costs: its spec's parameters or MACs, images/s as it trained (on "
            "its own device) or as profiled in the Explorer, or its training time"
        )
        self.dataset = QComboBox()
        self.dataset.setToolTip("Runs on different data are not comparable: one dataset at a time")
        self.device = QComboBox()
        self.device.setToolTip("The device of the profiles (Explorer › Profile)")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(mid);")
        row = QHBoxLayout()
        for text, w in (("Cost", self.cost), ("Data", self.dataset), ("on", self.device)):
            label = QLabel(text)
            row.addWidget(label)
            row.addWidget(w)
            if w is self.device:
                self.device_label = label
        row.addStretch(1)

        self.axis = _LogAxis()
        self.plot = pg.PlotWidget(axisItems={"bottom": self.axis})
        self.plot.setLabel("left", "best validation accuracy", units="%")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMinimumHeight(160)
        self.front_line = self.plot.plot([], [], pen=pg.mkPen(FRONT, width=1.5))
        self.scatter = pg.ScatterPlotItem(size=11, hoverable=True, tip=self._tip)
        self.plot.addItem(self.scatter)
        self.front_list = QListWidget()
        self.front_list.setWordWrap(True)  # accuracy and cost first, the name wraps under
        self.front_list.setMinimumWidth(170)
        self.front_list.setToolTip(
            "The Pareto front: runs that no other run beats on both accuracy and cost"
        )
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.plot)
        box = QWidget()
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QLabel("Pareto front"))
        bl.addWidget(self.front_list, 1)
        split.addWidget(box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        layout.addWidget(self.note)

        self._timer = QTimer(self, singleShot=True, interval=250)  # runs change in bursts
        self._timer.timeout.connect(self.refresh)
        for event in (manager.added, manager.removed):
            event.connect(lambda *_: self._timer.start())
        manager.changed.connect(lambda run: self._timer.start())
        manager.ended.connect(lambda run: self._timer.start())
        self.cost.currentIndexChanged.connect(lambda _: self.refresh())
        self.dataset.currentIndexChanged.connect(lambda _: self.refresh())
        self.device.currentIndexChanged.connect(lambda _: self.refresh())
        self.scatter.sigClicked.connect(self._clicked)
        self.front_list.itemClicked.connect(
            lambda item: self.runClicked.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        self.refresh()

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        self.refresh()
        super().showEvent(event)

    # --- choices -------------------------------------------------------------------------------
    def _fill(self, box: QComboBox, items: list[str]) -> None:
        """Offer ``items`` and keep the current one if it is still there."""
        current = box.currentText()
        if [box.itemText(i) for i in range(box.count())] == items:
            return
        box.blockSignals(True)
        box.clear()
        box.addItems(items)
        if current in items:
            box.setCurrentText(current)
        box.blockSignals(False)

    def refresh(self) -> None:
        runs = list(self.manager.runs)
        self._fill(self.dataset, datasets(runs))
        key = self.cost.currentData()
        profiled = key == "profiled_img_s"
        self._fill(self.device, self.cache.devices() if profiled else [])
        self.device.setVisible(profiled)
        self.device_label.setVisible(profiled)
        dataset = self.dataset.currentText()
        device = self.device.currentText() or None
        points, missing = (
            tradeoff_points(runs, key, dataset, cache=self.cache, device=device)
            if dataset
            else ([], 0)
        )
        self.show_points(points, key)
        notes = []
        if not dataset:
            notes.append("Runs appear here once they have a validation accuracy.")
        if missing:
            what = f"a profile on {device}" if profiled and device else "this cost"
            if profiled and not device:
                what = "a profile (Explorer › Profile)"
            runs_lack = "runs lack" if missing > 1 else "run lacks"
            notes.append(f"{missing} {runs_lack} {what} on {dataset}.")
        self.note.setText(" ".join(notes))

    # --- drawing ---------------------------------------------------------------------------------
    def show_points(self, points: list[TradeoffPoint], key: str) -> None:
        self.points = points
        cost = COST_BY_KEY[key]
        self.front = pareto_front([(p.cost, p.accuracy) for p in points], cost.higher_is_better)
        colours = {r.id: r.colour for r in self.manager.runs}
        on_front = set(self.front)
        spots = [
            {
                "pos": (math.log10(p.cost), 100 * p.accuracy),
                "data": p.run_id,
                "brush": pg.mkBrush(colours.get(p.run_id, "#888888")),
                "pen": pg.mkPen(FRONT, width=2) if i in on_front else pg.mkPen(None),
                "size": 13 if i in on_front else 10,
            }
            for i, p in enumerate(points)
        ]
        self.scatter.setData(spots)
        ordered = sorted(self.front, key=lambda i: points[i].cost)
        self.front_line.setData(
            np.array([math.log10(points[i].cost) for i in ordered]),
            np.array([100 * points[i].accuracy for i in ordered]),
        )
        self.plot.setLabel("bottom", cost.label)  # short: a narrow plot cuts a long title
        self.plot.getAxis("bottom").setToolTip(
            cost.label + (": more is better" if cost.higher_is_better else ": less is better")
        )
        self.front_list.clear()
        for i in self.front:
            p = points[i]
            item = QListWidgetItem(
                f"{100 * p.accuracy:.1f}% at {cost_text(key, p.cost)}: {p.label}"
            )
            item.setData(Qt.ItemDataRole.UserRole, p.run_id)
            item.setToolTip(self._describe(p))
            self.front_list.addItem(item)
        if points:  # a margin round the points: none sits half outside the frame
            xs = [math.log10(p.cost) for p in points]
            ys = [100 * p.accuracy for p in points]
            dx, dy = max(max(xs) - min(xs), 0.2), max(max(ys) - min(ys), 2.0)
            self.plot.setXRange(min(xs) - 0.08 * dx, max(xs) + 0.08 * dx, padding=0)
            self.plot.setYRange(min(ys) - 0.1 * dy, max(ys) + 0.1 * dy, padding=0)

    def _describe(self, p: TradeoffPoint) -> str:
        key = self.cost.currentData()
        device = f"\ntrained on {p.device}" if p.device else ""
        return (
            f"{p.label}\n{p.spec_label}\nbest validation accuracy {100 * p.accuracy:.2f}%"
            f"\n{COST_BY_KEY[key].label}: {cost_text(key, p.cost)}{device}"
        )

    def _tip(self, x: float, y: float, data: Any) -> str:
        found = next((p for p in self.points if p.run_id == data), None)
        return self._describe(found) if found else ""

    def _clicked(self, item: Any, spots: Any, *_: Any) -> None:
        if len(spots):
            self.runClicked.emit(spots[0].data())

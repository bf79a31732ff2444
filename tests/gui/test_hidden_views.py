"""Views that are not shown cost an edit nothing, and catch up when they are shown."""

import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

from resnet_studio import ArchSpec, analyze


def bar_heights(plots, index):
    bars = [i for i in plots.plots[index].items if isinstance(i, pg.BarGraphItem)]
    return [list(b.opts["height"]) for b in bars]


def stage_params(name):
    return [float(s.params) for s in analyze(ArchSpec.from_preset(name)).stages]


def test_the_charts_are_drawn_when_shown_not_on_every_edit(make_window):
    w = make_window()
    ex = w.explorer
    w.tabs.setCurrentWidget(ex)
    ex.pictures.setCurrentWidget(ex.diagram)  # the charts' tab is hidden
    QApplication.processEvents()
    drawn = ex.plots.draws
    for name in ("resnet50", "resnet101", "resnet152"):
        w.panel.preset.setCurrentText(name)
        QApplication.processEvents()  # the charts would be drawn on this turn
    ex.plots.select_stage("layer3")
    assert ex.plots.draws == drawn, "hidden charts were drawn"
    ex.pictures.setCurrentWidget(ex.plots)
    assert ex.plots.draws == drawn + 1  # once, for what is current
    assert bar_heights(ex.plots, 0) == [stage_params("resnet152")]
    names = ex.plots.axes[0].names
    pens = [i for i in ex.plots.plots[0].items if isinstance(i, pg.BarGraphItem)][0].opts["pens"]
    widths = [p.widthF() for p in pens]
    assert widths[names.index("layer3")] == max(widths) > min(widths)  # the selected stage
    w.panel.preset.setCurrentText("resnet18")  # shown: drawn on the next turn, as before
    QApplication.processEvents()
    assert ex.plots.draws == drawn + 2
    assert bar_heights(ex.plots, 0) == [stage_params("resnet18")]


def test_hidden_charts_export_what_is_current(make_window, tmp_path):
    w = make_window()
    ex = w.explorer
    ex.pictures.setCurrentWidget(ex.diagram)
    w.panel.preset.setCurrentText("resnet34")
    QApplication.processEvents()
    assert not ex.plots.isVisible()
    ex.plots.export(0, str(tmp_path / "params.svg"))
    assert bar_heights(ex.plots, 0) == [stage_params("resnet34")]
    assert "Parameters per stage" in (tmp_path / "params.svg").read_text(encoding="utf-8")

"""The Train panel's learning-rate finder: Find… opens it, Run tests the spec shown with the
panel's settings off the GUI thread, the curve and the suggestion appear, and one click puts the
suggestion in the panel."""

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.inspect.tiny import small_spec

TINY = small_spec(8)


def _finder(window, qtbot):
    window.panel.set_spec(TINY)
    panel = window.train.panel
    panel.device.setCurrentIndex(panel.device.findData("cpu"))
    panel.batch.setValue(32)
    assert panel.find_lr.isEnabled()
    qtbot.mouseClick(panel.find_lr, Qt.MouseButton.LeftButton)
    dialog = panel._lr_dialog
    assert dialog is not None and dialog.isVisible()
    return panel, dialog


def test_find_suggest_and_use(make_window, qtbot):
    w = make_window()
    panel, dialog = _finder(w, qtbot)
    dialog.start_lr.setValue(1e-3)  # this tiny network's loss falls, then explodes
    dialog.end_lr.setValue(1e3)
    dialog.steps.setValue(24)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert not dialog.run_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.finding is not None, timeout=120000)
    f = dialog.finding
    assert f.suggestion is not None
    xs, ys = dialog.curve.getData()
    assert list(ys) == pytest.approx(list(f.smoothed))
    assert list(xs) == pytest.approx([math.log10(v) for v in f.lrs])  # drawn on a log axis
    (mx,), (my,) = dialog.mark.getData()
    assert mx == pytest.approx(math.log10(f.suggestion))  # a log axis: the mark at log10
    assert my == pytest.approx(f.smoothed[f.suggestion_index])
    assert dialog.use_button.text() == f"Use {f.suggestion:.3g}"
    assert "falls fastest" in dialog.use_button.toolTip()
    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert panel.lr.value() == pytest.approx(f.suggestion, rel=1e-6)  # as it was said
    dialog.close()


def test_stop_ends_the_test_early(make_window, qtbot):
    w = make_window()
    panel, dialog = _finder(w, qtbot)
    dialog.steps.setValue(1000)
    dialog.end_lr.setValue(1.0)
    before = panel.lr.value()
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog._lrs) >= 3, timeout=60000)
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.finding is not None, timeout=60000)
    assert len(dialog.finding.lrs) < 1000
    assert "stopped" in dialog.finding.reason
    assert panel.lr.value() == before  # nothing is set without the click
    dialog.close()


def test_the_rate_axis_labels_every_tick_in_one_format(make_window, qtbot):
    """pyqtgraph's log axis wrote 10⁻⁵, 0.0001 … 1 and 10¹ side by side."""
    import re

    from resnet_studio.gui.measure.lr_find_view import rate_label

    w = make_window()
    _, dialog = _finder(w, qtbot)
    lrs = np.logspace(-7, 1, 50)
    dialog.curve.setData(lrs, np.linspace(2.3, 0.5, 50))
    dialog.plot.getPlotItem().vb.autoRange()
    axis = dialog.plot.getAxis("bottom")
    lo, hi = axis.range
    ticks = axis.tickValues(lo, hi, axis.width())
    values = [v for _, level in ticks for v in level]
    assert len(values) >= 5
    labels = axis.tickStrings(values, axis.scale, 1.0)
    one_format = re.compile(r"^(\d(\.\d+)?×)?10[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+$")
    assert all(t == "" or one_format.match(t) for t in labels), labels  # "": a tick unlabelled
    assert [rate_label(v) for v in (-5, -4, 0, 1, math.log10(3e-4))] == [
        "10⁻⁵", "10⁻⁴", "10⁰", "10¹", "3×10⁻⁴",
    ]  # fmt: skip
    dialog.close()


def _drawn_labels(dialog):
    from PySide6.QtGui import QImage, QPainter

    dialog.resize(640, 420)
    dialog.plot.getPlotItem().vb.updateViewRange()
    axis = dialog.plot.getAxis("bottom")
    axis.picture = None
    image = QImage(800, 100, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text) for rect, _, text in texts if text]


def test_the_empty_plot_spans_the_rates_set_and_its_labels_do_not_overlap(make_window, qtbot):
    """The empty plot showed 1-10 with 2×10⁰ … 9×10⁰ running into each other."""
    w = make_window()
    _, dialog = _finder(w, qtbot)
    lo, hi = dialog.plot.getPlotItem().vb.viewRange()[0]
    assert lo <= -7 < -6.5 and 0.5 < 1 <= hi  # from 1e-7 to 10, the rates set
    labels = _drawn_labels(dialog)
    assert {"10⁻⁶", "10⁻³", "10⁰", "10¹"} <= {t for _, t in labels}
    dialog.end_lr.setValue(1e-6)  # a decade: its ticks 2…9 labelled without touching
    lo, hi = dialog.plot.getPlotItem().vb.viewRange()[0]
    assert lo <= -7 and -6 <= hi < -5.5
    labels = _drawn_labels(dialog)
    rects = [r for r, _ in labels]
    assert len(rects) >= 2
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    dialog.close()


def test_a_reversed_range_is_explained_in_the_panels_words(make_window, qtbot):
    w = make_window()
    _, dialog = _finder(w, qtbot)
    dialog.start_lr.setValue(100)
    dialog.end_lr.setValue(10)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == (
        "The rate to start from (100) must be below the rate to end at (10); swap them."
    )
    assert dialog.run_button.isEnabled() and dialog.finding is None
    dialog.close()


def test_the_train_panel_takes_a_suggested_rate_as_it_is_said(make_window, qtbot):
    """The finder says "Use 0.000123" or suggests 3e-7: the panel keeps those very rates (it
    rounded to 5 decimals and refused anything under 1e-5)."""
    w = make_window()
    panel, dialog = _finder(w, qtbot)
    for rate in (0.000123456, 3e-7, 42.0):
        dialog._use(rate)
        assert panel.lr.value() == pytest.approx(rate, rel=1e-9)
        assert panel.config().lr == pytest.approx(rate, rel=1e-9)
    assert panel.lr.text() == "42"
    dialog.close()

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
    assert panel.lr.value() == pytest.approx(min(10.0, max(1e-5, f.suggestion)), abs=1e-5)
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

    from resnet_studio.gui.lr_find_view import rate_label

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
    assert all(one_format.match(t) for t in labels), labels
    assert [rate_label(v) for v in (-5, -4, 0, 1, math.log10(3e-4))] == [
        "10⁻⁵", "10⁻⁴", "10⁰", "10¹", "3×10⁻⁴",
    ]  # fmt: skip
    dialog.close()

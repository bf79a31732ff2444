"""The Inspect tab's Cancel: measuring a run's validation set stops when asked, says so, and a
result that arrives after the click is not shown."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from resnet_studio.gui import workers
from tests.inspect.tiny import copy_run, trained_run


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    return trained_run(tmp_path_factory.mktemp("inspect-cancel-runs"))


def test_cancel_stops_measuring_the_validation_set(make_window, qtbot, tmp_path, digits_run):
    copy_run(digits_run.parent, tmp_path / "runs")
    w = make_window()
    w.tabs.setCurrentWidget(w.inspect)
    v = w.inspect
    qtbot.waitUntil(lambda: v.evaluation is not None, timeout=60000)
    assert v.cancel_button.isHidden()  # nothing to cancel once measured
    v.evaluation = None
    v.evaluate()  # measure again
    assert not v.cancel_button.isHidden()
    qtbot.mouseClick(v.cancel_button, Qt.MouseButton.LeftButton)
    assert v.cancel_button.isHidden()
    assert v.status.text().endswith("measuring was cancelled; Reload measures again.")
    assert workers.wait_all(30000)
    QApplication.processEvents()  # the worker's answer, had it finished first, arrives here
    assert v.evaluation is None
    assert v.status.text().endswith("measuring was cancelled; Reload measures again.")

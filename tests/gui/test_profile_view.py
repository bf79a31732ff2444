"""The Explorer's Profile tab: a click measures the spec off the GUI thread and shows what the
profiler found; the result comes back from the cache for the same spec and settings."""

import pytest
from PySide6.QtCore import Qt

from resnet_studio.core import analyze
from tests.inspect.tiny import small_spec

TINY = small_spec(16)


@pytest.fixture
def fresh_cache(monkeypatch, tmp_path):
    """A profile cache of this test's own (the window's views find it through the
    environment): what another test measured is not here."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_profile_button_measures_and_shows_the_figures(make_window, qtbot, fresh_cache):
    w = make_window()
    w.panel.set_spec(TINY)
    view = w.explorer.profile
    w.explorer.pictures.setCurrentWidget(view)
    assert view.spec == TINY
    view.batch.setValue(2)
    view.repeats, view.warmup, view.sweep = 2, 0, (1, 2)  # quick: figures, not speed
    assert "Not measured yet" in view.status.text()
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert not view.run_button.isEnabled()  # one measurement at a time
    qtbot.waitUntil(lambda: view.result is not None, timeout=120000)
    p = view.result
    assert p.spec == TINY.to_dict() and p.batch_size == 2 and p.device == "cpu"
    assert [s.batch_size for s in p.sweep] == [1, 2]
    assert view.run_button.isEnabled()
    assert "Measured on" in view.status.text()
    assert view.inference.value.text() == f"{p.inference_img_s:,.0f} img/s"
    assert view.training.value.text() == f"{p.train_img_s:,.0f} img/s"
    assert f"ratio {p.peak_memory_bytes / p.estimated_memory_bytes:.2f}" in (
        view.memory.detail.text()
    )
    assert view.stage_axis.names == [s.name for s in analyze(TINY).stages]
    assert "layer2: forward" in view.stage_plot.toolTip()

    # another spec has no profile; coming back shows the kept one, without measuring
    w.panel.set_spec(TINY.replace(widths=(8, 32)))
    assert view.result is None and "Not measured yet" in view.status.text()
    w.panel.set_spec(TINY)
    assert view.result == p and "profile cache" in view.status.text()
    view.batch.setValue(3)  # other settings: not measured
    assert view.result is None


def test_a_setting_that_cannot_run_is_a_sentence(make_window, qtbot, fresh_cache):
    w = make_window()
    w.panel.set_spec(TINY.replace(input_size=2))  # batch norms see 1×1: one image cannot train
    view = w.explorer.profile
    view.batch.setValue(1)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.run_button.isEnabled(), timeout=60000)
    assert view.status.text().startswith("Could not profile: With batch size 1")
    assert view.result is None


def test_compare_view_shows_the_measured_rows(make_window, qtbot, fresh_cache):
    w = make_window()
    w.panel.set_spec(TINY)
    view = w.explorer.profile
    view.batch.setValue(2)
    view.repeats, view.warmup, view.sweep = 1, 0, ()
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None, timeout=120000)
    p = view.result
    w.tabs.setCurrentWidget(w.compare)
    w.compare.set_entries(["current"])  # the profiled spec, measured rows from the cache
    label = w.compare.comparison.labels[0]
    assert w.compare.cell("measured", "inference img/s", label).text() == (
        f"{p.inference_img_s:,.0f}"
    )
    assert w.compare.cell("measured", "training img/s", label).text() == f"{p.train_img_s:,.0f}"
    assert "measured on" in w.compare.cell("measured", "peak memory", label).toolTip()


def test_closing_the_window_stops_a_profile(make_window, qtbot, fresh_cache):
    w = make_window()
    w.panel.set_spec(TINY)
    view = w.explorer.profile
    view.repeats, view.warmup, view.sweep = 1000, 0, ()  # long: it must be stopped
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Measuring: inference" in view.status.text(), timeout=60000)
    view.cancel()
    qtbot.waitUntil(lambda: view.run_button.isEnabled(), timeout=60000)
    assert view.status.text() == "Cancelled; nothing was kept." and view.result is None


def test_cancel_stops_a_long_profile_at_once(make_window, qtbot, fresh_cache):
    w = make_window()
    w.panel.set_spec(TINY)
    view = w.explorer.profile
    view.repeats, view.warmup, view.sweep = 100000, 0, ()  # hours, unless cancelled
    assert view.cancel_button.isHidden()
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert not view.cancel_button.isHidden() and view.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: "Measuring: inference" in view.status.text(), timeout=60000)
    assert view.charts.currentWidget() is view.empty  # the body says so too, not "Not measured"
    assert "Measuring: inference" in view.empty.text() and "Not measured" not in view.empty.text()
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert "Cancelling" in view.status.text()
    qtbot.waitUntil(lambda: view.run_button.isEnabled(), timeout=30000)
    assert view.status.text() == "Cancelled; nothing was kept."
    assert "Not measured yet" in view.empty.text()  # nothing was measured after all
    assert view.cancel_button.isHidden() and view.result is None


def test_an_absurd_batch_is_refused_naming_a_batch_the_window_then_accepts(
    make_window, qtbot, fresh_cache
):
    import re

    from resnet_studio import ArchSpec
    from resnet_studio.train.memory import check_fits

    w = make_window()
    big = ArchSpec.from_preset("resnet152")
    w.panel.set_spec(big)
    view = w.explorer.profile
    view.batch.setValue(4096)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.run_button.isEnabled(), timeout=60000)
    text = view.status.text()
    assert text.startswith("Could not profile: A batch of 4096 needs about"), text
    best = int(re.search(r"use a batch size of (\d+) or less", text).group(1))
    view.batch.setValue(best)
    assert view.batch.value() == best  # the spin box takes it
    check_fits(big, best, "cpu", "train")  # and the check the profile runs accepts it


def test_an_unmeasured_spec_shows_no_axes_of_the_last_profile(make_window, qtbot, fresh_cache):
    from resnet_studio.measure.profile_result import Profile, StageTime, SweepPoint

    w = make_window()
    w.panel.set_spec(TINY)
    view = w.explorer.profile
    stages = tuple(StageTime(s.name, 1.0, 2.0, s.macs, 0.25) for s in analyze(TINY).stages)
    shown = Profile(
        TINY.to_dict(), "cpu", "cpu", 2, "fp32", False, 2, 1.0, 2.0, 0.5, 2000.0, 1000.0,
        None, 10, "not measured", stages, (SweepPoint(1, 10.0, 5.0), SweepPoint(2, 20.0, 9.0)),
    )  # fmt: skip
    view.show_profile(shown)
    assert view.charts.currentIndex() == 0
    assert view.sweep_plot.getAxis("bottom")._tickLevels is not None
    w.panel.set_spec(TINY.replace(widths=(8, 32)))
    assert view.result is None
    assert view.charts.currentWidget() is view.empty and "Not measured yet" in view.empty.text()
    assert view.sweep_plot.getAxis("bottom")._tickLevels is None  # batch sizes of the last gone

"""The live curves on their own: what they plot, their controls, and their steady ranges.

Runs here are the run manager's Run records fed with made-up steps, as the manager feeds them;
the trainer is exercised by test_training.py.
"""

import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from resnet_studio.gui.train.curves import CurvesView, ema, steady
from resnet_studio.train.details import RunDetails
from resnet_studio.train.events import EpochMetrics, RunStatus, StepMetrics
from resnet_studio.train.run import Run

STEPS_PER_EPOCH = 100


def _run(name="20261123-101500-resnet18-digits", colour="#1f77b4", total=2000):
    run = Run(name, Path("/nonexistent") / name, colour, status=RunStatus.RUNNING)
    run.info = RunDetails(steps_per_epoch=STEPS_PER_EPOCH)
    run.total_steps = total
    return run


def _feed(run, n, seed=0):
    """n more steps of a loss falling from about 2.3 with noise, 0.05 s apart."""
    rng = np.random.default_rng(seed + run.step.n)
    start = run.step.n
    losses = 2.3 * np.exp(-np.arange(start, start + n) / 300) + 0.1 * rng.random(n) + 0.01
    run.add_steps(
        [StepMetrics(start + i, (start + i) // STEPS_PER_EPOCH, float(v), 0.5, 0.1, 100.0,
                     0.05 * (start + i)) for i, v in enumerate(losses)]
    )  # fmt: skip
    while len(run.epochs) < run.step.n // STEPS_PER_EPOCH:
        e = len(run.epochs)
        run.add_epoch(
            EpochMetrics(epoch=e, step=(e + 1) * STEPS_PER_EPOCH - 1, train_loss=1.0,
                         train_accuracy=0.5 + 0.04 * e,
                         val_loss=1.0 / (e + 1), val_accuracy=0.6 + 0.03 * e - 0.05 * (e == 3),
                         seconds=5.0, images_per_s=100.0, lr=0.1, time=5.0 * (e + 1))
        )  # fmt: skip


@pytest.fixture
def view(qtbot):
    v = CurvesView()
    qtbot.addWidget(v)
    v.resize(1200, 500)
    v.show()
    return v


def _shown(view, plot="loss"):
    """The view's range after the paint that a redraw asks for."""
    w = getattr(view, plot)
    w.getPlotItem().vb.prepareForPaint()  # pyqtgraph fits its autorange just before a paint
    return w.getPlotItem().vb.viewRange()


def test_ema_is_tensorboards_debiased_smoothing():
    values = np.random.default_rng(1).random(50)
    for alpha in (0.0, 0.6, 0.99):
        last, expected = 0.0, []
        for i, v in enumerate(values):  # TensorBoard's loop, written out
            last = last * alpha + (1 - alpha) * v
            expected.append(last / (1 - alpha ** (i + 1)) if alpha else v)
        np.testing.assert_allclose(ema(values, alpha), expected, rtol=1e-12)


def test_steady_holds_a_range_until_the_data_outgrow_it():
    r = steady(None, 1.0, 2.0)
    assert r[0] < 1.0 and r[1] > 2.0
    assert steady(r, 1.05, 2.0) == r  # inside: no change
    lower = steady(r, 0.5, 2.0)
    assert lower[0] < 0.5 and lower[1] == r[1]  # only the side that outgrew it moves
    assert steady(None, 0.0, 10.0, below=0, above=0.25) == (0.0, 12.5)


def test_curves_plot_the_steps_and_epochs_they_were_given(view):
    run = _run()
    _feed(run, 450)
    view.set_runs([run])
    view.redraw()
    items = view._items[id(run)]
    x, y = items["raw"].getOriginalDataset()
    np.testing.assert_array_equal(x, run.step.values)
    np.testing.assert_array_equal(y, run.step_loss.values)
    _, smooth = items["smooth"].getOriginalDataset()
    np.testing.assert_allclose(smooth, ema(run.step_loss.values, 0.6))
    ex, val = items["val_acc"].getOriginalDataset()
    assert list(val) == [e.val_accuracy for e in run.epochs]
    assert list(ex) == [e.step for e in run.epochs]
    # the best validation epoch is starred, where the validation curve peaks
    bx, by = items["best"].getData()
    best = max(run.epochs, key=lambda e: e.val_accuracy)
    assert (bx[0], by[0]) == (best.step, best.val_accuracy)
    assert f"epoch {best.epoch}" in items["best"].toolTip()


def test_smoothing_and_x_axis_controls(view):
    run = _run()
    _feed(run, 300)
    view.set_runs([run])
    view.smoothing.setValue(90)
    view.x_axis.setCurrentIndex(1)  # epochs
    view.redraw()
    items = view._items[id(run)]
    x, smooth = items["smooth"].getOriginalDataset()
    np.testing.assert_allclose(smooth, ema(run.step_loss.values, 0.9))
    np.testing.assert_allclose(x, run.step.values / STEPS_PER_EPOCH)
    assert view.smoothing_label.text() == "0.90"
    view.x_axis.setCurrentIndex(3)  # relative time
    view.redraw()
    x = items["raw"].getOriginalDataset()[0]
    np.testing.assert_allclose(x, run.step_time.values - run.step_time.values[0])
    assert x[0] == 0 and x[-1] > 0
    assert view.loss.getPlotItem().getAxis("bottom").labelText == "relative time (s)"


def test_the_view_holds_all_data_and_its_range_moves_in_a_few_jumps(view):
    """While a run grows, each redraw must show every point, and the range must not change
    at every redraw: each change lays out and repaints the axes, the main cost of a redraw."""
    run = _run(total=4000)
    view.set_runs([run])
    ranges = []
    for _ in range(200):
        _feed(run, 20)
        view.redraw()
        (x0, x1), (y0, y1) = _shown(view)
        y = run.step_loss.values
        assert x0 <= 0 and x1 >= run.total_steps  # a live run's x-axis spans its plan
        assert y0 <= y.min() and y1 >= y.max()
        ranges.append((x0, x1, y0, y1))
    changes = sum(a != b for a, b in zip(ranges, ranges[1:], strict=False))
    assert changes <= 20, f"the range changed at {changes} of 200 redraws"
    # the accuracy plot holds its epochs too
    (ax0, ax1), (ay0, ay1) = _shown(view, "acc")
    accs = [getattr(e, k) for e in run.epochs for k in ("train_accuracy", "val_accuracy")]
    assert ay0 <= min(accs) and ay1 >= max(accs)
    assert [ax0, ax1] == pytest.approx(_shown(view)[0]), "the two plots share their x-axis"
    # a loss is not negative: only pyqtgraph's own few percent of padding lie below 0
    (x0, x1), (y0, y1) = _shown(view)
    assert -0.1 * (y1 - y0) < y0 <= run.step_loss.values.min()


def test_a_run_that_ends_early_gives_up_its_planned_axis(view):
    run = _run(total=4000)
    _feed(run, 1000)
    view.set_runs([run])
    view.redraw()
    assert _shown(view)[0][1] >= 4000
    run.status = RunStatus.STOPPED
    view.redraw()
    x0, x1 = _shown(view)[0]
    assert run.step.values.max() <= x1 < 2000


def test_log_loss_and_hidden_runs_refit_the_range(view):
    small, big = _run(), _run("20261123-101600-resnet50-digits", "#ff7f0e")
    _feed(small, 400)
    _feed(big, 400)
    big.step_loss.values[:] *= 100  # a run with a much larger loss
    view.set_runs([small, big])
    view.redraw()
    assert _shown(view)[1][1] >= big.step_loss.values.max()
    big.visible = False  # its checkbox, unticked
    view.redraw()
    assert not view._items[id(big)]["raw"].isVisible()
    y0, y1 = _shown(view)[1]
    assert y1 < big.step_loss.values.min(), "the range still fits a hidden run"
    view.log_y.setChecked(True)
    view.redraw()
    y0, y1 = _shown(view)[1]  # in log10 units, as pyqtgraph's log mode shows them
    assert y0 <= math.log10(small.step_loss.values.min())
    assert y1 >= math.log10(small.step_loss.values.max())


def test_a_nan_loss_does_not_break_the_range(view):
    run = _run()
    _feed(run, 100)
    run.step_loss.values[-1] = float("nan")
    run.status = RunStatus.FAILED
    view.set_runs([run])
    view.redraw()
    (x0, x1), (y0, y1) = _shown(view)
    assert all(map(math.isfinite, (x0, x1, y0, y1)))
    assert y0 <= np.nanmin(run.step_loss.values) and y1 >= np.nanmax(run.step_loss.values)


def test_long_runs_are_drawn_downsampled_and_clipped(view, qtbot, settle):
    """200k steps: what reaches the painter is a few points per pixel, not every step."""
    run = _run(total=200_000)
    _feed(run, 200_000)
    view.set_runs([run])
    view.redraw()
    raw = view._items[id(run)]["raw"]
    # a paint: downsampling follows the view's width in pixels
    drawn = settle(lambda: len(raw.getData()[0]))
    width = view.loss.getPlotItem().vb.width()
    assert drawn <= 10 * width < run.step.n  # peak: 2 points for each of 5 buckets a pixel
    view.loss.getPlotItem().vb.setXRange(1000, 2000, padding=0)  # zoom in: clipped to view
    lo, hi = settle(lambda: (raw.getData()[0].min(), raw.getData()[0].max()))
    assert lo >= 900 and hi <= 2100


def test_hover_names_the_run_step_value_and_time_of_the_nearest_point(view, qtbot, settle):
    low, high = _run(), _run("20261123-101600-resnet50-digits", "#ff7f0e")
    _feed(low, 500)
    _feed(high, 500)
    high.step_loss.values[:] += 3.0  # well above the other run
    view.set_runs([low, high])
    view.redraw()
    vb = view.loss.getPlotItem().vb
    settle(lambda: (vb.viewRange(), vb.sceneBoundingRect().getRect()))
    for run in (low, high):
        for step in (0, 250, 499):
            value = run.step_loss.values[step]
            view._hovered((vb.mapViewToScene(QPointF(step, value)),))
            text = view.tips["loss"].text
            assert text.startswith(run.label + "\n"), text
            assert f"step {step} · loss {value:.4f}" in text
            assert f"{run.step_time.values[step] - run.step_time.values[0]:.1f} s in" in text
            assert view.hover.toolTip() == text.replace("\n", " · ")
            assert view.hover.text().rstrip("…") in view.hover.toolTip()
    view._hovered((vb.mapViewToScene(QPointF(1500, 1.0)),))  # far from every point: nothing
    assert view.tips["loss"].text == "" and view.hover.text() == ""
    # the accuracy plot names an epoch's point
    e = low.epochs[2]
    acc_vb = view.acc.getPlotItem().vb
    view._hovered((acc_vb.mapViewToScene(QPointF(e.step, e.val_accuracy)),), "acc")
    assert f"step {e.step} · epoch {e.epoch} · val accuracy" in view.tips["acc"].text


def _click_legend(view, qtbot, plot, run):
    """A left click on ``run``'s entry in the legend under ``plot``."""
    from PySide6.QtCore import Qt

    sample = view.legends[plot].sample_of(run)
    assert sample is not None, f"{run.label} has no entry in the {plot} legend"
    widget = getattr(view, plot)
    at = widget.mapFromScene(sample.mapToScene(sample.boundingRect().center()))
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=at)


def test_a_click_on_a_legend_entry_hides_its_run_and_a_second_shows_it(view, qtbot, settle):
    a, b = _run(), _run("20261123-101600-resnet50-digits", "#ff7f0e")
    for r in (a, b):
        _feed(r, 300)
    view.set_runs([a, b])
    view.redraw()
    settle(lambda: view.legends["loss"].sceneBoundingRect().getRect())
    assert view.legends["loss"].names()[:2] == [a.label, b.label]
    # the legend lies under the x-axis, outside the data
    legend, vb = view.legends["loss"], view.loss.getPlotItem().vb
    assert legend.sceneBoundingRect().top() >= vb.sceneBoundingRect().bottom()
    toggled = []
    view.visibilityToggled.connect(toggled.append)
    _click_legend(view, qtbot, "loss", b)
    assert not b.visible and a.visible and toggled == [b]
    for name in ("raw", "smooth", "val_loss", "val_acc", "train_acc"):
        assert not view._items[id(b)][name].isVisible()
        assert view._items[id(a)][name].isVisible()
    assert view.legends["acc"].sample_of(b) is not None, "a hidden run keeps its entry"
    _click_legend(view, qtbot, "acc", b)  # either legend brings it back
    assert b.visible and toggled == [b, b]
    assert view._items[id(b)]["smooth"].isVisible()


def test_wall_time_axis_shows_the_clock_at_each_step(view):
    run = _run()
    _feed(run, 300)
    run.step_wall.values[:] = 1.7e9 + run.step_time.values  # as the trainer's clock
    view.set_runs([run])
    view.x_axis.setCurrentIndex(2)
    view.redraw()
    x = view._items[id(run)]["raw"].getOriginalDataset()[0]
    np.testing.assert_allclose(x, run.step_wall.values)
    import pyqtgraph as pg

    assert isinstance(view.loss.getPlotItem().getAxis("bottom"), pg.DateAxisItem)
    (x0, x1), _ = _shown(view)
    assert x0 <= x.min() and x1 >= x.max() and x0 > 1e9  # the clock's range, not 0 to now
    view.x_axis.setCurrentIndex(0)
    view.redraw()
    assert not isinstance(view.loss.getPlotItem().getAxis("bottom"), pg.DateAxisItem)


def test_log_loss_sets_the_axis_log_mode(view):
    run = _run()
    _feed(run, 100)
    view.set_runs([run])
    view.log_y.setChecked(True)
    view.redraw()
    assert view.loss.getPlotItem().getAxis("left").logMode
    assert not view.acc.getPlotItem().getAxis("left").logMode
    view.log_y.setChecked(False)
    assert not view.loss.getPlotItem().getAxis("left").logMode


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_export_the_plots(view, tmp_path, suffix):
    run = _run()
    _feed(run, 200)
    view.set_runs([run])
    path = tmp_path / f"curves{suffix}"
    view.export(str(path))
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left behind


def test_a_figure_is_the_plots_at_the_chosen_size_with_legends_and_no_controls(view, tmp_path):
    from PySide6.QtGui import QImage

    a, b = _run(), _run("20261123-101600-resnet50-digits", "#ff7f0e")
    for r in (a, b):
        _feed(r, 300)
    view.set_runs([a, b])
    before = view.loss.getPlotItem().size()
    png, svg = tmp_path / "f.png", tmp_path / "f.svg"
    view.export(str(png), 1600, 900, dpi=192)
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1600, 900)
    assert round(image.dotsPerMeterX() * 0.0254) == 192
    view.export(str(svg), 1920, 1080)
    text = svg.read_text(encoding="utf-8")
    assert 'width="1920' in text or "1920" in text.split(">", 2)[1]
    for name in (a.label, b.label, "Loss", "Accuracy"):
        assert name in text, f"{name} is not in the figure"
    for control in ("Smoothing", "log loss", "x-axis"):
        assert control not in text, f"the control {control!r} is in the figure"
    assert view.loss.getPlotItem().size() == before, "the plot on screen kept its size"


def test_a_narrow_legend_shortens_long_names_rather_than_widen_its_plot(view, qtbot, settle):
    long = _run("20261123-101600-a-run-with-a-very-long-name-indeed-resnet50-digits", "#ff7f0e")
    _feed(long, 100)
    view.resize(1400, 420)  # wide first, then narrow, as a window that shrinks
    view.set_runs([long])
    view.redraw()
    legends = view.legends.values()
    settle(lambda: [legend.sceneBoundingRect().getRect() for legend in legends])
    view.resize(560, 420)
    settle(lambda: [legend.sceneBoundingRect().getRect() for legend in legends])
    for key, widget in view.plot_widgets().items():
        legend = view.legends[key]
        assert legend.sceneBoundingRect().right() <= widget.width(), f"the {key} legend sticks out"
        assert widget.getPlotItem().width() <= widget.width() + 1
        label = legend.items[0][1]
        assert "…" in label.text and label.toolTip() == long.label
        assert label.text.endswith(long.label[-6:]), (
            "the end of a name, which tells runs apart, stays"
        )
        assert legend.names()[0] == long.label


def test_a_curve_of_one_point_is_drawn_as_a_dot(view):
    """A 1-epoch run showed no train accuracy: a line through one point draws nothing."""
    run = _run(total=100)
    _feed(run, 100)  # one epoch
    view.set_runs([run])
    view.redraw()
    items = view._items[id(run)]
    for key in ("train_acc", "val_acc"):
        (x,), (y,) = items[key].getData()
        assert items[key].opts["symbol"] == "o", key
        assert len(items[key].scatter.points()) == 1 and items[key].scatter.isVisible()
        (x_lo, x_hi), (y_lo, y_hi) = _shown(view, "acc")
        assert x_lo <= x <= x_hi and y_lo <= y <= y_hi, key
    _feed(run, 100)  # two epochs: a line, and the training curve keeps its dots off
    view.redraw()
    assert items["train_acc"].opts["symbol"] is None
    assert items["smooth"].opts["symbol"] is None

"""The Sweeps tab: the sweeps of an added storage (remembered), a live table of trials, EDFs of
two sweeps overlaid, a click that selects the trial's run in the Train tab, and "Run N trials
here" starting a real worker process (one test: the sweeps are trained once)."""

from __future__ import annotations

import numpy as np
import optuna
from PySide6.QtCore import QProcess, QSettings

from resnet_studio.gui.sweeps.sweeps_plots import edf_steps
from resnet_studio.sweep.analysis import edf
from resnet_studio.sweep.space import Space
from resnet_studio.sweep.storage import create_sweep, open_storage
from resnet_studio.sweep.worker import Worker
from tests.sweep.helpers import TINY_SPACE


def _make_sweeps(tmp_path):
    url = f"journal:{tmp_path / 'sweeps.journal'}"
    storage = open_storage(url)
    space = Space.parse(TINY_SPACE.format(epochs=1, batch=256))
    create_sweep("trained", space, storage)
    Worker("trained", url, tmp_path / "runs", echo=lambda _: None).run(1)  # a real run
    create_sweep("other", space, storage)
    study = optuna.load_study(study_name="other", storage=storage)
    for v in (0.5, 0.7, 0.7, 0.9):
        study.add_trial(optuna.trial.create_trial(value=v))
    return url, storage


def test_the_sweeps_tab_follows_a_storage(make_window, qtbot, tmp_path):
    url, storage = _make_sweeps(tmp_path)
    w = make_window()
    w.tabs.setCurrentWidget(w.sweeps)
    view = w.sweeps
    assert view.add_storage(url)
    qtbot.waitUntil(lambda: view.sweeps.count() == 2, timeout=20000)
    view.select_sweep("trained")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=20000)
    assert [view.model.text(r, 1) for r in view.model.rows] == ["complete"]
    rows = view.model.rows

    # the EDFs of both sweeps on one chart, each the sweep package's EDF of its trials
    view.select_sweep("other", checked=True)
    view.select_sweep("trained", checked=True)
    qtbot.waitUntil(lambda: len(view.edf.curves) == 2, timeout=20000)
    xs, ys = view.edf.curves["other"].getData()
    want = edf_steps(edf([0.5, 0.3, 0.3, 0.1]))
    assert np.allclose(xs, 100 * want[0]) and np.allclose(ys, want[1])  # error in %
    xs, _ = view.edf.curves["trained"].getData()
    assert np.allclose(sorted(set(xs)), sorted({100 * (1 - r.value) for r in rows}))

    # a click on a trial selects its run in the Train tab
    view.select_sweep("trained")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=20000)
    view.table.clicked.emit(view.proxy.index(0, 0))
    assert w.tabs.currentWidget() is w.train
    assert str(w.train.selected().dir) == view.model.rows[0].run_dir

    # workers elsewhere: a trial added to the storage shows up in the table
    w.tabs.setCurrentWidget(view)
    optuna.load_study(study_name="trained", storage=storage).add_trial(
        optuna.trial.create_trial(
            value=0.25, user_attrs={"skipped": "x"}, state=optuna.trial.TrialState.PRUNED
        )
    )
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=20000)
    assert view.model.text(view.model.rows[1], 1) == "skipped"

    # the URL is remembered
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert url in settings.value("sweep_storages")

    # "Run N trials here": a real worker process, whose trial shows up, with its run in ours
    view.trials_n.setValue(1)
    assert view.run_here.text() == "Run 1 trial here"
    proc = view.start_worker()
    assert proc is not None
    qtbot.waitUntil(lambda: proc.state() == QProcess.ProcessState.NotRunning, timeout=180000)
    assert proc.exitCode() == 0
    qtbot.waitUntil(lambda: view.model.rowCount() == 3, timeout=20000)
    assert view.model.rows[2].state == "complete"
    assert view.model.rows[2].run_dir.startswith(str(w.train.manager.root))


def test_plots_of_a_sweep_without_finished_trials_say_so(qtbot):
    from resnet_studio.gui.sweeps.sweeps_plots import EdfPlot, ObjectivePlot, ParallelPlot
    from resnet_studio.sweep.results import TrialRow

    running = [TrialRow(0, "running", None, {"lr": 0.1}, None)]
    parallel, objective, edf_plot = ParallelPlot(), ObjectivePlot(), EdfPlot()
    for w in (parallel, objective, edf_plot):
        qtbot.addWidget(w)
    parallel.set_rows(running, "best_val_accuracy")  # raised ValueError (zero-size nanmin)
    objective.set_rows(running, "best_val_accuracy")
    edf_plot.set_edfs({"tiny": []})
    for w in (parallel, objective, edf_plot):
        assert not w.empty.isHidden() and w.plot.isHidden()  # a sentence, no bare axes
        assert "No finished trials yet" in w.empty.text()
    # a finished trial later: the plots come back
    done = [*running, TrialRow(1, "complete", 0.8, {"lr": 0.05}, None)]
    parallel.set_rows(done, "best_val_accuracy")
    objective.set_rows(done, "best_val_accuracy")
    edf_plot.set_edfs({"tiny": edf([0.2])})
    for w in (parallel, objective, edf_plot):
        assert w.empty.isHidden() and not w.plot.isHidden()


def test_the_sweep_list_counts_towards_the_spaces_planned_total(qtbot, tmp_path):
    from resnet_studio.gui.sweeps.sweeps_model import Snapshot
    from resnet_studio.gui.sweeps.sweeps_view import SweepsView
    from resnet_studio.sweep.storage import list_sweeps

    storage = open_storage(f"journal:{tmp_path / 'sweeps.journal'}")
    create_sweep("tiny", Space.parse(TINY_SPACE.format(epochs=1, batch=256) + "trials = 2\n"),
                 storage)  # fmt: skip
    optuna.load_study(study_name="tiny", storage=storage).add_trial(
        optuna.trial.create_trial(state=optuna.trial.TrialState.FAIL)
    )
    view = SweepsView()
    qtbot.addWidget(view)
    view.show_snapshot(Snapshot(view.url, list_sweeps(storage)))
    assert view.sweeps.item(0).text().startswith("tiny  (0/2 done, 0 running")  # was 0/1
    assert view.status.text().startswith("1 sweep in ")
    view.trials_n.setValue(1)
    assert view.run_here.text() == "Run 1 trial here"

"""Run folders written by someone else, or damaged, show as rows with their problem."""

import html
import json

from PySide6.QtCore import QSettings

from resnet_studio.gui.window.main_window import MainWindow


def _damaged_runs(root):
    (root / "no-config").mkdir(parents=True)
    (root / "no-config" / "status.json").write_text('{"status": "running"}')
    (root / "not-an-object").mkdir()
    (root / "not-an-object" / "config.json").write_text("[1, 2]")
    (root / "not-an-object" / "status.json").write_text("{}")
    wrong = {"dataset": 5, "params": "x", "total_steps": "abc", "config": [1], "spec": {"a": 1}}
    (root / "wrong-types").mkdir()
    (root / "wrong-types" / "config.json").write_text(json.dumps(wrong))
    (root / "wrong-types" / "status.json").write_text('{"status": "finished", "epoch": 3}')
    (root / "wrong-types" / "metrics.jsonl").write_text(
        '{"kind": "epoch", "epoch": 1, "step": 1, "train_loss": 1, "train_accuracy": 0.5, '
        '"seconds": 1, "time": 1, "val_accuracy": "high"}\n'
    )
    (root / "empty").mkdir()


def test_damaged_run_folders_are_rows_with_their_problem(qtbot, tmp_path):
    _damaged_runs(tmp_path / "runs")
    w = MainWindow(
        QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), tmp_path / "runs"
    )
    qtbot.addWidget(w)
    w.show()
    w.tabs.setCurrentIndex(2)
    view = w.train
    names = {r.id: r for r in view.runs}
    assert set(names) == {"no-config", "not-an-object", "wrong-types", "empty"}
    assert (
        names["no-config"].status == "unreadable" and "no config.json" in names["no-config"].reason
    )
    assert "nothing" in names["empty"].reason
    assert names["wrong-types"].status == "finished" and names["wrong-types"].epochs == []
    for row in range(view.proxy.rowCount()):
        view.table.selectRow(row)
        run = view.selected()
        text = view.panel.details.text()
        # each row's details name the run, its folder and, for a damaged one, its problem
        assert run.label and html.escape(run.label) in text and str(run.dir) in text
        if run.status == "unreadable":
            assert run.reason and html.escape(run.reason) in text
        assert view.delete_button.isEnabled()  # it can be removed from the window
    view.curves.redraw()
    w.confirm_close = lambda active: True
    w.close()

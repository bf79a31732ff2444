"""The trade-off view in the Train tab: one point per run for one dataset at a time, the Pareto
front drawn and listed, hover naming run and spec, and a click selecting the run's row."""

import json
import math

from PySide6.QtCore import Qt

from resnet_studio import ArchSpec
from resnet_studio.core import analyze
from resnet_studio.train.config import TrainConfig

BASE = ArchSpec.from_preset(
    "resnet18", layers=(1, 1), widths=(8, 16), stem="cifar", in_channels=1, input_size=8
)


def _write_run(root, name, spec, dataset, accuracies, seconds=10.0):
    """A finished run's folder as the recorder writes it: config, status and epoch records."""
    folder = root / name
    folder.mkdir(parents=True)
    config = TrainConfig(dataset=dataset, epochs=len(accuracies), device="cpu").to_dict()
    info = {
        "spec": spec.to_dict(),
        "config": config,
        "dataset": {"name": dataset, "train": 100, "val": 10, "classes": 10, "notes": []},
        "device": "cpu (test)",
        "params": analyze(spec).totals.params,
        "macs": analyze(spec).totals.macs,
        "steps_per_epoch": 2,
        "total_steps": 2 * len(accuracies),
    }
    (folder / "config.json").write_text(json.dumps(info))
    (folder / "status.json").write_text(json.dumps({"status": "finished", "reason": ""}))
    lines = [
        {
            "kind": "epoch",
            "epoch": i + 1,
            "step": 2 * (i + 1),
            "train_loss": 1.0,
            "train_accuracy": 0.5,
            "val_loss": 1.0,
            "val_accuracy": acc,
            "seconds": seconds / len(accuracies),
            "images_per_s": 100.0,
            "lr": 0.05,
            "time": seconds * (i + 1) / len(accuracies),
        }
        for i, acc in enumerate(accuracies)
    ]
    (folder / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))


def test_points_front_hover_and_click(make_window, tmp_path, qtbot):
    runs = tmp_path / "runs"
    small, wide, wider = BASE, BASE.replace(widths=(16, 32)), BASE.replace(widths=(32, 64))
    _write_run(runs, "20260101-000001-small", small, "digits", [0.7, 0.8])
    _write_run(runs, "20260101-000002-wide", wide, "digits", [0.9])
    _write_run(runs, "20260101-000003-wider", wider, "digits", [0.85])  # costlier, worse
    _write_run(runs, "20260101-000004-mnist", wider, "mnist", [0.99])
    w = make_window()
    view = w.train.tradeoff
    w.tabs.setCurrentWidget(w.train)
    w.train.pictures.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.dataset.count() == 2, timeout=5000)
    assert view.dataset.currentText() == "digits"  # most runs first; never mixed with mnist
    view.cost.setCurrentIndex(view.cost.findData("params"))
    assert sorted(p.run_id for p in view.points) == [
        "20260101-000001-small",
        "20260101-000002-wide",
        "20260101-000003-wider",
    ]
    front = [view.front_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(2)]
    assert view.front_list.count() == 2
    assert front == ["20260101-000001-small", "20260101-000002-wide"]
    spots = {s.data(): s for s in view.scatter.points()}
    p = spots["20260101-000002-wide"].pos()
    assert p.x() == math.log10(analyze(wide).totals.params)
    assert abs(p.y() - 90.0) < 1e-9
    tip = view._tip(p.x(), p.y(), "20260101-000002-wide")
    assert "best validation accuracy 90.00%" in tip and "widths 16-32" in tip

    view.scatter.sigClicked.emit(view.scatter, [spots["20260101-000003-wider"]], None)
    assert w.train.selected().id == "20260101-000003-wider"
    qtbot.mouseClick(
        view.front_list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.front_list.visualItemRect(view.front_list.item(0)).center(),
    )
    assert w.train.selected().id == "20260101-000001-small"

    view.dataset.setCurrentText("mnist")
    assert [p.run_id for p in view.points] == ["20260101-000004-mnist"]
    view.cost.setCurrentIndex(view.cost.findData("profiled_img_s"))
    assert view.points == [] and "1 run lacks a profile" in view.note.text()


def test_export_figure_writes_the_picture_shown(make_window, tmp_path, qtbot, monkeypatch):
    """With the Trade-off tab shown, Export figure… wrote the training curves."""
    from resnet_studio.gui.train import train_view

    _write_run(tmp_path / "runs", "20260101-000001-small", BASE, "digits", [0.7, 0.8])
    w = make_window()
    w.tabs.setCurrentWidget(w.train)
    asked = []
    monkeypatch.setattr(
        train_view, "ask_and_export", lambda parent, title, shown, start, write: asked.append(
            (title, start, write)
        )
    )  # fmt: skip
    w.train.pictures.setCurrentWidget(w.train.tradeoff)
    qtbot.waitUntil(lambda: len(w.train.tradeoff.points) == 1, timeout=5000)
    w.train.export_button.click()
    w.train.pictures.setCurrentIndex(0)  # the curves
    w.train.export_button.click()
    assert [(title, start.name) for title, start, _ in asked] == [
        ("Export the trade-off", "tradeoff.png"),
        ("Export the training curves", "curves.png"),
    ]
    asked[0][2](str(tmp_path / "t.svg"), 800, 500, 96)
    svg = (tmp_path / "t.svg").read_text()
    assert "against cost" in svg and "Training curves" not in svg
    assert "best validation accuracy" in svg

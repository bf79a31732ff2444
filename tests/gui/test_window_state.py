"""The window keeps its state straight: Find layer, and opening files the app itself wrote."""

import json

from PySide6.QtWidgets import QApplication

from resnet_studio.core import ArchSpec
from resnet_studio.gui.window import window_settings


def _action(w, text):
    return next(a for a in w.findChildren(type(w.menuBar().actions()[0])) if a.text() == text)


def test_find_layer_shows_the_explorer_and_focuses_its_filter(make_window, qtbot):
    w = make_window()
    w.activateWindow()
    w.tabs.setCurrentIndex(2)
    w.explorer.filter.setText("downsample")
    _action(w, "&Find layer").trigger()
    assert w.tabs.currentWidget() is w.explorer
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.explorer.filter, timeout=2000)
    assert w.explorer.filter.selectedText() == "downsample"  # typing replaces it


def test_an_analysis_json_opens_its_spec(make_window, tmp_path):
    w = make_window()
    w.panel.preset.setCurrentText("resnext50_32x4d")
    path = str(tmp_path / "analysis.json")
    w.exports.export_analysis(".json", path)
    w.panel.preset.setCurrentText("resnet18")
    assert w.exports.open_spec(path)
    assert w.spec == ArchSpec.from_preset("resnext50_32x4d")
    assert "the spec of an analysis" in w.statusBar().currentMessage()


def test_a_run_config_opens_its_spec_and_metrics_say_what_they_are(make_window, tmp_path):
    w = make_window()
    config = tmp_path / "config.json"
    spec = ArchSpec.from_preset("resnet34")
    config.write_text(json.dumps({"spec": spec.to_dict(), "epochs": 5}))
    assert w.exports.open_spec(str(config))
    assert w.spec == spec and "a run's config" in w.statusBar().currentMessage()
    metrics = tmp_path / "metrics.jsonl"
    metrics.write_text('{"step": 1, "loss": 2.3}\n{"step": 2, "loss": 2.1}\n')
    assert not w.exports.open_spec(str(metrics))
    assert "metrics.jsonl" in w.statusBar().currentMessage()
    assert w.spec == spec


def test_a_failed_run_or_save_stays_listed_until_read(make_window, tmp_path):
    w = make_window()
    assert not w.notices.isVisibleTo(w)
    w.train.problem.emit("resnet20 failed: the loss became NaN at step 12")
    w.exports.export_analysis(".csv", str(tmp_path / "missing" / "a.csv"))  # no such folder
    assert w.notices.isVisibleTo(w) and w.notices.text() == "⚠ 2 unread"
    w.statusBar().clearMessage()  # the status bar forgets; the notices do not
    w.notices.list_menu.aboutToShow.emit()
    shown = [
        a.defaultWidget().text()
        for a in w.notices.list_menu.actions()
        if a.isSeparator() is False and hasattr(a, "defaultWidget")
    ]
    assert "the loss became NaN at step 12" in shown[1] and "Could not save" in shown[0]
    w.notices.list_menu.aboutToHide.emit()
    assert w.notices.text() == "2 messages" and w.notices.isVisibleTo(w)
    w.notices.clear()
    assert not w.notices.isVisibleTo(w)


def test_every_splitter_comes_back_where_the_user_left_it(make_window):
    w = make_window()
    dragged = {}
    for i, (key, splitter) in enumerate(window_settings.splitters(w).items()):
        w.tabs.setCurrentIndex(["explorer", "compare", "train"].index(key.split("_")[0]))
        QApplication.processEvents()
        total = sum(splitter.sizes())
        splitter.setSizes([total // 3 + 10 * i, total - total // 3 - 10 * i])
        QApplication.processEvents()
        dragged[key] = splitter.sizes()
    w.close()
    again = make_window()
    for key, splitter in window_settings.splitters(again).items():
        again.tabs.setCurrentIndex(["explorer", "compare", "train"].index(key.split("_")[0]))
        QApplication.processEvents()
        assert splitter.sizes() == dragged[key], key


def test_the_plots_follow_a_dark_desktop(make_window):
    import pyqtgraph as pg

    from resnet_studio.gui import theme

    w = make_window()
    plots = [
        *w.explorer.plots.widgets,
        *w.compare.plots.widgets,
        *w.train.curves.findChildren(pg.PlotWidget),
    ]
    assert len(plots) >= 8
    try:
        theme.apply(w, dark=True)
        for p in plots:
            assert p.backgroundBrush().color().lightness() < 64
            assert p.getPlotItem().getAxis("left").textPen().color().lightness() > 192
        w.panel.preset.setCurrentText("resnet50")  # titles drawn after the switch are light too
        QApplication.processEvents()  # the charts are drawn on the next turn
        w.explorer.pictures.setCurrentWidget(w.explorer.plots)  # or when shown, if hidden
        html = w.explorer.plots.plots[0].titleLabel.item.toHtml().lower()
        assert "parameters" in html and "#d4d4d4" in html
    finally:
        theme.apply(w, dark=False)
    assert all(p.backgroundBrush().color().lightness() > 240 for p in plots)


def test_menu_items_pass_no_checked_flag_into_path_parameters(make_window, monkeypatch):
    """``triggered`` passes ``checked``: a slot ``open_spec(path=None)`` connected as it is
    would get ``path=False``. Every menu item calls its slot with no argument."""
    from resnet_studio.gui.window.exports_controller import ExportsController

    calls = []
    for name in ("open_spec", "save_spec", "export_torchinfo"):

        def spy(self, path=None, _name=name):
            calls.append((_name, path))

        monkeypatch.setattr(ExportsController, name, spy)
    w = make_window()
    for text in ("&Open spec…", "&Save spec as…", "torchinfo summary…"):
        _action(w, text).trigger()
    assert calls == [("open_spec", None), ("save_spec", None), ("export_torchinfo", None)]


def test_open_spec_and_open_recent_from_the_menu(make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = make_window()
    path = tmp_path / "mine.json"
    path.write_text(ArchSpec.from_preset("resnet34").to_json())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    _action(w, "&Open spec…").trigger()
    assert w.spec == ArchSpec.from_preset("resnet34")
    w.panel.preset.setCurrentText("resnet18")
    recent = w.menus["Open &recent"].actions()
    assert [a.text() for a in recent] == [str(path)]
    recent[0].trigger()
    assert w.spec == ArchSpec.from_preset("resnet34")


def test_a_failed_save_does_not_go_into_open_recent(make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = make_window()
    assert w.spec is not None
    (tmp_path / "file").write_text("not a folder")
    bad = tmp_path / "file" / "spec.json"  # its parent is a file
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(bad), ""))
    _action(w, "&Save spec as…").trigger()
    assert "Could not save" in w.statusBar().currentMessage()
    assert str(bad) not in w.exports.recent()
    assert str(bad) not in [a.text() for a in w.menus["Open &recent"].actions()]
    good = tmp_path / "spec.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(good), ""))
    _action(w, "&Save spec as…").trigger()
    assert good.exists() and w.exports.recent() == [str(good)]


def test_settings_are_written_as_they_change_so_a_terminated_app_keeps_them(
    make_window, qtbot, tmp_path
):
    """Settings were written only on quit: SIGTERM lost the spec, train settings and tab."""
    import shutil

    w = make_window()
    w.panel.preset.setCurrentText("resnet50")
    w.train.panel.epochs.setValue(7)
    w.tabs.setCurrentIndex(2)
    on_disk = tmp_path / "settings.ini"

    def written() -> bool:
        text = on_disk.read_text() if on_disk.exists() else ""
        return "tab=2" in text and "epochs" in text and "resnet50" in text

    qtbot.waitUntil(written, timeout=10000)  # no close: as if the app were terminated now
    shutil.copy(on_disk, tmp_path / "after_sigterm.ini")  # a relaunch reads the disk
    again = make_window("after_sigterm.ini")
    assert again.spec == ArchSpec.from_preset("resnet50")
    assert again.train.panel.epochs.value() == 7
    assert again.tabs.currentIndex() == 2

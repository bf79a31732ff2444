"""Figures as a user puts them in a slide or a paper, and folders the app cannot open."""

from pathlib import Path
from types import SimpleNamespace

from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage


def test_compare_charts_export_slide_sized_with_the_networks_named(make_window, tmp_path):
    w = make_window()
    w.resize(1280, 720)
    w.tabs.setCurrentWidget(w.compare)
    w.compare.set_entries(["resnet18", "resnet50", "wide_resnet50_2"])
    on_screen = [p.size() for p in w.compare.plots.plots]
    w.exports.export_compare("plots", str(tmp_path / "cmp.png"))  # a path: the slide size
    for part in ("params", "macs", "profile"):
        image = QImage(str(tmp_path / f"cmp-{part}.png"))
        assert (image.width(), image.height()) == (1920, 1080)
    w.compare.plots.export_all(str(tmp_path / "cmp.svg"), 1600, 900)
    for part in ("params", "macs", "profile"):
        svg = (tmp_path / f"cmp-{part}.svg").read_text(encoding="utf-8")
        for name in ("resnet18", "resnet50", "wide_resnet50_2"):
            assert name in svg, f"{name} is not in the {part} figure's legend"
        for control in ("every layer", "profile by stage", "Add preset"):
            assert control not in svg, f"the control {control!r} is in the figure"
    assert "channels" in svg and "height" in svg  # the profile's key to its lines
    assert [p.size() for p in w.compare.plots.plots] == on_screen, "the charts moved on screen"
    assert all(not hasattr(p, "outside_legend") for p in w.compare.plots.plots)


def test_open_folder_without_a_file_manager_says_where_the_folder_is(
    make_window, monkeypatch, tmp_path
):
    w = make_window()
    folder = tmp_path / "runs" / "20261128-120000-resnet20-digits"
    folder.mkdir(parents=True)
    asked = []

    def no_file_manager(url):
        asked.append(url.toLocalFile())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", no_file_manager)
    monkeypatch.setattr(
        w.train, "selected", lambda: SimpleNamespace(dir=folder, never_started=False)
    )
    w.train.open_selected()
    assert asked == [str(folder)]
    said = w.statusBar().currentMessage()
    assert str(folder) in said and said.endswith(".")
    assert w.notices.messages[-1][1] == said  # kept until read
    assert QGuiApplication.clipboard().text() == str(folder)


def test_open_folder_that_opens_says_so_quietly(make_window, monkeypatch, tmp_path):
    w = make_window()
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    monkeypatch.setattr(
        w.train, "selected", lambda: SimpleNamespace(dir=Path(tmp_path), never_started=False)
    )
    w.train.open_selected()
    assert str(tmp_path) in w.statusBar().currentMessage()
    assert not w.notices.messages


def test_the_stale_banner_does_not_move_the_explorers_splitter(make_window, qtbot, settle):
    w = make_window()
    w.resize(1280, 720)
    w.tabs.setCurrentWidget(w.explorer)
    before = settle(w.explorer.splitter.sizes)
    top = w.explorer.splitter.mapTo(w, w.explorer.splitter.rect().topLeft()).y()
    w.panel.preset.setCurrentText("resnext50_32x4d")
    w.panel.block.setCurrentText("basic")  # invalid: the banner shows
    qtbot.waitUntil(lambda: w.explorer.stale_banner.isVisibleTo(w), timeout=5000)
    assert settle(w.explorer.splitter.sizes) == before
    assert w.explorer.splitter.mapTo(w, w.explorer.splitter.rect().topLeft()).y() == top
    assert w.explorer.stale_banner.toolTip() == w.explorer.stale_banner.text()


def test_the_compare_table_cuts_no_header_at_1280_with_three_networks(make_window, settle):
    w = make_window()
    w.resize(1280, 720)
    w.tabs.setCurrentWidget(w.compare)
    w.compare.set_entries(["resnet18", "resnet50", "wide_resnet50_2"])
    table, header = w.compare.table, w.compare.table.horizontalHeader()
    settle(lambda: [header.sectionSize(k) for k in range(table.columnCount())])
    fm = header.fontMetrics()
    for k in range(table.columnCount()):
        widest = max(
            fm.horizontalAdvance(line) for line in table.horizontalHeaderItem(k).text().split("\n")
        )
        assert header.sectionSize(k) >= widest, (
            f"the header {table.horizontalHeaderItem(k).text()!r} is cut"
        )
        for r in range(table.rowCount()):
            item = table.item(r, k)
            if item is not None and table.columnSpan(r, k) == 1:
                assert header.sectionSize(k) >= table.fontMetrics().horizontalAdvance(item.text())
    total = sum(header.sectionSize(k) for k in range(table.columnCount()))
    if total > table.viewport().width():  # what does not fit scrolls
        assert table.horizontalScrollBar().maximum() > 0


def test_a_legend_click_in_the_train_tab_unticks_the_runs_checkbox(
    make_window, qtbot, tmp_path, settle
):
    from PySide6.QtCore import Qt

    from resnet_studio.train.events import RunStatus, StepMetrics
    from resnet_studio.train.run import Run

    w = make_window()
    w.tabs.setCurrentWidget(w.train)
    run = Run("20261128-120000-resnet20-digits", tmp_path / "r", "#2f6db3", RunStatus.FINISHED)
    run.add_steps([StepMetrics(s, 1, 2.0 / s, 0.5, 0.1, 100.0, 0.1 * s) for s in range(1, 50)])
    w.train.manager._add(run)  # as the manager adds a run it loads
    w.train.curves.redraw()
    settle(lambda: w.train.curves.legends["loss"].sceneBoundingRect().getRect())
    row = w.train.runs.index(run)
    check = w.train.model.index(row, 0)
    assert check.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    changed = []
    w.train.model.dataChanged.connect(lambda a, b: changed.append(a.row()))
    sample = w.train.curves.legends["loss"].sample_of(run)
    sample.mouseClickEvent(_LeftClick())
    assert not run.visible and row in changed
    assert check.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked


class _LeftClick:
    """What pyqtgraph hands a clicked item (its button, accepted)."""

    def button(self):
        from PySide6.QtCore import Qt

        return Qt.MouseButton.LeftButton

    def accept(self):
        pass


def test_the_figure_dialog_offers_slide_and_shown_sizes(qtbot):
    from resnet_studio.gui.plots.plot_export import SLIDE, FigureDialog

    d = FigureDialog("Export", (800, 400), SLIDE)
    qtbot.addWidget(d)
    assert d.choice() == (1920, 1080, 144, ".png")  # a slide's text larger than on screen
    d.size_choice.setCurrentText("As shown")
    d.format.setCurrentText("SVG")
    assert d.choice() == (800, 400, 96, ".svg")
    d.width_box.setValue(1234)
    assert d.choice()[0] == 1234


def test_the_profile_puts_every_networks_head_under_head(qtbot):
    """A 3-stage net beside a 4-stage one: its head was drawn under the other's layer4."""
    from resnet_studio import ArchSpec, analyze
    from resnet_studio.gui.plots.stage_charts import StagePlots

    plots = StagePlots(grid=True)
    qtbot.addWidget(plots)  # closed and deleted after the test
    plots.show()
    plots.set_analyses([(n, analyze(ArchSpec.from_preset(n))) for n in ("resnet18", "resnet20")])
    assert plots.profile_axis.names == ["stem", "layer1", "layer2", "layer3", "layer4", "head"]
    lines = [item for item in plots.plots[2].listDataItems() if item.opts["symbol"] == "o"]
    heads = []
    for line in lines:  # channels, point by point: the head's points are its last two
        x, _ = line.getData()
        heads.append(sorted(x)[-1])
    assert all(5 < h <= 6 for h in heads), heads  # both in the head's column

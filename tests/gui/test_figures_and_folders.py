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
    w._export_compare("plots", str(tmp_path / "cmp.png"))  # a path: the slide size
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
    monkeypatch.setattr(w.train, "selected", lambda: SimpleNamespace(dir=folder))
    w.train.open_selected()
    assert asked == [str(folder)]
    said = w.statusBar().currentMessage()
    assert str(folder) in said and said.endswith(".")
    assert w.notices.messages[-1][1] == said  # kept until read
    assert QGuiApplication.clipboard().text() == str(folder)


def test_open_folder_that_opens_says_so_quietly(make_window, monkeypatch, tmp_path):
    w = make_window()
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    monkeypatch.setattr(w.train, "selected", lambda: SimpleNamespace(dir=Path(tmp_path)))
    w.train.open_selected()
    assert str(tmp_path) in w.statusBar().currentMessage()
    assert not w.notices.messages

"""Dark mode where the desktop does not say (RESNET_STUDIO_THEME): widgets, plots and tables."""

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QApplication

from resnet_studio.gui import theme


@pytest.fixture
def dark(monkeypatch):
    app = QApplication.instance()
    monkeypatch.setenv(theme.ENVIRONMENT, "dark")
    theme.use_environment(app)
    yield app
    theme.use(app, False)
    monkeypatch.delenv(theme.ENVIRONMENT, raising=False)
    pg.setConfigOptions(background=theme.LIGHT[0], foreground=theme.LIGHT[1])


def test_the_environment_makes_the_window_and_its_plots_dark(dark, make_window, qtbot):
    assert theme.is_dark()
    assert QApplication.palette().window().color().lightness() < 128
    w = make_window()
    theme.apply(w)
    plot = w.train.curves.loss
    assert plot.backgroundBrush().color() == pg.mkColor(theme.DARK[0])
    legend = w.train.curves.legends["loss"]
    assert legend.opts["labelTextColor"] == pg.mkColor(theme.DARK[1])
    w.tabs.setCurrentWidget(w.compare)
    w.compare.set_entries(["resnet18", "resnet50"])
    cell = w.compare.cell("layer1", "channels", "resnet50")
    text = QApplication.palette().text().color()
    # a shaded cell stays dark under light text
    assert cell.background().color().lightness() < 128 < text.lightness()

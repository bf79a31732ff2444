"""SteadyTabs: a label changing on a page leaves the tab widget alone; its own layout still
follows its tab bar and its size (issue 20: an edit repaints within a frame)."""

from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from resnet_studio.gui.widgets.steady_tabs import SteadyTabs
from tests.gui.event_count import Events


def settle():
    for _ in range(5):
        QApplication.processEvents()


def test_a_label_on_a_page_leaves_the_tabs_alone_and_their_layout_follows_them(qtbot):
    tabs = SteadyTabs()
    page = QWidget()
    label = QLabel("short")
    QVBoxLayout(page).addWidget(label)
    tabs.addTab(page, "One")
    tabs.addTab(QWidget(), "Two")
    qtbot.addWidget(tabs)
    tabs.resize(600, 300)
    tabs.show()
    qtbot.waitExposed(tabs)
    settle()
    bar = Events(tabs.tabBar())
    labels = Events(label)

    label.setText("a longer text, " * 4)  # a layout request reaches the tabs
    settle()
    assert labels.count >= 1  # the label itself is repainted
    assert bar.count == 0

    wide = tabs.tabBar().width()
    tabs.setTabText(0, "A much longer title for the first tab")
    settle()
    assert tabs.tabBar().width() > wide  # laid out anew for its tab bar
    assert tabs.tabBar().width() >= tabs.tabBar().sizeHint().width()

    tabs.resize(800, 400)
    settle()
    assert page.width() > 700 and page.height() > 300  # the page follows the tabs' size

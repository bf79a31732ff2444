"""The window fits a 1280×720 or 1366×768 screen: every tab, nothing cut by its parent."""

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from resnet_studio import ArchSpec
from resnet_studio.gui.window.main_window import FRAME_MARGIN

# the 1202-layer CIFAR ResNet of He et al. (no preset: setting the text "resnet1202" did nothing)
DEEP = ArchSpec.from_preset("resnet110", layers=(200, 200, 200))

SCREENS = [(1280, 720), (1366, 768)]


def _cut(root: QWidget) -> list[str]:
    """Visible widgets that stick out of their parent, or are squeezed below their minimum
    width (a button's text cut); what a scroll area scrolls may be larger than its view."""
    cut = []
    for w in root.findChildren(QWidget):
        parent = w.parentWidget()
        if not w.isVisibleTo(root) or parent is None or w.isWindow():
            continue
        if isinstance(parent.parentWidget(), QAbstractScrollArea):
            continue  # a scroll area's content, or its scroll bars
        name = f"{type(w).__name__} {w.objectName() or ''} in {type(parent).__name__}"
        if not parent.rect().contains(w.geometry()):
            cut.append(f"{name}: {w.geometry()} outside {parent.rect()}")
        hint = w.minimumSizeHint()
        squeezed = w.width() < min(hint.width(), w.maximumWidth())  # a maximum is deliberate
        if hint.isValid() and w.minimumWidth() == 0 and squeezed:
            cut.append(f"{name}: {w.width()} wide, needs {hint.width()}")
    return cut


def _cut_titles(w) -> list[str]:
    """Plot titles wider than the place they have (pyqtgraph clips them: "Shape profile (dashe")."""
    cut = []
    for plots in (w.explorer.plots, w.compare.plots):
        for widget, plot in zip(plots.widgets, plots.plots, strict=True):
            item = plot.titleLabel.item
            text = item.mapRectToScene(item.boundingRect())
            if plot.titleLabel.isVisible() and (text.left() < 0 or text.right() > widget.width()):
                cut.append(f"{plot.titleLabel.text!r}: {text} in {widget.width()}")
    return cut


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_window_and_every_tab_fit_a_small_screen(make_window, qtbot, screen):
    w = make_window()
    qtbot.waitExposed(w)
    width, height = screen[0] - FRAME_MARGIN[0], screen[1] - FRAME_MARGIN[1]
    assert w.minimumSizeHint().width() <= width
    assert w.minimumSizeHint().height() <= height
    w.resize(width, height)
    w.explorer.pictures.setCurrentIndex(1)  # the charts
    for spec in (ArchSpec.from_preset("resnet18"), ArchSpec.from_preset("resnext101_64x4d"), DEEP):
        w.panel.set_spec(spec)
        assert w.spec == spec
        for tab in range(w.tabs.count()):
            w.tabs.setCurrentIndex(tab)
            QApplication.processEvents()
            assert w.size().width() == width and w.size().height() == height
            cut = _cut(w) + (_cut_titles(w) if tab < 2 else [])
            name = w.explorer.title.text()
            assert not cut, f"{name}, tab {w.tabs.tabText(tab)}: " + "\n".join(cut)


def test_the_first_launch_fits_the_screen_it_opens_on(make_window, monkeypatch):
    w = make_window()
    screen = w.screen()
    monkeypatch.setattr(screen, "availableGeometry", lambda: QRect(0, 0, 1280, 720))
    monkeypatch.setattr(w, "screen", lambda: screen)
    w.fit_screen()
    assert w.width() <= 1280 - FRAME_MARGIN[0] and w.height() <= 720 - FRAME_MARGIN[1]
    assert QRect(0, 0, 1280, 720).contains(w.geometry())


def test_a_preset_or_input_size_change_keeps_the_splitters(make_window, qtbot):
    w = make_window()
    QApplication.processEvents()
    before = (w.splitter.sizes(), w.explorer.splitter.sizes())
    w.panel.preset.setCurrentText("wide_resnet101_2")
    w.panel.input_height.setValue(512)
    w.panel.input_width.setValue(96)
    w.panel.set_spec(DEEP)
    assert w.spec == DEEP
    QApplication.processEvents()
    assert (w.splitter.sizes(), w.explorer.splitter.sizes()) == before


def test_the_spec_panel_scrolls_rather_than_clips(make_window):
    w = make_window()
    w.splitter.setSizes([10, 2000])  # the user drags the splitter as far left as it goes
    QApplication.processEvents()
    assert w.panel.width() >= w.panel.minimumSizeHint().width()
    assert w.spec_scroll.viewport().width() >= w.panel.minimumSizeHint().width()


def test_stage_names_shorten_to_fit_rather_than_overlap(qapp):
    from PySide6.QtGui import QFont, QFontMetrics

    from resnet_studio.gui.plots.stage_charts import fitting_names

    names = ["stem", "layer1", "layer2", "layer3", "layer4", "head"]
    fm = QFontMetrics(QFont())
    assert fitting_names(names, 200, QFont()) == names
    for room in (60, 40, 30, 20):
        shown = fitting_names(names, room, QFont())
        assert len(shown) == len(names)
        if shown[1] != "1":  # the shortest form is the last resort
            assert max(fm.horizontalAdvance(t) for t in shown) + 8 <= room, (room, shown)
    assert fitting_names(names, 30, QFont())[1:5] in (
        ["L1", "L2", "L3", "L4"],
        ["1", "2", "3", "4"],
    )


def _drag(handle: QWidget, dy: int) -> None:
    """Drag a splitter handle ``dy`` pixels down with the mouse (up when negative)."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent

    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    start = handle.mapToGlobal(QPointF(handle.width() / 2, handle.height() / 2))
    steps = [QPointF(start.x(), start.y() + dy * i / 4) for i in range(1, 5)]
    for kind, at, buttons in (
        (QEvent.Type.MouseButtonPress, start, left),
        *((QEvent.Type.MouseMove, p, left) for p in steps),
        (QEvent.Type.MouseButtonRelease, steps[-1], Qt.MouseButton.NoButton),
    ):
        event = QMouseEvent(kind, handle.mapFromGlobal(at), at, left, buttons, none)
        QApplication.sendEvent(handle, event)
    QApplication.processEvents()


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_layer_tree_shows_8_rows_and_its_splitter_moves_smoothly(make_window, qtbot, screen):
    w = make_window()
    w.resize(screen[0] - FRAME_MARGIN[0], screen[1] - FRAME_MARGIN[1])
    qtbot.waitExposed(w)
    QApplication.processEvents()
    tree, split = w.explorer.tree, w.explorer.splitter
    tree.expandAll()
    rows = tree.viewport().height() / tree.rowHeight(tree.model().index(0, 0))
    assert rows >= 8
    handle = split.handle(1)
    for dy in (12, -12, -20, 20):  # a little, either way: it moves, and stays
        before = split.sizes()
        _drag(handle, dy)
        assert split.sizes() == [before[0] + dy, before[1] - dy], dy
    for dy in (2000, -2000):  # as far as it goes: neither side collapses
        _drag(handle, dy)
        tree_rows = tree.viewport().height() / tree.rowHeight(tree.model().index(0, 0))
        assert tree_rows >= 2.5
        assert w.explorer.diagram.graphics.viewport().height() >= 60
        assert min(split.sizes()) > 0


def test_no_splitter_collapses_a_pane_to_nothing(make_window, qtbot):
    from PySide6.QtWidgets import QSplitter

    w = make_window()
    w.resize(1280 - FRAME_MARGIN[0], 720 - FRAME_MARGIN[1])
    qtbot.waitExposed(w)
    for tab in range(w.tabs.count()):
        w.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        for split in w.findChildren(QSplitter):
            if not split.isVisibleTo(w):
                continue
            for i in range(1, split.count()):
                for far in (0, 10_000):  # the handle dragged as far as it goes, either way
                    split.moveSplitter(far, i)
                    assert min(split.sizes()) > 0, (w.tabs.tabText(tab), split.sizes())


def test_hints_and_placeholders_are_not_cut_on_a_small_screen(make_window, qtbot):
    """At 1280×720 the diagram hint read "… ×N: u…" and the data folder's placeholder
    "default: the user cache dire…": shorter texts, the whole in their tooltips."""
    from PySide6.QtWidgets import QStyle, QStyleOptionFrame

    w = make_window()
    qtbot.waitExposed(w)
    w.resize(1280 - FRAME_MARGIN[0], 720 - FRAME_MARGIN[1])
    w.tabs.setCurrentWidget(w.explorer)
    QApplication.processEvents()
    hint = w.explorer.diagram.hint
    assert hint.fontMetrics().horizontalAdvance(hint.text()) <= hint.width()
    assert "click a box: select" in hint.toolTip()
    w.tabs.setCurrentWidget(w.train)
    QApplication.processEvents()
    box = w.train.panel.data_dir
    option = QStyleOptionFrame()
    box.initStyleOption(option)
    room = box.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, box)
    assert box.fontMetrics().horizontalAdvance(box.placeholderText()) <= room.width() - 4
    assert "the user cache directory" in box.toolTip()


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_train_panels_fields_keep_their_height_on_a_small_screen(make_window, screen):
    """The Train panel scrolls on a short screen rather than squash its rows into each other
    ("Start from" drawn 8 pixels high over the freeze row at 1280×720)."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox

    w = make_window()
    w.resize(screen[0] - FRAME_MARGIN[0], screen[1] - FRAME_MARGIN[1])
    w.tabs.setCurrentWidget(w.train)
    # a selected run's details: nine lines, as a finished run shows them
    w.train.panel.details.setText("<br>".join(["resnet20 · digits · lr 0.1 · finished"] * 9))
    QApplication.processEvents()
    fields = (QComboBox, QAbstractSpinBox, QAbstractButton)
    low = [
        f"{type(f).__name__} {f.toolTip()[:40]!r}: {f.height()} high, needs "
        f"{f.minimumSizeHint().height()}"
        for f in w.train.panel.findChildren(QWidget)
        if isinstance(f, fields) and f.isVisibleTo(w) and f.height() < f.minimumSizeHint().height()
    ]
    assert not low, "\n".join(low)

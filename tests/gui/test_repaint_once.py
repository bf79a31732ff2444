"""A change lays the Explorer's diagram out once and paints it once (issue 20: an edit
repaints within a frame)."""

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from resnet_studio import ArchSpec

HUGE = ArchSpec.from_preset("resnet20", layers=(200, 200, 200))  # narrow: 5 blocks drawn


def settle():
    for _ in range(5):
        QApplication.processEvents()


class Paints(QObject):
    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
        self.count += event.type() == QEvent.Type.Paint
        return False


def test_a_change_lays_out_and_paints_the_tree_and_diagram_once(make_window, monkeypatch):
    import resnet_studio.gui.diagram.diagram_view as view

    w = make_window()
    w.resize(1600, 1000)
    ex = w.explorer
    w.tabs.setCurrentWidget(ex)
    ex.pictures.setCurrentWidget(ex.diagram)
    w.panel.preset.setCurrentText("resnet152")
    settle()
    calls = {"diagram": 0, "paint": 0}

    def counted(name, fn):
        def call(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return call

    monkeypatch.setattr(view, "diagram", counted("diagram", view.diagram))
    monkeypatch.setattr(view, "paint_diagram", counted("paint", view.paint_diagram))
    bar = ex.diagram.graphics.horizontalScrollBar()
    tree = Paints(ex.tree.viewport())
    for change, wide in (
        (lambda: w.panel.set_spec(HUGE), False),
        (lambda: w.panel.preset.setCurrentText("resnet101"), True),  # not its base: a change
        (lambda: w.panel.stages[2][1].setValue(24), True),
    ):
        calls.update(diagram=0, paint=0)
        tree.count = 0
        change()
        settle()
        assert bar.isVisible() is wide  # resnet101 needs a scroll bar; resnet1202 does not
        assert calls == {"diagram": 1, "paint": 1}
        assert tree.count == 1  # laid out before the paint that the diagram's scene forces


class StyleChanges(QObject):
    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
        self.count += event.type() in (QEvent.Type.StyleChange, QEvent.Type.Polish)
        return False


def test_an_edit_leaves_the_build_status_style_alone_and_a_build_colours_it(make_window, qtbot):
    """Setting a style sheet on each edit had the whole Explorer page laid out and repainted."""
    from PySide6.QtGui import QColor, QPalette

    from resnet_studio.gui import theme

    w = make_window()
    status = w.explorer.build_status
    text = QPalette.ColorRole.WindowText
    w.panel.preset.setCurrentText("resnet20")
    qtbot.waitUntil(lambda: w.model is not None, timeout=20000)
    assert status.palette().color(text) == QColor(theme.OK)
    assert status.font().weight() == 600
    w.panel.preset.setCurrentText("resnet32")  # built → building: its look changes, once
    assert status.palette().color(text) != QColor(theme.OK)
    assert status.font().weight() != 600
    changes = StyleChanges(status)
    for preset in ("resnet44", "resnet56", "resnet18"):
        w.panel.preset.setCurrentText(preset)
        settle()
        assert status.text() == "building the model…"
    assert changes.count == 0

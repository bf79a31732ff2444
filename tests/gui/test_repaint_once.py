"""A change lays the Explorer's diagram out once and paints it once (issue 20: an edit
repaints within a frame)."""

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from resnet_studio import ArchSpec
from tests.gui.event_count import Events

HUGE = ArchSpec.from_preset("resnet20", layers=(200, 200, 200))  # narrow: 5 blocks drawn


def settle():
    for _ in range(5):
        QApplication.processEvents()


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
    tree = Events(ex.tree.viewport())
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


def test_an_edit_repaints_what_changed_not_the_page_around_it(make_window):
    """A label that changes its text asks for a layout, which reached the tab widgets: Qt's
    QTabWidget then repainted the whole Explorer page again after each edit. And an edit
    turned the preset's two-line note into one line, moving and repainting every field below."""
    from PySide6.QtWidgets import QGroupBox

    w = make_window()
    w.resize(1600, 1000)
    ex = w.explorer
    w.tabs.setCurrentWidget(ex)
    ex.pictures.setCurrentWidget(ex.diagram)
    w.panel.preset.setCurrentText("resnet20")  # its note takes two lines
    settle()
    note = w.panel.preset_note
    assert note.heightForWidth(note.width()) > note.fontMetrics().lineSpacing()
    unchanged = [ex.filter, ex.pictures.tabBar(), w.tabs.tabBar()]
    paints = [Events(x) for x in unchanged]
    moves = Events(w.panel.findChildren(QGroupBox)[-1], QEvent.Type.Move)
    tree = Events(ex.tree.viewport())
    w.panel.stages[2][1].setValue(w.panel.stages[2][1].value() + 1)
    settle()
    assert note.text() == "resnet20 (edited)"
    assert ex.title.text() == "resnet20 (edited)"
    assert tree.count == 1
    assert [p.count for p in paints] == [0, 0, 0]
    assert moves.count == 0


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
    changes = Events(status, QEvent.Type.StyleChange, QEvent.Type.Polish)
    for preset in ("resnet44", "resnet56", "resnet18"):
        w.panel.preset.setCurrentText(preset)
        settle()
        assert status.text() == "building the model…"
    assert changes.count == 0


def test_every_presets_note_fits_its_two_lines_at_the_panels_narrowest(make_window):
    """The note is two lines high, so that an edit moves nothing below it."""
    from resnet_studio.core.preset_table import describe_preset
    from resnet_studio.core.presets import PRESETS
    from resnet_studio.gui.explorer.spec_panel import NOTE_LINES

    w = make_window()
    w.resize(w.minimumSizeHint())
    settle()
    note = w.panel.preset_note
    lines = NOTE_LINES * note.fontMetrics().lineSpacing()
    assert note.height() == lines
    for name in PRESETS:
        note.setText(describe_preset(name))
        assert note.heightForWidth(note.width()) <= lines, name


def test_three_stages_or_four_the_fields_below_the_stages_stay_put(make_window):
    """The fourth stage row keeps its room when hidden: going from a 4-stage net to a 3-stage
    one (or back) moved every field below, and scrolled the panel, and repainted it whole."""
    from PySide6.QtWidgets import QGroupBox

    w = make_window()
    w.resize(1600, 1000)
    w.panel.preset.setCurrentText("resnet152")
    settle()
    moves = Events(w.panel.findChildren(QGroupBox)[-1], QEvent.Type.Move)
    for spec, stages in ((HUGE, 3), (ArchSpec.from_preset("resnet18"), 4)):
        w.panel.set_spec(spec)
        settle()
        assert len(w.panel.stages) == stages
        assert moves.count == 0

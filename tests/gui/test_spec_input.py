"""What the spec panel does with typed values: kept as typed, judged on the control itself."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from resnet_studio import ArchSpec
from resnet_studio.core.preset_table import describe_preset
from resnet_studio.gui.widgets.limit_spin import TYPING_PAUSE_MS


def _type(qtbot, spin, text: str, enter: bool = True) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    if enter:
        qtbot.keyClick(spin, Qt.Key.Key_Return)


def test_typing_0_as_the_height_keeps_it_and_says_the_limit_on_the_control(make_window, qtbot):
    w = make_window()
    _type(qtbot, w.panel.input_height, "0")
    assert w.panel.input_height.value() == 0  # not silently put back to 224
    assert w.panel.input_height.property("invalid") is True
    assert not w.panel.input_width.property("invalid")  # only the field that is wrong
    assert "at least 1" in w.panel.message.text()
    assert "at least 1" in w.panel.input_height.toolTip()
    assert w.explorer.stale_banner.isVisibleTo(w)
    _type(qtbot, w.panel.input_height, "96")
    assert w.spec.input_size == (96, 96)  # the square lock: the width follows a valid height
    assert w.panel.input_height.property("invalid") is False
    assert "at least 1" not in w.panel.input_height.toolTip()


def test_600_blocks_blame_that_stage_with_the_limit(make_window, qtbot):
    w = make_window()
    blocks = [s[1] for s in w.panel.stages]
    _type(qtbot, blocks[2], "600")
    assert blocks[2].value() == 600
    assert [bool(b.property("invalid")) for b in blocks] == [False, False, True, False]
    assert "at most 512" in w.panel.message.text()


def test_typed_digits_wait_for_a_pause_while_arrows_act_at_once(make_window, qtbot):
    w = make_window()
    w.panel.preset.setCurrentText("resnet50")
    before = w.spec
    _type(qtbot, w.panel.groups, "1000", enter=False)  # on the way to 100000
    assert w.spec == before and w.panel.message.text() == ""
    qtbot.keyClicks(w.panel.groups, "00")
    qtbot.wait(TYPING_PAUSE_MS // 2)
    assert w.spec == before  # still typing
    qtbot.waitUntil(lambda: w.panel.groups.property("invalid") is True, timeout=3000)
    assert w.panel.groups.value() == 100000
    assert "at most 16384" in w.panel.message.text()
    w.panel.groups.stepBy(-1)  # an arrow brings it back inside the limit, at once
    assert w.panel.groups.value() == 16384
    assert "at most 16384" not in w.panel.message.text()
    _type(qtbot, w.panel.groups, "32")
    assert w.spec.groups == 32 and w.panel.message.text() == ""
    w.panel.input_width.stepBy(1)
    assert w.spec.input_size == (224, 225)


def test_arrows_stop_at_the_limits(make_window):
    w = make_window()
    height = w.panel.input_height
    height.setValue(1)
    height.stepBy(-1)
    assert height.value() == 1
    assert not height.stepEnabled() & height.StepEnabledFlag.StepDownEnabled


def test_a_batch_size_of_0_is_a_sentence_not_a_crash(make_window, qtbot):
    w = make_window()
    _type(qtbot, w.panel.batch, "0")
    assert w.panel.batch.property("invalid") is True
    assert "Batch size is 0; it must be at least 1" in w.panel.message.text()  # its words
    _type(qtbot, w.panel.batch, "8")
    assert w.analysis.batch_size == 8 and w.panel.message.text() == ""


def test_a_long_error_wraps_and_shows_whole_in_the_tooltip(make_window):
    w = make_window()
    w.panel.preset.setCurrentText("resnext50_32x4d")
    w.panel.block.setCurrentText("basic")
    assert w.panel.message.wordWrap()
    assert w.panel.message.toolTip() == w.panel.message.text() != ""
    assert w.panel.message.width() <= w.panel.width()


def test_errors_speak_the_panels_words_and_mark_every_wrong_field(make_window, qtbot):
    w = make_window()
    before = w.spec
    blocks = [s[1] for s in w.panel.stages]
    _type(qtbot, blocks[1], "0")
    _type(qtbot, w.panel.num_classes, "0")
    text = w.panel.message.text()
    assert "layer2 blocks is 0" in text and "Classes is 0" in text  # as the panel labels them
    assert "layers[1]" not in text and "num_classes" not in text
    assert [bool(b.property("invalid")) for b in blocks] == [False, True, False, False]
    assert w.panel.num_classes.property("invalid") is True  # both wrong fields, not the first
    assert "Classes is 0" in w.panel.num_classes.toolTip()
    assert w.spec == before  # the last valid spec stays
    _type(qtbot, blocks[1], "2")  # one fixed: the other stays marked
    assert not blocks[1].property("invalid") and w.panel.num_classes.property("invalid")
    assert "layer2" not in w.panel.message.text()
    _type(qtbot, w.panel.num_classes, "10")
    assert w.spec.num_classes == 10 and w.panel.message.text() == ""


def test_an_edit_is_validated_once_and_every_view_follows_the_document(make_window, monkeypatch):
    import resnet_studio.core.spec as spec_module
    from resnet_studio import ArchSpec

    w = make_window()
    w.compare.set_entries(["resnet18", "current"])
    w.panel.num_classes.setValue(100)  # the first custom spec makes every preset's spec, once
    checks = []
    real = spec_module.check_network  # where a spec's validation looks it up
    monkeypatch.setattr(spec_module, "check_network", lambda s: checks.append(s) or real(s))
    w.panel.num_classes.setValue(10)  # one edit: one spec built and validated
    assert len(checks) == 1 and w.spec.num_classes == 10
    # the document is the one copy: set it, and the panel and every view follow
    edited = ArchSpec.from_preset("resnet34", layers=(3, 4, 7, 3))
    w.doc.set_spec(edited, "resnet34")
    assert w.panel.stages[2][1].value() == 7 and w.panel.preset.currentText() == "resnet34"
    assert w.explorer.title.text() == "resnet34 (edited)" == w.doc.label
    assert w.explorer.model.analysis.spec == edited and w.explorer.profile.spec == edited
    assert w.compare.current_spec == edited and w.compare.current_label == "resnet34 (edited)"
    assert w.train.spec == edited and w.train.spec_label == "resnet34 (edited)"
    assert w.train.base_preset == "resnet34"


def test_a_stage_removed_and_added_again_comes_back_as_a_new_one(make_window, qtbot):
    """Stage rows are hidden and kept, not remade (faster); one that comes back is as new."""
    w = make_window()
    p = w.panel
    tall = p.stage_box.sizeHint().height()
    fourth = p.stages[3]
    _type(qtbot, fourth[1], "600")  # layer4: too many blocks, tinted
    assert fourth[1].property("invalid") is True
    fourth[2].setValue(100)
    p.remove_stage.click()
    assert len(w.spec.layers) == 3 and not fourth[1].isVisibleTo(w)
    assert p.stage_box.sizeHint().height() == tall  # the fourth row keeps its room: no field moves
    p.add_stage.click()
    assert p.stages[3] is fourth  # the same widgets, shown again
    assert w.spec.layers == (2, 2, 2, 2) and w.spec.widths == (64, 128, 256, 512)
    assert fourth[1].property("invalid") is False and "at most" not in fourth[1].toolTip()
    assert p.stage_box.sizeHint().height() == tall
    p.add_stage.click()  # a new row: Qt shows its widgets on the next turn of the event loop
    assert len(w.spec.layers) == 5
    qtbot.waitUntil(lambda: p.stage_box.sizeHint().height() > tall)
    p.remove_stage.click()
    assert p.stage_box.sizeHint().height() == tall  # a hidden fifth row takes no room
    p.remove_stage.click()
    p.remove_stage.click()
    assert len(w.spec.layers) == 2
    assert p.stage_box.sizeHint().height() < tall  # nor a third: only the fourth keeps its room
    p.add_stage.click()
    p.add_stage.click()
    p.preset.setCurrentText("resnet56")  # three stages, then four
    p.preset.setCurrentText("resnet152")
    assert [s[1].value() for s in p.stages] == [3, 8, 36, 3]
    assert [s[2].value() for s in p.stages] == [64, 128, 256, 512]


def test_picking_the_shown_preset_again_undoes_the_edits(make_window, qtbot):
    """Qt's combo box says nothing when the text does not change; the pick still counts."""
    w = make_window()
    p = w.panel
    p.preset.setCurrentText("resnet50")
    p.stages[2][1].setValue(9)
    _type(qtbot, p.stages[1][1], "999")  # and a wrong field
    assert p.preset.currentText() == "resnet50" and p.errors()
    p.preset.activated.emit(p.preset.currentIndex())  # what a click on the shown item sends
    assert w.spec == ArchSpec.from_preset("resnet50") and not p.errors()
    assert p.stages[2][1].value() == 6 and p.stages[1][1].value() == 4
    assert p.preset_note.text() == describe_preset("resnet50")


def test_the_stage_buttons_keep_the_keyboard_when_one_turns_grey(make_window, qtbot):
    """At one stage "− stage" is disabled: Qt gave its focus to Groups, and the next digit
    typed replaced the groups."""
    w = make_window()
    p = w.panel
    w.activateWindow()
    p.preset.setCurrentText("resnet20")
    p.remove_stage.setFocus()
    qtbot.waitUntil(p.remove_stage.hasFocus)
    p.remove_stage.click()
    p.remove_stage.click()
    assert len(w.spec.layers) == 1 and not p.remove_stage.isEnabled()
    assert p.add_stage.hasFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)  # "+ stage", from the keyboard
    assert len(w.spec.layers) == 2 and w.spec.groups == 1

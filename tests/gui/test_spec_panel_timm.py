"""The spec panel's timm options: every preset comes back from the controls as it went in."""

from resnet_studio import ArchSpec, SpecError
from resnet_studio.core.presets import PRESETS
from resnet_studio.gui.explorer.spec_panel import SpecPanel


def test_every_preset_round_trips_through_the_controls(qtbot):
    panel = SpecPanel()
    qtbot.addWidget(panel)
    for name in PRESETS:
        panel.load_preset(name)
        assert panel.current() == ArchSpec.from_preset(name), name
    panel.load_preset("seresnet50")
    assert panel.attention.currentText() == "se" and not panel.stem_width.isEnabled()
    panel.load_preset("resnet26t")
    assert panel.stem_width.isEnabled() and panel.stem_width.value() == 32


def test_a_timm_option_that_does_not_fit_marks_its_control(qtbot):
    panel = SpecPanel()
    qtbot.addWidget(panel)
    panel.load_preset("resnetv2_50")
    panel.attention.setCurrentText("eca")  # pre-activation blocks take no attention
    error = panel.current()
    assert isinstance(error, SpecError) and error.field == "attention"
    panel.mark_invalid(error)
    assert panel.attention.property("invalid") and "pre-activation" in panel.message.text()
    panel.preact.setChecked(False)
    spec = panel.current()
    assert isinstance(spec, ArchSpec) and spec.attention == "eca" and not spec.preact


def test_the_square_lock_follows_each_spec_and_the_height(qtbot):
    panel = SpecPanel()
    qtbot.addWidget(panel)
    panel.load_preset("resnet50")
    assert panel.square.isChecked()  # a square preset locks
    with qtbot.waitSignal(panel.changed):
        panel.input_height.setValue(160)
    assert panel.current().input_size == (160, 160)
    panel.input_width.setValue(128)  # a different width: the lock goes off
    assert not panel.square.isChecked() and panel.current().input_size == (160, 128)
    panel.input_height.setValue(96)
    assert panel.current().input_size == (96, 128)
    panel.square.setChecked(True)  # locking makes it square at the height
    assert panel.current().input_size == (96, 96)
    panel.set_spec(ArchSpec.from_preset("resnet18", input_size=(64, 48)))
    assert not panel.square.isChecked()  # a non-square spec unlocks
    panel.load_preset("resnetblur50")
    assert panel.square.isChecked() and panel.current() == ArchSpec.from_preset("resnetblur50")


def test_a_new_stem_brings_its_own_pool_unless_one_was_chosen(qtbot):
    panel = SpecPanel()
    qtbot.addWidget(panel)
    panel.load_preset("cifar_resnet18")
    assert panel.stem_pool.currentText() == "none"
    panel.stem.setCurrentText("imagenet")
    assert panel.current().stem_pool == "max"
    panel.stem_pool.setCurrentText("conv")
    panel.stem.setCurrentText("deep")
    spec = panel.current()
    assert isinstance(spec, ArchSpec) and (spec.stem, spec.stem_pool) == ("deep", "conv")
    panel.preact.setChecked(True)  # timm's resnetv2 has no conv stem pool
    error = panel.current()
    assert isinstance(error, SpecError) and error.field == "stem_pool"
    panel.mark_invalid(error)
    assert panel.stem_pool.property("invalid") and "pre-activation" in panel.message.text()
    panel.aa.setCurrentText("blur")
    assert "blur" in panel.aa.toolTip()


def test_drop_block_rate_is_a_training_only_control(qtbot):
    panel = SpecPanel()
    qtbot.addWidget(panel)
    panel.load_preset("resnet50d")
    panel.drop_block_rate.setValue(0.1)
    spec = panel.current()
    assert isinstance(spec, ArchSpec) and spec.drop_block_rate == 0.1
    assert "training only" in panel.drop_block_rate.toolTip()
    panel.load_preset("resnetv2_50d")
    panel.drop_block_rate.setValue(0.1)  # timm's resnetv2 has no DropBlock
    error = panel.current()
    assert isinstance(error, SpecError) and error.field == "drop_block_rate"


def test_too_many_groups_marks_groups_not_the_widths(qtbot):
    panel = SpecPanel()
    qtbot.addWidget(panel)
    panel.load_preset("resnet50")
    panel.groups.setValue(16384)
    error = panel.current()
    assert isinstance(error, SpecError) and error.field == "groups"
    panel.mark_invalid(error)
    assert panel.groups.property("invalid")
    assert not any(s[2].property("invalid") for s in panel.stages)
    assert "fewer groups" in panel.message.text()

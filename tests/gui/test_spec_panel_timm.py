"""The spec panel's timm options: every preset comes back from the controls as it went in."""

from resnet_studio import ArchSpec, SpecError
from resnet_studio.core.presets import PRESETS
from resnet_studio.gui.spec_panel import SpecPanel


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

"""timm's presets, held to ``timm.create_model(name, pretrained=False)`` itself: parameters
exactly, MACs within 0.5% of torchinfo's mult-adds, the stages' shapes of a real forward pass,
timm's default input size, and timm's state_dict loading strictly with equal outputs."""

from functools import cache

import pytest
import torch

from resnet_studio import ArchSpec, analyze
from resnet_studio.core.builder import build_model
from resnet_studio.core.presets import preset_family

timm = pytest.importorskip("timm")
torchinfo = pytest.importorskip("torchinfo")

SMALL = 64  # MACs, shapes and outputs at a small input (the arithmetic does not depend on it)
# built fully here: one of each recipe (test_timm_family.py holds every preset's parameters)
REPRESENTATIVE = (
    "resnet10t",
    "resnet18d",
    "resnet26",
    "resnet26d",
    "resnet26t",
    "resnet34d",
    "resnet50d",
    "resnet50t",
    "seresnet18",
    "seresnet50",
    "seresnext50_32x4d",
    "ecaresnet50d",
    "resnetaa50d",
    "resnetblur50",
    "resnetv2_50",
    "resnetv2_50d",
    "resnet50c",
    "resnet50s",
    "resnetblur18",
    "resnetv2_18d",
    "ecaresnext26t_32x4d",
)


@cache
def timm_model(name: str) -> torch.nn.Module:
    torch.manual_seed(0)
    return timm.create_model(name, pretrained=False).eval()  # never downloads weights


@pytest.mark.parametrize("name", REPRESENTATIVE)
def test_timm_preset_parameters_and_input_size_equal_timm(name):
    theirs = timm_model(name)
    spec = ArchSpec.from_preset(name)
    assert preset_family(name) == "timm"
    assert analyze(spec).totals.params == sum(p.numel() for p in theirs.parameters())
    assert (spec.in_channels, *spec.input_size) == theirs.pretrained_cfg["input_size"]
    assert spec.num_classes == theirs.num_classes


@pytest.mark.parametrize("name", REPRESENTATIVE)
def test_timm_preset_macs_and_stage_shapes_equal_a_forward_pass(name):
    theirs = timm_model(name)
    a = analyze(ArchSpec.from_preset(name, input_size=SMALL))
    size = (1, 3, SMALL, SMALL)
    macs = torchinfo.summary(theirs, input_size=size, verbose=0).total_mult_adds
    assert abs(a.totals.macs - macs) <= 0.005 * macs, (a.totals.macs, macs)
    seen: dict[str, list[int]] = {}
    stage_modules = {"stem": "maxpool", "head": "fc"}
    if name.startswith("resnetv2"):
        stage_modules = {"stem": "stem", "head": "head"}
        stage_modules.update({f"layer{i + 1}": f"stages.{i}" for i in range(4)})
    hooks = [
        theirs.get_submodule(stage_modules.get(s.name, s.name)).register_forward_hook(
            lambda _m, _i, out, key=s.name: seen.__setitem__(key, list(out.shape[1:]))
        )
        for s in a.stages
    ]
    try:
        with torch.no_grad():
            theirs(torch.randn(size))
    finally:
        for h in hooks:
            h.remove()
    assert seen == {s.name: list(s.out_shape) for s in a.stages}


def test_preact_basic_blocks_equal_timm_resnetv2_18():
    """No preset, but the same arithmetic: timm's pre-activation basic blocks."""
    theirs = timm_model("resnetv2_18")
    a = analyze(ArchSpec(block="basic", preact=True, input_size=SMALL))
    assert a.totals.params == sum(p.numel() for p in theirs.parameters())
    macs = torchinfo.summary(theirs, input_size=(1, 3, SMALL, SMALL), verbose=0).total_mult_adds
    assert abs(a.totals.macs - macs) <= 0.005 * macs


# timm's resnetv2 names its modules its own way (stages.0.blocks.0.norm1); the rest load
SAME_NAMES = [n for n in REPRESENTATIVE if not ArchSpec.from_preset(n).preact]


@pytest.mark.parametrize("name", SAME_NAMES)
def test_timm_weights_load_strictly_and_give_timm_outputs(name):
    theirs = timm_model(name)
    ours = build_model(ArchSpec.from_preset(name, input_size=SMALL)).eval()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, 3, SMALL, SMALL)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), atol=1e-4, rtol=1e-4)

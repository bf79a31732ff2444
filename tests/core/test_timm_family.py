"""timm's whole ResNet family, enumerated from ``timm.list_models``: every architecture the spec
can express is a preset under timm's name, held to timm's parameter count (timm's model built on
the meta device, ours by arithmetic) and timm's default input size; the names left out are
listed here with the reason the spec cannot build them. tests/core/test_timm.py builds a
representative few fully (MACs, shapes, strict state_dict loading, equal outputs)."""

import pytest
import torch

from resnet_studio import ArchSpec, analyze
from resnet_studio.core.presets import PRESETS, TIMM_PRESETS

timm = pytest.importorskip("timm")

NOT_EXPRESSIBLE = {
    "ecaresnet50d_pruned": "pruned: every block has widths of its own",
    "ecaresnet101d_pruned": "pruned: every block has widths of its own",
    "ecaresnetlight": "a 7×7 stem 32 wide (the spec's stem width is for deep stems)",
    "resnet50_gn": "GroupNorm instead of BatchNorm",
    "resnetrs50": "ResNet-RS: SE blocks reducing 4× and a conv stem pool of its own",
    "resnetrs101": "ResNet-RS: SE blocks reducing 4× and a conv stem pool of its own",
    "resnetrs152": "ResNet-RS: SE blocks reducing 4× and a conv stem pool of its own",
    "resnetrs200": "ResNet-RS: SE blocks reducing 4× and a conv stem pool of its own",
    "resnetrs270": "ResNet-RS: SE blocks reducing 4× and a conv stem pool of its own",
    "resnetrs350": "ResNet-RS: SE blocks reducing 4× and a conv stem pool of its own",
    "resnetrs420": "ResNet-RS: SE blocks reducing 4× and a conv stem pool of its own",
    "senet154": "SENet-154: its own stem, 3×3 downsampling shortcuts and block widths",
    "test_resnet": "timm's test model: stage widths of its own",
    "resnetv2_50d_evos": "EvoNorm instead of BatchNorm",
    "resnetv2_50d_frn": "FilterResponseNorm instead of BatchNorm",
    "resnetv2_50d_gn": "GroupNorm instead of BatchNorm",
    "resnetv2_50x1_bit": "BiT: weight-standardised convolutions and GroupNorm",
    "resnetv2_50x3_bit": "BiT: weight-standardised convolutions and GroupNorm",
    "resnetv2_101x1_bit": "BiT: weight-standardised convolutions and GroupNorm",
    "resnetv2_101x3_bit": "BiT: weight-standardised convolutions and GroupNorm",
    "resnetv2_152x2_bit": "BiT: weight-standardised convolutions and GroupNorm",
    "resnetv2_152x4_bit": "BiT: weight-standardised convolutions and GroupNorm",
}
FAMILY = timm.list_models(module="resnet") + timm.list_models(module="resnetv2")
TORCHVISION_NAMES = {
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "wide_resnet50_2",
    "wide_resnet101_2",
    "resnext50_32x4d",
    "resnext101_32x8d",
    "resnext101_64x4d",
}


def test_every_timm_resnet_the_spec_can_express_is_a_preset():
    missing = sorted(n for n in FAMILY if n not in PRESETS)
    assert missing == sorted(NOT_EXPRESSIBLE), set(missing) ^ set(NOT_EXPRESSIBLE)
    assert set(TIMM_PRESETS) <= set(FAMILY)


def _recipe(name: str) -> dict:
    """A preset's fields but its depth, widths, stem width and input size: what its siblings
    share (resnet50s holds a 64-wide deep stem to timm, resnet50d a 32-wide one)."""
    f = dict(PRESETS[name][1])
    for k in ("layers", "input_size", "groups", "width_per_group", "stem_width"):
        f.pop(k, None)
    return f


LARGE = 30_000_000  # timm's builds (even on the meta device) take seconds above this
PRESET_FAMILY = [n for n in FAMILY if n in PRESETS]
BUILT = [n for n in PRESET_FAMILY if analyze(ArchSpec.from_preset(n)).totals.params < LARGE]


@pytest.mark.parametrize("name", BUILT)
def test_each_preset_of_the_family_has_timms_parameters_and_input_size(name):
    with torch.device("meta"):  # no memory, no initialisation: only the shapes
        theirs = timm.create_model(name, pretrained=False)
    spec = ArchSpec.from_preset(name)
    assert analyze(spec).totals.params == sum(p.numel() for p in theirs.parameters())
    if name not in TORCHVISION_NAMES:  # torchvision's presets keep torchvision's 224
        assert (spec.in_channels, *spec.input_size) == theirs.pretrained_cfg["input_size"]


@pytest.mark.parametrize("name", sorted(set(PRESET_FAMILY) - set(BUILT)))
def test_a_large_preset_is_a_deeper_sibling_of_one_held_to_timm(name):
    """Same blocks, stem, shortcut, attention and anti-aliasing as a preset built above; only
    the depth, the groups and widths (and timm's input size) differ, which tests/core's
    arithmetic tests hold against built modules for any values."""
    assert any(_recipe(name) == _recipe(small) for small in BUILT), name
    side = timm.get_pretrained_cfg(name)
    if side is not None and name not in TORCHVISION_NAMES:
        assert ArchSpec.from_preset(name).input_size[0] == side.input_size[-1]

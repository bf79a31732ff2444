"""The diagram of timm's variants: the kinds the painter knows, a deep stem's three convs, the
ResNet-D shortcut's pool and the anti-aliasing pools as boxes of their own."""

import pytest

from resnet_studio import ArchSpec, analyze
from resnet_studio.core.diagram import diagram
from resnet_studio.core.presets import TIMM_PRESETS

TENSOR_KINDS = {"input", "Conv2d", "MaxPool2d", "pool", "AdaptiveAvgPool2d", "Linear"}
SHORTCUT_KINDS = {
    "identity",
    "conv_bn",
    "conv",
    "pad",
}  # as diagram_paint.py styles them


@pytest.mark.parametrize("name", TIMM_PRESETS)
def test_timm_presets_draw_with_known_kinds(name):
    row = diagram([(name, analyze(ArchSpec.from_preset(name)))], expand_all=True).rows[0]
    assert {t.kind for t in row.tensors} <= TENSOR_KINDS
    assert {s.kind for s in row.shortcuts} <= SHORTCUT_KINDS


def test_deep_stem_avg_down_and_anti_aliasing_show_as_such():
    row = diagram([("x", analyze(ArchSpec.from_preset("resnetaa50d")))]).rows[0]
    stem = [t.text for t in row.tensors if t.section == "stem"][1:]  # after the input
    assert stem == ["3×3, 32, /2", "3×3, 32", "3×3, 64", "avg 2×2, /2"]
    assert [t.text for t in row.tensors if t.name == "layer2.0.aa"] == ["avg 2×2, /2"]
    texts = {s.name: s.text for s in row.shortcuts}
    assert texts["layer1.0.downsample"] == "1×1, 256"  # no stride: no pool
    assert texts["layer2.0.downsample"] == "avg /2, 1×1, 512"


def test_blur_pools_conv_stem_pools_and_preact_avg_down_show_as_such():
    row = diagram([("x", analyze(ArchSpec.from_preset("resnetblur50")))]).rows[0]
    stem = [t.text for t in row.tensors if t.section == "stem"][1:]
    assert stem == ["7×7, 64, /2", "max 3×3, /1", "blur 3×3, /2"]
    assert [t.text for t in row.tensors if t.name == "layer3.0.aa"] == ["blur 3×3, /2"]
    spec = ArchSpec.from_preset("resnet50d", stem_pool="conv", drop_block_rate=0.1)
    row = diagram([("x", analyze(spec))]).rows[0]
    assert [t.text for t in row.tensors if t.section == "stem"][-1] == "3×3, 64, /2"
    row = diagram([("x", analyze(ArchSpec.from_preset("resnetv2_50d")))]).rows[0]
    texts = {s.name: (s.kind, s.text) for s in row.shortcuts}
    assert texts["layer2.0.downsample"] == ("conv", "avg /2, 1×1, 512")  # no BN in v2

"""The spec: presets, JSON round-trips and one clear sentence for every invalid input."""

import json

import pytest
from hypothesis import given, settings

from resnet_studio import ArchSpec, SpecError, analyze
from resnet_studio.core.analysis import MAX_PARAMS
from resnet_studio.core.presets import preset_of

from .helpers import specs


def _one_sentence(err: SpecError) -> str:
    text = str(err)
    assert "\n" not in text and text.count(". ") == 0, text
    assert text.endswith((".", "?")), text
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize(
    "kwargs,field,words",
    [
        (dict(groups=2), "groups", ["basic block", "groups=2", "bottleneck"]),
        (dict(width_per_group=32), "width_per_group", ["basic block", "width_per_group=32"]),
        (
            dict(block="bottleneck", widths=(64, 100, 256, 512), width_per_group=4),
            "width_per_group",
            ["layer2", "100", "6.25"],
        ),
        (dict(layers=()), "layers", ["0 stages", "1 to 6"]),
        (dict(layers=(2, 0, 2)), "layers", ["layers[1] is 0", "at least 1"]),
        (dict(layers=(2, -1)), "layers", ["layers[1] is -1"]),
        (dict(layers=(2, 2.5)), "layers", ["whole number", "2.5"]),
        (dict(layers=(1,) * 7), "layers", ["7 stages"]),
        (dict(widths=(64, 128)), "widths", ["2 entries", "4 stages"]),
        (dict(in_channels=0), "in_channels", ["in_channels is 0"]),
        (dict(num_classes=-3), "num_classes", ["num_classes is -3"]),
        (dict(input_size=0), "input_size", ["height is 0"]),
        (dict(input_size=(32, "x")), "input_size", ["whole number"]),
        (dict(input_size="12y5"), "input_size", ["224x160"]),
        (dict(block="botleneck"), "block", ["'botleneck'", "did you mean 'bottleneck'"]),
        (dict(stem="imagnet"), "stem", ["did you mean 'imagenet'"]),
        (dict(shortcut="identity"), "shortcut", ["conv_bn", "pad"]),
        (
            dict(shortcut="pad", widths=(64, 32, 128, 256)),
            "shortcut",
            ["shrink", "layer2", "64", "32"],
        ),
        (
            dict(block="basic", replace_stride_with_dilation=(False, True, True)),
            "replace_stride_with_dilation",
            ["basic block", "dilation"],
        ),
        (dict(replace_stride_with_dilation=(True,)), "replace_stride_with_dilation", ["1 entry;"]),
        (dict(conv_bias="yes"), "conv_bias", ["true or false"]),
        (
            dict(block="bottleneck", layers=(3, 4, 60, 30), widths=(64, 128, 256, 8192)),
            "widths",
            ["billion parameters", "GB of float32 weights", "fewer blocks"],
        ),
    ],
)
def test_invalid_specs_raise_one_sentence(kwargs, field, words):
    with pytest.raises(SpecError) as info:
        ArchSpec(**kwargs)
    assert info.value.field == field
    text = _one_sentence(info.value)
    for w in words:
        assert w in text, (w, text)


def test_weight_limit_states_the_size():
    with pytest.raises(SpecError) as info:
        ArchSpec(block="bottleneck", widths=(64, 128, 256, 4096), layers=(3, 4, 6, 30))
    params = float(str(info.value).split(" billion")[0].split()[-1]) * 1e9
    assert params > MAX_PARAMS


def test_unknown_preset_names_the_closest():
    with pytest.raises(SpecError) as info:
        ArchSpec.from_preset("resnet-50")
    assert "'resnet50'" in _one_sentence(info.value)
    assert info.value.field == "preset"


def test_unknown_override_names_the_closest_field():
    with pytest.raises(SpecError) as info:
        ArchSpec.from_preset("resnet18", width=3)
    assert "did you mean 'widths'" in str(info.value)


def test_presets_and_depth():
    # and timm's (issue 14), and the rest of timm's family that the spec can express (issue 21)
    assert len(ArchSpec.presets()) == 19 + 18 + 51
    depth = {n: ArchSpec.from_preset(n).depth for n in ArchSpec.presets()}
    assert depth["resnet50"] == 50 and depth["resnet152"] == 152 and depth["resnet18"] == 18
    assert depth["resnet110"] == 110 and depth["d2l_resnet18"] == 18
    assert depth["wide_resnet101_2"] == 101


def test_overrides_replace_preset_values():
    s = ArchSpec.from_preset("resnet56", widths=(32, 64, 128), input_size="40x24")
    assert s.widths == (32, 64, 128) and s.input_size == (40, 24) and s.shortcut == "pad"
    five = ArchSpec.from_preset("resnet50", layers="3,4,6,3,2")
    assert five.widths == (64, 128, 256, 512, 1024)
    assert five.replace_stride_with_dilation == (False,) * 4
    two = ArchSpec.from_preset("resnet20", layers=(2, 2))
    assert two.widths == (16, 32)


def test_input_size_int_is_stored_as_a_pair():
    assert ArchSpec(input_size=96).input_size == (96, 96)
    assert ArchSpec(input_size=[64, 48]).input_size == (64, 48)


def test_preset_of_recognises_presets_and_custom_specs():
    assert preset_of(ArchSpec.from_preset("resnext50_32x4d")) == "resnext50_32x4d"
    assert preset_of(ArchSpec.from_preset("resnet50", num_classes=10)) is None


@settings(max_examples=30, deadline=None)
@given(specs())
def test_json_round_trip(spec):
    text = spec.to_json()
    assert ArchSpec.from_json(text) == spec
    assert json.loads(text)["input_size"] == list(spec.input_size)


def test_bad_json_is_one_sentence():
    for text in ["{", "[1, 2]", '{"layers": [2, 2], "colour": 3}']:
        with pytest.raises(SpecError) as info:
            ArchSpec.from_json(text)
        _one_sentence(info.value)


def test_analysis_refuses_bad_batch_and_dtype():
    spec = ArchSpec()
    for kwargs in (dict(batch_size=0), dict(batch_size=2.5), dict(dtype="float8")):
        with pytest.raises(SpecError):
            analyze(spec, **kwargs)


@pytest.mark.parametrize(
    "overrides,field,words",
    [
        (dict(groups=16384), "groups", ["billion parameters", "fewer groups"]),
        (dict(width_per_group=16384), "width_per_group", ["smaller width_per_group"]),
        (dict(groups=64, width_per_group=1024), "groups", ["fewer groups or a smaller"]),
        (dict(num_classes=1_000_000), "num_classes", ["fewer classes"]),
        (dict(layers=(3, 4, 6, 300)), "layers", ["fewer blocks"]),
        (dict(widths=(64, 128, 256, 16384)), "widths", ["narrower stages"]),
    ],
)
def test_too_many_parameters_blames_the_field_that_causes_it(overrides, field, words):
    with pytest.raises(SpecError) as info:
        ArchSpec.from_preset("resnet50", **overrides)
    assert info.value.field == field, str(info.value)
    for name in set(ArchSpec.from_preset("resnet50").to_dict()) - {field}:
        assert f"use {name}" not in str(info.value)
    text = _one_sentence(info.value)
    assert all(w in text for w in words), text
    # the blamed field's default alone makes the network fit
    default = {"groups": 1, "width_per_group": 64, "num_classes": 1000, "widths": None}
    if field in default:
        fixed = {**overrides, field: default[field]}
        if field == "groups":
            fixed["width_per_group"] = 64
        ArchSpec.from_preset("resnet50", **fixed)


def test_naming_a_custom_spec_makes_no_preset_spec():
    """The first custom edit named its spec by making (validating, analysing) all 88 presets'
    specs: 60-110 ms at once. Only the presets of the same blocks per stage are made now."""
    from resnet_studio.core.presets import preset_spec, spec_label

    preset_spec.cache_clear()
    spec = ArchSpec.from_preset("resnet152", layers=(3, 8, 37, 3))
    assert spec_label(spec) == "custom"
    assert spec_label(spec, "resnet152") == "resnet152 (edited)"
    assert preset_spec.cache_info().currsize == 0


def test_a_preset_and_its_edits_are_named_as_by_comparing_every_preset():
    from resnet_studio.core.presets import PRESETS, closest_preset, preset_of, preset_spec

    shape = ("block", "layers", "widths", "groups", "width_per_group", "stem", "shortcut")
    shape += ("stem_width", "attention", "aa", "stem_pool", "preact")
    made = {n: preset_spec(n) for n in PRESETS}
    for spec in made.values():
        assert preset_of(spec) == next(n for n, s in made.items() if s == spec)
        edited = spec.replace(num_classes=7)
        assert preset_of(edited) is None
        key = [getattr(spec, f) for f in shape]
        assert closest_preset(edited) == next(
            n for n, s in made.items() if [getattr(s, f) for f in shape] == key
        )

"""timm's options (deep stems, avg_down, SE/ECA, anti-aliasing, drop path): validation, JSON,
old specs, and random combinations held against a timm ResNet built with the same arguments."""

import json

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from resnet_studio import ArchSpec, SpecError, analyze
from resnet_studio.core.builder import build_model

from .helpers import hooked_shapes

timm = pytest.importorskip("timm")
torchinfo = pytest.importorskip("torchinfo")


@pytest.mark.parametrize(
    "kwargs,field,words",
    [
        (dict(stem="deepp"), "stem", ["did you mean 'deep'"]),
        (dict(stem_width=32), "stem_width", ["only to the deep stems", "'imagenet'"]),
        (dict(stem="deep", stem_width=0), "stem_width", ["stem_width is 0", "at least 1"]),
        (dict(stem="deep_tiered", stem_width=3), "stem_width", ["at least 4"]),
        (dict(attention="sse"), "attention", ["'sse'", "did you mean 'se'"]),
        (dict(aa="blurr"), "aa", ["'blurr'", "did you mean 'blur'"]),
        (dict(stem_pool="maxx"), "stem_pool", ["'maxx'", "did you mean 'max'"]),
        (dict(preact=True, stem_pool="conv"), "stem_pool", ["pre-activation", "'conv'"]),
        (dict(drop_block_rate=1), "drop_block_rate", ["below 1"]),
        (dict(preact=True, drop_block_rate=0.1), "drop_block_rate", ["pre-activation"]),
        (dict(drop_path_rate=1.0), "drop_path_rate", ["is 1.0", "below 1"]),
        (dict(drop_rate=-0.1), "drop_rate", ["at least 0"]),
        (dict(drop_rate="a lot"), "drop_rate", ["number from 0 to 1"]),
        (
            dict(
                block="bottleneck",
                shortcut="avg_down",
                replace_stride_with_dilation=(False, False, True),
            ),
            "shortcut",
            ["'avg_down' does not support dilation"],
        ),
        (
            dict(block="bottleneck", aa="avg", replace_stride_with_dilation=(False, True, True)),
            "aa",
            ["dilation"],
        ),
    ],
)
def test_invalid_timm_options_raise_one_sentence(kwargs, field, words):
    with pytest.raises(SpecError) as info:
        ArchSpec(**kwargs)
    assert info.value.field == field
    text = str(info.value)
    assert "\n" not in text and text.endswith((".", "?"))
    for w in words:
        assert w in text, (w, text)


def test_defaults_leave_old_specs_as_they_were():
    old = ArchSpec.from_preset("resnet50").to_dict()
    keys = ("stem_width", "attention", "aa", "drop_path_rate", "drop_rate", "stem_pool")
    for key in (*keys, "drop_block_rate"):
        del old[key]  # a spec saved before these options existed
    assert ArchSpec.from_dict(json.loads(json.dumps(old))) == ArchSpec.from_preset("resnet50")


def test_timm_options_round_trip_through_json():
    spec = ArchSpec(
        block="bottleneck",
        stem="deep_tiered",
        shortcut="avg_down",
        attention="eca",
        aa="avg",
        drop_path_rate=0.05,
        drop_rate=0.25,
        input_size=64,
    )
    assert spec.stem_width == 32 and spec.stem_channels == 64
    assert ArchSpec.from_json(spec.to_json()) == spec


def test_a_deep_preset_with_another_stem_drops_its_stem_width():
    spec = ArchSpec.from_preset("resnet50", stem="deep", stem_width=64)
    assert ArchSpec(**{**spec.to_dict(), "stem": "deep"}).stem_channels == 128
    assert spec.replace(stem="imagenet", stem_width=None).stem_channels == 64


def test_training_only_options_add_no_parameters():
    plain = analyze(ArchSpec(block="bottleneck", input_size=64)).totals
    dropped = analyze(
        ArchSpec(block="bottleneck", input_size=64, drop_path_rate=0.2, drop_rate=0.5)
    )
    assert dropped.totals.params == plain.params and dropped.totals.macs == plain.macs
    rates = [r.node.rate for r in dropped.rows if r.kind == "DropPath"]  # the first block: 0
    assert len(rates) == 7 and rates[0] == pytest.approx(0.2 / 7) and rates[-1] == 0.2
    assert dropped.by_name["dropout"].section == "head"
    assert dropped.training_only == (
        "Training only: drop path in 7 blocks, rising to 0.2 (stochastic depth, timm's linear "
        "rule); dropout 0.5 before fc."
    )
    assert analyze(ArchSpec()).training_only == ""
    assert dropped.to_dict()["training_only"]["drop_path"]["layer4.1.drop_path"] == 0.2


def test_anti_aliasing_at_an_odd_side_says_which_block_breaks():
    with pytest.raises(SpecError) as info:
        ArchSpec(aa="avg", input_size=200)  # layer3.0: 25×25 pooled to 12×12, strided to 13×13
    assert info.value.field == "input_size"
    assert "anti-aliasing" in str(info.value) and "divide by 32" in str(info.value)


@pytest.mark.parametrize(
    "kwargs,field",
    [
        (dict(stem_pool="conv"), "stem_pool"),
        (dict(attention="se"), "attention"),
        (dict(aa="avg"), "aa"),
        (dict(aa="blur"), "aa"),
        (dict(preact="yes"), "preact"),
    ],
)
def test_preact_refuses_what_timm_resnetv2_does_not_do(kwargs, field):
    with pytest.raises(SpecError) as info:
        ArchSpec(block="bottleneck", **{"preact": True, **kwargs})
    assert info.value.field == field and "\n" not in str(info.value)


@settings(max_examples=10, deadline=None)
@given(
    st.sampled_from(["basic", "bottleneck"]),
    st.sampled_from(["imagenet", "cifar"]),
    st.sampled_from(["conv_bn", "conv", "pad"]),
    st.integers(17, 70),
)
def test_preact_blocks_agree_with_a_forward_pass(block, stem, shortcut, side):
    spec = ArchSpec(
        block=block,
        layers=(1, 2, 1),
        widths=(8, 16, 32),
        stem=stem,
        shortcut=shortcut,
        preact=True,
        drop_path_rate=0.1,
        input_size=side,
    )
    a = analyze(spec)
    model = build_model(spec)
    seen = hooked_shapes(model, torch.randn(1, 3, side, side))
    assert [r.name for r in a.rows] == [n for n, _ in model.named_modules()]
    for row in a.rows:
        assert seen[row.name][1:] == list(row.out_shape), row.name
        assert row.params == sum(p.numel() for p in model.get_submodule(row.name).parameters())


def _timm_model(spec: ArchSpec) -> torch.nn.Module:
    """timm's ResNet with the same arguments as ``spec``."""
    r = timm.models.resnet
    block_args = {"attn_layer": spec.attention} if spec.attention != "none" else {}
    aa = {"none": None, "avg": torch.nn.AvgPool2d, "blur": timm.layers.BlurPool2d}[spec.aa]
    model = r.ResNet(
        block=r.BasicBlock if spec.block == "basic" else r.Bottleneck,
        layers=spec.layers,
        channels=spec.widths,
        num_classes=spec.num_classes,
        in_chans=spec.in_channels,
        cardinality=spec.groups,
        base_width=spec.width_per_group,
        stem_type="" if spec.stem == "imagenet" else spec.stem,
        stem_width=spec.stem_width or 64,
        avg_down=spec.shortcut == "avg_down",
        aa_layer=aa,
        replace_stem_pool=spec.stem_pool == "conv",
        drop_block_rate=spec.drop_block_rate,
        block_args=block_args,
    )
    if spec.stem_pool == "none":  # timm has no option for it: people replace the pool
        model.maxpool = torch.nn.Identity()
    return model


@st.composite
def timm_specs(draw: st.DrawFn) -> ArchSpec:
    """Small random specs that timm's ResNet can also build: its 7×7 stem is 64 wide, and its
    drop-path rule needs two blocks or more."""
    block = draw(st.sampled_from(["basic", "bottleneck"]))
    stem = draw(st.sampled_from(["imagenet", "deep", "deep_tiered"]))
    n = 4  # timm's forward names layer1 to layer4
    widths = draw(st.lists(st.sampled_from([16, 32, 64]), min_size=n, max_size=n))
    if stem == "imagenet":
        widths[0] = 64
    aa = draw(st.sampled_from(["none", "avg", "blur"]))
    if aa == "avg":  # its pool floors odd sides, so the input must halve evenly (see below)
        size = (32 * draw(st.integers(1, 3)), 32 * draw(st.integers(1, 3)))
    else:
        size = (draw(st.integers(33, 90)), draw(st.integers(33, 90)))
    return ArchSpec(
        block=block,
        layers=tuple(draw(st.lists(st.integers(1, 2), min_size=n, max_size=n))),
        widths=tuple(widths),
        groups=draw(st.sampled_from([1, 2, 4])) if block == "bottleneck" else 1,
        width_per_group=64,
        stem=stem,
        stem_width=draw(st.sampled_from([8, 16, 32])) if stem != "imagenet" else None,
        shortcut=draw(st.sampled_from(["conv_bn", "avg_down"])),
        attention=draw(st.sampled_from(["none", "se", "eca"])),
        aa=aa,
        stem_pool=draw(st.sampled_from(["max", "conv", "none"])),
        in_channels=draw(st.integers(1, 3)),
        input_size=size,
        num_classes=draw(st.integers(1, 12)),
        drop_path_rate=draw(st.sampled_from([0.0, 0.1])),
        drop_block_rate=draw(st.sampled_from([0.0, 0.1])),
    )


@settings(max_examples=20, deadline=None)
@given(timm_specs())
def test_random_timm_options_equal_timm_and_a_forward_pass(spec):
    a = analyze(spec)
    ours = build_model(spec)
    theirs = _timm_model(spec)
    # the same parameters under the same names: timm's weights load strictly
    ours.load_state_dict(theirs.state_dict(), strict=True)
    assert a.totals.params == sum(p.numel() for p in theirs.parameters())
    size = (1, spec.in_channels, *spec.input_size)
    macs = torchinfo.summary(theirs, input_size=size, verbose=0).total_mult_adds
    assert abs(a.totals.macs - macs) <= 0.005 * macs
    x = torch.randn(size)
    seen = hooked_shapes(ours, x)
    for row in a.layers:
        if row.kind not in ("Conv1d",):  # ECA's conv sees (N, 1, C); checked via its block
            assert seen[row.name][1:] == list(row.out_shape), row.name
    theirs.eval()
    with torch.no_grad():
        assert torch.allclose(ours(x), theirs(x), atol=1e-4)


def test_drop_path_drops_whole_samples_in_training_only():
    spec = ArchSpec(block="basic", layers=(1, 1), widths=(8, 8), drop_path_rate=0.5, input_size=8)
    model = build_model(spec)
    drop = model.get_submodule("layer2.0.drop_path")
    x = torch.ones(400, 3, 2, 2)
    torch.manual_seed(0)
    y = drop.train()(x)
    kept = (y.flatten(1) != 0).all(1)
    assert ((y.flatten(1) == 0).all(1) | kept).all()  # a sample is dropped whole, or kept
    assert 120 < int(kept.sum()) < 280 and torch.allclose(y[kept], torch.full_like(y[kept], 2.0))
    assert torch.equal(drop.eval()(x), x)
    model.train()(torch.randn(2, 3, 8, 8)).sum().backward()  # trains with the drops in place


def _randomise(model: torch.nn.Module) -> None:
    """Random weights and statistics, so that equal outputs mean something."""
    torch.manual_seed(1)
    with torch.no_grad():
        for t in model.state_dict().values():
            if t.is_floating_point():
                t.copy_(torch.rand_like(t) + 0.5)


@pytest.mark.parametrize(
    "block,stem,aa,stem_pool",
    [
        ("bottleneck", "imagenet", "blur", "max"),  # timm's resnetblur50, small
        ("basic", "deep", "blur", "conv"),
        ("bottleneck", "deep_tiered", "avg", "conv"),
        ("basic", "imagenet", "none", "conv"),  # timm's replace_stem_pool
        ("bottleneck", "deep", "blur", "none"),
    ],
)
def test_blur_pools_and_stem_pools_equal_timm(block, stem, aa, stem_pool):
    spec = ArchSpec(
        block=block,
        layers=(1, 2, 1, 1),
        widths=(64, 32, 32, 64),
        stem=stem,
        aa=aa,
        stem_pool=stem_pool,
        input_size=(64, 96),
        num_classes=7,
    )
    theirs = _timm_model(spec).eval()
    _randomise(theirs)
    ours = build_model(spec).eval()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    a = analyze(spec)
    assert a.totals.params == sum(p.numel() for p in theirs.parameters())
    x = torch.randn(2, 3, 64, 96)
    macs = torchinfo.summary(theirs, input_data=x[:1], verbose=0).total_mult_adds
    assert abs(a.totals.macs - macs) <= 0.005 * macs
    seen = hooked_shapes(ours, x[:1])
    assert all(seen[r.name][1:] == list(r.out_shape) for r in a.layers if r.kind != "Conv1d")
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize(
    "block,stem,shortcut",
    [
        ("bottleneck", "deep", "avg_down"),  # timm's resnetv2_50d, small
        ("bottleneck", "deep_tiered", "avg_down"),  # resnetv2_50t
        ("basic", "deep", "conv_bn"),
        ("basic", "imagenet", "avg_down"),
    ],
)
def test_preact_deep_stems_and_avg_down_equal_timm_resnetv2(block, stem, shortcut):
    v2 = timm.models.resnetv2
    spec = ArchSpec(
        block=block,
        layers=(1, 2, 1, 1),
        stem=stem,
        stem_width=16 if stem != "imagenet" else None,
        shortcut=shortcut,
        preact=True,
        input_size=64,
    )
    theirs = v2.ResNetV2(
        layers=list(spec.layers),
        channels=tuple(w * spec.expansion for w in spec.widths),
        stem_chs=spec.stem_channels,
        stem_type={"deep": "deep", "deep_tiered": "tiered"}.get(stem, ""),
        avg_down=shortcut == "avg_down",
        basic=block == "basic",
        bottle_ratio=1.0 if block == "basic" else 0.25,
        conv_layer=timm.layers.create_conv2d,
        norm_layer=timm.layers.BatchNormAct2d,
    )
    a = analyze(spec)
    assert a.totals.params == sum(p.numel() for p in theirs.parameters())
    macs = torchinfo.summary(theirs, input_size=(1, 3, 64, 64), verbose=0).total_mult_adds
    assert abs(a.totals.macs - macs) <= 0.005 * macs
    ours = build_model(spec)
    seen = hooked_shapes(ours, torch.randn(1, 3, 64, 64))
    assert all(seen[r.name][1:] == list(r.out_shape) for r in a.layers)
    stem = theirs.stem(torch.randn(1, 3, 64, 64))
    assert list(stem.shape[1:]) == list(a.stages[0].out_shape)


def test_stem_pool_follows_the_stem_unless_given():
    assert ArchSpec().stem_pool == "max" and ArchSpec(stem="cifar").stem_pool == "none"
    cifar = ArchSpec.from_preset("cifar_resnet18")
    assert ArchSpec.from_preset("cifar_resnet18", stem="imagenet").stem_pool == "max"
    assert cifar.replace(stem_pool="max").stem_pool == "max"
    bare = analyze(ArchSpec(stem_pool="none", input_size=64))
    assert "maxpool" not in bare.by_name and bare.stages[0].out_shape == (64, 32, 32)
    assert ArchSpec(stem_pool="conv").depth == ArchSpec().depth + 1


@pytest.mark.parametrize("block", ["basic", "bottleneck"])
def test_drop_block_drops_as_timm_in_training_and_nothing_in_eval(block):
    spec = ArchSpec(
        block=block,
        layers=(1, 2, 2, 1),
        widths=(64, 16, 32, 32),  # timm's 7×7 stem is 64 wide
        drop_block_rate=0.3,
        input_size=64,
    )
    theirs = _timm_model(spec).train()
    _randomise(theirs)  # timm zero-inits each block's last BN: its branches would add nothing
    ours = build_model(spec).train()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    a = analyze(spec)
    assert a.totals.params == analyze(spec.replace(drop_block_rate=0.0)).totals.params
    assert [r.name for r in a.rows if r.kind == "DropBlock2d"] == [
        "layer3.0.drop_block",
        "layer3.1.drop_block",
        "layer4.0.drop_block",
    ]
    assert "DropBlock 0.3 in 3 blocks of layer3 and layer4" in a.training_only
    x = torch.randn(4, 3, 64, 64)
    outputs = []
    for seed in (5, 5, 6):  # the same random numbers as timm's: the same drops
        torch.manual_seed(seed)
        expected = theirs(x)
        torch.manual_seed(seed)
        outputs.append(ours(x))
        torch.testing.assert_close(outputs[-1], expected, atol=1e-4, rtol=1e-4)
    assert not torch.allclose(outputs[0], outputs[2])  # it does drop
    drop = ours.get_submodule("layer4.0.drop_block")
    ones = torch.ones(8, 4, 6, 6)
    assert (drop(ones) == 0).any() and torch.equal(drop.eval()(ones), ones)

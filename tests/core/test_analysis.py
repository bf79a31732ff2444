"""The analysis against a real forward pass (hooks) and torchinfo's numbers."""

import pytest
import torch
import torchinfo
from hypothesis import HealthCheck, given, settings

from resnet_studio import ArchSpec, analyze, build_model

from .helpers import hooked_shapes, specs

# Small sizes keep the forward passes quick; every preset still runs through every layer.
# anti-aliasing (aa): sides that halve evenly at every stride; the others an odd size
PRESET_SIZES = {
    name: (64, 96) if ArchSpec.from_preset(name).aa != "none" else (37, 53)
    for name in ArchSpec.presets()
}


def _check_against_forward(spec: ArchSpec, batch: int = 1) -> None:
    a = analyze(spec, batch_size=batch)
    model = build_model(spec)
    seen = hooked_shapes(model, torch.randn(batch, spec.in_channels, *spec.input_size))
    rows = {r.name: r for r in a.rows}
    assert list(rows) == [name for name, _ in model.named_modules()]
    for name, shape in seen.items():
        assert a.shape(rows[name].out_shape) == shape, name
    for name, module in model.named_modules():
        own = sum(p.numel() for p in module.parameters())
        buffers = sum(b.numel() for b in module.buffers())
        assert (rows[name].params, rows[name].buffers) == (own, buffers), name


@pytest.mark.parametrize("name", ArchSpec.presets())
def test_every_preset_agrees_with_a_forward_pass(name):
    _check_against_forward(ArchSpec.from_preset(name, input_size=PRESET_SIZES[name]), batch=2)


@pytest.mark.parametrize("name", ["resnet18", "d2l_resnet18", "resnet56"])
def test_presets_at_their_own_input_size(name):
    _check_against_forward(ArchSpec.from_preset(name))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_random_specs_agree_with_a_forward_pass(spec):
    _check_against_forward(spec)


def test_odd_five_stage_pad_network():
    spec = ArchSpec(
        layers=(1, 2, 1, 1, 2),
        widths=(8, 8, 16, 24, 32),
        shortcut="pad",
        in_channels=1,
        input_size=(37, 53),
        num_classes=3,
    )
    _check_against_forward(spec)
    # 37×53 -> stem 10×14 -> stages 10×14, 5×7, 3×4, 2×2, 1×1
    assert [s.out_shape for s in analyze(spec).stages[1:-1]] == [
        (8, 10, 14),
        (8, 5, 7),
        (16, 3, 4),
        (24, 2, 2),
        (32, 1, 1),
    ]


@pytest.mark.parametrize("name", ArchSpec.presets())
def test_every_preset_works_down_to_a_1x1_input(name):
    """Every stem and block pads enough that no layer empties: 1×1 is the smallest input. With
    anti-aliasing's 2×2 pools (floor) the smallest is the total stride, 32."""
    smallest = 32 if ArchSpec.from_preset(name).aa != "none" else 1
    _check_against_forward(ArchSpec.from_preset(name, input_size=smallest))


def _torchinfo_by_name(model, spec, batch):
    stats = torchinfo.summary(
        model, input_size=(batch, spec.in_channels, *spec.input_size), verbose=0, device="cpu"
    )
    names = {id(m): n for n, m in model.named_modules()}
    first = {}
    for info in stats.summary_list:
        if info.is_leaf_layer and not info.is_recursive:
            first.setdefault(names[id(info.module)], info)
    return stats, first


@pytest.mark.parametrize(
    "name,batch,size",
    [
        ("resnet18", 1, 224),
        ("resnet50", 2, (97, 131)),
        ("resnext50_32x4d", 1, 64),
        ("d2l_resnet18", 3, 96),
        ("resnet20", 1, 32),
        ("cifar_resnet50", 1, 32),
    ],
)
def test_macs_equal_torchinfos_mult_adds(name, batch, size):
    spec = ArchSpec.from_preset(name, input_size=size)
    a = analyze(spec, batch_size=batch)
    stats, layers = _torchinfo_by_name(build_model(spec), spec, batch)
    assert a.totals.macs == stats.total_mult_adds
    assert a.totals.flops == 2 * stats.total_mult_adds
    assert a.totals.params == stats.total_params
    rows = {r.name: r for r in a.rows}
    for lname, info in layers.items():
        assert rows[lname].macs * batch == info.macs, lname
        assert rows[lname].params == info.num_params, lname


@settings(max_examples=5, deadline=None)
@given(specs())
def test_random_spec_macs_equal_torchinfo(spec):
    stats, _ = _torchinfo_by_name(build_model(spec).eval(), spec, 2)
    assert analyze(spec, batch_size=2).totals.macs == stats.total_mult_adds


def test_cost_does_not_depend_on_input_size():
    """Arithmetic only: a 4096×4096 analysis allocates nothing and matches the formula."""
    a = analyze(ArchSpec.from_preset("resnet50", input_size=4096), batch_size=8)
    small = analyze(ArchSpec.from_preset("resnet50"), batch_size=8)
    assert a.totals.params == small.totals.params
    assert a.stages[-2].out_shape == (2048, 128, 128)
    assert a.totals.macs > 300 * small.totals.macs


def test_stage_rollups_add_up():
    a = analyze(ArchSpec.from_preset("resnet50"), batch_size=4)
    assert [s.name for s in a.stages] == ["stem", "layer1", "layer2", "layer3", "layer4", "head"]
    assert sum(s.params for s in a.stages) == a.totals.params
    assert sum(s.macs for s in a.stages) * 4 == a.totals.macs
    assert [s.blocks for s in a.stages] == [0, 3, 4, 6, 3, 0]
    assert a.stages[1].out_shape == (256, 56, 56)


def test_memory_figures_follow_batch_and_dtype():
    spec = ArchSpec.from_preset("resnet18")
    one, eight = analyze(spec), analyze(spec, batch_size=8, dtype="bfloat16")
    assert one.totals.param_bytes == 4 * one.totals.params
    assert eight.totals.param_bytes == 2 * one.totals.params
    one_bf16 = analyze(spec, dtype="bfloat16").totals.activation_bytes
    assert eight.totals.activation_bytes == 8 * one_bf16
    # halving the float size halves all but the max-pool's int64 indices
    indices = 64 * 56 * 56 * 8
    assert one_bf16 - indices == (one.totals.activation_bytes - indices) // 2


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "d2l_resnet18", "resnet20"])
def test_activation_estimate_is_close_to_what_autograd_saves(name):
    """The estimate counts the tensors autograd keeps; compare with the storages it really saves."""
    spec = ArchSpec.from_preset(name, input_size=64)
    model = build_model(spec).train()
    params = {p.data_ptr() for p in model.parameters()}
    storages: dict[int, int] = {}

    def pack(t):
        if t.data_ptr() not in params:
            storages[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    x = torch.randn(4, spec.in_channels, 64, 64)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        torch.nn.functional.cross_entropy(model(x), torch.zeros(4, dtype=torch.long))
    real = sum(storages.values())
    estimate = analyze(spec, batch_size=4).totals.activation_bytes
    assert abs(estimate - real) / real < 0.02, (estimate, real)

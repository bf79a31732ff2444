"""The builder against torchvision and the published reference networks."""

import pytest
import torch
import torchvision

from resnet_studio import ArchSpec, analyze, build_model
from resnet_studio.core.presets import TORCHVISION_PRESETS

from .reference_nets import CifarPaperResNet, d2l_resnet18, kuangliu_resnet18


def _count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_every_torchvision_name_is_a_preset():
    assert set(TORCHVISION_PRESETS) == {
        "resnet18",
        "resnet34",
        "resnet50",
        "resnet101",
        "resnet152",
        "resnext50_32x4d",
        "resnext101_32x8d",
        "resnext101_64x4d",
        "wide_resnet50_2",
        "wide_resnet101_2",
    }
    for name in TORCHVISION_PRESETS:
        assert name in torchvision.models.list_models(torchvision.models)


@pytest.mark.parametrize("name", TORCHVISION_PRESETS)
def test_torchvision_presets_have_torchvisions_state_dict(name):
    ours = build_model(ArchSpec.from_preset(name))
    theirs = torchvision.models.get_model(name)
    assert _count(ours) == _count(theirs)
    assert analyze(ArchSpec.from_preset(name)).totals.params == _count(theirs)
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    assert {k: v.shape for k, v in ours_sd.items()} == {k: v.shape for k, v in theirs_sd.items()}
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    ours.load_state_dict(theirs_sd, strict=True)


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "resnext50_32x4d"])
def test_same_weights_give_the_same_outputs(name):
    torch.manual_seed(0)
    theirs = torchvision.models.get_model(name).eval()
    ours = build_model(ArchSpec.from_preset(name)).eval()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(2, 3, 67, 45)
    with torch.no_grad():
        assert torch.equal(ours(x), theirs(x))


def test_dilation_and_zero_init_match_torchvision():
    kw = dict(replace_stride_with_dilation=[False, True, True], zero_init_residual=True)
    theirs = torchvision.models.resnet50(**kw).eval()
    ours = build_model(ArchSpec.from_preset("resnet50", **kw)).eval()
    assert all(
        float(m.bn3.weight.detach().abs().sum()) == 0
        for m in ours.modules()
        if type(m).__name__ == "Bottleneck"
    )
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(ours(x), theirs(x))


def test_initialisation_follows_torchvision():
    torch.manual_seed(1)
    theirs = torchvision.models.resnet18()
    torch.manual_seed(1)
    ours = build_model(ArchSpec.from_preset("resnet18"))
    for (k, a), b in zip(theirs.state_dict().items(), ours.state_dict().values(), strict=True):
        assert torch.equal(a, b), k


def test_d2l_resnet18_matches_the_books_network():
    spec = ArchSpec.from_preset("d2l_resnet18")
    reference = d2l_resnet18()
    assert _count(build_model(spec)) == _count(reference) == analyze(spec).totals.params
    x = torch.randn(1, 1, 96, 96)
    assert reference.eval()(x).shape == build_model(spec).eval()(x).shape == (1, 10)


@pytest.mark.parametrize("n", [3, 5, 7, 9, 18])
def test_cifar_paper_networks_match_option_a_reference(n):
    spec = ArchSpec.from_preset(f"resnet{6 * n + 2}")
    assert spec.depth == 6 * n + 2
    assert analyze(spec).totals.params == _count(CifarPaperResNet(n))


def test_pad_shortcut_computes_option_a():
    """Same weights in the reference and ours: the zero-padded identity gives equal outputs."""
    torch.manual_seed(0)
    reference = CifarPaperResNet(3).eval()
    ours = build_model(ArchSpec.from_preset("resnet20")).eval()
    ref_params = [p for p in reference.state_dict().values()]
    ours.load_state_dict(dict(zip(ours.state_dict(), ref_params, strict=True)))
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), reference(x))


def test_cifar_resnet18_matches_kuangliu():
    spec = ArchSpec.from_preset("cifar_resnet18")
    assert analyze(spec).totals.params == _count(kuangliu_resnet18())

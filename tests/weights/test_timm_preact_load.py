"""timm's pre-activation weights (``ResNetV2``: ``stem.conv``, ``stages.N.blocks.M.norm1``,
``head.fc``) load through the loader, strictly, into our pre-activation presets and give timm's
outputs."""

import pytest
import torch

from resnet_studio.core.builder import build_model
from resnet_studio.core.spec import ArchSpec
from resnet_studio.weights.load import load_into, open_weights

timm = pytest.importorskip("timm")

SMALL = 64


def _timm_with_random_state(name: str) -> torch.nn.Module:
    """timm's model, every parameter and BN statistic random (its fresh ones are zeros and
    ones, and its blocks' last conv is zero-initialised, which would hide a wrong mapping)."""
    torch.manual_seed(0)
    model = timm.create_model(name, pretrained=False).eval()  # never downloads weights
    with torch.no_grad():
        for key, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            if key.endswith("running_var"):
                t.copy_(torch.rand_like(t) + 0.5)
            else:
                t.copy_(torch.randn_like(t) * 0.1 + (1.0 if key.endswith("norm.weight") else 0))
    return model


@pytest.mark.parametrize("name", ["resnetv2_18", "resnetv2_18d", "resnetv2_50", "resnetv2_50d"])
def test_timm_preact_weights_load_strictly_and_give_timm_outputs(name, tmp_path):
    theirs = _timm_with_random_state(name)
    path = tmp_path / f"{name}.pth"
    torch.save(theirs.state_dict(), path)
    spec = ArchSpec.from_preset(name, input_size=SMALL)
    assert spec.preact
    ours = build_model(spec).eval()
    assert load_into(ours, spec, open_weights(path)) == []  # strict: nothing adapted
    x = torch.randn(2, 3, SMALL, SMALL)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), atol=1e-4, rtol=1e-4)


def test_timm_preact_weights_keep_a_fresh_head_for_other_classes(tmp_path):
    path = tmp_path / "resnetv2_18.pth"
    torch.save(_timm_with_random_state("resnetv2_18").state_dict(), path)
    spec = ArchSpec.from_preset("resnetv2_18", input_size=SMALL, num_classes=10)
    ours = build_model(spec).eval()
    notes = load_into(ours, spec, open_weights(path))
    assert len(notes) == 1 and "fc" in notes[0] and "10 classes" in notes[0]

"""Grad-CAM as Selvaraju et al. define it, held to two computations of its own (the network cut
in two by hand; gradients caught on the tensor) and to pytorch-grad-cam where it installs; the
default layer and its sentence."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from resnet_studio import ArchSpec
from resnet_studio.core.analysis import analyze
from resnet_studio.core.builder import build_model
from resnet_studio.inspect.features import block_names, feature_maps, layer_names, stage_names
from resnet_studio.inspect.gradcam import default_layer, grad_cam
from resnet_studio.inspect.image import look_at
from resnet_studio.inspect.predict import predict
from resnet_studio.train import TrainError

R = ArchSpec.from_preset
SPECS = {
    "cifar basic, padded shortcut, 1 channel": R(
        "resnet20", layers=(1, 1, 1), in_channels=1, input_size=8
    ),
    "imagenet stem, 4 stages": R(
        "resnet18", layers=(1, 1, 1, 1), widths=(8, 16, 32, 64), input_size=64, num_classes=7
    ),
    "bottleneck, 2 stages": R(
        "resnet50", layers=(2, 1), widths=(8, 16), input_size=(24, 40), num_classes=5
    ),
    "one stage": R("resnet20", layers=(2,), widths=(8,), input_size=6, num_classes=3),
    "six stages": R(
        "resnet20", layers=(1,) * 6, widths=(4, 4, 8, 8, 16, 16), input_size=40, num_classes=4
    ),
    "pre-activation": R("resnet18", layers=(1, 1), preact=True, input_size=32),
    "SE attention, deep stem, avg_down": R(
        "resnet18", layers=(1, 1), attention="se", stem="deep", shortcut="avg_down", input_size=32
    ),
    "tiny input, cifar stem": R("resnet20", layers=(1, 1, 1), in_channels=1, input_size=1),
    "tiny input, imagenet stem": R("resnet18", layers=(1, 1), in_channels=2, input_size=4),
}


def _model(spec, seed=0):
    """A built model in eval mode with BatchNorm statistics that are not the identity's."""
    torch.manual_seed(seed)
    model = build_model(spec)
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.uniform_(0.5, 1.5, generator=g)
    return model.eval()


def _input(spec, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(1, spec.in_channels, *spec.input_size, generator=g)


def _finish(a, grads):
    """The map from activations and gradients (1, K, h, w), at the input size, 0…1."""
    weights = grads.mean(dim=(2, 3), keepdim=True)
    coarse = torch.relu((weights * a).sum(1, keepdim=True))
    return coarse[0, 0], coarse


def _normalise(up):
    up = up - up.min()
    return up / up.max()


def by_hand(model, x, layer, target):
    """The network cut by hand at a stage: children in order, the stage's output made a leaf,
    the rest run on it, the class score's gradient taken by backward()."""
    model = model.requires_grad_(True)
    h, a = x, None
    for name, child in model.named_children():
        if name == "fc":
            h = torch.flatten(h, 1)
        h = child(h)
        if name == layer:
            a = h.detach().requires_grad_(True)
            h = a
    h[0, target].backward()
    coarse, c4 = _finish(a, a.grad)
    up = F.interpolate(c4, size=x.shape[2:], mode="bilinear", align_corners=False)[0, 0]
    return coarse, _normalise(up)


def by_tensor_hook(model, x, layer, target):
    """pytorch-grad-cam's way: a forward hook keeps the output and a hook on it its gradient."""
    model = model.requires_grad_(True)
    kept = {}

    def forward_hook(_m, _i, out):
        kept["a"] = out
        out.register_hook(lambda g: kept.__setitem__("g", g))

    handle = dict(model.named_modules())[layer].register_forward_hook(forward_hook)
    try:
        model(x)[0, target].backward()
    finally:
        handle.remove()
    coarse, c4 = _finish(kept["a"].detach(), kept["g"])
    up = F.interpolate(c4, size=x.shape[2:], mode="bilinear", align_corners=False)[0, 0]
    return coarse, _normalise(up)


def _agrees(got, coarse, cam):
    assert got.cam.shape == cam.shape and got.cam.dtype == np.float32
    assert 0 <= got.cam.min() and got.cam.max() <= 1
    assert np.allclose(got.coarse, coarse.detach().numpy(), rtol=1e-4, atol=1e-5)
    blank = got.coarse.size == 1 or got.coarse.max() <= 0
    assert bool(got.note) == blank
    if blank:  # one value everywhere: nothing to place
        assert not got.cam.any()
    else:
        assert np.allclose(got.cam, cam.detach().numpy(), atol=1e-5), got.layer
        assert got.cam.max() == 1


@pytest.mark.parametrize("key", list(SPECS))
def test_grad_cam_equals_an_independent_computation_for_every_kind_of_spec(key):
    spec = SPECS[key]
    model, reference, x = _model(spec), _model(spec), _input(spec)
    for layer in stage_names(spec):
        for target in (None, spec.num_classes - 1):
            got = grad_cam(model, spec, x, layer, target)
            assert got.target == (int(model(x).argmax()) if target is None else target)
            _agrees(got, *by_hand(reference, x, layer, got.target))
    for layer in block_names(spec)[:3]:  # blocks, by the tensor hook
        _agrees(grad_cam(model, spec, x, layer, 0), *by_tensor_hook(reference, x, layer, 0))


@pytest.mark.parametrize("key", list(SPECS))
def test_predictions_and_feature_maps_for_every_kind_of_spec(key):
    spec = SPECS[key]
    model, x = _model(spec), _input(spec)
    p = predict(model, x, [f"c{i}" for i in range(spec.num_classes)])
    assert abs(sum(p.probabilities) - 1) < 1e-12
    assert p.top(1)[0] == (p.name, max(p.probabilities))
    assert p.predicted == int(model(x).argmax())
    maps = feature_maps(model, x, layer_names(spec))
    rows = analyze(spec).by_name
    for name, fm in maps.items():
        assert fm.maps.shape == rows[name].out_shape  # the analysis's shape, by arithmetic
        assert np.allclose(fm.means, fm.maps.mean(axis=(1, 2)))
        assert list(fm.means[fm.order]) == sorted(fm.means, reverse=True)
    # a stage's output is its last block's
    last = stage_names(spec)[-1]
    assert np.array_equal(maps[last].maps, maps[block_names(spec, last)[-1]].maps)
    # one forward pass gives the same as the three apart
    report = look_at(model, spec, x, list(p.classes), features=layer_names(spec))
    assert report.prediction.probabilities == pytest.approx(p.probabilities, abs=1e-12)
    for name, fm in maps.items():
        assert np.array_equal(report.features[name].maps, fm.maps)
    layer, why = default_layer(spec)
    assert report.layer == layer and report.layer_note.startswith(why)
    if layer is not None:
        assert report.cam is not None and report.cam.target == p.predicted
        assert np.array_equal(report.cam.cam, grad_cam(model, spec, x, layer).cam)


def test_grad_cam_equals_pytorch_grad_cam():
    pgc = pytest.importorskip("pytorch_grad_cam")  # needs OpenCV, which needs libGL on some
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    spec = R(
        "resnet18",
        layers=(1, 1, 1, 1),
        widths=(16, 32, 64, 128),
        input_size=(96, 80),
        num_classes=6,
    )
    x = _input(spec)
    for layer in ("layer3", "layer4", "layer2.0"):
        for target in (0, 3):
            ours = grad_cam(_model(spec), spec, x, layer, target)
            theirs_model = _model(spec)
            module = dict(theirs_model.named_modules())[layer]
            with pgc.GradCAM(model=theirs_model, target_layers=[module]) as cam:
                theirs = cam(input_tensor=x, targets=[ClassifierOutputTarget(target)])[0]
            assert theirs.shape == ours.cam.shape
            # they scale before resizing and again after; the difference is their 1e-7 epsilon
            assert np.abs(theirs - ours.cam).max() < 1e-4, (layer, target)


def test_the_default_layer_is_the_deepest_stage_larger_than_one_by_one():
    r18 = R("resnet18")
    assert default_layer(r18)[0] == "layer4"
    assert "7×7" in default_layer(r18)[1] and "last stage" in default_layer(r18)[1]
    layer, why = default_layer(r18.replace(input_size=32))  # layer4 is 1×1 there
    assert layer == "layer3"
    assert "2×2" in why and "layer4 outputs 1×1" in why
    layer, why = default_layer(r18.replace(input_size=16))
    assert layer == "layer2" and "layer3…layer4 output 1×1" in why
    layer, why = default_layer(r18.replace(input_size=4))
    assert layer is None
    assert "every stage outputs a single position" in why and "at least 5×5" in why
    assert default_layer(SPECS["tiny input, cifar stem"])[0] is None
    assert "at least 2×2" in default_layer(SPECS["tiny input, cifar stem"])[1]
    assert default_layer(R("resnet20", layers=(1, 1, 1), input_size=8))[0] == "layer3"


def test_a_layer_that_is_not_there_or_a_class_out_of_range_is_a_sentence():
    spec = SPECS["one stage"]
    model, x = _model(spec), _input(spec)
    with pytest.raises(TrainError, match="no layer 'layer2'.*did you mean 'layer1'"):
        grad_cam(model, spec, x, "layer2")
    with pytest.raises(TrainError, match="3 classes, numbered 0 to 2; not 3"):
        grad_cam(model, spec, x, "layer1", 3)


def test_a_one_by_one_layer_gives_a_blank_map_and_says_why():
    spec = R("resnet18", layers=(1, 1, 1, 1), input_size=32, num_classes=4)
    got = grad_cam(_model(spec), spec, _input(spec), "layer4")
    assert got.coarse.shape == (1, 1) and not got.cam.any()
    assert "single position" in got.note and "earlier layer" in got.note

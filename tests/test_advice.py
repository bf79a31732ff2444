"""Advice that names a value must be accepted when followed: each message below that suggests a
value is provoked, the value is read from its words, applied, and must then be accepted.
(The memory check's "use a batch size of N or less" is followed in tests/train/test_memory.py.)"""

import re

import pytest
import torch

from resnet_studio import ArchSpec
from resnet_studio.core.errors import SpecError
from resnet_studio.train.errors import TrainError
from tests.inspect.tiny import small_spec


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, f"no advice matching {pattern!r} in: {text}"
    return float(found.group(1))


@pytest.mark.parametrize("preset", ["resnet18", "resnet110", "resnet152"])
def test_the_diagrams_largest_png_scale_is_accepted(qapp, preset):
    """At these three the exact limit rounded to two decimals is above it (22.626 → 22.63)."""
    from resnet_studio.core import analyze
    from resnet_studio.core.diagram import diagram
    from resnet_studio.gui.diagram.diagram_export import (
        DiagramTooLarge,
        check_png_scale,
        diagram_png,
    )

    d = diagram([(preset, analyze(ArchSpec.from_preset(preset)))], expand_all=True)
    with pytest.raises(DiagramTooLarge) as refused:
        diagram_png(d, scale=1000.0)
    most = _number(r"use a scale of at most ([\d.]+)", str(refused.value))
    check_png_scale(d, most)  # the check diagram_png makes accepts it (drawing takes seconds)
    with pytest.raises(DiagramTooLarge):
        check_png_scale(d, most + 0.01)  # and it is the largest in hundredths


def test_a_batch_of_one_refused_for_one_by_one_batch_norms_names_two_which_runs():
    from resnet_studio.measure.profile import profile_spec

    spec = small_spec(2)  # every batch norm after the stem sees 1×1
    with pytest.raises(TrainError) as refused:
        profile_spec(spec, "cpu", 1, repeats=1, warmup=0, sweep=())
    least = int(_number(r"use a batch size of (\d+) or more", str(refused.value)))
    p = profile_spec(spec, "cpu", least, repeats=1, warmup=0, sweep=())
    assert p.batch_size == least


def test_grad_cam_on_an_input_too_small_names_a_size_that_works():
    from resnet_studio.inspect.gradcam import default_layer

    spec = ArchSpec.from_preset("resnet18")
    layer, why = default_layer(spec.replace(input_size=(4, 4)))  # every stage outputs 1×1
    assert layer is None
    side = int(_number(r"use an input of at least (\d+)×", why))
    layer, _ = default_layer(spec.replace(input_size=(side, side)))
    assert layer is not None


def test_too_few_classes_for_the_data_names_the_number_that_trains(tmp_path):
    from resnet_studio.train import TrainConfig
    from resnet_studio.train.setup import TrainingSetup

    spec = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)
    config = TrainConfig(epochs=1, batch_size=64, device="cpu", threads=1, seed=0)
    with pytest.raises(TrainError) as refused:
        TrainingSetup.build(spec.replace(num_classes=3), config)
    classes = int(_number(r"set the number of classes to (\d+)", str(refused.value)))
    with TrainingSetup.build(spec.replace(num_classes=classes), config):  # accepted
        pass


def test_the_range_test_names_the_fewest_steps_it_takes():
    from resnet_studio.measure.lr_find import range_test

    model = torch.nn.Linear(4, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(8, 4), torch.arange(8) % 2
    batches = lambda: iter([(x, y)] * 10)  # noqa: E731
    loss = torch.nn.functional.cross_entropy
    with pytest.raises(TrainError) as refused:
        range_test(model, opt, batches(), loss, steps=2)
    steps = int(_number(r"at least (\d+) steps", str(refused.value)))
    assert len(range_test(model, opt, batches(), loss, steps=steps).lrs) == steps


@pytest.mark.parametrize(
    ("field", "bad", "pattern"),
    [
        ("num_classes", 0, r"at least (\d+)"),
        ("in_channels", 0, r"at least (\d+)"),
        ("groups", 0, r"at least (\d+)"),
    ],
)
def test_a_spec_field_out_of_bounds_names_a_bound_that_is_accepted(field, bad, pattern):
    spec = ArchSpec.from_preset("resnet18")
    with pytest.raises(SpecError) as refused:
        spec.replace(**{field: bad})
    bound = int(_number(pattern, str(refused.value)))
    assert getattr(spec.replace(**{field: bound}), field) == bound


def test_a_train_setting_below_its_least_names_a_value_that_is_accepted():
    from resnet_studio.train import TrainConfig

    for field in ("epochs", "batch_size", "threads"):
        with pytest.raises(TrainError) as refused:
            TrainConfig(**{field: 0})
        least = int(_number(r"at least (\d+)", str(refused.value)))
        assert getattr(TrainConfig(**{field: least}), field) == least

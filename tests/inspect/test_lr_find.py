"""The learning-rate range test: its schedule and smoothing, where it stops, what it suggests, and
that the model and optimizer come back as they were."""

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

from resnet_studio import build_model
from resnet_studio.measure.lr_find import find_lr, lr_at, range_test
from resnet_studio.train.config import TrainConfig
from resnet_studio.train.errors import TrainError
from tests.inspect.tiny import small_spec

TINY = small_spec(8)


def _forever(x, y):
    while True:
        yield x, y


def _clone(state):
    if isinstance(state, torch.Tensor):
        return state.clone()
    if isinstance(state, dict):
        return {k: _clone(v) for k, v in state.items()}
    if isinstance(state, list):
        return [_clone(v) for v in state]
    return state


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b, strict=True))
    return a == b


def test_schedule_runs_from_start_to_end_exponentially():
    lrs = [lr_at(i, 5, 1e-4, 1.0) for i in range(5)]
    assert lrs == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])


def test_weights_statistics_and_optimizer_come_back():
    torch.manual_seed(0)
    model = build_model(TINY)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(16, 1, 8, 8), torch.randint(0, 10, (16,))
    opt.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    opt.step()  # the momentum buffers exist and hold values
    model.eval()
    before_model, before_opt = _clone(model.state_dict()), _clone(opt.state_dict())
    changed = []

    def watch(step, lr, loss):
        changed.append(not torch.equal(model.fc.weight, before_model["fc.weight"]))

    found = range_test(
        model,
        opt,
        _forever(x, y),
        nn.functional.cross_entropy,
        start_lr=1e-3,
        end_lr=1.0,
        steps=8,
        progress=watch,
    )
    assert len(found.lrs) == 8 and any(changed)  # it did train the model meanwhile
    assert _same(model.state_dict(), before_model)  # weights and BN running statistics
    assert model.layer1[0].bn1.num_batches_tracked.item() == 1
    assert _same(opt.state_dict(), before_opt)  # momentum and learning rates
    assert opt.param_groups[0]["lr"] == 0.01
    assert not model.training


def test_smoothing_is_a_bias_corrected_moving_average():
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(32, 4), torch.randint(0, 3, (32,))
    found = range_test(model, opt, _forever(x, y), nn.functional.cross_entropy, steps=20, beta=0.9)
    avg, expected = 0.0, []
    for i, loss in enumerate(found.losses):
        avg = 0.9 * avg + 0.1 * loss
        expected.append(avg / (1 - 0.9 ** (i + 1)))
    assert found.smoothed == pytest.approx(expected)
    assert found.losses[0] == pytest.approx(
        nn.functional.cross_entropy(model(x), y).item()  # the restored model's loss
    )


def test_stops_when_the_loss_explodes_past_the_stability_limit():
    """Full-batch gradient descent on least squares diverges only above 2/λmax of the loss's
    Hessian; the test stops there, at the first smoothed loss over 4× the lowest so far."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(256, 10, generator=g)
    y = x @ torch.randn(10, 1, generator=g) + 0.1 * torch.randn(256, 1, generator=g)
    model = nn.Linear(10, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    found = range_test(
        model, opt, _forever(x, y), nn.functional.mse_loss, start_lr=1e-4, end_lr=1e3, steps=100
    )
    assert found.stopped_early and len(found.lrs) < 100
    assert "exploded" in found.reason
    xb = np.hstack([x.numpy(), np.ones((256, 1))]).astype(np.float64)
    hessian = 2 / 256 * xb.T @ xb
    assert found.lrs[-1] > 2 / np.linalg.eigvalsh(hessian).max()
    s = found.smoothed
    running = np.minimum.accumulate(s)
    assert s[-1] > 4 * running[-1] or s[-1] > 4 * running[-2]
    assert all(s[i] <= 4 * running[i] for i in range(len(s) - 1))


def test_bad_ranges_are_sentences():
    model = nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    batch = (torch.randn(4, 2), torch.randint(0, 2, (4,)))
    with pytest.raises(TrainError, match="start < end"):
        range_test(model, opt, _forever(*batch), nn.functional.cross_entropy, start_lr=20.0)
    with pytest.raises(TrainError, match="3 steps"):
        range_test(model, opt, _forever(*batch), nn.functional.cross_entropy, steps=2)


@pytest.fixture(scope="module")
def digits_finding():
    config = TrainConfig(device="cpu", batch_size=32, threads=2, seed=0)
    return find_lr(TINY, config, start_lr=1e-4, end_lr=1e3, steps=40)


def test_suggests_where_the_smoothed_loss_falls_fastest(digits_finding):
    f = digits_finding
    assert f.suggestion is not None and f.suggestion == f.lrs[f.suggestion_index]
    # slope of the smoothed loss over log10(lr), numpy's central differences
    slope = np.gradient(np.array(f.smoothed), np.log10(np.array(f.lrs)))
    lowest = int(np.argmin(f.smoothed))
    first = max(1, len(f.lrs) // 10)
    window = range(first, min(lowest + 1, len(f.lrs) - 1))
    steepest = min(window, key=lambda i: slope[i])
    assert f.suggestion_index == steepest and slope[steepest] < 0
    assert f.suggestion < f.lrs[lowest]
    assert f.smoothed[f.suggestion_index + 1] < f.smoothed[f.suggestion_index - 1]
    assert "fastest" in f.explanation


def test_digits_run_explodes_at_high_rates(digits_finding):
    """On digits the loss explodes long before 1000 (and the test ends there)."""
    assert digits_finding.stopped_early and digits_finding.lrs[-1] < 1e3
    assert all(math.isfinite(v) for v in digits_finding.losses)


def test_lr_find_command_json(capsys):
    from resnet_studio.cli import main

    args = "--preset resnet18 --layers 1,1 --widths 8,16 --stem cifar --in-channels 1"
    args += " --input-size 8 --num-classes 10 --device cpu --batch-size 32 --threads 2"
    args += " --steps 12 --start-lr 1e-3 --end-lr 1 --json"
    assert main(["lr-find", *args.split()]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["lrs"]) == len(doc["losses"]) == len(doc["smoothed"]) == 12
    assert doc["lrs"][0] == pytest.approx(1e-3) and doc["lrs"][-1] == pytest.approx(1.0)
    assert {"suggestion", "reason", "stopped_early"} <= doc.keys()


def test_lr_find_command_names_a_wrong_dataset_size(capsys):
    from resnet_studio.cli import main

    args = "--preset resnet18 --layers 1,1 --widths 8,16 --stem cifar --in-channels 1"
    args += " --input-size 8 --num-classes 5 --device cpu --steps 5"
    assert main(["lr-find", *args.split()]) == 2
    assert "classes" in capsys.readouterr().err


def test_a_curve_too_short_to_judge_suggests_nothing_and_says_why():
    """A test stopped after a few steps suggested a rate from the curve's noisy start."""
    from resnet_studio.measure.lr_find import MIN_POINTS, LRFinding, steepest_descent

    def falling(n):
        lrs = [10 ** (-6 + 6 * i / (n - 1)) for i in range(n)]
        return lrs, [3.0 - 0.1 * i for i in range(n)]  # falls all along

    assert steepest_descent(*falling(MIN_POINTS - 1)) is None
    assert steepest_descent(*falling(MIN_POINTS)) is not None
    n = MIN_POINTS - 1
    lrs, smoothed = falling(n)
    f = LRFinding(
        tuple(lrs), tuple(smoothed), tuple(smoothed), None, None, False,
        f"It was stopped after {n} steps.", 1e-6, 1.0, 100,
    )  # fmt: skip
    assert f"{n} steps are too few" in f.explanation and "never fell" not in f.explanation

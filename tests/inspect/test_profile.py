"""The profiler on a tiny network: its fields, stage attribution, memory measurement, the cache
and the ``profile`` command. Speed figures are never compared with thresholds here (the machine
is shared): bench/profile_check.py measures the profiler against a bare timing loop."""

import json

import pytest
import torch

from resnet_studio.core import analyze
from resnet_studio.measure import profile_stages
from resnet_studio.measure.profile import Profile, ProfileStopped, profile_spec
from resnet_studio.measure.profile_bench import Bench
from resnet_studio.measure.profile_cache import ProfileCache
from resnet_studio.measure.profile_memory import cpu_peak_above, measure_step_memory
from resnet_studio.train.errors import TrainError
from tests.inspect.tiny import small_spec

TINY = small_spec(16)


@pytest.fixture(scope="module")
def tiny_profile() -> Profile:
    return profile_spec(TINY, "cpu", 4, repeats=2, warmup=1, sweep=(2, 4))


def test_fields_follow_from_the_timings(tiny_profile):
    p = tiny_profile
    assert p.device == "cpu" and p.batch_size == 4 and p.dtype == "fp32"
    assert p.inference_img_s == pytest.approx(4 / (p.inference_ms / 1000))
    assert p.train_img_s == pytest.approx(4 / (p.train_step_ms / 1000))
    assert p.inference_ms > 0 and p.train_step_ms > 0 and p.forward_ms > 0
    assert [s.batch_size for s in p.sweep] == [2, 4]
    assert all(s.inference_img_s and s.train_img_s for s in p.sweep)
    assert p.largest_batch is None and "CUDA" in p.largest_batch_note


def test_stages_are_the_analysis_stages_with_its_macs(tiny_profile):
    a = analyze(TINY, 4)
    assert [s.name for s in tiny_profile.stages] == [s.name for s in a.stages]
    assert [s.macs for s in tiny_profile.stages] == [s.macs * 4 for s in a.stages]
    assert sum(s.macs for s in tiny_profile.stages) == a.totals.macs
    for s in tiny_profile.stages:
        assert s.forward_ms > 0
        assert s.backward_ms is not None and s.backward_ms >= 0
    assert sum(s.macs_share for s in tiny_profile.stages) == pytest.approx(1.0)


def test_memory_is_measured_beside_its_estimate(tiny_profile):
    p = tiny_profile
    model = Bench(TINY, torch.device("cpu"), "fp32", False).model
    weights = sum(t.numel() * t.element_size() for t in model.parameters())
    buffers = sum(t.numel() * t.element_size() for t in model.buffers())
    activations = analyze(TINY, 4).totals.activation_bytes
    # weights, their gradients and SGD's momentum, the buffers, the activations kept
    assert p.estimated_memory_bytes == 3 * weights + buffers + activations
    # a training step holds at least its weights, gradients, momentum and input
    assert p.peak_memory_bytes is not None
    assert p.peak_memory_bytes >= 3 * weights + 4 * 16 * 16 * 4
    assert p.memory_ratio == pytest.approx(p.peak_memory_bytes / p.estimated_memory_bytes)
    assert "profile" in p.memory_method


def test_cpu_peak_sees_torch_allocations():
    """A step that holds 3 MB, then 5 MB beside it, then frees both peaks at 8 MB."""
    kept = []

    def step():
        a = torch.empty(3_000_000, dtype=torch.uint8)
        b = torch.empty(5_000_000, dtype=torch.uint8)
        kept.append(int(a.numel() + b.numel()))
        del a, b
        c = torch.empty(1_000_000, dtype=torch.uint8)
        del c

    peak = cpu_peak_above(step)
    assert peak is not None
    assert kept == [8_000_000]
    assert 8_000_000 <= peak < 8_000_000 + 100_000


def test_peak_counts_what_the_step_starts_with():
    model = torch.nn.Linear(1000, 1000)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.randn(10, 1000)

    def step():
        opt.zero_grad(set_to_none=True)
        model(x).sum().backward()
        opt.step()

    step()  # the momentum exists from now on
    peak, _ = measure_step_memory(model, opt, step, (x,), torch.device("cpu"))
    weights = 1000 * 1000 * 4 + 1000 * 4
    # weights + momentum + the input held; the step adds gradients and the output
    assert peak >= 3 * weights + x.numel() * 4
    assert peak < 3 * weights + 1_000_000  # nothing else of its size


def test_stage_times_attribute_each_module_to_its_stage(monkeypatch):
    """With a clock that advances only inside modules, each stage's forward time is exactly
    the time of its own modules (stem: conv1, bn1, relu; head: avgpool, fc), and the whole
    forward of a step without hooks is their sum."""
    clock = [0.0]
    monkeypatch.setattr(profile_stages.time, "perf_counter", lambda: clock[0])
    bench = Bench(TINY, torch.device("cpu"), "fp32", False)
    delays = {}
    for k, (name, module) in enumerate(bench.model.named_children()):
        delays[name] = 0.001 * (k + 1)
        original = module.forward

        def slow(x, _run=original, _d=delays[name]):
            clock[0] += _d
            return _run(x)

        module.forward = slow
    stem = [n for n in delays if not n.startswith("layer") and n not in ("avgpool", "fc")]
    expected = {
        "stem": sum(delays[n] for n in stem),
        "layer1": delays["layer1"],
        "layer2": delays["layer2"],
        "head": delays["avgpool"] + delays["fc"],
    }
    times, whole = profile_stages.stage_times(bench, 2, warmup=0, repeats=2)
    assert {name: fwd for name, fwd, _ in times} == pytest.approx(
        {k: 1000 * v for k, v in expected.items()}
    )
    assert whole == pytest.approx(1000 * sum(delays.values()))  # the same clock, no hooks
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in bench.model.modules())


def test_settings_that_cannot_run_are_sentences():
    with pytest.raises(TrainError, match="dtype"):
        profile_spec(TINY, "cpu", 4, "int8")
    with pytest.raises(TrainError, match="fp16"):
        profile_spec(TINY, "cpu", 4, "fp16")
    small = TINY.replace(input_size=2)  # layer2 is 1×1: its batch norms need 2 samples
    assert analyze(small).by_name["layer2.0.bn1"].out_shape == (16, 1, 1)
    with pytest.raises(TrainError, match="batch size of 2"):
        profile_spec(small, "cpu", 1)


def test_cache_keeps_profiles_per_spec_device_batch_and_dtype(tiny_profile, tmp_path):
    cache = ProfileCache(tmp_path / "profiles.json")
    assert cache.get(TINY.to_dict(), "cpu", 4, "fp32") is None
    cache.put(tiny_profile)
    again = ProfileCache(tmp_path / "profiles.json")
    assert again.get(TINY.to_dict(), "cpu", 4, "fp32") == tiny_profile
    assert again.get(TINY.to_dict(), "cpu", 8, "fp32") is None
    assert again.latest(TINY.to_dict()) == tiny_profile
    assert again.latest(TINY.replace(num_classes=5).to_dict()) is None
    (tmp_path / "profiles.json").write_text("{not json")
    assert again.get(TINY.to_dict(), "cpu", 4, "fp32") is None
    again.put(tiny_profile)  # a damaged file is replaced
    assert again.latest(TINY.to_dict(), "cpu") == tiny_profile


def test_profile_round_trips_through_json(tiny_profile):
    doc = json.loads(json.dumps(tiny_profile.to_dict()))
    assert Profile.from_dict(doc) == tiny_profile


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_peak_and_largest_batch():
    p = profile_spec(TINY, "cuda", 8, "bf16", repeats=2, warmup=1, sweep=(8,))
    assert p.peak_memory_bytes and p.peak_memory_bytes > 0
    assert "max_memory_allocated" in p.memory_method
    assert p.largest_batch is not None and p.largest_batch >= 8


def test_profile_command_json(capsys, monkeypatch, tmp_path):
    from resnet_studio.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    args = "--preset resnet18 --layers 1,1 --widths 8,16 --stem cifar --in-channels 1"
    args += " --input-size 16 --num-classes 10 --device cpu --batch-size 2 --repeats 1"
    args += " --warmup 0 --no-sweep --json"
    assert main(["profile", *args.split()]) == 0
    doc = json.loads(capsys.readouterr().out)
    for key in (
        "device",
        "batch_size",
        "inference_img_s",
        "train_img_s",
        "peak_memory_bytes",
        "estimated_memory_bytes",
        "stages",
    ):
        assert key in doc
    assert doc["device"] == "cpu" and doc["batch_size"] == 2
    assert [s["name"] for s in doc["stages"]] == ["stem", "layer1", "layer2", "head"]
    assert [s["macs"] for s in doc["stages"]] == [s.macs * 2 for s in analyze(TINY).stages]
    assert all(s["forward_ms"] > 0 for s in doc["stages"])
    assert ProfileCache(tmp_path / "resnet-studio" / "profiles.json").latest(TINY.to_dict())


def test_profile_command_prints_a_table(capsys):
    from resnet_studio.cli import main

    args = "--preset resnet18 --layers 1,1 --widths 8,16 --stem cifar --in-channels 1"
    args += " --input-size 16 --num-classes 10 --device cpu --batch-size 2 --repeats 1"
    args += " --warmup 0 --sweep 2"
    assert main(["profile", *args.split()]) == 0
    out = capsys.readouterr().out
    assert "img/s" in out and "layer2" in out and "measured/estimated" in out


def test_a_profile_asked_to_stop_ends_with_a_sentence():
    asked = []

    def stop():
        asked.append(True)
        return len(asked) > 3  # after a few timed calls

    with pytest.raises(ProfileStopped, match="stopped"):
        profile_spec(TINY, "cpu", 2, repeats=2, warmup=0, sweep=(), should_stop=stop)
    assert isinstance(ProfileStopped(), TrainError)  # the CLI and window say it as a sentence

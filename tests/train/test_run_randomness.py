"""A run's numbers depend on its seed alone: runs training side by side in one process (as the
window's queue runs them) draw nothing from each other, and leave torch's global state alone."""

import threading
import warnings

import pytest
import torch
import torchvision

from resnet_studio import ArchSpec
from resnet_studio.core.builder import build_model, build_seeded, use_generator
from resnet_studio.train import Callback, RunRecorder, TrainConfig, Trainer
from resnet_studio.train.errors import TrainError
from resnet_studio.train.setup import claim_threads

# drop path, DropBlock (in layer3) and dropout on; augmentation in the config
NOISY = ArchSpec(
    block="basic",
    layers=(1, 1, 1),
    widths=(8, 16, 16),
    in_channels=1,
    input_size=8,
    drop_path_rate=0.3,
    drop_block_rate=0.2,
    drop_rate=0.2,
)


def config(seed: int) -> TrainConfig:
    return TrainConfig(
        dataset="synthetic",
        synthetic_size=400,  # 6 steps of 64
        epochs=1,
        batch_size=64,
        lr=0.05,
        device="cpu",
        seed=seed,
        augment=True,
        report_interval=0,
    )


class Steps(Callback):
    """Collects every step; with a barrier, waits for the other run at the start and after
    every step, so that the two runs train in lockstep, each step beside the other's."""

    def __init__(self, barrier: threading.Barrier | None = None):
        self.steps, self.notes, self.barrier = [], [], barrier

    def on_run_start(self, trainer, info):
        if self.barrier:
            self.barrier.wait()

    def on_steps(self, trainer, steps):
        self.steps += [(s.step, s.loss, s.accuracy, s.lr) for s in steps]
        if self.barrier:
            self.barrier.wait()

    def on_note(self, trainer, text):
        self.notes.append(text)


def test_two_runs_side_by_side_equal_each_alone_step_for_step():
    alone = {}
    for seed in (1, 2):
        c = Steps()
        assert Trainer(NOISY, config(seed), [c]).run().status == "finished"
        alone[seed] = c.steps
    assert alone[1] != alone[2]  # the seed matters, so equal curves below mean something

    barrier = threading.Barrier(2, timeout=120)
    beside = {seed: Steps(barrier) for seed in (1, 2)}
    trainers = {seed: Trainer(NOISY, config(seed), [beside[seed]]) for seed in (1, 2)}
    threads = [threading.Thread(target=t.run) for t in trainers.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert all(t.end is not None and t.end.status == "finished" for t in trainers.values())
    assert beside[1].steps == alone[1]
    assert beside[2].steps == alone[2]


class StopAt(Callback):
    def __init__(self, step):
        self.at = step

    def on_steps(self, trainer, steps):
        if steps[-1].step >= self.at:
            trainer.stop()


def test_a_resumed_run_draws_what_it_would_have_drawn(tmp_path):
    """No random state is saved: each batch seeds the run's generator by its place in the run."""
    cfg = TrainConfig.from_dict({**config(3).to_dict(), "epochs": 2})
    whole = Steps()
    Trainer(NOISY, cfg, [whole]).run()
    first, second = Steps(), Steps()
    end = Trainer(
        NOISY, cfg, [first, StopAt(8), RunRecorder(tmp_path)], run_dir=str(tmp_path)
    ).run()
    assert end.status == "stopped" and end.step == 8  # mid-way through the second epoch
    torch.manual_seed(12345)  # whatever the process did meanwhile
    assert Trainer.from_run_dir(tmp_path, [second]).run().status == "finished"
    assert first.steps + second.steps == whole.steps


def test_a_runs_random_modules_draw_from_its_generator_only():
    model = build_model(NOISY).train()
    x = torch.randn(16, 1, 8, 8)
    outputs = []
    for disturb in (0, 1):
        g = torch.Generator().manual_seed(7)
        use_generator(model, g)
        torch.manual_seed(disturb)  # what another run might do to the global generator
        outputs.append(model(x))
    torch.testing.assert_close(outputs[0], outputs[1], rtol=0, atol=0)
    use_generator(model, torch.Generator().manual_seed(8))
    assert not torch.equal(model(x), outputs[0])  # the generator does drive the drops


def test_seeded_build_equals_torchvision_and_leaves_the_global_generator_alone():
    torch.manual_seed(1)
    theirs = torchvision.models.resnet18()
    before = torch.get_rng_state()
    ours = build_seeded(ArchSpec.from_preset("resnet18"), 1)
    assert torch.equal(torch.get_rng_state(), before)
    for (k, a), b in zip(theirs.state_dict().items(), ours.state_dict().values(), strict=True):
        assert torch.equal(a, b), k


def test_the_thread_count_changes_only_while_nothing_else_trains():
    from resnet_studio.train import setup

    have = torch.get_num_threads()
    other = 1 if have != 1 else 2
    assert setup.claims() == 0  # no earlier test left one (tests/conftest.py checks each)
    first, release_first = claim_threads(have)
    assert first is None  # nothing to change
    refused, release_refused = claim_threads(other)
    assert torch.get_num_threads() == have
    assert refused and "1 other run is training" in refused and f"the {other} asked" in refused
    release_refused()
    release_first()
    release_first()  # a second release changes nothing
    assert setup.claims() == 0
    try:
        done, release = claim_threads(other)
        assert torch.get_num_threads() == other
        assert done and f"set it to {other} (it was {have})" in done
        release()
    finally:
        torch.set_num_threads(have)


def test_a_set_up_lets_its_claim_go_on_every_path(monkeypatch):
    """A set-up used as a context manager ends its claim on leaving; the LR finder's ends it
    when the test runs out of memory, and even when telling the user its notes raises."""
    from resnet_studio.measure.lr_find import find_lr
    from resnet_studio.train import setup
    from resnet_studio.train.setup import TrainingSetup

    have = torch.get_num_threads()
    other = 1 if have != 1 else 2
    cfg = TrainConfig.from_dict({**config(1).to_dict(), "threads": other})  # a note says so
    try:
        with TrainingSetup.build(NOISY, cfg) as built:
            assert setup.claims() == 1 and any("thread count" in n for n in built.notes)
        assert setup.claims() == 0
        torch.set_num_threads(have)  # so that the LR finder's set-up has the same note
        told = []

        def broken(text):
            told.append(text)
            raise RuntimeError("the note's receiver is gone")

        with pytest.raises(RuntimeError, match="receiver is gone"):
            find_lr(NOISY, cfg, steps=3, note=broken)
        assert told and "thread count" in told[0]
        assert setup.claims() == 0

        def out_of_memory(*args, **kwargs):
            raise torch.OutOfMemoryError("CUDA out of memory")

        monkeypatch.setattr("resnet_studio.measure.lr_find.range_test", out_of_memory)
        with pytest.raises(TrainError, match="Out of memory"):
            find_lr(NOISY, cfg, steps=3)
        assert setup.claims() == 0
    finally:
        torch.set_num_threads(have)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_cuda_run_draws_on_the_gpu_without_a_sync_per_step():
    seen = Steps()
    generators = []

    class Generator(Callback):
        def on_run_start(self, trainer, info):
            generators.append(trainer.setup.generator.device.type)

    cfg = TrainConfig.from_dict(
        {**config(1).to_dict(), "device": "cuda", "epochs": 3, "report_interval": 1e9}
    )
    spec = NOISY.replace(input_size=32)
    torch.cuda.set_sync_debug_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            end = Trainer(spec, cfg, [seen, Generator()]).run()
    finally:
        torch.cuda.set_sync_debug_mode(0)
    assert end.status == "finished", end.reason
    assert generators == ["cuda"]
    syncs = [w for w in caught if "synchroniz" in str(w.message)]
    assert len(syncs) < len(seen.steps) // 4, [str(w.message) for w in syncs[:3]]

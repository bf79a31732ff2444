"""The memory check every allocating job calls: a job that cannot fit is refused with one sentence
naming the largest batch that fits, and that batch is then accepted; no torch is needed for it."""

import re
import subprocess
import sys

import pytest

from resnet_studio import ArchSpec
from resnet_studio.core import analyze
from resnet_studio.train.errors import TrainError
from resnet_studio.train.memory import (
    SAFETY,
    check_fits,
    estimated_training_bytes,
    fitting_batch,
    free_bytes,
    job_bytes,
    largest_fitting,
    smaller_batch_advice,
)

BIG = ArchSpec.from_preset("resnet152")  # at 224×224


def _named_batch(message: str) -> int:
    found = re.search(r"use a batch size of (\d+) or less", message)
    assert found, message
    return int(found.group(1))


def test_the_cpu_reports_its_available_memory():
    free = free_bytes("cpu")
    assert free is not None and free > 0
    total = int(open("/proc/meminfo").read().split("MemTotal:")[1].split()[0]) * 1024
    assert free <= total


@pytest.mark.parametrize("job", ["train", "infer", "gradcam"])
def test_an_absurd_batch_is_refused_naming_a_batch_that_is_then_accepted(job):
    free = free_bytes("cpu")
    with pytest.raises(TrainError) as refused:
        check_fits(BIG, 4096, "cpu", job)
    message = str(refused.value)
    assert "A batch of 4096 needs about" in message and "free on the CPU" in message
    best = _named_batch(message)
    assert 1 <= best < 4096
    check_fits(BIG, best, "cpu", job)  # applied, the advice is accepted
    assert job_bytes(BIG, best, job) <= free


def test_the_named_batch_is_the_largest_the_estimate_lets_fit():
    room = 8 * 10**9
    with pytest.raises(TrainError) as refused:
        check_fits(BIG, 512, "cpu", free=room)
    best = _named_batch(str(refused.value))
    check_fits(BIG, best, "cpu", free=room)
    assert job_bytes(BIG, best, "train") <= 0.9 * room < job_bytes(BIG, best + 1, "train")
    assert largest_fitting(BIG, int(0.9 * room)) == best


def test_when_not_even_the_least_batch_fits_no_batch_is_suggested():
    with pytest.raises(TrainError) as refused:
        check_fits(BIG, 1, "cpu", free=10**6)
    message = str(refused.value)
    assert message.startswith("Even a batch of 1 needs about")
    assert "smaller input" in message and "batch size of" not in message


def test_the_estimate_is_the_analysis_figure_with_a_margin():
    totals = analyze(BIG, 8).totals
    raw = 3 * totals.param_bytes + totals.buffer_bytes + totals.activation_bytes
    assert estimated_training_bytes(BIG, 8) == raw
    assert job_bytes(BIG, 8, "train") == int(raw * SAFETY)
    assert job_bytes(BIG, 8, "infer") < job_bytes(BIG, 8, "gradcam") < job_bytes(BIG, 8)


def test_evaluation_takes_the_largest_batch_that_fits_instead_of_refusing():
    room = 2 * 10**9
    n = fitting_batch(BIG, 4096, "cpu", "infer", free=room)
    assert 1 <= n < 4096
    check_fits(BIG, n, "cpu", "infer", free=room)
    assert fitting_batch(BIG, 2, "cpu", "infer", free=room) == 2
    with pytest.raises(TrainError, match="Even a batch of 1"):
        fitting_batch(BIG, 4, "cpu", "infer", free=10**6)


def test_out_of_memory_advice_never_names_a_batch_that_cannot_help():
    assert smaller_batch_advice(1) == "use a smaller input or a narrower network"
    assert smaller_batch_advice(3, least=2) == "use a smaller input or a narrower network"
    assert smaller_batch_advice(64) == "try a batch size of 32 or less"
    assert "1 or less" not in smaller_batch_advice(2, least=2)


def test_the_check_does_not_import_torch():
    code = (
        "import sys\n"
        "from resnet_studio import ArchSpec\n"
        "from resnet_studio.train.memory import check_fits\n"
        "check_fits(ArchSpec.from_preset('resnet18'), 2, 'cpu')\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


TINY = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)
ABSURD = 10**8  # images in a batch: terabytes of activations, even for a tiny network


def test_training_refuses_an_absurd_batch_before_building_the_model():
    from resnet_studio.train import TrainConfig, Trainer

    config = TrainConfig(epochs=1, batch_size=ABSURD, device="cpu", threads=1, seed=0)
    trainer = Trainer(TINY, config, [])
    end = trainer.run()
    assert end.status == "failed"
    assert f"A batch of {ABSURD} needs about" in end.reason
    assert trainer.model is None  # refused before the model was built
    check_fits(TINY, _named_batch(end.reason), "cpu", "train")


def test_the_lr_finder_refuses_an_absurd_batch():
    from resnet_studio.measure.lr_find import find_lr
    from resnet_studio.train import TrainConfig

    config = TrainConfig(batch_size=ABSURD, device="cpu", threads=1, seed=0)
    with pytest.raises(TrainError, match=f"A batch of {ABSURD} needs about") as refused:
        find_lr(TINY, config, steps=10)
    check_fits(TINY, _named_batch(str(refused.value)), "cpu", "train")


def test_evaluation_in_batches_that_fit_gives_the_same_predictions():
    import torch

    from resnet_studio.core import build_model
    from resnet_studio.inspect.confusion import evaluate

    class Val:  # a validation set of 6 images in the shape ValidationSet hands out
        spec, classes = TINY, [str(i) for i in range(TINY.num_classes)]
        x = torch.randn(6, 1, 8, 8, generator=torch.Generator().manual_seed(0))
        y = torch.arange(6) % TINY.num_classes

        def __len__(self):
            return 6

        def batches(self, n):
            for i in range(0, 6, n):
                yield self.x[i : i + n], self.y[i : i + n]

    model = build_model(TINY).eval()
    whole = evaluate(model, Val(), 6)
    assert fitting_batch(TINY, ABSURD, "cpu", "infer") < ABSURD
    huge = evaluate(model, Val(), ABSURD)  # refused as asked, run in batches that fit
    assert (huge.predicted == whole.predicted).all()

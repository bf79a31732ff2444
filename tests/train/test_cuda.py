"""CUDA paths: AMP, channels_last, no per-step sync, a real out-of-memory. Skipped without a GPU."""

import warnings

import pytest
import torch

from resnet_studio import ArchSpec
from resnet_studio.train import Callback, TrainConfig, Trainer, list_devices

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

SPEC = ArchSpec.from_preset("resnet18", in_channels=1, input_size=32, num_classes=10)


class Epochs(Callback):
    def __init__(self):
        self.epochs, self.info = [], None

    def on_run_start(self, trainer, info):
        self.info = info

    def on_epoch_end(self, trainer, m):
        self.epochs.append(m)


def test_devices_list_the_gpu():
    gpus = [d for d in list_devices() if d.id.startswith("cuda:")]
    assert gpus and gpus[0].available and gpus[0].memory_bytes > 2**30


@pytest.mark.parametrize("amp", ["bf16", "fp16", "off"])
def test_amp_modes_learn_on_cuda(amp):
    c = Epochs()
    end = Trainer(SPEC, TrainConfig(epochs=3, device="cuda", amp=amp, lr=0.05), [c]).run()
    assert end.status == "finished", end.reason
    assert c.epochs[-1].train_loss < c.epochs[0].train_loss
    assert c.epochs[-1].val_accuracy > 0.8
    assert "channels_last" in c.info.details.device
    assert (f"AMP {amp}" in c.info.details.device) == (amp != "off")


def test_metrics_do_not_sync_the_device_every_step():
    steps = []

    class Count(Callback):
        def on_steps(self, trainer, s):
            steps.extend(s)

    torch.cuda.set_sync_debug_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            Trainer(
                SPEC, TrainConfig(epochs=3, device="cuda", report_interval=1e9), [Count()]
            ).run()
    finally:
        torch.cuda.set_sync_debug_mode(0)
    syncs = [w for w in caught if "synchroniz" in str(w.message)]
    print(f"{len(steps)} steps, {len(syncs)} synchronising calls")
    assert len(steps) == 78 and len(syncs) < len(steps) // 4


def test_out_of_memory_is_a_sentence_and_the_next_run_works():
    big = ArchSpec.from_preset("resnet50", input_size=384, num_classes=10)
    end = Trainer(
        big,
        TrainConfig(
            dataset="synthetic",
            synthetic_size=8192,
            batch_size=8192,
            epochs=1,
            device="cuda",
            val_fraction=0.0,
            amp="off",
        ),
    ).run()
    assert end.status == "failed"
    assert "memory" in end.reason and "batch size 2048" in end.reason and "1024" in end.reason
    assert Trainer(SPEC, TrainConfig(epochs=1, device="cuda")).run().status == "finished"

"""A small digits run trained once per test session with the real Trainer and RunRecorder, and
read-only copies of it (a fixtures module: tests import it; it holds no tests)."""

import shutil
from pathlib import Path

from resnet_studio import ArchSpec

TINY = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)


def small_spec(input_size: int) -> ArchSpec:
    """A resnet18 cut to one block in two stages of 8 and 16 channels, with a CIFAR stem, for
    1-channel 10-class inputs of ``input_size`` (the profiler's and LR finder's tests)."""
    return ArchSpec.from_preset(
        "resnet18",
        layers=(1, 1),
        widths=(8, 16),
        stem="cifar",
        in_channels=1,
        input_size=input_size,
        num_classes=10,
    )


_trained: list[Path] = []


def trained_run(root: Path) -> Path:
    """The folder of a 2-epoch digits run (trained under ``root`` the first time asked)."""
    if not _trained:
        from resnet_studio.train import RunRecorder, TrainConfig, Trainer

        run = Path(root) / "20260101-000000-tiny-digits"
        config = TrainConfig(epochs=2, batch_size=64, device="cpu", threads=2, seed=0)
        end = Trainer(TINY, config, [RunRecorder(run)], run_dir=str(run)).run()
        assert end.status == "finished", end.reason
        _trained.append(run)
    return _trained[0]


def copy_run(root: Path, into: Path) -> Path:
    """A copy of the trained run inside ``into`` (a runs folder of a test's own)."""
    src = trained_run(root)
    into.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copytree(src, into / src.name))

"""Images/s of our trainer against a bare PyTorch loop: same model, data, device and precision.

Each trial trains two epochs of synthetic data with each loop, alternating, and times the second
epoch (the first warms up cuDNN and the allocator). The bare loop is as lean as PyTorch allows:
pre-shuffled tensors on the device, sliced, no metrics, no callbacks. Reports the medians and
their ratio. On CUDA it also compares AMP (bf16) + channels_last with fp32.

    .venv/bin/python bench/train_overhead.py                     # CPU: resnet18 at 32×32
    .venv/bin/python bench/train_overhead.py --device cuda --model resnet50 --input-size 224 \\
        --batch-size 128 --steps 40
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from resnet_studio import ArchSpec, build_model
from resnet_studio.train import Callback, TrainConfig, Trainer


class _EpochTimes(Callback):
    def __init__(self) -> None:
        self.seconds: list[float] = []

    def on_epoch_end(self, trainer, m) -> None:  # noqa: ANN001
        self.seconds.append(m.seconds)


def ours(spec: ArchSpec, args: argparse.Namespace, amp: str, channels_last: bool) -> float:
    times = _EpochTimes()
    cfg = TrainConfig(
        dataset="synthetic",
        synthetic_size=args.steps * args.batch_size,
        val_fraction=0.0,
        epochs=2,
        batch_size=args.batch_size,
        lr=0.01,
        schedule="cosine",
        device=args.device,
        amp=amp,
        channels_last=channels_last,
        seed=0,
    )
    end = Trainer(spec, cfg, [times]).run()
    assert end.status == "finished", end.reason
    return args.steps * args.batch_size / times.seconds[1]


def bare(spec: ArchSpec, args: argparse.Namespace, amp: str, channels_last: bool) -> float:
    device = torch.device("cuda:0" if args.device.startswith("cuda") else args.device)
    torch.manual_seed(0)
    model = build_model(spec).to(device)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    opt = torch.optim.SGD(
        model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4
    )
    n = args.steps * args.batch_size
    x = torch.randn(n, spec.in_channels, *spec.input_size, device=device)
    y = torch.randint(0, spec.num_classes, (n,), device=device)
    criterion = nn.CrossEntropyLoss()
    dtype = {"bf16": torch.bfloat16, "off": None}[amp]
    seconds = 0.0
    for _epoch in range(2):
        perm = torch.randperm(n, device=device)
        xs, ys = x[perm].contiguous(memory_format=fmt), y[perm]
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        for i in range(0, n, args.batch_size):
            with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                loss = criterion(model(xs[i : i + args.batch_size]), ys[i : i + args.batch_size])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - t
    return n / seconds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="resnet18")
    p.add_argument("--input-size", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--steps", type=int, default=16, help="steps per epoch")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    if args.device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True
    spec = ArchSpec.from_preset(args.model, input_size=args.input_size, num_classes=10)
    dev = (
        torch.cuda.get_device_name(0)
        if args.device.startswith("cuda")
        else f"CPU, {torch.get_num_threads()} threads"
    )
    print(
        f"{args.model} at {args.input_size}², batch {args.batch_size}, {args.steps} steps per "
        f"epoch, {dev}, torch {torch.__version__}; medians of {args.repeat}"
    )
    modes = [("fp32", "off", False)]
    if args.device.startswith("cuda"):
        modes.append(("bf16+channels_last", "bf16", True))
    results = {}
    for label, amp, cl in modes:
        a, b = [], []
        for i in range(args.repeat):  # alternate which goes first, against drift
            if i % 2:
                a.append(ours(spec, args, amp, cl))
                b.append(bare(spec, args, amp, cl))
            else:
                b.append(bare(spec, args, amp, cl))
                a.append(ours(spec, args, amp, cl))
        ma, mb = statistics.median(a), statistics.median(b)
        ratios = sorted(x / y for x, y in zip(a, b, strict=True))
        results[label] = (ma, mb)
        print(
            f"{label:<20} ours {ma:>9,.0f} img/s   bare loop {mb:>9,.0f} img/s   "
            f"ratio of medians {ma / mb:.3f}; per-trial ratios median "
            f"{statistics.median(ratios):.3f} (from {ratios[0]:.3f} to {ratios[-1]:.3f})",
            flush=True,
        )
    if len(results) > 1:
        fast, slow = results["bf16+channels_last"][0], results["fp32"][0]
        print(f"AMP bf16 + channels_last against fp32 (ours): {fast / slow:.2f}× the images/s")


if __name__ == "__main__":
    main()

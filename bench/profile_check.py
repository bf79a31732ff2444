"""Is the profiler honest? Its images/s against a bare timing loop, and its per-stage times
against the whole forward pass, on the same model and device, side by side in one process.

Each round runs the profiler (``profile_spec``, no sweep) and then bare loops written here with
plain torch on a model of their own: ``n`` inference calls under ``inference_mode``, ``n`` SGD
steps (and the forward pass of each, with the loss), a clock around each call (synchronised
on CUDA), the median of the calls (the profiler's statistic too: on this shared machine a mean
follows whatever else runs). It reports the median over rounds of each ratio. Goals: images/s
within 5%; per-stage forward times summing to within 10% of the bare whole forward.

    .venv/bin/python bench/profile_check.py                               # CPU: resnet18 at 96
    .venv/bin/python bench/profile_check.py --device cuda --model resnet50 --input-size 224 \\
        --batch-size 64 --dtype bf16 --rounds 5 --repeats 20
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

import torch

from resnet_studio import ArchSpec, build_model
from resnet_studio.measure.profile import profile_spec
from resnet_studio.train.devices import resolve_device


def bare(spec: ArchSpec, args: argparse.Namespace) -> tuple[float, float, float]:
    """Inference and training images/s, and training-mode forward ms, of plain loops on a model
    of their own: a clock around each call (synchronised on CUDA), the median of the calls."""
    device = resolve_device(args.device)
    torch.manual_seed(0)
    cuda = device.type == "cuda"
    fmt = torch.channels_last if cuda else torch.contiguous_format
    model = build_model(spec).to(device, memory_format=fmt)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    n, b = args.repeats, args.batch_size
    x = torch.randn(b, spec.in_channels, *spec.input_size, device=device)
    x = x.contiguous(memory_format=fmt)
    y = torch.randint(0, spec.num_classes, (b,), device=device)
    loss_fn = torch.nn.CrossEntropyLoss()
    amp = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(args.dtype)

    def autocast():  # noqa: ANN202
        return torch.autocast(device.type, dtype=amp) if amp else contextlib.nullcontext()

    def median_seconds(body) -> float:  # noqa: ANN001
        for _ in range(args.warmup):
            body()
        if cuda:
            torch.cuda.synchronize()
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            body()
            if cuda:
                torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    def infer() -> None:
        with torch.inference_mode(), autocast():
            model(x)

    forwards: list[float] = []

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        t0 = time.perf_counter()
        with autocast():
            loss = loss_fn(model(x), y)
        if cuda:
            torch.cuda.synchronize()
        forwards.append(time.perf_counter() - t0)  # the step's forward pass, with the loss
        loss.backward()
        opt.step()

    model.eval()
    t_inf = median_seconds(infer)
    model.train()
    t_step = median_seconds(step)
    return b / t_inf, b / t_step, 1000 * statistics.median(forwards[args.warmup :])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="resnet18")
    p.add_argument("--input-size", type=int, default=96)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--device", default="cpu")
    p.add_argument("--dtype", default="fp32")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, help="torch intra-op threads")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    spec = ArchSpec.from_preset(args.model, input_size=args.input_size)
    ratios: dict[str, list[float]] = {"inference": [], "training": [], "stages": []}
    print(
        f"{args.model} at {args.input_size}, batch {args.batch_size}, {args.dtype} on "
        f"{args.device}, {torch.get_num_threads()} threads; {args.rounds} rounds of "
        f"{args.repeats} repeats"
    )
    print(
        f"{'round':>5} {'profiler inf':>13} {'bare inf':>9} {'profiler train':>15} "
        f"{'bare train':>11} {'stage sum ms':>13} {'bare fwd ms':>12}"
    )
    for r in range(args.rounds):
        prof = profile_spec(
            spec,
            args.device,
            args.batch_size,
            args.dtype,
            repeats=args.repeats,
            warmup=args.warmup,
            sweep=(),
            find_largest=False,
        )
        inf, train, fwd = bare(spec, args)
        ratios["inference"].append(prof.inference_img_s / inf)
        ratios["training"].append(prof.train_img_s / train)
        ratios["stages"].append(prof.stage_forward_sum_ms / fwd)
        print(
            f"{r + 1:>5} {prof.inference_img_s:>13.1f} {inf:>9.1f} {prof.train_img_s:>15.1f} "
            f"{train:>11.1f} {prof.stage_forward_sum_ms:>13.2f} {fwd:>12.2f}"
        )
    print("median ratios (goal: images/s within 5%, stage sum within 10%)")
    for name, values in ratios.items():
        what = "stage sum / bare forward" if name == "stages" else f"{name} img/s profiler / bare"
        print(f"  {what:<34} {statistics.median(values):.3f}")


if __name__ == "__main__":
    main()

"""Is the profiler honest? Its images/s against a bare timing loop, and its per-stage times
against the whole forward pass, on the same model and device, side by side in one process.

Each round runs the profiler (``profile_spec``, no sweep) and then bare loops on a model of their
own: ``n`` inference calls under ``inference_mode``, ``n`` SGD steps, ``n`` training-mode forward
passes with the loss, each timed as a whole (one clock around the loop, synchronised at the end
on CUDA), so the bare figure is a mean where the profiler's is a median of single calls. It
reports the median over rounds of each ratio. Goals: images/s within 5%; per-stage forward
times summing to within 10% of the bare whole forward.

    .venv/bin/python bench/profile_check.py                               # CPU: resnet18 at 96
    .venv/bin/python bench/profile_check.py --device cuda --model resnet50 --input-size 224 \\
        --batch-size 64 --dtype bf16 --rounds 5 --repeats 20
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from resnet_studio import ArchSpec
from resnet_studio.inspect.profile import profile_spec
from resnet_studio.inspect.profile_bench import Bench, sync
from resnet_studio.train.devices import resolve_device


def bare(spec: ArchSpec, args: argparse.Namespace) -> tuple[float, float, float]:
    """Inference and training images/s, and training-mode forward ms, of plain loops."""
    device = resolve_device(args.device)
    bench = Bench(spec, device, args.dtype, device.type == "cuda")
    model, opt, n, b = bench.model, bench.opt, args.repeats, args.batch_size
    x, y = bench.batch(b)
    loss_fn = torch.nn.CrossEntropyLoss()

    def loop(body) -> float:  # noqa: ANN001
        for _ in range(args.warmup):
            body()
        sync(device)
        t0 = time.perf_counter()
        for _ in range(n):
            body()
        sync(device)
        return (time.perf_counter() - t0) / n

    def infer() -> None:
        with torch.inference_mode(), bench.autocast():
            model(x)

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        with bench.autocast():
            loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    def forward() -> None:
        with bench.autocast():
            loss_fn(model(x), y)

    model.eval()
    t_inf = loop(infer)
    model.train()
    t_step = loop(step)
    t_fwd = loop(forward)
    return b / t_inf, b / t_step, 1000 * t_fwd


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

"""``resnet-studio profile``: the spec's measured cost on a device, beside the arithmetic.

Images per second for inference and training, the peak memory of a training step beside the
analysis's estimate, time per stage beside its share of the MACs, a batch-size sweep, and on
CUDA the largest batch that fits (see :mod:`resnet_studio.measure.profile`). The result is kept
in the profile cache, where the window's Explorer and Compare view find it. Torch is imported
when the command runs.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..core.format import human_bytes
from ..core.presets import spec_label
from .options import add_spec_options, spec_from_args, whole


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of batch sizes") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("batch sizes must be at least 1")
    return sizes


def add_parser(sub: Any) -> None:
    s = sub.add_parser(
        "profile",
        help="measure speed, memory and time per stage on a device",
        description="Measure an architecture on a device: images/s for inference and "
        "training, the peak memory of a training step beside the analysis's estimate, time "
        "per stage beside its share of MACs, and a batch-size sweep.",
    )
    add_spec_options(s)
    g = s.add_argument_group("measurement")
    g.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    g.add_argument("--batch-size", type=whole(1), default=32)
    g.add_argument(
        "--dtype", default="fp32", choices=("fp32", "bf16", "fp16"), help="autocast dtype"
    )
    g.add_argument("--repeats", type=whole(1), default=10, help="timed repeats (medians)")
    g.add_argument("--warmup", type=whole(0), default=3, help="untimed calls first")
    g.add_argument(
        "--channels-last",
        type=lambda t: t.lower() in ("1", "true", "yes", "on"),
        metavar="BOOL",
        help="NHWC memory format (default: on for CUDA)",
    )
    g.add_argument(
        "--sweep",
        type=_sizes,
        metavar="SIZES",
        help="batch sizes to sweep, e.g. 1,8,32 (default: powers of two up to twice --batch-size)",
    )
    g.add_argument("--no-sweep", action="store_true", help="skip the batch-size sweep")
    g.add_argument(
        "--no-largest", action="store_true", help="skip the search for the largest batch (CUDA)"
    )
    g.add_argument("--threads", type=whole(1), help="torch intra-op threads (default: all cores)")
    s.add_argument("--json", action="store_true", help="print the profile as JSON")
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    if args.device == "cpu" and args.batch_size >= 1:  # a batch that cannot fit: refused at once,
        from ..train.memory import check_fits  # before torch takes seconds to load

        check_fits(spec, args.batch_size, "cpu", "train", args.dtype)
    from ..measure.profile import profile_spec
    from ..measure.profile_cache import ProfileCache
    from ..train.setup import claim_threads

    _, release = claim_threads(args.threads)  # the thread count is the process's, as a run's
    try:
        p = profile_spec(
            spec,
            args.device,
            args.batch_size,
            args.dtype,
            channels_last=args.channels_last,
            repeats=args.repeats,
            warmup=args.warmup,
            sweep=() if args.no_sweep else args.sweep,
            find_largest=not args.no_largest,
        )
    finally:
        release()
    ProfileCache().put(p)
    if args.json:
        print(json.dumps(p.to_dict(), indent=2))
        return 0
    print(profile_text(p, spec_label(spec, args.preset)))
    return 0


def profile_text(p: Any, title: str) -> str:
    """The profile as the terminal shows it."""
    lines = [
        f"{title} on {p.device} ({p.device_name}) · batch {p.batch_size} · {p.dtype}"
        + (" · channels_last" if p.channels_last else ""),
        f"medians of {p.repeats} after warm-up",
        f"inference  {p.inference_img_s:10.1f} img/s   {p.inference_ms:8.2f} ms a batch",
        f"training   {p.train_img_s:10.1f} img/s   {p.train_step_ms:8.2f} ms a step "
        "(forward, backward, SGD)",
    ]
    est = human_bytes(p.estimated_memory_bytes)
    if p.peak_memory_bytes is None:
        lines.append(f"peak memory: not measured ({p.memory_method}); estimate {est}")
    else:
        lines.append(
            f"peak memory of a training step: {human_bytes(p.peak_memory_bytes)} measured, "
            f"{est} estimated (measured/estimated {p.memory_ratio:.2f})"
        )
        lines.append(f"  measured by the {p.memory_method[0].lower()}{p.memory_method[1:]}")
    total = p.stage_forward_sum_ms or 1.0
    lines.append("")
    lines.append(f"{'stage':<10}{'forward':>11}{'backward':>11}{'fwd %':>8}{'MACs %':>8}")
    for s in p.stages:
        back = f"{s.backward_ms:8.2f} ms" if s.backward_ms is not None else f"{'–':>11}"
        lines.append(
            f"{s.name:<10}{s.forward_ms:8.2f} ms{back}"
            f"{100 * s.forward_ms / total:7.1f}%{100 * s.macs_share:7.1f}%"
        )
    lines.append(
        f"stages sum to {p.stage_forward_sum_ms:.2f} ms; the whole forward takes "
        f"{p.forward_ms:.2f} ms"
    )
    if p.sweep:
        lines.append("")
        lines.append(f"{'batch':>6}{'inference img/s':>17}{'training img/s':>16}")
        for pt in p.sweep:
            if pt.inference_img_s is None or pt.train_img_s is None:
                lines.append(f"{pt.batch_size:>6}  {pt.note}")
            else:
                lines.append(
                    f"{pt.batch_size:>6}{pt.inference_img_s:>17.1f}{pt.train_img_s:>16.1f}"
                )
    if p.largest_batch_note:
        lines.append("")
        lines.append(p.largest_batch_note)
    for note in p.notes:  # measurements that contradicted each other, and what was done
        lines.append("")
        lines.append(note)
    return "\n".join(lines)

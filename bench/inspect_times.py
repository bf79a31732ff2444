"""How long the inspector takes for one image (issue 15: resnet18 at 224 within a second on
this CPU): the prediction, Grad-CAM at the default layer, both from one forward pass
(``look_at``), the feature maps of every stage, and what the Inspect tab asks for when an image
is chosen (prediction, Grad-CAM and the first stage's feature maps, one forward pass).

The weights are a fresh build's (the time does not depend on their values), in eval mode with
gradients off, as an inspected run's are. Each row is the median (and the least) of
``--repeat`` calls after one warm-up call; torch uses ``--threads`` threads (default: all cores).

Run: ``.venv/bin/python bench/inspect_times.py [--preset resnet18] [--size 224] [--repeat 20]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    fn()  # warm-up: the first call pays for allocations
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="resnet18")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    a = p.parse_args()

    import torch

    from resnet_studio import ArchSpec
    from resnet_studio.core.builder import build_model
    from resnet_studio.inspect.features import feature_maps, stage_names
    from resnet_studio.inspect.gradcam import default_layer, grad_cam
    from resnet_studio.inspect.image import look_at
    from resnet_studio.inspect.predict import predict

    torch.set_num_threads(a.threads)
    spec = ArchSpec.from_preset(a.preset, input_size=a.size)
    model = build_model(spec).eval().requires_grad_(False)
    x = torch.randn(1, spec.in_channels, *spec.input_size)
    classes = [str(i) for i in range(spec.num_classes)]
    layer, _ = default_layer(spec)
    assert layer is not None
    stages = stage_names(spec)
    rows = {
        "prediction (top classes)": lambda: predict(model, x, classes),
        f"Grad-CAM at {layer}": lambda: grad_cam(model, spec, x, layer),
        "prediction + Grad-CAM (look_at)": lambda: look_at(model, spec, x, classes),
        "feature maps of every stage": lambda: feature_maps(model, x, stages),
        "the Inspect tab's request": lambda: look_at(model, spec, x, classes, features=stages[:1]),
    }
    print(
        f"{a.preset} at {a.size}×{a.size}, {a.threads} thread(s), torch {torch.__version__}, "
        f"median (least) of {a.repeat}"
    )
    for name, fn in rows.items():
        median, least = timed(fn, a.repeat)
        print(f"  {name:<34} {1000 * median:8.1f} ms  ({1000 * least:.1f} ms)")


if __name__ == "__main__":
    main()

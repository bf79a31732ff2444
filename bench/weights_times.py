"""Pretrained weights, timed beside their references in one process (medians of --repeat):

- listing the catalogue (``resnet-studio weights --json``, a fresh process) against
  ``resnet-studio --version`` (the command line's own start-up);
- hashing a resnet50-sized file (torchvision's resnet50 state_dict, ~98 MB) the first time
  (``verify.sha256_of``) against hashlib reading the same file, and the second time (remembered
  by size and mtime);
- a photo's top-5 with Grad-CAM through ``inspect.pretrained.look``: cold (verify, read, build,
  load, look) and warm (the same weights, another photo), against torchvision's own model and
  ``weights.transforms()`` on the same photo (a forward pass, no Grad-CAM).

Run: ``PYTHONPATH=. .venv/bin/python bench/weights_times.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="weights-bench-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "TORCH_HOME": str(work / "th")}
    os.environ.update(env)

    def cli(*args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "resnet_studio.cli", *args],
            env=env,
            check=True,
            capture_output=True,
        )

    listing = median(lambda: cli("weights", "--json"), a.repeat)
    startup = median(lambda: cli("--version"), a.repeat)
    print(
        f"catalogue listing     {listing * 1000:7.0f} ms   (`--version`: {startup * 1000:.0f} ms,"
        f" ratio {listing / startup:.2f})"
    )

    import numpy as np
    import torch
    import torchvision
    from PIL import Image

    from resnet_studio.weights import verify

    torch.manual_seed(0)
    model = torchvision.models.resnet50()
    file = work / "resnet50.pth"
    torch.save(model.state_dict(), file)
    size = file.stat().st_size

    def plain() -> str:
        h = hashlib.sha256()
        with open(file, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        return h.hexdigest()

    def cold() -> str:
        verify._memo_file().unlink(missing_ok=True)
        return verify.sha256_of(file)

    ref = median(plain, a.repeat)
    first = median(cold, a.repeat)
    again = median(lambda: verify.sha256_of(file), a.repeat)
    print(
        f"hash {size / 1e6:.0f} MB first time {first * 1000:7.0f} ms   (hashlib alone: "
        f"{ref * 1000:.0f} ms, ratio {first / ref:.2f}); remembered: {again * 1000:.2f} ms"
    )

    digest = verify.sha256_of(file)
    named = work / f"resnet50-{digest[:8]}.pth"
    file.rename(named)
    rng = np.random.RandomState(0)
    photos = []
    for i in range(a.repeat + 1):
        img = Image.fromarray(rng.randint(0, 255, (12, 16, 3), dtype=np.uint8)).resize((640, 480))
        photos.append(work / f"photo{i}.png")
        img.save(photos[-1])
    from resnet_studio.inspect import pretrained

    def top5_cold() -> object:
        pretrained._OPEN.clear()
        verify._memo_file().unlink(missing_ok=True)
        return pretrained.look(str(named), "resnet50", photos[0])

    t_cold = median(top5_cold, a.repeat)
    pretrained.look(str(named), "resnet50", photos[0])
    k = iter(range(1, 10**6))
    t_warm = median(
        lambda: pretrained.look(str(named), "resnet50", photos[next(k) % len(photos)]), a.repeat
    )
    tf = torchvision.models.ResNet50_Weights.DEFAULT.transforms()
    model.eval()

    def reference() -> object:
        with torch.no_grad():
            return model(tf(Image.open(photos[1]).convert("RGB"))[None]).softmax(1).topk(5)

    t_ref = median(reference, a.repeat)
    print(
        f"photo → top-5 + Grad-CAM, resnet50: cold {t_cold * 1000:.0f} ms, warm "
        f"{t_warm * 1000:.0f} ms   (torchvision's model + transforms, forward only: "
        f"{t_ref * 1000:.0f} ms; warm ratio {t_warm / t_ref:.2f})"
    )
    print(f"torch threads {torch.get_num_threads()}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

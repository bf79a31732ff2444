"""``rs.show("resnet50")`` in a notebook: how long its cell takes to render after the import,
against torchinfo's summary of torchvision's resnet50 (the text a notebook user prints today).

Each sample is a fresh process (a cold cell: nothing cached), in turn with the reference; the
table gives the medians and the ratio. Rendering is what the notebook asks of the object: its
mime bundle (HTML with the stage table and the inline SVG diagram, SVG, text). The goal
(issue 23): under 0.2 s after import. Run: ``.venv/bin/python bench/notebook_render.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

OURS = """
import json, time
import resnet_studio as rs
t = time.perf_counter()
bundle = rs.show("resnet50")._repr_mimebundle_()
cold = time.perf_counter() - t
t = time.perf_counter()
rs.show("resnet50")._repr_mimebundle_()
warm = time.perf_counter() - t
print(json.dumps({"cold": cold, "warm": warm, "bytes": len(bundle["text/html"])}))
"""
REFERENCE = """
import json, time
import torchinfo, torchvision
model = torchvision.models.resnet50()
t = time.perf_counter()
str(torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0))
print(json.dumps({"cold": time.perf_counter() - t}))
"""


def sample(code: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()
    ours, ref = [], []
    for _ in range(a.repeat):
        ours.append(sample(OURS))
        ref.append(sample(REFERENCE))
    cold = statistics.median(x["cold"] for x in ours)
    warm = statistics.median(x["warm"] for x in ours)
    tinfo = statistics.median(x["cold"] for x in ref)
    print(f"rs.show('resnet50') rendered, after import (median of {a.repeat} fresh processes):")
    print(
        f"  cold {1000 * cold:.0f} ms, warm {1000 * warm:.1f} ms "
        f"({ours[0]['bytes']:,} bytes of HTML)"
    )
    print(f"  torchinfo.summary(torchvision resnet50): {1000 * tinfo:.0f} ms")
    print(f"  ratio cold / torchinfo: {cold / tinfo:.2f}×  (goal: cold under 200 ms)")


if __name__ == "__main__":
    main()

"""The README's table of timm's presets: our parameters and MACs beside timm's own model's.

For each preset of the timm family, at timm's default input size: parameters of
``timm.create_model(name)`` and torchinfo's mult-adds on it, beside ``analyze`` of the preset.
Prints a Markdown table. Run: ``.venv/bin/python bench/timm_presets.py`` (timm and torchinfo
are test dependencies; no weights are downloaded).
"""

from __future__ import annotations

import timm
import torch
import torchinfo

from resnet_studio import ArchSpec, analyze
from resnet_studio.core.presets import TIMM_PRESETS


def main() -> None:
    torch.set_num_threads(1)
    print(f"timm {timm.__version__}, torchinfo {torchinfo.__version__}\n")
    print(
        "| preset | input | params | timm's params | MACs | torchinfo's MACs on timm's | Δ MACs |"
    )
    print("|---|---|--:|--:|--:|--:|--:|")
    for name in TIMM_PRESETS:
        spec = ArchSpec.from_preset(name)
        ours = analyze(spec).totals
        model = timm.create_model(name, pretrained=False).eval()
        params = sum(p.numel() for p in model.parameters())
        size = (1, spec.in_channels, *spec.input_size)
        with torch.no_grad():
            macs = torchinfo.summary(model, input_size=size, verbose=0).total_mult_adds
        same = "=" if ours.params == params else "≠"
        print(
            f"| {name} | {spec.input_size[0]} | {ours.params:,} | {same} {params:,} | "
            f"{ours.macs:,} | {macs:,} | {100 * (ours.macs - macs) / macs:+.3f}% |",
            flush=True,
        )


if __name__ == "__main__":
    main()

"""Writes resnet_studio/weights/catalogue.json and imagenet_classes.txt from torchvision's
WeightsEnum metadata and timm's pretrained_cfg (run by hand when either library adds weights;
tests/weights/test_catalogue.py holds the files to both libraries).

    PYTHONPATH=. python tests/weights/make_catalogue.py
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import timm
from torchvision.models import get_model_weights

from resnet_studio.core.analysis import analyze
from resnet_studio.core.presets import TIMM_PRESETS, TORCHVISION_PRESETS
from resnet_studio.core.spec import ArchSpec

OUT = Path(__file__).resolve().parents[2] / "resnet_studio" / "weights"
# the timm weights named in issue 21, besides each timm preset's default weights
EXTRA_TIMM = ("resnet50.a1_in1k", "resnet50d.ra2_in1k", "seresnext50_32x4d.racm_in1k")


def torchvision_entries() -> list[dict]:
    out = []
    for arch in TORCHVISION_PRESETS:
        for w in get_model_weights(arch):
            t = w.transforms()
            version = w.name.rsplit("_", 1)[-1]  # IMAGENET1K_V1 -> V1
            tag = {"V1": "tv_in1k", "V2": "tv2_in1k"}[version]
            out.append(
                {
                    "name": f"{arch}.{tag}",
                    "arch": arch,
                    "source": "torchvision",
                    "torchvision": f"{type(w).__name__}.{w.name}",
                    "top1": w.meta["_metrics"]["ImageNet-1K"]["acc@1"],
                    "top5": w.meta["_metrics"]["ImageNet-1K"]["acc@5"],
                    "params": w.meta["num_params"],
                    "file_mb": w.meta["_file_size"],
                    "recipe": w.meta.get("recipe"),
                    "url": w.url,
                    "file": w.url.rsplit("/", 1)[-1],
                    "hf_repo": None,
                    "preprocess": {
                        "resize": t.resize_size[0],
                        "crop": t.crop_size[0],
                        "interpolation": t.interpolation.value,
                        "mean": list(t.mean),
                        "std": list(t.std),
                    },
                }
            )
    return out


def timm_entries() -> list[dict]:
    names = [f"{a}.{timm.models.get_pretrained_cfg(a).tag}" for a in TIMM_PRESETS]
    names = [n for n in names if not n.endswith(".None")]
    names += [n for n in EXTRA_TIMM if n not in names]
    out = []
    for name in names:
        cfg = timm.models.get_pretrained_cfg(name)
        if cfg is None or cfg.num_classes != 1000 or not cfg.hf_hub_id:
            continue
        arch = name.split(".")[0]
        side = cfg.input_size[-1]
        out.append(
            {
                "name": name,
                "arch": arch,
                "source": "timm",
                "top1": None,  # timm's pretrained_cfg holds no accuracy
                "top5": None,
                "params": analyze(ArchSpec.from_preset(arch)).totals.params,
                "file_mb": None,  # known once downloaded
                "recipe": cfg.origin_url or None,
                "url": f"https://huggingface.co/{cfg.hf_hub_id}",
                "file": "model.safetensors",
                "hf_repo": cfg.hf_hub_id,
                "preprocess": {
                    "resize": math.floor(side / cfg.crop_pct),
                    "crop": side,
                    "interpolation": cfg.interpolation,
                    "mean": list(cfg.mean),
                    "std": list(cfg.std),
                },
            }
        )
    return out


def main() -> None:
    entries = torchvision_entries() + timm_entries()
    (OUT / "catalogue.json").write_text(json.dumps(entries, indent=1) + "\n")
    cats = get_model_weights("resnet18").IMAGENET1K_V1.meta["categories"]
    (OUT / "imagenet_classes.txt").write_text("\n".join(cats) + "\n")
    print(len(entries), "entries")


if __name__ == "__main__":
    main()

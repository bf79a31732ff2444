"""The catalogue held to its sources: torchvision's WeightsEnum (names, top-1, parameters, file
size, recipe, URL, transforms) and timm's pretrained_cfg (preprocessing, Hugging Face repo), and
ImageNet's class names to torchvision's metadata. Listing imports neither torch nor the
network."""

import json
import math
import subprocess
import sys

import pytest
from torchvision.models import get_model_weights

from resnet_studio import ArchSpec, analyze
from resnet_studio.core.presets import PRESETS, TIMM_PRESETS, TORCHVISION_PRESETS
from resnet_studio.train.errors import TrainError
from resnet_studio.weights.catalogue import catalogue, default_for, find, imagenet_classes

ALL_TV = [(arch, w) for arch in TORCHVISION_PRESETS for w in get_model_weights(arch)]


def test_every_torchvision_resnet_weight_is_listed_under_timms_name():
    assert len(ALL_TV) == 17
    names = {e.name for e in catalogue() if e.source == "torchvision"}
    expected = set()
    for arch, w in ALL_TV:
        tag = "tv2_in1k" if w.name.endswith("V2") else "tv_in1k"
        expected.add(f"{arch}.{tag}")
    assert names == expected


@pytest.mark.parametrize(("arch", "w"), ALL_TV, ids=[f"{a}-{w.name}" for a, w in ALL_TV])
def test_torchvision_entries_equal_their_weights_metadata_and_transforms(arch, w):
    tag = "tv2_in1k" if w.name.endswith("V2") else "tv_in1k"
    e = find(f"{arch}.{tag}")
    t = w.transforms()
    assert e.arch == arch and e.source == "torchvision"
    assert e.top1 == w.meta["_metrics"]["ImageNet-1K"]["acc@1"]
    assert e.params == w.meta["num_params"] == analyze(ArchSpec.from_preset(arch)).totals.params
    assert e.file_mb == w.meta["_file_size"]
    assert e.recipe == w.meta["recipe"]
    assert e.url == w.url and w.url.endswith("/" + e.file)
    assert w.url.split("-")[-1].startswith(e.sha256_prefix)
    p = e.preprocess
    assert (p.resize, p.crop) == (t.resize_size[0], t.crop_size[0])
    assert p.interpolation == t.interpolation.value
    assert (list(p.mean), list(p.std)) == (list(t.mean), list(t.std))


def test_the_default_for_a_torchvision_preset_is_torchvisions_default():
    for arch in TORCHVISION_PRESETS:
        default = get_model_weights(arch).DEFAULT
        assert default_for(arch).url == default.url


def test_timm_entries_equal_timms_pretrained_config():
    timm = pytest.importorskip("timm")
    timm_entries = [e for e in catalogue() if e.source == "timm"]
    families = {e.arch for e in timm_entries}
    with_weights = {a for a in TIMM_PRESETS if timm.list_pretrained(f"{a}.*")}
    # every timm preset that timm has 1000-class weights for has one entry at least
    for arch in with_weights:
        if any(
            timm.models.get_pretrained_cfg(n).num_classes == 1000
            for n in timm.list_pretrained(f"{arch}.*")
        ):
            assert arch in families, arch
    for e in timm_entries:
        assert e.name in timm.list_pretrained(e.arch + ".*")
        assert e.arch in PRESETS
        cfg = timm.data.resolve_data_config(
            {}, pretrained_cfg=timm.models.get_pretrained_cfg(e.name).to_dict()
        )
        side = cfg["input_size"][-1]
        p = e.preprocess
        assert p.crop == side == ArchSpec.from_preset(e.arch).input_size[0]
        assert p.resize == math.floor(side / cfg["crop_pct"])
        assert p.interpolation == cfg["interpolation"]
        assert (tuple(p.mean), tuple(p.std)) == (tuple(cfg["mean"]), tuple(cfg["std"]))
        assert e.hf_repo == timm.models.get_pretrained_cfg(e.name).hf_hub_id
        assert e.params == analyze(ArchSpec.from_preset(e.arch)).totals.params


def test_imagenet_class_names_equal_torchvisions_metadata():
    cats = get_model_weights("resnet50").DEFAULT.meta["categories"]
    assert list(imagenet_classes()) == list(cats)


def test_a_misspelt_name_is_one_sentence_with_the_closest():
    with pytest.raises(TrainError, match="did you mean resnet50.tv_in1k"):
        find("resnet50.tv_ink1")


def test_listing_imports_neither_torch_nor_the_network(tmp_path):
    code = (
        "import sys, runpy, socket\n"
        "def no_net(*a, **k): raise AssertionError('network')\n"
        "socket.socket.connect = no_net\n"
        "sys.argv = ['resnet-studio', 'weights', '--json']\n"
        "try:\n"
        "    runpy.run_module('resnet_studio.cli', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'torchvision', 'numpy', 'PySide6', 'urllib3', 'requests'))\n"
        "print('HEAVY', heavy[:5], file=sys.stderr)\n"
    )
    env = {"PATH": "/usr/bin", "XDG_CACHE_HOME": str(tmp_path), "HOME": str(tmp_path)}
    import os

    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "HEAVY []" in r.stderr, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc) == len(catalogue())
    first = doc[0]
    assert {"name", "arch", "source", "top1", "cached", "path"} <= set(first)
    assert first["cached"] is False
    assert first["path"] == str(
        tmp_path / "torch" / "hub" / "checkpoints" / "resnet18-f37072fd.pth"
    )

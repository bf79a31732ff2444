"""The caches as torch.hub and huggingface_hub lay them out and look them up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TORCH_HOME"))}
    env.update(PYTHONPATH=os.pathsep.join(sys.path), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    env.update(extra)
    return env


def test_a_hugging_face_cache_that_timm_loads_is_found_verified_and_gives_timms_output(tmp_path):
    pytest.importorskip("timm")
    r = subprocess.run(
        [sys.executable, str(HERE / "hf_layout_check.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=300,
    )
    assert r.stdout.strip().endswith("OK"), r.stderr[-3000:]


CASES = [
    {},
    {"TORCH_HOME": "{t}/th", "HF_HOME": "{t}/hh"},
    {"HF_HUB_CACHE": "{t}/hc", "HF_HOME": "{t}/hh"},
]


@pytest.mark.parametrize("extra", CASES)
def test_cache_folders_are_torch_hubs_and_huggingface_hubs_own(tmp_path, extra, monkeypatch):
    """torch.hub reads its folder when asked; huggingface_hub when imported (a fresh process)."""
    pytest.importorskip("huggingface_hub")
    import torch.hub

    from resnet_studio.weights.cache import hf_hub_cache, torch_hub_checkpoints

    env = _env(tmp_path, **{k: v.format(t=tmp_path) for k, v in extra.items()})
    for k in ("TORCH_HOME", "HF_HOME", "HF_HUB_CACHE", "XDG_CACHE_HOME"):
        if k in env:
            monkeypatch.setenv(k, env[k])
        else:
            monkeypatch.delenv(k, raising=False)
    assert torch_hub_checkpoints() == Path(torch.hub.get_dir()) / "checkpoints"
    code = "import huggingface_hub.constants as c; print(c.HF_HUB_CACHE)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.stdout.strip() == str(hf_hub_cache()), r.stderr[-2000:]

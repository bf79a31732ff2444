"""Downloading (from a local HTTP server on 127.0.0.1 that serves a file the test makes) and
importing: the file lands where its library looks, verified; a wrong file, a cancel or no
network keeps nothing and says so in one sentence."""

import functools
import http.server
import threading

import pytest
import torch

from resnet_studio.cli import main
from resnet_studio.train.errors import TrainError
from resnet_studio.weights.cache import find_file
from resnet_studio.weights.catalogue import find
from resnet_studio.weights.fetch import Cancelled, download, import_file
from resnet_studio.weights.listing import row

from .helpers import entry_for_file, save_hash_named, sha256


@pytest.fixture
def caches(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    return tmp_path


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/served on 127.0.0.1; yields its base URL."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    httpd.shutdown()
    httpd.server_close()
    t.join()


def _nothing_left(folder):
    return not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_a_download_lands_verified_under_its_name_with_progress(caches, server):
    base, served = server
    made = save_hash_named({"w": torch.randn(1000)}, served, "resnet18")
    entry = entry_for_file(find("resnet18.tv_in1k"), made)
    seen = []
    path = download(
        entry, lambda done, total: seen.append((done, total)), url=f"{base}/{made.name}"
    )
    assert path == caches / "torch" / "hub" / "checkpoints" / made.name
    assert sha256(path) == sha256(made)
    assert seen[-1] == (made.stat().st_size, made.stat().st_size)
    assert find_file(entry) == path and row(entry).cached


def test_a_downloaded_file_that_is_not_the_named_one_is_not_kept(caches, server):
    base, served = server
    torch.save({"w": torch.zeros(3)}, served / "resnet18-f37072fd.pth")
    with pytest.raises(TrainError, match="f37072fd.*nothing was kept"):
        download(find("resnet18.tv_in1k"), url=f"{base}/resnet18-f37072fd.pth")
    assert _nothing_left(caches / "torch")


def test_a_cancelled_download_keeps_nothing(caches, server):
    base, served = server
    made = save_hash_named({"w": torch.randn(200_000)}, served, "resnet18")
    entry = entry_for_file(find("resnet18.tv_in1k"), made)
    with pytest.raises(Cancelled, match="cancelled"):
        download(entry, cancelled=lambda: True, url=f"{base}/{made.name}")
    assert _nothing_left(caches / "torch")


def test_offline_the_download_says_file_folder_and_page(caches, server):
    base, _ = server
    entry = find("resnet50.tv2_in1k")
    with pytest.raises(TrainError) as e:
        download(entry, url=f"{base}/missing.pth")  # a 404: as good as offline
    text = str(e.value)
    assert "resnet50-11ad3fa6.pth" in text and entry.url in text
    assert str(caches / "torch" / "hub" / "checkpoints") in text
    assert _nothing_left(caches / "torch")


def test_a_hugging_face_download_is_stored_as_huggingface_hub_stores_it(caches, server):
    from safetensors.torch import save_file

    base, served = server
    save_file({"w": torch.randn(10)}, str(served / "model.safetensors"))
    entry = find("resnet50.a1_in1k")
    path = download(entry, url=f"{base}/model.safetensors")
    digest = sha256(served / "model.safetensors")
    assert (
        path.is_symlink()
        and path.resolve() == caches / "hf" / ("models--timm--resnet50.a1_in1k") / "blobs" / digest
    )
    assert find_file(entry) == path and row(entry).cached


def test_import_copies_into_the_cache_and_refuses_the_wrong_file(caches, tmp_path, capsys):
    made = save_hash_named({"w": torch.randn(10)}, tmp_path / "mine", "resnet18")
    entry = entry_for_file(find("resnet18.tv_in1k"), made)
    path = import_file(entry, made)
    assert path == caches / "torch" / "hub" / "checkpoints" / made.name and made.exists()
    assert row(entry).cached
    wrong = tmp_path / "resnet18.pth"
    torch.save({"w": torch.zeros(1)}, wrong)
    assert main(["weights", "--import", str(wrong), "resnet18.tv_in1k"]) == 2
    assert "f37072fd" in capsys.readouterr().err
    assert not (caches / "torch" / "hub" / "checkpoints" / "resnet18-f37072fd.pth").exists()

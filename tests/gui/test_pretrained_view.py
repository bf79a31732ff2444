"""The Inspect tab's "Pretrained weights" page: the catalogue with each file's state, weights of
one's own, a photo's top-5 with ImageNet's names (the same numbers as the command), Grad-CAM and
feature maps; a download from a local server with progress, landing verified."""

import functools
import http.server
import json
import threading

import pytest
import torch
import torchvision

from resnet_studio.cli import main
from tests.weights.helpers import photo, save_hash_named


@pytest.fixture
def view(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    from resnet_studio.gui import workers
    from resnet_studio.gui.inspect.pretrained_view import PretrainedView

    v = PretrainedView()
    qtbot.addWidget(v)
    v.resize(1200, 800)
    v.show()
    qtbot.waitUntil(lambda: v.table.rowCount() > 0, timeout=10000)
    yield v
    workers.wait_all()


def test_the_catalogue_is_listed_with_what_is_here(view):
    names = [view.table.item(i, 0).text() for i in range(view.table.rowCount())]
    assert "resnet18.tv_in1k" in names and "resnet50.tv2_in1k" in names
    assert "resnet50.a1_in1k" in names
    row = names.index("resnet50.tv2_in1k")
    assert view.table.item(row, 3).text() == "80.86%"
    assert view.table.item(row, 6).text() == "232→224 bilinear"
    assert view.table.item(row, 7).text() == ""  # not here


def test_a_photo_gets_the_top_five_the_command_gives(view, qtbot, tmp_path, capsys):
    torch.manual_seed(0)
    model = torchvision.models.resnet18()
    with torch.no_grad():
        model.fc.weight.mul_(40)
    path = save_hash_named(model.state_dict(), tmp_path / "mine", "resnet18")
    image = photo(tmp_path / "photo.png")
    view.use_file(str(path), "resnet18")
    qtbot.waitUntil(lambda: view.weights is not None, timeout=30000)
    view.open_photo(str(image))
    qtbot.waitUntil(lambda: view.image.result is not None, timeout=30000)
    r = view.image.result
    assert (
        main(
            [
                "inspect",
                "--preset",
                "resnet18",
                "--weights",
                str(path),
                "--image",
                str(image),
                "--json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert [n for n, _ in r.top[:5]] == [n for n, _ in doc["top"]]
    assert r.cam is not None and r.cam.shape == (224, 224)
    assert r.picture.shape == (224, 224, 3)
    assert doc["top"][0][0] in view.image.top.text()
    assert "preprocessing resize 256 (bilinear), crop 224" in view.status.text()


def test_a_download_shows_progress_and_lands_verified(view, qtbot, tmp_path):
    from safetensors.torch import save_file

    served = tmp_path / "served"
    served.mkdir()
    save_file({"w": torch.randn(300_000)}, str(served / "model.safetensors"))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        names = [view.table.item(i, 0).text() for i in range(view.table.rowCount())]
        view.table.selectRow(names.index("resnet50.a1_in1k"))
        view.download(f"http://127.0.0.1:{httpd.server_address[1]}/model.safetensors")
        qtbot.waitUntil(lambda: "here and verified" in view.status.text(), timeout=20000)
        qtbot.waitUntil(
            lambda: view.table.item(names.index("resnet50.a1_in1k"), 7).text() == "✓",
            timeout=20000,
        )
        assert view.progress.isHidden()
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join()


def test_the_train_panel_starts_from_weights_with_a_freeze_choice(qtbot):
    from resnet_studio.gui.train.train_panel import TrainPanel

    panel = TrainPanel()
    qtbot.addWidget(panel)
    box = panel.finetune
    assert not box.freeze.isEnabled() and panel.config().weights is None
    box.weights.setCurrentText("resnet18.tv_in1k")
    box.freeze.setCurrentIndex(box.freeze.findData("stages:1"))
    box.backbone_lr.setValue(0.1)
    cfg = panel.config()
    assert (cfg.weights, cfg.freeze, cfg.backbone_lr) == ("resnet18.tv_in1k", "stages:1", 0.1)


def test_before_and_after_fine_tuning_is_one_click(make_window, qtbot, tmp_path):
    from resnet_studio import ArchSpec
    from resnet_studio.core.builder import build_model
    from resnet_studio.train import RunRecorder, TrainConfig, Trainer
    from tests.weights.helpers import two_class_folder

    weights = save_hash_named(
        build_model(ArchSpec.from_preset("resnet18")).state_dict(), tmp_path / "w", "resnet18"
    )
    data = two_class_folder(tmp_path / "folder", per_class=6)
    run = tmp_path / "runs" / "20261207-050000-resnet18-ft"
    cfg = TrainConfig(
        dataset="imagefolder",
        data_dir=str(data),
        epochs=1,
        batch_size=4,
        device="cpu",
        threads=2,
        weights=str(weights),
        freeze="backbone",
    )
    spec = ArchSpec.from_preset("resnet18", input_size=32)
    assert Trainer(spec, cfg, [RunRecorder(run)], run_dir=str(run)).run().status == "finished"
    w = make_window()
    w.inspect_run(str(run))
    v = w.inspect
    qtbot.waitUntil(lambda: v.loaded is not None and v.image.result is not None, timeout=60000)
    assert v.before_button.isVisible()
    assert v.val.classes == ["blue", "red"]
    v.before_button.click()
    qtbot.waitUntil(lambda: getattr(v, "before_after", None) is not None, timeout=60000)
    d = v.before_after
    assert all(not view.pixmap().isNull() for view in d.views)
    assert str(weights) in d.shown.captions[1] and "After" in d.shown.captions[2]
    assert d.shown.before is not None and not (d.shown.before == d.shown.after).all()
    d.close()

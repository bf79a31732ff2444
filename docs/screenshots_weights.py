"""Stand-in pretrained weights, fine-tuning on a two-class folder, and the README's figures for
pretrained weights: ``docs/weights-photo.png`` (the Inspect tab's "Pretrained weights"
page: the catalogue, and a photo's top-5, Grad-CAM and feature maps) and
``docs/weights-before-after.png`` (Grad-CAM of one folder image before and after fine-tuning).

No real ImageNet weights can be downloaded here, so the weights are stand-ins made by this
script: resnet18 trained on the bundled digits (sklearn's 8×8 handwritten digits, ten classes)
and saved under a name that carries its own SHA-256 prefix, as torchvision names its files.
The two-class folder holds crops of scikit-learn's two sample photographs (a temple in China and
a flower). The script prints the validation accuracy of fine-tuning the stand-in with a frozen
backbone and of training the same resnet18 from scratch, same folder, epochs and settings.

Run: ``PYTHONPATH=. .venv/bin/python docs/screenshots_weights.py [OUT_DIR]`` (a few minutes on
a small CPU; everything else goes in a temporary folder, deleted at the end).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

from resnet_studio.gui.offscreen import use_offscreen_screen

use_offscreen_screen()

import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio import ArchSpec  # noqa: E402

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)
PRETRAIN_EPOCHS, EPOCHS, SIDE = 2, 4, 32


def settle(app: QApplication, until: object = None, seconds: float = 120.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and until is not None and not until():  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)


def stand_in(work: Path) -> Path:
    """resnet18 trained on digits, saved as resnet18-digits-<sha256 prefix>.pth."""
    import torch

    from resnet_studio.train import RunRecorder, TrainConfig, Trainer

    run = work / "pretrain"
    spec = ArchSpec.from_preset("resnet18", input_size=16, num_classes=10)
    cfg = TrainConfig(epochs=PRETRAIN_EPOCHS, batch_size=64, lr=0.05, device="cpu", seed=0)
    end = Trainer(spec, cfg, [RunRecorder(run)], run_dir=str(run)).run()
    print(
        f"stand-in: resnet18 on digits, {PRETRAIN_EPOCHS} epochs, best validation accuracy "
        f"{100 * (end.best_val_accuracy or 0):.1f}%"
    )
    state = torch.load(run / "best.pt", weights_only=True)["model"]
    tmp = work / "tmp.pth"
    torch.save(state, tmp)
    path = work / f"resnet18-digits-{hashlib.sha256(tmp.read_bytes()).hexdigest()[:8]}.pth"
    tmp.rename(path)
    return path


def folder(work: Path, per_class: int = 20) -> Path:
    from PIL import Image
    from sklearn.datasets import load_sample_image

    root = work / "two-classes"
    rng = np.random.RandomState(0)
    for name, file in (("flower", "flower.jpg"), ("temple", "china.jpg")):
        photo = load_sample_image(file)
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            y, x = rng.randint(0, photo.shape[0] - 160), rng.randint(0, photo.shape[1] - 160)
            crop = Image.fromarray(photo[y : y + 160, x : x + 160]).resize((96, 96))
            crop.save(root / name / f"{i:02d}.png")
    Image.fromarray(load_sample_image("china.jpg")).save(work / "temple.png")
    return root


def fine_tune(work: Path, data: Path, weights: str | None, freeze: str = "none") -> Path:
    from resnet_studio.train import RunRecorder, TrainConfig, Trainer

    name = f"{'scratch' if weights is None else 'ft-' + freeze.replace(':', '')}"
    run = work / "runs" / f"20261207-050000-resnet18-{name}"
    spec = ArchSpec.from_preset("resnet18", input_size=SIDE, num_classes=2)
    cfg = TrainConfig(
        dataset="imagefolder",
        data_dir=str(data),
        epochs=EPOCHS,
        batch_size=8,
        lr=0.02,
        val_fraction=0.25,
        device="cpu",
        seed=0,
        weights=weights,
        freeze=freeze,
    )
    end = Trainer(spec, cfg, [RunRecorder(run)], run_dir=str(run)).run()
    print(
        f"{name:>16}: best validation accuracy {100 * (end.best_val_accuracy or 0):.1f}% "
        f"({EPOCHS} epochs, {SIDE}×{SIDE})"
    )
    return run


def before_after_png(run: Path, image: Path, out: Path) -> None:
    from resnet_studio.gui.inspect.inspect_images import overlay
    from resnet_studio.inspect.pretrained import before_after
    from resnet_studio.inspect.run_model import display_image, load_run, load_validation

    loaded = load_run(run)
    val = load_validation(loaded)
    x = val.from_file(image)
    before, after = before_after(loaded, x, val.classes) or (None, None)
    assert before is not None and after is not None and before.cam and after.cam
    pic = display_image(x)
    tiles = [np.asarray(overlay(pic, r.cam.cam)) for r in (before, after)]
    big = [
        t.repeat(4, 0).repeat(4, 1)
        for t in [np.stack([pic] * 3, -1) if pic.ndim == 2 else pic, *tiles]
    ]
    gap = np.full((big[0].shape[0], 12, 3), 255, np.uint8)
    row = np.ascontiguousarray(np.hstack([big[0], gap, big[1], gap, big[2]]))
    h, w, _ = row.shape
    QImage(row.data, w, h, 3 * w, QImage.Format.Format_RGB888).save(str(out))
    print(f"before: {before.prediction.name} ({before.layer}); after: {after.prediction.name}")


def main() -> None:
    scratch = tempfile.TemporaryDirectory(prefix="resnet-studio-weights-shots-")
    work = Path(scratch.name)
    os.environ["TORCH_HOME"] = str(work / "torch")
    os.environ["HF_HUB_CACHE"] = str(work / "hf")
    OUT.mkdir(parents=True, exist_ok=True)
    weights = stand_in(work)
    data = folder(work)
    ft = fine_tune(work, data, str(weights), "backbone")

    fine_tune(work, data, None)
    before_after_png(ft, data / "flower" / "00.png", OUT / "weights-before-after.png")

    app = QApplication([])
    app.setStyle("Fusion")
    from resnet_studio.gui.window.main_window import MainWindow

    settings = QSettings(str(work / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, runs_dir=work / "runs")
    w.resize(1280, 720)
    w.show()
    w.tabs.setCurrentWidget(w.inspect)
    v = w.inspect.pretrained
    w.inspect.pages.setCurrentIndex(w.inspect.pages.count() - 1)
    settle(app, lambda: v.table.rowCount() > 0)
    v.choose("resnet18.tv_in1k")
    v.use_file(str(weights), "resnet18")
    settle(app, lambda: v.weights is not None)
    v.open_photo(str(work / "temple.png"))
    settle(app, lambda: v.image.result is not None)
    v.image.grid.setCurrentRow(0)
    settle(app)
    w.grab().save(str(OUT / "weights-photo.png"))
    print(f"wrote {OUT / 'weights-photo.png'} and {OUT / 'weights-before-after.png'}")
    w.confirm_close = lambda active: True  # type: ignore[method-assign]
    w.close()
    from resnet_studio.gui import workers

    workers.wait_all()


if __name__ == "__main__":
    main()

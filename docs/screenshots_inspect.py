"""Train a small digits run, then render the Inspect tab offscreen: ``docs/inspect-image.png``
(an image the run gets wrong: its prediction, Grad-CAM and feature maps, the strongest channel
shown large) and ``docs/inspect-mistakes.png`` (the confusion matrix, per-class figures and the
gallery of its most confused cell). It prints which digits the run confuses.

Run: ``.venv/bin/python docs/screenshots_inspect.py [OUT_DIR] [--epochs N]`` (about a minute
on a small CPU; the run goes in a temporary folder, deleted at the end).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from resnet_studio.gui.offscreen import use_offscreen_screen

use_offscreen_screen()

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio import ArchSpec  # noqa: E402
from resnet_studio.gui.window.main_window import MainWindow  # noqa: E402

SIZE = (1400, 900)
# resnet20's stem and widths with one block a stage, on the 8×8 digits shown at 16×16
SPEC = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=16)


def settle(app: QApplication, until: object = None, seconds: float = 60.0) -> None:
    """Process events until ``until()`` holds (or for a moment), then a little longer."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and until is not None and not until():  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)


def train(runs: Path, epochs: int) -> Path:
    from resnet_studio.train import RunRecorder, TrainConfig, Trainer

    run = runs / "20261128-160000-resnet20-digits"
    config = TrainConfig(epochs=epochs, batch_size=64, lr=0.05, device="cpu", seed=0)
    end = Trainer(SPEC, config, [RunRecorder(run)], run_dir=str(run)).run()
    print(f"trained {run.name}: {end.status}, best validation accuracy {end.best_val_accuracy}")
    return run


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", nargs="?", default=str(Path(__file__).parent))
    p.add_argument("--epochs", type=int, default=4)
    a = p.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    app.setStyle("Fusion")
    scratch = tempfile.TemporaryDirectory(prefix="resnet-studio-inspect-shots-")
    runs = Path(scratch.name) / "runs"
    run_dir = train(runs, a.epochs)
    settings = QSettings(str(Path(scratch.name) / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, runs_dir=runs)
    w.resize(*SIZE)
    w.show()
    v = w.inspect
    w.inspect_run(str(run_dir))
    settle(app, lambda: v.evaluation is not None and not v._images.busy)
    ev = v.evaluation
    assert ev is not None
    confused = ", ".join(f"{t} as {p} ({n})" for t, p, n in ev.most_confused(8))
    print(f"accuracy {100 * ev.accuracy:.2f}% of {len(ev)}; most confused: {confused}")
    worst = int(ev.top_losses(1)[0])
    v.open_validation_image(worst)
    settle(app, lambda: f"image {worst}:" in v.image.result.caption and not v._images.busy)
    v.image.grid.setCurrentRow(0)
    settle(app)
    w.grab().save(str(out / "inspect-image.png"))
    true, predicted, _ = ev.most_confused(1)[0]
    v.pages.setCurrentWidget(v.mistakes)
    v.show_cell(ev.classes.index(true), ev.classes.index(predicted))
    settle(app, lambda: not v._galleries.busy and v.mistakes.gallery.count() > 0)
    w.grab().save(str(out / "inspect-mistakes.png"))
    w.confirm_close = lambda n: True  # type: ignore[method-assign]
    w.close()
    print(f"wrote inspect-image.png, inspect-mistakes.png in {out}")


if __name__ == "__main__":
    main()

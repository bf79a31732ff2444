"""Grad-CAM before and after fine-tuning, side by side for one image: the Inspect tab's
"Before / after" button on a run that started from pretrained weights. The maps come from
:func:`~..inspect.pretrained.before_after` (the same as ``inspect RUN --image F --before``),
computed on the thread pool; this dialog only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel

from resnet_studio.gui.inspect.inspect_images import overlay, pixmap

SIDE = 256


@dataclass(frozen=True)
class BeforeAfter:
    picture: np.ndarray  # the image as the network sees it
    before: np.ndarray | None  # Grad-CAM maps, 0…1
    after: np.ndarray | None
    captions: tuple[str, str, str]


def compute(loaded: Any, val: Any, source: tuple[str, Any], layer: str | None) -> BeforeAfter:
    """On a worker thread: the shown image through the run's starting weights and the run."""
    from resnet_studio.inspect.pretrained import before_after
    from resnet_studio.inspect.run_model import display_image
    from resnet_studio.train.errors import TrainError

    kind, what = source
    x = val.inputs([what]) if kind == "val" else val.from_file(what)
    pair = before_after(loaded, x, val.classes, layer)
    if pair is None:
        raise TrainError("This run started from random weights; there is no 'before' to show.")
    before, after = pair

    def words(r: Any, when: str) -> str:
        cam = f"Grad-CAM of {r.prediction.classes[r.cam.target]} at {r.layer}" if r.cam else ""
        return f"{when}: predicted {r.prediction.name}. {cam}"

    return BeforeAfter(
        display_image(x),
        before.cam.cam if before.cam else None,
        after.cam.cam if after.cam else None,
        (
            "The image, as the network sees it",
            words(before, f"Before ({loaded.config.weights})"),
            words(after, "After fine-tuning"),
        ),
    )


class BeforeAfterDialog(QDialog):
    def __init__(self, result: BeforeAfter, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Grad-CAM before and after fine-tuning")
        self.shown = result
        grid = QGridLayout(self)
        pictures = (
            result.picture,
            overlay(result.picture, result.before) if result.before is not None else None,
            overlay(result.picture, result.after) if result.after is not None else None,
        )
        self.views = []
        for col, (pic, caption) in enumerate(zip(pictures, result.captions, strict=True)):
            view = QLabel()
            view.setFixedSize(SIDE, SIDE)
            if pic is not None:
                view.setPixmap(pixmap(pic, SIDE))
            text = QLabel(caption)
            text.setWordWrap(True)
            text.setMaximumWidth(SIDE)
            grid.addWidget(view, 0, col)
            grid.addWidget(text, 1, col)
            self.views.append(view)

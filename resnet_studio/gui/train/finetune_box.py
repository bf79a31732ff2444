"""The Train panel's "Start from" row: random weights, a catalogue entry or a weights file of
one's own, and what stays frozen (a linear probe, all but the last N stages, or nothing), with
the backbone's learning rate as a fraction of the classifier's. It only gathers the choice;
``train/finetune.py`` does the work, the same as ``train --weights --freeze --backbone-lr``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

RANDOM = "random weights"
FREEZE = (
    ("nothing (train everything)", "none"),
    ("the backbone (a linear probe)", "backbone"),
    ("all but the last stage", "stages:1"),
    ("all but the last 2 stages", "stages:2"),
)


class FineTuneBox(QWidget):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        from resnet_studio.weights.catalogue import catalogue  # data only: no torch

        self.weights = QComboBox()
        self.weights.setEditable(True)  # a file's path can be typed or pasted
        self.weights.addItem(RANDOM)
        for e in catalogue():
            self.weights.addItem(e.name)
        self.weights.setToolTip(
            "Pretrained weights to start from (verified before they load; the classifier is "
            "replaced to fit the dataset's classes), or a state_dict/checkpoint file"
        )
        self.browse = QPushButton("…")
        self.browse.setToolTip("A weights file of your own")
        self.freeze = QComboBox()
        for text, value in FREEZE:
            self.freeze.addItem(text, value)
        self.freeze.setToolTip("Layers kept exactly as loaded (their batch norms in eval mode)")
        self.backbone_lr = QDoubleSpinBox()
        self.backbone_lr.setRange(0.01, 1.0)
        self.backbone_lr.setSingleStep(0.1)
        self.backbone_lr.setValue(1.0)
        self.backbone_lr.setToolTip("The backbone's learning rate as a fraction of the head's")
        # long weight names must not widen the Train panel (in its scroll area) past a
        # 1280-pixel screen
        short = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        for combo, letters in ((self.weights, 14), (self.freeze, 6)):
            combo.setSizeAdjustPolicy(short)
            combo.setMinimumContentsLength(letters)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        first, second = QHBoxLayout(), QHBoxLayout()
        first.addWidget(self.weights, 1)
        first.addWidget(self.browse)
        second.addWidget(QLabel("freeze"))
        second.addWidget(self.freeze, 1)
        second.addWidget(QLabel("backbone LR ×"))
        second.addWidget(self.backbone_lr)
        column.addLayout(first)
        column.addLayout(second)
        self.browse.clicked.connect(lambda: self._browse())
        self.weights.currentTextChanged.connect(lambda _: self._enable())
        self._enable()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Start from weights", "", "Weights (*.pth *.pt *.safetensors);;All files (*)"
        )
        if path:
            self.weights.setEditText(path)

    def _enable(self) -> None:
        on = self.weights.currentText().strip() not in ("", RANDOM)
        self.freeze.setEnabled(on)
        self.backbone_lr.setEnabled(on)

    def values(self) -> dict[str, Any]:
        """The TrainConfig fields: weights, freeze, backbone_lr."""
        text = self.weights.currentText().strip()
        if text in ("", RANDOM):
            return {}
        return {
            "weights": text,
            "freeze": self.freeze.currentData(),
            "backbone_lr": self.backbone_lr.value(),
        }

"""What the network says of one image: every class's probability, and the top ones by name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Prediction:
    classes: tuple[str, ...]
    probabilities: tuple[float, ...]  # softmax of the logits, one per class, summing to 1
    logits: tuple[float, ...]

    @property
    def predicted(self) -> int:
        return max(range(len(self.probabilities)), key=self.probabilities.__getitem__)

    @property
    def name(self) -> str:
        return self.classes[self.predicted]

    def top(self, k: int | None = None) -> list[tuple[str, float]]:
        """(class, probability) pairs, most probable first; all of them when ``k`` is None."""
        order = sorted(range(len(self.probabilities)), key=lambda i: -self.probabilities[i])
        return [(self.classes[i], self.probabilities[i]) for i in order[:k]]


def predict(model: nn.Module, x: torch.Tensor, classes: Sequence[str]) -> Prediction:
    """The prediction for one model-ready image (C, H, W) or a batch of one. The model is
    used as it is (an inspected run's is in eval mode)."""
    if x.dim() == 3:
        x = x.unsqueeze(0)
    with torch.no_grad():
        return from_logits(model(x[:1])[0], classes)


def from_logits(logits: torch.Tensor, classes: Sequence[str]) -> Prediction:
    """The prediction that one image's logits (K,) make."""
    logits = logits.detach().double()
    probs = logits.softmax(0)  # in double precision: they sum to 1 within 1e-15
    return Prediction(tuple(classes), tuple(probs.tolist()), tuple(logits.tolist()))

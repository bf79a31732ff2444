"""Where a trained network fails: its predictions over the whole validation set, the confusion
matrix (rows are the true classes, columns the predicted ones), each class's accuracy, precision
and recall, and the images it gets most wrong (highest cross-entropy loss first).

:func:`evaluate` runs the model as the trainer's validation runs it (eval mode, no gradients,
the same batches), so its accuracy is the one the run recorded for the checkpoint.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from resnet_studio.train.errors import TrainError
from resnet_studio.train.memory import fitting_batch

if TYPE_CHECKING:
    from resnet_studio.inspect.run_model import ValidationSet


class Cancelled(Exception):
    """An evaluation stopped because its caller no longer wants it."""


@dataclass(frozen=True)
class ClassFigures:
    name: str
    images: int  # validation images of this class
    correct: int
    predicted: int  # images predicted as this class
    # the share of this class's images predicted right: its recall, by definition (None: none)
    accuracy: float | None
    precision: float | None  # the share of images predicted as it that are it (None: none)
    recall: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.name,
            "images": self.images,
            "correct": self.correct,
            "predicted": self.predicted,
            "accuracy": self.accuracy,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass(frozen=True)
class Evaluation:
    """Every validation image's label, prediction, probabilities and loss, in the set's order."""

    classes: tuple[str, ...]
    labels: np.ndarray  # (N,) int64
    predicted: np.ndarray  # (N,) int64
    probabilities: np.ndarray  # (N, K) float32, softmax of the logits
    losses: np.ndarray  # (N,) float64: cross-entropy of each image

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def accuracy(self) -> float:
        return int((self.labels == self.predicted).sum()) / len(self) if len(self) else 0.0

    @property
    def confidence(self) -> np.ndarray:
        """(N,): the probability of each image's predicted class."""
        picked: np.ndarray = self.probabilities[np.arange(len(self)), self.predicted]
        return picked

    def confusion(self) -> np.ndarray:
        """(K, K) counts: row = true class, column = predicted class."""
        k = len(self.classes)
        flat = self.labels * k + self.predicted
        return np.bincount(flat, minlength=k * k).reshape(k, k)

    def normalised(self) -> np.ndarray:
        """The confusion matrix with each row divided by its count (a row of a class with no
        images stays 0): the share of each true class that went to each prediction."""
        m = self.confusion().astype(np.float64)
        rows = m.sum(axis=1, keepdims=True)
        shares: np.ndarray = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
        return shares

    def per_class(self) -> list[ClassFigures]:
        m = self.confusion()
        out = []
        for i, name in enumerate(self.classes):
            images, predicted, correct = int(m[i].sum()), int(m[:, i].sum()), int(m[i, i])
            recall = correct / images if images else None
            precision = correct / predicted if predicted else None
            out.append(ClassFigures(name, images, correct, predicted, recall, precision, recall))
        return out

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the images of class ``true`` predicted as ``predicted``, worst loss first."""
        found = np.flatnonzero((self.labels == true) & (self.predicted == predicted))
        return found[np.argsort(-self.losses[found], kind="stable")]

    def wrong(self, true: int | None = None) -> np.ndarray:
        """Indices of the images predicted wrong (of class ``true``, or all), worst loss first."""
        hit = self.labels != self.predicted
        if true is not None:
            hit &= self.labels == true
        found = np.flatnonzero(hit)
        return found[np.argsort(-self.losses[found], kind="stable")]

    def top_losses(self, k: int | None = None) -> np.ndarray:
        """Indices of the images with the highest loss, worst first (the wrong ones lead)."""
        return np.argsort(-self.losses, kind="stable")[:k]

    def most_confused(self, k: int | None = None) -> list[tuple[str, str, int]]:
        """(true, predicted, count) of the mistakes, most frequent first (fastai's name)."""
        m = self.confusion()
        pairs = [
            (int(m[i, j]), i, j)
            for i in range(len(self.classes))
            for j in range(len(self.classes))
            if i != j and m[i, j]
        ]
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        return [(self.classes[i], self.classes[j], n) for n, i, j in pairs[:k]]

    def image(self, index: int) -> dict[str, Any]:
        """One image's label, prediction, the prediction's probability and the loss."""
        return {
            "index": int(index),
            "label": self.classes[int(self.labels[index])],
            "predicted": self.classes[int(self.predicted[index])],
            "probability": float(self.confidence[index]),
            "loss": float(self.losses[index]),
        }

    def to_dict(self, top_losses: int = 10) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "images": len(self),
            "classes": list(self.classes),
            "confusion": self.confusion().tolist(),
            "per_class": [c.to_dict() for c in self.per_class()],
            "most_confused": [
                {"true": t, "predicted": p, "count": n} for t, p, n in self.most_confused(10)
            ],
            "top_losses": [self.image(i) for i in self.top_losses(top_losses)],
        }

    def csv(self, normalised: bool = False) -> str:
        """The matrix as CSV: a header of predicted classes, a row per true class."""
        m = self.normalised() if normalised else self.confusion()
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["true \\ predicted", *self.classes])
        for name, row in zip(self.classes, m, strict=True):
            w.writerow([name, *(f"{v:.6g}" if normalised else int(v) for v in row)])
        return buf.getvalue()


def evaluate(
    model: nn.Module,
    val: ValidationSet,
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Evaluation:
    """Predict every validation image in order, in the trainer's validation batches.

    ``progress(done, total)`` hears after each batch; ``cancelled()`` true stops with
    :class:`Cancelled`. The model is used as it is: an inspected run's is in eval mode.
    """
    total = len(val)
    if total == 0:
        raise TrainError(
            "This run has no validation images (its validation fraction is 0), so there is "
            "nothing to measure its mistakes on."
        )
    # our batch to choose: as large as fits, at most the trainer's (predictions do not change)
    device = next(model.parameters()).device
    batch_size = fitting_batch(val.spec, batch_size, device, "infer")
    labels, predicted, probs, losses = [], [], [], []
    done = 0
    with torch.no_grad():
        for x, y in val.batches(batch_size):
            if cancelled is not None and cancelled():
                raise Cancelled
            out = model(x).float()
            losses.append(F.cross_entropy(out, y, reduction="none").double().cpu())
            predicted.append(out.argmax(1).cpu())
            probs.append(out.softmax(1).cpu())
            labels.append(y.cpu())
            done += len(y)
            if progress is not None:
                progress(done, total)
    return Evaluation(
        tuple(val.classes),
        torch.cat(labels).numpy().astype(np.int64),
        torch.cat(predicted).numpy().astype(np.int64),
        torch.cat(probs).numpy(),
        torch.cat(losses).numpy(),
    )

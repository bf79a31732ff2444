"""Pictures for the Inspect tab: numpy arrays as QImages, colour maps for Grad-CAM and feature
maps, the heat map over the input, and small pictures scaled up without blurring their pixels.

Arrays come from the inspect workers (uint8 pictures, float maps); nothing here imports torch.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QPixmap

# colour maps as a few stops, interpolated to 256 entries (matplotlib's turbo and magma, coarse)
_TURBO = [
    (0.0, (48, 18, 59)),
    (0.15, (70, 117, 237)),
    (0.3, (27, 207, 212)),
    (0.45, (97, 252, 108)),
    (0.6, (210, 233, 53)),
    (0.75, (254, 155, 45)),
    (0.9, (217, 56, 6)),
    (1.0, (122, 4, 3)),
]
_MAGMA = [
    (0.0, (0, 0, 4)),
    (0.25, (80, 18, 123)),
    (0.5, (182, 54, 121)),
    (0.75, (251, 136, 97)),
    (1.0, (252, 253, 191)),
]


def _lut(stops: list[tuple[float, tuple[int, int, int]]]) -> np.ndarray:
    xs = np.array([s for s, _ in stops])
    rgb = np.array([c for _, c in stops], dtype=np.float64)
    t = np.linspace(0, 1, 256)
    return np.stack([np.interp(t, xs, rgb[:, k]) for k in range(3)], axis=1).astype(np.uint8)


HEAT = _lut(_TURBO)  # Grad-CAM: blue (nothing) to red (the most)
MAPS = _lut(_MAGMA)  # feature maps: black (zero) to pale yellow (the layer's strongest)


def colourise(values: np.ndarray, lut: np.ndarray = HEAT) -> np.ndarray:
    """Values from 0 to 1 (H, W) as colours (H, W, 3) uint8."""
    idx = np.clip(np.nan_to_num(values) * 255, 0, 255).round().astype(np.intp)
    picked: np.ndarray = lut[idx]
    return picked


def as_rgb(picture: np.ndarray) -> np.ndarray:
    return np.repeat(picture[:, :, None], 3, axis=2) if picture.ndim == 2 else picture


def overlay(picture: np.ndarray, cam: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """The heat map of ``cam`` (0…1, H×W) over a grey or colour ``picture`` of the same size."""
    base = as_rgb(picture).astype(np.float32)
    mixed = (1 - alpha) * base + alpha * colourise(cam).astype(np.float32)
    return np.ascontiguousarray(mixed.round().clip(0, 255).astype(np.uint8))


def to_qimage(picture: np.ndarray) -> QImage:
    """A uint8 (H, W) grey or (H, W, 3) colour array as a QImage (a copy: it owns its pixels)."""
    a = np.ascontiguousarray(picture, dtype=np.uint8)
    h, w = a.shape[:2]
    if a.ndim == 2:
        image = QImage(a.data, w, h, a.strides[0], QImage.Format.Format_Grayscale8)
    else:
        image = QImage(a.data, w, h, a.strides[0], QImage.Format.Format_RGB888)
    return image.copy()


def pixmap(picture: np.ndarray, side: int) -> QPixmap:
    """``picture`` fitted into a ``side``×``side`` square: a small one scaled up by whole steps
    with its pixels kept sharp (an 8×8 digit is 8×8 squares, not a blur), a large one smoothly."""
    image = to_qimage(picture)
    h, w = picture.shape[:2]
    step = side // max(h, w)
    if step >= 1:
        mode = Qt.TransformationMode.FastTransformation
        return QPixmap.fromImage(image.scaled(QSize(w * step, h * step), mode=mode))
    smooth = Qt.TransformationMode.SmoothTransformation
    keep = Qt.AspectRatioMode.KeepAspectRatio
    return QPixmap.fromImage(image.scaled(QSize(side, side), keep, smooth))


def channel_pictures(maps: np.ndarray, top: float | None = None) -> np.ndarray:
    """Feature maps (C, h, w) as colour pictures (C, h, w, 3), on one scale for the layer
    (0 to its largest value, or to ``top``): a weak channel looks dark beside a strong one."""
    hi = float(maps.max()) if top is None else top
    lo = min(0.0, float(maps.min()))
    scaled = (maps - lo) / (hi - lo) if hi > lo else np.zeros_like(maps)
    return colourise(scaled, MAPS)


def png_bytes(image: QImage) -> bytes:
    """``image`` as the bytes of a PNG file (for an atomic write)."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")  # type: ignore[call-overload]  # PySide's stubs say bytes; it takes str
    return bytes(buf.data().data())

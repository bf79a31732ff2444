"""Dataset files generated in their real formats, for tests that cannot download (a fixtures
module: tests import it; it holds no tests)."""

import struct

import numpy as np


def _idx(path, array: np.ndarray) -> None:
    """An IDX file as Yann LeCun's MNIST page specifies it: magic, big-endian dims, data."""
    dims = array.shape
    magic = struct.pack(">HBB", 0, 0x08, len(dims))
    path.write_bytes(
        magic + struct.pack(">" + "I" * len(dims), *dims) + array.astype(np.uint8).tobytes()
    )


def write_mnist(root, folder: str, n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    raw = root / folder / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28))
    labels = rng.integers(0, 10, n)
    for prefix in ("train", "t10k"):
        _idx(raw / f"{prefix}-images-idx3-ubyte", images)
        _idx(raw / f"{prefix}-labels-idx1-ubyte", labels)
    return images, labels

"""An image file prepared as the weights' authors prepare it.

torchvision's ``weights.transforms()`` (``ImageClassification``) and timm's eval transform
(``resolve_data_config`` + ``create_transform``) do the same steps on a PIL image: resize the
shorter side (PIL's filter), crop the centre, scale to 0…1, normalise. Only the numbers differ
(``Preprocess``), so one function serves both; tests hold its tensors equal to theirs.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from ..train.errors import TrainError
from .catalogue import Preprocess


def open_image(path: str | os.PathLike[str]) -> object:
    """The image as an RGB PIL image, or one sentence."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except FileNotFoundError:
        raise TrainError(f"There is no image at {path}.") from None
    except (UnidentifiedImageError, OSError) as e:
        raise TrainError(
            f"{path} cannot be read as an image ({type(e).__name__}); give a PNG or JPEG file."
        ) from None


def prepare(image: object, pre: Preprocess) -> torch.Tensor:
    """The (3, crop, crop) tensor for a PIL image."""
    import torchvision.transforms.functional as TF
    from torchvision.transforms import InterpolationMode

    mode = InterpolationMode(pre.interpolation)
    img = TF.resize(image, [pre.resize], interpolation=mode, antialias=True)
    x = TF.to_tensor(TF.center_crop(img, [pre.crop]))
    out: torch.Tensor = TF.normalize(x, list(pre.mean), list(pre.std))
    return out


def prepare_file(path: str | os.PathLike[str], pre: Preprocess) -> torch.Tensor:
    return prepare(open_image(path), pre)

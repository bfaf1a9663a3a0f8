"""Real pictures that ship with installed packages (no downloads): for the lessons' examples."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from . import _checks


def sample_image(size: int | tuple[int, int] | None = 224, grayscale: bool = False) -> torch.Tensor:
    """matplotlib's bundled photo of Grace Hopper as a ``(C, H, W)`` float tensor in ``[0, 1]``.

    The original is 512 wide and 600 high (RGB). With ``size`` (an int or ``(height, width)``)
    it is centre-cropped to that aspect ratio and resized (bilinear, antialiased), so the result
    is the same on every machine. ``grayscale=True`` gives one channel (ITU-R 601 luma).
    ``size=None`` keeps the full photo.
    """
    from matplotlib import cbook  # imported here so `import vit_explained` stays light
    from PIL import Image

    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as photo:
        pixels = np.asarray(photo.convert("RGB"), dtype=np.float32) / 255.0
    image = torch.from_numpy(pixels).permute(2, 0, 1).contiguous()  # (3, H, W)
    if grayscale:
        luma = torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)
        image = (image * luma).sum(dim=0, keepdim=True)
    if size is None:
        return image
    return center_crop_resize(image, size)


def center_crop_resize(image: torch.Tensor, size: int | tuple[int, int]) -> torch.Tensor:
    """Centre-crop ``(C, H, W)`` to the aspect ratio of ``size``, then resize to ``size``."""
    if not isinstance(image, torch.Tensor) or image.dim() != 3:
        raise ValueError(f"image must be a (C, H, W) tensor, got {getattr(image, 'shape', type(image).__name__)}")
    height, width = _checks.to_pair("size", size)
    _, source_height, source_width = image.shape
    scale = min(source_height / height, source_width / width)
    crop_height, crop_width = round(height * scale), round(width * scale)
    top, left = (source_height - crop_height) // 2, (source_width - crop_width) // 2
    cropped = image[:, top : top + crop_height, left : left + crop_width]
    if (crop_height, crop_width) == (height, width):
        return cropped.clone()
    resized = F.interpolate(
        cropped.unsqueeze(0), size=(height, width), mode="bilinear", antialias=True, align_corners=False
    )
    return resized.squeeze(0).clamp(0.0, 1.0)

"""Non-overlapping patches (ViT): cut images into a sequence of flattened patches and back."""

from __future__ import annotations

import torch
from einops import rearrange

from . import _checks

# The layout used throughout the series (as in lucidrains/vit-pytorch): patches in row-major
# order over the grid, each flattened pixel by pixel with the channels innermost.
PATCHIFY_PATTERN = "b c (h p1) (w p2) -> b (h w) (p1 p2 c)"
UNPATCHIFY_PATTERN = "b (h w) (p1 p2 c) -> b c (h p1) (w p2)"


def patch_grid(height: int, width: int, patch_size: int | tuple[int, int]) -> tuple[int, int]:
    """Patches per column and per row, ``(height // ph, width // pw)``; raises if they don't divide."""
    height = _checks.positive_int("image height", height)
    width = _checks.positive_int("image width", width)
    ph, pw = _checks.to_pair("patch_size", patch_size)
    for side, size, patch in (("height", height, ph), ("width", width, pw)):
        if size % patch:
            lower, upper = size - size % patch, size - size % patch + patch
            raise ValueError(
                f"image {side} {size} is not divisible by patch size {patch}; "
                f"crop or resize to {lower or upper} or {upper}, or choose a patch size that divides {size}"
            )
    return height // ph, width // pw


def patchify(images: torch.Tensor, patch_size: int | tuple[int, int]) -> torch.Tensor:
    """Cut images into flattened patches: ``(B, C, H, W) -> (B, N, ph * pw * C)``.

    ``N = (H // ph) * (W // pw)``; the order is ``'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'``.
    """
    images = _checks.image_batch(images)
    ph, pw = _checks.to_pair("patch_size", patch_size)
    patch_grid(images.shape[-2], images.shape[-1], (ph, pw))
    return rearrange(images, PATCHIFY_PATTERN, p1=ph, p2=pw)


def unpatchify(patches: torch.Tensor, patch_size: int | tuple[int, int], height: int, width: int) -> torch.Tensor:
    """Exact inverse of :func:`patchify`: ``(B, N, ph * pw * C) -> (B, C, height, width)``."""
    patches = _checks.token_batch(patches, name="patches")
    ph, pw = _checks.to_pair("patch_size", patch_size)
    rows, cols = patch_grid(height, width, (ph, pw))
    if patches.shape[1] != rows * cols:
        raise ValueError(
            f"a {height}x{width} image with {ph}x{pw} patches has {rows * cols} patches, got N = {patches.shape[1]}"
        )
    if patches.shape[2] % (ph * pw):
        raise ValueError(
            f"patch length {patches.shape[2]} is not a multiple of ph * pw = {ph * pw}; expected ph * pw * channels"
        )
    return rearrange(patches, UNPATCHIFY_PATTERN, h=rows, w=cols, p1=ph, p2=pw)

"""Soft split: overlapping patches (T2T-ViT), and how many tokens a split makes.

A window of ``kernel`` pixels slides over the image padded by ``padding`` on every side, in
steps of ``stride``. Along one side of length ``size`` it fits

    floor((size + 2 * padding - kernel) / stride) + 1

times: the padded side leaves ``size + 2p - k`` pixels of travel after the first window, and
every ``stride`` of travel adds one window. The token grid is ``rows x cols``; this is exactly
what ``torch.nn.Unfold`` produces.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from . import _checks


class TokenGrid(NamedTuple):
    """The token grid of a soft split: ``rows x cols = total`` tokens."""

    rows: int
    cols: int
    total: int


def _windows_along(side: str, size: int, kernel: int, stride: int, padding: int) -> int:
    padded = size + 2 * padding
    if kernel > padded:
        raise ValueError(
            f"kernel {kernel} is larger than the padded image {side} {padded} "
            f"({side} {size} + 2 * padding {padding}); use a kernel <= {padded} or more padding"
        )
    return tokens_along(size, kernel, stride, padding)


def tokens_along(size: int, kernel: int, stride: int, padding: int) -> int:
    """The formula: ``floor((size + 2p - k) / s) + 1`` windows along one side (lesson 02, section 3; no checks)."""
    return (size + 2 * padding - kernel) // stride + 1  # // is floor division for these non-negative numbers


def window_starts(size: int, kernel: int, stride: int, padding: int) -> list[int]:
    """Start pixels (in the padded side) of every window that fits: brute force, no formula."""
    return [start for start in range(0, size + 2 * padding, stride) if start + kernel <= size + 2 * padding]


def count_tokens(
    height: int,
    width: int,
    kernel: int | tuple[int, int],
    stride: int | tuple[int, int],
    padding: int | tuple[int, int] = 0,
) -> TokenGrid:
    """Count the tokens a soft split makes of a ``height x width`` image.

    ``kernel``, ``stride`` and ``padding`` are ints or ``(height, width)`` pairs.
    Returns ``TokenGrid(rows, cols, total)``, equal to the ``L`` of ``nn.Unfold``.

    >>> count_tokens(224, 224, kernel=7, stride=4, padding=2)
    TokenGrid(rows=56, cols=56, total=3136)
    """
    height = _checks.positive_int("height", height)
    width = _checks.positive_int("width", width)
    kh, kw = _checks.to_pair("kernel", kernel)
    sh, sw = _checks.to_pair("stride", stride)
    ph, pw = _checks.to_pair("padding", padding, allow_zero=True)
    rows = _windows_along("height", height, kh, sh, ph)
    cols = _windows_along("width", width, kw, sw, pw)
    return TokenGrid(rows, cols, rows * cols)


class SoftSplit(nn.Module):
    """Overlapping patches as tokens: ``(B, C, H, W) -> (B, N, C * kh * kw)``.

    ``N = rows * cols`` from :func:`count_tokens`. Each token lists its window channel by
    channel (``c kh kw`` order), as ``nn.Unfold`` does and T2T-ViT uses.
    """

    def __init__(
        self, kernel: int | tuple[int, int], stride: int | tuple[int, int], padding: int | tuple[int, int] = 0
    ) -> None:
        super().__init__()
        self.kernel = _checks.to_pair("kernel", kernel)
        self.stride = _checks.to_pair("stride", stride)
        self.padding = _checks.to_pair("padding", padding, allow_zero=True)
        self.unfold = nn.Unfold(kernel_size=self.kernel, stride=self.stride, padding=self.padding)

    def grid(self, height: int, width: int) -> TokenGrid:
        """The token grid this split makes of a ``height x width`` image."""
        return count_tokens(height, width, self.kernel, self.stride, self.padding)

    def token_length(self, channels: int) -> int:
        """Length of one token: ``channels * kh * kw``."""
        return channels * self.kernel[0] * self.kernel[1]

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, N, C * kh * kw)``."""
        images = _checks.image_batch(images)
        self.grid(images.shape[-2], images.shape[-1])  # a clear error before nn.Unfold's
        return self.unfold(images).transpose(1, 2)

    def extra_repr(self) -> str:
        return f"kernel={self.kernel}, stride={self.stride}, padding={self.padding}"


def tokens_to_image(tokens: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """Reshape a token sequence back into an image: ``(B, rows * cols, C) -> (B, C, rows, cols)``.

    T2T-ViT's "reconstruction": token ``i`` becomes the pixel at ``(i // cols, i % cols)`` and
    its features become the channels, so the next soft split can see neighbouring tokens.
    """
    tokens = _checks.token_batch(tokens)
    rows = _checks.positive_int("rows", rows)
    cols = _checks.positive_int("cols", cols)
    if tokens.shape[1] != rows * cols:
        raise ValueError(
            f"cannot reshape {tokens.shape[1]} tokens into a {rows}x{cols} grid "
            f"({rows * cols} tokens); pass the rows and cols from count_tokens"
        )
    batch, _, channels = tokens.shape
    return tokens.transpose(1, 2).reshape(batch, channels, rows, cols)


class SoftSplitEmbedding(nn.Module):
    """T2T-style tokens: overlapping windows (:class:`SoftSplit`) projected to ``dim``.

    ``(B, C, H, W) -> (B, N, dim)``; like ``PatchEmbedding`` but neighbouring tokens share pixels,
    so each token already sees its surroundings. ``grid`` and ``num_patches`` as in
    ``PatchEmbedding``; ``ViT(..., soft_split=(kernel, stride, padding))`` uses it.
    """

    def __init__(
        self, image_size: tuple[int, int], channels: int, dim: int, kernel: int, stride: int, padding: int = 0
    ) -> None:
        super().__init__()
        kernel, stride = _checks.positive_int("kernel", kernel), _checks.positive_int("stride", stride)
        padding = _checks.non_negative_int("padding", padding)
        self.split = SoftSplit(kernel, stride, padding)
        grid = self.split.grid(*image_size)
        self.image_size = tuple(image_size)
        self.channels = channels
        self.grid = (grid.rows, grid.cols)
        self.num_patches = grid.total
        self.proj = nn.Linear(self.split.token_length(channels), dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, N, dim)``; ``images`` must have ``channels`` channels and ``image_size``."""
        _checks.image_batch(images, channels=self.channels, size=self.image_size)
        return self.proj(self.split(images))

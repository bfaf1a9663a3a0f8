"""Soft split: overlapping patches (T2T-ViT), and how many tokens a split makes.

A window of ``kernel`` pixels slides over the image padded by ``padding`` on every side, in
steps of ``stride``. Along one side of length ``size`` it fits

    floor((size + 2 * padding - kernel) / stride) + 1

times: the padded side leaves ``size + 2p - k`` pixels of travel after the first window, and
every ``stride`` of travel adds one window. The token grid is ``rows x cols``; this is exactly
what ``torch.nn.Unfold`` produces.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
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
    """The formula: ``floor((size + 2p - k) / s) + 1`` windows along one side (lesson 02, section 2; no checks)."""
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


class OriginalT2TStem(nn.Module):
    """The original T2T-ViT token stem as its code runs it, to show what its square reshapes do (not our chain).

    ``forward`` copies ``T2T_module.forward`` and the first lines of ``T2T_ViT.forward_features`` from
    yitu-opensource/T2T-ViT, ``models/t2t_vit.py`` at master, commit ``0f63dc9`` (the file is unchanged since
    ``0a64ffc``, June 2021), line for line. Two stand-ins change no shape: a ``Linear`` to ``token_dim`` for each
    token transformer, and a zero position table of the original's size, ``(img_size // 16) ** 2 + 1`` rows
    (line 80), for its sinusoid.
    ``(B, C, H, W) -> (B, N + 1, embed_dim)``; a shape error when ``N + 1`` is not the table's size.
    """

    def __init__(self, img_size: int = 224, in_chans: int = 3, embed_dim: int = 384, token_dim: int = 64) -> None:
        super().__init__()
        self.soft_split0 = nn.Unfold(kernel_size=(7, 7), stride=(4, 4), padding=(2, 2))
        self.soft_split1 = nn.Unfold(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
        self.soft_split2 = nn.Unfold(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
        self.attention1 = nn.Linear(in_chans * 7 * 7, token_dim)  # stands in for Token_transformer(..., in_dim=64)
        self.attention2 = nn.Linear(token_dim * 3 * 3, token_dim)  # the same
        self.project = nn.Linear(token_dim * 3 * 3, embed_dim)
        self.num_patches = (img_size // (4 * 2 * 2)) * (img_size // (4 * 2 * 2))  # line 80
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.num_patches + 1, embed_dim), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The original's lines; ``math.sqrt`` where it has ``np.sqrt`` (the same ``int`` for these counts)."""
        x = self.soft_split0(x).transpose(1, 2)  # step0: soft split
        x = self.attention1(x)  # iteration1: re-structurization/reconstruction
        B, new_HW, C = x.shape  # the original's names
        x = x.transpose(1, 2).reshape(B, C, int(math.sqrt(new_HW)), int(math.sqrt(new_HW)))  # line 89
        x = self.soft_split1(x).transpose(1, 2)  # iteration1: soft split
        x = self.attention2(x)  # iteration2: re-structurization/reconstruction
        B, new_HW, C = x.shape
        x = x.transpose(1, 2).reshape(B, C, int(math.sqrt(new_HW)), int(math.sqrt(new_HW)))  # line 96
        x = self.soft_split2(x).transpose(1, 2)  # iteration2: soft split
        x = self.project(x)  # final tokens; T2T_ViT.forward_features goes on:
        cls_tokens = self.cls_token.expand(B, -1, -1)
        x = torch.cat((cls_tokens, x), dim=1)
        return x + self.pos_embed


def held_along(size: int, length: int, kernel: int, stride: int, padding: int) -> int:
    """How many of the ``size - length + 1`` placements of a run of ``length`` pixels along one side of ``size``
    pixels lie whole in some window of the split (brute force over the window starts, no formula)."""
    starts = [start - padding for start in window_starts(size, kernel, stride, padding)]  # in image pixels
    return sum(
        any(start <= first and first + length <= start + kernel for start in starts)
        for first in range(size - length + 1)
    )


def share_held_whole(
    size: int | tuple[int, int], piece: tuple[int, int], kernel: int, stride: int, padding: int
) -> Fraction:
    """The exact share of all placements of a ``piece = (height, width)`` of pixels on a ``size`` image (an int
    for a square, or ``(height, width)``) that some window of the split ``(kernel, stride, padding)`` holds whole.

    A window is a row range times a column range, so a placement is held exactly when its rows lie in some row
    range and its columns in some column range: the share is the product of the two sides' shares. Hence the box
    rule: with ``kernel > stride``, on an image whose every pixel is in some window, any piece inside a
    ``(kernel - stride + 1)`` square box is held wherever it falls (share 1).

    >>> round(float(share_held_whole(224, (2, 4), 16, 16, 0)), 3)  # ViT's 16 x 16 patches
    0.776
    """
    height, width = _checks.to_pair("size", size)
    piece_h, piece_w = _checks.to_pair("piece", piece)
    if piece_h > height or piece_w > width:
        raise ValueError(f"a {piece_h} x {piece_w} piece does not fit on a {height} x {width} image")
    rows = Fraction(held_along(height, piece_h, kernel, stride, padding), height - piece_h + 1)
    cols = Fraction(held_along(width, piece_w, kernel, stride, padding), width - piece_w + 1)
    return rows * cols


class Footprint(NamedTuple):
    """What one token holds after a chain of splits, in input pixels: a ``size x size`` window whose top-left
    pixel is ``step * index - offset`` (``offset`` = the padding, summed over the chain in input pixels)."""

    size: int
    step: int
    offset: int

    def pixels(self, row: int, col: int) -> tuple[range, range]:
        """The input rows and columns the window of token ``(row, col)`` spans (below 0 or past the image: padding).
        It is what the splits put into the token; the token layers' attention between splits mixes further."""
        top, left = row * self.step - self.offset, col * self.step - self.offset
        return range(top, top + self.size), range(left, left + self.size)

    def as_split(self) -> tuple[int, int, int]:
        """The footprints of all tokens as one split ``(kernel, stride, padding)``: window ``j`` starts at
        ``step * j - offset``, as a split with ``padding = offset`` starts it (for :func:`share_held_whole`)."""
        return self.size, self.step, self.offset


def chain_footprints(splits: Sequence[tuple[int, int, int]]) -> list[Footprint]:
    """The pixel footprint of one token after each ``(kernel, stride, padding)`` split of ``splits``: a window of
    ``kernel`` positions of the previous stage adds ``(kernel - 1)`` previous steps to the previous footprint, and
    the steps multiply. For T2T's splits: 7 (step 4), 7 + 2·4 = 15 (step 8), 15 + 2·8 = 31 (step 16)."""
    size, step, offset, found = 1, 1, 0, []
    for kernel, stride, padding in splits:
        size, offset = size + (kernel - 1) * step, offset + padding * step
        step *= stride
        found.append(Footprint(size, step, offset))
    return found


def built_with_seed(seed: int, factory, *args, **kwargs):
    """``factory(*args, **kwargs)`` built right after ``torch.manual_seed(seed)``: untrained weights, the same on
    every run, while the global random generator is left as it was (``torch.random.fork_rng``)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return factory(*args, **kwargs)


def run_or_error(module: nn.Module, images: torch.Tensor) -> str:
    """``"runs, output (shape)"`` if ``module(images)`` runs, else ``"RuntimeError: <message>"``: how lesson 02
    reports whether :class:`OriginalT2TStem` accepts an image."""
    try:
        with torch.no_grad():
            return f"runs, output {tuple(module(images).shape)}"
    except RuntimeError as error:
        return f"RuntimeError: {error}"


def original_square_grids(stem: OriginalT2TStem, images: torch.Tensor) -> tuple[list[tuple[int, int]], int]:
    """The ``(rows, cols)`` images the original stem's soft splits 2 and 3 receive (after its square reshapes,
    ``models/t2t_vit.py`` lines 89 and 96), and its output tokens less the class token."""
    grids: list[tuple[int, int]] = []
    hooks = [
        unfold.register_forward_pre_hook(lambda module, args: grids.append(tuple(args[0].shape[-2:])))
        for unfold in (stem.soft_split1, stem.soft_split2)
    ]
    try:
        with torch.no_grad():
            tokens = stem(images).shape[1] - 1
    finally:
        for hook in hooks:
            hook.remove()
    return grids, tokens

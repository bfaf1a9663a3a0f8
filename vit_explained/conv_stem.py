"""A convolutional stem in front of the token embedding: Xiao et al.'s "early convolutions".

Xiao et al. (2021, "Early convolutions help transformers see better") replace the patchify layer
with a stack of stride-2 3x3 convolutions (with BatchNorm and ReLU), then a 1x1 convolution, and find
that the ViT trains more easily. (The ViT paper's own "hybrid", Dosovitskiy et al. 2021, section 3.1,
is a different model: it feeds the transformer the feature maps of a ResNet.) Here the stem is a
minimal one in their spirit, not theirs: one stride-1 3x3 convolution (same size out), BatchNorm and
ReLU *before* the usual patch or soft-split embedding of the resulting ``width``-channel map, which
still patchifies. The convolution brings back a CNN's two built-in
assumptions, locality and the same weights at every position, before the first attention layer.

``ViT(..., stem_channels=16)`` builds one; ``benchmarks/bench_training.py`` measures it on the
8x8 digits beside the plain ViT and the CNN.
"""

from __future__ import annotations

import torch
from torch import nn

from . import _checks


class ConvStem(nn.Module):
    """``(B, channels, H, W) -> (B, N, dim)``: conv 3x3 (``channels -> width``), BatchNorm, ReLU,
    then ``embedding`` (a ``PatchEmbedding`` or ``SoftSplitEmbedding`` built for ``width``
    channels). ``image_size``, ``grid`` and ``num_patches`` are the embedding's."""

    def __init__(self, embedding: nn.Module, channels: int, width: int) -> None:
        super().__init__()
        self.channels = _checks.positive_int("channels", channels)
        self.width = _checks.positive_int("stem_channels", width)
        self.conv = nn.Conv2d(channels, width, kernel_size=3, padding=1)  # (B, width, H, W): same H and W
        self.norm = nn.BatchNorm2d(width)
        self.act = nn.ReLU()
        self.embedding = embedding
        self.image_size = tuple(embedding.image_size)
        self.grid = tuple(embedding.grid)
        self.num_patches = embedding.num_patches

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, channels, H, W) -> (B, N, dim)``; ``images`` must match ``channels`` and ``image_size``."""
        _checks.image_batch(images, channels=self.channels, size=self.image_size)
        return self.embedding(self.act(self.norm(self.conv(images))))

"""The Vision Transformer (Dosovitskiy et al. 2021), laid out as in the paper and HF transformers."""

from __future__ import annotations

import torch
from torch import nn

from . import _checks
from .block import Encoder
from .patch_embedding import PatchEmbedding

POOLS = ("cls", "mean")


def add_class_token(tokens: torch.Tensor, class_token: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """Prepend the class token and add position embeddings: ``(B, N, D) -> (B, N + 1, D)``.

    ``class_token`` is ``(1, 1, D)``; ``positions`` is ``(1, N + 1, D)`` (row 0 is the class
    token's position).
    """
    class_tokens = class_token.expand(tokens.shape[0], -1, -1)
    return torch.cat([class_tokens, tokens], dim=1) + positions


def pool_tokens(tokens: torch.Tensor, pool: str) -> torch.Tensor:
    """``(B, N + 1, D) -> (B, D)``: the class token, or the mean of the patch tokens."""
    return tokens[:, 0] if pool == "cls" else tokens[:, 1:].mean(dim=1)


def init_weights(module: nn.Module) -> None:
    """timm's ViT initialisation: truncated-normal Linear weights (std 0.02), zero biases."""
    if isinstance(module, nn.Linear):
        nn.init.trunc_normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


class ViT(nn.Module):
    """Vision Transformer: ``(B, channels, H, W) -> (B, num_classes)`` logits.

    Patch embedding (``(B, N, dim)``, ``N = (H / p) * (W / p)``), a learned class token and
    learned position embeddings (``(1, N + 1, dim)``), ``depth`` pre-norm blocks, a final
    LayerNorm and a Linear head on the class token (``pool="cls"``) or on the mean of the patch
    tokens (``pool="mean"``). ViT-B/16 is
    ``ViT(224, patch_size=16, num_classes=1000, dim=768, depth=12, heads=12, mlp_dim=3072)``.
    """

    def __init__(
        self,
        image_size: int | tuple[int, int],
        *,
        patch_size: int | tuple[int, int],
        num_classes: int,
        dim: int,
        depth: int,
        heads: int,
        mlp_dim: int,
        channels: int = 3,
        pool: str = "cls",
        qkv_bias: bool = True,
        norm_eps: float = 1e-6,
        patch_method: str = "conv",
    ) -> None:
        super().__init__()
        self.pool = _checks.one_of("pool", pool, POOLS)
        _checks.positive_int("num_classes", num_classes)
        _checks.divisible_by_heads(dim, heads)
        self.patch_embedding = PatchEmbedding(image_size, patch_size, channels, dim, method=patch_method)
        self.image_size = self.patch_embedding.image_size
        self.channels = channels
        self.num_patches = self.patch_embedding.num_patches
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.empty(1, self.num_patches + 1, dim))
        nn.init.trunc_normal_(self.pos_embedding, std=0.02)
        self.encoder = Encoder(dim, depth, heads, mlp_dim, qkv_bias, norm_eps)
        self.head = nn.Linear(dim, num_classes)
        for name, module in self.named_modules():
            if name != "patch_embedding.proj":  # keep PyTorch's fan-in init for the patch projection
                init_weights(module)

    @property
    def blocks(self) -> nn.ModuleList:
        """The transformer blocks (``self.encoder.blocks``)."""
        return self.encoder.blocks

    def forward_features(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, N + 1, dim)``: every token after the final LayerNorm."""
        _checks.image_batch(images, channels=self.channels, size=self.image_size)
        tokens = add_class_token(self.patch_embedding(images), self.class_token, self.pos_embedding)
        return self.encoder(tokens)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, num_classes)``."""
        return self.head(pool_tokens(self.forward_features(images), self.pool))

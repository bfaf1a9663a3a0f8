"""The pre-norm transformer block, and a stack of them."""

from __future__ import annotations

import torch
from torch import nn

from . import _checks
from .attention import Attention
from .mlp import MLP


class Block(nn.Module):
    """Pre-norm transformer block: ``(B, N, dim) -> (B, N, dim)``.

    ``x = x + attn(norm1(x))`` then ``x = x + mlp(norm2(x))``. The residual stream ``x`` is
    never normalised itself; each branch reads a normalised copy and adds its result back.
    """

    def __init__(self, dim: int, heads: int, mlp_dim: int, qkv_bias: bool = True, norm_eps: float = 1e-6) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=norm_eps)
        self.attn = Attention(dim, heads, qkv_bias=qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=norm_eps)
        self.mlp = MLP(dim, mlp_dim)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        tokens = tokens + self.attn(self.norm1(tokens))
        return tokens + self.mlp(self.norm2(tokens))


class Encoder(nn.Module):
    """``depth`` blocks, then a final LayerNorm: ``(B, N, dim) -> (B, N, dim)``."""

    def __init__(
        self, dim: int, depth: int, heads: int, mlp_dim: int, qkv_bias: bool = True, norm_eps: float = 1e-6
    ) -> None:
        super().__init__()
        depth = _checks.positive_int("depth", depth)  # dim and heads: checked by each Attention
        _checks.positive_int("mlp_dim", mlp_dim)  # before MLP would name it hidden_dim
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_dim, qkv_bias, norm_eps) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=norm_eps)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            tokens = block(tokens)
        return self.norm(tokens)

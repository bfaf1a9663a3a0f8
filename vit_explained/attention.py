"""Multi-head self-attention with one fused qkv projection."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn

from . import _checks


class Attention(nn.Module):
    """Multi-head self-attention: ``(B, N, dim) -> (B, N, inner_dim)``.

    B is the batch, N the number of tokens, ``dim`` the token width. One ``Linear`` makes
    queries, keys and values at once (``dim -> 3 * inner_dim``, as in timm), split into
    ``heads`` heads of width ``d = inner_dim // heads``. Then per head
    ``softmax(q k^T * scale) v``, the heads are merged and projected by ``proj``.
    ``inner_dim`` defaults to ``dim`` (ViT); T2T's token transformer makes it narrower.

    Two paths compute the same thing:

    - fast (default): ``F.scaled_dot_product_attention``, a fused kernel; whether it stores
      the ``(B, heads, N, N)`` attention matrix depends on the torch version and the backend it
      picks (torch 2.13 on a CPU does not; lesson 03 measures it);
    - explicit: scores, then ``self.attend`` (an ``nn.Softmax`` module, so a forward hook can
      see the weights), then the weighted sum. Used when ``fused`` is ``False`` or when
      ``return_attention=True``, which returns ``(out, weights)`` with weights
      ``(B, heads, N, N)``.
    """

    def __init__(
        self, dim: int, heads: int, qkv_bias: bool = True, *, inner_dim: int | None = None, scale: float | None = None
    ) -> None:
        super().__init__()
        self.dim = _checks.positive_int("dim", dim)
        self.inner_dim = _checks.positive_int("inner_dim", inner_dim if inner_dim is not None else dim)
        self.heads = heads
        self.head_dim = _checks.divisible_by_heads(self.inner_dim, heads)
        # 1/sqrt(d) keeps the scores' spread independent of d, so wider heads do not saturate the softmax.
        self.scale = scale if scale is not None else self.head_dim**-0.5
        self.fused = True
        self.qkv = nn.Linear(dim, 3 * self.inner_dim, bias=qkv_bias)
        self.attend = nn.Softmax(dim=-1)
        self.proj = nn.Linear(self.inner_dim, self.inner_dim)

    def project_qkv(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Project and split: ``(B, N, dim) -> q, k, v``, each ``(B, heads, N, d)``."""
        qkv = self.qkv(tokens)  # (B, N, 3 * heads * d)
        q, k, v = rearrange(qkv, "b n (three h d) -> three b h n d", three=3, h=self.heads)
        return q, k, v

    def scaled_dot_product(
        self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, need_weights: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Per-head attention ``(B, h, N, d) -> (B, h, N, d)``, and the weights if computed."""
        if self.fused and not need_weights:
            return F.scaled_dot_product_attention(q, k, v, scale=self.scale), None
        scores = (q @ k.transpose(-2, -1)) * self.scale  # (B, h, N, N)
        weights = self.attend(scores)  # each row sums to 1 over the keys
        return weights @ v, weights

    def forward(
        self, tokens: torch.Tensor, return_attention: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """``(B, N, dim) -> (B, N, inner_dim)``; with ``return_attention`` also ``(B, heads, N, N)``."""
        _checks.token_batch(tokens, dim=self.dim)
        q, k, v = self.project_qkv(tokens)
        out, weights = self.scaled_dot_product(q, k, v, need_weights=return_attention)
        out = self.proj(rearrange(out, "b h n d -> b n (h d)"))
        return (out, weights) if return_attention else out

    def extra_repr(self) -> str:
        return f"heads={self.heads}, head_dim={self.head_dim}, scale={self.scale:.4g}, fused={self.fused}"


def to_multihead(attention: Attention, *, batch_first: bool = True) -> nn.MultiheadAttention:
    """An ``nn.MultiheadAttention`` holding ``attention``'s weights, so both compute the same thing.

    ``in_proj_weight`` is a fused ``(3 * dim, dim)`` weight with the q rows, then k, then v, as
    ``attention.qkv.weight``; ``out_proj`` is ``attention.proj``. A ``qkv`` without bias gets a
    zero ``in_proj_bias``. ``batch_first=False`` (PyTorch's default) makes a layer that expects
    ``(N, B, dim)``: lesson 03 shows what it does to ``(B, N, dim)`` tokens.
    """
    if not isinstance(attention, Attention):
        raise TypeError(f"attention must be a vit_explained.Attention, got {type(attention).__name__}")
    if attention.inner_dim != attention.dim or attention.scale != attention.head_dim**-0.5:
        raise ValueError(
            f"nn.MultiheadAttention keeps the width (inner_dim = dim) and scales by 1/sqrt(head_dim); this "
            f"attention has dim {attention.dim}, inner_dim {attention.inner_dim}, scale {attention.scale:.4g}"
        )
    mha = nn.MultiheadAttention(attention.dim, attention.heads, batch_first=batch_first)
    with torch.no_grad():
        mha.in_proj_weight.copy_(attention.qkv.weight)  # (3 * dim, dim): q rows, then k, then v
        qkv_bias = attention.qkv.bias
        mha.in_proj_bias.copy_(qkv_bias if qkv_bias is not None else torch.zeros_like(mha.in_proj_bias))
        mha.out_proj.weight.copy_(attention.proj.weight)
        mha.out_proj.bias.copy_(attention.proj.bias)
    return mha.to(attention.qkv.weight.device, attention.qkv.weight.dtype)


class SeparateQKVAttention(nn.Module):
    """Hugging Face style (lesson 03, section 2): three Linears, then view + permute for each."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.query, self.key, self.value = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def split(self, t: torch.Tensor) -> torch.Tensor:  # (B, N, D) -> (B, h, N, d)
        batch, tokens, _ = t.shape
        return t.view(batch, tokens, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.head_dim), dim=-1)
        merged = (weights @ v).permute(0, 2, 1, 3).reshape(x.shape)
        return self.out(merged)


class EinopsAttention(nn.Module):
    """lucidrains vit-pytorch style (lesson 03, section 2): one fused Linear, chunk, rearrange
    ``'b n (h d) -> b h n d'``."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.to_qkv = nn.Linear(dim, 3 * dim)  # vit-pytorch uses bias=False; ViT-B has a bias
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = (rearrange(t, "b n (h d) -> b h n d", h=self.heads) for t in self.to_qkv(x).chunk(3, dim=-1))
        weights = (q @ k.transpose(-1, -2) * self.scale).softmax(dim=-1)
        return self.to_out(rearrange(weights @ v, "b h n d -> b n (h d)"))


def other_spellings(attention: Attention) -> tuple[SeparateQKVAttention, EinopsAttention]:
    """Lesson 03's two other spellings of ``attention`` (``inner_dim == dim``), built in this order (so the
    global random numbers they draw are the same as building them in a notebook) and loaded with its weights:
    the fused ``qkv`` weight's rows ``0..D-1`` become the separate query Linear, ``D..2D-1`` the key,
    ``2D..3D-1`` the value; the einops style takes the fused weight as it is; both take ``proj``."""
    dim, heads = attention.dim, attention.heads
    separate, einops_style = SeparateQKVAttention(dim, heads), EinopsAttention(dim, heads)
    with torch.no_grad():
        for i, linear in enumerate([separate.query, separate.key, separate.value]):
            rows = slice(i * dim, (i + 1) * dim)  # q, k, v are stacked row-wise in the fused weight
            linear.weight.copy_(attention.qkv.weight[rows])
            linear.bias.copy_(attention.qkv.bias[rows])
        separate.out.load_state_dict(attention.proj.state_dict())
        einops_style.to_qkv.load_state_dict(attention.qkv.state_dict())
        einops_style.to_out.load_state_dict(attention.proj.state_dict())
    return separate, einops_style

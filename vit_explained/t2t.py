"""Tokens-to-Token ViT (Yuan et al. 2021), with the 'transformer' token module.

The T2T module repeats *soft split* (overlapping patches, so neighbouring tokens share pixels)
and *re-structurization* (a token transformer, then reshaping the tokens back into an image), to
build tokens that already know their local neighbourhood before the ViT backbone sees them.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from . import _checks
from .attention import Attention
from .block import Encoder
from .mlp import MLP
from .positional import sinusoid_encoding
from .soft_split import SoftSplit, TokenGrid, count_tokens, tokens_to_image
from .vit import add_class_token, init_weights

#: (kernel, stride, padding) of T2T-ViT's three soft splits.
T2T_SPLITS: tuple[tuple[int, int, int], ...] = ((7, 4, 2), (3, 2, 1), (3, 2, 1))


class SplitStage(NamedTuple):
    """One soft split of the T2T chain: its input image, its token grid and token length."""

    kernel: int
    stride: int
    padding: int
    in_channels: int
    in_height: int
    in_width: int
    grid: TokenGrid
    token_length: int


def t2t_chain(
    height: int,
    width: int,
    in_channels: int,
    token_dim: int = 64,
    splits: tuple[tuple[int, int, int], ...] = T2T_SPLITS,
) -> list[SplitStage]:
    """Follow an image through T2T's soft splits, without running a model.

    The first split sees the image's ``in_channels``; each later split sees the image reshaped
    back from ``token_dim``-wide tokens. Raises a ``ValueError`` naming the stage if the image
    is too small for a split.

    >>> [stage.grid.total for stage in t2t_chain(224, 224, 3)]
    [3136, 784, 196]
    """
    height = _checks.positive_int("image height", height)
    width = _checks.positive_int("image width", width)
    channels = _checks.positive_int("in_channels", in_channels)
    token_dim = _checks.positive_int("token_dim", token_dim)
    stages = []
    for index, (kernel, stride, padding) in enumerate(splits, start=1):
        try:
            grid = count_tokens(height, width, kernel, stride, padding)
        except ValueError as error:
            raise ValueError(
                f"image {height}x{width} at T2T soft split {index} (kernel {kernel}, stride {stride}, "
                f"padding {padding}) is too small for the T2T chain: {error}"
            ) from None
        stages.append(SplitStage(kernel, stride, padding, channels, height, width, grid, channels * kernel * kernel))
        height, width, channels = grid.rows, grid.cols, token_dim
    return stages


class TokenAttention(Attention):
    """T2T's single-head token attention: ``(B, N, dim) -> (B, N, token_dim)``.

    Two differences from ViT's attention, both from the original code:

    - the output width ``token_dim`` differs from the input width ``dim`` (64 out; 49 in for 7x7
      grayscale windows, 576 in the second stage), so the usual residual ``x + attn(x)`` cannot be
      added; the skip adds ``v`` instead, which already has the output width:
      ``out = v + proj(attention)``, ``v`` made by the value rows of ``qkv`` (no weight of its own);
    - the scores are scaled by ``dim ** -0.5``, the *input* width, not ``token_dim ** -0.5``.
    """

    def __init__(self, dim: int, token_dim: int, qkv_bias: bool = False) -> None:
        super().__init__(dim, heads=1, qkv_bias=qkv_bias, inner_dim=token_dim, scale=dim**-0.5)

    def forward(
        self, tokens: torch.Tensor, return_attention: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        _checks.token_batch(tokens, dim=self.dim)
        q, k, v = self.project_qkv(tokens)  # (B, 1, N, token_dim) each
        out, weights = self.scaled_dot_product(q, k, v, need_weights=return_attention)
        out = v.squeeze(1) + self.proj(out.squeeze(1))  # skip through v
        return (out, weights) if return_attention else out


class TokenTransformer(nn.Module):
    """T2T's token transformer: ``(B, N, dim) -> (B, N, token_dim)``.

    ``x = attn(norm1(x))`` (skip through v, see :class:`TokenAttention`), then
    ``x = x + mlp(norm2(x))`` with an MLP of width ``token_dim * mlp_ratio``.
    """

    def __init__(self, dim: int, token_dim: int, mlp_ratio: float = 1.0, qkv_bias: bool = False) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = TokenAttention(dim, token_dim, qkv_bias=qkv_bias)
        self.norm2 = nn.LayerNorm(token_dim)
        self.mlp = MLP(token_dim, int(token_dim * mlp_ratio))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        tokens = self.attn(self.norm1(tokens))
        return tokens + self.mlp(self.norm2(tokens))


class Tokens2Token(nn.Module):
    """The T2T module: ``(B, C, H, W) -> (B, num_tokens, embed_dim)``.

    soft split (7, 4, 2) -> token transformer -> reshape to an image -> soft split (3, 2, 1)
    -> token transformer -> reshape to an image -> soft split (3, 2, 1) -> Linear to ``embed_dim``.
    Non-square images work: every grid is computed by :func:`count_tokens`; ``self.stages``
    lists them and ``num_tokens`` is the last grid's total.
    """

    def __init__(
        self, image_size: int | tuple[int, int], in_channels: int, token_dim: int = 64, embed_dim: int = 768
    ) -> None:
        super().__init__()
        self.image_size = _checks.to_pair("image_size", image_size)
        self.stages = t2t_chain(*self.image_size, in_channels, token_dim)  # checks in_channels and token_dim
        self.in_channels, self.token_dim = in_channels, token_dim
        self.embed_dim = _checks.positive_int("embed_dim", embed_dim)
        self.num_tokens = self.stages[-1].grid.total
        self.grid = self.stages[-1].grid
        self.soft_splits = nn.ModuleList(SoftSplit(s.kernel, s.stride, s.padding) for s in self.stages)
        self.token_transformers = nn.ModuleList(
            TokenTransformer(stage.token_length, token_dim) for stage in self.stages[:-1]
        )
        self.project = nn.Linear(self.stages[-1].token_length, embed_dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, num_tokens, embed_dim)``."""
        _checks.image_batch(images, channels=self.in_channels, size=self.image_size)
        stages = zip(self.soft_splits[:-1], self.token_transformers, self.stages[:-1], strict=True)
        for split, transformer, stage in stages:
            tokens = transformer(split(images))  # (B, rows * cols, token_dim)
            images = tokens_to_image(tokens, stage.grid.rows, stage.grid.cols)  # (B, token_dim, rows, cols)
        return self.project(self.soft_splits[-1](images))

    def splits_only(self, images: torch.Tensor) -> torch.Tensor:
        """The soft splits and reshapes alone, without the token transformers or ``project``:
        ``(B, C, H, W) -> (B, C * k1 * k1 * k2 * k2 * ..., rows, cols)``, on the final grid."""
        for split, stage in zip(self.soft_splits, self.stages, strict=True):
            images = tokens_to_image(split(images), stage.grid.rows, stage.grid.cols)
        return images


def pixels_used(token: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
    """The pixels one token depends on: ``(H, W)``, True where the gradient of a fixed random projection
    of ``token`` (computed from ``image``, a ``(1, C, H, W)`` tensor with ``requires_grad``) is non-zero in
    any channel.

    The projection's weights are standard normal, drawn from a generator seeded with 0, so the answer is
    deterministic. Not the plain sum: a sum is blind after a norm. A LayerNorm's output (weight 1, bias 0,
    as at init) sums to 0 whatever its input, so the sum's gradient is 0 and every pixel would look unused
    (``ViT.forward_features`` ends in one). A LayerNorm is blind only to the directions of the constant
    vector and of its normalised output; a random projection lies in their span with probability 0.
    """
    weights = torch.randn(token.shape, generator=torch.Generator().manual_seed(0), dtype=token.dtype)
    (gradient,) = torch.autograd.grad((token * weights.to(token.device)).sum(), image)
    return (gradient[0] != 0).any(dim=0)


class T2TViT(nn.Module):
    """T2T-ViT: ``(B, in_channels, H, W) -> (B, num_classes)``.

    :class:`Tokens2Token`, a class token, a fixed sinusoid position table (kept, as in the
    original code, as a Parameter with ``requires_grad=False``), ``depth`` pre-norm blocks
    without qkv bias, a final LayerNorm, and a Linear head on the class token.
    T2T-ViT-14 is ``T2TViT(224, in_channels=3, num_classes=1000, embed_dim=384, depth=14, heads=6, mlp_ratio=3)``.

    ``qk_scale`` sets the scale of the *backbone's* attention scores (default ``None``: the usual
    ``head_dim ** -0.5``, 1/8 for T2T-ViT-14). The default is the scale the released weights were
    trained and evaluated with: the original code's ``Attention`` computes ``qk_scale or head_dim ** -0.5``,
    and its ``main.py`` (training, and the README's evaluation with ``--eval_checkpoint``) and the
    README's transfer-learning snippet build the model without ``pretrained=True``, so ``qk_scale``
    stays ``None``. Its model functions' ``if pretrained: kwargs.setdefault('qk_scale', embed_dim ** -0.5)``
    is a dead branch: every ``default_cfgs`` URL is empty (``models/t2t_vit.py`` of yitu-opensource/T2T-ViT,
    commit 0f63dc9), so timm's ``load_pretrained`` loads nothing; the line copies timm's early
    ``vit_small_patch16_224`` (timm 0.3.x to 0.4.9), whose own weights had been trained with that scale
    (T2T-ViT's issue #62 asks about the branch, unanswered). Load the released weights into the default model;
    ``qk_scale`` is there to reproduce that branch or to experiment.
    The token transformers always keep their own ``dim ** -0.5`` (:class:`TokenAttention`), as there.
    """

    def __init__(
        self,
        image_size: int | tuple[int, int],
        *,
        in_channels: int = 3,
        num_classes: int,
        embed_dim: int,
        depth: int,
        heads: int,
        mlp_ratio: float,
        token_dim: int = 64,
        qkv_bias: bool = False,
        qk_scale: float | None = None,
    ) -> None:
        super().__init__()
        _checks.positive_int("num_classes", num_classes)  # embed_dim and heads: checked by each Attention
        _checks.positive_number("mlp_ratio", mlp_ratio, example="3.0")
        self.tokens_to_token = Tokens2Token(image_size, in_channels, token_dim, embed_dim)
        self.num_tokens = self.tokens_to_token.num_tokens
        self.class_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        table = sinusoid_encoding(self.num_tokens + 1, embed_dim).unsqueeze(0)
        self.pos_embedding = nn.Parameter(table, requires_grad=False)
        self.encoder = Encoder(embed_dim, depth, heads, int(embed_dim * mlp_ratio), qkv_bias, norm_eps=1e-5)
        if qk_scale is not None:  # another backbone scale, e.g. the original's dead embed_dim ** -0.5 branch
            qk_scale = _checks.positive_number("qk_scale", qk_scale, example=f"{embed_dim} ** -0.5")
            for block in self.encoder.blocks:
                block.attn.scale = qk_scale
        self.head = nn.Linear(embed_dim, num_classes)
        self.apply(init_weights)

    @property
    def blocks(self) -> nn.ModuleList:
        """The backbone's transformer blocks (``self.encoder.blocks``)."""
        return self.encoder.blocks

    def forward_features(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, num_tokens + 1, embed_dim)`` after the final LayerNorm."""
        tokens = add_class_token(self.tokens_to_token(images), self.class_token, self.pos_embedding)
        return self.encoder(tokens)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, num_classes)``."""
        return self.head(self.forward_features(images)[:, 0])


def attention_by_offset(weights: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """Average attention by where the key lies relative to the query on a ``rows x cols`` grid of tokens.

    ``weights`` is ``(..., N, N)`` (N = rows * cols, query rows), averaged over its leading dimensions first.
    Returns a ``(2 * rows - 1, 2 * cols - 1)`` grid: at ``(rows - 1 + dr, cols - 1 + dc)`` the mean weight a
    query gives the key ``dr`` rows below and ``dc`` columns right of it, times N, so a uniform row gives 1
    everywhere; offset (0, 0), the token itself, is in the middle.
    """
    n = rows * cols
    if weights.dim() < 2 or weights.shape[-2:] != (n, n):
        raise ValueError(f"weights must end in ({n}, {n}) for a {rows} x {cols} grid, got {tuple(weights.shape)}")
    mean = weights.reshape(-1, n, n).mean(0)
    row, col = torch.arange(n) // cols, torch.arange(n) % cols
    bins = (
        (row[None, :] - row[:, None] + rows - 1) * (2 * cols - 1) + (col[None, :] - col[:, None] + cols - 1)
    ).flatten()
    size = (2 * rows - 1) * (2 * cols - 1)
    total = torch.zeros(size, dtype=mean.dtype).index_add_(0, bins, mean.flatten())
    counts = torch.bincount(bins, minlength=size).to(mean.dtype)
    return (total / counts * n).reshape(2 * rows - 1, 2 * cols - 1)

"""The Vision Transformer (Dosovitskiy et al. 2021), laid out as in the paper and HF transformers."""

from __future__ import annotations

import torch
from torch import nn

from . import _checks
from .block import Encoder
from .conv_stem import ConvStem
from .patch_embedding import PatchEmbedding
from .soft_split import SoftSplitEmbedding

POOLS = ("cls", "mean")

#: How a ``ViT`` starts its Linear layers (``ViT(..., init=...)``):
#: ``"timm"``: truncated normal, std 0.02, zero biases (timm's and HF's ViT; the cut is at the
#: absolute values ±2, i.e. 100 std, so it is a normal in practice);
#: ``"jax"``: close to timm's jax mode (``init_weights_vit_jax``, read in timm 1.0.28; its
#: ``vision_transformer.py`` is unchanged at 1.0.29.dev0): Xavier-uniform
#: Linear weights of the blocks (over the fused qkv), a zero-initialised head. It differs from timm in the
#: biases: timm draws the MLP biases from a normal with std 1e-6 and this package zeroes every bias; and timm also sets
#: the patch embedding's Conv2d (LeCun normal), which this package leaves at PyTorch's default. Nor is it the
#: original JAX ViT: there q, k, v are separate Dense layers (Xavier over (D, D), std 0.18 at D = 32,
#: against 0.13 over the fused (3D, D));
#: ``"torch"``: PyTorch's own default (uniform, scaled by 1/sqrt(fan-in)).
INITS = ("timm", "jax", "torch")


def add_class_token(tokens: torch.Tensor, class_token: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """Prepend the class token and add position embeddings: ``(B, N, D) -> (B, N + 1, D)``.

    ``class_token`` is ``(1, 1, D)``; ``positions`` is ``(1, N + 1, D)`` (row 0 is the class
    token's position).
    """
    class_tokens = class_token.expand(tokens.shape[0], -1, -1)
    return torch.cat([class_tokens, tokens], dim=1) + positions


def pool_tokens(tokens: torch.Tensor, pool: str) -> torch.Tensor:
    """``(B, N + 1, D) -> (B, D)``: the class token (row 0), or the mean of the patch tokens (rows 1..N)."""
    return tokens[:, 0] if pool == "cls" else tokens[:, 1:].mean(dim=1)


def init_weights(module: nn.Module) -> None:
    """timm's ViT initialisation of one module: truncated-normal Linear weights (std 0.02), zero biases."""
    if isinstance(module, nn.Linear):
        nn.init.trunc_normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def _jax_init(module: nn.Module) -> None:
    """Close to timm's jax mode: Xavier-uniform kernels (over the fused qkv); every bias zero (timm: the MLP
    biases from N(0, 1e-6))."""
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


class ViT(nn.Module):
    """Vision Transformer: ``(B, channels, H, W) -> (B, num_classes)`` logits.

    Patch embedding (``(B, N, dim)``, ``N = (H / p) * (W / p)``), a learned class token and
    learned position embeddings (``(1, N + 1, dim)``), ``depth`` pre-norm blocks and a Linear head.
    ViT-B/16 is ``ViT(224, patch_size=16, num_classes=1000, dim=768, depth=12, heads=12, mlp_dim=3072)``.

    - ``pool="cls"``: a final LayerNorm over every token, then the head reads the class token.
      ``pool="mean"``: timm's convention (``global_pool="avg"``): average the patch tokens first,
      then normalise the average with ``fc_norm`` (the encoder's final norm is then an identity).
    - ``soft_split=(kernel, stride, padding)``: overlapping windows (a T2T-style
      :class:`~vit_explained.soft_split.SoftSplitEmbedding`) instead of patches; they must make the
      same token grid as ``patch_size`` (e.g. 28x28: 7x7 patches and 10x10 windows at stride 6 are
      both 4x4).
    - ``stem_channels``: a convolutional stem (:class:`~vit_explained.conv_stem.ConvStem`: 3x3 conv
      to this many channels, BatchNorm, ReLU) before the patches or windows: Xiao et al.'s (2021) "early
      convolutions" (the ViT paper's hybrid feeds a ResNet's feature maps instead). 0 (the default):
      none, the embedding reads the pixels.
    - ``init``: how the Linear layers of the blocks and the head start, one of :data:`INITS`. The
      patch embedding always keeps PyTorch's fan-in init, as in timm's default (``'timm'``) mode (its
      ``Conv2d`` is not a Linear; read in timm 1.0.28); the position embeddings are truncated normal
      (std 0.02), the class token zeros.
    """

    #: The tokens in front of the patches: the class token (a :class:`~vit_explained.DeiT` adds a second).
    num_special_tokens = 1
    #: The ``pool`` values this model accepts.
    pools: tuple[str, ...] = POOLS

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
        soft_split: tuple[int, int, int] | list[int] | None = None,
        stem_channels: int = 0,
        init: str = "timm",
    ) -> None:
        super().__init__()
        self.pool = _checks.one_of("pool", pool, self.pools)
        self.init = _checks.one_of("init", init, INITS)
        _checks.positive_int("num_classes", num_classes)  # dim and heads: checked once, by each Attention
        self.patch_embedding = _token_embedding(
            image_size, patch_size, channels, dim, patch_method, soft_split, stem_channels
        )
        self.image_size = self.patch_embedding.image_size
        self.channels = channels
        self.num_classes = num_classes
        self.num_patches = self.patch_embedding.num_patches
        self._make_tokens(dim)
        self.encoder = Encoder(dim, depth, heads, mlp_dim, qkv_bias, norm_eps)
        self.fc_norm: nn.Module = nn.Identity()
        if pool == "mean":  # timm: no final norm over the tokens; normalise their average instead
            self.encoder.norm = nn.Identity()
            self.fc_norm = nn.LayerNorm(dim, eps=norm_eps)
        self._init_linear_layers(init, self._make_heads(dim, num_classes))

    def _make_tokens(self, dim: int) -> None:
        """The class token (zeros) and one position embedding per token (truncated normal, std 0.02)."""
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.empty(1, self.num_patches + 1, dim))
        nn.init.trunc_normal_(self.pos_embedding, std=0.02)

    def _make_heads(self, dim: int, num_classes: int) -> list[nn.Linear]:
        """The classifier head on the pooled token; returns the heads, for :meth:`_init_linear_layers`."""
        self.head = nn.Linear(dim, num_classes)
        return [self.head]

    def _init_linear_layers(self, init: str, heads: list[nn.Linear]) -> None:
        if init == "timm":
            for part in (self.encoder, *heads):
                part.apply(init_weights)
        elif init == "jax":
            self.encoder.apply(_jax_init)
            for head in heads:
                nn.init.zeros_(head.weight)
                nn.init.zeros_(head.bias)

    @property
    def blocks(self) -> nn.ModuleList:
        """The transformer blocks (``self.encoder.blocks``)."""
        return self.encoder.blocks

    @property
    def grid(self) -> tuple[int, int]:
        """The token grid ``(rows, cols)`` of the patch (or soft-split) embedding."""
        return tuple(self.patch_embedding.grid)

    def no_weight_decay(self) -> set[str]:
        """Parameter names an optimizer should not decay (timm's convention): the class token, the
        position embeddings, and every bias and LayerNorm parameter (any parameter with one axis)."""
        return {name for name, param in self.named_parameters() if param.ndim <= 1} | {"class_token", "pos_embedding"}

    def forward_features(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, N + 1, dim)``: every token after the encoder (and its final
        LayerNorm when ``pool="cls"``). The patch embedding checks ``images``."""
        tokens = add_class_token(self.patch_embedding(images), self.class_token, self.pos_embedding)
        return self.encoder(tokens)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, num_classes)``."""
        return self.head(self.fc_norm(pool_tokens(self.forward_features(images), self.pool)))


def _token_embedding(
    image_size: int | tuple[int, int],
    patch_size: int | tuple[int, int],
    channels: int,
    dim: int,
    patch_method: str,
    soft_split: tuple[int, int, int] | list[int] | None,
    stem_channels: int,
) -> nn.Module:
    """Patches, or overlapping windows, of the image or of a convolutional stem's feature map."""
    width = _checks.non_negative_int("stem_channels", stem_channels)
    embedding: nn.Module = PatchEmbedding(image_size, patch_size, width or channels, dim, method=patch_method)
    if soft_split is not None:
        embedding = _soft_split_embedding(embedding, soft_split)
    return ConvStem(embedding, channels, width) if width else embedding


def _soft_split_embedding(patches: PatchEmbedding, soft_split: tuple[int, int, int] | list[int]) -> SoftSplitEmbedding:
    """The soft-split embedding that replaces ``patches``, checked to make the same token grid."""
    if not isinstance(soft_split, (tuple, list)) or len(soft_split) != 3:
        raise TypeError(f"soft_split must be (kernel, stride, padding), e.g. (10, 6, 0), got {soft_split!r}")
    kernel, stride, padding = soft_split
    embedding = SoftSplitEmbedding(patches.image_size, patches.in_channels, patches.dim, kernel, stride, padding)
    if embedding.grid != tuple(patches.grid):
        raise ValueError(
            f"a soft split with kernel {kernel}, stride {stride}, padding {padding} makes a "
            f"{embedding.grid[0]}x{embedding.grid[1]} token grid, but patch_size {patches.patch_size} makes "
            f"{patches.grid[0]}x{patches.grid[1]}; choose a patch_size or a split that give the same grid"
        )
    return embedding

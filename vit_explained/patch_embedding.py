"""Patch embedding: three equivalent ways to turn an image into a sequence of patch tokens."""

from __future__ import annotations

from typing import NamedTuple

import torch
from einops.layers.torch import Rearrange
from torch import nn

from . import _checks
from ._checks import Size
from .patches import PATCHIFY_PATTERN, patch_grid

METHODS = ("conv", "unfold", "rearrange")


class PatchEmbedding(nn.Module):
    """Cut an image into patches and project each to ``dim``: ``(B, C, H, W) -> (B, N, dim)``.

    ``N = (H // ph) * (W // pw)`` patches in row-major order. ``method`` picks how:

    - ``"conv"``: ``Conv2d`` with kernel = stride = patch (timm, HF transformers);
    - ``"unfold"``: ``nn.Unfold`` then ``Linear`` (each patch flattened as ``c ph pw``);
    - ``"rearrange"``: einops ``'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'`` then ``Linear``
      (lucidrains/vit-pytorch).

    All three hold the same numbers: a kernel of shape ``(dim, C, ph, pw)`` and a bias
    ``(dim,)``, stored in a different layout. :meth:`kernel` reads them in the common layout,
    :meth:`load_kernel` writes them, and :meth:`copy_weights_from` copies them from any method,
    after which the outputs are equal.
    """

    def __init__(self, image_size: Size, patch_size: Size, in_channels: int, dim: int, method: str = "conv") -> None:
        super().__init__()
        self.image_size = _checks.to_pair("image_size", image_size)
        self.patch_size = _checks.to_pair("patch_size", patch_size)
        self.in_channels = _checks.positive_int("in_channels", in_channels)
        self.dim = _checks.positive_int("dim", dim)
        self.method = _checks.one_of("method", method, METHODS)
        self.grid = patch_grid(*self.image_size, self.patch_size)
        self.num_patches = self.grid[0] * self.grid[1]
        ph, pw = self.patch_size
        patch_length = ph * pw * in_channels
        if method == "conv":
            self.proj = nn.Conv2d(in_channels, dim, kernel_size=self.patch_size, stride=self.patch_size)
        elif method == "unfold":
            self.split = nn.Unfold(kernel_size=self.patch_size, stride=self.patch_size)
            self.proj = nn.Linear(patch_length, dim)
        else:
            self.split = Rearrange(PATCHIFY_PATTERN, p1=ph, p2=pw)
            self.proj = nn.Linear(patch_length, dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, N, dim)``; checks the images (a ViT leaves that to its embedding)."""
        _checks.image_batch(images, channels=self.in_channels, size=self.image_size)
        if self.method == "conv":
            return self.proj(images).flatten(2).transpose(1, 2)  # (B, D, h, w) -> (B, h*w, D)
        if self.method == "unfold":
            return self.proj(self.split(images).transpose(1, 2))  # (B, C*ph*pw, N) -> (B, N, D)
        return self.proj(self.split(images))

    def kernel(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The weights in the common layout: ``(dim, C, ph, pw)`` and bias ``(dim,)``."""
        weight = self.proj.weight
        ph, pw = self.patch_size
        if self.method == "unfold":  # Linear columns in (c, ph, pw) order
            weight = weight.reshape(self.dim, self.in_channels, ph, pw)
        elif self.method == "rearrange":  # Linear columns in (p1, p2, c) order
            weight = weight.reshape(self.dim, ph, pw, self.in_channels).permute(0, 3, 1, 2)
        return weight, self.proj.bias

    @torch.no_grad()
    def load_kernel(self, weight: torch.Tensor, bias: torch.Tensor) -> None:
        """Set the weights from the common layout ``(dim, C, ph, pw)`` and bias ``(dim,)``."""
        expected = (self.dim, self.in_channels, *self.patch_size)
        if tuple(weight.shape) != expected or tuple(bias.shape) != (self.dim,):
            raise ValueError(
                f"expected a kernel of shape {expected} and a bias of shape ({self.dim},), "
                f"got {tuple(weight.shape)} and {tuple(bias.shape)}"
            )
        if self.method == "unfold":
            weight = weight.reshape(self.dim, -1)
        elif self.method == "rearrange":
            weight = weight.permute(0, 2, 3, 1).reshape(self.dim, -1)
        self.proj.weight.copy_(weight)
        self.proj.bias.copy_(bias)

    def copy_weights_from(self, other: PatchEmbedding) -> PatchEmbedding:
        """Copy another embedding's weights (any method) into this one; returns ``self``."""
        if not isinstance(other, PatchEmbedding):
            raise TypeError(f"expected a PatchEmbedding, got {type(other).__name__}")
        self.load_kernel(*other.kernel())
        return self

    def extra_repr(self) -> str:
        return (
            f"image_size={self.image_size}, patch_size={self.patch_size}, "
            f"num_patches={self.num_patches}, method={self.method!r}"
        )


def filter_components(kernel: torch.Tensor, count: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """The top ``count`` principal components of a patch kernel's filters (the ViT paper's Figure 7, left).

    ``kernel`` is a patch embedding's ``(D, C, ph, pw)`` weight (:meth:`PatchEmbedding.kernel`): ``D``
    filters of ``C * ph * pw`` numbers. The filters are centred (their mean filter subtracted) and
    decomposed with an SVD in float64. Returns the components as ``(count, C, ph, pw)`` filters of unit
    length (each one's sign is arbitrary) and the share of the filters' variance each one holds, ``(count,)``.
    """
    if not isinstance(kernel, torch.Tensor) or kernel.dim() != 4:
        raise ValueError(
            f"kernel must be a (D, C, ph, pw) tensor, got {getattr(kernel, 'shape', type(kernel).__name__)}"
        )
    count = _checks.positive_int("count", count)
    filters = kernel.detach().double().cpu().reshape(kernel.shape[0], -1)
    if count > min(filters.shape):
        raise ValueError(
            f"count must be at most {min(filters.shape)} for a kernel of shape {tuple(kernel.shape)}, got {count}"
        )
    centred = filters - filters.mean(dim=0)
    _, values, directions = torch.linalg.svd(centred, full_matrices=False)
    share = values**2 / (values**2).sum()
    return directions[:count].reshape(count, *kernel.shape[1:]), share[:count]


def component_smoothness(kernel: torch.Tensor, count: int = 4) -> float:
    """How smooth a kernel's top ``count`` principal components are: the correlation of
    neighbouring pixels (each pixel with the one to its right and the one below it, within each
    channel), pooled over the pixel pairs of each component and averaged over the ``count``
    components. At or below 0 for a random kernel (lesson 01: -0.33 to 0.08 over 30 seeds); near 1
    for smooth, low-frequency components like the ViT paper's Figure 7 (left). The sign of each
    component does not matter."""
    components, _ = filter_components(kernel, count)  # (count, C, ph, pw), float64
    values = []
    for component in components:
        left, right = component[..., :, :-1].flatten(), component[..., :, 1:].flatten()
        upper, lower = component[..., :-1, :].flatten(), component[..., 1:, :].flatten()
        pairs = torch.stack([torch.cat([left, upper]), torch.cat([right, lower])])
        values.append(torch.corrcoef(pairs)[0, 1])
    return torch.stack(values).mean().item()


class RandomKernels(NamedTuple):
    """:func:`random_kernel_baseline`'s result: seed 0's kernel and one value per seed."""

    first: torch.Tensor  # seed 0's untrained kernel, (D, C, ph, pw)
    shares: list[float]  # share of the variance in the top ``count`` components, one per seed
    smoothness: list[float]  # :func:`component_smoothness` of the top ``smooth_count`` components, one per seed


def random_kernel_baseline(
    seeds: int = 30,
    image_size: int = 28,
    patch_size: int = 4,
    channels: int = 1,
    dim: int = 64,
    count: int = 8,
    smooth_count: int = 4,
) -> RandomKernels:
    """Untrained kernels of a :class:`PatchEmbedding` (lesson 01: the shipped MNIST ViT's shape) drawn with
    ``torch.manual_seed(seed)`` for ``seed`` in ``range(seeds)``: the baseline a trained kernel's
    :func:`filter_components` and :func:`component_smoothness` are read against. The global random state is
    left as it was (``torch.random.fork_rng``)."""
    seeds = _checks.positive_int("seeds", seeds)
    kernels = []
    with torch.random.fork_rng():
        for seed in range(seeds):
            torch.manual_seed(seed)
            kernels.append(PatchEmbedding(image_size, patch_size, channels, dim).kernel()[0].detach())
    shares = [filter_components(kernel, count)[1].sum().item() for kernel in kernels]
    return RandomKernels(kernels[0], shares, [component_smoothness(kernel, smooth_count) for kernel in kernels])

"""Reading a trained ViT's attention: capture the weights with forward hooks, then roll them out.

- :func:`capture_attention` records every attention module's ``(B, heads, N, N)`` weights during
  a forward pass, without editing the model's code: a forward hook on each module's ``attend``
  softmax, with the fused path (which never materialises the weights) switched off inside the
  ``with`` block only.
- :func:`attention_rollout` (Abnar & Zuidema 2020, "Quantifying Attention Flow in
  Transformers") multiplies the layers' attention, with the residual connection modelled as an
  identity, into one ``(B, N, N)`` map from output tokens to input tokens.
- :func:`class_token_attention` takes the class token's row of such a map and lays the patches
  out on their grid, ready to overlay on the image.

Shapes: B = batch, heads = attention heads, N = tokens (class token first, then the patches in
row-major order over the patch grid), rows x cols = the patch grid (``N - 1 = rows * cols``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn

from . import _checks
from .attention import Attention

HEAD_FUSIONS = ("mean", "max", "min")


def attention_modules(model: nn.Module) -> list[Attention]:
    """Every :class:`~vit_explained.Attention` inside ``model``, in ``model.modules()`` order.

    For a ViT that is one per block; for a T2T-ViT the two token transformers' attention comes
    first, then the backbone's blocks. Raises a ``ValueError`` if there is none.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module (a ViT, a Block, an Attention), got {type(model).__name__}")
    found = [module for module in model.modules() if isinstance(module, Attention)]
    if not found:
        raise ValueError(
            f"{type(model).__name__} contains no vit_explained.Attention module; "
            "pass a model built from vit_explained blocks (ViT, T2TViT, Block, Attention)"
        )
    return found


@contextmanager
def capture_attention(model: nn.Module, modules: Iterable[Attention] | None = None) -> Iterator[list[torch.Tensor]]:
    """Record attention weights during forward passes, without editing the model.

    ``with capture_attention(model) as attentions: model(images)`` leaves in ``attentions``
    one detached ``(B, heads, N, N)`` tensor per attention module, in the order the modules
    ran (for a ViT: block 0, block 1, ...). Each forward pass inside the block appends one more
    tensor per module.

    How: a forward hook on each module's ``attend`` (its ``nn.Softmax``) stores the softmax's
    output. The fused path (``F.scaled_dot_product_attention``) never computes that matrix, so
    inside the block each module runs its explicit path (``fused = False``); same outputs up to
    float rounding. On exit (also after an exception) the hooks are removed and every module's
    ``fused`` is restored to what it was.

    ``modules`` restricts the capture (e.g. ``[block.attn for block in model.blocks]`` to skip
    a T2T-ViT's token transformers); by default every :class:`Attention` in ``model``.
    """
    targets = attention_modules(model) if modules is None else list(modules)
    for index, module in enumerate(targets):
        if not isinstance(module, Attention):
            raise TypeError(
                f"modules[{index}] must be a vit_explained.Attention (e.g. model.blocks[i].attn), "
                f"got {type(module).__name__}"
            )
    attentions: list[torch.Tensor] = []

    def store(_module: nn.Module, _inputs: tuple[torch.Tensor, ...], weights: torch.Tensor) -> None:
        attentions.append(weights.detach())

    previous = [module.fused for module in targets]
    handles = []
    try:
        for module in targets:
            handles.append(module.attend.register_forward_hook(store))
            module.fused = False
        yield attentions
    finally:
        for handle in handles:
            handle.remove()
        for module, fused in zip(targets, previous, strict=True):
            module.fused = fused


def _check_attention_stack(attentions: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    if isinstance(attentions, torch.Tensor) or not isinstance(attentions, Sequence):
        raise TypeError(
            "attentions must be a list of (B, heads, N, N) tensors, one per layer (what capture_attention "
            f"collects), got {type(attentions).__name__}"
        )
    if len(attentions) == 0:
        raise ValueError("attentions is empty: pass at least one layer's (B, heads, N, N) weights")
    first = attentions[0]
    for index, weights in enumerate(attentions):
        if not isinstance(weights, torch.Tensor):
            raise TypeError(f"attentions[{index}] must be a tensor (B, heads, N, N), got {type(weights).__name__}")
        if weights.dim() != 4 or weights.shape[-1] != weights.shape[-2]:
            hint = " (one head? add the head axis with .unsqueeze(1))" if weights.dim() == 3 else ""
            raise ValueError(f"attentions[{index}] must be (B, heads, N, N), got shape {tuple(weights.shape)}{hint}")
        if (weights.shape[0], weights.shape[-1]) != (first.shape[0], first.shape[-1]):
            raise ValueError(
                f"every layer needs the same batch B and token count N to be rolled out: attentions[0] is "
                f"{tuple(first.shape)}, attentions[{index}] is {tuple(weights.shape)}"
            )
    return list(attentions)


def fuse_heads(weights: torch.Tensor, head_fusion: str = "mean") -> torch.Tensor:
    """Combine the heads: ``(B, heads, N, N) -> (B, N, N)`` by their mean, max or min."""
    head_fusion = _checks.one_of("head_fusion", head_fusion, HEAD_FUSIONS)
    if head_fusion == "mean":
        return weights.mean(dim=1)
    if head_fusion == "max":
        return weights.amax(dim=1)
    return weights.amin(dim=1)


def attention_rollout(
    attentions: Sequence[torch.Tensor], head_fusion: str = "mean", residual: bool = True
) -> torch.Tensor:
    """Attention rollout: a list of ``(B, heads, N, N)`` (first layer first) ``-> (B, N, N)``.

    Per layer: fuse the heads (:func:`fuse_heads`); with ``residual``, model the skip connection
    ``x + attn(x)`` as half identity, ``0.5 * A + 0.5 * I``; re-normalise every row to sum to 1
    (needed when the fused rows do not, e.g. ``head_fusion="max"``). Then multiply through the
    layers, the later layer on the left: ``R = A_L @ ... @ A_2 @ A_1``. Row ``i`` of the result
    says how much of output token ``i`` comes from each input token; every row sums to 1.
    """
    layers = _check_attention_stack(attentions)
    batch, tokens = layers[0].shape[0], layers[0].shape[-1]
    identity = torch.eye(tokens, dtype=layers[0].dtype, device=layers[0].device)
    rollout = identity.expand(batch, tokens, tokens)
    for weights in layers:
        fused = fuse_heads(weights, head_fusion)
        if residual:
            fused = 0.5 * fused + 0.5 * identity
        fused = fused / fused.sum(dim=-1, keepdim=True)
        rollout = fused @ rollout
    return rollout


def class_token_attention(weights: torch.Tensor, grid_size: int | tuple[int, int]) -> torch.Tensor:
    """The class token's attention to the patches, on the patch grid: ``(..., N, N) -> (..., rows, cols)``.

    Takes row 0 (the class token as the query), drops column 0 (the class token as a key) and
    reshapes the ``N - 1 = rows * cols`` patch columns row by row, the order in which the
    patches were flattened. Works for one block's ``(B, heads, N, N)`` weights and for a
    ``(B, N, N)`` rollout. The values no longer sum to 1: the class token's share is left out.
    """
    if not isinstance(weights, torch.Tensor):
        raise TypeError(f"weights must be a torch.Tensor (..., N, N), got {type(weights).__name__}")
    rows, cols = _checks.to_pair("grid_size", grid_size)
    if weights.dim() < 2 or weights.shape[-1] != weights.shape[-2]:
        raise ValueError(f"weights must end in two equal token axes (..., N, N), got shape {tuple(weights.shape)}")
    tokens = weights.shape[-1]
    if tokens - 1 != rows * cols:
        raise ValueError(
            f"a {rows}x{cols} patch grid has {rows * cols} patches plus the class token = {rows * cols + 1} tokens, "
            f"but weights have N = {tokens}; pass the model's patch grid (e.g. model.patch_embedding.grid)"
        )
    return weights[..., 0, 1:].reshape(*weights.shape[:-2], rows, cols)

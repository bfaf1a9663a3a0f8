"""What self-attention costs, counted from the shapes (no timing): the attention matrix's memory grows
with heads x N squared, its FLOPs with width x N squared. :func:`count_macs` adds it up over a model."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from . import _checks
from .attention import Attention


class AttentionCost(NamedTuple):
    """The cost of one self-attention layer on a batch of ``batch`` images.

    ``matrix_entries``: entries of the attention matrix, ``batch * heads * N * N``: it depends on
    the heads and the tokens, not on the width. ``matrix_bytes``: its memory at
    ``bytes_per_element`` (4 for float32), what the explicit path stores and the fused path avoids.
    ``matmul_flops``: multiply-adds x 2 of ``q k^T`` and ``weights @ v`` together,
    ``batch * 2 * 2 * N * N * dim``: the width drives these. ``projection_flops``: the qkv and
    output projections, ``batch * 2 * N * (dim_in * 3 dim + dim * dim)`` (biases left out): linear
    in N. ``dim_in`` is the width of the tokens the qkv Linear reads, ``dim`` unless the layer changes
    the width (T2T-ViT_t's token transformers read 147 or 576 features and make q, k, v 64 wide).
    """

    num_tokens: int
    heads: int
    matrix_entries: int
    matrix_bytes: int
    matmul_flops: int
    projection_flops: int


def attention_cost(
    num_tokens: int, dim: int, heads: int, bytes_per_element: int = 4, *, batch: int = 1, dim_in: int | None = None
) -> AttentionCost:
    """Count the attention matrix and the FLOPs for ``batch`` images of ``num_tokens`` tokens.

    ``dim`` is the width of q, k and v (all heads together) and of the output projection; ``dim_in``
    the width of the tokens the qkv Linear reads (default ``dim``).

    >>> attention_cost(197, 768, 12).matrix_entries  # ViT-B/16: 12 heads x 197 x 197
    465708
    >>> attention_cost(3136, 64, 1, dim_in=147).projection_flops  # T2T-ViT_t's first token layer
    202711040
    """
    num_tokens = _checks.positive_int("num_tokens", num_tokens)
    _checks.divisible_by_heads(dim, heads)
    bytes_per_element = _checks.positive_int("bytes_per_element", bytes_per_element)
    batch = _checks.positive_int("batch", batch)
    dim_in = dim if dim_in is None else _checks.positive_int("dim_in", dim_in)
    entries = batch * heads * num_tokens * num_tokens
    matmul_flops = batch * 4 * num_tokens * num_tokens * dim
    projection_flops = batch * 2 * num_tokens * (dim_in * 3 * dim + dim * dim)
    return AttentionCost(num_tokens, heads, entries, entries * bytes_per_element, matmul_flops, projection_flops)


def count_macs(model: nn.Module, images: torch.Tensor) -> dict[str, int]:
    """Multiply-accumulates of one ``model(images)``, from forward hooks.

    ``"layers"``: every ``nn.Linear`` and ``nn.Conv2d``, one MAC per weight entry per output number
    (biases left out); ``"attention"``: the two matmuls ``q k^T`` and ``weights @ v`` of every
    :class:`~vit_explained.Attention` (:func:`attention_cost`), which no Linear counts. ``images``
    may live on the ``meta`` device: the shapes are all that is needed, and nothing is computed.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    macs = {"layers": 0, "attention": 0}

    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        if isinstance(module, Attention):
            batch, tokens = inputs[0].shape[:2]
            cost = attention_cost(tokens, module.inner_dim, module.heads, batch=batch)
            macs["attention"] += cost.matmul_flops // 2
        else:  # each output number is one dot product with a weight row (or kernel)
            macs["layers"] += output.numel() * module.weight[0].numel()

    watched = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d, Attention))]
    handles = [m.register_forward_hook(hook) for m in watched]
    try:
        with torch.no_grad():
            model(images)
    finally:
        for handle in handles:
            handle.remove()
    return macs

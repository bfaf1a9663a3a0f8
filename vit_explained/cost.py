"""What self-attention costs, counted from the shapes (no timing): the attention matrix's memory grows
with heads x N squared, its FLOPs with width x N squared."""

from __future__ import annotations

from typing import NamedTuple

from . import _checks


class AttentionCost(NamedTuple):
    """The cost of one self-attention layer on a batch of ``batch`` images.

    ``matrix_entries``: entries of the attention matrix, ``batch * heads * N * N``: it depends on
    the heads and the tokens, not on the width. ``matrix_bytes``: its memory at
    ``bytes_per_element`` (4 for float32), what the explicit path stores and the fused path avoids.
    ``matmul_flops``: multiply-adds x 2 of ``q k^T`` and ``weights @ v`` together,
    ``batch * 2 * 2 * N * N * dim``: the width drives these. ``projection_flops``: the qkv and
    output projections, ``batch * 2 * N * (dim * 3 dim + dim * dim)`` (biases left out): linear in N.
    """

    num_tokens: int
    heads: int
    matrix_entries: int
    matrix_bytes: int
    matmul_flops: int
    projection_flops: int


def attention_cost(
    num_tokens: int, dim: int, heads: int, bytes_per_element: int = 4, *, batch: int = 1
) -> AttentionCost:
    """Count the attention matrix and the FLOPs for ``batch`` images of ``num_tokens`` tokens of width ``dim``.

    >>> attention_cost(197, 768, 12).matrix_entries  # ViT-B/16: 12 heads x 197 x 197
    465708
    """
    num_tokens = _checks.positive_int("num_tokens", num_tokens)
    _checks.divisible_by_heads(dim, heads)
    bytes_per_element = _checks.positive_int("bytes_per_element", bytes_per_element)
    batch = _checks.positive_int("batch", batch)
    entries = batch * heads * num_tokens * num_tokens
    matmul_flops = batch * 4 * num_tokens * num_tokens * dim
    projection_flops = batch * 2 * num_tokens * 4 * dim * dim
    return AttentionCost(num_tokens, heads, entries, entries * bytes_per_element, matmul_flops, projection_flops)

"""What self-attention costs, counted from the shapes (no timing): it grows with N squared."""

from __future__ import annotations

from typing import NamedTuple

from . import _checks


class AttentionCost(NamedTuple):
    """The cost of one self-attention layer on one image.

    ``matrix_entries``: entries of the attention matrix, ``heads * N * N``.
    ``matrix_bytes``: its memory at ``bytes_per_element`` (4 for float32), what the explicit path
    stores and the fused path avoids. ``matmul_flops``: multiply-adds x 2 of ``q k^T`` and
    ``weights @ v`` together, ``2 * 2 * N * N * inner_dim`` (the projections are not included:
    they grow only linearly with N).
    """

    num_tokens: int
    heads: int
    matrix_entries: int
    matrix_bytes: int
    matmul_flops: int


def attention_cost(num_tokens: int, dim: int, heads: int, bytes_per_element: int = 4) -> AttentionCost:
    """Count the attention matrix and its matmuls for ``num_tokens`` tokens of width ``dim``.

    >>> attention_cost(197, 768, 12).matrix_entries  # ViT-B/16: 12 heads x 197 x 197
    465708
    """
    num_tokens = _checks.positive_int("num_tokens", num_tokens)
    _checks.divisible_by_heads(dim, heads)
    bytes_per_element = _checks.positive_int("bytes_per_element", bytes_per_element)
    entries = heads * num_tokens * num_tokens
    return AttentionCost(num_tokens, heads, entries, entries * bytes_per_element, 4 * num_tokens * num_tokens * dim)

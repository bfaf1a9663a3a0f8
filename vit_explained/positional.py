"""Position encodings: the fixed sinusoid table of "Attention Is All You Need"."""

from __future__ import annotations

import torch

from . import _checks


def sinusoid_encoding(num_tokens: int, dim: int) -> torch.Tensor:
    """The sinusoid position table, ``(num_tokens, dim)``.

    Row ``pos``, columns ``2i`` and ``2i + 1``: ``sin`` and ``cos`` of
    ``pos / 10000 ** (2i / dim)``; each pair of columns is a clock of its own frequency.
    (T2T-ViT uses this table, as a fixed, untrained position embedding.)
    """
    num_tokens = _checks.positive_int("num_tokens", num_tokens)
    dim = _checks.positive_int("dim", dim)
    positions = torch.arange(num_tokens, dtype=torch.float64).unsqueeze(1)  # (N, 1)
    pair_index = torch.arange(dim, dtype=torch.float64) // 2  # i for columns 2i and 2i + 1
    angles = positions / torch.pow(10000.0, 2 * pair_index / dim)  # (N, D)
    table = torch.where(torch.arange(dim) % 2 == 0, torch.sin(angles), torch.cos(angles))
    return table.float()

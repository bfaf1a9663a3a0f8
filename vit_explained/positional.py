"""Position encodings: the fixed sinusoid table of "Attention Is All You Need", and how alike positions are."""

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


def cosine_similarity_matrix(table: torch.Tensor) -> torch.Tensor:
    """Cosine similarity between every pair of rows: ``(N, D)`` (or ``(1, N, D)``) ``-> (N, N)``.

    Entry ``(i, j)`` is ``<row_i, row_j> / (|row_i| |row_j|)``: 1 for rows pointing the same way,
    0 for orthogonal rows. Used to compare the positions of a position table.
    """
    if not isinstance(table, torch.Tensor):
        raise TypeError(f"table must be a torch.Tensor of shape (N, D), got {type(table).__name__}")
    if table.dim() == 3 and table.shape[0] == 1:
        table = table[0]
    if table.dim() != 2:
        raise ValueError(f"table must be (N, D) or (1, N, D), got shape {tuple(table.shape)}")
    unit = torch.nn.functional.normalize(table.detach().float().cpu(), dim=-1)
    return unit @ unit.T


def patch_position_similarity(pos_embedding: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
    """The learned positions of the patches compared, as in the ViT paper's Figure 7.

    ``pos_embedding`` is a ViT's ``(1, N + 1, D)`` table (row 0, the class token's, is dropped)
    or the ``(N, D)`` patch rows; ``grid`` is ``(rows, cols)`` with ``rows * cols = N``. Returns
    ``(rows, cols, rows, cols)``: entry ``[r, c]`` is the ``(rows, cols)`` map of how similar patch
    ``(r, c)``'s position vector is to every patch's.
    """
    rows, cols = _checks.to_pair("grid", grid)
    if not isinstance(pos_embedding, torch.Tensor):
        raise TypeError(f"pos_embedding must be a torch.Tensor, got {type(pos_embedding).__name__}")
    table = pos_embedding[0] if pos_embedding.dim() == 3 else pos_embedding
    if table.dim() == 2 and table.shape[0] == rows * cols + 1:
        table = table[1:]  # drop the class token's row
    if table.dim() != 2 or table.shape[0] != rows * cols:
        raise ValueError(
            f"pos_embedding must hold {rows * cols} patch rows (+ 1 class-token row) for a {rows}x{cols} grid, "
            f"got shape {tuple(pos_embedding.shape)}"
        )
    return cosine_similarity_matrix(table).reshape(rows, cols, rows, cols)


def nearest_position(similarity: torch.Tensor) -> torch.Tensor:
    """For each patch, the grid position ``(row, col)`` of its most similar *other* patch.

    ``similarity`` is ``(rows, cols, rows, cols)`` from :func:`patch_position_similarity`;
    returns ``(rows, cols, 2)`` int64.
    """
    rows, cols = similarity.shape[:2]
    flat = similarity.reshape(rows * cols, rows * cols).clone()
    flat.fill_diagonal_(float("-inf"))
    best = flat.argmax(dim=1)
    return torch.stack([best // cols, best % cols], dim=-1).reshape(rows, cols, 2)

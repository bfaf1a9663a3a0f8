"""Position encodings: the fixed sinusoid table of "Attention Is All You Need", how alike positions
are, and a learned table carried to a new resolution (2-D interpolation)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch

from . import _checks
from ._checks import Size
from .evidence import Comparison, Estimate
from .patch_embedding import PatchEmbedding

#: The modes :func:`interpolate_positions` accepts (those of ``torch.nn.functional.interpolate`` for 2-D grids).
INTERPOLATION_MODES = ("bicubic", "bilinear", "nearest")


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


def sincos_2d_encoding(rows: int, cols: int, dim: int) -> torch.Tensor:
    """A 2-D sin-cos position table, ``(rows * cols, dim)``, patches in row-major order.

    The first ``dim // 2`` channels are :func:`sinusoid_encoding` of the patch's row, the last
    ``dim // 2`` that of its column: half the channels code the row, half the column.
    """
    rows = _checks.positive_int("rows", rows)
    cols = _checks.positive_int("cols", cols)
    dim = _checks.positive_int("dim", dim)
    if dim % 2:
        raise ValueError(f"dim must be even (half the channels per axis), got {dim}")
    row, col = torch.arange(rows * cols) // cols, torch.arange(rows * cols) % cols
    return torch.cat([sinusoid_encoding(rows, dim // 2)[row], sinusoid_encoding(cols, dim // 2)[col]], dim=1)


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


def interpolate_positions(
    pos_embedding: torch.Tensor,
    new_grid: Size,
    old_grid: Size | None = None,
    *,
    num_prefix_tokens: int = 1,
    mode: str = "bicubic",
    antialias: bool = True,
) -> torch.Tensor:
    """A learned position table resampled to a new patch grid by 2-D interpolation.

    ``pos_embedding`` is ``(1, num_prefix_tokens + rows * cols, D)``; returns
    ``(1, num_prefix_tokens + new_rows * new_cols, D)``. The first ``num_prefix_tokens`` rows (the
    class token's) are kept as they are; the patch rows are laid out on their ``(rows, cols)`` grid
    (row by row), treated as a ``D``-channel image and resized with
    ``torch.nn.functional.interpolate`` (``align_corners=False``), then read back row by row.
    ``old_grid`` defaults to a square grid.

    The defaults are those of timm 1.0.28's ``timm.layers.resample_abs_pos_embed`` (bicubic,
    ``antialias=True``, computed in float32), which timm's ViT ``checkpoint_filter_fn`` calls when a
    checkpoint is loaded at a new image size. Hugging Face transformers 5.23.0's
    ``ViTEmbeddings.interpolate_pos_encoding`` is bicubic *without* antialias: pass
    ``antialias=False`` to match it. The two differ even when the grid grows, because torch's
    antialiased bicubic uses the cubic kernel with a = -0.5 (as PIL) and the plain one a = -0.75.
    The ViT paper (section 3.2) fine-tunes at a higher resolution after such a 2-D interpolation.
    """
    if not isinstance(pos_embedding, torch.Tensor) or pos_embedding.dim() != 3 or pos_embedding.shape[0] != 1:
        shape = tuple(pos_embedding.shape) if isinstance(pos_embedding, torch.Tensor) else type(pos_embedding).__name__
        raise ValueError(f"pos_embedding must be a (1, prefix + rows * cols, D) tensor, got {shape}")
    prefix = _checks.non_negative_int("num_prefix_tokens", num_prefix_tokens)
    mode = _checks.one_of("mode", mode, INTERPOLATION_MODES)
    new_rows, new_cols = _checks.to_pair("new_grid", new_grid)
    patches = pos_embedding.shape[1] - prefix
    if old_grid is None:
        side = round(patches**0.5)
        if side * side != patches or patches < 1:
            raise ValueError(
                f"pos_embedding has {patches} patch rows after {prefix} prefix token(s): not a square grid; "
                "pass old_grid=(rows, cols)"
            )
        old_grid = (side, side)
    rows, cols = _checks.to_pair("old_grid", old_grid)
    if rows * cols != patches:
        raise ValueError(
            f"old_grid {rows}x{cols} holds {rows * cols} patches, but pos_embedding has {patches} patch rows "
            f"after {prefix} prefix token(s)"
        )
    dim = pos_embedding.shape[-1]
    head, table = pos_embedding[:, :prefix], pos_embedding[:, prefix:]
    image = table.float().reshape(1, rows, cols, dim).permute(0, 3, 1, 2)  # (1, D, rows, cols)
    options = {} if mode == "nearest" else {"align_corners": False, "antialias": antialias}
    resized = torch.nn.functional.interpolate(image, size=(new_rows, new_cols), mode=mode, **options)
    table = resized.permute(0, 2, 3, 1).reshape(1, new_rows * new_cols, dim).to(pos_embedding.dtype)
    return torch.cat([head, table], dim=1)


def vit_at_resolution(model: torch.nn.Module, image_size: Size, pos_embedding: torch.Tensor) -> torch.nn.Module:
    """A copy of ``model`` (a :class:`~vit_explained.ViT` with a plain patch embedding) that reads
    ``image_size`` images with the same weights and the given ``pos_embedding``
    ``(1, 1 + rows * cols, D)`` for its new patch grid. ``model`` itself is not changed."""
    embedding = getattr(model, "patch_embedding", None)
    if not isinstance(embedding, PatchEmbedding):
        raise TypeError(
            f"model must be a ViT whose patch_embedding is a PatchEmbedding, got {type(embedding).__name__}"
        )
    new_embedding = PatchEmbedding(
        image_size, embedding.patch_size, embedding.in_channels, embedding.dim, method=embedding.method
    )
    expected = (1, model.num_special_tokens + new_embedding.num_patches, embedding.dim)
    if not isinstance(pos_embedding, torch.Tensor) or tuple(pos_embedding.shape) != expected:
        shape = tuple(pos_embedding.shape) if isinstance(pos_embedding, torch.Tensor) else type(pos_embedding).__name__
        raise ValueError(
            f"a {new_embedding.image_size[0]}x{new_embedding.image_size[1]} image makes a "
            f"{new_embedding.grid[0]}x{new_embedding.grid[1]} grid, so pos_embedding must be {expected}, got {shape}"
        )
    resized = copy.deepcopy(model)
    new_embedding.copy_weights_from(embedding)
    resized.patch_embedding = new_embedding.to(embedding.proj.weight.device)
    resized.image_size = new_embedding.image_size
    resized.num_patches = new_embedding.num_patches
    resized.pos_embedding = torch.nn.Parameter(pos_embedding.detach().clone().to(model.pos_embedding))
    return resized


# --- what a learned table holds: rows, columns, neighbours, a border ------------------------------------


@dataclass(frozen=True)
class PositionStructure:
    """What :func:`position_structure_report` finds in a learned position table (print it for the table).

    ``groups`` maps a kind of pair of patch positions to its mean cosine similarity; ``differences``
    compares two kinds. Every interval comes from a bootstrap over **patches** (resample the patches
    with replacement, keep every pair among the drawn ones): pairs that share a patch are not
    independent, so a bootstrap over pairs would give intervals too narrow.
    """

    grid: tuple[int, int]
    num_inner: int
    num_border: int
    inner_nearest_neighbour: int  # inner patches whose most similar other position is one of their 8 neighbours
    left_right: int  # ... the patch to the left or right (also the next or previous token)
    above_below: int  # ... the patch above or below (``cols`` tokens away)
    diagonal: int
    border_nearest_border: int  # border patches whose most similar other position is also on the border
    chance: float  # the most an inner patch's random pick would land on a neighbour
    groups: dict[str, Estimate]
    differences: dict[str, Comparison]

    def counts(self) -> str:
        """The first lines of the report: where each patch's most similar other position lies."""
        return "\n".join(
            [
                f"inner patches whose most similar other position is a grid neighbour: "
                f"{self.inner_nearest_neighbour} of {self.num_inner} (a random pick: at most {self.chance:.0%} each)",
                f"  of these: left/right {self.left_right}, above/below {self.above_below}, diagonal {self.diagonal}",
                f"border patches whose most similar other position is also on the border: "
                f"{self.border_nearest_border} of {self.num_border}",
            ]
        )

    def __str__(self) -> str:
        width = max(map(len, self.groups))
        lines = [
            self.counts(),
            "mean cosine similarity of two patches' positions (n = pairs; intervals: bootstrap over patches):",
            *(f"  {name:<{width}} {estimate}" for name, estimate in self.groups.items()),
            "differences (bootstrap over patches):",
            *(f"  {comparison}" for comparison in self.differences.values()),
        ]
        return "\n".join(lines)


def _patch_similarity(model: torch.nn.Module | torch.Tensor, grid: Size | None) -> tuple[np.ndarray, int, int]:
    """The cosine similarity ``(N, N)`` (float64) of a ViT's (or a table's) patch positions, and the grid."""
    if isinstance(model, torch.Tensor):
        if grid is None:
            raise ValueError("pass grid=(rows, cols) with a position table")
        table = model
    else:
        table = getattr(model, "pos_embedding", None)
        if not isinstance(table, torch.Tensor):
            raise TypeError(f"model must be a ViT with a pos_embedding or a tensor, got {type(model).__name__}")
        grid = model.patch_embedding.grid if grid is None else grid
    rows, cols = _checks.to_pair("grid", grid)
    if rows < 3 or cols < 3:
        raise ValueError(f"grid must be at least 3x3 to have inner patches, got {rows}x{cols}")
    n = rows * cols
    patch_rows = table.detach().reshape(-1, table.shape[-1])
    if patch_rows.shape[0] == n + 1:
        patch_rows = patch_rows[1:]  # drop the class token's row
    if patch_rows.shape[0] != n:
        raise ValueError(f"the table must hold {n} patch rows (+ 1 class-token row), got shape {tuple(table.shape)}")
    unit = torch.nn.functional.normalize(patch_rows.to(torch.float64).cpu(), dim=-1)
    return (unit @ unit.T).numpy(), rows, cols


def _pair_kinds(rows: int, cols: int, border: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean ``(N, N)`` masks of each kind of patch pair: each pair once (j after i); inner pairs
    unless the name says border."""
    n = rows * cols
    r, c = np.divmod(np.arange(n), cols)
    inner = ~border
    pair_inner = inner[:, None] & inner[None, :] & ~np.eye(n, dtype=bool)
    same_row, same_col = r[:, None] == r[None, :], c[:, None] == c[None, :]
    distance = np.arange(n)[None, :] - np.arange(n)[:, None]  # j - i along the sequence
    later = distance > 0

    def at(steps: int) -> np.ndarray:
        return pair_inner & (distance == steps)

    return {
        "same row": pair_inner & same_row & later,
        "same column": pair_inner & same_col & later,
        "neither": pair_inner & ~same_row & ~same_col & later,
        f"{cols} tokens apart (directly below)": at(cols),
        f"{cols - 2} or {cols - 1} tokens apart": at(cols - 2) | at(cols - 1),
        "3 tokens apart, within a row": at(3) & same_row,
        "3 tokens apart, across rows": at(3) & ~same_row,
        "border-border": border[:, None] & border[None, :] & later,
        "border-inner": border[:, None] & inner[None, :],
    }


def _bootstrap_over_patches(
    sim: np.ndarray, masks: dict[str, np.ndarray], resamples: int, seed: int
) -> dict[str, np.ndarray]:
    """Each kind's mean similarity in resamples of the patches: a resample draws N patches with
    replacement; pair (i, j) then counts count_i * count_j times (never i with itself)."""
    n = sim.shape[0]
    rng = np.random.default_rng(seed)
    counts = np.zeros((resamples, n))
    np.add.at(counts, (np.arange(resamples)[:, None], rng.integers(0, n, size=(resamples, n))), 1)

    def draws(mask: np.ndarray) -> np.ndarray:
        both = mask | mask.T  # symmetric: the same pairs, both directions
        with np.errstate(invalid="ignore", divide="ignore"):
            return ((counts @ (both * sim)) * counts).sum(axis=1) / ((counts @ both) * counts).sum(axis=1)

    return {name: draws(mask) for name, mask in masks.items()}


def _estimate(value: float, samples: np.ndarray, pairs: int, confidence: float) -> Estimate:
    tail = (1 - confidence) / 2
    low, high = np.quantile(samples[~np.isnan(samples)], [tail, 1 - tail])  # nan: a resample without such pairs
    return Estimate(float(value), float(low), float(high), pairs, confidence, digits=2)


def position_structure_report(
    model: torch.nn.Module | torch.Tensor,
    grid: Size | None = None,
    *,
    resamples: int = 2_000,
    seed: int = 0,
    confidence: float = 0.95,
) -> PositionStructure:
    """Describe the structure of a ViT's learned patch positions: neighbours, rows, columns, border.

    ``model`` is a ViT (its ``pos_embedding`` and ``patch_embedding.grid`` are read) or a
    ``(1, 1 + rows * cols, D)`` table with ``grid = (rows, cols)``. Inner patches are those off the
    outermost ring of the grid. Similarities are computed in float64, so the result does not depend
    on the CPU's float32 kernels. Intervals: bootstrap over patches. Seeded and deterministic.
    """
    sim, rows, cols = _patch_similarity(model, grid)
    resamples = _checks.positive_int("resamples", resamples)
    n = rows * cols
    r, c = np.divmod(np.arange(n), cols)
    border = (r == 0) | (r == rows - 1) | (c == 0) | (c == cols - 1)
    inner = ~border
    masked = sim.copy()
    np.fill_diagonal(masked, -np.inf)
    best = masked.argmax(axis=1)
    dr, dc = np.abs(r[best] - r), np.abs(c[best] - c)

    masks = _pair_kinds(rows, cols, border)
    boot = _bootstrap_over_patches(sim, masks, resamples, seed)
    groups = {
        name: _estimate(sim[mask].mean(), boot[name], int(mask.sum()), confidence) for name, mask in masks.items()
    }

    def compare(a: str, b: str) -> Comparison:
        difference = _estimate(
            groups[a].estimate - groups[b].estimate, boot[a] - boot[b], groups[a].n + groups[b].n, confidence
        )
        return Comparison((a, b), groups[a].estimate, groups[b].estimate, difference)

    pairs = (
        ("same column", "neither"),
        ("same row", "neither"),
        (f"{cols} tokens apart (directly below)", f"{cols - 2} or {cols - 1} tokens apart"),
        ("3 tokens apart, within a row", "3 tokens apart, across rows"),
        ("border-border", "border-inner"),
    )
    return PositionStructure(
        grid=(rows, cols),
        num_inner=int(inner.sum()),
        num_border=int(border.sum()),
        inner_nearest_neighbour=int((np.maximum(dr, dc) == 1)[inner].sum()),
        left_right=int(((dr == 0) & (dc == 1))[inner].sum()),
        above_below=int(((dr == 1) & (dc == 0))[inner].sum()),
        diagonal=int(((dr == 1) & (dc == 1))[inner].sum()),
        border_nearest_border=int(border[best][border].sum()),
        chance=8 / (n - 1),
        groups=groups,
        differences={f"{a} - {b}": compare(a, b) for a, b in pairs},
    )


def adjacent_row_column(
    model: torch.nn.Module | torch.Tensor,
    grid: Size | None = None,
    *,
    resamples: int = 2_000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Comparison:
    """Neighbours matched at one grid step: mean similarity of the patches directly below each other
    (``cols`` tokens apart in the sequence) minus that of the patches directly right of each other (1 token
    apart). All patches, border included: on a square grid both kinds hold the same mix of border pairs.
    ``model`` and ``grid`` as in :func:`position_structure_report`; bootstrap over patches, seeded."""
    sim, rows, cols = _patch_similarity(model, grid)
    resamples = _checks.positive_int("resamples", resamples)
    n = rows * cols
    r = np.arange(n) // cols
    steps = np.arange(n)[None, :] - np.arange(n)[:, None]  # j - i along the sequence
    masks = {
        "adjacent in a column": steps == cols,
        "adjacent in a row": (steps == 1) & (r[:, None] == r[None, :]),
    }
    boot = _bootstrap_over_patches(sim, masks, resamples, seed)
    (a, column), (b, row) = ((name, float(sim[mask].mean())) for name, mask in masks.items())
    pairs = int(sum(mask.sum() for mask in masks.values()))
    difference = _estimate(column - row, boot[a] - boot[b], pairs, confidence)
    return Comparison((a, b), column, row, difference)


def row_minus_column(
    model: torch.nn.Module | torch.Tensor,
    grid: Size | None = None,
    *,
    resamples: int = 2_000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Comparison:
    """The direct contrast of rows against columns: mean similarity of inner patches in the same row
    minus that of inner patches in the same column. On a square grid the two kinds hold the same
    distances (1 to side - 3 grid steps, equally often), so the contrast is matched for distance.
    ``model`` and ``grid`` as in :func:`position_structure_report`; the same bootstrap over patches
    (same seed, same draws), so it reads the same resamples as that report's two lines against
    "neither"."""
    sim, rows, cols = _patch_similarity(model, grid)
    resamples = _checks.positive_int("resamples", resamples)
    n = rows * cols
    r, c = np.divmod(np.arange(n), cols)
    border = (r == 0) | (r == rows - 1) | (c == 0) | (c == cols - 1)
    kinds = _pair_kinds(rows, cols, border)
    masks = {name: kinds[name] for name in ("same row", "same column")}
    boot = _bootstrap_over_patches(sim, masks, resamples, seed)
    (a, row), (b, column) = ((name, float(sim[mask].mean())) for name, mask in masks.items())
    pairs = int(sum(mask.sum() for mask in masks.values()))
    difference = _estimate(row - column, boot[a] - boot[b], pairs, confidence)
    return Comparison((a, b), row, column, difference)


def pooled_over_tables(
    tables: list[torch.Tensor],
    grid: Size,
    kind: str = "same row",
    *,
    resamples: int = 2_000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Estimate:
    """One reading pooled over several tables of one grid (say three training seeds): the mean over the tables of
    ``kind - neither`` among inner patches (``kind`` is ``"same row"`` or ``"same column"``). The bootstrap resamples
    each table's patches on its own (seed ``seed + i`` for table ``i``) and averages the tables' draws, so the
    interval holds the patches' spread given these trained tables, not what another training run would give."""
    if kind not in ("same row", "same column"):
        raise ValueError(f"kind must be 'same row' or 'same column', got {kind!r}")
    resamples = _checks.positive_int("resamples", resamples)
    values, draws, pairs = [], [], 0
    for index, table in enumerate(tables):
        sim, rows, cols = _patch_similarity(table, grid)
        r, c = np.divmod(np.arange(rows * cols), cols)
        border = (r == 0) | (r == rows - 1) | (c == 0) | (c == cols - 1)
        kinds = _pair_kinds(rows, cols, border)
        masks = {name: kinds[name] for name in (kind, "neither")}
        boot = _bootstrap_over_patches(sim, masks, resamples, seed + index)
        values.append(float(sim[masks[kind]].mean() - sim[masks["neither"]].mean()))
        draws.append(boot[kind] - boot["neither"])
        pairs += int(sum(mask.sum() for mask in masks.values()))
    if not values:
        raise ValueError("tables must hold at least one table")
    return _estimate(float(np.mean(values)), np.mean(draws, axis=0), pairs, confidence)


def resolution_tables(learned: torch.Tensor, new_grid: Size, old_grid: Size | None = None) -> dict[str, torch.Tensor]:
    """Lesson 01 section 7's four tables for ``new_grid``, name -> ``(1, 1 + rows * cols, D)``: timm's 2-D bicubic
    resize, a 2-D bilinear one, the patch rows stretched 1-D (linear) along the sequence, and no patch positions
    (the class token's row kept in each). ``old_grid``: the trained grid, if not square."""
    import torch.nn.functional as F

    rows, cols = _checks.to_pair("new_grid", new_grid)
    patch_rows = learned[:, 1:].transpose(1, 2)  # (1, D, N)
    stretched = F.interpolate(patch_rows, size=rows * cols, mode="linear").transpose(1, 2)
    return {
        "2-D bicubic (timm)": interpolate_positions(learned, (rows, cols), old_grid),
        "2-D bilinear": interpolate_positions(learned, (rows, cols), old_grid, mode="bilinear", antialias=False),
        "1-D linear along the sequence": torch.cat([learned[:, :1], stretched], dim=1),
        "no patch positions": torch.cat([learned[:, :1], torch.zeros_like(stretched)], dim=1),
    }


def stored_resolution_run(name: str = "lesson01_resolution.json") -> dict[str, torch.Tensor]:
    """Lesson 01 section 7's verdicts as ``benchmarks/bench_lesson01_resolution.py`` stored them (package data
    ``vit_explained/checkpoints/<name>``): model name -> ``(1000,)`` int tensor, 1 per right test digit."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    return {model: torch.tensor([int(v) for v in right]) for model, right in stored["right"].items()}


def stored_shuffle_counts(name: str = "lesson01_shuffle.json") -> dict[int, int]:
    """Lesson 01 section 5's ten patch shuffles as ``benchmarks/bench_lesson01_shuffle.py`` stored them:
    permutation seed -> how many of the 1,000 test digits the shipped MNIST ViT gets right."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    return {int(seed): count for seed, count in stored["right_by_seed"].items()}


def stored_shuffle_verdicts() -> dict[str, torch.Tensor]:
    """Lesson 01 section 5b's stored verdicts on the 1,000 test digits, each a ``(1000,)`` int tensor (1 per right
    digit): ``"unshuffled"`` (the shipped model), ``"shuffled"`` (seed 0's permutation of its patches), and the same
    two with its position table zeroed, ``"table zeroed"`` and ``"table zeroed, shuffled"``. Written by
    ``benchmarks/bench_lesson01_resolution.py`` and ``benchmarks/bench_lesson01_shuffle.py``."""
    shuffle = stored_resolution_run("lesson01_shuffle.json")
    return {
        "unshuffled": stored_resolution_run()["trained table, 28x28 digits"],
        "shuffled": shuffle["patches shuffled, 28x28 digits"],
        "table zeroed": shuffle["positions off, 28x28 digits"],
        "table zeroed, shuffled": shuffle["positions off, patches shuffled, 28x28 digits"],
    }


def stored_shifted_positions(
    name: str = "lesson01_shifted_positions.safetensors",
) -> dict[str, tuple[torch.Tensor, dict]]:
    """Lesson 01 section 6's six short runs as ``benchmarks/bench_lesson01_shifted.py`` stored them (package data
    ``vit_explained/checkpoints/<name>``): run name (``"shifted_seed0"``, ``"control_seed0"``, ...) -> its position
    table ``(1, 50, 64)`` in float32 (stored in float16) and its record (arm, seed, accuracies, CPU seconds)."""
    import json
    from pathlib import Path

    from safetensors import safe_open

    path = Path(__file__).resolve().parent / "checkpoints" / name
    with safe_open(str(path), framework="pt") as handle:
        infos = json.loads((handle.metadata() or {})["runs"])
        return {run: (handle.get_tensor(run).float(), infos[run]) for run in infos}


#: Lesson 01 section 6's three readings of a position table: short name -> the report's difference it reads.
SHIFT_READINGS = {
    "rows": "same row - neither",
    "columns": "same column - neither",
    "border": "border-border - border-inner",
}


@dataclass(frozen=True)
class ShiftedPositionsStudy:
    """Lesson 01 section 6's six short runs read with :func:`position_structure_report`: per arm and reading,
    each run's comparison; per reading, shifted - no shifts seed by seed; the test accuracies per arm."""

    runs: dict  # arm ("shifted", "control") -> reading -> [Comparison, one per seed]
    effects: dict  # reading -> SeedComparison of the estimates, shifted - no shifts
    accuracy: dict  # arm -> [test accuracy, one per seed]

    def detected(self, reading: str) -> int:
        """How many of the runs (both arms) put ``reading``'s interval clear of 0."""
        return sum(c.detectable for arm in self.runs.values() for c in arm[reading])

    def lines(self) -> list[str]:
        """One line per reading, then the accuracies."""
        total = sum(len(arm[next(iter(SHIFT_READINGS))]) for arm in self.runs.values())
        out = []
        for short, reading in SHIFT_READINGS.items():
            effect = self.effects[short]
            a, b, t = effect.a, effect.b, effect.t_interval()
            sign = "same sign on every seed" if effect.consistent else "the sign changes between seeds"
            out.append(
                f"{short} ({reading}): shifted {a.mean:.2f} (seeds {a.low:.2f}..{a.high:.2f}), "
                f"no shifts {b.mean:.2f} (seeds {b.low:.2f}..{b.high:.2f}); shifted - no shifts {t.estimate:+.2f}, "
                f"95 % t interval [{t.low:+.2f}, {t.high:+.2f}] over {t.n} seeds, {sign}; "
                f"detected in {self.detected(short)} of {total} runs"
            )
        accuracies = (f"{arm} {100 * min(v):.1f} to {100 * max(v):.1f} %" for arm, v in self.accuracy.items())
        out.append("test accuracy after 12 epochs, over the seeds: " + ", ".join(accuracies))
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def shifted_positions_study(grid: Size, confidence: float = 0.99) -> ShiftedPositionsStudy:
    """Read :func:`stored_shifted_positions` with :func:`position_structure_report` at ``confidence`` (a run's
    reading is "detected" when its interval leaves out 0) and compare the arms seed by seed."""
    from .evidence import paired_seeds

    runs: dict = {"shifted": {}, "control": {}}
    accuracy: dict = {"shifted": [], "control": []}
    for table, record in stored_shifted_positions().values():
        report = position_structure_report(table, grid, confidence=confidence)
        for short, reading in SHIFT_READINGS.items():
            runs[record["arm"]].setdefault(short, []).append(report.differences[reading])
        accuracy[record["arm"]].append(record["test_accuracy"])
    effects = {
        short: paired_seeds(
            *([c.difference.estimate for c in runs[arm][short]] for arm in ("shifted", "control")),
            names=("shifted", "no shifts"),
            digits=2,
        )
        for short in SHIFT_READINGS
    }
    return ShiftedPositionsStudy(runs, effects, accuracy)


TABLE_SCALES = (1, 3, 10)


def table_scale_probe(seed: int, scales: tuple[int, ...] = TABLE_SCALES) -> dict[int, float]:
    """Lesson 01 section 5's probe for one seed: an untrained one-block ViT-B/16-wide model
    (``torch.manual_seed(seed)``), the lesson's sample picture, one random shuffle of its 196 patches; for each
    scale, the largest change of the class token's output when the position table, multiplied by ``scale``, is
    added after the shuffle. The global random state is left as it was.
    ``benchmarks/bench_lesson01_table_scale.py`` stores seeds 0-9 (:func:`stored_table_scale`)."""
    from .images import sample_image
    from .vit import ViT

    with torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(seed)
        vit = ViT(image_size=224, patch_size=16, num_classes=10, dim=768, depth=1, heads=12, mlp_dim=3072).eval()
        tokens = vit.patch_embedding(sample_image(224).reshape(1, 3, 224, 224))
        class_token = vit.class_token.expand(1, -1, -1)
        plain = torch.cat([class_token, tokens], dim=1)
        shuffled = torch.cat([class_token, tokens[:, torch.randperm(tokens.shape[1])]], dim=1)
        pos = vit.pos_embedding
        outputs = vit.encoder(torch.cat([plain + s * pos for s in scales] + [shuffled + s * pos for s in scales]))[:, 0]
        return {s: (outputs[k] - outputs[k + len(scales)]).abs().max().item() for k, s in enumerate(scales)}


def stored_table_scale(name: str = "lesson01_table_scale.json") -> dict[int, list[float]]:
    """:func:`table_scale_probe` over seeds 0-9 as ``benchmarks/bench_lesson01_table_scale.py`` stored it (package
    data ``vit_explained/checkpoints/<name>``): scale -> one largest change per seed."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    return {int(scale): [float(v) for v in values] for scale, values in stored["changes"].items()}


def stored_nopos_runs(name: str = "lesson01_nopos.json") -> dict[int, float]:
    """Lesson 01 section 5's control as ``benchmarks/bench_lesson01_nopos.py`` stored it (package data
    ``vit_explained/checkpoints/<name>``): the shipped model's recipe trained with its position table zeroed and
    frozen, seed -> test accuracy (a share of the 1,000 test digits)."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    if not stored["complete"]:
        raise ValueError(f"{name} holds seeds {stored['seeds']} only: run the benchmark's other seeds, then --merge")
    return {int(run["seed"]): float(run["test_accuracy"]) for run in stored["runs"]}


def stored_position_ablation() -> dict[str, dict[int, float]]:
    """Lesson 01 section 5b's one-change ablation: ``"with"`` and ``"without"`` positions, each seed -> test accuracy
    (a share of the 1,000 test digits) for the shipped recipe. Seed 0 with positions is the shipped model (its stored
    verdicts); seeds 1-2 come from ``lesson01_withpos.json``, the arm without positions from ``lesson01_nopos.json``."""
    shipped = stored_shuffle_verdicts()["unshuffled"].float().mean().item()
    return {"with": {0: shipped} | stored_nopos_runs("lesson01_withpos.json"), "without": stored_nopos_runs()}


def column_difference_lines(
    tables: dict[str, torch.Tensor], grid: Size, *, confidence: float, resamples: int = 20_000
) -> tuple[dict[str, Estimate], str]:
    """Lesson 01 section 6's interval lines: each table's "same column - neither" similarity difference over its
    inner patches (``position_structure_report``'s bootstrap), with a verdict. Returns (name -> difference, the
    printable lines); a lower end above 0 but below 0.005 is printed to three decimals, so "barely" shows."""
    found = {
        name: position_structure_report(table, grid, confidence=confidence, resamples=resamples)
        for name, table in tables.items()
    }
    inner = next(iter(found.values())).num_inner
    lines = [
        "same column minus neither row nor column: similarity difference "
        f"[interval over the {inner} inner patches, appendix A's level]"
    ]
    differences = {name: report.differences["same column - neither"].difference for name, report in found.items()}
    for name, d in differences.items():
        verdict = "holds 0" if d.low <= 0 else "above 0" + (f" (lower end {d.low:+.3f})" if d.low < 0.005 else "")
        lines.append(f"  {name:<26} {d.estimate:+.2f} [{d.low:+.2f}, {d.high:+.2f}]  {verdict}")
    return differences, "\n".join(lines)

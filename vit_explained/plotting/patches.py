"""Figures for lesson 01: an image cut into patches, the token matrix, and position encodings.

Every helper takes tensors and returns a :class:`matplotlib.figure.Figure` built without pyplot,
so a notebook shows it once (end the cell with ``fig``) and nothing is left open behind it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from .. import _checks
from ..patches import patch_grid
from . import new_figure

__all__ = ["cosine_similarity_matrix", "explode_patches", "plot_patch_grid", "plot_sinusoid", "plot_token_matrix"]


def _image(image: object) -> torch.Tensor:
    """Check a single picture ``(C, H, W)`` with 1 or 3 channels; return it as float on the CPU."""
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"image must be a torch.Tensor of shape (C, H, W), got {type(image).__name__}")
    if image.dim() != 3:
        hint = " (for a batch, pass one picture: images[0])" if image.dim() == 4 else ""
        raise ValueError(f"image must be 3-D (C, H, W), got {image.dim()}-D shape {tuple(image.shape)}{hint}")
    if image.shape[0] not in (1, 3):
        raise ValueError(
            f"image must have 1 (gray) or 3 (RGB) channels first, (C, H, W), got C = {image.shape[0]} "
            f"(shape {tuple(image.shape)}); a (H, W, C) picture needs image.permute(2, 0, 1)"
        )
    return image.detach().float().cpu()


def _to_pixels(image: torch.Tensor) -> torch.Tensor:
    """``(C, H, W)`` in ``[0, 1]`` -> ``(H, W, C)`` (or ``(H, W)`` for gray) for ``imshow``."""
    pixels = image.clamp(0.0, 1.0).permute(1, 2, 0).numpy()
    return pixels[..., 0] if pixels.shape[-1] == 1 else pixels


def explode_patches(image: torch.Tensor, patch_size: int | tuple[int, int], gap: int = 2) -> torch.Tensor:
    """Lay the patches of ``(C, H, W)`` out with ``gap`` white pixels between them.

    Returns ``(C, rows * (ph + gap) - gap, cols * (pw + gap) - gap)``: the same patches, in the
    same places, pulled apart so that each one can be seen on its own.
    """
    image = _image(image)
    ph, pw = _checks.to_pair("patch_size", patch_size)
    gap = _checks.non_negative_int("gap", gap)
    channels, height, width = image.shape
    rows, cols = patch_grid(height, width, (ph, pw))
    canvas = torch.ones(channels, rows * (ph + gap) - gap, cols * (pw + gap) - gap)
    for row in range(rows):
        for col in range(cols):
            top, left = row * (ph + gap), col * (pw + gap)
            canvas[:, top : top + ph, left : left + pw] = image[:, row * ph : (row + 1) * ph, col * pw : (col + 1) * pw]
    return canvas


def plot_patch_grid(
    image: torch.Tensor, patch_size: int | tuple[int, int], *, gap: int = 2, labels: tuple[int, ...] | None = None
) -> Figure:
    """The picture with its patch grid drawn on it, next to the patches pulled apart and numbered.

    ``image`` is ``(C, H, W)`` in ``[0, 1]`` (C = 1 or 3). ``labels`` are the patch indices to
    number on the right (row-major, as :func:`vit_explained.patchify` orders them); by default
    the first two, the first of the second row and the last.
    """
    image = _image(image)
    ph, pw = _checks.to_pair("patch_size", patch_size)
    _, height, width = image.shape
    rows, cols = patch_grid(height, width, (ph, pw))
    count = rows * cols
    if labels is None:
        labels = tuple(sorted({0, min(1, count - 1), min(cols, count - 1), count - 1}))
    for index in labels:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise ValueError(f"labels must be patch indices from 0 to {count - 1}, got {index!r}")
    cmap = "gray" if image.shape[0] == 1 else None

    fig = new_figure(figsize=(10, 5.2))
    left, right = fig.subplots(1, 2)
    left.imshow(_to_pixels(image), cmap=cmap, vmin=0, vmax=1, extent=(0, width, height, 0))
    for x in range(0, width + 1, pw):
        left.axvline(x, color="white", linewidth=0.7)
    for y in range(0, height + 1, ph):
        left.axhline(y, color="white", linewidth=0.7)
    left.set_xticks(range(0, width + 1, pw * max(1, cols // 7)))
    left.set_yticks(range(0, height + 1, ph * max(1, rows // 7)))
    left.set_xlabel("W (pixels)")
    left.set_ylabel("H (pixels)")
    left.set_title(f"{height}x{width} image, {ph}x{pw} patches:\n{rows} rows x {cols} columns = {count} patches")

    exploded = explode_patches(image, (ph, pw), gap)
    right.imshow(_to_pixels(exploded), cmap=cmap, vmin=0, vmax=1)
    for index in labels:
        row, col = divmod(index, cols)
        right.text(
            col * (pw + gap) + pw / 2,
            row * (ph + gap) + ph / 2,
            str(index),
            ha="center",
            va="center",
            fontsize=8,
            color="black",
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "yellow", "edgecolor": "none", "alpha": 0.9},
        )
    right.set_axis_off()
    right.set_title(f"the {count} patches pulled apart, numbered row by row\n(token n = row * {cols} + column)")
    fig.tight_layout()
    return fig


def plot_token_matrix(
    patches: torch.Tensor, patch_size: int | tuple[int, int], *, examples: tuple[int, ...] = (0, 1, 14)
) -> Figure:
    """The flattened patches as a matrix: one row per token, ``ph * pw * C`` numbers per row.

    ``patches`` is ``(N, ph * pw * C)`` or ``(1, N, ph * pw * C)`` in the layout of
    :func:`vit_explained.patchify` (``(p1 p2 c)``: channels innermost), values in ``[0, 1]``.
    Each row is drawn as a strip of ``ph * pw`` coloured pixels (3 numbers each for RGB); on the
    left, the rows listed in ``examples`` are folded back into their ``ph x pw`` squares.
    """
    if isinstance(patches, torch.Tensor) and patches.dim() == 3 and patches.shape[0] == 1:
        patches = patches[0]
    if not isinstance(patches, torch.Tensor) or patches.dim() != 2:
        shape = tuple(patches.shape) if isinstance(patches, torch.Tensor) else type(patches).__name__
        raise ValueError(
            f"patches must be (N, ph * pw * C) or (1, N, ph * pw * C), e.g. patchify(x, p)[0]; got {shape}"
        )
    ph, pw = _checks.to_pair("patch_size", patch_size)
    count, length = patches.shape
    if length % (ph * pw) or length // (ph * pw) not in (1, 3):
        raise ValueError(
            f"patch length {length} is not ph * pw * C = {ph}*{pw}*C with C = 1 or 3; check patch_size={patch_size!r}"
        )
    channels = length // (ph * pw)
    for index in examples:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise ValueError(f"examples must be token indices from 0 to {count - 1}, got {index!r}")
    patches = patches.detach().float().cpu().clamp(0.0, 1.0)
    strips = patches.reshape(count, ph * pw, channels)  # (N, ph*pw, C): one RGB pixel per 3 numbers
    cmap = "gray" if channels == 1 else None
    if channels == 1:
        strips = strips[..., 0]

    fig = new_figure(figsize=(10, 4.8))
    grid = fig.add_gridspec(max(len(examples), 1), 2, width_ratios=(1, 6))
    matrix = fig.add_subplot(grid[:, 1])
    matrix.imshow(
        strips.numpy(), cmap=cmap, vmin=0, vmax=1, aspect="auto", extent=(0, length, count, 0), interpolation="none"
    )
    matrix.set_xlabel(f"position in the flattened patch, (p1 p2 c) order: {ph}*{pw}*{channels} = {length} numbers")
    matrix.set_ylabel(f"token index (row-major), N = {count}")
    matrix.set_title(f"token matrix ({count}, {length}): one row per patch")
    colours = ("tab:red", "tab:orange", "tab:green", "tab:purple", "tab:blue")
    for slot, index in enumerate(examples):
        colour = colours[slot % len(colours)]
        matrix.annotate(
            f"token {index}",
            xy=(length, index + 0.5),
            xytext=(length * 1.02, index + 0.5 + slot * count * 0.08),
            color=colour,
            fontsize=9,
            va="center",
            annotation_clip=False,
            arrowprops={"arrowstyle": "->", "color": colour},
        )
        square = fig.add_subplot(grid[slot, 0])
        square.imshow(_to_pixels(patches[index].reshape(ph, pw, channels).permute(2, 0, 1)), cmap=cmap, vmin=0, vmax=1)
        square.set_xticks([])
        square.set_yticks([])
        for spine in square.spines.values():
            spine.set_color(colour)
            spine.set_linewidth(2)
        square.set_title(f"token {index} as a patch", fontsize=9, color=colour)
    fig.tight_layout()
    return fig


def cosine_similarity_matrix(table: torch.Tensor) -> torch.Tensor:
    """Cosine similarity between every pair of rows: ``(N, D) -> (N, N)``."""
    if not isinstance(table, torch.Tensor):
        raise TypeError(f"table must be a torch.Tensor of shape (N, D), got {type(table).__name__}")
    if table.dim() == 3 and table.shape[0] == 1:
        table = table[0]
    if table.dim() != 2:
        raise ValueError(f"table must be (N, D) or (1, N, D), got shape {tuple(table.shape)}")
    unit = F.normalize(table.detach().float().cpu(), dim=-1)
    return unit @ unit.T


def plot_sinusoid(table: torch.Tensor, learned: torch.Tensor | None = None, *, position: int | None = None) -> Figure:
    """The sinusoid position table and the cosine similarity between its positions.

    ``table`` is ``(N, D)`` (e.g. :func:`vit_explained.sinusoid_encoding`); it is drawn with its
    sine columns (0, 2, 4, ...) on the left and its cosine columns (1, 3, 5, ...) on the right,
    because side by side at this size the two would blur together. With ``learned`` (``(N, D)``
    or ``(1, N, D)``, e.g. a ViT's ``pos_embedding``) the figure is 2x2: its similarities too,
    and one row of each similarity matrix (``position``, default the middle) against distance.
    """
    similarity = cosine_similarity_matrix(table)
    table = table[0] if table.dim() == 3 else table
    count, dim = table.shape
    position = count // 2 if position is None else position
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < count:
        raise ValueError(f"position must be an index from 0 to {count - 1}, got {position!r}")
    learned_similarity = None
    if learned is not None:
        learned_similarity = cosine_similarity_matrix(learned)
        if learned_similarity.shape != similarity.shape:
            raise ValueError(
                f"learned must have the same number of positions as table ({count}), got {learned_similarity.shape[0]}"
            )

    fig = new_figure(figsize=(10, 4.4) if learned is None else (10, 8.6))
    axes = fig.subplots(1, 2) if learned is None else fig.subplots(2, 2).ravel()

    table = table.detach().float().cpu()
    regrouped = torch.cat([table[:, 0::2], table[:, 1::2]], dim=1)
    image = axes[0].imshow(regrouped.numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    sines = table[:, 0::2].shape[1]
    axes[0].axvline(sines - 0.5, color="black", linewidth=1)
    axes[0].set_xticks(
        [0, sines // 2, sines, sines + (dim - sines) // 2],
        ["col 0", f"col {2 * (sines // 2)}", "col 1", f"col {2 * ((dim - sines) // 2) + 1}"],
    )
    for x, text in ((sines / 2, "sin: columns 0, 2, 4, ..."), (sines + (dim - sines) / 2, "cos: columns 1, 3, 5, ...")):
        axes[0].text(
            x,
            count * 0.97,
            text,
            ha="center",
            va="bottom",
            fontsize=8,
            color="black",
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
    axes[0].set_xlabel("column (regrouped; frequency falls to the right in each half)")
    axes[0].set_ylabel("position")
    axes[0].set_title(f"sinusoid_encoding({count}, {dim})")
    fig.colorbar(image, ax=axes[0], fraction=0.046, pad=0.04)

    def similarity_panel(ax, matrix: torch.Tensor, title: str) -> None:
        shown = ax.imshow(matrix.numpy(), cmap="viridis", vmin=-1, vmax=1)
        ax.set_xlabel("position j")
        ax.set_ylabel("position i")
        ax.set_title(title)
        fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)

    similarity_panel(axes[1], similarity, "sinusoid: cosine similarity\n(bright band: nearby positions are alike)")
    if learned_similarity is not None:
        similarity_panel(
            axes[2], learned_similarity, "learned, at initialisation: cosine similarity\n(no structure until trained)"
        )
        offsets = torch.arange(count) - position
        axes[3].plot(offsets.numpy(), similarity[position].numpy(), label="sinusoid", color="tab:blue")
        axes[3].plot(
            offsets.numpy(),
            learned_similarity[position].numpy(),
            label="learned (at init)",
            color="tab:orange",
            alpha=0.8,
        )
        axes[3].axhline(0, color="gray", linewidth=0.5)
        axes[3].set_ylim(-0.3, 1.05)
        axes[3].set_xlabel(f"distance j - i from position i = {position}")
        axes[3].set_ylabel("cosine similarity")
        axes[3].set_title(f"row {position} of each similarity matrix")
        axes[3].legend(loc="upper right")
    fig.tight_layout()
    return fig

"""Figures for lesson 09: a distilled DeiT's token sequence, and its two special tokens' maps.

Every helper makes its figure with :func:`vit_explained.plotting.new_figure` and returns it, so a
notebook shows it once (end the cell with ``fig``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import new_figure
from .lesson08 import plot_map_columns

__all__ = ["plot_special_token_maps", "plot_token_sequence"]

_COLOURS = {"class": "#d62728", "distillation": "#1f77b4", "patch": "#bbbbbb"}


def plot_token_sequence(grid: tuple[int, int], *, special_tokens: int = 2, shown_patches: int = 6) -> Figure:
    """The token sequence of a ViT (``special_tokens=1``) or a distilled DeiT (``2``) as a strip of
    boxes, with the indices the Q&A slices: the special tokens first, then the patches row by row.

    ``grid`` is the patch grid ``(rows, cols)``; the first ``shown_patches`` patches and the last
    one are drawn, the rest elided. Below the strip, the slice ``[..., special_tokens:]`` that
    keeps exactly the patches.
    """
    rows, cols = grid
    if special_tokens not in (1, 2):
        raise ValueError(
            f"special_tokens must be 1 (ViT: class) or 2 (DeiT: class, distillation), got {special_tokens}"
        )
    patches = rows * cols
    names = ["class", "distillation"][:special_tokens]
    boxes: list[tuple[str, str, str]] = [(name, f"{index}", name) for index, name in enumerate(names)]
    shown = min(shown_patches, patches)
    for patch in range(shown):
        boxes.append((f"patch\n{divmod(patch, cols)}", f"{special_tokens + patch}", "patch"))
    if shown < patches:
        boxes.append(("...", "", "gap"))
        boxes.append((f"patch\n{divmod(patches - 1, cols)}", f"{special_tokens + patches - 1}", "patch"))
    fig = new_figure(figsize=(0.95 * len(boxes) + 0.4, 1.9), layout="constrained")
    ax = fig.subplots()
    for position, (text, index, kind) in enumerate(boxes):
        if kind != "gap":
            ax.add_patch(Rectangle((position, 0), 0.9, 1, color=_COLOURS[kind], alpha=0.85))
        ax.text(position + 0.45, 0.5, text, ha="center", va="center", fontsize=7, color="black")
        ax.text(position + 0.45, 1.15, index, ha="center", va="bottom", fontsize=8)
    start = special_tokens
    ax.annotate(
        "",
        xy=(len(boxes) - 0.1, -0.25),
        xytext=(start, -0.25),
        arrowprops={"arrowstyle": "<->", "color": "black", "lw": 1.0},
    )
    ax.text(
        (start + len(boxes)) / 2,
        -0.45,
        f"[..., {special_tokens}:]  the {patches} patches ({rows}x{cols})",
        ha="center",
        va="top",
        fontsize=8,
    )
    ax.set_xlim(-0.1, len(boxes))
    ax.set_ylim(-0.9, 1.5)
    ax.axis("off")
    kind = "distilled DeiT" if special_tokens == 2 else "ViT"
    ax.set_title(f"A {kind}'s tokens: N = {special_tokens} + {patches} = {special_tokens + patches}", fontsize=10)
    return fig


def plot_special_token_maps(
    images: torch.Tensor,
    class_maps: torch.Tensor,
    distillation_maps: torch.Tensor,
    *,
    labels: Sequence[str] | None = None,
    title: str = "Where the two special tokens look",
) -> Figure:
    """Per image: the class token's map beside the distillation token's, ``(B, rows, cols)`` each."""
    for name, maps in (("class_maps", class_maps), ("distillation_maps", distillation_maps)):
        if not isinstance(maps, torch.Tensor) or maps.dim() != 3:
            raise ValueError(f"{name} must be (B, rows, cols), got {getattr(maps, 'shape', maps)}")
    return plot_map_columns(
        images,
        torch.stack([class_maps, distillation_maps], dim=1),
        titles=["class token", "distillation token"],
        labels=labels,
        title=title,
    )

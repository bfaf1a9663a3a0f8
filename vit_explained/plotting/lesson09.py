"""Figures for lesson 09: a distilled DeiT's token sequence, its hard-distillation training setup, and
its two special tokens' maps.

Every helper makes its figure with :func:`vit_explained.plotting.new_figure` and returns it, so a
notebook shows it once (end the cell with ``fig``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from . import new_figure
from .lesson08 import plot_map_columns

__all__ = ["plot_distillation_setup", "plot_special_token_maps", "plot_token_sequence"]

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


def plot_distillation_setup(*, weight: float = 0.5) -> Figure:
    """DeiT's hard distillation as a diagram (after the paper's Fig. 2): the augmented image goes to the
    frozen teacher, whose argmax is the distillation head's target, and to the student, whose class
    head learns the true label; the loss is ``(1 - weight) * CE(class) + weight * CE(distillation)``.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be in [0, 1], got {weight}")
    fig = new_figure(figsize=(9.0, 3.7), layout="constrained")
    ax = fig.subplots()
    grey, pale = "#dddddd", "#f3f3f3"
    box_style = "round,pad=0.02,rounding_size=0.08"

    def box(x: float, y: float, w: float, h: float, text: str, colour: str, **text_kw: object) -> None:
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=box_style, facecolor=colour, edgecolor="black", lw=0.8))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=8, **text_kw)

    def arrow(start: tuple[float, float], end: tuple[float, float], bend: str = "arc3", **kw: object) -> None:
        props = {"arrowstyle": "-|>", "color": "black", "lw": 0.9, "connectionstyle": bend, **kw}
        ax.annotate("", xy=end, xytext=start, arrowprops=props)

    box(0.1, 1.9, 1.5, 1.0, "augmented\nimage\n(B, C, H, W)", pale)
    box(2.3, 1.5, 2.0, 2.7, "student (DeiT)\n\ntokens\n[class, distillation,\npatches]\n\nblocks, norm", pale)
    box(5.0, 3.15, 1.8, 0.8, "head\n(token 0)", _COLOURS["class"], color="white")
    box(5.0, 1.75, 1.8, 0.8, "head_dist\n(token 1)", _COLOURS["distillation"], color="white")
    box(2.3, 0.1, 2.0, 0.9, "teacher (CNN)\nfrozen, no gradient", grey)
    box(5.0, 0.1, 1.8, 0.9, "argmax of its\nlogits: y_t", grey)
    box(7.5, 3.15, 1.9, 0.8, "CE(class logits, y)", "white")
    box(7.5, 1.75, 1.9, 0.8, "CE(distillation\nlogits, y_t)", "white")
    box(10.0, 2.2, 1.9, 1.3, f"loss =\n{1 - weight:g} * CE(class)\n+ {weight:g} * CE(distill.)", "#fff2cc")

    arrow((1.6, 2.6), (2.3, 2.6))
    arrow((1.0, 1.9), (2.3, 0.55), bend="angle,angleA=-90,angleB=180,rad=0")
    arrow((4.3, 3.55), (5.0, 3.55))
    arrow((4.3, 2.15), (5.0, 2.15))
    arrow((4.3, 0.55), (5.0, 0.55))
    arrow((6.8, 3.55), (7.5, 3.55))
    arrow((6.8, 2.15), (7.5, 2.15))
    arrow((6.8, 0.55), (8.45, 1.75), bend="angle,angleA=0,angleB=90,rad=0")
    ax.text(8.45, 4.25, "true label y", ha="center", va="bottom", fontsize=8)
    arrow((8.45, 4.25), (8.45, 3.95))
    ax.text(8.55, 0.6, "y_t", ha="left", va="bottom", fontsize=8)
    arrow((9.4, 3.55), (10.0, 3.1))
    arrow((9.4, 2.15), (10.0, 2.6))
    ax.text(
        6.0,
        -0.3,
        "Training. At test time the teacher is gone and the two heads' logits are averaged.",
        ha="center",
        va="top",
        fontsize=8,
        style="italic",
    )
    ax.set_xlim(0, 12.0)
    ax.set_ylim(-0.7, 4.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Hard distillation through the distillation token", fontsize=10)
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

"""Lesson 07's figures: what the Tokens-to-Token module makes of an image, and what its attention costs.

Every drawing is deterministic: the same inputs give the same pixels and the same file bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .. import _checks
from . import as_image, new_figure, to_display

STAGE_COLORS = ("tab:orange", "tab:red", "tab:blue", "tab:gray")


def _panel_array(name: str, picture: object) -> tuple[np.ndarray, bool]:
    """An RGB image ``(3, H, W)`` or one feature map ``(H, W)`` -> an array for imshow, and whether it is RGB."""
    if isinstance(picture, torch.Tensor) and picture.dim() == 3 and picture.shape[0] not in (1, 3):
        raise ValueError(
            f"panel {name!r} must be an RGB image (3, H, W) or one feature map (H, W), got {tuple(picture.shape)}; "
            "pick one channel of a (C, H, W) feature map: maps[c]"
        )
    image = as_image(picture, name=f"panel {name!r}")
    if image.shape[0] == 3:
        return to_display(image), True
    return image[0].numpy(), False


def plot_t2t_stages(panels: Sequence[tuple[str, torch.Tensor]], title: str | None = None) -> Figure:
    """One row of pictures: an RGB image ``(3, H, W)`` and feature maps ``(H, W)``, each titled.

    Feature maps are drawn in grey, each scaled to its own 1st-99th percentile range, with
    ``nearest`` interpolation so that a 14x14 map shows its 14x14 cells.
    """
    if not panels:
        raise ValueError("panels is empty: pass a list of (title, picture) pairs")
    fig = new_figure(figsize=(2.1 * len(panels), 2.6))
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, (name, picture) in zip(axes[0], panels, strict=True):
        array, rgb = _panel_array(name, picture)
        if rgb:
            ax.imshow(array, interpolation="nearest")
        else:
            low, high = np.percentile(array, [1, 99])
            ax.imshow(array, cmap="gray", vmin=low, vmax=high if high > low else low + 1, interpolation="nearest")
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return _finish(fig, title, top=0.93)


def plot_stage_cost(
    names: Sequence[str],
    tokens: Sequence[int],
    entries_per_layer: Sequence[int],
    layers: Sequence[int],
    title: str | None = None,
) -> Figure:
    """Tokens, and attention-matrix entries per image, of each stage, on log scales.

    ``names``: the stages; ``tokens``: N of each; ``entries_per_layer``: ``heads * N * N`` of one
    attention layer; ``layers``: how many attention layers the stage has. The right panel shows one
    layer's matrix and the sum over the stage's layers side by side. A space in a name may be
    drawn as a line break, so write e.g. ``"T2T transformer 1"``.
    """
    count = len(names)
    if not count or not len(tokens) == len(entries_per_layer) == len(layers) == count:
        raise ValueError(
            f"names, tokens, entries_per_layer and layers must have the same non-zero length, got "
            f"{count}, {len(tokens)}, {len(entries_per_layer)}, {len(layers)}"
        )
    for name, value in (*zip(names, tokens, strict=True), *zip(names, entries_per_layer, strict=True)):
        _checks.positive_int(f"count for {name!r}", int(value))
    colors = [STAGE_COLORS[i % len(STAGE_COLORS)] for i in range(count)]
    fig = new_figure(figsize=(10, 4))
    (left, right) = fig.subplots(1, 2)
    bars = left.bar(np.arange(count), tokens, color=colors)
    left.bar_label(bars, labels=[f"{n:,}" for n in tokens], fontsize=8, padding=2)
    left.set_title("tokens N seen by each attention")
    per_layer = np.asarray(entries_per_layer, dtype=float)
    total = per_layer * np.asarray(layers, dtype=float)
    _draw_entries(right, per_layer, total, layers, colors)
    labels = [name.replace(" ", "\n", 1) for name in names]
    for ax, values in ((left, np.asarray(tokens)), (right, np.concatenate([per_layer, total]))):
        ax.set_yscale("log")
        ax.set_ylim(10 ** np.floor(np.log10(float(values.min())) - 1), float(values.max()) * 12)
        ax.set_xticks(np.arange(count), labels, fontsize=8)
        ax.grid(axis="y", which="major", alpha=0.3)
        ax.set_axisbelow(True)
    return _finish(fig, title, top=0.97)


def _draw_entries(ax: Axes, per_layer: np.ndarray, total: np.ndarray, layers: Sequence[int], colors: list[str]) -> None:
    """Attention-matrix entries of one layer and of all the stage's layers, side by side per stage."""
    positions, width = np.arange(len(per_layer)), 0.38
    one = ax.bar(positions - width / 2, per_layer, width, color=colors, label="one layer")
    every = ax.bar(
        positions + width / 2, total, width, color=colors, alpha=0.45, hatch="//", edgecolor="black", label="all layers"
    )
    ax.bar_label(one, labels=[_short(v) for v in per_layer], fontsize=7, padding=2)
    ax.bar_label(
        every, labels=[f"x{n}\n{_short(v)}" if n > 1 else "" for n, v in zip(layers, total, strict=True)], fontsize=7
    )
    ax.set_title("attention-matrix entries per image (heads x N x N)")
    legend = [
        Patch(facecolor="0.5", label="one attention layer"),
        Patch(facecolor="0.5", alpha=0.45, hatch="//", edgecolor="black", label="all the stage's layers"),
    ]
    ax.legend(handles=legend, fontsize=8, loc="upper right")


def _finish(fig: Figure, title: str | None, *, top: float) -> Figure:
    """Lay ``fig`` out, leaving the top ``1 - top`` of it for ``title`` if there is one."""
    if title:
        fig.suptitle(title, fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, top))
    else:
        fig.tight_layout()
    return fig


def _short(value: float) -> str:
    """``9834496 -> '9.8M'``, ``232854 -> '233k'``."""
    if value >= 1e6:
        return f"{value / 1e6:.1f}M"
    if value >= 1e3:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"

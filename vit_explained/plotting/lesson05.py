"""Lesson 05's figure: how large the gradient is, layer by layer and part by part."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..parameters import PARAMETER_PARTS
from . import new_figure

PART_COLORS = {
    "embeddings": "#7f7f7f",
    "norms": "#bcbd22",
    "qkv": "#d62728",
    "proj": "#ff7f0e",
    "mlp": "#1f77b4",
    "head": "#2ca02c",
}
QKV_COLORS = {"q": "#e377c2", "k": "#9467bd", "v": "#d62728"}


def plot_gradient_norms(
    groups: Mapping[tuple[str, str], float],
    qkv: dict[str, dict[str, float]] | None = None,
    *,
    title: str = "Gradient norm after one backward pass",
) -> Figure:
    """Bar charts (log scale) of gradient norms.

    ``groups``: ``{(layer, part): norm}`` (from ``GradientRecorder.by_group``), drawn as one bar
    per group, grouped by layer in the order given and coloured by part. A norm of 0 (a frozen
    group, no gradient) is drawn as an empty hatched bar down to the floor. ``qkv``: optional
    ``{"block i": {"q": norm, "k": norm, "v": norm}}`` (from ``GradientRecorder.qkv_by_layer``),
    drawn in a second panel.
    """
    if not groups:
        raise ValueError("groups is empty: record a backward pass first (GradientRecorder.by_group())")
    if not any(value > 0 for value in groups.values()):
        raise ValueError("every gradient norm in groups is 0: nothing got a gradient")
    fig = new_figure(figsize=(12 if qkv else 8, 3.8))
    axes = np.atleast_1d(fig.subplots(1, 2 if qkv else 1, gridspec_kw={"width_ratios": [2.2, 1] if qkv else [1]}))
    _draw_groups(axes[0], groups, title)
    if qkv:
        _draw_qkv(axes[1], qkv)
    fig.tight_layout()
    return fig


def _log_axis(
    ax: Axes, floor: float, top: float, ticks: list[float], labels: list[str], *, ncol: int, spacing: float
) -> None:
    """Log-scale y from ``floor`` to ``top``, the x tick labels, a legend across the top and a grid."""
    ax.set_yscale("log")
    ax.set_ylim(floor, top)
    ax.set_xticks(ticks, labels)
    ax.legend(ncol=ncol, fontsize=8, loc="upper center", framealpha=0.9, handlelength=1.2, columnspacing=spacing)
    ax.grid(axis="y", which="major", alpha=0.3)


def _draw_groups(ax: Axes, groups: Mapping[tuple[str, str], float], title: str) -> None:
    """One bar per ``(layer, part)``, grouped by layer and coloured by part; a 0 is a hatched empty bar."""
    positive = [value for value in groups.values() if value > 0]
    floor, top = min(positive) / 2.5, max(positive) * 12  # room below the smallest bar and above for the legend
    x, ticks, labels, seen = 0.0, [], [], set()
    for layer in dict.fromkeys(layer for layer, _ in groups):
        parts = [part for part in PARAMETER_PARTS if (layer, part) in groups]
        start = x
        for part in parts:
            value = groups[(layer, part)]
            key = part if value > 0 else "no gradient"
            label = key if key not in seen else None
            seen.add(key)
            if value > 0:
                ax.bar(x, value, width=0.85, color=PART_COLORS.get(part, "black"), label=label)
            else:
                ax.bar(x, top, bottom=floor, width=0.85, fill=False, hatch="//", edgecolor="0.6", label=label)
            x += 1
        ticks.append((start + x - 1) / 2)
        labels.append(layer if len(parts) > 1 else layer.replace(" ", "\n"))  # one narrow bar: wrap the label
        x += 0.8  # gap between layers
    _log_axis(ax, floor, top, ticks, labels, ncol=6, spacing=1.0)
    ax.set_ylabel("gradient norm  ||dL/dθ||")
    ax.set_title(title)


def _draw_qkv(ax: Axes, qkv: dict[str, dict[str, float]]) -> None:
    """The q, k and v rows of each block's qkv weight, three bars a block."""
    blocks = list(qkv)
    positions = np.arange(len(blocks))
    for i, part in enumerate("qkv"):
        values = [qkv[block][part] for block in blocks]
        ax.bar(positions + (i - 1) * 0.27, values, width=0.27, color=QKV_COLORS[part], label=f"W_{part}")
    values = [value for block in blocks for value in qkv[block].values()]
    _log_axis(ax, min(values) / 2.5, max(values) * 12, list(positions), blocks, ncol=3, spacing=0.8)
    ax.set_title("Inside qkv: the q, k and v rows (at initialisation)")

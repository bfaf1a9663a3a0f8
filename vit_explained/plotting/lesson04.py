"""Lesson 04's figures: GELU against ReLU, and where a ViT's parameters are."""

from __future__ import annotations

from collections.abc import Mapping

import torch
from matplotlib.figure import Figure

from ..mlp import gelu
from . import new_figure

#: Bar colours of :func:`plot_parameter_budget`: the MLP orange, attention blue, the rest grey.
PART_COLOURS = {"mlp": "tab:orange", "qkv": "tab:blue", "proj": "tab:blue"}
GELU_COLOURS = {"ReLU": "0.55", "GELU (exact, erf)": "tab:blue", "GELU (tanh approx.)": "tab:orange"}


def plot_gelu(x_range: tuple[float, float] = (-4.0, 4.0), points: int = 2001) -> Figure:
    """Three panels over ``x_range``: ReLU and both GELU forms; the exact form minus the tanh
    approximation; and the slopes (from autograd) of ReLU and GELU."""
    low, high = x_range
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range!r}")
    x = torch.linspace(low, high, points, dtype=torch.float64, requires_grad=True)
    curves = {"ReLU": torch.relu(x), "GELU (exact, erf)": gelu(x, "none"), "GELU (tanh approx.)": gelu(x, "tanh")}
    slopes = {name: torch.autograd.grad(y.sum(), x)[0] for name, y in curves.items() if "tanh" not in name}
    xs = x.detach().numpy()

    fig = new_figure(figsize=(13, 3.6))
    axes = fig.subplots(1, 3)
    ax = axes[0]
    for name, y in curves.items():
        style = "--" if "tanh" in name else "-"
        ax.plot(xs, y.detach().numpy(), style, color=GELU_COLOURS[name], lw=2, label=name)
    ax.set(title="ReLU vs GELU", xlabel="x", ylabel="activation")
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(0, color="k", lw=0.5)
    ax.legend(frameon=False)

    ax = axes[1]
    difference = (curves["GELU (exact, erf)"] - curves["GELU (tanh approx.)"]).detach().numpy()
    ax.plot(xs, difference * 1e4, color="tab:purple", lw=2)
    ax.axhline(0, color="k", lw=0.5)
    ax.set(title="exact - tanh approximation", xlabel="x", ylabel="difference (x 1e-4)")

    ax = axes[2]
    for name, slope in slopes.items():
        ax.plot(xs, slope.numpy(), color=GELU_COLOURS[name], lw=2, label=name.split(" (")[0])
    ax.axhline(0, color="k", lw=0.5)
    ax.set(title="slope (autograd)", xlabel="x", ylabel="d activation / dx")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def plot_parameter_budget(breakdown: Mapping[str, int], title: str = "Parameters by part") -> Figure:
    """Horizontal bars, one per part of ``breakdown`` (``{part: count}``, e.g. from
    :func:`vit_explained.parameters.parameter_breakdown`), each labelled with its count and share.
    The parts are drawn top to bottom in the order given."""
    if not breakdown or any(not isinstance(count, int) or count < 0 for count in breakdown.values()):
        raise ValueError(f"breakdown must map part names to parameter counts (ints >= 0), got {breakdown!r}")
    total = sum(breakdown.values())
    parts = list(breakdown)[::-1]  # first part at the top
    counts = [breakdown[part] for part in parts]
    colours = [PART_COLOURS.get(part, "0.6") for part in parts]

    fig = new_figure(figsize=(8, 0.45 * len(parts) + 1.2))
    ax = fig.subplots()
    bars = ax.barh(parts, [count / 1e6 for count in counts], color=colours)
    for bar, count in zip(bars, counts, strict=True):
        share = 100 * count / total if total else 0.0
        share_text = f"{share:.1f}%" if share >= 1 else f"{share:.2f}%"
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f"  {count:,} ({share_text})", va="center")
    ax.set_xlim(0, max(counts) / 1e6 * 1.45)
    ax.set(title=f"{title}: {total:,} parameters", xlabel="parameters (millions)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig

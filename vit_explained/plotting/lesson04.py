"""Lesson 04's figures: the block, GELU against ReLU, what LayerNorm and BatchNorm average over, and where
a ViT's parameters are."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import torch
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

from ..mlp import gelu
from . import new_figure

#: Bar colours of :func:`plot_parameter_budget`: the MLP orange, attention blue, the rest grey.
PART_COLOURS = {"mlp": "tab:orange", "qkv": "tab:blue", "proj": "tab:blue"}
GELU_COLOURS = {"ReLU": "0.55", "GELU (exact, erf)": "tab:blue", "GELU (tanh approx.)": "tab:orange"}


def plot_gelu(x_range: tuple[float, float] = (-4.0, 4.0), points: int = 2001) -> Figure:
    """Three panels over ``x_range``: ReLU and both GELU forms, with an inset enlarging x in [-3, 1] (GELU's dip,
    minimum about -0.17); the exact form minus the tanh approximation; and the slopes (autograd) of ReLU and GELU."""
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
    ax.legend(frameon=False, loc="upper left", fontsize=8)
    zoom = ax.inset_axes([0.15, 0.28, 0.31, 0.38])  # the dip below zero, enlarged: x in [-3, 1]
    near = (xs >= -3.0) & (xs <= 1.0)
    for name, y in curves.items():
        style = "--" if "tanh" in name else "-"
        zoom.plot(xs[near], y.detach().numpy()[near], style, color=GELU_COLOURS[name], lw=1.5)
    zoom.axhline(0, color="k", lw=0.5)
    zoom.set(
        xlim=(-3.0, 1.0),
        ylim=(-0.3, 1.05),
        xticks=[-3, -2, -1, 0, 1],
        yticks=[-0.17, 0, 1],
        yticklabels=["-0.17", "0", "1"],
    )
    zoom.tick_params(labelsize=7)
    zoom.text(0.04, 0.93, "zoom: x in [-3, 1]", transform=zoom.transAxes, fontsize=7, va="top")

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


GATE_GRID = tuple(round(-4.0 + 0.25 * step, 2) for step in range(33))  # the x values of the sampled gates


def sampled_gate_means(draws: int, xs: tuple[float, ...] = GATE_GRID, seed: int = 0) -> torch.Tensor:
    """GELU as a random gate, sampled: at each of ``xs``, the mean of ``x * gate`` over ``draws`` Bernoulli gates
    that keep ``x`` with probability Phi(x) (one seeded generator). As ``draws`` grows the means approach
    GELU(x) = x Phi(x); their standard error is ``|x| sqrt(Phi (1 - Phi) / draws)``."""
    if not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be a whole number >= 1, got {draws!r}")
    x = torch.tensor(xs, dtype=torch.float64)
    keep = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    generator = torch.Generator().manual_seed(seed)
    gates = torch.bernoulli(keep.expand(draws, -1), generator=generator)  # (draws, len(xs)): 1 kept, 0 dropped
    return x * gates.mean(dim=0)


def plot_gelu_gate(x: float, x_range: tuple[float, float] = (-4.0, 4.0), points: int = 801, draws: int = 0) -> Figure:
    """Section 1's random gate at one input ``x``: left, ReLU, GELU and GELU's tanh form over ``x_range`` with a
    marker at ``x`` on each; right, the gate's two outcomes at ``x`` as bars: kept (output ``x``) with probability
    Phi(x), dropped (output 0) with probability 1 - Phi(x); their mean is GELU(x) = x Phi(x). With ``draws`` > 0
    the left panel also shows :func:`sampled_gate_means`: the mean output of that many sampled gates at each x."""
    low, high = x_range
    if not low <= x <= high:
        raise ValueError(f"x must lie in {x_range!r}, got {x!r}")
    grid = torch.linspace(low, high, points, dtype=torch.float64)
    point = torch.tensor([x], dtype=torch.float64)
    curves = {
        "ReLU": torch.relu,
        "GELU (exact, erf)": lambda t: gelu(t, "none"),
        "GELU (tanh approx.)": lambda t: gelu(t, "tanh"),
    }
    keep = 0.5 * (1 + math.erf(x / math.sqrt(2)))
    fig = new_figure(figsize=(9, 3.4))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    for name, curve in curves.items():
        style = "--" if "tanh" in name else "-"
        left.plot(grid, curve(grid), style, color=GELU_COLOURS[name], lw=2, label=name)
        left.plot([x], curve(point), "o", color=GELU_COLOURS[name], ms=6)
    if draws:
        sampled = sampled_gate_means(draws)
        left.plot(GATE_GRID, sampled, "o", color="k", ms=3.5, label=f"mean of {draws:,} sampled gates")
    left.axvline(x, color="0.6", lw=0.8, ls=":")
    left.axhline(0, color="k", lw=0.5)
    left.set(title=f"x = {x:+.1f}: GELU(x) = x Phi(x) = {x * keep:+.3f}", xlabel="x", ylabel="activation")
    left.legend(frameon=False, fontsize=8, loc="upper left")
    right.bar(["kept: x", "dropped: 0"], [keep, 1 - keep], color=["tab:blue", "0.7"])
    for index, share in enumerate((keep, 1 - keep)):
        right.text(index, share + 0.02, f"{share:.3f}", ha="center", va="bottom", fontsize=9)
    right.set_ylim(0, 1.12)
    right.set(title="x kept with probability Phi(x)", ylabel="probability")
    fig.tight_layout()
    return fig


def plot_parameter_budget(breakdown: Mapping[str, int], title: str = "Parameters by part") -> Figure:
    """Horizontal bars, one per part of ``breakdown`` (``{part: count}``, e.g. from
    :func:`vit_explained.parameters.parameter_breakdown`), each labelled with its count and share (inside a bar
    longer than 0.6 of the longest, so the axis ends just past the longest bar).
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
    longest = max(counts) / 1e6
    for bar, count in zip(bars, counts, strict=True):
        share = 100 * count / total if total else 0.0
        share_text = f"{share:.1f} %" if share >= 1 else f"{share:.2f} %"
        inside = bar.get_width() > 0.6 * longest  # a long bar carries its label inside, so the axis ends near it
        y = bar.get_y() + bar.get_height() / 2
        label = f"{count:,} ({share_text})  " if inside else f"  {count:,} ({share_text})"
        ax.text(bar.get_width(), y, label, va="center", ha="right" if inside else "left")
    ax.set_xlim(0, longest * 1.06 if longest else 1)
    ax.set(title=f"{title}: {total:,} parameters", xlabel="parameters (millions)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


_BOX_COLOURS = {"norm": "#fde7b0", "attn": "#c6dbef", "mlp": "#fdd0a2", "add": "white"}


def _box(ax, x: float, y: float, text: str, kind: str, width: float = 1.5) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - 0.22),
            width,
            0.44,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=_BOX_COLOURS[kind],
            edgecolor="0.25",
            lw=1.2,
            zorder=3,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=4)


def _plus(ax, x: float, y: float) -> None:
    ax.add_patch(Circle((x, y), 0.17, facecolor="white", edgecolor="0.25", lw=1.2, zorder=3))
    ax.text(x, y - 0.01, "+", ha="center", va="center", fontsize=13, zorder=4)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], *, colour: str = "0.25", lw: float = 1.4) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": colour, "lw": lw}, zorder=2)


def _branch(ax, y0: float, norm: str | None, layer: str, kind: str, *, stream_x: float, side_x: float) -> float:
    """A residual branch leaving the stream at ``y0``: [norm ->] layer -> back into a + on the stream."""
    ax.plot([stream_x, side_x], [y0, y0], color="0.25", lw=1.4, zorder=1)
    y = y0
    if norm is not None:
        y += 0.6
        _arrow(ax, (side_x, y0), (side_x, y - 0.22))
        _box(ax, side_x, y, norm, "norm")
    _arrow(ax, (side_x, y + 0.22 if norm else y0), (side_x, y + 0.6 - 0.22))
    y += 0.6
    _box(ax, side_x, y, layer, kind)
    y_plus = y + 0.6
    ax.plot([side_x, side_x], [y + 0.22, y_plus], color="0.25", lw=1.4, zorder=1)
    _arrow(ax, (side_x, y_plus), (stream_x + 0.17, y_plus))
    _plus(ax, stream_x, y_plus)
    return y_plus


_DIAGRAM_TEXT = {  # pre_norm -> (title, note on the stream, (x, y) of the note, its colour)
    True: (
        "pre-norm (ViT, GPT-2)\nx = x + attn(norm1(x));  x = x + mlp(norm2(x))",
        "residual stream:\nnormalised only\nafter the last block\n(each branch reads\na normalised copy)",
        (-0.25, 2.0),
        "tab:green",
    ),
    False: (
        "post-norm (the 2017 Transformer)\nx = norm1(x + attn(x));  x = norm2(x + mlp(x))",
        "every addition\nis followed by\na LayerNorm\non the stream",
        (-0.3, 0.8),
        "0.35",
    ),
}


def _stream_norm(ax, y: float, name: str, colour: str, stream_x: float) -> float:
    """Post-norm: a LayerNorm on the stream itself, right after the addition at ``y``; returns its centre."""
    _arrow(ax, (stream_x, y + 0.17), (stream_x, y + 0.6 - 0.22), colour=colour, lw=3)
    _box(ax, stream_x, y + 0.6, name, "norm", width=1.1)
    return y + 0.6


def _draw_block(ax, pre_norm: bool, stream_x: float = 0.0, side_x: float = 1.6, final_norm: bool = True) -> float:
    ax.set_xlim(-1.7, 2.6)
    ax.set_ylim(-0.6, 5.7)
    ax.set_aspect("equal")
    ax.axis("off")
    colour = "tab:green" if pre_norm else "0.45"
    stream = {"color": colour, "lw": 4, "zorder": 1, "solid_capstyle": "butt"}
    ax.text(stream_x, -0.25, "x  (B, N, D)", ha="center", va="top", fontsize=10)
    y = _branch(ax, 0.3, "norm1" if pre_norm else None, "attention", "attn", stream_x=stream_x, side_x=side_x)
    ax.plot([stream_x, stream_x], [0.0, y - 0.17], **stream)
    if not pre_norm:
        y = _stream_norm(ax, y, "norm1", colour, stream_x)
    start = y + 0.3 + (0 if pre_norm else 0.22)
    y_second = _branch(ax, start, "norm2" if pre_norm else None, "MLP", "mlp", stream_x=stream_x, side_x=side_x)
    ax.plot([stream_x, stream_x], [y + (0.17 if pre_norm else 0.22), y_second - 0.17], **stream)
    y = y_second
    top = y + 0.17 if pre_norm else _stream_norm(ax, y, "norm2", colour, stream_x) + 0.22
    _arrow(ax, (stream_x, top), (stream_x, top + 0.45), colour=colour, lw=3)
    if pre_norm and not final_norm:
        ax.text(stream_x, top + 0.5, "to the next block", ha="center", va="bottom", fontsize=9)
    elif pre_norm:  # the stream's only LayerNorm, apart from the block: once, after the last block
        ax.text(stream_x, top + 0.5, "to the next block", ha="center", va="bottom", fontsize=9)
        ax.annotate(  # the model's only LayerNorm on the stream, reached once: a dashed arrow from the label
            "",
            (stream_x, top + 1.2),
            (stream_x, top + 0.82),
            arrowprops={"arrowstyle": "-|>", "color": "0.45", "lw": 1.2, "ls": (0, (3, 2)), "shrinkA": 0, "shrinkB": 0},
        )
        ax.text(stream_x + 0.12, top + 1.0, "after block L only", ha="left", va="center", fontsize=8, color="0.3")
        _box(ax, stream_x, top + 1.42, "final norm", "norm", width=1.3)
        ax.set_ylim(-0.6, top + 1.75)  # room above the block for the model's final norm
    else:
        ax.text(stream_x, top + 0.5, "to the next block", ha="center", va="bottom", fontsize=9)
    title, note, (note_x, note_y), note_colour = _DIAGRAM_TEXT[pre_norm]
    ax.set_title(title, fontsize=10)
    ax.text(stream_x + note_x, note_y, note, ha="right", va="center", fontsize=9, color=note_colour)
    return top  # the stream's top: where the arrow "to the next block" starts


def plot_block_diagram() -> Figure:
    """The transformer block two ways, side by side, drawn bottom (input) to top (output):
    **post-norm** (the 2017 Transformer: ``x = norm(x + branch(x))``, a LayerNorm on the stream after
    each addition) and **pre-norm** (ViT: ``x = x + branch(norm(x))``, the LayerNorm only on the
    branch's input). The thick line is the residual stream; the boxes to its right are the branches."""
    fig = new_figure(figsize=(9, 5.2))
    for ax, pre_norm in zip(fig.subplots(1, 2), (False, True), strict=True):
        _draw_block(ax, pre_norm)
    fig.tight_layout()
    return fig


def _draw_parallel_block(ax, stream_x: float = 0.0, top: float | None = None) -> None:
    """The parallel block: one shared norm feeds attention and the MLP side by side; both add into one +.
    ``top``: where the stream's arrow "to the next block" starts (default: just above the +)."""
    ax.set_xlim(-1.7, 3.7)
    ax.set_ylim(-0.6, 5.7)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.text(stream_x, -0.25, "x  (B, N, D)", ha="center", va="top", fontsize=10)
    ax.plot([stream_x, 1.9], [0.3, 0.3], color="0.25", lw=1.4, zorder=1)
    _arrow(ax, (1.9, 0.3), (1.9, 0.68))
    _box(ax, 1.9, 0.9, "norm1 (shared): h", "norm", width=1.9)
    y_plus = 2.6
    for side_x, name, kind in ((1.05, "attention", "attn"), (2.75, "MLP", "mlp")):
        ax.plot([1.9, side_x], [1.12, 1.35], color="0.25", lw=1.4, zorder=1)
        _arrow(ax, (side_x, 1.35), (side_x, 1.53))
        _box(ax, side_x, 1.75, name, kind)
        ax.plot([side_x, side_x], [1.97, y_plus], color="0.25", lw=1.4, zorder=1)
    ax.plot([2.75, 1.05], [y_plus, y_plus], color="0.25", lw=1.4, zorder=1)
    _arrow(ax, (1.05, y_plus), (stream_x + 0.17, y_plus))
    _plus(ax, stream_x, y_plus)
    ax.plot([stream_x, stream_x], [0.0, y_plus - 0.17], color="tab:green", lw=4, zorder=1, solid_capstyle="butt")
    top = y_plus + 0.17 if top is None else top
    ax.plot([stream_x, stream_x], [y_plus + 0.17, top], color="tab:green", lw=4, zorder=1, solid_capstyle="butt")
    _arrow(ax, (stream_x, top), (stream_x, top + 0.45), colour="tab:green", lw=3)
    ax.text(stream_x, top + 0.5, "to the next block", ha="center", va="bottom", fontsize=9)
    ax.set_title(
        "parallel (GPT-J, ViT-22B): one +, both branches read h\nh = norm1(x);  x = x + attn(h) + mlp(h)", fontsize=10
    )


def plot_parallel_block_diagram() -> Figure:
    """Section 5's **sequential** pre-norm block (the MLP reads the stream after attention's addition) next to
    the **parallel** block of exercise 4 (one shared LayerNorm, both branches read it, one addition)."""
    fig = new_figure(figsize=(9.5, 5.2))
    sequential, parallel = fig.subplots(1, 2)
    top = _draw_block(sequential, True, final_norm=False)
    sequential.set_title(
        "sequential (section 5): the MLP reads the new x\nx = x + attn(norm1(x));  x = x + mlp(norm2(x))", fontsize=10
    )
    _draw_parallel_block(parallel, top=top)  # both arrows "to the next block" at one height
    for ax in (sequential, parallel):  # the same data window in both panels: one baseline, one scale
        ax.set_xlim(-1.7, 3.7)
        ax.set_ylim(-0.6, 5.7)
    fig.tight_layout()
    return fig


def plot_final_norm_ablation(
    slopes: Mapping[str, tuple[float, float, float]],
    guide: float = -0.5,
    labels: Mapping[str, str] | None = None,
    guide_label: str = "the L^-1/2 of Xiong et al.'s upper bound",
    digits: int = 3,
) -> Figure:
    """One row per arm of the final-norm ablation (``{arm: (slope, low, high)}``, e.g. from :func:`depth_slope`):
    the fitted log-log slope of the last ``fc2`` gradient against depth as a point with its 95 % interval as a bar,
    a line at 0 (no trend) and a dashed one at ``guide`` (-0.5: the L^-1/2 of Xiong et al.'s Theorem 1 upper bound,
    named by ``guide_label``; their Lemma 2 derives an affine band for the squared stream norm).
    Arms whose interval lies below 0 are black, the others grey (both named in the legend). ``labels`` maps an arm to
    its row's label (default: the arm's name); each row's numbers are written with ``digits`` decimals."""
    if not slopes:
        raise ValueError("slopes is empty: give {arm: (slope, low, high)}")
    fig = new_figure(figsize=(6.4, 0.5 * len(slopes) + 2.3))
    ax = fig.subplots()
    names = list(slopes)
    for row, name in enumerate(names):
        slope, low, high = slopes[name]
        if not low <= slope <= high:
            raise ValueError(f"{name}: need low <= slope <= high, got {(slope, low, high)!r}")
        colour = "k" if high < 0 else "0.6"  # not red: red is post-norm in every figure of the lesson
        ax.errorbar([slope], [row], xerr=[[slope - low], [high - slope]], fmt="o", color=colour, capsize=4, lw=1.8)
        ax.annotate(
            f"{slope:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]",
            (high, row),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},  # the line at 0 passes behind the text
        )
    ax.axvline(0, color="k", lw=0.8, label="0: no trend with depth")
    ax.axvline(guide, color="k", lw=0.8, ls="--", label=f"slope {guide:+g} ({guide_label})")
    ax.plot([], [], "o", color="k", label="black: interval below 0 (falls with depth)")
    ax.plot([], [], "o", color="0.6", label="grey: interval reaches 0 or lies above it (no detectable fall)")
    ax.set_yticks(range(len(names)), [(labels or {}).get(name, name) for name in names])
    ax.invert_yaxis()
    lows, highs = [v[1] for v in slopes.values()], [v[2] for v in slopes.values()]
    ax.set_xlim(min(*lows, guide) - 0.1, max(*highs, 0) + 0.5)
    ax.set(
        xlabel="slope s of the last fc2 gradient ~ L^s (95 % interval)",
        title="Pre-norm's final step, one change at a time",
    )
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)  # below the rows
    fig.tight_layout()
    return fig


def plot_mlp_diagram(dim: int = 768, mlp_dim: int = 3072) -> Figure:
    """One token through the MLP, left to right: columns are activations, arrows the layers. A column of ``dim``
    features, ``fc1`` expands it to ``mlp_dim`` pre-activations, GELU gates each of those, ``fc2`` contracts back
    to ``dim``. The columns' heights are proportional to the widths (structure only: the gate's values on real
    tokens are :func:`plot_token_gates`)."""
    fig = new_figure(figsize=(8, 3.0))
    ax = fig.subplots()
    ax.axis("off")
    scale = 2.4 / mlp_dim  # the widest column is 2.4 high
    columns = [
        (0.0, dim, f"token\n{dim} features", "tab:green"),
        (2.6, mlp_dim, f"hidden: {mlp_dim}\npre-activations", "tab:orange"),
        (5.2, mlp_dim, f"hidden: {mlp_dim}\nactivations", "tab:orange"),
        (7.8, dim, f"output\n{dim} features", "tab:green"),
    ]
    layers = ["fc1: expand", "GELU: gate", "fc2: contract"]  # the layers are the arrows, the columns activations
    for x, width, label, colour in columns:
        height = width * scale
        ax.add_patch(Rectangle((x - 0.3, -height / 2), 0.6, height, facecolor=colour, alpha=0.6, edgecolor="0.25"))
        ax.text(x, -1.45, label, ha="center", va="top", fontsize=9)
    for (x0, x1), layer in zip(itertools.pairwise(column[0] for column in columns), layers, strict=True):
        _arrow(ax, (x0 + 0.4, 0.0), (x1 - 0.4, 0.0))
        ax.text((x0 + x1) / 2, 0.12, layer, ha="center", va="bottom", fontsize=8)
    ax.text(5.2, 1.45, "each feature z weighted by Phi(z), its own gate", ha="center", fontsize=8, color="0.3")
    ax.set_xlim(-0.8, 8.6)
    ax.set_ylim(-2.1, 1.7)
    ax.set_title("The MLP on one token: expand, gate, contract (every token alone, the same weights)", fontsize=10)
    return fig


def logits_with_activation(
    model: torch.nn.Module, images: torch.Tensor, activation: torch.nn.Module | None = None, chunk: int = 250
) -> torch.Tensor:
    """``model``'s logits ``(B, classes)`` on ``images`` ``(B, C, H, W)`` with every block's MLP activation replaced
    by ``activation`` (``None``: the model as it is), ``chunk`` images at a time, without gradients; the model's own
    activations are put back afterwards, even on an error."""
    blocks = model.encoder.blocks
    own = [block.mlp.act for block in blocks]
    try:
        if activation is not None:
            for block in blocks:
                block.mlp.act = activation
        with torch.no_grad():
            return torch.cat([model(part) for part in images.split(chunk)])
    finally:
        for block, act in zip(blocks, own, strict=True):
            block.mlp.act = act


def mlp_knockout_correct(
    model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, chunk: int = 250
) -> dict[str, torch.Tensor]:
    """Which of ``images`` ``(B, C, H, W)`` ``model`` classifies right, ``{"intact": (B,) bool, "no_mlp": (B,) bool}``:
    as it is, and with every block's MLP branch silenced (``fc2``'s weight and bias zeroed on a copy, so each block
    is ``x + attn(norm1(x))`` alone). ``model`` itself is not changed."""
    import copy

    silenced = copy.deepcopy(model)
    for block in silenced.encoder.blocks:
        torch.nn.init.zeros_(block.mlp.fc2.weight)
        torch.nn.init.zeros_(block.mlp.fc2.bias)
    with torch.no_grad():
        return {
            name: torch.cat([net(part).argmax(1) for part in images.split(chunk)]) == labels
            for name, net in (("intact", model), ("no_mlp", silenced))
        }


def mlp_mean_ablation_correct(
    model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, reference: torch.Tensor, chunk: int = 250
) -> torch.Tensor:
    """Which of ``images`` ``(B, C, H, W)`` ``model`` classifies right with every block's MLP branch **mean-ablated**:
    each block's ``mlp`` output replaced by its mean over the ``reference`` images (e.g. training digits), one
    ``(N, D)`` value per block (a mean per token position and feature), taken from the intact model's run.
    Unlike zeroing, this keeps each branch's average contribution to the stream. ``(B,)`` bool."""
    blocks = list(model.encoder.blocks)
    sums: dict[int, torch.Tensor] = {}

    def record(index: int):
        return lambda module, args, out: sums.__setitem__(index, sums.get(index, 0) + out.sum(dim=0))

    handles = [block.mlp.register_forward_hook(record(index)) for index, block in enumerate(blocks)]
    try:
        with torch.no_grad():
            for part in reference.split(chunk):
                model(part)
    finally:
        for handle in handles:
            handle.remove()
    means = {index: total / len(reference) for index, total in sums.items()}  # (N, D) per block
    handles = [
        block.mlp.register_forward_hook(lambda module, args, out, mean=means[index]: mean.expand_as(out))
        for index, block in enumerate(blocks)
    ]
    try:
        with torch.no_grad():
            return torch.cat([model(part).argmax(1) for part in images.split(chunk)]) == labels
    finally:
        for handle in handles:
            handle.remove()


#: The stored run of ``benchmarks/bench_lesson04_mlp_knockout.py`` (package data): section 2's MLP knock-out.
STORED_MLP_KNOCKOUT = Path(__file__).resolve().parents[1] / "checkpoints" / "lesson04_mlp_knockout.json"


def stored_mlp_knockout() -> dict[str, torch.Tensor]:
    """:func:`mlp_knockout_correct` on lesson 01's MNIST ViT and the 1,000 test digits, as the benchmark stored it:
    ``{"intact": (1000,) bool, "no_mlp": (1000,) bool, "mean_mlp": (1000,) bool}`` (``mean_mlp``:
    :func:`mlp_mean_ablation_correct` with the means over the 3,500 training digits; a forward pass of the 1,000
    digits costs about a second), plus section 1's ReLU swap: ``relu`` (right with ReLU) and ``relu_changed``."""
    stored = json.loads(STORED_MLP_KNOCKOUT.read_text())
    names = [name for name in ("intact", "no_mlp", "mean_mlp", "relu", "relu_changed") if name in stored]
    return {name: torch.tensor([flag == "1" for flag in stored[name]]) for name in names}


STORED_GELU_RELU = Path(__file__).resolve().parents[1] / "checkpoints" / "lesson04_gelu_relu.json"


def stored_gelu_relu() -> dict[str, list[float]]:
    """GELU against ReLU in training, as ``benchmarks/bench_lesson04_gelu_relu.py`` stored it (the MNIST ViT's
    architecture and digits recipe, shortened; the same weights and batches per seed): ``{"gelu": [final validation
    accuracy per seed], "relu": [...]}``, seeds in order."""
    runs = sorted(json.loads(STORED_GELU_RELU.read_text())["runs"], key=lambda run: run["seed"])
    return {name: [run["val_accuracy"][-1] for run in runs if run["activation"] == name] for name in ("gelu", "relu")}


def detached_gelu(x: torch.Tensor) -> torch.Tensor:
    """GELU with its gate detached, ``x * Phi(x).detach()``: GELU's values, but the backward pass sees the gate
    Phi(x) alone as the slope, without the gate's own derivative's term x phi(x)."""
    return x * (0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))).detach()


class DetachedGELU(torch.nn.Module):
    """:func:`detached_gelu` as a module (an MLP's ``act``)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return detached_gelu(x)


GATE_ARMS = ("GELU", "gate detached", "ReLU")


def gate_gradient_arms(
    images: torch.Tensor, labels: torch.Tensor, config: Mapping, seeds: Sequence[int] = (0, 1, 2)
) -> dict[str, list[tuple[float, float]]]:
    """The gradient reaching every block's ``fc1`` weight at initialisation, one cross-entropy step on ``images``,
    for a ``ViT(**config)`` with its GELU, the gate detached (:class:`DetachedGELU`) and ReLU as every MLP's ``act``.

    Per seed the three arms share the initial weights (drawn once under ``torch.manual_seed(seed)``, the global
    generator restored afterwards) and the digits; only ``act`` differs. Returns ``{arm: [(the gradient's norm / the
    GELU arm's, its cosine with the GELU arm's) per seed]}`` (the GELU arm: (1, 1))."""
    from ..vit import ViT  # here, not at the top: the plotting package is imported by the model modules' users

    acts = {"GELU": None, "gate detached": DetachedGELU, "ReLU": torch.nn.ReLU}
    out: dict[str, list[tuple[float, float]]] = {arm: [] for arm in GATE_ARMS}
    for seed in seeds:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            base = ViT(**config)
        grads = {}
        for arm, act in acts.items():  # GELU first, as built; then every block's act swapped
            for block in base.encoder.blocks if act else ():
                block.mlp.act = act()
            loss = torch.nn.functional.cross_entropy(base(images), labels)
            weights = [block.mlp.fc1.weight for block in base.encoder.blocks]
            grads[arm] = torch.cat([g.flatten() for g in torch.autograd.grad(loss, weights)])
        for arm, grad in grads.items():
            cosine = torch.nn.functional.cosine_similarity(grad, grads["GELU"], dim=0).item()
            out[arm].append(((grad.norm() / grads["GELU"].norm()).item(), cosine))
    return out


def mlp_preactivations(model: torch.nn.Module, images: torch.Tensor, block: int = 0) -> torch.Tensor:
    """The ``fc1`` outputs z (GELU's inputs) of block ``block``'s MLP for every token of ``images``
    ``(B, C, H, W)`` run through ``model`` (a package ``ViT``): ``(B, N, D_mlp)``."""
    store = {}
    fc1 = model.encoder.blocks[block].mlp.fc1
    handle = fc1.register_forward_hook(lambda module, args, out: store.update(z=out.detach()))
    try:
        with torch.no_grad():
            model(images)
    finally:
        handle.remove()
    return store["z"]


GATE_CLASSES = ("gate > 1/2", "gate 0.1-1/2", "gate < 0.1")


def gate_classes(z: torch.Tensor) -> dict[str, tuple[torch.Tensor, float]]:
    """One token's hidden units in three classes named by GELU's gate Phi(z), from its ``(D_mlp,)``
    pre-activations ``z``: "gate > 1/2" (z > 0), "gate 0.1-1/2" (Phi from 0.1 to one half, outputs from 0 down to
    GELU's minimum, -0.17) and "gate < 0.1" (z below -1.28). The classes follow the gate, not the size of the
    output. Each maps to (its ``(D_mlp,)`` boolean mask, its share of the summed absolute GELU(z) that reaches
    fc2)."""
    z = z.detach().double()
    gate = 0.5 * (1 + torch.erf(z / math.sqrt(2)))
    magnitude = gelu(z).abs()
    masks = (gate > 0.5, (gate >= 0.1) & (gate <= 0.5), gate < 0.1)
    return {
        name: (mask, (magnitude[mask].sum() / magnitude.sum()).item())
        for name, mask in zip(GATE_CLASSES, masks, strict=True)
    }


class TokenGates(NamedTuple):
    """:func:`token_gates`'s result: ``text`` (the lines to print), ``bands`` (:func:`gate_classes`), ``lower`` (the
    ``(D_mlp,)`` mask of gates at or below one half), ``lower_share`` (their share of the summed ``|GELU(z)|``) and
    ``slope`` (each unit's ``|GELU'(z)|``, by autograd)."""

    text: str
    bands: dict[str, tuple[torch.Tensor, float]]
    lower: torch.Tensor
    lower_share: float
    slope: torch.Tensor

    @property
    def summary(self) -> str:
        """``text``'s first line and the mean slopes (lesson 04, section 2); the bands, the two lower bands
        together and the share of the summed slope are in ``text``, printed in appendix H."""
        lines = self.text.splitlines()
        return "\n".join((lines[0], lines[-1].split("; share of")[0]))


def token_gates(z: torch.Tensor, token: int) -> TokenGates:
    """One token's MLP as gates, from its ``(D_mlp,)`` pre-activations ``z`` (token ``token``): how many gates are
    above one half, each of :func:`gate_classes`' bands (units, share of the summed ``|GELU(z)|`` sent to fc2), the two
    lower bands together, and GELU's mean ``|slope|`` below and above one half (the slope by autograd)."""
    z = z.detach().double()
    bands, out = gate_classes(z), gelu(z)
    lower = 0.5 * (1 + torch.erf(z / math.sqrt(2))) <= 0.5  # a gate at or below one half
    lower_share = (out.abs()[lower].sum() / out.abs().sum()).item()
    leaf = z.clone().requires_grad_(True)
    slope = torch.autograd.grad(gelu(leaf).sum(), leaf)[0].abs()  # |GELU'(z)|, by autograd
    lines = [f"token {token}: {int((z > 0).sum())} of {z.numel()} units have a gate above one half (z > 0)"]
    for name, (mask, share) in bands.items():
        lines.append(f"  {name:<12}: {int(mask.sum()):>3} units, {100 * share:.0f} % of the |GELU| that reaches fc2")
    lines.append(
        f"the two lower bands (gate <= 1/2, so z <= 0): {int(lower.sum())} units, {100 * lower_share:.0f} % of the "
        "|GELU| that reaches fc2"
    )
    lines.append(
        f"mean |GELU slope|: {slope[lower].mean():.2f} (gate <= 1/2) against {slope[~lower].mean():.2f} (gate > 1/2); "
        f"share of the summed |slope|: {100 * slope[lower].sum() / slope.sum():.0f} %"
    )
    return TokenGates("\n".join(lines), bands, lower, lower_share, slope)


def plot_one_token_gates(z: torch.Tensor, title: str = "One token in the MLP") -> Figure:
    """The MLP as gates for one token, from its ``(D_mlp,)`` pre-activations ``z``: every hidden unit as a dot on
    the GELU curve at (z, GELU(z)), coloured by :func:`gate_classes`' three gate classes: blue where the gate
    Phi(z) is above one half, orange from 0.1 to one half (it still sends down to -0.17 to fc2), grey below 0.1."""
    if z.dim() != 1 or z.numel() == 0:
        raise ValueError(f"z must be one token's pre-activations, shape (D_mlp,), got {tuple(z.shape)}")
    z = z.detach().double()
    classes = gate_classes(z)
    fig = new_figure(figsize=(6.4, 3.6))
    left = fig.subplots(1, 1)
    grid = torch.linspace(z.min().item() - 0.3, z.max().item() + 0.3, 401, dtype=torch.float64)
    left.plot(grid, gelu(grid), color="0.3", lw=1.2, label="GELU(z) = z Phi(z)")
    colours = dict(zip(GATE_CLASSES, ("tab:blue", "tab:orange", "0.65"), strict=True))
    for name, (mask, share) in classes.items():
        label = f"{name.replace('gate', 'Phi(z)')}: {int(mask.sum())} units, {100 * share:.0f} % of |GELU|"
        left.scatter(z[mask], gelu(z[mask]), s=14, color=colours[name], label=label)
    left.axhline(0, color="k", lw=0.5)
    left.set(title=f"{title}: each hidden unit on the curve", xlabel="z = fc1 output", ylabel="GELU(z), to fc2")
    left.legend(frameon=False, fontsize=7.5, loc="upper left")
    fig.tight_layout()
    return fig


def mlp_gates(model: torch.nn.Module, images: torch.Tensor, block: int = 0) -> torch.Tensor:
    """GELU's gate Phi(z) on each hidden unit of block ``block``'s MLP, z the ``fc1`` pre-activations, for every
    token of ``images`` ``(B, C, H, W)`` run through ``model`` (a package ``ViT``): ``(B, N, D_mlp)``."""
    store = {}
    fc1 = model.encoder.blocks[block].mlp.fc1
    handle = fc1.register_forward_hook(lambda module, args, out: store.update(z=out.detach()))
    try:
        with torch.no_grad():
            model(images)
    finally:
        handle.remove()
    return 0.5 * (1 + torch.erf(store["z"] / math.sqrt(2)))


def gate_overlap(is_open: torch.Tensor) -> dict[str, float]:
    """For a ``(tokens, units)`` boolean table of open gates: ``switching``, the units open for one token and shut
    for another; ``independent`` and ``independent_sd``, that count's mean and binomial standard deviation if every
    gate were an independent coin at its token's open rate; ``nested``, the fewest possible (each smaller open set
    inside the largest)."""
    units = is_open.shape[-1]
    rates = is_open.float().mean(1)  # each token's share of open units
    p = (1 - rates.prod() - (1 - rates).prod()).item()  # a unit neither open for all nor shut for all
    return {
        "switching": int((is_open.any(0) & ~is_open.all(0)).sum()),
        "independent": units * p,
        "independent_sd": math.sqrt(units * p * (1 - p)),
        "nested": int(is_open.sum(1).max() - is_open.sum(1).min()),
    }


class GateReport(NamedTuple):
    """:func:`gate_report`'s result: the lines to print, ``overlap`` (:func:`gate_overlap`'s dict) and ``pairs``
    ({(a, b): (units open for both rows a and b, that count's mean for independent gates at their rates)})."""

    text: str
    overlap: dict[str, float]
    pairs: dict[tuple[int, int], tuple[int, float]]


def gate_report(is_open: torch.Tensor, names: list[str], baselines: bool = True) -> GateReport:
    """Section 2's gate statistics as text, for a ``(tokens, units)`` boolean table of open gates whose rows are
    ``names``: each row's open share, :func:`gate_overlap`'s switching count against its two baselines, and every
    pair's shared open units against independent gates at the two rows' rates. Without ``baselines`` the text
    holds only the open shares and the switching count (the lesson; its appendix H prints the rest)."""
    if is_open.dim() != 2 or is_open.shape[0] != len(names):
        raise ValueError(f"need a (tokens, units) table with one name per row, got {tuple(is_open.shape)}, {names}")
    units = is_open.shape[-1]
    overlap = gate_overlap(is_open)
    rates = is_open.float().mean(1)
    pairs = {
        (a, b): (int((is_open[a] & is_open[b]).sum()), units * (rates[a] * rates[b]).item())
        for a, b in itertools.combinations(range(len(names)), 2)
    }
    short = [name.split()[0] for name in names]
    lines = [
        f"share of the {units} units open (Phi > 0.5): "
        + "; ".join(f"{name} {100 * rate:.0f} %" for name, rate in zip(names, rates.tolist(), strict=True)),
        f"units open for one of these tokens and mostly suppressed for another: {overlap['switching']} of {units}",
        f"independent random gates at these rates: {overlap['independent']:.1f} ± {overlap['independent_sd']:.1f} "
        f"(sd); the fewest possible: {overlap['nested']}",
        f"observed - independent: {(overlap['switching'] - overlap['independent']) / overlap['independent_sd']:+.1f}"
        " sd",
        "units open for both tokens, observed vs independent gates at these rates (mean ± sd): "
        + "; ".join(
            f"{short[a]}/{short[b]} {both} vs {chance:.1f} ± {math.sqrt(chance * (1 - chance / units)):.1f}"
            for (a, b), (both, chance) in pairs.items()
        ),
    ]
    return GateReport("\n".join(lines if baselines else lines[:2]), overlap, pairs)


def plot_token_gates(
    image: torch.Tensor, gates: Mapping[str, torch.Tensor], patches: Mapping[str, int], patch_size: int
) -> Figure:
    """Left: the ``(H, W)`` image with its border and patch grid drawn, and the patches named in ``patches``
    (name -> patch index, row by row) boxed in the colour of their row's label.
    Right: one row per token of ``gates`` (name -> ``(D_mlp,)`` gate values Phi(z)) on a diverging scale centred at
    0.5, the line between shut (blue, Phi < 0.5) and open (red, Phi > 0.5), hidden units sorted by their mean gate
    over the rows; each row's label gives its share of units with Phi > 0.5."""
    if not gates or len({tuple(row.shape) for row in gates.values()}) != 1:
        raise ValueError(f"gates must be a non-empty mapping of equal-length rows, got {len(gates)} rows")
    fig = new_figure(figsize=(10, 3.4), layout="constrained")
    image_ax, gate_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 4]})
    image_ax.imshow(image, cmap="gray_r")
    image_ax.axis("off")
    height, width = image.shape[-2:]
    for edge in range(patch_size, width, patch_size):  # the patch grid, then the image's border
        image_ax.axvline(edge - 0.5, color="0.75", lw=0.6)
    for edge in range(patch_size, height, patch_size):
        image_ax.axhline(edge - 0.5, color="0.75", lw=0.6)
    image_ax.add_patch(Rectangle((-0.5, -0.5), width, height, fill=False, edgecolor="0.3", lw=1.2))
    colours = dict(zip(patches, ("tab:green", "tab:purple", "tab:orange"), strict=False))  # not the map's red/blue
    for name, index in patches.items():  # boxed in the colour of its row's label
        row, column = divmod(index, image.shape[-1] // patch_size)
        corner = (column * patch_size - 0.5, row * patch_size - 0.5)
        box = Rectangle(corner, patch_size, patch_size, fill=False, edgecolor=colours[name], lw=2.5)
        box.set_path_effects([patheffects.Stroke(linewidth=4.5, foreground="white"), patheffects.Normal()])
        image_ax.add_patch(box)  # a white rim: the box shows on black ink too
    stack = torch.stack([row.detach().float() for row in gates.values()])  # (tokens, D_mlp)
    stack = stack[:, stack.mean(0).argsort()]
    shown = gate_ax.imshow(stack.numpy(), aspect="auto", cmap="RdBu_r", vmin=0, vmax=1, interpolation="nearest")
    labels = [f"{name}: {100 * (row > 0.5).float().mean():.0f} % open" for name, row in gates.items()]
    gate_ax.set_yticks(range(len(labels)), labels, fontsize=11)
    for tick, name in zip(gate_ax.get_yticklabels(), gates, strict=True):
        tick.set_color(colours.get(name, "black"))
    gate_ax.set_xlabel(
        f"hidden unit (all {stack.shape[1]}, sorted by their mean gate over the three tokens)", fontsize=10
    )
    bar = fig.colorbar(shown, ax=gate_ax, fraction=0.03)
    bar.set_label("Phi(z): blue mostly suppressed (< 0.5), red open (> 0.5)", fontsize=10)
    bar.ax.tick_params(labelsize=9)
    gate_ax.set_title("GELU's gate on each hidden unit of fc1, one row per token", fontsize=11)
    return fig


def plot_norm_axes(batch: int = 3, tokens: int = 4, features: int = 8) -> Figure:
    """What LayerNorm and BatchNorm average over, on a ``(B, N, D)`` batch of tokens drawn as a grid:
    one row per token (the ``N`` tokens of each of the ``B`` images, image after image), one column per
    feature. Left, LayerNorm: one mean and standard deviation per *row* (a token's own ``D`` features).
    Right, BatchNorm: one per *column* (a feature, over every token of every image in the batch)."""
    for name, value in (("batch", batch), ("tokens", tokens), ("features", features)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if batch < 2:
        raise ValueError(f"batch must be at least 2 to show what BatchNorm mixes, got {batch!r}")
    fig = new_figure(figsize=(10, 4.2))
    axes = fig.subplots(1, 2)
    gap = 0.35  # vertical space between two images' tokens
    image_colours = ["#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1"]
    mark_row, mark_col = 1, 2  # the token (image 0, token 1) and the feature (column 2) that are outlined
    for ax, kind in zip(axes, ("layer", "batch"), strict=True):
        for image in range(batch):
            top = image * (tokens + gap)
            for token in range(tokens):
                y = top + token
                for feature in range(features):
                    chosen = (image == 0 and token == mark_row) if kind == "layer" else feature == mark_col
                    ax.add_patch(
                        Rectangle(
                            (feature, y),
                            1,
                            1,
                            facecolor="tab:red" if chosen else image_colours[image % len(image_colours)],
                            alpha=0.85 if chosen else 1.0,
                            edgecolor="white",
                            lw=1.0,
                        )
                    )
            ax.text(-0.3, top + tokens / 2, f"image {image}\n{tokens} tokens", ha="right", va="center", fontsize=9)
        height = batch * tokens + (batch - 1) * gap
        if kind == "layer":
            y = mark_row
            ax.add_patch(Rectangle((0, y), features, 1, fill=False, edgecolor="k", lw=2.2))
            ax.set_title("LayerNorm: one mean and std per token\n(over its own D features; the batch plays no part)")
        else:
            ax.add_patch(Rectangle((mark_col, 0), 1, height, fill=False, edgecolor="k", lw=2.2))
            ax.set_title("BatchNorm: one mean and std per feature\n(over every token of every image in the batch)")
        shared = "its D numbers" if kind == "layer" else "these B x N numbers"
        note = f"red: {shared} share one mean and std"
        ax.text(features / 2, height + 0.5, note, ha="center", va="center", fontsize=9)
        ax.set_xlim(-2.6, features + 0.2)
        ax.set_ylim(height + 1.0, -0.9)
        ax.text(features / 2, -0.45, f"D = {features} features  ->", ha="center", va="center", fontsize=9)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.tight_layout()
    return fig


def depth_slope(values: Mapping[int, list[float]]) -> tuple[float, float, float]:
    """Least-squares slope of log(value) against log(depth), one point per (depth, seed), with its 95 %
    Student's t interval: ``(slope, low, high)``. A slope of -0.5 is a fall as 1/sqrt(L)."""
    from ..evidence import _t_quantile

    depths = [depth for depth, seeds in values.items() for _ in seeds]
    points = [value for seeds in values.values() for value in seeds]
    if len(set(depths)) < 2 or len(points) < 3 or min(points) <= 0:
        raise ValueError("need positive values at two or more depths, three or more points in all")
    log_depth = torch.tensor(depths, dtype=torch.float64).log()
    log_value = torch.tensor(points, dtype=torch.float64).log()
    centred = log_depth - log_depth.mean()
    slope = float((centred * (log_value - log_value.mean())).sum() / (centred**2).sum())
    residual = log_value - log_value.mean() - slope * centred
    stderr = math.sqrt(float((residual**2).sum()) / (len(points) - 2) / float((centred**2).sum()))
    half = _t_quantile(0.975, len(points) - 2) * stderr
    return slope, slope - half, slope + half


def seed_slope(values: Mapping[int, list[float]]) -> tuple[float, float, float]:
    """One :func:`depth_slope` per seed (``values``: ``{depth: [one value per seed]}``, seeds in the same order at
    every depth), then a 95 % Student's t interval over the seeds' slopes: ``(mean slope, low, high)``. Use it, not
    the pooled fit, when a seed's points at different depths are not independent (the lesson's rule)."""
    from ..evidence import t_interval

    fit = t_interval(seed_slopes(values))
    return fit.estimate, fit.low, fit.high


def seed_slopes(values: Mapping[int, list[float]]) -> list[float]:
    """One :func:`depth_slope` per seed (``values``: ``{depth: [one value per seed]}``, seeds in the same order at
    every depth): the slopes :func:`seed_slope` takes its interval over, in seed order."""
    counts = {len(seeds) for seeds in values.values()}
    if len(counts) != 1 or counts.pop() < 2:
        raise ValueError("need the same number (two or more) of seeds at every depth")
    seeds = len(next(iter(values.values())))
    return [depth_slope({depth: [row[s]] for depth, row in values.items()})[0] for s in range(seeds)]


def slope_difference(a: Mapping[int, list[float]], b: Mapping[int, list[float]]) -> tuple[float, float, float, float]:
    """Slope of ``a`` minus slope of ``b`` (each from :func:`depth_slope`, fitted separately) with a 95 % Welch
    interval: the two standard errors are not pooled, so the fits may have unequal residual spreads; the degrees
    of freedom are Welch-Satterthwaite's. Returns ``(difference, low, high, df)``."""
    from ..evidence import _t_quantile

    fits, errors, dfs = [], [], []
    for values in (a, b):
        slope, _, high = depth_slope(values)
        df = sum(len(seeds) for seeds in values.values()) - 2
        fits.append(slope)
        errors.append((high - slope) / _t_quantile(0.975, df))
        dfs.append(df)
    variance = errors[0] ** 2 + errors[1] ** 2
    df = variance**2 / (errors[0] ** 4 / dfs[0] + errors[1] ** 4 / dfs[1])
    half = _t_quantile(0.975, df) * math.sqrt(variance)
    difference = fits[0] - fits[1]
    return difference, difference - half, difference + half, df


def slope_text(fit: tuple[float, float, float], digits: int = 2) -> str:
    """``(slope, low, high)`` (from :func:`depth_slope`) as ``"L^-0.47 [-0.56, -0.38]"``, rounded to ``digits``
    (a rounded zero prints as +0.00, never -0.00)."""
    slope, low, high = (round(value, digits) + 0.0 for value in fit)
    return f"L^{slope:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"


class DepthReport(NamedTuple):
    """:func:`depth_report`'s result: the lines to print, ``slope`` ({name: (slope, low, high)}) and ``deepest``
    (the paired post-norm vs pre-norm comparison at the deepest depth)."""

    text: str
    slope: dict[str, tuple[float, float, float]]
    deepest: object
    difference: tuple[float, float, float, float] | None = None  # post-norm - pre-norm slope, Welch (slope_difference)


def depth_report(
    designs: Mapping[str, Mapping[int, list[float]]], stored: Mapping[str, Mapping[int, list[float]]]
) -> DepthReport:
    """Section 6's measurement as text: each design's gradient by depth over seeds (the deepest depth as a paired
    post-norm - pre-norm comparison with its t-interval), then the log-log slope of every design and of every
    ``stored`` line (name -> {depth: [one per seed]})."""
    from ..evidence import over_seeds, paired_seeds

    depths = list(designs["post-norm"])
    lines = [
        f"depth {depth:>2}: post-norm {over_seeds(designs['post-norm'][depth], digits=2)}; "
        f"pre-norm {over_seeds(designs['pre-norm'][depth], digits=2)}"
        for depth in depths[:-1]
    ]
    last = depths[-1]
    deepest = paired_seeds(
        designs["post-norm"][last], designs["pre-norm"][last], names=("post-norm", "pre-norm"), digits=2
    )
    lines.append(f"depth {last}: {deepest}; t-interval of the mean difference {deepest.t_interval()}")
    slope = {name: depth_slope(values) for name, values in {**designs, **stored}.items()}
    seeds = len(designs["post-norm"][last])
    lines.append(f"slopes of the gradient (95 % intervals; {len(depths)} depths x {seeds} seeds unless named):")
    width = max(map(len, slope)) + 2
    lines += [f"  {name:<{width}}{slope_text(fit)}" for name, fit in slope.items()]
    difference = slope_difference(designs["post-norm"], designs["pre-norm"])
    lines.append(
        f"post-norm - pre-norm slope: {difference[0]:+.2f} [{difference[1]:+.2f}, {difference[2]:+.2f}] "
        f"(95 %, Welch's t, {difference[3]:.0f} df: the two fits' spreads are not pooled)"
    )
    return DepthReport("\n".join(lines), slope, deepest, difference)


def plot_norm_training(runs: list[dict], lr: float, window: int = 10) -> Figure:
    """The stored training losses of the norm-placement benchmark at learning rate ``lr``: one panel per warm-up
    length (none first; both placements warmed up alike), in each one line per seed for pre-norm (blue) and
    post-norm (red), the loss averaged over ``window`` steps (a running mean), the warm-up steps shaded, chance,
    ln 10, dashed, and the near-chance rule's threshold 0.9 ln 10 dotted (a run whose mean loss over its last 25
    steps ends above it counts as near chance)."""
    chosen = [run for run in runs if run["lr"] == lr]
    if not chosen:
        raise ValueError(f"no stored run at lr {lr!r}")
    warmups = sorted({run["warmup_steps"] for run in chosen})
    fig = new_figure(figsize=(4.2 * len(warmups), 3.6))
    axes = fig.subplots(1, len(warmups), sharey=True, squeeze=False)[0]
    colours = _DESIGN_COLOURS  # post-norm red, pre-norm blue, as in every figure and widget of the lesson
    for ax, warmup in zip(axes, warmups, strict=True):
        if warmup:
            ax.axvspan(0, warmup, color="0.92", lw=0)
        for run in sorted((r for r in chosen if r["warmup_steps"] == warmup), key=lambda r: r["seed"]):
            losses = torch.tensor(run["losses"], dtype=torch.float64)
            smooth = losses.unfold(0, window, 1).mean(dim=1) if len(losses) >= window else losses
            steps = torch.arange(len(smooth)) + (window if len(losses) >= window else 1)
            label = run["placement"] if run["seed"] == 0 else None
            ax.plot(steps.numpy(), smooth.numpy(), color=colours[run["placement"]], lw=1.3, alpha=0.85, label=label)
        first = warmup == warmups[0]
        rule = "near-chance rule (on the last 25 steps' mean), 0.9 ln 10 = 2.07"
        ax.axhline(0.9 * math.log(10), color="0.35", lw=0.9, ls=":", label=rule if first else None)
        ax.axhline(math.log(10), color="k", lw=0.9, ls="--", label="chance, ln 10 = 2.30" if first else None)
        title = f"both warmed up {warmup} steps (shaded)" if warmup else "no warm-up"
        ax.set(title=f"lr {lr:.0e}, {title}".replace("e-0", "e-"), xlabel="training step", ylim=(0, 2.6))
    axes[0].set_ylabel(f"training loss (mean of {window} steps)")
    axes[0].legend(frameon=False, fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def plot_gradient_profile(profiles: Mapping[str, list[list[float]]]) -> Figure:
    """The gradient norm at each block's ``fc2`` weight against the block's index (0: next to the input), one
    line per design (``{name: [profile per seed]}``, e.g. ``norm_placement.gradient_profiles()``): the mean over
    seeds, the seeds' range shaded. Log y axis, so equal ratios look equally far apart."""
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullLocator

    if not profiles:
        raise ValueError("profiles is empty: give at least one {name: [profile per seed]}")
    fig = new_figure(figsize=(6.4, 3.8))
    ax = fig.subplots()
    for name, runs in profiles.items():
        values = torch.tensor(runs, dtype=torch.float64)  # (seeds, blocks)
        blocks = torch.arange(values.shape[1]).numpy()
        colour = _DESIGN_COLOURS.get(name, "tab:green")
        ax.fill_between(
            blocks, values.min(0).values.numpy(), values.max(0).values.numpy(), color=colour, alpha=0.2, lw=0
        )
        label = f"{name} (mean of {values.shape[0]} seeds; range shaded)"
        ax.plot(blocks, values.mean(0).numpy(), color=colour, lw=1.8, marker="o", ms=3, label=label)
    ax.set_yscale("log")
    shown = [v for runs in profiles.values() for run in runs for v in run]
    ax.yaxis.set_major_locator(FixedLocator(_log_ticks(shown)))
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set(xlabel="block (0: next to the input)", ylabel="gradient norm at the block's fc2")
    ax.set_title(f"At initialisation, L = {len(next(iter(profiles.values()))[0])} blocks: the gradient, block by block")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


INIT_LAYERS = ("qkv", "proj", "fc1", "fc2")  # a block's Linear layers, in the order the tables print them


def init_arm_rows(
    dim: int,
    arms: Mapping[str, tuple[Mapping[int, list[float]], Mapping[str, float], float]],
    versus: Mapping[str, str],
) -> list[dict]:
    """One row per arm of the init appendix. ``arms``: ``{name: (gradients {depth: [one per seed]},
    {layer: std x sqrt(fan-in)}, RMS token norm after the deepest block)}``; ``versus``: ``{name: the arm it is
    compared with}``. A row: ``dim``, ``arm``, the sizes of :data:`INIT_LAYERS`, ``slope`` (:func:`seed_slope`: one
    slope per seed, a t-interval over seeds), ``growth`` (the norm / sqrt(dim)), ``versus`` and ``difference``: the
    slope of the ratio of the two arms' gradients, fitted per seed the same way (the difference of their slopes, with
    its own 95 % interval), or None."""
    rows = []
    for name, (gradients, size, stream) in arms.items():
        other = versus.get(name)
        difference = None
        if other is not None:
            ratio = {d: [s / o for s, o in zip(gradients[d], arms[other][0][d], strict=True)] for d in gradients}
            difference = seed_slope(ratio)
        sizes = {layer: size[layer] for layer in INIT_LAYERS}
        rows.append({"dim": dim, "arm": name, **sizes, "slope": seed_slope(gradients),
                     "growth": stream / math.sqrt(dim), "versus": other, "difference": difference})  # fmt: skip
    return rows


def init_arm_table(rows: list[dict]) -> str:
    """The rows of :func:`init_arm_rows` as a text table (per-seed slopes to 3 places, differences to 2)."""
    layers = "".join(f"{layer:>6}" for layer in INIT_LAYERS)
    lines = [f"{'D':>4}  {'arm':<14}{layers}   {'gradient ~ L^s [95 %]':<27}{'||x_16||/sqrt(D)':>17}"
             "   difference of slopes [95 %]"]  # fmt: skip
    for row in rows:
        slope = "L^{:+.3f} [{:+.3f}, {:+.3f}]".format(*(round(v, 3) + 0.0 for v in row["slope"]))  # + 0.0: no -0.000
        versus = ""
        if row["difference"] is not None:
            fit = (round(v, 2) + 0.0 for v in row["difference"])
            versus = "{} - {}: {:+.2f} [{:+.2f}, {:+.2f}]".format(row["arm"], row["versus"], *fit)
        sizes = "".join(f"{row[layer]:>6.2f}" for layer in INIT_LAYERS)
        lines.append(f"{row['dim']:>4}  {row['arm']:<14}{sizes}   {slope:<27}"
                     f"{row['growth']:>17.2f}   {versus}")  # fmt: skip
    return "\n".join(lines)


def _log_ticks(values: list[float]) -> list[float]:
    """plot_depth_gradients' labelled y-ticks: round values from 0.1 to 50 over the range of ``values`` (15 % margin),
    far enough apart on a log axis that their labels do not crowd (0.8, 1.0, 1.2, not 1.0, 1.1, 1.2)."""
    candidates = (0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6, 2.0, 2.5, 3.0, 4.0, 5.0)
    candidates += (6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0)
    ticks: list[float] = []
    for tick in (t for t in candidates if min(values) / 1.15 <= t <= max(values) * 1.15):
        if not ticks or tick / ticks[-1] >= 1.19:
            ticks.append(tick)
    return ticks


def _guide_label(power: float) -> str:
    """The dashed reference line's legend entry for slope ``power``."""
    if power == -0.5:  # a reference slope, not Xiong et al.'s bound (their growth law differs from this stream's)
        return f"slope {power:+g}, for reference"
    law = {0.5: r"$\sqrt{L}$"}.get(power, f"$L^{{{power:g}}}$")  # another guide, e.g. sqrt(L): name its law
    return f"{law} (slope {power:+g}), for reference"


def plot_depth_gradients(
    designs: Mapping[str, Mapping[int, list[float]]],
    guide: str | None = None,
    power: float = -0.5,
    ylabel: str = "gradient norm at the last fc2",
    title: str = "At initialisation: last fc2 gradient vs depth",
    legend_at: tuple[float, float] | None = None,
    guide_label: str | None = None,
    intervals: Mapping[str, tuple[float, float, float]] | None = None,
) -> Figure:
    """Log-log: one dot per (depth, seed) for each design (``{name: {depth: [one value per seed]}}``), the
    fitted power law of each, and a dashed L^power reference line (default slope -0.5), placed at the mean of
    design ``guide`` (default: the last) at the shallowest depth. ``legend_at``: the legend's lower-left corner in
    axes fractions (default: matplotlib's best). ``guide_label``: the dashed line's legend entry (default: its slope,
    "for reference"). ``intervals``: ``{name: (slope, low, high)}`` to show in the legend instead of the pooled
    least-squares interval (e.g. a t-interval over per-seed slopes); the drawn line keeps the fitted slope."""
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullLocator

    if not designs:
        raise ValueError("designs is empty: give at least one {name: {depth: [values]}}")
    guide = list(designs)[-1] if guide is None else guide
    if guide not in designs:
        raise ValueError(f"guide must be one of {list(designs)}, got {guide!r}")
    fig = new_figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    colours = ("tab:red", "tab:blue", "tab:green", "tab:purple")
    all_depths = sorted({depth for values in designs.values() for depth in values})
    line = torch.tensor([all_depths[0], all_depths[-1]], dtype=torch.float64)
    for index, (name, values) in enumerate(designs.items()):
        colour = _DESIGN_COLOURS.get(name, colours[index % len(colours)])  # post-norm red, pre-norm blue
        for depth, seeds in values.items():
            ax.scatter([depth] * len(seeds), seeds, color=colour, s=22, alpha=0.8)
        slope, low, high = depth_slope(values)
        mean_log = torch.tensor([v for s in values.values() for v in s]).log().mean()
        mean_log_depth = torch.tensor([d for d, s in values.items() for _ in s], dtype=torch.float64).log().mean()
        fitted = (mean_log + slope * (line.log() - mean_log_depth)).exp()
        quoted = (slope, low, high) if intervals is None or name not in intervals else intervals[name]
        shown = [round(value, 2) + 0.0 for value in quoted]  # + 0.0: no "-0.00"
        label = f"{name}: slope {shown[0]:+.2f} [{shown[1]:+.2f}, {shown[2]:+.2f}]"
        ax.plot(line, fitted, color=colour, lw=1.5, label=label)
    anchored = designs[guide][min(designs[guide])]
    anchor = sum(anchored) / len(anchored)
    label = _guide_label(power) if guide_label is None else guide_label
    ax.plot(line, anchor * (line / all_depths[0]) ** power, "k--", lw=1, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(all_depths, [str(depth) for depth in all_depths])
    ax.xaxis.set_minor_locator(NullLocator())
    ticks = _log_ticks([v for values in designs.values() for seeds in values.values() for v in seeds])
    ax.yaxis.set_major_locator(FixedLocator(ticks))  # labelled ticks across the whole range, above 1.0 too
    ax.yaxis.set_minor_locator(NullLocator())
    shape = "%.0f" if min(ticks) >= 6 else "%.1f" if all(round(t, 1) == t for t in ticks) else "%.2f"
    ax.yaxis.set_major_formatter(FormatStrFormatter(shape))
    ax.set(xlabel="depth L (blocks)", ylabel=ylabel, title=title)
    ax.legend(frameon=False, fontsize=8, **({"loc": "lower left", "bbox_to_anchor": legend_at} if legend_at else {}))
    return fig


def plot_stream_growth(squared: Mapping[int, list[float]], dim: int) -> Figure:
    """Linear axes: the pre-norm stream's mean squared token norm ``||x_L||^2`` against the depth L, one dot per
    (depth, seed) (``{depth: [one value per seed]}``), the seeds' means joined, and the band of Xiong et al.'s
    Lemma 2, ``(1 + L/2) d`` to ``(1 + 3L/2) d`` with ``d = dim``, shaded and labelled as a bound for their model
    (ReLU MLPs, Gaussian init, uniform attention), not this package's blocks."""
    if not squared:
        raise ValueError("squared is empty: give {depth: [values]}")
    fig = new_figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    depths = sorted(squared)
    grid = torch.linspace(0, depths[-1], 200, dtype=torch.float64)
    ax.fill_between(
        grid,
        (1 + grid / 2) * dim,
        (1 + 3 * grid / 2) * dim,
        color="0.85",
        label=f"Xiong et al.'s Lemma 2 band, (1 + L/2) d to (1 + 3L/2) d, d = {dim}:\n"
        "a bound for their model (ReLU, Gaussian init, uniform attention), not ours",
    )
    _stream_by_depth(ax, squared, size=22, alpha=0.8)
    ax.set(
        xlabel="depth L (blocks)",
        ylabel=r"mean squared token norm $\|x_L\|^2$",
        title="At initialisation: pre-norm stream, squared norm vs depth",
    )
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return fig


def _stream_by_depth(ax: Axes, values: Mapping[int, list[float]], *, size: float, alpha: float) -> None:
    """The pre-norm stream's seeds' means joined and one dot per (depth, seed), on axes from 0 to the deepest L."""
    depths = sorted(values)
    means = [sum(values[depth]) / len(values[depth]) for depth in depths]
    ax.plot(depths, means, color="tab:green", lw=1.5, label="pre-norm stream, mean over seeds")
    for depth in depths:
        ax.scatter([depth] * len(values[depth]), values[depth], color="tab:green", s=size, alpha=alpha)
    ax.set_xticks([0, *depths])
    ax.set_xlim(0, depths[-1] * 1.05)
    ax.set_ylim(0, None)


def plot_stream_spread(spread: Mapping[int, list[float]]) -> Figure:
    """Linear axes: the pre-norm stream's spread sigma (the final LayerNorm's divisor, ``{depth: [one per seed]}``)
    against the depth L, one dot per (depth, seed), the seeds' means joined, and no guide curve: over 2-16 blocks
    sigma grows by about the same amount per block (lesson 04, section 6: its one measure of size)."""
    if not spread:
        raise ValueError("spread is empty: give {depth: [values]}")
    fig = new_figure(figsize=(6.4, 3.8))
    ax = fig.subplots()
    _stream_by_depth(ax, spread, size=18, alpha=0.7)
    ax.set(
        xlabel="depth L (blocks)",
        ylabel="spread σ (the final LayerNorm's divisor)",
        title="At initialisation: pre-norm stream's spread σ vs depth",
    )
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return fig


#: Lesson 04's four final-step arms, in the one order its table, figure and prose use: {arm: (label, forward divisor,
#: backward divisor)}.
FINAL_STEP_ROWS = {
    "layernorm": ("final LayerNorm", "σ", "σ"),
    "fixed": ("fixed divisor", "1.33", "1.33"),
    "fixed_backward": ("backward fixed", "σ", "1.33"),
    "detached_sigma": ("σ detached", "σ", "σ, as a constant"),
}
#: The same arms' labels alone, for :func:`plot_final_norm_ablation`'s ``labels``.
FINAL_STEP_TABLE_LABELS = {name: row[0] for name, row in FINAL_STEP_ROWS.items()}


def final_step_table(slopes: Mapping[str, tuple[float, float, float]]) -> str:
    """Lesson 04's final-step arms as a table: arm, forward divisor, backward divisor, slope of the last ``fc2``
    gradient against depth (``slopes``: ``{arm: (slope, low, high)}`` for ``"layernorm"``, ``"detached_sigma"``,
    ``"fixed"`` and ``"fixed_backward"``, from :func:`seed_slope`), in :data:`FINAL_STEP_ROWS`' order."""
    lines = [f"{'arm':<17}{'forward divisor':<18}{'backward divisor':<19}slope (95 % t over seeds)"]
    for name, (label, forward, backward) in FINAL_STEP_ROWS.items():
        if name in slopes:
            lines.append(f"{label:<17}{forward:<18}{backward:<19}{slope_text(slopes[name])}")
    return "\n".join(lines)


def drop_masks(batch: int, tokens: int, features: int, p: float, seed: int) -> dict[str, torch.Tensor]:
    """One seeded draw of each mask on a ``(B, N, D)`` grid, as multipliers (0 or ``1 / (1 - p)``):
    ``"dropout"``, one coin per number, and ``"DropPath"``, one coin per sample broadcast over its
    ``N x D`` numbers (shape ``(B, 1, 1)`` expanded)."""
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    generator = torch.Generator().manual_seed(seed)
    per_number = torch.rand(batch, tokens, features, generator=generator) >= p
    per_sample = (torch.rand(batch, 1, 1, generator=generator) >= p).expand(batch, tokens, features)
    return {"dropout": per_number / (1 - p), "DropPath": per_sample / (1 - p)}


def drop_path_rates(rate: float, depth: int) -> list[float]:
    """timm's stochastic-depth schedule (``VisionTransformer``: ``torch.linspace(0, drop_path_rate, depth)``):
    block ``i``'s DropPath rate, from 0 at the first block to ``rate`` at the last (``[0.0]`` for one block)."""
    if depth < 1 or not 0 <= rate < 1:
        raise ValueError(f"need depth >= 1 and 0 <= rate < 1, got depth={depth!r}, rate={rate!r}")
    return [value.item() for value in torch.linspace(0, rate, depth)]  # as timm writes it (float32 steps)


def plot_drop_path_rates(rate: float, depth: int) -> Figure:
    """timm's DropPath schedule (:func:`drop_path_rates`) as one line: each block's rate against its index,
    from 0 at block 0 to ``rate`` at the last."""
    rates = drop_path_rates(rate, depth)
    fig = new_figure(figsize=(5.5, 2.6), layout="constrained")
    ax = fig.subplots()
    ax.plot(range(depth), rates, "o-", color="tab:purple")
    ax.set_xticks(range(depth))
    ax.set_xlabel("block index")
    ax.set_ylabel("DropPath rate")
    ax.set_ylim(0, rate * 1.15 if rate > 0 else 1)
    ax.set_title(f"drop_path_rate = {rate:g} over {depth} blocks: linear from 0", fontsize=10)
    ax.grid(alpha=0.3)
    return fig


def plot_drop_masks(batch: int = 3, tokens: int = 4, features: int = 8, p: float = 0.3, seed: int = 1) -> Figure:
    """Dropout's mask against DropPath's on the same ``(B, N, D)`` grid as :func:`plot_norm_axes` (one
    row per token, image after image; one column per feature): white cells are zeroed, coloured ones
    kept and scaled by ``1 / (1 - p)``. Dropout zeroes scattered numbers; DropPath zeroes a whole
    image's branch (all its rows) or none of it."""
    for name, value in (("batch", batch), ("tokens", tokens), ("features", features)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    masks = drop_masks(batch, tokens, features, p, seed)
    fig = new_figure(figsize=(10, 4.2))
    axes = fig.subplots(1, 2)
    gap = 0.35
    image_colours = ["#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1"]
    titles = {
        "dropout": f"dropout (p = {p:g}): one coin per number\nzeroed numbers scattered over every image",
        "DropPath": f"DropPath (p = {p:g}): one coin per image\nan image's whole branch zeroed, or none of it",
    }
    height = batch * tokens + (batch - 1) * gap
    for ax, (kind, mask) in zip(axes, masks.items(), strict=True):
        for image in range(batch):
            top = image * (tokens + gap)
            for token in range(tokens):
                for feature in range(features):
                    kept = bool(mask[image, token, feature] > 0)
                    ax.add_patch(
                        Rectangle(
                            (feature, top + token),
                            1,
                            1,
                            facecolor=image_colours[image % len(image_colours)] if kept else "white",
                            edgecolor="0.6" if not kept else "white",
                            hatch=None if kept else "////",
                            lw=1.0,
                        )
                    )
            dropped = bool((mask[image] == 0).all())
            label = f"image {image}\n{tokens} tokens" + ("\n(dropped)" if dropped and kind == "DropPath" else "")
            ax.text(-0.3, top + tokens / 2, label, ha="right", va="center", fontsize=9)
        zeroed = int((mask == 0).sum())
        note = f"{zeroed} of {mask.numel()} numbers zeroed (hatched); the rest x 1/(1 - p) = {1 / (1 - p):.3g}"
        ax.text(features / 2, height + 0.5, note, ha="center", va="center", fontsize=9)
        ax.text(features / 2, -0.45, f"D = {features} features  ->", ha="center", va="center", fontsize=9)
        ax.set_title(titles[kind])
        ax.set_xlim(-2.6, features + 0.2)
        ax.set_ylim(height + 1.0, -0.9)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.tight_layout()
    return fig


_DESIGN_COLOURS = {"post-norm": "tab:red", "pre-norm": "tab:blue"}


def _style_gradient_axis(ax, shown: list[float], all_depths: list[int]) -> None:
    """Log-log axes of :func:`plot_residual_stream`'s right panel, labelled ticks over ``shown`` (every gradient any
    setting can draw, so that the scale stays put as the controls move)."""
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullLocator

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(all_depths, [str(d) for d in all_depths])
    ticks = [t for t in (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0) if min(shown) / 1.2 <= t <= max(shown) * 1.2]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(FormatStrFormatter("%.1f"))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_ylim(min(shown) / 1.2, max(shown) * 1.2)
    ax.set(xlabel="depth L (blocks)", ylabel="gradient norm at the last fc2", title="Last fc2 gradient vs depth")


def _draw_gradients(ax, gradients: Mapping[int, list[float]], depth: int, colour: str, style: str, label: str) -> None:
    """One arm on :func:`plot_residual_stream`'s right panel: a dot per seed, the seeds' means joined, ``depth``
    ringed."""
    depths = sorted(gradients)
    means = [sum(gradients[d]) / len(gradients[d]) for d in depths]
    ax.plot(depths, means, style, color=colour, lw=2.4, label=f"{label}, mean of seeds")
    for d in depths:
        ax.scatter([d] * len(gradients[d]), gradients[d], color=colour, s=14, alpha=0.6)
    ring = {"s": 180, "facecolors": "none", "edgecolors": "black", "lw": 1.5, "zorder": 3}
    ax.scatter([depth], [means[depths.index(depth)]], label=f"the chosen stack, L = {depth}", **ring)


#: The final-step settings of :func:`plot_residual_stream` (the widget's ``final_norm`` control): the final LayerNorm
#: on, off (the ablation's ``none`` arm), and the ablation's ``fixed`` and ``centred_fixed`` arms.
FINAL_STEPS = ("on", "off", "fixed", "centred_fixed")
_STEP_LOOK = {  # label of what the head reads, marker, size, gradient colour, ablation arm
    "on": ("after the final LayerNorm", "*", 13, None, "layernorm"),
    "off": ("of the stream itself", "D", 8, "tab:green", "none"),
    "fixed": ("divided by the constant 1.33", "s", 8, "tab:purple", "fixed"),
    "centred_fixed": ("centred, then divided by 1.33", "P", 9, "tab:brown", "centred_fixed"),
}


def _draw_head_input(ax, norms: list[float], value: float, step: str, colour: str) -> None:
    """What the head reads on :func:`plot_residual_stream`'s left panel: token 0's norm ``value`` one step after the
    last block, after the final step ``step`` (of :data:`FINAL_STEPS`), joined to the stream by a dotted line."""
    text, marker, size, _, _ = _STEP_LOOK[step]
    x = len(norms)
    ax.plot([x - 1, x], [norms[-1], value], ":", color=colour, lw=1.5)
    ax.plot(
        [x],
        [value],
        marker=marker,
        ms=size,
        ls="none",
        color="black" if step == "on" else colour,
        label=f"the head reads: token 0 {text}",
        zorder=4,
    )
    ax.annotate(f"{value:.1f}", (x, value), textcoords="offset points", xytext=(6, 4), fontsize=8)


def _final_step(design: str, final_norm: bool | str) -> str:
    """The final step :func:`plot_residual_stream` draws: ``True``/``False`` as ``"on"``/``"off"``, a name of
    :data:`FINAL_STEPS` as itself; post-norm has no final LayerNorm, so every step reads as ``"off"``."""
    step = {True: "on", False: "off"}[final_norm] if isinstance(final_norm, bool) else final_norm
    if step not in FINAL_STEPS:
        raise ValueError(f"final_norm must be one of {list(FINAL_STEPS)}, got {final_norm!r}")
    if design == "post-norm":
        step = "off"  # post-norm has no final LayerNorm: the head reads the last norm2's output
    return step


def _style_stream_axis(
    ax: Axes,
    profiles: Mapping[str, Mapping[int, tuple[list[float], list[float]]]],
    design: str,
    depth: int,
    head_norms: Mapping[str, Mapping[int, tuple[float, float]]] | None,
    fixed_heads: Mapping[int, tuple[float, float]] | None,
) -> None:
    """Labels and the one scale of every setting for :func:`plot_residual_stream`'s stream panel."""
    from matplotlib.ticker import MaxNLocator

    ax.set(
        xlabel="after block l (0 = the input; last: what the head reads)",
        ylabel="RMS token norm ||x_l||",
        title=f"{design}: the residual stream through {depth} blocks",
    )
    heads = [v for by_depth in (head_norms or {}).values() for pair in by_depth.values() for v in pair]
    heads += [v for pair in (fixed_heads or {}).values() for v in pair]
    tallest = max([max(n) for by_depth in profiles.values() for n, _ in by_depth.values()] + heads)
    ax.set_ylim(0, 1.1 * tallest)  # the same scale for every setting: the growth shows as you move
    ax.set_xlim(-0.5, max(d for by_depth in profiles.values() for d in by_depth) + 1.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, fontsize=8, loc="upper left")


def plot_residual_stream(
    profiles: Mapping[str, Mapping[int, tuple[list[float], list[float]]]],
    design: str,
    depth: int,
    final_norm: bool | str = True,
    head_norms: Mapping[str, Mapping[int, tuple[float, float]]] | None = None,
    without_final_norm: Mapping[int, list[float]] | None = None,
    arms: Mapping[str, Mapping[int, list[float]]] | None = None,
    fixed_heads: Mapping[int, tuple[float, float]] | None = None,
) -> Figure:
    """Two panels from ``{design: {depth: (stream norms after each block, last fc2 gradient per seed)}}`` (as
    :func:`vit_explained.widgets.lesson04.depth_profiles` gives), for the chosen ``design`` alone (pre-norm solid
    blue, post-norm dashed red). Left: the stream's RMS token norm after each block of a ``depth``-block stack and,
    with ``head_norms`` (``{design: {depth: (token 0's norm through the final LayerNorm, without it)}}``), what the
    head reads one step later, through the final LayerNorm or (``final_norm=False``) the stream itself. Right: the
    last ``fc2`` gradient against the depth, one dot per seed, the seeds' means joined, ``depth`` ringed; for
    pre-norm with ``final_norm=False``, ``without_final_norm`` (``{depth: [per seed]}``, the ablation's ``none``
    arm) replaces it. ``final_norm`` may also name a step of :data:`FINAL_STEPS`: ``"fixed"`` and ``"centred_fixed"``
    draw those ablation arms from ``arms`` (``{arm: {depth: [per seed]}}``) and, from ``fixed_heads`` (``{depth:
    (pre-norm token 0's norm divided by the constant, centred then divided)}``), what the head reads. Post-norm has
    no final LayerNorm: its gradient does not change, and every step reads as ``"off"``. The axes' scales
    are the same for every setting."""
    if design not in profiles or depth not in profiles[design]:
        raise ValueError(f"no profile for design {design!r} at depth {depth}: have {sorted(profiles)}")
    colour, style = _DESIGN_COLOURS.get(design, "0.4"), "--" if design == "post-norm" else "-"
    fig = new_figure(figsize=(11, 3.8))
    stream_ax, gradient_ax = fig.subplots(1, 2)
    norms, gradients = profiles[design][depth][0], {d: g for d, (_, g) in profiles[design].items()}
    stream_ax.plot(range(len(norms)), norms, style, marker="o", ms=3, color=colour, lw=2.4, label=f"{design} stream")
    step = _final_step(design, final_norm)
    arms = dict(arms or {})
    if without_final_norm is not None:
        arms.setdefault("none", without_final_norm)
    if head_norms is not None:
        head = head_norms[design][depth]
        if step in ("fixed", "centred_fixed"):
            value = fixed_heads[depth][0 if step == "fixed" else 1] if fixed_heads is not None else None
        else:
            value = head[0] if step == "on" else head[1]
        if value is not None:
            _draw_head_input(stream_ax, norms, value, step, colour)
    arm = f"{design}, final LayerNorm" if step == "on" else f"{design}, no final norm"
    if design == "pre-norm" and step != "on" and _STEP_LOOK[step][4] in arms:
        name = _STEP_LOOK[step][4]
        gradients, colour = arms[name], _STEP_LOOK[step][3]
        arm = f"pre-norm, final step: ablation arm '{name}'"
    elif design == "post-norm":
        arm = "post-norm (no final LayerNorm in any setting)"
    _draw_gradients(gradient_ax, gradients, depth, colour, style, arm)
    _style_stream_axis(stream_ax, profiles, design, depth, head_norms, fixed_heads)
    shown = [g for by_depth in profiles.values() for _, seeds in by_depth.values() for g in seeds]
    shown += [g for by_depth in arms.values() for seeds in by_depth.values() for g in seeds]
    _style_gradient_axis(gradient_ax, shown, sorted({d for by_depth in profiles.values() for d in by_depth}))
    gradient_ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def parameter_formula_table(budget: Mapping[str, int], by_formula: Mapping[str, tuple[int, str]]) -> str:
    """Lesson 04's parameter table: one row per part of ``budget`` (``{part: counted}``) with the count from
    ``by_formula`` (``{part: (count, how)}``), the part's share of the total and the formula; then the totals."""
    missing = set(budget) - set(by_formula)
    if missing:
        raise ValueError(f"by_formula has no row for {sorted(missing)}")
    total = sum(budget.values())
    lines = [f"{'part':<12}{'counted':>12}{'formula':>12}{'share':>9}   how"]
    for part, count in budget.items():
        formula, how = by_formula[part]
        lines.append(f"{part:<12}{count:>12,}{formula:>12,}{100 * count / total:>7.2f} %   {how}")
    formula_total = sum(count for count, _ in by_formula.values())
    lines.append(f"{'total':<12}{total:>12,}{formula_total:>12,}  = {total / 1e6:.1f}M")
    return "\n".join(lines)


def gap_table(gaps: Mapping[str, list[float]], columns: tuple[str, ...], first: str = "input") -> str:
    """A fixed-width table of ``{row name: [one value per column]}`` with four decimals (lesson 04's largest
    gaps of the LayerNorm variants from ``nn.LayerNorm``)."""
    widths = [max(10, len(name) + 2) for name in columns]
    lines = [f"{first:<32}" + "".join(f"{name:>{w}}" for name, w in zip(columns, widths, strict=True))]
    for name, values in gaps.items():
        if len(values) != len(columns):
            raise ValueError(f"{name}: {len(values)} values for {len(columns)} columns")
        lines.append(f"{name:<32}" + "".join(f"{value:>{w}.4f}" for value, w in zip(values, widths, strict=True)))
    return "\n".join(lines)


def layer_norm_geometry(count: int = 5, seed: int = 0) -> dict[str, torch.Tensor]:
    """``count`` random 3-vectors (D = 3, float64, seeded) and what LayerNorm (gamma 1, beta 0, eps 0) makes of
    them in two steps: ``{"raw", "centred", "normalised"}``, each ``(count, 3)``. Centring projects each vector
    onto the plane sum(x) = 0; dividing by the standard deviation puts it on the circle of radius sqrt(D) there."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"count must be a positive int, got {count!r}")
    raw = 1.2 * torch.randn(count, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)) + 1.5
    centred = raw - raw.mean(dim=-1, keepdim=True)
    normalised = centred / centred.pow(2).mean(dim=-1, keepdim=True).sqrt()
    return {"raw": raw, "centred": centred, "normalised": normalised}


def plot_layer_norm_geometry(count: int = 5, seed: int = 0) -> Figure:
    """LayerNorm at D = 3. Left, in 3-D: the plane sum(x) = 0 (shaded), the circle of radius sqrt(3) in it, and
    :func:`layer_norm_geometry`'s vectors: each raw vector (grey dot), its centred version (blue, the projection
    onto the plane along (1, 1, 1), dashed) and the normalised one (red, on the circle, on the ray of the blue).
    Right: the same plane face-on, in its own orthonormal axes u = (1, -1, 0)/sqrt(2), v = (1, 1, -2)/sqrt(6),
    where the circle is round and each red point sits on its blue point's ray."""
    points = layer_norm_geometry(count, seed)
    fig = new_figure(figsize=(10.8, 5.4))
    ax = fig.add_subplot(1, 2, 1, projection="3d")
    u = torch.tensor([1.0, -1.0, 0.0], dtype=torch.float64) / math.sqrt(2)  # two orthonormal directions
    v = torch.tensor([1.0, 1.0, -2.0], dtype=torch.float64) / math.sqrt(6)  # spanning the plane sum(x) = 0
    angles = torch.linspace(0, 2 * math.pi, 121, dtype=torch.float64)
    circle = math.sqrt(3) * (angles.cos()[:, None] * u + angles.sin()[:, None] * v)
    reach = 1.15 * max(float(points["raw"].abs().max()), float(points["centred"].norm(dim=-1).max()), 2.0)
    disc = torch.linspace(0, 2 * math.pi, 61, dtype=torch.float64)  # the plane drawn as a disc of radius reach
    radii = torch.tensor([0.0, reach], dtype=torch.float64)
    plane = radii[:, None, None] * (disc.cos()[None, :, None] * u + disc.sin()[None, :, None] * v)
    ax.plot_surface(*(plane[..., k].numpy() for k in range(3)), color="tab:blue", alpha=0.10, linewidth=0)
    ax.plot(*circle.T.numpy(), color="tab:red", lw=1.6, label="circle of radius sqrt(3) in the plane")
    ax.plot(
        [-reach, reach], [-reach, reach], [-reach, reach], color="0.35", lw=1.8, ls=":", label="the direction (1, 1, 1)"
    )
    for raw, centred, normalised in zip(points["raw"], points["centred"], points["normalised"], strict=True):
        ax.plot(*torch.stack([raw, centred]).T.numpy(), color="0.5", lw=0.9, ls="--")
        ax.plot(*torch.stack([torch.zeros(3, dtype=torch.float64), normalised]).T.numpy(), color="tab:red", lw=0.7)
    ax.scatter(*points["raw"].T.numpy(), color="0.35", s=22, label="x (random)", depthshade=False)
    ax.scatter(*points["centred"].T.numpy(), color="tab:blue", s=22, label="x - mean: on the plane", depthshade=False)
    label = "(x - mean) / std: on the circle"
    ax.scatter(*points["normalised"].T.numpy(), color="tab:red", s=28, label=label, depthshade=False)
    ax.set(xlabel="x1", ylabel="x2", zlabel="x3", xlim=(-reach, reach), ylim=(-reach, reach), zlim=(-reach, reach))
    ax.set(xticks=[-3, 0, 3], yticks=[-3, 0, 3], zticks=[-3, 0, 3])  # few ticks: the shapes matter, not the values
    ax.grid(False)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color((1.0, 1.0, 1.0, 0.0))  # no grey panes behind the plane
    ax.set_box_aspect((1, 1, 1))
    ax.set_proj_type("ortho")  # no perspective: right angles and the circle keep their shape as far as a view can
    ax.view_init(elev=20, azim=-30)  # obliquely onto the plane (face-on: elev 35.3, azim 45)
    ax.set_title("In 3-D: centre onto the plane sum(x) = 0,\nthen scale onto the circle of radius sqrt(3)")
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2)
    flat = fig.add_subplot(1, 2, 2)  # the plane in its own axes: coordinates (x . u, x . v)
    _draw_plane_face_on(flat, points, circle, torch.stack([u, v], dim=1), reach)
    fig.subplots_adjust(wspace=0.32)
    flat.set_title("The plane face-on, in its own axes:\nthe circle is round, each red dot on its blue dot's ray")
    return fig


def _draw_plane_face_on(flat, points: dict, circle: torch.Tensor, basis: torch.Tensor, reach: float) -> None:
    """The right panel of :func:`plot_layer_norm_geometry`: the plane sum(x) = 0 in its own axes, ``basis`` (3, 2)."""
    on_plane = points["centred"] @ basis  # the raw vectors project to the same points
    on_circle = points["normalised"] @ basis
    flat.add_patch(Circle((0, 0), reach, color="tab:blue", alpha=0.10, lw=0))
    flat.plot(*(circle @ basis).T.numpy(), color="tab:red", lw=1.6)
    for blue, red in zip(on_plane, on_circle, strict=True):
        far = blue if blue.norm() > red.norm() else red
        flat.plot([0, float(far[0])], [0, float(far[1])], color="tab:red", lw=0.7)
    flat.scatter(*on_plane.T.numpy(), color="tab:blue", s=22, zorder=3)
    flat.scatter(*on_circle.T.numpy(), color="tab:red", s=28, zorder=3)
    flat.plot([0], [0], marker="+", color="0.35", ms=9)
    flat.annotate(
        "(1, 1, 1) points\nout of the page",
        (0, 0),
        xytext=(-104, -34),
        textcoords="offset points",
        fontsize=8,
        color="0.35",
        arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.6},
    )
    flat.set(
        xlim=(-reach, reach),
        ylim=(-reach, reach),
        aspect="equal",
        xlabel="along u = (1, -1, 0) / sqrt(2)",
        ylabel="along v = (1, 1, -2) / sqrt(6)",
    )


def token_through_block(block: torch.nn.Module, x: torch.Tensor, token: int) -> dict[str, float]:
    """One token's RMS (root mean square over its features) after each step of a pre-norm ``block``.

    ``x``: the block's input, ``(B, N, D)``; the first sample's token ``token`` is followed. Attention runs on all
    N tokens (it mixes them); the rest acts on the one token. Keys, in order: the input, ``norm1``, ``attn``, the
    first addition, ``norm2``, ``fc1`` (``D_mlp`` features), GELU, ``fc2``, the second addition (the output)."""
    with torch.no_grad():
        attended = block.attn(block.norm1(x))[0, token]  # (D,)
        stream = x[0, token]
        middle = stream + attended
        normed = block.norm2(middle)
        hidden = block.mlp.fc1(normed)  # (D_mlp,)
        activated = block.mlp.act(hidden)
        written = block.mlp.fc2(activated)
        vectors = {
            "input x": stream,
            "norm1": block.norm1(stream),
            "attn": attended,
            "x + attn": middle,
            "norm2": normed,
            "fc1": hidden,
            "GELU": activated,
            "fc2": written,
            "+ mlp: output": middle + written,
        }
    return {name: vector.pow(2).mean().sqrt().item() for name, vector in vectors.items()}


def plot_token_through_block(steps: Mapping[str, float], title: str = "") -> Figure:
    """Bars: one token's RMS after each step of a block (:func:`token_through_block`), input at the left.
    Green: the residual stream; orange: the two branches' steps."""
    fig = new_figure(figsize=(8.5, 3.2))
    ax = fig.subplots()
    stream = {"input x", "x + attn", "+ mlp: output"}
    names = list(steps)
    colours = ["tab:green" if name in stream else "tab:orange" for name in names]
    bars = ax.bar(range(len(names)), list(steps.values()), color=colours, alpha=0.8, edgecolor="0.25")
    for bar, value in zip(bars, steps.values(), strict=True):
        ax.text(bar.get_x() + bar.get_width() / 2, value, f"{value:.2f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(names)), names, fontsize=8)
    ax.set_ylabel("the token's RMS over its features")
    ax.set_ylim(0, 1.15 * max(steps.values()))
    ax.set_title(title or "One token through a block: green the stream, orange the branches' steps", fontsize=10)
    return fig


def collapse_steps(
    runs: Sequence[Mapping], lr: float = 5e-3, window: int = 10, placement: str = "post-norm"
) -> dict[tuple[int, int], int | None]:
    """When each stored training run of ``placement`` at ``lr`` (the dicts of ``stored_norm_training_runs()["runs"]``)
    collapsed: {(warm-up steps, seed): the first step after which the loss's trailing ``window``-step mean stays at or
    above 0.9 ln 10 to the end of the run, or None if that mean never went below it (the run never left chance)}.
    Step numbers count from 0."""
    threshold = 0.9 * math.log(10)
    steps: dict[tuple[int, int], int | None] = {}
    for run in runs:
        if run["placement"] != placement or run["lr"] != lr:
            continue
        losses = list(run["losses"])
        smooth = [
            sum(losses[max(0, i - window + 1) : i + 1]) / (i + 1 - max(0, i - window + 1)) for i in range(len(losses))
        ]
        below = [i for i, value in enumerate(smooth) if value < threshold]
        steps[run["warmup_steps"], run["seed"]] = below[-1] + 1 if below else None
    return dict(sorted(steps.items()))


#: The parts of :func:`block_flop_split`, in drawing order, and their colours (attention blue, the MLP orange).
FLOP_PARTS = {"qkv + proj": "tab:blue", "attention matrix": "tab:purple", "MLP": "tab:orange"}


def block_flop_split(tokens: int, dim: int = 768, mlp_dim: int = 3072, heads: int = 12) -> dict[str, int]:
    """FLOPs (2 per multiply-add) of one block's matrix products on ``tokens`` tokens, by part: ``"qkv + proj"``
    (``2 N (3 D^2 + D^2)``), ``"attention matrix"`` (``q k^T`` and the weighted sum, ``4 N^2 D``) and ``"MLP"``
    (``2 N (D D_mlp + D_mlp D)``); biases, norms, GELU and softmax left out, as lesson 04's section 2 counts.

    >>> block_flop_split(197)["MLP"]
    1859125248
    """
    from ..cost import attention_cost

    if not isinstance(tokens, int) or tokens < 1:
        raise ValueError(f"tokens must be an int >= 1, got {tokens!r}")
    return {
        "qkv + proj": 2 * tokens * (3 * dim * dim + dim * dim),
        "attention matrix": attention_cost(tokens, dim, heads=heads).matmul_flops,
        "MLP": 2 * tokens * (dim * mlp_dim + mlp_dim * dim),
    }


def plot_flop_split(tokens: int = 197, dim: int = 768, mlp_dim: int = 3072, heads: int = 12) -> Figure:
    """Left: one block's FLOPs at ``tokens`` tokens as a stacked bar, each part labelled with its share. Right: each
    part's FLOPs against the token count N (log-log), the crossings of the attention matrix with the MLP (N = 4D at
    ``mlp_dim = 4 dim``) and with all the linear layers (N = 6D) marked, and ``tokens`` as a dotted line."""
    split = block_flop_split(tokens, dim, mlp_dim, heads)
    total = sum(split.values())
    fig = new_figure(figsize=(11, 3.4))
    bar_ax, line_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2.2]})
    bottom = 0.0
    for part, colour in FLOP_PARTS.items():
        height = split[part] / 1e9
        bar_ax.bar(0, height, bottom=bottom, color=colour, width=0.6)
        bar_ax.text(0.36, bottom + height / 2, f"{part} {100 * split[part] / total:.1f} %", va="center", fontsize=9)
        bottom += height
    bar_ax.set(xlim=(-0.4, 1.9), xticks=[], ylabel="GFLOPs per block", title=f"one block at N = {tokens}")
    bar_ax.spines[["top", "right"]].set_visible(False)
    counts = sorted({int(n) for n in torch.logspace(1, math.log10(20 * dim), 120).tolist()} | {tokens})
    by_part = {part: [block_flop_split(n, dim, mlp_dim, heads)[part] / 1e9 for n in counts] for part in FLOP_PARTS}
    for part, colour in FLOP_PARTS.items():
        line_ax.plot(counts, by_part[part], color=colour, lw=2, label=part)
    linear = [a + b for a, b in zip(by_part["qkv + proj"], by_part["MLP"], strict=True)]
    line_ax.plot(counts, linear, "--", color="0.4", lw=1.5, label="all linear layers (qkv, proj, MLP)")
    low = min(min(values) for values in by_part.values())
    crossings = {mlp_dim: "= MLP", 2 * dim + mlp_dim: "= all linear"}  # 4 N^2 D = 4 N D D_mlp; = + 8 N D^2
    for (n, text), side in zip(crossings.items(), ("right", "left"), strict=True):
        value = block_flop_split(n, dim, mlp_dim, heads)["attention matrix"] / 1e9
        line_ax.plot([n], [value], "o", color="k", ms=4, zorder=4)
        shift = 0.9 if side == "right" else 1.1
        line_ax.text(
            n * shift,
            value * (3 if side == "right" else 0.3),
            f"N = {n:,}: attention {text}",
            fontsize=8,
            ha=side,
            va="center",
        )
    line_ax.axvline(tokens, color="k", lw=1, ls=":")
    line_ax.text(tokens * 1.06, low * 2, f"N = {tokens}", fontsize=8)
    line_ax.set(xscale="log", yscale="log", xlabel="tokens N", ylabel="GFLOPs per block")
    line_ax.set_title("the attention matrix grows as N², the rest as N")
    line_ax.legend(frameon=False, fontsize=8, loc="upper left")
    line_ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_mlp_knockout(arms: Mapping[str, Sequence[bool]]) -> Figure:
    """The MLP knockout as bars: each arm's accuracy on the same digits (``{label: right or wrong per digit}``), with
    its 95 % Wilson interval (:func:`vit_explained.evidence.proportion`) as an error bar and its value written on it;
    chance (10 %) dashed."""
    from ..evidence import proportion

    if not arms:
        raise ValueError("arms must name at least one arm")
    estimates = {label: proportion([bool(v) for v in outcomes]) for label, outcomes in arms.items()}
    fig = new_figure(figsize=(7.5, 1.2 + 0.6 * len(estimates)), layout="constrained")
    ax = fig.subplots()
    colours = ["#4c72b0", "#dd8452", "#c44e52", "#8c8c8c"]
    for row, estimate in enumerate(estimates.values()):
        centre, low, high = (100 * v for v in (estimate.estimate, estimate.low, estimate.high))
        ax.barh(row, centre, color=colours[row % len(colours)], height=0.6)
        ax.errorbar(centre, row, xerr=[[centre - low], [high - centre]], color="black", capsize=4, lw=1.2)
        ax.text(high + 1.5, row, f"{centre:.1f} % [{low:.1f}, {high:.1f}]", va="center", fontsize=9)
    ax.axvline(10, color="0.4", ls="--", lw=1)
    ax.text(10.8, -0.45, "chance (10 %)", fontsize=8, color="0.3")
    ax.set_yticks(range(len(estimates)), list(estimates))
    ax.invert_yaxis()
    ax.set_xlim(0, 125)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(f"test accuracy, % (n = {next(iter(estimates.values())).n}; bars: 95 % Wilson intervals)")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def plot_unrolled_stream(depth: int = 3) -> Figure:
    """Lesson 04 section 5: the residual stream unrolled over ``depth`` pre-norm blocks, drawn as a bus.

    Each block taps the stream twice: its attention branch reads ``norm1`` of the stream and adds ``a_l``, its MLP
    branch reads ``norm2`` and adds ``m_l`` (2 ``depth`` taps), so ``x_L = x_0 + sum_l (a_l + m_l)``. The red dashed
    line above the bus is the gradient's direct path from ``x_L`` back to ``x_0``: through the additions only.
    """
    fig = new_figure(figsize=(10, 3.2))
    ax = fig.add_subplot()
    taps = [(f"attn {layer}", "attn", rf"$a_{layer}$") for layer in range(1, depth + 1)]
    taps = [tap for layer in range(depth) for tap in (taps[layer], (f"mlp {layer + 1}", "mlp", rf"$m_{layer + 1}$"))]
    right = 1.4 * len(taps) + 1.2
    ax.set_xlim(-0.9, right + 0.9)
    ax.set_ylim(-1.75, 1.0)
    ax.axis("off")
    ax.plot([0, right], [0, 0], color="tab:green", lw=5, zorder=1, solid_capstyle="butt")
    ax.text(-0.15, 0, "$x_0$", ha="right", va="center", fontsize=12)
    ax.text(right + 0.15, 0, "$x_L$", ha="left", va="center", fontsize=12)
    for index, (name, kind, output) in enumerate(taps):
        read, add = 1.4 * index + 0.6, 1.4 * index + 1.5
        ax.plot([read, read], [0, -0.9], color="0.25", lw=1.2, zorder=1)
        _box(ax, (read + add) / 2, -1.1, name, kind, width=1.1)
        _arrow(ax, (add, -0.88), (add, -0.17))
        ax.text(add + 0.08, -0.5, output, ha="left", va="center", fontsize=11)
        _plus(ax, add, 0)
    ax.annotate("", xy=(0, 0.45), xytext=(right, 0.45),
                arrowprops={"arrowstyle": "-|>", "color": "tab:red", "lw": 1.6, "ls": "--"})  # fmt: skip
    ax.text(right / 2, 0.62, "gradient's direct path: from $x_L$ back to $x_0$ through the additions only",
            ha="center", va="bottom", fontsize=10, color="tab:red")  # fmt: skip
    ax.set_title(rf"The stream unrolled over L = {depth} blocks: $x_L = x_0 + \sum_\ell (a_\ell + m_\ell)$, "
                 f"{2 * depth} branches, each reading a LayerNorm'd copy (not drawn)", fontsize=10.5)  # fmt: skip
    fig.tight_layout()
    return fig

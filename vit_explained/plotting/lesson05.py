"""Lesson 05's figure: how large the gradient is, layer by layer and part by part."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import PowerNorm
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
QKV_COLORS = {"q": "#17becf", "k": "#9467bd", "v": "#8c564b"}  # none of them a colour of PART_COLORS


def plot_gradient_norms(
    groups: Mapping[tuple[str, str], float],
    qkv: dict[str, dict[str, float]] | None = None,
    *,
    title: str = "Gradient norm after one backward pass",
    floor: float | None = None,
    reference: Mapping[tuple[str, str], float] | None = None,
) -> Figure:
    """Dot charts (log scale) of gradient norms.

    ``groups``: ``{(layer, part): norm}`` (from ``GradientRecorder.by_group``), drawn as one dot
    per group, grouped by layer in the order given and coloured by part. A norm of 0 (a frozen
    group, no gradient) has no dot: a cross in a grey "no gradient" band below every dot (``floor``
    fixes the axis bottom, see :func:`_draw_groups`), and the legend's entry ``no gradient (frozen)``;
    its part keeps its colour in the legend. ``qkv``: optional
    ``{"block i": {"q": norm, "k": norm, "v": norm}}`` (from ``GradientRecorder.qkv_by_layer``),
    drawn in a second panel. ``reference``: optional norms of the same groups with nothing frozen, drawn as
    hollow markers behind the dots (a ghost to compare with).
    """
    if not groups:
        raise ValueError("groups is empty: record a backward pass first (GradientRecorder.by_group())")
    if not any(value > 0 for value in groups.values()):
        raise ValueError("every gradient norm in groups is 0: nothing got a gradient")
    fig = new_figure(figsize=(12 if qkv else 8, 3.8))
    axes = np.atleast_1d(fig.subplots(1, 2 if qkv else 1, gridspec_kw={"width_ratios": [2.2, 1] if qkv else [1]}))
    _draw_groups(axes[0], groups, title, floor, reference)
    if qkv:
        _draw_qkv(axes[1], qkv)
    fig.tight_layout()
    return fig


def _log_axis(
    ax: Axes,
    floor: float,
    top: float,
    ticks: list[float],
    labels: list[str],
    *,
    ncol: int,
    spacing: float,
    handles: list | None = None,
    legend_below: bool = False,
) -> None:
    """Log-scale y from ``floor`` to ``top``, the x tick labels, a legend across the top (``legend_below``: under
    the axes, clear of the ticks and title) and a grid."""
    ax.set_yscale("log")
    ax.set_ylim(floor, top)
    ax.set_xticks(ticks, labels)
    legend = {"handles": handles} if handles is not None else {}
    place = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.2)} if legend_below else {"loc": "upper center"}
    ax.legend(
        ncol=(ncol + 1) // 2 if legend_below else ncol,
        fontsize=8,
        framealpha=0.9,
        handlelength=1.2,
        columnspacing=spacing,
        **place,
        **legend,
    )
    ax.grid(axis="y", which="major", alpha=0.3)
    ax.grid(axis="y", which="minor", alpha=0.1)


#: how a gradient norm is drawn: a dot at its value (read its height on the log axis, ratios as gaps)
GRADIENT_DOT = {"marker": "o", "markersize": 7, "linestyle": "none"}
#: how a group without gradient (frozen) is drawn: no bar (its height is 0), a cross at the floor, and "0"
NO_GRADIENT = {"marker": "x", "markersize": 7, "markeredgewidth": 2, "linestyle": "none"}
NO_GRADIENT_LABEL = "no gradient (frozen)"
#: the reference norms (nothing frozen), drawn as hollow rings behind the dots
REFERENCE_RING = {
    "marker": "o",
    "markersize": 12,
    "markerfacecolor": "none",
    "markeredgewidth": 1.3,
    "linestyle": "none",
}
REFERENCE_LABEL = "nothing frozen (ring); filled dot inside a ring = unchanged"


def _no_gradient_band(ax: Axes, floor: float, band: float) -> None:
    """The grey "no gradient" band ``[floor, band)`` and its one-line label inside it, at its right end (the head,
    never frozen by the widget, has its dot high above)."""
    ax.axhspan(floor, band, color="0.9", zorder=0)
    kwargs = {"transform": ax.get_yaxis_transform(), "ha": "right", "va": "center", "fontsize": 7.5, "color": "0.3"}
    ax.text(0.995, floor * 1.4, "no gradient", **kwargs)


def _draw_groups(
    ax: Axes,
    groups: Mapping[tuple[str, str], float],
    title: str,
    floor: float | None = None,
    reference: Mapping[tuple[str, str], float] | None = None,
    legend_below: bool = False,
) -> None:
    """One dot per ``(layer, part)`` at its gradient norm, grouped by layer and coloured by part.

    Dots, not bars: on a log axis a bar's length from an arbitrary floor misleads (a 50 times smaller
    norm would look a third as tall). A 0 (a frozen group) has no dot: a cross in the part's colour sits
    in a grey "no gradient" band at the bottom of the axis, below ``floor`` times 2 (``floor``, if given,
    fixes the axis bottom, e.g. from the unfrozen model, so a cross never sits above a real norm it
    replaced). Every part keeps its colour in the legend, frozen or not. ``reference`` (e.g. nothing frozen):
    a larger hollow ring behind each dot at the reference norm.
    """
    from matplotlib.lines import Line2D

    positive = [value for value in groups.values() if value > 0]
    floor = min(positive) / 4 if floor is None else min(floor, min(positive) / 4)
    top = max(positive) * (3 if legend_below else 12)  # room above for the legend, when it sits there
    band = floor * 2  # "no gradient" band, [floor, band): below every dot, never read as a norm
    x, ticks, labels, parts_seen, frozen_seen = 0.0, [], [], [], False
    for layer in dict.fromkeys(layer for layer, _ in groups):
        parts = [part for part in PARAMETER_PARTS if (layer, part) in groups]
        start = x
        for part in parts:
            value, color = groups[(layer, part)], PART_COLORS.get(part, "black")
            if part not in parts_seen:
                parts_seen.append(part)
            if reference is not None and reference.get((layer, part), 0) > 0:  # the ghost: nothing frozen
                ax.plot([x], [reference[(layer, part)]], color=color, zorder=1, **REFERENCE_RING)
            if value > 0:  # a dot, not a bar: on a log axis a bar's length from the floor means nothing
                ax.plot([x], [value], color=color, **GRADIENT_DOT)
            else:
                frozen_seen = True
                ax.plot([x], [floor * 1.4], color=color, **NO_GRADIENT)
            x += 1
        ticks.append((start + x - 1) / 2)
        labels.append(layer if len(parts) > 1 else layer.replace(" ", "\n"))  # one narrow bar: wrap the label
        x += 0.8  # gap between layers
    handles = [Line2D([], [], color=PART_COLORS.get(part, "black"), label=part, **GRADIENT_DOT) for part in parts_seen]
    if reference is not None:
        handles.append(Line2D([], [], color="0.3", label=REFERENCE_LABEL, **REFERENCE_RING))
    if frozen_seen:
        handles.append(Line2D([], [], color="0.3", label=NO_GRADIENT_LABEL, **NO_GRADIENT))
        _no_gradient_band(ax, floor, band)
    ncol = 7 if frozen_seen else 6
    _log_axis(ax, floor, top, ticks, labels, ncol=ncol, spacing=1.0, handles=handles, legend_below=legend_below)
    ax.set_ylabel("gradient norm  ||dL/dθ||")
    ax.set_title(title)


def plot_qkv_rows(panels: Mapping[str, Mapping], *, title: str = "") -> Figure:
    """One panel per entry of ``panels`` (``{panel title: {block: {"q": norm, "k": norm, "v": norm}}}``), each as
    :func:`plot_gradient_norms`'s right panel: the q, k and v rows' gradient norms and v / max(q, k) per block."""
    fig = new_figure(figsize=(4.6 * len(panels), 3.6))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))  # one y axis: the panels compare
    values = [v for qkv in panels.values() for n in qkv.values() for v in dict(n).values()]
    for ax, (name, qkv) in zip(axes, panels.items(), strict=True):
        blocks = {(f"block {b}" if isinstance(b, int) else b): dict(n) for b, n in qkv.items()}
        _draw_qkv(ax, blocks, title=name, span=(min(values), max(values)))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _draw_qkv(
    ax: Axes, qkv: dict[str, dict[str, float]], title: str = "", span: tuple[float, float] | None = None
) -> None:
    """The q, k and v rows of each block's qkv layer (weight and bias together, as ``qkv_by_layer`` gives them),
    three dots a block, and how many times v's is larger; ``span`` (smallest, largest norm) fixes the y range
    (panels that share it compare), else this panel's own norms set it."""
    blocks = list(qkv)
    positions = np.arange(len(blocks))
    for i, part in enumerate("qkv"):
        values = [qkv[block][part] for block in blocks]
        ax.plot(positions + (i - 1) * 0.22, values, color=QKV_COLORS[part], label=f"{part} rows", **GRADIENT_DOT)
    values = [value for block in blocks for value in qkv[block].values()]
    low, high = span or (min(values), max(values))
    floor = low / 12  # room under the dots for the ratio, written out
    for position, block in zip(positions, blocks, strict=True):  # the ratio, written out
        norms = qkv[block]
        if min(norms["q"], norms["k"]) > 0:
            ratio = norms["v"] / max(norms["q"], norms["k"])
            label = f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x"
            ax.text(position, floor * 1.6, label, ha="center", va="bottom", fontsize=9.5, color="0.15")
    _log_axis(ax, floor, high * 12, list(positions), blocks, ncol=3, spacing=0.8)
    ax.set_title(title or "qkv: q, k, v rows (weight + bias)")
    ax.set_ylabel("gradient norm  ||dL/dθ||")
    ax.set_xlabel("the numbers at the bottom: v / max(q, k)", fontsize=8.5, color="0.3")  # off the points


#: colours of the two backward routes in :func:`plot_two_routes` (the MLP route in the MLP's colour)
ROUTE_COLORS = {"forward": "0.15", "skip": "#d62728", "mlp": PART_COLORS["mlp"]}


def _route_path(ax, points, color, *, lw=1.6, dashed=False) -> None:
    """A polyline through ``points`` with an arrow head at the last one."""
    xs, ys = zip(*points, strict=True)
    style = "--" if dashed else "-"
    ax.plot(xs[:-1], ys[:-1], color=color, lw=lw, linestyle=style, solid_capstyle="butt")
    arrow = {"arrowstyle": "-|>", "color": color, "lw": lw, "shrinkA": 0, "shrinkB": 0, "linestyle": style}
    ax.annotate("", xy=points[-1], xytext=points[-2], arrowprops=arrow)


def _route_box(
    ax,
    left: float,
    width: float,
    y: float,
    text: str,
    color: str,
    fontsize: float = 10,
    text_dy: float = 0.0,
    height: float = 0.56,
) -> float:
    """A rounded box centred on height ``y`` (its text ``text_dy`` higher); returns its right edge."""
    from matplotlib.patches import FancyBboxPatch

    patch = FancyBboxPatch(
        (left, y - height / 2), width, height, boxstyle="round,pad=0.04", facecolor=color, alpha=0.25, edgecolor=color
    )
    ax.add_patch(patch)
    ax.text(left + width / 2, y + text_dy, text, ha="center", va="center", fontsize=fontsize)
    return left + width


_ADD_ATTN, _ADD_MLP, _BRANCH_Y = 4.3, 8.9, 1.25
_CUT_Y = 0.62  #: height of the cross that marks the cut MLP route
#: the MLP branch's taller boxes: forward runs through their upper half (with the labels), the MLP route
#: back through their lower half, so it visibly enters and leaves mlp and norm2
_MLP_BOX_Y, _MLP_BOX_HEIGHT, _MLP_FORWARD_Y, _MLP_ROUTE_Y = 1.3, 0.9, 1.52, 1.1


def _draw_forward(ax) -> float:
    """The residual stream x -> (+) -> h -> (+) -> out and the two branches; returns attention's right edge."""
    from matplotlib.patches import Circle

    ink, y = ROUTE_COLORS["forward"], _BRANCH_Y
    for left, right in ((0.2, _ADD_ATTN - 0.2), (_ADD_ATTN + 0.2, _ADD_MLP - 0.2), (_ADD_MLP + 0.2, 10.6)):
        _route_path(ax, [(left, 0), (right, 0)], ink, lw=2.4)
    for x in (_ADD_ATTN, _ADD_MLP):
        ax.add_patch(Circle((x, 0), 0.2, facecolor="white", edgecolor=ink, lw=1.4, zorder=3))
        ax.text(x, 0, "+", ha="center", va="center", fontsize=12, fontweight="bold", zorder=4)
    ax.text(0.1, 0.15, "x", fontsize=12, ha="left", va="bottom")
    ax.text(4.85, 0.12, "h", fontsize=12, ha="center", va="bottom")
    ax.text(10.65, 0, "out\n(to later blocks,\nthe final norm,\nthe head, the loss)", fontsize=8.5, va="center")
    _route_path(ax, [(0.9, 0), (0.9, y), (1.2, y)], ink)  # attention branch
    end = _route_box(ax, 1.2, 1.1, y, "norm1", PART_COLORS["norms"])
    _route_path(ax, [(end, y), (2.6, y)], ink)
    attn_right = _route_box(ax, 2.6, 1.55, y, "attn\n(qkv, softmax, proj)", PART_COLORS["qkv"], fontsize=9.5)
    _route_path(ax, [(attn_right, y), (_ADD_ATTN, y), (_ADD_ATTN, 0.2)], ink)
    top, box = _MLP_FORWARD_Y, {"height": _MLP_BOX_HEIGHT, "text_dy": _MLP_FORWARD_Y - _MLP_BOX_Y}
    _route_path(ax, [(5.3, 0), (5.3, top), (5.7, top)], ink)  # MLP branch
    end = _route_box(ax, 5.7, 1.1, _MLP_BOX_Y, "norm2", PART_COLORS["norms"], **box)
    _route_path(ax, [(end, top), (7.1, top)], ink)
    end = _route_box(ax, 7.1, 1.1, _MLP_BOX_Y, "mlp", ROUTE_COLORS["mlp"], **box)
    _route_path(ax, [(end, top), (_ADD_MLP, top), (_ADD_MLP, 0.2)], ink)
    ax.text(0.2, 2.55, "forward (black): h = x + attn(norm1(x)),  out = h + mlp(norm2(h))", fontsize=10, color=ink)
    return attn_right


def _draw_backward(ax, attn_right: float, *, cut: bool) -> None:
    """The skip route under the stream, the MLP route back through the MLP branch, their sum into attention.

    ``cut``: the MLP route is cut, so the label says dL/dh is the skip route alone and the "+" is greyed.
    The two routes meet in a small "+" on the skip route, labelled dL/dh, from which the sum runs into attention."""
    from matplotlib.patches import Circle

    skip, mlp = ROUTE_COLORS["skip"], ROUTE_COLORS["mlp"]
    low = -0.5
    join, radius = 5.05, 0.13  # where the two routes add up: dL/dh
    _route_path(ax, [(10.4, low), (join + radius, low)], skip, lw=2.2)
    ax.text(7.7, low - 0.12, "skip route: dL/dout reaches h unchanged", color=skip, fontsize=9.5, ha="center", va="top")
    # the MLP route runs back through the middle of the mlp box, then of the norm2 box, right to left, with an
    # arrow head where it enters each; cut: it ends at the cross (_CUT_Y) and never reaches dL/dh
    end = (join, _CUT_Y + 0.2) if cut else (join, low + radius)
    y_route = _MLP_ROUTE_Y
    _route_path(ax, [(_ADD_MLP + 0.15, 0.2), (_ADD_MLP + 0.15, y_route), (join, y_route), end], mlp, lw=2, dashed=True)
    for x in (8.2, 6.8):  # arrow heads where the route enters mlp, then norm2
        arrow = {"arrowstyle": "-|>", "color": mlp, "lw": 2, "shrinkA": 0, "shrinkB": 0}
        ax.annotate("", xy=(x - 0.02, y_route), xytext=(x + 0.12, y_route), arrowprops=arrow)
    note = "MLP route (dashed): back through mlp, then norm2"
    ax.text(7.0, _MLP_BOX_Y + _MLP_BOX_HEIGHT / 2 + 0.12, note, color=mlp, fontsize=9.5, ha="center", va="bottom")
    node = "0.75" if cut else skip  # cut: one input left, so the "+" is greyed
    ax.add_patch(Circle((join, low), radius, facecolor="white", edgecolor=node, lw=1.4, zorder=3))
    ax.text(join, low, "+", ha="center", va="center", fontsize=10, fontweight="bold", color=node, zorder=4)
    ax.text(join, low - radius - 0.04, "dL/dh", color=skip, fontsize=9, ha="center", va="top")
    into_attn = [(join - radius, low), (4.6, low), (4.6, _BRANCH_Y - 0.12), (attn_right + 0.05, _BRANCH_Y - 0.12)]
    _route_path(ax, into_attn, skip, lw=2.2)
    routes = "skip route only" if cut else "skip route + MLP route"
    text = (
        f"dL/dh = {routes}: the gradient dh\narriving at attention's output. W_q, W_k and W_v\n"
        "get their gradient from it, inside attention."
    )
    ax.text(2.6, -0.95, text, color=skip, fontsize=9, ha="center", va="center")


def plot_two_routes(*, cut: bool = True) -> Figure:
    """A diagram of one pre-norm block and the two routes its gradient takes back to attention.

    Forward (black, left to right): ``h = x + attn(norm1(x))``, then ``out = h + mlp(norm2(h))``.
    Backward (right to left): the **skip route** (red), ``dL/dout`` reaching ``h`` unchanged along the
    residual stream, and the **MLP route** (blue, dashed), back through ``mlp`` and ``norm2``; they add
    up (a small red "+") to ``dL/dh``, which enters attention's output. ``cut``: also mark where
    :func:`vit_explained.gradient_hooks.cut_mlp_route` cuts the MLP route (``norm2(h.detach())``).
    """
    fig = new_figure(figsize=(11, 4.4))
    ax = fig.add_subplot()
    ax.set_xlim(-0.2, 11.4)
    ax.set_ylim(-1.5, 2.75)
    ax.axis("off")
    _draw_backward(ax, _draw_forward(ax), cut=cut)
    if cut:
        ax.plot([5.05], [_CUT_Y], marker="X", markersize=13, color="black", zorder=5)
        note = "cut: mlp(norm2(h.detach()))\nsame forward, no MLP route"
        ax.text(5.45, _CUT_Y - 0.1, note, fontsize=8.5, ha="left", va="center")
    ax.set_title("One pre-norm block: two routes back from the loss to attention", fontsize=11)
    fig.tight_layout()
    return fig


#: node positions of :func:`plot_attention_backward` (one head, one image), labels in mathtext
_GRAPH_NODES = {
    "X": (0.55, 1.0, "$X$  $(N, D)$"),
    "Q": (3.3, 2.2, r"$Q = X W_q^\top$"),
    "K": (3.3, 1.0, r"$K = X W_k^\top$"),
    "V": (3.3, -0.4, r"$V = X W_v^\top$"),
    "S": (5.9, 1.6, r"$S = s\,Q K^\top$"),
    "A": (8.2, 1.6, r"$A = \mathrm{softmax}(S)$"),
    "O": (10.4, 0.6, r"$O = A V$"),
}
_HALF_WIDTH = 0.78

#: forward edges (from, to), what the backward arrow along it carries (step and formula), where that label goes
_GRAPH_EDGES = (
    ("X", "Q", r"4. $dQ\,W_q$", (1.45, 1.75)),
    ("X", "K", r"4. $dK\,W_k$", (2.12, 0.5)),  # below its dashed arrow, which runs farther below (_WIDE_GAP)
    ("X", "V", r"4. $dV\,W_v$", (1.3, 0.05)),  # left of both arrows, like dQ W_q
    ("Q", "S", r"3. $dQ = s\,dS\,K$", (4.85, 2.45)),
    ("K", "S", r"3. $dK = $ ? (exercise 5)", (5.3, 0.72)),  # clear of the K box
    ("S", "A", r"2. $dS = A \odot (dA - \mathrm{rowsum}(dA \odot A))$", (7.0, 1.1)),
    ("A", "O", r"1. $dA = dO\,V^\top$", (9.75, 1.45)),
    ("V", "O", r"1. $dV = A^\top dO$", (7.1, -0.32)),
)

#: step 4's weight gradients, written beside the weight each belongs to (above or below its node)
_WEIGHT_GRADIENTS = (
    ("Q", 0.42, r"$W_q$:  4. $dW_q = dQ^\top X$"),
    ("K", -0.42, r"$W_k$:  4. $dW_k = $ ?"),
    ("V", -0.42, r"$W_v$:  4. $dW_v = dV^\top X$"),
)

#: edges whose dashed backward arrow runs farther from the forward one (X -> K: both horizontal, side by side)
_WIDE_GAP = {("X", "K"): 0.22}

_LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85}


def _graph_node(ax, x: float, y: float, text: str) -> None:
    """A white rounded box with ``text`` centred on ``(x, y)``."""
    from matplotlib.patches import FancyBboxPatch

    box = FancyBboxPatch(
        (x - _HALF_WIDTH, y - 0.25),
        2 * _HALF_WIDTH,
        0.5,
        boxstyle="round,pad=0.05",
        facecolor="white",
        edgecolor="0.2",
        lw=1.2,
        zorder=2,
    )
    ax.add_patch(box)
    ax.text(x, y, text, ha="center", va="center", fontsize=9.5, zorder=3)


def _graph_edge(ax, start: str, end: str, label: str, place: tuple[float, float]) -> None:
    """The forward arrow ``start -> end`` (black) and, just beside it, the backward arrow (red, dashed)."""
    (x0, y0, _), (x1, y1, _) = _GRAPH_NODES[start], _GRAPH_NODES[end]
    a, b = np.array([x0 + _HALF_WIDTH + 0.08, y0]), np.array([x1 - _HALF_WIDTH - 0.08, y1])
    ax.annotate("", xy=b, xytext=a, arrowprops={"arrowstyle": "-|>", "color": "0.15", "lw": 1.4})
    normal = np.array([-(b - a)[1], (b - a)[0]]) / np.linalg.norm(b - a)
    gap = _WIDE_GAP.get((start, end), 0.16)
    shift = -gap * normal if normal[1] > 0 else gap * normal  # the backward arrow runs just below
    backward = {"arrowstyle": "-|>", "color": ROUTE_COLORS["skip"], "lw": 1.4, "linestyle": "--"}
    ax.annotate("", xy=a + shift, xytext=b + shift, arrowprops=backward)
    color = ROUTE_COLORS["skip"]
    ax.text(*place, label, color=color, fontsize=9, ha="center", va="center", bbox=_LABEL_BOX, zorder=4)


def _graph_notes(ax) -> None:
    """dO coming in on the right, the weight gradients beside W_q, W_k, W_v, dX leaving on the left, the key."""
    backward = ROUTE_COLORS["skip"]
    x, y, _ = _GRAPH_NODES["O"]
    arrow = {"arrowstyle": "-|>", "color": backward, "lw": 1.4, "linestyle": "--"}
    ax.annotate("", xy=(x + _HALF_WIDTH + 0.08, y - 0.16), xytext=(x + _HALF_WIDTH + 0.8, y - 0.16), arrowprops=arrow)
    note = "$dO$\n(from proj and\nthe residual\nstream)"
    ax.text(x + _HALF_WIDTH + 0.85, y - 0.16, note, color=backward, fontsize=9, va="center")
    for node, offset, text in _WEIGHT_GRADIENTS:
        x, y, _ = _GRAPH_NODES[node]
        ax.text(x, y + offset, text, color=backward, fontsize=9, ha="center", va="center", bbox=_LABEL_BOX, zorder=4)
    x, y, _ = _GRAPH_NODES["X"]
    sum_of_three = (
        r"4. $dX = dQ\,W_q$"
        "\n"
        r"$+\,dK\,W_k + dV\,W_v$:"
        "\n"
        "the arrows into $X$ add up"
        "\n"
        "(on to norm1 and"
        "\n"
        "the stream)"
    )
    ax.text(x - _HALF_WIDTH, y - 1.15, sum_of_three, color=backward, fontsize=8.5, ha="left", va="top")
    ax.text(7.3, 2.85, "forward (black): left to right", fontsize=9.5, color="0.15")
    ax.text(7.3, 2.55, "backward (red, dashed): right to left, steps 1-4", fontsize=9.5, color=backward)
    route = "$W_v$'s route skips the softmax; $W_q$'s and $W_k$'s pass through it (step 2)"
    ax.text(5.0, -1.2, route, fontsize=9, ha="left", va="center", color="0.3")


def plot_attention_backward() -> Figure:
    """The computation graph of one attention head, with the four backward steps of section 4.

    Forward (black, left to right): ``X -> Q, K, V -> S = s Q K^T -> A = softmax(S) -> O = A V``.
    Backward (red, dashed, right to left): from ``dO`` at the output, step 1 gives ``dA`` and ``dV``, step 2
    the softmax's ``dS``, step 3 ``dQ`` and ``dK``, step 4 the weight gradients (written beside their
    weights) and ``dX = dQ W_q + dK W_k + dV W_v`` (what the arrows back into ``X`` carry). ``W_v``'s
    route (bottom) never passes the softmax; ``W_q``'s and ``W_k``'s (top) do.
    """
    fig = new_figure(figsize=(11.5, 4.6))
    ax = fig.add_subplot()
    ax.set_xlim(-0.3, 12.4)
    ax.set_ylim(-1.45, 3.05)
    ax.axis("off")
    for x, y, text in _GRAPH_NODES.values():
        _graph_node(ax, x, y, text)
    for start, end, label, place in _GRAPH_EDGES:
        _graph_edge(ax, start, end, label, place)
    _graph_notes(ax)
    ax.set_title("One attention head: the forward graph and the four backward steps", fontsize=11)
    fig.tight_layout()
    return fig


def plot_softmax_jacobian(a: Sequence[float], *, title: str = "") -> Figure:
    """One softmax row's Jacobian ``diag(a) - a a^T`` as a heatmap, each entry written in its square.

    Entry ``(j, k)`` is ``d a_j / d s_k``: ``a_j (1 - a_j)`` on the diagonal, ``-a_j a_k`` off it, so raising
    one score raises its own weight and lowers every other; each row and column sums to 0 (the weights sum to 1).
    Symmetric, so backward's ``dS = J dA`` uses the same matrix.
    """
    a = np.asarray([float(x) for x in a])
    jacobian = np.diag(a) - np.outer(a, a)
    fig = new_figure(figsize=(4.4, 3.4))
    ax = fig.add_subplot()
    limit = float(np.abs(jacobian).max())
    image = ax.imshow(jacobian, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (row, col), value in np.ndenumerate(jacobian):
        ax.text(
            col,
            row,
            f"{value:+.3f}",
            ha="center",
            va="center",
            fontsize=10,
            color="white" if abs(value) > 0.6 * limit else "black",
        )
    ax.set_xticks(range(len(a)), [f"score {k}" for k in range(len(a))])
    ax.set_yticks(range(len(a)), [f"weight {j}" for j in range(len(a))])
    fig.colorbar(image, ax=ax, shrink=0.85)
    ax.set_title(title or "d a_j / d s_k = diag(a) - a a^T (one row)", fontsize=10)
    fig.tight_layout()
    return fig


def plot_cut_changes(
    changes: list[float] | None,
    shares: list[float],
    *,
    cut: list[bool],
    title: str = "",
    intervals: Sequence[tuple[float, float]] | None = None,
) -> Figure:
    """Bars per block: how much the qkv gradient changed when the MLP route was cut (``changes``, relative; None
    draws the share alone) and ``shares``, the MLP-route part projected on the full gradient, and which blocks
    were cut (``cut``). ``intervals`` (one (low, high) share per block, with ``changes=None``) draws each share's
    interval as a capped whisker, e.g. the 95 % t interval over batches."""
    fig = new_figure(figsize=(7.5, 3.4))
    _draw_cut(fig.add_subplot(), changes, shares, cut=cut, title=title, intervals=intervals)
    fig.tight_layout()
    return fig


def plot_freeze_and_cut(
    groups: Mapping[tuple[str, str], float],
    shares: list[float],
    *,
    cut: list[bool],
    freeze_title: str,
    cut_title: str,
    floor: float | None = None,
    intervals: Sequence[tuple[float, float]] | None = None,
    reference: Mapping[tuple[str, str], float] | None = None,
) -> Figure:
    """The two experiments side by side: left, the gradient norms with a part frozen (as
    :func:`plot_gradient_norms`); right, the MLP share of each block's qkv gradient with the MLP route cut (as
    :func:`plot_cut_changes` with ``changes=None``)."""
    if not any(value > 0 for value in groups.values()):
        raise ValueError("every gradient norm in groups is 0: nothing got a gradient")
    fig = new_figure(figsize=(14, 4.6))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.7, 1]})
    _draw_groups(left, groups, freeze_title, floor, reference, legend_below=True)  # below: clear of the y ticks
    _draw_cut(right, None, shares, cut=cut, title=cut_title, intervals=intervals)
    fig.tight_layout()
    return fig


def _draw_cut(
    ax: Axes,
    changes: list[float] | None,
    shares: list[float],
    *,
    cut: list[bool],
    title: str,
    intervals: Sequence[tuple[float, float]] | None,
) -> None:
    """:func:`plot_cut_changes`'s bars, drawn on ``ax``."""
    blocks = np.arange(len(shares))
    bars = [(0.18, shares, "0.6", "MLP share of qkv grad")]
    if changes is not None:  # both bars side by side; without changes, the share alone, centred
        bars.insert(0, (-0.18, changes, ROUTE_COLORS["mlp"], "change of qkv grad"))
    else:
        bars = [(0.0, shares, ROUTE_COLORS["mlp"], "MLP share of qkv grad")]
    for offset, values, color, label in bars:
        ax.bar(blocks + offset, 100 * np.asarray(values), width=0.36, color=color, label=label)
        for i, value in enumerate(values):  # a bar of height 0 shows as "0"
            if round(100 * value, 1) == 0:
                ax.text(i + offset, 1.5, "0", ha="center", va="bottom", fontsize=9, color="0.3")
    if intervals is not None:
        if changes is not None or len(intervals) != len(shares):
            raise ValueError("intervals: one (low, high) per block, drawn on the share alone (changes=None)")
        band = 100 * np.asarray(intervals, dtype=float)  # (blocks, 2)
        mean = 100 * np.asarray(shares, dtype=float)
        ax.errorbar(
            blocks,
            mean,
            yerr=[mean - band[:, 0], band[:, 1] - mean],
            fmt="none",
            ecolor="0.15",
            elinewidth=1.6,
            capsize=6,
            capthick=1.6,
            label="95 % t interval over the batches",
        )
    ax.axhline(0, color="0.3", lw=0.8)
    labels = [f"block {i}" + ("\n(cut)" if c else "") for i, c in enumerate(cut)]
    ax.set_xticks(blocks, labels)
    if changes is None:  # the share alone: say what it is, a projection that can be negative
        ax.set_ylabel("MLP share (%)\n⟨g - g_cut, g⟩ / ‖g‖²", fontsize=11)  # angle brackets, as the prose
        ax.set_xlabel("a share below 0: the MLP-route part points against g", fontsize=8.5, color="0.3")
    else:
        ax.set_ylabel("% of the full qkv gradient")
    highest = max([*(changes or shares), *shares, *(high for _, high in intervals or ())])
    top = max(100.0, 100 * highest + 10)
    lowest = min([*shares, *(low for low, _ in intervals or ())])
    ax.set_ylim(min(-10.0, 100 * lowest - 5), top)
    ax.legend(loc="upper right", fontsize=8.5, frameon=False)
    ax.set_title(title or "qkv gradient with the MLP route cut, against the full one", fontsize=10)


#: the three model families of section 6's cut, drawn side by side in each block (colour, horizontal offset)
CUT_FAMILIES = {
    "small model, init": ("#8c8c8c", -0.22),
    "MNIST architecture, init": ("#1f77b4", 0.0),
    "trained MNIST ViT": ("#d62728", 0.22),
}


def _draw_cut_interval(
    ax: Axes,
    name: str,
    interval: Sequence[tuple[float, float, float]],
    color: str,
    offset: float,
    extra: str,
    kind: str = "95 % interval",
) -> None:
    """Draw one family's (mean, low, high) per block as a diamond with a thick capped bar over its interval."""
    band = np.asarray(interval, dtype=float) * 100  # (blocks, 3): mean, low, high
    if band.ndim != 2 or band.shape[1] != 3:
        raise ValueError(f"{name}: give one (mean, low, high) per block, got shape {band.shape}")
    blocks = np.arange(len(band)) + offset
    ax.errorbar(  # a thick capped bar and a diamond: an interval, unlike the thin min..max lines of the seeds
        blocks,
        band[:, 0],
        yerr=[band[:, 0] - band[:, 1], band[:, 2] - band[:, 0]],
        color=color,
        elinewidth=3,
        capsize=6,
        capthick=2,
        label=f"{name} ({extra}diamond: mean over batches, thick capped bar: {kind})",
        **{**GRADIENT_DOT, "marker": "D", "markersize": 6.5},
    )


def _draw_cut_seeds(
    ax: Axes, name: str, by_seed: Sequence[Sequence[float]], color: str, offset: float, extra: str
) -> None:
    """Draw one family's per-seed values per block: a dot at their mean, with a min..max bar if several seeds."""
    values = np.asarray(by_seed, dtype=float) * 100  # (seeds, blocks)
    if values.ndim != 2:
        raise ValueError(f"{name}: give a list of per-seed lists (one value per block), got shape {values.shape}")
    blocks = np.arange(values.shape[1]) + offset
    seeds = values.shape[0]
    label = f"{name} ({seeds} seeds; {extra}dot: mean, thin line: min..max)" if seeds > 1 else name
    if seeds > 1:
        ax.vlines(blocks, values.min(axis=0), values.max(axis=0), color=color, lw=1, alpha=0.7)  # thin: a range
    ax.plot(blocks, values.mean(axis=0), color=color, label=label, **GRADIENT_DOT)


def plot_mlp_route_cut(
    families: Mapping[str, Sequence[Sequence[float]]] | None,
    shares: Mapping[str, Sequence[Sequence[float]]],
    *,
    intervals: Mapping[str, Sequence[tuple[float, float, float]]] | None = None,
    details: Mapping[str, str] | None = None,
    interval_kind: str = "95 % interval",
) -> Figure:
    """Two panels, per block: how much the qkv gradient changed when every MLP route is cut, and the MLP share.

    ``families`` and ``shares``: ``{family: [per-seed list of one value per block, ...]}`` (fractions, shown in %),
    the same families in both; one seed draws a single dot, several a dot at their mean and a bar over their
    min..max. Family names from :data:`CUT_FAMILIES` get its colours; others are drawn in black.
    ``families=None`` draws the share panel only. ``intervals``: ``{family: [(mean, low, high) per block]}`` in
    fractions (e.g. a mean over batches with its 95 % interval); in the share panel that family is drawn as this
    mean with a bar over the interval instead of its per-seed values, and its legend entry says so.
    ``details``: ``{family: text}`` added to that family's legend entry (e.g. which data it was measured on).
    ``interval_kind``: what the interval is, for the legend (e.g. ``"95 % t interval"``).
    """
    if not shares or (families is not None and set(families) != set(shares)):
        raise ValueError("families and shares need the same, non-empty set of model families")
    intervals = dict(intervals or {})
    if not set(intervals) <= set(shares):
        raise ValueError(f"intervals for unknown families: {sorted(set(intervals) - set(shares))}")
    panels = [] if families is None else [(families, "change  ||g_cut - g|| / ||g||")]
    panels.append((shares, "MLP share  <g - g_cut, g> / ||g||²"))
    fig = new_figure(figsize=(10, 3.8) if len(panels) == 2 else (6.4, 3.8))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    for ax, (data, title) in zip(axes, panels, strict=True):
        for name, by_seed in data.items():
            color, offset = CUT_FAMILIES.get(name, ("black", 0.0))
            extra = f"{details[name]}; " if details and name in details else ""
            if data is shares and name in intervals:
                _draw_cut_interval(ax, name, intervals[name], color, offset, extra, interval_kind)
                continue
            _draw_cut_seeds(ax, name, by_seed, color, offset, extra)
        ax.axhline(0, color="0.5", lw=0.8)
        count = len(next(iter(data.values()))[0])
        ax.set_xticks(range(count), [f"block {i}" for i in range(count)])
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("% of the full qkv gradient" if len(panels) == 2 else "MLP share (%)")
    fig.suptitle("qkv.weight.grad with every MLP route cut", fontsize=11)
    fig.tight_layout(rect=(0, 0.07 if len(panels) == 2 else 0.2, 1, 1))  # room below for the legend
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, fontsize=8.5, loc="lower center", ncol=len(labels) if len(panels) == 2 else 1, frameon=False
    )
    return fig


def plot_cut_families(small_cuts: Sequence, fresh_cuts: Sequence, trained_cut, trained_band: Sequence) -> Figure:
    """Section 5's share figure: :func:`plot_mlp_route_cut` (share panel only) for the three families.

    ``small_cuts``: one :func:`vit_explained.gradient_hooks.mlp_route_cut` result per seed of the small model (64
    digits each); ``fresh_cuts``: the same for fresh MNIST-architecture models (256 digits); ``trained_cut``: the
    trained MNIST ViT's; ``trained_band``: per block, its share's mean over batches with a 95 % interval, in percent
    (objects with ``estimate``, ``low`` and ``high``, e.g. :func:`vit_explained.evidence.mean_interval`)."""
    families = {
        "small model, init": small_cuts,
        "MNIST architecture, init": fresh_cuts,
        "trained MNIST ViT": [trained_cut],
    }
    return plot_mlp_route_cut(
        None,
        {name: [cut.qkv_share for cut in cuts] for name, cuts in families.items()},
        intervals={"trained MNIST ViT": [(b.estimate / 100, b.low / 100, b.high / 100) for b in trained_band]},
        details={
            "small model, init": "64 digits each",
            "MNIST architecture, init": "256 digits",
            "trained MNIST ViT": "8 batches of 32 digits",
        },
        interval_kind="95 % t interval (batches)",
    )


#: the two score scales of :func:`plot_softmax_saturation` (line colour and style)
SCALE_STYLES = {"1/sqrt(d)": ("#17becf", "-"), "no scale": ("#d62728", "--")}


def plot_softmax_saturation(sweep, scaled: str = "W_q, W_k, W_v", title: str = "", xlabel: str | None = None) -> Figure:
    """Two panels from a :class:`~vit_explained.gradient_experiments.SaturationSweep`, against the weight
    multiplier (``scaled`` names the weights it multiplies): the attention entropy (left) and ``||dL/dW_q||``
    (right, titled ``title``), with and without the ``1/sqrt(d)`` scale; ``||dL/dW_v||`` (with the scale) in grey.
    ``xlabel`` replaces the x-axis label."""
    fig = new_figure(figsize=(11, 3.6))
    left, right = fig.subplots(1, 2, sharex=True)
    for name, (color, style) in SCALE_STYLES.items():
        left.plot(sweep.factors, sweep.entropy[name], style, color=color, marker="o", ms=3, label=f"scores x {name}")
        right.plot(sweep.factors, sweep.w_q[name], style, color=color, marker="o", ms=3, label=f"W_q, {name}")
    right.plot(sweep.factors, sweep.w_v["1/sqrt(d)"], color="0.55", marker="o", ms=3, label="W_v, 1/sqrt(d)")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.axvline(1.0, color="0.6", lw=0.8)
        ax.set_xlabel(xlabel or f"{scaled} multiplied by  (1: as initialised, std 0.02)")
    left.set_ylabel("attention entropy / ln N")
    left.set_title("Larger weights: sharper attention (1: uniform, 0: one-hot)", fontsize=10)
    left.legend(loc="lower left", fontsize=8.5, frameon=False)
    right.set_yscale("log")
    right.set_ylabel("gradient norm ||dL/dW||")
    right.set_title(title or "W_q's gradient: small while uniform, smaller again once saturated", fontsize=10)
    right.legend(loc="lower right", fontsize=8.5, frameon=False)
    fig.tight_layout()
    return fig


_W_V_GREY = "0.2"  #: the derivation widget's ||dW_v|| curve: dark grey, readable beside the qkv colour


def plot_derivation_point(
    curves,
    factor: float,
    norms: tuple[float, float],
    attention: np.ndarray,
    *,
    scale: str = "1/sqrt(d)",
    head: int | None = 1,
    heads: int = 4,
    ratio: float | None = None,
) -> Figure:
    """Lesson 05's derivation widget: ``||dW_q||`` and ``||dW_v||`` against the multiplier ``c`` of ``W_q`` and
    ``W_k`` (``curves``: a :class:`~vit_explained.gradient_experiments.SaturationSweep` of one block), the
    current ``factor`` and its ``norms`` ``(||dW_q||, ||dW_v||)`` marked (left; the whole sweep drawn faintly, the
    curves up to ``factor`` in full colour, on axes fixed by the whole sweep), and one image's attention weights
    ``A`` ``(N, N)`` of head ``head`` (of ``heads``, 0-based; ``None``: the mean over heads) at it, every fourth
    token index ticked (token 0: "cls") and a note on the square when every weight is within 25 % of 1/N, on a
    square root colour scale whose bar marks the uniform row's 1/N (right).
    ``ratio``, if given: ``||dW_v|| / ||dW_q||`` in the title."""
    fig = new_figure(figsize=(9, 3.2))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    shown = [i for i, f in enumerate(curves.factors) if f <= factor * (1 + 1e-9)]  # full colour up to the current c
    for values, color, label in (
        (curves.w_q[scale], PART_COLORS["qkv"], "||dW_q||"),
        (curves.w_v[scale], _W_V_GREY, "||dW_v||"),
    ):
        left.plot([curves.factors[i] for i in shown], [values[i] for i in shown], color=color, lw=1.6, label=label)
    for values, color in ((curves.w_q[scale], PART_COLORS["qkv"]), (curves.w_v[scale], _W_V_GREY)):
        left.plot(curves.factors, values, color=color, lw=1.0, alpha=0.25, zorder=1)  # the whole sweep, faint
    every = [*curves.w_q[scale], *curves.w_v[scale], *norms]
    left.set_xlim(min(curves.factors) / 1.3, max(curves.factors) * 1.3)  # fixed axes: they do not move with c
    left.set_ylim(min(every) / 3, max(every) * 3)
    for value, color in zip(norms, (PART_COLORS["qkv"], _W_V_GREY), strict=True):
        left.plot([factor], [value], "o", color=color, ms=8, zorder=3)
    left.set_xscale("log")
    left.set_yscale("log")
    left.axvline(factor, color="0.6", lw=0.8)
    left.set_xlabel(f"c  (W_q and W_k x c, scores x c$^2$; scale {scale})")
    left.set_ylabel("gradient norm, block 0")
    left.legend(loc="center left", fontsize=8.5, frameon=False)
    title = "Block 0, every head: the weight gradients as W_q and W_k grow"
    left.set_title(title if ratio is None else f"{title}\nc = {factor:.3g}: ratio v / q = {ratio:.3g}", fontsize=10)
    _draw_attention_square(fig, right, attention, head=head, heads=heads)
    fig.subplots_adjust(left=0.09, right=0.86, bottom=0.17, top=0.84, wspace=0.15)  # fixed: no layout pass
    return fig


def _draw_attention_square(fig: Figure, right, attention: np.ndarray, *, head: int | None, heads: int) -> None:
    """The derivation widget's right panel: one image's attention weights on a square root colour scale."""
    uniform = 1 / attention.shape[-1]  # a square root colour scale: a uniform row (1/N) shows as light blue
    image = right.imshow(attention, cmap="Blues", norm=PowerNorm(0.5, vmin=0.0, vmax=1.0))
    which = f"mean over heads 0-{heads - 1}" if head is None else f"head {head} (heads 0-{heads - 1})"
    right.set_title(f"A, image 0, {which}", fontsize=10)
    tokens = attention.shape[-1]
    right.set_xlabel(f"key token (0 = cls, 1-{tokens - 1} = patches)", fontsize=8.5)
    right.set_ylabel("query token", fontsize=8.5)
    ticks = list(range(0, tokens, 4))  # token indices; token 0 is the class token
    names = ["cls" if t == 0 else str(t) for t in ticks]
    right.set_xticks(ticks, names, fontsize=8)
    right.set_yticks(ticks, names, fontsize=8)
    if np.abs(np.asarray(attention) - uniform).max() < 0.25 * uniform:  # nearly uniform: say so on the square
        right.text(
            (tokens - 1) / 2,
            (tokens - 1) / 2,
            f"every weight\nabout 1/{tokens}:\nnear uniform",
            ha="center",
            va="center",
            fontsize=8.5,
            color="0.15",
        )
    bar = fig.colorbar(image, ax=right, fraction=0.046, pad=0.03, label="attention weight")
    bar.set_ticks([0.0, uniform, 0.25, 0.5, 1.0], labels=["0", f"uniform 1/{attention.shape[-1]}", "0.25", "0.5", "1"])
    bar.ax.tick_params(labelsize=7.5)


def share_arrows(share: float, change: float) -> dict[str, tuple[float, float]]:
    """The plane of ``g`` and ``g_cut``, with ``||g|| = 1`` along the x axis: the tips of ``g``, ``g_cut`` and
    ``g - g_cut`` (drawn from the origin) for a share ``<g - g_cut, g> / ||g||^2`` and a change
    ``||g - g_cut|| / ||g||``. The MLP-route part's x coordinate is the share (its projection on ``g``)."""
    if change < abs(share) - 1e-9:
        raise ValueError(f"the change ({change}) must be at least |share| ({share}): share = change x cosine")
    across = max(change * change - share * share, 0.0) ** 0.5
    return {"g": (1.0, 0.0), "g - g_cut": (share, across), "g_cut": (1.0 - share, -across)}


def _draw_share_arrows(ax: Axes, share: float, change: float, title: str, bottom: float) -> None:
    tips = share_arrows(share, change)
    (cx, cy), (mx, my) = tips["g_cut"], tips["g - g_cut"]
    style = {"length_includes_head": True, "head_width": 0.04, "width": 0.006}
    ax.plot([cx, 1.0], [0, 0], color="#ff7f0e", lw=7, alpha=0.45, solid_capstyle="butt")  # the projection
    ax.plot([cx, cx], [cy, 0], ":", color="grey", lw=1)
    ax.arrow(0, 0, 1, 0, color="black", **style)
    ax.arrow(0, 0, cx, cy, color=PART_COLORS["qkv"], **style)
    ax.arrow(cx, cy, mx, my, color=PART_COLORS["mlp"], **style)
    ax.text(0.5, 0.05, "g (whole)", ha="center", va="bottom", fontsize=9)
    ax.text((cx + 1) / 2, 0.16, f"share {share:.0%}", ha="center", va="bottom", fontsize=9, color="#c85a00")
    ax.text(cx / 2 - 0.04, cy / 2 - 0.04, "g_cut\n(no MLP)", ha="right", va="top", fontsize=9, color=PART_COLORS["qkv"])
    ax.text(
        cx + 0.6 * mx + 0.05,
        cy + 0.6 * my - 0.04,
        "g - g_cut\n(through MLPs)",
        ha="left",
        va="top",
        fontsize=9,
        color=PART_COLORS["mlp"],
    )
    ax.set_aspect("equal")
    ax.set_xlim(-0.55, 1.35)
    ax.set_ylim(bottom, 0.35)
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def plot_share_arrows(panels: Mapping[str, tuple[float, float]], *, title: str = "") -> Figure:
    """Section 5's closing picture, one panel per entry ``{title: (share, change)}`` (fractions, e.g. a
    ``RouteCut``'s ``qkv_share[0]`` and ``qkv_change[0]``): ``g = g_cut + (g - g_cut)`` as arrows in their plane
    (:func:`share_arrows`, ``||g|| = 1``); the MLP-route part starts at ``g_cut``'s tip, and the orange bar on ``g``
    is its projection on ``g``, the share."""
    fig = new_figure(figsize=(4.2 * len(panels), 3.4), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    bottom = min(share_arrows(*pair)["g_cut"][1] for pair in panels.values()) - 0.3  # one scale for every panel
    for ax, (name, (share, change)) in zip(axes, panels.items(), strict=True):
        _draw_share_arrows(ax, share, change, name, bottom)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def plot_factor_chain(chain: Mapping[str, float], *, title: str = "") -> Figure:
    """Section 4's argument as three bar charts on log axes (lesson 05).

    ``chain``: the dictionary of :func:`vit_explained.gradient_experiments.qk_factor_chain`. Left, sizes of one
    entry (RMS): ``K - Kbar`` and ``V - Vbar``, their product, ``M`` (the product averaged over the keys; ``M`` is
    the covariance of keys and values over the tokens). Middle, ratios
    to ``dO`` per entry: ``dQ / dO`` and ``dV / dO``. Right: the ratio of ``v`` to ``q``, per entry of ``dV`` and
    ``dQ``, then for the weights after the sums over tokens and images.
    """
    fig = new_figure(figsize=(12, 3.9))
    left, middle, right = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.9, 1, 1]})
    product = chain["K - Kbar"] * chain["V - Vbar"]
    sizes = [  # every bar labelled as a decimal, two significant digits
        ("K - K\u0304", chain["K - Kbar"], QKV_COLORS["k"], f"{chain['K - Kbar']:.2g}"),
        ("V - V\u0304", chain["V - Vbar"], QKV_COLORS["v"], f"{chain['V - Vbar']:.2g}"),
        ("product of the\ntwo RMS values\n(no cancelling)", product, "#7f7f7f", f"{product:.2g}"),
        ("M (mean over\nthe keys)", chain["M"], "#7f7f7f", f"{chain['M']:.2g}"),
    ]
    to_d_o = [
        ("dQ / dO", chain["dQ / dO"], QKV_COLORS["q"], f"{chain['dQ / dO']:.2g}"),
        ("dV / dO", chain["dV / dO"], QKV_COLORS["v"], f"{chain['dV / dO']:.2g}"),
    ]
    bottom = min(s[1] for s in sizes + to_d_o) / 3
    for ax, bars in ((left, sizes), (middle, to_d_o)):
        positions = np.arange(len(bars))
        ax.bar(positions, [b[1] for b in bars], color=[b[2] for b in bars], width=0.6)
        for x, (_, value, _, text) in zip(positions, bars, strict=True):
            ax.annotate(
                text, (x, value), textcoords="offset points", xytext=(0, 3), ha="center", va="bottom", fontsize=9
            )
        ax.set_yscale("log")
        ax.set_ylim(bottom, 3)
        ax.set_xticks(positions, [b[0] for b in bars], fontsize=9)
    left.set_ylabel("size of one entry (RMS)")
    left.set_title("sizes: two small factors, their covariance over the tokens", fontsize=10)
    middle.set_ylabel("ratio to dO (RMS per entry)")
    middle.set_title("ratios to dO", fontsize=10)
    weights_text = f"{chain['dW_v / dW_q']:.0f} (x{chain['sums']:.1f})"
    ratios = [
        ("per entry\n||dV|| / ||dQ||", chain["dV / dQ"], f"{chain['dV / dQ']:.0f}"),
        ("weights only (no biases)\n||dW_v|| / ||dW_q||", chain["dW_v / dW_q"], weights_text),
    ]
    right.bar([0, 1], [r[1] for r in ratios], color=[QKV_COLORS["v"], QKV_COLORS["v"]], width=0.6)
    for x, (_, value, text) in enumerate(ratios):
        right.annotate(text, (x, value), textcoords="offset points", xytext=(0, 3), ha="center", va="bottom")
    right.set_yscale("log")
    right.set_ylim(1, max(r[1] for r in ratios) * 4)
    right.set_xticks([0, 1], [r[0] for r in ratios], fontsize=9)
    right.set_ylabel("ratio v / q")
    right.set_title("v over q, before and after the sums", fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def gradient_paths(depth: int = 4) -> tuple[list[str], list[tuple[bool, ...]]]:
    """The paths from the loss down to block 0's qkv in a ``depth``-block pre-norm ViT, as a sum over paths:
    the branches above block 0's attention, top first (``MLP 3``, ``attn 3``, ..., ``MLP 0``), and every path as
    one bool per branch (True: through that branch; False: along its skip), ordered no MLP first, then through at
    least one MLP but no higher attention layer, then through both. ``2 ** (2 * depth - 1)`` paths in all."""
    branches = [f"{kind} {b}" for b in range(depth - 1, -1, -1) for kind in ("MLP", "attn")][:-1]
    every = [tuple(bool(n >> i & 1) for i in range(len(branches))) for n in range(2 ** len(branches))]
    return branches, sorted(every, key=lambda path: _path_kind(branches, path))


def _path_kind(branches: Sequence[str], path: Sequence[bool]) -> int:
    """0: through no MLP (what the cut keeps); 1: through at least one MLP, no higher attention; 2: through both."""
    mlp = any(on for name, on in zip(branches, path, strict=True) if name.startswith("MLP"))
    attn = any(on for name, on in zip(branches, path, strict=True) if name.startswith("attn"))
    return 0 if not mlp else 1 + attn


def plot_gradient_paths(depth: int = 4) -> Figure:
    """Section 5's map of :func:`gradient_paths`: one column per path, a filled cell where it passes a branch, in two
    colours: the paths through no MLP (what the cut keeps, drawn wide enough to read, each labelled) and the paths
    through at least one MLP (g - g_cut)."""
    branches, paths = gradient_paths(depth)
    no_mlp = [_path_kind(branches, p) == 0 for p in paths]
    colors = [PART_COLORS["qkv"], PART_COLORS["mlp"]]
    wide = 4  # a no-MLP column is this many path widths, so its few cells are legible
    fig = new_figure(figsize=(10, 3.8), layout="constrained")
    ax = fig.subplots()
    left, starts = 0.0, []
    for path, keep in zip(paths, no_mlp, strict=True):
        width = wide if keep else 1
        starts.append(left)
        for y, on in enumerate(path):
            if on:
                ax.add_patch(_cell(left, len(branches) - 1 - y, colors[0 if keep else 1], width))
        if keep:
            ax.text(left + width / 2, -0.75, f"{sum(no_mlp[: len(starts)])}", ha="center", va="top", fontsize=8)
        left += width
    count = sum(no_mlp)
    split = starts[count] if count < len(paths) else left
    labels = [
        (0, split, f"no MLP: {count} paths, g_cut (the cut keeps these)", colors[0], "left"),
        (split, left, f"through >= 1 MLP: {len(paths) - count} paths, g - g_cut", colors[1], "center"),
    ]
    for low, high, text, color, align in labels:
        top = len(branches) + 0.3
        ax.plot([low, low, high, high], [top - 0.2, top, top, top - 0.2], color=color, lw=1.5)
        ax.text(
            low if align == "left" else (low + high) / 2,
            top + 0.1,
            text,
            ha=align,
            va="bottom",
            fontsize=9,
            color=color,
        )
    ax.set_yticks(range(len(branches)), branches[::-1])
    ax.set_xticks([])
    ax.set_xlim(-1, left + 1)
    ax.set_ylim(-1.4, len(branches) + 1.0)
    ax.set_xlabel(f"the {len(paths)} paths from the loss to block 0's qkv (a blank cell: that branch's skip)")
    ax.set_title(f"Block 0's qkv gradient as a sum over paths ({depth} blocks)", fontsize=11)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    return fig


def _cell(x: float, y: float, color: str, width: float = 1.0):
    from matplotlib.patches import Rectangle

    return Rectangle((x + 0.1, y - 0.4), width - 0.2, 0.8, color=color, lw=0)

"""Lesson 07's figures: the T2T pipeline, the soft split's overlap, what the Tokens-to-Token module makes of
an image, and what its attention costs.

Every drawing is deterministic: the same inputs give the same pixels and the same file bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, Patch, Rectangle
from matplotlib.ticker import FuncFormatter
from torch import nn

from .. import _checks
from ..evidence import paired_seeds
from ..t2t import SplitStage
from . import as_image, new_figure, to_display

#: One colour per kind of stage, the same in the cost figure and the widget: token transformers in warm
#: colours (in order), T2T-ViT's backbone blue, DeiT-S's and ViT-S/16's gray.
TOKEN_TRANSFORMER_COLORS = ("tab:orange", "tab:red", "tab:brown", "tab:pink")
BACKBONE_COLOR, VIT_COLOR = "tab:blue", "tab:gray"
#: Box colours of the pipeline diagram, by kind of step.
PIPELINE_COLORS = {
    "image": "#dddddd",
    "split": "#fdd0a2",
    "transformer": "#fcbba1",
    "reshape": "#c7e9c0",
    "project": "#dadaeb",
    "backbone": "#c6dbef",
}
WINDOW_COLORS = ("tab:orange", "tab:blue", "tab:green", "tab:purple", "tab:red")
#: pixels two neighbouring soft-split windows share: a translucent fill with no outline, so the ink under it
#: stays visible and no window's outline is drawn over
SHARED_STYLE = {"fill": True, "fc": (0.9, 0.0, 0.49, 0.3), "ec": "none"}
#: every other window's outline is drawn this many pixels inside its window, top and bottom, so that
#: neighbouring windows' outlines (which share their top and bottom rows) do not hide each other
WINDOW_INSET = 0.3


def _stage_box(x: float, y: float, width: float, height: float, kind: str) -> FancyBboxPatch:
    """A rounded box centred on ``x`` (bottom at ``y``) in the colour of its stage ``kind``."""
    return FancyBboxPatch(
        (x - width / 2, y),
        width,
        height,
        boxstyle="round,pad=0.02,rounding_size=0.08",
        facecolor=PIPELINE_COLORS[kind],
        edgecolor="0.3",
        linewidth=1,
    )


def pipeline_steps(stages: Sequence[SplitStage], embed_dim: int, depth: int) -> list[tuple[str, str, str]]:
    """The boxes of the T2T pipeline: ``(kind, name, shape)`` for the image, each soft split, token
    transformer and reshape, the final Linear, and the backbone (``depth`` blocks on the tokens plus the
    class token). Shapes are per image: ``C x H x W`` for images, ``N x D`` for tokens."""
    if not stages:
        raise ValueError("stages is empty: pass t2t_chain(height, width, in_channels)")
    embed_dim = _checks.positive_int("embed_dim", embed_dim)
    depth = _checks.positive_int("depth", depth)
    first = stages[0]
    steps = [("image", "image", f"{first.in_channels} x {first.in_height} x {first.in_width}")]
    for number, stage in enumerate(stages, start=1):
        split = f"soft split {number}\nk {stage.kernel}, s {stage.stride}, p {stage.padding}"
        steps.append(("split", split, f"{stage.grid.total} x {stage.token_length}"))
        if number < len(stages):
            token_dim = stages[number].in_channels
            steps.append(("transformer", f"token\ntransformer {number}", f"{stage.grid.total} x {token_dim}"))
            steps.append(("reshape", "reshape", f"{token_dim} x {stage.grid.rows} x {stage.grid.cols}"))
    last = stages[-1].grid.total
    steps.append(("project", "Linear", f"{last} x {embed_dim}"))
    steps.append(("backbone", f"+ class token\n{depth} blocks\n(backbone)", f"{last + 1} x {embed_dim}"))
    return steps


def plot_t2t_pipeline(stages: Sequence[SplitStage], embed_dim: int, depth: int, title: str | None = None) -> Figure:
    """The T2T-ViT pipeline as a row of boxes: image -> (soft split -> token transformer -> reshape),
    repeated, -> last soft split -> Linear -> backbone, each box with its output shape per image.

    ``stages``: :func:`vit_explained.t2t_chain` of the image; ``embed_dim`` and ``depth``: the backbone's.
    A bracket marks each *re-structurization* (token transformer, then reshape back into an image); the module's
    boxes carry step numbers 1, 2, ... between the image and the backbone.
    """
    steps = pipeline_steps(stages, embed_dim, depth)
    fig = new_figure(figsize=(1.2 * len(steps) + 0.4, 2.3))
    ax = fig.add_subplot()
    width, height, y = 0.84, 1.0, 0.0
    for index, (kind, name, shape) in enumerate(steps):
        ax.add_patch(_stage_box(index, y, width, height, kind))
        ax.text(index, y + 0.64, name, ha="center", va="center", fontsize=8.5, linespacing=1.15)
        ax.text(index, y + 0.16, shape, ha="center", va="center", fontsize=8, family="monospace", color="0.15")
        if 0 < index < len(steps) - 1:  # the module's steps, numbered as the lesson's prose reads them
            ax.text(
                index - width / 2 + 0.05,
                y + height - 0.05,
                f"{index}",
                ha="left",
                va="top",
                fontsize=7.5,
                fontweight="bold",
                color="0.3",
            )
        if index:
            ax.annotate(
                "",
                xy=(index - width / 2 - 0.01, y + 0.5),
                xytext=(index - 1 + width / 2 + 0.01, y + 0.5),
                arrowprops={"arrowstyle": "-|>", "color": "0.25", "lw": 1.1, "shrinkA": 0, "shrinkB": 0},
            )
    kinds = [kind for kind, _, _ in steps]
    repeats = [i for i, kind in enumerate(kinds) if kind == "transformer"]
    for number, start in enumerate(repeats, start=1):  # bracket: soft split, token transformer, reshape
        left, right, top = start - 1 - width / 2, start + 1 + width / 2, y + height + 0.12
        ax.plot([left, left, right, right], [top - 0.06, top, top, top - 0.06], color="0.35", lw=1)
        ax.text(
            start,
            top + 0.05,
            f"T2T round {number}: soft split, then re-structurize",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    module_left, module_right = 1 - width / 2, len(steps) - 2 + width / 2
    ax.plot([module_left, module_right], [y - 0.16, y - 0.16], color="0.35", lw=1)
    ax.text((module_left + module_right) / 2, y - 0.2, "Tokens2Token module (T2T)", ha="center", va="top", fontsize=8.5)
    ax.set_xlim(-0.55, len(steps) - 0.45)
    ax.set_ylim(y - 0.42, y + height + 0.32)
    ax.set_aspect("auto")
    ax.axis("off")
    return _finish(fig, title, top=0.9)


def _overlap_inputs(image, kernel, stride, padding, row, col, windows) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Check :func:`plot_soft_split_overlap`'s arguments; return the image, the padded image and the token grid."""
    picture = as_image(image, name="image")
    if picture.shape[0] != 1:
        raise ValueError(f"image must be one grayscale picture (H, W) or (1, H, W), got {tuple(picture.shape)}")
    kernel = _checks.positive_int("kernel", kernel)
    stride = _checks.positive_int("stride", stride)
    windows = _checks.positive_int("windows", windows)
    if not 0 <= padding < kernel:
        raise ValueError(f"padding must be between 0 and kernel - 1 = {kernel - 1}, got {padding!r}")
    if stride >= kernel:
        raise ValueError(f"stride {stride} >= kernel {kernel}: the windows do not overlap; a soft split has k > s")
    array = picture[0].numpy()
    padded = np.pad(array, padding)
    rows = (padded.shape[0] - kernel) // stride + 1
    cols = (padded.shape[1] - kernel) // stride + 1
    if not (isinstance(row, int) and isinstance(col, int) and 0 <= row < rows and 0 <= col <= cols - windows):
        raise ValueError(
            f"this image and split make {rows} x {cols} tokens: row must be in 0..{rows - 1} and col + windows at "
            f"most {cols}, got row {row!r}, col {col!r}, windows {windows}"
        )
    return array, padded, rows, cols


def _gray(ax, pixels: np.ndarray, top: float) -> None:
    ax.imshow(pixels, cmap="gray_r", vmin=0, vmax=max(top, 1e-6), interpolation="nearest")


def _draw_soft_windows(ax, array, padded, kernel, stride, padding, row, col, windows, cols) -> None:
    _gray(ax, padded, float(padded.max()))
    height, width = array.shape
    ax.add_patch(Rectangle((padding - 0.5, padding - 0.5), width, height, fill=False, ls=":", ec="0.4"))
    top = row * stride
    for number in range(windows):
        left = (col + number) * stride
        color = WINDOW_COLORS[number % len(WINDOW_COLORS)]
        if number:  # the columns this window shares with the previous one, under the outlines
            ax.add_patch(Rectangle((left - 0.5, top - 0.5), kernel - stride, kernel, **SHARED_STYLE))
        inset = WINDOW_INSET * (number % 2)  # with k < 2s windows n and n + 2 never touch
        corner = (left - 0.5 + inset, top - 0.5 + inset)
        ax.add_patch(Rectangle(corner, kernel - 2 * inset, kernel - 2 * inset, fill=False, ec=color, lw=2.2, zorder=3))
    rows = (padded.shape[0] - kernel) // stride + 1
    ax.set_title(
        f"soft split: k {kernel}, s {stride}, p {padding}\n{rows} x {cols} tokens of {kernel * kernel};"
        f" neighbours share {kernel - stride} columns",
        fontsize=9,
    )


def _draw_hard_patches(ax, array, stride, row, col, windows) -> None:
    _gray(ax, array, float(array.max()))
    hard_rows, hard_cols = array.shape[0] // stride, array.shape[1] // stride
    for number in range(windows):
        if row >= hard_rows or col + number >= hard_cols:
            continue  # the soft split makes more tokens than the hard patches (padding): nothing to outline
        color = WINDOW_COLORS[number % len(WINDOW_COLORS)]
        corner = ((col + number) * stride - 0.5, row * stride - 0.5)
        ax.add_patch(Rectangle(corner, stride, stride, fill=False, ec=color, lw=2.2))
    for line in range(1, hard_cols):
        ax.axvline(line * stride - 0.5, color="0.75", lw=0.5)
    for line in range(1, hard_rows):
        ax.axhline(line * stride - 0.5, color="0.75", lw=0.5)
    ax.set_title(
        f"hard patches: {stride} x {stride}, no padding\n{hard_rows} x {hard_cols} tokens of {stride * stride};"
        " no pixel shared",
        fontsize=9,
    )


def plot_soft_split_overlap(
    image: torch.Tensor,
    kernel: int,
    stride: int,
    padding: int,
    *,
    row: int,
    col: int = 0,
    windows: int = 3,
    title: str | None = None,
) -> Figure:
    """A soft split's overlapping windows next to hard patches of the same stride.

    Left: ``image`` (``(H, W)`` or ``(1, H, W)``) zero-padded by ``padding``, with ``windows``
    neighbouring ``kernel x kernel`` windows outlined, tokens ``(row, col)``, ``(row, col + 1)``, ...
    (stride ``stride``): the shaded strips are pixels two tokens share. Middle: hard patches
    (``stride x stride``, no padding, as ViT cuts) over the same image, the same tokens outlined: no pixel is
    shared. Right: the windows' pixels, one token each.
    """
    array, padded, _, cols = _overlap_inputs(image, kernel, stride, padding, row, col, windows)
    fig = new_figure(figsize=(8.6, 4.2))
    grid = fig.add_gridspec(windows, 3, width_ratios=(3.3, 3.3, 1.2))
    soft, hard = fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[:, 1])
    _draw_soft_windows(soft, array, padded, kernel, stride, padding, row, col, windows, cols)
    _draw_hard_patches(hard, array, stride, row, col, windows)
    for ax in (soft, hard):
        ax.set_xticks([])
        ax.set_yticks([])
    top = row * stride
    for number in range(windows):
        ax = fig.add_subplot(grid[number, 2])
        left = (col + number) * stride
        _gray(ax, padded[top : top + kernel, left : left + kernel], float(padded.max()))
        for spine in ax.spines.values():
            spine.set_edgecolor(WINDOW_COLORS[number % len(WINDOW_COLORS)])
            spine.set_linewidth(2.2)
        if number:
            ax.add_patch(Rectangle((-0.5, -0.5), kernel - stride, kernel, **SHARED_STYLE))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(f"token {row * cols + col + number}", fontsize=8)
    legend = [
        *(
            Patch(fill=False, ec=WINDOW_COLORS[n % len(WINDOW_COLORS)], lw=2.2, label=f"token {row * cols + col + n}")
            for n in range(windows)
        ),
        Patch(**SHARED_STYLE, label=f"pixels shared with the token to the left ({kernel - stride} columns)"),
        Patch(fill=False, ls=":", ec="0.4", label=f"image border (outside: {padding} pixels of zero padding)"),
    ]
    fig.legend(handles=legend, loc="lower center", ncol=3, fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.13, 1, 0.9 if title else 1))
    return fig


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


def stage_color(name: str, index: int = 0) -> str:
    """The colour of a stage by its name: ``"T2T transformer i"`` (or ``"T2T performer i"``) -> the i-th warm
    colour, a name with ``"ViT-S"`` or ``"DeiT"`` -> gray, any other (a T2T backbone) -> blue. ``index`` is used when a
    transformer name has no number."""
    if name.startswith(("T2T transformer", "T2T performer")):
        number = name.rsplit(" ", 1)[-1]
        position = int(number) - 1 if number.isdigit() else index
        return TOKEN_TRANSFORMER_COLORS[position % len(TOKEN_TRANSFORMER_COLORS)]
    return VIT_COLOR if "ViT-S" in name or "DeiT" in name else BACKBONE_COLOR


def plot_stage_cost(
    names: Sequence[str],
    tokens: Sequence[int],
    entries_per_layer: Sequence[int],
    layers: Sequence[int],
    title: str | None = None,
) -> Figure:
    """Tokens, and attention-matrix entries per image, of each stage, on linear scales with the values
    written on the bars, and each stage's share of the largest written as a ratio.

    ``names``: the stages; ``tokens``: N of each; ``entries_per_layer``: ``heads * N * N`` of one
    attention layer; ``layers``: how many attention layers the stage has. The right panel shows one
    layer's matrix and the sum over the stage's layers side by side. A space in a name may be
    drawn as a line break, so write e.g. ``"T2T transformer 1"``. Colours follow :func:`stage_color`.
    """
    fig = new_figure(figsize=(10, 4))
    (left, right) = fig.subplots(1, 2)
    _stage_cost_axes(left, right, names, tokens, entries_per_layer, layers)
    return _finish(fig, title, top=0.97)


def _stage_cost_axes(
    left: Axes, right: Axes, names: Sequence[str], tokens: Sequence[int], entries_per_layer: Sequence[int],
    layers: Sequence[int],
) -> None:  # fmt: skip
    """Draw :func:`plot_stage_cost`'s two panels (tokens; attention-matrix entries) on ``left`` and ``right``."""
    count = len(names)
    if not count or not len(tokens) == len(entries_per_layer) == len(layers) == count:
        raise ValueError(
            f"names, tokens, entries_per_layer and layers must have the same non-zero length, got "
            f"{count}, {len(tokens)}, {len(entries_per_layer)}, {len(layers)}"
        )
    for name, value in (*zip(names, tokens, strict=True), *zip(names, entries_per_layer, strict=True)):
        _checks.positive_int(f"count for {name!r}", int(value))
    colors = [stage_color(name, i) for i, name in enumerate(names)]
    bars = left.bar(np.arange(count), tokens, color=colors)
    biggest = max(tokens)
    _label_bars(
        left,
        bars,
        # a smaller stage's tokens as a fraction of the most, on one line below the next gridline: "784 = 3,136 / 4"
        [f"{n:,}" + ("" if biggest % n else f" = {biggest:,} / {biggest // n}") * (n != biggest) for n in tokens],
        top=biggest * 1.3,
        fontsize=8,
    )
    left.set_title("tokens N seen by each attention")
    per_layer = np.asarray(entries_per_layer, dtype=float)
    total = per_layer * np.asarray(layers, dtype=float)
    _draw_entries(right, per_layer, total, layers, colors)
    labels = [name.replace(" ", "\n", 1) for name in names]
    for ax, values in ((left, np.asarray(tokens)), (right, np.concatenate([per_layer, total]))):
        ax.set_ylim(0, float(values.max()) * 1.3)  # linear: bar heights compare as the numbers do
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda value, _: f"{value / 1e6:g}M" if value >= 1e6 else f"{value:,.0f}")
        )
        ax.set_xticks(np.arange(count), labels, fontsize=8)
        ax.grid(axis="y", which="major", alpha=0.3)
        ax.set_axisbelow(True)


def _draw_entries(ax: Axes, per_layer: np.ndarray, total: np.ndarray, layers: Sequence[int], colors: list[str]) -> None:
    """Attention-matrix entries of one layer and of all the stage's layers, side by side per stage."""
    positions, width = np.arange(len(per_layer)), 0.38
    one = ax.bar(positions - width / 2, per_layer, width, color=colors, label="one layer")
    every = ax.bar(
        positions + width / 2, total, width, color=colors, alpha=0.45, hatch="//", edgecolor="black", label="all layers"
    )
    top = float(max(per_layer.max(), total.max())) * 1.3  # the y limit plot_stage_cost sets
    _label_bars(ax, one, [_short(v) for v in per_layer], top=top, fontsize=7)
    _label_bars(
        ax,
        every,
        [f"x{n}\n{_short(v)}" if n > 1 else "" for n, v in zip(layers, total, strict=True)],
        top=top,
        fontsize=7,
    )
    ax.set_title("attention-matrix entries per image (heads x N x N)")
    legend = [
        Patch(facecolor="0.5", label="one attention layer"),
        Patch(facecolor="0.5", alpha=0.45, hatch="//", edgecolor="black", label="all the stage's layers"),
    ]
    ax.legend(handles=legend, fontsize=8, loc="upper right")


#: A bar lower than this share of its axis is too thin to see: its label points to it with an arrow.
THIN_BAR = 0.02


#: a white box behind a bar's label, so a gridline does not strike through it (review r27d minor 6)
LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}


def _label_bars(ax: Axes, bars: Any, labels: Sequence[str], *, top: float, fontsize: int) -> None:
    """Write each label just above its bar; a bar under :data:`THIN_BAR` of the axis height ``top``
    is too thin to see, so its label is raised and an arrow points down to the bar's true height."""
    for bar, label in zip(bars, labels, strict=True):
        if not label:
            continue
        x, height = bar.get_x() + bar.get_width() / 2, bar.get_height()
        if height < THIN_BAR * top:
            ax.annotate(
                label,
                xy=(x, height),
                xytext=(x, 0.15 * top),
                ha="center",
                va="bottom",
                fontsize=fontsize,
                arrowprops={"arrowstyle": "->", "lw": 0.8, "color": "0.3"},
                bbox=LABEL_BOX,
            )
        else:
            ax.annotate(
                label,
                xy=(x, height),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=fontsize,
                bbox=LABEL_BOX,
            )


def _finish(fig: Figure, title: str | None, *, top: float) -> Figure:
    """Lay ``fig`` out, leaving the top ``1 - top`` of it for ``title`` if there is one."""
    if title:
        fig.suptitle(title, fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, top))
    else:
        fig.tight_layout()
    return fig


def plot_scale_rows(
    scores: torch.Tensor, scales: dict[str, float], title: str | None = None, notes: dict[str, str] | None = None
) -> Figure:
    """One query's softmax row, ``softmax(scores * scale)``, as bars for each of ``scales`` (``{"1/7": 1 / 7}``),
    side by side on one y scale, with the uniform weight ``1 / N`` dashed: a smaller scale flattens the row.

    ``scores``: the query's ``N`` raw scores ``q . k`` (1-D). ``notes``: a second title line for some panels, by
    scale name (``{"1/24": "hypothetical"}``).
    """
    notes = dict(notes or {})
    if set(notes) - set(scales):
        raise ValueError(f"notes name scales that are not drawn: {sorted(set(notes) - set(scales))}")
    row = torch.as_tensor(scores, dtype=torch.float64).detach()
    if row.ndim != 1 or row.numel() < 2 or not torch.isfinite(row).all():
        raise ValueError(
            f"scores must be one query's finite scores, 1-D with at least 2 entries, got {tuple(row.shape)}"
        )
    if not scales:
        raise ValueError("scales must name at least one scale, e.g. {'1/7': 1 / 7}")
    for name, scale in scales.items():
        _checks.positive_number(f"scale {name!r}", scale)
    weights = {name: torch.softmax(row * scale, dim=0).numpy() for name, scale in scales.items()}
    fig = new_figure(figsize=(3.2 * len(scales), 2.8))
    axes = np.atleast_1d(fig.subplots(1, len(scales), sharey=True))  # review r29c minor 9: no empty band
    for ax, (name, values) in zip(axes, weights.items(), strict=True):
        ax.bar(np.arange(len(values)), values, color=BACKBONE_COLOR)
        ax.axhline(1 / len(values), color="0.3", linestyle="--", linewidth=1, label=f"uniform 1/{len(values)}")
        note = f"\n{notes[name]}" if name in notes else ""
        ax.set_title(f"scores x {name}: largest {values.max():.3f}{note}", fontsize=9)
        ax.set_xlabel("key token", fontsize=8)
    axes[0].set_ylabel("attention weight")
    axes[-1].legend(fontsize=8, loc="upper right")  # the flattest row: the legend covers no tall bar
    fig.tight_layout(rect=(0, 0, 1, 0.9) if title else None)
    if title:
        top = max(ax.get_position().y1 for ax in axes)  # the panels' titles end about here
        fig.suptitle(title, fontsize=11, y=min(0.99, top + 0.2))
    return fig


def _short(value: float) -> str:
    """``9834496 -> '9.8M'``, ``232854 -> '233k'``."""
    if value >= 1e6:
        return f"{value / 1e6:.1f}M"
    if value >= 1e3:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def token_transformer_boxes(dim: int, token_dim: int) -> list[tuple[str, str, float, float, str]]:
    """The boxes of :func:`plot_token_transformer`: ``(name, shape, x, y, kind)`` for one token transformer
    whose tokens come in ``dim`` wide and leave ``token_dim`` wide (``N`` tokens)."""
    dim = _checks.positive_int("dim", dim)
    token_dim = _checks.positive_int("token_dim", token_dim)
    return [
        ("tokens x", f"N x {dim}", 0.0, 0.0, "image"),
        ("LayerNorm\n(norm1)", f"N x {dim}", 1.1, 0.0, "reshape"),
        (f"qkv: Linear\n{dim} -> 3 x {token_dim}", f"N x {3 * token_dim}", 2.3, 0.0, "split"),
        (f"softmax(q k^T\n/ sqrt({dim}))", "N x N", 3.6, 0.0, "transformer"),
        ("weights @ v", f"N x {token_dim}", 4.8, 0.0, "transformer"),
        (f"proj: Linear\n{token_dim} -> {token_dim}", f"N x {token_dim}", 6.0, 0.0, "project"),
        ("v (the values)", f"N x {token_dim}", 3.6, -1.35, "split"),
        ("+ MLP(norm2)\nusual residual", f"N x {token_dim}", 8.3, 0.0, "backbone"),
    ]


def plot_token_transformer(dim: int, token_dim: int, title: str | None = None) -> Figure:
    """One T2T token transformer as boxes: LayerNorm -> qkv -> single-head attention -> proj, the skip
    connection carrying ``v`` (not the input, whose width ``dim`` differs from ``token_dim``) around to the
    sum, and the MLP with its ordinary residual. Each box shows its output shape for ``N`` tokens."""
    boxes = token_transformer_boxes(dim, token_dim)
    fig = new_figure(figsize=(9.6, 2.9))
    ax = fig.add_subplot()
    width, height = 0.98, 0.9
    for name, shape, x, y, kind in boxes:
        ax.add_patch(_stage_box(x, y, width, height, kind))
        ax.text(x, y + 0.6, name, ha="center", va="center", fontsize=8, linespacing=1.1)
        ax.text(x, y + 0.14, shape, ha="center", va="center", fontsize=8, family="monospace", color="0.15")
    _token_transformer_arrows(ax, [x for _, _, x, y, _ in boxes if y == 0.0], width, dim, token_dim)
    ax.set_xlim(-0.6, 8.9)
    ax.set_ylim(-1.6, 1.05)
    ax.axis("off")
    return _finish(fig, title, top=0.88)


def _token_transformer_arrows(ax: Axes, row: list[float], width: float, dim: int, token_dim: int) -> None:
    """The sum, the arrows and the skip path of :func:`plot_token_transformer`; ``row``: the main row's box centres."""
    plus_x = 7.15
    ax.add_patch(Circle((plus_x, 0.45), 0.2, facecolor="white", edgecolor="0.3", linewidth=1))
    ax.text(plus_x, 0.45, "+", ha="center", va="center", fontsize=13)
    arrow = {"arrowstyle": "-|>", "color": "0.25", "lw": 1.1, "shrinkA": 0, "shrinkB": 0}
    for left, right in pairwise(row[:6]):  # x -> LN -> qkv -> scores -> @ v -> proj
        ax.annotate("", xy=(right - width / 2, 0.45), xytext=(left + width / 2, 0.45), arrowprops=arrow)
    ax.annotate("", xy=(plus_x - 0.2, 0.45), xytext=(row[5] + width / 2, 0.45), arrowprops=arrow)
    ax.annotate("", xy=(row[6] - width / 2, 0.45), xytext=(plus_x + 0.2, 0.45), arrowprops=arrow)
    ax.text(2.95, 0.5, "q, k", ha="center", va="bottom", fontsize=7.5, color="0.3")
    v_x, v_y = 3.6, -1.35
    ax.annotate(
        "",
        xy=(v_x - width / 2, v_y + 0.45),
        xytext=(2.3, -0.02),
        arrowprops={**arrow, "connectionstyle": "angle,angleA=-90,angleB=180"},
    )
    ax.annotate(
        "",
        xy=(4.8, -0.02),
        xytext=(v_x + width / 2, v_y + 0.45),
        arrowprops={**arrow, "connectionstyle": "angle,angleA=0,angleB=-90"},
    )
    ax.annotate(
        "",
        xy=(plus_x, 0.25),
        xytext=(v_x + width / 2, v_y + 0.3),
        arrowprops={**arrow, "color": "#e6007e", "lw": 1.8, "connectionstyle": "angle,angleA=0,angleB=-90"},
    )
    ax.text(
        5.6,
        v_y + 0.12,
        f"skip connection: v, already {token_dim} wide",
        color="#b0005f",
        fontsize=8.5,
        ha="center",
        va="top",
    )
    ax.text(
        0.0,
        -0.25,
        f"no x + ... : x is {dim} wide,\nthe output {token_dim}",
        ha="center",
        va="top",
        fontsize=8,
        color="0.3",
    )


def plot_gradient_masks(
    panels: Sequence[tuple[Any, ...]], title: str | None = None, columns: int | None = None, legend: str | None = None
) -> Figure:
    """One row of masks ``(H, W)``: the pixels a token depends on (non-zero gradient) in dark, the others white.

    Each panel is ``(name, mask)``, ``(name, mask, cell)`` or ``(name, mask, cell, centre)``, the mask boolean
    (or 0/1); its name gets the count of pixels used, ``"name: 49 of 784 pixels"``. ``cell = (top, left, size)``
    marks where the token itself sits, its own ``size x size`` stride cell of pixels, with a red outline.
    ``centre = (row, col)`` marks the centre pixel of the token's field with a red cross (the padding shifts
    each window up and left, so the field is centred near the cell's top-left corner, not on it). Cells are drawn with
    ``nearest`` interpolation on a grid of light lines every 4 pixels, ticks every 8, so a 7x7 window shows
    as a 7x7 square and sizes can be read off. ``columns`` panels per row (default: all in one row); ``legend``, a
    line or two under the panels (what the red marks mean)."""
    if not panels:
        raise ValueError("panels is empty: pass a list of (name, mask[, cell[, centre]]) tuples")
    columns = len(panels) if columns is None else _checks.positive_int("columns", columns)
    rows = -(-len(panels) // columns)
    fig = new_figure(figsize=(2.4 * columns, 3.0) if rows == 1 else (3.2 * columns, 4.0 * rows))
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    for ax, panel in zip(axes[: len(panels)], panels, strict=True):
        if len(panel) not in (2, 3, 4):
            raise ValueError(f"each panel is (name, mask[, cell[, centre]]), got {len(panel)} items")
        name, mask = panel[0], panel[1]
        if not isinstance(mask, torch.Tensor):
            raise TypeError(f"panel {name!r} must be a torch.Tensor mask (H, W), got {type(mask).__name__}")
        if mask.dim() != 2:
            raise ValueError(f"panel {name!r} must be one mask (H, W), got shape {tuple(mask.shape)}")
        used = mask.detach().cpu() != 0
        height, width = used.shape
        ax.imshow(used.numpy(), cmap="Blues", vmin=0, vmax=1.25, interpolation="nearest")
        ax.set_title(f"{name}:\n{int(used.sum())} of {used.numel()} pixels", fontsize=9)
        ax.set_xticks(np.arange(0, width, 8))
        ax.set_yticks(np.arange(0, height, 8))
        ax.set_xticks(np.arange(-0.5, width, 4), minor=True)
        ax.set_yticks(np.arange(-0.5, height, 4), minor=True)
        ax.grid(which="minor", color="0.8", linewidth=0.4)
        ax.tick_params(labelsize=6, length=2)
        ax.tick_params(which="minor", length=0)
        ax.set_xlabel(f"pixels of the {height} x {width} image", fontsize=7)  # panels may differ in size
        if len(panel) >= 3:
            top, left, size = panel[2]
            if top < 0 or left < 0 or top + size > height or left + size > width or size < 1:
                raise ValueError(f"panel {name!r}: cell {panel[2]} lies outside the {height} x {width} mask")
            ax.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False, edgecolor="red", linewidth=1.3))
        if len(panel) == 4:
            row, col = panel[3]
            if not (0 <= row < height and 0 <= col < width):
                raise ValueError(f"panel {name!r}: centre {panel[3]} lies outside the {height} x {width} mask")
            ax.plot([col], [row], marker="x", color="red", markersize=6, markeredgewidth=1.5, linestyle="none")
    _finish(fig, title, top=0.84 if rows == 1 else 0.95)
    if rows > 1:
        fig.subplots_adjust(hspace=0.45)  # room for the second row's three-line titles (tight_layout leaves too little)
    if legend:
        fig.subplots_adjust(bottom=0.2 if rows == 1 else 0.11)
        fig.text(0.5, 0.01, legend, ha="center", va="bottom", fontsize=8)
    return fig


def gradient_mask_panels(
    window: torch.Tensor, corner: torch.Tensor, interior: torch.Tensor, whole: torch.Tensor,
    token: tuple[int, int], stride: int, final_stride: int,
) -> list[tuple[Any, ...]]:  # fmt: skip
    """Section 2's four :func:`plot_gradient_masks` panels: soft split 1's window of the token at grid ``token``
    (row, col), the corner and an interior final token through the soft splits only (``interior`` from a larger
    image), and the first final token with the token transformers (``whole``); each with its own stride cell
    (``stride`` or ``final_stride`` pixels) and, for the soft splits only, the centre of its field."""
    row, col = token
    return [
        ("one window of soft split 1\n(token 24, stride 4)" if (row, col) == (3, 3) else "one window of soft split 1",
         window, (stride * row, stride * col, stride), (stride * row + 1, stride * col + 1)),
        ("corner final token, soft splits\nonly (cross: its 31x31 field's centre)", corner,
         (0, 0, final_stride), (1, 1)),
        ("interior final token, soft splits\nonly (48x48 image; cross: centre)", interior,
         (final_stride, final_stride, final_stride), (final_stride + 1, final_stride + 1)),
        ("first final token,\ntoken transformers included", whole, (0, 0, final_stride)),
    ]  # fmt: skip


def chain_footprints(splits: Sequence[tuple[int, int, int]], size: int) -> list[tuple[int, int]]:
    """Pixel rows (first, last) of each stage's window for the central final token of a ``size x size`` image.

    Stage ``m``'s entry is the window of one stage-``m`` token, the central one of those the final token
    reaches (stage 1: a ``k x k`` window of pixels; later: ``k x k`` tokens, in pixels); the last entry is the final
    token's receptive field. Columns are the same (square image). Negative or ``>= size``: padding.
    """
    grid = size
    for kernel, stride, padding in splits:
        grid = (grid + 2 * padding - kernel) // stride + 1
        if grid < 1:
            raise ValueError(f"a {size} x {size} image is too small for the splits {tuple(splits)}")
    footprints, first, last = [], grid // 2, grid // 2
    for stage in range(len(splits), 0, -1):  # the final token back to stage 1: [first, last] are stage tokens
        centre = (first + last) // 2
        low = high = centre
        for kernel, stride, padding in reversed(splits[:stage]):
            low, high = low * stride - padding, high * stride - padding + kernel - 1
        footprints.append((low, high))
        kernel, stride, padding = splits[stage - 1]
        first, last = centre * stride - padding, centre * stride - padding + kernel - 1
    return footprints[::-1]


def draw_chain_windows(
    ax: Axes, image: torch.Tensor, splits: Sequence[tuple[int, int, int]], show_sides: bool = True
) -> list[int]:
    """A grayscale ``image`` (square) with each stage's window of the central final token drawn nested (stage 1
    innermost, :func:`chain_footprints`); the outermost, the receptive field, in red. Returns the sides in pixels;
    ``show_sides=False`` leaves the later stages' sides in pixels out of the legend and the red field box out of
    the picture (lesson 07's exercise 1)."""
    picture = as_image(image, name="image")[0].numpy()
    size = picture.shape[0]
    _gray(ax, picture, float(picture.max()))
    footprints = chain_footprints(splits, size)
    sides = [high - low + 1 for low, high in footprints]
    handles = []
    for stage, ((low, _), side, (kernel, stride, _)) in enumerate(zip(footprints, sides, splits, strict=True), 1):
        final = stage == len(splits)
        color = "red" if final else WINDOW_COLORS[(stage - 1) % len(WINDOW_COLORS)]
        unit = "pixels" if stage == 1 else f"stage-{stage - 1} tokens"
        label = f"split {stage}: {kernel} x {kernel} {unit}"
        if stage > 1 and show_sides:  # stage 1's windows are pixels already: no second size
            label += f" = {side} x {side} px"
        label += f", stride {stride} px" if stage == 1 else f", stride {stride} tokens"
        if final:
            label += " (the receptive field)"
        if final and not show_sides:  # the field is exercise 1's answer: its red box stays hidden with its side
            hidden = Rectangle((0, 0), 1, 1, fill=False, ec=color, lw=2.6, ls="--")  # a legend entry only
            # "split 4 of 4": three boxes are drawn, so the legend says the fourth split exists and why it is not drawn
            hidden.set_label(f"split {stage} of {len(splits)}: box hidden until you tick show field")
            handles.append(hidden)
            continue
        patch = Rectangle((low - 0.5, low - 0.5), side, side, fill=False, ec=color, lw=2.6 if final else 1.8)
        handles.append(ax.add_patch(patch))
        handles[-1].set_label(label)
    ax.set_xlim(min(-0.5, footprints[-1][0] - 1), max(size - 0.5, footprints[-1][1] + 1))
    ax.set_ylim(max(size - 0.5, footprints[-1][1] + 1), min(-0.5, footprints[-1][0] - 1))
    ax.add_patch(Rectangle((-0.5, -0.5), size, size, fill=False, ls=":", ec="0.4"))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), fontsize=7.5, frameon=False)
    ax.set_title(f"an interior final token's windows on a {size} x {size} digit", fontsize=9)
    return sides


#: m, the random features of the original Token_performer (the widget's ``"performer"`` token layers).
PERFORMER_FEATURES = 32


#: What a Token_performer stores instead of the N x N matrix: its two N x m feature maps.
PERFORMER_TERMS = f"2 x N x {PERFORMER_FEATURES} (phi(q), phi(k))"


def plot_chain_locality(
    image: torch.Tensor,
    splits: Sequence[tuple[int, int, int]],
    cost: tuple[Sequence[str], Sequence[int], Sequence[int], Sequence[int]],
    title: str | None = None,
    show_sides: bool = True,
    folded: tuple[int, torch.Tensor] | None = None,
) -> Figure:
    """Lesson 07's widget picture: :func:`draw_chain_windows` first (locality; ``show_sides`` as there), then the
    cost panels of :func:`plot_stage_cost` (``cost`` = its ``names, tokens, entries_per_layer, layers``), smaller.
    ``folded = (stage, grid)`` adds, next to the windows, that stage's re-structurization: its tokens (one value
    each, a ``rows x cols`` tensor from :func:`restructured_map`) reshaped back into a 2-D map."""
    fig = new_figure(figsize=(17.5 if folded else 14, 6.0))
    ratios = (1.1, 0.9, 1, 1.25) if folded else (1.1, 1, 1.25)
    # fixed margins instead of tight_layout (60 % of a widget draw's CPU time): tight_layout gave, over every
    # preset chain, folded or not, transformer or performer, left <= 0.011, right >= 0.989, bottom 0.208, top
    # 0.792 and wspace 0.157-0.225; the widest is kept. The bottom 12 % is the legend's row.
    top = 0.792 if title else 0.852
    grid = fig.add_gridspec(
        1, len(ratios), width_ratios=ratios, left=0.011, right=0.989, bottom=0.208, top=top, wspace=0.23
    )
    windows = fig.add_subplot(grid[0, 0])
    draw_chain_windows(windows, image, splits, show_sides)
    legend = windows.get_legend()  # moved to its own row under all the panels: two columns, room for each marker
    handles, labels = legend.legend_handles, [text.get_text() for text in legend.get_texts()]
    legend = windows.legend(
        handles, labels, loc="lower left", bbox_to_anchor=(0.01, 0.005), bbox_transform=fig.transFigure, ncol=2,
        fontsize=8.5, handlelength=2.6, handletextpad=0.8, columnspacing=2.5, frameon=False,
    )  # fmt: skip
    if folded:
        stage, values = folded
        rows, cols = values.shape
        ax = fig.add_subplot(grid[0, 1])
        _gray(ax, values.numpy(), float(values.max()))
        ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
        if rows <= 40 and cols <= 40:  # one cell per token, outlined while the cells are large enough to see
            ax.grid(which="minor", color="tab:orange", linewidth=0.4)
        ax.tick_params(which="minor", length=0)
        ax.set_title(
            f"re-structurization after split {stage}:\nits {rows * cols} tokens reshaped to {rows} x {cols}"
            "\n(each token: its window's mean pixel)",
            fontsize=9,
        )
    middle, right = fig.add_subplot(grid[0, -2]), fig.add_subplot(grid[0, -1])
    _stage_cost_axes(middle, right, *cost)
    names = cost[0]  # short tick labels ("TT 1"), the same in both panels, so four splits' labels do not overlap
    for ax in (middle, right):
        ax.set_xticks(ax.get_xticks(), [_short_stage(name) for name in names], fontsize=8)
    if any(name.startswith("T2T performer") for name in names):
        middle.set_title("tokens N seen by each attention\n(TP = T2T token performer)")
        right.set_title(f"attention-matrix entries per image: heads x N x N;\nTP: {PERFORMER_TERMS}", fontsize=10)
    else:
        middle.set_title("tokens N seen by each attention\n(TT = T2T token transformer)")
        right.set_title("attention-matrix entries per image\n(heads x N x N)", fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def restructured_map(image: torch.Tensor, splits: Sequence[tuple[int, int, int]], stage: int) -> torch.Tensor:
    """The 2-D map T2T hands on after split ``stage`` (1-based) of ``splits`` on a grayscale ``image``
    (``height x width``, or ``1 x height x width``): each split unfolds its input into windows, each token is
    reduced to one value (its window's mean, a stand-in for a token layer's output channel), and the tokens are
    reshaped back into their ``rows x cols`` grid, the image the next split reads. Returns that grid."""
    picture = as_image(image, name="image")[:1].float()  # (1, H, W)
    if not 1 <= stage <= len(splits):
        raise ValueError(f"stage must be 1..{len(splits)}, got {stage}")
    for kernel, stride, padding in splits[:stage]:
        rows = (picture.shape[-2] + 2 * padding - kernel) // stride + 1
        cols = (picture.shape[-1] + 2 * padding - kernel) // stride + 1
        if rows < 1 or cols < 1:
            raise ValueError(f"split {(kernel, stride, padding)} leaves no token on a {tuple(picture.shape[-2:])} map")
        windows = torch.nn.functional.unfold(picture[None], kernel, padding=padding, stride=stride)  # (1, k*k, N)
        picture = windows.mean(1).reshape(1, rows, cols)  # the re-structurization: tokens back to a 2-D grid
    return picture[0]


def _short_stage(name: str) -> str:
    """``"T2T transformer 2"`` -> ``"TT 2"``; ``"backbone (14 layers)"`` -> ``"backbone\n(14 layers)"``."""
    if name.startswith("T2T transformer "):
        return "TT " + name.removeprefix("T2T transformer ")
    if name.startswith("T2T performer "):
        return "TP " + name.removeprefix("T2T performer ")
    return name.replace(" ", "\n", 1)


def plot_seed_pairs(
    comparisons: Sequence[tuple[str, dict[str, Sequence[int]]]],
    total: int,
    title: str | None = None,
    per_row: int = 3,
    *,
    intervals: bool = True,
    shared_legend: bool = False,
) -> Figure:
    """Paired seeds as dots: one panel per comparison ``(label, {arm: correct per seed, other arm: ...})``,
    each seed's two accuracies (``correct / total``, in %) joined by a line, then (``intervals``) one panel with each
    comparison's mean difference (first arm minus second) and its 95 % t-interval over seeds
    (:func:`vit_explained.evidence.paired_seeds`), a dashed line at 0; ``per_row`` panels to a row.
    ``shared_legend``: the colour key and "tied seeds drawn side by side" once, under the figure's title, and each
    panel titled by its label alone."""
    if not comparisons:
        raise ValueError("comparisons must hold at least one (label, {arm: counts, arm: counts})")
    _checks.positive_int("total", total)
    panels = len(comparisons) + int(intervals)
    rows, cols = -(-panels // _checks.positive_int("per_row", per_row)), min(panels, per_row)
    one_row = rows == 1  # one row: the interval panel a little wider, as before
    fig = new_figure(figsize=(4.2 * panels, 4.2) if one_row else (4.4 * cols, 4.6 * rows))
    ratios = [1] * (cols - 1) + [1.3 if one_row and intervals else 1]
    axes = list(fig.subplots(rows, cols, squeeze=False, gridspec_kw={"width_ratios": ratios}).ravel())
    for spare in axes[panels:]:  # an incomplete last row
        spare.remove()
    axes, found = axes[:panels], []
    for ax in axes[1 : len(comparisons)]:
        ax.sharey(axes[0])  # one accuracy scale for every pair panel
    for ax, (label, arms) in zip(axes, comparisons, strict=False):
        if len(arms) != 2:
            raise ValueError(f"comparison {label!r} must have two arms, got {list(arms)}")
        (first, a), (second, b) = arms.items()
        a_pct, b_pct = 100 * np.asarray(a, float) / total, 100 * np.asarray(b, float) / total
        if a_pct.size != b_pct.size or a_pct.size < 2:
            raise ValueError(f"comparison {label!r}: both arms need the same seeds (at least 2)")
        seen: Counter = Counter()
        for seed, (high, low) in enumerate(zip(a_pct, b_pct, strict=True)):
            shift = 0.04 * (seed - (a_pct.size - 1) / 2)  # seeds side by side
            shift += 0.12 * seen[high, low]  # a seed tied with an earlier one (the same pair) moves right: jitter
            seen[high, low] += 1
            color = "tab:green" if high > low else "tab:red" if high < low else "tab:gray"
            ax.plot([shift, 1 + shift], [high, low], "-o", color=color, markersize=4, linewidth=1, alpha=0.8)
        ax.set_xticks([0, 1], [first, second])
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylabel(f"validation accuracy (%, of {total} digits)")
        tied = "; tied seeds drawn side by side" if max(seen.values()) > 1 else ""
        key = f"one line per seed ({a_pct.size}{tied}):\ngreen {first} higher, red lower, gray tie"
        ax.set_title(label if shared_legend else f"{label}\n{key}", fontsize=10 if shared_legend else 8)
        ax.grid(axis="y", alpha=0.3)
        run = paired_seeds(a_pct / 100, b_pct / 100, names=(first, second), percent=True).t_interval()
        found.append((f"{first}\n- {second}", 100 * run.estimate, 100 * run.low, 100 * run.high))
    if intervals:
        _draw_intervals(axes[-1], found)
    if shared_legend:  # once, for every panel: the left arm is the one named first
        key = "one line per seed; tied seeds drawn side by side; green: the left arm higher, red: lower, gray: a tie"
        key += "\nevery panel has the same accuracy axis, which does not start at 0" * bool(axes[0].get_ylim()[0] > 0)
        title = f"{title}\n{key}" if title else key
    return _finish(fig, title, top=0.93 if shared_legend else 0.95)


def _draw_intervals(last, intervals: list[tuple[str, float, float, float]]) -> None:
    """``plot_seed_pairs``' last panel: each ``(name, mean, low, high)`` as a dot with its interval, labelled."""
    for row, (_, mean, low, high) in enumerate(intervals):
        last.errorbar(mean, row, xerr=[[mean - low], [high - mean]], fmt="o", color="black", capsize=4)
    last.axvline(0, color="gray", linestyle="--", linewidth=1)
    left, right = last.get_xlim()
    for row, (_, mean, low, high) in enumerate(intervals):  # labels that never run past a cap or the axis
        text = f"{mean:+.1f} [{low:+.1f}, {high:+.1f}]"
        if (high - left) / (right - left) < 0.6:  # room right of the bar: the label beside its right cap
            last.annotate(text, (high, row), xytext=(6, 0), textcoords="offset points", ha="left", va="center",
                          fontsize=8)  # fmt: skip
        else:  # right-aligned at the panel's edge, above the bar
            last.annotate(text, (0.98, row), xycoords=last.get_yaxis_transform(), xytext=(0, 9),
                          textcoords="offset points", ha="right", fontsize=8)  # fmt: skip
    last.set_yticks(range(len(intervals)), [name for name, *_ in intervals], fontsize=8)
    last.set_ylim(-0.7, len(intervals) - 0.3)
    last.invert_yaxis()
    last.set_xlabel("mean difference, points (95 % t-interval over seeds)")
    last.set_title("mean paired difference", fontsize=9)


PARAMETER_PARTS = ("embeddings", "blocks", "final norm + head")
#: The same parts with the embeddings split in two: what turns pixels into tokens, and the tokens' table.
PARAMETER_PARTS_SPLIT = ("T2T module / patch embedding", "class token + positions", "blocks", "final norm + head")


def plot_parameter_parts(models: dict[str, dict[str, int]], title: str | None = None) -> Figure:
    """One stacked bar per model: its parameters split into :data:`PARAMETER_PARTS`, or into
    :data:`PARAMETER_PARTS_SPLIT` (``{model: {part: count}}``, each part a count of parameters, every model
    with the same parts), in millions: each part labelled with its count (under the bar's name when the part
    is too thin to hold it) and the bar's total above it."""
    if not models:
        raise ValueError("models must hold at least one {part: count} dict")
    first = set(next(iter(models.values())))
    order = PARAMETER_PARTS_SPLIT if first == set(PARAMETER_PARTS_SPLIT) else PARAMETER_PARTS
    colors = {
        "embeddings": "tab:orange", "T2T module / patch embedding": "tab:orange",
        "class token + positions": "tab:purple", "blocks": "tab:blue", "final norm + head": "tab:green",
    }  # fmt: skip
    split = order == PARAMETER_PARTS_SPLIT
    fig = new_figure(figsize=(11, 4.4) if split else (7.5, 4.4))
    if split:  # a second panel: the part that makes the tokens, too thin to see on the stacked bars
        ax, stem_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": (2.4, 1)})
    else:
        ax = fig.subplots()
    names = list(models)
    for name, parts in models.items():
        if set(parts) != set(order):
            raise ValueError(f"model {name!r} must have the parts {order}, got {sorted(parts)}")
        for part in order:
            _checks.non_negative_int(f"{name}: {part}", parts[part])
    highest = max(sum(parts.values()) for parts in models.values()) / 1e6
    for x, name in enumerate(names):
        bottom = 0.0
        for part in order:
            height = models[name][part] / 1e6
            label = f"{part} (too thin here: see right)" if split and part == PARAMETER_PARTS_SPLIT[0] else part
            ax.bar(x, height, bottom=bottom, width=0.6, color=colors[part], edgecolor="white",
                   label=label if x == 0 else None)  # fmt: skip
            if height > 0.04 * highest:
                ax.text(x, bottom + height / 2, f"{height:.2f}M", ha="center", va="center", fontsize=8, color="white")
            bottom += height
        ax.text(x, bottom + 0.01 * highest, f"{bottom:.1f}M", ha="center", va="bottom", fontsize=9)
    thin = [  # parts too thin to hold a label go under the bar's name (the token maker: in its own panel)
        "\n".join(
            f"{part} {models[name][part] / 1e6:.2f}M"
            for part in order
            if models[name][part] / 1e6 <= 0.04 * highest and not (split and part == PARAMETER_PARTS_SPLIT[0])
        )
        for name in names
    ]
    labels = [f"{name}\n{small}" if small else name for name, small in zip(names, thin, strict=True)]
    ax.set_xticks(range(len(names)), labels, fontsize=8)
    ax.set_ylabel("parameters (millions)")
    ax.set_ylim(0, 1.12 * highest)
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    if split:
        _draw_token_makers(stem_ax, {name: models[name][PARAMETER_PARTS_SPLIT[0]] for name in names}, colors)
    return _finish(fig, title, top=0.93)


def _draw_token_makers(ax, counts: dict[str, int], colors: dict[str, str]) -> None:
    """plot_parameter_parts' second panel: each model's T2T module or patch embedding alone, in thousands (too
    thin to see on the stacked bars)."""
    stems = [count / 1e3 for count in counts.values()]
    ax.barh(range(len(stems)), stems, color=colors[PARAMETER_PARTS_SPLIT[0]])
    for y, value in enumerate(stems):
        ax.text(value, y, f" {value:,.0f}k", va="center", fontsize=8)
    ax.set_yticks(range(len(stems)), list(counts), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.3 * max(stems))
    ax.set_xlabel("parameters (thousands)")
    ax.set_title("T2T module / patch embedding alone", fontsize=9)
    ax.grid(axis="x", alpha=0.3)


def plot_local_and_global(
    digit: torch.Tensor,
    window: torch.Tensor,
    weights: torch.Tensor,
    cell: tuple[int, int, int],
    title: str | None = None,
) -> Figure:
    """Two panels over one digit ``(H, W)``: the pixels one soft-split token depends on (``window``, a boolean
    ``(H, W)`` mask, in blue over the digit), and the same token's attention row in the token transformer
    (``weights``, ``(rows, cols)``, each token drawn as its ``stride x stride`` cell), with the token's own
    cell ``(top, left, size)`` outlined in red on both. The colour scale of the weights starts at 0, so a
    cell drawn white gets no weight and every tinted cell gets some."""
    for name, value in (("digit", digit), ("window", window), ("weights", weights)):
        if not isinstance(value, torch.Tensor) or value.dim() != 2:
            raise ValueError(f"{name} must be a 2-d torch.Tensor, got {getattr(value, 'shape', type(value))}")
    digit, window, weights = (value.detach().cpu().float() for value in (digit, window, weights))
    height, width = digit.shape
    rows, cols = weights.shape
    if tuple(window.shape) != (height, width) or height % rows or width % cols or height // rows != width // cols:
        raise ValueError(
            f"window {tuple(window.shape)} must be the digit's {(height, width)}, and weights {(rows, cols)} "
            "a grid whose square cells tile it"
        )
    stride = height // rows
    top, left, size = cell
    fig = new_figure(figsize=(7.0, 3.4))
    left_ax, right_ax = fig.subplots(1, 2)
    left_ax.imshow(digit.numpy(), cmap="gray_r", vmin=0, vmax=float(digit.max()) or 1.0, interpolation="nearest")
    shade = np.zeros((height, width, 4))
    shade[window.numpy().astype(bool)] = (0.12, 0.35, 0.85, 0.45)
    left_ax.imshow(shade, interpolation="nearest")
    used = int(window.bool().sum())
    left_ax.set_title(f"soft split 1: the token's window\n(blue, {used} of {height * width} pixels)", fontsize=9)
    cells = weights.repeat_interleave(stride, 0).repeat_interleave(stride, 1).numpy()
    shown = right_ax.imshow(cells, cmap="Oranges", vmin=0, vmax=float(weights.max()), interpolation="nearest")
    right_ax.contour(digit.numpy(), levels=[0.5 * float(digit.max())], colors="0.25", linewidths=0.8)
    right_ax.set_title(f"token transformer 1: its attention row\n(all {rows * cols} tokens get weight > 0)", fontsize=9)
    fig.colorbar(shown, ax=right_ax, fraction=0.046, pad=0.03).ax.tick_params(labelsize=6)
    for ax in (left_ax, right_ax):
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False, edgecolor="red", linewidth=1.3))
        ax.set_xticks(np.arange(0, width, stride * 2))
        ax.set_yticks(np.arange(0, height, stride * 2))
        ax.tick_params(labelsize=6, length=2)
    return _finish(fig, title, top=0.9)


def _draw_channel_planes(
    ax, positions: dict[int, tuple[int, int]], colors: list, channels: int, token: int, shift: float
) -> None:
    """The folded map of ``plot_token_fold``: plane ``c`` (drawn back to front, each shifted by ``shift``) holds
    every token's feature ``c`` at the token's ``(row, col)``, in that feature's shade; ``token`` outlined on plane 0
    (the patches and their order are those the lesson's picture stores)."""
    for plane in reversed(range(channels)):
        dx, dy = plane * shift, -plane * shift
        for index, (row, col) in positions.items():
            edge = "black" if index == token and plane == 0 else "white"
            shade = _feature_shade(colors[index], plane, channels)
            ax.add_patch(Rectangle((col + dx, row + dy), 1, 1, fc=shade, ec=edge, lw=1.6 if edge == "black" else 0.8))
            if plane == 0:
                ax.text(col + 0.5, row + 0.5, str(index), ha="center", va="center", fontsize=8)


def plot_token_fold(
    rows: int = 3, cols: int = 5, channels: int = 4, token: int = 8, title: str | None = None
) -> Figure:
    """What ``tokens_to_image`` does, on a small grid: a strip of ``rows * cols`` tokens, each a column of
    ``channels`` features in the token's own colour, shaded light (feature 0) to dark (the last feature), folded
    into a ``channels x rows x cols`` map. Token ``i`` lands on pixel ``(i // cols, i % cols)`` of every channel
    plane, and feature ``c`` on plane ``c``, in the same shade; ``token`` is outlined in both panels.
    Returns the figure; ``fig.fold_positions`` maps each token to its ``(row, col)``."""
    if rows < 1 or cols < 1 or channels < 1 or not 0 <= token < rows * cols:
        raise ValueError(
            f"need rows, cols, channels >= 1 and 0 <= token < rows * cols, got {rows, cols, channels, token}"
        )
    count = rows * cols
    colors = [_token_color(index / max(count - 1, 1)) for index in range(count)]
    fig = new_figure(figsize=(9.0, 3.3))
    strip_ax, map_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1.5, 1)})
    for index, color in enumerate(colors):  # the strip: token i is column i, its features stacked
        for feature in range(channels):
            edge = "black" if index == token else "white"
            shade = _feature_shade(color, feature, channels)
            strip_ax.add_patch(Rectangle((index, feature), 1, 1, fc=shade, ec=edge, lw=1.6 if index == token else 0.8))
        strip_ax.text(index + 0.5, -0.45, str(index), ha="center", va="center", fontsize=7)
    strip_ax.set_xlim(-1.2, count + 0.2)
    strip_ax.set_ylim(channels + 0.3, -1.0)
    strip_ax.set_title(f"{count} tokens (N = {rows} x {cols}), each {channels} features (D = C)", fontsize=9)
    strip_ax.set_ylabel("feature c\n(-> channel c)", fontsize=8)
    for feature in range(channels):
        strip_ax.text(-0.15, feature + 0.5, f"c={feature}", ha="right", va="center", fontsize=7)
    positions = {index: divmod(index, cols) for index in range(count)}
    shift = 0.22  # each channel plane drawn behind the previous one, shifted up and to the right
    _draw_channel_planes(map_ax, positions, colors, channels, token, shift)
    map_ax.set_xlim(-0.2, cols + channels * shift + 0.2)
    map_ax.set_ylim(rows + 0.2, -channels * shift - 0.2)
    row, col = positions[token]
    map_ax.set_title(
        f"folded: C x {rows} x {cols} = {channels} x {rows} x {cols}\n"
        f"token {token} -> pixel ({token} // {cols}, {token} % {cols}) = ({row}, {col})",
        fontsize=9,
    )
    for ax in (strip_ax, map_ax):
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
    fig.fold_positions = positions
    return _finish(fig, title, top=0.86)


def _feature_shade(color: Sequence[float], feature: int, channels: int) -> tuple[float, float, float]:
    """The token's ``color`` shaded for feature (channel) ``feature`` of ``channels``: half-way to white for
    feature 0, a third of the way to black for the last one, so the rows (and planes) read light to dark."""
    t = feature / max(channels - 1, 1)
    base = np.asarray(color[:3], dtype=float)
    light, dark = base + 0.5 * (1 - base), base * (1 - 0.35)
    return tuple(float(v) for v in (1 - t) * light + t * dark)


def _token_color(value: float) -> tuple[float, float, float, float]:
    """A light qualitative colour for ``value`` in [0, 1] (matplotlib's ``tab20``), so that the black index
    labels stay readable."""
    from matplotlib import colormaps

    return colormaps["tab20"](value)


def plot_trained_attention_rows(
    digit: torch.Tensor,
    rows: dict[str, torch.Tensor],
    cell: tuple[int, int, int],
    title: str | None = None,
) -> Figure:
    """One token's attention rows side by side over one digit ``(H, W)``: ``rows`` maps a name (say "initial",
    "trained") to a ``(rows, cols)`` grid of weights, each token drawn as its ``stride x stride`` cell. All
    panels share one colour scale from 0 to the largest weight, so a flat row looks pale; the digit's outline
    is drawn in grey and the token's own cell ``(top, left, size)`` in red."""
    if not isinstance(digit, torch.Tensor) or digit.dim() != 2 or not rows:
        raise ValueError("digit must be a 2-d torch.Tensor and rows a non-empty dict of 2-d weight grids")
    digit = digit.detach().cpu().float()
    height, width = digit.shape
    grids = {name: weights.detach().cpu().float() for name, weights in rows.items()}
    for name, weights in grids.items():
        if weights.dim() != 2 or height % weights.shape[0] or height // weights.shape[0] != width // weights.shape[1]:
            raise ValueError(
                f"{name}: weights {tuple(weights.shape)} must be a grid whose square cells tile {height, width}"
            )
    top_value = max(float(weights.max()) for weights in grids.values())
    top, left, size = cell
    fig = new_figure(figsize=(2.9 * len(grids) + 0.8, 3.2))
    axes = np.atleast_1d(fig.subplots(1, len(grids)))
    for ax, (name, weights) in zip(axes, grids.items(), strict=True):
        stride = height // weights.shape[0]
        cells = weights.repeat_interleave(stride, 0).repeat_interleave(stride, 1).numpy()
        shown = ax.imshow(cells, cmap="Oranges", vmin=0, vmax=top_value, interpolation="nearest")
        ax.contour(digit.numpy(), levels=[0.5 * float(digit.max())], colors="0.25", linewidths=0.8)
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False, edgecolor="red", linewidth=1.3))
        ax.set_title(f"{name}: largest weight {float(weights.max()):.3f}", fontsize=9)
        ax.set_xticks(np.arange(0, width, stride * 2))
        ax.set_yticks(np.arange(0, height, stride * 2))
        ax.tick_params(labelsize=6, length=2)
    fig.colorbar(shown, ax=axes[-1], fraction=0.046, pad=0.03).ax.tick_params(labelsize=6)
    return _finish(fig, title, top=0.9)


def plot_folded_channels(
    image: torch.Tensor,
    feature_map: torch.Tensor,
    channels: Sequence[int],
    title: str | None = None,
    window_means: torch.Tensor | None = None,
) -> Figure:
    """An image ``(H, W)`` beside some ``channels`` of its folded token map ``(C, rows, cols)`` (the output of
    ``tokens_to_image`` after the first token transformer): each channel drawn on its own colour scale, so the
    reader sees the tokens still laid out where their windows were. ``window_means`` ``(rows, cols)``, if given,
    is drawn second: each soft-split window's mean pixel, folded the same way with no token transformer."""
    if not isinstance(image, torch.Tensor) or image.dim() != 2 or feature_map.dim() != 3 or not channels:
        raise ValueError("image must be (H, W), feature_map (C, rows, cols), and channels non-empty")
    if any(not 0 <= channel < feature_map.shape[0] for channel in channels):
        raise ValueError(f"channels {tuple(channels)} must lie in 0..{feature_map.shape[0] - 1}")
    rows, cols = feature_map.shape[1:]
    if window_means is not None and tuple(window_means.shape) != (rows, cols):
        raise ValueError(f"window_means must be ({rows}, {cols}), got {tuple(window_means.shape)}")
    picture = image.detach().cpu().float()
    panels = [  # each channel on its own colour scale: the values are random features, in arbitrary units
        (f"channel {channel}\n{rows} x {cols} tokens\n(arbitrary units)", feature_map[channel]) for channel in channels
    ]
    if window_means is not None:
        panels.insert(0, (f"window means\n(no token transformer)\n{rows} x {cols} tokens", window_means))
    tall = rows >= 2 * cols  # a tall strip (400 x 100): larger panels so each channel can be read
    # the panels' height follows their aspect (rows / cols), so no band of white opens under the title
    width = 1.9 if tall else 1.3
    height = min(width * 0.8 * rows / cols, 7.0) + 1.9  # 0.6 in of it for the colour bars
    fig = new_figure(figsize=(width * (len(panels) + 1) + 0.3, height))
    axes = fig.subplots(1, len(panels) + 1)
    _gray(axes[0], picture.numpy(), float(picture.max()))
    axes[0].set_title(f"the image\n{picture.shape[0]} x {picture.shape[1]} px", fontsize=9)
    for index, (ax, (name, values)) in enumerate(zip(axes[1:], panels, strict=True)):
        array = values.detach().cpu().float().numpy()
        if window_means is not None and index == 0:  # pixels: drawn as the image is
            _gray(ax, array, float(array.max()))
        else:  # a colour bar under the panel (a child axes, so fig.axes keeps one entry per panel)
            shown = ax.imshow(array, cmap="viridis", interpolation="nearest")
            bar = ax.figure.colorbar(shown, cax=ax.inset_axes((0.0, -0.07, 1.0, 0.025)), orientation="horizontal")
            bar.ax.tick_params(labelsize=7)
        ax.set_title(name, fontsize=9)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    _finish(fig, title, top=1 - 0.4 / height)  # the title's line, 0.4 in, and no more
    fig.subplots_adjust(bottom=0.75 / height)  # the colour bars and their ticks, which tight_layout does not see
    return fig


def plot_attention_offsets(maps: dict[str, dict[str, torch.Tensor]], reach: int, title: str | None = None) -> Figure:
    """Average attention by offset: ``maps[run][name]`` is a ``(2R - 1, 2R - 1)`` grid of mean weights times the
    number of tokens (1 = a uniform row), offset (0, 0) in the middle (:func:`vit_explained.t2t.attention_by_offset`).
    Runs are columns, names (say "initial", "trained") rows; offsets up to ``reach`` tokens are drawn, on one
    diverging colour scale around 1, the token itself outlined."""
    names = list(next(iter(maps.values()), {}))
    if not names or any(list(row) != names for row in maps.values()):
        raise ValueError("maps must be a non-empty {run: {name: grid}} with the same names in every run")
    middle = next(iter(maps[next(iter(maps))].values())).shape[0] // 2
    if reach < 1 or reach > middle:
        raise ValueError(f"reach must be 1 to {middle}, got {reach}")
    crop = {run: {name: grid[middle - reach : middle + reach + 1, middle - reach : middle + reach + 1].float()
                  for name, grid in row.items()} for run, row in maps.items()}  # fmt: skip
    spread = max(float((grid - 1).abs().max()) for row in crop.values() for grid in row.values())
    fig = new_figure(figsize=(2.3 * len(maps) + 1.0, 2.3 * len(names) + 0.6))
    axes = np.atleast_2d(fig.subplots(len(names), len(maps), squeeze=False))
    ticks = [0, reach, 2 * reach]
    for column, (run, row) in enumerate(crop.items()):
        for line, name in enumerate(names):
            ax = axes[line, column]
            shown = ax.imshow(
                row[name].numpy(), cmap="RdBu_r", vmin=1 - spread, vmax=1 + spread, interpolation="nearest"
            )
            ax.add_patch(Rectangle((reach - 0.5, reach - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.2))
            ax.set_title(f"{run}, {name}", fontsize=9)
            ax.set_xticks(ticks, [f"{t - reach:+d}" if t != reach else "0" for t in ticks], fontsize=7)
            ax.set_yticks(ticks, [f"{t - reach:+d}" if t != reach else "0" for t in ticks], fontsize=7)
    fig.colorbar(shown, ax=axes, fraction=0.03, pad=0.02, label="weight / uniform").ax.tick_params(labelsize=7)
    fig.suptitle(title or "", fontsize=10)
    return fig


# --- the stored first token transformer, before and after training (benchmarks/bench_lesson07_trained_stem.py) ---

#: Where the stem's stored first token transformers (49 -> 32; seeds 0-2, "initial" and "trained") live.
TRAINED_STEM_FILE = "lesson07_trained_token_transformer.safetensors"
TRAINED_STEM_GRID = 12  #: the 12 x 12 soft-split windows of a 48 x 48 digit


def stored_stem_block(prefix: str, stored: dict[str, torch.Tensor] | None = None) -> nn.Module:
    """The stem's first token transformer ``TokenTransformer(49, 32)`` with the weights stored under ``prefix``
    (e.g. ``"seed0.trained"``) in :data:`TRAINED_STEM_FILE`; ``stored`` is that file's tensors, read when None."""
    from pathlib import Path

    from safetensors.torch import load_file

    from ..t2t import TokenTransformer

    if stored is None:
        stored = load_file(Path(__file__).resolve().parents[1] / "checkpoints" / TRAINED_STEM_FILE)
    weights = {key[len(prefix) + 1 :]: value for key, value in stored.items() if key.startswith(prefix + ".")}
    if not weights:
        raise ValueError(f"no stored weights under {prefix!r}")
    with torch.device("meta"):  # shapes only: no random draw, the stored weights fill it
        block = TokenTransformer(49, 32)
    block.load_state_dict(weights, assign=True)
    return block


def stem_windows(images: torch.Tensor) -> torch.Tensor:
    """``(B, 144, 49)``: the first soft split's (7, 4, 2) windows of 48 x 48 grayscale ``images``."""
    from ..soft_split import SoftSplit
    from ..t2t import T2T_SPLITS

    return SoftSplit(*T2T_SPLITS[0])(images)


def stem_attention_rows(block: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """``(B, 144, 144)``: ``block``'s attention weights on the 12 x 12 windows of 48 x 48 ``images``."""
    with torch.no_grad():
        _, weights = block.attn(block.norm1(stem_windows(images)), return_attention=True)
    return weights[:, 0]  # one head


def ink_following(block: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """``(B, 32)``: for each image and output channel of ``block``, absolute correlation over the 144 tokens between the
    channel and the mean pixel of the token's window (how closely the folded channel follows the ink)."""
    windows = stem_windows(images)
    with torch.no_grad():
        out = block(windows)  # (B, 144, 32)
    ink = windows.mean(-1, keepdim=True)  # (B, 144, 1)
    a, b = out - out.mean(1, keepdim=True), ink - ink.mean(1, keepdim=True)
    return ((a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)).abs()


def plot_trained_fold(image: torch.Tensor, maps: dict[str, torch.Tensor], follow: dict[str, torch.Tensor],
                      channels: Sequence[int], title: str | None = None,
                      image_label: str = "input digit") -> Figure:  # fmt: skip
    """A digit ``(H, W)`` (titled ``image_label`` in every row: the same input) and, per row ``name`` (its label),
    the same ``channels`` of its folded map ``maps[name]`` ``(C, rows, cols)``, each titled with how closely it
    follows the ink there (``follow[name]``: ``(C,)`` absolute correlation)."""
    if image.dim() != 2 or not maps or set(maps) != set(follow) or not channels:
        raise ValueError("image must be (H, W); maps and follow need the same non-empty names; channels non-empty")
    count = len(channels)
    fig = new_figure(figsize=(1.7 * (count + 1) + 0.4, 2.2 * len(maps) + 0.5))
    axes = np.atleast_2d(fig.subplots(len(maps), count + 1, squeeze=False))
    picture = image.detach().cpu().float().numpy()
    for row, (name, feature_map) in zip(axes, maps.items(), strict=True):
        _gray(row[0], picture, float(picture.max()))
        row[0].set_title(image_label, fontsize=8)
        row[0].set_ylabel(f"{name} stem", fontsize=8)
        for ax, channel in zip(row[1:], channels, strict=True):
            ax.imshow(feature_map[channel].detach().cpu().float().numpy(), cmap="viridis", interpolation="nearest")
            ax.set_title(f"channel {channel}: |corr.| {float(follow[name][channel]):.2f}", fontsize=8)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    return _finish(fig, title, top=0.93)


def map_agreement(before: nn.Module, after: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """``(B, 32)``: per image and output channel, the correlation over the 144 tokens between the channel's folded
    map under ``before`` and under ``after`` (1: the same map up to scale and offset)."""
    windows = stem_windows(images)
    with torch.no_grad():
        a, b = before(windows), after(windows)  # (B, 144, 32)
    a, b = a - a.mean(1, keepdim=True), b - b.mean(1, keepdim=True)
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)


def trained_stem_weights() -> dict[str, torch.Tensor]:
    """Every tensor of :data:`TRAINED_STEM_FILE` (``"digit"`` and ``"seed{s}.{initial|trained}.<parameter>"``)."""
    from pathlib import Path

    from safetensors.torch import load_file

    return load_file(Path(__file__).resolve().parents[1] / "checkpoints" / TRAINED_STEM_FILE)


def stem_attention_study(
    images: torch.Tensor, stored: dict[str, torch.Tensor], seeds: Sequence[int] = (0, 1, 2)
) -> dict[str, Any]:
    """Section 6's reading of the stored stems on 48 x 48 ``images``: per seed and name ("initial", "trained"),
    the mean over images and rows of the weight on the 3x3 neighbourhood (``near_share``), on tokens whose window
    holds a pixel above 0.5 (``ink_share``) and a row's largest weight (``row_peak``); the mean attention by offset
    (``by_offset["seed s"][name]``, :func:`vit_explained.t2t.attention_by_offset`); the masks ``near`` (144, 144)
    and ``ink`` (B, 144); ``every_weight_positive``; ``weights``, the last block's rows."""
    from ..t2t import attention_by_offset

    side = TRAINED_STEM_GRID
    grid_rows, grid_cols = torch.arange(side * side) // side, torch.arange(side * side) % side
    near = ((grid_rows[:, None] - grid_rows).abs() <= 1) & ((grid_cols[:, None] - grid_cols).abs() <= 1)  # 3x3
    ink = stem_windows(images).amax(-1) > 0.5  # (B, 144): the token's window holds a pixel above 0.5
    study: dict[str, Any] = {"near": near, "ink": ink, "by_offset": {}, "every_weight_positive": True}
    for key in ("near_share", "ink_share", "row_peak"):
        study[key] = {"initial": [], "trained": []}  # one mean per seed
    for seed in seeds:
        for name in ("initial", "trained"):
            weights = stem_attention_rows(stored_stem_block(f"seed{seed}.{name}", stored), images)  # (B, 144, 144)
            study["every_weight_positive"] &= bool((weights > 0).all())  # nothing masks a score
            study["near_share"][name].append(float((weights * near).sum(-1).mean()))
            study["ink_share"][name].append(float((weights * ink[:, None]).sum(-1).mean()))
            study["row_peak"][name].append(float(weights.max(-1).values.mean()))
            study["by_offset"].setdefault(f"seed {seed}", {})[name] = attention_by_offset(weights, side, side)
    study["weights"] = weights
    return study


def trained_fold_study(
    images: torch.Tensor, stored: dict[str, torch.Tensor], seeds: Sequence[int] = (0, 1, 2)
) -> dict[str, Any]:
    """Section 6's ink reading of the stored stems on 48 x 48 ``images``: ``follow[(seed, name)]`` (B, 32) from
    :func:`ink_following`; per name, the per-seed means of the closest channel (``closest``) and of every channel
    (``every_channel``); their trained-vs-initial :func:`paired_seeds` (``closest_change``, ``mean_change``);
    ``maps[name]`` (32, 12, 12), the first image folded by seed ``seeds[0]``'s stem, ``maps_follow[name]`` (32,),
    that image's abs. correlation per channel, and ``channels``, the 4 closest after training; per seed, ``same_map``,
    the mean over channels and images of :func:`map_agreement` (``per_channel``: (seeds, 32), mean over images);
    ``report``, the printed lines."""
    from ..t2t import tokens_to_image

    names = ("initial", "trained")
    follow = {(seed, name): ink_following(stored_stem_block(f"seed{seed}.{name}", stored), images)
              for seed in seeds for name in names}  # fmt: skip
    with torch.no_grad():
        maps = {name: tokens_to_image(stored_stem_block(f"seed{seeds[0]}.{name}", stored)(stem_windows(images[:1])),
                                      TRAINED_STEM_GRID, TRAINED_STEM_GRID)[0] for name in names}  # fmt: skip
    closest = {name: [float(follow[seed, name].max(-1).values.mean()) for seed in seeds] for name in names}
    every_channel = {name: [float(follow[seed, name].mean()) for seed in seeds] for name in names}
    closest_change, mean_change = (paired_seeds(v["trained"], v["initial"], names=("trained", "initial"))
                                   for v in (closest, every_channel))  # fmt: skip
    report = (f"the closest channel's |corr.| with the ink, mean over {len(images)} digits: {closest_change}\n"
              f"|corr.| with the ink, mean over all 32 channels and {len(images)} digits: {mean_change}")  # fmt: skip
    blocks = {seed: [stored_stem_block(f"seed{seed}.{name}", stored) for name in names] for seed in seeds}
    per_channel = torch.stack([map_agreement(*blocks[seed], images).mean(0) for seed in seeds])  # (seeds, 32)
    same_map = [float(row.mean()) for row in per_channel]
    report += (f"\na channel's trained map against its initial map, corr. over the 144 tokens, mean over 32 channels"
               f" and {len(images)} digits: {min(same_map):.2f}..{max(same_map):.2f} on {len(seeds)} seeds;"
               f" single channels {float(per_channel.min()):.2f}..{float(per_channel.max()):.2f}")  # fmt: skip
    maps_follow = {name: follow[seeds[0], name][0] for name in names}
    channels = maps_follow["trained"].argsort(descending=True)[:4].tolist()  # ranked after training
    return {"follow": follow, "maps": maps, "maps_follow": maps_follow, "closest": closest, "channels": channels,
            "every_channel": every_channel, "closest_change": closest_change, "mean_change": mean_change,
            "same_map": same_map, "per_channel": per_channel, "report": report}  # fmt: skip


def stem_attention_changes(study: dict[str, Any], seeds: Sequence[int] = (0, 1, 2)) -> dict[str, Any]:
    """The trained-vs-initial comparisons of a :func:`stem_attention_study`: ``share_change``, ``ink_change``,
    ``peak_change`` (:func:`paired_seeds`), ``peak_ratio`` per seed, ``own`` (the token's weight on itself over a
    uniform row's, per name and seed) and ``report``, the printed lines."""
    pair = {key: paired_seeds(study[key]["trained"], study[key]["initial"], names=("trained", "initial"))
            for key in ("near_share", "ink_share", "row_peak")}  # fmt: skip
    peak = study["row_peak"]
    peak_ratio = [after / before for after, before in zip(peak["trained"], peak["initial"], strict=True)]
    middle = TRAINED_STEM_GRID - 1  # the zero offset in attention_by_offset's (23, 23) grid
    own = {name: [study["by_offset"][f"seed {s}"][name][middle, middle].item() for s in seeds]
           for name in ("initial", "trained")}  # fmt: skip
    cells = TRAINED_STEM_GRID**2
    report = "\n".join([
        f"a uniform row: 3x3 share {study['near'].float().mean():.3f} on average,"
        f" largest weight 1/{cells} = {1 / cells:.3f}",
        f"3x3 share: {pair['near_share']}",
        f"on ink (a uniform row: {study['ink'].float().mean():.3f}): {pair['ink_share']}",
        f"largest weight: {pair['row_peak']}",
        "the token's weight on itself, / uniform: "
        + "; ".join(f"{name} {min(v):.2f} to {max(v):.2f}" for name, v in own.items()),
        f"largest weight, trained / initial: {min(peak_ratio):.1f}x to {max(peak_ratio):.1f}x;"
        f" sign test over {len(seeds)} seeds: p = {pair['row_peak'].sign_p_value:.2f}",
    ])  # fmt: skip
    return {"share_change": pair["near_share"], "ink_change": pair["ink_share"], "peak_change": pair["row_peak"],
            "peak_ratio": peak_ratio, "own": own, "report": report}  # fmt: skip


def nested_windows(splits: Sequence[tuple[int, int, int]], size: int) -> list[tuple[int, int, list[int]]]:
    """For each stage of the central final token of a ``size x size`` image: ``(low, side, starts)``, its window's
    first pixel row and side in pixels (:func:`chain_footprints`), and the first pixel rows of the ``kernel`` windows
    of the previous stage's tokens that it merges (stage 1: its pixels, one each). Columns are the same."""
    footprints = chain_footprints(splits, size)
    nested, step = [], 1  # step: the previous stage's stride, in pixels
    previous_side = 1
    for (low, high), (kernel, stride, _) in zip(footprints, splits, strict=True):
        nested.append((low, high - low + 1, [low + j * step for j in range(kernel)]))
        assert starts_fit(nested[-1], previous_side), "each window is its parts' windows, side by side with overlap"
        previous_side, step = high - low + 1, step * stride
    return nested


def starts_fit(window: tuple[int, int, list[int]], part_side: int) -> bool:
    """Does the last part's window end where ``window`` ends? (:func:`nested_windows`'s own check.)"""
    low, side, starts = window
    return starts[-1] + part_side == low + side


def _locator_inset(ax, picture, low: int, side: int, color) -> None:
    """A small inset in ``ax``'s corner: the whole ``picture`` with the zoomed ``side`` x ``side`` window at
    (``low``, ``low``) outlined, so a zoomed panel shows where it sits (lower right, outside the window)."""
    inset = ax.inset_axes((0.78, 0.01, 0.21, 0.21))  # the corner the zoomed window leaves free
    _gray(inset, picture, float(picture.max()))
    inset.add_patch(Rectangle((low - 0.5, low - 0.5), side, side, fill=False, ec=color, lw=1.4))
    inset.set(xticks=[], yticks=[])


def plot_nested_windows(
    image: torch.Tensor, splits: Sequence[tuple[int, int, int]], title: str | None = None
) -> Figure:
    """Tokens to token, one panel per soft split, on a square grayscale ``image``: the central final token's
    stage-``m`` window (thick), drawn over the middle row of the ``k`` x ``k`` stage-``m - 1`` windows it merges
    (the first one shaded, the others dashed; stage 1: all its ``k`` x ``k`` pixels). Stage 1 sees 7 x 7 pixels;
    stage 2 merges 3 x 3 of those
    windows, 15 x 15 pixels; stage 3 merges 3 x 3 of stage 2's, 31 x 31 pixels (T2T's splits). Panel 1 is zoomed."""
    picture = as_image(image, name="image")[0].numpy()
    size = picture.shape[0]
    nested = nested_windows(splits, size)
    fig = new_figure(figsize=(4.2 * len(splits), 4.6))
    axes = fig.subplots(1, len(splits))
    previous_side = 1
    for stage, (ax, (low, side, starts), (kernel, _, _)) in enumerate(zip(axes, nested, splits, strict=True), 1):
        _gray(ax, picture, float(picture.max()))
        color = WINDOW_COLORS[(stage - 1) % len(WINDOW_COLORS)]
        part_color = WINDOW_COLORS[(stage - 2) % len(WINDOW_COLORS)] if stage > 1 else color
        # split 1: all its k x k pixels; later splits: only the middle row of the parts it merges, so the
        # overlapping windows stay readable (the other rows repeat them lower and higher)
        rows = starts if stage == 1 else [starts[len(starts) // 2]]
        if stage > 1:  # the digit faded, so the shaded windows read
            ax.images[-1].set_alpha(0.45)
        for row_start in rows:
            for index, col_start in enumerate(starts):
                # later splits: the first part highlighted, the others dashed, so k overlapping parts read as k
                highlight = stage > 1 and index == 0
                ax.add_patch(
                    Rectangle(
                        (col_start - 0.5, row_start - 0.5),
                        previous_side,
                        previous_side,
                        fill=stage > 1,
                        fc=(*to_rgb(part_color), 0.35 if highlight else 0.0),
                        ec=part_color,
                        lw=1.0 if stage == 1 else (2.2 if highlight else 1.6),
                        ls="-" if stage == 1 or highlight else (0, (4, 2)),
                        zorder=3 if highlight else 2,
                    )
                )
        ax.add_patch(Rectangle((low - 0.5, low - 0.5), side, side, fill=False, ec=color, lw=2.6))
        if stage == 1:
            text = f"split 1, zoomed (inset: where)\none token is a {kernel} x {kernel} window"
            ax.set(xlim=(low - 3.5, low + side + 2.5), ylim=(low + side + 2.5, low - 3.5))  # the pixels read
            _locator_inset(ax, picture, low, side, color)
        else:
            text = (
                f"split {stage}: one token merges {kernel} x {kernel}\n"
                f"stage-{stage - 1} tokens ({previous_side} x {previous_side} px each) = {side} x {side} px\n"
                f"the middle row's {kernel}: 1 shaded, {kernel - 1} dashed"
            )
        ax.set_title(text, fontsize=9)
        ax.set(xticks=[], yticks=[])
        previous_side = side
    return _finish(fig, title, top=0.86)


def thin_bar_changes(runs: dict[str, Any], corrected: float, labels: dict[str, str] | None = None) -> str:
    """Which rows' verdict on 0 (does the interval hold it?) the corrected interval changes, in words: "the thin bars
    change no verdict", "... one verdict, the token MLP's", "... 2 verdicts, the a's and the b's". Rows are named by
    ``labels`` (``{name: row label}``, as :func:`plot_arm_intervals`'s y-axis), else by their keys in ``runs``."""
    changed = [
        (labels or {}).get(name, name)
        for name, run in runs.items()
        if run.t_interval().contains(0) != run.t_interval(corrected).contains(0)
    ]
    if not changed:
        return "the thin bars change no verdict"
    count = "one verdict" if len(changed) == 1 else f"{len(changed)} verdicts"
    return f"the thin bars change {count}, " + " and ".join(f"the {name}'s" for name in changed)


def plot_arm_intervals(
    runs: dict[str, Any],
    corrected: float | None = None,
    sides: tuple[str, str] = ("the arm", "token transformers"),
    title: str | None = None,
    labels: dict[str, str] | None = None,
) -> Figure:
    """A forest plot: one row per ``{name: paired comparison}`` (anything with ``t_interval(confidence)``, e.g.
    :class:`vit_explained.evidence.SeedComparison`), the mean difference in points with its 95 % t-interval (thick
    bar) and, with ``corrected`` (a confidence such as ``1 - 0.05 / 6``), the wider corrected interval (thin bar);
    a dashed line at 0. The axis reads ``sides[0]`` better on the left, ``sides[1]`` better on the right (positive:
    the first arm of each comparison higher). ``labels`` renames rows (``{name: row label}``). With ``corrected`` and a
    ``title``, the title ends with the rows whose verdict on 0 the thin bars change (:func:`thin_bar_changes`)."""
    if not runs:
        raise ValueError("runs must hold at least one comparison")
    fig = new_figure(figsize=(8.5, 0.55 * len(runs) + 1.9))
    ax = fig.subplots()
    for row, run in enumerate(runs.values()):
        wide = run.t_interval(corrected) if corrected is not None else None
        if wide is not None:
            ax.plot([100 * wide.low, 100 * wide.high], [row, row], color="tab:gray", linewidth=1.2)
        e = run.t_interval()
        ax.plot([100 * e.low, 100 * e.high], [row, row], color="black", linewidth=3.5, solid_capstyle="butt")
        ax.plot(100 * e.estimate, row, "o", color="tab:orange", markersize=7, zorder=3)
        label = f"{100 * e.estimate:+.1f} [{100 * e.low:+.1f}, {100 * e.high:+.1f}]"
        right = 100 * (wide.high if wide is not None else e.high)
        ax.annotate(label, (right, row), xytext=(6, 0), textcoords="offset points", va="center", fontsize=8)
    ax.axvline(0, color="gray", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(runs)), [(labels or {}).get(name, name) for name in runs], fontsize=9)
    ax.set_ylim(-0.7, len(runs) - 0.3)
    ax.invert_yaxis()
    left, right = ax.get_xlim()
    ax.set_xlim(left, right + 0.3 * (right - left))  # room for the labels
    ax.set_xlabel(f"← {sides[0]} better  |  {sides[1]} better →\n{sides[1]} minus {sides[0]}, points")
    ax.grid(axis="x", alpha=0.3)
    key = "dot: mean over seeds; thick bar: 95 % t-interval"
    if corrected is not None:
        key += f"; thin bar: {100 * corrected:.1f} % (corrected for {len(runs)} comparisons)"
        if title:
            title += "; " + thin_bar_changes(runs, corrected, labels)
    _finish(fig, f"{title}\n{key}" if title else key, top=0.9)
    fig.subplots_adjust(top=0.86)  # tight_layout leaves a gap under the two-line title
    return fig

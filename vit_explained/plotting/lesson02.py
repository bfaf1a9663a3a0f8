"""Figures for lesson 02: the soft split's sliding window, as a static grid, a GIF and the T2T chain
(the token grids only: lesson 07 builds the model).

Images are ``(C, H, W)`` tensors in ``[0, 1]`` with C = 1 (grayscale) or 3 (RGB), or ``(H, W)``.
Every drawing is deterministic: the same inputs give the same pixels and the same file bytes.
"""

from __future__ import annotations

import io
import itertools
import math
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib.colors
import numpy as np
import PIL.Image
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch as MplPatch
from matplotlib.patches import Rectangle

from .. import _checks
from ..patches import patchify
from ..soft_split import SoftSplit, TokenGrid, count_tokens, tokens_to_image
from ..t2t import T2T_SPLITS, t2t_chain
from ..vit_map import VitMap
from . import as_image, figures_dir, new_figure, to_display
from .lesson01 import _BOX_HEIGHT, _BOX_STEP, _BOX_WIDTH, _BOX_X0, _BOX_Y, _MAP_LESSONS, plot_vit_map

PADDING_COLOR = "tab:orange"
WINDOW_COLOR = "tab:cyan"
MAX_CENTRE_DOTS = 600  # windows drawn as centre dots (cyan) when numbers are off or too many; beyond this, nothing
CURRENT_COLOR = "tab:red"
GIF_WINDOW_COLOR = "#ff0000"  # pure red: tab:red turned brown-orange, like the padding, in the GIF's 32 colours
NEIGHBOUR_COLORS = ("magenta", "tab:blue", "tab:green")  # window 0 (drawn last, on top), right, lower neighbour
#: Over the coverage shading: window 0 magenta, its right neighbour white, its lower neighbour black (thicker).
DARK_NEIGHBOUR_COLORS = ("magenta", "white", "black")
SHARED_COLOR = "cyan"  # the window-grid figure's hatching of what window 0 shares with either neighbour


def pad_image(image: torch.Tensor, padding: int) -> torch.Tensor:
    """Zero-pad ``(C, H, W)`` by ``padding`` pixels on every side, as ``nn.Unfold`` does:
    ``(C, H, W) -> (C, H + 2p, W + 2p)``."""
    padding = _checks.non_negative_int("padding", padding)
    return F.pad(as_image(image), (padding, padding, padding, padding))


def _window_corners(grid: TokenGrid, stride: int) -> list[tuple[int, int]]:
    """Top-left corners ``(x, y)`` in padded-image pixels of every window, in token order (row-major)."""
    return [(col * stride, row * stride) for row in range(grid.rows) for col in range(grid.cols)]


def draw_padded_image(ax: Axes, image: torch.Tensor, padding: int) -> None:
    """Draw ``image`` zero-padded by ``padding``, the padding tinted so it is visible against dark pixels."""
    padded = pad_image(image, padding)
    _, height, width = padded.shape
    ax.imshow(to_display(padded), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    if padding:
        tint = np.zeros((height, width, 4))
        tint[..., :3] = matplotlib.colors.to_rgb(PADDING_COLOR)
        inside = np.zeros((height, width), dtype=bool)
        inside[padding : height - padding, padding : width - padding] = True
        tint[~inside, 3] = 0.85  # strong enough over the black zeros to read as orange, not brown
        ax.imshow(tint, interpolation="nearest")
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])


def _rectangle(corner: tuple[int, int], kernel: int, **style: object) -> Rectangle:
    x, y = corner
    return Rectangle((x - 0.5, y - 0.5), kernel, kernel, fill=False, **style)


def _draw_frames(
    ax: Axes, corners: list[tuple[int, int]], shown: dict[int, str], kernel: int, shared_color: str | None
) -> None:
    """Outline the ``shown`` windows (index -> colour) and hatch the strip window 0 shares with each neighbour."""
    for index, color in shown.items():
        x, y = corners[index]
        if index and max(x, y) < kernel:  # the strip window 0 shares with this neighbour, hatched in its colour
            hatch = "//" if y == 0 else "\\\\"  # one sparse direction per neighbour: crossed where both overlap
            strip = Rectangle((x - 0.5, y - 0.5), kernel - x, kernel - y, fill=False, hatch=hatch, linewidth=0)
            strip.set(edgecolor=matplotlib.colors.to_rgba(shared_color or color, 0.75), gid="overlap")
            if shared_color:  # a light veil under the hatching: it reads over the photo's darkest pixels too
                veil = Rectangle((x - 0.5, y - 0.5), kernel - x, kernel - y, linewidth=0, gid="overlap-veil")
                veil.set_facecolor(matplotlib.colors.to_rgba("white", 0.22))
                ax.add_patch(veil)
            ax.add_patch(strip)
        ax.add_patch(_rectangle(corners[index], kernel, edgecolor=color, linewidth=2.5 if index == 0 else 2.0))


def _number_places(
    corners: list[tuple[int, int]],
    shown: dict[int, str],
    kernel: int,
    stride: int,
    number_shift: float,
    framed_only: bool,
    hatched: bool,
) -> list[tuple[int, tuple[float, float]]]:
    """Where each window's number goes (see ``draw_window_grid``): ``(index, (x, y))`` pairs."""
    half = (kernel - 1) / 2
    places = []
    for index, (x, y) in enumerate(corners):
        if framed_only and index not in shown:
            continue
        at = (x + half + number_shift, y + half + number_shift)
        if index == 0 and hatched:  # in window 0's corner that no neighbour shares, off the hatching
            at = ((stride - 1) / 2, (stride - 1) / 2)
        elif framed_only and hatched and max(x, y) < kernel:  # a neighbour: inside its frame, off window 0
            at = ((kernel + x + kernel - 1) / 2, y + half) if x else (x + half, (kernel + y + kernel - 1) / 2)
        places.append((index, at))
    return places


def draw_window_grid(
    ax: Axes,
    image: torch.Tensor,
    kernel: int,
    stride: int,
    padding: int,
    *,
    numbers: bool = True,
    number_size: float = 6.0,
    number_shift: float = 0.0,
    framed_only: bool = False,
    shared_color: str | None = None,
    dots: bool = True,
) -> TokenGrid:
    """Draw the padded image, each window's token index at the window's centre (dots if there are
    more than 150 windows, nothing beyond 600), the first window and its right and lower neighbours outlined,
    the strips window 0 shares with them hatched in the neighbour's colour, and the last window dashed. Each number
    sits ``number_shift`` pixels right of and below its centre (off the borders it would lie on when ``k = 2s``);
    token 0's, when its neighbours' strips are hatched, in window 0's top-left ``s x s`` corner (shared with none).
    With ``framed_only`` only the framed windows (0 and its two neighbours) get their number, each neighbour's in the
    middle of its own frame's part that window 0 does not share. ``shared_color`` hatches both shared strips in that
    one colour instead of the neighbour's. ``dots=False``: no centre dots in place of the numbers.
    Returns the token grid from ``count_tokens``."""
    image = as_image(image)
    grid = count_tokens(image.shape[1], image.shape[2], kernel, stride, padding)
    draw_padded_image(ax, image, padding)
    corners = _window_corners(grid, stride)
    shown = {}
    if grid.cols > 1:
        shown[1] = NEIGHBOUR_COLORS[1]
    if grid.rows > 1:
        shown[grid.cols] = NEIGHBOUR_COLORS[2]
    shown[0] = NEIGHBOUR_COLORS[0]  # last: its outline lies on top of its neighbours'
    _draw_frames(ax, corners, shown, kernel, shared_color)
    if grid.total - 1 not in shown:
        ax.add_patch(_rectangle(corners[-1], kernel, edgecolor="yellow", linewidth=1.5, linestyle="--"))
    half = (kernel - 1) / 2
    hatched = kernel > stride and len(shown) > 1  # window 0's centre lies on the hatched strips
    if numbers and grid.total <= 150:
        for index, at in _number_places(corners, shown, kernel, stride, number_shift, framed_only, hatched):
            ax.text(
                *at,
                str(index),
                color="white",
                fontsize=number_size,
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.15", "fc": "black", "alpha": 0.55, "lw": 0},
            )
    elif dots and grid.total <= MAX_CENTRE_DOTS:  # too many windows for numbers: their centres as dots
        ax.scatter([x + half for x, _ in corners], [y + half for _, y in corners], s=3, c=WINDOW_COLOR)
    return grid


LOST_COLOR = (1.0, 0.0, 0.0, 0.3)  # a light red tint over the pixels that are in no window
LOST_HATCH_COLOR = (1.0, 0.7, 0.7)  # a pale hatch: it shows over dark pixels too
MAX_OUTLINES = 1500  # more windows than this: their outlines would only grey the picture (and slow it)


def lost_blocks(lost: np.ndarray) -> list[tuple[int, int, int, int]]:
    """``(row, col, rows, cols)`` rectangles that together cover exactly the True pixels of ``lost``
    (``(H, W)`` bool), no two overlapping: runs along each row, stacked while the next row repeats them."""
    open_runs: dict[tuple[int, int], int] = {}  # (col, cols) -> first row of a block still growing
    blocks = []
    for row in range(lost.shape[0] + 1):
        line = np.concatenate([[False], lost[row] if row < lost.shape[0] else [], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(line))
        runs = {(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2], strict=True)}
        for run in sorted(set(open_runs) - runs):
            first = open_runs.pop(run)
            blocks.append((first, run[0], row - first, run[1]))
        for run in runs - set(open_runs):
            open_runs[run] = row
    return sorted(blocks)


def draw_lost_pixels(ax: Axes, height: int, width: int, kernel: int, stride: int, padding: int) -> int:
    """Tint red, with a hatch, every pixel of the ``height x width`` image that is in no window of the split
    (its coverage is 0), drawn on padded-image axes over whole pixels (edges at ``± 0.5``); returns how many
    pixels are lost."""
    lost = (window_coverage(height, width, kernel, stride, padding) == 0).numpy()
    if lost.any():
        overlay = np.zeros((height, width, 4))
        overlay[lost] = LOST_COLOR
        extent = (padding - 0.5, padding + width - 0.5, padding + height - 0.5, padding - 0.5)
        ax.imshow(overlay, extent=extent, interpolation="nearest", zorder=3)
        corner = padding - 0.5  # pixel (0, 0)'s top-left edge in padded-image axes
        boxes = [Rectangle((corner + c, corner + r), w, h) for r, c, h, w in lost_blocks(lost)]
        style = {"facecolor": "none", "edgecolor": LOST_HATCH_COLOR, "linewidth": 0, "hatch": "////"}
        ax.add_collection(PatchCollection(boxes, **style, zorder=3, gid="lost-pixels"))
        outline = {"facecolor": "none", "edgecolor": "red", "linewidth": 1.0}  # the lost strip's border
        ax.add_collection(
            PatchCollection([Rectangle(b.get_xy(), b.get_width(), b.get_height()) for b in boxes], **outline, zorder=3)
        )
    return int(lost.sum())


def draw_window_outlines(ax: Axes, grid: TokenGrid, kernel: int, stride: int, *, dark: bool = False) -> bool:
    """Every window's outline, thin and faint white (up to :data:`MAX_OUTLINES` windows); with ``dark``, black
    and thicker, so the outlines show over the coverage shading. True if drawn."""
    if grid.total > MAX_OUTLINES:
        return False
    boxes = [Rectangle((x - 0.5, y - 0.5), kernel, kernel) for x, y in _window_corners(grid, stride)]
    style = {"facecolor": "none", "edgecolor": "white", "alpha": 0.35, "linewidth": 0.6}
    if dark:
        style = {"facecolor": "none", "edgecolor": "black", "alpha": 0.8, "linewidth": 1.2}
    ax.add_collection(PatchCollection(boxes, **style, zorder=2))
    return True


def draw_neighbour_frames(ax: Axes, grid: TokenGrid, kernel: int, stride: int, *, linewidth: float = 3.5) -> None:
    """Frame window 0 and its right and lower neighbours again, on top, in :data:`DARK_NEIGHBOUR_COLORS` (white and
    black show on every shade of the coverage colours, blue and green do not)."""
    corners = _window_corners(grid, stride)
    shown = {1: DARK_NEIGHBOUR_COLORS[1]} if grid.cols > 1 else {}
    shown |= {grid.cols: DARK_NEIGHBOUR_COLORS[2]} if grid.rows > 1 else {}
    shown[0] = DARK_NEIGHBOUR_COLORS[0]
    for index, color in shown.items():  # window 0 last, on top
        ax.add_patch(_rectangle(corners[index], kernel, edgecolor=color, linewidth=linewidth, zorder=3, gid="frame"))


def padding_only_windows(height: int, width: int, kernel: int, stride: int, padding: int) -> int:
    """How many windows of the soft split hold only zero padding (no pixel of the ``height x width`` image)."""
    grid = count_tokens(height, width, kernel, stride, padding)

    def real(n: int, size: int) -> int:  # windows along a side that reach a pixel in [padding, padding + size)
        return sum(i * stride < padding + size and i * stride + kernel > padding for i in range(n))

    return grid.total - real(grid.rows, height) * real(grid.cols, width)


def window_grid_caption(
    grid: TokenGrid, kernel: int, stride: int, padding: int, lost: int, outlined: bool, empty: int = 0,
    *, dots: bool = False, dark: bool = False,
) -> str:  # fmt: skip
    """The explorer's caption, wrapped at 110 characters: what each colour means (``dots``: the windows' centres
    are drawn as cyan dots; ``dark``: the outlines are black, the neighbours framed white and thick black), how
    many pixels are in no token, and (``empty`` > 0) how many windows hold only padding."""
    parts = [f"orange: {padding} px of zero padding"] if padding else []
    parts += ["cyan dots: window centres"] if dots else []
    coloured = ["magenta: window 0" + (", the only one" if grid.total == 1 else "")]
    coloured += [("white" if dark else "blue") + ": its right neighbour"] if grid.cols > 1 else []
    coloured += [("thick black" if dark else "green") + ": its lower neighbour"] if grid.rows > 1 else []
    shown = {0} | ({1} if grid.cols > 1 else set()) | ({grid.cols} if grid.rows > 1 else set())
    parts += [
        ("black: every window" if dark else "thin white: every window")
        if outlined
        else f"more than {MAX_OUTLINES} windows: outlines left out",
        ", ".join(coloured),
        *([f"dashed yellow: the last window (token {grid.total - 1})"] if grid.total - 1 not in shown else []),
        f"red, hatched: {lost} pixels in no token" if lost else "every pixel is in some token",
        *(["unhatched squares: the windows"] if lost and stride > kernel else []),  # gaps between the windows
        *([f"neighbours share {max(kernel - stride, 0)} of {kernel} px"] if grid.total > 1 else []),
    ]
    if empty:
        parts.append(f"{empty} window{'s hold' if empty > 1 else ' holds'} only padding")
    return textwrap.fill("; ".join(parts), width=110)


def window_grid_title(grid: TokenGrid, kernel: int, stride: int, padding: int, channels: int) -> str:
    """``kernel 20, stride 10, padding 5: 6 x 10 = 60 tokens of length 1·20·20 = 400``."""
    return (
        f"kernel {kernel}, stride {stride}, padding {padding}: {grid.rows} x {grid.cols} = {grid.total} tokens "
        f"of length {channels}·{kernel}·{kernel} = {channels * kernel * kernel}"
    )


def plot_window_grid(image: torch.Tensor, kernel: int, stride: int, padding: int, *, width: float = 7.0) -> Figure:
    """The soft split of ``image`` (``(C, H, W)``): the padded image (padding tinted orange), the first window
    (magenta, drawn on top) and its right and lower neighbours (blue: token 1, green: token ``cols``), each framed
    window's token index in a box of its colour at the window's top-left corner, the strips they share with window 0
    hatched in one colour (cyan, cross-hatched where all three overlap), and the last window (dashed black), over the
    photo drawn lighter (alpha 0.55); a legend on the right names each mark."""
    image = as_image(image)
    padded_h, padded_w = image.shape[1] + 2 * padding, image.shape[2] + 2 * padding
    fig = new_figure(figsize=(width + 2.8, width * padded_h / padded_w + 0.6))
    ax = fig.subplots()
    grid = draw_window_grid(ax, image, kernel, stride, padding, numbers=False, shared_color=SHARED_COLOR, dots=False)
    corners = _window_corners(grid, stride)
    framed = {0: NEIGHBOUR_COLORS[0], 1: NEIGHBOUR_COLORS[1], grid.cols: NEIGHBOUR_COLORS[2]}
    for index, colour in framed.items():
        if index < grid.total:  # each number in its own colour, just inside its window's top-left corner
            x, y = corners[index]
            label = {"color": "white", "fontsize": 9, "weight": "bold", "ha": "left", "va": "top"}
            ax.text(x - 0.1, y - 0.1, str(index), bbox={"fc": colour, "lw": 0, "pad": 1.0}, **label)
    ax.set_title(window_grid_title(grid, kernel, stride, padding, image.shape[0]), fontsize=10)
    ax.images[0].set_alpha(0.55)  # a lighter photo: the frames and the hatching read over it
    for patch in ax.patches:
        if not patch.get_fill() and patch.get_gid() != "overlap":  # the frames: thicker
            patch.set_linewidth(3.5 if patch.get_linestyle() != "--" else 2.5)
        if patch.get_linestyle() == "--":  # the last window: dark on the light photo
            patch.set_edgecolor("black")
    shared = max(kernel - stride, 0)
    handles = [
        MplPatch(facecolor=PADDING_COLOR, label=f"padding: {padding} px of zeros"),
        MplPatch(facecolor="none", edgecolor=NEIGHBOUR_COLORS[0], linewidth=2.5, label="token 0"),
        MplPatch(facecolor="none", edgecolor=NEIGHBOUR_COLORS[1], linewidth=2.5, label="token 1"),
        MplPatch(facecolor="none", edgecolor=NEIGHBOUR_COLORS[2], linewidth=2.5, label=f"token {grid.cols}"),
        MplPatch(facecolor="white", edgecolor=SHARED_COLOR, hatch="//", label=f"shared with token 0: {shared} px wide"),
        MplPatch(facecolor="white", edgecolor=SHARED_COLOR, hatch="//\\\\", label="shared by all three"),
        MplPatch(
            facecolor="none", edgecolor="black", linestyle="--", linewidth=2, label=f"token {grid.total - 1}, the last"
        ),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    ax.set_xlabel(f"padded {padded_h} x {padded_w}", fontsize=10.5)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- hard and soft windows, side by side


# none is the padding's orange; neighbours that overlap (0-1, 1-2, 0-3, 1-4, 2-5, ...) differ in hue
_TOKEN_COLOURS = ("tab:blue", "crimson", "tab:green", "darkviolet", "black", "deepskyblue")


def _hard_soft_panels(
    height: int, width: int, splits: Sequence[tuple[int, int, int]]
) -> list[tuple[tuple[int, int, int], TokenGrid, list[int]]]:
    """``(split, grid, token indices drawn)`` per panel: a hard split's windows in one panel, a soft split's
    (``k > s``) one row of windows per panel, so overlapping outlines never cross."""
    panels = []
    for kernel, stride, padding in splits:
        grid = count_tokens(height, width, kernel, stride, padding)
        rows = [list(range(grid.total))] if kernel <= stride else [
            list(range(r * grid.cols, (r + 1) * grid.cols)) for r in range(grid.rows)
        ]  # fmt: skip
        panels += [((kernel, stride, padding), grid, indices) for indices in rows]
    return panels


def plot_hard_soft_windows(
    height: int = 4, width: int = 6, splits: Sequence[tuple[int, int, int]] = ((2, 2, 0), (3, 2, 1))
) -> Figure:
    """Windows of each ``(kernel, stride, padding)`` split of a ``height x width`` image of the numbers
    ``1 .. H*W`` (so the only zeros are padding, in orange). A hard split (``k = s``) gets one panel; a soft
    split one panel per row of windows. Each window is outlined and lightly tinted in its own colour and
    labelled with its token index at its top-left corner."""
    panels = _hard_soft_panels(height, width, splits)
    widths = [width + 2 * split[2] for split, _, _ in panels]  # one scale for every panel
    fig = new_figure(figsize=(0.55 * sum(widths) + 0.3 * len(panels), 4.0), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False, gridspec_kw={"width_ratios": widths})[0]
    for ax, ((kernel, stride, padding), grid, indices) in zip(axes, panels, strict=True):
        _draw_number_grid(ax, height, width, padding)
        corners = _window_corners(grid, stride)
        for index in indices:
            x, y = corners[index]
            inset = 0.05 + 0.07 * (index % 2)  # neighbours' outlines stay apart
            colour = _TOKEN_COLOURS[index % len(_TOKEN_COLOURS)]
            side = kernel - 2 * inset
            tint = {"facecolor": colour, "alpha": 0.1, "linewidth": 0, "gid": "window-fill"}  # overlaps look darker
            ax.add_patch(Rectangle((x + inset, y + inset), side, side, **tint))
            ax.add_patch(Rectangle((x + inset, y + inset), side, side, fill=False, edgecolor=colour, linewidth=2.4))
            label = {"color": "white", "fontsize": 9, "weight": "bold", "ha": "left", "va": "top"}
            ax.text(x + inset + 0.04, y + inset + 0.04, str(index), bbox={"fc": colour, "lw": 0, "pad": 1.0}, **label)
        kind = "hard" if kernel <= stride else "soft"
        which = f"all {grid.total} tokens" if len(indices) == grid.total else f"tokens {indices[0]}-{indices[-1]}"
        ax.set_title(f"{kind} split k={kernel}, s={stride}, p={padding}\n{which} (of {grid.total})", fontsize=11)
    fig.suptitle(f"windows on a {height} x {width} image; white-on-colour numbers: token index", fontsize=12)
    return fig


def window_column(height: int, width: int, kernel: int, stride: int, padding: int, token: int) -> list[int]:
    """The values of token ``token`` of the ``height x width`` image of the numbers ``1 .. H*W`` (padding zeros),
    as ``SoftSplit`` lists them: one column of ``nn.Unfold``'s ``(C·k·k, N)`` output."""
    image = torch.arange(1.0, height * width + 1).view(1, 1, height, width)
    return [int(v) for v in SoftSplit(kernel, stride, padding)(image)[0, token].tolist()]


def _draw_column(ax: Axes, values: list[int], x: float, colour: str) -> None:
    """``values`` as a vertical strip of cells from y = 0 down, 0.7 units per cell."""
    for i, value in enumerate(values):
        ax.add_patch(Rectangle((x, 0.7 * i), 1, 0.7, facecolor=colour, alpha=0.25, edgecolor="0.3", lw=0.8))
        ax.text(x + 0.5, 0.7 * i + 0.38, str(value), ha="center", va="center", fontsize=10)


def _draw_output_grid(ax: Axes, grid: TokenGrid, token: int, x0: float, y0: float, colour: str) -> None:
    """The convolution's ``rows x cols`` output grid, each cell labelled with its token index, ``token``'s
    cell filled in ``colour``."""
    for index in range(grid.total):
        row, col = divmod(index, grid.cols)
        face = matplotlib.colors.to_rgba(colour, 0.35) if index == token else "0.94"
        ax.add_patch(Rectangle((x0 + col, y0 + row), 1, 1, facecolor=face, edgecolor="0.3", lw=0.8))
        ax.text(x0 + col + 0.5, y0 + row + 0.55, f"({row},{col})", ha="center", va="center", fontsize=9)


def plot_window_to_token(
    height: int = 4, width: int = 6, kernel: int = 3, stride: int = 2, padding: int = 1, token: int = 4
) -> Figure:
    """What ``Linear(SoftSplit(k, s, p)(x)) == Conv2d(k, s, p)(x)`` equates, on the ``height x width`` image of
    the numbers ``1 .. H*W``: window ``token`` (left) becomes one column of ``C·k·k`` values, the token
    (middle); a ``Linear`` maps it to ``D`` numbers, which are the convolution's output pixel at the window's
    (row, column) of the ``rows x cols`` output grid (right)."""
    grid = count_tokens(height, width, kernel, stride, padding)
    row, col = divmod(token, grid.cols)
    colour = "tab:blue"
    side = width + 2 * padding
    fig = new_figure(figsize=(9.6, 4.0), layout="constrained")
    ax = fig.subplots()
    _draw_number_grid(ax, height, width, padding)
    ax.add_patch(_rectangle((col * stride + 0.5, row * stride + 0.5), kernel, edgecolor=colour, linewidth=3))
    column_x, out_x = side + 3.2, side + 8.0
    _draw_column(ax, window_column(height, width, kernel, stride, padding, token), column_x, colour)
    _draw_output_grid(ax, grid, token, out_x, 1.0, colour)
    arrow = {"arrowstyle": "-|>", "lw": 1.6, "color": "0.25"}
    middle = 0.35 * kernel * kernel  # the column's middle
    corner_x, corner_y = col * stride + kernel, row * stride + kernel  # the window's lower-right corner
    below = max(0.7 * kernel * kernel, height + 2 * padding) + 0.4  # under the grid and the column: crosses no label
    ax.plot([corner_x, corner_x, column_x + 0.5], [corner_y, below, below], color="0.25", lw=1.6)  # along grid lines
    ax.annotate("", (column_x + 0.5, 0.7 * kernel * kernel + 0.05), (column_x + 0.5, below + 0.01), arrowprops=arrow)
    ax.annotate("", (out_x - 0.1, 1.0 + row + 0.5), (column_x + 1.2, middle), arrowprops=arrow)
    ax.text(side / 2, -0.4, f"window {token} of SoftSplit({kernel}, {stride}, {padding})", ha="center", fontsize=10)
    ax.text(column_x + 0.5, -0.4, f"token {token}: {kernel * kernel} values", ha="center", fontsize=10)
    ax.text((column_x + 1 + out_x) / 2, middle - 0.7, "Linear: D numbers", ha="center", va="bottom", fontsize=10)
    out_label = f"Conv2d output, {grid.rows} x {grid.cols}:\n"
    out_label += f"pixel ({row}, {col}) across the D channels\n= Linear(token {token})"
    ax.text(out_x + grid.cols / 2, 0.8, out_label, ha="center", va="bottom", fontsize=10)
    ax.set_xlim(-0.2, out_x + grid.cols + 0.6)
    ax.set_ylim(below + 0.3, -1.0)
    fig.suptitle(
        "one window -> one vector (nn.Unfold's column, SoftSplit's row) -> one token;\n"
        "with a Linear, one output pixel of the Conv2d",
        fontsize=12,
    )
    return fig


def reshape_orders(rows: int = 2, cols: int = 3, dim: int = 2) -> dict[str, np.ndarray]:
    """Which ``(token, feature)`` lands in each ``(channel, row, column)`` of the ``(D, rows, cols)`` image made
    from ``(N, D)`` tokens, ``N = rows * cols``: by ``tokens_to_image`` (transpose, then reshape) and by a
    reshape alone. Read from the two operations on tokens whose values are their own indices ``n * D + d``;
    each array is ``(D, rows, cols, 2)``."""
    tokens = torch.arange(rows * cols * dim).view(1, rows * cols, dim)
    images = {
        "tokens_to_image: transpose, then reshape": tokens_to_image(tokens, rows, cols)[0],
        "reshape alone": tokens.reshape(dim, rows, cols),
    }
    return {name: torch.stack([image // dim, image % dim], dim=-1).numpy() for name, image in images.items()}


def plot_reshape_orders(rows: int = 2, cols: int = 3, dim: int = 2) -> Figure:
    """``N = rows * cols`` tokens of ``D = dim`` features (left, one row per token, one colour per token, cells
    labelled ``token.feature``) and the ``D`` channel planes of the image each way of reshaping makes of them:
    with the transpose every pixel holds one token's features; without it the planes mix tokens."""
    orders = reshape_orders(rows, cols, dim)
    colours = [_TOKEN_COLOURS[n % len(_TOKEN_COLOURS)] for n in range(rows * cols)]
    fig = new_figure(figsize=(2.0 + 2.4 * dim * len(orders), 3.2), layout="constrained")
    ratios = [dim + 1] + [dim * (cols + 0.6)] * len(orders)
    axes = fig.subplots(1, 1 + len(orders), gridspec_kw={"width_ratios": ratios})
    for n, d in itertools.product(range(rows * cols), range(dim)):
        _label_cell(axes[0], d, n, f"{n}.{d}", colours[n])
    axes[0].set_title(f"tokens (N, D) = ({rows * cols}, {dim})", fontsize=10)
    for ax, (name, order) in zip(axes[1:], orders.items(), strict=True):
        for c, r, k in itertools.product(range(dim), range(rows), range(cols)):
            n, d = order[c, r, k]
            _label_cell(ax, c * (cols + 0.6) + k, r, f"{n}.{d}", colours[n])
        for c in range(dim):
            ax.text(c * (cols + 0.6) + cols / 2, rows + 0.15, f"channel {c}", ha="center", va="top", fontsize=9)
        ax.set_title(f"{name}\n(D, rows, cols) = ({dim}, {rows}, {cols})", fontsize=10)
    for ax in axes:
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.invert_yaxis()
        ax.axis("off")
    fig.suptitle("labels: token.feature; with the transpose each pixel is one token", fontsize=11)
    return fig


def _label_cell(ax: Axes, x: float, y: float, text: str, colour: str) -> None:
    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=matplotlib.colors.to_rgba(colour, 0.3), edgecolor="0.3", lw=0.8))
    ax.text(x + 0.5, y + 0.52, text, ha="center", va="center", fontsize=9)


_CHANNEL_COLOURS = ("#f4c7c3", "#c6dbef")  # channel 0 pinkish red, channel 1 pale blue


def flatten_orders(channels: int = 2, kernel: int = 2) -> dict[str, list[tuple[int, int, int]]]:
    """The ``(c, kh, kw)`` of each value of one ``channels x kernel x kernel`` window, in the order
    ``SoftSplit(k, k, 0)`` and ``patchify(k)`` list them: read from the two functions run on an image whose
    values are their own positions, not written down by hand."""
    positions = [(c, kh, kw) for c in range(channels) for kh in range(kernel) for kw in range(kernel)]
    image = torch.arange(1, len(positions) + 1, dtype=torch.float32).view(1, channels, kernel, kernel)
    tokens = {
        "SoftSplit: (c, kh, kw)": SoftSplit(kernel, kernel, 0)(image),
        "patchify: (kh, kw, c)": patchify(image, kernel),
    }
    return {name: [positions[int(v) - 1] for v in token[0, 0].tolist()] for name, token in tokens.items()}


def plot_flatten_orders(channels: int = 2, kernel: int = 2) -> Figure:
    """One ``channels x kernel x kernel`` window (left: one small grid per channel, each value labelled
    ``c,kh,kw``) and the token each function makes of it (right: a row of cells per function, in its order,
    coloured by channel). SoftSplit lists channel by channel, ``(c, kh, kw)``; patchify pixel by pixel,
    ``(kh, kw, c)``."""
    orders = flatten_orders(channels, kernel)
    length = channels * kernel * kernel
    fig = new_figure(figsize=(2.2 + 0.62 * length + 2.0, 2.3), layout="constrained")
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [channels * (kernel + 0.6), length + 4.2]})
    for c in range(channels):
        x0 = c * (kernel + 0.6)
        for kh, kw in itertools.product(range(kernel), repeat=2):
            left.add_patch(Rectangle((x0 + kw, kh), 1, 1, facecolor=_CHANNEL_COLOURS[c % 2], edgecolor="0.3", lw=0.8))
            left.text(x0 + kw + 0.5, kh + 0.5, f"{c},{kh},{kw}", ha="center", va="center", fontsize=8)
        left.text(x0 + kernel / 2, -0.25, f"channel {c}", ha="center", va="bottom", fontsize=9)
    left.set_xlim(-0.1, channels * (kernel + 0.6) - 0.5)
    left.set_ylim(kernel + 0.1, -0.9)
    left.set_title(f"one {kernel} x {kernel} window, {channels} channels", fontsize=9)
    for row, (name, order) in enumerate(orders.items()):
        y = 1.6 * row
        right.text(-0.15, y + 0.5, name, ha="right", va="center", fontsize=9)
        for i, (c, kh, kw) in enumerate(order):
            right.add_patch(Rectangle((i, y), 1, 1, facecolor=_CHANNEL_COLOURS[c % 2], edgecolor="0.3", lw=0.8))
            right.text(i + 0.5, y + 0.5, f"{c},{kh},{kw}", ha="center", va="center", fontsize=8)
    right.set_xlim(-4.2, length + 0.1)
    right.set_ylim(1.6 * len(orders) - 0.5, -0.6)
    right.set_title("the token, value by value (labels: c, kh, kw)", fontsize=9)
    for ax in (left, right):
        ax.set_aspect("equal")
        ax.axis("off")
    return fig


_LIGHT_PADDING = "#fdc086"  # a light orange: the padding's zeros stay readable on it


def _draw_number_grid(ax: Axes, height: int, width: int, padding: int) -> None:
    """The padded ``height x width`` image of the numbers ``1 .. H*W`` as cells, padding zeros in orange;
    one unit per pixel, y pointing down."""
    for row in range(height + 2 * padding):
        for col in range(width + 2 * padding):
            inside = padding <= row < height + padding and padding <= col < width + padding
            value = (row - padding) * width + (col - padding) + 1 if inside else 0
            face = "0.94" if inside else _LIGHT_PADDING
            ax.add_patch(Rectangle((col, row), 1, 1, facecolor=face, edgecolor="0.75", linewidth=0.4))
            ax.text(col + 0.55, row + 0.62, str(value), ha="center", va="center", fontsize=10, color="0.15")
    ax.set_xlim(-0.1, width + 2 * padding + 0.1)
    ax.set_ylim(height + 2 * padding + 0.1, -0.1)
    ax.set_aspect("equal")
    ax.axis("off")


# --------------------------------------------------------------------------- the animation


def _token_matrix(image: torch.Tensor, kernel: int, stride: int, padding: int) -> np.ndarray:
    """The soft split's tokens of one image as a ``(N, C * k * k)`` array."""
    return SoftSplit(kernel, stride, padding)(image.unsqueeze(0))[0].numpy()


def _frame_indices(total: int, max_frames: int, step: int = 1) -> list[int]:
    """Every ``step``-th window and the last one, or ``max_frames`` evenly spaced windows if that is fewer."""
    every = sorted({*range(0, total, step), total - 1})
    if len(every) <= max_frames:
        return every
    return sorted({round(i * (total - 1) / (max_frames - 1)) for i in range(max_frames)})


class _FrameDrawer:
    """One figure whose moving artists go from window to window. ``render`` blits: the static parts
    (image, axes, labels) are drawn once, then only the moving artists per frame (fast)."""

    def __init__(self, image: torch.Tensor, kernel: int, stride: int, padding: int, fig: Figure) -> None:
        self.image = as_image(image)
        self.kernel, self.stride = kernel, stride
        self.grid = count_tokens(self.image.shape[1], self.image.shape[2], kernel, stride, padding)
        self.corners = _window_corners(self.grid, stride)
        self.tokens = _token_matrix(self.image, kernel, stride, padding)
        self.fig = fig
        self.left, self.right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})  # the image panel larger
        draw_padded_image(self.left, self.image, padding)
        self.centres = self.left.scatter(  # above the window's frame (zorder, and drawn after it in render)
            [], [], s=22, c=WINDOW_COLOR, linewidths=0, animated=True, zorder=3
        )
        self.window = _rectangle(self.corners[0], kernel, edgecolor=GIF_WINDOW_COLOR, linewidth=3.0, animated=True)
        self.left.add_patch(self.window)
        self.left.set_title(" ", fontsize=9)
        self.caption = self.left.text(
            0.5, 1.02, "", transform=self.left.transAxes, ha="center", va="bottom", fontsize=9, animated=True
        )
        length = self.tokens.shape[1]
        self.shown = np.full_like(self.tokens, np.nan)
        self.matrix = self.right.imshow(
            self.shown, cmap="gray", vmin=0, vmax=1, aspect="auto", interpolation="nearest", animated=True
        )
        self.right.set_facecolor("#f0f0f0")
        ones = torch.ones(1, *self.image.shape[1:])  # 0 in a token where its value is padding
        self.is_padding = _token_matrix(ones, kernel, stride, padding) == 0
        self.padding_shown = np.zeros((*self.tokens.shape, 4))  # the padding's orange, as on the left
        self.padding_tint = self.right.imshow(self.padding_shown, aspect="auto", interpolation="nearest", animated=True)
        self.row = Rectangle((-0.5, -0.5), length, 1, fill=False, edgecolor=GIF_WINDOW_COLOR, lw=2.0, animated=True)
        self.right.add_patch(self.row)
        self.right.set_title(f"tokens (N, C·k·k) = ({self.grid.total}, {length})", fontsize=10)
        self.right.set_xlabel("features: the window's C·k·k pixels", fontsize=9.5)
        self.right.set_ylabel("token index", fontsize=9.5)
        self.right.tick_params(labelsize=8.5)
        fig.subplots_adjust(left=0.01, right=0.98, bottom=0.17, top=0.86, wspace=0.12)
        box = self.left.get_position(original=True)  # no x label on the left: its panel takes the full height
        self.left.set_position([box.x0, 0.03, box.width, 0.86])
        self.background = None

    def draw(self, index: int) -> None:
        """Move the window, the visited centres, the token matrix and the caption to window ``index``."""
        row, col = divmod(index, self.grid.cols)
        self.window.set_xy((self.corners[index][0] - 0.5, self.corners[index][1] - 0.5))
        half = (self.kernel - 1) / 2
        self.centres.set_offsets([(x + half, y + half) for x, y in self.corners[: index + 1]])
        self.shown[: index + 1] = self.tokens[: index + 1]
        self.matrix.set_data(self.shown)
        tint = self.padding_shown[: index + 1]
        tint[self.is_padding[: index + 1]] = (*matplotlib.colors.to_rgb(PADDING_COLOR), 0.85)  # as draw_padded_image
        self.padding_tint.set_data(self.padding_shown)
        self.row.set_y(index - 0.5)
        self.caption.set_text(f"window {index} of 0..{self.grid.total - 1}: row {row}, column {col}")

    def show_all(self) -> None:
        """Make the moving artists part of ordinary drawing (for a figure shown inline)."""
        for artist in (self.centres, self.window, self.caption, self.matrix, self.padding_tint, self.row):
            artist.set_animated(False)

    def render(self, index: int) -> np.ndarray:
        """Window ``index`` as a ``(height, width, 3)`` uint8 array."""
        canvas = self.fig.canvas
        if self.background is None:
            canvas.draw()
            self.background = canvas.copy_from_bbox(self.fig.bbox)
        canvas.restore_region(self.background)
        self.draw(index)
        self.right.draw_artist(self.matrix)
        self.right.draw_artist(self.padding_tint)
        self.right.draw_artist(self.row)
        for artist in (self.window, self.centres, self.caption):  # the centres over the window's frame
            self.left.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def soft_split_frames(
    image: torch.Tensor,
    kernel: int,
    stride: int,
    padding: int,
    *,
    max_frames: int = 60,
    step: int = 1,
    size: tuple[float, float] = (7.44, 2.88),
    dpi: int = 145,
) -> list[np.ndarray]:
    """The frames of the sliding-window animation: ``(height, width, 3)`` uint8 arrays, one per window
    (every ``step``-th window and the last; evenly spaced windows if there are more than ``max_frames``).
    Left: the padded image with the current window; right: the ``(N, C * k * k)`` token matrix filling up row by row."""
    max_frames = _checks.positive_int("max_frames", max_frames)
    step = _checks.positive_int("step", step)
    fig = new_figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    drawer = _FrameDrawer(image, kernel, stride, padding, fig)
    return [drawer.render(index) for index in _frame_indices(drawer.grid.total, max_frames, step)]


def plot_soft_split_frame(
    image: torch.Tensor, kernel: int, stride: int, padding: int, index: int, *, size: tuple[float, float] = (8.0, 3.0)
) -> Figure:
    """One frame of the animation as a pyplot figure (to show inline): window ``index`` and the tokens so far."""
    image = as_image(image)
    total = count_tokens(image.shape[1], image.shape[2], kernel, stride, padding).total
    if not 0 <= index < total:
        raise ValueError(f"index must be a window number in 0..{total - 1}, got {index}")
    fig = new_figure(figsize=size)
    drawer = _FrameDrawer(image, kernel, stride, padding, fig)
    drawer.draw(index)
    drawer.show_all()
    return fig


def gif_palette(greys: int = 48) -> list[tuple[int, int, int]]:
    """The GIF's fixed palette: a ramp of ``greys`` greys from black to white (the grey photo, the token matrix,
    the text), the axes' light grey, and the few overlay colours (the padding's orange over black, the window's
    pure red, the cyan centres). Fixed, not adaptive: a palette cut from the frame gave the grey photo false
    colours (greys mapped onto tinted entries); 14 greys posterised the photo (bands in its dark areas)."""
    ramp = [(round(255 * i / (greys - 1)),) * 3 for i in range(greys)]
    orange = tuple(round(0.85 * 255 * v) for v in matplotlib.colors.to_rgb(PADDING_COLOR))  # its tint over zeros
    overlays = [(240, 240, 240), orange, *(_rgb255(c) for c in (GIF_WINDOW_COLOR, WINDOW_COLOR))]
    return ramp + overlays


def _rgb255(colour: str) -> tuple[int, int, int]:
    return tuple(round(255 * v) for v in matplotlib.colors.to_rgb(colour))


def _palette_images(frames: list[np.ndarray], greys: int = 48) -> list[PIL.Image.Image]:
    """Every frame mapped onto :func:`gif_palette` (no dithering) as a palette image, so that pixels that do not
    move stay identical and the GIF stores only what changes: small files, and greys stay grey."""
    palette = PIL.Image.new("P", (1, 1))
    palette.putpalette([v for entry in gif_palette(greys) for v in entry])
    return [PIL.Image.fromarray(frame).quantize(palette=palette, dither=PIL.Image.Dither.NONE) for frame in frames]


def _shared_palette(frames: list[np.ndarray], greys: int = 48) -> list[np.ndarray]:
    """The frames as :func:`_palette_images` maps them, back as ``(height, width, 3)`` uint8 arrays."""
    return [np.asarray(image.convert("RGB")) for image in _palette_images(frames, greys)]


def save_soft_split_gif(
    image: torch.Tensor,
    kernel: int,
    stride: int,
    padding: int,
    name: str = "02_soft_split.gif",
    *,
    max_frames: int = 60,
    step: int = 3,
    frame_ms: int = 180,
    hold_ms: int = 1500,
) -> Path:
    """Write the sliding-window animation to ``figures_dir() / name`` (the git-ignored
    ``build/figures/``) with imageio and return the path.
    One frame per ``step``-th window and the last (at most ``max_frames``), the last held for ``hold_ms``;
    the GIF loops.
    Same inputs, same bytes."""
    frames = _palette_images(soft_split_frames(image, kernel, stride, padding, max_frames=max_frames, step=step))
    durations = [frame_ms * step] * (len(frames) - 1) + [hold_ms]
    buffer = io.BytesIO()  # Pillow writes the palette frames as they are (imageio re-quantised RGB: 10 times slower)
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    data = buffer.getvalue()
    path = figures_dir() / name
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)  # atomic: a reader never sees a half-written GIF
    return path


# --------------------------------------------------------------------------- the T2T chain


def _pooled_chain(image: torch.Tensor, splits: Sequence[tuple[int, int, int]]) -> list[torch.Tensor]:
    """For display: the image averaged over each window, split after split (``avg_pool2d`` with the
    same kernel, stride and padding makes exactly the soft split's grid)."""
    maps = [image]
    for kernel, stride, padding in splits:
        maps.append(F.avg_pool2d(maps[-1].unsqueeze(0), kernel, stride, padding).squeeze(0))
    return maps


def plot_t2t_chain(
    images: Sequence[torch.Tensor],
    *,
    token_dim: int = 64,
    embed_dim: int = 768,
    model: str | None = None,
    note: str | None = None,
    splits: tuple[tuple[int, int, int], ...] = T2T_SPLITS,
) -> Figure:
    """One row per image: the input and the token grid after each of T2T's soft splits, each cell
    shaded (for display only) by the image average-pooled with each split's kernel, stride and padding in
    turn (zero padding counted): where a token sits, not what it holds. Labelled with the grid
    and the token length that :func:`vit_explained.t2t_chain` computes. The last split's label ends
    with the ``Linear`` to ``embed_dim`` (384 in T2T-ViT_t-14); ``model`` names the module it belongs to
    ("lesson 07's Tokens2Token, C = 1" under a grayscale image), and ``note`` ends the label of a row whose
    grids are not square (where the original code's square reshape goes wrong)."""
    images = [as_image(image) for image in images]
    columns = len(splits) + 1
    fig = new_figure(figsize=(2.5 * columns, 3.3 * len(images)), layout="constrained")
    axes = fig.subplots(len(images), columns, squeeze=False)
    for row_axes, image in zip(axes, images, strict=True):
        channels, height, width = image.shape
        stages = t2t_chain(height, width, channels, token_dim, splits)
        maps = _pooled_chain(image, splits)
        for ax, picture in zip(row_axes, maps, strict=True):
            ax.imshow(to_display(picture), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        kind = "RGB" if channels == 3 else "grayscale"
        row_axes[0].set_xlabel(f"input {height} x {width}\n{kind}, C = {channels}", fontsize=9)
        for number, (ax, stage) in enumerate(zip(row_axes[1:], stages, strict=True), start=1):
            grid = stage.grid
            label = (
                f"split {number} (k{stage.kernel}, s{stage.stride}, p{stage.padding})\n"
                f"{grid.rows} x {grid.cols} = {grid.total} tokens\n"
                f"length {stage.in_channels}·{stage.kernel}·{stage.kernel} = {stage.token_length}"
            )
            if number == len(stages):
                named = model if channels == 3 else f"{model}, C = {channels}"  # T2T-ViT_t-14 itself takes RGB
                label += f"\nLinear -> ({grid.total}, {embed_dim})" + (f"\nin {named}" if model else "")
                if note and any(s.grid.rows != s.grid.cols for s in stages):
                    label += f"\n{note}"
            ax.set_xlabel(label, fontsize=9)
    fig.suptitle(
        "The T2T chain: three soft splits shrink the token grid\n"
        "(for display only: each cell is the image average-pooled with the splits' kernel, stride and padding,\n"
        "pooled again at each split; it shows where a token sits, not the features it holds)",
        fontsize=11,
    )
    return fig


def plot_t2t_module(
    height: int = 224, width: int = 224, channels: int = 3, *, token_dim: int = 64, embed_dim: int = 384
) -> Figure:
    """The T2T module as a block diagram: soft split -> token transformer (to ``token_dim``) -> reshape,
    twice, then a third soft split and the ``Linear`` to ``embed_dim``, as in T2T-ViT_t (T2T-ViT's Performer token
    layers give the same shapes); the title names the variant. Every box is labelled with its
    output shape for a ``height x width x channels`` image, computed by :func:`vit_explained.t2t_chain`; a
    legend says which colours hold learned weights."""
    stages = t2t_chain(height, width, channels, token_dim)
    blocks = [("image", f"{height} x {width} x {channels}", "white")]
    for number, stage in enumerate(stages, start=1):
        grid = stage.grid
        name = f"soft split {number}\n(k{stage.kernel}, s{stage.stride}, p{stage.padding})"
        blocks.append((name, f"{grid.total} x {stage.token_length}", "tab:cyan"))
        if number < len(stages):
            blocks.append((f"token\ntransformer {number}", f"{grid.total} x {token_dim}", "tab:orange"))
            blocks.append(("reshape", f"{grid.rows} x {grid.cols} x {token_dim}", "lightgray"))
    last = stages[-1]
    blocks.append((f"Linear\n{last.token_length} -> {embed_dim}", f"{last.grid.total} x {embed_dim}", "tab:green"))
    fig = new_figure(figsize=(1.6 * len(blocks), 3.0), layout="constrained")
    ax = fig.subplots()
    _mark_t2t_processes(ax, len(stages))
    for x, (name, shape, color) in enumerate(blocks):
        ax.add_patch(Rectangle((x - 0.42, 0.0), 0.84, 1.0, facecolor=color, edgecolor="black", alpha=0.6))
        ax.text(x, 0.5, name, ha="center", va="center", fontsize=10)
        ax.text(x, -0.22, shape, ha="center", va="center", fontsize=9.5, family="monospace")
        if x:
            ax.annotate("", xy=(x - 0.43, 0.5), xytext=(x - 0.57, 0.5), arrowprops={"arrowstyle": "->"})
    ax.set_xlim(-0.5, len(blocks) - 0.5)
    ax.set_ylim(-0.45, 1.62)
    ax.axis("off")
    meaning = {"tab:cyan": "soft split (no weights)", "lightgray": "reshape (no weights)",
               "tab:orange": "token transformer (learned)", "tab:green": "Linear (learned)"}  # fmt: skip
    handles = [MplPatch(facecolor=color, edgecolor="black", alpha=0.6, label=label) for color, label in meaning.items()]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=10, frameon=False)
    variant = (  # the token layers drawn are token transformers (tokens_type='transformer', the _t models)
        "T2T-ViT_t-14; T2T-ViT-14 uses Performers, same shapes"
        if (token_dim, embed_dim) == (64, 384)
        else "token transformers as in T2T-ViT_t; T2T-ViT uses Performers, same shapes"
    )
    ax.set_title(
        f"The T2T module ({variant}) for an image of {height} x {width} x {channels}\n(below each box: its output, "
        "tokens x width or rows x cols x channels); it replaces ViT's patches and patch-token Linear. "
        "Brackets: the T2T paper's terms (Sec. 3.1)",
        fontsize=10.5,
    )
    return fig


def _mark_t2t_processes(ax: Axes, splits: int) -> None:
    """Brackets above the T2T module's boxes with the paper's terms (Sec. 3.1 and its Fig. 3): a token transformer
    and its reshape are a *re-structurization*; with the next soft split they are one *T2T process*."""
    for number in range(1, splits):
        first = 3 * number - 1  # the box of token transformer ``number`` (image, soft split 1, then 3 per process)
        for last, height, label in (
            (first + 1, 1.1, f"re-structurization {number}"),
            (first + 2, 1.38, f"T2T process {number}"),
        ):
            left, right = first - 0.42, last + 0.42
            ax.plot([left, left, right, right], [height - 0.06, height, height, height - 0.06], color="black", lw=1)
            ax.text((left + right) / 2, height + 0.03, label, ha="center", va="bottom", fontsize=9.5)


def _window_spans(size: int, kernel: int, stride: int, padding: int) -> tuple[list[int], int | None]:
    """Start pixels (in the padded side) of the windows that fit, and of the first one that would not
    (``None`` if a window starting one stride later would start past the padded side)."""
    padded = size + 2 * padding
    starts = list(range(0, padded - kernel + 1, stride))
    following = (starts[-1] + stride) if starts else 0
    return starts, (following if following < padded else None)


def plot_window_strip(size: int, kernel: int, stride: int, padding: int, *, width: float = 8.0) -> Figure:
    """One side of the image, drawn as a strip: ``padding`` zeros at both ends (orange), the ``size``
    image pixels between, and below it every window that fits (start ``j * stride``, ``kernel`` pixels
    long), one per line, with its index ``j`` and start. The next window, the one that would stick out
    past the padded edge, is drawn dashed in red: the count ``floor((size + 2p - k) / s) + 1`` stops
    before it."""
    size = _checks.positive_int("size", size)
    kernel = _checks.positive_int("kernel", kernel)
    stride = _checks.positive_int("stride", stride)
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be an int >= 0, got {padding!r}")
    padded = size + 2 * padding
    if kernel > padded:
        raise ValueError(
            f"kernel {kernel} is larger than the padded side {padded} (size {size} + 2 * padding {padding})"
        )
    starts, beyond = _window_spans(size, kernel, stride, padding)
    lines = len(starts) + (beyond is not None)
    fig = new_figure(figsize=(width, 1.2 + 0.32 * lines), layout="constrained")
    ax = fig.subplots()
    _draw_padded_side(ax, size, padding)
    _draw_windows(ax, starts, beyond, kernel)
    _draw_lost_side(ax, size, kernel, padding, starts)
    _style_strip_axes(ax, size, kernel, padding, beyond, lines)
    ax.set_title(
        f"k = {kernel}, s = {stride}, p = {padding}: ({size} + 2·{padding} - {kernel}) // {stride} + 1 = "
        f"{len(starts)} windows along {size} pixels",
        fontsize=10,
    )
    return fig


def plot_window_strips(
    size: int, kernel: int, stride: int, paddings: tuple[int, ...], *, width: float = 12.0
) -> Figure:
    """:func:`plot_window_strip` for several paddings side by side, one panel each, with where window ``j`` is
    centred in image pixels (``j * stride - padding + (kernel - 1) / 2``) in each panel's title."""
    spans = [_window_spans(size, kernel, stride, padding) for padding in paddings]
    lines = max(len(starts) + (beyond is not None) for starts, beyond in spans)
    fig = new_figure(figsize=(width, 1.5 + 0.32 * lines), layout="constrained")
    axes = fig.subplots(1, len(paddings), squeeze=False)[0]
    for ax, padding, (starts, beyond) in zip(axes, paddings, spans, strict=True):
        _draw_padded_side(ax, size, padding)
        _draw_windows(ax, starts, beyond, kernel)
        _draw_lost_side(ax, size, kernel, padding, starts)
        _style_strip_axes(ax, size, kernel, padding, beyond, lines)
        offset = (kernel - 1) / 2 - padding
        centre = f"{stride}j" + (f" {'+' if offset > 0 else '-'} {abs(offset):g}" if offset else "")
        ax.set_title(
            f"k = {kernel}, s = {stride}, p = {padding}: {len(starts)} windows along {size} pixels;\n"
            f"window j is centred on image pixel {centre}",
            fontsize=10,
        )
    return fig


def _draw_padded_side(ax: Axes, size: int, padding: int) -> None:
    """The strip itself: ``padding`` zeros at both ends (orange), the ``size`` image pixels between."""
    padded = size + 2 * padding
    for left, length, colour in (
        (0, padding, PADDING_COLOR),
        (padding, size, "0.75"),
        (size + padding, padding, PADDING_COLOR),
    ):
        if length:
            ax.add_patch(Rectangle((left, 0), length, 0.8, facecolor=colour, edgecolor="black", linewidth=0.6))
    ax.text(padded / 2, 0.4, f"{size} image pixels", ha="center", va="center", fontsize=9)
    for left in (0, size + padding):
        if padding:
            ax.text(left + padding / 2, 0.4, f"p={padding}", ha="center", va="center", fontsize=8)


def strip_lost_pixels(size: int, kernel: int, padding: int, starts: Sequence[int]) -> list[int]:
    """The image pixels (0-based, in the unpadded side) that no window starting at ``starts`` covers."""
    covered = {x for start in starts for x in range(start, start + kernel)}
    return [x for x in range(size) if x + padding not in covered]


def _draw_lost_side(ax: Axes, size: int, kernel: int, padding: int, starts: list[int]) -> None:
    """Hatch in red the image pixels of the strip that no window covers (with a legend entry), if any."""
    lost = strip_lost_pixels(size, kernel, padding, starts)
    for index, x in enumerate(lost):
        ax.add_patch(
            Rectangle(
                (x + padding, 0), 1, 0.8, facecolor=(1.0, 0.0, 0.0, 0.35), edgecolor=CURRENT_COLOR, hatch="///",
                linewidth=0, label=f"{len(lost)} image pixels in no window (lost)" if index == 0 else None,
            )
        )  # fmt: skip
    if lost:
        ax.legend(loc="lower left", fontsize=8, frameon=False)  # the empty corner left of the last lines


def _draw_windows(ax: Axes, starts: list[int], beyond: int | None, kernel: int) -> None:
    """Every window that fits, one per line below the strip, then the one that sticks out, dashed red."""
    for j, start in enumerate(starts):
        y = -0.9 - 0.9 * j
        ax.add_patch(Rectangle((start, y), kernel, 0.6, facecolor=WINDOW_COLOR, edgecolor="black", linewidth=0.6))
        ax.text(start - 0.6, y + 0.3, f"j={j}: start {start}", ha="right", va="center", fontsize=8)
    if beyond is not None:
        y = -0.9 - 0.9 * len(starts)
        ax.add_patch(
            Rectangle(
                (beyond, y), kernel, 0.6, facecolor="none", edgecolor=CURRENT_COLOR, linestyle="--", linewidth=1.2
            )
        )
        ax.text(
            beyond - 0.6,
            y + 0.3,
            f"j={len(starts)}: start {beyond}: sticks out, no token",
            ha="right",
            va="center",
            fontsize=8,
            color=CURRENT_COLOR,
        )


def _style_strip_axes(ax: Axes, size: int, kernel: int, padding: int, beyond: int | None, lines: int) -> None:
    """The padded edge, the limits and ticks of :func:`plot_window_strip`'s axes."""
    padded = size + 2 * padding
    ax.axvline(padded, color="black", linewidth=0.8, linestyle=":")
    ax.set_xlim(-0.32 * padded, max(padded, (beyond or 0) + kernel) + 1)
    ax.set_ylim(-0.9 * lines - 0.2, 1.0)
    ax.set_yticks([])
    ax.set_xticks(sorted({0, padding, padding + size, padded}))
    ax.set_xlabel("pixel of the padded side")
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)


# --------------------------------------------------------------------------- coverage and the formula sweep


def window_coverage(height: int, width: int, kernel: int, stride: int, padding: int) -> torch.Tensor:
    """How many windows of the split contain each pixel: an ``(H, W)`` tensor of counts
    (``nn.Unfold`` of an image of ones, summed back by ``nn.Fold``)."""
    windows = F.unfold(torch.ones(1, 1, height, width), kernel, padding=padding, stride=stride)
    return F.fold(windows, (height, width), kernel, padding=padding, stride=stride)[0, 0].int()


def draw_coverage(ax: Axes, height: int, width: int, kernel: int, stride: int, padding: int) -> torch.Tensor:
    """Shade every image pixel of the padded picture on ``ax`` by how many windows hold it (viridis, 0 dark
    purple), as :func:`plot_coverage` does for a small image, with a discrete colour bar: one box per count that
    occurs (e.g. 0, 1, 2, 4); returns the ``(H, W)`` counts."""
    counts = window_coverage(height, width, kernel, stride, padding)
    top = max(int(counts.max()), 1)
    values = np.array(sorted(int(v) for v in counts.unique()))  # the counts that occur, one colour box each
    cmap = matplotlib.colors.ListedColormap(matplotlib.colormaps["viridis"](values / top), name="viridis")
    edges = np.concatenate([[values[0] - 0.5], (values[1:] + values[:-1]) / 2, [values[-1] + 0.5]])
    norm = matplotlib.colors.BoundaryNorm(edges, len(values))  # count values[i] -> box i, its viridis colour on 0..top
    extent = (padding - 0.5, padding + width - 0.5, padding + height - 0.5, padding - 0.5)
    shade = ax.imshow(counts.numpy(), cmap=cmap, norm=norm, extent=extent, zorder=0.5, alpha=0.9)
    bar = ax.figure.colorbar(shade, ax=ax, shrink=0.8, pad=0.01, ticks=(edges[1:] + edges[:-1]) / 2)  # box centres
    bar.set_ticklabels(["0: pixel in\nno token" if v == 0 else str(v) for v in values])
    bar.minorticks_off()
    bar.set_label("windows that hold the pixel", fontsize=10)  # the size of the widget's caption
    bar.ax.tick_params(labelsize=10)
    if values[0] == 0:  # the lost pixels are drawn red and hatched over their colour: so is their box
        box = Rectangle((0, edges[0]), 1, edges[1] - edges[0], transform=bar.ax.get_yaxis_transform(), **_LOST_BOX)
        bar.ax.add_patch(box)
    return counts


_LOST_BOX = {"facecolor": LOST_COLOR, "edgecolor": LOST_HATCH_COLOR, "hatch": "////", "linewidth": 0, "zorder": 3}


def plot_coverage(height: int, width: int, kernel: int, stride: int, paddings: Sequence[int] = (0, 1)) -> Figure:
    """Side by side, one heatmap per padding: how many windows of a ``(kernel, stride, padding)``
    split contain each pixel of a ``height x width`` image (0: the pixel is in no token)."""
    counts = [window_coverage(height, width, kernel, stride, padding) for padding in paddings]
    top = max(int(c.max()) for c in counts)
    fig = new_figure(figsize=(3.2 * len(paddings), 3.4))
    axes = fig.subplots(1, len(paddings), squeeze=False)[0]
    for ax, padding, count in zip(axes, paddings, counts, strict=True):
        ax.imshow(count.numpy(), cmap="viridis", vmin=0, vmax=top)
        for (row, col), value in np.ndenumerate(count.numpy()):
            ax.text(
                col, row, str(value), ha="center", va="center", fontsize=8, color="white" if value < top else "black"
            )
        grid = count_tokens(height, width, kernel, stride, padding)
        ax.set_title(f"k={kernel}, s={stride}, p={padding}: {grid.rows} x {grid.cols} tokens", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"windows that contain each pixel of an image of {height} x {width} pixels", fontsize=10)
    fig.tight_layout()
    return fig


class FormulaSweep:
    """The result of :func:`sweep_token_formulas`: how many cases, how many agreed, each slip's misses."""

    def __init__(self, cases: int, agreed: int, slip_wrong: dict[str, int]) -> None:
        self.cases, self.agreed, self.slip_wrong = cases, agreed, slip_wrong

    def __str__(self) -> str:
        lines = [f"every form == count_tokens == nn.Unfold in {self.agreed} of {self.cases} cases"]
        lines += [
            f"  the slip '{name}' would be wrong in {wrong} of {self.cases} cases"
            for name, wrong in self.slip_wrong.items()
        ]
        return "\n".join(lines)


def sweep_token_formulas(
    forms: dict[str, object],
    slips: dict[str, object],
    heights: Sequence[int] = (1, 5, 13, 28, 60, 100),
    widths: Sequence[int] = (7, 25, 100),
    kernels: Sequence[int] = (1, 2, 3, 7, 20),
    strides: Sequence[int] = (1, 2, 4, 10),
    paddings: Sequence[int] = (0, 1, 2, 5),
) -> FormulaSweep:
    """Every split that fits, over all sizes, kernels, strides and paddings: each per-side form
    ``form(size, kernel, stride, padding)`` (rows x cols) and ``count_tokens`` must equal the
    number of windows ``nn.Unfold`` really cuts; counts where each slip gives another number."""
    cases = agreed = 0
    slip_wrong = dict.fromkeys(slips, 0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a thousand tiny unfold calls: one thread is faster than several
    try:
        with torch.no_grad():
            for h in heights:
                for w in widths:
                    for k in kernels:
                        for s in strides:
                            for p in paddings:
                                if k > min(h, w) + 2 * p:
                                    continue  # the window does not fit: no split
                                n = F.unfold(torch.zeros(1, 1, h, w), k, padding=p, stride=s).shape[-1]
                                totals = [form(h, k, s, p) * form(w, k, s, p) for form in forms.values()]
                                totals.append(count_tokens(h, w, k, s, p).total)
                                cases += 1
                                agreed += all(total == n for total in totals)
                                for name, slip in slips.items():
                                    slip_wrong[name] += slip(h, k, s, p) * slip(w, k, s, p) != n
    finally:
        torch.set_num_threads(threads)
    return FormulaSweep(cases, agreed, slip_wrong)


# --------------------------------------------------------------------------- why overlap: a line on a patch border


def tokens_holding(
    height: int, width: int, pixels: Sequence[tuple[int, int]], kernel: int, stride: int, padding: int
) -> list[int]:
    """The tokens (row-major indices) whose window holds **every** one of ``pixels`` ``(row, col)`` of a
    ``height x width`` image under the ``(kernel, stride, padding)`` split: ``nn.Unfold`` of a mask."""
    mask = torch.zeros(1, 1, height, width)
    for row, col in pixels:
        mask[0, 0, row, col] = 1.0
    held = F.unfold(mask, kernel, padding=padding, stride=stride)[0].sum(dim=0)  # (N,) line pixels per window
    return [int(index) for index in torch.nonzero(held == len(pixels)).flatten()]


def longest_held_run(size: int, kernel: int, stride: int, padding: int) -> int:
    """The longest ``L`` such that **every** run of ``L`` neighbouring pixels along a side of ``size`` pixels
    lies inside one window of the ``(kernel, stride, padding)`` split, by brute force over the windows
    (no formula). A window starting at ``start`` (``-padding`` is the first padded pixel) covers pixels
    ``start .. start + kernel - 1``; runs are counted on the image's pixels ``0 .. size - 1`` only. On a side
    every pixel of which is in some window (and at least ``2 * kernel`` long) it is ``kernel - stride + 1``."""
    starts = range(-padding, size + padding - kernel + 1, stride)  # every window that fits the padded side
    windows = [range(start, start + kernel) for start in starts]

    def held(first: int, length: int) -> bool:
        """Pixels ``first .. first + length - 1`` lie inside one window."""
        return any(first in window and first + length - 1 in window for window in windows)

    lengths = [n for n in range(1, size + 1) if all(held(first, n) for first in range(size - n + 1))]
    return max(lengths, default=0)


HOLDER_COLORS = ("tab:red", "tab:blue", "tab:purple", "tab:green")  # one frame colour per holding token


def _draw_patch_borders(ax: Axes, height: int, width: int, line: Sequence[tuple[int, int]], patch: int) -> None:
    """Outline the hard split's ``patch x patch`` patches (black) and, bold in gold on top of the line's cells,
    the piece of border ``line`` crosses: one pixel's side, between two of its neighbouring pixels."""
    for top in range(0, height - patch + 1, patch):
        for left in range(0, width - patch + 1, patch):
            ax.add_patch(Rectangle((left, top), patch, patch, fill=False, edgecolor="black", linewidth=1.2, zorder=2.5))
    gold = {"color": "gold", "linewidth": 4, "solid_capstyle": "butt", "zorder": 3.8}  # above the dark line cells
    for (r0, c0), (r1, c1) in itertools.pairwise(line):
        if c0 // patch != c1 // patch:  # a vertical border between the two pixels, along their row
            x = max(c0, c1) // patch * patch
            ax.plot([x, x], [min(r0, r1), max(r0, r1) + 1], **gold)
        if r0 // patch != r1 // patch:  # a horizontal border, along their column
            y = max(r0, r1) // patch * patch
            ax.plot([min(c0, c1), max(c0, c1) + 1], [y, y], **gold)


def _draw_holders(ax: Axes, holders: list[int], grid: TokenGrid, kernel: int, stride: int) -> None:
    """A frame of its own colour, labelled ``token i``, around each window in ``holders``."""
    corners = _window_corners(grid, stride)
    for number, index in enumerate(holders):
        x, y = corners[index]
        color = HOLDER_COLORS[number % len(HOLDER_COLORS)]
        inset = 0.08 + 0.1 * number  # overlapping outlines stay apart
        side = kernel - 2 * inset
        frame = Rectangle((x + inset, y + inset), side, side, fill=False, edgecolor=color, linewidth=2.5, zorder=4.5)
        ax.add_patch(frame)  # above the line's dark pixels (zorder 3.5): a frame's edge never hides under them
        label = {"fontsize": 8, "color": "white", "fontweight": "bold", "zorder": 5}
        box = {"boxstyle": "round,pad=0.15", "fc": color, "lw": 0}
        top = number % 2 == 0  # alternate frames labelled inside their top edge and just below their bottom edge
        at_y, align = (y + inset + 0.1, "top") if top else (y + inset + side + 0.1, "top")  # below: off the pixels
        ax.text(x + inset + 0.1, at_y, f"token {index}", va=align, bbox=box, **label)


def plot_line_on_border(
    height: int = 4,
    width: int = 6,
    line: Sequence[tuple[int, int]] = ((1, 3), (1, 4)),
    splits: Sequence[tuple[int, int, int]] = ((2, 2, 0), (3, 2, 1)),
) -> Figure:
    """One panel per split of a ``height x width`` image with a short ``line`` (its pixels ``(row, col)``,
    dark): a hard split's patches outlined in black (the border the line crosses bold in gold), the windows that
    hold the whole line framed, one colour per token, the title counting them."""
    widths = [width + 2 * padding for _, _, padding in splits]
    fig = new_figure(figsize=(0.45 * sum(widths) + 0.6, 3.4), layout="constrained")
    axes = fig.subplots(1, len(splits), squeeze=False, gridspec_kw={"width_ratios": widths})[0]
    for ax, (kernel, stride, padding) in zip(axes, splits, strict=True):
        _draw_number_grid(ax, height, width, padding)
        for row, col in line:
            ax.add_patch(Rectangle((col + padding, row + padding), 1, 1, facecolor="black", zorder=3.5))  # on the text
            ax.text(col + padding + 0.55, row + padding + 0.62, str(row * width + col + 1), ha="center", va="center",
                    fontsize=10, fontweight="bold", color="white", zorder=4)  # fmt: skip
        kind = "hard" if kernel <= stride else "soft"
        if kind == "hard" and padding == 0:
            _draw_patch_borders(ax, height, width, line, kernel)
        holders = tokens_holding(height, width, line, kernel, stride, padding)
        _draw_holders(ax, holders, count_tokens(height, width, kernel, stride, padding), kernel, stride)
        held = ", ".join(map(str, holders)) if holders else "none"
        ax.set_title(
            f"{kind} split k={kernel}, s={stride}, p={padding}:\n{len(holders)} tokens hold the whole line ({held})",
            fontsize=9,
        )
    fig.suptitle(
        f"a {len(line)}-pixel line (dark) across a patch border (gold); frames: windows that hold all of it",
        fontsize=10,
    )
    return fig


def worst_run(kernel: int, stride: int, padding: int) -> tuple[int, int]:
    """``(first, length)`` of the worst-placed run that still fits one window: it starts ``stride - 1`` pixels
    after window 1's start (image pixel ``2 * stride - 1 - padding``) and is ``kernel - stride + 1`` pixels long;
    only window 1 holds it, and one pixel more fits no window (needs ``kernel > stride``)."""
    return 2 * stride - 1 - padding, kernel - stride + 1


def plot_run_strip(size: int = 20, kernel: int = 7, stride: int = 4, padding: int = 2) -> Figure:
    """One side of ``size`` pixels as a strip of squares (padding orange), the windows that fit below it (one
    bar per line, window 1 framed in green), and the worst-placed run of :func:`worst_run`: its ``k - s + 1``
    pixels green, the next pixel red (a run one longer lies in no window), and two dotted lines, the start of
    window 2 and the end of window 1, that show why. Pixels are numbered as in the image."""
    first, length = worst_run(kernel, stride, padding)
    if kernel <= stride or first < 0 or first + length >= size:
        raise ValueError(f"the worst run of (k, s, p) = ({kernel}, {stride}, {padding}) does not fit {size} pixels")
    starts, _ = _window_spans(size, kernel, stride, padding)
    padded = size + 2 * padding
    fig = new_figure(figsize=(0.36 * padded + 1.2, 1.1 + 0.3 * len(starts)), layout="constrained")
    ax = fig.subplots()
    for x in range(padded):
        pixel = x - padding
        colour = PADDING_COLOR if not 0 <= pixel < size else "0.85"
        if first <= pixel <= first + length:  # the run green, the pixel after it red
            colour = "tab:green" if pixel < first + length else "tab:red"
        ax.add_patch(Rectangle((x, 0), 1, 1, facecolor=colour, edgecolor="black", linewidth=0.5))
        if 0 <= pixel < size:
            ax.text(x + 0.5, 0.5, str(pixel), ha="center", va="center", fontsize=7)
    for j, start in enumerate(starts):
        holder = j == 1
        y = -0.7 - 0.7 * j
        edge = {"edgecolor": "tab:green", "linewidth": 2.0} if holder else {"edgecolor": "black", "linewidth": 0.5}
        ax.add_patch(Rectangle((start, y), kernel, 0.5, facecolor=WINDOW_COLOR, alpha=0.7, **edge))
        ax.text(start - 0.3, y + 0.25, f"window {j}", ha="right", va="center", fontsize=7)
    # what rules out a window holding the run and its red pixel: window 1 ends before the red pixel, window 2
    # starts after the run's first pixel (x in padded pixels)
    labels = ((starts[2], "start of window 2 ", "right", 1.1), (starts[1] + kernel, " end of window 1", "left", 1.5))
    for x, label, side, height in labels:  # each label on the outer side of its line, one above the other
        ax.axvline(x, color="0.4", linestyle=":", linewidth=0.8)
        ax.text(x, height, label, ha=side, va="bottom", fontsize=7, color="0.3")
    ax.set_xlim(-3.2, padded + 0.2)
    ax.set_ylim(-0.7 * len(starts) - 0.1, 1.95)
    ax.axis("off")
    ax.set_title(
        f"({kernel}, {stride}, {padding}): pixels {first}..{first + length - 1} fit in window 1; "
        f"add pixel {first + length} and no window holds the run",
        fontsize=9,
    )
    return fig


# --------------------------------------------------------------------------- the original code's square reshape


def plot_square_reshape(image: torch.Tensor, kernel: int = 7, stride: int = 4, padding: int = 2) -> Figure:
    """Left: the token grid of the first split of ``image`` (``(C, H, W)``), each token shaded by the mean of
    its window (display only); right: the same tokens reshaped row-major into a square of side
    ``int(sqrt(N))``, as T2T's original code does: rows of the true grid end up side by side."""
    image = as_image(image)
    grid = count_tokens(image.shape[1], image.shape[2], kernel, stride, padding)
    shade = _pooled_chain(image.mean(dim=0, keepdim=True), [(kernel, stride, padding)])[1][0]  # (rows, cols)
    side = int(math.sqrt(grid.total))
    fig = new_figure(figsize=(7.0, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})
    left.imshow(shade.numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    left.set_title(f"true grid {grid.rows} x {grid.cols}\n= {grid.total} tokens", fontsize=9)
    if side * side == grid.total:
        right.imshow(shade.reshape(side, side).numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        right.set_title(
            f"reshaped to int(sqrt({grid.total})) = {side}: {side} x {side}\n(neighbours scrambled)", fontsize=9
        )
    else:
        right.text(0.5, 0.5, f"{grid.total} is not a square\n({side}² = {side * side}): reshape fails", ha="center")
    for ax in (left, right):
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("the first split's tokens, each shaded by its window's mean (display only)", fontsize=10)
    return fig


# --------------------------------------------------------------------------- ViT's map, T2T's boxes marked


def plot_vit_map_t2t(vit_map: VitMap, image: torch.Tensor | None = None) -> Figure:
    """Lesson 01's map of a ViT (:func:`~vit_explained.plotting.lesson01.plot_vit_map`) with a dashed red frame
    around the two boxes T2T-ViT's T2T module replaces: the hard cut into patches and the patch embedding. The
    patches box's lesson link reads "lesson 01; cut again in lesson 02 (soft split)". The frame's note names the
    traced width ``D``: "drawn with T2T-ViT-14's D = 384" for a 384-wide map, else "T2T-ViT-14 uses D = 384"."""
    names = [step.name for step in vit_map.steps]
    first, last = names.index("patches"), names.index("patch tokens")
    fig = plot_vit_map(vit_map, image)
    ax = fig.axes[0]
    left, right = first * _BOX_STEP + _BOX_X0 - 0.12, last * _BOX_STEP + _BOX_X0 + _BOX_WIDTH + 0.12
    bottom, top = _BOX_Y - 0.14, _BOX_Y + _BOX_HEIGHT + 0.14
    style = {"fill": False, "edgecolor": "tab:red", "linestyle": "--", "linewidth": 2.0}
    ax.add_patch(Rectangle((left, bottom), right - left, top - bottom, label="T2T module", **style))
    for text in ax.texts:  # the patches box's lesson link, said for this lesson
        if text.get_text() == _MAP_LESSONS["patches"]:
            text.set_text("lesson 01; cut again in lesson 02 (soft split)")
    width = vit_map.steps[last].shape[-1]  # D: 384 when traced with T2T-ViT-14's widths
    said = "drawn with T2T-ViT-14's D = 384" if width == 384 else "T2T-ViT-14 uses D = 384"
    ax.text(
        (left + right) / 2, top + 0.08, f"T2T-ViT's T2T module\nreplaces these two boxes\n({said})",  # narrow: clear
        ha="center", va="bottom", fontsize=9, color="tab:red", weight="bold",
    )  # fmt: skip
    for text in ax.texts:  # ViT's learned table; T2T-ViT-14's is a fixed sinusoid (get_sinusoid_encoding), 384 wide
        if text.get_text().endswith("orange: learned tensors added to the sequence."):  # review 18a: T2T's say so
            said = "orange: tensors added to the sequence (class token learned; T2T's positions fixed)."
            text.set_text(text.get_text().replace("orange: learned tensors added to the sequence.", said))
        if text.get_text() == "learned pos_embedding":
            text.set_text("pos_embedding")  # learned in ViT, a fixed sinusoid in T2T-ViT (the note beside it)
            x, y = text.get_position()
            ax.text(x + 0.9, y - 0.13, "T2T-ViT-14's table: a fixed\nsinusoid (1, 197, 384), not learned",
                    ha="left", va="center", fontsize=8, color="tab:red")  # fmt: skip
    return fig


# --------------------------------------------------------------------------- the chain's count in closed form


def plot_floor_staircase(sides: Sequence[int] = range(200, 261)) -> Figure:
    """T2T's tokens per side after its three splits, ``(n + 13) // 16`` (from :func:`t2t_chain`), against the
    original code's ``n // 16``, as two staircases over the image sides ``n`` in ``sides``; the sides where the
    two differ are shaded. Both step up by one every 16 pixels, the chain's steps 13 pixels earlier."""
    sides = list(sides)
    chain = [t2t_chain(n, n, 1)[-1].grid.rows for n in sides]
    shortcut = [n // 16 for n in sides]
    fig = new_figure(figsize=(7.0, 2.8))
    ax = fig.subplots()
    ax.step(sides, chain, where="post", color="tab:blue", linewidth=2.0, label="T2T's chain: (n + 13) // 16")
    ax.step(sides, shortcut, where="post", color="tab:red", linestyle="--", label="original code: n // 16")
    for n, mine, theirs in zip(sides, chain, shortcut, strict=True):
        if mine != theirs:
            ax.axvspan(n, n + 1, color="0.85", linewidth=0, zorder=0)
    ax.set_xlabel("image side n (pixels); grey: the two counts differ")
    ax.set_ylabel("tokens per side")
    ax.set_yticks(range(min(shortcut), max(chain) + 1))
    ax.legend(loc="upper left", fontsize=8)
    ax.set_xlim(sides[0], sides[-1])
    return fig


# --------------------------------------------------------------------------- why overlap: a real edge on the photo


def _as_gray(image: torch.Tensor) -> torch.Tensor:
    """An RGB ``(3, H, W)`` image in grayscale, ``(1, H, W)``, as the lesson measures the edge; else unchanged."""
    if image.shape[0] != 3:
        return image
    return (image * torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)).sum(0, keepdim=True)


def plot_edge_on_photo(
    image: torch.Tensor,
    edge: Sequence[tuple[int, int]],
    *,
    patch: int = 16,
    split: tuple[int, int, int] = (7, 4, 2),
    margin: int = 8,
) -> Figure:
    """A real edge of ``image`` (``(C, H, W)``), given as its ``(row, col)`` pixels, under a hard split into
    ``patch x patch`` patches and under the soft ``split``. Left: the photo, its patch borders (gold) and a white box
    round the zoomed part. Right: the zoom, ``margin`` pixels round the edge, with the edge's pixels outlined
    (cyan), the patch borders (gold), the borders of ``stride x stride`` windows at the split's stride and padding,
    without overlap (magenta, dashed), and the first soft window that holds every edge pixel (red, its token index
    in the legend). Raises ``ValueError`` if no soft window holds the whole edge."""
    image = as_image(image)
    height, width = image.shape[1:]
    kernel, stride, padding = split
    holders = tokens_holding(height, width, edge, kernel, stride, padding)
    if not holders:
        raise ValueError(f"no window of the split {split} holds all {len(edge)} edge pixels")
    cols = count_tokens(height, width, kernel, stride, padding).cols
    token = holders[0]
    top, left = (token // cols) * stride - padding, (token % cols) * stride - padding  # in image pixels
    rows_e, cols_e = [r for r, _ in edge], [c for _, c in edge]
    r0, r1 = max(min(rows_e) - margin, 0), min(max(rows_e) + margin + 1, height)
    c0, c1 = max(min(cols_e) - margin, 0), min(max(cols_e) + margin + 1, width)
    fig = new_figure(figsize=(9.5, 4.6), layout="constrained")
    photo, zoom = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, (c1 - c0) / (r1 - r0)]})
    photo.imshow(to_display(image), cmap="gray", vmin=0, vmax=1)
    borders = [at - 0.5 for at in range(patch, max(height, width), patch)]
    photo.hlines(borders, -0.5, width - 0.5, color="gold", linewidth=0.6)
    photo.vlines(borders, -0.5, height - 0.5, color="gold", linewidth=0.6)
    photo.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor="white", linewidth=2))
    photo.set_title(f"{height} x {width} photo, {patch} x {patch} patches (gold)", fontsize=10)
    crop = to_display(_as_gray(image[:, r0:r1, c0:c1]))  # only the zoomed pixels: less to resample
    zoom.imshow(crop, cmap="gray", vmin=0, vmax=1, extent=(c0 - 0.5, c1 - 0.5, r1 - 0.5, r0 - 0.5))
    zoom.set_xlim(c0 - 0.5, c1 - 0.5)
    zoom.set_ylim(r1 - 0.5, r0 - 0.5)
    _lines_in_box(zoom, borders, (r0, r1, c0, c1), color="gold", linewidth=3)
    grid = [start - padding - 0.5 for start in range(0, max(height, width) + 2 * padding, stride)]  # no overlap
    grid_style = {"color": "magenta", "linewidth": 1.5, "linestyle": (0, (3, 2))}
    _lines_in_box(zoom, grid, (r0, r1, c0, c1), label="no-overlap grid", **grid_style)
    for row, col in edge:
        zoom.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="cyan", linewidth=2.5))
    zoom.add_patch(Rectangle((left - 0.5, top - 0.5), kernel, kernel, fill=False, edgecolor="red", linewidth=3))
    no_overlap = f"{stride} x {stride} windows, stride {stride}, padding {padding}: cut it"
    handles = [
        MplPatch(facecolor="none", edgecolor="cyan", label=f"the edge: {len(edge)} dark pixels of the frame"),
        MplPatch(facecolor="gold", label="a patch border: cuts it"),
        Line2D([], [], label=no_overlap, **grid_style),
        MplPatch(facecolor="none", edgecolor="red", linewidth=2, label=f"soft window {token}: holds it whole"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8.5, frameon=False)  # off the zoom
    gray = " in grayscale" if image.shape[0] == 3 else ""
    title = f"zoom{gray}: rows {r0}..{r1 - 1}, columns {c0}..{c1 - 1}\nsoft split k={kernel}, s={stride}, p={padding}"
    zoom.set_title(title, fontsize=10)
    for ax in (photo, zoom):
        ax.set(xticks=[], yticks=[])
    return fig


def _lines_in_box(ax: Axes, at: Sequence[float], box: tuple[int, int, int, int], **style: object) -> None:
    """Horizontal and vertical lines at the positions ``at`` that fall inside ``box = (r0, r1, c0, c1)``."""
    r0, r1, c0, c1 = box
    ax.hlines([b for b in at if r0 - 0.5 < b < r1 - 0.5], c0 - 0.5, c1 - 0.5, **style)
    ax.vlines([b for b in at if c0 - 0.5 < b < c1 - 0.5], r0 - 0.5, r1 - 0.5, **style)


# --------------------------------------------------------------------------- what one final token holds


def _footprint_ticks(zoom: Axes, corner: tuple[int, int], size: int, token: tuple[int, int], patch: int) -> None:
    """First and last pixel rows/columns as ticks: the token's (red, ``size`` wide from ``corner``) on the left and
    bottom, ViT's ``patch x patch`` patch at grid place ``token`` (gold) on the right and top."""
    (top, left), (row, col) = corner, token
    zoom.set_yticks((top, top + size - 1))
    zoom.set_xticks((left, left + size - 1))
    right_axis = zoom.secondary_yaxis("right")
    top_axis = zoom.secondary_xaxis("top")
    right_axis.set_yticks((row * patch, row * patch + patch - 1))
    top_axis.set_xticks((col * patch, col * patch + patch - 1))
    for axis, color in ((zoom, "red"), (right_axis, "darkgoldenrod"), (top_axis, "darkgoldenrod")):
        axis.tick_params(labelsize=8, colors=color)


def plot_token_footprint(
    image: torch.Tensor,
    token: tuple[int, int],
    *,
    splits: Sequence[tuple[int, int, int]] = T2T_SPLITS,
    patch: int = 16,
    margin: int = 10,
) -> Figure:
    """One final token of the chain of ``splits`` on ``image`` (``(C, H, W)``), at grid ``(row, col)`` ``token``:
    left, the photo with a white box round the zoom; right, the zoom with the token's pixel footprint (red, from
    ``chain_footprints``) and ViT's ``patch x patch`` patch at the same grid place (gold)."""
    from ..soft_split import chain_footprints

    image = as_image(image)
    height, width = image.shape[1:]
    last = chain_footprints(splits)[-1]
    row, col = token
    top, left = (span[0] for span in last.pixels(row, col))  # may be < 0: padding
    r0, r1 = max(top - margin, 0), min(top + last.size + margin, height)
    c0, c1 = max(left - margin, 0), min(left + last.size + margin, width)
    fig = new_figure(figsize=(8.0, 4.0), layout="constrained")
    photo, zoom = fig.subplots(1, 2)
    photo.imshow(to_display(image), cmap="gray", vmin=0, vmax=1)
    photo.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor="white", linewidth=2))
    photo.set_title(f"{height} x {width} photo", fontsize=10)
    zoom.imshow(to_display(image[:, r0:r1, c0:c1]), cmap="gray", vmin=0, vmax=1,
                extent=(c0 - 0.5, c1 - 0.5, r1 - 0.5, r0 - 0.5))  # fmt: skip
    zoom.add_patch(Rectangle((left - 0.5, top - 0.5), last.size, last.size, fill=False, edgecolor="red", linewidth=3))
    zoom.add_patch(Rectangle((col * patch - 0.5, row * patch - 0.5), patch, patch, fill=False, edgecolor="gold",
                             linewidth=3, linestyle="--"))  # fmt: skip
    handles = [
        MplPatch(facecolor="none", edgecolor="red", linewidth=2, label=f"T2T token {token}: {last.size} x {last.size}"),
        MplPatch(
            facecolor="none",
            edgecolor="gold",
            linewidth=2,
            linestyle="--",
            label=f"ViT patch {token}: {patch} x {patch}",
        ),
    ]
    zoom.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        fontsize=8.5,
        ncol=2,
    )
    zoom.set_xlim(c0 - 0.5, c1 - 0.5)
    zoom.set_ylim(r1 - 0.5, r0 - 0.5)
    zoom.set_title(
        f"zoom: the splits' windows span {last.size} x {last.size} pixels\n"
        "(the token layers' attention then mixes globally)",
        fontsize=10,
        pad=16,
    )
    photo.set_xticks([])
    photo.set_yticks([])
    _footprint_ticks(zoom, (top, left), last.size, (row, col), patch)
    return fig

"""Figures for lesson 01: the map of a ViT, an image cut into patches, the token matrix, and
position embeddings (the sinusoid table, a trained model's learned positions, and those positions
carried to a new resolution).

Every helper returns a figure made by :func:`vit_explained.plotting.new_figure`: end the cell
with it and the notebook shows it once.
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap

import torch
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle
from matplotlib.ticker import FuncFormatter

from .. import _checks
from ..patches import patch_grid
from ..positional import PositionStructure, cosine_similarity_matrix, nearest_position, patch_position_similarity
from ..vit_map import VitMap
from . import as_image, new_figure, to_display

__all__ = [
    "draw_patch_grid",
    "explode_patches",
    "mnist_vit_card",
    "one_pixel_reach",
    "plot_accuracies",
    "plot_embedding_routes",
    "plot_eq1_sequence",
    "plot_filter_smoothness",
    "plot_kernel_layouts",
    "plot_patch_filters",
    "plot_patch_grid",
    "plot_patchify_axes",
    "plot_pixel_reach",
    "plot_position_ablation",
    "plot_position_similarity",
    "plot_position_similarity_pair",
    "plot_position_structure",
    "plot_resized_positions",
    "plot_shift_gaps",
    "plot_shuffled_digits",
    "plot_sinusoid",
    "plot_slip_scatter",
    "plot_token_matrix",
    "plot_vit_map",
    "read_forward",
    "roll_table",
    "roll_verdicts",
    "sublayer_reach",
    "tied_nearest",
]


def explode_patches(image: torch.Tensor, patch_size: int | tuple[int, int], gap: int = 2) -> torch.Tensor:
    """Lay the patches of ``(C, H, W)`` out with ``gap`` white pixels between them.

    Returns ``(C, rows * (ph + gap) - gap, cols * (pw + gap) - gap)``: the same patches, in the
    same places, pulled apart so that each one can be seen on its own.
    """
    image = as_image(image)
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
    image = as_image(image)
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
    draw_patch_grid(left, image, (ph, pw), linewidth=0.7)
    left.set_xticks(range(0, width + 1, pw * max(1, cols // 7)))
    left.set_yticks(range(0, height + 1, ph * max(1, rows // 7)))
    left.set_xlabel("W (pixels)")
    left.set_ylabel("H (pixels)")
    left.set_title(f"{height}x{width} image, {ph}x{pw} patches:\n{rows} rows x {cols} columns = {count} patches")

    exploded = explode_patches(image, (ph, pw), gap)
    right.imshow(to_display(exploded), cmap=cmap, vmin=0, vmax=1)
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


def _token_matrix_layout(
    patches: torch.Tensor, patch_size: int | tuple[int, int], examples: tuple[int, ...]
) -> tuple[torch.Tensor, int, int, int]:
    """Check :func:`plot_token_matrix`'s arguments; returns ``(patches (N, L), ph, pw, channels)``."""
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
    for index in examples:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise ValueError(f"examples must be token indices from 0 to {count - 1}, got {index!r}")
    return patches.detach().float().cpu().clamp(0.0, 1.0), ph, pw, length // (ph * pw)


def _draw_token_example(
    fig: Figure, cell, matrix, patches: torch.Tensor, index: int, slot: int, ph: int, pw: int
) -> None:
    """Frame token ``index``'s row on ``matrix`` (the zoomed rows), point at it, and fold the row back into a
    ``ph x pw`` square in ``cell``."""
    length = patches.shape[1]
    shown = int(abs(matrix.get_ylim()[0] - matrix.get_ylim()[1]))  # the rows the panel shows
    channels = length // (ph * pw)
    colour = ("tab:red", "tab:orange", "tab:green", "tab:purple", "tab:blue")[slot % 5]
    matrix.add_patch(Rectangle((0, index), length, 1, fill=False, edgecolor=colour, linewidth=2.5))
    matrix.annotate(
        f"token {index}",
        xy=(length, index + 0.5),
        xytext=(length * 1.06, index + 0.5 + (slot - 1) * shown * 0.03),
        color=colour,
        fontsize=9,
        va="center",
        annotation_clip=False,
        arrowprops={"arrowstyle": "->", "color": colour},
    )
    square = fig.add_subplot(cell)
    square.imshow(
        to_display(patches[index].reshape(ph, pw, channels).permute(2, 0, 1)),
        cmap="gray" if channels == 1 else None,
        vmin=0,
        vmax=1,
    )
    square.set_xticks([])
    square.set_yticks([])
    for spine in square.spines.values():
        spine.set_color(colour)
        spine.set_linewidth(2)
    square.set_title(f"token {index} as a patch", fontsize=9, color=colour)


def plot_token_matrix(
    patches: torch.Tensor, patch_size: int | tuple[int, int], *, examples: tuple[int, ...] = (0, 1, 14)
) -> Figure:
    """The flattened patches as a matrix: one row per token, ``ph * pw * C`` numbers per row.

    ``patches`` is ``(N, ph * pw * C)`` or ``(1, N, ph * pw * C)`` in the layout of
    :func:`vit_explained.patchify` (``(p1 p2 c)``: channels innermost), values in ``[0, 1]``.
    Each row is drawn as a strip of ``ph * pw`` coloured pixels (3 numbers each for RGB); on the
    left, the rows listed in ``examples`` are folded back into their ``ph x pw`` squares; on the right, the
    first rows (up to one past the last example) are drawn again, zoomed, each example's row framed in its colour,
    so a one-pixel row of a tall matrix stays visible.
    """
    patches, ph, pw, channels = _token_matrix_layout(patches, patch_size, examples)
    count, length = patches.shape
    strips = patches.reshape(count, ph * pw, channels)  # (N, ph*pw, C): one RGB pixel per 3 numbers
    if channels == 1:
        strips = strips[..., 0]

    zoom = min(count, max(examples, default=0) + 2)  # rows 0 .. zoom - 1 drawn again, large, beside the matrix
    fig = new_figure(figsize=(12, 4.8))
    grid = fig.add_gridspec(max(len(examples), 1), 3, width_ratios=(1, 6, 3), wspace=0.35)
    matrix, close = fig.add_subplot(grid[:, 1]), fig.add_subplot(grid[:, 2])
    for ax, rows in ((matrix, count), (close, zoom)):
        ax.imshow(
            strips[:rows].numpy(),
            cmap="gray" if channels == 1 else None,
            vmin=0,
            vmax=1,
            aspect="auto",
            extent=(0, length, rows, 0),
            interpolation="none",
        )
    matrix.add_patch(Rectangle((0, 0), length, zoom, fill=False, edgecolor="white", linewidth=2, linestyle="--"))
    close.set_title(f"rows 0 to {zoom - 1} of the matrix, zoomed", fontsize=10)
    close.set_yticks([r + 0.5 for r in range(zoom)] if zoom <= 20 else [], range(zoom) if zoom <= 20 else [])
    close.tick_params(labelsize=7)
    per_pixel = f"{channels} per pixel (R, G, B)" if channels > 1 else "1 per pixel"
    matrix.set_xlabel(f"place in the row, 0 to {length - 1}: {ph * pw} pixels row by row, {per_pixel}")
    matrix.set_ylabel(f"token index (row-major), N = {count}")
    matrix.set_title(f"token matrix ({count}, {length}): one row per patch")
    for slot, index in enumerate(examples):
        _draw_token_example(fig, grid[slot, 0], close, patches, index, slot, ph, pw)
    return fig


# --------------------------------------------------------------------------- three patch embeddings

_CHANNEL_COLOURS = ((0.85, 0.15, 0.15), (0.15, 0.6, 0.15), (0.15, 0.3, 0.9))


def _kernel_strip(values: torch.Tensor, channel_of: torch.Tensor, channels: int) -> torch.Tensor:
    """``(L,)`` kernel values -> ``(1, L, 3)`` RGB cells: the hue names the channel, the shade the value."""
    span = values.abs().max().clamp_min(1e-12)
    shade = 0.35 + 0.65 * (values / span + 1) / 2  # (L,) in [0.35, 1]
    colours = torch.tensor(_CHANNEL_COLOURS[:channels] if channels <= 3 else [(0.5, 0.5, 0.5)] * channels)
    return (colours[channel_of] * shade[:, None])[None]


def _route_matrices(tokens: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Each route's tokens as an ``(N, D)`` float matrix on the CPU (``(1, N, D)`` loses its batch axis)."""
    if not isinstance(tokens, dict) or not tokens:
        raise ValueError("tokens must be a non-empty dict {route name: (N, D) tokens}")
    mats = {}
    for name, value in tokens.items():
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"tokens[{name!r}] must be a tensor, got {type(value).__name__}")
        value = value.detach().float().cpu()
        if value.dim() == 3 and value.shape[0] == 1:
            value = value[0]
        if value.dim() != 2:
            raise ValueError(f"tokens[{name!r}] must be (N, D) or (1, N, D), got {tuple(value.shape)}")
        mats[name] = value
    return mats


def _patch_kernel(kernel: torch.Tensor) -> torch.Tensor:
    """Output channel 0's ``(C, P, P)`` kernel, as a float tensor on the CPU."""
    if not isinstance(kernel, torch.Tensor):
        raise TypeError(f"kernel must be a tensor, got {type(kernel).__name__}")
    kernel = kernel.detach().float().cpu()
    if kernel.dim() == 4:
        kernel = kernel[0]
    if kernel.dim() != 3 or kernel.shape[1] != kernel.shape[2]:
        raise ValueError(f"kernel must be (D, C, P, P) or (C, P, P), got {tuple(kernel.shape)}")
    return kernel


_MATRIX = {"aspect": "auto", "interpolation": "none"}  # a token matrix drawn cell for cell


def _route_slots(mats: dict[str, torch.Tensor], extra: bool) -> tuple[list[tuple[str, str | None]], list[float]]:
    """The token panels' layout, left to right: each panel, the shared colour bar right after the last signed
    panel, and a |difference| panel's own bar right after it (so no panel sits between two bars)."""
    signed = [name for name, value in mats.items() if not bool((value >= 0).all())]
    slots: list[tuple[str, str | None]] = []
    for name in mats:
        slots.append(("panel", name))
        if name not in signed:  # a |difference|: white (0) to red, its own bar
            slots += [("own bar", name), ("gap", None)]
        elif name == signed[-1]:
            slots += [("shared bar", None), ("gap", None)]
    if extra:
        slots += [("panel", None), ("own bar", None)]
    widths = {"panel": 1, "own bar": 0.05, "shared bar": 0.05, "gap": 0.12}  # gap: room for a bar's ticks
    return slots, [widths[kind] for kind, _ in slots]


def _draw_route_tokens(fig: Figure, cell, mats: dict[str, torch.Tensor], difference: tuple[str, str] | None) -> None:
    """The routes' token matrices side by side on one colour scale, its colour bar right after the last
    signed panel; a ``|difference|`` route (no negative values) in white to red with its own bar right of
    it; then, if ``difference`` names two routes, ``|a - b|`` on its own scale (float32 rounding is ~1e-7)."""
    slots, ratios = _route_slots(mats, difference is not None)
    top = cell.subgridspec(1, len(ratios), width_ratios=ratios, wspace=0.25)
    # the scale spans 97 % of the values (the rare larger ones saturate): the extremes would wash out the rest
    span = max(float(torch.quantile(m.abs().flatten(), 0.97)) for m in mats.values())
    images, shown = {}, None
    for slot, (kind, name) in enumerate(slots):
        if kind == "panel" and name is not None:
            value = mats[name]
            ax = fig.add_subplot(top[0, slot])
            if bool((value >= 0).all()):
                images[name] = ax.imshow(value.numpy(), cmap="Reds", vmin=0, vmax=span, **_MATRIX)
            else:
                shown = ax.imshow(value.numpy(), cmap="RdBu_r", vmin=-span, vmax=span, **_MATRIX)
            ax.set_title(textwrap.fill(name, 22), fontsize=9)  # wrapped: long names would run into the next panel
            ax.set_xlabel(f"token width D = {value.shape[1]}", fontsize=8)
            if slot == 0:
                ax.set_ylabel(f"token (patch) index, N = {value.shape[0]}", fontsize=8)
            else:
                ax.set_yticks([])
        elif kind == "own bar" and name is not None:
            fig.colorbar(images[name], cax=fig.add_subplot(top[0, slot]))
        elif kind == "shared bar":
            fig.colorbar(shown, cax=fig.add_subplot(top[0, slot]), extend="both")
    if difference is not None:
        _draw_route_difference(fig, top, mats, difference)


def _draw_route_difference(fig: Figure, top, mats: dict[str, torch.Tensor], difference: tuple[str, str]) -> None:
    """``|a - b|`` of two routes in the last two slots of ``top``, on its own grey scale with its own bar."""
    a, b = difference
    if a not in mats or b not in mats:
        raise ValueError(f"difference must name two routes of tokens {list(mats)}, got {difference}")
    gap = (mats[a] - mats[b]).abs()
    ax = fig.add_subplot(top[0, -2])
    shown = ax.imshow(gap.numpy(), cmap="Greys", vmin=0, aspect="auto", interpolation="none")
    short = {name: name.split(". ", 1)[-1].split()[0].rstrip(",") for name in (a, b)}  # "3. Conv2d, ..." -> Conv2d
    ax.set_title(f"{len(mats) + 1}. |{short[a]} - {short[b]}|\non its own scale", fontsize=9)
    ax.set_xlabel(f"token width D = {gap.shape[1]}", fontsize=8)
    ax.set_yticks([])
    bar = fig.colorbar(shown, cax=fig.add_subplot(top[0, -1]))
    high = float(gap.max())
    power = math.floor(math.log10(high)) if high > 0 else 0  # the bar's scale in its label, not above its top
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value / 10**power:g}"))
    bar.set_label(f"x 1e{power}" if power else "", fontsize=8)


def _draw_kernel_row(fig: Figure, grid, kernel: torch.Tensor, zoom: int) -> None:
    """The kernel's maps and its two layouts in ``grid``, with the caption under the figure."""
    _draw_kernel_maps(fig, grid, kernel)
    _draw_kernel_layouts(fig, grid, kernel, zoom)
    fig.text(
        0.5,
        0.01,
        "maps: blue = low, red = high. Strips: the same numbers in two orders; a cell's hue is its input "
        "channel (R, G, B), its shade the value (dark = low, bright = high)",
        ha="center",
        fontsize=8,
    )


def _draw_kernel_maps(fig: Figure, bottom, kernel: torch.Tensor) -> None:
    """One ``P x P`` map per input channel of the kernel, titled in that channel's colour."""
    channels, size, _ = kernel.shape
    for c in range(channels):
        ax = fig.add_subplot(bottom[:, c])
        ax.imshow(kernel[c].numpy(), cmap="RdBu_r", interpolation="none")
        name = f" ({'RGB'[c]})" if channels == 3 else ""
        ax.set_title(f"kernel[0, {c}]{name}\n{size} x {size}", fontsize=8, color=_CHANNEL_COLOURS[c % 3])
        ax.set_xticks([])
        ax.set_yticks([])


def _draw_kernel_layouts(fig: Figure, bottom, kernel: torch.Tensor, zoom: int) -> None:
    """The kernel's numbers as a ``Linear`` row in the two layouts, each with its first ``zoom`` enlarged."""
    channels, size, _ = kernel.shape
    length = channels * size * size
    index = torch.arange(length)
    layouts = {
        "(c p1 p2): the kernel flattened as it is (Unfold + Linear)": (
            kernel.reshape(-1),
            index // (size * size),
        ),
        "(p1 p2 c): channels innermost (Rearrange + Linear)": (
            kernel.permute(1, 2, 0).reshape(-1),
            index % channels,
        ),
    }
    for row, (title, (values, channel_of)) in enumerate(layouts.items()):
        cell = bottom[row, channels].subgridspec(1, 2, width_ratios=(2, 1), wspace=0.08)
        whole, part = fig.add_subplot(cell[0, 0]), fig.add_subplot(cell[0, 1])
        strip = _kernel_strip(values, channel_of, channels)
        whole.imshow(strip.numpy(), aspect="auto", interpolation="none", extent=(0, length, 1, 0))
        whole.set_title(f"weight row 0, {title}", fontsize=8, loc="left")
        whole.set_yticks([])
        whole.set_xticks([0, size * size, 2 * size * size, length] if channels == 3 else [0, length])
        whole.tick_params(labelsize=7)
        whole.axvspan(0, zoom, fill=False, edgecolor="black", linewidth=1)
        part.imshow(strip[:, :zoom].numpy(), aspect="auto", interpolation="none", extent=(0, zoom, 1, 0))
        part.set_title(f"numbers 0 to {zoom - 1}", fontsize=8)
        part.set_yticks([])
        part.tick_params(labelsize=7)


def plot_kernel_layouts(kernel: torch.Tensor, *, zoom: int = 24) -> Figure:
    """The one kernel behind the three patch embeddings, alone: output channel 0's ``P x P`` map per
    input channel, then its ``C * P * P`` numbers as a ``Linear`` row in the two layouts, ``(c p1 p2)``
    (``nn.Unfold`` + ``Linear``) and ``(p1 p2 c)`` (``Rearrange`` + ``Linear``), the first ``zoom`` enlarged.
    The bottom row of :func:`plot_embedding_routes`, drawn before any token is computed."""
    kernel = _patch_kernel(kernel)
    channels, size, _ = kernel.shape
    zoom = min(_checks.positive_int("zoom", zoom), channels * size * size)
    fig = new_figure(figsize=(11, 3.0))
    maps = 2.2  # each map's width against the layouts' 3 per channel: the P x P maps drawn large enough to read
    bottom = fig.add_gridspec(2, channels + 1, width_ratios=(*([maps] * channels), 3 * channels), hspace=0.9)
    _draw_kernel_row(fig, bottom, kernel, zoom)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.2, top=0.82, wspace=0.12)
    return fig


def plot_embedding_routes(
    tokens: dict[str, torch.Tensor],
    kernel: torch.Tensor | None,
    *,
    zoom: int = 24,
    difference: tuple[str, str] | None = None,
) -> Figure:
    """Three routes to the patch tokens, and the one kernel behind them in two layouts.

    ``tokens`` maps a route's name to its ``(N, D)`` or ``(1, N, D)`` tokens (drawn side by side, one
    colour scale for all, so equal tokens look equal). ``kernel`` is a patch ``Conv2d``'s ``(D, C, P, P)``
    weight (or one output channel's ``(C, P, P)``). Below: output channel 0's kernel, one ``P x P`` map
    per input channel, then its ``C * P * P`` numbers as a ``Linear`` row in the two layouts: ``(c p1 p2)``
    (the kernel flattened as it is: what ``nn.Unfold`` + ``Linear`` needs) and ``(p1 p2 c)`` (channels
    innermost: what ``Rearrange`` + ``Linear`` needs), the first ``zoom`` numbers of each enlarged. A cell's
    hue names its input channel, its shade the value. ``difference = (a, b)`` (two keys of ``tokens``)
    adds ``|a - b|`` on its own colour scale, right of the routes. ``kernel=None`` draws the tokens only
    (:func:`plot_kernel_layouts` draws the kernel alone).
    """
    mats = _route_matrices(tokens)
    if kernel is None:  # the tokens only (the kernel drawn before by plot_kernel_layouts)
        fig = new_figure(figsize=(11 if difference is None else 13.5, 3.6))
        _draw_route_tokens(fig, fig.add_gridspec(1, 1)[0], mats, difference)
        fig.subplots_adjust(bottom=0.14, top=0.84)
        return fig
    kernel = _patch_kernel(kernel)
    channels, size, _ = kernel.shape
    length = channels * size * size
    zoom = min(_checks.positive_int("zoom", zoom), length)

    fig = new_figure(figsize=(11 if difference is None else 13.5, 6.6))
    outer = fig.add_gridspec(2, 1, height_ratios=(1.25, 1), hspace=0.45)
    _draw_route_tokens(fig, outer[0], mats, difference)
    bottom = outer[1].subgridspec(2, channels + 1, width_ratios=(*([1] * channels), 3 * channels), hspace=0.9)
    _draw_kernel_row(fig, bottom, kernel, zoom)
    return fig


def plot_slip_scatter(right: torch.Tensor, wrong: torch.Tensor, *, points: int = 20_000) -> Figure:
    """A slip's tokens against the right ones: left, one dot per token number (every ``k``-th of them, at most
    ``points``), the right value across, the slipped value up, with the diagonal where they would agree and their
    correlation in the title; right, ``|right - wrong|`` as a token matrix, white to red, with its own bar.
    ``right`` and ``wrong``: ``(N, D)`` or ``(1, N, D)`` tokens of the same shape."""
    mats = _route_matrices({"right": right, "wrong": wrong})
    a, b = mats["right"], mats["wrong"]
    if a.shape != b.shape:
        raise ValueError(f"right and wrong must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    step = max(1, math.ceil(a.numel() / _checks.positive_int("points", points)))  # every step-th number: fixed
    x, y = a.flatten()[::step], b.flatten()[::step]
    corr = float(torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1])
    fig = new_figure(figsize=(11, 4.2))
    grid = fig.add_gridspec(1, 2, width_ratios=(1, 1.45), wspace=0.25)
    ax = fig.add_subplot(grid[0, 0])
    ax.plot(x.numpy(), y.numpy(), ".", ms=1.5, alpha=0.25, color="tab:blue", rasterized=True)
    lim = float(torch.cat([x, y]).abs().max())
    ax.plot([-lim, lim], [-lim, lim], color="black", lw=1, label="correct = permute forgotten")
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal")
    ax.set_xlabel("correct token number (Conv2d)", fontsize=9)
    ax.set_ylabel("the same number, permute forgotten", fontsize=9)
    ax.set_title(f"correlation {corr:.2f}: near the diagonal, not on it", fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    gap = (a - b).abs()
    ax = fig.add_subplot(grid[0, 1])
    shown = ax.imshow(gap.numpy(), cmap="Reds", vmin=0, **_MATRIX)
    ax.set_title("|correct - permute forgotten|, each token number", fontsize=9)
    ax.set_xlabel(f"token width D = {gap.shape[1]}", fontsize=8)
    ax.set_ylabel(f"token (patch) index, N = {gap.shape[0]}", fontsize=8)
    fig.colorbar(shown, ax=ax, fraction=0.05, pad=0.02)
    fig.subplots_adjust(bottom=0.14, top=0.9)
    return fig


# --------------------------------------------------------------------------- position tables


def _draw_sinusoid_table(fig: Figure, ax, table: torch.Tensor) -> None:
    """The ``(N, D)`` table with its sine columns (0, 2, ...) left of its cosine columns (1, 3, ...)."""
    count, dim = table.shape
    regrouped = torch.cat([table[:, 0::2], table[:, 1::2]], dim=1)
    # nearest: smoothing the fast columns (top left) would draw moire arcs that are not in the table
    image = ax.imshow(regrouped.numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    sines = table[:, 0::2].shape[1]
    ax.axvline(sines - 0.5, color="black", linewidth=1)
    ax.set_xticks([sines / 2, sines + (dim - sines) / 2], ["sin columns (even)", "cos columns (odd)"])
    ax.set_xlabel("column (regrouped; frequency falls to the right in each half)")
    ax.set_ylabel("position")
    ax.set_title(f"sinusoid_encoding({count}, {dim})")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)


def _draw_similarity(fig: Figure, ax, matrix: torch.Tensor, title: str) -> None:
    """A cosine-similarity matrix ``(N, N)`` on the fixed scale ``[-1, 1]``."""
    shown = ax.imshow(matrix.numpy(), cmap="viridis", vmin=-1, vmax=1)
    ax.set_xlabel("position j")
    ax.set_ylabel("position i")
    ax.set_title(title)
    fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)


def _draw_similarity_rows(ax, sinusoid: torch.Tensor, learned: torch.Tensor, position: int) -> None:
    """Row ``position`` of both similarity matrices against the distance ``j - i``."""
    offsets = (torch.arange(sinusoid.shape[0]) - position).numpy()
    ax.plot(offsets, sinusoid[position].numpy(), label="sinusoid", color="tab:blue")
    ax.plot(offsets, learned[position].numpy(), label="learned (at init)", color="tab:orange", alpha=0.8)
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.set_ylim(-0.3, 1.05)
    ax.set_xlabel(f"distance j - i from position i = {position}")
    ax.set_ylabel("cosine similarity")
    ax.set_title(f"row {position} of each similarity matrix")
    ax.legend(loc="upper right")


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
    count = table.shape[0]
    position = count // 2 if position is None else position
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < count:
        raise ValueError(f"position must be an index from 0 to {count - 1}, got {position!r}")
    learned_similarity = None if learned is None else cosine_similarity_matrix(learned)
    if learned_similarity is not None and learned_similarity.shape != similarity.shape:
        raise ValueError(
            f"learned must have the same number of positions as table ({count}), got {learned_similarity.shape[0]}"
        )

    fig = new_figure(figsize=(10, 4.4) if learned is None else (10, 8.6))
    axes = fig.subplots(1, 2) if learned is None else fig.subplots(2, 2).ravel()
    _draw_sinusoid_table(fig, axes[0], table.detach().float().cpu())
    _draw_similarity(fig, axes[1], similarity, "sinusoid: cosine similarity\n(bright band: nearby positions are alike)")
    if learned_similarity is not None:
        _draw_similarity(
            fig,
            axes[2],
            learned_similarity,
            "learned, at initialisation: cosine similarity\n(no structure until trained)",
        )
        _draw_similarity_rows(axes[3], similarity, learned_similarity, position)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- the map of a ViT

_MAP_COLOURS = {"data": "#dbe9f6", "learned": "#fde3c8", "model": "#e2f0d9"}
#: The lesson that opens up each step of the map.
_MAP_LESSONS = {
    "image": "lesson 01",
    "patches": "lesson 01 (02: overlap)",
    "patch tokens": "lesson 01",
    "+ class token, positions": "lesson 01",
    "blocks": "lessons 03, 04, 05",
    "norm, class token": "lesson 04: final norm",
    "head: logits": "lesson 06: training",
}
#: Where the step boxes sit: box width and height, bottom edge, left margin, spacing.
_BOX_WIDTH, _BOX_HEIGHT, _BOX_Y, _BOX_X0, _BOX_STEP = 1.62, 1.7, 1.35, 0.19, 2.0


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ")"


def _reads_class_token(vit_map: VitMap) -> bool:
    """Whether the traced model's head reads the class token (``pool="cls"``) rather than a mean."""
    return any(step.name == "norm, class token" for step in vit_map.steps)


def _map_notes(vit_map: VitMap) -> dict[str, str]:
    """The line of explanation inside each step's box, keyed by step name."""
    rows, cols = vit_map.grid
    ph, pw = vit_map.patch_size
    return {
        "image": "the picture",
        "patches": f"{rows} x {cols} patches,\n{ph}·{pw}·C numbers each",
        "patch tokens": "one Linear on\nevery patch",
        "+ class token, positions": "prepend class_token,\nadd pos_embedding",
        "blocks": f"x {vit_map.depth}: attention,\nthen MLP",
        "norm": "final LayerNorm,\n" + ("read the class token" if _reads_class_token(vit_map) else "average patches"),
        "head: logits": "Linear",
    }


def _draw_map_step(ax, index: int, step, note: str | None, lesson: str | None) -> float:
    """One box of the map (name, note, shape, axes, lesson) and the arrow into it; returns its centre x."""
    x, y, width, height = index * _BOX_STEP + _BOX_X0, _BOX_Y, _BOX_WIDTH, _BOX_HEIGHT
    colour = _MAP_COLOURS["data"] if index < 2 else _MAP_COLOURS["model"]
    ax.add_patch(FancyBboxPatch((x, y), width, height, boxstyle="round,pad=0.04", facecolor=colour, edgecolor="0.3"))
    centre = x + width / 2
    ax.text(
        centre,
        y + height - 0.12,
        step.name,
        ha="center",
        va="top",
        fontsize=8.5 if len(step.name) < 20 else 7.8,
        weight="bold",
    )
    ax.text(centre, y + 0.42, _shape(step.shape), ha="center", va="center", fontsize=10, family="monospace")
    ax.text(centre, y + 0.14, step.axes, ha="center", va="center", fontsize=8, color="0.35")
    if note:
        ax.text(centre, y + height * 0.55, note, ha="center", va="center", fontsize=8)
    if lesson:
        ax.text(centre, y - 0.22, lesson, ha="center", va="top", fontsize=8, color="tab:blue")
    if index:
        ax.annotate(
            "", xy=(x - 0.02, y + height / 2), xytext=(x - 0.36, y + height / 2),
            arrowprops={"arrowstyle": "->", "color": "0.2", "linewidth": 1.3},
        )  # fmt: skip
    return centre


def _draw_map_image(ax, image: torch.Tensor, grid: tuple[int, int]) -> None:
    """The picture, with its patch grid, inside the map's first box."""
    image = as_image(image)
    rows, cols = grid
    inset = ax.inset_axes(
        (_BOX_X0 + 0.4, _BOX_Y + 0.6, _BOX_WIDTH - 0.8, 0.78), transform=ax.transData
    )  # fmt: skip
    inset.imshow(to_display(image), cmap="gray" if image.shape[0] == 1 else None, vmin=0, vmax=1)
    _, height_px, width_px = image.shape
    for xline in range(0, width_px + 1, max(1, width_px // cols)):
        inset.axvline(xline - 0.5, color="white", linewidth=0.4)
    for yline in range(0, height_px + 1, max(1, height_px // rows)):
        inset.axhline(yline - 0.5, color="white", linewidth=0.4)
    inset.set_axis_off()


def _draw_map_learned(ax, vit_map: VitMap, merge: float) -> None:
    """The two learned tensors (class token, position embeddings) that join the sequence at ``merge``."""
    tensors = (("class_token", vit_map.class_token), ("pos_embedding", vit_map.pos_embedding))
    for offset, (name, shape) in enumerate(tensors):
        bx = merge - 1.55 + offset * 1.6
        ax.add_patch(
            FancyBboxPatch(
                (bx, 3.45), 1.5, 0.55, boxstyle="round,pad=0.03", facecolor=_MAP_COLOURS["learned"], edgecolor="0.3"
            )
        )
        ax.text(bx + 0.75, 3.86, f"learned {name}", ha="center", va="center", fontsize=8.5)
        ax.text(bx + 0.75, 3.6, _shape(shape), ha="center", va="center", fontsize=9, family="monospace")
        ax.annotate(
            "", xy=(merge - 0.3 + offset * 0.6, _BOX_Y + _BOX_HEIGHT + 0.05), xytext=(bx + 0.75, 3.43),
            arrowprops={"arrowstyle": "->", "color": "tab:orange", "linewidth": 1.2},
        )  # fmt: skip


def plot_vit_map(vit_map: VitMap, image: torch.Tensor | None = None, *, lessons: bool = True) -> Figure:
    """The whole ViT on one line: image -> patches -> patch tokens -> (+ class token, + positions)
    -> blocks -> norm and the class token (or a mean) -> head, each box with the shape it hands on.

    ``vit_map`` comes from :func:`vit_explained.vit_map.trace_vit` (shapes read from a real
    model's forward pass); ``image`` ``(C, H, W)`` is drawn in the first box with the patch grid.
    With ``lessons`` each box names the lesson that opens it up.
    """
    if not isinstance(vit_map, VitMap):
        raise TypeError(f"vit_map must be a VitMap from trace_vit(model, images), got {type(vit_map).__name__}")
    notes = _map_notes(vit_map)
    fig = new_figure(figsize=(13.5, 3.7))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, len(vit_map.steps) * _BOX_STEP)
    ax.set_ylim(0.5, 4.2)
    ax.set_axis_off()
    centres = []
    for index, step in enumerate(vit_map.steps):
        note = notes.get("norm" if step.name.startswith("norm") else step.name)
        if step.name == "image" and image is not None:
            note = None  # the picture takes the note's place
        lesson = _MAP_LESSONS.get(step.name) if lessons else None
        centres.append(_draw_map_step(ax, index, step, note, lesson))
    if image is not None:
        _draw_map_image(ax, image, vit_map.grid)
    _draw_map_learned(ax, vit_map, centres[3])
    ax.text(
        _BOX_X0, 0.72,
        "B batch, C channels, H x W image, P patch side, N patches, D token width. "
        "Blue: data; green: the model; orange: learned tensors added to the sequence.",
        fontsize=8.5, color="0.3", va="center",
    )  # fmt: skip
    return fig


# --------------------------------------------------------------------------- learned positions


def plot_position_similarity(pos_embedding: torch.Tensor, grid: tuple[int, int]) -> Figure:
    """One small map per patch (the ViT paper's Figure 7): the cosine similarity between that
    patch's learned position vector and every patch's, laid out on the patch grid.

    ``pos_embedding`` is ``(1, N + 1, D)`` (a ViT's ``pos_embedding``; the class token's row is
    dropped) and ``grid`` ``(rows, cols)``. A dot marks each patch's most similar other patch.
    """
    similarity = patch_position_similarity(pos_embedding, grid)
    rows, cols = similarity.shape[:2]
    nearest = nearest_position(similarity)
    fig = new_figure(figsize=(0.95 * cols + 0.8, 0.95 * rows + 0.6))
    axes = fig.subplots(rows, cols, squeeze=False, gridspec_kw={"wspace": 0.08, "hspace": 0.08})
    shown = None
    for r in range(rows):
        for c in range(cols):
            ax = axes[r][c]
            shown = ax.imshow(similarity[r, c].numpy(), cmap="viridis", vmin=-1, vmax=1)
            ax.plot(c, r, "s", markersize=5, markerfacecolor="none", markeredgecolor="white", markeredgewidth=1.8)
            ax.plot(*nearest[r, c].flip(0).tolist(), "o", markersize=2.5, color="red")
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(str(r), fontsize=8, rotation=0, labelpad=6)
            if r == rows - 1:
                ax.set_xlabel(str(c), fontsize=8)
    fig.colorbar(shown, ax=axes, fraction=0.025, pad=0.02, label="cosine similarity")
    fig.suptitle(
        "Learned position embeddings: each small map is one patch (white square) compared with every patch\n"
        "(rows and columns: the patch's grid position; red dot: its most similar other patch)",
        fontsize=9,
    )
    return fig


def _similarity_mosaic(similarity: torch.Tensor, patches: list[tuple[int, int]] | None) -> tuple[torch.Tensor, list]:
    """The small maps of ``similarity`` (rows, cols, rows, cols) in one NaN-separated mosaic: all of them on
    the grid, or only ``patches``, side by side. Also each drawn map's (patch, top-left corner in the mosaic)."""
    rows, cols = similarity.shape[:2]
    chosen = [(r, c) for r in range(rows) for c in range(cols)] if patches is None else list(patches)
    for r, c in chosen:
        if not (0 <= r < rows and 0 <= c < cols):
            raise ValueError(f"patch ({r}, {c}) is off the {rows} x {cols} grid")
    if patches is None:
        corners = [(r * (rows + 1), c * (cols + 1)) for r, c in chosen]
        shape = (rows * (rows + 1) - 1, cols * (cols + 1) - 1)
    else:
        corners = [(0, k * (cols + 1)) for k in range(len(chosen))]
        shape = (rows, len(chosen) * (cols + 1) - 1)
    mosaic = torch.full(shape, float("nan"))
    for (r, c), (top, left) in zip(chosen, corners, strict=True):
        mosaic[top : top + rows, left : left + cols] = similarity[r, c]
    return mosaic, list(zip(chosen, corners, strict=True))


def _label_patch_grid(ax, grid: tuple[int, int]) -> None:
    """Patch row and column ticks at the centre of each small map, and a thin frame around the inner maps."""
    rows, cols = grid
    ax.set_xticks([c * (cols + 1) + (cols - 1) / 2 for c in range(cols)], [str(c) for c in range(cols)], fontsize=8)
    ax.set_yticks([r * (rows + 1) + (rows - 1) / 2 for r in range(rows)], [str(r) for r in range(rows)], fontsize=8)
    ax.tick_params(length=0)
    ax.set_xlabel("patch column", fontsize=9)
    ax.set_ylabel("patch row", fontsize=9)
    if rows > 2 and cols > 2:
        left, top = (cols + 1) - 1.0, (rows + 1) - 1.0  # the middle of the gap before map 1
        width, height = (cols - 2) * (cols + 1), (rows - 2) * (rows + 1)
        ax.add_patch(
            Rectangle((left, top), width, height, fill=False, edgecolor="black", linewidth=0.9, linestyle="--")
        )


def tied_nearest(similarity: torch.Tensor, tolerance: float = 1e-6) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Patch ``(row, col)`` -> every other patch within ``tolerance`` of its best similarity, for the patches
    whose best is such a tie (two or more): there the argmax's pick is set by float rounding, not by the table."""
    rows, cols = similarity.shape[:2]
    flat = similarity.reshape(rows * cols, rows * cols).double().clone()
    flat.fill_diagonal_(float("-inf"))
    tied = flat >= flat.max(dim=1, keepdim=True).values - tolerance
    return {
        divmod(i, cols): [divmod(int(j), cols) for j in tied[i].nonzero().flatten()]
        for i in range(rows * cols)
        if int(tied[i].sum()) > 1
    }


def plot_position_similarity_pair(
    tables: dict[str, tuple[torch.Tensor, tuple[int, int]]],
    *,
    patches: list[tuple[int, int]] | None = None,
    scale: float = 1.0,
    inner_frame: bool = False,
    own_range: bool = False,
    legend: bool = False,
) -> Figure:
    """Two learned tables, each as :func:`plot_position_similarity` draws one: one small map per patch, its cosine
    similarity to every patch, a white square on the patch itself, a red dot on its most similar other patch (on an
    exact tie, within 1e-6, a red ring on each tied patch instead). ``tables`` maps a title to ``(pos_embedding (1,
    N + 1, D), (rows, cols))``. ``patches`` (``(row, col)`` pairs, on every table's grid) draws only those patches'
    maps, larger, one row per table; the default draws every patch's map on its grid, the tables side by side.
    ``scale`` multiplies the figure's size and its markers (2.0: twice as wide and tall, so a fine grid's bands
    show). ``inner_frame`` (every-map layout only) puts patch row and column ticks on the outer axes and a thin
    frame around the maps of the inner patches (off the grid's outer ring), the ones the row and column readings
    use. ``own_range`` gives each table its own colour range (its lowest similarity to 1) and colour bar, instead of
    one -1 to 1 bar. ``legend`` adds a title line naming the two markers."""
    if not isinstance(tables, dict) or not 1 <= len(tables) <= 2:
        raise ValueError(f"tables must be a dict of one or two title -> (pos_embedding, grid), got {tables!r:.80}")
    if patches is None:
        fig = new_figure(figsize=((4.6 * len(tables) + 0.9) * scale, 4.9 * scale))
        axes = fig.subplots(1, len(tables), squeeze=False)[0]
    else:
        fig = new_figure(figsize=((1.9 * len(patches) + 1.2) * scale, (2.3 * len(tables) + 0.4) * scale))
        axes = fig.subplots(len(tables), 1, squeeze=False)[:, 0]
    shown = None
    for ax, (title, (pos_embedding, grid)) in zip(axes, tables.items(), strict=True):
        similarity = patch_position_similarity(pos_embedding, grid)  # (rows, cols, rows, cols)
        mosaic, drawn = _similarity_mosaic(similarity, patches)
        low = float(mosaic.nan_to_num(nan=1.0).min()) if own_range else -1.0  # 1: the self-similarity, the top
        shown = ax.imshow(mosaic.numpy(), cmap="viridis", vmin=low, vmax=1, interpolation="nearest")
        if own_range:
            fig.colorbar(shown, ax=ax, fraction=0.04, pad=0.02, label="cosine similarity")
        near = nearest_position(similarity)  # (rows, cols, 2)
        ties = tied_nearest(similarity)  # patches whose best is an exact tie: rings on all tied, no dot
        big = patches is not None
        for (r, c), (top, left) in drawn:
            ax.scatter(left + c, top + r, s=(60 if big else 9) * scale**2, marker="s", facecolors="none",
                       edgecolors="white", linewidths=(2.0 if big else 1.0) * scale)  # fmt: skip
            red = (25 if big else 3) * scale**2
            if (r, c) in ties:  # a tie: every tied neighbour gets a red ring, none a dot (float rounding picks one)
                ax.scatter([left + cc for _, cc in ties[r, c]], [top + rr for rr, _ in ties[r, c]], s=2.5 * red,
                           facecolors="none", edgecolors="red", linewidths=0.8 * scale)  # fmt: skip
                continue
            ax.scatter(left + int(near[r, c, 1]), top + int(near[r, c, 0]), s=red, color="red")
            if big:
                ax.text(left + (grid[1] - 1) / 2, grid[0] - 0.3, f"patch ({r}, {c})", ha="center", va="top", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        if inner_frame and patches is None:
            _label_patch_grid(ax, grid)
        ax.set_frame_on(False)
        ax.set_title(title + (f" (colours {low:.2f} to 1)" if own_range else ""), fontsize=10)
    if not own_range:
        fig.colorbar(shown, ax=list(axes), fraction=0.025, pad=0.02, label="cosine similarity")
    if legend:
        fig.suptitle("white square: the patch; red dot: its most similar other patch", fontsize=10)
    return fig


def plot_position_structure(structure: PositionStructure) -> Figure:
    """The mean cosine similarity of each kind of patch pair in a :class:`PositionStructure`, as a
    dot with its interval (a bootstrap over patches), one row per kind, ``n`` pairs in the label.

    Pairs among the inner patches (off the grid's outer ring) are drawn in one colour, pairs with a
    border patch in another; a dotted line marks 0.
    """
    if not isinstance(structure, PositionStructure):
        raise TypeError(f"structure must be a PositionStructure, got {type(structure).__name__}")
    groups = list(structure.groups.items())
    fig = new_figure(figsize=(7.2, 0.34 * len(groups) + 1.3))
    ax = fig.subplots()
    for row, (name, estimate) in enumerate(groups):
        border = name.startswith("border")
        colour = "tab:orange" if border else "tab:blue"
        ax.errorbar(
            estimate.estimate,
            row,
            xerr=[[estimate.estimate - estimate.low], [estimate.high - estimate.estimate]],
            fmt="o",
            color=colour,
            capsize=3,
            label="with border patches" if border else "among inner patches",
        )
    ax.axvline(0, color="gray", linestyle=":", linewidth=1)
    ax.set_yticks(range(len(groups)), [f"{name} (n = {estimate.n})" for name, estimate in groups], fontsize=8)
    ax.invert_yaxis()
    confidence = groups[0][1].confidence
    ax.set_xlabel(f"mean cosine similarity of two patches' positions ({confidence:.0%} interval)")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=8, loc="lower right")
    rows, cols = structure.grid
    ax.set_title(f"Kinds of patch pairs on the {rows} x {cols} grid (intervals: bootstrap over patches)", fontsize=9)
    return fig


def plot_resized_positions(
    tables: dict[str, tuple[torch.Tensor, tuple[int, int]]], *, channel: int | None = None
) -> Figure:
    """Learned position tables side by side, one column each: ``tables`` maps a title to a
    ``(1, 1 + rows * cols, D)`` table and its ``(rows, cols)`` grid (the first one: the trained table).

    Top row: one channel of each table's patch rows laid out on its grid (``channel``; default:
    the channel of the first table that varies most over the patches). Bottom row: the cosine
    similarity of the centre patch's position to every patch's (white square: the centre patch).
    """
    if not isinstance(tables, dict) or not tables:
        raise ValueError("tables must be a non-empty dict {title: (pos_embedding, (rows, cols))}")
    grids = {title: patch_position_similarity(table, grid) for title, (table, grid) in tables.items()}
    first_table, first_grid = next(iter(tables.values()))
    if channel is None:
        channel = int(first_table[0, 1:].detach().float().var(dim=0).argmax())
    fig = new_figure(figsize=(3.0 * len(tables) + 0.8, 7.0), layout="constrained")  # room between the rows
    fig.get_layout_engine().set(h_pad=0.12, hspace=0.08)
    axes = fig.subplots(2, len(tables), squeeze=False)
    values = [table[0, 1:, channel].detach().float().reshape(grid) for table, grid in tables.values()]
    low = min(float(v.min()) for v in values)
    high = max(float(v.max()) for v in values)
    for column, (title, (_, grid)) in enumerate(tables.items()):
        rows, cols = grid
        top, bottom = axes[0][column], axes[1][column]
        channel_image = top.imshow(values[column].numpy(), cmap="coolwarm", vmin=low, vmax=high)
        top.set_title(f"{title}\n{rows} x {cols} grid: channel {channel}", fontsize=9)
        centre = (rows // 2, cols // 2)
        similar = bottom.imshow(grids[title][centre].numpy(), cmap="viridis", vmin=-1, vmax=1)
        bottom.plot(centre[1], centre[0], "s", markersize=9, markerfacecolor="none", markeredgecolor="white")
        bottom.set_title(f"similarity to the centre patch {centre}", fontsize=9)
        for ax in (top, bottom):
            ax.set_xticks(range(cols))
            ax.set_yticks(range(rows))
            ax.tick_params(labelsize=8)
    fig.colorbar(channel_image, ax=list(axes[0]), fraction=0.02, pad=0.02, label=f"channel {channel}")
    fig.colorbar(similar, ax=list(axes[1]), fraction=0.02, pad=0.02, label="cosine similarity")
    fig.suptitle(f"A learned {first_grid[0]} x {first_grid[1]} position table carried to a new grid", fontsize=10)
    return fig


def draw_patch_grid(
    ax, image: torch.Tensor, patch_size: int | tuple[int, int], *, linewidth: float = 0.6
) -> tuple[int, int]:
    """Draw ``image`` ``(C, H, W)`` on ``ax`` with its patch grid; returns ``(rows, cols)``
    (``patch_grid``'s ``ValueError`` if the patch does not divide the image)."""
    image = as_image(image)
    ph, pw = _checks.to_pair("patch_size", patch_size)
    _, height, width = image.shape
    rows, cols = patch_grid(height, width, (ph, pw))
    ax.imshow(
        to_display(image), cmap="gray" if image.shape[0] == 1 else None, vmin=0, vmax=1, extent=(0, width, height, 0)
    )
    for x in range(0, width + 1, pw):
        ax.axvline(x, color="white", linewidth=linewidth)
    for y in range(0, height + 1, ph):
        ax.axhline(y, color="white", linewidth=linewidth)
    ax.set_xticks([])
    ax.set_yticks([])
    return rows, cols


def plot_shuffled_patches(
    image: torch.Tensor,
    patch_size: int,
    order: torch.Tensor,
    without_positions: tuple[torch.Tensor, torch.Tensor],
    with_positions: tuple[torch.Tensor, torch.Tensor],
    *,
    dims: int | None = None,
) -> Figure:
    """Section 5's shuffle argument in one picture: the image, its patches shuffled by ``order``, and
    how much the shuffle moves the class token's output (all its numbers, or its first ``dims``): not at
    all without positions, visibly with positions added after the shuffle.

    ``without_positions`` and ``with_positions`` are ``(original, shuffled)`` pairs of ``(D,)`` outputs.
    """
    from ..patches import patchify, unpatchify

    image = as_image(image)
    _, height, width = image.shape
    count = patchify(image[None], patch_size).shape[1]
    order = torch.as_tensor(order).reshape(-1)
    if sorted(order.tolist()) != list(range(count)):
        raise ValueError(f"order must be a permutation of the {count} patches, got {tuple(order.shape)} indices")
    pairs = {"no positions": without_positions, "positions added after the shuffle": with_positions}
    for name, pair in pairs.items():
        if len(pair) != 2 or pair[0].shape != pair[1].shape or pair[0].dim() != 1:
            raise ValueError(f"{name}: give (original, shuffled), two (D,) outputs of the same width")
    shuffled = unpatchify(patchify(image[None], patch_size)[:, order], patch_size, height, width)[0]

    fig = new_figure(figsize=(11, 3.4))
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 2]})
    for ax, picture, title in ((axes[0], image, "original"), (axes[1], shuffled, "patches shuffled")):
        ax.imshow(to_display(picture), cmap="gray" if picture.shape[0] == 1 else None, vmin=0, vmax=1)
        ax.set_axis_off()
        ax.set_title(title)
    plot = axes[2]
    width = without_positions[0].numel()
    shown = width if dims is None else min(dims, width)
    styles = ({"color": "tab:blue", "lw": 2, "zorder": 3}, {"color": "tab:orange", "lw": 0.8})  # the flat one on top
    for (name, (original, moved)), style in zip(pairs.items(), styles, strict=True):
        dots = {"marker": "."} if shown <= 64 else {}  # dots for a few numbers, lines for many
        plot.plot((moved[:shown] - original[:shown]).detach().cpu(), label=name, **style, **dots)
    plot.axhline(0, color="gray", lw=0.5)
    plot.set_title("class token's output: shuffled minus original", fontsize=10)
    every = f"all {width} of its numbers" if shown == width else f"its first {shown} of {width} numbers"
    plot.set_xlabel(f"{every} (index)")
    plot.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_shuffled_digits(
    digits: torch.Tensor,
    shuffled: torch.Tensor,
    labels: torch.Tensor,
    predicted: torch.Tensor,
    *,
    count: int = 8,
    overall: tuple[float, int] | None = None,
    dpi: int | None = None,
) -> Figure:
    """Section 5's trained-model shuffle: the first ``count`` digits ``(B, 1, H, W)`` with their true labels
    (top) over the same digits shuffled with the model's predictions (bottom; green when right, red when wrong).

    The title counts the shown digits the model gets right; ``overall = (share, n)`` adds the share right over
    all ``n`` shuffled digits, so a lucky or unlucky sample of ``count`` does not stand for the whole."""
    count = min(count, digits.shape[0], shuffled.shape[0])
    if labels.shape[0] < count or predicted.shape[0] < count:
        raise ValueError(f"need {count} labels and predictions, got {labels.shape[0]} and {predicted.shape[0]}")
    fig = new_figure(figsize=(1.3 * count, 3.7), **({} if dpi is None else {"dpi": dpi}))
    axes = fig.subplots(2, count, squeeze=False)
    for k in range(count):
        true, guess = int(labels[k]), int(predicted[k])
        for ax, picture in ((axes[0, k], digits[k]), (axes[1, k], shuffled[k])):
            ax.imshow(picture[0].detach().cpu(), cmap="gray", vmin=0, vmax=1)
            ax.set_axis_off()
        axes[0, k].set_title(f"true {true}", fontsize=9)
        axes[1, k].set_title(f"predicted {guess}", fontsize=9, color="green" if true == guess else "red")
    right = sum(int(labels[k]) == int(predicted[k]) for k in range(count))
    score = f"{right} of these {count} right"
    if overall is not None:
        share, n = overall
        score += f" (too few to stand for the rest); {share:.1%} of all {n:,}".replace("%", " %")
    fig.suptitle(
        f"top: test digits; bottom: the same digits, patches shuffled (one permutation for all)\n{score}", fontsize=10
    )
    fig.tight_layout()
    return fig


def plot_position_ablation(
    arms: dict[str, list[float]], *, chance: float | None = None, title: str | None = None
) -> Figure:
    """Section 5b's position results as dots, one row per arm: ``{name: [accuracy, ...]}`` with one accuracy (a
    share in [0, 1]) per seed or permutation, drawn in %; each row is labelled with its range, and ``chance`` (a
    share) is drawn as a dashed line."""
    if not isinstance(arms, dict) or not arms or any(len(values) == 0 for values in arms.values()):
        raise ValueError("arms must be a non-empty dict {name: [accuracy, ...]}, each with at least one value")
    for name, values in arms.items():
        if not all(0 <= float(v) <= 1 for v in values):
            raise ValueError(f"arms[{name!r}] must hold shares in [0, 1], got {list(values)}")
    colours = ("tab:red", "tab:gray", "tab:orange", "tab:blue", "tab:green", "tab:purple")
    fig = new_figure(figsize=(7.5, 0.5 * len(arms) + 1.3))
    ax = fig.add_subplot()
    for row, values in enumerate(arms.values()):
        shown = [100 * float(v) for v in values]
        ax.plot(shown, [row] * len(shown), "o", color=colours[row % len(colours)], ms=7, alpha=0.8)
        low, high = min(shown), max(shown)
        span = f"{low:.1f} %" if len(shown) == 1 else f"{low:.1f}-{high:.1f} %"
        ax.annotate(span, (high, row), xytext=(8, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(range(len(arms)), list(arms), fontsize=8)
    ax.set_ylim(len(arms) - 0.5, -0.8)  # the first arm on top, room above it for the chance label
    ax.set_xlim(0, 110)
    if chance is not None:
        ax.axvline(100 * chance, color="black", ls="--", lw=1)
        ax.annotate("chance", (100 * chance, -0.55), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlabel("test digits right, % (one dot per seed or permutation)")
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_permuted_attention(attention: torch.Tensor, shuffled: torch.Tensor, order: torch.Tensor) -> Figure:
    """Why attention is permutation-equivariant, for a few tokens: ``attention`` is the ``(n, n)`` weight matrix
    (rows: queries, columns: keys) for tokens ``0 .. n-1``; ``shuffled`` the matrix the same weights give for the
    tokens in ``order`` (token ``order[i]`` at place ``i``). Both panels label each row and column with its token,
    so the reader sees the same numbers, rows and columns moved together: ``shuffled = Pi attention Pi^T``."""
    n = attention.shape[-1]
    if attention.shape != (n, n) or shuffled.shape != (n, n) or sorted(order.tolist()) != list(range(n)):
        raise ValueError(
            f"need two (n, n) matrices and a permutation of 0..n-1; got {tuple(attention.shape)}, "
            f"{tuple(shuffled.shape)} and {order.tolist()}"
        )
    fig = new_figure(figsize=(8.2, 3.6))
    axes = fig.subplots(1, 2, gridspec_kw={"wspace": 0.35})
    panels = (
        (attention, list(range(n)), "tokens in order " + ", ".join(str(t) for t in range(n))),
        (shuffled, order.tolist(), "tokens shuffled: " + ", ".join(str(t) for t in order.tolist())),
    )
    for ax, (matrix, labels, title) in zip(axes, panels, strict=True):
        values = matrix.detach().float().cpu()
        image = ax.imshow(values.numpy(), cmap="viridis", vmin=0, vmax=float(attention.max()))
        for i in range(n):
            for j in range(n):
                ax.text(
                    j,
                    i,
                    f"{values[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if values[i, j] < 0.6 * float(attention.max()) else "black",
                )
        ax.set_xticks(range(n), [str(t) for t in labels])
        ax.set_yticks(range(n), [str(t) for t in labels])
        ax.set_xlabel("key token (attended to)", fontsize=9)
        ax.set_ylabel("query token (attending)", fontsize=9)
        ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="attention weight")
    title = r"attention weights: the same numbers, rows and columns moved together ($\Pi A \Pi^\top$)"
    fig.suptitle(title, fontsize=10)
    return fig


# --------------------------------------------------------------------------- learned patch filters


def _filter_picture(values: torch.Tensor) -> tuple[object, dict]:
    """One ``(C, ph, pw)`` filter as imshow's array and keywords: gray channels on a symmetric red-blue
    scale, RGB filters shifted so that 0 is mid-grey (each filter on its own scale)."""
    span = float(values.abs().max().clamp_min(1e-12))
    if values.shape[0] == 3:
        return (0.5 + 0.5 * values / span).permute(1, 2, 0).clamp(0, 1).numpy(), {}
    return values[0].numpy(), {"cmap": "RdBu_r", "vmin": -span, "vmax": span}


def plot_patch_filters(kernels: dict[str, torch.Tensor], *, raw: int = 4, components: int = 8) -> Figure:
    """Patch embedding filters, as in the ViT paper's Figure 7 (left): one row per kernel.

    ``kernels`` maps a name to a ``(D, C, ph, pw)`` kernel (``PatchEmbedding.kernel()[0]``). Each row
    shows the kernel's first ``raw`` filters as they are, then its top ``components`` principal
    components (:func:`vit_explained.patch_embedding.filter_components`), each titled with its share
    of the variance. Every small picture has its own colour scale, 0 at its centre.
    """
    from ..patch_embedding import filter_components  # the package function this figure draws

    if not isinstance(kernels, dict) or not kernels:
        raise ValueError("kernels must be a non-empty dict {name: (D, C, ph, pw) kernel}")
    raw, components = _checks.positive_int("raw", raw), _checks.positive_int("components", components)
    fig = new_figure(figsize=(1.05 * (raw + components) + 0.6, 1.55 * len(kernels) + 0.4))
    grid = fig.add_gridspec(len(kernels), raw + components + 1, width_ratios=(*([1] * raw), 0.35, *([1] * components)))
    for row, (name, kernel) in enumerate(kernels.items()):
        parts, share = filter_components(kernel, components)
        filters = kernel.detach().double().cpu()[:raw]
        shape = "x".join(str(s) for s in kernel.shape[2:])
        for slot in range(raw + components):
            if slot < raw:
                picture, title = filters[slot], f"filter {slot}"
                ax = fig.add_subplot(grid[row, slot])
            else:
                k = slot - raw
                picture, title = parts[k], f"PC {k + 1}: {share[k]:.0%}"
                ax = fig.add_subplot(grid[row, slot + 1])
            array, style = _filter_picture(picture.float())
            ax.imshow(array, interpolation="nearest", **style)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title, fontsize=8)
            if slot == 0:
                ax.annotate(
                    f"{name}: {kernel.shape[0]} filters of {kernel.shape[1]} x {shape}; first {raw} as they are, "
                    f"then the top {components} principal components (share of the variance)",
                    xy=(0, 1.32),
                    xycoords="axes fraction",
                    fontsize=9,
                    ha="left",
                    va="bottom",
                )
    fig.subplots_adjust(left=0.01, right=0.99, top=0.8, bottom=0.02, hspace=0.9, wspace=0.15)
    return fig


def plot_filter_smoothness(
    trained: float, random: list[float], components: dict[str, torch.Tensor] | None = None
) -> Figure:
    """A strip plot of :func:`vit_explained.patch_embedding.component_smoothness`: one dot per random kernel
    (``random``, one value per seed) and the trained kernel's value (``trained``), on one axis. With
    ``components`` (``{row label: (count, 1, ph, pw) components}``, from
    :func:`vit_explained.patch_embedding.filter_components`), one row of component images per entry above it."""
    import numpy as np

    values = [float(v) for v in random]
    if not values:
        raise ValueError("random must hold at least one smoothness value")
    rows = list((components or {}).items())
    count = max((len(c) for _, c in rows), default=0)
    fig = new_figure(figsize=(7.5, 1.9 + 1.05 * len(rows)))
    grid = fig.add_gridspec(len(rows) + 1, 1, height_ratios=[1] * len(rows) + [1.6], hspace=0.35)
    for row, (label, comps) in enumerate(rows):  # one image per row: the components side by side, 1 pixel apart
        comps = comps.detach().double().cpu()[:, 0]  # one channel: (count, ph, pw); unit length each
        ph, pw = comps.shape[1:]
        strip = torch.full((ph, len(comps) * (pw + 1) - 1), float("nan"), dtype=torch.float64)
        for slot, component in enumerate(comps):
            strip[:, slot * (pw + 1) : slot * (pw + 1) + pw] = component
        limit = float(comps.abs().max()) or 1.0
        ax = fig.add_subplot(grid[row, 0])
        ax.imshow(strip.numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_xticks([slot * (pw + 1) + (pw - 1) / 2 for slot in range(len(comps))])
        ax.set_xticklabels([f"#{slot + 1}" for slot in range(len(comps))] if row == 0 else [], fontsize=8)
        ax.xaxis.set_ticks_position("top")
        ax.tick_params(length=0)
        ax.set_yticks([])
        ax.set_ylabel(label, fontsize=8, rotation=0, ha="right", va="center")
        for side in ax.spines.values():
            side.set_visible(False)
    ax = fig.add_subplot(grid[len(rows), :])
    jitter = np.random.default_rng(0).uniform(-0.12, 0.12, len(values))  # fixed: the same picture every run
    ax.scatter(values, 1 + jitter, s=22, color="tab:gray", alpha=0.8, label=f"random kernels ({len(values)} seeds)")
    ax.scatter([trained], [0], s=60, color="tab:red", zorder=3, label="shipped MNIST ViT, trained")
    ax.set_yticks([0, 1], ["trained", f"random\n({len(values)} seeds)"])
    ax.set_ylim(-0.6, 1.6)
    ax.axvline(0, color="black", linewidth=0.6, linestyle=":")
    ax.set_xlabel("neighbouring pixels' correlation in the top 4 principal components (smoothness)", fontsize=9)
    title = f"smoothness of the patch filters' top components: the trained kernel against {len(values)} random kernels"
    if rows:
        fig.suptitle(
            f"top {count} principal components of the patch filters (each one's sign is arbitrary), "
            "then their smoothness",
            fontsize=10,
        )
        ax.set_title(title, fontsize=9)
    else:
        ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=8)
    top = 0.86 if not rows else 1 - 0.42 / (1.9 + 1.05 * len(rows))
    fig.subplots_adjust(left=0.14, right=0.98, top=top, bottom=0.3 if not rows else 0.13)
    return fig


def plot_accuracies(estimates: dict, *, title: str | None = None) -> Figure:
    """Accuracies as dots with their intervals, one row per model: ``{name: Estimate}``.

    Each :class:`vit_explained.evidence.Estimate` (from :func:`vit_explained.evidence.proportion`) gives
    the dot (its estimate) and the bar (its interval); the row's label names ``n``. Values in [0, 1],
    drawn in %.
    """
    if not isinstance(estimates, dict) or not estimates:
        raise ValueError("estimates must be a non-empty dict {name: Estimate}")
    for name, estimate in estimates.items():
        if not all(hasattr(estimate, field) for field in ("estimate", "low", "high", "n", "confidence")):
            raise ValueError(f"estimates[{name!r}] must be an Estimate (vit_explained.evidence.proportion)")
        if not 0 <= estimate.low <= estimate.estimate <= estimate.high <= 1:
            raise ValueError(f"estimates[{name!r}] must be a share in [0, 1] with low <= estimate <= high")
    names = list(estimates)
    fig = new_figure(figsize=(7.5, 0.45 * len(names) + 1.1))
    ax = fig.add_subplot()
    for row, name in enumerate(names):
        e = estimates[name]
        ax.plot([100 * e.low, 100 * e.high], [row, row], color="tab:blue", lw=2.5, solid_capstyle="butt")
        ax.plot(100 * e.estimate, row, "o", color="black", ms=5)
        ax.annotate(
            f"{100 * e.estimate:.1f} %",
            (100 * e.high, row),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(names)), [f"{name} (n = {estimates[name].n})" for name in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    confidence = next(iter(estimates.values())).confidence
    ax.set_xlabel(f"accuracy, % (dot; bar: {100 * confidence:.0f} % Wilson interval)")
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=9)
    return fig


# --------------------------------------------------------------------------- Eq. 1 as a picture


def _eq1_column(ax, x: float, rows: list[tuple[str, str]], title: str, width: float = 1.6) -> None:
    """One column of Eq. 1's picture: a stack of labelled row boxes (each a token of width D), top to bottom."""
    for k, (label, colour) in enumerate(rows):
        y = -k
        if label == "...":
            ax.text(x + width / 2, y + 0.45, "...", ha="center", va="center", fontsize=12)
            continue
        ax.add_patch(FancyBboxPatch((x, y), width, 0.8, boxstyle="round,pad=0.02", facecolor=colour, edgecolor="black"))
        ax.text(x + width / 2, y + 0.4, label, ha="center", va="center", fontsize=10)
    ax.text(x + width / 2, 1.25, title, ha="center", va="bottom", fontsize=9)


def plot_eq1_sequence(num_patches: int = 196, dim: int = 768) -> Figure:
    """The ViT paper's Eq. 1 as a picture: the class token stacked on the ``num_patches`` projected patches
    ``x_p^i E``, plus the position table ``E_pos`` row for row, gives ``z_0``, ``(N + 1, D)``.

    Each box is one token (a row of ``dim`` numbers); the first two and the last patch are drawn, the rest
    elided. The row numbers on the left are the token indices (0: the class token)."""
    n = _checks.positive_int("num_patches", num_patches)
    d = _checks.positive_int("dim", dim)
    if n < 3:
        raise ValueError(f"num_patches must be at least 3 (two patches drawn, then the last), got {n}")
    names = ["$x_{class}$", "$x_p^1 E$", "$x_p^2 E$", "...", f"$x_p^{{{n}}} E$"]
    tokens = [(name, "#f4c27a" if k == 0 else "#9ecae1") for k, name in enumerate(names)]
    index = [0, 1, 2, None, n]  # the token index of each drawn row (None: the elided ones)
    positions = [("..." if k is None else f"$E_{{pos}}[{k}]$", "#c7e9c0") for k in index]
    sums = [("..." if k is None else f"$z_0[{k}]$", "#dadaeb") for k in index]
    fig = new_figure(figsize=(8.6, 3.4))
    ax = fig.subplots()
    _eq1_column(ax, 0.0, tokens, f"$[x_{{class}};\\ x_p^1 E; \\dots; x_p^N E]$\n({n + 1}, {d})")
    ax.text(2.0, -1.6, "+", ha="center", va="center", fontsize=22)
    _eq1_column(ax, 2.4, positions, f"$E_{{pos}}$\n({n + 1}, {d})")
    ax.text(4.4, -1.6, "=", ha="center", va="center", fontsize=22)
    _eq1_column(ax, 4.8, sums, f"$z_0$\n({n + 1}, {d})")
    for row, k in enumerate(index):
        if k is not None:
            ax.text(-0.15, -row + 0.4, str(k), ha="right", va="center", fontsize=9, color="gray")
    note = f"row 0: the class token,\nthe same for every image\n\nrows 1 to {n}: one patch each,\nprojected by E"
    ax.text(6.8, -0.2, note + "\n\nevery row: + its own\nposition vector", ha="left", va="top", fontsize=9)
    ax.annotate("", xy=(0.0, -4.35), xytext=(1.6, -4.35), arrowprops={"arrowstyle": "<->"})
    ax.text(0.8, -4.5, f"D = {d} numbers per row", ha="center", va="top", fontsize=9)
    ax.set_xlim(-0.6, 9.4)
    ax.set_ylim(-5.0, 2.3)
    ax.set_axis_off()
    fig.suptitle("Eq. 1: stack the class token on the projected patches, then add the position table", fontsize=10)
    return fig


def _poked(image: torch.Tensor, pixel: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Section 8's probes: ``image`` (``(1, C, H, W)``) in float64, and a copy with 1 added at ``pixel``."""
    image = torch.as_tensor(image).double()
    if image.dim() != 4 or image.shape[0] != 1:
        raise ValueError(f"image must be one picture as a batch, (1, C, H, W), got {tuple(image.shape)}")
    row, col = pixel
    poked = image.clone()
    poked[0, :, row, col] += 1.0
    return image, poked


def _z0(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """z0 of a package ``ViT``: class token, then patch embeddings, plus the position table, (B, N + 1, D)."""
    patches = model.patch_embedding(x)
    return torch.cat([model.class_token.expand(len(x), -1, -1), patches], dim=1) + model.pos_embedding


def one_pixel_reach(
    image: torch.Tensor, vit: torch.nn.Module, *, pixel: tuple[int, int] = (100, 100), seed: int = 0
) -> dict[str, torch.Tensor]:
    """Section 8's locality probe: add 1 to one pixel of ``image`` (``(1, C, H, W)``) and mark which output
    positions change, in float64 (so float32 rounding cannot mark a position).

    Returns boolean maps: ``"the input step (z0)"`` and ``"one ViT block"``, ``(N + 1,)`` over the class token
    and the patch tokens of ``vit`` (z0: its patch embedding, class token, positions; then its first block);
    ``"one 3x3 conv"`` and ``"two 3x3 convs"``, ``(H, W)`` over the pixels of untrained stride-1 convolutions
    (zero padding, 64 channels, ReLU between; ``seed`` draws their weights). A position counts as changed
    when any of its channels moves by more than 1e-9 of the largest output number.
    """
    import copy

    from torch import nn

    image, poked = _poked(image, pixel)
    model = copy.deepcopy(vit).double().eval()

    def tokens(x: torch.Tensor) -> torch.Tensor:
        return _z0(model, x)

    channels = image.shape[1]
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        first, second = nn.Conv2d(channels, 64, 3, padding=1), nn.Conv2d(64, 64, 3, padding=1)
    first, second = first.double(), second.double()
    layers = {
        "the input step (z0)": lambda x: tokens(x)[0],
        "one ViT block": lambda x: model.blocks[0](tokens(x))[0],
        "one 3x3 conv": lambda x: first(x)[0].permute(1, 2, 0),
        "two 3x3 convs": lambda x: second(torch.relu(first(x)))[0].permute(1, 2, 0),
    }
    reach = {}
    with torch.no_grad():
        for name, layer in layers.items():
            before, after = layer(image), layer(poked)
            reach[name] = ((after - before).abs() > 1e-9 * before.abs().max()).any(dim=-1)
    return reach


def block_change_sizes(
    image: torch.Tensor, vit: torch.nn.Module, *, pixel: tuple[int, int] = (100, 100)
) -> torch.Tensor:
    """Section 8's probe by size: add 1 to one pixel of ``image`` (``(1, C, H, W)``) and return, for each of
    ``vit``'s ``N + 1`` tokens after its first block, the largest change over its channels, ``(N + 1,)`` in float64
    (class token first). :func:`one_pixel_reach` marks every token this is above zero for; this says by how much.
    """
    import copy

    image, poked = _poked(image, pixel)
    model = copy.deepcopy(vit).double().eval()
    with torch.no_grad():
        before, after = (model.blocks[0](_z0(model, x))[0] for x in (image, poked))
    return (after - before).abs().amax(dim=-1)


def mnist_vit_card(model: torch.nn.Module, mnist) -> str:
    """Section 5b's model card for the trained MNIST ViT, three lines: its architecture (with ``model``'s parameter
    count), its training (epochs, the number of ``mnist.train_images``, seed) and its test accuracy, read from the
    checkpoint's own record (``vit_explained.pretrained.checkpoint_info``). ``mnist`` is ``load_mnist()``'s split."""
    from ..pretrained import checkpoint_info

    about = checkpoint_info()
    shape, info = about["config"], about["info"]
    size, patch, recipe = shape["image_size"], shape["patch_size"], info["recipe"]
    parameters = sum(p.numel() for p in model.parameters())
    return "\n".join(
        [
            f"MNIST ViT: {size}x{size} digits, {patch}x{patch} patches, width {shape['dim']}, {shape['depth']} blocks, "
            f"{shape['heads']} heads, {parameters:,} parameters",
            f"trained: {recipe['epochs']} epochs on {len(mnist.train_images):,} training digits, seed {recipe['seed']}",
            f"test accuracy: {info['test_accuracy']:.1%} ({info['test_correct']} of {len(mnist.test_images):,} held-out"
            " digits)",
        ]
    )


def roll_verdicts(
    model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, rolls: dict[str, tuple[int, int]]
) -> dict[str, torch.Tensor]:
    """Section 8's rolls: for each ``name -> (shift, dim)`` of ``rolls``, ``images`` rolled by ``shift`` pixels
    along ``dim`` (wrapping around) through ``model`` in inference mode; returns ``name -> (B,)`` int verdicts,
    1 where the top class is ``labels``' class."""
    out = {}
    with torch.inference_mode():
        for name, (shift, dim) in rolls.items():
            out[name] = (model(torch.roll(images, shift, dim)).argmax(dim=-1) == labels).int()
    return out


def roll_table(vit_cost: dict, cnn_cost: dict, gap: dict, plain: tuple[float, float]) -> str:
    """Section 8's rolls as one table (r35a minor 4): for each direction, the points the ViT and the CNN lose
    against their unrolled digits and how many more the ViT loses, each with its paired interval. ``vit_cost`` and
    ``cnn_cost``: direction -> ``Comparison`` of rolled minus unrolled (``percent=True``); ``gap``: direction ->
    ``Estimate`` of the ViT's loss minus the CNN's; ``plain``: the two models' unrolled accuracies (fractions)."""

    def points(low: float, estimate: float, high: float) -> str:
        return f"{100 * estimate:.1f} [{100 * low:.1f}, {100 * high:.1f}]"

    level = {f"{100 * c.difference.confidence:g} %" for c in [*vit_cost.values(), *cnn_cost.values()]}
    level |= {f"{100 * d.confidence:g} %" for d in gap.values()}
    if len(level) != 1:
        raise ValueError(f"one confidence level expected, got {sorted(level)}")
    lines = [
        f"points lost to a one-patch roll (unrolled: ViT {100 * plain[0]:.1f} %, CNN {100 * plain[1]:.1f} % right), "
        f"paired {level.pop()} intervals",
        f"{'direction':<10} {'ViT loses':<20} {'CNN loses':<20} ViT loses more by",
    ]
    for way, vit in vit_cost.items():
        v, c, g = vit.difference, cnn_cost[way].difference, gap[way]
        lost = (points(-v.high, -v.estimate, -v.low), points(-c.high, -c.estimate, -c.low))
        lines.append(f"{way:<10} {lost[0]:<20} {lost[1]:<20} {points(g.low, g.estimate, g.high)}")
    return "\n".join(lines)


def sublayer_reach(
    image: torch.Tensor, vit: torch.nn.Module, *, pixel: tuple[int, int] = (100, 100)
) -> dict[str, torch.Tensor]:
    """Section 8's locality probe inside one block: add 1 to one pixel of ``image`` (``(1, C, H, W)``) and mark
    which of ``vit``'s ``N + 1`` tokens change after each sub-layer of its first block applied alone to z0, in float64:
    ``"attention sub-layer"`` is ``z0 + attn(norm1(z0))`` and ``"MLP sub-layer"`` is ``z0 + mlp(norm2(z0))``.
    A token counts as changed when any of its channels moves by more than 1e-9 of the largest output number.
    """
    import copy

    image, poked = _poked(image, pixel)
    model = copy.deepcopy(vit).double().eval()
    block = model.blocks[0]

    def z0(x: torch.Tensor) -> torch.Tensor:
        return _z0(model, x)

    layers = {
        "attention sub-layer": lambda t: t + block.attn(block.norm1(t)),
        "MLP sub-layer": lambda t: t + block.mlp(block.norm2(t)),
    }
    reach = {}
    with torch.no_grad():
        for name, layer in layers.items():
            before, after = layer(z0(image))[0], layer(z0(poked))[0]
            reach[name] = ((after - before).abs() > 1e-9 * before.abs().max()).any(dim=-1)
    return reach


def _log_shade(sizes: torch.Tensor) -> torch.Tensor:
    """Section 8's picture: each token's change on a log scale, 0.25 for the smallest, 1 for the largest."""
    logs = sizes.clamp_min(1e-300).log10().float()
    return 0.25 + 0.75 * (logs - logs.min()) / (logs.max() - logs.min()).clamp_min(1e-12)


def plot_pixel_reach(
    image: torch.Tensor,
    reach: dict[str, torch.Tensor],
    pixel: tuple[int, int] = (100, 100),
    sizes: torch.Tensor | None = None,
) -> Figure:
    """Section 8's locality picture: for each of ``reach``'s entries (from :func:`one_pixel_reach`: the input
    step z0, the ViT block and the convolutions), the photo with the positions that changed painted red, the
    changed pixel marked by an x; the convolutions' panels add a zoom on the 15x15 pixels around ``pixel``.
    With ``sizes`` (from :func:`block_change_sizes`), the ViT block's panel shades each token by the log of its
    change: pale red for the smallest change, full red for the largest."""
    image = as_image(image)
    _, height, width = image.shape
    row, col = pixel
    shown = dict(reach)
    fig = new_figure(figsize=(14, 3.9))
    axes = fig.subplots(1, len(shown))
    for ax, (name, mask) in zip(axes, shown.items(), strict=True):
        if mask.dim() == 1:  # tokens: class token first, then the patch grid row by row
            side = math.isqrt(mask.numel() - 1)
            patch = height // side
            shade = _log_shade(sizes[1:]) if sizes is not None and name == "one ViT block" else mask[1:].float()
            changed = shade.reshape(side, side).repeat_interleave(patch, 0).repeat_interleave(patch, 1)
            before = "after " if name.startswith("the input") else ""  # "after the input step (z0)"
            title = f"{before}{name}: {int(mask.sum())} of {mask.numel()} tokens"
        else:
            changed = mask
            title = f"{name}: {int(mask.sum())} of {mask.numel():,} pixels"
        ax.imshow(to_display(image) * 0.5 + 0.5, interpolation="nearest")
        overlay = torch.zeros(height, width, 4)
        overlay[..., 0], overlay[..., 3] = 1.0, changed.float() * 0.6
        ax.imshow(overlay.numpy(), interpolation="nearest")
        ax.plot(col, row, "wx", ms=8, mew=2)
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
        if sizes is not None and name == "one ViT block":
            note = "shade: log of each token's change, pale = smallest"
            ax.text(0.5, -0.03, note, transform=ax.transAxes, ha="center", va="top", fontsize=8)
        if mask.dim() == 2:  # 9 or 25 pixels are too small to see on the whole photo: zoom in
            inset = ax.inset_axes([0.56, 0.5, 0.42, 0.42])
            crop = changed[row - 7 : row + 8, col - 7 : col + 8].float()
            inset.imshow(crop.numpy(), cmap="Reds", vmin=0, vmax=1.6, interpolation="nearest")
            inset.plot(7, 7, "kx", ms=6, mew=1.5)
            inset.set_xticks([])
            inset.set_yticks([])
            inset.set_xlabel("15x15 px zoom", fontsize=7, labelpad=1)
    fig.suptitle("one pixel changed (x): the output positions that change by any amount (red)", fontsize=10)
    fig.tight_layout()
    return fig


def plot_shift_gaps(gaps: dict[str, torch.Tensor]) -> Figure:
    """Section 8's shift probe as pictures: one panel per entry of ``gaps``, a 2-D map ``(rows, cols)`` of how far
    each output position moved from the old output shifted along (0 = it followed the shift), as a share of the
    old output's largest number; all panels share one colour scale, white (0) to red (the largest gap)."""
    if not gaps or any(gap.dim() != 2 for gap in gaps.values()):
        raise ValueError("gaps: a name -> (rows, cols) map of relative gaps, at least one")
    top = max(max(float(gap.max()) for gap in gaps.values()), 1e-12)
    fig = new_figure(figsize=(3.6 * len(gaps) + 0.8, 3.9))
    axes = fig.subplots(1, len(gaps), squeeze=False)[0]
    for ax, (name, gap) in zip(axes, gaps.items(), strict=True):
        shown = ax.imshow(gap.detach().cpu().numpy(), cmap="Reds", vmin=0, vmax=top, interpolation="nearest")
        rows, cols = gap.shape
        ax.set_title(f"{name}\n{rows} x {cols} positions, largest gap {float(gap.max()):.2f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=list(axes), fraction=0.025, pad=0.02, label="gap / the largest output number")
    fig.suptitle("shifted photo: does each output follow the shift? white = yes (gap 0), red = no", fontsize=10)
    return fig


def shift_gaps(
    image: torch.Tensor, patch_conv: torch.nn.Module, *, seed: int = 0
) -> tuple[dict[int, tuple[torch.Tensor, torch.Tensor]], dict[int, float]]:
    """Section 8's translation probe on ``image`` ``(1, C, H, W)``, every shift rolled right (what leaves the
    right edge comes back on the left). ``patch_conv`` is a patch embedding (kernel = stride = P).

    Returns ``gap_maps``: shift (16 and 1 px) -> (the patch tokens' largest change per grid cell ``(H/P, W/P)``
    against the old tokens moved ``shift // P`` grid steps, a stride-1 3x3 CNN layer's (circular padding)
    largest change per pixel ``(H, W)`` against its old map moved ``shift`` px), each over its largest output
    number; and ``stem_gap``: shift (4, 8 and 1 px) -> the same largest gap for a stride-4 CNN stem (7x7 conv
    at stride 2, 2x2 max-pool) against its old map moved ``shift // 4`` steps. The CNN layers are untrained,
    drawn with ``seed``."""
    from torch import nn

    channels, patch = image.shape[1], patch_conv.stride[-1]

    def gap(layer, shift: int, stride: int) -> torch.Tensor:  # |layer(moved) - layer(x) moved|, over its max
        before = layer(image)
        moved = layer(torch.roll(image, shifts=shift, dims=-1)) - torch.roll(before, shifts=shift // stride, dims=-1)
        return moved.abs().amax(dim=1)[0] / before.abs().max()

    with torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(seed)
        cnn_layer = nn.Conv2d(channels, 64, kernel_size=3, padding=1, padding_mode="circular")
        stem = nn.Sequential(nn.Conv2d(channels, 64, 7, stride=2, padding=3, padding_mode="circular"), nn.MaxPool2d(2))
        gap_maps = {shift: (gap(patch_conv, shift, patch), gap(cnn_layer, shift, 1)) for shift in (16, 1)}
        stem_gap = {shift: gap(stem, shift, 4).max().item() for shift in (4, 8, 1)}
    return gap_maps, stem_gap


_AXIS_COLOURS = {
    "B": "0.8",
    "C": "#e58a8a",
    "H": "#8fb3e6",
    "rows": "#8fb3e6",
    "p1": "#c6d9f3",
    "W": "#8cc98c",
    "cols": "#8cc98c",
    "p2": "#c9e6c9",
    "N": "#b9c6e0",
    "P*P*C": "#ecd9a6",
}  # H's parts blue, W's green


def plot_patchify_axes(shape: tuple[int, int, int, int], patch: int) -> Figure:
    """Section 3's ``patchify`` as axis boxes, one row per step: ``(B, C, H, W)``, the split of H into
    (rows, p1) and of W into (cols, p2), the ``permute`` (an arrow from each axis to its new place: the grid
    axes move in front, C to the end) and the flatten to ``(B, N, P*P*C)``; each box shows its name and length."""
    b, c, h, w = shape
    if h % patch or w % patch:
        raise ValueError(f"patch {patch} must divide the image's height and width, got {h} x {w}")
    rows, cols = h // patch, w // patch
    steps = [
        ("x", [("B", b), ("C", c), ("H", h), ("W", w)]),
        ("reshape: split", [("B", b), ("C", c), ("rows", rows), ("p1", patch), ("cols", cols), ("p2", patch)]),
        (
            "permute(0, 2, 4, 3, 5, 1)",
            [("B", b), ("rows", rows), ("cols", cols), ("p1", patch), ("p2", patch), ("C", c)],
        ),
        ("reshape: flatten", [("B", b), ("N", rows * cols), ("P*P*C", patch * patch * c)]),
    ]
    fig = new_figure(figsize=(9.0, 4.4))
    ax = fig.subplots()
    placed = []  # per step: (y, {axis name: box centre x})
    for level, (title, axes) in enumerate(steps):
        y = -1.5 * level
        ax.text(-0.3, y, title, ha="right", va="center", fontsize=10, family="monospace")
        centres = {}
        for k, (name, size) in enumerate(axes):
            ax.add_patch(Rectangle((1.25 * k, y - 0.4), 1.05, 0.8, facecolor=_AXIS_COLOURS[name], edgecolor="0.2"))
            ax.text(1.25 * k + 0.525, y, f"{name}\n{size}", ha="center", va="center", fontsize=9)
            centres[name] = 1.25 * k + 0.525
        placed.append((y, centres))
    (y_split, before), (y_permuted, after) = placed[1], placed[2]
    for name, x in before.items():  # the permute: each axis to its new place
        style = {"arrowstyle": "->", "color": "#c03030" if name == "C" else "0.35", "lw": 1.6 if name == "C" else 1}
        ax.annotate("", xy=(after[name], y_permuted + 0.42), xytext=(x, y_split - 0.42), arrowprops=style)
    ax.set_xlim(-4.6, 7.6)
    ax.set_ylim(-5.0, 0.6)
    ax.axis("off")
    ax.set_title(f"patchify on a {tuple(shape)} batch, {patch}x{patch} patches: the axes after each step", fontsize=10)
    return fig


def plot_rolled_digits(digits: torch.Tensor, rolls: dict[str, tuple[int, int]], *, count: int = 4) -> Figure:
    """Lesson 01 section 8's roll: the first ``count`` digits ``(B, 1, H, W)`` (top row), then each roll of
    ``rolls`` (direction -> (shift, axis), as ``torch.roll``), one row each. The band that wrapped around to the
    other side is framed in red, so the wrap-around is visible."""
    count = min(count, digits.shape[0])
    height, width = digits.shape[-2:]
    fig = new_figure(figsize=(1.2 * count, 1.25 * (1 + len(rolls))))
    axes = fig.subplots(1 + len(rolls), count, squeeze=False)
    rows = [("unrolled", digits[:count], None)] + [
        (way, torch.roll(digits[:count], shift, axis), (shift, axis)) for way, (shift, axis) in rolls.items()
    ]
    for r, (name, images, roll) in enumerate(rows):
        for k in range(count):
            ax = axes[r, k]
            ax.imshow(images[k, 0].detach().cpu(), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if roll is not None:
                shift, axis = roll
                size = abs(shift)
                start = 0 if shift > 0 else (width if axis in (-1, 3) else height) - size
                box = (start - 0.5, -0.5, size, height) if axis in (-1, 3) else (-0.5, start - 0.5, width, size)
                ax.add_patch(Rectangle(box[:2], box[2], box[3], fill=False, edgecolor="red", linewidth=1.2))
        axes[r, 0].set_ylabel(name, fontsize=9)
    fig.suptitle(
        f"rolled {abs(next(iter(rolls.values()))[0])} px (one patch); red: the band that wrapped around", fontsize=10
    )
    fig.tight_layout()
    return fig


#: Lesson 01's "read the forward": (function, a piece of one of its lines, the box of the map that line draws).
_FORWARD_BOXES = (
    ("forward_features", "self.patch_embedding(images)", "patches, patch tokens"),
    ("add_class_token", "torch.cat(", "+ class token, positions"),
    ("forward", "block(tokens)", "blocks"),
    ("forward", "self.norm(tokens)", "norm, class token"),
    ("pool_tokens", "tokens[:, 0]", "norm, class token"),
    ("forward", "self.head(", "head: logits"),
)


def _code_lines(function) -> list[str]:
    """A function's source without its docstring, dedented: its signature line, then its body."""
    source = textwrap.dedent(inspect.getsource(function))
    body = ast.parse(source).body[0].body
    lines = source.splitlines()
    start = body[1].lineno - 1 if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else 0
    return [lines[0], *lines[start:]] if start else lines


def read_forward(model: torch.nn.Module) -> tuple[str, dict[str, str]]:
    """The code a ViT runs, in the order the data flows (``forward_features``, ``add_class_token``, the encoder's
    ``forward``, ``forward``, ``pool_tokens``), read live from the package's source without docstrings. Each line
    that draws a box of :func:`plot_vit_map` ends with ``# map: <box>``. Returns ``(text, {line piece: box})``."""
    from ..vit import add_class_token, pool_tokens

    functions = (type(model).forward_features, add_class_token, type(model.encoder).forward, type(model).forward,
                 pool_tokens)  # fmt: skip
    out, boxes = [], {}
    for function in functions:
        where = "/".join(inspect.getsourcefile(function).replace("\\", "/").split("/")[-2:])
        out.append(f"# {function.__qualname__} ({where})")
        for line in _code_lines(function):
            found = [(p, b) for f, p, b in _FORWARD_BOXES if f == function.__name__ and p in line]
            piece, box = found[0] if found else (None, None)
            if box and not line.lstrip().startswith("def "):
                boxes[piece] = box
                line = f"{line}  # map: {box}"
            out.append(line)
    return "\n".join(out), boxes

"""Lesson 02's widget: the soft-split explorer.

Five sliders (``kernel``, ``stride``, ``padding``, ``height``, ``width``) choose a soft split of a
``height x width`` crop of the photo; the line works out each side, the overlap and the count,
``rows: (60 + 2 x 5 - 20) // 10 + 1 = 6, columns: ...; overlap k - s = 20 - 10 = 10; tokens: 6 x 10 = 60,
N² = 3,600 attention entries per head``
(from :func:`vit_explained.count_tokens`), and the picture is the padded crop with its windows. The
``coverage`` check box shades each pixel by how many windows hold it (what "soft" means: 2 or 4 where
windows overlap, 1 for a hard split, 0 for a lost pixel). A split that
does not fit shows the package's message instead (``cannot show this: kernel 64 is larger than the padded
image height 30 ...``). The ``piece`` check box puts section 3's 2 x 4 piece (red) at the ``piece_row`` and
``piece_col`` sliders and frames in red the windows that hold it whole (:func:`tokens_holding`).
"""

from __future__ import annotations

import ipywidgets as widgets
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..images import center_crop_resize, sample_image
from ..plotting import as_image, new_figure
from ..plotting.lesson02 import (
    MAX_CENTRE_DOTS,
    draw_coverage,
    draw_lost_pixels,
    draw_neighbour_frames,
    draw_window_grid,
    draw_window_outlines,
    padding_only_windows,
    tokens_holding,
    window_grid_caption,
    window_grid_title,
)
from ..soft_split import TokenGrid, count_tokens
from . import LessonWidget

__all__ = ["PIECE", "SLIDER_RANGES", "SoftSplitWidget", "picture_size", "soft_split_widget", "split_line"]

#: Section 3's piece, ``(height, width)`` in pixels.
PIECE = (2, 4)

#: The sliders' ranges, ``(min, max)``; a start value above a range widens it.
SLIDER_RANGES: dict[str, tuple[int, int]] = {
    "kernel": (1, 64),
    "stride": (1, 32),
    "padding": (0, 16),
    "height": (8, 240),
    "width": (8, 240),
}


class SoftSplitWidget(LessonWidget):
    """Sliders for a soft split of a photo crop; the line: each side's arithmetic and the token count; the windows."""

    def __init__(self, image: torch.Tensor, start: dict[str, int], *, coverage: bool = False) -> None:
        self.source = as_image(image)
        controls = {}
        for name, value in start.items():
            low, high = SLIDER_RANGES[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
            controls[name] = widgets.IntSlider(
                value=value,
                min=low,
                max=max(high, value),
                description=name,
                continuous_update=False,
                style={"description_width": "60px"},
            )
        controls["coverage"] = widgets.Checkbox(value=bool(coverage), description="coverage", indent=False)
        controls["piece"] = widgets.Checkbox(value=False, description="2 x 4 piece", indent=False)
        for name in ("piece_row", "piece_col"):  # the piece's top-left pixel, kept inside the crop
            controls[name] = widgets.IntSlider(
                value=0,
                min=0,
                max=SLIDER_RANGES["width"][1],
                description=name,
                continuous_update=False,
                style={"description_width": "60px"},
            )
        super().__init__(controls, rows=2)

    def compute(
        self, kernel: int, stride: int, padding: int, height: int, width: int, coverage: bool = False,
        piece: bool = False, piece_row: int = 0, piece_col: int = 0,
    ) -> tuple[str, Figure]:  # fmt: skip
        """``(line, figure)``: the token grid and the crop with its windows (with ``coverage``, each pixel
        shaded by how many windows hold it; with ``piece``, the 2 x 4 piece and the windows holding it whole,
        framed); ``ValueError`` if it does not fit."""
        grid = count_tokens(height, width, kernel, stride, padding)  # raises before any drawing
        image = center_crop_resize(self.source, (height, width))
        fig = new_figure(figsize=picture_size(height + 2 * padding, width + 2 * padding), dpi=80, layout="constrained")
        ax = fig.subplots()
        numbers = grid.total <= 80
        draw_window_grid(ax, image, kernel, stride, padding, numbers=numbers, number_size=11.0)
        if coverage:
            draw_coverage(ax, height, width, kernel, stride, padding)
        outlined = draw_window_outlines(ax, grid, kernel, stride, dark=coverage)
        if coverage:  # blue and green do not show on the shading
            draw_neighbour_frames(ax, grid, kernel, stride)
        lost = draw_lost_pixels(ax, height, width, kernel, stride, padding)
        ax.set_title(window_grid_title(grid, kernel, stride, padding, image.shape[0]), fontsize=12)
        empty = padding_only_windows(height, width, kernel, stride, padding)
        dots = not numbers and grid.total <= MAX_CENTRE_DOTS
        caption = window_grid_caption(grid, kernel, stride, padding, lost, outlined, empty, dots=dots, dark=coverage)
        line = split_line(height, width, kernel, stride, padding, grid)
        if piece:
            line += "; " + draw_piece(ax, (height, width), (piece_row, piece_col), (kernel, stride, padding))
        ax.set_xlabel(caption, fontsize=10)
        return line, fig


def draw_piece(ax: Axes, size: tuple[int, int], corner: tuple[int, int], split: tuple[int, int, int]) -> str:
    """Draw section 3's 2 x 4 piece (red) with its top-left pixel at ``corner`` (moved inside the crop if
    needed) and frame in red every window that holds it whole; return the readout's clause."""
    (height, width), (kernel, stride, padding) = size, split
    row, col = min(corner[0], max(height - PIECE[0], 0)), min(corner[1], max(width - PIECE[1], 0))
    pixels = [
        (row + i, col + j) for i in range(PIECE[0]) for j in range(PIECE[1]) if row + i < height and col + j < width
    ]
    holders = tokens_holding(height, width, pixels, kernel, stride, padding)
    cols = (width + 2 * padding - kernel) // stride + 1
    for token in holders:
        top, left = divmod(token, cols)
        ax.add_patch(Rectangle((left * stride - 0.5, top * stride - 0.5), kernel, kernel, facecolor="none",
                               edgecolor="red", linewidth=3.0, zorder=4))  # fmt: skip
    ax.add_patch(Rectangle((col + padding - 0.5, row + padding - 0.5), PIECE[1], PIECE[0], facecolor="red",
                           edgecolor="white", linewidth=1.0, zorder=5))  # fmt: skip
    count = f"{len(holders)} window{'' if len(holders) == 1 else 's'}"
    return f"the 2 x 4 piece at (row {row}, col {col}) is held whole by {count}{' (framed red)' if holders else ''}"


def split_line(height: int, width: int, kernel: int, stride: int, padding: int, grid: TokenGrid) -> str:
    """The readout: each side's ``(n + 2p - k) // s + 1`` with the numbers filled in, the overlap of two
    neighbouring windows, then the token count and its attention size, e.g. ``rows: (60 + 2 x 0 - 20) // 15 + 1 = 3,
    columns: (100 + 2 x 0 - 20) // 15 + 1 = 6; overlap k - s = 20 - 15 = 5; tokens: 3 x 6 = 18,
    N² = 324 attention entries per head``
    (when ``s > k``: ``gap s - k = ... px`` between neighbouring windows)."""
    rows = f"({height} + 2 x {padding} - {kernel}) // {stride} + 1 = {grid.rows}"
    cols = f"({width} + 2 x {padding} - {kernel}) // {stride} + 1 = {grid.cols}"
    overlap = f"overlap k - s = {kernel} - {stride} = {kernel - stride}"
    if stride > kernel:  # review 18d: a gap, not a negative overlap
        overlap = f"gap s - k = {stride} - {kernel} = {stride - kernel} px"
    attention = f"N² = {grid.total**2:,} attention entries per head"  # what the count sets (section 2)
    return f"rows: {rows}, columns: {cols}; {overlap}; tokens: {grid.rows} x {grid.cols} = {grid.total}, {attention}"


def picture_size(padded_height: int, padded_width: int) -> tuple[float, float]:
    """The explorer's figure size in inches: 9.6 wide (768 px at 80 dpi), and as tall as the padded crop
    drawn across that width needs, plus 1.3 for the title and the caption, at most 15 (a tall crop gets
    narrower). A wide crop gets a short figure, not a short picture in a tall one (empty bands above and below)."""
    drawn = 9.4 * padded_height / padded_width  # the axes span about 9.4 of the 9.6 inches
    return 9.6, min(drawn + 1.3, 15.0)


def soft_split_widget(
    image: torch.Tensor | None = None,
    *,
    kernel: int = 20,
    stride: int = 10,
    padding: int = 5,
    height: int = 60,
    width: int = 100,
    coverage: bool = False,
) -> SoftSplitWidget:
    """The soft-split explorer: sliders ``kernel`` (first), ``stride``, ``padding``, ``height``,
    ``width`` and a ``coverage`` check box; the line: each side's arithmetic, ``overlap k - s = ...`` and
    ``tokens: rows x cols = total, N² = ...``; the crop with its windows (shaded by coverage when checked);
    a ``2 x 4 piece`` check box with ``piece_row`` and ``piece_col`` sliders frames the windows that hold it whole.

    ``image`` ``(C, H, W)`` in ``[0, 1]`` (default: the Grace Hopper photo in grayscale) is
    centre-cropped and resized to ``height x width``. End a notebook cell with the widget.
    """
    if image is None:
        image = sample_image(None, grayscale=True)
    start = {"kernel": kernel, "stride": stride, "padding": padding, "height": height, "width": width}
    return SoftSplitWidget(image, start, coverage=coverage)

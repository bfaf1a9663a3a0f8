"""Figures for lesson 08: attention matrices, the class token's attention over the image, maps made
by different methods side by side, and deletion curves.

Every helper makes its figure with :func:`vit_explained.plotting.new_figure` and returns it, so a
notebook shows it once (end the cell with ``fig``).
Overlays draw the attention as a heat map, one flat colour per patch (each cell covers the pixels
the patch was cut from), so what is shown is exactly what the model computed, and the digit's
outline on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import new_figure

__all__ = [
    "plot_attention_distance",
    "plot_attention_matrix",
    "plot_cascade",
    "plot_class_token_heads",
    "plot_deletion_curves",
    "plot_deletion_steps",
    "plot_ink_share_by_block",
    "plot_key_column_grid",
    "plot_knob_maps",
    "plot_map_columns",
    "plot_maps_and_deletion",
    "plot_norm_histogram",
    "plot_redrawn_rollouts",
    "plot_rollout_chain",
    "plot_rollout_layers",
    "plot_vit_explain_examples",
]

CMAP = "inferno"


def _settle(fig: Figure) -> Figure:
    """Run the constrained layout once and keep it: a notebook renders each figure twice (``save_figure``
    and the inline picture), and the layout solve is about half of each render's time. The pixels are the
    same; a figure resized afterwards keeps these positions."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")
    return fig


def _images(images: object) -> torch.Tensor:
    """Check ``(B, 1, H, W)`` gray images; return ``(B, H, W)`` float on the CPU."""
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a torch.Tensor of shape (B, 1, H, W), got {type(images).__name__}")
    if images.dim() != 4 or images.shape[1] != 1:
        raise ValueError(f"images must be gray, (B, 1, H, W), got shape {tuple(images.shape)}")
    return images[:, 0].detach().float().cpu()


def _maps(maps: object, name: str, dims: int, batch: int) -> torch.Tensor:
    if not isinstance(maps, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(maps).__name__}")
    if maps.dim() != dims or maps.shape[0] != batch:
        axes = "(B, K, rows, cols)" if dims == 4 else "(N, N)"
        raise ValueError(f"{name} must be {axes} with B = {batch} (one per image), got shape {tuple(maps.shape)}")
    return maps.detach().float().cpu()


def _overlay(ax: Axes, image: torch.Tensor, grid: torch.Tensor, vmax: float, outline: bool) -> object:
    """``grid`` (rows, cols) as a heat map, each cell stretched over the pixels of its patch, with
    the digit's outline (its 0.5 level line) drawn on top."""
    height, width = image.shape
    extent = (0, width, height, 0)
    shown = ax.imshow(grid.numpy(), cmap=CMAP, vmin=0.0, vmax=vmax, extent=extent, interpolation="nearest")
    if outline:
        centres_x, centres_y = np.arange(width) + 0.5, np.arange(height) + 0.5
        ax.contour(centres_x, centres_y, image.numpy(), levels=[0.5], colors="#7fdbff", linewidths=1.0)
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_xticks([])
    ax.set_yticks([])
    return shown


def _labels(labels: Sequence[str] | None, batch: int) -> list[str]:
    if labels is None:
        return [f"image {index}" for index in range(batch)]
    if len(labels) != batch:
        raise ValueError(f"labels must give one caption per image ({batch}), got {len(labels)}")
    return [str(label) for label in labels]


def _grid_figure(
    images: torch.Tensor,
    maps: torch.Tensor,
    column_titles: Sequence[str],
    labels: Sequence[str] | None,
    title: str,
    colorbar_label: str,
    outline: bool,
    scale: str | Sequence[str],
    panel: float = 1.45,
    panel_titles: Sequence[Sequence[str]] | None = None,
) -> Figure:
    """One row per image: the image, then one overlay per map ``(B, K, rows, cols)``, scaled per row by the
    row's largest (``"row"``), each map's own (``"each"``), the row's first map's, clipped above (``"first"``),
    or not at all (``"unit"``: the maps come scaled);
    ``panel``: each picture's side in inches; ``panel_titles``: one title per overlay (B rows of K), replacing
    the column's."""
    pictures = _images(images)
    batch = pictures.shape[0]
    maps = _maps(maps, "maps", 4, batch)
    scales = [scale] * batch if isinstance(scale, str) else list(scale)  # one choice per row
    if len(scales) != batch or any(choice not in ("row", "each", "first", "unit") for choice in scales):
        raise ValueError(
            f"unknown scale {scale!r}; choose 'row' (one scale per image), 'each', 'first', or one per image"
        )
    count = maps.shape[1]
    captions = _labels(labels, batch)
    fig = new_figure(figsize=(panel * (count + 1) + 0.6, (panel + 0.05) * batch + 0.7), layout="constrained")
    text = max(9.0, 6.2 * panel**0.5)  # larger pictures get larger type
    axes = fig.subplots(batch, count + 1, squeeze=False)
    shown = None
    for row in range(batch):
        axes[row, 0].imshow(pictures[row].numpy(), cmap="gray", vmin=0.0, vmax=1.0)
        axes[row, 0].set_xticks([])
        axes[row, 0].set_yticks([])
        axes[row, 0].set_ylabel(captions[row], fontsize=text)
        for col in range(count):
            grid = maps[row, col]
            peak = {"each": grid, "row": maps[row], "first": maps[row, 0], "unit": torch.ones(())}[scales[row]]
            peak = peak.max().item()
            shown = _overlay(axes[row, col + 1], pictures[row], (grid / max(peak, 1e-12)).clamp(max=1.0), 1.0, outline)
    for col, column_title in enumerate(["input", *column_titles]):
        axes[0, col].set_title(column_title, fontsize=text)
    for row, row_titles in enumerate(panel_titles or []):
        for col, panel_title in enumerate(row_titles):
            axes[row, col + 1].set_title(panel_title, fontsize=text)
    fig.suptitle(title, fontsize=text + 2)
    if shown is not None:
        bar = fig.colorbar(shown, ax=axes[:, 1:], shrink=0.8, aspect=30, pad=0.06)
        ink = "\ncyan line: the 0.5 contour (the ink)" if outline else ""  # pixels above 0.5, as inked_patches
        bar.set_label(colorbar_label + ink, fontsize=text - 1)
        bar.ax.tick_params(labelsize=text - 2)
    return _settle(fig)


def plot_class_token_heads(
    images: torch.Tensor,
    maps: torch.Tensor,
    *,
    labels: Sequence[str] | None = None,
    block: int | None = None,
    outline: bool = True,
) -> Figure:
    """Per head, where the class token looks: one row per image, one overlay per head.

    ``images`` ``(B, 1, H, W)`` in ``[0, 1]``; ``maps`` ``(B, heads, rows, cols)``, the class
    token's attention to each patch (:func:`vit_explained.attention_maps.class_token_attention`).
    Colours are scaled per image by its largest value over all heads, so heads can be compared.
    """
    heads = maps.shape[1] if isinstance(maps, torch.Tensor) and maps.dim() == 4 else 0
    where = f" in block {block}" if block is not None else ""
    fig = _grid_figure(
        images,
        maps,
        [f"head {head}" for head in range(heads)],
        labels,
        f"The class token's attention to the patches, per head{where}",
        "attention / the largest for this image",
        outline,
        "row",
    )
    flat = maps.flatten(2)  # (B, heads, rows * cols); near-flat: the cascade's rule, largest under 2x the mean
    low = flat.amax(-1) < FLAT_PEAK_TO_MEAN * flat.mean(-1)
    for row, head in low.nonzero().tolist():  # such a panel looks nearly black on its image's scale: say why
        ax = fig.axes[row * (heads + 1) + head + 1]
        ax.text(0.5, 0.04, "near-flat", transform=ax.transAxes, ha="center", va="bottom", color="white", fontsize=9)
    return fig


def plot_rollout_layers(
    images: torch.Tensor,
    maps: torch.Tensor,
    *,
    labels: Sequence[str] | None = None,
    outline: bool = True,
    self_share: Sequence[float] | None = None,
    share_over: int | None = None,
) -> Figure:
    """Attention rollout block by block: one row per image, one overlay per depth.

    ``maps`` ``(B, depth, rows, cols)``: column ``k`` is the class token's row of the rollout
    through blocks ``0..k``, on the patch grid. Each overlay has its own colour scale (its
    largest value is the brightest), because the maps spread out as the depth grows.
    ``self_share``: per depth, the class token's share of itself (not drawn), added to the column's title;
    ``share_over``: how many digits that share is the mean over, said in the title.
    """
    depth = maps.shape[1] if isinstance(maps, torch.Tensor) and maps.dim() == 4 else 0
    titles = [f"blocks 0-{k}" if k else "block 0" for k in range(depth)]
    if self_share is not None:
        if len(self_share) != depth:
            raise ValueError(f"self_share needs one value per depth ({depth}), got {len(self_share)}")
        over = "" if share_over is None else f",\nmean over {share_over} digits"  # a third line: the panels are narrow
        titles = [f"{t}\n(class token: {s:.2f}{over})" for t, s in zip(titles, self_share, strict=True)]
    return _grid_figure(
        images,
        maps,
        titles,
        labels,
        "Rollout: the class token's row after each block",
        "rollout / the largest in this map",
        outline,
        "each",
    )


def _mark_column(ax: Axes, key: int, tokens: int, grid: tuple[int, int] | None) -> None:
    """Outline key token ``key``'s column (a frame half a column wider each side, so its colours stay seen) and
    name it, with its patch's (row, col) when ``grid`` is given."""
    if not 0 <= key < tokens:
        raise ValueError(f"mark_key must be a token index in 0..{tokens - 1}, got {key}")
    ax.add_patch(Rectangle((key - 1.0, -0.5), 2.0, tokens, fill=False, edgecolor="cyan", lw=1.2, zorder=3))
    where = f" = patch {divmod(key - 1, grid[1])}" if grid is not None and key > 0 else ""
    # the label in the middle of the second-last band of query rows, clear of the grid's lines
    label_y = (grid[0] - 1.5) * grid[1] + 0.5 if grid is not None else tokens - 8
    ax.annotate(
        f"key {key}{where}",
        xy=(key, tokens - 1),
        xytext=(key + 4, label_y),
        va="center",
        color="cyan",
        fontsize=9,
        arrowprops={"arrowstyle": "->", "color": "cyan", "lw": 1.0},
    )


def plot_attention_matrix(
    weights: torch.Tensor,
    *,
    title: str = "attention weights",
    grid: tuple[int, int] | None = None,
    colorbar_label: str = "attention weight (each row sums to 1)",
    mark_key: int | None = None,
) -> Figure:
    """One head's ``(N, N)`` weights as a heat map: row = query token, column = key token.

    Token 0 is the class token; with ``grid`` (rows, cols) given, white lines separate the
    bands of tokens that make up each row of the patch grid (the patches are numbered row by row).
    ``mark_key``: a key token whose column is outlined and named above the matrix (e.g. the one the text reads).
    """
    if not isinstance(weights, torch.Tensor):
        raise TypeError(f"weights must be a torch.Tensor (N, N), got {type(weights).__name__}")
    if weights.dim() != 2 or weights.shape[0] != weights.shape[1]:
        raise ValueError(f"weights must be one head's square matrix (N, N), got shape {tuple(weights.shape)}")
    matrix = weights.detach().float().cpu().numpy()
    tokens = matrix.shape[0]
    fig = new_figure(figsize=(5.4, 4.6), layout="constrained")
    ax = fig.subplots()
    shown = ax.imshow(matrix, cmap=CMAP, vmin=0.0, interpolation="nearest")
    ax.set_xlabel("key token (attended to)")
    ax.set_ylabel("query token (attending)")
    ticks, names = [0.0], ["cls"]
    if grid is not None:
        rows, cols = grid
        if rows * cols + 1 != tokens:
            raise ValueError(f"grid {rows}x{cols} has {rows * cols} patches, but weights have N - 1 = {tokens - 1}")
        for row in range(rows):  # a label in the middle of each grid row's band of tokens
            ticks.append(1 + row * cols + (cols - 1) / 2)
            names.append(f"row {row}'s patches")  # the tokens of one grid row, not one token
        for boundary in np.arange(rows) * cols + 0.5:
            ax.axhline(boundary, color="white", lw=0.5, alpha=0.6)
            ax.axvline(boundary, color="white", lw=0.5, alpha=0.6)
    ax.set_xticks(ticks, names, fontsize=9, rotation=90)
    ax.set_yticks(ticks, names, fontsize=9)
    ax.set_title(title, fontsize=11)
    if mark_key is not None:
        _mark_column(ax, mark_key, tokens, grid)
    bar = fig.colorbar(shown, ax=ax, shrink=0.85)
    bar.set_label(colorbar_label, fontsize=9)
    bar.ax.tick_params(labelsize=9)
    return _settle(fig)


def plot_map_columns(
    images: torch.Tensor,
    maps: torch.Tensor,
    *,
    titles: Sequence[str],
    labels: Sequence[str] | None = None,
    title: str = "",
    colorbar_label: str = "map / the largest in this map",
    outline: bool = True,
    panel: float = 1.45,
    scale: str | Sequence[str] = "each",
) -> Figure:
    """Several maps per image side by side: one row per image, one overlay per column.

    ``images`` ``(B, 1, H, W)``; ``maps`` ``(B, K, rows, cols)`` with one title per column
    (``titles``, K of them), e.g. raw attention, rollout and gradient-weighted rollout, or the
    maps for two target classes. By default (``scale="each"``) each overlay has its own colour scale
    (brightest = its largest value), since the methods' values are not on one scale; ``"row"`` puts
    a row's maps on one scale (brightest = the row's largest value); a list gives one choice per
    row. ``panel``: each picture's side in inches (larger for a widget showing one image).
    """
    count = maps.shape[1] if isinstance(maps, torch.Tensor) and maps.dim() == 4 else None
    if count is not None and len(titles) != count:
        raise ValueError(f"titles must name each of the {count} map columns, got {len(titles)}")
    return _grid_figure(images, maps, list(titles), labels, title, colorbar_label, outline, scale, panel)


def plot_maps_and_deletion(
    image: torch.Tensor,
    maps: dict[str, torch.Tensor],
    curves: dict[str, torch.Tensor],
    counts: Sequence[int],
    *,
    title: str = "",
    reference: torch.Tensor | None = None,
    ylabel: str = "p(true class)",
    titles: dict[str, str] | None = None,
) -> Figure:
    """One digit: the image, one overlay per map (each its own colour scale, ``maps[name]`` ``(rows, cols)``)
    and, right, each map's deletion curve (``curves[name]`` ``(len(counts),)``: p(true class) after deleting
    the map's top ``counts[k]`` patches), in the same order. ``image`` ``(1, H, W)``. ``reference``
    ``(len(counts),)``: the ink-first curve, drawn thin and grey behind the maps' curves. ``ylabel``: what the
    curves read (a map for another class reads that class's probability). ``titles``: an overlay's title, by
    map name, where it is not the name (e.g. the class a map is for)."""
    picture = _images(image[None])[0]
    if list(maps) != list(curves) or not maps:
        raise ValueError(f"maps and curves must name the same maps in the same order, got {list(maps)}, {list(curves)}")
    fig = new_figure(figsize=(2.3 * (len(maps) + 1) + 3.6, 3.3), layout="constrained")
    axes = fig.subplots(1, len(maps) + 2, gridspec_kw={"width_ratios": [1] * (len(maps) + 1) + [1.7]})
    axes[0].imshow(picture.numpy(), cmap="gray", vmin=0.0, vmax=1.0)
    axes[0].set_title("input")
    axes[0].set_xticks([])
    axes[0].set_yticks([])
    x = np.asarray(counts, dtype=float) / counts[-1]
    if reference is not None:  # the model-free order, for scale: dashed, on top (a map's curve often lies on it)
        reference_curve = reference.detach().double().numpy()
        axes[-1].plot(x, reference_curve, ls=(0, (3, 2)), color="black", lw=1.3, zorder=4, label="ink first")
    for index, (name, grid) in enumerate(maps.items()):
        _overlay(axes[index + 1], picture, grid / max(float(grid.max()), 1e-12), 1.0, True)
        axes[index + 1].set_title((titles or {}).get(name, name))
        linestyle, marker = _STYLES[index]
        axes[-1].plot(x, curves[name].detach().double().numpy(), linestyle=linestyle, marker=marker, ms=3, label=name)
    axes[-1].set_xlabel("fraction of patches deleted,\nhighest ranked first")
    axes[-1].set_ylabel(ylabel)
    axes[-1].set_ylim(-0.02, 1.02)
    axes[-1].legend(fontsize=8)
    axes[-1].set_title("deletion (lower: falls faster)\none digit: noisy; section 10 has the average", fontsize=9)
    fig.suptitle(title)
    return _settle(fig)


def plot_redrawn_rollouts(
    image: torch.Tensor, maps: torch.Tensor, names: Sequence[str], own_rho: Sequence[float]
) -> Figure:
    """One digit's rollout, trained and with every layer re-drawn, in two rows: on the trained map's colour
    scale (top), and each map rescaled to its own range (bottom, ``map - its min``).

    ``image`` ``(C, H, W)``; ``maps`` ``(K, rows, cols)``, the trained map first; ``names`` K column names;
    ``own_rho`` K - 1 rank correlations of this digit's re-drawn maps with its trained map (in the titles).
    """
    if not isinstance(maps, torch.Tensor) or maps.dim() != 3 or len(names) != len(maps) != len(own_rho) + 1:
        raise ValueError(f"maps (K, rows, cols) with K names and K - 1 ρ, got {getattr(maps, 'shape', maps)}")
    rows = torch.stack([maps, maps - maps.amin((-2, -1), keepdim=True)])  # (2, K, rows, cols)
    titles = [names[0]] + [f"{name}\nρ {float(rho):+.2f}" for name, rho in zip(names[1:], own_rho, strict=True)]
    return plot_map_columns(
        image.unsqueeze(0).expand(2, -1, -1, -1),  # the same digit twice: two colour scales
        rows,
        titles=titles,
        labels=["one scale\n(the trained map's)", "each its own\n(map - min)"],
        scale=["row", "each"],
        title="Rollout of one digit, trained and with every layer re-drawn (ρ: this digit's rank correlation)",
        colorbar_label="top: map / the row's largest\nbottom: (map - its min) / its range",
    )


#: a re-drawn map spread over at least this share of the patches (:func:`effective_patches`) is titled a flat
#: map, stretched to its own scale, in :func:`plot_cascade`
FLAT_SHARE = 0.93

#: in :func:`plot_cascade`'s own-scale wrapped rows, a panel whose largest weight is under this many times its mean
#: is greyed and hatched (near-flat): a rule on the map's shape, not its scale (a gradient-weighted map's scale
#: follows the gradient's size), so a stretched near-flat map does not look as strong as a peaked one
FLAT_PEAK_TO_MEAN = 2.0


def _check_cascade(
    maps: dict[str, torch.Tensor], steps: Sequence[str], own: bool, shared: bool, columns: int | None = None
) -> bool:
    """Raise unless ``maps`` holds one ``(1 + len(steps), rows, cols)`` tensor per method and a row can be shown;
    whether the rows are to be wrapped (``columns`` given, which needs ``own=False``)."""
    if columns is not None and own and shared:
        raise ValueError("columns wraps one kind of row: pass own=False (one scale) or shared=False (own scale)")
    if not isinstance(maps, dict) or not maps:
        raise TypeError(f"maps must be a dict method -> (1 + steps, rows, cols) tensor, got {type(maps).__name__}")
    if not (own or shared):
        raise ValueError("own=False shows the one-scale rows only: it needs shared=True")
    shapes = {tuple(m.shape) for m in maps.values()}
    if len(shapes) != 1 or len(next(iter(shapes))) != 3 or next(iter(shapes))[0] != len(steps) + 1:
        raise ValueError(f"each map must be (1 + {len(steps)} steps, rows, cols), got {sorted(shapes)}")
    return columns is not None


def _wrapped_cascade(
    image: torch.Tensor, maps: dict[str, torch.Tensor], steps: Sequence[str], columns: int, own: bool = False
) -> Figure:
    """The cascade with each method's maps wrapped into rows of ``columns`` panels (narrower figure): every panel
    titled with its step and ρ, each method on one scale (its largest weight) across its rows, or (``own``) each
    panel scaled to its own largest weight, its title naming that peak as a share of the trained map's."""
    from ..attention_maps import rank_correlation  # lazily: plotting stays light to import

    titles = ["trained", *(step.replace("classifier + ", "+ ") for step in steps)]
    if not 1 <= columns < len(titles):
        raise ValueError(f"columns must be 1 to {len(titles) - 1} for {len(titles)} panels a method, got {columns}")
    grids, names, panel_titles, faint = [], [], [], []
    padded = -len(titles) % columns  # empty panels at the end of each method's last row, hidden below
    for method, method_maps in maps.items():
        rho = rank_correlation(method_maps[1:], method_maps[:1].expand_as(method_maps[1:])).tolist()
        flat = method_maps.flatten(1)
        peaks = (flat.amax(1) / flat.mean(1).clamp(min=1e-12)).tolist()  # the shape: peak / mean, 1 for a flat map
        low = [own and p < FLAT_PEAK_TO_MEAN for p in peaks]  # near-flat: drawn grey and hatched
        faint += low + [False] * padded
        shape = [f"\npeak/mean {p:.1f}" if own else "" for p in peaks]
        captions = [f"trained{shape[0]}"] + [
            f"{name}\nρ {r:+.2f}" + (", near-flat" if f else "") + s
            for name, r, f, s in zip(titles[1:], rho, low[1:], shape[1:], strict=True)
        ]
        top = method_maps.flatten(1).amax(1)[:, None, None] if own else method_maps.max()  # each panel / one scale
        scaled = method_maps / top.clamp(min=1e-12)
        scaled = torch.cat([scaled, torch.zeros(padded, *scaled.shape[1:], dtype=scaled.dtype)])
        for start in range(0, len(titles), columns):
            grids.append(scaled[start : start + columns])
            names.append(
                f"{method}\n({'own scales' if own else 'one scale'})" if start == 0 else f"{method},\ncontinued"
            )
            panel_titles.append((captions + [""] * padded)[start : start + columns])
    fig = _grid_figure(
        image.unsqueeze(0).expand(len(grids), -1, -1, -1),
        torch.stack(grids),
        titles[:columns],
        names,
        "Cascade: one digit's maps, re-drawn from the classifier (the linear head) down\n"
        + (
            "(each panel scaled to its own largest weight; ρ: Spearman's rank correlation with the trained map)"
            if own
            else "(each method on one scale, its largest weight; ρ: Spearman's rank correlation with the trained map)"
        ),
        "map / the panel's largest" if own else "map / the method's largest",
        True,
        "unit",
        panel_titles=panel_titles,
    )
    for row in range(len(grids)):
        if row % (len(titles) // columns + bool(padded)) == len(titles) // columns:  # a method's last, short row
            for col in range(columns - padded, columns):
                fig.axes[row * (columns + 1) + col + 1].set_visible(False)
    _fade_panels(fig, faint, columns)
    return fig


def _fade_panels(fig: Figure, faint: Sequence[bool], columns: int) -> None:
    """Grey out the map panels flagged in ``faint`` (row-major over the wrapped rows, the input column excluded):
    the map redrawn in dark greys (its brightest at mid-grey) under a hatch, so a map stretched from a low peak
    reads as near-flat, not as strong as a peaked one."""
    from matplotlib.patches import Rectangle

    for index, flag in enumerate(faint):
        if flag:
            ax = fig.axes[(index // columns) * (columns + 1) + index % columns + 1]
            for image in ax.images:
                image.set_cmap("gray")
                image.set_clim(0.0, 2.0)  # toward black: the panel's largest weight at mid-grey
            ax.add_patch(
                Rectangle(
                    (0, 0), 1, 1, transform=ax.transAxes, fill=False, hatch="//", edgecolor="0.55", lw=0, zorder=5
                )
            )
    if any(faint):  # the grey panels' own scale, since the colour bar is the peaked panels' one
        from matplotlib.patches import Patch

        key = Patch(
            facecolor="0.5",
            hatch="//",
            edgecolor="0.55",
            label="near-flat panel: grey scale, black = 0, mid-grey = its largest weight "
            f"(near-flat: its largest weight under {FLAT_PEAK_TO_MEAN:g}× its mean)",
        )
        fig.legend(handles=[key], loc="lower center", fontsize=8, frameon=False)


def plot_cascade(
    image: torch.Tensor,
    maps: dict[str, torch.Tensor],
    steps: Sequence[str],
    *,
    shared: bool = True,
    own: bool = True,
    columns: int | None = None,
) -> Figure:
    """Adebayo et al.'s cascade on one digit: one row per method (``maps[method]`` ``(1 + len(steps), rows,
    cols)``, the trained map first, then each step's), each panel scaled to its own largest weight (ρ ignores
    scale, so the picture does too: a re-drawn map far fainter than the trained one stays readable), and in each
    re-drawn panel's title Spearman's ρ of that map with the row's trained map. ``shared``: under each method's
    row, the same maps on one scale, the row's largest weight (a nearly flat re-drawn map then looks flat).
    ``own=False`` (with ``shared``): only the one-scale rows, each titled with its ρ (a lighter figure).
    ``image`` ``(C, H, W)``; ``steps``: the re-drawn part per column after the trained one, top down.
    ``columns`` (``own=False``, or ``shared=False``: own scales, peaks in the titles): rows of that many panels.
    """
    from ..attention_maps import effective_patches, rank_correlation  # lazily: plotting stays light to import

    if _check_cascade(maps, steps, own, shared, columns):  # True: columns given, the one-scale rows wrapped
        return _wrapped_cascade(image, maps, steps, columns, own=own)
    titles = ["trained", *(step.replace("classifier + ", "+ ") for step in steps)]  # each step adds to the one before
    panel_titles, grids, names, scales = [], [], [], []
    for row, (method, method_maps) in enumerate(maps.items()):
        rho = rank_correlation(method_maps[1:], method_maps[:1].expand_as(method_maps[1:])).tolist()
        step_names = titles[1:] if row == 0 else [""] * len(steps)  # the step's name once, on the top row
        flat = (effective_patches(method_maps) >= FLAT_SHARE * method_maps[0].numel()).tolist()
        flat = [f and not flat[0] and own for f in flat[1:]]  # named only where the trained map is not flat itself
        panel_titles.append(
            ["trained" if row == 0 else ""]
            + [
                f"{n}\nρ {r:+.2f}".lstrip("\n") + ("\n(flat, stretched)" if f else "")
                for n, r, f in zip(step_names, rho, flat, strict=True)
            ]
        )
        own_row = [("each", f"{method}\n(own scale)" if shared else method)] if own else []
        for scale, name in own_row + ([("row", f"{method}\n(one scale)")] if shared else []):  # one scale: the row's
            grids.append(method_maps)
            names.append(name)
            scales.append(scale)
        if own and shared:  # the one-scale row under the own-scale one: no titles of its own
            panel_titles.append([""] * (len(steps) + 1))
    one_scale = "; 'one scale' rows: the row's largest" if shared else ""
    scaled = f"(each panel scaled to its own largest weight: ρ ignores scale{one_scale};\n"
    label = "map / the panel's own largest" + (" (own scale)\nor the row's largest (one scale)" if shared else "")
    if not own:
        scaled, label = "(each row on one scale, its largest weight; ", "map / the row's largest"
    return _grid_figure(
        image.unsqueeze(0).expand(len(grids), -1, -1, -1),  # the same digit, one row per method (and scale)
        torch.stack(grids),
        titles,
        names,
        "Cascade: one digit's maps, re-drawn from the classifier (the linear head; fc_norm is Identity) down\n"
        f"{scaled}ρ: Spearman's rank correlation with the trained map)",
        label,
        True,
        scales,
        panel_titles=panel_titles,
    )


def plot_ink_share_by_block(
    own: Sequence[object],
    rolled: Sequence[object],
    chance: float,
    blind_own: Sequence[object] | None = None,
    blind_rolled: Sequence[object] | None = None,
) -> Figure:
    """Per block, the share of the class token's patch attention on inked patches: the block's own attention
    (heads averaged) and the rollout through it, bars at the mean with the intervals as error bars (each an
    :class:`~vit_explained.evidence.Estimate` of a share in 0..1, drawn in %), and a dashed line at ``chance``,
    the chance share, what a uniform look puts on ink. ``blind_own`` and ``blind_rolled`` (optional, one
    Estimate per block each) add the image-blind control on each bar: the mean map of that kind over other
    digits, applied to every digit, drawn as a black diamond with its interval."""
    if len(own) != len(rolled) or not own:
        raise ValueError(f"own and rolled need one interval per block each, got {len(own)} and {len(rolled)}")
    if (blind_own is None) != (blind_rolled is None):
        raise ValueError("give both blind_own and blind_rolled, or neither")
    if blind_own is not None and not len(blind_own) == len(blind_rolled) == len(own):
        raise ValueError(f"blind_own and blind_rolled need {len(own)} intervals each")
    if not 0.0 <= chance <= 1.0:
        raise ValueError(f"chance must be a share in [0, 1], got {chance}")
    fig = new_figure(figsize=(5.6, 3.4), layout="constrained")
    ax = fig.subplots()
    blocks = np.arange(len(own))

    def errors(estimates: Sequence[object]) -> np.ndarray:
        return np.array(
            [[100 * (e.estimate - e.low) for e in estimates], [100 * (e.high - e.estimate) for e in estimates]]
        )

    series = (("its own attention", own, blind_own, "#d95f02"), ("rollout through it", rolled, blind_rolled, "#1b9e77"))
    for offset, (name, estimates, blind, colour) in enumerate(series):
        x = blocks + (offset - 0.5) * 0.38
        means = np.array([100 * e.estimate for e in estimates])
        ax.bar(x, means, 0.36, yerr=errors(estimates), capsize=3, color=colour, label=name)
        if blind is not None:
            label = "image-blind mean map of that kind" if offset == 0 else None
            blind_means = np.array([100 * e.estimate for e in blind])
            ax.errorbar(
                x,
                blind_means,
                yerr=errors(blind),
                fmt="D",
                color="black",
                markersize=7,
                capsize=2,
                elinewidth=1,
                label=label,
            )
    ax.axhline(100 * chance, color="0.3", linestyle="--", linewidth=1.2, label=f"chance share: {100 * chance:.1f} %")
    ax.set_xticks(blocks, [f"block {k}" for k in blocks])
    ax.set_ylabel("class token's attention on ink (%)")
    ax.set_ylim(0, 100)
    ax.set_title("Share on inked patches, per block (error bars: 95 % intervals)", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    return _settle(fig)


_STYLES = (("-", "o"), ("--", "s"), ("-.", "^"), (":", "D"), ("-", "v"), ("--", "P"), ("-.", "X"), (":", "*"))


def _mean_band(values: np.ndarray, resamples: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The 95 % percentile-bootstrap band of the mean curve, resampling the images (rows of ``values``)."""
    rng = np.random.default_rng(seed)
    index = rng.integers(0, len(values), size=(resamples, len(values)))
    means = values[index].mean(axis=1)  # (resamples, S)
    low, high = np.quantile(means, [0.025, 0.975], axis=0)
    return low, high


def _deletion_x(counts: list[int] | None, readings: int, name: str) -> np.ndarray:
    if counts is None:
        return np.linspace(0.0, 1.0, readings)
    if len(counts) != readings:
        raise ValueError(f"counts has {len(counts)} entries but curves[{name!r}] has {readings} readings")
    return np.asarray(counts, dtype=float) / counts[-1]


def _curve_values(name: str, values: object) -> np.ndarray:
    if not isinstance(values, torch.Tensor) or values.dim() != 2 or values.shape[-1] < 2:
        raise ValueError(f"curves[{name!r}] must be (B, P + 1) with P >= 1, got {getattr(values, 'shape', values)}")
    return values.detach().double().cpu().numpy()


def _deletion_panel(
    ax: Axes,
    curves: dict[str, torch.Tensor],
    counts: list[int] | None,
    reference: tuple[str, torch.Tensor] | None,
    bands: bool,
    styles: dict[str, tuple[str, str, str]],
    xlabel: str = "fraction of patches deleted, highest ranked first",
    legend: str = "upper right",
    mark_under: bool = False,
) -> None:
    """One panel: the reference (a broad gray line underneath, traced by a thin dashed line on top), then each curve
    with its own colour, dash and marker (so a curve lying on another stays visible) and its bootstrap band.
    ``mark_under``: a curve within 0.03 of the reference's mean everywhere says so in the legend, drawn on top."""
    if reference is not None:
        name, values = reference
        array = _curve_values(name, values)
        x_ref = x = _deletion_x(counts, array.shape[1], name)
        mean_ref = mean = array.mean(0)
        area = float(np.trapezoid(mean, x))
        ax.plot(
            x,
            mean,
            "-",
            color="0.45",
            lw=9,  # wide and light: rollout's curve lies on it and must not hide it
            alpha=0.4,
            solid_capstyle="round",
            zorder=1,
            label=f"{name}, reference (area {area:.2f})",
        )
    for name, values in curves.items():
        array = _curve_values(name, values)
        x = _deletion_x(counts, array.shape[1], name)
        mean = array.mean(0)
        area = float(np.trapezoid(mean, x))
        color, dash, marker = styles[name]
        under = _under(mean, reference, mark_under)
        if bands and len(array) > 1:
            ax.fill_between(x, *_mean_band(array), color=color, alpha=0.15, lw=0, zorder=2)
        ax.plot(
            x,
            mean,
            dash,
            color=color,
            lw=1.6,
            marker=marker,
            ms=4.5,
            mfc="none",
            mew=1.2,
            zorder=5 if under else 3,  # a curve lying on the reference is drawn over its dashed trace
            label=f"{name} (area {area:.2f}){under}",
        )
    if reference is not None:  # a thin dashed line on top, so the reference shows over a curve lying on it
        ax.plot(x_ref, mean_ref, ls=(0, (3, 2)), color="black", lw=1.3, zorder=4)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, frameon=False, loc=legend)


def _under(mean: np.ndarray, reference: tuple[str, torch.Tensor] | None, mark: bool) -> str:
    """``", lies on <reference>"`` for a mean curve within 0.03 of the reference's mean everywhere, else ``""``."""
    if not mark or reference is None:
        return ""
    ref = _curve_values(*reference).mean(0)
    return f", lies on {reference[0]}" if ref.shape == mean.shape and np.abs(mean - ref).max() < 0.03 else ""


def _deletion_axes(panels: int, gaps: bool) -> tuple[Figure, list[Axes], Axes | None]:
    """The figure, its curve panels side by side (one y axis), and a gap panel under them when ``gaps``."""
    width = 5.6 * panels + 0.2
    if not gaps:
        fig = new_figure(figsize=(width, 3.9), layout="constrained")
        return fig, list(fig.subplots(1, panels, sharey=True, squeeze=False)[0]), None
    fig = new_figure(figsize=(width, 6.9), layout="constrained")
    grid = fig.add_gridspec(2, panels, height_ratios=[1.0, 0.75])
    axes = [fig.add_subplot(grid[0, 0])]
    axes += [fig.add_subplot(grid[0, k], sharey=axes[0]) for k in range(1, panels)]
    for ax in axes[1:]:
        ax.tick_params(labelleft=False)
    return fig, axes, fig.add_subplot(grid[1, :])


def _gap_panel(
    ax: Axes,
    curves: dict[str, torch.Tensor],
    reference: tuple[str, torch.Tensor],
    counts: list[int] | None,
    bands: bool,
    styles: dict[str, tuple[str, str, str]],
    xlabel: str,
) -> None:
    """Each curve minus the reference, paired per image (the same images, in the same order): the mean gap
    and its bootstrap band. The reference is the line at 0; below it a curve falls faster."""
    name_ref, values_ref = reference
    ref = _curve_values(name_ref, values_ref)
    ax.axhline(0.0, color="0.45", lw=9, alpha=0.4, solid_capstyle="round", zorder=1)
    ax.axhline(0.0, ls=(0, (3, 2)), color="black", lw=1.3, zorder=4)
    for name, values in curves.items():
        array = _curve_values(name, values)
        if array.shape != ref.shape:
            raise ValueError(f"curves[{name!r}] is {array.shape}, the reference {ref.shape}: gaps pair the same images")
        gap = array - ref
        x = _deletion_x(counts, gap.shape[1], name)
        color, dash, marker = styles[name]
        if bands and len(gap) > 1:
            ax.fill_between(x, *_mean_band(gap), color=color, alpha=0.15, lw=0, zorder=2)
        ax.plot(x, gap.mean(0), dash, color=color, lw=1.6, marker=marker, ms=4.5, mfc="none", mew=1.2, zorder=5)
    ax.set_xlim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"minus {name_ref}")
    ax.set_title(f"each order minus {name_ref}, paired per digit (below 0: falls faster than {name_ref})", fontsize=9)
    ax.grid(alpha=0.3)


def _check_deletion_inputs(
    curves: dict[str, torch.Tensor],
    stroke_first: dict[str, torch.Tensor] | None,
    reference: str | None,
    zoom: float | None = None,
    gaps: bool = False,
) -> None:
    """Raise if ``curves``, ``stroke_first``, ``reference``, ``zoom`` or ``gaps`` cannot be drawn as asked."""
    if zoom is not None and (stroke_first or not 0 < zoom < 1):
        raise ValueError(f"zoom must be a fraction in (0, 1), without stroke_first; got {zoom!r}")
    if gaps and reference is None:
        raise ValueError("gaps=True draws each curve minus the reference: name one with reference=")
    if not isinstance(curves, dict) or not curves:
        raise TypeError("curves must be a non-empty dict {method name: (B, P + 1) tensor}")
    if stroke_first is not None and (not isinstance(stroke_first, dict) or not stroke_first):
        raise TypeError("stroke_first must be a non-empty dict {method name: (B, P + 1) tensor} or None")
    if reference is not None and reference not in curves:
        raise ValueError(f"reference must name one of the curves ({', '.join(curves)}), got {reference!r}")
    for name, values in {**curves, **(stroke_first or {})}.items():
        _curve_values(name, values)


def _deletion_styles(
    curves: dict[str, torch.Tensor], stroke_first: dict[str, torch.Tensor] | None, style_order: Sequence[str] | None
) -> dict[str, tuple[str, str, str]]:
    """Each curve's (colour, dash, marker); a stroke-first curve takes that of the curve its name starts with.
    Gray (C7) is left out: it is the reference's colour."""
    colors = [f"C{i}" for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)]
    styles = {}
    order = list(style_order) if style_order is not None else []
    order += [name for name in curves if name not in order]
    for name in curves:
        index = order.index(name)
        dash, marker = _STYLES[index % len(_STYLES)]
        styles[name] = (colors[index % len(colors)], dash, marker)
    for name in stroke_first or {}:
        base = next((key for key in curves if name.startswith(key)), None)
        styles[name] = styles[base] if base else (colors[len(styles) % len(colors)], *_STYLES[len(styles) % 8])
    return styles


def plot_deletion_curves(
    curves: dict[str, torch.Tensor],
    *,
    title: str = "Deletion curves",
    ylabel: str = "probability of the true class",
    counts: list[int] | None = None,
    stroke_first: dict[str, torch.Tensor] | None = None,
    reference: str | None = None,
    bands: bool = True,
    xlabel: str = "fraction of patches deleted, highest ranked first",
    style_order: Sequence[str] | None = None,
    legend: str = "upper right",
    zoom: float | None = None,
    gaps: bool = False,
    mark_under: bool = False,
) -> Figure:
    """Mean deletion curve per method: ``{name: (B, S)}`` -> one line each, its area in the legend.

    The x axis is the fraction of patches deleted; the legend gives each curve's mean area (lower: the method's
    top patches matter more). ``counts``: the numbers of deleted patches behind the ``S`` readings.

    Each curve has its own colour, dash and (open) marker, so one lying on another stays visible;
    ``bands`` shades the 95 % bootstrap interval of the mean curve (the images resampled, seed 0).
    ``reference`` names one of ``curves`` drawn as a broad gray line under the others, traced by a
    thin dashed line on top of them (so it shows where a curve lies on it), in every panel.
    ``stroke_first`` (``{name: (B, S)}``) adds a second panel to the right (e.g. the inked patches first); its
    curves keep the colours of the ``curves`` their names start with. ``xlabel``: e.g. for insertion curves.
    ``style_order``: names whose positions fix each curve's colour and dash (e.g. an earlier figure's
    methods), so the same method keeps its colour across figures. ``legend``: its matplotlib location.
    ``zoom`` (a fraction, e.g. 0.3): a panel to the right showing the same curves over the first ``zoom`` of
    the x axis only, where they fall (instead of ``stroke_first``). ``gaps`` (needs ``reference``): a panel
    underneath, each curve minus the reference, paired per image, with its band (:func:`_gap_panel`).
    ``mark_under``: a curve lying on the reference (its mean within 0.03 everywhere) says so in the legend and is
    drawn over the reference's dashed trace.
    """
    _check_deletion_inputs(curves, stroke_first, reference, zoom=zoom, gaps=gaps)
    styles = _deletion_styles(curves, stroke_first, style_order)
    panels = [(curves, "as each map ranks the patches")]
    if stroke_first:
        panels.append((stroke_first, "stroke first: each map's order within the inked patches, blank ones last"))
    if zoom is not None:
        panels.append((curves, f"zoom: the first {100 * zoom:.0f} % of the patches"))
    fig, axes, gap_ax = _deletion_axes(len(panels), gaps)
    ref = (reference, curves[reference]) if reference is not None else None
    if gap_ax is not None:
        _gap_panel(gap_ax, {n: v for n, v in curves.items() if n != reference}, ref, counts, bands, styles, xlabel)
    for ax, (panel, panel_title) in zip(axes, panels, strict=True):
        shown = {name: values for name, values in panel.items() if name != reference}
        _deletion_panel(ax, shown, counts, ref, bands, styles, xlabel, legend, mark_under)
        if len(panels) > 1:
            ax.set_title(panel_title, fontsize=9)
    if zoom is not None:
        axes[1].set_xlim(0, zoom)
        axes[1].get_legend().remove()  # the left panel's legend names the same curves
    axes[0].set_ylabel(ylabel)
    if len(panels) > 1:
        fig.suptitle(title, fontsize=10)
    else:
        axes[0].set_title(title, fontsize=10)
    return _settle(fig)


def plot_rollout_chain(
    matrices: Sequence[torch.Tensor],
    *,
    tokens: Sequence[str] | None = None,
    title: str | None = None,
    symbol: str = "Ã",
) -> Figure:
    """Rollout as a chain of small matrices, each entry printed: the blocks' mixed attention
    ``Ã_0, Ã_1, ...`` (``(N, N)`` each, first block first) and their product, the later block on
    the left: ``R = Ã_(L-1) @ ... @ Ã_0``. Meant for a toy ``N`` of 2 to 5 tokens. ``symbol`` names the
    matrices (``"(I + Ā)"`` for Chefer et al.'s ``R = R + Ā @ R``, the same product of ``I + Ā``)."""
    if isinstance(matrices, torch.Tensor) or not isinstance(matrices, Sequence) or not matrices:
        raise TypeError("matrices must be a non-empty list of (N, N) tensors, first block first")
    shapes = {tuple(m.shape) if isinstance(m, torch.Tensor) else None for m in matrices}
    if len(shapes) != 1 or None in shapes or len(next(iter(shapes))) != 2 or len(set(next(iter(shapes)))) != 1:
        raise ValueError(f"every matrix must be the same square (N, N) tensor, got shapes {sorted(map(str, shapes))}")
    size = matrices[0].shape[0]
    if not 2 <= size <= 5:
        raise ValueError(f"a chain is legible for 2 to 5 tokens, got N = {size}")
    names = list(tokens) if tokens is not None else ["cls", *(f"p{i}" for i in range(1, size))]
    if len(names) != size:
        raise ValueError(f"tokens must name the {size} tokens, got {len(names)} names")
    layers = [m.detach().double().cpu() for m in matrices]
    product = layers[0]
    for layer in layers[1:]:
        product = layer @ product
    panels = [*reversed(list(enumerate(layers))), (None, product)]  # the later block on the left
    fig = new_figure(figsize=(2.3 * len(panels) + 0.4, 2.9), layout="constrained")
    axes = fig.subplots(1, len(panels))
    for ax, (index, matrix) in zip(axes, panels, strict=True):
        ax.imshow(matrix.numpy(), cmap="Blues", vmin=0.0, vmax=1.0)
        for (row, col), value in np.ndenumerate(matrix.numpy()):
            ax.text(
                col,
                row,
                f"{value:.2f}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if value > 0.6 else "black",
            )
        ax.set_xticks(range(size), names, fontsize=7)
        ax.set_yticks(range(size), names, fontsize=7)
        ax.set_xlabel("column: what it reads", fontsize=7)
        ax.set_title(
            f"{symbol}_{index}: block {index}"
            if index is not None
            else "R = " + " @ ".join(f"{symbol}_{i}" for i in reversed(range(len(layers)))),
            fontsize=9,
        )
    axes[0].set_ylabel("row: the token after the block", fontsize=7)
    fig.suptitle(title or "rollout: the later block on the left; a row of R sums to 1", fontsize=10)
    return _settle(fig)


def plot_norm_histogram(
    everyone: torch.Tensor,
    picked: torch.Tensor,
    *,
    cutoff: float,
    title: str,
    labels: tuple[str, str] = ("every patch token", "top patches without ink"),
) -> Figure:
    """Two histograms of token norms relative to their image's median (Darcet et al. 2024's test
    for high-norm tokens): ``everyone`` (all patch tokens) and ``picked`` (e.g. the heads' top
    patches that hold no ink), both 1-D, each scaled to a density so their shapes compare; a dashed
    line at ``cutoff``. High-norm artifact tokens would form a separate cluster right of the line."""
    for name, values in (("everyone", everyone), ("picked", picked)):
        if not isinstance(values, torch.Tensor) or values.dim() != 1 or len(values) == 0:
            raise ValueError(f"{name} must be a non-empty 1-D tensor of relative norms")
    a, b = everyone.double().numpy(), picked.double().numpy()
    top = max(float(a.max()), float(b.max()), cutoff) * 1.08
    bins = np.linspace(0.0, top, 60)
    fig = new_figure(figsize=(7.4, 4.0), layout="constrained")
    ax = fig.subplots()
    ax.hist(a, bins=bins, density=True, color="0.6", alpha=0.7, label=f"{labels[0]} ({len(a):,})")
    ax.hist(b, bins=bins, density=True, histtype="step", color="C3", lw=1.8, label=f"{labels[1]} ({len(b):,})")
    ax.axvline(cutoff, color="k", ls="--", lw=1, label=f"{cutoff:g} x the median")
    ax.set_yscale("log")
    ax.set_xlabel("token norm / its digit's median patch-token norm")
    ax.set_ylabel("density (log scale)")
    ax.set_title(title, fontsize=9.5)
    ax.set_xlim(0.0, top)
    ax.set_ylim(top=ax.get_ylim()[1] * 30)  # head room above the bars for the legend
    ax.legend(fontsize=8.5, framealpha=0.9, loc="upper right")  # in the empty corner, right of the bars
    return _settle(fig)


def plot_deletion_steps(
    image: torch.Tensor,
    scores: torch.Tensor,
    counts: Sequence[int],
    probabilities: Sequence[float],
    *,
    title: str = "",
) -> Figure:
    """One digit as a deletion curve sees it: ``image`` ``(1, H, W)``, ``scores`` ``(rows, cols)``;
    for each count, the image with the map's ``count`` top-ranked patches set to 0 (ties by patch
    order, as :func:`vit_explained.attention_maps.deletion_curve`), titled with ``probabilities``
    (the true class's probability at that count, one per count)."""
    if not isinstance(scores, torch.Tensor) or scores.dim() != 2:
        raise ValueError(f"scores must be one (rows, cols) map, got {getattr(scores, 'shape', scores)}")
    if len(probabilities) != len(counts):
        raise ValueError(f"give one probability per count: {len(counts)} counts, {len(probabilities)} probabilities")
    rows, cols = scores.shape
    ph, pw = image.shape[-2] // rows, image.shape[-1] // cols
    order = torch.sort(scores.flatten(), descending=True, stable=True).indices
    fig = new_figure(figsize=(1.3 * len(counts) + 0.2, 1.95), layout="constrained")
    axes = fig.subplots(1, len(counts), squeeze=False)[0]
    for ax, count, probability in zip(axes, counts, probabilities, strict=True):
        mask = torch.ones(rows * cols)
        mask[order[:count]] = 0.0
        mask = mask.reshape(rows, cols).repeat_interleave(ph, 0).repeat_interleave(pw, 1)
        ax.imshow((image[0].detach().cpu() * mask).numpy(), cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"{count} deleted\np = {probability:.2f}", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title, fontsize=9.5)
    return _settle(fig)


VIT_EXPLAIN_EXAMPLES = Path(__file__).resolve().parents[1] / "checkpoints" / "vit_explain_deit_tiny.png"
"""Five outputs of jacobgil/vit-explain (commit 15a81d3, MIT licence, ``checkpoints/vit_explain_LICENSE.txt``)
side by side, each 160 x 160: DeiT-tiny on ImageNet, computed by that repository, not here
(``checkpoints/vit_explain_README.md`` names the files)."""

_VIT_EXPLAIN_TITLES = (
    "the photo (dog and cat)",
    "rollout, mean fusion,\nno discarding",
    "rollout, max fusion, discard 0.99\n(Readme's example; default 0.9)",
    "gradient rollout, class 243\n(bull mastiff), discard 0.9",
    "gradient rollout, class 282\n(tiger cat), discard 0.9",
)


def plot_vit_explain_examples(path: Path | str = VIT_EXPLAIN_EXAMPLES) -> Figure:
    """jacobgil/vit-explain's example maps of DeiT-tiny on a photo, read from the package's copy (no download).

    Not computed by this package: the strip at ``path`` holds five square pictures side by side (the photo,
    two rollout settings, gradient rollout for two ImageNet classes), each titled with the settings in its
    source file's name.
    """
    import matplotlib.image

    strip = matplotlib.image.imread(str(path))  # (H, 5 H, 3 or 4), floats in [0, 1]
    side = strip.shape[0]
    if strip.ndim != 3 or strip.shape[1] != len(_VIT_EXPLAIN_TITLES) * side:
        raise ValueError(f"expected {len(_VIT_EXPLAIN_TITLES)} square pictures side by side, got {strip.shape}")
    fig = new_figure(figsize=(7.6, 5.9), layout="constrained")  # two rows: titles readable at the page's width
    grid = fig.subplots(2, 3).flatten()
    fig.delaxes(grid[-1])  # five pictures on a 2 x 3 grid
    for k, (ax, title) in enumerate(zip(grid[: len(_VIT_EXPLAIN_TITLES)], _VIT_EXPLAIN_TITLES, strict=True)):
        ax.imshow(strip[:, k * side : (k + 1) * side], interpolation="nearest")
        ax.set_title(title, fontsize=9.5)
        ax.set_axis_off()
    fig.suptitle(
        "Not computed here: DeiT-tiny on ImageNet, from jacobgil/vit-explain (MIT),\n"
        "its settings in the file names; every map made with its own row normalisation,\n"
        "a / a.sum(dim=-1) without keepdim (appendix E)",
        fontsize=11,
    )
    return _settle(fig)


def plot_attention_distance(distances: torch.Tensor, patch_size: int, uniform: float | None = None) -> Figure:
    """One dot per head: its mean attention distance in pixels (``distances`` ``(blocks, heads)``) against
    its block, as the ViT paper's Fig. 7 (right); a dashed line at one patch side (``patch_size`` pixels)
    and, if given, a dashed line at ``uniform``, a head that reads every patch equally. The y-axis starts at 0.
    """
    if not isinstance(distances, torch.Tensor) or distances.dim() != 2:
        raise ValueError(f"distances must be (blocks, heads), got {getattr(distances, 'shape', distances)}")
    blocks, heads = distances.shape
    fig = new_figure(figsize=(4.2, 2.8), layout="constrained")
    ax = fig.add_subplot()
    for head in range(heads):
        ax.scatter(range(blocks), distances[:, head].tolist(), s=22, label=f"head {head}")
    ax.axhline(patch_size, color="grey", linestyle="--", linewidth=1, label="one patch side")
    top = float(distances.max())
    if uniform is not None:
        ax.axhline(uniform, color="black", linestyle="--", linewidth=1, label=f"uniform look ({uniform:.1f} px)")
        top = max(top, uniform)
    ax.set_ylim(0, top * 1.15)
    ax.set(xlabel="block", ylabel="mean attention distance (pixels)", xticks=range(blocks))
    ax.set_title("Mean attention distance per head (ViT paper, Fig. 7 right)", fontsize=9)
    ax.legend(fontsize=7, loc="center right")
    return _settle(fig)


def plot_key_column_grid(on_ink: torch.Tensor, fixed_key: torch.Tensor, chance: float) -> Figure:
    """Every head's key column at a glance: a ``(blocks, heads)`` grid coloured by how often (in %) the key column
    most queries read is on ink, each cell labelled with its value; heads in ``fixed_key`` (a boolean
    ``(blocks, heads)`` mask) outlined. ``chance``: a random key's share on ink (in %), named in the colour bar."""
    values = torch.as_tensor(on_ink, dtype=torch.float64).detach().cpu()
    mask = torch.as_tensor(fixed_key, dtype=torch.bool).detach().cpu()
    if values.dim() != 2 or mask.shape != values.shape:
        shapes = f"{tuple(values.shape)}, {tuple(mask.shape)}"
        raise ValueError(f"on_ink and fixed_key must be (blocks, heads) alike, got {shapes}")
    blocks, heads = values.shape
    fig = new_figure(figsize=(1.0 * heads + 1.9, 0.8 * blocks + 1.0), layout="constrained")
    ax = fig.add_subplot()
    shown = ax.imshow(values.numpy(), cmap="viridis", vmin=0.0, vmax=100.0)
    for b in range(blocks):
        for h in range(heads):
            value = values[b, h].item()
            colour = "white" if value < 60 else "black"
            ax.text(h, b, f"{value:.1f} %", ha="center", va="center", fontsize=9, color=colour)
            if mask[b, h]:
                outline = Rectangle((h - 0.46, b - 0.46), 0.92, 0.92, fill=False, edgecolor="#ff3b30", linewidth=2.5)
                ax.add_patch(outline)
    ax.set_xticks(range(heads), [f"head {h}" for h in range(heads)])
    ax.set_yticks(range(blocks), [f"block {b}" for b in range(blocks)])
    ax.set_title("Top key column on ink (% of digits); red outline: fixed-key head", fontsize=10)
    bar = fig.colorbar(shown, ax=ax, shrink=0.9)
    bar.set_label(f"% on ink (a random key: {chance:.1f} %)", fontsize=9)
    return _settle(fig)


def plot_knob_maps(
    images: torch.Tensor,
    maps: dict[str, torch.Tensor],
    spreads: dict[str, torch.Tensor],
    *,
    digit: int = 0,
    label: str | None = None,
) -> Figure:
    """One digit's rollout maps under several settings side by side (e.g. vit-explain's head fusion and discard
    ratio), each panel titled with its name and that digit's spread (the number of patches, ``exp(entropy)``).

    ``images`` ``(B, 1, H, W)``; ``maps`` name -> ``(B, rows, cols)``; ``spreads`` name -> ``(B,)``; ``digit``: which
    of the B to show. Each map has its own colour scale (brightest = its largest value)."""
    names = list(maps)
    if set(spreads) != set(names):
        raise ValueError(f"spreads must name the same settings as maps ({names}), got {list(spreads)}")
    stacked = torch.stack([torch.as_tensor(maps[name][digit]) for name in names])[None]  # (1, K, rows, cols)
    titles = [f"{name}\nspread {float(spreads[name][digit]):.1f} patches" for name in names]
    caption = label if label is not None else f"digit {digit}"
    return plot_map_columns(
        images[digit : digit + 1], stacked, titles=titles, labels=[caption], title="One digit, each setting's map"
    )

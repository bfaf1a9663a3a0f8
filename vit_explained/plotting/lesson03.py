"""Figures for lesson 03, attention: one head's attention matrix, a query patch's attention over
the image, softmax saturation, and the N^2 cost of attention."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .. import _checks
from ..cost import attention_cost
from ..profiling import AttentionProfile
from ..softmax_scale import SATURATED
from . import as_image, new_figure, to_display

_UNSCALED, _SCALED, _FUSED = "#d62728", "#1f77b4", "#2ca02c"


def _head_width_axis(ax, dims: np.ndarray, title: str, yscale: str, marked_dim: int | None) -> None:
    """A panel against the head width d (log 2 axis), ``marked_dim`` drawn as a dotted line with no label (the
    panels' q and k are unit-variance, not a ViT-B's init, so the tick does not say "ViT-B")."""
    ax.set_xscale("log", base=2)
    ax.set_xticks(dims)
    ax.set_xticklabels([str(int(d)) for d in dims])
    ax.minorticks_off()
    ax.set_yscale(yscale)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("head width d")
    if marked_dim is not None:
        ax.axvline(marked_dim, color="grey", linestyle=":", linewidth=1)
    ax.grid(alpha=0.3)


def _check_saturation_keys(unscaled: Mapping[str, Sequence[float]], scaled: Mapping[str, Sequence[float]]) -> None:
    """Raise a ValueError naming the keys that ``unscaled`` or ``scaled`` lacks for the saturation figure."""
    for name, values in (("unscaled", unscaled), ("scaled", scaled)):
        needed = {"spread", "saturated", "grad_scores"}
        if name == "unscaled":
            needed |= {"grad_scores_saturated", "grad_scores_unsaturated"}
        missing = needed - set(values)
        if missing:
            raise ValueError(f"{name} needs the keys {sorted(needed)}; missing {sorted(missing)}")


def _draw_gradient_split(
    ax: Axes,
    dims: np.ndarray,
    unscaled: Mapping[str, Sequence[float]],
    scaled: Mapping[str, Sequence[float]],
    ranges: Mapping[str, Mapping[str, tuple[Sequence[float], Sequence[float]]]] | None,
) -> None:
    """Add the unscaled gradient in saturated and other rows to the gradient panel and fit its y range."""
    missing = [int(d) for d, value in zip(dims, unscaled["grad_scores_saturated"], strict=True) if np.isnan(value)]
    label = "no scale, saturated rows"
    if missing:  # say why a width has no point
        label += f"\n(d = {', '.join(map(str, missing))}: under {FEW_SATURATED:.0%} saturate, not drawn)"
    ax.plot(  # nan where too few rows saturate to average over (not drawn)
        dims, unscaled["grad_scores_saturated"], "v:", color=_UNSCALED, alpha=0.6, label=label
    )
    ax.plot(dims, unscaled["grad_scores_unsaturated"], "^--", color=_UNSCALED, alpha=0.6, label="no scale, other rows")
    if ranges is not None and "grad_scores_unsaturated" in ranges.get("unscaled", {}):
        low, high = ranges["unscaled"]["grad_scores_unsaturated"]
        ax.fill_between(dims, low, high, color=_UNSCALED, alpha=0.1, linewidth=0)
    tops = [value for value in (*unscaled["grad_scores_unsaturated"], *scaled["grad_scores"]) if not np.isnan(value)]
    if ranges is not None:
        tops += [
            value
            for setting in ranges.values()
            for key in ("grad_scores", "grad_scores_unsaturated")
            if key in setting
            for value in setting[key][1]
            if not np.isnan(value)
        ]
    ax.set_ylim(0, 1.15 * max(tops))


def plot_softmax_saturation(
    head_dims: Sequence[int],
    unscaled: Mapping[str, Sequence[float]],
    scaled: Mapping[str, Sequence[float]],
    num_keys: int,
    marked_dim: int | None = 64,
    ranges: Mapping[str, Mapping[str, tuple[Sequence[float], Sequence[float]]]] | None = None,
) -> Figure:
    """Three panels against the head width d: the spread (std) of the scores ``q.k``, the share of
    saturated rows (largest weight above 0.9), and the gradient that reaches the scores (the softmax's
    input), without and with the ``1/sqrt(d)`` scale; without the scale also the gradient in its
    saturated rows and in its other rows, side by side.

    ``unscaled`` and ``scaled`` map ``"spread"``, ``"saturated"`` and ``"grad_scores"`` to one value
    per entry of ``head_dims`` (averaged over the queries), ``unscaled`` also
    ``"grad_scores_saturated"`` and ``"grad_scores_unsaturated"`` (as from
    :func:`vit_explained.softmax_scale.softmax_saturation`);
    ``num_keys`` is the number of keys each softmax runs over (named in the title);
    ``marked_dim`` draws a dotted line there (64, ViT-B's head width; unlabelled);
    ``ranges`` (as from :func:`saturation_ranges`) shades each curve's min..max over the seeds.
    """
    _check_saturation_keys(unscaled, scaled)
    dims = np.asarray(head_dims, dtype=float)
    fig = new_figure(figsize=(13.5, 3.6))
    axes = fig.subplots(1, 3)
    panels = [
        ("spread", "spread (std) of the scores q·k", "log"),
        ("saturated", f"share of saturated rows (top weight > {SATURATED:g})", "linear"),
        ("grad_scores", "gradient at the softmax input (mean norm per row)", "linear"),
    ]
    for ax, (key, title, yscale) in zip(axes, panels, strict=True):
        ax.plot(dims, unscaled[key], "o-", color=_UNSCALED, label="q·k (no scale)")
        ax.plot(dims, scaled[key], "s-", color=_SCALED, label="q·k / √d")
        for setting, color in (("unscaled", _UNSCALED), ("scaled", _SCALED)):
            if ranges is not None and key in ranges.get(setting, {}):
                low, high = ranges[setting][key]
                ax.fill_between(dims, low, high, color=color, alpha=0.2, linewidth=0)
        _head_width_axis(ax, dims, title, yscale, marked_dim)
    axes[0].plot(dims, np.sqrt(dims), ":", color="black", linewidth=1.5, label="√d")
    axes[1].axhline(1.0, color="black", linewidth=0.8, label="every row")
    axes[1].set_ylim(-0.03, 1.15)
    axes[1].yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    _draw_gradient_split(axes[2], dims, unscaled, scaled, ranges)
    axes[0].legend(fontsize=8, loc="upper left")
    axes[1].legend(fontsize=8, loc="center left")
    axes[2].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))  # beside the panel, off the data
    fig.suptitle(
        f"Softmax over {num_keys} random keys, without and with the 1/√d scale (means over seeds"
        + (", shaded: min..max)" if ranges is not None else ")"),
        fontsize=11,
    )
    fig.tight_layout()
    return fig


#: Below this mean share of saturated rows, the gradient "in the saturated rows" rests on too few rows
#: to average: :func:`saturation_means` gives ``nan`` there (the table prints "-", the figure skips it).
FEW_SATURATED = 0.01


def saturation_means(runs: Mapping[int, Sequence[Mapping[str, Mapping[str, float]]]]) -> dict[str, dict[str, list]]:
    """Means over the seeds of :func:`vit_explained.softmax_scale.softmax_saturation`'s statistics.

    ``runs`` maps each head width ``d`` to one result per seed. Returns ``{"unscaled": {statistic:
    [mean per d]}, "scaled": {...}}`` in the order of ``runs``; ``"grad_scores_saturated"`` is ``nan``
    where fewer than :data:`FEW_SATURATED` of the rows saturate on average.
    """
    if not runs or any(not seeds for seeds in runs.values()):
        raise ValueError("runs must map each head width to a non-empty list of softmax_saturation results")

    def mean(values: list[float]) -> float:  # nan only when every seed gave nan (no such rows)
        kept = [value for value in values if not np.isnan(value)]
        return float(np.mean(kept)) if kept else float("nan")

    means: dict[str, dict[str, list]] = {}
    for setting in ("unscaled", "scaled"):
        keys = next(iter(runs.values()))[0][setting]
        means[setting] = {key: [mean([run[setting][key] for run in seeds]) for seeds in runs.values()] for key in keys}
        shares = means[setting]["saturated"]
        means[setting]["grad_scores_saturated"] = [
            float("nan") if share < FEW_SATURATED else value
            for share, value in zip(shares, means[setting]["grad_scores_saturated"], strict=True)
        ]
    return means


def saturation_ranges(
    runs: Mapping[int, Sequence[Mapping[str, Mapping[str, float]]]],
) -> dict[str, dict[str, tuple[list[float], list[float]]]]:
    """Min and max over the seeds of the statistics :func:`plot_softmax_saturation` shades: ``{"unscaled":
    {statistic: (mins per d, maxs per d)}, "scaled": {...}}`` in the order of ``runs`` (``nan`` ignored)."""
    if not runs or any(not seeds for seeds in runs.values()):
        raise ValueError("runs must map each head width to a non-empty list of softmax_saturation results")
    keys = {"unscaled": ("spread", "saturated", "grad_scores", "grad_scores_unsaturated")}
    keys["scaled"] = ("spread", "saturated", "grad_scores")
    ranges: dict[str, dict[str, tuple[list[float], list[float]]]] = {}
    for setting, names in keys.items():
        ranges[setting] = {}
        for key in names:
            values = [[run[setting][key] for run in seeds] for seeds in runs.values()]
            ranges[setting][key] = (
                [float(np.nanmin(v)) if not all(np.isnan(v)) else float("nan") for v in values],
                [float(np.nanmax(v)) if not all(np.isnan(v)) else float("nan") for v in values],
            )
    return ranges


def _number(value: float, spec: str) -> str:
    return "-" if np.isnan(value) else format(value, spec)


def saturation_table(head_dims: Sequence[int], means: Mapping[str, Mapping[str, Sequence[float]]], seeds: int) -> str:
    """Lesson 03's saturation table: one line per head width, from :func:`saturation_means`."""
    u_cols, s_cols = ("spread", "max w", "> 0.9", "g all", "g sat.", "g other"), ("spread", "> 0.9", "g all")
    lines = [
        f"means over {seeds} seeds; g: gradient at the scores, mean norm per row",
        f"{'':>5} | {'no scale':^47} | {'scaled by 1/sqrt(d)':^23}",
        f"{'d':>5} | " + " ".join(f"{c:>7}" for c in u_cols) + " | " + " ".join(f"{c:>7}" for c in s_cols),
    ]
    u, s = means["unscaled"], means["scaled"]
    for i, d in enumerate(head_dims):
        cells = [f"{u['spread'][i]:>7.2f}", f"{u['max_weight'][i]:>7.2f}", f"{u['saturated'][i]:>7.1%}",
                 f"{u['grad_scores'][i]:>7.3f}", f"{_number(u['grad_scores_saturated'][i], '.3f'):>7}",
                 f"{_number(u['grad_scores_unsaturated'][i], '.3f'):>7}"]  # fmt: skip
        scaled = [f"{s['spread'][i]:>7.2f}", f"{s['saturated'][i]:>7.1%}", f"{s['grad_scores'][i]:>7.3f}"]
        lines.append(f"{d:>5} | {' '.join(cells)} | {' '.join(scaled)}")
    lines.append(f"-: under {FEW_SATURATED:.0%} of the rows saturated, too few to average")
    return "\n".join(lines)


def saturation_rows(summary, gradients: bool = True) -> str:
    """Section 3's table from a :class:`vit_explained.softmax_scale.SaturationSummary`: the saturated shares
    without and with the scale, the scaled runs and, with ``gradients`` (appendix G's reading,
    :func:`saturation_gradient_rows`), the gradient ratio of unsaturated to saturated rows and the mean gradient norm
    per row at the scores, no scale / scale (the other widths: ``summary.mean_lines()``)."""
    d, wide = summary.reference_dim, max(summary.saturated)
    scaled = f"{summary.scaled_saturated * 100:.0f} %"
    shares = [(f"saturated rows, d = {d_}", str(summary.saturated[d_]), scaled) for d_ in (d, wide)]
    width = max(len(row[0]) for row in shares)
    lines = [f"{a:<{width}}  {b:<24}  {c}" for a, b, c in (("", "no scale", "with the scale"), *shares)]
    extra = saturation_gradient_rows(summary).splitlines() if gradients else []
    return "\n".join([*lines, *extra[:1], _scaled_line(summary), *extra[1:]])


def _scaled_line(summary) -> str:
    """The scaled runs over every width and seed: saturated share, spread and gradient at the scores."""
    return (
        f"with the scale, at every d: {summary.scaled_saturated * 100:.0f} % saturated rows, spread "
        f"{summary.scaled_spread:.1f}, mean gradient norm per row at the scores {summary.scaled_grad_scores:.2f}"
    )


def saturation_gradient_rows(summary) -> str:
    """The gradient lines of :func:`saturation_rows` at ``summary.reference_dim``: unsaturated / saturated rows and
    (when measured there) the mean over all rows, no scale / scale (the right panel's red line over the blue one)."""
    d = summary.reference_dim
    saturated_ratio, mean_ratio = summary.other_vs_saturated, summary.mean_ratio
    lines = [f"no scale, d = {d}, the gradient at the scores, unsaturated / saturated rows: {saturated_ratio}"]
    if d in mean_ratio:
        lines.append(f"no scale / scale, d = {d}, mean gradient norm per row at the scores: {mean_ratio[d]}")
    return "\n".join(lines)


def saturation_gradient_lines(runs: Mapping[int, Sequence[Mapping]], summary, head_dim: int = 64) -> str:
    """Section 3's right panel in numbers: without the scale at ``head_dim``, what a saturated row and the other rows
    pass back at the scores (the scaled value beside them), then the mean over all rows, no scale / scale, at
    ``head_dim`` and at the widest width (review r33b M1: both halves of the gradient story, printed)."""
    from ..evidence import over_seeds

    at = runs[head_dim]
    saturated = over_seeds([r["unscaled"]["grad_scores_saturated"] for r in at])
    others = over_seeds([r["unscaled"]["grad_scores_unsaturated"] for r in at])
    wide = max(summary.mean_ratio)
    return (
        f"no scale, d = {head_dim}, gradient norm per row at the scores: saturated rows {saturated}\n"
        f"  the other rows {others}; with the scale {summary.scaled_grad_scores:.2f}\n"
        f"mean over all rows, no scale / scale: d = {head_dim}: {summary.mean_ratio[head_dim]}, "
        f"d = {wide}: {summary.mean_ratio[wide]}"
    )


def _compact(summary) -> str:
    """``mean (low..high)`` of a :class:`~vit_explained.evidence.SeedSummary`, in its own units and digits."""
    s, d, u = summary.scale, summary.digits, summary.unit
    return f"{summary.mean * s:.{d}f}{u} ({summary.low * s:.{d}f}..{summary.high * s:.{d}f})"


def scale_table(runs: Mapping[int, Sequence[Mapping]], summary, head_dim: int = 64) -> str:
    """Section 3's numbers as one table (fix03_37a, review r36j minor 3): rows no scale / with the scale; columns
    the saturated share at ``head_dim`` and at the widest width, then the gradient norm per row at the scores at
    ``head_dim`` for saturated rows, the other rows and all rows; then all rows no scale / scale, and the scaled runs
    at every width."""
    from ..evidence import over_seeds

    at, wide, ratio = runs[head_dim], max(summary.saturated), summary.mean_ratio
    gradients = (over_seeds([r["unscaled"][key] for r in at]) for key in
                 ("grad_scores_saturated", "grad_scores_unsaturated", "grad_scores"))  # fmt: skip
    unscaled = [_compact(summary.saturated[head_dim]), _compact(summary.saturated[wide]), *map(_compact, gradients)]
    share = (
        _compact(over_seeds([r["scaled"]["saturated"] for r in runs[d]], percent=True, digits=0))
        for d in (head_dim, wide)
    )
    grad = _compact(over_seeds([r["scaled"]["grad_scores"] for r in at]))  # at head_dim, as the no-scale row
    scaled = [*share, "-", grad, grad]
    header = [f"d = {head_dim}", f"d = {wide}", "saturated rows", "other rows", "all rows"]
    widths = [max(map(len, column)) for column in zip(header, unscaled, scaled, strict=True)]
    span = widths[0] + widths[1] + 4  # the two saturated-share columns
    lines = [f"{'':<16}{'saturated rows':<{span}}gradient norm per row at the scores, d = {head_dim}"]
    for label, cells in (("", header), ("no scale", unscaled), ("with the scale", scaled)):
        lines.append(f"{label:<16}" + "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)))
    top = max(ratio)  # the widest width with a ratio
    lines.append(f"all rows, no scale / scale: d = {head_dim}: {ratio[head_dim]}, d = {top}: {ratio[top]}")
    lines.append(_scaled_line(summary))  # the widths between too
    return "\n".join(line.rstrip() for line in lines)


def init_table(init_runs: Mapping[str, Sequence[Mapping[str, float]]], head_dim: int = 64) -> str:
    """The table of :func:`vit_explained.softmax_scale.init_saturation` results, one line per init; the last
    column, with the scale: the spread of ``q.k / sqrt(head_dim)`` and the share of saturated rows."""
    from ..evidence import over_seeds

    seeds = len(next(iter(init_runs.values())))
    width = max(19, *(len(init) + 1 for init in init_runs))  # the label column
    header = f"{'q spread':>9}{'q.k spread':>11}   saturated rows: no scale{'':<5}| scaled: spread"
    lines = [f"{'qkv init':<{width}}{header}"]
    for init, runs in init_runs.items():
        q_spread = float(np.mean([r["q_spread"] for r in runs]))
        spread = float(np.mean([r["spread"] for r in runs]))
        saturated = str(over_seeds([r["saturated"] for r in runs], percent=True, digits=1))
        lines.append(f"{init:<{width}}{q_spread:>9.2f}{spread:>11.1f}   {saturated:<29}| {spread / head_dim**0.5:.2f}, "
                     f"{max(r['saturated_scaled'] for r in runs):.0%} saturated")  # fmt: skip
    lines.append(f"(q spread, q.k spread, scaled spread: means over the {seeds} seeds)")
    return "\n".join(lines)


def cost_table(configs: Sequence[tuple[str, int, int, int, int]]) -> str:
    """One line per ``(name, N, D, heads, D_in)``: the attention matrix's entries and float32 MB, and
    the GFLOPs of the two ``N x N`` products and of the projections (:func:`vit_explained.cost.attention_cost`)."""
    from ..cost import attention_cost

    header = f"{'layer':<30}{'N':>5}{'D_in':>5}{'D':>4}{'h':>3}{'entries':>13}{'MB':>8}"
    lines = [header + f"{'NxN GFLOP':>11}{'proj. GFLOP':>12}"]
    for name, n, dim, heads, dim_in in configs:
        c = attention_cost(n, dim, heads, dim_in=dim_in)
        lines.append(f"{name:<30}{n:>5}{dim_in:>5}{dim:>4}{heads:>3}{c.matrix_entries:>13,}{c.matrix_bytes / 1e6:>8.2f}"
                     f"{c.matmul_flops / 1e9:>11.3f}{c.projection_flops / 1e9:>12.3f}")  # fmt: skip
    return "\n".join(lines)


def profile_table(rows: Sequence[AttentionProfile]) -> str:
    """One line per :class:`~vit_explained.profiling.AttentionProfile`: times (ms) and peak memory (MB)."""
    lines = [
        f"{'N':>5}{'explicit ms':>12}{'fused ms':>10}{'explicit peak MB':>18}{'fused peak MB':>15}{'N x N MB':>10}"
    ]
    for row in rows:
        lines.append(f"{row.num_tokens:>5}{row.explicit_seconds * 1e3:>12.2f}{row.fused_seconds * 1e3:>10.2f}"
                     f"{row.explicit_peak_bytes / 1e6:>18.2f}{row.fused_peak_bytes / 1e6:>15.2f}"
                     f"{row.matrix_bytes / 1e6:>10.2f}")  # fmt: skip
    return "\n".join(lines)


def plot_attention_cost(
    rows: Sequence[AttentionProfile], labels: Mapping[int, str] | None = None, analytic: bool = True
) -> Figure:
    """Measured time (left) and peak memory (right) of one attention layer against the token count
    N, explicit vs fused path, on log-log axes. The time panel is greyed and has no growth guide: one run's
    times on a shared machine support no claim about how fast they grow.

    ``rows`` come from :func:`vit_explained.profiling.profile_attention`; ``labels`` names some
    token counts under their ticks (e.g. ``{196: "ViT-B/16", 3136: "T2T stage 1"}``); ``analytic`` adds the size of
    the attention matrix from :func:`vit_explained.cost.attention_cost` to the memory panel.
    """
    if not rows:
        raise ValueError("rows must hold at least one AttentionProfile (from profile_attention)")
    rows = sorted(rows, key=lambda row: row.num_tokens)
    tokens = np.array([row.num_tokens for row in rows], dtype=float)
    explicit_ms = np.array([row.explicit_seconds for row in rows]) * 1e3
    fused_ms = np.array([row.fused_seconds for row in rows]) * 1e3
    explicit_mb = np.array([row.explicit_peak_bytes for row in rows]) / 1e6
    fused_mb = np.array([row.fused_peak_bytes for row in rows]) / 1e6
    matrix_mb = np.array([row.matrix_bytes for row in rows]) / 1e6

    fig = new_figure(figsize=(10, 4))
    (time_ax, memory_ax) = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})  # the time panel small
    # greyed: one run's times on a shared machine support no claim, unlike the memory beside them
    time_ax.plot(tokens, explicit_ms, "o-", color="0.45", label="explicit")
    time_ax.plot(tokens, fused_ms, "s--", color="0.65", label="fused")
    time_ax.set_facecolor("0.96")
    time_ax.set_ylabel("time per forward pass (ms)", color="0.4")
    time_ax.set_title("time, one run (no claim)", fontsize=9, color="0.4")

    memory_ax.plot(tokens, explicit_mb, "o-", color=_UNSCALED, label="explicit (stores N×N weights): peak")
    memory_ax.plot(tokens, fused_mb, "s-", color=_FUSED, label="fused (scaled_dot_product_attention): peak")
    if analytic:
        memory_ax.plot(tokens, matrix_mb, "--", color="black", linewidth=1, label="one N×N matrix (attention_cost)")
    memory_ax.set_ylabel("memory allocated beyond the input (MB)")
    memory_ax.set_title("Peak memory", fontsize=11)

    first = rows[0]
    for ax in (time_ax, memory_ax):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(tokens)
        ax.set_xticklabels([f"{int(n)}\n{(labels or {}).get(int(n), '')}".rstrip() for n in tokens], fontsize=9)
        ax.minorticks_off()
        ax.set_xlabel("tokens N")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, loc="upper left")
    fig.suptitle(
        f"One attention layer (dim {first.dim}, {first.heads} head{'s' if first.heads > 1 else ''}, "
        f"batch {first.batch}): the matrix grows like N²; the time, greyed, is one run",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- attention on a digit


def token_name(index: int, cols: int) -> str:
    """``"class token"`` for token 0, else ``"patch 24 (row 3, col 3)"`` (patch numbers start at 0)."""
    if index == 0:
        return "class token"
    row, col = divmod(index - 1, cols)
    return f"patch {index - 1} (row {row}, col {col})"


def plot_attention_matrix(weights: torch.Tensor, grid: tuple[int, int], *, title: str = "") -> Figure:
    """One head's attention weights ``(N + 1, N + 1)`` as a heatmap: row = query, column = key,
    token 0 the class token, then the patches row by row. Each row sums to 1."""
    if not isinstance(weights, torch.Tensor) or weights.dim() != 2 or weights.shape[0] != weights.shape[1]:
        shape = tuple(weights.shape) if isinstance(weights, torch.Tensor) else type(weights).__name__
        raise ValueError(
            f"weights must be one head's (N + 1, N + 1) attention matrix, e.g. weights[0, head]; got {shape}"
        )
    rows, cols = _checks.to_pair("grid", grid)
    count = weights.shape[0]
    if count != rows * cols + 1:
        raise ValueError(f"a {rows}x{cols} grid has {rows * cols} patches + 1 class token, got {count} tokens")
    fig = new_figure(figsize=(6.2, 5.4))
    ax = fig.subplots()
    shown = ax.imshow(weights.detach().float().cpu().numpy(), cmap="magma", vmin=0, interpolation="nearest")
    ticks = [0, *(1 + r * cols + (cols - 1) / 2 for r in range(rows))]  # the class token, then each row's middle
    labels = ["cls", *[f"patch row {r}" for r in range(rows)]]
    ax.set_xticks(ticks, ["cls", *[f"row {r}" for r in range(rows)]], fontsize=8)  # centred under each row
    ax.set_yticks(ticks, labels, fontsize=8)
    for edge in range(0, count, cols):  # thin lines between the class token and the rows of patches
        ax.axhline(edge + 0.5, color="white", linewidth=0.3, alpha=0.5)
        ax.axvline(edge + 0.5, color="white", linewidth=0.3, alpha=0.5)
    ax.set_xlabel(f"key token (class token, then patch rows 0-{rows - 1}, {cols} patches each)")
    ax.set_ylabel("query token")
    ax.set_title(title or f"attention weights ({count} x {count}); each row sums to 1", fontsize=10)
    fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04, label="weight")
    return fig


def plot_tiny_weights(weights: torch.Tensor, marks: Sequence[tuple[int, int, int]] = ()) -> Figure:
    """Every head's attention weights ``(h, N, N)`` of a small example as annotated heatmaps, one panel per
    head: row = query, column = key, each row summing to 1. ``marks`` frames cells given as
    ``(head, query, key)``, e.g. the weights the prose reads."""
    if not isinstance(weights, torch.Tensor) or weights.dim() != 3 or weights.shape[1] != weights.shape[2]:
        shape = tuple(weights.shape) if isinstance(weights, torch.Tensor) else type(weights).__name__
        raise ValueError(f"weights must be (heads, N, N), e.g. tiny_weights[0]; got {shape}")
    heads, count = weights.shape[0], weights.shape[1]
    if count > 12:
        raise ValueError(f"each cell is written out: at most 12 tokens, got {count}")
    values = weights.detach().float().cpu().numpy()
    fig = new_figure(figsize=(3.3 * heads + 0.6, 3.4))
    axes = fig.subplots(1, heads, squeeze=False)[0]
    for head, ax in enumerate(axes):
        ax.imshow(values[head], cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
        for query in range(count):
            for key in range(count):
                value = values[head, query, key]
                ax.text(key, query, f"{value:.2f}", ha="center", va="center", fontsize=9,
                        color="white" if value > 0.6 else "black")  # fmt: skip
        ax.set_xticks(range(count), [f"k{key}" for key in range(count)], fontsize=8)
        ax.set_yticks(range(count), [f"q{query}" for query in range(count)], fontsize=8)
        ax.set_xlabel("key token")
        ax.set_title(f"head {head}: weights, each row sums to 1", fontsize=9)
    axes[0].set_ylabel("query token")
    for head, query, key in marks:
        if not (0 <= head < heads and 0 <= query < count and 0 <= key < count):
            raise ValueError(f"mark {(head, query, key)} is outside {heads} heads of {count} x {count}")
        axes[head].add_patch(Rectangle((key - 0.5, query - 0.5), 1, 1, fill=False, edgecolor="crimson", linewidth=2))
    fig.tight_layout()
    return fig


def plot_query_attention(
    image: torch.Tensor,
    scores: torch.Tensor,
    weights: torch.Tensor,
    grid: tuple[int, int],
    query: int,
    *,
    title: str = "",
    dpi: int = 100,
) -> Figure:
    """What one query token does: the image with the query's patch outlined, its attention weights
    over the patches laid on the image, and its scores before the softmax on the patch grid.

    ``image`` is ``(C, H, W)``; ``scores`` and ``weights`` are the query's rows, ``(N + 1,)``
    (token 0 the class token, whose score and weight are written in the titles); ``query`` is a
    token index (0 = class token).
    """
    image = as_image(image)
    rows, cols = _checks.to_pair("grid", grid)
    _check_query_rows(scores, weights, rows * cols, query)
    _, height, width = image.shape
    scores, weights = scores.detach().float().cpu(), weights.detach().float().cpu()
    cmap = "gray" if image.shape[0] == 1 else None

    fig = new_figure(figsize=(9.6, 3.6), dpi=dpi, layout="constrained")
    left, middle, right = fig.subplots(1, 3)
    for ax in (left, middle):
        ax.imshow(to_display(image), cmap=cmap, vmin=0, vmax=1, extent=(0, width, height, 0))
    overlay = middle.imshow(
        weights[1:].reshape(rows, cols).numpy(), cmap="inferno", alpha=0.7, extent=(0, width, height, 0),
        vmin=0, interpolation="nearest",
    )  # fmt: skip
    fig.colorbar(overlay, ax=middle, fraction=0.046, pad=0.04, label="weight")
    limit = max(float(scores[1:].abs().max()), 1e-6)  # diverging colours centred on 0: white is a score of 0
    shown = right.imshow(
        scores[1:].reshape(rows, cols).numpy(), cmap="coolwarm", vmin=-limit, vmax=limit, interpolation="nearest"
    )
    fig.colorbar(shown, ax=right, fraction=0.046, pad=0.04, label="score")
    if query:
        _outline_query(query, (rows, cols), (height / rows, width / cols), pixels=(left, middle), grid_ax=right)
    _mark_top_key(int(weights[1:].argmax()), (rows, cols), (height / rows, width / cols), middle, right)
    for ax in (left, middle, right):
        ax.set_xticks([])
        ax.set_yticks([])
    left.set_title(f"query: {token_name(query, cols)}", fontsize=9)
    middle.set_title(f"attention weights over the patches\n(class token: {weights[0]:.2f})", fontsize=9)
    right.set_title(f"scores before the softmax\n(class token: {scores[0]:.1f})", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def _check_query_rows(scores: torch.Tensor, weights: torch.Tensor, patches: int, query: int) -> None:
    """``scores`` and ``weights`` must be one query's row ``(patches + 1,)``; ``query`` a token index."""
    for name, row in (("scores", scores), ("weights", weights)):
        if not isinstance(row, torch.Tensor) or tuple(row.shape) != (patches + 1,):
            shape = tuple(row.shape) if isinstance(row, torch.Tensor) else type(row).__name__
            raise ValueError(f"{name} must be one query's row, shape ({patches + 1},), got {shape}")
    if isinstance(query, bool) or not isinstance(query, int) or not 0 <= query <= patches:
        raise ValueError(f"query must be a token index from 0 (class token) to {patches}, got {query!r}")


def _outline_query(query: int, grid: tuple[int, int], patch: tuple[float, float], *, pixels, grid_ax) -> None:
    """Outline the query's patch: in pixel units on the ``pixels`` axes, in grid cells on ``grid_ax``."""
    row, col = divmod(query - 1, grid[1])
    ph, pw = patch
    boxes = [(ax, (col * pw, row * ph, pw, ph)) for ax in pixels] + [(grid_ax, (col - 0.5, row - 0.5, 1, 1))]
    for ax, (x0, y0, size_x, size_y) in boxes:
        ax.add_patch(Rectangle((x0, y0), size_x, size_y, fill=False, edgecolor="cyan", linewidth=2))
        ax.text(x0 + size_x / 2, y0 - 0.15 * size_y, "query position", ha="center", va="bottom", fontsize=7,
                color="cyan", bbox={"facecolor": "black", "alpha": 0.6, "pad": 1, "lw": 0})  # fmt: skip


def _mark_top_key(patch_index: int, grid: tuple[int, int], patch: tuple[float, float], pixel_ax, grid_ax) -> None:
    """Mark the patch that gets the query's largest weight (``patch_index`` counts patches, no class token)."""
    row, col = divmod(patch_index, grid[1])
    ph, pw = patch
    for ax, (x, y, below) in ((pixel_ax, ((col + 0.5) * pw, (row + 0.5) * ph, ph)), (grid_ax, (col, row, 1.0))):
        ax.plot(x, y, marker="*", markersize=11, color="lime", markeredgecolor="black", linestyle="none")
        ax.text(x, y + 0.55 * below, "top key", ha="center", va="top", fontsize=7, color="lime",
                bbox={"facecolor": "black", "alpha": 0.6, "pad": 1, "lw": 0})  # fmt: skip


@dataclass(frozen=True)
class HeadPick:
    """One block of the MNIST ViT on one digit, with the head and the query picked by two stated rules.

    ``scores`` and ``weights`` are ``(heads, 50, 50)`` (token 0 the class token); ``ink`` ``(49,)`` marks
    the patches on the stroke; ``ink_by_head`` ``(heads,)`` is a query's mean weight on them per head.
    """

    block: int
    ink: torch.Tensor
    ink_by_head: torch.Tensor
    head: int
    query: int
    scores: torch.Tensor
    weights: torch.Tensor
    two_heaviest: float
    row_on_ink: float
    chance_on_ink: float

    def report(self) -> str:
        """Three printed lines: the head rule, the two heaviest keys, the query's weight on the ink."""
        shares = ", ".join(f"{w:.0%}" for w in self.ink_by_head.tolist())
        return (
            f"block {self.block}, weight on the ink per head: {shares} -> head {self.head}\n"
            f"the two most-attended keys take {self.two_heaviest:.0%} of a query's weight on average\n"
            f"query {token_name(self.query, 7)}: {self.row_on_ink:.0%} of its weight on the {int(self.ink.sum())} "
            f"ink patches; uniform weights would put {self.chance_on_ink:.0%} there"
        )

    def query_split(self) -> tuple[torch.Tensor, float, float, int]:
        """The picked head's queries split by where they sit: each of the 50 queries' weight on the ink ``(50,)``,
        the mean over the ink patches' queries, over the other patches' queries, and the picked query's rank (1 =
        the most on the ink)."""
        on_ink = self.weights[self.head][:, 1:][:, self.ink].sum(-1)
        rank = int((on_ink > on_ink[self.query]).sum()) + 1
        return on_ink, on_ink[1:][self.ink].mean().item(), on_ink[1:][~self.ink].mean().item(), rank

    def split_report(self) -> str:
        """One printed line: the ink queries' and the other queries' weight on the ink, and the query's rank."""
        on_ink, on_stroke, off_stroke, rank = self.query_split()
        return (f"head {self.head}: ink queries {on_stroke:.0%} on the ink, the other patches' queries "
                f"{off_stroke:.0%}; the shown query ranks {rank} of {len(on_ink)}")  # fmt: skip


def pick_head_and_query(model: torch.nn.Module, image: torch.Tensor, *, block: int, ink: float = 0.1) -> HeadPick:
    """Lesson 03's section 0 on one MNIST digit ``(1, 28, 28)``: in ``block``, the head whose queries put the
    most weight on the ink (a 4 x 4 patch is ink when its mean pixel exceeds ``ink``), and as the query
    the key that head's queries weigh most on average."""
    from ..widgets.lesson03 import queries_and_keys

    q, k = queries_and_keys(model, image)[block]  # (heads, 50, d) each
    is_ink = image[0].reshape(7, 4, 7, 4).mean(dim=(1, 3)).flatten() > ink  # (49,): the patches on the stroke
    scores = q @ k.transpose(-2, -1) * model.blocks[block].attn.scale  # (heads, 50, 50)
    weights = scores.softmax(dim=-1)
    ink_by_head = weights[:, :, 1:][:, :, is_ink].sum(dim=-1).mean(dim=-1)  # a query's mean weight on the ink
    head = int(ink_by_head.argmax())  # rule 1: the most stroke-bound head
    column_mean = weights[head].mean(dim=0)  # the average weight each key receives
    query = int(column_mean.argmax())  # rule 2: the key that receives the most weight, read as a query
    return HeadPick(
        block=block, ink=is_ink, ink_by_head=ink_by_head, head=head, query=query, scores=scores, weights=weights,
        two_heaviest=column_mean.topk(2).values.sum().item(),
        row_on_ink=weights[head, query, 1:][is_ink].sum().item(),
        chance_on_ink=int(is_ink.sum()) / weights.shape[-1],
    )  # fmt: skip


_HEAD_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")
_COLOUR_NAMES = ("blue", "orange", "green", "red", "purple", "brown")


def _check_head_split(tokens: torch.Tensor, w_q: torch.Tensor, heads: int, dense_w_q: torch.Tensor | None) -> None:
    if tokens.dim() != 2 or w_q.dim() != 2 or w_q.shape[0] != w_q.shape[1] or tokens.shape[1] != w_q.shape[1]:
        raise ValueError(
            f"tokens must be (N, D) and w_q (D, D) with the same D, got {tuple(tokens.shape)} and {tuple(w_q.shape)}"
        )
    if dense_w_q is not None and tuple(dense_w_q.shape) != tuple(w_q.shape):
        raise ValueError(f"dense_w_q must have w_q's shape {tuple(w_q.shape)}, got {tuple(dense_w_q.shape)}")
    dim = w_q.shape[1]
    if dim % heads or heads > len(_HEAD_COLOURS):
        raise ValueError(f"heads must divide D = {dim} and be at most {len(_HEAD_COLOURS)}, got {heads}")


def _frame_heads(ax, values: torch.Tensor, heads: int, head_dim: int, title: str) -> None:
    for head in range(heads):
        ax.add_patch(
            Rectangle(
                (head * head_dim - 0.45, -0.45),
                head_dim - 0.1,
                values.shape[0] - 0.1,
                fill=False,
                edgecolor=_HEAD_COLOURS[head],
                lw=3,
            )
        )
    ax.set_title(
        f"{title}\nframed: " + ", ".join(f"head {head} {_COLOUR_NAMES[head]}" for head in range(heads)), fontsize=10
    )


def plot_head_split(
    tokens: torch.Tensor, w_q: torch.Tensor, heads: int, dense_w_q: torch.Tensor | None = None
) -> Figure:
    """How a layer splits into heads, on numbers you can read: the tokens ``x`` ``(N, D)``, the query
    weight read as ``W_q^T`` ``(D in, D out)`` (``w_q`` as ``nn.Linear`` stores it, ``(D out, D in)``),
    and the queries ``q = x W_q^T`` ``(N, D)``. The output columns are framed head by head: only the
    output is cut into ``d = D / heads`` slices. A toy ``w_q`` (a permutation) picks one input
    feature per column; ``dense_w_q`` (same shape), drawn as a fourth panel, shows a typical weight
    whose every column reads every input feature. Keys and values are split the same way."""
    tokens, w_q = torch.as_tensor(tokens).detach().float(), torch.as_tensor(w_q).detach().float()
    dense = None if dense_w_q is None else torch.as_tensor(dense_w_q).detach().float()
    heads = _checks.positive_int("heads", heads)
    _check_head_split(tokens, w_q, heads, dense)
    head_dim = w_q.shape[1] // heads
    panels = [
        (tokens, "tokens x  (N, D)", "feature", "token", False),
        (w_q.T, "W_q^T, the toy  (D in, D out)", "output feature", "input feature", True),
        (tokens @ w_q.T, "q = x W_q^T  (N, D)", "output feature", "token", True),
    ]
    if dense is not None:
        panels.append((dense.T, "a random W_q^T  (D in, D out)", "output feature", "input feature", True))
    fig = new_figure(figsize=(3.7 * len(panels), 4.9), layout="constrained")
    axes = fig.subplots(1, len(panels))
    for ax, (values, title, xlabel, ylabel, framed) in zip(axes, panels, strict=True):
        limit = float(values.abs().max()) or 1.0
        # pale, so the numbers stay readable; pink-green (PiYG) has no blue or orange to clash with the frames
        ax.imshow(values.numpy(), cmap="PiYG", vmin=-2 * limit, vmax=2 * limit)
        for (row, col), value in np.ndenumerate(values.numpy()):
            ax.text(col, row, f"{value:.2g}", ha="center", va="center", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_xticks(range(values.shape[1]))
        ax.set_yticks(range(values.shape[0]))
        if framed:
            _frame_heads(ax, values, heads, head_dim, title)
    axes[1].set_xlabel("output feature\n\na column may read any of the D rows;\nthis toy one picks a single row")
    axes[2].set_xlabel(
        f"output feature\n\nonly the output is split: head i gets\ncolumns i·d to (i+1)·d - 1 (d = {head_dim})"
    )
    if dense is not None:
        axes[3].set_xlabel(
            "output feature\n\nrandom or trained: every column\nreads all D input features (green +, pink -)"
        )
    return fig


_ROLE_COLOURS = {"q": "#1f77b4", "k": "#ff7f0e", "v": "#2ca02c"}


def fused_layout(order: str, heads: int) -> list[tuple[str, int]]:
    """The fused qkv weight's row blocks (``d`` rows each), top to bottom, as ``(role, head)``:
    ``order="three h d"`` (timm, this package, ``nn.MultiheadAttention``: all queries, then all keys,
    then all values) or ``"h three d"`` (GPT-NeoX in ``transformers`` 5.23: per head its query, key and value)."""
    heads = _checks.positive_int("heads", heads)
    if order == "three h d":
        return [(role, head) for role in "qkv" for head in range(heads)]
    if order == "h three d":
        return [(role, head) for head in range(heads) for role in "qkv"]
    raise ValueError(f'order must be "three h d" or "h three d", got {order!r}')


def which_blocks(read_queries: torch.Tensor, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> list[str]:
    """For each head of ``read_queries`` ``(B, h, N, d)``, the name of the real block it equals (``"q0"``: head 0's
    query, ``"k1"``: head 1's key, ...) among ``q``, ``k``, ``v`` (each ``(B, h, N, d)``), or ``"?"`` if none
    (largest absolute difference 1e-5 or more): what a fused weight read in the wrong order hands each head as its
    query."""
    read_queries, q, k, v = (t.detach() for t in (read_queries, q, k, v))
    heads = range(q.shape[1])
    blocks = {f"{role}{head}": t[:, head] for role, t in zip("qkv", (q, k, v), strict=True) for head in heads}
    names = []
    for head in range(read_queries.shape[1]):
        close = [name for name, block in blocks.items() if float((block - read_queries[:, head]).abs().max()) < 1e-5]
        names.append(close[0] if close else "?")
    return names


def plot_fused_layouts(heads: int = 4) -> Figure:
    """Two strips of the fused qkv weight's ``3 h`` row blocks (``d`` rows each), one per layout:
    ``(three h d)`` and ``(h three d)``, coloured by role (q blue, k orange, v green) and labelled by
    head. The rows a ``(three h d)`` reader takes as head 0's and head 1's queries are outlined on
    both strips: on the ``(h three d)`` weight they hold a key and a value."""
    heads = _checks.positive_int("heads", heads)
    if heads < 2 or heads > 6:
        raise ValueError(f"heads must be 2 to 6 (a strip of 3 * heads blocks stays readable), got {heads}")
    fig = new_figure(figsize=(1.0 * 3 * heads + 1.5, 2.9), layout="constrained")
    axes = fig.subplots(2, 1)
    titles = {
        "three h d": "(three h d): timm, this package, nn.MultiheadAttention: all queries, then keys, then values",
        "h three d": "(h three d): UvA tutorial 6, GPT-NeoX (transformers 5.23): per head its query, key and value",
    }
    for ax, order in zip(axes, titles, strict=True):
        for block, (role, head) in enumerate(fused_layout(order, heads)):
            ax.add_patch(Rectangle((block, 0), 1, 1, facecolor=_ROLE_COLOURS[role], alpha=0.45, edgecolor="white"))
            ax.text(block + 0.5, 0.5, f"{role}{head}", ha="center", va="center", fontsize=10)
        for block in range(2):  # what a (three h d) reader calls the queries of heads 0 and 1
            ax.add_patch(Rectangle((block, 0), 1, 1, fill=False, edgecolor="black", lw=2.5))
        ax.set_xlim(0, 3 * heads)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.set_xticks([block + 0.5 for block in range(3 * heads)])
        ax.set_xticklabels(["0", "d"] + [f"{block}d" for block in range(2, 3 * heads)], fontsize=7)
        ax.set_title(titles[order], fontsize=9.5, loc="left")
    axes[1].set_xlabel(
        "row offset of each d-row block (the fused weight has 3 h d rows); outlined: the rows a (three h d) "
        "reader takes as q0 and q1"
    )
    return fig


def attention_flow_steps(batch: int, num_tokens: int, dim: int, heads: int) -> list[tuple[str, str, tuple[int, ...]]]:
    """The steps of one attention layer as ``(operation, axes, shape)``, from ``x`` to ``proj``'s output."""
    batch, num_tokens = _checks.positive_int("batch", batch), _checks.positive_int("num_tokens", num_tokens)
    head_dim = _checks.divisible_by_heads(dim, heads)
    per_head, matrix = (batch, heads, num_tokens, head_dim), (batch, heads, num_tokens, num_tokens)
    return [
        ("tokens x", "(B, N, D)", (batch, num_tokens, dim)),
        ("qkv Linear: D -> 3D", "(B, N, 3D)", (batch, num_tokens, 3 * dim)),
        ("reshape + permute", "(3, B, h, N, d)", (3, *per_head)),
        ("q, k, v", "(B, h, N, d) each", per_head),
        ("scores = q k^T / sqrt(d)", "(B, h, N, N)", matrix),
        ("softmax over the keys (last axis)", "(B, h, N, N)", matrix),
        ("weights @ v", "(B, h, N, d)", per_head),
        ("merge heads: transpose + reshape", "(B, N, h·d)", (batch, num_tokens, dim)),
        ("proj Linear: D -> D", "(B, N, D)", (batch, num_tokens, dim)),
    ]


def plot_attention_flow(batch: int, num_tokens: int, dim: int, heads: int) -> Figure:
    """One attention layer as a flow of boxes, top to bottom, each with its operation, axes and shape
    (:func:`attention_flow_steps`); q, k and v branch off, the scores take q and k, the weighted sum v."""
    steps = attention_flow_steps(batch, num_tokens, dim, heads)
    fig = new_figure(figsize=(8.2, 7.6))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.5, len(steps) + 1.2)
    ax.axis("off")
    style = {"ha": "center", "va": "center", "fontsize": 10}
    colours = {"linear": "#fde2c8", "shape": "#e8e8e8", "attend": "#cfe3f5"}
    kinds = ["shape", "linear", "shape", "shape", "attend", "attend", "attend", "shape", "linear"]
    centres = {}
    y = len(steps)
    for index, ((operation, axes, shape), kind) in enumerate(zip(steps, kinds, strict=True)):
        if index == 3:  # q, k and v side by side
            for name, x in (("q", 2.6), ("k", 5.0), ("v", 7.4)):
                ax.text(x, y, f"{name}\n{axes.replace(' each', '')}\n{shape}", bbox=_box(colours[kind]), **style)
                centres[name] = (x, y)
        else:
            ax.text(5.0, y, f"{operation}\n{axes} = {shape}", bbox=_box(colours[kind]), **style)
            centres[index] = (5.0, y)
        y -= 1
    arrows = [(0, 1), (1, 2), (2, "q"), (2, "k"), (2, "v"), ("k", 4), (4, 5), (5, 6), (6, 7), (7, 8)]
    for start, end in arrows:
        (x0, y0), (x1, y1) = centres[start], centres[end]
        top = 0.47 if end in ("q", "k", "v") else 0.32  # q, k and v have three lines: a taller box
        ax.annotate("", xy=(x1, y1 + top), xytext=(x0, y0 - 0.32), arrowprops={"arrowstyle": "->", "lw": 1.2})
    (xq, yq), (_, y_scores) = centres["q"], centres[4]
    ax.annotate("", xy=(3.9, y_scores + 0.3), xytext=(xq, yq - 0.4), arrowprops={"arrowstyle": "->", "lw": 1.2})
    (xv, yv), (_, y_sum) = centres["v"], centres[6]  # v bypasses the scores and the softmax, on the right
    ax.annotate(
        "",
        xy=(6.3, y_sum),
        xytext=(xv, yv - 0.4),
        arrowprops={"arrowstyle": "->", "lw": 1.2, "connectionstyle": "angle,angleA=-90,angleB=180,rad=0"},
    )
    ax.text(
        5.0,
        len(steps) + 0.85,
        f"one attention layer, B = {batch}, N = {num_tokens}, D = {dim}, h = {heads}, d = D / h = {dim // heads}",
        ha="center",
        va="center",
        fontsize=11,
        weight="bold",
    )
    ax.text(0.2, -0.2, "orange: learned Linears   grey: shapes only   blue: attention", fontsize=9, va="center")
    return fig


def _box(colour: str) -> dict:
    return {"boxstyle": "round,pad=0.35", "facecolor": colour, "edgecolor": "#555555"}


def plot_batch_first_bug(batch: int = 2, num_tokens: int = 6) -> Figure:
    """Who attends to whom: tokens drawn as a ``batch x num_tokens`` grid (rows: images). Left, the
    right layout: each image is one sequence (a frame per row). Right, ``(B, N, D)`` given to a
    ``batch_first=False`` module: it reads N sequences of B tokens (a frame per column), so each
    token attends only to the tokens at its position in the other images."""
    batch, num_tokens = _checks.positive_int("batch", batch), _checks.positive_int("num_tokens", num_tokens)
    fig = new_figure(figsize=(11, 1.2 + 0.9 * batch), layout="constrained")
    left, right = fig.subplots(1, 2)
    titles = (
        f"batch_first=True: {batch} sequences of {num_tokens} tokens",
        f"batch_first=False on (B, N, D): {num_tokens} sequences of {batch} tokens",
    )
    for ax, title, by_row in ((left, titles[0], True), (right, titles[1], False)):
        cols, rows = np.meshgrid(np.arange(num_tokens), np.arange(batch))
        ax.scatter(cols.ravel(), rows.ravel(), s=160, c=[_HEAD_COLOURS[r % len(_HEAD_COLOURS)] for r in rows.ravel()])
        groups = range(batch) if by_row else range(num_tokens)
        for group in groups:
            xy, width, height = (
                ((-0.4, group - 0.35), num_tokens - 0.2, 0.7) if by_row else ((group - 0.35, -0.4), 0.7, batch - 0.2)
            )
            ax.add_patch(Rectangle(xy, width, height, fill=False, edgecolor="black", lw=1.5, ls="--"))
        ax.set_xlim(-0.7, num_tokens - 0.3)
        ax.set_ylim(batch - 0.3, -0.7)
        ax.set_xticks(range(num_tokens))
        ax.set_yticks(range(batch), [f"image {row}" for row in range(batch)])
        ax.set_xlabel("token position")
        ax.set_title(title + "\n(a dashed frame: tokens that attend to each other)", fontsize=10)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig


def plot_permutation(order: Sequence[int] = (2, 0, 3, 1)) -> Figure:
    """Permutation equivariance as a picture: tokens ``t0 .. t{n-1}`` through attention give outputs
    ``o0 ..`` (top); the same tokens shuffled by ``order`` give the same outputs, shuffled the same way
    (bottom). Each token and its output share a colour."""
    order = [int(i) for i in order]
    if sorted(order) != list(range(len(order))) or len(order) < 2:
        raise ValueError(f"order must be a permutation of 0 .. n-1 with n >= 2, got {order}")
    n = len(order)
    fig = new_figure(figsize=(1.3 * n + 3.2, 2.6), layout="constrained")
    ax = fig.subplots()
    for row, (tokens, title) in enumerate(((list(range(n)), "in order"), (order, "shuffled"))):
        y = 1 - row
        ax.text(-0.9, y, title, ha="right", va="center", fontsize=10)
        for slot, token in enumerate(tokens):
            colour = _HEAD_COLOURS[token % len(_HEAD_COLOURS)]
            ax.text(slot, y, f"t{token}", ha="center", va="center", bbox=_box(colour), fontsize=10)
            ax.text(slot + n + 2, y, f"o{token}", ha="center", va="center", bbox=_box(colour), fontsize=10)
        ax.annotate(
            "", xy=(n + 1.3, y), xytext=(n - 0.3, y), arrowprops={"arrowstyle": "->", "lw": 1.5, "color": "#333333"}
        )
        ax.text(n + 0.5, y + 0.22, "attention", ha="center", fontsize=9)
    ax.set_xlim(-2.6, 2 * n + 1.6)
    ax.set_ylim(-0.6, 1.6)
    ax.text((n - 1) / 2, 1.45, "tokens", ha="center", fontsize=10)
    ax.text(n + 2 + (n - 1) / 2, 1.45, "outputs", ha="center", fontsize=10)
    ax.axis("off")
    ax.set_title("Shuffle the tokens and the outputs are shuffled the same way", fontsize=11)
    return fig


#: the mask-polarity picture's rows: (label, True means "may attend"?, the mask inverted with ``~``?)
MASK_ROWS = (
    ("SDPA, attn_mask=keep", True, False),
    ("nn.MultiheadAttention,\nkey_padding_mask=keep", False, False),
    ("nn.MultiheadAttention,\nkey_padding_mask=~keep", False, True),
)


def mask_meanings(keep: Sequence[bool]) -> dict[str, list[bool]]:
    """Per row of :data:`MASK_ROWS`, which keys a query may attend to when ``keep`` (``True``: a real key) is
    passed as that row says: SDPA reads ``True`` as "may attend", ``nn.MultiheadAttention`` as "blocked"."""
    keep = [bool(k) for k in keep]
    if not keep:
        raise ValueError("keep must name at least one key")
    rows = {}
    for label, true_attends, inverted in MASK_ROWS:
        mask = [not k for k in keep] if inverted else keep
        rows[label] = [m == true_attends for m in mask]
    return rows


def plot_mask_polarity(keep: Sequence[bool] = (True, True, False, True, True)) -> Figure:
    """The same booleans, opposite meanings: one row per :data:`MASK_ROWS` entry, one cell per key, each cell
    showing the value passed (``True``/``False``) and coloured by what the API does with it (green: the query may
    attend; red: blocked). The middle row is SDPA's mask moved to ``nn.MultiheadAttention`` without ``~``."""
    meanings = mask_meanings(keep)
    keep = [bool(k) for k in keep]
    fig = new_figure(figsize=(1.0 * len(keep) + 3.6, 2.6), layout="constrained")
    ax = fig.subplots()
    for row, (label, _, inverted) in enumerate(MASK_ROWS):
        passed = [not k for k in keep] if inverted else keep
        for key, (value, attends) in enumerate(zip(passed, meanings[label], strict=True)):
            colour = "#a6dba0" if attends else "#f4a582"
            ax.add_patch(Rectangle((key - 0.45, row - 0.4), 0.9, 0.8, facecolor=colour, edgecolor="#555555"))
            ax.text(key, row, str(value), ha="center", va="center", fontsize=9)
        ax.text(-0.7, row, label, ha="right", va="center", fontsize=9)
    ax.set_xlim(-0.6, len(keep) - 0.4)
    ax.set_ylim(len(MASK_ROWS) - 0.5, -0.5)
    ax.set_xticks(range(len(keep)), [f"key {key}" + ("\n(padding)" if not k else "") for key, k in enumerate(keep)])
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title("The same booleans, opposite meanings (green: may attend, red: blocked)", fontsize=10)
    return fig


def plot_cost_growth(
    num_tokens: Sequence[int] = (197, 784, 1536, 3136),
    layers: Sequence[tuple[str, int, int]] = (
        ("width 768, 12 heads", 768, 12),
        ("width 768, 1 head", 768, 1),
        ("width 192, 12 heads", 192, 12),
    ),
) -> Figure:
    """Two panels against the token count N (log-log), from :func:`vit_explained.cost.attention_cost`:
    the float32 memory of one image's attention matrix (``4 h N^2`` bytes: the heads, not the width) and
    the FLOPs of its two N x N products (``4 D N^2``: the width, not the heads), with the qkv and output
    projections' FLOPs (``8 N D^2``, one thin line per width) and the N where the products overtake them
    (:func:`flops_crossover`, marked where it lies in the plotted range). ``layers`` holds ``(label, D, h)``."""
    counts = [_checks.positive_int("num_tokens", n) for n in num_tokens]
    if not layers:
        raise ValueError("layers must name at least one (label, dim, heads)")
    fig = new_figure(figsize=(10, 3.6), layout="constrained")
    memory_ax, flops_ax = fig.subplots(1, 2)
    styles = ("o-", "s--", "^:")
    for index, (label, dim, heads) in enumerate(layers):
        costs = [attention_cost(n, dim, heads) for n in counts]
        style, colour = styles[index % len(styles)], _HEAD_COLOURS[index % len(_HEAD_COLOURS)]
        # the first line filled, later ones hollow and larger: a line that coincides with another stays visible
        marker = {"ms": 6 + 3 * index, "markerfacecolor": colour if index == 0 else "none", "markeredgewidth": 1.5}
        memory_ax.plot(counts, [c.matrix_bytes / 1e6 for c in costs], style, color=colour, label=label, **marker)
        flops_ax.plot(counts, [c.matmul_flops / 1e9 for c in costs], style, color=colour, label=label, **marker)
    _draw_projections(flops_ax, counts, layers)
    for ax, title, ylabel in (
        (
            memory_ax,
            "memory of the attention matrix ~ h·N²\n(where stored: explicit path)",
            "memory per image (MB, float32)",
        ),
        (flops_ax, "FLOPs: q·kᵀ and weights·v ~ D·N²; projections ~ N·D²", "GFLOP per image"),
    ):
        ax.set_ylabel(ylabel)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(counts, [str(n) for n in counts])
        ax.minorticks_off()
        ax.set_xlabel("tokens N")
        lowest = min(min(line.get_ydata()) for line in ax.get_lines())
        ax.set_ylim(bottom=10 ** math.floor(math.log10(lowest)))  # a labelled decade below the lowest point
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    _note_coinciding_memory(memory_ax, layers)
    return fig


def flops_crossover(dim: int, heads: int = 1, *, dim_in: int | None = None, limit: int = 100_000) -> int:
    """The smallest token count N at which one layer's two N x N products take at least as many FLOPs as its qkv
    and output projections (:func:`vit_explained.cost.attention_cost`, counted, not solved): ``2 D`` when
    ``dim_in == dim``."""
    for n in range(1, limit + 1):
        cost = attention_cost(n, dim, heads, dim_in=dim_in)
        if cost.matmul_flops >= cost.projection_flops:
            return n
    raise ValueError(f"the products stay below the projections up to N = {limit}")


def _draw_projections(ax: Axes, counts: Sequence[int], layers: Sequence[tuple[str, int, int]]) -> None:
    """One thin dash-dot line per width: the qkv and output projections' FLOPs; a black x where the products
    overtake them (the crossover N), labelled, when it lies within the plotted counts."""
    for dim in dict.fromkeys(dim for _, dim, _ in layers):
        index = next(i for i, (_, d, _) in enumerate(layers) if d == dim)
        colour = _HEAD_COLOURS[index % len(_HEAD_COLOURS)]
        ends = [min(counts), max(counts)]
        flops = [attention_cost(n, dim, 1).projection_flops / 1e9 for n in ends]
        ax.plot(ends, flops, "-.", color=colour, lw=1.2, label=f"qkv + proj, width {dim}")
        n_cross = flops_crossover(dim)
        if min(counts) <= n_cross <= max(counts):
            y = attention_cost(n_cross, dim, 1).projection_flops / 1e9
            ax.plot([n_cross], [y], "x", color="black", ms=9, mew=2)
            ax.annotate(f"N = {n_cross}", (n_cross, y), xytext=(6, -12), textcoords="offset points", fontsize=8)


def _note_coinciding_memory(ax: Axes, layers: Sequence[tuple[str, int, int]]) -> None:
    """Say in the memory panel which lines lie on top of each other: equal heads, different widths."""
    widths_by_heads: dict[int, list[int]] = {}
    for _, dim, heads in layers:
        widths_by_heads.setdefault(heads, []).append(dim)
    for heads, widths in widths_by_heads.items():
        if len(set(widths)) > 1:
            ax.text(0.98, 0.04, f"{heads} heads at width {' and '.join(map(str, dict.fromkeys(widths)))}: one line\n"
                    "(identical: memory does not depend on D)", transform=ax.transAxes, ha="right", va="bottom",
                    fontsize=8, bbox={"facecolor": "white", "alpha": 0.85, "lw": 0.5})  # fmt: skip


def softmax_row(head_dim: int, num_keys: int = 197, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """One softmax row without the scale: ``(weights, gradient at the scores)``, each ``(num_keys,)``.

    One query and ``num_keys`` keys of width ``head_dim`` are standard normals (spread 1, drawn from
    ``seed``); the scores are ``k q`` (no ``1/sqrt(d)``); the upstream gradient at the weights is a
    standard normal per key (drawn from ``seed``, independent of ``head_dim``), as in
    :func:`vit_explained.softmax_scale.softmax_saturation`. The gradient at the scores is
    :func:`vit_explained.softmax_scale.score_gradient`. Computed in float64.
    """
    from ..softmax_scale import score_gradient

    head_dim, num_keys = _checks.positive_int("head_dim", head_dim), _checks.positive_int("num_keys", num_keys)
    upstream = torch.randn(num_keys, generator=torch.Generator().manual_seed(seed)).double()
    generator = torch.Generator().manual_seed(seed + 1)
    query, keys = (
        torch.randn(head_dim, generator=generator).double(),
        torch.randn(num_keys, head_dim, generator=generator).double(),
    )
    weights = (keys @ query).softmax(dim=-1)
    return weights, score_gradient(weights, upstream)


@dataclass(frozen=True)
class SoftmaxRowPopulation:
    """Many unscaled softmax rows of one head width (:func:`softmax_row`, one per seed): each row's
    largest weight and the norm of its gradient at the scores, so a panel can show a row picked by
    a rule (the median gradient norm) rather than a hand-picked one."""

    head_dim: int
    seeds: tuple[int, ...]
    largest: torch.Tensor
    norms: torch.Tensor

    def _mask(self, saturated: bool | None) -> torch.Tensor:
        if saturated is None:
            return torch.ones_like(self.norms, dtype=torch.bool)
        return (self.largest > SATURATED) == saturated

    def median_norm(self, saturated: bool | None = None) -> float:
        """The median gradient norm over all rows, or over the saturated (or unsaturated) ones."""
        return float(self.norms[self._mask(saturated)].median())

    def median_seed(self, saturated: bool | None = None) -> int:
        """The seed of the row whose gradient norm is the median of that group."""
        mask = self._mask(saturated)
        group = self.norms.masked_fill(~mask, float("inf"))
        return self.seeds[int((group - self.median_norm(saturated)).abs().argmin())]

    @property
    def saturated_share(self) -> float:
        return float((self.largest > SATURATED).double().mean())


def softmax_row_population(head_dim: int, num_rows: int = 400, num_keys: int = 197) -> SoftmaxRowPopulation:
    """:func:`softmax_row` for seeds ``0 .. num_rows - 1``: the largest weight and gradient norm of each row."""
    num_rows = _checks.positive_int("num_rows", num_rows)
    rows = [softmax_row(head_dim, num_keys, seed) for seed in range(num_rows)]
    return SoftmaxRowPopulation(
        head_dim=head_dim,
        seeds=tuple(range(num_rows)),
        largest=torch.tensor([float(weights.max()) for weights, _ in rows]),
        norms=torch.tensor([float(gradient.norm()) for _, gradient in rows]),
    )


def softmax_population_lines(narrow: SoftmaxRowPopulation, wide: SoftmaxRowPopulation) -> str:
    """The median gradient norms of two populations (no scale): all of ``narrow``'s rows, ``wide``'s
    unsaturated, saturated and all rows, and the ratio unsaturated-wide / narrow."""
    count = len(narrow.seeds)
    ratio = wide.median_norm(saturated=False) / narrow.median_norm()
    return "\n".join(
        [
            f"{count} unscaled rows per width (seeds 0..{count - 1}), median gradient norm at the scores:",
            f"  d = {narrow.head_dim}, all rows ({narrow.saturated_share:.0%} saturated): {narrow.median_norm():.3f}",
            f"  d = {wide.head_dim}, unsaturated rows ({1 - wide.saturated_share:.0%}): "
            f"{wide.median_norm(saturated=False):.3f} = {ratio:.2f} times d = {narrow.head_dim}'s",
            f"  d = {wide.head_dim}, saturated rows ({wide.saturated_share:.0%}): "
            f"{wide.median_norm(saturated=True):.3f}",
            f"  d = {wide.head_dim}, all rows: {wide.median_norm():.3f}",
        ]
    )


def init_saturation_lines(inits: Sequence[str], seeds: Sequence[int] = (0, 1, 2)) -> tuple[str, dict]:
    """Saturated rows without the scale in a fresh ``Attention(768, 12)`` (ViT-B, d = 64) and
    ``Attention(768, 1)`` (one head of d = 768) on 197 LayerNormed random tokens, per ``qkv`` init
    (:func:`vit_explained.softmax_scale.init_saturation`). Returns the text and
    ``{(init, head_dim): [share per seed]}``."""
    from ..softmax_scale import init_saturation

    shares = {
        (init, 768 // heads): [init_saturation(init, heads=heads, seed=seed)["saturated"] for seed in seeds]
        for init in inits
        for heads in (12, 1)
    }
    lines = [f"saturated rows without the scale, 197 LayerNormed random tokens, seeds {min(seeds)}..{max(seeds)}:"]
    for init in inits:
        cells = [
            f"d = {d}: {sum(v) / len(v):5.1%} ({min(v):.1%}..{max(v):.1%})"
            for d, v in ((d, shares[init, d]) for d in (64, 768))
        ]
        lines.append(f"  {init:<18} ViT-B layer, {cells[0]}   one head, {cells[1]}")
    return "\n".join(lines), shares


def _zoom_tiny_gradient(grad_ax, sorted_gradient, top: float) -> None:
    """An inset on the heaviest keys when a panel's gradient is too small to see on the shared axis (below
    ``top / 20``), so "tiny" is not read as "absent"."""
    largest = float(sorted_gradient.abs().max())
    if not 0 < largest < top / 20:
        return
    shown = min(len(sorted_gradient), 20)
    inset = grad_ax.inset_axes((0.4, 0.1, 0.56, 0.66))
    inset.bar(np.arange(shown), sorted_gradient[:shown].numpy(), width=1.0, color="black")
    inset.axhline(0, color="grey", linewidth=0.6)
    inset.set_ylim(-1.2 * largest, 1.2 * largest)
    inset.set_yticks([-largest, 0, largest], [f"{-largest:.0e}", "0", f"{largest:.0e}"])
    inset.set_title(f"zoom x{top / largest:.0f}: the {shown} heaviest keys", fontsize=8)
    inset.set_xticks(range(0, shown, 5))
    inset.tick_params(labelsize=7)


def _show_heaviest(weight_ax, grad_ax, norm: float, shown_keys: int, num_keys: int) -> None:
    """Limit a :func:`plot_softmax_rows` column to its ``shown_keys`` heaviest keys and write the norm on its bars."""
    weight_ax.set_xlim(-0.5, shown_keys - 0.5)
    grad_ax.text(0.97, 0.9, f"norm {norm:.3f}", transform=grad_ax.transAxes, ha="right", va="top", fontsize=13,
                 fontweight="bold", color=_UNSCALED)  # fmt: skip
    grad_ax.set_xlabel(f"the {shown_keys} heaviest of {num_keys} keys, sorted by weight")


def plot_softmax_rows(
    head_dims: Sequence[int] = (4, 64),
    num_keys: int = 197,
    seed: int = 0,
    seeds: Sequence[int] | None = None,
    notes: Sequence[str] | None = None,
    shown_keys: int | None = None,
) -> Figure:
    """One unscaled softmax row per panel, side by side: the weights as bars (keys sorted by
    weight, largest first) and, below, the gradient that reaches each key's score for a random
    upstream gradient (:func:`softmax_row`). Titles give the largest weight and the gradient's norm.
    ``seeds`` (optional, one per panel) draws each panel's query from its own seed, so the same head
    width can appear twice (a saturated row beside a typical one); otherwise every panel uses ``seed``.
    ``notes`` (optional, one per panel) adds a second title line, e.g. which kind of row the panel shows.
    ``shown_keys`` (optional) draws only the heaviest keys (the gradient panels keep one shared scale) and
    writes the gradient's norm on its bars (the norm is still over all ``num_keys`` keys)."""
    seeds = [seed] * len(head_dims) if seeds is None else list(seeds)
    notes = [""] * len(head_dims) if notes is None else list(notes)
    if not len(seeds) == len(notes) == len(head_dims):
        raise ValueError(f"seeds and notes need one entry per panel ({len(head_dims)}), got {len(seeds)}, {len(notes)}")
    fig = new_figure(figsize=(11.5 if len(head_dims) < 3 else 13.5, 4.6))
    axes = fig.subplots(2, len(head_dims), sharex=True, squeeze=False)
    rows = [softmax_row(head_dim, num_keys, panel_seed) for head_dim, panel_seed in zip(head_dims, seeds, strict=True)]
    top = max(float(gradient.abs().max()) for _, gradient in rows)
    for column, (head_dim, (weights, gradient), note) in enumerate(zip(head_dims, rows, notes, strict=True)):
        order = weights.argsort(descending=True)
        edges = np.arange(num_keys + 1) - 0.5  # bar i spans i - 0.5 .. i + 0.5
        weight_ax, grad_ax = axes[0, column], axes[1, column]
        weight_ax.stairs(weights[order].numpy(), edges, fill=True, color=_UNSCALED)  # bars of width 1, one patch
        weight_ax.set_ylim(0, 1.1 * float(weights.max()))  # each panel on its own scale: see the largest weight
        weight_ax.set_title(
            f"d = {head_dim}, no scale: largest weight {weights.max():.2f}"
            + (" (saturated)" if weights.max() > SATURATED else "")
            + (f"\n{note}" if note else ""),
            fontsize=10 if len(head_dims) < 3 else 9,
        )
        grad_ax.stairs(gradient[order].numpy(), edges, fill=True, color="black")
        grad_ax.set_ylim(-1.1 * top, 1.1 * top)
        grad_ax.axhline(0, color="grey", linewidth=0.6)
        visible = int((gradient.abs() > 0.1 * gradient.abs().max()).sum())  # entries above a tenth of the largest
        norm = "" if shown_keys else f": norm {float(gradient.norm()):.2g}"  # with shown_keys, written on the bars
        grad_ax.set_title(
            f"gradient at the scores{norm}\n{visible} of {num_keys} entries above 1/10 of its max",
            fontsize=9,
        )
        if shown_keys:
            _show_heaviest(weight_ax, grad_ax, float(gradient.norm()), shown_keys, num_keys)
        else:
            _zoom_tiny_gradient(grad_ax, gradient[order], top)
            grad_ax.set_xlabel(f"the {num_keys} keys, sorted by weight")
    axes[0, 0].set_ylabel("softmax weight")
    axes[1, 0].set_ylabel("gradient at the score")
    widths = set(head_dims)
    spread = f"√{head_dims[0]} = {math.sqrt(head_dims[0]):g}" if len(widths) == 1 else "√d"
    fig.suptitle(
        f"One query's softmax row and what it passes back: q, k components of spread 1; scores of spread {spread}",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def plot_qkv_mapping(dim: int = 768) -> Figure:
    """The fused qkv weight ``(3 D, D)`` (timm, this package) and where its rows go: rows ``0..D-1`` to a
    separate query Linear, ``D..2D-1`` to the key Linear, ``2D..3D-1`` to the value Linear (the Hugging
    Face style), and all of them, in the same order, to ``nn.MultiheadAttention``'s ``in_proj_weight``.
    ``proj`` maps to ``out_proj`` (and to the separate style's output Linear) unchanged."""
    dim = _checks.positive_int("dim", dim)
    fig = new_figure(figsize=(10, 4.2), layout="constrained")
    ax = fig.subplots()
    ranges = [(role, i * dim, (i + 1) * dim - 1) for i, role in enumerate("qkv")]
    names = {"q": "query", "k": "key", "v": "value"}
    for column, title in (
        (0, "attn.qkv.weight\n(fused, timm / package)"),
        (4, "mha.in_proj_weight\n(nn.MultiheadAttention)"),
    ):
        for i, (role, first, last) in enumerate(ranges):
            top = 3 - i
            ax.add_patch(
                Rectangle((column, top - 1), 1.6, 1, facecolor=_ROLE_COLOURS[role], alpha=0.45, edgecolor="white", lw=2)
            )
            ax.text(column + 0.8, top - 0.5, f"{role}: rows {first}-{last}", ha="center", va="center", fontsize=9)
        ax.text(column + 0.8, 3.15, title, ha="center", va="bottom", fontsize=9.5)
    for i, (role, _, _) in enumerate(ranges):  # the separate Linears, stacked in the middle
        top = 3 - i
        ax.add_patch(
            Rectangle((2.2, top - 0.9), 1.2, 0.8, facecolor=_ROLE_COLOURS[role], alpha=0.45, edgecolor="black")
        )
        ax.text(2.8, top - 0.5, f"{names[role]} (4.x)\n{role}_proj (5.23)\n.weight ({dim}, {dim})", ha="center",
                va="center", fontsize=8)  # fmt: skip
        ax.annotate("", xy=(2.2, top - 0.5), xytext=(1.6, top - 0.5), arrowprops={"arrowstyle": "->", "lw": 1.5})
        ax.annotate("", xy=(4.0, top - 0.5), xytext=(3.4, top - 0.5), arrowprops={"arrowstyle": "->", "lw": 1.5,
                                                                               "color": "0.5", "ls": "--"})  # fmt: skip
    ax.text(2.8, 3.15, "three Linears (separate,\nHugging Face transformers)", ha="center", va="bottom",
            fontsize=9.5)  # fmt: skip
    ax.text(2.8, -0.6, f"slice rows [i·{dim}, (i+1)·{dim}): q, k, v in that order; weights and biases alike",
            ha="center", va="top", fontsize=8.5)  # fmt: skip
    ax.text(0.8, -0.1, f"({3 * dim}, {dim})", ha="center", va="top", fontsize=8.5)
    ax.text(4.8, -0.1, f"({3 * dim}, {dim}), the same rows", ha="center", va="top", fontsize=8.5)
    ax.text(5.9, 1.5, "attn.proj\n= out_proj\n(unchanged)", ha="left", va="center", fontsize=8.5, color="0.3")
    ax.set_xlim(-0.2, 6.8)
    ax.set_ylim(-0.9, 4.0)
    ax.axis("off")
    return fig


def head_shades(heads: int) -> list[tuple[float, float, float, float]]:
    """``heads`` distinct colours, one per head (no colour repeats, so 12 heads never read as 6 x 2)."""
    import matplotlib

    if heads <= 10:
        return [matplotlib.colormaps["tab10"](h) for h in range(heads)]
    cmap = matplotlib.colormaps["viridis"]
    return [cmap(h / (heads - 1)) for h in range(heads)]  # an even ramp: neighbours differ, none repeats


def _draw_head_strip(strip: Axes, heads: int) -> None:
    """The strip of the heads explorer: one slice per head, each its own shade, numbered while they fit."""
    for h, colour in enumerate(head_shades(heads)):
        strip.add_patch(Rectangle((h / heads, 0), 1 / heads, 1, facecolor=colour, edgecolor="white", lw=0.5))
        if heads <= 24:
            ink = "black" if 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2] > 0.5 else "white"
            strip.text((h + 0.5) / heads, 0.5, str(h), ha="center", va="center", fontsize=7, color=ink)


#: head counts the heads explorer offers: every h that divides ViT-B's D = 768 into whole heads, up to 64
HEAD_COUNTS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)


def plot_heads_cost(dim: int, heads: int, num_tokens: int, head_counts: Sequence[int] = HEAD_COUNTS) -> Figure:
    """Lesson 03's heads explorer: the width ``D`` cut into ``h`` slices of ``d = D / h`` (top), and against
    the head count, the float32 memory of one image's attention matrix (``4 h N^2`` bytes, grows with h)
    and the FLOPs of its two ``N x N`` products (``4 D N^2``, flat); the chosen ``h`` is marked."""
    counts = [_checks.positive_int("head_counts", h) for h in head_counts]
    if heads not in counts:
        raise ValueError(f"heads must be one of {counts}, got {heads}")
    cost = attention_cost(num_tokens, dim, heads)  # checks that heads divides dim
    costs = [attention_cost(num_tokens, dim, h) for h in counts]
    fig = new_figure(figsize=(9, 3.6), layout="constrained")
    strip, memory_ax, flops_ax = fig.subplot_mosaic(
        [["strip", "strip"], ["memory", "flops"]], height_ratios=[1, 4]
    ).values()
    _draw_head_strip(strip, heads)
    strip.set_xlim(0, 1)
    strip.set_ylim(0, 1)
    strip.set_xticks([])
    strip.set_yticks([])
    strip.set_title(f"D = {dim} features cut into h = {heads} heads of d = {dim // heads}", fontsize=10)
    for ax, values, title, ylabel in (
        (
            memory_ax,
            [c.matrix_bytes / 1e6 for c in costs],
            f"attention matrix ~ h·N² (N = {num_tokens})",
            "MB per image",
        ),
        (flops_ax, [c.matmul_flops / 1e9 for c in costs], "FLOPs of q·kᵀ and weights·v ~ D·N²", "GFLOP per image"),
    ):  # x is h itself (a linear axis), so memory that grows like h reads as a straight line
        ax.plot(counts, values, color="0.55", marker="o", markersize=3.5, linewidth=1)
        ax.plot([heads], [values[counts.index(heads)]], color="#d62728", marker="o", markersize=8, linestyle="none")
        ax.set_xlim(0, max(counts) * 1.04)
        ax.set_xlabel("heads h")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        ax.set_ylim(0, max(values) * 1.15)
        ax.grid(alpha=0.3)
    memory_ax.annotate(
        f"{cost.matrix_bytes / 1e6:.1f}",
        (heads, cost.matrix_bytes / 1e6),
        xytext=(0, 7),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=8,
    )
    return fig


def plot_scale_training(stored: Mapping, key: str = "val_loss") -> Figure:
    """The stored training run of ``benchmarks/bench_lesson03_scale.py``
    (:func:`vit_explained.softmax_scale.stored_scale_training`): ``key`` per epoch on the validation split, one
    panel per head width, scaled (blue) and unscaled (red), one thin line per seed."""
    from ..softmax_scale import scale_training_runs

    widths = sorted({r["head_dim"] for r in stored["runs"]})
    fig = new_figure(figsize=(4 * len(widths), 3.0))
    axes = np.atleast_1d(fig.subplots(1, len(widths), sharey=True))
    label = {"val_loss": "validation loss", "val_accuracy": "validation accuracy"}.get(key, key)
    for ax, d in zip(axes, widths, strict=True):
        for arm, colour in (("scaled", _SCALED), ("unscaled", _UNSCALED)):
            for seed, curve in enumerate(scale_training_runs(stored, d, arm, key)):
                name = "scale 1/√d" if arm == "scaled" else "no scale"
                epochs = np.arange(1, len(curve) + 1)
                ax.plot(epochs, curve, color=colour, linewidth=1, alpha=0.8, label=name if seed == 0 else None)
        seeds = len(scale_training_runs(stored, d, "scaled", key))
        heads = stored["dim"] // d
        ax.set_title(f"d = {d} ({heads} head{'s' if heads > 1 else ''}), {seeds} seeds", fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(label)
    axes[0].legend(fontsize=8)
    if key == "val_loss":
        axes[0].set_yscale("log")
        axes[0].set_yticks([0.2, 0.3, 0.5, 1, 2], ["0.2", "0.3", "0.5", "1", "2"])
        axes[0].minorticks_off()
    fig.suptitle(f"Training the {stored['recipe']} recipe with and without the scale")
    fig.tight_layout()
    return fig


def _stacked_offsets(values: np.ndarray, *, spread: float = 0.12) -> np.ndarray:
    """A y offset per value for a dot strip: 0 for a dot alone; a run of dots closer in x than 2 % of the drawn span
    (0 included, as the dashed line is) is spread evenly over ``[-spread, spread]``, so tied seeds stay apart."""
    offsets = np.zeros(len(values))
    if len(values) < 2:
        return offsets
    span = max(values.max(), 0.0) - min(values.min(), 0.0)
    close = 0.02 * span if span > 0 else 1.0
    order = np.argsort(values, kind="stable")
    for run in np.split(order, np.flatnonzero(np.diff(values[order]) >= close) + 1):  # runs of close dots
        if len(run) > 1:
            offsets[run] = np.linspace(-spread, spread, len(run))
    return offsets


def plot_paired_differences(comparisons: Mapping[str, object], *, unit: str = "points", scale: float = 100.0) -> Figure:
    """Paired differences seed by seed: one row per comparison (a label and a
    :class:`vit_explained.evidence.SeedComparison`), one dot per seed (``a - b`` times ``scale``), the mean as a
    bar and its Student's t 95 % interval as a line; a dashed line at 0 (no difference). Dots that would overlap
    (tied or nearly tied seeds) are stacked in y, so each seed shows as its own dot."""
    if not comparisons:
        raise ValueError("give at least one comparison")
    fig = new_figure(figsize=(6.4, 1.4 + 0.8 * len(comparisons)))
    ax = fig.subplots()
    for row, comparison in enumerate(comparisons.values()):
        values = np.asarray(comparison.difference.values, dtype=float) * scale
        t = comparison.t_interval()
        ys = row + _stacked_offsets(values)
        ax.plot(values, ys, "o", color="tab:blue", alpha=0.7, markersize=5)
        ax.plot([t.low * scale, t.high * scale], [row - 0.3, row - 0.3], color="black", linewidth=2)
        ax.plot([t.estimate * scale] * 2, [row - 0.4, row - 0.2], color="black", linewidth=2)
        ax.text(t.estimate * scale, row - 0.45, f"mean {t.estimate * scale:+.1f}, 95 % t [{t.low * scale:+.1f}, "
                f"{t.high * scale:+.1f}]", ha="center", va="bottom", fontsize=8)  # fmt: skip
    ax.axvline(0, color="0.4", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(comparisons)), list(comparisons))
    ax.set_ylim(len(comparisons) - 0.5, -0.9)
    ax.set_xlabel(f"difference in {unit}, one dot per seed; bar: mean, 95 % interval", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def _copy_task_baseline(ax, runs: list, tokens: int) -> None:
    """The stored measure, the mean weight on the marked key, at step 0 and trained, one pair of bars per seed,
    with uniform attention's 1/N dashed: the baseline the trained matrices are read against."""
    positions = np.arange(len(runs))
    for offset, key, colour, label in ((-0.2, "mass_on_marked_init", "0.6", "step 0"),
                                       (0.2, "mass_on_marked", "tab:cyan", "trained")):  # fmt: skip
        ax.bar(positions + offset, [run[key] for run in runs], width=0.4, color=colour, label=label)
    ax.axhline(1 / tokens, color="black", linestyle="--", linewidth=1)
    ax.text(len(runs) - 0.5, 1 / tokens + 0.03, f"uniform: 1/{tokens}", ha="right", fontsize=7)
    ax.set_xticks(positions, [str(run["seed"]) for run in runs], fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel("seed", fontsize=8)
    ax.set_ylabel("mean weight on the marked key", fontsize=8)
    ax.set_title("step 0 and trained\n(2000 new sequences)", fontsize=9)
    ax.legend(fontsize=7, loc="center left", frameon=False)


def plot_copy_task(stored: Mapping) -> Figure:
    """``softmax_scale.stored_copy_task()`` drawn. Left, the baseline: each seed's mean weight on the marked key at
    step 0 (about uniform's 1/N) and trained (both stored). Then each seed's trained attention matrix for one
    held-out sequence (rows queries, columns keys). Each of these panels outlines its own sequence's marked key, the
    column that must get more weight than any other; training pushes it to nearly all. The seeds' test sequences
    differ, so each panel has its own outline. Only stored numbers are drawn: no attention matrix at step 0."""
    runs = sorted(stored["runs"], key=lambda r: r["seed"])
    if not runs:
        raise ValueError("stored has no runs")
    tokens = int(stored["tokens"])
    fig = new_figure(figsize=(2.6 * len(runs) + 3.2, 3.2))
    grid = dict(left=0.07, right=0.9, top=0.74, bottom=0.17, wspace=0.35, width_ratios=[1.3] + [1] * len(runs))
    baseline, *axes = np.atleast_1d(fig.subplots(1, len(runs) + 1, gridspec_kw=grid))
    _copy_task_baseline(baseline, runs, tokens)
    for ax, run in zip(axes, runs, strict=True):
        weights, mark = np.asarray(run["example_weights"]), int(run["example_marked"])
        shown = ax.imshow(weights, cmap="magma", vmin=0, vmax=1, interpolation="nearest")
        ax.add_patch(Rectangle((mark - 0.5, -0.5), 1, tokens, fill=False, edgecolor="tab:cyan", linewidth=1.5))
        ax.set_title(f"trained, seed {run['seed']}\n(marked key: {mark})", fontsize=9)
        ax.set_xticks(range(tokens), [("*" if t == mark else str(t)) for t in range(tokens)], fontsize=7)
        ax.set_yticks(range(tokens), [str(t) for t in range(tokens)], fontsize=7)
        ax.set_xlabel("key (* marked)", fontsize=8)
    axes[0].set_ylabel("query", fontsize=8)
    fig.suptitle("Left: the weight on the marked key before and after training. Right: trained matrices, "
                 "cyan outline the marked key", fontsize=9)  # fmt: skip
    fig.colorbar(shown, cax=fig.add_axes((0.915, 0.17, 0.012, 0.57)), label="weight")
    return fig


def plot_head_layout(num_tokens: int = 4, dim: int = 12, heads: int = 3) -> Figure:
    """The head split for one image, ``(N, D) -> (h, N, d)``: left the tokens' ``D`` features coloured by the
    head whose slice they fall in, right the ``h`` per-head ``(N, d)`` sequences after ``reshape(N, h, d)`` and
    ``permute``, as section 1's code spells it. Each cell shows its feature's index, so the move can be followed
    (the batch axis rides along)."""
    num_tokens, dim, heads = (_checks.positive_int(n, v) for n, v in (("num_tokens", num_tokens), ("dim", dim),
                                                                       ("heads", heads)))  # fmt: skip
    if dim % heads:
        raise ValueError(f"dim ({dim}) must be a multiple of heads ({heads})")
    head_dim = dim // heads
    features = torch.arange(dim).expand(num_tokens, dim)
    split = features.reshape(num_tokens, heads, head_dim).permute(1, 0, 2)  # (h, N, d), what the lesson's code does
    colours = [f"C{h % 10}" for h in range(heads)]
    fig = new_figure(figsize=(1.6 + 0.34 * (dim + heads * head_dim) + 0.3 * heads, 0.42 * num_tokens + 1.1))
    grid = fig.add_gridspec(
        1, heads + 1, width_ratios=[dim, *[head_dim] * heads], wspace=0.3, left=0.08, right=0.99, top=0.8, bottom=0.04
    )

    def draw(ax, values: torch.Tensor, title: str) -> None:
        rows, cols = values.shape
        for r in range(rows):
            for c in range(cols):
                feature = int(values[r, c])
                ax.add_patch(Rectangle((c, r), 1, 1, facecolor=colours[feature // head_dim], alpha=0.45,
                                       edgecolor="white"))  # fmt: skip
                ax.text(c + 0.5, r + 0.5, str(feature), ha="center", va="center", fontsize=7)
        ax.set_xlim(0, cols)
        ax.set_ylim(rows, 0)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([r + 0.5 for r in range(rows)], [f"token {r}" for r in range(rows)], fontsize=7)
        ax.set_title(title, fontsize=8)
        for spine in ax.spines.values():
            spine.set_visible(False)

    draw(fig.add_subplot(grid[0]), features, f"(N, D) = ({num_tokens}, {dim})\nfeature index, shade = head")
    for h in range(heads):
        ax = fig.add_subplot(grid[h + 1])
        draw(ax, split[h], f"head {h}: (N, d)\n= ({num_tokens}, {head_dim}), tokens as left")
        ax.set_yticks([])
    fig.suptitle(f"reshape(B, N, h, d).permute(0, 2, 1, 3): (B, N, D) -> (B, h, N, d), D = {dim}, h = {heads}, "
                 f"d = D / h = {head_dim}", fontsize=9)  # fmt: skip
    return fig


def plot_query_heads(
    image: torch.Tensor, weights: torch.Tensor, grid: tuple[int, int], query: int, *, title: str = ""
) -> Figure:
    """One query's attention weights in every head of a block, side by side, each laid on the image.

    ``image`` is ``(C, H, W)``; ``weights`` is ``(heads, N + 1)``, the query's row in each head (token 0 the
    class token, whose weight each panel's title gives); ``query`` is a token index (0 = class token).
    """
    image = as_image(image)
    rows, cols = _checks.to_pair("grid", grid)
    weights = weights.detach().float().cpu()
    if weights.ndim != 2 or weights.shape[1] != rows * cols + 1:
        raise ValueError(f"weights must be (heads, {rows * cols + 1}), got {tuple(weights.shape)}")
    _, height, width = image.shape
    heads = weights.shape[0]
    fig = new_figure(figsize=(2.4 * heads + 0.6, 2.9), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, heads))
    shared_max = float(weights[:, 1:].max())  # one colour scale for every panel: the heads compare directly
    for head, ax in enumerate(axes):
        ax.imshow(to_display(image), cmap="gray" if image.shape[0] == 1 else None, vmin=0, vmax=1,
                  extent=(0, width, height, 0))  # fmt: skip
        shown = ax.imshow(weights[head, 1:].reshape(rows, cols).numpy(), cmap="inferno", alpha=0.7, vmin=0,
                          vmax=shared_max, extent=(0, width, height, 0), interpolation="nearest")  # fmt: skip
        if query:
            row, col = divmod(query - 1, cols)
            ph, pw = height / rows, width / cols
            ax.add_patch(Rectangle((col * pw, row * ph), pw, ph, fill=False, edgecolor="cyan", linewidth=2))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"head {head}: top weight {float(weights[head].max()):.2f}\n(class token {weights[head, 0]:.2f})",
                     fontsize=9)  # fmt: skip
    fig.colorbar(shown, ax=list(axes), shrink=0.8, label="attention weight (one scale)")
    fig.suptitle(title or f"query {token_name(query, cols)}: its weights in each head", fontsize=10)
    return fig


def trained_query_heads(block: int = 1, ink: float = 0.1) -> Figure:
    """Appendix E's four-head strip, drawn again for lesson 03's section 0 (a notebook opened alone, as on Colab,
    has no ``figures/``): the shipped MNIST ViT on test digit 0 (a 6), the query :func:`pick_head_and_query`
    picks in ``block``, and its weights in each of the block's heads."""
    from ..data import load_mnist
    from ..pretrained import load_mnist_vit

    with torch.random.fork_rng():  # building the model draws random numbers: the caller's stay as they were
        model, digit = load_mnist_vit(), load_mnist().test_images[0]  # (1, 28, 28)
    pick = pick_head_and_query(model, digit, block=block, ink=ink)
    return plot_query_heads(digit, pick.weights[:, pick.query], (7, 7), pick.query,
                            title=f"block {block}: one query, each head")  # fmt: skip


def mean_attention_distance(
    model: torch.nn.Module, images: torch.Tensor, grid: tuple[int, int]
) -> tuple[torch.Tensor, float]:
    """Mean attention distance per block and head (Dosovitskiy et al. 2021, Fig. 7 right), in pixels:
    :func:`vit_explained.attention_maps.mean_attention_distance` with the patch size read from ``images``
    ``(B, C, H, W)`` and the patch ``grid``, beside the value uniform attention over the patches gives.
    Returns ``(distances (blocks, heads), uniform)``."""
    from ..attention_maps import mean_attention_distance as attention_distance

    rows, cols = _checks.to_pair("grid", grid)
    size = (images.shape[-2] / rows, images.shape[-1] / cols)
    ys, xs = torch.meshgrid(torch.arange(rows) * size[0], torch.arange(cols) * size[1], indexing="ij")
    centres = torch.stack([ys.flatten(), xs.flatten()], dim=-1).double()
    distances = attention_distance(model, images, (rows, cols), size).float()  # float32, as the lesson prints it
    return distances, float(torch.cdist(centres, centres).mean())


def plot_attention_distance(distances: torch.Tensor, uniform: float) -> Figure:
    """:func:`mean_attention_distance`'s ``(blocks, heads)`` drawn as the ViT paper does: one dot per head,
    each head's dots shifted a little along x so that heads at the same distance do not hide each other."""
    blocks, heads = distances.shape
    fig = new_figure(figsize=(4.6, 3.2), layout="constrained")
    ax = fig.subplots()
    for head in range(heads):  # each head's dots shifted a little sideways, so equal distances stay visible
        shift = 0.12 * (head - (heads - 1) / 2)
        ax.plot(np.arange(blocks) + shift, distances[:, head].numpy(), "o", alpha=0.8, label=f"head {head}")
    ax.axhline(uniform, color="black", linestyle=":", linewidth=1, label="uniform attention")
    ax.set_xticks(range(blocks))
    ax.set_xlabel("block")
    ax.set_ylabel("mean attention distance (pixels)")
    ax.set_ylim(0, None)
    ax.legend(fontsize=7, loc="lower right")
    return fig


def crossover_report(
    configs: Sequence[tuple[str, int, int, int, int]], costs: Mapping, names: Sequence[str]
) -> tuple[dict[str, float], str]:
    """Where the N x N products' FLOPs overtake the projections' (``4 N^2 D = 2 N (3 D_in D + D^2)``, so
    ``N = (3 D_in + D) / 2``) for each named layer of ``configs`` ``(name, N, D, h, D_in)``, and the FLOP ratio
    at the layer's own ``N`` (``costs[name]``, an :func:`vit_explained.cost.attention_cost`).
    Returns ``({name: crossover N}, the printed lines)``."""
    layer_of = {config[0]: config for config in configs}
    crossover, lines = {}, []
    for name in names:
        _, _, dim, _, dim_in = layer_of[name]
        crossover[name] = n_cross = (3 * dim_in + dim) / 2
        c = costs[name]
        lines.append(
            f"{name}: crossover at N = (3 D_in + D) / 2 = {n_cross:g}; "
            f"at N = {c.num_tokens}, N x N FLOPs / projections' = {c.matmul_flops / c.projection_flops:.2f} "
            f"(projections / N x N: {c.projection_flops / c.matmul_flops:.1f})"
        )
    return crossover, "\n".join(lines)


def ink_shares(image: torch.Tensor, q: torch.Tensor, k: torch.Tensor, scale: float, ink: float) -> torch.Tensor:
    """Per head, the share of queries with more than half their weight on the digit's ink: ``(2, heads)``,
    row 0 over all the queries, row 1 over the background-patch queries only. ``image`` ``(1, 28, 28)``; a
    4 x 4 patch is ink when its mean pixel exceeds ``ink``; ``q``, ``k`` ``(heads, 50, d)``, token 0 the class token."""
    is_ink = image[0].reshape(7, 4, 7, 4).mean(dim=(1, 3)).flatten() > ink  # (49,)
    on_ink = (q @ k.transpose(-2, -1) * scale).softmax(dim=-1)[..., 1:][..., is_ink].sum(dim=-1) > 0.5  # (heads, 50)
    background = torch.cat([torch.tensor([False]), ~is_ink])
    return torch.stack([on_ink.float().mean(dim=-1), on_ink[:, background].float().mean(dim=-1)])


def ink_share_report(
    model: torch.nn.Module, images: torch.Tensor, *, block: int, head: int, ink: float
) -> tuple[torch.Tensor, str]:
    """:func:`ink_shares` for every digit of ``images`` ``(B, 1, 28, 28)``, block and head of the MNIST ViT:
    ``(B, blocks, 2, heads)``, and two printed lines: the range over the digits for ``block``, ``head``, and the
    heads where most queries do so on every digit."""
    from ..widgets.lesson03 import queries_and_keys

    per_image = [zip(queries_and_keys(model, image), model.blocks, strict=True) for image in images]
    shares = torch.stack([  # (B, blocks, 2, heads)
        torch.stack([ink_shares(image, *qk, b.attn.scale, ink) for qk, b in pairs])
        for image, pairs in zip(images, per_image, strict=True)
    ])  # fmt: skip
    ours_all, ours_background = shares[:, block, 0, head], shares[:, block, 1, head]
    steady = [(b, h) for b in range(shares.shape[1]) for h in range(shares.shape[3]) if shares[:, b, 0, h].min() > 0.5]
    lines = (
        f"block {block}, head {head}, over the first {len(images)} test digits: queries with more than half their "
        f"weight on the ink {ours_all.min().item():.0%} to {ours_all.max().item():.0%} per digit "
        f"(background patches: {ours_background.min().item():.0%} to {ours_background.max().item():.0%})\n"
        f"heads where most queries do so on every one of the {len(images)} digits: {len(steady)} of "
        f"{shares.shape[1] * shares.shape[3]} ({', '.join(f'block {b} head {h}' for b, h in steady)})"
    )
    return shares, lines


def plot_scale_toggle(
    image: torch.Tensor, scores: torch.Tensor, scale: float, grid: tuple[int, int], query: int, *, title: str = ""
) -> Figure:
    """The explorer's scale toggle in both states, side by side, for the same query: the query's weights over
    the patches on the digit with the scores times ``scale`` (left) and unscaled (right). ``scores`` is the
    head's unscaled ``(N + 1, N + 1)`` matrix (token 0 the class token); each title gives the query's top
    weight and how many of the head's rows put more than :data:`SATURATED` on one key."""
    image = as_image(image)
    rows, cols = _checks.to_pair("grid", grid)
    _, height, width = image.shape
    fig = new_figure(figsize=(8.0, 3.9), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, factor, name in zip(axes, (scale, 1.0), ("scaled by 1/sqrt(d)", "no scale"), strict=True):
        weights = (scores.detach().float() * factor).softmax(dim=-1)
        saturated = int((weights.max(dim=-1).values > SATURATED).sum())
        ax.imshow(to_display(image), cmap="gray", vmin=0, vmax=1, extent=(0, width, height, 0))
        shown = ax.imshow(
            weights[query, 1:].reshape(rows, cols).numpy(), cmap="inferno", alpha=0.7, vmin=0, vmax=1,
            extent=(0, width, height, 0), interpolation="nearest",
        )  # fmt: skip
        if query:  # outline the query's patch
            row, col = divmod(query - 1, cols)
            ph, pw = height / rows, width / cols
            ax.add_patch(Rectangle((col * pw, row * ph), pw, ph, fill=False, edgecolor="cyan", linewidth=2))
        ax.set_title(
            f"{name}: top weight {float(weights[query].max()):.2f}\n{saturated} of {len(weights)} rows saturated",
            fontsize=10,
        )
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=list(axes), fraction=0.046, pad=0.04, label="weight (same scale in both)")
    fig.suptitle(title or f"the scale toggle, both states: query {token_name(query, cols)}", fontsize=11)
    return fig


#: the head splits the layout explorer offers (lesson 03, section 1)
HEAD_SPLITS = ("reshape + permute", "reshape, no permute", "(h three d) read as (three h d)")


def qkv_sources(num_tokens: int, dim: int, heads: int, layout: str = "three h d") -> torch.Tensor:
    """What each entry of one image's fused qkv output ``(N, 3D)`` is: ``(N, 3D, 4)`` integers
    ``(token, role, head, feature)``, role 0/1/2 = q/k/v and feature within the head, for the layer's
    column ``layout`` ``"three h d"`` (timm, this package) or ``"h three d"`` (GPT-NeoX)."""
    head_dim = _checks.divisible_by_heads(dim, heads)
    column = torch.arange(3 * dim)
    if layout == "three h d":
        role, head = column // dim, (column // head_dim) % heads
    elif layout == "h three d":
        role, head = (column // head_dim) % 3, column // (3 * head_dim)
    else:
        raise ValueError(f'layout must be "three h d" or "h three d", got {layout!r}')
    per_column = torch.stack([role, head, column % head_dim], dim=-1).expand(num_tokens, -1, -1)
    token = torch.arange(num_tokens).view(-1, 1, 1).expand(-1, 3 * dim, 1)
    return torch.cat([token, per_column], dim=-1)


def split_heads_as(qkv: torch.Tensor, heads: int, split: str) -> torch.Tensor:
    """One image's qkv output ``(N, 3D, ...)`` split into ``(3, h, N, d, ...)`` the way ``split`` does
    (one of :data:`HEAD_SPLITS`); the trailing axes ride along."""
    num_tokens, width, rest = qkv.shape[0], qkv.shape[1], qkv.shape[2:]
    head_dim = _checks.divisible_by_heads(width // 3, heads)
    if split in (HEAD_SPLITS[0], HEAD_SPLITS[2]):  # the right code; in the third the layer's layout is not it
        return qkv.reshape(num_tokens, 3, heads, head_dim, *rest).permute(1, 2, 0, 3, *range(4, 4 + len(rest)))
    if split == HEAD_SPLITS[1]:
        return qkv.reshape(3, heads, num_tokens, head_dim, *rest)
    raise ValueError(f"split must be one of {HEAD_SPLITS}, got {split!r}")


def panel_source(cells: torch.Tensor) -> str:
    """Where one panel ``(N, d, 4)`` of :func:`split_heads_as` came from: ``"k0"`` when every cell is
    head 0's key, ``"mixed"`` when it holds several roles or heads."""
    pairs = {(int(role), int(head)) for role, head in cells[..., 1:3].reshape(-1, 2)}
    return f"{'qkv'[next(iter(pairs))[0]]}{next(iter(pairs))[1]}" if len(pairs) == 1 else "mixed"


def plot_head_splits(parts: torch.Tensor, title: str) -> Figure:
    """The layout explorer's picture: ``parts`` ``(3, h, N, d, 4)`` from :func:`split_heads_as` on
    :func:`qkv_sources`; one panel per role (rows q, k, v) and head (columns), a cell per entry, coloured
    by the role and head it really came from and labelled with its token; each panel's rows are token slots
    (slot n should hold token n); a red frame: a cell in another token's slot or holding another role's or
    head's feature (the widget's ``foreign`` test, per cell); a red title: a panel holding such features. The
    fills avoid tab10's red (index 3), so red marks only the damage."""
    _, heads, num_tokens, head_dim, _ = parts.shape
    fills = head_shades(3 * heads + 1)
    fills = [c for i, c in enumerate(fills) if i != 3] if len(fills) <= 10 else head_shades(3 * heads)
    shades = {(r, h): fills[r * heads + h] for r in range(3) for h in range(heads)}
    scale = 2.0  # about twice the first draft's size, so the 10-point cell labels read at 100 % (review 18d)
    width, height = 1.0 + heads * (0.45 * head_dim + 0.8), 3 * (0.32 * num_tokens + 0.55) + 0.4
    fig = new_figure(figsize=(scale * width, scale * height))
    axes = fig.subplots(3, heads, squeeze=False)
    for r in range(3):
        for h in range(heads):
            ax, cells = axes[r][h], parts[r, h]
            own = bool(((cells[..., 1] == r) & (cells[..., 2] == h)).all())
            for n in range(num_tokens):
                for f in range(head_dim):
                    token, role, head, feature = (int(x) for x in cells[n, f])
                    wrong = token != n or (role, head) != (r, h)  # another token's slot, or another role/head
                    ax.add_patch(Rectangle((f, n), 1, 1, facecolor=shades[role, head], alpha=0.55,
                                           edgecolor="red" if wrong else "white", lw=2 if wrong else 1))  # fmt: skip
                    ax.text(f + 0.5, n + 0.5, f"t{token}\n{'qkv'[role]}{head}.{feature}", ha="center",
                            va="center", fontsize=10)  # fmt: skip
            ax.set_xlim(0, head_dim)
            ax.set_ylim(num_tokens, 0)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks(
                [n + 0.5 for n in range(num_tokens)], [f"token slot {n}" for n in range(num_tokens)], fontsize=10
            )
            ax.set_title(f"head {h} {'qkv'[r]}" + ("" if own else f" <- {panel_source(cells)}"), fontsize=12,
                         color="black" if own else "red")  # fmt: skip
            for spine in ax.spines.values():
                spine.set_visible(False)
    fig.suptitle(title, fontsize=12)
    return fig


@dataclass(frozen=True)
class InkBaseline:
    """Section 0's controls for the trained MNIST ViT's weight on the ink, in one block.

    ``trained`` ``(heads,)``: each head's share on the ink for the shown digit; ``reinitialised``
    ``(seeds, heads)``: the same for the same architecture with its parameters re-drawn (seed per row);
    ``picks``: the head the "most stroke-bound head" rule picks on each of ``images``.
    """

    block: int
    trained: torch.Tensor
    reinitialised: torch.Tensor
    seeds: tuple[int, ...]
    images: tuple[int, ...]
    picks: tuple[int, ...]

    def report(self) -> str:
        """Three printed lines: trained range, re-initialised range, the rule's picks per image."""
        low, high = self.trained.min().item(), self.trained.max().item()
        re_low, re_high = self.reinitialised.min().item(), self.reinitialised.max().item()
        return (
            f"block {self.block}, share on the ink per head, trained: {low:.0%}..{high:.0%}\n"
            f"same architecture, parameters re-drawn (seeds {self.seeds[0]}..{self.seeds[-1]}), "
            f"all heads: {re_low:.0%}..{re_high:.0%}\n"
            f"the head rule's pick on test images {self.images[0]}..{self.images[-1]}: "
            + " ".join(str(p) for p in self.picks)
        )


def ink_baseline(
    model: torch.nn.Module, images: torch.Tensor, *, block: int, shown: int = 0, seeds: Sequence[int] = (0, 1, 2),
    ink: float = 0.1,
) -> InkBaseline:  # fmt: skip
    """The controls for :func:`pick_head_and_query`: ``images`` ``(n, 1, 28, 28)``; image ``shown`` run
    through re-initialised copies (a fresh ``ViT`` of the same config, built after ``torch.manual_seed``
    of each seed), and the head rule applied to every image."""
    from ..pretrained import MNIST_VIT, checkpoint_info
    from ..vit import ViT

    config = checkpoint_info(MNIST_VIT)["config"]
    shares = []
    with torch.random.fork_rng():
        for seed in seeds:
            torch.manual_seed(seed)
            fresh = ViT(**config).eval()
            shares.append(pick_head_and_query(fresh, images[shown], block=block, ink=ink).ink_by_head)
    picks = tuple(pick_head_and_query(model, image, block=block, ink=ink).head for image in images)
    return InkBaseline(
        block=block, trained=pick_head_and_query(model, images[shown], block=block, ink=ink).ink_by_head,
        reinitialised=torch.stack(shares), seeds=tuple(seeds), images=tuple(range(len(images))), picks=picks,
    )  # fmt: skip


def t2t_vendored_attention(attention: torch.nn.Module) -> torch.nn.Module:
    """T2T-ViT's vendored timm-style ``Attention`` (``vit_explained/_upstream/t2t_vit/transformer_block.py``),
    built with ``qkv_bias=True`` and loaded with ``attention``'s ``qkv`` and ``proj`` weights. The class is
    read from that file and executed on its own: the file's top-level ``from timm...`` import is not run."""
    import ast
    from pathlib import Path

    from torch import nn

    path = Path(__file__).resolve().parents[1] / "_upstream" / "t2t_vit" / "transformer_block.py"
    tree = ast.parse(path.read_text())
    (cls,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Attention"]
    namespace: dict = {"torch": torch, "nn": nn}
    exec(compile(ast.Module(body=[cls], type_ignores=[]), str(path), "exec"), namespace)
    with torch.random.fork_rng():  # its Linears draw their init: the caller's random numbers stay as they were
        vendored = namespace["Attention"](attention.dim, num_heads=attention.heads, qkv_bias=True)
    vendored.load_state_dict(attention.state_dict())
    return vendored.eval()


def hf_vit_attention(attention: torch.nn.Module) -> tuple[torch.nn.Module, str] | None:
    """Hugging Face ``transformers``' own ``ViTAttention`` with ``attention``'s weights, and the installed version.

    ``qkv``'s three row blocks (queries, keys, values) go to ``q_proj``, ``k_proj`` and ``v_proj``, ``proj`` to
    ``o_proj`` (the submodule names of ``transformers`` 5.x). None when ``transformers`` is not installed or its
    class has other submodules (4.x nests them as ``attention.query`` ... ``output.dense``). Its forward returns
    ``(output, weights)``."""
    try:
        import transformers
        from transformers.models.vit.modeling_vit import ViTAttention, ViTConfig
    except ImportError:
        return None
    config = ViTConfig(hidden_size=attention.dim, num_attention_heads=attention.heads, qkv_bias=True)
    config._attn_implementation = "eager"  # its plain softmax(q k^T * scaling) v, as a standalone module
    with torch.random.fork_rng():  # its Linears draw their init: the caller's random numbers stay as they were
        hf_attention = ViTAttention(config)
    names = ("q_proj", "k_proj", "v_proj", "o_proj")
    if not all(isinstance(getattr(hf_attention, name, None), torch.nn.Linear) for name in names):
        return None
    weights = (*attention.qkv.weight.chunk(3), attention.proj.weight)
    biases = (*attention.qkv.bias.chunk(3), attention.proj.bias)
    with torch.no_grad():
        for name, weight, bias in zip(names, weights, biases, strict=True):
            getattr(hf_attention, name).weight.copy_(weight)
            getattr(hf_attention, name).bias.copy_(bias)
    return hf_attention.eval(), transformers.__version__


def hf_vit_attention_row(attention: torch.nn.Module, tokens: torch.Tensor) -> dict[str, torch.Tensor]:
    """``{"transformers <version> ViTAttention": its output on tokens}`` for :func:`hf_vit_attention` loaded with
    ``attention``'s weights; ``{}`` when ``transformers`` 5.x is not installed."""
    loaded = hf_vit_attention(attention)
    if loaded is None:
        return {}
    hf_attention, version = loaded
    return {f"transformers {version} ViTAttention": hf_attention(tokens)[0]}  # its forward: (output, weights)

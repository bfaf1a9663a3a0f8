"""Figures for lesson 09: a distilled DeiT's token sequence, the teacher's targets (softened
probabilities against its argmax), its hard-distillation training setup, one head's weight matrix with
the Q&A's slices boxed, its two special tokens' maps, random-resized crops with the teacher's label for
each, the benchmark's test accuracies seed by seed, and
the DeiT paper's Table 3 (no, soft and hard distillation) and Table 8 (its recipe, one change per row).

Every helper makes its figure with :func:`vit_explained.plotting.new_figure` and returns it, so a
notebook shows it once (end the cell with ``fig``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from . import new_figure
from .lesson08 import plot_map_columns

__all__ = [
    "DEIT_TABLE3",
    "DEIT_TABLE3_SIZES",
    "DEIT_TABLE8",
    "DEIT_TABLE8_384",
    "DEIT_TABLE8_FAILED",
    "DEIT_TABLE8_FINE_TUNING_ONLY",
    "DEIT_TABLE8_SHOWN",
    "DEIT_TABLE8_SPREAD",
    "DEIT_TOKEN_COSINES",
    "plot_attention_call_chain",
    "plot_deit_recipe_ablation",
    "plot_distillation_setup",
    "plot_map_agreement",
    "plot_paper_distillation",
    "plot_relabel_ablation",
    "plot_seed_accuracies",
    "plot_slice_matrix",
    "plot_special_token_maps",
    "plot_teacher_crops",
    "plot_teacher_mistakes",
    "plot_teacher_targets",
    "plot_token_sequence",
    "relabel_bars",
    "relabel_table",
    "relabel_teacher",
    "teacher_crops",
]

_COLOURS = {"class": "#d62728", "distillation": "#1f77b4", "patch": "#bbbbbb"}

#: DeiT arXiv v2 (2012.12877v2) Table 3: DeiT-B top-1 on ImageNet-1k (%, 224x224, 300 epochs), a
#: RegNetY-16GF teacher (its 82.9 %, the ``"teacher"`` key, is Table 2's). The three "token" rows are one
#: model, hard distillation through the distillation token, read by its class head, its distillation head, and
#: both heads' late fusion.
DEIT_TABLE3 = {
    "none": 81.8,
    "soft": 81.8,
    "hard": 83.0,
    "token, class head": 83.0,
    "token, dist. head": 83.1,
    "token, both heads": 83.4,
    "teacher": 82.9,
}

#: DeiT arXiv v2, section 4, paragraph "Distillation token": the learned class and distillation tokens have an
#: average cosine similarity of 0.06; two class tokens, both trained on the labels, converge to cos = 0.999.
DEIT_TOKEN_COSINES = {"two class tokens": 0.999, "class vs distillation": 0.06}

#: DeiT's Table 8 (arXiv v2), DeiT-B top-1 in % at 224x224 (quoted, not measured here): the full recipe, then all 12
#: ablation rows (the paper's hyper-parameters of Table 9 kept, "may be suboptimal"). Only the full recipe is printed
#: with a spread (81.8 +-0.2; 83.1 +-0.1 fine-tuned at 384 px); the other rows are single values. All rows but "no
#: Mixup, no CutMix" change one ingredient. The two rows marked * "did not train well" (the table's caption). The row
#: "SGD for fine-tuning only" (AdamW pre-training, SGD fine-tuning) changes only the 384-px fine-tuning (83.1 there):
#: its 224-px value is the full recipe's model, so the figure draws it pale (:data:`DEIT_TABLE8_FINE_TUNING_ONLY`).
DEIT_TABLE8 = {
    "full recipe": 81.8,
    "SGD instead of AdamW": 74.5,
    "SGD for fine-tuning only": 81.8,
    "no RandAugment": 79.6,
    "AutoAugment instead of RandAugment": 81.2,
    "no Mixup": 78.7,
    "no CutMix": 80.0,
    "no Mixup, no CutMix": 75.8,
    "no random erasing": 4.3,
    "no stochastic depth": 3.4,
    "no repeated augmentation": 76.5,
    "with dropout": 81.3,
    "with EMA": 81.9,
}
#: Table 8's "+-" on the full recipe at 224 px, its two "*" rows, and the three rows the lesson prints.
DEIT_TABLE8_SPREAD = 0.2
DEIT_TABLE8_FAILED = ("no random erasing", "no stochastic depth")
DEIT_TABLE8_SHOWN = ("SGD instead of AdamW", "no Mixup", "no repeated augmentation")
DEIT_TABLE8_FINE_TUNING_ONLY = ("SGD for fine-tuning only",)  # changes only the 384-px fine-tuning
#: Table 8's full recipe fine-tuned at 384x384: top-1 % and its printed "+-" (83.1 +-0.1), as published.
DEIT_TABLE8_384 = (83.1, 0.1)

#: The same Table 3 (arXiv v2), the four hard-label rows for each model size at 224x224 (top-1 in %):
#: hard distillation through the class token alone, then the distillation token read by the class head,
#: the distillation head and both heads. The "B" column is :data:`DEIT_TABLE3`'s.
DEIT_TABLE3_SIZES = {
    "Ti": {"hard": 74.3, "token, class head": 73.9, "token, dist. head": 74.6, "token, both heads": 74.5},
    "S": {"hard": 80.9, "token, class head": 80.9, "token, dist. head": 81.1, "token, both heads": 81.2},
    "B": {"hard": 83.0, "token, class head": 83.0, "token, dist. head": 83.1, "token, both heads": 83.4},
}


def plot_paper_distillation(results: dict[str, float] | None = None) -> Figure:
    """Bars of the gain over no distillation (points) of each student in ``results`` (default
    :data:`DEIT_TABLE3`; top-1 in %, the key ``"none"`` required, ``"teacher"`` drawn as a dashed line),
    each bar labelled with its top-1 accuracy and its gain. The bars start at 0, so their heights compare; a
    gain of zero is drawn as a marker on the zero line."""
    results = dict(DEIT_TABLE3 if results is None else results)
    if "none" not in results:
        raise ValueError(f"results needs the 'none' entry (no distillation), got {sorted(results)}")
    teacher = results.pop("teacher", None)
    base = results["none"]
    names = list(results)
    gains = [results[name] - base for name in names]
    fig = new_figure(figsize=(5.6, 2.8), layout="constrained")
    ax = fig.subplots()
    colours = [_COLOURS["distillation"] if "token" in name else "#777777" for name in names]
    bars = ax.bar(range(len(names)), gains, color=colours, width=0.6)
    for position, (bar, name, gain, colour) in enumerate(zip(bars, names, gains, colours, strict=True)):
        if abs(gain) < 0.05:  # a zero-height bar is invisible: a marker on the zero line shows it is there
            ax.plot(position, 0, marker="D", markersize=6, color=colour, zorder=3, clip_on=False)
        ax.annotate(
            f"{results[name]:.1f} %\n{gain:+.1f}",
            (bar.get_x() + bar.get_width() / 2, max(bar.get_height(), 0)),
            xytext=(0, 5 if abs(gain) < 0.05 else 2),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
    if teacher is not None:
        ax.axhline(
            teacher - base,
            color=_COLOURS["class"],
            ls="--",
            lw=1,
            label=f"the teacher (Table 2), {teacher:.1f} %: teacher - none = {teacher - base:+.1f}",
        )
        ax.legend(fontsize=7, loc="upper left")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(range(len(names)), [name.replace(", ", "\n") for name in names], fontsize=8)
    ax.set_ylim(min(0, *gains) - 0.15, max(0, *gains, (teacher or base) - base) + 0.55)
    ax.set_ylabel("gain over no distillation\n(points of top-1)", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(
        "DeiT-B on ImageNet-1k by distillation (DeiT arXiv v2 Table 3)\nonly 'none' has an interval (± 0.2, Table 8)",
        fontsize=9,
    )
    return fig


def plot_deit_recipe_ablation(results: dict[str, float] | None = None) -> Figure:
    """Horizontal bars of DeiT-B's top-1 (%) for each row of the paper's Table 8 (default :data:`DEIT_TABLE8`: the
    key ``"full recipe"`` required, drawn first with its published ``+-`` :data:`DEIT_TABLE8_SPREAD` as a band), each
    bar labelled with its value; the rows of :data:`DEIT_TABLE8_FAILED` are marked ``*`` ("did not train well"), and
    the rows of :data:`DEIT_TABLE8_FINE_TUNING_ONLY` are pale, labelled "(changes only the 384-px fine-tuning)"."""
    results = dict(DEIT_TABLE8 if results is None else results)
    if "full recipe" not in results:
        raise ValueError(f"results needs the 'full recipe' entry, got {sorted(results)}")
    full = results["full recipe"]
    names = ["full recipe", *(name for name in results if name != "full recipe")]
    values = [results[name] for name in names]
    failed = [name in DEIT_TABLE8_FAILED for name in names]
    pale = [name in DEIT_TABLE8_FINE_TUNING_ONLY for name in names]  # its 224-px model is the full recipe's
    fig = new_figure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.subplots()
    colours = ["#333333" if i == 0 else _COLOURS["class"] if bad else "#888888" for i, bad in enumerate(failed)]
    colours = ["#dddddd" if light else colour for colour, light in zip(colours, pale, strict=True)]
    positions = range(len(names))
    ax.barh(positions, values, color=colours, height=0.65)
    ax.axvspan(full - DEIT_TABLE8_SPREAD, full + DEIT_TABLE8_SPREAD, color=_COLOURS["distillation"], alpha=0.25)
    ax.axvline(full, color=_COLOURS["distillation"], lw=0.8)
    for position, value, bad, light in zip(positions, values, failed, pale, strict=True):
        note = f" ± {DEIT_TABLE8_SPREAD}" if position == 0 else ""
        if light:  # the note inside the pale bar, in dark text
            ax.text(1.5, position, "(changes only the 384-px fine-tuning)", va="center", fontsize=6.5, color="#333333")
        ax.annotate(
            f"{value}{'*' if bad else ''}{note}",
            (value, position),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.set_yticks(list(positions), names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 95)
    ax.set_xlabel("DeiT-B top-1 on ImageNet-1k, % (224 px)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_title(
        "DeiT-B's recipe, row by row (DeiT arXiv v2 Table 8, as published)\n"
        "no interval except the full recipe (blue line); *: 'did not train well'\n"
        "pale: changes only the 384-px fine-tuning",
        fontsize=9,
    )
    return fig


def plot_token_sequence(grid: tuple[int, int], *, special_tokens: int = 2, shown_patches: int = 6) -> Figure:
    """The token sequence of a ViT (``special_tokens=1``) or a distilled DeiT (``2``) as a strip of
    boxes, with the indices the Q&A slices: the special tokens first, then the patches row by row.

    ``grid`` is the patch grid ``(rows, cols)``; the first ``shown_patches`` patches and the last
    one are drawn, the rest elided. Under each token, "+ pos i": every token, special or patch, gets its own
    learned position embedding added. Below that, the slice ``[..., special_tokens:]`` that keeps exactly
    the patches.
    """
    rows, cols = grid
    if special_tokens not in (1, 2):
        raise ValueError(
            f"special_tokens must be 1 (ViT: class) or 2 (DeiT: class, distillation), got {special_tokens}"
        )
    patches = rows * cols
    names = ["class", "distillation"][:special_tokens]
    boxes: list[tuple[str, str, str]] = [(name, f"{index}", name) for index, name in enumerate(names)]
    shown = min(shown_patches, patches)
    for patch in range(shown):
        boxes.append((f"patch\n{divmod(patch, cols)}", f"{special_tokens + patch}", "patch"))
    if shown < patches:
        boxes.append(("...", "", "gap"))
        boxes.append((f"patch\n{divmod(patches - 1, cols)}", f"{special_tokens + patches - 1}", "patch"))
    fig = new_figure(figsize=(0.95 * len(boxes) + 0.4, 2.2), layout="constrained")
    ax = fig.subplots()
    for position, (text, index, kind) in enumerate(boxes):
        if kind != "gap":
            ax.add_patch(Rectangle((position, 0), 0.9, 1, color=_COLOURS[kind], alpha=0.85))
        ax.text(position + 0.45, 0.5, text, ha="center", va="center", fontsize=7, color="black")
        ax.text(position + 0.45, 1.15, index, ha="center", va="bottom", fontsize=8)
        if kind != "gap":  # each token's own learned position embedding, added before block 1
            ax.text(position + 0.45, -0.08, f"+ pos {index}", ha="center", va="top", fontsize=7, color="#555555")
    start = special_tokens
    ax.annotate(
        "",
        xy=(len(boxes) - 0.1, -0.55),
        xytext=(start, -0.55),
        arrowprops={"arrowstyle": "<->", "color": "black", "lw": 1.0},
    )
    ax.text(
        (start + len(boxes)) / 2,
        -0.75,
        f"[..., {special_tokens}:]  the {patches} patches ({rows}x{cols})",
        ha="center",
        va="top",
        fontsize=8,
    )
    ax.set_xlim(-0.1, len(boxes))
    ax.set_ylim(-1.2, 1.5)
    ax.axis("off")
    kind = "distilled DeiT" if special_tokens == 2 else "ViT"
    ax.set_title(f"A {kind}'s tokens: N = {special_tokens} + {patches} = {special_tokens + patches}", fontsize=10)
    return fig


def plot_distillation_setup(*, weight: float = 0.5) -> Figure:
    """DeiT's hard distillation as a diagram (after the paper's Fig. 2): the augmented image goes to the
    frozen teacher, whose argmax is the distillation head's target, and to the student, whose class
    head learns the true label; the loss is ``(1 - weight) * CE(class) + weight * CE(distillation)``.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be in [0, 1], got {weight}")
    fig = new_figure(figsize=(9.0, 3.7), layout="constrained")
    ax = fig.subplots()
    grey, pale = "#dddddd", "#f3f3f3"
    box_style = "round,pad=0.02,rounding_size=0.08"

    def box(x: float, y: float, w: float, h: float, text: str, colour: str, **text_kw: object) -> None:
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=box_style, facecolor=colour, edgecolor="black", lw=0.8))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=8, **text_kw)

    def arrow(start: tuple[float, float], end: tuple[float, float], bend: str = "arc3", **kw: object) -> None:
        props = {"arrowstyle": "-|>", "color": "black", "lw": 0.9, "connectionstyle": bend, **kw}
        ax.annotate("", xy=end, xytext=start, arrowprops=props)

    box(0.1, 1.9, 1.5, 1.0, "augmented\nimage\n(B, C, H, W)", pale)
    box(2.3, 1.5, 2.0, 2.7, "student (DeiT)\n\ntokens\n[class, distillation,\npatches]\n\nblocks, norm", pale)
    box(5.0, 3.15, 1.8, 0.8, "head\n(token 0)", _COLOURS["class"], color="white")
    box(5.0, 1.75, 1.8, 0.8, "head_dist\n(token 1)", _COLOURS["distillation"], color="white")
    box(2.3, 0.1, 2.0, 0.9, "teacher (CNN)\nfrozen, no gradient", grey)
    box(5.0, 0.1, 1.8, 0.9, "argmax of its\nlogits: y_t", grey)
    box(7.5, 3.15, 1.9, 0.8, "CE(class logits, y)", "white")
    box(7.5, 1.75, 1.9, 0.8, "CE(distillation\nlogits, y_t)", "white")
    box(10.0, 2.2, 1.9, 1.3, f"loss =\n{1 - weight:g} * CE(class)\n+ {weight:g} * CE(distill.)", "#fff2cc")

    arrow((1.6, 2.6), (2.3, 2.6))
    arrow((1.0, 1.9), (2.3, 0.55), bend="angle,angleA=-90,angleB=180,rad=0")
    arrow((4.3, 3.55), (5.0, 3.55))
    arrow((4.3, 2.15), (5.0, 2.15))
    arrow((4.3, 0.55), (5.0, 0.55))
    arrow((6.8, 3.55), (7.5, 3.55))
    arrow((6.8, 2.15), (7.5, 2.15))
    arrow((6.8, 0.55), (8.45, 1.75), bend="angle,angleA=0,angleB=90,rad=0")
    ax.text(8.45, 4.25, "true label y", ha="center", va="bottom", fontsize=8)
    arrow((8.45, 4.25), (8.45, 3.95))
    ax.text(8.55, 0.6, "y_t", ha="left", va="bottom", fontsize=8)
    arrow((9.4, 3.55), (10.0, 3.1))
    arrow((9.4, 2.15), (10.0, 2.6))
    ax.text(
        6.0,
        -0.3,
        "Training. At test time the teacher is gone and the two heads' logits are averaged.",
        ha="center",
        va="top",
        fontsize=8,
        style="italic",
    )
    ax.set_xlim(0, 12.0)
    ax.set_ylim(-0.7, 4.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Hard distillation through the distillation token", fontsize=10)
    return fig


def plot_special_token_maps(
    images: torch.Tensor,
    class_maps: torch.Tensor,
    distillation_maps: torch.Tensor,
    *,
    labels: Sequence[str] | None = None,
    title: str = "Where the two special tokens look",
    ink_shares: torch.Tensor | None = None,
) -> Figure:
    """Per image: the class token's map beside the distillation token's, ``(B, rows, cols)`` each.

    ``ink_shares`` ``(B, 2)`` (optional): each map's share on inked patches, printed in its panel's title.
    """
    for name, maps in (("class_maps", class_maps), ("distillation_maps", distillation_maps)):
        if not isinstance(maps, torch.Tensor) or maps.dim() != 3:
            raise ValueError(f"{name} must be (B, rows, cols), got {getattr(maps, 'shape', maps)}")
    if ink_shares is not None and tuple(ink_shares.shape) != (len(class_maps), 2):
        raise ValueError(f"ink_shares must be (B, 2) = ({len(class_maps)}, 2), got {tuple(ink_shares.shape)}")
    titles = ["class token", "distillation token"]
    fig = plot_map_columns(
        images, torch.stack([class_maps, distillation_maps], dim=1), titles=titles, labels=labels, title=title
    )
    if ink_shares is not None:
        for row, shares in enumerate(ink_shares.tolist()):
            for column, share in enumerate(shares):
                ax = fig.axes[3 * row + 1 + column]
                head = f"{titles[column]}\n" if row == 0 else ""
                ax.set_title(f"{head}{share:.0%} on ink", fontsize=8)
    return fig


def plot_teacher_targets(
    teacher_logits: torch.Tensor,
    *,
    temperatures: Sequence[float] = (1.0, 3.0, 10.0),
    title: str | None = None,
    true_label: int | None = None,
    scale: float = 1.0,
) -> Figure:
    """What the student learns from one image's teacher logits ``(classes,)``: hard distillation's
    one-hot argmax beside soft distillation's ``softmax(logits / tau)`` at each temperature ``tau``
    (``title``: the picture's title, by default one that names the argmax; ``true_label``, if given,
    is marked "true" in every panel, so a hard target that drops it shows the loss; ``scale`` multiplies the size
    and the text, e.g. 1.8 for a widget drawn at 80 dpi)."""
    if not isinstance(teacher_logits, torch.Tensor) or teacher_logits.dim() != 1:
        shape = getattr(teacher_logits, "shape", teacher_logits)
        raise ValueError(f"teacher_logits must be one image's (classes,) logits, got {shape}")
    if not temperatures or any(tau <= 0 for tau in temperatures):
        raise ValueError(f"temperatures must be positive, got {list(temperatures)}")
    logits = teacher_logits.detach().double()
    classes = logits.numel()
    top = int(logits.argmax())
    panels = [("hard: one-hot argmax", torch.nn.functional.one_hot(torch.tensor(top), classes).double(), "#444444")]
    panels += [
        (f"soft: softmax(Z_t / {tau:g})", (logits / tau).softmax(-1), _COLOURS["distillation"]) for tau in temperatures
    ]
    fig = new_figure(figsize=(scale * (2.1 * len(panels) + 0.3), scale * 2.3), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True)
    for ax, (name, values, colour) in zip(axes, panels, strict=True):
        ax.bar(range(classes), values.tolist(), color=colour)
        ax.bar([top], [values[top].item()], color=_COLOURS["class"])
        if true_label is not None:
            height = values[true_label].item()
            ax.plot([true_label], [height + 0.06], marker="v", color="#2ca02c", markersize=6 * scale)
            ax.text(true_label, height + 0.11, "true", ha="center", fontsize=7 * scale, color="#2ca02c")
        ax.set_title(name, fontsize=9 * scale)
        ax.set_xticks(range(classes))
        ax.tick_params(labelsize=7 * scale)
        ax.set_xlabel("class", fontsize=8 * scale)
        ax.set_ylim(0, 1.05)
    axes[0].set_ylabel("target probability", fontsize=8 * scale)
    default = f"One teacher output (its argmax, class {top}, in red): the target of each kind of distillation"
    fig.suptitle(default if title is None else title, fontsize=10 * scale)
    return fig


def plot_seed_accuracies(accuracies: dict[str, Sequence[float]], *, names: dict[str, str] | None = None) -> Figure:
    """Test accuracy of each model (a column) on each seed (a dot, the same seed joined by a grey line),
    from ``{model: [accuracy per seed]}`` in ``[0, 1]``, e.g. ``benchmark_results()["test_accuracy"]``.
    ``names`` relabels the columns."""
    models = list(accuracies)
    counts = {len(values) for values in accuracies.values()}
    if not models or len(counts) != 1 or 0 in counts:
        raise ValueError(f"accuracies must give every model the same number (> 0) of seeds, got {dict(accuracies)}")
    (seeds,) = counts
    names = names or {}
    fig = new_figure(figsize=(1.4 * len(models) + 1.6, 2.6), layout="constrained")
    ax = fig.subplots()
    for seed in range(seeds):
        values = [100 * accuracies[model][seed] for model in models]
        ax.plot(range(len(models)), values, color="#bbbbbb", lw=1, zorder=1)
        ax.scatter(range(len(models)), values, color="#444444", s=18, zorder=2, label="one seed" if seed == 0 else None)
    means = [100 * sum(accuracies[model]) / seeds for model in models]
    ax.scatter(range(len(models)), means, marker="_", s=400, color=_COLOURS["class"], zorder=3, label="mean")
    ax.set_xticks(range(len(models)), [names.get(model, model) for model in models], fontsize=8)
    ax.set_xlim(-0.5, len(models) - 0.5)
    lowest = min(100 * value for values in accuracies.values() for value in values)
    bottom = max(0, 5 * int(lowest // 5) - 5)  # a round number at least 5 points below every dot
    ax.set_ylim(bottom, 100)
    ax.set_yticks(range(bottom, 101, 5 if 100 - bottom <= 40 else 10))  # the first tick is the axis' start
    ax.set_ylabel(f"test accuracy (%)\n(axis starts at {bottom} %)" if bottom else "test accuracy (%)", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title(f"Test accuracy, {seeds} seeds (a grey line joins one seed's models)", fontsize=9)
    return fig


def _legend_box(label: str, edgecolor: str, **style: object) -> Rectangle:
    return Rectangle((0, 0), 1, 1, fill=False, edgecolor=edgecolor, label=label, **style)


def _slice_legend(special_tokens: int, tokens: int) -> list[Rectangle]:
    """The legend entries of :func:`plot_slice_matrix`: the patch columns, the rows, the slip."""
    legend = [
        _legend_box(
            f"keys {special_tokens} to {tokens - 1}: the {tokens - special_tokens} patches", "#2ca02c", lw=1.2, ls="--"
        ),
        _legend_box(f"[:, :, 0, {special_tokens}:]  row 0: the class token's map", _COLOURS["class"], lw=2.0),
    ]
    if special_tokens == 2:
        legend.append(
            _legend_box("[:, :, 1, 2:]  row 1: the distillation token's map", _COLOURS["distillation"], lw=2.0)
        )
        slip = Rectangle((0, 0), 1, 1, facecolor="none", edgecolor="#ff7f0e", hatch="////")
        slip.set_label("[:, :, 0, 1:] also keeps this column (key 1): the slip")
        legend.append(slip)
    return legend


def _slice_zoom(
    ax,
    weights: torch.Tensor,
    special_tokens: int,
    vmax: float,
    keys: int = 6,
    mark_key: int | None = None,
    what: str = "one head",
    note: str = "",
) -> None:
    """The top-left corner, rows ``0..special_tokens - 1`` by keys ``0..keys - 1``, large, each weight
    written in its cell, with the same boxes as the full matrix."""
    rows, keys = special_tokens, min(keys, weights.shape[1])
    corner = weights[:rows, :keys].detach().double()
    from matplotlib.colors import PowerNorm  # the full matrix's square-root scale: weights near 0.01 still grey

    ax.imshow(corner.numpy(), cmap="Greys", interpolation="nearest", norm=PowerNorm(0.5, 0, vmax))
    for row in range(rows):
        for key in range(keys):
            value = float(corner[row, key])
            ink = "white" if value > 0.4 * vmax else "black"
            ax.text(key, row, f"{value:.3f}", ha="center", va="center", fontsize=7, color=ink)
    start, end, pad = special_tokens - 0.5, keys - 0.5, 0.05  # boxes drawn just inside their cells, unclipped
    for row, token in enumerate(("class", "distillation")[:special_tokens]):  # each special token's patch row
        ax.add_patch(
            Rectangle(
                (start + pad, row - 0.5 + pad),
                end - start - 2 * pad,
                1 - 2 * pad,
                fill=False,
                edgecolor=_COLOURS[token],
                lw=2.0,
                clip_on=False,
            )
        )
    if special_tokens == 2:
        ax.add_patch(
            Rectangle(
                (0.5 + pad, -0.5 + pad),
                1 - 2 * pad,
                1 - 2 * pad,
                facecolor="none",
                edgecolor="#ff7f0e",
                hatch="////",
                lw=1.5,
                clip_on=False,
            )
        )
    names = ["0 cls", "1 dist"][:special_tokens]
    ax.set_xticks(range(keys), [*(n.replace(" ", "\n") for n in names), *map(str, range(special_tokens, keys))])
    ax.set_yticks(range(rows), names)
    ax.tick_params(labelsize=7)
    title = f"zoom: rows 0-{rows - 1}, keys 0-{keys - 1} (the boxes go on to key {weights.shape[1] - 1})"
    if mark_key is not None and mark_key >= keys:  # the marked key lies right of the corner: its row-0 weight
        weight = float(weights[0, mark_key])
        title += f"\nrow 0's weight on the marked key {mark_key}, outside the zoom: {weight:.2f} ({what})"
        title += f"\n{note}" if note else ""
    ax.set_title(title, fontsize=8)


def plot_slice_matrix(
    weights: torch.Tensor,
    *,
    special_tokens: int = 2,
    title: str = "",
    mark_key: int | None = None,
    what: str = "one head",
    mark_note: str = "",
) -> Figure:
    """An ``(N, N)`` attention matrix (one head's, or the heads averaged: ``what`` says which, in the colour
    bar and the zoom's title) as a heatmap (rows: queries, columns: keys) with the
    patch columns boxed (``fig.axes[0]``); above it, the top-left corner (the special tokens' rows,
    keys 0-5) zoomed (the last axes), each weight written in its cell, with the Q&A's slices boxed:
    row 0 from column ``special_tokens`` on (``[:, :, 0, 2:]``, the class token's map), row 1 likewise
    (the distillation token's, with two special tokens), and the slip ``[:, :, 0, 1:]`` (one column too
    many) hatched. Ticks at 0, every 10 tokens and N - 1 (the zoom and the legend name the
    patches' first column); ``mark_key`` (a key index) gets its own tick and a marker, and ``mark_note``
    (e.g. where the stripe comes from: "head 1 alone: 0.70") follows its weight in the zoom's title."""
    if not isinstance(weights, torch.Tensor) or weights.dim() != 2 or weights.shape[0] != weights.shape[1]:
        raise ValueError(f"weights must be an (N, N) matrix, got {getattr(weights, 'shape', weights)}")
    if special_tokens not in (1, 2):
        raise ValueError(f"special_tokens must be 1 (ViT) or 2 (DeiT), got {special_tokens}")
    tokens = weights.shape[0]
    fig = new_figure(figsize=(6.4, 7.6), layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[1.0, 3.6])
    ax = fig.add_subplot(grid[1])  # fig.axes[0]: the whole matrix
    vmax = float(weights.max())
    from matplotlib.colors import PowerNorm  # a square-root scale: the class row's ~0.02 shows beside a 0.3 stripe

    image = ax.imshow(
        weights.detach().double().numpy(), cmap="Greys", interpolation="nearest", norm=PowerNorm(0.5, 0, vmax)
    )
    fig.colorbar(image, ax=ax, shrink=0.8, label=f"weight, {what}\n(square-root scale; each row sums to 1)")
    end = tokens - 0.5
    start = special_tokens - 0.5

    def box(x0: float, y0: float, x1: float, y1: float, **style: object) -> None:
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, **style))

    # every query's patch columns, the slice's row 0 and (on a DeiT) row 1, thick so one row of 51 shows beside a
    # dark stripe, and the corner the zoom enlarges; the slip's column is drawn in the zoom only
    box(start, -0.5, end, end, edgecolor="#2ca02c", lw=1.2, ls="--")
    box(start, -0.5, end, 0.5, edgecolor=_COLOURS["class"], lw=2.0, clip_on=False, zorder=4)
    if special_tokens == 2:
        box(start, 0.5, end, 1.5, edgecolor=_COLOURS["distillation"], lw=2.0, clip_on=False, zorder=4)
    box(-0.5, -0.5, min(6, tokens) - 0.5, special_tokens - 0.5, edgecolor="black", lw=1.0, ls=":")
    legend = _slice_legend(special_tokens, tokens)
    fig.legend(handles=legend, loc="outside lower center", ncols=1, fontsize=9, frameon=False)
    _slice_ticks(ax, tokens, mark_key)
    fig.suptitle(title or f"Attention weights ({what}), N = {tokens}", fontsize=10)
    ax.set_title(f"the whole {tokens} x {tokens} matrix (dotted: the corner zoomed above)", fontsize=8)
    _slice_zoom(fig.add_subplot(grid[0]), weights, special_tokens, vmax, mark_key=mark_key, what=what, note=mark_note)
    return fig


def _slice_ticks(ax: Axes, tokens: int, mark_key: int | None) -> None:
    """The whole matrix's ticks and axis labels; ``mark_key`` gets its own tick, a marker and an orange label."""
    ticks = sorted({0, *range(10, tokens - 5, 10), tokens - 1})  # no tick at the patches' start: 0 and 2 crowd
    ax.set_yticks(ticks, map(str, ticks), fontsize=7)
    if mark_key is not None:
        if not 0 <= mark_key < tokens:
            raise ValueError(f"mark_key must be a key index in 0..{tokens - 1}, got {mark_key}")
        ticks = sorted({*(t for t in ticks if abs(t - mark_key) > 2), mark_key})
        ax.plot([mark_key], [tokens - 0.5], marker="^", color="#ff7f0e", markersize=7, clip_on=False, zorder=5)
    ax.set_xticks(ticks, map(str, ticks), fontsize=7)
    for label in ax.get_xticklabels():
        if mark_key is not None and label.get_text() == str(mark_key):
            label.set_color("#ff7f0e")
            label.set_fontweight("bold")
    ax.set_xlabel("key (the token read)", fontsize=8)
    ax.set_ylabel("query (the token reading)", fontsize=8)


_CHAIN_PATCH, _CHAIN_HOOK, _CHAIN_PALE, _CHAIN_GREY = "#ff7f0e", "#2ca02c", "#f3f3f3", "#dddddd"


def _chain_box(ax: Axes, x: float, y: float, w: float, h: float, text: str, colour: str, **text_kw: object) -> None:
    """A rounded box at ``(x, y)`` of size ``w`` x ``h`` with ``text`` centred in it."""
    style = "round,pad=0.02,rounding_size=0.08"
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=style, facecolor=colour, edgecolor="black", lw=0.8))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=8, **text_kw)


def _chain_arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str = "", **kw: object) -> None:
    """An arrow from ``start`` to ``end``, with an italic ``label`` beside its middle if given."""
    props = {"arrowstyle": "-|>", "color": "black", "lw": 0.9, **kw}
    ax.annotate("", xy=end, xytext=start, arrowprops=props)
    if label:
        middle = ((start[0] + end[0]) / 2 + 0.08, (start[1] + end[1]) / 2)
        ax.text(*middle, label, fontsize=7, ha="left", va="center", style="italic")


def _draw_call_side(ax: Axes) -> None:
    """The call chain's left half: timm's Block, ``nn.Module.__call__`` and the two forwards it may run."""
    patch_colour, pale = _CHAIN_PATCH, _CHAIN_PALE
    _chain_box(
        ax,
        0.2,
        5.0,
        5.8,
        0.9,
        "timm Block (versions: appendix A):  x + self.attn(self.norm1(x),\nattn_mask=attn_mask, is_causal=is_causal)",
        pale,
    )
    _chain_box(
        ax,
        0.2,
        3.5,
        5.8,
        0.9,
        "nn.Module.__call__: pre-hooks, then the forward it finds\n"
        "(instance attribute first, then the class), then forward hooks",
        pale,
    )
    _chain_box(
        ax,
        0.2,
        1.6,
        2.7,
        1.2,
        "instance's forward\nattn.forward = my_forward\n(the patch: recomputes\nattention, stores attn_map)",
        patch_colour,
    )
    _chain_box(ax, 3.3, 1.6, 2.7, 1.2, "class's forward\nAttention.forward\n(no patch on the instance)", pale)
    _chain_arrow(ax, (3.1, 5.0), (3.1, 4.4))
    _chain_arrow(ax, (1.55, 3.5), (1.55, 2.8), "patched")
    _chain_arrow(ax, (4.65, 3.5), (4.65, 2.8), "not patched")


def _draw_forward_paths(ax: Axes) -> None:
    """The call chain's right half: the class forward's fused path and its unfused path with the hook."""
    hook_colour, pale, grey = _CHAIN_HOOK, _CHAIN_PALE, _CHAIN_GREY
    _chain_box(
        ax,
        7.0,
        4.3,
        5.0,
        1.2,
        "fused_attn = True (default), one function call:\nF.scaled_dot_product_attention(q, k, v,\n"
        "attn_mask, is_causal): returns only the output,\nno module inside, nothing to hook",
        grey,
    )
    _chain_box(ax, 7.0, 2.3, 1.5, 0.9, "(q * scale)\n@ k.T (+ mask)", pale)
    _chain_box(ax, 8.8, 2.3, 1.4, 0.9, ".softmax(-1)\ntensor method:\nno hook", pale)
    _chain_box(ax, 10.5, 2.3, 1.5, 0.9, "self.attn_drop\nnn.Dropout", hook_colour, color="white")
    _chain_box(ax, 8.8, 0.6, 3.2, 0.8, "forward hook on attn_drop:\nits output is the weights", "white")
    _chain_arrow(ax, (6.0, 2.5), (7.0, 4.6), "fused_attn = True")
    _chain_arrow(ax, (6.0, 2.2), (7.0, 2.6))
    ax.text(6.25, 2.05, "False", fontsize=7, ha="left", va="top", style="italic")
    _chain_arrow(ax, (8.5, 2.75), (8.8, 2.75))
    _chain_arrow(ax, (10.2, 2.75), (10.5, 2.75))
    _chain_arrow(ax, (11.25, 2.3), (11.25, 1.4), color=hook_colour)
    _chain_box(ax, 12.3, 2.3, 1.0, 0.9, "@ v,\nproj", pale)  # the rest of the unfused path, after the weights
    _chain_arrow(ax, (12.0, 2.75), (12.3, 2.75))


def plot_attention_call_chain() -> Figure:
    """The call chain sections 3 and 4 rely on, as a diagram: a timm block calls
    ``self.attn(norm1(x), attn_mask=..., is_causal=...)``; ``nn.Module.__call__`` runs the ``forward``
    it finds on the instance (the monkey-patch) before the class's; the class's ``forward`` takes the
    fused path (``F.scaled_dot_product_attention``: no module inside, nothing to hook) or the unfused
    one (``softmax``, a tensor method, then ``attn_drop``, the module a forward hook attaches to).
    """
    fig = new_figure(figsize=(10.0, 4.2), layout="constrained")
    ax = fig.subplots()
    _draw_call_side(ax)
    _draw_forward_paths(ax)
    ax.set_xlim(0, 13.5)
    ax.set_ylim(0.3, 6.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Where the patch and a hook enter timm's attention", fontsize=10)
    return fig


_ANSWER_COLOURS = {"the teacher's label": "#1f77b4", "the true label": "#2ca02c", "another class": "#bbbbbb"}


def plot_teacher_mistakes(
    images: torch.Tensor,
    labels: torch.Tensor,
    teacher_labels: torch.Tensor,
    predictions: dict[str, torch.Tensor],
    *,
    shown: int = 8,
) -> Figure:
    """The digits a teacher gets wrong, and what each student head says there.

    ``images`` (M, 1, H, W), ``labels`` and ``teacher_labels`` (M,): only digits where the two differ;
    ``predictions``: ``{head name: (M,) predicted class}``. Top: the first ``shown`` digits, each titled with
    its label and the teacher's; bottom: per head, how many of the M digits get the teacher's label, the true
    label, or another class.
    """
    if len(images) == 0 or not torch.all(labels != teacher_labels):
        raise ValueError("images must be digits the teacher gets wrong (labels != teacher_labels everywhere), >= 1")
    shown = min(shown, len(images))
    fig = new_figure(figsize=(7.0, 3.4), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 1.3])
    for ax, image, label, said in zip(top.subplots(1, shown), images, labels, teacher_labels, strict=False):
        ax.imshow(image[0], cmap="gray_r")
        ax.set_title(f"a {int(label)}\nteacher: {int(said)}", fontsize=7)
        ax.set_axis_off()
    ax = bottom.subplots()
    for row, predicted in enumerate(predictions.values()):
        counts = {
            "the teacher's label": int((predicted == teacher_labels).sum()),
            "the true label": int((predicted == labels).sum()),
        }
        counts["another class"] = len(predicted) - sum(counts.values())
        left = 0
        for answer, count in counts.items():
            ax.barh(row, count, left=left, color=_ANSWER_COLOURS[answer], label=answer if row == 0 else None)
            if count:
                ax.text(left + count / 2, row, str(count), ha="center", va="center", fontsize=7)
            left += count
    ax.set_yticks(range(len(predictions)), list(predictions), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"of the {len(images)} digits the teacher gets wrong, the head says ...", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=7, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return fig


def plot_map_agreement(similarity: torch.Tensor, ink_difference: torch.Tensor) -> Figure:
    """Two histograms over digits: the cosine similarity of the class token's and the distillation token's
    maps (``similarity``, (M,)), and the class map's ink share minus the distillation map's, in points
    (``ink_difference``, (M,)), with a line at 0."""
    if similarity.shape != ink_difference.shape or similarity.dim() != 1 or len(similarity) == 0:
        raise ValueError(
            f"similarity and ink_difference must be one value per digit, (M,), got {tuple(similarity.shape)} "
            f"and {tuple(ink_difference.shape)}"
        )
    fig = new_figure(figsize=(7.0, 2.4), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.hist(similarity.numpy(), bins=30, range=(0.0, 1.0), color="#777777")
    left.axvline(float(similarity.median()), color="k", lw=1, ls="--", label="median")
    left.set_xlabel("cosine similarity of the two maps", fontsize=8)
    left.set_ylabel("digits", fontsize=8)
    left.legend(fontsize=7, loc="upper left")
    right.hist(ink_difference.numpy(), bins=30, color=_COLOURS["class"], alpha=0.8)
    right.axvline(0.0, color="k", lw=1)
    right.set_xlabel("ink share: class map - distillation map (points)", fontsize=8)
    for ax in (left, right):
        ax.tick_params(labelsize=7)
    fig.suptitle(f"Per digit, {len(similarity)} validation digits (last block, heads averaged)", fontsize=9)
    return fig


def _relabel_bars(
    ax: Axes,
    i: int,
    values: Sequence[tuple[float, float, float]],
    colour: str,
    *,
    control: bool,
    small: bool,
    first: bool,
    once: bool = False,
) -> None:
    """One arm's bars at group position ``i``: a bar per seed with its interval whisker, its value above and its
    seed label below; the control arm (``control``: the teacher unchanged) hatched and paler, a height-0 bar shown
    by a dot on the axis (hollow for the control). ``once``: the arm is one model for every seed (the planted
    teacher): where its seeds' values agree, one bar, labelled "every seed". ``first``: the legend entry on
    this axes' first bar of one seed."""
    hatch = "////" if control else None
    once = once and len(values) > 1 and len(set(values)) == 1  # one model for every seed: one bar
    values = values[:1] if once else values
    width = 0.8 / len(values) if not once else 0.8 / 3
    for seed, (estimate, low, high) in enumerate(values):
        x = i - 0.4 + width * (seed + 0.5) if not once else i
        error = [[100 * (estimate - low)], [100 * (high - estimate)]]
        legend = first and seed == 0 and not once and not ax.get_legend_handles_labels()[1]
        label = "one seed (bar), 95 % interval (whisker)" if legend else None
        ax.bar(x, 100 * estimate, width * 0.9, color=colour, alpha=0.55 if hatch else 1.0, hatch=hatch, yerr=error,
               capsize=2, error_kw={"lw": 0.8}, label=label)  # fmt: skip
        if estimate == 0:
            face = "white" if hatch else colour
            ax.plot(x, 0, "o", ms=6, mew=1.5, color=colour, markerfacecolor=face, clip_on=False, zorder=4)
        ax.text(x, 100 * high + 2, f"{100 * estimate:.0f}", ha="center", fontsize=8)
        ax.text(x, -2, "every seed" if once else f"s{seed}", ha="center", va="top", fontsize=8, clip_on=False)


def relabel_bars(arms: dict) -> dict[str, list[tuple[float, float, float]]]:
    """Section 3b's 40-epoch bar groups from ``relabel_ablation()["arms"]``, for ``plot_relabel_ablation``.

    The three 7 -> 1 groups (distillation head, class head, averaged output) all come from the 40-epoch rerun,
    ``arms["relabel-rerun"]``, the runs that record the averaged output; the last group is its control, rerun
    beside it (``arms["control-rerun"]``, the teacher unchanged; then the names carry no run-set tag, one run set),
    or, where no control rerun is stored, ``arms["control"]``, the first runs, labelled "(first runs)" and preceded
    by their own run set's 7 -> 1 distillation head (``arms["relabel"]``), so each control stands beside the
    treatment it ran with (the groups from the rerun then say "(rerun)"): a validation 7 called 1 by either head.
    Each group holds, per
    seed, (share, Wilson 95 % low, high) of the validation 7s called 1, from ``vit_explained.evidence.proportion``.
    """
    from ..evidence import proportion

    rerun = arms["relabel-rerun"]["runs"]
    control = arms.get("control-rerun", arms["control"])["runs"]
    groups = (("distillation head", "distillation"), ("class head", "class"), ("averaged output", "averaged"))
    tag = "" if "control-rerun" in arms else " (rerun)"  # one run set: no tag
    shares = {f"{who}, 7 → 1 teacher{tag}": [proportion(r[f"{key}_says_1"]) for r in rerun] for who, key in groups}
    control_name = "either head, unchanged teacher" + ("" if "control-rerun" in arms else " (first runs)")
    if "control-rerun" not in arms and "relabel" in arms:  # the control's own run set: its 7 -> 1 distillation head
        first = arms["relabel"]["runs"]
        shares["distillation head, 7 → 1 teacher (first runs)"] = [proportion(r["distillation_says_1"]) for r in first]
    shares[control_name] = [
        proportion([c or d for c, d in zip(run["class_says_1"], run["distillation_says_1"], strict=True)])
        for run in control
    ]
    return {group: [(s.estimate, s.low, s.high) for s in seeds] for group, seeds in shares.items()}


def relabel_teacher(arms: dict) -> list[tuple[float, float, float]]:
    """The planted 7 -> 1 teacher's own share of the 50 validation 7s called 1, per rerun seed, as (share, Wilson
    95 % low, high): the reference group ``plot_relabel_ablation(..., teacher=...)`` draws first."""
    from ..evidence import proportion

    return [
        (s.estimate, s.low, s.high) for s in (proportion(r["teacher_says_1"]) for r in arms["relabel-rerun"]["runs"])
    ]


def seed_gaps(seed_runs: dict[str, Sequence[float]]) -> tuple[object, object, str]:
    """Section 2's two seed comparisons from the stored runs (``benchmark_results()["test_accuracy"]``): DeiT - CNN
    and DeiT - ViT, each a Student's t interval over the per-seed gaps, and the two lines that print them with a
    verdict (no detectable difference when the interval holds 0). Returns ``(gap, gain, lines)``."""
    from vit_explained import evidence

    gap = evidence.paired_seeds(seed_runs["DeiT"], seed_runs["CNN"]).t_interval()
    gain = evidence.paired_seeds(seed_runs["DeiT"], seed_runs["ViT"]).t_interval()
    lines = []
    for name, diff in ((f"DeiT - CNN over {len(seed_runs['DeiT'])} seeds", gap), ("DeiT - ViT alone", gain)):
        verdict = "no detectable difference" if diff.low < 0 < diff.high else "a detectable difference"
        lines.append(
            f"{name}: {100 * diff.estimate:+.1f} points, 95 % t-interval [{100 * diff.low:+.1f}, "
            f"{100 * diff.high:+.1f}]: {verdict}"
        )
    return gap, gain, "\n".join(lines)


def relabel_table(arms: dict, bars: dict[str, list[tuple[float, float, float]]], pooled: bool = True) -> str:
    """Section 3b's table, as printed lines: per group and seed, the count of the 50 validation 7s called 1 with its
    Wilson 95 % interval (``bars`` from :func:`relabel_bars`), the planted teacher's own count first, and the class
    head's count pooled over the seeds with its Wilson upper bound, and the per-digit bound beside it (the pooled
    trials are the same 50 digits read by 3 students, so the pooled bound is optimistic). With ``pooled=False`` the
    last line is the per-digit count alone: the 7s that any seed's class head called 1."""
    from ..evidence import proportion

    def entry(share: float, low: float, high: float) -> str:
        return f"{round(50 * share)} = {100 * share:.0f} % [{100 * low:.1f}, {100 * high:.1f}]"

    rerun = arms["relabel-rerun"]["runs"]
    lines = ["40 epochs: count of the 50 validation 7s called 1 (seeds 0, 1, 2; Wilson 95 %):"]
    teacher = [proportion(run["teacher_says_1"]) for run in rerun]
    lines.append(f"  {'the 7 → 1 teacher itself':<39}" + ", ".join(entry(s.estimate, s.low, s.high) for s in teacher))
    tags = any("(first runs)" in group for group in bars)  # two run sets: each line names its own
    for group, seeds in bars.items():  # heads, averaged output (what DeiT returns); the control's run set; control
        tag = (" (rerun)" if "(rerun)" in group else " (first runs)") if tags else ""
        if "unchanged" in group:
            name = f"unchanged{tag}, either head" if tags else "unchanged teacher, either head"
        else:
            name = f"7 → 1{tag}, {group.split(',')[0]}"
        lines.append(f"  {name:<39}" + ", ".join(entry(*seed) for seed in seeds))
    digit = proportion([any(says) for says in zip(*(run["class_says_1"] for run in rerun), strict=True)])  # any seed
    if not pooled:
        lines.append(
            f"  7 → 1, class head, any of the 3 seeds: {round(digit.estimate * digit.n)} of the {digit.n} "
            f"validation 7s called 1, Wilson 95 % upper bound {100 * digit.high:.1f} %"
        )
        return "\n".join(lines)
    pooled = proportion([says for run in rerun for says in run["class_says_1"]])
    lines.append(
        f"  7 → 1{' (rerun)' if tags else ''}, class head, 3 seeds pooled: {round(pooled.estimate * pooled.n)} of"
        f" {pooled.n} called 1, "
        f"Wilson 95 % upper bound {100 * pooled.high:.1f} % (optimistic: the same {digit.n} 7s read 3 times; per digit,"
        f" {round(digit.estimate * digit.n)} of {digit.n}: {100 * digit.high:.1f} %)"
    )
    return "\n".join(lines)


def _relabel_title(shares: dict, digits: str, epochs: int | None, note: str) -> str:
    """``plot_relabel_ablation``'s title: the question, the digits and length, the seeds and the control's marks."""
    last = max(len(values) for values in shares.values()) - 1  # the last seed's index
    length = f", {epochs}-epoch students" if epochs else ""
    control = "hatched or hollow" if any(v[0] > 0 for a in shares if "unchanged" in a for v in shares[a]) else "hollow"
    return (
        f"A teacher whose answer 7 becomes 1: who copies it? ({digits}{length})\n"
        f"s0-s{last}: seeds 0-{last}; {control}: the teacher unchanged; a dot: 0 %" + (f"\n{note}" if note else "")
    )


#: ``plot_relabel_ablation``'s legend: framed inside, above the middle group (section 3b's class head, all 0 %), or
#: unframed right of the axes
_RELABEL_LEGEND = {
    True: {"loc": "upper center", "bbox_to_anchor": (0.5, 0.8), "framealpha": 1.0},
    False: {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0), "frameon": False},
}


def plot_relabel_ablation(
    shares: dict[str, Sequence[tuple[float, float, float]]],
    *,
    digits: str = "unseen 7s",
    epochs: int | None = None,
    by_head: bool = False,
    note: str = "",
    teacher: Sequence[tuple[float, float, float]] | None = None,
    legend_inside: bool = False,
) -> Figure:
    """The 7 -> 1 ablation: per arm (a group of bars), per seed (a bar, labelled s0, s1, ...), the share of the
    unseen 7s called 1.

    An arm named after a head ("distillation head, ...", "class head, ...") takes that head's colour; an arm
    whose name holds "unchanged" (the control: the teacher unchanged) is hatched and paler.

    ``shares``: ``{arm: [(estimate, low, high) per seed]}`` in ``[0, 1]``, e.g. from
    ``vit_explained.evidence.proportion`` of ``relabel_ablation()``'s runs; the whiskers are the intervals.
    ``digits`` names the digits asked (e.g. "100 test 7s"; the title and the y-axis say it), ``epochs`` the
    students' training length (in the title). ``by_head=True`` draws two rows, the distillation head's arms
    above the class head's, each arm labelled without its head. ``note``: a third title line (e.g. the runs).
    ``teacher``: the planted teacher's own shares, drawn first in black as the reference group.
    ``legend_inside``: the legend framed inside the axes, above the middle group (else right of the axes)."""
    shares = {"the teacher itself, 7 → 1 teacher": teacher, **shares} if teacher else shares
    arms = list(shares)
    if not arms or any(not values for values in shares.values()):
        raise ValueError(f"shares must give every arm at least one seed, got {dict(shares)}")
    distilled = [a for a in arms if a.startswith("distillation")]
    groups = [g for g in (distilled, [a for a in arms if a not in distilled]) if g] if by_head else [arms]
    widest = max(len(group) for group in groups)
    fig = new_figure(figsize=(1.9 * widest + 2.4, 2.5 * len(groups)), layout="constrained")
    axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
    for row, (ax, group) in enumerate(zip(axes, groups, strict=True)):
        for i, arm in enumerate(group):
            head = next((key for key in ("distillation", "class") if arm.startswith(key)), None)
            colour = (
                _COLOURS[head] if head else "black" if arm.startswith("the teacher") else ("#888888", "#444444")[i % 2]
            )
            _relabel_bars(ax, i, shares[arm], colour, control="unchanged" in arm, small=not by_head, first=row == 0,
                          once=arm.startswith("the teacher"))  # fmt: skip
        shown = [arm.split(", ", 1)[1] if by_head and ", " in arm else arm for arm in group]
        names = [
            name.replace(", ", "\n") + ("\n(all 0 %)" if all(v[0] == 0 for v in shares[arm]) else "")
            for name, arm in zip(shown, group, strict=True)
        ]
        ax.set_xticks(range(len(group)), names, fontsize=9)  # "head, teacher"; bars of height 0 say so
        ax.set_xlim(-0.5, widest - 0.5)
        ax.tick_params(axis="x", length=0, pad=11)  # room for the seed labels
        ax.set_ylim(0, 100)  # a share: at most 100 %; the legend sits right of the axes
        ax.set_ylabel(f"{digits} called 1 (%)", fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
        if by_head:
            ax.set_title(f"{group[0].split(',')[0]}", fontsize=9, loc="left")
    axes[0].legend(fontsize=7, **_RELABEL_LEGEND[bool(legend_inside)])
    title = _relabel_title(shares, digits, epochs, note)
    if by_head:
        fig.suptitle(title, fontsize=9)
    else:
        axes[0].set_title(title, fontsize=9, pad=12)  # pad: the values above bars near 100 %
    return fig


def plot_teacher_crops(
    originals: torch.Tensor, crops: torch.Tensor, said: torch.Tensor, truth: torch.Tensor, *, caption: str = ""
) -> Figure:
    """One row per digit: the digit ``originals[r]`` ``(C, H, W)``, then its crops ``crops[r]`` ``(k, C, H, W)``,
    each titled with the teacher's label for that crop ``said[r, i]``; red where it differs from ``truth[r]``.
    ``caption``, if given, is written under the panels (e.g. the rule that picked the crops).
    """
    rows, count = crops.shape[:2]
    fig = new_figure(figsize=(1.25 * (count + 1), 1.45 * rows + 0.3), layout="constrained")
    axes = fig.subplots(rows, count + 1, squeeze=False)
    for r in range(rows):
        axes[r, 0].imshow(originals[r, 0], cmap="gray")
        axes[r, 0].set_title(f"label {int(truth[r])}", fontsize=9)
        for i in range(count):
            differs = int(said[r, i]) != int(truth[r])
            axes[r, i + 1].imshow(crops[r, i, 0], cmap="gray")
            axes[r, i + 1].set_title(f"teacher: {int(said[r, i])}", fontsize=9, color="#d62728" if differs else "black")
        for ax in axes[r]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle(
        "In DeiT, the same random-resized crop goes to student and teacher; here only the teacher labels these crops\n"
        "(red: the teacher's label differs)",
        fontsize=9,
    )
    if caption:
        fig.supxlabel(caption, fontsize=8.5)
    return fig


CROPS_RULE = (
    "Of each digit's 64 crops: the first three keeping under half its ink, then the first three keeping 90 % or more"
)


def teacher_crops(
    teacher: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, pair: Sequence[int] = (1, 3), seed: int = 3
) -> Figure:
    """Appendix B's picture in one call: 64 random-resized crops of each digit ``images[i]`` for ``i`` in ``pair``
    (generator seeded with ``seed``), labelled by ``teacher``; drawn, per digit, the first three crops keeping under
    half its ink, then the first three keeping 90 % or more (:data:`CROPS_RULE`), with :func:`plot_teacher_crops`."""
    from ..distill import ink_kept, random_resized_boxes, random_resized_crops  # lazily: distill is heavy

    generator = torch.Generator().manual_seed(seed)
    crops = torch.stack([random_resized_crops(images[i], 64, generator=generator) for i in pair])  # (2, 64, C, H, W)
    with torch.no_grad():
        said = teacher(crops.flatten(0, 1)).argmax(-1).view(len(pair), 64)
    replay = torch.Generator().manual_seed(seed)  # the same seed again: the boxes those crops were cut from
    height, width = images.shape[-2:]
    kept = torch.stack([ink_kept(images[i], random_resized_boxes(height, width, 64, generator=replay)) for i in pair])
    shown = torch.stack([torch.cat([(k < 0.5).nonzero()[:3, 0], (k >= 0.9).nonzero()[:3, 0]]) for k in kept])
    pick = torch.arange(len(pair))[:, None]  # row r takes its own crops shown[r]
    index = list(pair)
    return plot_teacher_crops(images[index], crops[pick, shown], said[pick, shown], labels[index], caption=CROPS_RULE)

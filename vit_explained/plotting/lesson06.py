"""Figures for lesson 06 (training a small ViT): curves, a confusion matrix, misclassified digits,
the debugging clinic's losses against ln 10, and accuracy against seconds (the benchmark)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ..training import History
from . import new_figure

__all__ = [
    "plot_accuracy_vs_time",
    "plot_attention_axes",
    "plot_augmented_digits",
    "plot_confusion_matrix",
    "plot_digits",
    "plot_digits_with_patches",
    "plot_feature_plane",
    "plot_gradient_ratios",
    "plot_history",
    "plot_losses",
    "plot_lr_grid",
    "plot_misclassified",
    "plot_paired_comparisons",
    "plot_paired_differences",
    "plot_pooling_grid",
    "plot_pooling_seeds",
    "plot_seed_comparison",
    "plot_seed_dots",
    "plot_selection_gaps",
    "plot_shuffle_changes",
    "plot_start_loss",
    "plot_trained_vit_payoff",
    "plot_warmup",
    "plot_weight_decay_paths",
    "position_similarity_by_distance",
]


def _plot_live(ax, epochs, values, colour: str, label: str) -> None:
    """One curve of a run trained in the notebook, dashed with open markers over the stored run's."""
    ax.plot(
        epochs,
        values,
        linestyle="--",
        marker="o",
        markerfacecolor="none",
        markersize=4,
        color=colour,
        alpha=0.7,
        label=label,
    )


def stored_val_loss(history: History, stored_run: Mapping) -> list[float] | None:
    """``stored_run["val_loss"]`` (a stored run's validation loss per epoch) when ``history`` is that run: as
    many epochs and each validation accuracy within 2 of 180 digits of ``stored_run["val_accuracy"]`` (retrained
    on another CPU, a few digits may move). ``None`` for another run (an edited recipe, seed or epoch count)."""
    stored = stored_run["val_accuracy"]
    if len(stored) != len(history):
        return None
    if any(abs(a - b) > 2 / 180 for a, b in zip(stored, history.val_accuracy, strict=True)):
        return None
    return list(stored_run["val_loss"])


def _plot_loss_panel(
    left,
    history: History,
    *,
    val_loss,
    val_label: str = "validation (after the epoch)",
    live: History | None,
    chance: float | None,
    floor: float | None,
    legend_loc: str = "upper right",
) -> None:
    """:func:`plot_history`'s left panel: the training loss, ``val_loss`` and ``live`` when given, and the
    ``chance`` and ``floor`` reference lines; the legend at ``legend_loc``."""
    left.plot(
        history.epoch,
        history.train_loss,
        marker="o",
        markersize=3,
        color="tab:blue",
        label="training (mean over the epoch)",
    )
    if val_loss is not None:
        if len(val_loss) != len(history):
            raise ValueError(f"val_loss needs one value per epoch ({len(history)}), got {len(val_loss)}")
        left.plot(history.epoch, val_loss, marker="s", markersize=3, color="tab:orange", label=val_label)
    if live is not None:
        _plot_live(left, live.epoch, live.train_loss, "tab:blue", f"training, trained here ({len(live)} epochs)")
    left.set(xlabel="epoch", ylabel="cross-entropy", title="loss" if val_loss is not None else "training loss")
    if chance is not None:
        left.axhline(chance, color="gray", linestyle=(0, (1, 1)), linewidth=1, label=f"ln 10 ≈ {chance:.3f} (guessing)")
    if floor is not None:
        left.axhline(
            floor, color="tab:green", linestyle="--", linewidth=1, label=f"{floor:.2f}: floor of label smoothing"
        )
    if chance is not None or floor is not None or val_loss is not None or live is not None:
        left.legend(loc=legend_loc, fontsize=8)


def plot_history(
    history: History,
    title: str = "Training a small ViT",
    *,
    augmented: bool = False,
    chance: float | None = None,
    floor: float | None = None,
    val_loss: Sequence[float] | None = None,
    stored_run: Mapping | None = None,
    live: History | None = None,
    legend_loc: str = "upper right",
) -> Figure:
    """Two panels against epochs: the training loss (and ``val_loss``, one per epoch, when given), and the
    train / validation accuracy.

    ``stored_run``: a stored run's record (``val_loss``, ``val_accuracy`` per epoch); its validation loss is drawn,
    labelled "stored run", only when ``history`` is that run (:func:`stored_val_loss`), else left out and said so.

    ``live``: a second, shorter run (e.g. a few epochs trained in the notebook beside a stored run), drawn over
    the first with dashed lines and open markers and labelled "trained here".

    The train accuracy is the one measured on the training batches during each epoch, while the
    weights still change (on augmented images when the recipe augments: say so with
    ``augmented=True``, it goes into the legend); the validation accuracy is measured after the epoch
    on the validation split (the test split is never read here). ``chance`` (ln K, the loss of
    guessing) and ``floor`` (the lowest loss label smoothing allows) draw labelled reference lines on
    the loss panel; ``legend_loc`` places its legend (e.g. "center right", off a ``chance`` line at the top)."""
    if not isinstance(history, History) or len(history) == 0:
        raise ValueError("history must be a non-empty History returned by vit_explained.training.fit")
    if live is not None and (not isinstance(live, History) or len(live) == 0):
        raise ValueError("live must be a non-empty History returned by vit_explained.training.fit, or None")
    fig = new_figure(figsize=(9, 3.4))
    (left, right) = fig.subplots(1, 2)
    val_label = "validation (after the epoch)"
    if stored_run is not None and val_loss is not None:
        raise ValueError("give val_loss or stored_run (a stored run's record), not both: which curve to draw?")
    if stored_run is not None:
        val_loss, val_label = stored_val_loss(history, stored_run), "validation (stored run, after the epoch)"
    panel = {"live": live, "chance": chance, "floor": floor, "legend_loc": legend_loc}
    _plot_loss_panel(left, history, val_loss=val_loss, val_label=val_label, **panel)
    if stored_run is not None and val_loss is None:
        left.set_title("training loss (the stored validation loss is another run's: not drawn)", fontsize=9)
    right.plot(
        history.epoch,
        np.array(history.train_accuracy) * 100,
        marker="o",
        markersize=3,
        label="train (augmented batches)" if augmented else "train (batches, during the epoch)",
    )
    right.plot(history.epoch, np.array(history.val_accuracy) * 100, marker="s", markersize=3, label="validation")
    if live is not None:
        for values, colour, name in ((live.train_accuracy, "C0", "train"), (live.val_accuracy, "C1", "validation")):
            _plot_live(right, live.epoch, np.array(values) * 100, colour, f"{name}, trained here ({len(live)} epochs)")
    right.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    right.legend(loc="lower right")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_lr_grid(
    lr_runs: Mapping, names: Mapping[str, str], title: str = "Validation accuracy vs learning rate, 400 steps"
) -> Figure:
    """Validation accuracy (%) against the learning rate (log axis) for each stored model ``name: label``: a
    dot per seed and a line through the seeds' means; ``lr_runs`` is ``RUNS["lr"]`` ({"lrs", "val": {lr: {name:
    per-seed accuracies}}})."""
    fig = new_figure(figsize=(5.2, 3.2))
    ax = fig.subplots()
    rates = list(lr_runs["lrs"])
    for index, (name, label) in enumerate(names.items()):
        seeds = np.array([lr_runs["val"][str(lr)][name] for lr in rates], dtype=float) * 100  # (rates, seeds)
        colour = f"C{index}"
        shift = 10 ** (0.09 * (index - (len(names) - 1) / 2))  # each model a little apart on the log axis
        x = np.asarray(rates, dtype=float) * shift
        ax.plot(x, seeds.mean(axis=1), marker="o", markerfacecolor="none", color=colour, label=f"{label} (mean)")
        for seed, column in enumerate(seeds.T):  # the seeds spread sideways so that none hides behind the mean
            ax.scatter(x * 10 ** (0.035 * (seed - (seeds.shape[1] - 1) / 2)), column, s=12, color=colour, alpha=0.6)
    ax.set_xscale("log")
    ax.set_xticks(rates, [f"{lr:g}" for lr in rates])
    ax.minorticks_off()
    ax.set(xlabel="learning rate (AdamW)", ylabel="validation accuracy (%)", title=title, ylim=(0, 100))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", title="dots: seeds 0-2")
    fig.tight_layout()
    return fig


def plot_lr_schedule(
    learning_rates: Sequence[float], steps_per_epoch: int, title: str = "The learning rate of every step"
) -> Figure:
    """The learning rate of every optimizer step against epochs (step / ``steps_per_epoch``), so it
    lines up with :func:`plot_history`'s epoch axis: the warm-up's ramp, then the cosine decay to 0.
    The warm-up's end (the largest rate) is marked."""
    rates = np.asarray(learning_rates, dtype=float)
    if rates.ndim != 1 or len(rates) == 0 or not np.isfinite(rates).all() or (rates < 0).any():
        raise ValueError("learning_rates must be a non-empty 1-D sequence of finite rates >= 0, one per step")
    if int(steps_per_epoch) < 1:
        raise ValueError(f"steps_per_epoch must be a positive integer, got {steps_per_epoch!r}")
    epochs = np.arange(len(rates)) / int(steps_per_epoch)
    fig = new_figure(figsize=(4.6, 2.6))
    ax = fig.subplots()
    ax.plot(epochs, rates, color="tab:purple", linewidth=1.6, label="lr of each step")
    peak = int(rates.argmax())
    ax.axvline(epochs[peak], color="gray", linestyle=(0, (1, 1)), linewidth=1, label=f"warm-up ends (step {peak})")
    ax.set(xlabel="epoch", ylabel="learning rate", title=title)
    ax.set_ylim(0, rates.max() * 1.1 if rates.max() > 0 else 1)
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)  # 0 to 0.01 read directly, no "1e-2" offset
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def plot_weight_decay_paths(
    paths: Mapping[float, Mapping[str, Sequence[float]]], title: str = "One weight under gradient noise"
) -> Figure:
    """One panel per gradient-noise scale σ (the keys of ``paths``): the weight after each step, one line per
    optimizer (for example "no decay", "Adam, wd 0.05", "AdamW, wd 0.05"), each path starting at step 0."""
    if not paths or any(not lines for lines in paths.values()):
        raise ValueError("paths must map at least one noise scale to at least one weight path")
    fig = new_figure(figsize=(1.0 + 3.3 * len(paths), 2.8))  # 7.6 wide for two panels
    axes = np.atleast_1d(fig.subplots(1, len(paths), sharey=True))
    # Each later line thinner, drawn on top: where two paths coincide (Adam and AdamW at σ = 1, Adam and no decay
    # at σ = 10) both show, the first as a wide grey band.
    styles = (("darkgray", "-", 5.0), ("tab:red", "-", 2.4), ("tab:blue", "--", 1.6), ("tab:green", ":", 1.6))
    for ax, (sigma, lines) in zip(axes, paths.items(), strict=True):
        for (colour, style, width), (label, path) in zip(styles, lines.items(), strict=False):
            values = np.asarray(path, dtype=float)
            if values.ndim != 1 or len(values) < 2 or not np.isfinite(values).all():
                raise ValueError(f"the path {label!r} at σ = {sigma:g} must be at least 2 finite weights")
            ax.plot(np.arange(len(values)), values, color=colour, linestyle=style, linewidth=width, label=label)
        ax.set(xlabel="step", title=f"gradient noise σ = {sigma:g}")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("weight")
    axes[0].legend(fontsize=8, loc="lower left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def smoothed_targets(epsilon: float, classes: int, true_class: int = 0) -> dict[str, np.ndarray]:
    """Label smoothing's target over ``classes`` for one label, in both conventions: PyTorch's
    ``CrossEntropyLoss(label_smoothing=epsilon)`` (epsilon/K on every class, so the true one keeps
    1 - epsilon + epsilon/K) and exercise 5's (1 - epsilon on the true class, epsilon/(K - 1) on each other one)."""
    if not 0 <= epsilon <= 1 or classes < 2 or not 0 <= true_class < classes:
        raise ValueError(
            f"need 0 <= epsilon <= 1, K >= 2 and 0 <= true_class < K; got {epsilon}, {classes}, {true_class}"
        )
    pytorch = np.full(classes, epsilon / classes)
    pytorch[true_class] += 1 - epsilon
    others = np.full(classes, epsilon / (classes - 1))
    others[true_class] = 1 - epsilon
    return {"PyTorch: eps/K on every class": pytorch, "exercise 5: eps/(K-1) on each other class": others}


def label_smoothing_floor(epsilon: float, classes: int) -> float:
    """The lowest cross-entropy PyTorch's ``label_smoothing=epsilon`` allows over ``classes``: the entropy (nats)
    of its target (:func:`smoothed_targets`), reached when the softmax equals that target."""
    target = smoothed_targets(epsilon, classes)["PyTorch: eps/K on every class"]
    return float(-sum(p * math.log(p) for p in target if p > 0))


def plot_smoothed_target(epsilon: float = 0.1, classes: int = 10, true_class: int = 3) -> Figure:
    """Bars of :func:`smoothed_targets` (both conventions side by side, one bar pair per class), with the one-hot
    target's 1 dotted: what the loss is trained against for a digit ``true_class``. Right: the same bars with the
    y axis cut at 1.5 x epsilon/(K - 1), where the other classes' small shares can be told apart."""
    targets = smoothed_targets(epsilon, classes, true_class)
    fig = new_figure(figsize=(7.4, 3.2))
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1, 1)})
    x, width = np.arange(classes), 0.4
    for ax, top in zip(axes, (1.35, 1.5 * epsilon / (classes - 1) if epsilon > 0 else 1.35), strict=True):
        for shift, colour, (label, target) in zip(
            (-0.2, 0.2), ("tab:blue", "tab:orange"), targets.items(), strict=True
        ):
            ax.bar(x + shift, target, width, color=colour, label=f"{label} (true {target[true_class]:.2f})")
        ax.set(xticks=x, xlabel="class", ylim=(0, top))
        ax.grid(axis="y", alpha=0.3)
    axes[0].axhline(1, color="gray", linestyle=":", linewidth=1, label="one-hot target: 1 on the true class")
    axes[0].set(ylabel="target probability", title=f"eps = {epsilon}, K = {classes}, true class {true_class}")
    axes[1].set_title(f"zoomed: each other class {epsilon / classes:.4f} or {epsilon / (classes - 1):.4f}", fontsize=10)
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    fig.legend(*axes[0].get_legend_handles_labels(), fontsize=8, loc="lower center", ncol=2, frameon=False)
    return fig


def plot_confusion_matrix(matrix: np.ndarray | torch.Tensor, title: str = "Confusion matrix") -> Figure:
    """A ``(K, K)`` confusion matrix (row = true class, column = predicted class) with counts."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square (K, K), got shape {matrix.shape}")
    classes = matrix.shape[0]
    fig = new_figure(figsize=(5.2, 4.6))
    ax = fig.subplots()
    off_diagonal = matrix * (1 - np.eye(classes, dtype=matrix.dtype))
    shown = np.where(np.eye(classes, dtype=bool), 0, off_diagonal)
    image = ax.imshow(shown, cmap="Reds", vmin=0, vmax=max(1, shown.max()))
    for row in range(classes):
        for col in range(classes):
            count = int(matrix[row, col])
            if count:
                color = "tab:green" if row == col else ("white" if count > 0.6 * shown.max() else "black")
                weight = "bold" if row == col else "normal"
                ax.text(col, row, str(count), ha="center", va="center", fontsize=8, color=color, fontweight=weight)
    ax.set_xticks(range(classes))
    ax.set_yticks(range(classes))
    ax.set(xlabel="predicted digit", ylabel="true digit", title=title)
    bar = fig.colorbar(
        image,
        ax=ax,
        fraction=0.046,
        pad=0.04,
        label="images per (true, predicted) pair, mistakes only\n(the diagonal's correct counts: green, uncoloured)",
    )
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    fig.tight_layout()
    return fig


def plot_digits(
    images: torch.Tensor, labels: torch.Tensor, count: int = 10, title: str = "MNIST training digits and their labels"
) -> Figure:
    """The first ``count`` images ``(B, 1, H, W)`` in one row, each titled with its label ``(B,)``."""
    count = min(count, len(images))
    if count < 1:
        raise ValueError("plot_digits needs at least one image")
    fig = new_figure(figsize=(1.1 * count, 1.7))
    axes = np.atleast_1d(fig.subplots(1, count))
    for ax, image, label in zip(axes, images[:count], labels[:count], strict=True):
        ax.imshow(image[0].cpu().numpy(), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{int(label)}", fontsize=10)
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_augmented_digits(
    images: torch.Tensor,
    augmented: torch.Tensor,
    labels: torch.Tensor,
    count: int = 8,
    title: str = "Training digits (top) and one random augmentation of each (bottom)",
) -> Figure:
    """The first ``count`` images ``(B, 1, H, W)`` in the top row and the same images after an
    augmentation ``(B, 1, H, W)`` below them, each column titled with its label ``(B,)``."""
    if images.shape != augmented.shape:
        raise ValueError(f"images {tuple(images.shape)} and augmented {tuple(augmented.shape)} differ in shape")
    count = min(count, len(images))
    if count < 1:
        raise ValueError("plot_augmented_digits needs at least one image")
    fig = new_figure(figsize=(1.1 * count, 2.9))
    axes = np.asarray(fig.subplots(2, count)).reshape(2, count)
    for column in range(count):
        for row, batch in enumerate((images, augmented)):
            ax = axes[row, column]
            ax.imshow(batch[column, 0].detach().cpu().numpy(), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[0, column].set_title(f"{int(labels[column])}", fontsize=10)
    axes[0, 0].set_ylabel("original", fontsize=9)
    axes[1, 0].set_ylabel("augmented", fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_digits_with_patches(
    images: torch.Tensor,
    labels: torch.Tensor,
    patch_size: int = 2,
    count: int = 10,
    title: str = "scikit-learn's 8x8 digits, cut into 2x2 patches: 16 tokens each",
) -> Figure:
    """The first ``count`` images ``(B, 1, H, W)`` with the ``patch_size`` grid drawn over them (one token a cell)."""
    count = min(count, len(images))
    if count < 1:
        raise ValueError("plot_digits_with_patches needs at least one image")
    fig = new_figure(figsize=(1.1 * count, 1.8))
    axes = np.atleast_1d(fig.subplots(1, count))
    for ax, image, label in zip(axes, images[:count], labels[:count], strict=True):
        height, width = image.shape[-2:]
        ax.imshow(image[0].cpu().numpy(), cmap="gray_r", vmin=0, vmax=1)
        for row in range(0, height + 1, patch_size):
            ax.axhline(row - 0.5, color="tab:orange", linewidth=1.0)
        for col in range(0, width + 1, patch_size):
            ax.axvline(col - 0.5, color="tab:orange", linewidth=1.0)
        ax.set_title(f"{int(label)}", fontsize=10)
        ax.set_xlim(-0.5, width - 0.5)
        ax.set_ylim(height - 0.5, -0.5)
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_attention_axes(batch: int = 3, tokens: int = 4) -> Figure:
    """Where the ``batch_first`` bug bites: inside self-attention. A batch of ``batch`` images, ``tokens`` tokens
    each (token 0 the class token), as a grid (rows: images, columns: token positions); the query is image 1's
    class token, the token the head reads; its own key is in its softmax in both panels. Left, correct: its softmax
    mixes the tokens of its own image (its row). Right, ``nn.MultiheadAttention`` without ``batch_first=True`` reads
    ``(B, N, D)`` as ``(N, B, D)``: it mixes the batch's class tokens (its column), all the same learned vector, so
    the output ignores the image."""
    fig = new_figure(figsize=(7.6, 2.9))
    axes = fig.subplots(1, 2)
    query = (1, 0)  # image 1, token 0: the class token the head reads
    panels = (
        ("batch_first=True: (B, N, D) read as (B, N, D)\nit mixes its own image's tokens (correct)", "row"),
        ("batch_first left out: (B, N, D) read as (N, B, D)\nit mixes the batch's class tokens", "column"),
    )
    for ax, (heading, axis) in zip(axes, panels, strict=True):
        for image in range(batch):
            for token in range(tokens):
                attended = image == query[0] if axis == "row" else token == query[1]
                colour = "tab:orange" if (image, token) == query else ("tab:blue" if attended else "0.9")
                ax.add_patch(Rectangle((token + 0.08, image + 0.08), 0.84, 0.84, facecolor=colour, edgecolor="0.4"))
                if attended and (image, token) != query:
                    ax.annotate(
                        "",
                        xy=(token + 0.5, image + 0.5),
                        xytext=(query[1] + 0.5, query[0] + 0.5),
                        arrowprops={
                            "arrowstyle": "->",
                            "color": "black",
                            "linewidth": 1.0,
                            "shrinkA": 6,
                            "shrinkB": 6,
                            "connectionstyle": "arc3,rad=0.25",
                        },
                    )
        ax.set_xlim(0, tokens)
        ax.set_ylim(batch, 0)
        names = ["token 0\n(cls)", *(f"token {t}" for t in range(1, tokens))]
        ax.set_xticks([t + 0.5 for t in range(tokens)], names, fontsize=8)
        ax.set_yticks([b + 0.5 for b in range(batch)], [f"image {b}" for b in range(batch)], fontsize=8)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_aspect("equal")
        ax.set_title(heading, fontsize=9)
    fig.suptitle("Self-attention: image 1's class token (orange) mixes itself and the blue tokens", fontsize=10)
    fig.tight_layout()
    return fig


def nearest_centre_plane(
    fit_x: torch.Tensor, fit_labels: torch.Tensor, x: torch.Tensor, labels: torch.Tensor, classes: int = 10
) -> tuple[torch.Tensor, float]:
    """Rows x (N, F) placed on the top two principal axes of fit_x (M, F) -> their plane (N, 2) and how often
    the nearest class centre (fit on fit_x's rows, fit_labels) is their label. Fit on one set, scored on another:
    scoring the rows the plane was fit to would read its fit as accuracy."""
    mean = fit_x.mean(dim=0)
    axes = torch.linalg.svd(fit_x - mean, full_matrices=False).Vh[:2].T  # (F, 2)
    fitted = (fit_x - mean) @ axes
    centres = torch.stack([fitted[fit_labels == k].mean(dim=0) for k in range(classes)])  # (classes, 2)
    plane = (x - mean) @ axes
    return plane, nearest_centre_right(plane, centres, labels).float().mean().item()


def nearest_centre_right(plane: torch.Tensor, centres: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per row of plane (N, 2): True where the nearest of centres (classes, 2) is its label; (N,) bool."""
    return torch.cdist(plane, centres).argmin(dim=1) == labels


def nearest_centre_hits(
    fit_x: torch.Tensor, fit_labels: torch.Tensor, x: torch.Tensor, labels: torch.Tensor, classes: int = 10
) -> torch.Tensor:
    """nearest_centre_plane's rule, digit by digit: (N,) bool, True where x's row is placed at its own label's
    centre. Two rules scored on the same digits can then be compared pair by pair."""
    mean = fit_x.mean(dim=0)
    axes = torch.linalg.svd(fit_x - mean, full_matrices=False).Vh[:2].T
    fitted = (fit_x - mean) @ axes
    centres = torch.stack([fitted[fit_labels == k].mean(dim=0) for k in range(classes)])
    return nearest_centre_right((x - mean) @ axes, centres, labels)


def nearest_centre_confusion(
    fit_x: torch.Tensor, fit_labels: torch.Tensor, x: torch.Tensor, labels: torch.Tensor, classes: int = 10
) -> torch.Tensor:
    """nearest_centre_plane's rule as a confusion matrix: (classes, classes) counts, row = the true digit, column =
    the centre a row of x is placed at (its off-diagonal cells: which digits the plane mixes up, and how often)."""
    mean = fit_x.mean(dim=0)
    axes = torch.linalg.svd(fit_x - mean, full_matrices=False).Vh[:2].T
    fitted = (fit_x - mean) @ axes
    centres = torch.stack([fitted[fit_labels == k].mean(dim=0) for k in range(classes)])
    placed = torch.cdist((x - mean) @ axes, centres).argmin(dim=1)
    return torch.bincount(labels * classes + placed, minlength=classes * classes).reshape(classes, classes)


def plot_feature_plane(
    points: np.ndarray | torch.Tensor,
    labels: np.ndarray | torch.Tensor,
    wrong: np.ndarray | torch.Tensor,
    title: str = "What the head reads, in 2-D",
) -> Figure:
    """``points`` ``(N, 2)``: each image's features projected on two directions (e.g. their top two principal
    components), ``labels`` ``(N,)`` its true digit 0-9, ``wrong`` ``(N,)`` True where the model's answer is
    wrong. One colour per true digit, the digit written at its group's mean, the wrong answers circled."""
    z, y, bad = (np.asarray(a) for a in (points, labels, wrong))
    if z.ndim != 2 or z.shape[1] != 2 or y.shape != (len(z),) or bad.shape != (len(z),):
        raise ValueError("points must be (N, 2), labels and wrong (N,)")
    fig = new_figure(figsize=(6.2, 5.0))
    ax = fig.subplots()
    for k in np.unique(y):
        mine = y == k
        ax.scatter(z[mine, 0], z[mine, 1], s=6, color=f"C{int(k) % 10}", alpha=0.5)
        centre = z[mine].mean(axis=0)
        ax.text(*centre, str(int(k)), fontsize=14, weight="bold", ha="center", va="center")
    ax.scatter(
        z[bad, 0],
        z[bad, 1],
        s=40,
        facecolors="none",
        edgecolors="black",
        linewidths=1.0,
        label=f"wrong answers ({int(bad.sum())}), circled; colour: the true digit",
    )
    ax.set(xlabel="principal component 1", ylabel="principal component 2", title=title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8, frameon=False)  # under the axes
    fig.tight_layout()
    return fig


def plot_misclassified(
    images: torch.Tensor,
    labels: torch.Tensor,
    predictions: torch.Tensor,
    max_images: int = 24,
    columns: int = 8,
    title: str = "Misclassified test digits",
) -> Figure:
    """A grid of the digits where ``predictions != labels`` (the first ``max_images``), each
    titled ``true -> predicted``. ``images`` ``(B, 1, H, W)``, ``labels`` / ``predictions`` ``(B,)``."""
    wrong = torch.nonzero(predictions != labels).flatten()[:max_images]
    count = len(wrong)
    rows = max(1, -(-count // columns))
    fig = new_figure(figsize=(1.2 * columns, 1.4 * rows + 0.4))
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, index in zip(axes.flat, wrong.tolist(), strict=False):
        ax.imshow(images[index, 0].cpu().numpy(), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{int(labels[index])} → {int(predictions[index])}", fontsize=9, color="tab:red")
    fig.suptitle(f"{title} (true → predicted)")
    fig.tight_layout()
    return fig


def plot_accuracy_vs_time(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    targets: Mapping[str, float] | None = None,
    title: str = "Accuracy vs training time",
    ylabel: str = "validation accuracy (%)",
) -> Figure:
    """Accuracy (%) against seconds of training, one line per ``name: (seconds, accuracies)``.
    Names ``"<dataset>: <recipe>"`` are grouped into one panel per dataset; ``targets`` maps a
    dataset to a horizontal target line (a fraction)."""
    datasets = sorted({name.split(":")[0] for name in curves})
    fig = new_figure(figsize=(5 * len(datasets), 3.6))
    axes = fig.subplots(1, len(datasets), squeeze=False)
    for ax, dataset in zip(axes.flat, datasets, strict=False):
        for name, (seconds, accuracies) in curves.items():
            if name.split(":")[0] == dataset:
                ax.plot(
                    seconds, np.array(accuracies) * 100, marker="o", markersize=3, label=name.split(":", 1)[-1].strip()
                )
        if targets and dataset in targets:
            ax.axhline(targets[dataset] * 100, color="gray", linestyle="--", linewidth=1, label="target")
        ax.set(xlabel="seconds of training", ylabel=ylabel, title=dataset)
        ax.set_ylim(bottom=80)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _magnify_chance_band(ax, stuck: list, chance: float) -> None:
    """An inset of :func:`plot_losses` magnifying the band around ln 10 where the ``stuck`` runs
    (``(steps, running mean, line style)`` each) lie on top of each other."""
    # lower left, kept clear of the curves that fall past it (steps 55-75; review r30a minor 8)
    inset = ax.inset_axes([0.08, 0.07, 0.28, 0.25])
    for steps, running, style in stuck:
        inset.plot(steps, running, **{**style, "label": None})
    inset.axhline(chance, color="gray", linestyle=(0, (1, 1)), linewidth=1)
    low = min(r[len(r) // 3 :].min() for _, r, _ in stuck)
    high = max(r[len(r) // 3 :].max() for _, r, _ in stuck)
    pad = max(0.005, 0.15 * (high - low))
    # at least ln 10 - 0.02 .. ln 10 + 0.11 (about 2.28..2.41): the batch_first run peaks at 2.40, unclipped
    inset.set_ylim(min(low - pad, chance - 0.02), max(high + pad, chance + 0.11))
    inset.set_title(
        "runs ending at ln 10, magnified",
        fontsize=10,
        bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "none", "pad": 1},
    )
    inset.tick_params(labelsize=10)
    inset.grid(alpha=0.3)


def plot_losses(
    losses: Mapping[str, Sequence[float]],
    title: str = "Training loss against the loss of guessing",
    smooth: int = 5,
    val_losses: Mapping[str, Sequence[tuple[int, float]]] | None = None,
) -> Figure:
    """One line per ``name: per-step losses`` (a running mean over ``smooth`` steps), and a dotted
    line at ln 10 ≈ 2.303: the cross-entropy of a model that gives every one of 10 classes 1/10.
    Each line has its own dash style and marker (the markers of different lines at different steps),
    and when two or more runs end at ln 10, an inset magnifies that band, so runs that lie on top of
    each other can still be told apart. With ``val_losses`` (``name: [(step, validation loss), ...]``, the same
    names), a second panel on the right draws each run's validation loss in its line's colour and style."""
    if not losses or any(len(values) == 0 for values in losses.values()):
        raise ValueError("losses must map each name to a non-empty sequence of per-step losses")
    smooth = max(1, int(smooth))
    # brown (C5) long dashes and pink (C6) dots: no two short-dashed styles side by side
    styles = ["-", "--", "-.", ":", (0, (5, 1)), (0, (10, 3)), (0, (1, 2))]
    markers = ["o", "s", "^", "v", "D", "P", "X"]
    count = len(losses)
    fig = new_figure(figsize=(12.5, 4) if val_losses else (9.5, 4))
    ax, ax_val = fig.subplots(1, 2, sharey=True, width_ratios=(3, 2)) if val_losses else (fig.subplots(), None)
    drawn = []
    for index, (name, values) in enumerate(losses.items()):
        values = np.asarray(values, dtype=float)
        kernel = min(smooth, len(values))
        running = np.convolve(values, np.ones(kernel) / kernel, mode="valid")
        every = max(1, len(running) // 6)
        style = {
            "label": textwrap.fill(name, 40),  # a widget run's long label wraps: the axes keep their width
            "linewidth": 1.6,
            "linestyle": styles[index % len(styles)],
            "marker": markers[index % len(markers)],
            "markersize": 5,
            "markevery": (min(len(running) - 1, index * every // max(1, count)), every),
            "color": f"C{index % 10}",
        }
        steps = np.arange(kernel - 1, len(values))
        ax.plot(steps, running, **style)
        drawn.append((steps, running, style))
    chance = math.log(10)
    ax.axhline(chance, color="gray", linestyle=(0, (1, 1)), linewidth=1, label="ln 10 ≈ 2.303 (guessing)")
    # Runs that end at ln 10 lie on top of each other: magnify that band in an inset.
    stuck = [d for d in drawn if abs(d[1][-min(20, len(d[1])) :].mean() - chance) < 0.1]
    if len(stuck) >= 2:
        _magnify_chance_band(ax, stuck, chance)
    ax.set(xlabel="step", ylabel=f"cross-entropy (running mean of {smooth} steps)", title=title)
    ax.set_ylim(0, max(3.0, chance + 0.5))
    ax.grid(alpha=0.3)
    if ax_val is not None:
        _draw_val_losses(ax_val, val_losses, {name: style for name, (_, _, style) in zip(losses, drawn, strict=True)})
    (ax_val or ax).legend(
        *ax.get_legend_handles_labels(), fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0
    )
    fig.tight_layout()
    return fig


def _draw_val_losses(
    ax: Axes, val_losses: Mapping[str, Sequence[tuple[int, float]]], styles: Mapping[str, dict]
) -> None:
    """The validation panel of :func:`plot_losses`: each run's recorded ``(step, loss)`` in its line's style."""
    for name, points in val_losses.items():
        style = {k: v for k, v in styles[name].items() if k not in ("label", "markevery")}
        if points:
            steps, values = zip(*points, strict=True)
            ax.plot(steps, values, **style, markevery=1)
    ax.axhline(math.log(10), color="gray", linestyle=(0, (1, 1)), linewidth=1)
    ax.set(xlabel="step", title="Validation loss (180 digits)")
    ax.grid(alpha=0.3)
    if not any(val_losses.values()):
        ax.text(0.5, 0.5, "not recorded", ha="center", va="center", transform=ax.transAxes, color="gray")


def plot_pooling_grid(
    learning_rates: Sequence[float],
    accuracies: Mapping[str, np.ndarray],
    title: str = "SGD: class token or mean pooling",
) -> Figure:
    """Validation accuracy (%) against the SGD learning rate (log axis), one line per pooling:
    ``accuracies[pool]`` is ``(len(learning_rates), seeds)``; the line is the mean, the band the
    min..max over seeds; chance (10 %) dashed."""
    fig = new_figure(figsize=(6, 3.8))
    ax = fig.subplots()
    for name, values in accuracies.items():
        values = np.asarray(values, dtype=float) * 100
        if values.shape[0] != len(learning_rates):
            raise ValueError(f"accuracies[{name!r}] must have one row per learning rate, got shape {values.shape}")
        ax.plot(learning_rates, values.mean(1), marker="o", label=f"pool={name!r}")
        ax.fill_between(learning_rates, values.min(1), values.max(1), alpha=0.2)
    ax.axhline(10, color="gray", linestyle="--", linewidth=1, label="chance")
    ax.set_xscale("log")
    ax.set(xlabel="SGD learning rate (momentum 0.9)", ylabel="validation accuracy (%)", title=title, ylim=(0, 100))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def _seed_strip(
    ax, groups: Mapping[str, Sequence[float]], colors: Sequence[str] | None = None, linked: bool = False
) -> None:
    """One column per group: each seed a dot, the mean a bar; the axis fits the data (not 0..100).
    ``linked``: the groups share their seeds (seed i is the i-th value of each), and a thin gray line
    joins each seed's dots from column to column, so the pairing shows."""
    if linked and len(groups) > 1:
        table = np.asarray([np.asarray(v, dtype=float) * 100 for v in groups.values()])  # (groups, seeds)
        seeds = table.shape[1]
        offsets = np.linspace(-0.12, 0.12, seeds) if seeds > 1 else np.zeros(1)
        for seed in range(seeds):
            ax.plot(np.arange(len(table)) + offsets[seed], table[:, seed], color="gray", linewidth=0.7, alpha=0.45)
    for index, values in enumerate(groups.values()):
        values = np.asarray(values, dtype=float) * 100
        color = colors[index % len(colors)] if colors else f"C{index}"
        offsets = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else np.zeros(1)
        ax.plot(index + offsets, values, "o", color=color, markersize=5, alpha=0.8)
        ax.hlines(values.mean(), index - 0.25, index + 0.25, color=color, linewidth=2.5)
    # one legend entry each for what the dots and the bars mean (gray: they stand for every column's colour)
    ax.plot([], [], "o", color="gray", markersize=5, label="one seed")
    ax.plot([], [], "-", color="gray", linewidth=2.5, label="mean over seeds")
    if linked:
        ax.plot([], [], "-", color="gray", linewidth=0.7, alpha=0.45, label="thin line: joins one seed's dots")
    ax.set_xticks(range(len(groups)), list(groups), fontsize=8)
    ax.grid(alpha=0.3, axis="y")


def plot_pooling_seeds(
    runs: Mapping[str, Mapping[str, Mapping[str, Sequence[float]]]],
    title: str = "SGD: class token or mean pooling",
) -> Figure:
    """``runs[steps][lr][pool]``: validation accuracy per seed (lesson 06's stored pooling runs). One
    panel per number of steps; in each, one column per (learning rate, pooling), the seeds as dots, the
    mean as a bar, a thin gray line joining one seed's two poolings (named in the legend), chance (10 %)
    dashed. Each panel's axis fits its data, so a small gap shows."""
    if not runs:
        raise ValueError("runs must map a number of steps to {lr: {pool: accuracies}}")
    columns = max(sum(len(pools) for pools in by_lr.values()) for by_lr in runs.values())
    fig = new_figure(figsize=(max(4.2, 1.3 * columns) * len(runs), 3.8))  # room for every (rate, pooling) column
    axes = np.atleast_1d(fig.subplots(1, len(runs)))
    for ax, (steps, by_lr) in zip(axes, runs.items(), strict=True):
        groups = {f"lr {float(lr):g}\n{pool}": values for lr, pools in by_lr.items() for pool, values in pools.items()}
        _seed_strip(ax, groups, colors=["tab:orange", "tab:blue"])
        column = 0
        for pools in by_lr.values():  # a thin gray line joins one seed's runs at one learning rate
            table = np.asarray([np.asarray(v, dtype=float) * 100 for v in pools.values()])  # (pools, seeds)
            seeds = table.shape[1]
            offsets = np.linspace(-0.12, 0.12, seeds) if seeds > 1 else np.zeros(1)
            for seed in range(seeds):
                x = column + np.arange(len(table)) + offsets[seed]
                ax.plot(x, table[:, seed], color="gray", linewidth=0.7, alpha=0.45)
            column += len(table)
        ax.plot([], [], "-", color="gray", linewidth=0.7, alpha=0.45, label="thin line: one seed at one lr")
        ax.axhline(10, color="gray", linestyle="--", linewidth=1, label="chance (10 %)")
        ax.set(title=f"after {steps} steps", ylabel="validation accuracy (%)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8)  # below: clear of every dot
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_seed_comparison(
    panels: Mapping[str, Mapping[str, Sequence[float]]], title: str, ylabel: str = "test accuracy (%)"
) -> Figure:
    """One panel per ``panels[name]`` = ``{model: accuracy per seed}``: each seed a dot, the mean a
    bar, on an axis that fits the data; a thin gray line joins the dots of one seed (the models share
    their seeds); all three are named in the legend."""
    if not panels:
        raise ValueError("panels must map a panel title to {model: accuracies per seed}")
    fig = new_figure(figsize=(4.6 * len(panels), 3.8))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    for ax, (name, groups) in zip(axes, panels.items(), strict=True):
        _seed_strip(
            ax,
            {label.replace(", ", ",\n").replace(" width", "\nwidth"): v for label, v in groups.items()},
            linked=True,
        )
        ax.set(title=name)
        ax.legend(loc="lower right", fontsize=8)
    axes[0].set_ylabel(ylabel)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_selection_gaps(
    gaps: Mapping[str, Sequence[float]],
    title: str = "Reported minus new digits, best of 5 runs, over random half-splits",
) -> Figure:
    """``gaps[rule]``: for each random half-split of the test digits, how much the kept run's reported
    accuracy exceeds its accuracy on new digits (a fraction; plotted in points), one histogram per rule
    of picking the run (e.g. by test, by validation), on shared bins; each rule's mean a solid line, 0
    dashed."""
    if not gaps:
        raise ValueError("gaps must map a rule (e.g. 'test') to one gap per half-split")
    values = {rule: 100 * np.asarray(v, dtype=float) for rule, v in gaps.items()}
    if any(v.ndim != 1 or v.size == 0 for v in values.values()):
        raise ValueError("each rule needs a non-empty 1-D sequence of gaps")
    low = min(v.min() for v in values.values())
    high = max(v.max() for v in values.values())
    bins = np.linspace(low, high, 25) if high > low else np.array([low - 0.5, low + 0.5])
    fig = new_figure(figsize=(7.0, 3.4))
    ax = fig.subplots()
    for index, (rule, v) in enumerate(values.items()):
        color = f"C{index}"
        ax.hist(v, bins=bins, alpha=0.45, color=color, label=f"picked by {rule} (mean {round(v.mean(), 1) + 0.0:+.1f})")
        ax.axvline(v.mean(), color=color, linewidth=2, label=f"mean, picked by {rule}")
    ax.axvline(0, color="gray", linestyle="--", linewidth=1, label="0: no overstatement")
    ax.set(xlabel="reported minus new digits (accuracy points)", ylabel="half-splits", title=title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


#: plot_overfitting's colour of each seed, the same in every panel (train stays blue, the raw validation loss orange).
SEED_COLOURS = ("tab:purple", "tab:red", "tab:green", "tab:brown", "tab:pink")


def _draw_seed_means(ax: Axes, runs: Mapping[str, Mapping[str, Sequence[float]]], window: int) -> None:
    """plot_overfitting's middle panel: each run's ``window``-epoch mean validation loss in its colour
    (:data:`SEED_COLOURS`) with a dot at its lowest, on one axis from 0 (the training loss is the left panel's)."""
    from ..clinic import windowed

    for i, (label, run) in enumerate(runs.items()):
        run_epochs = np.arange(1, len(run["val_loss"]) + 1)
        if len(run_epochs) >= window:
            mean = windowed(run["val_loss"], window)
            colour = SEED_COLOURS[i % len(SEED_COLOURS)]
            ax.plot(run_epochs[window - 1 :], mean, color=colour, linewidth=1.5, label=label)
            low = int(np.argmin(mean))
            ax.plot([low + window], [mean[low]], "o", color=colour, markersize=5, label="_lowest")
    ax.set(xlabel="epoch", ylabel="cross-entropy", title=f"validation, {window}-epoch mean (dot: lowest)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:  # runs shorter than the window draw no mean
        ax.legend(fontsize=8, loc="upper right")


def _draw_one_run(ax: Axes, curves, runs, window: int, epochs: np.ndarray) -> list[float]:
    """plot_overfitting's left panel: the run's training loss, raw validation loss and its ``window``-epoch mean,
    the mean in the run's colour and label in ``runs`` (the middle panel's) if it is one of them; the mean."""
    from ..clinic import windowed

    shown = next((i for i, run in enumerate((runs or {}).values()) if run is curves), None)
    name = None if shown is None else list(runs)[shown]
    train = "train"
    ax.plot(epochs, curves["train_loss"], color="tab:blue", label=train)
    raw = "validation" if name is None else f"validation, each epoch ({name})"
    ax.plot(epochs, curves["val_loss"], color="tab:orange", alpha=0.5, linewidth=1, label=raw)
    smooth = windowed(curves["val_loss"], window) if len(epochs) >= window else []
    mean_label = f"validation, {window}-epoch mean" if name is None else name  # one legend entry per seed
    colour = SEED_COLOURS[(shown or 0) % len(SEED_COLOURS)]
    ax.plot(epochs[window - 1 :][: len(smooth)], smooth, color=colour, linewidth=1.5, label=mean_label)
    ax.set(xlabel="epoch", ylabel="cross-entropy", title="loss" if name is None else f"loss ({name})")
    return smooth


def plot_overfitting(
    curves: Mapping[str, Sequence[float]],
    title: str = "Over-fitting",
    window: int = 5,
    seeds: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
    loss_top: float | None = None,
    shade_from: int | None = None,
    crossings: Mapping[str, int] | None = None,
    accuracy_title: str = "accuracy",
) -> Figure:
    """Three panels against epochs for one stored run (``clinic.stored_runs()["overfitting"]``): the loss
    and the accuracy on the training digits and on the validation digits, both measured in eval mode
    after each epoch, the loss on a linear axis. Beside the raw validation loss, its ``window``-epoch mean
    (``clinic.windowed``, drawn at each window's last epoch), the curve the lesson reads. The middle panel
    draws, on the same full-range axis, the ``window``-epoch mean validation loss and the training loss of
    every run in ``seeds`` (``{label: curves}``; default: this run alone). A dotted vertical line marks the
    epoch of the lowest windowed validation loss (the raw one's when the run is shorter than ``window``); the
    shaded band on the accuracy panel is the gap between train and validation. ``loss_top``: the two loss
    panels' upper limit (cut there, so a small rise is seen at its size; default: the full range).
    ``shade_from``: shade both loss panels from that epoch on (the lesson's "more than 0.05 above its
    lowest on every seed"). ``crossings``: ``{label: epoch}`` for runs of ``seeds``, a dashed line in that
    run's colour on the middle panel at the epoch from which its mean stays more than 0.05 above its lowest."""

    runs = {"this run": curves} if seeds is None else dict(seeds)
    epochs = _overfitting_epochs(curves, runs)
    best = int(np.argmin(curves["val_loss"])) + 1
    fig = new_figure(figsize=(12, 3.4 if loss_top is None else 4.2))
    left, middle, right = fig.subplots(1, 3)
    smooth = _draw_one_run(left, curves, runs if seeds is not None else None, window, epochs)
    left.set_ylim(
        top=1.75 * max(max(curves["train_loss"]), max(curves["val_loss"]))
    )  # room for the legend above the curves
    low = int(np.argmin(smooth)) if smooth else best - 1
    _draw_seed_means(middle, runs, window)
    _cut_and_shade((left, middle), loss_top, shade_from, int(epochs[-1]))
    _mark_crossings((middle,), runs, crossings)  # the middle panel draws every seed
    train, val = np.asarray(curves["train_accuracy"]) * 100, np.asarray(curves["val_accuracy"]) * 100
    right.plot(epochs, train, color="tab:blue", label="train")
    right.plot(epochs, val, color="tab:orange", label="validation")
    right.fill_between(epochs, val, train, color="gray", alpha=0.2, label="gap")
    right.set(xlabel="epoch", ylabel="accuracy (%)", title=accuracy_title)
    if smooth:  # the lesson's one definition of the lowest epoch: on the windowed curve
        best, what = low + window, f"lowest {window}-epoch mean validation loss"
    else:
        what = "lowest validation loss"
    below = loss_top is not None  # cut loss axes: their legends go under the panels, clear of the curves
    for ax, place in ((left, "upper right"), (right, "center right")):  # the legends sit where the curves are flat
        ax.axvline(best, color="black", linestyle=":", linewidth=1, label=f"{what}\n(epoch {best})")
        ax.grid(alpha=0.3)
        if not (below and ax is left):
            ax.legend(fontsize=8, loc=place)
    fig.suptitle(title)
    if below:  # one legend for both loss panels, under the figure
        _legend_under(fig, left, middle, window)
        fig.tight_layout(rect=(0, 0.19, 1, 1))
    else:
        fig.tight_layout()
    return fig


def plot_overfitting_seeds(
    runs: Mapping, rise: Mapping[tuple[str, int], tuple[int, int, float]], seed: int = 1, last_epoch: int | None = 100
) -> Figure:
    """Lesson 06's over-fitting figure from its stored runs (``clinic.stored_runs()["overfitting"]``), two panels:
    every ViT seed's 5-epoch mean validation loss (axis cut at 1.5), each seed's dashed line at
    ``rise[("ViT", seed)][1]`` (``clinic.overfitting_rises``); ``seed``'s training and validation accuracy and their
    gap. Epochs up to ``last_epoch``. (One seed's raw loss curves: :func:`plot_overfitting`, appendix C.)"""
    vit_runs = runs["curves"]["ViT"]
    seeds = {f"seed {s}": run for s, run in zip(runs["seeds"], vit_runs, strict=True)}
    drawn = vit_runs[runs["seeds"].index(seed)]
    epochs = _overfitting_epochs(drawn, seeds)
    at = min(last_epoch or runs["epochs"], len(drawn["val_accuracy"]))  # the accuracy gap first: the clearer sign
    gap = 100 * (drawn["train_accuracy"][at - 1] - drawn["val_accuracy"][at - 1])
    fig = new_figure(figsize=(10, 4.4))  # room for the legend under the loss panel
    means, accuracy = fig.subplots(1, 2)
    _draw_seed_means(means, seeds, window=5)
    _cut_and_shade((means,), 1.5, None, int(epochs[-1]))
    _mark_crossings((means,), seeds, {f"seed {s}": rise["ViT", s][1] for s in runs["seeds"]})
    means.get_legend().remove()
    means.legend(
        fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.26), ncol=2
    )  # under the axes: no curve or dashed line hidden
    train, val = np.asarray(drawn["train_accuracy"]) * 100, np.asarray(drawn["val_accuracy"]) * 100
    accuracy.plot(epochs, train, color="tab:blue", label="train")
    accuracy.plot(epochs, val, color="tab:orange", label="validation")
    accuracy.fill_between(epochs, val, train, color="gray", alpha=0.2, label="gap")
    accuracy.set(xlabel="epoch", ylabel="accuracy (%)", title=f"accuracy (seed {seed})")
    accuracy.grid(alpha=0.3)
    accuracy.legend(fontsize=8, loc="center right")
    shown = f"epochs 1-{last_epoch} of {runs['epochs']}; " if last_epoch else ""
    fig.suptitle(
        f"Seed {seed}, epoch {at}: validation accuracy {gap:.1f} points below training (right)\n"
        f"1-block ViT, {runs['size']} of the 8x8 training digits, no weight decay or label smoothing "
        f"({shown}loss axis cut at 1.5)"
    )
    if last_epoch:
        for ax in fig.axes:
            ax.set_xlim(0, last_epoch)
    fig.tight_layout()
    return fig


def _overfitting_epochs(curves: Mapping[str, Sequence[float]], runs: Mapping[str, Mapping]) -> np.ndarray:
    """plot_overfitting's check of its runs: the epochs ``1..E`` of ``curves``, or a ValueError."""
    keys = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
    for run in (curves, *runs.values()):
        if not isinstance(run, Mapping) or any(key not in run for key in keys):
            raise ValueError(f"curves must map each of {keys} to one value per epoch")
    lengths = {len(curves[key]) for key in keys}
    if len(lengths) != 1 or lengths == {0}:
        raise ValueError("curves must give the same, non-zero number of epochs for each of its four lists")
    return np.arange(1, lengths.pop() + 1)


def _cut_and_shade(axes, loss_top: float | None, shade_from: int | None, last_epoch: int) -> None:
    """plot_overfitting's loss panels cut at ``loss_top`` and shaded from epoch ``shade_from`` (each if given)."""
    for ax in axes:
        if loss_top is not None:
            ax.set_ylim(0, loss_top)
        if shade_from is not None:
            label = f"from epoch {shade_from} on: every seed's mean stays more than 0.05 above its lowest (dot)"
            ax.axvspan(shade_from, last_epoch, color="gold", alpha=0.25, zorder=0, label=label)


def _mark_crossings(axes, runs: Mapping[str, Mapping], crossings: Mapping[str, int] | None) -> None:
    """plot_overfitting's per-run crossing epochs: a dashed vertical line in each run's colour (SEED_COLOURS)."""
    if not crossings:
        return
    order = list(runs)
    for index, (label, epoch) in enumerate(crossings.items()):
        if label not in order:
            raise ValueError(f"crossings names {label!r}, not one of the runs {order}")
        colour = SEED_COLOURS[order.index(label) % len(SEED_COLOURS)]
        entry = "dashed, each seed's colour: from here\n0.05 above its lowest" if index == 0 else None  # one entry
        for ax in axes:
            ax.axvline(epoch, color=colour, linestyle="--", linewidth=2.2, label=entry)


def _legend_under(fig: Figure, left, middle, window: int) -> None:
    """One legend under the figure for plot_overfitting's two loss panels (each label once)."""
    entries = dict(zip(*reversed(left.get_legend_handles_labels()), strict=True))  # label: handle
    for handle, label in zip(*middle.get_legend_handles_labels(), strict=True):
        if not label.startswith("train"):  # the faint training curves share the left panel's entry
            entries.setdefault(label, handle)
    if middle.get_legend() is not None:
        middle.get_legend().remove()

    def column(label: str) -> int:  # the left panel's lines, then each seed's mean, then each seed's dashed line
        return 2 if label.startswith("dashed") else 1 if label.startswith("seed ") else 0

    labels = sorted(entries, key=lambda label: (column(label), label if column(label) else ""))
    fig.legend(
        [entries[label] for label in labels],
        labels,
        fontsize=8,
        loc="lower center",
        ncol=3,
        title=f"seed n: its {window}-epoch mean validation loss",
        title_fontsize=8,
    )


def _percent(level: float) -> str:
    """A level in percent: two decimals when exact there (0.9975 gives 99.75), else one (0.99167 gives 99.2)."""
    exact = round(100 * level, 2)
    return f"{exact:.2f}".rstrip("0").rstrip(".") if abs(100 * level - exact) < 1e-9 else f"{100 * level:.1f}"


def plot_paired_differences(
    rows: Mapping[str, tuple[float, tuple[float, float], tuple[float, float], str]],
    title: str = "Paired differences a - b (points)",
    xlabel: str = "a - b, test accuracy (points)",
    level: float | None = 1 - 0.05 / 6,
    seeds: Mapping[str, Sequence[float]] | None = None,
    split: tuple[int, str, str] | None = None,
) -> Figure:
    """``rows[comparison] = (mean, (low, high) at 95 %, (low, high) at the corrected ``level``, verdict)``,
    all in points: one row per comparison, top to bottom, the mean a dot, the 95 % interval a thick bar,
    the corrected (wider) interval a thin bar (its legend names ``level``), a line at 0, the verdict written
    right of each row. ``level=None``: lone comparisons, in no family: no corrected bar is drawn (each row's
    third item is then ignored). ``seeds[comparison]``, when given, holds that row's per-seed differences a - b
    (points), drawn as small open circles just above its bars (one per seed), so the spread the intervals
    summarise shows. ``split = (n, above, below)``: a line under the top ``n`` rows, each part labelled."""
    if level is None:
        rows = {name: (mean, narrow, narrow, verdict) for name, (mean, narrow, _, verdict) in rows.items()}
    if not rows:
        raise ValueError("rows must map a comparison to (mean, 95 % interval, corrected interval, verdict)")
    for name, (mean, narrow, wide, _) in rows.items():
        if not wide[0] <= narrow[0] <= mean <= narrow[1] <= wide[1]:
            raise ValueError(f"{name}: need corrected low <= 95 % low <= mean <= 95 % high <= corrected high")
    dots = _seed_rows(rows, seeds)  # bottom row first, as drawn
    fig = new_figure(figsize=(9.0, 0.55 * len(rows) + 1.4))
    ax = fig.subplots()
    right = max([wide[1] for _, _, wide, _ in rows.values()] + [v.max() for v in dots])
    left = min([wide[0] for _, _, wide, _ in rows.values()] + [v.min() for v in dots] + [0.0])
    for y, (mean, narrow, wide, verdict) in enumerate(reversed(list(rows.values()))):
        first = y == len(rows) - 1  # one legend entry each
        if level is not None:
            wide_label = f"{_percent(level)} % interval (corrected)" if first else None
            ax.hlines(y, *wide, color="C0", linewidth=1.2, label=wide_label)
        ax.hlines(y, *narrow, color="C0", linewidth=5, alpha=0.6, label="95 % interval" if first else None)
        ax.plot(mean, y, "o", color="black", markersize=5, label="mean over seeds" if first else None)
        ax.text(1.02, y, verdict, va="center", fontsize=8, transform=ax.get_yaxis_transform())  # right of the axes
    for y, values in enumerate(dots):  # one small open circle per seed, just above its row's bars; ties stacked
        label = "one seed's a - b" if y == len(dots) - 1 else None
        y_dots = y + 0.22 + 0.1 * np.array([np.sum(np.abs(values[:i] - v) < 1e-6) for i, v in enumerate(values)])
        ax.plot(values, y_dots, "o", markersize=3.5, markerfacecolor="none", color="C1", label=label)
    ax.axvline(0, color="gray", linestyle="--", linewidth=1, label="0: no difference")
    _divide_rows(ax, len(rows), split)
    ax.set_yticks(range(len(rows)), list(reversed(list(rows))), fontsize=8)
    ax.set_xlim(left - 0.05 * (right - left), right + 0.05 * (right - left))
    ax.set(xlabel=xlabel, title=title, ylim=(-0.6, len(rows) - 0.4))
    ax.grid(alpha=0.3, axis="x")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8)  # under the axis label
    fig.tight_layout(rect=(0, 0.45 / fig.get_figheight(), 1, 1))
    return fig


def _divide_rows(ax: Axes, count: int, split: tuple[int, str, str] | None) -> None:
    """plot_paired_differences' divider: a solid line under the top ``split[0]`` of ``count`` rows, ``split[1]``
    written just above it and ``split[2]`` just below it, at the axes' right edge."""
    if split is None:
        return
    top, above, below = split
    if not 0 < top < count:
        raise ValueError(f"split needs 0 < n < {count} (the rows above the line)")
    y = count - top - 0.5
    ax.axhline(y, color="black", linewidth=1.2)
    for text, offset, va in ((above, 0.08, "bottom"), (below, -0.08, "top")):
        ax.text(
            0.99, y + offset, text, ha="right", va=va, fontsize=8, style="italic", transform=ax.get_yaxis_transform()
        )


def plot_paired_comparisons(
    comparisons: Mapping[str, object],
    level: float,
    title: str = "Paired differences a - b (points)",
    xlabel: str = "a - b, test accuracy (points)",
) -> Figure:
    """:func:`plot_paired_differences` for ``comparisons[label]``, each an ``evidence.paired_seeds`` over seeds
    (accuracies as fractions): drawn in points, its 95 % and corrected (``level``) t-intervals, a circle per seed,
    and section 5's verdict word (``clinic.reading_verdict``)."""
    from ..clinic import reading_verdict

    rows, seeds = {}, {}
    for label, paired in comparisons.items():
        narrow, wide = paired.t_interval(), paired.t_interval(level)
        narrow_points, wide_points = (100 * narrow.low, 100 * narrow.high), (100 * wide.low, 100 * wide.high)
        verdict = reading_verdict(*narrow_points, wide_points)
        rows[label] = (100 * paired.difference.mean, narrow_points, wide_points, verdict)
        seeds[label] = [100 * value for value in paired.difference.values]
    return plot_paired_differences(rows, title=title, xlabel=xlabel, level=level, seeds=seeds)


def _seed_rows(rows: Mapping[str, tuple], seeds: Mapping[str, Sequence[float]] | None) -> list[np.ndarray]:
    """:func:`plot_paired_differences`'s per-seed differences as arrays, bottom row first (empty without ``seeds``);
    refuses a missing or extra row and an empty or non-finite list."""
    if seeds is None:
        return []
    if set(seeds) != set(rows):
        raise ValueError(f"seeds must hold one list per row: {sorted(rows)}, got {sorted(seeds)}")
    dots = [np.asarray(seeds[name], dtype=float) for name in reversed(list(rows))]
    if any(v.ndim != 1 or len(v) == 0 or not np.isfinite(v).all() for v in dots):
        raise ValueError("each row's seeds must be a non-empty, finite list of differences a - b (points)")
    return dots


def plot_start_loss(
    sigma2: Sequence[float],
    losses: Sequence[float],
    classes: int = 10,
    band: float = 0.2,
    title: str = "The loss at step 0",
) -> Figure:
    """``losses[i]``: the step-0 loss of one model on one batch, ``sigma2[i]``: the variance of its
    logits (e.g. with the head's weights scaled). Drawn against sigma^2 (log axis) with the small-logit
    prediction ln K + sigma^2 / 2 as a dashed curve and the band ln K +- ``band`` shaded: outside it, the
    step-0 check fires."""
    x, y = np.asarray(sigma2, dtype=float), np.asarray(losses, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2 or (x <= 0).any():
        raise ValueError("sigma2 and losses must be equal-length 1-D sequences (2+ points), sigma2 > 0")
    chance = math.log(classes)
    fig = new_figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    grid = np.geomspace(x.min(), x.max(), 200)
    ax.axhspan(
        chance - band,
        chance + band,
        color="tab:green",
        alpha=0.2,
        label=f"ln {classes} $\\pm$ {band}: the check stays silent",
    )
    ax.plot(grid, chance + grid / 2, "--", color="gray", label=f"ln {classes} + $\\sigma^2$ / 2 (small logits)")
    ax.plot(x, y, "o-", color="C0", markersize=4, label="measured loss at step 0")
    ax.set_xscale("log")
    ax.set(xlabel="$\\sigma^2$: variance of an image's logits (mean over the batch)", ylabel="cross-entropy at step 0")
    ax.set(title=title, ylim=(0, max(y.max(), chance + band) * 1.1))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


#: ``clinic.gradient_norms``' part names, as the gradient-ratio figure labels them
PART_LABELS = {
    "class_token": "class token",
    "pos_embedding": "position\nembeddings",
    "embed": "patch embedding\n(embed)",
    "norm": "LayerNorms' γ, β\n(norm)",
    "attn": "attention\n(attn)",
    "mlp": "MLP\n(mlp)",
    "head": "head",
}


def plot_gradient_ratios(
    ratios: Mapping[str, Mapping[str, float]],
    title: str = "Step-0 gradient norms: bug / fixed model, per part",
) -> Figure:
    """``ratios[bug][part]``: the bug's step-0 gradient norm of ``part`` divided by the fixed model's (> 0).
    Grouped bars on a log axis, one group per part, one colour per bug, a line at 1x (as large as the
    fixed model's): bars below it, the bug's gradient is smaller."""
    if not ratios or any(not parts for parts in ratios.values()):
        raise ValueError("ratios must map each bug to {part: bug norm / fixed norm}")
    parts = list(next(iter(ratios.values())))
    if any(list(parts_of) != parts for parts_of in ratios.values()):
        raise ValueError("every bug needs the same parts, in the same order")
    if any(v <= 0 or not math.isfinite(v) for parts_of in ratios.values() for v in parts_of.values()):
        raise ValueError("ratios must be finite and > 0 (an exact 0 gradient reads alone, not as a ratio)")
    fig = new_figure(figsize=(9.0, 3.8))
    ax = fig.subplots()
    width = 0.8 / len(ratios)
    for i, (bug, parts_of) in enumerate(ratios.items()):
        x = np.arange(len(parts)) + (i - (len(ratios) - 1) / 2) * width
        ax.bar(x, [parts_of[part] - 1.0 for part in parts], width, bottom=1.0, color=f"C{i}", label=bug)  # from 1x
    ax.axhline(1.0, color="black", linewidth=1, label="1x: as large as the fixed model's")
    ax.set_yscale("log")
    low = min(min(parts_of.values()) for parts_of in ratios.values())
    high = max(max(parts_of.values()) for parts_of in ratios.values())
    ax.set_ylim(min(low, 1.0) / 1.5, max(high, 1.0) * 1.5)
    ax.set_xticks(range(len(parts)), [PART_LABELS.get(part, part) for part in parts], fontsize=8)
    ax.set(ylabel="bug's norm / fixed model's norm", title=title)
    ax.grid(alpha=0.3, axis="y", which="both")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_warmup(
    train_loss: Mapping[str, Sequence[Sequence[float]]],
    steps_per_epoch: int,
    title: str = "Warm-up on and off: mean training loss per epoch",
) -> Figure:
    """``train_loss[warm-up fraction] = [per-epoch mean losses of one seed, ...]`` (the stored ``warmup``
    runs, keys ``"0.1"`` and ``"0.0"``): each seed a thin line, the two settings in two colours, a dotted
    line at ln 10 and a shaded band over the warm-up's epochs."""
    if not train_loss or any(not runs or any(len(run) == 0 for run in runs) for runs in train_loss.values()):
        raise ValueError("train_loss must map each warm-up fraction to one non-empty list of losses per seed")
    fig = new_figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    for index, (fraction, runs) in enumerate(sorted(train_loss.items(), key=lambda item: -float(item[0]))):
        label = f"warm-up {float(fraction):.0%} of the steps" if float(fraction) else "no warm-up"
        for seed, run in enumerate(runs):
            epochs = np.arange(1, len(run) + 1)
            ax.plot(epochs, run, color=f"C{index}", linewidth=1.3, alpha=0.8, label=label if seed == 0 else None)
        warm = float(fraction) * len(runs[0])
        if warm:
            band = f"the warm-up: epochs 1-{warm:g} ({warm * steps_per_epoch:g} steps)"
            ax.axvspan(0.5, 0.5 + warm, color=f"C{index}", alpha=0.12, label=band)
    ax.axhline(math.log(10), color="gray", linestyle=(0, (1, 1)), linewidth=1, label="ln 10 (guessing)")
    ax.set(xlabel=f"epoch ({steps_per_epoch} steps)", ylabel="cross-entropy, epoch mean", title=title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def plot_epoch_losses(
    runs: Mapping[str, Sequence[float]],
    title: str = "Mean training loss per epoch",
    chance: float = math.log(10),
) -> Figure:
    """``runs[name] = [mean training loss of epoch 1, 2, ...]``: one line with a dot per epoch for each run (a short
    run's line stops where it stopped), and a dotted line at ``chance`` (ln 10: guessing among 10 classes)."""
    if not runs or any(len(values) == 0 for values in runs.values()):
        raise ValueError("runs must map each name to a non-empty list of per-epoch mean losses")
    fig = new_figure(figsize=(7.5, 3.4))
    ax = fig.subplots()
    markers = ["o", "s", "^", "v"]
    for index, (name, values) in enumerate(runs.items()):
        epochs = np.arange(1, len(values) + 1)
        size = max(3, 9 - 3 * index)  # a later run drawn smaller, on top
        colour, marker = f"C{index}", markers[index % 4]
        ax.plot(epochs, values, marker=marker, markersize=size, linewidth=1.6, color=colour, label=name)
    ax.axhline(chance, color="gray", linestyle=(0, (1, 1)), linewidth=1, label=f"ln 10 ≈ {chance:.3f} (guessing)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="epoch", ylabel="mean training loss", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


#: Check 6's figure: a short column label for each one-batch run (``clinic.ONE_BATCH_NAMES``' display names).
ONE_BATCH_COLUMNS = {  # in the figure's order: the 100-step runs, then the 400-step ones grouped by run
    "none (the fixed model)": "fixed model",
    "MultiheadAttention without batch_first": "MultiheadAttention without batch_first",
    "LayerNorm w*x.mean/(x.std+eps)+b": "hand-written LayerNorm line",
    "SGD at Adam's learning rate (0.01)": "SGD at Adam's rate (0.01)",
    "SGD at 10x that (0.1)": "SGD at 10x (0.1)",
    "the fixed model at 10x (0.1), 400 steps": "fixed model at 10x (0.1), 400 steps",
    "SGD at Adam's rate (0.01), 400 steps": "SGD at Adam's rate (0.01), 400 steps",
    "SGD at 10x that (0.1), 400 steps": "SGD at 10x (0.1), 400 steps",
    "that LayerNorm at its 0.01, 400 steps": "hand-written LayerNorm line (0.01), 400 steps",
    "that LayerNorm at 10x (0.1), 400 steps": "hand-written LayerNorm line at 10x (0.1), 400 steps",
}


def plot_seed_dots(
    groups: Mapping[str, Sequence[float]],
    ylabel: str,
    title: str,
    lines: Mapping[str, float] | None = None,
    xlabel: str = "each column: one dot per seed (seed 0, 1, ... left to right)",
    split_before: int | None = None,
    split_label: str = "",
    labels: Mapping[str, str] = ONE_BATCH_COLUMNS,
    seed_marks: Sequence[float] | None = None,
    seed_marks_label: str = "",
    paired: bool = False,
) -> Figure:
    """``groups[name] = [one value per seed]``: one column per group, each seed a dot (seed 0, 1, ... left to right
    within the column), the seeds' mean a short black bar; ``lines[label] = y``: a dashed reference line each;
    ``split_before = i``: a solid grey line between columns i - 1 and i (``split_label`` in the legend). ``labels``:
    the columns' tick labels (default :data:`ONE_BATCH_COLUMNS`; other names show as they are). ``seed_marks``: one
    value per seed, a short red tick under each seed's dot in a column with that many seeds where some seed's value
    is within 0.1 of its tick (drawn below the dots). Columns all named in ``labels`` follow its order. ``paired=True``
    joins each seed's dots across the columns with a thin grey line (every column needs the same seeds)."""
    if seed_marks is not None and not np.isfinite(np.asarray(seed_marks, dtype=float)).all():
        raise ValueError("seed_marks must be finite, one per seed")
    if not groups or any(len(values) == 0 for values in groups.values()):
        raise ValueError("groups must map each name to a non-empty list of per-seed values")
    if set(groups) <= set(labels):  # every column named in labels: drawn in labels' order (check 6: grouped by run)
        groups = {name: groups[name] for name in labels if name in groups}
    values = {name: np.asarray(v, dtype=float) for name, v in groups.items()}
    if any(v.ndim != 1 or not np.isfinite(v).all() for v in values.values()):
        raise ValueError("each group's values must be a finite 1-D list, one per seed")
    fig = new_figure(figsize=(max(4.8, 1.25 * len(groups) + 2.0), 3.4))
    ax = fig.subplots()
    for x, v in enumerate(values.values()):
        offsets = np.linspace(-0.12, 0.12, len(v)) if len(v) > 1 else np.zeros(1)
        dot_label = "one seed" if x == 0 else None
        ax.plot(x + offsets, v, "o", color="C0", markeredgecolor="white", markersize=6, zorder=4, label=dot_label)
        ax.hlines(v.mean(), x - 0.25, x + 0.25, color="black", linewidth=2, label="mean over seeds" if x == 0 else None)
        _draw_seed_marks(ax, x + offsets, v, seed_marks, seed_marks_label)
    if paired:
        _join_seeds(ax, list(values.values()))
    for index, (label, y) in enumerate((lines or {}).items()):
        ax.axhline(y, color=f"C{index + 1}", linestyle="--", linewidth=1, label=label)
    if split_before is not None:
        ax.axvline(split_before - 0.5, color="grey", linewidth=1.5, label=split_label or None)
    names = [textwrap.fill(labels.get(name, name), 16, break_long_words=False) for name in groups]
    ax.set_xticks(range(len(groups)), names, fontsize=8)
    ax.set_xlim(-0.6, len(groups) - 0.4)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def _draw_seed_marks(ax, xs: np.ndarray, values: np.ndarray, marks: Sequence[float] | None, label: str) -> None:
    """:func:`plot_seed_dots`' red ticks (one per seed) in one column, only if some seed's value sits within 0.1 of
    its tick (check 6: a loss at its batch's label entropy); below the dots (zorder), so every dot shows."""
    if marks is None or len(marks) != len(values) or np.abs(values - np.asarray(marks, dtype=float)).min() >= 0.1:
        return
    first = not any(line.get_marker() == "_" for line in ax.lines)
    ax.plot(
        xs,
        marks,
        "_",
        color="C3",
        alpha=0.7,
        markersize=12,
        markeredgewidth=1.5,
        zorder=1,
        label=(label or None) if first else None,
    )


def _join_seeds(ax, columns: list[np.ndarray]) -> None:
    """:func:`plot_seed_dots` with ``paired=True``: a thin grey line per seed through its dot in every column."""
    if len({len(v) for v in columns}) != 1:
        raise ValueError("paired=True needs the same number of seeds in every column")
    n = len(columns[0])
    offsets = np.linspace(-0.12, 0.12, n) if n > 1 else np.zeros(1)
    for seed in range(n):
        xs = [x + offsets[seed] for x in range(len(columns))]
        label = "one seed's runs" if seed == 0 else None
        ax.plot(xs, [v[seed] for v in columns], color="grey", linewidth=0.8, alpha=0.7, zorder=2, label=label)


def plot_shuffle_changes(
    changes: Mapping[str, Sequence[float]],
    floor: float = 1e-8,
    title: str = "Shuffling the patches: how far each image's logits move",
) -> Figure:
    """``changes[model] = [per image: the largest logit change when its patches are shuffled]`` (>= 0). One
    histogram per model on shared log bins from ``floor`` up; a change below ``floor`` (0 to rounding) is
    counted in the first bin, and the legend says how many images each model has there."""
    if not changes or any(len(v) == 0 for v in changes.values()):
        raise ValueError("changes must map each model to a non-empty list of per-image changes")
    values = {name: np.asarray(v, dtype=float) for name, v in changes.items()}
    if any((v < 0).any() or not np.isfinite(v).all() for v in values.values()) or floor <= 0:
        raise ValueError("changes must be finite and >= 0, floor > 0")
    high = max(floor * 10, max(v.max() for v in values.values()) * 1.5)
    bins = np.geomspace(floor, high, 31)
    fig = new_figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    for index, (name, v) in enumerate(values.items()):
        below = int((v < floor).sum())
        label = f"{name} ({len(v)} images; {below} below {floor:.0e})" if below else f"{name} ({len(v)} images)"
        ax.hist(np.maximum(v, floor), bins=bins, color=f"C{index}", alpha=0.7, label=label)
    ax.set_xscale("log")
    ax.set(xlabel=f"largest logit change per image (log; below {floor:.0e} drawn at {floor:.0e})", ylabel="images")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper center")
    fig.tight_layout()
    return fig


def position_similarity_by_distance(similarity: torch.Tensor) -> dict[int, float]:
    """The mean cosine similarity of two patches' position vectors, by their grid distance.

    ``similarity`` is ``(rows, cols, rows, cols)`` (``positional.patch_position_similarity``); the distance is
    the number of whole-patch steps ``|r - r'| + |c - c'|`` (1 for a neighbour sharing an edge). Returns
    ``{distance: mean over every ordered pair at that distance}`` for distances 1 to ``rows + cols - 2``."""
    if (
        not isinstance(similarity, torch.Tensor)
        or similarity.dim() != 4
        or similarity.shape[:2] != similarity.shape[2:]
    ):
        raise ValueError(f"similarity must be (rows, cols, rows, cols), got {getattr(similarity, 'shape', similarity)}")
    rows, cols = similarity.shape[:2]
    r, c = torch.meshgrid(torch.arange(rows), torch.arange(cols), indexing="ij")
    places = torch.stack([r.flatten(), c.flatten()], dim=1)  # (N, 2)
    steps = (places[:, None, :] - places[None, :, :]).abs().sum(-1)  # (N, N)
    flat = similarity.reshape(rows * cols, rows * cols)
    return {k: flat[steps == k].mean().item() for k in range(1, rows + cols - 1)}


def plot_trained_vit_payoff(
    similarity: torch.Tensor,
    images: torch.Tensor,
    maps: torch.Tensor,
    labels: Sequence[int],
    title: str = "What the trained ViT learned about space",
    low: float = -0.5,
    digit_label: str = "test digit",
) -> Figure:
    """Two ViT-specific pictures of a trained model, side by side.

    Left: ``similarity`` ``(rows, cols, rows, cols)``, each patch's learned position vector against every
    patch's (cosine), one small map per patch laid out on the grid (the ViT paper's Figure 7), an outlined square on
    the patch itself. Right: ``images`` ``(k, 1, H, W)`` and ``maps`` ``(k, rows, cols)``, the class token's
    attention to the patches in the last block (mean over heads), drawn over each digit, ``labels`` its digit
    (titled ``digit_label`` and the label, e.g. "validation digit 4").
    The colour scale runs from ``low`` (default -0.5; lower cosines take its colour) to 1, so that the weak
    neighbour structure (cosines of +0.1 to +0.5) is not squeezed into a quarter of the scale."""
    rows, cols = similarity.shape[:2]
    if maps.dim() != 3 or tuple(maps.shape[1:]) != (rows, cols) or len(maps) != len(images) != len(labels):
        raise ValueError(f"maps must be (k, {rows}, {cols}) with one image and label each, got {tuple(maps.shape)}")
    mosaic = torch.full((rows * (rows + 1) - 1, cols * (cols + 1) - 1), float("nan"))
    for r in range(rows):
        for c in range(cols):
            mosaic[r * (rows + 1) : r * (rows + 1) + rows, c * (cols + 1) : c * (cols + 1) + cols] = similarity[r, c]
    k = len(images)
    fig = new_figure(figsize=(6.0 + 1.6 * k, 5.0))
    grid = fig.add_gridspec(
        2, 4 + k, width_ratios=[2.8, 0.1, 0.75] + [1] * k + [0.08], wspace=0.1, hspace=0.15, left=0.05, right=0.93
    )
    ax = fig.add_subplot(grid[:, 0])
    shown = ax.imshow(mosaic.numpy(), cmap="viridis", vmin=low, vmax=1, interpolation="nearest")
    for r in range(rows):
        for c in range(cols):
            corner = (c * (cols + 1) + c - 0.5, r * (rows + 1) + r - 0.5)
            ax.add_patch(Rectangle(corner, 1, 1, fill=False, edgecolor="white", linewidth=1.2))
    ax.set_xticks([c * (cols + 1) + cols / 2 - 0.5 for c in range(cols)], [str(c) for c in range(cols)])
    ax.set_yticks([r * (rows + 1) + rows / 2 - 0.5 for r in range(rows)], [str(r) for r in range(rows)])
    ax.set_xlabel("patch column")
    ax.set_ylabel("patch row")
    ax.set_title("Position embeddings: each small map is one patch\n(outlined square) against every patch", fontsize=9)
    fig.colorbar(
        shown, cax=fig.add_subplot(grid[:, 1]), label="cosine similarity", extend="min" if low > -1 else "neither"
    )
    _draw_class_token_attention(fig, grid, images, maps, labels, digit_label)
    fig.suptitle(title, fontsize=11)
    return fig


def _draw_class_token_attention(
    fig: Figure, grid, images: torch.Tensor, maps: torch.Tensor, labels, digit_label: str = "test digit"
) -> None:
    """The payoff figure's right half: each digit, then the class token's attention over it in red."""
    k = len(images)
    rows, cols = maps.shape[1:]
    height, width = images.shape[-2:]
    top = float(maps.max())
    red = np.zeros((rows, cols, 4))
    red[..., 0] = 0.85
    for i in range(k):
        digit = fig.add_subplot(grid[0, 3 + i])
        digit.imshow(images[i, 0].numpy(), cmap="gray_r", vmin=0, vmax=1)
        digit.set_title(f"{digit_label} {int(labels[i])}", fontsize=9)
        seen = fig.add_subplot(grid[1, 3 + i])
        seen.imshow(images[i, 0].numpy(), cmap="gray_r", vmin=0, vmax=1, alpha=0.45)
        red[..., 3] = 0.9 * maps[i].numpy() / top  # opacity: the share of attention
        seen.imshow(red, extent=(-0.5, width - 0.5, height - 0.5, -0.5), interpolation="nearest")
        for axis in (digit, seen):
            axis.set_xticks([])
            axis.set_yticks([])
        if i == 0:
            digit.set_ylabel("the digit", fontsize=9)
            seen.set_ylabel("class token's\nattention (red)", fontsize=9)
    scale = fig.colorbar(
        matplotlib.cm.ScalarMappable(
            norm=matplotlib.colors.Normalize(0, top),
            cmap=matplotlib.colors.LinearSegmentedColormap.from_list("red", [(0.85, 0, 0, 0), (0.85, 0, 0, 0.9)]),
        ),
        cax=fig.add_subplot(grid[1, 3 + k]),
    )
    scale.set_label("attention\n(mean of heads)", fontsize=8)

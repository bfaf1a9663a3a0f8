"""Figures for lesson 06 (training a small ViT): curves, a confusion matrix, misclassified digits,
the debugging clinic's losses against ln 10, and accuracy against seconds (the benchmark)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..training import History
from . import new_figure

__all__ = [
    "plot_accuracy_vs_time",
    "plot_confusion_matrix",
    "plot_history",
    "plot_losses",
    "plot_misclassified",
    "plot_pooling_grid",
]


def plot_history(history: History, title: str = "Training a small ViT") -> Figure:
    """Two panels against epochs: the training loss, and the train / validation accuracy.

    The train accuracy is the one measured on the training batches during each epoch (augmented
    images, if augmentation is on, while the weights still change); the validation accuracy is
    measured after the epoch on the validation split (the test split is never read here)."""
    if not isinstance(history, History) or len(history) == 0:
        raise ValueError("history must be a non-empty History returned by vit_explained.training.fit")
    fig = new_figure(figsize=(9, 3.4))
    (left, right) = fig.subplots(1, 2)
    left.plot(history.epoch, history.train_loss, marker="o", markersize=3, color="tab:blue")
    left.set(xlabel="epoch", ylabel="cross-entropy", title="training loss")
    right.plot(
        history.epoch, np.array(history.train_accuracy) * 100, marker="o", markersize=3, label="train (augmented)"
    )
    right.plot(history.epoch, np.array(history.val_accuracy) * 100, marker="s", markersize=3, label="validation")
    right.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    right.legend(loc="lower right")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
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
    bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="mistakes (off the diagonal)")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
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


def plot_losses(
    losses: Mapping[str, Sequence[float]], title: str = "Training loss against the loss of guessing", smooth: int = 5
) -> Figure:
    """One line per ``name: per-step losses`` (a running mean over ``smooth`` steps), and a dashed
    line at ln 10 ≈ 2.303: the cross-entropy of a model that gives every one of 10 classes 1/10."""
    if not losses or any(len(values) == 0 for values in losses.values()):
        raise ValueError("losses must map each name to a non-empty sequence of per-step losses")
    smooth = max(1, int(smooth))
    fig = new_figure(figsize=(7.5, 4))
    ax = fig.subplots()
    for name, values in losses.items():
        values = np.asarray(values, dtype=float)
        kernel = min(smooth, len(values))
        running = np.convolve(values, np.ones(kernel) / kernel, mode="valid")
        ax.plot(np.arange(kernel - 1, len(values)), running, label=name, linewidth=1.5)
    ax.axhline(math.log(10), color="black", linestyle="--", linewidth=1, label="ln 10 ≈ 2.303 (guessing)")
    ax.set(xlabel="step", ylabel="cross-entropy (running mean)", title=title)
    ax.set_ylim(0, max(3.0, math.log(10) + 0.5))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


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

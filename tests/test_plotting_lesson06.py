"""Lesson 06's selection-gap histogram: one histogram per rule on shared bins, the means marked, bad input refused."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from vit_explained.plotting.lesson06 import plot_lr_schedule, plot_selection_gaps, plot_weight_decay_paths
from vit_explained.training import lr_factor


def test_selection_gaps_draws_one_histogram_per_rule_with_its_mean():
    rng = np.random.default_rng(0)
    gaps = {"test": 0.01 + 0.02 * rng.standard_normal(200), "validation": 0.02 * rng.standard_normal(200)}
    fig = plot_selection_gaps(gaps)
    ax = fig.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert len(labels) == 5 and any(label.startswith("picked by test (mean +1.") for label in labels)
    assert {"mean, picked by test", "mean, picked by validation", "0: no overstatement"} <= set(labels)  # lines named
    assert sum(patch.get_height() for patch in ax.patches) == 400  # every split counted once per rule
    means = sorted(line.get_xdata()[0] for line in ax.lines)  # 0 dashed, and each rule's mean (in points)
    assert np.allclose(means, sorted([0, 100 * gaps["test"].mean(), 100 * gaps["validation"].mean()]))


def test_selection_gaps_accepts_equal_values_and_refuses_empty_input():
    plot_selection_gaps({"test": [0.0, 0.0]})
    with pytest.raises(ValueError, match="gaps must map"):
        plot_selection_gaps({})
    with pytest.raises(ValueError, match="non-empty 1-D"):
        plot_selection_gaps({"test": []})


def test_pooling_plot_joins_each_seeds_pair_within_a_learning_rate():
    from vit_explained.plotting.lesson06 import plot_pooling_seeds

    runs = {
        "300": {
            "0.03": {"cls": [0.3, 0.5, 0.7], "mean": [0.8, 0.85, 0.9]},
            "0.1": {"cls": [0.2, 0.9, 0.4], "mean": [0.6, 0.8, 0.9]},
        }
    }
    fig = plot_pooling_seeds(runs)
    ax = fig.axes[0]
    joins = [
        line
        for line in ax.get_lines()
        if line.get_color() == "gray" and line.get_linewidth() == 0.7 and len(line.get_xdata())  # not the legend's
    ]
    assert len(joins) == 6  # 3 seeds x 2 learning rates, each line from class token to mean at one rate
    assert all(abs(line.get_xdata()[1] - line.get_xdata()[0] - 1) < 1e-9 for line in joins)


def test_plot_digits_titles_each_image_with_its_label():
    from vit_explained.plotting.lesson06 import plot_digits

    fig = plot_digits(torch.rand(12, 1, 8, 8), torch.arange(12) % 10, count=5)
    assert [ax.get_title() for ax in fig.axes] == ["0", "1", "2", "3", "4"]
    with pytest.raises(ValueError, match="at least one"):
        plot_digits(torch.rand(0, 1, 8, 8), torch.zeros(0, dtype=torch.long))


def test_plot_augmented_digits_shows_originals_above_their_augmented_copies():
    from vit_explained.data import augment
    from vit_explained.plotting.lesson06 import plot_augmented_digits

    images = torch.rand(6, 1, 8, 8)
    moved = augment(images, generator=torch.Generator().manual_seed(0), max_rotation=10.0, max_translate=1.0)
    fig = plot_augmented_digits(images, moved, torch.arange(6), count=4)
    assert len(fig.axes) == 8 and [ax.get_title() for ax in fig.axes[:4]] == ["0", "1", "2", "3"]
    top, bottom = fig.axes[0].images[0].get_array(), fig.axes[4].images[0].get_array()
    assert np.allclose(top, images[0, 0].numpy()) and np.allclose(bottom, moved[0, 0].numpy())
    assert fig.axes[0].get_ylabel() == "original" and fig.axes[4].get_ylabel() == "augmented"
    with pytest.raises(ValueError, match="differ in shape"):
        plot_augmented_digits(images, moved[:3], torch.arange(6))
    with pytest.raises(ValueError, match="at least one"):
        plot_augmented_digits(images[:0], moved[:0], torch.arange(0))


def test_seed_plots_name_the_dots_and_the_mean_bars_in_the_legend():
    from vit_explained.plotting.lesson06 import plot_pooling_seeds, plot_seed_comparison

    fig = plot_seed_comparison({"400 steps": {"ViT": [0.9, 0.95], "CNN": [0.96, 0.97]}}, title="t")
    runs = {"300": {"0.03": {"cls": [0.3, 0.5], "mean": [0.8, 0.9]}}}
    for ax in (fig.axes[0], plot_pooling_seeds(runs).axes[0]):
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert "one seed" in labels and "mean over seeds" in labels
        assert any(label.startswith("thin line") for label in labels)  # the gray lines joining one seed's dots


def test_lr_schedule_draws_every_step_against_epochs_and_marks_the_warm_up():
    total, per_epoch = 240, 20
    rates = [1e-2 * lr_factor(step / total, 0.1, "cosine") for step in range(total)]
    fig = plot_lr_schedule(rates, per_epoch)
    ax = fig.axes[0]
    curve, warm_up = ax.lines[0], ax.lines[1]
    assert len(curve.get_xdata()) == total and curve.get_xdata()[-1] == (total - 1) / per_epoch
    assert np.allclose(curve.get_ydata(), rates)
    peak = int(np.argmax(rates))
    assert warm_up.get_xdata()[0] == peak / per_epoch and 20 <= peak <= 24  # 10 % of 240 steps
    assert f"step {peak}" in ax.get_legend().get_texts()[1].get_text()


def test_lr_schedule_refuses_bad_input():
    with pytest.raises(ValueError, match="learning_rates"):
        plot_lr_schedule([], 10)
    with pytest.raises(ValueError, match="learning_rates"):
        plot_lr_schedule([0.1, float("nan")], 10)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        plot_lr_schedule([0.1, 0.2], 0)


def test_digits_with_patches_draws_the_patch_grid_over_each_digit():
    from matplotlib.figure import Figure

    from vit_explained.plotting.lesson06 import plot_digits_with_patches

    fig = plot_digits_with_patches(torch.rand(12, 1, 8, 8), torch.arange(12) % 10, patch_size=2, count=4)
    assert isinstance(fig, Figure) and [ax.get_title() for ax in fig.axes] == ["0", "1", "2", "3"]
    assert len(fig.axes[0].lines) == 5 + 5  # 4x4 patches: 5 horizontal and 5 vertical lines, 16 tokens
    with pytest.raises(ValueError, match="at least one"):
        plot_digits_with_patches(torch.rand(0, 1, 8, 8), torch.zeros(0, dtype=torch.long))


def test_attention_axes_diagram_marks_a_row_and_a_column():
    from matplotlib.figure import Figure

    from vit_explained.plotting.lesson06 import plot_attention_axes

    fig = plot_attention_axes(batch=3, tokens=4)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    correct, bug = fig.axes
    assert len(correct.patches) == len(bug.patches) == 12  # one square per (image, token)
    assert (
        len(correct.texts) == 3 and len(bug.texts) == 2
    )  # arrows to the row's other tokens / the column's other images
    assert len(fig._suptitle.get_text()) < 90  # a short title; the explanation is the lesson's prose


def test_overfitting_plot_marks_the_lowest_validation_loss_and_shades_the_gap():
    from vit_explained.plotting.lesson06 import plot_overfitting

    curves = {
        "train_loss": [2.0, 1.0, 0.5, 0.1, 0.01],
        "val_loss": [2.1, 1.2, 0.9, 1.0, 1.3],  # lowest at epoch 3
        "train_accuracy": [0.3, 0.6, 0.9, 1.0, 1.0],
        "val_accuracy": [0.3, 0.55, 0.8, 0.8, 0.79],
    }
    fig = plot_overfitting(curves)
    left, _zoom, right = fig.axes  # the middle panel: the validation loss from its lowest windowed epoch
    for ax in (left, right):
        marks = [line for line in ax.lines if line.get_label().startswith("lowest 5-epoch mean validation loss")]
        assert len(marks) == 1 and marks[0].get_xdata()[0] == 5 and "epoch 5" in marks[0].get_label()  # one window
    assert left.get_yscale() == "linear" and np.allclose(left.lines[1].get_ydata(), curves["val_loss"])
    assert np.allclose(right.lines[0].get_ydata(), [30, 60, 90, 100, 100])  # percent
    smooth = [line for line in left.lines if line.get_label() == "validation, 5-epoch mean"]
    assert len(smooth) == 1 and np.allclose(smooth[0].get_ydata(), [np.mean(curves["val_loss"])])  # one window of 5
    assert list(smooth[0].get_xdata()) == [5]  # drawn at the window's last epoch
    assert len(right.collections) == 1  # the shaded gap


def test_overfitting_plot_refuses_missing_or_uneven_curves():
    from vit_explained.plotting.lesson06 import plot_overfitting

    with pytest.raises(ValueError, match="must map"):
        plot_overfitting({"train_loss": [1.0]})
    uneven = {"train_loss": [1.0, 0.5], "val_loss": [1.0], "train_accuracy": [0.5, 0.6], "val_accuracy": [0.5, 0.6]}
    with pytest.raises(ValueError, match="same, non-zero"):
        plot_overfitting(uneven)


def test_paired_differences_draws_one_row_per_comparison_with_its_verdict_and_zero():
    from vit_explained.plotting.lesson06 import plot_paired_differences

    rows = {
        "CNN-8 - ViT": (1.9, (0.8, 3.1), (0.2, 3.7), "clears"),
        "soft - ViT": (0.9, (-0.4, 2.2), (-1.1, 2.8), "holds 0"),
    }
    fig = plot_paired_differences(rows)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["soft - ViT", "CNN-8 - ViT"]  # first row on top
    assert {"clears", "holds 0"} <= {t.get_text() for t in ax.texts}
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["99.2 % interval (corrected)", "95 % interval", "mean over seeds", "0: no difference"]
    assert any(list(line.get_xdata()) == [0, 0] for line in ax.lines)  # the line at 0
    fig = plot_paired_differences(rows, level=1 - 0.05 / 16)
    assert fig.legends[0].get_texts()[0].get_text() == "99.7 % interval (corrected)"  # the level it is given
    with pytest.raises(ValueError, match="rows must map"):
        plot_paired_differences({})
    with pytest.raises(ValueError, match="corrected low"):
        plot_paired_differences({"x": (1.0, (0.0, 2.0), (0.5, 3.0), "?")})  # corrected narrower than 95 %


def test_paired_differences_draws_each_seeds_difference_above_its_row():
    # brief fix06m item 2 (review r28d minor 9): the per-seed differences, drawn before section 5's verdict table
    from vit_explained.plotting.lesson06 import plot_paired_differences

    rows = {
        "CNN-8 - ViT": (2.0, (1.0, 3.0), (0.5, 3.5), "leans"),
        "soft - ViT": (0.5, (-0.5, 1.5), (-1.0, 2.0), "no detectable difference"),
    }
    seeds = {"CNN-8 - ViT": [1.0, 2.0, 3.0, 6.0], "soft - ViT": [-2.5, 0.5, 1.5, 0.5]}
    fig = plot_paired_differences(rows, seeds=seeds)
    ax = fig.axes[0]
    dots = [line for line in ax.lines if line.get_marker() == "o" and line.get_markerfacecolor() == "none"]
    assert [list(d.get_xdata()) for d in dots] == [[-2.5, 0.5, 1.5, 0.5], [1.0, 2.0, 3.0, 6.0]]  # bottom row first
    assert [list(np.round(d.get_ydata(), 2)) for d in dots] == [
        [0.22, 0.22, 0.22, 0.32],
        [1.22] * 4,
    ]  # above the bars; a tie stacked
    left, right = ax.get_xlim()
    assert left < -2.5 and right > 6.0  # the axis holds every seed, not only the intervals
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels.count("one seed's a - b") == 1 and labels[0] == "99.2 % interval (corrected)"
    with pytest.raises(ValueError, match="one list per row"):
        plot_paired_differences(rows, seeds={"CNN-8 - ViT": [1.0]})
    with pytest.raises(ValueError, match="non-empty, finite"):
        plot_paired_differences(rows, seeds={"CNN-8 - ViT": [], "soft - ViT": [1.0]})
    assert len(plot_paired_differences(rows).axes[0].lines) == len(fig.axes[0].lines) - 2  # no dots without seeds


def test_start_loss_plot_overlays_the_prediction_and_the_silent_band():
    import math

    from vit_explained.plotting.lesson06 import plot_start_loss

    sigma2 = [0.004, 0.4, 4.0, 40.0]
    ax = plot_start_loss(sigma2, [2.30, 2.50, 3.6, 10.3]).axes[0]
    assert ax.get_xscale() == "log"
    measured, predicted = ax.lines[1], ax.lines[0]
    assert list(measured.get_xdata()) == sigma2
    assert np.allclose(predicted.get_ydata(), math.log(10) + np.asarray(predicted.get_xdata()) / 2)
    assert len(ax.patches) == 1  # the band ln 10 +- 0.2
    assert any("stays silent" in t.get_text() for t in ax.get_legend().get_texts())
    with pytest.raises(ValueError, match="equal-length"):
        plot_start_loss([1.0], [2.0])


def test_gradient_ratios_draw_one_bar_per_part_and_bug_on_a_log_axis_from_one():
    from vit_explained.plotting.lesson06 import plot_gradient_ratios

    ratios = {"bug a": {"embed": 100.0, "head": 10.0}, "bug b": {"embed": 0.8, "head": 1.0}}
    ax = plot_gradient_ratios(ratios).axes[0]
    assert ax.get_yscale() == "log"
    tops = [patch.get_y() + patch.get_height() for patch in ax.patches]
    assert np.allclose(tops, [100.0, 10.0, 0.8, 1.0]) and all(patch.get_y() == 1.0 for patch in ax.patches)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["patch embedding\n(embed)", "head"]  # PART_LABELS
    assert [t.get_text() for t in ax.get_legend().get_texts()][1:] == ["bug a", "bug b"]
    with pytest.raises(ValueError, match="ratios must map"):
        plot_gradient_ratios({})
    with pytest.raises(ValueError, match="same parts"):
        plot_gradient_ratios({"a": {"embed": 2.0}, "b": {"head": 2.0}})
    with pytest.raises(ValueError, match="finite and > 0"):
        plot_gradient_ratios({"a": {"embed": float("inf")}})


def test_feature_plane_colours_each_digit_and_circles_the_wrong_answers():
    from vit_explained.plotting.lesson06 import plot_feature_plane

    points = np.array([[0.0, 0.0], [0.2, 0.1], [3.0, 3.0], [3.1, 2.9]])
    labels, wrong = np.array([0, 0, 1, 1]), np.array([False, True, False, False])
    fig = plot_feature_plane(points, labels, wrong)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["0", "1"]  # each digit written at its group's mean
    assert len(ax.collections) == 3 and len(ax.collections[-1].get_offsets()) == 1  # two groups, one circle
    assert "wrong answers (1)" in ax.get_legend().get_texts()[0].get_text()
    with pytest.raises(ValueError):
        plot_feature_plane(points[:, :1], labels, wrong)


def test_paired_differences_without_a_family_draws_no_corrected_bar():
    # brief fix06_34a (review r34b item 4): section 5's two knobs are lone comparisons, 95 % intervals only
    from vit_explained.plotting.lesson06 import plot_paired_differences

    rows = {"patch 4 - patch 2": (1.9, (-0.1, 3.9), (None, None), "no detectable difference")}
    fig = plot_paired_differences(rows, level=None, seeds={"patch 4 - patch 2": [1.0, 2.0, 3.0]})
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["95 % interval", "mean over seeds", "one seed's a - b", "0: no difference"]
    bars = fig.axes[0].collections  # hlines: the 95 % bar only
    assert len(bars) == 1 and np.allclose(bars[0].get_segments()[0][:, 0], [-0.1, 3.9])


def test_epoch_losses_draws_one_line_per_run_and_the_chance_line():
    # brief fix06_34a (review r34a item 1): the 2-epoch loop against the same recipe run 12 epochs
    from vit_explained.plotting.lesson06 import plot_epoch_losses

    fig = plot_epoch_losses({"12 epochs": [2.36, 2.32, 1.82, 1.12], "2 epochs": [2.37, 2.32]})
    ax = fig.axes[0]
    assert [list(line.get_xdata()) for line in ax.lines[:2]] == [[1, 2, 3, 4], [1, 2]]
    assert abs(ax.lines[2].get_ydata()[0] - math.log(10)) < 1e-12
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["12 epochs", "2 epochs"]
    with pytest.raises(ValueError, match="non-empty"):
        plot_epoch_losses({"x": []})


def test_weight_decay_paths_one_panel_per_noise_scale():
    paths = {1.0: {"no decay": [1.0, 0.9, 0.8], "AdamW": [1.0, 0.8, 0.7]}, 0.01: {"no decay": [1.0, 1.0, 1.0]}}
    fig = plot_weight_decay_paths(paths)
    axes = fig.get_axes()
    assert [ax.get_title() for ax in axes] == ["gradient noise σ = 1", "gradient noise σ = 0.01"]
    assert [len(ax.get_lines()) for ax in axes] == [2, 1]
    assert list(axes[0].get_lines()[1].get_ydata()) == [1.0, 0.8, 0.7]
    with pytest.raises(ValueError):
        plot_weight_decay_paths({})
    with pytest.raises(ValueError):
        plot_weight_decay_paths({1.0: {"no decay": [1.0, float("nan")]}})


def test_weight_decay_paths_that_coincide_both_show():
    """Adam's and AdamW's paths nearly coincide at σ = 1: the later one is dashed and thinner, so both show."""
    same = [1.0, 0.99, 0.98]
    fig = plot_weight_decay_paths({1.0: {"no decay": [1.0, 1.0, 1.0], "Adam": same, "AdamW": same}})
    _, adam, adamw = fig.get_axes()[0].get_lines()
    assert adamw.get_linestyle() == "--" and adam.get_linestyle() == "-"
    assert adamw.get_linewidth() < adam.get_linewidth()
    # Adam on no decay at σ = 10: the first line is a wider band under the second
    no_decay = fig.get_axes()[0].get_lines()[0]
    assert no_decay.get_linewidth() > 1.5 * adam.get_linewidth()

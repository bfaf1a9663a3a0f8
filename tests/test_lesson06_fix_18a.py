"""Lesson 06, round 18a: the seed-dot and shuffle-histogram pictures, the per-image permutation change, exercise 1's
"divided by K" message, and the notebook's DataLoader cell and timm version."""

import matplotlib

matplotlib.use("Agg")

from pathlib import Path

import numpy as np
import pytest
import torch

from tests._notebook import sources
from vit_explained import clinic
from vit_explained.exercises import ExerciseFailed, lesson06
from vit_explained.plotting.lesson06 import plot_seed_dots, plot_shuffle_changes

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "06_train_a_vit.ipynb"


def test_seed_dots_draw_every_seed_its_mean_and_the_reference_lines():
    fig = plot_seed_dots({"a": [1.0, 2.0, 3.0], "b": [0.5]}, ylabel="y", title="t", lines={"zero": 0.0})
    ax = fig.axes[0]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert sorted(np.concatenate([d.get_ydata() for d in dots]).tolist()) == [0.5, 1.0, 2.0, 3.0]
    means = sorted(seg[0][1] for coll in ax.collections for seg in coll.get_segments())
    assert means == [0.5, 2.0]  # one bar per group at its mean
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["one seed", "mean over seeds", "zero"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]


def test_seed_dots_refuse_empty_or_non_finite_groups():
    with pytest.raises(ValueError, match="non-empty"):
        plot_seed_dots({}, ylabel="y", title="t")
    with pytest.raises(ValueError, match="non-empty"):
        plot_seed_dots({"a": []}, ylabel="y", title="t")
    with pytest.raises(ValueError, match="finite"):
        plot_seed_dots({"a": [1.0, float("nan")]}, ylabel="y", title="t")


def test_shuffle_histogram_counts_every_image_and_names_those_below_the_floor():
    fig = plot_shuffle_changes({"blind": [0.0, 1e-7, 2e-7], "seeing": [1e-2, 2e-2]}, floor=1e-8)
    ax = fig.axes[0]
    assert sum(patch.get_height() for patch in ax.patches) == 5
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["blind (3 images; 1 below 1e-08)", "seeing (2 images)"]
    assert ax.get_xscale() == "log"
    with pytest.raises(ValueError, match=">= 0"):
        plot_shuffle_changes({"a": [-1.0]})


def test_permutation_changes_per_image_agree_with_the_largest_change():
    torch.manual_seed(0)
    images = torch.rand(5, 1, 8, 8)
    blind, seeing = clinic.BlogViT("no position embeddings"), clinic.BlogViT("none")
    per_image = clinic.permutation_changes(seeing, images)
    assert per_image.shape == (5,) and per_image.max().item() == clinic.permutation_change(seeing, images)
    assert clinic.permutation_changes(blind, images).max() < 1e-5 < per_image.min()


def test_exercise_1_names_dividing_by_the_number_of_classes():
    with pytest.raises(ExerciseFailed, match="number of classes K"):
        lesson06.check_accuracy(lambda logits, labels: (logits.argmax(1) == labels).sum().item() / logits.shape[1])
    lesson06.check_accuracy(lambda logits, labels: (logits.argmax(1) == labels).double().mean().item())


def test_notebook_has_the_dataloader_loop_its_check_and_the_timm_version():
    text = "\n".join(sources(NOTEBOOK))
    # review 19b: moved to appendix C
    real_loop = "\n".join(sources(NOTEBOOK.with_name("06_train_a_vit_appendix.ipynb")))
    assert "DataLoader(train_set" in real_loop and "LambdaLR" in real_loop and "clip_grad_norm_" in real_loop
    assert "real[:20] == plain[:20]" in real_loop  # the equal first epoch, asserted
    assert "#real-loop" in text and "DataLoader(train_set" not in text  # the lesson points there
    # review r21i: the timm version moved to appendix C, worded "1.0.12 to 1.0.28, and 1.0.29.dev0"
    assert "grad_norm_clip = 1.0" in real_loop and "timm 1.0.12 to 1.0.28, and 1.0.29.dev0" in real_loop
    assert "#timm-decay" in text
    appendix = "\n".join(sources(NOTEBOOK.with_name("06_train_a_vit_appendix.ipynb")))
    # 3 pictures; review 19a moved the regulariser arms' picture to appendix C
    assert text.count("plot_seed_dots(") == 2 and "plot_shuffle_changes(" in text
    assert appendix.count("plot_seed_dots(") == 1 and '<a id="regularisers"></a>' in appendix

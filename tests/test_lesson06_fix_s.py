"""Lesson 06, fix round s: each seed keeps one colour in the over-fitting figure, the stored 12-epoch run's
eval-mode training accuracy backs section 3's reading, and the checkers name a constant floor and a nan interval."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
import pytest

from vit_explained import clinic
from vit_explained.exercises import ExerciseFailed, lesson06

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "06_train_a_vit.ipynb"


def _markdown() -> list[str]:
    return [c.source for c in nbformat.read(LESSON, as_version=4).cells if c.cell_type == "markdown"]


def test_each_seed_has_one_colour_in_every_panel():
    from vit_explained.plotting.lesson06 import plot_overfitting

    runs = clinic.stored_runs()["overfitting"]
    vit = runs["curves"]["ViT"]
    seeds = {f"seed {s}": r for s, r in zip(runs["seeds"], vit, strict=True)}
    fig = plot_overfitting(vit[1], seeds=seeds, loss_top=1.5, shade_from=97)
    left, middle, _ = fig.axes[:3]
    colours = {line.get_label(): line.get_color() for line in middle.lines if line.get_label().startswith("seed ")}
    assert len(set(colours.values())) == 3
    (mean,) = [line for line in left.lines if line.get_label() == "seed 1"]  # the left panel's mean is seed 1's
    assert mean.get_color() == colours["seed 1"]
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert labels.count("seed 1") == 1 and "validation, 5-epoch mean" not in labels  # one entry per seed
    dots = [line for line in middle.lines if line.get_marker() == "o"]
    assert sorted(int(line.get_xdata()[0]) for line in dots) == [25, 29, 72]  # each seed's lowest epoch


def test_the_stored_12_epoch_run_has_eval_mode_training_accuracy():
    stored = clinic.stored_runs()["curves_eval"]
    assert len(stored["train_eval"]) == len(stored["train_tally"]) == len(stored["val_accuracy"]) == 12
    assert all(t > v for t, v in zip(stored["train_eval"][2:5], stored["val_accuracy"][2:5], strict=True))
    assert all(v > t for t, v in zip(stored["train_tally"][:5], stored["val_accuracy"][:5], strict=True))
    (text,) = [s for s in _markdown() if s.startswith("The full recipe too sits near ln 10")]  # round 21b: merged
    appendix = nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells
    early = "In epoch 1 both accuracies are at chance; in epoch 2 validation has begun to rise (17 %, printed)"
    assert any(early in c.source for c in appendix if c.cell_type == "markdown")  # round 21b: to appendix C
    assert "in epochs 1-2 both are at chance" not in text
    assert "#eval-mode) counts it in eval mode" in text  # review 17d: the eval-mode count lives in appendix C


def test_review_s_wording():
    text = "\n".join(_markdown())
    # round 21b: tightened wording, same runs; the DeiT comparison in words moved to appendix C
    assert "switch both off and train the same ViT on only 300 training digits" in " ".join(text.split())
    assert "to provoke" not in text
    appendix_text = "\n".join(
        c.source for c in nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells
    )
    assert "RandAugment, Mixup and\nCutMix, random erasing, stochastic depth and repeated augmentation" in appendix_text
    assert '<a id="why-not-test"></a>' in text and "[section 1](#why-not-test)" in text
    assert "(Xiao et al., 2021, use several convs)" in text  # round 21b: tightened, same contrast
    appendix = LESSON.with_name("06_train_a_vit_appendix.ipynb")  # round 18a: the stopping runs moved to appendix C
    assert "narrows on all 6 runs" in "\n".join(c.source for c in nbformat.read(appendix, as_version=4).cells)
    assert "Steiner et al. (2021" in text and "Steiner et al. (2022" not in text  # round w: the arXiv year


def test_a_constant_floor_and_a_nan_interval_get_their_own_message():
    with pytest.raises(ExerciseFailed, match=r"PyTorch's convention at epsilon 0\.1, K 10"):
        lesson06.check_smoothing_floor(lambda e, k: 0.5)
    with pytest.raises(ExerciseFailed, match="ln K is the loss"):
        lesson06.check_smoothing_floor(lambda e, k: math.log(k))  # not constant: the ln K slip keeps its message
    with pytest.raises(ExerciseFailed, match="not two finite numbers"):
        lesson06.check_paired_interval(lambda a, b: (math.nan, math.nan))

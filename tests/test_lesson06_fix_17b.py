"""Lesson 06, fix round 17b: the wording the fresh review asked for, exercise 1's half-precision answers,
exercise 2's eval-mode sentence, the gradient-ratio figure drawn bug / fixed, the visible paired intervals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "06_train_a_vit_solutions.ipynb"


def _cells(path: Path) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]]


def test_a_stuck_run_points_to_a_bug_or_a_slow_optimiser_and_no_calibration_is_claimed():
    text = "\n".join(_cells(LESSON))
    # round 22c: plain sentences, same fact
    # round 24c (review r24b item 2): check 4 separates the stuck runs; check 6 confirms the slow optimiser
    assert "Each is a bug or a slow optimiser. Check 4 (one backward) separates them" in " ".join(text.split())
    assert "three runs still at ln 10 after 150 steps do:" not in text
    assert "(calibration)" not in text


def test_exercise_two_says_the_model_may_arrive_in_eval_mode_in_lesson_and_solutions():
    sentence = "may arrive in eval mode (your step must set training mode)"
    for path in (LESSON, SOLUTIONS):
        assert any("### Exercise 2" in cell and sentence in cell for cell in _cells(path)), path
    assert "`model.train()` once" not in "\n".join(_cells(LESSON))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_exercise_one_accepts_a_half_precision_mean(dtype, capsys):
    from vit_explained.exercises.lesson06 import check_accuracy

    check_accuracy(lambda logits, labels: (logits.argmax(1) == labels).to(dtype).mean())
    assert "Correct" in capsys.readouterr().out


def test_a_wrong_half_precision_answer_is_still_refused():
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson06 import check_accuracy

    with pytest.raises(ExerciseFailed):
        check_accuracy(lambda logits, labels: (logits.argmax(1) == labels).half().mean() + 0.05)


def test_gradient_ratio_figure_draws_bug_over_fixed_below_one_when_smaller():
    from vit_explained.plotting.lesson06 import plot_gradient_ratios

    ax = plot_gradient_ratios({"bug": {"embed": 0.01, "head": 2.0}}).axes[0]
    assert ax.get_ylabel() == "bug's norm / fixed model's norm" and ax.get_yscale() == "log"
    text = "\n".join(_cells(LESSON))
    assert "a bar below 1x means the bug's gradient is smaller" in text


def test_the_headline_and_regulariser_intervals_are_computed_in_view():
    cells = _cells(LESSON)
    assert any("d_head.std(ddof=1) / np.sqrt(len(d_head))" in c and "scipy.stats.t.ppf" in c for c in cells)
    appendix = _cells(LESSON.with_name("06_train_a_vit_appendix.ipynb"))  # review 19a: the regulariser arms moved there
    assert any("d.std(ddof=1) / np.sqrt(len(d))" in c and "scipy.stats.t.ppf" in c for c in appendix)


def test_over_fitting_middle_panel_has_no_training_curves_and_one_dashed_entry():
    from vit_explained import clinic
    from vit_explained.plotting.lesson06 import plot_overfitting_seeds

    runs = clinic.stored_runs()["overfitting"]
    rise, _ = clinic.overfitting_rises(runs, window=5, margin=0.05, short={"SmallCNN width 8": "CNN-8"})
    fig = plot_overfitting_seeds(runs, rise, seed=1, last_epoch=100)
    middle = fig.axes[1]
    assert not any(line.get_color() == "tab:blue" for line in middle.lines)  # no faint training curves
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert len(labels) == 7 and sum(label.startswith("dashed") for label in labels) == 1

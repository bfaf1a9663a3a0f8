"""Lesson 09, fix round 18e (fresh review 18d): no printed soft-vs-hard attempt and no learning goal promising to
tell soft from hard; deit's provenance commit dated, not called the first; the paper's KL read literally; the
0.70 (head 1) against the picture's 0.29 (heads averaged); exercise 1 and 2 messages stop at the hint."""

from pathlib import Path

import pytest
import torch.nn.functional as F

from tests import _lesson09
from vit_explained.exercises import ExerciseFailed, lesson09

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "09_deit_distillation.ipynb"


def _sources() -> list[str]:
    return ["".join(cell["source"]) for cell in _lesson09.cells(NOTEBOOK)]


def test_soft_against_hard_is_a_formula_goal_and_no_attempt_is_printed():
    sources = _sources()
    text = "\n".join(sources)
    assert "tell soft from hard" not in text and "about 26 %" not in text
    assert "the paper's Table 3 compares them; this lesson does not" in sources[0]
    assert not any("soft_hard_benchmark" in s for s in sources)
    assert "trained too little to compare |" in text


def test_provenance_and_kl_direction_and_the_two_row_0_numbers():
    text = "\n".join(_sources())
    assert "read at `0282d2a`, January 2021" in text and "first commit" not in text
    assert "Read literally, the paper writes KL(student || teacher)" in text and "Hinton's direction" in text
    assert "leaves the direction open" not in text
    # 19c (review 19b): 0.29 is in the zoom's subtitle line, not the picture's title
    assert "Row 0 puts 0.70 on it in head 1 alone, 0.29 with the heads averaged (printed below)." in text  # 21a: app. C


def _message(check, answer) -> str:
    with pytest.raises(ExerciseFailed) as failed:
        check(answer)
    return str(failed.value)


def test_exercise_1_messages_stop_at_the_argument():
    def start_at_1(w, q, s, r, c):
        return w[:, :, q, 1 : 1 + r * c].reshape(*w.shape[:2], r, c)

    message = _message(lesson09.check_token_map, start_at_1)
    assert message.endswith("The argument special_tokens decides where the patches start")
    assert "(here" not in message and "token(s)" not in message


def test_exercise_2_names_the_teachers_logits_as_a_soft_target():
    def logits_as_target(class_logits, distillation_logits, labels, teacher_logits):
        return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(distillation_logits, teacher_logits)

    assert "you passed the teacher's logits as a soft target" in _message(
        lesson09.check_hard_distillation, logits_as_target
    )


def test_zero_bars_of_the_relabel_figure_get_a_marker_hollow_for_the_control():
    from vit_explained.plotting.lesson09 import plot_relabel_ablation

    fig = plot_relabel_ablation(
        {"class head, a": [(0.0, 0.0, 0.07)] * 2, "class head, teacher unchanged": [(0.0, 0.0, 0.07)] * 3}
    )
    markers = [line for line in fig.axes[0].lines if line.get_marker() == "o"]
    assert len(markers) == 5 and sum(line.get_markerfacecolor() == "white" for line in markers) == 3
    assert "a dot: 0 %" in fig.axes[0].get_title()


def test_the_teacher_targets_widget_draws_a_larger_picture_with_larger_text():
    import torch

    from vit_explained.plotting.lesson09 import plot_teacher_targets

    logits = torch.linspace(-1, 1, 10)
    plain, large = (
        plot_teacher_targets(logits, temperatures=(3,)),
        plot_teacher_targets(logits, temperatures=(3,), scale=1.8),
    )
    assert large.get_size_inches()[0] > 1.7 * plain.get_size_inches()[0]
    assert large.axes[0].title.get_fontsize() > 1.7 * plain.axes[0].title.get_fontsize()
    source = (ROOT / "vit_explained" / "widgets" / "lesson09.py").read_text()
    assert "true_label=label, scale=1.8)" in source

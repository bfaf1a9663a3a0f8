"""Lesson 06, fresh review 17e: a wrong cross-reference, loose wording and two exact figures."""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"


def _markdown() -> str:
    return "\n".join(c.source for c in nbformat.read(LESSON, as_version=4).cells if c.cell_type == "markdown")


def test_the_no_position_end_loss_is_credited_to_the_clinic_table():
    text = _markdown()
    assert "Check 1's print already showed" not in text
    assert "The clinic table above already showed the third" in text


def test_sgd_at_1e_2_reaches_the_label_entropy_rather_than_not_moving():
    text = _markdown()
    assert "has not moved" not in text and "SGD at 1e-2 only reaches the label entropy too" in text


def test_summary_says_higher_than_what_and_the_pooled_sign_test():
    text = _markdown()
    assert "higher than at the lowest-validation-loss epoch on all 6 runs\n  (pooled sign test p = 0.03)" in text


def test_scale_cost_is_labelled_not_isolated_and_exact_figures():
    text = _markdown()
    assert "on each of 3 seeds. Why is not isolated here." in text
    assert "against 42.5 % for the same rule" in text and "about 42 %" not in text
    assert "within 0.20 of ln 10" in text
    assert "the ViT paper clips at global norm 1 on ImageNet" in text

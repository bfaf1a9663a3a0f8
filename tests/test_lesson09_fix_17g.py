"""Lesson 09, fix round 17g (fresh review 17f): the crop argument is for any distillation, not hard > soft; the
slice depends on the special tokens' position; the crop-teacher p-values are optimistic; two exercise messages."""

from pathlib import Path

import pytest

from tests import _lesson09
from vit_explained.exercises import ExerciseFailed, lesson09

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_deit_distillation.ipynb"


def _sources() -> list[str]:
    return ["".join(cell["source"]) for cell in _lesson09.cells(NOTEBOOK)]


def test_the_crop_argument_is_for_any_distillation_and_does_not_explain_hard_over_soft():
    text = "\n".join(_sources())
    cell = next(s for s in _sources() if s.startswith("**Why a teacher helps with heavy augmentation"))
    assert "for any distillation" in cell
    assert "It does not explain hard > soft; the paper gives no tested reason for that." in cell
    assert "Why hard wins" not in text and "it wins because the teacher labels the crop" not in text


def test_the_slice_depends_on_the_special_tokens_position():
    cell = next(s for s in _sources() if s.startswith("And the slips."))
    assert "`[:, :, 0, 1:-1]`" in cell and "`DistillableViT`" in cell and "077d8c1" in cell
    assert "`num_prefix_tokens`" in cell


def test_the_crop_teacher_p_values_are_called_optimistic():
    cell = next(s for s in _sources() if "crop training did not remove those errors" in s)
    assert "a digit's 4 crops are not independent" in cell and "optimistic; one seed" in cell  # round 18c wording


def test_exercise_2_argmin_message_does_not_give_the_fix():
    def argmin(class_logits, distillation_logits, labels, teacher_logits):
        import torch.nn.functional as F

        return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
            distillation_logits, teacher_logits.argmin(-1)
        )

    with pytest.raises(ExerciseFailed) as failed:
        lesson09.check_hard_distillation(argmin)
    assert "teacher's argmin" in str(failed.value) and "argmax(dim=-1)" not in str(failed.value)


def test_exercise_1_names_a_slice_that_starts_at_1_and_cuts_the_end():
    def start_at_1(weights, query, special_tokens, rows, cols):
        return weights[:, :, query, 1:][..., : rows * cols].reshape(*weights.shape[:2], rows, cols)

    with pytest.raises(ExerciseFailed) as failed:
        lesson09.check_token_map(start_at_1)
    assert "your slice starts at column 1, so its 6 columns are not the patches" in str(failed.value)  # 18e: no "not 2"

"""Lesson 09, fix round 17f (fresh review 17e): exercise 1's dtype (any floating one since review 19a); prose."""

from pathlib import Path

import pytest

from tests import _lesson09
from vit_explained.exercises import ExerciseFailed, lesson09

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_deit_distillation.ipynb"


def _reference(weights, query, special_tokens, rows, cols):
    return weights[:, :, query, special_tokens:].reshape(*weights.shape[:2], rows, cols)


def _as_float64(weights, query, special_tokens, rows, cols):
    return _reference(weights, query, special_tokens, rows, cols).double()


def _as_float16(weights, query, special_tokens, rows, cols):
    return _reference(weights, query, special_tokens, rows, cols).half()


def _always_float32(weights, query, special_tokens, rows, cols):
    return _reference(weights, query, special_tokens, rows, cols).float()  # wrong for float64 weights


def _as_long(weights, query, special_tokens, rows, cols):
    return (_reference(weights, query, special_tokens, rows, cols) * 1000).long()


@pytest.mark.parametrize("answer", [_as_float64, _always_float32])
def test_exercise_1_accepts_any_floating_dtype_with_the_right_values(answer, capsys):
    # review 19a: a correct float64 answer was refused; any floating dtype with the right values passes now
    lesson09.check_token_map(answer)
    assert capsys.readouterr().out.startswith("Correct!")


def test_exercise_1_refuses_an_integer_map():
    with pytest.raises(ExerciseFailed, match=r"your map is torch.int64.*keep a floating dtype"):
        lesson09.check_token_map(_as_long)


def test_a_dtype_keeping_answer_passes_on_float32_and_float64_weights(capsys):
    lesson09.check_token_map(_reference)  # the checker's last case gives float64 weights
    assert capsys.readouterr().out.startswith("Correct!")


def _text() -> str:
    return "\n".join("".join(c["source"]) for c in _lesson09.cells(NOTEBOOK))


def test_the_review_17e_wording():
    text = _text()
    assert "CPU budget" not in text and "Soft against hard is not tested here" in text
    assert "These soft and hard rows use one head and no distillation token." in text
    assert "an error on a crop that keeps the\nwhole digit" in text and "crops\nit never trained on" not in text
    # round 18b: section 4's per-head peaks are said once, in section 4 (not again in section 6)
    assert "Heads 0 and 2 are far less peaked on this digit" in text and "section 4's heads 1 and 3 peak" not in text
    assert "7 is an explorer" in text and "Appendices: A," in text
    assert "It opens on example 7" in text
    assert "widget_views.py\nassert len(model.blocks)" in text  # the glued check runs again

"""Lesson 07, review s: the parameter picture splits the embeddings and shows the token maker alone; exercise 2
states its tolerance and accepts a right fold in float32 or float64; the token count's exact formula."""

import json
import math
from pathlib import Path

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_fold_tokens
from vit_explained.plotting.lesson07 import PARAMETER_PARTS_SPLIT, plot_parameter_parts
from vit_explained.soft_split import count_tokens

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
SOLUTIONS = NOTEBOOKS / "solutions" / "07_tokens_to_token_vit_solutions.ipynb"


def _markdown(path):
    cells = json.loads(path.read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]


def test_parameter_parts_split_draws_the_token_maker_alone():
    models = {
        "a": dict(zip(PARAMETER_PARTS_SPLIT, (387_046, 76_032, 20_692_224, 385_768), strict=True)),
        "b": dict(zip(PARAMETER_PARTS_SPLIT, (295_296, 76_032, 21_293_568, 385_768), strict=True)),
    }
    fig = plot_parameter_parts(models, title="parts")
    stacked, alone = fig.axes
    assert len(stacked.patches) == 2 * len(PARAMETER_PARTS_SPLIT)
    assert [round(p.get_width()) for p in alone.patches] == [387, 295]  # thousands
    assert [text.get_text().strip() for text in alone.texts] == ["387k", "295k"]
    labels = [label.get_text() for label in stacked.get_xticklabels()]
    assert all("T2T module" not in label and "class token + positions 0.08M" in label for label in labels)


def test_parameter_parts_refuses_mixed_parts():
    models = {
        "a": dict(zip(PARAMETER_PARTS_SPLIT, (1, 2, 3, 4), strict=True)),
        "b": {"embeddings": 1, "blocks": 2, "final norm + head": 3},
    }
    with pytest.raises(ValueError):
        plot_parameter_parts(models)


def test_exercise_2_states_its_tolerance_identically():
    (lesson,) = [text for text in _markdown(LESSON) if text.startswith("### Exercise 2")]
    (solutions,) = [text for text in _markdown(SOLUTIONS) if text.startswith("### Exercise 2")]
    assert lesson == solutions
    assert "float32 or a float64 image" in lesson and "rtol 1e-4, atol 1e-5" in lesson


def _fold(tokens, rows, cols):
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)


@pytest.mark.parametrize("convert", [lambda t: t, torch.Tensor.double])
def test_fold_passes_in_either_dtype(convert, capsys):
    check_fold_tokens(lambda t, r, c: convert(_fold(t, r, c)))
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        (lambda t, r, c: t.reshape(t.shape[0], t.shape[2], r, c).double(), "reshaped"),
        (lambda t, r, c: _fold(t, r, c).double().detach(), "autograd cannot reach the tokens"),
        (lambda t, r, c: _fold(t, r, c).to(torch.bfloat16), "float32 or float64"),
        (lambda t, r, c: _fold(t, r, c).long(), "float32 or float64"),
    ],
)
def test_fold_says_not_yet_with_the_reason(wrong, reason):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: ") as failure:
        check_fold_tokens(wrong)
    assert reason in str(failure.value)


def test_the_token_count_formula_the_lesson_states():
    for size in range(3, 400):
        assert count_tokens(size, size, 7, 4, 2)[0] == math.floor((size + 4 - 7) / 4) + 1 == (size + 1) // 4
        assert count_tokens(size, size, 3, 2, 1)[0] == math.floor((size + 2 - 3) / 2) + 1 == math.ceil(size / 2)
    text = "".join(_markdown(LESSON))
    assert "`floor((size + 1) / 4)` at the first split and `ceil(size / 2)` at the other two" in text

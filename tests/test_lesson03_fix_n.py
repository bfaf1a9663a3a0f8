"""Lesson 03, fix round n: no torch version assert, exercise 3's cross-attention case, hints that stop at the
diagnosis, and the lesson's new visible checks."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import check_attention, check_attention_shapes, check_mha_forward

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "03_attention_shapes.ipynb"
APPENDIX = ROOT / "notebooks" / "03_attention_shapes_appendix.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "03_attention_shapes_solutions.ipynb"


def _sources(path: Path) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]]


@pytest.mark.parametrize("path", [LESSON, SOLUTIONS])
def test_no_torch_version_assert(path):
    # Colab keeps its own torch; pyproject asks only torch>=2.1: a version assert stops Run All there
    assert not any("__version__" in line and "assert" in line for s in _sources(path) for line in s.splitlines())


def test_the_score_shape_is_shown_for_different_numbers_of_queries_and_keys():
    outputs = json.loads(APPENDIX.read_text())["cells"]  # review r23c: cross-attention moved to appendix A
    text = "".join(
        "".join(o.get("text", "")) for cell in outputs if cell["cell_type"] == "code" for o in cell["outputs"]
    )
    assert "5 queries x 7 keys           (2, 12, 5, 7)          (B, h, N_q, N_k)" in text


def test_exercise_3_text_is_the_same_in_lesson_and_solutions():
    def text(path):
        return next(s for s in _sources(path) if s.startswith("### Exercise 3"))

    assert text(LESSON) == text(SOLUTIONS)
    assert "do not modify the inputs" in text(LESSON) and "$(B, h, N_q, d)$" in text(LESSON)


def test_k_q_transposed_fails_on_shape_with_the_slip_named():
    def attention(q, k, v):
        return (k @ q.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v

    with pytest.raises(ExerciseFailed, match=r"the scores are k q\^T, of shape \(B, h, N_k, N_q\)") as failure:
        check_attention(attention)
    assert "transpose(-2, -1)" not in str(failure.value).split("(Your function raised")[0]


def test_weights_times_q_fails_on_shape_with_the_slip_named():
    with pytest.raises(ExerciseFailed, match="the weights multiply q instead of v"):
        check_attention(lambda q, k, v: (q @ k.mT / math.sqrt(q.shape[-1])).softmax(-1) @ q)


def test_a_right_answer_passes_with_5_queries_and_7_keys(capsys):
    check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v)
    assert "Correct" in capsys.readouterr().out


def _message(check, answer) -> str:
    with pytest.raises(ExerciseFailed) as failure:
        check(answer)
    return str(failure.value)


def test_hints_stop_at_the_diagnosis():
    weights_only = _message(check_attention, lambda q, k, v: (q @ k.mT / math.sqrt(q.shape[-1])).softmax(-1))
    assert "missing step is the weighted sum of the values" in weights_only and "return weights @ v" not in weights_only

    def both_reshaped(mha, x):
        b, n, d = x.shape
        y = x.reshape(n, b, d)
        return mha(y, y, y, need_weights=False)[0].reshape(b, n, d)

    reshaped = _message(check_mha_forward, both_reshaped)
    assert "view/reshape is not transpose" in reshaped and "transpose(0, 1)" not in reshaped

    def hard_coded_64(batch, num_tokens, dim, heads):
        return {
            key: tuple(64 if size == dim // heads else size for size in shape)
            for key, shape in _true(batch, num_tokens, dim, heads).items()
        }

    fixed = _message(check_attention_shapes, hard_coded_64)
    assert "hard-coded as 64" in fixed and "dim // heads" not in fixed


def _true(batch, num_tokens, dim, heads):
    from vit_explained.exercises.lesson03 import _true_shapes

    return _true_shapes(batch, num_tokens, dim, heads)

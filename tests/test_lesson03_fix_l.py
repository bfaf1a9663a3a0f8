"""Lesson 03, fix round l: what autograd saves on the fused and explicit paths (the memory claim), and the
checkers of exercises 3 (inputs changed in place), 4 (transpose(1, 2) named) and 5 (rounded vs slightly off)."""

import math
from pathlib import Path

import nbformat
import pytest
import torch

from vit_explained.attention import Attention
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import check_attention, check_attention_memory, check_mha_forward

ROOT = Path(__file__).resolve().parents[1]
RIGHT = 8 * 16 * 577 * 577 * 4


def _saved_shapes(fused: bool, tokens: int = 33) -> list[tuple[int, ...]]:
    layer = Attention(32, 4)
    layer.fused = fused
    shapes = []

    def pack(tensor):
        shapes.append(tuple(tensor.shape))
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        layer(torch.randn(2, tokens, 32, requires_grad=True))
    return shapes


def test_fused_path_saves_no_square_matrix_explicit_path_does():
    fused, explicit = _saved_shapes(True), _saved_shapes(False)
    assert not [s for s in fused if s[-2:] == (33, 33)]
    assert (2, 4, 33) in fused  # the per-row logsumexp
    assert (2, 4, 33, 33) in explicit


def test_exercise_5_text_names_the_explicit_path_in_both_notebooks():
    texts = []
    for path in ("notebooks/03_attention_shapes.ipynb", "notebooks/solutions/03_attention_shapes_solutions.ipynb"):
        cells = nbformat.read(ROOT / path, as_version=4).cells
        (text,) = [c.source for c in cells if c.source.startswith("### Exercise 5")]
        texts.append(text)
    assert texts[0].strip() == texts[1].strip()
    assert "as a non-fused layer stores them for the backward pass" in texts[0]
    lesson = "\n".join(c.source for c in nbformat.read(ROOT / "notebooks/03_attention_shapes.ipynb", 4).cells)
    assert "autograd also keeps the weights" not in lesson and "as for the backward pass in training" not in lesson


def test_exercise_3_names_an_input_changed_in_place():
    def attention(q, k, v):
        q.div_(math.sqrt(q.shape[-1]))
        return (q @ k.transpose(-2, -1)).softmax(-1) @ v

    with pytest.raises(ExerciseFailed, match=r"Not yet: your function changed q in place"):
        check_attention(attention)


def test_exercise_3_right_answer_still_passes(capsys):
    check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v)
    assert "Correct!" in capsys.readouterr().out


def test_exercise_4_names_transpose_1_2():
    def mha_forward(mha, x):
        y = x.transpose(1, 2)
        return mha(y, y, y, need_weights=False)[0].transpose(1, 2)

    with pytest.raises(ExerciseFailed, match=r"x\.transpose\(1, 2\) swaps the tokens and the features") as failure:
        check_mha_forward(mha_forward)
    assert "x.T reverses" not in str(failure.value)


def test_exercise_4_x_T_keeps_its_message():
    def mha_forward(mha, x):
        return mha(x.T, x.T, x.T, need_weights=False)[0].T

    with pytest.raises(ExerciseFailed, match=r"x\.T reverses all axes"):
        check_mha_forward(mha_forward)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (170_459_650, r"slightly too large \(it looks rounded; give the exact integer\)"),
        (1.7046e8, r"slightly too large \(it looks rounded"),
        (RIGHT - 1, r"slightly too small: recheck the arithmetic"),
        (RIGHT + 0.5, r"slightly too large: recheck the arithmetic"),
        (RIGHT + 7, r"slightly too large: recheck the arithmetic"),
    ],
)
def test_exercise_5_rounded_only_with_trailing_zeros(answer, message):
    with pytest.raises(ExerciseFailed, match=message) as failure:
        check_attention_memory(lambda: answer)
    text = str(failure.value)
    assert "N**2" not in text and "B * h" not in text
    if "recheck" in text:
        assert "rounded" not in text


def test_exercise_5_success_names_the_explicit_path(capsys):
    def answer(batch, num_tokens, heads, bytes_per_element):
        return batch * heads * num_tokens**2 * bytes_per_element

    check_attention_memory(answer)
    out = capsys.readouterr().out
    assert "explicit (non-fused) layer stores its weights for the backward pass" in out
    assert "training keeps every layer's" not in out

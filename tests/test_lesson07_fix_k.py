"""Lesson 07, review k: the checkers name the v, k, q unpacking, the two padding-added field slips and a NumPy
fold without advising a conversion back; exercise 4 forbids count_tokens as its text says."""

import json
import pathlib

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import (
    check_fold_tokens,
    check_receptive_field,
    check_t2t_token_count,
    check_token_attention,
)
from vit_explained.soft_split import count_tokens
from vit_explained.t2t import T2T_SPLITS

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_v_k_q_unpacking_is_named():
    def token_attention(tokens, qkv, proj):
        v, k, q = qkv(tokens).split(proj.in_features, dim=-1)
        weights = torch.softmax(q @ k.transpose(1, 2) * tokens.shape[-1] ** -0.5, dim=-1)
        return v + proj(weights @ v)

    with pytest.raises(ExerciseFailed, match="as v, k, q, the reverse order"):
        check_token_attention(token_attention)


def field(sides, scaled):
    def receptive_field(splits):
        total, spacing = 1, 1
        for kernel, stride, padding in splits:
            total += (kernel - 1) * spacing + sides * padding * (spacing if scaled else 1)
            spacing *= stride
        return total

    return receptive_field


@pytest.mark.parametrize(
    ("sides", "scaled", "message"),
    [
        (2, True, r"\(kernel - 1 \+ 2 \* padding\) \* spacing"),
        (1, True, r"padding once per split, \(kernel - 1 \+ padding\) \* spacing"),
        (2, False, r"you added 2 \* padding pixels per split"),
    ],
)
def test_each_padding_slip_gets_its_own_message(sides, scaled, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_receptive_field(field(sides, scaled))


def test_numpy_fold_is_not_told_to_convert_back():
    def fold_tokens(tokens, rows, cols):
        return tokens.detach().numpy().transpose(0, 2, 1).reshape(tokens.shape[0], -1, rows, cols)

    with pytest.raises(ExerciseFailed) as error:
        check_fold_tokens(fold_tokens)
    assert "as_tensor" not in str(error.value) and "cuts the gradient, even converted back" in str(error.value)


def test_count_tokens_is_forbidden_in_exercise_4():
    def t2t_token_count(height, width):
        for kernel, stride, padding in T2T_SPLITS:
            grid = count_tokens(height, width, kernel, stride, padding)
            height, width = grid.rows, grid.cols
        return height * width

    with pytest.raises(ExerciseFailed, match="count_tokens"):
        check_t2t_token_count(t2t_token_count)


def test_exercise_4_states_the_rule_in_both_notebooks():
    texts = []
    for path in (
        "notebooks/07_tokens_to_token_vit.ipynb",
        "notebooks/solutions/07_tokens_to_token_vit_solutions.ipynb",
    ):
        cells = json.loads((ROOT / path).read_text())["cells"]
        sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
        texts.append([s[s.index("### Exercise 4") :] for s in sources if "### Exercise 4" in s])
    assert texts[0] == texts[1] and len(texts[0]) == 1
    assert "without calling `nn.Unfold`, `t2t_chain` or\n`count_tokens`" in texts[0][0]

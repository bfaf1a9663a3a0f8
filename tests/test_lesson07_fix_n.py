"""Lesson 07, review n: the checkers name a non-tensor token attention and a fixed folded image."""

import math

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_fold_tokens, check_token_attention


def attention_by_hand(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(tokens.shape[-1]), dim=-1)
    return v + proj(weights @ v)


@pytest.mark.parametrize("returned", [None, 1.0])
def test_token_attention_asks_for_a_tensor(returned):
    def answer(tokens, qkv, proj):
        return returned

    with pytest.raises(ExerciseFailed) as failure:
        check_token_attention(answer)
    message = str(failure.value)
    assert "return a (B, N, token_dim) torch.Tensor" in message
    assert "also works" not in message


def test_fold_names_a_fixed_tensor():
    fixed = {}

    def answer(tokens, rows, cols):
        if "image" not in fixed:  # the first call's fold, wrong (column by column), then returned every time
            fixed["image"] = tokens.transpose(1, 2).reshape(tokens.shape[0], -1, cols, rows).transpose(2, 3) + 1
        return fixed["image"].clone()

    with pytest.raises(ExerciseFailed, match="returns a fixed tensor instead of folding its argument `tokens`"):
        check_fold_tokens(answer)


def test_fold_still_accepts_the_right_fold(capsys):
    def fold(tokens, rows, cols):
        return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)

    check_fold_tokens(fold)
    assert "Correct!" in capsys.readouterr().out


def test_widget_picture_labels_token_transformers_once_and_short():
    from vit_explained.widgets.lesson07 import t2t_chain_widget

    _, fig = t2t_chain_widget().compute(224, 224, "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)")
    _, middle, right = fig.axes[:3]
    for ax in (middle, right):
        assert [tick.get_text() for tick in ax.get_xticklabels()][:2] == ["TT 1", "TT 2"]
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert legend[0] == "split 1: 7 x 7 pixels, stride 4 px"

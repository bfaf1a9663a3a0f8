"""Lesson 07, review m: the token-attention checker names a changed dtype before comparing values."""

import math

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_token_attention


def attention_by_hand(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(tokens.shape[-1]), dim=-1)
    return v + proj(weights @ v)


@pytest.mark.parametrize(
    ("convert", "dtype"),
    [(torch.Tensor.double, "torch.float64"), (torch.Tensor.half, "torch.float16")],
)
def test_token_attention_names_a_changed_dtype(convert, dtype):
    def answer(tokens, qkv, proj):
        return convert(attention_by_hand(tokens, qkv, proj))

    with pytest.raises(ExerciseFailed) as failure:
        check_token_attention(answer)
    message = str(failure.value)
    assert f"your output is {dtype}, the tokens were torch.float32" in message
    assert ".to(tokens.dtype)" in message


def test_token_attention_still_accepts_float32(capsys):
    check_token_attention(attention_by_hand)
    assert "Correct!" in capsys.readouterr().out

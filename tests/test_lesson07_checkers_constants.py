"""Lesson 07's checkers (review i): a constant answer is named as one without the reference value, exercise 3's
skip-shape guess only follows a shape mismatch, and a pass says "Correct! Your ..."."""

import pytest
import torch

from vit_explained import T2T_SPLITS, TokenAttention
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import (
    ATTENTION_CASES,
    TOKEN_COUNT_CASES,
    check_receptive_field,
    check_t2t_token_count,
    check_token_attention,
)
from vit_explained.t2t import t2t_chain


def count(height, width):
    for kernel, stride, padding in T2T_SPLITS:
        height = (height + 2 * padding - kernel) // stride + 1
        width = (width + 2 * padding - kernel) // stride + 1
    return height * width


@pytest.mark.parametrize("fixed", [175, 196, 1])
def test_a_fixed_token_count_is_named_without_the_reference(fixed):
    with pytest.raises(ExerciseFailed) as error:
        check_t2t_token_count(lambda height, width: fixed)
    message = str(error.value)
    assert "fixed number" in message and f"gives {fixed}" in message
    references = {t2t_chain(h, w, 3)[-1].grid.total for h, w in TOKEN_COUNT_CASES} - {fixed}
    assert not any(f" {reference} " in f" {message} " for reference in references)


def test_a_fixed_attention_output_is_named_as_one():
    def fixed(tokens, qkv, proj):
        batch, count, _ = tokens.shape
        return torch.ones(batch, count, qkv.out_features // 3)

    with pytest.raises(ExerciseFailed, match="the same output for other tokens: it returns a fixed tensor"):
        check_token_attention(fixed)


def reference_attention(tokens, qkv, proj):
    q, k, v = qkv(tokens).split(qkv.out_features // 3, dim=-1)
    weights = torch.softmax(q @ k.transpose(1, 2) * tokens.shape[-1] ** -0.5, dim=-1)
    return v + proj(weights @ v)


def test_the_skip_guess_follows_a_shape_mismatch_only():
    def skip_x(tokens, qkv, proj):
        return tokens + reference_attention(tokens, qkv, proj)

    with pytest.raises(ExerciseFailed, match="x is 49 wide, the output 64: the skip cannot be x"):  # r26c minor 9
        check_token_attention(skip_x)

    def index_error(tokens, qkv, proj):
        return reference_attention(tokens, qkv, proj)[:, :, [10_000]]

    with pytest.raises(ExerciseFailed) as error:
        check_token_attention(index_error)
    assert "IndexError" in str(error.value) and "input tokens x" not in str(error.value)


def test_the_reference_attention_passes(capsys):
    check_token_attention(reference_attention)
    assert capsys.readouterr().out.startswith("Correct! Your token attention")
    assert all(TokenAttention(dim, width).dim == dim for dim, width, _, _ in ATTENTION_CASES)


def test_every_pass_message_starts_with_a_capital(capsys):
    def field(splits):
        side, jump = 1, 1
        for kernel, stride, _ in splits:
            side, jump = side + (kernel - 1) * jump, jump * stride
        return side

    check_receptive_field(field)
    check_t2t_token_count(count)
    lines = capsys.readouterr().out.splitlines()
    assert [line[:14] for line in lines] == ["Correct! Your "] * 2

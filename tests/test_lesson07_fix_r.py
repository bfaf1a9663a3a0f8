"""Lesson 07, review r: the checker names a slip without spelling out its fix (the qkv unpacking order, proj
after the skip, a padding forgotten in the token count)."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_t2t_token_count, check_token_attention
from vit_explained.t2t import T2T_SPLITS


def _attention(order, proj_last=True):
    def token_attention(tokens, qkv, proj):
        parts = dict(zip(order, qkv(tokens).split(proj.in_features, dim=-1), strict=True))
        q, k, v = parts["q"], parts["k"], parts["v"]
        weighted = torch.softmax(q @ k.transpose(1, 2) * tokens.shape[-1] ** -0.5, dim=-1) @ v
        return v + proj(weighted) if proj_last else proj(v + weighted)

    return token_attention


def _message(check, answer):
    with pytest.raises(ExerciseFailed) as failure:
        check(answer)
    return str(failure.value)


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (_attention("vqk"), "as v, q, k"),
        (_attention("vkq"), "as v, k, q, the reverse order"),
        (_attention("qkv", proj_last=False), r"proj after adding v, proj(v + attention)"),
    ],
)
def test_attention_slips_are_named_without_the_fix(answer, named):
    message = _message(check_token_attention, answer)
    assert named in message
    assert ".split(" not in message and "q, k, v =" not in message and "v + proj(attention)" not in message


def _count(padding_sides):
    def count(height, width):
        for kernel, stride, padding in T2T_SPLITS:
            height = (height + padding_sides * padding - kernel) // stride + 1
            width = (width + padding_sides * padding - kernel) // stride + 1
        return height * width

    return count


@pytest.mark.parametrize(("sides", "named"), [(1, "added the padding once"), (0, "or the + 1 is missing")])
def test_padding_slips_are_named_without_the_formula(sides, named):
    message = _message(check_t2t_token_count, _count(sides))
    assert named in message and "floor(" not in message and "2 * padding" not in message

"""Lesson 04, review k: exercise 6 refuses block(x) by name; exercise 4's hints are short."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import _BATCH_HINT, _MASK_HINT, check_drop_path, check_post_norm_block


def _rejected(checker, answer):
    with pytest.raises(ExerciseFailed) as error:
        checker(answer)
    return str(error.value)


@pytest.mark.parametrize(
    "answer",
    [
        lambda x, block: block(x),
        lambda x, block: block.norm2(block(x)),  # block(x) inside a longer answer
        lambda x, block: block.forward(x),
    ],
)
def test_post_norm_block_refuses_a_call_of_the_block_by_name(answer):
    message = _rejected(check_post_norm_block, answer)
    assert "don't call block(x)" in message and "write the post-norm order yourself" in message


def test_post_norm_block_still_accepts_an_answer_from_the_parts(capsys):
    def answer(x, block):
        h = block.norm1(x + block.attn(x))
        return block.norm2(h + block.mlp(h))

    check_post_norm_block(answer)
    assert "Correct!" in capsys.readouterr().out


def test_drop_path_hints_are_short_and_still_given():
    assert len(_MASK_HINT) < 160 and len(_BATCH_HINT) < 160
    flat = _rejected(check_drop_path, lambda x, p, t: x * (torch.rand(x.shape[0]) >= p) / (1 - p) if t and p else x)
    assert "align the mask with the batch axis" in flat and "(B, 1, ..., 1)" not in flat  # no shape handed over
    fixed = _rejected(check_drop_path, lambda x, p, t: x * (torch.rand(7, 1, 1) >= p) / (1 - p) if t and p else x)
    assert "hard-coded" in fixed

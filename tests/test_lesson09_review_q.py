"""Lesson 09, review q: a tuple loss is told to return a tensor (no "a number also works"); an all-zero or constant
stored attn_map is named as not the attention weights (not as the scores before the softmax)."""

import pytest
import torch
import torch.nn.functional as F

from tests.test_lesson09_review_m import _forward
from vit_explained.exercises import ExerciseFailed, lesson09


def _hard(class_logits, distillation_logits, labels, teacher_logits):
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
        distillation_logits, teacher_logits.argmax(-1)
    )


def test_a_tuple_loss_is_told_to_return_a_tensor_only():
    def as_tuple(*args):
        loss = _hard(*args)
        return loss, loss.detach()

    with pytest.raises(ExerciseFailed, match=r"your loss is a tuple; return a torch\.Tensor") as info:
        lesson09.check_hard_distillation(as_tuple)
    assert "number also works" not in str(info.value)


@pytest.mark.parametrize("fill", [0.0, 0.25])
def test_a_constant_attn_map_is_not_called_the_scores_before_the_softmax(fill):
    right = _forward()

    def make(attn_obj):
        inner = right(attn_obj)

        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            out = inner(x, attn_mask=attn_mask, is_causal=is_causal, **kwargs)
            attn_obj.attn_map = torch.full_like(attn_obj.attn_map, fill)
            return out

        return my_forward

    with pytest.raises(ExerciseFailed, match="your stored map is not the attention weights") as info:
        lesson09.check_my_forward(make)
    assert "before the softmax (its rows" not in str(info.value)

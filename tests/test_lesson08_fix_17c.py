"""Lesson 08, fresh review 17c: exercise 6 names the reversed block order; the fallback says whose value it is."""

import pytest
import torch

from vit_explained.attention_maps import class_token_attention
from vit_explained.exercises import lesson08
from vit_explained.exercises.lesson08 import _top_patch


def _reversed_order(weights, rows, cols):
    """R = R @ mixed: each new block multiplied on the right."""
    eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    result = eye.expand_as(weights[0][:, 0])
    for w in weights:
        fused = 0.5 * w.amax(1) + 0.5 * eye
        result = result @ (fused / fused.sum(-1, keepdim=True))
    return _top_patch(class_token_attention(result, (rows, cols)), cols)


def test_reversed_order_is_named():
    with pytest.raises(AssertionError, match="reversed order, R = R @ mixed"):
        lesson08.check_max_fusion_top_patch(_reversed_order)


def test_fallback_says_whose_value():
    def one_image_moved(weights, rows, cols):
        eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
        result = eye.expand_as(weights[0][:, 0])
        for w in weights:
            fused = 0.5 * w.amax(1) + 0.5 * eye
            result = (fused / fused.sum(-1, keepdim=True)) @ result
        right = _top_patch(class_token_attention(result, (rows, cols)), cols).clone()
        right[1] = (right[1] + 1) % torch.tensor([rows, cols])  # one image's patch moved
        return right

    with pytest.raises(AssertionError) as caught:
        lesson08.check_max_fusion_top_patch(one_image_moved)
    message = str(caught.value)
    assert "for image 1 is not its top patch" in message and message.split("your ")[1].startswith("(")

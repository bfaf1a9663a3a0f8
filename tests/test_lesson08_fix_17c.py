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


def test_value_norm_map_matches_a_hand_computation():
    from vit_explained import attention_maps as am
    from vit_explained.data import load_mnist
    from vit_explained.pretrained import load_mnist_vit

    model, images = load_mnist_vit(), load_mnist().test_images[:3]
    grid = tuple(model.patch_embedding.grid)
    streams = []
    handle = model.blocks[-1].register_forward_pre_hook(lambda module, inputs: streams.append(inputs[0]))
    with am.capture_attention(model) as weights, torch.no_grad():
        model(images)
    handle.remove()
    attention = model.blocks[-1].attn
    with torch.no_grad():
        _, _, values = attention.project_qkv(model.blocks[-1].norm1(streams[0]))  # (B, heads, N, d)
    by_hand = (weights[-1][:, :, 0, 1:] * values[:, :, 1:].norm(dim=-1)).mean(1)
    by_hand = (by_hand / by_hand.sum(-1, keepdim=True)).reshape(3, *grid)
    assert torch.allclose(am.value_norm_map(model, images, grid), by_hand, atol=1e-6)
    stored = am.stored_value_norm_areas()["value-norm"]
    assert stored.shape == (200,) and bool(((stored >= 0) & (stored <= 1)).all())

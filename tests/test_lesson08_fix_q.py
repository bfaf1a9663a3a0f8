"""Lesson 08, fix round q: the direct ink-mask test (`ink_pixel_share`)."""

import pytest
import torch

from vit_explained import attention_maps as am


def test_ink_pixel_share_by_hand():
    images = torch.zeros(1, 1, 4, 4)
    images[0, 0, 0, 0] = 1.0  # one ink pixel of 16, in the top-left 2x2 patch
    maps = torch.tensor([[[3.0, 1.0], [0.0, 0.0]]])  # 3/4 of the mass on the top-left patch
    share, area = am.ink_pixel_share(maps, images)
    assert torch.allclose(share, torch.tensor([0.75 / 4]))  # the patch's mass spread over its 4 pixels
    assert torch.allclose(area, torch.tensor([1 / 16]))


def test_a_flat_map_scores_the_ink_area():
    images = (torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0)) > 0.7).float()
    share, area = am.ink_pixel_share(torch.ones(3, 7, 7), images)
    assert torch.allclose(share, area)


def test_ink_pixel_share_rejects_bad_maps():
    with pytest.raises(ValueError):
        am.ink_pixel_share(torch.ones(2, 7, 7), torch.zeros(1, 1, 28, 28))
    with pytest.raises(ValueError):
        am.ink_pixel_share(-torch.ones(1, 7, 7), torch.zeros(1, 1, 28, 28))


def test_a_reversed_layer_list_is_named_in_exercises_2_and_5():
    from vit_explained.exercises import ExerciseFailed, lesson08

    def rollout(matrices, keep=0.5):  # the slip: the list walked last to first
        identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
        result = identity.expand_as(matrices[0])
        for m in reversed(matrices):
            mixed = keep * identity + (1 - keep) * m
            result = mixed / mixed.sum(-1, keepdim=True) @ result
        return result

    def chefer_rollout(weights, gradients):  # the same slip in exercise 5
        n = weights[0].shape[-1]
        result = torch.eye(n, dtype=weights[0].dtype).expand(weights[0].shape[0], n, n)
        for a, g in reversed(list(zip(weights, gradients, strict=True))):
            result = result + (g * a).clamp(min=0).mean(1) @ result
        return result

    with pytest.raises(ExerciseFailed, match="layer order reversed"):
        lesson08.check_rollout(rollout)
    with pytest.raises(ExerciseFailed, match="layer order reversed"):
        lesson08.check_chefer_rollout(chefer_rollout)

"""Lesson 08, fix round 18c: exercise 5 names vit-explain's grad_rollout, exercise 6 min fusion; messages short."""

import pytest
import torch

from vit_explained.attention_maps import attention_rollout, class_token_attention
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson08 as ex


def _vit_explain_grad_rollout(weights, gradients):  # jacobgil/vit-explain's grad_rollout, discard 0
    identity = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    result = identity.expand_as(weights[0][:, 0])
    for a, g in zip(weights, gradients, strict=True):
        fused = (a * g).mean(1).clamp(min=0)  # mean over heads, then clamp
        mixed = (fused + identity) / 2
        result = (mixed / mixed.sum(-1, keepdim=True)) @ result
    return result


def test_exercise_5_names_vit_explains_grad_rollout():
    with pytest.raises(ExerciseFailed, match=r"vit-explain's grad_rollout") as error:
        ex.check_chefer_rollout(_vit_explain_grad_rollout)
    assert len(str(error.value)) <= 250


def _min_fusion(weights, rows, cols):  # by hand: the exercise refuses a call to attention_rollout
    identity = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    rolled = identity.expand_as(weights[0][:, 0])
    for w in weights:
        mixed = 0.5 * w.amin(1) + 0.5 * identity
        rolled = (mixed / mixed.sum(-1, keepdim=True)) @ rolled
    flat = rolled[:, 0, 1:].argmax(-1)
    return torch.stack([flat // cols, flat % cols], -1)


def test_min_fusion_by_hand_is_the_packages():
    weights = [torch.rand(2, 3, 10, 10, generator=torch.Generator().manual_seed(k)).softmax(-1) for k in range(2)]
    flat = class_token_attention(attention_rollout(weights, head_fusion="min"), (3, 3)).flatten(1).argmax(1)
    assert torch.equal(_min_fusion(weights, 3, 3), torch.stack([flat // 3, flat % 3], -1))


def test_exercise_6_names_min_fusion():
    with pytest.raises(ExerciseFailed, match=r"fused by their min"):
        ex.check_max_fusion_top_patch(_min_fusion)


def test_exercise_1_no_grad_and_popitem_messages_short():
    def under_no_grad(module, run):
        seen = []
        handle = module.register_forward_hook(lambda _m, _i, out: seen.append(out.detach()))
        try:
            with torch.no_grad():
                run()
        finally:
            handle.remove()
        return seen

    with pytest.raises(ExerciseFailed, match=r"torch.no_grad\(\)") as error:
        ex.check_record_outputs(under_no_grad)
    assert len(str(error.value)) <= 250
    assert len(ex._LATER_HOOK_GONE) <= 200

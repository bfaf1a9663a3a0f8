"""Lesson 08, exercise 5 (Chefer et al.'s rollout) and exercise 2's identity-on-some-layers slip."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson08 import check_chefer_rollout, check_rollout


def _reference(weights, gradients):
    relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand_as(weights[0][:, 0])
    for a, g in zip(weights, gradients, strict=True):
        relevance = relevance + (g * a).clamp(min=0).mean(1) @ relevance
    return relevance


def _written_differently(weights, gradients):
    batch, heads, tokens, _ = weights[0].shape
    identity = torch.eye(tokens, dtype=weights[0].dtype)
    relevance = identity.repeat(batch, 1, 1)
    for a, g in zip(weights, gradients, strict=True):
        fused = torch.relu(g * a).sum(dim=1) / heads
        relevance = torch.einsum("bij,bjk->bik", identity + fused, relevance)
    return relevance


def _per_image(weights, gradients):
    images = []
    for b in range(weights[0].shape[0]):
        relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
        for a, g in zip(weights, gradients, strict=True):
            relevance = relevance + torch.stack([(g[b, h] * a[b, h]).clamp(min=0) for h in range(a.shape[1])]).mean(
                0
            ) @ (relevance)
        images.append(relevance)
    return torch.stack(images)


@pytest.mark.parametrize("answer", [_reference, _written_differently, _per_image])
def test_chefer_accepts_right_answers_written_differently(answer, capsys):
    check_chefer_rollout(answer)
    assert capsys.readouterr().out.startswith("Correct!")


def _slip(fuse, *, start="eye", order="left", add=True):
    def chefer_rollout(weights, gradients):
        relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand_as(weights[0][:, 0])
        if start == "zeros":
            relevance = torch.zeros_like(relevance)
        for a, g in zip(weights, gradients, strict=True):
            fused = fuse(a, g)
            step = fused @ relevance if order == "left" else relevance @ fused
            relevance = relevance + step if add else step
        return relevance

    return chefer_rollout


def _right_fuse(a, g):
    return (g * a).clamp(min=0).mean(1)


def _added(weights, gradients):
    relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand_as(weights[0][:, 0])
    for a, g in zip(weights, gradients, strict=True):
        relevance = relevance + _right_fuse(a, g)
    return relevance


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_slip(lambda a, g: (g * a).mean(1)), "you did not clamp"),
        (_slip(lambda a, g: (g.mean(1) * a.mean(1)).clamp(min=0)), "averaged the heads of grad and of A"),
        (_slip(lambda a, g: (g * a).mean(1).clamp(min=0)), "averaged the heads before clamping"),
        (_slip(lambda a, g: (g * a).clamp(min=0).sum(1)), "summed over the heads"),
        (_slip(_right_fuse, start="zeros"), "started from zeros"),
        (_slip(_right_fuse, order="right"), "layer order reversed"),
        (_slip(_right_fuse, add=False), "the update adds"),
        (lambda w, g: _reference(w, g).transpose(-2, -1), "transposed"),
        (_added, "you added Ā to R"),  # r27c minor 11: R + Ā, added where Ā @ R belongs
    ],
)
def test_chefer_names_the_common_slips(wrong, message):
    with pytest.raises(ExerciseFailed, match=message) as failure:
        check_chefer_rollout(wrong)
    assert str(failure.value).startswith("Not yet: ")


def test_chefer_names_a_start_from_the_first_layer():
    def from_first(weights, gradients):
        relevance = (gradients[0] * weights[0]).clamp(min=0).mean(1)
        for a, g in zip(weights[1:], gradients[1:], strict=True):
            relevance = relevance + (g * a).clamp(min=0).mean(1) @ relevance
        return relevance

    with pytest.raises(ExerciseFailed, match="instead of the identity"):
        check_chefer_rollout(from_first)


def test_chefer_refuses_the_package_and_in_place_changes():
    from vit_explained.attention_maps import gradient_weighted_rollout

    with pytest.raises(ExerciseFailed, match="yourself"):
        check_chefer_rollout(gradient_weighted_rollout)

    def clamps_in_place(weights, gradients):
        for g in gradients:
            g.clamp_(min=0)
        return _reference(weights, gradients)

    with pytest.raises(ExerciseFailed, match="in place"):
        check_chefer_rollout(clamps_in_place)


@pytest.mark.parametrize("mixed", [{0}, {2}, {0, 1}])
def test_rollout_names_the_identity_added_to_some_layers_only(mixed):
    def rollout(matrices, keep=0.5):
        identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
        result = identity.expand_as(matrices[0])
        for j, m in enumerate(matrices):
            step = keep * identity + (1 - keep) * m if j in mixed else m
            result = step / step.sum(-1, keepdim=True) @ result
        return result

    with pytest.raises(ExerciseFailed, match=r"you added the identity to layer\(s\) .* only") as failure:
        check_rollout(rollout)
    assert str(sorted(mixed)) in str(failure.value)

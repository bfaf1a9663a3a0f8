"""Lesson 08 fix round n: exercise 5 names abs and max-over-heads; exercise 4 names whose mean filled the blanks."""

import pytest
import torch

from tests.test_lesson08_insertion import _slip
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson08 import check_chefer_rollout, check_insertion_curve


def _fused_by(fuse):
    def chefer_rollout(weights, gradients):
        relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand_as(weights[0][:, 0])
        for a, g in zip(weights, gradients, strict=True):
            relevance = relevance + fuse(g * a) @ relevance
        return relevance

    return chefer_rollout


@pytest.mark.parametrize(
    ("fuse", "message"),
    [
        (lambda p: p.abs().mean(1), "absolute value"),
        (lambda p: p.clamp(min=0).amax(1), "largest head"),
    ],
)
def test_chefer_names_abs_and_max_over_heads(fuse, message):
    with pytest.raises(ExerciseFailed) as failure:
        check_chefer_rollout(_fused_by(fuse))
    assert str(failure.value).startswith("Not yet: ") and message in str(failure.value)


@pytest.mark.parametrize(("fill", "whose"), [("image mean", "each image's mean"), ("batch mean", "the batch's mean")])
def test_insertion_names_whose_mean_filled_the_blanks(fill, whose):
    with pytest.raises(ExerciseFailed) as failure:
        check_insertion_curve(_slip(fill=fill))
    assert whose in str(failure.value)


def test_class_pair_shown_lines_names_each_digit_and_its_two_classes():
    from vit_explained.attention_maps import ClassPairMaps

    probabilities = torch.tensor([[0.1, 0.5, 0.4], [0.8, 0.15, 0.05]])
    pairs = ClassPairMaps(
        probabilities,
        probabilities.topk(3, dim=-1).indices,
        torch.tensor([0.1, 0.65]),
        torch.tensor([0, 1]),
        torch.tensor([0, 1]),
        torch.zeros(2, 3, 2, 2),
        torch.zeros(2, 2, 2),
    )
    lines, captions = pairs.shown_lines([1, 0], ("median", "smallest"), torch.tensor([1, 0]), torch.tensor([0.3, 0.9]))
    assert lines.splitlines() == [
        "median: validation digit 1, a 0; model: 0 (0.80) or 1 (0.15); cosine of the two maps 0.90",
        "smallest: validation digit 0, a 1; model: 1 (0.50) or 2 (0.40); cosine of the two maps 0.30",
    ]
    assert captions == ["a 0: 0 or 1", "a 1: 1 or 2"]

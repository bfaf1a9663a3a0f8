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

"""Lesson 08, exercise 5: the float64 rule of exercises 2 and 3 (float64 inputs give a float64 answer)."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson08 import check_chefer_rollout


def _eye_without_dtype(weights, gradients):
    relevance = torch.eye(weights[0].shape[-1]).expand_as(weights[0][:, 0])  # float32 whatever the inputs
    for a, g in zip(weights, gradients, strict=True):
        relevance = relevance + (g * a).clamp(min=0).mean(1).float() @ relevance
    return relevance


def _float64_always(weights, gradients):
    relevance = torch.eye(weights[0].shape[-1], dtype=torch.float64).expand_as(weights[0][:, 0])
    for a, g in zip(weights, gradients, strict=True):
        relevance = relevance + (g * a).clamp(min=0).mean(1).double() @ relevance
    return relevance


def test_chefer_names_a_float32_answer_to_float64_inputs():
    with pytest.raises(ExerciseFailed) as failed:
        check_chefer_rollout(_eye_without_dtype)
    message = str(failed.value)
    assert "float32" in message and "float64" in message and "torch.eye(N) without dtype=" in message


def test_chefer_accepts_float64_answers_to_float32_inputs(capsys):
    check_chefer_rollout(_float64_always)
    assert capsys.readouterr().out.startswith("Correct!")

"""Lesson 08, fix round r: the explorer's gradient-weighted deletion curve reads p(the chosen class)."""

import torch

from tests.test_widgets_lesson08 import small_vit
from vit_explained.attention_maps import deletion_areas
from vit_explained.widgets.lesson08 import maps_explorer


def area_in(line: str, name: str) -> float:
    return float(line.split(f"; {name} (")[-1].split("area ")[1].split(";")[0].split(")")[0])


def test_another_class_reads_that_class_probability_and_the_true_class_reads_its_own():
    torch.manual_seed(0)
    model, images = small_vit(), torch.rand(2, 1, 12, 12)
    w = maps_explorer(model, images, torch.tensor([0, 1]))
    w.set_values(block=len(model.blocks) - 1, **{"class": 0})  # digit 0's true class
    assert "(deletion: the true class's probability): " in w.line and "p(class" not in w.line
    w.set_values(**{"class": 2})  # not digit 0's label
    assert "the gradient-weighted map's: p(class 2)" in w.line
    grid = w.weighted_map(0, len(model.blocks) - 1, 2)
    counts = sorted({min(k, w.grid[0] * w.grid[1]) for k in w.counts} | {w.grid[0] * w.grid[1]})
    _, by_class_2 = deletion_areas(model, images[:1], torch.tensor([2]), {"g": grid[None]}, counts=counts)
    assert abs(area_in(w.line, "gradient-weighted") - float(by_class_2["g"][0])) < 0.006  # printed to 2 decimals


def failure(check, function) -> str:
    import pytest

    with pytest.raises(AssertionError) as caught:
        check(function)
    return str(caught.value)


def test_exercise_3_names_a_missing_return_and_a_number_without_offering_a_number():
    from vit_explained.exercises.lesson08 import check_class_token_grid

    assert "None (a missing return?)" in failure(check_class_token_grid, lambda w, r, c: None)
    message = failure(check_class_token_grid, lambda w, r, c: 0.5)
    assert "a single number" in message and "also works" not in message


def test_exercise_5_names_a_row_normalised_bar_and_a_missing_gradient():
    from vit_explained.exercises.lesson08 import check_chefer_rollout

    def normalised(weights, gradients):
        relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand(weights[0].shape[0], -1, -1)
        for a, g in zip(weights, gradients, strict=True):
            bar = (g * a).clamp(min=0).mean(1)
            relevance = relevance + bar / bar.sum(-1, keepdim=True).clamp_min(1e-12) @ relevance
        return relevance

    def no_gradient(weights, gradients):
        relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand(weights[0].shape[0], -1, -1)
        for a in weights:
            relevance = relevance + a.mean(1) @ relevance
        return relevance

    assert "re-normalised the rows" in failure(check_chefer_rollout, normalised)
    assert "A without the gradient" in failure(check_chefer_rollout, no_gradient)

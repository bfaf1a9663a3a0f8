"""Lesson 08, fix round z: the constant-answer messages of exercises 3 and 4 name the slip, not the answer."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.parametrize("fill", [0.0, 0.5])
def test_insertion_names_a_curve_that_ignores_image_and_map(fill):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_insertion_curve

    def constant(model, images, labels, scores, counts):
        return torch.full((images.shape[0], len(counts)), fill)

    with pytest.raises(ExerciseFailed, match="your curve does not depend on the image or the map"):
        check_insertion_curve(constant)


def test_grid_constant_message_does_not_hand_over_the_answer():
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_class_token_grid

    with pytest.raises(ExerciseFailed) as failure:
        check_class_token_grid(lambda w, rows, cols: torch.zeros(w.shape[0], w.shape[1], rows, cols))
    message = str(failure.value)
    assert "does not read the weights" in message
    assert "row 0" not in message and "1 to N - 1" not in message and "reshape" not in message

"""Lesson 02, fix round k: exercise 2's message for a fractional float says whole floats pass."""

import pytest

from vit_explained.exercises import ExerciseFailed, lesson02


def test_fractional_padding_message_allows_whole_floats():
    with pytest.raises(ExerciseFailed) as failure:
        lesson02.check_split_for_grid(lambda size, grid: (size // grid + 2, size // grid, 0.5))
    message = str(failure.value)
    assert "the padding is the float 0.5" in message
    assert "an int, or a float such as 1.0" in message


def test_whole_float_padding_passes():
    lesson02.check_split_for_grid(lambda size, grid: (2 * (size // grid) - 1, size // grid, float(size // grid - 1)))

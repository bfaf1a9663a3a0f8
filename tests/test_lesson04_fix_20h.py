"""Lesson 04, review r20f: exercise 1's checker names SiLU's slope (the lesson names SiLU beside GELU), and a
right answer still passes."""

from __future__ import annotations

import math

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_gelu_slope


def test_silu_slope_is_named():
    with pytest.raises(ExerciseFailed, match="slope of SiLU"):
        check_gelu_slope(lambda x: torch.sigmoid(x) * (1 + x * torch.sigmoid(-x)))


def test_the_exact_slope_still_passes():
    def slope(x: torch.Tensor) -> torch.Tensor:
        cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
        return cdf + x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)

    check_gelu_slope(slope)

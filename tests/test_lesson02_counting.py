"""Lesson 02's package helpers: tokens_along / window_starts."""

from __future__ import annotations

import pytest

from vit_explained import count_tokens
from vit_explained.soft_split import tokens_along, window_starts


@pytest.mark.parametrize("size", [5, 17, 60, 224])
@pytest.mark.parametrize(("kernel", "stride", "padding"), [(3, 2, 1), (7, 4, 2), (5, 5, 0), (4, 3, 2)])
def test_formula_equals_brute_force_and_count_tokens(size, kernel, stride, padding):
    assert tokens_along(size, kernel, stride, padding) == len(window_starts(size, kernel, stride, padding))
    assert tokens_along(size, kernel, stride, padding) == count_tokens(size, size, kernel, stride, padding).rows

"""count_tokens, SoftSplit and tokens_to_image against torch.nn.Unfold."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from vit_explained import SoftSplit, TokenGrid, count_tokens, tokens_to_image


@st.composite
def split_settings(draw):
    height = draw(st.integers(1, 40))
    width = draw(st.integers(1, 40))
    padding = draw(st.integers(0, 5))
    kernel = draw(st.integers(1, min(height, width) + 2 * padding))
    stride = draw(st.integers(1, 8))
    return height, width, kernel, stride, padding


@settings(max_examples=200, deadline=None)
@given(split_settings())
def test_count_tokens_equals_unfold(case):
    height, width, kernel, stride, padding = case
    patches = nn.Unfold(kernel, padding=padding, stride=stride)(torch.zeros(1, 1, height, width))
    grid = count_tokens(height, width, kernel, stride, padding)
    assert grid.total == patches.shape[-1]
    assert grid.rows * grid.cols == grid.total


@settings(max_examples=60, deadline=None)
@given(split_settings(), st.integers(1, 3))
def test_soft_split_equals_unfold_and_counts(case, channels):
    height, width, kernel, stride, padding = case
    images = torch.randn(2, channels, height, width)
    split = SoftSplit(kernel, stride, padding)
    tokens = split(images)
    expected = nn.Unfold(kernel, padding=padding, stride=stride)(images).transpose(1, 2)
    assert torch.equal(tokens, expected)
    assert tokens.shape == (2, split.grid(height, width).total, split.token_length(channels))


def test_count_tokens_rectangular_kernel_matches_unfold():
    grid = count_tokens(31, 17, kernel=(5, 3), stride=(2, 4), padding=(1, 0))
    assert grid.total == nn.Unfold((5, 3), padding=(1, 0), stride=(2, 4))(torch.zeros(1, 1, 31, 17)).shape[-1]


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "expected"),
    [
        ((224, 224), 7, 4, 2, TokenGrid(56, 56, 3136)),
        ((56, 56), 3, 2, 1, TokenGrid(28, 28, 784)),
        ((28, 28), 3, 2, 1, TokenGrid(14, 14, 196)),
        ((400, 100), 7, 4, 2, TokenGrid(100, 25, 2500)),
        ((100, 25), 3, 2, 1, TokenGrid(50, 13, 650)),
        ((50, 13), 3, 2, 1, TokenGrid(25, 7, 175)),
        ((60, 100), 20, 10, 5, TokenGrid(6, 10, 60)),
    ],
)
def test_known_grids(size, kernel, stride, padding, expected):
    assert count_tokens(*size, kernel, stride, padding) == expected


def test_tokens_to_image_places_token_i_at_row_major_pixel():
    tokens = torch.arange(2 * 6 * 4, dtype=torch.float32).reshape(2, 6, 4)  # (B, rows * cols, C)
    image = tokens_to_image(tokens, rows=2, cols=3)
    assert image.shape == (2, 4, 2, 3)
    for index in range(6):
        assert torch.equal(image[:, :, index // 3, index % 3], tokens[:, index])


def test_tokens_to_image_matches_fold_with_1x1_kernel():
    tokens = torch.randn(3, 20, 7)
    folded = nn.Fold(output_size=(4, 5), kernel_size=1)(tokens.transpose(1, 2))
    assert torch.equal(tokens_to_image(tokens, 4, 5), folded)

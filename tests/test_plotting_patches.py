"""Lesson 01's figure helpers: right content, right panels, helpful errors."""

import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from vit_explained import patchify, sinusoid_encoding
from vit_explained.plotting.patches import (
    cosine_similarity_matrix,
    explode_patches,
    plot_patch_grid,
    plot_sinusoid,
    plot_token_matrix,
)


@pytest.mark.parametrize(("channels", "size", "patch"), [(3, (8, 12), 4), (1, (6, 10), (3, 5)), (3, (4, 6), (2, 3))])
def test_explode_patches_puts_each_patch_where_patchify_says(channels, size, patch):
    image = torch.rand(channels, *size)
    ph, pw = (patch, patch) if isinstance(patch, int) else patch
    gap = 2
    exploded = explode_patches(image, patch, gap=gap)
    rows, cols = size[0] // ph, size[1] // pw
    assert exploded.shape == (channels, rows * (ph + gap) - gap, cols * (pw + gap) - gap)
    tokens = patchify(image.unsqueeze(0), patch)[0]  # (N, ph*pw*C), row-major
    for index in range(rows * cols):
        row, col = divmod(index, cols)
        block = exploded[:, row * (ph + gap) : row * (ph + gap) + ph, col * (pw + gap) : col * (pw + gap) + pw]
        assert torch.equal(block.permute(1, 2, 0).reshape(-1), tokens[index])
    assert torch.equal(explode_patches(image, patch, gap=0), image)


def test_plot_patch_grid_shows_the_image_and_labels_patches():
    image = torch.rand(3, 32, 48)
    fig = plot_patch_grid(image, 16)
    assert isinstance(fig, Figure)
    left, right = fig.axes
    assert torch.equal(torch.as_tensor(left.get_images()[0].get_array()), image.permute(1, 2, 0))
    assert "2 rows x 3 columns = 6 patches" in left.get_title()
    assert sorted(text.get_text() for text in right.texts) == ["0", "1", "3", "5"]


def test_plot_token_matrix_rows_are_the_tokens_and_examples_fold_back():
    image = torch.rand(3, 8, 12)
    tokens = patchify(image.unsqueeze(0), (4, 2))  # (1, 12, 24)
    fig = plot_token_matrix(tokens, (4, 2), examples=(0, 7))
    assert isinstance(fig, Figure)
    matrix = next(ax for ax in fig.axes if "token matrix" in ax.get_title())
    assert torch.equal(torch.as_tensor(matrix.get_images()[0].get_array()).reshape(12, -1), tokens[0])
    squares = [ax for ax in fig.axes if ax.get_title().endswith("as a patch")]
    assert len(squares) == 2
    # token 7 = row 1, column 1 of the 2x6 grid: pixels 4..8 down, 2..4 across
    assert torch.equal(torch.as_tensor(squares[1].get_images()[0].get_array()), image[:, 4:8, 2:4].permute(1, 2, 0))


def test_cosine_similarity_matrix_matches_torch():
    table = torch.randn(7, 5)
    expected = F.cosine_similarity(table.unsqueeze(1), table.unsqueeze(0), dim=-1)
    torch.testing.assert_close(cosine_similarity_matrix(table), expected)
    torch.testing.assert_close(cosine_similarity_matrix(table.unsqueeze(0)), expected)


def test_plot_sinusoid_panels():
    table = sinusoid_encoding(20, 16)
    assert len([ax for ax in plot_sinusoid(table).axes if ax.get_images()]) == 2
    fig = plot_sinusoid(table, torch.randn(1, 20, 16), position=3)
    assert len(fig.axes) == 4 + 3  # four panels and three colour bars
    line = fig.axes[3].get_lines()[0]
    torch.testing.assert_close(torch.as_tensor(line.get_ydata()), cosine_similarity_matrix(table)[3])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: plot_patch_grid(torch.rand(1, 3, 8, 8), 4), ValueError, r"images\[0\]"),
        (lambda: plot_patch_grid(torch.rand(8, 8, 3), 4), ValueError, "permute"),
        (lambda: plot_patch_grid(torch.rand(3, 10, 8), 4), ValueError, "not divisible"),
        (lambda: plot_patch_grid([[0.0]], 4), TypeError, "torch.Tensor"),
        (lambda: plot_patch_grid(torch.rand(3, 8, 8), 4, labels=(4,)), ValueError, "from 0 to 3"),
        (lambda: plot_token_matrix(torch.rand(4, 10), 2), ValueError, "ph \\* pw \\* C"),
        (lambda: plot_token_matrix(torch.rand(4, 12), 2, examples=(9,)), ValueError, "from 0 to 3"),
        (lambda: plot_token_matrix(torch.rand(2, 4, 12), 2), ValueError, "patchify"),
        (lambda: plot_sinusoid(torch.rand(5, 4), torch.rand(6, 4)), ValueError, "same number of positions"),
        (lambda: plot_sinusoid(torch.rand(5, 4), position=5), ValueError, "from 0 to 4"),
        (lambda: cosine_similarity_matrix(torch.rand(5)), ValueError, r"\(N, D\)"),
    ],
)
def test_bad_input_says_what_would_work(call, error, message):
    with pytest.raises(error, match=message):
        call()

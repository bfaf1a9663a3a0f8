"""Lesson 01, fix round r: a hard-coded D in exercise 4 and a hard-coded shape in exercise 3 get their own
messages; the random-kernel baseline helper; the stored table-scale probe matches a live seed; the filter figure
draws the components."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_conv_to_linear, check_interpolate_positions
from vit_explained.patch_embedding import component_smoothness, filter_components, random_kernel_baseline
from vit_explained.plotting.lesson01 import plot_filter_smoothness
from vit_explained.positional import TABLE_SCALES, stored_table_scale, table_scale_probe


def _resize(pos, old_grid, new_grid, dim):
    (rows, cols), (new_rows, new_cols) = old_grid, new_grid
    grid = pos[:, 1:].reshape(1, rows, cols, dim).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(new_rows, new_cols), mode="bilinear", align_corners=False)
    return torch.cat([pos[:, :1], grid.permute(0, 2, 3, 1).reshape(1, new_rows * new_cols, dim)], dim=1)


def right_resize(pos, old_grid, new_grid):
    return _resize(pos, old_grid, new_grid, pos.shape[-1])


def four_wide(pos, old_grid, new_grid):  # D = 4 hard-coded: right on the square case only
    return _resize(pos, old_grid, new_grid, 4)


def square_grid(pos, old_grid, new_grid):  # one side used for both: the square-grid slip
    side, new_side = old_grid[0], new_grid[0]
    return _resize(pos, (side, side), (new_side, new_side), pos.shape[-1])


def test_a_hard_coded_width_is_named_not_the_square_grid():
    with pytest.raises(ExerciseFailed, match=r"works for D = 4, not D = 6\. It looks hard-coded: read D from"):
        check_interpolate_positions(four_wide)


def test_the_square_grid_slip_keeps_its_message():
    with pytest.raises(ExerciseFailed) as failed:
        check_interpolate_positions(square_grid)
    assert "D = 4" not in str(failed.value) and "square" in str(failed.value).lower()
    check_interpolate_positions(right_resize)  # and the right answer passes


def eight_by_48(weight):  # the first case's shape hard-coded
    return weight.permute(0, 2, 3, 1).reshape(8, 48)


def test_exercise3_a_hard_coded_shape_is_named():
    with pytest.raises(ExerciseFailed, match=r"raised a shape error, yet it was right for \(8, 3, 4, 4\).*hard-coded"):
        check_conv_to_linear(eight_by_48)
    check_conv_to_linear(lambda weight: weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1))


def test_random_kernel_baseline_keeps_the_global_state_and_matches_the_old_loop():
    _ = torch.manual_seed(123)
    before = torch.random.get_rng_state()
    baseline = random_kernel_baseline(3)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert tuple(baseline.first.shape) == (64, 1, 4, 4) and len(baseline.shares) == len(baseline.smoothness) == 3
    from vit_explained import PatchEmbedding

    _ = torch.manual_seed(2)
    drawn = PatchEmbedding(28, 4, 1, 64).kernel()[0]
    assert baseline.shares[2] == filter_components(drawn, 8)[1].sum().item()
    assert baseline.smoothness[2] == component_smoothness(drawn, 4)


def test_the_stored_table_scale_probe_is_seed_0_to_9_and_matches_a_live_seed():
    stored = stored_table_scale()
    assert set(stored) == set(TABLE_SCALES) and all(len(v) == 10 for v in stored.values())
    live = table_scale_probe(0)
    for scale in TABLE_SCALES:
        assert abs(live[scale] - stored[scale][0]) < 1e-4


def test_the_filter_figure_draws_two_rows_of_components_and_the_strip():
    components = {"trained": torch.randn(8, 1, 4, 4), "random": torch.randn(8, 1, 4, 4)}
    fig = plot_filter_smoothness(0.2, [0.0, -0.1], components)
    assert len(fig.axes) == 3 and [len(ax.images) for ax in fig.axes] == [1, 1, 0]  # one strip of 8 per row
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [f"#{k}" for k in range(1, 9)]
    plt.close(fig)
    fig = plot_filter_smoothness(0.2, [0.0, -0.1])
    assert len(fig.axes) == 1
    plt.close(fig)

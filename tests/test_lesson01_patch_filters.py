"""Lesson 01's learned-filter figure: ``filter_components`` and ``plot_patch_filters``."""

from __future__ import annotations

import pytest
import torch

from vit_explained.patch_embedding import PatchEmbedding, filter_components
from vit_explained.plotting.lesson01 import plot_patch_filters


def test_components_are_unit_directions_with_falling_shares() -> None:
    kernel = torch.randn(64, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    parts, share = filter_components(kernel, 8)
    assert parts.shape == (8, 3, 4, 4) and share.shape == (8,)
    flat = parts.reshape(8, -1)
    torch.testing.assert_close(flat @ flat.T, torch.eye(8, dtype=flat.dtype))  # orthonormal
    assert (share[:-1] >= share[1:]).all() and 0 < share.sum() <= 1


def test_one_pattern_plus_offsets_is_one_component() -> None:
    pattern = torch.zeros(1, 4, 4)
    pattern[0, :2] = 1.0  # top half on
    weights = torch.linspace(-2, 3, 32)[:, None, None, None]
    kernel = weights * pattern + 0.7  # every filter: the mean filter plus a multiple of one pattern
    parts, share = filter_components(kernel, 2)
    assert share[0] > 0.999
    torch.testing.assert_close(parts[0].abs(), (pattern / pattern.norm()).double(), atol=1e-6, rtol=0)


def test_reads_the_same_kernel_through_every_method() -> None:
    conv = PatchEmbedding(28, 4, 1, 64)
    rearranged = PatchEmbedding(28, 4, 1, 64, method="rearrange").copy_weights_from(conv)
    a, b = filter_components(conv.kernel()[0], 4)[1], filter_components(rearranged.kernel()[0], 4)[1]
    torch.testing.assert_close(a, b)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at most 16"):
        filter_components(torch.zeros(64, 1, 4, 4), 17)
    with pytest.raises(ValueError, match=r"\(D, C, ph, pw\)"):
        filter_components(torch.zeros(64, 16), 4)
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_patch_filters({})


def test_plot_draws_raw_filters_and_components_per_kernel() -> None:
    kernels = {"gray": torch.randn(64, 1, 4, 4), "rgb": torch.randn(32, 3, 4, 4)}
    fig = plot_patch_filters(kernels, raw=3, components=5)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(fig.axes) == 2 * (3 + 5)
    assert titles[:3] == ["filter 0", "filter 1", "filter 2"] and titles[3].startswith("PC 1: ")
    assert fig.axes[8].get_images()[0].get_array().shape == (4, 4, 3)  # RGB drawn in colour

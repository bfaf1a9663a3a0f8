"""Lesson 01's resized-positions widget and the difference panel of the embedding-routes figure."""

import pytest
import torch

from vit_explained import ViT
from vit_explained.plotting.lesson01 import plot_embedding_routes
from vit_explained.positional import interpolate_positions, patch_position_similarity
from vit_explained.widgets.lesson01 import resize_table, resized_positions_widget


def small_vit() -> ViT:
    torch.manual_seed(0)
    return ViT(20, patch_size=4, num_classes=2, dim=8, depth=1, heads=2, mlp_dim=8, channels=1)  # 5 x 5 grid


def test_resize_table_2d_is_the_package_resize_and_1d_stretches_the_sequence():
    table = small_vit().pos_embedding.detach()
    torch.testing.assert_close(resize_table(table, (5, 5), (7, 7), "2-D"), interpolate_positions(table, (7, 7)))
    stretched = resize_table(table, (5, 5), (7, 7), "1-D")
    assert stretched.shape == (1, 50, 8) and torch.equal(stretched[:, 0], table[:, 0])  # class token kept
    torch.testing.assert_close(stretched[:, 1], table[:, 1])  # the ends of the sequence stay in place
    torch.testing.assert_close(stretched[:, -1], table[:, -1])
    with pytest.raises(ValueError, match="'2-D' or '1-D'"):
        resize_table(table, (5, 5), (7, 7), "3-D")


def test_resized_positions_widget_line_is_the_centre_patch_similarity():
    model = small_vit()
    widget = resized_positions_widget(model, grid=7)
    similar = patch_position_similarity(interpolate_positions(model.pos_embedding.detach(), (7, 7)), (7, 7))[3, 3]
    assert widget.line == (
        f"7 x 7 grid (50 tokens), 2-D bicubic resize: centre patch (3, 3) vs below {similar[4, 3]:+.2f}, "
        f"above {similar[2, 3]:+.2f}, left {similar[3, 2]:+.2f}, right {similar[3, 4]:+.2f}"
    )
    assert list(widget.controls) == ["grid", "resize"]
    widget.controls["grid"].value = 4
    assert widget.line == widget.compute(grid=4, resize="2-D")[0]
    assert widget.line.startswith("4 x 4 grid (17 tokens), 2-D bicubic resize: centre patch (2, 2)")
    widget.controls["resize"].value = "1-D"
    assert widget.line.startswith("4 x 4 grid (17 tokens), 1-D linear resize")
    with pytest.raises(ValueError, match="at least 3"):
        widget.compute(grid=2, resize="2-D")
    fig = widget.compute(grid=5, resize="1-D")[1]
    assert [ax.get_title() for ax in fig.axes[:2]] == [
        "trained (5 x 5)\n5 x 5 grid: channel " + fig.axes[0].get_title().rsplit(" ", 1)[1],
        "1-D linear resize\n5 x 5 grid: channel " + fig.axes[0].get_title().rsplit(" ", 1)[1],
    ]


def test_plot_embedding_routes_draws_the_difference_on_its_own_scale():
    kernel = torch.randn(5, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    tokens = torch.randn(1, 6, 5, generator=torch.Generator().manual_seed(1))
    nudged = tokens + 1e-7
    fig = plot_embedding_routes(
        {"1. A route": tokens, "3. Conv2d, k": nudged}, kernel, difference=("3. Conv2d, k", "1. A route")
    )
    (ax,) = [ax for ax in fig.axes if "|Conv2d - A|" in ax.get_title()]
    torch.testing.assert_close(torch.as_tensor(ax.images[0].get_array().data), (nudged - tokens)[0].abs())
    assert ax.images[0].get_clim()[1] < 1e-6  # its own scale, not the tokens'
    with pytest.raises(ValueError, match="two routes"):
        plot_embedding_routes({"a": tokens}, kernel, difference=("a", "b"))

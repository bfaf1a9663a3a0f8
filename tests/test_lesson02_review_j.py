"""Lesson 02, review j: the original code's square reshape fails on most non-square images; one-pixel messages."""

import math
import pathlib

import pytest
import torch

import vit_explained
from vit_explained import count_tokens
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex
from vit_explained.soft_split import OriginalT2TStem


def test_wide_image_stops_at_the_first_square_reshape():
    tokens = count_tokens(224, 160, 7, 4, 2)
    assert (tokens.rows, tokens.cols, tokens.total) == (56, 40, 2240) and int(math.sqrt(tokens.total)) == 47
    with (
        torch.no_grad(),
        pytest.raises(RuntimeError, match=r"shape '\[1, 64, 47, 47\]' is invalid for input of size 143360"),
    ):
        OriginalT2TStem(img_size=224, in_chans=1, embed_dim=8)(torch.rand(1, 1, 224, 160))


def test_perfect_square_count_runs_silently():
    with torch.no_grad():
        out = OriginalT2TStem(img_size=208, in_chans=1, embed_dim=8)(torch.rand(1, 1, 400, 100))
    assert out.shape == (1, 170, 8)


def test_vendored_t2t_vit_14_uses_the_performer_at_line_213():
    path = pathlib.Path(vit_explained.__file__).parent / "_upstream" / "t2t_vit" / "t2t_vit.py"
    lines = path.read_text().splitlines()
    assert "def t2t_vit_14(" in lines[209]
    assert "tokens_type='performer'" in lines[212] and "depth=14" in lines[212]


def test_too_little_padding_names_one_pixel_in_the_singular():
    with pytest.raises(ExerciseFailed, match=r"ends at pixel 222 and pixel 223 of each side is in no window") as info:
        ex.check_split_for_grid(lambda size, grid: (size // grid + 4, size // grid, 1))
    assert "223 to 223" not in str(info.value)


def test_coverage_colour_bar_has_one_box_per_count_that_occurs():
    from vit_explained.widgets.lesson02 import soft_split_widget

    _, fig = soft_split_widget().compute(20, 15, 0, 60, 100, coverage=True)
    bar = fig.axes[1]
    assert [tick.get_text() for tick in bar.get_yticklabels()] == ["0: pixel in\nno token", "1", "2", "4"]
    (box,) = [patch for patch in bar.patches if patch.get_hatch()]  # the 0 box, red and hatched like the lost pixels
    assert box.get_hatch() == "////" and box.get_height() == 1.0  # the box of 0, from -0.5 to 0.5


def test_coverage_colour_bar_without_lost_pixels_has_no_hatched_box():
    from vit_explained.widgets.lesson02 import soft_split_widget

    _, fig = soft_split_widget().compute(20, 10, 5, 60, 100, coverage=True)
    bar = fig.axes[1]
    assert "0" not in [tick.get_text()[:1] for tick in bar.get_yticklabels()]
    assert not [patch for patch in bar.patches if patch.get_hatch()]


def test_token_0_number_sits_off_the_hatched_strips():
    from vit_explained.plotting.lesson02 import plot_window_grid

    fig = plot_window_grid(torch.rand(1, 60, 100), 20, 10, 5)
    (zero,) = [text for text in fig.axes[0].texts if text.get_text() == "0"]
    x, y = zero.get_position()
    assert x < 10 - 0.5 and y < 10 - 0.5  # left of and above the strips window 0 shares (from pixel 10 on)

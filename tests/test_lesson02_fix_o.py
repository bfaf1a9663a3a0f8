"""Lesson 02, fix round o: exercise 3's wrong-count hint decides by the values, not the count alone."""

import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex


def loop_split(x, k, s, p, *, cols_from_height=False):
    """The solutions notebook's loop; ``cols_from_height`` makes the column loop run over the height."""
    padded = F.pad(x, (p, p, p, p))
    height, width = padded.shape[-2:]
    windows = [
        padded[:, :, top : top + k, left : left + k].flatten(1)
        for top in range(0, height - k + 1, s)
        for left in range(0, (height if cols_from_height else width) - k + 1, s)
    ]
    return torch.stack(windows, dim=1)


def test_hard_coded_padding_is_named_not_the_plus_one():
    """p = 1 hard-coded passes the first case, then on (2, 3, 15, 11, 7, 4, 2) makes as many windows as a missing
    + 1 would: the hint names the padding, since the values are not the right tokens minus the last start."""
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_my_soft_split(lambda x, k, s, p: loop_split(x, k, s, 1))
    message = str(failed.value)
    assert "k=7, s=4, p=2" in message and "you padded 1, not the argument p = 2" in message
    assert "last start is missing" not in message and "F.pad" not in message


def test_missing_plus_one_is_still_named():
    images = torch.randn(1, 2, 8, 10)
    right = loop_split(images, 4, 3, 0)
    short = right.unflatten(1, (2, 3))[:, :2, :2].flatten(1, 2)
    assert ex._count_slip(short, images, (4, 3, 0)).startswith("the last start is missing")
    padded_other = loop_split(images, 4, 3, 1)
    assert ex._count_slip(padded_other, images, (4, 3, 0)).startswith("you padded 1, not the argument p = 0")


def test_column_loop_over_the_height_is_named():
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_my_soft_split(lambda x, k, s, p: loop_split(x, k, s, p, cols_from_height=True))
    assert "your column loop uses the height" in str(failed.value)


def test_a_count_matching_neither_slip_gets_the_formula():
    images = torch.randn(1, 1, 8, 10)
    assert "round down" in ex._count_slip(torch.randn(1, 4, 16), images, (4, 3, 0))


def test_window_grid_numbers_sit_at_top_left_corners_without_centre_dots():
    import matplotlib.pyplot as plt

    from vit_explained.plotting.lesson02 import plot_window_grid

    fig = plot_window_grid(torch.rand(1, 60, 100), 20, 10, 5)
    ax = fig.axes[0]
    assert not ax.collections  # no centre dots: only the three framed windows are marked
    places = {text.get_text(): text.get_position() for text in ax.texts}
    assert places == {"0": (-0.1, -0.1), "1": (9.9, -0.1), "10": (-0.1, 9.9)}
    assert "shared by all three" in [text.get_text() for text in ax.get_legend().get_texts()]
    plt.close(fig)

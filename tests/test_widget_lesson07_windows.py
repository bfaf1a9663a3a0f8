"""Lesson 07's widget (review k) draws the chosen chain's windows on a digit, the receptive field in red, before
the cost panels; the field's side function is private (it is exercise 1's answer)."""

import itertools

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.patches import Rectangle

from vit_explained.plotting.lesson07 import chain_footprints, draw_chain_windows
from vit_explained.soft_split import SoftSplit
from vit_explained.widgets import lesson07 as widget_module
from vit_explained.widgets.lesson07 import DIGIT_SIDE, SPLIT_CHAINS, t2t_chain_widget


def rows_by_gradient(splits, size):
    """First and last pixel row the central final token depends on, through the soft splits alone."""
    pixels = torch.rand(1, 1, size, size, requires_grad=True)
    image = pixels
    for kernel, stride, padding in splits:
        tokens = SoftSplit(kernel, stride, padding)(image)
        rows = (image.shape[-2] + 2 * padding - kernel) // stride + 1
        image = tokens.transpose(1, 2).reshape(1, -1, rows, tokens.shape[1] // rows)
    rows, cols = image.shape[-2:]
    image[0, :, rows // 2, cols // 2].sum().backward()
    used = (pixels.grad[0, 0] != 0).any(dim=1).nonzero()[:, 0]
    return int(used.min()), int(used.max())


def test_receptive_field_is_private():
    assert not hasattr(widget_module, "receptive_field")
    assert "receptive_field" not in widget_module.__all__
    assert widget_module._receptive_field(SPLIT_CHAINS["T2T-ViT: (7,4,2) (3,2,1) (3,2,1)"]) == 31


@pytest.mark.parametrize("name", list(SPLIT_CHAINS))
def test_footprints_nest_and_the_last_is_the_field_gradients_find(name):
    splits = SPLIT_CHAINS[name]
    footprints = chain_footprints(splits, DIGIT_SIDE)
    sides = [high - low + 1 for low, high in footprints]
    assert sides == [widget_module._receptive_field(splits[:stage]) for stage in range(1, len(splits) + 1)]
    for (inner_low, inner_high), (outer_low, outer_high) in itertools.pairwise(footprints):
        assert outer_low <= inner_low and inner_high <= outer_high
    low, high = footprints[-1]
    assert low >= 0 and high < DIGIT_SIDE  # an interior token: the whole field lies on the digit
    assert rows_by_gradient(splits, DIGIT_SIDE) == (low, high)


def test_t2t_footprints_on_64_pixels():
    assert chain_footprints(SPLIT_CHAINS["T2T-ViT: (7,4,2) (3,2,1) (3,2,1)"], 64) == [(30, 36), (26, 40), (18, 48)]


def test_too_small_image_is_named():
    with pytest.raises(ValueError, match="too small"):
        chain_footprints(((7, 4, 0), (7, 4, 0), (7, 4, 0)), 16)


def test_draw_chain_windows_labels_the_field():
    fig, ax = plt.subplots()
    sides = draw_chain_windows(ax, torch.rand(1, 64, 64), ((4, 4, 0), (2, 2, 0), (2, 2, 0)))
    assert sides == [4, 8, 16]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[0] == "split 1: 4 x 4 pixels, stride 4 px"  # no second size in pixels
    assert labels[-1] == "split 3: 2 x 2 stage-2 tokens = 16 x 16 px, stride 2 tokens (the receptive field)"
    red = [patch for patch in ax.patches if isinstance(patch, Rectangle) and patch.get_edgecolor()[:3] == (1, 0, 0)]
    assert len(red) == 1 and red[0].get_width() == 16
    plt.close(fig)


def test_widget_picture_puts_locality_first_and_cost_second():
    widget = t2t_chain_widget()
    _, fig = widget.compute(height=224, width=224, splits="four splits: (3,2,1) x 4")
    first, tokens, entries = fig.axes[:3]
    assert "windows" in first.get_title() and "tokens N" in tokens.get_title()
    assert "attention-matrix entries" in entries.get_title()
    labels = [text.get_text() for text in first.get_legend().get_texts()]
    assert len(labels) == 4 and labels[-1].endswith("31 x 31 px, stride 2 tokens (the receptive field)")
    assert first.get_images()[0].get_array().shape == (DIGIT_SIDE, DIGIT_SIDE)
    plt.close(fig)

"""Lesson 07's widget (review i) teaches locality too: its line names the square of pixels one interior final
token sees through the soft splits (31 x 31 for T2T's chain) and each split's overlap, checked with gradients."""

import pytest
import torch

from vit_explained.soft_split import SoftSplit
from vit_explained.widgets.lesson07 import SPLIT_CHAINS, t2t_chain_widget
from vit_explained.widgets.lesson07 import _receptive_field as receptive_field


def field_by_gradient(splits, side=96):
    """The side of the pixels one central final token depends on through the soft splits alone."""
    pixels = torch.rand(1, 1, side, side, requires_grad=True)
    image = pixels
    for kernel, stride, padding in splits:
        tokens = SoftSplit(kernel, stride, padding)(image)  # (1, N, C * k * k)
        rows = (image.shape[-2] + 2 * padding - kernel) // stride + 1
        image = tokens.transpose(1, 2).reshape(1, -1, rows, tokens.shape[1] // rows)
    rows, cols = image.shape[-2:]
    image[0, :, rows // 2, cols // 2].sum().backward()
    touched = pixels.grad[0, 0].abs() > 0
    return int(touched.any(dim=0).sum()), int(touched.any(dim=1).sum())


@pytest.mark.parametrize("name", list(SPLIT_CHAINS))
def test_the_field_matches_gradients(name):
    side = receptive_field(SPLIT_CHAINS[name])
    assert field_by_gradient(SPLIT_CHAINS[name]) == (side, side)


def test_the_line_names_the_field_and_the_overlaps():
    widget = t2t_chain_widget()
    assert widget.line == (  # the field is exercise 1's answer: hidden until the box is ticked (review 16g)
        "224x224 -> 56x56 = 3136 -> 28x28 = 784 -> 14x14 = 196 tokens; the backbone sees 197 with the class token;"
        " field hidden (tick show field after exercise 1); windows overlap by 3 px, 1 token, 1 token"
        " (kernel - stride); coverage: every pixel and token lies in a window"
    )
    assert "31 x 31" not in widget.line
    widget.controls["show_field"].value = True
    assert widget.line == (
        "224x224 -> 56x56 = 3136 -> 28x28 = 784 -> 14x14 = 196 tokens; the backbone sees 197 with the class token;"
        " through the soft splits, an interior final token sees a 31 x 31 pixel square; windows overlap by 3 px,"
        " 1 token, 1 token"
        " (kernel - stride); coverage: every pixel and token lies in a window"
    )
    widget.controls["splits"].value = "no overlap: (4,4,0) (2,2,0) (2,2,0)"
    assert widget.line.endswith(
        "sees a 16 x 16 pixel square; windows overlap by 0 px, 0 tokens, 0 tokens (kernel - stride);"
        " coverage: every pixel and token lies in a window"
    )
    line, _ = widget.compute(height=400, width=100, splits="four splits: (3,2,1) x 4")
    assert "31 x 31 pixel square; windows overlap by 1 px, 1 token, 1 token, 1 token" in line


def test_the_hidden_field_leaves_the_legend_without_sides():
    widget = t2t_chain_widget()
    hidden, shown = (
        [
            text.get_text()
            for text in widget.compute(**{**widget.values, "show_field": show})[1].axes[0].get_legend().get_texts()
        ]
        for show in (False, True)
    )
    assert not any("31 x 31" in text for text in hidden) and any("= 31 x 31 px" in text for text in shown)

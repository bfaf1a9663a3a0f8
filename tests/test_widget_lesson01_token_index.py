"""Lesson 01's token-index widget: the line and picture follow the token slider (its first control)."""

from __future__ import annotations

import pytest
import torch

from vit_explained import patchify
from vit_explained.images import sample_image
from vit_explained.widgets.lesson01 import token_index_widget


def test_the_line_says_where_the_token_lies_and_matches_compute():
    widget = token_index_widget()
    assert widget.line == widget.compute(token=14)[0]
    assert widget.line.startswith(
        "token 14 = grid row 1, column 0: pixels 16 to 31 down, 0 to 15 across; row 14 of the (196, 768)"
    )
    widget.controls["token"].value = 195
    assert widget.line.startswith("token 195 = grid row 13, column 13: pixels 208 to 223 down, 208 to 223 across")
    assert widget.controls["token"].max == 195


def test_the_top_left_pixel_is_the_rows_first_three_numbers():
    image = sample_image(224)
    row = patchify(image[None], 16)[0, 15]
    first = ", ".join(f"{v:.2f}" for v in row[:3].tolist())
    assert token_index_widget(image, token=15).line.endswith(f"the patch's top-left pixel ({first})")


def test_grayscale_and_bad_tokens():
    widget = token_index_widget(torch.rand(1, 28, 28), patch_size=4, token=8)
    assert widget.line.startswith(
        "token 8 = grid row 1, column 1: pixels 4 to 7 down, 4 to 7 across; row 8 of the (49, 16)"
    )
    with pytest.raises(ValueError, match="token must be an index from 0 to 48"):
        widget.compute(token=49)
    _, fig = widget.compute(token=48)
    assert len(fig.axes) == 3 and "row 48" in fig.axes[1].get_title()


def test_the_permute_checkbox_shows_the_strip_a_forgotten_permute_gives():
    image = sample_image(224)
    widget = token_index_widget(image, token=14)
    assert widget.controls["permute"].value is True and widget.line.startswith("token 14 = grid row 1")
    widget.controls["permute"].value = False
    assert widget.line == widget.compute(token=14, permute=False)[0]
    assert widget.line.startswith("permute forgotten: token 14 = numbers 10752 to 11519 of the image's memory")
    assert "channel 0 (R), pixel rows 48 to 51" in widget.line
    wrong = image.reshape(1, 3, 14, 16, 14, 16).reshape(1, 196, 768)[0, 14]  # section 3's slip
    assert torch.equal(widget.chopped[14], wrong.clamp(0, 1))


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (65, "channel 0 (R) rows 222-223, then channel 1 (G) rows 0-2: straddles two colours"),
        (130, "channel 1 (G) rows 221-223, then channel 2 (B) rows 0-1: straddles two colours"),
    ],
)
def test_tokens_65_and_130_straddle_two_channels_without_the_permute(token, expected):
    widget = token_index_widget(sample_image(224), token=token)
    widget.controls["permute"].value = False
    assert expected in widget.line and "one colour" not in widget.line
    _, mask = widget._forgotten_line(token)
    assert mask[0].any() and mask[-1].any()  # the outline covers the plane's bottom rows and its top rows


def test_the_other_tokens_stay_in_one_channel_without_the_permute():
    widget = token_index_widget(sample_image(224))
    straddling = [t for t in range(196) if "straddles" in widget._forgotten_line(t)[0]]
    assert straddling == [65, 130]
    assert "channel 1 (G), pixel rows 2 to 5: a strip of one colour" in widget._forgotten_line(66)[0]

"""The soft-split explorer: its text line, its picture, and that moving a slider updates both."""

import ipywidgets as widgets
import pytest
import torch
from torch import nn

from vit_explained import count_tokens
from vit_explained.explorer import SoftSplitExplorer, soft_split_explorer, token_count_line, window_grid_png


def printed(explorer):
    (output,) = explorer.output.outputs
    assert output["output_type"] == "stream" and output["name"] == "stdout"
    return output["text"]


@pytest.mark.parametrize(
    ("height", "width", "kernel", "stride", "padding"),
    [(60, 100, 20, 10, 5), (224, 224, 7, 4, 2), (400, 100, 7, 4, 2), (13, 50, 3, 2, 1), (9, 9, 9, 1, 0)],
)
def test_token_count_line_matches_unfold(height, width, kernel, stride, padding):
    grid = count_tokens(height, width, kernel, stride, padding)
    total = nn.Unfold(kernel, padding=padding, stride=stride)(torch.zeros(1, 1, height, width)).shape[-1]
    assert token_count_line(height, width, kernel, stride, padding) == f"tokens: {grid.rows} x {grid.cols} = {total}"


def test_token_count_line_lesson_example():
    assert token_count_line(60, 100, 20, 10, 5) == "tokens: 6 x 10 = 60"


def test_token_count_line_invalid_split_is_the_package_message():
    line = token_count_line(60, 100, 120, 10, 5)
    with pytest.raises(ValueError) as error:
        count_tokens(60, 100, 120, 10, 5)
    assert line == f"cannot split: {error.value}"
    assert "kernel 120 is larger than the padded image height 70" in line


def test_explorer_starts_with_the_lesson_example():
    explorer = soft_split_explorer()
    assert isinstance(explorer, widgets.VBox)
    assert printed(explorer) == "tokens: 6 x 10 = 60\n"
    assert bytes(explorer.picture.value).startswith(b"\x89PNG")
    assert 300 < int(explorer.picture.width) < 1000  # drawn at its own width, not stretched
    sliders = [w for w in explorer.children[0].children + explorer.children[1].children]
    assert [s.description for s in sliders] == ["kernel", "stride", "padding", "height", "width"]
    assert explorer.values == {"kernel": 20, "stride": 10, "padding": 5, "height": 60, "width": 100}


def test_moving_a_slider_updates_the_printed_count_and_picture():
    explorer = soft_split_explorer()
    before = bytes(explorer.picture.value)
    explorer.sliders["kernel"].value = 30
    assert printed(explorer) == f"tokens: {' x '.join(map(str, count_tokens(60, 100, 30, 10, 5)[:2]))} = 45\n"
    assert bytes(explorer.picture.value) != before
    explorer.sliders["width"].value = 40
    grid = count_tokens(60, 40, 30, 10, 5)
    assert explorer.line == f"tokens: {grid.rows} x {grid.cols} = {grid.total}"


def test_invalid_split_prints_the_error_and_hides_the_picture_then_recovers():
    explorer = soft_split_explorer()
    explorer.sliders["height"].value = 20
    explorer.sliders["kernel"].value = 64
    text = printed(explorer)
    assert text.startswith("cannot split: kernel 64 is larger than the padded image height 30")
    assert "Traceback" not in text
    assert explorer.picture.layout.display == "none"
    explorer.sliders["kernel"].value = 10
    assert printed(explorer) == "tokens: 3 x 11 = 33\n"
    assert explorer.picture.layout.display is None


def test_explorer_accepts_an_rgb_image_and_widens_ranges():
    image = torch.rand(3, 50, 50, generator=torch.Generator().manual_seed(0))
    explorer = SoftSplitExplorer(image, height=300, width=32, kernel=8, stride=8, padding=0)
    assert explorer.sliders["height"].max >= 300
    assert explorer.line == "tokens: 37 x 4 = 148"


@pytest.mark.parametrize("kwargs", [{"kernel": 0}, {"padding": -1}, {"height": 2.5}, {"image": torch.zeros(2, 5, 5)}])
def test_explorer_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs)) if "image" not in kwargs else "image"):
        soft_split_explorer(**kwargs)


def test_window_grid_png_is_deterministic_and_raises_for_invalid_splits():
    image = torch.rand(1, 30, 40, generator=torch.Generator().manual_seed(1))
    assert window_grid_png(image, 8, 4, 2) == window_grid_png(image, 8, 4, 2)
    with pytest.raises(ValueError, match="larger than the padded image"):
        window_grid_png(image, 50, 4, 2)

"""Lesson 02's explorer sizes its figure to the crop: a wide crop gets a short picture, not empty bands."""

import io

import pytest
from PIL import Image

from vit_explained.widgets import figure_png
from vit_explained.widgets.lesson02 import picture_size, soft_split_widget


@pytest.mark.parametrize(
    ("height", "width", "kernel", "stride", "padding"), [(8, 240, 4, 2, 1), (30, 240, 20, 10, 5), (60, 100, 20, 15, 0)]
)
def test_wide_crops_fill_the_picture_width_without_empty_bands(height, width, kernel, stride, padding):
    widget = soft_split_widget(kernel=kernel, stride=stride, padding=padding, height=height, width=width)
    _, fig = widget.compute(**widget.values)
    picture = Image.open(io.BytesIO(figure_png(fig)))
    ax = fig.axes[0].get_position()
    assert ax.width > 0.95  # the crop spans the figure's width: no side margins
    drawn = picture.size[0] * (height + 2 * padding) / (width + 2 * padding)  # the crop's height in pixels
    assert picture.size[1] < drawn + 1.4 * 80  # title and caption only above and below it (80 dpi)
    assert 760 <= picture.size[0] <= 790


def test_picture_size_caps_tall_crops():
    assert picture_size(60, 100)[0] == 9.6
    assert picture_size(500, 40) == (9.6, 15.0)
    assert picture_size(10, 250)[1] < 2.0

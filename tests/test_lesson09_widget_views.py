"""Lesson 09's explorer: the class | distillation view and the slice-start control (review j)."""

import pytest
import torch

from vit_explained.data import load_mnist
from vit_explained.distill import load_mnist_deit
from vit_explained.widgets.lesson09 import VIEWS, deit_attention_explorer


@pytest.fixture(scope="module")
def explorer():
    data = load_mnist()
    return deit_attention_explorer(load_mnist_deit(), data.test_images[:4], data.test_labels[:4])


def test_the_default_view_is_lesson_08s_line(explorer):
    assert explorer.controls["view"].value == VIEWS[0] and explorer.controls["start"].value == 2
    assert explorer.line.startswith("example 0 (a 6, predicted 6): raw attention, distillation token, block 3")


def test_side_by_side_names_both_tokens_and_matches_compute(explorer):
    explorer.controls["view"].value = VIEWS[1]
    try:
        assert "class token top patch" in explorer.line and "distillation token top patch" in explorer.line
        values = {name: control.value for name, control in explorer.controls.items()}
        line, fig = explorer.compute(**values)
        assert line == explorer.line and len(fig.axes) >= 2
    finally:
        explorer.controls["view"].value = VIEWS[0]


def test_a_slice_from_column_1_is_the_map_shifted_by_one(explorer):
    matrix = explorer.matrix_for(digit=0, block=3, head="mean", method="raw attention")
    right, early = explorer.sliced(matrix, 0, 2), explorer.sliced(matrix, 0, 1)
    assert early.flatten()[0] == matrix[0, 1]  # key 1, the distillation token, on patch (0, 0)
    assert torch.equal(early.flatten()[1:], right.flatten()[:-1])  # every patch one place late
    explorer.controls["start"].value = 1
    try:
        assert "slice [:, :, q, 1:50]" in explorer.line and "every patch one place late" in explorer.line
    finally:
        explorer.controls["start"].value = 2
    assert "every patch one place late" not in explorer.line


def test_bad_settings_are_refused(explorer):
    values = {name: control.value for name, control in explorer.controls.items()} | {"start": 3}
    with pytest.raises(ValueError, match="start must be 1 or 2"):
        explorer.compute(**values)


def test_the_new_views_keep_the_line_as_the_pictures_title(explorer):
    explorer.controls["view"].value = VIEWS[1]
    explorer.controls["start"].value = 1
    try:
        line, fig = explorer.compute(**explorer.values)
        title = fig._suptitle.get_text()
        assert line == explorer.line and "every patch one place late" in line  # the slip: in the line and the title
        assert line.startswith(title.split("\n")[0]) and "every patch one place late" in title  # round 17b: its head
        assert title.count("\n") <= 1  # two lines at most
    finally:
        explorer.controls["start"].value = 2
        explorer.controls["view"].value = VIEWS[0]

"""Lesson 09's explorer, round 17a: the distillation on/off control. On (the default) the line is unchanged and
its prediction is the DeiT's (both heads averaged); off, the prediction is the class head's alone, said so, and the
map is the class token's, with the token and view controls greyed out."""

import pytest
import torch

from vit_explained.data import load_mnist
from vit_explained.distill import load_mnist_deit
from vit_explained.widgets.lesson09 import DISTILLATION, VIEWS, deit_attention_explorer


@pytest.fixture(scope="module")
def explorer():
    data = load_mnist()
    images = torch.cat([data.test_images[:2], data.test_images[17:18]])  # test digit 17: the heads part (a 7)
    return deit_attention_explorer(
        load_mnist_deit(), images, torch.cat([data.test_labels[:2], data.test_labels[17:18]])
    )


def test_on_is_the_default_and_keeps_the_line(explorer):
    assert explorer.controls["distillation"].value == DISTILLATION[0]
    assert explorer.line.startswith("example 0 (a 6, predicted 6): raw attention, distillation token, block 3")
    assert "distillation off" not in explorer.line


def test_off_names_the_class_heads_answer_and_shows_the_class_token(explorer):
    explorer.controls["digit"].value = 2
    explorer.controls["view"].value = VIEWS[1]
    explorer.controls["distillation"].value = DISTILLATION[1]
    try:
        line = explorer.line
        assert "(a 7, distillation off: the class head alone predicts 7, both heads averaged 7)" in line
        assert "class token" in line and "distillation token top patch" not in line
        assert explorer.controls["token"].value == "class" and explorer.controls["view"].value == VIEWS[0]
        assert explorer.controls["token"].disabled and explorer.controls["view"].disabled
        values = {name: control.value for name, control in explorer.controls.items()}
        computed, fig = explorer.compute(**values)
        assert computed == line and line.startswith(fig._suptitle.get_text().replace("\n", " "))  # the title: its head
    finally:
        explorer.controls["distillation"].value = DISTILLATION[0]
        explorer.controls["digit"].value = 0
    assert not explorer.controls["token"].disabled and "distillation off" not in explorer.line


def test_off_with_slice_start_1_still_names_the_class_heads_answer(explorer):
    values = {name: control.value for name, control in explorer.controls.items()}
    line, _ = explorer.compute(**(values | {"digit": 2, "start": 1, "distillation": DISTILLATION[1]}))
    assert "the class head alone predicts 7" in line and "slice [:, :, q, 1:50]" in line


def test_a_bad_distillation_value_is_refused(explorer):
    values = {name: control.value for name, control in explorer.controls.items()}
    with pytest.raises(ValueError, match="distillation one of"):
        explorer.compute(**(values | {"distillation": "maybe"}))

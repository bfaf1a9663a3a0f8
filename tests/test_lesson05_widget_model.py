"""Lesson 05's widget runs the lesson's own model (gradient_experiments.small_digit_vit), not a copy."""

import torch
import torch.nn.functional as F

from vit_explained import gradient_experiments
from vit_explained.widgets import lesson05


def test_widget_model_is_the_lessons_model():
    widget_model, lesson_model = lesson05.small_digit_vit(), gradient_experiments.small_digit_vit()
    widget_state, lesson_state = widget_model.state_dict(), lesson_model.state_dict()
    assert widget_state.keys() == lesson_state.keys()
    assert all(torch.equal(widget_state[name], lesson_state[name]) for name in lesson_state)
    images, labels = lesson05._batch()
    for model in (widget_model, lesson_model):
        F.cross_entropy(model(images), labels).backward()
    for (name, p), q in zip(widget_model.named_parameters(), lesson_model.parameters(), strict=True):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-4, atol=1e-7, msg=name)

"""Lesson 06, fix round of 2026-12-05: exercise 2's checker tells a rounded loss from a wrong one, and the
exercise text (lesson and solutions) asks for the loss unrounded."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import lesson06

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "06_train_a_vit_solutions.ipynb"
UNROUNDED = "returning the step's loss as a float, unrounded (within 1e-5;"


def _step(model, optimizer, images, labels):
    model.train()
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss


def _rounded(digits):
    def step(model, optimizer, images, labels):
        return round(_step(model, optimizer, images, labels).item(), digits)

    return step


@pytest.mark.parametrize("digits", [2, 3, 4])
def test_a_rounded_loss_is_named_as_rounded_with_its_gap(digits):
    rounded = r"differs from this step's by \d\.\de-0\d \(allowed: 1e-05\): was it rounded"
    with pytest.raises(AssertionError, match=rounded):
        lesson06.check_train_step(_rounded(digits))


def test_a_far_loss_still_says_not_this_steps_with_its_gap():
    def doubled(model, optimizer, images, labels):
        return 2 * _step(model, optimizer, images, labels).item()

    with pytest.raises(AssertionError, match=r"returned loss is not this step's \(it differs by \d"):
        lesson06.check_train_step(doubled)


@pytest.mark.parametrize(
    "right",
    [
        lambda m, o, x, y: _step(m, o, x, y).item(),
        lambda m, o, x, y: float(_step(m, o, x, y).detach()),
        lambda m, o, x, y: _step(m, o, x, y).detach(),
    ],
)
def test_unrounded_answers_pass(right, capsys):
    lesson06.check_train_step(right)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("path", [LESSON, SOLUTIONS])
def test_exercise_2_asks_for_the_loss_unrounded(path):
    text = nb.all_text(path)
    assert text.count(UNROUNDED) == 1

"""Lesson 02, fresh review 17e: checker wording, the seeded-build helper, and the reworded cells."""

from __future__ import annotations

import json
import pathlib

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vit_explained.exercises import lesson02
from vit_explained.soft_split import built_with_seed

NOTEBOOK = pathlib.Path(__file__).parents[1] / "notebooks" / "02_soft_split_token_counting.ipynb"


def _text() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def _refusal(guard, call) -> str:
    with pytest.raises(Exception) as caught, guard:
        call()
    return str(caught.value)


@pytest.mark.parametrize("guard", [lesson02._NO_UNFOLD, lesson02._NO_COUNTING])
def test_refusals_name_the_unfold_that_was_called(guard):
    x = torch.zeros(1, 1, 8, 8)
    assert "called nn.Unfold (torch.nn.Unfold, which calls F.unfold)" in _refusal(guard, lambda: nn.Unfold(3)(x))
    assert "called F.unfold (torch.nn.functional.unfold)" in _refusal(guard, lambda: F.unfold(x, 3))
    assert "called Tensor.unfold (torch.Tensor.unfold)" in _refusal(guard, lambda: x.unfold(2, 3, 1))


def test_reversed_rule_message_says_min_r_p():
    messages = [message for message, _ in lesson02._lost_slips(20, 7, 4, 2)]
    assert any("the last min(r, p) of those are padding" in message for message in messages)
    assert not any("the last p of" in message for message in messages)


def test_built_with_seed_is_repeatable_and_leaves_the_generator():
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    first = built_with_seed(0, nn.Linear, 4, 3)
    assert torch.equal(torch.random.get_rng_state(), before)
    second = built_with_seed(0, nn.Linear, 4, 3)
    assert torch.equal(first.weight, second.weight)


def test_reworded_cells():
    text = _text()
    assert "when the stride divides it (224 -> 56 -> 28 -> 14)" in text
    assert "100 -> 25 -> 13 -> 7" in text
    assert "shows only a narrow central strip" in text and "looks squeezed" not in text
    assert (
        "Call a piece *held whole* when one window contains all its pixels" in text  # round 19b: no Terms line
    )
    assert "Padding 3 would centre them on `4j`, with 56 windows too." in text  # review 18c: its own picture
    assert "least padding that gives" not in text

"""Lesson 05, review l: the '.T reverses every axis' tail only after a .T on a batched tensor that led to a size
mismatch (not for x @ x), and exercise 6 names two spellings of one part as case-insensitive."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson05 import (
    check_frozen_attention_parts,
    check_w_k_gradient,
    check_w_q_gradient,
    check_w_v_gradient,
)

TAIL = r"\.T reverses every axis"


@pytest.mark.parametrize("repeat", [0, 1])  # PyTorch warns about a batched .T once per process: twice must work
def test_w_v_batched_t_gets_the_tail(repeat):
    with pytest.raises(ExerciseFailed, match=TAIL):
        check_w_v_gradient(lambda x, a, g: (a.T @ g).transpose(-2, -1).sum(0) @ x.sum(0))


@pytest.mark.parametrize(
    ("check", "wrong"),
    [
        (check_w_v_gradient, lambda x, a, g: x @ x),  # a size mismatch with no .T anywhere
        (check_w_q_gradient, lambda x, k, s: x @ x),
        (check_w_k_gradient, lambda x, q, s: x @ x),
        (check_w_v_gradient, lambda x, a, g: 1 / 0),  # not a size mismatch
    ],
)
def test_no_tail_without_a_batched_t(check, wrong):
    with pytest.raises(ExerciseFailed) as failure:
        check(wrong)
    assert "reverses every axis" not in str(failure.value)
    assert "That was on inputs of shapes" in str(failure.value)


def test_w_q_batched_t_gets_the_tail():
    with pytest.raises(ExerciseFailed, match=TAIL):
        check_w_q_gradient(lambda x, k, s: (s @ k).T @ x)


def test_t_on_a_batch_without_an_error_is_judged_on_its_values():
    with pytest.raises(ExerciseFailed) as failure:  # a .T that raises nothing (undone by the permute): no tail
        check_w_v_gradient(lambda x, a, g: torch.einsum("bnd,bne->de", a.T.permute(2, 1, 0) @ g, x) * 2)
    assert "reverses every axis" not in str(failure.value)


@pytest.mark.parametrize(
    "answer",
    [
        lambda: ["mlp", "MLP", "norm1", "norm2", "final norm", "embeddings"],
        lambda: {"mlp", "MLP", "norm1", "norm2", "final norm", "embeddings"},
        lambda: {"mlp": True, "MLP": True, "norm1": True},
        lambda: ["final norm", "Final_Norm"],
    ],
)
def test_two_spellings_of_one_part_are_named(answer):
    with pytest.raises(ExerciseFailed, match="names are case-insensitive"):
        check_frozen_attention_parts(answer)


def test_the_same_spelling_twice_keeps_its_message():
    with pytest.raises(ExerciseFailed, match="each part should be named once"):
        check_frozen_attention_parts(lambda: ["mlp", "mlp", "norm1"])


def test_the_widget_opens_on_nothing_frozen_with_the_first_control_unchanged():
    from vit_explained.widgets.lesson05 import gradient_freeze_widget

    widget = gradient_freeze_widget(freeze="nothing", where="block 2", experiment="freeze")
    assert next(iter(widget.controls)) == "freeze"
    assert widget.line.startswith("froze nothing: 0 of 56 parameter tensors get no gradient")
    widget.controls["experiment"].value = "cut the MLP route"
    assert widget.line.startswith("cut the MLP route (block 2)")


@pytest.mark.parametrize("where", ["every block", "block 0", "block 1", "block 2", "block 3"])
def test_whatever_you_freeze_exactly_its_own_tensors_lose_their_gradient(where):
    from vit_explained.widgets.lesson05 import FREEZABLE, freeze_and_backward

    for part in FREEZABLE:
        run = freeze_and_backward(part, where)
        assert set(run.without_gradient) == set(run.frozen), (part, where)
        assert run.others_unchanged, (part, where)
        assert (part == "nothing") == (not run.frozen), (part, where)

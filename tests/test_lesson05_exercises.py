"""Lesson 05's checkers accept the reference answers and reject the usual slips with a helpful message."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson05 import (
    check_frozen_mlp_parts,
    check_softmax_backward,
    check_value_gradient,
    check_w_v_gradient,
)


def not_done(*args):
    raise NotImplementedError("your code here")


# --- exercise 1: the softmax backward -------------------------------------------------------------------


def softmax_backward(a, grad_a):
    return a * (grad_a - (grad_a * a).sum(dim=-1, keepdim=True))


def test_softmax_backward_reference_passes(capsys):
    check_softmax_backward(softmax_backward)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda a, g: a * g, "only the diagonal"),  # forgot the row-sum term
        (lambda a, g: a * (g - (g * a).sum(dim=-2, keepdim=True)), "wrong axis"),  # a column sum: A^T's row
        (lambda a, g: a * (g - g.sum(dim=-1, keepdim=True)), "weight each grad_a entry"),
        (lambda a, g: g - (g * a).sum(dim=-1, keepdim=True), "multiplied by a"),
        (lambda a, g: -softmax_backward(a, g), "sign is flipped"),
        (lambda a, g: a * (g - (g * a).sum(dim=-1)), "keepdim=True"),  # broadcasting error or wrong shape
        (lambda a, g: a * (g - (g * a).sum(dim=1, keepdim=True)), "single matrix but not for a batch"),
        (lambda a, g: torch.zeros_like(a), "differs from autograd"),
    ],
)
def test_softmax_backward_rejects(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_softmax_backward(wrong)


def test_unattempted_exercise_says_so():
    with pytest.raises(ExerciseNotAttempted):
        check_softmax_backward(not_done)
    with pytest.raises(ExerciseNotAttempted):
        check_frozen_mlp_parts(not_done)


# --- exercise 2: dV -------------------------------------------------------------------------------------


def value_gradient(a, grad_out):
    return a.transpose(-2, -1) @ grad_out


def test_value_gradient_reference_passes(capsys):
    check_value_gradient(value_gradient)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda a, g: a @ g, "A @ dOut"),  # A instead of A^T
        (lambda a, g: a.T @ g, r"\.T reverses every axis"),  # right for one matrix, wrong for a batch
        (lambda a, g: g.transpose(-2, -1) @ a, "shape of V"),
        (lambda a, g: 2 * value_gradient(a, g), "differs from autograd"),
    ],
)
def test_value_gradient_rejects(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_value_gradient(wrong)


# --- exercise 3: dW_v ------------------------------------------------------------------------------------


def w_v_gradient(x, a, grad_out):
    d_v = a.transpose(-2, -1) @ grad_out  # (B, N, d)
    return torch.einsum("bnd,bne->de", d_v, x)  # (d, D), summed over images and tokens


def test_w_v_gradient_reference_passes(capsys):
    check_w_v_gradient(w_v_gradient)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda x, a, g: torch.einsum("bnd,bne->ed", a.mT @ g, x), "shape is transposed"),
        (lambda x, a, g: (a.mT @ g).mT @ x, "shared by all"),  # forgot to sum over the batch
        (lambda x, a, g: torch.einsum("bnd,bne->de", a @ g, x), "wrong way round"),  # A instead of A^T
        (lambda x, a, g: w_v_gradient(x, a, g) / x.shape[0], "averaged"),
        (
            lambda x, a, g: (
                w_v_gradient(x, a, g).T.contiguous() if x.shape[-1] == g.shape[-1] else w_v_gradient(x, a, g)
            ),
            "transpose of dW_v",
        ),
    ],
)
def test_w_v_gradient_rejects(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_w_v_gradient(wrong)


# --- exercise 4: which parts learn with the MLP frozen --------------------------------------------------


def test_frozen_mlp_parts_reference_passes(capsys):
    check_frozen_mlp_parts(lambda: {"embeddings", "norms", "qkv", "proj", "head"})
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"embeddings", "norms", "proj", "head"}, "qkv does get a gradient"),  # the learner's first guess
        ({"embeddings", "qkv", "proj", "head"}, "norm2"),  # thought the frozen MLP blocks the gradient
        ({"embeddings", "norms", "qkv", "proj", "mlp", "head"}, "no gradient at all"),
        ({"norms", "qkv", "proj", "head"}, "embeddings do get a gradient"),
        ({"embeddings", "norms", "qkv", "proj", "head", "attention"}, "unknown part name"),
        ("qkv", "set of part names"),
    ],
)
def test_frozen_mlp_parts_rejects(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_frozen_mlp_parts(lambda: answer)

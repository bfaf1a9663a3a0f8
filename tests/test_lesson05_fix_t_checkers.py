"""Lesson 05, fix round t: exercise 1 accepts a float32-computed answer; exercises 1-4 name sign and constant slips."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed, lesson05


def softmax_backward(a, grad_a):
    return a * (grad_a - (grad_a * a).sum(dim=-1, keepdim=True))


def test_exercise_1_accepts_an_answer_computed_in_float32(capsys):
    lesson05.check_softmax_backward(lambda a, g: softmax_backward(a.float(), g.float()).double())
    assert "float32's precision" in capsys.readouterr().out


@pytest.mark.parametrize("factor, words", [(-1.0, "sign is flipped"), (2.0, r"times a constant \(2\)")])
def test_exercise_1_names_sign_and_constant_slips(factor, words):
    with pytest.raises(ExerciseFailed, match=words):
        lesson05.check_softmax_backward(lambda a, g: factor * softmax_backward(a, g))


def test_exercise_2_names_a_flipped_sign():
    with pytest.raises(ExerciseFailed, match="opposite sign"):
        lesson05.check_value_gradient(lambda a, g: -(a.mT @ g))


def test_exercise_3_names_a_constant_factor():
    def w_v_gradient(x, a, grad_out):
        return 3 * torch.einsum("bnd,bne->de", a.mT @ grad_out, x)

    with pytest.raises(ExerciseFailed, match="times a constant"):
        lesson05.check_w_v_gradient(w_v_gradient)


def test_exercises_2_to_4_name_a_memoised_answer():
    stored = {}

    def memoised(a, g):
        if "dv" not in stored:
            stored["dv"] = a.mT @ g + 1.0  # wrong, then returned whatever the inputs
        return stored["dv"].clone()

    with pytest.raises(ExerciseFailed, match=r"returns a constant dV \(the same tensor for two different inputs\)"):
        lesson05.check_value_gradient(memoised)

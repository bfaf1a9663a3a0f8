"""Lesson 05, exercise 1: the near-uniform approximation of section 4 gets its own message."""

import pytest

from vit_explained.exercises.lesson05 import check_softmax_backward


def uniform_approximation(a, grad_a):
    return (grad_a - grad_a.mean(dim=-1, keepdim=True)) / a.shape[-1]


def uniform_approximation_written_differently(a, grad_a):
    n = grad_a.size(-1)
    return grad_a / n - grad_a.sum(-1, keepdim=True) / n**2


@pytest.mark.parametrize("answer", [uniform_approximation, uniform_approximation_written_differently])
def test_uniform_approximation_is_named(answer):
    with pytest.raises(Exception, match="uniform-A approximation from section 4") as caught:
        check_softmax_backward(answer)
    assert "Use a itself" in str(caught.value)


def test_right_answer_still_passes(capsys):
    check_softmax_backward(lambda a, g: a * (g - (g * a).sum(-1, keepdim=True)))
    assert "equals autograd" in capsys.readouterr().out

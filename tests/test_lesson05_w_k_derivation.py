"""Exercise 5 of lesson 05: dW_k derived (section 4 prints dQ only), checked against autograd, slips named."""

import math

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson05 import check_w_k_gradient


def w_k_gradient(x, q, grad_scores):
    d_k = grad_scores.mT @ q / math.sqrt(q.shape[-1])  # key j collects from every query i
    return (d_k.mT @ x).sum(0)


def w_k_gradient_einsum(x, q, grad_scores):
    return torch.einsum("bij,bic,bjD->cD", grad_scores, q, x) / q.shape[-1] ** 0.5


def w_k_gradient_loop(x, q, grad_scores):
    total = torch.zeros(q.shape[-1], x.shape[-1], dtype=x.dtype)
    for b in range(x.shape[0]):
        for i in range(x.shape[1]):
            for j in range(x.shape[1]):
                total += grad_scores[b, i, j] * torch.outer(q[b, i], x[b, j])
    return total * q.shape[-1] ** -0.5


@pytest.mark.parametrize("answer", [w_k_gradient, w_k_gradient_einsum, w_k_gradient_loop])
def test_w_k_gradient_accepts_answers_written_differently(answer, capsys):
    check_w_k_gradient(answer)
    assert capsys.readouterr().out.startswith("Correct!")


def _no_transpose(x, q, g):
    return ((g @ q).mT @ x).sum(0) / math.sqrt(q.shape[-1])


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_no_transpose, "the queries' pattern"),
        (lambda x, q, g: w_k_gradient(x, q, g) * 2, "times a constant \\(2\\)"),
        (lambda x, q, g: w_k_gradient(x, q, g) * math.sqrt(q.shape[-1]), "scale is missing"),
        (lambda x, q, g: w_k_gradient(x, q, g) * q.shape[-1], "multiplied by sqrt"),
        (lambda x, q, g: w_k_gradient(x, q, g) / math.sqrt(q.shape[-1]), "applied twice"),
        (lambda x, q, g: w_k_gradient(x, q, g) / x.shape[0], "averaged over the images"),
        (lambda x, q, g: w_k_gradient(x, q, g) / x.shape[1], "averaged over the tokens"),
        (lambda x, q, g: (g.mT @ q / math.sqrt(q.shape[-1])).mT @ x, "shared by every image"),
        (lambda x, q, g: g.mT @ q / math.sqrt(q.shape[-1]), "dK's shape"),
        (lambda x, q, g: w_k_gradient(x, q, g).T, "transpose"),
        (lambda x, q, g: (g[0].mT @ q[0]).mT @ x[0] / math.sqrt(q.shape[-1]), "only the first image"),
        (lambda x, q, g: w_k_gradient(x, q, g.mul_(1.0)), "changed its input grad_scores in place"),
    ],
)
def test_w_k_gradient_names_the_slips(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_w_k_gradient(wrong)


def test_w_k_gradient_refuses_autograd():
    def by_autograd(x, q, g):
        w = torch.zeros(q.shape[-1], x.shape[-1], dtype=x.dtype, requires_grad=True)
        (q @ (x @ w.T).mT).backward(g)
        return w.grad / math.sqrt(q.shape[-1])

    with pytest.raises(ExerciseFailed):
        check_w_k_gradient(by_autograd)

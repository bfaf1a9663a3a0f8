"""Lesson 04's checkers accept the reference answers and reject plausible wrong ones, saying why."""

import math

import pytest
import torch

from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson04 import (
    check_block_parameters,
    check_layer_norm,
    check_pre_norm_block,
    check_tanh_gelu,
)

C = math.sqrt(2 / math.pi)


def not_done(*args):
    raise NotImplementedError("your code here")


def rejected(checker, answer, *fragments):
    with pytest.raises(ExerciseFailed) as error:
        checker(answer)
    for fragment in fragments:
        assert fragment in str(error.value), str(error.value)


# --- tanh GELU ---


def tanh_gelu(x):
    return 0.5 * x * (1 + torch.tanh(C * (x + 0.044715 * x**3)))


def test_tanh_gelu_accepts_reference(capsys):
    check_tanh_gelu(tanh_gelu)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x: x * (1 + torch.tanh(C * (x + 0.044715 * x**3))), "twice too large"),
        (lambda x: 0.5 * x * (1 + torch.tanh(C * (x + 0.0447 * x**3))), "constants"),
        (lambda x: 0.5 * x * (1 + torch.tanh(C * (x + 0.044715 * x**2))), "wrong power"),
        (lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2))), "exact (erf)"),
        (lambda x: 0.5 * (1 + torch.tanh(C * (x + 0.044715 * x**3))), "Phi(x)"),
        (lambda x: torch.relu(x), "differs"),
        (lambda x: tanh_gelu(x).flatten()[:5], "shape"),
        (lambda x: str(tanh_gelu(x)), "return a torch.Tensor"),
    ],
)
def test_tanh_gelu_rejects(answer, fragment):
    rejected(check_tanh_gelu, answer, fragment)


def test_not_attempted():
    for checker in (check_tanh_gelu, check_block_parameters, check_layer_norm, check_pre_norm_block):
        with pytest.raises(ExerciseNotAttempted):
            checker(not_done)


# --- block parameters ---


def block_parameters(dim, mlp_dim):
    attention = (dim * 3 * dim + 3 * dim) + (dim * dim + dim)
    mlp = (dim * mlp_dim + mlp_dim) + (mlp_dim * dim + dim)
    norms = 2 * (2 * dim)
    return attention + mlp + norms


def test_block_parameters_accepts_reference(capsys):
    assert block_parameters(768, 3072) == 7_087_872
    check_block_parameters(block_parameters)
    assert "7,087,872" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda d, m: 4 * d * d + 2 * d * m + 4 * d, "biases are missing"),
        (lambda d, m: 4 * d * d + 2 * d * m, "both the Linear biases and the LayerNorms"),
        (lambda d, m: block_parameters(d, m) - 4 * d, "LayerNorms are missing"),
        (lambda d, m: block_parameters(d, m) - 2 * d, "only half"),
        (lambda d, m: block_parameters(d, m) - 2 * d * d - 2 * d, "queries, keys AND values"),
        (lambda d, m: 12 * d * d + 13 * d, "mlp_dim = 4 x dim"),
        (lambda d, m: block_parameters(d, m) / 1, "is the float 7087872.0; return a whole number"),
        (lambda d, m: block_parameters(d, m) + 1, "off by +1"),
    ],
)
def test_block_parameters_rejects(answer, fragment):
    rejected(check_block_parameters, answer, fragment)


# --- LayerNorm ---


def layer_norm(x, weight, bias, eps):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def test_layer_norm_accepts_reference(capsys):
    check_layer_norm(layer_norm)
    assert "Correct!" in capsys.readouterr().out


def test_layer_norm_accepts_torch_var():
    def with_var(x, weight, bias, eps):
        return (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True, correction=0) + eps) * weight + bias

    check_layer_norm(with_var)


def _normalise(x, dims, eps, unbiased=False):
    return (x - x.mean(dims, keepdim=True)) / torch.sqrt(x.var(dims, keepdim=True, unbiased=unbiased) + eps)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x, w, b, eps: _normalise(x, -1, eps, unbiased=True) * w + b, "sample variance"),
        (lambda x, w, b, eps: _normalise(x, 0, eps) * w + b, "over axis 0"),
        (lambda x, w, b, eps: _normalise(x, tuple(range(x.dim())), eps) * w + b, "whole tensor"),
        (lambda x, w, b, eps: _normalise(x, -1, eps), "weight) and shift (bias) are missing"),
        (
            lambda x, w, b, eps: (
                (x - x.mean(-1, keepdim=True)) / (x.std(-1, keepdim=True, unbiased=False) + eps) * w + b
            ),
            "eps is in the wrong place",
        ),
        (lambda x, w, b, eps: x / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps) * w + b, "not centred"),
        (
            lambda x, w, b, eps: (
                (x - x.mean(-1, keepdim=True) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps)) * w + b
            ),
            "parentheses",
        ),
        (lambda x, w, b, eps: layer_norm(x, w, b, eps)[..., :-1], "shape"),
    ],
)
def test_layer_norm_rejects(answer, fragment):
    rejected(check_layer_norm, answer, fragment)


# --- pre-norm block ---


def pre_norm_block(x, block):
    x = x + block.attn(block.norm1(x))
    return x + block.mlp(block.norm2(x))


def test_pre_norm_block_accepts_reference(capsys):
    state = torch.random.get_rng_state()
    check_pre_norm_block(pre_norm_block)
    assert "Correct!" in capsys.readouterr().out
    assert torch.equal(state, torch.random.get_rng_state()), "the checker must not change the global random state"


def _post_norm(x, block):
    x = block.norm1(x + block.attn(x))
    return block.norm2(x + block.mlp(x))


def _normalised_stream(x, block):
    x = block.norm1(x)
    x = x + block.attn(x)
    x = block.norm2(x)
    return x + block.mlp(x)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_post_norm, "post-norm"),
        (lambda x, b: b.mlp(b.norm2(b.attn(b.norm1(x)))), "residual connections are missing"),
        (lambda x, b: x + b.attn(b.norm1(x)) + b.mlp(b.norm2(x)), "same x"),
        (_normalised_stream, "residual stream itself is normalised"),
        (lambda x, b: b(x), "from its parts"),
        (lambda x, b: x, "differs from Block"),
    ],
)
def test_pre_norm_block_rejects(answer, fragment):
    rejected(check_pre_norm_block, answer, fragment)

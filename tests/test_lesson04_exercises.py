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


# --- bank: correct answers written differently, and more wrong answers ---------------------------

import functools  # noqa: E402

import numpy as np  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.functional import gelu as renamed_gelu  # noqa: E402
from torch.nn.functional import layer_norm as renamed_layer_norm  # noqa: E402

from vit_explained import Block, mlp  # noqa: E402
from vit_explained.parameters import count_parameters  # noqa: E402


def gelu_in_place(x):
    inner = x.pow(3).mul_(0.044715).add_(x).mul_(C)
    return inner.tanh_().add_(1).mul_(x).mul_(0.5)


def gelu_numpy(x):
    a = x.numpy()
    return 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a**3)))


@pytest.mark.parametrize(
    "answer",
    [
        gelu_in_place,
        gelu_numpy,
        lambda x: x * torch.sigmoid(2 * C * (x + 0.044715 * x**3)),  # 0.5 (1 + tanh z) = sigmoid(2 z)
        lambda x: (0.5 * x * (1 + torch.tanh(C * (x + 0.044715 * x**3)))).float(),  # float32 is precise enough
        lambda x: (
            torch.tensor([0.5 * t * (1 + math.tanh(C * (t + 0.044715 * t**3))) for t in x.flatten().tolist()])
            .double()
            .reshape(x.shape)
        ),  # element by element
    ],
)
def test_tanh_gelu_accepts_answers_written_differently(answer, capsys):
    check_tanh_gelu(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x: renamed_gelu(x, approximate="tanh"), "your function called torch.nn.functional.gelu"),
        (lambda x: torch._C._nn.gelu(x, approximate="tanh"), "torch.nn.functional.gelu"),
        (lambda x: nn.GELU(approximate="tanh")(x), "torch.nn.functional.gelu"),
        (lambda x: torch.ops.aten.gelu(x, approximate="tanh"), "yourself"),
        (lambda x: mlp.gelu(x, approximate="tanh"), "yourself"),
        (lambda x: 0.5 * x * (1 + torch.tanh(C * x)), "differs from torch's tanh GELU"),  # no cubic term
        (lambda x: 0.5 * x * (1 + torch.tanh(C * (x + 0.044715 * x**3)))[..., None], "keep the input's shape"),
        (lambda x: x.tolist()[0] * 0 + "gelu", "raised TypeError"),
        (lambda x: None, "return a torch.Tensor"),
    ],
)
def test_tanh_gelu_rejects_more(answer, fragment):
    rejected(check_tanh_gelu, answer, "Not yet", fragment)


def block_parameters_parts(dim, mlp_dim):  # a loop over the layers' weight shapes
    shapes = [(3 * dim, dim), (3 * dim,), (dim, dim), (dim,), (mlp_dim, dim), (mlp_dim,), (dim, mlp_dim), (dim,)]
    shapes += [(dim,)] * 4  # norm1 and norm2, weight and bias
    return sum(math.prod(shape) for shape in shapes)


@pytest.mark.parametrize(
    "answer",
    [
        lambda d, m: 4 * d * d + 2 * d * m + 9 * d + m,  # factored
        lambda d, m: np.int64(d) * (4 * d + 2 * m + 9) + m,  # a numpy integer
        lambda d, m: torch.tensor(4 * d * d + 2 * d * m + 9 * d + m),  # a one-element tensor
        block_parameters_parts,
    ],
)
def test_block_parameters_accepts_answers_written_differently(answer, capsys):
    check_block_parameters(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda d, m: count_parameters(Block(d, 1, m)), "the count as a formula (no model)"),
        (lambda d, m: sum(p.numel() for p in nn.Linear(d, 3 * d).parameters()), "no model"),
        (lambda d, m: block_parameters_parts(d, m) - d * d - d, "output projection"),
        (lambda d, m: block_parameters_parts(d, m) - d * m - m, "two Linear layers"),
        (lambda d, m: block_parameters_parts(d, m) - m, "off by -"),  # fc1's bias: not "the LayerNorms" when m = 4d
        (lambda d, m: block_parameters_parts(d, m) + 4 * d, "off by"),  # four LayerNorms counted
        (lambda d, m: str(block_parameters_parts(d, m)), "return a whole number"),
        (lambda d, m: [4 * d * d, 2 * d * m], "return a whole number"),
        (lambda d, m: d // 0, "raised ZeroDivisionError"),
    ],
)
def test_block_parameters_rejects_more(answer, fragment):
    rejected(check_block_parameters, answer, "Not yet", fragment)


def layer_norm_in_place(x, weight, bias, eps):
    out = x - x.mean(-1, keepdim=True)
    out /= out.pow(2).mean(-1, keepdim=True).add_(eps).sqrt_()
    return out.mul_(weight).add_(bias)


def layer_norm_numpy(x, weight, bias, eps):
    a = x.numpy()
    centred = a - a.mean(-1, keepdims=True)
    return centred / np.sqrt(a.var(-1, keepdims=True) + eps) * weight.numpy() + bias.numpy()


def layer_norm_var_mean_rsqrt(x, weight, bias, eps):
    var, mean = torch.var_mean(x, dim=-1, keepdim=True, correction=0)
    return torch.addcmul(bias, (x - mean) * torch.rsqrt(var + eps), weight)


def layer_norm_einsum_loop(x, weight, bias, eps):  # one token at a time, in float32
    flat = x.float().reshape(-1, x.shape[-1])
    rows = []
    for token in flat:
        centred = token - token.sum() / token.numel()
        var = torch.einsum("i,i->", centred, centred) / token.numel()
        rows.append(centred / (var + eps) ** 0.5 * weight.float() + bias.float())
    return torch.stack(rows).reshape(x.shape)


@pytest.mark.parametrize(
    "answer", [layer_norm_in_place, layer_norm_numpy, layer_norm_var_mean_rsqrt, layer_norm_einsum_loop]
)
def test_layer_norm_accepts_answers_written_differently(answer, capsys):
    check_layer_norm(answer)
    assert "Correct!" in capsys.readouterr().out


def layer_norm_module(x, weight, bias, eps):
    norm = nn.LayerNorm(x.shape[-1], eps=eps).double()
    norm.weight.data, norm.bias.data = weight, bias
    return norm(x)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x, w, b, eps: renamed_layer_norm(x, x.shape[-1:], w, b, eps), "torch.nn.functional.layer_norm"),
        (layer_norm_module, "LayerNorm from mean and variance yourself"),
        (lambda x, w, b, eps: torch.layer_norm(x, x.shape[-1:], w, b, eps), "yourself"),
        (lambda x, w, b, eps: torch.native_layer_norm(x, x.shape[-1:], w, b, eps)[0], "yourself"),
        (lambda x, w, b, eps: F.group_norm(x.reshape(-1, x.shape[-1], 1), 1, w, b, eps).reshape(x.shape), "yourself"),
        (lambda x, w, b, eps: _normalise(x, -1, eps) * b + w, "weight and bias are swapped"),
        (lambda x, w, b, eps: _normalise(x, -1, eps) * w, "shift (bias) is missing"),
        (lambda x, w, b, eps: _normalise(x, -1, eps) + b, "scale (weight) is missing"),
        (lambda x, w, b, eps: _normalise(x, -1, 0.0) * w + b, "eps is missing"),  # eps ignored
        (lambda x, w, b, eps: (x.mean(-1), x.var(-1)), "should keep the input's shape"),
        (lambda x, w, b, eps: {"out": layer_norm(x, w, b, eps)}, "return a torch.Tensor"),
        (lambda x, w, b, eps: _normalise(x, -1, eps) * w[:, None] + b, "raised RuntimeError"),
    ],
)
def test_layer_norm_rejects_more(answer, fragment):
    rejected(check_layer_norm, answer, "Not yet", fragment)


def pre_norm_in_place(x, block):
    x = x.clone()
    x += block.attn(block.norm1(x))
    x += block.mlp(block.norm2(x))
    return x


def pre_norm_reduce(x, block):
    branches = [(block.norm1, block.attn), (block.norm2, block.mlp)]
    return functools.reduce(lambda stream, pair: stream + pair[1](pair[0](stream)), branches, x)


def pre_norm_sequential(x, block):
    with torch.no_grad():
        x = x + nn.Sequential(block.norm1, block.attn)(x)
        return (x + nn.Sequential(block.norm2, block.mlp)(x)).numpy()


@pytest.mark.parametrize(
    "answer",
    [
        pre_norm_in_place,
        pre_norm_reduce,
        pre_norm_sequential,
        lambda x, b: b.mlp(b.norm2(y := x + b.attn(b.norm1(x)))) + y,
    ],
)
def test_pre_norm_block_accepts_answers_written_differently(answer, capsys):
    check_pre_norm_block(answer)
    assert "Correct!" in capsys.readouterr().out


def mlp_first(x, block):
    x = x + block.mlp(block.norm2(x))
    return x + block.attn(block.norm1(x))


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x, b: b.forward(x), "from its parts"),
        (lambda x, b: Block.forward(b, x), "from its parts"),
        (lambda x, b: (y := x + b.attn(b.norm1(x))) + b.mlp(b.norm1(y)), "uses norm1"),
        (lambda x, b: b.mlp(b.norm2(x + b.attn(b.norm1(x)))), "second residual connection"),
        (lambda x, b: (y := b.attn(b.norm1(x))) + b.mlp(b.norm2(y)), "first residual connection"),
        (lambda x, b: x + b.attn(b.norm1(x)) + b.mlp(b.norm2(b.attn(b.norm1(x)))), "after attention"),
        (mlp_first, "MLP runs before attention"),
        (lambda x, b: (pre_norm_block(x, b), None), "return a torch.Tensor"),
        (lambda x, b: b.attn(b.norm1(x), b.mlp), "is a tuple"),
        (lambda x, b: x + b.attn(b.norm1(x)) @ x, "raised RuntimeError"),
    ],
)
def test_pre_norm_block_rejects_more(answer, fragment):
    rejected(check_pre_norm_block, answer, "Not yet", fragment)


# --- the slips named in issue 21 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x: 0.5 * x * (1 + torch.tanh(C * x + 0.044715 * x**3)), "mind the brackets"),
        (lambda x: 0.5 * x * (1 + torch.tanh(math.sqrt(2 * math.pi) * (x + 0.044715 * x**3))), "sqrt(2 pi)"),
        (lambda x: 0.5 * x * (1 + torch.tanh(math.sqrt(math.pi / 2) * (x + 0.044715 * x**3))), "sqrt(pi / 2)"),
    ],
)
def test_tanh_gelu_names_bracket_and_constant_slips(answer, fragment):
    rejected(check_tanh_gelu, answer, fragment)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda d, m: 4 * d * d + 2 * d * m + 3 * d + m + d + 4 * d, "a bias of size dim is missing"),
        (lambda d, m: 4 * d * d + 2 * d * m + 3 * d + d + m + m + 4 * d, "fc2's bias has the size"),
        (lambda d, m: 4 * d * d + 2 * d * m + 3 * d + d + d + d + 4 * d, "fc1's bias has the size"),
    ],
)
def test_block_parameters_names_bias_slips(answer, fragment):
    rejected(check_block_parameters, answer, fragment)


def _annotated_transformer(x, w, b, eps):  # the Annotated Transformer's LayerNorm, literally
    mean = x.mean(-1, keepdim=True)
    std = x.std(-1, keepdim=True)
    return w * (x - mean) / (std + eps) + b


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (
            lambda x, w, b, eps: (x - x.mean(-1)) / torch.sqrt(x.var(-1, unbiased=False) + eps) * w + b,
            "keepdim=True",
        ),
        (
            lambda x, w, b, eps: (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, unbiased=False) + eps) * w + b,
            "keepdim=True",
        ),
        (_annotated_transformer, "Annotated Transformer"),
        (lambda x, w, b, eps: w * x.mean(-1, keepdim=True) / (x.std(-1, keepdim=True) + eps) + b, "mean itself"),
        (lambda x, w, b, eps: (_normalise(x, -1, eps) + b) * w, "shift comes before the scale"),
    ],
)
def test_layer_norm_names_keepdim_literal_and_order_slips(answer, fragment):
    rejected(check_layer_norm, answer, fragment)


def _mlp_first(x, b):
    x = x + b.mlp(b.norm2(x))
    return x + b.attn(b.norm1(x))


def _norms_swapped(x, b):
    x = x + b.attn(b.norm2(x))
    return x + b.mlp(b.norm1(x))


def _residual_adds_normalised(x, b):
    h = b.norm1(x)
    h = h + b.attn(h)
    return h + b.mlp(b.norm2(h))


def _extra_final_norm(x, b):
    return b.norm2(pre_norm_block(x, b))


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_mlp_first, "MLP runs before attention"),
        (_norms_swapped, "norm1 and norm2 are swapped"),
        (_residual_adds_normalised, "residual adds the normalised x"),
        (_extra_final_norm, "extra LayerNorm (norm2) at the end"),
        (lambda x, b: b.norm1(pre_norm_block(x, b)), "extra LayerNorm (norm1) at the end"),
    ],
)
def test_pre_norm_block_names_order_and_norm_slips(answer, fragment):
    rejected(check_pre_norm_block, answer, fragment)


# --- slips named after review: a constant without its root, the sigmoid form, two slips with one count,
# --- a missing or squared eps, a block that normalises both each branch's input and the sum ---


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x: 0.5 * x * (1 + torch.tanh(2 / math.pi * (x + 0.044715 * x**3))), "the square root is missing"),
        (lambda x: x * torch.sigmoid(1.702 * x), "sigmoid approximation x * sigmoid(1.702 x)"),
    ],
)
def test_tanh_gelu_names_two_over_pi_and_the_sigmoid_form(answer, fragment):
    rejected(check_tanh_gelu, answer, fragment)


def test_block_parameters_names_both_slips_that_give_the_same_count():
    qkv_bias_of_size_dim = lambda d, m: 4 * d * d + 2 * d * m + d + d + m + d + 4 * d  # noqa: E731
    one_norm_only = lambda d, m: 4 * d * d + 2 * d * m + 3 * d + d + m + d + 2 * d  # noqa: E731
    for answer in (qkv_bias_of_size_dim, one_norm_only):
        rejected(
            check_block_parameters, answer, "two slips give exactly this count", "qkv's bias", "half of the LayerNorm"
        )


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (
            lambda x, w, b, eps: (
                (x - x.mean(-1, keepdim=True)) / x.var(-1, keepdim=True, unbiased=False).sqrt() * w + b
            ),
            "eps is missing",
        ),
        (
            lambda x, w, b, eps: (
                (x - x.mean(-1, keepdim=True)) / (x.var(-1, keepdim=True, unbiased=False) + eps**2).sqrt() * w + b
            ),
            "eps is squared",
        ),
    ],
)
def test_layer_norm_names_missing_and_squared_eps(answer, fragment):
    rejected(check_layer_norm, answer, fragment)


def test_pre_norm_block_names_a_block_that_normalises_inputs_and_sums():
    def both(x, b):
        x = b.norm1(x + b.attn(b.norm1(x)))
        return b.norm2(x + b.mlp(b.norm2(x)))

    rejected(check_pre_norm_block, both, "normalises each branch's input AND the sum")


# --- slips named after the second review: the MLP added to the original x, norm2 twice, a branch missing,
# --- BatchNorm's axes, weight and bias swapped, an answer that works only in 1-D ---


def _mlp_added_to_original_x(x, b):
    h = x + b.attn(b.norm1(x))
    return x + b.mlp(b.norm2(h))


def _norm2_twice(x, b):
    h = x + b.attn(b.norm2(x))
    return h + b.mlp(b.norm2(h))


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_mlp_added_to_original_x, "added to the original x"),
        (_norm2_twice, "norm2 is used twice"),
        (lambda x, b: x + b.attn(b.norm1(x)), "MLP branch is missing"),
        (lambda x, b: x + b.mlp(b.norm2(x)), "attention branch is missing"),
    ],
)
def test_pre_norm_block_names_the_mlp_on_the_original_x_and_missing_branches(answer, fragment):
    rejected(check_pre_norm_block, answer, fragment)


def _batch_norm_axes(x, w, b, eps):
    dims = tuple(range(x.dim() - 1))
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def _weight_bias_swapped(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps) * b + w


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [(_batch_norm_axes, "BatchNorm's axes"), (_weight_bias_swapped, "weight and bias are swapped")],
)
def test_layer_norm_names_batch_norm_axes_and_swapped_weight_and_bias(answer, fragment):
    rejected(check_layer_norm, answer, fragment)


def _gelu_by_index(x):  # indexes x as a vector: float() of a row fails on a (2, 3, 4) input
    return torch.tensor(
        [0.5 * float(x[i]) * (1 + math.tanh(C * (float(x[i]) + 0.044715 * float(x[i]) ** 3))) for i in range(len(x))],
        dtype=x.dtype,
    )


@pytest.mark.parametrize(
    "answer",
    [_gelu_by_index, lambda x: tanh_gelu(x.flatten())],
)
def test_tanh_gelu_names_an_answer_that_works_only_in_1d(answer):
    rejected(check_tanh_gelu, answer, "right on a 1-D input")

"""Lesson 04's checkers accept the reference answers and reject plausible wrong ones, saying why."""

import math

import pytest
import torch

from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson04 import (
    check_drop_path,
    check_layer_norm,
    check_parallel_block,
)

C = math.sqrt(2 / math.pi)


def not_done(*args):
    raise NotImplementedError("your code here")


def rejected(checker, answer, *fragments):
    with pytest.raises(ExerciseFailed) as error:
        checker(answer)
    for fragment in fragments:
        assert fragment in str(error.value), str(error.value)


FLOAT32_SLIP = "your result is float32; keep x's dtype"


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
        (
            lambda x, w, b, eps: (
                (x - x.mean(-1, keepdim=True)) / (x.var(-1, keepdim=True, unbiased=False).sqrt() + eps**0.5) * w + b
            ),
            "eps is in the wrong place",
        ),
        (
            lambda x, w, b, eps: x / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps) * w + b,
            "not centred (the lesson's bug a)",
        ),
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


# --- bank: correct answers written differently, and more wrong answers ---------------------------


import numpy as np  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.functional import layer_norm as renamed_layer_norm  # noqa: E402


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


def layer_norm_einsum_loop(x, weight, bias, eps):  # one token at a time
    flat = x.reshape(-1, x.shape[-1])
    rows = []
    for token in flat:
        centred = token - token.sum() / token.numel()
        var = torch.einsum("i,i->", centred, centred) / token.numel()
        rows.append(centred / (var + eps) ** 0.5 * weight + bias)
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
        (lambda x, w, b, eps: (x - x.mean(-1, keepdim=True)) / (x.var(-1, keepdim=True) - 1e3).sqrt() * w, "holds NaN"),
    ],
)
def test_layer_norm_rejects_more(answer, fragment):
    rejected(check_layer_norm, answer, "Not yet", fragment)


# --- the slips named in issue 21 ---------------------------------------------------------------------


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
        (lambda x, w, b, eps: (_normalise(x, -1, eps) + b) * w, "added the shift before scaling"),
    ],
)
def test_layer_norm_names_keepdim_literal_and_order_slips(answer, fragment):
    rejected(check_layer_norm, answer, fragment)


# --- slips named after review: a constant without its root, the sigmoid form, two slips with one count,
# --- a missing or squared eps, a block that normalises both each branch's input and the sum ---


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
        (
            lambda x, w, b, eps: (
                (x - x.mean(-1, keepdim=True)) / (x.var(-1, keepdim=True, unbiased=False) + eps) * w + b
            ),
            "divides by the variance",
        ),
    ],
)
def test_layer_norm_names_missing_and_squared_eps(answer, fragment):
    rejected(check_layer_norm, answer, fragment)


# --- slips named after the second review: the MLP added to the original x, norm2 twice, a branch missing,
# --- BatchNorm's axes, weight and bias swapped, an answer that works only in 1-D ---


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


# --- fix round 3: the parallel block and DropPath replace the two exercises the lesson showed in full;
# --- more named slips in LayerNorm ----------------------------------------------------------


def _layer_norm_with(eps_used=None, variance="centred", axis=-1):
    def answer(x, w, b, eps):
        mean = x.mean(axis, keepdim=True)
        var = x.var(axis, keepdim=True, unbiased=False)
        if variance == "mean square":
            var = (x**2).mean(axis, keepdim=True)
        return (x - mean) / torch.sqrt(var + (eps if eps_used is None else eps_used)) * w + b

    return answer


def _layer_norm_precedence(x, w, b, eps):  # x - mean / sqrt(var + eps) * w + b: Python's precedence
    return x - x.mean(-1, keepdim=True) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps) * w + b


def _layer_norm_bug_b(x, w, b, eps):  # the lesson's layer_norm_b, then the scale and shift
    return (x - x.mean(-1, keepdim=True) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps)) * w + b


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_layer_norm_with(eps_used=1e-5), "use the eps argument, not a fixed value"),
        (_layer_norm_with(eps_used=1e-6), "use the eps argument, not a fixed value"),
        (_layer_norm_with(eps_used=1e-7), "a fixed small eps (e.g. 1e-08)"),
        (_layer_norm_with(variance="mean square"), "the variance is not centred"),
        (_layer_norm_precedence, "only the mean is divided (the lesson's bug b), and the scale"),
        (_layer_norm_bug_b, "only the mean is divided (the lesson's bug b)"),
        (_layer_norm_with(axis=2), "dim=-1"),
    ],
)
def test_layer_norm_names_fixed_eps_uncentred_variance_and_fixed_axis(answer, fragment):
    rejected(check_layer_norm, answer, fragment)


# --- the parallel block ---


def parallel_block(x, block):
    h = block.norm1(x)
    return x + block.attn(h) + block.mlp(h)


def parallel_block_in_place(x, block):
    h = block.norm1(x)
    out = x.clone()
    out += block.attn(h)
    out.add_(block.mlp(h))
    return out


def parallel_block_loop(x, block):  # one sample at a time, branches summed with sum()
    return torch.stack([s + sum(branch(block.norm1(s[None]))[0] for branch in (block.attn, block.mlp)) for s in x])


def parallel_block_manual_mlp(x, block):
    h = block.norm1(x)
    m = block.mlp
    return x + block.attn(h) + m.fc2(m.act(m.fc1(h)))


@pytest.mark.parametrize(
    "answer", [parallel_block, parallel_block_in_place, parallel_block_loop, parallel_block_manual_mlp]
)
def test_parallel_block_accepts_answers_written_differently(answer, capsys):
    check_parallel_block(answer)
    assert "Correct!" in capsys.readouterr().out


def _sequential(x, b):
    h = x + b.attn(b.norm1(x))
    return h + b.mlp(b.norm2(h))


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_sequential, "sequential block of section 5"),
        (lambda x, b: x + b.attn(b.norm1(x)) + b.mlp(b.norm2(x)), "norm2 is not used"),
        (lambda x, b: x + b.attn(b.norm2(x)) + b.mlp(b.norm2(x)), "both branches read norm2(x)"),
        (lambda x, b: b.attn(b.norm1(x)) + b.mlp(b.norm1(x)), "residual connection is missing"),
        (lambda x, b: (x + b.attn(b.norm1(x))) + (x + b.mlp(b.norm1(x))), "x is added twice"),
        (lambda x, b: b.norm1(x) + b.attn(b.norm1(x)) + b.mlp(b.norm1(x)), "adds the normalised x"),
        (lambda x, b: x + b.attn(x) + b.mlp(x), "without its LayerNorm"),
        (lambda x, b: b.norm1(x + b.attn(x) + b.mlp(x)), "post-norm"),
        (lambda x, b: x + b.attn(b.norm1(x)), "MLP branch is missing"),
        (lambda x, b: x + b.mlp(b.norm1(x)), "attention branch is missing"),
        (lambda x, b: x + (b.attn(b.norm1(x)) + b.mlp(b.norm1(x))) / 2, "averaged"),
        (lambda x, b: b.norm2(parallel_block(x, b)), "extra LayerNorm"),
        (lambda x, b: b(x), "yourself"),
        (lambda x, b: x[0], "shape"),
        (lambda x, b: 3 * x, "differs from x + attn(norm1(x)) + mlp(norm1(x))"),
    ],
)
def test_parallel_block_names_its_slips(answer, fragment):
    rejected(check_parallel_block, answer, fragment)


# --- DropPath ---


def _coins(x, p):  # one coin per sample, broadcast over the rest: (B, 1, ..., 1)
    return (torch.rand(x.shape[0], *[1] * (x.dim() - 1)) >= p).to(x.dtype)


def drop_path(x, p, training):
    if not training or p == 0:
        return x
    return x * _coins(x, p) / (1 - p)


def drop_path_bernoulli(x, p, training):
    if not training:
        return x
    mask = x.new_empty((x.shape[0],) + (1,) * (x.ndim - 1)).bernoulli_(1 - p)
    return x.div(1 - p) * mask


def drop_path_dropout_on_ones(x, p, training):  # F.dropout on a (B, 1, ..., 1) tensor of ones does it all
    return torch.nn.functional.dropout(torch.ones(x.shape[0], *[1] * (x.dim() - 1), dtype=x.dtype), p, training) * x


def drop_path_on_a_copy(x, p, training):  # in-place operations on a new tensor leave the caller's x alone
    out = x.clone()
    if training:
        out.mul_(_coins(x, p)).div_(1 - p)
    return out


def drop_path_numpy_loop(x, p, training):  # a Python loop over the samples, coins from torch
    if not training:
        return x
    keep = [float(torch.rand(()) >= p) / (1 - p) for _ in range(x.shape[0])]
    return torch.stack([sample * k for sample, k in zip(x, keep, strict=True)])


@pytest.mark.parametrize(
    "answer", [drop_path, drop_path_bernoulli, drop_path_dropout_on_ones, drop_path_on_a_copy, drop_path_numpy_loop]
)
def test_drop_path_accepts_answers_written_differently(answer, capsys):
    check_drop_path(answer)
    assert "Correct!" in capsys.readouterr().out


def _seeded_inside(x, p, training):
    torch.manual_seed(0)
    return drop_path(x, p, training)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x, p, t: torch.nn.functional.dropout(x, p, t), "per element"),
        (lambda x, p, t: x * (torch.rand(*x.shape[:-1], 1) >= p) / (1 - p) if t else x, "one coin per token"),
        (lambda x, p, t: x * _coins(x, p) if t else x, "not rescaled"),
        (lambda x, p, t: x * _coins(x, p) * (1 - p) if t else x, "multiplied by 1 - p"),
        (lambda x, p, t: x * _coins(x, p) / p if t else x, "divided by p"),
        (lambda x, p, t: x * _coins(x, p) / (1 - p), "identity"),
        (lambda x, p, t: drop_path(x, p, t) if t else x * (1 - p), "identity"),
        (lambda x, p, t: x * (torch.rand(x.shape[0], *[1] * (x.dim() - 1)) < p) / (1 - p) if t else x, "DROP"),
        (lambda x, p, t: x * float(torch.rand(()) >= p) / (1 - p) if t else x, "whole batch"),
        (lambda x, p, t: x, "no sample of 4,000 was dropped (no mask applied, or one coin for the whole batch)"),
        (_seeded_inside, "same samples"),
        (lambda x, p, t: x * _coins(x, p / 2) / (1 - p / 2) if t else x, "expected about"),
        (lambda x, p, t: drop_path(x, p, t)[:, 0], "shape"),
        (lambda x, p, t: x / 0 if t else x, "inf or nan"),
        (lambda x, p, t: x @ x, "raised RuntimeError"),
    ],
)
def test_drop_path_names_its_slips(answer, fragment):
    rejected(check_drop_path, answer, fragment)


# --- fix round 4: slips named, numpy answers, the mask's shape, independent coins ---


def _drop_path_numpy(x, p, training):  # numpy coins and a numpy array returned
    if not training or p == 0:
        return x.numpy()
    keep = np.random.default_rng().random((x.shape[0],) + (1,) * (x.dim() - 1)) >= p
    return x.numpy() * keep / (1 - p)


def test_drop_path_accepts_a_numpy_answer(capsys):
    check_drop_path(_drop_path_numpy)
    assert "Correct!" in capsys.readouterr().out


def _fixed_count(x, p, training):  # exactly round(p B) samples dropped on every call: not independent coins
    if not training or p == 0:
        return x
    order = torch.randperm(x.shape[0]).view(-1, *[1] * (x.dim() - 1))
    return x * (order >= round(p * x.shape[0])) / (1 - p)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x, p, t: x * (torch.rand(x.shape[0], 1, 1) >= p) / (1 - p) if t and p else x, "hard-coded"),
        (lambda x, p, t: x * (torch.rand(x.shape[0], 1) >= p) / (1 - p) if t and p else x, "the batch axis"),
        (lambda x, p, t: x * (torch.rand(x.shape[0]) >= p) / (1 - p) if t and p else x, "the batch axis"),
        (_fixed_count, "not independent"),
        (lambda x, p, t: (_coins(x, p) / (1 - p)).expand_as(x) if t and p else x, "the mask itself"),
    ],
)
def test_drop_path_names_mask_shape_fixed_count_and_mask_only(answer, fragment):
    rejected(check_drop_path, answer, fragment)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x, w, b, eps: x * torch.rsqrt((x**2).mean(-1, keepdim=True) + eps) * w + b, "RMSNorm"),
        (lambda x, w, b, eps: x / torch.sqrt((x**2).mean(-1, keepdim=True) + eps) * w + b, "RMSNorm"),
        (lambda x, w, b, eps: _normalise(x, (-2, -1), eps) * w + b, "last two axes"),
    ],
)
def test_layer_norm_names_rms_norm_and_two_axes(answer, fragment):
    rejected(check_layer_norm, answer, fragment)


def _fresh_norm(x, block):
    h = torch.nn.LayerNorm(x.shape[-1], dtype=x.dtype)(x)  # weight 1, bias 0: not the block's norm1
    return x + block.attn(h) + block.mlp(h)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_fresh_norm, "fresh LayerNorm"),
        (lambda x, b: (lambda a: a + b.attn(b.norm1(a)))(x + b.mlp(b.norm2(x))), "MLP first"),
        (lambda x, b: (lambda a: a + b.attn(b.norm1(a)))(x + b.mlp(b.norm1(x))), "MLP first"),
        (lambda x, b: (lambda h: x + b.attn(h) + b.mlp(b.attn(h)))(b.norm1(x)), "attention's output"),
    ],
)
def test_parallel_block_names_fresh_norm_mlp_first_and_mlp_on_attention(answer, fragment):
    rejected(check_parallel_block, answer, fragment)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x, b: (lambda a: a + b.mlp(b.norm1(a)))(x + b.attn(b.norm2(x))), "norms swapped"),
        (lambda x, b: (lambda a: a + b.attn(b.norm2(a)))(x + b.mlp(b.norm1(x))), "MLP first (on norm1)"),
        (lambda x, b: (lambda a: b.norm2(a + b.mlp(a)))(b.norm1(x + b.attn(x))), "post-norm sequential"),
        (
            lambda x, b: (lambda h: torch.nn.functional.layer_norm(x + b.attn(h) + b.mlp(h), x.shape[-1:]))(b.norm1(x)),
            "fresh F.layer_norm",
        ),
    ],
)
def test_parallel_block_names_swapped_norms_post_norm_and_a_final_fresh_norm(answer, fragment):
    rejected(check_parallel_block, answer, fragment)


def _layer_norm_in_place(x, weight, bias, eps):
    mean, var = x.mean(-1, keepdim=True), x.var(-1, keepdim=True, unbiased=False)
    return x.sub_(mean).div_(torch.sqrt(var + eps)).mul_(weight).add_(bias)


def _layer_norm_float32(x, weight, bias, eps):
    x, weight, bias = x.float(), weight.float(), bias.float()
    return (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps) * weight + bias


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [(_layer_norm_in_place, "changed its input x in place"), (_layer_norm_float32, FLOAT32_SLIP)],
)
def test_layer_norm_names_an_in_place_change_of_x_and_a_float32_answer(answer, fragment):
    rejected(check_layer_norm, answer, fragment)


# --- the appendix's size table: the sizes the notebook counts only with the package's ViT ---


@pytest.mark.parametrize(
    ("width", "depth", "heads", "mlp_width", "patch"),
    [(192, 12, 3, 768, 16), (384, 12, 6, 1536, 16), (1024, 24, 16, 4096, 16), (1280, 32, 16, 5120, 14)],
)
def test_vit_sizes_count_as_hugging_face_counts_them(width, depth, heads, mlp_width, patch):
    """The notebook compares ViT-B with Hugging Face's ViTForImageClassification; here the other four sizes."""
    from transformers import ViTConfig, ViTForImageClassification

    from vit_explained import ViT, count_parameters
    from vit_explained.parameters import parameter_breakdown

    config = ViTConfig(
        hidden_size=width,
        num_hidden_layers=depth,
        num_attention_heads=heads,
        intermediate_size=mlp_width,
        patch_size=patch,
        image_size=224,
        num_labels=1000,
    )
    with torch.device("meta"):
        ours = ViT(224, patch_size=patch, num_classes=1000, dim=width, depth=depth, heads=heads, mlp_dim=mlp_width)
        theirs = ViTForImageClassification(config)
    assert count_parameters(ours) == count_parameters(theirs)
    assert parameter_breakdown(ours)["mlp"] == sum(p.numel() for n, p in theirs.named_parameters() if ".mlp." in n)


# --- the caller's x left as it was: parallel block and DropPath, as for LayerNorm ---


def _parallel_block_in_place(x, block):
    h = block.norm1(x)
    return x.add_(block.attn(h) + block.mlp(h))


def _drop_path_in_place(x, p, training):
    if training:
        x.mul_(_coins(x, p) / (1 - p))
    return x


def _drop_path_in_place_operator(x, p, training):
    if training:
        x *= _coins(x, p) / (1 - p)
    return x


def test_parallel_block_names_an_in_place_change_of_x():
    rejected(check_parallel_block, _parallel_block_in_place, "changed its input x in place")


@pytest.mark.parametrize("answer", [_drop_path_in_place, _drop_path_in_place_operator])
def test_drop_path_names_an_in_place_change_of_x(answer):
    rejected(check_drop_path, answer, "changed its input x in place")


# --- issue 21: qkv_bias read the wrong way round, crossed norms, an answer wrapped in a 1-tuple ---


def test_parallel_block_names_crossed_norms():
    rejected(
        check_parallel_block,
        lambda x, b: x + b.attn(b.norm2(x)) + b.mlp(b.norm1(x)),
        "attention reads norm2(x) and the MLP norm1(x)",
    )


def _as_one_tuple(answer):
    return lambda *args: (answer(*args),)


def _with_trailing_comma(answer):
    def wrapped(*args):
        result = (answer(*args),)  # what `return y,` returns
        return result

    return wrapped


@pytest.mark.parametrize(
    "answer",
    [
        lambda x, b: x + b.attn(b.norm1(b.norm1(x))) + b.mlp(b.norm1(b.norm1(x))),
        lambda x, b: x + b.attn(b.norm1(b.norm1(x))) + b.mlp(b.norm1(x)),
        lambda x, b: (lambda h: x + b.attn(h) + b.mlp(b.norm1(h)))(b.norm1(x)),
    ],
)
def test_parallel_block_names_norm1_applied_twice(answer):
    rejected(check_parallel_block, answer, "norm1 applied twice")


def _tanh_gelu_in_place(x):
    return x.mul_(0.5 * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))))


# --- slips named after the 9.0 review: one branch on the raw x, var_mean unpacked the wrong way round,
# --- a reshaped weight (not a keepdim slip), both MLP biases left out with a final LayerNorm counted ---


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x, b: x + b.attn(b.norm1(x)) + b.mlp(x), "MLP branch reads the raw x"),
        (lambda x, b: x + b.attn(x) + b.mlp(b.norm1(x)), "attention branch reads the raw x"),
    ],
)
def test_parallel_block_names_one_branch_on_the_raw_x(answer, fragment):
    rejected(check_parallel_block, answer, fragment)


def _var_mean_swapped(correction):
    def layer_norm(x, weight, bias, eps):
        mean, var = torch.var_mean(x, dim=-1, keepdim=True, correction=correction)  # the wrong order
        return (x - mean) / torch.sqrt(var + eps) * weight + bias

    return layer_norm


@pytest.mark.parametrize("correction", [0, 1])
def test_layer_norm_names_var_mean_unpacked_the_wrong_way_round(correction):
    rejected(check_layer_norm, _var_mean_swapped(correction), "torch.var_mean returns (var, mean)")


def test_layer_norm_does_not_blame_keepdim_alone_for_a_reshaped_weight():
    def answer(x, w, b, eps):
        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True, unbiased=False)
        return (x - mean) / torch.sqrt(var + eps) * w[:, None] + b

    rejected(check_layer_norm, answer, "weight[:, None] is (D, 1)")


# --- exercise 1: GELU's slope by hand (session 8) ---

from vit_explained.exercises.lesson04 import check_block_macs, check_gelu_slope  # noqa: E402


def gelu_slope(x):
    cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    return cdf + x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)


def gelu_slope_normal(x):  # torch.distributions: Phi and log phi
    normal = torch.distributions.Normal(torch.zeros((), dtype=x.dtype), torch.ones((), dtype=x.dtype))
    return normal.cdf(x) + x * normal.log_prob(x).exp()


def gelu_slope_erfc_numpy(x):  # right values as a numpy array of x's dtype: accepted
    t = x.detach().numpy()
    return np.array(
        [0.5 * math.erfc(-v / math.sqrt(2)) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi) for v in t.ravel()],
        dtype=t.dtype,  # the input's dtype out
    ).reshape(t.shape)


def gelu_slope_special(x):
    return torch.special.ndtr(x) + x * torch.exp(-x * x / 2) * (2 * math.pi) ** -0.5


@pytest.mark.parametrize("answer", [gelu_slope, gelu_slope_normal, gelu_slope_special, gelu_slope_erfc_numpy])
def test_gelu_slope_accepts_answers_written_differently(answer, capsys):
    check_gelu_slope(answer)
    assert "Correct!" in capsys.readouterr().out


def _autograd_slope(x):
    leaf = x.detach().clone().requires_grad_(True)
    return torch.autograd.grad(F.gelu(leaf).sum(), leaf)[0]


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x: 0.5 * (1 + torch.erf(x / math.sqrt(2))), "Phi(x) alone"),
        (lambda x: x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi), "x * phi(x) alone"),
        (
            lambda x: 0.5 * (1 + torch.erf(x / math.sqrt(2))) - x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi),
            "the second term's sign is wrong",
        ),
        (
            lambda x: 0.5 * (1 + torch.erf(x / math.sqrt(2))) + torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi),
            "the second term lacks a factor",
        ),
        (lambda x: 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * torch.exp(-0.5 * x**2), "1 / sqrt(2 pi)"),
        (
            lambda x: 0.5 * (1 + torch.erf(x)) + x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi),
            "erf gets the wrong argument",
        ),
        (lambda x: (x > 0).to(x.dtype), "ReLU's slope"),
        (lambda x: x * 0.5 * (1 + torch.erf(x / math.sqrt(2))), "GELU itself"),
        (_autograd_slope, "not autograd"),
        (lambda x: F.gelu(x), "not autograd"),
        (lambda x: torch.sigmoid(1.702 * x) * (1 + 1.702 * x * torch.sigmoid(-1.702 * x)), "QuickGELU"),
        (lambda x: (x * 0.5 * (1 + torch.erf(x / math.sqrt(2)))).numpy(), "GELU itself"),  # a numpy slip, named
        (lambda x: torch.zeros(3), "shape"),
        (lambda x: torch.sigmoid(1.702 * x), "differs from GELU's slope"),
        (  # r27d minor 8: the sign slip inside erf, Phi(-x)
            lambda x: 0.5 * (1 + torch.erf(-x / math.sqrt(2))) + x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi),
            "Phi(-x): the sign inside erf",
        ),
        (
            lambda x: 0.5 * (1 + torch.erf(-x / math.sqrt(2))) - x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi),
            "x Phi(-x): the sign inside erf",
        ),
    ],
)
def test_gelu_slope_names_its_slips(answer, fragment):
    rejected(check_gelu_slope, answer, fragment)


def test_gelu_slope_names_the_tanh_form_and_rejects_a_table():
    def tanh_slope(x):  # the tanh form's slope, by hand
        t = torch.tanh(C * (x + 0.044715 * x**3))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t**2) * C * (1 + 3 * 0.044715 * x**2)

    rejected(check_gelu_slope, tanh_slope, "tanh approximation")
    grid = torch.linspace(-6.0, 6.0, 241, dtype=torch.float64)
    table = _autograd_slope(grid)  # right on the grid, nothing on the random points
    rejected(check_gelu_slope, lambda x: table.clone() if x.shape == grid.shape else torch.zeros_like(x), "differs")


def _finite_difference(x, h):
    def gelu(t):
        return t * 0.5 * (1 + torch.erf(t / math.sqrt(2)))

    return (gelu(x + h) - gelu(x - h)) / (2 * h)


def test_gelu_slope_checks_a_float32_input_in_float32():
    # a central difference passes in float64 but loses digits in float32: named
    rejected(check_gelu_slope, lambda x: _finite_difference(x, 1e-3), "finite difference")
    # a coarse or very fine step in float32 (off by far more than 1e-2) is named too: the float64 cases passed
    for h in (1e-6, 1e-7):
        rejected(
            check_gelu_slope,
            lambda x, h=h: _finite_difference(x, h if x.dtype == torch.float32 else 1e-5),
            "finite difference",
        )
    # a genuine precision loss is still named: half precision, and float32 for a float64 input
    rejected(check_gelu_slope, lambda x: gelu_slope(x).half(), "significant digits")
    rejected(check_gelu_slope, lambda x: gelu_slope(x).float(), "result is float32")


def gelu_slope_numpy_promoting(x):  # NumPy 2: a float32 array times np.sqrt(2 * np.pi), a float64 scalar -> float64
    t = x.numpy()
    from scipy.special import erf

    return 0.5 * (1 + erf(t / np.sqrt(2.0))) + t * np.exp(-(t**2) / 2) / np.sqrt(2 * np.pi)


def gelu_slope_scipy_norm(x):  # scipy.stats.norm returns float64 for a float32 input
    from scipy.stats import norm

    t = x.numpy()
    return norm.cdf(t) + t * norm.pdf(t)


@pytest.mark.parametrize(
    "answer", [lambda x: gelu_slope(x.double()), gelu_slope_numpy_promoting, gelu_slope_scipy_norm]
)
def test_gelu_slope_accepts_a_float64_result_for_a_float32_input(answer, capsys):
    check_gelu_slope(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("checker", "arguments"),
    [
        (check_gelu_slope, 1),
        (check_parallel_block, 2),
        (check_layer_norm, 4),
        (check_drop_path, 3),
        (check_block_macs, 3),
    ],
)
def test_a_missing_return_is_named(checker, arguments):
    def forgot_to_return(*args):
        assert len(args) == arguments

    rejected(checker, forgot_to_return, "missing `return`")


def test_gelu_slope_float64_slips_on_float32_inputs_are_still_named():
    from scipy.stats import norm

    rejected(check_gelu_slope, lambda x: norm.cdf(x.numpy()), "Phi(x) alone")
    rejected(check_gelu_slope, lambda x: norm.cdf(x.numpy()) - x.numpy() * norm.pdf(x.numpy()), "sign is wrong")


# --- exercise 5: a block's multiply-adds ---


def block_macs(dim, mlp_dim, tokens):
    return tokens * (4 * dim * dim + 2 * dim * mlp_dim) + 2 * tokens * tokens * dim


def block_macs_by_layers(dim, mlp_dim, tokens):  # rows x in x out for each product
    products = [
        (tokens, dim, 3 * dim),
        (tokens, dim, dim),
        (tokens, dim, tokens),
        (tokens, tokens, dim),
        (tokens, dim, mlp_dim),
        (tokens, mlp_dim, dim),
    ]
    return sum(math.prod(p) for p in products)


def block_macs_per_head(dim, mlp_dim, tokens):  # heads of width 1, as a float from numpy
    return float(np.int64(tokens) * (4 * dim * dim + 2 * dim * mlp_dim) + sum(2 * tokens * tokens for _ in range(dim)))


def block_macs_flops_halved(dim, mlp_dim, tokens):
    return (2 * tokens * (4 * dim**2 + 2 * dim * mlp_dim) + 4 * tokens**2 * dim) // 2


@pytest.mark.parametrize("answer", [block_macs, block_macs_by_layers, block_macs_per_head, block_macs_flops_halved])
def test_block_macs_accepts_answers_written_differently(answer, capsys):
    check_block_macs(answer)
    assert "Correct!" in capsys.readouterr().out


def test_block_macs_says_whether_a_float_answer_was_accepted(capsys):
    check_block_macs(block_macs)  # an int: no note
    assert "Correct!" in (out := capsys.readouterr().out) and "floats" not in out
    check_block_macs(lambda d, m, n: float(block_macs(d, m, n)))  # a whole float: accepted, and said so
    assert "Correct!" in (out := capsys.readouterr().out) and "You returned floats: accepted" in out


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda d, m, n: 2 * block_macs(d, m, n), "FLOPs"),
        (lambda d, m, n: n * (4 * d * d + 2 * d * m), "attention matrix is missing"),
        (lambda d, m, n: block_macs(d, m, n) - n * n * d, "one of the two N x N products"),
        (lambda d, m, n: block_macs(d, m, n) - n * d * d, "proj"),
        (lambda d, m, n: block_macs(d, m, n) - 2 * n * d * d, "three D x D products"),
        (lambda d, m, n: block_macs(d, m, n) - n * d * m, "two Linear layers"),
        (lambda d, m, n: block_macs(d, 4 * d, n), "not 4D"),
        (lambda d, m, n: n * (6 * d * d + 2 * d * m), "N^2 D per product"),
        (lambda d, m, n: block_macs(d, m, n + 1), "class token included"),
        (lambda d, m, n: block_macs(d, m, n) + n * (3 * d + d + m + d), "biases are additions"),
        (lambda d, m, n: 1_000_000, "for both (64, 256, 101) and (100, 300, 50)"),  # round 18a: named
        (lambda d, m, n: n * (4 * d * d + 2 * d * m) + 2 * n * n * 12 * (d // 12), "does not depend on the heads"),
        (lambda d, m, n: "many", "int"),
    ],
)
def test_block_macs_names_its_slips(answer, fragment):
    rejected(check_block_macs, answer, fragment)


def test_block_macs_rejects_a_table_and_refuses_the_package(capsys):
    fixed = {(64, 256, 101), (384, 1152, 197), (100, 300, 50)}
    rejected(check_block_macs, lambda d, m, n: block_macs(d, m, n) if (d, m, n) in fixed else 0, "returned 0")

    def with_cost(d, m, n):
        from vit_explained.cost import attention_cost

        return n * (4 * d * d + 2 * d * m) + attention_cost(n, d, heads=1).matmul_flops // 2

    rejected(check_block_macs, with_cost, "yourself")


def test_parallel_block_names_the_eps_slip_and_varies_the_size():
    def default_eps(x, b):
        h = F.layer_norm(x, x.shape[-1:], b.norm1.weight, b.norm1.bias)
        return x + b.attn(h) + b.mlp(h)

    rejected(check_parallel_block, default_eps, "eps=1e-06", "1e-5")
    shapes = []

    def hard_coded(x, b):
        shapes.append(tuple(x.shape))
        h = b.norm1(x)
        return (x + b.attn(h) + b.mlp(h)).reshape(2, 7, 32)

    with pytest.raises(ExerciseFailed):
        check_parallel_block(hard_coded)
    assert shapes[:2] == [(2, 7, 32), (3, 5, 48)]


# --- every checker: an answer wrapped in a 1-tuple or a 1-list is named ---


@pytest.mark.parametrize("wrap", [_as_one_tuple, _with_trailing_comma])
@pytest.mark.parametrize(
    ("checker", "answer", "name"),
    [
        (check_gelu_slope, gelu_slope, "gelu_slope(x)"),
        (check_parallel_block, parallel_block, "parallel_block(x, block)"),
        (check_layer_norm, layer_norm, "layer_norm(x, weight, bias, eps)"),
        (check_drop_path, drop_path, "drop_path(x, p, training)"),
        (check_block_macs, block_macs, "block_macs(dim, mlp_dim, tokens)"),
    ],
)
def test_every_checker_names_an_answer_wrapped_in_a_one_tuple(wrap, checker, answer, name):
    rejected(checker, wrap(answer), f"{name} returned a tuple holding one value", "return the value itself")


def test_a_one_list_is_named_too():
    rejected(check_gelu_slope, lambda x: [gelu_slope(x)], "returned a list holding one value")


@pytest.mark.parametrize("checker", [check_gelu_slope, check_block_macs])
def test_a_stub_is_not_attempted(checker):
    with pytest.raises(ExerciseNotAttempted):
        checker(not_done)


# --- fix round 4: named slips and one dtype policy ---


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x: (1 + torch.erf(x / math.sqrt(2))) + x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi), "1/2"),
        (
            lambda x: 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * torch.exp(-0.5 * x**2) / math.sqrt(math.pi),
            "your density's normalising factor is 1 / sqrt(pi)",
        ),
        (lambda x: [value for value in gelu_slope(x)], "returned a list"),
    ],
)
def test_gelu_slope_names_a_missing_half_a_wrong_density_and_a_list(answer, fragment):
    rejected(check_gelu_slope, answer, fragment)


def test_block_macs_names_a_hard_coded_197_and_one_head():
    rejected(check_block_macs, lambda d, m, n: block_macs(d, m, 197), "use `tokens`")
    one_head = lambda d, m, n: n * (4 * d * d + 2 * d * m) + 2 * n * n * d // 12  # noqa: E731
    rejected(check_block_macs, one_head, "one head only (N^2 D / h, h = 12")
    # heads that do not divide D (100 / 12, 17 / 12 ...): the head width floored, d // h
    floored = lambda d, m, n: n * (4 * d * d + 2 * d * m) + 2 * n * n * (d // 12)  # noqa: E731
    rejected(check_block_macs, floored, "one head only (N^2 D / h")


def test_parallel_block_and_drop_path_refuse_a_float32_answer():
    rejected(
        check_parallel_block,
        lambda x, block: (x + block.attn(block.norm1(x)) + block.mlp(block.norm1(x))).float(),
        FLOAT32_SLIP,
    )

    def drop_path_float32(x, p, training):
        if not training or p == 0:
            return x.float()
        keep = (torch.rand((x.shape[0],) + (1,) * (x.dim() - 1)) >= p).to(x.dtype)
        return (x * keep / (1 - p)).float()

    rejected(check_drop_path, drop_path_float32, FLOAT32_SLIP)


# --- session 10 (fix round 12): the slips a reviewer tried, each named ---


def test_layer_norm_names_a_constant_width():
    def sum_over_16(x, weight, bias, eps):
        mean = x.sum(-1, keepdim=True) / 16
        var = ((x - mean) ** 2).sum(-1, keepdim=True) / 16
        return (x - mean) / torch.sqrt(var + eps) * weight + bias

    rejected(check_layer_norm, sum_over_16, "a constant 16", "D = 8")


def test_drop_path_names_a_hard_coded_batch_size():
    rejected(
        check_drop_path,
        lambda x, p, t: x * (torch.rand(4000, *[1] * (x.dim() - 1)) >= p) / (1 - p) if t and p else x,
        "batch size is hard-coded",
    )


def test_gelu_slope_names_a_tensor_of_python_numbers():
    def looped(x):
        return torch.tensor(
            [
                0.5 * (1 + math.erf(v / math.sqrt(2))) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
                for v in x.tolist()
            ]
        ).reshape(x.shape)

    rejected(check_gelu_slope, looped, FLOAT32_SLIP, "compute in x's own dtype")


def test_block_macs_one_head_without_a_range_of_h():
    floored = lambda d, m, n: n * (4 * d * d + 2 * d * m) + 2 * n * n * (d // 12)  # noqa: E731
    with pytest.raises(ExerciseFailed) as error:
        check_block_macs(floored)
    assert "one head only" in str(error.value) and " to " not in str(error.value).split("wide")[0], str(error.value)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [  # the two slips exercise 5's text warns about
        (lambda d, m, n: n * (4 * d * d + 2 * d * m) + 12 * 2 * n * n * d, "not N^2 D x heads (your count has x 12)"),
        (lambda d, m, n: n * (4 * d * d + 2 * d * m) + 6 * 2 * n * n * d, "not N^2 D x heads (your count has x 6)"),
        (lambda d, m, n: n * (4 * d * d + 2 * d * m) + 12 * n * n * d + n * n * d, "not N^2 D x heads"),  # q k^T only
        (lambda d, m, n: block_macs(d, m, n - 1), "tokens already includes the class token"),
    ],
)
def test_block_macs_names_heads_times_and_a_subtracted_class_token(answer, fragment):
    rejected(check_block_macs, answer, fragment)


@pytest.mark.parametrize(
    "answer",
    [
        lambda d, m, n: n * (4 * d * d + 2 * d * m) + 2 * n * n * d * d,  # both products x D
        lambda d, m, n: n * (4 * d * d + 2 * d * m) + n * n * d * d + n * n * d,  # q k^T only x D
    ],
)
def test_block_macs_names_an_attention_matrix_times_d(answer):
    with pytest.raises(ExerciseFailed) as error:
        check_block_macs(answer)
    assert "q k^T costs N^2 D, not N^2 D^2" in str(error.value) and "heads" not in str(error.value), str(error.value)


def test_block_macs_heads_slip_is_silent_on_right_counts():
    from vit_explained.exercises.lesson04 import _block_macs, _times_heads_slip

    for d, m, n in ((64, 256, 17), (384, 1152, 197), (100, 300, 50), (17, 31, 5)):
        right = _block_macs(d, m, n)
        assert _times_heads_slip(d, n, right, right) is None  # the right answers pass (the test above)


def test_block_macs_names_a_fixed_head_count(monkeypatch):
    """r29p (review r29c minor 8): a per-head count with a fixed h fails only where h does not divide D; the message
    says the count depends on D // h and that the heads drop out."""
    import vit_explained.exercises.lesson04 as module

    monkeypatch.setattr(module, "_random_macs_case", lambda: (101, 795, 263))

    def per_head(dim, mlp_dim, tokens, heads=4):
        return tokens * (4 * dim * dim + 2 * dim * mlp_dim) + heads * (2 * tokens * tokens * (dim // heads))

    with pytest.raises(ExerciseFailed) as error:
        check_block_macs(per_head)
    # r34d: the fixed case (35, 120, 23) now catches it before the random size
    assert "depends on a head width D // h" in str(error.value) and "D = 35" in str(error.value), str(error.value)
    right = module._block_macs(101, 795, 263)
    assert module._fixed_heads_slip(101, 263, right, right) is None


@pytest.mark.parametrize("heads", [2, 3, 4, 6, 8, 12, 16])
def test_block_macs_fails_a_fixed_head_count_on_every_run(monkeypatch, heads):
    """r34d (review r34d minor 1): a loop over a hard-coded number of heads passed when the random D was a multiple
    of h (D = 48 with h = 4 printed Correct!), about one run in four, and was named "12 heads" for D = 50. The fixed
    case (35, 120, 23) fails it on every run, and the message names a fixed head count, not 12."""
    import vit_explained.exercises.lesson04 as module

    monkeypatch.setattr(module, "_random_macs_case", lambda: (48, 192, 30))  # 2, 3, 4, 6, 8, 12 and 16 divide 48

    def heads_loop(dim, mlp_dim, tokens, h=heads):  # the reviewer's probe: each head adds N (D // h) N, twice
        count = tokens * (4 * dim * dim + 2 * dim * mlp_dim)
        for _ in range(h):
            count += 2 * tokens * (dim // h) * tokens
        return count

    with pytest.raises(ExerciseFailed) as error:
        check_block_macs(heads_loop)
    message = str(error.value)
    assert "fixed head count h" in message and "12 heads" not in message, message
    assert "(48, 192, 30)" not in message, message  # a fixed size fails it: the verdict does not depend on the run
    if heads == 4:  # 64, 384 and 100 are multiples of 4: the new fixed case is the one that fails it
        assert "block_macs(35, 120, 23)" in message, message


# --- r34a (review r34a minors 1, 6, 7, 8): exercise 1's float64 tolerance and density slips, exercise 5's slips ---


def _gelu(t):
    return t * 0.5 * (1 + torch.erf(t / math.sqrt(2)))


_STEPS = {"h": 1e-4}  # a finite difference's step read from a dict outside the function: the source check misses it


def _central_hidden_step(x):
    return (_gelu(x + _STEPS["h"]) - _gelu(x - _STEPS["h"])) / (2 * _STEPS["h"])


def _central_scaled_step(x):
    h = 1e-5 * (1 + x.abs())
    return (_gelu(x + h) - _gelu(x - h)) / (2 * h)


def _central_eps_step(x):
    h = torch.finfo(torch.float64).eps ** (1 / 3)
    return (_gelu(x + h) - _gelu(x - h)) / (2 * h)


def _float32_inside(x):
    return gelu_slope(x.float()).to(x.dtype)


@pytest.mark.parametrize("answer", [_central_hidden_step, _central_scaled_step, _central_eps_step, _float32_inside])
def test_gelu_slope_float64_tolerance_refuses_a_finite_difference_and_float32(answer):
    rejected(check_gelu_slope, answer, "more than the 2e-15 the check allows", "finite difference", "float32")


# --- q04 (audit a34a items 2 and 4): a float32 constant named; a step bound at module level is a step ---

_STEP = 1e-4  # a central difference's step bound at module level
H = 1.5e-3  # a five-point stencil's step bound at module level: within 1e-12 of the slope on the check's grid


def _central_module_step(x):
    return (_gelu(x + _STEP) - _gelu(x - _STEP)) / (2 * _STEP)


def _five_point_module_step(x):  # in float64 (a float64 result is accepted for a float32 input)
    x = x.double()
    return (-_gelu(x + 2 * H) + 8 * _gelu(x + H) - 8 * _gelu(x - H) + _gelu(x - 2 * H)) / (12 * H)


def _five_point_enclosed_step():
    step = 1.5e-3

    def slope(x):
        x = x.double()
        return (-_gelu(x + 2 * step) + 8 * _gelu(x + step) - 8 * _gelu(x - step) + _gelu(x - 2 * step)) / (12 * step)

    return slope


def test_a_five_point_stencil_misses_the_tolerance_so_its_values_refuse_it():
    grid = torch.linspace(-6.0, 6.0, 241, dtype=torch.float64)
    grid[120] = 0.0
    assert 2e-15 < (_five_point_module_step(grid) - _autograd_slope(grid)).abs().max().item() < 1e-12


@pytest.mark.parametrize("answer", [_central_module_step, _five_point_module_step, _five_point_enclosed_step()])
def test_gelu_slope_refuses_a_finite_difference_with_its_step_outside_the_function(answer):
    rejected(check_gelu_slope, answer, "finite difference", "product rule")


@pytest.mark.parametrize(
    "answer",
    [
        lambda x: (
            0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * torch.exp(-(x**2) / 2) / torch.sqrt(torch.tensor(2 * math.pi))
        ),
        lambda x: (
            0.5 * (1 + torch.erf(x / torch.tensor(2.0).sqrt())) + x * torch.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)
        ),
    ],
)
def test_gelu_slope_names_a_float32_constant_in_a_float64_answer(answer):
    rejected(check_gelu_slope, answer, "more than the 2e-15 the check allows", "torch.tensor(...)", "dtype=x.dtype")


def test_a_central_difference_misses_1e12_with_any_step():
    """Exercise 1's box: 'a central one ... is off by more than 1e-11 in float64 with any step' (the check's grid
    alone)."""
    grid = torch.linspace(-6.0, 6.0, 241, dtype=torch.float64)
    grid[120] = 0.0
    reference = _autograd_slope(grid)
    best = min(
        ((_gelu(grid + h) - _gelu(grid - h)) / (2 * h) - reference).abs().max().item()
        for h in (10 ** (-k / 8) for k in range(8, 80))
    )
    assert 1e-11 < best < 1e-10, best


@pytest.mark.parametrize(
    "answer",
    [
        lambda x: torch.ops.aten.gelu_backward(torch.ones_like(x), x),
        lambda x: torch.ops.aten.gelu_backward.default(torch.ones_like(x), x),
    ],
)
def test_gelu_slope_refuses_autograds_own_kernel(answer):
    rejected(check_gelu_slope, answer, "not autograd", "torch.ops.aten.gelu_backward")


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (
            lambda x: 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * torch.exp(-0.5 * x**2) * math.sqrt(2 / math.pi),
            "your density is 2 phi: sqrt(2 / pi) belongs to the tanh form",
        ),
        (
            lambda x: 0.5 * (1 + torch.erf(x * math.sqrt(2))) + x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi),
            "erf takes x / sqrt(2), not x * sqrt(2)",
        ),
        (
            lambda x: 0.5 * (1 + torch.erf(x * math.sqrt(2))) + x * math.sqrt(2 / math.pi) * torch.exp(-2 * x**2),
            "your Phi(x) uses erf(x * sqrt(2))",
        ),
    ],
)
def test_gelu_slope_names_the_tanh_forms_constant_and_erf_times_sqrt2(answer, fragment):
    rejected(check_gelu_slope, answer, fragment)


def _post_norm(x, block):
    h = block.norm1(x + block.attn(x))
    return block.norm2(h + block.mlp(h))


def _post_norm_mlp_first(x, block):
    h = block.norm1(x + block.mlp(x))
    return block.norm2(h + block.attn(h))


def _post_norm_pre_built(x, block):
    from vit_explained.norm_placement import PostNormBlock

    return PostNormBlock.forward(block, x)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_post_norm_mlp_first, "this runs the MLP first and attention after it"),
        (lambda x, block: block.norm2(_post_norm(x, block)), "an extra LayerNorm at the end"),
        (lambda x, block: block.norm1(_post_norm(x, block)), "an extra LayerNorm at the end"),
        (_post_norm_pre_built, "don't call PostNormBlock.forward: it is the check's reference"),
        (lambda x, block: block(x), "don't call block(x)"),
    ],
)
def test_post_norm_block_names_mlp_first_an_extra_norm_and_the_reference(answer, fragment):
    from vit_explained.exercises.lesson04 import check_post_norm_block

    rejected(check_post_norm_block, answer, fragment)


def test_post_norm_block_still_accepts_the_formula(capsys):
    from vit_explained.exercises.lesson04 import check_post_norm_block

    check_post_norm_block(_post_norm)
    assert "Correct!" in capsys.readouterr().out


# --- r34d (reviews r34c minor 3, r34d minor 5): exercise 1's normalising slips in the density, each named ---


def _phi_cdf(x):
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x: _phi_cdf(x) + x * torch.exp(-(x**2) / 2) / (math.sqrt(2) * math.pi), "divides by sqrt(2) * pi"),
        (lambda x: _phi_cdf(x) + x * torch.exp(-(x**2) / 2) / math.sqrt(2) / math.pi, "divides by sqrt(2) * pi"),
        (lambda x: _phi_cdf(x) + x * torch.exp(-(x**2) / 2) / (2 * math.pi), "divides by 2 pi"),
        (lambda x: _phi_cdf(x) + x * torch.exp(-(x**2) / 2) * math.sqrt(2 * math.pi), "multiplies by sqrt(2 pi)"),
        (
            lambda x: _phi_cdf(x) + 0.5 * x * torch.exp(-(x**2) / 2) / math.sqrt(2 * math.pi),
            "the second term has an extra 1/2",
        ),
    ],
)
def test_gelu_slope_names_the_density_normalising_slips(answer, fragment):
    rejected(check_gelu_slope, answer, fragment, "1 / sqrt(2 pi)" if "1/2" not in fragment else "phi(x) itself")

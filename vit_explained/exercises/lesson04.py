"""Checkers for lesson 04 (the GELU MLP and the block).

Each checker runs the learner's function on fixed, seeded inputs, compares the result with a
trusted reference (``F.gelu``, a real :class:`~vit_explained.Block`, ``nn.LayerNorm``) and names
the most likely mistake when they differ.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .. import mlp
from ..block import Block
from ..parameters import count_parameters
from . import as_int, as_tensor, close, fail, forbid, max_difference, passed

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)

#: Exercise 1: element-wise operations only, not torch's GELU (any alias, nn.GELU) or the package's.
_NO_GELU = forbid(F.gelu, mlp.gelu, mlp.GELU, reason="the tanh GELU from element-wise operations")

#: Exercise 2: a formula, without building a model to count.
_NO_MODEL = forbid(nn.Module.__init__, count_parameters, reason="the count as a formula (no model)")

#: Exercise 3: mean, var or arithmetic, not torch's normalisation functions (nor nn.LayerNorm, which calls them).
_NO_LAYER_NORM = forbid(
    F.layer_norm, F.group_norm, F.instance_norm, F.batch_norm, reason="LayerNorm from mean and variance"
)

#: Exercise 4: the block from its parts; ``block(x)`` runs Block.forward.
_NO_BLOCK_CALL = forbid(
    Block.forward, reason="the block from its parts (block.norm1, block.attn, block.norm2, block.mlp)"
)


def _same_shape(name: str, result: object, reference: torch.Tensor) -> torch.Tensor:
    result = as_tensor(result, name)
    if result.shape != reference.shape:
        fail(f"{name} should keep the input's shape {tuple(reference.shape)}, got {tuple(result.shape)}")
    return result


def _within_promise(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Within 1e-6 (the lesson's promise), or float32 precision for a float32 answer."""
    return close(a, b, atol=1e-6, rtol=1e-5) if a.dtype == torch.float64 else close(a, b)


# --- Exercise 1: the tanh GELU --------------------------------------------------------------------

_ONE_D_ONLY = (
    "It is right on a 1-D input but fails on a (2, 3, 4) one: an answer that loops over x's entries or "
    "indexes it as a vector works only in 1-D; write it with element-wise tensor operations, which take any shape"
)


def _name_gelu_slip(out: torch.Tensor, x: torch.Tensor, reference: torch.Tensor) -> None:
    """Fail with the slip a wrong tanh GELU matches on ``x`` (always fails)."""
    inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
    suspects = [
        (F.gelu(x), "this is the exact (erf) GELU; the exercise asks for the tanh approximation"),
        (2 * reference, "your values are exactly twice too large everywhere: a factor is missing"),
        (0.5 * (1 + torch.tanh(inner)), "this is Phi(x), the S-shaped curve; GELU is x * Phi(x)"),
        (
            0.5 * x * (1 + torch.tanh(_SQRT_2_OVER_PI * x + 0.044715 * x**3)),
            "mind the brackets: sqrt(2 / pi) multiplies the whole sum (x + 0.044715 x^3), not x alone",
        ),
        (
            0.5 * x * (1 + torch.tanh(math.sqrt(2 * math.pi) * (x + 0.044715 * x**3))),
            "the constant is sqrt(2 / pi), about 0.798; this uses sqrt(2 pi), about 2.507",
        ),
        (
            0.5 * x * (1 + torch.tanh(math.sqrt(math.pi / 2) * (x + 0.044715 * x**3))),
            "the constant is sqrt(2 / pi), about 0.798; this uses sqrt(pi / 2), about 1.253",
        ),
        (
            0.5 * x * (1 + torch.tanh(2 / math.pi * (x + 0.044715 * x**3))),
            "the constant is sqrt(2 / pi), about 0.798; this uses 2 / pi, about 0.637: the square root is missing",
        ),
        (
            x * torch.sigmoid(1.702 * x),
            "this is the sigmoid approximation x * sigmoid(1.702 x), another (coarser) approximation from the "
            "GELU paper; the exercise asks for the tanh form",
        ),
        (
            0.5 * x * (1 + torch.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**2))),
            "the correction term inside tanh has the wrong power of x: with it, GELU(x) - GELU(-x) is no longer x",
        ),
    ]
    for candidate, message in suspects:
        if _within_promise(out, candidate):
            fail(message)
    difference = max_difference(out, reference)
    where = x[(out.detach().to(torch.float64) - reference).abs().argmax()].item()
    if difference < 1e-3:
        fail(
            f"very close (largest difference {difference:.1e}, at x = {where:.2f}) but not equal: "
            "check the constants digit by digit, sqrt(2 / pi) and 0.044715"
        )
    fail(f"differs from torch's tanh GELU by up to {difference:.3g} (at x = {where:.2f})")


def check_tanh_gelu(tanh_gelu: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """``tanh_gelu(x)`` must equal ``F.gelu(x, approximate="tanh")`` for any shape."""
    x = torch.linspace(-6.0, 6.0, 1201, dtype=torch.float64)
    reference = F.gelu(x, approximate="tanh")
    out = _same_shape("tanh_gelu(x)", _NO_GELU(tanh_gelu, x.clone()), reference)
    if not _within_promise(out, reference):
        _name_gelu_slip(out, x, reference)
    grid = torch.randn(2, 3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    result = _NO_GELU(tanh_gelu, grid.clone(), hint=_ONE_D_ONLY)
    if isinstance(result, torch.Tensor) and result.shape != grid.shape and result.numel() == grid.numel():
        fail(
            f"right on a 1-D input, but a (2, 3, 4) input comes back with shape {tuple(result.shape)}: "
            "keep the input's shape (no flatten or view(-1)); element-wise operations keep it by themselves"
        )
    out = _same_shape("tanh_gelu on a (2, 3, 4) input", result, grid)
    if not _within_promise(out, F.gelu(grid, approximate="tanh")):
        fail("right on a 1-D input but not on a (2, 3, 4) one: use element-wise operations only")
    single = torch.linspace(-4.0, 4.0, 9)  # float32 in, float32 precision out
    out = _same_shape("tanh_gelu on a float32 input", _NO_GELU(tanh_gelu, single.clone()), single)
    if not close(out, F.gelu(single, approximate="tanh")):
        fail("right in float64 but not on a float32 input: keep to torch operations on x")
    passed("your tanh GELU equals F.gelu(x, approximate='tanh') (to 1e-6).")


# --- Exercise 2: a block's parameter count --------------------------------------------------------

_BLOCK_SIZES = ((768, 3072), (192, 768), (64, 256), (10, 30), (48, 100))


def _block_parts(dim: int, mlp_dim: int) -> dict[str, int]:
    return {
        "weights": 3 * dim * dim + dim * dim + 2 * dim * mlp_dim,
        "biases": 3 * dim + dim + mlp_dim + dim,
        "norms": 4 * dim,
    }


def check_block_parameters(block_parameters: Callable[[int, int], int]) -> None:
    """``block_parameters(dim, mlp_dim)`` must equal ``count_parameters(Block(dim, heads, mlp_dim))``."""
    wrong: list[tuple[str, int, int, dict[str, int]]] = []  # (where, got, expected, what each slip would give)
    for dim, mlp_dim in _BLOCK_SIZES:
        got = as_int(_NO_MODEL(block_parameters, dim, mlp_dim), f"block_parameters({dim}, {mlp_dim})")
        with torch.device("meta"):  # count without allocating memory
            expected = count_parameters(Block(dim, 1, mlp_dim))
        if got == expected:
            continue
        parts = _block_parts(dim, mlp_dim)
        slips = {
            "the Linear layers' biases are missing (qkv, proj, fc1 and fc2 all have one)": expected - parts["biases"],
            "the two LayerNorms are missing (each has a weight and a bias of size dim)": expected - parts["norms"],
            "only half of the LayerNorm parameters: there are two, each with a weight AND a bias": (
                expected - parts["norms"] // 2
            ),
            "both the Linear biases and the LayerNorms are missing": expected - parts["biases"] - parts["norms"],
            "the qkv Linear makes queries, keys AND values, each dim wide": expected - 2 * dim * dim - 2 * dim,
            "qkv's bias has the size of qkv's output, 3 x dim, not dim": expected - 2 * dim,
            "attention's output projection (proj, dim -> dim) is missing": expected - dim * dim - dim,
            "a bias of size dim is missing: proj and fc2 each end in one (and qkv's bias is 3 x dim)": expected - dim,
            "fc2's bias has the size of fc2's output, dim, not mlp_dim": expected - dim + mlp_dim,
            "fc1's bias has the size of fc1's output, mlp_dim, not dim": expected - mlp_dim + dim,
            "the MLP has two Linear layers (fc1 widens, fc2 narrows back)": expected - dim * mlp_dim - mlp_dim,
            "your count assumes mlp_dim = 4 x dim; use the mlp_dim argument": 12 * dim * dim + 13 * dim,
        }
        wrong.append((f"for dim={dim}, mlp_dim={mlp_dim}", got, expected, slips))
    if wrong:
        # Name a slip only if it explains every size the count is wrong for: with mlp_dim = 4 x dim,
        # a missing fc1 bias (mlp_dim) looks exactly like missing LayerNorms (4 x dim).
        # Two slips can give the same count at every size (a qkv bias of size dim and half the LayerNorm
        # parameters are both 2 x dim short): then name both.
        explains = [message for message in wrong[0][3] if all(slips[message] == got for _, got, _, slips in wrong)]
        if explains:
            where, got, expected, _ = next(case for case in wrong if case[3][explains[0]] == case[1])
            if len(explains) == 1:
                fail(f"{explains[0]} ({where}: got {got:,}, expected {expected:,})")
            either = "; or ".join(explains)
            count = "two" if len(explains) == 2 else str(len(explains))
            fail(
                f"{count} slips give exactly this count, check which is yours: {either} "
                f"({where}: got {got:,}, expected {expected:,})"
            )
        where, got, expected, _ = wrong[0]
        fail(f"{where} you get {got:,}, which is off by {got - expected:+,}")
    passed("a ViT-B/16 block (dim 768, mlp_dim 3072) has 7,087,872 parameters, and your formula agrees.")


# --- Exercise 3: LayerNorm ------------------------------------------------------------------------


def _layer_norm_reference(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
    norm = nn.LayerNorm(x.shape[-1], eps=eps, dtype=x.dtype)
    with torch.no_grad():
        norm.weight.copy_(weight)
        norm.bias.copy_(bias)
        return norm(x)


def _layer_norm_suspects(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float
) -> list[tuple[torch.Tensor, str]]:
    def normalise(dims: tuple[int, ...], unbiased: bool = False, centre: bool = True) -> torch.Tensor:
        mean = x.mean(dim=dims, keepdim=True)
        var = x.var(dim=dims, keepdim=True, unbiased=unbiased)
        return ((x - mean) if centre else x) / torch.sqrt(var + eps)

    suspects = _layer_norm_formula_suspects(x, weight, bias, eps, normalise)
    suspects += _layer_norm_mean_suspects(x, weight, bias, eps, normalise)
    if x.dim() > 2:  # every axis but the features: BatchNorm's statistics, taken over all the tokens
        suspects.append(
            (
                normalise(tuple(range(x.dim() - 1))) * weight + bias,
                "this normalises each feature over all the tokens (every axis but the last): that is "
                "BatchNorm's axes; LayerNorm normalises each token over its own D features, the last axis",
            )
        )
    for axis in range(x.dim() - 1):
        suspects.append(
            (
                normalise((axis,)) * weight + bias,
                f"this normalises over axis {axis}; LayerNorm normalises each token over its D features, the last axis",
            )
        )
    return suspects


def _layer_norm_formula_suspects(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    eps: float,
    normalise: Callable[..., torch.Tensor],
) -> list[tuple[torch.Tensor, str]]:
    """Slips in the variance, the axes, the scale and shift, eps and the centring."""
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return [
        (
            normalise((-1,), unbiased=True) * weight + bias,
            "this uses the sample variance (dividing by D - 1); LayerNorm divides by D, the population variance",
        ),
        (
            normalise(tuple(range(x.dim()))) * weight + bias,
            "this normalises over the whole tensor; LayerNorm normalises each token on its own, over its D features",
        ),
        (normalise((-1,)), "the learnable scale (weight) and shift (bias) are missing"),
        (normalise((-1,)) * weight, "the shift (bias) is missing"),
        (normalise((-1,)) + bias, "the scale (weight) is missing"),
        (
            (x - mean) / (torch.sqrt(var) + eps) * weight + bias,
            "eps is in the wrong place: nn.LayerNorm adds it to the variance",
        ),
        (
            (x - mean) / torch.sqrt(var) * weight + bias,
            "eps is missing: nn.LayerNorm divides by sqrt(var + eps), which also keeps a constant token from "
            "dividing by zero",
        ),
        (
            (x - mean) / torch.sqrt(var + eps**2) * weight + bias,
            "eps is squared: nn.LayerNorm adds eps itself to the variance, sqrt(var + eps)",
        ),
        (normalise((-1,), centre=False) * weight + bias, "the numerator is not centred: subtract the mean first"),
        ((x - mean / torch.sqrt(var + eps)) * weight + bias, "mind the parentheses: only the mean is divided"),
    ]


def _layer_norm_mean_suspects(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    eps: float,
    normalise: Callable[..., torch.Tensor],
) -> list[tuple[torch.Tensor, str]]:
    """Slips that normalise the mean itself, or use std + eps, or shift before scaling."""
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return [
        (
            (x - mean) / (x.std(-1, keepdim=True) + eps) * weight + bias,
            "this is the Annotated Transformer's LayerNorm, (x - mean) / (std + eps): x.std() divides by D - 1, "
            "and eps is added to the std; nn.LayerNorm uses the population variance and adds eps inside the root",
        ),
        (
            weight * mean / (x.std(-1, keepdim=True) + eps) + bias,
            "the numerator is the mean itself: normalise x - mean, not the mean (and nn.LayerNorm uses "
            "sqrt(population variance + eps), not std + eps)",
        ),
        (
            weight * mean / (torch.sqrt(var) + eps) + bias,
            "the numerator is the mean itself: normalise x - mean, not the mean",
        ),
        (
            weight * mean / torch.sqrt(var + eps) + bias,
            "the numerator is the mean itself: normalise x - mean, not the mean",
        ),
        (
            (normalise((-1,)) + bias) * weight,
            "the shift comes before the scale: scale by weight first, then add bias",
        ),
        (
            normalise((-1,)) * bias + weight,
            "weight and bias are swapped: multiply by weight (the scale), then add bias (the shift)",
        ),
    ]


def _keepdim_hint(error: Exception) -> str | None:
    """A mean or variance without ``keepdim=True`` no longer lines up with ``x`` (a broadcasting error)."""
    if isinstance(error, RuntimeError) and "must match the size" in str(error):
        return (
            "A mean or variance taken over the last axis without keepdim=True has lost that axis, so it no longer "
            "lines up with x: keep it with keepdim=True (shape (..., 1))"
        )
    return None


def check_layer_norm(layer_norm: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, float], torch.Tensor]) -> None:
    """``layer_norm(x, weight, bias, eps)`` over the last axis must equal ``nn.LayerNorm`` on random inputs."""
    generator = torch.Generator().manual_seed(4)
    cases = [((2, 5, 16), 1e-6), ((6, 8), 0.5)]  # a large eps shows where eps goes
    for shape, eps in cases:
        x = 3 * torch.randn(shape, dtype=torch.float64, generator=generator) + 2
        x = x + torch.randn(*shape[:-1], 1, dtype=torch.float64, generator=generator)  # each token its own mean
        weight = 1 + 0.5 * torch.randn(shape[-1], dtype=torch.float64, generator=generator)
        bias = torch.randn(shape[-1], dtype=torch.float64, generator=generator)
        reference = _layer_norm_reference(x, weight, bias, eps)
        result = _NO_LAYER_NORM(layer_norm, x.clone(), weight.clone(), bias.clone(), eps, hint=_keepdim_hint)
        out = _same_shape(f"layer_norm on a {shape} input", result, reference)
        if _within_promise(out, reference):
            continue
        # several slips can lie within the tolerance of an answer (eps = 1e-6 is small): name the closest
        matches = [
            (max_difference(out, candidate), message)
            for candidate, message in _layer_norm_suspects(x, weight, bias, eps)
            if _within_promise(out, candidate)
        ]
        if matches:
            fail(f"{min(matches, key=lambda match: match[0])[1]} (input shape {shape}, eps={eps})")
        fail(f"differs from nn.LayerNorm by up to {max_difference(out, reference):.3g} (input {shape}, eps={eps})")
    passed("your LayerNorm equals nn.LayerNorm on (2, 5, 16) and (6, 8) inputs (to 1e-6).")


# --- Exercise 4: the pre-norm block from its parts ------------------------------------------------


@torch.no_grad()
def _block_suspects(block: Block, x: torch.Tensor, reference: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Plausible wrong blocks built from the same parts, each with the message that names the slip."""
    n1, attn, n2, mlp = block.norm1, block.attn, block.norm2, block.mlp
    after_attn = x + attn(n1(x))
    post_norm = n1(x + attn(x))
    normalised_stream = n2(n1(x) + attn(n1(x)))
    suspects = [
        (
            n2(post_norm + mlp(post_norm)),
            "this is post-norm (the 2017 Transformer: norm(x + branch(x))); ViT "
            "normalises each branch's input instead, x + branch(norm(x))",
        ),
        (
            n2(n1(x + attn(n1(x))) + mlp(n2(n1(x + attn(n1(x)))))),
            "this normalises each branch's input AND the sum after each residual (a post-norm block that also "
            "pre-normalises); ViT only normalises each branch's input, x + branch(norm(x)), and leaves the "
            "stream alone",
        ),
        (mlp(n2(attn(n1(x)))), "the residual connections are missing: each branch's output is ADDED to x"),
        (after_attn + mlp(n2(attn(n1(x)))), "the MLP branch should read the stream after attention was added"),
        (mlp(n2(after_attn)), "the second residual connection (around the MLP) is missing"),
        (attn(n1(x)) + mlp(n2(attn(n1(x)))), "the first residual connection (around attention) is missing"),
        (x + attn(n1(x)) + mlp(n2(x)), "both branches read the same x: the MLP should read x after attention"),
        (
            normalised_stream + mlp(normalised_stream),
            "the residual stream itself is normalised: only the branches' inputs go through a LayerNorm",
        ),
        (after_attn + mlp(n1(after_attn)), "the MLP branch uses norm1; it has its own LayerNorm, norm2"),
        (
            x + mlp(n2(after_attn)),
            "the MLP's output is added to the original x: add it to the stream after attention, "
            "h = x + attn(norm1(x)), then h + mlp(norm2(h)); as written, attention's contribution is lost",
        ),
        (after_attn, "the MLP branch is missing: after attention, add mlp(norm2(h)) to the stream h"),
        (x + mlp(n2(x)), "the attention branch is missing: first x + attn(norm1(x)), then the MLP branch"),
    ]
    suspects += _block_wiring_suspects(block, x)
    for norm_name, norm in (("norm2", n2), ("norm1", n1)):
        suspects.append(
            (
                norm(reference),
                f"an extra LayerNorm ({norm_name}) at the end: the block's output is the stream itself; "
                "the encoder normalises only once, after the last block",
            )
        )
    return suspects


@torch.no_grad()
def _block_wiring_suspects(block: Block, x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Wrong blocks that swap the norms, run the MLP first, or add the branch to the normalised x."""
    n1, attn, n2, mlp = block.norm1, block.attn, block.norm2, block.mlp
    swapped = x + attn(n2(x))
    mlp_first = x + mlp(n2(x))
    normalised_residual = n1(x) + attn(n1(x))  # the residual adds the normalised x, not the stream
    norm2_twice = x + attn(n2(x))
    return [
        (
            norm2_twice + mlp(n2(norm2_twice)),
            "norm2 is used twice: the attention branch reads norm1(x), the MLP branch norm2(h); "
            "each branch has its own LayerNorm",
        ),
        (
            swapped + mlp(n1(swapped)),
            "norm1 and norm2 are swapped: norm1 belongs to the attention branch, norm2 to the MLP branch",
        ),
        (mlp_first + attn(n1(mlp_first)), "the MLP runs before attention: attention comes first, then the MLP"),
        (
            mlp_first + attn(n2(mlp_first)),
            "the MLP runs before attention: attention (with norm1) comes first, then the MLP (with norm2)",
        ),
        (
            normalised_residual + mlp(n2(normalised_residual)),
            "the residual adds the normalised x: add the branch to the stream x itself, x + attn(norm1(x)), "
            "not to norm1(x)",
        ),
        (
            n2(normalised_residual) + mlp(n2(normalised_residual)),
            "the residual adds the normalised x: add each branch to the stream itself, x + attn(norm1(x)), "
            "not to the LayerNorm's output",
        ),
    ]


def check_pre_norm_block(pre_norm_block: Callable[[torch.Tensor, Block], torch.Tensor]) -> None:
    """``pre_norm_block(x, block)``, built from ``block.norm1/attn/norm2/mlp``, must equal ``block(x)``."""
    with torch.random.fork_rng(devices=[]):  # leave the notebook's random state as it was
        torch.manual_seed(4)
        block = Block(32, 4, 64).double().eval()
        with torch.no_grad():  # LayerNorms that are not the identity, so every mistake shows
            for norm in (block.norm1, block.norm2):
                norm.weight.add_(0.5 * torch.randn_like(norm.weight))
                norm.bias.add_(0.5 * torch.randn_like(norm.bias))
        x = 2 * torch.randn(2, 7, 32, dtype=torch.float64) + 1
    with torch.no_grad():
        reference = block(x)
        suspects = _block_suspects(block, x, reference)
    with torch.no_grad():
        out = _same_shape("pre_norm_block(x, block)", _NO_BLOCK_CALL(pre_norm_block, x.clone(), block), reference)
    if not _within_promise(out, reference):
        for candidate, message in suspects:
            if _within_promise(out, candidate):
                fail(message)
        fail(f"differs from Block's output by up to {max_difference(out, reference):.3g}")
    passed("your pre-norm block equals Block: x + attn(norm1(x)), then x + mlp(norm2(x)).")

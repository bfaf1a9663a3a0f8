"""Checkers for lesson 04 (the GELU MLP and the block).

Each checker runs the learner's function on fixed, seeded inputs, compares the result with a
trusted reference (``F.gelu``, ``nn.LayerNorm``, a parallel block built from a real
:class:`~vit_explained.Block`'s parts) and names the most likely mistake when they differ; DropPath,
which is random, is checked by its properties (one coin per sample, the survivors rescaled, the
identity in eval) on many samples.
"""

from __future__ import annotations

import ast
import functools
import inspect
import math
import os
import re
import textwrap
from collections.abc import Callable
from typing import NoReturn

import torch
import torch.nn.functional as F
from torch import nn

from .. import mlp
from ..block import Block
from . import ExerciseFailed, as_int, as_tensor, attempt, close, fail, forbid, max_difference, passed

#: Exercise 3: mean, var or arithmetic, not torch's normalisation functions (nor nn.LayerNorm, which calls them).
_NO_LAYER_NORM = forbid(
    F.layer_norm, F.group_norm, F.instance_norm, F.batch_norm, reason="LayerNorm from mean and variance"
)

#: Exercise 4: the parallel block from its parts; ``block(x)`` runs the sequential Block.forward.
_NO_BLOCK_CALL = forbid(Block.forward, reason="the parallel block from its parts (block.norm1, block.attn, block.mlp)")

#: Exercise 5: the post-norm block from its parts; ``block(x)`` runs the pre-norm Block.forward (refused in
#: :func:`check_post_norm_block`, with PostNormBlock.forward, the check's reference).
_BLOCK_CALL_MESSAGE = (
    "don't call block(x): write the post-norm order yourself, with block.norm1, block.attn, block.norm2 and "
    "block.mlp (block(x) runs the pre-norm order)"
)


def _same_shape(name: str, result: object, reference: torch.Tensor) -> torch.Tensor:
    result = as_tensor(result, name)
    if result.shape != reference.shape:
        fail(f"{name} should keep the input's shape {tuple(reference.shape)}, got {tuple(result.shape)}")
    return result


def _one_value(answer: Callable[..., object], call: str) -> Callable[..., object]:
    """``answer`` with a named refusal of a result wrapped in a 1-tuple or 1-list (``return y,``, ``return (y,)``).

    Without it a tuple of one tensor becomes a tensor with an extra leading axis of 1 and gets a shape message
    that blames the wrong thing. A non-callable is passed through for ``attempt`` to name.
    """
    if not callable(answer):
        return answer

    @functools.wraps(answer)
    def call_once(*args: object, **kwargs: object) -> object:
        result = answer(*args, **kwargs)
        if result is None:
            fail(f"{call} returned None (a missing `return`?): return the value your function computes")
        if isinstance(result, torch.Size):  # a tuple too: name it before the 1-tuple check (review r33c minor 3)
            fail(f"{call} returned a shape (a torch.Size, as x.shape), not values: return the tensor you computed")
        if isinstance(result, (tuple, list)) and len(result) == 1:
            kind = "a tuple" if isinstance(result, tuple) else "a list"
            slip = "`return y,` (a trailing comma) or `return (y,)`" if kind == "a tuple" else "`return [y]`"
            fail(f"{call} returned {kind} holding one value, as {slip} makes: return the value itself")
        return result

    return call_once


def _within_promise(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Within 1e-6 (the lesson's promise), or float32 precision for a float32 answer."""
    return close(a, b, atol=1e-6, rtol=1e-5) if a.dtype == torch.float64 else close(a, b)


# --- precision, for every tensor answer ----------------------------------------------------------


def _no_half_precision(out: torch.Tensor, given: str) -> None:
    """A float16 or bfloat16 answer keeps 3 or 2 significant digits: it cannot be right to 1e-6; a float32
    answer to a float64 x (after ``x.float()``, or a torch.tensor of Python numbers) breaks the statement's
    "in x's own dtype"."""
    if out.dtype in (torch.float16, torch.bfloat16):
        digits = "3" if out.dtype == torch.float16 else "2"
        fail(
            f"given a {given} x, your function returns {str(out.dtype).replace('torch.', '')}, which keeps only "
            f"about {digits} significant digits: compute in x's own dtype (float32 or better; no .half() or "
            ".bfloat16())"
        )
    if given == "float64" and out.dtype == torch.float32:  # (a float64 answer to a float32 x loses nothing)
        fail(
            "your result is float32; keep x's dtype (given a float64 x, float32 keeps about 7 significant digits "
            "instead of 16: compute in x's own dtype, no .float() or torch.float32 on the way; "
            "`torch.tensor(...)` defaults to float32: pass dtype=x.dtype)"
        )


# --- Exercise 4: the parallel block (GPT-J, PaLM, ViT-22B) -------------------------------------


def _parallel_reference(block: Block, x: torch.Tensor) -> torch.Tensor:
    h = block.norm1(x)
    return x + block.attn(h) + block.mlp(h)


def _parallel_norm_suspects(block: Block, x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Wrong parallel blocks, first part: the sequential block, or a branch reading the wrong norm."""
    n1, attn, n2, mlp = block.norm1, block.attn, block.norm2, block.mlp
    after_attn = x + attn(n1(x))
    return [
        (
            after_attn + mlp(n2(after_attn)),
            "this is the sequential block of section 5 (the MLP reads the stream after attention); in the "
            "parallel block both branches read the same norm1(x)",
        ),
        (
            after_attn + mlp(n1(after_attn)),
            "the MLP reads the stream after attention: in the parallel block both branches read the same norm1(x)",
        ),
        (
            x + attn(n1(x)) + mlp(n2(x)),
            "the MLP branch reads norm2(x): the parallel block normalises once, and both branches read that "
            "same norm1(x) (norm2 is not used)",
        ),
        (
            x + attn(n2(x)) + mlp(n2(x)),
            "both branches read norm2(x): the block's first LayerNorm, norm1, is the one to share",
        ),
        (
            x + attn(n1(x))[0] + mlp(n1(x)),
            "block.attn(h) returns one tensor, not (out, weights) as nn.MultiheadAttention does: [0] takes the "
            "first image's output only; use block.attn(h) whole",
        ),
        (
            x + attn(n2(x)) + mlp(n1(x)),
            "the two branches' norms are crossed: attention reads norm2(x) and the MLP norm1(x); in the parallel "
            "block both branches read the same h = norm1(x) (norm2 is not used)",
        ),
    ]


def _parallel_wiring_suspects(block: Block, x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Wrong parallel blocks, second part: a missing or doubled residual, a raw or twice-normalised input, a
    missing branch."""
    n1, attn, mlp = block.norm1, block.attn, block.mlp
    return [
        (attn(n1(x)) + mlp(n1(x)), "the residual connection is missing: add both branches to x itself"),
        (
            2 * x + attn(n1(x)) + mlp(n1(x)),
            "x is added twice ((x + attn) + (x + mlp)): there is one stream and two branches, x + attn(h) + mlp(h)",
        ),
        (
            n1(x) + attn(n1(x)) + mlp(n1(x)),
            "the residual adds the normalised x: add the branches to the stream x itself, not to norm1(x)",
        ),
        (x + attn(x) + mlp(x), "the branches read x without its LayerNorm: both read h = norm1(x)"),
        (
            x + attn(n1(x)) + mlp(x),
            "the MLP branch reads the raw x, without a LayerNorm: both branches read the same h = norm1(x)",
        ),
        (
            x + attn(x) + mlp(n1(x)),
            "the attention branch reads the raw x, without a LayerNorm: both branches read the same h = norm1(x)",
        ),
        *[
            (
                x + attn(a) + mlp(m),
                "norm1 applied twice (norm1(norm1(x))): normalise once, h = norm1(x), and both branches read h",
            )
            for a, m in ((n1(n1(x)), n1(n1(x))), (n1(n1(x)), n1(x)), (n1(x), n1(n1(x))))
        ],
        (
            n1(x + attn(x) + mlp(x)),
            "this normalises the sum (post-norm); the parallel block normalises the branches' input, "
            "h = norm1(x), and leaves the stream alone",
        ),
        (x + attn(n1(x)), "the MLP branch is missing: x + attn(h) + mlp(h)"),
        (x + mlp(n1(x)), "the attention branch is missing: x + attn(h) + mlp(h)"),
        (x + 2 * attn(n1(x)), "attn is added twice and mlp's term is missing: x + attn(h) + mlp(h)"),
        (x + 2 * mlp(n1(x)), "mlp is added twice and attn's term is missing: x + attn(h) + mlp(h)"),
    ]


def _parallel_sequence_suspects(
    block: Block, x: torch.Tensor, reference: torch.Tensor
) -> list[tuple[torch.Tensor, str]]:
    """Wrong parallel blocks, second part: averaged or chained branches, a fresh LayerNorm, an extra one at the end."""
    n1, attn, n2, mlp = block.norm1, block.attn, block.norm2, block.mlp
    return [
        (
            x + (attn(n1(x)) + mlp(n1(x))) / 2,
            "the branches are averaged: add both, x + attn(h) + mlp(h), as the sequential block adds each",
        ),
        (
            x + mlp(n1(x)) + attn(n1(x + mlp(n1(x)))),
            "this runs the MLP first and attention after it (sequentially): in the parallel block both branches "
            "read the same norm1(x) and both are added to x",
        ),
        (
            x + mlp(n2(x)) + attn(n1(x + mlp(n2(x)))),
            "this runs the MLP first and attention after it (sequentially): in the parallel block both branches "
            "read the same norm1(x) and both are added to x",
        ),
        (
            x + attn(n1(x)) + mlp(attn(n1(x))),
            "the MLP reads attention's output: in the parallel block both branches read the same h = norm1(x)",
        ),
        *[
            (
                x + attn(F.layer_norm(x, x.shape[-1:], eps=eps)) + mlp(F.layer_norm(x, x.shape[-1:], eps=eps)),
                "this normalises with a fresh LayerNorm (weight 1, bias 0), not the block's own norm1, whose "
                "weight and bias are learned: use h = block.norm1(x)",
            )
            for eps in (n1.eps, 1e-5)
        ],
        (
            (lambda a: a + mlp(n1(a)))(x + attn(n2(x))),
            "this is the sequential block with its norms swapped (attention reads norm2, the MLP norm1); in the "
            "parallel block both branches read the same norm1(x)",
        ),
        (
            (lambda a: a + attn(n2(a)))(x + mlp(n1(x))),
            "this runs the MLP first (on norm1) and attention after it (on norm2), sequentially: in the parallel "
            "block both branches read the same norm1(x) and both are added to x",
        ),
        (
            (lambda a: n2(a + mlp(a)))(n1(x + attn(x))),
            "this is the post-norm sequential block of the original Transformer (normalise after each residual "
            "add); the parallel block normalises the branches' input once, h = norm1(x), and adds both to x",
        ),
        *[
            (
                F.layer_norm(reference, x.shape[-1:], eps=eps),
                "an extra LayerNorm at the end (a fresh F.layer_norm): the block's output is the stream itself",
            )
            for eps in (n1.eps, 1e-5)
        ],
        (n2(reference), "an extra LayerNorm at the end: the block's output is the stream itself"),
        (n1(reference), "an extra LayerNorm at the end: the block's output is the stream itself"),
    ]


@torch.no_grad()
def _parallel_suspects(block: Block, x: torch.Tensor, reference: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Plausible wrong parallel blocks built from the same parts, each with the message that names the slip."""
    return (
        _parallel_norm_suspects(block, x)
        + _parallel_wiring_suspects(block, x)
        + _parallel_sequence_suspects(block, x, reference)
    )


def _parallel_cases() -> list[tuple[Block, torch.Tensor]]:
    """Two fixed blocks and inputs ((2, 7, 32), 4 heads; (3, 5, 48), 6 heads, small tokens so that a LayerNorm's eps
    shows) and one drawn on each call from a generator seeded by the OS, so no reshape can be hard-coded."""
    generator = torch.Generator().manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)
    heads, width = (int(torch.randint(1, 5, (1,), generator=generator)) for _ in range(2))
    batch, tokens = (int(torch.randint(1, 6, (1,), generator=generator)) for _ in range(2))
    cases = []
    with torch.random.fork_rng(devices=[]):  # leave the notebook's random state as it was
        for seed, (dim, head_count, shape, scale) in enumerate(
            [(32, 4, (2, 7, 32), 2.0), (48, 6, (3, 5, 48), 0.02), (heads * 4 * width, heads, None, 1.0)]
        ):
            torch.manual_seed(4 + seed)
            block = Block(dim, head_count, 2 * dim + 8).double().eval()
            with torch.no_grad():  # LayerNorms that are not the identity (and differ), so every mistake shows
                for norm in (block.norm1, block.norm2):
                    norm.weight.add_(0.5 * torch.randn_like(norm.weight))
                    norm.bias.add_(0.5 * torch.randn_like(norm.bias))
            shape = shape or (batch, tokens + 1, dim)
            cases.append((block, scale * torch.randn(*shape, dtype=torch.float64) + 0.5 * scale))
    return cases


def _parallel_eps_suspect(block: Block, x: torch.Tensor) -> torch.Tensor:
    """norm1 by F.layer_norm with its default eps, 1e-5, where the block's norm uses 1e-6."""
    h = F.layer_norm(x, x.shape[-1:], block.norm1.weight, block.norm1.bias)
    return x + block.attn(h) + block.mlp(h)


def check_parallel_block(parallel_block: Callable[[torch.Tensor, Block], torch.Tensor]) -> None:
    """``parallel_block(x, block)`` must equal ``x + attn(norm1(x)) + mlp(norm1(x))`` with ``block``'s parts,
    on two fixed blocks and one drawn at random on each call."""
    parallel_block = _one_value(parallel_block, "parallel_block(x, block)")
    for block, x in _parallel_cases():
        with torch.no_grad():
            reference = _parallel_reference(block, x)
            suspects = _parallel_suspects(block, x, reference)
            eps_slip = _parallel_eps_suspect(block, x)
            given = x.clone()  # the caller's tensor, looked at again after the call
            result = _NO_BLOCK_CALL(parallel_block, given, block)
        if not torch.equal(given, x):
            fail(
                "your function changed its input x in place (an in-place operation such as x.add_(...) or "
                "x += attn): the caller's x is gone; return a new tensor (x + attn + mlp) and leave x as it was"
            )
        if isinstance(result, tuple) and len(result) == 2 and getattr(result[1], "dim", lambda: 0)() == 4:
            fail(
                "your function returned a pair whose second part is (B, heads, N, N): attn returned (output, "
                "weights) because it was asked for its weights; call block.attn(h) with h only"
            )
        out = _same_shape(f"parallel_block on a {tuple(x.shape)} input", result, reference)
        _no_half_precision(out, "float64")  # x is float64: the answer keeps its dtype (as in exercises 1 and 3)
        if not _within_promise(out, reference):
            if _within_promise(out, eps_slip):
                fail(
                    f"differs by ~{max_difference(out, reference):.0e}: the block's LayerNorm uses "
                    f"eps={block.norm1.eps:g}, F.layer_norm's default is 1e-5; call block.norm1(x) itself"
                )
            if _within_promise(out, x):
                fail("your block returns x: the branches are missing; add both, x + attn(h) + mlp(h) with h = norm1(x)")
            for candidate, message in suspects:
                if _within_promise(out, candidate):
                    fail(message)
            fail(f"differs from x + attn(norm1(x)) + mlp(norm1(x)) by up to {max_difference(out, reference):.3g}")
    passed(
        "your parallel block equals x + attn(h) + mlp(h) with h = norm1(x), as in GPT-J and ViT-22B, on three "
        "blocks (one drawn at random)."
    )


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
    scaled = x * weight + bias  # the affine step first, then the normalisation
    suspects.append(
        (
            (scaled - scaled.mean(-1, keepdim=True)) / torch.sqrt(scaled.var(-1, keepdim=True, unbiased=False) + eps),
            "weight and bias are applied before normalising: LayerNorm normalises first, (x - mean) / sqrt(var + eps), "
            "and only then multiplies by weight and adds bias",
        )
    )
    suspects += _layer_norm_mean_suspects(x, weight, bias, eps, normalise)
    suspects.append(
        (
            (x - x.mean(-1, keepdim=True)) / (x.var(-1, keepdim=True, unbiased=False) + eps) * weight + bias,
            "this divides by the variance, var + eps; LayerNorm divides by its square root, sqrt(var + eps)",
        )
    )
    suspects.append(
        (
            x / torch.sqrt((x**2).mean(-1, keepdim=True) + eps) * weight + bias,
            "this is RMSNorm, x / sqrt(mean(x^2) + eps): it neither subtracts the mean nor uses the variance; "
            "LayerNorm centres first, (x - mean) / sqrt(var + eps)",
        )
    )
    if x.dim() > 2:  # a whole sample's tokens together
        suspects.append(
            (
                normalise((-2, -1)) * weight + bias,
                "this normalises over the last two axes (N, D), all of a sample's tokens together; LayerNorm "
                "normalises each token on its own, over its D features: dim=-1 only",
            )
        )
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


_BUG_A = "the numerator is not centred (the lesson's bug a): subtract the mean first"


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
        *_eps_outside_suspects(x, weight, bias, eps),
        (
            (x - mean) / torch.sqrt(var) * weight + bias,
            "eps is missing: nn.LayerNorm divides by sqrt(var + eps), which also keeps a constant token from "
            "dividing by zero",
        ),
        *_fixed_eps_suspects(x, weight, bias, eps),
        (
            (x - mean) / torch.sqrt((x**2).mean(-1, keepdim=True) + eps) * weight + bias,
            "the variance is not centred: mean(x**2) is the mean square; the variance is the mean of "
            "(x - mean)**2 (x.var(dim=-1, unbiased=False))",
        ),
        (
            (x - mean) / torch.sqrt(var + eps**2) * weight + bias,
            "eps is squared: nn.LayerNorm adds eps itself to the variance, sqrt(var + eps)",
        ),
        (normalise((-1,), centre=False) * weight + bias, _BUG_A),
        (
            (x - mean / torch.sqrt(var + eps)) * weight + bias,
            "mind the parentheses: only the mean is divided (the lesson's bug b): check what the division applies to",
        ),
        (
            x - mean / torch.sqrt(var + eps) * weight + bias,
            "mind the parentheses: only the mean is divided (the lesson's bug b), and the scale then multiplies only "
            "that part: check what the division and the scale apply to",
        ),
        *[
            (
                (x - spread) / torch.sqrt(x.mean(-1, keepdim=True) + eps) * weight + bias,
                "mean and variance are swapped: torch.var_mean returns (var, mean), in that order, so write "
                "var, mean = torch.var_mean(x, dim=-1, keepdim=True, correction=0)",
            )
            for spread in (var, x.var(-1, keepdim=True, unbiased=True))
        ],
    ]


def _eps_outside_suspects(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float
) -> list[tuple[torch.Tensor, str]]:
    """eps added to the standard deviation, as itself or as its root: sqrt(var) + eps, sqrt(var) + sqrt(eps)."""
    mean, spread = x.mean(-1, keepdim=True), x.var(-1, keepdim=True, unbiased=False).sqrt()
    message = "eps is in the wrong place: nn.LayerNorm adds it to the variance, inside the root: sqrt(var + eps)"
    return [((x - mean) / (spread + added) * weight + bias, message) for added in (eps, math.sqrt(eps))]


def _fixed_eps_suspects(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float
) -> list[tuple[torch.Tensor, str]]:
    """A hard-coded eps (nn.LayerNorm's default 1e-5, ViT's 1e-6, ...) instead of the ``eps`` argument."""
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return [
        (
            (x - mean) / torch.sqrt(var + fixed) * weight + bias,
            f"use the eps argument, not a fixed value: your output matches a fixed small eps (e.g. {fixed:g}), "
            f"but this call passed eps = {eps:g}",
        )
        for fixed in (1e-5, 1e-6, 1e-8, 1e-12, 1e-3)
        if fixed != eps
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
            "you added the shift before scaling: LayerNorm scales by weight, then adds bias",
        ),
        (
            normalise((-1,)) * bias + weight,
            "weight and bias are swapped: multiply by weight (the scale), then add bias (the shift)",
        ),
    ]


def _keepdim_hint(error: Exception, shape: tuple[int, ...] | None = None) -> str | None:
    """A mean or variance without ``keepdim=True`` no longer lines up with ``x`` (a broadcasting error);
    a hard-coded axis number (``dim=2``) does not exist on a 2-D input. When the sizes that clash are D against N
    on the last axis (``x`` of ``shape`` against its statistics of shape (..., N)), keepdim alone is named."""
    if isinstance(error, IndexError) and "Dimension out of range" in str(error):
        return (
            "A fixed axis number (such as dim=2) names the last axis only for inputs with that many dimensions; "
            "this input is (6, 8): x is (..., D), so take the statistics over dim=-1"
        )
    if isinstance(error, RuntimeError) and "must match the size" in str(error):
        sizes = re.search(r"tensor a \((\d+)\).*tensor b \((\d+)\) at non-singleton dimension (\d+)", str(error))
        if shape is not None and len(shape) > 1 and sizes:
            a, b, axis = (int(group) for group in sizes.groups())
            if {a, b} == {shape[-1], shape[-2]} and axis == len(shape) - 1:
                return (
                    "Two tensors do not line up: a mean or variance without keepdim=True has lost the last axis "
                    "(keep it: shape (..., 1))"
                )
        return (
            "Two tensors do not line up: a mean or variance without keepdim=True has lost the last axis (keep "
            "it: shape (..., 1)). Or weight or bias was reshaped (weight[:, None] is (D, 1)): leave both (D,)"
        )
    return None


def _fixed_width_suspects(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float, width: int
) -> list[torch.Tensor]:
    """A constant D (e.g. ``x.sum(-1) / 16``) in the mean, the variance or both, for an input of another D."""
    true_mean = x.mean(-1, keepdim=True)
    suspects = []
    for fixed_mean, fixed_var in ((True, True), (True, False), (False, True)):
        mean = x.sum(-1, keepdim=True) / width if fixed_mean else true_mean
        squares = (x - mean) ** 2
        var = squares.sum(-1, keepdim=True) / width if fixed_var else squares.mean(-1, keepdim=True)
        suspects.append((x - mean) / torch.sqrt(var + eps) * weight + bias)
    return suspects


def _same_with_nans(out: torch.Tensor, candidate: torch.Tensor) -> bool:
    """Within the promise, NaN where the candidate is NaN (a slip that takes the root of a negative number)."""
    nans = candidate.isnan()
    if not torch.equal(out.isnan(), nans):
        return False
    return _within_promise(out.masked_fill(nans, 0), candidate.masked_fill(nans, 0))


def check_layer_norm(layer_norm: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, float], torch.Tensor]) -> None:
    """``layer_norm(x, weight, bias, eps)`` over the last axis must equal ``nn.LayerNorm`` on random inputs."""
    layer_norm = _one_value(layer_norm, "layer_norm(x, weight, bias, eps)")
    generator = torch.Generator().manual_seed(4)
    cases = [((2, 5, 16), 1e-6), ((6, 8), 0.5)]  # a large eps shows where eps goes
    for shape, eps in cases:
        x = 3 * torch.randn(shape, dtype=torch.float64, generator=generator) + 2
        x = x + torch.randn(*shape[:-1], 1, dtype=torch.float64, generator=generator)  # each token its own mean
        weight = 1 + 0.5 * torch.randn(shape[-1], dtype=torch.float64, generator=generator)
        bias = torch.randn(shape[-1], dtype=torch.float64, generator=generator)
        reference = _layer_norm_reference(x, weight, bias, eps)
        given = x.clone()  # the caller's tensor, looked at again after the call
        hint = functools.partial(_keepdim_hint, shape=shape)
        try:
            result = _NO_LAYER_NORM(layer_norm, given, weight.clone(), bias.clone(), eps, hint=hint)
        except ExerciseFailed as error:
            if str(error).endswith("your function called torch.nn.functional.layer_norm"):
                raise ExerciseFailed(f"{error} (nn.LayerNorm calls it)") from None
            raise
        if not torch.equal(given, x):
            fail(
                "your function changed its input x in place (an in-place operation such as x.sub_(...) or "
                "x -= mean): the caller's x is gone; compute on new tensors (x - mean) and leave x as it was"
            )
        out = _same_shape(f"layer_norm on a {shape} input", result, reference)
        _no_half_precision(out, "float64")
        if _within_promise(out, reference):
            continue
        # several slips can lie within the tolerance of an answer (eps = 1e-6 is small): name the closest
        matches = [
            (max_difference(out.nan_to_num(), candidate.nan_to_num()), message)
            for candidate, message in _layer_norm_suspects(x, weight, bias, eps)
            if _same_with_nans(out, candidate)
        ]
        if matches:
            fail(f"{min(matches, key=lambda match: match[0])[1]} (input shape {shape}, eps={eps})")
        if shape[-1] != 16 and any(_same_with_nans(out, c) for c in _fixed_width_suspects(x, weight, bias, eps, 16)):
            fail(
                f"your mean or variance divides by a constant 16 (the first input's D), not by this input's D = "
                f"{shape[-1]}: use x.shape[-1], or .mean(-1) and .var(-1, unbiased=False) (input shape {shape})"
            )
        if out.isnan().any():
            fail(f"your output holds NaN (a square root of a negative number?) (input shape {shape}, eps={eps})")
        fail(f"differs from nn.LayerNorm by up to {max_difference(out, reference):.3g} (input {shape}, eps={eps})")
    passed("your LayerNorm equals nn.LayerNorm on (2, 5, 16) and (6, 8) inputs (to 1e-6).")


# --- Exercise 6: DropPath (per-sample stochastic depth) -------------------------------------------

_DROP_SAMPLES = 4000  # enough samples that a drop rate is known to about +-0.7 points (one standard error)


_MASK_HINT = (
    "A mask of shape (B,) or (B, 1) lines up with x's last axes, not its batch axis (broadcasting starts from the "
    "right): align the mask with the batch axis"
)


_BATCH_HINT = "The mask's batch size is hard-coded (the check starts with 7 samples): build it from x.shape[0]"


def _mask_hint(error: Exception) -> str | None:
    if isinstance(error, RuntimeError) and "must match the size" in str(error):
        return _BATCH_HINT if str(error).rstrip().endswith("non-singleton dimension 0") else _MASK_HINT
    return None


def _drop_path_call(drop_path: Callable[..., torch.Tensor], x: torch.Tensor, p: float, training: bool, seed: int):
    with torch.random.fork_rng(devices=[]):  # the learner's torch.rand draws from a seeded, private state
        torch.manual_seed(seed)
        given = x.clone()  # the caller's tensor, looked at again after the call
        result = attempt(drop_path, given, p, training, hint=_mask_hint)
    if not torch.equal(given, x):
        fail(
            "your function changed its input x in place (an in-place operation such as x.mul_(...) or "
            "x *= mask): the caller's x is gone; return a new tensor; do not modify x in place"
        )
    out = _same_shape(f"drop_path(x, p={p}, training={training}) on a {tuple(x.shape)} input", result, x)
    _no_half_precision(out, str(x.dtype).replace("torch.", ""))  # keep x's dtype (as in exercises 1 and 3)
    return out


def _check_small_shapes(drop_path: Callable[..., torch.Tensor]) -> None:
    """Run on small inputs first: a mask hard-coded as (B, 1, 1) broadcasts a 2-D x of 4,000 samples into a
    (4000, 4000, D) tensor, gigabytes, before any shape check could see it; on 7 samples it is tiny."""
    generator = torch.Generator().manual_seed(7)
    for shape in ((7, 3, 5), (7, 6), (7, 2, 3, 4)):
        x = torch.rand(shape, dtype=torch.float64, generator=generator) + 0.5
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            result = as_tensor(attempt(drop_path, x.clone(), 0.5, True, hint=_mask_hint), "drop_path(x, p, training)")
        if result.dim() > x.dim():
            fail(
                f"on a {shape} input your output has shape {tuple(result.shape)}: the mask's shape is hard-coded "
                "for another number of axes (such as (B, 1, 1)), and broadcasting grew x; the mask needs one entry per "
                "sample and as many axes as x"
            )
        _same_shape(f"drop_path(x, p=0.5, training=True) on a {shape} input", result, x)


def _dropped_count(out: torch.Tensor) -> int:
    values = as_tensor(out)
    return int((values.reshape(values.shape[0], -1) == 0).all(dim=1).sum())


def _per_sample_factors(out: torch.Tensor, x: torch.Tensor, p: float) -> torch.Tensor:
    """The factor each sample was multiplied by; fails if a sample's entries got different factors."""
    ratio = out.detach().to(torch.float64) / x  # x has no zeros
    if not ratio.isfinite().all():
        fail(f"with p = {p}, your output holds inf or nan: a division by zero? (scale kept samples by 1 / (1 - p))")
    flat = ratio.reshape(ratio.shape[0], -1)
    spread = (flat - flat[:, :1]).abs().amax(dim=1)
    if (spread > 1e-6 * (1 + flat[:, 0].abs())).any():
        values = out.detach().to(torch.float64).reshape(out.shape[0], -1)
        if ((values - values[:, :1]).abs() <= 1e-9 * (1 + values[:, :1].abs())).all():
            fail(
                "your output is the mask itself (one value for all of a sample's entries, whatever x holds): "
                "multiply x by the mask"
            )
        if ((flat - flat[:1]).abs() <= 1e-6 * (1 + flat[:1].abs())).all():
            fail(
                "the mask is not per sample: every sample got the same mask over its features (one mask over the "
                "feature axis); DropPath tosses one coin per sample, a mask of shape (B, 1, ..., 1)"
            )
        if x.dim() == 3:
            per_token = ratio - ratio[:, :, :1]
            if (per_token.abs() <= 1e-6 * (1 + ratio[:, :, :1].abs())).all():
                fail(
                    "one coin per token: DropPath drops a sample's whole branch, one coin per sample "
                    "(a mask of shape (B, 1, 1), the same for all of a sample's tokens and features)"
                )
        fail(
            "the mask is per element (that is dropout): DropPath keeps or drops a sample's whole branch, one coin "
            "per sample, a mask of shape (B, 1, ..., 1) broadcast over the rest"
        )
    return flat[:, 0]


def _check_rates(factors: torch.Tensor, p: float) -> None:
    keep = 1 - p
    dropped = factors.abs() < 1e-9
    survivors = factors[~dropped]
    if not dropped.any() and len(factors) > 1 and (factors - 1 / keep).abs().max() < 1e-6 / keep:
        fail(
            f"with p = {p} and training=True, every sample of {len(factors):,} was kept and scaled by 1 / (1 - p): "
            "the mask is not per sample (one coin for the whole batch, or one mask over the feature axis); DropPath "
            "tosses one coin per sample, a mask of shape (B, 1, ..., 1)"
        )
    if not dropped.any():
        fail(
            f"with p = {p} and training=True, no sample of {len(factors):,} was dropped (no mask applied, or one "
            "coin for the whole batch): DropPath tosses one coin per sample and zeroes the dropped samples"
        )
    if dropped.all():
        fail(
            f"with p = {p}, every sample of {len(factors):,} was dropped: one coin for the whole batch is Huang "
            "et al.'s original stochastic depth; DropPath tosses one coin per sample"
        )
    rate, error = dropped.double().mean().item(), math.sqrt(p * keep / len(factors))
    if abs(rate - keep) < 5 * error:
        fail(f"with p = {p}, {100 * rate:.1f} % of samples were dropped: p is the probability to DROP, keep with 1 - p")
    if abs(rate - p) > 5 * error:
        fail(f"with p = {p}, {100 * rate:.1f} % of samples were dropped, expected about {100 * p:.0f} %")
    scale = survivors.mean().item()
    if (survivors - scale).abs().max() > 1e-6 * scale:
        fail("the kept samples are scaled by different factors: each kept sample is multiplied by 1 / (1 - p)")
    named = {
        1.0: "the kept samples are not rescaled: divide them by the keep probability 1 - p, so the mean is unchanged",
        keep: "the kept samples are multiplied by 1 - p; divide by it instead (scale by 1 / (1 - p))",
        1 / p: "the kept samples are divided by p; divide by the keep probability, 1 - p",
    }
    for factor, message in named.items():
        if abs(scale - factor) < 1e-6 * factor:
            fail(f"{message} (p = {p}: kept samples were scaled by {scale:.4g}, expected {1 / keep:.4g})")
    if abs(scale - 1 / keep) > 1e-6 / keep:
        fail(f"with p = {p}, kept samples were scaled by {scale:.4g}; expected 1 / (1 - p) = {1 / keep:.4g}")


def check_drop_path(drop_path: Callable[[torch.Tensor, float, bool], torch.Tensor]) -> None:
    """``drop_path(x, p, training)``: timm's per-sample stochastic depth, checked by its properties."""
    drop_path = _one_value(drop_path, "drop_path(x, p, training)")
    _check_small_shapes(drop_path)
    generator = torch.Generator().manual_seed(4)
    x3 = torch.rand(_DROP_SAMPLES, 3, 5, dtype=torch.float64, generator=generator) + 0.5  # (B, N, D), no zeros
    x2 = torch.rand(_DROP_SAMPLES, 6, dtype=torch.float64, generator=generator) + 0.5  # (B, D)
    for p in (0.3, 0.6):
        out = _drop_path_call(drop_path, x3, p, False, seed=1)
        if not close(out, x3):
            fail(f"with training=False (eval) DropPath must be the identity, but drop_path(x, p={p}, False) changed x")
    counts = []
    for p, x, seed in ((0.3, x3, 2), (0.6, x2, 3)):
        out = _drop_path_call(drop_path, x, p, True, seed=seed)
        _check_rates(_per_sample_factors(out, x, p), p)
        counts.append(_dropped_count(out))
    out = _drop_path_call(drop_path, x3, 0.0, True, seed=1)
    if not close(out, x3):
        fail("with p = 0 nothing is dropped: drop_path(x, 0.0, True) must return x unchanged")
    first = _drop_path_call(drop_path, x3, 0.3, True, seed=5)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(6)
        again = attempt(drop_path, x3.clone(), 0.3, True)  # two calls in a row: new coins each time
        again_too = attempt(drop_path, x3.clone(), 0.3, True)
    again, again_too = as_tensor(again), as_tensor(again_too)
    if close(first, again) or close(again, again_too):
        fail("two calls drop the same samples: draw new coins on every call (do not seed inside the function)")
    # independent coins: the number dropped varies from call to call (binomial, standard deviation 29 of 4,000
    # at p = 0.3); four calls that all drop the same number happen by chance about once in a million
    same = {counts[0], _dropped_count(first), _dropped_count(again), _dropped_count(again_too)}
    if len(same) == 1:
        fail(
            f"every call drops exactly {counts[0]:,} of {_DROP_SAMPLES:,} samples: the coins are not independent "
            "(a fixed number of drops, from a permutation or topk?); toss one coin per sample, so that the "
            "number dropped varies from call to call"
        )
    passed(
        f"your drop_path drops whole samples at rate p (0.3 and 0.6, on {_DROP_SAMPLES:,} samples), scales the "
        "rest by 1 / (1 - p), and is the identity in eval."
    )


# --- Exercise 1: GELU's slope, by hand ------------------------------------------------------------

#: Exercise 1: the slope from its formula, not from autograd or torch's (or the package's) GELU.
_NO_SLOPE_SHORTCUT = forbid(
    torch.autograd.grad,
    torch.autograd.backward,
    "torch.autograd.functional",
    "torch._functorch",
    F.gelu,
    mlp.gelu,
    mlp.GELU,
    reason="GELU's slope from its formula (not autograd),",
)
# autograd's own GELU kernel, torch.ops.aten.gelu_backward (and its .default overload), matched by its op name
_NO_SLOPE_SHORTCUT._ops["aten::gelu_backward"] = "torch.ops.aten.gelu_backward"

#: Exercise 1's float64 tolerance: the formula in float64 is off by at most 4.4e-16 (erf, erfc, ndtr, Normal, scipy);
#: the best central finite differences tried (3 to 121 points, at the best step tried) by more than 3e-15 on the grid
#: alone (tests/test_lesson04_checker_slips.py); a float32 computation by about 1e-7. So the values refuse a finite
#: difference; the source screen (``_is_finite_difference``) only picks the message.
_SLOPE_FLOAT64_ATOL = 2e-15


def _slope_reference(x: torch.Tensor) -> torch.Tensor:
    """GELU's slope by autograd, the trusted reference."""
    leaf = x.detach().clone().requires_grad_(True)
    (slope,) = torch.autograd.grad(F.gelu(leaf).sum(), leaf)
    return slope


#: Section 1's Phi, named when a slope's erf gets the wrong sign.
_PHI_OF_X = "Phi(x) = (1 + erf(x / sqrt(2))) / 2"
#: Where a slope checker message sends a learner whose density phi is off (instead of restating its formula).
_PHI_HINT = "compare yours with torch.distributions.Normal(0.0, 1.0).log_prob(x).exp()"


def _erf_argument_slips(x: torch.Tensor, pdf: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Slopes whose Phi feeds erf the wrong argument (x / 2, x or x * sqrt(2)), each with the message that names the
    slip."""
    return [
        (
            0.5 * (1 + torch.erf(x / 2)) + x * pdf,
            "Phi(x)'s erf takes x / sqrt(2), not x / 2: the sqrt(2) of section 1's formula for Phi is missing",
        ),
        (
            0.5 * (1 + torch.erf(x / 2)) + x * torch.exp(-(x**2) / 4) / (2 * math.sqrt(math.pi)),
            "your Phi(x) uses erf(x / 2), and its slope follows it: Phi(x) = (1 + erf(x / sqrt(2))) / 2, the sqrt(2) "
            "is missing",
        ),
        (
            0.5 * (1 + torch.erf(x)) + x * torch.exp(-(x**2)) / math.sqrt(math.pi),
            "your Phi(x) uses erf(x), and its slope follows it: Phi(x) = (1 + erf(x / sqrt(2))) / 2, check the "
            "sqrt(2) in erf's argument",
        ),
        (
            0.5 * (1 + torch.erf(x)) + x * pdf,
            "Phi(x)'s erf gets the wrong argument: compare with section 1's formula for Phi",
        ),
        (
            0.5 * (1 + torch.erf(x * math.sqrt(2))) + x * pdf,
            "Phi(x)'s erf takes x / sqrt(2), not x * sqrt(2): compare with section 1's formula for Phi",
        ),
        (
            0.5 * (1 + torch.erf(x * math.sqrt(2))) + x * math.sqrt(2 / math.pi) * torch.exp(-2 * x**2),
            "your Phi(x) uses erf(x * sqrt(2)), and its slope follows it: Phi(x) = (1 + erf(x / sqrt(2))) / 2, "
            "divide by sqrt(2)",
        ),
    ]


def _density_factor_slips(x: torch.Tensor, cdf: torch.Tensor, pdf: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Exercise 1: the density phi(x) written with a wrong normalising factor, each with the message that names it
    (``pdf`` is the right phi(x))."""
    return [
        (
            cdf + x * torch.exp(-0.5 * x**2) / (math.sqrt(2) * math.pi),
            "your density divides by sqrt(2) * pi: phi(x)'s factor is 1 / sqrt(2 pi) = 1 / math.sqrt(2 * math.pi), "
            "the square root over 2 pi",
        ),
        (
            cdf + x * torch.exp(-0.5 * x**2) / (2 * math.pi),
            "your density divides by 2 pi: phi(x)'s factor is 1 / sqrt(2 pi) = 1 / math.sqrt(2 * math.pi), "
            "the square root is missing",
        ),
        (
            cdf + x * torch.exp(-0.5 * x**2) * math.sqrt(2 * math.pi),
            "your density multiplies by sqrt(2 pi): phi(x)'s factor is 1 / sqrt(2 pi), a division",
        ),
        (
            cdf + 0.5 * x * pdf,
            "the second term has an extra 1/2: Phi(x)'s slope is phi(x) itself (the 1/2 in "
            "Phi = (1 + erf(x / sqrt(2))) / 2 cancels the 2 in erf's slope, 2 / sqrt(pi) exp(-u^2))",
        ),
        (
            cdf + x * torch.exp(-0.5 * x**2) * math.sqrt(2 / math.pi),
            "your density is 2 phi: sqrt(2 / pi) belongs to the tanh form; phi(x)'s factor is 1 / sqrt(2 pi)",
        ),
    ]


def _slope_suspects(x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Wrong slopes, each with the message that names the slip."""
    cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    pdf = torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    leaf = x.detach().clone().requires_grad_(True)
    (tanh_slope,) = torch.autograd.grad(F.gelu(leaf, approximate="tanh").sum(), leaf)
    return [
        (cdf, "this is Phi(x) alone: the product rule on x * Phi(x) gives two terms, and one is missing"),
        (x * pdf, "this is x * phi(x) alone: the product rule gives two terms; the term Phi(x) is missing"),
        (pdf, "this is phi(x) alone: the product rule gives two terms, Phi(x) and one with phi(x)"),
        (cdf - x * pdf, "the second term's sign is wrong: check the sign the product rule gives it"),
        (cdf + pdf, "the second term lacks a factor: check what the product rule multiplies Phi's slope by"),
        (cdf + x * torch.exp(-0.5 * x**2), f"phi(x) lacks its factor 1 / sqrt(2 pi): {_PHI_HINT}"),
        (
            cdf + x * torch.exp(-(x**2)) / math.sqrt(2 * math.pi),
            f"phi(x)'s exponent lacks its 1/2: {_PHI_HINT}",
        ),
        (
            cdf + x * torch.exp(-0.5 * x**2) / math.sqrt(math.pi),
            f"your density's normalising factor is 1 / sqrt(pi): {_PHI_HINT}",
        ),
        *_density_factor_slips(x, cdf, pdf),
        (
            cdf + x * torch.exp(0.5 * x**2) / math.sqrt(2 * math.pi),
            "phi(x)'s exponent has the wrong sign: your density grows with |x| instead of decaying",
        ),
        (
            (1 + torch.erf(x / math.sqrt(2))) + x * pdf,
            "Phi(x) = (1 + erf(x / sqrt(2))) / 2: the 1/2 in front is missing",
        ),
        *_erf_argument_slips(x, pdf),
        (1 - cdf + x * pdf, f"this uses Phi(-x): the sign inside erf is wrong; {_PHI_OF_X}"),
        (1 - cdf - x * pdf, f"this is the slope of x Phi(-x): the sign inside erf is wrong; {_PHI_OF_X}"),
        (tanh_slope, "this is the slope of the tanh approximation: the exercise asks for the exact GELU, x Phi(x)"),
        (
            torch.sigmoid(1.702 * x) * (1 + 1.702 * x * torch.sigmoid(-1.702 * x)),
            "this is the slope of the sigmoid form x * sigmoid(1.702 x) (CLIP's QuickGELU): the exercise asks for "
            "the exact GELU, x Phi(x)",
        ),
        (
            torch.sigmoid(x) * (1 + x * torch.sigmoid(-x)),
            "this is the slope of SiLU (Swish), x * sigmoid(x): the same gate with the logistic CDF in place of Phi; "
            "the exercise asks for the exact GELU, x Phi(x)",
        ),
        (F.gelu(x), "this is GELU itself, x Phi(x), not its slope"),
        ((x > 0).to(x.dtype), "this is ReLU's slope, a step: GELU's is smooth"),
    ]


def _random_slope_points() -> torch.Tensor:
    """Points no table can hold: drawn on each call from a generator seeded by the OS."""
    generator = torch.Generator().manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)
    return 3 * torch.randn(3, 50, dtype=torch.float64, generator=generator)


def _slope_dtype(out: torch.Tensor, x: torch.Tensor, reference: torch.Tensor) -> None:
    """The output's dtype must be the input's, or float64 for a float32 input (a float64 computation loses
    nothing: it is compared in float64 at float32's tolerance); a float32 answer off by more than float32
    rounding is named as lost precision, a finite difference being the usual cause (it loses about half the digits
    in float32): the float64 cases, checked first, have passed by then."""
    given = str(x.dtype).replace("torch.", "")
    _no_half_precision(out, given)  # the same dtype message as exercises 2-4
    if x.dtype == torch.float32 and out.dtype == torch.float64:
        return  # computed in float64 (numpy's sqrt(2 pi), scipy.stats.norm): more digits, nothing lost
    if out.dtype != x.dtype:
        fail(
            f"given a {given} x, your function returns {str(out.dtype).replace('torch.', '')}: return x's dtype "
            "(or float64) so no digits are lost"
        )
    if x.dtype == torch.float32 and not _within_promise(out, reference):
        fail(
            "your float64 values pass, but on a float32 input your slope is off by up to "
            f"{max_difference(out, reference):.3g}, more than float32 rounding: something loses digits in float32 "
            "(a finite difference (f(x + h) - f(x - h)) / 2h loses about half of them); differentiate the formula"
        )


#: A finite difference's step: a number this small (or a name bound to one) added to or taken from the argument.
_SMALL_STEP = 0.1


def _small_number(node: ast.AST) -> bool:
    value = node.value if isinstance(node, ast.Constant) else None
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < abs(value) <= _SMALL_STEP


def _small_names(function: ast.AST) -> set[str]:
    """Names ``function`` binds to a small number: ``h = 1e-5`` in its body, or a default ``h=1e-5``."""
    names = {
        target.id
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and _small_number(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    arguments = function.args if isinstance(function, (ast.FunctionDef, ast.Lambda)) else None
    if arguments is not None:
        positional = arguments.posonlyargs + arguments.args
        with_defaults = positional[len(positional) - len(arguments.defaults) :]
        for argument, default in zip(with_defaults, arguments.defaults, strict=True):
            if _small_number(default):
                names.add(argument.arg)
    return names


def _step(node: ast.AST, small: set[str]) -> tuple[str, str, type] | None:
    """``(a, h, op)`` when ``node`` is ``a + h`` or ``a - h`` with ``h`` a small number or a name bound to one
    (``small``), ``a`` not a number."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub))):
        return None
    step = node.right
    if (_small_number(step) or (isinstance(step, ast.Name) and step.id in small)) and not isinstance(
        node.left, ast.Constant
    ):
        return ast.dump(node.left), ast.dump(step), type(node.op)
    return None


def _outer_small_names(function: Callable[..., object]) -> set[str]:
    """Names ``function`` reads from outside its body (its module's globals, or an enclosing function's) that hold
    a small number: ``H = 1e-3`` at module level, used as ``f(x + H)``."""
    try:
        outer = inspect.getclosurevars(function)
    except (TypeError, ValueError):
        return set()
    values = {**outer.globals, **outer.nonlocals}
    return {
        name
        for name, value in values.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < abs(value) <= _SMALL_STEP
    }


def _is_finite_difference(function: Callable[..., object]) -> bool:
    """True when ``function``'s readable source applies one call to a + h and a - h (the same a and h, h a small
    number or a name bound to one, in its body or outside it), or to a + h (or a - h) and a: a finite difference.
    ``(e + 1) / 2`` beside ``(e - 1) / 2`` is not one (no call on them, and 1 is no small step). False when the
    source cannot be read."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return False
    found = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.Lambda))]
    if not found:
        return False
    small = _small_names(found[0]) | _outer_small_names(function)
    calls = [node for node in ast.walk(found[0]) if isinstance(node, ast.Call) and len(node.args) == 1]
    stepped = {(ast.dump(c.func), *step) for c in calls if (step := _step(c.args[0], small)) is not None}
    if any((func, a, h, ast.Sub) in stepped for func, a, h, op in stepped if op is ast.Add):
        return True  # central: f(a + h), f(a - h)
    plain = {(ast.dump(c.func), ast.dump(c.args[0])) for c in calls if not isinstance(c.args[0], ast.BinOp)}
    if {(func, a) for func, a, _, _ in stepped} & plain:
        return True  # forward or backward: f(a + h), f(a)
    inputs = {argument.arg for argument in found[0].args.posonlyargs + found[0].args.args}
    offsets = _offset_names(found[0], small, inputs, _outer_offset_names(function))
    grids = {  # g = x[..., None] + offsets, then f(g)
        target.id
        for node in ast.walk(found[0])
        if isinstance(node, ast.Assign) and _offset_step(node.value, small, offsets, inputs)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    return any(_offset_step(c.args[0], small, offsets, inputs) or _reads(c.args[0], grids) for c in calls)


def _reads(node: ast.AST, names: set[str]) -> bool:
    """``node`` reads a name in ``names``, other than for its type (``x.dtype``, ``x.device``)."""
    typed = {id(n.value) for n in ast.walk(node) if isinstance(n, ast.Attribute) and n.attr in ("dtype", "device")}
    return any(isinstance(n, ast.Name) and n.id in names and id(n) not in typed for n in ast.walk(node))


def _holds_step(node: ast.AST, small: set[str], offsets: set[str]) -> bool:
    """``node`` holds a small number, a name bound to one, or a name bound to offsets."""
    return any(_small_number(n) or (isinstance(n, ast.Name) and n.id in small | offsets) for n in ast.walk(node))


def _offset_names(function: ast.AST, small: set[str], inputs: set[str], outer: set[str]) -> set[str]:
    """Names ``function`` binds to steps that do not read its input: ``O = torch.arange(-3, 4) * h``,
    ``for o in (-0.01, 0.01)``, ``[... for k in ks]``, ``for s in STEPS`` (``outer``: offsets bound outside it; a
    bare small number is a step, left to the pairing above)."""
    bindings = [
        (target, node.value)
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and not _small_number(node.value)
        for target in node.targets
    ] + [(node.target, node.iter) for node in ast.walk(function) if isinstance(node, (ast.For, ast.comprehension))]
    names = set(outer)
    for _ in range(3):  # names bound from names bound from steps
        names |= {
            target.id
            for bound, value in bindings
            if _holds_step(value, small, names) and not _reads(value, inputs)
            for target in ast.walk(bound)
            if isinstance(target, ast.Name)
        }
    return names - small


def _outer_offset_names(function: Callable[..., object]) -> set[str]:
    """Names ``function`` reads from outside its body that hold several small numbers, not all zero (a tensor,
    an array, a list or a tuple): a stencil's offsets."""
    try:
        outer = inspect.getclosurevars(function)
    except (TypeError, ValueError):
        return set()
    found = set()
    for name, value in {**outer.globals, **outer.nonlocals}.items():
        numbers = isinstance(value, (list, tuple)) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
        )
        if numbers or type(value).__module__ == "numpy":  # a list or tuple of numbers, a numpy array
            try:
                value = torch.as_tensor(value, dtype=torch.float64)
            except (TypeError, ValueError, RuntimeError):
                continue
        if isinstance(value, torch.Tensor) and value.is_floating_point() and value.numel() > 1:
            largest = value.detach().abs().max().item()
            if 0 < largest <= _SMALL_STEP:
                found.add(name)
    return found


def _offset_step(node: ast.AST, small: set[str], offsets: set[str], inputs: set[str]) -> bool:
    """``node`` is ``a + s`` (or ``s + a``, ``a - s``) with ``s`` offsets or an expression holding a step, read
    apart from the input (``x + k * h``, ``x[..., None] + O``); a bare step is left to the pairing above."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub))):
        return False
    sides = [(node.left, node.right)] + [(node.right, node.left)] * isinstance(node.op, ast.Add)
    for a, step in sides:
        if isinstance(a, ast.Constant) or _reads(step, inputs) or _small_number(step):
            continue
        if isinstance(step, ast.Name) and step.id in small:
            continue
        if _holds_step(step, small, offsets):
            return True
    return False


def _slope_call_failed(error: ExerciseFailed) -> NoReturn:
    """Exercise 1: the answer's call failed: name math.erf on a tensor, and torch.func as a learner calls it."""
    if "only one element tensors can be converted" in str(error):  # math.erf(x) on a tensor x
        fail(
            "a math-module function (math.erf, math.exp, ...) got the tensor x: use torch.erf (torch.exp); "
            "math.erf takes one number"
        )
    if "torch._functorch." in str(error):  # torch.func: name it as a learner calls it
        text = str(error)
        for private in ("torch._functorch.apis.", "torch._functorch.eager_transforms."):
            text = text.replace(private, "torch.func.")
        text = re.sub(r"torch\._functorch\.predispatch\.\w+", "torch.autograd.forward_ad", text)  # its dual levels
        raise ExerciseFailed(text) from None
    raise error


def _slope_missed(out: torch.Tensor, reference: torch.Tensor, x: torch.Tensor, finite_difference: bool) -> NoReturn:
    """Exercise 1: ``out`` misses the reference on ``x``: name a finite difference read in the source, else the slip."""
    if finite_difference:
        fail(
            "your function evaluates GELU at x + h and x - h (or x, or x plus offsets): a finite difference, "
            f"an estimate, off by up to {max_difference(out, reference):.2g} here; the exercise asks for the "
            "slope from the formula: differentiate x Phi(x) with the product rule"
        )
    for candidate, message in _slope_suspects(x.double()):
        if close(out, candidate.to(x.dtype)) if x.dtype == torch.float32 else _within_promise(out, candidate):
            fail(message)
    if x.dtype == torch.float64 and _within_promise(out, reference):
        fail(
            f"close, but on float64 inputs your slope is off by up to {max_difference(out, reference):.2g}, "
            f"more than the {_SLOPE_FLOAT64_ATOL:g} the check allows: the formula in float64 is within "
            "5e-16. If you built a constant with torch.tensor(...) or torch.sqrt of one, it is float32 "
            "(PyTorch's default dtype): use math.sqrt(2 * math.pi), or give it dtype=x.dtype. A constant "
            "typed with few digits (0.39894228) misses it too. A finite "
            "difference (f(x + h) - f(x - h)) / 2h, with any step, or a computation in float32 misses "
            f"{_SLOPE_FLOAT64_ATOL:g} too. Differentiate x Phi(x) and compute in x's dtype"
        )
    if close(out, reference, atol=1e-4, rtol=0.0):  # within 1e-4: a rounded constant
        fail(
            f"close: your slope differs from GELU's (by autograd) by up to "
            f"{max_difference(out, reference):.3g}; a constant typed with few digits (1.4142, 0.3989), or a "
            "finite difference? use math.sqrt(2) and 1 / math.sqrt(2 * math.pi), and the product rule"
        )
    fail(f"differs from GELU's slope (by autograd) by up to {max_difference(out, reference):.3g}")


def check_gelu_slope(gelu_slope: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """``gelu_slope(x)`` must equal the derivative of the exact GELU, by autograd, on random points (float64 to
    2e-15, and a float32 input to float32 precision, returned as float32 or float64); a numpy array is accepted.
    The values refuse a finite difference (none tried comes within 3e-15); its source, when read, names it."""
    finite_difference = _is_finite_difference(gelu_slope)
    gelu_slope = _one_value(gelu_slope, "gelu_slope(x)")
    float32_points = _random_slope_points()[:2].float()
    grid = torch.linspace(-6.0, 6.0, 241, dtype=torch.float64)
    grid[120] = 0.0  # x = 0 exactly (linspace gives -3e-16 there): a slope written with x / x is 0 / 0 there
    for x in (grid, _random_slope_points(), float32_points):
        reference = _slope_reference(x.double()).to(x.dtype)
        given = x.clone()
        try:
            result = _NO_SLOPE_SHORTCUT(gelu_slope, given)
        except ExerciseFailed as error:
            _slope_call_failed(error)
        if isinstance(result, (list, tuple)):
            kind = "a list" if isinstance(result, list) else "a tuple"
            fail(f"gelu_slope(x) returned {kind}: return one tensor of x's shape (element-wise torch operations on x)")
        result = as_tensor(result, "gelu_slope(x)")  # a numpy array works too (as in exercises 2 and 3)
        if not torch.equal(given, x):
            fail("your function changed its input x in place: return a new tensor and leave x unchanged")
        out = _same_shape(f"gelu_slope on a {tuple(x.shape)} input", result, reference)
        if not torch.isfinite(out.to(torch.float64)).all():
            fail("your values are not finite (nan or inf): GELU's slope is finite everywhere; check for a 0 / 0")
        _slope_dtype(out, x, reference)
        # a float64 answer to a float32 x: close() compares in float64 at float32's tolerance (the reference's)
        if x.dtype == torch.float32:
            within = close(out, reference)
        else:
            within = close(out, reference, atol=_SLOPE_FLOAT64_ATOL, rtol=0.0)
        if not within:
            _slope_missed(out, reference, x, finite_difference)
    passed(
        f"your slope equals autograd's derivative of F.gelu on 241 grid points and 150 random ones (to "
        f"{_SLOPE_FLOAT64_ATOL:g}), and "
        "on 100 float32 points to float32 precision; note the slope at 0 is Phi(0) = 0.5 and it "
        "exceeds 1 for moderate positive x."
    )


# --- Exercise 2: a block's multiply-adds ---------------------------------------------------------

#: Exercise 2: the count from the shapes, not from the package's cost helper.
_NO_COST = forbid("vit_explained.cost", Block, mlp.MLP, nn.Linear, reason="the multiply-adds from the block's shapes")


def _block_macs(dim: int, mlp_dim: int, tokens: int) -> int:
    """Matrix-product multiply-adds of one block on ``tokens`` tokens (what section 2 counts)."""
    from ..cost import attention_cost

    matrix = attention_cost(tokens, dim, heads=1).matmul_flops // 2
    return tokens * (3 * dim * dim + dim * dim + 2 * dim * mlp_dim) + matrix


def _macs_slips(d: int, m: int, n: int, right: int) -> list[tuple[int, str]]:
    return (
        [
            (2 * right, "this is FLOPs (2 per multiply-add): count each multiply-add once"),
            (
                right - 2 * n * n * d,
                "the attention matrix is missing: q k^T and the weighted sum of v, each a cost that grows with N^2",
            ),
            (
                right - n * n * d,
                "one of the two N x N products is missing: q k^T and weights @ v, each a cost that grows with N^2",
            ),
            (right - n * d * d, "attention's output projection proj (D x D per token) is missing"),
            (right - 2 * n * d * d, "qkv is three D x D products per token, not one"),
            (right - n * d * m, "the MLP has two Linear layers, fc1 (D -> mlp_dim) and fc2 (mlp_dim -> D)"),
            (right - 2 * n * d * m + 8 * n * d * d, "the MLP's width is mlp_dim, not 4D: use the argument"),
            (right - 2 * n * n * d + 2 * n * d * d, "the attention matrix grows with N: N^2 D per product, not N D^2"),
            (right - 2 * n * n * d + 2 * n * d, _N_TIMES_D),
            (right - n * n * d + n * d, _N_TIMES_D),
            (right - 2 * n * n * d + 2 * n * n, _N_SQUARED_ONLY),
            (right - n * n * d + n * n, _N_SQUARED_ONLY),
            (_block_macs(d, m, n + 1), "`tokens` already counts every token, the class token included: do not add 1"),
            (_block_macs(d, m, n - 1), "tokens already includes the class token: do not subtract 1"),
            (right + n * (5 * d + m), "biases are additions, not multiply-adds: leave out the Linear layers' biases"),
        ]
        + [(_block_macs(d, m, 197), "this counts 197 tokens (ViT-B/16's) whatever the call: use `tokens`")] * (n != 197)
        + [
            (right - 2 * n * n * (d % 12), _TWELVE_HEADS)  # 12 heads of width d // 12 cover 12 * (d // 12) = d - d % 12
        ]
        * (d % 12 != 0 and _fixed_head_counts(d, 12 * (d // 12)) == [12])  # "12" only when no other h gives this count
    )


def _fixed_head_counts(d: int, covered: int) -> list[int]:
    """The head counts h (2 to 64) that do not divide D and whose h heads of width D // h cover ``covered`` features
    (a count made with a fixed h matches every h in this list: the message names h only when it is alone)."""
    return [h for h in range(2, min(d, 64) + 1) if d % h and h * (d // h) == covered]


_N_TIMES_D = (
    "q k^T and weights @ v are counted as N x D each: q k^T is (N, D) @ (D, N), N x D x N = N^2 D multiply-adds, "
    "and weights @ v, (N, N) @ (N, D), is N^2 D too"
)
_N_SQUARED_ONLY = (
    "q k^T and weights @ v are counted as N^2 each: every one of the N x N entries is a D-long dot product, "
    "so each product costs N^2 D"
)


def _plausible_heads(h: int, d: int, n: int) -> bool:
    """A head count a student could have used: at most 64, not N or D itself (a factor N or D is another slip,
    named apart or left to the generic message), and it splits D evenly or is a ViT's own (Ti 3, S 6, B 12, L 16:
    typed in whatever D is)."""
    return 2 <= h <= 64 and (d % h == 0 or h in _VIT_HEADS) and h not in (n, d)


_VIT_HEADS = (3, 6, 12, 16)


_TWELVE_HEADS = (
    "this counts 12 heads of width D // 12, which drops D % 12 features when 12 does not divide D: "
    "the count does not depend on the heads (together they split D), so use D itself"
)


def _per_head_slip(d: int, n: int, right: int, got: int) -> str | None:
    """The attention matrix counted for one head only (N^2 D / h per product, or N^2 (D // h) when h does not
    divide D): named with its h."""
    matrix = 2 * n * n * d
    part = got - (right - matrix)
    heads = round(matrix / part) if 0 < part < matrix else 0
    rounded = heads >= 3 and abs(part * heads - matrix) < heads  # N^2 D / h, rounded down or up (h = 2: above)
    rounded = rounded and _plausible_heads(heads, d, n)
    floored = [  # the head width d // h, floored, for an h that does not divide D
        h for h in range(3, min(d, 64) + 1) if d % h and h != n and part == 2 * n * n * (d // h)
    ]
    if rounded or floored:
        named = f", h = {heads}" if rounded else (f", h = {floored[0]}" if len(floored) == 1 else "")
        return (
            f"the attention matrix is counted for one head only (N^2 D / h{named}, a head D // h wide); the heads "
            "split D, so all heads together cost N^2 D per product: count them all"
        )
    return None


def _times_heads_slip(d: int, n: int, right: int, got: int) -> str | None:
    """The attention matrix multiplied by a number of heads h (both products, or q k^T only): named with its h."""
    matrix = 2 * n * n * d  # q k^T and weights @ v, N^2 D each
    part = got - (right - matrix)
    halves = 2 * part // matrix if part > 0 and (2 * part) % matrix == 0 else 0  # part in units of N^2 D
    heads = halves // 2 if halves >= 4 and halves % 2 == 0 else (halves - 1 if halves >= 3 else 0)
    if not _plausible_heads(heads, d, n):  # a huge factor or a hard-coded constant: the generic message
        return None
    return (
        f"the heads split D: q k^T over all heads costs N^2 D, not N^2 D x heads (your count has x {heads}); "
        "each head is D / heads wide, so the heads together cost what one head of width D would"
    )


def _times_width_slip(d: int, n: int, right: int, got: int) -> str | None:
    """The attention matrix multiplied by D (both products, or q k^T only): N^2 D^2 where N^2 D is right."""
    matrix = 2 * n * n * d  # q k^T and weights @ v, N^2 D each
    if got - (right - matrix) not in (2 * n * n * d * d, n * n * d * d + n * n * d):
        return None
    return (
        "q k^T costs N^2 D, not N^2 D^2 (and so does weights @ v): an (N, D) @ (D, N) product is N x D x N "
        "multiply-adds; your count has an extra factor D"
    )


def _fixed_heads_slip(d: int, n: int, right: int, got: int) -> str | None:
    """The attention matrix counted per head with a fixed head count h, h x N^2 (D // h) per product, right only
    when h divides D: named with its h (review r29c minor 8)."""
    part = got - (right - 2 * n * n * d)
    if d % 64 and d > 64 and part == 2 * n * n * 64 * (d // 64):  # ViT-B's head width, typed in (review r34e minor 7)
        return (
            f"your count fixes the head width at 64 (ViT-B's), so its D // 64 heads cover {64 * (d // 64)} of the "
            f"D = {d} features: the count does not depend on the heads (h heads of width D / h cost what one head "
            "of width D would)"
        )
    heads = [h for h in range(2, min(d, 64) + 1) if d % h and part == 2 * n * n * h * (d // h)]
    if not heads:
        return None
    return (
        "your count uses a fixed head count h, so it depends on a head width D // h"
        f"{f' (h = {heads[0]})' if len(heads) == 1 else ''}: with D = {d} the heads do not divide D; "
        "the count does not depend on the heads (h heads of width D / h cost what one head of width D would)"
    )


def _random_macs_case() -> tuple[int, int, int]:
    generator = torch.Generator().manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)
    dim, mlp_dim, tokens = (
        int(torch.randint(low, high, (1,), generator=generator)) for low, high in ((17, 300), (30, 900), (5, 400))
    )
    return dim, mlp_dim + (mlp_dim == 4 * dim), tokens


def check_block_macs(block_macs: Callable[[int, int, int], int]) -> None:
    """``block_macs(dim, mlp_dim, tokens)``: one block's matrix-product multiply-adds, on fixed and random sizes."""
    block_macs = _one_value(block_macs, "block_macs(dim, mlp_dim, tokens)")
    sizes = ((64, 256, 101), (100, 300, 50))
    first, second = (as_int(_NO_COST(block_macs, *size), f"block_macs{size}", integral_floats=True) for size in sizes)
    if first == second:
        fail(
            f"block_macs returned {first:,} for both {sizes[0]} and {sizes[1]}: the count must follow dim, mlp_dim "
            "and tokens (a number worked out for one size is not a formula)"
        )
    floats = False  # a whole float (from / rather than //) is accepted; the message says so
    # (35, 120, 23): D odd and not a multiple of 3, so a count made with any fixed head count (2, 3, 4, 12 ...) fails
    # on every run, whatever the random size (review r34d minor 1)
    for dim, mlp_dim, tokens in ((64, 256, 101), (384, 1152, 197), (100, 300, 50), (35, 120, 23), _random_macs_case()):
        right = _block_macs(dim, mlp_dim, tokens)
        call = f"block_macs({dim}, {mlp_dim}, {tokens})"
        value = _NO_COST(block_macs, dim, mlp_dim, tokens)
        floats |= isinstance(value, float)
        got = as_int(value, call, integral_floats=True)
        if got == right:
            continue
        for value, message in _macs_slips(dim, mlp_dim, tokens, right):
            if got == value:
                fail(f"{message} ({call} returned {got:,})")
        for slip in (_per_head_slip, _times_width_slip, _times_heads_slip, _fixed_heads_slip):
            if (message := slip(dim, tokens, right, got)) is not None:
                fail(f"{message} ({call} returned {got:,})")
        fail(f"{call} returned {got:,}: count qkv, proj, q k^T, weights @ v, fc1 and fc2, each rows x in x out")
    note = " You returned floats: accepted, as they are whole numbers; an int (// or int(...)) stays exact past 2**53."
    passed("your count equals the package's on 5 sizes (one drawn at random on each run)." + (note if floats else ""))


# --- Exercise 5: the post-norm block --------------------------------------------------------------


def _post_norm_suspects(block: Block, x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Wrong post-norm blocks: the pre-norm block, half a block, the norms swapped, no residual, one norm, the MLP
    reading x, the second residual from x, norm1 or norm2 missing, the first or the MLP half's residual missing, the
    norms on the branches' outputs, a sandwich norm, pre-norm on the attention half only, pre-norm and post-norm
    together."""
    n1, attn, n2, mlp = block.norm1, block.attn, block.norm2, block.mlp
    pre = x + attn(n1(x))
    half = n1(x + attn(x))
    return [
        (
            pre + mlp(n2(pre)),
            "that is the pre-norm block, x + attn(norm1(x)) then x + mlp(norm2(x)) (ViT's, section 5); post-norm "
            "normalises *after* each residual addition, not the branch's input (the exercise's formula)",
        ),
        (
            half,
            "that is the attention half only: with h = norm1(x + attn(x)), the result then goes through "
            "norm2(h + mlp(h)) too",
        ),
        (
            n1(half + mlp(half)),
            "the second addition is normalised with norm1 again: the MLP half ends in block.norm2",
        ),
        (
            n1(n2(x + attn(x)) + mlp(n2(x + attn(x)))),
            "the norms are swapped: the attention half ends in norm1, the MLP half in norm2",
        ),
        (n2(mlp(n1(attn(x)))), "the residual additions are missing: each norm reads x + branch(x), not branch(x)"),
        (n2(half + mlp(x)), "the MLP reads x: it reads h = norm1(x + attn(x)), the attention half's output"),
        (n2(x + mlp(half)), "the second residual adds x: it adds h, the stream after the attention half"),
        (
            n2(x + attn(x) + mlp(half)),
            "the second residual adds the un-normalised sum x + attn(x): it adds h = norm1(x + attn(x)), the sum "
            "after norm1",
        ),
        (half + mlp(half), "norm2 is missing: the MLP half ends in norm2(h + mlp(h))"),
        (
            n2(x + attn(x) + mlp(x + attn(x))),
            "norm1 is missing: the MLP reads the un-normalised sum x + attn(x); h = norm1(x + attn(x))",
        ),
        (n2(mlp(half)), "the MLP half's residual is missing: norm2 reads h + mlp(h), not mlp(h)"),
        (
            n2(n1(attn(x)) + mlp(n1(attn(x)))),
            "the first residual is missing: h = norm1(x + attn(x)), not norm1(attn(x))",
        ),
        *_post_norm_extra_norm_suspects(block, x),
        *_post_norm_layer_norm_suspects(block, x),
        *_post_norm_order_suspects(block, x),
    ]


def _post_norm_order_suspects(block: Block, x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Wrong post-norm blocks: the MLP half first, and an extra LayerNorm after the block (the slips exercise 4
    names)."""
    n1, attn, n2, mlp = block.norm1, block.attn, block.norm2, block.mlp
    mlp_first = n1(x + mlp(x))
    right_h = n1(x + attn(x))
    right = n2(right_h + mlp(right_h))
    return [
        (
            n2(mlp_first + attn(mlp_first)),
            "this runs the MLP first and attention after it: the block is attention, then the MLP, "
            "h = norm1(x + attn(x)), then norm2(h + mlp(h))",
        ),
        (n2(right), "an extra LayerNorm at the end: the block ends in norm2(h + mlp(h)), normalised once"),
        (n1(right), "an extra LayerNorm at the end: the block ends in norm2(h + mlp(h)), normalised once"),
    ]


def _post_norm_layer_norm_suspects(block: Block, x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Post-norm blocks with F.layer_norm in place of the block's norms: its default eps, or a fresh LayerNorm
    without the block's weight and bias (the two slips exercise 4 names), and attention's output indexed [0]."""
    attn, mlp, width = block.attn, block.mlp, x.shape[-1:]

    def post_norm(first: Callable[[torch.Tensor], torch.Tensor], second: Callable[[torch.Tensor], torch.Tensor]):
        h = first(x + attn(x))
        return second(h + mlp(h))

    def default_eps(norm: nn.LayerNorm) -> Callable[[torch.Tensor], torch.Tensor]:
        return lambda t: F.layer_norm(t, width, norm.weight, norm.bias)

    fresh = (
        "this normalises with a fresh LayerNorm (weight 1, bias 0), not the block's own norm1 and norm2, whose "
        "weight and bias are learned: call block.norm1 and block.norm2 themselves"
    )
    return [
        (
            post_norm(default_eps(block.norm1), default_eps(block.norm2)),
            f"the block's LayerNorms use eps={block.norm1.eps:g}, F.layer_norm's default is 1e-5: call "
            "block.norm1 and block.norm2 themselves",
        ),
        *[
            (
                post_norm(
                    lambda t, e=eps: F.layer_norm(t, width, eps=e), lambda t, e=eps: F.layer_norm(t, width, eps=e)
                ),
                fresh,
            )
            for eps in (block.norm1.eps, 1e-5)
        ],
        (
            (lambda h: block.norm2(h + mlp(h)))(block.norm1(x + attn(x)[0])),
            "block.attn(x) returns one tensor, not (out, weights) as nn.MultiheadAttention does: [0] takes the "
            "first image's output only; use block.attn(x) whole",
        ),
    ]


def _post_norm_extra_norm_suspects(block: Block, x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Wrong post-norm blocks with a norm in the wrong place: on the branches' outputs, a sandwich norm, pre-norm on
    the attention half only, pre-norm and post-norm together."""
    n1, attn, n2, mlp = block.norm1, block.attn, block.norm2, block.mlp
    branched = x + n1(attn(x))  # the norm on the branch's output
    sandwich = x + n1(attn(n1(x)))  # a norm before and after the branch (Sandwich-LN)
    both = n1(x + attn(n1(x)))  # pre-norm's input norm and post-norm's output norm
    res_post = n1(x + attn(x))  # post-norm's first half, then the res-post order's h + norm2(mlp(h)) (r33c)
    return [
        (
            res_post + n2(mlp(res_post)),
            "the MLP half is in the res-post order (Swin V2, timm's ResPostBlock), h + norm2(mlp(h)): the norm sits "
            "on the branch's output; post-norm normalises the sum, norm2(h + mlp(h))",
        ),
        (
            branched + n2(mlp(branched)),
            "the norms are applied to the branches' outputs (x + norm1(attn(x))), the res-post order (Swin V2, timm's "
            "ResPostBlock): post-norm normalises the sum, norm1(x + attn(x))",
        ),
        (
            sandwich + n2(mlp(n2(sandwich))),
            "that is a sandwich norm (CogView's Sandwich-LN): x + norm1(attn(norm1(x))), a norm before and after "
            "each branch, inside the residual; post-norm normalises the sum, norm1(x + attn(x))",
        ),
        (
            n2(both + mlp(both)),
            "the attention branch reads a normalised copy (norm1(x + attn(norm1(x)))), the MLP branch does not: "
            "pre-norm on the attention half only; post-norm's branches read the stream itself, norm1(x + attn(x))",
        ),
        (
            n2(n1(x) + attn(x)) + mlp(n1(x) + attn(x)),
            "normalise the sum, not one term: norm1(x) + attn(x) normalises only the residual; post-norm "
            "normalises the whole sum, norm1(x + attn(x)), then norm2(h + mlp(h))",
        ),
        (
            n2(both + mlp(n2(both))),
            "each branch reads a normalised copy as well (norm1(x + attn(norm1(x)))): that is pre-norm and post-norm "
            "together; post-norm's branches read the stream itself",
        ),
    ]


def check_post_norm_block(post_norm_block: Callable[[torch.Tensor, Block], torch.Tensor]) -> None:
    """``post_norm_block(x, block)`` must equal ``norm2(h + mlp(h))`` with ``h = norm1(x + attn(x))``, with
    ``block``'s parts (as :class:`vit_explained.norm_placement.PostNormBlock` computes), on three blocks."""
    from ..norm_placement import PostNormBlock

    post_norm_block = _one_value(post_norm_block, "post_norm_block(x, block)")
    for block, x in _parallel_cases():
        with torch.no_grad():
            reference = PostNormBlock.forward(block, x)
            suspects = _post_norm_suspects(block, x)
            given = x.clone()
            try:
                result = forbid(Block.forward, PostNormBlock.forward, reason="the post-norm block from its parts")(
                    post_norm_block, given, block
                )
            except ExerciseFailed as error:
                if "your function called" in str(error) and "PostNormBlock" in str(error):
                    fail(
                        "don't call PostNormBlock.forward: it is the check's reference; write the post-norm order "
                        "yourself, with block.norm1, block.attn, block.norm2 and block.mlp"
                    )
                if "your function called" in str(error):
                    fail(_BLOCK_CALL_MESSAGE)
                raise
        if not torch.equal(given, x):
            fail("your function changed its input x in place (x += ...): return a new tensor and leave x as it was")
        out = _same_shape(f"post_norm_block on a {tuple(x.shape)} input", result, reference)
        _no_half_precision(out, "float64")
        if not _within_promise(out, reference):
            for candidate, message in suspects:
                if _within_promise(out, candidate):
                    fail(message)
            fail(
                f"differs from norm2(h + mlp(h)), h = norm1(x + attn(x)), by up to {max_difference(out, reference):.3g}"
            )
    passed(
        "your post-norm block equals norm2(h + mlp(h)) with h = norm1(x + attn(x)), the package's PostNormBlock "
        "(the 2017 Transformer's order), on three blocks (one drawn at random)."
    )

"""Checkers for lesson 03, Attention shapes.

Each checker compares the learner's function with a trusted computation (the package's
:class:`~vit_explained.Attention`, einops, ``F.scaled_dot_product_attention``) on inputs the
learner has not seen, and names the likely mistake when a known wrong answer is recognised.
"""

from __future__ import annotations

import ast
import functools
import inspect
import math
import re
import textwrap
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from numbers import Integral
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn

from ..attention import Attention, to_multihead
from ..cost import attention_cost
from . import a_type, as_tensor, attempt, close, fail, forbid, passed

#: Exercise 2 asks for reshape and permute (or transpose) only.
_NO_EINOPS = forbid("einops", reason="the head split with reshape and permute")

#: Exercise 3 is attention from scratch: not torch's fused function, nor the package's.
_NO_ATTENTION_SHORTCUTS = forbid(
    F.scaled_dot_product_attention,
    F.multi_head_attention_forward,
    Attention.scaled_dot_product,
    Attention.forward,
    reason="attention (matrix products and softmax)",
)

#: The steps of one attention layer, in order, as the keys of ``attention_shapes``'s answer.
SHAPE_KEYS = ("qkv", "qkv_heads", "q", "scores", "weights", "heads_out", "merged", "output")

_SHAPE_HINTS = {
    "qkv": "the fused Linear makes queries, keys and values for every token at once",
    "qkv_heads": "the reshape splits the last axis into (3, heads, d); the permute moves the 3 and the heads to the"
    " front",
    "q": "one of the three (q, k or v): a batch of heads, each a sequence of tokens",
    "scores": "one score for every (query token, key token) pair, in every head",
    "weights": "the softmax does not change the shape of what it normalises",
    "heads_out": "each query token gets a weighted sum of the value vectors of its head",
    "merged": "merging the heads puts the tokens back in front and glues the heads' features together",
    "output": "the output projection keeps the token width",
}


#: What each axis of every step holds, in order (for naming the one axis that is wrong).
_AXIS_NAMES = {
    "qkv": ("the batch", "the tokens", "the 3 * dim features"),
    "qkv_heads": ("q, k, v", "the batch", "the heads", "the tokens", "the head width d"),
    "q": ("the batch", "the heads", "the tokens", "the head width d"),
    "scores": ("the batch", "the heads", "the query tokens", "the key tokens"),
    "weights": ("the batch", "the heads", "the query tokens", "the key tokens"),
    "heads_out": ("the batch", "the heads", "the tokens", "the head width d"),
    "merged": ("the batch", "the tokens", "the features"),
    "output": ("the batch", "the tokens", "the features"),
}


def _wrong_axes_hint(key: str, shape: tuple[int, ...], expected: tuple[int, ...], num_tokens: int) -> str | None:
    """Compare a shape with the true one axis by axis; name the axes that differ (without the answer)."""
    names = _AXIS_NAMES[key]
    wrong = [axis for axis, (got, want) in enumerate(zip(shape, expected, strict=True)) if got != want]
    said = "; ".join(f"axis {axis}, {names[axis]}, is {shape[axis]}" for axis in wrong)
    token_axes = [axis for axis in wrong if "tokens" in names[axis]]
    if token_axes and all(shape[axis] == num_tokens + 1 for axis in token_axes) and token_axes == wrong:
        return f"{said}: num_tokens = {num_tokens} already counts the class token (do not add 1)"
    if token_axes and all(shape[axis] == num_tokens - 1 for axis in token_axes) and token_axes == wrong:
        return f"{said}: num_tokens = {num_tokens} is every token, the class token included (do not subtract 1)"
    if len(wrong) == 1:
        return f"{said}; the other axes are right. Hint: {_SHAPE_HINTS[key]}"
    return None


def _true_shapes(batch: int, num_tokens: int, dim: int, heads: int) -> dict[str, tuple[int, ...]]:
    """Every step's shape, read from the package's Attention run step by step on zeros."""
    with torch.random.fork_rng(devices=[]):  # leave the learner's random numbers alone
        module = Attention(dim, heads)
    with torch.no_grad():
        tokens = torch.zeros(batch, num_tokens, dim)
        qkv = module.qkv(tokens)
        qkv_heads = rearrange(qkv, "b n (three h d) -> three b h n d", three=3, h=heads)
        q, k, v = module.project_qkv(tokens)
        scores = q @ k.transpose(-2, -1) * module.scale
        weights = module.attend(scores)
        heads_out = weights @ v
        merged = rearrange(heads_out, "b h n d -> b n (h d)")
        output = module.proj(merged)
    steps = {
        "qkv": qkv,
        "qkv_heads": qkv_heads,
        "q": q,
        "scores": scores,
        "weights": weights,
        "heads_out": heads_out,
        "merged": merged,
        "output": output,
    }
    return {name: tuple(tensor.shape) for name, tensor in steps.items()}


def _as_shape(value: Any) -> tuple[int, ...] | None:
    """A shape from a torch.Size, a tuple or list of ints (numpy ints too), or a 1-D integer array."""
    integer_tensor = isinstance(value, torch.Tensor) and not value.dtype.is_floating_point
    integer_array = isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.integer)
    if (integer_tensor or integer_array) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, (tuple, list)) and all(isinstance(n, Integral) and not isinstance(n, bool) for n in value):
        return tuple(int(n) for n in value)
    return None


def _whole_floats(value: Any) -> bool:
    """A tuple or list of numbers with at least one whole float among them, like (2, 6, 197, 64.0)."""
    if not isinstance(value, (tuple, list)) or not value:
        return False
    numbers = all(isinstance(n, (Integral, float, np.floating)) and not isinstance(n, bool) for n in value)
    return numbers and any(isinstance(n, (float, np.floating)) and float(n).is_integer() for n in value)


def _a_dict(answer: object) -> dict:
    """Exercise 1's answer, when it is a dict; else a one-line failure naming what came back ("an int")."""
    if answer is None:  # a35b audit item 6: a forgotten `return`, named as the other checkers name it
        fail("your function returned None: its last line needs `return` and the dict")
    if not isinstance(answer, dict):
        fail(f"your function returned {a_type(answer)}; return a dict")
    return answer


def check_attention_shapes(attention_shapes: Callable[[int, int, int, int], dict[str, Sequence[int]]]) -> None:
    """Exercise 1: ``attention_shapes(batch, num_tokens, dim, heads)`` returns the shape of every step.

    Checked against the package's :class:`~vit_explained.Attention` for ViT-S (dim 384, 6 heads)
    and other configurations.
    """
    # head widths 64, 24, 64, 16, 64: an answer that hard-codes d = 64 (or 197 tokens) fails
    configs = [(2, 197, 384, 6), (2, 50, 96, 4), (3, 65, 512, 8), (1, 17, 48, 3), (1, 784, 64, 1)]
    for batch, num_tokens, dim, heads in configs:
        where = f"for batch={batch}, num_tokens={num_tokens}, dim={dim}, heads={heads}"
        answer = _a_dict(attempt(attention_shapes, batch, num_tokens, dim, heads))
        missing = [key for key in SHAPE_KEYS if key not in answer]
        extra = [key for key in answer if key not in SHAPE_KEYS]
        if missing or extra:
            fail(f"the dict needs exactly the keys {list(SHAPE_KEYS)}; missing {missing}, unexpected {extra}")
        truth = _true_shapes(batch, num_tokens, dim, heads)
        for key in SHAPE_KEYS:
            shape = _as_shape(answer[key])
            if shape is None:
                if _whole_floats(answer[key]):
                    fail(
                        f"'{key}' holds floats, {answer[key]!r}: D / h is a float division (384 / 6 = 64.0), "
                        "and a size must be an int"
                    )
                fail(f"'{key}' should be a tuple of ints such as (2, 197, 384), got {answer[key]!r}")
            expected = truth[key]
            if shape == expected:
                continue
            if len(shape) != len(expected):
                fail(
                    f"'{key}' {where} has {len(shape)} axes, but that step has {len(expected)}. "
                    f"Hint: {_SHAPE_HINTS[key]}"
                )
            if sorted(shape) == sorted(expected):
                fail(f"'{key}' {where} has the right sizes in the wrong order. Hint: {_SHAPE_HINTS[key]}")
            head_dim = dim // heads
            typed_tokens = ({196, 197} - {num_tokens}) & set(shape)  # ViT-B's token or patch count, typed in
            if typed_tokens and num_tokens not in shape:
                typed = max(typed_tokens)
                fail(
                    f"'{key}' {where} is {shape}: the number of tokens is hard-coded as {typed} "
                    f"(ViT-B's {'tokens' if typed == 197 else 'patches'}), but here num_tokens = {num_tokens}: "
                    "take it from the argument"
                )
            if head_dim != 64 and 64 in shape and head_dim not in shape:
                fail(
                    f"'{key}' {where} is {shape}: the head width is hard-coded as 64 (ViT-B's and ViT-S's), "
                    f"but here dim = {dim} and heads = {heads}"
                )
            if heads > 1 and head_dim in expected and dim in shape and head_dim not in shape:
                fail(
                    f"'{key}' {where}: this axis holds the whole width {dim}, "
                    "but each head's q, k and v hold only its slice"
                )
            axes = _wrong_axes_hint(key, shape, expected, num_tokens)
            if axes:
                fail(f"'{key}' {where} is {shape}, which is not that step's shape: {axes}")
            fail(f"'{key}' {where} is {shape}, which is not that step's shape. Hint: {_SHAPE_HINTS[key]}")
    passed("you can follow the shapes through any attention layer, ViT-S's included.")


def _split_reference(tokens: torch.Tensor, heads: int) -> torch.Tensor:
    return rearrange(tokens, "b n (h d) -> b h n d", h=heads)


def _merge_reference(per_head: torch.Tensor) -> torch.Tensor:
    return rearrange(per_head, "b h n d -> b n (h d)")


def _view_hint(error: Exception) -> str | None:
    if isinstance(error, TypeError) and "but got float" in str(error):  # review r35a minor 9: as exercise 1 says
        return "a size is a float (e.g. D / heads = 64.0): use D // heads"  # a35b audit 6: any float size
    if "view" in str(error) and "contiguous" in str(error):
        return (
            "after a permute or transpose the tensor is not contiguous in memory, so .view() cannot regroup it: "
            "use .reshape (or .contiguous().view)"
        )
    if "is invalid for input of size" in str(error):
        fixed = " (a 64 in it: ViT-B's head width, typed in)" if re.search(r"\b64\b", str(error)) else ""
        return (
            f"a reshape asked for sizes whose product is not the tensor's size{fixed}: take every size from "
            "x.shape and heads, with d = D // heads, never a fixed number"
        )
    return None


def _hint_first(hint: Callable[..., str | None], **bound: Any) -> Callable[[Exception], None]:
    """A hint for :func:`attempt` that, when it names the slip, says only that (torch's error text would repeat it
    less clearly); a slip it cannot name falls through to the plain "your function raised ..." line."""

    def named_first(error: Exception) -> None:
        extra = hint(error, **bound)
        if extra:
            fail(extra)

    return named_first


def _heads_call(function: Callable[..., Any], name: str, *args: Any) -> torch.Tensor:
    result = _NO_EINOPS(function, *args, hint=_hint_first(_view_hint))
    if result is None:
        fail(f"{name} returned None: its last line needs `return` and the (B, ...) tensor it made")
    return as_tensor(result, f"what {name} returned")


def _split_shape_hint(call: str, shape: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """Exercise 2's message for a split of the wrong shape; it names the tokens and the head width swapped
    (``(B, heads, d, N)``, e.g. from ``permute(0, 2, 3, 1)``)."""
    if shape == (*expected[:2], expected[3], expected[2]) and expected[2] != expected[3]:
        return f"{call} returned shape {shape}: the tokens and the head width are swapped (want (B, heads, N, d))"
    return f"{call} returned shape {shape}; the axes should be (B, heads, N, d) with d = D // heads"


def check_split_merge(
    split_heads: Callable[[torch.Tensor, int], torch.Tensor], merge_heads: Callable[[torch.Tensor], torch.Tensor]
) -> None:
    """Exercise 2: ``split_heads(x, heads)``: ``(B, N, D) -> (B, heads, N, D // heads)`` and
    ``merge_heads(x)``: ``(B, heads, N, d) -> (B, N, heads * d)``, compared with einops."""
    cases = [((2, 5, 12), 3), ((1, 7, 8), 2), ((3, 4, 6), 6), ((2, 3, 10), 1)]
    for shape, heads in cases:
        batch, tokens, dim = shape
        head_dim = dim // heads
        x = torch.arange(math.prod(shape), dtype=torch.float32).reshape(shape)  # every value different
        original = x.clone()
        split = _heads_call(split_heads, "split_heads", x, heads)
        if not torch.equal(x, original):
            fail("split_heads changed its input in place; return a new view or tensor instead")
        expected = _split_reference(x, heads)
        call = f"split_heads(x of shape {shape}, heads={heads})"
        if tuple(split.shape) != tuple(expected.shape):
            fail(_split_shape_hint(call, tuple(split.shape), tuple(expected.shape)))
        if not close(split, expected):
            if close(split, x.reshape(batch, heads, tokens, head_dim)):
                fail(
                    f"{call} has the right shape but mixes tokens and heads: a reshape alone regroups the numbers "
                    "in memory order, so one 'head' ends up holding features of several tokens. Split the last "
                    "axis first, then move the heads axis"
                )
            if close(split, x.reshape(batch, tokens, head_dim, heads).permute(0, 3, 1, 2)):
                fail(
                    f"{call}: head 0 got features 0, {heads}, {2 * heads}, ... Each head owns one contiguous "
                    "block of d features (head 0: features 0 to d-1): the heads axis comes before d in the split"
                )
            fail(f"{call} has the right shape, but the values are in the wrong places (compare with x[0, :, :d])")

        per_head = torch.arange(batch * heads * tokens * head_dim, dtype=torch.float32).reshape(
            batch, heads, tokens, head_dim
        )
        per_head_before = per_head.clone()
        merged = _heads_call(merge_heads, "merge_heads", per_head)
        if not torch.equal(per_head, per_head_before) or per_head.shape != per_head_before.shape:
            fail(
                "merge_heads changed its input in place (e.g. x.transpose_(1, 2)); use x.transpose(1, 2), "
                "which returns a new view and leaves the input alone"
            )
        expected = _merge_reference(per_head)
        call = f"merge_heads(x of shape {tuple(per_head.shape)})"
        if tuple(merged.shape) != tuple(expected.shape):
            fail(f"{call} returned shape {tuple(merged.shape)}; the axes should be (B, N, heads * d)")
        if not close(merged, expected):
            if close(merged, per_head.reshape(batch, tokens, heads * head_dim)):
                fail(
                    f"{call} has the right shape but mixes tokens and heads: a reshape without moving the heads "
                    "axis glues together rows of different tokens. Bring the tokens axis next to the batch first"
                )
            if close(merged, per_head.permute(0, 2, 3, 1).reshape(batch, tokens, heads * head_dim)):
                fail(f"{call} interleaves the heads' features; all d features of head 0 must come first, then head 1's")
            fail(f"{call} has the right shape, but the values are in the wrong places")
        round_trip = _heads_call(merge_heads, "merge_heads", split)
        if not close(round_trip, x):
            fail("merge_heads(split_heads(x, heads)) does not give back x")
    passed("split and merge are exact inverses and match einops' 'b n (h d) -> b h n d'.")


def _divisor_slips(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, dots: torch.Tensor) -> dict[str, Callable]:
    """Exercise 3's wrong scales, ``softmax(dots / divisor) v``, keyed by the message naming each."""
    d = q.shape[-1]
    divisors = {
        "the scores are divided by d; the right scale is 1 / sqrt(d) (the spread of q.k grows like sqrt(d))": d,
        "the scores are multiplied by sqrt(d); they should be divided by it": 1 / math.sqrt(d),
        "the scores are divided by d/2: d**1/2 is (d**1)/2, since ** binds tighter than /": d / 2,
        "the scores are divided by 2 d: dots / d**1/2 is (dots / d**1) / 2, since ** binds tighter than / and "
        "the divisions run left to right": 2 * d,
        "the scale is a fixed 1/8, ViT-B's 1/sqrt(64): it is right only for heads 64 wide": 8,
        "the scores are divided by sqrt(N), the number of queries (q.shape[-2]); the scale is 1 / sqrt(d), the "
        "head width": math.sqrt(q.shape[-2]),
        "the scores are divided by sqrt(N), the number of keys (k.shape[-2]); the scale is 1 / sqrt(d), the "
        "head width": math.sqrt(k.shape[-2]),
        "the scores are divided by sqrt(h * d), the model width D; the scale uses the width of one head": math.sqrt(
            q.shape[1] * d
        ),
        # fix03_37a (review r36j minor 6): d = q.shape[1], the heads axis
        "the scale uses q.shape[1], the number of heads; d is the last axis, q.shape[-1]": math.sqrt(q.shape[1]),
    }
    return {message: (lambda x=x: (dots / x).softmax(-1) @ v) for message, x in divisors.items()}


def _attention_variants(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> dict[str, torch.Tensor]:
    """Plausible wrong answers keyed by the message naming each; a slip whose shapes do not fit is left out."""
    head_dim = q.shape[-1]
    dots = q @ k.transpose(-2, -1)
    scores = dots / math.sqrt(head_dim)
    variants: dict[str, Callable[[], torch.Tensor]] = {
        "the scores are not scaled: divide q k^T by sqrt(d) before the softmax": lambda: dots.softmax(-1) @ v,
        **_divisor_slips(q, k, v, dots),  # dots over a wrong divisor, each named
        "the scores are k q^T, the transpose of q k^T: row i must hold query i's scores against every key": lambda: (
            ((k @ q.transpose(-2, -1)) / math.sqrt(head_dim)).softmax(-1) @ v
        ),
        "the scale is applied after the softmax, so each row of weights no longer sums to 1": lambda: (
            (dots.softmax(-1) / math.sqrt(head_dim)) @ v
        ),
        "the weights multiply q instead of v: the output is a weighted sum of the values": lambda: (
            scores.softmax(-1) @ q
        ),
        "the weights multiply k instead of v (weights @ k): the output is a weighted sum of the values": lambda: (
            scores.softmax(-1) @ k
        ),
        "the softmax runs over the queries axis (dim=-2): each query's weights must sum to 1 over the keys, "
        "the last axis (dim=-1)": lambda: scores.softmax(-2) @ v,
        "the softmax runs over the heads axis (dim=1): each query's weights must sum to 1 over the keys, "
        "the last axis (dim=-1)": lambda: scores.softmax(1) @ v,
        "the softmax runs over the batch axis (dim=0): each query's weights must sum to 1 over the keys, "
        "the last axis (dim=-1)": lambda: scores.softmax(0) @ v,
        "the weights are transposed before the sum: row i of the weights belongs to query i": lambda: (
            scores.softmax(-1).transpose(-2, -1) @ v
        ),
        "k is not transposed: q @ k pairs query features with key tokens": lambda: (
            (q @ k / math.sqrt(head_dim)).softmax(-1) @ v
        ),
        "k and v are swapped, softmax(q v^T / sqrt(d)) k: the scores use the keys, the sum the values": lambda: (
            (q @ v.transpose(-2, -1) / math.sqrt(head_dim)).softmax(-1) @ k
        ),
        "the weights do not sum to 1 over the keys: exp(scores) needs dividing by its row sum": lambda: (
            scores.exp() @ v
        ),
    }
    return _evaluated(variants)


def _evaluated(variants: dict[str, Callable[[], torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Each slip's value, keyed by its message; a slip whose shapes do not fit is left out."""
    computed = {}
    for mistake, wrong in variants.items():
        try:
            computed[mistake] = wrong()
        except RuntimeError:  # shapes that do not fit: not a value this answer can have returned
            continue
    return computed


_BROADCAST = re.compile(r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\)")


def _wrong_transpose_hint(source: str) -> str:
    """A tensor transposed on the wrong axes: k.T reverses all four axes, k.transpose(1, 2) swaps heads and tokens;
    either way the matrix product's batch axes (B, h) no longer line up. ``source`` (the learner's code, when
    it can be read) picks which one to name, and which tensor: only q, k or v count (a 2-D ``weight.T`` is right);
    with neither found in the code, the message names both."""
    reversed_ = re.search(r"\b([qkv])\.T\b", source)
    if reversed_:
        return (
            f"{reversed_[1]}.T on a 4-D tensor reverses every axis, (B, h, N, d) -> (d, N, h, B), so the matrix "
            "product's batch axes no longer line up"
        )
    swapped = re.search(r"\b([qkv])\.transpose\(\s*(1\s*,\s*2|2\s*,\s*1)\s*\)", source)  # not the merge's
    if swapped:
        return (
            f"{swapped[1]}.transpose(1, 2) swaps the heads and the tokens, (B, h, N, d) -> (B, N, h, d), so the matrix "
            "product's batch axes no longer line up"
        )
    return (
        "k is transposed on the wrong axes (k.T on a 4-D tensor reverses all four, k.transpose(1, 2) swaps heads "
        "and tokens), so the matrix product's batch axes (B, h) no longer line up"
    )


def _source_of(function: Callable[..., Any]) -> str:
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


_BATCH2 = re.compile(r"batch2 tensor to be: \[\d+, (\d+)\] but got: \[\d+, (\d+)\]")


def _product_slip(error: str, tokens: int, key_tokens: int, head_dim: int, source: str) -> str | None:
    """With queries and keys of different numbers, a product whose inner sizes do not fit says which slip it was."""
    sizes = _BATCH2.search(error)
    if not sizes or tokens == key_tokens:
        return None
    wanted, got = int(sizes[1]), int(sizes[2])
    if (wanted, got) == (tokens, key_tokens):  # (N_k, N_q) weights met v's N_k rows
        if re.search(r"\bk\s*@\s*q\b|matmul\(\s*k\s*,\s*q\b", source):
            return (
                f"the scores are k q^T, of shape (B, h, N_k, N_q) = (.., {key_tokens}, {tokens}): row i must hold "
                f"query i's scores against every key, so the scores are (B, h, N_q, N_k) = (.., {tokens}, {key_tokens})"
            )
        return (
            f"the weights reaching v are (.., N_k, N_q) = (.., {key_tokens}, {tokens}): k q^T in place of q k^T, or "
            "weights transposed before the sum; row i must hold query i's weights over the keys"
        )
    if (wanted, got) == (key_tokens, tokens):
        return "the weights multiply q instead of v: the output is a weighted sum of the values"
    if (wanted, got) == (head_dim, key_tokens):
        return (
            "a matrix product got shapes that do not fit: q is (B, h, N_q, d) and k is (B, h, N_k, d), and q @ k "
            "pairs query features with key tokens: k is not transposed"
        )
    if (wanted, got) == (key_tokens, head_dim):  # (N_q, N_k) weights met a (d, N_k) tensor
        v_moved = re.search(r"\bv\s*\.\s*(mT|T\b|t\(|transpose|permute)", source)
        named = "v transposed" if v_moved else "a transposed tensor"
        return (
            f"the weights (B, h, N_q, N_k) multiply {named}, (B, h, d, N_k) = (.., {head_dim}, {key_tokens}): the "
            "weighted sum is weights @ v, with v as it is, (B, h, N_k, d)"
        )
    return None


def _matmul_hint(
    error: Exception, shape: tuple[int, int, int, int] = (0, 0, 0, 0), source: str = "", key_tokens: int = 0
) -> str | None:
    """Name the slip behind a shape error: a matrix product that does not fit is named by its sizes (a missing k
    transpose, v transposed, ...) or, when they do not say, left to the learner ("check which tensor you transposed"); a
    broadcast of the batch axes h against N is k transposed on the wrong axes (``.T``, ``transpose(1, 2)``);
    a broadcast of (B, h, N, N) against (B, h, N) (sizes N against h or B) is a reduction without keepdim."""
    text = str(error)
    if not isinstance(error, RuntimeError):
        return None
    if any(clue in text for clue in ("dtypes must be the same", "expected scalar type", "same dtype")):
        return "mixed dtypes in one product: keep q's dtype for every tensor you multiply (or cast them all alike)"
    slip = _product_slip(text, shape[2], key_tokens or shape[2], shape[3], source)
    if slip:
        return slip
    if any(clue in text for clue in ("cannot be multiplied", "Expected size for first two dimensions", "batch2")):
        return "a matrix product's inner sizes do not fit: check which tensor you transposed"
    sizes = _BROADCAST.search(text)
    batch, heads, tokens, _ = shape
    key_tokens = key_tokens or tokens
    first, second = (int(sizes[1]), int(sizes[2])) if sizes else (0, 0)
    if (
        first == heads and second in {tokens, key_tokens} and "dimension 1" in text
    ):  # the matmul's batch axes (B, h) vs (B, N)
        return _wrong_transpose_hint(source)
    if first == heads and second == shape[3] and second != heads and "dimension 1" in text:  # (B, h) vs (B, d)
        return (
            "transposed the wrong pair of axes: k.transpose(1, 3) swaps the heads and the features, (B, h, N, d) -> "
            "(B, d, N, h); use transpose(-2, -1), the last two axes"
        )
    if first in {tokens, key_tokens} and second in {batch, heads, tokens} - {
        first
    }:  # the (B, h, N, N) scores against a (B, h, N) reduction
        return (
            "a reduction over the keys lost its axis: s.sum(-1) or s.max(-1).values of the (B, h, N, N) scores is "
            "(B, h, N), which does not line up with the (B, h, N, N) scores"
        )
    return None


_IMPLICIT_SOFTMAX = r"Implicit dimension choice for softmax"
#: exercises 3 and 7: F.softmax(scores) without dim= on the (B, h, N, N) scores
_NO_SOFTMAX_DIM = (
    "your softmax has no dim=, so torch picked dim=1 (its implicit choice for a 4-D tensor), the heads axis: each "
    "query's weights must sum to 1 over the keys, so pass dim=-1"
)


@contextmanager
def _quiet_softmax(seen: list[bool]) -> Iterator[None]:
    """Hold back torch's UserWarning for a softmax called without ``dim=`` (the checker names that slip itself)
    and append True to ``seen`` if it was raised; every other warning is shown as usual."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("ignore", message=r"The use of `x\.T`", category=UserWarning)
        warnings.filterwarnings("always", message=_IMPLICIT_SOFTMAX, category=UserWarning)
        try:
            yield
        finally:
            held = list(caught)
    for warning in held:
        if re.match(_IMPLICIT_SOFTMAX, str(warning.message)):
            seen.append(True)
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)


@contextmanager
def _quiet_transpose() -> Iterator[None]:
    """Silence torch's UserWarning for ``x.T`` on a tensor that is not 2-D (the checker names that slip itself)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"The use of `x\.T`", category=UserWarning)
        yield


def _keeps_dtype(answer: Any, dtype: torch.dtype, where: str, given: str = "q") -> bool:
    """A tensor answer keeps the ``given`` input's precision (q's in exercise 3, x's in exercise 7): a narrower or
    non-float dtype fails; a wider one (float64 from float32 inputs, the course's policy:
    tests/test_exercises_policy.py) passes, and True says it was wider. A numpy answer is converted: not checked."""
    wider = isinstance(answer, torch.Tensor) and answer.is_floating_point() and dtype.is_floating_point
    if wider and torch.finfo(answer.dtype).bits >= torch.finfo(dtype).bits:
        return torch.finfo(answer.dtype).bits > torch.finfo(dtype).bits
    if isinstance(answer, torch.Tensor) and answer.dtype != dtype:
        got, wanted = (str(t).replace("torch.", "") for t in (answer.dtype, dtype))
        fail(f"{where} the result is {got}: keep {given}'s dtype, {wanted}")
    return False


def _qkv_kept(originals: tuple[torch.Tensor, ...], given: tuple[torch.Tensor, ...]) -> None:
    """Exercise 3: fail if the answer wrote into the caller's q, k or v (``given``, copies of ``originals``)."""
    for name, before, after in zip("qkv", originals, given, strict=True):
        if after.shape != before.shape or not torch.equal(after, before):
            fail(
                f"your function changed {name} in place (e.g. {name}.div_(...) or {name} /= ...), so the caller's "
                f"{name} is no longer what it passed; compute a new tensor ({name} / ...) instead"
            )


def check_attention(attention: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Exercise 3: ``attention(q, k, v)`` is ``softmax(q k^T / sqrt(d)) v`` for ``(B, heads, N, d)`` inputs,
    written from scratch; compared with ``F.scaled_dot_product_attention`` and the package's explicit path.

    The inputs are float32, then float64 once (an answer must keep the dtype it is given working).
    """
    generator = torch.Generator().manual_seed(3)
    source = _source_of(attention)
    # first 5 queries against 7 keys (cross-attention): k q^T, the weights times q and transposed weights fail on shape
    cases = [(2, 3, 5, 7, 32, torch.float32), (2, 3, 7, 7, 32, torch.float32), (1, 2, 5, 5, 64, torch.float32)]
    cases += [(2, 1, 9, 9, 4, torch.float32), (1, 2, 6, 6, 8, torch.float64)]
    cases += [(2, 2, 8, 8, 8, torch.float32)]  # N = d: q @ k (no transpose) runs
    cases += [(1, 2, 6, 6, 16, torch.float32)]  # last: scores near 1000 (q, k times 20): a naive exp overflows
    widened = numpy_answer = False  # a float64 result for float32 inputs, or a numpy array, passes with a note
    narrowed = False  # float64 inputs, a result right to float32 precision only: passes with a note
    for case, (batch, heads, tokens, key_tokens, head_dim, dtype) in enumerate(cases):
        spread = 20.0 if case == len(cases) - 1 else 1.0  # the scores' standard deviation: spread ** 2
        q = spread * torch.randn(batch, heads, tokens, head_dim, generator=generator, dtype=dtype)
        k = spread * torch.randn(batch, heads, key_tokens, head_dim, generator=generator, dtype=dtype)
        v = torch.randn(batch, heads, key_tokens, head_dim, generator=generator, dtype=dtype)
        shape = (batch, heads, tokens, head_dim)
        shapes = (
            f"q {shape}, k and v {(batch, heads, key_tokens, head_dim)}" if key_tokens != tokens else f"q, k, v {shape}"
        )
        where = f"for {shapes} ({str(dtype).replace('torch.', '')})"
        given = (q.clone(), k.clone(), v.clone())  # the caller's tensors: an answer must leave them as they are
        implicit_softmax: list[bool] = []  # F.softmax(scores) without dim=: torch picks dim 1 and warns
        with _quiet_softmax(implicit_softmax), np.errstate(over="ignore", invalid="ignore"):  # numpy's exp overflow
            answer = _NO_ATTENTION_SHORTCUTS(
                attention, *given, hint=_hint_first(_matmul_hint, shape=shape, source=source, key_tokens=key_tokens)
            )
        _qkv_kept((q, k, v), given)
        if answer is None:
            fail(f"{where} your function returned None: its last line needs `return` and the (B, h, N_q, d) tensor")
        if isinstance(answer, list):  # e.g. .tolist(): exercise 3 promises a tensor (a tuple: as_tensor's message)
            fail(f"{where} your function returned a Python list: return the (B, h, N_q, d) tensor")
        result, numpy_answer = as_tensor(answer, f"your result {where}"), numpy_answer or isinstance(answer, np.ndarray)
        expected = F.scaled_dot_product_attention(q, k, v)
        _finite_or_fail(result, q @ k.transpose(-2, -1) / math.sqrt(head_dim), where)
        weights = (q @ k.transpose(-2, -1) / math.sqrt(head_dim)).softmax(-1)
        if tuple(result.shape) == tuple(weights.shape) and close(result, weights):
            fail(
                f"{where} your result is the attention weights, of shape (B, h, N_q, N_k) = "
                f"{tuple(weights.shape)}: the missing step is the weighted sum of the values"
            )
        if tuple(result.shape) != shape:
            fail(f"{where} the result has shape {tuple(result.shape)}; it should be (B, h, N_q, d) = {shape}, like q's")
        widened = _keeps_dtype(answer, dtype, where) or widened
        if implicit_softmax and close(result, (q @ k.transpose(-2, -1) / math.sqrt(head_dim)).softmax(1) @ v):
            fail(f"{where} {_NO_SOFTMAX_DIM}")
        narrowed = _compare_attention(result, (q, k, v), heads, expected, where) or narrowed
    notes = _attention_notes(widened, numpy_answer, narrowed)
    passed("your attention equals F.scaled_dot_product_attention." + notes)


def _finite_or_fail(result: torch.Tensor, scores: torch.Tensor, where: str) -> None:
    """Exercise 3: a result holding nan or inf; with scores above exp's limit (about 88.7 in float32, 709 in float64),
    the naive exp without the row's maximum subtracted."""
    if result.is_floating_point() and not bool(torch.isfinite(result).all()):
        if float(scores.max()) > 709.8:
            fail(
                f"{where} your result holds nan or inf: the scores reach {float(scores.max()):.0f}, and exp overflows "
                "to inf above about 88.7 (float32) or 709 (float64), so inf / inf = nan. The missing step is "
                "subtracting each row's maximum before exp, as softmax does"
            )
        fail(f"{where} your result holds nan or inf")


def _attention_notes(widened: bool, numpy_answer: bool, narrowed: bool = False) -> str:
    """Exercise 3's notes on a right answer: a float64 result for float32 inputs, a numpy array for tensors, a
    float64 case right only to float32 precision."""
    notes = " Note: for float32 inputs your result is float64. Wider is accepted here; in real code keep q's dtype "
    notes += "(no .double(), no float64 tensor of the same shape in the product; a Python float as the scale is fine)."
    tensor = " Note: your result is a numpy array; return a torch.Tensor, as q, k and v are."
    narrow = " Note: for float64 inputs your result is right to float32 precision only: part of your computation ran "
    narrow += "in float32 (e.g. a float32 tensor as the scale); in real code keep q's precision throughout."
    return (notes if widened else "") + (tensor if numpy_answer else "") + (narrow if narrowed else "")


def _compare_attention(
    result: torch.Tensor,
    qkv: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    heads: int,
    expected: torch.Tensor,
    where: str,
) -> bool:
    """Exercise 3's value check for one case: returns when ``result`` matches (True when only to float32 precision
    on float64 inputs), else fails naming the slip."""
    q, k, v = qkv
    head_dim, dtype = q.shape[-1], q.dtype
    with torch.random.fork_rng(devices=[]):  # leave the learner's random numbers alone
        module = Attention(heads * head_dim, heads).to(dtype)
    module.fused = False
    explicit, _ = module.scaled_dot_product(q, k, v, need_weights=True)
    if not close(explicit, expected):  # the two references agree
        raise AssertionError("the checker's two references disagree")
    if close(result, expected):
        return False
    if dtype == torch.float64 and close(result, expected.float()):  # e.g. a float32 torch.sqrt(torch.tensor(d))
        return True  # right to float32 precision: passes, with a note (review r34a_03 minor 5)
    if head_dim != 32 and close(result, F.scaled_dot_product_attention(q, k, v, scale=32**-0.5)):
        fail(f"for d = {head_dim}, the head width is hard-coded; take d from q's shape")
    for mistake, wrong in _attention_variants(q, k, v).items():
        if close(result, wrong):
            fail(f"for d = {head_dim}, {mistake}")
    if float((result.double() - expected.double()).abs().max()) < 2e-2:  # right to 2 or 3 digits only
        fail(
            f"{where} the values agree with softmax(q k^T / sqrt(d)) v to 2 or 3 digits only: part of your computation "
            "runs at a precision lower than q's (float16 or bfloat16?); keep q's dtype throughout"
        )
    fail(f"{where} the values differ from softmax(q k^T / sqrt(d)) v")


_RESHAPE_MESSAGES = {
    "in": "the input is reshaped, not transposed: x.view(N, B, D) or x.reshape(N, B, D) keeps the numbers in "
    "memory order, so each 'sequence' the module sees holds pieces of different images and tokens",
    "out": "the input is right, but the output is reshaped, not transposed: out.view(B, N, D) or "
    "out.reshape(B, N, D) on the (N, B, D) output interleaves tokens of different images",
    "both": "view/reshape is not transpose, on the way in and on the way out: view and reshape keep the numbers in "
    "memory order, so each 'sequence' holds pieces of different images and tokens",
}


def _reference_pair(dim: int, heads: int, seed: int) -> tuple[Attention, nn.MultiheadAttention]:
    """The package's Attention and an nn.MultiheadAttention (batch_first=False) with the same weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        ours = Attention(dim, heads)
        return ours, to_multihead(ours, batch_first=False)  # batch_first=False, the default


_LAST_TWO_AXES = re.compile(r"transpose\(\s*(1\s*,\s*2|2\s*,\s*1|-1\s*,\s*-2|-2\s*,\s*-1)\s*\)|\.mT\b")


def _layout_hint(error: Exception, source: str = "") -> str | None:
    """Shapes that do not fit inside nn.MultiheadAttention: usually query, key and value in different layouts."""
    if isinstance(error, (RuntimeError, AssertionError)) and "embedding dimension" in str(error):
        if _LAST_TWO_AXES.search(source):
            return (
                "x.transpose(1, 2) swaps the tokens and the features (axes 1 and 2), (B, N, D) -> (B, D, N), so "
                "nn.MultiheadAttention reads D as the batch and N as the embedding; it wants (N, B, D)"
            )
        return (
            "nn.MultiheadAttention reads the last axis as the embedding (D): on a 3-D tensor, x.T reverses all axes "
            "to (D, N, B), but it wants (N, B, D)"
        )
    if isinstance(error, (RuntimeError, AssertionError)) and any(
        clue in str(error) for clue in ("is invalid for input of size", "must match", "key", "value", "query")
    ):
        return (
            "nn.MultiheadAttention got query, key and value in different layouts: with batch_first=False all "
            "three must be (N, B, D), not only the query"
        )
    return None


def _module_state(*modules: nn.Module) -> list[tuple[torch.Tensor, int]]:
    """A copy of the modules' parameters and buffers with their storage addresses: a later write, a dtype
    cast or a cast and back (``.double()`` then ``.float()``) all show up as a difference."""
    return [(t.detach().clone(), t.data_ptr()) for m in modules for t in m.state_dict().values()]


def _changed_in_place(snapshot: list[tuple[torch.Tensor, int]], *modules: nn.Module) -> bool:
    """Whether the modules' parameters differ from ``snapshot`` in value, dtype or storage."""
    now = [t for m in modules for t in m.state_dict().values()]
    return len(now) != len(snapshot) or any(
        t.dtype != old.dtype or t.data_ptr() != ptr or not torch.equal(t, old)
        for t, (old, ptr) in zip(now, snapshot, strict=False)
    )


def _module_left_as_is(mha: nn.MultiheadAttention, was_training: bool, snapshot: list) -> None:
    """Exercise 4 leaves the module as it is: its layout flag, its mode, its weights and their dtype."""
    if mha.batch_first:
        fail("mha_forward switched the module to batch_first=True; leave the module as it is and adapt the input")
    if mha.training != was_training:
        fail(
            f"mha_forward switched the module to {'training' if mha.training else 'eval'} mode "
            "(.train()/.eval()); leave the module as it is and adapt the input"
        )
    if _changed_in_place(snapshot, mha):
        fail(
            "mha_forward changed the module's weights or dtype in place (a write into a weight, or a cast such as "
            ".double(), even one cast back); leave the module as it is and adapt the input"
        )


def check_mha_forward(mha_forward: Callable[[nn.MultiheadAttention, torch.Tensor], torch.Tensor]) -> None:
    """Exercise 4: ``mha_forward(mha, x)`` runs a ``batch_first=False`` ``nn.MultiheadAttention`` on
    batch-first tokens ``(B, N, D)`` and returns ``(B, N, D)``, equal to the package's Attention."""
    source = _source_of(mha_forward)
    for batch, tokens, dim, heads, seed in [(3, 5, 8, 2, 0), (2, 7, 12, 3, 1), (1, 4, 8, 4, 2)]:
        ours, mha = _reference_pair(dim, heads, seed)
        x = torch.randn(batch, tokens, dim, generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            expected = ours(x)
            forgotten = mha(x, x, x, need_weights=False)[0]
            # reshape in place of transpose, on the way in, on the way out, or both: right shapes, mixed values
            reshaped_in = x.reshape(tokens, batch, dim)
            reshape_slips = {
                "both": mha(reshaped_in, reshaped_in, reshaped_in, need_weights=False)[0].reshape(batch, tokens, dim),
                "in": mha(reshaped_in, reshaped_in, reshaped_in, need_weights=False)[0].transpose(0, 1),
                "out": mha(*(x.transpose(0, 1),) * 3, need_weights=False)[0].reshape(batch, tokens, dim),
            }
            given = x.clone()  # the caller's tokens: an answer must leave them as they are
            was_training, snapshot = mha.training, _module_state(mha)  # an answer leaves the module as it is too
            with _quiet_transpose():
                result = attempt(mha_forward, mha, given, hint=functools.partial(_layout_hint, source=source))
        if given.shape != x.shape or not torch.equal(given, x):
            fail("mha_forward changed x in place")
        _module_left_as_is(mha, was_training, snapshot)
        if isinstance(result, tuple):
            fail("nn.MultiheadAttention returns (output, weights); return only the output tensor")
        result = as_tensor(result, "what mha_forward returned")
        if tuple(result.shape) != (batch, tokens, dim):
            if tuple(result.shape) == (batch, tokens, tokens):
                fail(
                    f"the result has shape {tuple(result.shape)}, (B, N, N): that is the attention weights, element 1 "
                    "of what nn.MultiheadAttention returns; return the output, element 0"
                )
            if tuple(result.shape) == (tokens, batch, dim):
                fail(f"the result has shape {tuple(result.shape)}, (N, B, D): turn it back to batch-first (B, N, D)")
            fail(f"for x of shape {(batch, tokens, dim)} the result has shape {tuple(result.shape)}")
        if close(result, expected):
            continue
        for where_, slip in reshape_slips.items():
            if close(result, slip):
                fail(_RESHAPE_MESSAGES[where_])
        if close(result, forgotten):
            fail(
                "this is the batch_first bug: the module reads (B, N, D) as (N, B, D), so every token attends to "
                "the tokens at the same position in the other images. Give it the layout it expects"
            )
        fail(f"for x of shape {(batch, tokens, dim)} the values differ from the package's Attention")
    passed("you fed nn.MultiheadAttention the (N, B, D) layout it expects and got the batch back.")


#: Exercise 5's configuration: ViT-L/16 at 384 x 384 (24 x 24 patches + the class token), float32.
MEMORY_CASE = {"batch": 8, "num_tokens": 577, "heads": 16, "bytes_per_element": 4, "dim": 1024}
#: The second configuration the checker calls: ViT-B/16 at 224 x 224, a batch of 2 in float16. Every argument
#: differs from MEMORY_CASE's, so an answer that ignores one of them gives a value of its own.
OTHER_MEMORY_CASE = {"batch": 2, "num_tokens": 197, "heads": 12, "bytes_per_element": 2}
MEMORY_ARGUMENTS = ("batch", "num_tokens", "heads", "bytes_per_element")

_NO_COST_SHORTCUT = forbid(attention_cost, reason="the count (entries times bytes)")


def _memory_slips(batch: int, num_tokens: int, heads: int, bytes_per_element: int, dim: int) -> dict[str, float]:
    """Plausible wrong predictions of the attention matrices' bytes, each keyed by the message naming its slip."""
    right = batch * heads * num_tokens**2 * bytes_per_element
    per_entry = batch * heads * bytes_per_element
    slips = {
        "the heads are left out: every head makes its own N x N matrix": right / heads,
        "the batch is left out: every image has its own matrices": right / batch,
        f"that uses 12 heads, ViT-B's; this model has {heads}": right * 12 / heads if heads != 12 else -1.0,
        "that counts entries, not bytes: each float32 entry takes 4 bytes": right / bytes_per_element,
        f"that uses N = {num_tokens - 1}, the patches only: the class token is a token too (N = {num_tokens})": (
            per_entry * (num_tokens - 1) ** 2
        ),
        f"that uses N = {num_tokens + 1}: the class token is already one of the {num_tokens} tokens "
        f"({num_tokens - 1} patches + 1)": per_entry * (num_tokens + 1) ** 2,
        "the matrix is N x N, one weight for every (query, key) pair, not N long": right / num_tokens,
        "that counts N x d per head, not N x N": right / num_tokens * (dim // heads),
        "the batch and the heads are both left out": right / (batch * heads),
        "that is in bits; give bytes (8 bits each)": right * 8,
        "that looks like megabytes (10^6 bytes); give the number of bytes": right / 1e6,
        "that looks like mebibytes (2^20 bytes); give the number of bytes": right / 2**20,
        "that looks like gigabytes (10^9 bytes); give the number of bytes": right / 1e9,
        "that looks like gibibytes (2^30 bytes); give the number of bytes": right / 2**30,
        "the scores and the weights are two matrices at the peak, but the question asks for the weights alone": (
            2 * right
        ),
        f"that uses {bytes_per_element // 2} bytes per entry (float16); the question says float32, "
        f"{bytes_per_element} bytes each": right / 2,
        "that is all 24 layers of ViT-L; the question asks for one layer's weights": right * 24,
        "that multiplies by the width D (or the head width d); the attention matrix has h * N^2 entries per "
        "image, no width": right * dim / heads,
        f"that multiplies by the width D = {dim}; the attention matrix has h * N^2 entries per image, no width": (
            right * dim
        ),
    }
    return slips


def _typed_a_number(function: Callable[..., Any]) -> bool:
    """True when ``function``'s source can be read and holds no arithmetic and no call: a number typed in
    (the exercise asks for the arithmetic). False when the source cannot be read (then nothing is said)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return False
    found = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.Lambda))]
    if not found:
        return False

    def constant(node: ast.AST) -> bool:  # 170459648, -1.7e8, "170459648"
        return isinstance(node, ast.Constant) or (isinstance(node, ast.UnaryOp) and constant(node.operand))

    def arithmetic(node: ast.AST) -> bool:  # a call of constants only, int(170459648), is still a typed number
        if isinstance(node, ast.Call):
            return not all(constant(arg) for arg in [*node.args, *(keyword.value for keyword in node.keywords)])
        return isinstance(node, ast.BinOp)

    return not any(arithmetic(node) for node in ast.walk(found[0]))


def _near_miss(answer: float, right: int) -> str:
    """Within 0.1 % of the right number: "looks rounded" only when it ends in zeros the right number lacks."""
    side = "large" if answer > right else "small"
    whole = float(answer).is_integer()
    if whole and int(answer) % 10 == 0 and right % 10 != 0:
        return f"{answer:,} is slightly too {side} (it looks rounded; give the exact integer)"
    return f"{answer:,} is slightly too {side}: recheck the arithmetic"


def _memory_bytes(batch: int, num_tokens: int, heads: int, bytes_per_element: int, **_: int) -> int:
    return batch * heads * num_tokens**2 * bytes_per_element


def _takes_the_arguments(function: Callable[..., Any]) -> bool:
    """True when ``function`` can be called with the four keyword arguments of the exercise's stub."""
    try:
        inspect.signature(function).bind(**dict.fromkeys(MEMORY_ARGUMENTS, 1))
    except (TypeError, ValueError):  # no such parameters, or no signature to read
        return False
    return True


def _callable_without_arguments(function: Callable[..., Any]) -> bool:
    """True when ``function()`` binds: every parameter has a default (or none is read from a signature)."""
    try:
        inspect.signature(function).bind()
    except TypeError:  # a required parameter
        return False
    except ValueError:  # no signature to read: let the call itself tell
        return True
    return True


def _check_other_case(attention_bytes: Callable[..., Any], first: float) -> None:
    """Call the learner's function on :data:`OTHER_MEMORY_CASE`: a number typed in, or an argument left unused,
    gives the wrong value there."""
    if not _takes_the_arguments(attention_bytes):
        if _typed_a_number(attention_bytes):
            fail("the number is right, but it is typed in: write the arithmetic that gives it (batch, heads, N, bytes)")
        fail(f"keep the stub's arguments ({', '.join(MEMORY_ARGUMENTS)}): the checker also calls it for another model")
    other = dict(OTHER_MEMORY_CASE)
    answer = _NO_COST_SHORTCUT(attention_bytes, **other)
    answer = answer.item() if isinstance(answer, (torch.Tensor, np.ndarray, np.generic)) else answer
    right = _memory_bytes(**other)
    if isinstance(answer, (int, float)) and not isinstance(answer, bool) and math.isclose(answer, right, rel_tol=1e-9):
        return
    setting = ", ".join(f"{key}={value}" for key, value in other.items())
    if isinstance(answer, (int, float)) and math.isclose(answer, first, rel_tol=1e-9):
        fail(
            f"it returns the same number for every configuration (also for {setting}, ViT-B/16 in float16): "
            "compute the bytes from the arguments instead of typing the number in"
        )
    for key in MEMORY_ARGUMENTS:  # one argument left at the ViT-L value
        if isinstance(answer, (int, float)) and math.isclose(answer, _memory_bytes(**{**other, key: MEMORY_CASE[key]})):
            fail(f"the argument {key} is not used: for {setting} the answer still holds {key} = {MEMORY_CASE[key]}")
    fail(f"right for ViT-L, but wrong for {setting} (ViT-B/16 in float16): count from the arguments alone")


def check_attention_memory(attention_bytes: Callable[..., Any]) -> None:
    """Exercise 5, a prediction: ``attention_bytes(batch, num_tokens, heads, bytes_per_element)`` returns the bytes
    of the attention weights of one layer; for one ViT-L/16 layer at 384 x 384 (:data:`MEMORY_CASE`: batch 8,
    577 tokens, 16 heads, float32) and, once that is right, for :data:`OTHER_MEMORY_CASE` (a number typed in
    returns the same number for both and is named).

    Any number type is accepted (an int, a float that is whole, numpy, a one-element tensor); the
    known slips (heads or batch forgotten, entries instead of bytes, N - 1, megabytes, gigabytes, bits, float16,
    all 24 layers, a factor of the width D or the head width d) are named.
    """
    arguments = {key: MEMORY_CASE[key] for key in MEMORY_ARGUMENTS} if _takes_the_arguments(attention_bytes) else {}
    if not arguments and not _callable_without_arguments(attention_bytes):
        defaults = ", ".join(f"{key}={MEMORY_CASE[key]}" for key in MEMORY_ARGUMENTS)
        fail(
            f"keep the stub's arguments and their defaults ({defaults}): the checker calls it with no arguments "
            "(the ViT-L case), then by those names for another model"
        )
    answer = _NO_COST_SHORTCUT(attention_bytes, **arguments)
    one_number = (isinstance(answer, torch.Tensor) and answer.numel() == 1) or (
        isinstance(answer, np.ndarray) and answer.size == 1
    )
    if one_number or isinstance(answer, np.generic):
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        fail(f"return one number of bytes (an int), got a {type(answer).__name__}: {answer!r:.60}")
    case = MEMORY_CASE
    right = case["batch"] * case["heads"] * case["num_tokens"] ** 2 * case["bytes_per_element"]
    if math.isclose(answer, right, rel_tol=1e-9):
        _check_other_case(attention_bytes, answer)
        as_float = (
            " Note: you returned a float; an int was asked (a count of bytes: integer arithmetic, no `/`, "
            "keeps it exact)."
            if isinstance(answer, float)
            else ""
        )
        passed(
            f"{right:,} bytes, about {right / 1e6:.0f} MB for one layer's attention weights; ViT-L has 24 layers, "
            "and an explicit (non-fused) layer stores its weights for the backward pass, every layer's in training. "
            "The fused path (torch 2.13, CPU) saves no (N, N) tensor for backward, only q, k, v, the output and one "
            "logsumexp per row (appendix I)." + as_float
        )
        return
    if any(answer == float(f"{right:.{digits}g}") for digits in range(2, 9)):  # e.g. 1.7e8: rounded, named first
        fail(_near_miss(answer, right))
    for mistake, wrong in _memory_slips(**case).items():
        rounded = "bytes)" in mistake  # MB, MiB, GB or GiB, perhaps rounded to a whole number: looser match
        if math.isclose(answer, wrong, rel_tol=1e-2 if rounded else 1e-3):
            fail(mistake)
    ratio = answer / right if right else float("nan")
    if abs(answer - right) < 1e-3 * right:  # e.g. 1.7046e8: rounded, not a slip in the count
        fail(_near_miss(answer, right))
    count = "count the entries of the (B, h, N, N) weights, then the bytes of each"
    if 0.9 < ratio < 1.1:  # no ratio said: it would let a learner divide their way to the answer
        fail(f"{answer:,} is slightly too {'large' if ratio > 1 else 'small'}: check N, the tokens; {count}")
    if not answer > 0:
        fail(f"{answer:,} is not a positive number of bytes; {count}")
    if ratio > 1:
        fail(f"{answer:,} is too large: one factor is not among B, h, N, N and the bytes per entry (D?); {count}")
    fail(f"{answer:,} is too small: which N? {count[0].upper()}{count[1:]}")


# --- exercise 6: a fused qkv weight converted from (h three d) (GPT-NeoX, UvA) to timm's (three h d) --------------


def _timm_qkv(weight: torch.Tensor, heads: int) -> torch.Tensor:
    """The right answer: an ``(h three d)`` fused weight's rows reordered to ``(three h d)``."""
    return rearrange(weight, "(h three d) i -> (three h d) i", three=3, h=heads)


def _qkv_slips(weight: torch.Tensor, heads: int) -> dict[str, torch.Tensor]:
    """The weight a known slip returns for an ``(h three d)`` fused weight, by the message naming it."""
    dim_in, head_dim = weight.shape[-1], weight.shape[0] // (3 * heads)
    blocks = weight.reshape(heads, 3, head_dim, dim_in)  # (h, three, d, D_in)
    slips = {
        "you returned the rows unchanged, in their (h three d) order: a timm layer would read each head's q, k and v "
        "rows as queries, section 2's silent bug": weight,
        "you swapped the heads and the head width: reshape(d, 3, h, D_in) reads d groups of h rows. The rows come "
        "head by head, so reshape(h, 3, d, D_in), with h = heads": rearrange(
            weight, "(d three h) i -> (three h d) i", three=3, h=heads
        ),
        "you read the rows as (d three h): reshape(d, 3, h, D_in) swaps the heads and the head width, so the rows "
        "come out (three d h). The rows come head by head, so reshape(h, 3, d, D_in), with h = heads": rearrange(
            weight, "(d three h) i -> (three d h) i", three=3, h=heads
        ),
        "the rows come out (three d h): you moved the head width in front of the heads, so each head's d rows "
        "are no longer together": rearrange(weight, "(h three d) i -> (three d h) i", three=3, h=heads),
        "you converted the wrong way, (three h d) to (h three d): the given weight is (h three d), the answer (three "
        "h d)": rearrange(weight, "(three h d) i -> (h three d) i", three=3, h=heads),
    }
    for order in ((0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
        names = ", ".join(("q", "k", "v")[i] for i in order)
        message = f"the three blocks come out ({names}): timm's rows are all queries, then keys, then values"
        slips[message] = blocks[:, list(order)].transpose(0, 1).reshape(weight.shape)
    return slips


def _typed_heads_hint(source: str, heads: int) -> str | None:
    """A head count typed into the answer (``h=12``, ``reshape(12, 3, ...)``) fits some weights and raises on
    others: named when the source holds a number other than ``heads`` where the head count goes."""
    pattern = r"\bh\s*=\s*(\d+)|(?:reshape|view)\(\s*(\d+)\s*,\s*3\b|(?:reshape|view)\([^()]*?\b3\s*,\s*(\d+)\s*,"
    typed = re.findall(pattern, source)  # h=12; reshape(12, 3, ...); reshape(B, N, 3, 12, d)
    numbers = {int(n) for match in typed for n in match if n}
    if numbers and numbers != {heads}:
        shown = ", ".join(str(n) for n in sorted(numbers))
        return f"The head count is typed in ({shown}): use the `heads` argument (here heads={heads})"
    return None


def _lower_first(sentence: str) -> str:
    """A hint written as its own sentence, continued after a colon: its first letter lower-case."""
    return sentence[:1].lower() + sentence[1:]


_ZERO_AXIS = re.compile(r"shape '\[(?:\d+, )*0(?:, \d+)*\]' is invalid")


def _qkv_typed_hint(source: str, heads: int, head_dim: int) -> str | None:
    """Exercise 6: a head count (``h=4``, ``reshape(4, 3, ...)``) or a head width (``d=4``, ``reshape(heads, 3, 4,
    ...)``) typed into the answer, named before any layout slip (a typed 4 can mimic one on some weights)."""
    width = re.findall(r"\bd\s*=\s*(\d+)\b|(?:reshape|view)\(\s*(?:-1|[A-Za-z_][\w.]*)\s*,\s*3\s*,\s*(\d+)\s*,", source)
    widths = {int(n) for match in width for n in match if n}
    count = re.findall(r"\bh\s*=\s*(\d+)|(?:reshape|view)\(\s*(\d+)\s*,\s*3\b", source)
    counts = {int(n) for match in count for n in match if n}
    if counts and counts != {heads}:
        shown = ", ".join(str(n) for n in sorted(counts))
        return f"The head count is typed in ({shown}): use the `heads` argument (here heads={heads})"
    if widths and widths != {head_dim}:
        shown = ", ".join(str(n) for n in sorted(widths))
        return (
            f"The head width is typed in ({shown}): these weights have other widths (here d = {head_dim}). Take "
            "d = weight.shape[0] // (3 * heads), or give einops only three=3 and h=heads"
        )
    return None


def _heads_hint(source: str, heads: int, head_dim: int) -> Callable[[Exception], str | None]:
    """For :func:`attempt`: a head count or width typed into the source, or a reshape with a size-0 axis (a head
    width D // (3 h) of 0: the head count is not the ``heads`` given, e.g. ``qkv(w, 12)`` hard-coded in a call)."""

    def hint(error: Exception) -> str | None:
        typed = _qkv_typed_hint(source, heads, head_dim)
        if not typed and "view" in str(error) and "contiguous" in str(error):  # review r35a minor 9: the course's
            fail(_view_hint(error) or "")  # words alone, as exercise 2 says it
        if typed or not _ZERO_AXIS.search(str(error)):
            return typed
        return (
            "A reshape got a size-0 axis, so a head width came out 0: is a head count hard-coded (in a call, say) "
            f"in place of the `heads` argument (here heads={heads})?"
        )

    return hint


def check_to_timm_qkv(to_timm_qkv: Callable[[torch.Tensor, int], torch.Tensor]) -> None:
    """Exercise 6: ``to_timm_qkv(weight, heads)`` turns a fused ``(3 D, D_in)`` qkv weight laid out ``(h three d)``
    (GPT-NeoX, UvA tutorial 6) into the ``(three h d)`` weight a timm-style layer reads: the same q, k and v."""
    # h != d and h != 3: every slip differs from the answer; the first case has h = 5, d = 2, so a typed 4 (the
    # strips' head count) or a typed head width raises or differs there, and is named before any layout slip
    cases = [(10, 5, 7, torch.float32, 0), (24, 4, 5, torch.float32, 1), (12, 2, 12, torch.float64, 2)]
    for dim, heads, dim_in, dtype, seed in cases:
        generator = torch.Generator().manual_seed(seed)
        weight = torch.randn(3 * dim, dim_in, generator=generator, dtype=dtype)
        given = weight.clone()
        where = f"for a fused weight of shape {tuple(weight.shape)}, heads={heads} ({str(dtype).replace('torch.', '')})"
        source, head_dim = _source_of(to_timm_qkv), dim // heads
        result = attempt(to_timm_qkv, given, heads, hint=_heads_hint(source, heads, head_dim))
        if not torch.equal(given, weight):
            fail("to_timm_qkv changed the given weight in place; read it, do not modify it")
        if isinstance(result, (tuple, list)):
            fail(f"{where}: return one fused (3 D, D_in) weight, not {len(result)} pieces (torch.cat joins them)")
        if not isinstance(result, torch.Tensor):  # copy_ and load_state_dict need a torch weight
            fail(f"{where}: your weight is {a_type(result)}; return a torch.Tensor (torch.as_tensor converts)")
        answer = result.detach()
        if answer.dtype != dtype:
            fail(f"{where}: your weight is {str(answer.dtype).replace('torch.', '')}; keep the given weight's dtype")
        if tuple(answer.shape) == (dim_in, 3 * dim) and dim_in != 3 * dim:
            fail(f"{where}: your weight has shape {tuple(answer.shape)}, transposed: nn.Linear stores (out, in)")
        if tuple(answer.shape) != (3 * dim, dim_in):
            fail(f"{where}: your weight has shape {tuple(answer.shape)}; the fused weight stays (3 D, D_in)")
        tokens = torch.randn(2, 5, dim_in, generator=generator, dtype=dtype)
        neox = rearrange(tokens @ weight.T, "b n (h three d) -> three b h n d", three=3, h=heads)  # its own reading
        timm = rearrange(tokens @ answer.T, "b n (three h d) -> three b h n d", three=3, h=heads)  # timm's reading
        if close(timm, neox):
            continue
        typed = _qkv_typed_hint(source, heads, head_dim)  # before the layouts: a typed number can mimic one
        if typed:
            fail(f"{where}: {_lower_first(typed)}")
        for message, slip in _qkv_slips(weight, heads).items():
            if close(answer, slip):
                fail(f"{where}: {message}")
        fail(f"{where}: a (three h d) layer with your weight does not give the (h three d) layer's q, k and v")
    passed("a timm-style (three h d) layer with your weight gives the same q, k and v as the (h three d) one.")


#: Exercise 7 writes the whole layer: not torch's attention functions, nor the package's layer or its steps.
_NO_LAYER_SHORTCUTS = forbid(
    F.scaled_dot_product_attention,
    F.multi_head_attention_forward,
    Attention.scaled_dot_product,
    Attention.forward,
    Attention.project_qkv,
    reason="the layer written out (qkv, split into heads, scaled softmax, weighted sum, merge, proj)",
)


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, width: int) -> torch.Tensor:
    """``softmax(q k^T / sqrt(width)) v``: a slip's attention, scaled by the width it assumed."""
    return (q @ k.transpose(-2, -1) / math.sqrt(width)).softmax(-1) @ v


def _bias_slips(x: torch.Tensor, layer: Attention) -> dict[str, torch.Tensor]:
    """Exercise 7's forgotten biases: the layer's output without qkv's or proj's bias (timm's ViTs have both)."""
    batch, tokens, dim = x.shape
    head_dim = dim // layer.heads

    def run(qkv_bias: torch.Tensor | None, proj_bias: torch.Tensor | None) -> torch.Tensor:
        mixed = F.linear(x, layer.qkv.weight, qkv_bias).reshape(batch, tokens, 3, layer.heads, head_dim)
        q, k, v = mixed.permute(2, 0, 3, 1, 4)
        merged = _attend(q, k, v, head_dim).transpose(1, 2).reshape(batch, tokens, dim)
        return F.linear(merged, layer.proj.weight, proj_bias)

    return {
        "did you drop qkv's bias? q, k and v need qkv.weight and qkv.bias (timm's ViTs have one): call qkv(x)": run(
            None, layer.proj.bias
        ),
        "did you drop proj's bias? the output needs proj.weight and proj.bias: call proj(merged)": run(
            layer.qkv.bias, None
        ),
    }


def _reshape_alone_slips(x: torch.Tensor, layer: Attention) -> dict[str, torch.Tensor | tuple[torch.Tensor, ...]]:
    """Exercise 7: section 1's widget, "reshape, no permute": q, k, v read straight from the (B, N, 3D) features as
    (B, 3, h, N, d) or (3, B, h, N, d), or each of q, k, v (B, N, D) reshaped straight to (B, h, N, d) (exercise 2's
    slip), then the rest of the layer done right."""
    batch, tokens, dim = x.shape
    heads = layer.heads
    head_dim = dim // heads
    lone = {
        "(B, 3, h, N, d)": layer.qkv(x).reshape(batch, 3, heads, tokens, head_dim).transpose(0, 1),
        "(3, B, h, N, d)": layer.qkv(x).reshape(3, batch, heads, tokens, head_dim),
    }
    per_role = [part.reshape(batch, heads, tokens, head_dim) for part in layer.qkv(x).chunk(3, dim=-1)]
    out = _attend(*per_role, head_dim)  # (B, h, N, d), merged back as the lesson does or by the same reshape
    per_role_message = (
        "q, k and v were each reshaped straight to (B, h, N, d): a reshape alone mixes tokens and heads (exercise "
        "2); reshape each to (B, N, h, d), then transpose(1, 2)"
    )
    merges = (out.transpose(1, 2).reshape(batch, tokens, dim), out.reshape(batch, tokens, dim))
    return {
        per_role_message: tuple(layer.proj(merged) for merged in merges),
        **{
            f"the qkv features are split with a reshape alone, {shape}: token slots then hold other tokens' "
            "features, and heads hold other roles' (section 1's widget, 'reshape, no permute'); reshape to "
            "(B, N, 3, h, d), then permute": layer.proj(
                _attend(*parts, head_dim).transpose(1, 2).reshape(batch, tokens, dim)
            )
            for shape, parts in lone.items()
        },
    }


#: exercise 7: the softmax over the (B, h, N, N) scores' heads axis; without dim=, _NO_SOFTMAX_DIM says why
_HEADS_AXIS_SLIP = (
    "the softmax runs over the heads axis (dim=1): each query's weights must sum to 1 over the keys, the last axis "
    "(dim=-1)"
)


def _heads_behind_tokens_slip(x: torch.Tensor, layer: Attention) -> dict[str, tuple[torch.Tensor, ...]]:
    """Exercise 7: ``permute(2, 0, 1, 3, 4)`` of the (B, N, 3, h, d) features leaves q, k, v as (B, N, h, d), so
    each token's softmax runs over its heads; then merged as the lesson does (transpose(1, 2)) or straight."""
    batch, tokens, dim = x.shape
    head_dim = dim // layer.heads
    q, k, v = layer.qkv(x).reshape(batch, tokens, 3, layer.heads, head_dim).permute(2, 0, 1, 3, 4)
    out = _attend(q, k, v, head_dim)  # (B, N, h, d): per token, an (h, h) softmax over the heads
    merges = (out.transpose(1, 2).reshape(batch, tokens, dim), out.reshape(batch, tokens, dim))
    message = (
        "your q is (B, N, h, d): permute(2, 0, 1, 3, 4) left the heads behind the tokens, so each token attends over "
        "its heads; permute(2, 0, 3, 1, 4) moves the heads in front of the tokens, (B, h, N, d)"
    )
    return {message: tuple(layer.proj(merged) for merged in merges)}


def _scale_slips(
    scores: torch.Tensor, finish: Callable[[torch.Tensor], torch.Tensor], *, head_dim: int, dim: int
) -> dict[str, torch.Tensor]:
    """Exercise 7's wrong scales of the scores q k^T (B, h, N, N): none, d, d/2, 2d (d**1/2) and sqrt(D)."""
    return {
        "the scores are not divided by sqrt(d): scale q k^T by 1 / sqrt(d), d = D / heads": finish(scores.softmax(-1)),
        "the scores are divided by d; the right scale is 1 / sqrt(d), d = D / heads (the spread of q.k grows like "
        "sqrt(d))": finish((scores / head_dim).softmax(-1)),
        _HALF_D_SLIP: finish((scores / (head_dim / 2)).softmax(-1)),
        _TWO_D_SLIP: finish((scores / head_dim / 2).softmax(-1)),
        "the scores are divided by sqrt(D), the model width; the scale uses one head's width, d = D / heads": finish(
            (scores / math.sqrt(dim)).softmax(-1)
        ),
    }


def _layer_slips(x: torch.Tensor, layer: Attention) -> dict[str, torch.Tensor | tuple[torch.Tensor, ...]]:
    """Exercise 7's named slips: the layer's output with one step done wrong (the lesson's own warnings)."""
    batch, tokens, dim = x.shape
    heads = layer.heads
    head_dim = dim // heads
    q, k, v = layer.qkv(x).reshape(batch, tokens, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
    scores = q @ k.transpose(-2, -1)

    def finish(weights: torch.Tensor, *, merge: str = "transpose", proj: bool = True) -> torch.Tensor:
        out = weights @ v
        merged = (out.transpose(1, 2) if merge == "transpose" else out).reshape(batch, tokens, dim)
        return layer.proj(merged) if proj else merged

    def split_as(order: str) -> torch.Tensor:  # q, k, v split from the qkv features in another order
        q_, k_, v_ = rearrange(layer.qkv(x), f"b n ({order}) -> three b h n d", three=3, h=heads, d=head_dim)
        return layer.proj(_attend(q_, k_, v_, head_dim).transpose(1, 2).reshape(batch, tokens, dim))

    right = (scores / math.sqrt(head_dim)).softmax(-1)
    wide_q, wide_k, wide_v = layer.qkv(x).chunk(3, dim=-1)  # (B, N, D) each: one wide head, no split
    return {
        f"the scale is a fixed 1/8 (ViT-B's 1/sqrt(64)); this layer's heads are d = D / heads = {head_dim} wide: "
        "take d from x's shape and heads": finish((scores / 8).softmax(-1)),
        **{
            f"the features are not split into heads (one wide head, scaled by 1/sqrt({name})): one softmax per "
            "query for all D features. Split q, k and v into (B, heads, N, d) first, each head its own softmax": (
                layer.proj(_attend(wide_q, wide_k, wide_v, width))
            )
            for name, width in (("d", head_dim), ("D", dim))
        },
        **_scale_slips(scores, finish, head_dim=head_dim, dim=dim),
        "the softmax runs over the queries (dim=-2): each query's weights must sum to 1 over the keys, dim=-1": finish(
            (scores / math.sqrt(head_dim)).softmax(-2)
        ),
        _HEADS_AXIS_SLIP: finish((scores / math.sqrt(head_dim)).softmax(1)),
        **_reshape_alone_slips(x, layer),
        **_heads_behind_tokens_slip(x, layer),
        "the heads are merged with a reshape of (B, h, N, d) straight to (B, N, D), which mixes heads and tokens: "
        "transpose(1, 2) first, then reshape": finish(right, merge="reshape"),
        "the output projection is missing: the merged heads still go through proj": finish(right, proj=False),
        "the qkv features are split as (h, three, d); this layer's qkv is (three, h, d): all queries first": split_as(
            "h three d"
        ),
        "the qkv features are split as (three, d, h): head 0 got features 0, h, 2h, ... Each head owns one "
        "contiguous block of d features: the heads axis comes before d, (three, h, d)": split_as("three d h"),
        "q and k swapped: the scores are transposed (each key asks, each query offers); in (three, h, d) the first "
        "third of qkv's features is q, the second k": layer.proj(
            _attend(k, q, v, head_dim).transpose(1, 2).reshape(batch, tokens, dim)
        ),
        "q and v are swapped: in (three, h, d) the first third of qkv's features is q, the last third v": layer.proj(
            _attend(v, k, q, head_dim).transpose(1, 2).reshape(batch, tokens, dim)
        ),
    }


#: exercise 7: scores / d**1/2 is (scores / d) / 2; at d = 4 that is the fixed 1/8 too, so the code's spelling decides
_TWO_D_SLIP = (
    "the scores are divided by 2 d: scores / d**1/2 is (scores / d**1) / 2, since ** binds tighter than / and the "
    "divisions run left to right; write d ** 0.5 or math.sqrt(d)"
)
#: exercise 7: (d**1/2) in one piece, or a scale = d**1/2 divided by, is d/2; at d = 4 it equals sqrt(d) = 2
_HALF_D_SLIP = "the scores are divided by d/2: d**1/2 is (d**1)/2, since ** binds tighter than /"
_HALF_POWER = re.compile(r"\*\*\s*1\s*/\s*2")  # d**1/2, not d**(1/2)
_MINUS_HALF_POWER = re.compile(r"\*\*\s*-\s*1\s*/\s*2")  # d**-1/2 is (d**-1)/2: scores * d**-1/2 is scores / (2 d)
_TYPED_EIGHT = re.compile(r"\b(8|64)\b|\.125\b")  # / 8, * 0.125, / math.sqrt(64): the fixed 1/8 typed in


def _layer_hint(error: Exception, shape: tuple[int, int, int, int], source: str) -> str | None:
    """Exercise 7's hint for an error its code raised: a .view after a permute, a reshape of the wrong size, or
    (as in exercise 3) a matrix product that does not fit: k not transposed, k.T, k.transpose(1, 2)."""
    named = _view_hint(error)
    if named:
        return named
    sizes = _BATCH2.search(str(error))
    head_dim, tokens = shape[3], shape[2]
    if sizes and (int(sizes[1]), int(sizes[2])) == (head_dim, tokens) and head_dim != tokens:  # q @ k, k as it is
        return (
            "q @ k pairs query features with key tokens: k is (B, h, N, d) and is not transposed; the scores are "
            "q @ k.transpose(-2, -1), (B, h, N, N)"
        )
    return _matmul_hint(error, shape=shape, source=source)


def _first_layer_slip(
    result: torch.Tensor, slips: dict[str, torch.Tensor | tuple[torch.Tensor, ...]], source: str
) -> str | None:
    """Exercise 7: the first named slip that gives the learner's values, or None."""
    named = [
        m
        for m, wrong in slips.items()
        if any(close(result, one) for one in (wrong if isinstance(wrong, tuple) else (wrong,)))
    ]
    if _TWO_D_SLIP in named:  # at d = 4 the fixed 1/8 is 1 / (2 d) too: the code's spelling says which it was
        if _MINUS_HALF_POWER.search(source):
            return (
                "the scores are multiplied by 1 / (2 d): d**-1/2 is (d**-1)/2, since ** binds tighter than /; write "
                "d ** -0.5 or 1 / math.sqrt(d)"
            )
        if _HALF_POWER.search(source):
            return _TWO_D_SLIP
        if not _TYPED_EIGHT.search(source):
            return "the scores are divided by 2 d; the scale is 1 / sqrt(d)"
    if named and named[0] == _HALF_D_SLIP and not _HALF_POWER.search(source):  # / (d / 2): no ** to explain
        return "the scores are divided by d/2; the scale is 1 / sqrt(d)"
    return named[0] if named else None


def check_attention_layer(attention_layer: Callable[[torch.Tensor, nn.Linear, nn.Linear, int], torch.Tensor]) -> None:
    """Exercise 7: ``attention_layer(x, qkv, proj, heads)`` is the package's ``Attention`` forward pass, written
    out, on a layer's own ``qkv`` and ``proj`` Linears: compared with that layer's output, weights copied by use.

    Four layers (head counts 1 to 4, head widths 4 and 6, float32 and float64); the input must stay unchanged.
    """
    generator = torch.Generator().manual_seed(7)
    source = _source_of(attention_layer)
    widened = False
    for batch, tokens, dim, heads, dtype in (
        (2, 5, 12, 3, torch.float32),
        (1, 7, 16, 4, torch.float32),
        (3, 4, 8, 2, torch.float64),
        (2, 6, 6, 1, torch.float32),
    ):
        with torch.random.fork_rng(devices=[]):  # the learner's random numbers stay as they were
            torch.manual_seed(int(torch.randint(1000, (1,), generator=generator)))
            layer = Attention(dim, heads).to(dtype)
        x = torch.randn(batch, tokens, dim, generator=generator, dtype=dtype)
        given = x.clone()
        where = (
            f"for x {tuple(x.shape)} and {heads} head{'s' if heads > 1 else ''} ({str(dtype).replace('torch.', '')})"
        )
        with torch.no_grad():  # the reference first: the learner's call gets the very Linears it is taken from
            expected, slips = layer(x), {**_layer_slips(x, layer), **_bias_slips(x, layer)}
        linears = {"qkv": layer.qkv, "proj": layer.proj}
        snapshots = {name: _module_state(linear) for name, linear in linears.items()}
        implicit_softmax: list[bool] = []  # F.softmax(scores) without dim=: torch picks dim 1 and warns
        with _quiet_softmax(implicit_softmax):
            answer = _NO_LAYER_SHORTCUTS(
                attention_layer,
                given,
                layer.qkv,
                layer.proj,
                heads,
                hint=_hint_first(_layer_hint, shape=(batch, heads, tokens, dim // heads), source=source),
            )
        if not torch.equal(given, x):
            fail("your function changed x in place; compute new tensors instead")
        for name, linear in linears.items():
            if _changed_in_place(snapshots[name], linear):
                fail(f"your function changed {name}'s weights or dtype in place; leave the layer as it is")
        if answer is None:
            fail(f"{where} your function returned None: its last line needs `return` and the (B, N, D) tensor")
        result = as_tensor(answer, f"your result {where}")
        if tuple(result.shape) == (batch, heads, tokens, dim // heads) != (batch, tokens, dim):
            fail(f"{where} the result is per head, (B, h, N, d): merge the heads back to (B, N, D), then apply proj")
        if tuple(result.shape) != (batch, tokens, dim):
            fail(f"{where} the result has shape {tuple(result.shape)}; it should be (B, N, D) = {tuple(x.shape)}")
        widened = _keeps_dtype(answer, dtype, where, given="x") or widened
        if close(result, expected):
            continue
        mistake = _first_layer_slip(result, slips, source)
        if mistake:
            fail(f"{where}: {_NO_SOFTMAX_DIM if implicit_softmax and mistake == _HEADS_AXIS_SLIP else mistake}")
        generic = "the values differ from the layer's own output"  # a typed-in head count: exercise 6's message
        fail(f"{where}: {_lower_first(_typed_heads_hint(source, heads) or generic)}")
    note = " Note: your result is float64 for float32 inputs; in real code keep x's dtype." if widened else ""
    passed("your layer equals the package's Attention, step by step." + note)


#: section 0's tiny example: 4 tokens of width D = 4 (rows), read by 2 heads of width d = 2
TINY_TOKENS = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]])
TINY_W_Q = torch.eye(4)[[2, 3, 0, 1]]  # section 0's query weight, (D out, D in) as nn.Linear stores it
TINY_W_K = torch.eye(4)  # section 0's key weight


def tiny_weights(w_q: torch.Tensor, w_k: torch.Tensor, heads: int = 2) -> torch.Tensor:
    """Section 0's tiny example with query and key weights ``w_q``, ``w_k`` (D out, D in): the attention
    weights ``(h, N, N)`` = softmax(q k^T / sqrt(d)) per head, in float64."""
    tokens = TINY_TOKENS.double()
    num_tokens, dim = tokens.shape
    q = (tokens @ w_q.double().T).reshape(num_tokens, heads, dim // heads).transpose(0, 1)  # (h, N, d)
    k = (tokens @ w_k.double().T).reshape(num_tokens, heads, dim // heads).transpose(0, 1)
    return (q @ k.transpose(-2, -1) / math.sqrt(dim // heads)).softmax(dim=-1)


def _finds(weights: torch.Tensor, head: int, query: int = 0, key: int = 3) -> bool:
    """Is ``key`` the one largest weight in ``query``'s row of ``head`` (ties do not count)?"""
    row = weights[head, query]
    others = torch.cat([row[:key], row[key + 1 :]])
    return bool(row[key] > others.max() + 1e-9)


def check_query_finds_key(query_finds_key: Callable[[], Any]) -> None:
    """Exercise 8: ``query_finds_key()`` returns ``(w_q, w_k)``, each ``(4, 4)`` as ``nn.Linear`` stores it, such
    that in section 0's tiny example token 0's largest weight in head 0 is on token 3 and head 1's weights are
    those of section 0's ``w_q``, ``w_k``. Any such weights pass (any dtype, numpy or nested lists)."""
    answer = attempt(query_finds_key)
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        items = f" of {len(answer)} items" if isinstance(answer, (tuple, list)) else ""
        fail(f"your function returned {a_type(answer)}{items}; return the pair (w_q, w_k)")
    w_q, w_k = (as_tensor(w, name).double() for w, name in zip(answer, ("w_q", "w_k"), strict=True))
    for name, w in (("w_q", w_q), ("w_k", w_k)):
        if tuple(w.shape) != (4, 4):
            fail(f"{name} has shape {tuple(w.shape)}; each is (4, 4): (D out, D in), as nn.Linear stores it")
        if not torch.isfinite(w).all():
            fail(f"{name} holds inf or nan; use finite numbers")
    weights, before = tiny_weights(w_q, w_k), tiny_weights(TINY_W_Q, TINY_W_K)
    if _finds(weights, head=0):
        if not torch.allclose(weights[1], before[1], atol=1e-6):
            fail(
                "head 0 is right, but head 1's weights changed: keep head 1's rows of w_q and w_k as section 0 had them"
            )
        share = float(weights[0, 0, 3])
        passed(f"in head 0 token 0 now puts {share:.2f} of its weight on token 3, its largest; head 1 is unchanged.")
        return
    if _finds(weights, head=1):
        fail("token 0 attends most to token 3 in head 1, not head 0: head 0 is made by rows 0-1 of w_q and w_k")
    if _finds(tiny_weights(w_q.T, w_k.T), head=0):
        fail("transposed: nn.Linear computes q = x @ w_q.T, so row i of w_q makes query feature i (and w_k alike)")
    if _finds(tiny_weights(w_k, w_q), head=0):
        fail("asking and offering are swapped: token 0's query (w_q) must match token 3's key (w_k), not the reverse")
    row = weights[0, 0]
    if float(row[3]) >= float(row.max()) - 1e-9:
        fail(f"in head 0 token 3 ties for token 0's largest weight ({float(row[3]):.2f}); make it the one largest")
    fail(
        f"in head 0 token 0's largest weight is on token {int(row.argmax())} ({float(row.max()):.2f}); token 3 gets "
        f"{float(row[3]):.2f}: token 0's query must score token 3's key above every other key"
    )

"""Checkers for lesson 07 (Tokens-to-Token ViT).

- :func:`check_receptive_field` (exercise 1): the side of the square of pixels one final token sees
  through a chain of soft splits;
- :func:`check_fold_tokens` (exercise 2): T2T's reconstruction, ``(B, N, C) -> (B, C, rows, cols)``;
- :func:`check_token_attention` (exercise 3): T2T's single-head token attention, skip connection
  through ``v``;
- :func:`check_t2t_token_count` (exercise 4): how many tokens the T2T module makes of an ``H x W``
  image.

Each checker runs the learner's function on several cases (square and non-square images and
grids, token widths narrower and wider than the output) and compares it with the package
(:func:`vit_explained.t2t_chain`, :func:`vit_explained.tokens_to_image`,
:class:`vit_explained.TokenAttention`).
"""

from __future__ import annotations

import copy
import inspect
import math
import random
import re
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np
import torch
from torch import nn

from ..soft_split import SoftSplit, count_tokens, tokens_to_image
from ..t2t import T2T_SPLITS, T2TViT, TokenAttention, Tokens2Token, t2t_chain
from . import ExerciseFailed, as_int, as_tensor, attempt, close, fail, forbid, passed

#: Exercise 1: the formula, not t2t_chain or the module (nor an unfold to count from).
_NO_CHAIN = forbid(
    t2t_chain,
    Tokens2Token,
    T2TViT,
    SoftSplit,
    count_tokens,
    torch.nn.functional.unfold,
    reason="the count from the formula",
)

#: Exercise 2: what tokens_to_image does, without calling it.
_NO_TOKENS_TO_IMAGE = forbid(tokens_to_image, reason="the reconstruction")

#: Exercise 3: T2T's token attention from qkv and proj, not the package's module.
_NO_TOKEN_ATTENTION = forbid(TokenAttention, reason="T2T's token attention")

__all__ = ["check_fold_tokens", "check_receptive_field", "check_t2t_token_count", "check_token_attention"]

# Chains of soft splits, (kernel, stride, padding) each: T2T's, one split, stride 1 (stacked 3x3 convolutions),
# no overlap (kernel = stride: ViT-like patches), four splits with T2T's field, and kernels and strides
# that differ between splits, so no answer can hard-code a kernel, a stride or a count of splits.
RECEPTIVE_FIELD_CASES = (
    T2T_SPLITS,
    ((7, 4, 2),),
    ((3, 1, 1), (3, 1, 1), (3, 1, 1)),
    ((4, 4, 0), (2, 2, 0), (2, 2, 0)),
    ((3, 2, 1),) * 4,
    ((5, 2, 2), (3, 2, 1)),
    ((9, 3, 3), (5, 2, 2)),
    ((6, 4, 1), (4, 3, 1), (3, 2, 1)),
)

# (height, width): the lesson's 400x100, square and non-square, sizes where rounding bites.
TOKEN_COUNT_CASES = (
    (400, 100),
    (224, 224),
    (100, 400),
    (225, 225),
    (384, 256),
    (97, 61),
    (227, 130),
    (33, 50),
)

# (batch, rows, cols, channels): non-square grids first, so rows and cols cannot be swapped unseen;
# the fourth has a square number of tokens (2 x 8 = 16 = 4 x 4), so a square fold runs and is wrong;
# the last is a square 4 x 4 grid, so a fold that only works when rows != cols fails too.
FOLD_CASES = ((2, 3, 5, 4), (1, 7, 2, 3), (3, 4, 6, 8), (2, 2, 8, 5), (2, 4, 4, 3))

# (dim, token_dim, batch, tokens): input narrower, wider and as wide as the output.
# No case has N = 7 or 24 (the lesson's printed scales are 1/7 and 1/24), so a hard-coded scale is not
# mistaken for dividing by N.
ATTENTION_CASES = ((49, 64, 2, 10), (576, 64, 3, 11), (16, 16, 2, 9), (147, 32, 1, 12))


def _receptive_field(splits, jump_factor=lambda k, s: s, step=lambda k: k - 1, start=1, own_stride=False) -> int:
    """The side of the square an interior final token sees, and plausible slips of it.

    Split ``i``'s window spans ``k_i`` tokens of its input, which sit ``jump_i`` pixels apart
    (``jump_i`` = the product of the earlier strides), so it widens the field by ``(k_i - 1) * jump_i``.
    """
    field, jump = start, 1
    for kernel, stride, _ in splits:
        if own_stride:
            jump *= jump_factor(kernel, stride)
        field += step(kernel) * jump
        if not own_stride:
            jump *= jump_factor(kernel, stride)
    return field


def _receptive_field_padded(splits, sides: int = 2, scaled: bool = True) -> int:
    """The slip of counting the padding as if it widened each window: ``(k - 1 + 2p) * jump``; ``sides=1``
    adds it once, ``(k - 1 + p) * jump``; ``scaled=False`` adds it in pixels, ``(k - 1) * jump + 2p``."""
    field, jump = 1, 1
    for kernel, stride, padding in splits:
        field += (kernel - 1) * jump + sides * padding * (jump if scaled else 1)
        jump *= stride
    return field


def _receptive_field_recursion(splits, minus: int = 1, forward: bool = False) -> int:
    """The recursion from the final token back to the pixels, ``f = (f - 1) * stride + kernel`` over the
    splits last to first, and its slips: ``minus=0`` drops the ``- 1``, ``forward=True`` runs it first to last."""
    field = 1
    for kernel, stride, _ in splits if forward else reversed(splits):
        field = (field - minus) * stride + kernel
    return field


#: the stride-as-overlap slip, in exercise 4's words (T2T's chain: spacings 3, 3, 3 give 19, not 31)
_PAPERS_S_AS_STRIDE = (
    "for the chain {splits} you return {answer}: you used the paper's s as the stride, spacing the windows by "
    "k - s (T2T: 3, 1, 1, which gives 19). In the paper's Eq. 3 s is the *overlap* of two windows and the stride "
    "is k - s; T2T_SPLITS, like every chain here, holds the stride itself (4, 2, 2)"
)

#: (slip name, the field it gives for a chain of splits, what to say)
_FIELD_SLIPS: list[tuple[Callable[[Any], int], str]] = [
    (
        lambda splits: _receptive_field(T2T_SPLITS),
        "your function gives {answer} for the chain {splits}, T2T's own field: it reads T2T_SPLITS (or a copy of "
        "it), or returns a fixed number, instead of computing the field from its argument `splits`",
    ),
    (
        lambda splits: _receptive_field(splits, jump_factor=lambda k, s: k - s),
        _PAPERS_S_AS_STRIDE,
    ),
    (  # the same slip with a guard for k == s (no overlap: k - s = 0), spacing 1 there (review r30c minor 4)
        lambda splits: _receptive_field(splits, jump_factor=lambda k, s: (k - s) or 1),
        _PAPERS_S_AS_STRIDE,
    ),
    (
        lambda splits: sum(kernel for kernel, _, _ in splits),
        "for the chain {splits} you return {answer}, the kernels added: you added every split's kernel as if it "
        "slid over pixels. A later split's window spans kernel *tokens* of the previous grid, not kernel pixels: "
        "see section 2's picture of the pixels one token depends on",
    ),
    (
        lambda splits: _receptive_field(splits, jump_factor=lambda k, s: 1),
        "for the chain {splits} you return {answer}, 1 + the sum of (kernel - 1): you added every split's kernel "
        "as if it slid over pixels. A later split's window spans kernel *tokens* of the previous grid, not "
        "kernel pixels: see section 2's picture of the pixels one token depends on",
    ),
    (
        lambda splits: splits[-1][0] * math.prod(stride for _, stride, _ in splits[:-1]),
        "for the chain {splits} you return {answer}: the last split's window alone, in pixels (its kernel times the "
        "earlier strides). Each token that window spans was itself made from a window of the earlier splits, which "
        "widens the field further: follow one side from a single pixel, split by split",
    ),
    (
        lambda splits: _receptive_field(splits, own_stride=True),
        "for the chain {splits} you return {answer}: you multiplied a split's kernel by its own stride too. "
        "A split's stride spaces the tokens it makes, not the tokens its window spans",
    ),
    (
        lambda splits: (
            1 + sum((kernel - 1) * (splits[i - 1][1] if i else 1) for i, (kernel, _, _) in enumerate(splits))
        ),
        "for the chain {splits} you return {answer}: you spaced each split's window by the previous split's stride "
        "alone (T2T: 7 + 2 * 4 + 2 * 2 = 19). The tokens a split's window spans sit, in pixels, the product of ALL "
        "earlier strides apart (4 * 2 = 8 at T2T's third split)",
    ),
    (
        lambda splits: 1 + sum((kernel - 1) * stride**i for i, (kernel, stride, _) in enumerate(splits)),
        "for the chain {splits} you return {answer}: you took split i's spacing as its own stride to the power i "
        "(stride ** i). That holds only when every stride is the same; try a chain whose strides differ, with "
        "section 2's picture of the pixels one token depends on",
    ),
    (
        lambda splits: _receptive_field(splits, step=lambda k: k, start=0),
        "for the chain {splits} you return {answer}: each window adds kernel - 1 neighbours, not kernel: its "
        "first token is the one the field already holds",
    ),
    (
        lambda splits: _receptive_field(splits, step=lambda k: k),
        "for the chain {splits} you return {answer}: each window adds kernel - 1 neighbours, not kernel: its "
        "first token is the one the field already holds",
    ),
    (
        lambda splits: _receptive_field(splits) - 1,
        "for the chain {splits} you return {answer}, one short: you counted the steps from the first pixel "
        "to the last, and the field also holds the first pixel",
    ),
    (
        lambda splits: _receptive_field(splits) + 1,
        "for the chain {splits} you return {answer}, one too many: the first pixel is counted twice",
    ),
    (
        lambda splits: _receptive_field(splits) + math.prod(stride for _, stride, _ in splits) - 1,
        "for the chain {splits} you return {answer}: you added the final token's stride cell (the strides' "
        "product, minus 1) to the field. Section 2's red square only marks where a final token sits; the field is "
        "the nested windows alone, and it is already at least that wide",
    ),
    (
        lambda splits: math.prod(kernel for kernel, _, _ in splits),
        "for the chain {splits} you return {answer}, the kernels multiplied. Windows of windows overlap, so "
        "their sides do not multiply: see section 2's picture of the pixels one token depends on",
    ),
    (
        lambda splits: math.prod(stride for _, stride, _ in splits),
        "for the chain {splits} you return {answer}, the strides multiplied: that is the distance between two "
        "neighbouring final tokens in pixels, not the square one token sees (with overlap it is wider)",
    ),
    (
        lambda splits: _receptive_field_padded(splits),
        "for the chain {splits} you return {answer}: you added the padding, (kernel - 1 + 2 * padding) * spacing. "
        "Padding shifts the windows but does not widen them: the "
        "zeros it adds at the border are not pixels an interior token sees",
    ),
    (
        lambda splits: _receptive_field_padded(splits, sides=1),
        "for the chain {splits} you return {answer}: you added the padding once per split, (kernel - 1 + padding) "
        "* spacing. Padding adds no pixel to a window, on either side: it only "
        "shifts where the windows sit",
    ),
    (
        lambda splits: _receptive_field_padded(splits, scaled=False),
        "for the chain {splits} you return {answer}: you added 2 * padding pixels per split, (kernel - 1) * "
        "spacing + 2 * padding. Padding adds no pixel an interior token sees: the zeros lie "
        "outside the image and only shift the windows",
    ),
    (
        lambda splits: _receptive_field_recursion(splits, minus=0),
        "for the chain {splits} you return {answer}: your recursion f = f * stride + kernel misses a - 1: "
        "f tokens have only f - 1 gaps between them",
    ),
    (
        lambda splits: _receptive_field_recursion(splits, forward=True),
        "for the chain {splits} you return {answer}: you ran your recursion from the first split to the last. "
        "It walks from the final token back to the pixels, so it starts at the last split",
    ),
    (
        lambda splits: _receptive_field(splits) ** 2,
        "for the chain {splits} you return {answer}, the number of pixels in the square; return its side",
    ),
]


def _random_chains(count: int = 2) -> list[tuple[tuple[int, int, int], ...]]:
    """``count`` chains of 1 to 4 soft splits drawn afresh on every call (kernel 2-7, stride 1 to the kernel,
    padding up to half the kernel), so a table of the fixed cases' answers does not pass."""
    draw = random.Random()  # not the global seed: the lesson's seeded cells stay as they are
    chains = []
    while len(chains) < count:
        kernels = [draw.randint(2, 7) for _ in range(draw.randint(1, 4))]
        chain = tuple((k, draw.randint(1, k), draw.randint(0, k // 2)) for k in kernels)
        if chain not in RECEPTIVE_FIELD_CASES:  # new to the learner's function
            chains.append(chain)
    return chains


def check_receptive_field(receptive_field: Callable[[Any], int]) -> None:
    """Check ``receptive_field(splits) -> int``: the side of the square of pixels that an interior final
    token depends on through a chain of soft splits alone (no token transformers), each split a
    ``(kernel, stride, padding)`` in the package's order, as in ``T2T_SPLITS``."""
    wrong = []
    cases = (*RECEPTIVE_FIELD_CASES, *_random_chains())  # two fresh chains per call: a lookup table cannot pass
    for splits in cases:
        chain = "(" + ", ".join(str(split) for split in splits) + ("," if len(splits) == 1 else "") + ")"
        answer = attempt(receptive_field, tuple(tuple(split) for split in splits))
        if isinstance(answer, (tuple, list)) and len(answer) == 2:
            fail(f"for the chain {chain} you returned a pair {answer!r}; the field is a square: return its side")
        if answer is None:
            fail(
                f"for the chain {chain} your function returned None: did your function forget `return`? "
                "Return the field's side, a whole number"
            )
        answer = as_int(answer, f"your field for the chain {chain}", integral_floats=True)  # 31, 31.0, tensor(31)
        if answer != _receptive_field(splits):
            wrong.append((splits, chain, answer))
    if wrong:
        answers = {answer for _, _, answer in wrong}
        if len(answers) == 1 and len(wrong) > 1 and answers != {_receptive_field(T2T_SPLITS)}:
            fail(
                f"your function gives {wrong[0][2]} for every chain it gets wrong, {wrong[0][1]} among them: it "
                "returns a fixed number instead of computing the field from its argument `splits`"
            )
        # name a slip only if it explains every chain the answer is wrong for
        for slip, message in _FIELD_SLIPS:
            if all(slip(splits) == answer for splits, _, answer in wrong):
                fail(message.format(splits=wrong[0][1], answer=wrong[0][2]))
        splits, chain, answer = wrong[0]
        fail(
            f"for the chain {chain} your function gives {answer}, but an interior final token depends on a "
            f"{_receptive_field(splits)} x {_receptive_field(splits)} square of pixels (checked with gradients, "
            "as in section 2). Follow one side: what does each split's window add, in pixels?"
        )
    four = ((3, 2, 1),) * 4
    passed(
        f"Your field matches on {len(cases)} chains: T2T's (7, 4, 2), (3, 2, 1), (3, 2, 1) sees "
        f"{_receptive_field(T2T_SPLITS)} x {_receptive_field(T2T_SPLITS)} pixels, and so do four (3, 2, 1) splits "
        f"({_receptive_field(four)}), whose first token transformer has 16 times the attention entries "
        "(Explore, 'The T2T chain')."
    )


def _windows(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def _chain_without_padding(height: int, width: int) -> int | None:
    """The T2T count if every padding were forgotten (``None`` if the image gets too small)."""
    for kernel, stride, _ in T2T_SPLITS:
        if height < kernel or width < kernel:
            return None
        height, width = _windows(height, kernel, stride, 0), _windows(width, kernel, stride, 0)
    return height * width


def _as_count(answer: object, height: int, width: int) -> int:
    if isinstance(answer, float) and not answer.is_integer():
        fail(
            f"for a {height}x{width} image you returned {answer}, not a whole number of tokens: round down at each "
            "split, floor((size + 2 * padding - kernel) / stride) + 1, before the next split"
        )
    if answer is None:
        fail(
            f"for a {height}x{width} image your function returned None: did your function forget `return`? "
            "Return the number of tokens, a whole number"
        )
    if isinstance(answer, tuple) and len(answer) == 2:
        fail(
            f"for a {height}x{width} image you returned a pair {answer!r}; return the number of tokens, "
            "one int (rows times columns)"
        )
    return as_int(answer, f"your count for a {height}x{width} image", integral_floats=True)  # as exercise 1


def _chain_with_strides(height: int, width: int, strides: list[int]) -> int:
    """The T2T count with other strides (the paper's overlaps 3, 1, 1 read as strides, say)."""
    for (kernel, _, padding), stride in zip(T2T_SPLITS, strides, strict=True):
        height, width = _windows(height, kernel, stride, padding), _windows(width, kernel, stride, padding)
    return height * width


def _chain_padding_first_only(height: int, width: int) -> int | None:
    """The T2T count if only the first split padded, the later ones' padding forgotten (``None`` if too small)."""
    for index, (kernel, stride, padding) in enumerate(T2T_SPLITS):
        padding = padding if index == 0 else 0
        if min(height, width) + 2 * padding < kernel:
            return None
        height, width = _windows(height, kernel, stride, padding), _windows(width, kernel, stride, padding)
    return height * width


def _chain_halved_down(height: int, width: int) -> int:
    """The T2T count with the (3, 2, 1) splits' padding dropped from the rounding: ``(size + 1) // 4 // 2 // 2``."""
    return ((height + 1) // 4 // 2 // 2) * ((width + 1) // 4 // 2 // 2)


def _chain_halved_nearest(height: int, width: int) -> int:
    """``round`` in place of ``//`` at every split, (7, 4, 2) too: ``round(round(round((size + 1) / 4) / 2) / 2)``."""
    return math.prod(round(round(round((size + 1) / 4) / 2) / 2) for size in (height, width))


def _chain_padding_once(height: int, width: int) -> int | None:
    """The T2T count if each split padded one side only, ``(size + p - k) // s + 1`` (``None`` if too small)."""
    for kernel, stride, padding in T2T_SPLITS:
        height, width = (height + padding - kernel) // stride + 1, (width + padding - kernel) // stride + 1
        if height < 1 or width < 1:
            return None
    return height * width


def _chain_rounded(height: int, width: int, rounding: Callable[[float], int]) -> int:
    """The T2T count with ``rounding`` (``math.ceil``, ``round``) in place of the floor at every split."""
    for kernel, stride, padding in T2T_SPLITS:
        height = rounding((height + 2 * padding - kernel) / stride) + 1
        width = rounding((width + 2 * padding - kernel) / stride) + 1
    return height * width


def _one_side_twice(answer: int, stages: list[Any]) -> bool:
    """Does ``answer`` square one side's count (the height used for the width too, or the other way)?"""
    return answer in {stages[-1].grid.rows ** 2, stages[-1].grid.cols ** 2}


#: (does this slip explain ``answer`` for an image of ``height x width``?, what to say).
_COUNT_SLIPS: list[tuple[Callable[[int, int, int, list[Any]], bool], str]] = [
    (
        lambda h, w, answer, stages: answer == stages[-1].grid.total + 1,
        "for {case} you counted one token too many: the T2T module makes no class token (T2TViT adds it)",
    ),
    (  # review r29d minor 7: rows only (or columns only), the most common way to stop one step short
        lambda h, w, answer, stages: answer == stages[-1].grid.rows,
        "for {case} you return {answer}: that is the row count alone; multiply by the columns (the width, "
        "through the same three splits)",
    ),
    (
        lambda h, w, answer, stages: answer == stages[-1].grid.cols,
        "for {case} you return {answer}: that is the column count alone; multiply by the rows (the height, "
        "through the same three splits)",
    ),
    (  # review r33a minor 4: ViT's count named first, also when it came from rounding down at the last splits
        lambda h, w, answer, stages: answer == (h // 16) * (w // 16),
        "for {case} you return {answer}: that is ViT's count for 16x16 patches, (H // 16) * (W // 16). T2T's "
        "windows overlap and are padded. You get it too if at the (3, 2, 1) splits you rounded down or to nearest, "
        "not up, as in (H + 1) // 4 // 2 // 2. Their padding of 1 at both ends makes each of them ceil(size / 2): "
        "floor((size + 2 * padding - kernel) / stride) + 1; and at the (7, 4, 2) split round down: (H + 1) // 4",
    ),
    (
        lambda h, w, answer, stages: answer in {_chain_halved_down(h, w), _chain_halved_nearest(h, w)},
        "for {case} you return {answer}: at the (3, 2, 1) splits you rounded down or to nearest, not up, as in "
        "(H + 1) // 4 // 2 // 2. Their padding of 1 at both ends makes each of them ceil(size / 2): "
        "floor((size + 2 * padding - kernel) / stride) + 1; and at the (7, 4, 2) split round down: (H + 1) // 4",
    ),
    (
        lambda h, w, answer, stages: answer == math.ceil(h / 16) * math.ceil(w / 16),
        "for {case} you return {answer}: that is ceil(size / stride) at every split, the same number as ViT's 16x16 "
        "patch count rounded up, ceil(H / 16) * ceil(W / 16). ceil(size / 2) holds for the (3, 2, 1) splits, not "
        "for (7, 4, 2): there it is floor((size + 1) / 4). At each split, floor((size + 2 * padding - kernel) / "
        "stride) + 1",
    ),
    (
        lambda h, w, answer, stages: answer in {(h // 16) ** 2, (w // 16) ** 2},
        "for {case} you return {answer}: that is the original code's square-image count (img_size // 16) ** 2, "
        "one side's H // 16 used twice. It is right only for square sides of 16k, 16k + 1 or 16k + 2 pixels; "
        "rows come from the height and columns from the width, each through all three soft splits",
    ),
    (
        lambda h, w, answer, stages: _one_side_twice(answer, stages),
        "for {case} you return {answer}, one side's count times itself: your count assumes a square image "
        "(the height used twice, or the width). Rows come from the height and columns from the width, each "
        "through its own three splits; the token count is rows times columns",
    ),
    (
        lambda h, w, answer, stages: answer == _chain_rounded(h, w, math.ceil),
        "for {case} you return {answer}: you rounded up (ceil) at each split. A window counts only if it fits "
        "whole inside the padded image, so round down: floor((size + 2 * padding - kernel) / stride) + 1",
    ),
    (
        lambda h, w, answer, stages: answer == _chain_rounded(h, w, round),
        "for {case} you return {answer}: you rounded to the nearest whole number (round) at each split. A "
        "window counts only if it fits whole inside the padded image, so round down: "
        "floor((size + 2 * padding - kernel) / stride) + 1",
    ),
    (
        lambda h, w, answer, stages: (
            answer == _chain_with_strides(h, w, [kernel - stride for kernel, stride, _ in T2T_SPLITS])
        ),
        "for {case} you return {answer}: you used the paper's s as the stride (3, 1, 1). In the paper's Eq. 3 s is "
        "the *overlap* of two windows and the stride is k - s; T2T_SPLITS holds the stride itself (4, 2, 2)",
    ),
    (
        lambda h, w, answer, stages: answer == _chain_padding_once(h, w),
        "for {case} you return {answer}: you added the padding once per side. Every soft split pads *both* ends "
        "of each side: top and bottom, left and right",
    ),
    (
        lambda h, w, answer, stages: answer == _chain_padding_first_only(h, w),
        "for {case} you return {answer}: you padded the first soft split only. Every soft split pads, each by its "
        "own padding (the third number of each split in T2T_SPLITS), at both ends of each side",
    ),
    (
        lambda h, w, answer, stages: answer == _chain_without_padding(h, w),
        "for {case} you return {answer}: either the padding or the + 1 is missing. In T2T_SPLITS each stride is "
        "twice its padding, so both slips give this same count at every image size. Every soft split pads both "
        "ends of each side, and the + 1 counts the first window",
    ),
    (
        lambda h, w, answer, stages: answer == stages[0].grid.total,
        "for {case} you return {answer}, the tokens after soft split 1; there are {splits} soft splits and "
        "the backbone sees the last one's tokens",
    ),
    (
        lambda h, w, answer, stages: answer == stages[1].grid.total,
        "for {case} you return {answer}, the tokens after soft split 2; there are {splits} soft splits and "
        "the backbone sees the last one's tokens",
    ),
]


def _random_sizes(count: int = 2) -> list[tuple[int, int]]:
    """``count`` non-square ``(height, width)`` sizes of 32 to 512 pixels drawn afresh on every call, none of them
    a fixed case, so a table of the fixed cases' answers does not pass."""
    draw = random.Random()  # not the global seed: the lesson's seeded cells stay as they are
    sizes: list[tuple[int, int]] = []
    while len(sizes) < count:
        size = (draw.randint(32, 512), draw.randint(32, 512))
        if size[0] != size[1] and size not in TOKEN_COUNT_CASES and size not in sizes:
            sizes.append(size)
    return sizes


def check_t2t_token_count(t2t_token_count: Callable[[int, int], int]) -> None:
    """Check ``t2t_token_count(height, width) -> int``: the tokens the T2T module hands to the
    backbone for an ``height x width`` image (no class token), for the splits ``T2T_SPLITS``."""
    wrong = []
    drawn = _random_sizes()  # two fresh sizes per call: a lookup table of the fixed sizes cannot pass
    for height, width in (*TOKEN_COUNT_CASES, *drawn):
        answer = _as_count(_NO_CHAIN(t2t_token_count, height, width), height, width)
        stages = t2t_chain(height, width, 3)
        if answer != stages[-1].grid.total:
            wrong.append((height, width, answer, stages))
    if wrong and all((height, width) in drawn for height, width, _, _ in wrong):
        height, width, answer, stages = wrong[0]
        fail(
            f"your function is right on the {len(TOKEN_COUNT_CASES)} fixed sizes but gives {answer} for a "
            f"{height}x{width} image, drawn at random: does it look the fixed sizes up instead of counting? "
            "Count from `height` and `width`, split by split"
        )
    if wrong:
        # Slips are named from the fixed sizes only (the random ones decide the verdict), so the message is the
        # same on every call (audit a34a item 3)
        named = [case for case in wrong if case[:2] not in drawn] or wrong
        if len({answer for _, _, answer, _ in named}) == 1 and len(named) > 1:
            fail(
                f"your function gives {named[0][2]} for every image size it gets wrong, a {named[0][0]}x"
                f"{named[0][1]} image among them: it returns a fixed number instead of counting the tokens from "
                "its arguments `height` and `width`"
            )
        # Name a slip only if it explains every size the count is wrong for: on one size alone a
        # forgotten "+ 1" can give the same number as forgotten padding.
        for slip, message in _COUNT_SLIPS:
            if all(slip(height, width, answer, stages) for height, width, answer, stages in named):
                height, width, answer, stages = named[0]
                fail(message.format(case=f"a {height}x{width} image", answer=answer, splits=len(T2T_SPLITS)))
        height, width, answer, stages = wrong[0]
        fail(
            f"for a {height}x{width} image your function gives {answer}, but Tokens2Token({(height, width)}, ...) "
            f"makes {stages[-1].grid.total} tokens. Per side and per split: floor((size + 2 * padding - kernel) / "
            "stride) + 1"
        )
    passed(
        f"Your count matches t2t_chain on {len(TOKEN_COUNT_CASES) + len(drawn)} image sizes (two drawn at random),"
        " e.g. 400x100 -> "
        f"{t2t_chain(400, 100, 1)[-1].grid.total} tokens, where ViT's H/16 * W/16 does not even give a whole number."
    )


def _readable_source(function: Callable[..., Any]) -> str:
    """``function``'s source, or "" when it cannot be read (a lambda typed at a prompt, a builtin)."""
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


def _square_fold_message(case: str, rows: int, cols: int) -> str:
    count = rows * cols
    return (
        f"for {case} you folded the {count} tokens into a square of side sqrt(N) = sqrt({count}). The grid is "
        f"rows x cols = {rows} x {cols}, not sqrt(N) x sqrt(N): use the rows and cols you are given "
        "(a non-square image makes a non-square grid)"
    )


def _square_fold_hint(
    case: str, rows: int, cols: int, source: str = "", channels: int | None = None
) -> Callable[[Exception], str | None]:
    """Name the square fold when reshaping to ``(B, C, s, s)`` or ``(B, s, s, C)``, ``s = sqrt(N)``, raised: a
    reshape or view's grid sizes (the last two, or the middle two before ``C``), unflatten's sizes or F.fold's output
    size holding a side near sqrt(N) twice, or any shape error from a function whose source takes a square root.
    When the source is readable and takes no root, the sizes alone do not blame sqrt(N): a hard-coded grid (review
    r34d minor 2). Otherwise a shape error whose last two sizes are not ``rows``, ``cols`` or ``N`` names a fixed
    grid size."""
    root = math.sqrt(rows * cols)

    def hint(error: Exception) -> str | None:
        text = str(error)
        kernel = re.search(r"kernel_size=\((\d+), (\d+)\)", text)
        if kernel and max(map(int, kernel.groups())) > 1:  # review r33a (brief fix07_33a item 3): F.fold(k > 1)
            return (
                "It looks like you used F.fold (nn.Fold) with a k x k kernel: that undoes a soft split and sums "
                "overlapping windows. T2T's reconstruction is a reshape, each token one pixel, nothing summed"
            )  # review r34c minor 3: the message no longer spells out the solution's reshapes
        shape = re.search(r"shape '\[([-\d, ]+)\]' is invalid", text)
        sizes = [int(size) for size in shape.group(1).split(",")] if shape else []
        fixed = sizes and not {size for size in sizes[-2:] if size > 0} <= {rows, cols, rows * cols}
        fixed_hint = "Use the `rows` and `cols` you are given, not a fixed grid size" if fixed else None  # r32a m9
        if rows == cols:  # a square grid: a square fold is right there, so an error there is something else
            return fixed_hint
        # the grid's two sizes: the last two (B, C, s, s), or the middle two before C or -1 (B, s, s, C); never the
        # batch or the channels, so (B, C, 3, 5) with C = 3 is no square (review r34d minor 2)
        grids = [sizes[-2:]] if len(sizes) >= 2 else []
        if len(sizes) == 4 and sizes[3] in {channels, -1}:
            grids.append(sizes[1:3])
        square_sizes = any(first == second and abs(first - root) < 1 for first, second in grids)
        # (s, s) or [s, s] anywhere: unflatten's "Provided sizes [3, 3]", F.fold's "output_size=(4, 4)"
        pairs = re.findall(r"[\[(](\d+), (\d+)[\])]", text)
        square_pair = any(first == second and abs(int(first) - root) < 1 for first, second in pairs)
        takes_root = re.search(r"sqrt|isqrt|pow\(|\*\*\s*(0?\.5|\(1\s*/\s*2\))", source) is not None
        shape_error = isinstance(error, RuntimeError) and re.search(r"shape|size|sizes", text) is not None
        if source and not takes_root:  # readable, and no root taken: a square grid there is a fixed size
            square_sizes = square_pair = False
        if square_sizes or square_pair or (takes_root and shape_error):
            return (
                "It looks like "
                + _square_fold_message(case, rows, cols).removeprefix(f"for {case} ")
                + f"; {rows * cols} tokens make no whole square"
            )
        return fixed_hint

    return hint


#: The dtypes a fold may return for float32 tokens; values are compared to float32's precision
#: (``close``: rtol 1e-4, atol 1e-5), so the same right fold passes in either.
FOLD_DTYPES = (torch.float32, torch.float64)


def _as_folded_image(answer: object, tokens: torch.Tensor, case: str) -> torch.Tensor:
    """The learner's folded image as a tensor, rejected when it is not a float32 or float64 torch.Tensor (a fold
    computed in float64 from float32 tokens passes: the values are compared to float32's precision)."""
    if (
        answer is None
        or isinstance(answer, (bool, int, float, complex, np.generic))
        or (isinstance(answer, torch.Tensor) and answer.dim() == 0)
    ):
        fail(f"for {case} you returned {answer!r:.40}; return the folded image, a (B, C, rows, cols) tensor")
    if isinstance(answer, (np.ndarray, list, tuple)):
        kind = "a numpy array" if isinstance(answer, np.ndarray) else f"a Python {type(answer).__name__}"
        fail(
            f"for {case} you returned {kind}; a torch.Tensor is asked: the next soft split (nn.Unfold) "
            "takes a tensor, and the model trains through the fold. Stay in torch: a round trip "
            "through NumPy or Python lists cuts the gradient, even converted back"
        )
    answer = as_tensor(answer, f"your image for {case}")
    if answer.dtype not in FOLD_DTYPES:
        fail(
            f"for {case} your image is {answer.dtype}, the tokens were {tokens.dtype}: the checker accepts "
            "float32 or float64, as a fold only moves numbers. Another dtype rounds them (float16, bfloat16) or "
            "drops their fractions (integers). Fold without changing the dtype"
        )
    return answer


def _check_fold_constant(
    fold_tokens: Callable[[torch.Tensor, int, int], torch.Tensor],
    tokens: torch.Tensor,
    answer: torch.Tensor,
    rows: int,
    cols: int,
    case: str,
) -> None:
    """Fail naming a fixed answer: the same image for other tokens (a constant tensor, not folded from them)."""
    other = tokens.flip(-1) + 0.5  # other values, same shape and dtype
    again = attempt(fold_tokens, other, rows, cols)
    if isinstance(again, torch.Tensor) and again.shape == answer.shape and torch.equal(again.detach(), answer):
        fail(
            f"for {case} your function gives the same image for other tokens: it returns a fixed tensor "
            "instead of folding its argument `tokens`"
        )


def _check_fold_shape(answer: torch.Tensor, expected: torch.Tensor, case: str, rows: int, cols: int) -> None:
    """Reject a folded image of the wrong shape, naming the slip when it is a known one."""
    batch, channels = expected.shape[:2]
    side = math.isqrt(rows * cols)
    if rows != cols and side * side == rows * cols and tuple(answer.shape) == (batch, channels, side, side):
        fail(_square_fold_message(case, rows, cols))
    if rows != cols and tuple(answer.shape) == (batch, channels, cols, rows):
        fail(
            f"for {case} your image has shape {tuple(answer.shape)}: rows and cols are swapped. The grid is "
            f"rows high and cols wide, so the shape is (B, C, rows, cols) = {tuple(expected.shape)}"
        )
    if tuple(answer.shape) == (batch, rows, cols, channels):
        fail(
            f"for {case} your image has shape (B, rows, cols, C) = {tuple(answer.shape)}, channels last: "
            f"permute to (B, C, rows, cols) = {tuple(expected.shape)}, as PyTorch's images (and nn.Unfold) "
            "have the channels before the grid"
        )
    if answer.shape != expected.shape:
        fail(f"for {case} expected shape (B, C, rows, cols) = {tuple(expected.shape)}, got {tuple(answer.shape)}")


def _numpy_with_grad_hint(error: Exception) -> str | None:
    """Name the numpy round trip when ``.numpy()`` refused a tensor that requires grad."""
    if "numpy()" in str(error) and "requires grad" in str(error):
        return (
            "Your fold goes through numpy, and numpy cannot carry autograd's graph. In T2T the fold sits between "
            "token transformer 1 and the next soft split, so a fold outside torch stops token transformer 1 (and "
            "everything before the fold) from training. Stay in torch (transpose, reshape)"
        )
    return None


def _in_place_backward_message(right: str, what: str) -> str:
    """The reply when autograd's backward pass raised because an in-place operation changed a saved tensor."""
    return (
        f"{right}, but an in-place operation (such as exp_, mul_, add_, /= or +=) changed a tensor that autograd "
        f"saved for the backward pass, so no gradient can pass back through {what}: use the out-of-place form "
        "(exp, mul, add, x = x / y)"
    )


def _check_fold_gradients(
    fold_tokens: Callable[[torch.Tensor, int, int], torch.Tensor], tokens: torch.Tensor, rows: int, cols: int, case: str
) -> None:
    """A right image must also pass gradients back to the tokens, each to the token it came from: in T2T the
    fold sits between token transformer 1 and the next soft split, so a cut there stops stage 1 training."""
    leaf = tokens.clone().requires_grad_(True)
    answer = attempt(fold_tokens, leaf.clone(), rows, cols, hint=_numpy_with_grad_hint)  # a non-leaf: in-place works
    cut = (
        f"for {case} your image is right, but autograd cannot reach the tokens through it (detached, "
        "torch.no_grad() or a numpy round trip). That stops token transformer 1 (and everything before the fold) "
        "from training: stay in torch"
    )
    # no grad_fn: detached, or a view made under no_grad (which still says requires_grad)
    if not isinstance(answer, torch.Tensor) or not answer.requires_grad or answer.grad_fn is None:
        fail(cut)
    upstream = torch.randn(answer.shape, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    try:
        (grad,) = torch.autograd.grad(answer, leaf, upstream.to(answer.dtype), allow_unused=True)
    except RuntimeError as error:
        if "inplace operation" in str(error):
            fail(_in_place_backward_message(f"for {case} your image is right", "the fold"))
        fail(cut)
    expected = upstream.flatten(2).transpose(1, 2)  # pixel (r, c) of channel ch came from feature ch of r * cols + c
    if grad is None or not grad.any():
        fail(cut)
    if not close(grad, expected):
        fail(
            f"for {case} your image is right, but its gradient does not reach each token as it should: part of "
            "the fold was cut from autograd (.detach(), .data, a numpy round trip or a torch.no_grad() block), "
            "so the layers before the fold would not learn as they should"
        )


def _input_changed(given: torch.Tensor, tokens: torch.Tensor) -> str:
    """Say what the learner's function did to the tensor it was given (``tokens``: its value before the call)."""
    if given.shape != tokens.shape:
        change = f"its shape, now {tuple(given.shape)}, was {tuple(tokens.shape)}"
    else:
        change = f"its values: {int((given != tokens).sum())} of its {tokens.numel()} numbers differ"
    return (
        f"your function changed the tensor it was given ({change}). An in-place method (its name ends in _, "
        "such as mul_, transpose_ or copy_) rewrites the caller's tokens. Use the out-of-place version (mul, "
        "transpose or permute), which returns a new tensor and leaves the input as it was"
    )


def check_fold_tokens(fold_tokens: Callable[[torch.Tensor, int, int], torch.Tensor]) -> None:
    """Check ``fold_tokens(tokens, rows, cols)``: ``(B, rows * cols, C) -> (B, C, rows, cols)``,
    token ``i`` becoming the pixel at ``(i // cols, i % cols)``, as :func:`tokens_to_image`."""
    dtypes: set[torch.dtype] = set()
    for batch, rows, cols, channels in FOLD_CASES:
        # Every entry is distinct, so any mix-up of tokens or features shows.
        tokens = torch.arange(batch * rows * cols * channels, dtype=torch.float32).reshape(batch, rows * cols, channels)
        case = f"tokens of shape {tuple(tokens.shape)} (B, N, C) on a {rows}x{cols} grid"
        hint = _square_fold_hint(case, rows, cols, _readable_source(fold_tokens), channels)
        given = tokens.clone()  # the learner's function gets this one; `tokens` stays as the reference
        answer = _NO_TOKENS_TO_IMAGE(fold_tokens, given, rows, cols, hint=hint)
        if given.shape != tokens.shape or not torch.equal(given, tokens):
            fail(f"for {case} {_input_changed(given, tokens)}")
        answer = _as_folded_image(answer, tokens, case)
        dtypes.add(answer.dtype)
        expected = tokens_to_image(tokens, rows, cols)
        _check_fold_shape(answer, expected, case, rows, cols)
        if not close(answer, expected):
            _check_fold_constant(fold_tokens, tokens, answer, rows, cols, case)
        if close(answer, expected):
            _check_fold_gradients(fold_tokens, tokens, rows, cols, case)
            continue
        if close(answer, tokens.reshape(batch, channels, rows, cols)):
            fail(
                f"for {case} you reshaped (B, N, C) straight to (B, C, rows, cols): reshape keeps the memory order, "
                "so each channel is filled with runs of consecutive numbers from several tokens. The C features "
                "of one token must become the C channels of one pixel: bring the feature axis forward first"
            )
        if close(answer, tokens.transpose(1, 2).reshape(batch, channels, cols, rows).transpose(2, 3)):
            fail(
                f"for {case} your tokens are laid out column by column. Soft split (nn.Unfold) numbers its "
                "windows row by row, left to right: token 1 sits to the right of token 0, not below it"
            )
        fail(
            f"for {case} the shape is right but the values are not: pixel (r, c) of channel ch must hold "
            "feature ch of token r * cols + c"
        )
    note = ""
    if dtypes - {torch.float32}:
        note = (
            " Your image is float64, the tokens float32: right to float32's precision, which the checker "
            "accepts. Inside T2T, keep the tokens' dtype: the next layer's float32 weights expect it."
        )
    passed(
        f"Your reconstruction matches tokens_to_image on {len(FOLD_CASES) - 1} non-square grids and a square one: "
        f"token i is the pixel at (i // cols, i % cols) and its features are the channels.{note}"
    )


def _layout_variants(tokens: torch.Tensor, attention: TokenAttention) -> dict[str, torch.Tensor]:
    """Wrong answers that read qkv's output in another order or layout, or normalise again: ``(B, N, token_dim)``."""
    token_dim, scale = attention.inner_dim, attention.dim**-0.5
    q, k, v = attention.qkv(tokens).split(token_dim, dim=-1)  # (B, N, token_dim) each
    # qkv's output split as k, q, v (the Performer's kqv order): the scores come out transposed
    kqv = torch.softmax(k @ q.transpose(1, 2) * scale, dim=-1) @ v
    # a LayerNorm inside the function: the block's norm1 applied a second time (or instead of before the call)
    normed = torch.nn.functional.layer_norm(tokens, tokens.shape[-1:])
    nq, nk, nv = attention.qkv(normed).split(token_dim, dim=-1)
    # the interleaved split reshape(B, N, token_dim, 3): q, k, v taken every third feature
    iq, ik, iv = attention.qkv(tokens).unflatten(-1, (token_dim, 3)).unbind(-1)
    return {
        # qkv's output unpacked as v, q, k: the first chunk (q) used as v, the second (k) as q, the third (v) as k
        "vqk_order": q + attention.proj(torch.softmax(k @ v.transpose(1, 2) * scale, dim=-1) @ q),
        # qkv's output unpacked as v, k, q (the reverse order): q used as v, v as q, k in its place
        "vkq_order": q + attention.proj(torch.softmax(v @ k.transpose(1, 2) * scale, dim=-1) @ q),
        # qkv's output unpacked as q, v, k: k and v swapped (the second chunk used as v, the third as k)
        "qvk_order": k + attention.proj(torch.softmax(q @ v.transpose(1, 2) * scale, dim=-1) @ k),
        # qkv's output unpacked as k, v, q: the first chunk (q) used as k, the second (k) as v, the third (v) as q
        "kvq_order": k + attention.proj(torch.softmax(v @ q.transpose(1, 2) * scale, dim=-1) @ k),
        "interleaved": iv + attention.proj(torch.softmax(iq @ ik.transpose(1, 2) * scale, dim=-1) @ iv),
        "kqv_order": v + attention.proj(kqv),
        "layer_norm_inside": nv + attention.proj(torch.softmax(nq @ nk.transpose(1, 2) * scale, dim=-1) @ nv),
    }


def _variants(tokens: torch.Tensor, attention: TokenAttention) -> dict[str, torch.Tensor]:
    """Plausible wrong answers, each ``(B, N, token_dim)``, to say what went wrong."""
    token_dim = attention.inner_dim
    q, k, v = attention.qkv(tokens).split(token_dim, dim=-1)  # (B, N, token_dim) each

    def attend(scale: float, dim: int = -1) -> torch.Tensor:
        return torch.softmax(q @ k.transpose(1, 2) * scale, dim=dim) @ v

    right = attend(attention.dim**-0.5)
    count = tokens.shape[1]
    variants = {
        **_layout_variants(tokens, attention),
        "scale_tokens": v + attention.proj(attend(count**-0.5)),
        "scale_tokens_full": v + attention.proj(attend(1 / count)),
        "scale": v + attention.proj(attend(token_dim**-0.5)),
        "no_scale": v + attention.proj(attend(1.0)),
        "scale_dim": v + attention.proj(attend(1 / attention.dim)),
        "scale_times_sqrt": v + attention.proj(attend(attention.dim**0.5)),
        "scale_after_softmax": v
        + attention.proj(torch.softmax(q @ k.transpose(1, 2), dim=-1) * attention.dim**-0.5 @ v),
        "proj_after_skip": attention.proj(v + right),
        "no_skip": attention.proj(right),
        "no_proj": v + right,
        "softmax_axis": v + attention.proj(attend(attention.dim**-0.5, dim=-2)),
        "weights_transposed": v
        + attention.proj(torch.softmax(q @ k.transpose(1, 2) * attention.dim**-0.5, dim=-1).transpose(1, 2) @ v),
        "no_softmax": v + attention.proj(q @ k.transpose(1, 2) * attention.dim**-0.5 @ v),
        "no_softmax_no_scale": v + attention.proj(q @ k.transpose(1, 2) @ v),
        "scale_qkv_width": v + attention.proj(attend((3 * token_dim) ** -0.5)),
        "scale_backbone_heads": v + attention.proj(attend(max(attention.dim // 6, 1) ** -0.5)),
        "skip_proj_v": attention.proj(v) + attention.proj(right),
        "skip_q": q + attention.proj(right),
        "skip_k": k + attention.proj(right),
        "no_proj_bias": v + torch.nn.functional.linear(right, attention.proj.weight),
        "skip_twice": v + attention.proj(right) + v,
    }
    for width in _LESSON_WIDTHS:  # a scale hard-coded from the lesson's numbers (1/7, 1/sqrt(147), 1/24)
        if width != attention.dim:
            variants[f"scale_constant_{width}"] = v + attention.proj(attend(width**-0.5))
    for heads in _HEAD_COUNTS:  # a multi-head split, scaled by the input width or by the head width
        if token_dim % heads == 0 and heads < token_dim:
            for scale in (attention.dim**-0.5, (token_dim // heads) ** -0.5):
                qh, kh, vh = (t.unflatten(-1, (heads, token_dim // heads)).transpose(1, 2) for t in (q, k, v))
                mixed = (torch.softmax(qh @ kh.transpose(-2, -1) * scale, dim=-1) @ vh).transpose(1, 2).flatten(2)
                variants[f"heads_{heads}_{scale}"] = v + attention.proj(mixed)
    if tokens.shape[-1] == token_dim:
        variants["skip_x"] = tokens + attention.proj(right)
        variants["double_skip"] = tokens + v + attention.proj(right)
    return variants


def _token_attention_case(
    generator: torch.Generator, dim: int, token_dim: int, batch: int, count: int
) -> tuple[TokenAttention, torch.Tensor]:
    """A :class:`TokenAttention` with weights large enough that every mistake moves the output
    visibly, and scores of order 1 (not 100, where a float32 softmax amplifies rounding enough to
    fail a correct answer); and its input tokens ``(batch, count, dim)``."""
    attention = TokenAttention(dim, token_dim)
    with torch.no_grad():
        qkv_scale = min(0.5, 2 / math.sqrt(dim))
        attention.qkv.weight.copy_(torch.randn(attention.qkv.weight.shape, generator=generator) * qkv_scale)
        attention.proj.weight.copy_(torch.randn(attention.proj.weight.shape, generator=generator) * 0.3)
        attention.proj.bias.copy_(torch.randn(attention.proj.bias.shape, generator=generator) * 0.1)
    return attention, torch.randn(batch, count, dim, generator=generator)


#: the token widths the lesson prints scales for: 49 (1/7), 147 (RGB) and 576 (1/24)
_LESSON_WIDTHS = (49, 147, 576)

#: head counts of the multi-head slip (:func:`_variants`)
_HEAD_COUNTS = (2, 3, 4, 6, 8)


def _token_attention_mistakes(dim: int, token_dim: int) -> tuple[tuple[str, str], ...]:
    """``(variant, what went wrong)`` pairs for :func:`_variants`, in the order they are tried."""
    heads = tuple(
        (
            f"heads_{count}_{scale}",
            f"you split q, k and v into {count} heads. One head: T2T's token attention has num_heads=1 (the original "
            "code's Token_transformer is built with num_heads=1), so the scores are the whole q k^T over all "
            "token_dim features",
        )
        for count in _HEAD_COUNTS
        for scale in (dim**-0.5, (token_dim // count) ** -0.5)
    )
    return _scale_mistakes(dim, token_dim) + _wiring_mistakes(token_dim) + heads


def _scale_mistakes(dim: int, token_dim: int) -> tuple[tuple[str, str], ...]:
    """The scale slips of :func:`_token_attention_mistakes`: a wrong factor, or the right one in the wrong place."""
    constant = tuple(
        (
            f"scale_constant_{width}",
            f"your scale is 1/sqrt({width}), the number for {width}-wide tokens, but these tokens are {dim} wide: "
            "compute the scale from the tokens' width instead of writing it in",
        )
        for width in _LESSON_WIDTHS
        if width != dim
    )
    return (
        *constant,
        (
            "scale_tokens",
            "you scaled the scores by 1/sqrt(N), N the number of tokens. The scale depends on a width, not on the "
            f"number of tokens: T2T's code uses the input width, 1/sqrt(dim) = 1/sqrt({dim})",
        ),
        (
            "scale_tokens_full",
            "you divided the scores by N, the number of tokens. The scale depends on a width, not on the "
            f"number of tokens: T2T's code uses the input width, 1/sqrt(dim) = 1/sqrt({dim})",
        ),
        (
            "scale",
            f"you scaled the scores by 1/sqrt(token_dim) = 1/sqrt({token_dim}) (as "
            "F.scaled_dot_product_attention does by default). T2T's code scales by the *input* width: "
            f"1/sqrt(dim) = 1/sqrt({dim})",
        ),
        (
            "scale_qkv_width",
            f"you scaled the scores by 1/sqrt(qkv.out_features) = 1/sqrt({3 * token_dim}): qkv's output holds q, k "
            f"and v side by side, so its width is 3 * token_dim. T2T's code scales by the *input* width: "
            f"1/sqrt(dim) = 1/sqrt({dim})",
        ),
        (
            "scale_backbone_heads",
            f"you scaled the scores by 1/sqrt(dim // 6) = 1/sqrt({max(dim // 6, 1)}), the backbone's habit: its "
            "Attention scales by head_dim ** -0.5 with 6 heads. The token attention has a single head, and T2T's "
            f"code scales it by the whole *input* width: 1/sqrt(dim) = 1/sqrt({dim})",
        ),
        (
            "no_scale",
            "you did not scale the scores. T2T divides q k^T by sqrt(dim), the square root of the *input* "
            f"width: 1/sqrt({dim})",
        ),
        (
            "scale_dim",
            f"you divided the scores by dim = {dim} itself; T2T divides by its square root, sqrt(dim) = sqrt({dim})",
        ),
        (
            "scale_times_sqrt",
            f"you multiplied the scores by sqrt(dim) = sqrt({dim}); T2T divides them by it: q k^T * dim ** -0.5",
        ),
        (
            "scale_after_softmax",
            f"you applied the scale 1/sqrt({dim}) after the softmax, to the weights. It belongs before it, on the "
            "scores q k^T: it sets how sharp the softmax is, and after it the weights no longer sum to 1",
        ),
    )


def _wiring_mistakes(token_dim: int) -> tuple[tuple[str, str], ...]:
    """The wiring slips of :func:`_token_attention_mistakes`: skip connection, proj, softmax axis, split, norm,
    in the order they are tried."""
    return (
        _skip_and_proj_mistakes(token_dim)
        + _split_mistakes()
        + (
            (
                "layer_norm_inside",
                "you applied a LayerNorm inside the function. In T2T's block the LayerNorm (norm1) runs before the "
                "attention is called, x = attn(norm1(x)): token_attention receives the tokens already normalised and "
                "starts with qkv",
            ),
        )
    )


def _skip_and_proj_mistakes(token_dim: int) -> tuple[tuple[str, str], ...]:
    """The skip-connection, proj and softmax-axis slips of :func:`_wiring_mistakes`."""
    return (
        (
            "proj_after_skip",
            "you applied proj after adding v, proj(v + attention): your v went through proj too",
        ),
        (
            "skip_x",
            "you added the input tokens as the skip connection. That only runs when dim equals "
            f"token_dim (here both are {token_dim}); in T2T the input is wider or narrower than the output, "
            "so the skip goes through v",
        ),
        (
            "double_skip",
            "you added the input tokens *and* v: two skip connections, x + v + proj(attention). T2T's token "
            f"attention has one, through v; x + v only runs when dim equals token_dim (here both are {token_dim})",
        ),
        (
            "skip_proj_v",
            "your skip connection is proj(v): the skip adds v itself, not v sent through proj. proj acts on the "
            "attention output alone: v + proj(attention)",
        ),
        ("skip_twice", "the skip is added twice, v + proj(attention) + v: add v once"),
        ("skip_q", "your skip connection adds q; T2T's skip goes through v, the values: v + proj(attention)"),
        ("skip_k", "your skip connection adds k; T2T's skip goes through v, the values: v + proj(attention)"),
        ("no_skip", "the skip connection is missing: which tensor already has the output width?"),  # r34c m3
        ("no_proj", "you left out proj: the attention output goes through proj before v is added"),
        (
            "no_proj_bias",
            "you dropped proj's bias (F.linear with proj.weight alone, or @ proj.weight.T): proj is a full "
            "nn.Linear with a bias; call proj(...) itself",
        ),
        ("softmax_axis", "your softmax runs over the queries: each row of weights must sum to 1 over the keys"),
        ("weights_transposed", _transposed_scores_message(weights=True)),
        (
            "no_softmax",
            "you left out the softmax: the scaled scores q k^T / sqrt(dim) weigh v directly. Turn them into "
            "weights first, torch.softmax(scores, dim=-1), so that each row sums to 1 over the keys",
        ),
        (
            "no_softmax_no_scale",
            "you left out the softmax and the scale: q k^T weighs v directly. Scale the scores by 1/sqrt(dim), "
            "then torch.softmax(scores, dim=-1), so that each row sums to 1 over the keys",
        ),
    )


def _split_mistakes() -> tuple[tuple[str, str], ...]:
    """The slips of :func:`_wiring_mistakes` in splitting qkv's output into q, k and v."""
    return (
        (
            "vqk_order",
            "you unpacked qkv's output as v, q, k: that is not the order qkv writes them in",
        ),
        (
            "vkq_order",
            "you unpacked qkv's output as v, k, q, the reverse order: your v is the true q and your q the true v",
        ),
        (
            "qvk_order",
            "you unpacked qkv's output as q, v, k: your v is the true k and your k the true v. qkv writes q, "
            "then k, then v, each token_dim wide",
        ),
        (
            "kvq_order",
            "you unpacked qkv's output as k, v, q: your k is the true q, your v the true k and your q the true v. "
            "qkv writes q, then k, then v, each token_dim wide",
        ),
        (
            "interleaved",
            "you split qkv's output as reshape(B, N, token_dim, 3), taking q, k and v every third feature. qkv's "
            "output holds three blocks side by side, q then k then v: reshape(B, N, 3, token_dim) (3 before "
            "token_dim), or split(token_dim, dim=-1)",
        ),
        (
            "kqv_order",
            "you split qkv's output as k, q, v, the order of the original code's Performer layer (`kqv`). This "
            "layer is `qkv`: its output is q, then k, then v, each token_dim wide",
        ),
    )


_KQV_UNPACKING = re.compile(r"(?<![\w.])\(?\s*k\s*,\s*q\s*,\s*v\s*,?\s*\)?\s*=(?!=)")


def _split_as_kqv(token_attention: Callable[..., Any]) -> bool:
    """Whether the source of ``token_attention`` unpacks three parts as ``k, q, v``. The kqv split and
    scores ``k @ q^T`` compute the same numbers; only the names tell the two apart."""
    try:
        source = inspect.getsource(token_attention)
    except (OSError, TypeError):
        return False
    return _KQV_UNPACKING.search(source) is not None


def _transposed_scores_message(weights: bool = False) -> str:
    """The message for a transposed attention matrix: the scores k q^T, or (``weights``) the softmax's weights
    transposed before they multiply v, ``a.transpose(-2, -1) @ v``."""
    if weights:
        return (
            "you transposed the attention weights, a.transpose(-2, -1) @ v (the transpose of the attention matrix): "
            "row i of a = softmax(q @ k.transpose(-2, -1) * scale, dim=-1) already holds query i's weights over "
            "every key, so multiply it by v as it is, a @ v"
        )
    return (
        "your scores are k q^T instead of q k^T (the transpose of the attention matrix): row i must hold query i's "
        "scores against every key, q @ k.transpose(-2, -1), so that the softmax over the last axis weighs the keys"
    )


def _check_inputs_kept(
    attention: TokenAttention, before: dict[str, torch.Tensor], given: torch.Tensor, tokens: torch.Tensor, case: str
) -> None:
    """Reject a token attention that changed the tokens or the layers it was given in place."""
    if given.shape != tokens.shape or not torch.equal(given, tokens):
        fail(
            f"for {case} your function changed the tokens it was given in place (for example with mul_, div_ "
            "or copy_): they belong to the caller, and the skip or the next block would read the changed "
            "values. Use the out-of-place operation (x * scale, not x.mul_(scale)), which returns a new tensor"
        )
    changed = [name for name, value in attention.state_dict().items() if not torch.equal(value, before[name])]
    if changed:
        layer = changed[0].replace(".", "'s ", 1)
        fail(
            f"for {case} your function changed {layer} in place (for example with mul_ or copy_): the layers "
            "belong to the model, and the next call would use the changed weights. Leave qkv and proj as they "
            "are: scale the scores, not the weights"
        )


def _diagnose_token_attention(
    token_attention: Callable[..., Any],
    answer: torch.Tensor,
    expected: torch.Tensor,
    variants: dict[str, torch.Tensor],
    dim: int,
    token_dim: int,
    case: str,
) -> NoReturn:
    """Reject a wrong token attention output, naming the slip when it is a known one."""
    for name, mistake in _token_attention_mistakes(dim, token_dim):
        # a looser tolerance than for the right answer: the slips differ from it by order 1, and an
        # unscaled float32 softmax over scores near 100 rounds visibly
        if name in variants and close(answer, variants[name], rtol=1e-3, atol=1e-3):
            if name == "kqv_order" and not _split_as_kqv(token_attention):
                mistake = _transposed_scores_message()
            if name == "no_skip" and _adds_x_when_widths_match(token_attention):  # review r29d minor 8
                mistake = (
                    f"you added x; T2T adds v. Your function adds the input tokens x as the skip where dim equals "
                    f"token_dim, and no skip here, where dim is {dim} and the output {token_dim} wide. The skip goes "
                    "through v, which has the output width at every stage: v + proj(attention)"
                )
            fail(f"for {case} {mistake}")
    error = (answer.double() - expected).abs().max().item()
    fail(
        f"for {case} your output differs from TokenAttention's by up to {error:.3g}. Check the order q, k, v "
        "in qkv's output (q first), the scale, and that proj is applied before the skip is added"
    )


def _adds_x_when_widths_match(token_attention: Callable[..., Any]) -> bool:
    """Does ``token_attention`` add the input tokens x as its skip on an input as wide as the output (dim ==
    token_dim, ATTENTION_CASES' third case)? Then a missing skip elsewhere is the x-skip slip, not a forgotten skip."""
    attention, tokens = _token_attention_case(torch.Generator().manual_seed(7), 16, 16, 2, 9)
    try:
        with torch.no_grad():
            answer = as_tensor(token_attention(tokens.clone(), attention.qkv, attention.proj), "the answer")
            skip_x = _variants(tokens.double(), copy.deepcopy(attention).double())["skip_x"]
        return tuple(answer.shape) == tuple(skip_x.shape) and close(answer.double(), skip_x, rtol=1e-3, atol=1e-3)
    except Exception:  # any error: no guess (the checker reports errors on its own cases)
        return False


def _skip_shape_hint(case: str, dim: int, token_dim: int) -> Callable[[Exception], str | None]:
    """Name the skip through x, but only when the error names the input width ``dim`` against ``token_dim``: a
    RuntimeError from adding two tensors of those widths, or from a matrix product of those inner sizes (x sent
    through proj), in either order. Any other error (another shape bug) gets no guess."""

    def hint(error: Exception) -> str | None:
        if isinstance(error, ValueError) and "values to unpack (expected 3" in str(error):
            hint.split = True  # a typed-in width, split(64) say: the checker names it (see _split_width_message)
            return None
        if not isinstance(error, RuntimeError) or dim == token_dim:
            return None
        text, widths = str(error), sorted((dim, token_dim))
        added = re.search(r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\)", text)
        multiplied = re.search(r"shapes cannot be multiplied \(\d+x(\d+) and (\d+)x\d+\)", text)
        if added and sorted(int(size) for size in added.groups()) == widths:
            hint.added = True  # the x-skip slip: the checker leads with the widths (see _lead_with_the_widths)
            return (
                f"That was for {case}. If it came from adding the input tokens x, instead of v or on top of it "
                f"(x + v + proj(...), a second skip): they are {dim} wide and the output is {token_dim} wide, so "
                "they cannot be added. The skip goes through one tensor that already has the output width: which?"
            )
        if multiplied and sorted(int(size) for size in multiplied.groups()) == widths:
            return (
                f"That was for {case}. A {dim}-wide tensor met a layer that takes {token_dim} features: if it was "
                f"the input tokens x, they go through qkv only, and x ({dim} wide) cannot be added to the "
                f"{token_dim}-wide output either. The skip goes through one tensor that already has the output "
                "width: which?"
            )
        return None

    hint.added = hint.split = False
    return hint


def _split_width_message(failure: ExerciseFailed, case: str, token_dim: int) -> str:
    """Name a typed-in split width (``qkv(x).split(64, -1)``): unpacking q, k, v raised a ValueError."""
    raised = str(failure).removeprefix("Not yet: ")
    return (
        f"for {case} your q, k, v did not unpack: qkv's output is 3 * token_dim = {3 * token_dim} wide, and "
        f"token_dim here is {token_dim}. Did you type in a width, as in split(64)? Take it from the layers: "
        f"proj.out_features, or qkv.out_features // 3 ({raised})"
    )


def _lead_with_the_widths(failure: ExerciseFailed, case: str, dim: int, token_dim: int) -> NoReturn:
    """Re-word the x-skip slip's failure (``x + ...`` raised a size mismatch) to lead with the two widths."""
    raised = str(failure).removeprefix("Not yet: ").split(". That was for")[0]
    fail(
        f"for {case}: x is {dim} wide, the output {token_dim}: the skip cannot be x. Adding x instead of v, or on "
        f"top of it (x + v + proj(...), a second skip), fails: they cannot be added. The skip goes through one "
        f"tensor that already has the output width: which? ({raised})"
    )


def _check_constant(
    token_attention: Callable[[torch.Tensor, nn.Linear, nn.Linear], torch.Tensor],
    attention: TokenAttention,
    tokens: torch.Tensor,
    answer: torch.Tensor,
    case: str,
) -> None:
    """Fail naming a constant answer: the same output for other tokens (a fixed tensor, not computed)."""
    other = torch.randn(tokens.shape, generator=torch.Generator().manual_seed(3), dtype=tokens.dtype)
    with torch.random.fork_rng(), torch.no_grad():
        again = attempt(token_attention, other, copy.deepcopy(attention.qkv), copy.deepcopy(attention.proj))
    if isinstance(again, torch.Tensor) and again.shape == answer.shape and torch.equal(again, answer):
        fail(
            f"for {case} your function gives the same output for other tokens: it returns a fixed tensor "
            "instead of computing the attention from its argument `tokens` (through qkv, the softmax and proj)"
        )


def _nested_shape(answer: object) -> tuple[int, ...] | None:
    """The shape of a rectangular nested list or tuple of plain numbers (``.tolist()``'s output), else None."""
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        return ()
    if not isinstance(answer, (tuple, list)) or not answer:
        return None
    shapes = {_nested_shape(item) for item in answer}
    if len(shapes) != 1 or None in shapes:
        return None
    return (len(answer), *shapes.pop())


def _flat_items(answer: object) -> list[object]:
    """The numbers of a nested list or tuple, in order."""
    if isinstance(answer, (tuple, list)):
        return [number for item in answer for number in _flat_items(item)]
    return [answer]


def _describe(answer: object) -> str:
    """A returned value by its type and, for tensors, arrays and nested lists of numbers, shape: never its
    numbers (a tuple of other things item by item)."""
    shape = _nested_shape(answer)
    if shape:  # a nested list of numbers, as .tolist() returns: its type and shape only
        kinds = sorted({type(item).__name__ for item in _flat_items(answer)})
        return f"a {type(answer).__name__} of {' x '.join(map(str, shape))} {' and '.join(k + 's' for k in kinds)}"
    if isinstance(answer, (tuple, list)):
        items = ", ".join(_describe(item) for item in answer[:4]) + (", ..." if len(answer) > 4 else "")
        return f"a {type(answer).__name__} of {len(answer)}: ({items})"
    if isinstance(answer, (torch.Tensor, np.ndarray)):
        return f"a {type(answer).__name__} of shape {tuple(answer.shape)}"
    return f"{answer!r:.40} (a {type(answer).__name__})"


def _check_one_token_attention(
    token_attention: Callable[[torch.Tensor, nn.Linear, nn.Linear], torch.Tensor],
    attention: TokenAttention,
    tokens: torch.Tensor,
) -> torch.dtype:
    """Fail with what went wrong unless ``token_attention`` matches ``attention`` on ``tokens``; return the
    answer's dtype (float32 or float64, compared to float32's precision as in exercise 2)."""
    (batch, count, dim), token_dim = tokens.shape, attention.inner_dim
    case = f"tokens of shape {tuple(tokens.shape)} (B, N, dim) and token_dim {token_dim}"
    hint = _skip_shape_hint(case, dim, token_dim)
    with torch.no_grad():
        exact = copy.deepcopy(attention).double()  # the reference in float64, copied before the call
        before = {name: value.clone() for name, value in attention.state_dict().items()}
        given = tokens.clone()  # the learner's function gets this one; `tokens` stays as the reference
        try:
            answer = _NO_TOKEN_ATTENTION(token_attention, given, attention.qkv, attention.proj, hint=hint)
        except ExerciseFailed as failure:
            if hint.added:
                _lead_with_the_widths(failure, case, dim, token_dim)
            if hint.split:
                fail(_split_width_message(failure, case, token_dim))
            raise
    _check_inputs_kept(attention, before, given, tokens, case)
    if not isinstance(answer, (torch.Tensor, np.ndarray)):  # a numpy array fails below: it cuts the gradient
        fail(
            f"for {case} your function returned {_describe(answer)}; return a "
            "(B, N, token_dim) torch.Tensor, the attention's output"
        )
    answer = as_tensor(answer, f"your output for {case}")
    expected_shape = (batch, count, token_dim)
    if answer.dim() == 4 and tuple(answer.shape[-2:]) == (count, token_dim):
        fail(
            f"for {case} your output has shape {tuple(answer.shape)}, not (B, N, token_dim) = {expected_shape}: a "
            "head axis is left in. Drop it first with v.squeeze(1), the original code's own line, and likewise "
            "for the attention output"
        )
    if tuple(answer.shape) != expected_shape:
        fail(f"for {case} expected shape (B, N, token_dim) = {expected_shape}, got {tuple(answer.shape)}")
    if answer.dtype not in FOLD_DTYPES:  # the same policy as exercise 2: float32 or float64
        fail(
            f"for {case} your output is {answer.dtype}, the tokens were {tokens.dtype}: the checker accepts "
            "float32 or float64. Another dtype rounds the values (float16, bfloat16) or drops their fractions "
            "(integers). Compute without changing the dtype (no .half()), or convert back with .to(tokens.dtype)"
        )
    with torch.no_grad():
        expected = exact(tokens.double())  # in float64, so only the answer rounds
        variants = _variants(tokens.double(), exact)
    if close(answer, expected, rtol=1e-4, atol=1e-5):  # float32's precision, whichever of the two dtypes
        _check_token_attention_gradients(token_attention, attention, tokens, case)
        return answer.dtype
    _check_deterministic(token_attention, attention, tokens, answer, case)
    _check_constant(token_attention, attention, tokens, answer, case)
    _diagnose_token_attention(token_attention, answer, expected, variants, dim, token_dim, case)


def _check_deterministic(
    token_attention: Callable[[torch.Tensor, nn.Linear, nn.Linear], torch.Tensor],
    attention: TokenAttention,
    tokens: torch.Tensor,
    answer: torch.Tensor,
    case: str,
) -> None:
    """Fail naming dropout if a second call on the same input gives another output (the learner's global
    random state is restored afterwards, so the check does not change what the notebook draws next)."""
    with torch.random.fork_rng(), torch.no_grad():
        again = attempt(token_attention, tokens.clone(), copy.deepcopy(attention.qkv), copy.deepcopy(attention.proj))
    if isinstance(again, torch.Tensor) and again.shape == answer.shape and not torch.equal(again, answer):
        fail(
            f"for {case} your output changes from one call to the next on the same tokens: something random is "
            "left on, most likely dropout. Leave the dropout out, or pass training=False (F.dropout's default "
            "is training=True)"
        )


def _gradients(
    output: torch.Tensor, attention: nn.Module, tokens: torch.Tensor, upstream: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The gradients of ``(output * upstream).sum()`` w.r.t. qkv's and proj's weights, proj's bias and the
    input tokens (zeros where no gradient arrives), in float64."""
    leaves = {
        "qkv.weight": attention.qkv.weight,
        "proj.weight": attention.proj.weight,
        "proj.bias": attention.proj.bias,
        "the input tokens": tokens,
    }
    grads = torch.autograd.grad(output, list(leaves.values()), upstream.to(output.dtype), allow_unused=True)
    return {
        name: (torch.zeros_like(leaf) if grad is None else grad).detach().double()
        for (name, leaf), grad in zip(leaves.items(), grads, strict=True)
    }


def _gradient_close(mine: torch.Tensor, expected: torch.Tensor) -> bool:
    """Gradients agree to float32 rounding: the absolute tolerance scales with the gradient's largest entry
    (qkv.weight's reach about 50, where float32 rounding alone, e.g. through SDPA, exceeds 1e-5; review r23d_07).
    A detached or missing path changes a gradient by a large fraction of its size, far beyond this."""
    return close(mine, expected, rtol=1e-3, atol=1e-5 * max(1.0, float(expected.abs().max())))


def _check_token_attention_gradients(
    token_attention: Callable[[torch.Tensor, nn.Linear, nn.Linear], torch.Tensor],
    attention: TokenAttention,
    tokens: torch.Tensor,
    case: str,
) -> None:
    """A right output must also train: fail if autograd cannot reach qkv, proj or the input through it,
    or reaches them differently from :class:`TokenAttention` (a detached skip, say)."""
    generator = torch.Generator().manual_seed(11)
    trained = copy.deepcopy(attention)  # a copy: the learner's call may build its graph on these weights
    leaf = tokens.clone().requires_grad_(True)
    answer = attempt(token_attention, leaf.clone(), trained.qkv, trained.proj)  # a non-leaf: in-place ops work
    no_gradient = (
        f"for {case} your output is right, but autograd cannot reach qkv or proj through it: it was computed under "
        "torch.no_grad() (or detached, or through numpy). Nothing can learn: in a model, qkv and proj would never "
        "be trained. Write the function without no_grad and stay in torch"
    )
    if not isinstance(answer, torch.Tensor) or not answer.requires_grad:
        fail(no_gradient)
    upstream = torch.randn(answer.shape, generator=generator, dtype=torch.float64)
    try:
        mine = _gradients(answer, trained, leaf, upstream)
    except RuntimeError as error:  # the backward pass of the learner's graph: named, not a raw traceback
        if "inplace operation" in str(error):
            fail(
                _in_place_backward_message(f"for {case} your output is right", "your token attention")
                + " or torch.softmax"
            )
        first_line = str(error).splitlines()[0]
        fail(f"for {case} your output is right, but its backward pass raised RuntimeError: {first_line}")
    exact = copy.deepcopy(attention).double()
    exact_tokens = tokens.double().requires_grad_(True)
    expected = _gradients(exact(exact_tokens), exact, exact_tokens, upstream)
    wrong = [name for name in expected if not _gradient_close(mine[name], expected[name])]
    if not wrong:
        return
    if all(not mine[name].any() for name in mine):
        fail(no_gradient)
    q, k, v = exact.qkv(exact_tokens).split(exact.inner_dim, dim=-1)
    weights = torch.softmax(q @ k.transpose(1, 2) * exact.dim**-0.5, dim=-1)
    detached = _gradients(v.detach() + exact.proj(weights @ v), exact, exact_tokens, upstream)
    if all(_gradient_close(mine[name], detached[name]) for name in detached):
        fail(
            f"for {case} your output is right, but the skip (v) was detached (v.detach() or v.data): no gradient "
            "flows back through the skip connection, so qkv's v-part and the layers before it learn from the "
            "attention path alone. Add v itself: v + proj(attention)"
        )
    which = ", ".join(wrong[:-1]) + " and " + wrong[-1] if len(wrong) > 1 else wrong[0]
    fail(
        f"for {case} your output is right, but its gradient with respect to {which} is not "
        "TokenAttention's: part of the computation was cut from autograd (.detach(), .data, .item(), a numpy round "
        "trip or a torch.no_grad() block around part of it), so training would not update the layers as it should"
    )


def check_token_attention(
    token_attention: Callable[[torch.Tensor, nn.Linear, nn.Linear], torch.Tensor],
) -> None:
    """Check ``token_attention(tokens, qkv, proj)``: ``(B, N, dim) -> (B, N, token_dim)``, T2T's
    single-head attention with the skip connection through ``v`` and the scale ``dim ** -0.5``,
    against :class:`TokenAttention` holding the same ``qkv`` (``dim -> 3 * token_dim``, no bias)
    and ``proj`` (``token_dim -> token_dim``)."""
    generator = torch.Generator().manual_seed(7)
    dtypes = set()
    for dim, token_dim, batch, count in ATTENTION_CASES:
        with torch.random.fork_rng():  # TokenAttention's init draws from the global RNG: the learner's stays as it was
            attention, tokens = _token_attention_case(generator, dim, token_dim, batch, count)
        dtypes.add(_check_one_token_attention(token_attention, attention, tokens))
    note = ""
    if dtypes - {torch.float32}:
        note = (
            " Your output is float64, the tokens float32: right to float32's precision, which the checker "
            "accepts. Inside T2T, keep the tokens' dtype: the next layer's float32 weights expect it."
        )
    passed(
        f"Your token attention matches TokenAttention on {len(ATTENTION_CASES)} cases: scale 1/sqrt(dim) with dim "
        f"the input width, and the skip connection through v, which already has the output width.{note}"
    )

"""Checkers for lesson 02 (soft split and token counting).

- :func:`check_count_tokens`: write the token-count formula yourself (rows, cols, total).
- :func:`check_split_for_grid`: choose an overlapping split that makes a requested grid.
- :func:`check_t2t_stages`: follow an image through T2T's three soft splits (grids, token lengths).

Each checker compares with the package (:func:`vit_explained.count_tokens`, itself tested against
``nn.Unfold``, and :func:`vit_explained.t2t_chain`) and names the likely mistake without the answer.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..soft_split import SoftSplit, _windows_along, count_tokens
from ..t2t import T2T_SPLITS, T2TViT, Tokens2Token, t2t_chain
from . import as_int, attempt, fail, forbid, passed

Case = tuple[int, int, int, int, int]  # height, width, kernel, stride, padding


class _ForbidCounting(forbid):
    """:class:`forbid` naming torch's built-in functions as they are written (``torch.conv2d``, not
    ``torch._VariableFunctionsClass.conv2d``)."""

    def __init__(self, *targets: object, ops: tuple[str, ...] = (), reason: str) -> None:
        super().__init__(*targets, reason=reason)
        for target in targets:  # numpy's dispatchers run their Python implementation: watch that code
            implementation = getattr(target, "_implementation", None)
            if implementation is not None:
                self._codes[implementation.__code__] = f"numpy.{target.__name__}"
        for op in ops:  # aten operators called directly (``torch.ops.aten.convolution``), refused by name
            self._ops[op] = f"torch.ops.aten.{op.removeprefix('aten::')}"

    def _record(self, name: str) -> None:
        super()._record(
            name.replace("torch._VariableFunctionsClass.", "torch.").replace("TensorBase.", "torch.Tensor.")
        )


#: Exercise 1 is the formula itself: not the package's count, nor a layer whose output shape counts for you
#: (unfold and fold, convolutions and pooling, under every alias: ``F.conv2d`` is ``torch.conv2d``, ``nn.Conv2d``
#: and ``nn.MaxPool2d`` call them, ``F.max_pool2d`` calls ``torch.max_pool2d`` or ``max_pool2d_with_indices``),
#: ``Tensor.unfold`` and numpy's ``sliding_window_view`` (windows along one side), and the aten operators
#: behind all of these called directly (``torch.ops.aten.convolution``, ``torch.ops.aten.avg_pool2d``, ...).
_NO_COUNTING_SHORTCUTS = _ForbidCounting(
    count_tokens,
    _windows_along,
    SoftSplit,
    t2t_chain,
    F.unfold,
    F.fold,
    F.conv1d,
    F.conv2d,
    F.conv3d,
    torch.convolution,
    F.avg_pool1d,
    F.avg_pool2d,
    F.avg_pool3d,
    torch.max_pool1d,
    torch.max_pool1d_with_indices,
    torch.max_pool2d,
    torch._C._nn.max_pool2d_with_indices,
    torch.max_pool3d,
    torch._C._nn.max_pool3d_with_indices,
    torch.Tensor.unfold,
    np.lib.stride_tricks.sliding_window_view,
    ops=tuple(
        f"aten::{name}"
        for name in (
            "convolution",
            "_convolution",
            "conv1d",
            "conv2d",
            "conv3d",
            "unfold",
            "im2col",
            "col2im",
            "avg_pool1d",
            "avg_pool2d",
            "avg_pool3d",
            "max_pool1d",
            "max_pool2d",
            "max_pool3d",
            "max_pool1d_with_indices",
            "max_pool2d_with_indices",
            "max_pool3d_with_indices",
        )
    ),
    reason="the token-count formula",
)

#: Exercise 3 may use count_tokens and T2T_SPLITS, not the chain that answers it.
_NO_CHAIN = forbid(t2t_chain, Tokens2Token, T2TViT, reason="the T2T chain (count_tokens is allowed)")


def _describe(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"


def _triple(result: object, what: str) -> tuple[object, object, object]:
    """Three numbers from a tuple, list, array or tensor; anything else is refused."""
    if isinstance(result, (np.ndarray, torch.Tensor)) and result.ndim == 1:
        result = result.tolist()
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"return three numbers {what}, got {_describe(result)}")
    return tuple(result)  # type: ignore[return-value]


def count_cases(number: int = 300, seed: int = 0) -> list[Case]:
    """Valid soft-split settings ``(height, width, kernel, stride, padding)``: T2T's, the lesson's, and
    ``number`` random ones (seeded), with non-square images, strides that do not divide evenly and
    padding both zero and not."""
    cases: list[Case] = [
        (224, 224, 7, 4, 2),
        (56, 56, 3, 2, 1),
        (28, 28, 3, 2, 1),
        (400, 100, 7, 4, 2),
        (100, 25, 3, 2, 1),
        (50, 13, 3, 2, 1),
        (60, 100, 20, 10, 5),
        (31, 17, 5, 3, 0),
        (13, 29, 4, 3, 2),
    ]
    rng = random.Random(seed)
    while len(cases) < number + 9:
        height, width = rng.randint(1, 120), rng.randint(1, 120)
        padding = rng.choice([0, 0, 1, 2, 3, 5, 7])
        kernel = rng.randint(1, min(height, width) + 2 * padding)
        stride = rng.randint(1, 12)
        cases.append((height, width, kernel, stride, padding))
    return cases


def _sides(rule: Callable[[int, int, int, int], float], case: Case) -> tuple[float, float]:
    height, width, kernel, stride, padding = case
    return rule(height, kernel, stride, padding), rule(width, kernel, stride, padding)


#: The slip of reading the T2T paper's Eq. 3 with its ``s`` taken as the stride.
_PAPER_OVERLAP = (
    "you divide by kernel - stride, the denominator of the T2T paper's Eq. 3. The paper's s is the *overlap* "
    "of two neighbouring windows, so its k - s is the step between windows: the stride. Here `stride` is "
    "already that step: divide by it"
)


def _count_hint(where: str, kernel: int, stride: int) -> Callable[[Exception], str]:
    """What to add when the answer raises: the paper's ``k - s`` slip when it divides by zero on a split
    with kernel == stride, otherwise where it happened."""

    def hint(error: Exception) -> str:
        if isinstance(error, ZeroDivisionError) and kernel == stride:
            slip = _PAPER_OVERLAP[0].upper() + _PAPER_OVERLAP[1:]
            return f"It happened {where}: kernel == stride, so kernel - stride is 0. {slip}"
        return f"It happened {where}, a split that fits"

    return hint


#: The slip of rounding the number of moves to the nearest whole number (``round``, or adding 0.5).
_ROUNDS_TO_NEAREST = (
    "your counts round to the nearest whole number (round(), or + 0.5): a window that would stick out past "
    "the padded edge does not exist (nn.Unfold drops it) even when it sticks out by less than half a stride, "
    "so the number of moves must be rounded down"
)

# Plausible wrong formulas, each with what to say when an answer follows it.
_MISTAKES: list[tuple[Callable[[int, int, int, int], float], str]] = [
    (
        lambda n, k, s, p: (n - k) // s + 1,
        "your counts match the formula *without padding*: the window slides over the padded image, "
        "which is 2 * padding longer on each side (padding on both ends)",
    ),
    (
        lambda n, k, s, p: (n + p - k) // s + 1,
        "your counts match padding on one end only: padding is added on both ends of each side",
    ),
    (
        lambda n, k, s, p: (n + 2 * p - k) // s,
        "your counts are one short: dividing the travel by the stride counts the *moves*; "
        "the first window (before any move) is a token too",
    ),
    (
        lambda n, k, s, p: math.ceil((n + 2 * p - k) / s) + 1,
        "your counts round up: a window that would stick out past the padded edge does not exist "
        "(nn.Unfold drops it), so the number of moves must be rounded down",
    ),
    (
        lambda n, k, s, p: round((n + 2 * p - k) / s) + 1,
        _ROUNDS_TO_NEAREST,
    ),
    (
        lambda n, k, s, p: int((n + 2 * p - k) / s + 0.5) + 1,
        _ROUNDS_TO_NEAREST,
    ),
    (
        lambda n, k, s, p: (n + 2 * p - (k - 1)) // s + 1,
        "your counts match PyTorch's documented form without its final - 1: the docs write "
        "(size + 2 * padding - dilation * (kernel - 1) - 1), and with dilation 1 the two minus signs together "
        "take away the whole kernel, not kernel - 1",
    ),
    (
        lambda n, k, s, p: math.ceil(n / s),
        "your counts are each side divided by the stride, rounded up: section 1's ceil(n / 2), which holds for T2T's "
        "(3, 2, 1) only. It ignores the kernel and the padding and is wrong for other splits",
    ),
    (
        lambda n, k, s, p: n // s,
        "your counts are each side divided by the stride, rounded down: the shortcut of the original T2T code's "
        "img_size // 16 (section 5). It ignores the kernel and the padding",
    ),
    (
        lambda n, k, s, p: (n + 2 * p - k) / s + 1,
        "your counts are fractions: a window either fits or it does not, so the count is a whole number",
    ),
    (  # checked only where kernel > stride: elsewhere this slip divides by zero or by a negative number
        lambda n, k, s, p: (n + 2 * p - k) // (k - s) + 1 if k > s else None,
        _PAPER_OVERLAP,
    ),
]


def random_count_cases(number: int = 5, generator: torch.Generator | None = None) -> list[Case]:
    """``number`` soft splits no table holds, drawn afresh on every call (a draw that repeats a fixed case of
    :func:`count_cases` is drawn again): sides 1..300, padding 0..9, any kernel that fits, stride 1..15."""
    generator = generator or fresh_generator()
    fixed, cases = set(count_cases()), []
    while len(cases) < number:
        height, width, padding = _draw(1, 301, generator), _draw(1, 301, generator), _draw(0, 10, generator)
        kernel, stride = _draw(1, min(height, width) + 2 * padding + 1, generator), _draw(1, 16, generator)
        case = (height, width, kernel, stride, padding)
        if case not in fixed:
            cases.append(case)
    return cases


def check_count_tokens(answer: Callable[[int, int, int, int, int], Any]) -> None:
    """Check ``answer(height, width, kernel, stride, padding) -> (rows, cols, total)`` on 300+ fixed cases and
    five drawn at random on every call, against :func:`vit_explained.count_tokens` (which equals ``nn.Unfold``)."""
    cases = count_cases() + random_count_cases()
    answers = []
    for case in cases:
        height, width, kernel, stride, padding = case
        where = f"for height {height}, width {width}, kernel {kernel}, stride {stride}, padding {padding}"
        result = _NO_COUNTING_SHORTCUTS(
            answer, height, width, kernel, stride, padding, hint=_count_hint(where, kernel, stride)
        )
        answers.append(_triple(result, "(rows, cols, total)"))

    def follows(rule: Callable[[int, int, int, int], float | None]) -> bool:
        """The answer matches ``rule`` on every case the rule is defined on (``None``: not defined)."""
        pairs = [(tuple(got[:2]), _sides(rule, case)) for got, case in zip(answers, cases, strict=True)]
        return all(mine == expected for mine, expected in pairs if None not in expected)

    for rule, message in _MISTAKES:
        if follows(rule):
            fail(message)
    for channels in (1, 3):
        if all(_same_number(got[2], channels * case[2] ** 2) for got, case in zip(answers, cases, strict=True)):
            fail(
                f"your total is kernel x kernel{' x 3 channels' if channels == 3 else ''}: the *length* of one "
                "token, the values one window holds. The total asked for is the *number* of tokens, rows x cols"
            )
    for got, case in zip(answers, cases, strict=True):
        height, width, kernel, stride, padding = case
        expected = count_tokens(height, width, kernel, stride, padding)
        where = f"a {height}x{width} image, kernel {kernel}, stride {stride}, padding {padding}"
        rows, cols, total = (
            as_int(value, f"for {where}, {name}", integral_floats=True) for value, name in zip(got, _NAMES, strict=True)
        )
        if (rows, cols) == (expected.cols, expected.rows) and expected.rows != expected.cols:
            fail(f"rows and cols are swapped for {where}: rows count windows down the height, cols along the width")
        if expected.rows != expected.cols and rows == cols in (expected.rows, expected.cols):
            side = "height" if rows == expected.rows else "width"
            fail(f"for {where} you use the {side} for both sides: rows follow the height, cols the width")
        for name, mine, true in (("rows", rows, expected.rows), ("cols", cols, expected.cols)):
            if mine != true:
                how = "too many" if mine > true else "too few"
                fail(f"for {where} your {name} are {abs(mine - true)} {how}; check the formula on this case by hand")
        if total != rows * cols:
            fail(f"for {where} your total {total} is not rows x cols = {rows} x {cols}")
    passed(
        f"your formula agrees with count_tokens (and so with nn.Unfold) in all {len(cases)} cases "
        "(five drawn at random)."
    )


_NAMES = ("rows", "cols", "total")


def _is_count(stage: object) -> bool:
    """A stage ``(rows, cols, third)`` whose third number is rows x cols, the number of tokens."""
    try:
        rows, cols, third = stage  # type: ignore[misc]
        return bool(third == rows * cols)
    except Exception:
        return False


def _same_number(value: object, number: int) -> bool:
    """``value`` equals ``number`` (an int, numpy or tensor scalar); anything that does not compare: False."""
    try:
        return bool(value == number)
    except Exception:
        return False


#: ``(size, grid)`` pairs for :func:`check_split_for_grid`: ``size`` a multiple of ``grid``, at least twice it.
GRID_REQUESTS: tuple[tuple[int, int], ...] = (
    (224, 56),
    (56, 28),
    (28, 14),
    (60, 6),
    (100, 10),
    (32, 8),
    (64, 16),
    (48, 4),
    (96, 12),
    (30, 10),
    (20, 10),
    (90, 6),
)


def fresh_generator() -> torch.Generator:
    """A local generator seeded from ``os.urandom``: a new draw on every call, the global seed untouched."""
    return torch.Generator().manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)


def _draw(low: int, high: int, generator: torch.Generator) -> int:
    """An int in ``[low, high)`` from ``generator``."""
    return int(torch.randint(low, high, (1,), generator=generator))


def random_grid_request(generator: torch.Generator | None = None) -> tuple[int, int]:
    """A ``(size, grid)`` request no table holds: a grid of 3..40 tokens, ``size`` 2..9 times it."""
    generator = generator or fresh_generator()
    while True:  # a draw that repeats a fixed request would let a lookup table pass: draw again
        grid = _draw(3, 41, generator)
        request = (grid * _draw(2, 10, generator), grid)
        if request not in GRID_REQUESTS:
            return request


def random_t2t_case(generator: torch.Generator | None = None) -> tuple[int, int, int, int]:
    """An image no table holds: odd ``height x width`` (33..319), 1..4 channels, a token_dim of 5..99, not 64."""
    generator = generator or fresh_generator()
    height, width = (2 * _draw(16, 160, generator) + 1 for _ in range(2))
    channels, token_dim = _draw(1, 5, generator), _draw(5, 99, generator)
    return height, width, channels, token_dim + (token_dim == 64)


def check_split_for_grid(answer: Callable[[int, int], Any]) -> None:
    """Check ``answer(size, grid) -> (kernel, stride, padding)``: the windows overlap (kernel > stride),
    no window sees only padding (padding < kernel), a ``size x size`` image gives ``grid x grid`` tokens,
    and every pixel is in some window (as in T2T's own splits). The fixed requests, then one drawn at random."""
    requests = (*GRID_REQUESTS, random_grid_request())
    for size, grid in requests:
        asked = f"for size {size}, grid {grid}"
        result = _triple(attempt(answer, size, grid, hint=f"It happened {asked}"), f"(kernel, stride, padding) {asked}")
        kernel, stride, padding = (
            as_int(value, f"for size {size}, grid {grid}, the {name}", integral_floats=True)
            for value, name in zip(result, ("kernel", "stride", "padding"), strict=True)
        )
        if kernel < 1 or stride < 1 or padding < 0:
            fail(
                f"kernel and stride must be ints >= 1 and padding an int >= 0; for size {size}, grid {grid} "
                f"you returned {(kernel, stride, padding)!r}"
            )
        split = f"(kernel {kernel}, stride {stride}, padding {padding}) for a {size}x{size} image"
        if kernel <= stride:
            fail(
                f"{split}: the windows do not overlap (kernel <= stride), which is ViT's hard split; "
                "a soft split needs a kernel larger than the stride"
            )
        if padding >= kernel:
            fail(f"{split}: padding >= kernel, so the first window sees nothing but padding zeros")
        try:
            made = count_tokens(size, size, kernel, stride, padding)
        except ValueError as error:
            fail(f"{split}: {error}")
        if made.rows != grid:
            _wrong_grid(split, size, grid, (kernel, stride, padding), made.rows)
        last_pixel = (grid - 1) * stride + kernel - 1 - padding  # the last image pixel the last window covers
        if last_pixel < size - 1:
            missed = list(range(last_pixel + 1, size))
            which = (
                f"pixel {missed[0]} (the last row and column) ends up"
                if len(missed) == 1
                else f"pixels {missed[0]} to {missed[-1]} (the last rows and columns) end up"
            )
            fail(
                f"{split} makes the right number of windows, but it covers only pixels 0 to {last_pixel} of each "
                f"side (0 to {size - 1}): {which} in no token. "
                "T2T's splits cover every pixel; choose the kernel and padding so that the last window reaches "
                "the edge"
            )
    passed(f"your splits overlap and make the requested grid in all {len(requests)} cases (one drawn at random).")


def _wrong_grid(split: str, size: int, grid: int, answer: tuple[int, int, int], made: int) -> None:
    """Name the slip behind a split that makes ``made`` windows per side instead of ``grid`` (always fails)."""
    kernel, stride, padding = answer
    if kernel - stride >= 1 and count_tokens(size, size, kernel, kernel - stride, padding).rows == grid:
        fail(
            f"{split} makes a {made} x {made} grid, but {grid} x {grid} was asked for: you used the paper's "
            f"overlap S = {stride} as the stride; the stride is k - S = {kernel} - {stride} = {kernel - stride} "
            "(section 2: the T2T paper's s is the overlap of two windows, not the step between them)"
        )
    if stride == grid != size // grid:
        fail(
            f"{split} makes a {made} x {made} grid, but {grid} x {grid} was asked for: your stride is the grid "
            f"size {grid}. The stride is how far apart neighbouring windows are, in pixels: the image's {size} "
            f"pixels shared among {grid} windows per side"
        )
    if padding > 0 and made < grid and size == grid * stride and 2 * padding < kernel - stride:
        fail(
            f"{split} makes a {made} x {made} grid, but {grid} x {grid} was asked for: too little padding. "
            f"With kernel - stride = {kernel - stride} you need 2 x padding >= {kernel - stride} for {grid} windows "
            "to fit"
        )
    if padding == 0 and made < grid:
        fail(
            f"{split} makes a {made} x {made} grid, but {grid} x {grid} was asked for: your split has no padding. "
            "Without it, overlapping windows (kernel > stride) fit fewer than size / stride times along a side: "
            "pad both ends, as T2T's splits do"
        )
    how = "too many" if made > grid else "too few"
    fail(
        f"{split} makes a {made} x {made} grid, but {grid} x {grid} was asked for: {how} windows "
        "per side. Work out how far apart the windows must be, then what kernel and padding make the "
        "count come out exactly"
    )


#: The encoder widths (``embed_dim``) of the T2T-ViT models in the original code (yitu-opensource/T2T-ViT).
_EMBED_DIMS = (256, 384, 448, 512, 768)

#: ``(height, width, in_channels)`` images for :func:`check_t2t_stages`.
T2T_IMAGES: tuple[tuple[int, int, int], ...] = (
    (224, 224, 3),
    (400, 100, 1),
    (384, 384, 3),
    (32, 32, 3),
    (28, 28, 1),
    (97, 61, 3),
    (150, 250, 1),
    (64, 48, 3),
    (102, 102, 1),
    (33, 70, 2),
)


def check_t2t_stages(answer: Callable[[int, int, int, int], Any]) -> None:
    """Check ``answer(height, width, in_channels, token_dim) -> [(rows, cols, token_length)] * 3`` for
    T2T's three soft splits against :func:`vit_explained.t2t_chain`: every image with token_dim 64,
    then some with 32 (a hard-coded 64 or 576 fails), then one image drawn at random (a lookup table fails)."""
    cases = [(*image, 64) for image in T2T_IMAGES] + [(*image, 32) for image in T2T_IMAGES[:3]]
    cases.append(random_t2t_case())
    for height, width, channels, token_dim in cases:
        plural = "s" if channels > 1 else ""
        image = f"a {height}x{width} image with {channels} channel{plural} and token_dim {token_dim}"
        result = _NO_CHAIN(answer, height, width, channels, token_dim, hint=f"It happened for {image}")
        if isinstance(result, (np.ndarray, torch.Tensor)) and result.ndim == 2:
            result = result.tolist()
        if not isinstance(result, (tuple, list)) or len(result) != len(T2T_SPLITS):
            fail(f"return a list of {len(T2T_SPLITS)} (rows, cols, token_length), one per soft split; got {result!r}")
        stages = t2t_chain(height, width, channels, token_dim)
        for number, (got, stage) in enumerate(zip(result, stages, strict=True), start=1):
            if not isinstance(got, (tuple, list)) or len(got) != 3:
                fail(f"each stage must be three ints (rows, cols, token_length); stage {number} is {got!r}")
            rows, cols, length = (
                as_int(value, f"for {image}, stage {number}'s {name}", integral_floats=True)
                for value, name in zip(got, ("rows", "cols", "token_length"), strict=True)
            )
            kernel, stride, padding = T2T_SPLITS[number - 1]
            where = f"for {image}, soft split {number} (kernel {kernel}, stride {stride}, padding {padding})"
            in_size = (height, width) if number == 1 else (stages[number - 2].grid.rows, stages[number - 2].grid.cols)
            if (rows, cols) != (stage.grid.rows, stage.grid.cols):
                _grid_slip(where, (rows, cols), stage, number, (height, width), in_size)
            if length != stage.token_length:
                previous = stages[number - 2].token_length if number > 1 else None
                _length_slip(where, length, result, number, channels, token_dim, previous)
    passed(f"your T2T chain matches t2t_chain for all {len(cases)} images and token widths (one drawn at random).")


def _grid_slip(where: str, grid: tuple[int, int], stage: Any, number: int, image: tuple[int, int],
               in_size: tuple[int, int]) -> None:  # fmt: skip
    """Name the slip behind a wrong grid of soft split ``number`` (always fails)."""
    (rows, cols), (height, width) = grid, image
    in_height, in_width = in_size
    kernel, stride, padding = T2T_SPLITS[number - 1]
    if (rows, cols) == in_size:  # first: (3, 2, 1) read with S = 1 as the stride keeps the grid too
        fail(
            f"{where}: your grid did not shrink: this split's input is {in_height} x {in_width}; apply the formula"
            " to it"
        )
    if stage.token_length in (rows, cols):
        fail(
            f"{where}: your grid {rows} x {cols} holds a token *length* (the values in one window, "
            "channels x kernel x kernel); rows and cols are token *counts*, how many windows fit down "
            "and across"
        )
    if (rows, cols) == (stage.grid.cols, stage.grid.rows):
        fail(f"{where}: rows and cols are swapped; rows follow the height, cols the width")
    if number > 1 and (rows, cols) == tuple(count_tokens(height, width, kernel, stride, padding)[:2]):
        fail(
            f"{where}: you split the original image again; each later split works on the previous "
            "split's token grid, reshaped back into an image"
        )
    if number > 1 and height != width:
        side = math.isqrt(in_height * in_width)
        if side >= kernel and (rows, cols) == tuple(count_tokens(side, side, kernel, stride, padding)[:2]):
            fail(
                f"{where}: you reshape the previous split's {in_height * in_width} tokens into a square "
                f"of side {side} (isqrt or int(sqrt(N))): the bug of the original T2T code (section 5). "
                f"The grid is {in_height} x {in_width}: reshape with its rows and cols"
            )
    overlap = kernel - stride  # the T2T paper's S: (3, 1, 1) for strides (4, 2, 2)
    if (rows, cols) == tuple(count_tokens(in_height, in_width, kernel, overlap, padding)[:2]):
        fail(
            f"{where}: you use the T2T paper's S = {overlap} as the stride. The paper's S is the *overlap* of "
            f"two windows; the stride is k - S = {kernel} - {overlap} = {stride} (section 2)"
        )
    if in_height >= kernel and in_width >= kernel:
        unpadded = count_tokens(in_height, in_width, kernel, stride, 0)
        if (rows, cols) == (unpadded.rows, unpadded.cols):
            fail(
                f"{where}: your grid is the count *without padding*: the split pads {padding} zeros on "
                "both ends of each side before its windows slide"
            )
    for rounding, how in ((math.ceil, "rounding up"), (math.floor, "rounding down")):
        if (rows, cols) == (rounding(in_height / stride), rounding(in_width / stride)):
            fail(
                f"{where}: you divide this split's input sides ({in_height} x {in_width}) by the stride "
                f"{stride}, {how}. That shortcut ignores the kernel and the padding: it happens to "
                "give the right count for some sizes, not for this one. Use the token-count formula"
            )
    rounded_up = tuple(math.ceil((side + 2 * padding - kernel) / stride) + 1 for side in in_size)
    if (rows, cols) == rounded_up:
        fail(
            f"{where}: your grid {rows} x {cols} rounds up: (side + 2p - k) / s must be rounded *down* (floor, "
            "or //) before the + 1, because a window that would stick out past the padded edge does not exist. "
            f"This split's input is {in_height} x {in_width}"
        )
    fail(f"{where}: the grid {rows} x {cols} is wrong; use the token-count formula on this split's input")


def _length_slip(where: str, length: int, result: Any, number: int, channels: int, token_dim: int,
                 previous: int | None) -> None:  # fmt: skip
    """Name the slip behind a wrong token length of soft split ``number`` (always fails)."""
    kernel = T2T_SPLITS[number - 1][0]
    if all(_is_count(got) for got in result):
        fail(
            f"{where}: {length} is the number of tokens (rows x cols), and so at every split; the third "
            "number asked for is a token's *length*, the values in one window"
        )
    if number == len(T2T_SPLITS) and length in _EMBED_DIMS:
        fail(
            f"{where}: {length} is a model width (embed_dim, e.g. 384 in T2T-ViT-14): the Linear that "
            "projects to it runs *after* the third split. Give the length of the split's own tokens, "
            "one window of the reshaped image's channels"
        )
    if number > 1 and length == token_dim:
        fail(
            f"{where}: {length} is token_dim, the width of one token *before* this split. The split cuts a "
            f"{kernel} x {kernel} window of the reshaped image, whose channels are those {token_dim} numbers"
        )
    if number == 1 and length == token_dim * kernel * kernel:
        fail(f"{where}: the first split sees the input image, whose channels are in_channels")
    if number == 1 and channels != 3 and length == 3 * kernel * kernel:
        fail(
            f"{where}: {length} = 3 x {kernel} x {kernel} is the length for an RGB image, but the image has "
            f"{channels} channel{'s' if channels > 1 else ''} here: use in_channels"
        )
    if number > 1 and token_dim != 64 and length == 64 * kernel * kernel:
        fail(
            f"{where}: {length} = 64 x {kernel} x {kernel} uses T2T-ViT-14's width 64, but token_dim is "
            f"{token_dim} here: use the token_dim argument, not a fixed number"
        )
    if number > 1 and length == channels * kernel * kernel:
        fail(
            f"{where}: after the first split the token transformer makes every token token_dim = {token_dim} "
            f"wide, so the image reshaped back from the tokens has {token_dim} channels"
        )
    if number > 1 and length == previous * kernel * kernel:
        fail(
            f"{where}: the reshaped image's channels are the token transformer's output width "
            f"(token_dim = {token_dim}), not the previous token length"
        )
    fail(f"{where}: the token length {length} is wrong; a token holds one window of every channel")

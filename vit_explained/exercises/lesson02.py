"""Checkers for lesson 02 (soft split and token counting).

- :func:`check_final_grid`: the token grid (rows, cols) after a chain of soft splits, written from the formula.
- :func:`check_split_for_grid`: choose an overlapping split that makes a requested grid.
- :func:`check_my_soft_split`: build the soft split itself from padding and slicing, ``(B, C, H, W) -> (B, N, C*k*k)``.

Each checker compares with the package's :func:`vit_explained.count_tokens` (itself tested against
``nn.Unfold``) or with ``nn.Unfold`` itself, and names the likely mistake without the answer.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..soft_split import SoftSplit, SoftSplitEmbedding, _windows_along, count_tokens, tokens_along, window_starts
from ..t2t import t2t_chain
from . import ExerciseFailed, as_int, attempt, close, fail, forbid, passed


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
        name = name.replace("torch._VariableFunctionsClass.", "torch.").replace("TensorBase.", "torch.Tensor.")
        super()._record(_AS_WRITTEN.get(name, name))


#: Unfold's three spellings named as the learner writes them (``nn.Unfold`` is caught before the ``F.unfold`` it calls).
_AS_WRITTEN = {
    "torch.nn.modules.fold.Unfold": "nn.Unfold (torch.nn.Unfold, which calls F.unfold)",
    "torch.nn.modules.fold.Fold": "nn.Fold (torch.nn.Fold, which calls F.fold)",
    "torch.nn.functional.unfold": "F.unfold (torch.nn.functional.unfold)",
    "torch.nn.functional.fold": "F.fold (torch.nn.functional.fold)",
    "torch.Tensor.unfold": "Tensor.unfold (torch.Tensor.unfold)",
}


#: Exercise 1 counts with the formula itself: not the package's count, nor a layer whose output shape counts for you
#: (unfold and fold, convolutions and pooling, under every alias: ``F.conv2d`` is ``torch.conv2d``, ``nn.Conv2d``
#: and ``nn.MaxPool2d`` call them, ``F.max_pool2d`` calls ``torch.max_pool2d`` or ``max_pool2d_with_indices``),
#: ``Tensor.unfold`` and numpy's ``sliding_window_view`` (windows along one side), and the aten operators
#: behind all of these called directly (``torch.ops.aten.convolution``, ``torch.ops.aten.avg_pool2d``, ...).
_COUNTING_TARGETS: tuple[object, ...] = (
    count_tokens,
    _windows_along,
    tokens_along,
    window_starts,
    SoftSplit,
    t2t_chain,
    torch.nn.Unfold,
    torch.nn.Fold,
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
)
_COUNTING_OPS: tuple[str, ...] = tuple(
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
)


def _describe(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"


def _triple(result: object, what: str) -> tuple[object, object, object]:
    """Three numbers from a tuple, list, array or tensor; anything else is refused."""
    if isinstance(result, (np.ndarray, torch.Tensor)) and result.ndim == 1:
        result = result.tolist()
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"return three numbers {what}, got {_describe(result)}")
    return tuple(result)  # type: ignore[return-value]


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


def _whole(value: Any, what: str) -> int:
    """``value`` as an int; a whole float (``1.0``) passes, as exercise 2's text says, and a fractional one is
    refused with a message that says so."""
    if isinstance(value, float) and not value.is_integer():
        fail(f"{what} is the float {value!r}; return a whole number (an int, or a float such as 1.0)")
    return as_int(value, what, integral_floats=True)


def check_split_for_grid(answer: Callable[[int, int], Any]) -> None:
    """Check ``answer(size, grid) -> (kernel, stride, padding)``: the windows overlap (kernel > stride),
    no window sees only padding (padding < kernel), a ``size x size`` image gives ``grid x grid`` tokens,
    and every pixel is in some window (as in T2T's own splits). The fixed requests, then one drawn at random."""
    requests, returned = (*GRID_REQUESTS, random_grid_request()), {}
    for size, grid in requests:
        asked = f"for size {size}, grid {grid}"
        result = _triple(attempt(answer, size, grid, hint=f"It happened {asked}"), f"(kernel, stride, padding) {asked}")
        kernel, stride, padding = (
            _whole(value, f"for size {size}, grid {grid}, the {name}")
            for value, name in zip(result, ("kernel", "stride", "padding"), strict=True)
        )
        if kernel < 1 or stride < 1 or padding < 0:
            fail(
                f"kernel and stride must be ints >= 1 and padding an int >= 0; for size {size}, grid {grid} "
                f"you returned {(kernel, stride, padding)!r}"
            )
        split = f"(kernel {kernel}, stride {stride}, padding {padding}) for a {size}x{size} image"
        if kernel <= stride:
            _no_overlap(split, kernel, stride, padding)
        if padding >= kernel:
            fail(f"{split}: padding >= kernel, so the first window sees nothing but padding zeros")
        try:
            made = count_tokens(size, size, kernel, stride, padding)
        except ValueError as error:
            fail(f"{split}: {error}")
        if made.rows != grid:
            _constant(returned.get((kernel, stride, padding)), split, grid, made.rows)
            _wrong_grid(split, size, grid, (kernel, stride, padding), made.rows)
        returned.setdefault((kernel, stride, padding), (size, grid))
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


def _constant(earlier: tuple[int, int] | None, split: str, grid: int, made: int) -> None:
    """Fail for a split returned before, for another request, that does not make this grid: a constant answer."""
    if earlier is not None:
        fail(
            f"{split} makes a {made} x {made} grid, but {grid} x {grid} was asked for. You returned the same split "
            f"for size {earlier[0]}, grid {earlier[1]}: a constant answer fits one request only; compute the kernel, "
            "stride and padding from size and grid"
        )


def _no_overlap(split: str, kernel: int, stride: int, padding: int) -> None:
    """Fail for windows that do not overlap: ViT's hard split (kernel == stride) or gaps (kernel < stride)."""
    if kernel == stride:
        fail(
            f"{split}: the windows do not overlap (kernel == stride), which is ViT's hard split; "
            "a soft split needs a kernel larger than the stride"
        )
    first, last = kernel - padding, stride - padding - 1  # between window 0 and window 1, in image pixels
    where = f"pixels {max(first, 0)} to {last} are" if max(first, 0) < last else f"pixel {last} is"
    if last < 0:  # the gap falls in the padding
        where = "the pixels between neighbouring windows are"
    fail(
        f"{split}: the windows leave gaps (kernel < stride): {where} in no window (between the first window and "
        "the second, on each side). A soft split's windows overlap: a kernel larger than the stride"
    )


def _wrong_grid(split: str, size: int, grid: int, answer: tuple[int, int, int], made: int) -> None:
    """Name the slip behind a split that makes ``made`` windows per side instead of ``grid`` (always fails)."""
    kernel, stride, padding = answer
    if kernel - stride >= 1 and count_tokens(size, size, kernel, kernel - stride, padding).rows == grid:
        fail(
            f"{split} makes a {made} x {made} grid, but {grid} x {grid} was asked for: you used the paper's "
            f"overlap S = {stride} as the stride; use k - S as the stride "
            "(the T2T paper's S is the overlap of two windows, not the step between them; Going further, formula forms)"
        )
    if stride == grid != size // grid:
        fail(
            f"{split} makes a {made} x {made} grid, but {grid} x {grid} was asked for: your stride is the grid "
            f"size {grid}. The stride is how far apart neighbouring windows are, in pixels: the image's {size} "
            f"pixels shared among {grid} windows per side"
        )
    if padding > 0 and made < grid and size == grid * stride and 2 * padding < kernel - stride:
        last = (made - 1) * stride + kernel - 1 - padding  # the last image pixel the last window that fits covers
        lost = (
            f"pixel {size - 1} of each side is"
            if last + 1 == size - 1
            else f"pixels {last + 1} to {size - 1} of each side are"
        )
        fail(
            f"{split} makes a {made} x {made} grid, but {grid} x {grid} was asked for: too little padding. "
            f"Window {grid - 1} would stick out past the padded edge, so the last window ends at pixel {last} and "
            f"{lost} in no window"
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


# --------------------------------------------------------------------------- exercise 3: the soft split itself

#: Exercise 3 is the soft split itself, from padding and slicing: not the package's, not unfold in any form
#: (``nn.Unfold`` calls ``F.unfold``), not a convolution, not a strided view that makes the windows for you.
_NO_UNFOLD = _ForbidCounting(
    SoftSplit,
    SoftSplitEmbedding,
    torch.nn.Unfold,
    F.unfold,
    F.conv2d,
    torch.convolution,
    torch.Tensor.unfold,
    torch.as_strided,
    torch.Tensor.as_strided,
    np.lib.stride_tricks.sliding_window_view,
    np.lib.stride_tricks.as_strided,
    ops=tuple(f"aten::{name}" for name in ("unfold", "im2col", "as_strided", "convolution", "_convolution", "conv2d")),
    reason="the soft split from padding and slicing",
)

#: ``(batch, channels, height, width, kernel, stride, padding)`` cases every call tries, then random ones.
SPLIT_CASES: tuple[tuple[int, ...], ...] = (
    (1, 1, 4, 6, 3, 2, 1),  # the lesson's 4 x 6 example
    (2, 3, 15, 11, 7, 4, 2),  # T2T's first split, RGB, non-square
    (1, 2, 9, 7, 3, 2, 1),  # T2T's later splits
    (2, 3, 8, 10, 4, 3, 0),  # no padding
    (1, 3, 8, 12, 4, 4, 0),  # ViT's hard split, k = s
    (1, 2, 6, 5, 2, 1, 0),  # stride 1
    (2, 1, 9, 11, 2, 3, 1),  # stride > kernel: gaps between windows
    (1, 1, 7, 9, 3, 1, 2),  # stride 1, p = 2: padding the start only and a missing + 1 give different windows
)


def random_split_cases(number: int = 3, generator: torch.Generator | None = None) -> list[tuple[int, ...]]:
    """``number`` cases drawn afresh: non-square images (5..20 pixels), 1..3 channels, kernel 2..5, stride
    2..kernel, padding 0..kernel - 1 (at least one case with padding 0 and one with more)."""
    generator = generator or fresh_generator()
    cases: list[tuple[int, ...]] = []
    while len(cases) < number:
        height, width = _draw(5, 21, generator), _draw(5, 21, generator)
        kernel = _draw(2, 6, generator)
        stride, padding = _draw(2, kernel + 1, generator), _draw(0, kernel, generator) * (len(cases) % 2)
        if height != width:
            cases.append((_draw(1, 3, generator), _draw(1, 4, generator), height, width, kernel, stride, padding))
    return cases


def _unfold(images: torch.Tensor, kernel: int, stride: int, padding: int) -> torch.Tensor:
    """The reference, ``nn.Unfold(k, stride=s, padding=p)(x).transpose(1, 2)``: ``(B, N, C*k*k)``."""
    return torch.nn.Unfold(kernel, stride=stride, padding=padding)(images).transpose(1, 2)


def _split_slips(images: torch.Tensor, kernel: int, stride: int, padding: int) -> list[tuple[str, torch.Tensor]]:
    """Plausible wrong answers, each with the short line that names it (the ones torch can compute)."""
    batch, channels = images.shape[:2]
    right = _unfold(images, kernel, stride, padding)
    grid = count_tokens(images.shape[2], images.shape[3], kernel, stride, padding)
    slips = [
        (
            "features in (kh, kw, c) order, patchify's; nn.Unfold lists a window channel by channel, (c, kh, kw)",
            right.unflatten(-1, (channels, kernel, kernel)).permute(0, 1, 3, 4, 2).flatten(2),
        ),
        (
            "(B, C*k*k, N): the transpose to (B, N, C*k*k) is left out (N tokens: L in nn.Unfold's docs)",
            right.transpose(1, 2),
        ),
        (
            "a reshape where a transpose was needed: the shape is right, the values are scrambled (Order matters)",
            right.transpose(1, 2).reshape(right.shape),
        ),
        (
            "windows in column-major order; number them row by row, as nn.Unfold does",
            right.unflatten(1, (grid.rows, grid.cols)).transpose(1, 2).flatten(1, 2),
        ),
        (
            "padding on one side only (F.pad(x, (0, 2p, 0, 2p))); pad p zeros at both ends of each side",
            _unfold(F.pad(images, (0, 2 * padding, 0, 2 * padding)), kernel, stride, 0),
        ),
        ("the stride is ignored: your windows move 1 pixel at a time", _unfold(images, kernel, 1, padding)),
        (
            "windows k apart: step by s (you step by k, not s; window starts are s pixels apart)",
            _unfold(images, kernel, kernel, padding),
        ),
        ("no padding: pad p zeros on every side first (F.pad)", _unfold(images, kernel, stride, 0)),
    ]
    if stride != kernel:
        slips.append(("kernel and stride swapped", _unfold(images, stride, kernel, padding)))
        k_apart = _windows_k_apart(images, kernel, grid.rows, grid.cols, padding)
        if k_apart is not None:
            slip = "windows k apart: step by s (window j starts at j*s of the padded image, not j*k)"
            slips.append((slip, k_apart))
    slips += _padding_slips(images, kernel, stride, padding)
    return [(slip, wrong.reshape(batch, -1, wrong.shape[-1])) for slip, wrong in slips]


def _windows_k_apart(images: torch.Tensor, kernel: int, rows: int, cols: int, padding: int) -> torch.Tensor | None:
    """The right number of windows (the formula's rows x cols), cut k apart instead of s apart: window (i, j) at
    (i*k, j*k) of the padded image. ``None`` when such windows would stick out past the padded edge."""
    padded = F.pad(images, (padding, padding, padding, padding))
    if rows * kernel > padded.shape[2] or cols * kernel > padded.shape[3]:
        return None
    windows = [
        padded[:, :, i * kernel : (i + 1) * kernel, j * kernel : (j + 1) * kernel].flatten(1)
        for i in range(rows)
        for j in range(cols)
    ]
    return torch.stack(windows, dim=1)


def _padding_slips(images: torch.Tensor, kernel: int, stride: int, padding: int) -> list[tuple[str, torch.Tensor]]:
    """Padding slips: F.pad(x, (p, p)) pads the last dim only; replicate or reflect padding instead of zeros."""
    if padding == 0:
        return []
    slips = []
    if images.shape[2] >= kernel:
        slips.append(
            (
                "F.pad(x, (p, p)) pads only the last dim (the width); pad both, (p, p, p, p)",
                _unfold(F.pad(images, (padding, padding)), kernel, stride, 0),
            )
        )
    for mode in ("replicate", "reflect"):
        if mode == "reflect" and padding >= min(images.shape[2:]):
            continue
        padded = F.pad(images, (padding,) * 4, mode=mode)
        slips.append((f"{mode} padding: pad with zeros, as nn.Unfold does", _unfold(padded, kernel, stride, 0)))
    return slips


def _trimmed(images: torch.Tensor, split: tuple[int, int, int], rows: int, cols: int) -> torch.Tensor:
    """The right windows of the first ``rows`` x ``cols`` starts: what a count one short per side gives."""
    grid = count_tokens(images.shape[2], images.shape[3], *split)
    return _unfold(images, *split).unflatten(1, (grid.rows, grid.cols))[:, :rows, :cols].flatten(1, 2)


def _short_kind(answer: torch.Tensor, images: torch.Tensor, split: tuple[int, int, int]) -> str | None:
    """'start' if the answer pads the start only by p, 'plus' if it misses the last start (no + 1), in a case
    where the two differ; None if neither or both fit here."""
    kernel, stride, padding = split
    height, width = images.shape[2:]
    starts = [len(range(0, n + 2 * padding - kernel, stride)) for n in (height, width)]
    floor = [(n + 2 * padding - kernel) // stride for n in (height, width)]
    plus = [_trimmed(images, split, *counts) for counts in (starts, floor) if min(counts) >= 1]
    start = None
    if padding and min(height, width) + padding >= kernel:
        start = _unfold(F.pad(images, (padding, 0, padding, 0)), kernel, stride, 0)
    fits = {
        "start": start is not None and answer.shape == start.shape and close(answer, start),
        "plus": any(answer.shape == wrong.shape and close(answer, wrong) for wrong in plus),
    }
    return next(iter(kind for kind, fit in fits.items() if fit)) if sum(fits.values()) == 1 else None


def _start_only(
    answer: torch.Tensor, images: torch.Tensor, case: str, split: tuple[int, int, int], more: Callable[[], Any]
) -> None:
    """Fail if the answer pads the start of each side only, F.pad(x, (p, 0, p, 0)) or (2p, 0, 2p, 0). Padding the
    start by p gives the right windows minus the last, as a missing + 1 does: ``more()`` yields (answer, images,
    split) of the other cases, and the first where the two differ decides; if none does, the message names both."""
    kernel, stride, padding = split
    for name, amount in (("p", padding), ("2p", 2 * padding)):
        if padding == 0 or min(images.shape[2:]) + amount < kernel:
            continue
        wrong = _unfold(F.pad(images, (amount, 0, amount, 0)), kernel, stride, 0)
        if answer.shape != wrong.shape or not close(answer, wrong):
            continue
        pad = f"F.pad(x, ({name}, 0, {name}, 0))"
        start_only = f"padding at the start only ({pad}); F.pad's (left, right, top, bottom) needs (p, p, p, p)"
        if name == "2p":
            fail(f"for {case}: {start_only}")
        kind = next((kind for got, *other in more() if (kind := _short_kind(got, *other))), None)
        if kind == "start":
            fail(f"for {case}: {start_only}")
        made = count_tokens(images.shape[2] + amount, images.shape[3] + amount, kernel, stride, 0)
        total = count_tokens(images.shape[2], images.shape[3], *split).total
        if kind == "plus":
            fail(
                f"for {case} you make {_windows(made.total)}, not {total}, the last ones missing: the + 1 left out "
                "(range(0, n - k, s) stops one short; window starts run up to n - k included)"
            )
        fail(
            f"for {case} you make {_windows(made.total)}, not {total}, the last ones missing: the + 1 left "
            "out (range(0, n - k, s) stops one short; starts run up to n - k included), or padding at the start "
            f"only ({pad}; pad both ends, (p, p, p, p))"
        )


def _windows(count: int) -> str:
    """``1 window``, ``2 windows``: the count with its noun."""
    return f"{count} window" if count == 1 else f"{count} windows"


def _count_slip(answer: torch.Tensor, images: torch.Tensor, split: tuple[int, int, int]) -> str:
    """What to fix for a wrong number of windows, decided by the values, not the count alone: the + 1 only when
    the tokens are the right ones minus the last start; a loop over the wrong side; a padding other than p."""
    kernel, stride, padding = split
    grid = count_tokens(images.shape[2], images.shape[3], *split)
    height, width = (size + 2 * padding for size in images.shape[2:])

    def fits(wrong: torch.Tensor) -> bool:
        return answer.shape == wrong.shape and close(answer, wrong)

    for counts in (
        [len(range(0, n - kernel, stride)) for n in (height, width)],
        [(n - kernel) // stride for n in (height, width)],
    ):
        if min(counts) >= 1 and fits(_trimmed(images, split, *counts)):
            return (
                "the last start is missing: range(0, n - k, s) stops one short; window starts run up to n - k "
                "included, range(0, n - k + 1, s) (the + 1 of exercise 1's formula)"
            )
    if grid.rows < grid.cols and fits(_trimmed(images, split, grid.rows, grid.rows)):
        return "your column loop uses the height: columns run along the width"
    if grid.cols < grid.rows and fits(_trimmed(images, split, grid.cols, grid.cols)):
        return "your row loop uses the width: rows run along the height"
    for other in range(1, kernel):
        fitting = other != padding and min(images.shape[2:]) + 2 * other >= kernel
        if fitting and fits(_unfold(images, kernel, stride, other)):
            return f"you padded {other}, not the argument p = {padding}: pad by the p your function is given"
    return "count them per side with exercise 1's formula (pad both ends, round down, + 1 for the first window)"


#: How torch 2.x words a refusal to join (or store) tensors of unequal sizes: torch.stack, torch.cat (and
#: vstack/hstack, which call it), and an assignment of a shorter window into a preallocated row.
_UNEQUAL_WINDOWS = (
    "stack expects each tensor to be equal size",
    "Sizes of tensors must match except in dimension",
    "The expanded size of the tensor",
)


def _unequal_windows(message: str) -> bool:
    return any(words in message for words in _UNEQUAL_WINDOWS)


def _raised_hint(case: str) -> Callable[[Exception], str]:
    """The hint after an exception: windows of unequal sizes refused by ``torch.stack`` / ``torch.cat`` (or
    written into a preallocated ``(B, N, C·k·k)`` row) usually mean windows cut short at the edge. Other size
    errors (a ``view`` that does not fit, two shapes that do not broadcast) get no such hint."""

    def hint(error: Exception) -> str:
        if isinstance(error, RuntimeError) and _unequal_windows(str(error)):
            return (
                "If some windows are smaller than k x k: a window that would stick out past the padded edge is "
                "not a token (round down, section 2); or, if you cut windows k apart: step by s. "
                f"It happened for {case}"
            )
        return f"It happened for {case}"

    return hint


def _diagnose_split(
    answer: torch.Tensor, images: torch.Tensor, case: str, split: tuple[int, int, int], more: Callable[[], Any]
) -> None:
    """Fail with the slip the answer follows, or with what is wrong about its shape or values."""
    right, slips = _unfold(images, *split), _split_slips(images, *split)
    batch, length, features = right.shape
    for slip, wrong in slips:
        if answer.shape == wrong.shape and close(answer, wrong):
            fail(f"for {case}: {slip}")
    _start_only(answer, images, case, split, more)
    _batch_or_padding(answer, images, case, split)
    if answer.shape != right.shape:
        if answer.ndim == 3 and answer.shape[0] == batch and answer.shape[2] == features:
            fail(f"for {case} you make {_windows(answer.shape[1])}, not {length}: {_count_slip(answer, images, split)}")
        fail(f"for {case} your output has shape {tuple(answer.shape)}; expected (B, N, C*k*k) = {tuple(right.shape)}")
    if close(answer.sort(dim=-1).values, right.sort(dim=-1).values):
        fail(
            f"for {case} each token holds its window's values in another order: flatten channel by channel, "
            "then row by row, (c, kh, kw)"
        )
    if close(answer.reshape(-1).sort().values, right.reshape(-1).sort().values):
        fail(f"for {case} every value is there but some are in the wrong place: token j is window j, row by row")
    fail(f"for {case} your tokens hold different values from the padded image's windows")


def _batch_or_padding(answer: torch.Tensor, images: torch.Tensor, case: str, split: tuple[int, int, int]) -> None:
    """Fail if only some images of the batch are split right, or if only the padded pixels hold wrong values."""
    right = _unfold(images, *split)
    batch = right.shape[0]
    if answer.shape[1:] == right.shape[1:] and answer.shape[0] != batch:
        fail(f"for {case} your batch size is {answer.shape[0]}, the input's {batch}: split every image of the batch")
    if answer.shape != right.shape:
        return
    wrong = [b for b in range(batch) if not close(answer[b], right[b])]
    if wrong and len(wrong) < batch:
        fail(f"for {case} batch element {wrong[0]} differs: split every image of the batch")
    kernel, stride, padding = split
    is_padding = _unfold(torch.ones_like(images), kernel, stride, padding) == 0
    if padding and is_padding.any() and close(answer[~is_padding], right[~is_padding]):
        fill = answer[is_padding]
        seen = "ones" if torch.all(fill == 1) else "values other than 0"
        fail(f"for {case} the padding must be zeros (yours holds {seen}); F.pad pads zeros by default")


def _run_split_case(
    answer: Callable[..., Any], number: int, case: tuple[int, ...], generator: torch.Generator
) -> tuple:
    """Call the answer on one case: (result, images, case text, dtype, split); fails on a raise or a changed x."""
    batch, channels, height, width, kernel, stride, padding = case
    dtype = torch.float64 if number % 2 else torch.float32
    images = torch.randn(batch, channels, height, width, generator=generator, dtype=dtype)
    original = images.clone()
    text = f"x of shape {tuple(images.shape)} ({dtype}), k={kernel}, s={stride}, p={padding}"
    result = _NO_UNFOLD(answer, images, kernel, stride, padding, hint=_raised_hint(text))
    if not isinstance(result, torch.Tensor):
        name = type(result).__name__
        article = "an" if name[0] in "aeiou" or name == "ndarray" else "a"  # an ndarray, an int, a list
        fail(f"for {text} you returned {article} {name}: return a torch.Tensor, as nn.Unfold does")
    if not torch.equal(images, original):
        fail(f"for {text} your function changed its input x; pad a copy (F.pad returns a new tensor)")
    return result.detach(), images, text, dtype, (kernel, stride, padding)


def check_my_soft_split(answer: Callable[[torch.Tensor, int, int, int], Any]) -> None:
    """Check ``answer(x, k, s, p)``: ``(B, C, H, W) -> (B, N, C*k*k)``, exactly
    ``nn.Unfold(k, stride=s, padding=p)(x).transpose(1, 2)``, built without unfold, convolution or strided views.
    Fixed cases, then three drawn at random on every call; float32 and float64 inputs keep their dtype."""
    generator = fresh_generator()
    cases = [*SPLIT_CASES, *random_split_cases(generator=generator)]
    runs: dict[int, tuple] = {}

    def more() -> Any:  # (result, images, split) of the other cases, the later ones run now; a failing one skipped
        for number, case in enumerate(cases):
            if number not in runs:
                try:
                    runs[number] = _run_split_case(answer, number, case, generator)
                except ExerciseFailed:
                    continue
            yield runs[number][0], runs[number][1], runs[number][4]

    widened = False  # float64 out of float32 in: exact (a split only copies values), passes with a note
    for number, case in enumerate(cases):
        got, images, text, dtype, split = runs[number] = _run_split_case(answer, number, case, generator)
        right = _unfold(images, *split)
        if got.shape == right.shape and close(got, right):
            if got.dtype == torch.float64 and dtype == torch.float32 and torch.equal(got, right.double()):
                widened = True
            elif got.dtype != dtype:
                fail(f"for {text} your output is {got.dtype}, the input {dtype}: a split only moves values")
            continue
        _diagnose_split(got, images, text, split, more)
    note = (
        " Note: for float32 inputs your output is float64. The values are exact (a split only copies them), so it"
        " passes here; in real code return the input's dtype (no .double(), no float64 buffer)."
    )
    passed(
        f"your soft split equals nn.Unfold(k, stride=s, padding=p)(x).transpose(1, 2) in all {len(cases)} cases."
        + (note if widened else "")
    )


# --- exercise 1: the token grid after a chain of soft splits -----------------------------------------------

Split = tuple[int, int, int]  # kernel, stride, padding
ChainCase = tuple[int, int, tuple[Split, ...]]  # height, width, splits

#: Fixed chains for :func:`check_final_grid`: T2T's on 224 x 224 and on the lesson's 400 x 100, one split, four.
CHAIN_CASES: tuple[ChainCase, ...] = (
    (224, 224, ((7, 4, 2), (3, 2, 1), (3, 2, 1))),
    (400, 100, ((7, 4, 2), (3, 2, 1), (3, 2, 1))),
    (60, 100, ((20, 10, 5),)),
    (100, 60, ((20, 15, 0),)),
    (31, 17, ((5, 3, 0), (3, 2, 1))),
    (97, 250, ((7, 4, 2), (5, 2, 0), (3, 2, 1), (2, 1, 0))),
    (13, 29, ((4, 3, 2), (3, 2, 2))),
)


def _chain_side(size: int, splits: tuple[Split, ...], rule: Callable[[int, int, int, int], int]) -> int | None:
    """One side through every split by ``rule(n, k, s, p)``; ``None`` once a side is no longer positive."""
    for kernel, stride, padding in splits:
        if size < 1 or (rule is _overlap_side and kernel <= stride):
            return None
        size = rule(size, kernel, stride, padding)
    return size if size >= 1 else None


def _right_side(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


def _overlap_side(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // (k - s) + 1


def _square_between(height: int, width: int, splits: tuple[Split, ...]) -> tuple[int | None, int | None]:
    """The original T2T code's slip: after each split the N tokens are reshaped to an int(sqrt(N)) square."""
    rows, cols = (_chain_side(n, splits[:1], _right_side) for n in (height, width))
    for split in splits[1:]:
        if rows is None or cols is None:
            return None, None
        rows = cols = _chain_side(math.isqrt(rows * cols), (split,), _right_side)
    return rows, cols


def _square_every(height: int, width: int, splits: tuple[Split, ...]) -> tuple[int | None, int | None]:
    """The same slip carried to the end: a square of int(sqrt(rows x cols)) tokens per side after every split."""
    rows, cols = height, width
    for split in splits:
        rows, cols = (_chain_side(n, (split,), _right_side) for n in (rows, cols))
        if rows is None or cols is None:
            return None, None
        rows = cols = math.isqrt(rows * cols)
    return rows, cols


def final_grid_reference(height: int, width: int, splits: tuple[Split, ...]) -> tuple[int, int]:
    """The right answer: ``(rows, cols)`` after every split, each side on its own."""
    return _chain_side(height, splits, _right_side), _chain_side(width, splits, _right_side)  # type: ignore[return-value]


def random_chain_cases(number: int = 4, generator: torch.Generator | None = None) -> list[ChainCase]:
    """``number`` chains drawn afresh: a non-square image (sides 8..400), 1 to 4 overlapping splits
    (kernel 2..9 > stride, padding 0..kernel - 1), each fitting the grid the previous one left."""
    generator = generator or fresh_generator()
    cases: list[ChainCase] = []
    while len(cases) < number:
        height, width = _draw(8, 401, generator), _draw(8, 401, generator)
        if height == width:
            continue
        splits, rows, cols = [], height, width
        for _ in range(_draw(1, 5, generator)):
            kernel = _draw(2, 10, generator)
            stride, padding = _draw(1, kernel, generator), _draw(0, kernel, generator)
            if kernel > min(rows, cols) + 2 * padding:
                break
            splits.append((kernel, stride, padding))
            rows, cols = _right_side(rows, kernel, stride, padding), _right_side(cols, kernel, stride, padding)
        if splits:
            cases.append((height, width, tuple(splits)))
    return cases


_SQUARE = (
    "you reshape to a square like the original code (int(sqrt(rows x cols)) per side); keep rows and cols separate"
)

#: Plausible wrong answers: (what the slip computes from (height, width, splits) -> (rows, cols), the message).
_CHAIN_SLIPS: tuple[tuple[Callable[[int, int, tuple[Split, ...]], tuple[Any, Any]], str], ...] = (
    (
        lambda h, w, sp: final_grid_reference(h, w, sp)[::-1],
        "your rows and cols are swapped: rows count windows down the height, cols along the width",
    ),
    (
        lambda h, w, sp: (final_grid_reference(h, h, sp)[0],) * 2,
        "you use the height for both sides (a square image): the width goes through the splits on its own",
    ),
    (
        lambda h, w, sp: (final_grid_reference(w, w, sp)[0],) * 2,
        "you use the width for both sides (a square image): the height goes through the splits on its own",
    ),
    (
        lambda h, w, sp: tuple(_chain_side(n, sp, lambda n, k, s, p: (n - k) // s + 1) for n in (h, w)),
        "your grids match the formula without padding: each split pads p zeros on both ends of a side first",
    ),
    (
        lambda h, w, sp: tuple(_chain_side(n, sp, lambda n, k, s, p: (n + p - k) // s + 1) for n in (h, w)),
        "you pad one end only: p zeros go on both ends, 2p in all",
    ),
    (
        _square_between,
        _SQUARE,
    ),
    (
        _square_every,
        _SQUARE,
    ),
    (
        lambda h, w, sp: tuple(_chain_side(n, sp, lambda n, k, s, p: n // s) for n in (h, w)),
        "you divide each side by the stride and ignore the kernel and the padding, as the original code's "
        "img_size // 16 does (Going further, 'Non-square images and the original code'): "
        "it is right only for some sides",
    ),
    (
        lambda h, w, sp: tuple(_chain_side(n, sp, lambda n, k, s, p: -(-n // s)) for n in (h, w)),
        "your grids are ceil(n / s), TensorFlow's padding='SAME' count: here p is fixed, floor((n + 2p - k) / s) + 1",
    ),
    (
        lambda h, w, sp: tuple(_chain_side(n, sp, _overlap_side) for n in (h, w)),
        "you step by kernel - stride (the T2T paper's Eq. 3 with its overlap S): here s is already the step",
    ),
    (
        lambda h, w, sp: tuple(_chain_side(n, sp, lambda n, k, s, p: (n + 2 * p - k + 1) // s) for n in (h, w)),
        "you add PyTorch's docs' + 1 before dividing by s, in the numerator: in floor((n + 2p - d(k - 1) - 1) / s + 1)"
        " the + 1 comes after the division (it counts the first window), not inside (n + 2p - d(k - 1) - 1 + 1)",
    ),
    (
        lambda h, w, sp: tuple(_chain_side(n, sp, lambda n, k, s, p: (n + 2 * p - k) // s) for n in (h, w)),
        "your grids miss the + 1: dividing the travel by the stride counts the moves; the first window is a token too",
    ),
    (
        lambda h, w, sp: tuple(_chain_side(n, sp, lambda n, k, s, p: -((k - n - 2 * p) // s) + 1) for n in (h, w)),
        "your grids round up: a window that would stick out past the padded edge does not exist (floor, not ceil)",
    ),
    (
        lambda h, w, sp: final_grid_reference(h, w, sp[:1]),
        "your grids stop after the first split: the next split cuts the grid the previous one left",
    ),
)


def _chain_text(case: ChainCase) -> str:
    height, width, splits = case
    return f"a {height} x {width} image (height x width) and splits {list(splits)}"


#: Exercise 1's refusals, by identity: the package's counters (its ``tokens_along`` and ``window_starts`` included,
#: which the lesson imports), the torch layers and their aten operators. A learner's own function is judged on
#: what it returns, whatever its name.
_NO_COUNTING = _ForbidCounting(*_COUNTING_TARGETS, ops=_COUNTING_OPS, reason="the grid after a chain of splits")


def _same_or_square(answers: list[tuple[int, int]], rights: list[tuple[int, int]]) -> None:
    """Fail for one grid returned for every chain (T2T's 14 x 14, say), or for grids that are always square."""
    if len(set(answers)) == 1 and len(set(rights)) > 1:
        fail(f"you return {answers[0]} for every chain: count each chain's splits from its own height and width")
    if all(rows == cols for rows, cols in answers) and any(rows != cols for rows, cols in rights):
        fail(
            "your grids are always square, as if you reshaped to a square like the original code; "
            "keep rows and cols separate"
        )


def check_final_grid(answer: Callable[[int, int, list[Split]], Any]) -> None:
    """Check ``answer(height, width, splits) -> (rows, cols)``: the token grid after every soft split of
    ``splits`` (a list of ``(kernel, stride, padding)``) on a non-square image, against the formula applied side
    by side. Seven fixed chains and four drawn at random on every call; each common slip is named."""
    cases = [*CHAIN_CASES, *random_chain_cases()]
    answers = []
    for case in cases:
        height, width, splits = case
        hint = f"It happened for {_chain_text(case)}"
        result = _NO_COUNTING(answer, height, width, [tuple(split) for split in splits], hint=hint)
        if isinstance(result, (np.ndarray, torch.Tensor)) and result.ndim == 1:
            result = result.tolist()
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            fail(f"return two numbers (rows, cols), got {_describe(result)} for {_chain_text(case)}")
        if any(isinstance(v, float) and not v.is_integer() for v in result):
            fail(
                f"for {_chain_text(case)} you return {tuple(result)}: not whole numbers. A token count is a whole"
                " number: a window that would stick out past the padded edge, is it a token or not? (section 2)"
            )
        answers.append(
            tuple(
                as_int(v, f"for {_chain_text(case)}, {n}", integral_floats=True)
                for v, n in zip(result, ("rows", "cols"), strict=True)
            )
        )
    rights = [final_grid_reference(*case) for case in cases]
    if answers != rights:
        for slip, message in _CHAIN_SLIPS:
            expected = [slip(*case) for case in cases]
            usable = [(got, want) for got, want in zip(answers, expected, strict=True) if None not in want]
            if usable and all(got == want for got, want in usable):
                fail(message)
    _same_or_square(answers, rights)
    for got, right, case in zip(answers, rights, cases, strict=True):
        for name, mine, true in zip(("rows", "cols"), got, right, strict=True):
            if mine != true:
                how = "too many" if mine > true else "too few"  # no count: added to yours, it would be the answer
                fail(f"for {_chain_text(case)} your {name} are {how}: count one split at a time, by hand, on this case")
    passed(f"your final grid is right for all {len(cases)} chains (four drawn at random), non-square images included.")


# --------------------------------------------------------------------------- exercise 4: the pixels a split loses

LOST_CASES: tuple[tuple[int, int, int, int], ...] = (
    (22, 7, 4, 3),  # r = 1 < p = 3: nothing lost
    (60, 20, 15, 0),  # r = 10 > p = 0: the last 10 pixels
    (224, 7, 4, 2),  # T2T's split 1: r = 1 <= p = 2, nothing lost
    (8, 3, 2, 0),  # r = 1 > p = 0: the last pixel
    (8, 3, 2, 1),  # r = 1 = p: nothing lost
    (22, 7, 5, 1),  # r = 2 > p = 1: the last pixel (review 17c)
    (53, 11, 6, 2),  # r = 4 > p = 2: the last 2 pixels
    (100, 20, 25, 0),  # stride > kernel: gaps between windows too
    (100, 20, 25, 2),  # gaps with padding: each gap sits p pixels left of where it sits unpadded (review 17c)
    (13, 4, 1, 0),  # stride 1: nothing lost
)


def lost_pixels_reference(size: int, kernel: int, stride: int, padding: int) -> list[int]:
    """The image pixels (0 .. size - 1) of one side that no window of the split contains, by brute force."""
    covered = set()
    for start in window_starts(size, kernel, stride, padding):
        covered.update(range(start - padding, start - padding + kernel))
    return [pixel for pixel in range(size) if pixel not in covered]


def _last(size: int, count: int) -> list[int]:
    return list(range(size - max(count, 0), size))


def _uncovered(size: int, first_pixels: range, kernel: int) -> list[int]:
    covered = {pixel for first in first_pixels for pixel in range(first, first + kernel)}
    return [pixel for pixel in range(size) if pixel not in covered]


# The gaps-only answer and the rounded-up window count give the same list, so one message names both (review r23a_02).
_MISSED_END = (
    "you miss the pixels past the last window: the floor drops the last r = (n + 2p - k) mod s of the padded "
    "side, so when r > p the last r - p image pixels are in no window. Your list holds only the gaps between "
    "windows (none when stride <= kernel), what one window more would lose: the floor in "
    "floor((n + 2p - k) / s) + 1 drops a last window that would stick out past the padded side; it is not "
    "rounded up"
)


def _lost_slips(size: int, kernel: int, stride: int, padding: int) -> list[tuple[str, list[int]]]:
    """Common wrong answers for one side, each with the message that names it."""
    r = (size + 2 * padding - kernel) % stride
    windows = (size + 2 * padding - kernel) // stride + 1
    one_end = (size + padding - kernel) // stride + 1  # padded at the start only
    gaps = (
        "between windows too: with stride > kernel each window leaves a gap of stride - kernel pixels, not only the end"
    )
    return [
        (
            f"your pixels are only the last r - p, but pixels are lost {gaps}",
            _last(size, r - padding) if stride > kernel else lost_pixels_reference(size, kernel, stride, padding),
        ),
        (
            "you lose pixels when r <= p: the rule is the other way round. The floor drops the last r pixels of the "
            "padded side, and the last min(r, p) of those are padding, so r - p image pixels are lost when r > p",
            _last(size, padding - r),
        ),
        (
            "you return the last r pixels, but the last min(r, p) of the r dropped ones are padding zeros: only r - p "
            "image pixels are lost, and none when r <= p",
            _last(size, r),
        ),
        (
            "your pixels are what one window fewer would lose: there are floor((n + 2p - k) / s) + 1 windows, "
            "counting window 0 (the + 1)",
            _uncovered(size, range(-padding, -padding + (windows - 1) * stride, stride), kernel),
        ),
        (
            "your last window is missing when the windows end exactly at the padded edge: window starts run up to "
            "n + p - k included, so range(-p, n + p - k + 1, s), not range(-p, n + p - k, s)",
            _uncovered(size, range(-padding, size + padding - kernel, stride), kernel),
        ),
        (
            "your pixels follow padding at one end only; nn.Unfold pads p zeros at both ends",
            _uncovered(size, range(-padding, -padding + one_end * stride, stride), kernel),
        ),
        (
            "your windows start at j*s; with padding, window 0 starts p pixels before pixel 0, at pixel -p",
            _uncovered(size, range(0, windows * stride, stride), kernel),
        ),
        (
            "your windows ignore the padding: with p > 0, window 0 starts at pixel -p, p pixels before the image",
            _uncovered(size, range(0, (size - kernel) // stride * stride + 1, stride), kernel),
        ),
        (
            _MISSED_END,
            _uncovered(size, range(-padding, -padding + (windows + (r > 0)) * stride, stride), kernel),
        ),
        (
            "your windows are one pixel short: a window of kernel k covers k pixels, start .. start + k - 1",
            _uncovered(size, range(-padding, -padding + windows * stride, stride), kernel - 1),
        ),
        (
            "your pixels are numbered from 1; number them 0 .. size - 1, as a tensor's rows and columns",
            [pixel + 1 for pixel in lost_pixels_reference(size, kernel, stride, padding)],
        ),
        *_index_slips(size, kernel, stride, padding),
    ]


def _index_slips(size: int, kernel: int, stride: int, padding: int) -> list[tuple[str, list[int]]]:
    """Pixels numbered on the padded side (review 17d)."""
    r = (size + 2 * padding - kernel) % stride
    return [
        (
            "your indices are on the padded side, where pixel 0 is the first padding zero: number the image's "
            "pixels 0 .. size - 1 (padded index - p)",
            [pixel + padding for pixel in lost_pixels_reference(size, kernel, stride, padding)],
        ),
        (
            "your indices are the padded side's last r positions, the ones the floor drops: number the image's "
            "pixels 0 .. size - 1 instead, and keep only those no window covers",
            _last(size + 2 * padding, r),
        ),
    ]


def _pixel_list(result: object, asked: str) -> list[int]:
    """The answer as a sorted list of ints: a list, tuple, set, range, or 1-D tensor or array of whole numbers."""
    if _is_mask(result):
        fail(f"{asked} you returned a mask (True or False for each pixel); return the indices of the lost pixels")
    if isinstance(result, (torch.Tensor, np.ndarray)):
        if result.ndim > 1:  # review r23c: a 2-D answer is not read as its flattened values
            fail(f"{asked} return a 1-D list of pixel indices, not a tensor or array of shape {tuple(result.shape)}")
        result = result.reshape(-1).tolist()
    if isinstance(result, (int, float, np.integer)) or not hasattr(result, "__iter__"):
        fail(f"{asked} you returned {_describe(result)}; return the lost pixels themselves (a list of indices)")
    pixels = [_whole(value, f"{asked} a pixel") for value in result]
    if len(set(pixels)) != len(pixels):
        fail(f"{asked} your list names a pixel twice: {sorted(pixels)}")
    return sorted(pixels)


def _is_mask(result: object) -> bool:
    """A boolean tensor, array or list: one True or False per pixel, not the pixels' indices."""
    if isinstance(result, torch.Tensor):
        return result.dtype == torch.bool
    if isinstance(result, np.ndarray):
        return result.dtype == np.bool_
    return isinstance(result, (list, tuple)) and bool(result) and all(isinstance(v, (bool, np.bool_)) for v in result)


def random_lost_cases(number: int = 3, generator: torch.Generator | None = None) -> list[tuple[int, int, int, int]]:
    """``number`` cases ``(size, kernel, stride, padding)`` drawn afresh, none of :data:`LOST_CASES`: size 8..60,
    kernel 2..12, stride 1..kernel + 3 (gaps when stride > kernel), padding 0..kernel - 1."""
    generator = generator or fresh_generator()
    cases: list[tuple[int, int, int, int]] = []
    while len(cases) < number:
        size, kernel = _draw(8, 61, generator), _draw(2, 13, generator)
        case = (size, kernel, _draw(1, kernel + 4, generator), _draw(0, kernel, generator))
        if kernel <= size and case not in LOST_CASES and case not in cases:
            cases.append(case)
    return cases


def _pixels(count: int) -> str:
    return f"{count} pixel{'' if count == 1 else 's'}"


def _why_wrong(got: list[int], right: list[int], case: tuple[int, int, int, int]) -> str:
    """The first pixel your list gets wrong, and why, without the list of lost pixels."""
    size, kernel, stride, padding = case
    pixel = min(set(got) ^ set(right))
    starts = [start - padding for start in window_starts(size, kernel, stride, padding)]
    if pixel < 0 or pixel >= size:
        where = "a padding position" if -padding <= pixel < size + padding else "outside the image"
        return (
            f"pixel {pixel} is {where}: the image's pixels are 0 .. {size - 1}. Number the image's pixels, "
            "not the padded side's, and count only image pixels"
        )
    if pixel in got:
        j = next(j for j, first in enumerate(starts) if first <= pixel < first + kernel)
        first = starts[j]
        last = min(first + kernel, size) - 1  # review 18d: the range clipped to image pixels
        return f"pixel {pixel} is covered by window {j} (image pixels {max(first, 0)} .. {last}), so it is not lost"
    if not got:  # naming a lost pixel would give part of the answer away (review 18c)
        return (
            "this split loses some. Count the windows with section 2's floor rule, then list the pixels no window "
            "covers, the gaps too when stride > kernel"
        )
    where = f" (window 0 starts at pixel -{padding}, {padding} pixels before the image)" if padding else ""
    return f"pixel {pixel} is in no window, so it is lost, but your list leaves it out{where}"


def check_lost_pixels(answer: Callable[[int, int, int, int], Any]) -> None:
    """Check ``answer(size, kernel, stride, padding)`` -> the image pixels of one side in no window, against a
    brute-force count over every window, on fixed cases (r > p, r <= p, gaps, stride 1) and three drawn at
    random. A slip is named when it explains the answer on every case; otherwise the first wrong pixel is named,
    with why, and the answer is never printed."""
    cases = [*LOST_CASES, *random_lost_cases()]
    answers, rights = [], []
    for size, kernel, stride, padding in cases:
        asked = f"for size {size}, split (kernel {kernel}, stride {stride}, padding {padding}),"
        result = attempt(answer, size, kernel, stride, padding, hint=f"It happened {asked[:-1]}")
        answers.append(_pixel_list(result, asked))
        rights.append(lost_pixels_reference(size, kernel, stride, padding))
    wrong = [n for n, (got, right) in enumerate(zip(answers, rights, strict=True)) if got != right]
    if not wrong:
        passed(f"your lost pixels match a window-by-window count in all {len(cases)} cases (three drawn at random).")
        return
    size, kernel, stride, padding = cases[wrong[0]]
    asked = f"for size {size}, split (kernel {kernel}, stride {stride}, padding {padding}),"
    slips = [_lost_slips(*case) for case in cases]
    for number, (message, _) in enumerate(slips[0]):
        if all(got == case_slips[number][1] for got, case_slips in zip(answers, slips, strict=True)):
            fail(f"{asked} {message}")
    got = answers[wrong[0]]
    listed = f"you returned {_pixels(len(got))}"
    fail(f"{asked} {listed}: {_why_wrong(got, rights[wrong[0]], cases[wrong[0]])}")

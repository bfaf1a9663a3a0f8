"""Checkers for lesson 09 (DeiT's distillation token and the Q&A's ``[:, :, 0, 2:]``).

- :func:`check_token_map`: one special token's attention to the patches, on the patch grid, with
  one special token in front of the patches (a ViT) or two (a distilled DeiT).
- :func:`check_hard_distillation`: DeiT's hard-distillation loss.
- :func:`check_soft_distillation`: the soft-distillation loss (exercise 2b): its KL's direction, its
  ``tau ** 2`` and its average per image.
- :func:`check_my_forward`: the Q&A's monkey-patch, written so that it survives timm's call
  ``self.attn(x, attn_mask=...)`` and stores the class token's map.

Each checker compares with the package (:func:`vit_explained.attention_maps.token_attention`,
:func:`vit_explained.distill.hard_distillation_loss`, the timm-shaped modules of
:mod:`vit_explained.deit`) and names the likely slip without giving the answer.
"""

from __future__ import annotations

import dis
import inspect
import numbers
import os
import re
import sysconfig
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from ..attention_maps import class_token_attention, token_attention
from ..deit import TimmStyleAttention, TimmStyleBlock, resolve_mask
from ..distill import hard_distillation_loss, soft_distillation_loss
from . import NOT_ATTEMPTED, ExerciseFailed, ExerciseNotAttempted, as_tensor, attempt, close, fail, forbid, passed

__all__ = [
    "check_hard_distillation",
    "check_my_forward",
    "check_my_forward_core",
    "check_soft_distillation",
    "check_token_map",
]

_NO_TOKEN_HELPERS = forbid(token_attention, class_token_attention, reason="the slice")
_NO_LOSS_HELPER = forbid(hard_distillation_loss, reason="the hard-distillation loss")
_NO_SOFT_HELPER = forbid(soft_distillation_loss, reason="the soft-distillation loss")

#: (batch, heads, rows, cols, special_tokens, query): a ViT's class token, a DeiT's two tokens, non-square grids.
TOKEN_CASES = [
    (2, 3, 2, 3, 1, 0),
    (2, 3, 3, 2, 2, 0),
    (1, 2, 3, 4, 2, 1),
    (3, 4, 4, 3, 2, 1),
    (2, 1, 5, 2, 1, 0),
]


#: What the exercises' stubs raise: ``raise NotImplementedError("your code here")`` (or a bare one).
_STUB_MESSAGES = ("", "your code here")


@contextmanager
def _refusals_named(refused: Callable[[str], str], *, ran_before: bool = False) -> Iterator[None]:
    """Tell a deliberate ``NotImplementedError`` from the unfilled stub: the stub's (``"your code
    here"`` or no message) stays "not done yet"; any other message is a refusal, named by
    ``refused(message)``. ``ran_before``: the function already ran on an earlier case, so even the
    stub's message is a refusal (review r34a minor 1)."""
    try:
        yield
    except ExerciseNotAttempted as not_attempted:
        cause = not_attempted.__context__
        message = str(cause).strip() if isinstance(cause, NotImplementedError) else ""
        if message.lower() in _STUB_MESSAGES and not ran_before:
            raise
        fail(refused(message.splitlines()[0] if message else "(no message)"))


def _weights(batch: int, heads: int, tokens: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.softmax(2 * torch.randn(batch, heads, tokens, tokens, generator=generator), dim=-1)


def _slice_slip(
    where: str, special: int, rows: int, cols: int, kept: int | None = None, start: int | None = None
) -> str:
    """The message for the lesson's central slip: a slice that starts at a fixed 1 or 2."""
    kept_text = f"your slice keeps {kept} columns, not the {rows * cols} patches" if kept else "your slice is off"
    if start is not None:
        kept_text = f"your slice starts at column {start}, so its {rows * cols} columns are not the patches"
    return f"{where}: {kept_text}. The argument special_tokens decides where the patches start"


def _heads_axis_slip(where: str, batch: int, heads: int, tokens: int, special: int) -> str:
    """The message for ``w[:, q, s:]``: the query index lands on the heads axis (axis 1), not on axis 2."""
    return (
        f"{where}: your slice has {batch * (tokens - special) * tokens} values, the size of weights[:, query, "
        f"special_tokens:], shape ({batch}, {tokens - special}, {tokens}). The weights are (B, heads, N, N) = "
        f"({batch}, {heads}, {tokens}, {tokens}): the second index picks a head, not a query. Keep the heads axis "
        "with `:` and index the query on axis 2: weights[:, :, query, special_tokens:]"
    )


def _grid_slip(
    where: str, rows: int, cols: int, got: tuple[int, ...] | None = None, error: BaseException | None = None
) -> str:
    """The message for the right patches laid on a wrong grid (a side from sqrt(N), or rows and cols swapped).
    ``error``: the RuntimeError of a reshape that failed; a non-square shape is named, not blamed on sqrt."""
    if got == (7, 7) != (rows, cols):  # review r27c minor 6c: the lesson's 7 x 7, hard-coded
        return (
            f"{where}: you kept the right {rows * cols} patches, but laid them on a fixed 7 x 7 grid (the lesson's "
            f"DeiT's), not on rows x cols = {rows} x {cols}. Use the rows and cols arguments: the grid changes with "
            "the image and patch size"
        )
    got_text = f"on a {' x '.join(map(str, got))} grid" if got else "on a grid they do not fit"
    if got == (cols, rows) != (rows, cols):  # review r28a minor 7: the transpose, not a square guess
        return (
            f"{where}: you kept the right {rows * cols} patches, but laid them {got_text}, not on rows x cols = "
            f"{rows} x {cols}: the transpose, rows and cols swapped (or a side guessed from sqrt). Reshape to "
            "(..., rows, cols): the patches run along a row first. Use rows, cols, not sqrt(number of patches)"
        )
    asked, sides = _attempted_shape(error), {int((rows * cols) ** 0.5), round((rows * cols) ** 0.5)}
    if asked and not (asked[-2] in sides and asked[-1] in sides | {-1}):  # review r32a minor 11: not a sqrt guess
        return (
            f"{where}: your token_map raised RuntimeError: you kept the right {rows * cols} patches, but asked for "
            f"shape {list(asked)}, and they do not fit it. The grid is rows x cols = {rows} x {cols}: reshape to "
            "(B, heads, rows, cols)"
        )
    return (
        f"{where}: you kept the right {rows * cols} patches, but laid them {got_text}, not on rows x cols = "
        f"{rows} x {cols}. "
        "Use rows, cols, not sqrt(number of patches): a grid need not be square"
    )


def _attempted_shape(error: BaseException | None) -> tuple[int, ...] | None:
    """The shape a failed reshape or view asked for (``shape '[2, 3, 3, 4]' is invalid ...``), or None."""
    match = re.search(r"shape '\[([-\d, ]+)\]' is invalid", str(error)) if error is not None else None
    return tuple(int(v) for v in match.group(1).split(",")) if match else None


def _fixed_7x7(error: BaseException) -> tuple[int, int] | None:
    """(7, 7) when a reshape to a grid failed on the lesson's fixed 7 x 7 (``shape '[..., 7, 7]' is invalid``)."""
    return (7, 7) if re.search(r", 7, 7\]' is invalid", str(error)) else None


def _dropped_leading_axes(where: str, got: tuple[int, ...] | None = None) -> str:
    """The message for a reshape to (rows, cols) alone: the B and heads axes were dropped."""
    got_text = f" (your map has shape {got})" if got else ""
    return (
        f"{where}: your reshape dropped the batch and heads axes{got_text}: keep B and heads in front, "
        "reshape to (B, heads, rows, cols)"
    )


def _columns_kept(error: BaseException | None, batch: int, heads: int) -> int | None:
    """From ``shape '[...]' is invalid for input of size S``: the columns a wrong slice kept."""
    match = re.search(r"invalid for input of size (\d+)", str(error)) if error is not None else None
    if match is None or int(match.group(1)) % (batch * heads):
        return None
    return int(match.group(1)) // (batch * heads)


class _IndexSpy(TorchFunctionMode):
    """Records the indices of every ``tensor[...]`` read from a tensor of ``shape`` (the weights)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape, self.indices = shape, []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        reads_weights = isinstance(args[0], torch.Tensor) and tuple(args[0].shape) == self.shape
        if func is torch.Tensor.__getitem__ and reads_weights:
            self.indices.append(args[1])
        return func(*args, **(kwargs or {}))


def _indices_used(answer: Callable[..., Any], weights: torch.Tensor, args: tuple) -> list:
    """The indices ``answer(weights.clone(), *args)`` used on the weights (read by a spy), even when the answer then
    raised: its own error (often the slice's reshape) is the caller's path to report."""
    spy = _IndexSpy(tuple(weights.shape))
    try:
        with spy:
            answer(weights.clone(), *args)
    except Exception:  # the answer's own error: the spy has already seen the index
        pass
    return spy.indices


def _whole_line_slip(answer: Callable[..., Any], weights: torch.Tensor, args: tuple, where: str) -> str | None:
    """The message for a map taken as a whole column ``w[:, :, :, q]`` or a whole row ``w[:, :, q, :]``
    (every token, the special ones included), read from the indices the answer used, else ``None``."""
    query = args[0]
    tokens = weights.shape[-1]
    spy_indices = _indices_used(answer, weights, args)
    positions = torch.arange(tokens)
    for index in spy_indices:
        try:
            queries = positions.view(-1, 1).expand(tokens, tokens).expand(weights.shape)[index]
            keys = positions.view(1, -1).expand(tokens, tokens).expand(weights.shape)[index]
        except (IndexError, RuntimeError, TypeError):
            continue
        if keys.numel() and bool((keys == query).all()) and queries.unique().numel() == tokens:
            return (
                f"{where}: you took the whole column w[:, :, :, {query}] (what every token reads from token {query}), "
                f"not token {query}'s row: the map is row query, from the patches' columns on"
            )
        if queries.numel() and bool((queries == query).all()) and keys.unique().numel() == tokens:
            return (
                f"{where}: you kept token {query}'s whole row, all N = {tokens} columns, the special tokens' "
                "columns included: the argument special_tokens decides where the patches start"
            )
    return None


def _fail_if_stops_early(answer: Callable[..., Any], weights: torch.Tensor, args: tuple, where: str) -> None:
    """Fail on a slice that starts at the first patch but stops early (``w[:, :, q, s:-1]``), read from the
    indices the answer used; return otherwise."""
    special, patches = args[1], args[2] * args[3]
    spy_indices = _indices_used(answer, weights, args)
    for index in spy_indices:
        last = index[-1] if isinstance(index, tuple) and index else None
        if isinstance(last, slice) and last.start == special and last.stop is not None:
            kept = len(range(*last.indices(weights.shape[-1])))
            if kept < patches:
                fail(
                    f"{where}: your slice starts at the first patch (column {special}) but stops early: it keeps "
                    f"{kept} of the {patches} patches and drops the last {patches - kept}. "
                    "Slice on to the end of the row"
                )


def _skips_one_more(answer: Callable[..., Any]) -> bool:
    """Whether ``answer`` slices from ``special_tokens + 1`` with one special token and with two (read by a spy)."""
    for special in (1, 2):
        weights = _weights(1, 2, special + 6, 0)
        indices = _indices_used(answer, weights, (0, special, 2, 3))
        starts = [index[-1].start for index in indices if isinstance(index, tuple) and isinstance(index[-1], slice)]
        if special + 1 not in starts:
            return False
    return True


def _token_map_shape_slip(
    mine: torch.Tensor,
    expected: torch.Tensor,
    weights: torch.Tensor,
    where: str,
    grid: tuple[int, int],
    special: int,
    query: int,
) -> None:
    """Fail with the slip a token map of the wrong shape matches; return if the shape is right."""
    (batch, heads), (rows, cols) = weights.shape[:2], grid
    lost_axes = mine.dim() < 4 and mine.numel() == batch * heads * rows * cols > rows * cols
    if tuple(mine.shape[-2:]) == (rows, cols) and lost_axes:
        fail(_dropped_leading_axes(where, tuple(mine.shape)))
    if tuple(mine.shape) == (batch, rows, cols) and heads > 1:
        if close(mine, expected.mean(1)):
            fail(
                f"{where}: you averaged the heads, (B, rows, cols); the exercise keeps one map per head, "
                "(B, heads, rows, cols) (average them later, when you plot)"
            )
        fail(f"{where}: your map lost the heads axis: keep one map per head, (B, heads, rows, cols)")
    if tuple(mine.shape) != tuple(expected.shape):
        tokens = weights.shape[-1]
        if mine.numel() == batch * heads * tokens:
            for line, name in ((weights[..., :, query], "column"), (weights[..., query, :], "row")):
                if close(mine.reshape(line.shape), line):
                    fail(
                        f"{where}: you took token {query}'s whole {name}, all N = {tokens} tokens: the map is row "
                        "query, from the patches' columns on: the argument special_tokens decides where the patches "
                        "start"
                    )
        if mine.numel() in (batch * heads * (rows * cols + special - start) for start in (0, 1, 2) if start != special):
            fail(_slice_slip(where, special, rows, cols, mine.numel() // (batch * heads)))
        if mine.numel() == expected.numel() and mine.dim() == 4 and tuple(mine.shape[:2]) == (batch, heads):
            fail(_grid_slip(where, rows, cols, tuple(mine.shape[2:])))
        fail(f"{where}: expected shape (B, heads, rows, cols) = {tuple(expected.shape)}, got {tuple(mine.shape)}")


def _name_token_map_slip(
    mine: torch.Tensor,
    expected: torch.Tensor,
    weights: torch.Tensor,
    where: str,
    grid: tuple[int, int],
    special: int,
    query: int,
    hard_coded: bool = False,
) -> None:
    """Fail with the slip a wrong token map matches (always fails). ``hard_coded``: the answer passed a
    case with another number of special tokens, so a slice that starts wrong here is a fixed start."""
    rows, cols = grid
    _token_map_shape_slip(mine, expected, weights, where, grid, special, query)
    if weights.shape[1] > 1 and close(mine, expected.mean(1, keepdim=True).expand_as(expected)):
        fail(f"{where}: the heads look averaged (every head's map is the same); keep each head's own map")
    tokens = special + rows * cols
    for start in (0, 1, 2, 3):
        if start != special and start + rows * cols <= tokens:
            values = weights[..., query, start : start + rows * cols]
            if close(mine, values.reshape(*values.shape[:-1], rows, cols)):
                if start == special - 1 and not hard_coded:
                    fail(
                        f"{where}: your slice starts one column too early, at column {start}: it keeps the "
                        "last special token and drops the last patch: the argument special_tokens decides where "
                        "the patches start"
                    )
                fail(_slice_slip(where, special, rows, cols, start=start))
    if query != 0 and close(mine, weights[..., 0, special:].reshape(*weights.shape[:2], rows, cols)):
        fail(
            f"{where}: your map is row 0 (the class token's) although query is {query}: use the `query` argument "
            "for the row, not a fixed 0"
        )
    other_row = 1 - query if special == 2 else None
    slips = [
        (weights[..., special:, query], "you took a column (what the patches read from the token), not its row"),
    ]
    if other_row is not None:
        slips.append((weights[..., other_row, special:], "you took the other special token's row"))
    for values, message in slips:
        if close(mine, values.reshape(*values.shape[:-1], rows, cols)):
            fail(f"{where}: {message}")
    renormalised = expected / expected.sum(dim=(-2, -1), keepdim=True)
    if close(mine, renormalised):
        fail(
            f"{where}: your map is re-normalised over the patches (it sums to 1 on the grid); return the "
            "weights as the softmax gave them: the special tokens' columns hold part of each row's 1"
        )
    columnwise = expected.transpose(-1, -2).reshape(expected.shape)  # filled column by column
    flat = weights[..., query, special:].reshape(*weights.shape[:2], cols, rows).transpose(-1, -2)
    if close(mine, columnwise) or close(mine, flat):
        fail(f"{where}: the patches are laid out column by column; they were numbered row by row")
    if mine.numel() > 1 and bool((mine == mine.flatten()[0]).all()):
        fail(
            f"{where}: your map is constant (every entry {mine.flatten()[0].item():g}): check that your map varies "
            "with the weights; it is the weights' row `query`, from the patches' columns on"
        )
    fail(f"{where}: the values differ from the token's attention to the patches")


def _check_map_kind(result: Any, weights: torch.Tensor, where: str) -> None:
    """Fail unless ``result`` is a tensor of a floating dtype (any: float32, float64, ...; the values are
    compared after)."""
    if result is None:
        fail(f"{where}: your function returned None: did you forget `return`?")
    if not isinstance(result, torch.Tensor):
        fail(
            f"{where}: your token_map returned a {type(result).__module__}.{type(result).__name__}, not a torch "
            "tensor. The maps go on to torch code (token_attention, plotting, the widget): stay in torch, or "
            "convert back with torch.as_tensor(...)"
        )
    if not result.is_floating_point():
        fail(
            f"{where}: your map is {result.dtype}, but attention weights are fractions between 0 and 1: keep a "
            "floating dtype (a slice and a reshape keep the weights' own)"
        )


def _check_float64_map(answer: Callable[..., Any]) -> set[tuple[torch.dtype, torch.dtype]]:
    """One more case with float64 weights: the map must come back with the same values (any floating dtype).
    Returns ``{(float64, the map's dtype)}`` if the map's dtype differs, else an empty set."""
    weights = _weights(2, 2, 2 + 3 * 3, seed=99).double()
    where = "with float64 weights, 2 special tokens, query 1, a 3x3 grid"
    result = _NO_TOKEN_HELPERS(answer, weights.clone(), 1, 2, 3, 3)
    _check_map_kind(result, weights, where)
    if not close(result, token_attention(weights, (3, 3), query=1, special_tokens=2)):
        fail(f"{where}: the values differ from the token's attention to the patches")
    return {(weights.dtype, result.dtype)} if result.dtype != weights.dtype else set()


def check_token_map(answer: Callable[..., Any]) -> None:
    """Check ``answer(weights, query, special_tokens, rows, cols) -> (B, heads, rows, cols)``:
    row ``query`` of ``(B, heads, N, N)`` weights, the ``rows * cols`` patch columns after the
    ``special_tokens`` special ones, laid out row by row on the grid."""
    passed_with: set[int] = set()  # the numbers of special tokens of the cases passed so far
    changed_dtype: set[tuple[torch.dtype, torch.dtype]] = set()  # (the weights' dtype, the map's) where they differ
    for seed, (batch, heads, rows, cols, special, query) in enumerate(TOKEN_CASES):
        weights = _weights(batch, heads, special + rows * cols, seed)
        where = f"with {special} special {'token' if special == 1 else 'tokens'}, query {query}, a {rows}x{cols} grid"
        try:
            with _refusals_named(
                lambda message, where=where: (
                    f"{where}, your token_map raised NotImplementedError: {message}. "
                    "That is a refusal, not the unfinished stub: the exercise asks for a map with one special "
                    "token (a ViT) and with two (a DeiT), for query 0 and 1"
                )
            ):
                given = weights.clone()
                result = _NO_TOKEN_HELPERS(answer, given, query, special, rows, cols)
        except ExerciseFailed as failure:
            cause = failure.__context__
            if isinstance(cause, RuntimeError) and "invalid for input of size" in str(cause):
                tokens = special + rows * cols
                if re.search(rf"input of size {batch * (tokens - special) * tokens}\b", str(cause)):
                    fail(_heads_axis_slip(where, batch, heads, tokens, special))
                if (
                    re.search(rf"shape '\[{rows}, {cols}\]' is invalid", str(cause))
                    and _columns_kept(cause, batch, heads) == rows * cols
                ):  # reshape(rows, cols): B and heads dropped
                    fail(_dropped_leading_axes(where))
                if _columns_kept(cause, batch, heads) == rows * cols:  # the right patches, a wrong grid
                    fail(_grid_slip(where, rows, cols, _fixed_7x7(cause), cause))
                if _columns_kept(cause, batch, heads) == special + rows * cols:
                    whole = _whole_line_slip(answer, weights, (query, special, rows, cols), where)
                    if whole is not None:
                        fail(whole)
                _fail_if_stops_early(answer, weights, (query, special, rows, cols), where)
                if _skips_one_more(answer):
                    fail(
                        f"{where}: one column too many skipped: your slice starts at special_tokens + 1, so it drops "
                        f"the first patch. The patches start at column special_tokens (here {special})"
                    )
                fail(_slice_slip(where, special, rows, cols, _columns_kept(cause, batch, heads)))
            raise
        _check_weights_untouched(given, weights, where)
        _check_map_kind(result, weights, where)
        if result.dtype != weights.dtype:
            changed_dtype.add((weights.dtype, result.dtype))
        mine = as_tensor(result, "your map")
        expected = token_attention(weights, (rows, cols), query=query, special_tokens=special)
        if close(mine, expected):
            passed_with.add(special)
            continue
        _name_token_map_slip(
            mine, expected, weights, where, (rows, cols), special, query, bool(passed_with - {special})
        )
    changed_dtype |= _check_float64_map(answer)
    passed("you can slice any special token's map out of a ViT's or a DeiT's attention.")
    _note_changed_dtype(changed_dtype)


def _check_weights_untouched(given: torch.Tensor, weights: torch.Tensor, where: str) -> None:
    """Fail when the learner's token_map changed the weights it was handed (``given``, a copy of ``weights``)."""
    if not torch.equal(given, weights):
        fail(
            f"{where}: your token_map changed the weights it was given, in place (an in-place operation such "
            "as `+=`, `.mul_()`, `[...] = ` on the weights or a view of them). The caller's attention must come "
            "back untouched: slice and reshape, and copy (`.clone()`) before changing anything"
        )


def _note_changed_dtype(changed_dtype: set[tuple[torch.dtype, torch.dtype]]) -> None:
    """After a pass: one note per (weights' dtype, map's dtype) pair where the map came back in another dtype."""
    for given, returned in sorted(changed_dtype, key=str):
        print(
            f"A note: on {given} weights your map comes back as {returned}. The values pass the check, but a "
            "slice and a reshape keep the weights' dtype; a conversion costs a copy (and float16 or bfloat16 loses "
            "precision)."
        )


def _logit_cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(9)
    cases = []
    for batch, classes in ((8, 10), (5, 3), (16, 4)):
        class_logits = torch.randn(batch, classes, generator=generator)
        distillation_logits = torch.randn(batch, classes, generator=generator)
        labels = torch.randint(0, classes, (batch,), generator=generator)
        teacher = torch.randn(batch, classes, generator=generator) * 3
        teacher[: batch // 2, :] = -5.0  # for half the batch the teacher agrees with the label ...
        teacher[torch.arange(batch // 2), labels[: batch // 2]] = 5.0  # ... for the rest, it is its own
        cases.append((class_logits, distillation_logits, labels, teacher))
    return cases


def _soft_distillation_losses(
    class_logits: torch.Tensor, distillation_logits: torch.Tensor, labels: torch.Tensor, teacher: torch.Tensor
) -> list[torch.Tensor]:
    """DeiT's soft loss, ``(1 - lam) CE(class, labels) + lam tau^2 KL(teacher_tau || student_tau)`` (deit's
    ``losses.py`` divides the summed KL by ``numel``; ``batchmean`` divides by the batch), and the usual
    variants: a cross-entropy with the teacher's probabilities, the KL's other direction, no ``tau^2``."""
    base = F.cross_entropy(class_logits, labels)
    losses = []
    for tau in (1.0, 2.0, 3.0, 4.0, 5.0, 10.0):
        log_student = F.log_softmax(distillation_logits / tau, dim=-1)
        log_teacher = F.log_softmax(teacher / tau, dim=-1)
        per_row = [
            (log_teacher.exp() * (log_teacher - log_student)).sum(-1),  # KL(teacher || student)
            -(log_teacher.exp() * log_student).sum(-1),  # cross-entropy with the soft targets
            (log_student.exp() * (log_student - log_teacher)).sum(-1),  # the other direction
        ]
        for rows in per_row:
            for term in (rows.mean(), rows.sum() / distillation_logits.numel(), rows.sum()):
                for scale in (tau**2, 1.0):
                    for weight in (0.5, 0.1, 1.0):
                        losses.append((1 - weight) * base + weight * scale * term)
                    losses.append(base + scale * term)
    return losses


def _check_keeps_gradient(raw: Any, class_logits: torch.Tensor | None = None, distillation_logits=None) -> None:
    """A right value must still be a loss one can train with: a tensor whose gradient reaches both heads."""
    if not isinstance(raw, torch.Tensor):
        fail(
            f"the value is right, but your loss is a {type(raw).__name__}, not a torch tensor: .item(), float() "
            "or numpy drop the gradient, so loss.backward() could not train the heads. Return the tensor"
        )
    if raw.grad_fn is None:
        fail(
            "the value is right, but your loss is detached from the logits (.detach(), torch.tensor(...) or "
            "torch.no_grad()): loss.backward() could not train the heads. Return the tensor the cross-entropies make"
        )
    if class_logits is None or distillation_logits is None:
        return
    try:
        raw.backward()
    except Exception as error:  # the learner's graph: name what went wrong
        fail(f"the value is right, but loss.backward() raised {type(error).__name__}: {_first_line(error)}")
    for logits, head in ((class_logits, "class head"), (distillation_logits, "distillation head")):
        if logits.grad is None or not logits.grad.abs().sum() > 0:
            fail(
                f"the value is right, but no gradient reaches the {head}'s logits: part of your loss is detached "
                f"(.detach(), .item() or a copy under torch.no_grad()), so loss.backward() would never train the "
                f"{head}. Keep both cross-entropies connected to their logits"
            )


#: The message for ``teacher_logits.argmax()`` with no dim (a single index, not one label per image).
_FLAT_ARGMAX = (
    "argmax() without dim flattens the batch: give it the class axis as dim. teacher_logits.argmax() returns one "
    "index over all B x classes logits, a single number, not the teacher's class for each image (shape (B,))"
)


def _gradient_hint(error: Exception) -> str | None:
    """The gradient hint, only for the errors a gradient causes (numpy on a tensor that requires grad)."""
    text = str(error).lower()
    if "out of bounds" in text:
        return (
            "The teacher's labels are not classes 0..classes-1. Two slips give this: argmax() without dim "
            "flattens the batch, one index over all B x classes logits, so name the class axis; and a max's "
            "values are the largest logits themselves, not their classes: take the indices, not the values"
        )
    if "target dtype" in text:
        return (
            "Your target is a float (B,) tensor; a float target means class probabilities of shape (B, classes); "
            "class indices must be long, for the true labels and the teacher's labels alike. Pass labels as they "
            "come and keep argmax's integers (no .float() on either)"
        )
    if "to match target batch_size (0)" in text:
        return _FLAT_ARGMAX
    if "to match target batch_size" in text:
        return (
            "The targets do not have one label per image: the teacher's choice is its argmax over the classes, "
            "the last axis, one label per image of shape (B,). argmax(0) runs over the batch axis instead"
        )
    if "multi-target not supported" in text:
        return (
            "The teacher's labels have shape (B, 1), one column too many: argmax(-1, keepdim=True) keeps the "
            "class axis. F.cross_entropy takes labels of shape (B,): drop the keepdim"
        )
    if "in-place operation" in text or "inplace operation" in text:
        return (
            "Don't modify the logits in place (sub_, +=, [...] = on class_logits or distillation_logits): they are "
            "the heads' outputs, which training differentiates. Compute new tensors instead (x - m, not x.sub_(m)); "
            "F.cross_entropy already subtracts the largest logit for you"
        )
    if "requires grad" in text or "numpy" in text or ".item()" in text:
        return (
            "The logits carry a gradient here, as in training: a loss must stay a torch tensor "
            "(numpy, .item() and float() drop the gradient)"
        )
    return None


def _class_count_hint(error: Exception, classes: int) -> str | None:
    """Name a class count hard-coded as 10 (MNIST's; review r34a minor 9), e.g. ``F.one_hot(labels, 10)`` on a
    case with another count: torch's broadcasting error sets 10 against the case's count."""
    sizes = re.findall(r"size of tensor [ab] \((\d+)\)", str(error))
    if classes != 10 and sorted(sizes) == sorted(["10", str(classes)]):
        return f"10 classes fixed in your code? This case has {classes}: read the count from the logits' last axis"
    return None


def _one_hot_long_hint(error: Exception) -> str | None:
    """torch's error for a long (B, classes) target, ``F.one_hot(labels, k)`` without ``.float()`` (review r34d
    minor 2: exercise 2b showed the bare error)."""
    if "expected floating point type for target with class probabilities" in str(error).lower():
        return (
            "Your target is a one-hot tensor of integers (F.one_hot gives long): F.cross_entropy takes class indices "
            "of shape (B,), as the labels come, or float probabilities; pass the indices, or add .float()"
        )
    return None


def _target_axis_hint(error: Exception, answer: Callable[..., Any], args: tuple, classes: int) -> str | None:
    """For torch's "multi-target not supported": a 2-D target with a last axis other than 1 and ``classes``
    (``F.one_hot(..., 10)``, ``torch.eye(10)[...]`` on a case with another count) is a fixed class count, not a
    keepdim (review r34d minor 2). Finds the targets by spying on ``F.cross_entropy`` (``nn.CrossEntropyLoss`` calls
    it); ``answer`` reruns on copies of ``args``, its exceptions ignored."""
    if "multi-target not supported" not in str(error):
        return None
    original, widths = F.cross_entropy, []

    def spy(input: torch.Tensor, target: torch.Tensor, *rest: Any, **kwargs: Any) -> torch.Tensor:
        if isinstance(target, torch.Tensor) and target.dim() == 2:
            widths.append(target.shape[-1])
        return original(input, target, *rest, **kwargs)

    F.cross_entropy = spy
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            answer(*(a.detach().clone() if isinstance(a, torch.Tensor) else a for a in args))
    except Exception:
        pass
    finally:
        F.cross_entropy = original
    wrong = [width for width in widths if width not in (1, classes)]
    if wrong:
        return (
            f"Your target has {wrong[0]} columns, but this case has {classes} classes: {wrong[0]} classes fixed in "
            "your code "
            "(F.one_hot(..., 10), torch.eye(10))? Read the count from the logits' last axis"
        )
    return None


def _other_slips(
    class_logits: torch.Tensor, distillation_logits: torch.Tensor, labels: torch.Tensor, teacher: torch.Tensor
) -> list[tuple[list[torch.Tensor], str]]:
    """Losses built from the wrong function, each with the message naming it."""
    ce, top = F.cross_entropy, teacher.argmax(-1)
    probabilities = class_logits.softmax(-1), distillation_logits.softmax(-1)
    softmaxed = [
        0.5 * ce(probabilities[0], labels) + 0.5 * ce(probabilities[1], top),
        0.5 * ce(probabilities[0], labels) + 0.5 * ce(distillation_logits, top),
        0.5 * ce(class_logits, labels) + 0.5 * ce(probabilities[1], top),
    ]
    nll = [
        0.5 * F.nll_loss(class_logits, labels) + 0.5 * F.nll_loss(distillation_logits, top),
        0.5 * F.nll_loss(probabilities[0], labels) + 0.5 * F.nll_loss(probabilities[1], top),
    ]
    mse = [
        weight * ce(class_logits, labels) + other * F.mse_loss(distillation_logits, teacher, reduction=reduction)
        for weight, other in ((0.5, 0.5), (1.0, 1.0))
        for reduction in ("mean", "sum")
    ]
    averaged, summed = (class_logits + distillation_logits) / 2, class_logits + distillation_logits
    fused = [
        0.5 * ce(class_logits, labels) + 0.5 * ce(averaged, top),
        0.5 * ce(class_logits, labels) + 0.5 * ce(summed, top),
        0.5 * ce(averaged, labels) + 0.5 * ce(distillation_logits, top),
    ]
    argmin = [0.5 * ce(class_logits, labels) + 0.5 * ce(distillation_logits, teacher.argmin(-1))]
    return [
        (
            argmin,
            "your distillation term's label is the teacher's argmin, its least likely class: that is not the "
            "teacher's choice",
        ),
        (
            fused,
            "one term reads the two heads' fused logits, such as (class_logits + distillation_logits) / 2, the "
            "inference-time average: the distillation term must use the distillation head's logits alone, "
            "and the class term the class head's",
        ),
        (
            softmaxed,
            "you applied softmax before F.cross_entropy: cross_entropy takes the raw logits (it applies "
            "log_softmax itself), so a softmax in front squashes the loss",
        ),
        (
            nll,
            "F.nll_loss expects log-probabilities, not raw logits (or probabilities): use F.cross_entropy on the "
            "logits, or nll_loss on log_softmax of them",
        ),
        (
            mse,
            "your distillation term is a mean squared error to the teacher's logits (logit matching): hard "
            "distillation takes the teacher's argmax as a label, with a cross-entropy",
        ),
    ]


def _depends_on_teacher_beyond_argmax(answer: Callable[..., Any], inputs: tuple, mine: torch.Tensor) -> bool:
    """Whether ``answer`` changes when the teacher's logits are halved: the argmax stays, the probabilities do not."""
    class_logits, distillation_logits, labels, teacher = inputs
    try:
        with torch.no_grad():
            again = _NO_LOSS_HELPER(answer, class_logits.detach(), distillation_logits.detach(), labels, teacher / 2)
        again = as_tensor(again.detach() if isinstance(again, torch.Tensor) else again, "your loss")
    except ExerciseFailed:
        return False
    return again.numel() == 1 and not close(again.reshape(()), mine)


def _soft_on_every_case(answer: Callable[..., Any]) -> bool:
    """Whether one and the same soft-distillation loss (one temperature, weight, reduction) equals
    ``answer`` on every case: a match on one batch can be chance (an MSE on the probabilities once came
    within 3e-5 of one of the many soft variants)."""
    matching: set[int] | None = None
    for case in _logit_cases():
        try:
            with torch.no_grad():
                value = _NO_LOSS_HELPER(answer, *case)
            value = as_tensor(value.detach() if isinstance(value, torch.Tensor) else value, "your loss")
        except ExerciseFailed:
            return False
        if value.numel() != 1:
            return False
        soft = _soft_distillation_losses(*case)
        here = {index for index, loss in enumerate(soft) if close(value.reshape(()), loss)}
        matching = here if matching is None else matching & here
        if not matching:
            return False
    return bool(matching)


def _reads_teacher_argmax(answer: Callable[..., Any], inputs: tuple, mine: torch.Tensor) -> bool:
    """Whether ``answer`` changes when the teacher's argmax moves (its logits rolled by one class)."""
    class_logits, distillation_logits, labels, teacher = inputs
    try:
        with torch.no_grad():
            again = _NO_LOSS_HELPER(
                answer, class_logits.detach(), distillation_logits.detach(), labels, teacher.roll(1, dims=-1)
            )
        again = as_tensor(again.detach() if isinstance(again, torch.Tensor) else again, "your loss")
    except ExerciseFailed:
        return True  # it raised: say nothing about the teacher
    return again.numel() != 1 or not close(again.reshape(()), mine)


#: Exercises 2 and 2b: the class head's term and the distillation head's trade places.
_SWAPPED_HEADS = "the heads are swapped: the class head learns the labels, the distillation head the teacher"


def _plain_loss_table(
    class_logits: torch.Tensor, distillation_logits: torch.Tensor, labels: torch.Tensor, top: torch.Tensor
) -> list[tuple[torch.Tensor, str]]:
    """The plain cross-entropy slips, each ``(value, message)``: ``top`` is the teacher's argmax."""
    ce = F.cross_entropy
    slips = [
        (
            0.5 * ce(class_logits, labels) + 0.5 * ce(distillation_logits, labels),
            "the distillation head learned the true labels; it learns the teacher's choice",
        ),
        (
            ce(class_logits, labels) + ce(distillation_logits, top),
            "the two terms are added with weight 1 each; DeiT takes half of each",
        ),
        (
            0.5 * ce(class_logits, top) + 0.5 * ce(distillation_logits, labels),
            _SWAPPED_HEADS,
        ),
        (ce(class_logits, labels), "the teacher is missing from your loss"),
        (
            0.5 * ce(class_logits, labels) + 0.5 * ce(class_logits, top),
            "the distillation term reads the class head's logits: the teacher's argmax is the label of the "
            "distillation head (distillation_logits), a head of its own",
        ),
        (
            ce((class_logits + distillation_logits) / 2, labels),
            "both heads averaged before the loss: the teacher is never read. Averaging the two heads' logits is "
            "what the model does at inference; in training each head gets its own cross-entropy",
        ),
        (
            0.5 * ce((class_logits + distillation_logits) / 2, labels)
            + 0.5 * ce((class_logits + distillation_logits) / 2, top),
            "you averaged the two heads' logits before the loss (that is for inference): in training each head "
            "gets its own cross-entropy, the class head with the labels, the distillation head with the teacher",
        ),
        (
            0.5 * ce(class_logits, top) + 0.5 * ce(distillation_logits, top),
            "both heads learned the teacher's argmax: the class head learns the true labels, only the "
            "distillation head learns the teacher's choice",
        ),
        (
            ce(distillation_logits, top),
            "the true labels are missing from your loss: half of it is the class head's cross-entropy with them",
        ),
        (
            0.5 * ce(class_logits, labels, reduction="sum") + 0.5 * ce(distillation_logits, top, reduction="sum"),
            "you summed over the batch; take the mean",
        ),
    ]
    return slips


def _plain_loss_slips(mine: torch.Tensor, logits: tuple[torch.Tensor, ...]) -> None:
    """Fail with the named slip of the two plain cross-entropies, if ``mine`` matches one."""
    class_logits, distillation_logits, labels, teacher = logits
    ce = F.cross_entropy
    top = teacher.argmax(-1)
    slips = _plain_loss_table(class_logits, distillation_logits, labels, top)
    slips.append(
        (
            0.5 * ce(class_logits, labels) + 0.5 * ce(distillation_logits, teacher),
            "you passed the teacher's logits as a soft target: F.cross_entropy reads a float target as class "
            "probabilities. Hard distillation passes the teacher's argmax, one class index per image",
        )
    )
    for value, message in slips:
        if close(mine, value):
            fail(message)
    values = teacher.max(-1).values.long()  # the largest logit, truncated, read as a class
    in_range = bool(((values >= 0) & (values < teacher.shape[-1])).all())
    if in_range and close(mine, 0.5 * ce(class_logits, labels) + 0.5 * ce(distillation_logits, values)):
        fail(
            "the distillation head's labels are the teacher's largest logits (teacher_logits.max(-1)[0], "
            ".values) turned into integers, not its classes: take the indices, not the values"
        )
    flat = teacher.argmax()  # argmax() without dim: one index into the flattened (B x classes) logits
    classes, batch = teacher.shape[-1], teacher.shape[0]
    for label in (flat % classes, flat // classes):  # turned back into a class (or a row) for every image
        if int(label) >= classes:  # a row index past the last class (B > classes): no cross-entropy reads it
            continue
        if close(mine, 0.5 * ce(class_logits, labels) + 0.5 * ce(distillation_logits, label.expand(batch))):
            fail(_FLAT_ARGMAX)
    for on_class, on_distillation, which in ((1.0, 0.5, "distillation"), (0.5, 1.0, "class")):
        if close(mine, on_class * ce(class_logits, labels) + on_distillation * ce(distillation_logits, top)):
            fail(
                f"the terms are weighted {on_class:g} (class head) and {on_distillation:g} (distillation head): "
                f"only the {which} term is halved. Hard distillation halves both, 0.5 and 0.5"
            )
    for weight in (0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.6, 2 / 3, 0.7, 0.75, 0.8, 0.9):
        if close(mine, weight * ce(class_logits, labels) + (1 - weight) * ce(distillation_logits, top)):
            fail(
                f"the two terms are weighted {weight:.2g} (class head) and {1 - weight:.2g} (distillation head); "
                "hard distillation takes half of each, 0.5 and 0.5"
            )
    for smoothing in (0.05, 0.1, 0.2, 0.3):
        for on_class, on_distillation in ((smoothing, 0.0), (0.0, smoothing), (smoothing, smoothing)):
            value = 0.5 * ce(class_logits, labels, label_smoothing=on_class) + 0.5 * ce(
                distillation_logits, top, label_smoothing=on_distillation
            )
            if close(mine, value):
                fail(
                    f"your cross-entropy uses label smoothing ({smoothing}). This exercise asks for the plain "
                    "form, two plain cross-entropies (DeiT's own code smooths and mixes the true-label term, "
                    "and takes F.cross_entropy with the teacher's argmax for the other)"
                )


def _constant_loss(answer: Callable[..., Any], inputs: tuple, mine: torch.Tensor) -> bool:
    """Does the loss stay the same when the heads' logits, the labels and the teacher all change?"""
    class_logits, distillation_logits, labels, teacher = inputs
    classes = class_logits.shape[-1]
    changed = (
        class_logits.detach().flip(-1) * 3,
        distillation_logits.detach().roll(1, -1) * 2,
        (labels + 1) % classes,
        teacher.roll(1, -1),
    )
    try:
        other = as_tensor(answer(*changed), "your loss").detach().reshape(-1)
    except Exception:
        return False
    return other.numel() == 1 and close(other.reshape(()), mine)


_LOW_PRECISION = (torch.float16, torch.bfloat16)


class _PrecisionSpy(TorchFunctionMode):
    """Records the float16 / bfloat16 dtypes of every tensor a torch function returns inside the mode."""

    def __init__(self) -> None:
        super().__init__()
        self.dtypes: set[torch.dtype] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        for value in result if isinstance(result, (tuple, list)) else (result,):
            if isinstance(value, torch.Tensor) and value.dtype in _LOW_PRECISION:
                self.dtypes.add(value.dtype)
        return result


def _low_precision(answer: Callable[..., Any], inputs: tuple) -> str | None:
    """The low-precision dtype (``'torch.bfloat16'``) ``answer`` computes in on copies of ``inputs``, else ``None``
    (its errors and warnings ignored: the probe only looks at the dtypes)."""
    spy = _PrecisionSpy()
    try:
        with warnings.catch_warnings(), spy:
            warnings.simplefilter("ignore")
            answer(*(x.detach().clone() if isinstance(x, torch.Tensor) else x for x in inputs))
    except Exception:
        pass
    return ", ".join(sorted(str(dtype) for dtype in spy.dtypes)) or None


def _precision_slip(answer: Callable[..., Any], inputs: tuple, mine: torch.Tensor, expected: torch.Tensor) -> None:
    """Fail with a precision message if ``answer`` computes in float16 / bfloat16 and ``mine`` is the right loss to
    that precision (within 3 %): the formula is right, the dtype is not. Checked before the slip tables, whose
    tolerance such rounding can cross (a bfloat16 loss once matched a named slip)."""
    if not close(mine.to(torch.float32), expected, rtol=3e-2, atol=1e-2):
        return
    dtype = _low_precision(answer, inputs)
    if dtype is not None:
        fail(
            f"your loss is {mine.item():.4f}, the expected value {expected.item():.4f}: a precision slip. You "
            f"computed in {dtype} (about 3 significant digits), and your loss matches only to that precision "
            "(within 3 %). Compute in float32, the logits' own dtype, and check again"
        )


class _ArgmaxAxisSpy(TorchFunctionMode):
    """Records the ``dim`` of every argmax / max / topk / sort taken on ``watched`` (the teacher's logits) or a
    view of it of the same shape."""

    FUNCTIONS = ("argmax", "max", "topk", "sort", "argsort")

    def __init__(self, watched: torch.Tensor) -> None:
        super().__init__()
        self.shape, self.storage, self.dims = tuple(watched.shape), watched.untyped_storage().data_ptr(), []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if name in self.FUNCTIONS and args and self._watched(args[0]):
            dim = kwargs.get("dim", args[2] if name == "topk" and len(args) > 2 else args[1] if len(args) > 1 else None)
            self.dims.append(dim)
        return func(*args, **kwargs)

    def _watched(self, tensor: Any) -> bool:
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != self.shape:
            return False
        return tensor.untyped_storage().data_ptr() == self.storage


def _batch_axis_argmax(answer: Callable[..., Any], inputs: tuple) -> str | None:
    """The message for a teacher's argmax taken over dim 0, the batch axis (read by a spy), else ``None``."""
    class_logits, distillation_logits, labels, teacher = inputs
    watched = teacher.detach().clone()
    spy = _ArgmaxAxisSpy(watched)
    try:
        with spy:
            answer(class_logits.detach().clone(), distillation_logits.detach().clone(), labels.clone(), watched)
    except Exception:  # the answer's own error: the caller reports it if this finds nothing
        pass
    if not any(isinstance(dim, int) and dim % teacher.dim() == 0 for dim in spy.dims):
        return None
    return (
        "you took the teacher's argmax over dim 0, the batch axis: that gives one index per class, not one label "
        f"per image. teacher_logits is (B, classes) = {tuple(teacher.shape)}: take the argmax over the classes, "
        "the last axis"
    )


def _runs_on_integer_logits(answer: Callable[..., Any], inputs: tuple) -> bool:
    """True if a float-target error goes away once the teacher's logits are integers (long, 0..classes-1).

    The true labels and argmax(...).float() stay float targets there; only a target read from the logits'
    values (teacher_logits.max(-1)[0]) turns long, so this separates that slip from a .float() on the labels.
    """
    class_logits, distillation_logits, labels, teacher = inputs
    whole = teacher.detach().argsort(-1)  # long, every value a class index
    try:
        answer(class_logits.detach().clone(), distillation_logits.detach().clone(), labels.clone(), whole)
    except Exception:  # still failing: the float target is not the logits' values
        return False
    return True


def _call_loss(answer: Callable[..., Any], inputs: tuple) -> Any:
    """``answer(*inputs)``, with its errors named: a refusal, a slip the error shows, an argmax over the batch."""
    with _refusals_named(
        lambda message: (
            f"your hard_distillation raised NotImplementedError: {message}. That is a refusal, "
            "not the unfinished stub: the check needs a loss for every batch it passes (logits (B, classes), "
            "labels (B,))"
        )
    ):
        try:
            classes = inputs[0].shape[-1]
            hint = lambda error: (  # noqa: E731
                _class_count_hint(error, classes)
                or _target_axis_hint(error, answer, inputs, classes)
                or _one_hot_long_hint(error)
                or _gradient_hint(error)
            )
            return _NO_LOSS_HELPER(answer, *inputs, hint=hint)
        except ExerciseFailed as error:
            axis_slip = _batch_axis_argmax(answer, inputs)
            if axis_slip is not None:
                fail(axis_slip)
            if "target dtype" in str(error) and _runs_on_integer_logits(answer, inputs):
                fail(
                    "the distillation head's labels are the teacher's largest logits (teacher_logits.max(-1)[0], "
                    ".values), floats, not its classes: take the indices, not the values"
                )
            if "return_types" not in str(error):
                raise
            fail(
                "your function raised TypeError: a torch.return_types object went where a tensor belongs. "
                "teacher_logits.max(-1) returns (values, indices): the teacher's class per image is the "
                "indices, not the pair"
            )


def _check_inputs_untouched(inputs: tuple, labels: torch.Tensor, teacher: torch.Tensor) -> None:
    """Fail if the answer changed the labels or the teacher's logits in place (as exercise 1 refuses for weights)."""
    for given, original, name in ((inputs[3], teacher, "teacher_logits"), (inputs[2], labels, "labels")):
        if not torch.equal(given, original):
            fail(
                f"your hard_distillation changed {name} in place (an in-place operation such as `.div_()`, "
                f"`+=`, `[...] = ` on {name} or a view of it). They belong to the caller, which reuses them: "
                "compute new tensors instead (t / 2, not t.div_(2))"
            )


def _name_loss_slip(answer: Callable[..., Any], inputs: tuple, mine: torch.Tensor, logits: tuple) -> None:
    """Fail with the slip a wrong hard-distillation loss matches (always fails)."""
    class_logits, distillation_logits, labels, teacher = logits
    axis_slip = _batch_axis_argmax(answer, inputs)
    if axis_slip is not None:
        fail(axis_slip)
    if _constant_loss(answer, inputs, mine):
        fail(
            "your loss does not depend on the logits or labels: it stays the same when they change. Compute it "
            "from class_logits with the labels and from distillation_logits with the teacher's argmax"
        )
    _plain_loss_slips(mine, logits)
    for values, message in _other_slips(class_logits, distillation_logits, labels, teacher):
        if any(close(mine, value) for value in values):
            fail(message)
    if _depends_on_teacher_beyond_argmax(answer, inputs, mine):  # a probe, never a chance match alone
        known = (
            "that is DeiT's soft distillation (at some temperature tau)"
            if _soft_on_every_case(answer)
            else ("your loss reads the teacher's probabilities, as soft distillation does")
        )
        fail(
            f"{known}: your loss changes when the teacher's logits are rescaled but its argmax stays the same "
            "(a KL divergence between softened softmaxes, times tau squared, or a cross-entropy with the teacher's "
            "probabilities). Hard distillation uses only the teacher's argmax, as a label, with a plain "
            "cross-entropy"
        )
    if not _reads_teacher_argmax(answer, inputs, mine):
        fail(
            "your loss never reads the teacher: it stays the same when the teacher's argmax changes. The "
            "distillation head's cross-entropy takes the teacher's argmax over the classes as its labels"
        )
    fail(f"your loss is {mine.item():.4f}, the expected value is different; check each term")


def check_hard_distillation(answer: Callable[..., Any]) -> None:
    """Check ``answer(class_logits, distillation_logits, labels, teacher_logits) -> loss`` (a number):
    half the class head's cross-entropy with the labels, half the distillation head's with the
    teacher's argmax."""
    for class_logits, distillation_logits, labels, teacher in _logit_cases():
        inputs = (
            class_logits.clone().requires_grad_(),  # as in training: the heads' logits carry a gradient
            distillation_logits.clone().requires_grad_(),
            labels.clone(),
            teacher.clone(),
        )
        raw = _call_loss(answer, inputs)
        _check_inputs_untouched(inputs, labels, teacher)
        if isinstance(raw, (tuple, list)):
            kind = type(raw).__name__ if type(raw) in (tuple, list) else f"{type(raw).__module__}.{type(raw).__name__}"
            fail(f"your loss is a {kind}; return a torch.Tensor (one number, the batch's mean loss)")
        if raw is None:
            fail("your function returned None: did you forget `return`? Return the loss, a torch.Tensor")
        if not isinstance(raw, (torch.Tensor, numbers.Real)):
            fail(f"your loss is a {type(raw).__name__}; return a torch.Tensor (one number, the batch's mean loss)")
        mine = as_tensor(raw.detach() if isinstance(raw, torch.Tensor) else raw, "your loss")
        if mine.numel() != 1:
            fail(f"return one number (the batch's mean loss), got a tensor of shape {tuple(mine.shape)}")
        if mine.dim() != 0:
            fail(
                f"return one number, a 0-dim tensor (shape ()), as F.cross_entropy's mean gives; got shape "
                f"{tuple(mine.shape)}: drop the extra axis (.squeeze(), or no keepdim / unsqueeze)"
            )
        mine = mine.reshape(())
        expected = hard_distillation_loss(class_logits, distillation_logits, labels, teacher)
        if close(mine, expected):
            _check_keeps_gradient(raw, inputs[0], inputs[1])
            continue
        _precision_slip(answer, inputs, mine, expected)
        try:
            _name_loss_slip(answer, inputs, mine, (class_logits, distillation_logits, labels, teacher))
        except ExerciseFailed:
            raise
        except Exception:  # a diagnosis that cannot run on this case never shows the learner its traceback
            fail(f"your loss is {mine.item():.4f}, the expected value is different; check each term")
    passed("the class head learns the labels and the distillation head learns the teacher's argmax, half and half.")


#: (tau, lam) of exercise 2b's cases, one per logit case: tau != 1 first, so a missing tau ** 2 shows at once.
SOFT_CASES = ((3.0, 0.5), (1.0, 0.3), (10.0, 0.25))


_KL_OTHER_DIRECTION = (
    "your KL is KL(student || teacher), the other direction: F.kl_div(input, target) computes KL(target || "
    "input), with input the student's log-probabilities. The loss is KL(teacher || student), as DeiT's code"
)
_KL_NO_TAU2 = (
    "your KL term lacks the tau ** 2 factor: dividing the logits by tau shrinks the KL's gradient by about "
    "tau ** 2, and the factor gives it back (at tau = 1 the two agree, at tau = 3 they differ 9 times)"
)
_KL_TAU_NOT_SQUARED = (
    "your KL term is tau times lighter than expected: the factor is tau ** 2, not tau (dividing the logits by tau "
    "shrinks the KL's gradient by about tau ** 2)"
)
_HARD_TARGET_IN_SOFT = (
    "your distillation term is the cross-entropy with the teacher's argmax, the hard target (exercise 2's loss): "
    "soft distillation matches the teacher's softened probabilities, KL(teacher || student) on logits / tau"
)
_KL_NUMEL = (
    "you divided the KL by B x classes (numel), as DeiT's code does: that makes it classes times lighter. Average "
    "it per image: divide the summed KL by the batch size B (or use reduction='batchmean')"
)
_KL_MEAN = (
    "your KL is averaged over batch x classes: F.kl_div's reduction='mean' (its default) divides the summed KL by "
    "every element. Average it per image: reduction='batchmean'"
)
_KL_OVER_BATCH = (
    "your log_softmax runs over dim 0, the batch axis: each class's column then sums to 1, not each image's row. "
    "Take both log_softmaxes over the classes, dim=-1"
)
_SOFT_MESSAGES = {
    "summed": "your KL is summed over the batch: average it per image (reduction='batchmean')",
    "lam swapped": "lam and 1 - lam are swapped: the class head's cross-entropy gets 1 - lam, the KL gets lam",
    "no tau": "your KL ignores tau: divide both the student's and the teacher's logits by tau before the softmaxes",
    "cross-entropy": "your term is the cross-entropy with the teacher's probabilities, not the KL: the two differ by "
    "the teacher's entropy (same gradient, another value). Use F.kl_div, or subtract the teacher's entropy",
    "no lam": "your loss ignores lam (it weighs the two terms 1/2 each): use (1 - lam) and lam",
    "fixed tau": "your loss ignores tau: it matches tau = {fixed:g} here, not this case's tau. Use the tau argument in "
    "both softmaxes and in tau ** 2",
    "no weights": "your loss drops both weights, 1 - lam on the class head's cross-entropy and lam on the KL term: "
    "weigh the cross-entropy by (1 - lam) and the KL by lam * tau ** 2",
    "class head": "your KL reads the class head's logits: the KL trains the distillation head, the cross-entropy "
    "the class head",
    "teacher untempered": "the teacher's logits are not divided by tau: soften both softmaxes, the teacher's "
    "(teacher_logits / tau) as well as the student's",
    "student untempered": "the student's logits are not divided by tau: soften both softmaxes, the student's "
    "(distillation_logits / tau) as well as the teacher's",
    "class softened": "the class term uses the raw logits, not logits / tau: tau softens only the KL's two "
    "softmaxes; the class head's cross-entropy is F.cross_entropy(class_logits, labels)",
    "tau2 on both": "tau ** 2 multiplies only the KL term: the class head's cross-entropy gets (1 - lam) alone",
}


def _soft_slips(
    class_logits: torch.Tensor,
    distillation_logits: torch.Tensor,
    labels: torch.Tensor,
    teacher: torch.Tensor,
    tau: float,
    lam: float,
    per_element: str = _KL_NUMEL,
) -> list[tuple[torch.Tensor, str]]:
    """The usual wrong soft losses and the message that names each (the first that matches is named);
    ``per_element`` names a KL divided by B x classes (``/ numel()``, or F.kl_div's ``reduction='mean'``)."""
    base = F.cross_entropy(class_logits, labels)
    log_s, log_t = F.log_softmax(distillation_logits / tau, -1), F.log_softmax(teacher / tau, -1)
    right_rows = (log_t.exp() * (log_t - log_s)).sum(-1)  # KL(teacher || student) per image
    other_rows = (log_s.exp() * (log_s - log_t)).sum(-1)  # KL(student || teacher)
    soft_ce_rows = -(log_t.exp() * log_s).sum(-1)  # cross-entropy with the teacher's probabilities
    numel = distillation_logits.numel()
    soft_class = F.cross_entropy(class_logits / tau, labels)  # the slip: the class term softened too
    untempered_s, untempered_t = F.log_softmax(distillation_logits, -1), F.log_softmax(teacher, -1)
    untempered = (untempered_t.exp() * (untempered_t - untempered_s)).sum(-1).mean()
    class_kl = (log_t.exp() * (log_t - F.log_softmax(class_logits / tau, -1))).sum(-1).mean()
    log_s0, log_t0 = F.log_softmax(distillation_logits / tau, 0), F.log_softmax(teacher / tau, 0)  # over the batch
    over_batch = [(t.exp() * (t - s)).sum(-1).mean() for t, s in ((log_t0, log_s0), (log_t, log_s0), (log_t0, log_s))]

    def mix(term: torch.Tensor, weight: float = lam, scale: float = tau**2) -> torch.Tensor:
        return (1 - weight) * base + weight * scale * term

    m = _SOFT_MESSAGES
    return [
        (mix(other_rows.mean()), _KL_OTHER_DIRECTION),
        (mix(other_rows.mean(), scale=1.0), _KL_OTHER_DIRECTION + "; and the tau ** 2 factor is missing"),
        (mix(right_rows.mean(), scale=1.0), _KL_NO_TAU2),
        (mix(right_rows.mean(), scale=tau), _KL_TAU_NOT_SQUARED),
        *(
            (mix(F.cross_entropy(distillation_logits, teacher.argmax(-1)), scale=k), _HARD_TARGET_IN_SOFT)
            for k in (1, tau**2)
        ),
        (mix(right_rows.sum() / numel), per_element),
        (mix(right_rows.sum() / numel, scale=1.0), per_element + "; and the tau ** 2 factor is missing"),
        (mix(other_rows.sum() / numel), per_element + "; and the KL is KL(student || teacher), the other direction"),
        *((mix(term), _KL_OVER_BATCH) for term in over_batch),
        (mix(right_rows.sum()), m["summed"]),
        (lam * base + (1 - lam) * tau**2 * right_rows.mean(), m["lam swapped"]),
        (mix(untempered), m["no tau"]),
        (mix(soft_ce_rows.mean()), m["cross-entropy"]),
        (mix(right_rows.mean(), weight=0.5), m["no lam"]),
        *((base + k * right_rows.mean(), m["no weights"]) for k in (tau**2, 1.0)),
        ((1 - lam) * base + lam * tau**2 * class_kl, m["class head"]),
        ((1 - lam) * F.cross_entropy(distillation_logits, labels) + lam * tau**2 * class_kl, _SWAPPED_HEADS),
        (mix((untempered_t.exp() * (untempered_t - log_s)).sum(-1).mean()), m["teacher untempered"]),
        (mix((log_t.exp() * (log_t - untempered_s)).sum(-1).mean()), m["student untempered"]),
        (mix(right_rows.mean()) - (1 - lam) * (base - soft_class), m["class softened"]),
        (mix(right_rows.mean()) + (tau**2 - 1) * (1 - lam) * base, m["tau2 on both"]),
        *_fixed_tau_slips(distillation_logits, teacher, tau, mix),
    ]


def _fixed_tau_slips(
    distillation_logits: torch.Tensor, teacher: torch.Tensor, tau: float, mix: Callable[..., torch.Tensor]
) -> list[tuple[torch.Tensor, str]]:
    """Losses with tau hard-coded (another case's tau, or 2 to 5) in the softmaxes, with tau ** 2 fixed too or read
    from the argument; tau = 1 is the "no tau" slip, named before."""
    slips = []
    for fixed in sorted({case for case, _ in SOFT_CASES} | {2.0, 4.0, 5.0}):
        if fixed in (1.0, tau):
            continue
        log_s, log_t = F.log_softmax(distillation_logits / fixed, -1), F.log_softmax(teacher / fixed, -1)
        rows = (log_t.exp() * (log_t - log_s)).sum(-1).mean()
        message = _SOFT_MESSAGES["fixed tau"].format(fixed=fixed)
        slips += [(mix(rows, scale=fixed**2), message), (mix(rows), message)]
    return slips


def _kl_div_calls(answer: Callable[..., Any], inputs: tuple, tau: float, lam: float) -> list[tuple]:
    """Every ``F.kl_div`` call ``answer`` makes, as ``(input, target, args, kwargs)``; ``answer`` runs on copies of
    ``inputs``, its warnings silenced (the first call already showed them) and its exceptions ignored (the probe only
    looks at the calls). ``nn.KLDivLoss`` calls ``F.kl_div`` too."""
    original, calls = F.kl_div, []

    def spy(input: torch.Tensor, target: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        calls.append((input, target, args, kwargs))
        return original(input, target, *args, **kwargs)

    F.kl_div = spy
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            answer(*(x.detach().clone() for x in inputs), tau, lam)
    except Exception:
        pass
    finally:
        F.kl_div = original
    return calls


def _log_probabilities_as_target(answer: Callable[..., Any], inputs: tuple, tau: float, lam: float) -> bool:
    """Does ``answer`` pass log-probabilities (negative numbers) to ``F.kl_div`` as the target, without
    ``log_target=True``? (F.kl_div then takes the log of negative numbers: the loss is nan.)"""
    return any(
        not kwargs.get("log_target", args[3] if len(args) > 3 else False)
        and isinstance(target, torch.Tensor)
        and bool((target < 0).any())
        for _, target, args, kwargs in _kl_div_calls(answer, inputs, tau, lam)
    )


def _kl_div_reductions(answer: Callable[..., Any], inputs: tuple, tau: float, lam: float) -> set[str]:
    """The ``reduction`` of every ``F.kl_div`` call ``answer`` makes (``'mean'``, F.kl_div's default, if not given)."""
    return {
        kwargs.get("reduction", args[2] if len(args) > 2 else "mean")
        for _, _, args, kwargs in _kl_div_calls(answer, inputs, tau, lam)
    }


def _probabilities_as_input(answer: Callable[..., Any], inputs: tuple, tau: float, lam: float) -> bool:
    """Does ``answer`` pass probabilities (a softmax: no negative entry, rows summing to 1) to ``F.kl_div`` as
    its ``input``, where F.kl_div expects the student's log-probabilities?"""
    ones = torch.ones((), dtype=torch.float64)
    return any(
        isinstance(input, torch.Tensor)
        and bool(input.numel())
        and bool((input >= 0).all())
        and torch.allclose(input.detach().double().sum(-1), ones, atol=1e-4)
        for input, _, _, _ in _kl_div_calls(answer, inputs, tau, lam)
    )


@contextmanager
def _without_kl_mean_warning() -> Iterator[None]:
    """Silence torch's ``UserWarning`` about ``F.kl_div(..., reduction='mean')`` while a checker runs the learner's
    loss: the checker names that slip itself, and torch's warning would point the learner into the checker's code."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"reduction: 'mean' divides", category=UserWarning)
        yield


def _one_soft_loss(raw: Any, where: str) -> torch.Tensor:
    """Exercise 2b: the answer's loss as a 0-d tensor, or a message naming what it returned instead."""
    if raw is None:
        fail("your function returned None: did you forget `return`? Return the loss, a torch.Tensor")
    if not isinstance(raw, (torch.Tensor, numbers.Real)):
        fail(f"your loss is a {type(raw).__name__}; return a torch.Tensor (one number)")
    mine = as_tensor(raw.detach() if isinstance(raw, torch.Tensor) else raw, "your loss")
    if mine.numel() != 1:
        fail(f"{where}: return one number (the batch's loss), got a tensor of shape {tuple(mine.shape)}")
    return mine.reshape(())


@_without_kl_mean_warning()
def check_soft_distillation(answer: Callable[..., Any]) -> None:
    """Check ``answer(class_logits, distillation_logits, labels, teacher_logits, tau, lam) -> loss`` (exercise
    2b): ``(1 - lam) * CE(class, labels) + lam * tau ** 2 * KL(teacher_tau || student_tau)``, the KL averaged
    per image, as :func:`vit_explained.distill.soft_distillation_loss`. Names KL(student || teacher), a missing
    ``tau ** 2``, ``reduction='mean'`` (a KL divided by batch x classes) and a class term on ``logits / tau``."""
    for (class_logits, distillation_logits, labels, teacher), (tau, lam) in zip(
        _logit_cases(), SOFT_CASES, strict=True
    ):
        where = f"at tau = {tau:g}, lam = {lam:g}, {tuple(class_logits.shape)} logits"
        inputs = (
            class_logits.clone().requires_grad_(),
            distillation_logits.clone().requires_grad_(),
            labels.clone(),
            teacher.clone(),
        )
        with _refusals_named(
            lambda message, where=where: (
                f"{where}, your soft_distillation raised NotImplementedError: {message}. That is a refusal, not "
                "the unfinished stub: the check needs a loss for every tau and lam it passes"
            )
        ):
            raw = _NO_SOFT_HELPER(
                answer,
                *inputs,
                tau,
                lam,
                hint=lambda error, k=class_logits.shape[-1], a=(*inputs, tau, lam): (
                    _class_count_hint(error, k) or _target_axis_hint(error, answer, a, k) or _one_hot_long_hint(error)
                ),
            )
        for given, original, name in ((inputs[3], teacher, "teacher_logits"), (inputs[2], labels, "labels")):
            if not torch.equal(given, original):
                fail(f"{where}: your soft_distillation changed {name} in place; compute new tensors instead")
        mine = _one_soft_loss(raw, where)
        expected = soft_distillation_loss(class_logits, distillation_logits, labels, teacher, tau=tau, lam=lam)
        if close(mine, expected):
            _check_keeps_gradient(raw, inputs[0], inputs[1])
            continue
        _precision_slip(answer, (*inputs, tau, lam), mine, expected)
        if _log_probabilities_as_target(answer, inputs, tau, lam):
            fail(
                f"{where}: your loss is {mine.item():.4f}: F.kl_div's target is log-probabilities, so pass "
                "log_target=True, or give it softmax probabilities (without log_target, F.kl_div takes their log)"
            )
        per_element = _KL_MEAN if "mean" in _kl_div_reductions(answer, inputs, tau, lam) else _KL_NUMEL
        for value, message in _soft_slips(class_logits, distillation_logits, labels, teacher, tau, lam, per_element):
            if close(mine, value):
                fail(f"{where}: {message}")
        if _probabilities_as_input(answer, inputs, tau, lam):
            fail(
                f"{where}: your loss is {mine.item():.4f}: you passed softmax probabilities as F.kl_div's input. "
                "Its input must be the student's log-probabilities: F.log_softmax(distillation_logits / tau, dim=-1)"
            )
        fail(f"{where}: your loss is {mine.item():.4f}, the expected value is {expected.item():.4f}; check each term")
    passed(
        "the class head learns the labels; the distillation head matches the teacher's softened probabilities, "
        "KL(teacher || student) per image, times tau ** 2."
    )


#: (dim, heads, patches) of the timm-shaped models the visible check installs ``my_forward`` on:
#: head widths 4 and 8 (never the 64 of real models), so ``sqrt(C)`` and ``sqrt(head_dim)`` differ.
MY_FORWARD_SIZES = ((16, 4, 9), (24, 3, 6))


class _TinyTimmModel(nn.Module):
    """Two timm-shaped blocks over ``[class, distillation, patches]`` tokens (no embedding needed)."""

    def __init__(self, dim: int = 16, heads: int = 4, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.blocks = nn.ModuleList(
            TimmStyleBlock(
                nn.LayerNorm(dim),
                TimmStyleAttention(dim, heads),
                nn.LayerNorm(dim),
                nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim)),
            )
            for _ in range(2)
        )

    def forward(
        self, tokens: torch.Tensor, attn_mask: torch.Tensor | None = None, is_causal: bool = False
    ) -> torch.Tensor:
        for block in self.blocks:  # as timm 1.0.26: self.attn(norm1(x), attn_mask=..., is_causal=...)
            tokens = block(tokens, attn_mask=attn_mask, is_causal=is_causal)
        return tokens


def _masks(batch: int, tokens: int, seed: int) -> list[tuple[str, torch.Tensor | None]]:
    """No mask, an additive float mask (finite biases and ``-inf``), a boolean mask (True = may attend)."""
    generator = torch.Generator().manual_seed(seed)
    additive = torch.randn(batch, 1, tokens, tokens, generator=generator)
    additive[additive.abs() < 0.5] = 0.0  # zeros keep a key as it is: a mask read as boolean would hide them
    additive[..., 1:, 0] = float("-inf")  # no query but the class token reads the class token
    boolean = torch.rand(tokens, tokens, generator=generator) > 0.4
    boolean.fill_diagonal_(True)  # every query keeps at least itself
    return [("no mask", None), ("an additive float attn_mask", additive), ("a boolean attn_mask", boolean)]


def _variant(
    attn_obj: nn.Module,
    *,
    mask: str = "timm",
    merge: bool = True,
    scale: str = "head",
    proj: bool = True,
    dim: int = -1,
    permute: tuple[int, ...] = (2, 0, 3, 1, 4),
):
    """A ``forward`` for ``attn_obj`` with one step done the wrong way: the slips the checker names."""

    def forward(x: torch.Tensor, attn_mask: torch.Tensor | None = None, is_causal: bool = False, **_: Any):
        batch, tokens, channels = x.shape
        heads = attn_obj.num_heads
        q, k, v = attn_obj.qkv(x).reshape(batch, tokens, 3, heads, channels // heads).permute(*permute)
        factor = {"head": attn_obj.scale, "width": channels**-0.5, "none": 1.0, "fixed": 64**-0.5}[scale]
        scores = (q @ k.transpose(-2, -1)) * factor
        if mask == "timm":
            bias = resolve_mask(scores, attn_mask, is_causal)
        elif mask == "added" and attn_mask is not None:
            bias = attn_mask.to(scores.dtype)  # a boolean mask added as 0/1
        elif mask == "inverted" and attn_mask is not None and attn_mask.dtype == torch.bool:
            bias = resolve_mask(scores, ~attn_mask)
        elif mask == "subtracted" and attn_mask is not None and attn_mask.dtype != torch.bool:
            bias = -attn_mask.to(scores.dtype)  # scores - attn_mask
        elif mask == "booleanised" and attn_mask is not None:
            bias = resolve_mask(scores, attn_mask.bool())  # a float mask read as True/False
        elif mask == "infinite only" and attn_mask is not None and attn_mask.dtype != torch.bool:
            bias = resolve_mask(scores, attn_mask != float("-inf"))  # the finite biases dropped
        elif mask == "nonzero hidden" and attn_mask is not None and attn_mask.dtype != torch.bool:
            bias = resolve_mask(scores, attn_mask == 0)  # masked_fill(attn_mask != 0, -1e9): a bias read as "hide"
        elif mask == "both":  # SDPA's reading of attn_mask with is_causal=True: both applied
            bias = resolve_mask(scores, attn_mask)
            if is_causal:
                causal = resolve_mask(scores, None, True)
                bias = causal if bias is None else bias + causal
        elif mask == "mask over causal":  # is_causal applied only when no attn_mask is given
            bias = resolve_mask(scores, attn_mask, is_causal and attn_mask is None)
        elif mask == "diagonal hidden" and is_causal:  # -1e9 from triu(0): each query loses itself too
            upper = torch.ones(tokens, tokens, dtype=torch.bool, device=scores.device).triu()
            bias = torch.zeros_like(scores).masked_fill(upper, -1e9)
        elif mask == "reversed causal" and is_causal:  # triu kept: each query reads itself and the tokens after it
            bias = resolve_mask(scores, torch.ones(tokens, tokens, dtype=torch.bool, device=scores.device).triu())
        elif mask in ("booleanised", "infinite only", "nonzero hidden") and attn_mask is not None:
            bias = resolve_mask(scores, attn_mask)
        else:  # "ignored"
            bias = None
        if mask == "multiplied" and attn_mask is not None and attn_mask.dtype != torch.bool:
            scores = scores * attn_mask  # the float mask as a factor, not a bias
        weights = (scores if bias is None else scores + bias).softmax(dim=dim)  # dim=-2: over the queries (a slip)
        if mask == "after softmax" and attn_mask is not None:  # the mask applied to the weights, not the scores
            boolean = attn_mask.dtype == torch.bool
            weights = weights.masked_fill(~attn_mask, 0.0) if boolean else weights + attn_mask
        forward.weights = weights.detach()  # read by _variant_weights
        out = weights @ v  # (B, heads, N, head_dim)
        out = out.transpose(1, 2).reshape(batch, tokens, channels) if merge else out.reshape(batch, tokens, channels)
        return attn_obj.proj_drop(attn_obj.proj(out)) if proj else out

    return forward


def _run(model: _TinyTimmModel, forward: Callable[..., Any] | None, tokens: torch.Tensor, mask, causal: bool = False):
    """The model's output with ``forward`` installed on the last block's attention (``None``: the class's own)."""
    attn_obj = model.blocks[-1].attn
    if forward is not None:
        attn_obj.forward = forward
    try:
        with torch.no_grad():
            return model(tokens, attn_mask=mask, is_causal=causal)
    finally:
        if forward is not None:
            del attn_obj.forward  # the class's forward again


def _variant_weights(model: _TinyTimmModel, tokens: torch.Tensor, mask, reading: str) -> torch.Tensor:
    """The last block's softmax weights with ``is_causal=True`` when it reads the mask as ``reading`` (a
    ``_variant`` mask: "timm" applies is_causal alone, "both" as SDPA, "mask over causal" drops is_causal)."""
    forward = _variant(model.blocks[-1].attn, mask=reading)
    _run(model, forward, tokens, mask, causal=True)
    return forward.weights


def _check_causal_map(stored: Any, right_maps: list[torch.Tensor], ignoring_map: torch.Tensor, what: str) -> None:
    """With ``is_causal=True`` and a causal output: fail unless ``attn_obj.attn_map`` (``stored``) is one of
    ``right_maps`` (review r34e MAJOR 1: a map that ignores is_causal beside a causal SDPA output passed)."""
    if stored is not None and any(close(stored, right) for right in right_maps):
        return
    if stored is None:  # audit a35a 2: the plain calls store it, the causal call does not
        fail(
            f"with {what} your output is causal but no attn_obj.attn_map is stored on that call: store the causal "
            "weights there too, or refuse is_causal=True"
        )
    if close(stored, ignoring_map.tril()):  # audit a35a 1: the causal mask applied to the weights, not the scores
        fail(
            f"with {what} your attn_obj.attn_map zeroes the weights above the diagonal after the softmax, so its "
            "rows no longer sum to 1: put -inf above the diagonal before the softmax and store those weights"
        )
    if close(stored, ignoring_map):
        fail(
            f"with {what} your output is causal but attn_obj.attn_map is not: the map you store ignores is_causal "
            "(your output's path applies it, the weights you store do not). Apply the causal mask to the weights "
            "you store too, or refuse is_causal=True"
        )
    _check_attn_map(stored, right_maps[0], what)


def _reference_run(
    model: _TinyTimmModel, tokens: torch.Tensor, mask: torch.Tensor | None = None, causal: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """The model's output on ``tokens`` and its last block's softmax weights ``(B, heads, N, N)``
    (read by a hook on ``attn_drop`` with timm's unfused path)."""
    attn_obj = model.blocks[-1].attn
    expected_output = _run(model, None, tokens, mask, causal)
    attn_obj.fused_attn = False
    weights: list[torch.Tensor] = []
    handle = attn_obj.attn_drop.register_forward_hook(lambda _m, _i, out: weights.append(out.detach()))
    try:
        _run(model, None, tokens, mask, causal)
    finally:
        handle.remove()
        attn_obj.fused_attn = True
    return expected_output, weights[0]


def _check_cls_map(cls_map: Any, expected_map: torch.Tensor) -> None:
    """Fail unless ``cls_map`` is the class token's row on the patches, ``expected_map[:, :, 0, 2:]``."""
    if cls_map is None:
        fail("store the class token's map as attn_obj.cls_attn_map")
    expected_cls = expected_map[:, :, 0, 2:]
    if close(cls_map, expected_cls):
        return
    if close(cls_map, expected_map[:, :, 0, 1:]):
        fail("cls_attn_map keeps the distillation token's column: this model has two special tokens")
    if close(cls_map, expected_map[:, :, 1, 2:]):
        fail("cls_attn_map is row 1, the distillation token's; the class token is row 0")
    if close(cls_map, expected_map[:, :, 2:, 0]):
        fail("cls_attn_map is a column (what the patches read from the class token), not the class token's row")
    if close(cls_map, expected_cls / expected_cls.sum(-1, keepdim=True)):
        fail(
            "cls_attn_map is renormalised to sum to 1 over the patches: store the class token's weights "
            "as the softmax gave them (attn[:, :, 0, 2:]), without dividing"
        )
    shape = tuple(as_tensor(cls_map).shape)
    if shape == tuple(expected_cls.shape):
        fail(
            f"cls_attn_map has the right shape {shape} but its values differ from the class token's "
            "weights on the patches, attn[:, :, 0, 2:]"
        )
    fail(
        f"cls_attn_map should be (B, heads, patches) = {tuple(expected_cls.shape)}, got {shape}: "
        "the class token's weights on the patches"
    )


def _check_signature(my_forward: Callable[..., Any]) -> None:
    """``my_forward`` must take both keywords timm's Block passes: attn_mask and is_causal (or **kwargs)."""
    try:
        parameters = inspect.signature(my_forward).parameters
    except (TypeError, ValueError):
        return  # no signature to read (a builtin): the calls below show what it accepts
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    if {"attn_mask", "is_causal"} <= set(parameters):
        return  # the stricter signature: both keywords, and a TypeError on any other
    if "attn_mask" in parameters:
        fail(
            "my_forward takes attn_mask but not is_causal: timm 1.0.26's Block calls "
            "self.attn(x, attn_mask=attn_mask, is_causal=is_causal), so it raises TypeError there"
        )
    fail(
        "timm's Block (1.0.16 on) calls self.attn(x, attn_mask=attn_mask) (1.0.26 adds is_causal=...): a "
        "my_forward that takes only x raises TypeError there"
    )


def _check_factory(answer: Callable[..., Any], call: str = "check_my_forward_core(make_my_forward)") -> None:
    """``answer`` must be the factory (it builds ``my_forward``), not ``my_forward`` itself; ``call`` is the check
    the learner ran, with its factory's name (review r34d minor 3)."""
    try:
        parameters = list(inspect.signature(answer).parameters.values())
    except (TypeError, ValueError):
        return
    names = {p.name for p in parameters}
    takes_keywords = any(p.kind is p.VAR_KEYWORD for p in parameters)
    if names & {"attn_mask", "is_causal"} or names == {"x"} or (takes_keywords and "x" in names):
        factory = call.split("(")[1].rstrip(")")
        fail(f"pass {factory}, the function that builds my_forward, not my_forward itself: lesson09.{call}")


def _check_mask_unchanged(mask: torch.Tensor | None, given: torch.Tensor | None, what: str) -> None:
    """timm passes one ``attn_mask`` to every block: ``my_forward`` must not change it in place."""
    if mask is not None and not torch.equal(mask, given):
        fail(
            f"you changed the caller's attn_mask in place ({what}; e.g. logical_not_, clamp_ or masked_fill_): "
            "timm's Block passes the same mask to every block, so the blocks after yours read the changed "
            "mask. Work on a copy: attn_mask.clamp(...), not attn_mask.clamp_(...)"
        )


def _check_returns_tensor(
    my_forward: Callable[..., Any], model: _TinyTimmModel, tokens: torch.Tensor, mask, what: str = "a mask"
) -> None:
    """timm's Block adds what ``self.attn(...)`` returns to the residual stream: one tensor, not ``(x, attn)``.
    One call alone, so a mask changed in place is caught here (two blocks flipping it would hide it)."""
    block = model.blocks[-1]
    with torch.no_grad():
        x = block.norm1(model.blocks[0](tokens, attn_mask=mask))
        given = None if mask is None else mask.clone()
        result = attempt(my_forward, x, attn_mask=mask, is_causal=False)
    _check_mask_unchanged(mask, given, what)
    if result is None:
        fail(
            "my_forward returned None: did you forget `return` at its end? timm's Block adds what it returns "
            "to the residual stream: return the output tensor, attn_obj.proj_drop(attn_obj.proj(x))"
        )
    if isinstance(result, (tuple, list)):
        fail(
            f"my_forward returns a {type(result).__name__} of {len(result)}: timm's Block adds its result to the "
            "residual stream (x + self.attn(...)), so return only the output tensor and keep the weights "
            "on attn_obj (attn_obj.attn_map)"
        )


#: The slips of the computation, each named; tried in this order on a wrong output.
_COMPUTATION_SLIPS = (
    (
        {"permute": (2, 0, 1, 3, 4)},
        "q, k and v must be (B, heads, N, head_dim): your permute leaves the heads behind the tokens, "
        "(B, N, heads, head_dim); permute(2, 0, 3, 1, 4) moves them in front",
    ),
    (
        {"merge": False},
        "the heads are not merged back right: attn @ v is (B, heads, N, head_dim); move the heads next to "
        "head_dim (transpose(1, 2)) before reshaping to (B, N, C)",
    ),
    (
        {"scale": "width"},
        "the scores are scaled by C ** -0.5, the token width; attention scales by head_dim ** -0.5 (attn_obj.scale)",
    ),
    ({"scale": "none"}, "the scores are not scaled: multiply q @ k^T by attn_obj.scale"),
    (
        {"scale": "fixed"},
        "the scores are scaled by a fixed 64 ** -0.5 (ViT-B's head width): use attn_obj.scale, not a fixed head width",
    ),
    ({"proj": False}, "the heads' output skips attn_obj.proj (and proj_drop)"),
    (
        {"dim": -2},
        "your softmax runs over the queries (dim=-2): softmax over keys, dim=-1, so each query's row of "
        "weights sums to 1",
    ),
)

_MASK_SLIPS = (
    (
        {"mask": "ignored"},
        "your my_forward ignores the mask: add it to the scores before the softmax (a boolean mask: "
        "-inf where it is False)",
    ),
    (
        {"mask": "multiplied"},
        "your my_forward multiplies the scores by the float attn_mask: a float mask is added to the scores, "
        "not multiplied (0 keeps a key, -inf hides it, other values are biases): scores + attn_mask, before "
        "the softmax",
    ),
    (
        {"mask": "subtracted"},
        "your my_forward subtracts the float attn_mask: the mask is added, not subtracted (scores + attn_mask; "
        "-inf hides a key)",
    ),
    (
        {"mask": "after softmax"},
        "your my_forward applies the mask after the softmax: the weights no longer sum to 1 (a boolean mask "
        "zeroes them, a float one adds biases and -inf to probabilities). Add the mask to the scores before "
        "the softmax",
    ),
    (
        {"mask": "added"},
        "a boolean attn_mask is not a number to add (True would add 1): it says which keys a query may "
        "read; put -inf where it is False (masked_fill), as SDPA and timm do",
    ),
    (
        {"mask": "inverted"},
        "your boolean mask is inverted: True means 'may attend' (SDPA's and timm's meaning), so the "
        "scores get -inf where the mask is False",
    ),
    (
        {"mask": "booleanised"},
        "your my_forward turns the float attn_mask into a boolean one (.bool(), or masked_fill with it): "
        "a float mask is added to the scores as it is (0 keeps a key, -inf hides it, other values are "
        "biases); only a torch.bool mask means 'may attend'",
    ),
    (
        {"mask": "nonzero hidden"},
        "your my_forward hides every key where the float attn_mask is nonzero (masked_fill(attn_mask != 0, "
        "-1e9) or similar): a float mask is not a 'hide here' flag; add it to the scores as it is (0 keeps a "
        "key, -inf hides it, other values are biases)",
    ),
    (
        {"mask": "infinite only"},
        "your my_forward keeps only the -inf entries of the float attn_mask: add the whole mask to the "
        "scores, its finite values are biases too",
    ),
)


def _rows_sum_to_one(weights: Any) -> bool:
    """Whether stored weights are a softmax's: every finite row sums to 1 (rows with nan or inf are skipped)."""
    if not isinstance(weights, torch.Tensor) or not weights.is_floating_point() or weights.dim() < 2:
        return False
    weights = weights.detach()
    finite = torch.isfinite(weights).all(-1)
    sums = weights.sum(-1)[finite]
    return bool(finite.any()) and bool(torch.allclose(sums, torch.ones_like(sums), atol=1e-4))


def _diagnose(model: _TinyTimmModel, output: torch.Tensor, tokens: torch.Tensor, mask, what: str) -> None:
    """Fail with the named slip whose output equals ``output``, or with a general message."""
    attn_obj = model.blocks[-1].attn
    slips = (_MASK_SLIPS if mask is not None else ()) + _COMPUTATION_SLIPS
    for options, message in slips:
        if options.get("mask") in ("added", "inverted") and (mask is None or mask.dtype != torch.bool):
            continue
        if options.get("mask") == "after softmax" and _rows_sum_to_one(getattr(attn_obj, "attn_map", None)):
            continue  # the stored weights are a softmax's: the mask went in before it, in some wrong way
        if options.get("mask") in ("booleanised", "infinite only", "nonzero hidden", "multiplied", "subtracted") and (
            mask is None or mask.dtype == torch.bool
        ):
            continue
        slip = _run(model, _variant(attn_obj, **options), tokens, mask)
        both_broken = not bool(torch.isfinite(output).all()) and not bool(torch.isfinite(slip).all())
        same_breaks = both_broken and torch.allclose(output, slip, atol=1e-4, equal_nan=True)
        if close(output, slip) or same_breaks or (options.get("mask") == "after softmax" and both_broken):
            fail(f"with {what}: {message}")
    _fixed_head_count(model, output, tokens, mask, what)
    fail(
        f"with {what}, the model's output changed with your my_forward installed: recompute every step of "
        "the attention (qkv, scale, mask, softmax, attn_drop, merge the heads, proj, proj_drop)"
    )


def _fixed_head_count(model: _TinyTimmModel, output: torch.Tensor, tokens: torch.Tensor, mask, what: str) -> None:
    """Name a head count hard-coded as 4 (the lesson's DeiT has 4; review r33c minor 10): fail if ``output`` is
    the model's with 4 heads in the last attention, scaled by ``attn_obj.scale`` or by the 4 heads' width."""
    attn_obj = model.blocks[-1].attn
    heads, scale = attn_obj.num_heads, attn_obj.scale
    channels = tokens.shape[-1]
    if heads == 4 or channels % 4:
        return
    try:
        for factor in (scale, (channels // 4) ** -0.5):
            attn_obj.num_heads, attn_obj.scale = 4, factor
            if close(output, _run(model, _variant(attn_obj), tokens, mask)):
                fail(
                    f"with {what}: 4 heads fixed in your code? The check's module has {heads} heads: read "
                    "attn_obj.num_heads (and take the head width as C // attn_obj.num_heads), not 4"
                )
    finally:
        attn_obj.num_heads, attn_obj.scale = heads, scale


#: The exceptions that read as a deliberate refusal of ``is_causal=True`` (when their message says so).
_REFUSALS = (NotImplementedError, ValueError, TypeError, AssertionError, RuntimeError)


#: Where torch, the other installed packages (einops, ...) and the standard library live: an error raised
#: there is not the learner's refusal (review a35b 1).
_TORCH_DIR = os.path.realpath(os.path.dirname(torch.__file__)) + os.sep
_STDLIB_DIR = os.path.realpath(sysconfig.get_paths()["stdlib"]) + os.sep
_INSTALLED_DIRS = tuple({os.path.realpath(sysconfig.get_paths()[key]) + os.sep for key in ("purelib", "platlib")})


def _in_installed_package(path: str) -> bool:
    """Is ``path`` (a real path) inside torch or another installed package?"""
    folders = path.split(os.sep)
    return path.startswith((_TORCH_DIR, *_INSTALLED_DIRS)) or "site-packages" in folders or "dist-packages" in folders


def _raised_by_learner(error: BaseException) -> bool:
    """Review r35a M1: a refusal is the learner's own ``raise`` or ``assert``: the innermost traceback frame lies
    outside installed packages (torch, einops, ...) and the standard library and stops on a raise. torch's own
    error on a boolean tensor (``1 - attn_mask`` raises inside ``Tensor.__rsub__``; ``-attn_mask`` in the
    learner's line, on the negation, not on a raise) is a bug on that path, not a refusal; so is an einops error."""
    frame = error.__traceback__
    if frame is None:
        return False
    while frame.tb_next is not None:
        frame = frame.tb_next
    code = frame.tb_frame.f_code
    path = os.path.realpath(code.co_filename)
    if _in_installed_package(path) or path.startswith(_STDLIB_DIR):
        return False
    return any(op.offset == frame.tb_lasti and op.opname == "RAISE_VARARGS" for op in dis.get_instructions(code))


def _bug_not_refusal(where: str, error: BaseException, then: str, path: str = "that path") -> str:
    """The message for an error on a path the learner may refuse that is not their own refusal (review r35a M1);
    ``where``: e.g. ``"with is_causal=True"``."""
    return (
        f"{where} your my_forward raised {type(error).__name__}: {_first_line(error).rstrip('.')}: a bug on {path}, "
        f"not a refusal (a refusal is your own raise or assert). {then}"
    )


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else "(no message)"


#: Exercise 3b, to an answer that refuses a boolean mask (exercise 3's core task may).
_3B_APPLIES = "exercise 3b applies boolean masks (True: may attend); refusing is_causal is still fine"


def _refused(what: str, message: str) -> str:
    """The message for a ``my_forward`` that raises ``NotImplementedError`` on a case the exercise requires
    (a boolean mask: only exercise 3b requires it; exercise 3's core may refuse it)."""
    refused = {
        "a boolean attn_mask": "boolean masks",
        "an additive float attn_mask": "additive float masks",
    }.get(what, "the plain call with no mask")
    if what == "a boolean attn_mask":
        rule = _3B_APPLIES
    else:
        rule = (
            "exercises 3 and 3b require them (in exercise 3 only a boolean mask and is_causal=True may be refused; "
            "in 3b only is_causal=True)"
        )
    if message == "(no message)":  # the function ran on an earlier case: not the stub (review r34a minor 1)
        return (
            f"with {what}, your my_forward raised NotImplementedError (no message). It already ran on an earlier "
            f"case, so this is a refusal, not the stub: your my_forward refuses {refused}; {rule}"
        )
    return (
        f"with {what}, your my_forward raised NotImplementedError: {message}. That is a refusal, not the "
        f"unfinished stub: your my_forward refuses {refused}; {rule}"
    )


def _check_detached(model: _TinyTimmModel, answer: Callable[..., Any], tokens: torch.Tensor) -> None:
    """With autograd on (training, a saliency method), the stored maps must not hold the graph."""
    attn_obj = model.blocks[-1].attn
    attn_obj.forward = attempt(answer, attn_obj)
    try:
        attempt(model, tokens, attn_mask=None, is_causal=False)  # no torch.no_grad() here
    finally:
        del attn_obj.forward
    for name in ("attn_map", "cls_attn_map"):
        stored = getattr(attn_obj, name, None)
        if isinstance(stored, torch.Tensor) and stored.requires_grad:
            fail(
                f"attn_obj.{name} keeps the autograd graph (it requires grad): outside torch.no_grad() it holds "
                "every activation of the forward pass alive until it is replaced. Store attn.detach()"
            )


def _check_gradient(model: _TinyTimmModel, answer: Callable[..., Any], tokens: torch.Tensor) -> None:
    """One backward pass: the gradient through ``my_forward`` must be the class forward's (training and
    lesson 08's gradient-weighted maps need it)."""
    attn_obj = model.blocks[-1].attn
    weights = torch.randn(tokens.shape, generator=torch.Generator().manual_seed(7))

    def input_gradient(forward: Callable[..., Any] | None) -> tuple[torch.Tensor, bool]:
        x = tokens.clone().requires_grad_()
        seen: list[bool] = []
        if forward is not None:

            def watched(*args: Any, **kwargs: Any) -> Any:
                out = forward(*args, **kwargs)
                seen.append(isinstance(out, torch.Tensor) and out.requires_grad)
                return out

            attn_obj.forward = watched
        try:
            with torch.enable_grad():
                output = attempt(model, x, attn_mask=None, is_causal=False)
                if not isinstance(output, torch.Tensor) or not output.requires_grad:
                    return torch.zeros_like(x), False
                try:
                    (gradient,) = torch.autograd.grad((output * weights).sum(), x)
                except RuntimeError as error:
                    if "inplace operation" not in str(error):
                        fail(f"the backward pass through your my_forward raised RuntimeError: {_first_line(error)}")
                    fail(
                        "your my_forward changes a tensor in place (x.mul_(...), x += ..., x[...] = ...) that "
                        "autograd saved for the backward pass (qkv's input x, q, k or the weights): the values "
                        "are right, but loss.backward() fails with 'modified by an inplace operation'. Make a new "
                        "tensor instead (x = x * 1.0) and leave the module's input as it came"
                    )
        finally:
            if forward is not None:
                del attn_obj.forward
        return gradient, all(seen)

    expected, _ = input_gradient(None)
    mine, flows = input_gradient(attempt(answer, attn_obj))
    if not flows:
        fail(
            "no gradient flows through your my_forward: torch.no_grad() (or a .detach()) around the computation "
            "of its output cuts the graph. The values are right, but training and lesson 08's gradient-weighted "
            "maps break. Detach only the stored maps (attn.detach()), and compute the output with autograd on"
        )
    if not close(mine, expected):
        fail(
            "the gradient through your my_forward differs from the class forward's: something on the way to the "
            "output is detached (a .detach(), .data or torch.no_grad() on q, k, v or the weights). Detach only "
            "the stored maps"
        )


def _check_dropout(model: _TinyTimmModel, answer: Callable[..., Any], tokens: torch.Tensor) -> None:
    """In training mode, with nonzero dropout and a fixed seed, the output must be the class forward's:
    ``attn_drop`` on the softmax weights and ``proj_drop`` after ``proj``."""
    attn_obj = model.blocks[-1].attn
    for module, name, where in (
        (attn_obj.attn_drop, "attn_drop", "to the softmax weights, before attn @ v"),
        (attn_obj.proj_drop, "proj_drop", "after attn_obj.proj"),
    ):
        module.p = 0.3
        attn_obj.fused_attn = False  # the class's own path through attn_drop (timm's SDPA draws its own mask)
        model.train()
        try:
            outputs = []
            for forward in (None, attempt(answer, attn_obj)):
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(11)
                    outputs.append(_run(model, forward, tokens, None))
        finally:
            module.p = 0.0
            attn_obj.fused_attn = True
            model.eval()
        expected, mine = outputs
        if not close(mine, expected):
            fail(
                f"in training mode, with dropout on, your my_forward's output differs from timm's: apply "
                f"attn_obj.{name} {where}, once on the whole tensor, as timm's Attention does (with p = 0, as in "
                "eval mode, skipping it changes nothing, so the other checks cannot see it)"
            )


def _check_no_nan(output: Any) -> None:
    """``is_causal=True`` output with NaN: a softmax row with no key left. Which query it is names the slip."""
    nan = torch.isnan(as_tensor(output))
    nan_tokens = (nan if nan.dim() >= 3 else nan.reshape(1, 1, -1)).flatten(0, -3).any(0).any(-1)  # (N,) queries
    if bool(nan_tokens[-1]) and not bool(nan_tokens[0]):  # the last query reads nothing: upper triangle kept
        fail(
            "with is_causal=True your output holds NaN at the last query: it reads no key at all, so its softmax "
            "row is all -inf. Your mask keeps the upper triangle and masks the diagonal (e.g. -inf where "
            "tril() is True): keep the lower triangle with the diagonal, tril() (or -inf only above it, triu(1))"
        )
    if bool(nan_tokens.any()):
        fail(
            "with is_causal=True your output holds NaN: the first query may read no key at all, so its softmax "
            "row is all -inf. Your causal mask leaves out the diagonal (tril(-1), or -inf from triu(0)): each "
            "query reads itself too, so keep the diagonal, tril() (or -inf only above it, triu(1))"
        )


def _check_is_causal(model: _TinyTimmModel, answer: Callable[..., Any], tokens: torch.Tensor) -> None:
    """``is_causal=True``: a clear error, or the causal attention; never silently the full one."""
    attn_obj = model.blocks[-1].attn
    expected, expected_map = _reference_run(model, tokens, None, causal=True)
    ignoring = _run(model, _variant(attn_obj, mask="ignored"), tokens, None, causal=True)  # earlier blocks causal
    _forget_maps(attn_obj)
    my_forward = attempt(answer, attn_obj)
    attn_obj.forward = my_forward
    try:
        with torch.no_grad():
            output = model(tokens, is_causal=True)
    except Exception as error:
        own = isinstance(error, _REFUSALS) and _raised_by_learner(error)  # review r35a M1: not torch's error
        if own and "causal" in str(error).lower():
            return  # a clear refusal of is_causal=True is a right answer
        if own:
            fail(
                f"with is_causal=True your my_forward raised {type(error).__name__}: {_first_line(error)}. "
                "If that is your refusal, say what it refuses, e.g. "
                "raise NotImplementedError('is_causal=True is not supported')"
            )
        fail(
            _bug_not_refusal(
                "with is_causal=True",
                error,
                "Apply the causal mask, or refuse it with raise NotImplementedError('is_causal=True is not supported')",
                "the is_causal path",
            )
        )
    finally:
        del attn_obj.forward
    if close(output, expected):
        ignoring_map = _variant_weights(model, tokens, None, "ignored")
        _check_causal_map(getattr(attn_obj, "attn_map", None), [expected_map], ignoring_map, "is_causal=True")
        return
    _name_causal_slip(model, output, tokens, ignoring)


def _name_causal_slip(model: _TinyTimmModel, output: torch.Tensor, tokens: torch.Tensor, ignoring) -> None:
    """``is_causal=True`` gave an output that is not the causal attention: name the slip (``ignoring``: the
    output of a forward that ignores ``is_causal``)."""
    attn_obj = model.blocks[-1].attn
    _check_no_nan(output)
    diagonal_hidden = _run(model, _variant(attn_obj, mask="diagonal hidden"), tokens, None, causal=True)
    if close(output, diagonal_hidden):
        fail(
            "with is_causal=True your mask hides the diagonal: a query reads itself. A large negative number "
            "(-1e9) from triu(0), or tril(-1), takes each query's own key away (the first query then reads "
            "nothing and its row goes uniform); keep the diagonal: mask only above it, triu(1)"
        )
    reversed_causal = _run(model, _variant(attn_obj, mask="reversed causal"), tokens, None, causal=True)
    if close(output, reversed_causal):
        fail(
            "with is_causal=True your mask runs the wrong way: each query reads itself and the tokens *after* it "
            "(you kept the upper triangle, triu). The causal mask keeps the lower triangle, tril: each query reads "
            "itself and the tokens before it (-inf above the diagonal)"
        )
    if close(output, ignoring):
        fail(
            "with is_causal=True your my_forward silently attends to every token: apply a causal mask "
            "(each query reads only itself and the tokens before it), or raise an error for is_causal=True"
        )
    fail("with is_causal=True the output is neither the causal attention nor an error: apply a causal mask or raise")


#: How each message about exercise 3's case of a mask and is_causal=True together begins.
_BONUS = "with an attn_mask and is_causal=True together"


def _check_causal_with_mask(model: _TinyTimmModel, answer: Callable[..., Any], tokens: torch.Tensor, mask) -> None:
    """``attn_mask`` and ``is_causal=True`` together: timm 1.0.26 to 1.0.28's two paths differ. The unfused path
    applies ``is_causal`` and drops the mask (``resolve_self_attn_mask``); the fused path passes both to SDPA, which
    applies both. Either reading is right, and so is a clear refusal.
    Applying only the mask silently drops ``is_causal``. Every block takes the unfused path here.
    Round 18d: a required case (the spec says never ignore is_causal), so a miss fails the exercise."""
    attn_obj = model.blocks[-1].attn
    for block in model.blocks:
        block.attn.fused_attn = False
    try:
        causal_wins = _run(model, None, tokens, mask, causal=True)
        mask_wins = _run(model, _variant(attn_obj, mask="mask over causal"), tokens, mask, causal=True)
        both = _run(model, _variant(attn_obj, mask="both"), tokens, mask, causal=True)  # SDPA's reading
        maps = [_variant_weights(model, tokens, mask, reading) for reading in ("timm", "both", "mask over causal")]
        _forget_maps(attn_obj)
        attn_obj.forward = attempt(answer, attn_obj)
        try:
            with torch.no_grad():
                output = model(tokens, attn_mask=mask, is_causal=True)
        except Exception as error:
            own = isinstance(error, _REFUSALS) and _raised_by_learner(error)  # review r35a M1: not torch's error
            if own and "causal" in str(error).lower():
                return
            if own:
                fail(
                    f"{_BONUS}, your my_forward raised {type(error).__name__}: {_first_line(error)}. Apply the "
                    "causal mask too, or refuse it with raise NotImplementedError('is_causal=True is not supported')"
                )
            fail(_bug_not_refusal(f"{_BONUS},", error, "Fix it, or refuse is_causal=True"))
        finally:
            del attn_obj.forward
    finally:
        for block in model.blocks:
            block.attn.fused_attn = True
    if close(output, causal_wins) or close(output, both):
        right, other = maps[:2] if close(output, causal_wins) else maps[1::-1]
        stored = getattr(attn_obj, "attn_map", None)
        if stored is not None and close(stored, other) and not close(stored, right):
            fail(
                f"{_BONUS}, your output and attn_obj.attn_map read them differently (one applies both, the other "
                "is_causal alone): store the weights your output used"
            )
        _check_causal_map(stored, [right], maps[2], "an attn_mask and is_causal=True")
        return
    if close(output, mask_wins):
        fail(
            f"{_BONUS}, your my_forward applies only the mask and silently drops is_causal: the exercise says "
            "never ignore it. timm 1.0.26's unfused path applies is_causal and drops the mask, its fused path "
            "(SDPA) applies both; neither drops is_causal. Apply the causal mask too, or refuse is_causal=True"
        )
    fail(f"{_BONUS}, the output is neither the causal attention nor an error")


def _forget_maps(attn_obj: nn.Module) -> None:
    """Delete the maps a ``my_forward`` stored on ``attn_obj``, so that no later case reads a stale one."""
    for name in ("attn_map", "cls_attn_map"):
        if hasattr(attn_obj, name):
            delattr(attn_obj, name)


def _check_attn_map(stored: Any, expected_map: torch.Tensor, what: str) -> None:
    """Fail unless ``stored`` (``attn_obj.attn_map``) is the softmax weights ``expected_map``."""
    if stored is None:
        fail("store the weights as attn_obj.attn_map")
    if not close(stored, expected_map):
        tensor = as_tensor(stored)
        shape = tuple(tensor.shape)
        flat = tensor.reshape(-1)
        if shape == tuple(expected_map.shape) and flat.numel() and bool((flat == flat[0]).all()):
            fail(
                f"with {what}: attn_obj.attn_map is constant (every entry {flat[0].item():g}): your stored map is "
                "not the attention weights; store the softmax weights, after the softmax (before or after attn_drop)"
            )
        if (
            shape == tuple(expected_map.shape)
            and tensor.is_floating_point()
            and close(tensor.softmax(-1), expected_map)
        ):
            fail(
                f"with {what}: attn_obj.attn_map holds the scores before the softmax (its rows do not sum "
                "to 1): store the softmax weights, after the softmax (before or after attn_drop)"
            )
        if shape == tuple(expected_map.shape) and not close(tensor.sum(-1), torch.ones(shape[:-1])):
            fail(  # audit a35a 1: not always the scores (e.g. a mask applied after the softmax)
                f"with {what}: the rows of attn_obj.attn_map do not sum to 1: store the softmax weights as the "
                "softmax returns them, every mask applied before it (before or after attn_drop)"
            )
        fail(
            f"with {what}: attn_obj.attn_map should be the (B, heads, N, N) = {tuple(expected_map.shape)} "
            f"softmax weights (after the mask), got shape {shape}"
            + (" with other values" if shape == tuple(expected_map.shape) else "")
        )


_CORE_BOOLEAN_ADDED = (
    "with a boolean attn_mask: your my_forward adds it to the scores as 0/1 (section 5's float path): a boolean "
    "mask is not a number to add, it says which keys a query may read. In exercise 3, refuse it with a clear "
    "error, e.g. raise NotImplementedError('a boolean attn_mask is not supported'); exercise 3b applies it"
)


#: Exercise 3, after an error on the boolean path that is not a refusal.
_FIX_OR_REFUSE_BOOLEAN = (
    "Refuse a boolean mask with raise NotImplementedError('a boolean attn_mask is not supported'), or apply it "
    "(exercise 3b)"
)


def _boolean_refused(
    model: _TinyTimmModel, my_forward: Callable[..., Any], tokens: torch.Tensor, mask, ran_before: bool = False
) -> bool:
    """Exercise 3 (the core task): does ``my_forward`` refuse a boolean mask clearly? True for a refusal that
    names the mask; False when it runs (the caller then checks its output); fails on any other error.
    ``ran_before``: it already ran on an earlier case, so the stub's message is a refusal with no name."""
    attn_obj = model.blocks[-1].attn
    attn_obj.forward = my_forward
    try:
        with torch.no_grad():
            model(tokens, attn_mask=mask, is_causal=False)
    except Exception as error:
        if not isinstance(error, _REFUSALS) or not _raised_by_learner(error):  # review r35a M1: not torch's error
            fail(_bug_not_refusal("with a boolean attn_mask", error, _FIX_OR_REFUSE_BOOLEAN))
        message = str(error).strip()
        if isinstance(error, NotImplementedError) and message.lower() in _STUB_MESSAGES and not ran_before:
            raise ExerciseNotAttempted(NOT_ATTEMPTED) from None
        if "bool" in message.lower() or "mask" in message.lower():
            return True  # a clear refusal of a boolean mask is a right answer in exercise 3
        fail(
            f"with a boolean attn_mask your my_forward raised {type(error).__name__}: {_first_line(error)}. "
            "If that is your refusal, say what it refuses, e.g. "
            "raise NotImplementedError('a boolean attn_mask is not supported')"
        )
    finally:
        del attn_obj.forward
        for name in ("attn_map", "cls_attn_map"):
            if hasattr(attn_obj, name):
                delattr(attn_obj, name)
    return False


def _refuses_boolean_in_3b(model: _TinyTimmModel, my_forward: Callable[..., Any], tokens: torch.Tensor, mask) -> None:
    """Exercise 3b: an exercise-3 answer that refuses a boolean mask (an error naming the mask) gets 3b's rule,
    not the raw error text; any other error on the boolean path is a bug on that path (review a35b 2). A refusal
    that names neither is left to the checks that follow."""
    attn_obj = model.blocks[-1].attn
    attn_obj.forward = my_forward
    try:
        with torch.no_grad():
            model(tokens, attn_mask=mask, is_causal=False)
    except Exception as error:
        message = str(error).strip().lower()
        if not isinstance(error, _REFUSALS) or not _raised_by_learner(error):  # reviews r35a M1, a35b 2: a bug
            fail(
                _bug_not_refusal(
                    "with a boolean attn_mask", error, "Exercise 3b applies boolean masks (True: may attend)"
                )
            )
        if isinstance(error, NotImplementedError):
            return  # the stub, or a refusal that _refused names with its message
        if "bool" in message or "mask" in message:
            fail(f"with a boolean attn_mask your my_forward refuses boolean masks; {_3B_APPLIES}")
        if not message:  # a bare `assert` or raise: exercise 3's wording (review r28d minor 6)
            fail(
                f"with a boolean attn_mask your my_forward raised {type(error).__name__}: (no message). If that is "
                f"your refusal, say what it refuses; {_3B_APPLIES}"
            )
    finally:
        del attn_obj.forward
        for name in ("attn_map", "cls_attn_map"):
            if hasattr(attn_obj, name):
                delattr(attn_obj, name)


def check_my_forward_core(
    answer: Callable[[nn.Module], Callable[..., Any]], *, sizes: tuple[tuple[int, int, int], ...] = MY_FORWARD_SIZES
) -> None:
    """Exercise 3, the core task: as :func:`check_my_forward` (no mask, an additive float mask, ``is_causal``
    alone and with a mask, detached maps, the gradient, dropout in training mode), except that a boolean
    ``attn_mask`` may be refused with a clear error (one naming the mask) instead of applied. Applied, it must be
    right; added as 0/1 (section 5's float path pasted unchanged) fails with a message naming that slip."""
    _check_my_forward(answer, sizes, boolean_refusable=True)
    passed(
        "your my_forward takes timm's attn_mask and is_causal, applies a float mask, refuses (or applies) what it "
        "does not handle, changes nothing and stores both maps. Optional: exercise 3b applies a boolean mask."
    )


def check_my_forward(
    answer: Callable[[nn.Module], Callable[..., Any]], *, sizes: tuple[tuple[int, int, int], ...] = MY_FORWARD_SIZES
) -> None:
    """Check ``answer(attn_obj) -> my_forward``, installed as ``attn_obj.forward = my_forward`` on the
    last block of timm-shaped models (``sizes``: ``(dim, heads, patches)``) with two special tokens.

    The blocks call ``self.attn(x, attn_mask=..., is_causal=...)`` as timm 1.0.26 does, with no mask,
    an additive float mask and a boolean one (True = may attend): the model's output must not change,
    and ``my_forward`` must store ``attn_obj.attn_map`` ``(B, heads, N, N)`` (the softmax weights) and
    ``attn_obj.cls_attn_map`` (the class token's attention to the patches, ``(B, heads, N - 2)``).
    With ``is_causal=True`` (alone or with a mask) it must raise an error or compute the causal attention, never
    ignore it. (Exercise 3b; exercise 3's core task is :func:`check_my_forward_core`.)
    """
    _check_my_forward(answer, sizes, boolean_refusable=False)
    passed(
        "your my_forward takes timm's attn_mask (additive or boolean) and is_causal, "
        "changes nothing and stores both maps."
    )


def _fixed_head_width(error: BaseException | None, sizes: tuple[tuple[int, int, int], ...]) -> tuple[int, int] | None:
    """A head width hard-coded in a reshape of q, k, v (review r27c minor 6b; r35a minor 2: any fixed width, e.g.
    the lesson's own 16): ``(fixed, right)`` when the failed shape ends in a size that is not the head width of the
    case whose tensor it was (found by the tensor's size), else None."""
    found = re.search(r"shape '\[([-\d, ]+)\]' is invalid for input of size (\d+)", str(error))
    if not isinstance(error, RuntimeError) or found is None:
        return None
    shape = [int(size) for size in found.group(1).split(",")]
    numel = int(found.group(2))
    for dim, heads, patches in sizes:  # the check's batch is 3 and each case has 2 + patches tokens
        if (
            len(shape) >= 4
            and numel in (3 * (2 + patches) * dim, 9 * (2 + patches) * dim)
            and shape[-1] != dim // heads
        ):
            return shape[-1], dim // heads
    return None


@contextmanager
def _head_width_named(sizes: tuple[tuple[int, int, int], ...]) -> Iterator[None]:
    """Names a head width hard-coded in the learner's reshape, e.g. 64 or 16: the reshape raised with that
    width last in its shape, and the case's heads are not that wide."""
    try:
        yield
    except ExerciseFailed as failure:
        cause = failure.__context__
        fixed = _fixed_head_width(cause, sizes)
        if fixed is not None:
            fail(
                f"your function raised RuntimeError: {_first_line(cause)}. A head width fixed at {fixed[0]}? This "
                f"case's heads are {fixed[1]} wide: the head width is C // attn_obj.num_heads (attn_obj.head_dim "
                f"in timm), not {fixed[0]}"
            )
        raise


def _check_my_forward(
    answer: Callable[[nn.Module], Callable[..., Any]], sizes: tuple[tuple[int, int, int], ...], boolean_refusable: bool
) -> None:
    """The checks of exercises 3 and 3b; ``boolean_refusable``: a clear refusal of a boolean mask passes (3)."""
    with _head_width_named(sizes):
        _check_my_forward_sizes(answer, sizes, boolean_refusable)


def _check_my_forward_sizes(
    answer: Callable[[nn.Module], Callable[..., Any]], sizes: tuple[tuple[int, int, int], ...], boolean_refusable: bool
) -> None:
    """The checks of :func:`_check_my_forward`, size by size."""
    _check_factory(
        answer, "check_my_forward_core(make_my_forward)" if boolean_refusable else "check_my_forward(make_full_forward)"
    )
    ran = False  # has my_forward returned on a case yet? After that, the stub's message is a refusal
    for index, (dim, heads, patches) in enumerate(sizes):
        model = _TinyTimmModel(dim, heads, seed=index).eval()
        tokens = torch.randn(3, 2 + patches, dim, generator=torch.Generator().manual_seed(index + 1))
        attn_obj = model.blocks[-1].attn
        for what, mask in _masks(3, 2 + patches, seed=index):
            expected_output, expected_map = _reference_run(model, tokens, mask)
            my_forward = attempt(answer, attn_obj)
            if not callable(my_forward):
                fail(f"return the function my_forward itself (got a {type(my_forward).__name__})")
            _check_signature(my_forward)
            boolean = mask is not None and mask.dtype == torch.bool
            if boolean and boolean_refusable and _boolean_refused(model, my_forward, tokens, mask, ran):
                continue
            if boolean and not boolean_refusable:
                _refuses_boolean_in_3b(model, my_forward, tokens, mask)
            given = None if mask is None else mask.clone()  # the caller's mask, to compare after the run
            with _refusals_named(lambda message, what=what: _refused(what, message), ran_before=ran):
                _check_returns_tensor(my_forward, model, tokens, mask, what)
                attn_obj.forward = my_forward
                try:
                    with torch.no_grad():
                        output = attempt(model, tokens, attn_mask=mask, is_causal=False)
                finally:
                    del attn_obj.forward  # the class's forward again
            ran = True
            _check_mask_unchanged(mask, given, what)
            if not close(output, expected_output):
                added = (
                    boolean
                    and boolean_refusable
                    and close(as_tensor(output), _run(model, _variant(attn_obj, mask="added"), tokens, mask))
                )
                if added:
                    fail(_CORE_BOOLEAN_ADDED)
                _diagnose(model, as_tensor(output), tokens, mask, what)
            _check_attn_map(getattr(attn_obj, "attn_map", None), expected_map, what)
            _check_cls_map(getattr(attn_obj, "cls_attn_map", None), expected_map)
            for name in ("attn_map", "cls_attn_map"):
                if hasattr(attn_obj, name):
                    delattr(attn_obj, name)
        _check_is_causal(model, answer, tokens)
        _check_causal_with_mask(model, answer, tokens, _masks(3, 2 + patches, seed=index)[1][1])
        _check_detached(model, answer, tokens)
        _check_gradient(model, answer, tokens)
        _check_dropout(model, answer, tokens)
        for name in ("attn_map", "cls_attn_map"):
            if hasattr(attn_obj, name):
                delattr(attn_obj, name)

"""Checkers for lesson 05, where the gradients for q, k and v come from.

Every checker compares the learner's answer with autograd on random inputs (float64), and when
the answer is wrong it looks for the usual slips (a missing term, a missing transpose, a sum over
the wrong axis or not over the batch) to say what went wrong.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import attention_backward, gradient_experiments, gradient_hooks
from ..block import Block
from ..parameters import parameter_places
from ..vit import ViT
from . import ExerciseNotAttempted, _tolerance, _type_name, as_tensor, attempt, close, fail, forbid, passed

_DTYPE = torch.float64

#: Exercises 1-3 derive gradients by hand: autograd (in any form) and the package's backward are refused.
_NO_AUTOGRAD = forbid(
    torch.autograd.grad,
    torch.autograd.backward,
    "torch.autograd.functional",
    "torch._functorch",
    torch._softmax_backward_data,
    attention_backward.softmax_backward,
    attention_backward.attention_backward,
    attention_backward.HandAttention,
    attention_backward.hand_attention,
    attention_backward.qkv_gradient_by_hand,
    reason="the gradient by hand, from the formula (not autograd),",
)
# the op behind torch._softmax_backward_data, called as torch.ops.aten._softmax_backward_data(.default): refused,
# named torch._softmax_backward_data (the shared alias table, exercises._TORCH_ALIASES, does not list this op)
_NO_AUTOGRAD._ops["aten::_softmax_backward_data"] = "torch._softmax_backward_data"

#: a shape error of matmul or broadcasting (the kind a .T on a batched tensor causes)
_SIZE_MISMATCH = re.compile(r"must match the size|Expected size|cannot be multiplied|size mismatch|shape mismatch")
#: broadcasting's error: two batch axes differ, as after a transpose that moved an axis into the batch
_BATCH_AXES_MISMATCH = re.compile(r"must match the size of tensor b \(\d+\) at non-singleton dimension")
_BATCH_HINT = (
    "If it works on one (N, N) matrix: transpose only the last two axes, with .transpose(-2, -1) or .mT, not "
    "fixed axes such as .transpose(0, 1); .T reverses every axis of a batched tensor"
)


def _call(
    answer: Callable[..., object], *args: object, batch_hint: bool = False, seen: dict | None = None
) -> torch.Tensor:
    """Call the learner's function (autograd refused); report crashes and non-tensor results as failures.

    The learner gets clones: an answer that writes into its inputs cannot change the tensors the checker
    compares with and names slips from. ``seen`` (a dict), if given, records ``"numpy"`` (the result was a
    NumPy array or a Python list: "a NumPy array" / "a Python list", else "") and ``"changed"`` (the
    positions of the inputs the answer wrote into, even with the same values).
    """
    originals = args
    args = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)
    shapes = ", ".join(str(tuple(a.shape)) for a in args if isinstance(a, torch.Tensor))
    warn_always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # .T on a batch warns once per process otherwise: record it on every call
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)  # .T on a batch warns; the checker explains instead

        def hint(error: Exception) -> str:
            """The inputs' shapes; the .T tail only for a size mismatch after a .T on a batched tensor, or for
            batch axes that no longer match (moved by a transpose), not for a product like x @ x."""
            used_t = any(".T" in str(w.message) and "dimension other than 2" in str(w.message) for w in caught)
            moved = (used_t and _SIZE_MISMATCH.search(str(error))) or _BATCH_AXES_MISMATCH.search(str(error))
            tail = f" {_BATCH_HINT}" if batch_hint and moved else ""
            return f"That was on inputs of shapes {shapes}.{tail}"

        try:
            result = _NO_AUTOGRAD(answer, *args, hint=hint)
        finally:
            torch.set_warn_always(warn_always)
    if isinstance(result, tuple) and any(isinstance(item, torch.Tensor) for item in result):
        items = "1 item" if len(result) == 1 else f"{len(result)} items"
        fail(
            f"your function returned a tuple of {items}, not a tensor: return the "
            "one tensor itself (a trailing comma in `return dv,` or `return dv, a` makes a tuple)"
        )
    if seen is not None:
        kind = (
            "a NumPy array"
            if isinstance(result, (np.ndarray, np.generic))
            else "a Python list"
            if isinstance(result, (list, tuple))
            else ""
        )
        seen["numpy"] = seen.get("numpy", "") or kind
        changed = [
            i
            for i, (before, after) in enumerate(zip(originals, args, strict=True))
            if isinstance(before, torch.Tensor) and (after._version > 0 or not torch.equal(before, after))
        ]  # _version counts in-place writes, even one that keeps the values (g.mul_(1.0))
        seen["changed"] = sorted(set(seen.get("changed", [])) | set(changed))
    if not isinstance(result, (torch.Tensor, np.ndarray, list, tuple)):  # every answer here is a matrix, never a number
        fail(f"your function's result is a {_type_name(result)}; return a torch.Tensor (a numpy array also works)")
    tensor = as_tensor(result, "your function's result")
    if tensor.is_complex():  # a gradient of real inputs is real: name it rather than cast it (and warn)
        fail(f"your function's result is complex ({str(tensor.dtype).removeprefix('torch.')}): return a real tensor")
    return tensor


def _refuse_in_place(seen: dict, names: tuple[str, ...], example: str | dict[str, str]) -> None:
    """Fail if the answer wrote into any of its inputs (``seen["changed"]`` from :func:`_call`), whose
    names are ``names``; ``example`` is such a write, e.g. ``"grad_a.mul_(a)"``, or ``{name: write}`` so the
    message's example names the argument that was written to."""
    if seen.get("changed"):
        which = " and ".join(names[i] for i in seen["changed"])
        if isinstance(example, dict):
            example = " or ".join(example[names[i]] for i in seen["changed"])
        fail(
            f"the values are right, but your function changed its input {which} in place (e.g. {example}): the "
            "caller's tensor is overwritten. Build the result in a new tensor instead"
        )


def _right_per_matrix(answer: Callable[..., object], args: tuple[torch.Tensor, ...], expected: torch.Tensor) -> bool:
    """True if ``answer`` is right on every single matrix of a batch (so only the batching is wrong)."""
    if expected.dim() <= 2:
        return False
    flat = [a.reshape(-1, *a.shape[-2:]) for a in args]
    wanted = expected.reshape(-1, *expected.shape[-2:])
    for i in range(wanted.shape[0]):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                result = answer(*(a[i].clone() for a in flat))
        except Exception:
            return False
        if not isinstance(result, torch.Tensor) or not close(result, wanted[i]):
            return False
    return True


_BATCH_MESSAGE = (
    "right for a single matrix but not for a batch of shape {shape}: make every operation act on the last "
    "axes (dim=-1, .transpose(-2, -1) or .mT), not on fixed axes or with .T, which reverses every axis"
)


def _softmax_case(shape: tuple[int, ...], seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    scores = (2 * torch.randn(shape, generator=generator, dtype=_DTYPE)).requires_grad_()
    a = torch.softmax(scores, dim=-1)
    grad_a = torch.randn(shape, generator=generator, dtype=_DTYPE)
    (expected,) = torch.autograd.grad(a, scores, grad_a)
    return a.detach(), grad_a, expected


def _softmax_jacobian_slips(result: torch.Tensor, a: torch.Tensor, grad_a: torch.Tensor) -> None:
    """Reject a softmax backward that drops or misplaces part of the Jacobian, naming the slip."""
    weighted = (grad_a * a).sum(dim=-1, keepdim=True)
    if close(result, grad_a):
        fail(
            "you returned grad_a unchanged: the softmax sits between the scores and the weights, so its "
            "Jacobian (diag(a) - a a^T, row by row) must be applied to grad_a"
        )
    if close(result, a * (1 - a) * grad_a):
        fail(
            "a * (1 - a) * grad_a is the sigmoid's derivative, the diagonal of the softmax Jacobian alone. "
            "Every a_ij also depends on every other score in its row: that term is missing."
        )
    if close(result, a * (grad_a - (grad_a * a).sum())):
        fail(
            "the sum runs over every axis (one number for the whole tensor): softmax normalises each row, "
            "so sum over the last axis only, (grad_a * a).sum(dim=-1, keepdim=True)."
        )
    if close(result, a * grad_a):
        fail(
            "you kept only the diagonal of the softmax Jacobian (a * grad_a). Every a_ij also depends on "
            "every other score in its row, through the normalising sum; that term is missing."
        )
    if a.shape[-1] == a.shape[-2] and close(result, (a * (grad_a - weighted)).mT):
        fail(
            "your result is transposed (row i holds what belongs in column i): the gradient has the scores' "
            "layout, one row per query, so apply the row-wise formula without a final .T or .mT"
        )
    if a.shape[-1] == a.shape[-2] and (
        close(result, a @ (grad_a - weighted)) or close(result, (grad_a - weighted) @ a)
    ):
        fail(
            "you multiplied a and (grad_a - rowsum) as matrices (@): the formula is entry by entry, "
            "a * (grad_a - (grad_a * a).sum(-1, keepdim=True)), each a_ij times its own bracket entry"
        )
    if a.shape[-1] == a.shape[-2]:
        _stray_transpose_slip(result, a, grad_a)
    if a.shape[-1] == a.shape[-2] and close(result, a * (grad_a - (grad_a * a).sum(dim=-2, keepdim=True))):
        fail(
            "the sum runs over the wrong axis (a column, not a row). Softmax normalises each row over the "
            "keys, the last axis, so the correction term is one number per row."
        )
    if a.shape[-1] == a.shape[-2] and close(result, a * (grad_a - weighted.squeeze(-1).unsqueeze(-2))):
        fail(
            "each row's sum ended up along the wrong axis (a row sum without keepdim=True broadcasts across "
            "the columns): every entry of row i must use row i's own sum."
        )


def _stray_transpose_slip(result: torch.Tensor, a: torch.Tensor, grad_a: torch.Tensor) -> None:
    """Reject the row-wise formula with a stray .T (or .mT) on a or grad_a in one or more places, naming where."""
    for flips in itertools.product((False, True), repeat=4):
        if not any(flips):
            continue
        a_1, g_1, g_2, a_2 = (t.mT if flip else t for t, flip in zip((a, grad_a, grad_a, a), flips, strict=True))
        if close(result, a_1 * (g_1 - (g_2 * a_2).sum(dim=-1, keepdim=True))):
            places = (
                "the a in front",
                "the grad_a in the bracket",
                "the grad_a in the row sum",
                "the a in the row sum",
            )
            where = " and ".join(place for place, flip in zip(places, flips, strict=True) if flip)
            fail(
                f"a stray .T: your result is the row-wise formula a * (grad_a - (grad_a * a).sum(-1, keepdim=True)) "
                f"with {where} transposed. Nothing is transposed in a softmax backward: every tensor keeps the "
                "scores' layout, one row per query"
            )
    if close(result, a * (grad_a - (grad_a * a).sum(dim=-1, keepdim=True)).mT):
        fail(
            "a stray .T: your result is a * (grad_a - (grad_a * a).sum(-1, keepdim=True)) with the whole bracket "
            "transposed. Nothing is transposed in a softmax backward: the bracket keeps the scores' layout, "
            "one row per query, like a"
        )


def _softmax_row_sum_slips(result: torch.Tensor, a: torch.Tensor, grad_a: torch.Tensor, expected: torch.Tensor) -> None:
    """Reject a softmax backward that gets the row sum, the factor a or the sign wrong, naming the slip."""
    weighted = (grad_a * a).sum(dim=-1, keepdim=True)
    if a.shape[-1] == a.shape[-2] and (
        close(result, a * grad_a - a * (a @ grad_a.mT)) or close(result, a * grad_a - (grad_a @ a.mT) * a)
    ):
        fail(
            "a^T g is one number per row: (grad_a * a).sum(-1, keepdim=True), not a matrix product. "
            "a @ grad_a.mT (or grad_a @ a.mT) mixes row i with every other row j; each row needs only "
            "its own dot product"
        )
    tokens = a.shape[-1]
    if close(result, (grad_a - grad_a.mean(dim=-1, keepdim=True)) / tokens):
        fail(
            "that is the uniform-A approximation from section 4 (every weight about 1/N): it holds only while the "
            "attention is nearly uniform. Use a itself, entry by entry and in the row's weighted sum."
        )
    if close(result, a * (grad_a - (grad_a * a).mean(dim=-1, keepdim=True))):
        fail(
            "you took the mean of grad_a * a along the row instead of its sum: the chain rule adds up the "
            "contributions of every weight in the row (sum, not mean)."
        )
    if close(result, a * (grad_a - grad_a.mean(dim=-1, keepdim=True))):
        fail(
            "you subtracted the plain mean of grad_a along the row; the correction is weighted by a: "
            "each grad_a entry counts with its attention weight, (grad_a * a).sum(-1, keepdim=True)."
        )
    if close(result, a * (grad_a - grad_a.sum(dim=-1, keepdim=True))):
        fail("the row sum must weight each grad_a entry by its attention weight a; yours sums grad_a alone.")
    if close(result, grad_a - weighted):
        fail("close: the bracket is right, but the whole expression must still be multiplied by a, entry by entry.")
    if close(result, -expected):
        fail("the sign is flipped: check the order of the two terms in the bracket.")


def _softmax_shape_slips(
    answer: Callable[..., object], result: torch.Tensor, a: torch.Tensor, grad_a: torch.Tensor, expected: torch.Tensor
) -> None:
    """Fail with what went wrong: the result of exercise 1 does not have the inputs' shape."""
    shape = tuple(expected.shape)
    if _right_per_matrix(answer, (a, grad_a), expected):
        fail(_BATCH_MESSAGE.format(shape=shape))
    got = tuple(result.shape)
    if result.numel() > 1 and bool((result == result.flatten()[0]).all()):
        fail(
            f"your function returns a constant (every entry {result.flatten()[0].item():.3g}, shape {got}), whatever "
            "a and grad_a are: compute dL/ds from them, with their shape"
        )
    hint = " (keep the summed axis with keepdim=True?)" if got[:-1] == shape[:-1] or got == shape[:-1] else ""
    fail(
        f"for a and grad_a of shape {shape} the gradient with respect to the scores must have that shape too, "
        f"got {got}{hint}."
    )


def _softmax_constant_slip(
    answer: Callable[..., object], result: torch.Tensor, shape: tuple[int, ...], seed: int
) -> None:
    """Exercise 1: fail if ``answer`` gives the same result for a second, different ``(a, grad_a)`` of this shape."""
    a, grad_a, _ = _softmax_case(shape, seed=seed + 100)
    other = _call(answer, a, grad_a)
    if other.shape == result.shape and torch.equal(other.to(result.dtype), result):
        what = "every entry 0" if not result.any() else "the same tensor for two different inputs"
        fail(
            f"your function returns a constant ({what}), whatever a and grad_a are: compute dL/ds from them, "
            "with their shape"
        )


_ASSUMES_SQUARE = (
    "right on the square inputs {cases}, wrong on the non-square {shape}: your answer assumes a square (N, N) "
    "matrix. The keys axis (the last, {shape[1]} here) can be longer than the queries axis ({shape[0]}): each row "
    "runs over a.shape[-1] keys, and there are a.shape[-2] rows"
)


def _square_only_slip(result: torch.Tensor, cases: list[tuple[int, ...]], index: int) -> None:
    """Exercise 1: fail naming the square assumption if case ``index`` is the non-square one and ``result`` is
    wrong there, with the inputs' shape or a square (N, N) one (the square cases come first, and it passed them)."""
    shape = cases[index]
    got = tuple(result.shape)
    if shape[-1] == shape[-2] or (got != shape and got[-2:] not in ((shape[-2],) * 2, (shape[-1],) * 2)):
        return
    square = "" if got == shape else f" (your result has shape {got})"
    fail(_ASSUMES_SQUARE.format(shape=shape, cases=" and ".join(str(c) for c in cases[:index])) + square)


def _slip_searches(*searches: tuple) -> None:
    """Run each slip search ``(function, *arguments)`` in turn; a shape error inside one (a candidate that cannot
    broadcast with these inputs) means "not this slip", never a traceback from the checker's own code."""
    for search, *arguments in searches:
        try:
            search(*arguments)
        except ExerciseNotAttempted:
            raise
        except RuntimeError:
            continue


def check_softmax_backward(softmax_backward: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Exercise 1: ``softmax_backward(a, grad_a) -> grad_s`` for ``a = softmax(s, dim=-1)``."""
    cases = [(6, 6), (2, 3, 5, 5), (4, 7)]
    seen: dict = {}
    for index, shape in enumerate(cases):
        a, grad_a, expected = _softmax_case(shape, seed=index)
        result = _call(softmax_backward, a, grad_a, batch_hint=a.dim() > 2, seen=seen)
        if result.shape != expected.shape:
            _square_only_slip(result, cases, index)
            _softmax_shape_slips(softmax_backward, result, a, grad_a, expected)
        if close(result, expected):
            if result.dtype != expected.dtype and result.is_floating_point():  # float32 or float16 returned directly
                seen["precision"] = str(result.dtype).removeprefix("torch.")
            continue
        if _float32_right(result, expected):  # computed in float32, cast back: right to float32's precision
            seen["precision"] = "float32"
            continue
        if _sixteen_bit_right(result, expected):  # computed in float16, cast back: the 16-bit tolerance, as returned
            seen["precision"] = str(_sixteen_bit(result)).removeprefix("torch.")
            continue
        _square_only_slip(result, cases, index)
        _low_precision_slip(result, expected)
        _slip_searches(
            (_softmax_constant_slip, softmax_backward, result, shape, index),
            (_softmax_jacobian_slips, result, a, grad_a),
            (_softmax_row_sum_slips, result, a, grad_a, expected),
            (_softmax_summed_jacobian_slip, result, expected),
            (_sign_or_constant_slip, result, expected, "dL/ds"),
        )
        if _right_per_matrix(softmax_backward, (a, grad_a), expected):
            fail(_BATCH_MESSAGE.format(shape=shape))
        error = _max_error(result, expected)
        fail(f"the result differs from autograd's for inputs of shape {shape} (largest error {error})")
    only_a = seen.get("changed") == [0]  # name the example after the input that was written into
    _refuse_in_place(seen, ("a", "grad_a"), "a.mul_(...) or a -= ..." if only_a else "grad_a -= ... or grad_a.mul_(a)")
    note = (
        f" Note that you returned {seen['numpy']}: the checker accepts it, but a backward pass inside PyTorch "
        "returns a torch.Tensor (NumPy arrays and lists drop autograd and the GPU), so prefer torch operations."
        if seen["numpy"]
        else ""
    )
    if seen.get("precision"):
        name = seen["precision"]
        tolerance = SIXTEEN_BIT_TOLERANCE if name in ("float16", "bfloat16") else f"{name}'s tolerance"
        note += (
            f" Your result is right to {name}'s precision, not float64's: it was computed in {name} somewhere; "
            f"the checker accepts that (checked at {tolerance})."
        )
    passed(
        "your softmax backward equals autograd's on square, batched and non-square inputs. "
        "Note the Jacobian diag(a) - a a^T is symmetric, so the row-wise product needs no transpose." + note
    )


_RTOL_16, _ATOL_16 = _tolerance(torch.float16)
#: Exercise 1's one rule for 16-bit answers, named by its pass note and its slip message alike
SIXTEEN_BIT_TOLERANCE = f"the 16-bit tolerance, {_RTOL_16:g} relative and {_ATOL_16:g} absolute"


def _sixteen_bit(result: torch.Tensor) -> torch.dtype | None:
    """The 16-bit float ``result`` is in, or was computed in and cast back from (every entry exact in it; bfloat16
    first: within float16's range its values are float16 values too); else None."""
    if result.dtype in (torch.float16, torch.bfloat16):
        return result.dtype
    if not result.is_floating_point() or not result.any():
        return None
    exact = (t for t in (torch.bfloat16, torch.float16) if torch.equal(result.to(t).to(result.dtype), result))
    return next(exact, None)


def _sixteen_bit_right(result: torch.Tensor, expected: torch.Tensor) -> bool:
    """Right to 16-bit precision: computed in float16 or bfloat16, then cast back (as if returned in that dtype)."""
    low = _sixteen_bit(result) if result.shape == expected.shape else None
    return low is not None and close(result.to(low), expected)


def _low_precision_slip(result: torch.Tensor, expected: torch.Tensor) -> None:
    """Exercise 1: fail naming the dtype if ``result`` was computed in a 16-bit float and is right to within a few
    of its rounding steps (bfloat16 keeps 8 bits), but outside ``SIXTEEN_BIT_TOLERANCE``, the rule a 16-bit answer
    passes by (its pass note names the same rule)."""
    low = _sixteen_bit(result) if result.shape == expected.shape else None
    if low is None:
        return
    if (result.to(_DTYPE) - expected).abs().max() < 0.02 * expected.abs().max():
        name = str(low).removeprefix("torch.")
        fail(
            f"your result was computed in {name}; it is outside {SIXTEEN_BIT_TOLERANCE} (largest error "
            f"{_max_error(result, expected)}): compute in the inputs' dtype (float64 here; float32 and float16 also "
            "pass)"
        )


def _float32_right(result: torch.Tensor, expected: torch.Tensor) -> bool:
    """Right to float32 precision: an answer computed in float32, then cast back to float64."""
    return result.shape == expected.shape and result.is_floating_point() and close(result.to(torch.float32), expected)


def _zero_to_rounding(result: torch.Tensor, expected: torch.Tensor) -> bool:
    """Is ``result`` zero to rounding everywhere (not exact zeros), against an ``expected`` that is not?"""
    if result.shape != expected.shape or not result.is_floating_point() or not result.any():
        return False
    return result.abs().max().item() < 1e-6 * expected.abs().max().item()


def _softmax_summed_jacobian_slip(result: torch.Tensor, expected: torch.Tensor) -> None:
    """Fail if ``result`` cancels to rounding noise: the Jacobian summed over a row, not multiplied (exercise 1)."""
    if _zero_to_rounding(result, expected):
        fail(
            "your dL/ds is zero to rounding everywhere: each row of diag(a) - a a^T sums to 0, so summing the "
            "Jacobian gives nothing. Multiply it by grad_a (or use the row-wise formula)"
        )


def _sign_or_constant_slip(result: torch.Tensor, expected: torch.Tensor, name: str) -> None:
    """Fail naming a flipped sign or a constant factor, if ``result`` is ``c * expected`` for one number ``c``."""
    if result.shape != expected.shape or not result.is_floating_point() or not expected.any() or not result.any():
        return  # an all-zero answer is not "a constant times autograd's"
    if _zero_to_rounding(result, expected):
        return  # nor is rounding noise (a factor of about 1e-17 names no real slip)
    if close(result, -expected):
        fail(f"your {name} has autograd's size but the opposite sign: a minus sign is extra or missing")
    factor = ((result.to(_DTYPE) * expected).sum() / (expected * expected).sum()).item()
    if abs(factor - 1) > 1e-3 and f"{factor:.3g}" != "1" and close(result, factor * expected):
        fail(
            f"your {name} is autograd's times a constant ({factor:.3g}): a factor such as the scale s, N or 2 "
            "is extra or missing"
        )


def _constant_answer_slip(
    answer: Callable[..., object], args: tuple[torch.Tensor, ...], result: torch.Tensor, name: str
) -> None:
    """Fail if ``answer`` gives the same ``result`` for other inputs of these shapes (a constant or memoised answer)."""
    other = _call(answer, *(t.flip(-1) * 1.5 + 0.25 for t in args))
    if other.shape == result.shape and torch.equal(other.to(result.dtype), result):
        what = "every entry 0" if not result.any() else "the same tensor for two different inputs"
        fail(f"your function returns a constant {name} ({what}), whatever its inputs are: compute it from them")


def _max_error(result: torch.Tensor, expected: torch.Tensor) -> str:
    return f"{(result.to(_DTYPE) - expected).abs().max().item():.3g}"


def _attention_case(
    batch: tuple[int, ...], tokens: int, width: int, head: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random ``x (..., N, D)``, attention weights ``a (..., N, N)``, ``W_v (d, D)`` and ``grad_out (..., N, d)``."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(*batch, tokens, width, generator=generator, dtype=_DTYPE)
    a = torch.softmax(2 * torch.randn(*batch, tokens, tokens, generator=generator, dtype=_DTYPE), dim=-1)
    w_v = torch.randn(head, width, generator=generator, dtype=_DTYPE)
    grad_out = torch.randn(*batch, tokens, head, generator=generator, dtype=_DTYPE)
    return x, a, w_v, grad_out


def check_value_gradient(value_gradient: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Exercise 2: ``value_gradient(a, grad_out) -> dV`` for ``out = a @ v``."""
    cases = [((), 5, 4), ((3,), 6, 4), ((2, 2), 4, 3)]
    seen: dict = {}
    for index, (batch, tokens, head) in enumerate(cases):
        _, a, _, grad_out = _attention_case(batch, tokens, 1, head, seed=10 + index)
        v = torch.randn(*batch, tokens, head, dtype=_DTYPE, requires_grad=True)
        (expected,) = torch.autograd.grad(a @ v, v, grad_out)
        result = _call(value_gradient, a, grad_out, batch_hint=a.dim() > 2, seen=seen)
        if batch and result.shape == expected.shape[-2:] and close(result, expected.sum(dim=tuple(range(len(batch))))):
            fail("you summed dV over the batch axes: V holds one (N, d) matrix per image and head, so dV keeps them")
        if result.shape != expected.shape:
            if _right_per_matrix(value_gradient, (a, grad_out), expected):
                fail(_BATCH_MESSAGE.format(shape=tuple(a.shape)))
            transposed = " (transposed: d and N swapped)" if result.shape == expected.mT.shape else ""
            fail(
                f"dV must have the shape of V, (..., N, d) = {tuple(expected.shape)} here; got "
                f"{tuple(result.shape)}{transposed}"
            )
        if close(result, expected):
            continue
        if close(result, a @ grad_out):
            fail(
                "this is A @ dOut. Row j of V is used by every query i, with weight A_ij: its gradient must "
                "collect over the first index of A (the queries), not the second."
            )
        if tokens == head and close(result, expected.mT):
            fail("your dV is transposed: it must have V's layout, one row per token (N, d)")
        if close(result, grad_out):
            fail("you returned dOut itself as dV: the values reach the output through the attention weights A")
        if close(result, a.sum(dim=-2).unsqueeze(-1) * grad_out):
            fail(
                "this scales dOut_j, row j's own output gradient, by the column sum of A: dV_j collects A_ij dOut_i "
                "from every query i, each with its own dOut_i"
            )
        if close(result * tokens, expected):
            fail("you divided by N (a mean over the queries): each query's contribution to a value row adds up")
        if _right_per_matrix(value_gradient, (a, grad_out), expected):
            fail(_BATCH_MESSAGE.format(shape=tuple(a.shape)))
        _constant_answer_slip(value_gradient, (a, grad_out), result, "dV")
        _sign_or_constant_slip(result, expected, "dV")
        fail(
            f"dV differs from autograd's for A of shape {tuple(a.shape)} (largest error {_max_error(result, expected)})"
        )
    writes = {  # the example names the input written into (r35a minor 10)
        "a": "a.transpose_(-2, -1) @ grad_out: use a.mT, a new view",
        "grad_out": "grad_out.copy_(a.mT @ grad_out)",
    }
    _refuse_in_place(seen, ("a", "grad_out"), writes)
    passed("dV = A^T dOut: each value row collects the gradient of every query that attended to it.")


def _check_w_v_shape(
    result: torch.Tensor, expected: torch.Tensor, batch: tuple[int], tokens: int, width: int, head: int
) -> None:
    """Fail with what went wrong unless ``result`` has ``W_v``'s shape ``(d, D)`` (exercise 3)."""
    shape = (batch[0], tokens, width)
    if tuple(result.shape) == (*batch, head, width):
        images = "the one image" if batch[0] == 1 else f"all {batch[0]} images"
        fail(
            f"one W_v is shared by {images} of the batch: its gradient is one (d, D) matrix, the images' "
            f"contributions added up (summed over the batch axis, even when it has length 1); "
            f"got {tuple(result.shape)}"
        )
    if tuple(result.shape) == (width, head) and width != head:
        fail(
            f"the shape is transposed: W_v is stored like an nn.Linear weight, (d, D) = {(head, width)}, "
            f"and V = x @ W_v.T; got {tuple(result.shape)}"
        )
    if result.shape != expected.shape:
        fail(f"dW_v must have W_v's shape (d, D) = {(head, width)} for x of shape {shape}; got {tuple(result.shape)}")


def _diagnose_w_v_values(
    result: torch.Tensor,
    expected: torch.Tensor,
    x: torch.Tensor,
    a: torch.Tensor,
    grad_out: torch.Tensor,
) -> None:
    """Fail with what went wrong: ``result`` has the right shape but not autograd's values (exercise 3)."""
    batch_size, tokens = x.shape[0], x.shape[1]
    if close(result, expected.T):
        fail(
            "you returned the transpose of dW_v (d == D here, so the shape could not tell): V = x @ W_v.T, "
            "so the gradient has the layout of W_v, not of W_v.T"
        )
    _reshape_slip(result, expected, "dW_v")
    if close(result, torch.einsum("bnd,bne->de", a @ grad_out, x)):
        fail(
            "the attention weights enter the wrong way round: dV uses the weights of every query that "
            "attended to a value row (a sum over A's first index)."
        )
    if batch_size > 1 and close(result * batch_size * tokens, expected):
        fail("you averaged over the images and the tokens: gradients of a shared weight add up (a sum, not a mean).")
    if batch_size > 1 and close(result * batch_size, expected):
        fail("you averaged over the images; gradients of a shared weight add up (the loss decides any averaging).")
    if close(result * tokens, expected):
        fail("you averaged over the tokens; every token's contribution to the shared W_v adds up (a sum, not a mean).")
    root = grad_out.shape[-1] ** 0.5
    if close(result * root, expected) or close(result, expected * root):
        fail(
            "you scaled by sqrt(d) or 1/sqrt(d): that scale sits inside the scores, before the softmax; "
            "the route from W_v to the output, A (x W_v^T), has no scale"
        )
    if close(result, torch.einsum("bnd,bne->de", grad_out, x)):
        fail(
            "you used dOut as if it were dV: the values reach the output through the attention weights, so "
            "first take dOut back through A (exercise 2), then to W_v."
        )
    if batch_size > 1 and close(result, (a[0].T @ grad_out[0]).T @ x[0]):
        fail("only the first image counted: W_v is shared by every image of the batch, so add up all of theirs.")
    _sign_or_constant_slip(result, expected, "dW_v")
    fail(f"dW_v differs from autograd's for x of shape {tuple(x.shape)} (largest error {_max_error(result, expected)})")


def check_w_v_gradient(w_v_gradient: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Exercise 3: ``w_v_gradient(x, a, grad_out) -> dW_v`` for ``out = a @ (x @ W_v.T)``.

    ``x``: ``(B, N, D)``, ``a``: ``(B, N, N)``, ``grad_out``: ``(B, N, d)``; the answer has the shape of
    ``W_v``, ``(d, D)`` (an ``nn.Linear`` weight), summed over the batch.
    """
    cases = [((4,), 7, 6, 4), ((1,), 5, 6, 3), ((3,), 5, 4, 4)]  # a real batch first, then B = 1
    seen: dict = {}
    for index, (batch, tokens, width, head) in enumerate(cases):
        x, a, w_v, grad_out = _attention_case(batch, tokens, width, head, seed=20 + index)
        w_v.requires_grad_()
        (expected,) = torch.autograd.grad(a @ (x @ w_v.T), w_v, grad_out)
        result = _call(w_v_gradient, x, a, grad_out, batch_hint=True, seen=seen)
        _check_w_v_shape(result, expected, batch, tokens, width, head)
        if not close(result, expected):
            _constant_answer_slip(w_v_gradient, (x, a, grad_out), result, "dW_v")
            _diagnose_w_v_values(result, expected, x, a, grad_out)
    writes = {"x": "x.mul_(1.0)", "a": "a.transpose_(-2, -1)", "grad_out": "grad_out.mul_(1.0)"}
    _refuse_in_place(seen, ("x", "a", "grad_out"), writes)
    passed("dW_v = dV^T x summed over tokens and images, with dV = A^T dOut. No softmax on this route.")


def _w_q_scale_slip(result: torch.Tensor, expected: torch.Tensor, tokens: int, width: int, head: int) -> None:
    """Fail if ``result`` is ``expected`` with the score scale 1/sqrt(d) missing, misplaced or doubled (exercise 4);
    the messages give the scores' formula, not dQ's."""
    root = head**0.5
    if width != head and close(result, expected * root / width**0.5):
        fail(
            f"you scaled by 1/sqrt(D), the model width (D = {width}); the scores use the head width d = k.shape[-1] "
            f"(d = {head} here): S = Q K^T / sqrt(d)"
        )
    if tokens != head and close(result, expected * root / tokens**0.5):
        fail(
            f"you scaled by 1/sqrt(N), the number of tokens (x.shape[1] = {tokens}); the scores use the head "
            f"width d = k.shape[-1] (d = {head} here): S = Q K^T / sqrt(d)"
        )
    if close(result, expected * root):
        fail(
            f"the scale is missing: the scores are S = Q K^T / sqrt(d) (d = {head} here). Which factor does that "
            "put between Q and S, and so on the way back from dS to dQ?"
        )
    if close(result, expected * head):
        fail(
            f"you multiplied by sqrt(d), but the scores S = Q K^T / sqrt(d) divide by it (d = {head} here): "
            "which way does that factor go on the way back?"
        )
    if close(result, expected / root):
        fail(
            f"the scale is applied twice (or you divided by d): S = Q K^T / sqrt(d) holds 1/sqrt(d) once "
            f"(d = {head} here); how many times does the chain rule from dS to dQ pick it up?"
        )


def _reshape_slip(result: torch.Tensor, expected: torch.Tensor, name: str) -> None:
    """Fail if ``result`` is ``expected.T`` (D, d) forced into (d, D) by a reshape or view (exercises 3, 4, 5)."""
    head, width = expected.shape
    upstream = "d" + name[-1].upper()  # dV, dQ or dK
    if head != width and close(result, expected.T.contiguous().reshape(head, width)):
        fail(
            f"reshape reorders the entries: X^T {upstream} is (D, d), and .reshape(d, D) (or .view) refills it "
            f"row by row, it does not transpose it. Transpose instead (.T or .mT), or compute {name} = "
            f"{upstream}^T X directly"
        )


def _dq_reshape_slip(result: torch.Tensor, x: torch.Tensor, k: torch.Tensor, grad_scores: torch.Tensor) -> None:
    """Fail if dQ (B, N, d) was forced into (B, d, N) by a reshape or view before ``@ x`` (exercise 4)."""
    batch_size, tokens, _ = x.shape
    head = k.shape[-1]
    d_q = grad_scores @ k / head**0.5
    if tokens != head and close(result, (d_q.reshape(batch_size, head, tokens) @ x).sum(0)):
        fail(
            "reshape reorders the entries: dQ is (B, N, d), and .reshape(B, d, N) (or .view) refills it row by "
            "row, it does not transpose it. Transpose it instead (dQ.mT or .transpose(-2, -1)) before @ x"
        )


def _diagnose_w_q(
    result: torch.Tensor, expected: torch.Tensor, x: torch.Tensor, k: torch.Tensor, grad_scores: torch.Tensor
) -> None:
    """Fail with what went wrong in ``w_q_gradient`` (exercise 4)."""
    batch_size, tokens, width = x.shape
    head = k.shape[-1]
    root = head**0.5
    if tuple(result.shape) == (batch_size, head, width):
        fail(
            "one W_q is shared by every image of the batch: its gradient is one (d, D) matrix, the images' "
            f"contributions added up (summed over the batch axis, even when it has length 1); got {tuple(result.shape)}"
        )
    if tuple(result.shape) == (batch_size, tokens, head):
        fail("this has dQ's shape (B, N, d): one step is left, from dQ to the weight, dW_q = dQ^T X (d, D)")
    if tuple(result.shape) == (width, head) and width != head:
        fail(
            f"the shape is transposed: X^T dQ is (D, d); W_q is stored like an nn.Linear weight, (d, D) = "
            f"{(head, width)}, and Q = x @ W_q.T, so dW_q = dQ^T X; got {tuple(result.shape)}"
        )
    if result.shape != expected.shape:
        fail(
            f"dW_q must have W_q's shape (d, D) = {(head, width)} for x of shape {tuple(x.shape)}; "
            f"got {tuple(result.shape)}"
        )
    _reshape_slip(result, expected, "dW_q")
    _dq_reshape_slip(result, x, k, grad_scores)
    if close(result, expected.T):
        fail(
            "you returned the transpose of dW_q (d == D here, so the shape could not tell): X^T dQ is laid out "
            "like W_q.T; W_q itself is (d, D), so dW_q = dQ^T X"
        )
    _w_q_scale_slip(result, expected, tokens, width, head)
    if close(result, torch.einsum("bnd,bne->de", grad_scores.mT @ k, x) / root):
        fail(
            "you used dS^T (the keys' pattern, a column of dS); W_q needs the queries' gradient dQ, which is "
            "s dS K, a row of dS"
        )
    if batch_size > 1 and close(result * batch_size, expected):
        fail("you averaged over the images; gradients of a shared weight add up (the loss decides any averaging).")
    if close(result * tokens, expected):
        fail("you averaged over the tokens; every token's contribution to the shared W_q adds up (a sum, not a mean).")
    if batch_size > 1 and close(result, (grad_scores[0] @ k[0]).T @ x[0] / root):
        fail("only the first image counted: W_q is shared by every image of the batch, so add up all of theirs.")
    _fixed_head_width_slip(result, expected, head)
    _sign_or_constant_slip(result, expected, "dW_q")
    fail(f"dW_q differs from autograd's for x of shape {tuple(x.shape)} (largest error {_max_error(result, expected)})")


def _fixed_head_width_slip(result: torch.Tensor, expected: torch.Tensor, head: int, source: str = "k") -> None:
    """Fail if ``result`` is ``expected`` scaled by 1/sqrt(d') for a fixed whole d' other than this case's d
    (``source``: the input whose last axis is d, k in exercise 4, q in exercise 5)."""
    if result.shape != expected.shape or not result.is_floating_point() or not expected.any():
        return
    factor = ((result.to(_DTYPE) * expected).sum() / (expected * expected).sum()).item()
    fixed = head / factor**2 if factor > 0 else 0.0  # the head width a hard-coded 1/sqrt(d') implies
    if close(result, factor * expected) and 1.5 < fixed < 4097 and abs(fixed - round(fixed)) < 1e-6:
        fail(
            f"the scale must use this case's d = {source}.shape[-1] (d = {head} here); your answer scales by "
            f"1/sqrt({round(fixed)}): a fixed head width fails here"
        )


def check_w_q_gradient(w_q_gradient: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Exercise 4: ``w_q_gradient(x, k, grad_scores) -> dW_q`` for ``S = (x @ W_q.T) @ k^T / sqrt(d)``.

    ``x``: ``(B, N, D)``, ``k``: ``(B, N, d)``, ``grad_scores`` = dL/dS: ``(B, N, N)``; the answer has the
    shape of ``W_q``, ``(d, D)``, summed over the batch.
    """
    cases = [(4, 5, 6, 3), (1, 6, 5, 2), (3, 4, 4, 4)]  # B, N, D, d: a real batch, B = 1, then d == D
    seen: dict = {}
    for index, (batch_size, tokens, width, head) in enumerate(cases):
        generator = torch.Generator().manual_seed(60 + index)
        x = torch.randn(batch_size, tokens, width, generator=generator, dtype=_DTYPE)
        k = torch.randn(batch_size, tokens, head, generator=generator, dtype=_DTYPE)
        grad_scores = torch.randn(batch_size, tokens, tokens, generator=generator, dtype=_DTYPE)
        w_q = torch.randn(head, width, generator=generator, dtype=_DTYPE, requires_grad=True)
        (expected,) = torch.autograd.grad((x @ w_q.T) @ k.mT / head**0.5, w_q, grad_scores)
        result = _call(w_q_gradient, x, k, grad_scores, batch_hint=True, seen=seen)
        if not close(result, expected):
            _constant_answer_slip(w_q_gradient, (x, k, grad_scores), result, "dW_q")
            _diagnose_w_q(result, expected, x, k, grad_scores)
    _refuse_in_place(seen, ("x", "k", "grad_scores"), "grad_scores.mul_(s): use grad_scores * s")
    passed("dQ = dS K / sqrt(d), then dW_q = dQ^T X summed over tokens and images: W_q learns only through the scores.")


def _w_k_shape_slips(result: torch.Tensor, expected: torch.Tensor, x: torch.Tensor, q: torch.Tensor) -> None:
    """Fail if ``w_k_gradient``'s answer has a wrong shape, naming which (exercise 5)."""
    batch_size, tokens, width = x.shape
    head = q.shape[-1]
    if tuple(result.shape) == (batch_size, head, width):
        fail(
            "one W_k is shared by every image of the batch: its gradient is one (d, D) matrix, the images' "
            f"contributions added up (summed over the batch axis, even when it has length 1); got {tuple(result.shape)}"
        )
    if tuple(result.shape) == (batch_size, tokens, head):
        fail("this has dK's shape (B, N, d): one step is left, from dK to the weight W_k (d, D)")
    if tuple(result.shape) == (width, head) and width != head:
        fail(
            f"the shape is transposed: W_k is stored like an nn.Linear weight, (d, D) = {(head, width)}, "
            f"and K = x @ W_k.T; got {tuple(result.shape)}"
        )
    if result.shape != expected.shape:
        fail(
            f"dW_k must have W_k's shape (d, D) = {(head, width)} for x of shape {tuple(x.shape)}; "
            f"got {tuple(result.shape)}"
        )


def _diagnose_w_k(
    result: torch.Tensor, expected: torch.Tensor, x: torch.Tensor, q: torch.Tensor, grad_scores: torch.Tensor
) -> None:
    """Fail with what went wrong in ``w_k_gradient`` (exercise 5)."""
    _w_k_shape_slips(result, expected, x, q)
    batch_size, tokens, width = x.shape
    head = q.shape[-1]
    root = head**0.5
    _reshape_slip(result, expected, "dW_k")
    if close(result, expected.T):
        fail("you returned the transpose of dW_k (d == D here, so the shape could not tell): W_k is (d, D)")
    if close(result, torch.einsum("bnd,bne->de", grad_scores @ q, x) / root):
        fail(
            "this is the queries' pattern, dS Q: key j is S's second index (S_ij = s q_i . k_j), so key j "
            "collects from every query i, from a column of dS, not a row"
        )
    if width != head and close(result, expected * root / width**0.5):
        fail(f"you scaled by 1/sqrt(D), the model width (D = {width}); the scores use the head width d = {head}")
    if tokens != head and close(result, expected * root / tokens**0.5):
        fail(f"you scaled by 1/sqrt(N), the number of tokens (N = {tokens}); the scores use the head width d = {head}")
    if close(result, expected * root):
        fail(f"the scale is missing: S = Q K^T / sqrt(d) multiplies every path through the scores (d = {head} here)")
    if close(result, expected * head):
        fail(f"you multiplied by sqrt(d) where S divides by it (d = {head} here)")
    if close(result, expected / root):
        fail(f"the scale is applied twice (or you divided by d): once is enough (d = {head} here)")
    if batch_size > 1 and close(result * batch_size, expected):
        fail("you averaged over the images; gradients of a shared weight add up (the loss decides any averaging).")
    if close(result * tokens, expected):
        fail("you averaged over the tokens; every token's contribution to the shared W_k adds up (a sum, not a mean).")
    if batch_size > 1 and close(result, (grad_scores[0].mT @ q[0]).T @ x[0] / root):
        fail("only the first image counted: W_k is shared by every image of the batch, so add up all of theirs.")
    _fixed_head_width_slip(result, expected, head, "q")
    _sign_or_constant_slip(result, expected, "dW_k")
    fail(f"dW_k differs from autograd's for x of shape {tuple(x.shape)} (largest error {_max_error(result, expected)})")


def check_w_k_gradient(w_k_gradient: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Exercise 5: ``w_k_gradient(x, q, grad_scores) -> dW_k`` for ``S = q @ (x @ W_k.T)^T / sqrt(d)``.

    ``x``: ``(B, N, D)``, ``q``: ``(B, N, d)``, ``grad_scores`` = dL/dS: ``(B, N, N)``; the answer has the
    shape of ``W_k``, ``(d, D)``, summed over the batch. Section 4 gives dQ, not dK: this is a derivation.
    """
    cases = [(4, 5, 6, 3), (1, 6, 5, 2), (3, 4, 4, 4)]  # B, N, D, d: a real batch, B = 1, then d == D
    seen: dict = {}
    for index, (batch_size, tokens, width, head) in enumerate(cases):
        generator = torch.Generator().manual_seed(70 + index)
        x = torch.randn(batch_size, tokens, width, generator=generator, dtype=_DTYPE)
        q = torch.randn(batch_size, tokens, head, generator=generator, dtype=_DTYPE)
        grad_scores = torch.randn(batch_size, tokens, tokens, generator=generator, dtype=_DTYPE)
        w_k = torch.randn(head, width, generator=generator, dtype=_DTYPE, requires_grad=True)
        (expected,) = torch.autograd.grad(q @ (x @ w_k.T).mT / head**0.5, w_k, grad_scores)
        result = _call(w_k_gradient, x, q, grad_scores, batch_hint=True, seen=seen)
        if not close(result, expected):
            _constant_answer_slip(w_k_gradient, (x, q, grad_scores), result, "dW_k")
            _diagnose_w_k(result, expected, x, q, grad_scores)
    _refuse_in_place(seen, ("x", "q", "grad_scores"), "grad_scores.mul_(s): use grad_scores * s")
    passed(
        "dK = dS^T Q / sqrt(d): each key collects from every query, down a column of dS; then dW_k = dK^T X "
        "summed over tokens and images. Like W_q, W_k learns only through the scores."
    )


#: Exercise 6 asks module by module: the three LayerNorms apart, since norm1 and the final norm are in question.
PARTS = ("embeddings", "norm1", "qkv", "proj", "norm2", "mlp", "final norm", "head")

#: What exercise 6 freezes: every block's attention (qkv and proj) and the head.
FROZEN = ("qkv", "proj", "head")

#: other ways to write a part's name (after lower-casing and turning "_", "-" and "." into spaces)
_ALIASES = {
    "embedding": "embeddings",
    "norm 1": "norm1",
    "ln1": "norm1",
    "norm 2": "norm2",
    "ln2": "norm2",
    "final": "final norm",
    "finalnorm": "final norm",
    "final layernorm": "final norm",
    "final layer norm": "final norm",
    "encoder norm": "final norm",
    "attn qkv": "qkv",
    "attn proj": "proj",
    "mlps": "mlp",
    "patch embedding": "embeddings",
    "patch embeddings": "embeddings",
    "patch embed": "embeddings",
}

_AMBIGUOUS = {
    "norms": "'norms' covers three LayerNorms here: say for each one, norm1, norm2 and final norm",
    "norm": "'norm' could be any of the three LayerNorms: say for each one, norm1, norm2 and final norm",
    "layernorm": "'layernorm' could be any of the three: say for each one, norm1, norm2 and final norm",
    "attn": "attention has two parts with weights here: say for qkv and proj separately",
    "attention": "attention has two parts with weights here: say for qkv and proj separately",
}


def _module_part(name: str, part: str) -> str:
    """The exercise's part of parameter ``name`` (whose :func:`parameter_places` part is ``part``)."""
    if part != "norms":
        return part
    if ".norm1." in name:
        return "norm1"
    if ".norm2." in name:
        return "norm2"
    return "final norm"


def _parts_with_gradient(seed: int = 0) -> set[str]:
    """The parts of a small ViT whose gradient is non-zero after one backward pass with every block's
    attention and the head frozen."""
    generator = torch.Generator().manual_seed(seed)
    torch_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    model = ViT(8, patch_size=2, num_classes=10, dim=16, depth=2, heads=2, mlp_dim=32, channels=1)
    torch.random.set_rng_state(torch_state)
    for block in model.blocks:
        block.attn.requires_grad_(False)
    model.head.requires_grad_(False)
    images = torch.randn(4, 1, 8, 8, generator=generator)
    F.cross_entropy(model(images), torch.arange(4)).backward()
    places = parameter_places(model)
    return {
        _module_part(name, places[name].part)
        for name, p in model.named_parameters()
        if p.grad is not None and p.grad.abs().sum() > 0
    }


_WHY_MISSING = {
    "norm1": "norm1 does get a gradient. It feeds nothing but the frozen attention, but does a frozen layer stop "
    "the gradient from passing *through* it to its input?",
    "final norm": "the final norm does get a gradient. It feeds nothing but the frozen head, but backward still "
    "runs through the head's (fixed) weights to the class token",
    "embeddings": "the embeddings do get a gradient: with attention frozen, the residual stream still carries the "
    "gradient down to the bottom (and through every frozen layer too)",
    "mlp": "the MLPs do get a gradient: they are not frozen, and the gradient reaches each one along the "
    "residual stream",
    "norm2": "norm2 does get a gradient: it feeds the MLP, which is not frozen (and even a frozen MLP would pass "
    "the gradient through)",
}

_WHY_EXTRA = {
    part: f"{part} is frozen: requires_grad_(False) means its parameters get no gradient at all (p.grad is None)"
    for part in FROZEN
}


def _part_name(part: object) -> str:
    """A part's name as the exercise spells it (``"Final_Norm"`` -> ``"final norm"``); unknown names kept."""
    if not isinstance(part, str):
        fail(f"name each part with a string such as 'qkv', got {_type_name_of(part)} {part!r}")
    key = " ".join(part.strip().lower().replace("_", " ").replace("-", " ").replace(".", " ").split())
    if key in _AMBIGUOUS:
        fail(_AMBIGUOUS[key])
    key = _ALIASES.get(key, key)
    return key.replace(" ", "") if key.replace(" ", "") in PARTS else key


def _type_name_of(value: object) -> str:
    return type(value).__name__


def _is_bool(value: object) -> bool:
    if isinstance(value, torch.Tensor):
        return value.numel() == 1 and (value.dtype == torch.bool or value.item() in (0, 1))
    if isinstance(value, (bool, np.bool_)):
        return True
    return isinstance(value, (int, float, np.integer, np.floating)) and value in (
        0,
        1,
    )  # 1 / 0 / 1.0 / 0.0 as True / False


def _same_part_twice(raw: list, names: list[str]) -> None:
    """Refuse two spellings of one part ({'mlp', 'MLP'}): the names are case-insensitive."""
    for i, name in enumerate(names):
        for j in range(i):
            if names[j] == name and raw[j] != raw[i]:
                first, second = sorted((raw[j], raw[i]))
                fail(
                    f"{first!r} and {second!r} both name the part {name!r} (names are case-insensitive and '_' "
                    "counts as a space): keep one of the two."
                )


def _answer_parts(answer: object) -> set[str]:
    """The parts an answer says get a gradient: a collection of names, or a dict ``{part: True/False}``."""
    if isinstance(answer, Mapping):
        wrong = [(key, value) for key, value in answer.items() if not _is_bool(value)]
        if wrong:
            key, value = wrong[0]
            fail(
                "a dict answer maps each part to True (gets a gradient) or False (or 1 / 0); "
                f"got {value!r} for {key!r}. "
                "Or return just the set of parts that get one."
            )
        named = [(_part_name(key), bool(value)) for key, value in answer.items()]
        _same_part_twice(list(answer), [name for name, _ in named])
        if len({name for name, _ in named}) != len(named):
            fail("the dict names one part twice (written two ways): name each part once")
        parts = {name for name, value in named if value}
        unknown = sorted(name for name, _ in named if name not in PARTS)
    else:
        if isinstance(answer, str) or not isinstance(answer, Iterable):
            fail(
                f"return a set of part names such as {{'head', 'qkv'}} (or a dict {{part: True/False}}), "
                f"not {_type_name_of(answer)}"
            )
        raw = list(answer)
        names = [_part_name(part) for part in raw]
        _same_part_twice(raw, names)
        if len(set(names)) != len(names):
            fail("each part should be named once: return a set of part names")
        parts = set(names)
        unknown = sorted(name for name in parts if name not in PARTS)
    if unknown:
        fail(f"unknown part name(s) {unknown}; choose from {list(PARTS)}")
    return parts


def check_frozen_attention_parts(parts_with_gradient: Callable[[], object]) -> None:
    """Exercise 6: which parts of a ViT get a non-zero gradient when every block's attention and the head are frozen?

    ``parts_with_gradient()`` returns the names from :data:`PARTS` that get one (a set, list, or any
    collection; names as written there, any case, ``_`` for a space), or a dict ``{part: True/False}``
    (a part left out counts as False).
    """
    answer = _answer_parts(attempt(parts_with_gradient))
    truth = _parts_with_gradient()
    if not answer:
        fail(
            f"you named no part, but {len(truth)} parts still get a gradient: a frozen layer keeps none for its own "
            "weights, yet passes the gradient through to its input"
        )
    for part in FROZEN:
        if part in answer and part not in truth:
            fail(_WHY_EXTRA[part])
    missing = [part for part in PARTS if part in truth and part not in answer]
    for part in ("norm1", "final norm", "embeddings", "norm2", "mlp"):
        if part in missing:
            fail(_WHY_MISSING[part])
    if answer != truth:
        fail(f"{sorted(answer - truth)} should not be in the set")
    passed(
        "with attention and the head frozen, every other part still gets a gradient, norm1 and the final norm "
        "included: a frozen layer passes the gradient through to its input, it only keeps none for its own weights."
    )


# --- exercise 7: cut the skip routes ------------------------------------------------------------------

#: Exercise 7 writes the cut itself: the package's context manager that does it is refused.
_NO_PACKAGE_CUT = forbid(
    gradient_hooks.cut_mlp_route.__wrapped__,
    reason="the cut written by hand with detach() (not the package's cut_mlp_route),",
)

_CUT_CASES = ((12, 3, 20, 2, 5), (16, 4, 40, 3, 7), (8, 2, 24, 1, 4))  # dim, heads, mlp_dim, B, N


def _cut_reference(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Both skip connections cut: the gradient reaches h only through the MLP, x only through attention."""
    h = x.detach() + block.attn(block.norm1(x))
    return h.detach() + block.mlp(block.norm2(h))


_FREEZE_MESSAGE = (
    "you froze the MLP (requires_grad_(False)): freezing stops no route, the gradient still runs along both "
    "skip connections, and the MLP loses its own gradient"
)
_FREEZE_BLOCK_MESSAGE = (
    "you froze the whole block (requires_grad_(False)): a frozen block keeps no weight gradient, and the skips "
    "still carry the gradient to x. Freezing decides which weights learn, not where the gradient flows"
)


def _cut_slips() -> dict[str, Callable[[nn.Module, torch.Tensor], torch.Tensor]]:
    """Plausible wrong cuts, each with the message that names it (checked in this order)."""

    def mlp_route(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
        h = x + block.attn(block.norm1(x))
        return h + block.mlp(block.norm2(h.detach()))

    def mlp_skip_only(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
        h = x + block.attn(block.norm1(x))
        return h.detach() + block.mlp(block.norm2(h))

    def attention_skip_only(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
        h = x.detach() + block.attn(block.norm1(x))
        return h + block.mlp(block.norm2(h))

    def branch_inputs(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
        h = x + block.attn(block.norm1(x.detach()))
        return h + block.mlp(block.norm2(h.detach()))

    def branch_outputs(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
        h = x + block.attn(block.norm1(x)).detach()
        return h + block.mlp(block.norm2(h)).detach()

    def whole_h(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
        h = (x + block.attn(block.norm1(x))).detach()
        return h + block.mlp(block.norm2(h))

    def frozen(part: str) -> Callable[[nn.Module, torch.Tensor], torch.Tensor]:
        def run(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
            module = block.mlp if part == "mlp" else block
            flags = [p.requires_grad for p in module.parameters()]
            module.requires_grad_(False)
            try:
                return block(x)
            finally:
                for p, flag in zip(module.parameters(), flags, strict=True):
                    p.requires_grad_(flag)

        return run

    return {
        "nothing is cut: the gradient still runs along both skip connections. Which terms of the two sums "
        "should be detached copies?": lambda b, x: b(x),
        "this is section 5's cut, of the route through the MLP: here the MLP route stays and the skip "
        "routes go, the opposite": mlp_route,
        "the skip around the MLP is cut, but the skip around attention still carries the gradient straight "
        "to x: there are two sums in the block": mlp_skip_only,
        "the skip around attention is cut, but the skip around the MLP still carries the gradient straight "
        "to h: there are two sums in the block": attention_skip_only,
        "you detached the branches' inputs: that cuts the routes through attention and the MLP, the ones to "
        "keep. Detach the term that bypasses each branch": branch_inputs,
        "you detached the branches' outputs: the branches' weights lose their gradient, and the skips stay": (
            branch_outputs
        ),
        "you detached all of h: nothing reaches attention any more, and x gets no gradient. Detach only the "
        "term of each sum that bypasses a branch": whole_h,
        _FREEZE_MESSAGE: frozen("mlp"),
        _FREEZE_BLOCK_MESSAGE: frozen("block"),
    }


def _refuse_non_tensor(result: object) -> None:
    """Exercise 7: fail unless ``result`` is a torch.Tensor (backward needs the output's history)."""
    if not isinstance(result, torch.Tensor):
        fail(
            f"your function's result is a {_type_name(result)}: return the block's output as a torch.Tensor: "
            "backward needs its history, and a NumPy array or list has none"
        )


def _cut_gradients(
    fn: Callable[[nn.Module, torch.Tensor], torch.Tensor], block: nn.Module, x: torch.Tensor, grad_out: torch.Tensor
) -> dict[str, torch.Tensor | None] | None:
    """The gradients of ``x`` and of every parameter of ``block`` for ``fn(block, x)``; None if it has none."""
    x = x.detach().clone().requires_grad_()
    out = fn(block, x)
    _refuse_non_tensor(out)
    if not out.requires_grad:
        return None
    names = ["x", *(name for name, _ in block.named_parameters())]
    tensors = [x, *block.parameters()]
    wanted = [t for t in tensors if t.requires_grad]  # a frozen parameter has no gradient (None), not an error
    try:
        grads = iter(torch.autograd.grad(out, wanted, grad_out, allow_unused=True))
    except RuntimeError as error:
        if "inplace" not in str(error):
            raise
        fail(
            "an in-place add (+=) overwrote a tensor that backward needs (a detached copy shares the original's "
            "memory, so changing it in place changes the saved tensor too): add out of place, a + b"
        )
    return {name: next(grads) if t.requires_grad else None for name, t in zip(names, tensors, strict=True)}


def _same_gradients(
    a: Mapping[str, torch.Tensor | None] | None,
    b: Mapping[str, torch.Tensor | None] | None,
    dtype: torch.dtype = _DTYPE,
) -> bool:
    """The same gradients (None counts as 0), compared at ``dtype``'s tolerance (the answer's output dtype)."""
    if a is None or b is None:
        return a is b
    for name, grad in a.items():
        other = b[name]
        zero_a = grad is None or not grad.any()
        zero_b = other is None or not other.any()
        if zero_a or zero_b:
            if zero_a != zero_b:
                return False
        elif not close(grad.to(dtype), other):
            return False
    return True


def _cut_case(index: int) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    dim, heads, mlp_dim, batch, tokens = _CUT_CASES[index]
    torch_state = torch.random.get_rng_state()
    torch.manual_seed(50 + index)
    block = Block(dim, heads, mlp_dim).to(_DTYPE)
    torch.random.set_rng_state(torch_state)
    generator = torch.Generator().manual_seed(60 + index)
    x = torch.randn(batch, tokens, dim, generator=generator, dtype=_DTYPE)
    grad_out = torch.randn(batch, tokens, dim, generator=generator, dtype=_DTYPE)
    return block, x, grad_out


def _hooks_left(block: nn.Module) -> bool:
    return any(
        module._forward_pre_hooks or module._forward_hooks or module._backward_hooks for module in block.modules()
    )


def _loosely_same_gradients(a: Mapping[str, torch.Tensor | None], b: Mapping[str, torch.Tensor | None]) -> bool:
    """Exercise 7: every gradient of ``a`` within 5 % of ``b``'s largest entry (None counts as 0): a right cut
    computed in too coarse a dtype, not a cut in the wrong place."""
    for name, grad in a.items():
        other = b[name]
        if grad is None or other is None:
            if (grad is not None and grad.any()) or (other is not None and other.any()):
                return False
            continue
        if (grad.to(other.dtype) - other).abs().max() > 5e-2 * other.abs().max():
            return False
    return True


def _refuse_freeze(block: nn.Module, flags: dict[str, bool]) -> None:
    """Exercise 7: fail if the answer changed which of ``block``'s weights require a gradient (``flags``: before),
    after restoring them."""
    frozen = [name for name, p in block.named_parameters() if p.requires_grad != flags[name]]
    if frozen:
        for name, p in block.named_parameters():
            p.requires_grad_(flags[name])
        mlp = all(name.startswith("mlp.") for name in frozen)
        whole = len(frozen) == len(flags)
        named = f"your function froze {', '.join(frozen[:3])} (requires_grad_(False))"
        fail(
            (_FREEZE_MESSAGE if mlp else _FREEZE_BLOCK_MESSAGE if whole else named)
            + ". Those weights are still frozen now that your function has returned. A cut changes only "
            "where the gradient flows, not which weights get one"
        )


def _refuse_changed_block(block: nn.Module, state: Mapping[str, torch.Tensor]) -> None:
    """Exercise 7: fail, naming it, if the answer changed the block's dtype (e.g. ``block.float()``) or its weights
    (``state``: a copy taken before the answer ran)."""
    now = block.state_dict()
    moved = sorted({str(p.dtype).removeprefix("torch.") for name, p in now.items() if p.dtype != state[name].dtype})
    if moved:
        fail(
            f"your function changed the block's dtype to {', '.join(moved)} (e.g. block.float()): the caller's block "
            "is changed. Leave the block as it is; the cut changes only the backward pass"
        )
    if any(not torch.equal(p, state[name]) for name, p in now.items()):
        fail("your function changed the block's weights: the cut changes only the backward pass")


def check_cut_block(block_with_cut: Callable[[nn.Module, torch.Tensor], torch.Tensor]) -> None:
    """Exercise 7: ``block_with_cut(block, x)`` computes a pre-norm ``Block``'s output with both skip routes cut:
    the same values as ``block(x)``; backward reaches h only through the MLP branch, x only through attention."""
    for index, (dim, _, _, batch, tokens) in enumerate(_CUT_CASES):
        block, x, grad_out = _cut_case(index)
        state = {name: p.detach().clone() for name, p in block.state_dict().items()}
        with torch.no_grad():  # built before the answer runs: an answer that changes the block cannot change these
            expected = block(x)
            h = x + block.attn(block.norm1(x))
        x_in = x.clone().requires_grad_()
        flags = {name: p.requires_grad for name, p in block.named_parameters()}
        raw = _NO_PACKAGE_CUT(block_with_cut, block, x_in)
        _refuse_non_tensor(raw)
        result = raw.detach()
        _refuse_freeze(block, flags)
        if _hooks_left(block):
            fail("your function left a hook on the block: remove it (handle.remove()) before returning")
        _refuse_changed_block(block, state)
        if result.shape != expected.shape:
            fail(f"the block's output has the shape of x, {(batch, tokens, dim)} here; got {tuple(result.shape)}")
        if not close(result, expected):
            if close(result, h):
                fail("the output is h alone: the MLP branch is missing. The cut keeps the forward pass as it is")
            if close(result, expected - h):
                fail("the output is the MLP branch alone: add it to the residual stream h")
            fail(
                "the output differs from block(x): the cut must not change the forward pass "
                "(detach() gives the same numbers, only without their history)"
            )
        expected_grads = _cut_gradients(_cut_reference, block, x, grad_out)
        got = _cut_gradients(lambda b, t: _NO_PACKAGE_CUT(block_with_cut, b, t), block, x, grad_out)
        if got is None:
            fail("your output has no gradient at all: you detached (or computed under no_grad) the whole output")
        precision = result.dtype if result.is_floating_point() else _DTYPE  # a float32 output: float32's tolerance
        if _same_gradients(got, expected_grads, precision):
            continue
        for message, slip in _cut_slips().items():
            if _same_gradients(got, _cut_gradients(slip, block, x, grad_out), precision):
                fail(message)
        if got["x"] is None:
            fail("x gets no gradient: the attention branch must stay attached to x")
        wrong = [
            name
            for name in expected_grads
            if not _same_gradients({name: got[name]}, {name: expected_grads[name]}, precision)
        ]
        dtype_note = (  # only where the dtype explains the miss: right to within 5 % (a 16-bit float, in practice)
            f" (your output is {str(result.dtype).removeprefix('torch.')}, x is float64: keep x's dtype)"
            if result.dtype != x.dtype and _loosely_same_gradients(got, expected_grads)
            else ""
        )
        fail(f"the gradients of {', '.join(wrong[:3])} differ from those with both skip routes cut{dtype_note}")
    passed(
        "the same forward pass, and backward takes no skip: h gets its gradient only through the MLP branch, x only "
        "through the attention branch, and every weight still gets one. Section 5 cut the other route, the MLP's."
    )


#: Exercise 8: (seed of small_digit_vit, block whose routes are asked for, batch size)
_ROUTE_CASES = ((0, 1, 8), (1, 3, 6), (2, 0, 5))

_NO_ROUTE_SHORTCUT = forbid(
    gradient_hooks.record_residual_routes.__wrapped__,  # its own code (a @contextmanager shares the wrapper's)
    gradient_experiments.route_norms,
    gradient_experiments.skip_over_mlp,
    reason="the two hooks (not the package's record_residual_routes)",
)


def _returned_handle_hint(error: Exception) -> str | None:
    """Exercise 8: a module hook whose lambda returns ``register_hook``'s handle hands that handle on as the
    module's input (a pre-hook) or output (a forward hook), and a later layer fails on it."""
    if isinstance(error, KeyError):  # e.g. grads["h"] read when the tensor hook never fired
        return (
            "A tensor hook that never fired leaves its key unset: is the hooked tensor on the path to the loss "
            "(not a detached copy), and did backward run before you read it?"
        )
    if "RemovableHandle" not in str(error):
        return None
    return (
        "A forward pre-hook that returns something replaces the input (a forward hook: the output); return None. "
        "A lambda returns its value: lambda m, i: i[0].register_hook(f) returns the hook's handle"
    )


def _route_case(index: int) -> tuple[ViT, torch.Tensor, torch.Tensor, int]:
    seed, block, batch = _ROUTE_CASES[index]
    torch_state = torch.random.get_rng_state()
    model = gradient_experiments.small_digit_vit(seed)
    torch.random.set_rng_state(torch_state)
    generator = torch.Generator().manual_seed(70 + index)
    images = torch.rand(batch, 1, 8, 8, generator=generator)
    labels = torch.randint(0, 10, (batch,), generator=generator)
    return model, images, labels, block


def _route_tensors(model: ViT, images: torch.Tensor, labels: torch.Tensor) -> list[dict[str, torch.Tensor]]:
    """Per block: the activations x, h, out and their gradients dx, dh, dout, and dn2 (at norm2's output)."""
    kept: list[dict[str, torch.Tensor]] = [{} for _ in model.blocks]
    handles = []
    for i, block in enumerate(model.blocks):

        def pre(module: nn.Module, inputs: tuple[torch.Tensor, ...], i: int = i) -> None:
            kept[i]["h"] = inputs[0].detach()
            inputs[0].register_hook(lambda g, i=i: kept[i].update(dh=g))

        def after_norm2(module: nn.Module, inputs: tuple, output: torch.Tensor, i: int = i) -> None:
            output.register_hook(lambda g, i=i: kept[i].update(dn2=g))

        def block_in(module: nn.Module, inputs: tuple[torch.Tensor, ...], i: int = i) -> None:
            kept[i]["x"] = inputs[0].detach()
            if inputs[0].requires_grad:
                inputs[0].register_hook(lambda g, i=i: kept[i].update(dx=g))

        def block_out(module: nn.Module, inputs: tuple, output: torch.Tensor, i: int = i) -> None:
            kept[i]["out"] = output.detach()
            output.register_hook(lambda g, i=i: kept[i].update(dout=g))

        handles += [
            block.norm2.register_forward_pre_hook(pre),
            block.norm2.register_forward_hook(after_norm2),
            block.register_forward_pre_hook(block_in),
            block.register_forward_hook(block_out),
        ]
    try:
        model.zero_grad(set_to_none=True)
        F.cross_entropy(model(images), labels).backward()
    finally:
        for handle in handles:
            handle.remove()
    model.zero_grad(set_to_none=True)
    return kept


def _ratio(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a.norm() / b.norm()).item()


def _route_slips(kept: list[dict[str, torch.Tensor]], block: int) -> dict[str, float]:
    """Plausible wrong ratios for ``block``, each keyed by the message that names it (checked in this order)."""
    t = kept[block]
    skip, mlp = t["dout"], t["dh"] - t["dout"]
    slips = {
        "you returned ||MLP branch|| / ||skip||: the ratio asked for is the other way up, skip over MLP branch": (
            _ratio(mlp, skip)
        ),
        "the hook on h sees both routes added (dL/dh = skip + MLP branch): the MLP branch's part is dL/dh - dL/dout; "
        "you divided by ||dL/dh|| itself": _ratio(skip, t["dh"]),
        "these are norms of activations (h, out and the branch out - h), not of gradients: the hook's argument, "
        "dL/dt, is what to keep": _ratio(t["h"], t["out"] - t["h"]),
        "these are norms of activations (out and the MLP branch out - h), not of gradients: the hook's argument, "
        "dL/dt, is what to keep": _ratio(t["out"], t["out"] - t["h"]),
    }
    if "dx" in t:
        slips[
            "one hook sits on the block's input x, not on h = x + attn(norm1(x)): dL/dx also holds the route back "
            "through attention. Hook h, the input of norm2"
        ] = _ratio(skip, t["dx"] - skip)
    slips["one hook sits on norm2's output (inside the MLP branch), not on h itself, the input of norm2"] = _ratio(
        skip, t["dn2"] - skip
    )
    for other in range(len(kept)):
        if other != block:
            o = kept[other]
            slips[f"these are block {other}'s routes, not block {block}'s (blocks count from 0)"] = _ratio(
                o["dout"], o["dh"] - o["dout"]
            )
    return slips


def check_route_ratio(route_ratio: Callable[[nn.Module, torch.Tensor, torch.Tensor, int], object]) -> None:
    """Exercise 8: ``route_ratio(model, images, labels, block) -> ||skip|| / ||MLP branch||`` at ``h`` of
    ``model.blocks[block]``, for one cross-entropy backward pass; compared with :func:`record_residual_routes`."""
    for index in range(len(_ROUTE_CASES)):
        model, images, labels, block = _route_case(index)
        with gradient_hooks.record_residual_routes(model) as routes:
            F.cross_entropy(model(images), labels).backward()
        model.zero_grad(set_to_none=True)
        skip = routes[block]["skip"]
        expected = _ratio(skip, routes[block]["total"] - skip)
        state = {name: p.detach().clone() for name, p in model.state_dict().items()}
        with warnings.catch_warnings():  # e.g. float() of a tensor that requires grad: not the learner's concern here
            warnings.simplefilter("ignore")
            answer = _NO_ROUTE_SHORTCUT(route_ratio, model, images, labels, block, hint=_returned_handle_hint)
        result = as_tensor(answer, "your function's result")
        if result.numel() != 1:
            fail(f"return one number, ||skip|| / ||MLP branch||; got a tensor of shape {tuple(result.shape)}")
        if _hooks_left(model):
            fail(
                "your function left a hook on the model: it would fire in every later forward pass. Keep each "
                "handle that register_..._hook returns and call handle.remove() before returning (or use try/finally)"
            )
        if any(not torch.equal(p, state[name]) for name, p in model.state_dict().items()):
            fail("your function changed the model's weights: recording gradients changes nothing")
        value = result.detach().to(_DTYPE).reshape(())
        if abs(value.item() / expected - 1) < 1e-4:
            continue
        kept = _route_tensors(model, images, labels)
        for message, wrong in _route_slips(kept, block).items():
            if abs(value.item() - wrong) < 1e-4 * abs(wrong):  # no division: a slip's ratio of 0 cannot raise
                fail(message)
        fail(
            f"your ratio ({value.item():.3g}) differs from record_residual_routes's in block {block} (two tensor "
            "hooks: dL/dh on h, dL/dout on out; the MLP branch's part is their difference)"
        )
    passed(
        "||skip|| / ||MLP branch|| equals record_residual_routes's in three models: two tensor hooks, one on h (both "
        "routes added) and one on out (the skip route alone), and the MLP branch's part is their difference."
    )

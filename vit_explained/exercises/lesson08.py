"""Checkers for lesson 08 (attention maps).

- :func:`check_record_outputs`: a forward hook that stores a module's output, detached, and is
  removed afterwards (also when the forward pass fails);
- :func:`check_rollout`: attention rollout of a list of ``(B, N, N)`` matrices, compared with
  :func:`vit_explained.attention_maps.attention_rollout`;
- :func:`check_class_token_grid`: the class token's attention to the patches, laid out on the
  patch grid, compared with :func:`vit_explained.attention_maps.class_token_attention`;
- :func:`check_chefer_rollout`: Chefer et al.'s gradient-weighted rollout, compared with
  :func:`vit_explained.attention_maps.gradient_weighted_rollout`;
- :func:`check_insertion_curve`: an insertion curve (the k top-scored patches put back into an all-zero
  image, the true label's probability), compared with :func:`vit_explained.attention_maps.insertion_areas`.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import math
import re
import textwrap
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from .. import attention_maps as _attention_maps_module
from ..attention import Attention
from ..attention_maps import (
    attention_rollout,
    capture_attention,
    class_token_attention,
    deletion_areas,
    deletion_curve,
    deletion_curves,
    gradient_weighted_rollout,
    insertion_areas,
    token_attention,
)
from . import ExerciseFailed, _display_name, as_tensor, attempt, close, fail, forbid, passed

__all__ = [
    "check_chefer_rollout",
    "check_class_token_grid",
    "check_insertion_curve",
    "check_max_fusion_top_patch",
    "check_record_outputs",
    "check_rollout",
]


#: Exercises 2, 3 and 5 rebuild the package's own functions.
_NO_ROLLOUT = forbid(attention_rollout, reason="attention rollout")
_NO_CHEFER = forbid(gradient_weighted_rollout, reason="Chefer et al.'s rollout")
_NO_CLASS_TOKEN_ATTENTION = forbid(class_token_attention, token_attention, reason="the class token's grid")


#: what turns a float64 answer into float32, per exercise: rollout builds an identity, the grid only indexes
_FLOAT32_CAUSES = {
    "rollout": "a torch.eye(N) without dtype=, a .float() or a float32 numpy array",
    "grid": "a .float(), a torch.zeros(...) or torch.empty(...) without dtype= filled in, or a float32 numpy array",
    "chefer": "a torch.eye(N) without dtype=, a .float() or a float32 numpy array",
}


def _keep_float64(got: torch.Tensor, dtype: torch.dtype, case: str, exercise: str) -> None:
    """Float64 inputs give a float64 answer (float32 inputs may give either): the exercises' text asks it."""
    if dtype == torch.float64 and got.dtype != torch.float64:
        fail(
            f"for {case}: your result is {str(got.dtype).replace('torch.', '')}, but the inputs are float64: keep "
            f"the inputs' dtype ({_FLOAT32_CAUSES[exercise]} turns the answer to float32 and drops about half of "
            "its digits)"
        )


def _hook_count(module: nn.Module, *, besides: int = 0) -> int:
    """Forward hooks on ``module`` other than the checker's own (``besides``, a handle id)."""
    return len([key for key in module._forward_hooks if key != besides])


class _Boom(RuntimeError):
    """Raised by the checker's forward pass to see whether the hook is removed anyway."""


_LATER_HOOK_GONE = (
    "your function removed a hook registered after yours (run() added one): _forward_hooks.popitem() takes the "
    "last one, not yours. Remove your own with its handle: handle.remove()"
)

_OTHERS_HOOKS_GONE = (
    "your function also removed a hook it did not register (someone else's hook on the module is gone: "
    "clearing module._forward_hooks removes everyone's hooks). Remove only your own, with the handle "
    "register_forward_hook returned: handle.remove()"
)


def _check_hook_left_output_alone(
    softmax: nn.Module,
    model_outputs: list[torch.Tensor],
    originals: list[tuple[torch.Tensor, bool]],
    calls: int,
    bystander: int,
    later: list[int],
    snapshots: list[torch.Tensor],
) -> None:
    """After ``record_outputs`` returned: no hook of its own left, other hooks kept (one registered
    before it and one registered while ``run()`` ran), ``run()`` called once, outputs untouched (same
    tensor, same values as ``snapshots``, copies taken before the learner's hook ran, still attached to the
    graph if it was)."""
    if bystander not in softmax._forward_hooks:
        fail(_OTHERS_HOOKS_GONE)
    if any(key not in softmax._forward_hooks for key in later):
        fail(_LATER_HOOK_GONE)
    if _hook_count(softmax, besides=bystander) != len(later):
        fail(
            "after your function returns, the hook is still registered on the module, so it keeps recording "
            "every later forward pass. register_forward_hook returns a handle: call handle.remove()"
        )
    if not model_outputs:
        fail("your function never called run(): call it once, after registering the hook and before removing it")
    if len(model_outputs) != calls:
        fail(f"call run() exactly once: the module should have run {calls} times, it ran {len(model_outputs)}")
    if any(out is not original for out, (original, _) in zip(model_outputs, originals, strict=True)):
        fail(
            "your hook changed the module's output: a forward hook that returns a value replaces the output. "
            "Store the detached copy in your list and return nothing from the hook"
        )
    changed = [not torch.equal(out.detach(), copy) for out, copy in zip(model_outputs, snapshots, strict=True)]
    if any(changed):
        rows_off = any(not close(out.detach().sum(-1), torch.ones(())) for out in model_outputs)
        fail(
            ("the rows no longer sum to 1: " if rows_off else "")
            + "your hook changed the output in place (an in-place op such as mul_(), add_() or a slice "
            "assignment on output): the model reads that same tensor next. Store output.detach().clone() "
            "if you want to change your copy, and leave the output itself alone"
        )
    if any(attached and not out.requires_grad for out, (_, attached) in zip(model_outputs, originals, strict=True)):
        fail(
            "your hook detached the module's own output in place (detach_()): the model's tensor lost its "
            "grad_fn, so backward() can no longer reach the layers before it. Store output.detach(), a new "
            "tensor, and leave the output itself alone"
        )


def _describe(value: object) -> str:
    """A one-line name for what a hook returned (never a tensor's multi-line repr)."""
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} item(s)"
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    return f"a {type(value).__name__}"


def _check_fresh_list(
    record_outputs: Callable[[nn.Module, Callable[[], Any]], list[torch.Tensor]], first: object
) -> None:
    """A second call returns a new list holding only its own outputs (not a list shared between calls)."""
    module = nn.Softmax(dim=-1)
    again = attempt(record_outputs, module, lambda: module(torch.randn(2, 3)))
    if again is first or (isinstance(again, (list, tuple)) and len(again) != 1):
        fail(
            "a second call of your function returned the first call's outputs too: the list outlives the call "
            "(a list made outside the function, a global, or a mutable default argument). Make a new list inside "
            "record_outputs on every call"
        )


def _check_stored_outputs(stored: object, expected: list[torch.Tensor], scores: list[torch.Tensor]) -> None:
    """The list ``record_outputs`` returned holds the module's outputs, detached, one per call."""
    if isinstance(stored, tuple):
        fail(
            "you returned a tuple: return the list your hook filled, as the exercise asks (a list, "
            "not tuple(...) of it)"
        )
    if not isinstance(stored, list):
        fail(f"return the list your hook filled, got {type(stored).__name__}")
    if len(stored) != len(expected):
        fail(
            f"run() calls the module {len(expected)} times, so the list should hold {len(expected)} outputs, "
            f"got {len(stored)}: append one tensor per call of the hook"
        )
    for index, (got, want, score) in enumerate(zip(stored, expected, scores, strict=True)):
        if isinstance(got, tuple):
            fail(
                f"item {index} is a tuple: a forward hook's second argument is the tuple of the module's inputs; "
                "its third argument is the output (register_forward_pre_hook calls hook(module, inputs) and never "
                "sees the output: use register_forward_hook)"
            )
        if not isinstance(got, torch.Tensor):
            fail(
                f"item {index} should be a torch tensor (the module's output, output.detach()), "
                f"got {type(got).__name__}: return a list of tensors"
            )
        if got.is_floating_point() and torch.finfo(got.dtype).bits < torch.finfo(want.dtype).bits:
            fail(
                f"item {index} is {str(got.dtype).replace('torch.', '')}, a lower precision than the module's "
                f"output ({str(want.dtype).replace('torch.', '')}): store output.detach() as it is, without "
                "converting it"
            )
        if close(got, score):
            fail(
                f"item {index} is the module's input (the scores going into the softmax), not its output: "
                "a forward hook is called as hook(module, inputs, output) (register_forward_pre_hook sees only "
                "the inputs: use register_forward_hook)"
            )
        if tuple(got.shape) == tuple(want.shape) and not close(got, want):
            fail(
                f"item {index} has the output's shape {tuple(want.shape)} but other values: your hook transformed "
                "the output (e.g. softmax applied again). Store output.detach() as it is"
            )
        if not close(got, want):
            fail(
                f"item {index} is not the module's output: expected shape {tuple(want.shape)} (B, heads, N, N) "
                f"with rows summing to 1, got shape {tuple(got.shape)}"
            )
        if got.requires_grad or got.grad_fn is not None:
            fail(
                f"item {index} is still attached to the autograd graph (it has a grad_fn): store output.detach(), "
                "or the list keeps every forward pass's graph alive in memory"
            )


def _check_removed_after_error(
    record_outputs: Callable[[nn.Module, Callable[[], Any]], list[torch.Tensor]],
    attention: Attention,
    tokens: torch.Tensor,
) -> None:
    """When ``run()`` raises, ``record_outputs`` lets the error through and still removes its hook."""
    softmax = attention.attend

    later: list[int] = []

    def failing_run() -> None:
        later.append(softmax.register_forward_hook(lambda *_: None).id)  # registered after the learner's hook
        attention(tokens)  # runs attention.attend, the explicit path
        raise _Boom("a forward pass that fails halfway")

    bystander = softmax.register_forward_hook(lambda *_: None)  # someone else's hook, which must survive
    propagated = False
    try:
        record_outputs(softmax, failing_run)
    except _Boom:
        propagated = True  # the learner's function let run()'s exception through, as it should
    except Exception as error:
        fail(f"when run() raises, your function raised {type(error).__name__} instead of letting run()'s error through")
    finally:
        others_kept = bystander.id in softmax._forward_hooks
        later_kept = all(key in softmax._forward_hooks for key in later)
        left = _hook_count(softmax, besides=bystander.id) - len(later)
        softmax._forward_hooks.clear()  # clean up (a fresh module, the checker's own) for the learner's next try
    if not others_kept:
        fail(_OTHERS_HOOKS_GONE)
    if not later_kept:
        fail(_LATER_HOOK_GONE)
    if left:
        fail(
            "when run() raises an exception, your hook stays registered. Put the call in try: ... finally: "
            "handle.remove() so the hook goes away whatever happens"
        )
    if not propagated and _returns_in_finally(record_outputs):
        fail(
            "when run() raises an exception, your function swallows it: a return inside finally cancels the "
            "exception. Put return after the try: ... finally: handle.remove() block, not inside finally"
        )
    if not propagated:
        fail(
            "when run() raises an exception, your function swallows it (an except that passes): the caller "
            "never learns the forward pass failed. Use try: ... finally: handle.remove() with no except, so "
            "the error goes on up after the hook is removed"
        )


def _returns_in_finally(function: Callable[..., Any]) -> bool:
    """Whether ``function``'s source has a ``return`` inside a ``finally`` block (False when unreadable)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return False
    return any(
        isinstance(node, ast.Return)
        for block in ast.walk(tree)
        if isinstance(block, ast.Try)
        for statement in block.finalbody
        for node in ast.walk(statement)
    )


def _check_only_the_module(record_outputs: Callable[[nn.Module, Callable[[], Any]], list[torch.Tensor]]) -> None:
    """A module with children (a Sequential): only its own output, once per call, may be stored."""
    torch.manual_seed(1)
    parent = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=-1))
    x = torch.randn(2, 4)
    expected = parent(x).detach()
    stored = attempt(record_outputs, parent, lambda: parent(x))
    for module in parent.modules():
        module._forward_hooks.clear()
    if isinstance(stored, list) and len(stored) > 1:
        fail(
            f"given a module with children (a Linear then a Softmax), your function stored {len(stored)} "
            "outputs for one call: you hooked every submodule (module.modules() or .apply). Register one hook, "
            "on the module you were given: module.register_forward_hook(...)"
        )
    if not (isinstance(stored, list) and len(stored) == 1 and isinstance(stored[0], torch.Tensor)):
        fail(f"given a module with children, your function returned {_describe(stored)}, not a list of its one output")
    if not close(stored[0], expected):
        fail(
            "given a module with children (a Linear then a Softmax), you stored a child's output, not the "
            "module's own: register the hook on the module you were given"
        )


def _hook_case() -> tuple[Attention, list[torch.Tensor], list[torch.Tensor], list[torch.Tensor]]:
    """A small attention layer on its explicit path, two inputs, their weights and pre-softmax scores."""
    torch.manual_seed(0)
    attention = Attention(8, 2)
    attention.fused = False  # the explicit path, so attention.attend (the softmax) runs
    tokens = [torch.randn(2, 5, 8, requires_grad=True) for _ in range(2)]
    expected = [attention(x, return_attention=True)[1].detach() for x in tokens]
    scores = []
    for x in tokens:
        q, k, _ = attention.project_qkv(x)
        scores.append((q @ k.transpose(-2, -1) * attention.scale).detach())
    return attention, tokens, expected, scores


def _make_run(
    attention: Attention,
    tokens: list[torch.Tensor],
    model_outputs: list[torch.Tensor],
    later: list[int],
) -> Callable[[], None]:
    """The ``run()`` handed to the learner: one forward pass per input, refusing no_grad and backward hooks.
    It registers a later hook (ids in ``later``), which must survive, and records what the model returned."""
    softmax = attention.attend
    handed_on: list[object] = []  # what the module hands on after the learner's hook (seen by a later hook)

    def run() -> None:
        if not torch.is_grad_enabled():
            fail(
                "you called run() inside torch.no_grad(): the caller can then take no gradients (section 8 "
                "needs them). Call run() as it is, and store output.detach() in your hook"
            )
        if softmax._backward_hooks or softmax._backward_pre_hooks:
            fail(
                "you registered a backward hook (register_full_backward_hook or register_backward_hook): a "
                "backward hook runs during backward(), not during the forward pass, so it never sees the "
                "module's output. Use register_forward_hook"
            )
        later.append(softmax.register_forward_hook(lambda _module, _inputs, output: handed_on.append(output)).id)
        for x in tokens:
            q, k, v = attention.project_qkv(x)
            try:
                _, weights = attention.scaled_dot_product(q, k, v, need_weights=True)  # calls attention.attend
            except Exception:
                replaced = next((out for out in handed_on if not isinstance(out, torch.Tensor)), None)
                if replaced is None and not handed_on:
                    raise
                fail(
                    f"your hook returned {_describe(replaced)}, and a forward hook that returns a value replaces "
                    "the module's output, so the model broke on it. Append the detached output to your list and "
                    "return nothing from the hook"
                )
            model_outputs.append(weights)

    return run


def _module_is_softmax(error: Exception) -> str | None:
    """The hint when the learner hooks ``module.attend``: the checker passes the softmax itself."""
    if isinstance(error, AttributeError) and "attend" in str(error):
        return "The module is the softmax itself (attention.attend): hook module, not module.attend"
    return None


def check_record_outputs(record_outputs: Callable[[nn.Module, Callable[[], Any]], list[torch.Tensor]]) -> None:
    """Check ``record_outputs(module, run) -> list``: hook ``module``, call ``run()``, return the
    module's outputs (one detached tensor per call of the module), and remove the hook."""
    attention, tokens, expected, scores = _hook_case()
    softmax = attention.attend
    model_outputs: list[torch.Tensor] = []  # what the softmax handed on, after every hook ran

    # what the softmax returned, and whether it was attached to the graph, before the learner's hook ran;
    # this hook is also "someone else's hook", which the learner's function must leave in place
    originals: list[tuple[torch.Tensor, bool]] = []
    snapshots: list[torch.Tensor] = []  # copies of the values, to see a hook that changes them in place

    def checker(_module: nn.Module, _inputs: Any, output: torch.Tensor) -> None:
        originals.append((output, output.requires_grad))
        snapshots.append(output.detach().clone())

    checker_hook = softmax.register_forward_hook(checker)
    later: list[int] = []  # hooks registered while run() runs, after the learner's: they must survive too
    run = _make_run(attention, tokens, model_outputs, later)
    try:
        stored = attempt(record_outputs, softmax, run, hint=_module_is_softmax)
        _check_hook_left_output_alone(softmax, model_outputs, originals, len(tokens), checker_hook.id, later, snapshots)
    finally:
        softmax._forward_hooks.clear()  # the checker's own module: no hook survives into the next check
        softmax._backward_hooks.clear()
        softmax._backward_pre_hooks.clear()
    _check_stored_outputs(stored, expected, scores)
    _check_fresh_list(record_outputs, stored)
    _check_removed_after_error(record_outputs, attention, tokens[0])
    _check_only_the_module(record_outputs)
    passed("your hook stores each output, detached, and is removed afterwards, even after an error.")


def _call_with_keep(rollout: Callable[..., Any], matrices: list[torch.Tensor], keep: float) -> Any:
    return rollout(matrices, keep)


def _right_rollout(matrices: list[torch.Tensor], keep: float) -> torch.Tensor:
    """The answer: ``keep * I + (1 - keep) * A`` per layer, rows re-normalised, later layers on the left."""
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity.expand_as(matrices[0])
    for m in matrices:
        mixed = (1 - keep) * m + keep * identity
        result = mixed / mixed.sum(-1, keepdim=True) @ result
    return result


def _identity_slips(matrices: list[torch.Tensor], keep: float) -> dict[str, torch.Tensor]:
    """Slips with the identity: torch.ones for torch.eye (in the mix, or as R's start), the identity mixed into
    the running product instead of each layer's matrix, or added once after the product."""
    eye = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    ones = torch.ones_like(eye)

    def normalise(m: torch.Tensor) -> torch.Tensor:
        return m / m.sum(-1, keepdim=True)

    ones_mix, ones_start, into_product, plain = eye.expand_as(matrices[0]), torch.ones_like(matrices[0]), eye, eye
    for m in matrices:
        ones_mix = normalise((1 - keep) * m + keep * ones) @ ones_mix
        ones_start = normalise((1 - keep) * m + keep * eye) @ ones_start
        into_product = normalise(keep * eye + (1 - keep) * (normalise(m) @ into_product))
        plain = normalise(m) @ plain
    return {
        "ones for eye": ones_mix,
        "ones start": ones_start,
        "identity into product": into_product,
        "identity once": normalise(keep * eye + (1 - keep) * plain),
    }


def _more_rollout_slips(matrices: list[torch.Tensor], keep: float) -> dict[str, torch.Tensor]:
    """More named slips: the batch averaged (matrices or result), A + keep * I, transposed, one layer only, M * R."""
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    right = _right_rollout(matrices, keep)
    no_weight = identity.expand_as(matrices[0])
    for m in matrices:
        added = m + keep * identity  # (1 - keep) forgotten on A
        no_weight = added / added.sum(-1, keepdim=True) @ no_weight
    elementwise_ones = torch.ones_like(matrices[0])  # M * R from R = ones (or from the first mixed matrix)
    for m in matrices:
        mixed = (1 - keep) * m + keep * identity
        elementwise_ones = mixed / mixed.sum(-1, keepdim=True) * elementwise_ones
    one_layer = {} if len(matrices) == 1 else {"last only": matrices[-1:], "first only": matrices[:1]}
    skipped = {  # one layer left out of the product (matrices[1:], matrices[:-1], a range that misses one)
        f"skipped {k}": [m for j, m in enumerate(matrices) if j != k] for k in range(len(matrices))
    }
    return {
        **_identity_slips(matrices, keep),
        **{name: _right_rollout(layer, keep) for name, layer in one_layer.items()},  # one layer, never multiplied
        **{name: _right_rollout(layers, keep) for name, layers in skipped.items() if layers},
        "batch averaged": _right_rollout([m.mean(0, keepdim=True).expand_as(m) for m in matrices], keep),
        "batch averaged result": right.mean(0, keepdim=True).expand_as(right),
        "no 1 - keep": no_weight,
        "transposed": right.transpose(-2, -1),
        "elementwise ones": elementwise_ones,
    }


def _rollout_variants(matrices: list[torch.Tensor], keep: float = 0.5) -> dict[str, torch.Tensor]:
    """Plausible wrong rollouts, each named by its mistake."""
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)

    def normalise(m: torch.Tensor) -> torch.Tensor:
        return m / m.sum(-1, keepdim=True)

    def without_keepdim(m: torch.Tensor) -> torch.Tensor | None:
        try:  # vit-explain's a / a.sum(dim=-1): runs (wrongly) when B == 1 or B == N, raises otherwise
            return m / m.sum(-1)
        except RuntimeError:
            return None

    mixed = [normalise((1 - keep) * m + keep * identity) for m in matrices]
    unnormalised = [(1 - keep) * m + keep * identity for m in matrices]
    layers = {
        "identity": [normalise(m) for m in matrices],
        "normalise": unnormalised,
        "end": unnormalised,
        "columns": [u / u.sum(-2, keepdim=True) for u in unnormalised],
        "normalise first": [(1 - keep) * normalise(m) + keep * identity for m in matrices],
        "keepdim": [without_keepdim(u) for u in unnormalised],
        "softmax": [u.softmax(-1) for u in unnormalised],  # a softmax where a division by the row sum belongs
        "whole": [u / u.sum((-2, -1), keepdim=True) for u in unnormalised],  # the whole matrix's sum
        "whole scaled": [u / u.sum((-2, -1), keepdim=True) * u.shape[-1] for u in unnormalised],  # ... times N
    }
    variants: dict[str, torch.Tensor | None] = {"order": identity}
    for layer in mixed:
        variants["order"] = variants["order"] @ layer
    for name, steps in layers.items():
        if any(step is None for step in steps):
            variants[name] = None
            continue
        product = identity
        for step in steps:
            product = step @ product
        variants[name] = product
    variants["end"] = normalise(variants["end"])
    chefer = identity
    for m in matrices:
        chefer = chefer + m @ chefer
    variants["chefer"] = chefer
    variants["zeros"] = torch.zeros_like(matrices[0])  # R started from zeros: every product stays 0
    variants["average"] = sum(mixed) / len(mixed)  # the layers averaged, not multiplied
    elementwise = identity.expand_as(matrices[0])
    for layer in mixed:
        elementwise = layer * elementwise  # * where @ belongs
    variants["elementwise"] = elementwise
    if keep != 0.5:
        variants["half"] = _right_rollout(matrices, 0.5)
        variants["swapped"] = _right_rollout(matrices, 1 - keep)
    if len(matrices) > 1:
        for name, first in (("first raw", matrices[0]), ("first normalised", normalise(matrices[0]))):
            product = first
            for layer in mixed[1:]:
                product = layer @ product
            variants[name] = product
    return variants


#: ``(variant of _rollout_variants, what went wrong)``, in the order they are tried.
_NORMALISE_FIRST = (
    "you normalised the attention before adding the identity: mix first (keep * I + (1 - keep) * A), then divide "
    "each row by its sum. When A's rows do not sum to 1 (heads fused by max) the two orders differ"
)

_ROLLOUT_MISTAKES = (
    (
        "zeros",
        "your result is all zeros, and every row of a rollout sums to 1. If you started R from zeros, a product "
        "that starts at 0 stays 0: start from the identity, R = I (torch.eye(N), expanded to (B, N, N))",
    ),
    (
        "average",
        "you averaged the layers' mixed matrices: rollout multiplies them (R = mixed @ R, layer by layer), since "
        "each block mixes what the blocks before it produced",
    ),
    (
        "elementwise",
        "you multiplied elementwise (M * R, entry by entry): rollout chains the layers by matrix products, "
        "R = mixed @ R (the @ operator, or torch.bmm)",
    ),
    (
        "elementwise ones",
        "you multiplied elementwise (M * R, each layer's mixed matrix times R entry by entry): rollout chains the "
        "layers by matrix products, R = mixed @ R (the @ operator, or torch.bmm), starting from R = I",
    ),
    (
        "half",
        "you mixed half and half whatever keep is: the identity's weight is keep, keep * I + (1 - keep) * A "
        "(the lesson's 0.5 is one value of keep)",
    ),
    (
        "swapped",
        "you swapped the weights: keep is the identity's weight (the residual), keep * I + (1 - keep) * A",
    ),
    (
        "softmax",
        "you re-normalised the rows with a softmax: that exponentiates the weights first, so the mix is no longer "
        "keep * I + (1 - keep) * A (and every weight, even a 0, gets a share). Divide each row by "
        "its sum: m / m.sum(-1, keepdim=True)",
    ),
    (
        "identity",
        "your rollout ignores the residual connection: each block adds its input back "
        "(x + attn(x)), so mix every matrix with the identity, keep * I + (1 - keep) * A, before multiplying",
    ),
    (
        "normalise",
        "the rows of your result do not sum to 1: re-normalise each layer's matrix "
        "(every row divided by its sum) after adding the identity",
    ),
    (
        "end",
        "you normalised only the final product; normalise each layer's matrix before "
        "multiplying, so every layer passes on a distribution",
    ),
    (
        "order",
        "layer order reversed: the first layer ended up on the left (rollout @ mixed, or the list walked last "
        "to first). Walk the list first to last, and put each later layer on the left of the product so far",
    ),
    (
        "chefer",
        "you multiplied (A + I) through the layers without halving it or re-normalising its rows; that is also "
        "Chefer et al.'s accumulation R = R + A @ R (= (I + A) @ R), the rule of the gradient-weighted map "
        "(section 8). The rows then sum to more than 1 and grow with every layer. Rollout mixes "
        "keep * I + (1 - keep) * A, divides each row by its sum, and multiplies",
    ),
    (
        "first raw",
        "you started from the first layer's matrix as it is and mixed only the later ones: start from the "
        "identity (or mix the first layer too), so every layer, the first included, gets its half identity",
    ),
    (
        "first normalised",
        "you started from the first layer's matrix (rows normalised) and mixed only the later ones: start from "
        "the identity (or mix the first layer too), so every layer, the first included, gets its half identity",
    ),
    (
        "keepdim",
        "you divided by the row sums without keepdim=True (vit-explain's a / a.sum(dim=-1)): the (B, N) sums "
        "broadcast along the wrong axis, so column j is divided by row j's sum. Use a.sum(dim=-1, keepdim=True)",
    ),
    (
        "whole",
        "you divided each matrix by the sum of all its weights (a sum over dims (-2, -1), or over the whole "
        "matrix): each row, one query's weights over the keys, should sum to 1 on its own, so divide by "
        "m.sum(-1, keepdim=True)",
    ),
    (
        "whole scaled",
        "you divided each matrix by the sum of all its weights (then scaled by N): each row, one query's weights "
        "over the keys, should sum to 1 on its own, so divide by m.sum(-1, keepdim=True)",
    ),
    (
        "columns",
        "you normalised the columns (a sum over dim=-2): each row, one query's weights over the keys, "
        "should sum to 1, so divide by the sum over the last axis",
    ),
    ("normalise first", _NORMALISE_FIRST),
    (
        "batch averaged",
        "you averaged over the batch (dim 0): every image got the same matrices. Here the heads are already "
        "fused, so nothing is averaged; each image's rollout uses its own matrices",
    ),
    (
        "last only",
        "you returned the last layer's mixed matrix alone (last layer only): rollout multiplies every layer's "
        "mixed matrix, first layer first, R = mixed @ R",
    ),
    (
        "first only",
        "you returned the first layer's mixed matrix alone (first layer only): rollout multiplies every layer's "
        "mixed matrix, each later one on the left, R = mixed @ R",
    ),
    (
        "batch averaged result",
        "you averaged over the batch (dim 0): every image got the same rollout. Each image's rollout uses its "
        "own matrices: return the (B, N, N) product as it is",
    ),
    (
        "ones for eye",
        "you mixed in torch.ones(N, N), a matrix of ones, where the identity belongs: the residual passes each "
        "token on to itself alone, so mix keep * torch.eye(N) + (1 - keep) * A",
    ),
    (
        "ones start",
        "you started R from torch.ones, not the identity: before any block each token holds only itself, "
        "so start from R = torch.eye(N) (expanded to (B, N, N))",
    ),
    (
        "identity into product",
        "you mixed the identity into the running product (R = keep * I + (1 - keep) * A @ R): the residual "
        "belongs to each layer's matrix, mixed = keep * I + (1 - keep) * A, rows re-normalised, then R = mixed @ R",
    ),
    (
        "identity once",
        "you added the identity once, after multiplying the raw matrices: every block has its own residual, so "
        "mix each layer's matrix, keep * I + (1 - keep) * A, before it enters the product",
    ),
    (
        "no 1 - keep",
        "you mixed A + keep * I, without (1 - keep) on A: the identity's weight is keep and the attention's "
        "is what is left, keep * I + (1 - keep) * A, then the rows re-normalised",
    ),
    (
        "transposed",
        "your result is transposed: row i of R is output token i reading the input tokens, so return R as "
        "R = mixed @ R builds it (not R.T or R.transpose(-2, -1))",
    ),
)


def _name_skipped_layer(got: torch.Tensor, variants: dict[str, Any], layers: int, case: str) -> None:
    """Fail naming the layer a rollout left out of the product (``variants["skipped k"]``), if one matches."""
    for k in range(layers):
        skipped = variants.get(f"skipped {k}")
        if skipped is not None and close(got, skipped):
            which = "the first" if k == 0 else "the last" if k == layers - 1 else f"layer {k} (counting from 0)"
            fail(
                f"for {case}: your rollout skips {which} of the {layers} layers (e.g. matrices[1:], matrices[:-1] "
                "or a range that misses one): loop over every matrix, for m in matrices, first to last"
            )


def _identity_on_some(matrices: list[torch.Tensor], keep: float) -> dict[tuple[int, ...], torch.Tensor]:
    """Rollouts with the identity mixed into only some layers (the others: A alone, rows re-normalised)."""
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    products = {}
    for size in range(1, len(matrices)):
        for subset in itertools.combinations(range(len(matrices)), size):
            product = identity.expand_as(matrices[0])
            for j, m in enumerate(matrices):
                step = (1 - keep) * m + keep * identity if j in subset else m
                product = step / step.sum(-1, keepdim=True) @ product
            products[subset] = product
    return products


def _name_identity_on_some(got: torch.Tensor, matrices: list[torch.Tensor], keep: float, case: str) -> None:
    """Fail naming the layers a rollout mixed with the identity, if it did so for some layers only."""
    for subset, product in _identity_on_some(matrices, keep).items():
        if close(got, product):
            without = [j for j in range(len(matrices)) if j not in subset]
            fail(
                f"for {case}: you added the identity to layer(s) {list(subset)} only, not to {without} (counting "
                "from 0): every block has its residual, so mix every matrix as keep * I + (1 - keep) * A inside "
                "the loop (not only before it, after it or under an if)"
            )


_KEEPDIM_HINT = (
    "Dividing (B, N, N) matrices by their (B, N) row sums needs keepdim=True (a.sum(dim=-1, keepdim=True)); "
    "without it the sums broadcast along the wrong axis (vit-explain's a / a.sum(dim=-1))"
)


_HARD_CODED_N_HINT = "The token count is written into your function; read N = matrices[0].shape[-1]"
_ALIASING_HINT = (
    "your in-place update (R += ... or R[...] = ...) writes into torch.eye(N).expand(B, N, N), a view whose B "
    "copies share one block of memory: make a real copy first, with .clone() or .repeat(B, 1, 1) (or write "
    "R = R + ..., which makes a new tensor)"
)
_DTYPE_HINT = (
    "your tensors mix float32 and float64 (torch.eye(N) is float32 unless told): make the identity with "
    "dtype={}[0].dtype"
)


def _mixes_dtypes(error: Exception) -> bool:
    return "scalar type" in str(error) or "dtype" in str(error)


def _aliases(error: Exception) -> bool:
    return "refers to a single memory location" in str(error)


def _aliases_on_a_batch(function: Callable[..., Any], *lists: list[torch.Tensor]) -> bool:
    """Whether ``function`` raises the aliasing error on the same inputs repeated to a batch of 2: on a batch of
    1 an in-place write into ``torch.eye(N).expand(1, N, N)`` runs, but overwrites the identity it still uses."""
    batched = [[t[:1].expand(2, *t.shape[1:]).clone() for t in tensors] for tensors in lists]
    try:
        function(*batched)
    except Exception as error:
        return _aliases(error)
    return False


def _changed_in_place(originals: list[torch.Tensor], given: list[torch.Tensor]) -> bool:
    """True if the learner's function changed the copies it was handed (an in-place op on its input)."""
    return any(not torch.equal(a, b) for a, b in zip(originals, given, strict=True))


_IN_PLACE = (
    "for {case}: your function changed its input {what} in place ({how}): in the notebook that overwrites "
    "{where}. Work on new tensors (out-of-place ops, or .clone() first)"
)


def _rollout_hint(
    error: Exception, rollout: Callable[..., Any] | None = None, matrices: list[torch.Tensor] | None = None, keep=0.5
) -> str | None:
    """Name an in-place update of an expanded identity, a float32 identity, a missing keepdim or a hard-coded N.

    A size mismatch is the missing keepdim only if ``rollout`` on the case's first image (B = 1, where that
    slip runs) gives the no-keepdim answer, or the sizes are exactly the case's N and B, ``(B, N, N) / (B, N)``;
    a size other than N and B is a token count written into the function (``torch.eye(50)``)."""
    if _aliases(error):
        return _ALIASING_HINT
    if _mixes_dtypes(error):
        return _DTYPE_HINT.format("matrices")
    message = str(error)
    existing = re.search(r"must match the existing size \((\d+)\)", message)  # expand_as(torch.eye(50))
    if existing and matrices is not None and int(existing.group(1)) != matrices[0].shape[-1]:
        return _HARD_CODED_N_HINT
    if "must match the size of tensor" not in message or rollout is None or matrices is None:
        return None
    batch, tokens = matrices[0].shape[0], matrices[0].shape[-1]
    sizes = {int(size) for size in re.findall(r"tensor [ab] \((\d+)\)", message)}
    if _no_keepdim_on_one(rollout, matrices, keep) or (batch != tokens and sizes == {batch, tokens}):
        return _KEEPDIM_HINT
    return _HARD_CODED_N_HINT if sizes - {batch, tokens} else None


def _no_keepdim_on_one(rollout: Callable[..., Any], matrices: list[torch.Tensor], keep: float) -> bool:
    """Whether ``rollout`` on the first image alone (B = 1) gives vit-explain's ``a / a.sum(dim=-1)`` answer."""
    one = [m[:1].clone() for m in matrices]
    slip = _rollout_variants(one, keep)["keepdim"]
    try:
        got = as_tensor(rollout([m.clone() for m in one], keep), "")
    except Exception:  # any failure: not that slip
        return False
    return slip is not None and close(got, slip)


# (batch, tokens, layers, dtype, keep); B = 1 first, as in vit-explain, where a missing keepdim runs and gives wrong
# values; keep, the identity's weight, is the lesson's 0.5 in the first three cases and varies after
ROLLOUT_CASES = (
    (1, 5, 3, torch.float64, 0.5),
    (2, 5, 3, torch.float64, 0.5),
    (1, 4, 1, torch.float64, 0.5),
    (3, 6, 4, torch.float64, 0.8),
    (2, 5, 2, torch.float32, 0.3),
)


def _ignores_the_matrices(
    rollout: Callable[..., Any], matrices: list[torch.Tensor], keep: float, got: torch.Tensor, case: str
) -> None:
    """Exercise 2, before the dtype: the same answer from other matrices (e.g. the identity alone) ignores them."""
    if not got.any() or close(got.double(), _right_rollout(matrices, keep).double()):
        return  # all zeros: named later (R started from zeros)
    generator = torch.Generator().manual_seed(len(matrices))
    others = [torch.rand(m.shape, generator=generator, dtype=m.dtype) for m in matrices]
    again = _quietly(functools.partial(_call_with_keep, rollout, keep=keep), others)
    if isinstance(again, torch.Tensor) and again.shape == got.shape and torch.equal(again, got):
        eye = torch.eye(got.shape[-1], dtype=got.dtype)
        what = "the identity" if torch.equal(got, eye.expand_as(got)) else "the same result"
        fail(
            f"for {case}: other matrices give {what} again: your result does not depend on the matrices. Mix each "
            "one as keep * I + (1 - keep) * A, re-normalise its rows and multiply it into R"
        )


def _refuse_none_or_a_list(returned: object, case: str) -> None:
    """Exercise 2: a missing return, or a Python list or tuple of per-image results, named before any value."""
    if returned is None:
        fail(
            f"for {case}: your rollout returned None (a missing return?): return a torch.Tensor, the (B, N, N) rollout"
        )
    if isinstance(returned, (list, tuple)):
        fail(
            f"for {case}: your rollout returned a Python {type(returned).__name__}, not a tensor: return one "
            f"(B, N, N) tensor for the whole batch (e.g. torch.stack of per-image (N, N) results)"
        )


def check_rollout(rollout: Callable[[list[torch.Tensor], float], torch.Tensor]) -> None:
    """Check ``rollout(matrices, keep) -> (B, N, N)``: ``matrices`` is a list of non-negative
    ``(B, N, N)`` attention matrices (heads already fused, first layer first, rows need not sum
    to 1), each mixed as ``keep * I + (1 - keep) * A``; with ``keep = 0.5`` compared with
    :func:`~vit_explained.attention_maps.attention_rollout`."""
    generator = torch.Generator().manual_seed(8)
    for batch, tokens, layers, dtype, keep in ROLLOUT_CASES:
        matrices = [torch.rand(batch, tokens, tokens, generator=generator, dtype=dtype) for _ in range(layers)]
        expected = _right_rollout(matrices, keep)
        if keep == 0.5:  # the package's rollout is this case
            assert torch.allclose(expected, attention_rollout([m.unsqueeze(1) for m in matrices]))
        case = (
            f"{layers} layer(s) of ({batch}, {tokens}, {tokens}) {str(dtype).replace('torch.', '')} matrices, "
            f"keep = {keep}"
        )
        given = [m.clone() for m in matrices]
        hint = functools.partial(_rollout_hint, rollout=rollout, matrices=matrices, keep=keep)
        returned = _NO_ROLLOUT(rollout, given, keep, hint=hint)
        _refuse_none_or_a_list(returned, case)
        got = as_tensor(returned, f"your rollout for {case}")
        if _changed_in_place(matrices, given):
            fail(
                _IN_PLACE.format(
                    case=case,
                    what="matrices",
                    how="e.g. .add_(), .div_() or a slice assignment on a matrix of the list",
                    where="the recorded attention weights, so a second map from them comes out wrong",
                )
            )
        if tuple(got.shape) != tuple(expected.shape):
            fail(f"for {case}: expected shape {tuple(expected.shape)} (B, N, N), got {tuple(got.shape)}")
        if got.numel() > 1 and bool((got == got.flatten()[0]).all()) and float(got.flatten()[0]) != 0:
            fail(
                f"for {case}: every entry of your result is the same number, {float(got.flatten()[0]):.3g}; "
                f"rollout's entries depend on the matrices (each row sums to 1): mix, re-normalise and multiply them"
            )
        _ignores_the_matrices(rollout, matrices, keep, got, case)
        _keep_float64(got, dtype, case, "rollout")
        if close(got, expected):
            continue
        variants = {**_rollout_variants(matrices, keep), **_more_rollout_slips(matrices, keep)}
        for name, mistake in _ROLLOUT_MISTAKES:
            if variants.get(name) is not None and close(got, variants[name]):
                fail(f"for {case}: {mistake}")
        _name_skipped_layer(got, variants, layers, case)
        _name_identity_on_some(got, matrices, keep, case)
        if _aliases_on_a_batch(functools.partial(_call_with_keep, rollout, keep=keep), matrices):
            fail(f"for {case}: your result is wrong, and on a batch of 2 your function fails: {_ALIASING_HINT}")
        if layers == 1:
            fail(f"for {case} (a single layer): your result differs from keep * I + (1 - keep) * A, rows re-normalised")
        fail(f"for {case}: your rollout differs from the reference; check each step on a single layer first")
    passed(
        "keep * I + (1 - keep) * A, rows re-normalised, later layers on the left: attention rollout, "
        "with the residual's weight as a knob."
    )


#: (batch, heads, tokens, layers, dtype) for exercise 5
CHEFER_CASES = ((2, 3, 5, 3, torch.float64), (1, 2, 4, 1, torch.float64), (3, 4, 6, 2, torch.float32))


def _chefer_case(
    batch: int, heads: int, tokens: int, layers: int, dtype: torch.dtype, generator: torch.Generator
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Attention weights (rows sum to 1) and gradients of both signs, one pair per layer."""
    shape = (batch, heads, tokens, tokens)
    weights = [torch.randn(shape, generator=generator, dtype=dtype).softmax(-1) for _ in range(layers)]
    gradients = [torch.randn(shape, generator=generator, dtype=dtype) for _ in range(layers)]
    return weights, gradients


def _rows_to_one(bar: torch.Tensor) -> torch.Tensor:
    """Each row divided by its sum, as rollout re-normalises (a slip in exercise 5)."""
    return bar / bar.sum(-1, keepdim=True).clamp_min(1e-12)


def _chefer_variants(weights: list[torch.Tensor], gradients: list[torch.Tensor]) -> dict[str, torch.Tensor]:
    """Plausible wrong answers to exercise 5, each named by its slip."""
    pairs = list(zip(weights, gradients, strict=True))
    fused = {
        "no clamp": [(g * a).mean(1) for a, g in pairs],
        "mean before product": [(g.mean(1) * a.mean(1)).clamp(min=0) for a, g in pairs],
        "mean before clamp": [(g * a).mean(1).clamp(min=0) for a, g in pairs],
        "sum over heads": [(g * a).clamp(min=0).sum(1) for a, g in pairs],
        "abs": [(g * a).abs().mean(1) for a, g in pairs],
        "max over heads": [(g * a).clamp(min=0).amax(1) for a, g in pairs],
        "right": [(g * a).clamp(min=0).mean(1) for a, g in pairs],
        "row-normalised": [_rows_to_one((g * a).clamp(min=0).mean(1)) for a, g in pairs],
        "head rows re-normalised": [_rows_to_one((g * a).clamp(min=0)).mean(1) for a, g in pairs],
        "no gradient": [a.mean(1) for a, _ in pairs],
        "gradient only": [g.clamp(min=0).mean(1) for _, g in pairs],
    }
    identity = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand_as(fused["right"][0])
    variants = {}
    for name, layers in fused.items():
        relevance = identity
        for layer in layers:
            relevance = relevance + layer @ relevance
        variants[name] = relevance
    order, product, from_first = identity, identity, fused["right"][0]
    for layer in fused["right"]:
        order = order + order @ layer  # R @ Ā where Ā @ R belongs
        product = layer @ product  # the identity's R + dropped
    for layer in fused["right"][1:]:
        from_first = from_first + layer @ from_first  # R started from the first layer's Ā, not from I
    variants.update({"order": order, "no identity kept": product, "started from the first": from_first})
    renormalised = identity
    for layer in fused["right"]:
        renormalised = _rows_to_one(renormalised + layer @ renormalised)  # R's rows set to sum to 1 each layer
    at_end, added = identity, identity
    for layer in fused["right"]:
        at_end = at_end + layer @ at_end
        added = added + layer  # R = R + Ā: added where Ā @ R belongs
    variants["added"] = added
    variants.update({"R re-normalised": renormalised, "identity": identity, "zeros": torch.zeros_like(identity)})
    variants["R re-normalised at the end"] = _rows_to_one(at_end)
    vit_explain = identity  # jacobgil/vit-explain's grad_rollout: mean over heads, clamp, + I, halved, re-normalised
    for layer in fused["mean before clamp"]:
        vit_explain = _rows_to_one(0.5 * layer + 0.5 * identity) @ vit_explain
    variants["vit-explain"] = vit_explain
    return variants


_CHEFER_MISTAKES = {
    "vit-explain": "you wrote vit-explain's grad_rollout: heads averaged before the clamp, then "
    "(Ā + I) / 2 re-normalised and multiplied. Chefer et al. clamp per head, then R = R + Ā @ R, not re-normalised",
    "zeros": "your result is all zeros: R started from zeros, and R + Ā @ R stays 0. Start from the identity, R = I",
    "started from the first": "you started R from the first layer's Ā instead of the identity: start from R = I "
    "and run the update for every layer, the first included",
    "no identity kept": "you wrote R = Ā @ R: the update adds, R = R + Ā @ R (the residual keeps what R held)",
    "added": "you added Ā to R (R = R + Ā): the update multiplies, R = R + Ā @ R, so each layer's relevance "
    "flows through what R held",
    "no clamp": "you did not clamp: keep only the attention that raises the logit, (grad * A).clamp(min=0), "
    "before averaging the heads",
    "mean before clamp": "you averaged the heads before clamping: clamp each head's grad * A first, then average, "
    "so one head's negative product cannot cancel another's positive one",
    "mean before product": "you averaged the heads of grad and of A before multiplying them: multiply per head, "
    "clamp, then average over the heads (dim=1)",
    "sum over heads": "you summed over the heads: average them, .mean(dim=1)",
    "abs": "you took the absolute value: a negative grad * A lowers the logit and is dropped, "
    ".clamp(min=0), not .abs()",
    "max over heads": "you took the largest head (max over dim=1): average the heads, .mean(dim=1)",
    "row-normalised": "you re-normalised the rows of Ā as rollout does: Chefer et al.'s rule keeps "
    "mean_h((grad * A).clamp(min=0)) as it is, and R's rows need not sum to 1",
    "identity": "your result is the identity, R = I: that is only the start; apply R = R + Ā @ R once per "
    "layer, first to last",
    "gradient only": "you used the gradient alone: Ā = mean_h((grad * A).clamp(min=0)), the gradient times the "
    "attention weights A, per head",
    "R re-normalised": "you re-normalised R's rows after each layer as rollout does (or, the same result, the rows "
    "of the mix I + Ā or 0.5 * I + 0.5 * Ā before multiplying): Chefer et al.'s R = R + Ā @ R is kept as it is, "
    "and its rows need not sum to 1",
    "head rows re-normalised": "you re-normalised each head's rows of (grad * A).clamp(min=0) before averaging: "
    "Chefer et al.'s Ā keeps the clamped products as they are",
    "R re-normalised at the end": "you re-normalised R's rows once, at the end: Chefer et al.'s R is returned as "
    "the updates leave it, its rows need not sum to 1",
    "no gradient": "you used A without the gradient: Ā = mean_h((grad * A).clamp(min=0)), the weights times "
    "their gradients, so the map is for one class",
    "order": "layer order reversed: the first layer ended up on the left (R @ Ā, the matmul the wrong way round, "
    "or the list walked last to first). Go first to last, each later layer on the left: R = R + Ā @ R",
}


def _name_chefer_slip(got: torch.Tensor, weights: list[torch.Tensor], gradients: list[torch.Tensor], case: str) -> None:
    variants = _chefer_variants(weights, gradients)
    for name, mistake in _CHEFER_MISTAKES.items():
        if close(got, variants[name]):
            fail(f"for {case}: {mistake}")
    if close(got, variants["right"].transpose(-2, -1)):
        fail(f"for {case}: your result is transposed: return R as R = R + Ā @ R builds it")
    fail(f"for {case}: your result differs from R = I, then R = R + mean_h((grad * A).clamp(min=0)) @ R per layer")


def _chefer_hint(error: Exception) -> str | None:
    """Exercise 5: exercise 2's hints for an in-place update of an expanded identity and a float32 identity."""
    if _aliases(error):
        return _ALIASING_HINT
    return _DTYPE_HINT.format("weights") if _mixes_dtypes(error) else None


def check_chefer_rollout(
    chefer_rollout: Callable[[list[torch.Tensor], list[torch.Tensor]], torch.Tensor],
) -> None:
    """Check ``chefer_rollout(weights, gradients) -> (B, N, N)`` against
    :func:`~vit_explained.attention_maps.gradient_weighted_rollout`, naming common slips."""
    generator = torch.Generator().manual_seed(85)
    for batch, heads, tokens, layers, dtype in CHEFER_CASES:
        weights, gradients = _chefer_case(batch, heads, tokens, layers, dtype, generator)
        expected = gradient_weighted_rollout(weights, gradients)
        case = f"{layers} layer(s) of ({batch}, {heads}, {tokens}, {tokens}) {str(dtype).replace('torch.', '')} weights"
        given = ([w.clone() for w in weights], [g.clone() for g in gradients])
        returned = _NO_CHEFER(chefer_rollout, *given, hint=_chefer_hint)
        if isinstance(returned, (list, tuple)):
            fail(f"for {case}: your function returned a Python {type(returned).__name__}: return one (B, N, N) tensor")
        if not hasattr(returned, "__array__"):  # None, a number, a string: not one (B, N, N) array
            what = "None (a missing return?)" if returned is None else f"a {type(returned).__name__}"
            fail(
                f"for {case}: your function returned {what}: "
                "return one (B, N, N) torch.Tensor (a numpy array also works)"
            )
        got = as_tensor(returned, f"your chefer_rollout for {case}")
        if any(not torch.equal(a, b) for a, b in zip(weights + gradients, given[0] + given[1], strict=True)):
            fail(
                f"for {case}: your function changed its inputs in place (e.g. .clamp_() or .mul_()): "
                "compute new tensors"
            )
        if tuple(got.shape) != tuple(expected.shape):
            fail(f"for {case}: expected shape {tuple(expected.shape)} (B, N, N), got {tuple(got.shape)}")
        if got.is_floating_point() and got.dtype != expected.dtype:  # a constant answer, named before its dtype
            constant = _chefer_variants(weights, gradients)
            for name in ("identity", "zeros"):
                if close(got.to(expected.dtype), constant[name]):
                    fail(f"for {case}: {_CHEFER_MISTAKES[name]}")
        _keep_float64(got, dtype, case, "chefer")
        if not close(got, expected):
            _name_chefer_slip(got, weights, gradients, case)
    passed("R = I, then R = R + mean_h((grad * A).clamp(min=0)) @ R per layer: Chefer et al.'s relevance.")


# (batch, heads, rows, cols): a tall grid (5x3) and a wide one (2x8), where isqrt(rows * cols) is not rows
GRID_CASES = ((2, 3, 2, 3), (1, 2, 4, 4), (2, 1, 3, 5), (1, 3, 5, 3), (2, 2, 2, 8))
#: the cases of GRID_CASES given float64 weights (the rest float32)
GRID_FLOAT64 = frozenset({1, 3})

_DEIT_HABIT = (
    "for {case}: your slice dropped two columns: [..., 0, 2:] is the habit from a distilled DeiT, where "
    "column 1 is the distillation token. This ViT has one special token, the class token in column 0, so "
    "the patches are columns 1 to N - 1"
)


def _quietly(function: Callable[..., Any], *args: Any) -> torch.Tensor | None:
    """The learner's function on a probe input; None if it raises or returns no tensor."""
    try:
        out = function(*args)
    except Exception:
        return None
    return out if isinstance(out, torch.Tensor) else None


def _fixed_heads(
    class_token_grid: Callable[[torch.Tensor, int, int], torch.Tensor], shape: tuple[int, int, int, int], case: str
) -> str | None:
    """Name a number of heads written into the function: it fails here but works with another count."""
    batch, heads, rows, cols = shape
    for other in (1, 2, 3, 4, 6, 8, 12):
        if other == heads:
            continue
        probe = torch.randn(
            batch, other, rows * cols + 1, rows * cols + 1, generator=torch.Generator().manual_seed(other)
        )
        weights = torch.softmax(probe, dim=-1)
        got = _quietly(class_token_grid, weights, rows, cols)
        if got is not None and close(got, weights[:, :, 0, 1:].reshape(batch, other, rows, cols)):
            return (
                f"for {case} with {heads} heads your function fails, yet it works with {other} heads: the number "
                "of heads is written into it. Read it from the weights: heads = weights.shape[1]"
            )
    return None


_SQRT_HABIT = (
    "your function works on a square grid but not on {case}: it seems to take the grid's side from "
    "sqrt(N - 1), which holds only for square grids. Use the rows and cols you are given"
)


_WRITTEN_GRID = (
    "your function works on the lesson's 7x7 grid but not on {case}: the grid is written in; use rows, cols "
    "(the arguments you are given)"
)


def _grid_slip(
    class_token_grid: Callable[[torch.Tensor, int, int], torch.Tensor],
    shape: tuple[int, int, int, int],
    case: str,
    generator: torch.Generator,
) -> str | None:
    """Name a slip by what the learner's function returns on probe inputs, whatever error it raised:
    the DeiT slice ``[..., 0, 2:]`` (probed with one extra token, so that slice fits the grid) or a
    side taken from ``sqrt(N - 1)`` (probed on a square grid)."""
    batch, heads, rows, cols = shape
    extra = torch.softmax(torch.randn(batch, heads, rows * cols + 2, rows * cols + 2, generator=generator), dim=-1)
    got = _quietly(class_token_grid, extra.clone(), rows, cols)
    if got is not None and close(got, extra[..., 0, 2:].reshape(batch, heads, rows, cols)):
        return _DEIT_HABIT.format(case=case)
    if rows != cols:
        side = 3
        square = torch.softmax(torch.randn(batch, heads, side * side + 1, side * side + 1, generator=generator), dim=-1)
        got = _quietly(class_token_grid, square.clone(), side, side)
        if got is not None and close(got, square[..., 0, 1:].reshape(batch, heads, side, side)):
            return _SQRT_HABIT.format(case=case)
    if (rows, cols) != (7, 7):  # lesson 08's model: a 7x7 grid, N = 50
        model_grid = torch.softmax(torch.randn(batch, heads, 50, 50, generator=generator), dim=-1)
        got = _quietly(class_token_grid, model_grid.clone(), 7, 7)
        if got is not None and close(got, model_grid[..., 0, 1:].reshape(batch, heads, 7, 7)):
            return _WRITTEN_GRID.format(case=case)
    return None


def _isqrt_rows(got: torch.Tensor, weights: torch.Tensor, rows: int, cols: int, case: str) -> str | None:
    """Name rows taken from ``isqrt(N - 1)`` (right on grids where that happens to equal rows)."""
    side = math.isqrt(rows * cols)
    if side == rows or got.dim() != 4 or got.shape[-2] != side or (rows * cols) % side:
        return None
    batch, heads = weights.shape[:2]
    if close(got, weights[..., 0, 1:].reshape(batch, heads, side, rows * cols // side)):
        return (
            f"for {case}: your grid has {side} rows, isqrt(N - 1), not the {rows} rows you are given: the "
            "square root of the patch count is the side only of a square grid (and isqrt(rows * cols) equals "
            "rows on some non-square grids too, such as 2x3 or 3x5). Use the rows and cols arguments"
        )
    return None


def _heads_fused(got: torch.Tensor, weights: torch.Tensor, rows: int, cols: int) -> str | None:
    """Name a grid whose heads were averaged (or summed) into one map, whatever shape it came back in."""
    batch, heads = weights.shape[:2]
    if heads == 1:  # one head: its mean is itself, nothing to tell apart
        return None
    row = weights[..., 0, 1:].reshape(batch, heads, rows, cols)
    for verb, fused in (("averaged", row.mean(1)), ("summed", row.sum(1))):
        for shaped in (fused, fused[:, None], fused[:, None].expand(batch, heads, rows, cols)):
            if tuple(got.shape) == tuple(shaped.shape) and close(got, shaped):
                return (
                    f"you {verb} the heads into one map (a {'sum' if verb == 'summed' else 'mean'} over dim 1). "
                    "The exercise keeps every head: return (B, heads, rows, cols), one grid per head; fusing the heads "
                    "is a later, separate choice (rollout's head_fusion)"
                )
    return None


def _renormalised(got: torch.Tensor, expected: torch.Tensor) -> bool:
    """Did the learner divide the patch weights by their own sum (dropping the class token's share)?"""
    return tuple(got.shape) == tuple(expected.shape) and close(got, expected / expected.sum((-2, -1), keepdim=True))


def _wrong_rows(got: torch.Tensor, expected: torch.Tensor, weights: torch.Tensor, case: str) -> str | None:
    """Name a grid taken from row 1, from the mean over all query rows, or from the first image alone."""
    if close(got, weights[..., 1, 1:].reshape(expected.shape)):
        return (
            f"for {case}: you took row 1, a patch's row (what the first patch attends to), not the class "
            "token's: the class token is token 0, so its row is row 0"
        )
    for rows_taken in (weights[..., :, 1:], weights[..., 1:, 1:]):
        if close(got, rows_taken.mean(-2).reshape(expected.shape)):
            return (
                f"for {case}: you took the mean over all query rows (every token's attention, averaged): the "
                "map is the class token's row alone, row 0"
            )
    if expected.shape[0] > 1 and close(got, expected[:1].expand_as(expected)):
        return (
            f"for {case}: every image got the first image's grid: you broadcast the first image to the batch "
            "(mixed the images). Keep the batch dimension: one grid per image"
        )
    return None


def _name_grid_slip(
    class_token_grid: Callable[[torch.Tensor, int, int], torch.Tensor],
    got: torch.Tensor,
    expected: torch.Tensor,
    weights: torch.Tensor,
    case: str,
    generator: torch.Generator,
) -> None:
    """Fail with the slip a wrong class-token grid matches (always fails)."""
    batch, heads, rows, cols = expected.shape
    if _renormalised(got, expected):
        fail(
            f"for {case}: you re-normalised the patch weights to sum to 1. Keep them as the softmax gave them: "
            "the class token's row sums to 1 over all N columns, its own column included, and what it spends "
            "on itself is part of the picture (dividing it out hides it)"
        )
    if tuple(got.shape) == tuple(expected.shape) and close(
        got, expected.flatten(-2).softmax(-1).reshape(expected.shape)
    ):
        fail(
            f"for {case}: you applied a softmax to the patch weights: they already are softmax outputs (the "
            "attention weights), so a second softmax flattens them towards 1 / (N - 1). Slice them as they are"
        )
    row_slip = _wrong_rows(got, expected, weights, case)
    if row_slip:
        fail(row_slip)
    if close(got, weights[..., -1, 1:].reshape(expected.shape)):
        fail(
            f"for {case}: you took the last row, what the last patch attends to. The class token is token 0 "
            "(prepended before the patches), so its row is row 0"
        )
    if close(got, weights[..., 1:, 0].reshape(expected.shape)):
        fail(
            f"for {case}: you took a column: how much each patch attends to the class token. The class "
            "token's attention is its row (the query is the row index, the keys are the columns)"
        )
    if close(got, weights[..., 0, :-1].reshape(expected.shape)):
        fail(
            f"for {case}: you kept the class token's column and dropped the last patch: column 0 is the "
            "class token itself, the patches are columns 1 to N - 1"
        )
    if close(got, weights[..., 0, 1:].reshape(batch, heads, cols, rows).transpose(-1, -2)):
        fail(
            f"for {case}: the patches are placed column by column; they were flattened row by row "
            "(patch k sits at row k // cols, column k % cols)"
        )
    slip = _grid_slip(class_token_grid, (batch, heads, rows, cols), case, generator)
    if slip:
        fail(slip)
    fail(f"for {case}: your grid differs from the class token's attention to the patches")


def _check_grid_shape(
    class_token_grid: Callable[[torch.Tensor, int, int], torch.Tensor],
    got: torch.Tensor,
    weights: torch.Tensor,
    expected: torch.Tensor,
    case: str,
    shape: tuple[int, int, int, int],
    generator: torch.Generator,
) -> None:
    """Fail with a named slip if ``got`` is not a (B, heads, rows, cols) grid of the class token's patch weights."""
    batch, heads, rows, cols = shape
    isqrt_slip = _isqrt_rows(got, weights, rows, cols, case)
    if isqrt_slip:
        fail(isqrt_slip)
    if tuple(got.shape) == (batch, heads, cols, rows) and rows != cols:
        fail(f"for {case}: your shape {tuple(got.shape)} has rows and cols swapped; expect (B, heads, rows, cols)")
    fused = _heads_fused(got, weights, rows, cols)
    if fused:
        fail(f"for {case}: {fused}")
    if tuple(got.shape) == tuple(weights[..., 0, 2:].shape) and close(got, weights[..., 0, 2:]):
        fail(
            _DEIT_HABIT.format(case=case)
            + f"; and reshape them onto the grid, (B, heads, rows, cols): the {rows * cols} patches came "
            "row by row"
        )
    if tuple(got.shape) == (batch, heads, rows * cols) and close(got, weights[..., 0, 1:]):
        fail(
            f"for {case}: you have the right {rows * cols} weights, still flat: reshape them onto the grid, "
            "(B, heads, rows, cols), row by row: the patches came in that order"
        )
    if tuple(got.shape) != tuple(expected.shape):
        slip = _grid_slip(class_token_grid, shape, case, generator)
        if slip:
            fail(slip)
        fail(f"for {case}: expected shape {tuple(expected.shape)} (B, heads, rows, cols), got {tuple(got.shape)}")


def _refuse_a_list(returned: object, case: str, shape: str) -> None:
    """Exercises 2 to 4 and 6 return one tensor: a Python list or tuple is refused, by name."""
    if isinstance(returned, (list, tuple)):
        fail(
            f"for {case}: your function returned a Python {type(returned).__name__}, not a tensor: return one "
            f"{shape} tensor for the whole batch (e.g. torch.stack of the pieces)"
        )


def _one_tensor(returned: object, case: str, shape: str) -> torch.Tensor:
    """Exercise 4: the result as one tensor; a list or tuple, None (a missing return) and one number are named."""
    _refuse_a_list(returned, case, shape)
    if returned is None or isinstance(returned, (int, float)):  # not a curve: no tensor, or one number
        what = "None (a missing return?)" if returned is None else "a single number"
        fail(f"for {case}: your function returned {what}: return one {shape} tensor")
    return as_tensor(returned, f"your result for {case}")


def _one_value(got: torch.Tensor, case: str) -> None:
    """Exercise 3: a grid with one value everywhere (zeros, ones, a filled tensor) never read the weights."""
    if got.numel() > 1 and bool((got == got.flatten()[0]).all()):
        fail(
            f"for {case}: your grid holds one value, {got.flatten()[0].item():.3g}, everywhere: it does not read "
            "the weights. Which row holds the class token's attention, and which columns belong to the patches?"
        )


def check_class_token_grid(class_token_grid: Callable[[torch.Tensor, int, int], torch.Tensor]) -> None:
    """Check ``class_token_grid(weights, rows, cols)``: ``(B, heads, N, N) -> (B, heads, rows,
    cols)``, the class token's attention to each patch at the patch's grid position."""
    generator = torch.Generator().manual_seed(8)
    for number, (batch, heads, rows, cols) in enumerate(GRID_CASES):
        tokens = rows * cols + 1
        dtype = torch.float64 if number in GRID_FLOAT64 else torch.float32
        weights = torch.softmax(torch.randn(batch, heads, tokens, tokens, generator=generator, dtype=dtype), dim=-1)
        expected = class_token_attention(weights, (rows, cols))
        case = f"a {rows}x{cols} patch grid (N = {tokens} tokens, {str(dtype).replace('torch.', '')} weights)"
        hint = (
            f"That was for {case}. The weights hold N = {tokens} columns: one for the class token and "
            f"{rows * cols} for the patches; only the patches go on the grid"
        )

        def named_hint(
            error: Exception,
            hint: str = hint,
            case: str = case,
            shape: tuple[int, int, int, int] = (batch, heads, rows, cols),
        ) -> str:
            names = {getattr(class_token_grid, n, "") for n in ("__name__", "__qualname__")}  # 3.10+: the qualname
            if isinstance(error, TypeError) and any(str(error).startswith(f"{name}()") for name in names):
                return "The check calls class_token_grid(weights, rows, cols): keep those three arguments"
            slip = _grid_slip(class_token_grid, shape, case, generator) or _fixed_heads(class_token_grid, shape, case)
            if slip:  # a named slip replaces the raw error text (e.g. the reshape's RuntimeError)
                fail(slip)
            return hint

        given = weights.clone()
        got = _NO_CLASS_TOKEN_ATTENTION(class_token_grid, given, rows, cols, hint=named_hint)
        _refuse_a_list(got, case, "(B, heads, rows, cols)")
        if got is None or isinstance(got, (int, float)):  # not a grid: no tensor, or one number
            what = "None (a missing return?)" if got is None else "a single number"
            fail(f"for {case}: your function returned {what}: return one (B, heads, rows, cols) tensor, the grid")
        got = as_tensor(got, f"your grid for {case}")
        if _changed_in_place([weights], [given]):
            fail(
                _IN_PLACE.format(
                    case=case,
                    what="weights",
                    how="e.g. weights[:, :, 0, 0] = 0, or an in-place op on a view of it",
                    where="the recorded attention weights that rollout and every later map read",
                )
            )
        _check_grid_shape(class_token_grid, got, weights, expected, case, (batch, heads, rows, cols), generator)
        _one_value(got, case)
        _keep_float64(got, dtype, case, "grid")
        if close(got, expected):
            continue
        _name_grid_slip(class_token_grid, got, expected, weights, case, generator)
    passed("row 0, patch columns only, reshaped row by row: the class token's view of the image.")


# --- exercise 4: an insertion curve ------------------------------------------------------------------------------


class _forbid_by_name(forbid):
    """:class:`forbid`, and while its block runs each target swapped, in ``modules`` and in the answer's own
    globals, for a stand-in that records the call before running it: a call that fails before the function
    starts (wrong arguments), or whose refusal the learner catches with ``try``/``except``, is still refused
    when the block ends (review r28a, minor 1)."""

    def __init__(self, *targets: Any, reason: str, modules: tuple[Any, ...] = ()) -> None:
        super().__init__(*targets, reason=reason)
        self._targets, self._modules = targets, modules
        self._swapped: list[tuple[dict, str, Any]] = []
        self._answer_globals: dict | None = None

    def _stand_in(self, target: Callable[..., Any]) -> Callable[..., Any]:
        name = _display_name(target)

        @functools.wraps(target)
        def stand_in(*args: Any, **kwargs: Any) -> Any:
            self._record(name)
            return target(*args, **kwargs)

        return stand_in

    def __enter__(self) -> _forbid_by_name:
        spaces = [vars(module) for module in self._modules] + [self._answer_globals or {}]
        for space in spaces:
            for key, value in list(space.items()):
                if any(value is target for target in self._targets):
                    self._swapped.append((space, key, value))
                    space[key] = self._stand_in(value)
        super().__enter__()
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        for space, key, value in reversed(self._swapped):
            space[key] = value
        self._swapped = []
        super().__exit__(kind, error, traceback)

    def __call__(self, answer: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self._answer_globals = getattr(answer, "__globals__", None)
        try:
            return super().__call__(answer, *args, **kwargs)
        finally:
            self._answer_globals = None


_NO_DELETION_MACHINERY = _forbid_by_name(
    insertion_areas,
    deletion_areas,
    deletion_curve,
    deletion_curves,
    reason="the insertion curve",
    modules=(_attention_maps_module,),
)

# (batch, channels, H, W, rows, cols, classes): 4 x 4 patches first (a map read as (cols, rows) also fits
# there), then 2 x 4, 3 x 4 and 2 x 2; never a square grid, B never len(counts) (5, from 0 to P)
INSERTION_CASES = (
    (3, 1, 8, 16, 2, 4, 5),
    (2, 2, 12, 8, 6, 2, 4),
    (4, 1, 12, 12, 4, 3, 6),
    (3, 3, 10, 6, 5, 3, 3),
)

_INSERTION_MISTAKES = (
    (
        "sides swapped",
        "height from W // cols, width from H // rows: swapped. A patch is H // rows = {ph} pixels high and "
        "W // cols = {pw} wide",
    ),
    (
        "swapped sides",
        "you swapped the patch sides (ph = H // cols, pw = W // rows): a patch is H // rows = {ph} pixels high "
        "and W // cols = {pw} wide",
    ),
    (
        "lowest first",
        "you put back the LOWEST-scored patches first (an ascending sort, or topk(largest=False)): insertion "
        "puts back the k highest-scored patches",
    ),
    (
        "deletion",
        "that is a deletion curve (start from the image and black out the k top patches): insertion starts "
        "from an all-zero image and puts the k top patches back",
    ),
    (
        "predicted class",
        "you read the probability of the class the model predicts (argmax), not of the true label: read "
        "softmax(...)[label] with labels[b] for image b",
    ),
    ("largest probability", "you read the largest probability (.max), not the true label's: index with labels[b]"),
    *(
        (
            fill,
            f"you filled the blank pixels with {whose} mean: blank pixels must be 0; "
            "multiply the image by a 0/1 mask of its k top patches",
        )
        for fill, whose in (("image-mean fill", "each image's"), ("batch-mean fill", "the batch's"))
    ),
    (
        "grey fill",
        "you filled the blank pixels with grey (0.5): insertion starts from an all-zero image, MNIST's black "
        "background, so the pixels outside the k top patches must be 0 (multiply the image by a 0/1 mask)",
    ),
    (
        "bilinear",
        "your mask has soft edges (bilinear upsampling, as vit-explain's cv2.resize): a pixel is either kept or "
        "0; grow the (rows, cols) 0/1 grid with repeat_interleave, H // rows and W // cols times",
    ),
    ("logits", "you returned logits: apply .softmax(-1) and read the true label's probability"),
    ("log-probabilities", "you returned log-probabilities (log_softmax): return probabilities, softmax(-1)"),
    (
        "patch side 4",
        "your patch side is 4 pixels, written in: here the patches are {ph} x {pw}; take them from the shapes, "
        "H // rows and W // cols",
    ),
    (
        "pixels",
        "you ranked pixels (the map upsampled, then the top k pixels): rank the rows x cols patches and put "
        "back k whole patches",
    ),
    (
        "transposed map",
        "you read the map as (cols, rows) (rows and cols swapped, e.g. scores.transpose(-2, -1)): scores[b, r, c] "
        "is the patch in row r, column c; this case's grid is {rows} x {cols}",
    ),
    (
        "column order",
        "the patches are placed column by column (your scores read column by column); they are numbered row by "
        "row (patch p sits at row p // cols, column p % cols): flatten the map with scores.flatten(1)",
    ),
    (
        "column ranked",
        "column order: you ranked the patches column by column (scores.transpose(-2, -1).flatten(1)) and placed "
        "them row by row (patch p at row p // cols, column p % cols), so the patch you put back is not the one "
        "you ranked: rank and place in the same order, flatten the map with scores.flatten(1)",
    ),
    (
        "first image's order",
        "every image got the first image's order: the patches you put back were ranked on scores[0] alone, "
        "whatever the image; image b's patches are ranked on its own map",
    ),
    ("one more", "off by one: you put back k + 1 patches for count k (count 0 is the all-zero image)"),
    ("one fewer", "off by one: you put back k - 1 patches for count k (count k shows exactly k patches)"),
    (
        "every patch at 0",
        "with k = 0 you put back every patch: order[:, -k:] at k = 0 is order[:, -0:], the whole row; "
        "take the k highest as argsort(descending=True)[:, :k], which is empty at k = 0",
    ),
    (
        "one patch at 0",
        "with k = 0 you put back one patch (max(k, 1), or a guard around topk): count 0 is the all-zero image, "
        "and topk(0) or order[:, :0] is empty, so no guard is needed",
    ),
)


def _insertion_case(
    generator: torch.Generator, batch: int, channels: int, height: int, width: int, rows: int, cols: int, classes: int
) -> tuple[nn.Module, torch.Tensor, torch.Tensor, torch.Tensor, list[int]]:
    """A small random float32 model, random images, maps without ties, five counts: 0, three drawn
    from 1..P-1, and P (review r30b major 1: the ends catch order[:, -k:] and max(k, 1)); and labels
    that differ from the model's prediction on the first image."""
    features = channels * height * width
    model = nn.Sequential(nn.Flatten(), nn.Linear(features, 16), nn.Tanh(), nn.Linear(16, classes)).eval()
    with torch.no_grad():
        for layer in (model[1], model[3]):
            layer.weight.copy_(torch.randn(layer.weight.shape, generator=generator) * 3 / layer.in_features**0.5)
            layer.bias.copy_(torch.randn(layer.bias.shape, generator=generator) * 0.1)
    images = torch.rand(batch, channels, height, width, generator=generator)
    scores = torch.randn(batch, rows, cols, generator=generator)
    with torch.no_grad():
        predicted = model(images).argmax(-1)
    labels = torch.randint(0, classes, (batch,), generator=generator)
    labels[0] = (predicted[0] + 1 + torch.randint(0, classes - 1, (), generator=generator)) % classes
    patches = rows * cols
    inner = (torch.randperm(patches - 1, generator=generator)[:3] + 1).sort().values
    return model, images, labels, scores, [0, *(int(k) for k in inner), patches]


def _patch_masks(
    scores: torch.Tensor, counts: list[int], size: tuple[int, int], *, highest: bool = True, order: str = "rows"
) -> torch.Tensor:
    """``(B, S, H, W)``: 1 on the ``counts[s]`` top-scored patches (lowest with ``highest=False``),
    patches numbered row by row (``order="cols"``: placed column by column)."""
    batch, rows, cols = scores.shape
    patches = rows * cols
    ranked = scores.reshape(batch, patches).argsort(-1, descending=highest)
    rank = torch.empty_like(ranked).scatter_(1, ranked, torch.arange(patches).expand(batch, patches))
    keep = (rank[:, None, :] < torch.tensor(counts)[None, :, None]).to(scores.dtype)  # (B, S, P)
    if order == "ranked by cols":  # ranked on the column-major numbering, placed row by row
        ranked = scores.transpose(-2, -1).reshape(batch, patches).argsort(-1, descending=highest)
        rank = torch.empty_like(ranked).scatter_(1, ranked, torch.arange(patches).expand(batch, patches))
        keep = (rank[:, None, :] < torch.tensor(counts)[None, :, None]).to(scores.dtype)
    if order == "cols":
        grid = keep.reshape(batch, len(counts), cols, rows).transpose(-2, -1)
    else:
        grid = keep.reshape(batch, len(counts), rows, cols)
    return grid.repeat_interleave(size[0] // rows, -2).repeat_interleave(size[1] // cols, -1)


def _side_four_masks(scores: torch.Tensor, counts: list[int], size: tuple[int, int]) -> torch.Tensor:
    """The masks of a patch side 4 written in: patch (r, c) is pixels [4r, 4r + 4) x [4c, 4c + 4), clipped."""
    batch, rows, cols = scores.shape
    grid = _patch_masks(scores, counts, (rows, cols))  # (B, S, rows, cols)
    masks = torch.zeros(batch, len(counts), *size)
    for r in range(rows):
        for c in range(cols):
            masks[..., 4 * r : 4 * r + 4, 4 * c : 4 * c + 4] = grid[..., r, c, None, None]
    return masks


def _swapped_side_masks(
    scores: torch.Tensor, counts: list[int], size: tuple[int, int], *, results: bool = False
) -> torch.Tensor:
    """The masks of swapped patch sides: patch (r, c) is pixels [r * H // cols, ...) x [c * W // rows, ...), clipped;
    ``results=True``: the two sides' results swapped instead, [r * W // cols, ...) x [c * H // rows, ...)."""
    batch, rows, cols = scores.shape
    ph, pw = size[0] // cols, size[1] // rows  # the slip: each side divided by the other axis's count
    if results:
        ph, pw = size[1] // cols, size[0] // rows  # the slip: height from W // cols, width from H // rows
    grid = _patch_masks(scores, counts, (rows, cols))  # (B, S, rows, cols)
    masks = torch.zeros(batch, len(counts), *size)
    for r in range(rows):
        for c in range(cols):
            masks[..., ph * r : ph * r + ph, pw * c : pw * c + pw] = grid[..., r, c, None, None]
    return masks


def _pixel_masks(scores: torch.Tensor, counts: list[int], size: tuple[int, int]) -> torch.Tensor:
    """The masks of ranking pixels: the map upsampled to the image, then the top ``k`` pixels."""
    rows, cols = scores.shape[-2:]
    pixels = scores.repeat_interleave(size[0] // rows, -2).repeat_interleave(size[1] // cols, -1)  # (B, H, W)
    return _patch_masks(pixels, counts, size)


@torch.no_grad()
def _readings(
    model: nn.Module, images: torch.Tensor, masks: torch.Tensor, fill: torch.Tensor | float = 0.0
) -> torch.Tensor:
    """``(B, S, classes)`` logits of each image shown through each of its ``(B, S, H, W)`` masks, the rest
    ``fill`` (0, or a tensor broadcast against ``(B, S, C, H, W)``)."""
    batch, steps = masks.shape[:2]
    shown = images[:, None] * masks[:, :, None] + fill * (1 - masks[:, :, None])  # (B, S, C, H, W)
    return model(shown.flatten(0, 1)).reshape(batch, steps, -1)


def _insertion_variants(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, scores: torch.Tensor, counts: list[int]
) -> dict[str, torch.Tensor]:
    """The plain rule and plausible wrong insertion curves, each named by its slip."""
    size = tuple(images.shape[-2:])
    patches = scores[0].numel()
    rule = _patch_masks(scores, counts, size)
    masks = {
        "right": rule,
        "lowest first": _patch_masks(scores, counts, size, highest=False),
        "deletion": 1 - rule,
        "patch side 4": _side_four_masks(scores, counts, size),
        "swapped sides": _swapped_side_masks(scores, counts, size),
        "sides swapped": _swapped_side_masks(scores, counts, size, results=True),
        "pixels": _pixel_masks(scores, counts, size),
        "column order": _patch_masks(scores, counts, size, order="cols"),
        "column ranked": _patch_masks(scores, counts, size, order="ranked by cols"),
        "one more": _patch_masks(scores, [min(k + 1, patches) for k in counts], size),
        "first image's order": _patch_masks(scores[:1].expand_as(scores), counts, size),
        "one fewer": _patch_masks(scores, [max(k - 1, 0) for k in counts], size),
        "every patch at 0": _patch_masks(scores, [k or patches for k in counts], size),
        "one patch at 0": _patch_masks(scores, [max(k, 1) for k in counts], size),
        "bilinear": nn.functional.interpolate(
            _patch_masks(scores, counts, scores.shape[-2:]), size=size, mode="bilinear"
        ),
    }
    rows, cols = scores.shape[-2:]
    if size[0] % cols == 0 and size[1] % rows == 0:
        masks["transposed map"] = _patch_masks(scores.transpose(-2, -1), counts, size)
    curves = {}
    index = labels[:, None, None].expand(-1, len(counts), 1)
    for name, mask in masks.items():
        logits = _readings(model, images, mask)
        curves[name] = logits.softmax(-1).gather(-1, index)[..., 0]
        if name == "right":  # the blank pixels filled with each image's mean, or the batch's, instead of 0
            per_image = images.mean((1, 2, 3))[:, None, None, None, None]
            fills = (("image-mean fill", per_image), ("batch-mean fill", images.mean()), ("grey fill", 0.5))
            for fill_name, fill in fills:
                fill_logits = _readings(model, images, mask, fill)
                curves[fill_name] = fill_logits.softmax(-1).gather(-1, index)[..., 0]
            predicted = _readings(model, images, torch.ones_like(mask[:, :1])).argmax(-1)  # (B, 1)
            curves["predicted class"] = logits.softmax(-1).gather(-1, predicted[..., None].expand_as(index))[..., 0]
            curves["largest probability"] = logits.softmax(-1).amax(-1)
            curves["logits"] = logits.gather(-1, index)[..., 0]
            curves["log-probabilities"] = logits.log_softmax(-1).gather(-1, index)[..., 0]
    return curves


def reference_insertion_curve(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, scores: torch.Tensor, counts: list[int]
) -> torch.Tensor:
    """The package's answer: :func:`vit_explained.attention_maps.insertion_areas` read at every count,
    then at ``counts`` (which may start above 0 or stop below P)."""
    patches = scores[0].numel()
    curves, _ = insertion_areas(model, images, labels, {"map": scores}, counts=list(range(patches + 1)))
    return curves["map"][:, counts]


def _name_insertion_shape(got: torch.Tensor, expected: torch.Tensor, case: str, classes: int = 0) -> None:
    """Fail, naming the slip, when the result is every class's probability (:func:`_name_class_probabilities`),
    (len(counts), B), a mean over the batch, or another shape."""
    _name_class_probabilities(got, expected, classes, case)
    if tuple(got.shape) == tuple(expected.shape):
        return
    if tuple(got.shape) == tuple(expected.T.shape) and close(got.T, expected):
        fail(f"for {case}: your result is (len(counts), B): return one row per image, (B, len(counts))")
    if tuple(got.shape) == (expected.shape[1],) and close(got, expected.mean(0)):
        fail(f"for {case}: you averaged over the batch: return one curve per image, (B, len(counts))")
    batch = expected.shape[0]
    if got.dim() == 3 and sorted(got.shape) == sorted((batch, batch, expected.shape[1])):
        fail(
            f"for {case}: your result has a (B, B) block: indexing by the labels alone reads every label for "
            "every image; pick one probability per image, its own label's"
        )
    fail(f"for {case}: expected shape {tuple(expected.shape)} (B, len(counts)), got {tuple(got.shape)}")


def _name_class_probabilities(got: torch.Tensor, expected: torch.Tensor, classes: int, case: str) -> None:
    """Exercise 4: every class's probability kept (``(B, num_classes)``, or one such row per count), named by
    its shape before any value is compared; its rows sum to 1, a curve of true-label probabilities does not."""
    if got.dim() < 2 or got.shape[-1] != classes or (got.shape == expected.shape and close(got, expected)):
        return
    if bool((got == got.flatten()[0]).all()):  # one value everywhere: _constant_curve names it
        return
    if torch.allclose(got.double().sum(-1), torch.ones((), dtype=torch.float64), atol=1e-4):
        fail(
            f"for {case}: your result is {tuple(got.shape)}, one probability per class ({classes} classes), each "
            "row summing to 1: keep only the true label's probability, one per count, (B, len(counts))"
        )


def check_insertion_curve(
    insertion_curve: Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Tensor, list[int]], torch.Tensor],
) -> None:
    """Check ``insertion_curve(model, images, labels, scores, counts) -> (B, len(counts))``: from an all-zero
    image, the ``k`` highest-scored patches put back, the true label's probability; compared with
    :func:`vit_explained.attention_maps.insertion_areas` on random models, images, maps and counts."""
    generator = torch.Generator().manual_seed(1216)  # fixed cases: a failure reproduces on the next run
    four_passed = False
    for batch, channels, height, width, rows, cols, classes in INSERTION_CASES:
        model, images, labels, scores, counts = _insertion_case(
            generator, batch, channels, height, width, rows, cols, classes
        )
        expected = reference_insertion_curve(model, images, labels, scores, counts)
        ph, pw = height // rows, width // cols
        case = f"images {tuple(images.shape)}, a {rows} x {cols} map ({ph} x {pw} patches), counts {counts}"
        given = images.clone()
        try:
            got = _NO_DELETION_MACHINERY(
                insertion_curve,
                model,
                given,
                labels.clone(),
                scores.clone(),
                list(counts),
                hint=functools.partial(_insertion_hint, case=case, side=(ph, pw), four_passed=four_passed),
            )
        except ExerciseFailed as failure:  # it raised: does it work on the lesson's own digits and grid?
            if "your function called" not in str(failure):
                _square_patches(insertion_curve, (ph, pw), case)
            side_four = _name_side_four(failure, four_passed, case, (ph, pw))  # a patch side 4 written in: first
            if not side_four and "your function called" not in str(failure):
                _square_only(insertion_curve, rows, cols, case)
            if (
                not side_four
                and "your function called" not in str(failure)
                and _works_on_the_lessons_digits(insertion_curve)
            ):
                fail(
                    f"for {case}: your function raised, yet it works on the lesson's 28 x 28 digits with a 7 x 7 "
                    "map: the 7 x 7 grid or the 28-pixel image is written in; take rows, cols = "
                    "scores.shape[-2:] and H, W = images.shape[-2:]"
                )
            raise
        got = _one_tensor(got, case, "(B, len(counts))")
        _left_as_found(model, given, images, case)
        _name_insertion_shape(got, expected, case, classes)
        if close(got, expected):
            four_passed = four_passed or (ph, pw) == (4, 4)
            continue
        _one_curve_for_all(got, expected, case)  # after a constant curve (named first)
        variants = _insertion_variants(model, images, labels, scores, counts)
        for name, mistake in _INSERTION_MISTAKES:
            if name in variants and close(got, variants[name]):
                fail(f"for {case}: " + mistake.format(ph=ph, pw=pw, rows=rows, cols=cols))
        _name_wrong_labels(got, model, images, labels, scores, counts, case)
        _square_patches(insertion_curve, (ph, pw), case)
        _square_only(insertion_curve, rows, cols, case)
        fail(f"for {case}: your curve differs from the reference{_first_wrong_count(got, expected, counts)}")
    passed("from an all-zero image, the k top patches put back, the true label's probability: an insertion curve.")


def _constant_curve(got: torch.Tensor, case: str) -> None:
    """Exercise 4: a curve with one value everywhere never ran the model on the images."""
    if got.numel() > 1 and bool((got == got.flatten()[0]).all()):
        fail(
            f"for {case}: your curve holds one value, {got.flatten()[0].item():.3g}, everywhere: "
            "your curve does not depend on the image or the map"
        )


def _left_as_found(model: nn.Module, given: torch.Tensor, images: torch.Tensor, case: str) -> None:
    """Fail when the function left the model in train mode or changed the images it was given."""
    if model.training:
        fail(
            f"for {case}: your function left the model in train mode (model.training is True afterwards): "
            "do not call model.train(); the caller's model is in eval mode, leave it so"
        )
    if not torch.equal(given, images):
        fail(f"for {case}: your function changed the images in place: put patches back into a new tensor")


def _one_curve_for_all(got: torch.Tensor, expected: torch.Tensor, case: str) -> None:
    """Fail, naming the slip, when the curve is constant (:func:`_constant_curve`, first), then when every image's
    row is the same curve (e.g. the batch's mean copied to each)."""
    _constant_curve(got, case)
    if len(got) > 1 and close(got, got[:1].expand_as(got)) and not close(expected, expected[:1].expand_as(expected)):
        fail(
            f"for {case}: every row of your result is the same curve: one curve per image, not the batch mean; "
            "read each image's own probability, softmax(...)[b, labels[b]]"
        )


def _first_wrong_count(got: torch.Tensor, expected: torch.Tensor, counts: list[int]) -> str:
    """Where to look first: count 0 (the all-zero image) only when that reading is itself wrong."""
    wrong = [k for s, k in enumerate(counts) if not close(got[:, s], expected[:, s])]
    if not wrong:
        return ""
    if wrong == [0]:  # count 0 the only wrong column: the all-zero image itself
        return "; only count 0 differs: check count 0 (the all-zero image) first"
    earlier = "" if wrong[0] == counts[0] else " (the counts before it are right)"  # none before the first
    return f"; count {wrong[0]} is the first that differs{earlier}"


def _name_wrong_labels(
    got: torch.Tensor,
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    scores: torch.Tensor,
    counts: list[int],
    case: str,
) -> None:
    """Fail naming the slip when every image's curve is the right one for some class, not its own label."""
    size = tuple(images.shape[-2:])
    probabilities = _readings(model, images, _patch_masks(scores, counts, size)).softmax(-1)  # (B, S, classes)
    read = []
    for b in range(len(images)):
        matches = [c for c in range(probabilities.shape[-1]) if close(got[b], probabilities[b, :, c])]
        if not matches:
            return
        read.append(labels[b].item() if labels[b].item() in matches else matches[0])
    wrong = [b for b in range(len(images)) if read[b] != labels[b].item()]
    if wrong:
        b = wrong[0]
        fail(
            f"for {case}: the right patches, the wrong class: for image {b} you read class {read[b]}'s probability, "
            f"its label is {labels[b].item()} (your labels are {read}, the true ones {labels.tolist()}). Read "
            "probabilities[b, labels[b]] for image b, e.g. .gather(-1, labels[:, None])"
        )


def _works_on(
    insertion_curve: Callable[..., Any], size: int | tuple[int, int], grid: int | tuple[int, int], seed: int
) -> bool:
    """Does the function give the right curve on ``size`` (H, W or a square side) images with a ``grid``
    (rows, cols or a square side) map?"""
    (height, width), (rows, cols) = (s if isinstance(s, tuple) else (s, s) for s in (size, grid))
    generator = torch.Generator().manual_seed(seed)
    model, images, labels, scores, counts = _insertion_case(generator, 2, 1, height, width, rows, cols, 4)
    expected = reference_insertion_curve(model, images, labels, scores, counts)
    try:
        got = _NO_DELETION_MACHINERY(insertion_curve, model, images.clone(), labels.clone(), scores.clone(), counts)
    except ExerciseFailed:
        return False
    return isinstance(got, torch.Tensor) and got.shape == expected.shape and close(got, expected)


def _works_on_the_lessons_digits(insertion_curve: Callable[..., Any]) -> bool:
    """Does the function give the right curve on 28 x 28 images with a 7 x 7 map (the lesson's model)?"""
    return _works_on(insertion_curve, 28, 7, seed=28)


def _square_patches(insertion_curve: Callable[..., Any], side: tuple[int, int], case: str) -> None:
    """Fail naming a patch width taken as H // rows when patches are not square: the function works on
    square 6 x 6 patches of a 2 x 3 map but not on 4 x 6 patches of a 3 x 3 one."""
    if (
        side[0] != side[1]
        and _works_on(insertion_curve, (12, 18), (2, 3), seed=23)
        and not _works_on(insertion_curve, (12, 18), (3, 3), seed=33)
    ):
        fail(
            f"for {case}: your function works when patches are square but not on these {side[0]} x {side[1]} "
            "ones. A patch is H // rows pixels high and W // cols wide. Either the sides are swapped (height from "
            "W // cols, width from H // rows: swapped), or it seems to use H // rows for both sides. The patch "
            "width is W // cols"
        )


def _square_only(insertion_curve: Callable[..., Any], rows: int, cols: int, case: str) -> None:
    """Fail when the map is not square and the function works on a square 3 x 3 map of 6 x 6 patches (neither the
    lesson's grid nor side 4), naming the slip that a 2 x 8 map on 16 x 16 images shows (:func:`_square_slip`)."""
    if rows == cols or not _works_on(insertion_curve, 18, 3, seed=18):
        return
    start = f"for {case}: your function works on a square map but not on this {rows} x {cols} one"
    end = "A patch is H // rows high and W // cols wide; take rows and cols from the map's shape"
    slip = _square_slip(insertion_curve)
    if slip == "swapped":
        fail(
            f"{start}, and it raises on a 2 x 8 map of 16 x 16 images: each patch side seems divided by the other "
            f"axis's count (ph, pw = H // cols, W // rows: swapped). {end}"
        )
    if slip == "isqrt":
        fail(
            f"{start}, and on a 2 x 8 map of 16 x 16 images it gives the curve of a 4 x 4 map: the grid's side "
            f"seems to come from the square root of the patch count (isqrt(rows * cols)), the side only of a square "
            f"grid. {end}"
        )
    fail(f"{start}. {end}")


def _square_slip(insertion_curve: Callable[..., Any]) -> str:
    """Tell apart the two slips that only a square map hides, on a 2 x 8 map of 16 x 16 images: patch sides
    swapped (ph, pw = H // cols, W // rows = 2, 8) raise when the mask is built on the grid and upsampled (4 x 64
    pixels; swapped sides that run were matched before this, in ``_INSERTION_MISTAKES``); a grid side
    isqrt(16) = 4 runs and reads the map as 4 x 4. Returns "swapped", "isqrt" or "" (neither)."""
    generator = torch.Generator().manual_seed(16)
    model, images, labels, scores, counts = _insertion_case(generator, 2, 1, 16, 16, 2, 8, 4)
    try:
        got = _NO_DELETION_MACHINERY(insertion_curve, model, images.clone(), labels.clone(), scores.clone(), counts)
    except ExerciseFailed as failure:
        return "" if "your function called" in str(failure) else "swapped"
    masks = _patch_masks(scores.reshape(len(scores), 4, 4), counts, (16, 16))
    index = labels[:, None, None].expand(-1, len(counts), 1)
    square = _readings(model, images, masks).softmax(-1).gather(-1, index)[..., 0]
    fits = isinstance(got, torch.Tensor) and got.shape == square.shape and close(got, square)
    return "isqrt" if fits else ""


def _name_side_four(failure: ExerciseFailed, four_passed: bool, case: str, side: tuple[int, int]) -> bool:
    """Exercise 4's most common slip, named before the error: it passed on 4 x 4 patches, then raised on others.
    Returns whether this case's patches are not 4 x 4 after a 4 x 4 case passed (a side 4 written in)."""
    side_four = four_passed and side != (4, 4)
    found = re.search(r"raised (\w+)", str(failure))
    raised = found.group(1) if found else "an error"
    if side_four and "your function called" not in str(failure):
        fail(
            f"for {case}: your function passed with 4 x 4 patches but raised {raised} "
            f"on these {side[0]} x {side[1]} ones: is the patch side 4 written in (ph = pw = 4, MNIST's patch)? "
            "Take it from the shapes, H // rows and W // cols"
        )
    return side_four


def _insertion_hint(error: Exception, case: str, side: tuple[int, int], four_passed: bool) -> str:
    """Say which case it was; after a 4 x 4 case passed, a failure on other patches names a side 4 written in."""
    if four_passed and side != (4, 4):
        return (
            f"That was for {case}: your function passed with 4 x 4 patches; is the patch side 4 written in? "
            "Take it from the shapes, H // rows and W // cols"
        )
    return (
        f"That was for {case}: a patch is H // rows by W // cols pixels, scores[b, r, c] the patch in row r, "
        "column c; return (B, len(counts))"
    )


# --- exercise 6: max fusion, the top patch -----------------------------------------------------------------

#: (batch, heads, rows, cols, layers, dtype): a wide grid, a square one, a tall one
MAX_FUSION_CASES = (
    (8, 3, 3, 5, 3, torch.float64),
    (6, 4, 4, 4, 2, torch.float32),
    (8, 2, 5, 3, 4, torch.float64),
)


def _top_patch(class_row: torch.Tensor, cols: int) -> torch.Tensor:
    """``(B, rows, cols)`` maps -> ``(B, 2)``: each map's largest patch as (row, col)."""
    flat = class_row.flatten(1).argmax(-1)
    return torch.stack([flat // cols, flat % cols], dim=-1)


def _no_keepdim_max_rollout(weights: list[torch.Tensor], eye: torch.Tensor) -> torch.Tensor:
    """Max-fusion rollout run one image at a time with vit-explain's ``a / a.sum(dim=-1)``: on one image the
    ``(N,)`` row sums broadcast along the last axis, so column j is divided by row j's sum."""
    rolled = eye.expand_as(weights[0][:, 0])
    for w in weights:
        fused = 0.5 * w.amax(1) + 0.5 * eye
        rolled = (fused / fused.sum(-1).unsqueeze(-2)) @ rolled
    return rolled


def _max_fusion_slips(weights: list[torch.Tensor], rows: int, cols: int) -> dict[str, torch.Tensor]:
    """Each slip's top patches ``(B, 2)``: mean or min fusion, reversed order, rows normalised before the identity is
    mixed in, no identity, no re-normalising, the last block alone, the last token's row of ``R`` read instead of the
    class token's, or column 0 of ``R`` (exercise 3's slip)."""
    eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    unnormalised = eye.expand_as(weights[0][:, 0])
    for w in weights:
        unnormalised = (0.5 * w.amax(1) + 0.5 * eye) @ unnormalised
    reversed_order = eye.expand_as(weights[0][:, 0])
    for w in weights:
        fused = 0.5 * w.amax(1) + 0.5 * eye
        reversed_order = reversed_order @ (fused / fused.sum(-1, keepdim=True))
    normalised_first = eye.expand_as(weights[0][:, 0])
    for w in weights:
        fused = w.amax(1)
        normalised_first = (0.5 * fused / fused.sum(-1, keepdim=True) + 0.5 * eye) @ normalised_first
    rolled = attention_rollout(weights, head_fusion="max")
    maps = {
        "mean": attention_rollout(weights, head_fusion="mean"),
        "min": attention_rollout(weights, head_fusion="min"),
        "reversed order": reversed_order,
        "normalise first": normalised_first,
        "no identity": attention_rollout(weights, head_fusion="max", residual=False),
        "no re-normalising": unnormalised,
        "last block": weights[-1].amax(1),
        "no keepdim": _no_keepdim_max_rollout(weights, eye),
    }
    slips = {name: _top_patch(class_token_attention(m, (rows, cols)), cols) for name, m in maps.items()}
    return (
        slips
        | {
            "last row": _top_patch(rolled[:, -1, 1:].reshape(-1, rows, cols), cols),  # not the class token
            "column": _top_patch(
                rolled[:, 1:, 0].reshape(-1, rows, cols), cols
            ),  # what each patch reads of the class token
        }
    )


_MAX_FUSION_MISTAKES = {
    "mean": "that is the top patch with the heads averaged (mean fusion): fuse them by their max over the heads axis",
    "min": "that is the top patch with the heads fused by their min (vit-explain's 'min'): fuse them by their max "
    "over the heads axis",
    "no identity": "you rolled out the fused matrices without the identity: mix 0.5 * I + 0.5 * A per block",
    "normalise first": _NORMALISE_FIRST.replace("keep * I + (1 - keep) * A", "0.5 * I + 0.5 * A"),
    "no re-normalising": (
        "you did not re-normalise the rows: a max over heads does not sum to 1 per row, so divide each mixed "
        "matrix by its row sums before multiplying"
    ),
    "last block": "that is the last block's max-fused attention alone: roll out through every block, first to last",
    "last row": (
        "you read the last token's row of R, R[:, -1]: the class token is token 0, so its row is the one to read"
    ),
    "column": (
        "you took a column of R, R[:, 1:, 0]: how much each patch reads of the class token. The class token's "
        "attention is its row, R[:, 0, 1:] (the query is the row index, the keys are the columns), as in exercise 3"
    ),
    "no keepdim": (
        "you divided each column, not each row, by the row sums: either you ran it one image at a time with "
        "vit-explain's a / a.sum(dim=-1), without keepdim (the (N,) sums broadcast along the last axis), or you "
        "divided by a.sum(-1)[:, None, :]. Write a / a.sum(dim=-1, keepdim=True)"
    ),
    "reversed order": (
        "you multiplied in the reversed order, R = R @ mixed, or walked the list last to first: walk it first to "
        "last, each new block on the left of the product so far, so the last block is applied last"
    ),
}


def _name_top_patch_slip(
    got: torch.Tensor,
    expected: torch.Tensor,
    weights: list[torch.Tensor],
    rows: int,
    cols: int,
    case: str,
    function: Callable[..., Any] | None = None,
) -> None:
    """Fail with the slip that gives ``got``, else with the first image whose patch differs."""
    swapped = expected.flip(-1)
    if rows != cols and torch.equal(got, swapped):
        fail(f"for {case}: you returned (col, row): return (row, col), row = index // cols, col = index % cols")
    flat = expected[:, 0] * cols + expected[:, 1]
    rounded = torch.stack([(flat / cols).round().long(), flat % cols], -1)
    if got.shape == expected.shape and torch.equal(got, rounded):
        first = int((rounded != expected).any(-1).nonzero()[0])
        fail(
            f"for {case}: your rows are round(t / cols): it rounds patch index {int(flat[first])} up to row "
            f"{int(rounded[first, 0])}, not {int(expected[first, 0])}; use t // cols (it rounds down), or "
            "divmod(int(i), cols) per index"
        )
    if torch.equal(got.flatten(), flat) or torch.equal(got.flatten(), flat + 1):
        fail(f"for {case}: you returned a flat index: return (row, col) per image, a (B, 2) tensor")
    if torch.equal(got, torch.stack([(flat + 1) // cols, (flat + 1) % cols], -1)):
        fail(f"for {case}: your index counts the class token: the patches are columns 1 to N - 1 of row 0")
    _name_grid_arithmetic(got, flat, rows, cols, case, _constant_origin(function, rows, cols))
    for name, slip in _max_fusion_slips(weights, rows, cols).items():
        if torch.equal(got, slip) and not torch.equal(slip, expected):
            fail(f"for {case}: {_MAX_FUSION_MISTAKES[name]}")
    if len(got) > 1 and bool((got == got[0]).all()):
        fail(f"for {case}: you gave the same patch for every image: your answer does not depend on the weights")
    wrong = int((got != expected).any(-1).nonzero()[0])
    fail(
        f"for {case}: your {tuple(got[wrong].tolist())} for image {wrong} is not its top patch; "
        "check each step on one block"
    )


def _constant_origin(function: Callable[..., Any] | None, rows: int, cols: int) -> bool:
    """Exercise 6: whether ``function`` still answers (0, 0) on weights where every token reads a middle patch,
    so that the class token's own column loses its row (0.25 against 0.75 after two blocks): a constant answer,
    not an argmax over the whole row (nor over ``R[:, 0, :-1]``, which drops the last patch)."""
    if function is None:
        return False
    tokens = 1 + rows * cols
    probe = torch.zeros(2, 1, tokens, tokens)
    probe[..., 1 + (rows * cols) // 2] = 1.0  # a middle patch: kept by [:-1] and by [1:] alike
    try:
        answer = torch.as_tensor(function([probe.clone(), probe.clone()], rows, cols)).long().reshape(-1)
    except Exception:  # any failure here: fall back on the plain message
        return False
    return answer.numel() > 0 and bool((answer == 0).all())


def _name_grid_arithmetic(
    got: torch.Tensor, flat: torch.Tensor, rows: int, cols: int, case: str, constant: bool = False
) -> None:
    """Exercise 6: the argmax taken over the whole class-token row (column 0, the class token, wins it through
    the 0.5 identity), or the flat index split by ``rows`` where ``cols`` belongs; ``constant``: the function
    answered (0, 0) even where the class token's column loses (:func:`_constant_origin`)."""
    same = tuple(got[0].tolist()) if len(got) > 1 and bool((got == got[0]).all()) else None
    column_0 = (
        "column 0, the class token itself, wins its own row through the 0.5 identity; take the argmax over the "
        "patch columns 1 to N - 1 only"
    )
    if same == (-1, cols - 1):
        fail(f"for {case}: you gave {same} for every image, index -1: you included column 0 in the argmax: {column_0}")
    if same == (0, 0) and constant:
        fail(
            f"for {case}: you gave (0, 0) for every image, and again on weights whose top patch is the last one: "
            "your answer does not depend on the weights"
        )
    if same == (0, 0):
        fail(f"for {case}: you gave (0, 0) for every image: you included column 0 in the argmax: {column_0}")
    if rows == cols:
        return
    for row, col in ((flat // rows, flat % rows), (flat // rows, flat % cols), (flat // cols, flat % rows)):
        if torch.equal(got, torch.stack([row, col], -1)):
            fail(
                f"for {case}: the right patch, split with rows (or isqrt(N - 1), a square grid's side) where cols "
                "belongs: a row of the grid holds cols patches, so row = index // cols and col = index % cols"
            )
    if torch.equal(got, torch.stack([flat % rows, flat // rows], -1)):  # (index % rows, index // rows): r29a minor 6
        fail(
            f"for {case}: you divided by rows; patches are numbered row by row, so row = index // cols "
            "and col = index % cols"
        )


def _on_digit_17(max_fusion_top_patch: Callable[..., Any]) -> str:
    """Run the learner's function on the lesson's test digit 17; one line comparing it with plain rollout."""
    from ..data import load_mnist
    from ..pretrained import load_mnist_vit

    model, digit = load_mnist_vit(), load_mnist().test_images[17:18]
    with capture_attention(model) as weights, torch.no_grad():
        model(digit)
    rows, cols = model.patch_embedding.grid
    mine = torch.as_tensor(max_fusion_top_patch([w.clone() for w in weights], rows, cols)).long()  # ints
    plain = _top_patch(class_token_attention(attention_rollout(weights), (rows, cols)), cols)
    mine_17, plain_17 = tuple(mine.reshape(-1)[:2].tolist()), tuple(plain[0].tolist())
    ink = _attention_maps_module.inked_patches(digit, (rows, cols))[0]  # (rows, cols): a pixel above 0.5
    on = [bool(ink[patch]) for patch in (mine_17, plain_17)]
    where = {(True, True): "both", (False, False): "neither"}.get(tuple(on), "max fusion's" if on[0] else "rollout's")
    return (
        f"On test digit 17 (a 7): max fusion's top patch {mine_17}, plain rollout's {plain_17}; "
        f"{where} on the ink (a pixel above 0.5, as in section 7)."
    )


#: exercise 6: divmod(t, cols) on the index tensor raises "unsupported operand type(s) for divmod(): 'Tensor' ..."
_DIVMOD_HINT = (
    "divmod takes Python ints, not a tensor: use t // cols and t % cols on the tensor, or divmod(int(i), cols) "
    "per index"
)


def _max_fusion_hint(
    error: Exception, function: Callable[..., Any], weights: list[torch.Tensor], rows: int, cols: int
) -> str | None:
    """Exercise 6: ``divmod`` on the index tensor named; exercise 2's hints (:func:`_rollout_hint`) for a raised
    error; a size mismatch between B and N
    is the missing keepdim if the sizes are exactly the case's B and N, or the function on the first image alone
    (B = 1, where that slip runs) gives the no-keepdim top patch."""
    if isinstance(error, TypeError) and "divmod()" in str(error) and "Tensor" in str(error):
        return _DIVMOD_HINT
    fused = [w[:, 0] for w in weights]
    hint = _rollout_hint(error, matrices=fused)
    if hint is not None:
        return _DTYPE_HINT.format("weights") if hint == _DTYPE_HINT.format("matrices") else hint
    message = str(error)
    if "must match the size of tensor" not in message:
        return None
    batch, tokens = weights[0].shape[0], weights[0].shape[-1]
    sizes = {int(size) for size in re.findall(r"tensor [ab] \((\d+)\)", message)}
    one = [w[:1].clone() for w in weights]
    slip = _top_patch(
        class_token_attention(_no_keepdim_max_rollout(one, torch.eye(tokens, dtype=one[0].dtype)), (rows, cols)), cols
    )
    got = _quietly(function, [w.clone() for w in one], rows, cols)
    on_one = got is not None and got.numel() == 2 and torch.equal(got.long().reshape(1, 2), slip)
    if on_one or (batch != tokens and sizes == {batch, tokens}):
        return _KEEPDIM_HINT
    return _HARD_CODED_N_HINT if sizes - {batch, tokens} else None


def _whole_patch_numbers(returned: object, batch: int, case: str) -> torch.Tensor:
    """Exercise 6: the answer as a long tensor; a ``(2, B)`` stack, and rows or columns that are not whole numbers
    (``t / cols``, true division; ``.long()`` would truncate them to the right answer), are named."""
    try:
        got = torch.as_tensor(returned).detach()
    except (TypeError, ValueError, RuntimeError):
        fail(f"for {case}: return a (B, 2) tensor of (row, col), got a {type(returned).__name__}")
    if tuple(got.shape) == (2, batch):
        fail(
            f"for {case}: your answer has shape (2, B) = {tuple(got.shape)}: one row per image: stack on dim=-1, "
            "torch.stack([row, col], dim=-1)"
        )
    if got.is_floating_point() and not bool((got == got.round()).all()):
        example = got[got != got.round()][0].item()
        fail(
            f"for {case}: your (row, col) are not whole numbers (e.g. {example:.3g}); if you wrote `t / cols`, that "
            "is true division: use `t // cols` (or `divmod(int(i), cols)` per index)"
        )
    return got.long()


def check_max_fusion_top_patch(max_fusion_top_patch: Callable[[list[torch.Tensor], int, int], Any]) -> None:
    """Check ``max_fusion_top_patch(weights, rows, cols) -> (B, 2)``: rollout with the heads fused by their max
    (``attention_rollout(weights, head_fusion="max")``), the class token's top patch as (row, col), on random
    weights; then run it on the lesson's test digit 17."""
    generator = torch.Generator().manual_seed(86)
    for batch, heads, rows, cols, layers, dtype in MAX_FUSION_CASES:
        tokens = 1 + rows * cols
        weights = [
            torch.rand(batch, heads, tokens, tokens, generator=generator, dtype=dtype).mul(4).softmax(-1)
            for _ in range(layers)
        ]
        expected = _top_patch(class_token_attention(attention_rollout(weights, head_fusion="max"), (rows, cols)), cols)
        case = f"{layers} block(s) of ({batch}, {heads}, {tokens}, {tokens}) weights, a {rows} x {cols} grid"
        hint = functools.partial(_max_fusion_hint, function=max_fusion_top_patch, weights=weights, rows=rows, cols=cols)
        returned = _NO_ROLLOUT(max_fusion_top_patch, [w.clone() for w in weights], rows, cols, hint=hint)
        _refuse_a_list(returned, case, "(B, 2)")  # one tensor, as in exercises 2 to 4
        got = _whole_patch_numbers(returned, batch, case)
        got = got.reshape(batch, -1) if got.numel() in (batch, 2 * batch) else got
        if tuple(got.shape) == (batch, 1):
            got = got.flatten()
        if tuple(got.shape) != (batch, 2):
            if tuple(got.shape) == (batch,):
                _name_top_patch_slip(got, expected, weights, rows, cols, case, max_fusion_top_patch)
            fail(f"for {case}: expected a (B, 2) tensor of (row, col), got shape {tuple(got.shape)}")
        if not torch.equal(got, expected):
            _name_top_patch_slip(got, expected, weights, rows, cols, case, max_fusion_top_patch)
    passed("heads fused by their max, rolled out, the class token's top patch. " + _on_digit_17(max_fusion_top_patch))

"""Checkers for lesson 08 (attention maps).

- :func:`check_record_outputs`: a forward hook that stores a module's output, detached, and is
  removed afterwards (also when the forward pass fails);
- :func:`check_rollout`: attention rollout of a list of ``(B, N, N)`` matrices, compared with
  :func:`vit_explained.attention_maps.attention_rollout`;
- :func:`check_class_token_grid`: the class token's attention to the patches, laid out on the
  patch grid, compared with :func:`vit_explained.attention_maps.class_token_attention`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ..attention import Attention
from ..attention_maps import attention_rollout, class_token_attention
from . import as_tensor, attempt, close, fail, forbid, passed

__all__ = ["check_class_token_grid", "check_record_outputs", "check_rollout"]


#: Exercises 2 and 3 rebuild the package's own functions.
_NO_ROLLOUT = forbid(attention_rollout, reason="attention rollout")
_NO_CLASS_TOKEN_ATTENTION = forbid(class_token_attention, reason="the class token's grid")


def _hook_count(module: nn.Module, *, besides: int = 0) -> int:
    """Forward hooks on ``module`` other than the checker's own (``besides``, a handle id)."""
    return len([key for key in module._forward_hooks if key != besides])


class _Boom(RuntimeError):
    """Raised by the checker's forward pass to see whether the hook is removed anyway."""


def _check_hook_left_output_alone(
    softmax: nn.Module, model_outputs: list[torch.Tensor], originals: list[torch.Tensor], calls: int
) -> None:
    """After ``record_outputs`` returned: no hook left, ``run()`` called once, outputs untouched."""
    if _hook_count(softmax) != 0:
        fail(
            "after your function returns, the hook is still registered on the module, so it keeps recording "
            "every later forward pass. register_forward_hook returns a handle: call handle.remove()"
        )
    if len(model_outputs) != calls:
        fail(f"call run() exactly once: the module should have run {calls} times, it ran {len(model_outputs)}")
    if any(out is not original for out, original in zip(model_outputs, originals, strict=True)):
        fail(
            "your hook changed the module's output: a forward hook that returns a value replaces the output. "
            "Store the detached copy in your list and return nothing from the hook"
        )


def _check_stored_outputs(stored: object, expected: list[torch.Tensor], scores: list[torch.Tensor]) -> None:
    """The list ``record_outputs`` returned holds the module's outputs, detached, one per call."""
    if not isinstance(stored, (list, tuple)):
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
                "its third argument is the output"
            )
        if not isinstance(got, torch.Tensor):
            fail(f"item {index} should be a tensor (the module's output), got {type(got).__name__}")
        if close(got, score):
            fail(
                f"item {index} is the module's input (the scores going into the softmax), not its output: "
                "a forward hook is called as hook(module, inputs, output)"
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

    def failing_run() -> None:
        attention(tokens)  # runs attention.attend, the explicit path
        raise _Boom("a forward pass that fails halfway")

    try:
        record_outputs(softmax, failing_run)
    except _Boom:
        pass  # the learner's function let run()'s exception through, as it should
    except Exception as error:
        fail(f"when run() raises, your function raised {type(error).__name__} instead of letting run()'s error through")
    if _hook_count(softmax) != 0:
        while softmax._forward_hooks:  # clean up so the learner's next try starts fresh
            softmax._forward_hooks.popitem()
        fail(
            "when run() raises an exception, your hook stays registered. Put the call in try: ... finally: "
            "handle.remove() so the hook goes away whatever happens"
        )


def check_record_outputs(record_outputs: Callable[[nn.Module, Callable[[], Any]], list[torch.Tensor]]) -> None:
    """Check ``record_outputs(module, run) -> list``: hook ``module``, call ``run()``, return the
    module's outputs (one detached tensor per call of the module), and remove the hook."""
    torch.manual_seed(0)
    attention = Attention(8, 2)
    attention.fused = False  # the explicit path, so attention.attend (the softmax) runs
    softmax = attention.attend
    tokens = [torch.randn(2, 5, 8, requires_grad=True) for _ in range(2)]
    expected = [attention(x, return_attention=True)[1].detach() for x in tokens]
    scores = []
    for x in tokens:
        q, k, _ = attention.project_qkv(x)
        scores.append((q @ k.transpose(-2, -1) * attention.scale).detach())
    model_outputs: list[torch.Tensor] = []  # what the softmax handed on, after every hook ran

    originals: list[torch.Tensor] = []  # what the softmax returned, before the learner's hook ran
    checker_hook = softmax.register_forward_hook(lambda _module, _inputs, output: originals.append(output))

    def run() -> None:
        for x in tokens:
            q, k, v = attention.project_qkv(x)
            _, weights = attention.scaled_dot_product(q, k, v, need_weights=True)  # calls attention.attend
            model_outputs.append(weights)

    try:
        stored = attempt(record_outputs, softmax, run)
    finally:
        checker_hook.remove()
    _check_hook_left_output_alone(softmax, model_outputs, originals, len(tokens))
    _check_stored_outputs(stored, expected, scores)
    _check_removed_after_error(record_outputs, attention, tokens[0])
    passed("your hook stores each output, detached, and is removed afterwards, even after an error.")


def _rollout_variants(matrices: list[torch.Tensor]) -> dict[str, torch.Tensor]:
    """Plausible wrong rollouts, each named by its mistake."""
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)

    def normalise(m: torch.Tensor) -> torch.Tensor:
        return m / m.sum(-1, keepdim=True)

    mixed = [normalise(0.5 * m + 0.5 * identity) for m in matrices]
    unnormalised = [0.5 * m + 0.5 * identity for m in matrices]
    no_identity = [normalise(m) for m in matrices]
    variants = {"order": identity, "identity": identity, "normalise": identity, "end": identity}
    for layer, raw, plain in zip(mixed, unnormalised, no_identity, strict=True):
        variants["order"] = variants["order"] @ layer
        variants["identity"] = plain @ variants["identity"]
        variants["normalise"] = raw @ variants["normalise"]
        variants["end"] = raw @ variants["end"]
    variants["end"] = normalise(variants["end"])
    return variants


#: ``(variant of _rollout_variants, what went wrong)``, in the order they are tried.
_ROLLOUT_MISTAKES = (
    (
        "identity",
        "your rollout ignores the residual connection: each block adds its input back "
        "(x + attn(x)), so mix every matrix half and half with the identity before multiplying",
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
        "you multiplied in the wrong order: a later layer mixes what the earlier ones "
        "produced, so it goes on the left (rollout = A_later @ rollout)",
    ),
)

# (batch, tokens, layers, dtype)
ROLLOUT_CASES = ((2, 5, 3, torch.float64), (1, 4, 1, torch.float64), (3, 6, 4, torch.float64), (2, 5, 2, torch.float32))


def check_rollout(rollout: Callable[[list[torch.Tensor]], torch.Tensor]) -> None:
    """Check ``rollout(matrices) -> (B, N, N)``: ``matrices`` is a list of non-negative
    ``(B, N, N)`` attention matrices (heads already fused, first layer first, rows need not sum
    to 1); compared with :func:`~vit_explained.attention_maps.attention_rollout`."""
    generator = torch.Generator().manual_seed(8)
    for batch, tokens, layers, dtype in ROLLOUT_CASES:
        matrices = [torch.rand(batch, tokens, tokens, generator=generator, dtype=dtype) for _ in range(layers)]
        expected = attention_rollout([m.unsqueeze(1) for m in matrices])
        case = f"{layers} layer(s) of ({batch}, {tokens}, {tokens}) {str(dtype).replace('torch.', '')} matrices"
        got = as_tensor(_NO_ROLLOUT(rollout, [m.clone() for m in matrices]), f"your rollout for {case}")
        if tuple(got.shape) != tuple(expected.shape):
            fail(f"for {case} expected shape {tuple(expected.shape)} (B, N, N), got {tuple(got.shape)}")
        if close(got, expected):
            continue
        variants = _rollout_variants(matrices)
        for name, mistake in _ROLLOUT_MISTAKES:
            if close(got, variants[name]):
                fail(f"for {case} {mistake}")
        if layers == 1:
            fail(f"for {case} (a single layer) your result differs from the re-normalised half-identity mix")
        fail(f"for {case} your rollout differs from the reference; check each step on a single layer first")
    passed("half identity, rows re-normalised, later layers on the left: that is attention rollout.")


GRID_CASES = ((2, 3, 2, 3), (1, 2, 4, 4), (2, 1, 3, 5))  # (batch, heads, rows, cols)


def check_class_token_grid(class_token_grid: Callable[[torch.Tensor, int, int], torch.Tensor]) -> None:
    """Check ``class_token_grid(weights, rows, cols)``: ``(B, heads, N, N) -> (B, heads, rows,
    cols)``, the class token's attention to each patch at the patch's grid position."""
    generator = torch.Generator().manual_seed(8)
    for batch, heads, rows, cols in GRID_CASES:
        tokens = rows * cols + 1
        weights = torch.softmax(torch.randn(batch, heads, tokens, tokens, generator=generator), dim=-1)
        expected = class_token_attention(weights, (rows, cols))
        case = f"a {rows}x{cols} patch grid (N = {tokens} tokens)"
        hint = (
            f"That was for {case}. The weights hold N = {tokens} columns: one for the class token and "
            f"{rows * cols} for the patches; only the patches go on the grid"
        )
        got = _NO_CLASS_TOKEN_ATTENTION(class_token_grid, weights.clone(), rows, cols, hint=hint)
        got = as_tensor(got, f"your grid for {case}")
        if tuple(got.shape) == (batch, heads, cols, rows) and rows != cols:
            fail(f"for {case} your shape {tuple(got.shape)} has rows and cols swapped; expect (B, heads, rows, cols)")
        if tuple(got.shape) != tuple(expected.shape):
            fail(f"for {case} expected shape {tuple(expected.shape)} (B, heads, rows, cols), got {tuple(got.shape)}")
        if close(got, expected):
            continue
        if close(got, weights[..., 1:, 0].reshape(expected.shape)):
            fail(
                f"for {case} you took a column: how much each patch attends to the class token. The class "
                "token's attention is its row (the query is the row index, the keys are the columns)"
            )
        if close(got, weights[..., 0, :-1].reshape(expected.shape)):
            fail(
                f"for {case} you kept the class token's column and dropped the last patch: column 0 is the "
                "class token itself, the patches are columns 1 to N - 1"
            )
        if close(got, weights[..., 0, 1:].reshape(batch, heads, cols, rows).transpose(-1, -2)):
            fail(
                f"for {case} the patches are placed column by column; they were flattened row by row "
                "(patch k sits at row k // cols, column k % cols)"
            )
        fail(f"for {case} your grid differs from the class token's attention to the patches")
    passed("row 0, patch columns only, reshaped row by row: the class token's view of the image.")

"""Attention's backward pass, derived by hand (lesson 05).

:func:`attention_backward` is the backward pass of single-head attention ``O = softmax(s Q K^T) V``
written out step by step (``dV``, ``dA``, the softmax Jacobian, ``dQ``, ``dK``, then ``dW_q``,
``dW_k``, ``dW_v``). :class:`HandAttention` wraps it as a ``torch.autograd.Function`` so that
``torch.autograd.gradcheck`` can test it against finite differences; its backward reuses the
forward values it saved, so nothing is computed twice. :func:`qkv_gradient_by_hand` applies it
head by head to a real :class:`~vit_explained.Attention` module.

Shapes: B = batch, N = tokens, D = token width (``dim``), d = width of one head. A head's weights
travel together as :class:`HeadWeights`, stored as ``nn.Linear`` stores them, ``(out, in)``:
``Q = X W_q^T`` with ``W_q`` of shape ``(d, D)``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
from torch import nn

from .attention import Attention


class ForwardValues(NamedTuple):
    """What the forward pass computes and the backward pass needs: ``Q``, ``K``, ``V``, ``A``, ``O``."""

    q: torch.Tensor
    k: torch.Tensor
    v: torch.Tensor
    a: torch.Tensor
    out: torch.Tensor


class HeadWeights(NamedTuple):
    """One attention head's parameters, as ``nn.Linear`` stores them: ``w_q``, ``w_k`` ``(d, D)``,
    ``w_v`` ``(d_v, D)``, and optional biases ``b_q``, ``b_k`` ``(d,)``, ``b_v`` ``(d_v,)``.

    ``HeadWeights(w_q, w_k, w_v)`` or ``HeadWeights(w_q, w_k, w_v, b_q, b_k, b_v)``: what
    :func:`attention_forward` and :func:`attention_backward` take.
    """

    w_q: torch.Tensor
    w_k: torch.Tensor
    w_v: torch.Tensor
    b_q: torch.Tensor | None = None
    b_k: torch.Tensor | None = None
    b_v: torch.Tensor | None = None


def _tensor(name: str, value: object) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    return value


def _check_attention_inputs(x: object, head: object) -> tuple[torch.Tensor, HeadWeights]:
    """``x`` and ``head`` checked: a tensor ``(..., N, D)`` and weights that fit it (see :class:`HeadWeights`)."""
    x = _tensor("x", x)
    if x.dim() < 2:
        raise ValueError(f"x must be (N, D) or (B, N, D), got shape {tuple(x.shape)}")
    if not isinstance(head, tuple) or not 3 <= len(head) <= 6:
        raise TypeError(f"head must be HeadWeights(w_q, w_k, w_v[, b_q, b_k, b_v]), got {type(head).__name__}")
    head = HeadWeights(*head)
    width = x.shape[-1]
    for name in ("w_q", "w_k", "w_v"):
        w = _tensor(name, getattr(head, name))
        if w.dim() != 2 or w.shape[1] != width:
            raise ValueError(
                f"{name} must be (d, D) = (d, {width}) like an nn.Linear weight for x of width D = {width}, "
                f"got shape {tuple(w.shape)}"
            )
        bias = getattr(head, "b" + name[1:])
        if bias is not None and tuple(_tensor("b" + name[1:], bias).shape) != (w.shape[0],):
            raise ValueError(f"b{name[1:]} must be ({w.shape[0]},), one per row of {name}, got {tuple(bias.shape)}")
    if head.w_q.shape != head.w_k.shape:
        raise ValueError(
            f"w_q and w_k must have the same shape (q . k needs equal widths), got {tuple(head.w_q.shape)}"
        )
    return x, head


def _forward(
    x: torch.Tensor,
    weights: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    biases: tuple[torch.Tensor | None, torch.Tensor | None, torch.Tensor | None],
    scale: float,
) -> ForwardValues:
    q, k, v = (nn.functional.linear(x, w, b) for w, b in zip(weights, biases, strict=True))
    a = torch.softmax(scale * q @ k.transpose(-2, -1), dim=-1)  # (..., N, N), rows sum to 1
    return ForwardValues(q, k, v, a, a @ v)


def attention_forward(x: torch.Tensor, head: HeadWeights, scale: float | None = None) -> torch.Tensor:
    """Single-head attention ``softmax(s Q K^T) V`` with ``Q = X W_q^T + b_q`` (same for K, V).

    ``x``: ``(N, D)`` or ``(B, N, D)``; ``head``: :class:`HeadWeights` (``w_q``, ``w_k`` ``(d, D)``,
    ``w_v`` ``(d_v, D)``, biases or None); ``scale`` defaults to ``1 / sqrt(d)``. Returns
    ``(..., N, d_v)``. Written with plain tensor operations, so autograd can differentiate it.
    """
    x, head = _check_attention_inputs(x, head)
    s = head.w_q.shape[0] ** -0.5 if scale is None else scale
    return _forward(x, head[:3], head[3:], s).out


def softmax_backward(a: torch.Tensor, grad_a: torch.Tensor) -> torch.Tensor:
    """Vector-Jacobian product of a row-wise softmax: ``dS = A * (dA - rowsum(dA * A))``.

    ``a = softmax(s, dim=-1)`` and ``grad_a = dL/da`` have the same shape ``(..., N, M)``;
    returns ``dL/ds``, same shape. Derivation: ``dA_ij/dS_il = A_ij (delta_jl - A_il)``.
    """
    if not isinstance(a, torch.Tensor) or not isinstance(grad_a, torch.Tensor):
        raise TypeError(f"a and grad_a must be torch.Tensors, got {type(a).__name__} and {type(grad_a).__name__}")
    if a.shape != grad_a.shape:
        raise ValueError(f"a and grad_a must have the same shape, got {tuple(a.shape)} and {tuple(grad_a.shape)}")
    return a * (grad_a - (grad_a * a).sum(dim=-1, keepdim=True))


def _backward(
    x: torch.Tensor,
    weights: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    saved: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor],
    grad_out: torch.Tensor,
    scale: float,
) -> dict[str, torch.Tensor]:
    """The chain rule, one step at a time, from the saved ``(Q, K, V, A)`` (see :func:`attention_backward`)."""
    q, k, v, a = saved
    w_q, w_k, w_v = weights
    # O = A V
    d_v = a.transpose(-2, -1) @ grad_out  # (..., N, d_v)
    d_a = grad_out @ v.transpose(-2, -1)  # (..., N, N)
    # A = softmax(S) row by row
    d_s = softmax_backward(a, d_a)  # (..., N, N)
    # S = s Q K^T
    d_q = scale * d_s @ k  # (..., N, d)
    d_k = scale * d_s.transpose(-2, -1) @ q  # (..., N, d)

    # Q = X W_q^T + b_q: one weight shared by every token (and image), so their gradients add up
    def weight_grad(d_out: torch.Tensor) -> torch.Tensor:
        return torch.einsum("...nd,...ne->de", d_out, x)

    def bias_grad(d_out: torch.Tensor) -> torch.Tensor:
        return d_out.reshape(-1, d_out.shape[-1]).sum(dim=0)

    return {
        "Q": q,
        "K": k,
        "V": v,
        "A": a,
        "dV": d_v,
        "dA": d_a,
        "dS": d_s,
        "dQ": d_q,
        "dK": d_k,
        "dW_q": weight_grad(d_q),
        "dW_k": weight_grad(d_k),
        "dW_v": weight_grad(d_v),
        "db_q": bias_grad(d_q),
        "db_k": bias_grad(d_k),
        "db_v": bias_grad(d_v),
        "dX": d_q @ w_q + d_k @ w_k + d_v @ w_v,
    }


def attention_backward(
    x: torch.Tensor, head: HeadWeights, grad_out: torch.Tensor, scale: float | None = None
) -> dict[str, torch.Tensor]:
    """The backward pass of :func:`attention_forward`, derived by hand.

    ``x``: ``(N, D)`` or ``(B, N, D)``; ``head``: :class:`HeadWeights`; ``grad_out = dL/dO`` of shape
    ``(..., N, d_v)``. Runs the forward pass once (without autograd) for the values the chain rule
    needs, then returns a dict of tensors:

    - forward values ``"Q"``, ``"K"``, ``"V"`` ``(..., N, d)``, ``"A"`` (attention weights ``(..., N, N)``);
    - ``"dV" = A^T dO``, ``"dA" = dO V^T``, ``"dS"`` (through the softmax: ``A * (dA - rowsum(dA * A))``),
      ``"dQ" = s dS K``, ``"dK" = s dS^T Q``;
    - ``"dW_q" = sum dQ^T X``, ``"dW_k"``, ``"dW_v"`` ``(d, D)``, summed over the batch;
      ``"db_q"``, ``"db_k"``, ``"db_v"`` ``(d,)`` (sums of dQ, dK, dV over tokens and batch);
    - ``"dX" = dQ W_q + dK W_k + dV W_v`` ``(..., N, D)``: what flows back into the residual stream.
    """
    x, head = _check_attention_inputs(x, head)
    grad_out = _tensor("grad_out", grad_out)
    expected = (*x.shape[:-1], head.w_v.shape[0])
    if tuple(grad_out.shape) != expected:
        raise ValueError(f"grad_out must have the output's shape {expected} (..., N, d_v), got {tuple(grad_out.shape)}")
    s = head.w_q.shape[0] ** -0.5 if scale is None else scale
    with torch.no_grad():
        x, weights = x.detach(), tuple(w.detach() for w in head[:3])
        forward = _forward(x, weights, head[3:], s)
        return _backward(x, weights, (forward.q, forward.k, forward.v, forward.a), grad_out, s)


class HandAttention(torch.autograd.Function):
    """:func:`attention_forward` (no biases) whose backward is the hand-derived one.

    ``HandAttention.apply(x, w_q, w_k, w_v, scale)``; autograd then uses the hand-derived
    gradients instead of its own, so ``torch.autograd.gradcheck`` tests the derivation. The
    forward pass saves ``Q``, ``K``, ``V`` and ``A`` for the backward pass, as autograd would.
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor, scale: float):
        values = _forward(x, (w_q, w_k, w_v), (None, None, None), scale)
        ctx.save_for_backward(x, w_q, w_k, w_v, values.q, values.k, values.v, values.a)
        ctx.scale = scale
        return values.out

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor):
        x, w_q, w_k, w_v, q, k, v, a = ctx.saved_tensors
        grads = _backward(x, (w_q, w_k, w_v), (q, k, v, a), grad_out, ctx.scale)
        return grads["dX"], grads["dW_q"], grads["dW_k"], grads["dW_v"], None


def hand_attention(
    x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor, scale: float | None = None
) -> torch.Tensor:
    """Single-head attention ``(..., N, D) -> (..., N, d_v)`` whose gradients come from the hand-derived backward."""
    _check_attention_inputs(x, HeadWeights(w_q, w_k, w_v))
    return HandAttention.apply(x, w_q, w_k, w_v, w_q.shape[0] ** -0.5 if scale is None else scale)


def qkv_gradient_by_hand(
    attention: Attention, x: torch.Tensor, grad_out: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The gradient of ``attention.qkv``'s weight and bias, computed head by head by :func:`attention_backward`.

    ``x``: the input of ``attention`` (B, N, dim); ``grad_out``: ``dL/d`` (the merged heads, the
    input of ``attention.proj``), ``(B, N, inner_dim)``. Returns ``(weight_grad (3 * inner_dim, dim),
    bias_grad (3 * inner_dim,) or None)``, laid out like ``attention.qkv``: all q rows, then k, then v,
    each head's ``d`` rows in turn.
    """
    if not isinstance(attention, Attention):
        raise TypeError(f"attention must be a vit_explained.Attention, got {type(attention).__name__}")
    inner, d = attention.inner_dim, attention.head_dim
    if not isinstance(grad_out, torch.Tensor) or grad_out.shape[-1] != inner:
        shape = tuple(grad_out.shape) if isinstance(grad_out, torch.Tensor) else type(grad_out).__name__
        raise ValueError(f"grad_out must be (B, N, inner_dim = {inner}), the gradient at proj's input; got {shape}")
    weight, bias = attention.qkv.weight.detach(), attention.qkv.bias
    weight_rows: dict[str, list[torch.Tensor]] = {"q": [], "k": [], "v": []}
    bias_rows: dict[str, list[torch.Tensor]] = {"q": [], "k": [], "v": []}
    for head in range(attention.heads):
        rows = {part: slice(i * inner + head * d, i * inner + (head + 1) * d) for i, part in enumerate("qkv")}
        weights = [weight[rows[part]] for part in "qkv"]
        biases = [None if bias is None else bias.detach()[rows[part]] for part in "qkv"]
        one_head = HeadWeights(*weights, *biases)
        grads = attention_backward(x, one_head, grad_out[..., head * d : (head + 1) * d], attention.scale)
        for part in "qkv":
            weight_rows[part].append(grads[f"dW_{part}"])
            bias_rows[part].append(grads[f"db_{part}"])
    weight_grad = torch.cat([g for part in "qkv" for g in weight_rows[part]])
    bias_grad = None if bias is None else torch.cat([g for part in "qkv" for g in bias_rows[part]])
    return weight_grad, bias_grad

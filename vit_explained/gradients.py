"""Where a ViT's gradients go: hooks that record them, and attention's backward pass by hand.

Two halves:

- **Recording.** :func:`record_gradient_norms` is a context manager that puts a hook on every
  parameter; after ``loss.backward()`` it holds ``||dL/dp||`` for each one (and for the q, k and v
  rows of every fused ``qkv`` weight). :func:`parameter_part` sorts a ViT's parameter names into
  layers and parts (embeddings, norms, qkv, proj, mlp, head), :func:`group_gradient_norms` adds
  them up per group, :func:`trace_backward` lists the modules in the order backward reaches them.
- **Deriving.** :func:`attention_backward` is the backward pass of single-head attention
  ``O = softmax(s Q K^T) V`` written out by hand (``dV``, ``dA``, the softmax Jacobian, ``dQ``,
  ``dK``, then ``dW_q``, ``dW_k``, ``dW_v``); :class:`HandAttention` wraps it as a
  ``torch.autograd.Function`` so ``torch.autograd.gradcheck`` can test it against finite
  differences, and :func:`qkv_gradient_by_hand` applies it head by head to a real
  :class:`~vit_explained.Attention` module.

Shapes: B = batch, N = tokens, D = token width (``dim``), d = width of one head. Weights are
stored as ``nn.Linear`` stores them, ``(out, in)``: ``Q = X W_q^T`` with ``W_q`` of shape ``(d, D)``.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from .attention import Attention

PARTS = ("embeddings", "norms", "qkv", "proj", "mlp", "head")
"""The parameter groups of a ViT, in the order the forward pass meets them."""

_BLOCK = re.compile(r"^(?:encoder\.)?blocks\.(\d+)\.(norm1|norm2|attn\.qkv|attn\.proj|mlp)\.")
_BLOCK_PART = {"norm1": "norms", "norm2": "norms", "attn.qkv": "qkv", "attn.proj": "proj", "mlp": "mlp"}


def parameter_part(name: str) -> tuple[str, str]:
    """The ``(layer, part)`` of a :class:`~vit_explained.ViT` parameter name.

    ``"encoder.blocks.2.attn.qkv.weight" -> ("block 2", "qkv")``; the patch projection, class
    token and position embeddings are ``("embeddings", "embeddings")``; ``encoder.norm`` is
    ``("final norm", "norms")``; ``head`` is ``("head", "head")``. Parts are those in :data:`PARTS`.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a parameter name (str), got {type(name).__name__}")
    if name in ("class_token", "pos_embedding") or name.startswith("patch_embedding."):
        return "embeddings", "embeddings"
    match = _BLOCK.match(name)
    if match:
        return f"block {match.group(1)}", _BLOCK_PART[match.group(2)]
    if name.startswith("encoder.norm."):
        return "final norm", "norms"
    if name.startswith("head."):
        return "head", "head"
    raise ValueError(
        f"cannot place parameter {name!r}: parameter_part knows the names of vit_explained.ViT "
        "(patch_embedding.*, class_token, pos_embedding, encoder.blocks.<i>.{norm1,attn.qkv,attn.proj,norm2,mlp}.*, "
        "encoder.norm.*, head.*)"
    )


def _is_qkv(name: str) -> bool:
    return name.endswith("attn.qkv.weight") or name.endswith("attn.qkv.bias")


class GradientRecorder:
    """Records ``||dL/dp||`` for each parameter while it is active (see :func:`record_gradient_norms`).

    After a backward pass: ``norms[name]`` is the gradient norm of parameter ``name`` in the last
    backward pass; ``qkv_norms[name]`` is ``(||grad of q rows||, ||k rows||, ||v rows||)`` for each
    fused ``qkv`` weight or bias; ``calls[name]`` counts how often the hook fired. Parameters that
    got no gradient (frozen, or not on the path to the loss) are absent.
    """

    def __init__(self, model: nn.Module) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        self.model = model
        self.norms: dict[str, float] = {}
        self.qkv_norms: dict[str, tuple[float, float, float]] = {}
        self.calls: dict[str, int] = {}
        self._handles: list[Any] = []

    def _hook(self, name: str):
        def hook(grad: torch.Tensor) -> None:
            # For a leaf tensor the hook sees the whole gradient of this backward pass, before
            # it is added to p.grad. It returns None, so the gradient is left unchanged.
            grad = grad.detach()
            self.norms[name] = grad.norm().item()
            self.calls[name] = self.calls.get(name, 0) + 1
            if _is_qkv(name):
                q, k, v = grad.chunk(3, dim=0)  # rows are laid out (three heads d): q, then k, then v
                self.qkv_norms[name] = (q.norm().item(), k.norm().item(), v.norm().item())

        return hook

    def __enter__(self) -> GradientRecorder:
        for name, parameter in self.model.named_parameters():
            if parameter.requires_grad:
                self._handles.append(parameter.register_hook(self._hook(name)))
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def by_group(self) -> dict[tuple[str, str], float]:
        """The recorded norms summed per ``(layer, part)``, in forward order; see :func:`group_gradient_norms`."""
        ordered = {name: self.norms[name] for name, _ in self.model.named_parameters() if name in self.norms}
        return group_gradient_norms(ordered)

    def qkv_by_layer(self) -> dict[str, dict[str, float]]:
        """``{"block i": {"q": norm, "k": norm, "v": norm}}``, weight and bias of each qkv together."""
        squares: dict[str, list[float]] = {}
        for name, _ in self.model.named_parameters():
            if name not in self.qkv_norms:
                continue
            parts = self.qkv_norms[name]
            layer, _ = parameter_part(name)
            total = squares.setdefault(layer, [0.0, 0.0, 0.0])
            for i, value in enumerate(parts):
                total[i] += value**2
        return {layer: dict(zip("qkv", (math.sqrt(s) for s in total), strict=True)) for layer, total in squares.items()}


def record_gradient_norms(model: nn.Module) -> GradientRecorder:
    """Context manager: hook every trainable parameter of ``model`` and record its gradient norm.

    >>> with record_gradient_norms(model) as recorder:
    ...     loss.backward()
    >>> recorder.norms["encoder.blocks.0.attn.qkv.weight"]

    The hooks are removed when the ``with`` block ends.
    """
    return GradientRecorder(model)


def gradient_norms(model: nn.Module) -> dict[str, float | None]:
    """``{name: p.grad.norm()}`` read from ``.grad`` after backward; ``None`` where ``p.grad`` is None.

    The reference the hook recordings are checked against.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return {name: (None if p.grad is None else p.grad.detach().norm().item()) for name, p in model.named_parameters()}


def group_gradient_norms(norms: dict[str, float | None]) -> dict[tuple[str, str], float]:
    """Combine per-parameter gradient norms into one norm per ``(layer, part)``.

    The norm of a group is ``sqrt(sum of squared norms)``: the norm of all its gradients laid end
    to end. ``None`` entries (no gradient) are skipped. Keys keep the order of ``norms``.
    """
    if not isinstance(norms, dict):
        raise TypeError(f"norms must be a dict {{parameter name: norm}}, got {type(norms).__name__}")
    squares: dict[tuple[str, str], float] = {}
    for name, value in norms.items():
        if value is None:
            continue
        key = parameter_part(name)
        squares[key] = squares.get(key, 0.0) + float(value) ** 2
    return {key: math.sqrt(total) for key, total in squares.items()}


@contextmanager
def trace_backward(model: nn.Module) -> Iterator[list[str]]:
    """Context manager yielding a list that fills with leaf-module names in the order backward reaches them.

    Uses ``register_full_backward_hook`` on every module without children (Linear, LayerNorm,
    Softmax, GELU, Conv2d ...). A module appears once per backward pass that goes through it.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    order: list[str] = []
    handles = []
    for name, module in model.named_modules():
        if name and not any(True for _ in module.children()):
            handles.append(module.register_full_backward_hook(lambda m, gi, go, name=name: order.append(name)))
    try:
        with warnings.catch_warnings():
            # The first module (the patch projection) sees images that need no gradient; torch warns.
            warnings.filterwarnings("ignore", message="Full backward hook is firing")
            yield order
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def record_residual_routes(model: nn.Module) -> Iterator[dict[int, dict[str, torch.Tensor]]]:
    """Context manager: split the gradient reaching each block's attention branch into its two routes.

    In a pre-norm block, ``h = x + attn(norm1(x))`` and ``out = h + mlp(norm2(h))``, so backward
    gives ``dL/dh = dL/dout`` (the skip route, straight along the residual stream) ``+`` the route
    back through ``mlp`` and ``norm2``. After ``loss.backward()`` inside the ``with`` block, the
    yielded dict holds for block ``i``: ``"skip"`` = ``dL/dout`` and ``"total"`` = ``dL/dh``, both
    ``(B, N, dim)``; their difference is the MLP route. Works on any model with ``.blocks``
    (``vit_explained.Block``: ``norm2`` reads ``h``).
    """
    blocks = getattr(model, "blocks", None)
    if not isinstance(blocks, nn.ModuleList):
        raise TypeError(
            f"model must have .blocks (an nn.ModuleList of vit_explained.Block), got {type(model).__name__}"
        )
    routes: dict[int, dict[str, torch.Tensor]] = {i: {} for i in range(len(blocks))}
    handles = []

    def keep(index: int, key: str):
        def hook(grad: torch.Tensor) -> None:
            routes[index][key] = grad.detach()

        return hook

    def watch_h(index: int):
        def pre_hook(module: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
            inputs[0].register_hook(keep(index, "total"))  # h, the input of norm2; returning None keeps it

        return pre_hook

    def watch_out(index: int):
        def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
            output.register_hook(keep(index, "skip"))

        return hook

    for index, block in enumerate(blocks):
        handles.append(block.norm2.register_forward_pre_hook(watch_h(index)))
        handles.append(block.register_forward_hook(watch_out(index)))
    try:
        yield routes
    finally:
        for handle in handles:
            handle.remove()


# ---------------------------------------------------------------------------------------------
# Single-head attention, forwards and backwards by hand
# ---------------------------------------------------------------------------------------------


def _check_attention_inputs(x: object, w_q: object, w_k: object, w_v: object) -> None:
    for name, value in (("x", x), ("w_q", w_q), ("w_k", w_k), ("w_v", w_v)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    assert isinstance(x, torch.Tensor)
    if x.dim() < 2:
        raise ValueError(f"x must be (N, D) or (B, N, D), got shape {tuple(x.shape)}")
    width = x.shape[-1]
    for name, w in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v)):
        assert isinstance(w, torch.Tensor)
        if w.dim() != 2 or w.shape[1] != width:
            raise ValueError(
                f"{name} must be (d, D) = (d, {width}) like an nn.Linear weight for x of width D = {width}, "
                f"got shape {tuple(w.shape)}"
            )
    assert isinstance(w_q, torch.Tensor) and isinstance(w_k, torch.Tensor)
    if w_q.shape != w_k.shape:
        raise ValueError(f"w_q and w_k must have the same shape (q . k needs equal widths), got {tuple(w_q.shape)}")


def attention_forward(
    x: torch.Tensor,
    w_q: torch.Tensor,
    w_k: torch.Tensor,
    w_v: torch.Tensor,
    scale: float | None = None,
    *,
    b_q: torch.Tensor | None = None,
    b_k: torch.Tensor | None = None,
    b_v: torch.Tensor | None = None,
) -> torch.Tensor:
    """Single-head attention ``softmax(s Q K^T) V`` with ``Q = X W_q^T + b_q`` (same for K, V).

    ``x``: ``(N, D)`` or ``(B, N, D)``; ``w_q``, ``w_k``: ``(d, D)``; ``w_v``: ``(d_v, D)``;
    biases ``(d,)`` or None; ``scale`` defaults to ``1 / sqrt(d)``. Returns ``(..., N, d_v)``.
    Written with plain tensor operations, so autograd can differentiate it.
    """
    _check_attention_inputs(x, w_q, w_k, w_v)
    s = w_q.shape[0] ** -0.5 if scale is None else scale
    q = nn.functional.linear(x, w_q, b_q)
    k = nn.functional.linear(x, w_k, b_k)
    v = nn.functional.linear(x, w_v, b_v)
    weights = torch.softmax(s * q @ k.transpose(-2, -1), dim=-1)  # (..., N, N), rows sum to 1
    return weights @ v


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


def attention_backward(
    x: torch.Tensor,
    w_q: torch.Tensor,
    w_k: torch.Tensor,
    w_v: torch.Tensor,
    grad_out: torch.Tensor,
    scale: float | None = None,
    *,
    b_q: torch.Tensor | None = None,
    b_k: torch.Tensor | None = None,
    b_v: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """The backward pass of :func:`attention_forward`, derived by hand.

    ``x``: ``(N, D)`` or ``(B, N, D)``; weights ``(d, D)``; ``grad_out = dL/dO`` of shape
    ``(..., N, d_v)``. Returns a dict of tensors:

    - forward values ``"Q"``, ``"K"``, ``"V"`` ``(..., N, d)``, ``"A"`` (attention weights ``(..., N, N)``);
    - ``"dV" = A^T dO``, ``"dA" = dO V^T``, ``"dS"`` (through the softmax: ``A * (dA - rowsum(dA * A))``),
      ``"dQ" = s dS K``, ``"dK" = s dS^T Q``;
    - ``"dW_q" = sum dQ^T X``, ``"dW_k"``, ``"dW_v"`` ``(d, D)``, summed over the batch;
      ``"db_q"``, ``"db_k"``, ``"db_v"`` ``(d,)`` (sums of dQ, dK, dV over tokens and batch);
    - ``"dX" = dQ W_q + dK W_k + dV W_v`` ``(..., N, D)``: what flows back into the residual stream.
    """
    _check_attention_inputs(x, w_q, w_k, w_v)
    if not isinstance(grad_out, torch.Tensor):
        raise TypeError(f"grad_out must be a torch.Tensor, got {type(grad_out).__name__}")
    expected = (*x.shape[:-1], w_v.shape[0])
    if tuple(grad_out.shape) != expected:
        raise ValueError(f"grad_out must have the output's shape {expected} (..., N, d_v), got {tuple(grad_out.shape)}")
    s = w_q.shape[0] ** -0.5 if scale is None else scale
    with torch.no_grad():
        q = nn.functional.linear(x, w_q, b_q)
        k = nn.functional.linear(x, w_k, b_k)
        v = nn.functional.linear(x, w_v, b_v)
        a = torch.softmax(s * q @ k.transpose(-2, -1), dim=-1)
        # O = A V
        d_v = a.transpose(-2, -1) @ grad_out  # (..., N, d_v)
        d_a = grad_out @ v.transpose(-2, -1)  # (..., N, N)
        # A = softmax(S) row by row
        d_s = softmax_backward(a, d_a)  # (..., N, N)
        # S = s Q K^T
        d_q = s * d_s @ k  # (..., N, d)
        d_k = s * d_s.transpose(-2, -1) @ q  # (..., N, d)

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


class HandAttention(torch.autograd.Function):
    """:func:`attention_forward` (no biases) whose backward is :func:`attention_backward`.

    ``HandAttention.apply(x, w_q, w_k, w_v, scale)``; autograd then uses the hand-derived
    gradients instead of its own, so ``torch.autograd.gradcheck`` tests the derivation.
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor, scale: float):
        ctx.save_for_backward(x, w_q, w_k, w_v)
        ctx.scale = scale
        with torch.no_grad():
            return attention_forward(x, w_q, w_k, w_v, scale)

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor):
        x, w_q, w_k, w_v = ctx.saved_tensors
        grads = attention_backward(x, w_q, w_k, w_v, grad_out, ctx.scale)
        return grads["dX"], grads["dW_q"], grads["dW_k"], grads["dW_v"], None


def hand_attention(
    x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor, scale: float | None = None
) -> torch.Tensor:
    """Single-head attention ``(..., N, D) -> (..., N, d_v)`` whose gradients come from :func:`attention_backward`."""
    _check_attention_inputs(x, w_q, w_k, w_v)
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
        biases = {f"b_{part}": None if bias is None else bias.detach()[rows[part]] for part in "qkv"}
        grads = attention_backward(
            x,
            weight[rows["q"]],
            weight[rows["k"]],
            weight[rows["v"]],
            grad_out[..., head * d : (head + 1) * d],
            attention.scale,
            **biases,
        )
        for part in "qkv":
            weight_rows[part].append(grads[f"dW_{part}"])
            bias_rows[part].append(grads[f"db_{part}"])
    weight_grad = torch.cat([g for part in "qkv" for g in weight_rows[part]])
    bias_grad = None if bias is None else torch.cat([g for part in "qkv" for g in bias_rows[part]])
    return weight_grad, bias_grad

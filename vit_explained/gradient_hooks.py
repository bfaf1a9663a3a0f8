"""Watching gradients during ``loss.backward()`` with hooks (lesson 05).

- :class:`GradientRecorder` is a context manager that puts a hook on every trainable parameter;
  after ``loss.backward()`` it holds ``||dL/dp||`` for each one (and for the q, k and v rows of
  every fused ``qkv`` weight), and sums them per layer and part (:meth:`GradientRecorder.by_group`).
- :func:`gradient_norms` reads the same norms from ``p.grad`` (the reference the hooks are checked
  against); :func:`group_gradient_norms` sums any such norms per ``(layer, part)``.
- :func:`trace_backward` lists the modules in the order backward reaches them;
  :func:`record_residual_routes` splits the gradient reaching each attention branch into its skip
  route and its route through the MLP; :func:`cut_mlp_route` cuts the route through the MLP (the
  forward pass unchanged) and :func:`gradient_change` measures what that does to a gradient;
  :func:`mlp_route_cut` runs the whole experiment on one model (routes, qkv and fc1 gradients, cut and not).

Layers and parts are those of :func:`vit_explained.parameters.parameter_places`, the one
classification of a ViT's parameters the lessons share.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import torch
from torch import nn

from .parameters import ParameterPlace, parameter_places


def _module(model: object) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


def _root_sum_of_squares(values: Mapping[Any, list[float]]) -> dict[Any, float]:
    return {key: math.sqrt(sum(v * v for v in parts)) for key, parts in values.items()}


class GradientRecorder:
    """Context manager: hook every trainable parameter of ``model`` and record its gradient norm.

    >>> with GradientRecorder(model) as recorder:
    ...     loss.backward()
    >>> recorder.norms["encoder.blocks.0.attn.qkv.weight"]

    After a backward pass: ``norms[name]`` is the gradient norm of parameter ``name`` in the last
    backward pass; ``qkv_norms[name]`` is ``(||grad of q rows||, ||k rows||, ||v rows||)`` for each
    fused ``qkv`` weight or bias; ``calls[name]`` counts how often the hook fired. Parameters that
    got no gradient (frozen, or not on the path to the loss) are absent. The hooks are removed when
    the ``with`` block ends.
    """

    def __init__(self, model: nn.Module) -> None:
        self.model = _module(model)
        self.places = parameter_places(model)
        self.norms: dict[str, float] = {}
        self.qkv_norms: dict[str, tuple[float, float, float]] = {}
        self.calls: dict[str, int] = {}
        self._handles: list[Any] = []

    def _hook(self, name: str):
        is_qkv = self.places[name].part == "qkv"

        def hook(grad: torch.Tensor) -> None:
            # For a leaf tensor the hook sees the whole gradient of this backward pass, before
            # it is added to p.grad. It returns None, so the gradient is left unchanged.
            grad = grad.detach()
            self.norms[name] = grad.norm().item()
            self.calls[name] = self.calls.get(name, 0) + 1
            if is_qkv:
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

    def by_group(self) -> dict[ParameterPlace, float]:
        """The recorded norms combined per ``(layer, part)``, in forward order; see :func:`group_gradient_norms`."""
        return group_gradient_norms(self.model, self.norms)

    def qkv_by_layer(self) -> dict[str, dict[str, float]]:
        """``{"block i": {"q": norm, "k": norm, "v": norm}}``, weight and bias of each qkv together."""
        rows: dict[str, list[list[float]]] = {}
        for name, place in self.places.items():
            if name in self.qkv_norms:
                per_row = rows.setdefault(place.layer, [[], [], []])
                for i, value in enumerate(self.qkv_norms[name]):
                    per_row[i].append(value)
        return {layer: _root_sum_of_squares(dict(zip("qkv", parts, strict=True))) for layer, parts in rows.items()}


def gradient_norms(model: nn.Module) -> dict[str, float | None]:
    """``{name: p.grad.norm()}`` read from ``.grad`` after backward; ``None`` where ``p.grad`` is None.

    The reference the hook recordings are checked against.
    """
    model = _module(model)
    return {name: (None if p.grad is None else p.grad.detach().norm().item()) for name, p in model.named_parameters()}


def group_gradient_norms(model: nn.Module, norms: Mapping[str, float | None]) -> dict[ParameterPlace, float]:
    """Combine per-parameter gradient norms of ``model`` into one norm per ``(layer, part)``.

    ``norms``: ``{parameter name: norm or None}`` (from :func:`gradient_norms` or a
    :class:`GradientRecorder`). The norm of a group is ``sqrt(sum of squared norms)``: the norm of
    all its gradients laid end to end. ``None`` entries (no gradient) are skipped. Keys are
    :class:`~vit_explained.parameters.ParameterPlace` tuples in forward order.
    """
    if not isinstance(norms, Mapping):
        raise TypeError(f"norms must be a dict {{parameter name: norm}}, got {type(norms).__name__}")
    places = parameter_places(_module(model))
    unknown = sorted(set(norms) - set(places))
    if unknown:
        raise ValueError(f"norms names parameters that {type(model).__name__} does not have: {unknown[:3]}")
    groups: dict[ParameterPlace, list[float]] = {}
    for name, place in places.items():
        value = norms.get(name)
        if value is not None:
            groups.setdefault(place, []).append(float(value))
    return _root_sum_of_squares(groups)


@contextmanager
def trace_backward(model: nn.Module) -> Iterator[list[str]]:
    """Context manager yielding a list that fills with leaf-module names in the order backward reaches them.

    Uses ``register_full_backward_hook`` on every module without children (Linear, LayerNorm,
    Softmax, GELU, Conv2d ...) except ``nn.Identity`` placeholders (``ViT.fc_norm`` when
    ``pool="cls"``). A module appears once per backward pass that goes through it.
    """
    model = _module(model)
    order: list[str] = []
    handles = []
    for name, module in model.named_modules():
        if name and not isinstance(module, nn.Identity) and not any(True for _ in module.children()):
            handles.append(module.register_full_backward_hook(lambda m, gi, go, name=name: order.append(name)))
    try:
        with warnings.catch_warnings():
            # The first module (the patch projection) sees images that need no gradient; torch warns.
            warnings.filterwarnings("ignore", message="Full backward hook is firing")
            yield order
    finally:
        for handle in handles:
            handle.remove()


def backward_in_chunks(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, chunk: int = 64) -> None:
    """``F.cross_entropy(model(images), labels).backward()``, ``chunk`` images at a time, to save memory.

    Each chunk's summed loss is divided by ``len(images)``, so ``p.grad`` ends up what one backward pass
    over the whole batch gives (up to rounding in the last bits), while only one chunk's activations are
    held at a time. Hooks fire once per chunk: read ``p.grad`` (:func:`qkv_gradient_norms`) afterwards.
    """
    model = _module(model)
    for start in range(0, len(images), chunk):
        part = slice(start, start + chunk)
        loss = nn.functional.cross_entropy(model(images[part]), labels[part], reduction="sum") / len(images)
        loss.backward()


def qkv_gradient_norms(model: nn.Module) -> dict[str, dict[str, float]]:
    """``{"block i": {"q": norm, "k": norm, "v": norm}}`` read from ``p.grad`` (weight and bias of each
    fused qkv together), the same numbers as :meth:`GradientRecorder.qkv_by_layer` after one backward pass."""
    model = _module(model)
    places = parameter_places(model)
    rows: dict[str, list[list[float]]] = {}
    for name, parameter in model.named_parameters():
        if places[name].part == "qkv" and parameter.grad is not None:
            per_row = rows.setdefault(places[name].layer, [[], [], []])
            for i, part in enumerate(parameter.grad.detach().chunk(3, dim=0)):
                per_row[i].append(part.norm().item())
    return {layer: _root_sum_of_squares(dict(zip("qkv", parts, strict=True))) for layer, parts in rows.items()}


@contextmanager
def record_residual_routes(model: nn.Module) -> Iterator[dict[int, dict[str, torch.Tensor]]]:
    """Context manager: split the gradient reaching each block's attention branch into its two routes.

    In a pre-norm block, ``h = x + attn(norm1(x))`` and ``out = h + mlp(norm2(h))``, so backward
    gives ``dL/dh = dL/dout`` (the skip route, straight along the residual stream) ``+`` the route
    back through ``mlp`` and ``norm2``. After ``loss.backward()`` inside the ``with`` block, the
    yielded dict holds for block ``i``: ``"skip"`` = ``dL/dout`` and ``"total"`` = ``dL/dh``, both
    ``(B, N, dim)``; their difference is the MLP route. Several backward passes inside one ``with``
    block (a batch in chunks, :func:`backward_in_chunks`) are joined along the batch axis, in order.
    Works on any model with ``.blocks``
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
            earlier = routes[index].get(key)  # a batch in chunks (backward_in_chunks): the chunks in order
            grad = grad.detach()
            routes[index][key] = grad if earlier is None else torch.cat([earlier, grad])

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


@contextmanager
def cut_mlp_route(model: nn.Module) -> Iterator[nn.Module]:
    """Context manager: inside it, every block's MLP branch reads a *detached* copy of the residual stream.

    Each block then computes ``out = h + mlp(norm2(h.detach()))`` instead of ``h + mlp(norm2(h))``: the
    forward values are exactly the same, and so are the parameters that get a gradient (``norm2`` and
    ``mlp`` keep theirs), but backward can no longer go from ``out`` back to ``h`` through the MLP. The
    gradient reaching each attention branch is then its skip route alone: the experiment that asks
    "how much of the qkv gradient came back through an MLP?". (Freezing the MLPs cannot ask it:
    ``requires_grad_(False)`` keeps no gradient for the MLP's weights but still passes it through.)

    A forward pre-hook on each ``norm2`` replaces its input with ``input.detach()``; the hooks are removed
    when the ``with`` block ends. Works on any model with ``.blocks`` of :class:`vit_explained.Block`.
    Yields ``model``. To watch the routes as well, enter :func:`record_residual_routes` first (its hook
    must see ``h`` before this one detaches it).
    """
    blocks = getattr(model, "blocks", None)
    if not isinstance(blocks, nn.ModuleList):
        raise TypeError(
            f"model must have .blocks (an nn.ModuleList of vit_explained.Block), got {type(model).__name__}"
        )

    def detach_input(module: nn.Module, inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        return (inputs[0].detach(), *inputs[1:])

    handles = [block.norm2.register_forward_pre_hook(detach_input) for block in blocks]
    try:
        yield model
    finally:
        for handle in handles:
            handle.remove()


class GradientChange(NamedTuple):
    """How a gradient ``g`` changed into ``g_new``: ``relative`` = ``||g_new - g|| / ||g||`` and ``cosine``."""

    relative: float
    cosine: float


def gradient_change(reference: torch.Tensor, changed: torch.Tensor) -> GradientChange:
    """``||changed - reference|| / ||reference||`` and the cosine between the two gradients (computed in float64).

    0 and 1 for the same gradient; both tensors must have the same shape and ``reference`` must not be 0.
    """
    if not isinstance(reference, torch.Tensor) or not isinstance(changed, torch.Tensor):
        raise TypeError(
            f"gradient_change needs two tensors, got {type(reference).__name__} and {type(changed).__name__} "
            "(a parameter without a gradient has p.grad None)"
        )
    if reference.shape != changed.shape:
        raise ValueError(f"the two gradients differ in shape: {tuple(reference.shape)} and {tuple(changed.shape)}")
    a, b = reference.detach().double().flatten(), changed.detach().double().flatten()
    norm = a.norm()
    if norm == 0:
        raise ValueError("the reference gradient is all zeros: a relative change is undefined")
    cosine = (a @ b) / (norm * b.norm()) if b.norm() > 0 else torch.tensor(0.0, dtype=torch.float64)
    return GradientChange(((b - a).norm() / norm).item(), cosine.item())


def mlp_share(reference: torch.Tensor, cut: torch.Tensor) -> float:
    """``<g - g_cut, g> / ||g||^2`` (float64): the part of ``g`` that came back through an MLP (``g - g_cut``),
    projected on ``g``. With ``1 - share`` for the cut part, the two shares add up to 1; a negative share
    means the MLP-route part points partly against ``g`` (the cut gradient is then longer along ``g``)."""
    g, g_cut = reference.detach().double().flatten(), cut.detach().double().flatten()
    return ((g - g_cut) @ g / (g @ g)).item()


def row_shares(reference: torch.Tensor, cut: torch.Tensor) -> dict[str, float]:
    """:func:`mlp_share` of a fused ``qkv.weight`` gradient's q, k and v rows apart (its three thirds along
    axis 0): ``{"q": ..., "k": ..., "v": ...}``. The whole weight's share weights each third by its
    ``||g||^2``, so where the v rows carry nearly all of it the whole share is the v rows' share."""
    return {
        name: mlp_share(g, g_cut)
        for name, g, g_cut in zip("qkv", reference.chunk(3, dim=0), cut.chunk(3, dim=0), strict=True)
    }


class RouteCut(NamedTuple):
    """What cutting every MLP route does to one model on one batch (one entry per block, bottom first)."""

    skip: list[float]  # ||dL/dout||: the skip route reaching h, whole model
    mlp: list[float]  # ||dL/dh - dL/dout||: the block's own MLP route, whole model
    skip_per_image: list[torch.Tensor]  # (B,) squared skip-route norm of each image
    mlp_per_image: list[torch.Tensor]  # (B,) squared MLP-route norm of each image
    qkv_change: list[float]  # ||g_cut - g|| / ||g|| of qkv.weight.grad
    qkv_share: list[float]  # mlp_share(g, g_cut) of qkv.weight.grad
    fc1_change: list[float]  # ||g_cut - g|| / ||g|| of mlp.fc1.weight.grad
    qkv_norms: dict[str, dict[str, float]]  # the whole model's q, k, v gradient norms (:func:`qkv_gradient_norms`)
    qkv_share_per_chunk: list[list[float]]  # per block: mlp_share of each chunk's own qkv.weight gradient
    #: per block: each chunk's own qkv.weight gradient norms, ``{"q": ..., "k": ..., "v": ...}`` (weight rows only)
    qkv_norms_per_chunk: Sequence[Sequence[dict[str, float]]] = ()
    #: per block: :func:`row_shares` of the whole batch's qkv.weight gradient, ``{"q": ..., "k": ..., "v": ...}``
    qkv_row_share: Sequence[dict[str, float]] = ()
    #: per block: :func:`row_shares` of each chunk's own qkv.weight gradient (the estimator of ``qkv_share_per_chunk``)
    qkv_row_share_per_chunk: Sequence[Sequence[dict[str, float]]] = ()

    @property
    def qkv_cut_size(self) -> list[float]:
        """Per block: ``||g_cut|| / ||g||`` of qkv.weight.grad, what is left of the gradient with every MLP route
        cut. From the share and the change: with ``p = g - g_cut``, ``||g - p||^2 = ||g||^2 (1 - 2 share +
        change^2)``."""
        return [
            max(1 - 2 * share + change**2, 0.0) ** 0.5
            for share, change in zip(self.qkv_share, self.qkv_change, strict=True)
        ]


def _read_gradients_only(model: nn.Module) -> nn.Module:
    """Keep ``requires_grad`` only on what :func:`mlp_route_cut` reads (each block's ``attn.qkv`` and
    ``mlp.fc1.weight``): backward then skips the other weights' gradients and everything below block 0's
    ``qkv``. The gradients it does compute are the same numbers (tested)."""
    kept = {id(p) for block in model.blocks for p in (*block.attn.qkv.parameters(), block.mlp.fc1.weight)}
    for parameter in model.parameters():
        parameter.requires_grad_(id(parameter) in kept)
    return model


def mlp_route_cut(make: Any, images: torch.Tensor, labels: torch.Tensor, chunk: int = 64) -> RouteCut:
    """Build two copies of a model with ``make()``; one backward pass (``chunk`` images at a time) on each, the
    second inside :func:`cut_mlp_route`; compare the routes and gradients block by block (:class:`RouteCut`)."""
    whole, severed = _read_gradients_only(_module(make())), _read_gradients_only(_module(make()))
    with record_residual_routes(whole) as routes:
        per_chunk = _qkv_gradient_per_chunk(whole, images, labels, chunk)
    with cut_mlp_route(severed):
        per_chunk_cut = _qkv_gradient_per_chunk(severed, images, labels, chunk)
    skip = [routes[i]["skip"].double() for i in range(len(whole.blocks))]
    mlp = [routes[i]["total"].double() - s for i, s in enumerate(skip)]
    pairs = list(zip(whole.blocks, severed.blocks, strict=True))
    qkv = [(a.attn.qkv.weight.grad, b.attn.qkv.weight.grad) for a, b in pairs]
    return RouteCut(
        skip=[s.norm().item() for s in skip],
        mlp=[m.norm().item() for m in mlp],
        skip_per_image=[s.pow(2).flatten(1).sum(1) for s in skip],
        mlp_per_image=[m.pow(2).flatten(1).sum(1) for m in mlp],
        qkv_change=[gradient_change(g, g_cut).relative for g, g_cut in qkv],
        qkv_share=[mlp_share(g, g_cut) for g, g_cut in qkv],
        fc1_change=[gradient_change(a.mlp.fc1.weight.grad, b.mlp.fc1.weight.grad).relative for a, b in pairs],
        qkv_norms=qkv_gradient_norms(whole),
        qkv_share_per_chunk=[
            [mlp_share(g, g_cut) for g, g_cut in zip(block, block_cut, strict=True)]
            for block, block_cut in zip(zip(*per_chunk, strict=True), zip(*per_chunk_cut, strict=True), strict=True)
        ],
        qkv_norms_per_chunk=[
            [dict(zip("qkv", (rows.norm().item() for rows in g.chunk(3, dim=0)), strict=True)) for g in block]
            for block in zip(*per_chunk, strict=True)
        ],
        qkv_row_share=[row_shares(g, g_cut) for g, g_cut in qkv],
        qkv_row_share_per_chunk=[
            [row_shares(g, g_cut) for g, g_cut in zip(block, block_cut, strict=True)]
            for block, block_cut in zip(zip(*per_chunk, strict=True), zip(*per_chunk_cut, strict=True), strict=True)
        ],
    )


def _qkv_gradient_per_chunk(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, chunk: int
) -> list[list[torch.Tensor]]:
    """:func:`backward_in_chunks`, keeping what each chunk added to every block's ``qkv.weight.grad``."""
    added, before = [], [torch.zeros_like(block.attn.qkv.weight) for block in model.blocks]
    for start in range(0, len(images), chunk):
        part = slice(start, start + chunk)
        loss = nn.functional.cross_entropy(model(images[part]), labels[part], reduction="sum") / len(images)
        loss.backward()
        now = [block.attn.qkv.weight.grad.detach().clone() for block in model.blocks]
        added.append([b - a for a, b in zip(before, now, strict=True)])
        before = now
    return added


def catch_x_and_d_out(
    model: nn.Module, attention: nn.Module, images: torch.Tensor, labels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """One attention layer's input ``X`` and the gradient ``dL/dO`` at its heads' output (lesson 05, section 4).

    Two forward pre-hooks catch ``X`` (the input of ``attention``, after ``norm1``) and ``O`` (the input of
    ``attention.proj``, the heads' output); ``torch.autograd.grad`` of the cross-entropy of ``model(images)``
    then gives ``dL/dO`` without touching any ``.grad``. The hooks are removed before returning.

    Returns ``X`` ``(B, N, D)``, detached, in the model's dtype, and ``dO`` per head ``(B, heads, N, d)`` in
    float64. ``attention`` is a :class:`vit_explained.Attention` inside ``model`` (it has ``.proj`` and ``.heads``).
    """
    seen: dict[str, torch.Tensor] = {}
    hooks = [
        attention.register_forward_pre_hook(lambda module, args: seen.update(x=args[0].detach())),
        attention.proj.register_forward_pre_hook(lambda module, args: seen.update(o=args[0])),
    ]
    try:
        loss = nn.functional.cross_entropy(model(images), labels)
    finally:
        for hook in hooks:
            hook.remove()
    (d_o,) = torch.autograd.grad(loss, seen["o"])
    return seen["x"], d_o.double().unflatten(-1, (attention.heads, -1)).transpose(1, 2)

"""Reading a trained ViT's attention: capture the weights with forward hooks, then roll them out.

- :func:`capture_attention` records every attention module's ``(B, heads, N, N)`` weights during
  a forward pass, without editing the model's code: a forward hook on each module's ``attend``
  softmax, with the fused path (which never materialises the weights) switched off inside the
  ``with`` block only.
- :func:`attention_rollout` (Abnar & Zuidema 2020, "Quantifying Attention Flow in
  Transformers") multiplies the layers' attention, with the residual connection modelled as an
  identity, into one ``(B, N, N)`` map from output tokens to input tokens.
- :func:`class_token_attention` (and :func:`token_attention` for any query token, e.g. a DeiT's
  distillation token) takes one token's row of such a map and lays the patches out on their
  grid, ready to overlay on the image.
- :func:`gradient_weighted_rollout` (Chefer, Gur & Wolf 2021, "Generic Attention-model
  Explainability") weights each block's attention by its gradient with respect to one class's
  logit: a *class-specific* map. :func:`capture_attention_gradients` records weights and
  gradients with hooks; :func:`gradient_weighted_attention` runs the whole thing on a model.
- :func:`deletion_curve` (:func:`deletion_curves`: several maps at once) and :func:`deletion_auc` test a
  map: delete the patches it ranks highest
  first and watch the true class's probability fall (:func:`deletion_counts` for a coarser curve,
  read every few patches). :func:`ink_share` is lesson 08's statistic. :func:`occlusion_map` (one patch
  set to the fill at a time) is the model-based ranking deletion is checked against.
- :func:`class_token_maps_by_block` gives the class token's own and rolled-out map after every block.
- :func:`randomised_copy`, :func:`rollout_and_gradient_maps` and :func:`rank_correlation` run Adebayo et
  al.'s model randomisation check: re-initialise part of a copy, recompute the maps, compare the rankings
  (:func:`pearson_correlation` and :func:`map_span` read their sizes).
  :func:`randomisation_table` (the last block, every layer; :func:`redrawn_rollouts` picks draws to show) and
  :func:`cascade_table` (from the classifier down, :func:`cascade_steps`) run it as lesson 08's tables.
- :func:`class_pair_maps` gives the maps for the likeliest classes of the images where the runner-up comes closest.
- :func:`block_streams` records what one block reads and writes (the residual stream in and out, its attention).
- :func:`compare_maps` compares maps measured on the same digits, a family of paired differences
  read at 95 % and at the Bonferroni level, printed as a compact table.

Shapes: B = batch, heads = attention heads, N = tokens (the special tokens first: the class token,
and for a DeiT the distillation token; then the patches in row-major order over the patch grid),
rows x cols = the patch grid (``N - special_tokens = rows * cols``).
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from . import _checks
from .attention import Attention
from .block import Block, Encoder
from .evidence import Comparison, Estimate, mean_interval, paired_difference, proportion
from .mlp import GELU, MLP
from .vit import ViT, add_class_token

HEAD_FUSIONS = ("mean", "max", "min")


def attention_modules(model: nn.Module) -> list[Attention]:
    """Every :class:`~vit_explained.Attention` inside ``model``, in ``model.modules()`` order.

    For a ViT that is one per block; for a T2T-ViT the two token transformers' attention comes
    first, then the backbone's blocks. Raises a ``ValueError`` if there is none.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module (a ViT, a Block, an Attention), got {type(model).__name__}")
    found = [module for module in model.modules() if isinstance(module, Attention)]
    if not found:
        raise ValueError(
            f"{type(model).__name__} contains no vit_explained.Attention module; "
            "pass a model built from vit_explained blocks (ViT, T2TViT, Block, Attention)"
        )
    return found


@contextmanager
def capture_attention(model: nn.Module, modules: Iterable[Attention] | None = None) -> Iterator[list[torch.Tensor]]:
    """Record attention weights during forward passes, without editing the model.

    ``with capture_attention(model) as attentions: model(images)`` leaves in ``attentions``
    one detached ``(B, heads, N, N)`` tensor per attention module, in the order the modules
    ran (for a ViT: block 0, block 1, ...). Each forward pass inside the block appends one more
    tensor per module.

    How: a forward hook on each module's ``attend`` (its ``nn.Softmax``) stores the softmax's
    output. The fused path (``F.scaled_dot_product_attention``) never returns that matrix (whether
    it computes one depends on the backend), so inside the block each module runs its explicit path
    (``fused = False``); same outputs up to float rounding. On exit (also after an exception) the
    hooks are removed and every module's ``fused`` is restored to what it was.

    ``modules`` restricts the capture (e.g. ``[block.attn for block in model.blocks]`` to skip
    a T2T-ViT's token transformers); by default every :class:`Attention` in ``model``.
    """
    targets = attention_modules(model) if modules is None else list(modules)
    for index, module in enumerate(targets):
        if not isinstance(module, Attention):
            raise TypeError(
                f"modules[{index}] must be a vit_explained.Attention (e.g. model.blocks[i].attn), "
                f"got {type(module).__name__}"
            )
    attentions: list[torch.Tensor] = []

    def store(_module: nn.Module, _inputs: tuple[torch.Tensor, ...], weights: torch.Tensor) -> None:
        attentions.append(weights.detach())

    with _hooked(targets, store):
        yield attentions


@contextmanager
def _hooked(targets: Sequence[Attention], store: Callable[..., None]) -> Iterator[None]:
    """Hook ``store`` on each target's ``attend`` softmax and switch it to the explicit (unfused) path;
    on exit (also after an exception) remove the hooks and restore every ``fused`` flag."""
    previous = [module.fused for module in targets]
    handles = []
    try:
        for module in targets:
            handles.append(module.attend.register_forward_hook(store))
            module.fused = False
        yield
    finally:
        for handle in handles:
            handle.remove()
        for module, fused in zip(targets, previous, strict=True):
            module.fused = fused


def _check_attention_stack(attentions: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    if isinstance(attentions, torch.Tensor) or not isinstance(attentions, Sequence):
        raise TypeError(
            "attentions must be a list of (B, heads, N, N) tensors, one per layer (what capture_attention "
            f"collects), got {type(attentions).__name__}"
        )
    if len(attentions) == 0:
        raise ValueError("attentions is empty: pass at least one layer's (B, heads, N, N) weights")
    first = attentions[0]
    for index, weights in enumerate(attentions):
        if not isinstance(weights, torch.Tensor):
            raise TypeError(f"attentions[{index}] must be a tensor (B, heads, N, N), got {type(weights).__name__}")
        if weights.dim() != 4 or weights.shape[-1] != weights.shape[-2]:
            hint = " (one head? add the head axis with .unsqueeze(1))" if weights.dim() == 3 else ""
            raise ValueError(f"attentions[{index}] must be (B, heads, N, N), got shape {tuple(weights.shape)}{hint}")
        if (weights.shape[0], weights.shape[-1]) != (first.shape[0], first.shape[-1]):
            raise ValueError(
                f"every layer needs the same batch B and token count N to be rolled out: attentions[0] is "
                f"{tuple(first.shape)}, attentions[{index}] is {tuple(weights.shape)}"
            )
    return list(attentions)


def fuse_heads(weights: torch.Tensor, head_fusion: str = "mean") -> torch.Tensor:
    """Combine the heads: ``(B, heads, N, N) -> (B, N, N)`` by their mean, max or min."""
    head_fusion = _checks.one_of("head_fusion", head_fusion, HEAD_FUSIONS)
    if head_fusion == "mean":
        return weights.mean(dim=1)
    if head_fusion == "max":
        return weights.amax(dim=1)
    return weights.amin(dim=1)


def attention_rollout(
    attentions: Sequence[torch.Tensor], head_fusion: str = "mean", residual: bool = True, discard_ratio: float = 0.0
) -> torch.Tensor:
    """Attention rollout: a list of ``(B, heads, N, N)`` (first layer first) ``-> (B, N, N)``.

    Per layer: fuse the heads (:func:`fuse_heads`); with ``discard_ratio > 0``, set the smallest
    ``int(N * N * discard_ratio)`` entries of each image's fused matrix to 0, never the class token's
    weight on itself (jacobgil/vit-explain's "discard ratio", which keeps only the strongest
    paths); with ``residual``, model the skip connection ``x + attn(x)`` as half identity,
    ``0.5 * A + 0.5 * I``; re-normalise every row to sum to 1 (needed when the fused rows do not,
    e.g. ``head_fusion="max"`` or after discarding). Then multiply through the layers, the later
    layer on the left: ``R = A_L @ ... @ A_2 @ A_1``. Row ``i`` of the result says how much of
    output token ``i`` comes from each input token; every row sums to 1.

    (vit-explain normalises with ``a / a.sum(dim=-1)``, without ``keepdim``, which divides
    column ``j`` by row ``j``'s sum; here each row is divided by its own sum, as intended.)
    """
    layers = _check_attention_stack(attentions)
    if not 0.0 <= discard_ratio < 1.0:
        raise ValueError(f"discard_ratio is the fraction of weights to drop per layer, in [0, 1), got {discard_ratio}")
    batch, tokens = layers[0].shape[0], layers[0].shape[-1]
    identity = torch.eye(tokens, dtype=layers[0].dtype, device=layers[0].device)
    rollout = identity.expand(batch, tokens, tokens)
    drop = int(tokens * tokens * discard_ratio)
    for weights in layers:
        fused = fuse_heads(weights, head_fusion)
        if drop:
            flat = fused.reshape(batch, -1).clone()
            protected = flat[:, 0].clone()  # the class token's weight on itself
            lowest = flat.topk(drop, dim=-1, largest=False).indices
            flat.scatter_(-1, lowest, 0.0)
            flat[:, 0] = protected
            fused = flat.reshape(batch, tokens, tokens)
        if residual:
            fused = 0.5 * fused + 0.5 * identity
        fused = fused / fused.sum(dim=-1, keepdim=True)
        rollout = fused @ rollout
    return rollout


def token_attention(
    weights: torch.Tensor, grid_size: int | tuple[int, int], *, query: int = 0, special_tokens: int = 1
) -> torch.Tensor:
    """One query token's attention to the patches, on the patch grid: ``(..., N, N) -> (..., rows, cols)``.

    Takes row ``query`` (0: the class token; 1: a DeiT's distillation token), drops the
    ``special_tokens`` columns in front of the patches (1 for a ViT, 2 for a distilled DeiT:
    the Q&A's ``attn[:, :, 0, 2:]``) and reshapes the ``rows * cols`` patch columns row by row, the
    order in which the patches were flattened. Works for one block's ``(B, heads, N, N)`` weights
    and for a ``(B, N, N)`` rollout.
    """
    if not isinstance(weights, torch.Tensor):
        raise TypeError(f"weights must be a torch.Tensor (..., N, N), got {type(weights).__name__}")
    rows, cols = _checks.to_pair("grid_size", grid_size)
    special_tokens = _checks.non_negative_int("special_tokens", special_tokens)
    query = _checks.non_negative_int("query", query)
    if weights.dim() < 2 or weights.shape[-1] != weights.shape[-2]:
        raise ValueError(f"weights must end in two equal token axes (..., N, N), got shape {tuple(weights.shape)}")
    tokens = weights.shape[-1]
    if tokens - special_tokens != rows * cols:
        raise ValueError(
            f"a {rows}x{cols} patch grid has {rows * cols} patches plus {special_tokens} special token(s) = "
            f"{rows * cols + special_tokens} tokens, but weights have N = {tokens}; pass the model's patch grid "
            "(e.g. model.patch_embedding.grid) and special_tokens (1 for a ViT, 2 for a DeiT)"
        )
    if query >= tokens:
        raise ValueError(f"query must be a token index below N = {tokens}, got {query}")
    return weights[..., query, special_tokens:].reshape(*weights.shape[:-2], rows, cols)


def class_token_attention(
    weights: torch.Tensor, grid_size: int | tuple[int, int], *, special_tokens: int = 1
) -> torch.Tensor:
    """The class token's attention to the patches, on the patch grid: ``(..., N, N) -> (..., rows, cols)``.

    Takes row 0 (the class token as the query), drops the special tokens' columns (column 0, the
    class token as a key; for a DeiT, ``special_tokens=2``, columns 0 and 1) and reshapes the
    ``rows * cols`` patch columns row by row, the order in which the patches were flattened.
    Works for one block's ``(B, heads, N, N)`` weights and for a ``(B, N, N)`` rollout. The values
    no longer sum to 1: the special tokens' share is left out.
    """
    return token_attention(weights, grid_size, query=0, special_tokens=special_tokens)


# ---------------------------------------------------------------------------------------------
# Class-specific maps: attention weighted by its gradient (Chefer et al. 2021)


@dataclass
class AttentionGradients:
    """What :func:`capture_attention_gradients` records: per attention module, in the order they
    ran, the ``(B, heads, N, N)`` weights (detached) and, once ``backward()`` has run, the
    gradient of the backward's target with respect to them (same shape)."""

    weights: list[torch.Tensor] = field(default_factory=list)
    gradients: list[torch.Tensor | None] = field(default_factory=list)


@contextmanager
def capture_attention_gradients(
    model: nn.Module, modules: Iterable[Attention] | None = None
) -> Iterator[AttentionGradients]:
    """Record attention weights and their gradients during one forward and one backward pass.

    ``with capture_attention_gradients(model) as record: model(images)[:, c].sum().backward()``
    leaves ``record.weights[l]`` and ``record.gradients[l]`` (``d y_c / d A_l``), each
    ``(B, heads, N, N)``, for every attention module ``l``.

    The hooks are lesson 05's: a forward hook on each module's ``attend`` softmax keeps its output
    and registers a *tensor* hook on it (``weights.register_hook``), which autograd calls with the
    gradient when ``backward()`` reaches that tensor. The fused path is switched off inside the
    ``with`` block (it never builds the weights); on exit the hooks are removed and ``fused``
    restored. Gradients must be enabled (no ``torch.no_grad()`` around the forward pass).
    """
    targets = attention_modules(model) if modules is None else list(modules)
    for index, module in enumerate(targets):
        if not isinstance(module, Attention):
            raise TypeError(f"modules[{index}] must be a vit_explained.Attention, got {type(module).__name__}")
    record = AttentionGradients()

    def store(_module: nn.Module, _inputs: tuple[torch.Tensor, ...], weights: torch.Tensor) -> None:
        slot = len(record.weights)
        record.weights.append(weights.detach())
        record.gradients.append(None)
        if weights.requires_grad:

            def keep(gradient: torch.Tensor) -> None:
                record.gradients[slot] = gradient.detach()

            weights.register_hook(keep)

    with _hooked(targets, store):
        yield record


def gradient_weighted_rollout(
    attentions: Sequence[torch.Tensor], gradients: Sequence[torch.Tensor | None]
) -> torch.Tensor:
    """Chefer et al. (2021)'s relevance for a ViT: ``(B, heads, N, N)`` weights and their gradients,
    one pair per layer, first layer first ``-> (B, N, N)``.

    Per layer: ``Ā = mean over heads of max(0, dy_c/dA ⊙ A)``: keep the attention that raises the
    target logit ``y_c``, drop what lowers it. Then accumulate with the identity, as rollout does:
    ``R = I``, and for each layer in order ``R = R + Ā @ R``. Row ``i`` of ``R`` is token ``i``'s
    relevance to each input token (rows do not sum to 1; the identity part stays on the diagonal).
    """
    layers = _check_attention_stack(attentions)
    if isinstance(gradients, torch.Tensor) or not isinstance(gradients, Sequence) or len(gradients) != len(layers):
        raise ValueError(
            f"gradients must be a list with one (B, heads, N, N) gradient per layer ({len(layers)}), "
            f"got {len(gradients) if isinstance(gradients, Sequence) else type(gradients).__name__}"
        )
    for index, (weights, gradient) in enumerate(zip(layers, gradients, strict=True)):
        if gradient is None:
            raise ValueError(
                f"gradients[{index}] is None: backward() did not reach layer {index}'s attention; call "
                "backward() on a logit inside the capture_attention_gradients block, with gradients enabled"
            )
        if not isinstance(gradient, torch.Tensor) or gradient.shape != weights.shape:
            shape = tuple(gradient.shape) if isinstance(gradient, torch.Tensor) else type(gradient).__name__
            raise ValueError(f"gradients[{index}] must have its weights' shape {tuple(weights.shape)}, got {shape}")
    batch, tokens = layers[0].shape[0], layers[0].shape[-1]
    relevance = torch.eye(tokens, dtype=layers[0].dtype, device=layers[0].device).expand(batch, tokens, tokens)
    for weights, gradient in zip(layers, gradients, strict=True):
        weighted = (gradient * weights).clamp(min=0).mean(dim=1)  # (B, N, N)
        relevance = relevance + weighted @ relevance
    return relevance


def _logits(output: object) -> torch.Tensor:
    if isinstance(output, tuple):
        raise ValueError(
            "the model returned a tuple (a DeiT in training mode returns both heads): call model.eval() first"
        )
    if not isinstance(output, torch.Tensor) or output.dim() != 2:
        raise ValueError("the model must return (B, classes) logits")
    return output


def gradient_weighted_attention(
    model: nn.Module,
    images: torch.Tensor,
    targets: torch.Tensor | int | None = None,
    *,
    modules: Iterable[Attention] | None = None,
    output: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Class-specific relevance for a batch: ``(B, C, H, W) -> (R (B, N, N), logits (B, classes))``.

    Runs ``model(images)`` inside :func:`capture_attention_gradients`, backpropagates the logit of
    class ``targets`` (an int for every image, a ``(B,)`` tensor, or ``None`` for each image's
    predicted class) and combines the layers with :func:`gradient_weighted_rollout`. Take one
    token's row with :func:`token_attention` (``query=0`` for the class token). ``output`` maps
    the images to the logits to explain (default ``model``; e.g. ``lambda x: model.forward_heads(x)[1]``
    for a DeiT's distillation head). The images in a batch do not interact, so summing the targets'
    logits over the batch gives each image its own gradient. The model's parameters get no
    ``.grad`` (only the attention weights' gradients are kept).
    """
    _checks.image_batch(images)
    compute = output if output is not None else model
    parameters = [p for p in model.parameters() if p.requires_grad]
    for parameter in parameters:
        parameter.requires_grad_(False)  # only the attention's gradients are needed
    try:
        with torch.enable_grad(), capture_attention_gradients(model, modules) as record:
            # the graph must start somewhere: the images (the parameters are frozen meanwhile)
            logits = _logits(compute(images.detach().requires_grad_(True)))
            if targets is None:
                chosen = logits.argmax(dim=-1)
            elif isinstance(targets, int) and not isinstance(targets, bool):
                chosen = torch.full((len(images),), targets, dtype=torch.long)
            elif isinstance(targets, torch.Tensor) and targets.shape == (len(images),):
                chosen = targets.long()
            else:
                raise ValueError(f"targets must be None, an int or a (B,) = ({len(images)},) tensor, got {targets!r}")
            if not bool(((chosen >= 0) & (chosen < logits.shape[-1])).all()):
                raise ValueError(f"targets must be classes in 0..{logits.shape[-1] - 1}, got {chosen.tolist()}")
            logits.gather(1, chosen[:, None]).sum().backward()
    finally:
        for parameter in parameters:
            parameter.requires_grad_(True)
    return gradient_weighted_rollout(record.weights, record.gradients), logits.detach()


# ---------------------------------------------------------------------------------------------
# Testing a map: the ink statistic and deletion curves


def _plain_vit(model: nn.Module) -> bool:
    """A :class:`~vit_explained.vit.ViT` as built, ``pool="cls"``, in eval mode, with no hooks anywhere."""
    return (
        type(model) is ViT
        and model.pool == "cls"
        and not model.training
        and type(model.encoder) is Encoder
        and all(type(b) is Block and type(b.mlp) is MLP and type(b.mlp.act) is GELU for b in model.encoder.blocks)
        and not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())
    )


def _mlp_eval(mlp: MLP, tokens: torch.Tensor) -> torch.Tensor:
    """``mlp(tokens)`` in eval mode (no dropout), with torch's fused GELU (equal to the package's ``gelu``)."""
    return mlp.fc2(F.gelu(mlp.fc1(tokens), approximate=mlp.act.approximate))


def class_token_logits(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """``model(images)`` for a :class:`~vit_explained.vit.ViT` with ``pool="cls"``: ``(B, classes)`` logits,
    with the last block computed for the class token only (its keys and values still from every token).

    The head reads the class token alone, and after the last block's attention every token goes on
    by itself (LayerNorm, MLP, final norm), so the other tokens' last-block outputs are never read.
    Skipping them, and torch's fused ``F.gelu`` for the package's ``gelu``,
    saves about 30 % of a 4-block forward pass; the logits equal ``model(images)`` to float rounding
    (tests/test_attention_maps.py). Any other model, a hooked one, or one in training mode runs
    ``model(images)``.
    """
    if not _plain_vit(model):
        return _logits(model(images))
    tokens = add_class_token(model.patch_embedding(images), model.class_token, model.pos_embedding)
    *earlier, last = model.encoder.blocks
    for block in earlier:
        tokens = tokens + block.attn(block.norm1(tokens))
        tokens = tokens + _mlp_eval(block.mlp, block.norm2(tokens))
    q, k, v = last.attn.project_qkv(last.norm1(tokens))  # (B, heads, N, d) each
    read = F.scaled_dot_product_attention(q[:, :, :1], k, v, scale=last.attn.scale)  # (B, heads, 1, d)
    cls = tokens[:, :1] + last.attn.proj(read.transpose(1, 2).flatten(2))  # (B, 1, dim)
    cls = cls + _mlp_eval(last.mlp, last.norm2(cls))
    return model.head(model.fc_norm(model.encoder.norm(cls)[:, 0]))


def _patch_size_of(images: torch.Tensor, grid: tuple[int, int]) -> tuple[int, int]:
    rows, cols = grid
    height, width = images.shape[-2:]
    if height % rows or width % cols:
        raise ValueError(f"images of {height}x{width} cannot be cut into a {rows}x{cols} grid of equal patches")
    return height // rows, width // cols


def inked_patches(images: torch.Tensor, grid_size: int | tuple[int, int], threshold: float = 0.5) -> torch.Tensor:
    """``(B, 1, H, W) -> (B, rows, cols)`` booleans: does any pixel of the patch exceed ``threshold``?"""
    _checks.image_batch(images)
    grid = _checks.to_pair("grid_size", grid_size)
    ph, pw = _patch_size_of(images, grid)
    pooled = F.max_pool2d(images.amax(dim=1, keepdim=True), kernel_size=(ph, pw))  # (B, 1, rows, cols)
    return pooled[:, 0] > threshold


def top_patch_not_inked(maps: torch.Tensor, inked: torch.Tensor) -> torch.Tensor:
    """``(B, rows, cols)`` maps and :func:`inked_patches` -> ``(B,)`` booleans: is each map's top patch not inked?"""
    return ~inked.flatten(1).gather(1, maps.flatten(1).argmax(1, keepdim=True))[:, 0]


@torch.no_grad()
def to_huggingface(model: ViT) -> nn.Module:
    """A Hugging Face ``ViTForImageClassification`` (eval mode, eager attention) holding ``model``'s weights.

    The reverse of :func:`vit_explained.huggingface.from_huggingface` for a class-token ``ViT`` with square patches
    and a patch embedding: the patch projection, class token and positions, every block (through
    :func:`vit_explained.huggingface.vit_layer_from_block`), the final norm and the head. Dropout is 0. Lesson 08
    reads ``output_attentions=True`` from it. Needs transformers (imported here)."""
    from transformers import ViTConfig, ViTForImageClassification

    from .huggingface import _LAYERS, _find, vit_layer_from_block

    embedding, first = model.patch_embedding, model.blocks[0]
    config = ViTConfig(
        image_size=embedding.image_size[0],
        patch_size=embedding.patch_size[0],
        num_channels=model.channels,
        hidden_size=model.class_token.shape[-1],
        num_hidden_layers=len(model.blocks),
        num_attention_heads=first.attn.heads,
        intermediate_size=first.mlp.fc1.out_features,
        layer_norm_eps=model.encoder.norm.eps,
        num_labels=model.num_classes,
        qkv_bias=first.attn.qkv.bias is not None,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        attn_implementation="eager",  # the attention code that returns its weights
    )
    hf = ViTForImageClassification(config).eval()
    embeddings = hf.vit.embeddings
    _copy_module(embeddings.patch_embeddings.projection, embedding.proj)
    embeddings.cls_token.copy_(model.class_token)
    embeddings.position_embeddings.copy_(model.pos_embedding)
    for layer, block in zip(_find(hf, _LAYERS), model.blocks, strict=True):
        _copy_module(layer, vit_layer_from_block(block))
    _copy_module(hf.vit.layernorm, model.encoder.norm)
    _copy_module(hf.classifier, model.head)
    return hf


def _copy_module(target: nn.Module, source: nn.Module) -> None:
    target.load_state_dict(source.state_dict())


def ink_per_patch(images: torch.Tensor, grid_size: int | tuple[int, int]) -> torch.Tensor:
    """``(B, 1, H, W) -> (B, rows, cols)``: the sum of each patch's pixels (lesson 08's model-free
    "ink first" ranking)."""
    _checks.image_batch(images)
    grid = _checks.to_pair("grid_size", grid_size)
    ph, pw = _patch_size_of(images, grid)
    return _patch_pixels(images, ph, pw).sum(-1).reshape(len(images), *grid)


def stroke_first(scores: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    """A map's ranking with the stroke's patches (any pixel above 0) first, in the map's own order, and
    the blank patches (which a black fill cannot change) after them: ``(B, rows, cols)`` scores."""
    if not isinstance(scores, torch.Tensor) or scores.dim() != 3 or scores.shape[0] != len(images):
        raise ValueError(
            f"scores must be (B, rows, cols) with B = {len(images)}, got {getattr(scores, 'shape', scores)}"
        )
    if (scores < 0).any():
        raise ValueError("scores must be non-negative (a map, or random numbers in [0, 1))")
    stroke = (ink_per_patch(images, tuple(scores.shape[-2:])) > 0).to(scores.dtype)
    return scores / scores.amax((-2, -1), keepdim=True).clamp_min(1e-12) + 2 * stroke


def relative_patch_norms(stream: torch.Tensor) -> torch.Tensor:
    """``(B, N, D) -> (B, N - 1)``: each patch token's norm divided by its image's median patch-token norm
    (the class token, token 0, left out). Darcet et al. (2024)'s high-norm tokens stand far above 1."""
    if not isinstance(stream, torch.Tensor) or stream.dim() != 3 or stream.shape[1] < 2:
        raise ValueError(
            f"stream must be (B, N, D) with a class token and patches, got {getattr(stream, 'shape', stream)}"
        )
    norms = stream[:, 1:].norm(dim=-1)
    return norms / norms.median(dim=-1, keepdim=True).values


def map_agreement(a: torch.Tensor, b: torch.Tensor, top: int = 5) -> dict[str, torch.Tensor]:
    """Per item, how alike two maps ``(B, P)`` are: their cosine, whether their top patch is the same
    (0/1), and the share of their ``top`` highest patches they have in common."""
    if not isinstance(a, torch.Tensor) or a.dim() != 2 or not isinstance(b, torch.Tensor) or a.shape != b.shape:
        raise ValueError(
            f"a and b must be (B, P) maps of the same shape, got {getattr(a, 'shape', a)}, {getattr(b, 'shape', b)}"
        )
    top_a, top_b = a.topk(top, dim=-1).indices, b.topk(top, dim=-1).indices
    return {
        "cosine": F.cosine_similarity(a, b, dim=-1),
        "same top patch": (top_a[:, 0] == top_b[:, 0]).float(),
        f"top {top} in common": (top_a[:, :, None] == top_b[:, None, :]).any(-1).float().mean(-1),
    }


def agreement_table(scores: Mapping[str, Mapping[str, torch.Tensor]]) -> str:
    """A table of :func:`map_agreement` results (``name -> measures``): each measure's mean and 95 %
    interval over the items (a Wilson interval, in %, for "same top patch"; bootstrap otherwise)."""
    measures = list(next(iter(scores.values())))
    width = max(len(name) for name in scores)
    lines = [f"{'':<{width}}" + "".join(f"  {measure:<18}" for measure in measures).rstrip()]
    for name, measured in scores.items():
        cells = []
        for measure in measures:
            values = measured[measure]
            if measure == "same top patch":
                e = proportion(values.bool())
                cells.append(f"{100 * e.estimate:.0f} % [{100 * e.low:.0f}, {100 * e.high:.0f}]")
            else:
                e = mean_interval(values)
                cells.append(f"{e.estimate:.2f} [{e.low:.2f}, {e.high:.2f}]")
        lines.append(f"{name:<{width}}" + "".join(f"  {cell:<18}" for cell in cells).rstrip())
    return "\n".join(lines)


def ink_share(maps: torch.Tensor, images: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Lesson 08's statistic: per image, the fraction of a map's mass on inked patches.

    ``maps`` ``(B, rows, cols)``, non-negative; ``images`` ``(B, 1, H, W)``; returns ``(B,)``. A map
    spread evenly over the patches scores the fraction of inked patches.
    """
    if not isinstance(maps, torch.Tensor) or maps.dim() != 3 or maps.shape[0] != len(images):
        raise ValueError(f"maps must be (B, rows, cols) with B = {len(images)}, got {getattr(maps, 'shape', maps)}")
    ink = inked_patches(images, tuple(maps.shape[-2:]), threshold)
    return (maps * ink).sum((-2, -1)) / maps.sum((-2, -1))


@dataclass(frozen=True)
class InkLift:
    """One map kind's share on inked patches against an image-blind map of the same kind (shares in 0..1):
    ``share`` and ``blind`` are the two means with 95 % intervals, ``gap`` the paired difference per digit."""

    share: Estimate
    blind: Estimate
    gap: Comparison

    def row(self) -> str:
        """The three numbers in % as one table row: share [interval], mean map's share [interval], gap [interval]."""
        d = self.gap.difference
        return (
            f"{100 * self.share.estimate:5.1f} [{100 * self.share.low:.1f}, {100 * self.share.high:.1f}]   "
            f"{100 * self.blind.estimate:5.1f} [{100 * self.blind.low:.1f}, {100 * self.blind.high:.1f}]   "
            f"{100 * d.estimate:+5.1f} [{100 * d.low:+.1f}, {100 * d.high:+.1f}]"
        )


def ink_lift_over_mean_map(
    maps: torch.Tensor,
    reference_maps: torch.Tensor,
    images: torch.Tensor,
    threshold: float = 0.5,
    confidence: float = 0.95,
) -> InkLift:
    """Lesson 08's image-blind control for :func:`ink_share`: the mean of ``reference_maps`` (other digits' maps
    of the same kind, e.g. the validation digits'), one map that never sees the digit, applied to every image.

    ``maps`` ``(B, rows, cols)`` belong to ``images`` ``(B, 1, H, W)``; ``reference_maps`` ``(R, rows, cols)``.
    The paired gap ``map - mean map`` per digit says how much of the share on ink the digit itself adds beyond
    where such maps sit on average (MNIST's ink is central, so a central prior already scores above chance).
    ``confidence``: the gap's interval level (a family's Bonferroni level, e.g. ``1 - 0.05 / 7``).
    """
    if not isinstance(reference_maps, torch.Tensor) or reference_maps.dim() != 3 or len(reference_maps) < 1:
        shape = getattr(reference_maps, "shape", reference_maps)
        raise ValueError(f"reference_maps must be (R, rows, cols), got {shape}")
    if not isinstance(maps, torch.Tensor) or maps.shape[1:] != reference_maps.shape[1:]:
        raise ValueError(
            f"maps and reference_maps need the same grid, got {getattr(maps, 'shape', maps)} and "
            f"{tuple(reference_maps.shape)}"
        )
    shares = ink_share(maps, images, threshold).double()
    blind_map = reference_maps.double().mean(0, keepdim=True).expand(len(maps), -1, -1)
    blind = ink_share(blind_map, images, threshold)
    gap = paired_difference(shares, blind, names=("map", "mean map"), percent=True, confidence=confidence)
    return InkLift(mean_interval(shares), mean_interval(blind), gap)


def ink_gaps_to_next_digit(
    maps: Sequence[torch.Tensor], next_maps: Sequence[torch.Tensor], images: torch.Tensor
) -> list[Comparison]:
    """Lesson 08's second image-blind control for :func:`ink_share`, per block: each digit scored with the next
    test digit's map of the same kind (``next_maps``, the maps of the images shifted by one), a map with a map's
    shape statistics that never saw this digit. Returns the paired gaps ``map - next digit's map`` per digit."""
    if len(maps) != len(next_maps) or any(m.shape != n.shape for m, n in zip(maps, next_maps, strict=True)):
        raise ValueError("maps and next_maps need one (B, rows, cols) tensor per block, the same shapes")
    return [
        paired_difference(
            ink_share(m, images).double(),
            ink_share(n, images).double(),
            names=("map", "next digit's map"),
            percent=True,
        )
        for m, n in zip(maps, next_maps, strict=True)
    ]


def format_gaps(gaps: Sequence[Comparison]) -> str:
    """Paired gaps in points, `` / ``-separated: ``+5.3 [+4.8, +5.7]`` each (the 95 % interval)."""
    d = [g.difference for g in gaps]
    return " / ".join(f"{100 * e.estimate:+.1f} [{100 * e.low:+.1f}, {100 * e.high:+.1f}]" for e in d)


def ink_pixel_share(
    maps: torch.Tensor, images: torch.Tensor, threshold: float = 0.5
) -> tuple[torch.Tensor, torch.Tensor]:
    """Lesson 08's direct ink-mask test, per image: ``(share on ink pixels, ink area)``, each ``(B,)``.

    Each patch's mass in ``maps`` ``(B, rows, cols)`` (non-negative) is spread evenly over its pixels;
    the share is the fraction of the map's mass on pixels above ``threshold`` (any channel). The ink
    area, the fraction of such pixels, is what a map spread evenly over the image would score: chance.
    """
    if not isinstance(maps, torch.Tensor) or maps.dim() != 3 or maps.shape[0] != len(images):
        raise ValueError(f"maps must be (B, rows, cols) with B = {len(images)}, got {getattr(maps, 'shape', maps)}")
    if (maps < 0).any():
        raise ValueError("maps must be non-negative")
    ph, pw = _patch_size_of(images, tuple(maps.shape[-2:]))
    ink = (images.amax(dim=1) > threshold).to(maps.dtype)  # (B, H, W)
    pixels = maps.repeat_interleave(ph, -2).repeat_interleave(pw, -1) / (ph * pw)  # (B, H, W), same total
    return (pixels * ink).sum((-2, -1)) / pixels.sum((-2, -1)), ink.mean((-2, -1))


def effective_patches(maps: torch.Tensor) -> torch.Tensor:
    """How many patches a map is spread over: ``exp`` of the entropy of the map as a distribution.

    ``maps`` ``(..., rows, cols)``, non-negative (e.g. one head's class-token attention on the
    patches); each map is normalised to sum to 1 first. Returns ``(...)``: ``k`` for a map spread
    evenly over ``k`` patches, 1 for a map on a single patch.
    """
    if not isinstance(maps, torch.Tensor) or maps.dim() < 2:
        raise ValueError(f"maps must be (..., rows, cols), got {getattr(maps, 'shape', maps)}")
    p = maps.flatten(-2).double()
    p = p / p.sum(-1, keepdim=True)
    entropy = -torch.where(p > 0, p * p.log(), torch.zeros_like(p)).sum(-1)
    return entropy.exp().to(maps.dtype)


def deletion_curve(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    scores: torch.Tensor,
    *,
    fill: float = 0.0,
    batch_size: int = 500,
    counts: Sequence[int] | None = None,
) -> torch.Tensor:
    """Delete patches in the order a map ranks them, highest first; track the true class's probability.

    ``images`` ``(B, C, H, W)``, ``labels`` ``(B,)``, ``scores`` ``(B, rows, cols)`` (one map per
    image, on the model's patch grid). Returns ``(B, P + 1)`` with ``P = rows * cols``: column
    ``k`` is ``softmax(model(image with its k top-ranked patches set to fill))[label]``; column 0
    is the intact image, column ``P`` the image with every patch deleted. Ties are broken by patch
    order (row by row). The faster the curve falls, the better the map found what the model
    uses; compare with random orders, and summarise with :func:`deletion_auc`.

    ``counts`` (increasing, from 0 to ``P``) reads the probability only after deleting that many
    patches, e.g. ``deletion_counts(P, 4)`` = 0, 4, 8, ..., P: a coarser curve ``(B, len(counts))``
    for a fraction of the model calls; pass the same ``counts`` to :func:`deletion_auc`.
    :func:`deletion_curves` does several maps at once.
    """
    return deletion_curves(model, images, labels, {"map": scores}, fill=fill, batch_size=batch_size, counts=counts)[
        "map"
    ]


@torch.no_grad()
def deletion_curves(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    maps: Mapping[str, torch.Tensor],
    *,
    fill: float = 0.0,
    batch_size: int = 500,
    counts: Sequence[int] | None = None,
) -> dict[str, torch.Tensor]:
    """:func:`deletion_curve` for several maps of the same images at once: ``{name: (B, rows, cols)}``
    -> ``{name: (B, len(counts))}``.

    Every image the curves need is run through the model **once**, however many maps or counts
    produce it: the intact image (count 0, the same for every map), the fully deleted one (count
    ``P``), and any two variants that differ only in patches already equal to ``fill`` -- deleting
    a blank background patch to black changes nothing, so a map that ranks blank patches high
    spends deletions that leave the image as it was.
    """
    _checks.image_batch(images)
    rows, cols = _deletion_grid(images, labels, maps)
    batch_size = _checks.positive_int("batch_size", batch_size)
    ph, pw = _patch_size_of(images, (rows, cols))
    patches, count = rows * cols, len(images)
    steps = torch.tensor(_deletion_counts(counts, patches))
    # a patch already equal to fill everywhere: deleting it is a no-op
    cells = _patch_pixels(images, ph, pw)  # (B, P, C * ph * pw)
    inert = (cells == fill).all(-1)  # (B, P)
    keys = _deletion_keys(maps, inert, steps, count, patches)  # (B, M, S, P)
    owner = torch.arange(count)[:, None, None].expand(keys.shape[:3])
    table = torch.cat([owner[..., None], keys.long()], -1).reshape(-1, patches + 1)
    unique, inverse = torch.unique(table, dim=0, return_inverse=True)  # one row per distinct image
    which, masks = unique[:, 0], unique[:, 1:].reshape(-1, 1, rows, cols).to(images.dtype)
    probabilities = _deletion_probabilities(model, images, labels, which, masks, (ph, pw), fill, batch_size)
    readings = probabilities[inverse].reshape(keys.shape[:3])  # (B, M, S)
    return {name: readings[:, index] for index, name in enumerate(maps)}


@torch.no_grad()
def occlusion_map(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, grid: int | tuple[int, int], fill: float = 0.0
) -> torch.Tensor:
    """Single-patch occlusion (Zeiler & Fergus 2014): ``(B, rows, cols)``, the drop in the true class's
    probability when that patch alone is set to ``fill``.

    ``images`` ``(B, C, H, W)``, ``labels`` ``(B,)``, ``grid`` the patch grid (``rows, cols`` or one
    int). The model's own answer to "which patch matters", patch by patch: a model-based ranking, a
    positive control for :func:`deletion_curves`. A larger drop = a more relevant patch; a patch whose
    removal raises the probability scores below 0. ``P = rows * cols`` occluded images per image, run
    in batches of ``batch_size``; a patch already equal to ``fill`` everywhere scores exactly 0 without
    a forward pass (occluding it leaves the image as it was).
    """
    _checks.image_batch(images)
    rows, cols = _checks.to_pair("grid", grid)
    if not isinstance(labels, torch.Tensor) or labels.shape != (len(images),):
        raise ValueError(f"labels must be a (B,) = ({len(images)},) tensor of classes")
    ph, pw = _patch_size_of(images, (rows, cols))
    inert = (_patch_pixels(images, ph, pw) == fill).all(-1)  # (B, P): nothing to occlude
    which, patch = (~inert).nonzero(as_tuple=True)  # the (image, patch) pairs that need a forward pass
    masks = torch.ones(len(which), rows * cols, dtype=images.dtype)
    masks[torch.arange(len(which)), patch] = 0
    masks = masks.reshape(-1, 1, rows, cols)
    which = torch.cat([torch.arange(len(images)), which])  # the intact images first
    masks = torch.cat([torch.ones(len(images), 1, rows, cols, dtype=images.dtype), masks])
    p = _deletion_probabilities(model, images, labels, which, masks, (ph, pw), fill, batch_size=512)
    drops = torch.zeros(len(images), rows * cols, dtype=p.dtype)
    drops[~inert] = p[: len(images)][which[len(images) :]] - p[len(images) :]
    return drops.reshape(len(images), rows, cols)


@torch.no_grad()
def greedy_deletion_order(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, grid: int | tuple[int, int], fill: float = 0.0
) -> torch.Tensor:
    """Greedy deletion: ``(B, rows, cols)`` scores, higher = deleted earlier. At each step, delete the
    patch whose removal leaves the true class's probability lowest (a strong reference
    area, reached one patch at a time with the model's own forward passes; greedy, so not the optimal order).

    Only patches not already equal to ``fill`` are tried (setting a blank patch to ``fill`` is a no-op);
    when every such deletion would *raise* the probability and a blank patch is left, a blank patch goes
    (the image does not change). Blank patches never chosen score 0 (they go last, row by row). About
    ``n (n + 1) / 2`` forward passes per image with ``n`` non-blank patches; ties go to the lower index.
    """
    _checks.image_batch(images)
    rows, cols = _checks.to_pair("grid", grid)
    if not isinstance(labels, torch.Tensor) or labels.shape != (len(images),):
        raise ValueError(f"labels must be a (B,) = ({len(images)},) tensor of classes")
    ph, pw = _patch_size_of(images, (rows, cols))
    count, patches = len(images), rows * cols
    live = ~(_patch_pixels(images, ph, pw) == fill).all(-1)  # (B, P): patches a deletion changes
    blank = ~live  # blank patches not yet deleted
    keep = torch.ones(count, patches, dtype=images.dtype)
    scores = torch.zeros(count, patches, dtype=images.dtype)
    ones = torch.ones(count, 1, rows, cols, dtype=images.dtype)
    now = _deletion_probabilities(model, images, labels, torch.arange(count), ones, (ph, pw), fill, 512)
    for step in range(patches):
        if not live.any():
            break
        which, patch = live.nonzero(as_tuple=True)  # every (image, patch) still to try
        masks = keep[which]
        masks[torch.arange(len(which)), patch] = 0
        p = _deletion_probabilities(
            model, images, labels, which, masks.reshape(-1, 1, rows, cols), (ph, pw), fill, 2048
        )
        table = torch.full((count, patches), float("inf"), dtype=p.dtype)
        table[which, patch] = p
        low, best = table.min(1)
        use_blank = (low > now) & blank.any(1)  # a no-op beats every deletion that raises p
        best = torch.where(use_blank, blank.to(torch.int8).argmax(1), best)
        go = live.any(1).nonzero()[:, 0]  # images with a non-blank patch left
        scores[go, best[go]] = float(patches - step)
        keep[go, best[go]] = 0
        live[go, best[go]] = False
        blank[go, best[go]] = False
        now[go] = torch.where(use_blank[go], now[go], low[go])
    return scores.reshape(count, rows, cols)


def _deletion_grid(images: torch.Tensor, labels: torch.Tensor, maps: Mapping[str, torch.Tensor]) -> tuple[int, int]:
    """Check :func:`deletion_curves`' maps and labels; return the maps' shared ``(rows, cols)`` grid."""
    if not isinstance(maps, Mapping) or not maps:
        raise ValueError("maps must be a non-empty dict {name: (B, rows, cols) scores}")
    grids = set()
    for name, scores in maps.items():
        if not isinstance(scores, torch.Tensor) or scores.dim() != 3 or scores.shape[0] != len(images):
            raise ValueError(
                f"scores must be (B, rows, cols), one map per image (B = {len(images)}), "
                f"got {getattr(scores, 'shape', scores)} for {name!r}"
            )
        grids.add(tuple(scores.shape[-2:]))
    if len(grids) != 1:
        raise ValueError(f"every map must be on the same patch grid, got {sorted(grids)}")
    if not isinstance(labels, torch.Tensor) or labels.shape != (len(images),):
        raise ValueError(f"labels must be a (B,) = ({len(images)},) tensor of classes")
    ((rows, cols),) = grids
    return rows, cols


def _deletion_keys(
    maps: Mapping[str, torch.Tensor], inert: torch.Tensor, steps: torch.Tensor, count: int, patches: int
) -> torch.Tensor:
    """``(B, M, S, P)``: which patches each map's deletion step leaves visibly in place."""
    keys = []
    for scores in maps.values():
        order = torch.sort(scores.reshape(count, patches), dim=-1, descending=True, stable=True).indices
        rank = torch.empty_like(order)
        rank.scatter_(1, order, torch.arange(patches).expand(count, patches))  # rank[b, p]: when p goes
        kept = rank[:, None, :] >= steps[None, :, None]  # (B, S, P): patch p still there after step s
        keys.append(kept | inert[:, None, :])  # what the model actually sees differ only here
    return torch.stack(keys, 1)


def _deletion_probabilities(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    which: torch.Tensor,
    masks: torch.Tensor,
    patch: tuple[int, int],
    fill: float,
    batch_size: int,
) -> torch.Tensor:
    """The label's probability for each distinct masked image (``images[which]`` under ``masks``), in eval mode."""
    ph, pw = patch
    was_training = model.training
    model.eval()
    probabilities = []
    try:
        for start in range(0, len(masks), batch_size):
            part = slice(start, start + batch_size)
            mask = masks[part].repeat_interleave(ph, dim=-2).repeat_interleave(pw, dim=-1)  # (b, 1, H, W)
            variants = images[which[part]] * mask + fill * (1 - mask)
            logits = class_token_logits(model, variants)
            probabilities.append(logits.softmax(-1).gather(-1, labels[which[part]].long()[:, None])[:, 0])
    finally:
        model.train(was_training)
    return torch.cat(probabilities)


def _patch_pixels(images: torch.Tensor, ph: int, pw: int) -> torch.Tensor:
    """``(B, C, H, W) -> (B, P, C * ph * pw)``: each patch's pixels, patches row by row."""
    b, c, h, w = images.shape
    cells = images.reshape(b, c, h // ph, ph, w // pw, pw).permute(0, 2, 4, 1, 3, 5)
    return cells.reshape(b, (h // ph) * (w // pw), c * ph * pw)


def deletion_counts(patches: int, step: int) -> list[int]:
    """How many patches a coarse deletion curve deletes before each reading: ``0, step, 2 step, ..., patches``
    (the last reading always has every patch deleted). ``deletion_counts(49, 4)`` is ``[0, 4, ..., 48, 49]``."""
    patches = _checks.positive_int("patches", patches)
    step = _checks.positive_int("step", step)
    return [*range(0, patches, step), patches]


def _deletion_counts(counts: Sequence[int] | None, patches: int) -> list[int]:
    if counts is None:
        return list(range(patches + 1))
    if isinstance(counts, torch.Tensor):
        counts = counts.tolist()
    values = list(counts)
    if (
        len(values) < 2
        or not all(isinstance(c, int) and not isinstance(c, bool) for c in values)
        or values[0] != 0
        or values[-1] != patches
        or any(b <= a for a, b in itertools.pairwise(values))
    ):
        raise ValueError(
            f"counts must be increasing whole numbers of deleted patches from 0 to P = {patches} "
            f"(e.g. deletion_counts({patches}, 4)), got {values!r:.80}"
        )
    return values


def deletion_auc(curves: torch.Tensor, counts: Sequence[int] | None = None) -> torch.Tensor:
    """Area under deletion curves ``(B, S) -> (B,)``, with the fraction of patches deleted on
    ``[0, 1]`` (trapezoids). Lower means the map's top patches matter more to the model.

    ``counts``: the numbers of deleted patches behind the ``S`` readings, as passed to
    :func:`deletion_curve` (default: every count, ``S = P + 1`` evenly spaced readings)."""
    if not isinstance(curves, torch.Tensor) or curves.dim() != 2 or curves.shape[-1] < 2:
        raise ValueError(f"curves must be (B, P + 1) with P >= 1, got {getattr(curves, 'shape', curves)}")
    if counts is None:
        return torch.trapezoid(curves, dx=1.0 / (curves.shape[-1] - 1), dim=-1)
    steps = _deletion_counts(counts, int(counts[-1]) if len(counts) else 0)
    if len(steps) != curves.shape[-1]:
        raise ValueError(f"counts has {len(steps)} entries but the curves have {curves.shape[-1]} readings each")
    fractions = torch.tensor(steps, dtype=curves.dtype) / steps[-1]
    return torch.trapezoid(curves, x=fractions, dim=-1)


# --- comparing maps on the same digits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapComparisons:
    """A family of paired comparisons ``A - B`` on the same items, read at 95 % and at the family's
    Bonferroni level; ``str()`` is a compact table with each verdict in its own column.

    ``family[label]`` is the comparison at the family level (what a text may claim), ``family.at_95(label)``
    the same comparison at 95 % alone.
    """

    labels: tuple[str, ...]
    single: tuple[Comparison, ...]
    strict: tuple[Comparison, ...]
    confidence: float

    def __getitem__(self, label: str) -> Comparison:
        return self.strict[self._index(label)]

    def at_95(self, label: str) -> Comparison:
        """The comparison ``label`` read at 95 % alone."""
        return self.single[self._index(label)]

    def _index(self, label: str) -> int:
        if label not in self.labels:
            raise KeyError(f"no comparison {label!r}; the family holds {list(self.labels)}")
        return self.labels.index(label)

    def __len__(self) -> int:
        return len(self.labels)

    def select(self, *labels: str) -> MapComparisons:
        """Some of the family's comparisons, still read at the whole family's level (a short table
        to read on its own)."""
        index = [self._index(label) for label in labels]
        return MapComparisons(
            tuple(labels), tuple(self.single[i] for i in index), tuple(self.strict[i] for i in index), self.confidence
        )

    def line(self, rename: Mapping[str, str] | None = None) -> str:
        """The family on one line at its own level: ``label +0.001 [-0.005, +0.008]; ...`` (``rename``: labels
        to print under another name, e.g. ``{"min": "min fusion"}``)."""
        rename = rename or {}
        parts = []
        for label, strict in zip(self.labels, self.strict, strict=True):
            d = strict.difference
            s, digits = d.scale, d.digits
            interval = f"[{_plus(d.low * s, digits)}, {_plus(d.high * s, digits)}]"
            parts.append(f"{rename.get(label, label)} {_plus(d.estimate * s, digits)} {interval}")
        return "; ".join(parts)

    def __str__(self) -> str:
        width = max(len("A - B"), *(len(label) for label in self.labels))
        level = f"{self.confidence:.1%}".replace("%", " %")
        lines = [f"{'A - B':<{width}}  {'mean':>7}  {'95 % interval':<17}  {'at 95 %':<9}  at {level}"]
        for label, single, strict in zip(self.labels, self.single, self.strict, strict=True):
            d = single.difference
            s, digits = d.scale, d.digits
            interval = f"[{_plus(d.low * s, digits)}, {_plus(d.high * s, digits)}]"
            lines.append(
                f"{label:<{width}}  {_plus(d.estimate * s, digits):>7}  {interval:<17}  "
                f"{_side(single):<9}  {_side(strict)}"
            )
        if any(_side(c).endswith("*") for c in (*self.single, *self.strict)):
            lines.append(
                "*: the interval leaves out 0, but its end nearest 0 rounds to 0 at the printed digits "
                "(it prints as +0.000): only that rounded end touches 0"
            )
        return "\n".join(lines)


def _plus(value: float, digits: int) -> str:
    """``+0.012``; a value that rounds to 0 shows as ``+0.000``, never ``-0.000``."""
    text = f"{value:+.{digits}f}"
    return "+" + text[1:] if float(text) == 0 else text


def _side(comparison: Comparison) -> str:
    """A short verdict: which side of 0 the interval of ``A - B`` lies on, or none. A verdict with a star
    (``A higher*``) leaves out 0 only below the printed digits: the interval's end nearest 0 rounds to 0
    (``+0.000``), so the star's footnote under the table says that it is that end, not the estimate, that
    prints as 0, and the table never shows a verdict its printed interval does not plainly support."""
    if not comparison.detectable:
        return "no diff."
    d = comparison.difference
    nearest = d.low if d.estimate > 0 else d.high
    side = "A higher" if d.estimate > 0 else "A lower"
    if float(f"{nearest * d.scale:.{d.digits}f}") == 0:
        return side + "*"
    return side


def compare_maps(
    pairs: Mapping[str, tuple[Sequence[float] | torch.Tensor, Sequence[float] | torch.Tensor]],
    *,
    points: Iterable[str] = (),
) -> MapComparisons:
    """Paired differences ``A - B`` (``pairs``: ``label -> (A, B)``, one value per item, the same items
    in both), each read at 95 % and at the Bonferroni level for the whole family,
    ``1 - 0.05 / len(pairs)``. ``points``: labels whose values are shares in [0, 1], shown in
    percentage points. A verdict "no diff." means the interval holds 0 (no detectable difference)."""
    if not isinstance(pairs, Mapping) or not pairs:
        raise ValueError("pairs must be a non-empty mapping: label -> (values A, values B)")
    points = set(points)
    unknown = points - set(pairs)
    if unknown:
        raise ValueError(f"points names labels that are not in pairs: {sorted(unknown)}")
    level = 1 - 0.05 / len(pairs)
    single, strict = [], []
    for label, pair in pairs.items():
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError(f"pairs[{label!r}] must be a pair (values A, values B)")
        a, b = pair
        percent = label in points
        single.append(paired_difference(a, b, percent=percent))
        strict.append(paired_difference(a, b, percent=percent, confidence=level))
    return MapComparisons(tuple(pairs), tuple(single), tuple(strict), level)


# --- lesson 08's experiments, one call each --------------------------------------------------------------------------


def deletion_areas(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    maps: Mapping[str, torch.Tensor],
    *,
    counts: Sequence[int],
    fill: float = 0.0,
) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """:func:`deletion_curves` for every map (``name -> (B, rows, cols)``) deleting to ``fill``, and
    each curve's area per image (:func:`deletion_auc` on the same ``counts``): ``(curves, areas)``."""
    curves = deletion_curves(model, images, labels, maps, counts=counts, fill=fill)
    return curves, {name: deletion_auc(curve, counts) for name, curve in curves.items()}


def insertion_areas(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    maps: Mapping[str, torch.Tensor],
    *,
    counts: Sequence[int],
    fill: float = 0.0,
) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Insertion curves, the mirror of :func:`deletion_areas`: start from an image of ``fill`` and put
    the patches back, highest ranked first; reading ``k`` is the true class's probability with the
    map's top ``counts[k]`` patches in place. A **higher** area is better. ``(curves, areas)``.

    Keeping the top ``k`` patches is deleting the other ``P - k``, lowest ranked first: the curves are
    :func:`deletion_curves` of the negated maps at the counts ``P - k``, read backwards (the same
    images, each run once)."""
    rows, cols = _deletion_grid(images, labels, maps)
    patches = rows * cols
    steps = _deletion_counts(counts, patches)
    back = [patches - c for c in reversed(steps)]
    negated = {name: -scores for name, scores in maps.items()}
    curves = {
        name: curve.flip(-1)
        for name, curve in deletion_curves(model, images, labels, negated, counts=back, fill=fill).items()
    }
    return curves, {name: deletion_auc(curve, steps) for name, curve in curves.items()}


def rollout_settings(
    attentions: Sequence[torch.Tensor], settings: Mapping[str, tuple[str, float]], grid: tuple[int, int]
) -> dict[str, torch.Tensor]:
    """The class token's :func:`attention_rollout` map ``(B, rows, cols)`` for each setting,
    ``name -> (head_fusion, discard_ratio)``."""
    return {
        name: class_token_attention(attention_rollout(attentions, head_fusion=fusion, discard_ratio=ratio), grid)
        for name, (fusion, ratio) in settings.items()
    }


def vit_explain_rollout(attention: Sequence[torch.Tensor], discard_ratio: float, head_fusion: str) -> torch.Tensor:
    """jacobgil/vit-explain's ``rollout`` (vit_rollout.py, commit 15a81d3), line for line, for one image.

    ``attention``: one ``(1, heads, N, N)`` per layer, first layer first. Returns the class token's
    row over the patches, ``(N - 1,)`` scaled to max 1, as vit-explain's mask (before its reshape).
    Kept literal, including ``a / a.sum(dim=-1)`` without ``keepdim``: with a batch of one the ``(1, N)``
    row sums broadcast along the last axis, so column ``j`` is divided by row ``j``'s sum.
    Only :func:`vit_explain_agreement` uses it, to compare with :func:`attention_rollout`.
    """
    result = torch.eye(attention[0].size(-1), dtype=attention[0].dtype)
    with torch.no_grad():
        for layer in attention:
            if head_fusion == "mean":
                attention_heads_fused = layer.mean(axis=1)
            elif head_fusion == "max":
                attention_heads_fused = layer.max(axis=1)[0]
            elif head_fusion == "min":
                attention_heads_fused = layer.min(axis=1)[0]
            else:
                raise ValueError(f"head_fusion must be mean, max or min, got {head_fusion!r}")
            flat = attention_heads_fused.view(attention_heads_fused.size(0), -1)
            _, indices = flat.topk(int(flat.size(-1) * discard_ratio), -1, False)
            indices = indices[indices != 0]
            flat[0, indices] = 0
            eye = torch.eye(attention_heads_fused.size(-1), dtype=flat.dtype)
            a = (attention_heads_fused + 1.0 * eye) / 2
            a = a / a.sum(dim=-1)
            result = torch.matmul(a, result)
    mask = result[0, 0, 1:]
    return mask / mask.max()


def vit_explain_agreement(
    attentions: Sequence[torch.Tensor], head_fusion: str, discard_ratio: float, grid: tuple[int, int]
) -> dict[str, torch.Tensor]:
    """:func:`vit_explain_rollout` (one image at a time, as vit-explain runs) against :func:`attention_rollout`.

    Per image: ``rho`` (Spearman's, :func:`rank_correlation`), ``same_top`` (the same top patch),
    and each map's spread (:func:`effective_patches`), ``spread_vit_explain`` and ``spread_package``.
    """
    layers = _check_attention_stack(attentions)
    package = class_token_attention(
        attention_rollout(layers, head_fusion=head_fusion, discard_ratio=discard_ratio), grid
    ).double()
    literal = (
        torch.stack(
            [
                vit_explain_rollout([layer[i : i + 1].clone() for layer in layers], discard_ratio, head_fusion)
                for i in range(layers[0].shape[0])
            ]
        )
        .reshape(package.shape)
        .double()
    )
    return {
        "rho": rank_correlation(literal, package),
        "same_top": literal.flatten(1).argmax(1) == package.flatten(1).argmax(1),
        "spread_vit_explain": effective_patches(literal),
        "spread_package": effective_patches(package),
    }


def class_map_agreements(
    model: nn.Module,
    reference: tuple[torch.Tensor, torch.Tensor],
    others: Mapping[str, tuple[torch.Tensor, torch.Tensor]],
    grid: tuple[int, int],
) -> dict[str, dict[str, torch.Tensor]]:
    """How alike class-specific maps are. ``reference`` and each of ``others`` are ``(digits (B, 1, H, W),
    classes (B,))``; each gives every digit's gradient-weighted class-token map for its class
    (:func:`gradient_weighted_attention`). Returns ``name -> map_agreement(reference map, that map)``:
    per digit, the cosine, the same top patch (0/1) and the share of the top 5 in common."""

    def maps(digits: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        return class_token_attention(gradient_weighted_attention(model, digits, classes)[0], grid).flatten(1)

    anchor = maps(*reference)
    return {name: map_agreement(anchor, maps(*other)) for name, other in others.items()}


def closest_call_neighbour_cosines(
    model: nn.Module, images: torch.Tensor, grid: tuple[int, int], count: int = 100
) -> dict[str, torch.Tensor]:
    """Lesson 08's reference for appendix C's cosines, on the same digits: the ``count`` images with the smallest
    top-2 gap (picked as ``benchmarks/bench_lesson08_draws.py`` picks them, in the same order), and per picked digit
    ``i`` the cosine of its likeliest class's gradient-weighted map with digit ``i + 1``'s (the last with the
    first), each map for its own likeliest class: two different digits, each for its own class.

    Returns ``"cosine"`` ``(count,)`` float64, ``"different class"`` ``(count,)`` bool (the two likeliest classes
    differ) and ``"picked"`` ``(count,)``, the indices into ``images``."""
    _checks.image_batch(images)
    if not 0 < count <= len(images):
        raise ValueError(f"count must be in 1..{len(images)}, got {count}")
    with torch.no_grad():
        best_two = _logits(model(images)).softmax(-1).topk(2, dim=-1)
    picked = (best_two.values[:, 0] - best_two.values[:, 1]).argsort()[:count]
    likeliest = best_two.indices[picked, 0]
    maps = class_token_attention(gradient_weighted_attention(model, images[picked], likeliest)[0], grid).flatten(1)
    cosine = F.cosine_similarity(maps, maps.roll(-1, 0), dim=1).double()
    return {"cosine": cosine, "different class": likeliest != likeliest.roll(-1), "picked": picked}


def compare_agreements(
    scores: Mapping[str, Mapping[str, torch.Tensor]],
    pairs: Mapping[str, tuple[str, str]],
    measures: Sequence[str] = ("cosine", "same top patch", "top 5 in common"),
) -> MapComparisons:
    """:func:`compare_maps` on :func:`class_map_agreements` results: for each ``label -> (A, B)`` of
    ``pairs`` (names in ``scores``) and each measure, the paired difference ``A - B``, labelled
    ``"measure: label"``; shares (the top patch, the top 5) in percentage points."""
    family = {
        f"{measure}: {label}": (scores[a][measure], scores[b][measure])
        for label, (a, b) in pairs.items()
        for measure in measures
    }
    return compare_maps(family, points=[label for label in family if not label.startswith("cosine")])


@dataclass(frozen=True)
class ClassPairMaps:
    """What :func:`class_pair_maps` returns; M images, B = ``count`` of them picked, smallest gap first."""

    probabilities: torch.Tensor  # (M, classes): softmax of the logits
    best_three: torch.Tensor  # (M, 3): the three likeliest classes, likeliest first
    gap: torch.Tensor  # (M,): the likeliest class's probability minus the runner-up's
    picked: torch.Tensor  # (B,): indices into the images, the smallest gap first
    other_class: torch.Tensor  # (B,): a class other than the picked image's likeliest
    three_maps: torch.Tensor  # (B, 3, rows, cols): the likeliest, runner-up and third class's maps
    unrelated_maps: torch.Tensor  # (B, rows, cols): other_class's map of the previous picked image

    def shown_lines(
        self, rows: Sequence[int], names: Sequence[str], labels: torch.Tensor, cosines: torch.Tensor
    ) -> tuple[str, list[str]]:
        """Lesson 08 section 12's bookkeeping for the picked images at positions ``rows`` (named ``names``):
        one printed line each (index, label, the two likeliest classes and their probabilities, ``cosines[row]``,
        the cosine of their two maps) and one figure caption each (``"a 6: 6 or 0"``). ``labels`` ``(M,)``."""
        lines, captions = [], []
        for name, row in zip(names, rows, strict=True):
            index = int(self.picked[row])
            first, second = self.best_three[index, :2].tolist()
            p_first, p_second = self.probabilities[index, [first, second]].tolist()
            label = int(labels[index])
            lines.append(
                f"{name}: validation digit {index}, a {label}; model: {first} ({p_first:.2f}) "
                f"or {second} ({p_second:.2f}); cosine of the two maps {float(cosines[row]):.2f}"
            )
            captions.append(f"a {label}: {first} or {second}")
        return "\n".join(lines), captions


def class_pair_maps(
    model: nn.Module, images: torch.Tensor, grid: tuple[int, int], count: int = 100, seed: int = 0
) -> ClassPairMaps:
    """Gradient-weighted class-token maps for the ``count`` images with the smallest top-2 gap.

    ``images`` ``(M, C, H, W)``. Per picked image: the maps for its three likeliest classes, and an
    *unrelated* map, that of a class other than its likeliest (a shift of 1 to classes - 1, drawn with ``seed``) on
    the previous picked image (``roll(1)``). The images in a batch never interact, so each of the four
    sets of ``count`` maps takes one backward pass (:func:`gradient_weighted_attention`).
    """
    _checks.image_batch(images)
    if not 0 < count <= len(images):
        raise ValueError(f"count must be in 1..{len(images)}, got {count}")
    with torch.no_grad():
        probabilities = _logits(model(images)).softmax(-1)
    top = probabilities.topk(3, dim=-1)
    gap = top.values[:, 0] - top.values[:, 1]
    picked = gap.argsort()[:count]
    classes = probabilities.shape[-1]
    shift = torch.randint(1, classes, (count,), generator=torch.Generator().manual_seed(seed))
    other_class = (top.indices[picked, 0] + shift) % classes
    chosen = images[picked]
    asked = [*top.indices[picked].T, other_class]  # four (B,) class lists
    shown = [chosen, chosen, chosen, chosen.roll(1, dims=0)]
    maps = torch.stack(
        [
            class_token_attention(gradient_weighted_attention(model, x, c)[0], grid)
            for x, c in zip(shown, asked, strict=True)
        ]
    )  # (4, B, rows, cols)
    return ClassPairMaps(probabilities, top.indices, gap, picked, other_class, maps[:3].transpose(0, 1), maps[3])


@dataclass(frozen=True)
class TopPatchNorms:
    """What :func:`top_patch_norms` measures (lesson 08, section 5)."""

    relative: dict[str, torch.Tensor]  # where -> (B, P): each patch token's norm / its image's median
    off_ink: torch.Tensor  # (B, heads) bool: the head's top patch holds no pixel above 0.5
    norms: dict[str, tuple[torch.Tensor, torch.Tensor]]  # where -> (off-ink mean, on-ink mean), (D,) each


def top_patch_norms(
    streams: Mapping[str, torch.Tensor], weights: torch.Tensor, images: torch.Tensor, grid: tuple[int, int]
) -> TopPatchNorms:
    """Are the patches the class token attends to most high-norm tokens (Darcet et al. 2024)?

    ``streams``: ``where -> (B, N, D)`` residual streams (e.g. into and out of the last block);
    ``weights``: that block's ``(B, heads, N, N)`` attention. Per image and head, the top patch of the
    class token's row; it is off ink when none of its pixels is above 0.5. ``norms[where]`` is, over
    the D images whose heads' top patches are some off and some on the ink, each image's mean
    relative norm of its off-ink top tokens and of its on-ink ones (a paired comparison per image)."""
    relative = {where: relative_patch_norms(stream) for where, stream in streams.items()}
    top = class_token_attention(weights, grid).flatten(2).argmax(-1)  # (B, heads)
    off_ink = ~inked_patches(images, grid).flatten(1).gather(1, top)
    mixed = off_ink.any(1) & ~off_ink.all(1)
    off = off_ink[mixed].float()
    norms = {}
    for where, values in relative.items():
        top_norm = values.gather(1, top)[mixed]  # (D, heads)
        norms[where] = ((top_norm * off).sum(1) / off.sum(1), (top_norm * (1 - off)).sum(1) / (1 - off).sum(1))
    return TopPatchNorms(relative, off_ink, norms)


def randomised_copy(
    model: nn.Module, part_of: Callable[[nn.Module], nn.Module] | None = None, *, init: str
) -> nn.Module:
    """A deep copy of ``model`` with ``part_of(copy)`` re-drawn as the model's own constructor draws it
    (Adebayo et al.'s model randomisation test); ``model`` itself is left alone.

    ``init`` is the recipe the model was trained from, one of :data:`vit_explained.vit.INITS`: for the
    shipped checkpoint ``checkpoint_info()["info"]["recipe"]["init"]`` (``"torch"``; the rebuilt model's
    own ``.init`` attribute is the constructor's default, not the recipe's). Every module of the part
    with a ``reset_parameters`` gets PyTorch's initialisation (``"torch"`` stops there); with ``"timm"``
    or ``"jax"`` the part's Linear layers inside the encoder and its heads then start as
    ``ViT(..., init=init)`` starts them (the patch embedding keeps PyTorch's, as in the ViT). When the
    part is the whole model (``part_of=None``), its class token and position table (and a DeiT's
    distillation token) are re-drawn by the model's own ``_make_tokens``. Uses torch's global random
    numbers: seed them (or wrap the call in ``torch.random.fork_rng()``) for a reproducible draw.
    """
    from .vit import INITS  # here, not at the top: vit.py builds on the modules this one imports

    init = _checks.one_of("init", init, INITS)
    network = copy.deepcopy(model)
    part = network if part_of is None else part_of(network)
    for module in part.modules():  # Linear, LayerNorm, the patch Conv2d: PyTorch's initialisation
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
    _init_like_constructor(network, part, init)
    if part is network and hasattr(network, "_make_tokens"):  # the special tokens, as the constructor sets them
        kept = dict(network.named_parameters(recurse=False))
        network._make_tokens(network.class_token.shape[-1])
        with torch.no_grad():
            for name, parameter in kept.items():  # the copy's own parameter objects, with the new values
                parameter.copy_(getattr(network, name))
                setattr(network, name, parameter)
    return network


def _init_like_constructor(network: nn.Module, part: nn.Module, init: str) -> None:
    """Re-draw ``part``'s Linear layers as ``ViT._init_linear_layers`` draws ``network``'s for ``init``."""
    from .vit import _jax_init, init_weights

    if init == "torch":  # PyTorch's default: reset_parameters already drew it
        return
    in_part = {id(module) for module in part.modules()}
    encoder = getattr(network, "encoder", network)
    heads = [getattr(network, name, None) for name in ("head", "head_dist")]
    for module in encoder.modules():
        if id(module) in in_part and not any(module is head for head in heads):
            (init_weights if init == "timm" else _jax_init)(module)  # both act on Linear layers only
    for head in heads:
        if isinstance(head, nn.Linear) and id(head) in in_part:
            if init == "timm":
                init_weights(head)
            else:  # jax: a zero-initialised head
                nn.init.zeros_(head.weight)
                nn.init.zeros_(head.bias)


def rollout_and_gradient_maps(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, grid: tuple[int, int]
) -> dict[str, torch.Tensor]:
    """The class token's rollout map and its gradient-weighted map for ``labels``, from one forward pass.

    ``images`` (B, C, H, W), ``labels`` (B,) -> ``{"rollout": (B, rows, cols), "gradient-weighted":
    (B, rows, cols)}`` with ``grid = (rows, cols)``.
    """
    with capture_attention(model) as weights:  # the pass that gives the gradients also gives the weights
        relevance, _ = gradient_weighted_attention(model, images, labels)
    return {
        "rollout": class_token_attention(attention_rollout(weights), grid),
        "gradient-weighted": class_token_attention(relevance, grid),
    }


def map_span(maps: torch.Tensor) -> torch.Tensor:
    """``(B, rows, cols) -> (B,)``: each map's largest minus its smallest patch (a size-sensitive score:
    a nearly flat map has a small span, whatever its ranking)."""
    if maps.dim() < 2:
        raise ValueError(f"maps must be (B, ...), got {tuple(maps.shape)}")
    flat = maps.flatten(1)
    return flat.amax(1) - flat.amin(1)


def pearson_correlation(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pearson's r of two maps, per image: ``(B, ...)`` twice (or ``b`` one map without the batch
    dimension, compared with every map of ``a``) -> ``(B,)``. Each map minus its own mean, then the cosine."""
    b = b.expand_as(a) if b.dim() == a.dim() - 1 else b
    if a.shape != b.shape or a.dim() < 2:
        raise ValueError(f"a and b must be (B, ...) maps of the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    ca, cb = (m.flatten(1) - m.flatten(1).mean(1, keepdim=True) for m in (a, b))
    return F.cosine_similarity(ca, cb, dim=1)


def rank_correlation(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Spearman's rank correlation of two maps, per image: ``(B, ...)`` twice -> ``(B,)`` float64.

    Each map is flattened after the batch dimension and ranked (ties broken by position); the result is
    the Pearson correlation of the ranks: 1 for the same ranking, -1 for the reverse, about 0 for unrelated.
    """
    if a.shape != b.shape or a.dim() < 2:
        raise ValueError(f"a and b must be (B, ...) maps of the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    ranks = [m.flatten(1).argsort(1).argsort(1).double() for m in (a, b)]
    ra, rb = (r - r.mean(1, keepdim=True) for r in ranks)
    return (ra * rb).sum(1) / (ra.norm(dim=1) * rb.norm(dim=1))


def tied_rank_correlation(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Spearman's rank correlation of two maps, per image, with tied values given their average rank (many blank
    patches tie at 0 ink): ``(B, ...)`` twice -> ``(B,)`` float64. Unlike :func:`rank_correlation`, which breaks
    ties by position, the result does not depend on the patch order within a tie."""
    if a.shape != b.shape or a.dim() < 2:
        raise ValueError(f"a and b must be (B, ...) maps of the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    ranks = []
    for m in (a, b):
        flat = m.flatten(1).double()  # (B, P)
        below = (flat[:, :, None] > flat[:, None, :]).sum(-1)  # values strictly below each one
        ties = (flat[:, :, None] == flat[:, None, :]).sum(-1)  # itself included
        ranks.append(below + (ties + 1) / 2)  # the average rank of a tie, counting from 1
    return pearson_correlation(ranks[0], ranks[1]).double()


def rank_correlation_to_others(maps: torch.Tensor) -> torch.Tensor:
    """Per map, its :func:`rank_correlation` with every other map of the batch, averaged: ``(B, ...)`` -> ``(B,)``
    float64. Lesson 08's other-digits reference: no pairing of digits to choose, and no digit against itself."""
    count = len(maps)
    if count < 2:
        raise ValueError(f"rank_correlation_to_others needs at least 2 maps, got {count}")
    rho = torch.stack([rank_correlation(maps[i].expand_as(maps), maps) for i in range(count)]).double()  # (B, B)
    return (rho.sum(1) - rho.diagonal()) / (count - 1)


def block_streams(
    model: nn.Module, block: nn.Module, images: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One forward pass without gradients; what ``block`` (a ViT block inside ``model``) saw and made.

    Returns ``(into, out_of, attention)``: the residual stream going into the block ``(B, N, D)`` (a forward
    pre-hook), the stream coming out ``(B, N, D)`` (a forward hook) and the block's attention weights
    ``(B, heads, N, N)`` (:func:`capture_attention` on ``block.attn``). Every hook is removed on return.
    """
    into, out_of = [], []
    pre = block.register_forward_pre_hook(lambda module, args: into.append(args[0].detach()))
    post = block.register_forward_hook(lambda module, args, output: out_of.append(output.detach()))
    try:
        with capture_attention(model, [block.attn]) as attention, torch.no_grad():
            model(images)
    finally:
        pre.remove()
        post.remove()
    return into[0], out_of[0], attention[0]


def class_token_maps_by_block(
    model: nn.Module, images: torch.Tensor, grid: tuple[int, int], chunk: int = 250
) -> tuple[list[torch.Tensor], list[torch.Tensor], list[torch.Tensor]]:
    """The class token's maps after every block, ``chunk`` images per forward pass (the weights of all at once
    can be large). Returns three lists with one entry per block, first block first:

    - the block's own class-token attention, heads averaged, ``(B, rows, cols)``;
    - the rollout through blocks 0..k (:func:`attention_rollout`), the class token's row, ``(B, rows, cols)``;
    - :func:`effective_patches` of each head's class-token attention, ``(B, heads)``.
    """
    own: list[list[torch.Tensor]] = []
    rolled: list[list[torch.Tensor]] = []
    spread: list[list[torch.Tensor]] = []
    for start in range(0, len(images), chunk):
        with capture_attention(model) as weights, torch.no_grad():
            model(images[start : start + chunk])
        if not own:
            own, rolled, spread = ([[] for _ in weights] for _ in range(3))
        through = None
        for k, block_weights in enumerate(weights):
            per_head = class_token_attention(block_weights, grid)  # (chunk, heads, rows, cols)
            own[k].append(per_head.mean(1))
            spread[k].append(effective_patches(per_head))
            step = attention_rollout(weights[k : k + 1])
            through = step if through is None else step @ through  # rollout through blocks 0..k
            rolled[k].append(class_token_attention(through, grid))
    return [torch.cat(m) for m in own], [torch.cat(m) for m in rolled], [torch.cat(s) for s in spread]


@dataclass
class RandomisationTable:
    """What :func:`randomisation_table` measured; ``str()`` gives the printed table.

    - ``per_draw[part, method]``: per draw, the mean rank correlation with the trained map over the map
      digits, with its interval (:func:`vit_explained.evidence.mean_interval`); ``part`` is ``"last block"``
      or ``"every layer"``, ``method`` ``"rollout"`` or ``"gradient-weighted"``;
    - ``decided[part]``: per draw, (accuracy, share of decisions equal to the trained model's);
    - ``trained_accuracy``: the trained model's accuracy on the same digits;
    - ``every_layer_maps``: per every-layer draw, its maps (as :func:`rollout_and_gradient_maps`);
    - ``trained_update`` ``(B,)`` and ``redrawn_update`` ``(draws, B)``: the last block's update over the
      stream going into it, per decision digit (:func:`last_block_update_share`).
    """

    per_draw: dict[tuple[str, str], list]
    decided: dict[str, list[tuple[float, float]]]
    trained_accuracy: float
    every_layer_maps: list[dict[str, torch.Tensor]]
    trained_update: torch.Tensor
    redrawn_update: torch.Tensor
    map_digits: int = 0

    def __str__(self) -> str:
        draws = len(self.decided["every layer"])
        lines = [
            f"{draws} draws each; ρ: rank correlation with the trained map "
            f"(per draw: mean over the {self.map_digits} digits)",
            f"accuracy and same decision as the trained model: on {self.redrawn_update.shape[1]} test digits "
            f"(trained: {100 * self.trained_accuracy:.1f} % accurate)",
            f"{'re-drawn':<12} {'':<6} {'rollout ρ':<14} {'gradient-w. ρ':<14} {'accuracy':<14} same decision",
        ]
        for part in ("last block", "every layer"):
            for name, spread in (("mean", lambda m: m), ("|mean|", abs))[: 1 + (part == "every layer")]:
                cells = []
                for method in ("rollout", "gradient-weighted"):
                    values = [spread(r.estimate) for r in self.per_draw[part, method]]
                    cells.append(f"{min(values):+.2f} .. {max(values):+.2f}")
                if name == "mean":  # the range over the draws, in %
                    cells += [
                        f"{100 * min(v):.1f} .. {100 * max(v):.1f} %" for v in zip(*self.decided[part], strict=True)
                    ]
                lines.append(f"{part if name == 'mean' else '':<12} {name:<6} " + " ".join(f"{c:<14}" for c in cells))
        for method in ("rollout", "gradient-weighted"):
            clear = sum(r.low > 0 or r.high < 0 for r in self.per_draw["every layer", method])
            lines.append(f"every layer, {method}: {clear} of {draws} draws with a 95 % interval clear of 0")
        return "\n".join(line.rstrip() for line in lines)


def last_block_update_share(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """Per image, ``|the last block's update| / |the stream going into it|``, norms over all tokens: ``(B,)``."""
    into, out_of, _ = block_streams(model, model.blocks[-1], images)
    return (out_of - into).flatten(1).norm(dim=1) / into.flatten(1).norm(dim=1)


def accuracy_and_agreement(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, reference: torch.Tensor
) -> tuple[float, float]:
    """``model``'s accuracy on ``images`` and its share of decisions equal to ``reference`` ``(B,)``."""
    with torch.no_grad():
        decisions = class_token_logits(model, images).argmax(-1)
    return (decisions == labels).float().mean().item(), (decisions == reference).float().mean().item()


def randomisation_table(
    model: nn.Module,
    map_data: tuple[torch.Tensor, torch.Tensor],
    decision_data: tuple[torch.Tensor, torch.Tensor],
    grid: tuple[int, int],
    *,
    init: str,
    draws: int = 5,
    seed: int = 0,
) -> tuple[RandomisationTable, dict[str, torch.Tensor]]:
    """Adebayo et al.'s model-parameter randomisation test, two ways: the last block re-drawn, and every layer.

    ``map_data`` (images, labels): the digits whose maps (:func:`rollout_and_gradient_maps`) are compared
    with the trained model's by :func:`rank_correlation`; ``decision_data``: the digits for the decisions
    and the last block's update share. ``draws`` copies per part, re-drawn by :func:`randomised_copy` with
    ``init`` under ``seed`` (inside ``torch.random.fork_rng``: the caller's random numbers are left alone).
    Returns the table and the trained model's maps.
    """
    images, labels = map_data
    eval_images, eval_labels = decision_data
    trained_maps = rollout_and_gradient_maps(model, images, labels, grid)
    with torch.no_grad():
        trained_decisions = model(eval_images).argmax(-1)
    per_draw: dict[tuple[str, str], list] = {}
    decided: dict[str, list[tuple[float, float]]] = {}
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        every = [randomised_copy(model, init=init) for _ in range(draws)]
        last = [randomised_copy(model, lambda m: m.blocks[-1], init=init) for _ in range(draws)]
    for part, networks in (("last block", last), ("every layer", every)):
        maps_per_draw = [rollout_and_gradient_maps(network, images, labels, grid) for network in networks]
        for method, trained_map in trained_maps.items():
            per_draw[part, method] = [mean_interval(rank_correlation(trained_map, m[method])) for m in maps_per_draw]
        decided[part] = [accuracy_and_agreement(n, eval_images, eval_labels, trained_decisions) for n in networks]
    table = RandomisationTable(
        per_draw=per_draw,
        decided=decided,
        trained_accuracy=(trained_decisions == eval_labels).float().mean().item(),
        every_layer_maps=maps_per_draw,
        trained_update=last_block_update_share(model, eval_images),
        redrawn_update=torch.stack([last_block_update_share(network, eval_images) for network in last]),
        map_digits=len(images),
    )
    return table, trained_maps


def cascade_steps(model: nn.Module) -> list[tuple[str, Callable[[nn.Module], nn.Module] | None]]:
    """Adebayo et al.'s cascade for a ViT, from the top down: ``(name, part_of)`` per step, as
    :func:`randomised_copy` takes them. The classifier (``fc_norm`` and the linear ``head``; named "classifier",
    not "head", which lesson 08 keeps for attention heads), then the classifier and the last block, one block
    more per step down to block 0, then every layer (``part_of=None``). Blocks count from 0.
    """
    last = len(model.blocks) - 1
    steps: list[tuple[str, Callable[[nn.Module], nn.Module] | None]] = [
        ("classifier", lambda m: nn.ModuleList([m.fc_norm, m.head]))
    ]
    for k in reversed(range(last + 1)):
        name = f"classifier + block {k}" if k == last else f"classifier + blocks {k}-{last}"
        steps.append((name, lambda m, k=k: nn.ModuleList([m.fc_norm, m.head, *m.blocks[k:]])))
    return [*steps, ("every layer", None)]


@dataclass
class CascadeTable:
    """What :func:`cascade_table` measured; ``str()`` gives the printed table (min .. max over the draws).

    - ``rows[step]``: per draw, ``(rollout ρ, gradient-weighted ρ, accuracy, same decision)``: the mean rank
      correlation with the trained map over the map digits, then the decisions on the decision digits;
    - ``spreads[step]``: per draw, per block, the patches the class token's attention is spread over
      (:func:`effective_patches`, mean over heads and map digits); ``trained_spread``: the same, trained;
    - ``first_maps[method]`` ``(1 + steps, rows, cols)``: the first map digit's map, trained, then each step's
      first draw (taken from the maps the table compares: no extra model runs); ``draw_maps[method]``
      ``(B, 1 + steps, rows, cols)``: the same for every map digit (to show a digit other than the first);
    - ``per_digit[step][method]`` ``(draws, B)``: the rank correlation with the trained map per draw and map
      digit (``rows`` holds its mean over the digits), for paired comparisons of the methods
      (:func:`compare_maps`);
    - ``decision_digits``: the number of decision digits (``str()`` names it).
    """

    rows: dict[str, list[tuple[float, float, float, float]]]
    spreads: dict[str, list[list[float]]]
    trained_spread: list[float]
    first_maps: dict[str, torch.Tensor]
    per_digit: dict[str, dict[str, torch.Tensor]] = field(default_factory=dict)
    draw_maps: dict[str, torch.Tensor] = field(default_factory=dict)
    decision_digits: int = 0  # how many digits the accuracy and same-decision columns are read on (0: not given)

    def mean_rho(self, step: str, method: str) -> torch.Tensor:
        """``(B,)``: per map digit, the rank correlation with the trained map averaged over the step's draws."""
        if step not in self.per_digit:
            raise KeyError(f"no step {step!r}; the table holds {list(self.per_digit)}")
        return self.per_digit[step][method].mean(0)

    def column(self, step: str, index: int) -> list[float]:
        """One column of ``rows[step]`` over the draws (0 rollout ρ, 1 gradient-weighted ρ, 2 accuracy, 3 same)."""
        return [draw[index] for draw in self.rows[step]]

    def median_digit(self, methods: Sequence[str] = ("rollout", "gradient-weighted")) -> int:
        """The map digit closest to the digits' median ρ all along the cascade: the smallest sum of
        ``|ρ - median ρ|`` over the steps and ``methods`` (first draw)."""
        first = torch.stack([self.per_digit[step][m][0] for step in self.rows for m in methods])  # (steps * 2, B)
        return int((first - first.median(1, keepdim=True).values).abs().sum(0).argmin())

    def digit_lines(self, digit: int, methods: Sequence[str] = ("rollout", "gradient-weighted")) -> str:
        """Per step, ``digit``'s ρ beside the mean over the map digits (first draw), one line each."""
        lines = []
        for step in self.rows:
            pair = [self.per_digit[step][m][0] for m in methods]
            lines.append(
                f"  {step:<24} "
                + "   ".join(f"{m} {r[digit]:+.2f} / {r.mean():+.2f}" for m, r in zip(methods, pair, strict=True))
            )
        return "\n".join(lines)

    def table(self, decisions: bool = True) -> str:
        """The printed table; ``decisions=False`` leaves out the accuracy and same-decision columns (ρ only)."""
        draws = len(next(iter(self.rows.values())))
        lines = [
            f"{draws} draws per step; each cell: min .. max over the draws; "
            "classifier: the linear head (fc_norm is Identity here)",
        ]
        maps_on = len(next(iter(next(iter(self.per_digit.values())).values()))[0]) if self.per_digit else 0
        if maps_on and self.decision_digits and decisions:
            lines.append(
                f"ρ: mean over {maps_on} test digits; accuracy and same decision (the re-drawn model picks the trained "
                f"model's class): on {self.decision_digits} test digits"
            )
        elif maps_on:
            lines.append(f"ρ: mean over {maps_on} test digits")
        header = f"{'re-drawn from the top':<24} {'rollout ρ':<15} {'gradient-w. ρ':<15}"
        lines.append(f"{header} {'accuracy':<15} same decision" if decisions else header.rstrip())
        for step in self.rows:
            columns = [self.column(step, i) for i in range(4 if decisions else 2)]
            cells = [f"{min(v):+.2f} .. {max(v):+.2f}" for v in columns[:2]]
            cells += [f"{100 * min(v):.1f} .. {100 * max(v):.1f} %" for v in columns[2:]]
            lines.append(f"{step:<24} " + " ".join(f"{cell:<15}" for cell in cells).rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _class_token_spread(model: nn.Module, images: torch.Tensor, grid: tuple[int, int]) -> list[float]:
    """Per block, :func:`effective_patches` of the class token's attention, mean over heads and images."""
    return [spread.mean().item() for spread in class_token_maps_by_block(model, images, grid)[2]]


def _maps_and_spread(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, grid: tuple[int, int]
) -> tuple[dict[str, torch.Tensor], list[float]]:
    """:func:`rollout_and_gradient_maps` and :func:`_class_token_spread` from the one pass that gives both."""
    with capture_attention(model) as weights:  # the pass that gives the gradients also gives the weights
        relevance, _ = gradient_weighted_attention(model, images, labels)
    maps = {
        "rollout": class_token_attention(attention_rollout(weights), grid),
        "gradient-weighted": class_token_attention(relevance, grid),
    }
    return maps, [effective_patches(class_token_attention(w, grid)).mean().item() for w in weights]


def _measure_draw(
    network: nn.Module,
    trained_maps: Mapping[str, torch.Tensor],
    map_data: tuple[torch.Tensor, torch.Tensor],
    decided_on: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    grid: tuple[int, int],
) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor], tuple[float, float, float, float], list[float]]:
    """One re-drawn copy as :func:`cascade_table` reads it: its maps, ρ per map digit per method, its row
    ``(rollout ρ, gradient-weighted ρ, accuracy, same decision)`` and its class-token spread per block."""
    maps, spread = _maps_and_spread(network, *map_data, grid)  # one pass for both
    rho = {method: rank_correlation(trained_maps[method], maps[method]) for method in trained_maps}
    accuracy, agreement = accuracy_and_agreement(network, *decided_on)
    means = [rho[method].mean().item() for method in trained_maps]
    return maps, rho, (means[0], means[1], accuracy, agreement), spread


def cascade_draw(model: nn.Module, step: str, draw: int, *, init: str, draws: int = 3, seed: int = 1) -> nn.Module:
    """The copy :func:`cascade_table` (same ``init``, ``draws`` and ``seed``) measured at ``step``'s ``draw``
    (0-based), drawn again: the earlier copies are re-drawn in order to replay the random numbers (no model runs).
    The global random numbers are left as they were."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for name, part_of in cascade_steps(model):
            for index in range(draws):
                network = randomised_copy(model, part_of, init=init)
                if (name, index) == (step, draw):
                    return network
    raise KeyError(f"no draw {draw} of step {step!r} among {draws} draws of {[n for n, _ in cascade_steps(model)]}")


def cascade_table(
    model: nn.Module,
    map_data: tuple[torch.Tensor, torch.Tensor],
    decision_data: tuple[torch.Tensor, torch.Tensor],
    grid: tuple[int, int],
    *,
    init: str,
    draws: int = 3,
    seed: int = 1,
) -> CascadeTable:
    """Adebayo et al.'s cascading randomisation: per step of :func:`cascade_steps`, ``draws`` copies re-drawn by
    :func:`randomised_copy` with ``init`` (under ``seed``, inside ``torch.random.fork_rng``), one at a time.

    ``map_data`` (images, labels): the digits whose maps are compared with the trained model's
    (:func:`rank_correlation`) and whose class-token spread is read; ``decision_data``: the digits for the
    accuracy and the agreement with the trained model's decisions (:func:`accuracy_and_agreement`).
    Lesson 08 reads it as ``benchmarks/bench_lesson08_cascade.py`` stored it (:func:`stored_cascade`) and
    re-measures one draw (:func:`cascade_draw`).
    """
    trained_maps = rollout_and_gradient_maps(model, *map_data, grid)
    with torch.no_grad():
        decided_on = (*decision_data, model(decision_data[0]).argmax(-1))
    rows: dict[str, list[tuple[float, float, float, float]]] = {}
    spreads: dict[str, list[list[float]]] = {}
    per_digit: dict[str, dict[str, list[torch.Tensor]]] = {}
    first = {method: [maps] for method, maps in trained_maps.items()}  # every map digit: trained, then per step
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for step, part_of in cascade_steps(model):
            rows[step], spreads[step] = [], []
            per_digit[step] = {method: [] for method in trained_maps}
            for _ in range(draws):  # one copy at a time: drawn, measured, freed
                network = randomised_copy(model, part_of, init=init)
                maps, rho, row, spread = _measure_draw(network, trained_maps, map_data, decided_on, grid)
                for method in trained_maps:
                    per_digit[step][method].append(rho[method])
                rows[step].append(row)
                spreads[step].append(spread)
                if len(rows[step]) == 1:  # the first draw's maps, for the picture
                    for method in first:
                        first[method].append(maps[method])
    every = {method: torch.stack(maps, dim=1) for method, maps in first.items()}  # (B, 1 + steps, rows, cols)
    digits = {step: {method: torch.stack(rho) for method, rho in by.items()} for step, by in per_digit.items()}
    spread = _class_token_spread(model, map_data[0], grid)
    first_maps = {m: maps[0] for m, maps in every.items()}
    return CascadeTable(rows, spreads, spread, first_maps, digits, every, decision_digits=len(decision_data[0]))


def remeasure_cascade_draw(
    model: nn.Module,
    step: str,
    draw: int,
    map_data: tuple[torch.Tensor, torch.Tensor],
    decision_data: tuple[torch.Tensor, torch.Tensor],
    grid: tuple[int, int],
    *,
    init: str,
    draws: int = 3,
    seed: int = 1,
) -> tuple[dict[str, torch.Tensor], tuple[float, float, float, float], list[float]]:
    """One draw of :func:`cascade_table` (same arguments) measured again: ρ per map digit per method
    ``(B,)``, the draw's row and its class-token spread per block, to check a stored table against."""
    network = cascade_draw(model, step, draw, init=init, draws=draws, seed=seed)
    trained_maps = rollout_and_gradient_maps(model, *map_data, grid)
    with torch.no_grad():
        decided_on = (*decision_data, model(decision_data[0]).argmax(-1))
    _, rho, row, spread = _measure_draw(network, trained_maps, map_data, decided_on, grid)
    return rho, row, spread


def _lines(values: torch.Tensor) -> list[str]:
    """``(n, k)`` values as n lines of k numbers, 6 decimals, separated by spaces (a stored file's rows)."""
    return [" ".join(f"{v:.6f}" for v in row) for row in values.tolist()]


def _from_lines(rows: list[str], dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.tensor([[float(v) for v in row.split()] for row in rows], dtype=dtype)


def cascade_to_json(table: CascadeTable) -> dict:
    """``table`` as ``benchmarks/bench_lesson08_cascade.py`` stores it (every number to 6 decimals)."""

    def six(values: list[float]) -> list[float]:
        return [round(v, 6) for v in values]

    return {
        "rows": {step: [six(list(draw)) for draw in draws] for step, draws in table.rows.items()},
        "spreads": {step: [six(draw) for draw in draws] for step, draws in table.spreads.items()},
        "trained_spread": six(table.trained_spread),
        "per_digit": {step: {m: _lines(rho) for m, rho in by.items()} for step, by in table.per_digit.items()},
        "draw_maps": {m: _lines(maps.flatten(1)) for m, maps in table.draw_maps.items()},
        "grid": list(next(iter(table.draw_maps.values())).shape[-2:]),
    }


def stored_cascade(name: str = "lesson08_cascade.json") -> CascadeTable:
    """Lesson 08's :func:`cascade_table` (32 map digits, 200 decision digits, 3 draws, the recipe's init) as
    ``benchmarks/bench_lesson08_cascade.py`` stored it (package data ``vit_explained/checkpoints/<name>``,
    6 decimals; :func:`stored_seconds` to recompute): the lesson reads it and re-measures one draw."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    rows = {step: [tuple(draw) for draw in draws] for step, draws in stored["rows"].items()}
    per_digit = {  # float64, as rank_correlation gives them
        step: {m: _from_lines(r, torch.float64) for m, r in by.items()} for step, by in stored["per_digit"].items()
    }
    steps = len(rows)
    every = {m: _from_lines(r).reshape(-1, 1 + steps, *stored["grid"]) for m, r in stored["draw_maps"].items()}
    first = {m: maps[0] for m, maps in every.items()}
    decided = re.search(r"decisions on data\.test_images\[:(\d+)\]", stored.get("what", ""))  # the benchmark's note
    table = CascadeTable(rows, stored["spreads"], stored["trained_spread"], first, per_digit, every)
    table.decision_digits = int(decided.group(1)) if decided else 0
    return table


@dataclass
class RedrawnRollouts:
    """What :func:`redrawn_rollouts` picked; ``str()`` prints the ink shares and the shown maps' ranges.

    - ``ink_above_flat[name]`` ``(B,)``: rollout's share on ink minus a flat map's, in points, per map digit
      (``"trained"``, then ``"draw 1"``, ...);
    - ``picked``: the every-layer draws shown (highest, lowest and nearest-0 mean ρ), 0-based;
    - ``maps`` ``(1 + len(picked), rows, cols)``: the first digit's rollout, trained first, then the picked draws;
    - ``own_rho`` ``(len(picked),)``: this digit's own rank correlation with the trained map, per picked draw.
    """

    ink_above_flat: dict[str, torch.Tensor]
    picked: list[int]
    maps: torch.Tensor
    own_rho: torch.Tensor

    @property
    def names(self) -> list[str]:
        return ["trained"] + [f"draw {d + 1}" for d in self.picked]

    def __str__(self) -> str:
        lines = [
            "rollout's share on ink minus a flat map's (points; mean over the "
            f"{len(self.ink_above_flat['trained'])} digits):",
            "  " + ", ".join(f"{name} {values.mean():+.1f}" for name, values in self.ink_above_flat.items()),
        ]
        for name, values in zip(self.names, self.maps, strict=True):
            lines.append(f"rollout of the first digit, {name}: values {values.min():.4f} to {values.max():.4f}")
        return "\n".join(lines)


def redrawn_rollouts(
    table: RandomisationTable, trained_maps: Mapping[str, torch.Tensor], images: torch.Tensor, grid: tuple[int, int]
) -> RedrawnRollouts:
    """From :func:`randomisation_table`'s every-layer draws: each rollout's share on ink above a flat map's
    (:func:`ink_share`, over ``images`` (B, C, H, W), the map digits), and the first digit's rollout for the
    draws with the highest, the lowest and the nearest-0 mean ρ, beside the trained one (``grid = (rows, cols)``).
    """
    flat_on_ink = inked_patches(images, grid).flatten(1).float().mean(1)  # (B,): a flat map's share on ink
    named = [("trained", trained_maps)] + [(f"draw {d + 1}", m) for d, m in enumerate(table.every_layer_maps)]
    above = {name: 100 * (ink_share(maps["rollout"], images) - flat_on_ink) for name, maps in named}
    means = [r.estimate for r in table.per_draw["every layer", "rollout"]]
    order = sorted(range(len(means)), key=means.__getitem__)
    picked = [order[-1], order[0], min(range(len(means)), key=lambda d: abs(means[d]))]
    first = [trained_maps["rollout"][0]] + [table.every_layer_maps[d]["rollout"][0] for d in picked]
    maps = torch.stack(first)  # (1 + picked, rows, cols)
    own_rho = rank_correlation(maps[:1].expand(len(picked), -1, -1), maps[1:])
    return RedrawnRollouts(above, picked, maps, own_rho)


def mean_attention_distance(
    model: nn.Module, images: torch.Tensor, grid: tuple[int, int], patch_size: int | tuple[int, int]
) -> torch.Tensor:
    """The ViT paper's *mean attention distance* (Dosovitskiy et al. 2021, Fig. 7 right), per block and head.

    For each patch query, the distance in pixels between its patch centre and each key patch's centre, weighted
    by its attention on the patches (the class token's column left out, the row re-normalised over the
    patches); then the mean over the queries and the ``images`` (B, C, H, W). ``grid = (rows, cols)``;
    ``patch_size`` in pixels. One forward pass without gradients. Returns ``(blocks, heads)``.
    """
    ph, pw = (patch_size, patch_size) if isinstance(patch_size, int) else patch_size
    rows, cols = grid
    ys, xs = torch.meshgrid(torch.arange(rows) * ph, torch.arange(cols) * pw, indexing="ij")
    centres = torch.stack([ys.flatten(), xs.flatten()], -1).double()  # (rows * cols, 2), offsets cancel
    distances = torch.cdist(centres, centres)  # (P, P) pixels
    with capture_attention(model) as weights, torch.no_grad():
        model(images)
    per_block = []
    for block_weights in weights:  # (B, heads, N, N)
        special = block_weights.shape[-1] - rows * cols
        patches = block_weights[..., special:, special:].double()  # (B, heads, P, P)
        patches = patches / patches.sum(-1, keepdim=True)
        per_block.append((patches * distances).sum(-1).mean((0, 2)))  # (heads,)
    return torch.stack(per_block)


def stored_greedy_scores(name: str = "lesson08_greedy.json") -> torch.Tensor:
    """``(200, rows, cols)``: :func:`greedy_deletion_order` for lesson 08's 200 test digits, as
    ``benchmarks/bench_lesson08_greedy.py`` stored it (package data ``vit_explained/checkpoints/<name>``;
    96.2 s to recompute on 2 cores, :func:`stored_seconds`: too slow for the lesson)."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    return torch.tensor(stored["scores"], dtype=torch.float32).reshape(-1, *stored["grid"])


def stored_top_weights(name: str = "lesson08_peaked.json") -> torch.Tensor:
    """``(500, heads)``: the top patch weight of the last block's class-token attention per head, for lesson 08's
    500 test digits, as ``benchmarks/bench_lesson08_peaked.py`` stored it (package data
    ``vit_explained/checkpoints/<name>``)."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    return torch.tensor(stored["top_weights"], dtype=torch.float32)


def stored_randomisation(name: str = "lesson08_randomisation.pt") -> tuple[RandomisationTable, dict[str, torch.Tensor]]:
    """:func:`randomisation_table`'s ``(table, trained_maps)`` for lesson 08's appendix H (32 map digits, 200
    decision digits, 5 draws, seed 0), as ``benchmarks/bench_lesson08_randomisation.py`` stored it (package data
    ``vit_explained/checkpoints/<name>``, the package's own file: loaded with ``weights_only=False``)."""
    from pathlib import Path

    stored = torch.load(Path(__file__).resolve().parent / "checkpoints" / name, weights_only=False)
    return stored["table"], stored["trained_maps"]


def stored_draws(name: str = "lesson08_draws.json") -> dict:
    """``benchmarks/bench_lesson08_draws.py``'s stored run (package data ``vit_explained/checkpoints/<name>``):
    ``draw_maps[method]`` ``(draws, B, rows, cols)``, the cascade step ``step``'s maps of every draw, float32;
    ``cosines[name]`` ``(100,)`` float64, appendix C's cosines per digit (``"runner-up"``, ``"digit + noise"``)."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    stored["draw_maps"] = {
        m: torch.stack([_from_lines(d).reshape(-1, *stored["grid"]) for d in draws])
        for m, draws in stored["draw_maps"].items()
    }
    stored["cosines"] = {k: torch.tensor(v, dtype=torch.float64) for k, v in stored["cosines"].items()}
    return stored


def stored_classifier_draws(name: str = "lesson08_classifier_draws.json") -> dict:
    """``benchmarks/bench_lesson08_classifier_draws.py``'s stored run (package data
    ``vit_explained/checkpoints/<name>``): the classifier re-drawn ten times under the cascade's seed (draws 0-2
    are :func:`stored_cascade`'s).
    ``rho[method]`` ``(draws, 32)`` float64, each draw's ρ against the trained map per map digit;
    ``accuracy`` and ``same_decision`` ``(draws,)`` on 200 test digits."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    stored["rho"] = {m: torch.tensor(v, dtype=torch.float64) for m, v in stored["rho"].items()}
    for key in ("accuracy", "same_decision"):
        stored[key] = torch.tensor(stored[key], dtype=torch.float64)
    return stored


def stored_knob_areas(name: str = "lesson08_knobs.json") -> dict[str, torch.Tensor]:
    """Lesson 08 section 11's deletion areas, setting -> ``(100,)`` float64, as ``benchmarks/bench_lesson08_knobs.py``
    stored them (package data ``vit_explained/checkpoints/<name>``; 6 decimals): the four vit-explain settings'
    rollout maps of the first 100 validation digits, deleted at that file's ``counts``."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    return {setting: torch.tensor(values, dtype=torch.float64) for setting, values in stored["areas"].items()}


def value_norm_map(model: nn.Module, images: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
    """Kobayashi et al. (2020)'s idea, simplified: the last block's class-token attention to each patch times the
    norm of that patch's value vector ``||v_j||``, per head, then averaged over the heads and divided by its sum:
    ``(B, rows, cols)``. (Their norm also passes the value through the output projection; this one does not.)"""
    attention = model.blocks[-1].attn
    outputs: list[torch.Tensor] = []
    handle = attention.qkv.register_forward_hook(lambda module, inputs, output: outputs.append(output.detach()))
    try:
        with capture_attention(model) as weights, torch.no_grad():
            model(images)
    finally:
        handle.remove()
    batch, tokens, _ = outputs[0].shape
    values = outputs[0].reshape(batch, tokens, 3, attention.heads, -1)[:, :, 2]  # (B, N, heads, d)
    weighted = (weights[-1][:, :, 0, :] * values.norm(dim=-1).transpose(1, 2)).mean(1)[:, 1:]  # (B, N - 1)
    return (weighted / weighted.sum(-1, keepdim=True)).reshape(batch, *grid)


def stored_value_norm_areas(name: str = "lesson08_value_norm.json") -> dict[str, torch.Tensor]:
    """Lesson 08 section 10's value-norm map (:func:`value_norm_map`) deleted on the 200 test digits at the
    lesson's counts, as ``benchmarks/bench_lesson08_value_norm.py`` stored it (package data
    ``vit_explained/checkpoints/<name>``; 6 decimals): ``{"value-norm": (200,) float64}`` deletion areas."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    return {order: torch.tensor(values, dtype=torch.float64) for order, values in stored["areas"].items()}


def stored_seconds(name: str) -> float:
    """How long the benchmark that stored package data ``vit_explained/checkpoints/<name>`` took (its ``seconds``,
    wall clock on the machine it names), e.g. ``"lesson08_greedy.json"`` or ``"lesson08_deletion.json"``."""
    import json
    from pathlib import Path

    return float(json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())["seconds"])


DELETION_COUNTS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 49)  # lesson 08's readings, dense where the curves fall


def lesson08_deletion_orders(model: nn.Module, data: object, count: int = 200) -> dict[str, torch.Tensor]:
    """Lesson 08 section 10's nine deletion orders and appendix A's three stroke-first ones, name ->
    ``(count, rows, cols)``, for ``data.test_images[:count]`` (at most the 200 the lesson uses), built as the
    lesson builds them: the maps, ink first, a random order (seed 0, drawn for 200 digits), the mean rollout map
    over every validation digit, occlusion (raw and blank last) and the stored greedy order; then section 10's
    image-blind control, :func:`next_digit_maps` (each digit in the next test digit's raw last-block, rollout or
    gradient-weighted order)."""
    grid = tuple(model.patch_embedding.grid)
    images, labels = data.test_images[:count], data.test_labels[:count]
    with capture_attention(model) as weights, torch.no_grad():
        model(images)
    relevance, _ = gradient_weighted_attention(model, images, labels)
    with capture_attention(model) as fixed, torch.no_grad():
        model(data.val_images)
    mean_map = class_token_attention(attention_rollout(fixed), grid).mean(0)
    occlusion = occlusion_map(model, images, labels, grid)
    orders = {
        "raw, last block": class_token_attention(weights[-1].mean(1), grid),
        "rollout": class_token_attention(attention_rollout(weights), grid),
        "gradient-weighted": class_token_attention(relevance, grid),
        "ink first": ink_per_patch(images, grid),
        "random order": torch.rand(200, *grid, generator=torch.Generator().manual_seed(0))[:count],
        "mean map (no image)": mean_map.expand(len(images), *grid).clone(),
        "occlusion, blank last": stroke_first(occlusion - occlusion.amin((1, 2), keepdim=True), images),
        "occlusion, raw": occlusion,
        "greedy (stored)": stored_greedy_scores()[:count],
    }
    for name in ("rollout", "gradient-weighted", "random order"):
        orders[f"{name}, stroke first"] = stroke_first(orders[name], images)
    orders |= next_digit_maps(model, data.test_images[1 : count + 1], data.test_labels[1 : count + 1])
    return orders


def next_digit_maps(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
    """Lesson 08's image-blind control for a deletion curve: test digit ``i`` deleted in the order of test digit
    ``i + 1``'s map (``images``, ``labels``: the test digits shifted by one). Such a map never saw digit ``i``
    but has a map's shape statistics; name -> ``(B, rows, cols)``: the raw last block (heads averaged), rollout
    and gradient-weighted (true class), as :func:`planted_maps` computes them."""
    maps = planted_maps(model, images, labels)
    return {f"{name}, next digit's map": values for name, values in maps.items()}


def stored_deletion(name: str = "lesson08_deletion.json") -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """What ``benchmarks/bench_lesson08_deletion.py`` stored for lesson 08's 200 test digits (package data
    ``vit_explained/checkpoints/<name>``): the deletion curve of every :func:`lesson08_deletion_orders` order,
    name -> ``(200, len(DELETION_COUNTS))`` float32 (6 decimals), and the raw occlusion scores ``(200, rows,
    cols)``. Deterministic, but 24.6 s to recompute on 2 cores (:func:`stored_seconds`): the lesson recomputes a few
    digits and reads the rest."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())

    def table(rows: list[str]) -> torch.Tensor:  # one line of numbers per digit
        return torch.tensor([[float(v) for v in row.split()] for row in rows], dtype=torch.float32)

    curves = {order: table(rows) for order, rows in stored["curves"].items()}
    return curves, table(stored["occlusion"]).reshape(-1, *stored["grid"])


def stored_section_maps(name: str = "lesson08_maps.json") -> dict:
    """What ``benchmarks/bench_lesson08_maps.py`` stored for lesson 08 (package data
    ``vit_explained/checkpoints/<name>``), float32 tensors read back exactly:

    - ``"mean_own"``, ``"mean_rollout"``: per block, the mean ``(rows, cols)`` class-token map of the first 500
      validation digits (section 7's image-blind control), its own (heads averaged) and the rollout through it;
    - ``"first_own"``, ``"first_rollout"``: per block, the first validation digits' ``(k, rows, cols)`` maps;
    - ``"weighted"``: section 8's ``(200, rows, cols)`` gradient-weighted maps (true class);
    - ``"floor"``: section 9's :class:`NoiseFloor` on the first 32 test digits (``centred`` left empty).

    Deterministic, but several seconds to recompute: the lesson recomputes a few digits and compares."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    grid = tuple(stored["grid"])

    def maps(rows: list[str]) -> torch.Tensor:  # one map per line
        return torch.tensor([[float(v) for v in row.split()] for row in rows], dtype=torch.float32).reshape(-1, *grid)

    floor = NoiseFloor(
        {m: torch.tensor([float(v) for v in r.split()], dtype=torch.float64) for m, r in stored["floor_rho"].items()},
        torch.tensor(stored["floor_same_decision"]),
        stored["floor_scale"],
    )
    return {
        "mean_own": [maps([row])[0] for row in stored["mean_own"]],
        "mean_rollout": [maps([row])[0] for row in stored["mean_rollout"]],
        "first_own": [maps(rows) for rows in stored["first_own"]],
        "first_rollout": [maps(rows) for rows in stored["first_rollout"]],
        "weighted": maps(stored["weighted"]),
        "floor": floor,
    }


def rollout_map(network: nn.Module, images: torch.Tensor, grid: tuple[int, int], residual: bool = True) -> torch.Tensor:
    """The class token's rollout map ``(B, rows, cols)`` of ``network`` on ``images``; ``residual=False``: the
    attention product alone (lesson 08's ``keep = 0``)."""
    with capture_attention(network) as weights, torch.no_grad():
        network(images)
    return class_token_attention(attention_rollout(weights, residual=residual), grid)


@dataclass
class TopPatches:
    """Per (digit, head) of lesson 08's section 5: the top patch ``(row, col)``, its weight, whether it holds ink."""

    rows: list[tuple[int, int, tuple[int, int], float, bool]]
    table: str

    def __str__(self) -> str:
        return self.table

    def summary(self, peaked: float, cut: str) -> str:
        """Three lines under the table: how many tops are above ``peaked`` (named ``cut``, e.g. "5/49"), and the
        top weights of the tops not inked (no pixel above 0.5) and inked (how many of the latter above every top not
        inked)."""
        weights = [weight for *_, weight, _ in self.rows]
        above = [w for w in weights if w > peaked]
        blank = [weight for *_, weight, inked in self.rows if not inked] or [float("nan")]
        inked = [weight for *_, weight, inked in self.rows if inked] or [float("nan")]
        count_blank = sum(not inked for *_, inked in self.rows)
        above_blank = sum(w > max(blank) for w in inked)
        tops = f", tops {min(above):.2f} to {max(above):.2f}" if above else ""
        return "\n".join(
            [
                f"peaked (top above {cut} = {peaked:.2f}): {len(above)} of {len(weights)}{tops}",
                f"top patches not inked (*: no pixel above 0.5): {count_blank} of {len(weights)}, their top weights "
                f"{min(blank):.2f} to {max(blank):.2f}",
                f"inked top patches: their top weights {min(inked):.2f} to {max(inked):.2f}; "
                f"{above_blank} of {len(weights) - count_blank} above {max(blank):.2f}",
            ]
        )


def with_article(label: int) -> str:
    """``label`` with its article, right for labels below 11,000: "a 7", "an 8", "an 11", "an 18", "an 80"."""
    return f"{'an' if str(label).startswith('8') or label in (11, 18) else 'a'} {label}"


def top_patch_table(maps: torch.Tensor, ink: torch.Tensor, labels: Sequence[int], digits: Sequence[int]) -> TopPatches:
    """Each head's top patch of the class-token ``maps`` ``(B, heads, rows, cols)`` for the chosen ``digits``, with
    ``ink`` ``(B, rows, cols)`` booleans: a table of the top weights, digits by heads (``*``: not inked, no pixel
    of the patch above 0.5)."""
    heads, cols = maps.shape[1], maps.shape[-1]
    tops = []
    for digit in digits:
        for head in range(heads):
            flat = maps[digit, head].flatten()
            row, col = divmod(int(flat.argmax()), cols)
            tops.append((digit, head, (row, col), flat.max().item(), bool(ink[digit, row, col])))
    lines = ["top patch's weight  " + "".join(f"head {head:<4}" for head in range(heads))]
    for digit in digits:
        cells = [f"{weight:.2f}{'' if inked else '*':<5}" for d, _, _, weight, inked in tops if d == digit]
        lines.append(f"{with_article(int(labels[digit])):<19}" + " ".join(cells))
    return TopPatches(tops, "\n".join(lines))


def area_table(areas: Mapping[str, torch.Tensor], kinds: Mapping[str, str], digits: int = 3) -> str:
    """Lesson 08's deletion areas, one line per order: its kind and the mean with its 95 % interval."""
    count = len(next(iter(areas.values())))
    lines = [f"{'order':<24} {'kind':<18} mean deletion area, {count} test digits (lower: better)"]
    lines += [f"{name:<24} {kind:<18} {mean_interval(areas[name], digits=digits)}" for name, kind in kinds.items()]
    return "\n".join(lines)


def inked_rank_correlation(trained: torch.Tensor, redrawn: torch.Tensor, ink: torch.Tensor) -> torch.Tensor:
    """Spearman's ρ of two maps over each digit's inked patches only: ``(B, rows, cols)`` maps twice and
    ``ink`` ``(B, rows, cols)`` booleans -> ``(B,)`` float64 (lesson 08's "ρ on ink")."""
    if trained.shape != redrawn.shape or trained.shape != ink.shape:
        raise ValueError(f"maps and ink must share one shape, got {[tuple(t.shape) for t in (trained, redrawn, ink)]}")
    return torch.stack(
        [rank_correlation(a[k][None], b[k][None])[0] for a, b, k in zip(trained, redrawn, ink, strict=True)]
    )


def top_k_kept(trained: torch.Tensor, redrawn: torch.Tensor, k: int = 5) -> torch.Tensor:
    """``(B, rows, cols)`` twice -> ``(B,)`` float64: how many of the trained map's top ``k`` patches are also
    among the re-drawn map's top ``k`` (``topk`` order on each side)."""
    if trained.shape != redrawn.shape or trained.dim() < 2:
        raise ValueError(f"two (B, ...) maps of one shape needed, got {tuple(trained.shape)}, {tuple(redrawn.shape)}")
    tops = [m.flatten(1).topk(k).indices for m in (trained, redrawn)]
    return torch.tensor(
        [len(set(a.tolist()) & set(b.tolist())) for a, b in zip(*tops, strict=True)], dtype=torch.float64
    )


def top_k_on_ink(maps: torch.Tensor, ink: torch.Tensor, k: int = 5) -> torch.Tensor:
    """``(B, rows, cols)`` maps and ``ink`` booleans -> ``(B,)`` float64: the share of each map's first ``k``
    patches, in a stable descending sort (the order a deletion curve blacks them out), that hold ink."""
    if maps.shape != ink.shape:
        raise ValueError(f"maps and ink must share one shape, got {tuple(maps.shape)} and {tuple(ink.shape)}")
    order = torch.sort(maps.flatten(1), dim=-1, descending=True, stable=True).indices[:, :k]
    return ink.flatten(1).gather(1, order).double().mean(1)


def ink_chance_top_k(ink: torch.Tensor, k: int = 5) -> tuple[float, float]:
    """How many of one top ``k`` two random orders share, on average over the digits of ``ink``
    ``(B, rows, cols)``: within each digit's inked patches (``min(k, n)² / n``) and over all patches (``k² / n``)."""
    n_ink = ink.flatten(1).sum(1).double()
    within = (n_ink.clamp(max=k) ** 2 / n_ink).mean().item()
    return within, k * k / ink[0].numel()


@dataclass
class NoiseFloor:
    """Lesson 08's ρ noise floor: per method ``(B,)`` ρ of each digit's map against its map under small input
    noise; ``same_decision`` ``(B,)``: the noisy digit gets the clean digit's predicted class; ``centred``: the same
    pairs' :func:`centred_rank_correlation`."""

    rho: dict[str, torch.Tensor]
    same_decision: torch.Tensor
    scale: float
    centred: dict[str, torch.Tensor] = field(default_factory=dict)


def centred_rank_correlation(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """:func:`rank_correlation` after each set's mean map is subtracted from its maps: ``(B, ...)`` twice ->
    ``(B,)`` float64. The layout every digit of a set shares (ink in the centre, blank border) drops out, so
    what is left compares what makes each digit's map its own."""
    if a.shape != b.shape or a.dim() < 2 or len(a) < 2:
        raise ValueError(f"a and b: (B, ...) maps of one shape, B >= 2; got {tuple(a.shape)}, {tuple(b.shape)}")
    a, b = a.double(), b.double()
    return rank_correlation(a - a.mean(0, keepdim=True), b - b.mean(0, keepdim=True))


def noise_floor(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    grid: tuple[int, int],
    *,
    scale: float = 0.02,
    seed: int = 0,
) -> NoiseFloor:
    """ρ of :func:`rollout_and_gradient_maps` for ``images`` against the same maps of ``images`` plus Gaussian
    noise (``scale`` of the pixel range, ``torch.Generator().manual_seed(seed)``), as appendix C's noise."""
    noise = scale * torch.randn(images.shape, generator=torch.Generator().manual_seed(seed), dtype=images.dtype)
    clean, noisy = (rollout_and_gradient_maps(model, x, labels, grid) for x in (images, images + noise))
    with torch.no_grad():
        same = model(images).argmax(-1) == model(images + noise).argmax(-1)
    rho = {method: rank_correlation(clean[method].detach(), noisy[method].detach()) for method in clean}
    centred = {method: centred_rank_correlation(clean[method].detach(), noisy[method].detach()) for method in clean}
    return NoiseFloor(rho, same, scale, centred)


def deletion_controls(
    model: nn.Module,
    val_images: torch.Tensor,
    images: torch.Tensor,
    raw_occlusion: torch.Tensor,
    greedy: torch.Tensor,
) -> dict[str, torch.Tensor]:
    """Lesson 08 section 10's four controls for ``images`` ``(B, C, H, W)``, ``(B, rows, cols)`` each (the grid of
    ``raw_occlusion``): the mean rollout map over ``val_images`` (one order for every digit), occlusion with the
    inked patches first in its order (:func:`stroke_first`), raw occlusion, and the stored greedy order."""
    grid = tuple(raw_occlusion.shape[-2:])
    with capture_attention(model) as weights, torch.no_grad():  # the validation digits, never the test digits
        model(val_images)
    mean_map = class_token_attention(attention_rollout(weights), grid).mean(0)  # (rows, cols)
    shifted = raw_occlusion - raw_occlusion.amin((1, 2), keepdim=True)  # >= 0, the same order
    return {
        "mean map (no image)": mean_map.expand(len(images), *grid).clone(),
        "occlusion, blank last": stroke_first(shifted, images),  # scores / their max + 2 on inked patches
        "occlusion, raw": raw_occlusion,  # blank patches where they fall
        "greedy (stored)": greedy,
    }


def _rule_word(gap) -> str:
    """Section 9's rule on one paired gap (ρ re-drawn - other digits): closer, farther, or 0 inside."""
    return "not moved" if gap.low > 0 else "moved" if gap.high < 0 else "undecided"


@dataclass
class RuleVerdicts:
    """Section 9's rule per step and map: ``mean[step, method]``, the paired gap on each digit's mean ρ over the
    draws; ``per_draw[step, method]``, the same gap on each draw alone (95 % intervals over the digits)."""

    mean: dict[tuple[str, str], Estimate]
    per_draw: dict[tuple[str, str], list[Estimate]]

    def word(self, step: str, method: str) -> str:
        """The verdict on the draws' mean ρ: "not moved", "moved" or "undecided"."""
        return _rule_word(self.mean[step, method])

    def draw_words(self, step: str, method: str) -> list[str]:
        """The verdict on each draw alone."""
        return [_rule_word(g) for g in self.per_draw[step, method]]

    def __str__(self) -> str:
        methods = list(dict.fromkeys(m for _, m in self.mean))
        steps = list(dict.fromkeys(s for s, _ in self.mean))
        lines = [
            "the rule, paired per digit: ρ re-drawn (3-draw mean) - other digits, 95 %; " + " / ".join(methods),
            "  (above 0: not moved; below 0: moved; 0 inside: undecided)",
        ]
        for step in steps:
            gaps = [self.mean[step, m] for m in methods]
            shown = [f"{g.estimate:+.3f} [{g.low:+.3f}, {g.high:+.3f}]" for g in gaps]
            lines.append(f"  {step:<24} " + " / ".join(shown))
            words = [self.draw_words(step, m) for m in methods]
            said = [f"{w[0]} x{len(w)}" if len(set(w)) == 1 else ", ".join(w) for w in words]
            lines.append(f"    {'each draw alone':<22} " + " / ".join(said))
        return "\n".join(lines)


def rule_verdicts(
    table: CascadeTable, references: Mapping[str, torch.Tensor], steps: Sequence[str] | None = None
) -> RuleVerdicts:
    """Lesson 08 section 9's rule: for each step (default: all) and each method in ``references`` (each map
    digit's ρ to the other digits' maps, ``(B,)``), the paired gap ρ re-drawn - reference on the draws' mean ρ
    (:meth:`CascadeTable.mean_rho`) and on each draw alone (``per_digit[step][method][d]``)."""
    mean, per_draw = {}, {}
    for step in list(table.per_digit) if steps is None else steps:
        for method, ref in references.items():
            ref = torch.as_tensor(ref).double()
            mean[step, method] = paired_difference(table.mean_rho(step, method).double(), ref).difference
            per_draw[step, method] = [
                paired_difference(torch.as_tensor(r).double(), ref).difference for r in table.per_digit[step][method]
            ]
    return RuleVerdicts(mean, per_draw)


@torch.no_grad()
def value_weighted_key_norms(model: ViT, images: torch.Tensor, block: int, head: int) -> tuple[torch.Tensor, ...]:
    """Kobayashi et al. (2020, "Attention is Not Only a Weight"): how much each key token adds to one head's output.

    The head's output at query ``i`` is ``sum_j alpha_ij f(x_j)`` (plus the projection's bias), where ``f(x_j)`` is
    key ``j``'s value vector sent through the head's slice of the output projection ``proj``. Returns three
    ``(B, N)`` tensors, each averaged over the queries: the weight ``alpha_ij``, the norm of ``f(x_j)`` and the
    norm of ``alpha_ij * f(x_j)`` (which is ``alpha_ij`` times the norm of ``f(x_j)``: the weight is a scalar).
    The stream is rebuilt as ``ViT.forward_features`` builds it; ``block`` counts from 0.
    """
    stream = add_class_token(model.patch_embedding(images), model.class_token, model.pos_embedding)
    for earlier in model.blocks[:block]:
        stream = earlier(stream)
    layer = model.blocks[block]
    attn = layer.attn
    tokens = layer.norm1(stream)
    _, weights = attn(tokens, return_attention=True)  # (B, heads, N, N)
    _, _, values = attn.project_qkv(tokens)  # (B, heads, N, head_dim)
    d = attn.head_dim
    out_slice = attn.proj.weight[:, head * d : (head + 1) * d]  # (inner_dim, head_dim)
    value_norms = (values[:, head] @ out_slice.T).norm(dim=-1)  # (B, N): the norm of f(x_j)
    alpha = weights[:, head]  # (B, N, N), query i, key j
    weighted = alpha * value_norms[:, None, :]  # (B, N, N): the norm of alpha_ij f(x_j)
    return alpha.mean(1), value_norms, weighted.mean(1)


def cascade_references(floor: NoiseFloor, other_digits: Mapping[str, torch.Tensor]) -> str:
    """Lesson 08 section 9's two references as one printed table, one column per method (``rollout``,
    ``gradient-weighted``), each entry the mean ρ over the same digits with its 95 % interval: the noise floor
    (``floor.rho``, each digit against itself under small input noise) and ``other_digits`` ``(B,)`` per method
    (each digit's trained map against the other digits', mean)."""
    methods = list(other_digits)
    if set(floor.rho) != set(methods):
        raise ValueError(f"floor and other_digits need the same methods, got {sorted(floor.rho)} and {sorted(methods)}")
    n = len(floor.same_decision)

    def cells(rho: Mapping[str, torch.Tensor]) -> str:
        entries = [mean_interval(rho[m]) for m in methods]
        return "  ".join(f"{f'{e.estimate:.2f} [{e.low:.2f}, {e.high:.2f}]':<24}" for e in entries).rstrip()

    kept = f"{int(floor.same_decision.sum())} of {n} decisions kept"
    rows = {"noise floor": cells(floor.rho), f"other digits ({n - 1} others)": cells(other_digits)}
    width = max(len(name) for name in [f"references, {n} digits", *rows]) + 2
    head = f"{f'references, {n} digits':<{width}}" + "  ".join(f"{m:<24}" for m in methods).rstrip()
    lines = [f"ρ, mean over the same {n} digits, 95 % intervals", head]
    lines += [f"{name:<{width}}{row}" for name, row in rows.items()]
    lines.append(f"noise floor: + noise of std {floor.scale} x the pixel range, one draw ({kept})")
    return "\n".join(lines)


@dataclass(frozen=True)
class CascadeVerdict:
    """Lesson 08 section 9's three printed lines: the classifier step's ρ range over its draws per method, the two
    references (noise floor, other digits) and the paired gap between the methods; ``others`` ``(B,)`` per method."""

    lines: tuple[str, ...]
    others: dict[str, torch.Tensor]
    classifier_gap: Comparison

    def __str__(self) -> str:
        return "\n".join(self.lines)


def cascade_verdict(cascade: CascadeTable, floor: NoiseFloor, step: str = "classifier") -> CascadeVerdict:
    """Lesson 08 section 9's verdict numbers in three lines (each broken once, for narrow screens): with only
    ``step`` re-drawn, each method's ρ (mean over the digits) from its lowest to its highest draw; the noise floor
    and the other-digits reference (:func:`rank_correlation_to_others` of the trained maps, the table
    :func:`cascade_references` prints in full), mean [95 % interval]; and the gradient-weighted map's ρ minus
    rollout's, each digit's mean over the draws, paired over the digits."""
    methods = ("rollout", "gradient-weighted")
    n = cascade.draw_maps[methods[0]].shape[0]
    draws = {m: cascade.column(step, i) for i, m in enumerate(methods)}
    ranges = " / ".join(f"{m} {min(d):+.2f} .. {max(d):+.2f}" for m, d in draws.items())
    k = len(draws[methods[0]])
    others = {m: rank_correlation_to_others(cascade.draw_maps[m][:, 0]) for m in methods}

    def pair(rho: Mapping[str, torch.Tensor]) -> str:
        cells = [mean_interval(rho[m]) for m in methods]
        return " / ".join(f"{c.estimate:.2f} [{c.low:.2f}, {c.high:.2f}]" for c in cells)

    gap = paired_difference(*(cascade.mean_rho(step, m) for m in methods[::-1]), names=methods[::-1], digits=3)
    lines = (
        f"only the {step} re-drawn, ρ (mean over {n} digits), min .. max over its {k} draws:\n  {ranges}",
        f"references ({' / '.join(methods)}): noise floor {pair(floor.rho)};\n  other digits {pair(others)}",
        f"only the {step} re-drawn, ρ paired per digit:\n  {gap}",
    )
    return CascadeVerdict(lines, others, gap)


def _family_level(confidence: float) -> str:
    """``0.95`` -> ``"95 %"``; ``1 - 0.05 / k`` -> ``"99.6 % (a family of 12, Bonferroni)"`` for k = 12."""
    k = round(0.05 / (1 - confidence))
    return "95 %" if k == 1 else f"{100 * confidence:.1f} % (a family of {k}, Bonferroni)"


def other_digit_gaps(
    cascade: CascadeTable,
    other_digits: Mapping[str, torch.Tensor],
    labels: Mapping[str, str] | None = None,
    confidence: float = 0.95,
    shown: Sequence[str] | None = None,
) -> tuple[str, dict[str, dict[str, Comparison]]]:
    """Lesson 08 section 9's step table against the other-digits reference: per step and method, each map digit's
    ρ averaged over the step's draws (:meth:`CascadeTable.mean_rho`) minus its ``other_digits`` ρ ``(B,)``, paired
    over the digits at ``confidence`` (above 0: closer to the trained map than another digit's map; the table's
    family level, e.g. ``1 - 0.05 / 12`` for its 12 cells, is named in its header). ``labels`` renames steps in the
    printed table only (e.g. ``{"every layer": "+ embeddings (every layer)"}``); ``shown`` prints only those steps'
    rows (every step is still computed and in the family). Returns the printed table and
    ``{step: {method: Comparison}}`` (keyed by the stored step names)."""
    gaps = {
        step: {
            m: paired_difference(cascade.mean_rho(step, m).double(), ref.double(), confidence=confidence, digits=3)
            for m, ref in other_digits.items()
        }
        for step in cascade.per_digit
    }
    names = {step: (labels or {}).get(step, step) for step in gaps}
    width = max(24, *(len(name) for name in names.values()))
    lines = [
        f"ρ (mean of each step's draws) - ρ other digits, paired per digit, {_family_level(confidence)}",
        "> 0: closer to the trained map than another digit's map",
        f"{'re-drawn from the top':<{width}} " + "  ".join(f"{m:<24}" for m in other_digits).rstrip(),
    ]
    for step, pair in ((step, pair) for step, pair in gaps.items() if shown is None or step in shown):
        cells = [
            f"{g.difference.estimate:+.3f} [{g.difference.low:+.3f}, {g.difference.high:+.3f}]" for g in pair.values()
        ]
        lines.append(f"{names[step]:<{width}} " + "  ".join(f"{c:<24}" for c in cells).rstrip())
    return "\n".join(lines), gaps


def deletion_family_pairs(
    areas: Mapping[str, torch.Tensor], occlusion: str, greedy: str, mean_map: str
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Lesson 08 section 10's family of 10 comparisons, ``"A - B" -> (areas[A], areas[B])`` for
    :func:`compare_maps`: rollout, occlusion (blank last) and greedy against ink first and rollout; greedy against
    occlusion; the gradient-weighted map against rollout and the image-blind ``mean_map``; the mean map against
    rollout and a random order. ``areas``: ``(B,)`` deletion areas per order, the same digits."""
    pairs = [(m, c) for m in ("rollout", occlusion, greedy) for c in ("ink first", "rollout") if m != c]
    pairs += [(greedy, occlusion), ("gradient-weighted", "rollout"), ("gradient-weighted", mean_map)]
    pairs += [(mean_map, "rollout"), (mean_map, "random order")]
    missing = sorted({name for pair in pairs for name in pair} - set(areas))
    if missing:
        raise KeyError(f"areas has no {missing}")
    return {f"{a} - {b}": (areas[a], areas[b]) for a, b in pairs}


def recheck_stored_deletion(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    maps: Mapping[str, torch.Tensor],
    stored: tuple[Mapping[str, torch.Tensor], torch.Tensor],
    counts: Sequence[int],
    next_digit: Sequence[str] = ("raw, last block", "rollout", "gradient-weighted"),
) -> bool:
    """Lesson 08 section 10's live re-check of a stored deletion run on its first ``len(images)`` digits: the raw
    occlusion scores and every order's curves (``maps``: ``name -> (>= B + 1, rows, cols)``; for each name in
    ``next_digit`` also digit i deleted in digit i + 1's order, ``"<name>, next digit's map"``) within 1e-5 of
    ``stored = (curves, occlusion)`` as :func:`stored_deletion` returns them."""
    stored_curves, stored_occlusion = stored
    b = len(images)
    occlusion = occlusion_map(model, images, labels, _grid_of(maps))
    orders = {name: m[:b] for name, m in maps.items()}
    orders |= {f"{name}, next digit's map": maps[name][1 : b + 1] for name in next_digit}
    curves, _ = deletion_areas(model, images, labels, orders, counts=counts)
    same_curves = all(torch.allclose(curves[n], stored_curves[n][:b], atol=1e-5) for n in curves)
    return same_curves and torch.allclose(occlusion, stored_occlusion[:b], atol=1e-5)


def _grid_of(maps: Mapping[str, torch.Tensor]) -> tuple[int, int]:
    rows, cols = next(iter(maps.values())).shape[-2:]
    return int(rows), int(cols)


# Planted evidence (lesson 08, before section 7): a task whose label one known patch decides
PLANTED_CHECKPOINT = "lesson08_planted.safetensors"
PLANTED_CONFIG = {
    "image_size": 28,
    "patch_size": 7,
    "num_classes": 2,
    "dim": 32,
    "depth": 2,
    "heads": 2,
    "mlp_dim": 64,
    "channels": 1,
}


def planted_canvases(count: int, seed: int, *, grid: int = 4, side: int = 7) -> tuple[torch.Tensor, ...]:
    """``count`` blank ``(1, grid * side, grid * side)`` canvases, each with one bright 3x3 mark (pixels 1.0) at a
    random place inside a random patch: ``(images (B, 1, H, W), labels (B,), patches (B,))``. The label is the
    mark's half, 0 for the left two patch columns and 1 for the right two; ``patches`` is the marked patch's flat
    index (row * grid + column), the one patch a map should find."""
    generator = torch.Generator().manual_seed(seed)
    patches = torch.randint(grid * grid, (count,), generator=generator)
    offsets = torch.randint(side - 2, (count, 2), generator=generator)  # the mark's corner inside its patch
    top = (patches // grid) * side + offsets[:, 0]
    left = (patches % grid) * side + offsets[:, 1]
    pixels = torch.arange(grid * side)
    rows_in = (pixels[None] >= top[:, None]) & (pixels[None] < top[:, None] + 3)  # (B, H)
    cols_in = (pixels[None] >= left[:, None]) & (pixels[None] < left[:, None] + 3)  # (B, W)
    images = (rows_in[:, :, None] & cols_in[:, None, :]).float()[:, None]
    return images, (patches % grid >= grid // 2).long(), patches


def train_planted_model(*, steps: int = 300, batch: int = 64, seed: int = 0) -> ViT:
    """The planted task's 2-block ViT (``PLANTED_CONFIG``), trained from ``seed`` with AdamW (lr 3e-3) on
    ``steps`` fresh batches of :func:`planted_canvases`; on one CPU thread, a few seconds to a few tens of seconds.
    Returns it in eval mode."""
    threads = torch.get_num_threads()
    # one thread: the same weights on every run on one machine; another CPU's float kernels can differ
    # (see tests/test_lesson08_planted.py)
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        model = ViT(**PLANTED_CONFIG)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
        for step in range(steps):
            images, labels, _ = planted_canvases(batch, seed * 100_003 + step)
            loss = F.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    finally:
        torch.set_num_threads(threads)
    return model.eval()


def load_planted_model() -> ViT:
    """The stored planted-task model (``benchmarks/bench_lesson08_planted.py`` trained and saved it, float32)."""
    from pathlib import Path

    from .pretrained import load_checkpoint

    return load_checkpoint(Path(__file__).resolve().parent / "checkpoints" / PLANTED_CHECKPOINT)


def planted_maps(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
    """The class token's three maps, ``(B, rows, cols)`` each: the last block's raw attention (heads averaged),
    rollout, and the gradient-weighted map for the true class."""
    grid = model.patch_embedding.grid
    with capture_attention(model) as weights, torch.no_grad():
        model(images)
    relevance, _ = gradient_weighted_attention(model, images, labels)
    return {
        "raw, last block": class_token_attention(weights[-1].mean(1), grid),
        "rollout": class_token_attention(attention_rollout(weights), grid),
        "gradient-weighted": class_token_attention(relevance, grid).detach(),
    }


def planted_hits(maps: Mapping[str, torch.Tensor], patches: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per map, ``(B,)`` bools: is its top patch the marked one? (Ties: the first in row order, as ``argmax``.)"""
    return {name: m.flatten(1).argmax(1) == patches for name, m in maps.items()}


def stored_planted(name: str = "lesson08_planted.json") -> dict[str, dict[str, int]]:
    """``benchmarks/bench_lesson08_planted.py``'s stored run (package data ``vit_explained/checkpoints/<name>``):
    per training seed ("0", "1", "2"), each map's hits of 100 held-out canvases (seed 0: the stored model)."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())
    return {seed: run["hits"] for seed, run in stored["runs"].items()}

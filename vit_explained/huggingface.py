"""Build our :class:`ViT` from a Hugging Face ``ViTForImageClassification``, and our
:class:`~vit_explained.deit.DeiT` from a ``DeiTForImageClassificationWithTeacher``.

transformers is imported by the caller, not here, so the package imports fast without it.
Weights are copied module by module; HF's separate query, key and value Linears become our one
fused ``qkv`` Linear (stacked in q, k, v order).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import nn

from .block import Block
from .deit import DeiT
from .vit import ViT

# Attribute paths of the same module in transformers 5.x and 4.x, tried in that order.
_LAYERS = ("vit.layers", "vit.encoder.layer")
_QUERY = ("attention.q_proj", "attention.attention.query")
_KEY = ("attention.k_proj", "attention.attention.key")
_VALUE = ("attention.v_proj", "attention.attention.value")
_OUT = ("attention.o_proj", "attention.output.dense")
_FC1 = ("mlp.fc1", "intermediate.dense")
_FC2 = ("mlp.fc2", "output.dense")

_Model = TypeVar("_Model", ViT, DeiT)


def _find(module: nn.Module, paths: tuple[str, ...]) -> nn.Module:
    for path in paths:
        found: object = module
        for name in path.split("."):
            found = getattr(found, name, None)
        if isinstance(found, nn.Module):
            return found
    raise TypeError(f"could not find any of {paths} in {type(module).__name__}; is this an HF ViT?")


def _copy_(target: nn.Module, source: nn.Module) -> None:
    target.load_state_dict(source.state_dict())


def _pair(value: object) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)  # type: ignore[return-value]


def _copy_blocks(ours: ViT | DeiT, layers: nn.ModuleList) -> None:
    """Copy HF's layers (ViT and DeiT share their layout) into our blocks, module by module."""
    for block, layer in zip(ours.blocks, layers, strict=True):
        _copy_(block.norm1, layer.layernorm_before)
        _copy_(block.norm2, layer.layernorm_after)
        query, key, value = (_find(layer, paths) for paths in (_QUERY, _KEY, _VALUE))
        block.attn.qkv.weight.copy_(torch.cat([query.weight, key.weight, value.weight]))
        if block.attn.qkv.bias is not None:
            block.attn.qkv.bias.copy_(torch.cat([query.bias, key.bias, value.bias]))
        _copy_(block.attn.proj, _find(layer, _OUT))
        _copy_(block.mlp.fc1, _find(layer, _FC1))
        _copy_(block.mlp.fc2, _find(layer, _FC2))


@torch.no_grad()
def vit_layer_from_block(block: Block) -> nn.Module:
    """A Hugging Face ``ViTLayer`` (eval mode, eager attention) of ``block``'s size and LayerNorm eps, holding
    ``block``'s weights: the fused ``qkv`` split into query, key and value (thirds, in that order), the other
    Linears and the LayerNorms copied module by module. Works with transformers 4.x and 5.x names. Raises
    ``ValueError`` for a block without a qkv bias (a ``ViTLayer`` has one). Needs transformers (imported here)."""
    from transformers import ViTConfig
    from transformers.models.vit.modeling_vit import ViTLayer

    if block.attn.qkv.bias is None:
        raise ValueError("a Hugging Face ViTLayer has a qkv bias; this block has none")
    config = ViTConfig(
        hidden_size=block.attn.qkv.in_features,
        num_attention_heads=block.attn.heads,
        intermediate_size=block.mlp.fc1.out_features,
        layer_norm_eps=block.norm1.eps,
        attn_implementation="eager",  # a standalone layer: name the attention code (the plain matmul-softmax one)
    )
    layer = ViTLayer(config).eval()
    _copy_(layer.layernorm_before, block.norm1)
    _copy_(layer.layernorm_after, block.norm2)
    for paths, weight, bias in zip(
        (_QUERY, _KEY, _VALUE), block.attn.qkv.weight.chunk(3), block.attn.qkv.bias.chunk(3), strict=True
    ):
        _find(layer, paths).weight.copy_(weight)
        _find(layer, paths).bias.copy_(bias)
    for paths, ours in ((_OUT, block.attn.proj), (_FC1, block.mlp.fc1), (_FC2, block.mlp.fc2)):
        _copy_(_find(layer, paths), ours)
    return layer


@torch.no_grad()
def vit_layer_output(layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``layer(x)`` for a Hugging Face ``ViTLayer`` and ``x`` of shape ``(B, N, D)``, as a ``(B, N, D)`` tensor
    (transformers 4.x returns a tuple whose first item it is), without gradients."""
    out = layer(x)
    return out[0] if isinstance(out, tuple) else out


def _port(kind: type[_Model], model: nn.Module, body: nn.Module, layers: tuple[str, ...], **extra: Any) -> _Model:
    """Our ``kind`` (:class:`ViT` or :class:`DeiT`) shaped like HF ``model``'s config, with the
    weights ViT and DeiT share: patch projection, class token, positions, every layer (found at one
    of ``layers``) and the final norm. ``body`` is ``model.vit`` or ``model.deit``; the heads (and
    DeiT's distillation token) are the caller's to copy."""
    config = model.config
    ours = kind(
        image_size=_pair(config.image_size),
        patch_size=_pair(config.patch_size),
        num_classes=config.num_labels,
        dim=config.hidden_size,
        depth=config.num_hidden_layers,
        heads=config.num_attention_heads,
        mlp_dim=config.intermediate_size,
        channels=config.num_channels,
        qkv_bias=config.qkv_bias,
        norm_eps=config.layer_norm_eps,
        **extra,
    ).to(dtype=next(model.parameters()).dtype)
    embeddings = body.embeddings
    _copy_(ours.patch_embedding.proj, embeddings.patch_embeddings.projection)
    ours.class_token.copy_(embeddings.cls_token)
    ours.pos_embedding.copy_(embeddings.position_embeddings)
    _copy_blocks(ours, _find(model, layers))
    _copy_(ours.encoder.norm, body.layernorm)
    return ours


@torch.no_grad()
def from_huggingface(model: nn.Module) -> ViT:
    """Our :class:`ViT` with the weights of an HF ``ViTForImageClassification``.

    The result computes the same logits (``model(pixel_values).logits``) from the same
    ``(B, C, H, W)`` images. Raises ``TypeError`` for any other kind of model and
    ``ValueError`` for an HF configuration our ViT does not have (an activation other than
    exact GELU, or no classification head).
    """
    config = getattr(model, "config", None)
    if not isinstance(model, nn.Module) or getattr(config, "model_type", None) != "vit":
        raise TypeError(
            f"from_huggingface expects a transformers ViTForImageClassification, got {type(model).__name__}"
            + (f" (model_type {config.model_type!r})" if config is not None and hasattr(config, "model_type") else "")
        )
    if not isinstance(getattr(model, "classifier", None), nn.Linear):
        raise TypeError(
            f"from_huggingface needs a ViTForImageClassification with a Linear classifier, got "
            f"{type(model).__name__}; build one with ViTForImageClassification(config) and num_labels > 0"
        )
    if config.hidden_act != "gelu":
        raise ValueError(f"our ViT uses exact GELU; this model's hidden_act is {config.hidden_act!r}")
    ours = _port(ViT, model, model.vit, _LAYERS, pool="cls")
    _copy_(ours.head, model.classifier)
    return ours.train(model.training)


_DEIT_LAYERS = ("deit.layers", "deit.encoder.layer")


@torch.no_grad()
def from_huggingface_deit(model: nn.Module) -> DeiT:
    """Our :class:`~vit_explained.deit.DeiT` with the weights of an HF ``DeiTForImageClassificationWithTeacher``.

    Module by module: HF's ``cls_token`` / ``distillation_token`` / ``position_embeddings``
    (``(1, N + 2, D)``, the class token's row first, then the distillation token's) become our
    ``class_token`` / ``distillation_token`` / ``pos_embedding``; each layer as in
    :func:`from_huggingface`; ``cls_classifier`` becomes ``head`` and ``distillation_classifier``
    becomes ``head_dist``. In eval mode the result returns HF's ``logits`` (the average of the two
    heads); ``forward_heads`` returns HF's ``cls_logits`` and ``distillation_logits``.
    Raises ``TypeError`` for any other kind of model and ``ValueError`` for a configuration our
    DeiT does not have.
    """
    config = getattr(model, "config", None)
    if (
        not isinstance(model, nn.Module)
        or getattr(config, "model_type", None) != "deit"
        or not isinstance(getattr(model, "distillation_classifier", None), nn.Linear)
    ):
        kind = f" (model_type {config.model_type!r})" if hasattr(config, "model_type") else ""
        raise TypeError(
            "from_huggingface_deit expects a transformers DeiTForImageClassificationWithTeacher with num_labels > 0, "
            f"got {type(model).__name__}{kind}"
        )
    if config.hidden_act != "gelu":
        raise ValueError(f"our DeiT uses exact GELU; this model's hidden_act is {config.hidden_act!r}")
    ours = _port(DeiT, model, model.deit, _DEIT_LAYERS)
    ours.distillation_token.copy_(model.deit.embeddings.distillation_token)
    _copy_(ours.head, model.cls_classifier)
    _copy_(ours.head_dist, model.distillation_classifier)
    return ours.train(model.training)


@dataclass
class SdpaAndEager:
    """What :func:`deit_sdpa_and_eager` saw: the installed transformers version, the outputs of the
    default (SDPA) model and of the eager model with the same weights, both asked for
    ``output_attentions=True``, and the first logged message that mentions ``output_attentions``."""

    version: str
    sdpa_implementation: str
    sdpa: Any
    eager_model: nn.Module
    eager: Any
    warning: str | None

    def __str__(self) -> str:
        heads = ", ".join(key for key in self.sdpa if key.endswith("logits"))
        shapes = {tuple(a.shape) for a in self.eager.attentions or ()}
        return "\n".join(
            [
                f"transformers {self.version}, attn_implementation {self.sdpa_implementation!r}: "
                f"{len(self.sdpa.attentions or ())} attention tensors; logits: {heads}",
                f"the logged warning: {self.warning or 'none (it is logged once per session)'}",
                f"attn_implementation 'eager', same weights: {len(self.eager.attentions or ())} tensors of shape "
                + ", ".join(str(shape) for shape in sorted(shapes)),
            ]
        )


def deit_sdpa_and_eager(config: dict[str, Any], pixel_values: torch.Tensor, *, seed: int = 0) -> SdpaAndEager:
    """Build Hugging Face's ``DeiTForImageClassificationWithTeacher`` from ``DeiTConfig(**config)``
    (random weights, seeded) with the default attention implementation and, with the same weights,
    with ``attn_implementation="eager"``; run both on ``pixel_values`` with ``output_attentions=True``
    in eval mode and no gradient. transformers' log messages are kept (not printed) while it runs; the
    first one that mentions ``output_attentions`` is returned. Needs transformers (imported here)."""
    import transformers

    logged: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record.getMessage())

    keep = _Keep()
    transformers.logging.disable_default_handler()
    transformers.logging.add_handler(keep)
    try:
        torch.manual_seed(seed)
        default = transformers.DeiTForImageClassificationWithTeacher(transformers.DeiTConfig(**config)).eval()
        eager_config = transformers.DeiTConfig(**config, attn_implementation="eager")
        eager_model = transformers.DeiTForImageClassificationWithTeacher(eager_config).eval()
        eager_model.load_state_dict(default.state_dict())
        with torch.no_grad():
            sdpa = default(pixel_values=pixel_values, output_attentions=True)
            eager = eager_model(pixel_values=pixel_values, output_attentions=True)
    finally:
        transformers.logging.remove_handler(keep)
        transformers.logging.enable_default_handler()
    warning = next((message for message in logged if "output_attentions" in message), None)
    return SdpaAndEager(
        transformers.__version__, default.config._attn_implementation, sdpa, eager_model, eager, warning
    )

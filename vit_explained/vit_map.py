"""The map of a ViT: the shape of the data at every step, read from a real model's forward pass.

Lesson 01 draws this map (``vit_explained.plotting.lesson01.plot_vit_map``) so that every number
on it is computed, not typed: forward hooks record what each part of the model hands on.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from .patches import patchify
from .vit import ViT

__all__ = ["MapStep", "VitMap", "trace_vit"]


class MapStep(NamedTuple):
    """One step of the map: a ``name``, the tensor ``shape`` it produces and what the axes mean."""

    name: str
    shape: tuple[int, ...]
    axes: str


class VitMap(NamedTuple):
    """What :func:`trace_vit` reads from a model: the ``steps`` of the forward pass, the shapes of
    the two learned tensors added on the way (``class_token`` ``(1, 1, D)``, ``pos_embedding``
    ``(1, N + 1, D)``), the patch ``grid`` ``(rows, cols)``, the ``patch_size`` and the ``depth``."""

    steps: list[MapStep]
    class_token: tuple[int, ...]
    pos_embedding: tuple[int, ...]
    grid: tuple[int, int]
    patch_size: tuple[int, int]
    depth: int


@torch.no_grad()
def trace_vit(model: ViT, images: torch.Tensor) -> VitMap:
    """Run ``model`` on ``images`` ``(B, C, H, W)`` and record the shape after every step.

    Steps: the image, the flattened patches (``patchify`` at the model's patch size), the patch
    tokens (after the patch embedding), the class token prepended and the positions added (the
    encoder's input), the output of the blocks, the pooled token after the final LayerNorm, and
    the head's logits. Shapes come from hooks on the model, so they are what the model computes.
    """
    if not isinstance(model, ViT) or model.num_special_tokens != 1:
        raise TypeError(f"model must be a vit_explained.ViT (one class token), got {type(model).__name__}")
    seen: dict[str, tuple[int, ...]] = {}

    def record(name: str, index: int | None = None):
        def hook(_module, inputs, output=None):
            tensor = inputs[0] if index == 0 else output
            seen[name] = tuple(tensor.shape)

        return hook

    last_block = model.blocks[-1]
    handles = [
        model.patch_embedding.register_forward_hook(record("tokens")),
        model.encoder.register_forward_pre_hook(
            lambda _m, inputs: seen.__setitem__("sequence", tuple(inputs[0].shape))
        ),
        last_block.register_forward_hook(record("blocks")),
        model.head.register_forward_pre_hook(lambda _m, inputs: seen.__setitem__("pooled", tuple(inputs[0].shape))),
        model.head.register_forward_hook(record("logits")),
    ]
    try:
        model(images)
    finally:
        for handle in handles:
            handle.remove()
    patches = tuple(patchify(images, model.patch_embedding.patch_size).shape)
    pooled = "class token" if model.pool == "cls" else "mean of patch tokens"
    steps = [
        MapStep("image", tuple(images.shape), "(B, C, H, W)"),
        MapStep("patches", patches, "(B, N, P*P*C)"),
        MapStep("patch tokens", seen["tokens"], "(B, N, D)"),
        MapStep("+ class token, positions", seen["sequence"], "(B, N + 1, D)"),
        MapStep("blocks", seen["blocks"], "(B, N + 1, D)"),
        MapStep(f"norm, {pooled}", seen["pooled"], "(B, D)"),
        MapStep("head: logits", seen["logits"], "(B, classes)"),
    ]
    return VitMap(
        steps,
        tuple(model.class_token.shape),
        tuple(model.pos_embedding.shape),
        tuple(model.patch_embedding.grid),
        tuple(model.patch_embedding.patch_size),
        len(model.blocks),
    )

"""Counting a model's parameters, in total and by part."""

from __future__ import annotations

from torch import nn

from .attention import Attention
from .mlp import MLP
from .patch_embedding import PatchEmbedding

#: The parts :func:`parameter_breakdown` groups parameters into, in the order a ViT uses them.
PARTS = (
    "patch embedding",
    "class token + positions",
    "attention qkv",
    "attention proj",
    "MLP",
    "LayerNorms",
    "head",
    "other",
)


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters of ``model``: all of them, or only those with ``requires_grad``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _part_of(path: list[nn.Module], module_name: str, parameter_name: str) -> str:
    """The part a parameter belongs to, given the chain of modules from the root to its owner."""
    owner = path[-1]
    if isinstance(owner, nn.LayerNorm):
        return "LayerNorms"
    if any(isinstance(module, PatchEmbedding) for module in path):
        return "patch embedding"
    if any(isinstance(module, MLP) for module in path):
        return "MLP"
    if len(path) >= 2 and isinstance(path[-2], Attention):
        leaf = module_name.rsplit(".", 1)[-1]
        if leaf in ("qkv", "proj"):
            return f"attention {leaf}"
    if len(path) == 1 and parameter_name in ("class_token", "pos_embedding"):
        return "class token + positions"
    if module_name == "head":
        return "head"
    return "other"


def parameter_breakdown(model: nn.Module) -> dict[str, int]:
    """Parameters of a ViT (or a :class:`~vit_explained.Block`, an :class:`~vit_explained.MLP`, ...)
    grouped by part: ``{part: count}`` for the parts in :data:`PARTS` that hold any parameters.

    Parts are recognised by module type and name: every ``PatchEmbedding``; the root's
    ``class_token`` and ``pos_embedding``; the ``qkv`` and ``proj`` Linears of every
    ``Attention``; every ``MLP``; every ``nn.LayerNorm`` (the blocks' ``norm1``/``norm2`` and the
    final ``encoder.norm``); the root's ``head``. Anything else is counted as ``"other"``.
    The counts add up to :func:`count_parameters`. Works on ``meta``-device models (no memory).

    >>> import torch
    >>> from vit_explained import ViT
    >>> with torch.device("meta"):
    ...     vit_b = ViT(224, patch_size=16, num_classes=1000, dim=768, depth=12, heads=12, mlp_dim=3072)
    >>> parameter_breakdown(vit_b)["MLP"]  # 12 blocks x 4,722,432
    56669184
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module (e.g. a ViT), got {type(model).__name__}")
    counts = dict.fromkeys(PARTS, 0)
    seen: set[int] = set()  # a parameter shared by two modules is counted once, as model.parameters() does

    def visit(module: nn.Module, name: str, path: list[nn.Module]) -> None:
        for parameter_name, parameter in module.named_parameters(recurse=False):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                counts[_part_of(path, name, parameter_name)] += parameter.numel()
        for child_name, child in module.named_children():
            visit(child, f"{name}.{child_name}" if name else child_name, [*path, child])

    visit(model, "", [model])
    return {part: count for part, count in counts.items() if count}

"""Counting a model's parameters, and the one place that says which part of a ViT each belongs to.

Every lesson that sorts parameters uses :func:`parameter_places`: lesson 04's parameter budget,
lesson 05's gradient norms per layer and part, lesson 07's T2T-ViT-14 against ViT-S/16. A
parameter's place is its *layer* (where it sits along the forward pass) and its *part* (what
kind of layer holds it). Both are decided by module type, not by guessing from names:

==============  ===============================================================================
part            what it holds
==============  ===============================================================================
``embeddings``  everything before the first block: a ``PatchEmbedding`` or a ``Tokens2Token``
                module (also the root's ``patch_embedding`` / ``tokens_to_token``), and the
                root's ``class_token``, ``pos_embedding`` and ``dist_token``
``norms``       every ``nn.LayerNorm`` outside the embeddings: each block's ``norm1`` and
                ``norm2``, and the encoder's final norm
``qkv``         the ``qkv`` Linear of every :class:`~vit_explained.Attention`
``proj``        the ``proj`` Linear of every :class:`~vit_explained.Attention`
``mlp``         every :class:`~vit_explained.MLP` (``fc1`` and ``fc2``)
``head``        the root's ``head`` (and ``head_dist``)
``other``       anything else (a plain ``nn.Linear`` handed in, say)
==============  ===============================================================================

Layers are ``"embeddings"``, ``"block 0"``, ``"block 1"``, ... (every
:class:`~vit_explained.Block`, in order), ``"final norm"``, ``"head"`` and ``"other"``.
"""

from __future__ import annotations

from typing import NamedTuple

from torch import nn

from . import _checks
from .attention import Attention
from .block import Block
from .mlp import MLP
from .patch_embedding import PatchEmbedding
from .t2t import Tokens2Token

#: The parts of a ViT, in the order the forward pass meets them (``"other"`` holds anything else).
PARAMETER_PARTS = ("embeddings", "norms", "qkv", "proj", "mlp", "head")
OTHER = "other"

_ROOT_EMBEDDINGS = ("class_token", "pos_embedding", "dist_token")
_EMBEDDING_CHILDREN = ("patch_embedding", "tokens_to_token")
_HEADS = ("head", "head_dist")


class ParameterPlace(NamedTuple):
    """Where a parameter sits: its ``layer`` (``"block 2"``) and its ``part`` (``"qkv"``)."""

    layer: str
    part: str


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters of ``model``: all of them, or only those with ``requires_grad``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _is_embedding(path: list[nn.Module], names: list[str]) -> bool:
    if any(isinstance(module, (PatchEmbedding, Tokens2Token)) for module in path):
        return True
    return names[0] in _EMBEDDING_CHILDREN


def _part_in(path: list[nn.Module], names: list[str]) -> str:
    """The part of a parameter whose owner is ``path[-1]`` (``names``: the child names from the root)."""
    owner = path[-1]
    if isinstance(owner, nn.LayerNorm):
        return "norms"
    if any(isinstance(module, MLP) for module in path):
        return "mlp"
    if len(path) >= 2 and isinstance(path[-2], Attention) and names[-1] in ("qkv", "proj"):
        return names[-1]
    return OTHER


def _place(path: list[nn.Module], names: list[str], parameter_name: str, blocks: dict[int, int]) -> ParameterPlace:
    if not names:  # a parameter of the root itself
        if parameter_name in _ROOT_EMBEDDINGS:
            return ParameterPlace("embeddings", "embeddings")
        return ParameterPlace(OTHER, OTHER)
    if _is_embedding(path, names):
        return ParameterPlace("embeddings", "embeddings")
    if names[0] in _HEADS and len(names) == 1:
        return ParameterPlace("head", "head")
    block = next((module for module in path if isinstance(module, Block)), None)
    part = _part_in(path, names)
    if block is not None:
        return ParameterPlace(f"block {blocks[id(block)]}", part)
    if part == "norms":
        return ParameterPlace("final norm", "norms")
    return ParameterPlace(OTHER, part)


def parameter_places(model: nn.Module) -> dict[str, ParameterPlace]:
    """``{name: ParameterPlace(layer, part)}`` for every parameter of ``model``, named and ordered as
    ``model.named_parameters()`` names them (a shared parameter once).

    >>> import torch
    >>> from vit_explained import ViT
    >>> with torch.device("meta"):
    ...     model = ViT(32, patch_size=8, num_classes=10, dim=16, depth=2, heads=2, mlp_dim=32)
    >>> parameter_places(model)["encoder.blocks.1.attn.qkv.weight"]
    ParameterPlace(layer='block 1', part='qkv')
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module (e.g. a ViT), got {type(model).__name__}")
    blocks = {id(module): index for index, module in enumerate(m for m in model.modules() if isinstance(m, Block))}
    places: dict[str, ParameterPlace] = {}
    seen: set[int] = set()  # a parameter shared by two modules is counted once, as model.parameters() does

    def visit(module: nn.Module, path: list[nn.Module], names: list[str]) -> None:
        for parameter_name, parameter in module.named_parameters(recurse=False):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                places[".".join([*names, parameter_name])] = _place(path, names, parameter_name, blocks)
        for child_name, child in module.named_children():
            visit(child, [*path, child], [*names, child_name])

    visit(model, [model], [])
    return places


def parameter_breakdown(model: nn.Module, *, by: str = "part") -> dict[str, int]:
    """How many parameters ``model`` has in each part (``by="part"``) or layer (``by="layer"``).

    Parts come in the order of :data:`PARAMETER_PARTS` (then ``"other"``), layers in forward
    order; only those holding parameters are listed. The counts add up to
    :func:`count_parameters`. Works on ``meta``-device models (no memory).

    >>> import torch
    >>> from vit_explained import ViT
    >>> with torch.device("meta"):
    ...     vit_b = ViT(224, patch_size=16, num_classes=1000, dim=768, depth=12, heads=12, mlp_dim=3072)
    >>> parameter_breakdown(vit_b)["mlp"]  # 12 blocks x 4,722,432
    56669184
    """
    _checks.one_of("by", by, ("part", "layer"))
    places = parameter_places(model)
    numbers = dict(model.named_parameters())
    counts: dict[str, int] = dict.fromkeys((*PARAMETER_PARTS, OTHER), 0) if by == "part" else {}
    for name, place in places.items():
        key = place.part if by == "part" else place.layer
        counts[key] = counts.get(key, 0) + numbers[name].numel()
    return {key: count for key, count in counts.items() if count}


def stem_breakdown(model: nn.Module) -> dict[str, int]:
    """Parameters of a ViT or T2T-ViT in four parts: the stem (a ``tokens_to_token`` module or a
    ``patch_embedding``), the class token and position table, all blocks together, final norm + head.

    Built on :func:`parameter_breakdown` ``(by="layer")``; the four counts add up to
    :func:`count_parameters`. Lesson 07 compares T2T-ViT_t-14 with two ViT-S/16 this way.
    """
    stem_name = next((name for name in _EMBEDDING_CHILDREN if hasattr(model, name)), None)
    if stem_name is None:
        raise TypeError(f"expected a model with a patch_embedding or tokens_to_token, got {type(model).__name__}")
    layers = parameter_breakdown(model, by="layer")
    stem = count_parameters(getattr(model, stem_name))
    blocks = sum(count for layer, count in layers.items() if layer.startswith("block "))
    return {
        "T2T module / patch embedding": stem,
        "class token + positions": layers["embeddings"] - stem,
        "blocks": blocks,
        "final norm + head": layers.get("final norm", 0) + layers.get("head", 0),
    }

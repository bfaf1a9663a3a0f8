"""Lesson 09's widget: lesson 08's attention explorer on the distilled DeiT, starting on the distillation token.

The controls are the same (digit, block, head, method, token); with a DeiT both special tokens
have a map, so the ``token`` dropdown compares the class token's with the distillation token's.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .lesson08 import AttentionExplorer

__all__ = ["deit_attention_explorer"]


def deit_attention_explorer(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, **kwargs: Any
) -> AttentionExplorer:
    """An :class:`~vit_explained.widgets.lesson08.AttentionExplorer` on a DeiT, showing the distillation
    token first (end a notebook cell with it)."""
    if getattr(model, "num_special_tokens", 1) != 2:
        raise TypeError(f"deit_attention_explorer needs a DeiT (two special tokens), got {type(model).__name__}")
    kwargs.setdefault("token", "distillation")
    return AttentionExplorer(model, images, labels, **kwargs)

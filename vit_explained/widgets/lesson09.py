"""Lesson 09's widget: lesson 08's attention explorer on the distilled DeiT, starting on the distillation token.

The controls are the same (digit, block, head, method, token); with a DeiT both special tokens
have a map, so the ``token`` dropdown compares the class token's with the distillation token's.
The widget's line (digit, prediction, method, token, block, head, top patch, share on ink) is also
the picture's title, so a stored notebook, which keeps only the picture, still shows it.
"""

from __future__ import annotations

import textwrap
from typing import Any

import torch
from torch import nn

from .lesson08 import AttentionExplorer

__all__ = ["DeiTAttentionExplorer", "deit_attention_explorer"]


class DeiTAttentionExplorer(AttentionExplorer):
    """:class:`~vit_explained.widgets.lesson08.AttentionExplorer` whose picture is titled with its line."""

    def picture_title(self, line: str, title: str) -> str:
        return textwrap.fill(line, 60)  # the widget's whole line, in two or three lines of the title's type


def deit_attention_explorer(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, **kwargs: Any
) -> DeiTAttentionExplorer:
    """A :class:`DeiTAttentionExplorer` on a DeiT, showing the distillation token first (end a notebook
    cell with it)."""
    if getattr(model, "num_special_tokens", 1) != 2:
        raise TypeError(f"deit_attention_explorer needs a DeiT (two special tokens), got {type(model).__name__}")
    kwargs.setdefault("token", "distillation")
    return DeiTAttentionExplorer(model, images, labels, **kwargs)

"""Transitional, for ``vit_explained/exercises/lesson05.py`` only: delete this file once that module imports
``PARAMETER_PARTS`` from :mod:`vit_explained.parameters` and calls
``vit_explained.gradient_hooks.group_gradient_norms(model, norms)``.

Gradient hooks now live in :mod:`vit_explained.gradient_hooks`, the hand-derived attention backward in
:mod:`vit_explained.attention_backward`, and the classification of parameters in :mod:`vit_explained.parameters`.
"""

from __future__ import annotations

import re

import torch

from . import gradient_hooks
from .parameters import PARAMETER_PARTS as PARTS
from .parameters import ParameterPlace

__all__ = ["PARTS", "group_gradient_norms"]


def group_gradient_norms(norms: dict[str, float | None]) -> dict[ParameterPlace, float]:
    """:func:`vit_explained.gradient_hooks.group_gradient_norms` for the names of a 1-channel 8x8 ViT."""
    from .vit import ViT

    depth = 1 + max(
        (int(m.group(1)) for m in map(re.compile(r"encoder\.blocks\.(\d+)\.").match, norms) if m), default=0
    )
    with torch.device("meta"):
        model = ViT(8, patch_size=2, num_classes=10, dim=16, depth=depth, heads=2, mlp_dim=32, channels=1)
    return gradient_hooks.group_gradient_norms(model, norms)

"""Lesson 05's widget: freeze a part of a small ViT and see which gradients become zero.

A ``freeze`` dropdown (first) picks a part (``mlp``, ``qkv``, ``proj``, ``norms``, ``positions``,
``patch embedding``, ``head``, or ``nothing``) and a ``where`` dropdown picks every block or one of
them. One backward pass of a small digits ViT follows; the line says how many parameter tensors got
no gradient and whether every other one got exactly the gradient it gets with nothing frozen; the
picture is the gradient norm per layer and part (one dot each); a frozen group has no dot, only a cross
and a "0" on the floor. ``where`` applies to the parts inside the blocks; ``positions``, ``patch
embedding`` and ``head`` are outside them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from ..data import load_digits
from ..gradient_hooks import group_gradient_norms
from ..parameters import parameter_places
from ..plotting.lesson05 import plot_gradient_norms
from ..vit import ViT
from . import LessonWidget

__all__ = [
    "FREEZABLE",
    "OUTSIDE_BLOCKS",
    "FreezeResult",
    "GradientFreezeWidget",
    "freeze_and_backward",
    "frozen_label",
    "gradient_freeze_widget",
]

#: What the ``freeze`` dropdown offers: parts of :data:`vit_explained.parameters.PARAMETER_PARTS`
#: inside the blocks, and three single parameters or modules outside them.
FREEZABLE = ("nothing", "mlp", "qkv", "proj", "norms", "positions", "patch embedding", "head")
_DEPTH = 4


def small_digit_vit() -> ViT:
    """Lesson 05's model: 8x8 digits in 2x2 patches (16 tokens + the class token), D = 32, 4 blocks of 4 heads."""
    torch.manual_seed(0)
    return ViT(8, patch_size=2, num_classes=10, dim=32, depth=_DEPTH, heads=4, mlp_dim=64, channels=1)


@lru_cache(maxsize=1)
def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    digits = load_digits()
    return digits.train_images[:64], digits.train_labels[:64]


def _frozen_names(model: ViT, freeze: str, where: str) -> list[str]:
    """The parameter names ``freeze`` in ``where`` selects."""
    if freeze not in FREEZABLE:
        raise ValueError(f"freeze must be one of {FREEZABLE}, got {freeze!r}")
    layers = [f"block {i}" for i in range(_DEPTH)]
    if where != "every block" and where not in layers:
        raise ValueError(f"where must be 'every block' or one of {layers}, got {where!r}")
    if freeze == "positions":
        return ["pos_embedding"]
    if freeze == "patch embedding":
        return [name for name, _ in model.named_parameters() if name.startswith("patch_embedding.")]
    places = parameter_places(model)
    return [
        name
        for name, place in places.items()
        if place.part == freeze and (freeze == "head" or where in ("every block", place.layer))
    ]


#: the parts that live outside the blocks: ``where`` does not apply to them
OUTSIDE_BLOCKS = ("positions", "patch embedding", "head")


def frozen_label(freeze: str, where: str) -> str:
    """What ``freeze`` in ``where`` froze, in words: ``"mlp (every block)"``, ``"head (outside the blocks)"``,
    ``"norms (every block and the final norm)"``, ``"qkv (block 2)"``."""
    if freeze == "nothing":
        return "nothing"
    if freeze in OUTSIDE_BLOCKS:
        return f"{freeze} (outside the blocks)"
    if freeze == "norms" and where == "every block":
        return "norms (every block and the final norm)"
    return f"{freeze} ({where})"


class FreezeResult(NamedTuple):
    """One backward pass with some parameters frozen."""

    frozen: list[str]  # the names frozen
    total: int  # how many parameter tensors the model has
    without_gradient: list[str]  # names whose p.grad is None afterwards
    others_unchanged: bool  # every other gradient equals the one with nothing frozen (to 1e-6)
    groups: dict  # {(layer, part): norm}, 0.0 where a whole group is frozen


@lru_cache(maxsize=64)
def _gradients(frozen: tuple[str, ...]) -> dict[str, torch.Tensor | None]:
    model = small_digit_vit()
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name not in frozen)
    images, labels = _batch()
    F.cross_entropy(model(images), labels).backward()
    return {name: None if p.grad is None else p.grad.clone() for name, p in model.named_parameters()}


@lru_cache(maxsize=64)
def freeze_and_backward(freeze: str, where: str = "every block") -> FreezeResult:
    """Freeze ``freeze`` (one of :data:`FREEZABLE`) in ``where`` (``"every block"`` or ``"block i"``),
    run one backward pass on 64 digits, and compare every gradient with the unfrozen model's."""
    model = small_digit_vit()
    frozen = _frozen_names(model, freeze, where)
    grads, reference = _gradients(tuple(frozen)), _gradients(())
    missing = [name for name, grad in grads.items() if grad is None]
    unchanged = all(
        grad is None
        or ((expected := reference[name]) is not None and torch.allclose(grad, expected, rtol=1e-6, atol=1e-9))
        for name, grad in grads.items()
    )
    norms = {name: None if grad is None else grad.norm().item() for name, grad in grads.items()}
    groups = group_gradient_norms(model, norms)
    everything = dict.fromkeys(parameter_places(model).values(), 0.0)
    return FreezeResult(frozen, len(grads), missing, unchanged, {place: groups.get(place, 0.0) for place in everything})


class GradientFreezeWidget(LessonWidget):
    """``freeze`` and ``where`` dropdowns; gradient norms per layer and part after one backward pass."""

    def __init__(self, freeze: str = "mlp", where: str = "every block") -> None:
        controls = {
            "freeze": widgets.Dropdown(options=FREEZABLE, value=freeze, description="freeze"),
            "where": widgets.Dropdown(
                options=("every block", *(f"block {i}" for i in range(_DEPTH))), value=where, description="where"
            ),
        }
        super().__init__(controls)

    def compute(self, freeze: str, where: str) -> tuple[str, Figure]:
        result = freeze_and_backward(freeze, where)
        same = "exactly the gradients they get" if result.others_unchanged else "different gradients than"
        what = frozen_label(freeze, where)
        line = (
            f"froze {what}: {len(result.without_gradient)} of {result.total} "
            f"parameter tensors get no gradient; the others get {same} with nothing frozen"
        )
        title = f"Gradient norms with {what} frozen" if freeze != "nothing" else "Gradient norms"
        return line, plot_gradient_norms(result.groups, title=title)


def gradient_freeze_widget(freeze: str = "mlp", where: str = "every block") -> GradientFreezeWidget:
    """Freeze a part (``freeze`` dropdown, first) in every block or one (``where``) and see which
    gradients become zero. End a notebook cell with it."""
    return GradientFreezeWidget(freeze, where)

"""Lesson 05's widget: freeze a part of a small ViT and see which gradients become zero.

A ``freeze`` dropdown (first) picks a part (``mlp``, ``qkv``, ``proj``, ``norms``, ``positions``,
``patch embedding``, ``head``, or ``nothing``) and a ``where`` dropdown picks every block or one of
them. One backward pass of a small digits ViT follows; the line says how many parameter tensors got
no gradient and whether every other one got exactly the gradient it gets with nothing frozen; the
picture is the gradient norm per layer and part (one dot each); a frozen group has no dot, only a cross
in a "no gradient" band below the smallest norm of the unfrozen model. ``where`` applies to the parts
inside the blocks; ``positions``, ``patch embedding`` and ``head`` are outside them.

An ``experiment`` dropdown (last) switches from freezing to **cutting the MLP route** (every block's, or
``where``'s only: ``h + mlp(norm2(h.detach()))``): the line and the picture are then each block's MLP share of
its qkv gradient (appendix D of the lesson has the size of the change). Every setting is computed when the
widget is built, so an update only draws.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from ..data import load_digits
from ..gradient_experiments import small_digit_vit as lesson_model
from ..gradient_hooks import gradient_change, group_gradient_norms, mlp_share
from ..parameters import parameter_places
from ..plotting.lesson05 import plot_cut_changes, plot_gradient_norms
from ..vit import ViT
from . import LessonWidget

__all__ = [
    "EXPERIMENTS",
    "FREEZABLE",
    "OUTSIDE_BLOCKS",
    "CutResult",
    "FreezeResult",
    "GradientFreezeWidget",
    "cut_and_backward",
    "freeze_and_backward",
    "frozen_label",
    "gradient_freeze_widget",
]

#: What the ``freeze`` dropdown offers: parts of :data:`vit_explained.parameters.PARAMETER_PARTS`
#: inside the blocks, and three single parameters or modules outside them.
FREEZABLE = ("nothing", "mlp", "qkv", "proj", "norms", "positions", "patch embedding", "head")
_DEPTH = 4
#: What the ``experiment`` dropdown offers.
EXPERIMENTS = ("freeze", "cut the MLP route")


def small_digit_vit() -> ViT:
    """Lesson 05's model, :func:`vit_explained.gradient_experiments.small_digit_vit` with seed 0 (8x8 digits in
    2x2 patches, D = 32, 4 blocks of 4 heads), on the fused attention kernel: the same weights and gradients."""
    return lesson_model(0, fused=True)


@lru_cache(maxsize=2)
def _batch(size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    digits = load_digits()
    return digits.train_images[:size], digits.train_labels[:size]


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
def _gradients(frozen: tuple[str, ...], digits: int = 64) -> dict[str, torch.Tensor | None]:
    model = small_digit_vit()
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name not in frozen)
    images, labels = _batch(digits)
    F.cross_entropy(model(images), labels).backward()
    return {name: None if p.grad is None else p.grad.clone() for name, p in model.named_parameters()}


@lru_cache(maxsize=64)
def freeze_and_backward(freeze: str, where: str = "every block", digits: int = 64) -> FreezeResult:
    """Freeze ``freeze`` (one of :data:`FREEZABLE`) in ``where`` (``"every block"`` or ``"block i"``),
    run one backward pass on the first ``digits`` digits (64, the widget's batch; fewer for a cheaper check of
    which gradients exist and change), and compare every gradient with the unfrozen model's on the same digits."""
    model = small_digit_vit()
    frozen = _frozen_names(model, freeze, where)
    grads, reference = _gradients(tuple(frozen), digits), _gradients((), digits)
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


class CutResult(NamedTuple):
    """One backward pass with the MLP route cut in some blocks, against the full one."""

    cut: list[bool]  # which blocks were cut
    with_gradient: int  # parameter tensors with a gradient (all of them: a cut removes no gradient)
    total: int
    same_forward: bool  # the logits equal the full model's, bit for bit
    qkv_change: list[float]  # ||g_cut - g|| / ||g|| of each block's qkv.weight.grad
    qkv_share: list[float]  # <g - g_cut, g> / ||g||^2


def _detach_input(module: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    return (inputs[0].detach(), *inputs[1:])


@lru_cache(maxsize=8)
def cut_and_backward(where: str = "every block") -> CutResult:
    """Cut the MLP route in ``where`` (``"every block"`` or ``"block i"``: its ``norm2`` reads ``h.detach()``),
    run one backward pass on 64 digits, and compare each block's qkv gradient with the uncut model's."""
    layers = [f"block {i}" for i in range(_DEPTH)]
    if where != "every block" and where not in layers:
        raise ValueError(f"where must be 'every block' or one of {layers}, got {where!r}")
    cut = [where in ("every block", layer) for layer in layers]
    images, labels = _batch()
    severed = small_digit_vit()
    with torch.no_grad():
        full_logits = severed(images)
    handles = [
        block.norm2.register_forward_pre_hook(_detach_input) for block, c in zip(severed.blocks, cut, strict=True) if c
    ]
    try:
        cut_logits = severed(images)
    finally:
        for handle in handles:
            handle.remove()
    F.cross_entropy(cut_logits, labels).backward()
    full = _gradients(())  # the uncut model's gradients (shared with the freeze experiment)
    names = {id(p): name for name, p in severed.named_parameters()}
    pairs = [(full[names[id(b.attn.qkv.weight)]], b.attn.qkv.weight.grad) for b in severed.blocks]
    parameters = list(severed.parameters())
    return CutResult(
        cut=cut,
        with_gradient=sum(p.grad is not None for p in parameters),
        total=len(parameters),
        same_forward=torch.equal(full_logits, cut_logits),
        qkv_change=[gradient_change(g, g_cut).relative for g, g_cut in pairs],
        qkv_share=[mlp_share(g, g_cut) for g, g_cut in pairs],
    )


class GradientFreezeWidget(LessonWidget):
    """``freeze`` and ``where`` dropdowns; gradient norms per layer and part after one backward pass."""

    def __init__(self, freeze: str = "mlp", where: str = "every block", experiment: str = "freeze") -> None:
        controls = {
            "freeze": widgets.Dropdown(options=FREEZABLE, value=freeze, description="freeze"),
            "where": widgets.Dropdown(
                options=("every block", *(f"block {i}" for i in range(_DEPTH))), value=where, description="where"
            ),
            "experiment": widgets.Dropdown(options=EXPERIMENTS, value=experiment, description="experiment"),
        }
        for option in controls["where"].options:  # every cut computed now: an update only draws
            cut_and_backward(option)
        super().__init__(controls)
        controls["freeze"].observe(self._to_freeze, names="value")

    def _to_freeze(self, change: object = None) -> None:
        """Picking a part to freeze while the cut is shown switches to the freeze experiment."""
        self.controls["experiment"].value = "freeze"

    def compute(self, freeze: str, where: str, experiment: str = "freeze") -> tuple[str, Figure]:
        if experiment not in EXPERIMENTS:
            raise ValueError(f"experiment must be one of {EXPERIMENTS}, got {experiment!r}")
        if experiment == "cut the MLP route":
            return self._cut(where)
        result = freeze_and_backward(freeze, where)
        same = "exactly the gradients they get" if result.others_unchanged else "different gradients than"
        what = frozen_label(freeze, where)
        line = (
            f"froze {what}: {len(result.without_gradient)} of {result.total} "
            f"parameter tensors get no gradient; the others get {same} with nothing frozen"
        )
        title = f"Gradient norms with {what} frozen" if freeze != "nothing" else "Gradient norms"
        floor = (
            min(v for v in freeze_and_backward("nothing").groups.values() if v > 0) / 4
        )  # fixed: from nothing frozen
        return line, plot_gradient_norms(result.groups, title=title, floor=floor)

    @staticmethod
    def _cut(where: str) -> tuple[str, Figure]:
        result = cut_and_backward(where)
        shares = ", ".join(f"{100 * c:.0f}" for c in result.qkv_share)
        forward = "the same forward pass" if result.same_forward else "a different forward pass (unexpected)"
        line = (
            f"cut the MLP route ({where}): {result.with_gradient} of {result.total} parameter tensors still get a "
            f"gradient, {forward}; MLP share of the qkv gradient, blocks 0-{_DEPTH - 1}: {shares} %"
        )
        title = f"qkv gradient with the MLP route cut ({where}), against the full one"
        return line, plot_cut_changes(None, result.qkv_share, cut=result.cut, title=title)


def gradient_freeze_widget(
    freeze: str = "mlp", where: str = "every block", experiment: str = "freeze"
) -> GradientFreezeWidget:
    """Freeze a part (``freeze`` dropdown, first) in every block or one (``where``) and see which
    gradients become zero; or (``experiment``) cut the MLP route there and see the MLP share of each
    block's qkv gradient.
    End a notebook cell with it."""
    return GradientFreezeWidget(freeze, where, experiment)

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
its qkv gradient (appendix D of the lesson has the size of the change); ``freeze and cut, side by side`` shows
both experiments, the freeze on the left and the cut on the right. A ``model`` dropdown picks the fresh
small model (8x8 digits, every setting computed when the widget is built) or the trained MNIST ViT of the lesson
(its cut on the lesson's 256 validation digits, summed over 8 batches of 32 into one gradient, whose share is the
lesson's table's; each new setting is computed the first time it is picked, well under a second).

A second widget, :func:`derivation_widget`, puts section 4's derivation to work: a ``c`` slider multiplies block
0's ``W_q`` and ``W_k`` by ``c`` (``X`` and ``dO`` fixed) and the line gives A's entropy, ``||dW_q||`` and
``||dW_v||`` from the hand-derived :func:`vit_explained.attention_backward.attention_backward`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import NamedTuple

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from ..attention_backward import HeadWeights, attention_backward
from ..data import load_digits, load_mnist
from ..evidence import t_interval
from ..gradient_experiments import SaturationSweep
from ..gradient_experiments import small_digit_vit as lesson_model
from ..gradient_hooks import catch_x_and_d_out, gradient_change, group_gradient_norms, mlp_share
from ..parameters import parameter_places
from ..plotting.lesson05 import plot_cut_changes, plot_derivation_point, plot_freeze_and_cut, plot_gradient_norms
from ..pretrained import load_mnist_vit
from ..vit import ViT
from . import LessonWidget

__all__ = [
    "EXPERIMENTS",
    "FREEZABLE",
    "MODELS",
    "OUTSIDE_BLOCKS",
    "SCALES",
    "CutResult",
    "DerivationPoint",
    "DerivationWidget",
    "FreezeResult",
    "GradientFreezeWidget",
    "cut_and_backward",
    "derivation_curves",
    "derivation_point",
    "derivation_widget",
    "freeze_and_backward",
    "frozen_label",
    "gradient_freeze_widget",
]

#: What the ``freeze`` dropdown offers: parts of :data:`vit_explained.parameters.PARAMETER_PARTS`
#: inside the blocks, and three single parameters or modules outside them.
FREEZABLE = ("nothing", "mlp", "qkv", "proj", "norms", "positions", "patch embedding", "head")
_DEPTH = 4
#: What the ``experiment`` dropdown offers.
EXPERIMENTS = ("freeze", "cut the MLP route", "freeze and cut, side by side")
#: What the ``model`` dropdown offers: the fresh small model, or the lesson's trained MNIST ViT.
MODELS = ("fresh small", "trained MNIST ViT")
#: the cut's digits and batch size per model: the trained model's are the lesson's (256 validation digits, 8 x 32)
_CUT_BATCHES = {MODELS[0]: (64, 64), MODELS[1]: (256, 32)}


def small_digit_vit() -> ViT:
    """Lesson 05's model, :func:`vit_explained.gradient_experiments.small_digit_vit` with seed 0 (8x8 digits in
    2x2 patches, D = 32, 4 blocks of 4 heads), on the fused attention kernel: the same weights and gradients."""
    return lesson_model(0, fused=True)


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")


def _make(model: str = MODELS[0]) -> ViT:
    """A fresh copy of the chosen model: :func:`small_digit_vit` or :func:`vit_explained.pretrained.load_mnist_vit`."""
    _check_model(model)
    return small_digit_vit() if model == MODELS[0] else load_mnist_vit()


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run torch on one thread, then restore the caller's count. These models are tiny: on 2 shared cores a second
    thread made a new trained-model setting about 5x slower (1.6 s of CPU against 0.3 s, review r27c), and one
    thread adds the sums in the lesson's order (the lesson runs ``torch.set_num_threads(1)``)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@lru_cache(maxsize=4)
def _batch(size: int = 64, model: str = MODELS[0]) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``size`` training digits (8x8) for the small model; the first ``size`` MNIST validation digits
    (the lesson's ``val_images``) for the trained one."""
    _check_model(model)
    if model == MODELS[0]:
        digits = load_digits()
        return digits.train_images[:size], digits.train_labels[:size]
    mnist = load_mnist()
    return mnist.val_images[:size], mnist.val_labels[:size]


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
def _gradients(frozen: tuple[str, ...], digits: int = 64, model: str = MODELS[0]) -> dict[str, torch.Tensor | None]:
    vit = _make(model)
    for name, parameter in vit.named_parameters():
        parameter.requires_grad_(name not in frozen)
    images, labels = _batch(digits, model)
    with _one_thread():
        F.cross_entropy(vit(images), labels).backward()
    return {name: None if p.grad is None else p.grad.clone() for name, p in vit.named_parameters()}


@lru_cache(maxsize=64)
def freeze_and_backward(
    freeze: str, where: str = "every block", digits: int = 64, model: str = MODELS[0]
) -> FreezeResult:
    """Freeze ``freeze`` (one of :data:`FREEZABLE`) in ``where`` (``"every block"`` or ``"block i"``) of ``model``
    (one of :data:`MODELS`), run one backward pass on the first ``digits`` digits (64, the widget's batch; fewer
    for a cheaper check of which gradients exist and change), and compare every gradient with the unfrozen
    model's on the same digits."""
    vit = _make(model)
    frozen = _frozen_names(vit, freeze, where)
    grads, reference = _gradients(tuple(frozen), digits, model), _gradients((), digits, model)
    missing = [name for name, grad in grads.items() if grad is None]
    unchanged = all(
        grad is None
        or ((expected := reference[name]) is not None and torch.allclose(grad, expected, rtol=1e-6, atol=1e-9))
        for name, grad in grads.items()
    )
    norms = {name: None if grad is None else grad.norm().item() for name, grad in grads.items()}
    groups = group_gradient_norms(vit, norms)
    everything = dict.fromkeys(parameter_places(vit).values(), 0.0)
    return FreezeResult(frozen, len(grads), missing, unchanged, {place: groups.get(place, 0.0) for place in everything})


class CutResult(NamedTuple):
    """One backward pass with the MLP route cut in some blocks, against the full one."""

    cut: list[bool]  # which blocks were cut
    with_gradient: int  # parameter tensors with a gradient (all of them: a cut removes no gradient)
    total: int
    same_forward: bool  # the logits equal the full model's, bit for bit
    qkv_change: list[float]  # ||g_cut - g|| / ||g|| of each block's qkv.weight.grad
    qkv_share: list[float]  # <g - g_cut, g> / ||g||^2 of the gradient summed over the batches (the lesson's table)
    batches: int = 1  # how many batches that gradient sums (8 of 32 digits for the trained model)
    mean_share: tuple[float, ...] = ()  # per block, the mean of the batches' own shares (appendix D)
    share_interval: tuple[tuple[float, float], ...] = ()  # per block, the 95 % t interval of the batches' shares


def _detach_input(module: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    return (inputs[0].detach(), *inputs[1:])


@lru_cache(maxsize=16)
def _qkv_per_batch(model: str, cut: tuple[bool, ...]) -> tuple[list[list[torch.Tensor]], list[torch.Tensor], int]:
    """Every block's qkv.weight gradient per batch of the cut's digits (:data:`_CUT_BATCHES`), the MLP route cut
    in the blocks ``cut`` marks; also the logits per batch and how many parameter tensors got a gradient."""
    vit = _make(model)
    handles = [
        block.norm2.register_forward_pre_hook(_detach_input) for block, c in zip(vit.blocks, cut, strict=True) if c
    ]
    size, batch = _CUT_BATCHES[model]
    images, labels = _batch(size, model)
    grads, logits = [], []
    try:
        for start in range(0, size, batch):
            vit.zero_grad(set_to_none=True)
            with _one_thread():
                out = vit(images[start : start + batch])
                F.cross_entropy(out, labels[start : start + batch]).backward()
            grads.append([block.attn.qkv.weight.grad.clone() for block in vit.blocks])
            logits.append(out.detach())
    finally:
        for handle in handles:
            handle.remove()
    return grads, logits, sum(p.grad is not None for p in vit.parameters())


@lru_cache(maxsize=16)
def cut_and_backward(where: str = "every block", model: str = MODELS[0]) -> CutResult:
    """Cut the MLP route in ``where`` (``"every block"`` or ``"block i"``: its ``norm2`` reads ``h.detach()``) of
    ``model`` (one of :data:`MODELS`), run backward on its digits (64 for the small model; the lesson's 256
    validation digits in 8 batches of 32 for the trained one), and compare each block's qkv gradient with the
    uncut model's: the share and the change are those of the summed gradient (one gradient over all the digits, as in
    the lesson's table); ``mean_share`` and ``share_interval`` describe the per-batch shares (appendix D)."""
    layers = [f"block {i}" for i in range(_DEPTH)]
    if where != "every block" and where not in layers:
        raise ValueError(f"where must be 'every block' or one of {layers}, got {where!r}")
    cut = tuple(where in ("every block", layer) for layer in layers)
    full, full_logits, _ = _qkv_per_batch(model, (False,) * _DEPTH)
    severed, cut_logits, with_gradient = _qkv_per_batch(model, cut)
    shares = [[mlp_share(g, g_cut) for g, g_cut in zip(a, b, strict=True)] for a, b in zip(full, severed, strict=True)]
    summed = [(sum(a[i] for a in full), sum(b[i] for b in severed)) for i in range(_DEPTH)]
    return CutResult(
        cut=list(cut),
        with_gradient=with_gradient,
        total=len(list(_make(model).parameters())),
        same_forward=all(torch.equal(a, b) for a, b in zip(full_logits, cut_logits, strict=True)),
        qkv_change=[gradient_change(g, g_cut).relative for g, g_cut in summed],
        qkv_share=[mlp_share(g, g_cut) for g, g_cut in summed],
        batches=len(shares),
        mean_share=tuple(sum(block) / len(shares) for block in zip(*shares, strict=True)),
        share_interval=tuple(_interval(block) for block in zip(*shares, strict=True)) if len(shares) > 1 else (),
    )


def _interval(shares: tuple[float, ...]) -> tuple[float, float]:
    """The 95 % Student's t interval of one block's per-batch shares, as the lesson's appendix D prints it."""
    estimate = t_interval(list(shares))
    return estimate.low, estimate.high


def _named(model: str) -> str:
    """The line's prefix: the trained model is named, the fresh small one (the lesson's first model) is not."""
    return "" if model == MODELS[0] else f"{model}, "


class GradientFreezeWidget(LessonWidget):
    """``freeze`` and ``where`` dropdowns; gradient norms per layer and part after one backward pass."""

    def __init__(
        self, freeze: str = "mlp", where: str = "every block", experiment: str = "freeze", model: str = MODELS[0]
    ) -> None:
        controls = {
            "freeze": widgets.Dropdown(options=FREEZABLE, value=freeze, description="freeze"),
            "where": widgets.Dropdown(
                options=("every block", *(f"block {i}" for i in range(_DEPTH))), value=where, description="where"
            ),
            "experiment": widgets.Dropdown(options=EXPERIMENTS, value=experiment, description="experiment"),
            "model": widgets.Dropdown(options=MODELS, value=model, description="model"),
        }
        for option in controls["where"].options:  # both models' cuts computed now; a new freeze setting runs one
            for name in MODELS:  # backward pass on one thread (under 0.5 s of CPU), then is cached
                cut_and_backward(option, name)
        super().__init__(controls)
        controls["freeze"].observe(self._to_freeze, names="value")

    def _to_freeze(self, change: object = None) -> None:
        """Picking a part to freeze while the cut alone is shown switches to the freeze experiment."""
        if self.controls["experiment"].value == "cut the MLP route":
            self.controls["experiment"].value = "freeze"

    def compute(
        self, freeze: str, where: str, experiment: str = "freeze", model: str = MODELS[0]
    ) -> tuple[str, Figure]:
        if experiment not in EXPERIMENTS:
            raise ValueError(f"experiment must be one of {EXPERIMENTS}, got {experiment!r}")
        _check_model(model)
        if experiment == "cut the MLP route":
            return self._cut(where, model)
        if experiment == "freeze and cut, side by side":
            return self._both(freeze, where, model)
        return self._freeze(freeze, where, model)

    @staticmethod
    def _freeze(freeze: str, where: str, model: str = MODELS[0]) -> tuple[str, Figure]:
        result = freeze_and_backward(freeze, where, model=model)
        same = "exactly the gradients they get" if result.others_unchanged else "different gradients than"
        what = frozen_label(freeze, where)
        line = (
            f"{_named(model)}froze {what}: {len(result.without_gradient)} of {result.total} "
            f"parameter tensors get no gradient; the others get {same} with nothing frozen"
        )
        title = f"Gradient norms with {what} frozen" if freeze != "nothing" else "Gradient norms"
        title = title if model == MODELS[0] else f"{model}: {title[0].lower()}{title[1:]}"
        nothing = freeze_and_backward("nothing", model=model).groups  # the reference: nothing frozen
        floor = min(v for v in nothing.values() if v > 0) / 4  # fixed: from nothing frozen
        return line, plot_gradient_norms(result.groups, title=title, floor=floor, reference=nothing)

    @staticmethod
    def _cut(where: str, model: str = MODELS[0]) -> tuple[str, Figure]:
        result = cut_and_backward(where, model)
        shares = ", ".join(f"{100 * c:.0f}" for c in result.qkv_share)
        forward = "the same forward pass" if result.same_forward else "a different forward pass (unexpected)"
        line = (
            f"{_named(model)}cut the MLP route ({where}): {result.with_gradient} of {result.total} parameter tensors "
            f"still get a gradient, {forward}; MLP share of the qkv gradient, blocks 0-{_DEPTH - 1}: {shares} %"
        )
        title = f"{model}: qkv gradient with the MLP route cut ({where}), against the full one"
        return line, plot_cut_changes(None, result.qkv_share, cut=result.cut, title=title)

    @staticmethod
    def _both(freeze: str, where: str, model: str = MODELS[0]) -> tuple[str, Figure]:
        """Freeze ``freeze`` and, separately, cut the MLP route, both in ``where``: the two lines and panels."""
        frozen = freeze_and_backward(freeze, where, model=model)
        cut = cut_and_backward(where, model)
        what = frozen_label(freeze, where)
        same = "unchanged" if frozen.others_unchanged else "changed"
        shares = ", ".join(f"{100 * c:.0f}" for c in cut.qkv_share)
        line = (
            f"{_named(model)}froze {what}: {len(frozen.without_gradient)} of {frozen.total} tensors lose their "
            f"gradient, the others {same}; cut the MLP route ({where}) instead: {cut.with_gradient} of {cut.total} "
            f"keep one, MLP share of the qkv gradient, blocks 0-{_DEPTH - 1}: {shares} %"
        )
        nothing = freeze_and_backward("nothing", model=model).groups  # the reference: nothing frozen
        floor = min(v for v in nothing.values() if v > 0) / 4
        figure = plot_freeze_and_cut(
            frozen.groups,
            list(cut.qkv_share),
            cut=list(cut.cut),
            freeze_title=f"{model}\n"
            + (f"Freeze: gradient norms, {what} frozen" if freeze != "nothing" else "Freeze: nothing frozen"),
            cut_title=f"Cut: MLP share of the qkv gradient ({where})",
            floor=floor,
            reference=nothing,
        )
        return line, figure


def gradient_freeze_widget(
    freeze: str = "mlp", where: str = "every block", experiment: str = "freeze", model: str = MODELS[0]
) -> GradientFreezeWidget:
    """Freeze a part (``freeze`` dropdown, first) in every block or one (``where``) and see which
    gradients become zero; or (``experiment``) cut the MLP route there and see the MLP share of each
    block's qkv gradient; ``model`` picks the fresh small model or the lesson's trained MNIST ViT.
    End a notebook cell with it."""
    return GradientFreezeWidget(freeze, where, experiment, model)


# ---------------------------------------------------------------------------------------------------------------
# The derivation widget: section 4's backward pass in block 0 as W_q and W_k grow (appendix H's experiment)

#: the score scales the derivation widget offers, as :func:`vit_explained.gradient_experiments.saturation_sweep`
#: names them
SCALES = ("1/sqrt(d)", "no scale")
#: the multipliers drawn as the widget's curves: the slider's 25 steps, 1 to 1,000, evenly spaced in log c
_CURVE_FACTORS = tuple(10 ** (k / 8) for k in range(25))
#: a row of A counts as "still spread" when its entropy is above this fraction of ln N
SPREAD = 0.2


@lru_cache(maxsize=1)
def _block_0_heads() -> tuple[torch.Tensor, torch.Tensor, tuple[HeadWeights, ...]]:
    """Block 0 of the lesson's small model on its 64 digits: ``X`` ``(B, N, D)`` and ``dO`` per head
    ``(B, heads, N, d)`` (float64, caught with two hooks), and each head's weights and biases (float64)."""
    model = small_digit_vit()
    images, labels = _batch()
    attention = model.blocks[0].attn
    x, d_o = catch_x_and_d_out(model, attention, images, labels)
    weights = attention.qkv.weight.detach().double().chunk(3)  # W_q, W_k, W_v, (D, D) each
    biases = attention.qkv.bias.detach().double().chunk(3)
    d = attention.head_dim
    heads = tuple(
        HeadWeights(*(w[h * d : (h + 1) * d] for w in weights), *(b[h * d : (h + 1) * d] for b in biases))
        for h in range(attention.heads)
    )
    return x.double(), d_o, heads


class DerivationPoint(NamedTuple):
    """Block 0's attention with ``W_q`` and ``W_k`` times ``factor``: see :func:`derivation_point`."""

    factor: float
    entropy: float  # A's mean row entropy over ln N, over images, queries and heads (1: uniform, 0: one-hot)
    w_q: float  # ||dL/dW_q|| over the block's heads (the q rows of qkv.weight)
    w_v: float  # ||dL/dW_v||, the same for the v rows
    attention: torch.Tensor  # A of image 0, the mean over the block's heads, (N, N)
    heads_w_q: tuple[float, ...] = ()  # ||dL/dW_q|| of each head
    heads_spread: tuple[float, ...] = ()  # each head's fraction of rows (images x queries) with entropy > SPREAD
    heads_carried: tuple[float, ...] = ()  # the fraction of each head's ||dQ||^2 in those rows (0 if dQ is 0)


def derivation_point(factor: float, scale: str = SCALES[0]) -> DerivationPoint:
    """Section 4's hand-derived backward pass (:func:`vit_explained.attention_backward.attention_backward`) in
    block 0 of the lesson's small model, every head, with ``W_q`` and ``W_k`` multiplied by ``factor`` and ``X``,
    ``dO`` held fixed (appendix H's experiment on block 0); ``scale``: scores times ``1/sqrt(d)`` or not."""
    return _derivation_point(float(factor), scale)  # cached: the widget's curves and the lesson's checks share points


@lru_cache(maxsize=64)
def _derivation_point(factor: float, scale: str) -> DerivationPoint:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    if not factor > 0:
        raise ValueError(f"factor must be positive, got {factor!r}")
    x, d_o, heads = _block_0_heads()
    entropy, heads_w_q, spread, carried, w_v, shown = [], [], [], [], 0.0, 0.0
    for h, head in enumerate(heads):
        scaled = HeadWeights(factor * head.w_q, factor * head.w_k, *head[2:])
        grads = attention_backward(x, scaled, d_o[:, h], scale=head.w_q.shape[0] ** -0.5 if scale == SCALES[0] else 1.0)
        a = grads["A"]
        rows = (-(a * torch.log(a.clamp_min(1e-300))).sum(dim=-1)) / math.log(a.shape[-1])  # (B, N), 0 to 1
        entropy.append(rows.mean().item())
        spread.append((rows > SPREAD).double().mean().item())
        d_q = grads["dQ"].pow(2).sum(dim=-1)  # (B, N): each query row's share of ||dQ||^2
        carried.append((d_q * (rows > SPREAD)).sum().item() / d_q.sum().item() if d_q.sum() > 0 else 0.0)
        heads_w_q.append(grads["dW_q"].norm().item())
        w_v += grads["dW_v"].pow(2).sum().item()
        shown = shown + a[0] / len(heads)  # the picture: the mean over heads (one head can collapse alone)
    w_q = sum(n * n for n in heads_w_q) ** 0.5
    mean = sum(entropy) / len(entropy)
    return DerivationPoint(float(factor), mean, w_q, w_v**0.5, shown, tuple(heads_w_q), tuple(spread), tuple(carried))


@lru_cache(maxsize=2)
def derivation_curves(scale: str) -> SaturationSweep:
    """:func:`derivation_point` at the slider's 25 factors (the widget draws them behind its point)."""
    points = [derivation_point(f, scale) for f in _CURVE_FACTORS]
    return SaturationSweep(
        list(_CURVE_FACTORS),
        {scale: [p.entropy for p in points]},
        {scale: [p.w_q for p in points]},
        {scale: [p.w_v for p in points]},
    )


class DerivationWidget(LessonWidget):
    """A ``c`` slider (first) and a ``scale`` dropdown: A's entropy, ``||dW_q||`` and ``||dW_v||`` in block 0."""

    dpi = 125  # about 1100 px wide, as the lesson's other pictures (review r32a minor 11)

    def __init__(self, c: float = 1.0, scale: str = SCALES[0]) -> None:
        controls = {
            "c": widgets.FloatLogSlider(
                value=c,
                base=10,
                min=0,
                max=3,
                step=0.125,
                description="c",
                readout_format=".3g",
                continuous_update=False,
            ),
            "scale": widgets.Dropdown(options=SCALES, value=scale, description="scale"),
        }
        super().__init__(controls)
        # one click from the plain case (c = 1) to the peak of W_q's gradient for the chosen scale
        self.peak_button = widgets.Button(description=f"go to the peak: c = {self.peak(scale):.3g}")
        self.peak_button.on_click(lambda _button: self.go_to_peak())
        self.controls["scale"].observe(self._name_peak, names="value")
        self.children = (widgets.HBox([*self.children[0].children, self.peak_button]), *self.children[1:])

    @staticmethod
    def peak(scale: str = SCALES[0]) -> float:
        """The slider step where ``||dW_q||`` is largest for ``scale`` (c = 13.3 with ``1/sqrt(d)``)."""
        curves = derivation_curves(scale)
        w_q = curves.w_q[scale]
        return curves.factors[w_q.index(max(w_q))]

    def go_to_peak(self) -> None:
        """Move the ``c`` slider to :meth:`peak` of the current scale (the button does this)."""
        self.controls["c"].value = self.peak(self.controls["scale"].value)

    def _name_peak(self, change: object = None) -> None:
        self.peak_button.description = f"go to the peak: c = {self.peak(self.controls['scale'].value):.3g}"

    def compute(self, c: float, scale: str = SCALES[0]) -> tuple[str, Figure]:
        point = derivation_point(c, scale)
        line = (
            f"c = {c:.3g} (scores x {c * c:.3g}): A's entropy {point.entropy:.2f} of ln N (1: uniform); "
            f"||dW_q|| = {point.w_q:.2g}, ||dW_v|| = {point.w_v:.2g}, ratio v / q = {point.w_v / point.w_q:.3g}"
        )
        norms = (point.w_q, point.w_v)
        return line, plot_derivation_point(
            derivation_curves(scale),
            c,
            norms,
            point.attention.numpy(),
            scale=scale,
            head=None,
            heads=len(point.heads_w_q),
            ratio=point.w_v / point.w_q,
        )


def derivation_widget(c: float = 1.0, scale: str = SCALES[0]) -> DerivationWidget:
    """Section 4's backward pass in block 0 of the lesson's small model as ``W_q`` and ``W_k`` grow ``c`` times
    (``c`` slider, first; ``scale`` with or without ``1/sqrt(d)``): A's entropy, ``||dW_q||`` and ``||dW_v||``,
    and the attention weights, averaged over heads. End a notebook cell with it."""
    return DerivationWidget(c, scale)

"""Lesson 05's experiments on where a ViT's gradients come from, as reusable functions.

The models: :func:`small_digit_vit` (8x8 digits, D = 32, the lesson's running model) and
:func:`mnist_vit_maker` (fresh copies of the shipped MNIST ViT's architecture and init). The measurements:
:func:`route_norms` and :func:`skip_over_mlp` (the two routes into each attention branch),
:func:`gradient_rms_per_entry` and :func:`fc1_scaling_growth` (LayerNorm against qkv gradient size per entry),
:func:`scaled_qkv_gradients` (block 0's q, k, v gradients with some of its qkv rows scaled), :func:`v_over_qk`,
:func:`backward_pass` and :func:`tensors_with_gradient`. The tables: :func:`route_table` (section 2) and
:func:`freeze_and_cut` with :func:`freeze_cut_table` (section 5). Every function takes the batch it uses; none
keeps state.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import torch
import torch.nn.functional as F

from .attention_backward import HeadWeights, attention_backward
from .gradient_hooks import (
    GradientChange,
    GradientRecorder,
    RouteCut,
    catch_x_and_d_out,
    gradient_change,
    mlp_route_cut,
    mlp_share,
    record_residual_routes,
    row_shares,
)
from .pretrained import checkpoint_info
from .vit import ViT, init_weights

__all__ = [
    "RouteOverlap",
    "SaturationSweep",
    "ScaledRows",
    "backward_pass",
    "fc1_scaling_growth",
    "freeze_and_cut",
    "freeze_cut_table",
    "fresh_v_over_qk",
    "gradient_rms_per_entry",
    "higher_attention_share",
    "mlp_and_attention_share",
    "mnist_ratio_summary",
    "mnist_vit_maker",
    "qk_factor_chain",
    "residual_route_norms",
    "route_norms",
    "route_overlap",
    "route_table",
    "saturation_sweep",
    "scaled_qkv_gradients",
    "skip_over_mlp",
    "small_digit_vit",
    "small_vit_qkv_init",
    "stored_full_checkpoints",
    "stored_training_checkpoints",
    "tensors_with_gradient",
    "token_gradient_norms",
    "v_over_qk",
]


#: The stored run of ``benchmarks/bench_lesson05_training.py`` (package data): v / max(q, k) and the MLP share along
#: short training runs of the MNIST ViT's architecture, 3 seeds.
STORED_TRAINING_CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints" / "lesson05_training.json"


def stored_training_checkpoints() -> dict:
    """v / max(q, k) and the MLP share along training, as ``benchmarks/bench_lesson05_training.py`` stored them:
    ``{"date", "machine", "recipe", "checkpoints_epochs", "runs": [{"seed", "steps", "checkpoints": [{"epoch",
    "v_over_qk" (per block), "mlp_share" (per block, in [0, 1]), "val_accuracy"}, ...]}, ...]}``."""
    return json.loads(STORED_TRAINING_CHECKPOINTS.read_text())


#: The replication of the lesson's headline, ``bench_lesson05_training.py --full-seeds ...`` (package data, once run).
STORED_FULL_CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints" / "lesson05_full.json"
STORED_FRESH_SHAPES = Path(__file__).resolve().parent / "checkpoints" / "lesson05_fresh_shapes.json"


def stored_full_checkpoints(path: Path | None = None) -> dict | None:
    """The MLP share per block after the full recipe for other seeds, as ``bench_lesson05_training.py --full-seeds``
    stored it: ``{"date", "machine", "recipe", "probe", "runs": [{"seed", "epochs", "steps", "v_over_qk" (per
    block), "mlp_share" (per block), "val_accuracy"}, ...]}``; ``None`` while that run has not been stored."""
    path = STORED_FULL_CHECKPOINTS if path is None else Path(path)
    return json.loads(path.read_text()) if path.exists() else None


def stored_fresh_shapes(path: Path | None = None) -> dict:
    """The MLP share per block in fresh ViT-Ti-shaped models, as ``bench_lesson05_fresh_shapes.py`` stored it:
    ``{"date", "machine", "shape", "init", "probe", "seconds", "runs": [{"seed", "mlp_share" (per block)}, ...]}``."""
    return json.loads((STORED_FRESH_SHAPES if path is None else Path(path)).read_text())


def small_digit_vit(seed: int = 0, *, fused: bool = False, init: str = "timm") -> ViT:
    """Lesson 05's small ViT for 8x8 digits: 2x2 patches -> 16 tokens + the class token, D = 32, 4 blocks of 4 heads.

    Seeded with ``torch.manual_seed(seed)``. ``init="timm"``: Linear weights start as a truncated normal with
    std 0.02, biases at 0 (the package's default, and timm 1.0's ``init_weights_vit_timm``). ``fused=False``
    (the default here): explicit attention, scores, then the ``nn.Softmax`` module ``attend``, then the weighted
    sum, so hooks see every step; ``fused=True`` uses ``F.scaled_dot_product_attention`` (the same gradients)."""
    torch.manual_seed(seed)
    model = ViT(image_size=8, patch_size=2, num_classes=10, dim=32, depth=4, heads=4, mlp_dim=64, channels=1, init=init)
    for block in model.blocks:
        block.attn.fused = fused
    return model


def small_vit_qkv_init(seed: int = 0, *, init: str = "torch", qkv_init: str = "timm") -> ViT:
    """:func:`small_digit_vit` with ``init`` everywhere, then every block's ``attn.qkv`` started again as
    ``qkv_init``: ``"timm"`` = truncated normal, std 0.02, zero bias (:func:`vit_explained.vit.init_weights`);
    ``"torch"`` = ``nn.Linear``'s own ``reset_parameters()`` (uniform in +-1/sqrt(fan_in), weight and bias).
    Only the qkv layers differ from ``small_digit_vit(seed, init=init)``: an init ablation that changes one layer
    type. The re-draw uses the random numbers that follow the model's construction (seeded by ``seed``)."""
    if qkv_init not in ("timm", "torch"):
        raise ValueError(f"qkv_init must be 'timm' or 'torch', got {qkv_init!r}")
    model = small_digit_vit(seed, init=init)
    for block in model.blocks:
        if qkv_init == "timm":
            init_weights(block.attn.qkv)
        else:
            block.attn.qkv.reset_parameters()
    return model


def token_gradient_norms(model: ViT, images: torch.Tensor, labels: torch.Tensor) -> list[tuple[float, float]]:
    """One cross-entropy backward pass of ``model`` on ``images`` ``(B, C, H, W)``; per block (bottom first),
    ``(||dL/dh|| on the class token, the largest ||dL/dh|| on one patch token)``, each norm over the batch and the
    width ``(B, D)`` of one token position (``h``: the attention branch's output, :func:`record_residual_routes`).
    Token 0 is the class token (:func:`vit_explained.vit.add_class_token`)."""
    with record_residual_routes(model) as routes:
        F.cross_entropy(model(images), labels).backward()
    per_token = [routes[i]["total"].double().pow(2).sum(dim=(0, 2)).sqrt() for i in range(len(routes))]  # (N,)
    return [(norms[0].item(), norms[1:].max().item()) for norms in per_token]


def small_model_cuts(
    images: torch.Tensor,
    labels: torch.Tensor,
    seeds: Sequence[int] = range(5),
    per_seed: int = 64,
    same_digits: bool = False,
) -> list[RouteCut]:
    """:func:`mlp_route_cut` of :func:`small_digit_vit` on each seed, each on its own digits: seed ``s`` takes
    ``images[per_seed * s : per_seed * (s + 1)]`` (seed 0: the first ``per_seed``). ``same_digits=True``: every
    seed takes the first ``per_seed`` digits (one gradient over them), so the seeds differ in their init only.
    Fused attention (the same gradients as the explicit path, faster)."""
    cuts = []
    for seed in seeds:
        start = 0 if same_digits else per_seed * seed
        part = slice(start, start + per_seed)
        cuts.append(mlp_route_cut(lambda seed=seed: small_digit_vit(seed, fused=True), images[part], labels[part]))
    return cuts


def mnist_vit_maker(seed: int) -> Callable[[], ViT]:
    """A maker of fresh models with the shipped MNIST ViT's architecture and init (``init="torch"``), seeded;
    seed 0 gives the checkpoint's own starting weights (the training run's ``Recipe.build_model``)."""

    def make() -> ViT:
        torch.manual_seed(seed)
        return ViT(**checkpoint_info()["config"], init="torch")

    return make


def route_norms(route: Mapping[str, torch.Tensor]) -> tuple[float, float]:
    """``(||skip||, ||total - skip||)`` for one block's routes from :func:`record_residual_routes`
    (``route["skip"]``, ``route["total"]``: ``(B, N, D)`` gradients at the attention branch's output ``h``)."""
    return route["skip"].norm().item(), (route["total"] - route["skip"]).norm().item()


def residual_route_norms(model: ViT, images: torch.Tensor, labels: torch.Tensor) -> list[tuple[float, float]]:
    """One backward pass of ``model`` on ``images`` ``(B, C, H, W)`` with ``labels`` ``(B,)``; per block (bottom
    first), ``(||skip||, ||MLP branch||)`` at the attention branch's output (:func:`route_norms`)."""
    with record_residual_routes(model) as routes:
        F.cross_entropy(model(images), labels).backward()
    return [route_norms(route) for route in routes.values()]


def fresh_v_over_qk(images: torch.Tensor, labels: torch.Tensor, seeds: Sequence[int] = (0, 1, 2)) -> list[float]:
    """Lesson 05, section 3: for each fresh ``small_digit_vit(seed)``, one backward pass on ``images``
    ``(B, C, H, W)`` with ``labels`` ``(B,)``; per block (bottom first), ``||dW_v|| / max(||dW_q||, ||dW_k||)``
    from :class:`GradientRecorder` (weight and bias rows). Each model is built on its own random numbers
    (``torch.random.fork_rng``), so the caller's global generator is left as it was."""
    gaps = []
    for seed in seeds:
        with torch.random.fork_rng():
            fresh = small_digit_vit(seed)
        with GradientRecorder(fresh) as recorder:
            F.cross_entropy(fresh(images), labels).backward()
        gaps += [norms["v"] / max(norms["q"], norms["k"]) for norms in recorder.qkv_by_layer().values()]
    return gaps


def skip_over_mlp(model: ViT, images: torch.Tensor, labels: torch.Tensor) -> list[float]:
    """One backward pass of ``model`` on ``images`` ``(B, C, H, W)`` with ``labels`` ``(B,)``; per block (bottom
    first), the skip route's gradient norm over the block's own MLP route's, at the attention branch's output."""
    return [skip / mlp for skip, mlp in residual_route_norms(model, images, labels)]


def backward_pass(model: ViT, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy on ``model(images)`` and ``backward()``; returns the logits ``(B, num_classes)``, detached."""
    logits = model(images)
    F.cross_entropy(logits, labels).backward()
    return logits.detach()


def tensors_with_gradient(model: torch.nn.Module) -> int:
    """How many parameter tensors of ``model`` hold a gradient (``p.grad is not None``)."""
    return sum(p.grad is not None for p in model.parameters())


def v_over_qk(norms: Mapping[str, float]) -> float:
    """``||dW_v|| / max(||dW_q||, ||dW_k||)`` from one block's ``{"q": ..., "k": ..., "v": ...}`` gradient norms."""
    return norms["v"] / max(norms["q"], norms["k"])


def v_over_qk_by_block(model: ViT, images: torch.Tensor, labels: torch.Tensor) -> list[float]:
    """One backward pass of ``model`` on ``images`` ``(B, C, H, W)`` with ``labels`` ``(B,)``; per block (bottom
    first), :func:`v_over_qk` of its ``qkv.weight`` and ``qkv.bias`` gradients together (``GradientRecorder``)."""
    with GradientRecorder(model) as recorder:
        F.cross_entropy(model(images), labels).backward()
    return [v_over_qk(norms) for norms in recorder.qkv_by_layer().values()]


def mnist_ratio_summary(trained_cut, fresh_cuts: Sequence) -> dict[str, list[float]]:
    """Lesson 05's MNIST ViT, :func:`v_over_qk` per block from ``mlp_route_cut`` results: ``"start"`` (the first fresh
    model, seed 0's starting weights), ``"fresh"`` (every fresh model), ``"trained"`` (``trained_cut``, seed 0) and
    ``"runs"`` (seed 0 and the runs in :func:`stored_full_checkpoints`: the same recipe and probe)."""
    per_model = [[v_over_qk(norms) for norms in cut.qkv_norms.values()] for cut in fresh_cuts]
    trained = [v_over_qk(norms) for norms in trained_cut.qkv_norms.values()]
    stored = [ratio for run in stored_full_checkpoints()["runs"] for ratio in run["v_over_qk"]]
    return {
        "start": per_model[0],
        "fresh": [r for ratios in per_model for r in ratios],
        "trained": trained,
        "runs": trained + stored,
    }


def gradient_rms_per_entry(
    images: torch.Tensor, labels: torch.Tensor, init: str = "timm", after_norms: float = 1.0, seed: int = 0
) -> tuple[float, float]:
    """Root mean square of every gradient entry of the LayerNorms, and of the qkv weights, after one backward pass
    of a fresh :func:`small_digit_vit` (``seed``, ``init``) on ``images`` ``(B, 1, 8, 8)``.

    ``after_norms`` multiplies the weights of the layers right after a norm (qkv, fc1, the head), nothing else."""
    model = small_digit_vit(seed, fused=True, init=init)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("qkv.weight", "fc1.weight", "head.weight")):
                p.mul_(after_norms)
    F.cross_entropy(model(images), labels).backward()
    entries = {
        kind: torch.cat([p.grad.flatten() for n, p in model.named_parameters() if kind in n and p.grad is not None])
        for kind in ("norm", "qkv.weight")
    }
    return entries["norm"].pow(2).mean().sqrt().item(), entries["qkv.weight"].pow(2).mean().sqrt().item()


def fc1_scaling_growth(
    images: torch.Tensor, labels: torch.Tensor, seed: int, scale: float = 5.0
) -> tuple[float, float]:
    """How many times the per-entry gradient (RMS) of every ``norm2`` and of every ``qkv.weight`` grows when only
    the ``fc1`` weights (the layer right after ``norm2``) of a fresh :func:`small_digit_vit` (``seed``,
    ``init="timm"``) are multiplied by ``scale``; one backward pass each on ``images`` ``(B, 1, 8, 8)``."""

    def rms(factor: float) -> tuple[float, float]:
        model = small_digit_vit(seed, fused=True, init="timm")
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name.endswith("fc1.weight"):
                    p.mul_(factor)
        F.cross_entropy(model(images), labels).backward()
        grads = {
            kind: torch.cat([p.grad.flatten() for n, p in model.named_parameters() if kind in n])
            for kind in ("norm2", "qkv.weight")
        }
        return grads["norm2"].pow(2).mean().sqrt().item(), grads["qkv.weight"].pow(2).mean().sqrt().item()

    (norm_before, qkv_before), (norm_after, qkv_after) = rms(1.0), rms(scale)
    return norm_after / norm_before, qkv_after / qkv_before


class ScaledRows(NamedTuple):
    """Block ``block``'s gradients after some of its qkv rows were scaled (see :func:`scaled_qkv_gradients`)."""

    norms: dict[str, float]  # {"q", "k", "v"}: the gradient norm of that third of qkv.weight's rows
    d_out: float  # ||dO||: the gradient at the attention's output (proj's input), (B, N, D) laid end to end


def scaled_qkv_gradients(
    images: torch.Tensor, labels: torch.Tensor, scale_rows: str, seed: int, scale: float = 10.0, block: int = 0
) -> ScaledRows:
    """A fresh :func:`small_digit_vit` (``seed``) with the rows of ``blocks[block].attn.qkv.weight`` named in
    ``scale_rows`` (any of ``"q"``, ``"k"``, ``"v"``; ``""`` for none) times ``scale``; one backward pass on
    ``images`` ``(B, 1, 8, 8)``; that block's q, k, v gradient norms and the norm of the ``dO`` they came from."""
    if set(scale_rows) - set("qkv"):
        raise ValueError(f"scale_rows may hold only 'q', 'k' and 'v', got {scale_rows!r}")
    model = small_digit_vit(seed)
    attention = model.blocks[block].attn
    with torch.no_grad():
        for index, part in enumerate("qkv"):
            if part in scale_rows:
                attention.qkv.weight.chunk(3)[index].mul_(scale)  # chunk gives views
    caught: dict[str, torch.Tensor] = {}
    hook = attention.proj.register_full_backward_hook(lambda module, grad_in, grad_out: caught.update(d_out=grad_in[0]))
    try:
        with GradientRecorder(model) as recorder:
            F.cross_entropy(model(images), labels).backward()
    finally:
        hook.remove()
    return ScaledRows(recorder.qkv_by_layer()[f"block {block}"], caught["d_out"].norm().item())


def route_table(trained: RouteCut, fresh: Sequence[RouteCut]) -> str:
    """A table of the skip route's and this block's MLP branch's gradient norm at each attention branch's
    output (not section 5's share through all later MLPs), for the fresh models (range over ``fresh``) and the
    trained one, and the fresh models' skip / MLP ratio."""
    lines = [
        "MNIST ViT, gradient norm at each attention branch's output h: skip route / this block's MLP branch",
        f"{'':>5} | {'skip route':^25} | {'MLP branch':^25}",
        f"{'block':>5} | {f'at init ({len(fresh)} seeds)':<17} {'trained':>7} | "
        f"{f'at init ({len(fresh)} seeds)':<17} {'trained':>7}",
    ]
    for i in range(len(trained.skip)):
        skip, mlp = [c.skip[i] for c in fresh], [c.mlp[i] for c in fresh]
        skip_range, mlp_range = f"{min(skip):.3f} to {max(skip):.3f}", f"{min(mlp):.3f} to {max(mlp):.3f}"
        lines.append(f"{i:>5} | {skip_range:<17} {trained.skip[i]:>7.3f} | {mlp_range:<17} {trained.mlp[i]:>7.3f}")
    ratios = [c.skip[i] / c.mlp[i] for c in fresh for i in range(len(c.skip))]
    lines.append(
        f"at init, skip route / MLP branch over {len(fresh)} seeds x {len(trained.skip)} blocks: "
        f"{min(ratios):.1f} to {max(ratios):.1f}"
    )
    return "\n".join(lines)


def freeze_and_cut(full: ViT, frozen: ViT, cut: ViT) -> dict[int, dict[str, GradientChange | float]]:
    """Per block, after one backward pass on each copy: how the frozen and the cut copy's ``qkv.weight.grad``
    differ from the full model's (``"freeze"``, ``"cut"``: :func:`gradient_change`), the MLP route's
    ``"share"`` (:func:`mlp_share`), the share of its q, k and v rows apart (``"rows"``: :func:`row_shares`)
    and how the cut copy's ``fc1.weight.grad`` differs (``"fc1"``)."""
    changes = {}
    for i, (a, b, c) in enumerate(zip(full.blocks, frozen.blocks, cut.blocks, strict=True)):
        reference = a.attn.qkv.weight.grad
        changes[i] = {
            "freeze": gradient_change(reference, b.attn.qkv.weight.grad),
            "cut": gradient_change(reference, c.attn.qkv.weight.grad),
            "share": mlp_share(reference, c.attn.qkv.weight.grad),
            "fc1": gradient_change(a.mlp.fc1.weight.grad, c.mlp.fc1.weight.grad),
            "rows": row_shares(reference, c.attn.qkv.weight.grad),
        }
    return changes


def freeze_cut_table(
    changes: Mapping[int, Mapping[str, GradientChange | float]],
    *,
    with_change: bool = True,
    rows: bool = False,
    with_fc1: bool = True,
    title: str = "qkv.weight.grad g of the frozen and the cut copy, against the full model's",
) -> str:
    """The table of :func:`freeze_and_cut`: per block, is the frozen copy's qkv gradient unchanged, the cut's
    share (and, with ``with_change``, its change; percent), and did the cut change ``fc1``'s own gradient.
    With ``rows``, three more columns: the share of the q, k and v rows apart (``"rows"``); the share column is then
    headed "whole" (the whole weight's share). ``with_fc1=False`` leaves out the ``fc1`` column.
    ``title`` is the table's first line."""
    # with the q, k and v rows' columns, the share column is marked as the whole weight's
    share_label = "cut: MLP share, whole" if rows and not with_change else "cut: MLP share"
    head = f"{'cut: share':>10} {'change':>6}" if with_change else f"{share_label:>14}"
    if rows:
        head += f" {'q rows':>6} {'k rows':>6} {'v rows':>6}"
    lines = [
        title,
        f"{'block':>5} | {'freeze: g unchanged':>19} | {head}"
        + (f" | {'cut: fc1 grad changed':>21}" if with_fc1 else ""),
    ]
    for i, change in changes.items():
        unchanged, fc1_changed = change["freeze"].relative < 1e-6, change["fc1"].relative > 1e-6
        cells = (
            f"{change['share']:>10.0%} {change['cut'].relative:>6.0%}"
            if with_change
            else f"{change['share']:>{len(share_label)}.0%}"
        )
        if rows:
            cells += "".join(f" {change['rows'][name]:>6.0%}" for name in "qkv")
        lines.append(f"{i:>5} | {unchanged!s:>19} | {cells}" + (f" | {fc1_changed!s:>21}" if with_fc1 else ""))
    return "\n".join(lines)


class SaturationSweep(NamedTuple):
    """One head's attention entropy and weight gradients as its weights grow (see :func:`saturation_sweep`)."""

    factors: list[float]  # the multipliers of the scaled weights (W_q, W_k and W_v, or those ``rows`` names)
    entropy: dict[str, list[float]]  # "1/sqrt(d)" or "no scale" -> mean row entropy of A, as a fraction of ln N
    w_q: dict[str, list[float]]  # the same keys -> ||dL/dW_q|| per factor
    w_v: dict[str, list[float]]  # the same keys -> ||dL/dW_v|| per factor


def saturation_sweep(
    x: torch.Tensor, grad_out: torch.Tensor, head: HeadWeights, factors: Sequence[float], rows: str = "qkv"
) -> SaturationSweep:
    """``head``'s ``w_q``, ``w_k`` and ``w_v`` (or only those named in ``rows``, e.g. ``"qk"``) times each factor,
    with the score scale ``1/sqrt(d)`` and without it (scale 1): the attention's mean row entropy over ``ln N``
    and ``||dW_q||``, ``||dW_v||`` from :func:`attention_backward`, with ``x`` ``(B, N, D)`` and ``grad_out``
    ``(B, N, d)`` held fixed. With ``rows="qk"`` V stays as it is, so only the scores and K grow."""
    if not rows or set(rows) - set("qkv"):
        raise ValueError(f"rows names the weights to scale, some of 'q', 'k', 'v'; got {rows!r}")
    scales = {"1/sqrt(d)": head.w_q.shape[0] ** -0.5, "no scale": 1.0}
    entropy: dict[str, list[float]] = {name: [] for name in scales}
    w_q: dict[str, list[float]] = {name: [] for name in scales}
    w_v: dict[str, list[float]] = {name: [] for name in scales}
    for name, scale in scales.items():
        for factor in factors:
            scaled = HeadWeights(
                *(factor * w if r in rows else w for r, w in zip("qkv", head[:3], strict=True)), *head[3:]
            )
            grads = attention_backward(x, scaled, grad_out, scale=scale)
            a = grads["A"]
            row_entropy = -(a * torch.log(a.clamp_min(1e-300))).sum(dim=-1)
            entropy[name].append(row_entropy.mean().item() / math.log(a.shape[-1]))
            w_q[name].append(grads["dW_q"].norm().item())
            w_v[name].append(grads["dW_v"].norm().item())
    return SaturationSweep([float(f) for f in factors], entropy, w_q, w_v)


def qk_factor_chain(model: ViT, images: torch.Tensor, labels: torch.Tensor, block: int = 0) -> dict[str, float]:
    """Why ``W_q`` gets less gradient than ``W_v`` at init, factor by factor (lesson 05, section 4 and appendix I).

    Catches ``X`` and ``dO`` of ``model.blocks[block].attn`` (one backward pass of ``images``) and returns, per entry
    (root mean square) and in float64: ``"K"`` and ``"V - Vbar"`` (the two factors of
    ``M = (1/N) sum_j K_j (V_j - Vbar)^T``), ``"averaging"`` (how many times averaging over the keys shrinks their
    product: ``K x (V - Vbar) / M``), ``"K - Kbar"`` and ``"averaging, centred"`` (the same with the centred keys:
    ``M = (1/N) sum_j (K_j - Kbar)(V_j - Vbar)^T`` too, since ``sum_j (V_j - Vbar) = 0``), ``"M"``,
    ``"dQ / dO"`` and ``"dV / dO"`` (autograd's ``dQ``; ``dV = A^T dO``),
    ``"dV / dQ"`` (``||dV|| / ||dQ||``), ``"sums"`` (the factor the sums over tokens and images in ``dW = d.^T X``
    add), ``"dW_v / dW_q"`` (``||dW_v|| / ||dW_q||``, weights only) and ``"uniform gap"`` (how far the
    uniform-attention formula ``s dO M^T`` is from autograd's ``dQ``: ``||dQ - s dO M^T|| / ||dQ||``).
    """
    attention = model.blocks[block].attn
    scale = attention.head_dim**-0.5
    x, d_o = catch_x_and_d_out(model, attention, images, labels)
    with torch.no_grad():
        q, k, v = (t.double() for t in attention.project_qkv(x))  # (B, heads, N, d)
    q.requires_grad_()
    weights = torch.softmax(scale * q @ k.transpose(-2, -1), dim=-1)
    (weights @ v).backward(d_o)
    v_centred, k_centred = v - v.mean(dim=-2, keepdim=True), k - k.mean(dim=-2, keepdim=True)
    m = k.transpose(-2, -1) @ v_centred / k.shape[-2]  # = k_centred^T v_centred / N: a covariance over the tokens
    d_v = weights.detach().transpose(-2, -1) @ d_o

    def size(t: torch.Tensor) -> float:
        return t.detach().pow(2).mean().sqrt().item()

    d_w_q, d_w_v = (torch.einsum("bhnd,bne->hde", g, x.double()) for g in (q.grad, d_v))
    tensors, weights_ratio = (d_v.norm() / q.grad.norm()).item(), (d_w_v.norm() / d_w_q.norm()).item()
    return {
        "K": size(k),
        "V - Vbar": size(v_centred),
        "averaging": size(k) * size(v_centred) / size(m),
        "K - Kbar": size(k_centred),
        "averaging, centred": size(k_centred) * size(v_centred) / size(m),
        "M": size(m),
        "dQ / dO": size(q.grad) / size(d_o),
        "dV / dO": size(d_v) / size(d_o),
        "dV / dQ": tensors,
        "sums": weights_ratio / tensors,
        "dW_v / dW_q": weights_ratio,
        "uniform gap": ((q.grad - scale * d_o @ m.transpose(-2, -1)).norm() / q.grad.norm()).item(),
    }


class RouteOverlap(NamedTuple):
    """Block by block (bottom first), one ``qkv.weight`` gradient ``g`` of a model with some residual branches cut
    (:func:`route_overlap`); every entry is of the same gradient, all images in one backward pass."""

    mlp_share: list[float]  #: every block's MLP route cut: :func:`mlp_share` of ``g`` and ``g_cut``
    mlp_left: list[float]  #: the same cut: ``||g_cut|| / ||g||``
    attention_share: list[float]  #: the attention routes of every higher block cut: the same share
    own_mlp_share: list[float]  #: only the block's own MLP route cut: the same share
    no_branch_left: list[float]  #: every MLP route and every higher attention route cut: ``||g_kept|| / ||g||``


def _qkv_gradients_with_cuts(
    model: ViT, images: torch.Tensor, labels: torch.Tensor, mlp: Sequence[int] = (), attention: Sequence[int] = ()
) -> list[torch.Tensor]:
    """One backward pass of ``model`` with the MLP route of the blocks in ``mlp`` and the attention route of the
    blocks in ``attention`` cut (a forward pre-hook hands ``norm2`` or ``norm1`` a detached copy of its input: the
    same forward values); every block's ``qkv.weight`` gradient, float64. The hooks are removed before returning."""

    def detach_input(module: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        return (inputs[0].detach(), *inputs[1:])

    handles = [model.blocks[i].norm2.register_forward_pre_hook(detach_input) for i in mlp]
    handles += [model.blocks[i].norm1.register_forward_pre_hook(detach_input) for i in attention]
    try:
        model.zero_grad(set_to_none=True)
        F.cross_entropy(model(images), labels).backward()
    finally:
        for handle in handles:
            handle.remove()
    return [block.attn.qkv.weight.grad.detach().double().clone() for block in model.blocks]


def higher_attention_share(make: Callable[[], ViT], images: torch.Tensor, labels: torch.Tensor) -> list[float]:
    """Per block (bottom first): :func:`mlp_share` of its ``qkv.weight`` gradient with the attention route of every
    higher block cut (``norm1`` reads a detached copy), i.e. the part through at least one higher attention layer;
    0 in the top block. :func:`route_overlap` gives it beside the other cuts (lesson 05's appendix D)."""
    model = make().eval()
    whole, depth = _qkv_gradients_with_cuts(model, images, labels), len(model.blocks)
    cut = [_qkv_gradients_with_cuts(model, images, labels, attention=range(b + 1, depth))[b] for b in range(depth)]
    return [mlp_share(g, c) for g, c in zip(whole, cut, strict=True)]


def mlp_and_attention_share(make: Callable[[], ViT], images: torch.Tensor, labels: torch.Tensor) -> list[float]:
    """Per block (bottom first): the share of its ``qkv.weight`` gradient ``g`` on paths through at least one MLP
    **and** at least one higher attention layer (lesson 05, section 5), by inclusion-exclusion over four cuts:
    ``joint = g - g_no_mlp - g_no_attention + g_neither`` (``g_no_mlp``: every MLP route cut; ``g_no_attention``:
    every higher block's attention route cut; ``g_neither``: both), then ``<joint, g> / ||g||^2`` as in
    :func:`mlp_share`. 0 in the top block (no attention above it). One backward pass of all ``images`` per cut."""
    model = make().eval()
    blocks = range(len(model.blocks))
    whole = _qkv_gradients_with_cuts(model, images, labels)
    no_mlp = _qkv_gradients_with_cuts(model, images, labels, mlp=blocks)
    shares = []
    for b in blocks:
        above = range(b + 1, len(model.blocks))
        if not above:  # the top block: no attention above it, so no path through both (and two passes saved)
            shares.append(0.0)
            continue
        no_attention = _qkv_gradients_with_cuts(model, images, labels, attention=above)[b]
        neither = _qkv_gradients_with_cuts(model, images, labels, mlp=blocks, attention=above)[b]
        joint = whole[b] - no_mlp[b] - no_attention + neither
        shares.append(mlp_share(whole[b], whole[b] - joint))
    return shares


def route_overlap(make: Callable[[], ViT], images: torch.Tensor, labels: torch.Tensor) -> RouteOverlap:
    """Which residual branches above each block its ``qkv`` gradient came back through (lesson 05's Answer table).

    ``make()`` builds the model (put in eval mode here); one whole backward pass of all ``images`` gives each
    block's ``g``, and one more per cut. The MLP share counts every path through at least one MLP, the attention
    share every path through at least one higher attention layer: the two overlap (a path may pass both), so they
    can add up to more than 1. ``no_branch_left`` keeps only the path through no branch at all, the skips.
    """
    model = make().eval()
    blocks = range(len(model.blocks))
    whole = _qkv_gradients_with_cuts(model, images, labels)
    every_mlp = _qkv_gradients_with_cuts(model, images, labels, mlp=blocks)
    attention, own, neither = [], [], []
    for b in blocks:
        above = range(b + 1, len(model.blocks))
        attention.append(_qkv_gradients_with_cuts(model, images, labels, attention=above)[b])
        own.append(_qkv_gradients_with_cuts(model, images, labels, mlp=[b])[b])
        neither.append(_qkv_gradients_with_cuts(model, images, labels, mlp=blocks, attention=above)[b])
    return RouteOverlap(
        mlp_share=[mlp_share(g, c) for g, c in zip(whole, every_mlp, strict=True)],
        mlp_left=[(c.norm() / g.norm()).item() for g, c in zip(whole, every_mlp, strict=True)],
        attention_share=[mlp_share(g, c) for g, c in zip(whole, attention, strict=True)],
        own_mlp_share=[mlp_share(g, c) for g, c in zip(whole, own, strict=True)],
        no_branch_left=[(c.norm() / g.norm()).item() for g, c in zip(whole, neither, strict=True)],
    )

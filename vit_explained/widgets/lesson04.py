"""Lesson 04's widgets: GELU's random gate, a block's parameter budget, and the residual stream by depth.

- :func:`gelu_gate_widget`: an ``x`` slider; the line gives Phi(x), the probability the gate keeps ``x``, and
  GELU(x) = x Phi(x) beside ReLU(x) and the tanh form; the picture marks ``x`` on the three curves and draws the
  gate's two outcomes. A "draw n gates" choice samples n gates at each x of a grid: their mean outputs approach
  the GELU curve as n grows.
- :func:`block_budget_widget`: ``dim`` (first) and ``mlp_ratio`` sliders and a ``qkv_bias`` checkbox build a
  :class:`~vit_explained.Block` on the ``meta`` device; the line gives its parameter count,
  ``12D^2 + 13D`` at ratio 4 with a qkv bias, and the MLP's share; the picture is the budget by part.
- :func:`residual_stream_widget`: a ``depth`` slider (first) and a pre-norm / post-norm toggle over
  lesson 04's depth experiment (:mod:`vit_explained.norm_placement`), computed once and cached: the stream's
  RMS token norm (root mean square over tokens and seeds, the lesson's printed statistic) after every
  block, and the last block's ``fc2`` gradient at each depth; a final-LayerNorm
  toggle (on, off, ``fixed``, ``centred_fixed``: the ablation's final steps) shows what the head reads and, for
  pre-norm, that ablation arm's gradients.
"""

from __future__ import annotations

import math
import textwrap
from functools import lru_cache

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from ..block import Block
from ..mlp import gelu
from ..norm_placement import FIXED_NORM, _random_stack, final_norm_ablation
from ..parameters import parameter_breakdown
from ..plotting.lesson04 import (
    FINAL_STEPS,
    GATE_GRID,
    plot_gelu_gate,
    plot_parameter_budget,
    plot_residual_stream,
    sampled_gate_means,
)
from . import LessonWidget

__all__ = [
    "BlockBudgetWidget",
    "GeluGateWidget",
    "ResidualStreamWidget",
    "block_budget",
    "block_budget_widget",
    "depth_experiment",
    "depth_profiles",
    "gelu_gate_widget",
    "residual_stream_widget",
    "stream_and_gradient",
]


GATE_DRAWS = (0, 1, 10, 100, 1_000, 10_000)  # the "draw n gates" choices; 0 draws none


class GeluGateWidget(LessonWidget):
    """An ``x`` slider (-4 to 4, step 0.1) over GELU's random gate: keep ``x`` with probability Phi(x); a
    "draw n gates" choice samples that many gates at each x of a grid and plots their mean output."""

    def __init__(self, x: float = -0.5, draws: int = 0) -> None:
        if draws not in GATE_DRAWS:
            raise ValueError(f"draws must be one of {GATE_DRAWS}, got {draws!r}")
        controls = {
            "x": widgets.FloatSlider(value=x, min=-4.0, max=4.0, step=0.1, description="x", continuous_update=False),
            "draws": widgets.Dropdown(
                options=[(f"{n:,}", n) for n in GATE_DRAWS], value=draws, description="draw n gates"
            ),
        }
        super().__init__(controls)

    def describe(self, x: float, draws: int = 0) -> str:
        """The line the widget shows at ``x`` (and ``draws`` sampled gates), without drawing the figure."""
        point = torch.tensor([x], dtype=torch.float64)
        keep = 0.5 * (1 + math.erf(x / math.sqrt(2)))
        line = (
            f"x = {x:+.1f}: the gate keeps x with probability Phi(x) = {keep:.3f}, else outputs 0; "
            f"GELU(x) = x Phi(x) = {x * keep:+.3f}; tanh form {gelu(point, 'tanh').item():+.3f}; "
            f"ReLU(x) = {max(x, 0.0):+.3f}"
        )
        if draws:
            grid = torch.tensor(GATE_GRID, dtype=torch.float64)
            gap = (sampled_gate_means(draws) - gelu(grid, "none")).abs().max().item()
            gates = f"{draws:,} sampled gate{'s' if draws > 1 else ''}"
            line += f"; {gates} per x: their means miss the GELU curve by at most {gap:.3f}"
        return line

    def compute(self, x: float, draws: int = 0) -> tuple[str, Figure]:
        return self.describe(x, draws), plot_gelu_gate(x, draws=draws)


def gelu_gate_widget(x: float = -0.5, draws: int = 0) -> GeluGateWidget:
    """GELU as the mean of a random gate at one input: an ``x`` slider (-4 to 4) and a "draw n gates" choice
    (0, 1, 10, ..., 10,000 sampled gates at each x of a grid). End a notebook cell with it."""
    return GeluGateWidget(x, draws)


@lru_cache(maxsize=64)
def block_budget(dim: int, mlp_ratio: float, qkv_bias: bool = True) -> dict[str, int]:
    """``parameter_breakdown`` of ``Block(dim, 1, round(dim * mlp_ratio), qkv_bias=qkv_bias)`` (built on ``meta``:
    no memory)."""
    with torch.device("meta"):
        block = Block(dim, 1, round(dim * mlp_ratio), qkv_bias=bool(qkv_bias))
    return parameter_breakdown(block)


class BlockBudgetWidget(LessonWidget):
    """``dim`` and ``mlp_ratio`` sliders and a ``qkv_bias`` checkbox; one block's parameters by part."""

    def __init__(self, dim: int = 768, mlp_ratio: float = 4.0, qkv_bias: bool = True) -> None:
        controls = {
            "dim": widgets.IntSlider(
                value=dim, min=64, max=max(1536, dim), step=64, description="dim D", continuous_update=False
            ),
            "mlp_ratio": widgets.FloatSlider(
                value=mlp_ratio, min=0.5, max=8.0, step=0.5, description="MLP ratio", continuous_update=False
            ),
            "qkv_bias": widgets.Checkbox(value=bool(qkv_bias), description="qkv bias"),
        }
        super().__init__(controls)

    def describe(self, dim: int, mlp_ratio: float, qkv_bias: bool = True) -> str:
        """The line the widget shows at these settings, without drawing the figure."""
        breakdown = block_budget(dim, mlp_ratio, qkv_bias)
        total = sum(breakdown.values())
        return (
            f"D = {dim}, D_mlp = {round(dim * mlp_ratio)}, qkv bias {'on' if qkv_bias else 'off'}: "
            f"{total:,} parameters per block; MLP {100 * breakdown['mlp'] / total:.1f} %, attention "
            f"{100 * (breakdown['qkv'] + breakdown['proj']) / total:.1f} %"
        )

    def compute(self, dim: int, mlp_ratio: float, qkv_bias: bool = True) -> tuple[str, Figure]:
        breakdown = block_budget(dim, mlp_ratio, qkv_bias)
        title = f"One block, D = {dim}, MLP ratio {mlp_ratio:g}{'' if qkv_bias else ', no qkv bias'}"
        return self.describe(dim, mlp_ratio, qkv_bias), plot_parameter_budget(breakdown, title)


def block_budget_widget(dim: int = 768, mlp_ratio: float = 4.0, qkv_bias: bool = True) -> BlockBudgetWidget:
    """One pre-norm block's parameters by part as ``dim`` (first slider, 64 to 1536), ``mlp_ratio``
    (0.5 to 8) and ``qkv_bias`` (T2T-ViT's blocks have none) change. End a notebook cell with it."""
    return BlockBudgetWidget(dim, mlp_ratio, qkv_bias)


DESIGNS = ("pre-norm", "post-norm")


def _stack_run(
    post_norm: bool, depth: int, seed: int, dim: int = 64
) -> tuple[tuple[float, ...], float, float, tuple, tuple[float, ...]]:
    """:func:`_cached_run` with every argument given, so that ``_stack_run(p, d, s)`` and ``_stack_run(p, d, s, 64)``
    share one cache entry (lru_cache keys on the arguments as passed: the two forms would each run the stack)."""
    return _cached_run(bool(post_norm), int(depth), int(seed), int(dim))


def _rms_norm(tokens: torch.Tensor) -> float:
    """The RMS token norm of ``(..., D)`` tokens: the square root of the mean of ``||x||^2`` over all tokens."""
    return (tokens.detach().norm(dim=-1) ** 2).mean().sqrt().item()


def _rms(values: list[float] | tuple[float, ...]) -> float:
    """Root mean square of per-seed RMS norms: the RMS over tokens and seeds (equal token counts per seed)."""
    return math.sqrt(sum(value * value for value in values) / len(values))


@lru_cache(maxsize=256)
def _cached_run(
    post_norm: bool, depth: int, seed: int, dim: int
) -> tuple[tuple[float, ...], float, float, tuple, tuple[float, ...]]:
    """One run of the random stack, cached so that the lesson's cells and the widget share it: (RMS token norm
    before the first block and after each block, mean squared token norm after the last, last fc2 gradient,
    (RMS norm of the token the head reads with the final LayerNorm, without it, centred), each over the sequences;
    and every block's fc2 gradient norm, block 0 first)."""
    blocks, final_norm, head, tokens, labels = _random_stack(depth, seed, dim, True)
    norms = [_rms_norm(tokens)]
    for block in blocks:
        if post_norm:  # norm(x + branch(x))
            tokens = block.norm1(tokens + block.attn(tokens))
            tokens = block.norm2(tokens + block.mlp(tokens))
        else:  # x + branch(norm(x))
            tokens = tokens + block.attn(block.norm1(tokens))
            tokens = tokens + block.mlp(block.norm2(tokens))
        norms.append(_rms_norm(tokens))
    squared = (tokens.detach().norm(dim=-1) ** 2).mean().item()
    with torch.no_grad():  # token 0, the one the head reads: through the final LayerNorm, as it is, or centred
        first = tokens[:, 0]
        centred = first - first.mean(dim=-1, keepdim=True)
        head_input = tuple(_rms_norm(value) for value in (final_norm(first), first, centred))
    out = tokens if post_norm else final_norm(tokens)
    F.cross_entropy(head(out[:, 0]), labels).backward()
    profile = tuple(block.mlp.fc2.weight.grad.norm().item() for block in blocks)
    return tuple(norms), squared, profile[-1], head_input, profile


def stream_and_gradient(post_norm: bool, depth: int, seed: int, dim: int = 64) -> tuple[list[float], float]:
    """``(stream norms, gradient)`` on the random stack of :func:`vit_explained.norm_placement.last_fc2_gradient`
    (same arguments, same numbers): the RMS token norm of the residual stream before the first block and after
    each block (pre-norm: before the final LayerNorm; post-norm: after each block's last norm), ``depth + 1``
    values, and the gradient norm at the last block's ``fc2`` weight. Cached (one run per stack)."""
    norms, _, gradient, _, _ = _stack_run(post_norm, depth, seed, dim)
    return list(norms), gradient


def depth_experiment(
    depths: tuple[int, ...], seeds: tuple[int, ...]
) -> tuple[dict[str, dict[int, list[float]]], dict[int, list[float]]]:
    """The lesson's depth experiment from the same cached runs as the widget: ``gradients_by_depth(depths, seeds)``
    and ``stream_norms_by_depth(depths, seeds, squared=True)`` of :mod:`vit_explained.norm_placement`, in their
    formats, each stack run once for the lesson's cells and :func:`residual_stream_widget` together."""
    designs = {
        design: {depth: [_stack_run(design == "post-norm", depth, seed)[2] for seed in seeds] for depth in depths}
        for design in ("post-norm", "pre-norm")
    }
    squared = {depth: [_stack_run(False, depth, seed)[1] for seed in seeds] for depth in depths}
    return designs, squared


def cached_gradient_profiles(depth: int, seeds: tuple[int, ...]) -> dict[str, list[list[float]]]:
    """:func:`vit_explained.norm_placement.gradient_profiles` (every block's fc2 gradient, both designs, one list
    per seed; the same numbers) read from the cached runs of :func:`depth_experiment`: no stack is run twice."""
    return {
        design: [list(_stack_run(design == "post-norm", depth, seed)[4]) for seed in seeds]
        for design in ("post-norm", "pre-norm")
    }


@lru_cache(maxsize=4)
def depth_profiles(
    depths: tuple[int, ...] = (2, 4, 8, 16), seeds: tuple[int, ...] = (0, 1, 2)
) -> dict[str, dict[int, tuple[list[float], list[float]]]]:
    """``{design: {depth: (stream RMS token norms after each block, RMS over seeds; last fc2 gradient, one per seed)}}``
    from :func:`stream_and_gradient`, for ``"pre-norm"`` and ``"post-norm"``; computed once per argument."""
    profiles: dict[str, dict[int, tuple[list[float], list[float]]]] = {}
    for design in DESIGNS:
        profiles[design] = {}
        for depth in depths:
            runs = [stream_and_gradient(design == "post-norm", depth, seed) for seed in seeds]
            norms = [_rms(values) for values in zip(*(run[0] for run in runs), strict=True)]
            profiles[design][depth] = (norms, [run[1] for run in runs])
    return profiles


def head_input_norms(design: str, depth: int, seeds: tuple[int, ...]) -> tuple[float, float]:
    """The RMS norm of token 0, the token the head reads, after ``depth`` blocks of ``design``: through the final
    LayerNorm and without it (the stream itself), each over the sequences and ``seeds`` (cached runs of the stack)."""
    runs = [_stack_run(design == "post-norm", depth, seed)[3][:2] for seed in seeds]
    return tuple(_rms(values) for values in zip(*runs, strict=True))


def fixed_head_norms(depth: int, seeds: tuple[int, ...]) -> tuple[float, float]:
    """The norm of token 0 after ``depth`` pre-norm blocks and the ablation's ``fixed`` and ``centred_fixed`` final
    steps (the stream's token divided by :data:`~vit_explained.norm_placement.FIXED_NORM`; centred, then divided),
    each the RMS over the sequences and ``seeds`` (cached runs of the stack)."""
    runs = [_stack_run(False, depth, seed)[3] for seed in seeds]
    return tuple(_rms([run[index] for run in runs]) / FIXED_NORM for index in (1, 2))


class ResidualStreamWidget(LessonWidget):
    """A ``depth`` slider, a pre-norm / post-norm toggle and a final-LayerNorm on / off toggle over
    :func:`depth_profiles`; the line says what the head reads in either case (:func:`head_input_norms`)."""

    def __init__(
        self,
        depth: int = 16,
        design: str = "pre-norm",
        depths: tuple[int, ...] = (2, 4, 8, 16),
        final_norm: str = "on",
        seeds: tuple[int, ...] = (0, 1, 2),
        without_final_norm: dict[int, list[float]] | None = None,
        arms: dict[str, dict[int, list[float]]] | None = None,
    ) -> None:
        self.profiles = depth_profiles(tuple(depths), tuple(seeds))
        arms = dict(arms or {})  # the ablation's arms; the lesson passes the ones it measured
        if without_final_norm is not None:
            arms["none"] = without_final_norm
        missing = tuple(name for name in ("none", "fixed", "centred_fixed") if name not in arms)
        if missing:
            arms.update(final_norm_ablation(depths, seeds, names=missing))
        self.arms = {name: {d: list(arms[name][d]) for d in depths} for name in ("none", "fixed", "centred_fixed")}
        self.without_final_norm = self.arms["none"]
        self.fixed_heads = {d: fixed_head_norms(d, tuple(seeds)) for d in depths}  # {depth: (fixed, centred_fixed)}
        controls = {
            "depth": widgets.SelectionSlider(
                options=list(depths), value=depth, description="depth L", continuous_update=False
            ),
            "design": widgets.ToggleButtons(options=list(DESIGNS), value=design, description="norm"),
            "final_norm": widgets.ToggleButtons(options=list(FINAL_STEPS), value=final_norm, description="final step"),
        }
        self.head_norms = {  # {design: {depth: (token 0's norm with the final LayerNorm, without), mean of seeds}}
            name: {d: head_input_norms(name, d, tuple(seeds)) for d in depths} for name in self.profiles
        }
        super().__init__(controls)

    def describe(self, depth: int, design: str, final_norm: str = "on") -> str:
        """The line the widget shows at these settings, without drawing the figure."""
        if design not in self.profiles:
            raise ValueError(f"design must be one of {list(self.profiles)}, got {design!r}")
        if final_norm not in FINAL_STEPS:
            raise ValueError(f"final_norm must be one of {list(FINAL_STEPS)}, got {final_norm!r}")
        norms, gradients = self.profiles[design][depth]
        asked = final_norm
        if design == "post-norm":
            final_norm = "off"  # post-norm has no final LayerNorm (the ablation changes pre-norm's final step)
        if design == "pre-norm" and final_norm != "on":  # the picture's gradient: that ablation arm
            gradients = self.arms["none" if final_norm == "off" else final_norm][depth]
        with_norm, without = self.head_norms[design][depth]
        fixed, centred = self.fixed_heads[depth]
        head = {
            "on": f"final LayerNorm on: the head reads token 0 at norm {with_norm:.1f}",
            "off": f"final LayerNorm off: the head reads the stream's token 0 itself, norm {without:.1f}",
            "fixed": f"final step 'fixed': the head reads token 0 / {FIXED_NORM}, norm {fixed:.1f}",
            "centred_fixed": f"final step 'centred_fixed': the head reads token 0 centred / {FIXED_NORM}, "
            f"norm {centred:.1f}",
        }[final_norm]
        if design == "post-norm":
            head = (
                "post-norm: no final LayerNorm (the last norm2 is the last step): the head reads token 0 at norm "
                f"{without:.1f}"
            )
            if asked != "on":  # say that the toggle does nothing here
                head += " (the final-step toggle is for pre-norm only)"
        return (
            f"{design}, L = {depth} block{'s' if depth != 1 else ''}: "
            f"the stream's RMS token norm {norms[0]:.1f} -> {norms[-1]:.1f}; "
            f"last fc2 gradient {sum(gradients) / len(gradients):.2f} (mean of {len(gradients)} seeds); {head}"
        )

    def update(self, change: object = None) -> None:
        """As :meth:`LessonWidget.update`; the final-step toggle is disabled while post-norm is shown (it
        changes pre-norm's final step only)."""
        self.controls["final_norm"].disabled = self.controls["design"].value == "post-norm"
        super().update(change)

    @property
    def final_mean_norm(self) -> float:
        """The stream's RMS token norm after the last block at the depth and design shown (the line's number
        after ``->``, unrounded)."""
        shown = self.values
        return self.profiles[shown["design"]][shown["depth"]][0][-1]

    def compute(self, depth: int, design: str, final_norm: str = "on") -> tuple[str, Figure]:
        line = self.describe(depth, design, final_norm)
        fig = plot_residual_stream(
            self.profiles, design, depth, final_norm, self.head_norms, arms=self.arms, fixed_heads=self.fixed_heads
        )
        fig.set_layout_engine("constrained")  # room for the suptitle
        parts = line.split("; ")  # one line per clause: broken at the semicolons, not mid-phrase
        title = ";\n".join(textwrap.fill(part, 150) for part in parts)
        fig.suptitle(title, fontsize=9)  # the line in the picture too, for a reader of the stored notebook
        return line, fig


def residual_stream_widget(
    depth: int = 16,
    design: str = "pre-norm",
    final_norm: str = "on",
    without_final_norm: dict[int, list[float]] | None = None,
    arms: dict[str, dict[int, list[float]]] | None = None,
    seeds: tuple[int, ...] = (0, 1, 2),
) -> ResidualStreamWidget:
    """Lesson 04's depth experiment, explorable: ``depth`` (first control: 2, 4, 8 or 16 blocks), the norm's
    place (pre-norm or post-norm: the picture draws the chosen one) and the final LayerNorm (on or off: the
    picture shows what the head reads and, for pre-norm, the gradient of the ablation's ``none`` arm,
    ``without_final_norm`` = ``final_norm_ablation(...)["none"]``, computed if not given) or the ablation's ``fixed``
    and ``centred_fixed`` final steps (``arms``: ``{arm: {depth: [per seed]}}``, computed if not given: the lesson
    passes its ablation; ``seeds``: the lesson's), so the ablation can be reproduced by clicking. The widget builds its
    data once and caches it (one run per stack, shared with ``depth_experiment``). End a cell with it."""
    return ResidualStreamWidget(
        depth, design, seeds=tuple(seeds), final_norm=final_norm, without_final_norm=without_final_norm, arms=arms
    )

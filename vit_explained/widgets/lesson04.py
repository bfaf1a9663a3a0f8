"""Lesson 04's widgets: GELU up close, and a block's parameter budget.

- :func:`gelu_widget`: a ``zoom`` slider (first) sets the range ``[-zoom, zoom]`` over which ReLU,
  exact GELU and its tanh approximation are drawn, with the gap between the two GELU forms on a log
  scale; the line gives the largest gap in that range and where it is.
- :func:`block_budget_widget`: ``dim`` (first) and ``mlp_ratio`` sliders build a
  :class:`~vit_explained.Block` on the ``meta`` device; the line gives its parameter count,
  ``12D^2 + 13D`` at ratio 4, and the MLP's share; the picture is the budget by part.
"""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import torch
from matplotlib.figure import Figure

from .. import _checks
from ..block import Block
from ..mlp import gelu
from ..parameters import parameter_breakdown
from ..plotting.lesson04 import plot_gelu_zoom, plot_parameter_budget
from . import LessonWidget

__all__ = ["BlockBudgetWidget", "GeluWidget", "block_budget", "block_budget_widget", "gelu_gap", "gelu_widget"]


def gelu_gap(zoom: float, points: int = 4001) -> tuple[float, float]:
    """``(largest |exact GELU - tanh GELU|, the |x| where it is)`` over ``[-zoom, zoom]`` (float64)."""
    zoom = _checks.positive_number("zoom", zoom, example="4: the plot spans [-zoom, zoom]")
    x = torch.linspace(-zoom, zoom, points, dtype=torch.float64)
    gap = (gelu(x) - gelu(x, "tanh")).abs()
    worst = int(gap.argmax())
    return gap[worst].item(), abs(x[worst].item())


class GeluWidget(LessonWidget):
    """A ``zoom`` slider over ReLU, GELU and its tanh approximation."""

    def __init__(self, zoom: float = 4.0) -> None:
        slider = widgets.FloatLogSlider(
            value=zoom, base=2, min=-4, max=3, step=0.25, description="zoom", continuous_update=False
        )
        super().__init__({"zoom": slider})

    def describe(self, zoom: float) -> str:
        """The line the widget shows at ``zoom``, without drawing the figure."""
        gap, where = gelu_gap(zoom)
        return f"x in [-{zoom:.3g}, {zoom:.3g}]: largest |exact - tanh| = {gap:.2e} at |x| = {where:.3g}"

    def compute(self, zoom: float) -> tuple[str, Figure]:
        return self.describe(zoom), plot_gelu_zoom(zoom)


def gelu_widget(zoom: float = 4.0) -> GeluWidget:
    """ReLU, exact GELU and the tanh approximation over ``[-zoom, zoom]``; the ``zoom`` slider (first)
    goes from 1/16 to 8. End a notebook cell with it."""
    return GeluWidget(zoom)


@lru_cache(maxsize=64)
def block_budget(dim: int, mlp_ratio: float) -> dict[str, int]:
    """``parameter_breakdown`` of ``Block(dim, 1, round(dim * mlp_ratio))`` (built on ``meta``: no memory)."""
    with torch.device("meta"):
        block = Block(dim, 1, round(dim * mlp_ratio))
    return parameter_breakdown(block)


class BlockBudgetWidget(LessonWidget):
    """``dim`` and ``mlp_ratio`` sliders; one block's parameters by part."""

    def __init__(self, dim: int = 768, mlp_ratio: float = 4.0) -> None:
        controls = {
            "dim": widgets.IntSlider(
                value=dim, min=64, max=max(1536, dim), step=64, description="dim D", continuous_update=False
            ),
            "mlp_ratio": widgets.FloatSlider(
                value=mlp_ratio, min=0.5, max=8.0, step=0.5, description="MLP ratio", continuous_update=False
            ),
        }
        super().__init__(controls)

    def describe(self, dim: int, mlp_ratio: float) -> str:
        """The line the widget shows at these settings, without drawing the figure."""
        breakdown = block_budget(dim, mlp_ratio)
        total = sum(breakdown.values())
        return (
            f"D = {dim}, D_mlp = {round(dim * mlp_ratio)}: {total:,} parameters per block; "
            f"MLP {100 * breakdown['mlp'] / total:.1f}%, attention "
            f"{100 * (breakdown['qkv'] + breakdown['proj']) / total:.1f}%"
        )

    def compute(self, dim: int, mlp_ratio: float) -> tuple[str, Figure]:
        breakdown = block_budget(dim, mlp_ratio)
        title = f"One block, D = {dim}, MLP ratio {mlp_ratio:g}"
        return self.describe(dim, mlp_ratio), plot_parameter_budget(breakdown, title)


def block_budget_widget(dim: int = 768, mlp_ratio: float = 4.0) -> BlockBudgetWidget:
    """One pre-norm block's parameters by part as ``dim`` (first slider, 64 to 1536) and ``mlp_ratio``
    (0.5 to 8) move. End a notebook cell with it."""
    return BlockBudgetWidget(dim, mlp_ratio)

"""Lesson 07's widget: the T2T chain for any image size and split configuration.

``height`` (first) and ``width`` sliders set the image, ``splits`` picks a chain of soft splits
(T2T-ViT's own, or a variant). The input channels change only the first tokens' length, not any
grid or attention cost, so they are not a control. :func:`vit_explained.t2t_chain`
follows the image through the splits; the line lists the grids and token counts, then locality: the side of the
square of pixels one interior final token sees (31 for T2T's chain) and each split's overlap. The picture draws,
first, the chain's windows of one final token nested on a digit, its receptive field in red; then the
tokens and attention-matrix entries of every stage (each token transformer has one 1-head
attention layer; the backbone, T2T-ViT-14's, has 14 layers of 6 heads).
"""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from ..cost import attention_cost
from ..data import load_digits
from ..plotting.lesson07 import plot_chain_locality
from ..t2t import T2T_SPLITS, SplitStage, t2t_chain
from . import LessonWidget

__all__ = ["SPLIT_CHAINS", "T2TChainWidget", "chain_summary", "locality_summary", "t2t_chain_widget"]

#: The chains of (kernel, stride, padding) the ``splits`` dropdown offers.
SPLIT_CHAINS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)": T2T_SPLITS,
    "no overlap: (4,4,0) (2,2,0) (2,2,0)": ((4, 4, 0), (2, 2, 0), (2, 2, 0)),
    "two splits: (7,4,2) (7,4,2)": ((7, 4, 2), (7, 4, 2)),
    "four splits: (3,2,1) x 4": ((3, 2, 1),) * 4,
}
BACKBONE_DEPTH, BACKBONE_HEADS, BACKBONE_DIM = 14, 6, 384
DIGIT_SIDE = 64  # the locality panel's digit: large enough for every chain's field (31 pixels at most)


@lru_cache(maxsize=1)
def _digit() -> torch.Tensor:
    """The first validation eight of scikit-learn's digits, enlarged from 8x8 to ``DIGIT_SIDE`` (bilinear)."""
    digits = load_digits()
    eight = digits.val_images[int((digits.val_labels == 8).nonzero()[0, 0])]
    return F.interpolate(eight[None], size=DIGIT_SIDE, mode="bilinear", align_corners=False)[0].clamp(0, 1)


def chain_summary(stages: list[SplitStage]) -> str:
    """``"224x224 -> 56x56 = 3136 -> 28x28 = 784 -> 14x14 = 196 tokens"``."""
    first = stages[0]
    grids = " -> ".join(f"{s.grid.rows}x{s.grid.cols} = {s.grid.total}" for s in stages)
    return f"{first.in_height}x{first.in_width} -> {grids} tokens"


def _receptive_field(splits: tuple[tuple[int, int, int], ...]) -> int:
    """Side of the square of pixels an interior final token sees through the soft splits alone: each split
    widens it by ``(kernel - 1)`` times the spacing of its input tokens in pixels (the earlier strides' product)."""
    field, spacing = 1, 1
    for kernel, stride, _ in splits:
        field, spacing = field + (kernel - 1) * spacing, spacing * stride
    return field


def locality_summary(splits: tuple[tuple[int, int, int], ...]) -> str:
    """``"one final token sees a 31 x 31 pixel square; neighbouring windows overlap by 3 px, 1, 1 tokens"``."""
    overlaps = [kernel - stride for kernel, stride, _ in splits]
    units = ", ".join(
        f"{overlap} {'px' if number == 0 else 'token' if overlap == 1 else 'tokens'}"
        for number, overlap in enumerate(overlaps)
    )
    side = _receptive_field(splits)
    return f"an interior final token sees a {side} x {side} pixel square; windows overlap by {units} (kernel - stride)"


class T2TChainWidget(LessonWidget):
    """Sliders for the image size, a dropdown for the chain of splits."""

    def __init__(self, height: int, width: int, splits: str) -> None:
        def slider(name: str, value: int) -> widgets.IntSlider:
            return widgets.IntSlider(
                value=value, min=16, max=max(512, value), step=4, description=name, continuous_update=False
            )

        controls = {
            "height": slider("height", height),
            "width": slider("width", width),
            "splits": widgets.Dropdown(options=list(SPLIT_CHAINS), value=splits, description="splits"),
        }
        super().__init__(controls, rows=2)

    def compute(self, height: int, width: int, splits: str) -> tuple[str, Figure]:
        if splits not in SPLIT_CHAINS:
            raise ValueError(f"splits must be one of {list(SPLIT_CHAINS)}, got {splits!r}")
        stages = t2t_chain(height, width, 3, splits=SPLIT_CHAINS[splits])  # grids do not depend on channels
        names = [f"T2T transformer {i}" for i in range(1, len(stages))] + ["backbone (14 layers)"]
        tokens = [stage.grid.total for stage in stages[:-1]] + [stages[-1].grid.total + 1]
        costs = [attention_cost(n, 64, 1) for n in tokens[:-1]]
        costs.append(attention_cost(tokens[-1], BACKBONE_DIM, BACKBONE_HEADS))
        layers = [1] * (len(stages) - 1) + [BACKBONE_DEPTH]
        entries = [cost.matrix_entries for cost in costs]
        line = (
            f"{chain_summary(stages)}; the backbone sees {tokens[-1]} with the class token; "
            f"{locality_summary(SPLIT_CHAINS[splits])}"
        )
        title = f"splits {SPLIT_CHAINS[splits]}: locality (left), cost for a {height}x{width} image (right)"
        cost = (names, tokens, entries, layers)
        return line, plot_chain_locality(_digit(), SPLIT_CHAINS[splits], cost, title=title)


def t2t_chain_widget(
    height: int = 224, width: int = 224, splits: str = "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)"
) -> T2TChainWidget:
    """The T2T chain explorer: ``height`` (first slider) and ``width`` from 16 to 512 and a ``splits``
    dropdown (:data:`SPLIT_CHAINS`). End a notebook cell with it."""
    return T2TChainWidget(height, width, splits)

"""Lesson 07's widget: the T2T chain for any image size and split configuration.

``height`` (first) and ``width`` sliders set the image, ``splits`` picks a chain of soft splits
(T2T-ViT's own, a variant, or ``"custom"``: the first ``number`` of the ``k1, s1, p1, ..., k4, s4, p4`` sliders,
any kernel 1-9, stride 1-8, padding below the kernel). The input channels change only the first tokens' length, not any
grid or attention cost, so they are not a control. :func:`vit_explained.t2t_chain`
follows the image through the splits; the line lists the grids and token counts, then locality: the side of the
square of pixels one interior final token sees through the soft splits (31 for T2T's chain; shown only when the
``show_field`` box, off at first, is ticked: it is exercise 1's answer) and each split's overlap. The picture draws,
first, the chain's windows of one final token nested on a digit, its receptive field in red; then the
tokens and the attention-matrix entries of every stage (each token transformer has one 1-head
attention layer; the backbone, T2T-ViT-14's, has 14 layers of 6 heads). ``token_layers`` picks the T2T paper's
two token modules: ``"transformer"`` (T2T-ViT_t-14, an ``N x N`` matrix per layer) or ``"performer"``
(T2T-ViT-14, whose ``Token_performer`` stores two ``N x m`` random-feature maps, phi(q) and phi(k), counted as
``2 N m``; ``m`` = :data:`PERFORMER_FEATURES`).
``fold`` (0 = off) draws, next to the windows, the re-structurization after that split: the digit's tokens after
it, one value each (the window's mean pixel), reshaped back into their 2-D grid
(:func:`vit_explained.plotting.lesson07.restructured_map`); only splits followed by a token layer fold back.
"""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from ..cost import attention_cost
from ..data import load_digits
from ..plotting.lesson07 import PERFORMER_FEATURES, plot_chain_locality, restructured_map
from ..t2t import T2T_SPLITS, SplitStage, t2t_chain
from . import LessonWidget

__all__ = [
    "CUSTOM", "FOLD_OPTIONS", "PERFORMER_FEATURES", "SPLIT_CHAINS", "TOKEN_LAYERS", "T2TChainWidget", "chain_summary",
    "coverage_summary", "locality_summary", "t2t_chain_widget",
]  # fmt: skip

#: The chains of (kernel, stride, padding) the ``splits`` dropdown offers.
SPLIT_CHAINS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)": T2T_SPLITS,
    "no overlap: (4,4,0) (2,2,0) (2,2,0)": ((4, 4, 0), (2, 2, 0), (2, 2, 0)),
    "two splits: (7,4,2) (7,4,2)": ((7, 4, 2), (7, 4, 2)),
    "four splits: (3,2,1) x 4": ((3, 2, 1),) * 4,
}
#: The ``fold back`` dropdown: off (0), or the split after which the re-structurized 2-D map is drawn.
FOLD_OPTIONS = (("off", 0), ("after split 1", 1), ("after split 2", 2), ("after split 3", 3))
#: The ``splits`` choice that reads the chain from the sliders.
CUSTOM = "custom: the k, s, p sliders"
MAX_SPLITS, MAX_KERNEL, MAX_STRIDE = 4, 9, 8
BACKBONE_DEPTH, BACKBONE_HEADS, BACKBONE_DIM = 14, 6, 384
#: The ``token_layers`` toggle: the T2T paper's token transformer (T2T-ViT_t) or its Performer (T2T-ViT).
TOKEN_LAYERS = ("transformer", "performer")
#: The locality panel's digit side: wider than every preset chain's field (31 pixels); a custom chain whose field
#: is wider than the digit gets no picture, only the text line.
DIGIT_SIDE = 64


@lru_cache(maxsize=1)
def _digit() -> torch.Tensor:
    """The eight the lesson follows (the third training eight of scikit-learn's digits), enlarged from 8x8 to
    ``DIGIT_SIDE`` (bilinear)."""
    digits = load_digits()
    eight = digits.train_images[digits.train_labels == 8][2]
    return F.interpolate(eight[None], size=DIGIT_SIDE, mode="bilinear", align_corners=False)[0].clamp(0, 1)


def chain_summary(stages: list[SplitStage]) -> str:
    """``"224x224 -> 56x56 = 3136 -> 28x28 = 784 -> 14x14 = 196 tokens"``."""
    first = stages[0]
    grids = " -> ".join(f"{s.grid.rows}x{s.grid.cols} = {s.grid.total}" for s in stages)
    unit = "token" if stages[-1].grid.total == 1 else "tokens"  # a 1x1 final grid: "1x1 = 1 token"
    return f"{first.in_height}x{first.in_width} -> {grids} {unit}"


def _receptive_field(splits: tuple[tuple[int, int, int], ...]) -> int:
    """Side of the square of pixels an interior final token sees through the soft splits alone: each split
    widens it by ``(kernel - 1)`` times the spacing of its input tokens in pixels (the earlier strides' product)."""
    field, spacing = 1, 1
    for kernel, stride, _ in splits:
        field, spacing = field + (kernel - 1) * spacing, spacing * stride
    return field


def _field_rows(splits: tuple[tuple[int, int, int], ...]) -> set[int]:
    """The pixel rows (relative) one interior final token reads, split by split back from the last: a stride
    above the kernel leaves rows out, so the set can have gaps."""
    rows = {0}
    for kernel, stride, padding in reversed(splits):
        rows = {row * stride - padding + i for row in rows for i in range(kernel)}
    return rows


def locality_summary(
    splits: tuple[tuple[int, int, int], ...], final_grid: tuple[int, int] | None = None, show_field: bool = True
) -> str:
    """``"through the soft splits, an interior final token sees a 31 x 31 pixel square; windows overlap by 3 px,
    1 token, 1 token (kernel - stride)"`` (the token transformers' attention reaches every pixel: section 2);
    ``"a 12 x 12 span with gaps"`` when a stride exceeds its kernel, and a note when ``final_grid`` (rows,
    cols) is smaller than 3 x 3, so that no final token is interior. ``show_field=False`` leaves the side out
    (exercise 1 asks for it)."""
    overlaps = [kernel - stride for kernel, stride, _ in splits]
    units = ", ".join(
        f"{overlap} {'px' if number == 0 else 'token' if abs(overlap) == 1 else 'tokens'}{' (a gap)' * (overlap < 0)}"
        for number, overlap in enumerate(overlaps)
    )
    side = _receptive_field(splits)
    rows = _field_rows(splits)
    shape = "pixel square" if len(rows) == side else "span with gaps"
    sees = f"through the soft splits, an interior final token sees a {side} x {side} {shape}"
    if final_grid is not None and min(final_grid) < 3:
        rows, cols = final_grid
        sees = f"the final grid is {rows}x{cols}: no interior token (one would see a {side} x {side} {shape})"
    if not show_field:  # exercise 1's answer: the side stays out of the line
        hidden = "field hidden (tick show field after exercise 1)"
        sees = f"{sees.split(' (one would')[0]}; {hidden}" if sees.startswith("the final grid") else hidden
    return f"{sees}; windows overlap by {units} (kernel - stride)"


def _uncovered(size: int, kernel: int, stride: int, padding: int) -> int:
    """How many of ``size`` input rows no window of the split touches (window ``j`` covers rows
    ``j * stride - padding`` to ``j * stride - padding + kernel - 1``)."""
    windows = (size + 2 * padding - kernel) // stride + 1
    covered = {j * stride - padding + i for j in range(windows) for i in range(kernel)}
    return sum(row not in covered for row in range(size))


def coverage_summary(stages: list[SplitStage]) -> str:
    """``"every pixel and token lies in a window"``, or which split leaves how many input rows and columns
    out (a stride above the kernel skips some; the last window can stop short of the edge)."""
    missed = []
    for number, stage in enumerate(stages, start=1):
        rows = _uncovered(stage.in_height, stage.kernel, stage.stride, stage.padding)
        cols = _uncovered(stage.in_width, stage.kernel, stage.stride, stage.padding)
        if rows or cols:
            unit = "px" if number == 1 else "tokens"
            size = f"{stage.in_height}x{stage.in_width}"
            missed.append(f"split {number} misses {rows} rows and {cols} columns ({unit}) of {size}")
    return "coverage: " + ("; ".join(missed) if missed else "every pixel and token lies in a window")


def _custom_chain(number: int, sliders: dict[str, int]) -> tuple[tuple[int, int, int], ...]:
    """The first ``number`` (k, s, p) triples of the sliders, checked: padding below the kernel."""
    if not 1 <= number <= MAX_SPLITS:
        raise ValueError(f"number of splits must be 1 to {MAX_SPLITS}, got {number}")
    chain = tuple((sliders[f"k{i}"], sliders[f"s{i}"], sliders[f"p{i}"]) for i in range(1, number + 1))
    for i, (kernel, stride, padding) in enumerate(chain, start=1):
        if not (1 <= kernel <= MAX_KERNEL and 1 <= stride <= MAX_STRIDE and 0 <= padding < kernel):
            raise ValueError(
                f"split {i}: need 1 <= k <= {MAX_KERNEL}, 1 <= s <= {MAX_STRIDE}, 0 <= p < k;"
                f" got k={kernel}, s={stride}, p={padding}"
            )
    return chain


class T2TChainWidget(LessonWidget):
    """Sliders for the image size, a dropdown for the chain of splits, and (for ``"custom"``) the number of
    splits and each split's kernel, stride and padding."""

    def __init__(
        self,
        height: int,
        width: int,
        splits: str,
        custom: tuple[tuple[int, int, int], ...] = T2T_SPLITS,
        token_layers: str = "transformer",
    ) -> None:
        def slider(name: str, value: int, low: int = 16, high: int = 512, step: int = 4) -> widgets.IntSlider:
            return widgets.IntSlider(
                value=value, min=low, max=max(high, value), step=step, description=name, continuous_update=False
            )

        number = len(tuple(custom))
        custom = tuple(custom) + ((3, 2, 1),) * (MAX_SPLITS - number)  # unused rows start at (3, 2, 1)
        controls = {
            "height": slider("height", height),
            "width": slider("width", width),
            "splits": widgets.Dropdown(options=[*SPLIT_CHAINS, CUSTOM], value=splits, description="splits"),
            "token_layers": widgets.ToggleButtons(options=TOKEN_LAYERS, value=token_layers, description="token layers"),
            "number": slider("number", number, 1, MAX_SPLITS, 1),
            "show_field": widgets.Checkbox(value=False, description="show field"),
            "fold": widgets.Dropdown(options=FOLD_OPTIONS, value=0, description="fold back"),
        }
        for i, (kernel, stride, padding) in enumerate(custom[:MAX_SPLITS], start=1):
            controls[f"k{i}"] = slider(f"k{i}", kernel, 1, MAX_KERNEL, 1)
            controls[f"s{i}"] = slider(f"s{i}", stride, 1, MAX_STRIDE, 1)
            controls[f"p{i}"] = slider(f"p{i}", padding, 0, MAX_KERNEL - 1, 1)
        super().__init__(controls, rows=MAX_SPLITS + 1)

    def update(self, change: object = None) -> None:
        """As :meth:`LessonWidget.update`; the k, s, p sliders are enabled only for ``"custom"``, and only
        for the splits in use."""
        number = self.controls["number"].value
        custom = self.controls["splits"].value == CUSTOM
        self.controls["number"].disabled = not custom
        for i in range(1, MAX_SPLITS + 1):
            for name in "ksp":
                self.controls[f"{name}{i}"].disabled = not custom or i > number
        super().update(change)

    def compute(
        self,
        height: int,
        width: int,
        splits: str,
        number: int = 3,
        token_layers: str = "transformer",
        show_field: bool = True,
        fold: int = 0,
        **sliders: int,
    ) -> tuple[str, Figure]:
        if splits == CUSTOM:
            chain = _custom_chain(number, sliders)
        elif splits in SPLIT_CHAINS:
            chain = SPLIT_CHAINS[splits]
        else:
            raise ValueError(f"splits must be one of {[*SPLIT_CHAINS, CUSTOM]}, got {splits!r}")
        if token_layers not in TOKEN_LAYERS:
            raise ValueError(f"token_layers must be one of {TOKEN_LAYERS}, got {token_layers!r}")
        performer = token_layers == "performer"
        stages = t2t_chain(height, width, 3, splits=chain)  # grids do not depend on channels
        names = [f"T2T {token_layers} {i}" for i in range(1, len(stages))] + ["backbone (14 layers)"]
        tokens = [stage.grid.total for stage in stages[:-1]] + [stages[-1].grid.total + 1]
        # the stored attention terms: a token transformer's N x N matrix; a Token_performer's two N x m feature
        # maps, phi(q) and phi(k) (it never forms N x N)
        entries = [
            2 * n * PERFORMER_FEATURES if performer else attention_cost(n, 64, 1).matrix_entries for n in tokens[:-1]
        ]
        entries.append(attention_cost(tokens[-1], BACKBONE_DIM, BACKBONE_HEADS).matrix_entries)
        layers = [1] * (len(stages) - 1) + [BACKBONE_DEPTH]
        maps = f"two N x {PERFORMER_FEATURES} feature maps"
        token_note = f"; token layers: performer, {maps} instead of N x N" * performer
        line = (
            f"{chain_summary(stages)}; the backbone sees {tokens[-1]} with the class token; "
            f"{locality_summary(chain, (stages[-1].grid.rows, stages[-1].grid.cols), show_field)}; "
            f"{coverage_summary(stages)}{token_note}"
        )
        title = f"splits {chain}: locality (left), cost for a {height}x{width} image (right)"
        cost = (names, tokens, entries, layers)
        folded = None
        if fold and fold >= len(chain):  # the last split feeds the backbone: no token layer, no fold back
            line += f"; fold back: split {fold} is not followed by a token layer in this {len(chain)}-split chain"
        elif fold:
            grid = stages[fold - 1].grid
            folded = (fold, restructured_map(_digit()[0], chain, fold))
            rows, cols = folded[1].shape
            line += (
                f"; fold back after split {fold}: the {DIGIT_SIDE} x {DIGIT_SIDE} digit's {rows * cols} tokens"
                f" reshaped to {rows} x {cols} (this {height}x{width} image's: {grid.rows} x {grid.cols})"
            )
        try:
            return line, plot_chain_locality(_digit(), chain, cost, title=title, show_sides=show_field, folded=folded)
        except ValueError as error:  # a field wider than the digit: the numbers stand, the picture cannot
            return f"{line} (no picture: {error})", None


def t2t_chain_widget(
    height: int = 224,
    width: int = 224,
    splits: str = "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)",
    custom: tuple[tuple[int, int, int], ...] = T2T_SPLITS,
    token_layers: str = "transformer",
) -> T2TChainWidget:
    """The T2T chain explorer: ``height`` (first slider) and ``width`` from 16 to 512, a ``splits`` dropdown
    (:data:`SPLIT_CHAINS`, or :data:`CUSTOM`: the sliders, which start at ``custom``), the ``token_layers``
    toggle (:data:`TOKEN_LAYERS`), a ``show field`` box, off at first, and a ``fold back`` dropdown
    (:data:`FOLD_OPTIONS`, off at first). End a notebook cell with it."""
    return T2TChainWidget(height, width, splits, custom, token_layers)

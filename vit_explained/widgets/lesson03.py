"""Lesson 03's widgets.

:class:`HeadLayoutWidget` is section 1's "Explore: which features each head gets" widget: where a head split
puts each entry of a small qkv output, and which entries each wrong split (a reshape without the permute; an (h three d)
weight read as (three h d)) puts in the wrong slot or panel.

:class:`AttentionWidget` (appendix D): one query's attention on a digit, with and without the 1/sqrt(d)
scale. Pick a query token (0 = the class token, then the 49 patches), a head, a block and a digit; the
picture shows the query's attention weights over the image and its scores before the softmax. The
``scaled`` toggle drops the ``1/sqrt(d)`` scale: the line then counts how many of the head's
query rows put more than 0.9 of their weight on a single key (saturation). The model's queries and keys
are computed once per digit (cached); an update is a few small matrix products and one drawing.

:class:`HeadsWidget` (appendix H): the width D cut into h heads of d = D / h; the attention matrix's
memory grows with h (``h N^2`` entries) while the matrix products' FLOPs stay flat.
"""

from __future__ import annotations

import ipywidgets as widgets
import torch
from matplotlib.figure import Figure

from ..cost import attention_cost
from ..plotting.lesson03 import (
    HEAD_COUNTS,
    HEAD_SPLITS,
    panel_source,
    plot_head_splits,
    plot_heads_cost,
    plot_query_attention,
    qkv_sources,
    split_heads_as,
    token_name,
)
from ..softmax_scale import SATURATED
from ..vit import ViT
from . import LessonWidget

__all__ = [
    "AttentionWidget",
    "HeadLayoutWidget",
    "HeadsWidget",
    "attention_widget",
    "head_layout_widget",
    "heads_widget",
    "queries_and_keys",
]


@torch.no_grad()
def queries_and_keys(model: ViT, image: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``(q, k)`` of every block for one image ``(C, H, W)``: each ``(heads, N + 1, d)``.

    A forward pre-hook on each block's ``attn`` reads the tokens it receives (after ``norm1``);
    ``attn.project_qkv`` turns them into the per-head queries and keys the block uses.
    """
    found: list[tuple[torch.Tensor, torch.Tensor]] = []

    def hook(module, inputs):
        q, k, _ = module.project_qkv(inputs[0])
        found.append((q[0], k[0]))

    handles = [block.attn.register_forward_pre_hook(hook) for block in model.blocks]
    try:
        model(image.unsqueeze(0))
    finally:
        for handle in handles:
            handle.remove()
    return found


class AttentionWidget(LessonWidget):
    """Controls ``query`` (first), ``head``, ``block``, ``digit`` and ``scaled``; see the module docstring."""

    def __init__(
        self,
        model: ViT,
        images: torch.Tensor,
        labels: list[int],
        query: int,
        head: int,
        block: int,
        scaled: bool = True,
    ) -> None:
        self.model = model.eval()
        self.images = images
        self.grid = tuple(model.patch_embedding.grid)
        self._cache: dict[int, list[tuple[torch.Tensor, torch.Tensor]]] = {}
        attn = model.blocks[0].attn
        self.scale = attn.scale
        tokens = self.grid[0] * self.grid[1] + 1
        controls = {
            "query": widgets.IntSlider(
                value=query, min=0, max=tokens - 1, description="query", continuous_update=False
            ),
            "head": widgets.Dropdown(options=list(range(attn.heads)), value=head, description="head"),
            "block": widgets.Dropdown(options=list(range(len(model.blocks))), value=block, description="block"),
            "digit": widgets.Dropdown(
                options=[(f"{index}: a {label}", index) for index, label in enumerate(labels)],
                value=0,
                description="digit",
            ),
            "scaled": widgets.Checkbox(value=bool(scaled), description="scale by 1/sqrt(d)"),
        }
        super().__init__(controls, rows=2)

    def scores(self, digit: int, block: int, head: int, scaled: bool) -> torch.Tensor:
        """The head's scores ``(N + 1, N + 1)``, ``q k^T`` times the scale (or 1)."""
        if digit not in self._cache:
            self._cache[digit] = queries_and_keys(self.model, self.images[digit])
        q, k = self._cache[digit][block]
        return (q[head] @ k[head].T) * (self.scale if scaled else 1.0)

    def saturated_rows(self, digit: int, block: int, head: int, scaled: bool) -> int:
        """How many of the head's query rows put more than :data:`SATURATED` of their weight on one key
        (what the title counts), without drawing anything."""
        weights = self.scores(digit, block, head, scaled).softmax(dim=-1)
        return int((weights.max(dim=-1).values > SATURATED).sum())

    def compute(self, query: int, head: int, block: int, digit: int, scaled: bool) -> tuple[str, Figure]:
        if not 0 <= digit < len(self.images):
            raise ValueError(f"digit must be an index from 0 to {len(self.images) - 1}, got {digit}")
        scores = self.scores(digit, block, head, scaled)
        if not 0 <= query < scores.shape[0]:
            raise ValueError(f"query must be a token index from 0 (class token) to {scores.shape[0] - 1}, got {query}")
        weights = scores.softmax(dim=-1)
        top_weight, top_key = weights[query].max(dim=0)
        saturated = self.saturated_rows(digit, block, head, scaled)
        scale = "scaled by 1/sqrt(d)" if scaled else "no scale"
        cols = self.grid[1]
        line = (
            f"block {block}, head {head}, {scale}: query {token_name(query, cols)} puts {top_weight:.2f} on "
            f"{token_name(int(top_key), cols)}; rows with top weight > {SATURATED}: {saturated} of {scores.shape[0]}"
        )
        fig = plot_query_attention(
            self.images[digit], scores[query], weights[query], self.grid, query, dpi=70,
            title=f"block {block}, head {head}, {scale}: {saturated} of {scores.shape[0]} rows saturated",
        )  # fmt: skip
        return line, fig


def attention_widget(
    model: ViT | None = None,
    images: torch.Tensor | None = None,
    labels: list[int] | None = None,
    *,
    query: int = 25,
    head: int = 0,
    block: int = 0,
    scaled: bool = True,
) -> AttentionWidget:
    """The attention explorer on digits: ``query`` slider (first; 0 = class token), ``head``,
    ``block``, ``digit``, and the ``scaled`` toggle (``scaled=False`` starts without the scale).
    Defaults: the shipped MNIST ViT and the first ten test digits (``images`` ``(B, 1, 28, 28)``,
    ``labels`` their classes)."""
    if model is None:
        from ..pretrained import load_mnist_vit

        model = load_mnist_vit()
    if images is None:
        from ..data import load_mnist

        split = load_mnist()
        images, labels = split.test_images[:10], split.test_labels[:10].tolist()
    if labels is None:
        labels = ["?"] * len(images)
    return AttentionWidget(model, images, list(labels), query, head, block, scaled)


#: token counts the heads explorer offers: ViT-B/16 at 224 and at 384, and T2T-ViT_t's two token stages
TOKEN_COUNTS = (197, 577, 784, 3136)


class HeadsWidget(LessonWidget):
    """Controls ``heads`` (first, a slider over :data:`HEAD_COUNTS`) and ``num_tokens``; the width ``dim``
    is fixed. The line gives ``d = D / h``, the attention matrix's entries and float32 memory per image,
    and the FLOPs of ``q k^T`` and ``weights @ v``, from :func:`vit_explained.cost.attention_cost`."""

    def __init__(self, dim: int = 768, heads: int = 12, num_tokens: int = 197) -> None:
        self.dim = dim
        controls = {
            "heads": widgets.SelectionSlider(
                options=list(HEAD_COUNTS), value=heads, description="heads h", continuous_update=False
            ),
            "num_tokens": widgets.Dropdown(options=list(TOKEN_COUNTS), value=num_tokens, description="tokens N"),
        }
        super().__init__(controls)

    def compute(self, heads: int, num_tokens: int) -> tuple[str, Figure]:
        cost = attention_cost(num_tokens, self.dim, heads)  # raises ValueError when heads does not divide dim
        line = (
            f"D = {self.dim} cut into h = {heads} heads of d = {self.dim // heads}: attention matrix "
            f"{heads} x {num_tokens}^2 = {cost.matrix_entries:,} entries, {cost.matrix_bytes / 1e6:.1f} MB per image "
            f"(float32); q k^T and weights @ v: {cost.matmul_flops / 1e9:.2f} GFLOP at every h"
        )
        return line, plot_heads_cost(self.dim, heads, num_tokens)


def heads_widget(dim: int = 768, heads: int = 12, num_tokens: int = 197) -> HeadsWidget:
    """The heads explorer: ``heads`` slider (first) and ``num_tokens``; ViT-B's width 768 by default."""
    return HeadsWidget(dim, heads, num_tokens)


class HeadLayoutWidget(LessonWidget):
    """Control ``split`` (one of :data:`~vit_explained.plotting.lesson03.HEAD_SPLITS`): how one image's
    fused qkv output ``(N, 3D)`` is cut into ``(3, h, N, d)``. The picture shows which token, role, head
    and feature every cell of every head's q, k, v came from; the line names the damage."""

    def __init__(self, num_tokens: int = 3, dim: int = 8, heads: int = 2, split: str = HEAD_SPLITS[0]) -> None:
        self.num_tokens, self.dim, self.heads = num_tokens, dim, heads
        controls = {"split": widgets.ToggleButtons(options=list(HEAD_SPLITS), value=split, description="split")}
        super().__init__(controls)

    def parts(self, split: str) -> torch.Tensor:
        """``(3, h, N, d, 4)``: (token, role, head, feature) of every entry after ``split``."""
        layout = "h three d" if split == HEAD_SPLITS[2] else "three h d"
        return split_heads_as(qkv_sources(self.num_tokens, self.dim, self.heads, layout), self.heads, split)

    def compute(self, split: str) -> tuple[str, Figure]:
        parts = self.parts(split)
        rows = torch.arange(self.num_tokens).view(1, 1, -1, 1)
        mixed_rows = int((parts[..., 0] != rows).any(-1).sum())
        slots = [(r, h) for r in range(3) for h in range(self.heads)]
        foreign = [(r, h) for r, h in slots if not ((parts[r, h, ..., 1] == r) & (parts[r, h, ..., 2] == h)).all()]
        d = self.dim // self.heads
        sizes = f"D = {self.dim}, h = {self.heads}, d = {d}, N = {self.num_tokens}"
        if not mixed_rows and not foreign:
            damage = "none: each head gets its own d features of q, k and v for every token, as Attention splits them"
        else:
            damage = (
                f"{mixed_rows} of {3 * self.heads * self.num_tokens} token slots hold another token's features"
                + (" (tokens mix)" if mixed_rows else "")
                + f"; {len(foreign)} of {len(slots)} q/k/v panels hold another role's or head's features"
            )
            sources = [f"{'qkv'[r]}{h} <- {panel_source(parts[r, h])}" for r, h in foreign]
            damage += " (each mixes several)" if mixed_rows else ": " + ", ".join(sources)
        return f"{split} ({sizes}): damage {damage}", plot_head_splits(parts, f"{split}: {sizes}")


def head_layout_widget(
    num_tokens: int = 3, dim: int = 8, heads: int = 2, split: str = HEAD_SPLITS[0]
) -> HeadLayoutWidget:
    """The head-layout explorer: ``split`` buttons (starting at ``split``); a qkv output of 3 tokens, D = 8,
    2 heads of d = 4."""
    return HeadLayoutWidget(num_tokens, dim, heads, split)

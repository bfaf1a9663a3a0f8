"""Lesson 05, fix round 18e (review 18d): the derivation widget draws A averaged over heads 0-3 (head 1 alone
collapses onto cls at the peak, the others stay spread), and the wording of cells 16, 22, 26, 37, 50 and 97."""

import math
from pathlib import Path

import torch

from tests import _notebook as nb
from vit_explained.widgets.lesson05 import _block_0_heads, derivation_point, derivation_widget

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "05_where_gradients_flow.ipynb"


def _markdown():
    cells = nb.cells(LESSON) + nb.cells(APPENDIX)
    return " ".join(" ".join("".join(c["source"]).split()) for c in cells if c["cell_type"] == "markdown")


def _row_entropy(a: torch.Tensor) -> torch.Tensor:
    return -(a * torch.log(a.clamp_min(1e-300))).sum(-1) / math.log(a.shape[-1])


def test_widget_picture_is_the_mean_over_heads_and_spread_at_the_peak():
    peak = 10 ** (9 / 8)
    x, _, heads = _block_0_heads()
    by_head = []
    for head in heads:
        scaled = head._replace(w_q=peak * head.w_q, w_k=peak * head.w_k)
        q, k = x[0] @ scaled.w_q.T + scaled.b_q, x[0] @ scaled.w_k.T + scaled.b_k  # image 0, (N, d) each
        by_head.append(torch.softmax(q @ k.T / math.sqrt(q.shape[-1]), dim=-1))
    point = derivation_point(peak)
    torch.testing.assert_close(point.attention, torch.stack(by_head).mean(0))
    assert _row_entropy(point.attention).min() > 0.5  # every row of the picture spread at the peak
    assert derivation_point(100.0).attention.max(-1).values.min() > 0.45  # sharp at c = 100: half on one key
    widget = derivation_widget(c=peak)
    _, fig = widget.compute(**widget.values)
    assert fig.axes[1].get_title() == "A, image 0, mean over heads 0-3"  # 0-based, as the lesson's printed heads


def test_wording_of_round_18e():
    text = _markdown()
    assert "The head width d stays 8; D, the number of heads and the MLP width grow together" in text
    # 19c: the MNIST ViT's ratios move from section 3 to appendix C, where that model is measured
    moved = "the ratio is 1.7 to 2.8, against 8 to 60 at its own starting weights (seed 0) and 8 to 83 over 3 fresh"
    assert moved in " ".join(text.split())
    assert r"$W_q$'s is small while $K$ and $V - \bar V$ are small" in text
    assert "PyTorch's init lowers the ratio 5 to 43 times per block and seed" in text
    assert "except in the top block, which has no MLP above it to cut" in text
    assert "Two sub-predictions fail" in text and "v x 10 also shrinks $dO$ 4.4 times" in text

"""Lesson 05's derivation widget: section 4's hand-derived backward pass in block 0 as W_q and W_k grow."""

import ipywidgets as widgets
import pytest
import torch
import torch.nn.functional as F

from vit_explained.attention_backward import HeadWeights, attention_forward
from vit_explained.widgets.lesson05 import (
    SCALES,
    _batch,
    _block_0_heads,
    derivation_point,
    derivation_widget,
    small_digit_vit,
)


def test_first_control_is_the_c_slider_and_the_line_follows_compute():
    widget = derivation_widget()
    first = next(iter(widget.controls.values()))
    assert isinstance(first, widgets.FloatLogSlider) and list(widget.controls) == ["c", "scale"]
    assert widget.line == widget.compute(**widget.values)[0]
    first.value = 100.0
    assert widget.line == widget.compute(**widget.values)[0] and widget.line.startswith("c = 100 ")
    widget.controls["scale"].value = "no scale"
    assert widget.line == widget.compute(**widget.values)[0]


def test_at_c_1_it_is_section_3s_ratio_for_the_weights_alone():
    point = derivation_point(1.0)
    assert point.entropy > 0.999 and round(point.w_v / point.w_q) == 314  # appendix I's 314
    model = small_digit_vit()  # autograd on the lesson's model: the q and v rows of block 0's qkv.weight
    images, labels = _batch()
    F.cross_entropy(model(images), labels).backward()
    q_rows, _, v_rows = model.blocks[0].attn.qkv.weight.grad.chunk(3)
    assert abs(q_rows.norm().item() / point.w_q - 1) < 1e-3 and abs(v_rows.norm().item() / point.w_v - 1) < 1e-3


@pytest.mark.parametrize("scale", SCALES)
def test_each_point_is_autograds_gradient_of_the_scaled_heads(scale):
    x, d_o, heads = _block_0_heads()
    factor = 10 ** (9 / 8)
    w_q_sq, w_v_sq = 0.0, 0.0
    for h, head in enumerate(heads):
        weights = [(factor * w if i < 2 else w).clone().requires_grad_() for i, w in enumerate(head[:3])]
        out = attention_forward(x, HeadWeights(*weights, *head[3:]), scale=None if scale == SCALES[0] else 1.0)
        grad_q, grad_v = torch.autograd.grad(out, [weights[0], weights[2]], d_o[:, h])
        w_q_sq, w_v_sq = w_q_sq + grad_q.pow(2).sum().item(), w_v_sq + grad_v.pow(2).sum().item()
    point = derivation_point(factor, scale)
    # autograd's gradient is with respect to the scaled W_q, as attention_backward's: the same number
    assert abs(point.w_q / w_q_sq**0.5 - 1) < 1e-9 and abs(point.w_v / w_v_sq**0.5 - 1) < 1e-9


def test_w_q_peaks_while_attention_is_spread_and_falls_once_one_hot():
    start, peak, saturated = (derivation_point(c) for c in (1.0, 10 ** (9 / 8), 100.0))
    assert peak.w_q > 10 * start.w_q and peak.entropy > 0.5
    assert saturated.entropy < 0.05 and saturated.w_q < peak.w_q / 3
    assert all(0.15 < p.w_v < 0.35 for p in (start, peak, saturated))  # W_v's gradient: about the same throughout
    assert saturated.attention.shape == (17, 17) and torch.allclose(
        saturated.attention.sum(-1), torch.ones(17).double()
    )


def test_refuses_a_bad_scale_or_factor():
    with pytest.raises(ValueError, match="scale"):
        derivation_point(1.0, "sqrt(d)")
    with pytest.raises(ValueError, match="factor"):
        derivation_point(0.0)
    assert derivation_widget().compute(c=1.0, scale="1/sqrt(d)")[0].startswith("c = 1 (scores x 1)")


def test_the_slider_updates_on_release():
    assert derivation_widget().controls["c"].continuous_update is False  # one expensive update per move, not per pixel

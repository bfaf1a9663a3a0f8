"""Lesson 04, fix round s: section 1's GELU gate widget (an x slider; Phi(x) as the keep probability)."""

from __future__ import annotations

import math

import torch

from vit_explained.mlp import gelu
from vit_explained.widgets.lesson04 import gelu_gate_widget


def test_line_gives_phi_and_gelu_and_matches_compute() -> None:
    widget = gelu_gate_widget(x=-0.5)
    assert widget.line == widget.compute(**widget.values)[0]
    assert "Phi(x) = 0.309" in widget.line and "GELU(x) = x Phi(x) = -0.154" in widget.line
    assert "ReLU(x) = +0.000" in widget.line


def test_moving_x_changes_line_and_picture() -> None:
    widget = gelu_gate_widget(x=-0.5)
    line, picture = widget.line, widget.picture.value
    widget.controls["x"].value = 2.0
    assert widget.line != line and widget.picture.value != picture
    keep = 0.5 * (1 + math.erf(2.0 / math.sqrt(2)))
    assert f"Phi(x) = {keep:.3f}" in widget.line and f"{2.0 * keep:+.3f}" in widget.line
    exact = gelu(torch.tensor([2.0], dtype=torch.float64)).item()
    assert abs(exact - 2.0 * keep) < 1e-12  # the line's x Phi(x) is the package's GELU


def test_gate_bars_sum_to_one_and_x_outside_range_is_refused() -> None:
    widget = gelu_gate_widget(x=0.0)
    fig = widget.compute(x=0.0)[1]
    heights = [bar.get_height() for bar in fig.axes[1].patches]
    assert heights == [0.5, 0.5]
    widget.controls["x"].value = 4.0
    assert widget.line.startswith("x = +4.0")
    try:
        widget.compute(x=9.0)
    except ValueError as error:
        assert "x must lie in" in str(error)
    else:
        raise AssertionError("x = 9 should be refused")

"""Lesson 08, fix round s: the deletion figure's gap panel, and exercise 3's flat-answer message."""

from __future__ import annotations

import pytest
import torch

from vit_explained.exercises import ExerciseFailed, lesson08
from vit_explained.plotting.lesson08 import plot_deletion_curves


def _curves(rows: int = 6, readings: int = 5) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return {name: torch.rand(rows, readings, generator=generator) for name in ("ink first", "rollout", "greedy")}


def test_gap_panel_draws_each_curve_minus_the_reference_paired():
    curves = _curves()
    fig = plot_deletion_curves(curves, reference="ink first", zoom=0.3, gaps=True)
    assert len(fig.axes) == 3  # the curves, the zoom, the gaps underneath
    gap_ax = fig.axes[-1]
    assert "minus ink first" in gap_ax.get_title() and "paired" in gap_ax.get_title()
    lines = [line for line in gap_ax.get_lines() if len(line.get_xdata()) == 5]
    assert len(lines) == 2  # rollout and greedy; the reference is the line at 0
    for line, name in zip(lines, ("rollout", "greedy"), strict=True):
        expected = (curves[name] - curves["ink first"]).double().mean(0).numpy()
        assert line.get_ydata() == pytest.approx(expected)
    assert len(gap_ax.collections) == 2  # one band per curve
    assert fig.axes[1].get_xlim() == pytest.approx((0, 0.3))  # the zoom is kept


def test_gap_panel_needs_a_reference_and_the_same_images():
    with pytest.raises(ValueError, match="reference"):
        plot_deletion_curves(_curves(), gaps=True)
    curves = _curves()
    curves["rollout"] = curves["rollout"][:4]
    with pytest.raises(ValueError, match="pair the same images"):
        plot_deletion_curves(curves, reference="ink first", gaps=True)


def test_without_gaps_the_figure_is_as_before():
    fig = plot_deletion_curves(_curves(), reference="ink first", zoom=0.3)
    assert len(fig.axes) == 2


def test_exercise_3_flat_answer_names_no_code():
    def flat(weights, rows, cols):
        return weights[:, :, 0, 1:]

    with pytest.raises(ExerciseFailed) as failed:
        lesson08.check_class_token_grid(flat)
    message = str(failed.value)
    assert "still flat" in message and "row by row" in message
    assert ".reshape(" not in message

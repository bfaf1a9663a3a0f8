"""Lesson 01 fix round p: section 6's study helper, the smoothness strip plot, the attention-matrix size."""

from __future__ import annotations

import pytest

from vit_explained.plotting.lesson01 import plot_filter_smoothness
from vit_explained.positional import SHIFT_READINGS, shifted_positions_study
from vit_explained.widgets.lesson01 import token_line


def test_the_study_prints_one_line_per_reading_with_its_detection_count():
    study = shifted_positions_study((7, 7), confidence=0.99)
    lines = study.lines()
    assert len(lines) == len(SHIFT_READINGS) + 1
    assert lines[0].startswith("rows (same row - neither): shifted 0.47 (seeds 0.40..0.62)")
    assert "shifted - no shifts +0.14, 95 % t interval [-0.06, +0.35] over 3 seeds" in lines[0]
    assert lines[0].endswith("detected in 6 of 6 runs") and lines[1].endswith("detected in 0 of 6 runs")
    assert "-0.30, 95 % t interval [-0.54, -0.05]" in lines[2]
    assert lines[3] == "test accuracy after 12 epochs, over the seeds: shifted 74.4 to 78.2 %, control 88.5 to 91.5 %"
    assert str(study) == "\n".join(lines)


def test_the_smoothness_strip_plot_draws_one_dot_per_kernel():
    fig = plot_filter_smoothness(0.2, [0.0, -0.1, 0.05])
    (ax,) = fig.axes
    assert [len(c.get_offsets()) for c in ax.collections] == [3, 1]
    assert "3 random kernels" in ax.get_title()
    with pytest.raises(ValueError, match="at least one"):
        plot_filter_smoothness(0.2, [])


def test_the_token_line_gives_one_heads_attention_matrix():
    assert token_line(224, 16, 768).endswith("attention matrix 197^2 = 38,809 numbers per head")
    assert token_line(224, 32, 768).endswith("attention matrix 50^2 = 2,500 numbers per head")

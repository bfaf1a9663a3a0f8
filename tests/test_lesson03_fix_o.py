"""Lesson 03, fix round o: exercise 4 rejects an in-place transpose of x, exercise 3 names a hard-coded head
width, and the lesson's reworded claims (gradient at d = 1024, the measured SDPA backend, QK-LayerNorm)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import check_attention, check_mha_forward

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "03_attention_shapes.ipynb"


def _lesson_text() -> str:
    return "\n".join("".join(cell["source"]) for cell in json.loads(LESSON.read_text())["cells"])


def test_an_in_place_transpose_of_x_is_rejected():
    def mha_forward(mha, x):
        x.transpose_(0, 1)  # right values, but the caller's x is now (N, B, D)
        return mha(x, x, x, need_weights=False)[0].transpose(0, 1)

    with pytest.raises(ExerciseFailed, match="Not yet: mha_forward changed x in place"):
        check_mha_forward(mha_forward)


def test_a_transpose_that_leaves_x_alone_still_passes(capsys):
    def mha_forward(mha, x):
        t = x.transpose(0, 1)
        return mha(t, t, t, need_weights=False)[0].transpose(0, 1)

    check_mha_forward(mha_forward)
    assert "you fed" in capsys.readouterr().out


def test_a_hard_coded_head_width_is_named_without_code():
    def attention(q, k, v):
        return (q @ k.transpose(-2, -1) / math.sqrt(32)).softmax(-1) @ v

    with pytest.raises(ExerciseFailed, match="the head width is hard-coded; take d from q's shape") as failure:
        check_attention(attention)
    assert "shape[-1]" not in str(failure.value) and "sqrt(" not in str(failure.value)


def test_the_right_scale_still_passes(capsys):
    check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v)
    assert "equals" in capsys.readouterr().out


def test_the_reworded_claims_are_in_the_lesson():
    appendix = LESSON.with_name("03_attention_shapes_appendix.ipynb")  # the studies after the exercises (review r19b)
    text = _lesson_text() + "\n".join("".join(c["source"]) for c in json.loads(appendix.read_text())["cells"])
    # fix round v, reworded in 18a/18b: uneven rows (section 3); review r24e: the measurement instead of "uneven"
    assert "Without it, saturation and the softmax's pass-back depend on $d$ (37 % at 64, 81 % at 1024)" in text
    assert "passes back *more* gradient" in text  # ... more gradient on average (the appendix, since 18b)
    assert "blockwise kernel" in text and "math fallback" in text
    assert "QK-LayerNorm" in text and "Dehghani et al. 2023" in text


def test_the_time_panel_is_greyed():
    from matplotlib.colors import to_rgb

    from vit_explained.plotting.lesson03 import plot_attention_cost
    from vit_explained.profiling import AttentionProfile

    rows = [
        AttentionProfile(n, 64, 1, 1, 1e-3 * n, 1e-3 * n, 8 * n * n, n, 8 * n * n, n, 4 * n * n) for n in (196, 784)
    ]
    time_ax, memory_ax = plot_attention_cost(rows).axes[:2]
    for line in time_ax.lines:  # grey: red = green = blue
        red, green, blue = to_rgb(line.get_color())
        assert red == green == blue
    assert "no claim" in time_ax.get_title()
    assert any(len(set(to_rgb(line.get_color()))) > 1 for line in memory_ax.lines)  # memory keeps its colours

"""Lesson 03, review j: the exercise checkers name the wrong axis and a missing return; the stored training run
with and without the scale is read, compared by seed and drawn; the heads strip gives every head its own shade."""

from __future__ import annotations

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson03 as checks
from vit_explained.plotting.lesson03 import head_shades, plot_attention_cost, plot_heads_cost, plot_scale_training
from vit_explained.profiling import AttentionProfile
from vit_explained.softmax_scale import scale_training_comparison, scale_training_runs, stored_scale_training


def _shapes(batch, num_tokens, dim, heads, extra_tokens=0):
    n, d = num_tokens + extra_tokens, dim // heads
    return {
        "qkv": (batch, n, 3 * dim),
        "qkv_heads": (3, batch, heads, n, d),
        "q": (batch, heads, n, d),
        "scores": (batch, heads, n, n),
        "weights": (batch, heads, n, n),
        "heads_out": (batch, heads, n, d),
        "merged": (batch, n, dim),
        "output": (batch, n, dim),
    }


def test_an_extra_class_token_is_named_on_the_token_axis_not_blamed_on_the_linear():
    with pytest.raises(ExerciseFailed) as failed:
        checks.check_attention_shapes(lambda b, n, dim, h: _shapes(b, n, dim, h, extra_tokens=1))
    message = str(failed.value)
    assert "axis 1, the tokens, is 198" in message and "already counts the class token" in message
    assert "Linear" not in message and "(2, 197, 1152)" not in message  # names the axis, does not give the answer


def test_one_wrong_axis_is_named():
    def wrong_width(b, n, dim, h):
        shapes = _shapes(b, n, dim, h)
        shapes["qkv"] = (b, n, dim)
        return shapes

    with pytest.raises(ExerciseFailed, match=r"axis 2, the 3 \* dim features, is 384; the other axes are right"):
        checks.check_attention_shapes(wrong_width)


def test_split_heads_returning_none_is_told_to_return():
    with pytest.raises(ExerciseFailed) as failed:
        checks.check_split_merge(lambda x, heads: None, lambda x: x)
    message = str(failed.value)
    assert "returned None" in message and "return" in message and "a number also works" not in message


def test_the_stored_training_run_is_complete_and_on_the_validation_split():
    stored = stored_scale_training()
    assert {r["head_dim"] for r in stored["runs"]} == {16, 64} and len(stored["runs"]) == 40  # 10 seeds x 2 arms x 2
    assert all(len(r["val_loss"]) == len(r["val_accuracy"]) == stored["epochs"] for r in stored["runs"])
    assert "test" not in " ".join(stored["runs"][0])  # validation only
    for key in ("val_loss", "val_accuracy"):
        comparison = scale_training_comparison(stored, key)
        assert set(comparison) == {16, 64} and all(c.difference.n == 10 for c in comparison.values())
    curves = scale_training_runs(stored, 64, "unscaled", "val_loss")
    assert len(curves) == 10
    with pytest.raises(ValueError, match="no stored run"):
        scale_training_runs(stored, 32, "scaled", "val_loss")


def test_scale_training_figure_has_a_panel_per_width_and_a_line_per_seed_and_arm():
    fig = plot_scale_training(stored_scale_training())
    assert [ax.get_title() for ax in fig.axes] == ["d = 16 (4 heads), 10 seeds", "d = 64 (1 head), 10 seeds"]
    assert all(len(ax.lines) == 20 for ax in fig.axes)


@pytest.mark.parametrize("heads", [1, 6, 12, 48])
def test_every_head_gets_its_own_shade(heads):
    assert len(set(head_shades(heads))) == heads
    strip = plot_heads_cost(768, heads, 197).axes[0]
    assert len(strip.patches) == heads
    assert [t.get_text() for t in strip.texts] == ([str(h) for h in range(heads)] if heads <= 24 else [])


def test_the_time_panel_has_no_growth_guide():
    rows = [
        AttentionProfile(n, 64, 1, 1, 1e-3 * n, 1e-3 * n, 8 * n * n, n, 8 * n * n, n, 4 * n * n) for n in (196, 784)
    ]
    time_ax = plot_attention_cost(rows).axes[0]
    assert len(time_ax.lines) == 2 and not any("N²" in str(line.get_label()) for line in time_ax.lines)

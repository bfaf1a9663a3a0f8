"""Lesson 04's residual-stream widget: the final-step control also has the ablation's ``fixed`` and
``centred_fixed`` arms, so a reader can reproduce the ablation by clicking (review k)."""

import matplotlib
import pytest
import torch

matplotlib.use("Agg")

from vit_explained.norm_placement import FIXED_NORM, _random_stack, last_fc2_gradient
from vit_explained.plotting.lesson04 import FINAL_STEPS, plot_residual_stream
from vit_explained.widgets.lesson04 import ResidualStreamWidget, depth_profiles, fixed_head_norms


@pytest.fixture(scope="module")
def widget():
    return ResidualStreamWidget(depth=2, design="pre-norm", depths=(1, 2), seeds=(0, 1))


def _picture(widget, **settings):
    _, fig = widget.compute(**{**widget.values, **settings})
    stream_ax, gradient_ax = fig.axes
    lines = [[(line.get_label(), tuple(line.get_ydata())) for line in ax.get_lines()] for ax in fig.axes]
    return lines, (stream_ax.get_ylim(), gradient_ax.get_ylim())


def test_the_controls_keep_depth_first_and_offer_the_four_final_steps(widget):
    assert list(widget.controls) == ["depth", "design", "final_norm"]  # the browser test moves the first
    assert tuple(widget.controls["final_norm"].options) == FINAL_STEPS == ("on", "off", "fixed", "centred_fixed")


def test_the_fixed_arms_are_the_ablations_gradients(widget):
    for name in ("fixed", "centred_fixed"):
        for depth in (1, 2):
            assert widget.arms[name][depth] == [last_fc2_gradient(False, depth, s, final_norm=name) for s in (0, 1)]
    given = ResidualStreamWidget(
        depth=2,
        depths=(1, 2),
        seeds=(0, 1),
        arms={name: {1: [9.0], 2: [8.0]} for name in ("none", "fixed", "centred_fixed")},
    )
    assert given.arms["fixed"] == {1: [9.0], 2: [8.0]}  # the lesson passes the arms it measured: no rerun


def test_the_head_reads_the_stream_divided_by_the_constant(widget):
    fixed, centred = fixed_head_norms(2, (0, 1))
    assert abs(fixed - widget.head_norms["pre-norm"][2][1] / FIXED_NORM) < 1e-9
    expected = []
    for seed in (0, 1):  # the centred token, recomputed from the stack
        blocks, _, _, tokens, _ = _random_stack(2, seed, 64, True)
        with torch.no_grad():
            for block in blocks:
                tokens = tokens + block.attn(block.norm1(tokens))
                tokens = tokens + block.mlp(block.norm2(tokens))
            first = tokens[:, 0]
            centred_norms = (first - first.mean(-1, keepdim=True)).norm(dim=-1)
            expected.append((centred_norms**2).mean().sqrt().item() / FIXED_NORM)
    assert abs(centred - (sum(value**2 for value in expected) / 2) ** 0.5) < 1e-5 and centred < fixed  # RMS over seeds


@pytest.mark.parametrize("step", ["fixed", "centred_fixed"])
def test_each_fixed_step_changes_the_picture_and_the_line(widget, step):
    (_stream_on, gradient_on), scales = _picture(widget, depth=2, design="pre-norm", final_norm="on")
    (stream, gradient), other_scales = _picture(widget, depth=2, design="pre-norm", final_norm=step)
    assert other_scales == scales  # the axes stay put
    head = [y for label, y in stream if label.startswith("the head reads")]
    assert head == [(widget.fixed_heads[2][0 if step == "fixed" else 1],)]
    means = tuple(sum(widget.arms[step][d]) / 2 for d in (1, 2))
    assert gradient[0][1] == means and f"ablation arm '{step}'" in gradient[0][0] and gradient != gradient_on
    line, _ = widget.compute(depth=2, design="pre-norm", final_norm=step)
    assert f"last fc2 gradient {sum(widget.arms[step][2]) / 2:.2f}" in line and f"final step '{step}'" in line
    assert widget.describe(2, "pre-norm", step) == line


def test_post_norm_reads_the_fixed_steps_as_no_final_step(widget):
    for step in ("fixed", "centred_fixed"):
        assert widget.describe(2, "post-norm", step) == widget.describe(2, "post-norm", "off")
        assert _picture(widget, depth=2, design="post-norm", final_norm=step) == _picture(
            widget, depth=2, design="post-norm", final_norm="off"
        )
    with pytest.raises(ValueError, match="final_norm must be one of"):
        widget.describe(2, "pre-norm", "sometimes")
    with pytest.raises(ValueError, match="final_norm must be one of"):
        plot_residual_stream(depth_profiles((1, 2), (0, 1)), "pre-norm", 2, final_norm="sometimes")

"""Lesson 04's residual-stream widget: every control changes the picture (review j)."""

import matplotlib
import pytest

matplotlib.use("Agg")

from vit_explained.norm_placement import last_fc2_gradient
from vit_explained.plotting.lesson04 import plot_residual_stream
from vit_explained.widgets.lesson04 import ResidualStreamWidget, depth_profiles


@pytest.fixture(scope="module")
def widget():
    return ResidualStreamWidget(depth=2, design="pre-norm", depths=(1, 2), seeds=(0, 1))


def _picture(widget, **settings):
    """(stream panel's lines as (label, ydata), gradient panel's lines as (label, ydata)) at these settings."""
    values = {**widget.values, **settings}
    _, fig = widget.compute(**values)
    stream_ax, gradient_ax = fig.axes
    lines = [
        [(line.get_label(), tuple(line.get_ydata())) for line in ax.get_lines()] for ax in (stream_ax, gradient_ax)
    ]
    return lines, (stream_ax.get_ylim(), gradient_ax.get_ylim())


def test_the_none_arm_is_the_ablations_and_the_lines_gradient_follows_the_picture(widget):
    for depth in (1, 2):
        assert widget.without_final_norm[depth] == [
            last_fc2_gradient(False, depth, s, final_norm="none") for s in (0, 1)
        ]
    gradients = widget.without_final_norm[2]
    assert f"last fc2 gradient {sum(gradients) / 2:.2f} (mean of 2 seeds); final LayerNorm off" in widget.describe(
        2, "pre-norm", "off"
    )
    given = ResidualStreamWidget(depth=2, depths=(1, 2), seeds=(0, 1), without_final_norm={1: [9.0], 2: [9.0]})
    assert given.without_final_norm == {1: [9.0], 2: [9.0]}  # the lesson passes the arm it measured: no rerun


def test_each_control_changes_the_picture_on_fixed_scales(widget):
    base, scales = _picture(widget, depth=2, design="pre-norm", final_norm="on")
    for change in ({"depth": 1}, {"design": "post-norm"}, {"final_norm": "off"}):
        other, other_scales = _picture(widget, **{"depth": 2, "design": "pre-norm", "final_norm": "on", **change})
        assert other != base, change
        assert other_scales == scales, change  # the axes stay put: the change is in the data


def test_design_toggle_draws_the_chosen_design_alone(widget):
    profiles = widget.profiles
    for design in ("pre-norm", "post-norm"):
        (stream, _), _ = _picture(widget, depth=2, design=design, final_norm="on")
        assert stream[0] == (f"{design} stream", tuple(profiles[design][2][0]))
        assert not any(("pre-norm" if design == "post-norm" else "post-norm") in label for label, _ in stream)


def test_final_norm_toggle_moves_the_head_point_and_swaps_pre_norms_gradient_for_the_none_arm(widget):
    (stream_on, gradient_on), _ = _picture(widget, depth=2, design="pre-norm", final_norm="on")
    (stream_off, gradient_off), _ = _picture(widget, depth=2, design="pre-norm", final_norm="off")
    with_norm, without = widget.head_norms["pre-norm"][2]
    head_on = [y for label, y in stream_on if label.startswith("the head reads")]
    head_off = [y for label, y in stream_off if label.startswith("the head reads")]
    assert head_on == [(with_norm,)] and head_off == [(without,)] and without > with_norm
    means = {d: sum(widget.profiles["pre-norm"][d][1]) / 2 for d in (1, 2)}
    none_means = {d: sum(widget.without_final_norm[d]) / 2 for d in (1, 2)}
    assert gradient_on[0][1] == (means[1], means[2]) and gradient_off[0][1] == (none_means[1], none_means[2])
    assert "ablation arm 'none'" in gradient_off[0][0]


def test_plot_residual_stream_without_the_extras_draws_the_stream_and_gradient_only():
    profiles = depth_profiles((1, 2), (0, 1))
    fig = plot_residual_stream(profiles, "post-norm", 2)
    stream_ax = fig.axes[0]
    assert [line.get_label() for line in stream_ax.get_lines()] == ["post-norm stream"]
    assert all(abs(value - 8.0) < 1e-3 for value in stream_ax.get_lines()[0].get_ydata()[1:])  # flat at sqrt(D)
    with pytest.raises(ValueError, match="no profile"):
        plot_residual_stream(profiles, "sandwich", 2)


def test_gate_heatmap_is_centred_at_one_half():
    import torch

    from vit_explained.plotting.lesson04 import plot_token_gates

    gates = {"a": torch.tensor([0.2, 0.5, 0.8]), "b": torch.tensor([0.1, 0.6, 0.9])}
    fig = plot_token_gates(torch.rand(8, 8), gates, {"b": 0}, patch_size=4)
    image = fig.axes[1].images[0]
    assert image.get_cmap().name == "RdBu_r" and image.get_clim() == (0, 1)  # diverging, its midpoint at 0.5


def test_post_norm_says_it_has_no_final_layer_norm_in_every_setting(widget):
    """r34a item 6 (review r34a minor 8): post-norm's line named a final LayerNorm 'on', which 6a's post-norm lacks
    (its gradient is the run without one); every setting now reads the last norm2's output."""
    lines = {step: widget.describe(2, "post-norm", step) for step in ("on", "off", "fixed", "centred_fixed")}
    assert len({line.replace(" (the final-step toggle is for pre-norm only)", "") for line in lines.values()}) == 1
    line = lines["on"]
    assert "post-norm: no final LayerNorm (the last norm2 is the last step)" in line
    assert "final LayerNorm on" not in line
    without = widget.head_norms["post-norm"][2][1]
    assert f"the head reads token 0 at norm {without:.1f}" in line
    assert _picture(widget, depth=2, design="post-norm", final_norm="on") == _picture(
        widget, depth=2, design="post-norm", final_norm="off"
    )
    (stream, _), _ = _picture(widget, depth=2, design="post-norm", final_norm="on")
    assert [y for label, y in stream if label.startswith("the head reads")] == [(without,)]


def test_the_try_it_order_works_post_norm_then_back_on_pre_norm_the_fixed_step(widget):
    """r35a item 1 (review r34e minor 1): the lesson's "Try it" order, driven through the controls: under post-norm
    the final-step toggle is disabled; back on pre-norm it is enabled again and 'fixed' shows the ablation arm."""
    controls = widget.controls
    start = dict(widget.values)
    try:
        controls["depth"].value = 1  # drag L
        controls["design"].value = "post-norm"
        assert controls["final_norm"].disabled and widget.line.startswith("post-norm, L = 1 block:")
        controls["design"].value = "pre-norm"
        assert not controls["final_norm"].disabled
        controls["final_norm"].value = "fixed"
        assert widget.line == widget.describe(1, "pre-norm", "fixed") and "final step 'fixed'" in widget.line
        assert f"last fc2 gradient {sum(widget.arms['fixed'][1]) / 2:.2f}" in widget.line
    finally:
        for name, value in start.items():
            controls[name].value = value

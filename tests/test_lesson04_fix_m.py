"""Lesson 04, fix round m: the stream widget's final-step toggle and post-norm; the depth figure's guide label."""

from vit_explained.plotting.lesson04 import plot_depth_gradients
from vit_explained.widgets.lesson04 import residual_stream_widget


def test_final_step_toggle_disabled_for_post_norm() -> None:
    widget = residual_stream_widget(depth=2)
    toggle = widget.controls["final_norm"]
    assert not toggle.disabled
    widget.controls["design"].value = "post-norm"
    assert toggle.disabled
    assert "final-step toggle is for pre-norm only" not in widget.line  # "on": nothing to explain
    widget.controls["design"].value = "pre-norm"
    toggle.value = "fixed"
    widget.controls["design"].value = "post-norm"
    assert toggle.disabled and "final-step toggle is for pre-norm only" in widget.line
    assert widget.line == widget.compute(**widget.values)[0]
    widget.controls["design"].value = "pre-norm"
    assert not toggle.disabled and "pre-norm only" not in widget.line


def test_depth_guide_says_shape_only() -> None:
    designs = {
        name: {d: [1.0 / d**0.5 * (1 + 0.01 * s) for s in range(3)] for d in (2, 4, 8, 16)}
        for name in ("post-norm", "pre-norm")
    }
    fig = plot_depth_gradients(designs, guide="pre-norm")
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "slope -0.5, for reference" in labels

"""Lesson 05, fix round y: the cut diagram greys its one-input "+", the widget's x-label."""

from matplotlib.patches import Circle

from vit_explained.plotting.lesson05 import ROUTE_COLORS, plot_two_routes


def _join_node(fig):
    ax = fig.axes[0]
    plus = [t for t in ax.texts if t.get_text() == "+" and t.get_fontsize() == 10]
    circles = [p for p in ax.patches if isinstance(p, Circle) and p.get_radius() < 0.15]
    assert len(plus) == 1 and len(circles) == 1
    return plus[0].get_color(), circles[0].get_edgecolor()


def test_the_cut_diagram_greys_the_one_input_plus():
    from matplotlib.colors import to_rgba

    text_color, edge = _join_node(plot_two_routes(cut=True))
    assert text_color == "0.75" and edge == to_rgba("0.75")
    text_color, edge = _join_node(plot_two_routes(cut=False))
    assert text_color == ROUTE_COLORS["skip"] and edge == to_rgba(ROUTE_COLORS["skip"])


def test_the_attention_picture_says_a_uniform_row_would_be_one_over_n():
    import numpy as np

    from vit_explained.gradient_experiments import SaturationSweep
    from vit_explained.plotting.lesson05 import plot_derivation_point

    curves = SaturationSweep(
        factors=[1.0, 10.0],
        w_q={"1/sqrt(d)": [1e-3, 1e-2]},
        w_v={"1/sqrt(d)": [0.1, 0.1]},
        entropy={"1/sqrt(d)": [1.0, 0.5]},
    )
    fig = plot_derivation_point(curves, 1.0, (1e-3, 0.1), np.full((17, 17), 1 / 17))
    assert fig.axes[1].get_xlabel() == "key token (0 = cls, 1-16 = patches)"  # 19b: token indices; 1/17 on the bar
    assert any("near uniform" in t.get_text() for t in fig.axes[1].texts)  # a uniform picture says so

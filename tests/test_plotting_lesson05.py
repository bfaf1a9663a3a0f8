"""Lesson 05's pictures: the two-routes diagram draws; norms are dots and a frozen group never reads as a norm."""

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

from vit_explained.plotting.lesson05 import NO_GRADIENT_LABEL, ROUTE_COLORS, plot_gradient_norms, plot_two_routes
from vit_explained.widgets.lesson05 import freeze_and_backward, gradient_freeze_widget


def texts(fig):
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def test_two_routes_diagram_draws_both_routes_and_the_cut():
    fig = plot_two_routes()
    assert not plt.fignum_exists(fig.number)  # closed: a notebook shows it exactly once
    words = " ".join(texts(fig))
    for needed in ("skip route", "MLP route", "norm1", "norm2", "mlp", "h.detach()", "W_q, W_k and W_v"):
        assert needed in words, needed
    colors = {line.get_color() for line in fig.axes[0].lines}
    assert {ROUTE_COLORS["skip"], ROUTE_COLORS["mlp"]} <= colors
    assert "dL/dh = skip route only" in words and "skip route + MLP route" not in words  # cut: one route left
    uncut = " ".join(texts(plot_two_routes(cut=False)))
    assert "h.detach()" not in uncut and "dL/dh = skip route + MLP route" in uncut
    fig.canvas.draw()  # renders without error


def test_frozen_groups_have_no_bar_and_keep_their_colour_in_the_legend():
    result = freeze_and_backward("mlp")
    fig = plot_gradient_norms(result.groups, title="mlp frozen")
    ax = fig.axes[0]
    assert len(ax.patches) == 1  # the "no gradient" band only; dots, not bars (a bar on a log axis misleads)
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(dots) == sum(value > 0 for value in result.groups.values())  # no dot for a 0
    tallest_frozen = max(line.get_ydata()[0] for line in ax.lines if line.get_marker() == "x")
    assert tallest_frozen < min(dot.get_ydata()[0] for dot in dots)  # a 0 sits below every real norm
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "mlp" in labels and labels[-1] == NO_GRADIENT_LABEL
    assert texts(fig).count("no gradient") == 1  # the band's label, one line
    legend_markers = [h for h in ax.get_legend().legend_handles if isinstance(h, Line2D)]
    assert [h.get_marker() for h in legend_markers][-1] == "x"


def test_freeze_widget_picture_follows_the_dropdown():
    widget = gradient_freeze_widget()
    widget.controls["freeze"].value = "nothing"
    assert widget.line.startswith("froze nothing: 0 of 56")
    widget.controls["freeze"].value = "head"
    assert widget.line.startswith("froze head (outside the blocks): 2 of 56")


def test_mlp_route_cut_plot_draws_each_family_with_its_seed_range():
    import pytest

    from vit_explained.plotting.lesson05 import CUT_FAMILIES, plot_mlp_route_cut

    change = {
        "small model, init": [[0.6, 0.5, 0.4, 0.3], [0.7, 0.3, 0.3, 0.2]],
        "trained MNIST ViT": [[0.97, 0.84, 0.78, 0.59]],
    }
    share = {
        "small model, init": [[0.3, 0.1, -0.06, 0.0], [0.37, 0.2, 0.1, 0.1]],
        "trained MNIST ViT": [[0.96, 0.82, 0.75, 0.54]],
    }
    fig = plot_mlp_route_cut(change, share)
    assert not plt.fignum_exists(fig.number)
    left, right = fig.axes
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert labels == ["small model, init (2 seeds; dot: mean, thin line: min..max)", "trained MNIST ViT"]
    trained = [line for line in right.lines if line.get_color() == CUT_FAMILIES["trained MNIST ViT"][0]]
    assert list(trained[0].get_ydata()) == pytest.approx([96, 82, 75, 54])  # shown in %
    bars = left.collections[0].get_segments()  # one min..max bar per block for the 2-seed family
    assert len(bars) == 4 and bars[1][:, 1].tolist() == pytest.approx([30, 50])
    fig.canvas.draw()
    with pytest.raises(ValueError, match="same"):
        plot_mlp_route_cut(change, {"small model, init": share["small model, init"]})
    with pytest.raises(ValueError, match="per-seed"):
        plot_mlp_route_cut({"x": [0.1, 0.2]}, {"x": [0.1, 0.2]})


def test_mlp_route_cut_plot_share_only_with_an_interval():
    import pytest

    from vit_explained.plotting.lesson05 import plot_mlp_route_cut

    share = {
        "small model, init": [[0.3, 0.1, -0.06, 0.0], [0.37, 0.2, 0.1, 0.1]],
        "trained MNIST ViT": [[0.96, 0.82, 0.75, 0.54]],  # one pass: not drawn when an interval is given
    }
    band = [(0.93, 0.90, 0.96), (0.79, 0.74, 0.83), (0.71, 0.63, 0.77), (0.53, 0.47, 0.59)]
    fig = plot_mlp_route_cut(None, share, intervals={"trained MNIST ViT": band})
    (ax,) = fig.axes
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert labels == [
        "small model, init (2 seeds; dot: mean, thin line: min..max)",
        "trained MNIST ViT (diamond: mean over batches, thick capped bar: 95 % interval)",
    ]
    (trained,) = ax.containers  # the interval: an errorbar with caps, thicker than the seeds' bars
    assert list(trained.lines[0].get_ydata()) == pytest.approx([93, 79, 71, 53])
    assert len(trained.lines[1]) == 2  # caps below and above
    (segments,) = [bars.get_segments() for bars in trained.lines[2]]
    assert segments[3][:, 1].tolist() == pytest.approx([47, 59])
    assert trained.lines[2][0].get_linewidth() > 2 * ax.collections[0].get_linewidth()[0]  # thick interval, thin range
    assert trained.lines[0].get_marker() == "D"
    fig.canvas.draw()
    with pytest.raises(ValueError, match="unknown"):
        plot_mlp_route_cut(None, share, intervals={"other": band})
    with pytest.raises(ValueError, match="mean, low, high"):
        plot_mlp_route_cut(None, share, intervals={"trained MNIST ViT": [0.9, 0.8]})


def test_widget_draws_frozen_norms_below_the_norms_they_replace():
    from vit_explained.widgets.lesson05 import GradientFreezeWidget, freeze_and_backward

    unfrozen = freeze_and_backward("nothing").groups
    _, fig = GradientFreezeWidget().compute("norms", "every block")
    ax = fig.axes[0]
    crosses = [line.get_ydata()[0] for line in ax.lines if line.get_marker() == "x"]
    assert len(crosses) == 5  # 4 blocks and the final norm
    real_norms = [value for (layer, part), value in unfrozen.items() if part == "norms"]
    assert max(crosses) < min(real_norms)  # a 0 never sits above the real (unfrozen) norm it replaced
    assert max(crosses) < ax.get_ylim()[0] * 2  # inside the band at the bottom


def test_cut_families_figure_draws_three_families_and_the_trained_interval():
    from types import SimpleNamespace

    import pytest

    from vit_explained.plotting.lesson05 import plot_cut_families

    def cut(*share):
        return SimpleNamespace(qkv_share=list(share))

    band = [SimpleNamespace(estimate=e, low=e - 3, high=e + 3) for e in (93, 79, 71, 53)]
    fig = plot_cut_families(
        [cut(0.3, 0.1, 0.0, 0.0), cut(0.37, 0.2, 0.1, 0.1)],
        [cut(0.5, 0.3, 0.1, 0.0)],
        cut(0.96, 0.82, 0.75, 0.54),
        band,
    )
    assert not plt.fignum_exists(fig.number) and len(fig.axes) == 1
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert len(labels) == 3 and "64 digits each" in labels[0] and "thick capped bar: 95 % t interval" in labels[2]
    assert fig.axes[0].get_ylabel() == "MLP share (%)"
    trained = [line for line in fig.axes[0].lines if list(line.get_ydata()) == pytest.approx([93, 79, 71, 53])]
    assert trained  # the trained family is drawn at its batch means, not its one-pass shares
    fig.canvas.draw()


def test_cut_route_stops_at_the_cross():
    fig = plot_two_routes(cut=True)
    ax = fig.axes[0]
    cross = next(line for line in ax.lines if line.get_marker() == "X")
    cross_y = cross.get_ydata()[0]
    mlp_ends = [
        a.xy[1]
        for a in ax.texts
        if hasattr(a, "arrow_patch")
        and a.arrow_patch is not None
        and a.arrow_patch.get_edgecolor() is not None
        and a.xy[0] == _x(cross)
    ]
    assert mlp_ends and min(mlp_ends) > cross_y  # the dashed MLP route ends above the cross, not at dL/dh


def _x(cross):
    return cross.get_xdata()[0]


def test_softmax_jacobian_heatmap_writes_each_entry():
    from vit_explained.plotting.lesson05 import plot_softmax_jacobian

    fig = plot_softmax_jacobian([0.5, 0.25, 0.25])
    ax = fig.axes[0]
    values = [float(text.get_text()) for text in ax.texts]
    assert len(values) == 9 and values[0] == 0.25 and values[1] == -0.125  # a_0 (1 - a_0), then -a_0 a_1
    assert abs(sum(values)) < 0.01  # every row sums to 0 (up to the printed 3 decimals)
    plt.close(fig)

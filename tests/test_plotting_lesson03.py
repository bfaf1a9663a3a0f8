"""Lesson 03's figures: they build on valid input and name the problem on bad input."""

from __future__ import annotations

import math

import pytest
import torch

from vit_explained.plotting import lesson03 as plots
from vit_explained.plotting.lesson03 import plot_attention_matrix, plot_query_attention, token_name


def test_attention_matrix_labels_class_token_and_rows():
    fig = plot_attention_matrix(torch.rand(10, 10).softmax(-1), (3, 3))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cls", "row 0", "row 1", "row 2"]
    assert list(ax.get_xticks()) == [0, 2, 5, 8]  # the class token, then each row's middle
    with pytest.raises(ValueError, match="3x3 grid has 9 patches"):
        plot_attention_matrix(torch.rand(11, 11), (3, 3))


@pytest.mark.parametrize("query", [0, 1, 9])
def test_query_attention_outlines_the_query(query):
    scores = torch.randn(10)
    fig = plot_query_attention(torch.rand(1, 6, 6), scores, scores.softmax(-1), (3, 3), query, title="t")
    left, middle, right = fig.axes[:3]
    assert left.get_title() == f"query: {token_name(query, 3)}"
    outlined = [len(ax.patches) for ax in (left, middle, right)]
    assert outlined == ([0, 0, 0] if query == 0 else [1, 1, 1])
    if query:
        row, col = divmod(query - 1, 3)
        assert left.patches[0].get_xy() == (col * 2, row * 2)  # pixel units: 2x2 patches
        assert right.patches[0].get_xy() == (col - 0.5, row - 0.5)  # grid cells


def test_query_attention_rejects_bad_rows_and_queries():
    row = torch.rand(10)
    with pytest.raises(ValueError, match=r"weights must be one query's row, shape \(10,\)"):
        plot_query_attention(torch.rand(1, 6, 6), row, torch.rand(3, 10), (3, 3), 1)
    with pytest.raises(ValueError, match=r"query must be a token index from 0 .* to 9, got 10"):
        plot_query_attention(torch.rand(1, 6, 6), row, row, (3, 3), 10)


def test_head_split_frames_each_heads_output_columns():
    from vit_explained.plotting.lesson03 import plot_head_split

    x = torch.eye(4)
    fig = plot_head_split(x, torch.eye(4)[[2, 3, 0, 1]], heads=2)
    tokens, weight, queries = fig.axes[:3]
    assert len(tokens.patches) == 0 and len(weight.patches) == len(queries.patches) == 2  # one frame per head
    assert weight.patches[1].get_xy() == (2 - 0.45, -0.45)  # head 1 starts at output column d = 2
    assert "head 0 blue, head 1 orange" in weight.get_title()
    with pytest.raises(ValueError, match="heads must divide D = 4"):
        plot_head_split(x, torch.eye(4), heads=3)
    with pytest.raises(ValueError, match=r"tokens must be \(N, D\)"):
        plot_head_split(torch.rand(3, 5), torch.eye(4), heads=2)


def test_softmax_saturation_plots_the_gradient_at_the_scores():
    from vit_explained.plotting.lesson03 import plot_softmax_saturation

    values = {"spread": [1, 2], "saturated": [0.1, 0.5], "grad_scores": [0.2, 0.1]}
    unscaled = {**values, "grad_scores_saturated": [0.02, 0.01], "grad_scores_unsaturated": [0.2, 0.3]}
    fig = plot_softmax_saturation([4, 16], unscaled, values, num_keys=9)
    assert "gradient at the softmax input" in fig.axes[2].get_title() and len(fig.axes[2].get_lines()) >= 4
    with pytest.raises(ValueError, match="grad_scores_saturated"):
        plot_softmax_saturation([4, 16], values, values, num_keys=9)


def test_head_split_draws_a_dense_weight_when_given():
    from vit_explained.plotting.lesson03 import plot_head_split

    dense = torch.randn(4, 4)
    fig = plot_head_split(torch.eye(4), torch.eye(4), heads=2, dense_w_q=dense)
    assert len(fig.axes) == 4 and len(fig.axes[3].patches) == 2  # the dense panel, framed per head
    assert "every column\nreads all D input features" in fig.axes[3].get_xlabel()
    assert "this toy one picks a single row" in fig.axes[1].get_xlabel()
    with pytest.raises(ValueError, match=r"dense_w_q must have w_q's shape \(4, 4\)"):
        plot_head_split(torch.eye(4), torch.eye(4), heads=2, dense_w_q=torch.randn(3, 4))


def test_attention_flow_prints_every_shape():
    from vit_explained.plotting.lesson03 import attention_flow_steps, plot_attention_flow

    steps = attention_flow_steps(3, 50, 96, 4)
    assert [shape for _, _, shape in steps] == [
        (3, 50, 96),
        (3, 50, 288),
        (3, 3, 4, 50, 24),
        (3, 4, 50, 24),
        (3, 4, 50, 50),
        (3, 4, 50, 50),
        (3, 4, 50, 24),
        (3, 50, 96),
        (3, 50, 96),
    ]
    texts = [t.get_text() for t in plot_attention_flow(3, 50, 96, 4).axes[0].texts]
    assert any("(B, h, N, N) = (3, 4, 50, 50)" in t for t in texts)
    assert sum(t.startswith(("q\n", "k\n", "v\n")) for t in texts) == 3  # q, k, v side by side
    with pytest.raises(ValueError, match="not divisible by heads"):
        attention_flow_steps(1, 5, 10, 3)


def test_batch_first_bug_frames_rows_then_columns():
    from vit_explained.plotting.lesson03 import plot_batch_first_bug

    left, right = plot_batch_first_bug(batch=3, num_tokens=5).axes
    assert len(left.patches) == 3 and len(right.patches) == 5  # 3 sequences of 5; 5 sequences of 3
    assert "5 sequences of 3 tokens" in right.get_title()
    with pytest.raises(ValueError, match="batch must be a positive int"):
        plot_batch_first_bug(batch=0)


def _fake_run(d: int, seed: int) -> dict:
    share = {4: 0.002, 64: 0.4}[d]  # d = 4: too few saturated rows to average their gradient
    stats = {"spread": d**0.5 + seed, "max_weight": 0.5, "saturated": share, "grad_scores": 0.2}
    stats |= {"grad_scores_saturated": 0.05, "grad_scores_unsaturated": float("nan") if seed else 0.3}
    return {"unscaled": stats, "scaled": {**stats, "saturated": 0.0, "grad_scores_saturated": float("nan")}}


def test_saturation_means_and_table():
    from vit_explained.plotting.lesson03 import saturation_means, saturation_table

    runs = {d: [_fake_run(d, seed) for seed in (0, 1)] for d in (4, 64)}
    means = saturation_means(runs)
    assert means["unscaled"]["spread"] == [2.5, 8.5]  # the mean over the seeds, per d
    assert means["unscaled"]["grad_scores_unsaturated"] == [0.3, 0.3]  # a seed's nan is left out
    assert (
        math.isnan(means["unscaled"]["grad_scores_saturated"][0])
        and means["unscaled"]["grad_scores_saturated"][1] == 0.05
    )
    table = saturation_table([4, 64], means, seeds=2)
    lines = table.splitlines()
    assert lines[0].startswith("means over 2 seeds") and all(len(line) < 95 for line in lines)
    assert lines[3].split("|")[1].split()[4] == "-" and "0.050" in lines[4]  # d = 4: no average over too few rows
    with pytest.raises(ValueError, match="non-empty list"):
        saturation_means({4: []})


def test_text_tables_fit_the_page():
    from vit_explained.cost import attention_cost
    from vit_explained.plotting.lesson03 import cost_table, init_table, profile_table
    from vit_explained.profiling import profile_attention

    configs = [("ViT-B (768, 12 heads) at 3136", 3136, 768, 12, 768), ("T2T-ViT_t stage 1 (56x56)", 3136, 64, 1, 147)]
    table = cost_table(configs)
    assert f"{attention_cost(3136, 64, 1, dim_in=147).matrix_entries:,}" in table
    init = init_table(
        {"torch default": [{"q_spread": 0.5, "spread": 2.0, "saturated": 0.01, "saturated_scaled": 0.0}] * 2}
    )
    profile = profile_table(profile_attention([8, 16], dim=8, heads=2, repeats=1))
    for text in (table, init, profile):
        assert all(len(line) < 95 for line in text.splitlines())
    assert len(profile.splitlines()) == 3 and profile.splitlines()[1].split()[0] == "8"


def test_softmax_saturation_shows_the_saturated_share_and_both_row_gradients():
    from vit_explained.plotting.lesson03 import plot_softmax_saturation

    values = {"spread": [1, 2], "saturated": [0.0, 0.4], "grad_scores": [0.2, 0.1]}
    unscaled = {**values, "grad_scores_saturated": [float("nan"), 0.03], "grad_scores_unsaturated": [0.2, 0.3]}
    fig = plot_softmax_saturation([4, 16], unscaled, values, num_keys=9)
    assert "saturated rows" in fig.axes[1].get_title()
    assert list(fig.axes[1].get_lines()[0].get_ydata()) == [0.0, 0.4]  # the no-scale share, as given
    labels = [line.get_label() for line in fig.axes[2].get_lines()]
    saturated = "no scale, saturated rows\n(d = 4: under 1% saturate, not drawn)"  # review r24c: why d = 4 has no point
    assert saturated in labels and "no scale, other rows" in labels
    with pytest.raises(ValueError, match="grad_scores_unsaturated"):
        plot_softmax_saturation([4, 16], {**values, "grad_scores_saturated": [0.1, 0.1]}, values, num_keys=9)


def test_fused_layouts_lists_and_draws_both_orders():
    from vit_explained.plotting.lesson03 import fused_layout, plot_fused_layouts

    assert fused_layout("three h d", 2) == [("q", 0), ("q", 1), ("k", 0), ("k", 1), ("v", 0), ("v", 1)]
    assert fused_layout("h three d", 2) == [("q", 0), ("k", 0), ("v", 0), ("q", 1), ("k", 1), ("v", 1)]
    fig = plot_fused_layouts(heads=3)
    first, second = fig.axes[:2]
    assert [t.get_text() for t in first.texts][:4] == ["q0", "q1", "q2", "k0"]
    assert [t.get_text() for t in second.texts][:4] == ["q0", "k0", "v0", "q1"]
    assert len(first.patches) == len(second.patches) == 9 + 2  # 3 h blocks, 2 outlined
    with pytest.raises(ValueError, match="order must be"):
        fused_layout("three d h", 2)
    with pytest.raises(ValueError, match="heads must be 2 to 6"):
        plot_fused_layouts(heads=1)


def test_plot_permutation_shuffles_tokens_and_outputs_alike():
    from vit_explained.plotting.lesson03 import plot_permutation

    fig = plot_permutation((2, 0, 1))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("t2") == 2 and texts.count("o2") == 2
    shuffled = [t for t in texts if t[:1] in "to" and t[1:].isdigit()][6:]  # the second row
    assert shuffled == ["t2", "o2", "t0", "o0", "t1", "o1"]
    with pytest.raises(ValueError, match="permutation"):
        plot_permutation((0, 0, 1))


def test_plot_cost_growth_memory_follows_heads_and_flops_follow_width():
    from vit_explained.plotting.lesson03 import plot_cost_growth

    fig = plot_cost_growth((196, 3136))
    memory_ax, flops_ax = fig.axes
    wide, one_head, narrow = (line.get_ydata() for line in memory_ax.lines)
    assert list(wide) == list(narrow) and wide[-1] == pytest.approx(12 * one_head[-1])
    wide, one_head, narrow = (line.get_ydata() for line in flops_ax.lines[:3])
    assert list(wide) == list(one_head) and wide[-1] == pytest.approx(4 * narrow[-1])
    assert wide[-1] / wide[0] == pytest.approx(256)  # N^2
    projections = {line.get_label(): line for line in flops_ax.lines if line.get_label().startswith("qkv + proj")}
    assert list(projections) == ["qkv + proj, width 768", "qkv + proj, width 192"]  # one per width, not per layer
    proj_768 = projections["qkv + proj, width 768"].get_ydata()
    assert proj_768[-1] / proj_768[0] == pytest.approx(16)  # linear in N
    assert proj_768[0] == pytest.approx(8 * 196 * 768**2 / 1e9)  # 2 N (3 D D + D D)
    with pytest.raises(ValueError, match="at least one"):
        plot_cost_growth(layers=())


def test_softmax_row_saturates_without_the_scale_and_passes_back_little():
    from vit_explained.plotting.lesson03 import plot_softmax_rows, softmax_row

    narrow, _ = softmax_row(4, num_keys=197, seed=0)
    wide, wide_gradient = softmax_row(64, num_keys=197, seed=0)
    assert narrow.shape == wide.shape == (197,)
    assert math.isclose(float(wide.sum()), 1.0, rel_tol=1e-9)
    assert narrow.max() < 0.5 < 0.9 < wide.max()  # spread 2 at d = 4, 8 at d = 64
    assert wide_gradient.norm() < 0.01  # a saturated row passes back almost nothing
    assert abs(float(wide_gradient.sum())) < 1e-9  # the softmax's gradient sums to 0 over a row
    fig = plot_softmax_rows((4, 64), num_keys=197, seed=0)
    assert len(fig.axes) == 4
    with pytest.raises(ValueError):
        softmax_row(0)


def test_softmax_saturation_shades_the_range_over_the_seeds():
    from matplotlib.collections import PolyCollection

    from vit_explained.plotting.lesson03 import plot_softmax_saturation, saturation_means, saturation_ranges

    runs = {d: [_fake_run(d, seed) for seed in (0, 1)] for d in (4, 64)}
    ranges = saturation_ranges(runs)
    assert ranges["unscaled"]["spread"] == ([2.0, 8.0], [3.0, 9.0])  # min and max over the seeds, per d
    assert ranges["unscaled"]["grad_scores_unsaturated"] == ([0.3, 0.3], [0.3, 0.3])  # a seed's nan is left out
    means = saturation_means(runs)
    fig = plot_softmax_saturation([4, 64], means["unscaled"], means["scaled"], num_keys=9, ranges=ranges)
    bands = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2  # one band per setting
    assert "min..max" in fig._suptitle.get_text()
    plain = plot_softmax_saturation([4, 64], means["unscaled"], means["scaled"], num_keys=9)
    assert not [c for c in plain.axes[0].collections if isinstance(c, PolyCollection)]
    with pytest.raises(ValueError, match="non-empty list"):
        saturation_ranges({4: []})


def test_softmax_rows_can_draw_two_queries_at_the_same_head_width():
    from vit_explained.plotting.lesson03 import plot_softmax_rows

    fig = plot_softmax_rows((4, 64, 64), seeds=(0, 0, 10), notes=("", "saturated one", "typical one"))
    titles = [ax.get_title() for ax in fig.axes[:6]]
    assert any("(saturated)" in t and "saturated one" in t for t in titles)
    assert any("0.80" in t and "typical one" in t and "(saturated)" not in t for t in titles)
    with pytest.raises(ValueError, match="one entry per panel"):
        plot_softmax_rows((4, 64), seeds=(0,))


def test_plot_query_heads_draws_one_panel_per_head_and_checks_the_shape():
    weights = torch.softmax(torch.randn(4, 50, generator=torch.Generator().manual_seed(0)), dim=-1)
    fig = plots.plot_query_heads(torch.rand(1, 28, 28), weights, (7, 7), query=11)
    assert len(fig.axes) == 5 and fig.axes[3].get_title().startswith("head 3: top weight")  # 4 heads + a colour bar
    with pytest.raises(ValueError, match="weights must be"):
        plots.plot_query_heads(torch.rand(1, 28, 28), weights[:, 1:], (7, 7), query=11)


def test_mean_attention_distance_of_uniform_attention_is_the_uniform_value():
    from vit_explained.pretrained import load_mnist_vit

    model = load_mnist_vit().eval()
    for block in model.blocks:  # zero queries: every row of weights is uniform
        with torch.no_grad():
            block.attn.qkv.weight[: block.attn.qkv.out_features // 3].zero_()
            block.attn.qkv.bias[: block.attn.qkv.out_features // 3].zero_()
    distances, uniform = plots.mean_attention_distance(model, torch.rand(2, 1, 28, 28), (7, 7))
    assert distances.shape == (4, 4) and torch.allclose(distances, torch.full((4, 4), uniform), atol=1e-4)
    assert len(plots.plot_attention_distance(distances, uniform).axes[0].get_lines()) == 5


def test_mask_polarity_colours_each_value_by_what_the_api_does():
    """Review r31a_03 minor 9: SDPA reads True as "may attend", nn.MultiheadAttention as "blocked"."""
    meanings = plots.mask_meanings([True, False, True])
    assert list(meanings.values()) == [[True, False, True], [False, True, False], [True, False, True]]
    fig = plots.plot_mask_polarity([True, False, True])
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_text() in ("True", "False")]
    assert texts == ["True", "False", "True", "True", "False", "True", "False", "True", "False"]
    with pytest.raises(ValueError, match="at least one key"):
        plots.mask_meanings([])


def test_saturation_gradient_lines_prints_both_halves():  # review r33b M1: saturated rows little, the mean larger
    from vit_explained.plotting import lesson03 as plots
    from vit_explained.softmax_scale import softmax_saturation, summarize_saturation

    runs = {d_: [softmax_saturation(d_, seed=seed) for seed in range(2)] for d_ in (16, 64)}
    summary = summarize_saturation(runs, saturated_at=(16, 64), ratio_at=(16, 64))
    lines = plots.saturation_gradient_lines(runs, summary).splitlines()
    assert len(lines) == 3 and lines[0].startswith("no scale, d = 64, gradient norm per row at the scores: saturated")
    assert lines[1].startswith("  the other rows ") and lines[1].endswith("with the scale 0.11")
    assert lines[2].startswith("mean over all rows, no scale / scale: d = 64: ") and ", d = 64: " in lines[2]


def test_scale_table_rows_no_scale_and_with_the_scale():  # fix03_37a (review r36j minor 3): cell 48's one table
    from vit_explained.plotting import lesson03 as plots
    from vit_explained.softmax_scale import softmax_saturation, summarize_saturation

    runs = {d_: [softmax_saturation(d_, seed=seed) for seed in range(2)] for d_ in (16, 64)}
    summary = summarize_saturation(runs, saturated_at=(16, 64), ratio_at=(16, 64))
    lines = plots.scale_table(runs, summary).splitlines()
    assert len(lines) == 6 and lines[0].split() == ["saturated", "rows", "gradient", "norm", "per", "row", "at", "the",
                                                    "scores,", "d", "=", "64"]  # fmt: skip
    assert lines[1].split() == ["d", "=", "64", "d", "=", "64", "saturated", "rows", "other", "rows", "all", "rows"]
    no_scale, scaled = lines[2].split(), lines[3].split()
    assert no_scale[:2] == ["no", "scale"] and no_scale[3] == "%" and no_scale[2].replace(".", "").isdigit()
    # quick03_37a (a37a audit 03 item 2): the scaled row read at d = 64 (its shares at d = 64 and the widest, here
    # also 64), as the no-scale row: mean (min..max) over the seeds, 3 decimals
    assert scaled[:10] == ["with", "the", "scale", "0", "%", "(0..0)", "0", "%", "(0..0)", "-"]
    sc = [r["scaled"]["grad_scores"] for r in runs[64]]  # other rows and all rows: the same d = 64 runs
    assert scaled[10:] == [f"{sum(sc) / 2:.3f}", f"({min(sc):.3f}..{max(sc):.3f})"] * 2
    assert lines[4].startswith("all rows, no scale / scale: d = 64: ") and "(2 seeds: " in lines[4]
    assert lines[5].startswith("with the scale, at every d: 0 % saturated rows, spread ")  # a37a item 3: "0 %"
    # each cell: the mean, then (min..max) over the seeds; the column starts under its header
    assert lines[1].index("other rows") == lines[3].index("0.110 (")
    at = runs[64]
    other = [r["unscaled"]["grad_scores_unsaturated"] for r in at]
    assert f"{sum(other) / 2:.3f} ({min(other):.3f}..{max(other):.3f})" in lines[2]

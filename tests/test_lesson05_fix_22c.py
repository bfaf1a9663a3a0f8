"""Lesson 05, fix 22c (review r22b_05): the Answer's table measures the overlap of the MLP and higher attention
routes (one estimand: one gradient over all 256 digits), cell 0 answers in one sentence and three lines, the
freeze-vs-cut code is visible, dV's quarter is derived (1/sqrt(17)), and the widget's legend sits below its axes."""

import re

import torch

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
SOURCES = nb.sources(LESSON)
CELLS = nb.cells(LESSON)


def _short_answer() -> str:
    return SOURCES[0].split("**The short answer.**")[1].split("**The lesson in five steps**")[0].strip()


def _answer() -> str:
    summary = SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**")]
    return nb.flat(summary[summary.index("**Answer to the question:**") :])


def test_item_1_the_answer_table_measures_the_overlap_of_mlp_and_attention_routes():
    at = nb.unique_index(SOURCES, "routes = route_overlap(load_mnist_vit, val_images, val_labels)")
    # 23c: the route table moved into section 5, after its prose and before the Summary
    assert at == nb.unique_index(SOURCES, "**Which branches above carried it?**") + 1
    assert at < nb.unique_index(SOURCES, "## Summary")
    printed = nb.printed(CELLS[at])
    header = "block | ||g_cut|| / ||g|| | MLP share | 3-run range | own-MLP share"  # 23b: two narrower tables
    assert header in printed and "block | higher-attention share | no branch: ||g_kept|| / ||g||" in printed
    rows = [line for line in printed.splitlines() if re.match(r"\s+[0-3] \|", line)]
    cells = [[part.strip() for part in row.split("|")] for row in rows]
    assert [row[1] for row in cells[:4]] == ["8 %", "23 %", "33 %", "53 %"]
    assert [row[2] for row in cells[:4]] == ["96 %", "82 %", "75 %", "54 %"]
    assert [row[1] for row in cells[4:]] == ["74 %", "42 %", "14 %", "0 %"]
    assert [row[4] for row in cells[:4]] == ["61 %", "27 %", "42 %", "54 %"]
    assert [row[2] for row in cells[4:]] == ["4 %", "13 %", "30 %", "53 %"]
    check = SOURCES[at + 1]
    assert nb.hidden(CELLS[at + 1])
    for pinned in ("== [74, 42, 14, 0]", "== [61, 27, 42, 54]", "== [4, 13, 30, 53]", "routes.mlp_share[0] + routes"):
        assert pinned in check, pinned


def test_item_1_the_answer_and_cell_0_say_mlps_and_attention_alike_and_the_own_mlp_share():
    answer, short = _answer(), nb.flat(_short_answer())
    assert "nearly all of block 0's qkv gradient had come back through the branches above it" in answer  # 23d
    said = (
        "and the higher attention layers alike: with all of them cut, block 0 keeps 4 % "
        "(seed 0, the shipped model); the shares overlap"
    )
    assert said in answer  # 23b
    assert "Its own block's MLP route carries 61 %" in nb.flat(_summary_block())  # 24a: numbers once
    assert "most of that $dO$ had come back through the MLPs" not in answer  # the old, non-exclusive reading
    assert "which comes back along the skips and the branches above, MLPs and attention alike" in short
    moved = nb.flat(_summary_block())  # 23d: moved from cell 0
    assert (
        "Its own block's MLP route carries 61 % (seed 0, the shipped model)." in moved
        and "with all of them cut, block 0 keeps 4 %" in answer
    )
    assert "most of that had first travelled back through the MLPs" not in short


def test_item_1_route_overlap_agrees_with_the_mlp_route_cut():
    from vit_explained.gradient_experiments import route_overlap, small_digit_vit
    from vit_explained.gradient_hooks import mlp_route_cut

    torch.manual_seed(0)
    images, labels = torch.rand(16, 1, 8, 8), torch.arange(16) % 10
    routes = route_overlap(lambda: small_digit_vit(0), images, labels)
    cut = mlp_route_cut(lambda: small_digit_vit(0), images, labels, chunk=16)
    assert all(abs(a - b) < 1e-4 for a, b in zip(routes.mlp_share, cut.qkv_share, strict=True))
    assert all(abs(a - b) < 1e-4 for a, b in zip(routes.mlp_left, cut.qkv_cut_size, strict=True))
    assert routes.attention_share[-1] == 0.0  # the top block has no attention above it
    assert abs(routes.own_mlp_share[-1] - routes.mlp_share[-1]) < 1e-9  # and only its own MLP
    assert abs(routes.no_branch_left[-1] - routes.mlp_left[-1]) < 1e-9


def test_item_2_one_estimand_per_table_named_in_its_header():
    answer_table = nb.printed(CELLS[nb.unique_index(SOURCES, "routes = route_overlap(")])
    assert "256 validation digits, one gradient" in answer_table and "[95 % t]" not in answer_table
    app_cells, app_sources = (
        nb.cells(nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"),
        nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"),
    )  # 23b: the 8-batch table moved to appendix D
    section_5 = nb.printed(app_cells[nb.unique_index(app_sources, "batch_share = [t_interval(")])
    header = "trained: mean over 8 batches of 32 [95 % t interval]   fresh: all-256 share min..max"
    assert "trained ||g_cut|| / ||g||, all 256" in section_5
    assert header in section_5 and "    0" in section_5 and "93 % [89, 97]" in section_5


def test_item_3_the_freeze_and_cut_code_is_visible_with_its_picture():
    at = nb.unique_index(SOURCES, "block.mlp.requires_grad_(False)  # freeze")
    cell = CELLS[at]
    assert not nb.hidden(cell) and "cellView" not in cell["metadata"]
    assert "display(plot_two_routes(cut=True))" in SOURCES[at] and "register_forward_pre_hook" in SOURCES[at]
    assert any("image/png" in output.get("data", {}) for output in cell["outputs"])  # the cut picture, first


def test_item_5_cell_0_answers_in_one_sentence_and_three_lines():
    bullets = [line for line in _summary_block().splitlines() if line.startswith("- ")]  # 24c: one Summary, 5 bullets
    heads = ["One loss", "By hand:", "Cut", "Trained", "Fresh, 4 blocks, MLP 2D:"]  # no "Two measures" block
    assert [line.split("**")[1] for line in bullets] == heads
    fresh = nb.flat(_summary_block().split("- **Fresh")[1])
    assert "84-89 % in block 0" in fresh and "50-63 %" in _answer()  # 24a: the MNIST ViTs' range
    assert "all blocks but one" not in _short_answer()  # the old line, true of the MNIST ViTs only


def test_item_4_dv_quarter_is_derived_and_the_sums_are_measured_only():
    chart = nb.flat(SOURCES[nb.unique_index(SOURCES, "Read the chart left to right")])
    assert "$dV_j = dO_0/N$" in chart and "= 1/\\sqrt{17} = 1/4.12$" in chart
    assert "widen the gap 4.0 times" in chart  # 23d; 24c: "(appendix I)." follows
    appendix = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb")
    assert "an estimate from that mean" in nb.flat(
        appendix[nb.unique_index(appendix, "**Section 4's count, line by line.**")]
    )  # 24c: moved
    at = nb.unique_index(SOURCES, "chain = qk_factor_chain(")
    assert "dV / dO: 1/sqrt(N) = 1/4.12 predicted, 1/4.11 measured" in nb.printed(  # 23b: two lines
        CELLS[at]
    )
    assert "round(17**0.5, 2) == 4.12" in SOURCES[at + 1]


def test_item_6_the_widget_legend_sits_below_the_axes():
    from vit_explained.plotting.lesson05 import plot_freeze_and_cut

    groups = {("block 0", "qkv"): 1.0, ("block 0", "mlp"): 0.0, ("head", "head"): 0.5}
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = plot_freeze_and_cut(groups, [0.5], cut=[True], freeze_title="f", cut_title="c", reference=groups)
    left = fig.axes[0]
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    legend, axes = left.get_legend().get_window_extent(renderer), left.get_window_extent(renderer)
    assert legend.y1 < axes.y0  # below the axes: clear of the y tick labels and the title
    assert legend.y0 >= 0 and legend.x0 >= 0  # inside the figure


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)

"""Lesson 04, fix 20c (review r20b_04): the -0.5 match called a coincidence of the range next to the widget and in
the figure's guide; the `detached_sigma` arm in the lesson's final-norm ablation (printed, plotted, asserted); the
training figure draws the near-chance threshold 0.9 ln 10; part 3's recipe details moved to appendix F; items 5-8:
exact wording (BERT and GPT before ViT, the mean-ablation's definition, Yao et al.'s abstract, the centred norm)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt

from tests import _notebook as nb
from vit_explained.plotting.lesson04 import plot_final_norm_ablation, plot_norm_training

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def test_coincidence_of_the_range_next_to_the_widget_and_in_the_guide() -> None:
    sources = nb.sources(LESSON)
    widget = nb.unique_index(sources, "stream_explorer = residual_stream_widget(")
    text = nb.flat(sources[widget - 1])
    assert "8.0 -> 29.4 over 16 pre-norm blocks" in text  # 21a: the coincidence note lives in appendix A
    assert "coincidence of the range" in nb.flat(nb.all_text(APPENDIX))
    assert "The fall matches $L^{-0.5}$" not in nb.all_text(LESSON)
    fig = plot_final_norm_ablation({"layernorm": (-0.47, -0.56, -0.38)})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "slope -0.5 (the rate of Xiong et al.'s bound)" in legend and not plt.get_fignums()  # 21c, 21f


def test_detached_sigma_is_the_fifth_arm_printed_plotted_and_asserted() -> None:
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)  # 20e: the five arms moved to appendix A
    steps = nb.unique_index(sources, "final_steps = {")
    assert '"detached_sigma": detached_sigma' in sources[steps] and "sigma.detach()" in sources[steps]
    table = nb.unique_index(sources, "ablation_slope = {name: depth_slope(values)")
    shown = nb.printed(cells[table])
    assert "LayerNorm, σ detached" in shown and "L^-0.468 [-0.552, -0.384]" in shown
    check = cells[table + 1]
    assert nb.hidden(check) and 'ablation_slope["detached_sigma"][2] < 0' in nb.source(check)
    answer = nb.flat(sources[table + 2])
    assert answer.startswith("**Answer 6b.** Only the final LayerNorm and the same with $\\sigma$ detached fall")
    assert "not centring, makes it fall (nor LayerNorm's backward through $\\sigma$)" in answer


def test_training_figure_draws_the_near_chance_threshold() -> None:
    runs = [
        {"lr": 5e-3, "warmup_steps": w, "seed": 0, "placement": p, "losses": [2.3] * 30}
        for w in (0, 50)
        for p in ("pre-norm", "post-norm")
    ]
    fig = plot_norm_training(runs, lr=5e-3)
    for ax in fig.axes:
        levels = [line.get_ydata()[0] for line in ax.get_lines() if len(set(line.get_ydata())) == 1]
        assert any(abs(y - 0.9 * math.log(10)) < 1e-12 for y in levels)  # in every panel
    assert "near-chance rule, 0.9 ln 10 = 2.07" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)


def test_part_three_details_moved_to_appendix_f() -> None:
    lesson = nb.all_text(LESSON)
    assert "<details><summary>The model and the runs near chance" not in lesson
    assert "Fisher's p and the shared seeds" not in lesson and "final validation accuracy" not in lesson
    sources = nb.sources(APPENDIX)
    moved = nb.unique_index(sources, "**The runs near chance and the shared seeds** (moved from the lesson's")
    assert moved > nb.unique_index(sources, "## F · Pre-norm against post-norm in training")
    cells = nb.cells(APPENDIX)
    assert "post-norm [10, 10, 10, 10, 10, 10, 10, 10, 17]" in nb.printed(cells[moved + 1])
    assert "Fisher's exact p" in nb.printed(cells[moved + 1]) and nb.hidden(cells[moved + 2])
    assert 'save_figure(fig, "04_norm_training")' in nb.all_text(LESSON)  # the figure and the table stay


def test_items_five_to_eight_wording() -> None:
    text = nb.flat(nb.all_text(LESSON))
    assert "BERT and GPT used GELU before ViT" in text and "GELU follows BERT" not in text
    assert "one mean per token position and feature, taken from the intact model's run" in text
    assert "all blocks at once" in text
    assert '"as effective as the LN-based counterpart and is about 20% faster"' in nb.flat(nb.all_text(APPENDIX))  # 20e
    assert "20 % faster inference" not in text
    assert "its centred norm over $\\sqrt{D}$" in text

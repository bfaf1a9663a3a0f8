"""Lesson 04, fix 21c (review r21b_04): the squared-norm slope over 2-16 blocks printed beside section 6b and the
"coincidence of the range" replaced by what it supports; three decimals in the ablation's print; Answer 6c says a
longer warm-up is untested (6c's question names its post-norm's final LayerNorm); the summary quotes no
appendix C number; the section-0 sentence split; the parameter chart's axis ends near its longest bar."""

from __future__ import annotations

import matplotlib.pyplot as plt

from tests import _notebook as nb
from vit_explained.plotting.lesson04 import plot_final_norm_ablation, plot_parameter_budget

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def _main_path() -> list[dict]:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    summary = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    return visible[:summary]


def test_main_path_did_not_grow() -> None:
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 56 and words <= 2751


def test_squared_norm_slope_printed_asserted_and_said() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    widget = nb.unique_index(sources, "stream_explorer = residual_stream_widget(")
    # 22a: the per-seed fit moved to appendix A (the lesson's section 6b keeps the widget); one interval there
    assert "||x_L||^2 ~ L^+0.96 [+0.83, +1.10] over 2-16 blocks" in nb.all_printed(APPENDIX)
    deeper = nb.all_printed(APPENDIX)
    assert "||x_L||^2 ~ L^+1.16 [+1.11, +1.21]" in deeper and "the gradient ~ L^-0.62 [-0.72, -0.52]" in deeper
    assert nb.hidden(cells[widget + 1])
    appendix = nb.sources(APPENDIX)  # 22a: the per-seed check moved with its fit to appendix A
    fit_at = nb.unique_index(appendix, "squared_seed = t_interval(")
    assert "[round(v, 2) for v in squared_slope] == [0.96, 0.83, 1.10]" in appendix[fit_at + 1]
    assert nb.hidden(nb.cells(APPENDIX)[fit_at + 1])
    prose = nb.flat(sources[widget - 1])  # 21f: 'as Xiong et al. assume' replaced by what the numbers support
    assert "squared norm fits $L^{0.96}$ [0.83, 1.10]" in nb.flat(nb.all_text(APPENDIX))  # 22a: per seed, moved
    assert "at 2-8 and 16-128 blocks: appendix A." in prose  # 24d: one pointer; the band and the slopes live there
    app_summary = nb.flat(appendix[nb.unique_index(appendix, "## Summary")])
    assert "the squared norm fits $L^{0.96}$ [0.83, 1.10]" in app_summary  # 22a: moved with the fit
    assert "coincidence" not in nb.all_text(LESSON)


def test_appendix_no_longer_calls_the_match_a_coincidence_nor_the_band_met_below_it() -> None:
    text = nb.flat(nb.all_text(APPENDIX))
    assert "is a coincidence of the range" not in text and "only happens to fall" not in text
    assert "the match with $-0.5$ is not shown to be a coincidence of the range" in text
    assert "It lies below the lemma's band at 2 and 4 blocks (the band does not hold there)" in text
    assert "||x_L||^2 ~ L^+0.96 [+0.83, +1.10] over 2-16 blocks" in nb.all_printed(APPENDIX)  # 22a: per seed
    assert "the squared norm grows about linearly ($L^{1.16}$" not in text  # 1.16's interval excludes 1


def test_ablation_legend_no_longer_says_matched_only_over_the_range() -> None:
    fig = plot_final_norm_ablation({"layernorm": (-0.47, -0.56, -0.38)})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "slope -0.5 (the rate of Xiong et al.'s bound)" in legend  # 21f: reworded
    assert not any("matched here only" in line for line in legend) and not plt.get_fignums()


def test_ablation_prints_three_decimals_so_the_interval_matches_the_prose() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    printed = nb.printed(cells[nb.unique_index(sources, "ablation = final_norm_ablation(")])
    assert "no final step           L^+0.081 [-0.073, +0.234]" in printed  # 21i: per seed, 3 decimals
    assert "  no final step          L^+0.081 [-0.004, +0.165]" in nb.all_printed(APPENDIX)  # 21i: pooled, appendix A
    answer = nb.flat(sources[nb.unique_index(sources, "**Answer 6b.**")])
    assert "each other arm's interval includes 0" in answer  # 24b: "includes"; 21i: per seed


def test_answer_6c_says_a_longer_warm_up_is_untested_and_6c_names_its_post_norm() -> None:
    sources = nb.sources(LESSON)
    answer = nb.flat(sources[nb.unique_index(sources, "**Answer 6c.**")])
    assert "then rose back near its end (lr near 5e-3). A longer one is untested." in answer  # 22c: tightened
    question = nb.flat(sources[nb.unique_index(sources, "**6c · And in training?**")])
    assert "both designs keeping the encoder's final LayerNorm, unlike 6a's probe," in question  # 21f: a sentence
    assert "unlike 6a's probe, where post-norm has no final norm" in question


def test_summary_points_to_appendix_c_without_unprinted_numbers() -> None:
    sources = nb.sources(LESSON)
    summary = nb.flat(sources[nb.unique_index(sources, "## Summary")])
    assert "ReLU changes" not in summary  # 22c: the number left the summary; the appendix's summary keeps it
    appendix = nb.sources(APPENDIX)
    assert "ReLU changes 22 of 1,000 predictions" in nb.flat(appendix[nb.unique_index(appendix, "## Summary")])
    assert "about one point" not in summary and "changes no prediction" not in summary


def test_section_zero_sentence_split_and_no_stray_capital() -> None:
    sources = nb.sources(LESSON)
    text = nb.flat(sources[nb.unique_index(sources, "## 0 · The block at a glance")])
    assert "device: Each" not in text and "lesson 01's N + 1" not in text
    handed = "on the `meta` device. Each of the twelve blocks hands on the `(N, D) = (197, 768)` tokens it receives"
    assert handed in text  # 22a


def test_parameter_chart_axis_ends_near_its_longest_bar() -> None:
    fig = plot_parameter_budget({"embeddings": 1_000_000, "qkv": 21_000_000, "mlp": 56_000_000}, "tiny")
    right = fig.axes[0].get_xlim()[1]
    assert 56 < right < 60 and not plt.get_fignums()

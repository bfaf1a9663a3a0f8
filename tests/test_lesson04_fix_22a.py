"""Lesson 04, fix 22a (review r21l_04): one interval for the depth slope (the per-seed t-interval) in the printout,
the figure's legend, Answer 6a and both summaries; Lemma 2's band and the RMS fit moved out of section 6 to appendix
A, replaced by the direct test (gradient x ||x_L|| between 9.5 and 10.6 from 2 to 128 blocks); N defined once; where
dropout sits in timm's block; the summary without appendix letters for its numbers; where later blocks went."""

from __future__ import annotations

import matplotlib.pyplot as plt

from tests import _notebook as nb
from tests.test_lesson04_fix_21f import _main_path
from vit_explained.plotting.lesson04 import plot_depth_gradients

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def _section_six() -> str:
    sources = nb.sources(LESSON)
    start = nb.unique_index(sources, "## 6 · Where the norm sits")
    end = nb.unique_index(sources, "## 7 · Dropout, DropPath and LayerScale")
    return nb.flat("\n".join(sources[start:end]))


def _summary(path) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, "## Summary")])


def test_main_path_within_the_cap() -> None:
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 56 and words <= 2663


def test_one_interval_for_the_slope() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    at = nb.unique_index(sources, "designs, stream_squared = depth_experiment(depths, seeds)")
    printed = nb.printed(cells[at])
    assert "pre-norm   L^-0.47 [-0.62, -0.32]" in printed and "post-norm  L^-0.02 [-0.29, +0.26]" in printed
    assert "[-0.56, -0.38]" not in nb.all_text(LESSON) and "[-0.56, -0.38]" not in nb.all_printed(LESSON)
    assert "[-0.15, +0.12]" not in nb.all_text(LESSON) and "intervals=slope" in sources[at]
    assert '[round(value, 2) for value in slope["pre-norm"][1:]] == [-0.62, -0.32]' in sources[at + 1]
    assert "$L^{-0.47}$ [-0.62, -0.32] against\n" not in _summary(LESSON)
    # 24d (r24c_04 item 4): one sentence per finding, the intervals in the printed output only
    assert "about as $L^{-0.47}$" in _summary(LESSON) and "[-0.62, -0.32]" not in _summary(LESSON)
    answer = nb.flat(sources[nb.unique_index(sources, "**Answer 6a.**")])
    assert "falls, about as $L^{-0.47}$" in answer and "[-0.62, -0.32]" not in answer
    # the pooled interval lives in appendix A, with its caveat, beside the per-seed one
    appendix = nb.all_printed(APPENDIX)
    assert "pooled 95 % interval [-0.56, -0.38] (12 points)" in appendix
    assert "as the lesson quotes it): L^-0.47 [-0.62, -0.32]" in appendix
    # 24b: the caveat reworded (Xavier stacks draw their own weights at each depth; only PyTorch's default init shares)
    caveat = "it treats the 12 points as independent scatter around one line. The per-seed interval, which the lesson"
    assert caveat in nb.flat(nb.all_text(APPENDIX))
    # one interval for the squared norm's exponent in appendix A: the per-seed one
    assert "[0.86, 1.07]" not in nb.all_text(APPENDIX) and "[+0.86, +1.07]" not in appendix
    assert "$L^{0.96}$ [0.83, 1.10]" in _summary(APPENDIX)


def test_legend_quotes_the_given_interval() -> None:
    values = {2: [1.0, 1.2, 0.9], 4: [0.7, 0.8, 0.75], 8: [0.5, 0.55, 0.45]}
    fig = plot_depth_gradients({"pre-norm": values}, intervals={"pre-norm": (-0.47, -0.62, -0.32)})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert "pre-norm: slope -0.47 [-0.62, -0.32]" in labels
    fig = plot_depth_gradients({"pre-norm": values})  # without: the pooled least-squares interval, as before
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert not any("[-0.62, -0.32]" in label for label in labels)


def test_section_six_prints_the_direct_test_not_the_band() -> None:
    section = _section_six()
    for gone in ("Lemma 2: $(", "8.2", "L^{0.96}", "[0.83, 1.10]", "quadratic", "2-16 blocks cannot tell"):
        assert gone not in section
    # 24d (r24c_04 item 6): the direct test moved to appendix A; section 6 keeps one pointer sentence
    moved = nb.flat(nb.all_text(APPENDIX))
    assert "it stays between 9.5 and 10.6 from 2 to 128 blocks (from 16 on: a stored 5-seed run)" in moved
    assert "gradient x $\\|x_L\\|$ at 2-8 and 16-128 blocks: appendix A." in section
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)
    widget = nb.unique_index(sources, "product_slope = seed_slope(seeds_0_2)")
    printed = nb.printed(cells[widget])
    assert "L = 2: 10.4, L = 4: 9.5, L = 8: 9.5, L = 16: 10.6, L = 32: 9.6, L = 64: 9.7, L = 128: 9.6" in printed
    assert nb.hidden(cells[widget + 1]) and "== (9.5, 10.6)" in sources[widget + 1]
    # the moved checks live in appendix A
    appendix = "\n".join(nb.sources(APPENDIX))
    assert "assert pre_seed.low < _fall < pre_seed.high" in appendix
    assert "[round(v, 2) for v in squared_slope] == [0.96, 0.83, 1.10]" in appendix
    assert "Gradient x $\\|x_L\\|$ is flat:" in moved  # 24d: moved out of the Summary with its cell


def test_n_defined_once_and_dropout_placed() -> None:
    sources = nb.sources(LESSON)
    letters = nb.flat(sources[nb.unique_index(sources, "**Letters**")])
    assert "N tokens (197 in ViT-B/16: 196 patches and the class token)" in letters and "N patches" not in letters
    section0 = nb.flat(sources[nb.unique_index(sources, "## 0 · The block at a glance")])
    assert "N counts" not in section0 and "N = 197" not in section0
    timm = nb.flat(sources[nb.unique_index(sources, "**Two more things timm's `Block` can put on a branch.**")])
    placed = "`attn_drop` on the attention weights, `proj_drop` after `proj`, and in the MLP after GELU and after `fc2`"
    assert placed in timm


def test_summary_reads_without_appendix_letters_and_names_later_blocks() -> None:
    summary = _summary(LESSON)
    assert "appendix C" not in summary and "appendix A" not in summary and "appendix F" not in summary
    assert "ReLU changes 22 of 1,000 predictions" in _summary(APPENDIX) and "ReLU changes" not in summary  # 22c
    assert "22 of 1,000 predictions changed" in nb.all_printed(APPENDIX)  # the number, printed
    assert "Lemma 2" not in summary and "affine" not in summary  # the band lives in appendix A's summary
    assert "SwiGLU (Shazeer 2020" in summary and "RMSNorm (Zhang & Sennrich 2019" in summary
    assert "LLaMA (Touvron et al. 2023) uses both; EVA-02" in summary
    assert "below Lemma 2's band at\n" not in _summary(APPENDIX)
    assert "lies below Lemma 2's band at 2 and 4 blocks and inside it from 8 to 128" in _summary(APPENDIX)

"""Lesson 04, fix 21f (review r21e_04): section 6 no longer says Xiong et al. 'assume' a linear squared norm; it
prints the slopes Lemma 2's affine band gives over 2-16 blocks and the squared norm added per block (lesson and
appendix A); the 16-128-block numbers live in appendix A only; 6c's parenthesis is a sentence; the summary bullet
says the idea in words, numbers once; 6a says what the probe measures; the MLP's gate is 'input-dependent';
exercise 1's checker grid holds x = 0 exactly, so an x / x slope fails as not finite."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_gelu_slope
from vit_explained.plotting.lesson04 import plot_final_norm_ablation

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


def test_lemma_2_band_slopes_and_increments_printed_asserted_and_said() -> None:
    sources = nb.sources(LESSON)
    widget = nb.unique_index(sources, "stream_explorer = residual_stream_widget(")
    # 21i: band slopes and increments moved to appendix A; 22a: the per-seed fit and the line too (lookups moved)
    appendix_printed, appendix = nb.all_printed(APPENDIX), "\n".join(nb.sources(APPENDIX))
    assert "||x_L||^2 ~ L^+0.96 [+0.83, +1.10] over 2-16 blocks" in appendix_printed
    assert "1 / (8.2 + 1.33 L) goes as L^-0.48 there" in appendix_printed
    assert "over 2-16 blocks: L^0.72 and L^0.88" in appendix_printed
    assert "||x_L||^2 added per block, 2->4, 4->8, 8->16: 33, 45, 62 (mean of seeds)" in appendix_printed
    assert "[round(v, 2) for v in band_edges] == [0.72, 0.88]" in appendix
    assert "[round(v) for v in squared_step] == [33, 45, 62]" in appendix and "rising in every seed" in appendix
    prose = nb.flat(sources[widget - 1])
    text = nb.flat(nb.all_text(APPENDIX))  # 22a: -0.48 within 6a's per-seed interval, said and asserted in appendix A
    assert "falls as $L^{-0.48}$ there. So section 6's per-seed interval, [-0.62, -0.32], holds" in text
    assert "assert pre_seed.low < _fall < pre_seed.high" in appendix
    assert "Lemma 2's band edges give 0.72 and 0.88 here" in text  # 22a (r21l_04 item 6): no 'faster than' a band
    assert "(33, 45, 62; rising in every seed)" in text
    assert "fit equally well, so they do not show which route" in text and "faster than affine" not in prose
    for text in (nb.all_text(LESSON), nb.all_text(APPENDIX)):
        assert "as Xiong et al. assume" not in nb.flat(text) and "as the lemma has it" not in nb.flat(text)


def test_appendix_a_prints_the_band_slopes_and_increments() -> None:
    printed = nb.all_printed(APPENDIX)
    assert "Lemma 2's band edges over 2-16 blocks: L^0.72 and L^0.88 (an affine law)" in printed
    assert "||x_L||^2 added per block, 2->4, 4->8, 8->16: 33, 45, 62" in printed
    text = nb.flat(nb.all_text(APPENDIX))
    assert "where an affine law adds a constant amount" in text
    assert "Lemma 2's band edges give 0.72 and 0.88 here" in text  # 22a: the band's slopes, not a form to beat


def test_deeper_numbers_moved_to_appendix_a_one_sentence_left() -> None:
    sources = nb.sources(LESSON)
    start = nb.unique_index(sources, "## 6 · Where the norm sits")
    end = nb.unique_index(sources, "## 7 · Dropout, DropPath and LayerScale")
    section = "\n".join(sources[start:end])
    assert "1.16" not in section and "-0.62" not in section.replace("[-0.62, -0.32]", "")
    assert section.count("16-128") == 1  # 22a: the stored run behind the direct test
    # 21i: [-0.62, -0.32] is 6a's per-seed interval (printed in 6a), not the 16-128-block slope
    printed = nb.all_printed(APPENDIX)
    assert "the gradient ~ L^-0.62 [-0.72, -0.52]; ||x_L||^2 ~ L^+1.16 [+1.11, +1.21]" in printed


def test_per_seed_slopes_printed_beside_the_pooled_ones() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    at = nb.unique_index(sources, "designs, stream_squared = depth_experiment(depths, seeds)")
    printed = nb.printed(cells[at])
    assert "post-norm  L^-0.02 [-0.29, +0.26]" in printed  # 22a: per seed only; the pooled ones in appendix A
    assert "pre-norm   L^-0.47 [-0.62, -0.32]" in printed
    quoted = "per seed (t over the 3 seeds' slopes, as the lesson quotes it): L^-0.47 [-0.62, -0.32]"
    assert quoted in nb.all_printed(APPENDIX)
    assert "share their first blocks across depths" in sources[at]
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1]) and 'per_seed["post-norm"].low < 0 < per_seed["post-norm"].high' in check


def test_6c_parenthesis_is_a_sentence_and_6a_names_the_probe() -> None:
    sources = nb.sources(LESSON)
    question = nb.flat(sources[nb.unique_index(sources, "**6c · And in training?**")])
    assert "unlike 6a's probe, where post-norm has no final norm" in question and "gives post-norm none" not in question
    head = nb.flat(nb.all_text(APPENDIX))  # 21i: section 6a's probe description moved to appendix A
    assert "What the probe measures:" in head
    assert "gradient's norm for 8 x 16 random tokens and labels, a 10-class head on token 0, cross-entropy," in head
    assert "Xavier weights, GELU (Xiong et al.: ReLU)." in head


def test_summary_bullet_in_words_numbers_once() -> None:
    sources = nb.sources(LESSON)
    summary = nb.flat(sources[nb.unique_index(sources, "## Summary")])
    bullet = summary[summary.index("**At initialisation**") : summary.index("**In training**")]
    assert "shrinks with depth because the final LayerNorm divides by a growing stream" in bullet
    assert bullet.count("$L^{-0.47}$") == 1 and "1.16" not in bullet
    assert "-0.62" not in bullet.replace("[-0.62, -0.32]", "")  # 22a: the per-seed interval, not the 16-128 slope
    # 22a: the band moved with its numbers to appendix A's summary (r21l_04 item 6: "from 8 to 128", printed there)
    appendix = nb.sources(APPENDIX)
    app_summary = nb.flat(appendix[nb.unique_index(appendix, "## Summary")])
    assert "lies below Lemma 2's band at 2 and 4 blocks and inside it from 8 to 128" in app_summary


def test_mlp_gate_is_input_dependent() -> None:
    sources = nb.sources(LESSON)
    text = nb.flat(sources[nb.unique_index(sources, "Both ablations cost accuracy")])
    assert "only step with an input-dependent gate on single features of a token" in text


def test_ablation_legend_names_the_bound() -> None:
    fig = plot_final_norm_ablation({"layernorm": (-0.47, -0.56, -0.38)})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert "slope -0.5 (the rate of Xiong et al.'s bound)" in legend
    assert not any("linear in L" in line for line in legend)


def _pdf(x):
    return torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)


def test_x_over_x_slope_fails_as_not_finite() -> None:
    def over_x(x):  # (x Phi(x)) / x: right everywhere but x = 0, where it is 0 / 0
        cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
        return (x * cdf) / x + x * _pdf(x)

    with pytest.raises(ExerciseFailed, match="not finite"):
        check_gelu_slope(over_x)


def test_three_right_slopes_still_pass() -> None:
    def by_erf(x):
        return 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * _pdf(x)

    def by_erfc(x):
        phi = 0.5 * torch.erfc(-x / math.sqrt(2))
        return phi + x * torch.exp(-(x**2) / 2) * (2 * math.pi) ** -0.5

    def by_numpy(x):
        from scipy.stats import norm

        values = x.detach().numpy()
        return norm.cdf(values) + values * norm.pdf(values)

    for answer in (by_erf, by_erfc, by_numpy):
        check_gelu_slope(answer)
    assert np.isfinite(by_numpy(torch.zeros(1))).all()

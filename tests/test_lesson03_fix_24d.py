"""Lesson 03, review r24c: the flat gradient at the scores is scoped to the softmax's Jacobian (appendix G draws the
gradient at the layer's output: it grows like sqrt(d), the share passed back does not); section 3's 400-row re-draw,
q-gradient paragraph and full training table moved to appendix G; the rows figure shows 10 keys and the norms; the
init shares carry their seed ranges; exercise 6 requires a torch.Tensor; SDPA's shapes, the saturated-rows legend and
timm's dropouts in the shape walk."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from einops import rearrange

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed, lesson03
from vit_explained.plotting import lesson03 as plots
from vit_explained.softmax_scale import layer_gradient_lines, layer_score_gradient, softmax_saturation

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX_CELLS = nb.cells(APPENDIX)
APPENDIX_SOURCES = nb.sources(APPENDIX)
SUMMARY = nb.unique_index(SOURCES, "## Summary")
SECTION_3 = nb.unique_index(SOURCES, "## 3 · Why divide by")
SECTION_4 = nb.unique_index(SOURCES, "## 4 · What grows with what")


def test_item_1_the_lead_says_the_flat_gradient_isolates_the_softmax():
    # review r24e: the caveat moved under the table; "the attention weights A", not "the weights"
    lead = nb.flat(SOURCES[nb.unique_index(SOURCES, "Without the scale, 37 % of the rows saturate")])
    assert "the gradient reaching the attention weights $A$ is $dO\\,V^\\top$, a sum over $d$ value features" in lead
    assert "this flat 0.11 isolates the softmax's Jacobian, not the whole layer" in lead
    assert "#layer-gradient" in lead
    main = nb.flat("\n".join(SOURCES[:SUMMARY]))
    assert "makes the gradient independent of $d$" not in main  # the over-reaching bold line is gone
    takeaway = nb.flat(SOURCES[nb.unique_index(SOURCES, "**With the scale, the softmax passes back the same share")])
    assert "the same share of the gradient it receives at every $d$**" in takeaway
    summary = nb.flat(SOURCES[SUMMARY])
    assert "independent of the head width" not in summary
    assert "the softmax passes back the same share of the gradient it receives at every $d$" in summary


def test_item_1_appendix_g_draws_the_gradient_at_the_output():
    anchor = nb.unique_index(APPENDIX_SOURCES, '<a id="layer-gradient"></a>')
    g = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-g"></a>')
    h = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-h"></a>')
    code = nb.unique_index(APPENDIX_SOURCES, "layer_runs = {d_: [layer_score_gradient(d_, seed=seed)")
    assert g < anchor < code < h and nb.hidden(APPENDIX_CELLS[code + 1])
    printed = nb.printed(APPENDIX_CELLS[code])
    assert "i.i.d. N(0, 1) gradient at the layer's output; 5 seeds" in printed
    assert "   4 |                26.37      0.35  0.013 |             26.37      0.21  0.008" in printed
    assert " 1024 |               448.28      2.07  0.005 |            448.28      3.53  0.008" in printed
    check = APPENDIX_SOURCES[code + 1]
    assert '== ["0.21", "3.53"]' in check and "0.11 * math.sqrt(d_)" in check and '== "0.008"' in check
    reading = nb.flat(APPENDIX_SOURCES[code + 2])
    assert "from 0.21 at $d = 4$ to 3.53 at $d = 1024$" in reading and "stays 0.008 at every $d$" in reading


def test_item_1_the_package_function_grows_like_sqrt_d_and_keeps_the_share():
    small, large = layer_score_gradient(4, seed=0), layer_score_gradient(256, seed=0)
    growth = large["scaled"]["grad_scores"] / small["scaled"]["grad_scores"]
    assert abs(growth / math.sqrt(256 / 4) - 1) < 0.1  # like sqrt(d)
    assert abs(large["scaled"]["share"] / small["scaled"]["share"] - 1) < 0.05  # the same share
    iid = softmax_saturation(64, seed=0)["scaled"]["grad_scores"]  # section 3's i.i.d. model: share x sqrt(N)
    assert abs(layer_score_gradient(64, seed=0)["scaled"]["share"] * math.sqrt(197) / iid - 1) < 0.05
    assert layer_gradient_lines({4: [small], 256: [large]}).splitlines()[0].endswith("1 seeds; mean per-row norms")


def test_item_2_section_3_moved_its_side_results_to_appendix_g():
    main = "\n".join(SOURCES[SECTION_3:SECTION_4])
    main_printed = "\n".join(nb.printed(c) for c in CELLS[SECTION_3:SECTION_4] if c["cell_type"] == "code")
    assert "rows_above" not in main and "different draws" not in main_printed  # the 400-row re-draw
    assert "an extra factor $\\sqrt{d} = 8$" not in main  # the q-gradient paragraph
    assert "loss" not in main_printed and "-0.022" not in main  # the full training table
    training = nb.unique_index(SOURCES, "**In training.**")
    # the nominal line and two rows; review r24e: plus the learning rate's line, every line pinned
    printed = nb.printed(CELLS[training + 1]).strip().splitlines()
    assert len(printed) == 4 and printed[1].startswith("learning rate, both arms: 0.003")
    assert [line.split(",")[1].split()[0] for line in printed[2:]] == ["accuracy", "accuracy"]
    appendix = nb.flat("\n".join(APPENDIX_SOURCES))
    assert "Section 3's counterpoint in full" in appendix and "an extra factor $\\sqrt{d} = 8$" in appendix
    main_path = nb.main_path(LESSON)
    assert len(main_path) <= 47 and nb.markdown_words(main_path) < 2472


def test_item_3_the_rows_figure_shows_ten_keys_and_the_norms():
    code = nb.unique_index(SOURCES, "fig = plots.plot_softmax_rows((64, 64),")
    assert "shown_keys=10" in SOURCES[code]
    fig = plots.plot_softmax_rows((64, 64), seeds=(0, 1), shown_keys=10)
    weight_axes = fig.axes[:2]
    assert all(ax.get_xlim() == (-0.5, 9.5) for ax in weight_axes)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert sum(t.startswith("norm ") for t in texts) == 2


def test_item_4_the_init_shares_carry_their_seed_ranges():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "The 37 % holds for unit-variance")])
    assert "36.2 % of rows (3 seeds: 35.0..37.0)" in text and "0.4 % (0.3..0.4)" in text and "0.8 % (0.6..1.1)" in text
    printed = nb.all_printed(APPENDIX)
    for shown in ("36.2 % (3 seeds: 35.0..37.0)", "0.4 % (3 seeds: 0.3..0.4)", "0.8 % (3 seeds: 0.6..1.1)"):
        assert shown in printed


def _right(weight: torch.Tensor, heads: int):
    return rearrange(weight, "(h three d) i -> (three h d) i", three=3, h=heads)


def _right_reshape(weight: torch.Tensor, heads: int):
    return weight.reshape(heads, 3, -1, weight.shape[-1]).transpose(0, 1).reshape(weight.shape)


def _right_index(weight: torch.Tensor, heads: int):
    d = weight.shape[0] // (3 * heads)
    rows = [h * 3 * d + part * d + i for part in range(3) for h in range(heads) for i in range(d)]
    return weight[torch.tensor(rows)]


@pytest.mark.parametrize("right", [_right, _right_reshape, _right_index])
def test_item_6_three_right_tensor_answers_pass(right, capsys):
    lesson03.check_to_timm_qkv(right)
    assert "Correct" in capsys.readouterr().out


def test_item_6_a_correct_numpy_answer_is_refused_naming_torch_tensor():
    with pytest.raises(ExerciseFailed) as failed:
        lesson03.check_to_timm_qkv(lambda w, h: _right(w, h).numpy())
    message = str(failed.value)
    assert "return a torch.Tensor" in message and "numpy.ndarray" in message and "also works" not in message
    with pytest.raises(ExerciseFailed, match=r"torch\.Tensor"):
        lesson03.check_to_timm_qkv(lambda w, h: np.asarray(w))  # a wrong numpy answer: the same short message


def test_items_7_8_9_sdpa_shapes_the_legend_and_timm_dropouts():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "### The same as PyTorch's attention")])
    assert "It takes $(..., N, d)$ tensors, here $(B, h, N, d)$" in text
    assert "It takes $(B, h, N, d)$ tensors" not in text
    runs = {d: [softmax_saturation(d, seed=s) for s in range(2)] for d in (4, 64)}
    means = plots.saturation_means(runs)
    fig = plots.plot_softmax_saturation([4, 64], means["unscaled"], means["scaled"], num_keys=197)
    labels = [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    assert any("(d = 4: under 1% saturate, not drawn)" in label for label in labels)
    walk = SOURCES[nb.unique_index(SOURCES, "B, N, D, heads = 2, 197, 768, 12")]
    assert "# timm 1.0.28 Attention: attn_drop (dropout on the weights here), proj_drop after proj" in walk

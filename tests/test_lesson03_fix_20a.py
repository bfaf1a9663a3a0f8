"""Lesson 03, review r19d: section 0 stays about one query (the several-heads training result moved to appendix F),
exercise 6 converts an (h three d) fused weight to timm's (three h d) with ``heads``, section 3's training table
shrinks to its verdict line, SDPA's back-ends for torch 2.13, cross-attention with a real context sequence, the
d = 4 row's small gradient, and the softmax module a hook reads."""

from __future__ import annotations

import pytest
import torch
from einops import rearrange

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import check_to_timm_qkv

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "03_attention_shapes_solutions.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX_SOURCES = nb.sources(APPENDIX)
SECTION_0 = nb.unique_index(SOURCES, "## 0 · What queries, keys and values are for")
SECTION_1 = nb.unique_index(SOURCES, "## 1 · One batch through ViT-B attention")
SECTION_3 = nb.unique_index(SOURCES, "## 3 · Why divide by")
SECTION_4 = nb.unique_index(SOURCES, "## 4 · What grows")
SUMMARY = nb.unique_index(SOURCES, "## Summary")


def test_items_1_2_section_0_is_about_one_query_and_points_to_appendix_f():
    section_0 = "\n".join(SOURCES[SECTION_0:SECTION_1])
    assert "heads_training" not in section_0 and "3.8" not in section_0  # the training result left section 0
    appendix_cells = nb.cells(APPENDIX)  # review r20g: the strip moved to appendix E with its pointer and check
    strip = nb.unique_index(APPENDIX_SOURCES, "plots.plot_query_heads(")
    printed = nb.printed(appendix_cells[strip])
    assert "head 3: patch 10 (row 1, col 3), weight 0.30" in printed and "paired seeds" not in printed
    pointer = nb.flat(APPENDIX_SOURCES[strip + 1])
    assert "not measured on this MNIST model" in pointer and "#appendix-f" in pointer
    assert "scikit-learn's 8x8 digits" in pointer
    assert nb.hidden(appendix_cells[strip + 2]) and "several_heads" not in APPENDIX_SOURCES[strip + 2]
    f = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-f"></a>')
    g = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-g"></a>')
    appendix_f = "\n".join(APPENDIX_SOURCES[f:g])
    assert "print(heads_training_line(scale_runs))" in appendix_f and "several_heads.low > 0" in appendix_f
    assert "difference +3.8 points [+2.7, +4.8] (95 % t, 10 paired seeds)" in nb.all_printed(APPENDIX)


def _right_einops(weight, heads):
    return rearrange(weight, "(h three d) i -> (three h d) i", three=3, h=heads)


def _right_permute(weight, heads):
    return weight.reshape(heads, 3, -1, weight.shape[-1]).permute(1, 0, 2, 3).reshape(weight.shape)


def _right_loop(weight, heads):
    d = weight.shape[0] // (3 * heads)
    return torch.cat([weight[(h * 3 + t) * d : (h * 3 + t + 1) * d] for t in range(3) for h in range(heads)])


@pytest.mark.parametrize("answer", [_right_einops, _right_permute, _right_loop])
def test_item_3_exercise_6_accepts_right_answers_written_differently(answer):
    check_to_timm_qkv(answer)


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (lambda w, h: w.clone(), r"in their \(h three d\) order"),
        (lambda w, h: rearrange(w, "(d three h) i -> (three h d) i", three=3, h=h), "swapped the heads and the head"),
        (lambda w, h: w.reshape(h, 3, -1, w.shape[-1]).permute(1, 2, 0, 3).reshape(w.shape), r"\(three d h\)"),
        (lambda w, h: rearrange(w, "(three h d) i -> (h three d) i", three=3, h=h), "the wrong way"),
        (lambda w, h: w.reshape(h, 3, -1, w.shape[-1])[:, [2, 1, 0]].transpose(0, 1).reshape(w.shape), r"\(v, k, q\)"),
        (lambda w, h: _right_einops(w, h).T, "transposed"),
        (lambda w, h: _right_einops(w, h).chunk(3), "not 3 pieces"),
        (lambda w, h: _right_einops(w, h).float(), "keep the given weight's dtype"),
        (lambda w, h: w.copy_(_right_einops(w, h)), "in place"),
    ],
)
def test_item_3_exercise_6_names_the_slips(answer, named):
    with pytest.raises(ExerciseFailed, match=named):
        check_to_timm_qkv(answer)


def test_item_3_exercise_6_needs_heads_and_matches_the_solutions():
    with pytest.raises(ExerciseFailed):  # a head count fixed at 2 fails the 4-head case
        check_to_timm_qkv(lambda w, h: _right_einops(w, 2))
    texts = [[s for s in nb.sources(p) if s.startswith("### Exercise 6")] for p in (LESSON, SOLUTIONS)]
    assert texts[0] == texts[1] and len(texts[0]) == 1
    text = nb.flat(texts[0][0])
    assert "`to_timm_qkv(weight, heads)`" in text and "GPT-NeoX and UvA's" in text and "`(three h d)`" in text
    assert "lesson03.check_to_timm_qkv(to_timm_qkv)" in SOURCES
    solution = next(s for s in nb.sources(SOLUTIONS) if s.startswith("def to_timm_qkv("))
    assert "heads" in solution.split('"""')[-1]  # the model answer uses heads


def test_item_4_section_3_training_is_one_verdict_line_and_the_table_is_in_appendix_g():
    training = nb.unique_index(SOURCES, "**In training.** `benchmarks/bench_lesson03_scale.py`")
    assert SECTION_3 < training < SECTION_4
    code = training + 1
    table = nb.unique_index(APPENDIX_SOURCES, 'print("\\n".join(scale_training_lines(scale_runs).splitlines()[2:]))')
    lines = nb.printed(nb.cells(APPENDIX)[table]).strip().splitlines()[-4:]  # review r24c: the full table, appendix G
    # review r20g: both widths' loss and accuracy lines, the d = 64 accuracy verdict last
    assert len(lines) == 4 and [line.strip().split(":")[0] for line in lines] == [
        "d = 16, loss     0.228 vs 0.250",
        "d = 64, loss     0.577 vs 0.345",
        "d = 16, accuracy 95.6 % vs 95.0 %",
        "d = 64, accuracy 83.8 % vs 91.2 %",
    ]
    verdict = "d = 64, accuracy 83.8 % vs 91.2 %: -7.4 points [-10.4, -4.4], seeds -12.2..+0.6: scaled higher"
    assert lines[-1].strip() == verdict
    assert nb.printed(CELLS[code]).strip().splitlines()[-1].strip() == verdict  # the main path's two rows end with it
    assert nb.hidden(CELLS[code + 1]) and "accuracy_64.estimate" in SOURCES[code + 1]
    prose = nb.flat(SOURCES[training])
    assert "7.4 points less accuracy, 95 % interval 4.4 to 10.4" in prose and "#appendix-g" in prose
    assert "1 % of rows" not in prose and "larger gradient" not in prose  # the candidate causes: appendix G
    appendix = nb.flat("\n".join(APPENDIX_SOURCES))
    assert "$\\sqrt{d}$-larger gradient that reaches $W_q$ and $W_k$ without the scale" in appendix
    assert "d = 16, loss     0.228 vs 0.250" in nb.all_printed(APPENDIX)  # the whole table stays in appendix G
    for keep in ("plots.plot_softmax_saturation(", "a \\odot (g - \\langle g, a \\rangle)"):
        assert SECTION_3 < nb.unique_index(SOURCES, keep) < training  # the picture and the VJP stay
    g = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-g"></a>')
    assert g < nb.unique_index(APPENDIX_SOURCES, "plots.plot_softmax_rows(")  # review r20d: the rows, appendix G


def test_item_5_sdpa_backends_for_torch_2_13():
    # review r20b: the back-end list and its check moved to appendix J; the lesson keeps one sentence and the link
    lesson = nb.flat(SOURCES[nb.unique_index(SOURCES, "### The same as PyTorch's attention")])
    assert "torch 2.13" in lesson and "#appendix-j" in lesson and "OVERRIDEABLE" not in lesson
    j = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-j"></a>')
    text = nb.flat(APPENDIX_SOURCES[j])
    assert "flash, memory-efficient, cuDNN and math on GPU" in text and "`OVERRIDEABLE`" in text
    assert "runs a blockwise flash kernel or math" in text and "torch 2.13" in text
    check = APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "backends = {")]
    assert nb.hidden(nb.cells(APPENDIX)[j + 1]) and "backends = {" in APPENDIX_SOURCES[j + 1]
    assert "CUDNN_ATTENTION" in check and "_scaled_dot_product_flash_attention_for_cpu" in check
    assert "torch._fused_sdp_choice(q, k, v) == SDPBackend.FLASH_ATTENTION.value" in check  # flash chosen here
    layouts = SOURCES[nb.unique_index(SOURCES, "UvA's deep-learning tutorial 6 uses")]
    assert "Exercise 6 converts one order to the other" in nb.flat(layouts)


def test_item_6_cross_attention_runs_a_context_sequence_through_the_projections():
    # review r23c: cross-attention moved to appendix A with its check; one sentence and a link stay in section 1
    cells, sources = nb.cells(APPENDIX), APPENDIX_SOURCES
    code = nb.unique_index(sources, "context = torch.randn(B, 7, D")
    assert "attn.qkv(context)" in sources[code] and "attn.qkv(x[:, :5])" in sources[code]
    printed = nb.printed(cells[code])
    assert "(2, 12, 5, 7)" in printed and "(2, 12, 5, 64)" in printed
    assert nb.hidden(cells[code + 1]) and "F.scaled_dot_product_attention(q_x, k_c, v_c)" in sources[code + 1]
    assert "`context` of 7 other tokens" in nb.flat(sources[code - 1])


def test_item_7_the_d4_row_passes_back_little_gradient_too():
    text = nb.flat(APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "**Why, on one row**")])  # appendix G (r20d)
    # review r20b: the claim is now the population's (median rows, 400 seeds), checked in test_lesson03_fix_20c.py
    assert "1.5 times the 0.157 of the nearly uniform $d = 4$ rows" in text
    check = APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "narrow_row, narrow_grad = plots.softmax_row(4")]
    assert "rows_64.median_norm() < narrow_median" in check
    assert 'f"{unsaturated_median / narrow_median:.1f}" == "1.5"' in check


def test_item_8_the_softmax_module_is_named():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "We build `Attention` with ViT-B's sizes")])
    # review r20d: the hook sees the weights only on the explicit path (tests/test_lesson03_fix_20e.py counts it)
    assert "an `nn.Softmax`\nmodule, `attend`".replace("\n", " ") in text
    # review r24a: the hook count moved to appendix I (tests/test_lesson03_fix_20e.py reads it there)
    hook_text = nb.flat(APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "**A hook on the softmax module.**")])
    assert "only on the explicit path" in hook_text
    assert "attend): Softmax" in nb.printed(CELLS[nb.unique_index(SOURCES, "attn = Attention(D, heads)  # ViT-B")])

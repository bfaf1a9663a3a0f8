"""Lesson 03, review r20d: the hook on `attend` fires only on the explicit path (counted), section 0's
trained attention has a re-initialised baseline and names the rule's picks, the q-gradient ratio is printed,
the scale-folding point links appendix G, the synthetic q and k are named as such, T2T's vendored timm-style
`Attention` runs as a spelling, and the one-row panels and the init table moved on to appendix G."""

from __future__ import annotations

import torch

from tests import _notebook as nb
from vit_explained import Attention
from vit_explained.plotting import lesson03 as plots

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX_SOURCES = nb.sources(APPENDIX)
SUMMARY = nb.unique_index(SOURCES, "## Summary")


def test_item_1_the_hook_fires_only_on_the_explicit_path_and_is_counted():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "We build `Attention` with ViT-B's sizes")])
    assert "so a forward hook can read the attention weights" not in text
    # review r24a: the hook count moved from section 1 to appendix I (same assertions there)
    text = nb.flat(APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "**A hook on the softmax module.**")])
    assert "fires only on the explicit path (`attn.fused = False` or `return_attention=True`)" in text
    assert "the default fused SDPA path never calls it" in text
    appendix_cells = nb.cells(APPENDIX)
    code = nb.unique_index(APPENDIX_SOURCES, "hook_calls = {}")
    assert "{'default (fused)': 0, 'fused = False': 1, 'return_attention=True': 1}" in nb.printed(appendix_cells[code])
    assert nb.hidden(appendix_cells[code + 1]) and '"default (fused)": 0' in APPENDIX_SOURCES[code + 1]
    layer, calls = Attention(16, 2), []
    layer.attend.register_forward_hook(lambda module, inputs, output: calls.append(1))
    layer(torch.randn(1, 5, 16))
    assert calls == []  # the package itself: the fused path skips the module


def test_item_2_section_0_has_a_reinitialised_baseline_and_the_rules_picks():
    cells, sources = nb.cells(APPENDIX), APPENDIX_SOURCES  # review r20g: section 0's trained half is appendix E
    code = nb.unique_index(sources, "plots.ink_baseline(")
    printed = nb.printed(cells[code])
    assert "same architecture, parameters re-drawn (seeds 0..2), all heads: 29%..31%" in printed
    assert "trained: 86%..91%" in printed
    assert "the head rule's pick on test images 0..19: 2 3 2 3 2 1 3 0 1 2 3 3 3 3 3 2 1 1 2 3" in printed
    text = nb.flat(sources[code + 1])
    assert "On this 6, re-drawn parameters (seeds 0 to 2) put 29 to 31 %" in text and "heads 0, 1, 2 and 3" in text
    assert "below its head's 91 %" in text
    check = sources[code + 2]
    assert nb.hidden(cells[code + 2]) and "set(baseline.picks) == {0, 1, 2, 3}" in check
    assert "row_on_ink < ink_by_head[head].item()" in check and "re_drawn.max() < ink_by_head.min()" in check


def test_item_3_the_q_gradient_ratio_is_printed_and_said():
    # review r20g: the gradient at q left section 3 for appendix G, where its numbers are printed and checked
    cells, sources = nb.cells(APPENDIX), APPENDIX_SOURCES
    code = nb.unique_index(sources, "print(saturation.mean_lines())")
    assert "no scale / scale, mean gradient at each query:\n  d =   16: 9.0" in nb.printed(cells[code])
    assert "d =   64: 14.1 (5 seeds: 13.3..15.0)" in nb.printed(cells[code])
    text = nb.flat(sources[code - 1])
    assert "14 times at 64 and 17 times at 256" in text
    # the ratio at q is sqrt(d) times the one at the scores, and it grows far more slowly than sqrt(d)
    assert "That is $\\sqrt{d}$ times the ratio at the scores" in text
    assert "much more slowly than $\\sqrt{d}$ (4 to 16" in text and "grows with $\\sqrt{d}$" not in text
    assert "abs(at_q / (math.sqrt(d_) * at_scores) - 1) < 0.1" in sources[code + 1]
    assert "query_ratio[256].mean / query_ratio[16].mean < math.sqrt(256 / 16) / 2" in sources[code + 1]
    main = "\n".join(SOURCES[:SUMMARY])
    assert "14 times the scaled one" not in main and "9 to 17" not in main


def test_items_4_5_folding_link_and_synthetic_q_k():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "**What the scale buys:**")])
    assert "folded into $W_q$, so it changes nothing the layer can express" in text
    assert "03_attention_shapes_appendix.ipynb#fold-scale" in text
    assert '<a id="fold-scale"></a>\n**Folding the scale into $W_q$.**' in "\n".join(APPENDIX_SOURCES)
    lead = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 3 · Why divide by")])
    assert "Measured at initialisation" not in lead
    # review r24e: the set-up sentence moved under the table
    lead = nb.flat(SOURCES[nb.unique_index(SOURCES, "Without the scale, 37 % of the rows saturate")])
    assert "Measured on random unit-variance $q$ and $k$ (the assumption of Vaswani et al.'s footnote 4)" in lead


def test_item_6_t2t_vendored_timm_style_attention_runs_as_a_spelling():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 2 · One computation, many spellings")])
    assert "read, not run" not in text and "**timm-style, T2T's vendored copy**" in text
    code = nb.unique_index(SOURCES, "separate, einops_style = other_spellings(attn)")
    assert "plots.t2t_vendored_attention(attn)(x)" in SOURCES[code]
    # review r23c: the labels are padded to 32 for the "transformers 5.23.0 ViTAttention" row
    assert "timm-style, T2T's vendored copy  vs the package (fused qkv): max |difference| < 1e-5" in nb.printed(
        CELLS[code]
    )
    layer, x = Attention(32, 4), torch.randn(2, 7, 32)
    vendored = plots.t2t_vendored_attention(layer)
    assert type(vendored).__name__ == "Attention" and vendored.num_heads == 4 and vendored.qkv.bias is not None
    with torch.no_grad():
        assert (vendored(x) - layer(x)).abs().max() < 1e-5


def test_item_7_panels_and_init_table_moved_to_appendix_g_and_cell_10_is_short():
    section_3 = nb.unique_index(SOURCES, "## 3 · Why divide by")
    section_4 = nb.unique_index(SOURCES, "## 4 · What grows")
    main_3 = "\n".join(SOURCES[section_3:section_4])
    assert "init_saturation_lines" not in main_3
    # review r20g: one two-row picture (d = 64, saturated beside unsaturated) came back; the three panels stay in G
    assert main_3.count("plots.plot_softmax_rows(") == 1 and "plots.plot_softmax_rows((64, 64)," in main_3
    assert "plots.plot_softmax_saturation(" in main_3 and "37 % of the rows saturate" in main_3
    assert "7.4 points less accuracy" in main_3  # the training verdict stays
    g = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-g"></a>')
    h = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-h"></a>')
    for moved in ("plots.plot_softmax_rows(", "init_saturation_lines(", "narrow_row, narrow_grad", "mean_share = {"):
        assert g < nb.unique_index(APPENDIX_SOURCES, moved) < h, moved
    check = SOURCES[nb.unique_index(SOURCES, "head0, head1 = tiny_weights[0, 0], tiny_weights[0, 1]")]
    asserts = [line for line in check.splitlines() if line.startswith("assert")]
    assert len(asserts) <= 7 and all(', "' in line for line in asserts)  # each says what it checks
    assert sum(not nb.hidden(cell) for cell in CELLS[:SUMMARY]) <= 55


def test_item_9_plus_a_bias_once():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 0 · What queries, keys and values are for")])
    assert text.count("(plus a bias)") == 1

"""Lesson 03, review r23c: transformers' own ViTAttention in section 2's comparison, the Summary's training line
names the seeds added after a first look and drops appendix I's tenth, cell 33 prints 3 significant digits, the
mask check covers MHA's attn_mask, section 0's biases and row-stacked Q, and cross-attention moved to appendix A."""

from __future__ import annotations

import pytest
import torch

from tests import _notebook as nb
from vit_explained import Attention
from vit_explained.exercises import max_difference
from vit_explained.plotting import lesson03 as plots

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX_SOURCES = nb.sources(APPENDIX)
SUMMARY = nb.unique_index(SOURCES, "## Summary")


def test_item_3_the_hf_row_is_transformers_own_vit_attention():
    code = nb.unique_index(SOURCES, "**plots.hf_vit_attention_row(attn, x)}")
    printed = nb.printed(CELLS[code])
    assert "(HF)" not in printed and "separate Q/K/V (package copy)" in printed
    assert "transformers 5.23.0 ViTAttention vs the package (fused qkv): max |difference| < 1e-5" in printed
    check = SOURCES[code + 1]
    assert nb.hidden(CELLS[code + 1]) and "assert all(difference < 1e-5 for difference in style_differences" in check
    assert "len(style_differences) == 3 + len(hf_rows) and len(hf_rows) <= 1" in check


def test_item_3_the_helper_loads_the_real_class():
    transformers = pytest.importorskip("transformers")
    from transformers.models.vit.modeling_vit import ViTAttention

    torch.manual_seed(3)
    attention, tokens = Attention(32, heads=4).eval(), torch.randn(2, 9, 32)
    state = torch.random.get_rng_state()
    loaded = plots.hf_vit_attention(attention)
    assert torch.equal(state, torch.random.get_rng_state())  # the caller's random numbers are untouched
    assert loaded is not None and type(loaded[0]) is ViTAttention and loaded[1] == transformers.__version__
    with torch.no_grad():
        assert max_difference(loaded[0](tokens)[0], attention(tokens)) < 1e-5
        assert torch.equal(loaded[0].q_proj.weight, attention.qkv.weight[:32])  # queries first, then keys, values
        assert torch.equal(loaded[0].v_proj.bias, attention.qkv.bias[64:])
        (row,) = plots.hf_vit_attention_row(attention, tokens).items()
    assert (
        row[0] == f"transformers {transformers.__version__} ViTAttention"
        and max_difference(row[1], attention(tokens)) < 1e-5
    )


def test_items_4_and_7_the_summary():
    summary = nb.flat(SOURCES[SUMMARY])
    assert "showed no detectable difference (width and head count change together;" in summary
    assert "Seeds 3-9 of both were added after a first look." in summary
    assert "tenth" not in summary and "3136 tokens" not in summary
    assert "takes $4 B h N^2$ bytes in float32. The two products' FLOPs grow with $D N^2$" in summary


def test_item_10_three_significant_digits():
    code = nb.unique_index(SOURCES, "shuffled_with_positions = max_difference(")
    printed = nb.printed(CELLS[code])
    assert "max |difference| 0.152, 69% of those outputs' max |value| 0.219" in printed  # review r24b: with positions


def test_item_11_mha_attn_mask_is_true_means_blocked_too():
    check = SOURCES[nb.unique_index(SOURCES, "swapped_mask = mha_masks(")]
    assert "attn_mask=~keep.expand(5, 5), need_weights=False" in check
    assert "assert max_difference(blocked, ignored) < 1e-6" in check


def test_item_9_biases_and_row_stacked_q():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 0 · What queries, keys and values are for")])
    assert "$q = W_q x + b_q$" in text and "$k = W_k x + b_k$" in text and "$v = W_v x + b_v$" in text
    assert "$Q$ stacks the $q_i$ as rows ($Q = X W_q^\\top$ plus the bias, for tokens $X$ as rows)" in text


def test_item_1_cross_attention_moved_to_appendix_a():
    assert not any("context = torch.randn(B, 7, D" in s for s in SOURCES)
    pointer = nb.flat(SOURCES[nb.unique_index(SOURCES, "Queries and keys need not be equally many")])
    assert "(03_attention_shapes_appendix.ipynb#cross-attention)" in pointer and "$(B, h, N_q, N_k)$" in pointer
    anchor = nb.unique_index(APPENDIX_SOURCES, '<a id="cross-attention"></a>')
    assert nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-a"></a>') < anchor
    assert anchor < nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-b"></a>')
    assert APPENDIX_SOURCES[anchor + 1].startswith("context = torch.randn(B, 7, D")
    main = nb.main_path(LESSON)
    assert len(main) <= 48 and nb.markdown_words(main) <= 2479


def test_item_6_the_inits_are_rows_of_the_table():
    # review r24b: the init rows moved to appendix G with their check; section 3 keeps the table and one sentence
    table = nb.printed(CELLS[nb.unique_index(SOURCES, "saturation = summarize_saturation(runs)")]).splitlines()
    appendix_cells = nb.cells(APPENDIX)
    code = nb.unique_index(APPENDIX_SOURCES, "init_scaled = {init:")
    lines = nb.printed(appendix_cells[code]).splitlines()
    assert table[0] == "random unit-variance q, k; 8 heads x 197 keys; 5 seeds"
    assert "a fresh Attention(768, 12), d = 64, on 197 LayerNormed random tokens; 3 seeds" in lines
    rows = [line for line in lines if line.startswith("saturated rows, init ")]
    assert [row.split()[-2:] for row in rows] == [["0", "%"]] * 3  # the scale column: no init saturates a row
    column = len("saturated rows, init ".ljust(46)) + 2  # the inits' shares sit in the no-scale column
    assert [row[column:].split(" (")[0] for row in rows] == ["36.2 %", "0.4 %", "0.8 %"]
    assert "(3 seeds: 35.0..37.0)" in nb.flat(SOURCES[nb.unique_index(SOURCES, "The 37 % holds for unit-variance")])
    assert "assert all(share == 0 for share in init_scaled.values())" in APPENDIX_SOURCES[code + 1]


def test_item_3_section_2_names_the_real_class():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 2 · One computation, many spellings")])
    assert "and `transformers`' own `ViTAttention` if installed" in text  # review r24e: reworded

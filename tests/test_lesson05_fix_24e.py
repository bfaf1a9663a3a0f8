"""Lesson 05, review r24d_05: AdamW's step ratio beside section 3's gap, the seed-0 numbers marked, the D = 768 gap
scoped to its input, the 64-digit-batch caveat, "3 seeds x 4 blocks", and cell 31's exact attention-weighted
cross-covariance (checked against attention_backward)."""

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"
SOURCES, CELLS = nb.sources(LESSON), nb.cells(LESSON)
SEED_0 = "(seed 0, the shipped model)"


def _summary() -> str:
    return nb.flat(SOURCES[nb.unique_index(SOURCES, "## Summary")])


def test_item_1_adamw_step_ratio_printed_asserted_and_in_the_summary():
    at = nb.unique_index(SOURCES, "def step_ratio(")
    assert "torch.optim.AdamW" in SOURCES[at] and "torch.optim.SGD" in SOURCES[at]
    assert "but the step: v rows / q rows 1 after 1 and 1 after 10 AdamW steps, 285 after 1 SGD step (appendix E)" in (
        nb.printed(CELLS[at])
    )
    assert nb.hidden(CELLS[at + 1]) and "[round(r) for r in steps] == [1, 1, 285]" in SOURCES[at + 1]
    appendix_printed = nb.all_printed(APPENDIX)  # the same numbers as appendix E prints
    assert "v rows / q rows: 285" in appendix_printed and appendix_printed.count("v rows / q rows: 1\n") == 2
    summary = _summary()
    assert "The gradient gap does not carry into AdamW's update" in summary
    assert "is 1 after 1 and after 10 AdamW steps, 285 after one SGD step" in summary


def test_item_2_seed_0_numbers_marked():
    summary = _summary()
    assert "keeps 8 % of its gradient " + SEED_0 in summary
    assert "block 0 keeps 4 % " + SEED_0 in summary and "carries 61 % " + SEED_0 in summary
    assert "(seed 0's block 0: 96 % + 74 % > 100 %)" in nb.flat(SOURCES[nb.unique_index(SOURCES, "*no branch*")])
    assert "trained MNIST ViT, one checkpoint" in nb.all_printed(LESSON)  # the table these come from


def test_items_3_4_6_scopes():
    summary = _summary()
    assert "14 to 16 times on these 8x8 digits, 8 to 143 depending on the input (appendix B)" in summary
    appendix_printed = nb.all_printed(APPENDIX)
    assert "8 to   10" in appendix_printed and "129 to  143" in appendix_printed and "14 to  16" in appendix_printed
    assert "and on 64-digit batches (block 0 reaches 63 % at init, section 5)" in summary
    assert "on 8 batches of 64 digits (one gradient each): 31..63 %" in nb.all_printed(LESSON)
    surprise = nb.flat(SOURCES[nb.unique_index(SOURCES, "The right panel holds a surprise")])
    assert "(185 to 464 over 3 seeds x 4 blocks, appendix B)" in surprise
    assert 'init="timm" 185 to 464' in appendix_printed and "3 seeds x 4 blocks" in appendix_printed


def test_item_5_exact_attention_weighted_cross_covariance():
    what = nb.flat(SOURCES[nb.unique_index(SOURCES, "**What this says about the question.**")])
    assert r"= dO_i \cdot O_i$" in what and r"dO_i \cdot (V_j - O_i)$" in what
    assert r"M_i = \textstyle\sum_j A_{ij} (K_j - \tilde K_i)(V_j - O_i)^\top" in what
    assert "attention-weighted **cross-covariance** of keys and values" in what
    assert r"= dO_i \cdot \bar V$" not in what and "**covariance**" not in what
    assert r"every $M_i \approx$" in what
    check = SOURCES[nb.unique_index(SOURCES, "cell 31's exact form, for any A")]
    assert 'by_hand["dW_q"]' in check and "a_x.max() > 0.9" in check  # verified against attention_backward
    close = SOURCES[nb.unique_index(SOURCES, "every exact M_i (block 0's real A)")]
    assert "< 0.05" in close and "(a_0 - 1 / tokens_n).abs().max() < 0.005" in close
    assert "the covariance of keys" not in _summary() and "the cross-covariance of keys" in _summary()


def test_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 40 and nb.markdown_words(main) <= 2391

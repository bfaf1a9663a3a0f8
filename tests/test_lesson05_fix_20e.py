"""Lesson 05, review r20d (fixes 20e): every size of the v-versus-q/k ratio names its data and patch size, and
appendix B prints the input dependence at fixed width; the Answer names ||g_cut||/||g|| a second measure and quotes
the share of the same all-256 gradient; the share picture sits in section 5 above its definition; the class-token
paragraph ends section 4; the k bias's AdamW step is printed; the product 2.6 x 4.4 is printed; section 5 points to
appendix C's like-for-like ratios; cell 0 and the Answer open in plain words."""

from __future__ import annotations

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"

FRESH_VS_TRAINED = "**Fresh against trained copies of this architecture** (all 256"  # 23b: section 5


def test_the_ratio_names_its_data_and_the_input_dependence_is_printed():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    short = nb.flat(sources[nb.unique_index(sources, "## 3 · Gradient norms per layer")])
    surprise = nb.flat(sources[nb.unique_index(sources, "The right panel holds a surprise")])
    assert "ViT-B's width and heads" not in short + surprise and "on 8x8 digits in 2x2" in surprise  # 21a: cell 21
    assert "smaller patches raise it" not in surprise and "the appendix measures width and input (B)" in surprise
    after = nb.flat(sources[nb.unique_index(sources, "At the same width, heads and init, the input moves")])
    assert "129 to 143 on noise" in after  # 21a: the input dependence, said once, in appendix B
    appendix_b = nb.flat(sources[nb.unique_index(sources, "Hundreds of times holds at D = 32 only")])
    assert "so on these 8x8 digits in 2x2 patches at N = 17 the ratio falls roughly as $1/D$" in appendix_b
    at = nb.unique_index(sources, "by_input = {")
    assert nb.unique_index(sources, "### B ·") < at < nb.unique_index(sources, "### C ·")
    printed = nb.printed(cells[at])
    assert "uniform-noise RGB 224 px, 16 px patches (patch_dim 768)   129 to  143" in printed
    assert "224 px digits, 16 px patches (patch_dim 256)                8 to   10" in printed
    assert "8 px digits, 2 px patches (patch_dim 4)                    19 to   22" in printed
    check = cells[at + 1]
    assert (
        nb.hidden(check)
        and "ranges[1] == (129, 143)" in nb.source(check)
        and "ranges[2] == (19, 22)" in nb.source(check)
    )
    after = nb.flat(sources[at + 2])
    assert "about 8 to 10 on 224 px digits, 129 to 143 on noise, 19 to 22 on the 8 px digits" in after


def test_the_answer_names_a_second_measure_from_one_gradient():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    answer = nb.flat(sources[nb.unique_index(sources, "**Answer to the question:**")])
    assert "Said the other way" not in answer
    # 21c: the cut size leads (as in cell 0), the share is the table's other measure
    assert "    0 |              8 % |" in nb.all_printed(
        LESSON
    ) and "||g_cut|| / ||g||: every MLP route cut" in nb.all_printed(LESSON)  # 22a; 23b: two narrower tables
    assert "96/82/75/54 %" in answer and "keeps 8 %" in answer  # 22c; 24c: both measures' numbers
    assert "mean over 8 batches of 32 [95 % t interval]" in nb.all_printed(APPENDIX)  # 22a, 22c; 23b: appendix D
    assert "256 validation digits, one gradient" in nb.all_printed(LESSON)  # 22c: the Answer table's estimand
    table = nb.unique_index(sources, "batch_share = [t_interval(")
    assert "the same all-256 gradient's MLP share, blocks 0-3: 96, 82, 75, 54 %" in nb.printed(cells[table])
    assert "[round(100 * s) for s in trained_cut.qkv_share] == [96, 82, 75, 54]" in sources[table + 1]


def test_the_share_picture_sits_above_its_definition_once():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    picture = nb.unique_index(sources, "plot_share_arrows({")
    definition = nb.unique_index(sources, "**The MLP share** (the orange arrow above)")
    assert picture + 1 == definition and nb.unique_index(sources, "## 5 · Cut the MLP route") < picture
    assert sum("plot_share_arrows(" in s for s in sources) == 1


def test_the_class_token_paragraph_ends_section_4_without_a_forward_reference():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    tokens = nb.unique_index(sources, "**Which tokens carry it?**")
    assert nb.unique_index(sources, "**1. The weighted sum**") < tokens < nb.unique_index(sources, "Read the chart")
    assert tokens < nb.unique_index(sources, "## 5 · Cut the MLP route")
    assert "borrow" not in sources[tokens] and "model.zero_grad()" in sources[tokens + 1]


def test_the_k_bias_step_is_printed_and_asserted():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    at = nb.unique_index(sources, "def step_sizes(optimizer, steps")
    printed = nb.printed(cells[at])
    assert "AdamW, lr 1e-3, 1 step" in printed and "k bias 1.4e-06" in printed and "q, v bias 1.0e-03" in printed
    assert 'sizes["k bias"] < 1e-5' in sources[at + 1]
    assert "(printed: `k bias`, under 1e-5 per entry" in nb.flat(sources[at - 1])


def test_the_v_scaling_product_is_printed():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    at = nb.unique_index(sources, "per_unit_d_out = [")
    assert "q, k growth x dO shrink = 11.5 (3 seeds: 8.0..16.6)" in nb.printed(cells[at])
    assert "round(sum(per_unit_d_out) / 3, 1) == 11.5" in sources[at + 1]
    text = nb.flat(sources[nb.unique_index(sources, "Two sub-predictions fail.")])
    assert "2.6 x 4.4, about 11.5 times" in text and "Why $dO$ shrinks is not measured here." in text


def test_section_5_points_to_appendix_c_and_cell_0_opens_in_words():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    section_5 = nb.flat(sources[nb.unique_index(sources, FRESH_VS_TRAINED)])
    assert (  # 23b: the two scopes apart
        "at PyTorch's init, 8 to 83 (3 fresh seeds, blocks 0-3); trained, 1.7 to 2.8 (the one shipped checkpoint; "
        "appendix C prints them)" in section_5  # 23d
    )
    intro = nb.flat(sources[0])
    words = intro.split("**The short answer.**")[1].split("In numbers")[0].split("**The lesson in five steps**")[0]
    assert not any(ch.isdigit() for ch in words)
    assert "which comes back along the skips and the branches above, MLPs and attention" in words
    # 22c: the MLP share is not exclusive (the higher attention share overlaps it): "most through the MLPs" corrected
    answer = nb.flat(sources[nb.unique_index(sources, "**Answer to the question:**")])
    first = answer.split("**Answer to the question:**")[1].split("In one trained checkpoint")[0]
    assert "nearly all of block 0's qkv gradient had come back through the branches above it" in first  # 22c: corrected
    assert "the higher attention layers alike" in first
    assert "most of that $dO$ had come back through the MLPs" not in first


def test_the_main_path_stays_at_40_visible_cells():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    summary = nb.unique_index(sources, "## Summary")
    assert sum(1 for c in cells[:summary] if not nb.hidden(c)) <= 40  # 20e: the picture in, one markdown cell merged

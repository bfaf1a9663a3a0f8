"""Lesson 03, the 21a cut (reviews r20f_03, r20g_03): a main path of at most 50 visible cells and 2,500 words with
section 0's trained half moved to appendix E, section 3's saturation paragraph split around a two-row picture
(saturated beside unsaturated, each with its gradient), no unprinted "9 to 17" in the lesson, the timm sentence
made precise, and the training comparison printed for both widths with the d = 16 loss interval read."""

from __future__ import annotations

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX_CELLS = nb.cells(APPENDIX)
APPENDIX_SOURCES = nb.sources(APPENDIX)
SUMMARY = nb.unique_index(SOURCES, "## Summary")
SECTION_1 = nb.unique_index(SOURCES, "## 1 · One batch through ViT-B attention")
SECTION_3 = nb.unique_index(SOURCES, "## 3 · Why divide by")
SECTION_4 = nb.unique_index(SOURCES, "## 4 · What grows")


def test_item_1_the_main_path_is_at_most_50_visible_cells_and_2500_words():
    main = [cell for cell in CELLS[:SUMMARY] if not nb.hidden(cell)]
    words = sum(len(nb.source(cell).split()) for cell in main if cell["cell_type"] == "markdown")
    assert len(main) <= 50 and words <= 2500, (len(main), words)  # were 54 and 2,737


def test_item_1_section_0s_trained_half_moved_to_appendix_e_with_its_checks():
    section_0 = "\n".join(SOURCES[:SECTION_1])
    for marker in ("plots.pick_head_and_query(", "plots.ink_baseline(", "plots.plot_query_heads(", "load_mnist_vit"):
        assert marker not in section_0, marker
    e = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-e"></a>')
    f = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-f"></a>')
    for marker, check in (
        ("plots.plot_query_attention(", "row_on_ink > 2 * chance_on_ink"),
        ("plots.plot_query_heads(", "int(top_keys[3]) == query"),
    ):
        code = nb.unique_index(APPENDIX_SOURCES, marker)
        assert e < code < f and nb.hidden(APPENDIX_CELLS[code + 2]) and check in APPENDIX_SOURCES[code + 2]
    pointer = nb.flat(SOURCES[nb.unique_index(SOURCES, "Read head 0. Token 3 asks for")])
    assert "(03_attention_shapes_appendix.ipynb#appendix-e) reads queries and keys in a trained model" in pointer
    assert "on a trained model" not in nb.flat(SOURCES[0])  # the learning goal follows the move


def test_item_2_the_saturation_paragraph_is_split_around_a_saturated_and_an_unsaturated_row():
    first = nb.unique_index(SOURCES, "Without the scale, 37 % of the rows saturate")
    picture = nb.unique_index(SOURCES, "plots.plot_softmax_rows((64, 64),")
    second = nb.unique_index(SOURCES, "The saturated row (left) gives one key 0.98 of the weight")
    assert SECTION_3 < first < picture < second < SECTION_4
    assert nb.hidden(CELLS[first + 1]) and "abs(other_vs_saturated.mean - 8.5) < 0.05" in SOURCES[first + 1]
    assert "median_seed(saturated=True)" in SOURCES[picture]
    assert 'save_figure(fig, "03_softmax_rows")' in SOURCES[picture]
    printed = nb.printed(CELLS[picture])
    assert "d = 64, no scale, 400 rows: 36% saturated" in nb.all_printed(APPENDIX)  # review r24c: moved to appendix G
    assert "saturated 0.015, unsaturated 0.241" in printed
    assert any("image/png" in output.get("data", {}) for output in CELLS[picture]["outputs"])
    check = SOURCES[picture + 1]
    assert nb.hidden(CELLS[picture + 1])
    assert "round(float(soft_gradient.norm() / saturated_gradient.norm())) == 16" in check
    text = nb.flat(SOURCES[second])
    assert "passes back a gradient of norm 0.015" in text and "largest weight 0.86) passes back 0.24" in text
    assert "about 16 times more" in text
    assert "the same share of the gradient it receives at every $d$**" in nb.flat(SOURCES[second + 1])  # r24c: in bold
    # the old one-paragraph version (six claims, the gradient at q) is gone from the main path
    assert not any("At each query the unscaled gradient is 14 times" in s for s in SOURCES)


def test_item_3_nine_to_seventeen_is_not_claimed_in_the_lesson_but_printed_in_appendix_g():
    assert not re.search(r"\b9 to 17\b", "\n".join(SOURCES))
    code = nb.unique_index(APPENDIX_SOURCES, "print(saturation.mean_lines())")
    printed = nb.printed(APPENDIX_CELLS[code])
    assert "d =   16: 9.0 (5 seeds: 8.9..9.1)" in printed and "d =  256: 16.8 (5 seeds: 15.6..17.8)" in printed
    assert "much more slowly than $\\sqrt{d}$" in nb.flat(APPENDIX_SOURCES[code - 1])


def test_item_4_the_timm_sentence_says_what_is_true_here():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 2 · One computation, many spellings")])
    library = nb.flat(APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "## J · In the libraries")])
    assert "timm does not install here" not in text and "timm does not install here" not in library
    assert "timm is not a dependency of this course (`requirements.txt`)" in library  # review r23a: moved to J
    requirements = (nb.NOTEBOOKS.parent / "requirements.txt").read_text()
    assert not re.search(r"^timm\b", requirements, flags=re.MULTILINE)


def test_item_6_the_training_comparison_prints_both_widths_and_the_prose_reads_the_d16_loss():
    training = nb.unique_index(SOURCES, "**In training.**")
    printed = nb.printed(CELLS[training + 1])
    assert "d = 16, accuracy 95.6 % vs 95.0 %: +0.6 points [-0.9, +2.2]" in printed
    text = nb.flat(SOURCES[training])
    assert "one learning rate for both arms" in text
    assert "25 epochs" not in text  # not printed here (appendix G prints the recipe)
    # review r24c: the full table, the d = 16 loss and its check moved to appendix G
    code = nb.unique_index(APPENDIX_SOURCES, 'print("\\n".join(scale_training_lines(scale_runs).splitlines()[2:]))')
    assert "d = 16, loss     0.228 vs 0.250: -0.022 [-0.045, +0.001]" in nb.printed(APPENDIX_CELLS[code])
    reading = nb.flat(APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "On 180 validation digits")])
    assert "-0.022 [-0.045, +0.001], leans towards the unscaled" in reading
    check = APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "assert val_digits == 180 and")]
    assert "== (-0.022, -0.045, 0.001)" in check

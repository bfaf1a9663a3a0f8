"""Lesson 05, review r23d: cell 0 opens with one plain sentence (measures and numbers moved to the Summary), cell 30
explains most of the sums' 4.0 by the tokens' shared mean (printed and checked), the Answer names the measured
quantity, the update sentence names weight decay, section 5 says appendix C prints the q/k gaps."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
SOURCES, CELLS = nb.sources(LESSON), nb.cells(LESSON)


def test_item_2_cell_0_is_one_plain_sentence_and_the_numbers_sit_in_the_summary():
    short = SOURCES[0].split("**The short answer.**")[1].split("**The lesson in five steps**")[0]
    assert nb.flat(short).count(".") == 2 and not any(ch.isdigit() for ch in short)
    assert "from its output's gradient $dO$" in short and "most of it went through an MLP" in short
    assert "Two measures" not in SOURCES[0] and " %" not in SOURCES[0] and "In numbers" not in SOURCES[0]
    summary = SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**")]
    order = [summary.index(text) for text in ("## Summary", "**Answer to the question:**")]  # 24a: the Answer first
    bullets = SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**") + 1]
    assert order == sorted(order) and "**Two measures:**" in bullets and "**Two measures:**" not in summary
    assert "keeps 8 %" in summary and "carries 61 %" in bullets and "at most 40 %" in bullets


def test_item_3_the_sums_are_explained_by_the_shared_mean_printed_and_checked():
    at = nb.unique_index(SOURCES, "chain = qk_factor_chain(")
    assert "shared_mean = " in SOURCES[at] and "class_row = " in SOURCES[at]
    check = CELLS[at + 1]
    assert nb.hidden(check)
    printed = nb.printed(CELLS[at])  # 24a: printed by the visible cell
    assert "dO in the class token's row: 99.99% of ||dO||^2; ||mean X|| / rms ||X_j|| = 0.82" in printed
    assert "sqrt(17) x that = 3.4 of the sums' 4.0" in printed
    assert "round(shared_mean, 2) == 0.82" in SOURCES[at + 1]
    chart = nb.flat(SOURCES[nb.unique_index(SOURCES, "Read the chart left to right")])
    assert "(measured only)" not in chart
    assert "an estimate from that mean" in chart and "share a large mean" in chart and "(printed above)" in chart  # 24a


def test_item_6_the_answer_names_the_measured_quantity():
    answer = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**")])
    assert "nearly all of block 0's qkv gradient had come back" in answer
    assert "block 0's $dO$ had come back" not in answer


def test_item_7_the_update_names_weight_decay():
    update = nb.flat(SOURCES[nb.unique_index(SOURCES, "The **update** happens after backward")])
    assert "computed from its own gradients and, with weight decay, its own value, unless" in update


def test_item_9_section_5_says_appendix_c_prints_the_gaps():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "This model's q/k gap is not section 3's")])
    assert "trained, 1.7 to 2.8 (the one shipped checkpoint; appendix C prints them)." in text
    appendix = nb.all_printed(nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb")
    assert "over blocks 0-3: trained 1.7 to 2.8; its own start (seed 0) 8 to 60; 3 fresh seeds 8 to 83" in appendix


def test_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 40 and nb.markdown_words(main) <= 2439, (len(main), nb.markdown_words(main))

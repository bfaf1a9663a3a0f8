"""Lesson 05, review r23d: cell 0 opens with one plain sentence (measures and numbers moved to the Summary), cell 30
explains most of the sums' 4.0 by the tokens' shared mean (printed and checked), the Answer names the measured
quantity, the update sentence names weight decay, section 5 says appendix C prints the q/k gaps."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"
SOURCES, CELLS = nb.sources(LESSON), nb.cells(LESSON)


def test_item_2_cell_0_is_one_plain_sentence_and_the_numbers_sit_in_the_summary():
    short = SOURCES[0].split("**The short answer.**")[1].split("**The lesson in five steps**")[0]
    assert nb.flat(short).count(".") == 2 and not any(ch.isdigit() for ch in short)
    assert "from its output's gradient $dO$" in short and "most of it went through an MLP" in short
    assert "Two measures" not in SOURCES[0] and " %" not in SOURCES[0] and "In numbers" not in SOURCES[0]
    summary = SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**")]
    order = [summary.index(text) for text in ("## Summary", "**Answer to the question:**")]  # 24a: the Answer first
    bullets = SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**")]  # 24c: one Summary cell
    assert order == sorted(order) and "**Two measures:**" not in bullets  # 24c: one Summary
    assert "keeps 8 %" in summary and "carries 61 %" in bullets and "12..40" in nb.all_printed(LESSON)


def test_item_3_the_sums_are_explained_by_the_shared_mean_printed_and_checked():
    app_sources, app_cells = nb.sources(APPENDIX), nb.cells(APPENDIX)  # 24c: moved to appendix I
    at = nb.unique_index(app_sources, "# section 4's count on block 0, line by line")
    assert "shared_mean = " in app_sources[at] and "class_row = " in app_sources[at]
    check = app_cells[at + 1]
    assert nb.hidden(check)
    printed = nb.printed(app_cells[at])  # 24a: printed by the visible cell
    assert "dO in the class token's row: 99.99% of ||dO||^2; ||mean X|| / rms ||X_j|| = 0.82" in printed
    assert "sqrt(17) x that = 3.4 of the sums' 4.0" in printed
    assert "round(shared_mean, 2) == 0.82" in app_sources[at + 1]
    chart = nb.flat(SOURCES[nb.unique_index(SOURCES, "Read the chart left to right")])
    assert "(measured only)" not in chart
    moved = nb.flat(
        app_sources[nb.unique_index(app_sources, "**Section 4's count, line by line.**")]
    )  # 24c: the paragraph moved with its cell
    assert (
        "an estimate from that mean" in moved
        and "share a large mean" in moved
        and "(printed below, in the last cell)" in moved
    )


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

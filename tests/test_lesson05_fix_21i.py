"""Lesson 05, fix 21i (review r21i_05): the by-rows shares print their intervals and the prose says "about half or
more" with block 3's q rows' interval, the confounded D = 32 vs D = 64 contrast gives way to fresh vs trained copies
of one architecture, section 4's Noci paragraph and appendix B table move to appendix B (with the q, k x 10 row's
19.3x), section 3's cell keeps its result only, the short answer fits in 3 lines, section 2's checks sit in section
2, the optimizer sentence names its scope and the softmax step links the CS231n notes. The main path shrinks."""

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"


def _text(path, anchor):
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, anchor)])


def test_item_1_row_shares_print_intervals_and_the_prose_says_about_half():
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)  # 23b: moved to appendix D
    at = nb.unique_index(sources, "for per_batch in trained_cut.qkv_row_share_per_chunk]")
    printed = nb.printed(cells[at])
    assert "block 3: q rows 50 % [43, 57]" in printed
    assert len(re.findall(r"rows \d+ % \[\d+, \d+\]", printed)) == 12  # every row of every block has its interval
    check = sources[at + 1]
    assert nb.hidden(cells[at + 1]) and "min(rows.values()) >= 50" not in check
    assert "q_3.estimate < 50 < q_3.high and 42 < q_3.low < 44" in check  # the unrounded interval
    text = _text(APPENDIX, "**For $W_q$ itself**")  # 23b: moved to appendix D
    assert "each get half or more" not in text
    about_half = "the q, k and v rows get about half or more in every block"
    assert about_half + " (the lowest, block 3's q rows: 50 % [43, 57])" in text


def test_item_2_fresh_against_trained_copies_of_one_architecture():
    sources = nb.sources(LESSON)
    text = _text(LESSON, "**Fresh against trained copies of this architecture** (all 256")
    summary = _text(LESSON, "## Summary") + " " + _text(LESSON, "- **One loss**, at the head.")  # 24a
    for part in (text, summary):
        assert "trained D = 64" not in part and "untrained D = 32" not in part.lower()
    assert "the ranges are disjoint in every block, and" in text  # 23b  # 22a: no (printed) tags
    assert "disjoint in every block" in summary and "90..96 % in block 0" in summary
    printed = nb.all_printed(LESSON) + nb.all_printed(APPENDIX)  # 23b: the replicas' lines in appendix D
    for line in ("  block 0: 94 % (3 seeds: 90..96)", "  block 3: 50 % (3 seeds: 44..54)", "50..63 %", "5..11 %"):
        assert line in printed, line
    replica_check = sources[nb.unique_index(sources, "replica_low = [100 * min(")]
    assert "all(replica_low[b] > max(fresh_share[b]) for b in range(4))" in replica_check  # disjoint, every block
    assert "share.low > max(small_high)" not in "\n".join(sources)  # the assert that served the removed line


def test_item_5_and_4_section_4_points_to_appendix_b_which_holds_the_table_and_the_19x():
    chart = _text(LESSON, "Read the chart left to right")
    assert "Noci" not in chart and "|q, k rows x 10|" not in chart
    assert "Appendix B tests the count by scaling block 0's qkv rows ten times." in chart  # 23b
    assert "what makes up the rest is not measured" in _text(
        APPENDIX, "**Section 4's count, line by line.**"
    )  # 24c: moved to appendix I
    appendix_b = _text(APPENDIX, "count, summed up.**")
    assert "[Noci et al. 2022](https://arxiv.org/abs/2206.03126)" in appendix_b
    assert "|q, k rows x 10|26|12..47|40|q and k grow 19.3x, not 10x" in appendix_b
    assert "q, k x 10: v / max(q, k) = 26 (3 seeds: 12..47);  q, k x 19.3 (3 seeds: 9.8..26.9)" in nb.all_printed(
        APPENDIX
    )
    sources = nb.sources(APPENDIX)
    assert nb.unique_index(sources, "### B · Ten times larger") < nb.unique_index(sources, "count, summed up.**")
    assert nb.unique_index(sources, "count, summed up.**") < nb.unique_index(sources, "### C · The same ratio")


def test_item_5_section_3_keeps_its_result_and_the_short_answer_is_3_lines():
    surprise = _text(LESSON, "The right panel holds a surprise").split("## 4 ·")[0]
    assert "AdamW's first step" not in surprise and "training (C)" not in surprise
    intro = nb.sources(LESSON)[0]
    short = intro.split("**The short answer.**")[1].split("**The lesson in five steps**")[0].strip()
    moved = _summary_block().split("\n\n- ", 1)[1]  # 24c: one Summary, at most 5 bullets
    # 22c: one plain sentence in cell 0, fewer words
    assert (
        len([line for line in ("- " + moved).splitlines() if line.startswith("- ")]) <= 5
        and len(short.split()) <= 130
        and len(short.splitlines()) <= 4
    )


def test_item_6_check_hygiene():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    assert "cell 0: block 0's 93 %" not in "\n".join(sources)
    section_2 = nb.unique_index(sources, "skip_growth = [per_block[0][0]")
    assert nb.hidden(cells[section_2 + 1])
    assert "== (0.455, 0.581)" in sources[section_2 + 1] and "zip(skip_norm, skip_norm[1:])" in sources[section_2 + 1]
    section_3 = nb.unique_index(sources, "round(ratio) == 232")
    assert "0.455" not in sources[section_3] and "skip_norm" not in sources[section_3]


def test_item_7_and_8_optimizer_scope_and_one_backprop_link():
    update = _text(APPENDIX, "**The update in detail.**")  # 22g: moved from section 1 to appendix E
    assert "In `torch.optim`'s SGD, Adam and AdamW it never uses another parameter's gradient" in update
    steps = _text(LESSON, "**2. The softmax**, row by row")
    step_2 = steps.split("**2. The softmax**")[1].split("**3.")[0]
    assert "[CS231n backprop notes](https://cs231n.github.io/optimization-2/)" in step_2


def test_the_main_path_shrinks():
    visible = [c for c in nb.cells(LESSON) if not c["metadata"].get("jupyter", {}).get("source_hidden")]
    end = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    words = sum(len(nb.source(c).split()) for c in visible[:end] if c["cell_type"] == "markdown")
    assert end <= 40 and words <= 2461, (end, words)  # 23c brief: 40


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)

"""Lesson 09, fix 22c (review r22b_09): what the arms separate (a second head with its own target keeps the mistake
out of the class head; whether it needs its own token is not tested); the inference takeaway on 40-epoch evidence,
the 8-epoch one-token comparison in appendix B; Summary bullets 4-5 one sentence and one set each; the cosine
question answered; timm's ranges agree; the dark key column named in place; section 3's setup in short sentences;
Table 3's 0.0 to 0.4 quoted once; the recipe's shared settings; tau^2 approximately, for large tau."""

from __future__ import annotations

import re

from tests import _lesson09
from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "09_deit_distillation.ipynb"
APPENDIX = nb.NOTEBOOKS / "09_deit_distillation_appendix.ipynb"
CLAIM = "On every seed the distillation head calls most held-out 7s"


def _main() -> list[str]:
    sources = nb.sources(LESSON)
    return sources[: nb.unique_index(sources, "## Summary")]


def _claim() -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, CLAIM)])


def _bullets() -> list[str]:
    sources = nb.sources(LESSON)
    summary = sources[nb.unique_index(sources, "## Summary")].split("## Exercises")[0]
    return [nb.flat(b) for b in summary.split("\n- ")[1:]]


def _limitation() -> str:
    """The Summary's limitations line, first sentence: bullet 5 until fix 24a moved it out of the bullets."""
    appendix = nb.sources(nb.NOTEBOOKS / "09_deit_distillation_appendix.ipynb")  # fix 24c: moved to appendix B
    lead = appendix[nb.unique_index(appendix, "**In one line.** ")]
    line = next(x for x in lead.splitlines() if x.startswith("**In one line.** "))
    return nb.flat(line.removeprefix("**In one line.** ")).split(". ")[0] + "."


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.:?])\s+(?=[A-Z*])", nb.flat(text)) if s]


# --- MAJOR 1: what the arms separate ----------------------------------------------------------------------------


def test_a_second_head_keeps_the_mistake_out_and_the_token_is_not_tested():
    claim = _claim()
    assert "isolates" not in nb.flat(nb.all_text(LESSON))
    # fix 23b (review r23a items 1-2): the 8-epoch paragraph has its own cell; "mostly", with the hard loss
    eight = nb.flat(_lesson09.sources(LESSON)[nb.unique_index(_lesson09.sources(LESSON), "**In 8-epoch runs**")])
    second = "a second head with its own target (here on the distillation token) mostly keeps the mistake out"
    assert second in eight and "with the hard loss" in eight
    # fix 22f (review r22e item 2): "one head learning both targets picks it up" left for appendix B's tie
    assert "picks it up" not in claim and "(appendix B: the 8-epoch one-token control)" in eight
    assert "Whether it needs its own token: the two-heads control, below." in eight  # fix 24c
    bullet = _limitation()  # fix 24a: bullet 5 moved to the limitations line
    assert bullet.startswith("A second head with its own target")
    assert "keeps the mistake out of the class head" in bullet
    assert "whether it needs its own token: the two-heads control, below" in bullet  # fix 24c


# --- MAJOR 2: the inference takeaway rests on 40-epoch evidence -------------------------------------------------


def test_the_inference_takeaway_reads_the_40_epoch_runs_and_the_8_epoch_comparison_is_appendix_bs():
    claim, sources, cells = _claim(), nb.sources(LESSON), nb.cells(LESSON)
    assert "8-epoch runs (appendix B: 3 seeds" not in claim and "78 to 81" not in claim and "62 to 71" not in claim
    assert "at least as often as a tokenless" not in nb.flat(nb.all_text(LESSON))
    # fix 22f (review r22e items 1 and 7): the inference moved to appendix B beside the tie; section 3 keeps the print
    joined_text = [nb.flat(s) for s in _lesson09.sources(LESSON)]
    tie = joined_text[nb.unique_index(joined_text, "**The one-token arm is a tie, not a trained answer.**")]
    # fix 22i: the inference dropped (the 40-epoch rerun measures the averaged output on the 7s: 45, 41, 42 of 50)
    assert "if all fell on the 50 7s" not in tie and "an inference, not measured" not in tie
    table = nb.unique_index(sources, "for teacher_kind in")
    assert "of the 50 7s' count" not in nb.printed(cells[table])
    assert nb.hidden(cells[table + 1]) and "for s in averaged_40] == [45, 41, 42]" in sources[table + 1]
    joined = _lesson09.sources(LESSON)  # the comparison and its check, in appendix B
    moved = nb.unique_index(joined, "one_token_1 = [proportion(")
    assert moved >= len(sources) and "== [78, 80, 81]" in joined[moved + 1]


# --- 3: Summary bullets 4-5, one sentence and one set each ------------------------------------------------------


def test_summary_bullets_4_and_5_are_one_sentence_on_one_set_each():
    bullets = _bullets()
    averaged = next(b for b in bullets if b.startswith("DeiT's averaged output"))
    token = _limitation()  # fix 24a: bullet 5 moved to the limitations line
    for bullet in (averaged, token):
        assert bullet.count(". ") == 0 and bullet.endswith("."), bullet
    assert "validation" in averaged and "test 7s" not in averaged and "8-epoch" not in averaged
    assert "of the 100 test 7s" in token and "validation 7s" not in token


# --- 4: the cosine question answered ----------------------------------------------------------------------------


def test_the_copy_question_is_answered_from_the_printed_cosines():
    sources = nb.sources(LESSON)
    at = nb.unique_index(sources, "cosines.append(")
    prose = nb.flat(sources[at - 1])
    assert "Is it a copy of the class token?" in prose
    # fix 23d (review r23c item 7): the trend matches the paper's, not the level
    trend = "they converge but stay distinct. The trend matches the paper's, not the level (0.70 after 4 blocks);"
    assert trend in prose
    assert "the two-class-token control is not run at 40 epochs" in prose
    assert "block 3 0.70" in nb.printed(nb.cells(LESSON)[at])


# --- 5: timm's ranges agree -------------------------------------------------------------------------------------


def test_timms_distilled_training_range_is_the_same_in_section_1_and_appendix_a():
    lesson, appendix = nb.flat(nb.all_text(LESSON)), nb.flat(nb.all_text(APPENDIX))
    assert "timm's distilled DeiT (0.6.5 to 1.0.28; newer unchecked)" in lesson
    assert "| timm `VisionTransformerDistilled` | 0.6.5 to 1.0.28, the same branch |" in appendix
    assert "0.9.0 to 1.0.28, the same code" not in appendix


# --- 6-9 --------------------------------------------------------------------------------------------------------


def test_the_dark_column_is_named_in_place_from_the_printed_key():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    at = nb.unique_index(sources, "plot_slice_matrix(head_mean")
    assert "the darkest column: key 31 (patch 29), 0.07 of a row on average" in nb.printed(cells[at])
    # fix 23d (review r23c item 4): the column's mean against uniform, as printed; "every row" had no margin
    reading = "The dark column is one patch (its key printed above): a row gives it, on average, 3.4 times a uniform"
    reading += " share."
    assert reading in nb.flat(sources[at + 1])
    assert nb.hidden(cells[at + 2]) and "top_key == 31" in sources[at + 2]
    assert "> 1 / head_mean.shape[-1]" in sources[at + 2]


def test_section_3s_setup_is_short_sentences():
    sources = nb.sources(LESSON)
    setup = sources[nb.unique_index(sources, "## 3b · A planted mistake: does each head follow its own targets?")]
    longest = max(len(s.split()) for s in _sentences(setup))
    assert longest <= 40, longest  # before: one sentence of over 100 words


def test_table_3s_token_gain_is_quoted_once_in_the_main_path():
    cells = nb.cells(LESSON)
    cut = next(i for i, c in enumerate(cells) if nb.source(c).startswith("## Summary"))
    main = nb.flat(" ".join(nb.source(c) for c in cells[:cut] if c["cell_type"] == "markdown"))
    assert main.count("0.0 to 0.4") == 1 and "In the paper's Table 3 the token adds 0.0 to 0.4" not in main


def test_the_recipe_sentence_matches_the_printed_recipe():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    section_2 = nb.flat(sources[nb.unique_index(sources, "## 2 · What DeiT")])
    assert "keeps two of the components, AdamW and the cosine schedule" in section_2
    assert "(warm-up: 10 % of the steps; DeiT's, 5 of 300 epochs)" in section_2
    # fix 23b (review r23a item 6): DeiT's batch in total beside the lesson's
    # fix 23d (review r23c item 8): the batch is not kept: 64 per step against DeiT's 1024 in total
    assert "and DeiT's weight decay 0.05. Its batch is 64 per step (DeiT: 64 per GPU, 1024 in total)." in section_2
    at = nb.unique_index(sources, 'print("optimiser (AdamW):"')
    assert "batch_size 64" in nb.printed(cells[at]) and "weight_decay 0.05" in nb.printed(cells[at])
    assert "first 10% of the steps" in nb.printed(cells[at])
    assert '(RECIPE["batch_size"], RECIPE["warmup"]) == (64, 0.1)' in sources[at + 1]


def test_tau_squared_is_approximate_for_large_tau():
    text = nb.flat(nb.all_text(LESSON))
    assert "comparable across temperatures (approximately, for large $\\tau$)" in text


def test_the_main_path_does_not_grow():
    main = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    cut = next(i for i, c in enumerate(main) if nb.source(c).startswith("## Summary"))
    words = sum(len(nb.source(c).split()) for c in main[:cut] if c["cell_type"] == "markdown")
    assert cut <= 55 and words <= 2858, (cut, words)  # before this fix: 55 cells, 2,858 words

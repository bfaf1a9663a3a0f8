"""Lesson 08, review r24e_08: section 12 prints the stored runner-up cosine beside another digit's map and says how
close they are only as far as the paired interval goes (the Summary uses the same words); the fixed-key head's
15.5 % carries its interval; attention flow's sum of minima is named a max-flow only for one middle layer; the
gradient times attention is a first-order estimate; the main path does not grow."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
SOURCES = nb.sources(LESSON)
CELLS = nb.cells(LESSON)
WORDING = "the runner-up class's map differs from the likeliest class's map about as much as another digit's map does"


def _at(text: str) -> int:
    return nb.unique_index(SOURCES, text)


def test_item_2_section_12_prints_the_runner_up_cosine_and_its_reference():
    section = _at("## 12 · One map per class")
    code = _at('closest = am.stored_draws()["cosines"]["runner-up"]')
    assert code == section + 1 and code < _at("## 13 · Explore")
    out = nb.printed(CELLS[code])
    assert "runner-up class's map: cosine 0.37, 95 % interval [0.34, 0.40] (n = 100)" in out
    assert "cosine 0.40, 95 % interval [0.37, 0.43] (n = 100)" in out
    assert "runner-up - another digit: -0.033, 95 % interval [-0.067, +0.001]: no detectable difference" in out
    check = CELLS[code + 1]
    assert nb.hidden(check) and "not runner_vs_digit.detectable" in nb.source(check)
    assert "round(runner_vs_digit.difference.low, 3) == -0.067" in nb.source(check)
    text = nb.flat(SOURCES[section])
    assert WORDING in text and "at most 0.07 lower" in text
    assert "no detectable difference in cosine from the next closest call's map" not in text


def test_item_2_summary_uses_the_same_words():
    summary = nb.flat(SOURCES[_at("## Summary")])
    bullet = next(line for line in summary.split("- **") if line.startswith("12 · Classes"))
    assert WORDING in bullet and "next closest call" not in bullet


def test_item_4_fixed_key_rate_with_its_interval():
    out = nb.printed(CELLS[_at("fixed_heads = (2 * key_counts")])
    assert "its top key on ink 15.5 %, 95 % interval [11.1, 21.2] % (n = 200) (a random key: 33.0 %)" in out
    check = nb.source(CELLS[_at("fixed_heads = (2 * key_counts") + 1])
    assert "fixed_ink = proportion(top_on_ink[:, 0, 3])" in check and "fixed_ink.high < chance_key" in check
    interval = "15.5 % against a random key's 33.0 % (the 15.5 %: [11.1, 21.2] at 95 %)"
    assert interval in nb.flat(SOURCES[_at("- **Key columns** (the grid")])
    assert interval in nb.flat(SOURCES[_at("## Summary")])


def test_item_7_flow_formula_is_a_max_flow_only_for_one_middle_layer():
    text = nb.flat(SOURCES[_at("In block 1 the class token reads nothing from `p2`")])
    assert "This is the max-flow only for a graph with one middle layer" in text


def test_item_8_first_order_estimate():
    text = nb.flat(SOURCES[_at("## 8 · Maps weighted by gradients")])
    assert "is estimated (to first order) to fall if that weight were set to 0" in text
    assert "would fall" not in text


def test_main_path_does_not_grow_and_block_0_note_moved():
    main = nb.main_path(LESSON)
    assert len(main) <= 53 and nb.markdown_words(main) <= 3472
    assert "Block 0's two bars are equal by construction" not in nb.all_text(LESSON)
    assert "its two bars are equal by construction" in nb.flat(nb.all_text(APPENDIX))

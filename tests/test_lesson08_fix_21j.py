"""Lesson 08, review r21j_08: section 10 quotes rollout's gap to ink first at the family's 99.5 % as well (printed and
checked); stale pointers fixed (section 1's table, exercise 6, the appendix's intro); section 5 says what appendix D
measures; the Summary's section 9 bullet names its referent and its draws; the explorer says whose class it maps."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
SUMMARY_9_RULE = (
    "the gradient-weighted map at once. By the rule (plain ρ against another digit's map) both move only from"
    " blocks 1-3."
)
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "08_attention_maps_solutions.ipynb"


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def test_rollout_against_ink_first_quotes_the_family_level():
    text = nb.flat(nb.sources(LESSON)[_at("Read every curve with its fill in mind")])
    assert "stays inside" not in text and "±0.008" not in text
    assert "[-0.006, +0.008] at 95 %, [-0.009, +0.011] at the family's 99.5 %" in text
    cells = nb.cells(LESSON)
    at = _at("family_10 = am.compare_maps(")
    assert "rollout - ink first at 99.5 %: 0.001, 99.5 % interval [-0.009, 0.011] (n = 200)" in nb.printed(cells[at])
    check = nb.source(cells[_at("assert not rollout_vs_ink.detectable")])
    assert "== [-0.009, 0.011]" in check


def test_stale_pointers_point_where_the_content_is():
    section_1 = nb.flat(nb.sources(LESSON)[_at("## 1 · The model and the digits")])
    assert "section 12 (appendix C)" not in section_1 and "section 12 (appendix K) reads the 100" in section_1
    for path in (LESSON, SOLUTIONS):
        exercise_6 = nb.flat(nb.sources(path)[_at("### Exercise 6 · Max fusion", path)])
        assert "so its top patch can differ, appendix E)" in exercise_6 and "differ, section 11" not in exercise_6
    intro = nb.flat(nb.sources(APPENDIX)[0])
    assert "photos (section 11)" not in intro and "traps (section 11)" not in intro
    assert '**E** what carries over to photos (the lesson\'s "Digits, not photos")' in intro
    e = nb.flat(nb.sources(APPENDIX)[_at('<a id="appendix-e"></a>', APPENDIX)])
    assert "divides by `a.sum(dim=-1)` without `keepdim`" in e  # what exercise 6 now points to


def test_section_5_says_what_appendix_d_measures():
    text = nb.flat(nb.sources(LESSON)[_at("- **Key columns** (the grid")])
    link = "[appendix D](08_attention_maps_appendix.ipynb#appendix-d)"
    assert f"is not tested; {link} measures only other tokens' norms" in text  # 23c: the halves agree
    assert "measures it." not in text


def test_summary_section_9_names_referent_and_draws():
    summary = nb.sources(LESSON)[_at("## Summary")]
    bullet = next(line for line in summary.splitlines() if line.startswith("- **9 · Sanity check**"))
    assert "(plain ρ against another digit's map)" in bullet  # the bar the trained map is measured against
    assert SUMMARY_9_RULE in bullet  # 22i, 23b, 23c
    assert "detectably nearer on most classifier draws" not in bullet
    assert "detectably closer on 8 of 10 draws" in nb.all_printed(APPENDIX)  # most of 10: appendix I prints it


def test_explorer_says_its_class_defaults_to_the_prediction():
    text = nb.flat(nb.sources(LESSON)[_at("## 13 · Explore")])
    assert "(default: predicted, 9 for digit 17; sections 8-10 use the true class)" in text
    check = nb.source(nb.cells(LESSON)[_at("assert list(w.controls) == [")])
    assert "(first_18[17].item(), data.test_labels[17].item()) == (9, 7)" in check


def test_main_path_did_not_grow():
    cells = nb.cells(LESSON)
    visible = [c for c in cells if not nb.hidden(c)]
    end = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    words = sum(len(nb.source(c).split()) for c in visible[:end] if c["cell_type"] == "markdown")
    assert end <= 54 and words <= 3581

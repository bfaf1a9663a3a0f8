"""Lesson 08, review r23f_08: section 9's rule is printed and worded per draw next to the 3-draw mean; the centred ρ
with blocks 2-3 re-drawn is given over the 3 stored draws; the digit-set table and appendix C name section 8 for
test digit 17; the two 33 % chances print to 2 decimals with their names; the explorer's default class is labelled;
sections 11 and 12 have their own cells; the main path stays within 54 visible cells and 3,543 words."""

from __future__ import annotations

from tests import _notebook as nb
from vit_explained import attention_maps as am

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
SOURCES = nb.sources(LESSON)
CELLS = nb.cells(LESSON)


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def test_item_1_rule_printed_and_worded_per_draw():
    at = _at("verdicts = am.rule_verdicts(")
    out = nb.printed(CELLS[at])
    assert "    each draw alone        not moved x3 / not moved, undecided, not moved" in out  # classifier
    assert "    each draw alone        not moved x3 / undecided x3" in out  # blocks 2-3
    assert "    each draw alone        moved x3 / undecided, undecided, moved" in out  # blocks 1-3
    check = nb.source(CELLS[at + 1])
    assert nb.hidden(CELLS[at + 1])
    assert 'words["classifier", "gradient-weighted"] == ["not moved", "undecided", "not moved"]' in check
    assert 'words["classifier + blocks 1-3", "gradient-weighted"] == ["undecided", "undecided", "moved"]' in check
    verdict = nb.flat(SOURCES[_at("**Verdict** (ρ over 32 digits")])
    assert "**By the rule (paired lines above).**" in verdict  # 24c: the per-draw words in the verdict's table
    assert "<tr><td>classifier</td><td>not moved</td><td>not moved (draw 2: undecided)</td></tr>" in verdict
    assert "<tr><td>+ blocks 1-3</td><td>moved</td><td>moved (draws 1-2: undecided)</td></tr>" in verdict
    summary = SOURCES[_at("## Summary")]
    assert "- **9 · Per draw**" not in summary  # 24c: one Summary line per section; the table holds the draws


def test_rule_verdicts_helper_reads_each_draw():
    cascade = am.stored_cascade()
    refs = {m: am.rank_correlation_to_others(cascade.draw_maps[m][:, 0]) for m in ("rollout", "gradient-weighted")}
    verdicts = am.rule_verdicts(cascade, refs, ["classifier"])
    assert verdicts.word("classifier", "gradient-weighted") == "not moved"
    assert verdicts.draw_words("classifier", "gradient-weighted") == ["not moved", "undecided", "not moved"]
    mean = verdicts.mean["classifier", "gradient-weighted"]
    assert abs(mean.estimate - sum(d.estimate for d in verdicts.per_draw["classifier", "gradient-weighted"]) / 3) < 1e-9


def test_item_2_centred_rho_over_the_three_draws():
    at = _at("centred_draws = [am.centred_rank_correlation(", APPENDIX)  # 24d: moved to appendix I
    cells = nb.cells(APPENDIX)
    out = nb.printed(cells[at])
    assert "    each of the 3 draws: 0.70, 95 % interval [0.66, 0.74] (n = 32) / 0.70, 95 % interval [0.65, 0.74]" in (
        out
    )
    assert "/ 0.69, 95 % interval [0.65, 0.73] (n = 32)" in out
    assert "[round(c.estimate, 2) for c in c_draws] == [0.70, 0.70, 0.69]" in nb.source(cells[at + 1])
    verdict = nb.flat(SOURCES[_at("**Verdict** (ρ over 32 digits")])
    moved = nb.flat(nb.sources(APPENDIX)[_at("With blocks 2-3 re-drawn, rollout's plain ρ", APPENDIX)])
    assert "0.69-0.70 over the 3 draws (intervals within [0.65, 0.74]" in moved
    assert "centred ρ 0.70 [0.66, 0.74]" not in verdict
    assert "(ρ 0.98, below its floor)" in SOURCES[_at("## Summary")]


def test_item_5_digit_sets_and_appendix_c_name_section_8():
    table = SOURCES[_at("| test | 200 |")]
    assert "sections 5, 8, 10 and 12" not in table and "(section 12 quotes section 8's digit 17)" in table
    appendix = nb.all_text(APPENDIX)
    assert "section 12 shows a test digit" not in appendix and "(section 8 shows a test digit, the 7 called" in appendix


def test_item_6_two_chances_named_to_two_decimals():
    out = nb.printed(CELLS[_at("plots.plot_ink_share_by_block(")])
    # both print 32.96 % to 2 decimals: the aside is dropped, the chance share keeps its name and 2 decimals
    assert "not section 3's key chance" not in out
    assert "inked patches: 32.96% (the chance share: a random patch among the 49, 500 test digits)" in out


def test_item_9_explorer_default_class_labelled():
    # the dropdown's label: tests/test_widgets_lesson08.py (24a)
    assert "(default: predicted, 9 for digit 17; sections 8-10 use the true class)" in nb.flat(SOURCES[_at("## 13 ·")])


def test_item_4_sections_11_and_12_have_their_own_cells():
    eleven, twelve = _at("## 11 · jacobgil/vit-explain's knobs"), _at("## 12 · One map per class")
    assert twelve > eleven + 2
    assert "knob_family = am.compare_maps(" in SOURCES[eleven + 1] and "runner_up" not in SOURCES[eleven + 1]
    assert nb.hidden(CELLS[eleven + 2])
    # 24c: section 12 is one cell; its closest-call cell and check live in appendix K
    appendix = nb.sources(APPENDIX)
    k = nb.unique_index(appendix, "same_100 = am.closest_call_neighbour_cosines(")
    assert nb.hidden(nb.cells(APPENDIX)[k + 1]) and "runner_vs_next = paired_difference(" in appendix[k + 1]


def test_main_path_caps():
    main = nb.main_path(LESSON)
    assert len(main) <= 54 and nb.markdown_words(main) <= 3543

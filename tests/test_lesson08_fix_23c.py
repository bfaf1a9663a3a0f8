"""Lesson 08, review r23c_08: section 9 tells "changed beyond noise" (below the noise floor) from "moved" (the rule:
not detectably closer than another digit's map): rollout with blocks 2-3 re-drawn is below its floor (centred ρ 0.70,
floor 0.96) yet still closer than another digit's map (+0.061 [+0.057, +0.065]); the Bonferroni family and the
centred-ρ lines moved to appendix I with their checks; section 10 says the black fill does not answer Hooker et al.;
the Summary states rollout's bound against ink first; section 5 says the sink question is tested only in appendix D;
the main path stays within 54 visible cells and 3,561 words."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def _text(text: str, path=LESSON) -> str:
    return nb.flat(nb.sources(path)[_at(text, path)])


def _bullet(start: str) -> str:
    summary = nb.sources(LESSON)[_at("## Summary")]
    return next(line for line in summary.splitlines() if line.startswith(start))


def test_summary_9_tells_changed_beyond_noise_from_moved():
    bullet = _bullet("- **9 · Sanity check**")
    assert bullet.startswith("- **9 · Sanity check**: rollout never reads the classifier (ρ 1.00);")
    assert "blocks 2-3 re-drawn change it beyond noise (ρ 0.98, below its floor)" in bullet  # 24a
    # the rule is named only for the claim that rests on it
    assert "By the rule (plain ρ against another digit's map) both move only from blocks 1-3." in bullet
    assert "(plain ρ against another digit's map):" not in bullet and "not blocks 2-3" not in bullet
    assert len(bullet) < 260


def test_verdict_says_rollout_changed_beyond_noise_but_not_moved():
    verdict = _text("**Verdict** (ρ over 32 digits")
    said = "its centred ρ falls to 0.69-0.70 over the 3 draws (intervals within [0.65, 0.74]; centred floor 0.96)"
    assert said in _text("With blocks 2-3 re-drawn, rollout's plain ρ", APPENDIX)  # 24d: moved to appendix I
    assert "Rollout stays closer than another digit's map through blocks 2-3 (+0.061 [+0.057, +0.065])" in verdict
    assert "changed beyond noise, not moved" in verdict
    assert "Both maps have moved from blocks 1-3 on the mean (rollout -0.033 [-0.043, -0.024]" in verdict  # 24a
    assert "99.4 %" not in verdict and 'Rollout\'s "moved" rests on' not in verdict  # moved to appendix I
    assert "#appendix-i" in verdict
    cells = nb.cells(LESSON)
    moved = nb.cells(APPENDIX)[_at("centred_draws = [am.centred_rank_correlation(", APPENDIX)]  # 24d: appendix I
    references = nb.printed(moved)
    assert "  rollout, blocks 2-3 re-drawn (first draw): 0.70, 95 % interval [0.66, 0.74] (n = 32)" in references
    assert "noise floor: 0.96, 95 % interval [0.95, 0.97]" in references
    rule = nb.printed(cells[_at("rule_gaps = {")])
    assert "classifier + blocks 2-3  +0.061 [+0.057, +0.065] / -0.004 [-0.043, +0.034]" in rule
    assert "99.4" not in rule and "centred" not in rule
    check = nb.source(cells[_at("rule_gaps = {") + 1])
    assert nb.hidden(cells[_at("rule_gaps = {") + 1])
    assert 'rule["classifier + blocks 2-3"][0] == (0.061, 0.057, 0.065)' in check


def test_family_and_centred_lines_moved_to_appendix_i_with_their_checks():
    assert not any("family_gaps = {" in s or "other_centred" in s for s in nb.sources(LESSON))
    start, end = _at('<a id="appendix-i"></a>', APPENDIX), _at('<a id="appendix-j"></a>', APPENDIX)
    at = _at("family_gaps = {", APPENDIX)
    assert start < at < end
    cells = nb.cells(APPENDIX)
    out = nb.printed(cells[at])
    assert "-0.115 [-0.170, -0.059]   99.4 %: [-0.047, -0.021] / [-0.193, -0.039]" in out
    assert "  classifier + blocks 1-3  0.10, 95 % interval [0.04, 0.16]" in out
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1]) and 'fam["classifier + blocks 2-3"][1] == (-0.004, -0.057, 0.051)' in check
    assert "assert g13.low < 0 < g13.high" in check and "pairs_c" in check
    moved = _text("By the rule, read as a family of 8 at 99.4 % (Bonferroni)", APPENDIX)
    assert _at("By the rule, read as a family of 8 at 99.4 %", APPENDIX) == at + 2
    assert "rollout with blocks 1-3 re-drawn is at a different digit's level, +0.10" in moved


def test_fill_does_not_answer_hookers_objection():
    fill = _text("**Read every curve with its fill in mind.**")
    assert "here the fill is MNIST's own background. But a digit with strokes cut away is still not a" in fill
    assert "training image; not tested (ROAR not run)." in fill


def test_summary_10_states_the_bound_not_equivalence():
    bullet = _bullet("- **10 · Deletion**")
    assert "≈" not in bullet
    assert "no detectable difference in area from ink first (within [-0.009, +0.011] at 99.5 %)" in bullet
    assert "rollout - ink first at 99.5 %: 0.001, 99.5 % interval [-0.009, 0.011]" in nb.all_printed(LESSON)


def test_sink_question_untested_as_in_appendix_d():
    text = _text("- **Key columns** (the grid")
    assert "is not tested here" not in text and "measures the token norms" not in text
    link = "[appendix D](08_attention_maps_appendix.ipynb#appendix-d)"
    assert f"is not tested; {link} measures only other tokens' norms (the off-ink top tokens)" in text
    assert "Whether block 0's head 3 is either is not tested." in nb.flat(nb.all_text(APPENDIX))  # as appendix D


def test_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 54 and nb.markdown_words(main) <= 3561


def test_peaked_count_says_a_low_top_counts():
    text = _text("- **Peaked maps.**")
    assert (
        "Of the 16 maps shown 15 are, tops 0.12 to 1.00: a low top counts (the 8's head 2, 0.12, without ink)" in text
    )
    out = nb.all_printed(LESSON)
    assert "peaked (top above 5/49 = 0.10): 15 of 16, tops 0.12 to 1.00" in out
    check = nb.source(nb.cells(LESSON)[_at("the lowest peaked top")])
    assert "assert lowest[1:] == (3, 2, False)" in check

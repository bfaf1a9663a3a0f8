"""Lesson 08, review r23a_08: section 9 says what its numbers support. Rollout is insensitive to the classifier, but
with blocks 2-3 re-drawn its plain ρ (0.98) is below its floor (1.00) and its centred ρ falls to 0.70 [0.66, 0.74]
against a centred floor of 0.96; the gradient-weighted map is nearer the trained map at the classifier step by plain
ρ only (centred: undecided); the centred reference is the 31 other digits' average, as the plain one; the section
opens with Adebayo et al.'s idea, not a verdict; the old one-cell step is split by topic (lines of 100 characters at
most); section 10 names Hooker et al.'s ROAR critique; the main path stays within 54 visible cells, 3,562 words."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
FAMILY_8 = "By the rule, read as a family of 8 at 99.4 % (Bonferroni)"  # 23c: appendix I's moved verdict
SUMMARY_9 = (
    "rollout never reads the classifier (ρ 1.00); blocks 2-3 re-drawn change it beyond noise"
    " (ρ 0.98, below its floor)"  # 24a: over the 3 draws, one number
)
SUMMARY_9_RULE = (
    "the gradient-weighted map at once. By the rule (plain ρ against another digit's map) both move only from"
    " blocks 1-3."
)


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def _text(text: str, path=LESSON) -> str:
    return nb.flat(nb.sources(path)[_at(text, path)])


def _bullet_9() -> str:
    summary = nb.sources(LESSON)[_at("## Summary")]
    return next(line for line in summary.splitlines() if line.startswith("- **9 · Sanity check**"))


def test_rollout_is_insensitive_to_the_classifier_not_to_blocks_2_3():
    text = nb.flat(nb.all_text(LESSON))
    assert "insensitive to re-drawing the classifier and blocks 2-3" not in text
    assert "insensitive to re-drawing blocks 2-3" not in text
    assert "insensitive to re-drawing the top of the model" not in nb.all_text(APPENDIX)
    verdict = _text("**Verdict** (ρ over 32 digits")
    assert (
        "With blocks 2-3 re-drawn its plain ρ barely moves (+0.98, every draw), yet is below its floor (1.00)"
        in verdict
    )
    said = "its centred ρ falls to 0.69-0.70 over the 3 draws (intervals within [0.65, 0.74]; centred floor 0.96)"
    assert said in _text("With blocks 2-3 re-drawn, rollout's plain ρ", APPENDIX)  # 24d: moved to appendix I
    cells = nb.cells(APPENDIX)
    references = nb.printed(cells[_at("centred_draws = [am.centred_rank_correlation(", APPENDIX)])
    assert "centred ρ (each set's mean map removed):\n  noise floor: 0.96, 95 % interval [0.95, 0.97]" in references
    rule = nb.cells(APPENDIX)[_at("family_gaps = {", APPENDIX)]  # 23c: the centred lines moved to appendix I
    assert "  classifier + blocks 2-3  0.70, 95 % interval [0.66, 0.74] / 0.31" in nb.printed(rule)
    moved = _at("centred_draws = [am.centred_rank_correlation(", APPENDIX)  # 24d: beside the floor, appendix I
    check = nb.source(cells[moved + 1])
    assert nb.hidden(cells[moved + 1]) and 'assert b23.high < floor_c["rollout"].low' in check
    assert SUMMARY_9 in _bullet_9()  # 23c


def test_gradient_weighted_nearer_by_plain_rho_only():
    verdict = _text(FAMILY_8, APPENDIX)  # 23c: moved to appendix I
    assert (
        "(+0.067 [+0.026, +0.112]: still closer) by plain ρ; by centred ρ, undecided (+0.019 [-0.047, +0.087] at 95 %)"
        in verdict
    )
    assert SUMMARY_9_RULE in _bullet_9() and "detectably nearer" not in _bullet_9()  # 23c
    rule = nb.cells(APPENDIX)[_at("family_gaps = {", APPENDIX)]
    assert (
        "  classifier               1.00, 95 % interval [1.00, 1.00] / 0.34, 95 % interval [0.25, 0.43]"
        in nb.printed(rule)
    )
    assert "+0.019 [-0.047, +0.087]" in nb.printed(rule)
    check = nb.source(nb.cells(APPENDIX)[_at("family_gaps = {", APPENDIX) + 1])
    assert "[round(d0.low, 3), round(d0.high, 3)] == [-0.047, 0.087]" in check
    appendix = _text("**Verdict** (plain ρ", APPENDIX)
    assert "by plain ρ, stays nearer the trained map" in appendix
    assert "(by centred ρ, paired: undecided, below)" in appendix


def test_centred_reference_is_the_31_other_digits_as_for_plain_rho():
    source = nb.source(nb.cells(APPENDIX)[_at("family_gaps = {", APPENDIX)])  # 23c: moved to appendix I
    assert "am.rank_correlation_to_others(t - t.mean(0))" in source and "roll(1, 0)" not in source
    out = nb.printed(nb.cells(APPENDIX)[_at('print("DIAGNOSTIC (not the verdict): centred ρ', APPENDIX)])
    assert "31 other digits (mean)    +0.05 [+0.03, +0.06]  +0.32 [+0.22, +0.41]" in out
    assert "a different digit         +0.10 [+0.03, +0.18]  +0.28 [+0.10, +0.45]" in out  # the old reference stays


def test_section_9_opens_with_adebayo_and_the_verdict_follows_the_rule():
    opening = nb.sources(LESSON)[_at("## 9 · Sanity check")].split("\n\n")[1]
    assert opening.startswith("Adebayo et al. (2018) re-draw a model's weights at random")
    assert "Moved, by the rule" not in nb.all_text(LESSON) and "verdict" not in opening.lower()
    assert "Their second test, re-training on shuffled labels, is not run here." in _text("## 9 · Sanity check")
    assert _at("**How the table is read.**") < _at("rule_gaps = {") < _at("**Verdict** (ρ over 32 digits")


def test_section_9_cells_split_by_topic_with_short_lines():
    cells = nb.cells(LESSON)
    start, end = _at("## 9 · Sanity check"), _at("**Verdict** (ρ over 32 digits")
    code = [c for c in cells[start:end] if c["cell_type"] == "code"]
    visible = [nb.source(c) for c in code if not nb.hidden(c)]
    assert len(visible) == 4 and len(code) == 8  # table + figure, live step, references, rule; each with its check
    assert "print(cascade)" in visible[0] and "reset_parameters()" in visible[1]
    assert "am.noise_floor(" in visible[2] and "rule_gaps = {" in visible[3]  # 23c: the family in appendix I
    for c in code:
        assert all(len(line) <= 100 for line in nb.source(c).splitlines()), nb.source(c)[:60]
    assert not any("; print(" in nb.source(c) for c in code)


def test_section_10_names_the_roar_critique_and_main_path_cap():
    fill = _text("**Read every curve with its fill in mind.**")
    assert "Hooker et al. (2019) object that deleted images lie outside the training data" in fill
    assert "(their remedy, ROAR, retrains); here the fill is MNIST's own background." in fill
    main = nb.main_path(LESSON)
    assert len(main) <= 54 and nb.markdown_words(main) <= 3562
    assert len(_bullet_9()) < 260

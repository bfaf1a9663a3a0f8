"""Lesson 08, review r20d_08: Chefer et al.'s reverse ranking named in section 10's verdict; section 3 prints the
per-head table that section 5 reads, and a hidden check asserts its numbers; section 10 quotes rollout's printed
interval against ink first; section 7's image-blind control worded as a fixed map; the two patch sets (inked, blank)
named once and used with those words; Adebayo et al.'s reading by eye; why attention flow stays in the toy;
section 5's reading as three bullets; digit 17's two-class figure ends section 8; section 9's reading as a
two-row table; a plain takeaway opens sections 7 and 9."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def _text(text: str, path=LESSON) -> str:
    return nb.flat(nb.sources(path)[_at(text, path)])


def test_verdict_names_chefers_reverse_ranking():
    verdict = _text("**Verdict:** on this model and these 200 digits, rollout shows no detectable difference")
    assert "Chefer et al. (CVPR 2021) compare another pair on ImageNet" in verdict  # 20i: not "the reverse ranking"
    assert (
        "their LRP map deletes faster than rollout" in verdict
        and "top-1 accuracy" in verdict
        and "pixels masked in 10 % steps" in verdict  # 22i: not "single pixels"
    )
    assert "08_attention_maps_appendix.ipynb#appendix-a" in verdict and "none tested here" in verdict
    appendix = nb.flat(nb.all_text(APPENDIX))
    assert (
        "Chefer et al. find that their LRP map deletes faster than rollout" in appendix and "LRP relevance" in appendix
    )


def test_section_3_prints_the_per_head_table_and_checks_it():
    cells = nb.cells(APPENDIX)  # 22a: the table moved to appendix D (the lesson draws it as a grid)
    at = _at("mode_count = (top_key == mode_key).sum(0)", APPENDIX)
    out = nb.printed(cells[at])
    assert "every head: its top key column on ink (%)" in out and "a random key 33.0 %" in out
    assert "block 0:  51.5 % (4, 3) x 58 |  72.5 % (2, 2) x 96 |  66.0 % (4, 4) x 68 |  15.5 % (4, 1) x126" in out
    assert "block 1:  88.5 %" in out and "100.0 %" in out
    check = cells[at + 1]
    assert nb.hidden(check)
    assert "int(mode_count[0, 3]) == 126" in nb.source(check) and "== 31" in nb.source(check)
    assert "88.5" in nb.source(check)
    reading = _text("**Key columns**")
    assert "88.5 % to 100 %" in reading and "126 of 200" in reading
    assert "15.5 % against a random key's 33.0 %" in reading
    assert "88 % to 100 %" not in reading and "on 16 %" not in reading
    assert "15.5 % against a random key's 33.0 %" in _text("## Summary")


def test_section_5_reading_is_three_bullets():
    # 24c: the three bullets, split around section 5's three cells
    # (peaked + view after the table, key columns before the grid)
    peaked, keys = nb.sources(LESSON)[_at("- **Peaked maps.**")], nb.sources(LESSON)[_at("**Key columns**")]
    assert peaked.startswith("- **Peaked maps.**") and keys.startswith("- **Key columns**")
    assert sum(line.startswith("- **") for line in (peaked + keys).splitlines()) == 3


def test_rollout_against_ink_first_quotes_its_interval():
    text = _text("Greedy's order and all 200 curves are stored")  # 24c: reworded
    assert "[-0.006, +0.008] at 95 %, [-0.009, +0.011] at the family's 99.5 %" in text  # 21j: the family's level too
    assert "lies on ink first's" not in text and "sits on 0" not in text
    assert "+0.001  [-0.006, +0.008]" in nb.all_printed(LESSON)
    check = nb.cells(LESSON)[_at("**Verdict:** on this model and these 200 digits") + 1]
    assert nb.hidden(check) and "[-0.006, +0.008]' in str(family_10)" in nb.source(check)


def test_image_blind_control_is_a_fixed_map_not_position():
    text = _text("**Reading the chart:**")
    assert "a fixed map that never sees the test digit already earns about 20" in text
    assert "position alone" not in nb.all_text(LESSON)


def test_two_patch_sets_named_once_and_used():
    definition = _text("## 7 · Does the attention land on the ink?")
    assert "**inked**: a pixel above 0.5; **blank**: no pixel above 0." in definition
    assert "un-inked" not in nb.all_text(LESSON) and "no ink at all" not in nb.all_text(LESSON)
    assert "(inked: a pixel above 0.5)" in _text("The next cell first counts")  # 20g: count first
    assert "**blank** patches (no pixel above 0; score 0)" in _text("Six controls set the scale")
    assert "the non-blank patch that lowers" in _text("Six controls set the scale")
    assert "its blank patches (no pixel above 0) go last" in _text("**The blank-last ablation.**", APPENDIX)  # 21b
    code = nb.source(nb.cells(LESSON)[_at("below_0 = ((raw_occlusion < 0)")])
    assert "not_blank = am.ink_per_patch" in code and "inked = am.ink_per_patch" not in code.replace("not_blank", "")


def test_adebayo_by_eye_and_attention_flow_scope():
    rule = _text("**How the table is read.**")
    # 20g: measured, not a guess; 21c: the panel's own ρ, the 32 digits' mean beside it
    assert (
        "By eye, the map already changes at ρ +0.86 with blocks 1-3 re-drawn (this digit; +0.88 the 32 digits' mean)"
        in rule
    )
    assert "The rule decides only *when* the map counts as moved" in rule
    out = nb.all_printed(LESSON)
    assert "classifier + blocks 1-3  +0.88 .. +0.90  +0.34 .. +0.44  4.5 .. 9.0 %" in out
    flow = _text("Both rank `p1` first. Flow is flatter")
    assert "left out beyond this toy for scope, not cost" in flow  # 21b: tightened, the same reason
    assert "costly on larger models" not in flow


def test_digit_17_two_class_figure_ends_section_8():
    cells = nb.cells(LESSON)
    fig = _at("digit_17 = data.test_images[17:18]")
    three_maps = _at("top_not_inked = ~test_ink")
    assert _at("## 8 · Maps weighted by gradients") < three_maps < fig < _at("## 9 · Sanity check")  # two cells again
    assert nb.hidden(cells[fig + 1]) and "int(p_17.argmax())) == (7, 9)" in nb.source(cells[fig + 1])
    assert "test digit 17, a 7: p(9)" in nb.printed(cells[fig]) and "cosine 0.19" in nb.printed(cells[fig])
    assert "test digit 17, a 7 that the model calls a 9" in _text("The next cell first counts")
    pointer = "Section 8 ends with test digit 17's two maps. The two maps of the 7 share little: cosine 0.19"
    assert pointer in nb.flat(nb.all_text(APPENDIX))  # 21b: section 12 moved to appendix K
    assert len(cells[: _at("## Summary")]) <= 90  # moved, not added


def test_section_9_reading_is_a_two_row_table():
    appendix = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"  # 21a: the two-row table moved to appendix I
    source = nb.sources(appendix)[nb.unique_index(nb.sources(appendix), "**Verdict** (plain ρ")]
    rows = [line for line in source.splitlines() if line.startswith("| rollout |") or line.startswith("| gradient-w")]
    assert len(rows) == 2
    assert "-0.033 [-0.043, -0.024]" in rows[0] and "+0.067 [+0.037, +0.098]" in rows[1]


def test_sections_7_and_9_open_with_a_takeaway():
    takeaways = {
        "## 7 · Does the attention land on the ink?": "More often than by chance, but a fixed map that never sees",
        "## 9 · Sanity check": "Adebayo et al. (2018) re-draw a model's weights at random",  # 23b: idea first
    }
    for head, takeaway in takeaways.items():
        assert nb.sources(LESSON)[_at(head)].split("\n\n")[1].startswith(takeaway)

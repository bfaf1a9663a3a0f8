"""Lesson 08, review r20b_08: section 9 read off one paired table (each step's 3 draws averaged per digit, intervals
over the 32 digits) with a short verdict, the 10-draw study and the per-draw counts in appendix I; one checkpoint
said in section 1 and the Summary; section 5's two-sinks paragraph in appendix D; section 7 defines, shows, then
reads; "un-inked" (no pixel above 0.5) told apart from "blank" (no ink); greedy a strong reference, not a ceiling;
the 0.75 cosine scoped to iid uniform noise; the first-order clause; the photo figure and DINO named."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def _text(text: str, path=LESSON) -> str:
    return nb.flat(nb.sources(path)[_at(text, path)])


def _main_path() -> list[dict]:
    cells = nb.cells(LESSON)
    return cells[: _at("## Summary")]


def test_section_9_one_paired_table_and_a_short_verdict():
    cells = nb.cells(APPENDIX)  # 21a: the paired table and its verdict table moved to appendix I
    table = cells[_at("gap_table = {", APPENDIX)]
    out = nb.printed(table)
    assert "classifier               +0.081 [+0.078, +0.085]  +0.067 [+0.037, +0.098]" in out
    assert "classifier + blocks 1-3  -0.033 [-0.043, -0.024]  -0.115 [-0.170, -0.059]" in out
    assert "classifier + blocks 2-3  +0.061 [+0.057, +0.065]  -0.004 [-0.043, +0.034]" in out
    assert "closer on " not in out and "draw " not in out  # no per-draw counting on the main path
    check = cells[_at("gap_table = {", APPENDIX) + 1]
    assert nb.hidden(check) and "roll[3] == (-0.033, -0.043, -0.024)" in nb.source(check)
    verdict = _text("**Verdict** (plain ρ", APPENDIX)
    assert _at("**Verdict** (plain ρ", APPENDIX) == _at("gap_table = {", APPENDIX) + 2
    assert len(nb.sources(APPENDIX)[_at("**Verdict** (plain ρ", APPENDIX)].split("\n\n")[0].splitlines()) <= 6
    assert len(nb.sources(LESSON)[_at("**Verdict** (ρ over 32 digits")].split("\n\n")[0].splitlines()) <= 6
    cells, table = nb.cells(LESSON), nb.cells(LESSON)[_at("am.noise_floor(")]  # the references stay in the lesson
    assert "8 of 10" not in verdict and "of 3 draws" not in verdict
    assert "stays nearer the trained map than another digit's map" in verdict
    # the old 40-line cell is split: the live step with the cascade table, then references with the paired gaps
    assert _at("print(cascade)") < _at("redrawn.head.reset_parameters()") < _at("am.noise_floor(")  # 23b: by topic
    assert "am.noise_floor(" in nb.source(table)  # 21a: joined again with the live step, under 22 lines
    assert len(nb.source(nb.cells(APPENDIX)[_at("gap_table = {", APPENDIX)]).splitlines()) <= 22
    assert len(nb.source(cells[_at("print(cascade)")]).splitlines()) <= 22
    assert "stored_classifier_draws" not in nb.all_text(LESSON)


def test_section_9_draws_moved_to_appendix_i():
    out = nb.printed(nb.cells(APPENDIX)[_at("paired_10 = [", APPENDIX)])
    assert "detectably closer on 8 of 10 draws; mean gap over the draws 0.096, 95 % interval [0.069, 0.119]" in out
    assert "classifier + blocks 1-3  rollout            closer on 0 of 3, farther on 3 of 3" in out
    check = nb.cells(APPENDIX)[_at("paired_10 = [", APPENDIX) + 1]
    assert nb.hidden(check) and "abs(gap_10.estimate - 0.096)" in nb.source(check)
    assert "== [2, 1, 0, 0, 0, 0]" in nb.source(check)
    assert "on 8 of 10 draws" in _text("Draw by draw (moved from the lesson's verdict)", APPENDIX)


def test_summary_bullet_9_is_one_line_and_one_checkpoint_said_twice():
    summary = nb.sources(LESSON)[_at("## Summary")]
    bullet = next(line for line in summary.splitlines() if line.startswith("- **9 · Sanity check**"))
    assert len(bullet) < 260 and "8 of 10" not in bullet
    assert "Every finding is on this one trained checkpoint" in summary and "not over training runs" in summary
    assert "- **5 · Heads** (this model" in summary and "- **7 · Ink** (this model" in summary
    section_1 = _text("## 1 · The model and the digits")
    assert "**One model.** Every finding in this lesson is on this one trained checkpoint" in section_1
    assert "nothing is claimed across training seeds" in section_1


def test_section_5_sink_paragraph_in_appendix_d():
    section_5 = _text("- **Key columns** (the grid")  # 24c: split
    assert "Two findings carry the name sink" not in section_5 and "*Hypothesis, not tested:*" not in section_5
    # 21j: "not tested here", and what appendix D measures
    link = "[appendix D](08_attention_maps_appendix.ipynb#appendix-d)"
    assert f"not tested; {link} measures only other tokens' norms" in " ".join(section_5.split())  # 23c
    d, e = _at('<a id="appendix-d"></a>', APPENDIX), _at('<a id="appendix-e"></a>', APPENDIX)
    assert d < _at("Two findings carry the name sink", APPENDIX) < e


def test_section_7_defines_shows_then_reads():
    sources = nb.sources(LESSON)
    head = _at("## 7 · Does the attention land on the ink?")
    chart = _at("plots.plot_ink_share_by_block(")
    reading = _at("**Reading the chart:**")
    assert head < chart < reading
    assert "**Finding:**" not in sources[head] and "17.3" not in sources[head] and "5.5" not in sources[head]
    intro = nb.flat(sources[head])
    assert intro.index("*inked*") < intro.index("**image-blind map**")
    assert "5.5 points above its image-blind map (95 % interval [5.2, 5.8])" in nb.flat(sources[reading])


def test_two_blanks_have_two_names():
    # 20e: the two sets named once in section 7 ("inked", "blank") and used with exactly those words
    counted = _text("The next cell first counts")  # 20g: the count first, then the four digits
    assert "**not inked** (inked: a pixel above 0.5)" in counted
    assert "(the 0's holds faint ink, so it is not blank either)" in counted
    out = nb.printed(nb.cells(LESSON)[_at("top_not_inked = ~test_ink")])
    assert "gradient-weighted top patch not inked (no pixel above 0.5): 35 of 200" in out
    assert "**blank** patches (no pixel above 0; score 0)" in _text("Six controls set the scale")


def test_greedy_is_a_reference_not_a_ceiling():
    text = nb.flat(nb.all_text(LESSON))
    assert "ceiling" not in text.replace("the ceiling of a patch map", "")
    assert "a strong reference fitted to the score, not an optimum" in text
    assert "a strong reference fitted to the score" in _text("## Summary")


def test_uniform_noise_cosine_scoped_and_first_order_clause():
    prose = _text("The two maps of the 7 share little", APPENDIX)  # 21b: appendix K
    assert "two random maps" not in prose and "two maps of iid uniform noise already score 0.75" in prose
    assert "two random maps" not in _text("## Summary")
    section_8 = _text("## 8 · Maps weighted by gradients")
    assert "ignoring that the softmax ties each row's weights together" in section_8


def test_photo_pointer_and_dino_in_section_12():
    section_12 = _text("### Section 12: one map per class", APPENDIX)  # 21b: moved to appendix K
    assert "(appendix E shows that stored figure)" in section_12
    assert "Caron et al. (2021, DINO)" in section_12 and "not emerge as clearly with supervised ViTs" in section_12


def test_main_path_not_longer():
    assert len(_main_path()) <= 90

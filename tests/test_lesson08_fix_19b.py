"""Lesson 08, fix of 5 Dec 2026 (review r19a_08): the sink-like heads measured per head (top key column as a multiple
of uniform, how often on ink) instead of "neither is shown"; the example matrix set against its head's typical
figure; the centred-ρ table and the starred knob footnote moved to the appendix; the cascade's first step run live;
Samek et al. 2017 cited for deletion; "passes on our criterion"; timm's commit and first tag; three clipped
sentences rewritten; the photo strip on two rows."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"


def _cell(text: str, path=LESSON) -> dict:
    hits = [cell for cell in nb.cells(path) if text in nb.source(cell)]
    assert len(hits) == 1, (text, len(hits))
    return hits[0]


def _next_source(cell: dict, path=LESSON) -> str:
    cells = nb.cells(path)
    return nb.source(cells[[nb.source(c) for c in cells].index(nb.source(cell)) + 1])


def test_sink_like_heads_are_measured_per_head_not_denied():
    text = nb.flat(nb.all_text(LESSON))
    assert "neither is shown here" not in text
    table = _cell("mode_key = top_key.mode(0).values", APPENDIX)  # 19c: the cut stated; 19d: in appendix D
    out = nb.printed(table)
    assert out.count("block ") >= 4 and "block 3:   5.9x  50 %" in out
    assert "block 0, head 3: key 30 = patch (4, 1) on 126 of 200; top key on ink 15.5 %, 95 % interval" in out
    check = _next_source(table, APPENDIX)
    assert "assert fixed_key == [(0, 3)]" in check  # 21a: "fixed-key", as the Summary says
    assert "head 3, is a **fixed-key head**" in text  # 19d: the finding stays on the main path, the table in appendix D
    appendix = nb.flat(nb.all_text(APPENDIX))
    assert "that head is a **fixed-key** head" in appendix and "block 3's heads 0 and 2 are **often off-ink" in appendix


def test_example_matrix_set_against_its_heads_typical_figure():
    probe = _cell("probe_images = data.test_images[:200]")
    out = nb.printed(probe)
    assert "top key column 5.9 times uniform (median)" in out and "that key on ink: 50.5 %" in out
    assert "abs(dominance[:, -1, 0].median() - 5.9) < 0.05" in _next_source(probe)
    assert "The 6 is a favourable case for this head" in nb.flat(nb.all_text(LESSON))


def test_centred_rho_and_knob_footnote_moved_to_the_appendix_with_their_checks():
    lesson, appendix = nb.all_text(LESSON), nb.all_text(APPENDIX)
    for moved in ("centred_rows = {", "alone_low = knobs.at_95(", "+0.0004 unrounded"):
        assert moved not in lesson
    for kept in (
        "centred_rows = {",
        "alone_low = knobs.at_95(",
        "assert abs(alone_low - 0.0004) < 0.00005",
        "assert [round(centred_r[s].estimate, 2) for s in steps_[1:4]] == [0.92, 0.70, 0.10]",
    ):
        assert kept in appendix
    assert "the low end unrounded, +0.0004" in nb.all_printed(APPENDIX)
    assert "A higher*  no diff." in nb.all_printed(APPENDIX)  # 19c: the full table too; section 11 prints 98.3 %


def test_cascade_first_step_runs_live_in_the_lesson():
    live = _cell("redrawn.head.reset_parameters()")
    assert "torch.manual_seed(1)" in nb.source(live) and "am.rank_correlation" in nb.source(live)
    out = nb.printed(live)
    assert "classifier re-drawn, live: rollout ρ 1.00" in out and "gradient-weighted ρ 0.57" in out
    assert 'cascade.per_digit["classifier"]' in _next_source(live)


def test_samek_cited_next_to_petsiuk():
    title = nb.source(nb.cells(LESSON)[0])
    assert "(Samek et al. 2017;\nPetsiuk et al. 2018)" in title
    section_10 = nb.source(_cell("## 10 · Which map finds"))
    # 23d: credited as "in the spirit of" (the paper's fill not verified here); the name deletion to Petsiuk et al.
    assert "Samek et al.'s region perturbation (2017, IEEE TNNLS)" in section_10
    assert "Petsiuk, Das & Saenko (2018)" in section_10


def test_passes_on_our_criterion_with_the_criterion_stated():
    rule = nb.flat(nb.source(_cell("**How the table is read.**")))  # 20c: the rule before the table
    # 22c: the rule corrected (moved = detectably farther; an interval holding 0 is undecided)
    assert "no threshold" in rule and "detectably farther from the trained map than another digit's map" in rule
    draws = nb.flat(nb.source(_cell("Draw by draw (moved from the lesson's verdict)", APPENDIX)))
    assert "not detectably closer (upper bounds" in draws  # 19d: not "passes"; 20c: in appendix I


def test_timm_commit_and_first_tag_named():
    text = nb.flat(nb.all_text(APPENDIX))  # 21b: moved to appendix J
    assert "commit 965d0a2d (10 April 2023)" in text and "first release tag that contains it" in text


def test_clipped_sentences_rewritten():
    text = nb.flat(nb.all_text(LESSON))
    assert "The titles give its share of itself" not in text and "Look for bars above the dashed line" not in text
    assert "stops the other two maps after block" not in text
    assert "A bar above its diamond follows the digit, not just the centre:" in text  # 21b: a whole sentence (24c)
    assert "computes the rollout and the gradient-weighted map through blocks 0 to `k` only" in text


def test_photo_strip_on_two_rows():
    from vit_explained.plotting.lesson08 import plot_vit_explain_examples

    fig = plot_vit_explain_examples()
    rows = {round(ax.get_position().y0, 2) for ax in fig.axes}
    assert len(fig.axes) == 5 and len(rows) == 2
    assert min(ax.title.get_fontsize() for ax in fig.axes) >= 9

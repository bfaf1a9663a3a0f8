"""Lesson 08, fix round 19a: section 9's verdict reads Adebayo et al.'s plain rho (rollout fails) with centred rho a
labelled diagnostic; a scale for the class maps' cosines; the blank-last ablation of the gradient-weighted map; the
starred verdict that replaces "touches 0"; sink-like heads named and split into measured and hypothesis; timm's
set_fused_attn with its versions."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
SUMMARY_9 = (
    "rollout never reads the classifier (ρ 1.00); blocks 2-3 re-drawn change it beyond noise"
    " (ρ 0.98, below its floor)"  # 24a: over the 3 draws, one number
)


def _cell(text: str, path=LESSON) -> dict:
    hits = [cell for cell in nb.cells(path) if text in nb.source(cell)]
    assert len(hits) == 1, (text, len(hits))
    return hits[0]


def test_section_9_verdict_is_on_plain_rho_and_rollout_fails():
    verdict = nb.flat(nb.source(_cell("**Verdict** (plain ρ", APPENDIX)))  # 21a: the verdict table moved to appendix I
    assert "This lesson uses plain ρ only" in nb.flat(nb.source(_cell("**How the table is read.**")))
    assert "**rollout is insensitive to re-drawing the classifier**" in verdict  # 23b: not to blocks 2-3 (centred ρ)
    draws = nb.flat(nb.source(_cell("Draw by draw (moved from the lesson's verdict)", APPENDIX)))
    assert "than another digit's map is, on 8 of 10 draws** (detectably" in draws  # 20c: moved to appendix I
    assert "a centred ρ" in nb.flat(nb.source(_cell("**Verdict** (ρ over 32 digits")))  # 19b: the pointer to appendix I
    assert "rollout passes once" not in nb.all_text(LESSON)  # the old verdict, on the centred rho
    diagnostic = [c for c in nb.cells(APPENDIX) if 'print("DIAGNOSTIC (not the verdict): centred ρ' in nb.source(c)]
    assert len(diagnostic) == 1 and nb.printed(diagnostic[0]).startswith("DIAGNOSTIC (not the verdict): centred ρ")
    assert "separate diagnostic, not the lesson's verdict" in nb.all_text(APPENDIX)
    summary = nb.flat(nb.source(_cell("## Summary")))
    assert SUMMARY_9 in summary  # 20c, 20g, 22i, 23b; 23c: changed beyond noise, not moved


def test_cosines_of_class_maps_have_a_reference_scale():
    cell = _cell("reference, two maps of iid uniform noise", APPENDIX)  # 21b: section 12 moved to appendix K
    out = nb.printed(cell)
    assert "reference, two different digits' maps: cosine 0.47, 95 % interval [0.45, 0.49]" in out
    assert "reference, two maps of iid uniform noise: cosine 0.75" in out
    prose = nb.flat(nb.source(_cell("The two maps of the 7 share little", APPENDIX)))
    assert "two maps of iid uniform noise already score 0.75" in prose and "0.47 (95 % interval [0.45, 0.49])" in prose
    checks = nb.source(_cell("unrelated_ref, random_ref = mean_interval(", APPENDIX))
    assert "runner_c.high < unrelated_ref.low" in checks


def test_blank_last_ablation_is_run_and_read():
    cell = _cell("ablation = am.compare_maps(", APPENDIX)  # 21b: the blank-last ablation moved to appendix K
    out = nb.printed(cell)
    assert "gradient-weighted: blank last - own order   -0.028" in out
    assert "blank last: gradient-weighted - rollout     +0.010" in out
    assert "own_vs_blank_last.high < 0" in nb.source(_cell("own_vs_blank_last = ablation[", APPENDIX))
    assert "Moving only its blank patches last" in nb.all_text(APPENDIX)
    assert "blank-last ablation tests it" in nb.flat(nb.all_text(LESSON))  # the pointer


def test_no_touches_0_label_the_star_says_which_end():
    text, out = nb.all_text(LESSON), nb.all_printed(APPENDIX)  # 19c: the full table moved to appendix E
    assert "touches 0  " not in out and "only touches 0" not in text
    assert "A higher*  no diff." in out
    assert "*: the interval leaves out 0, but its end nearest 0 rounds to 0" in out


def test_sink_like_heads_named_and_measured_vs_hypothesis():
    text = nb.flat(nb.all_text(APPENDIX))  # 20c: the two-sinks paragraph moved to appendix D
    assert "**Attention sinks** (Xiao et al. 2023" in text and "**High-norm tokens** (Darcet et al. 2024" in text
    assert "*Measured:*" in text and "*Hypothesis, not tested:*" in text
    lesson = nb.flat(nb.all_text(LESSON))  # 21b: the same caveat, tightened
    caveat = "Whether it is an attention sink (Xiao et al. 2023) or a high-norm token (Darcet et al. 2024)"
    caveat += " is not tested"
    assert caveat in lesson
    appendix = nb.flat(nb.all_text(APPENDIX))
    assert "attention sinks** of Xiao et al. (2023" in appendix


def test_timm_set_fused_attn_with_versions():
    text = nb.flat(nb.all_text(LESSON))
    assert "`timm.layers.set_fused_attn(False)`" in text and "v0.9.0 to v1.0.28" in text
    assert "before `timm.create_model`" in text
    appendix = nb.flat(nb.all_text(APPENDIX))  # 21b: the environment variable and the commit in appendix J only
    assert "`TIMM_FUSED_ATTN=0`" in appendix
    assert "commit 965d0a2d (10 April 2023)" in appendix  # 19b: the commit, and v0.9.0 the first tag holding it


def test_pixel_test_and_value_norm_moved_to_the_appendix_with_their_checks():
    lesson, appendix = nb.all_text(LESSON), nb.all_text(APPENDIX)
    for code in ("pixel_tests = {", "value_pairs = {"):
        assert code not in lesson and code in appendix
    for check in ("assert abs(pixel_level - 0.99) < 1e-12", 'live_value["v"]'):
        assert check in appendix
    assert "on ink pixels 43.3 %" in nb.all_printed(APPENDIX)
    assert "Appendix A tests one more map" in appendix  # 21b: the sentence moved to appendix K with the ablation

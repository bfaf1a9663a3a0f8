"""Lesson 08, review r22b_08: 'peaked' is defined where the finding states it (top patch above 5/49, 5x a flat
share) and no longer read as 'favouring one patch' (55.5 % of the peaked maps have a second patch above the cut,
printed and asserted); section 9's rule no longer counts a gap whose interval holds 0 as 'moved' (undecided), and its
8 paired lines are read as one family at 99.4 % (Bonferroni); the headline names its two references; Summary bullets
11-12 recall the main path's numbers and say what 0.37 against 0.40 means; timm's attn_drop hook holds in eval mode;
each 33 % chance names its population; the main path stays within 54 visible cells and 3,571 words."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
FAMILY_8 = "By the rule, read as a family of 8 at 99.4 % (Bonferroni)"  # 23c: appendix I's moved verdict


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def _text(text: str, path=LESSON) -> str:
    return nb.flat(nb.sources(path)[_at(text, path)])


def test_peaked_is_defined_and_not_one_patch():
    finding = _text("## 5 · Where the class token looks")
    assert "favouring one" not in finding and "three in four" not in finding
    assert "the top patch holds more than 5x a flat share, `5 / 49`" in finding
    assert "In 55.5 % of them a second patch is above the cut too." in finding
    cells = nb.cells(LESSON)
    at = _at("second_500 = sorted_500")
    assert "of the 1477 peaked maps, a second patch above 5/49 too: 819 (55.5 %)" in nb.printed(cells[at])
    check = cells[at + 1]
    assert nb.hidden(check) and "(len(second_500), int(second_500.sum())) == (1477, 819)" in nb.source(check)
    assert "torch.allclose(sorted_500[..., 0], top_500" in nb.source(check)  # the live maps are the stored run's
    summary = _text("## Summary")
    assert "peaked (top patch above 5/49, a chosen cut" in summary  # 24c: one line per section
    section_5 = nb.flat(_text("## 5 · Where the class token looks"))
    assert "In 55.5 % of them a second patch is above the cut too" in section_5


def test_section_9_rule_undecided_not_moved_and_read_as_a_family():
    rule = _text("**How the table is read.**")
    assert "has moved when it is detectably farther from the trained map than another digit's map is" in rule
    assert "A gap whose interval holds 0 is undecided, not moved." in rule
    assert "at least as far from the trained map as another digit's map" not in rule
    cells = nb.cells(LESSON)
    cells = nb.cells(APPENDIX)  # 23c: the family moved to appendix I
    at = _at("family_gaps = {", APPENDIX)
    out = nb.printed(cells[at])
    assert "< 0 or no gap: moved" not in out and "then the family's 99.4 %" in out
    assert "-0.004 [-0.043, +0.034]   99.4 %: [+0.056, +0.066] / [-0.057, +0.051]" in out
    assert "-0.115 [-0.170, -0.059]   99.4 %: [-0.047, -0.021] / [-0.193, -0.039]" in out
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1]) and 'fam["classifier + blocks 2-3"][1] == (-0.004, -0.057, 0.051)' in check
    verdict = _text("**Verdict** (ρ over 32 digits")
    assert "By the rule (paired lines above)" in verdict and "The 8 lines as one Bonferroni family" in verdict  # 23c
    assert "has not moved at the classifier step (+0.067 [+0.026, +0.112]" in _text(FAMILY_8, APPENDIX)  # 23c
    assert "counts as moved" not in verdict and "borderline" not in verdict
    assert "Both maps have moved from blocks 1-3" in verdict
    headline = _text("## 9 · Sanity check") + _text("**Verdict** (ρ over 32 digits")  # 23b: verdict after the rule
    assert "changes beyond noise at once" in headline and "from blocks 2-3 by the rule" not in headline


def test_summary_bullets_11_12_recall_the_main_path_in_plain_words():
    summary = _text("## Summary")
    knobs = "discarding 90 % of the weights spreads rollout over about 13 (max) or 14 (mean) patches instead of 37"
    assert knobs in summary
    assert "makes maps look sharper" not in summary
    classes = "- **12 · Classes** (appendix K): on the 100 closest calls, the two likeliest classes' maps of one digit"
    classes = classes.replace(" of one digit", "")  # 24d: section 12's wording, no appendix numbers
    classes = classes.replace(" the two likeliest classes' maps", " the runner-up class's map")  # 24f: the new wording
    assert classes + " differs from the likeliest class's map about as much as another digit's map does" in summary


def test_attn_drop_in_eval_mode_and_each_chance_named():
    assert "then hook `attn.attn_drop`, whose output (in eval mode) is" in _text("## 4 · Hooks, not a monkey-patch")
    assert "random key** among the 50, class token included" in _text("The 6 is a favourable case")  # 24d
    assert "the chance share of a random patch among the 49" in _text("## 7 · Does the attention land on the ink?")


def test_main_path_within_the_cap():
    cells = nb.cells(LESSON)
    end = nb.unique_index(nb.sources(LESSON), "## Summary")
    visible = [c for c in cells[:end] if not nb.hidden(c)]
    words = sum(len(nb.source(c).split()) for c in visible if c["cell_type"] == "markdown")
    assert len(visible) <= 54 and words <= 3571

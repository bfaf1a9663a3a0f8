"""Lesson 06, review r19c_06: each fix checked on the stored notebooks (fails before it)."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"


def _cell(path, text):
    hits = [nb.source(cell) for cell in nb.cells(path) if text in nb.source(cell)]
    assert hits, text
    return nb.flat(hits[0])


def test_1_longer_lead_counted_with_the_18_only_leans():
    out = nb.all_printed(LESSON)
    assert "counted with the 18 (one family of 20, 99.75%): [-0.02, +2.97]: leans" in out
    assert "counted with the 18 (one family of 20, 99.75%): [+1.9, +10.7]: ahead" in out
    lesson = nb.all_text(LESSON)
    assert 'assert clinic.verdict_word(longer, ALL_20) == "leans"' in lesson
    assert 'clinic.verdict_word(growth, ALL_20) == "ahead"' in lesson
    longer = _cell(LESSON, '<a id="lead-longer"></a>')
    assert "in the family of 20 [−0.02, +2.97]" in longer
    assert "**ahead in its own family; it leans if counted with the 18**" in longer
    assert "CNN-8 is ahead of the ViT at 400 and at 1,860 steps" not in longer
    assert "at 1,860 steps it is ahead in its own family and leans if counted with the 18" in longer
    growth = _cell(LESSON, "The lead is larger at 300 digits than at 1,257")
    assert "counted with the 18 (99.75 %) [+1.9, +10.7]" in growth
    summary = _cell(LESSON, "## Summary")
    assert "counted with the 18 (99.75 %) [−0.02, +2.97]: it **leans**" in summary
    assert "at 1,860 steps CNN-8 is ahead in its own family; it leans if counted with the 18" in summary
    assert "at 1,860 steps CNN-8 is **ahead** again" not in summary
    assert "[+1.9, +10.7]: **ahead** either way" in summary
    assert "counted with the 18: 99.75 %" in _cell(LESSON, '<a id="verdict-words"></a>')
    assert "counted with the 18 (one family of 20, 99.75 %) the 1,860-step lead only leans" in _cell(
        APPENDIX, '<a id="section-5-tables"></a>'
    )


def test_2_overfitting_runs_score_plain_cross_entropy():
    text = _cell(LESSON, '<a id="over-fitting-runs"></a>')
    assert "score the validation loss as plain cross-entropy, without label smoothing" in text


def test_3_feature_plane_gap_is_paired():
    text = _cell(LESSON, "On this plane the nearest centre")
    assert "+43.5 points, 95 % [+40.0, +47.0]" in text and "473 digits are right with the features only, 38" in text
    assert "95 % intervals [83.7, 88.0] and [39.5, 45.6]" not in text
    out = nb.all_printed(LESSON)
    assert "paired on the same 1,000 digits: features - pixels: +43.5 points, 95 % interval [+40.0, +47.0]" in out
    assert "right with the features only: 473 digits; with the pixels only: 38" in out


def test_4_takeaway_says_vit_is_one_small_block():
    takeaway = _cell(LESSON, '<a id="lead-longer"></a>')
    assert '"ViT" here is a single block, D = 32, on 8x8 digits with 2x2 patches' in takeaway


def test_5_warm_up_plateau_coincidence_named():
    text = _cell(LESSON, "Dropping the warm-up: on the 180 validation digits")
    assert "The plateau is not the warm-up's doing, on these 5 seeds" in text
    assert "the 10 % warm-up is 40 steps, 2.0 epochs (printed)" in text
    assert "runs without warm-up are what rule it out" in text
    assert "warm-up in these 400 steps: 40 steps, 2.0 epochs" in nb.all_printed(LESSON)


def test_1_appendix_mentions_of_the_longer_lead():
    for text in (
        "The lesson reruns it at each model's own rate on 10 seeds",
        "the lesson's 10-seed rerun at each model's own rate",
    ):
        hit = _cell(APPENDIX, text)
        assert text + ": **ahead** in its own family, **leans** if counted with the 18" in hit


def test_6_statistics_box_opens_section_3_in_its_own_cell():
    cells = nb.cells(LESSON)
    at = [i for i, cell in enumerate(cells) if '<a id="verdict-words"></a>' in nb.source(cell)]
    assert len(at) == 1 and nb.source(cells[at[0]]).startswith('## 3 · Training, in view\n\n<a id="verdict-words">')
    assert nb.source(cells[at[0] + 1]).startswith("### 3a · The loop")
    assert '<a id="warm-up-main"></a>' not in nb.source(cells[at[0]])
    assert "Read the curves" not in nb.source(cells[at[0]]) and len(cells) <= 117

"""Lesson 06, review 19a: verdict words defined up front, the quiet-bug ratio printed as stated, the quiet bugs
called one seed, check 3's margin with its basis, a ViT-specific payoff figure of the shipped model, a shorter
main path."""

import torch

from tests import _notebook as nb
from vit_explained.plotting.lesson06 import plot_trained_vit_payoff, position_similarity_by_distance

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"


def _index(cells, text):
    hits = [i for i, cell in enumerate(cells) if text in nb.source(cell)]
    assert hits, text
    return hits[0]


def test_verdict_words_defined_in_the_how_sure_box_before_first_use():
    cells = nb.cells(LESSON)
    box = _index(cells, '<a id="verdict-words"></a>')
    assert box > _index(cells, '<a id="how-sure"></a>')  # review 19b: at the first comparison (section 3), not up front
    assert (
        box == _index(cells, "## 3 ·") < _index(cells, '<a id="warm-up-main"></a>')
    )  # r19c: its own cell, at section 3's start
    text = nb.source(cells[box])
    for word in (
        "**ahead** (or **behind**)",
        "**leans**",
        "**no detectable difference**",
        "corrected interval lies above",
    ):
        assert word in text
    first_use = min(
        i
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "markdown" and "**leans**" in nb.source(cell) and i != box
    )
    assert box < first_use
    assert "leave the model behind" not in nb.all_text(LESSON)  # "behind" is a verdict word only


def test_quiet_bug_ratio_printed_exactly_as_the_prose_states():
    prose = nb.flat(nb.all_text(LESSON))
    assert "every part's gradient is 1.0-1.5x the fixed model's (seed 0; printed above)" in prose
    out = nb.all_printed(LESSON)
    assert "no activation in the MLP: every part's gradient is 1.0-1.5x the fixed model's (seed 0" in out
    assert "fixed model / no activation in the MLP" not in out  # the inverse no longer printed beside it
    assert "no activation in the MLP / fixed model (seed 0)" in out


def test_quiet_bugs_claim_only_one_seed():
    prose = nb.flat(nb.all_text(LESSON))
    assert "The two quiet bugs were run on **one seed** (seed 0)." in prose
    assert "0.27-0.61): no loss symptom finds them" not in prose
    assert "final loss of the two quiet bugs (one seed, seed 0)" in nb.all_printed(LESSON)


def test_check_3_margin_states_its_basis():
    prose = nb.flat(nb.all_text(APPENDIX))  # review 19b: check 3's calibration moved to appendix H
    assert "**The margin: 1 nat** (`STEP0_MARGIN`). Its basis is these three healthy starts alone" in prose
    assert "a margin set after seeing these three starts" not in prose
    assert "A tighter margin such as 0.2 would already fire on healthy seed 1" in prose


def test_payoff_figure_of_the_shipped_model():
    cells = nb.cells(APPENDIX)  # review r23f: moved to appendix E (#vit-payoff)
    at = _index(cells, 'save_figure(fig, "06_vit_payoff")')
    assert any("image/png" in output.get("data", {}) for output in cells[at]["outputs"])
    out = nb.printed(cells[at])
    assert "1: +0.45, 2: +0.14" in out and "left-right +0.54, up-down +0.36" in out
    assert "58% of the class token's patch attention on inked patches, which are 33% of the patches" in out
    assert "hide-input" in cells[at + 1]["metadata"].get("tags", []) and "by_distance" in nb.source(cells[at + 1])
    assert "**the tokens at inked positions**" in nb.source(cells[at + 2])  # review r21i: tightened wording
    assert _index(cells, '<a id="paired-digits"></a>') < at < _index(cells, '<a id="position-split"></a>')


def test_position_similarity_by_distance_and_payoff_plot():
    grid = torch.eye(9).reshape(3, 3, 3, 3)  # every position like itself only
    by = position_similarity_by_distance(grid)
    assert list(by) == [1, 2, 3, 4] and all(v == 0 for v in by.values())
    ones = torch.ones(3, 3, 3, 3)
    assert all(v == 1 for v in position_similarity_by_distance(ones).values())
    fig = plot_trained_vit_payoff(grid, torch.rand(2, 1, 6, 6), torch.rand(2, 3, 3), [3, 5])
    assert len(fig.axes) >= 6
    try:
        position_similarity_by_distance(torch.ones(3, 3))
    except ValueError as error:
        assert "rows, cols" in str(error)
    else:
        raise AssertionError("a (3, 3) similarity must be refused")


def test_side_material_moved_to_the_appendix():
    cells = nb.cells(LESSON)
    summary = _index(cells, "## Summary")
    assert summary <= 105  # 114 cells before the summary once the payoff figure was added; the moves take 9 out
    lesson, appendix = nb.all_text(LESSON), nb.all_text(APPENDIX)
    assert "sgd_long = RUNS" not in lesson and "sgd_long = RUNS" in appendix and "#slow-optimiser" in lesson
    assert 'regularised = RUNS["regularisers"]' not in lesson and 'regularised = RUNS["regularisers"]' in appendix
    assert '<a id="regularisers"></a>' in appendix and "#regularisers" in lesson
    assert "SGD bug, lr 0.1, 600 steps" in nb.all_printed(APPENDIX)
    assert "label smoothing, by hand: differences" in nb.all_printed(APPENDIX)
    assert "class_counts(all_labels" not in lesson and "class_counts(all_labels" in appendix and "#stratified" in lesson
    assert "a random 1,000: [99, 99, 85, 104, 111, 109, 98, 99, 101, 95]" in nb.all_printed(APPENDIX)

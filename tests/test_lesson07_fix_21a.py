"""Lesson 07, the 2026-12-05 cut (reviews r20d and r20f): the inline appendices moved to their own notebook, the
main path is at most 50 visible cells and 3,000 markdown words, the widget comes before the exercises, and the
Performer's unmeasured approximation error is no longer mentioned.
"""

from __future__ import annotations

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def _main_path(cells: list[dict]) -> list[dict]:
    visible = [c for c in cells if not c.get("metadata", {}).get("jupyter", {}).get("source_hidden")]
    summary = next(
        i for i, c in enumerate(visible) if c["cell_type"] == "markdown" and nb.source(c).startswith("## Summary")
    )
    return visible[:summary]


def test_the_main_path_is_at_most_50_visible_cells_and_3000_words():
    main = _main_path(nb.cells(LESSON))
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 50, len(main)  # 60 before the cut
    assert words <= 3000, words  # 3,931 before the cut


def test_the_appendices_live_in_their_own_notebook_with_their_checks():
    lesson, appendix = nb.sources(LESSON), nb.sources(APPENDIX)
    for heading in (
        "## Appendix · Three more looks",
        "## Appendix · Sources",
        "## Appendix · Audits",
        "## Appendix · For porters",
    ):
        assert not any(heading in s for s in lesson), heading
        nb.unique_index(appendix, heading)
    assert appendix[0].startswith("# 07 · Appendix") and "(07_tokens_to_token_vit.ipynb)" in appendix[0]
    cells = nb.cells(APPENDIX)
    for marker in (
        "control = paired_seeds(",
        "stem_correct = {",
        "original_default, one_eighth = ",
        "print(inspect.getsource(",
    ):
        index = nb.unique_index(appendix, marker)
        assert not any(marker in s for s in lesson), marker
        if marker != "print(inspect.getsource(":
            assert nb.hidden(cells[index + 1]) and appendix[index + 1].startswith("# @title A check"), marker
    # the lesson points to the notebook, and its anchor exists there
    assert "[the appendix notebook](07_tokens_to_token_vit_appendix.ipynb)" in nb.all_text(LESSON)
    assert "07_tokens_to_token_vit_appendix.ipynb#weights-above-0" in nb.all_text(LESSON)
    assert '<a id="weights-above-0"></a>' in nb.all_text(APPENDIX)
    # the README's lesson table lists it (tools/readme.py)
    readme = (nb.ROOT / "README.md").read_text()
    assert "(notebooks/07_tokens_to_token_vit_appendix.ipynb)" in readme


def test_section_6_keeps_table_7_and_the_token_layer_arms_and_points_to_the_no_overlap_run():
    sources = nb.sources(LESSON)
    start, summary = nb.unique_index(sources, "## 6. Does T2T help?"), nb.unique_index(sources, "## Summary")
    section_6 = nb.flat("\n".join(sources[start:summary]))
    assert "### T2T's chain against a no-overlap chain" not in section_6 and "Its part A races T2T's chain" in section_6
    assert "**The `Linear` arm.**" in section_6 and "**The token-MLP arm.**" in section_6
    # 24c (review r24b item 1): the T2T-ViT_c-14 detail moved to the appendix's Sources
    assert "Table 7's T2T-ViT_t-14 is 0.9 points above the convolution stem" in nb.flat(nb.all_text(APPENDIX))
    # the token-MLP cell defines the T2T arm's stored counts itself now that the no-overlap cell moved
    (cell,) = [s for s in sources if s.startswith("# benchmarks/results/lesson07_token_transformer.md")]
    assert 'control_correct = {"overlap": [175, 173, 172, 174, 173, 174]}' in cell


def test_the_widget_comes_before_the_exercises():
    sources = nb.sources(LESSON)
    summary = nb.unique_index(sources, "## Summary")
    widget = nb.unique_index(sources, "## Explore · The T2T chain")
    exercises = next(i for i, s in enumerate(sources) if s.startswith("## Exercises"))
    exercise_1 = nb.unique_index(sources, "### Exercise 1 ·")
    assert summary < widget < exercises <= exercise_1
    assert "the answer to exercise 1 below, hidden until you tick" in nb.flat(sources[widget])


def test_the_performer_error_is_not_claimed_unmeasured():
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert "how far its output is from exact attention" not in text
    assert not re.search(r"Performer[^.]*(approximation error|error of)", text)

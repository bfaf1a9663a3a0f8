"""Lesson 02, review r22d_02 (round 22e): the controls' sentence names the stride and grid they change too; the
stride-4 counts and their controls moved to the appendix, section 3 keeps one held-whole paragraph, the picture and
the paper's claim; the 1-D run rule stated, derived and swept in section 3 (the Summary points there); the
1 <= k - 2p <= s rule derived and swept; exercise 2's question-style hint first; one idea per sentence."""

from __future__ import annotations

import re

from tests import _notebook as nb
from vit_explained.soft_split import tokens_along

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "02_soft_split_token_counting_solutions.ipynb"


def _at(text: str) -> int:
    return nb.unique_index(nb.sources(LESSON), text)


def _text(text: str) -> str:
    return nb.flat(nb.sources(LESSON)[_at(text)])


def test_main_path_is_no_longer():
    cells = nb.cells(LESSON)
    main = [c for c in cells[: _at("## Summary\n")] if not nb.hidden(c)]
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 47 and words <= 2193, (len(main), words)


def test_item_1_the_controls_name_the_stride_and_grid_they_change():
    text = nb.flat(nb.all_text(LESSON))
    assert "separates size from overlap" not in text
    held = _text("### Held whole, counted")
    assert "varies window size and overlap apart, but the stride and the grid change too" in held
    assert "has stride 7 and a 32 x 32 grid" in held and "has a 112 x 112 grid" in held
    check = nb.sources(LESSON)[_at("for share in controls_3.values()] == [49.9, 100.0]")]
    assert "count_tokens(224, 224, 7, 7, 0).rows == 32" in check
    assert "count_tokens(224, 224, 5, 2, 2).rows == 112" in check


def test_item_2_the_counts_moved_to_the_appendix_and_the_paper_claim_is_in_section_3():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    section_3, section_4 = _at("## 3 · Why overlap"), _at("## 4 ·")
    main = " ".join(sources[section_3:section_4])
    assert "19.1" not in main and "share_held_whole" not in main and "controls_3" not in main
    assert 'save_figure(fig, "02_line_on_border")' in main  # the picture stays
    assert "In the paper's argument, neighbouring tokens share pixels, so the token layer" in nb.flat(main)
    held, code = _at("### Held whole, counted"), _at("whole = {split: share_held_whole(224")
    assert _at("## Appendix (optional)") < held < code < _at("**Held whole, in one rule.**")
    assert nb.hidden(cells[code + 1]) and "[19.1, 100.0]" in sources[code + 1]
    assert "piece = (2, 4)" in sources[_at("at_16 = {split: share_held_whole(224, piece")]  # Going further's own


def test_item_3_the_run_rule_is_stated_derived_and_swept_in_section_3():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    row = _at("**Held whole.** Call a piece")
    text = nb.flat(sources[row])
    assert "any `k - s + 1` neighbouring pixels of a row or column lie in one window" in text
    assert "starts at most `s - 1` pixels earlier. Its `k` pixels reach `k - s` past it." in text
    check = sources[row + 1]
    assert nb.hidden(cells[row + 1]) and "longest_held_run(n, k, s, p) == k - s + 1" in check
    summary = _text("## Summary\n")
    assert "lie in one window (section 3)" in summary and "(the box rule, appendix)" not in summary


def test_item_4_the_stride_rule_is_derived_and_swept():
    row = _at("In short: a split whose kernel")
    text = nb.flat(nb.sources(LESSON)[row])
    assert "Why: with `n = m·s` the count is `m + floor((2p - k) / s) + 1`, and that floor is -1 exactly when" in text
    check = nb.sources(LESSON)[row + 2]
    assert "(tokens_along(n, k, s, p) == n // s) == (1 <= k - 2 * p <= s)" in check
    assert all(
        (tokens_along(n, k, s, p) == n // s) == (1 <= k - 2 * p <= s)
        for s in range(1, 5)
        for n in range(s, 25, s)
        for k in range(1, 9)
        for p in range(k)
        if k <= n + 2 * p
    )


def test_items_6_7_hints_and_one_idea_per_sentence():
    for path in (LESSON, SOLUTIONS):
        (exercise,) = [s for s in nb.sources(path) if s.startswith("### Exercise 2")]
        first, last = exercise.index("A first hint"), exercise.index("A last hint")
        assert first < exercise.index("for which values of `k - 2p`") < last < exercise.index("k >= 2s - 1")
    prose = _text("The T2T module takes their place.")
    assert (
        "(split 1: pixels)" not in prose and "the first split merges pixels, the later ones merge tokens." in prose
    )  # 22h: joined
    lead = _text("## 3 · Why overlap")
    sentences = [s for s in re.split(r"(?<=[.])\s+(?=[A-Z])", lead) if '"' not in s]
    assert max(len(s.split()) for s in sentences) <= 24, sentences
    controls = nb.sources(LESSON)[_at('<a id="controls"></a>')]
    pair = "T2T's split 1 `(7, 4, 2)` and 4 x 4 patches differ in padding and in kernel."  # 23b: the pair named
    assert controls.count("\n- ") == 4 and pair in nb.flat(controls)


def test_item_8_the_gif_image_panel_is_larger():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from vit_explained.images import sample_image
    from vit_explained.plotting import new_figure
    from vit_explained.plotting.lesson02 import _FrameDrawer

    fig = new_figure(figsize=(7.44, 2.88), dpi=145)  # soft_split_frames' size: 1078 x 417 pixels
    FigureCanvasAgg(fig)
    drawer = _FrameDrawer(sample_image((60, 100), grayscale=True), 20, 10, 5, fig)
    fig.canvas.draw()
    left = drawer.left.get_position()  # after the equal aspect: the drawn image
    assert left.width >= 0.5 and left.height >= 0.8, left  # was 0.42 of the width, 0.69 of the height

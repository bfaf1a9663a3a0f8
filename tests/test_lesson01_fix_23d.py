"""Lesson 01 fixes for review r23c_01: the Summary's trained-table bullet is one plain sentence and section 6 leaves
its bookkeeping (per-table families, the prediction's source) to appendix A; the lesson's three canvas runs are
"8x8 s0/s1/s2" and appendix A's are "6x6 s0/s1/s2"; the matched-distance lines moved to appendix A; section 7 prints
the bilinear - bicubic difference it states; section 6 prints all three runs' accuracies; cell 6 names the linear
head; exercise 2's prose says a narrower dtype is refused."""

from __future__ import annotations

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_build_z0

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


def _at(start: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), start)


def _text(start: str, path=LESSON) -> str:
    return nb.flat(nb.sources(path)[_at(start, path)])


def _bullet(name: str) -> str:
    return next(b for b in _text("## Summary").split("- **") if b.startswith(name))


def test_item2_the_summary_bullet_is_one_plain_sentence() -> None:
    readings = _text("### Section 6's readings beyond", APPENDIX)  # 24f: the bullet moved to appendix A
    bullet = next(b for b in readings.split("- **") if b.startswith("A trained table"))
    said = (
        "in the three 8x8 runs, same-row positions are more alike than neither in every table; same-column ones only "
        "sometimes, weakly in 2 of 3 (fragile under appendix A's stricter correction); closeness alone gives both."
    )
    assert said in bullet
    for word in ("prediction's source", "famil", "98.75", "seed 1 barely", "undecided"):
        assert word not in bullet, word
    assert bullet.strip().count(". ") == 0


def test_item2_section_6_leaves_the_bookkeeping_to_appendix_a() -> None:
    six = _text("## 6 ·") + " " + _text("A table of token order only (the sinusoid line)")
    for word in ("prediction's source", "the run the prediction came from", "famil", "98.75"):
        assert word not in six, word
    said = "same-column ones on 8x8 s0 and, barely, on s1 (lower bound +0.004); s2 undecided."
    assert said in _text("What you should now see: in the inner maps", APPENDIX)  # 24b: moved to appendix A
    moved = _text("### Section 6's readings beyond the nearest neighbours", APPENDIX)
    assert "8x8 s0 and s1 yes, each table its own family of 4 at\n98.75 %".replace("\n", " ") in moved
    assert "s0 is the run the prediction came from, and its columns are lost under the family of 20 above" in moved


def test_item1_the_two_sets_of_runs_have_distinct_names() -> None:
    at = _at('fine = stored_shifted_positions("lesson01_canvas_grid.safetensors")')
    out = nb.printed(nb.cells(LESSON)[at])
    for run in ("8x8 s0:", "8x8 s1:", "8x8 s2:"):
        assert run in out, run
    moved = nb.printed(nb.cells(APPENDIX)[_at("section6_runs = {0:", APPENDIX)])  # 24b: the intervals moved
    assert "8x8 s1, same column - neither: +0.176, 98.75 % interval [+0.004, +0.387]" in moved
    assert "seed 1," not in moved and "new run" not in moved
    assert "seed 1," not in out and "new run" not in out
    six = _text("A table of token order only (the sinusoid line)")
    assert "(8x8 s0, s1, s2)" in six and "seed" not in six
    stricter = _text("What you should now see: in the inner maps", APPENDIX)  # 24b: moved to appendix A
    said = "over five tables (the shipped model, the 6x6 runs s0-s2 and 8x8 s0) no longer detects s0's columns"
    assert said in stricter
    appendix = nb.cells(APPENDIX)
    table = appendix[_at("tables_all = {", APPENDIX)]
    row = "row - neither    shipped +0.37*  6x6 s0 +0.47*  6x6 s1 +0.55*  6x6 s2 +0.48*  8x8 s0 +0.43*"
    assert row in nb.printed(table)
    check = nb.source(appendix[_at("tables_all = {", APPENDIX) + 1])
    assert '["shipped, 7 x 7", "6x6 s0", "6x6 s1", "6x6 s2",\n                          "8x8 s0"]' in check
    printed_a = "\n".join(nb.printed(c) for c in appendix[: _at("### Five comparisons (section 7)", APPENDIX)])
    assert "canvas seed" not in printed_a and "new run" not in printed_a and "canvas, 8 x 8" not in printed_a
    assert "8x8 s2 (74.5% of moved test digits right), same column - neither" in printed_a
    assert "6x6 s0 (test digits moved the same way: 83.2% right)" in printed_a
    named = "We call them **6x6 s0, s1 and s2**; section 6's runs, on an 8 x 8 grid, are 8x8 s0, s1 and s2."
    assert named in nb.all_text(APPENDIX)


def test_item3_the_matched_distance_lines_live_in_appendix_a() -> None:
    assert "matched distances" not in nb.all_printed(LESSON)
    at = _at("grid_runs = {0: stored_shifted_positions(", APPENDIX)
    out = nb.printed(nb.cells(APPENDIX)[at])
    assert "8x8 s2, same row - same column (matched distances): +0.329 [+0.007, +0.644]" in out
    check = nb.cells(APPENDIX)[at + 1]
    assert nb.hidden(check)
    assert "assert [d.low > 0 for d in matched.values()] == [False, False, True]" in nb.source(check)
    assert "(+0.329 [+0.007, +0.644], printed below)" in _text("### Section 6's readings beyond", APPENDIX)


def test_item4_the_kernel_difference_is_printed_where_it_is_stated() -> None:
    at = _at("correct = stored_resolution_run()")
    out = nb.printed(nb.cells(LESSON)[at])
    assert "2-D bilinear - 2-D bicubic: -1.0 points, 99 % interval [-2.1, +0.0]: no detectable difference" in out
    check = nb.cells(LESSON)[at + 1]
    assert nb.hidden(check) and 'kernels = versus["kernels"]' in nb.source(check)
    assert "bilinear - bicubic -1.0 [-2.1, +0.0]" in _text("**What the accuracies show**", APPENDIX)  # 24f: moved


def test_item8_all_three_runs_accuracies_are_printed_and_checked() -> None:
    at = _at('fine = stored_shifted_positions("lesson01_canvas_grid.safetensors")')
    out = nb.printed(nb.cells(LESSON)[at])
    for run, share in ((0, "76.8%"), (1, "83.0%"), (2, "74.5%")):
        assert f"8x8 s{run}: moved test digits {share} right" in out
    check = nb.source(nb.cells(LESSON)[at + 1])
    assert "assert moved == [0.768, 0.83, 0.745]" in check
    assert "get 76.8, 83.0\nand 74.5 % of the moved test digits right".replace("\n", " ") in _text("## 6 ·")


def test_item6_the_parameter_count_names_the_linear_head() -> None:
    text = _text("Left to right: the blocks keep")
    assert "86,567,656 parameters is the standard ViT-B/16's count with a linear head" in text
    assert "The paper (section 3.1) pre-trains with a one-hidden-layer MLP head, fine-tunes with a linear one." in text


def _right(t, c, p):
    return torch.cat([c.expand(t.shape[0], -1, -1), t], dim=1) + p


def test_item10_exercise_2_says_a_narrower_dtype_is_refused() -> None:
    said = "Float64 is fine; only narrower dtypes fail: the checker refuses a rounded `z0` such as `.half()`"
    for path in (LESSON, SOLUTIONS):
        text = _text("### Exercise 2 · Build the encoder's input", path)
        assert said in text and "- a narrower dtype such as `.half()` (float16)." in text
    with pytest.raises(ExerciseFailed, match="float16"):
        check_build_z0(lambda t, c, p: _right(t, c, p).half())


def test_the_main_path_does_not_grow() -> None:
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2_952

"""Lesson 01, review r19d_01's items 3-9: each fails on the notebook before this fix (commit 1606f54)."""

from __future__ import annotations

import pytest
import torch
from einops import repeat

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_build_z0
from vit_explained.vit import add_class_token

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


# --- item 5: exercise 2, build z0 (Eq. 1) -------------------------------------------------------------------


def _by_slices(tokens: torch.Tensor, class_token: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
    batch, patches, dim = tokens.shape
    z0 = torch.empty(batch, patches + 1, dim, dtype=tokens.dtype)
    z0[:, 0] = class_token[0, 0]
    z0[:, 1:] = tokens
    return z0 + pos


RIGHT = {
    "torch.cat": lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1), t], dim=1) + p,
    "einops repeat": lambda t, c, p: torch.cat([repeat(c, "1 n d -> b n d", b=t.shape[0]), t], 1) + p,
    "new tensor + slices": _by_slices,
    "float64": lambda t, c, p: (torch.cat([c.repeat(t.shape[0], 1, 1), t], 1) + p).double(),
    "positions split, then cat": lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1) + p[:, :1], t + p[:, 1:]], 1),
}


@pytest.mark.parametrize("name", RIGHT)
def test_build_z0_right_answers_written_differently_pass(name):
    check_build_z0(RIGHT[name])


WRONG = {
    "class token added, not prepended": (lambda t, c, p: t + c + p[:, 1:], "is added to the patch tokens instead"),
    "positions added before the cat": (
        lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1), t + p], 1),
        "positions added before the cat",
    ),
    "no expand for B > 1": (lambda t, c, p: torch.cat([c, t], 1) + p, "class_token.expand(B, -1, -1)"),
    "class token last": (lambda t, c, p: torch.cat([t, c.expand(t.shape[0], -1, -1)], 1) + p, "class token is last"),
    "a list returned": (lambda t, c, p: [c.expand(t.shape[0], -1, -1) + p[:, :1], t + p[:, 1:]], "returned a list"),
    "positions forgotten": (lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1), t], 1), "positions are missing"),
    "class row without its position": (
        lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1), t + p[:, 1:]], 1),
        "class token got no position",
    ),
    "the package's add_class_token": (add_class_token, "your function called vit_explained.vit.add_class_token"),
    "float16": (lambda t, c, p: (torch.cat([c.expand(t.shape[0], -1, -1), t], 1) + p).half(), "narrower dtype"),
}


@pytest.mark.parametrize("name", WRONG)
def test_build_z0_slips_are_named(name):
    answer, words = WRONG[name]
    with pytest.raises(ExerciseFailed, match=None) as caught:
        check_build_z0(answer)
    assert words in str(caught.value), str(caught.value)


def test_build_z0_is_exercise_2_in_lesson_and_solutions():
    for path in (LESSON, SOLUTIONS):
        sources = nb.sources(path)
        titles = [s.splitlines()[0] for s in sources if s.startswith("### Exercise")]
        assert titles[1] == "### Exercise 2 · Build the encoder's input, Eq. 1", titles
        assert len(titles) == 5
        i = nb.unique_index(sources, "### Exercise 2 · Build")
        assert sources[i + 1].startswith("def build_z0(") and sources[i + 2] == "lesson01.check_build_z0(build_z0)"
    solved = nb.cells(SOLUTIONS)[nb.unique_index(nb.sources(SOLUTIONS), "lesson01.check_build_z0(build_z0)")]
    assert "Correct!" in nb.printed(solved)


def test_build_z0_in_the_course_tools():
    from tools import course

    assert "build_z0" in course.HIDDEN_CASES
    assert course.FORBIDDEN["build_z0"] == ("vit_explained.vit.add_class_token",)


# --- items 3, 4, 6: section 6 reads each table as its own family of 4, 20,000 resamples, pooled seed lines ----------

APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"


def _section_6() -> list[dict]:
    cells = nb.cells(LESSON)
    sources = [nb.source(c) for c in cells]
    return cells[nb.unique_index(sources, "## 6 ·") : nb.unique_index(sources, "## 7 ·")]


def test_section_6_decides_the_family_first_and_prints_one_line_per_reading():
    six = _section_6()
    prose = nb.flat("\n".join(nb.source(c) for c in six if c["cell_type"] == "markdown"))
    moved = nb.flat(nb.all_text(APPENDIX))  # 20e: the definitions table moved to appendix A
    assert "| family | one table's 4 readings" in moved and "1 - 0.05/4 = 98.75 %" in moved
    assert "stricter reading stays in appendix A" not in prose and "earlier version" not in prose  # 20c: no history
    # 20c: the per-table readings moved to appendix A
    (table,) = [c for c in nb.cells(APPENDIX) if "\nreports = {name: position_structure_report(" in nb.source(c)]
    assert "level, draws = 1 - 0.05 / 4, 20_000" in nb.source(table)
    lines = nb.printed(table).strip().splitlines()
    assert len(lines) == 7 and [line.split()[0] for line in lines[1:5]] == ["row", "column", "row", "below"]
    assert lines[5] == "6x6 s0-s2 pooled, same row - neither: +0.50 [+0.29, +0.73] (97.5 %)"
    assert lines[6] == "6x6 s0-s2 pooled, same column - neither: +0.19 [+0.01, +0.38] (97.5 %)"
    check = nb.cells(APPENDIX)[nb.cells(APPENDIX).index(table) + 1]
    assert nb.hidden(check) and 'marks["row - neither"] == [True] * 5' in nb.source(check)
    assert "20 intervals" not in prose  # the family of 20 is appendix A's


def test_the_full_tables_and_their_checks_are_in_appendix_a():
    cells = nb.cells(APPENDIX)
    sources = [nb.source(c) for c in cells]
    full = nb.unique_index(sources, "section6 = {name: {kind: c.difference")
    assert nb.printed(cells[full]).startswith("98.75 % intervals") and nb.hidden(cells[full + 1])
    assert "shipped, 7 x 7       +0.37 [+0.16, +0.57]*" in nb.printed(cells[full])
    old = nb.unique_index(sources, "reports_20 = {name: position_structure_report(")
    assert nb.printed(cells[old]).startswith("99.75 % intervals") and nb.hidden(cells[old + 1])
    assert "Section 6 now reads each table as its own family" in sources[old - 1]


def test_the_summary_states_what_the_new_lines_print():
    summary = next(s for s in nb.sources(APPENDIX) if s.startswith("### Section 6's readings beyond"))  # 24f: moved
    marked = "- **A trained table (appendix A)"  # 24d: marked as appendix A's
    (bullet,) = [line for line in summary.splitlines() if line.startswith(marked)]
    assert "same-row positions are more alike than neither in every table" in bullet  # 20e; 22c
    assert "2 of 4 canvas runs" not in bullet and "family of 20" not in bullet


def test_pooled_over_tables_averages_the_seeds_and_resamples_each_on_its_own():
    from vit_explained.positional import pooled_over_tables, position_structure_report, stored_shifted_positions

    tables = [t for t, _ in stored_shifted_positions("lesson01_canvas_positions.safetensors").values()]
    pooled = pooled_over_tables(tables, (6, 6), "same column", resamples=500, confidence=0.9)
    reports = [position_structure_report(t, (6, 6)) for t in tables]
    each = [r.differences["same column - neither"].difference.estimate for r in reports]
    assert abs(pooled.estimate - sum(each) / 3) < 1e-12 and pooled.low < pooled.estimate < pooled.high
    one = pooled_over_tables(tables[:1], (6, 6), "same column", resamples=500, confidence=0.9)
    assert one.high - one.low > pooled.high - pooled.low  # three tables' patches narrow it
    with pytest.raises(ValueError):
        pooled_over_tables(tables, (6, 6), "diagonal")


# --- items 7, 8, 9 ---------------------------------------------------------------------------------------------


def test_item7_the_shuffle_cell_is_split_into_its_threads():
    sources = nb.sources(LESSON)
    first = nb.unique_index(sources, "With seed 0's permutation it gets 21.8 %")  # 21f: a plain sentence first
    assert (
        "So here the drop comes from patches meeting the wrong position vectors. "
        "The 27.7 %, above the 10 % of chance, probably comes from content alone" in nb.flat(sources[first])  # 24d
    )  # 20e: one cell again, the add-or-append aside moved to appendix F
    assert "\n\n**What the paper found.** ViT **learns** its position embeddings" in sources[first]  # 21a; 22a: headed


def test_item8_the_correct_token_matrix_comes_before_the_slip():
    sources = nb.sources(LESSON)
    matrix = nb.unique_index(sources, "fig = plot_token_matrix(patches[0]")
    slip = nb.unique_index(sources, "forgotten_line, fig = token_widget.compute(14, permute=False)")
    assert matrix < slip
    assert "the `permute` forgotten on the *kernel*" in nb.flat("\n".join(sources))  # 21i wording


def test_item9_a_whole_table_stretch_names_the_resized_class_row():
    import torch.nn.functional as F

    from vit_explained.exercises.lesson01 import check_interpolate_positions

    def whole(pos, old, new):
        size = 1 + new[0] * new[1]
        return F.interpolate(pos.transpose(1, 2), size=size, mode="linear").transpose(1, 2)

    with pytest.raises(ExerciseFailed, match="the class token's row resized with the patch rows"):
        check_interpolate_positions(whole)


def test_section_6_names_its_primary_family_and_claims_no_border_explanation():
    reading = nb.flat(next(s for s in nb.sources(APPENDIX) if s.startswith("Reading the lines")))  # 20c: moved
    assert "The per-table family is this lesson's primary reading" in reading
    assert "why the border patches cluster" not in reading

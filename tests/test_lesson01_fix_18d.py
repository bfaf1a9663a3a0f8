"""Lesson 01, fix round 18d: section 6 says only what its printed intervals show (the shipped model's matched
neighbour test beside the figure, no "horizontal > vertical"), the row wrap and the matched test's detail in
appendix A."""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "01_patches_and_embeddings.ipynb"
APPENDIX = ROOT / "notebooks" / "01_patches_and_embeddings_appendix.ipynb"
SHIPPED = "adjacent in a column - adjacent in a row: -0.18, 99 % interval [-0.36, +0.02]: no detectable difference"


def _cells(path: Path) -> list:
    return nbformat.read(path, as_version=4).cells


def _printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def _section(cells: list, start: str, end: str) -> list:
    first = next(i for i, c in enumerate(cells) if c.source.startswith(start))
    return cells[first : next(i for i, c in enumerate(cells) if c.source.startswith(end))]


def test_section6_prints_the_shipped_neighbour_test_beside_the_figure() -> None:
    six = _section(_cells(LESSON), "## 6 ·", "## 7 ·")
    figure = next(i for i, c in enumerate(six) if 'save_figure(fig, "01_learned_positions")' in c.source)
    assert SHIPPED in _printed(six[figure + 2])  # the markdown under the figure, then this print
    canvas = next(c for c in six if "readings[" in c.source)
    assert "canvas, adjacent in a column - adjacent in a row: +0.00, -0.10, -0.09 (seeds 0-2)" in _printed(canvas)
    text = "\n".join(c.source for c in six if c.cell_type == "markdown")
    assert "horizontal > vertical" not in text and "row wrap" not in text and "Bonferroni" not in text
    assert "rows are detected and columns are not" in text and text.count("01_patches_and_embeddings_appendix") == 1
    assert sum(c.cell_type == "markdown" for c in six) <= 5  # shorter: the matched canvas test left for appendix A


def test_summary_bullet_for_section6_is_two_plain_sentences() -> None:
    summary = next(c.source for c in _cells(LESSON) if c.source.startswith("## Summary"))
    (bullet,) = [line for line in summary.splitlines() if line.startswith("- **A trained table (6")]
    assert bullet.count(". ") == 1 and "horizontal" not in bullet and "3 of 3 seeds" in bullet


def test_appendix_a_holds_the_row_wrap_check_and_the_matched_test() -> None:
    cells = _cells(APPENDIX)
    text = "\n".join(c.source for c in cells)
    assert "**The row wrap, a check.**" in text and "Found +0.00" in text
    (cell,) = [c for c in cells if "adjacent |= " in c.source]
    printed = _printed(cell)
    assert f"shipped       {SHIPPED}" in printed and printed.count("no detectable difference") == 4


def test_nits_content_probably_neighbours_checked_and_timm_commit() -> None:
    cells = _cells(LESSON)
    lesson = "\n".join(c.source for c in cells)
    assert "Probably content alone" in lesson and "never met in training" in lesson
    assert "Interpolation itself makes" not in lesson and "7/9 of a trained step" in lesson
    assert any("all four more alike" in c.source for c in cells if "hide-input" in c.metadata.get("tags", []))
    assert "tag v1.0.28, commit `8ef7380`" in lesson

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
    app = _cells(APPENDIX)  # 20e: the five-patch maps and the stated test moved to appendix A
    figure = next(i for i, c in enumerate(app) if 'save_figure(fig, "01_learned_positions")' in c.source)
    confirm = next(i for i, c in enumerate(app) if "new_runs = {seed: stored_shifted_positions" in c.source)
    # 20e: the test, its check, its reading, 22c's control (4 cells), 23b's moved section 6 readings, a heading, maps
    # 23d: + the matched-distance lines moved from section 6, and their check
    # 24b: + section 6's interval lines moved from the lesson (heading, lines, check, reading)
    assert figure == confirm + 15
    table = next(c for c in _cells(APPENDIX) if "\nreports = {name: position_structure_report(" in c.source)
    assert "below - right    shipped -0.18" in _printed(table)  # 20a: one line per reading; 20c: in appendix A
    moved = next(c for c in _cells(APPENDIX) if "reports_20 = {name: position_structure_report(" in c.source)
    lines = _printed(moved).splitlines()  # 20a: the 99.75 % table, moved to appendix A
    assert lines[0].endswith("below - right") and lines[1].endswith("-0.18 [-0.40, +0.07]")  # SHIPPED, in the table
    assert [line[-21:].strip() for line in lines[2:5]] == [
        "+0.00 [-0.29, +0.32]",
        "-0.10 [-0.38, +0.23]",
        "-0.09 [-0.36, +0.21]",
    ]
    text = "\n".join(c.source for c in six if c.cell_type == "markdown")
    assert "horizontal > vertical" not in text and "row wrap" not in text and "Bonferroni" not in text
    assert text.count("01_patches_and_embeddings_appendix") == 1  # 20c
    assert any("rows are detected in all 5" in c.source for c in _cells(APPENDIX))  # 20e: the reading moved
    assert any("**Rows** are detected in every table" in c.source for c in _cells(APPENDIX))  # 20c: the reading moved
    assert sum(c.cell_type == "markdown" for c in six) <= 5  # shorter: the matched canvas test left for appendix A


def test_summary_bullet_for_section6_is_two_plain_sentences() -> None:
    readings = "### Section 6's readings beyond"  # 24f: the bullet moved to appendix A
    summary = next(c.source for c in _cells(APPENDIX) if c.source.startswith(readings))
    marked = "- **A trained table (appendix A)"  # 24d: marked as appendix A's
    (bullet,) = [line for line in summary.splitlines() if line.startswith(marked)]
    assert (
        bullet.count(". ") <= 1
        and "horizontal" not in bullet
        and "same-row positions are more alike than neither in every table" in bullet  # 22c
    )


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
    assert "probably comes from content alone" in lesson and "never met\na zeroed table in training" in lesson  # 24d
    appendix = _cells(LESSON.with_name("01_patches_and_embeddings_appendix.ipynb"))  # 21a: the neighbours moved to B
    assert "Interpolation itself makes" not in lesson
    assert "7/9 of a trained step" in "\n".join(c.source for c in appendix)
    assert any("all four more alike" in c.source for c in appendix if "hide-input" in c.metadata.get("tags", []))
    assert "tag v1.0.28, commit `8ef7380`" in lesson


def test_plot_slip_scatter_draws_the_cloud_the_diagonal_and_the_difference() -> None:
    import pytest
    import torch

    from vit_explained.plotting.lesson01 import plot_slip_scatter

    right = torch.randn(1, 12, 8, generator=torch.Generator().manual_seed(0))
    fig = plot_slip_scatter(right, right.flip(-1), points=50)
    scatter, matrix = fig.axes[:2]
    corr = torch.corrcoef(torch.stack([right.flatten(), right.flip(-1).flatten()]))[0, 1].item()
    assert scatter.get_title().startswith(f"correlation {corr:.2f}")
    assert len(scatter.lines[0].get_xdata()) <= 50 and scatter.lines[1].get_label() == "correct = permute forgotten"
    assert matrix.images[0].get_array().shape == (12, 8) and len(fig.axes) == 3  # + its colour bar
    with pytest.raises(ValueError, match="same shape"):
        plot_slip_scatter(right, right[:, :6])
    (cell,) = [c for c in _cells(LESSON) if 'save_figure(fig, "01_embedding_routes")' in c.source]
    assert "plot_slip_scatter(tokens_conv.detach(), wrong.detach())" in cell.source


def test_the_shuffle_widget_still_differs_from_section5_and_the_appendix_pointer_is_folded() -> None:
    cells = _cells(LESSON)
    (widget,) = [c for c in _cells(APPENDIX) if "shuffle_demo = digit_shuffle_widget(" in c.source]  # 19b: appendix G
    assert "seed=1)" in widget.source and "starting line: shuffle seed 1, positions on" in _printed(widget)
    (folded,) = [c for c in cells if "<details><summary>More in the appendix</summary>" in c.source]
    assert "#appendix-e) asks why" in folded.source
    assert not any(c.source.startswith("**More in the appendix") for c in cells)

"""Lesson 01 fixes for review r24g_01: section 6's count labels say what is counted (an adjacent patch above, below or
diagonal, not "off the row"); a printed 2-D sin-cos reference beside the 1-D one; Eq. 1's table and section 7 name
the order and the code precisely; the untrained shuffle compares a maximum with a maximum."""

from __future__ import annotations

import pytest
import torch

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
ADJACENT = "an adjacent patch above, below or diagonal"


def _at(text: str) -> int:
    return nb.unique_index(nb.sources(LESSON), text)


def _section_six_cell() -> int:
    return _at('fine = stored_shifted_positions("lesson01_canvas_grid.safetensors")')


# --- item 1 (MAJOR): the labels say what is counted -------------------------------------------------------------


def test_item1_no_off_the_row_label_anywhere() -> None:
    for path in (LESSON, APPENDIX):
        assert "off the row" not in nb.all_printed(path), path
        assert "off the row" not in nb.all_text(path), path


def test_item1_the_counts_are_labelled_adjacent() -> None:
    out = nb.printed(nb.cells(LESSON)[_section_six_cell()])
    for seed, count in {0: 12, 1: 16, 2: 12}.items():
        assert f"8x8 s{seed}: " in out and f"; {ADJACENT} {count}\n" in out
    assert f"a random pick: {ADJACENT} 10%, 3.4 of 36" in out


# --- item 2 (MAJOR): a 2-D reference ----------------------------------------------------------------------------


def test_item2_the_2d_sincos_reference_is_printed_and_asserted() -> None:
    cells = nb.cells(LESSON)
    at = _section_six_cell()
    out = nb.printed(cells[at])
    line = (
        "a 2-D sin-cos table (half the channels code the row, half the column): left/right 20, above/below 16, "
        "diagonal 0"
    )
    assert line in out
    assert "sincos_2d_encoding(8, 8, 64)" in nb.source(cells[at])
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1])
    assert "(grid_2d.left_right, grid_2d.above_below, grid_2d.diagonal) == (20, 16, 0)" in check
    assert "all(0 < r.above_below < 16 for r in reports.values())" in check
    reading = nb.flat(nb.sources(LESSON)[at + 2])
    assert "A 2-D sin-cos table picks above or below for 16" in reading
    assert "the trained counts lie between the 1-D (0) and the 2-D (16) reference." in reading
    assert "These counts are descriptive, with no test" in reading


def test_item2_the_2d_table_is_half_rows_half_columns() -> None:
    from vit_explained.positional import position_structure_report, sincos_2d_encoding, sinusoid_encoding

    table = sincos_2d_encoding(8, 8, 64)
    assert table.shape == (64, 64)
    torch.testing.assert_close(table[8 * 3 + 5, :32], sinusoid_encoding(8, 32)[3])  # row 3 in the first half
    torch.testing.assert_close(table[8 * 3 + 5, 32:], sinusoid_encoding(8, 32)[5])  # column 5 in the second
    report = position_structure_report(torch.cat([torch.zeros(1, 64), table])[None], (8, 8), resamples=10)
    assert (report.left_right, report.above_below, report.diagonal, report.inner_nearest_neighbour) == (20, 16, 0, 36)
    with pytest.raises(ValueError, match="even"):
        sincos_2d_encoding(8, 8, 63)


# --- items 3-5 ------------------------------------------------------------------------------------------------------


def test_item3_eq1_table_says_the_text_does_not_fix_the_order() -> None:
    table = nb.flat(nb.sources(LESSON)[_at("In the paper's symbols, its Eq. 1:")])
    assert "the text does not fix the order, the JAX code's HWIO kernel gives `(p1 p2 c)`" in table
    assert "not its text" not in table


def test_item4_section_7_names_the_papers_code() -> None:
    seven = nb.flat(nb.sources(LESSON)[_at("## 7 ·")])
    assert "its code (vit_jax `load_pretrained`; our appendix B)" in seven
    assert "its code (appendix B)" not in seven


def test_item5_the_shuffle_compares_a_maximum_with_a_maximum() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    at = _at("change_bare, change_pos =")
    assert "output_size = with_pos[0].abs().max().item()" in sources[at]
    out = nb.printed(cells[at])
    assert "with positions added after the shuffle     0.05 (the output's largest number: 3.4)" in out
    assert "mean size" not in out
    assert 'f"{output_size:.1f}" == "3.4"' in sources[at + 1] and nb.hidden(cells[at + 1])
    said = nb.flat(sources[at + 2])
    assert "the largest change is 0.05, against the output's largest number, 3.4." in said
    assert "against a mean size" not in said


def test_the_main_path_stays_within_its_cap() -> None:
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    end = next(i for i, s in enumerate(sources) if s.startswith("## Summary"))
    visible = [c for c in cells[:end] if not nb.hidden(c)]
    words = sum(len(nb.source(c).split()) for c in visible if c["cell_type"] == "markdown")
    assert len(visible) <= 50 and words <= 2765, (len(visible), words)


def test_item2_the_summary_places_the_trained_counts_between_the_references() -> None:
    summary = nb.flat(nb.sources(LESSON)[_at("## Summary")])
    assert "Above or below alone: 8-12, between that table (0) and a 2-D sin-cos table (16)." in summary

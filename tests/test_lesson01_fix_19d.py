"""Lesson 01, review r19c_01's items: each fails on the notebook before this fix (commit 78b4080)."""

from __future__ import annotations

import numpy as np
import pytest

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import as_tensor, check_conv_to_linear

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


def _section(start: str, end: str) -> list[dict]:
    cells = _cells()
    first = next(i for i, c in enumerate(cells) if nb.source(c).startswith(start))
    last = next(i for i, c in enumerate(cells) if nb.source(c).startswith(end))
    return cells[first:last]


APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"


def _table_cell() -> dict:  # 20a: the family of 20's table moved to appendix A
    (cell,) = [c for c in nb.cells(APPENDIX) if "reports_20 = {name: position_structure_report(" in nb.source(c)]
    return cell


def test_item1_the_family_is_the_whole_table_of_20_intervals() -> None:
    six = _section("## 6 ·", "## 7 ·")
    assert "why 99 %" not in nb.flat("\n".join(nb.source(c) for c in six if c["cell_type"] == "markdown"))
    text = nb.flat("\n".join(nb.source(c) for c in nb.cells(APPENDIX) if c["cell_type"] == "markdown"))
    assert "20 intervals" in text and "1 - 0.05/20 = 99.75 %" in text  # 20a: the family of 20, in appendix A
    source = nb.source(_table_cell())
    assert "confidence_20 = 1 - 0.05 / 20" in source and "confidence=0.99" not in source
    lines = nb.printed(_table_cell()).strip().splitlines()
    assert lines[0].startswith("99.75 % intervals")
    (fine,) = [line for line in lines if line.startswith("8x8 s0")]
    assert "+0.43 [+0.15, +0.69]*   +0.19 [-0.01, +0.40] " in fine  # rows detected, columns hold 0
    assert "+0.19 [-0.01, +0.40]: positive, not detected once corrected for the 20 intervals" in text
    assert "on 6x6 s0 and s2 they are positive (+0.47, +0.48), not detected once corrected" in text
    cells = nb.cells(APPENDIX)
    check = nb.source(cells[cells.index(_table_cell()) + 1])
    assert "abs(confidence_20 - 0.9975) < 1e-12" in check
    assert '[row["row - neither"].detectable for row in seeds] == [False, True, False]' in check


def test_item2_section_6_has_no_width_arithmetic_and_a_one_line_summary() -> None:
    six = _section("## 6 ·", "## 7 ·")
    text = nb.flat("\n".join(nb.source(c) + nb.printed(c) for c in six))
    assert "x 0.67" not in text and "0.47-0.55" not in text and "interval width" not in text
    readings = "### Section 6's readings beyond"  # 24f: the bullet moved to appendix A
    summary = next(s for s in nb.sources(APPENDIX) if s.startswith(readings))
    (bullet,) = [line for line in summary.splitlines() if line.startswith("- **A trained table")]
    assert len(bullet) < 300


def test_item3_the_canvas_is_described_before_its_figure() -> None:
    six = _section("## 6 ·", "## 7 ·")
    figure = next(i for i, c in enumerate(six) if 'save_figure(fig, "01_learned_positions_fine_grid")' in nb.source(c))
    before = nb.flat("\n".join(nb.source(c) for c in six[:figure]))
    assert "trained section 5's recipe for 20 epochs instead of 50 on digits moved anywhere" in before  # 21f
    assert "(after the next cell)" not in before


def test_item4_the_shuffle_figure_has_three_panels() -> None:
    text = nb.flat(nb.all_text(LESSON))
    assert "Left, the shuffled picture; right" not in text and "The left two panels" in text


def test_item5_the_paper_is_quoted_not_a_constructed_order() -> None:
    text = nb.flat(nb.all_text(APPENDIX))  # 21a: moved to appendix E
    assert "ViT-L below ViT-B below the BiT ResNets" not in text
    assert "While large ViT models perform worse than BiT ResNets (shaded area) when pre-trained on small" in text
    assert "Similarly, larger ViT variants overtake smaller ones as the dataset grows." in text


def test_item6_exercise_4_names_the_old_grid() -> None:
    text = nb.flat(nb.all_text(LESSON))
    # 22a: the reference is called with keywords, so the old grid is named and cannot be swapped
    assert (
        'interpolate_positions(pos_embedding, new_grid=new_grid, old_grid=old_grid, mode="bilinear", antialias=False)'
        in text
    )


def test_item7_checker_messages() -> None:
    with pytest.raises(ExerciseFailed, match="return a tensor, not a list: ") as failed:
        as_tensor([0.0, 1.0])
    assert "list/array" not in str(failed.value)
    with pytest.raises(ExerciseFailed, match="numeric numpy array is fine"):
        as_tensor(np.array(["a"]))
    with pytest.raises(ExerciseFailed) as failed:
        check_conv_to_linear(lambda w: w.permute(0, 2, 3, 1).reshape(w.shape[0], -1).half())
    message = str(failed.value)
    assert message.count("(") == message.count(")"), message


def test_item8_cell_28_names_d2l_and_cell_65_the_20_epoch_recipe() -> None:
    text = nb.flat(nb.all_text(LESSON))
    assert "d2l's `PatchEmbedding`, a `LazyConv2d`" in text
    assert "trained this recipe three more times" not in text and "recipe for 20 epochs instead of 50 on digits" in text


def test_item2_the_width_arithmetic_is_in_appendix_a_with_its_check() -> None:
    appendix = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
    cells = nb.cells(appendix)
    (cell,) = [c for c in cells if "width_reports = {" in nb.source(c)]
    printed = nb.printed(cell)
    assert "interval width: 6x6 s0-s2 0.99, 0.87, 0.86; 8x8 s0 0.41" in printed
    assert "16 -> 36 inner patches alone: x 0.67, to 0.57-0.66" in printed
    check = cells[cells.index(cell) + 1]
    assert "hide-input" in check["metadata"]["tags"] and "round(fewer, 2) == 0.67" in nb.source(check)
    a = next(i for i, c in enumerate(cells) if nb.source(c).startswith('<a id="appendix-a"></a>'))
    b = next(i for i, c in enumerate(cells) if nb.source(c).startswith('<a id="appendix-b"></a>'))
    assert a < cells.index(cell) < b

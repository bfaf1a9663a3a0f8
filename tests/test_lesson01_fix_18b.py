"""Lesson 01, fix round 18b: the matched-distance test of section 6, section 7's five accuracies, section 3's order."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from vit_explained.positional import adjacent_row_column, position_structure_report

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "01_patches_and_embeddings.ipynb"


def _table(rows: int, cols: int, values: np.ndarray) -> torch.Tensor:
    """A (1, 1 + rows * cols, 2) table whose patch rows are unit vectors at the given angles."""
    angles = torch.tensor(values, dtype=torch.float64).reshape(-1)
    patch_rows = torch.stack([angles.cos(), angles.sin()], dim=-1)
    return torch.cat([torch.zeros(1, 2, dtype=torch.float64), patch_rows]).unsqueeze(0)


def test_adjacent_row_column_reads_columns_and_rows() -> None:
    rows = cols = 6
    r, c = np.divmod(np.arange(rows * cols), cols)
    by_column = adjacent_row_column(_table(rows, cols, c * 1.5 + r * 0.05), (rows, cols), resamples=300)
    by_row = adjacent_row_column(_table(rows, cols, r * 1.5 + c * 0.05), (rows, cols), resamples=300)
    assert by_column.names == ("adjacent in a column", "adjacent in a row")
    assert by_column.detectable and by_column.difference.low > 0  # alike down a column
    assert by_row.detectable and by_row.difference.high < 0  # alike along a row
    assert by_column.difference.n == 2 * rows * (cols - 1)  # 30 pairs of each kind on a 6 x 6 grid


def test_adjacent_row_column_agrees_with_the_report_inputs() -> None:
    generator = torch.Generator().manual_seed(0)
    table = torch.randn(1, 1 + 36, 8, generator=generator)
    first = adjacent_row_column(table, (6, 6), confidence=0.99)
    again = adjacent_row_column(table, (6, 6), confidence=0.99)
    assert first.difference == again.difference  # seeded
    assert first.difference.confidence == 0.99
    with pytest.raises(ValueError):
        adjacent_row_column(table, (7, 7))
    position_structure_report(table, (6, 6))  # the same inputs are accepted by the report


def _sources() -> list[str]:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells]


def test_section7_prints_the_five_accuracies_before_its_comment() -> None:
    sources = _sources()
    at = next(i for i, s in enumerate(sources) if "correct = stored_resolution_run()" in s)
    assert "proportion(right)" in sources[at] and "figure below" not in sources[at]
    assert sources[at + 1].startswith("# @title")  # 19b: its check, then the comment folded into the accuracies' prose
    assert any(s.startswith("**In one sentence**") for s in sources[at:])  # 24f: the bullets moved to appendix B
    # 24d: said once, in section 5's Table 8 paragraph
    appendix = json.loads(NOTEBOOK.with_name("01_patches_and_embeddings_appendix.ipynb").read_text())["cells"]
    moved = ["".join(cell["source"]) for cell in appendix]  # 24f: the Table 8 paragraph moved to appendix B
    assert "removes the positions from a model trained with them" in " ".join(" ".join(moved).split())


def test_section3_picture_before_its_printed_check() -> None:
    sources = _sources()
    picture = next(i for i, s in enumerate(sources) if "token_widget.compute(14, permute=False)" in s)
    check = next(i for i, s in enumerate(sources) if "no_permute = x.reshape" in s)
    assert picture < check


def test_section6_matched_distance_reading() -> None:
    sources = _sources()
    appendix = [
        "".join(c["source"])
        for c in json.loads(NOTEBOOK.with_name(NOTEBOOK.name.replace(".ipynb", "_appendix.ipynb")).read_text())["cells"]
    ]
    # 20c: section 6's per-table readings moved to appendix A
    assert any('"below - right": adjacent_row_column(t, g, confidence=level, resamples=draws)' in s for s in appendix)
    assert any('"below - right": adjacent_row_column(t, g, confidence=confidence_20)' in s for s in appendix)  # 19d
    assert not any("may explain the\nrows" in s for s in sources)  # round 18c: the index is only a label

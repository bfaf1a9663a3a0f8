"""Lesson 01 fix round 17a: the shuffle's change beside float32 rounding's (no ratio), section 6's readings printed by
a visible cell, section 7 names each code's 2-D resize, the shuffle picture draws all 768 numbers."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from tests import _notebook as nb
from tests._notebook import printed as _printed
from tests._notebook import source as _source

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "01_patches_and_embeddings.ipynb"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


def _section(cells: list[dict], start: str, end: str) -> list[dict]:
    first = next(i for i, c in enumerate(cells) if _source(c).startswith(start))
    last = next(i for i, c in enumerate(cells) if _source(c).startswith(end))
    return cells[first:last]


def test_the_shuffle_prints_both_changes_and_no_ratio() -> None:
    text = "\n".join(_source(c) + _printed(c) for c in _cells())
    assert "33,958" not in text and "times the change without them" not in text and "tens of thousands" not in text


def test_section_6_prints_its_readings_in_a_visible_cell() -> None:
    # round 19c: section 6's readings are one visible cell; 20a: one line per reading, each table's family of 4;
    # 20c: that cell moved to appendix A (section 6 keeps its pictures and the confirmatory test)
    (cell,) = [
        c
        for c in nb.cells(LESSON.with_name("01_patches_and_embeddings_appendix.ipynb"))
        if c["cell_type"] == "code" and "\nreports = {name: position_structure_report(" in _source(c)
    ]
    assert "hide-input" not in cell["metadata"].get("tags", [])
    printed = _printed(cell)
    assert "row - neither    shipped +0.37*" in printed
    # 19d's 99.75 % table (the family of 20), moved to appendix A in 20a
    moved = [
        c
        for c in nb.cells(LESSON.with_name("01_patches_and_embeddings_appendix.ipynb"))
        if "reports_20 = {name: position_structure_report(" in _source(c)
    ]
    assert "shipped, 7 x 7       +0.37 [+0.10, +0.62]*" in _printed(moved[0])
    # round 17c: the border and the patch below moved to appendix A, with the five comparisons
    appendix = json.loads(LESSON.with_name("01_patches_and_embeddings_appendix.ipynb").read_text())["cells"]
    table = "".join(_printed(c) for c in appendix)
    assert "border-border - border-inner: +0.43, 99 % interval [+0.24, +0.62]" in table
    assert "5 or 6 tokens apart: +0.24, 99 % interval [-0.01, +0.46]: no detectable difference" in table


def test_section_7_names_each_codes_resize() -> None:
    seven = _source(_section(_cells(), "## 7 ·", "## 8 ·")[0])
    assert "(appendix B\nlists them)" in seven and "`interpolate_positions` defaults to timm's bicubic" in seven
    # round 18a: the list itself moved to appendix B (the review: shorten the main path)
    appendix = "\n".join(nb.sources(LESSON.with_name("01_patches_and_embeddings_appendix.ipynb")))
    assert "`scipy.ndimage.zoom(..., order=1)`" in appendix and "corners aligned" in appendix
    assert "`antialias=True`, `align_corners=False`" in appendix and "1.0.28" in appendix
    assert "assumes a square\n  trained grid (exercise 5's slip)" in appendix


def test_the_shuffle_picture_draws_every_number_by_default() -> None:
    from vit_explained.plotting.lesson01 import plot_shuffled_patches

    image, order = torch.rand(3, 8, 8), torch.randperm(4)
    same, other = torch.randn(100), torch.randn(100)
    fig = plot_shuffled_patches(image, 4, order, (same, same.clone()), (same, other))
    bare, with_pos = fig.axes[2].lines[:2]
    assert len(bare.get_ydata()) == len(with_pos.get_ydata()) == 100
    assert "all 100" in fig.axes[2].get_xlabel()

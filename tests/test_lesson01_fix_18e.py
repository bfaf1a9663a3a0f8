"""Lesson 01, review 18d: exercise 3's weight is compared exactly (float64), as its messages promise;
cell 80 says what the below-vs-right test supports; the canvas column estimates are pooled."""

from pathlib import Path

import nbformat
import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_conv_to_linear

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "01_patches_and_embeddings.ipynb"


def _reorder(weight: torch.Tensor) -> torch.Tensor:
    return weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1)


@pytest.mark.parametrize("slip", [lambda w: w * 1.00001, lambda w: w + 1e-7, lambda w: (w * 1.00001).double()])
def test_a_weight_off_by_a_rounding_step_is_not_exactly_the_kernel(slip):
    with pytest.raises(ExerciseFailed, match="different values: it should hold exactly the kernel's numbers"):
        check_conv_to_linear(lambda weight: slip(_reorder(weight)))


@pytest.mark.parametrize("widen", [lambda w: w, lambda w: w.double(), lambda w: w.double().float()])
def test_the_exact_reordering_passes_in_float32_and_float64(widen, capsys):
    check_conv_to_linear(lambda weight: widen(_reorder(weight)))
    assert "Correct" in capsys.readouterr().out


def test_cell_80_claims_no_more_than_the_intervals_and_the_pool_is_printed():
    cells = nbformat.read(LESSON, as_version=4).cells
    lesson = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    appendix_md = "\n".join(
        c.source
        for c in nbformat.read(LESSON.with_name("01_patches_and_embeddings_appendix.ipynb"), as_version=4).cells
        if c.cell_type == "markdown"
    )  # 20c: section 6's reading of the five tables moved to appendix A
    assert "cannot tell a vertical" not in lesson and "This test cannot rule one out" in appendix_md
    assert "we detect no difference in any table" in appendix_md  # 19d: at 99.75 %, the table's 20 intervals
    assert "A likely explanation, not tested here: a 9 x 9 step" in appendix_md  # 21a: moved to appendix B
    assert "the correct tokens" in lesson and "two LayerNorms: appendix E" in lesson
    printed = "".join(o.get("text", "") for c in cells if c.cell_type == "code" for o in c.get("outputs", []))
    appendix = nbformat.read(LESSON.with_name("01_patches_and_embeddings_appendix.ipynb"), as_version=4).cells
    printed = "".join(o.get("text", "") for c in appendix if c.cell_type == "code" for o in c.get("outputs", []))
    assert "column - neither: 6x6 s0-s2 mean +0.19 (range +0.16 to +0.21); 8x8 s0 +0.19" in printed  # 19c, 20a

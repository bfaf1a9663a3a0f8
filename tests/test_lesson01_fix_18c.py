"""Lesson 01, fix round 18c: a learned table's index is only a label (round 18d: the row wrap is appendix A's check,
no "horizontal > vertical"), the class token expanded per image, the pixel-token cost, the positions-off shuffle."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import torch

from vit_explained import ViT, patchify
from vit_explained.positional import stored_resolution_run

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "01_patches_and_embeddings.ipynb"
APPENDIX = ROOT / "notebooks" / "01_patches_and_embeddings_appendix.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "01_patches_and_embeddings_solutions.ipynb"
WRAP = "3 tokens apart, within a row - 3 tokens apart, across rows"


def _cells(path: Path) -> list:
    return nbformat.read(path, as_version=4).cells


def _text(path: Path) -> str:
    return "\n".join(c.source for c in _cells(path))


def _printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def test_rows_are_read_as_horizontal_structure_not_the_sequence_order() -> None:
    lesson, appendix = _text(LESSON), _text(APPENDIX)
    wrongs = ("1-D order alone", "mostly the 1-D order", "than the sequence order predicts", "6 tokens apart (column)")
    for wrong in wrongs:
        assert wrong not in lesson and wrong not in appendix, wrong
    assert "horizontal > vertical" not in lesson and "row wrap" not in lesson  # round 18d: not what the intervals show
    assert "A learned table's index is only a label" in appendix and "**The row wrap, a check.**" in appendix


def test_the_row_wrap_reading_is_printed_in_the_appendix_not_the_lesson() -> None:
    (cell,) = [c for c in _cells(APPENDIX) if "\nreports = {name: position_structure_report(" in c.source]  # 20c: moved
    assert WRAP not in _printed(cell) and not any(WRAP in _printed(c) for c in _cells(LESSON))
    (cell,) = [c for c in _cells(APPENDIX) if "structure = position_structure_report(mnist_vit" in c.source]
    assert f"{WRAP}: +0.00, 99 % interval [-0.40, +0.34]: no detectable difference" in _printed(cell)


def test_a_learned_table_is_a_label_relabelling_commutes() -> None:
    """Renumbering the patch tokens and the table's rows together changes no output: the index carries no order."""
    torch.manual_seed(0)
    model = ViT(16, patch_size=4, num_classes=3, dim=16, depth=1, heads=2, mlp_dim=16).eval()
    x = torch.rand(2, 3, 16, 16)
    order = torch.randperm(16)
    with torch.no_grad():
        tokens = model.patch_embedding(x)
        cls = model.class_token.expand(2, -1, -1)
        plain = model.encoder(torch.cat([cls, tokens], 1) + model.pos_embedding)[:, 0]
        table = torch.cat([model.pos_embedding[:, :1], model.pos_embedding[:, 1:][:, order]], 1)
        relabelled = model.encoder(torch.cat([cls, tokens[:, order]], 1) + table)[:, 0]
    assert torch.allclose(plain, relabelled, atol=1e-5)
    assert patchify(x, 4).shape == (2, 16, 48)


def test_class_token_expands_per_image_and_pixel_cost_is_printed() -> None:
    cells = _cells(LESSON)
    assert any("vit.class_token.expand(B, -1, -1)  # (B, 1, D): one copy per image" in c.source for c in cells)
    printed = "".join(_printed(c) for c in cells if c.cell_type == "code")
    # 19b: one computation of the pixel cost (with the class token on both sides), printed once
    assert printed.count("attention matrix per head: 50,177^2 / 197^2 = 64,875 times larger") == 1
    assert "pixels as tokens" not in printed


def test_trained_positions_off_shuffle_is_stored_and_stated() -> None:
    stored = stored_resolution_run("lesson01_shuffle.json")
    plain, shuffled = stored["positions off, 28x28 digits"], stored["positions off, patches shuffled, 28x28 digits"]
    assert torch.equal(plain, shuffled) and int(plain.sum()) == 277
    results = json.loads((ROOT / "benchmarks" / "results" / "lesson01_shuffle.json").read_text())
    assert results == json.loads((ROOT / "vit_explained" / "checkpoints" / "lesson01_shuffle.json").read_text())
    lesson = _text(LESSON)
    assert "for any weights" in lesson and "27.7 % right, shuffled or not" in lesson
    # round 18d: the zeroed table is itself a shift; 24d: one sentence
    assert "probably comes from content alone" in lesson


def test_nits_and_going_deeper_exercise() -> None:
    lesson = _text(LESSON)
    assert "which T2T-ViT uses" in lesson and "2.8 points lower (61.4 %)" in lesson
    assert "Its Introduction blames" in lesson and "The paper (section 3.1)" in lesson
    for path in (LESSON, SOLUTIONS):
        assert "### Exercise 5 (going deeper) · Carry a learned table to a new grid" in _text(path)


def test_checker_wording_for_none_and_arrays() -> None:
    import numpy as np
    import pytest

    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson01 import as_tensor

    with pytest.raises(ExerciseFailed, match="is None: does your function end with a `return`"):
        as_tensor(None)
    with pytest.raises(ExerciseFailed, match=r"not a list: .*wrap it in torch.as_tensor"):
        as_tensor([0.0, 1.0])  # a list; a numpy array passes (the lesson says numpy is fine)
    assert torch.equal(as_tensor(np.zeros(3)), torch.zeros(3, dtype=torch.float64))
    source = (ROOT / "vit_explained" / "exercises" / "lesson01.py").read_text()
    assert 'f"your table for {case}"' not in source

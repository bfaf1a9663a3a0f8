"""Lesson 04, fresh review 17e (fix round 18a): section 6's training result as one lr x warm-up table with Fisher's
p and the shared seeds folded, and a printed diagnostic for the stream's linear growth (the blocks' updates)."""

import re
from pathlib import Path

import nbformat
import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_block_macs, check_post_norm_block
from vit_explained.norm_placement import (
    branch_alignment,
    stored_norm_training_runs,
    training_notes,
    training_summary,
    training_table,
)

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_gelu_mlp_and_block.ipynb"
APPENDIX = LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb")  # round 18d: the growth detour moved to appendix A


def _cells(path: Path = LESSON) -> list:
    return nbformat.read(path, as_version=4).cells


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def test_training_table_one_row_per_warm_up() -> None:
    summary = training_summary(stored_norm_training_runs())
    lines = training_table(summary).splitlines()
    assert len(lines) == 5 and lines[0] == "accuracy pre-norm - post-norm, points [95 % t-interval over 3 paired seeds]"
    assert " ".join(lines[2].split()) == "none +2.5 [-11.4, +16.5] +64.4 [+51.0, +77.8] 3 of 3 / 0 of 3"
    assert [line.split()[0] for line in lines[2:]] == ["none", "50", "150"]
    notes = training_notes(summary)
    assert "+/-13.9 points" in notes and notes.count("p = 0.10") == 4 and "not 9" in notes


def test_section_six_shows_the_table_and_folds_the_statistics() -> None:
    cell = next(c for c in _cells() if c.source.startswith("norm_runs = stored_norm_training_runs()"))
    assert "print(training_table(training))" in cell.source and "Fisher" not in _text(cell)
    moved = "".join(_text(c) for c in _cells(APPENDIX) if "print(training_notes(training))" in c.source)  # 20c
    assert "the warm-ups share seeds 0, 1, 2" in moved and "Fisher's exact p" in moved  # appendix F


def test_linear_growth_diagnostic_is_printed() -> None:
    alignment, norms = branch_alignment(depth=16, seed=0)
    assert abs(alignment) < 0.01 and norms[-1] > 1.5 * norms[0]
    cells = _cells(APPENDIX)
    at = next(i for i, c in enumerate(cells) if "alignment, update_norms = branch_alignment(" in c.source)
    assert "all 120 pairs): -0.001" in _text(cells[at]) and "block 1 4.9, block 16 7.8" in _text(cells[at])
    prose = " ".join(cells[at + 2].source.split())
    assert prose.startswith("The updates are nearly orthogonal, so their squares add") and "One clue:" in prose


def test_section_six_words_under_the_cap() -> None:
    cells = _cells()
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## 6 · Where the norm sits"))
    end = next(i for i, c in enumerate(cells) if c.source.startswith("## 7 ·"))
    words = sum(
        len(re.sub(r"<details>.*?</details>", "", c.source, flags=re.S).split())
        for c in cells[start:end]
        if c.cell_type == "markdown"
    )
    assert words < 480


def _rejected(checker, answer) -> str:
    with pytest.raises(ExerciseFailed) as error:
        checker(answer)
    return str(error.value)


def test_exercise_five_names_the_sandwich_norm_and_the_double_norm() -> None:
    def sandwich(x, block):
        h = x + block.norm1(block.attn(block.norm1(x)))
        return h + block.norm2(block.mlp(block.norm2(h)))

    def pre_and_post(x, block):
        h = block.norm1(x + block.attn(block.norm1(x)))
        return block.norm2(h + block.mlp(block.norm2(h)))

    assert "sandwich norm (CogView's Sandwich-LN)" in _rejected(check_post_norm_block, sandwich)
    assert "pre-norm and post-norm together" in _rejected(check_post_norm_block, pre_and_post)


def test_exercise_two_names_a_constant_count() -> None:
    message = _rejected(check_block_macs, lambda dim, mlp_dim, tokens: 123_456_789)
    assert "returned 123,456,789 for both (64, 256, 101) and (100, 300, 50)" in message and "not a formula" in message
    assert "for both" in _rejected(check_block_macs, lambda dim, mlp_dim, tokens: 1)  # any constant

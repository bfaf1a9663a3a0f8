"""Lesson 01, review r22h: the zeroed table and Table 8 called not comparable (no single cause); the 6 x 6-grid canvas
runs named with their patch size; the ResNet-50 stride sentence dropped; Eq. 1's missing bias said under its table;
exercise 1 says what it accepts."""

from __future__ import annotations

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_token_count

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


def _cell(path, start: str) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, start)])


def test_item3_the_zeroed_table_and_table_8_are_not_comparable() -> None:
    text = _cell(APPENDIX, "### The paper's Table 8 (section 5)")  # 24f: moved to appendix B
    said = "Our 27.7 % is not comparable: another model, task and measure (MNIST test accuracy), and it removes the "
    said += "positions from a model trained with them; the paper trains without them."
    assert said in text and "differs because" not in text
    assert text.index("ImageNet 5-shot linear") < text.index("61.4 %") < text.index(said)


def test_item4_the_canvas_runs_are_named_by_grid_and_patch_size() -> None:
    six = _cell(APPENDIX, "### Section 6's readings beyond the nearest neighbours")  # 23b: moved to appendix A
    said = "finds it on no 6x6 run (`8x8` patches), only in the shipped centred-digit model"
    assert said in six and "on no 6 x 6 canvas run" not in six
    assert "on no 6 x 6 canvas run" not in _cell(APPENDIX, "What you should now see: in the inner maps")
    setup = _cell(APPENDIX, "### Digits anywhere: the canvas runs")
    assert "`8x8` patches" in setup and "(a 6 x 6 grid, 16 inner patches)" in setup  # the words appendix A uses


def test_item5_the_resnet_stride_sentence_is_gone() -> None:
    text = _cell(LESSON, "In plain words: the patch cut follows only whole-patch shifts")
    assert "ResNet-50" not in text and "coarser than ViT-B/16" not in text
    assert "strided CNNs are equivariant only to shifts by multiples of their stride" in text
    assert "So the learned table, not the patch cut, breaks whole-patch equivariance there" in text


def test_item7_eq_1_leaves_out_the_bias_the_check_adds() -> None:
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    at = nb.unique_index(sources, "In the paper's symbols, its Eq. 1:")
    text = nb.flat(sources[at])
    assert "Eq. 1 omits the embedding's bias; the check below adds it." in text
    assert text.index("| `vit.pos_embedding` |") < text.index("Eq. 1 omits") < text.index("**Why positions at all?**")
    assert nb.hidden(cells[at + 1]) and "patchify(x, P) @ E + bias" in sources[at + 1]


def test_item10_exercise_1_says_what_it_accepts_in_both_notebooks() -> None:
    said = "Return an `int` (a 0-d integer tensor works too; `197.0` does not)."
    lesson = _cell(LESSON, "### Exercise 1 · Count the tokens")
    assert said in lesson and lesson == _cell(SOLUTIONS, "### Exercise 1 · Count the tokens")


def _count(h: int, w: int, ph: int, pw: int) -> int:
    return (h // ph) * (w // pw) + 1


def test_item10_the_text_matches_the_checker(capsys) -> None:
    check_token_count(lambda *a: torch.tensor(_count(*a)))  # 'a 0-d integer tensor works too'
    assert "Correct!" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match=r"197\.0"):  # '`197.0` does not'
        check_token_count(lambda *a: float(_count(*a)))


def test_the_main_path_stays_within_its_cap() -> None:
    cells = nb.main_path(LESSON)
    words = nb.markdown_words(cells)
    assert len(cells) <= 50 and words <= 2_958

"""Lesson 02, review r23a_02 (round 23b): the ceil(n / 2) rule names its split, the T2T module's split 3 and project
are checked against a Conv2d on values, exercise 4's checker names the answer that returns only the gaps, three
note-like fragments are full sentences, and OriginalT2TStem's docstring names the commits as Note 1 does."""

from __future__ import annotations

import inspect

import pytest

from tests import _notebook as nb
from vit_explained import soft_split
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "02_soft_split_token_counting_solutions.ipynb"


def _text(path, text: str) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, text)])


def test_item_3_ceil_rule_names_t2t_split():
    prose = _text(LESSON, "windows (checked for `n <= 499`)")
    assert "Under T2T's `(3, 2, 1)`, a side of `n` pixels gets `ceil(n / 2)` windows" in prose
    assert "and a side of `n` pixels gets" not in prose


def test_item_4_split_3_and_project_equal_a_conv_on_values():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    row = nb.unique_index(sources, "stem = Tokens2Token(224, in_channels=3, token_dim=64, embed_dim=384)")
    check = sources[row]
    assert nb.hidden(cells[row]) and nb.unique_index(sources, "The T2T module takes their place.") < row
    assert "nn.Conv2d(64, 384, kernel_size=3, stride=2, padding=1)" in check
    assert "torch.rand(1, 64, 28, 28)" in check and "conv_3.weight.copy_(project.weight.view(384, 64, 3, 3))" in check
    assert "assert torch.allclose(by_split_3, conv_3(image_64).flatten(2).transpose(1, 2)" in check


def _gaps_only(n, k, s, p):  # the reviewer's answer: the gaps, not the pixels past the last window
    return [i for i in range(n) if (i + p) % s >= k]


def test_item_5_gaps_only_answer_is_told_it_misses_the_end():
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(_gaps_only)
    message = str(failed.value)
    assert "you miss the pixels past the last window: the floor drops the last r" in message
    assert "of the padded side" in message and "it is not rounded up" in message  # 17c's message kept


def test_item_7_fragments_are_sentences():
    held = _text(LESSON, "**Held whole.** Call a piece")
    assert "The [appendix](#held-whole) tabulates the controls, counts a 2 x 4 piece and gives the paper's" in held
    controls = _text(LESSON, '<a id="controls"></a>')
    assert "**Controls.** T2T's split 1 `(7, 4, 2)` and 4 x 4 patches differ in padding and in kernel." in controls
    for path in (LESSON, SOLUTIONS):
        exercise = _text(path, "### Exercise 2 · Choose a split")
        assert "The checker accepts whole floats: it reads a padding of `1.0` as 1." in exercise
        assert "Whole floats pass" not in exercise


def test_item_7_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 47 and nb.markdown_words(main) <= 2180, (len(main), nb.markdown_words(main))


def test_item_8_stem_docstring_names_the_commits_as_note_1():
    doc = " ".join(inspect.getdoc(soft_split.OriginalT2TStem).split())
    assert "at master, commit ``0f63dc9`` (the file is unchanged since ``0a64ffc``, June 2021)" in doc
    assert "master ``0a64ffc``" not in doc
    note = _text(LESSON, "**Note 1: versions**")
    assert "(the file is unchanged since `0a64ffc`, June 2021)" in note and "0f63dc9" in note

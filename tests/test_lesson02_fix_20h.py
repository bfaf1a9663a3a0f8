"""Lesson 02, review r20h: the paper's sentence is read as the lesson's reading ("We read this as"), the module's
second aim (fewer tokens) named; the photo's rim check covers row 59 too."""

from __future__ import annotations

from pathlib import Path

from tests import _notebook as nb

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "02_soft_split_token_counting.ipynb"
SOURCES = nb.sources(LESSON)


def test_the_reading_is_marked_as_a_reading():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 3 · Why overlap")])
    assert "We read this as structure that straddles a border" in text and "What the paper means" not in text
    assert "a token sequence that gets shorter split by split: the count section 7 counts" in text


def test_the_rim_check_reads_row_59():
    check = SOURCES[nb.unique_index(SOURCES, "assert gray[57:59, 94:98].max() < 0.25")]
    assert "gray[59, 94:98].min() > 0.25" in check

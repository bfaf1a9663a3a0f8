"""Lesson 07, review r19e: the +-0.5-point sampling margin on the published gaps says what it leaves out,
selection on the same 50,000 validation images (T2T keeps its best checkpoint by that top-1)."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"


def test_the_sampling_margin_names_the_selection_bias():
    cell = next(s for s in nb.sources(LESSON) if s.startswith("## 6. Does T2T help?"))
    text = nb.flat(cell)
    assert "It also leaves out selection" in text
    assert "biased upward" in text and "the +-0.5 does not cover" in text

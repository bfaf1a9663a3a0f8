"""Lesson 02, review r19c: "a split divides a side by its stride" holds only when 1 <= k - 2p <= s."""

from __future__ import annotations

from tests import _notebook as nb
from vit_explained.soft_split import count_tokens

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"


def test_the_divide_by_the_stride_sentence_names_its_condition():
    text = nb.flat(nb.all_text(LESSON))
    assert "1 <= k - 2p <= s" in text
    assert "(60 pixels, (20, 15, 0): 3 windows, not 4)" in text


def test_the_condition_is_exactly_when_a_stride_multiple_divides():
    for s in range(1, 7):
        for k in range(1, 13):
            for p in range(0, k):
                for m in range(2, 9):
                    n = m * s
                    if n + 2 * p < k:
                        continue
                    rows = count_tokens(n, n, k, s, p).rows
                    assert (rows == m) == (1 <= k - 2 * p <= s), (n, k, s, p, rows)
    assert count_tokens(60, 60, 20, 15, 0).rows == 3
    for k, s, p in ((7, 4, 2), (3, 2, 1), (3, 2, 1)):
        assert 1 <= k - 2 * p <= s

"""Lesson 03, review k: exercise 5's 'Not yet' messages give no ratio to divide by; exercises 2 and 3 put the
hint before torch's error text."""

import math
import re

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import check_attention, check_attention_memory, check_split_merge

RIGHT = 8 * 16 * 577 * 577 * 4


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (RIGHT * 16, r"too large: an extra factor crept in \(not B, h, N, N or bytes\?\)"),
        (RIGHT * 3, r"too large: an extra factor crept in"),
        (12345, r"too small: which N\?"),
        (RIGHT // 7, r"too small: which N\?"),
        (8 * 16 * 580 * 580 * 4, r"slightly too large: check N"),
        (-RIGHT, r"not a positive number of bytes"),
    ],
)
def test_memory_messages_name_the_direction_not_the_ratio(answer, message):
    with pytest.raises(ExerciseFailed, match=message) as failure:
        check_attention_memory(lambda: answer)
    text = str(failure.value).replace(f"{answer:,}", "")
    assert "times the right number" not in text and "%" not in text
    assert f"{RIGHT:,}" not in text and str(RIGHT) not in text
    ratio = answer / RIGHT
    for shown in (f"{ratio:.3g}", f"{1 / ratio:.3g}", f"{abs(ratio - 1):.2%}"):
        assert shown not in text


@pytest.mark.parametrize("rounded", [1.7046e8, 170_459_000])
def test_memory_rounded_answer_gives_no_byte_difference(rounded):
    with pytest.raises(ExerciseFailed, match=r"it looks rounded") as failure:
        check_attention_memory(lambda: rounded)
    assert "off by" not in str(failure.value) and "352" not in str(failure.value).replace("170,460,352", "")


def _hint_before_error(text: str, hint: str) -> None:
    assert re.search(hint, text), text
    assert "raised RuntimeError" not in text, text  # review 18c: a named slip is said alone, no raw torch text


def test_split_merge_hint_comes_before_the_runtime_error():
    def split_heads(x, heads):
        return x.reshape(x.shape[0], x.shape[1], -1, 64).permute(0, 2, 1, 3)

    with pytest.raises(ExerciseFailed) as failure:
        check_split_merge(split_heads, lambda x: x)
    _hint_before_error(str(failure.value), r"a reshape asked for sizes")
    assert str(failure.value).startswith("Not yet: a reshape")


def test_attention_hint_comes_before_the_runtime_error():
    def attention(q, k, v):
        return (q @ k / math.sqrt(q.shape[-1])).softmax(-1) @ v

    with pytest.raises(ExerciseFailed) as failure:
        check_attention(attention)
    _hint_before_error(str(failure.value), r"k is not transposed")


def test_an_error_without_a_hint_still_says_what_was_raised():
    def attention(q, k, v):
        raise RuntimeError("some other failure")

    with pytest.raises(ExerciseFailed, match=r"^Not yet: your function raised RuntimeError"):
        check_attention(attention)

"""Lesson 03, fix round r: exercise 3 names k.transpose(1, 3) and a dtype change; exercise 5 sees a number
typed in even inside int(...)."""

from __future__ import annotations

import math

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import check_attention, check_attention_memory


def _wrong_pair(q, k, v):
    return (q @ k.transpose(1, 3) / math.sqrt(q.shape[-1])).softmax(-1) @ v


def _to_float64(q, k, v):
    return ((q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v).double()


def _typed_in_int():
    return int(170459648)  # noqa: UP018, RUF046 (the slip under test)


def _arithmetic_in_a_call(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
    return math.prod((batch, heads, num_tokens, num_tokens, bytes_per_element))


def _arithmetic(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
    return batch * heads * num_tokens**2 * bytes_per_element


def test_transposing_heads_and_features_is_named_not_torchs_text():
    with pytest.raises(ExerciseFailed, match=r"Not yet: transposed the wrong pair of axes.*transpose\(-2, -1\)"):
        check_attention(_wrong_pair)


def test_a_float64_result_from_float32_inputs_passes_a_narrower_one_fails(capsys):
    check_attention(_to_float64)  # wider is fine: the course's dtype policy (tests/test_exercises_policy.py)
    assert "Correct!" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="is float16: keep q's dtype"):
        check_attention(lambda q, k, v: _to_float64(q, k, v).half())


def test_a_number_typed_in_inside_int_is_caught():
    with pytest.raises(ExerciseFailed, match="typed in"):
        check_attention_memory(_typed_in_int)


@pytest.mark.parametrize("answer", [_arithmetic_in_a_call, _arithmetic])
def test_arithmetic_still_passes(answer, capsys):
    check_attention_memory(answer)
    assert "Correct!" in capsys.readouterr().out

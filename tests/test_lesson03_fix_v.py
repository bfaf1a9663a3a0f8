"""Lesson 03, fix round v: exercise 5's checker calls the learner's function on a second configuration, so a number
typed in (or an argument left unused) fails with the slip named; right answers written differently pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import MEMORY_CASE, OTHER_MEMORY_CASE, check_attention_memory

ROOT = Path(__file__).resolve().parents[1]


def _solution(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
    return batch * heads * num_tokens**2 * bytes_per_element


def _float64(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
    return float(batch) * float(heads) * float(num_tokens) ** 2 * float(bytes_per_element)


def _loop(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
    total = 0
    for _image in range(batch):
        for _head in range(heads):
            for _query in range(num_tokens):
                total += num_tokens * bytes_per_element
    return total


def _no_defaults(batch, num_tokens, heads, bytes_per_element):
    return batch * heads * num_tokens * num_tokens * bytes_per_element


def _hard_coded(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
    return 170459648


def _hard_coded_arithmetic(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
    return 8 * 16 * 577**2 * 4


def _heads_fixed(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
    return batch * 16 * num_tokens**2 * bytes_per_element


def _bytes_fixed(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
    return batch * heads * num_tokens**2 * 4


def test_the_second_configuration_differs_in_every_argument():
    assert all(OTHER_MEMORY_CASE[key] != MEMORY_CASE[key] for key in OTHER_MEMORY_CASE)


@pytest.mark.parametrize("answer", [_solution, _float64, _loop, _no_defaults])
def test_right_answers_written_differently_pass(answer, capsys):
    check_attention_memory(answer)
    assert "Correct! 170,459,648 bytes" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [_hard_coded, _hard_coded_arithmetic])
def test_a_hard_coded_answer_returns_the_same_number_for_every_configuration(answer):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: it returns the same number for every configuration"):
        check_attention_memory(answer)


@pytest.mark.parametrize(("answer", "unused"), [(_heads_fixed, "heads"), (_bytes_fixed, "bytes_per_element")])
def test_an_unused_argument_is_named(answer, unused):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: the argument {unused} is not used"):
        check_attention_memory(answer)


def test_a_function_without_the_arguments_is_asked_to_keep_them():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: keep the stub's arguments"):
        check_attention_memory(lambda: 8 * 16 * 577**2 * 4)


def test_the_solution_notebook_passes_and_the_stub_keeps_the_arguments():
    for name in ("03_attention_shapes.ipynb", "solutions/03_attention_shapes_solutions.ipynb"):
        cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
        (stub,) = ["".join(c["source"]) for c in cells if "def vit_l_attention_bytes(" in "".join(c["source"])]
        assert "batch: int = 8, num_tokens: int = 577, heads: int = 16, bytes_per_element: int = 4" in stub

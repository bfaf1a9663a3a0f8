"""Lesson 02, exercise 4 (review 17b): which pixels does a split lose? Right answers written differently pass;
each common slip gets its own message."""

import json
import pathlib

import numpy as np
import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex
from vit_explained.plotting.lesson02 import window_coverage

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "02_soft_split_token_counting.ipynb"
SOLUTIONS = NOTEBOOKS / "solutions" / "02_soft_split_token_counting_solutions.ipynb"


def _r(n, k, s, p):
    return (n + 2 * p - k) % s


def _by_coverage(n, k, s, p):  # a tensor of indices, from nn.Fold's coverage
    return torch.nonzero(window_coverage(k, n, k, s, p)[0] == 0).flatten()


def _closed_form(n, k, s, p):  # a range, right wherever stride <= kernel
    return range(n - max(_r(n, k, s, p) - p, 0), n)


def _windows(n, k, s, p, count):
    covered = {i for j in range(count) for i in range(j * s - p, j * s - p + k)}
    return [i for i in range(n) if i not in covered]


RIGHT = [
    _by_coverage,
    lambda n, k, s, p: np.asarray(_by_coverage(n, k, s, p).tolist(), dtype=np.float64),  # float64 indices
    lambda n, k, s, p: set(_windows(n, k, s, p, (n + 2 * p - k) // s + 1)),
    lambda n, k, s, p: tuple(reversed(ex.lost_pixels_reference(n, k, s, p))),
]


@pytest.mark.parametrize("answer", RIGHT)
def test_right_answers_pass(answer, capsys):
    ex.check_lost_pixels(answer)
    assert capsys.readouterr().out.startswith("Correct!")


def test_reference_equals_fold_coverage_on_many_splits():
    for n in range(5, 40):
        for k, s, p in ((7, 4, 2), (3, 2, 1), (20, 15, 0), (4, 6, 0), (5, 3, 4), (4, 1, 0)):
            if k <= n + 2 * p:
                assert ex.lost_pixels_reference(n, k, s, p) == _by_coverage(n, k, s, p).tolist()


SLIPS = [
    (lambda n, k, s, p: range(n - max(p - _r(n, k, s, p), 0), n), "the rule is the other way round"),
    (lambda n, k, s, p: range(n - _r(n, k, s, p), n), "only r - p image pixels are lost"),
    (lambda n, k, s, p: _windows(n, k, s, p, (n + 2 * p - k) // s), "(the + 1)"),
    (lambda n, k, s, p: _windows(n, k, s, p, (n + p - k) // s + 1), "padding at one end only"),
    (lambda n, k, s, p: [i + 1 for i in ex.lost_pixels_reference(n, k, s, p)], "numbered from 1"),
    (_closed_form, "with stride > kernel each window leaves a gap"),
    (lambda n, k, s, p: len(ex.lost_pixels_reference(n, k, s, p)), "return the lost pixels themselves"),
    (lambda n, k, s, p: [n - 1, n - 1], "names a pixel twice"),
    (lambda n, k, s, p: [], "this split loses some"),
]


@pytest.mark.parametrize(("answer", "named"), SLIPS)
def test_each_slip_is_named(answer, named):
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(answer)
    assert named in str(failed.value)


def _cell(path, start):
    (source,) = [
        "".join(c["source"]) for c in json.loads(path.read_text())["cells"] if "".join(c["source"]).startswith(start)
    ]
    return source


def test_text_is_identical_in_lesson_and_solutions():
    start = "### Exercise 4 · The pixels a split loses"
    assert _cell(LESSON, start) == _cell(SOLUTIONS, start)
    assert "ten fixed splits" in _cell(LESSON, start) and len(ex.LOST_CASES) == 10

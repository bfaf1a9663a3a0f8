"""Lesson 02, exercise 1: check_final_grid, the token grid after a chain of soft splits."""

from __future__ import annotations

import math

import pytest
import torch

from vit_explained import count_tokens, t2t_chain
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex
from vit_explained.soft_split import tokens_along, window_starts


def my_tokens_along(size, kernel, stride, padding):
    """A learner's own helper under the lesson's name: judged on what it returns."""
    return (size + 2 * padding - kernel) // stride + 1


def my_window_starts(size, kernel, stride, padding):
    return list(range(0, size + 2 * padding - kernel + 1, stride))


def loop_answer(height, width, splits):
    rows, cols = height, width
    for kernel, stride, padding in splits:
        rows, cols = (rows + 2 * padding - kernel) // stride + 1, (cols + 2 * padding - kernel) // stride + 1
    return rows, cols


def float_answer(height, width, splits):  # floats that are whole, math.floor: accepted
    sides = [float(height), float(width)]
    for kernel, stride, padding in splits:
        sides = [math.floor((n + 2 * padding - kernel) / stride) + 1.0 for n in sides]
    return tuple(sides)


def _per_side(rule):
    def answer(height, width, splits):
        sides = [height, width]
        for kernel, stride, padding in splits:
            sides = [rule(n, kernel, stride, padding) for n in sides]
        return tuple(sides)

    return answer


def square_between(height, width, splits):
    """The original T2T code: int(sqrt(N)) x int(sqrt(N)) between splits."""
    rows, cols = loop_answer(height, width, splits[:1])
    for split in splits[1:]:
        side = int(math.sqrt(rows * cols))
        rows = cols = loop_answer(side, side, [split])[0]
    return rows, cols


@pytest.mark.parametrize("answer", [loop_answer, float_answer])
def test_right_answers_pass(answer, capsys):
    ex.check_final_grid(answer)
    assert capsys.readouterr().out.startswith("Correct!")


def test_the_reference_equals_unfold_along_each_chain():
    for height, width, splits in [*ex.CHAIN_CASES, *ex.random_chain_cases(20)]:
        x = torch.zeros(1, 1, height, width)
        for kernel, stride, padding in splits:
            grid = count_tokens(x.shape[-2], x.shape[-1], kernel, stride, padding)
            x = torch.zeros(1, 1, grid.rows, grid.cols)
        assert ex.final_grid_reference(height, width, splits) == tuple(x.shape[-2:])


SLIPS = {
    "swapped": (lambda h, w, sp: loop_answer(h, w, sp)[::-1], "swapped"),
    "square, height": (lambda h, w, sp: (loop_answer(h, h, sp)[0],) * 2, "height for both sides"),
    "square, width": (lambda h, w, sp: (loop_answer(w, w, sp)[0],) * 2, "width for both sides"),
    "no padding": (_per_side(lambda n, k, s, p: (n - k) // s + 1), "without padding"),
    "k - s": (_per_side(lambda n, k, s, p: (n + 2 * p - k) // (k - s) + 1), "kernel - stride"),
    "docs' + 1 in the numerator": (
        _per_side(lambda n, k, s, p: (n + 2 * p - (k - 1) - 1 + 1) // s),
        r"you add PyTorch's docs' \+ 1 before dividing by s",
    ),
    "no + 1": (_per_side(lambda n, k, s, p: (n + 2 * p - k) // s), r"miss the \+ 1"),
    "ceil": (_per_side(lambda n, k, s, p: math.ceil((n + 2 * p - k) / s) + 1), "round up"),
    "first split only": (lambda h, w, sp: loop_answer(h, w, sp[:1]), "stop after the first split"),
    "one end": (_per_side(lambda n, k, s, p: (n + p - k) // s + 1), "you pad one end only: p zeros go on both ends"),
    "square reshape": (square_between, "you reshape to a square like the original code"),
    "SAME": (_per_side(lambda n, k, s, p: math.ceil(n / s)), r"ceil\(n / s\), TensorFlow's padding='SAME'"),
    "n // s": (_per_side(lambda n, k, s, p: n // s), r"divide each side by the stride .* img_size // 16 does"),
    "n // s, float": (_per_side(lambda n, k, s, p: math.floor(n / s)), r"ignore the kernel and the padding"),
    "true division": (
        _per_side(lambda n, k, s, p: (n + 2 * p - k) / s + 1),
        r"not whole numbers\. A token count is a whole number: a window that would stick out .* is it a token or not\?",
    ),
}


@pytest.mark.parametrize("name", SLIPS)
def test_each_slip_is_named(name):
    answer, words = SLIPS[name]
    with pytest.raises(ExerciseFailed, match=words):
        ex.check_final_grid(answer)


@pytest.mark.parametrize(
    "shortcut",
    [
        lambda h, w, sp: tuple(t2t_chain(h, w, 1, splits=tuple(sp))[-1].grid[:2]),
        lambda h, w, sp: _per_side(lambda n, k, s, p: count_tokens(n, n, k, s, p).rows)(h, w, sp),
        _per_side(tokens_along),
        _per_side(lambda n, k, s, p: len(window_starts(n, k, s, p))),
        _per_side(
            lambda n, k, s, p: torch.nn.Unfold((k, 1), stride=(s, 1), padding=(p, 0))(torch.ones(1, 1, n, 1)).shape[-1]
        ),
    ],
)
def test_shortcuts_are_refused(shortcut):
    with pytest.raises(ExerciseFailed, match="yourself; your function called") as failed:
        ex.check_final_grid(shortcut)
    assert "__main__." not in str(failed.value)


def test_the_package_tokens_along_is_refused_by_its_own_name():
    with pytest.raises(ExerciseFailed, match=r"your function called vit_explained\.soft_split\.tokens_along$"):
        ex.check_final_grid(_per_side(tokens_along))


def _in_notebook_globals(source: str) -> dict:
    """Run a learner's cell as a notebook does: in a namespace called __main__, the lesson's names imported."""
    namespace = {"__name__": "__main__", "tokens_along": tokens_along, "window_starts": window_starts}
    exec(compile(source, "<cell>", "exec"), namespace)  # the test's own source
    return namespace


def test_a_learners_own_tokens_along_is_judged_on_its_behaviour(capsys):
    cell = _in_notebook_globals(
        "def tokens_along(size, kernel, stride, padding):\n"
        "    return (size + 2 * padding - kernel) // stride + 1\n"
        "def window_starts(size, kernel, stride, padding):\n"
        "    return list(range(0, size + 2 * padding - kernel + 1, stride))\n"
        "def final_grid(height, width, splits):\n"
        "    for kernel, stride, padding in splits:\n"
        "        height, width = (len(window_starts(n, kernel, stride, padding)) for n in (height, width))\n"
        "        assert height == tokens_along(height, 1, 1, 0)\n"
        "    return height, width\n"
    )
    assert cell["tokens_along"] is not tokens_along and cell["tokens_along"].__module__ == "__main__"
    ex.check_final_grid(cell["final_grid"])
    assert capsys.readouterr().out.startswith("Correct!")
    ex.check_final_grid(_per_side(my_tokens_along))  # the same from a module of another name
    ex.check_final_grid(_per_side(lambda n, k, s, p: len(my_window_starts(n, k, s, p))))


def test_a_learners_own_tokens_along_that_is_wrong_is_told_what_is_wrong():
    cell = _in_notebook_globals(
        "def tokens_along(size, kernel, stride, padding):\n"
        "    return (size + 2 * padding - kernel) // stride\n"
        "def final_grid(height, width, splits):\n"
        "    for kernel, stride, padding in splits:\n"
        "        height, width = (tokens_along(n, kernel, stride, padding) for n in (height, width))\n"
        "    return height, width\n"
    )
    with pytest.raises(ExerciseFailed, match=r"miss the \+ 1") as failed:
        ex.check_final_grid(cell["final_grid"])
    assert "called" not in str(failed.value)


@pytest.mark.parametrize("offset", [-11, -1, 1, 3])
def test_a_count_off_by_any_amount_gives_no_number_to_add(offset):
    def answer(height, width, splits):  # right except the cols of T2T's 224 x 224 chain: no known slip
        rows, cols = ex.final_grid_reference(height, width, tuple(splits))
        return (rows, cols + offset) if (height, width) == (224, 224) else (rows, cols)

    with pytest.raises(ExerciseFailed) as failed:
        ex.check_final_grid(answer)
    message = str(failed.value)
    assert ("too many" if offset > 0 else "too few") in message and "your cols are too" in message
    assert f"{abs(offset)} too" not in message


def test_a_lookup_table_fails_on_the_random_chains():
    table = {(h, w, sp): ex.final_grid_reference(h, w, sp) for h, w, sp in ex.CHAIN_CASES}
    with pytest.raises(ExerciseFailed, match="too"):
        ex.check_final_grid(lambda h, w, sp: table.get((h, w, tuple(sp)), (1, 1)))


@pytest.mark.parametrize("result", [(3, 4, 12), 7, "3 x 4", None])
def test_other_shapes_of_answer_are_told(result):
    with pytest.raises(ExerciseFailed, match=r"return two numbers \(rows, cols\)"):
        ex.check_final_grid(lambda h, w, sp: result)


def test_random_chains_vary_are_non_square_and_fit():
    drawn = [case for _ in range(30) for case in ex.random_chain_cases(generator=torch.Generator().manual_seed(_))]
    assert len(set(drawn)) > 100
    assert all(h != w for h, w, _ in drawn)
    assert {len(splits) for _, _, splits in drawn} == {1, 2, 3, 4}
    for height, width, splits in drawn:
        assert all(k > s and 0 <= p < k for k, s, p in splits)
        assert min(ex.final_grid_reference(height, width, splits)) >= 1

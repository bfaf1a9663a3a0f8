"""Lesson 02's checkers accept the reference answers and reject plausible wrong ones, saying why."""

import numpy as np
import pytest
import torch
from torch import nn

from vit_explained import T2T_SPLITS, count_tokens
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex


@pytest.fixture(autouse=True)
def one_thread():
    """Hundreds of tiny nn.Unfold calls are much faster on one thread when the cores are busy."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# --------------------------------------------------------------------------- exercise 2: a split for a grid


def reference_split(size, grid):
    stride = size // grid
    return 2 * stride - 1, stride, stride // 2


def other_good_split(size, grid):
    stride = size // grid
    padding = stride // 2
    return stride + 2 * padding, stride, padding


def test_split_requests_are_valid():
    for size, grid in ex.GRID_REQUESTS:
        assert size % grid == 0 and size // grid >= 2


@pytest.mark.parametrize("answer", [reference_split, other_good_split])
def test_split_accepts_correct_answers(answer):
    ex.check_split_for_grid(answer)
    for size, grid in ex.GRID_REQUESTS:
        kernel, stride, padding = answer(size, grid)
        made = nn.Unfold(kernel, padding=padding, stride=stride)(torch.zeros(1, 1, size, size)).shape[-1]
        assert made == grid * grid


def test_reference_split_is_t2ts():
    assert reference_split(224, 56) == T2T_SPLITS[0]
    assert reference_split(56, 28) == T2T_SPLITS[1]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda size, grid: (size // grid, size // grid, 0), "do not overlap .*ViT's hard split"),  # k == s
        (lambda size, grid: (2, size // grid, 0), r"leave gaps \(kernel < stride\): pixels 2 to 3 are in no window"),
        (lambda size, grid: (3, size // grid, 0), r"leave gaps \(kernel < stride\): pixel 3 is in no window"),
        (lambda size, grid: (2 * (size // grid) - 1, size // grid, 0), "your split has no padding"),  # forgotten
        (lambda size, grid: (2 * (size // grid) - 1, size // grid, size // grid), "too many"),  # too much padding
        (lambda size, grid: (3, 1, 5), "nothing but padding"),
        (lambda size, grid: (3 * size, size // grid, 0), "larger than the padded image"),
        (lambda size, grid: (3.5, 2, 1), "the kernel is the float 3.5"),
        (lambda size, grid: (3, 2), "return three numbers"),
        (lambda size, grid: (grid + 2, grid, 1), "your stride is the grid size"),
    ],
)
def test_split_rejects_wrong_answers(answer, words):
    with pytest.raises(ExerciseFailed, match=words):
        ex.check_split_for_grid(answer)


# --------------------------------------------------------------------------- the shared policy, lesson 02


def _split(size, grid):
    stride = size // grid
    return 2 * stride - 1, stride, stride // 2


@pytest.mark.parametrize(
    "answer",
    [
        lambda size, grid: tuple(np.int64(v) for v in _split(size, grid)),
        lambda size, grid: torch.tensor(_split(size, grid)),
        lambda size, grid: [size // grid + 1, size // grid, 1],  # a smaller overlap, one pixel of padding
        lambda size, grid: (3 * (size // grid), size // grid, size // grid),  # a wide window, wide padding
        lambda size, grid: (2 * (size // grid) + 1.0, size // grid, (2 * (size // grid)) / 2),  # whole floats
    ],
)
def test_split_accepts_answers_written_differently(answer):
    ex.check_split_for_grid(answer)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        # the right count, but the last window stops short of the edge: pixels in no token
        (lambda size, grid: (size // grid + 1, size // grid, size // grid // 2), "in no token"),
        (lambda size, grid: (2 * (size // grid), size // grid, 1) if size // grid > 3 else (5, 4, 2), "no token|grid"),
        (lambda size, grid: (size // grid, size // grid, 0), "do not overlap"),
        (lambda size, grid: (3, size // grid, 3), "padding >= kernel|leave gaps"),
        (lambda size, grid: (2 * (size // grid) - 1, size // grid + 1, size // grid // 2), "too few"),
        (
            lambda size, grid: (size // grid + 3, size // grid, 1),
            r"too little padding\. Window 55 would stick out .* pixels 222 to 223 of each side are in no window",
        ),
    ],
)
def test_split_rejects_more_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        ex.check_split_for_grid(wrong)


@pytest.mark.parametrize(
    ("split", "size", "grid", "missed"),
    [
        ((5, 4, 2), 224, 56, "pixel 223 \\(the last row and column\\) ends up in no token"),  # covers 0..222 only
        ((11, 10, 4), 60, 6, "pixels 57 to 59 \\(the last rows and columns\\) end up in no token"),  # covers 0..56 only
    ],
)
def test_split_names_the_pixels_no_window_covers(split, size, grid, missed):
    """The issue's two answers: overlapping, the right grid, padding < kernel, yet edge pixels in no token."""
    assert count_tokens(size, size, *split).rows == grid  # the count itself is right

    def answer(s, g):
        return split if (s, g) == (size, grid) else _split(s, g)

    with pytest.raises(ExerciseFailed, match=f"{missed}.*T2T's splits cover every pixel"):
        ex.check_split_for_grid(answer)


# --------------------------------------------------------------------------- two more slips named (issue 21)


def test_split_names_the_papers_overlap_read_as_the_stride():
    """(7, 3, 2) for 224 -> 56: the paper's S = 3 taken as the stride gives a 74 x 74 grid."""

    def overlap_as_stride(size, grid):
        stride = size // grid
        return 2 * stride - 1, stride - 1, stride // 2  # (7, 3, 2) for (224, 56)

    assert overlap_as_stride(224, 56) == (7, 3, 2) and count_tokens(224, 224, 7, 3, 2).rows == 74
    slip = r"74 x 74 grid.*paper's overlap S = 3 as the stride; use k - S as the stride"
    with pytest.raises(ExerciseFailed, match=slip):
        ex.check_split_for_grid(overlap_as_stride)


# --------------------------------------------------------------------------- where learner code raised (exercise 2)


def test_split_says_where_the_answer_raised():
    def split_breaks_at_90(size, grid):
        if size == 90:
            raise ValueError("no split")
        return reference_split(size, grid)

    with pytest.raises(ExerciseFailed, match=r"raised ValueError: no split\. It happened for size 90, grid 6$"):
        ex.check_split_for_grid(split_breaks_at_90)


@pytest.mark.parametrize(
    "answer",
    [
        lambda size, grid: (2 * (size // grid) - 1, size // grid, 0),
        lambda size, grid: (size // grid + 1, size // grid, 0),
        lambda size, grid: (3 * (size // grid), size // grid, 0),
    ],
)
def test_split_names_the_missing_padding(answer):
    with pytest.raises(ExerciseFailed, match=r"was asked for: your split has no padding"):
        ex.check_split_for_grid(answer)


# --------------------------------------------------------------------------- a case drawn at random on each call


def test_random_cases_vary_and_fit_the_exercises():
    requests = {ex.random_grid_request() for _ in range(20)}
    assert len(requests) > 1 and all(size % grid == 0 and size // grid >= 2 for size, grid in requests)
    state = torch.random.get_rng_state()
    ex.random_grid_request(), ex.random_split_cases()
    assert torch.equal(state, torch.random.get_rng_state())  # the global seed is untouched


def test_lookup_tables_fail_on_the_random_case():
    split_table = {request: reference_split(*request) for request in ex.GRID_REQUESTS}
    with pytest.raises(ExerciseFailed, match="KeyError"):
        ex.check_split_for_grid(lambda size, grid: split_table[(size, grid)])


def test_a_random_grid_request_never_repeats_a_fixed_one():
    """Seeds whose first draw is a fixed request (found by search) still give a new one: the draw is repeated."""
    import torch

    collisions = 0
    for seed in range(400):
        generator = torch.Generator().manual_seed(seed)
        grid = int(torch.randint(3, 41, (1,), generator=generator))
        first = (grid * int(torch.randint(2, 10, (1,), generator=generator)), grid)
        collisions += first in ex.GRID_REQUESTS
        assert ex.random_grid_request(torch.Generator().manual_seed(seed)) not in ex.GRID_REQUESTS
    assert collisions > 0  # the search above met at least one seed whose first draw collides


def test_the_grid_hints_conditions_are_the_checkers():
    """Exercise 2's hint: with s = size / grid, a split passes iff 1 <= k - 2p <= s and k - p >= s; the centred
    padding (k - 1) / 2 passes iff k >= 2s - 1. Tried through the checker on every split of a few of its requests."""

    def answer_with(request, split):
        def choose(size, grid):
            if (size, grid) == request:
                return split
            stride = size // grid
            return 2 * stride - 1, stride, stride - 1  # the reference answer everywhere else

        return choose

    for size, grid in ex.GRID_REQUESTS[:4]:
        stride = size // grid
        for kernel in range(stride + 1, 3 * stride + 2):
            for padding in range(kernel):
                try:
                    ex.check_split_for_grid(answer_with((size, grid), (kernel, stride, padding)))
                    passed = True
                except ExerciseFailed:
                    passed = False
                assert passed == (1 <= kernel - 2 * padding <= stride and kernel - padding >= stride)
                if kernel % 2 and padding == (kernel - 1) // 2:
                    assert passed == (kernel >= 2 * stride - 1)

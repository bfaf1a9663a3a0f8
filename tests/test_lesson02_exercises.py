"""Lesson 02's checkers accept the reference answers and reject plausible wrong ones, saying why."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from vit_explained import T2T_SPLITS, count_tokens
from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises import lesson02 as ex


@pytest.fixture(autouse=True)
def one_thread():
    """Hundreds of tiny nn.Unfold calls are much faster on one thread when the cores are busy."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# --------------------------------------------------------------------------- exercise 1: count_tokens


def reference_count(height, width, kernel, stride, padding):
    rows = (height + 2 * padding - kernel) // stride + 1
    cols = (width + 2 * padding - kernel) // stride + 1
    return rows, cols, rows * cols


def unfold_count(height, width, kernel, stride, padding):
    """A trusted answer that never uses the formula: ask nn.Unfold and recover rows from a 1-wide image."""
    rows = nn.Unfold((kernel, 1), padding=(padding, 0), stride=(stride, 1))(torch.zeros(1, 1, height, 1)).shape[-1]
    cols = nn.Unfold((1, kernel), padding=(0, padding), stride=(1, stride))(torch.zeros(1, 1, 1, width)).shape[-1]
    return rows, cols, rows * cols


def test_count_cases_agree_with_unfold():
    for height, width, kernel, stride, padding in ex.count_cases():
        total = nn.Unfold(kernel, padding=padding, stride=stride)(torch.zeros(1, 1, height, width)).shape[-1]
        assert count_tokens(height, width, kernel, stride, padding).total == total


@pytest.mark.parametrize("answer", [reference_count])
def test_count_accepts_correct_answers(answer, capsys):
    ex.check_count_tokens(answer)
    assert capsys.readouterr().out.startswith("Correct!")


def forgot_padding(h, w, k, s, p):
    return reference_count(h, w, k, s, 0)


def one_sided_padding(h, w, k, s, p):
    rows, cols = (h + p - k) // s + 1, (w + p - k) // s + 1
    return rows, cols, rows * cols


def forgot_plus_one(h, w, k, s, p):
    rows, cols = (h + 2 * p - k) // s, (w + 2 * p - k) // s
    return rows, cols, rows * cols


def uses_ceil(h, w, k, s, p):
    rows, cols = math.ceil((h + 2 * p - k) / s) + 1, math.ceil((w + 2 * p - k) / s) + 1
    return rows, cols, rows * cols


def rounds_to_nearest(h, w, k, s, p):
    rows, cols = round((h + 2 * p - k) / s) + 1, round((w + 2 * p - k) / s) + 1
    return rows, cols, rows * cols


def adds_a_half(h, w, k, s, p):
    rows, cols = int((h + 2 * p - k) / s + 0.5) + 1, int((w + 2 * p - k) / s + 0.5) + 1
    return rows, cols, rows * cols


def no_rounding(h, w, k, s, p):
    rows, cols = (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1
    return rows, cols, rows * cols


def swapped(h, w, k, s, p):
    rows, cols, total = reference_count(h, w, k, s, p)
    return cols, rows, total


def wrong_total(h, w, k, s, p):
    rows, cols, _ = reference_count(h, w, k, s, p)
    return rows, cols, rows + cols


def floats(h, w, k, s, p):
    return tuple(float(v) for v in reference_count(h, w, k, s, p))


def half_rows(h, w, k, s, p):
    rows, cols, total = reference_count(h, w, k, s, p)
    return rows + 0.5, cols, total


def only_total(h, w, k, s, p):
    return reference_count(h, w, k, s, p)[2]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (forgot_padding, "without padding"),
        (one_sided_padding, "both ends"),
        (forgot_plus_one, "one short"),
        (uses_ceil, "round up"),
        (rounds_to_nearest, r"nearest whole number \(round\(\)"),
        (adds_a_half, r"nearest whole number \(round\(\), or \+ 0.5\)"),
        (no_rounding, "fractions"),
        (swapped, "swapped"),
        (wrong_total, "rows x cols"),
        (half_rows, r"rows is the float \d+\.5; return a whole number"),
        (only_total, "three numbers"),
    ],
)
def test_count_rejects_wrong_answers_and_says_why(answer, words):
    with pytest.raises(ExerciseFailed, match=words):
        ex.check_count_tokens(answer)


def test_count_unattempted_stub():
    def stub(*args):
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted):
        ex.check_count_tokens(stub)


def test_count_messages_do_not_give_the_formula():
    for answer in (forgot_padding, forgot_plus_one, uses_ceil, rounds_to_nearest, swapped):
        with pytest.raises(ExerciseFailed) as info:
            ex.check_count_tokens(answer)
        assert "//" not in str(info.value) and "floor" not in str(info.value)


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
        (lambda size, grid: (size // grid, size // grid, 0), "do not overlap"),  # ViT's hard split
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


@pytest.mark.parametrize(
    "answer",
    [
        lambda h, w, k, s, p: (
            (*tuple(np.int64((n + 2 * p - k) // s + 1) for n in (h, w)), reference_count(h, w, k, s, p)[2])
        ),
        lambda h, w, k, s, p: (
            [len(range(0, n + 2 * p - k + 1, s)) for n in (h, w)] + [reference_count(h, w, k, s, p)[2]]
        ),
        lambda h, w, k, s, p: np.array(reference_count(h, w, k, s, p)),
        lambda h, w, k, s, p: torch.tensor(reference_count(h, w, k, s, p)),
        lambda h, w, k, s, p: (
            (*tuple(math.floor((n + 2 * p - k) / s) + 1 for n in (h, w)), reference_count(h, w, k, s, p)[2])
        ),
        floats,  # whole floats (56.0) are accepted
        lambda h, w, k, s, p: (  # np.floor(...) + 1 is a numpy float64
            (*tuple(np.floor((n + 2 * p - k) / s) + 1 for n in (h, w)), float(reference_count(h, w, k, s, p)[2]))
        ),
    ],
)
def test_count_accepts_answers_written_differently(answer):
    ex.check_count_tokens(answer)


@pytest.mark.parametrize(
    ("shortcut", "name"),
    [(unfold_count, "unfold"), (count_tokens, "count_tokens"), (lambda *a: tuple(count_tokens(*a)), "count_tokens")],
)
def test_count_refuses_the_package_and_unfold(shortcut, name):
    with pytest.raises(ExerciseFailed, match=f"build the token-count formula yourself; your function called .*{name}"):
        ex.check_count_tokens(shortcut)


def paper_slip(h, w, k, s, p):
    """The T2T paper's Eq. 3 with its s (the overlap) read as the stride: divides by zero when k == s."""
    rows, cols = (h + 2 * p - k) // (k - s) + 1, (w + 2 * p - k) // (k - s) + 1
    return rows, cols, rows * cols


def paper_slip_guarded(h, w, k, s, p):
    """The same slip, written so that it never divides by zero."""
    step = max(k - s, 1)
    rows, cols = (h + 2 * p - k) // step + 1, (w + 2 * p - k) // step + 1
    return rows, cols, rows * cols


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda h, w, k, s, p: (*reference_count(h, w, k, s, p)[:2], h * w), "not rows x cols"),
        (lambda h, w, k, s, p: 1 / 0, "raised ZeroDivisionError: division by zero. It happened for height"),
        (lambda h, w, k, s, p: reference_count(w, h, k, s, p), "swapped"),
        (
            paper_slip,
            r"kernel == stride, so kernel - stride is 0\. You divide by kernel - stride.*s is the \*overlap\*",
        ),
        (paper_slip_guarded, r"^Not yet: you divide by kernel - stride, the denominator of the T2T paper's Eq\. 3"),
    ],
)
def test_count_rejects_more_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        ex.check_count_tokens(wrong)


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
        (lambda size, grid: (3, size // grid, 3), "padding >= kernel|do not overlap"),
        (lambda size, grid: (2 * (size // grid) - 1, size // grid + 1, size // grid // 2), "too few"),
        (lambda size, grid: (size // grid + 3, size // grid, 1), r"too little padding\. With kernel - stride = 3"),
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


def pytorch_docs_form(h, w, k, s, p, dilation=1):
    """PyTorch's documented output size, dilation and all: a right answer written differently."""
    rows, cols = ((n + 2 * p - dilation * (k - 1) - 1) // s + 1 for n in (h, w))
    return rows, cols, rows * cols


def test_count_accepts_pytorch_docs_form():
    ex.check_count_tokens(pytorch_docs_form)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        # PyTorch's form with its final "- 1" dropped, with and without the dilation term
        (
            lambda h, w, k, s, p: (*(a := [(n + 2 * p - 1 * (k - 1)) // s + 1 for n in (h, w)]), a[0] * a[1]),
            "final - 1",
        ),
        (lambda h, w, k, s, p: (*(a := [(n + 2 * p - k + 1) // s + 1 for n in (h, w)]), a[0] * a[1]), "final - 1"),
        # a token's length where the number of tokens is asked
        (lambda h, w, k, s, p: (*reference_count(h, w, k, s, p)[:2], k * k), r"\*length\* of one token"),
        (lambda h, w, k, s, p: (*reference_count(h, w, k, s, p)[:2], 3 * k * k), r"x 3 channels: the \*length\*"),
    ],
)
def test_count_names_docs_and_length_slips(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        ex.check_count_tokens(wrong)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (
            lambda h, w, k, s, p: (math.ceil(h / s), math.ceil(w / s), math.ceil(h / s) * math.ceil(w / s)),
            r"rounded up: section 2's ceil",
        ),
        (lambda h, w, k, s, p: (h // s, w // s, (h // s) * (w // s)), r"rounded down: .*img_size // 16"),
    ],
)
def test_count_names_the_divide_by_the_stride_shortcut(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        ex.check_count_tokens(wrong)


def test_split_names_the_papers_overlap_read_as_the_stride():
    """(7, 3, 2) for 224 -> 56: the paper's S = 3 taken as the stride gives a 74 x 74 grid."""

    def overlap_as_stride(size, grid):
        stride = size // grid
        return 2 * stride - 1, stride - 1, stride // 2  # (7, 3, 2) for (224, 56)

    assert overlap_as_stride(224, 56) == (7, 3, 2) and count_tokens(224, 224, 7, 3, 2).rows == 74
    with pytest.raises(ExerciseFailed, match=r"74 x 74 grid.*paper's overlap S = 3 as the stride; the stride is k - S"):
        ex.check_split_for_grid(overlap_as_stride)


@pytest.mark.parametrize("side", ["height", "width"])
def test_count_names_one_side_used_for_both(side):
    def one_side(h, w, k, s, p):
        n = h if side == "height" else w
        rows = (n + 2 * p - k) // s + 1
        return rows, rows, rows * rows

    with pytest.raises(ExerciseFailed, match=rf"you use the {side} for both sides"):
        ex.check_count_tokens(one_side)


# --------------------------------------------------------------------------- layers that count for you (exercise 1)


def _shape_count(layer):
    """An answer that lets a layer's output shape count the windows: (rows, cols, total)."""

    def answer(h, w, k, s, p):
        out = layer(torch.zeros(1, 1, h, w), k, s, p)
        return out.shape[-2], out.shape[-1], out.shape[-2] * out.shape[-1]

    return answer


@pytest.mark.parametrize(
    ("layer", "name"),
    [
        (lambda x, k, s, p: torch.nn.functional.conv2d(x, torch.zeros(1, 1, k, k), stride=s, padding=p), "conv2d"),
        (lambda x, k, s, p: torch.conv2d(x, torch.zeros(1, 1, k, k), stride=s, padding=p), "conv2d"),
        (lambda x, k, s, p: nn.Conv2d(1, 1, k, s, p)(x), "conv2d"),
        (lambda x, k, s, p: torch.nn.functional.avg_pool2d(x, k, s, min(p, k // 2)), "avg_pool2d"),
        (lambda x, k, s, p: nn.AvgPool2d(k, s, min(p, k // 2))(x), "avg_pool2d"),
        (lambda x, k, s, p: torch.nn.functional.max_pool2d(x, k, s, min(p, k // 2)), "max_pool2d"),
        (
            lambda x, k, s, p: torch.nn.functional.max_pool2d(x, k, s, min(p, k // 2), return_indices=True)[0],
            "max_pool2d",
        ),
        (lambda x, k, s, p: nn.MaxPool2d(k, s, min(p, k // 2))(x), "max_pool2d"),
        (lambda x, k, s, p: torch.max_pool2d(x, k, s, min(p, k // 2)), "max_pool2d"),
    ],
)
def test_count_refuses_convolutions_and_pooling(layer, name):
    with pytest.raises(ExerciseFailed, match=rf"formula yourself; your function called torch\.\S*{name}"):
        ex.check_count_tokens(_shape_count(layer))


def test_count_refuses_one_dimensional_layers_and_fold():
    def per_side(h, w, k, s, p):
        rows = nn.Conv1d(1, 1, k, s, p)(torch.zeros(1, 1, h)).shape[-1]
        cols = torch.nn.functional.avg_pool1d(torch.zeros(1, 1, w), k, s, min(p, k // 2)).shape[-1]
        return rows, cols, rows * cols

    def by_fold(h, w, k, s, p):
        nn.Fold((h, w), k, padding=p, stride=s)  # building the layer is fine; calling it is not
        torch.nn.functional.fold(torch.zeros(1, k * k, 1), (k, k), k)
        return reference_count(h, w, k, s, p)

    with pytest.raises(ExerciseFailed, match=r"your function called torch\.conv1d"):
        ex.check_count_tokens(per_side)
    with pytest.raises(ExerciseFailed, match=r"your function called torch\.nn\.functional\.fold"):
        ex.check_count_tokens(by_fold)


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


# ---------------------------------------------------------------- library shortcuts by another road (exercise 1)


def _by_tensor_unfold(h, w, k, s, p):
    rows, cols = (torch.zeros(n + 2 * p).unfold(0, k, s).shape[0] for n in (h, w))
    return rows, cols, rows * cols


def _by_sliding_window_view(h, w, k, s, p):
    view = np.lib.stride_tricks.sliding_window_view
    rows, cols = (view(np.zeros(n + 2 * p), k)[::s].shape[0] for n in (h, w))
    return rows, cols, rows * cols


def _by_aten_convolution(h, w, k, s, p):
    out = torch.ops.aten.convolution(
        torch.zeros(1, 1, h, w), torch.zeros(1, 1, k, k), None, [s, s], [p, p], [1, 1], False, [0, 0], 1
    )
    return out.shape[-2], out.shape[-1], out.shape[-2] * out.shape[-1]


def _by_aten_avg_pool2d(h, w, k, s, p):
    out = torch.ops.aten.avg_pool2d.default(torch.zeros(1, 1, h + 2 * p, w + 2 * p), [k, k], [s, s])
    return out.shape[-2], out.shape[-1], out.shape[-2] * out.shape[-1]


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        (_by_tensor_unfold, r"torch\.Tensor\.unfold"),
        (_by_sliding_window_view, r"numpy\.sliding_window_view"),
        (_by_aten_convolution, r"torch\.ops\.aten\.convolution"),
        (_by_aten_avg_pool2d, r"torch\.ops\.aten\.avg_pool2d"),
    ],
)
def test_count_refuses_unfold_views_and_aten_ops(answer, name):
    with pytest.raises(ExerciseFailed, match=f"formula yourself; your function called {name}"):
        ex.check_count_tokens(answer)


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


def test_random_count_cases_vary_avoid_the_fixed_ones_and_fit():
    fixed = set(ex.count_cases())
    drawn = [case for _ in range(20) for case in ex.random_count_cases()]
    assert len(set(drawn)) > 50 and not fixed & set(drawn)  # new on every call, never a fixed case
    for height, width, kernel, stride, padding in drawn:
        total = nn.Unfold(kernel, padding=padding, stride=stride)(torch.zeros(1, 1, height, width)).shape[-1]
        assert count_tokens(height, width, kernel, stride, padding).total == total
    repeat = torch.Generator().manual_seed(3)
    assert ex.random_count_cases(generator=repeat) == ex.random_count_cases(generator=torch.Generator().manual_seed(3))


def test_count_rejects_a_lookup_table_of_the_fixed_cases():
    table = {case: tuple(count_tokens(*case)) for case in ex.count_cases()}
    with pytest.raises(ExerciseFailed, match="too few"):  # the random cases are not in the table
        ex.check_count_tokens(lambda *case: table.get(case, (0, 0, 0)))


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

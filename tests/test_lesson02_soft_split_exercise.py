"""Lesson 02, exercise 3: ``my_soft_split(x, k, s, p)``, the soft split from padding and slicing."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vit_explained import SoftSplit
from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises import lesson02 as ex


def loop_split(x, k, s, p):
    """The solutions notebook's loop: every window, row by row, flattened (c, kh, kw)."""
    padded = F.pad(x, (p, p, p, p))
    height, width = padded.shape[-2:]
    windows = [
        padded[:, :, top : top + k, left : left + k].flatten(1)
        for top in range(0, height - k + 1, s)
        for left in range(0, width - k + 1, s)
    ]
    return torch.stack(windows, dim=1)


def gather_split(x, k, s, p):
    """Vectorised: index every window's rows and columns at once."""
    padded = F.pad(x, (p, p, p, p))
    rows = torch.arange(0, padded.shape[-2] - k + 1, s)[:, None] + torch.arange(k)
    cols = torch.arange(0, padded.shape[-1] - k + 1, s)[:, None] + torch.arange(k)
    windows = padded[:, :, rows[:, None, :, None], cols[None, :, None, :]]  # (B, C, R, Q, k, k)
    return windows.permute(0, 2, 3, 1, 4, 5).flatten(3).flatten(1, 2)


def zeros_and_slices(x, k, s, p):
    """Zeros plus slicing (no F.pad), numpy on the way, float64 kept."""
    b, c, h, w = x.shape
    padded = x.new_zeros(b, c, h + 2 * p, w + 2 * p)
    padded[:, :, p : p + h, p : p + w] = x
    rows, cols = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    out = np.zeros((b, rows * cols, c * k * k), dtype=x.numpy().dtype)
    for i in range(rows):
        for j in range(cols):
            out[:, i * cols + j] = padded[:, :, i * s : i * s + k, j * s : j * s + k].reshape(b, -1).numpy()
    return torch.from_numpy(out)


@pytest.mark.parametrize("answer", [loop_split, gather_split, zeros_and_slices])
def test_right_answers_written_differently_pass(answer, capsys):
    ex.check_my_soft_split(answer)
    assert "Correct!" in capsys.readouterr().out


def test_stub_is_not_attempted():
    def stub(x, k, s, p):
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted):
        ex.check_my_soft_split(stub)


def column_major(x, k, s, p):
    padded = F.pad(x, (p, p, p, p))
    height, width = padded.shape[-2:]
    windows = [
        padded[:, :, top : top + k, left : left + k].flatten(1)
        for left in range(0, width - k + 1, s)
        for top in range(0, height - k + 1, s)
    ]
    return torch.stack(windows, dim=1)


def no_plus_one(x, k, s, p):
    padded = F.pad(x, (p, p, p, p))
    height, width = padded.shape[-2:]
    windows = [
        padded[:, :, top : top + k, left : left + k].flatten(1)
        for top in range(0, height - k, s)
        for left in range(0, width - k, s)
    ]
    return torch.stack(windows, dim=1)


def floor_no_plus_one(x, k, s, p):
    """(n + 2p - k) // s windows per side, no + 1: the right windows, the last row and column missing."""
    padded = F.pad(x, (p, p, p, p))
    rows, cols = ((dim - k) // s for dim in padded.shape[-2:])
    windows = [padded[:, :, i * s : i * s + k, j * s : j * s + k].flatten(1) for i in range(rows) for j in range(cols)]
    return torch.stack(windows, dim=1)


def test_start_only_and_plus_one_differ_in_a_fixed_case():
    x = torch.randn(1, 1, 7, 9)
    start = loop_split(F.pad(x, (2, 0, 2, 0)), 3, 1, 0)
    assert (1, 1, 7, 9, 3, 1, 2) in ex.SPLIT_CASES
    assert (
        ex._short_kind(start, x, (3, 1, 2)) == "start"
        and ex._short_kind(no_plus_one(x, 3, 1, 2), x, (3, 1, 2)) == "plus"
    )


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (
            lambda x, k, s, p: (
                loop_split(x, k, s, p).unflatten(-1, (x.shape[1], k, k)).permute(0, 1, 3, 4, 2).flatten(2)
            ),
            r"\(kh, kw, c\) order",
        ),
        (lambda x, k, s, p: loop_split(x, k, s, p).transpose(1, 2), r"\(B, C\*k\*k, N\): the transpose"),
        (
            lambda x, k, s, p: loop_split(x, k, s, p).transpose(1, 2).reshape(loop_split(x, k, s, p).shape),
            "a reshape where a transpose was needed",
        ),
        (lambda x, k, s, p: loop_split(F.pad(x, (0, 2 * p, 0, 2 * p)), k, s, 0), "padding on one side only"),
        (
            lambda x, k, s, p: loop_split(F.pad(x, (p, 0, p, 0)), k, s, 0),
            r": padding at the start only \(F\.pad\(x, \(p, 0, p, 0\)\)\); F\.pad's",
        ),
        (lambda x, k, s, p: loop_split(F.pad(x, (2 * p, 0, 2 * p, 0)), k, s, 0), r"start only \(F\.pad\(x, \(2p, 0"),
        (lambda x, k, s, p: loop_split(x, k, s, p).tolist(), "you returned a list: return a torch.Tensor"),
        (lambda x, k, s, p: loop_split(x, k, s, p).numpy(), "you returned an ndarray: return a torch.Tensor"),
        (column_major, "column-major"),
        (lambda x, k, s, p: loop_split(x, k, 1, p), "the stride is ignored"),
        (lambda x, k, s, p: loop_split(x, s, k, p), "kernel and stride swapped"),
        (no_plus_one, r"the last ones missing: the \+ 1 left out \(range\(0, n - k, s\) stops one short; window"),
        (floor_no_plus_one, r"the last start is missing: range\(0, n - k, s\) stops one short; window starts run"),
        (lambda x, k, s, p: loop_split(x, k, s, 0), "no padding"),
        (lambda x, k, s, p: 1 / 0, r"raised ZeroDivisionError: division by zero\. It happened for x of shape"),
        (lambda x, k, s, p: loop_split(x, k, s, p).float(), "your output is torch.float32, the input torch.float64"),
        (lambda x, k, s, p: loop_split(x, k, s, p) + 0.1, "different values"),
        (lambda x, k, s, p: loop_split(x, k, s, p).flip(1), "in the wrong place"),
        (lambda x, k, s, p: loop_split(x, k, s, p).flip(-1), r"each token holds its window's values in another order"),
        (
            lambda x, k, s, p: (
                loop_split(x, k, s, p).unflatten(-1, (x.shape[1], k, k)).permute(0, 1, 3, 2, 4).flatten(2)
            ),
            r"another order: flatten channel by channel, then row by row, \(c, kh, kw\)",
        ),
        (
            lambda x, k, s, p: loop_split(x, k, s, p).unflatten(-1, (x.shape[1], k, k)).transpose(-1, -2).flatten(2),
            "another order",
        ),
        (lambda x, k, s, p: loop_split(F.pad(x, (p, p)), k, s, 0), r"F\.pad\(x, \(p, p\)\) pads only the last dim"),
        (
            lambda x, k, s, p: loop_split(F.pad(x, (p, p, p, p), mode="replicate"), k, s, 0),
            "replicate padding: pad with zeros",
        ),
        (
            lambda x, k, s, p: loop_split(F.pad(x, (p, p, p, p), mode="reflect"), k, s, 0),
            "reflect padding: pad with zeros",
        ),
        (lambda x, k, s, p: loop_split(x, k, s, p)[0], "your output has shape"),
        (
            lambda x, k, s, p: loop_split(F.pad(x, (p,) * 4, value=1.0), k, s, 0),
            r"the padding must be zeros \(yours holds ones\)",
        ),
        (
            lambda x, k, s, p: loop_split(F.pad(x, (p,) * 4, value=0.5), k, s, 0),
            r"the padding must be zeros \(yours holds values",
        ),
        (
            lambda x, k, s, p: loop_split(x[:1], k, s, p).expand(x.shape[0], -1, -1),
            r"batch element 1 differs: split every image of the batch",
        ),
        (lambda x, k, s, p: loop_split(x[:1], k, s, p), r"your batch size is 1, the input's 2: split every image"),
    ],
)
def test_each_slip_gets_its_message(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        ex.check_my_soft_split(wrong)


def sticks_out(x, k, s, p):
    """Starts up to the padded edge itself: the last windows are cut short, and torch.stack refuses them."""
    padded = F.pad(x, (p, p, p, p))
    height, width = padded.shape[-2:]
    windows = [
        padded[:, :, top : top + k, left : left + k].flatten(1)
        for top in range(0, height, s)
        for left in range(0, width, s)
    ]
    return torch.stack(windows, dim=1)


def ceil_sized(x, k, s, p):
    """Rounds the count up and writes each window into a preallocated (B, N, C*k*k) tensor."""
    padded = F.pad(x, (p, p, p, p))
    rows, cols = (-(-(dim - k) // s) + 1 for dim in padded.shape[-2:])
    out = x.new_zeros(x.shape[0], rows * cols, x.shape[1] * k * k)
    for i in range(rows):
        for j in range(cols):
            out[:, i * cols + j] = padded[:, :, i * s : i * s + k, j * s : j * s + k].flatten(1)
    return out


@pytest.mark.parametrize("wrong", [sticks_out, ceil_sized])
def test_windows_sticking_out_are_named(wrong):
    with pytest.raises(ExerciseFailed, match=r"raised RuntimeError: .*If some windows are smaller than k x k"):
        ex.check_my_soft_split(wrong)


def cat_rows(x, k, s, p):
    """Joins the windows with torch.cat, starts up to the padded edge: the last windows are cut short."""
    padded = F.pad(x, (p, p, p, p))
    height, width = padded.shape[-2:]
    windows = [
        padded[:, :, top : top + k, left : left + k].reshape(x.shape[0], 1, -1)
        for top in range(0, height, s)
        for left in range(0, width, s)
    ]
    return torch.cat(windows, dim=1)


def test_cat_of_windows_cut_short_is_named():
    with pytest.raises(ExerciseFailed, match=r"raised RuntimeError: .*If some windows are smaller than k x k"):
        ex.check_my_soft_split(cat_rows)


def view_too_big(x, k, s, p):
    """A size error that has nothing to do with the windows' edges: a view that does not fit."""
    return x.view(x.shape[0], -1, x.shape[1] * k * k + 1)


def broadcast_mismatch(x, k, s, p):
    """Another unrelated size error: two shapes that do not broadcast."""
    return x + torch.ones(x.shape[-1] + 1)


@pytest.mark.parametrize("wrong", [view_too_big, broadcast_mismatch])
def test_other_size_errors_get_no_edge_hint(wrong):
    with pytest.raises(ExerciseFailed, match=r"raised RuntimeError") as failure:
        ex.check_my_soft_split(wrong)
    assert "smaller than k x k" not in str(failure.value) and "It happened for" in str(failure.value)


def test_input_changed_in_place_is_named():
    def pads_in_place(x, k, s, p):
        out = loop_split(x, k, s, p)
        x.zero_()
        return out

    with pytest.raises(ExerciseFailed, match="changed its input"):
        ex.check_my_soft_split(pads_in_place)


@pytest.mark.parametrize(
    ("shortcut", "name"),
    [
        (lambda x, k, s, p: nn.Unfold(k, stride=s, padding=p)(x).transpose(1, 2), "unfold"),
        (lambda x, k, s, p: F.unfold(x, k, padding=p, stride=s).transpose(1, 2), "unfold"),
        (lambda x, k, s, p: F.pad(x, (p,) * 4).unfold(2, k, s).unfold(3, k, s), r"Tensor\.unfold"),
        (lambda x, k, s, p: torch.as_strided(x, (1,), (1,)), "as_strided"),
        (lambda x, k, s, p: F.pad(x, (p,) * 4).as_strided((1,), (1,)), "as_strided"),
        (lambda x, k, s, p: F.conv2d(x, torch.ones(1, x.shape[1], k, k, dtype=x.dtype), stride=s), "conv2d"),
        (lambda x, k, s, p: SoftSplit(k, s, p)(x), "SoftSplit"),
        (
            lambda x, k, s, p: torch.from_numpy(
                np.lib.stride_tricks.sliding_window_view(F.pad(x, (p,) * 4).numpy(), (k, k), axis=(2, 3)).copy()
            ),
            "sliding_window_view",
        ),
        (lambda x, k, s, p: torch.ops.aten.im2col(x, [k, k], [1, 1], [p, p], [s, s]).transpose(1, 2), "im2col"),
    ],
)
def test_shortcuts_are_refused(shortcut, name):
    with pytest.raises(ExerciseFailed, match=f"from padding and slicing yourself; your function called .*{name}"):
        ex.check_my_soft_split(shortcut)


def test_a_hard_coded_shape_fails_on_the_random_cases():
    table = {}
    for batch, channels, height, width, kernel, stride, padding in ex.SPLIT_CASES:
        table[(batch, channels, height, width, kernel, stride, padding)] = True

    def fixed_only(x, k, s, p):
        if (*x.shape, k, s, p) not in table:
            return torch.zeros(1, 6, 9, dtype=x.dtype)  # the lesson's shape, hard-coded
        return loop_split(x, k, s, p)

    # the random cases are fresh draws (os.urandom): a drawn batch of 2 or more meets the hard-coded batch of 1 first,
    # and a drawn case whose true shape is (1, 6, 9) (e.g. x (1, 1, 7, 6), k=3, s=2, p=0; about 1 run in 300) meets
    # the zeros' values: the checker then says the tokens hold different values
    with pytest.raises(
        ExerciseFailed, match=r"your output has shape|windows, not|your batch size is 1|hold different values"
    ):
        ex.check_my_soft_split(fixed_only)


def test_random_cases_vary_and_fit():
    drawn = [case for _ in range(20) for case in ex.random_split_cases()]
    assert len(set(drawn)) > 30
    for batch, channels, height, width, kernel, stride, padding in drawn:
        assert height != width and 1 <= channels <= 3 and 2 <= stride <= kernel and 0 <= padding < kernel
        assert nn.Unfold(kernel, stride=stride, padding=padding)(torch.zeros(batch, channels, height, width)).numel()
    assert any(case[-1] == 0 for case in drawn) and any(case[-1] > 0 for case in drawn)
    state = torch.random.get_rng_state()
    ex.random_split_cases()
    assert torch.equal(state, torch.random.get_rng_state())  # the global seed is untouched


def test_count_slip_names_the_missing_last_start_first():
    images = torch.zeros(1, 1, 8, 10)  # k = 4, s = 3, p = 0 (no start-only padding to confuse it with): 3 x 3 windows
    short = torch.zeros(1, 2 * 2, 16)  # range(0, 8 - 4, 3) and range(0, 10 - 4, 3): 2 x 2 starts
    assert ex._count_slip(short, images, (4, 3, 0)).startswith("the last start is missing: range(0, n - k, s)")
    assert "round down" in ex._count_slip(torch.zeros(1, 5, 16), images, (4, 3, 0))

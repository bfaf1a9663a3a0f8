"""Lesson 02: behaviour tests folded from the per-round files (each calls package code, a checker, a widget,
a model or a tool). Moved verbatim: same assertions, same tolerances; a section comment names the file it came from."""

from __future__ import annotations

import inspect
import math
import pathlib
import re
from fractions import Fraction
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.backends.backend_agg import FigureCanvasAgg
from torch import nn

import vit_explained
from tests import _notebook as nb
from tests.test_lesson02_soft_split_exercise import loop_split as _loop_split
from vit_explained import T2T_SPLITS, ViT, soft_split
from vit_explained.exercises import ExerciseFailed, lesson02
from vit_explained.exercises import lesson02 as ex
from vit_explained.images import sample_image
from vit_explained.plotting import lesson02 as plots
from vit_explained.plotting.lesson02 import plot_token_footprint
from vit_explained.soft_split import (
    Footprint,
    OriginalT2TStem,
    SoftSplit,
    built_with_seed,
    chain_footprints,
    count_tokens,
    held_along,
    original_square_grids,
    run_or_error,
    share_held_whole,
    tokens_along,
    tokens_to_image,
    window_starts,
)
from vit_explained.t2t import t2t_chain
from vit_explained.widgets.lesson02 import soft_split_widget

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "02_soft_split_token_counting_solutions.ipynb"
APPENDIX = nb.NOTEBOOKS / "02_soft_split_token_counting_appendix.ipynb"  # review r26b item 3


def _starting(start: str) -> int:
    """The index of the one lesson cell whose source starts with ``start``."""
    (index,) = [i for i, source in enumerate(nb.sources(LESSON)) if source.startswith(start)]
    return index


# ---- from test_lesson02_fix_17a.py ----


def _no_padding(height, width, splits):
    sides = [height, width]
    for kernel, stride, _ in splits:
        sides = [(n - kernel) // stride + 1 for n in sides]
    return tuple(sides)


def _round_up(height, width, splits):
    sides = [height, width]
    for kernel, stride, padding in splits:
        sides = [math.ceil((n + 2 * padding - kernel) / stride) + 1 for n in sides]
    return tuple(sides)


@pytest.mark.parametrize("answer", [_no_padding, _round_up, lambda h, w, sp: (h, w), lambda h, w, sp: (3, 3)])
def test_exercise_1_feedback_is_plain_text(answer):
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_final_grid(answer)
    assert "*" not in str(failed.value) and "`" not in str(failed.value)


# ---- from test_lesson02_fix_17c.py ----


def _covered_from(n, k, starts, width=None):
    covered = {i for start in starts for i in range(start, start + (width or k))}
    return [i for i in range(n) if i not in covered]


def _count(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def test_reviewer_cases_are_in_the_checker():
    assert (22, 7, 5, 1) in ex.LOST_CASES and (100, 20, 25, 2) in ex.LOST_CASES
    assert any(p > 0 and (n + 2 * p - k) % s > p for n, k, s, p in ex.LOST_CASES)
    assert any(p > 0 and s > k for n, k, s, p in ex.LOST_CASES)
    assert ex.lost_pixels_reference(22, 7, 5, 1) == [21]
    assert ex.lost_pixels_reference(100, 20, 25, 2)[:5] == [18, 19, 20, 21, 22]


SLIPS = [
    (  # the reviewer's answer: windows at j*s .. j*s + k - 1
        lambda n, k, s, p: _covered_from(n, k, range(0, _count(n, k, s, p) * s, s)),
        "your windows start at j*s; with padding, window 0 starts p pixels before pixel 0",
    ),
    (
        lambda n, k, s, p: _covered_from(n, k, range(0, ((n - k) // s + 1) * s, s)),
        "your windows ignore the padding",
    ),
    (
        lambda n, k, s, p: _covered_from(n, k, range(-p, -p + (math.ceil((n + 2 * p - k) / s) + 1) * s, s)),
        "it is not rounded up",
    ),
    (
        lambda n, k, s, p: _covered_from(n, k, range(-p, -p + _count(n, k, s, p) * s, s), width=k - 1),
        "your windows are one pixel short",
    ),
]


@pytest.mark.parametrize(("answer", "named"), SLIPS)
def test_new_slips_are_named(answer, named):
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(answer)
    assert named in str(failed.value)


def _by_windows_tensor(n, k, s, p):  # a boolean mask over the padded side, written with torch
    mask = torch.zeros(n + 2 * p, dtype=torch.bool)
    for j in range(_count(n, k, s, p)):
        mask[j * s : j * s + k] = True
    return torch.nonzero(~mask[p : p + n]).flatten()


def _by_loop(n, k, s, p):  # the last window's end and the gaps, in image coordinates
    lost, start = [], -p
    while start + k <= n + p:
        lost += range(start + k, min(start + s, n))  # the gap after this window; empty when s <= k
        start += s
    return sorted(set(lost) | set(range(start - s + k, n)))


@pytest.mark.parametrize("answer", [_by_windows_tensor, _by_loop])
def test_right_answers_written_differently_pass(answer, capsys):
    ex.check_lost_pixels(answer)
    assert capsys.readouterr().out.startswith("Correct!")


# ---- from test_lesson02_fix_17d.py ----

TABLE = {case: ex.lost_pixels_reference(*case) for case in ex.LOST_CASES}


def _failure(answer) -> str:
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(answer)
    return str(failed.value)


def test_random_cases_are_new_and_valid():
    cases = ex.random_lost_cases(50, torch.Generator().manual_seed(0))
    assert len(set(cases)) == 50 and not set(cases) & set(ex.LOST_CASES)
    assert all(k <= n and 1 <= s <= k + 3 and 0 <= p < k for n, k, s, p in cases)
    assert any(s > k for n, k, s, p in cases) and any(ex.lost_pixels_reference(*c) for c in cases)


def test_a_lookup_table_fails():
    with pytest.raises(ExerciseFailed):
        ex.check_lost_pixels(lambda n, k, s, p: TABLE[(n, k, s, p)])


def test_constant_empty_names_no_lost_pixel():  # review 18c: naming pixel 50 gave part of the answer away
    message = _failure(lambda n, k, s, p: [])
    assert "the lost ones" not in message and "pixel 50" not in message and "50" not in message.split("),")[-1]
    assert "you returned 0 pixels: this split loses some" in message


def test_padded_side_indices_are_named():
    assert "on the padded side" in _failure(lambda n, k, s, p: [i + p for i in ex.lost_pixels_reference(n, k, s, p)])
    assert "the floor drops" in _failure(lambda n, k, s, p: range(n + 2 * p - (n + 2 * p - k) % s, n + 2 * p))


def test_generic_failures_name_the_pixel_and_why():
    outside = _failure(lambda n, k, s, p: [27] if n == 22 else ex.lost_pixels_reference(n, k, s, p))
    assert "pixel 27 is outside the image: the image's pixels are 0 .. 21" in outside
    padding = _failure(
        lambda n, k, s, p: [22] if (n, k, s, p) == (22, 7, 4, 3) else ex.lost_pixels_reference(n, k, s, p)
    )
    assert "you returned 1 pixel:" in padding and "pixel 22 is a padding position" in padding
    covered = _failure(
        lambda n, k, s, p: [0] if (n, k, s, p) == (22, 7, 4, 3) else ex.lost_pixels_reference(n, k, s, p)
    )
    assert "pixel 0 is covered by window 0 (image pixels 0 .. 3)" in covered


def test_no_failure_prints_the_full_answer():
    lost = ex.lost_pixels_reference(60, 20, 15, 0)
    message = _failure(
        lambda n, k, s, p: lost[:3] if (n, k, s, p) == (60, 20, 15, 0) else ex.lost_pixels_reference(n, k, s, p)
    )
    assert not re.search(r"50 \.\. 59|\[50, 51", message)


def test_rounding_down_points_to_section_2():
    source = pathlib.Path(ex.__file__).read_text()
    assert "section 3)" not in source and source.count("section 2)") >= 2


def test_t2t_map_does_not_call_the_sinusoid_learned():
    import matplotlib.pyplot as plt

    from vit_explained import ViT
    from vit_explained.plotting.lesson02 import plot_vit_map_t2t
    from vit_explained.vit_map import trace_vit

    with torch.device("meta"):
        model = ViT(32, patch_size=16, num_classes=10, dim=16, depth=1, heads=2, mlp_dim=32)
        fig = plot_vit_map_t2t(trace_vit(model, torch.empty(1, 3, 32, 32)))
    texts = [text.get_text() for text in fig.axes[0].texts]
    assert "learned pos_embedding" not in texts and "pos_embedding" in texts
    legend = "orange: tensors added to the sequence (class token learned; T2T's positions fixed)"  # review 18a
    assert any(legend in text for text in texts)
    plt.close(fig)


# ---- from test_lesson02_fix_17e.py ----


def _refusal(guard, call) -> str:
    with pytest.raises(Exception) as caught, guard:
        call()
    return str(caught.value)


@pytest.mark.parametrize("guard", [lesson02._NO_UNFOLD, lesson02._NO_COUNTING])
def test_refusals_name_the_unfold_that_was_called(guard):
    x = torch.zeros(1, 1, 8, 8)
    assert "called nn.Unfold (torch.nn.Unfold, which calls F.unfold)" in _refusal(guard, lambda: nn.Unfold(3)(x))
    assert "called F.unfold (torch.nn.functional.unfold)" in _refusal(guard, lambda: F.unfold(x, 3))
    assert "called Tensor.unfold (torch.Tensor.unfold)" in _refusal(guard, lambda: x.unfold(2, 3, 1))


def test_reversed_rule_message_says_min_r_p():
    messages = [message for message, _ in lesson02._lost_slips(20, 7, 4, 2)]
    assert any("the last min(r, p) of those are padding" in message for message in messages)
    assert not any("the last p of" in message for message in messages)


def test_built_with_seed_is_repeatable_and_leaves_the_generator():
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    first = built_with_seed(0, nn.Linear, 4, 3)
    assert torch.equal(torch.random.get_rng_state(), before)
    second = built_with_seed(0, nn.Linear, 4, 3)
    assert torch.equal(first.weight, second.weight)


# ---- from test_lesson02_fix_18a.py ----


def test_run_or_error_and_original_square_grids():
    torch.manual_seed(0)
    tall = torch.rand(1, 1, 400, 100)
    assert run_or_error(OriginalT2TStem(img_size=208, in_chans=1, embed_dim=8), tall) == "runs, output (1, 170, 8)"
    assert run_or_error(OriginalT2TStem(img_size=224, in_chans=1, embed_dim=8), tall).startswith("RuntimeError: ")
    stem = OriginalT2TStem(img_size=208, in_chans=1, embed_dim=8)
    assert original_square_grids(stem, tall) == ([(50, 50), (25, 25)], 169)
    assert original_square_grids(stem, tall) == ([(50, 50), (25, 25)], 169)  # the hooks are removed after each call


def test_module_diagram_labels_are_readable():
    from vit_explained.plotting.lesson02 import plot_t2t_module

    fig = plot_t2t_module()
    sizes = [text.get_fontsize() for text in fig.axes[0].texts] + [t.get_fontsize() for t in fig.legends[0].texts]
    assert min(sizes) >= 9.5


# ---- from test_lesson02_fix_18b.py ----

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


_source_fix_18b = nb.source


def test_widget_readout_ends_with_n_squared():
    widget = soft_split_widget(kernel=7, stride=4, padding=2, height=224, width=224)
    assert widget.line.endswith("tokens: 56 x 56 = 3136, N² = 9,834,496 attention entries per head")
    explore = _source_fix_18b(nb.cells(LESSON)[_starting("## 6 · Explore")])
    assert "The readout ends with `N²`" in explore


def _lost(n, k, s, p):  # a right answer, as a list
    count = (n + 2 * p - k) // s + 1
    covered = {i for j in range(count) for i in range(j * s - p, j * s - p + k)}
    return [i for i in range(n) if i not in covered]


@pytest.mark.parametrize("kind", ["tensor", "array", "list"])
def test_exercise_4_names_a_mask(kind):
    def mask(n, k, s, p):
        lost = set(_lost(n, k, s, p))
        flags = [i in lost for i in range(n)]
        return {"tensor": torch.tensor(flags), "array": np.array(flags), "list": flags}[kind]

    with pytest.raises(ExerciseFailed, match=r"you returned a mask .*return the indices of the lost pixels"):
        ex.check_lost_pixels(mask)


def test_exercise_4_right_answers_still_pass():
    ex.check_lost_pixels(_lost)
    ex.check_lost_pixels(lambda n, k, s, p: torch.tensor(_lost(n, k, s, p), dtype=torch.long))


def test_exercise_2_names_a_constant_answer():
    with pytest.raises(ExerciseFailed, match="You returned the same split for size 224, grid 56: a constant answer"):
        ex.check_split_for_grid(lambda size, grid: (7, 4, 2))
    ex.check_split_for_grid(lambda size, grid: (2 * (size // grid) + 1, size // grid, size // grid))  # k = 2s + 1


def test_exercise_3_says_an_ndarray():
    with pytest.raises(ExerciseFailed, match=r"you returned an ndarray: return a torch\.Tensor"):
        ex.check_my_soft_split(lambda x, k, s, p: np.zeros(3))


# ---- from test_lesson02_fix_18c.py ----


def test_the_numbers_the_new_sentences_state():
    from vit_explained.soft_split import count_tokens, share_held_whole

    assert [count_tokens(224, 224, 7, 4, pad).rows for pad in (1, 2)] == [55, 56]
    assert round(100 * float(share_held_whole(224, (2, 4), 31, 16, 14)), 1) == 100.0


def _uncovered(size: int, kernel: int, starts: range) -> list[int]:
    return [i for i in range(size) if not any(j <= i < j + kernel for j in starts)]


@pytest.mark.parametrize(
    "answer",
    [
        lambda n, k, s, p: _uncovered(n, k, range(0, ((n + 2 * p - k) // s + 1) * s, s)),  # windows from j*s
        lambda n, k, s, p: _uncovered(n, k, range(0, ((n - k) // s + 1) * s, s)),  # padding ignored
    ],
)
def test_exercise_4_messages_name_window_0_not_the_whole_rule(answer):
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(answer)
    message = str(failed.value)
    assert "j*s - p .." not in message and "j*s - p + k - 1" not in message
    assert "window 0 starts" in message and "-p" in message


# ---- from test_lesson02_fix_18d.py ----


def test_missing_pixel_without_padding_has_no_window_minus_p_note():
    def one_short(n, k, s, p):  # drops the first lost pixel: the first wrong case is (60, 20, 15, 0)
        return ex.lost_pixels_reference(n, k, s, p)[1:]

    message = _failure(one_short)
    assert "padding 0)" in message and "leaves it out" in message and "starts at pixel -" not in message


def test_missing_pixel_with_padding_names_where_window_0_starts():
    message = ex._why_wrong([1], [0, 1], (10, 3, 2, 2))
    assert message.startswith("pixel 0 is in no window") and "window 0 starts at pixel -2, 2 pixels before" in message


def test_window_strips_titles():
    from vit_explained.plotting.lesson02 import plot_window_strips

    fig = plot_window_strips(20, 7, 4, (2, 3, 0))
    titles = [ax.get_title().splitlines()[1] for ax in fig.axes]
    assert titles == [
        "window j is centred on image pixel 4j + 1",
        "window j is centred on image pixel 4j",
        "window j is centred on image pixel 4j + 3",
    ]


def test_widget_frames_the_windows_holding_the_piece():
    from vit_explained.plotting.lesson02 import tokens_holding
    from vit_explained.widgets.lesson02 import soft_split_widget

    widget = soft_split_widget(kernel=7, stride=4, padding=2, height=30, width=40)
    assert widget.values["piece"] is False and "piece" not in widget.line  # off at the start: the lesson's view
    values = {**widget.values, "piece": True, "piece_row": 5, "piece_col": 9}
    line, fig = widget.compute(**values)
    assert line.endswith("the 2 x 4 piece at (row 5, col 9) is held whole by 1 window (framed red)")
    pixels = [(5 + i, 9 + j) for i in range(2) for j in range(4)]
    assert tokens_holding(30, 40, pixels, 7, 4, 2) == [12]  # row 1, column 2 of the 7 x 10 grid
    framed = [p for p in fig.axes[0].patches if p.get_edgecolor()[:3] == (1.0, 0.0, 0.0) and p.get_linewidth() == 3.0]
    assert [(p.get_x(), p.get_y(), p.get_width()) for p in framed] == [(2 * 4 - 0.5, 1 * 4 - 0.5, 7)]
    hard, _ = widget.compute(**{**values, "kernel": 4, "stride": 4, "padding": 0})
    assert hard.endswith("is held whole by 0 windows")  # a 4 x 4 patch border cuts it
    clamped, _ = widget.compute(**{**values, "piece_row": 200, "piece_col": 200})
    assert "the 2 x 4 piece at (row 28, col 36)" in clamped  # moved inside the 30 x 40 crop
    widget.controls["piece"].value = True
    assert "held whole by" in widget.line


# ---- from test_lesson02_fix_18e.py ----


@pytest.mark.parametrize(
    ("kernel", "stride", "words"), [(20, 25, "gap s - k = 25 - 20 = 5 px"), (1, 32, "gap s - k = 32 - 1 = 31 px")]
)
def test_widget_says_gap_not_negative_overlap(kernel, stride, words):
    widget = soft_split_widget(kernel=kernel, stride=stride, padding=0, height=64, width=64)
    assert words in widget.line and "overlap" not in widget.line and "= -" not in widget.line
    assert "overlap k - s = 20 - 10 = 10" in soft_split_widget().line


def test_exercise_4_covered_pixel_names_image_pixels_only():
    def wrong(n, k, s, p):
        right = ex.lost_pixels_reference(n, k, s, p)
        return [*right, n - 1] if (n, k, s, p) == (22, 7, 4, 3) and n - 1 not in right else right

    with pytest.raises(ex.ExerciseFailed) as raised:
        ex.check_lost_pixels(wrong)
    message = str(raised.value)
    assert "is covered by window" in message and "(image pixels " in message
    first, last = message.split("(image pixels ")[1].split(")")[0].split(" .. ")
    assert 0 <= int(first) <= int(last) <= 21


def test_t2t_module_figure_uses_the_papers_terms_and_the_name_is_explained():
    from vit_explained.plotting.lesson02 import plot_t2t_module

    fig = plot_t2t_module()
    texts = [text.get_text() for text in fig.axes[0].texts]
    for term in ("re-structurization 1", "re-structurization 2", "T2T process 1", "T2T process 2"):
        assert term in texts
    assert "soft split 1\n(k7, s4, p2)" in texts and "Brackets: the T2T paper's terms" in fig.axes[0].get_title()
    prose = nb.flat(
        nb.source(nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "Each soft split merges neighbours")])
    )
    assert 'Each soft split merges neighbours into one token ("tokens-to-token"): the first' in prose  # 22h: joined
    assert "the first split merges pixels, the later ones merge tokens." in prose


# ---- from test_lesson02_fix_19a.py ----


def test_exercise_2_checker_still_names_uncovered_pixels():
    import pytest

    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises import lesson02 as ex

    with pytest.raises(ExerciseFailed, match=r"pixel 223 \(the last row and column\) ends up in no token"):
        ex.check_split_for_grid(lambda size, grid: (size // grid + 1, size // grid, size // grid // 2))


# ---- from test_lesson02_fix_19c.py ----


def test_2_the_rule_holds_for_the_splits_the_check_sweeps():
    from vit_explained.soft_split import share_held_whole

    for k, s, p in ((7, 7, 0), (5, 4, 1), (8, 4, 2), (7, 4, 2), (6, 4, 1), (11, 8, 3), (9, 6, 4)):
        assert (share_held_whole(224, (2, 4), k, s, p) == 1) == (k - s + 1 >= 4)


def test_6_gif_centres_sit_above_the_window_frame():
    from vit_explained.images import sample_image
    from vit_explained.plotting import new_figure
    from vit_explained.plotting.lesson02 import WINDOW_COLOR, _FrameDrawer

    fig = new_figure(figsize=(7.44, 2.88), dpi=145)
    FigureCanvasAgg(fig)
    drawer = _FrameDrawer(sample_image((60, 100), grayscale=True), 20, 10, 5, fig)
    assert drawer.centres.get_zorder() > drawer.window.get_zorder()
    frame = drawer.render(15)  # window 15: row 1, column 5; row 0's centres 4..6 lie on its top edge
    cyan = np.array(matplotlib.colors.to_rgb(WINDOW_COLOR)) * 255
    height = frame.shape[0]
    for x, y in drawer.corners[4:7]:
        px, py = drawer.left.transData.transform((x + 9.5, y + 9.5))
        pixel = frame[round(height - py), round(px)]
        assert np.abs(pixel - cyan).max() < 40, (x, y, pixel)


def test_6_run_strip_title_is_short():
    from vit_explained.plotting.lesson02 import plot_run_strip

    title = plot_run_strip(20, 7, 4, 2).axes[0].get_title()
    assert title == "(7, 4, 2): pixels 5..8 fit in window 1; add pixel 9 and no window holds the run"


# ---- from test_lesson02_fix_19d.py ----


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


# ---- from test_lesson02_fix_19g.py ----


def test_split_3_and_project_equal_that_convolution():
    torch.manual_seed(0)
    conv = nn.Conv2d(64, 384, 3, 2, 1)
    image = torch.randn(2, 64, 28, 28)
    tokens = SoftSplit(3, 2, 1)(image)
    linear = tokens @ conv.weight.reshape(384, -1).T + conv.bias
    expected = conv(image).flatten(2).transpose(1, 2)
    assert linear.shape == (2, 196, 384)
    torch.testing.assert_close(linear, expected, rtol=1e-4, atol=1e-4)


# ---- from test_lesson02_fix_20a.py ----


def _numpy_float64(x, k, s, p):  # numpy in float64 throughout, back to torch
    padded = np.pad(x.double().numpy(), ((0, 0), (0, 0), (p, p), (p, p)))
    b, _, h, w = padded.shape
    rows, cols = range(0, h - k + 1, s), range(0, w - k + 1, s)
    out = [padded[:, :, i : i + k, j : j + k].reshape(b, -1) for i in rows for j in cols]
    return torch.from_numpy(np.stack(out, axis=1))


@pytest.mark.parametrize(
    "answer",
    [
        lambda x, k, s, p: _loop_split(x.double(), k, s, p),  # float64 from the start
        lambda x, k, s, p: _loop_split(x, k, s, p).to(torch.float64),  # widened at the end
        _numpy_float64,
    ],
)
def test_exercise_3_exact_float64_passes_with_a_note(answer, capsys):
    ex.check_my_soft_split(answer)
    out = capsys.readouterr().out
    assert out.startswith("Correct!") and "Note: for float32 inputs your output is float64" in out


def test_exercise_3_right_dtype_has_no_note(capsys):
    ex.check_my_soft_split(_loop_split)
    assert "Note:" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda x, k, s, p: _loop_split(x, k, s, p).float(), "your output is torch.float32, the input torch.float64"),
        (lambda x, k, s, p: _loop_split(x.double(), k, s, p) + 1e-3, "different values"),
        (lambda x, k, s, p: _loop_split(x, k, s, p).half(), "torch.float16"),
    ],
)
def test_exercise_3_narrower_or_wrong_still_fails(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        ex.check_my_soft_split(wrong)


def _by_window_index(n, k, s, p):  # a set: pixels whose first window j is past the last, floor((n + 2p - k) / s)
    last = (n + 2 * p - k) // s
    first_window = {i: next((j for j in range(n + 2 * p) if j * s - p <= i < j * s - p + k), None) for i in range(n)}
    return {i for i, j in first_window.items() if j is None or j > last}


def _covered_by(starts, n, k):
    covered = {i for start in starts for i in range(start, start + k)}
    return [i for i in range(n) if i not in covered]


@pytest.mark.parametrize(
    "answer",
    [
        lambda n, k, s, p: _covered_by(range(-p, n + p - k + 1, s), n, k),
        lambda n, k, s, p: torch.tensor(_covered_by(range(-p, n + p - k + 1, s), n, k), dtype=torch.long),
        _by_window_index,
    ],
)
def test_exercise_4_right_answers_pass(answer, capsys):
    ex.check_lost_pixels(answer)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda n, k, s, p: _covered_by(range(-p, n + p - k, s), n, k), r"window starts run up to n \+ p - k included"),
        (lambda n, k, s, p: set(_covered_by(range(-p, n + p - k, s), n, k)), "your last window is missing"),
        (
            lambda n, k, s, p: _covered_by(range(-p, -p + ((n + 2 * p - k) // s) * s, s), n, k),
            "one window fewer would lose",
        ),
    ],
)
def test_exercise_4_missing_last_window_is_named(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        ex.check_lost_pixels(wrong)


def _markdown(path=LESSON) -> list[str]:
    return [nb.flat(nb.source(c)) for c in nb.cells(path) if c["cell_type"] == "markdown"]


def test_footprint_zoom_has_the_prose_ticks():
    fig = plot_token_footprint(sample_image(224), (3, 6))
    zoom = fig.axes[1]
    assert list(zoom.get_yticks()) == [34, 64] and list(zoom.get_xticks()) == [82, 112]
    right, top = zoom.child_axes  # the patch's rows on the right, its columns on top
    assert [int(t) for t in right.get_yticks()] == [48, 63] and [int(t) for t in top.get_xticks()] == [96, 111]
    text = " ".join(_markdown(APPENDIX))  # the footprint notes moved to the appendix (review r26b item 3)
    assert "the token's rows 34 and 64 and columns 82 and 112 (red, left and bottom)" in text
    assert "the patch's rows 48 and 63 and columns 96 and 111 (gold, right and top)" in text


# ---- from test_lesson02_fix_20c.py ----


def test_1_window_size_sentence_matches_its_counts():
    claim = nb.flat(nb.source(nb.cells(APPENDIX)[nb.unique_index(nb.sources(APPENDIX), "raise the share from 19.1 %")]))
    assert "The window's size alone does not raise it" not in claim
    assert "raise the share from 19.1 % to 49.9 % but never reach 100 %" in claim  # 7 x 7 patches, no overlap
    assert "Only `k - s + 1 >= 4` (the piece's width)" in claim
    assert "follows from the `k - s + 1` rule by arithmetic" in claim and "not from an experiment" in claim
    assert "the stride from 4 to 7 and the grid from 56 x 56 to 32 x 32 windows" in claim
    assert count_tokens(224, 224, 7, 7, 0).rows == 32 and count_tokens(224, 224, 7, 4, 2).rows == 56


def test_gif_caption_counts_the_rows_each_frame_adds():
    """Review r25a item 5: window 0, then every third, then the last: 1 row, 3 per frame, 2 in the last."""
    from itertools import pairwise

    from vit_explained.plotting.lesson02 import _frame_indices

    rows = [index + 1 for index in _frame_indices(60, 60, 3)]  # the token matrix's rows after each frame
    gains = [rows[0]] + [after - before for before, after in pairwise(rows)]
    assert len(rows) == 21 and gains[0] == 1 and set(gains[1:-1]) == {3} and gains[-1] == 2 and sum(gains) == 60
    caption = nb.flat(nb.source(nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "### The window, sliding")]))
    assert [*_frame_indices(60, 60, 3)] == [*range(0, 60, 3), 59]  # review r25d item 6: every third, and the last
    assert "Every third window is drawn (21 frames), and the last" in caption
    assert "gains three rows per frame" not in caption


def test_5_to_9_wording_items():
    cells = nb.cells(LESSON)
    text = " ".join(nb.flat(nb.source(c)) for c in cells if c["cell_type"] == "markdown")
    assert "`k - 2p = 7 - 2·2 = 3` and `3 - 2·1 = 1`" in text and "7 - 4 = 3 and 3 - 2 = 1" not in text
    short = nb.source(cells[nb.unique_index(nb.sources(LESSON), "In short: a split whose kernel")])
    assert "\n\nWith `k - 2p > s` the floor is -2 or less" in short  # the paragraph split (r23c: the case named)
    assert "overlapping windows hold a short one whole." in text  # the section 3 lead claims no more than it shows
    assert "centre-cropped to a 3:5 aspect ratio (height : width), then resized to 60 x 100" in text
    assert "resized with its proportions kept" not in text
    assert "253 and 42.2" not in text  # review r26b item 4: the prose keeps its one answer; the printout the rest
    cost = nb.printed(cells[nb.unique_index(nb.sources(LESSON), "per_layer_1, per_layer_main = heads_token")])
    assert "with the class token (197 tokens in a main block): 253 and 42.2 times as many" in cost
    assert round(3136**2 / 197**2) == 253 and round(3136**2 / (6 * 197**2), 1) == 42.2
    assert "section 2" in tokens_along.__doc__ and "section 3" not in tokens_along.__doc__


def _k_apart_fits(x, k, s, p):  # the formula's count of windows, cut k apart: fits only when the image allows
    padded = F.pad(x, (p, p, p, p))
    grid = count_tokens(x.shape[2], x.shape[3], k, s, p)
    return torch.stack(
        [
            padded[:, :, i * k : i * k + k, j * k : j * k + k].flatten(1)
            for i in range(grid.rows)
            for j in range(grid.cols)
        ],
        dim=1,
    )


def _k_apart_range(x, k, s, p):  # range over the padded side with step k
    padded = F.pad(x, (p, p, p, p))
    height, width = padded.shape[-2:]
    windows = [
        padded[:, :, i : i + k, j : j + k] for i in range(0, height - k + 1, k) for j in range(0, width - k + 1, k)
    ]
    return torch.stack([w.reshape(x.shape[0], -1) for w in windows], dim=1)


def _k_apart_numpy(x, k, s, p):
    padded = F.pad(x, (p, p, p, p)).numpy()
    out = [
        padded[:, :, i : i + k, j : j + k].reshape(x.shape[0], -1)
        for i in range(0, padded.shape[2] - k + 1, k)
        for j in range(0, padded.shape[3] - k + 1, k)
    ]
    return torch.tensor(np.stack(out, axis=1))


@pytest.mark.parametrize("wrong", [_k_apart_fits, _k_apart_range, _k_apart_numpy])
def test_8_exercise_3_names_windows_k_apart(wrong):
    with pytest.raises(ExerciseFailed, match="windows k apart: step by s"):
        ex.check_my_soft_split(wrong)


def test_8_the_k_apart_slip_is_named_where_its_windows_fit():
    x = torch.randn(2, 1, 9, 11)  # k = 2, s = 3, p = 1: 4 x 4 windows, k apart they fit in 11 x 13
    slips = dict(ex._split_slips(x, 2, 3, 1))
    wrong = _k_apart_fits(x, 2, 3, 1)
    named = [slip for slip, tensor in slips.items() if tensor.shape == wrong.shape and torch.equal(tensor, wrong)]
    assert named == ["windows k apart: step by s (window j starts at j*s of the padded image, not j*k)"]


def _right_loop(x, k, s, p):
    padded = F.pad(x, (p, p, p, p))
    rows = (x.shape[2] + 2 * p - k) // s + 1
    cols = (x.shape[3] + 2 * p - k) // s + 1
    out = torch.empty(x.shape[0], rows * cols, x.shape[1] * k * k, dtype=x.dtype)
    for i in range(rows):
        for j in range(cols):
            out[:, i * cols + j] = padded[:, :, i * s : i * s + k, j * s : j * s + k].reshape(x.shape[0], -1)
    return out


def _right_comprehension(x, k, s, p):
    padded = F.pad(x, (p, p, p, p))
    tops, lefts = range(0, padded.shape[2] - k + 1, s), range(0, padded.shape[3] - k + 1, s)
    return torch.stack([padded[:, :, i : i + k, j : j + k].flatten(1) for i in tops for j in lefts], dim=1)


def _right_fancy_index(x, k, s, p):
    padded = F.pad(x, (p, p, p, p))
    rows = torch.arange(0, padded.shape[2] - k + 1, s)[:, None] + torch.arange(k)  # (R, k)
    cols = torch.arange(0, padded.shape[3] - k + 1, s)[:, None] + torch.arange(k)  # (Q, k)
    win = padded[:, :, rows[:, None, :, None], cols[None, :, None, :]]  # (B, C, R, Q, k, k)
    return win.permute(0, 2, 3, 1, 4, 5).reshape(x.shape[0], rows.shape[0] * cols.shape[0], -1)


@pytest.mark.parametrize("right", [_right_loop, _right_comprehension, _right_fancy_index])
def test_8_right_answers_still_pass(right, capsys):
    ex.check_my_soft_split(right)
    assert capsys.readouterr().out.startswith("Correct!")


# ---- from test_lesson02_fix_20e.py ----


def test_4_widget_neighbour_frames_show_on_the_coverage_shading():
    from vit_explained.widgets.lesson02 import soft_split_widget

    explorer = soft_split_widget(kernel=20, stride=15, padding=0, height=60, width=100, coverage=True)
    _, fig = explorer.compute(**explorer.values)
    frames = [p for p in fig.axes[0].patches if p.get_gid() == "frame"]
    colours = sorted(matplotlib.colors.to_hex(p.get_edgecolor()) for p in frames)
    assert colours == ["#000000", "#ff00ff", "#ffffff"] and all(p.get_linewidth() >= 3 for p in frames)
    caption = fig.axes[0].get_xlabel().replace("\n", " ")
    assert "white: its right neighbour" in caption and "thick black: its lower neighbour" in caption
    plain = soft_split_widget(kernel=20, stride=15, padding=0, height=60, width=100)
    _, fig = plain.compute(**plain.values)
    assert not any(p.get_gid() == "frame" for p in fig.axes[0].patches)


# ---- from test_lesson02_fix_22a.py ----


def test_4_photo_zoom_has_a_fixed_grey_scale_and_a_heavy_outline():
    from matplotlib.patches import Rectangle

    from vit_explained.images import sample_image
    from vit_explained.plotting.lesson02 import plot_edge_on_photo

    rim = [(row, col) for row in (57, 58) for col in range(94, 98)]
    fig = plot_edge_on_photo(sample_image(224), rim)
    zoom = fig.axes[1]
    assert zoom.images[0].get_clim() == (0, 1)  # row 57 (about 0.2) shows as dark, not mid-grey
    cyan = [p for p in zoom.patches if isinstance(p, Rectangle) and p.get_edgecolor()[:3] == (0.0, 1.0, 1.0)]
    assert len(cyan) == 8 and all(p.get_linewidth() >= 2.5 for p in cyan)


# ---- from test_lesson02_fix_22e.py ----


def test_item_4_the_stride_rule_is_derived_and_swept():
    row = nb.unique_index(nb.sources(LESSON), "In short: a split whose kernel")
    text = nb.flat(nb.sources(LESSON)[row])
    assert "Why: with `n = m·s` the count is `m + floor((2p - k) / s) + 1`, and that floor is -1 exactly when" in text
    check = nb.sources(LESSON)[row + 2]
    assert "(tokens_along(n, k, s, p) == n // s) == (1 <= k - 2 * p <= s)" in check
    assert all(
        (tokens_along(n, k, s, p) == n // s) == (1 <= k - 2 * p <= s)
        for s in range(1, 5)
        for n in range(s, 25, s)
        for k in range(1, 9)
        for p in range(k)
        if k <= n + 2 * p
    )


def test_item_8_the_gif_image_panel_is_larger():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from vit_explained.images import sample_image
    from vit_explained.plotting import new_figure
    from vit_explained.plotting.lesson02 import _FrameDrawer

    fig = new_figure(figsize=(7.44, 2.88), dpi=145)  # soft_split_frames' size: 1078 x 417 pixels
    FigureCanvasAgg(fig)
    drawer = _FrameDrawer(sample_image((60, 100), grayscale=True), 20, 10, 5, fig)
    fig.canvas.draw()
    left = drawer.left.get_position()  # after the equal aspect: the drawn image
    assert left.width >= 0.5 and left.height >= 0.8, left  # was 0.42 of the width, 0.69 of the height


# ---- from test_lesson02_fix_23b.py ----


def _text(path, text: str) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, text)])


def _gaps_only(n, k, s, p):  # the reviewer's answer: the gaps, not the pixels past the last window
    return [i for i in range(n) if (i + p) % s >= k]


def test_item_5_gaps_only_answer_is_told_it_misses_the_end():
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(_gaps_only)
    message = str(failed.value)
    assert "you miss the pixels past the last window: the floor drops the last r" in message
    assert "of the padded side" in message and "it is not rounded up" in message  # 17c's message kept


def test_item_8_stem_docstring_names_the_commits_as_note_1():
    doc = " ".join(inspect.getdoc(soft_split.OriginalT2TStem).split())
    assert "at master, commit ``0f63dc9`` (the file is unchanged since ``0a64ffc``, June 2021)" in doc
    assert "master ``0a64ffc``" not in doc
    note = _text(LESSON, "**Note 1: versions**")
    assert "(the file is unchanged since `0a64ffc`, June 2021)" in note and "0f63dc9" in note


# ---- from test_lesson02_fix_23d.py ----

TWO_D = "return a 1-D list of pixel indices"


@pytest.mark.parametrize(
    "answer",
    [
        lambda n, k, s, p: torch.zeros(2, 2),
        lambda n, k, s, p: np.zeros((3, 1), dtype=int),
        lambda n, k, s, p: torch.tensor(ex.lost_pixels_reference(n, k, s, p)).reshape(1, -1),
    ],
)
def test_item_1_a_2d_answer_is_told_to_be_1d(answer):
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(answer)
    message = str(failed.value)
    assert TWO_D in message and "names a pixel twice" not in message


def _covered(n, k, s, p):
    pixels = set()
    for start in window_starts(n, k, s, p):
        pixels |= set(range(start - p, start - p + k))
    return pixels


@pytest.mark.parametrize(
    "answer",
    [
        lambda n, k, s, p: [i for i in range(n) if i not in _covered(n, k, s, p)],  # a list
        lambda n, k, s, p: torch.tensor(sorted(set(range(n)) - _covered(n, k, s, p)), dtype=torch.long),  # 1-D
        lambda n, k, s, p: np.flatnonzero([i not in _covered(n, k, s, p) for i in range(n)]),  # a 1-D array
    ],
)
def test_item_1_right_answers_still_pass(answer, capsys):
    ex.check_lost_pixels(answer)
    assert "match a window-by-window count" in capsys.readouterr().out


def test_item_6_module_figure_names_its_variant():
    from vit_explained.plotting.lesson02 import plot_t2t_module

    title = plot_t2t_module(224, 224, 3, token_dim=64, embed_dim=384).axes[0].get_title()
    assert "The T2T module (T2T-ViT_t-14; T2T-ViT-14 uses Performers, same shapes)" in title
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    figure = nb.unique_index(sources, "fig = plot_t2t_module(224, 224, 3")
    check = sources[figure + 1]
    assert nb.hidden(cells[figure + 1])
    assert "tokens_type='performer', embed_dim=384" in check and "tokens_type='transformer', embed_dim=384" in check
    assert "T2T-ViT_t-14; T2T-ViT-14 uses Performers, same shapes" in check


def test_item_2_the_k_minus_2p_above_s_case_is_named_and_checked():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    rule = nb.unique_index(sources, "In short: a split whose kernel")
    text = nb.flat(sources[rule])
    assert "With `k - 2p > s` the floor is -2 or less (60 pixels, (20, 15, 0): 3 windows, not 4)." in text
    assert "a window off even then" not in text
    assert "60 pixels, (20, 15, 0): 3 windows, not 60 // 15 = 4" in nb.printed(cells[rule + 1])
    assert nb.hidden(cells[rule + 2]) and "tokens_along(60, 20, 15, 0) ==" in sources[rule + 2]
    assert tokens_along(60, 20, 15, 0) == len(window_starts(60, 20, 15, 0)) == 3 and 20 - 2 * 0 > 15


# ---- from test_lesson02_fix_k.py ----


def test_fractional_padding_message_allows_whole_floats():
    with pytest.raises(ExerciseFailed) as failure:
        lesson02.check_split_for_grid(lambda size, grid: (size // grid + 2, size // grid, 0.5))
    message = str(failure.value)
    assert "the padding is the float 0.5" in message
    assert "an int, or a float such as 1.0" in message


def test_whole_float_padding_passes():
    lesson02.check_split_for_grid(lambda size, grid: (2 * (size // grid) - 1, size // grid, float(size // grid - 1)))


# ---- from test_lesson02_fix_l.py ----


@pytest.mark.parametrize(("n", "divides"), [(2500, True), (2240, False), (2450, True)])
def test_lucidrains_near_square_reshape_needs_h_to_divide_n(n, divides):
    """rearrange('b (h w) c -> b c h w', h=int(sqrt(n))): w = n / h, so 2450 tokens pass as 49 x 50, not a square."""
    h = int(math.sqrt(n))
    tokens = torch.zeros(1, n, 2)
    if divides:
        assert tokens.transpose(1, 2).reshape(1, 2, h, -1).shape == (1, 2, h, n // h)
    else:
        with pytest.raises(RuntimeError):
            tokens.transpose(1, 2).reshape(1, 2, h, -1)


# ---- from test_lesson02_fix_n.py ----


def test_gif_frames_are_larger():
    frames = plots.soft_split_frames(torch.rand(1, 60, 100), 20, 10, 5, max_frames=2)
    assert frames[0].shape[:2] == (417, 1078)  # 1.5 x the 279 x 721 of fix round m


def test_window_grid_veils_the_shared_strips():
    fig = plots.plot_window_grid(torch.zeros(1, 30, 50), 10, 5, 2)
    ax = fig.axes[0]
    veils = [p for p in ax.patches if p.get_gid() == "overlap-veil"]
    strips = [p for p in ax.patches if p.get_gid() == "overlap"]
    assert len(veils) == len(strips) == 2
    assert all(matplotlib.colors.to_hex(p.get_facecolor()) == "#ffffff" for p in veils)
    assert all(ax.patches.index(v) < ax.patches.index(s) for v, s in zip(veils, strips, strict=True))  # under
    assert ax.xaxis.label.get_fontsize() >= 10
    plt.close(fig)


# ---- from test_lesson02_fix_o.py ----


def loop_split(x, k, s, p, *, cols_from_height=False):
    """The solutions notebook's loop; ``cols_from_height`` makes the column loop run over the height."""
    padded = F.pad(x, (p, p, p, p))
    height, width = padded.shape[-2:]
    windows = [
        padded[:, :, top : top + k, left : left + k].flatten(1)
        for top in range(0, height - k + 1, s)
        for left in range(0, (height if cols_from_height else width) - k + 1, s)
    ]
    return torch.stack(windows, dim=1)


def test_hard_coded_padding_is_named_not_the_plus_one():
    """p = 1 hard-coded passes the first case, then on (2, 3, 15, 11, 7, 4, 2) makes as many windows as a missing
    + 1 would: the hint names the padding, since the values are not the right tokens minus the last start."""
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_my_soft_split(lambda x, k, s, p: loop_split(x, k, s, 1))
    message = str(failed.value)
    assert "k=7, s=4, p=2" in message and "you padded 1, not the argument p = 2" in message
    assert "last start is missing" not in message and "F.pad" not in message


def test_missing_plus_one_is_still_named():
    images = torch.randn(1, 2, 8, 10)
    right = loop_split(images, 4, 3, 0)
    short = right.unflatten(1, (2, 3))[:, :2, :2].flatten(1, 2)
    assert ex._count_slip(short, images, (4, 3, 0)).startswith("the last start is missing")
    padded_other = loop_split(images, 4, 3, 1)
    assert ex._count_slip(padded_other, images, (4, 3, 0)).startswith("you padded 1, not the argument p = 0")


def test_column_loop_over_the_height_is_named():
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_my_soft_split(lambda x, k, s, p: loop_split(x, k, s, p, cols_from_height=True))
    assert "your column loop uses the height" in str(failed.value)


def test_a_count_matching_neither_slip_gets_the_formula():
    images = torch.randn(1, 1, 8, 10)
    assert "round down" in ex._count_slip(torch.randn(1, 4, 16), images, (4, 3, 0))


def test_window_grid_numbers_sit_at_top_left_corners_without_centre_dots():
    import matplotlib.pyplot as plt

    from vit_explained.plotting.lesson02 import plot_window_grid

    fig = plot_window_grid(torch.rand(1, 60, 100), 20, 10, 5)
    ax = fig.axes[0]
    assert not ax.collections  # no centre dots: only the three framed windows are marked
    places = {text.get_text(): text.get_position() for text in ax.texts}
    assert places == {"0": (-0.1, -0.1), "1": (9.9, -0.1), "10": (-0.1, 9.9)}
    assert "shared by all three" in [text.get_text() for text in ax.get_legend().get_texts()]
    plt.close(fig)


# ---- from test_lesson02_fix_r.py ----

ROOT = Path(__file__).resolve().parents[1]


def test_checker_points_to_a_section_that_exists():
    heading = "Non-square images and the original code"
    assert any(nb.source(c).startswith(f"### {heading}") for c in nb.cells(LESSON))

    def divides(height, width, splits):  # the img_size // 16 slip: each side divided by the strides
        for _, stride, _ in splits:
            height, width = height // stride, width // stride
        return height, width

    with pytest.raises(ExerciseFailed, match=f"'{heading}'"):
        ex.check_final_grid(divides)


def test_edge_on_photo_is_cut_by_a_patch_border_and_held_by_one_window():
    rim = [(row, col) for row in (57, 58) for col in range(94, 98)]
    assert plots.tokens_holding(224, 224, rim, 16, 16, 0) == []
    assert plots.tokens_holding(224, 224, rim, 7, 4, 2) == [808]
    fig = plots.plot_edge_on_photo(sample_image(224), rim)
    zoom = fig.axes[1]
    legend = [text.get_text() for text in fig.legends[0].get_texts()]  # fix round x: outside the zoom
    assert legend[-1] == "soft window 808: holds it whole"
    (frame,) = [p for p in zoom.patches if p.get_edgecolor()[:3] == (1.0, 0.0, 0.0)]
    assert frame.get_xy() == (93.5, 53.5) and frame.get_width() == 7  # columns 94..100, rows 54..60
    plt.close(fig)
    with pytest.raises(ValueError, match="no window"):
        plots.plot_edge_on_photo(torch.rand(3, 32, 32), [(0, 0), (0, 20)])


def test_window_grid_has_a_lighter_photo_thick_frames_and_a_legend():
    fig = plots.plot_window_grid(torch.rand(1, 60, 100), 20, 10, 5)
    ax = fig.axes[0]
    assert ax.images[0].get_alpha() == 0.55 and ax.get_legend() is not None
    frames = [p for p in ax.patches if not p.get_fill() and p.get_gid() != "overlap" and p.get_linestyle() != "--"]
    assert frames and min(p.get_linewidth() for p in frames) >= 3
    plt.close(fig)


def test_paper_s_slip_says_use_k_minus_s():
    with pytest.raises(ExerciseFailed, match=r"use k - S as the stride") as raised:
        ex.check_split_for_grid(lambda size, grid: (2 * (size // grid) - 1, size // grid - 1, size // grid // 2))
    assert "7 - 3 = 4" not in str(raised.value)


# ---- from test_lesson02_fix_s.py ----


def test_chain_footprints_are_7_15_31():
    assert chain_footprints(T2T_SPLITS) == [Footprint(7, 4, 2), Footprint(15, 8, 6), Footprint(31, 16, 14)]
    assert chain_footprints([(16, 16, 0)]) == [Footprint(16, 16, 0)]  # ViT's patch: itself


def test_footprint_matches_the_pixels_that_reach_a_token():
    probe = torch.zeros(1, 1, 64, 64, requires_grad=True)
    reached = probe
    for (k, s, p), stage in zip(T2T_SPLITS, t2t_chain(64, 64, 1), strict=True):
        reached = tokens_to_image(SoftSplit(k, s, p)(reached).sum(-1, keepdim=True), stage.grid.rows, stage.grid.cols)
    reached[0, 0, 2, 1].backward()
    rows, cols = probe.grad[0, 0].nonzero().unbind(1)
    last = chain_footprints(T2T_SPLITS)[-1]
    assert (int(rows.min()), int(rows.max())) == (2 * 16 - last.offset, 2 * 16 - last.offset + last.size - 1)
    assert (int(cols.min()), int(cols.max())) == (16 - last.offset, 16 - last.offset + last.size - 1)


def test_footprint_figure_frames_31_and_16():
    fig = plots.plot_token_footprint(sample_image(224), (3, 6))
    boxes = [p for p in fig.axes[1].patches if p.get_width() in (31, 16)]
    assert sorted((p.get_width(), p.get_xy()) for p in boxes) == [(16, (95.5, 47.5)), (31, (81.5, 33.5))]
    plt.close(fig)


def test_gif_matrix_tints_padding_orange():
    image = torch.rand(1, 12, 12) * 0.5 + 0.25  # no black image pixel
    frame = plots.soft_split_frames(image, 4, 2, 1, max_frames=2, size=(4, 1.5), dpi=50)[-1]  # every token shown
    orange = np.array([round(0.85 * 255 * v) for v in plt.matplotlib.colors.to_rgb(plots.PADDING_COLOR)])
    right = frame[:, int(0.62 * frame.shape[1]) :].reshape(-1, 3).astype(int)  # the token matrix's panel only
    assert (np.abs(right - orange).sum(axis=1) < 30).sum() > 0


# ---- from test_lesson02_fix_w.py ----


def _brute_share(height: int, width: int, piece: tuple[int, int], kernel: int, stride: int, padding: int) -> Fraction:
    """Every placement of the piece against every window nn.Unfold cuts (windows of the numbered image)."""
    numbers = torch.arange(1, height * width + 1, dtype=torch.float64).reshape(1, 1, height, width)
    windows = SoftSplit(kernel, stride, padding)(numbers)[0].long()  # (N, k·k); 0 is padding
    holds = torch.zeros(windows.shape[0], height * width + 1, dtype=torch.bool)
    holds.scatter_(1, windows, True)  # holds[t, v]: window t holds pixel number v
    piece_h, piece_w = piece
    held = placements = 0
    for top in range(height - piece_h + 1):
        for left in range(width - piece_w + 1):
            pixels = [(top + r) * width + left + c + 1 for r in range(piece_h) for c in range(piece_w)]
            held += bool(holds[:, pixels].all(dim=1).any())
            placements += 1
    return Fraction(held, placements)


@pytest.mark.parametrize(
    ("height", "width", "piece", "split"),
    [
        (20, 23, (2, 4), (7, 4, 2)),
        (20, 23, (2, 4), (4, 4, 2)),
        (20, 23, (2, 4), (4, 4, 0)),  # round 17b: the lesson's baseline
        (32, 32, (2, 4), (16, 16, 0)),
        (17, 19, (3, 2), (3, 2, 1)),
        (17, 19, (1, 3), (3, 2, 1)),
        (21, 18, (5, 4), (7, 4, 2)),  # longer than the 4-pixel box: some placements cut
        (15, 22, (2, 2), (3, 2, 0)),  # the last row and column in no window
        (19, 16, (4, 1), (5, 3, 1)),
    ],
)
def test_share_equals_brute_force_over_every_placement(height, width, piece, split):
    assert share_held_whole((height, width), piece, *split) == _brute_share(height, width, piece, *split)


def test_the_lessons_three_shares():
    splits = ((16, 16, 0), (4, 4, 0), T2T_SPLITS[0], (4, 4, 2))  # round 17b: (4, 4, 0) is the lesson's baseline
    shares = [share_held_whole(224, (2, 4), *split) for split in splits]
    assert [round(100 * float(share), 1) for share in shares] == [77.6, 19.1, 100.0, 18.6]
    assert shares[0] == Fraction(210 * 182, 223 * 221)  # 13 borders cut 13 row and 3 x 13 column placements


def test_box_rule_and_one_pixel_more():
    for kernel, stride, padding in ((7, 4, 2), (3, 2, 1), (5, 2, 2), (9, 5, 4)):
        box = kernel - stride + 1
        for size in (40, 57, 64):
            if held_along(size, 1, kernel, stride, padding) < size:
                continue  # the rule is about images whose every pixel is in some window
            assert share_held_whole(size, (box, box), kernel, stride, padding) == 1
            assert share_held_whole(size, (box + 1, 1), kernel, stride, padding) < 1  # one pixel longer: cut somewhere


def test_share_refuses_a_piece_larger_than_the_image():
    with pytest.raises(ValueError, match="does not fit"):
        share_held_whole(10, (2, 11), 3, 2, 1)


def test_footprint_pixels_are_the_pixels_that_reach_the_token():
    last = chain_footprints(T2T_SPLITS)[-1]
    probe = torch.zeros(1, 1, 224, 224, requires_grad=True)
    reached, size = probe, 224
    for kernel, stride, padding in T2T_SPLITS:
        summed = SoftSplit(kernel, stride, padding)(reached).sum(-1, keepdim=True)
        size = (size + 2 * padding - kernel) // stride + 1
        reached = tokens_to_image(summed, size, size)
    for row, col in ((3, 6), (5, 9)):
        probe.grad = None
        reached[0, 0, row, col].backward(retain_graph=True)
        seen_rows, seen_cols = probe.grad[0, 0].nonzero().unbind(1)
        rows, cols = last.pixels(row, col)
        assert (int(seen_rows.min()), int(seen_rows.max())) == (rows[0], rows[-1])
        assert (int(seen_cols.min()), int(seen_cols.max())) == (cols[0], cols[-1])


def test_attention_caveat_in_summary_and_footprint_title():
    summary = nb.flat(nb.source(nb.cells(LESSON)[_starting("## Summary")]))  # review r20d: the footprint bullet dropped
    assert "31 x 31" not in summary
    (held,) = [
        nb.flat(nb.source(c)) for c in nb.cells(APPENDIX) if '<a id="footprint-notes"></a>' in nb.source(c)
    ]  # 22a: appendix (its own notebook since review r26b)
    assert "Between splits, the token layers' attention mixes all tokens globally." in held  # the caveat, in place
    (code,) = [c for c in nb.cells(LESSON) if "footprints = chain_footprints(T2T_SPLITS)" in nb.source(c)]
    assert ".pixels(" in nb.source(code) and ".offset" not in nb.source(code)
    from vit_explained.images import sample_image
    from vit_explained.plotting.lesson02 import plot_token_footprint

    fig = plot_token_footprint(sample_image(224), (3, 6))
    title = "the splits' windows span 31 x 31 pixels (the token layers' attention then mixes globally)"
    assert title in " ".join(fig.axes[1].get_title().split())


def test_edge_zoom_draws_the_stride_4_grid():
    from vit_explained.images import sample_image
    from vit_explained.plotting.lesson02 import plot_edge_on_photo

    rim = [(row, col) for row in (57, 58) for col in range(94, 98)]
    fig = plot_edge_on_photo(sample_image(224), rim)
    labels = [text.get_text() for text in fig.legends[0].get_texts()]  # fix round x: outside the zoom
    assert any("stride 4, padding 2" in label for label in labels)
    lines = [c for c in fig.axes[1].collections if c.get_label() == "no-overlap grid"]
    assert len(lines) == 2  # horizontal and vertical
    xs = sorted({round(float(seg[0][0]), 1) for seg in lines[1].get_segments()})
    assert all((x + 0.5 + 2) % 4 == 0 for x in xs)  # window starts -2 + 4j, in image pixels


# ---- from test_lesson02_fix_x.py ----


def _square_every_split(height, width, splits):  # the original code's reshape, after every split
    rows, cols = height, width
    for k, s, p in splits:
        rows, cols = (rows + 2 * p - k) // s + 1, (cols + 2 * p - k) // s + 1
        rows = cols = int(math.sqrt(rows * cols))
    return rows, cols


def test_a_square_reshape_after_every_split_is_named():
    with pytest.raises(ExerciseFailed, match="you reshape to a square like the original code"):
        lesson02.check_final_grid(_square_every_split)


def test_a_constant_grid_is_named():
    with pytest.raises(ExerciseFailed, match=r"you return \(14, 14\) for every chain"):
        lesson02.check_final_grid(lambda height, width, splits: (14, 14))


def test_always_square_grids_are_named():
    def square_of_the_height(height, width, splits):  # squares, but from no slip the checker lists
        rows = height
        for k, s, p in splits:
            rows = (rows + 2 * p - k) // s + 2
        return rows, rows

    with pytest.raises(ExerciseFailed, match="your grids are always square"):
        lesson02.check_final_grid(square_of_the_height)


def _loop_split_fix_x(step_by_kernel=False, first_only=False):
    def split(x, k, s, p):
        x = F.pad(x, (p, p, p, p))
        batch, _, height, width = x.shape
        step = k if step_by_kernel else s
        windows = [
            x[:, :, i : i + k, j : j + k].reshape(batch, -1)
            for i in range(0, height - k + 1, step)
            for j in range(0, width - k + 1, step)
        ]
        return torch.stack(windows[:1] if first_only else windows, 1)

    return split


def test_stepping_by_the_kernel_is_named():
    with pytest.raises(ExerciseFailed, match="you step by k, not s"):
        lesson02.check_my_soft_split(_loop_split_fix_x(step_by_kernel=True))


def test_one_window_is_singular():
    with pytest.raises(ExerciseFailed, match="you make 1 window, not ") as failure:
        lesson02.check_my_soft_split(_loop_split_fix_x(first_only=True))
    assert "1 windows" not in str(failure.value)


def test_the_loop_split_itself_passes(capsys):
    lesson02.check_my_soft_split(_loop_split_fix_x())
    assert "Correct!" in capsys.readouterr().out


def test_final_footprint_as_a_split_makes_t2t_grid_and_holds_a_16_pixel_box():
    final = chain_footprints(T2T_SPLITS)[-1]
    assert final.as_split() == (31, 16, 14)
    assert count_tokens(224, 224, *final.as_split()).total == 196
    for row in range(14):  # the split's windows are the footprints, token by token
        start = row * 16 - 14
        assert final.pixels(row, row)[0] == range(start, start + 31)
    assert share_held_whole(224, (16, 16), *final.as_split()) == 1
    assert share_held_whole(224, (17, 1), *final.as_split()) < 1  # the box, and no more
    assert round(100 * float(share_held_whole(224, (2, 4), 16, 16, 0)), 1) == 77.6


def test_figure_labels():
    from vit_explained.images import sample_image
    from vit_explained.plotting.lesson02 import plot_edge_on_photo, plot_vit_map_t2t, plot_window_grid
    from vit_explained.vit_map import trace_vit

    fig = plot_window_grid(torch.rand(1, 60, 100), 20, 10, 5)
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert "window 0" not in legend and "shared with token 0: 10 px wide" in legend
    plt.close(fig)
    rim = [(row, col) for row in (57, 58) for col in range(94, 98)]
    fig = plot_edge_on_photo(sample_image(224), rim)
    assert fig.axes[1].get_legend() is None and len(fig.legends) == 1  # outside the zoom
    plt.close(fig)
    with torch.device("meta"):
        vit = ViT(224, patch_size=16, num_classes=1000, dim=768, depth=12, heads=12, mlp_dim=3072)
        vit_map = trace_vit(vit, torch.empty(1, 3, 224, 224))
    fig = plot_vit_map_t2t(vit_map)
    assert any("(T2T-ViT-14 uses D = 384)" in text.get_text() for text in fig.axes[0].texts)
    plt.close(fig)
    with torch.device("meta"):  # round 17b: the lesson draws T2T-ViT-14's widths, and the note says so
        vit = ViT(224, patch_size=16, num_classes=1000, dim=384, depth=14, heads=6, mlp_dim=1152)
        vit_map = trace_vit(vit, torch.empty(1, 3, 224, 224))
    fig = plot_vit_map_t2t(vit_map)
    texts = [text.get_text() for text in fig.axes[0].texts]
    assert any("(drawn with T2T-ViT-14's D = 384)" in text for text in texts)
    assert not any("uses D = 384" in text for text in texts)
    plt.close(fig)


# ---- from test_lesson02_review_j.py ----


def test_wide_image_stops_at_the_first_square_reshape():
    tokens = count_tokens(224, 160, 7, 4, 2)
    assert (tokens.rows, tokens.cols, tokens.total) == (56, 40, 2240) and int(math.sqrt(tokens.total)) == 47
    with (
        torch.no_grad(),
        pytest.raises(RuntimeError, match=r"shape '\[1, 64, 47, 47\]' is invalid for input of size 143360"),
    ):
        OriginalT2TStem(img_size=224, in_chans=1, embed_dim=8)(torch.rand(1, 1, 224, 160))


def test_perfect_square_count_runs_silently():
    with torch.no_grad():
        out = OriginalT2TStem(img_size=208, in_chans=1, embed_dim=8)(torch.rand(1, 1, 400, 100))
    assert out.shape == (1, 170, 8)


def test_vendored_t2t_vit_14_uses_the_performer_at_line_213():
    path = pathlib.Path(vit_explained.__file__).parent / "_upstream" / "t2t_vit" / "t2t_vit.py"
    lines = path.read_text().splitlines()
    assert "def t2t_vit_14(" in lines[209]
    assert "tokens_type='performer'" in lines[212] and "depth=14" in lines[212]


def test_too_little_padding_names_one_pixel_in_the_singular():
    with pytest.raises(ExerciseFailed, match=r"ends at pixel 222 and pixel 223 of each side is in no window") as info:
        ex.check_split_for_grid(lambda size, grid: (size // grid + 4, size // grid, 1))
    assert "223 to 223" not in str(info.value)


def test_coverage_colour_bar_has_one_box_per_count_that_occurs():
    from vit_explained.widgets.lesson02 import soft_split_widget

    _, fig = soft_split_widget().compute(20, 15, 0, 60, 100, coverage=True)
    bar = fig.axes[1]
    assert [tick.get_text() for tick in bar.get_yticklabels()] == ["0: pixel in\nno token", "1", "2", "4"]
    (box,) = [patch for patch in bar.patches if patch.get_hatch()]  # the 0 box, red and hatched like the lost pixels
    assert box.get_hatch() == "////" and box.get_height() == 1.0  # the box of 0, from -0.5 to 0.5


def test_coverage_colour_bar_without_lost_pixels_has_no_hatched_box():
    from vit_explained.widgets.lesson02 import soft_split_widget

    _, fig = soft_split_widget().compute(20, 10, 5, 60, 100, coverage=True)
    bar = fig.axes[1]
    assert "0" not in [tick.get_text()[:1] for tick in bar.get_yticklabels()]
    assert not [patch for patch in bar.patches if patch.get_hatch()]


def test_token_0_number_sits_off_the_hatched_strips():
    from vit_explained.plotting.lesson02 import plot_window_grid

    fig = plot_window_grid(torch.rand(1, 60, 100), 20, 10, 5)
    (zero,) = [text for text in fig.axes[0].texts if text.get_text() == "0"]
    x, y = zero.get_position()
    assert x < 10 - 0.5 and y < 10 - 0.5  # left of and above the strips window 0 shares (from pixel 10 on)


def test_pixels_used_sees_through_a_final_layernorm():
    """Review r26a_02 M1: the gradient of a token's *sum* is blind after a LayerNorm (its output sums to 0 whatever
    the input), so the old ``pixels_used`` found no pixel used by ViT's ``forward_features`` (which ends in one).
    The fixed projection sees every pixel a normalised token reads, and only those, the same on every call."""
    from vit_explained.t2t import pixels_used

    image = torch.rand(1, 1, 8, 8, generator=torch.Generator().manual_seed(0), requires_grad=True)
    normed = nn.LayerNorm(64)(image.reshape(1, 64))[0]  # weight 1, bias 0: sums to 0
    (blind,) = torch.autograd.grad(normed.sum(), image, retain_graph=True)  # the old rule: the gradient of the sum
    assert float(blind.abs().max()) < 1e-5  # what the sum sees: nothing, up to rounding
    assert bool(pixels_used(normed, image).all())
    corner = nn.LayerNorm(16)(image[0, 0, :4, :4].reshape(16))  # a normalised token of the top-left 4 x 4 only
    expected = torch.zeros(8, 8, dtype=torch.bool)
    expected[:4, :4] = True
    assert torch.equal(pixels_used(corner, image), expected)
    wide = image.detach().double().requires_grad_()
    assert bool(pixels_used(nn.LayerNorm(64).double()(wide.reshape(1, 64))[0], wide).all())  # float64 tokens too
    seen = torch.rand(1, 1, 64, 64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    one_block = built_with_seed(
        0, ViT, 64, patch_size=16, num_classes=2, dim=16, depth=1, heads=2, mlp_dim=32, channels=1
    )
    token = one_block.forward_features(seen)[0, 1]  # the lesson's check: ViT's patch token 0 after one block
    first, second = pixels_used(token, seen), pixels_used(one_block.forward_features(seen)[0, 1], seen)
    assert bool(first.all()) and torch.equal(first, second)
    patch = pixels_used(one_block.patch_embedding(seen)[0, 0], seen)  # before attention: patch 0 reads its pixels
    assert int(patch.sum()) == 16 * 16 and bool(patch[:16, :16].all())

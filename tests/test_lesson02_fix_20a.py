"""Lesson 02, review r19c (round 20a): exercise 3 passes an exact float64 answer with a note, exercise 4 names the
missing last window, the centring detail lives in Going further, section 7 counts a 384 x 384 image, the chain
figure's note is in the prose only and the footprint zoom has ticks at the rows and columns the prose quotes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests import _notebook as nb
from tests.test_lesson02_soft_split_exercise import loop_split as _loop_split
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex
from vit_explained.images import sample_image
from vit_explained.plotting.lesson02 import plot_token_footprint

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "02_soft_split_token_counting_solutions.ipynb"


def _numpy_float64(x, k, s, p):  # numpy in float64 throughout, back to torch
    padded = np.pad(x.double().numpy(), ((0, 0), (0, 0), (p, p), (p, p)))
    b, _, h, w = padded.shape
    rows, cols = range(0, h - k + 1, s), range(0, w - k + 1, s)
    out = [padded[:, :, i : i + k, j : j + k].reshape(b, -1) for i in rows for j in cols]
    return torch.from_numpy(np.stack(out, axis=1))


# --- exercise 3: an exact float64 answer passes, with a note (as lesson 03's exercise 3 does)


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


# --- exercise 4: the range(-p, n + p - k, s) slip is named


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


# --- the notebook


def _markdown(path=LESSON) -> list[str]:
    return [nb.flat(nb.source(c)) for c in nb.cells(path) if c["cell_type"] == "markdown"]


def test_centring_is_in_the_optional_appendix_with_a_pointer():
    sources = nb.sources(LESSON)
    going_further = nb.unique_index(sources, "## Appendix (optional)")  # optional, after the Going further topics
    exercises = nb.unique_index(sources, "## Exercises")
    for text in ("**T2T's 7 x 7 split** on 224 pixels pads 2", "plot_window_strips(20, kernel=7", "assert pads =="):
        assert nb.unique_index(sources, text) > going_further, text
    assert nb.unique_index(sources, '<a id="centring"></a>') > going_further
    main = sources[:exercises]
    assert not any("4j + 1" in s or "centred on" in s or "pads = " in s for s in main)
    pointer = nb.unique_index(sources, "what padding 2 gives T2T's 7 x 7 split: appendix.")  # round 21a
    assert pointer < exercises and "### Where the windows sit" in sources[nb.unique_index(sources, 'id="centring"')]
    assert nb.hidden(nb.cells(LESSON)[pointer + 1]) and "math.ceil(n / 2)" in sources[pointer + 1]  # coverage check


def test_section_7_counts_384_pixels():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    code = nb.unique_index(sources, "big = t2t_chain(384, 384, 3)")
    assert code < nb.unique_index(sources, "## Summary")
    line = "384 x 384: 96 -> 48 -> 24 per side, 576 tokens, N² = 331,776 attention entries per main head, 8.64 times"
    assert line in nb.printed(cells[code])
    check = cells[code + 1]
    assert nb.hidden(check) and "[96, 48, 24]" in nb.source(check) and "331_776" in nb.source(check)
    assert "count_tokens" not in sources[code].split("big =")[1] and "t2t_chain(384" in sources[code]


def test_chain_figure_note_only_in_prose():
    sources = nb.sources(LESSON)
    figure = nb.unique_index(sources, "plot_t2t_chain(images")
    assert "note=" not in sources[figure]
    assert "the original code scrambles this image" in nb.flat(sources[figure - 1])


def test_footprint_zoom_has_the_prose_ticks():
    fig = plot_token_footprint(sample_image(224), (3, 6))
    zoom = fig.axes[1]
    assert list(zoom.get_yticks()) == [34, 64] and list(zoom.get_xticks()) == [82, 112]
    right, top = zoom.child_axes  # the patch's rows on the right, its columns on top
    assert [int(t) for t in right.get_yticks()] == [48, 63] and [int(t) for t in top.get_xticks()] == [96, 111]
    text = " ".join(_markdown())
    assert "the token's rows 34 and 64 and columns 82 and 112 (red, left and bottom)" in text
    assert "the patch's rows 48 and 63 and columns 96 and 111 (gold, right and top)" in text


def test_exercise_prose_matches_in_the_solutions():
    for path in (LESSON, SOLUTIONS):
        text = " ".join(_markdown(path))
        assert "(float64 from a float32 input passes, with a note: the values are exact)" in text
        assert "a missing `+ 1` or last window," in text

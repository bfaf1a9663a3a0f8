"""Lesson 02, fix round 18b (review 18a): "held whole" factorised in view, the costs out of section 2, the
attention caveats once, the map's legend, the widget's N², and the checkers' nits."""

import pathlib

import numpy as np
import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex
from vit_explained.widgets.lesson02 import soft_split_widget

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "02_soft_split_token_counting.ipynb"
SOLUTIONS = NOTEBOOKS / "solutions" / "02_soft_split_token_counting_solutions.ipynb"


def _cells(path: pathlib.Path = LESSON) -> list[dict]:
    return nb.cells(path)


_source = nb.source
_printed = nb.printed


def _first(start: str) -> int:
    return next(i for i, c in enumerate(_cells()) if _source(c).startswith(start))


def _hidden(cell: dict) -> bool:
    return "hide-input" in cell["metadata"].get("tags", [])


def test_held_whole_is_shown_as_row_share_times_column_share():
    cells = _cells()
    # round 19b: the appendix prints only the new rows; round 19c: ViT's 16 x 16 share is printed beside the footprint
    # round 21a: one table of controls; ViT's row factorised in its hidden check
    table = next(i for i, c in enumerate(cells) if "controls = {  # (kernel, stride, padding)" in _source(c))
    assert "(16, 16, 0)" in _source(cells[next(i for i, c in enumerate(cells) if "at_16 = {split:" in _source(c))])
    assert not any(_source(c).startswith("In short: of these") for c in cells[:table])
    rows = {line[:13].strip(): line[45:].split() for line in _printed(cells[table]).splitlines()[2:]}
    assert rows["(16, 16, 0)"][3] == "77.6%"
    check = cells[table + 1]
    assert "a row share times a column share" in _source(check)
    assert "(row_held, len(row_starts), col_held, len(col_starts)) == (210, 223, 182, 221)" in _source(check)
    assert _hidden(check) and "product == share_held_whole(224, piece, 16, 16, 0)" in _source(check)


def test_section_2_opens_with_n_squared_only():
    cells = _cells()
    heading = _first("## 2 · Counting tokens")
    assert "`N` tokens give `N²` attention entries per head" in _source(cells[heading]).replace("\n", " ")
    assert not any(word in _source(cells[heading]) for word in ("Performer", "T2T-ViT", "3136", "count_tokens"))
    assert "Take one side of 60 pixels" in _source(cells[heading])  # the strip's lead-in follows, no cost printout
    assert "plot_window_strip(60" in _source(cells[heading + 1])


def test_attention_caveat_once():
    text = [_source(c) for c in _cells() if c["cell_type"] == "markdown"]
    assert sum("attention mixes all tokens globally" in t for t in text) == 1
    assert not any("attention is ignored here" in t for t in text)
    (footprint,) = [t for t in text if "attention mixes all tokens globally" in t]
    assert "inputs come from" in footprint and footprint.startswith('<a id="footprint-notes"></a>')  # 22a: appendix


def test_widget_readout_ends_with_n_squared():
    widget = soft_split_widget(kernel=7, stride=4, padding=2, height=224, width=224)
    assert widget.line.endswith("tokens: 56 x 56 = 3136, N² = 9,834,496 attention entries per head")
    explore = _source(_cells()[_first("## 6 · Explore")])
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


def test_exercise_2_hint_says_when_half_the_kernel_pads_enough():
    hint = "gives `1.0` for `k = 3`, and it covers every pixel when `k >= 2s - 1`."  # round 19a: in a folded hint
    for path in (LESSON, SOLUTIONS):
        assert sum(hint in " ".join(_source(c).split()) for c in _cells(path)) == 1


def test_exercise_3_says_an_ndarray():
    with pytest.raises(ExerciseFailed, match=r"you returned an ndarray: return a torch\.Tensor"):
        ex.check_my_soft_split(lambda x, k, s, p: np.zeros(3))

"""Lesson 01, fix round q: exercise 4 names the square-grid slip (H == W assumed, or one side used for both)."""

import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed, lesson01


def _resize(pos, old, new, side=None, new_side=None):
    (rows, cols), (new_rows, new_cols) = old, new
    rows, cols = side or (rows, cols)
    new_rows, new_cols = new_side or (new_rows, new_cols)
    grid = pos[:, 1:].reshape(1, rows, cols, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(new_rows, new_cols), mode="bilinear", align_corners=False)
    return torch.cat([pos[:, :1], grid.flatten(2).transpose(1, 2)], dim=1)


def sqrt_side(pos, old, new):  # assumes H == W: the side from the number of patches
    side = int(math.sqrt(pos.shape[1] - 1))
    return _resize(pos, old, new, side=(side, side))


def rows_for_both_old(pos, old, new):  # h for both sides of the old grid
    return _resize(pos, old, new, side=(old[0], old[0]))


def rows_for_both_new(pos, old, new):  # h for both sides of the new grid
    return _resize(pos, old, new, new_side=(new[0], new[0]))


@pytest.mark.parametrize("slip", [sqrt_side, rows_for_both_old, rows_for_both_new], ids=lambda f: f.__name__)
def test_a_square_grid_slip_gets_its_own_message(slip):
    with pytest.raises(ExerciseFailed) as failure:
        lesson01.check_interpolate_positions(slip)
    message = str(failure.value)
    assert message.startswith("Not yet:") and "square-grid slip" in message and "2x3 grid" in message
    assert "Traceback" not in message and "RuntimeError" not in message


def test_the_right_resize_still_passes():
    lesson01.check_interpolate_positions(_resize)


def test_a_transpose_slip_keeps_its_own_message():
    def swapped(pos, old, new):  # rows and columns swapped: also right on a square grid
        return _resize(pos, old, new, side=(old[1], old[0]), new_side=(new[1], new[0]))

    with pytest.raises(ExerciseFailed) as failure:
        lesson01.check_interpolate_positions(swapped)
    assert "rows and columns are swapped" in str(failure.value)


# --- the notebook: prose before the print, the probe's range, the whole pipeline, sections 6-7 short ---
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_patches_and_embeddings.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


def _cells(path=NOTEBOOK):
    return json.loads(path.read_text())["cells"]


def _source(cell):
    return "".join(cell["source"])


def _printed(cell):
    return "".join("".join(output.get("text", "")) for output in cell.get("outputs", []))


def test_the_shuffle_numbers_come_after_their_print_and_the_probe_prints_its_range():
    cells = _cells()
    sources = [_source(c) for c in cells]
    shows = next(i for i, s in enumerate(sources) if "**What the picture shows.**" in s)
    assert "0.05" not in sources[shows] and "0.8" not in sources[shows]  # told what to look for, not the numbers
    printed = _printed(cells[shows + 2])  # round 17a: one line each; 24d: the picture cell after Eq. 1's check
    assert "with positions added after the shuffle     0.05" in printed
    appendix = _cells(NOTEBOOK.with_name("01_patches_and_embeddings_appendix.ipynb"))  # fix round w: seed 0 there
    assert any("for scale                0.8" in _printed(c) for c in appendix)  # 22c: in appendix C
    probe = next(i for i, c in enumerate(appendix) if "table_scale_probe(0)" in _source(c))
    assert "1, 3 and 10" in _source(appendix[probe - 1]) and "as large as the tokens" in _source(appendix[probe - 1])
    printed = _printed(appendix[probe])
    for line in ("table x  1: spread 0.02", "table x  3: spread 0.06", "table x 10: spread 0.20, largest change 0.10"):
        assert line in printed


def test_one_visible_cell_runs_real_digits_from_image_to_logits():
    cells = _cells(NOTEBOOK.with_name("01_patches_and_embeddings_appendix.ipynb"))  # 19b: moved to appendix F
    (cell,) = [c for c in cells if "digit_sequence = add_class_token(" in _source(c)]
    assert "hide-input" not in cell["metadata"].get("tags", [])
    printed = _printed(cell)
    for step in (
        "image                     (8, 1, 28, 28)",
        "patches                   (8, 49, 16)",
        "logits                    (8, 10)",
    ):
        assert step in printed


def test_sections_6_and_7_keep_a_short_result_and_move_the_detail_to_appendices():
    sources = [_source(c) for c in _cells()]

    def start(text):
        return next(i for i, s in enumerate(sources) if s.startswith(text))

    six, seven, eight = start("## 6 ·"), start("## 7 ·"), start("## 8 ·")
    exercise_4 = start("### Exercise 5")
    assert six < seven < eight < exercise_4
    assert not any(s.startswith("<a id=") for s in sources)  # fix round w: the appendices are a notebook of their own
    for i in range(six, eight):
        assert "<details>" not in sources[i] and "shifted_positions_study(" not in sources[i]
    appendix = [_source(c) for c in _cells(NOTEBOOK.with_name("01_patches_and_embeddings_appendix.ipynb"))]
    appendix_a = next(i for i, s in enumerate(appendix) if s.startswith('<a id="appendix-a"></a>'))
    appendix_b = next(i for i, s in enumerate(appendix) if s.startswith('<a id="appendix-b"></a>'))
    assert appendix_a < appendix_b and "shifted_positions_study(" in "".join(appendix[appendix_a:appendix_b])


def test_exercise_4_names_the_square_grid_slip_in_both_notebooks():
    def exercise_4(path):
        return next(_source(c) for c in _cells(path) if _source(c).startswith("### Exercise 5"))

    assert exercise_4(NOTEBOOK) == exercise_4(SOLUTIONS) and "a square grid assumed" in exercise_4(NOTEBOOK)

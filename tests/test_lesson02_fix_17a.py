"""Lesson 02, round 17a: section 1 in the order figure, coverage, edge case (the box rule after the formula), the
ViT-side caveat of "held whole", the order figure in section 2, a visible fold/unfold round trip, one point per cell,
plain-text exercise feedback."""

import math
import pathlib

import pytest

from tests import _notebook as nb
from tests._notebook import source as _source
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex

LESSON = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


def _printed(cell: dict) -> str:
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o["output_type"] == "stream")


def _first(text: str) -> int:
    return next(i for i, cell in enumerate(_cells()) if text in _source(cell))


def test_picture_then_formula_then_one_why_overlap_section():
    # round 17b: hard/soft picture, the formula with padding and floor, then one "Why overlap" section
    # (round 17c: the run strip and the box rule moved to Going further, tests/test_lesson02_fix_17c.py)
    order = [
        "plot_hard_soft_windows(4, 6",
        "## 2 · Counting tokens",
        "The T2T paper writes the formula with `S`",  # round 19a: at the end of the formula's prose
        "tokens_along(60, 20, 10, 5)}",
        "plot_coverage(8, 8",  # review r22b item 7: the picture first (the term defined before it)
        "def coverage(",  # round 19a: coverage defined in section 2
        "## 3 · Why overlap",
        "plot_line_on_border(",
        "**Held whole.** Call a piece",  # round 22e: the stride-4 counts moved to the appendix (checked below)
        "## 4 · Soft split vs ViT",
        "## 5 ·",
    ]
    assert [_first(text) for text in order] == sorted(_first(text) for text in order)
    assert _first("## Appendix (optional)") < _first("whole = {split: share_held_whole(224")


def test_fold_of_unfold_over_coverage_is_shown_in_the_visible_flow():
    cells = _cells()
    index = _first("fold(unfold(tiny)) / coverage")
    assert "hide-input" not in cells[index]["metadata"].get("tags", [])
    assert "nn.Fold(" in _source(cells[index]) and "nn.Unfold(" in _source(cells[index])
    assert _printed(cells[index]).strip() == "fold(unfold(tiny)) / coverage == tiny: True"


def test_held_whole_has_its_vit_side_caveat():
    cells = _cells()
    text = " ".join(_source(cells[_first("Padding alone moves the share")]).split())
    assert "A piece inside one patch is held whole too, by exactly one token" in text
    # round 19a: in the appendix now, so "like section 3's line"
    assert "A piece that crosses a border, like section 3's line, is held whole by some window" in text


def test_channel_order_is_in_section_4_next_to_the_weight_copy():
    cells = _cells()
    order = _first("**The order inside a token.**")
    assert _first("## 4 ·") < _first("by_conv = conv(x)") < order < _first("## 5 ·")  # round 17b: section 4
    assert "plot_flatten_orders(" in _source(cells[order + 1])


def test_long_cells_are_split_one_point_each():
    cells = _cells()
    conv, vit, picture = (
        _first("by_conv = conv(x)"),
        _first("by_patches = patch_linear("),
        _first("plot_window_to_token(4"),
    )
    assert len({conv, vit, picture}) == 3
    token_11, zeros, grid = _first("token_11 = padded"), _first("is_image = split("), _first("fig = plot_window_grid(")
    assert grid < token_11 < zeros and all(cells[i]["cell_type"] == "markdown" for i in (token_11 - 1, zeros - 1))


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


def test_one_stage_runs_in_section_6_and_going_further_reuses_its_module():
    cells = _cells()
    stage = _first("tokens_1 = t2t.soft_splits[0](")
    # round 18c: section 7 only counts; the stage run moved beside the rest of the chain's run, in the appendix
    # round 19b: the stage run and the rest of the chain's run are one cell (its first line is the stage)
    assert _first("## Summary") < _first('<a id="chain-run"></a>') < stage == _first("unfold_counts = [tokens_1")
    assert _printed(cells[stage]).splitlines()[0] == (
        "soft split 1: (1, 3136, 147) -> token layer (1, 3136, 64) -> image (1, 64, 56, 56)"
    )
    check = _source(cells[stage + 1])
    assert "hide-input" in cells[stage + 1]["metadata"]["tags"] and "torch.equal(stage_1[0], image_1)" in check
    assert sum("built_with_seed(0, Tokens2Token, 224, in_channels=3" in _source(cell) for cell in cells) == 1

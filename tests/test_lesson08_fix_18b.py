"""Lesson 08, fix round 18b: exercise 6 returns one tensor as exercises 2 to 4 do (a list or tuple refused by
name), names the last-row slip, and its text forbids attention_rollout; the trained rollout against an ink-only map."""

import json
from pathlib import Path

import pytest

from tests.test_lesson08_fix_17a import _as_tuples, _rolled, _rows_cols
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson08 as ex

ROOT = Path(__file__).resolve().parents[1]


def test_exercise_6_refuses_a_list_or_a_tuple_by_name():
    with pytest.raises(ExerciseFailed, match="returned a Python list, not a tensor: return one \\(B, 2\\) tensor"):
        ex.check_max_fusion_top_patch(_as_tuples)
    with pytest.raises(ExerciseFailed, match="returned a Python tuple, not a tensor"):
        ex.check_max_fusion_top_patch(lambda w, r, c: tuple(_as_tuples(w, r, c)))


def test_exercise_6_names_the_last_row_slip():
    def last_row(weights, rows, cols):
        return _rows_cols(_rolled(weights)[:, -1, 1:].argmax(-1), cols)

    with pytest.raises(ExerciseFailed, match="you read the last token's row of R, R\\[:, -1\\]: the class token is"):
        ex.check_max_fusion_top_patch(last_row)


def _cells(name):
    return json.loads((ROOT / "notebooks" / name).read_text())["cells"]


def test_exercise_6_text_forbids_attention_rollout_in_lesson_and_solutions():
    texts = [
        next("".join(c["source"]) for c in _cells(name) if "### Exercise 6" in "".join(c["source"]))
        for name in ("08_attention_maps.ipynb", "solutions/08_attention_maps_solutions.ipynb")
    ]
    assert texts[0] == texts[1]
    assert "do not call `attention_rollout`" in texts[0] and "Return one `(B, 2)` tensor, not a list" in texts[0]


def test_lesson_prints_the_trained_rollout_against_an_ink_only_map():
    source = "\n".join("".join(c["source"]) for c in _cells("08_attention_maps.ipynb"))
    appendix = "\n".join("".join(c["source"]) for c in _cells("08_attention_maps_appendix.ipynb"))
    # round 18c: the ink-only map and rollout through block 0 alone moved to appendix I; "mostly" claims gone
    assert "ink_rho = am.rank_correlation(" in appendix and "block_0_rho = am.rank_correlation(" in appendix
    assert "An ink-only map" in appendix
    assert not any("mostly the ink/blank split" in text for text in (source, appendix))
    for tic in ("What this means:", "In plain words:", "**In short:**"):
        assert tic not in source
    assert "# none faster# " not in source

"""Lesson 02's package helpers: tokens_along / window_starts, and the stored runs with their epochs."""

from __future__ import annotations

import pytest

from vit_explained import count_tokens
from vit_explained.plotting.lesson02 import stored_gaps_at_epochs
from vit_explained.soft_split import tokens_along, window_starts


@pytest.mark.parametrize("size", [5, 17, 60, 224])
@pytest.mark.parametrize(("kernel", "stride", "padding"), [(3, 2, 1), (7, 4, 2), (5, 5, 0), (4, 3, 2)])
def test_formula_equals_brute_force_and_count_tokens(size, kernel, stride, padding):
    assert tokens_along(size, kernel, stride, padding) == len(window_starts(size, kernel, stride, padding))
    assert tokens_along(size, kernel, stride, padding) == count_tokens(size, size, kernel, stride, padding).rows


TABLE = (
    "on the 10 validation digits\n\n| seed | a % | b % |\n|---|---|---|\n"
    "| 0 | 60.0 % | 50.0 % |\n| 1 | 70.0 % | 50.0 % |\n"
)


def test_stored_gaps_read_the_epochs_of_each_run(tmp_path):
    (tmp_path / "a.md").write_text("`bench.py --seeds 2 --epochs 12`\n" + TABLE)
    (tmp_path / "b.md").write_text("`bench.py --epochs 93 --seeds 2`\n" + TABLE)
    found = stored_gaps_at_epochs({"a.md": "first", "b.md": "second"}, results=tmp_path)
    assert [(gap.label, gap.items, gap.interval.n, epochs) for gap, epochs in found] == [
        ("first", 10, 2, 12),
        ("second", 10, 2, 93),
    ]
    assert round(100 * found[0][0].interval.estimate, 1) == 15.0


def test_stored_gaps_none_without_a_file_and_an_error_without_epochs(tmp_path):
    (tmp_path / "a.md").write_text(TABLE)
    assert stored_gaps_at_epochs({"missing.md": "x"}, results=tmp_path) is None
    with pytest.raises(ValueError, match="names no --epochs"):
        stored_gaps_at_epochs({"a.md": "x"}, results=tmp_path)


def test_the_lessons_stored_runs_are_found_in_a_checkout():
    found = stored_gaps_at_epochs({"t2t_overlap_control.md": "o", "t2t_stem.md": "s"})
    assert found is not None and [epochs for _, epochs in found] == [10, 93]

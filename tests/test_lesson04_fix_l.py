"""Lesson 04, fix round l: exercise 5's checker names only slips the student made."""

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import _block_macs, check_block_macs


def test_the_linears_plus_the_matrix_is_the_right_count():
    assert all(
        _block_macs(d, m, n) == _linears(d, m, n) + 2 * n * n * d for d, m, n in ((64, 256, 101), (100, 300, 50))
    )


def _message(answer) -> str:
    with pytest.raises(ExerciseFailed) as error:
        check_block_macs(answer)
    return str(error.value)


def _linears(d: int, m: int, n: int) -> int:
    return n * (4 * d * d + 2 * d * m)


def test_one_n_dropped_is_named_as_n_times_d_not_as_one_head():
    text = _message(lambda d, m, n: _linears(d, m, n) + 2 * n * d)
    assert "counted as N x D each" in text and "one head" not in text and "h = " not in text, text


def test_d_dropped_is_named_as_n_squared_not_as_one_head():
    text = _message(lambda d, m, n: _linears(d, m, n) + 2 * n * n)
    assert "counted as N^2 each" in text and "one head" not in text and "h = " not in text, text


def test_a_hard_coded_constant_gets_the_generic_message():
    text = _message(lambda d, m, n: 1_453_955_328)
    # round 18a: a constant is named as one (the same count at two sizes), still no false heads slip
    assert "for both (64, 256, 101) and (100, 300, 50)" in text and "heads" not in text, text


def test_a_huge_multiplier_gets_the_generic_message():
    text = _message(lambda d, m, n: _linears(d, m, n) + 1001 * 2 * n * n * d)
    assert "count qkv" in text and "x 1001" not in text, text


def test_a_plausible_heads_factor_is_still_named():
    text = _message(lambda d, m, n: _linears(d, m, n) + 8 * 2 * n * n * d)  # x 8 heads: 8 divides 64
    assert "x 8)" in text, text
    text = _message(lambda d, m, n: _linears(d, m, n) + 2 * n * n * d // 8)
    assert "one head only" in text and "h = 8" in text, text


def test_the_first_case_n_collides_with_no_plausible_head_count():
    text = _message(lambda d, m, n: 0)
    assert "(64, 256, 101)" in text and "heads" not in text and 101 > 64, text  # round 18a: named as a constant


def test_the_stream_widget_title_breaks_at_the_semicolons():
    from vit_explained.widgets.lesson04 import residual_stream_widget

    widget = residual_stream_widget()
    line, fig = widget.compute(16, "pre-norm", "fixed")
    title = fig._suptitle.get_text()
    assert title.replace(";\n", "; ") == line and title.count(";\n") == line.count("; ") >= 2, title

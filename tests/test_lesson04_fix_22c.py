"""Lesson 04, review r22b: the summary's post-norm slope as "no detectable trend", no ReLU number in the summary,
the warm-up curves read as they look, how to read 6b's table, where timm's version comes from, and exercise 5's
missing first residual named."""

import math
import statistics

import pytest

from tests import _notebook as nb
from tests.test_lesson04_fix_21f import _main_path
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_post_norm_block
from vit_explained.norm_placement import stored_norm_training_runs

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"
NEAR_CHANCE = 0.9 * math.log(10)


def _cell(text: str) -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, text)])


def test_summary_says_no_detectable_trend_for_post_norm() -> None:
    summary = _cell("## Summary")
    assert "post-norm's does not" not in summary
    assert "Post-norm's shows no detectable trend." in summary  # 24d: the intervals printed, not in the Summary
    assert "post-norm  L^-0.02 [-0.29, +0.26]" in nb.all_printed(LESSON)  # the interval it recalls, printed


def test_summary_recalls_no_unprinted_relu_number() -> None:
    summary = _cell("## Summary")
    assert "ReLU" not in summary and "22 of" not in summary
    assert "22 of 1,000 predictions changed" not in nb.all_printed(LESSON)  # the main path never prints it


def test_warm_up_reading_matches_the_stored_curves() -> None:
    answer = _cell("**Answer 6c.**")
    assert "delayed" not in answer and "did not prevent" not in answer
    read = "Without warm-up, post-norm's loss stayed above the dotted line; with one it dipped below, then rose back"
    assert read in answer
    assert "near its end (lr near 5e-3)" in answer
    summary = _cell("## Summary")
    assert "delayed the collapse" not in summary
    assert "Without a warm-up post-norm's loss never fell below the near-chance line" in summary
    runs = [r for r in stored_norm_training_runs()["runs"] if r["placement"] == "post-norm" and r["lr"] == 5e-3]
    assert all(min(r["losses"]) > NEAR_CHANCE for r in runs if not r["warmup_steps"])
    warmed = [r for r in runs if r["warmup_steps"]]
    assert len(warmed) == 6
    for run in warmed:
        w, losses = run["warmup_steps"], run["losses"]
        means = [statistics.mean(losses[i - 10 : i]) for i in range(10, 301)]  # means[k] ends at step k + 10
        assert min(means[int(0.8 * w) - 10 : w + 15]) < NEAR_CHANCE < statistics.mean(losses[w + 25 : w + 50])
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    check = nb.source(cells[nb.unique_index(sources, "**Answer 6c.**") - 1])
    assert nb.hidden(cells[nb.unique_index(sources, "**Answer 6c.**") - 1])
    assert "cold = [run for run" in check and "int(0.8 * w)" in check  # the lesson asserts both readings


def test_table_6b_says_how_to_read_a_row_before_the_table() -> None:
    sources = nb.sources(LESSON)
    table = sources[nb.unique_index(sources, "**6b · What makes pre-norm's fall?**")]
    rule = table.index("flat: the interval includes 0.")  # 24d: the table became one sentence per arm
    assert rule < table.index("**No final step**") < table.index("**/ 1.33**")


def test_versions_read_say_where_timm_comes_from() -> None:
    libraries = _cell("## Where the libraries differ")
    assert "timm is not installed in this project's environment" in libraries
    assert "read from its source at the v1.0.28 release, commit 8ef7380" in libraries
    assert "you could `pip install timm==1.0.28`" in libraries
    assert "transformers 5.23.0 is installed" in libraries
    assert "transformers 5.23.0" in nb.all_printed(APPENDIX)  # printed by the installed version


def test_main_path_did_not_grow() -> None:
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 56 and words <= 2660, (len(main), words)


def _first_residual_missing(x, block):
    h = block.norm1(block.attn(x))
    return block.norm2(h + block.mlp(h))


def test_post_norm_checker_names_the_missing_first_residual() -> None:
    with pytest.raises(ExerciseFailed) as error:
        check_post_norm_block(_first_residual_missing)
    assert "the first residual is missing" in str(error.value)


def _right_one_line(x, block):
    return block.norm2(block.norm1(x + block.attn(x)) + block.mlp(block.norm1(x + block.attn(x))))


def _right_named(x, block):
    after_attention = x + block.attn(x)
    h = block.norm1(after_attention)
    out = h + block.mlp(h)
    return block.norm2(out)


def _right_reused(x, block):
    x = block.norm1(x + block.attn(x))
    x = block.norm2(x + block.mlp(x))
    return x


@pytest.mark.parametrize("answer", [_right_one_line, _right_named, _right_reused])
def test_post_norm_checker_still_accepts_right_answers(answer, capsys) -> None:
    check_post_norm_block(answer)
    assert "Correct!" in capsys.readouterr().out

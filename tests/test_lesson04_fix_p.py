"""Lesson 04, fix round p: the lr 5e-3 counts per warm-up (not pooled: the warm-ups share the same seeds), the
checker's two reworded messages, the depth cell printing only the plotted lines, and the Block class shown once."""

import json
import math
from pathlib import Path

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_block_macs, check_post_norm_block
from vit_explained.norm_placement import fisher_exact, stored_norm_training_runs, training_summary

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "04_gelu_mlp_and_block.ipynb"


@pytest.mark.parametrize(
    ("table", "expected"),
    [  # scipy.stats.fisher_exact's two-sided p for the same tables
        ((9, 9, 0, 9), 2 / math.comb(18, 9)),
        ((3, 3, 0, 3), 0.1),
        ((2, 5, 1, 6), 0.5454545454545454),
        ((4, 10, 7, 9), 0.16980233388902116),
        ((0, 5, 0, 5), 1.0),
    ],
)
def test_fisher_exact_matches_known_values(table, expected):
    assert fisher_exact(*table) == pytest.approx(expected, rel=1e-12)


def test_training_summary_counts_each_warmup_and_does_not_pool_the_shared_seeds():
    summary = training_summary(stored_norm_training_runs())
    assert summary.shared_seeds == (0, 1, 2)
    lines = summary.text.splitlines()
    assert lines[-2].count("3 of 3 against 0 of 3") == 3
    assert lines[-1].startswith(
        "the warm-ups share the same 3 seeds (0, 1, 2), so this is 3 independent runs per design, not 9"
    )
    assert "pooled" not in summary.text and "p = 4e-05" not in summary.text  # one Fisher p per warm-up, never pooled


def _block_macs(dim, mlp_dim, tokens):
    return tokens * (4 * dim * dim + 2 * dim * mlp_dim) + 2 * tokens * tokens * dim


def test_block_macs_names_a_cost_that_grows_with_n_squared():
    def no_attention_matrix(dim, mlp_dim, tokens):
        return _block_macs(dim, mlp_dim, tokens) - 2 * tokens * tokens * dim

    with pytest.raises(ExerciseFailed) as error:
        check_block_macs(no_attention_matrix)
    assert "a cost that grows with N^2" in str(error.value) and "N^2 D each" not in str(error.value)


def test_post_norm_block_names_the_missing_mlp_residual():
    def no_second_residual(x, block):
        h = block.norm1(x + block.attn(x))
        return block.norm2(block.mlp(h))

    with pytest.raises(ExerciseFailed) as error:
        check_post_norm_block(no_second_residual)
    assert "the MLP half's residual is missing" in str(error.value)


def _cells():
    return [("".join(c["source"]), c) for c in json.loads(LESSON.read_text())["cells"]]


def test_depth_cell_prints_only_the_three_plotted_lines():
    appendix = json.loads(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb").read_text())["cells"]
    sources = ["".join(c["source"]) for c in appendix]  # 21a: the Welch line moved to appendix A
    cell = next(c for c, s in zip(appendix, sources, strict=True) if 'HTML(f"<details>' in s and "report.text" in s)
    text = "".join(cell["outputs"][-1]["data"]["text/html"])
    slopes = text.split("slopes of the gradient")[1].splitlines()[1:]
    assert [line.split("L^")[0].strip() for line in slopes[:2]] == ["post-norm", "pre-norm"]
    assert slopes[2].startswith("post-norm - pre-norm slope: ") and "Welch" in slopes[2]  # the timm arm: appendix B


def test_block_class_is_shown_once_folded():
    assert not any("inspect.getsource(Block)" in s for s, c in _cells())  # fix 19b: moved to appendix K
    appendix = json.loads(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb").read_text())["cells"]
    shown = [("".join(c["source"]), c) for c in appendix if "inspect.getsource(Block)" in "".join(c["source"])]
    assert len(shown) == 1
    cell = shown[0][1]
    assert "hide-input" in cell["metadata"]["tags"]
    assert "def forward" in "".join("".join(o.get("text", "")) for o in cell["outputs"])


def test_no_law_claim_left():
    prose = " ".join(s for s, c in _cells() if c["cell_type"] == "markdown")
    assert "law is Xavier's" not in prose and "Xavier's matches" not in prose

"""Lesson 05, review r20h: the MLP route of a block's qkv starts at its own block's MLP (block 3, the top block, has
a 53 % share with no block above), and lower patch tokens get gradient as queries too, not only as keys and values."""

from __future__ import annotations

from pathlib import Path

from tests import _notebook as nb

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "05_where_gradients_flow.ipynb"
SOURCES = nb.sources(LESSON)


def test_the_answer_counts_the_own_blocks_mlp():
    for anchor in ("# 05 ·", "**Answer to the question:**"):
        text = nb.flat(SOURCES[nb.unique_index(SOURCES, anchor)])
        assert "the MLPs of the blocks above" not in text
    answer = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**")])
    assert "the MLPs after it (its own block's and those of the blocks above)" in answer
    # 22c: cell 0 names the own block's MLP in its trained line (the MLP share's wording moved to the Answer)
    assert "Its own block's MLP route carries 61 % (seed 0, the shipped model)." in nb.flat(
        _summary_block()
    )  # 23d: moved from cell 0


def test_lower_patch_tokens_get_gradient_as_queries_too():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "Lower down, the patch tokens")])
    assert "from block 2 down, as queries too" in text  # 23c: was "further down"
    assert "only back through the attention of the blocks above" not in text


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)

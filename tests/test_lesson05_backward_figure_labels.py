"""Lesson 05: section 4's backward graph leaves dK and dW_k to exercise 5 (it must not print their formulas)."""

from vit_explained.plotting.lesson05 import plot_attention_backward


def test_the_graph_does_not_give_away_exercise_4():
    fig = plot_attention_backward()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("dK = $ ? (exercise 5)" in t for t in texts)
    assert any("dW_k = $ ?" in t for t in texts)
    assert not any(r"dS^\top Q" in t or r"dK^\top X" in t for t in texts)

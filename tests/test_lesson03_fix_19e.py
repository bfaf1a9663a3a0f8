"""Lesson 03, review r19d: section 0's several-heads result says which models it comes from (section 3's
small ViTs on scikit-learn's 8x8 digits), not the MNIST model whose heads the picture shows."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"


def test_the_several_heads_result_names_its_dataset():
    appendix = LESSON.with_name("03_attention_shapes_appendix.ipynb")  # section 0's trained half: appendix E (r20g)
    cell = next(s for s in nb.sources(appendix) if s.startswith("**Several heads, several patterns.**"))
    text = nb.flat(cell)
    assert "not measured on this MNIST model" in text  # review r19d: the result itself moved to appendix F
    assert "scikit-learn's 8x8 digits" in text

"""Lesson 05, review r19e: the N sweep changed the patch size with N (7, 4, 2 on 28 x 28 digits), so the lesson
says smaller patches raise the ratio and that these runs do not separate the token count from the token's content;
no sqrt(N) law is stated."""

from __future__ import annotations

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"


def test_the_token_sweep_is_read_as_a_patch_size_sweep():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    at = next(i for i, s in enumerate(sources) if s.startswith("Hundreds of times holds at D = 32 only"))
    text = nb.flat(sources[at])
    assert "It grows with the token count N" not in text and "sqrt N" not in text and "2.9 times" not in text
    assert "Smaller patches on 28 x 28 digits raise it" in text
    assert "these runs do not say which of the two raises it" in text
    check = sources[at - 1]
    assert "(197 / 17) ** 0.5" not in check
    assert "max(by_tokens[17]) < min(by_tokens[50]) <= max(by_tokens[50]) < min(by_tokens[197])" in check

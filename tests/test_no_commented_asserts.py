"""No notebook cell has an `assert` swallowed by a comment.

A check cell whose newline went missing (`x = 1  # the text's valueassert y > 0`) still runs
green: the assertion is part of the comment and never executes. The stored notebooks are read with
Python's tokenizer, so `assert` inside a string or a real statement is not counted.
"""

from __future__ import annotations

import io
import tokenize

import pytest

from tests import _notebook as nb

NOTEBOOKS = sorted(nb.NOTEBOOKS.glob("**/*.ipynb"))


def commented_asserts(code: str) -> list[str]:
    """The comments in `code` that contain an assert statement's text."""
    lines = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    return [
        token.string
        for token in tokenize.generate_tokens(io.StringIO(lines).readline)
        if token.type == tokenize.COMMENT and "assert " in token.string
    ]


def test_the_rule_sees_a_swallowed_assert():
    assert commented_asserts("x = 1  # the text's valueassert x > 0\n")
    assert not commented_asserts("assert x > 0  # the text's value\ny = 'assert z'\n")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_assert_is_inside_a_comment(path):
    found = [
        (index, comment)
        for index, cell in enumerate(nb.cells(path))
        if cell["cell_type"] == "code"
        for comment in commented_asserts(nb.source(cell))
    ]
    assert not found, f"{path.name}: an assert inside a comment never runs: {found}"

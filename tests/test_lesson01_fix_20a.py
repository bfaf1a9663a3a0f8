"""Lesson 01, review r19d_01's items 3-9: each fails on the notebook before this fix (commit 1606f54)."""

from __future__ import annotations

import pytest
import torch
from einops import repeat

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_build_z0
from vit_explained.vit import add_class_token

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


# --- item 5: exercise 2, build z0 (Eq. 1) -------------------------------------------------------------------


def _by_slices(tokens: torch.Tensor, class_token: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
    batch, patches, dim = tokens.shape
    z0 = torch.empty(batch, patches + 1, dim, dtype=tokens.dtype)
    z0[:, 0] = class_token[0, 0]
    z0[:, 1:] = tokens
    return z0 + pos


RIGHT = {
    "torch.cat": lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1), t], dim=1) + p,
    "einops repeat": lambda t, c, p: torch.cat([repeat(c, "1 n d -> b n d", b=t.shape[0]), t], 1) + p,
    "new tensor + slices": _by_slices,
    "float64": lambda t, c, p: (torch.cat([c.repeat(t.shape[0], 1, 1), t], 1) + p).double(),
    "positions split, then cat": lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1) + p[:, :1], t + p[:, 1:]], 1),
}


@pytest.mark.parametrize("name", RIGHT)
def test_build_z0_right_answers_written_differently_pass(name):
    check_build_z0(RIGHT[name])


WRONG = {
    "class token added, not prepended": (lambda t, c, p: t + c + p[:, 1:], "is added to the patch tokens instead"),
    "positions added before the cat": (
        lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1), t + p], 1),
        "positions added before the cat",
    ),
    "no expand for B > 1": (lambda t, c, p: torch.cat([c, t], 1) + p, "class_token.expand(B, -1, -1)"),
    "class token last": (lambda t, c, p: torch.cat([t, c.expand(t.shape[0], -1, -1)], 1) + p, "class token is last"),
    "a list returned": (lambda t, c, p: [c.expand(t.shape[0], -1, -1) + p[:, :1], t + p[:, 1:]], "returned a list"),
    "positions forgotten": (lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1), t], 1), "positions are missing"),
    "class row without its position": (
        lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1), t + p[:, 1:]], 1),
        "class token got no position",
    ),
    "the package's add_class_token": (add_class_token, "your function called vit_explained.vit.add_class_token"),
    "float16": (lambda t, c, p: (torch.cat([c.expand(t.shape[0], -1, -1), t], 1) + p).half(), "narrower dtype"),
}


@pytest.mark.parametrize("name", WRONG)
def test_build_z0_slips_are_named(name):
    answer, words = WRONG[name]
    with pytest.raises(ExerciseFailed, match=None) as caught:
        check_build_z0(answer)
    assert words in str(caught.value), str(caught.value)


def test_build_z0_is_exercise_2_in_lesson_and_solutions():
    for path in (LESSON, SOLUTIONS):
        sources = nb.sources(path)
        titles = [s.splitlines()[0] for s in sources if s.startswith("### Exercise")]
        assert titles[1] == "### Exercise 2 · Build the encoder's input, Eq. 1", titles
        assert len(titles) == 5
        i = nb.unique_index(sources, "### Exercise 2 · Build")
        assert sources[i + 1].startswith("def build_z0(") and sources[i + 2] == "lesson01.check_build_z0(build_z0)"
    solved = nb.cells(SOLUTIONS)[nb.unique_index(nb.sources(SOLUTIONS), "lesson01.check_build_z0(build_z0)")]
    assert "Correct!" in nb.printed(solved)


def test_build_z0_in_the_course_tools():
    from tools import course

    assert "build_z0" in course.HIDDEN_CASES
    assert course.FORBIDDEN["build_z0"] == ("vit_explained.vit.add_class_token",)

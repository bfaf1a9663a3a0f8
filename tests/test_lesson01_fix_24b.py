"""Lesson 01 fixes for review r24a_01: section 6 keeps its picture and the nearest-neighbour counts (descriptive, no
test) and moves its interval lines, family bookkeeping and prediction note to appendix A, where each line prints its
level; section 8 and the Summary qualify the patch cut like a strided stem and name the paper's three section-3.1
properties; section 5 leaves the 'partly because' to appendix C and states Table 8's setting (appendix D.4); whole
sentences in sections 4 and 5; check_build_z0 accepts a numpy z0 with a note."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_build_z0

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"


def _text(start: str, path=LESSON) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, start)])


def _section_six() -> str:
    sources = nb.sources(LESSON)
    six, seven = nb.unique_index(sources, "## 6 ·"), nb.unique_index(sources, "## 7 ·")
    return nb.flat(" ".join(sources[six:seven]))


def test_item1_section_6_keeps_the_picture_and_counts_and_moves_the_statistics() -> None:
    six = _section_six()
    for moved in ("98.75", "Bonferroni", "family", "written down", "confirm = {}", "stricter correction"):
        assert moved not in six, moved
    at = nb.unique_index(nb.sources(LESSON), 'fine = stored_shifted_positions("lesson01_canvas_grid.safetensors")')
    out = nb.printed(nb.cells(LESSON)[at])
    assert "same row - neither" not in out and "an adjacent patch above, below or diagonal 10%, 3.4 of 36" in out  # 24g
    reading = _text("A table of token order only (the sinusoid line)")
    assert "These counts are descriptive, with no test (the 36 patches are not independent draws)." in reading
    assert "the trained counts lie between the 1-D (0) and the 2-D (16) reference." in reading  # 24g: the same reading
    moved = nb.sources(APPENDIX)
    at = nb.unique_index(moved, "section6_runs = {0: stored_shifted_positions(")
    assert nb.unique_index(moved, "### Section 6's interval lines") == at - 1
    assert nb.hidden(nb.cells(APPENDIX)[at + 1]) and "(0.433, 0.208, 0.654)" in moved[at + 1]


def test_item4_every_printed_interval_line_carries_its_level() -> None:
    at = nb.unique_index(nb.sources(APPENDIX), "section6_runs = {0: stored_shifted_positions(")
    lines = nb.printed(nb.cells(APPENDIX)[at]).strip().splitlines()
    assert len(lines) == 6 and all(", 98.75 % interval [" in line for line in lines)
    assert lines[0] == "8x8 s0, same row - neither: +0.433, 98.75 % interval [+0.208, +0.654]"
    for cell in nb.main_path(LESSON):  # on the main path, every printed interval names its level
        for line in nb.printed(cell).splitlines():
            if re.search(r"\[[+-]?\d+\.\d+, [+-]?\d+\.\d+\]", line):  # an interval, not a list of tokens
                assert "% interval" in line, line


def test_item3_the_patch_cut_is_qualified_and_the_papers_three_properties_named() -> None:
    eight = _text("In plain words: the patch cut follows only whole-patch shifts")
    said = "like a strided CNN stem, the patch cut is local and follows only shifts by multiples of its stride; what "
    said += "sets a ViT apart is the global attention in the layers after it."
    assert said in eight and "So the patch cut is not what sets a ViT apart" not in eight
    three = "locality, the 2-D neighbourhood structure and translation equivariance"
    assert three in eight and three in _text("## Summary")
    assert "The paper's point is a CNN's" not in nb.flat(nb.all_text(LESSON))


def test_item7_the_small_change_points_to_appendix_c() -> None:
    said = _text("Without positions, the output moves only by float32 rounding")
    assert "partly because" not in said and "appendix C tests whether a larger table moves the output more" in said


def test_item9_table_8_states_the_papers_setting() -> None:
    text = _text("### The paper's Table 8 (section 5)", APPENDIX)  # 24f: moved to appendix B
    assert "with the positions added once, after the stem" in text
    assert "a linear classifier fit on frozen features of 5 images per class (section 4.1)" in text
    assert "D.4 does not name the pre-training data" in text


def test_item6_whole_sentences() -> None:
    text = nb.flat(nb.all_text(LESSON))
    clipped_fragments = ("The picture: the `permute`", "Why above the 10 % of chance?", "Without positions, float32 r")
    for clipped in clipped_fragments:
        assert clipped not in text, clipped


def test_the_main_path_does_not_grow() -> None:
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2952


# --- item 8: a numpy z0 is accepted with a note; wrong numpy answers are refused as before ---------------------


def _right(t: torch.Tensor, c: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    return torch.cat([c.expand(t.shape[0], -1, -1), t], dim=1) + p


NOTE = "It returns numpy; the stub says torch.Tensor"


@pytest.mark.parametrize(
    "answer",
    [
        lambda t, c, p: _right(t, c, p).numpy(),
        lambda t, c, p: np.concatenate([np.repeat(c.numpy(), t.shape[0], axis=0), t.numpy()], axis=1) + p.numpy(),
        lambda t, c, p: np.asarray(torch.cat([c.repeat(t.shape[0], 1, 1), t], 1) + p, dtype=np.float64),
    ],
)
def test_item8_a_numpy_z0_passes_with_a_note(answer, capsys) -> None:
    check_build_z0(answer)
    said = capsys.readouterr().out
    assert said.startswith("Correct!") and NOTE in said


def test_item8_a_tensor_z0_gets_no_numpy_note(capsys) -> None:
    check_build_z0(_right)
    said = capsys.readouterr().out
    assert said.startswith("Correct!") and NOTE not in said


@pytest.mark.parametrize(
    "answer",
    [
        lambda t, c, p: np.concatenate([np.repeat(c.numpy(), t.shape[0], axis=0), t.numpy()], axis=1),  # no table
        lambda t, c, p: np.concatenate([t.numpy(), np.repeat(c.numpy(), t.shape[0], axis=0)], axis=1) + p.numpy(),
        lambda t, c, p: [c.expand(t.shape[0], -1, -1).numpy(), (t + p[:, 1:]).numpy()],  # a list of pieces
    ],
)
def test_item8_wrong_numpy_answers_are_refused(answer) -> None:
    with pytest.raises(ExerciseFailed, match="Not yet"):
        check_build_z0(answer)

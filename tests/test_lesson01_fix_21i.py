"""Lesson 01, review r21h: the resize is not fine-tuned (sections 7), multiples of the stride (section 8), the
summary's seeds, the stored picture described, Table 8's column, the naming aside in appendix F, exercise 1's 0-d
tensor."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_token_count

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"


def _cell(start: str, path=LESSON) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, start)])


def _main_path() -> list[dict]:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    end = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    return visible[:end]


def _main_text() -> str:
    return nb.flat("\n".join(nb.source(c) for c in _main_path() if c["cell_type"] == "markdown"))


def test_item1_both_places_say_the_resize_is_not_fine_tuned() -> None:
    seven = _cell("## 7 · Going deeper")
    assert (
        "The paper then fine-tunes at the new size; here nothing is retrained: one model, the resized table alone."
        in seven
    )
    reading = _cell("**What the accuracies show**", APPENDIX)  # 24f: moved to appendix B
    assert reading.startswith("**What the accuracies show** (one trained model;")
    said = "- **Stretched in 1-D**: without fine-tuning, 2-D bilinear beats it by +45.8 points [+41.6, +50.2]"
    assert said in reading


def test_item2_multiples_of_the_stride_with_an_8_px_shift_printed_and_checked() -> None:
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    probe = nb.unique_index(sources, "stem_gap = {shift:")
    assert "for shift in (4, 8, 1)}" in sources[probe]
    assert "0.00 at 4 px, 0.00 at 8 px, 0.32 at 1 px" in nb.printed(cells[probe])
    assert "stem_gap[8] < 1e-5" in sources[probe + 1] and nb.hidden(cells[probe + 1])
    eight = _cell("In plain words: the patch cut follows only whole-patch shifts")
    assert "the stem follows 4 and 8 px (0.00), not 1 px (0.32)" in eight
    assert "equivariant only to shifts by multiples of their stride" in eight
    assert "only to shifts by their stride" not in eight and "only shifts by its stride" not in eight
    summary = _cell("## Summary")
    assert "a strided CNN stem only shifts by multiples of its stride" in summary


def test_item3_the_summary_names_three_seeds_as_the_printed_intervals_say() -> None:
    summary = _cell("## Summary")
    readings = "### Section 6's readings beyond"  # 24f: the Summary's trained-table bullet moved to appendix A
    kept = nb.flat(next(s for s in nb.sources(APPENDIX) if s.startswith(readings)))
    assert (
        # 23c: the per-table families named in the summary
        ("weakly in 2 of 3 (fragile under appendix A's stricter correction)") in kept
    )
    assert "not shown" not in summary
    cells = nb.cells(LESSON)
    cells = nb.cells(APPENDIX)  # 24b: the interval lines moved to appendix A, each with its level
    out = nb.printed(cells[nb.unique_index(nb.sources(APPENDIX), "section6_runs = {0: stored_shifted_positions(")])
    for line in (
        "8x8 s0, same column - neither: +0.195, 98.75 % interval [+0.034, +0.371]",
        "8x8 s1, same column - neither: +0.176, 98.75 % interval [+0.004, +0.387]",
        "8x8 s2, same column - neither: +0.150, 98.75 % interval [-0.007, +0.334]",
    ):
        assert line in out  # lows above 0 on seeds 0 and 1; seed 2's interval holds 0


def test_item4_the_stored_picture_is_described_row_by_row() -> None:
    moved = nb.sources(APPENDIX)
    six = nb.flat(moved[nb.unique_index(moved, "What you should now see: in the inner maps")])
    assert (  # 24b: moved to appendix A
        "in the inner maps of rows 1, 2, 5 and 6, a bright band along the patch's row; in rows 3 and 4, a compact"
        in six
    )
    assert "in the inner maps a bright band along each patch's row" not in six


def test_item5_the_naming_aside_lives_in_appendix_f_and_the_main_path_is_shorter() -> None:
    main = _main_text()
    assert "the name ViT-S came later" not in main and "One coincidence to keep apart" not in main
    sources = nb.sources(APPENDIX)
    f, g = nb.unique_index(sources, '<a id="appendix-f">'), nb.unique_index(sources, '<a id="appendix-g">')
    aside = nb.unique_index(sources, "### The 768 coincidence, and ViT-S (section 2)")
    assert f < aside < g
    assert "T2T-ViT's ViT-S/16 is another model, 8 blocks of width 768" in nb.flat(sources[aside])
    lesson = nb.sources(LESSON)
    assert (
        "# a patch's 768 numbers = ViT-B/16's D by coincidence: appendix F"
        in lesson[nb.unique_index(lesson, "P, D = 16")]
    )
    main_path = _main_path()
    words = sum(len(nb.source(c).split()) for c in main_path if c["cell_type"] == "markdown")
    assert len(main_path) <= 50 and words <= 2981
    pictured = _cell("Now the numbers. Each route gets the kernel in its own layout")  # 24b: whole sentences
    assert "The picture shows the `permute` forgotten on the *kernel*; section 3 forgot it on the *image*." in pictured
    assert "(vertical axis; section 3 forgot" not in pictured


def test_item7_table_8_column_and_learned_2d() -> None:
    text = _cell("### The paper's Table 8 (section 5)", APPENDIX)  # 24f: moved to appendix B
    # 24b: the same facts in whole sentences, with the paper's setting (D.4 names no pre-training data set)
    assert "The paper's Table 8 (appendix D.4) compares it with other choices on ViT-B/16" in text
    caption = '"Results of the ablation study on positional embeddings with ViT-B/16 model evaluated on ImageNet '
    caption += '5-shot linear"'
    assert '(its "Default/Stem" column). Its caption reads ' + caption in text  # 24d: the caption quoted
    assert "learned 2-D and relative embeddings" in text and "2-D-aware" not in text


def _count(h: int, w: int, ph: int, pw: int) -> int:
    return (h // ph) * (w // pw) + 1


@pytest.mark.parametrize(
    "answer",
    [
        lambda *a: torch.tensor(_count(*a)),  # torch.tensor(197), 0-d int64
        lambda h, w, ph, pw: torch.tensor(h // ph, dtype=torch.int32) * (w // pw) + 1,  # computed in torch, int32
        lambda *a: np.array(_count(*a)),  # a 0-d numpy array, as numpy.int64 passes
    ],
)
def test_item6_exercise_1_accepts_a_0d_integer_tensor(answer, capsys) -> None:
    check_token_count(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda h, w, ph, pw: torch.tensor((h // ph) * (w // pw)), "forgot the class token"),
        (lambda h, w, ph, pw: torch.tensor((h // ph) * (w // pw) + 2), "a ViT has one, the class token"),
        (lambda *a: torch.tensor(float(_count(*a))), r"the float 197\.0"),
        (lambda *a: torch.tensor([_count(*a)]), r"not a tensor or array: .* of shape \(1,\)"),
        (lambda *a: torch.tensor(True), "bool"),
    ],
)
def test_item6_a_0d_tensor_slip_is_still_named(answer, message) -> None:
    with pytest.raises(ExerciseFailed, match=message):
        check_token_count(answer)

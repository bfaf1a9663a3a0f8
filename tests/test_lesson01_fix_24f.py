"""Lesson 01, review r24e_01: the Summary states section 5's measured numbers and drops the appendix-only bullet
(kept in appendix A); section 6 names the far-corner red dots; Eq. 1's (p1 p2 c) is the paper's code's order;
exercise 4's checker notes a numpy answer as exercise 2's does; exercise 1's timm aside lives in appendix E;
section 5's Table 8 paragraph and section 7's interval bullets moved to appendix B;
the shuffle's invariance is scoped to eval mode."""

from __future__ import annotations

import numpy as np
import pytest

from tests import _notebook as nb
from vit_explained.exercises.lesson01 import check_conv_to_linear

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


def _text(start: str, path=LESSON) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, start)])


def _main_path_markdown() -> str:
    return nb.flat("\n".join(nb.source(c) for c in nb.main_path(LESSON) if c["cell_type"] == "markdown"))


def test_item1_the_summary_states_the_shuffle_numbers_and_drops_the_appendix_bullet() -> None:
    summary = _text("## Summary")
    assert "A trained table" not in summary
    bullet = next(b for b in summary.split("- **") if b.startswith("Positions (5)"))
    said = (
        "shuffling a trained MNIST ViT's patches takes it from 97.4 % to 21.8 % of 1,000 test digits right (seed 0's "
        "permutation; 19.4-32.6 % over ten seeds), and with its table zeroed it gets 27.7 %, shuffled or not."
    )
    assert said in bullet
    printed = nb.flat(nb.all_printed(LESSON))
    for number in ("unshuffled 97.4 %", "patches shuffled 21.8 %", "19.4 % to 32.6 % right", "unshuffled 27.7 %"):
        assert number in printed, number
    assert "ten permutations (seeds 0-9)" in printed and "shuffled 27.7 %; 0 verdicts differ" in printed
    kept = _text("### Section 6's readings beyond the nearest neighbours", APPENDIX)
    assert "- **A trained table (appendix A):** in the three 8x8 runs, same-row positions" in kept


def test_item4_section_6_names_the_far_corner_red_dots() -> None:
    six = _text("A table of token order only (the sinusoid line)")
    said = "The border patches' red dots sit elsewhere on the border, some at a far corner; "
    said += 'appendix A\'s "Why a border cluster?" measures such a cluster on the centred-digit model.'
    assert said in six and "(01_patches_and_embeddings_appendix.ipynb#appendix-a)" in six
    assert any(s.startswith("### Why a border cluster?") for s in nb.sources(APPENDIX))


def test_item7_eq1_table_says_the_order_is_the_papers_code() -> None:
    table = _text("In the paper's symbols, its Eq. 1:")
    assert "the text does not fix the order, the JAX code's HWIO kernel gives `(p1 p2 c)` |" in table  # 24g
    assert "weight in the `(p1 p2 c)` layout, transposed" not in table
    assert "HWIO" in _text("### Why `(p1 p2 c)` is the paper's $E$", APPENDIX)


NOTE = "It returns numpy; the stub says torch.Tensor"


@pytest.mark.parametrize(
    "answer",
    [
        lambda weight: weight.numpy().transpose(0, 2, 3, 1).reshape(weight.shape[0], -1),
        lambda weight: np.ascontiguousarray(np.moveaxis(weight.numpy(), 1, -1)).reshape(weight.shape[0], -1),
        lambda weight: weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1).double().numpy(),
    ],
)
def test_item8_a_numpy_weight_passes_with_exercise_2s_note(answer, capsys) -> None:
    check_conv_to_linear(answer)
    said = capsys.readouterr().out
    assert said.startswith("Correct!") and NOTE in said


def test_item8_a_tensor_weight_gets_no_numpy_note(capsys) -> None:
    check_conv_to_linear(lambda weight: weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1))
    said = capsys.readouterr().out
    assert said.startswith("Correct!") and NOTE not in said


def test_item9_exercise_1_points_to_appendix_e_for_timm() -> None:
    for path in (LESSON, SOLUTIONS):
        exercise = _text("### Exercise 1 · Count the tokens", path)
        assert "strict_img_size" not in exercise and "dynamic_img_pad" not in exercise
        assert "(appendix E: an image the patch does not divide)" in exercise
    divide = nb.flat(nb.all_text(APPENDIX))
    assert "`strict_img_size=False` it asserts only that the patch divides each side" in divide


def test_item3_table_8_and_the_interval_bullets_leave_the_main_path() -> None:
    shuffle = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "Shuffling the patches costs the trained model")]
    (table8,) = [nb.flat(p) for p in shuffle.split("\n\n") if p.startswith("**What the paper found.**")]
    assert table8.count(". ") <= 1 and "Its caption reads" not in table8  # two sentences
    assert "(64.0 % each, against 64.2 %; no error bars reported)" in table8 and "2.8 points lower (61.4 %)" in table8
    assert "for any weights in eval mode (training's dropout breaks it)" in nb.flat(shuffle)
    moved = _text("### The paper's Table 8 (section 5)", APPENDIX)
    assert "Its caption reads" in moved and "Our 27.7 % is not comparable" in moved
    reading = _text("**In one sentence** (one trained model;")
    assert reading.count(". ") == 1 and "[-2.6, +0.5]" not in reading  # one sentence, then the appendix pointer
    main = _main_path_markdown()
    assert "**What the accuracies show**" not in main and "Resized in 2-D" not in main
    assert "- **Resized in 2-D.**" in _text("**What the accuracies show**", APPENDIX)
    cells = nb.main_path(LESSON)
    assert len(cells) <= 50 and nb.markdown_words(cells) <= 2_766, (len(cells), nb.markdown_words(cells))


def test_the_zeroed_table_control_still_prints_what_the_bullet_says() -> None:
    at = nb.unique_index(nb.sources(LESSON), "off_plain, off_shuffled = (")
    out = nb.printed(nb.cells(LESSON)[at])
    assert "unshuffled 27.7 %, shuffled 27.7 %; 0 verdicts differ" in out

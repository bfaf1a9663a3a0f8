"""Lesson 06, fresh review 17d: wording and order fixes, the checks named "Check 1" to "Check 6"."""

from pathlib import Path

import nbformat

from tests import _notebook as nb

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "06_train_a_vit_solutions.ipynb"


def _cells(path=LESSON):
    return nbformat.read(path, as_version=4).cells


def _markdown(path=LESSON) -> str:
    return "\n".join(c.source for c in _cells(path) if c.cell_type == "markdown")


def test_feature_plane_groups_and_validation_loss_level():
    text = _markdown()
    assert "one group per digit" not in text
    # review 18a: 3 is separate; 19b: 4 only sits next to 5 and 8; 24f: 3 touches only 0 (the printed mix-ups)
    assert "9 overlaps 0 and 2, 3 touches 0; 5 and 8 overlap, with 4 next to them" in nb.flat(text)
    assert "falls every epoch" not in text and "levels off at 0.70" in text


def test_sigma_squared_is_printed_after_the_prose_introduces_it():
    cells = _cells()
    intro = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "variance $\\sigma^2$" in c.source)
    printed = next(i for i, c in enumerate(cells) if c.cell_type == "code" and "sigma^2 / 2 =" in c.source)
    assert intro < printed


def test_checks_are_named_check_1_to_6():
    text = _markdown()
    for n in range(1, 7):
        assert f"**Check {n} · " in text and f"**{n} · " not in text
    assert "So section 3's 40 steps" not in text


def test_gap_printed_where_it_is_stated_and_sign_test_per_model():
    text = _markdown()
    assert "Why accuracy hides it** below" not in text
    printed = "\n".join(o.get("text", "") for c in _cells() if c.cell_type == "code" for o in c.get("outputs", []))
    assert "training minus validation accuracy at the end 10.6, 13.9, 16.1 points" in printed
    # round 18a: the sign tests moved to appendix C (#stopping), printed and stated there
    appendix = LESSON.with_name("06_train_a_vit_appendix.ipynb")
    printed = "\n".join(o.get("text", "") for c in _cells(appendix) if c.cell_type == "code" for o in c.outputs)
    assert "per model, 3 of 3, p = 0.25 each" in printed and "pools the 3 ViT and\n3 CNN-8 runs" in _markdown(appendix)


def test_exercise_2_names_the_checkers_optimizer_in_lesson_and_solutions():
    sentence = "Fix that, and with the checker's SGD with momentum, the losses fall, then climb."
    assert sentence in _markdown() and sentence in _markdown(SOLUTIONS)


def test_hedged_stopping_sentence_split():
    text = _markdown()
    assert "a hint (per model, the" not in text
    pointer = "[appendix C](06_train_a_vit_appendix.ipynb#stopping)"
    # r19d: the summary keeps one number per bullet; the pooled sign test lives in appendix C, the prose points there
    # round 21b: the sign test is named in appendix C itself; the lesson keeps the pointer
    # review r21i: the sentence moved to appendix C (#stopping); the lesson keeps the pointer
    assert pointer in text and "lowest-loss epoch (all 6 runs)" in nb.flat(
        nb.all_text(ROOT / "notebooks" / "06_train_a_vit_appendix.ipynb")
    )


def test_one_correction_family_of_20_stated_in_section_5():
    text = _markdown()
    # review 18b: the family; r19d: one family of 20 declared in section 5, the box names no level
    # round 21b: tightened to the box's rule and section 5's one-line family
    assert "widens each to a **corrected** interval and states its level" in " ".join(text.split())
    assert "Section 5 makes 20 comparisons (most of them in" in " ".join(text.split())
    assert "**corrected** here means 1 − 0.05/20 = 99.75 % for each" in " ".join(text.split())
    assert "1 − 0.05/18" not in text and "Bonferroni" not in text  # explained in appendix D only
    assert "for 17" not in text
    printed = "\n".join(o.get("text", "") for c in _cells() if c.cell_type == "code" for o in c.get("outputs", []))
    assert "corrected (99.75%) [+0.8, +5.0]: ahead" in printed
    appendix = _markdown(ROOT / "notebooks" / "06_train_a_vit_appendix.ipynb")
    assert "sixteen" not in appendix and "reads its twenty comparisons as one family" in " ".join(appendix.split())


def test_confidence_split_and_eval_mode_count_live_in_appendix_c():
    lesson, appendix = _markdown(), _markdown(ROOT / "notebooks" / "06_train_a_vit_appendix.ipynb")
    assert "Why accuracy hides it" not in lesson and "Measured in eval mode" not in lesson
    # review r21i: the confidence-split pointer moved with its paragraph to appendix C (#stopping)
    assert appendix.count("](#confidence-split)") == 1 and lesson.count("#eval-mode)") == 1
    assert '<a id="confidence-split"></a>**Why accuracy hides it**' in appendix and '<a id="eval-mode"></a>' in appendix
    assert "the 19-29 digits wrong at the end" in appendix and "(68 % against 58 % in epoch 3)" in appendix

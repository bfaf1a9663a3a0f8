"""Lesson 09, fix 23e (review r23e_09): the distillation head follows a *systematic* mistake (every 7 -> 1), with the
appendix's figure on the teacher's own scattered mistakes (40 and 57 of 113); the one-token arm's reach and the
unchanged-teacher control's small leak (seeds pooled, Fisher exact, printed); the averaged output leads the learning
goal and the bold sentence; exercise 2b's docstring names section 3; the 40-epoch figure's caption says "hollow" when
no bar is hatched; the distillation token's zero start against DeiT's and timm's truncated normal."""

import matplotlib.pyplot as plt
import torch

from tests import _lesson09
from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "09_deit_distillation.ipynb"
APPENDIX = nb.NOTEBOOKS / "09_deit_distillation_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "09_deit_distillation_solutions.ipynb"
CLAIM = "On every seed the distillation head calls most held-out 7s"
EIGHT = "**In 8-epoch runs**"
SYSTEMATIC = "the distillation head follows a systematic mistake (every 7 → 1)"
AVERAGED = "it calls 45, 41 and 42 of the 50 validation 7s a 1"  # fix 24e: in "What DeiT returns at inference"


def _summary_bullets() -> list[str]:
    sources = _lesson09.sources(LESSON)
    summary = sources[nb.unique_index(sources, "## Summary")].split("## Exercises")[0]
    return [nb.flat(b) for b in summary.split("\n- ")[1:]]


# --- MAJOR 1: a systematic mistake; the teacher's own scattered ones -------------------------------------------------


def test_the_distillation_head_follows_a_systematic_mistake_not_every_answer():
    sources = _lesson09.sources(LESSON)
    claim = nb.flat(sources[nb.unique_index(sources, CLAIM)]).replace("**", "")
    hard = next(b for b in _summary_bullets() if b.startswith("Hard distillation"))
    for text in (claim, hard):  # fix 24a: goal 3 is a goal, without the result
        assert SYSTEMATIC in text and "mistake included" not in text
    assert "follows the teacher's answers" not in nb.flat(nb.all_text(LESSON))


def test_the_teachers_own_mistakes_are_quoted_from_the_appendix_with_a_link():
    sources = _lesson09.sources(LESSON)
    claim = nb.flat(sources[nb.unique_index(sources, CLAIM)])
    said = "On the teacher's scattered mistakes (113 training digits), the shipped distillation head gives the"
    link = "([appendix B](09_deit_distillation_appendix.ipynb#teacher-wrong))"
    assert f"{said} teacher's label on 40, the true one on 57 {link}" in claim
    hard = next(b for b in _summary_bullets() if b.startswith("Hard distillation"))
    gives = "of the 113 training digits the teacher gets wrong, the shipped distillation head gives the teacher's label"
    gives = "on the teacher's own 113 scattered mistakes, the shipped distillation head gives the teacher's label"
    assert f"{gives} on 40, the true one on 57 (appendix B)" in hard  # fix 24a: bullet 3 tightened
    appendix, cells = nb.sources(APPENDIX), nb.cells(APPENDIX)
    anchor = nb.unique_index(appendix, '<a id="teacher-wrong"></a>')
    assert "### On the training digits the teacher gets wrong" in appendix[anchor]
    printed = nb.printed(cells[nb.unique_index(appendix, "copies = mcnemar(")])
    assert "the teacher is wrong on 113 of the 3,500 training digits" in printed
    assert "the teacher's label: distillation head 40," in printed and "distillation head 57 (" in printed


# --- MAJOR 2: what the one-token arm isolates; the small leak is not excluded --------------------------------------


def test_the_one_token_arm_is_read_for_what_it_isolates_and_the_leak_is_printed():
    sources, cells = _lesson09.sources(LESSON), _lesson09.cells(LESSON)
    at = nb.unique_index(sources, EIGHT)
    eight = nb.flat(sources[at])
    suggested = (
        "a small leak is suggested (pooled 26/300 vs 12/300, Fisher p = 0.028; pooling over seeds is optimistic)"
    )
    assert f"its unchanged-teacher control 1 to 7: {suggested}" in eight  # fix 24a (review r23f item 3)
    assert "Its one head trains half on the teacher's labels, so this arm shows that such a head learns them." in eight
    printed = nb.printed(cells[at + 1])
    assert (
        "DeiT's class head, seeds pooled: 7 → 1 teacher 26/300, unchanged teacher 12/300; Fisher exact p = 0.028"
        in printed
    )
    assert "not fully fair" in printed
    assert (
        nb.hidden(cells[at + 2])
        and "assert leak == [(26, 300), (12, 300)] and round(leak_p, 3) == 0.028" in sources[at + 2]
    )
    lead = nb.flat(sources[nb.unique_index(sources, "**In one line.** ")])  # fix 24c: the Summary's line moved
    assert "unchanged-teacher control 1 to 7;" in lead and f"{suggested[0].upper()}{suggested[1:]}." in lead


# --- 3: the averaged output leads ---------------------------------------------------------------------------------


def test_the_goal_and_the_bold_sentence_lead_with_the_averaged_output():
    sources, cells = _lesson09.sources(LESSON), _lesson09.cells(LESSON)
    claim = nb.flat(sources[nb.unique_index(sources, CLAIM)])  # fix 24a: the goal no longer states the result
    # fix 24e (review r24d item 3): the bold sentence keeps to the heads; the averaged output follows it
    returns = claim.index("**What DeiT returns at inference**")
    class_head = claim.index("the class head calls none of the 50")
    assert claim.index(SYSTEMATIC) < class_head < returns < claim.index(AVERAGED)
    assert f"**{SYSTEMATIC}; the class head calls none of the 50" in claim
    printed = nb.printed(cells[nb.unique_index(sources, "averaged_40 = [proportion(")])
    assert "averaged output (what DeiT returns)  45 = 90 %" in printed and ", 41 = 82 %" in printed


# --- 5: exercise 2b's docstring ---------------------------------------------------------------------------------------


def test_exercise_2b_docstring_names_section_3():
    for path in (LESSON, SOLUTIONS):
        text = nb.all_text(path)
        assert '"""Section 3\'s soft-distillation loss (a number)."""' in text and "Section 2's soft" not in text


# --- 6: the caption says "hatched" only when a bar is hatched ------------------------------------------------------


def test_the_relabel_caption_names_hatching_only_when_a_control_bar_is_drawn():
    from vit_explained.plotting.lesson09 import plot_relabel_ablation

    zero = {"class head, 7 → 1 teacher": [(0.1, 0.05, 0.2)], "either head, unchanged teacher": [(0.0, 0.0, 0.07)]}
    fig = plot_relabel_ablation(zero, digits="50 validation 7s", epochs=40)
    title = fig.axes[0].get_title()
    assert "hollow: the teacher unchanged" in title and "hatched" not in title
    assert not any(bar.get_hatch() and bar.get_height() > 0 for bar in fig.axes[0].patches)  # no hatched bar seen
    plt.close(fig)
    some = {"class head, 7 → 1 teacher": [(0.1, 0.05, 0.2)], "class head, unchanged teacher": [(0.05, 0.02, 0.1)]}
    fig = plot_relabel_ablation(some, digits="100 test 7s", epochs=8)
    assert "hatched or hollow: the teacher unchanged" in fig.axes[0].get_title()
    plt.close(fig)


# --- 7: the distillation token's start: the printed code cuts the init lines -----------------------------------------


def test_the_printed_code_is_said_to_omit_the_truncated_normal_start():
    from vit_explained import DeiT

    sources = _lesson09.sources(LESSON)
    text = nb.flat(sources[nb.unique_index(sources, "In code, the package's `DeiT` is a subclass")])
    said = "Its `trunc_normal_` lines (printed) start both tokens at a truncated normal (std 0.02), like DeiT"
    assert said in text and "starts at zeros" not in text
    torch.manual_seed(0)
    model = DeiT(28, patch_size=4, num_classes=10, dim=64, depth=1, heads=2, mlp_dim=32, channels=1)
    for token in (model.class_token, model.distillation_token):
        assert torch.count_nonzero(token) == 64 and 0.01 < token.std() < 0.03
    assert not torch.equal(model.class_token, model.distillation_token)


def test_the_main_path_did_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 54 and nb.markdown_words(main) <= 2841, (len(main), nb.markdown_words(main))

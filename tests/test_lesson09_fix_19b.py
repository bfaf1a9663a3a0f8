"""Lesson 09, fix 19b (review r19a_09): the soft arm at tau = 3 beside tau = 1 (whose target is nearly one-hot),
the two halves said at the top, the crop picture and "does distillation help here?" moved to appendix B, section 4's
zoom commentary in two sentences, exercise 2b (the soft loss), exercise 1's dtype and reshape messages, exercise
3b's refusal message, Table 3's label column, the sign test's 1/4 against 1/8, the learning goals."""

from __future__ import annotations

import re
import sys

import pytest
import torch
import torch.nn.functional as F

from tests import _lesson09 as nb
from vit_explained.distill import relabel_ablation, soft_distillation_loss
from vit_explained.exercises import ExerciseFailed, lesson09

LESSON = nb.NOTEBOOKS / "09_deit_distillation.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "09_deit_distillation_solutions.ipynb"


def _index(sources: list[str], start: str) -> int:
    return next(i for i, s in enumerate(sources) if s.startswith(start))


# --- 1: the soft arm at tau = 3, and tau = 1's nearly one-hot target ----------------------------------------------


def test_the_stored_result_has_a_tau_3_soft_arm_of_three_seeds_on_the_same_teacher():
    arms = relabel_ablation()["arms"]
    hard, tau3 = arms["short-hard"], arms["short-soft-tau3"]
    assert tau3["loss"] == "soft-tau3" and tau3["epochs"] == hard["epochs"] == 8
    assert [run["seed"] for run in tau3["runs"]] == [0, 1, 2]
    for hard_run, tau3_run in zip(hard["runs"], tau3["runs"], strict=True):
        assert hard_run["test_teacher_says_1"] == tau3_run["test_teacher_says_1"]  # the same 7 -> 1 teacher


def test_the_lesson_prints_the_target_mass_on_1_and_reads_soft_against_hard_at_tau_3():
    cells = nb.cells(LESSON)
    sources = [nb.source(c) for c in cells]
    start = next(i for i, s in enumerate(sources) if 'arms[f"short-{loss}"]' in s)
    at = next(i for i, s in enumerate(sources) if "against_hard, spreads, per_seed_tests" in s)  # fix 19d: split
    printed = "".join(nb.printed(cells[i]) for i in range(start, at + 1))
    assert at > _index(sources, "## Appendix B")  # fix 20a: the seed-by-seed tests moved there
    assert "tau = 1: the soft target's mass on 1, median 0.999" in printed
    assert "tau = 3: the soft target's mass on 1, median" in printed and "soft-tau3 - hard" in printed
    assert "mass_on_1" in sources[start + 1] and 'against_hard["soft-tau3"]' in sources[at + 1]
    reading = nb.flat(sources[next(i for i, s in enumerate(sources) if s.startswith("**The plumbing"))])
    assert "plumbing" in reading and "median 0.999" in reading and "$\\tau = 3$" in reading
    assert "nearly one-hot" in nb.flat(sources[start - 1])


# --- 2: the two halves; moves to appendix B; section 4's zoom in two sentences ------------------------------------


def test_the_top_names_two_halves_and_the_goals_are_merged():
    first = nb.flat(nb.sources(LESSON)[0])
    assert "two halves" in first and "*Distillation* (sections 2-3)" in first
    assert "*Attention capture* (sections 4-5)" in first
    assert "- write the hard-distillation loss;" not in first and "read a planted-mistake experiment" in first


def test_the_crop_picture_and_does_distillation_help_sit_in_appendix_b():
    sources = nb.sources(LESSON)
    summary, appendix_b = _index(sources, "## Summary"), _index(sources, "## Appendix B")
    crops = next(i for i, s in enumerate(sources) if "random_resized_crops(images[i]" in s)
    helps = _index(sources, "**Does distillation help here?**")
    assert crops > appendix_b and helps > appendix_b
    assert not any("seed_runs = benchmark_results()" in s for s in sources[:summary])
    # fix 21c: tightened to "Appendix B pictures the paper's argument ..." (the same pointer)
    assert "Appendix B pictures the paper's argument for a teacher under heavy augmentation" in nb.flat(
        "\n".join(sources[:summary])
    )


def test_section_4s_zoom_commentary_is_two_sentences():
    sources = nb.sources(LESSON)
    # fix 21j (review r21i): the darkest-column aside moved to appendix C (sources lists the appendix after the lesson)
    text = next(s for s in sources if s.startswith("Here the darkest column"))  # round 21a: example 1
    assert len(re.findall(r"\.(\s|$)", text.strip())) == 2
    assert "Heads 0 and 2 are far less peaked on this digit" in "\n".join(sources)  # moved to appendix C


# --- 3: exercise 2b, the soft loss --------------------------------------------------------------------------------


def _kl(student, teacher, tau, reduction="batchmean", reverse=False):
    s, t = F.log_softmax(student / tau, -1), F.log_softmax(teacher / tau, -1)
    if reverse:
        s, t = t, s
    return F.kl_div(s, t, reduction=reduction, log_target=True)


def soft_kl_div(c, d, y, t, tau, lam):
    return (1 - lam) * F.cross_entropy(c, y) + lam * tau**2 * _kl(d, t, tau)


def soft_by_hand(c, d, y, t, tau, lam):
    p = (t / tau).softmax(-1)
    kl = (p * (p.log() - (d / tau).log_softmax(-1))).sum(1).mean()
    return (1 - lam) * F.cross_entropy(c, y) + lam * tau * tau * kl


def soft_float64_nll(c, d, y, t, tau, lam):
    kl = F.kl_div(F.log_softmax(d.double() / tau, -1), F.softmax(t.double() / tau, -1), reduction="sum") / len(d)
    return (1 - lam) * F.nll_loss(c.log_softmax(1), y) + lam * (tau**2) * kl


def reversed_kl(c, d, y, t, tau, lam):
    return (1 - lam) * F.cross_entropy(c, y) + lam * tau**2 * _kl(d, t, tau, reverse=True)


def no_tau_squared(c, d, y, t, tau, lam):
    return (1 - lam) * F.cross_entropy(c, y) + lam * _kl(d, t, tau)


def mean_reduction(c, d, y, t, tau, lam):
    return (1 - lam) * F.cross_entropy(c, y) + lam * tau**2 * _kl(d, t, tau, reduction="mean")


@pytest.mark.parametrize("answer", [soft_kl_div, soft_by_hand, soft_float64_nll])
def test_exercise_2b_accepts_right_answers_written_differently(answer, capsys):
    lesson09.check_soft_distillation(answer)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (reversed_kl, r"KL\(student \|\| teacher\), the other direction"),
        (no_tau_squared, r"lacks the tau \*\* 2 factor"),
        (mean_reduction, r"averaged over batch x classes: F.kl_div's reduction='mean'"),
    ],
)
def test_exercise_2b_names_the_three_slips(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_soft_distillation(answer)


def test_exercise_2b_is_in_both_notebooks_and_in_the_course_tools():
    for path in (LESSON, SOLUTIONS):
        sources = nb.sources(path)
        at = _index(sources, "### Exercise 2b")
        assert sources[at + 1].startswith("def soft_distillation(class_logits, distillation_logits, labels,")
        assert sources[at + 2] == "lesson09.check_soft_distillation(soft_distillation)"
    sys.path.insert(0, str(nb.ROOT / "tools"))
    import course

    assert "soft_distillation" in course.HIDDEN_CASES and "soft_distillation" in course.FORBIDDEN
    assert "(`check_soft_distillation`)" in (nb.ROOT / "TEACHING.md").read_text()
    assert "5 exercises" in (nb.ROOT / "tools" / "readme.py").read_text()


def test_the_reference_answer_equals_the_package():
    namespace: dict = {"torch": torch, "F": F}
    exec(next(s for s in nb.sources(SOLUTIONS) if s.startswith("def soft_distillation")), namespace)
    c, d, t = torch.randn(4, 5), torch.randn(4, 5), torch.randn(4, 5)
    y = torch.tensor([0, 1, 2, 3])
    mine = namespace["soft_distillation"](c, d, y, t, 2.0, 0.3)
    assert torch.allclose(mine, soft_distillation_loss(c, d, y, t, 2.0, 0.3))


# --- 4, 5: exercise 1 ---------------------------------------------------------------------------------------------


def test_exercise_1_accepts_a_float64_answer(capsys):
    lesson09.check_token_map(lambda w, q, s, r, c: w.double()[:, :, q, s:].reshape(*w.shape[:2], r, c))
    assert capsys.readouterr().out.startswith("Correct!")


def test_exercise_1_names_a_reshape_that_drops_b_and_heads():
    with pytest.raises(ExerciseFailed, match="keep B and heads in front") as failure:
        lesson09.check_token_map(lambda w, q, s, r, c: w[:, :, q, s:].reshape(r, c))
    assert "sqrt" not in str(failure.value)
    with pytest.raises(ExerciseFailed, match="keep B and heads in front"):
        lesson09.check_token_map(lambda w, q, s, r, c: w[:, :, q, s:].reshape(-1, r, c))


# --- 6: exercise 3b's message -------------------------------------------------------------------------------------


def test_exercise_3b_says_3b_applies_boolean_masks():
    from tests.test_lesson09_exercises import make_lesson_fix

    with pytest.raises(ExerciseFailed, match="exercise 3b applies boolean masks") as failure:
        lesson09.check_my_forward(make_lesson_fix)
    assert "exercise 3 requires them" not in str(failure.value)


# --- 7, 8: Table 3's label column; the sign test ------------------------------------------------------------------


def test_table_3s_label_column_and_the_sign_test_wording():
    text = nb.flat(nb.all_text(LESSON))
    assert "label column is also unticked" in text and "facebookresearch/deit/issues/215" in text
    assert "which chance gives a quarter of the time" not in text
    assert "a quarter of the time (the two-sided sign test, p = 0.25; below on all 3, 1 time in 8)" in text

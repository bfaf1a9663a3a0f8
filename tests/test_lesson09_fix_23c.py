"""Lesson 09, fix 23c (review r23b_09): exercise 2's checker never raises a raw error (a row index of the flattened
argmax is no class when B > classes) and names a bfloat16 answer's precision; exercise 2b names a bfloat16 soft loss's
precision, not a slip; the soft-vs-hard contrast names its loss weights and is exploratory; section references."""

import pytest
import torch
import torch.nn.functional as F

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed, lesson09

LESSON = nb.NOTEBOOKS / "09_deit_distillation.ipynb"
APPENDIX = nb.NOTEBOOKS / "09_deit_distillation_appendix.ipynb"


def _hard(c, d, y, t):
    return 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmax(-1))


def _soft(c, d, y, t, tau, lam, dtype=torch.float32):
    c, d, t = c.to(dtype), d.to(dtype), t.to(dtype)
    log_s, log_t = F.log_softmax(d / tau, -1), F.log_softmax(t / tau, -1)
    kl = F.kl_div(log_s, log_t, reduction="batchmean", log_target=True)
    return (1 - lam) * F.cross_entropy(c, y) + lam * tau**2 * kl


# --- MAJOR 1: exercise 2's checker -------------------------------------------------------------------------------


def test_a_bfloat16_hard_loss_gets_a_precision_message_not_an_index_error():
    def answer(c, d, y, t):  # the reviewer's probe
        return 0.5 * F.cross_entropy(c.bfloat16(), y) + 0.5 * F.cross_entropy(d.bfloat16(), t.argmax(-1))

    with pytest.raises(ExerciseFailed, match=r"precision slip.*torch.bfloat16.*Compute in float32"):
        lesson09.check_hard_distillation(answer)


def test_a_wrong_loss_failing_only_on_the_16_by_4_case_gets_the_generic_message():
    def answer(c, d, y, t):
        return _hard(c, d, y, t) + (0.3 if c.shape == (16, 4) else 0.0)

    cases = lesson09._logit_cases()
    assert cases[2][0].shape == (16, 4) and int(cases[2][3].argmax()) // 4 >= 4  # the row index no class has
    with pytest.raises(ExerciseFailed, match="the expected value is different; check each term"):
        lesson09.check_hard_distillation(answer)


def test_any_error_inside_the_slip_diagnosis_falls_back_to_the_generic_message(monkeypatch):
    def broken(*args, **kwargs):
        raise IndexError("Target 13 is out of bounds.")

    monkeypatch.setattr(lesson09, "_plain_loss_slips", broken)
    with pytest.raises(ExerciseFailed, match="the expected value is different; check each term"):
        lesson09.check_hard_distillation(lambda c, d, y, t: _hard(c, d, y, t) + 0.3)


@pytest.mark.parametrize(
    "answer",
    [
        _hard,
        lambda c, d, y, t: (F.nll_loss(F.log_softmax(c, 1), y) + F.nll_loss(F.log_softmax(d, 1), t.max(1).indices)) / 2,
        lambda c, d, y, t: 0.5 * F.cross_entropy(c.double(), y) + 0.5 * F.cross_entropy(d.double(), t.argmax(1)),
    ],
)
def test_three_right_hard_losses_still_pass(answer, capsys):
    lesson09.check_hard_distillation(answer)
    assert capsys.readouterr().out.startswith("Correct!")


# --- MAJOR 2: exercise 2b's checker ------------------------------------------------------------------------------


def test_a_bfloat16_soft_loss_gets_a_precision_message_not_the_class_head_slip():
    with pytest.raises(ExerciseFailed, match=r"precision slip.*torch.bfloat16") as error:
        lesson09.check_soft_distillation(lambda *a: _soft(*a, dtype=torch.bfloat16))
    assert "class head" not in str(error.value)


def test_a_float32_class_head_slip_is_still_named():
    def answer(c, d, y, t, tau, lam):
        return _soft(c, c, y, t, tau, lam)  # the KL reads the class head

    with pytest.raises(ExerciseFailed, match="your KL reads the class head's logits"):
        lesson09.check_soft_distillation(answer)


@pytest.mark.parametrize(
    "answer",
    [
        _soft,
        lambda *a: _soft(*a, dtype=torch.float64),
        lambda *a: _soft(*a, dtype=torch.float16),  # float16's rounding stays inside the tolerance on these cases
    ],
)
def test_right_soft_losses_still_pass(answer, capsys):
    lesson09.check_soft_distillation(answer)
    assert capsys.readouterr().out.startswith("Correct!")

"""Lesson 09, fix round w (review 16e): DeiT's idea right after section 1, the capture material in one section,
the KL normalisation's proof in appendix A, and exercise 2's checker refusing in-place changes as exercise 1's does."""

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from tests import _lesson09
from vit_explained.exercises import ExerciseFailed, lesson09

ROOT = Path(__file__).resolve().parents[1]


def _sources() -> list[str]:
    path = ROOT / "notebooks" / "09_deit_distillation.ipynb"
    return ["".join(cell["source"]) for cell in _lesson09.cells(path)]


def _index(prefix: str) -> int:
    return next(i for i, source in enumerate(_sources()) if source.startswith(prefix))


def test_deits_idea_comes_before_the_slice_and_the_capture_is_one_section():
    sources = _sources()
    assert _index("## 1 ") < _index("## 2 · What DeiT contributes") < _index("## 3 · Hard distillation")
    assert _index("## 3 ") < _index("## 4 · What `[:, :, 0, 2:]`") < _index("## 5 · Capturing a DeiT's attention")
    capture = "\n".join(sources[_index("## 5 ") : _index("## 6 ")])
    assert "Lesson 08" in capture
    # round 21a: Hugging Face's eager path moved to appendix A; section 5 points there
    assert "09_deit_distillation_appendix.ipynb#hugging-face" in capture
    assert "**Hugging Face: SDPA returns no weights.**" in "\n".join(sources[_index("## Appendix A") :])
    assert "print(qa_patch_on_timm(" not in capture  # timm itself: appendix A
    step = _index("student = DeiT(**DEIT_CONFIG).train()")
    assert _index("## 3 ") < step < _index("## 4 ")  # the two-head training step


def test_the_kl_normalisation_is_one_line_in_section_3_and_proved_in_appendix_a():
    sources = _sources()
    section_3 = "\n".join(sources[_index("## 3 ") : _index("## 4 ")])
    assert "far lighter KL\nweight" in section_3 and "1/11" not in section_3 and "20/11" not in section_3
    appendix_a, appendix_b = _index("## Appendix A"), _index("## Appendix B")
    proof = _index("def deit_kl_term(")
    assert appendix_a < proof < appendix_b
    assert any("20/11" in s for s in sources[proof:appendix_b]) and "lam=1 / 11" in sources[proof + 1]


def _in_place_teacher(c, d, y, t):
    t.div_(2)  # the argmax stays: the loss is right, the caller's teacher logits are not
    return 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmax(-1))


def _in_place_labels(c, d, y, t):
    loss = 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmax(-1))
    y.zero_()
    return loss


@pytest.mark.parametrize(("answer", "name"), [(_in_place_teacher, "teacher_logits"), (_in_place_labels, "labels")])
def test_exercise_2_refuses_in_place_changes_as_exercise_1_does(answer, name):
    with pytest.raises(ExerciseFailed, match=f"changed {name} in place"):
        lesson09.check_hard_distillation(answer)


def _gathered_dim0(c, d, y, t):
    chosen = d.log_softmax(-1)[torch.arange(len(y)), t.max(0).indices]
    return 0.5 * F.cross_entropy(c, y) - 0.5 * chosen.mean()


def _one_hot_dim0(c, d, y, t):
    targets = F.one_hot(torch.argmax(t, dim=0), t.shape[-1]).float()
    return 0.5 * F.cross_entropy(c, y) - 0.5 * (d.log_softmax(-1) * targets).sum(-1).mean()


@pytest.mark.parametrize("answer", [_gathered_dim0, _one_hot_dim0])
def test_an_argmax_over_dim_0_is_named_by_its_axis_in_any_form(answer):
    with pytest.raises(ExerciseFailed, match="argmax over dim 0, the batch axis"):
        lesson09.check_hard_distillation(answer)


def test_an_argmax_over_dim_0_of_a_students_logits_is_not_blamed_on_the_teacher():
    def answer(c, d, y, t):
        c.detach().max(0)  # an unrelated reduction over the batch of the class logits
        return 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmax(-1))

    assert lesson09.check_hard_distillation(answer) is None


def test_the_widget_docstring_says_how_the_lesson_opens_it():
    from vit_explained.widgets import lesson09 as widget

    assert "starting on the distillation token" not in widget.__doc__
    assert 'view="class | distillation"' in widget.__doc__ and "start=1" in widget.__doc__

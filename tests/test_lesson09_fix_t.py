"""Lesson 09, fix round t: the paper's augmented-crop argument for hard labels, exercise 3's bonus case never
fails the exercise, exercise 2's messages name the concept (class axis, indices) instead of the fixing call,
Table 3's label column is not claimed, the class head's interval sits in its sentence, HF's model is
inference-only."""

import inspect
import re
from pathlib import Path

import pytest
import torch.nn.functional as F
from test_lesson09_exercises import make_causal_and_mask, make_causal_only_without_mask, make_causal_wins

import vit_explained.distill as distill
from tests import _lesson09
from vit_explained.exercises import ExerciseFailed, lesson09

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "09_deit_distillation.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "09_deit_distillation_solutions.ipynb"


def _sources(path: Path = LESSON) -> list[str]:
    return ["".join(cell["source"]) for cell in _lesson09.cells(path)]


def test_the_papers_augmented_crop_argument_is_marked_untested_and_the_code_feeds_the_augmented_batch():
    cell = next(s for s in _sources() if s.startswith("**Why a teacher helps with heavy augmentation"))
    assert "the teacher labels\nthe augmented crop.**" in cell  # round 17g: any distillation, not hard > soft
    table = next(s for s in _sources() if "| claim | paper's evidence | tested here? |" in s)  # round x: one table
    assert "| distillation helps because the teacher labels the crop |" in table
    assert "small cat in a corner" in cell and "`distill.py` also feeds the teacher the augmented batch" in cell
    source = inspect.getsource(distill._train_epoch) + inspect.getsource(distill._loss)
    assert "batch = augment(images[index]" in source and "teacher_logits = teacher(batch)" in source


def test_table_3_label_column_is_not_claimed_and_hf_is_inference_only():
    text = "\n".join(_sources())
    assert "train a DeiT this way" not in text
    capture = next(s for s in _sources() if "**Hugging Face: SDPA returns no weights.**" in s)  # section 5
    assert "for inference only: it cannot train with a teacher" in capture


def test_the_class_heads_share_is_said_with_the_claim():
    # round 18b: at 40 epochs the class head calls no unseen 7 a 1 under either teacher (checked in the notebook)
    cell = next(s for s in _sources() if s.startswith("On every seed the distillation head"))
    sentence = "The class head, trained on the true labels, calls none of them a 1 under either teacher."
    assert sentence in " ".join(cell.split())


@pytest.mark.parametrize("answer", [make_causal_only_without_mask])
def test_exercise_3_fails_an_answer_that_drops_is_causal_beside_a_mask(answer):
    # round 18d (review 18c): was a bonus note after "Correct!"; the spec says never ignore is_causal
    with pytest.raises(ExerciseFailed, match=r"^Not yet: with an attn_mask and is_causal=True together"):
        lesson09.check_my_forward(answer)


@pytest.mark.parametrize("answer", [make_causal_wins, make_causal_and_mask])
def test_exercise_3_full_answers_get_no_bonus_note(answer, capsys):
    lesson09.check_my_forward(answer)
    out = capsys.readouterr().out
    assert out.startswith("Correct!") and "Bonus" not in out


def test_exercise_3_text_says_the_check_fails_a_dropped_is_causal_in_both_notebooks():
    def exercise3(path):
        return next(s for s in _sources(path) if s.startswith("### Exercise 3"))

    assert exercise3(LESSON) == exercise3(SOLUTIONS)
    assert "Applying only the mask silently drops `is_causal`: the check fails it." in exercise3(LESSON)


def _argmax0(c, d, y, t):
    return 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmax(0))


def _keepdim(c, d, y, t):
    return 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmax(-1, keepdim=True))


def _values(c, d, y, t):
    return 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.max(-1)[0])


def _flat(c, d, y, t):
    return 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmax())


@pytest.mark.parametrize(
    ("answer", "concept"),
    [(_argmax0, "batch axis"), (_keepdim, "drop the keepdim"), (_values, "not the values"), (_flat, "class axis")],
)
def test_exercise_2_messages_name_the_concept_not_the_fixing_call(answer, concept):
    with pytest.raises(ExerciseFailed) as error:
        lesson09.check_hard_distillation(answer)
    message = str(error.value)
    assert concept in message
    assert not re.search(r"argmax\(-1\)|\.max\(-1\)\.indices|use \.indices", message), message

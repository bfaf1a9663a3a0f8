"""Lesson 06, review k: exercise 6's wrong-pick messages say only which observation of the symptom the pick
contradicts, never what another bug or symptom looks like; checker messages stay short."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from vit_explained import clinic
from vit_explained.exercises import ExerciseFailed, lesson06

_RIGHT_BUGS = {
    "A": "no position embeddings",
    "B": clinic.LAYER_NORM_NO_CENTRING,
    "C": "SGD at Adam's learning rate",
    "D": "LayerNorm x - mean / std",
    "E": "MultiheadAttention without batch_first",
}
_NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "06_train_a_vit.ipynb"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9_]+", text.lower())


def _symptom_texts() -> dict[str, str]:
    """Exercise 6's symptom bullets A-E, as the lesson states them."""
    cell = next(c for c in nbformat.read(_NOTEBOOK, 4).cells if c.source.startswith("### Exercise 6"))
    bullets = re.findall(r"^- \*\*([A-E])\.\*\* (.*?)(?=^- \*\*|^\*\*Next|\Z)", cell.source, flags=re.S | re.M)
    assert [letter for letter, _ in bullets] == list("ABCDE")
    return dict(bullets)


def _wrong_pick_messages():
    for letter, truth in _RIGHT_BUGS.items():
        for wrong in (bug for bug in clinic.BUGS if bug != truth):
            with pytest.raises(ExerciseFailed) as failure:
                lesson06.check_bug_for_each_symptom(
                    lambda letter=letter, wrong=wrong: {**_RIGHT_BUGS, letter: wrong, "next": 4}
                )
            yield letter, wrong, str(failure.value)


def test_no_wrong_pick_message_contains_any_symptoms_description():
    symptoms = _symptom_texts()
    grams = {tuple(w[i : i + 4]) for text in symptoms.values() for w in [_words(text)] for i in range(len(w) - 3)}
    clues = (
        "shuffled",
        "single direction",
        "exactly 0",
        "entropy",
        "larger rate",
        "smaller",
        "next to the fixed",
        "dozens",
        "no pixel",
        "far above",
    )
    count = 0
    for letter, wrong, message in _wrong_pick_messages():
        count += 1
        words = _words(message)
        shared = [g for g in (tuple(words[i : i + 4]) for i in range(len(words) - 3)) if g in grams]
        assert not shared, (letter, wrong, shared, message)
        assert not any(clue in message.lower() for clue in clues), (letter, wrong, message)
        assert len(message) <= 200, (len(message), message)
    assert count == 5 * (len(clinic.BUGS) - 1)


def test_every_wrong_pick_names_an_observation_of_its_own_symptom():
    for letter, wrong, message in _wrong_pick_messages():
        whose = "a correct model's" if wrong == "none" else "this bug's"  # 'none' is no bug (fix round p)
        assert f"symptom {letter}: not {wrong!r}: {whose} " in message, message
        assert f"{letter}'s" in message and "section 4's recap table" in message


def test_the_passing_message_is_short(capsys):
    lesson06.check_bug_for_each_symptom(lambda: {**_RIGHT_BUGS, "next": 4})
    out = capsys.readouterr().out
    assert "Correct!" in out and len(out.strip()) <= 220


def _safe_shift_answer(images):
    ink = (images != 0).any(dim=1)  # (B, H, W)
    rows, cols = ink.any(dim=2), ink.any(dim=1)  # (B, H), (B, W)

    def margins(mask):
        first = mask.float().argmax(dim=1)
        last = mask.shape[1] - 1 - mask.flip(1).float().argmax(dim=1)
        return torch.minimum(first, mask.shape[1] - 1 - last)

    return int(torch.minimum(margins(rows), margins(cols)).min())


@pytest.mark.parametrize("constant", [0, 1, 3])
def test_max_safe_shift_names_a_constant_answer(constant):
    with pytest.raises(ExerciseFailed, match=rf"you returned {constant} for every batch, whatever the images"):
        lesson06.check_max_safe_shift(lambda images: constant)


@pytest.mark.parametrize(
    "as_float",
    [float, lambda v: torch.tensor(float(v)), lambda v: np.float64(v), lambda v: torch.tensor(v, dtype=torch.float32)],
)
def test_max_safe_shift_refuses_a_float(as_float):
    with pytest.raises(ExerciseFailed, match=r"return an int \(a whole number of pixels\), as asked; got a float"):
        lesson06.check_max_safe_shift(lambda images: as_float(_safe_shift_answer(images)))


def test_max_safe_shift_right_answer_passes(capsys):
    lesson06.check_max_safe_shift(_safe_shift_answer)
    lesson06.check_max_safe_shift(lambda images: torch.tensor(_safe_shift_answer(images)))
    assert capsys.readouterr().out.count("Correct") == 2


@pytest.mark.parametrize(
    "answer",
    [
        lambda logits, labels: int((logits.argmax(1) == labels).sum()) // len(labels),
        lambda logits, labels: (logits.argmax(1) == labels).sum() // len(labels),
    ],
)
def test_accuracy_names_integer_division_alone(answer):
    with pytest.raises(ExerciseFailed) as failure:
        lesson06.check_accuracy(answer)
    message = str(failure.value)
    assert "integer division" in message and "divide with /" in message and "all()" not in message


def test_accuracy_names_all_without_integer_division():
    with pytest.raises(ExerciseFailed) as failure:
        lesson06.check_accuracy(lambda logits, labels: float((logits.argmax(1) == labels).all()))
    message = str(failure.value)
    assert "all()" in message and "integer division" not in message

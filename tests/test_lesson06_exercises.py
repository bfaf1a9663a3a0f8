"""Lesson 06's checkers accept the reference answers and reject plausible wrong ones, saying what is wrong."""

import pytest
import torch
from sklearn.metrics import confusion_matrix

from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted, lesson06

# --- exercise 1: accuracy from logits -------------------------------------------------------------


def accuracy(logits, labels):
    return (logits.argmax(dim=1) == labels).float().mean().item()


def accuracy_wrong_axis(logits, labels):
    predictions = logits.argmax(dim=0)
    n = min(len(predictions), len(labels))
    return (predictions[:n] == labels[:n]).float().mean().item()


def accuracy_wrong_axis_naive(logits, labels):
    return (logits.argmax(dim=0) == labels).float().mean().item()  # (K,) vs (B,): fails to broadcast


def accuracy_count(logits, labels):
    return (logits.argmax(dim=1) == labels).sum().item()


def accuracy_percent(logits, labels):
    return 100 * accuracy(logits, labels)


def accuracy_of_probabilities(logits, labels):
    """Compares probabilities with labels instead of taking the argmax."""
    return (logits.softmax(dim=1).max(dim=1).values == labels).float().mean().item()


def test_accuracy_accepts_the_reference(capsys):
    lesson06.check_accuracy(accuracy)
    assert "Correct!" in capsys.readouterr().out


def test_accuracy_accepts_an_answer_through_softmax():
    lesson06.check_accuracy(lambda logits, labels: accuracy(logits.softmax(dim=1), labels))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (accuracy_wrong_axis, "wrong axis"),
        (accuracy_wrong_axis_naive, "largest entry of each row"),
        (accuracy_count, "number of correct predictions"),
        (accuracy_percent, "percentage"),
        (accuracy_of_probabilities, "accuracy is not"),
    ],
)
def test_accuracy_rejects_wrong_answers(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson06.check_accuracy(answer)


# --- exercise 2: the confusion matrix -------------------------------------------------------------


def confusion(labels, predictions, num_classes):
    flat = torch.bincount(num_classes * labels + predictions, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def test_confusion_reference_matches_sklearn():
    labels, predictions = torch.tensor([0, 1, 2, 2, 1]), torch.tensor([0, 2, 2, 1, 1])
    assert (confusion(labels, predictions, 3).numpy() == confusion_matrix(labels, predictions)).all()
    lesson06.check_confusion_matrix(confusion)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda labels, predictions, k: confusion(labels, predictions, k).T, "transposed"),
        (lambda labels, predictions, k: confusion(predictions, labels, k), "transposed"),
        (
            lambda labels, predictions, k: (
                confusion(labels, predictions, k) / confusion(labels, predictions, k).sum(1, keepdim=True).clamp(min=1)
            ),
            "counts, not fractions",
        ),
        (
            lambda labels, predictions, k: confusion(
                labels, predictions, int(max(labels.max(), predictions.max())) + 1
            ),
            r"must be \(4, 4\)",
        ),
        (lambda labels, predictions, k: confusion(labels, predictions, k) + torch.eye(k, dtype=torch.long), "add up"),
    ],
)
def test_confusion_rejects_wrong_answers(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson06.check_confusion_matrix(answer)


# --- exercise 3: the largest safe shift -----------------------------------------------------------


def max_safe_shift(images):
    ink = images.abs().sum(dim=1) > 0
    margins = []
    for mask in ink:
        rows = mask.any(dim=1).nonzero().flatten()
        cols = mask.any(dim=0).nonzero().flatten()
        height, width = mask.shape
        margins += [rows[0].item(), height - 1 - rows[-1].item(), cols[0].item(), width - 1 - cols[-1].item()]
    return int(min(margins))


def rows_only(images):
    ink = images.abs().sum(dim=1) > 0
    margins = []
    for mask in ink:
        rows = mask.any(dim=1).nonzero().flatten()
        margins += [rows[0].item(), mask.shape[0] - 1 - rows[-1].item()]
    return int(min(margins))


def first_image_only(images):
    return max_safe_shift(images[:1])


def test_safe_shift_accepts_the_reference():
    lesson06.check_max_safe_shift(max_safe_shift)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda images: max_safe_shift(images) + 1, "off by one"),
        (lambda images: max_safe_shift(images) - 1, "off by one"),
        (rows_only, "columns"),
        (first_image_only, "smallest margin over all images"),
        (lambda images: float(max_safe_shift(images)), "int"),
    ],
)
def test_safe_shift_rejects_wrong_answers(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson06.check_max_safe_shift(answer)


# --- exercise 4: accuracy per class ---------------------------------------------------------------


def per_class_accuracy(labels, predictions, num_classes):
    hits = torch.bincount(labels[predictions == labels], minlength=num_classes).float()
    return hits / torch.bincount(labels, minlength=num_classes).float()


def precision(labels, predictions, num_classes):
    hits = torch.bincount(labels[predictions == labels], minlength=num_classes).float()
    return hits / torch.bincount(predictions, minlength=num_classes).float().clamp(min=1)


def test_per_class_accuracy_accepts_the_reference_and_matches_the_confusion_diagonal():
    lesson06.check_per_class_accuracy(per_class_accuracy)
    labels, predictions = torch.tensor([0, 0, 1, 1, 2, 2]), torch.tensor([0, 1, 1, 1, 0, 2])
    matrix = confusion_matrix(labels, predictions)
    assert torch.allclose(
        per_class_accuracy(labels, predictions, 3).double(), torch.tensor(matrix.diagonal() / matrix.sum(1))
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (precision, "precision"),
        (lambda labels, predictions, k: torch.bincount(labels[predictions == labels], minlength=k), "counts"),
        (lambda labels, predictions, k: 100 * per_class_accuracy(labels, predictions, k), "percentages"),
        (lambda labels, predictions, k: per_class_accuracy(labels, predictions, k)[:-1], "shape"),
    ],
)
def test_per_class_accuracy_rejects_wrong_answers(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson06.check_per_class_accuracy(answer)


# --- every checker ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "checker",
    [
        lesson06.check_accuracy,
        lesson06.check_confusion_matrix,
        lesson06.check_max_safe_shift,
        lesson06.check_per_class_accuracy,
    ],
)
def test_unattempted_stub_gets_a_friendly_message(checker):
    def stub(*args):
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted, match="not done yet"):
        checker(stub)

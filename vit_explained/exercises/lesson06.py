"""Checkers for lesson 06 (train a small ViT). None of them needs a long training run."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from . import ExerciseNotAttempted, attempt, fail, passed

__all__ = ["check_accuracy", "check_confusion_matrix", "check_max_safe_shift", "check_per_class_accuracy"]


def _logit_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(6)
    cases = []
    # a batch larger than the class count, where argmax over the wrong axis gives other answers
    for batch, classes in ((12, 10), (7, 3), (10, 10)):
        logits = torch.randn(batch, classes, generator=generator) * 3
        labels = torch.randint(0, classes, (batch,), generator=generator)
        labels[: batch // 2] = logits[: batch // 2].argmax(1)  # about half right
        cases.append((logits, labels))
    return cases


def _wrong_axis_accuracies(logits: torch.Tensor, labels: torch.Tensor) -> set[float]:
    """What an argmax over the batch axis (dim=0) could give, compared with the labels."""
    predictions = logits.argmax(dim=0)  # (K,): one "prediction" per class
    n = min(len(predictions), len(labels))
    candidates = {(predictions[:n] == labels[:n]).float().mean().item()}
    if len(predictions) == len(labels):
        candidates.add((predictions == labels).float().mean().item())
    return candidates


def check_accuracy(accuracy: Callable[[torch.Tensor, torch.Tensor], float]) -> bool:
    """``accuracy(logits (B, K), labels (B,)) -> float`` in ``[0, 1]``: the fraction whose top logit is the label."""
    for logits, labels in _logit_cases():
        expected = (logits.argmax(dim=1) == labels).float().mean().item()
        try:
            result = attempt(accuracy, logits.clone(), labels.clone())
        except ExerciseNotAttempted:
            raise
        except RuntimeError as error:  # e.g. comparing (K,) argmaxes with (B,) labels
            fail(
                f"your function raised {type(error).__name__}: {str(error).splitlines()[0]}. "
                "logits are (B, num_classes): take the largest entry of each row"
            )
        if isinstance(result, torch.Tensor):
            if result.numel() != 1:
                fail(f"return one number for the whole batch, got a tensor of shape {tuple(result.shape)}")
            result = result.item()
        if not isinstance(result, (int, float)) or isinstance(result, bool):
            fail(f"return a float, got {type(result).__name__}")
        if abs(result - expected) < 1e-6:
            continue
        if abs(result - expected * len(labels)) < 1e-6:
            fail("you returned the number of correct predictions; divide by the batch size to get a fraction")
        if abs(result - expected * 100) < 1e-4:
            fail("you returned a percentage; return a fraction in [0, 1]")
        if any(abs(result - wrong) < 1e-6 for wrong in _wrong_axis_accuracies(logits, labels)):
            fail(
                "the argmax is over the wrong axis: logits are (B, num_classes), so the predicted class of each "
                "image is the largest entry of its row (dim=1)"
            )
        fail(
            f"for logits of shape {tuple(logits.shape)} the accuracy is not {result:.4f}: compare the index of each "
            "row's largest logit (not the logit or probability itself) with the label"
        )
    return passed("the prediction is the argmax over the class axis (dim=1); softmax would not change it.")


def check_confusion_matrix(confusion: Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]) -> bool:
    """``confusion(labels (B,), predictions (B,), num_classes) -> (K, K)`` counts, row = true class,
    column = predicted class (scikit-learn's convention)."""
    from sklearn.metrics import confusion_matrix

    generator = torch.Generator().manual_seed(60)
    cases = []
    for batch, classes in ((50, 4), (200, 10)):
        labels = torch.randint(0, classes, (batch,), generator=generator)
        predictions = torch.where(
            torch.rand(batch, generator=generator) < 0.6,
            labels,
            torch.randint(0, classes, (batch,), generator=generator),
        )
        cases.append((labels, predictions, classes))
    # a class that is never predicted and one that never occurs: the matrix must still be K x K
    cases.append((torch.tensor([0, 0, 1, 1, 2]), torch.tensor([0, 1, 1, 1, 1]), 4))
    for labels, predictions, classes in cases:
        expected = confusion_matrix(labels.numpy(), predictions.numpy(), labels=list(range(classes)))
        result = attempt(confusion, labels.clone(), predictions.clone(), classes)
        result = np.asarray(result.detach().cpu() if isinstance(result, torch.Tensor) else result)
        if result.shape != (classes, classes):
            fail(
                f"with num_classes = {classes} the matrix must be ({classes}, {classes}), got {result.shape}; "
                "include classes that never occur or are never predicted"
            )
        if np.allclose(result, expected):
            continue
        if np.allclose(result, expected.T):
            fail("the matrix is transposed: rows should be the true class, columns the predicted class")
        if np.allclose(result, expected / np.maximum(1, expected.sum(1, keepdims=True))):
            fail("return counts, not fractions (do not normalise the rows)")
        if result.sum() != len(labels):
            fail(f"the counts should add up to the {len(labels)} examples, got {result.sum()}")
        fail("some counts are off: entry [i, j] counts examples of true class i predicted as j")
    return passed("rows are true classes, columns predictions, and the diagonal holds the correct ones.")


def _digit_batch() -> torch.Tensor:
    """Four made-up 14x14 "digits" (rectangles of ink) with known blank margins."""
    images = torch.zeros(4, 1, 14, 14)
    images[0, 0, 5:9, 3:8] = 1.0  # margins top 5, bottom 5, left 3, right 6 -> 3
    images[1, 0, 5:9, 3:12] = 0.5  # top 5, bottom 5, left 3, right 2 -> 2
    images[2, 0, 4:9, 5:9] = 0.8  # top 4, bottom 5, left 5, right 5 -> 4
    images[3, 0, 6:8, 1:9] = 0.3  # top 6, bottom 6, left 1, right 5 -> 1: the batch's answer
    return images


def _margins(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The smallest blank margin of each image: over top/bottom ``(B,)``, and over left/right ``(B,)``."""
    ink = images.abs().sum(dim=1) > 0  # (B, H, W)

    def margins(mask: torch.Tensor) -> torch.Tensor:  # (B, L) -> (B,)
        first = mask.float().argmax(dim=1)
        after_last = mask.flip(1).float().argmax(dim=1)
        return torch.minimum(first, after_last)

    return margins(ink.any(dim=2)), margins(ink.any(dim=1))


def _safe_shift(images: torch.Tensor) -> int:
    rows, cols = _margins(images)
    return int(torch.minimum(rows, cols).min())


def check_max_safe_shift(max_safe_shift: Callable[[torch.Tensor], int]) -> bool:
    """``max_safe_shift(images (B, C, H, W)) -> int``: the largest shift (in pixels, any direction)
    that keeps the ink of *every* image inside the frame."""
    from ..data import load_mnist

    batches = [_digit_batch(), _digit_batch()[:3], load_mnist().test_images[:200]]
    for images in batches:
        expected = _safe_shift(images)
        rows, cols = _margins(images)
        result = attempt(max_safe_shift, images.clone())
        if isinstance(result, torch.Tensor) and result.numel() == 1 and not result.is_floating_point():
            result = int(result.item())
        if not isinstance(result, (int, np.integer)) or isinstance(result, bool):
            fail(f"return a whole number of pixels (an int), got {result!r} ({type(result).__name__})")
        if result == expected:
            continue
        if result == int(rows.min()) and result != int(cols.min()):
            fail("check the columns (the left and right margins) as well as the rows")
        if result == int(cols.min()) and result != int(rows.min()):
            fail("check the rows (the top and bottom margins) as well as the columns")
        if result == expected + 1:
            fail("off by one: a margin of m blank pixels allows a shift of m, not m + 1")
        if result == expected - 1:
            fail("off by one: a margin of m blank pixels allows a shift of m, not m - 1")
        per_image = {int(m) for m in torch.minimum(rows, cols)}
        if result in per_image and result > expected and len(images) > 1:
            fail(
                f"a shift of {result} is safe for some images but not all {len(images)}: "
                "use the smallest margin over all images"
            )
        if result > expected:
            fail(f"a shift of {result} pushes ink out of at least one image: use the smallest margin over all images")
        fail(f"got {result}; a larger shift is still safe for every image in this batch of {len(images)}")
    return passed(
        "shifts up to this many pixels never cut ink off. On MNIST the answer is 0: a few digits touch the frame, "
        "so the recipe's 1-pixel shifts trim a little ink off those (a mild extra augmentation)."
    )


def check_per_class_accuracy(
    per_class_accuracy: Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor],
) -> bool:
    """``per_class_accuracy(labels (B,), predictions (B,), num_classes) -> (K,)``: for each true class,
    the fraction of its examples predicted correctly (the recall of each class)."""
    generator = torch.Generator().manual_seed(66)
    labels = torch.randint(0, 5, (80,), generator=generator)
    predictions = torch.where(
        torch.rand(80, generator=generator) < 0.7, labels, torch.randint(0, 5, (80,), generator=generator)
    )
    predictions[labels == 3] = 0  # class 3 is always wrong, class 0 is over-predicted
    cases = [(labels, predictions, 5)]
    for labels, predictions, classes in cases:
        counts = torch.bincount(labels, minlength=classes).float()
        hits = torch.bincount(labels[predictions == labels], minlength=classes).float()
        expected = hits / counts
        result = attempt(per_class_accuracy, labels.clone(), predictions.clone(), classes)
        result = torch.as_tensor(result, dtype=torch.float64).flatten()
        if result.shape != (classes,):
            fail(f"return one number per class, shape ({classes},), got {tuple(result.shape)}")
        if torch.allclose(result, expected.double(), atol=1e-6):
            continue
        predicted = torch.bincount(predictions, minlength=classes).double()
        precision = hits.double() / predicted.clamp(min=1)
        if torch.allclose(result, precision, atol=1e-6):
            fail("you divided by how often each class was *predicted* (precision); divide by its true count")
        if torch.allclose(result, hits.double(), atol=1e-6):
            fail("these are counts of correct predictions; divide by the number of examples of each class")
        if torch.allclose(result, expected.double() * 100, atol=1e-4):
            fail("return fractions in [0, 1], not percentages")
        fail("for at least one class the fraction is wrong: correct examples of class k / examples of class k")
    return passed("class 3 scores 0 here although the overall accuracy looks fine: look per class.")

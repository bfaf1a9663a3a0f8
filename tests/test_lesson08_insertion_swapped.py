"""Lesson 08's exercise 4, review 18c: patch sides swapped (ph = H // cols, pw = W // rows) are named as such,
not as a grid side taken from isqrt (which the checker names only after the swap is ruled out)."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson08 import check_insertion_curve


def insertion_swapped_sides(model, images, labels, scores, counts):  # slices with each side divided by the wrong count
    batch, _, height, width = images.shape
    rows, cols = scores.shape[-2:]
    ph, pw = height // cols, width // rows  # the slip
    order = scores.flatten(1).argsort(dim=-1, descending=True)
    curve = torch.zeros(batch, len(counts))
    for j, k in enumerate(counts):
        mask = torch.zeros_like(images)
        for b in range(batch):
            for p in order[b, :k].tolist():
                r, c = divmod(p, cols)
                mask[b, :, r * ph : (r + 1) * ph, c * pw : (c + 1) * pw] = 1
        with torch.no_grad():
            probabilities = model(images * mask).softmax(-1)
        curve[:, j] = probabilities.gather(1, labels[:, None])[:, 0]
    return curve


def test_insertion_curve_names_swapped_patch_sides_before_isqrt():
    swapped = r"you swapped the patch sides \(ph = H // cols, pw = W // rows\)"
    with pytest.raises(ExerciseFailed, match=swapped) as failure:
        check_insertion_curve(insertion_swapped_sides)
    assert "isqrt" not in str(failure.value)


def insertion_swapped_sides_raising(model, images, labels, scores, counts):  # r34f minor 1: the slip that raises
    batch, _, height, width = images.shape
    rows, cols = scores.shape[-2:]
    ph, pw = height // cols, width // rows  # the slip: on a non-square map the mask's shape no longer fits
    order = scores.flatten(1).argsort(dim=-1, descending=True)
    curve = torch.zeros(batch, len(counts))
    for j, k in enumerate(counts):
        keep = torch.zeros(batch, rows * cols)
        keep.scatter_(1, order[:, :k], 1.0)
        mask = keep.reshape(batch, 1, rows, cols).repeat_interleave(ph, 2).repeat_interleave(pw, 3)
        with torch.no_grad():
            probabilities = model(images * mask).softmax(-1)
        curve[:, j] = probabilities.gather(1, labels[:, None])[:, 0]
    return curve


def test_insertion_curve_names_swapped_sides_when_the_slip_raises():
    """r34f minor 1: the swapped sides raised on the first case and the message named only isqrt."""
    with pytest.raises(ExerciseFailed, match=r"ph, pw = H // cols, W // rows: swapped") as failure:
        check_insertion_curve(insertion_swapped_sides_raising)
    assert "A patch is H // rows high and W // cols wide" in str(failure.value)

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

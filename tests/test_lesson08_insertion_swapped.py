"""Lesson 08's exercise 4, review 18c: patch sides swapped (ph = H // cols, pw = W // rows) are named as such,
not as a grid side taken from isqrt (which the checker names only after the swap is ruled out)."""

import math

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


# --- audit a35a item 1: a 2 x 8 map on 16 x 16 images tells swapped sides from a grid side isqrt ------------------


def _answer(sides, style):
    """An insertion curve whose patch sides and grid come from ``sides(H, W, rows, cols)``; the mask built on the
    grid and upsampled (``"scatter"``) or painted patch by patch into an image-sized tensor (``"slices"``)."""

    def insertion_curve(model, images, labels, scores, counts):
        batch, _, height, width = images.shape
        ph, pw, rows, cols = sides(height, width, *scores.shape[-2:])
        order = scores.flatten(1).argsort(dim=-1, descending=True)
        curve = torch.zeros(batch, len(counts))
        for j, k in enumerate(counts):
            if style == "scatter":
                keep = torch.zeros(batch, rows * cols).scatter_(1, order[:, :k], 1.0)
                mask = keep.reshape(batch, 1, rows, cols).repeat_interleave(ph, 2).repeat_interleave(pw, 3)
            else:
                mask = torch.zeros_like(images)
                for b in range(batch):
                    for p in order[b, :k].tolist():
                        r, c = divmod(p, cols)
                        mask[b, :, r * ph : (r + 1) * ph, c * pw : (c + 1) * pw] = 1
            with torch.no_grad():
                curve[:, j] = model(images * mask).softmax(-1).gather(1, labels[:, None])[:, 0]
        return curve

    return insertion_curve


def _right(height, width, rows, cols):
    return height // rows, width // cols, rows, cols


def _swapped(height, width, rows, cols):
    return height // cols, width // rows, rows, cols  # the slip


def _isqrt(height, width, rows, cols):
    side = math.isqrt(rows * cols)  # the slip: a square grid's side
    return height // side, width // side, side, side


@pytest.mark.parametrize("style", ["scatter", "slices"])
def test_right_answers_still_pass(style, capsys):
    check_insertion_curve(_answer(_right, style))
    assert "Correct!" in capsys.readouterr().out


def test_swapped_sides_that_raise_are_named_alone():
    answer = _answer(_swapped, "scatter")
    with pytest.raises(RuntimeError):  # the probe: swapped sides raise on a 2 x 8 map of 16 x 16 images
        answer(*_probe())
    with pytest.raises(ExerciseFailed, match=r"raises on a 2 x 8 map of 16 x 16 images: each patch side") as failure:
        check_insertion_curve(answer)
    assert "ph, pw = H // cols, W // rows: swapped" in str(failure.value)
    assert "isqrt" not in str(failure.value) and "Either" not in str(failure.value)


def test_swapped_sides_that_run_are_named_alone():
    with pytest.raises(ExerciseFailed, match=r"you swapped the patch sides \(ph = H // cols") as failure:
        check_insertion_curve(_answer(_swapped, "slices"))
    assert "isqrt" not in str(failure.value)


@pytest.mark.parametrize("style", ["scatter", "slices"])
def test_a_grid_side_from_isqrt_is_named_alone(style):
    answer = _answer(_isqrt, style)
    if style == "scatter":  # raises on the lesson's 2 x 4 case (isqrt(8) = 2), runs on the probe
        with pytest.raises(RuntimeError):
            answer(*_probe(rows=2, cols=4, height=8, width=16))
    answer(*_probe())
    with pytest.raises(ExerciseFailed, match=r"gives the curve of a 4 x 4 map: the grid's side seems") as failure:
        check_insertion_curve(answer)
    assert "isqrt(rows * cols)" in str(failure.value)
    assert "swapped" not in str(failure.value) and "Either" not in str(failure.value)


def _probe(rows=2, cols=8, height=16, width=16):
    from vit_explained.exercises.lesson08 import _insertion_case

    return _insertion_case(torch.Generator().manual_seed(16), 2, 1, height, width, rows, cols, 4)

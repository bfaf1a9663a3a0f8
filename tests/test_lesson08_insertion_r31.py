"""Lesson 08's exercise 4, review r30c minors 1 and 2: the height and width swapped (height from W // cols, width
from H // rows) are named as a swap; one curve copied to every image is named; "check count 0 first" only when count
0 is the only wrong column."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson08 import _first_wrong_count, check_insertion_curve


def _curve(model, images, labels, scores, counts, *, side, sliced):
    batch, _, height, width = images.shape
    rows, cols = scores.shape[-2:]
    ph, pw = side(height, width, rows, cols)
    order = scores.flatten(1).argsort(dim=-1, descending=True)
    curve = torch.zeros(batch, len(counts))
    for j, k in enumerate(counts):
        if sliced:  # slices never raise: a wrong side gives a wrong mask
            mask = torch.zeros_like(images)
            for b in range(batch):
                for p in order[b, :k].tolist():
                    r, c = divmod(p, cols)
                    mask[b, :, r * ph : (r + 1) * ph, c * pw : (c + 1) * pw] = 1
        else:  # repeat_interleave: a wrong side raises on patches that are not square
            keep = torch.zeros(batch, rows * cols).scatter(1, order[:, :k], 1.0).reshape(batch, 1, rows, cols)
            mask = keep.repeat_interleave(ph, 2).repeat_interleave(pw, 3)
        with torch.no_grad():
            probabilities = model(images * mask).softmax(-1)
        curve[:, j] = probabilities.gather(1, labels[:, None])[:, 0]
    return curve


def _right(h, w, rows, cols):
    return h // rows, w // cols


def _swapped(h, w, rows, cols):  # the slip: height from W // cols, width from H // rows
    return w // cols, h // rows


@pytest.mark.parametrize("sliced", [True, False])
def test_insertion_names_height_and_width_swapped(sliced):
    def swapped(model, images, labels, scores, counts):
        return _curve(model, images, labels, scores, counts, side=_swapped, sliced=sliced)

    with pytest.raises(ExerciseFailed, match=r"height from W // cols, width from H // rows: swapped") as caught:
        check_insertion_curve(swapped)
    message = str(caught.value)
    assert message.index("swapped") < message.index("H // rows for both") if "for both" in message else True


def test_insertion_names_one_curve_for_every_image():
    def batch_mean(model, images, labels, scores, counts):
        curve = _curve(model, images, labels, scores, counts, side=_right, sliced=True)
        return curve.mean(0, keepdim=True).expand_as(curve).clone()

    with pytest.raises(ExerciseFailed, match=r"one curve per image, not the batch mean") as caught:
        check_insertion_curve(batch_mean)
    assert "check count 0" not in str(caught.value)


def test_insertion_right_answers_still_pass():
    for sliced in (True, False):
        check_insertion_curve(lambda m, x, y, s, c, sliced=sliced: _curve(m, x, y, s, c, side=_right, sliced=sliced))


def test_check_count_0_first_only_when_count_0_alone_is_wrong():
    expected = torch.zeros(2, 3)
    only_0 = expected.clone()
    only_0[:, 0] = 1
    assert _first_wrong_count(only_0, expected, [0, 2, 4]) == (
        "; only count 0 differs: check count 0 (the all-zero image) first"
    )
    everywhere = expected + 1
    assert "check count 0" not in _first_wrong_count(everywhere, expected, [0, 2, 4])
    assert _first_wrong_count(everywhere, expected, [0, 2, 4]) == "; count 0 is the first that differs"

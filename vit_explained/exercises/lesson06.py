"""Checkers for lesson 06 (train a small ViT). None of them needs a long training run."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import numpy as np
import torch

from .. import clinic, evidence, training
from . import ExerciseFailed, as_int, as_tensor, attempt, fail, forbid, passed

#: Exercise 1 rebuilds the accuracy; exercise 4 the paired t-interval: the package's own are refused.
_NO_ACCURACY = forbid(training.accuracy, training.evaluate, reason="the accuracy from the logits")
_NO_PAIRED_INTERVAL = forbid(
    evidence.paired_seeds,
    evidence.SeedComparison.t_interval,
    clinic.seeds_and_digits_interval,
    reason="the paired t-interval from the differences",
)

__all__ = [
    "check_accuracy",
    "check_bug_for_each_symptom",
    "check_leans_or_better",
    "check_max_safe_shift",
    "check_paired_interval",
    "check_smoothing_floor",
    "check_train_step",
]


def _logit_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(6)
    cases = []
    # a batch larger than the class count, where argmax over the wrong axis gives other answers
    for batch, classes in ((12, 10), (7, 3), (10, 10)):
        logits = torch.randn(batch, classes, generator=generator) * 3
        labels = torch.randint(0, classes, (batch,), generator=generator)
        labels[: batch // 2] = logits[: batch // 2].argmax(1)  # about half right
        cases.append((logits, labels))
    logits = torch.randn(9, 4, generator=generator) * 3  # every row right: all() gives 1, a compared logit 0
    cases.append((logits, logits.argmax(1)))
    return cases


def _wrong_axis_accuracies(logits: torch.Tensor, labels: torch.Tensor) -> set[float]:
    """What an argmax over the batch axis (dim=0) could give, compared with the labels."""
    predictions = logits.argmax(dim=0)  # (K,): one "prediction" per class
    n = min(len(predictions), len(labels))
    candidates = {(predictions[:n] == labels[:n]).float().mean().item()}
    if len(predictions) == len(labels):
        candidates.add((predictions == labels).float().mean().item())
    return candidates


def _accuracy_of(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    return (predictions == labels).float().mean().item()


#: (does this slip explain ``result`` for these logits and labels?, what to say), most specific first.
#: A slip is named only when it explains the answer on every case the answer gets wrong.
_ACCURACY_SLIPS: list[tuple[Callable[[torch.Tensor, torch.Tensor, float, bool], bool], str]] = [
    (
        lambda logits, labels, result, _: abs(result - _accuracy_of(logits.argmax(1), labels) * len(labels)) < 1e-6,
        "you returned the number of correct predictions; divide by the batch size to get a fraction",
    ),
    (
        lambda logits, labels, result, _: (
            abs(result - int((logits.argmax(1) == labels).sum()) / logits.shape[1]) < 1e-6
        ),
        "you divided the count of correct predictions by the number of classes K (logits.shape[1]); divide by the "
        "batch size B (len(labels) or logits.shape[0])",
    ),
    (
        lambda logits, labels, result, _: abs(result - _accuracy_of(logits.argmax(1), labels) * 100) < 1e-4,
        "you returned a percentage; return a fraction in [0, 1]",
    ),
    (
        lambda logits, labels, result, integer: (
            integer and result == int((logits.argmax(1) == labels).sum()) // len(labels)
        ),
        "integer division: the count of correct predictions // the batch size rounds down to 0 unless every "
        "prediction is right; divide with /",
    ),
    (
        lambda logits, labels, result, _: result == int((logits.argmax(1) == labels).sum()) // len(labels),
        "you returned 0 unless every prediction is right (then 1): all() asks whether every row is right; "
        "take the mean of a float tensor instead",
    ),
    (
        lambda logits, labels, result, _: abs(result - _accuracy_of(logits.argmax(1, keepdim=True), labels)) < 1e-6,
        "your predictions are (B, 1) (argmax with keepdim=True, or topk(1).indices): (B, 1) == (B,) broadcasts "
        "to a (B, B) table; drop keepdim, or .squeeze(1), so both are (B,)",
    ),
    (
        lambda logits, labels, result, _: abs(result - _accuracy_of(logits.argmax(), labels)) < 1e-6,
        "argmax() without dim flattens the whole (B, num_classes) tensor and returns one index; "
        "take the argmax of each row: dim=1",
    ),
    (
        lambda logits, labels, result, _: abs(result - (1 - _accuracy_of(logits.argmax(1), labels))) < 1e-6,
        "you returned the error rate, 1 - accuracy: the fraction of rows the model gets wrong; return the fraction "
        "it gets right",
    ),
    (
        lambda logits, labels, result, _: abs(result - _accuracy_of(logits.argmin(1), labels)) < 1e-6,
        "argmin picks the wrong end: it gives the class with the smallest logit, the one the model finds least "
        "likely; the prediction is the class with the largest logit",
    ),
    (
        lambda logits, labels, result, _: abs(result - _accuracy_of(logits.softmax(0).argmax(1), labels)) < 1e-6,
        "a softmax over dim=0 (the batch axis) rescales each class's column across the batch, which changes which "
        "class wins in a row; take the softmax over dim=1, or skip it: the argmax of the logits is the same",
    ),
    (
        lambda logits, labels, result, _: any(
            abs(result - wrong) < 1e-6 for wrong in _wrong_axis_accuracies(logits, labels)
        ),
        "the argmax is over the wrong axis: you took it over the batch axis, and the classes are along the other one",
    ),
    (
        lambda logits, labels, result, _: any(
            abs(result - _accuracy_of(values, labels)) < 1e-6
            for values in (logits.max(dim=1).values, logits.softmax(dim=1).max(dim=1).values)
        ),
        "you compared the largest logit (or probability) itself with the label; compare its index",
    ),
    (
        lambda logits, labels, result, _: (
            abs(result - (logits.softmax(dim=1).max(dim=1).values > 0.5).float().mean()) < 1e-6
        ),
        "you counted the confident rows (largest probability above 0.5), not the right ones: confidence is not "
        "correctness; compare the argmax with the label",
    ),
    (
        lambda logits, labels, result, _: any(
            abs(result - round(_accuracy_of(logits.argmax(1), labels), digits)) < 1e-6 for digits in range(1, 5)
        ),
        "you rounded the accuracy (round(..., 2), or a formatted string read back): return the fraction unrounded",
    ),
]


def _accuracy_hint(error: Exception) -> str | None:
    text = str(error)
    if isinstance(error, RuntimeError) and ("dtype" in text or "Bool" in text or "Long" in text):
        return (
            "The comparison predictions == labels gives a bool tensor (and a count an integer one), and "
            ".mean() needs a float tensor: take .float().mean()"
        )
    if isinstance(error, AttributeError) and "'bool' object" in text:
        return (
            "max(dim) returns (values, indices), and a tuple == a tensor is one Python bool; use .argmax(dim=1) "
            "(or .max(dim=1).indices) for the predicted classes"
        )
    if isinstance(error, ZeroDivisionError):
        # review r39e minor 8: the raised error is already named before the hint; say only what to do
        return "The checker's batches are never empty: check what you divide by"  # r38e minor 6: no guess at it
    if isinstance(error, RuntimeError) and "must match the size" in text:
        return (
            "the predictions and the labels have different lengths: the argmax is probably over the wrong axis "
            "(over the batch axis it gives one index per class); the classes are along the other one"
        )
    if isinstance(error, IndexError) or any(word in text for word in ("dimension", "shape", "size")):
        return "logits are (B, num_classes): take the largest entry of each row"
    return None  # an unrelated error (a NameError, a typo): its own message is enough, no shape hint


def _call_accuracy(accuracy: Callable[[torch.Tensor, torch.Tensor], float], logits, labels):
    """The learner's answer on one case; a length mismatch gets the hint alone, with the two shapes in plain words
    (torch's raw "size of tensor a ... must match" text is left out)."""
    try:
        return _NO_ACCURACY(accuracy, logits.clone(), labels.clone(), hint=_accuracy_hint)
    except ExerciseFailed as error:
        if "must match the size" in str(error):
            batch, classes = logits.shape
            fail(
                f"{_accuracy_hint(RuntimeError('must match the size'))}. For logits of shape ({batch}, {classes}) "
                f"the predictions should be {batch} long, as the labels are"
            )
        raise


def check_accuracy(accuracy: Callable[[torch.Tensor, torch.Tensor], float]) -> None:
    """``accuracy(logits (B, K), labels (B,)) -> float`` in ``[0, 1]``: the fraction whose top logit is the label."""
    wrong = []
    for logits, labels in _logit_cases():
        expected = _accuracy_of(logits.argmax(dim=1), labels)
        result = _call_accuracy(accuracy, logits, labels)
        if result is None:
            fail("your accuracy returned None: return a float (is the return statement missing?)")
        if isinstance(result, bool):
            fail(f"return a float, got a bool ({result!r})")
        if isinstance(result, (list, tuple)):
            fail(f"return one float, not a {type(result).__name__} ({result!r}): take the number out of it")
        if not isinstance(result, (torch.Tensor, np.ndarray, np.generic, int, float)) and hasattr(result, "__float__"):
            result = float(result)  # a Fraction or a Decimal: a number all the same
        if not isinstance(result, (torch.Tensor, np.ndarray, np.generic, int, float)):  # a str, a dict, ...
            fail(f"your accuracy returned a {type(result).__name__}; return a float (a one-number tensor also works)")
        result_in = result
        integer = isinstance(result, int) or (isinstance(result, torch.Tensor) and not result.is_floating_point())
        integer = integer or isinstance(result, np.integer)
        value = as_tensor(result, "your accuracy")
        if value.numel() != 1:
            fail(f"return one number for the whole batch, got shape {tuple(value.shape)}")
        if value.dtype.is_complex or value.dtype == torch.bool:
            fail(f"return a float, got a {value.dtype} tensor")
        result = float(value.item())  # a 0-d tensor with the right value is a right answer too
        # a float16/bfloat16 mean rounds the fraction: right within that dtype's rounding (about 1e-3; bfloat16 4e-3)
        half = isinstance(result_in, torch.Tensor) and result_in.dtype in (torch.float16, torch.bfloat16)
        if abs(result - expected) >= (torch.finfo(result_in.dtype).eps if half else 1e-6):
            wrong.append((logits, labels, result, integer))
    if wrong:
        if len(wrong) == len(_logit_cases()) and len({round(case[2], 9) for case in wrong}) == 1:
            value = wrong[0][2]
            compared = " (if you compared the largest logit or probability itself with the label, compare its index)"
            fail(
                f"you returned {value:g} for every batch, whatever the logits: compute the accuracy from the logits "
                f"and labels you are given{compared if value == 0 else ''}"
            )
        for slip, message in _ACCURACY_SLIPS:
            if all(slip(*case) for case in wrong):
                fail(message)
        logits, _, result, _ = wrong[0]
        precision = " (a float16/bfloat16 mean is right only to about 1e-3: take .float().mean())" if half else ""
        fail(
            f"for logits of shape {tuple(logits.shape)} the accuracy is not {result:.4f}: it is the fraction of "
            f"rows whose predicted class equals the label{precision}"
        )
    passed("the prediction is the argmax over the class axis (dim=1); softmax would not change it.")


def _rectangles(*boxes: tuple[int, int, int, int], size: int | tuple[int, int] = 14, channels: int = 1) -> torch.Tensor:
    """Made-up "digits": one rectangle of ink per image, ``(top, bottom, left, right)`` blank margins;
    ``size`` is ``H`` (square) or ``(H, W)``."""
    height, width = (size, size) if isinstance(size, int) else size
    images = torch.zeros(len(boxes), channels, height, width)
    for index, (top, bottom, left, right) in enumerate(boxes):
        images[index, index % channels, top : height - bottom, left : width - right] = 0.6 + 0.2 * (index % 3)
    return images


def _digit_batch() -> torch.Tensor:
    """Four made-up 14x14 "digits" (rectangles of ink) with known blank margins: the left one decides."""
    return _rectangles((5, 5, 3, 6), (5, 5, 3, 2), (4, 5, 5, 5), (6, 6, 1, 5))


def _two_channels() -> torch.Tensor:
    """Two-channel images: both channels have ink, the second channel's is nearer an edge."""
    inner = _rectangles((5, 4, 4, 5), (5, 5, 4, 4), (4, 5, 5, 5))
    outer = _rectangles((3, 3, 2, 3), (4, 3, 3, 4), (3, 4, 4, 3))
    return torch.cat([inner, outer], dim=1)


def _mixed_sign() -> torch.Tensor:
    """Negative ink in an outer ring, positive ink inside it (a normalised image has both signs)."""
    outer = _rectangles((2, 3, 4, 4), (4, 4, 3, 5))
    inner = _rectangles((4, 5, 6, 6), (6, 6, 5, 7))
    return 2 * (inner > 0).float() - (outer > 0).float()  # inside 1, the ring -1


def _faint_edges() -> torch.Tensor:
    """Faint ink (0.25) reaching nearer the edge than the strong ink (1.0) inside it."""
    outer = _rectangles((2, 4, 3, 3), (4, 3, 4, 4))
    inner = _rectangles((4, 6, 5, 5), (6, 5, 6, 6))
    return torch.maximum(0.25 * (outer > 0).float(), (inner > 0).float())


def _very_faint_edges() -> torch.Tensor:
    """Very faint ink (1/255, the faintest an 8-bit image holds) nearest the edge, strong ink inside it."""
    outer = _rectangles((3, 2, 2, 4), (2, 4, 3, 3))
    inner = _rectangles((5, 4, 4, 6), (4, 6, 5, 5))
    return torch.maximum((outer > 0).float() / 255, (inner > 0).float())


def _faintest_edges() -> torch.Tensor:
    """Ink of 0.0001 (fainter than any 8-bit value, as after resizing or normalising) nearest the edge."""
    outer = _rectangles((3, 4, 2, 3), (2, 3, 4, 3))
    inner = _rectangles((5, 5, 4, 5), (4, 5, 5, 5))
    return torch.maximum((outer > 0).float() * 1e-4, (inner > 0).float())


def _wide_batch() -> torch.Tensor:
    """10 x 14 images (H != W): the right margin, on the long side, decides."""
    return _rectangles((3, 3, 4, 2), (3, 3, 3, 4), (4, 3, 5, 3), size=(10, 14))


def _tall_batch() -> torch.Tensor:
    """14 x 10 images (H != W): the bottom margin, on the long side, decides."""
    return _rectangles((3, 3, 4, 3), (4, 3, 3, 3), (3, 2, 3, 3), size=(14, 10))


def _cancelling_channels() -> torch.Tensor:
    """Two channels whose ink cancels near the edge (+0.4 in one, -0.4 in the other): still ink."""
    outer = _rectangles((2, 3, 3, 2), (3, 2, 2, 3))
    inner = _rectangles((4, 5, 5, 4), (5, 4, 4, 5))
    ring = (outer > 0).float() * 0.4
    first = torch.maximum(ring, (inner > 0).float())
    second = -ring * (inner == 0).float()
    return torch.cat([first, second], dim=1)


def _cancelling_images() -> torch.Tensor:
    """Two one-channel images whose faint rings cancel across the batch (+0.4 in one, -0.4 in the other)."""
    inner = _rectangles((4, 5, 5, 4), (5, 4, 4, 5))
    ring = (_rectangles((2, 3, 3, 2), (2, 3, 3, 2)) > 0).float() * 0.4 * torch.tensor([1.0, -1.0]).view(2, 1, 1, 1)
    return torch.where(inner > 0, inner, ring)


def _shift_batches() -> list[torch.Tensor]:
    """Batches where each side in turn is the nearest edge, one in colour with ink in one channel only,
    one with negative ink (a normalised image), and 200 MNIST training digits (the test digits stay unread)."""
    from ..data import load_mnist

    return [
        _digit_batch(),
        _digit_batch()[:3],
        _rectangles((4, 5, 3, 4), (1, 6, 4, 5), (5, 4, 4, 3)),  # the top margin decides
        _rectangles((3, 5, 4, 4), (4, 2, 5, 4), (6, 5, 4, 3)),  # the bottom margin decides
        _rectangles((4, 4, 3, 5), (5, 3, 5, 1), (3, 4, 4, 4)),  # the right margin decides
        _two_channels(),  # ink in both channels: the second one's reaches nearer the edge
        _mixed_sign(),  # negative ink around positive ink, as after normalising
        _faint_edges(),  # faint ink (0.25) nearest the edge, strong ink (1.0) further in
        _very_faint_edges(),  # very faint ink (1/255) nearest the edge
        _cancelling_channels(),  # +0.4 and -0.4 in two channels near the edge: their sum is 0, still ink
        _cancelling_images(),  # +0.4 in one image, -0.4 at the same pixels of the other: still ink
        _faintest_edges(),  # ink of 0.0001 nearest the edge: any non-zero pixel is ink
        _wide_batch(),  # 10 x 14 images: H and W swapped gives another answer
        _tall_batch(),  # 14 x 10 images: the bottom margin decides (one size for both axes is wrong here or above)
        load_mnist().train_images[:200],
    ]


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


def _leading_margins(images: torch.Tensor) -> int:
    """The smallest top or left margin only (what measuring from one side gives)."""
    ink = images.abs().sum(dim=1) > 0
    return int(torch.minimum(ink.any(dim=2).float().argmax(dim=1), ink.any(dim=1).float().argmax(dim=1)).min())


def _single_sides(images: torch.Tensor) -> set[int]:
    """The answer from one side only (top, bottom, left or right): the smallest such margin over the images."""
    ink = images.abs().sum(dim=1) > 0
    rows, cols = ink.any(dim=2).float(), ink.any(dim=1).float()  # (B, H), (B, W)
    return {int(m.argmax(dim=1).min()) for m in (rows, rows.flip(1), cols, cols.flip(1))}


def _largest_margins(images: torch.Tensor) -> set[int]:
    """The answers with a largest margin taken where the smallest belongs: each image's largest side, then the
    smallest over the images; or the largest margin of all."""
    ink = images.abs().sum(dim=1) > 0
    rows, cols = ink.any(dim=2).float(), ink.any(dim=1).float()
    sides = torch.stack([m.argmax(dim=1) for m in (rows, rows.flip(1), cols, cols.flip(1))])  # (4, B)
    return {int(sides.max(dim=0).values.min()), int(sides.max())}


def _one_side_plus_one(images: torch.Tensor, side: int) -> int:
    """The answer with one side's margin (0 top, 1 bottom, 2 left, 3 right) one too large, e.g. H - last."""
    ink = images.abs().sum(dim=1) > 0
    rows, cols = ink.any(dim=2).float(), ink.any(dim=1).float()
    sides = torch.stack([m.argmax(dim=1) for m in (rows, rows.flip(1), cols, cols.flip(1))])
    sides[side] += 1
    return int(sides.min())


#: What to say for each side's off-by-one slip (top, bottom, left, right).
_ONE_SIDE_MESSAGES = (
    "off by one on one side: the top margin is the index of the first ink row, not that + 1",
    "off by one on one side: the bottom margin is H - 1 - (last ink row), not H - (last ink row)",
    "off by one on one side: the left margin is the index of the first ink column, not that + 1",
    "off by one on one side: the right margin is W - 1 - (last ink column), not W - (last ink column)",
)


def _one_side_slip(answers: list[tuple[torch.Tensor, int, int]]) -> str | None:
    """The message for a one-side off-by-one slip, if it explains the answer on every batch (right ones too)."""
    for side, message in enumerate(_ONE_SIDE_MESSAGES):
        if all(result == _one_side_plus_one(images, side) for images, result, _ in answers):
            return message
    return None


def _swapped_sides(images: torch.Tensor) -> int:
    """The answer with H and W swapped when measuring the bottom and right margins from the far edge."""
    ink = images.abs().sum(dim=1) > 0
    height, width = ink.shape[1:]
    rows, cols = ink.any(dim=2).float(), ink.any(dim=1).float()
    top, left = rows.argmax(dim=1), cols.argmax(dim=1)
    last_row = height - 1 - rows.flip(1).argmax(dim=1)
    last_col = width - 1 - cols.flip(1).argmax(dim=1)
    sides = torch.stack([top, width - 1 - last_row, left, height - 1 - last_col])
    return int(sides.min())


def _swapped_answers(images: torch.Tensor) -> set[int]:
    """The answers with H and W swapped, also clamped at 0 (``max(..., 0)``)."""
    swapped = _swapped_sides(images)
    return {swapped, max(swapped, 0)}


def _one_size_slip(wrong: list[tuple[torch.Tensor, int, int]]) -> str | None:
    """Both far margins counted from one size (H or W): wrong only on the wide or only on the tall batch, where a
    swap of H and W is wrong on both. Also with a ``max(..., 0)`` clamp, whose 0 a square crop gives too on these
    batches: then both are named."""
    if not all(
        images.shape[-2] != images.shape[-1] and result in _one_size_answers(images) for images, result, _ in wrong
    ):
        return None
    if len({images.shape[-2] < images.shape[-1] for images, _, _ in wrong}) != 1:
        return None
    crop = all(result in _square_crop_answers(images) for images, result, _ in wrong)
    return (
        f"you used one size for both axes{', or cropped the images to a square (H x H or W x W)' if crop else ''}: "
        "some images here are not square (H != W); the bottom margin counts from H - 1 and the right margin from "
        "W - 1, with H, W = images.shape[-2:]"
    )


def _square_crop_answers(images: torch.Tensor) -> set[int]:
    """The answers on the images cropped to H x H or W x W."""
    return {_safe_shift(images[..., :side, :side]) for side in images.shape[-2:]}


def _one_size_answers(images: torch.Tensor) -> set[int]:
    """The answers with both far margins counted from H, or from W, each also clamped at 0."""
    margins = {_fixed_size_margins(images, size) for size in images.shape[-2:]}
    return margins | {max(margin, 0) for margin in margins}


def _fixed_size_margins(images: torch.Tensor, size: int) -> int:
    """The answer with the bottom and right margins counted from a fixed ``size`` (28 or 8), not from H and W."""
    ink = images.abs().sum(dim=1) > 0
    rows, cols = ink.any(dim=2).float(), ink.any(dim=1).float()
    last_row = ink.shape[1] - 1 - rows.flip(1).argmax(dim=1)
    last_col = ink.shape[2] - 1 - cols.flip(1).argmax(dim=1)
    sides = torch.stack([rows.argmax(dim=1), size - 1 - last_row, cols.argmax(dim=1), size - 1 - last_col])
    return int(sides.min())


def _unpack_hint(error: Exception) -> str | None:
    """A hint for "too many values to unpack": the images are (B, C, H, W), and C is not always 1."""
    if isinstance(error, ValueError) and "too many values to unpack" in str(error):
        return (
            "images are (B, C, H, W), and some batches here have C = 2 (squeeze(1) leaves those 4-D): "
            "a pixel has ink if any of its channels is non-zero"
        )
    return None


def _some_image(images: torch.Tensor, result: int, expected: int) -> bool:
    rows, cols = _margins(images)
    return len(images) > 1 and result > expected and result in {int(m) for m in torch.minimum(rows, cols)}


#: Thresholds a learner might compare ink with (``x > t`` or ``x.abs() > t``).
_THRESHOLDS = (
    0.0001,
    0.0002,
    0.0005,
    0.001,
    0.002,
    0.003,
    0.004,
    0.005,
    0.01,
    0.02,
    0.05,
    0.1,
    0.15,
    0.2,
    0.25,
    0.3,
    0.4,
    0.5,
    0.75,
)

#: (does this slip explain ``result`` for ``images``?, what to say), most specific first.
_SHIFT_SLIPS: list[tuple[Callable[[torch.Tensor, int, int], bool], str]] = [
    (
        lambda images, result, _: result == int(_margins(images)[0].min()),
        "check the columns (the left and right margins) as well as the rows",
    ),
    (
        lambda images, result, _: result == int(_margins(images)[1].min()),
        "check the rows (the top and bottom margins) as well as the columns",
    ),
    (
        lambda images, result, _: any(
            images.shape[-2:] != (size, size) and result == _fixed_size_margins(images, size) for size in (28, 8)
        ),
        "you measured the bottom and right margins from a fixed size (28 or 8?), not from each batch's own: "
        "the images here are 14 x 14, 10 x 14, 14 x 10 and 28 x 28; read H, W = images.shape[-2:]",
    ),
    (
        lambda images, result, _: result == _leading_margins(images),
        "you measured the top and left margins only: a shift down or to the right loses the ink near "
        "the bottom or right edge, so check all four sides",
    ),
    (
        # a swap clamped at 0 can give the square crop's 0 too (review r38g minor): name both
        lambda images, result, _: (
            images.shape[-2] != images.shape[-1]
            and result in _swapped_answers(images)
            and result in _square_crop_answers(images)
        ),
        "you swapped H and W (clamped at 0?), or cropped the images to a square (H x H or W x W): some images here "
        "are not square (H != W); the bottom margin counts from H - 1 and the right margin from W - 1, with H, W = "
        "images.shape[-2:]",
    ),
    (
        lambda images, result, _: images.shape[-2] != images.shape[-1] and result in _swapped_answers(images),
        "you swapped H and W: some images here are not square (H != W); the height is images.shape[-2] and the "
        "width images.shape[-1], so the bottom margin counts from H - 1 and the right margin from W - 1",
    ),
    (
        lambda images, result, _: images.shape[-2] != images.shape[-1] and result in _square_crop_answers(images),
        "you cropped the images to a square (H x H or W x W): some images here are not square (H != W), and ink "
        "beyond the crop is still ink; measure the rows over H and the columns over W",
    ),
    (
        lambda images, result, _: images.shape[1] > 1 and result == _safe_shift(images[:, :1]),
        "you looked at the first channel only: a pixel has ink if any of its channels is non-zero",
    ),
    (
        lambda images, result, _: len(images) > 1 and result == _safe_shift(images.sum(dim=0, keepdim=True)),
        "you summed over the batch, and the images can cancel: +0.4 in one image and -0.4 at the same pixel of "
        "another sum to 0 but are ink in both; test != 0 (or take .abs()) before combining the images",
    ),
    (
        lambda images, result, _: images.shape[1] > 1 and result == _safe_shift(images.sum(dim=1, keepdim=True)),
        "the channels can cancel: +0.4 in one channel and -0.4 in another sum to 0 but are ink; "
        "a pixel has ink if any of its channels is non-zero (take .abs() before summing, or .any over channels)",
    ),
    (
        lambda images, result, _: result == _safe_shift(images.sum(dim=(0, 1))[None, None]),
        "two slips: you summed over the batch and over the channels, and both can cancel (+0.4 and -0.4 at one "
        "pixel sum to 0 but are ink); test != 0 (or take .abs()) before combining images or channels",
    ),
    (
        lambda images, result, _: bool((images < 0).any()) and result == _safe_shift(images.clamp(min=0)),
        "ink can be negative (a normalised image): a pixel has ink if it is non-zero, not if it is > 0",
    ),
    (
        # after the "> 0" slip above, so it fires only where channels with opposite signs are summed
        lambda images, result, _: result == _safe_shift(images.sum(dim=1, keepdim=True).clamp(min=0)),
        "you summed the channels and kept the sum > 0 (x.sum(1) > 0?): + and - ink cancel when channels are "
        "summed, and negative ink is ink too; a pixel has ink if any channel is non-zero: use (x != 0).any(1)",
    ),
    (
        lambda images, result, _: any(
            result == _safe_shift(images * (images.abs() > threshold)) != _safe_shift(images)
            for threshold in _THRESHOLDS
        ),
        "faint ink is ink too: a pixel has ink if it is non-zero, not if it is above a threshold "
        "(some ink here is as faint as 0.0001: any non-zero pixel is ink)",
    ),
    (
        lambda images, result, _: any(
            result == _safe_shift(images * (images > threshold)) != _safe_shift(images) for threshold in _THRESHOLDS
        ),
        "faint ink is ink too, and so is negative ink: a pixel has ink if it is non-zero (test != 0, or "
        ".abs() > 0), not if it is above a threshold",
    ),
    (
        lambda images, result, _: result == _safe_shift(images[:, :1].clamp(min=0)),
        "two slips: you looked at the first channel only, and took ink as > 0; a pixel has ink if any of its "
        "channels is non-zero (negative ink too): test != 0 over every channel",
    ),
    (
        lambda images, result, expected: result == 0 < expected,
        "you returned 0 where these images have blank margins: your ink mask marks blank pixels too (>= 0 is "
        "true for a 0 pixel), or you compared float sums of ink exactly (rounding moves them); a pixel has ink if "
        "it is non-zero: test != 0",
    ),
    (
        lambda _, result, expected: result == expected + 1,
        "off by one: a margin of m blank pixels allows a shift of m, not m + 1",
    ),
    (
        lambda _, result, expected: result == expected - 1,
        "off by one: a margin of m blank pixels allows a shift of m, not m - 1",
    ),
    (
        # review r39i minor 1: before the one-side slip, which a largest margin can look like
        lambda images, result, expected: result > expected and result in _largest_margins(images),
        "you took the largest margin: a shift is safe only up to the smallest one, over all four sides and all images",
    ),
    (
        lambda images, result, _: result in _single_sides(images),
        "you measured one side only (the top margin, say): a shift the other way loses the ink near the "
        "opposite edge, so check all four sides",
    ),
    (
        _some_image,
        "a shift that is safe for some images but not all of them: use the smallest margin over all images",
    ),
]


def _one_per_image(raw: object, batch: int) -> bool:
    """True when ``raw`` is a list, tuple, tensor or array of ``batch`` (> 1) numbers: one per image."""
    if isinstance(raw, (torch.Tensor, np.ndarray)):
        return raw.ndim == 1 and raw.shape[0] == batch > 1
    return isinstance(raw, (list, tuple)) and len(raw) == batch > 1


def _is_float(raw: object) -> bool:
    """A float, a numpy float or a one-number floating tensor or array (exercise 3 asks for an int)."""
    if isinstance(raw, torch.Tensor):
        return raw.is_floating_point()
    if isinstance(raw, (np.ndarray, np.generic)):
        return bool(np.issubdtype(raw.dtype, np.floating))
    return isinstance(raw, float)


def check_max_safe_shift(max_safe_shift: Callable[[torch.Tensor], int]) -> None:
    """``max_safe_shift(images (B, C, H, W)) -> int``: the largest shift (in pixels, any direction)
    that keeps the ink of *every* image inside the frame."""
    answers = []
    for images in _shift_batches():
        raw = attempt(max_safe_shift, images.clone(), hint=_unpack_hint)
        if _one_per_image(raw, len(images)):
            fail(
                f"you returned one shift per image ({len(images)} numbers); the answer is one number for the whole "
                "batch: take the smallest margin over all images"
            )
        if raw is None:  # review r39j minor 5: said once, with the likely cause
            fail("your function returned None: return the shift, an int (is the return statement missing?)")
        if _is_float(raw):
            fail(f"return an int (a whole number of pixels), as asked; got a float ({raw!r:.40}): int(...) it")
        result = as_int(raw, "your shift (a whole number of pixels)")
        answers.append((images, result, _safe_shift(images)))
    wrong = [(images, result, expected) for images, result, expected in answers if result != expected]
    if wrong and len({result for _, result, _ in answers}) == 1 and len({expected for *_, expected in answers}) > 1:
        value = answers[0][1]
        mask = "; or your ink mask marks blank pixels too (>= 0 is true for a 0 pixel): test != 0" if value == 0 else ""
        fail(f"you returned {value} for every batch, whatever the images (hard-coded?): measure the margins{mask}")
    if wrong and all(result == 1 and expected == 0 for _, result, expected in wrong):
        fail(
            "you returned 1 where no shift is safe (a floor such as max(..., 1)?): when some image's ink touches "
            "the frame the answer is 0"
        )
    if wrong and (message := _one_side_slip(answers)):
        fail(message)
    if wrong and (message := _one_size_slip(wrong)):
        fail(message)
    if wrong:
        # Name a slip only if it explains the answer on every batch it gets wrong (one batch alone can
        # mislead: the largest margin of some image may happen to equal the smallest top/bottom margin).
        for slip, message in _SHIFT_SLIPS:
            if all(slip(images, result, expected) for images, result, expected in wrong):
                fail(message)
        images, result, expected = wrong[0]
        if result > expected:
            fail(f"a shift of {result} pushes ink out of at least one image: use the smallest margin over all images")
        fail(f"got {result}; a larger shift is still safe for every image in this batch of {len(images)}")
    passed(
        "shifts up to this many pixels never cut ink off. On MNIST the answer is 0: a few digits touch the frame, "
        "so any whole-pixel shift (Recipe(max_shift=1)) trims a little ink off those."
    )


# --- exercise 2: one training step ----------------------------------------------------------------


class _Probe(torch.nn.Module):
    """A tiny classifier that records whether it was in training mode at each forward pass."""

    def __init__(self) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(62)
        self.linear = torch.nn.Linear(12, 3)
        with torch.no_grad():
            self.linear.weight.copy_(torch.randn(3, 12, generator=generator) * 0.3)
            self.linear.bias.copy_(torch.randn(3, generator=generator) * 0.1)
        self.modes: list[bool] = []
        self.events: list[str] = []  # "backward" when a backward pass reached the logits (shared with _SGD)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        self.modes.append(self.training)
        logits = self.linear(images.flatten(1))
        if logits.requires_grad:
            logits.register_hook(lambda grad: self.events.append("backward"))
        elif not torch.is_grad_enabled():
            self.events.append("no_grad")
        return logits


class _SGD:
    """SGD with momentum, written out: what ``torch.optim.SGD(params, lr, momentum)`` does (dampening 0, no
    Nesterov, no weight decay), without the seconds its first construction costs (it imports torch._dynamo).
    Records, at every ``step()``, whether gradients existed."""

    def __init__(self, params, lr: float = 0.1, momentum: float = 0.9, events: list[str] | None = None) -> None:
        self.param_groups = [{"params": list(params), "lr": lr, "momentum": momentum}]
        self._buffers: dict[int, torch.Tensor] = {}
        self.steps: list[bool] = []
        self.events = [] if events is None else events  # "step:grads" or "step:none" at every step

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.param_groups[0]["params"]:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    @torch.no_grad()
    def step(self, closure: Callable[[], object] | None = None) -> object:
        """As ``torch.optim.SGD.step``: a closure given is called first (with gradients on), its result returned."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        group = self.param_groups[0]
        self.steps.append(any(p.grad is not None for p in group["params"]))
        nonzero = any(p.grad is not None and bool(p.grad.any()) for p in group["params"])
        self.events.append("step:grads" if nonzero else "step:none")
        for p in group["params"]:
            if p.grad is None:
                continue
            buffer = self._buffers.get(id(p))
            buffer = p.grad.clone() if buffer is None else buffer.mul_(group["momentum"]).add_(p.grad)
            self._buffers[id(p)] = buffer
            p.add_(buffer, alpha=-group["lr"])
        return loss


def _step_batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(64)
    return [
        (torch.randn(batch, 1, 3, 4, generator=generator), torch.randint(0, 3, (batch,), generator=generator))
        for batch in (8, 5, 8)
    ]


def _reference_steps(
    accumulate: bool = False, step_first: bool = False, loss_slip: str | None = None
) -> tuple[list[torch.Tensor], list[float]]:
    """The weights after each step and the loss of each step, done right (or with one of the slips:
    gradients that add up, step before backward, ``loss_slip`` "softmax" or "sum")."""
    model = _Probe()
    optimizer = _SGD(model.parameters())
    weights, losses = [], []
    for images, labels in _step_batches():
        if not accumulate:
            optimizer.zero_grad()
        logits = model(images)
        if loss_slip == "softmax":
            loss = torch.nn.functional.cross_entropy(logits.softmax(dim=1), labels)
        elif loss_slip == "nll":
            loss = torch.nn.functional.nll_loss(logits, labels)
        elif loss_slip is not None and loss_slip.startswith("smoothing"):
            smoothing = float(loss_slip.split(":")[1])
            loss = torch.nn.functional.cross_entropy(logits, labels, label_smoothing=smoothing)
        elif loss_slip == "sum":
            loss = torch.nn.functional.cross_entropy(logits, labels, reduction="sum")
        else:
            loss = torch.nn.functional.cross_entropy(logits, labels)
        if step_first:
            optimizer.step()
        loss.backward()
        if not step_first:
            optimizer.step()
        weights.append(torch.cat([p.detach().flatten() for p in model.parameters()]).clone())
        losses.append(loss.item())
    return weights, losses


def _train_step_hint(error: Exception) -> str | None:
    if isinstance(error, RuntimeError) and "backward through the graph a second time" in str(error):
        return "call loss.backward() once per step (a second call needs a new forward pass)"
    if isinstance(error, RuntimeError) and "does not require grad" in str(error):
        return (
            "the loss has no graph to backpropagate: the forward pass ran under torch.no_grad() (or the logits "
            "were detached); compute logits = model(images) outside torch.no_grad()"
        )
    if isinstance(error, TypeError) and "item" in str(error):
        return "loss.item() turns the 0-d loss tensor into a float; call it on the tensor, not on a float"
    return None


def _check_forward_modes(modes: list[bool], events: list[str]) -> None:
    """The step called the model once, in training mode (``events``: this call's backward and step events)."""
    if not modes:
        fail("your step never called the model: compute logits = model(images) inside train_step")
    if len(modes) > 1:
        fail(
            f"your step ran the model {len(modes)} times on one batch: one forward pass, one "
            "backward, one step (to return the loss, return the loss you backpropagated)"
        )
    if not all(modes):
        first_step = next((i for i, event in enumerate(events) if event.startswith("step")), None)
        in_order = first_step is not None and "backward" in events[:first_step] and events[first_step] == "step:grads"
        fail(
            "the model was in eval mode during the forward pass: call model.train() first (evaluate and "
            "predict leave a model in eval mode, where dropout is off and BatchNorm uses its running "
            "statistics)"
            + (
                ""
                if in_order
                else "; not the only bug (the listing has three): then check the order of zero_grad / backward / step"
            )
        )


def _diagnose_unmoved_weights(model: _Probe, steps: list[bool]) -> NoReturn:
    """The first step left the weights where they were: say why."""
    events = model.events
    first_step = next((i for i, event in enumerate(events) if event.startswith("step")), None)
    if first_step is not None and "backward" in events[:first_step] and events[first_step] == "step:none":
        fail(
            "loss.backward() produced gradients, but they were gone (or zero) when optimizer.step() ran: "
            "zero_grad between backward and step clears the gradients before the step; call "
            "optimizer.zero_grad() before the forward pass (or before backward)"
        )
    if steps and not steps[0]:
        if not any(p.grad is not None and bool(p.grad.any()) for p in model.parameters()):
            fail(
                "the logits were detached (or computed under torch.no_grad()): the weights get no gradient, "
                "so the step moves nothing; use logits = model(images) as it is, inside the graph"
            )
        fail(
            "optimizer.step() ran before loss.backward(): there were no gradients yet, so the weights did "
            "not move; backward computes the gradients, then step uses them"
        )
    if not steps and "no_grad" in events:
        fail(
            "the forward pass ran under torch.no_grad(): no graph is recorded, so there is nothing to "
            "backpropagate; compute logits = model(images) outside torch.no_grad(), then call "
            "loss.backward() and optimizer.step()"
        )
    if not steps:
        fail("the weights did not change: call optimizer.step() after loss.backward()")
    fail("the weights did not change: call loss.backward() and then optimizer.step()")


#: The slips `_reference_steps` can replay, each with the message its weights give away.
_STEP_SLIPS: tuple[tuple[dict[str, object], str], ...] = (
    (
        {"accumulate": True},
        "the gradients add up from step to step: loss.backward() adds to .grad, so clear it at "
        "every step with optimizer.zero_grad() before backward",
    ),
    (
        {"step_first": True},
        "optimizer.step() ran before loss.backward(): each step then uses the previous batch's gradients",
    ),
    (
        {"loss_slip": "softmax"},
        "the cross-entropy got softmax outputs: F.cross_entropy applies log-softmax itself, so give it the "
        "logits (a softmax first squashes the loss and its gradients)",
    ),
    (
        {"loss_slip": "nll"},
        "F.nll_loss got the logits: it expects log-probabilities (it only picks -input[label]), so the loss "
        "is not a cross-entropy; use F.cross_entropy(logits, labels), or nll_loss(logits.log_softmax(dim=1), labels)",
    ),
    *(
        (
            {"loss_slip": f"smoothing:{smoothing}"},
            f"the loss uses label smoothing ({smoothing}): this step asks for the plain cross-entropy, "
            "F.cross_entropy(logits, labels) without label_smoothing (fit switches smoothing on from the recipe)",
        )
        for smoothing in (0.1, 0.05, 0.2)
    ),
    (
        {"loss_slip": "sum"},
        'the loss is summed over the batch (reduction="sum"): the step then grows with the batch size; '
        "use the default mean",
    ),
)


def _clipping_message(model: _Probe, before: torch.Tensor, images: torch.Tensor, labels: torch.Tensor) -> str | None:
    """The gradients the step used (still on the model) against backward's own at the weights before the
    step: scaled down as a whole (clip_grad_norm_) or clamped one by one (clip_grad_value_)?"""
    if any(p.grad is None for p in model.parameters()):
        return None
    held = torch.cat([p.grad.flatten() for p in model.parameters()])
    probe = _Probe()
    torch.nn.utils.vector_to_parameters(before, probe.parameters())
    loss = torch.nn.functional.cross_entropy(probe(images), labels)
    true = torch.cat([g.flatten() for g in torch.autograd.grad(loss, list(probe.parameters()))])
    if torch.allclose(held, true, rtol=1e-4, atol=1e-7) or not held.any():
        return None
    advice = "this step asks for the plain step (fit does not clip either): remove it"
    ratio = (held.norm() / true.norm()).item()
    if ratio < 1 and torch.allclose(held, true * ratio, rtol=1e-4, atol=1e-7):
        return f"the gradients were scaled down to {ratio:.2f}x before the step (clip_grad_norm_); {advice}"
    bound = held.abs().max()
    if torch.allclose(held, true.clamp(-bound, bound), rtol=1e-4, atol=1e-7):
        return f"the gradients were clamped to +-{bound.item():.3g} before the step (clip_grad_value_); {advice}"
    return None


def _diagnose_wrong_weights(weights: torch.Tensor, call: int, slips: list[tuple[list[torch.Tensor], str]]) -> NoReturn:
    """The weights after this call are not one plain step's: name the slip whose weights they match."""
    for slipped, message in slips:
        if torch.allclose(weights, slipped[call], rtol=1e-4, atol=1e-6):
            fail(message)
    fail(
        f"after step {call + 1} the weights are not those of one plain step: use F.cross_entropy(logits, "
        "labels) (no label smoothing here), the optimizer you were given (a new one forgets its momentum), "
        "then zero_grad, backward, step, in that order"
    )


def _check_returned_loss(loss: object, right_loss: float) -> None:
    """The step returned this step's mean loss, as a float."""
    if isinstance(loss, bool) or loss is None:
        fail(f"return the step's loss as a float, got {loss!r}")
    if isinstance(loss, (list, tuple)):  # as exercise 1 refuses them
        fail(f"return one float, not a {type(loss).__name__} ({loss!r}): take the number out of it")
    value = as_tensor(loss, "your loss")
    if value.numel() != 1:
        fail(f"return one number, the mean loss of the batch, got shape {tuple(value.shape)}")
    gap = abs(float(value.item()) - right_loss)
    allowed = 1e-5 * max(1.0, abs(right_loss))
    rounded = any(abs(float(value.item()) - round(right_loss, digits)) < 1e-9 for digits in range(1, 5))
    if gap > allowed and rounded:  # the right loss, rounded to 1-4 decimals
        fail(
            f"the weights are right but the returned loss differs from this step's by {gap:.1e} (allowed: "
            f"{allowed:.0e}): was it rounded? return it unrounded, e.g. loss.item()"
        )
    if gap > allowed:
        fail(
            f"the weights are right but the returned loss is not this step's (it differs by {gap:.3g}): return "
            "the loss you backpropagated (computed before the step), e.g. loss.item()"
        )
    if isinstance(loss, torch.Tensor) and loss.requires_grad:
        fail(
            "return loss.item() (a float), not the loss tensor: a list of such tensors keeps every "
            "step's graph alive in memory"
        )


def check_train_step(
    train_step: Callable[[torch.nn.Module, torch.optim.Optimizer, torch.Tensor, torch.Tensor], float],
) -> None:
    """``train_step(model, optimizer, images, labels) -> float``: one step of training (training mode,
    clear the old gradients, forward, cross-entropy, backward, step), returning the step's loss."""
    right, right_losses = _reference_steps()
    slips = [(_reference_steps(**options)[0], message) for options, message in _STEP_SLIPS]
    model = _Probe()
    optimizer = _SGD(model.parameters(), events=model.events)
    steps = optimizer.steps  # at each optimizer.step(): did gradients exist?
    model.eval()  # as `evaluate` or `predict` leave a model: the step must switch training mode on itself
    start = torch.cat([p.detach().flatten() for p in model.parameters()]).clone()
    before = start
    for call, (images, labels) in enumerate(_step_batches()):
        model.modes.clear()
        loss = attempt(train_step, model, optimizer, images.clone(), labels.clone(), hint=_train_step_hint)
        _check_forward_modes(model.modes, model.events)
        weights = torch.cat([p.detach().flatten() for p in model.parameters()])
        if call == 0 and torch.equal(weights, start):
            _diagnose_unmoved_weights(model, steps)
        if not steps:
            fail(
                "the weights moved, but not through the optimizer you were given (you updated the weights "
                "yourself, or stepped a new optimizer): step the optimizer you were given (a new optimizer at "
                "every step forgets its momentum and Adam's running averages)"
            )
        if len(steps) != call + 1:
            fail(f"after {call + 1} call{'s' * (call > 0)} optimizer.step() ran {len(steps)} times: one step per call")
        if not torch.allclose(weights, right[call], rtol=1e-4, atol=1e-6):
            clipped = _clipping_message(model, before, images, labels)
            fail(clipped) if clipped else _diagnose_wrong_weights(weights, call, slips)
        _check_returned_loss(loss, right_losses[call])
        before = weights.clone()
    passed(
        "train mode, forward, loss, backward, step, with the gradients cleared between steps (every loop in this "
        "lesson and `fit` runs zero_grad before backward, step after backward)."
    )


# --- exercise 4: the 95 % rule of section 5, passed or not -------------------------------


def _interval_cases() -> list[tuple[object, object]]:
    generator = np.random.default_rng(65)
    cases: list[tuple[object, object]] = []
    for seeds, shift in ((3, 0.02), (5, 0.005), (10, 0.01), (4, -0.03)):
        b = 0.9 + 0.03 * generator.standard_normal(seeds)
        a = b + shift + 0.01 * generator.standard_normal(seeds)
        cases.append((a.round(4).tolist(), b.round(4).tolist()))
    cases.append((np.array([0.95, 0.96, 0.94, 0.97]), np.array([0.93, 0.97, 0.92, 0.94])))  # numpy arrays
    return cases


def _t_interval(
    a: np.ndarray,
    b: np.ndarray,
    *,
    level: float = 0.95,
    ddof: int = 1,
    z: bool = False,
    dof_shift: int = 0,
    paired: bool = True,
    spread: bool = False,
    welch: bool = False,
    one_error: bool = False,
) -> tuple[float, float]:
    from scipy import stats

    n = len(a)
    quantile = stats.norm.ppf(0.5 + level / 2) if z else stats.t.ppf(0.5 + level / 2, n - 1 + dof_shift)
    if one_error:  # mean -/+ one standard error, no quantile
        quantile = 1.0
    if paired:
        differences = a - b
        scale = differences.std(ddof=ddof) / (1.0 if spread else np.sqrt(n))
    else:
        scale = np.sqrt(a.var(ddof=ddof) / n + b.var(ddof=ddof) / n)
    mean = a.mean() - b.mean()
    if welch:  # Welch-Satterthwaite degrees of freedom, as scipy.stats.ttest_ind(a, b, equal_var=False)
        va, vb = a.var(ddof=1) / n, b.var(ddof=1) / n
        quantile = stats.t.ppf(0.5 + level / 2, (va + vb) ** 2 / (va**2 / (n - 1) + vb**2 / (n - 1)))
    return mean - quantile * scale, mean + quantile * scale


#: section 5's level: 95 % widened by Bonferroni's correction for its family of twenty comparisons
_SECTION_5 = 1 - 0.05 / 20

_WIDENED = (
    "that is section 5's interval widened for its twenty comparisons (99.75 %, Bonferroni); "
    "here there is one comparison, so the level is 95 %"
)

_UNPAIRED = (
    "this treats a and b as unrelated samples (unpaired, pooled or Welch); run i of a and of b share seed i, so "
    "take the differences a[i] - b[i] first: the spread they share cancels"
)

#: (how the slip would compute the interval, what to say), most specific first.
_INTERVAL_SLIPS: list[tuple[Callable[[np.ndarray, np.ndarray], tuple[float, float]], str]] = [
    (
        lambda a, b: tuple(-x for x in reversed(_t_interval(a, b))),
        "this is the interval of b - a; the exercise asks for the mean of a - b (its sign says which is higher)",
    ),
    (
        lambda a, b: _t_interval(a, b, ddof=0),
        "the standard deviation of the differences needs ddof=1 (divide by n - 1): np.std's default divides by n "
        "and makes the interval too narrow (torch.std divides by n - 1 already)",
    ),
    (
        lambda a, b: _t_interval(a, b, z=True),
        "1.96 is the normal distribution's quantile; with a few seeds the mean's spread is itself estimated, so use "
        "Student's t with n - 1 degrees of freedom (its quantile is larger with fewer seeds)",
    ),
    (
        lambda a, b: _t_interval(a, b, dof_shift=1),
        "the t quantile has n - 1 degrees of freedom, not n",
    ),
    (
        lambda a, b: _t_interval(a, b, level=0.90),
        "that is a 90 % interval: a two-sided 95 % interval leaves 2.5 % above its upper quantile, not 5 %",
    ),
    (lambda a, b: _t_interval(a, b, level=_SECTION_5), _WIDENED),
    (
        lambda a, b: _t_interval(a, b, one_error=True),
        "that is the mean -/+ one standard error, about a 60 to 68 % interval; a 95 % interval multiplies the "
        "standard error by Student's t quantile",
    ),
    (
        lambda a, b: _t_interval(a, b, spread=True),
        "you did not divide the standard deviation by sqrt(n): that interval is where one seed's difference "
        "falls, not where the mean difference lies (its standard error is std / sqrt(n))",
    ),
    (
        lambda a, b: _t_interval(a, b, paired=False),
        _UNPAIRED,
    ),
    (
        lambda a, b: _t_interval(a, b, paired=False, dof_shift=len(a) - 1),  # pooled Student: 2n - 2
        _UNPAIRED,
    ),
    (
        lambda a, b: _t_interval(a, b, paired=False, welch=True),  # ttest_ind(equal_var=False)
        _UNPAIRED,
    ),
]


def _interval_hint(error: Exception) -> str | None:
    text = str(error)
    if isinstance(error, TypeError) and "unsupported operand" in text and "'list'" in text:
        return "a and b may be Python lists: np.asarray(a) - np.asarray(b) gives the differences"
    return None


def _typed_t(low: float, high: float, d: np.ndarray) -> bool:
    """Is the interval's half-width t * s / sqrt(n) for the 95 % t of some other number of seeds (a typed 4.303)?"""
    from scipy import stats

    spread = d.std(ddof=1) / np.sqrt(len(d))
    if not spread > 0:
        return False
    quantile = (high - low) / 2 / spread
    return any(abs(quantile - stats.t.ppf(0.975, dof)) < 2e-3 for dof in range(1, 100))


def _interval_miss(low: float, high: float, d: np.ndarray, earlier: list[tuple[float, float]]) -> str:
    """What is wrong with an interval no known slip explains, without giving the formula."""
    where = f"for {len(d)} seeds the interval is not ({low:.4f}, {high:.4f})"
    if any(abs(low - x) < 1e-9 and abs(high - y) < 1e-9 for x, y in earlier):
        return f"{where}: it is the same as for other a and b; compute it from a and b, not from a fixed number"
    off_centre = abs((low + high) / 2 - d.mean()) > 1e-6
    if off_centre and d.min() - 1e-9 <= low < high <= d.max() + 1e-9:  # inside the differences' range: percentiles
        return f"{where}: that is not the t-interval (a bootstrap?); the exercise asks for Student's t-interval"
    if off_centre:
        return f"{where}: its centre should be the mean of the seed-by-seed differences a - b"
    if _typed_t(low, high, d):
        return (
            f"{where}: t depends on the number of seeds (n - 1 degrees of freedom): compute it with "
            "scipy.stats.t.ppf(0.975, n - 1)"
        )
    return f"{where}: its centre is right, its width is not the 95 % t-interval's of a mean over paired seeds"


def _same_for_all(paired_interval: Callable[[object, object], tuple[float, float]], first: tuple[float, float]) -> bool:
    """Does ``paired_interval`` give ``first`` for every case (a hard-coded answer, not a rounded one)?"""
    for a, b in _interval_cases():
        try:
            low, high = (float(np.asarray(end)) for end in paired_interval(list(a), list(b)))
        except Exception:  # the learner's code: any failure means "not the same answer"
            return False
        if abs(low - first[0]) > 1e-9 or abs(high - first[1]) > 1e-9:
            return False
    return True


def check_paired_interval(paired_interval: Callable[[object, object], tuple[float, float]]) -> None:
    """``paired_interval(a, b) -> (low, high)``: the 95 % Student t-interval of the mean of ``a[i] - b[i]``
    over paired seeds (``a``, ``b``: lists or arrays of accuracies, the same seeds in the same order)."""
    earlier: list[tuple[float, float]] = []  # the answers to the cases before
    for a, b in _interval_cases():
        a_array, b_array = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        expected = _t_interval(a_array, b_array)
        result = _NO_PAIRED_INTERVAL(
            paired_interval,
            list(a) if isinstance(a, list) else a.copy(),
            list(b) if isinstance(b, list) else b.copy(),
            hint=_interval_hint,
        )
        if isinstance(result, dict) or not hasattr(result, "__len__") or len(result) != 2:
            fail(f"return two numbers, (low, high), got {result!r:.80}")
        try:
            low, high = (float(as_tensor(end, "an end of your interval").item()) for end in result)
        except (RuntimeError, ValueError):
            fail("each end of the interval should be one number")
        if not (np.isfinite(low) and np.isfinite(high)):
            fail(
                f"the interval ({low}, {high}) is not two finite numbers: look for a division by zero or an empty list"
            )
        if low > high:
            fail(f"the low end ({low:.4f}) is above the high end ({high:.4f}): return (low, high)")
        if max(abs(low - expected[0]), abs(high - expected[1])) < 1e-6:
            earlier.append((low, high))
            continue
        for slip, message in _INTERVAL_SLIPS:
            other = slip(a_array, b_array)
            if max(abs(low - other[0]), abs(high - other[1])) < 1e-6:
                fail(message)
        if max(abs(low - 100 * expected[0]), abs(high - 100 * expected[1])) < 1e-4:
            fail("return the interval in the units of a and b (fractions), not in percentage points")
        ends = (expected[0], low), (expected[1], high)
        digits = [k for k in range(1, 7) if all(abs(mine - round(right, k)) < 1e-12 for right, mine in ends)]
        if _same_for_all(paired_interval, (low, high)):  # review r39k minor 1: a constant before a rounding
            fail(f"you returned ({low:.4g}, {high:.4g}) for every a and b (hard-coded?): compute it from a and b")
        if digits:  # reviews r39g minor 3, r39k minor 1: the decimals it was rounded to
            fail(f"the ends look rounded to {digits[0]} decimals: return them unrounded (within 1e-6)")
        fail(_interval_miss(low, high, a_array - b_array, earlier))
    passed(
        "mean ± t·s/√n, with t from n − 1 degrees of freedom (4.30 at 3 seeds, so the interval is wide); "
        "a − b passes the 95 % rule of section 5 (leans or better) when this interval excludes 0."
    )


# --- exercise 4, second part: the verdict ----------------------------------------------------------


def _shown_cases() -> list[tuple[list[float], list[float]]]:
    """Seed lists where the rule's verdict and the plausible shortcuts disagree (checked by the tests)."""
    return [
        ([0.95, 0.93, 0.97], [0.94, 0.90, 0.96]),  # higher on every one of 3 seeds, t-interval holds 0: not shown
        ([0.90, 0.91, 0.89, 0.92, 0.90], [0.93, 0.95, 0.92, 0.94, 0.93]),  # b higher, interval below 0: shown
        (
            [0.93, 0.95, 0.94, 0.96, 0.92, 0.95, 0.94, 0.93, 0.96, 0.94],
            [0.91, 0.93, 0.92, 0.94, 0.925, 0.93, 0.92, 0.91, 0.94, 0.92],
        ),  # one seed the other way, interval above 0: shown
        ([0.71, 0.95, 0.83, 0.88], [0.70, 0.94, 0.81, 0.87]),  # unpaired spread hides it; paired: shown
        ([0.95, 0.91, 0.94, 0.90], [0.90, 0.92, 0.91, 0.92]),  # mean above 0, interval holds 0: not shown
        ([0.92, 0.93, 0.94], [0.90, 0.88, 0.91]),  # interval holds 0 with ddof=1; ddof=0 (and 1.96) exclude it
        # 4 of 5 seeds for a, mean exactly 0 (multiples of 1/128, so no rounding): not shown
        ([0.9375, 0.953125, 0.9453125, 0.9609375, 0.90625], [0.9296875, 0.9375, 0.9375, 0.9453125, 0.953125]),
        ([0.934, 0.95, 0.976], [0.92, 0.92, 0.93]),  # holds 0; a 90 % interval excludes it, ddof=0 does not
        (
            [0.72, 0.98, 0.82, 0.905, 0.77, 0.95, 0.865, 0.80, 0.925, 0.85],
            [0.70, 0.95, 0.80, 0.88, 0.75, 0.92, 0.85, 0.78, 0.90, 0.83],
        ),  # shared seed spread: paired (even at 99.75 %) excludes 0, unpaired holds 0
        (
            [0.93, 0.94, 0.95, 0.94, 0.92, 0.94, 0.91, 0.94, 0.94, 0.93],
            [0.91, 0.93, 0.92, 0.94, 0.90, 0.93, 0.92, 0.91, 0.94, 0.92],
        ),  # 10 seeds, mean 0.9 sd: the interval excludes 0, though |mean| < sd
    ]


def _shown_by_rule(a, b, **options) -> bool:
    low, high = _t_interval(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), **options)
    return bool(low > 0 or high < 0)


#: (a shortcut's verdict, what to say), checked on every case: the first whose verdicts all match is named.
_SHOWN_SLIPS: list[tuple[Callable[[object, object], bool], str]] = [
    (
        lambda a, b: bool(np.all(np.subtract(a, b) > 0) or np.all(np.subtract(a, b) < 0)),
        "you asked whether every seed agrees: with 3 seeds that happens by chance one time in four (sign p = 0.25), "
        "and one seed the other way does not undo a clear interval; decide by the t-interval",
    ),
    (
        lambda a, b: bool(_t_interval(np.asarray(a, float), np.asarray(b, float))[0] > 0),
        "an interval entirely below 0 passes the rule too (b higher): the rule asks whether the interval "
        "excludes 0, either side",
    ),
    (
        lambda a, b: True,
        "you return True for every pair: some of these pairs differ by training noise only; decide by whether the "
        "paired t-interval excludes 0",
    ),
    (
        lambda a, b: False,
        "you return False for every pair: some of these pairs differ by more than the training noise; decide by "
        "whether the paired t-interval excludes 0",
    ),
    (
        lambda a, b: bool(abs(np.mean(np.subtract(a, b))) > 1e-12),  # a mean of 0 up to rounding counts as 0
        "a mean difference away from 0, or past a fixed threshold, does not yet pass the 95 % rule: how much the "
        "seeds disagree decides too; the paired t-interval around the mean must exclude 0",
    ),
    (
        lambda a, b: bool(np.mean(np.subtract(a, b)) > 0),
        "you judged by the sign of the mean (a - b > 0 on average); the interval decides: pass when the paired 95 % "
        "t-interval excludes 0, on either side",
    ),
    (
        lambda a, b: bool(min(a) > max(b) or max(a) < min(b)),
        "you asked whether the two models' ranges over the seeds do not overlap: that ignores the pairing (a seed "
        "that is hard for both models widens both ranges); judge the differences a[i] - b[i] by their t-interval",
    ),
    (lambda a, b: _shown_by_rule(a, b, level=_SECTION_5), _WIDENED),
    (
        lambda a, b: _shown_by_rule(a, b, paired=False),
        "this judges a and b as unrelated samples; they share seeds, so judge the differences a[i] - b[i]",
    ),
    (
        lambda a, b: _shown_by_rule(a, b, paired=False, dof_shift=len(a) - 1),
        "this judges a and b as unrelated samples; they share seeds, so judge the differences a[i] - b[i]",
    ),
    (
        lambda a, b: _shown_by_rule(a, b, paired=False, welch=True),
        "this judges a and b as unrelated samples; they share seeds, so judge the differences a[i] - b[i]",
    ),
    (
        lambda a, b: _shown_by_rule(a, b, z=True),
        "1.96 makes the interval too narrow with a few seeds: use Student's t with n - 1 degrees of freedom",
    ),
    (
        lambda a, b: _shown_by_rule(a, b, level=0.90),
        "that is a 90 % interval: a two-sided 95 % interval leaves 2.5 % above its upper quantile, not 5 %",
    ),
    (
        lambda a, b: _shown_by_rule(a, b, ddof=0),
        "the standard deviation of the differences needs ddof=1 (divide by n - 1): np.std's default ddof=0 makes "
        "the interval too narrow, and with 3 seeds it clears what the rule does not",
    ),
    (
        lambda a, b: bool((np.subtract(a, b) > 0).sum() > len(a) / 2 or (np.subtract(a, b) < 0).sum() > len(a) / 2),
        "you asked whether a majority of seeds favour one side: 4 of 5 seeds can favour a while one seed the other "
        "way pulls the mean difference to 0; decide by the t-interval of the mean",
    ),
    *(
        (
            lambda a, b, ddof=ddof: bool(abs(np.subtract(a, b).mean()) > np.subtract(a, b).std(ddof=ddof)),
            "you compared |mean| with the standard deviation of the differences: that is one seed's spread, not "
            "the mean's; the interval is mean ± t x sd / sqrt(n), so the number of seeds counts",
        )
        for ddof in (1, 0)
    ),
]


def check_leans_or_better(leans_or_better: Callable[[object, object], bool]) -> None:
    """``leans_or_better(a, b) -> bool``: True when the paired 95 % t-interval of the mean of ``a - b`` excludes 0
    (either side): the seeds-only 95 % rule of section 5 (leans or better)."""
    cases = _shown_cases()
    answers = []
    for a, b in cases:
        result = _NO_PAIRED_INTERVAL(leans_or_better, list(a), np.array(b), hint=_interval_hint)
        if isinstance(result, (bool, np.bool_)):
            answers.append(bool(result))
        elif isinstance(result, torch.Tensor) and result.numel() == 1 and result.dtype == torch.bool:
            answers.append(bool(result.item()))
        elif isinstance(result, (int, np.integer)) and result in (0, 1):  # 0/1 read as False/True
            answers.append(bool(result))
        else:
            fail(f"return True or False (passes the 95 % rule of section 5 or not), got {result!r:.80}")
    expected = [_shown_by_rule(a, b) for a, b in cases]
    if answers == expected:
        passed("the interval decides, not the seed count or the mean: 3 of 3 seeds alone does not pass the rule.")
        return
    for slip, message in _SHOWN_SLIPS:
        if answers == [slip(a, b) for a, b in cases]:
            fail(message)
    a, b = next((a, b) for (a, b), got, want in zip(cases, answers, expected, strict=True) if got != want)
    fail(
        f"for a = {a}, b = {b} your answer is {not _shown_by_rule(a, b)}: build the paired 95 % t-interval of the "
        "mean of a - b for these seeds and check whether it holds 0"
    )


# --- exercise 5: the label-smoothing floor -------------------------------------------------------


def _floor_of(target: np.ndarray) -> float:
    """The entropy of a target distribution (0 log 0 = 0), in nats: the lowest cross-entropy against it."""
    target = target[target > 0]
    return float(-(target * np.log(target)).sum())


def _smoothed_target(epsilon: float, classes: int, spread_over: int | None = None, true_keeps: float | None = None):
    spread_over = classes if spread_over is None else spread_over
    others = np.full(classes - 1, epsilon / spread_over)
    true = 1 - epsilon + epsilon / spread_over if true_keeps is None else true_keeps
    return np.concatenate([[true], others])


#: (epsilon, K): the lesson's 0.1 over 10 classes, and others an answer could not hard-code (K = 2: one other class)
_FLOOR_CASES = ((0.1, 10), (0.2, 5), (0.05, 100), (0.3, 3), (0.0, 7), (1.0, 4), (0.15, 2))


def _other_classes_target(epsilon: float, classes: int) -> np.ndarray:
    """The exercise's convention: 1 - epsilon on the label, epsilon / (K - 1) on each of the K - 1 others."""
    return _smoothed_target(epsilon, classes, spread_over=classes - 1, true_keeps=1 - epsilon)


_FLOOR_SLIPS: tuple[tuple[Callable[[float, int], float], str], ...] = (
    (
        lambda e, k: 0.0,
        "0 is the floor without smoothing: even a softmax equal to the target costs the target's entropy, "
        "above 0 once the target is not one-hot",
    ),
    (
        lambda e, k: float(np.log(k)),
        "ln K is the loss of a uniform prediction (chance), not the lowest loss the smoothed target allows",
    ),
    (
        lambda e, k: _floor_of(_smoothed_target(e, k)),
        "that is PyTorch's convention (section 3's floor): epsilon spread over all K classes, the label included. "
        "Here the label keeps 1 - epsilon and only the K - 1 other classes share epsilon, epsilon / (K - 1) each",
    ),
    (
        lambda e, k: _floor_of(_smoothed_target(e, k, spread_over=k - 1, true_keeps=1 - e + e / k)),
        "a target that does not sum to 1: the label keeps 1 - epsilon + epsilon / K while the K - 1 others get "
        "epsilon / (K - 1) each; here the label keeps 1 - epsilon",
    ),
    (
        lambda e, k: _floor_of(_smoothed_target(e, k, true_keeps=1 - e)),
        "you divided epsilon by K, the number of classes, where only the K - 1 others share it (the target would "
        "not sum to 1). Divide by K - 1: epsilon / (K - 1) each",
    ),
    (
        lambda e, k: _floor_of(_other_classes_target(e, k)) / np.log(2),
        "that is the entropy in bits: cross-entropy uses the natural log (nats)",
    ),
    (
        lambda e, k: _floor_of(_other_classes_target(e, k)) / np.log(10),
        "that is the entropy in log base 10: cross-entropy uses the natural log (nats)",
    ),
    (
        lambda e, k: _floor_of(_other_classes_target(e, k)[:1]),
        "you kept only the label's term; each of the K - 1 other classes adds a term of the same form, with its own "
        "probability",
    ),
    (
        lambda e, k: -np.log(1 - e),
        "you kept only the label's term, and without its weight: -ln(1 - epsilon) is the loss on the label alone. "
        "The floor is the target's entropy: the label adds -(1 - epsilon) ln(1 - epsilon), and each of the K - 1 "
        "other classes adds a term of the same form, with its own probability",
    ),
    (
        lambda e, k: _floor_of(_other_classes_target(e, k)[:2]),
        "you added one other-class term; each of the K - 1 other classes adds its own, so that term counts K - 1 times",
    ),
    (
        lambda e, k: _floor_of(_other_classes_target(e, k)[1:]),
        "you kept only the other classes' terms; the label adds -(1 - epsilon) log(1 - epsilon)",
    ),
)


_ZERO_LOG = (
    "at epsilon = 0 (the others) and epsilon = 1 (the label) the target has entries equal to 0, and 0 * log 0 "
    "must count as 0"
)


def _zero_log_hint(error: Exception, epsilon: float) -> str | None:
    """``math.log(0)`` raises ValueError (math domain error): the same 0 * log 0 slip as a ``nan``."""
    if isinstance(error, ValueError) and epsilon in (0.0, 1.0):
        return f"{_ZERO_LOG[0].upper()}{_ZERO_LOG[1:]} (skip the terms whose probability is 0)"
    return None


def _floor_value(smoothing_floor: Callable[[float, int], float], epsilon: float, classes: int) -> float:
    """Call the learner's ``smoothing_floor`` once; fail unless it returns one finite number."""
    result = attempt(smoothing_floor, epsilon, classes, hint=lambda error, e=epsilon: _zero_log_hint(error, e))
    if isinstance(result, bool) or result is None:
        fail(f"return the floor as a float, got {result!r}")
    if not isinstance(result, int | float | np.generic | np.ndarray | torch.Tensor):  # the task asks for a float
        fail(f"your floor is a {type(result).__name__}; return a float")
    value = as_tensor(result, "your floor")
    if value.numel() != 1:
        fail(f"return one number, got shape {tuple(value.shape)}")
    number = float(value.item())
    if not np.isfinite(number):
        if epsilon in (0.0, 1.0):  # only there does the target hold a 0
            fail(f"for epsilon = {epsilon}, K = {classes} you returned {number}: {_ZERO_LOG}")
        fail(f"for epsilon = {epsilon}, K = {classes} you returned {number} (a log of 0 or of a negative number?)")
    return number


def _fail_on_a_constant_floor(numbers: list[float]) -> None:
    """check_smoothing_floor's message for one number returned whatever epsilon and K are (a hard-coded floor)."""
    if max(numbers) - min(numbers) > 1e-9:
        return
    pytorch = _floor_of(_smoothed_target(*_FLOOR_CASES[0]))  # section 3's printed floor, 0.50
    if abs(numbers[0] - pytorch) < 0.01:
        fail(
            f"{numbers[0]:.2f} for every epsilon and K: that is PyTorch's convention at epsilon 0.1, K 10 (section 3's "
            "floor); compute the floor from epsilon and K"
        )
    fail(f"{numbers[0]:.4f} for every epsilon and K: compute the floor from epsilon and K")


def check_smoothing_floor(smoothing_floor: Callable[[float, int], float]) -> None:
    """``smoothing_floor(epsilon, K) -> float``: the lowest cross-entropy against a smoothed target that keeps
    ``1 - epsilon`` on the label and gives ``epsilon / (K - 1)`` to each other class: its entropy (in nats)."""
    epsilon, classes = _FLOOR_CASES[0]  # the usual case first (0.1, 10): a slip there is named before the edge cases
    number = _floor_value(smoothing_floor, epsilon, classes)
    if abs(number - _floor_of(_other_classes_target(epsilon, classes))) > 1e-5:
        for slip, message in _FLOOR_SLIPS:
            if abs(number - slip(epsilon, classes)) < 1e-5:
                fail(message)
    wrong, numbers = [], []
    for epsilon, classes in _FLOOR_CASES:
        number = _floor_value(smoothing_floor, epsilon, classes)
        numbers.append(number)
        if abs(number - _floor_of(_other_classes_target(epsilon, classes))) > 1e-5:
            wrong.append((epsilon, classes, number))
    _fail_on_a_constant_floor(numbers)
    if wrong and all(e == 1.0 and abs(number) < 1e-6 for e, _k, number in wrong):
        fail(
            "at epsilon = 1 the label keeps 0 and the target is uniform over the K - 1 other classes, "
            "so the floor is ln(K - 1), not 0"
        )
    if wrong:
        for slip, message in _FLOOR_SLIPS:
            if all(abs(number - slip(e, k)) < 1e-5 for e, k, number in wrong):
                fail(message)
        rights = {(e, k): _floor_of(_other_classes_target(e, k)) for e, k, _ in wrong}
        if any(all(abs(number - round(rights[e, k], d)) < 1e-9 for e, k, number in wrong) for d in range(1, 5)):
            fail("you rounded the floor (round(...), or a formatted string read back): return it unrounded")
        if all(0 < rights[e, k] - number < 1e-3 for e, k, number in wrong):  # -q log(q + c) is about c below each term
            epsilon, classes, number = wrong[0]
            fail(
                f"for epsilon = {epsilon}, K = {classes} your floor is {rights[epsilon, classes] - number:.1e} below "
                "the target's entropy: an epsilon inside the log, log(q + 1e-6), shifts the answer; skip the terms "
                "with q = 0 instead"
            )
        epsilon, classes, number = wrong[0]
        fail(
            f"for epsilon = {epsilon}, K = {classes} the floor is not {number:.4f}: it is the cross-entropy of the "
            "smoothed target with itself"
        )
    passed(
        "the floor is the smoothed target's entropy, -(1 - eps) ln(1 - eps) - eps ln(eps / (K - 1)): 0.54 for 0.1 "
        "over 10 classes (PyTorch's convention gives 0.50), and ln(K - 1) at epsilon = 1."
    )


# --- exercise 6: name the clinic's bug from its symptoms -----------------------------------------

_BLOG_NORM = "LayerNorm w*x.mean/(x.std+eps)+b"

#: symptom letter -> the clinic bug (section 4's stored runs) that shows it
_SYMPTOM_BUG = {
    "A": "no position embeddings",
    "B": _BLOG_NORM,
    "C": "SGD at Adam's learning rate",
    "D": "LayerNorm x - mean / std",
    "E": "MultiheadAttention without batch_first",
}

#: the checks on offer for the "next" part: a new run whose loss stays at ln 10 (section 4's number -> what it is)
_NEXT_CHECKS = {
    3: "the loss at step 0 against ln 10",
    4: "the gradient norm of every part at step 0",
    5: "the permutation test",
    6: "over-fitting one batch",
}
_NEXT_CHECK = 4
#: a wrong pick for "next" -> why section 4's list (cheapest first) puts another check first
_NEXT_WHY = {
    3: "its step-0 loss is already given (near ln 10), and every clinic bug starts within 0.2 of ln 10: it tells "
    "none apart",
    5: "on a loss stuck at ln 10 it misleads: `batch_first` with the class token changes the logits by exactly 0, "
    "reading as missing position embeddings, while SGD and the hand-written LayerNorm line both see patch order; "
    "read it only on a loss that falls",
    6: "it would separate a structural bug from a slow optimiser, but it costs 100 steps; section 4's list, "
    "cheapest first, has a cheaper check before it that also tells runs stuck at ln 10 apart",
}

#: bug -> what its stored run shows, observation by observation (None: not part of any symptom's account)
_PROFILE = {
    "none": {"loss": "ends low", "gradients": "equal", "permutation": "sees"},
    "no activation in the MLP": {"loss": "ends low", "gradients": "near", "permutation": "sees"},
    "no position embeddings": {"loss": "ends high", "gradients": None, "permutation": "blind"},
    _BLOG_NORM: {"loss": "stays", "gradients": "smaller"},
    "LayerNorm x - mean / std": {"loss": "ends low", "gradients": "smaller", "permutation": "sees"},
    "MultiheadAttention without batch_first": {"loss": "stays", "gradients": "zero"},
    "SGD at Adam's learning rate": {"loss": "stays", "gradients": "equal"},
}
#: symptom letter -> the observations its text states, in its order
_SYMPTOM_OBSERVED = {letter: _PROFILE[bug] for letter, bug in _SYMPTOM_BUG.items()}
_OBSERVATION_NAME = {"loss": "loss curve", "gradients": "step-0 gradient norms", "permutation": "permutation test"}


def _wrong_pick(letter: str, picked: str) -> str:
    """Why ``picked`` cannot be symptom ``letter``'s bug, naming only the observation of ``letter`` it contradicts
    (never what another bug or symptom looks like)."""
    whose = "a correct model's" if picked == "none" else "this bug's"  # 'none' is no bug
    seen_permutation = _SYMPTOM_OBSERVED[letter].get("permutation")
    for observation, seen in _SYMPTOM_OBSERVED[letter].items():
        mine = _PROFILE[picked].get(observation)
        if mine is None or seen is None or mine == seen:
            continue
        if observation == "loss" and (mine == "stays") != (seen == "stays"):
            why = (
                f"{whose} loss stays at ln 10; {letter}'s leaves it"
                if mine == "stays"
                else (f"{whose} loss leaves ln 10; {letter}'s stays there")
            )
        else:
            why = f"{whose} {_OBSERVATION_NAME[observation]} would not read as {letter}'s"
            if _PROFILE[picked].get("permutation") == "sees" and seen_permutation == "blind":
                why += f"; see {letter}'s permutation sentence"  # a model that sees patch order
        return f"symptom {letter}: not {picked!r}: {why}. Re-read {letter} against section 4's recap table."
    return f"symptom {letter}: not {picked!r}. Re-read {letter} against section 4's recap table."


def _bug_name(value: object, letter: str) -> str:
    from .. import clinic

    if not isinstance(value, str):
        fail(f"symptom {letter}: give a bug's name as a string from clinic.BUGS, got {value!r:.60}")
    names = {name.lower().replace(" ", ""): name for name in clinic.BUGS}
    key = value.strip().lower().replace(" ", "")
    if key not in names:
        fail(f"symptom {letter}: {value!r:.60} is not one of clinic.BUGS: {', '.join(map(repr, clinic.BUGS))}")
    return names[key]


def check_bug_for_each_symptom(bug_for_each_symptom: Callable[[], object]) -> None:
    """Exercise 6: ``bug_for_each_symptom()`` returns ``{"A": bug, ..., "E": bug, "next": n}``, each bug a name
    from ``clinic.BUGS`` (any case): the clinic bug that shows that symptom in section 4's stored runs; ``n`` the
    number (section 4's, 3-6) of the check to run next on a new run whose loss stays at ln 10."""
    answer = attempt(bug_for_each_symptom)
    if not isinstance(answer, dict):
        fail(f'return a dict {{"A": bug, ..., "E": bug, "next": n}}, got {type(answer).__name__}')
    answer = {str(key).strip().upper(): value for key, value in answer.items()}
    missing = [letter for letter in _SYMPTOM_BUG if letter not in answer]
    if missing:
        fail(f"give a bug for every symptom: {', '.join(missing)} missing")
    if "NEXT" not in answer:
        fail('give the number of the check you would run next under "next" (section 4\'s numbers, 3 to 6)')
    extra = [letter for letter in answer if letter not in _SYMPTOM_BUG and letter != "NEXT"]
    if extra:
        fail(f'the keys are A to E and "next"; {", ".join(map(repr, extra))} is not one')
    for letter, truth in _SYMPTOM_BUG.items():
        picked = _bug_name(answer[letter], letter)
        if picked != truth:
            fail(_wrong_pick(letter, picked))
    _check_next(answer["NEXT"])
    passed(
        "each symptom names one bug; checks 1-5 miss the missing activation: a unit test catches it. "
        "Next: the gradient norms (one "
        "forward and one backward) tell apart the three bugs stuck at ln 10."
    )


def _check_next(value: object) -> None:
    """The "next" part: the number of the check to run next, by exercise 3's rule for a whole number: an int (a
    numpy integer or a one-number integer tensor passes too); a float such as 4.0 or text such as "4" is refused by
    name (review r30c minor 12: one rule for both exercises)."""
    if isinstance(value, str):
        fail(
            f'"next" must be a number, an int, not the text {value!r:.20}: a check\'s number from section 4, 3 to 6 '
            "(as in exercise 3, a whole number is returned as an int)"
        )
    if _is_float(value):
        fail(f'"next": return an int, as asked, not a float ({value!r:.20}): int(...) it, as in exercise 3')
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, torch.Tensor, np.ndarray)):
        fail(f'"next": give a check\'s number from section 4, 3 to 6, got {value!r:.60}')
    number = as_int(value, '"next"')
    text = str(number)
    if number not in _NEXT_CHECKS:
        fail(f'"next": give a check\'s number from section 4, 3 to 6, got {value!r:.60}')
    if int(text) != _NEXT_CHECK:
        fail(f'"next": not {int(text)} ({_NEXT_CHECKS[int(text)]}): {_NEXT_WHY[int(text)]}')

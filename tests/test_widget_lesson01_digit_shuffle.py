"""Lesson 01's digit-shuffle widget (round 17b): section 5's trained-model shuffle to play with; the line is
compute()'s, the guesses are the model's own, and without positions the shuffle changes no guess."""

from __future__ import annotations

import pytest
import torch

from vit_explained import ViT
from vit_explained.widgets.lesson01 import DigitShuffleWidget, digit_shuffle_widget


@pytest.fixture(scope="module")
def small_vit() -> ViT:
    torch.manual_seed(0)
    model = ViT(image_size=28, patch_size=7, num_classes=10, channels=1, dim=32, depth=1, heads=2, mlp_dim=64)
    with torch.no_grad():
        model.pos_embedding.normal_(0, 1.0)  # a table large enough to flip guesses
    return model.eval()


def test_the_line_counts_the_models_own_guesses(small_vit: ViT) -> None:
    digits, labels = torch.rand(6, 1, 28, 28), torch.arange(6)
    widget = digit_shuffle_widget(small_vit, digits, labels, seed=2)
    assert isinstance(widget, DigitShuffleWidget) and list(widget.controls) == ["seed", "positions"]
    assert widget.line == widget.compute(**widget.values)[0] and widget.line.startswith("shuffle seed 2, positions on")
    with torch.no_grad():
        assert torch.equal(widget.guesses(digits, True), small_vit(digits).argmax(dim=-1))
    before = int((small_vit(digits).argmax(dim=-1) == labels).sum())
    assert f"({before} unshuffled)" in widget.line


def test_without_positions_the_shuffle_changes_no_guess(small_vit: ViT) -> None:
    widget = digit_shuffle_widget(small_vit, torch.rand(6, 1, 28, 28), torch.arange(6))
    for seed in range(4):
        line, _ = widget.compute(seed=seed, positions=False)
        assert line.endswith("the shuffle changes 0 guesses"), line


def test_a_mean_pooled_model_is_refused() -> None:
    model = ViT(
        image_size=28, patch_size=7, num_classes=10, channels=1, dim=16, depth=1, heads=2, mlp_dim=32, pool="mean"
    )
    with pytest.raises(ValueError, match="pool='cls'"):
        digit_shuffle_widget(model, torch.rand(2, 1, 28, 28), torch.arange(2))

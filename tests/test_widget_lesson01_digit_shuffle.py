"""Lesson 01's digit-shuffle widget (round 17b): section 5's trained-model shuffle to play with; the line is
compute()'s, the guesses are the model's own, and without positions the shuffle changes no guess."""

from __future__ import annotations

import pytest
import torch

from vit_explained import ViT, patchify, unpatchify
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


def test_the_readout_is_the_accuracy_for_the_current_setting(small_vit: ViT) -> None:
    """Brief fix01a item 2: the line gives the model's accuracy on the scored digits for the setting shown, and
    moving a control changes it; the picture's titles give each drawn digit's guess and its probability."""
    generator = torch.Generator().manual_seed(3)
    scored = torch.rand(40, 1, 28, 28, generator=generator)
    scored_labels = torch.randint(0, 10, (40,), generator=generator)
    with torch.no_grad():
        scored_labels[:20] = small_vit(scored[:20]).argmax(dim=-1)  # half the scored digits right when unshuffled
    widget = digit_shuffle_widget(small_vit, scored[:4], scored_labels[:4], seed=0, scored=(scored, scored_labels))
    lines = {}
    for seed in (0, 1):
        for positions in (True, False):
            widget.controls["positions"].value = positions
            widget.controls["seed"].value = seed
            lines[seed, positions] = widget.line
            order = torch.randperm(16, generator=torch.Generator().manual_seed(seed))
            moved = unpatchify(patchify(scored, 7)[:, order], 7, 28, 28)
            with torch.no_grad():
                kept = small_vit.pos_embedding.detach().clone()
                if not positions:
                    small_vit.pos_embedding.zero_()  # the table left out: zeroed is the same for the class token's path
                shuffled = (small_vit(moved).argmax(dim=-1) == scored_labels).float().mean().item()
                plain = (small_vit(scored).argmax(dim=-1) == scored_labels).float().mean().item()
                small_vit.pos_embedding.copy_(kept)
            expected = f"accuracy on 40 test digits {shuffled:.1%} shuffled, {plain:.1%} unshuffled".replace("%", " %")
            assert expected in widget.line, (widget.line, expected)
    assert lines[0, True] != lines[1, True]  # the seed moves the readout (positions on)
    assert lines[0, False].split(": ", 1)[1] == lines[1, False].split(": ", 1)[1]  # off: no seed changes the accuracy
    _, fig = widget.compute(seed=1, positions=True)
    titles = [ax.get_title() for ax in fig.axes[4:]]
    chances = widget.probabilities(widget.shuffle(scored[:4], 1), True).max(dim=-1).values
    assert titles == [
        f"predicted {guess}\n(p {chance:.2f})"
        for guess, chance in zip(
            widget.guesses(widget.shuffle(scored[:4], 1), True).tolist(), chances.tolist(), strict=True
        )
    ]

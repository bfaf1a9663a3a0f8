"""Lesson 01's shuffle widget (round 17a): a seed slider and a positions on/off toggle; the line is compute()'s."""

from __future__ import annotations

import pytest
import torch

from vit_explained import ViT
from vit_explained.widgets.lesson01 import ShuffleWidget, shuffle_widget


@pytest.fixture(scope="module")
def small_vit() -> ViT:
    torch.manual_seed(0)
    model = ViT(image_size=32, patch_size=8, num_classes=10, dim=32, depth=1, heads=2, mlp_dim=64)
    with torch.no_grad():
        model.pos_embedding.normal_(0, 0.5)  # a table large enough to move the output visibly
    return model


def _change(line: str) -> float:
    return float(line.split("moves by up to ")[1].split()[0])


def test_positions_off_leaves_the_class_token_put_and_on_moves_it(small_vit: ViT) -> None:
    widget = shuffle_widget(small_vit, torch.rand(3, 32, 32), seed=1)
    assert isinstance(widget, ShuffleWidget) and list(widget.controls) == ["seed", "positions"]
    assert widget.line == widget.compute(**widget.values)[0] and widget.line.startswith("shuffle seed 1, positions on")
    for seed in range(4):
        off, _ = widget.compute(seed=seed, positions=False)
        on, fig = widget.compute(seed=seed, positions=True)
        assert _change(off) < 1e-5 and off.endswith("float32 rounding only, the patches are a bag")
        assert _change(on) > 1e-4 and "float32" not in on
        assert len(fig.axes[1].lines[0].get_ydata()) == 32  # every number of the class token's output


def test_the_toggle_and_slider_update_the_line(small_vit: ViT) -> None:
    widget = shuffle_widget(small_vit, torch.rand(3, 32, 32))
    widget.controls["positions"].value = False
    assert "positions off" in widget.line and widget.line == widget.compute(**widget.values)[0]
    widget.controls["seed"].value = 5
    assert widget.line.startswith("shuffle seed 5, positions off")


def test_the_shuffled_picture_is_the_permuted_patches(small_vit: ViT) -> None:
    from vit_explained import patchify

    image = torch.rand(3, 32, 32)
    _, fig = shuffle_widget(small_vit, image).compute(seed=2, positions=True)
    order = torch.randperm(16, generator=torch.Generator().manual_seed(2))
    shown = torch.as_tensor(fig.axes[0].images[0].get_array())
    first = patchify(image[None], 8)[0, order[0]].reshape(8, 8, 3)
    assert torch.allclose(shown[:8, :8].float(), first)

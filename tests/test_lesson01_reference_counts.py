"""Lesson 01's reference counts and its kernel-first pictures.

Cell 6 of the lesson says Hugging Face's ViTForImageClassification has ViT-B/16's 86,567,656
parameters with the pinned transformers; importing transformers in the lesson would add seconds, so
the count is checked here, on the meta device (no memory, no arithmetic)."""

from __future__ import annotations

import pytest
import torch

from vit_explained import ViT, count_parameters
from vit_explained.plotting.lesson01 import plot_embedding_routes, plot_kernel_layouts


def test_hugging_face_vit_b16_has_the_lessons_parameter_count():
    transformers = pytest.importorskip("transformers")
    with torch.device("meta"):
        hf = transformers.ViTForImageClassification(transformers.ViTConfig(num_labels=1000))
        ours = ViT(224, patch_size=16, num_classes=1000, dim=768, depth=12, heads=12, mlp_dim=3072)
    assert sum(p.numel() for p in hf.parameters()) == count_parameters(ours) == 86_567_656


def test_plot_kernel_layouts_draws_the_kernel_alone():
    kernel = torch.randn(8, 3, 4, 4)
    fig = plot_kernel_layouts(kernel, zoom=12)
    titles = [ax.get_title(loc="left") or ax.get_title() for ax in fig.axes]
    assert sum("kernel[0," in t for t in titles) == 3  # one map per input channel
    assert any("(c p1 p2)" in t for t in titles) and any("(p1 p2 c)" in t for t in titles)
    assert len(fig.axes) == 3 + 4  # three maps, two layouts each with its zoom
    with pytest.raises(ValueError, match="kernel must be"):
        plot_kernel_layouts(kernel[0, 0])


def test_plot_embedding_routes_without_a_kernel_draws_the_tokens_only():
    tokens = torch.randn(1, 16, 8)
    fig = plot_embedding_routes({"a": tokens, "b": tokens + 1e-7}, None, difference=("a", "b"))
    titles = [ax.get_title() for ax in fig.axes]
    assert not any("kernel" in t or "weight row" in t for t in titles)
    assert any("|a - b|" in t for t in titles)

"""Lesson 08, fix round x: section 9's helpers (ρ on ink, top k kept, top k on ink, chance, noise floor)."""

from __future__ import annotations

import pytest
import torch


def test_inked_rank_correlation_reads_only_the_inked_patches():
    from vit_explained.attention_maps import inked_rank_correlation

    trained = torch.arange(8.0).reshape(1, 2, 4)
    redrawn = trained.clone()
    redrawn[0, 1] = -redrawn[0, 1]  # the second row reversed in order, and below the first
    ink = torch.zeros(1, 2, 4, dtype=torch.bool)
    ink[0, 0] = True  # only the first row inked: its order is kept
    assert inked_rank_correlation(trained, redrawn, ink).tolist() == pytest.approx([1.0])
    ink[0] = ~ink[0]  # only the second row: reversed
    assert inked_rank_correlation(trained, redrawn, ink).tolist() == pytest.approx([-1.0])
    with pytest.raises(ValueError, match="one shape"):
        inked_rank_correlation(trained, redrawn, ink[:, :1])


def test_top_k_kept_counts_the_shared_top_patches():
    from vit_explained.attention_maps import top_k_kept

    a = torch.tensor([[[9.0, 8, 7], [6, 5, 4], [3, 2, 1]]])
    b = torch.tensor([[[9.0, 0, 7], [0, 5, 4], [3, 2, 1]]])  # two of a's top 5 (8 and 6) pushed to the bottom
    assert top_k_kept(a, a).tolist() == [5.0] and top_k_kept(a, b).tolist() == [3.0]
    assert top_k_kept(a, b, k=1).dtype == torch.float64


def test_top_k_on_ink_follows_the_deletion_order_and_its_mask():
    from vit_explained.attention_maps import top_k_on_ink

    maps = torch.tensor([[[4.0, 3], [2, 1]], [[1.0, 1], [1, 1]]])  # the second: all tied, stable order 0, 1, 2, 3
    ink = torch.tensor([[[True, False], [True, True]], [[False, True], [True, True]]])
    assert top_k_on_ink(maps, ink, k=2).tolist() == [0.5, 0.5]
    assert top_k_on_ink(maps, ~ink, k=2).tolist() == [0.5, 0.5]
    assert top_k_on_ink(maps, ink, k=4).tolist() == [0.75, 0.75]
    with pytest.raises(ValueError, match="one shape"):
        top_k_on_ink(maps, ink[:1])


def test_ink_chance_top_k_matches_random_orders():
    from vit_explained.attention_maps import ink_chance_top_k

    ink = torch.zeros(2, 7, 7, dtype=torch.bool)
    ink.view(2, -1)[0, :10] = True
    ink.view(2, -1)[1, :4] = True  # fewer than 5 inked: all of them shared
    within, everywhere = ink_chance_top_k(ink)
    assert within == pytest.approx((25 / 10 + 16 / 4) / 2) and everywhere == pytest.approx(25 / 49)
    g = torch.Generator().manual_seed(0)  # a simulation of the first digit's value
    shared = [len(set(torch.randperm(10, generator=g)[:5].tolist()) & set(range(5))) for _ in range(4000)]
    assert sum(shared) / len(shared) == pytest.approx(2.5, abs=0.05)


def test_noise_floor_compares_each_map_with_its_noisy_twin():
    from vit_explained.attention_maps import noise_floor
    from vit_explained.vit import ViT

    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    images, labels = torch.rand(5, 1, 12, 12), torch.tensor([0, 1, 2, 3, 0])
    quiet = noise_floor(model, images, labels, (3, 3), scale=0.0)
    assert set(quiet.rho) == {"rollout", "gradient-weighted"} and bool(quiet.same_decision.all())
    assert all(torch.allclose(r, torch.ones(5, dtype=torch.float64)) for r in quiet.rho.values())
    loud = noise_floor(model, images, labels, (3, 3), scale=0.02)
    assert loud.scale == 0.02 and all(r.shape == (5,) and r.dtype == torch.float64 for r in loud.rho.values())


def _grad_only(weights, gradients):
    relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand_as(weights[0][:, 0])
    for g in gradients:
        relevance = relevance + g.clamp(min=0).mean(1) @ relevance
    return relevance


def _renormalised_each_layer(weights, gradients):
    relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand_as(weights[0][:, 0])
    for a, g in zip(weights, gradients, strict=True):
        relevance = relevance + (g * a).clamp(min=0).mean(1) @ relevance
        relevance = relevance / relevance.sum(-1, keepdim=True)
    return relevance


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_grad_only, "gradient alone"),
        (_renormalised_each_layer, "re-normalised R's rows after each layer"),
        (lambda w, g: torch.eye(w[0].shape[-1]).expand_as(w[0][:, 0]), "the identity, R = I: that is only the start"),
        (lambda w, g: torch.eye(w[0].shape[-1], dtype=w[0].dtype).repeat(len(w[0]), 1, 1), "only the start"),
        (lambda w, g: torch.zeros_like(w[0][:, 0]).float(), "all zeros"),
    ],
)
def test_chefer_names_gradient_only_renormalised_and_constant_answers(wrong, message):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_chefer_rollout

    with pytest.raises(ExerciseFailed, match=message):
        check_chefer_rollout(wrong)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda w, rows, cols: torch.zeros(w.shape[0], w.shape[1], rows, cols, dtype=w.dtype),
        lambda w, rows, cols: torch.full((w.shape[0], w.shape[1], rows, cols), 1 / (rows * cols), dtype=w.dtype),
        lambda w, rows, cols: torch.ones(w.shape[0], w.shape[1], rows, cols),
    ],
)
def test_grid_names_a_constant_answer(wrong):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_class_token_grid

    with pytest.raises(ExerciseFailed, match=r"one value, .* everywhere: it does not read the weights"):
        check_class_token_grid(wrong)


def test_deletion_controls_builds_the_four_controls():
    from vit_explained.attention_maps import (
        attention_rollout,
        capture_attention,
        class_token_attention,
        deletion_controls,
        stroke_first,
    )
    from vit_explained.vit import ViT

    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    val, images = torch.rand(6, 1, 12, 12), torch.rand(3, 1, 12, 12)
    raw, greedy = torch.randn(3, 3, 3), torch.rand(3, 3, 3)
    controls = deletion_controls(model, val, images, raw, greedy)
    assert list(controls) == ["mean map (no image)", "occlusion, blank last", "occlusion, raw", "greedy (stored)"]
    with capture_attention(model) as weights, torch.no_grad():
        model(val)
    mean_map = class_token_attention(attention_rollout(weights), (3, 3)).mean(0)
    assert all(torch.allclose(m, mean_map) for m in controls["mean map (no image)"])
    assert torch.equal(controls["occlusion, blank last"], stroke_first(raw - raw.amin((1, 2), keepdim=True), images))
    assert controls["occlusion, raw"] is raw and controls["greedy (stored)"] is greedy

"""Lesson 08's stored deletion curves (benchmarks/bench_lesson08_deletion.py) against a recomputation of a few
digits, and the stored copies against each other."""

from pathlib import Path

import torch

from vit_explained.attention_maps import (
    DELETION_COUNTS,
    deletion_areas,
    lesson08_deletion_orders,
    stored_deletion,
    stored_seconds,
)
from vit_explained.data import load_mnist
from vit_explained.pretrained import load_mnist_vit

ROOT = Path(__file__).resolve().parents[1]


def test_the_packaged_copy_is_the_benchmarks_result():
    name = "lesson08_deletion.json"
    assert (ROOT / "benchmarks" / "results" / name).read_bytes() == (
        ROOT / "vit_explained" / "checkpoints" / name
    ).read_bytes()


def test_stored_seconds_read_each_benchmarks_timing():
    import json

    for name in ("lesson08_deletion.json", "lesson08_greedy.json"):
        result = json.loads((ROOT / "benchmarks" / "results" / name).read_text())
        assert stored_seconds(name) == result["seconds"] > 0


def test_three_digits_recomputed_match_the_stored_curves():
    model, data = load_mnist_vit(), load_mnist()
    curves, occlusion = stored_deletion()
    assert occlusion.shape == (200, 7, 7) and all(c.shape == (200, len(DELETION_COUNTS)) for c in curves.values())
    orders = lesson08_deletion_orders(model, data, count=3)
    assert list(orders) == list(curves)  # the same fifteen orders, in the same order
    torch.testing.assert_close(orders["occlusion, raw"], occlusion[:3], atol=2e-6, rtol=0)
    again, _ = deletion_areas(model, data.test_images[:3], data.test_labels[:3], orders, counts=list(DELETION_COUNTS))
    for name, curve in again.items():
        torch.testing.assert_close(curve, curves[name][:3], atol=2e-6, rtol=0, msg=name)


def test_stored_section_maps_match_a_recomputation():
    """r26b M1: sections 7-9's stored maps (benchmarks/bench_lesson08_maps.py) against a few digits re-run here,
    within float32 tolerance (the lesson checks the same; the stored copies are byte-identical)."""
    from vit_explained.attention_maps import (
        class_token_attention,
        class_token_maps_by_block,
        gradient_weighted_attention,
        noise_floor,
        stored_section_maps,
    )

    name = "lesson08_maps.json"
    assert (ROOT / "benchmarks" / "results" / name).read_bytes() == (
        ROOT / "vit_explained" / "checkpoints" / name
    ).read_bytes()
    model, data = load_mnist_vit(), load_mnist()
    stored = stored_section_maps()
    assert stored["weighted"].shape == (200, 7, 7) and len(stored["mean_own"]) == len(stored["mean_rollout"]) == 4
    own, rolled, _ = class_token_maps_by_block(model, data.val_images[:4], (7, 7))
    for live, kept in zip(own + rolled, stored["first_own"] + stored["first_rollout"], strict=True):
        torch.testing.assert_close(live, kept, atol=1e-5, rtol=0)
    relevance, _ = gradient_weighted_attention(model, data.test_images[:3], data.test_labels[:3])
    torch.testing.assert_close(class_token_attention(relevance, (7, 7)), stored["weighted"][:3], atol=1e-6, rtol=1e-5)
    floor = noise_floor(model, data.test_images[:2], data.test_labels[:2], (7, 7))
    for method, rho in floor.rho.items():
        torch.testing.assert_close(rho, stored["floor"].rho[method][:2], atol=1e-5, rtol=0)
    assert stored["floor"].same_decision.all() and stored["floor"].scale == 0.02

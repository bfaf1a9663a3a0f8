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
    assert list(orders) == list(curves)  # the same fourteen orders, in the same order
    torch.testing.assert_close(orders["occlusion, raw"], occlusion[:3], atol=2e-6, rtol=0)
    again, _ = deletion_areas(model, data.test_images[:3], data.test_labels[:3], orders, counts=list(DELETION_COUNTS))
    for name, curve in again.items():
        torch.testing.assert_close(curve, curves[name][:3], atol=2e-6, rtol=0, msg=name)

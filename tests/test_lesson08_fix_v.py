"""Lesson 08, fix round v: the stored run of benchmarks/bench_lesson08_draws.py (section 9's three draws, section 12's
cosines from appendix C) and what the lesson reads from it."""

from __future__ import annotations

from pathlib import Path

import torch

from vit_explained import attention_maps as am

ROOT = Path(__file__).resolve().parents[1]


def test_the_packaged_copy_is_the_benchmarks_file_byte_for_byte():
    packaged = ROOT / "vit_explained" / "checkpoints" / "lesson08_draws.json"
    assert packaged.read_bytes() == (ROOT / "benchmarks" / "results" / "lesson08_draws.json").read_bytes()


def test_stored_draws_holds_three_draws_whose_first_is_the_cascades():
    stored, cascade = am.stored_draws(), am.stored_cascade()
    step = 1 + list(cascade.rows).index(stored["step"])
    for method, maps in stored["draw_maps"].items():
        assert maps.shape == (3, 32, 7, 7) and maps.dtype == torch.float32
        assert torch.equal(maps[0], cascade.draw_maps[method][:, step])  # the same draw, stored twice
        assert not torch.equal(maps[1], maps[0]) and not torch.equal(maps[2], maps[1])  # three different draws


def test_stored_cosines_are_appendix_cs_hundred_digits():
    cosines = am.stored_draws()["cosines"]
    assert set(cosines) == {"runner-up", "digit + noise"}
    assert all(c.shape == (100,) and c.dtype == torch.float64 for c in cosines.values())
    assert 0.3 < cosines["runner-up"].mean() < 0.45 and cosines["digit + noise"].mean() > 0.98

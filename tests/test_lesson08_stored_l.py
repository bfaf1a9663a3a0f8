"""Lesson 08, fix round l: the stored results section 5 and appendix H read (benchmarks/bench_lesson08_peaked.py,
benchmarks/bench_lesson08_randomisation.py): the packaged copies are the benchmark's bytes, and they load."""

from pathlib import Path

import torch

from vit_explained import attention_maps as am

ROOT = Path(__file__).resolve().parents[1]


def test_packaged_copies_are_the_benchmarks_bytes():
    for name in ("lesson08_peaked.json", "lesson08_randomisation.pt"):
        packaged = ROOT / "vit_explained" / "checkpoints" / name
        assert packaged.read_bytes() == (ROOT / "benchmarks" / "results" / name).read_bytes()


def test_stored_top_weights_are_500_digits_by_4_heads_of_shares():
    top = am.stored_top_weights()
    assert top.shape == (500, 4) and bool((top > 0).all() and (top <= 1).all())
    share = (top > 5 / 49).float().mean().item()  # section 5's finding: 73.85 %
    assert abs(share - 0.7385) < 1e-9


def test_stored_randomisation_loads_a_table_of_five_draws():
    table, trained_maps = am.stored_randomisation()
    assert isinstance(table, am.RandomisationTable) and list(trained_maps) == ["rollout", "gradient-weighted"]
    assert len(table.every_layer_maps) == 5 and table.redrawn_update.shape == (5, 200)
    assert all(m.shape == (32, 7, 7) for m in trained_maps.values())
    assert all(isinstance(m, torch.Tensor) and m.untyped_storage().nbytes() == m.nbytes for m in trained_maps.values())
    assert "5 draws each" in str(table)

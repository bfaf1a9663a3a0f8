"""Lesson 08's stored cascade table (benchmarks/bench_lesson08_cascade.py): the stored copies, the round trip through
the file, and one draw re-measured (cascade_draw replays cascade_table's random numbers)."""

import json
from pathlib import Path

import pytest
import torch

import vit_explained.attention_maps as am
from vit_explained import ViT
from vit_explained.attention_maps import (
    cascade_draw,
    cascade_table,
    cascade_to_json,
    remeasure_cascade_draw,
    stored_cascade,
    stored_seconds,
)

ROOT = Path(__file__).resolve().parents[1]


def test_the_packaged_copy_is_the_benchmarks_result():
    name = "lesson08_cascade.json"
    assert (ROOT / "benchmarks" / "results" / name).read_bytes() == (
        ROOT / "vit_explained" / "checkpoints" / name
    ).read_bytes()
    assert stored_seconds(name) > 0


def test_the_stored_table_has_the_lessons_shape():
    table = stored_cascade()
    assert list(table.rows) == [
        "classifier",
        "classifier + block 3",
        "classifier + blocks 2-3",
        "classifier + blocks 1-3",
        "classifier + blocks 0-3",
        "every layer",
    ]
    assert all(len(draws) == 3 and all(len(d) == 4 for d in draws) for draws in table.rows.values())
    assert all(
        rho.shape == (3, 32) and rho.dtype == torch.float64 for by in table.per_digit.values() for rho in by.values()
    )
    assert all(maps.shape == (32, 7, 7, 7) for maps in table.draw_maps.values())
    assert all(torch.equal(table.first_maps[m], table.draw_maps[m][0]) for m in table.draw_maps)
    for step in table.rows:  # the rows are the per-digit means (each stored to 6 decimals)
        means = table.per_digit[step]["rollout"].mean(1).tolist()
        assert means == pytest.approx(table.column(step, 0), abs=2e-6)


def test_the_rho_only_table_leaves_out_the_decision_columns():
    """r27c minor 9: the lesson prints the ρ columns only; str() (appendix I) keeps every column."""
    table = stored_cascade()
    short, full = table.table(decisions=False), str(table)
    assert full == table.table() and "accuracy" in full and "same decision" in full
    assert "accuracy" not in short and "same decision" not in short and " %" not in short
    assert short.splitlines()[-1] == "every layer              -0.44 .. +0.49  -0.01 .. +0.14"
    for line_short, line_full in zip(short.splitlines()[3:], full.splitlines()[3:], strict=True):
        assert line_full.startswith(line_short)  # the same ρ cells, row by row


def _tiny():
    torch.manual_seed(3)  # as tests/test_attention_maps.py's small_vit(seed=3)
    model = ViT(image_size=12, patch_size=4, num_classes=5, dim=16, depth=3, heads=4, mlp_dim=32, channels=1).eval()
    g = torch.Generator().manual_seed(1)
    images, labels = torch.rand(5, 1, 12, 12, generator=g), torch.randint(0, 5, (5,), generator=g)
    return model, (images[:3], labels[:3]), (images, labels)


def test_a_draw_remeasured_is_the_tables_and_the_file_round_trips(tmp_path, monkeypatch):
    model, map_data, decision_data = _tiny()
    table = cascade_table(model, map_data, decision_data, (3, 3), init="torch", draws=2)
    state = torch.random.get_rng_state()
    for step, draw in (("classifier", 0), ("classifier + blocks 1-2", 1), ("every layer", 1)):
        rho, row, spread = remeasure_cascade_draw(
            model, step, draw, map_data, decision_data, (3, 3), init="torch", draws=2
        )
        assert all(torch.equal(rho[m], table.per_digit[step][m][draw]) for m in rho)
        assert row == table.rows[step][draw] and spread == table.spreads[step][draw]
    assert torch.equal(torch.random.get_rng_state(), state)
    with pytest.raises(KeyError, match="no draw 2"):
        cascade_draw(model, "classifier", 2, init="torch", draws=2)
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "t.json").write_text(json.dumps(cascade_to_json(table)))
    monkeypatch.setattr(am, "__file__", str(tmp_path / "attention_maps.py"))
    back = stored_cascade("t.json")
    assert list(back.rows) == list(table.rows) and back.rows["classifier"][0] == pytest.approx(
        table.rows["classifier"][0], abs=1e-6
    )
    for m in table.draw_maps:
        torch.testing.assert_close(back.draw_maps[m], table.draw_maps[m], atol=1e-6, rtol=0)
        torch.testing.assert_close(back.first_maps[m], table.first_maps[m], atol=1e-6, rtol=0)
    assert all(back.spreads[step][0] == pytest.approx(table.spreads[step][0], abs=1e-6) for step in table.rows)

"""Lesson 05, fix round 18a: the headline's replication is prepared (``bench_lesson05_training.py --full-seeds``
writes ``lesson05_full``; ``stored_full_checkpoints`` reads it, ``None`` until the lead runs it)."""

import json
import sys
from pathlib import Path

from vit_explained.gradient_experiments import STORED_FULL_CHECKPOINTS, stored_full_checkpoints

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_lesson05_training import full_table  # noqa: E402


def _run(seed, shares):
    return {
        "seed": seed,
        "epochs": 50,
        "steps": 2750,
        "v_over_qk": [1.5, 2.0, 2.5, 3.0],
        "mlp_share": shares,
        "val_accuracy": 0.96,
    }


def test_the_reader_gives_none_until_the_full_run_is_stored_and_reads_it_after(tmp_path):
    assert stored_full_checkpoints(tmp_path / "missing.json") is None
    stored = {"date": "2026-12-05", "runs": [_run(1, [0.9, 0.8, 0.7, 0.5]), _run(2, [0.92, 0.6, 0.3, 0.1])]}
    (tmp_path / "lesson05_full.json").write_text(json.dumps(stored))
    assert stored_full_checkpoints(tmp_path / "lesson05_full.json") == stored
    assert STORED_FULL_CHECKPOINTS.parent == ROOT / "vit_explained" / "checkpoints"
    if STORED_FULL_CHECKPOINTS.exists():  # once the lead has run it: the packaged copy is the results' bytes
        packaged = stored_full_checkpoints()
        assert packaged == json.loads((ROOT / "benchmarks" / "results" / "lesson05_full.json").read_text())
        assert all(r["epochs"] == 50 and len(r["mlp_share"]) == 4 for r in packaged["runs"])


def test_the_full_table_has_one_row_per_seed_and_a_range_over_seeds():
    table = full_table([_run(1, [0.9, 0.8, 0.7, 0.5]), _run(2, [0.92, 0.6, 0.3, 0.1])])
    lines = table.splitlines()
    assert len(lines) == 2 + 3 and lines[2].startswith("| 1 | 96.0% | 90%; 1.5")
    assert "(2 seeds: 90..92)" in lines[-1] and "(2 seeds: 10..50)" in lines[-1]

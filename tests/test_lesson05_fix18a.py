"""Lesson 05, fix round 18a: the headline's replication is prepared (``bench_lesson05_training.py --full-seeds``
writes ``lesson05_full``; ``stored_full_checkpoints`` reads it, ``None`` until the lead runs it)."""

import json
import sys
from pathlib import Path

from vit_explained.gradient_experiments import STORED_FULL_CHECKPOINTS, stored_full_checkpoints

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_lesson05_training import full_table  # noqa: E402
from tests import _notebook as nb  # noqa: E402

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here


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


def _sources(path=ROOT / "notebooks" / "05_where_gradients_flow.ipynb"):
    extra = nb.sources(APPENDIX) if path.name == "05_where_gradients_flow.ipynb" else []  # 21a: lesson + appendix
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]] + extra


def test_cell_0_answers_in_words_with_block_0_only_and_maps_the_lesson():
    intro = _sources()[0]
    # 18c: one plain answer sentence and the goals; the numbers once, in section 5 and the Answer
    answer = intro.split("**The short answer.**")[1].split("**The lesson in five steps**")[0]
    assert "**inside attention**" in answer and "section 5's trained ViT" in _summary_block()  # 23d: moved
    # 20e: one sentence of plain words first (no digits), then the numbers
    words, numbers = answer, _summary_block()  # 23d: the numbers moved to the Summary; 24c: one cell
    numbers += _sources()[nb.unique_index(_sources(), "**Answer to")]  # 24a: the 8 % in the Answer
    assert words.count(".") == 2 and not any(ch.isdigit() for ch in words) and "8 %" in numbers
    assert not any(number in intro for number in ("93 %", "50 to 63 %", "90 to\n96 %", "replicate it"))
    assert all(f"\n{n}. " in intro for n in range(1, 6))


def test_the_derivations_sit_together_w_k_is_exercise_5_in_both_notebooks():
    for path in (
        ROOT / "notebooks" / "05_where_gradients_flow.ipynb",
        ROOT / "notebooks" / "solutions" / "05_where_gradients_flow_solutions.ipynb",
    ):
        heads = [line for s in _sources(path) for line in s.splitlines() if line.startswith("### Exercise")]
        assert [h.split(" · ")[1] for h in heads[3:6]] == [
            "The gradient of $W_q$",
            "Derive the gradient of $W_k$",
            "Who learns when attention and the head are frozen?",
        ]


def test_folded_evidence_prints_visibly_and_opaque_factors_are_named():
    lesson = nb.cells(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    cells = lesson + nb.cells(APPENDIX)
    # 21a: the appendix's first cell rebuilds small_cuts (not printed there); the lesson's cell prints it
    for marker, where in (("small_cuts = small_model_cuts(", lesson), ("largest = [max(range(4)", cells)):
        (cell,) = [c for c in where if marker in "".join(c["source"])]
        assert "hide-input" not in cell["metadata"].get("tags", []) and cell["outputs"]
    (fused,) = [c for c in cells if "fused = small_digit_vit(fused=True)" in "".join(c["source"])]  # 18c: a check
    assert "hide-input" in fused["metadata"].get("tags", [])
    text = "\n".join(_sources())
    assert "from head 3, the only head that keeps a gradient" in text
    assert "314 at $c = 1$, where section 3's picture reads block 0's 316 (weight + bias)" in text
    assert "314 for the weights alone (316 with the biases" in text


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)

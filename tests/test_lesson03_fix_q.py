"""Lesson 03, fix round q: the stored copy task (attention trained on a task whose right pattern is known) and the
density cut of the main lesson's prose."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest

from vit_explained.plotting.lesson03 import plot_copy_task
from vit_explained.softmax_scale import STORED_COPY_TASK, stored_copy_task

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "03_attention_shapes.ipynb"


def test_the_packaged_copy_matches_the_benchmark_result():
    assert json.loads((ROOT / "benchmarks" / "results" / "lesson03_copy.json").read_text()) == json.loads(
        STORED_COPY_TASK.read_text()
    )


def test_the_stored_runs_learned_the_known_pattern():
    stored = stored_copy_task()
    assert [r["seed"] for r in stored["runs"]] == [0, 1, 2]
    for run in stored["runs"]:
        assert run["mass_on_marked"] > 0.99 and abs(run["mass_on_marked_init"] - 1 / stored["tokens"]) < 0.01
        weights = run["example_weights"]
        assert len(weights) == stored["tokens"] and all(len(row) == stored["tokens"] for row in weights)
        assert all(row[run["example_marked"]] > 0.95 for row in weights)
        assert all(abs(sum(row) - 1) < 1e-3 for row in weights)


def test_the_figure_outlines_each_seeds_own_marked_key():
    start = time.process_time()  # CPU time: the suite keeps both cores busy, so wall time would measure the others
    stored = stored_copy_task()
    fig = plot_copy_task(stored)
    assert time.process_time() - start < 3  # loading and drawing only (~0.3 CPU-s); nothing is trained
    runs = sorted(stored["runs"], key=lambda r: r["seed"])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[1:] == [f"trained, seed {r['seed']}\n(marked key: {r['example_marked']})" for r in runs]
    assert titles[0].startswith("step 0 and trained")  # the baseline panel (fix round v), from stored numbers
    baseline = fig.axes[0]
    heights = [bar.get_height() for bar in baseline.patches]
    assert heights == [r["mass_on_marked_init"] for r in runs] + [r["mass_on_marked"] for r in runs]
    assert len({r["example_marked"] for r in runs}) > 1  # the seeds' sequences differ: one outline per panel
    for ax, run in zip(fig.axes[1:], runs, strict=False):
        (outline,) = ax.patches
        assert outline.get_x() == run["example_marked"] - 0.5  # the outline sits on that panel's marked key


def test_plot_copy_task_rejects_no_runs():
    with pytest.raises(ValueError, match="no runs"):
        plot_copy_task({"tokens": 8, "runs": []})


def test_the_lesson_loads_the_stored_result_and_is_shorter():
    cells = nbformat.read(LESSON, as_version=4).cells
    (code,) = [c.source for c in cells if "stored_copy_task()" in c.source and c.cell_type == "code"]
    assert "train" not in code.replace("trained", "")
    main = []
    for cell in cells:
        if cell.source.startswith("### Exercise 1"):
            break
        if cell.cell_type == "markdown":
            main.append(cell.source)
    assert sum(len(s.split()) for s in main) < 3000  # was 4037 words before this round


def test_the_head_layout_moves_each_slice_to_its_head():
    from vit_explained.plotting.lesson03 import plot_head_layout

    fig = plot_head_layout(num_tokens=4, dim=12, heads=3)
    left, *heads = fig.axes
    assert len(heads) == 3
    for h, ax in enumerate(heads):
        assert [t.get_text() for t in ax.texts[:4]] == [str(4 * h + c) for c in range(4)]
    assert len(left.texts) == 4 * 12
    with pytest.raises(ValueError, match="multiple of heads"):
        plot_head_layout(dim=10, heads=3)

"""Lesson 04, fix round n: the depth figure's stored timm-init line; the exercises in the order of the sections."""

import json
import re
from pathlib import Path

import vit_explained.norm_placement as norm_placement
from vit_explained.plotting.lesson04 import depth_slope, plot_depth_gradients

ROOT = Path(__file__).resolve().parents[1]


def test_stored_timm64_runs_are_packaged_and_match_a_fresh_run() -> None:
    stored = ROOT / "benchmarks" / "results" / "lesson04_timm64.json"
    assert norm_placement.STORED_TIMM64_RUNS.read_bytes() == stored.read_bytes()  # the packaged copy is the run's
    runs = norm_placement.stored_timm64_runs()
    assert runs["dim"] == 64 and runs["depths"] == [2, 4, 8, 16] and runs["seeds"] == [0, 1, 2]
    assert list(runs["gradients"]) == [2, 4, 8, 16] and all(len(v) == 3 for v in runs["gradients"].values())
    fresh = norm_placement.last_fc2_gradient(False, 2, 0, init="timm")  # the shallowest point of seed 0
    assert abs(fresh / runs["gradients"][2][0] - 1) < 1e-4
    assert [round(value, 2) for value in depth_slope(runs["gradients"])] == [-0.04, -0.08, -0.01]


def test_depth_figure_draws_a_third_line_with_its_slope() -> None:
    xavier = {d: [1.0 / d**0.5 * (1 + 0.01 * s) for s in range(3)] for d in (2, 4, 8, 16)}
    drawn = {"post-norm (Xavier)": xavier, "pre-norm (Xavier)": xavier, "pre-norm, timm init": xavier}
    fig = plot_depth_gradients(drawn, guide="pre-norm (Xavier)")
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert sum(label.startswith("pre-norm, timm init: slope") for label in labels) == 1
    assert len(fig.axes[0].collections) == 3 * 4  # one scatter per (line, depth)


def _exercise_functions(path: Path) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return [m.group(1) for c in cells for m in re.finditer(r"lesson04\.check_(\w+)\(", "".join(c["source"]))]


def test_exercises_follow_the_sections_in_lesson_solutions_and_teaching() -> None:
    order = ["gelu_slope", "block_macs", "layer_norm", "parallel_block", "post_norm_block", "drop_path"]
    assert _exercise_functions(ROOT / "notebooks" / "04_gelu_mlp_and_block.ipynb") == order
    assert _exercise_functions(ROOT / "notebooks" / "solutions" / "04_gelu_mlp_and_block_solutions.ipynb") == order
    rows = [
        line.split("|")[2].strip()
        for line in (ROOT / "TEACHING.md").read_text().splitlines()
        if line.startswith("| 04 |")
    ]
    assert [row.split()[-1] for row in rows][:3] == ["hand", "multiply-adds", "LayerNorm"]
    assert (
        rows[3].startswith("a parallel block") and rows[4].startswith("the post-norm block") and rows[5] == "DropPath"
    )


def test_depth_figure_legend_can_be_placed() -> None:
    xavier = {d: [1.0 / d**0.5 * (1 + 0.01 * s) for s in range(3)] for d in (2, 4, 8, 16)}
    fig = plot_depth_gradients({"a": xavier, "b": xavier}, legend_at=(0.0, 0.14))
    fig.canvas.draw()
    legend = fig.axes[0].get_legend().get_window_extent().transformed(fig.axes[0].transAxes.inverted())
    assert abs(legend.x0) < 0.05 and abs(legend.y0 - 0.14) < 0.05  # its lower-left corner where asked

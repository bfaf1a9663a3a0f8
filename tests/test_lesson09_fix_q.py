"""Lesson 09 fix round q: the 7 -> 1 figure's control bars, the loss print, one wording for the wrong slice."""

from __future__ import annotations

from pathlib import Path

import nbformat
from matplotlib.colors import to_hex

ROOT = Path(__file__).resolve().parents[1]


def test_relabel_figure_colours_arms_by_head_and_hatches_the_unchanged_teacher():
    from vit_explained.plotting.lesson09 import _COLOURS, plot_relabel_ablation

    arms = ["distillation head, 7 → 1 teacher", "class head, 7 → 1 teacher"]
    arms += ["distillation head, teacher unchanged", "class head, teacher unchanged"]
    fig = plot_relabel_ablation({arm: [(0.5, 0.4, 0.6)] * 3 for arm in arms})
    bars = fig.axes[0].patches
    assert len(bars) == 12
    expected = ["distillation", "class", "distillation", "class"]
    for i, head in enumerate(expected):
        group = bars[3 * i : 3 * i + 3]
        assert all(to_hex(bar.get_facecolor(), keep_alpha=False) == _COLOURS[head] for bar in group)
        assert all(bool(bar.get_hatch()) == (i >= 2) for bar in group)  # hatched: the control arms


def _lesson() -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / "09_deit_distillation.ipynb", as_version=4)


def test_the_loss_cell_prints_what_the_text_uses_and_nothing_it_disowns():
    cells = [cell for cell in _lesson().cells if "soft_distillation_loss(class_logits" in cell.source]
    code = next(
        cell for cell in cells if cell.cell_type == "code" and "hide-input" not in cell.metadata.get("tags", [])
    )
    text = "".join(output.get("text", "") for output in code.outputs)
    assert "tau = 3" not in text and "class term" in text and "KL on the distillation head, tau = 1" in text


def test_the_widget_and_the_prose_say_one_place_late():
    nb = _lesson()
    prose = next(
        cell.source for cell in nb.cells if cell.cell_type == "markdown" and "**slice start** 1" in cell.source
    )
    assert "every patch one place late" in prose and "column early" not in prose
    outputs = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs]
    shown = " ".join(str(output.get("data", {}).get("text/plain", "")) for output in outputs)
    assert "(every patch one place late)" in shown and "one column early" not in shown


def test_the_soft_hard_benchmark_is_stored_twice_and_read_by_the_package():
    from vit_explained.distill import SOFT_HARD, soft_hard_benchmark

    stored = ROOT / "benchmarks" / "results" / "lesson09_soft_hard.json"
    assert stored.read_bytes() == SOFT_HARD.read_bytes()  # the packaged copy, the same bytes
    setting = soft_hard_benchmark()["settings"]["small"]
    assert setting["train_digits"] == 500 and set(setting["arms"]) == {"none", "hard", "soft"}
    assert all([run["seed"] for run in runs] == [0, 1, 2] for runs in setting["arms"].values())

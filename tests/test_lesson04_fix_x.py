"""Lesson 04, fix round x: section 6 asks three questions (the trained stream and the per-block profile moved to
appendix I and J), one "What this lesson does not show" list before the Summary, the divisor and FIXED_NORM printed
side by side, the log-log fit as a short visible cell, and a short first import cell."""

from pathlib import Path

import nbformat

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_gelu_mlp_and_block.ipynb"
APPENDIX = LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb")


def _cells(path: Path = LESSON) -> list:
    return nbformat.read(path, as_version=4).cells


def _visible(cells: list) -> list:
    return [c for c in cells if "hide-input" not in c.metadata.get("tags", [])]


def test_one_list_of_what_is_not_shown_just_before_the_summary() -> None:
    cells = _cells()
    at = next(i for i, c in enumerate(cells) if c.source.startswith("## What this lesson does not show"))
    assert cells[at - 1].source.startswith("## Summary")  # fix 19d: the summary first, then this list
    assert cells[at].source.count("\n- ") >= 6
    elsewhere = "\n".join(c.source for i, c in enumerate(cells) if c.cell_type == "markdown" and i != at)
    for hedge in ("not tested here", "not measured here", "is not tested"):
        assert hedge not in elsewhere, hedge


def test_moved_questions_have_a_pointer_in_the_lesson() -> None:
    text = "\n".join(c.source for c in _cells() if c.cell_type == "markdown")
    assert "**I**" in text and "**J**" in text and "the gradient at every block" in text  # shortened in round 17c
    headings = [c.source.splitlines()[0] for c in _cells(APPENDIX) if c.cell_type == "markdown"]
    assert "## I · A trained stream" in headings and "## J · The gradient, block by block" in headings
    assert headings[-1] == "## Summary"


def test_the_divisor_and_the_fixed_constant_printed_side_by_side() -> None:
    """Fix round z: the line's growth per block is no longer printed beside them (its slope stays in the fit's line),
    and the paragraph on the coincidence of the two 1.33s is gone."""
    assert not any("print(f\"the final LayerNorm's divisor at 2 blocks" in c.source for c in _cells())  # fix 19b: moved
    cell = next(c for c in _cells(APPENDIX) if "print(f\"the final LayerNorm's divisor at 2 blocks" in c.source)
    text = "".join(o.get("text", "") for o in cell.outputs)
    assert "divisor at 2 blocks: 1.333; the fixed arms' constant FIXED_NORM = 1.33\n" in text
    outputs = "".join(o.get("text", "") for c in _cells(APPENDIX) if c.cell_type == "code" for o in c.outputs)
    assert "a + b L      = 8.2 + 1.33 L" in outputs  # round 17c: the fit with its residuals; 18d: in appendix A
    assert "growth per block" not in text
    assert "different quantities" not in "\n".join(c.source for c in _cells() if c.cell_type == "markdown")


def test_log_log_fit_is_a_short_visible_cell_equal_to_the_helper() -> None:
    cells = _cells(APPENDIX)  # fix 19b: moved to appendix A, after the slope it re-derives
    at = next(i for i, c in enumerate(cells) if "statistics.linear_regression(log_depth, log_gradient)" in c.source)
    assert len(cells[at].source.strip().splitlines()) == 3 and "hide-input" not in cells[at].metadata.get("tags", [])
    assert "slope -0.47" in "".join(o.get("text", "") for o in cells[at].outputs)
    assert 'depth_slope(designs["pre-norm"])[0]' in cells[at + 1].source  # the hidden check: the helper's slope


def test_first_code_a_learner_meets_is_short() -> None:
    code = [c for c in _visible(_cells()) if c.cell_type == "code"]
    imports = code[1]  # after the Colab install cell
    assert imports.source.startswith("import copy") and len(imports.source.splitlines()) <= 15


def test_stored_gelu_relu_runs_are_paired_by_seed() -> None:
    import json

    from vit_explained.plotting.lesson04 import STORED_GELU_RELU, stored_gelu_relu

    stored = json.loads(STORED_GELU_RELU.read_text())
    trained = stored_gelu_relu()
    assert stored["recipe"]["epochs"] == 6 and stored["recipe"]["seeds"] == [0, 1, 2]
    assert [len(trained[name]) for name in ("gelu", "relu")] == [3, 3]
    assert all(len(run["val_accuracy"]) == 6 and 0.1 < run["val_accuracy"][-1] <= 1 for run in stored["runs"])
    results = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "lesson04_gelu_relu.json"
    assert results.read_text() == STORED_GELU_RELU.read_text()  # the packaged copy is the benchmark's file
    cell = next(c for c in _cells(APPENDIX) if "trained = stored_gelu_relu()" in c.source)  # appendix C since 17a
    assert "trained each way, 6 epochs: " in "".join(o.get("text", "") for o in cell.outputs)

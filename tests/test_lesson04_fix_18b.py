"""Lesson 04, fresh review 18a (fix round 18b): the "a block nudges the token" sentence is narrowed to the token
shown, whose ratios are printed, and the per-block medians over 200 digits say where it holds (not in block 0)."""

import re
from pathlib import Path

import nbformat

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_gelu_mlp_and_block.ipynb"
APPENDIX = LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb")  # round 18c: the token study moved to appendix L


def _cells(path: Path = LESSON) -> list:
    return nbformat.read(path, as_version=4).cells


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def test_the_token_shown_prints_its_update_ratios() -> None:
    printed = "".join(_text(cell) for cell in _cells(APPENDIX) if "token_through_block(" in cell.source)
    assert re.search(r"this token: attention 0\.\d\d, MLP 0\.\d\d", printed)


def test_median_ratios_by_block_printed_and_the_prose_says_where_the_nudge_holds() -> None:
    cells = _cells(APPENDIX)
    index = next(i for i, cell in enumerate(cells) if "median update / stream, over 200 digits" in _text(cell))
    rows = re.findall(r"attention (\d\.\d\d), MLP (\d\.\d\d)", _text(cells[index]))
    medians = [tuple(map(float, row)) for row in rows]
    assert len(medians) == 4 and min(medians[0]) > 1 and all(max(pair) < 0.67 for pair in medians[2:])
    prose = " ".join(cell.source for cell in cells + _cells() if cell.cell_type == "markdown")
    assert "so a block nudges the token rather than replacing it" not in prose
    assert "In block 0, more than half the tokens get an update larger than the stream" in prose


def test_the_ablation_is_split_into_arms_run_and_plot_with_its_loop_visible() -> None:
    cells = _cells(APPENDIX)  # 20e: the five-arm ablation moved to appendix A
    define = next(i for i, cell in enumerate(cells) if "final_steps = {" in cell.source)
    # fix 19c: the arms' cell prints FIXED_NORM's origin (sigma at L = 2), checked right below it
    assert "hide-input" in cells[define + 1].metadata["tags"] and "FIXED_NORM" in cells[define + 1].source
    define += 1
    assert "def arm_gradients(" in cells[define + 1].source and "final_norm_ablation(" not in cells[define + 1].source
    assert "final_norm_ablation(" in cells[define + 2].source and "hide-input" in cells[define + 2].metadata["tags"]
    assert cells[define + 3].source.startswith("ablation_slope = ")


def test_growing_updates_get_one_measurement_and_a_goes_with_sentence() -> None:
    cells = _cells(APPENDIX)  # round 18d: moved to appendix A
    printed = "".join(_text(cell) for cell in cells)
    assert "mean token-token cosine after blocks 1, 4, 8, 16: 0.05, 0.30, 0.55, 0.75" in printed
    prose = " ".join(" ".join(cell.source.split()) for cell in cells if cell.cell_type == "markdown")
    assert "goes with the growing updates (untested here)" in prose

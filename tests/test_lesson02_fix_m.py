"""Lesson 02, fix round m: the flatten-order picture before the exercises, Run All and unsolved checks, the
cost of each split's attention stated with its printed numbers."""

import json
import pathlib

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return json.loads(LESSON.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _index(start: str) -> int:
    (index,) = [i for i, cell in enumerate(_cells()) if _source(cell).startswith(start)]
    return index


def test_flatten_order_picture_sits_in_section_4():
    cells = _cells()
    (figure,) = [i for i, cell in enumerate(cells) if "plot_flatten_orders(" in _source(cell)]
    # round 17a: moved from before exercise 3 into section 2, where the unfold layout meets the Linear's weight
    assert _index("## 4 · Soft split vs ViT's patch embedding") < figure < _index("## 5 · A worked")
    assert "(c, kh, kw)" in _source(cells[figure - 1]) and "(kh, kw, c)" in _source(cells[figure - 1])
    assert "exercise 3" in _source(cells[figure - 1])


def test_exercises_say_where_run_all_stops():
    (intro,) = [_source(cell) for cell in _cells() if "## Exercises" in _source(cell)]
    intro = " ".join(intro.split())  # round 18c: a small note under the exercises' intro
    assert "In JupyterLab 4, Run All goes on past an unsolved check" in intro and "`raises-exception`" in intro
    assert "Colab stops at the first one" in intro and "<sub>a. In JupyterLab 4" in intro


def test_every_check_cell_of_an_exercise_is_tagged_raises_exception():
    checks = [cell for cell in _cells() if _source(cell).startswith("lesson02.check_")]
    assert len(checks) == 4 and all("raises-exception" in cell["metadata"].get("tags", []) for cell in checks)


def test_cost_prose_states_the_printed_n_squared_per_split():
    cells = _cells()
    prose = _source(cells[_index("### What the chain costs")])
    printed = "".join(
        "".join(output.get("text", "")) for output in cells[_index("stage_tokens = [stage.grid.total")]["outputs"]
    )
    for tokens, squared, said in ((3136, "9,834,496", "3136² ≈ 9.8 M"), (784, "614,656", "784² ≈ 0.61 M"),
                                  (196, "38,416", "196² ≈ 38 k")):  # fmt: skip
        assert f"N = {tokens} tokens, N² = {squared}" in printed and said in prose
    assert "256 times as many" in prose and "256 times as many entries" in printed

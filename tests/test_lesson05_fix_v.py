"""Lesson 05, fix round v: the count moved to appendix I with the coherence factor and the shuffle ablation printed,
exercises in the order of the lesson (W_q applied as exercise 4, W_k derived as exercise 5), appendix C's panels
share one y axis."""

import json
from pathlib import Path

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_where_gradients_flow.ipynb"
SOLUTIONS = NOTEBOOK.parent / "solutions" / "05_where_gradients_flow_solutions.ipynb"


def _cells(path=NOTEBOOK):
    extra = nb.cells(APPENDIX) if path == NOTEBOOK else []  # fix 21a: the lesson and its appendix
    return json.loads(path.read_text())["cells"] + extra


def _text(cell):
    return "".join(cell["source"])


def _outputs(cell):
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))


def test_the_count_is_in_appendix_i_after_the_main_line():
    sources = [_text(c) for c in _cells()]
    appendix_i = next(i for i, s in enumerate(sources) if s.startswith("### I · Section 4's count"))
    further = next(i for i, s in enumerate(sources) if s.startswith("**Further reading**"))
    assert appendix_i > further
    assert not any("catch_x_and_d_out(model, attn0" in s for s in sources[:further])
    # round 17b: section 4 keeps one sentence pointing to appendix I; the factors are listed there
    assert any("(appendix I counts it)" in s for s in sources[:further])
    assert any("factor by factor on block 0" in s for s in sources[appendix_i:])


def test_the_coherence_factor_and_the_shuffle_ablation_are_printed():
    cells = _cells()
    printed = "".join(_outputs(c) for c in cells)
    assert "measured: the sums grow ||dV|| 12.0x, ||dQ|| 3.0x; factor 4.0x" in printed
    assert "uniform A: the sums grow ||dV|| 12.1x, ||dQ|| 3.0x; factor 4.0x" in printed
    assert "shuffled 0.00088 to 0.00094 (10 shuffles), 2.3 to 2.5 times smaller" in printed
    prose = "".join(_text(c) for c in cells if c["cell_type"] == "markdown")
    assert "perhaps" not in prose.split("### I · Section 4's count")[1].split("###")[0]
    assert "Shuffled, $M$ shrinks 2.3 to 2.5 times" in prose


def test_exercise_4_applies_w_q_and_exercise_5_derives_w_k_in_both_notebooks():
    for path in (NOTEBOOK, SOLUTIONS):
        heads = [line for c in _cells(path) for line in _text(c).split("\n") if line.startswith("### Exercise")]
        assert [int(h.split()[2]) for h in heads] == list(range(1, 9))
        assert heads[3] == "### Exercise 4 · The gradient of $W_q$"
        assert heads[4] == "### Exercise 5 · Derive the gradient of $W_k$"
    assert any("exercise 5 derives it" in _text(c) for c in _cells())


def test_qkv_rows_panels_share_one_y_axis():
    from vit_explained.plotting.lesson05 import plot_qkv_rows

    fig = plot_qkv_rows(
        {"start": {0: {"q": 0.01, "k": 0.02, "v": 1.0}}, "trained": {0: {"q": 0.1, "k": 0.2, "v": 0.34}}}
    )
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim()
    assert fig.axes[0].get_ylim()[0] < 0.01 and fig.axes[0].get_ylim()[1] > 1.0

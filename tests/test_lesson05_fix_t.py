"""Lesson 05, fix round t: the qkv panel says weight + bias, the cut table prints the change, the wording fixes."""

from pathlib import Path

from tests import _notebook as nb
from vit_explained.plotting.lesson05 import plot_gradient_norms

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_where_gradients_flow.ipynb"


def _text() -> str:
    return "\n".join("".join(c["source"]) for c in (nb.cells(NOTEBOOK) + nb.cells(APPENDIX)))


def test_qkv_panel_names_rows_with_their_bias():

    groups = {("block 0", "qkv"): 1.0}
    qkv = {"block 0": {"q": 1e-3, "k": 1e-3, "v": 0.3}}
    fig = plot_gradient_norms(groups, qkv)
    right = fig.axes[1]
    assert [t.get_text() for t in right.get_legend().get_texts()] == ["q rows", "k rows", "v rows"]
    assert "weight + bias" in right.get_title()


def test_wording_of_round_t():
    text = _text()
    # round 17d: 316 vs 314 explained once, where the widget prints 314
    assert "not section 3's 316" not in text and text.count("adds the biases") == 0  # 17f: sentence dropped
    assert "writes each block out that\nway" not in text
    assert "a pre-hook on each norm2 hands it a detached copy of h" in text  # 21a: the code comment says it
    assert "with_change=False" in text and "changes 34 %" in text  # 19a: the main table prints the share only
    assert "Two sub-predictions fail" in text and "19.3" in text  # round 18e: v x 10 (dO shrinks)
    assert "10 points or more" not in text and "from -6 to 33 % in the small model's block 1" in text
    assert "Always $db_k = 0$" in text and "db_k = 0 always" in text
    assert "with $Q$ in place of $K$" not in text  # fix x: dK's closed form left the summary (exercise 5)
    assert "The loss, at the head, is the only source" in text  # round 17d/17f/18c: route vs source, cell 0
    assert "# the imports of section 5 and the appendices" not in text  # round 17d: imports where they are used

"""Lesson 05, fix round 17d (fresh review r17d): route vs source in cell 0, section 5's order, the derivation widget
opening at c = 1 with its curves drawn only up to c, the "cls" tick, the shape rule before exercises 3, 4 and 8."""

import json
from pathlib import Path

import numpy as np

from tests import _notebook as nb
from vit_explained.gradient_experiments import SaturationSweep
from vit_explained.plotting.lesson05 import plot_derivation_point

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "05_where_gradients_flow.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "05_where_gradients_flow_solutions.ipynb"
RULE = r"*Shape rule.* $dW = (\text{upstream gradient})^\top X$"


def _sources(path=LESSON):
    extra = nb.sources(APPENDIX) if path == LESSON else []  # fix 21a: the lesson and its appendix
    return ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]] + extra


def _at(sources, text):
    return next(i for i, s in enumerate(sources) if text in s)


def test_curves_are_drawn_only_up_to_the_current_c_on_fixed_axes():
    curves = SaturationSweep(
        factors=[1.0, 10.0, 100.0],
        w_q={"1/sqrt(d)": [1e-3, 1e-2, 3e-3]},
        w_v={"1/sqrt(d)": [0.1, 0.12, 0.1]},
        entropy={"1/sqrt(d)": [1.0, 0.5, 0.1]},
    )
    at_1 = plot_derivation_point(curves, 1.0, (1e-3, 0.1), np.full((17, 17), 1 / 17))
    at_10 = plot_derivation_point(curves, 10.0, (1e-2, 0.12), np.full((17, 17), 1 / 17))
    drawn = [len(line.get_xdata()) for line in at_1.axes[0].lines[:2]]
    assert drawn == [1, 1] and [len(line.get_xdata()) for line in at_10.axes[0].lines[:2]] == [2, 2]
    assert at_1.axes[0].get_xlim() == at_10.axes[0].get_xlim()  # the x axis does not move with c
    assert at_1.axes[0].get_ylim() == at_10.axes[0].get_ylim()  # nor the y axis: the rest stays unseen
    right = at_1.axes[1]
    # 19b: every fourth token index ticked, token 0 named "cls"
    assert [t.get_text() for t in right.get_xticklabels()] == ["cls", "4", "8", "12", "16"]
    assert list(right.get_xticks()) == [0, 4, 8, 12, 16]
    assert [t.get_text() for t in right.get_yticklabels()] == ["cls", "4", "8", "12", "16"]


def test_the_widget_is_stored_at_c_1_and_316_vs_314_is_explained_once():
    sources = _sources()
    widget = _at(sources, "derivation = derivation_widget(")
    assert "derivation_widget()  # opens at c = 1" in sources[widget]  # 19a: opens at c = 1, its button at the peak
    assert "in full colour up to the current $c$" in sources[widget - 1] and "Guess first" in sources[widget - 1]
    text = "\n".join(sources)
    assert text.count("leaves out the biases") == 0 and "appendix I splits them" not in text


def test_cell_0_separates_route_from_source():
    intro = _sources()[0]
    assert "The loss, at the head, is the only source;" in intro  # 17f: narrowed; 18c: one sentence
    assert "section 5's trained ViT" in _summary_block()  # 18a, 18b, 18c; 23d: moved to the Summary
    assert "The MLP is on the way, not the source." not in intro
    assert "likewise on the way, not the source" not in "\n".join(_sources())  # the summary's non sequitur is cut


def test_section_5_defines_the_share_before_printing_it():
    sources = _sources()
    definition, first_print = _at(sources, "**The MLP share**"), _at(sources, 'print(f"block 0 by hand: MLP share')
    assert definition < first_print == definition + 1  # the definition, then the arrow picture with the print
    cut_words = "The cut cell below does this with a pre-hook on each `norm2`"  # 21a: shorter
    assert cut_words in sources[_at(sources, "## 5 · Cut the MLP route")]
    assert "the imports of section 5 and the appendices" not in "\n".join(sources)
    assert "# the appendices' imports" in sources[_at(sources, "### A · Why the LayerNorms") + 1]


def test_clipped_fragments_are_whole_and_the_interval_says_what_it_does_not_cover():
    text = "\n".join(_sources())
    assert "Blocks 0 and 3 of this cut:" not in text and "Another architecture: appendix I." not in text
    assert "but the interval is over batches of digits." not in text
    assert "The interval covers batches of digits in this one checkpoint, not other training runs." in text


def test_the_shape_rule_stands_before_exercises_3_4_and_5_in_both_notebooks():
    for path in (LESSON, SOLUTIONS):
        sources = _sources(path)
        for title in ("### Exercise 3", "### Exercise 4", "### Exercise 5"):
            assert RULE in sources[_at(sources, title)], (path.name, title)
        assert sum(RULE in s for s in sources) == 3


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)

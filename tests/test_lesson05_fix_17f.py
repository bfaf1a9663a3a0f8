"""Lesson 05, fix round 17f: cell 0 and the Answer narrowed to what was measured (one trained checkpoint; at
initialisation, less in every block), the derivation widget's whole sweep drawn faintly, exercise 6's one-question
hint, cell 44's share-vs-change sentence, section 5's which-model sentence, the 5-seed skip range printed."""

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
HINT = "*Hint.* Reason it out first, then check by experiment if you like."


def _cells(path=LESSON):
    extra = nb.cells(APPENDIX) if path == LESSON else []  # fix 21a: the lesson and its appendix
    return json.loads(path.read_text())["cells"] + extra


def _sources(path=LESSON):
    return ["".join(c["source"]) for c in _cells(path)]


def _at(sources, text):
    return next(i for i, s in enumerate(sources) if text in s)


def test_cell_0_and_the_answer_are_narrowed_to_what_was_measured():
    sources = _sources()
    intro, answer = sources[0], sources[_at(sources, "**Answer to the question:**")]
    assert "the road most of it travels" not in "\n".join(sources)
    # round 18a: both compare the checkpoint with its own architecture at init (not the 8 x 8 small model)
    assert "section 5's trained ViT" in _summary_block() and "replicate it" not in intro  # 18c; 23d
    assert "trained MNIST ViT, one checkpoint (4 blocks, D = 64)" in nb.all_printed(
        LESSON
    ) and "3 runs in all" in nb.all_printed(LESSON)  # 22a
    assert (
        "96/82/75/54 %" in answer
        and "keeps 8 %" in answer
        and "block | ||g_cut|| / ||g|| | MLP share | 3-run range" in nb.all_printed(LESSON)
    )  # 22a; 22c: one estimand per table, more measures
    assert "same architecture at initialisation" not in answer  # 18d: the fresh comparison stays in section 5
    for text in (intro, answer):
        assert "-6 to 37 %" not in text and "small model" not in text
    outputs = "".join(
        "".join(o.get("text", "")) for c in _cells() if c["cell_type"] == "code" for o in c.get("outputs", [])
    )
    assert "small model, 5 seeds x 4 blocks: -6 to 37 %" in outputs
    assert "MNIST architecture, 3 seeds x 4 blocks: 5 to 63 %" in outputs


def test_the_whole_sweep_is_drawn_faintly_and_the_guess_comes_first():
    curves = SaturationSweep(
        factors=[1.0, 10.0, 100.0],
        w_q={"1/sqrt(d)": [1e-3, 1e-2, 3e-3]},
        w_v={"1/sqrt(d)": [0.1, 0.12, 0.1]},
        entropy={"1/sqrt(d)": [1.0, 0.5, 0.1]},
    )
    fig = plot_derivation_point(curves, 1.0, (1e-3, 0.1), np.full((17, 17), 1 / 17))
    faint = [line for line in fig.axes[0].lines if line.get_alpha() is not None and line.get_alpha() < 0.5]
    assert [len(line.get_xdata()) for line in faint] == [3, 3]
    sources = _sources()
    widget = _at(sources, "derivation = derivation_widget(")
    assert "derivation_widget()  # opens at c = 1" in sources[widget] and "Guess first" in sources[widget - 1]  # 18c
    assert "whole sweep is drawn faintly" in sources[widget - 1] and "leaves out the biases" not in sources[widget - 1]


def test_exercise_5_hint_is_one_question_in_both_notebooks():
    for path in (LESSON, SOLUTIONS):
        sources = _sources(path)
        exercise = sources[_at(sources, "### Exercise 6 · Who learns")]
        assert HINT in exercise and "Think about `norm1`" not in exercise


def test_share_sentence_model_sentence_and_seed_range():
    sources = _sources()
    text = "\n".join(sources)
    share_words = "0 % when the MLP-route part adds nothing along $g$, negative when the MLP-route part points "
    share_words += "against $g$, and above\n100 % when $g_\\text{cut}$ does. The tables below also give"  # 20c; 23c
    assert share_words in text  # 19a
    assert "sections 1-4 and the first half of section 5" in text  # round 18b; 21a: once, in cell 3's two models
    assert "timm's init (std 0.02)" not in text and "timm 1.0.28's init (std 0.02)" in text
    cell = _at(sources, "seed_norms = [residual_route_norms(")
    printed = "".join("".join(o.get("text", "")) for o in _cells()[cell]["outputs"])
    assert "||skip route|| at block 0 / at block 3, 5 seeds: 1.08 to 1.28" in printed
    # 19c: the range stays printed in section 2; section 3 says "on all 5 seeds" (fewer numbers per sentence)
    assert "section 2 prints 1.08 to 1.28 times larger" not in text and "than at block 3, on all 5 seeds" in text


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)
